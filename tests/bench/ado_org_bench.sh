#!/usr/bin/env bash
# An organization scan against the local stand-in (tests/ado_server.py):
# PROJECTS projects of REPOS repositories each (defaults 50 and 40), every
# answer delayed by 25 ms, scanned with `alm-advisor scan --ado ORG` (4
# repositories at once, the default). Reports the requests by kind, the wall
# time, and the floor: the longest chain of requests that depend on each other
# (projects -> a project's repositories -> its build definitions -> a list of
# builds), in theory.
#
#   tests/bench/ado_org_bench.sh
#   BENCH_PROJECTS=50 BENCH_REPOS=40 BENCH_LATENCY_MS=25
#   BENCH_BASELINE=REF   also scan with the library as of git REF (say, main),
#                        built from `git archive` in a temporary directory
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
projects=${BENCH_PROJECTS:-50}
repos=${BENCH_REPOS:-40}
latency=${BENCH_LATENCY_MS:-25}
build=${BENCH_BUILD:-$root/build-bench-ado}
. "$here/ado_bench_lib.bash"

build_target "$root" "$build" alm-advisor
org_server() { # latency in ms
	start_server --latency "$1" --page-size 1000 --cache --bench-org-projects "$projects" --bench-org-repos "$repos" \
		--log "$work/requests.log"
}
org_server "$latency"

# One scan; prints "seconds peak-RSS-kB requests rows-assessed".
scan_once() {
	: >"$work/requests.log"
	/usr/bin/time -f '%e %M' -o "$work/time" "$1" scan --ado "http://127.0.0.1:$port/benchorg" --since all \
		--format json -o "$work/org.json" 2>"$work/scan.err" || true
	read -r t rss <"$work/time"
	n=$(wc -l <"$work/requests.log")
	ok=$(python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print(sum(1 for x in r['rows'] if x['status']=='assessed'))" "$work/org.json")
	echo "$t $rss $n $ok"
}

read -r t rss n ok <<<"$(scan_once "$build/alm-advisor")"
total=$((projects * repos))
floor=$(awk "BEGIN{printf \"%.3f\", 4 * $latency / 1000}")
printf 'Azure DevOps organization scan: %d projects x %d repositories, %d ms per answer\n' "$projects" "$repos" "$latency"
printf 'machine: %s, %s CPUs; libcurl %s\n\n' "$(uname -sm)" "$(nproc)" "$(curl-config --version | cut -d' ' -f2)"
printf 'assessed %d of %d repositories in %s s (peak RSS %d MB)\n' "$ok" "$total" "$t" "$((rss / 1024))"
printf 'requests: %d in all, %.2f a repository, %.1f a project\n' "$n" "$(awk "BEGIN{print $n / $total}")" \
	"$(awk "BEGIN{print $n / $projects}")"
python3 - "$work/requests.log" <<'PY'
import collections, json, sys
kinds = collections.Counter()
for line in open(sys.argv[1]):
    p = json.loads(line)["path"]
    tail = p.split("/_apis/", 1)[1] if "/_apis/" in p else p
    if tail.startswith("userentitlements"):
        tail = "userentitlements/{id}"
    elif "/pullRequests/" in tail:
        tail = "git/repositories/{repo}/pullRequests/{id}/reviewers"
    elif tail.startswith("projects/"):
        tail = "projects/{project}"
    kinds[tail] += 1
for k, v in sorted(kinds.items(), key=lambda kv: -kv[1]):
    print("  %6d  %s" % (v, k))
PY
printf 'floor: the longest chain (4 requests x %d ms) = %s s; the scan took %.0fx that\n' "$latency" "$floor" \
	"$(awk "BEGIN{print $t / $floor}")"

# The same scan with answers at once: what is not waiting on the network
# (2,000 assessments: rules, reports, the portfolio) bounds it from below too.
org_server 0
read -r t0 _ _ _ <<<"$(scan_once "$build/alm-advisor")"
printf 'the same scan at 0 ms per answer: %s s; so the floor is %s s and the scan took %.2fx that\n' "$t0" \
	"$(awk "BEGIN{f = $t0 + $floor; print f}")" "$(awk "BEGIN{print $t / ($t0 + $floor)}")"
org_server "$latency"

if [ -n "${BENCH_BASELINE:-}" ]; then
	mkdir -p "$work/baseline"
	git -C "$root" archive "$BENCH_BASELINE" | tar -x -C "$work/baseline"
	build_target "$work/baseline" "$work/baseline/build" alm-advisor
	read -r bt brss bn bok <<<"$(scan_once "$work/baseline/build/alm-advisor")"
	printf '\nbaseline (%s): assessed %d in %s s (peak RSS %d MB), %d requests (%.2f a repository)\n' \
		"$BENCH_BASELINE" "$bok" "$bt" "$((brss / 1024))" "$bn" "$(awk "BEGIN{print $bn / $total}")"
fi
