#!/usr/bin/env bash
# One page of DEFINITIONS build definitions (default 1,000,000; about 14 MB of
# JSON, under the 32 MB cap on a body) from the local stand-in, probed with a
# deadline of TIMEOUT seconds (default 30). Reports the wall time against the
# deadline, the peak RSS (goal: under 256 MB) and the requests.
#
#   tests/bench/ado_huge_bench.sh
#   BENCH_DEFINITIONS=1000000 BENCH_TIMEOUT=30 BENCH_LATENCY_MS=0
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
count=${BENCH_DEFINITIONS:-1000000}
timeout=${BENCH_TIMEOUT:-30}
latency=${BENCH_LATENCY_MS:-0}
build=${BENCH_BUILD:-$root/build-bench-ado}
. "$here/ado_bench_lib.bash"

build_driver
start_server --latency "$latency" --cache --bench-huge-definitions "$count"
url="http://127.0.0.1:$port/huge/Huge"
# The server builds the page once; the measurement should not wait for that.
size=$(curl -s -u ":$AZURE_DEVOPS_EXT_PAT" "$url/_apis/build/definitions?api-version=7.1&includeAllProperties=true&includeLatestBuilds=true&\$top=100" | wc -c)

/usr/bin/time -f '%e %M' -o "$work/time" "$work/driver" "$url" 0 "$timeout" >"$work/out" 2>"$work/err" || true
read -r t rss <"$work/time"
read -r elapsed requests retries maxf _ <"$work/out" || true
printf 'one page of %d build definitions (%d bytes), deadline %s s, %s ms per answer\n' "$count" "$size" "$timeout" "$latency"
printf 'wall %s s (%.2f of the deadline); peak RSS %d MB (goal under 256); %s requests, at most %s in flight\n' \
	"$t" "$(awk "BEGIN{print $t / $timeout}")" "$((rss / 1024))" "${requests:-?}" "${maxf:-?}"
grep -h 'ado.error' "$work/err" || echo "the probe finished within the deadline"
