#!/usr/bin/env bash
# The Azure DevOps probe against the local stand-in (tests/ado_server.py)
# serving a large project, every answer delayed by 25 ms:
#
#   probe        the probe as shipped (its default bound on requests in flight)
#   sweep        the same with other bounds
#   serial       the same requests one after another: the probe with one in
#                flight, and curl replaying the server's log of them in order
#   floor        the longest chain of requests that depend on each other
#                (definitions page 1 -> page 2 -> the pages of the list of
#                builds that names a definition of page 2), replayed by curl
#
#   tests/bench/ado_bench.sh
#   BENCH_RUNS=N            runs per measurement, best kept (default 3)
#   BENCH_PIPELINES=200     pipelines, each with 3 pages of 20 builds
#   BENCH_REPOS=20          repositories, each with 30 pull requests
#   BENCH_LATENCY_MS=25
#   BENCH_BUILD_PAGE=1000   the server's largest page of builds (the service's)
#   BENCH_SWEEP="1 4 16"
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
runs=${BENCH_RUNS:-3}
pipelines=${BENCH_PIPELINES:-200}
repos=${BENCH_REPOS:-20}
latency=${BENCH_LATENCY_MS:-25}
sweep=${BENCH_SWEEP:-"1 4 16"}
build_page=${BENCH_BUILD_PAGE:-1000}
build=${BENCH_BUILD:-$root/build-bench-ado}
. "$here/ado_bench_lib.bash"

build_driver
start_server --latency "$latency" --page-size 1000 --build-page-size "$build_page" \
	--bench-pipelines "$pipelines" --bench-build-pages 3 --bench-builds-per-page 20 \
	--bench-repos "$repos" --bench-prs-per-repo 30 --cache --log "$work/requests.log"
url="http://127.0.0.1:$port/bench/Bench"
expected=$((pipelines * 60))

# Best wall time of $runs runs of the driver with the given bound (0: default).
probe_best() {
	local best= line t
	for _ in $(seq "$runs"); do
		line=$("$work/driver" "$url" "$1")
		read -r t req _ maxf ok <<<"$line"
		if [ "$ok" != "$expected" ]; then
			echo "ado_bench: wrong result ($ok builds succeeded, expected $expected): $line" >&2
			exit 1
		fi
		if [ -z "$best" ] || awk "BEGIN{exit !($t < $best)}"; then best=$t; fi
	done
	echo "$best $req $maxf"
}

# Best wall time of curl fetching the URLs of a config file one after another
# on one connection.
curl_best() {
	local best= t0 t1 t
	for _ in $(seq "$runs"); do
		t0=$(date +%s.%N)
		curl -s -K "$1" -u ":$AZURE_DEVOPS_EXT_PAT" -H 'X-TFS-FedAuthRedirect: Suppress' \
			-H 'Accept: application/json'
		t1=$(date +%s.%N)
		t=$(awk "BEGIN{printf \"%.3f\", $t1 - $t0}")
		if [ -z "$best" ] || awk "BEGIN{exit !($t < $best)}"; then best=$t; fi
	done
	echo "$best"
}

"$work/driver" "$url" >/dev/null # warms the server's cache of answers
: >"$work/requests.log"
read -r probe_t probe_req probe_max <<<"$(probe_best 0)"
# The log of the last run is the list of requests the probe makes.
tail -n "$probe_req" "$work/requests.log" >"$work/one-run.log"

python3 - "$work/one-run.log" "$port" "$work/all.curl" "$work/chain.curl" <<'EOF'
import json, sys
log, port, all_cfg, chain_cfg = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
reqs = [json.loads(l) for l in open(log)]
reqs.sort(key=lambda e: e["t"])
def url(e):
    return "http://127.0.0.1:%s%s?%s" % (port, e["path"], e["query"])
def write(path, entries):
    with open(path, "w") as f:
        for e in entries:
            f.write('url = "%s"\noutput = "/dev/null"\n' % url(e))
write(all_cfg, reqs)
defs = [e for e in reqs if e["path"].endswith("/_apis/build/definitions")]
# The list of builds naming a definition of the last page of definitions: it
# waits for every page of definitions, then pages through itself.
lists = [e for e in reqs if e["path"].endswith("/_apis/build/builds")]
last_def = max(int(x) for e in lists for x in e["params"]["definitions"].split(","))
builds = [e for e in lists if str(last_def) in e["params"]["definitions"].split(",")]
chain = defs + builds
prs = [e for e in reqs if e["path"].endswith("/pullrequests")]
if len(prs) > len(chain):
    chain = prs
write(chain_cfg, chain)
print(len(chain), file=open(chain_cfg + ".len", "w"))
EOF
chain_len=$(cat "$work/chain.curl.len")

read -r serial_t serial_req _ <<<"$(probe_best 1)"
curl_serial_t=$(curl_best "$work/all.curl")
floor_t=$(curl_best "$work/chain.curl")
theory=$(awk "BEGIN{printf \"%.3f\", $chain_len * $latency / 1000}")

printf 'Azure DevOps probe benchmark: %d pipelines x 3 pages of 20 builds, %d repositories x 30 pull requests, %d ms per answer\n' \
	"$pipelines" "$repos" "$latency"
printf 'machine: %s, %s CPUs; libcurl %s; best of %d runs\n\n' "$(uname -sm)" "$(nproc)" \
	"$(curl-config --version | cut -d' ' -f2)" "$runs"
printf '%-52s %8s %9s %9s\n' "measurement" "seconds" "requests" "x floor"
row() { printf '%-52s %8s %9s %9s\n' "$1" "$2" "$3" "$(awk "BEGIN{printf \"%.1f\", $2 / $floor_t}")"; }
row "probe (default, at most $probe_max in flight)" "$probe_t" "$probe_req"
row "probe, one request at a time" "$serial_t" "$serial_req"
row "curl, the same requests one after another" "$curl_serial_t" "$probe_req"
row "floor: curl, the longest chain ($chain_len requests)" "$floor_t" "$chain_len"
row "floor in theory ($chain_len x $latency ms)" "$theory" "$chain_len"
echo
# With at most n in flight no schedule beats max(chain, requests / n) answers.
printf '%-30s %8s %9s %22s\n' "bound on requests in flight" "seconds" "x floor" "requests/n x latency"
for n in $sweep; do
	read -r t _ m <<<"$(probe_best "$n")"
	printf '%-30s %8s %9s %22s\n' "$n (at most $m seen)" "$t" "$(awk "BEGIN{printf \"%.1f\", $t / $floor_t}")" \
		"$(awk "BEGIN{c = $probe_req / $n; if (c < $chain_len) c = $chain_len; printf \"%.3f\", c * $latency / 1000}")"
done
