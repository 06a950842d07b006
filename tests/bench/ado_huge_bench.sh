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
work=$(mktemp -d "${TMPDIR:-/tmp}/alm-ado-huge-bench-XXXXXX")
server_pid=
cleanup() {
	if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; fi
	rm -rf "$work"
}
trap cleanup EXIT

cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
if ! cmake --build "$build" --target alm -j2 >"$work/build.log" 2>&1; then
	cat "$work/build.log" >&2
	exit 1
fi
# shellcheck disable=SC2046
cc -O2 -std=c11 -D_XOPEN_SOURCE=700 -D_DEFAULT_SOURCE -o "$work/driver" "$here/ado_bench_driver.c" \
	-I"$root/include" -I"$root/src" -I"$root/src/probes/ado" -I"$root/src/probes/repo" "$build/libalm.a" \
	$(pkg-config --cflags --libs libgit2 libcjson libcurl) -lpthread -lm

python3 "$root/tests/ado_server.py" --latency "$latency" --cache --lifetime 3600 \
	--bench-huge-definitions "$count" >"$work/port" &
server_pid=$!
for _ in $(seq 300); do
	[ -s "$work/port" ] && break
	sleep 0.1
done
port=$(head -1 "$work/port")
export AZURE_DEVOPS_EXT_PAT=bench-token-not-secret
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
