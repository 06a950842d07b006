#!/usr/bin/env bash
# The repository probe side by side with the git command line computing the
# same whole-history facts, on synthetic repositories made with fast-import.
#
#   tests/bench/repo_bench.sh            10k and 100k commits
#   tests/bench/repo_bench.sh --1m       also 1M commits (slow: generates ~1 GB)
#   BENCH_DIR=/path  keeps the repositories there (reused when present)
#   BENCH_RUNS=N     runs per measurement, best kept (default 3; 1 for 1M)
#
# Each size is measured without a commit-graph and then after
# `git commit-graph write --reachable`. Wall time and peak RSS come from
# /usr/bin/time (Debian: apt-get install time). Prints a table of ratios
# (probe / git: below 1 means the probe is faster or smaller).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
sizes="10000 100000"
if [ "${1:-}" = "--1m" ]; then
	sizes="$sizes 1000000"
fi
runs=${BENCH_RUNS:-3}
work=${BENCH_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/alm-bench-XXXXXX")}
build=${BENCH_BUILD:-$root/build-bench}
mkdir -p "$work"

if [ ! -x /usr/bin/time ]; then
	echo "repo_bench: /usr/bin/time is missing (Debian: apt-get install time)" >&2
	exit 2
fi

# A release build of the library; the CLI's `signals` when it is there,
# otherwise a small driver linked to the same library.
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
if ! cmake --build "$build" --target alm -j2 >"$work/build.log" 2>&1; then
	cat "$work/build.log" >&2
	exit 1
fi
if cmake --build "$build" --target alm-advisor -j2 >/dev/null 2>&1 &&
	"$build/alm-advisor" signals --help >/dev/null 2>&1; then
	probe=("$build/alm-advisor" signals --since all)
	probe_name="alm-advisor signals --since all"
else
	# shellcheck disable=SC2046
	cc -O2 -o "$work/probe_driver" "$here/probe_driver.c" -I"$root/include" "$build/libalm.a" \
		$(pkg-config --cflags --libs libgit2 libcjson libcurl expat yaml-0.1) -lpthread -lm
	probe=("$work/probe_driver" --since all)
	probe_name="probe_driver --since all (alm_repo_probe)"
fi

fmt='%x1e%P%x1f%ae%x1f%s%x1f%n%B'
# The git command line's equivalent: commits, merges, pull requests by
# convention and authors over every branch; the same along main's first-parent
# line; the branch and tag counts; the file list at HEAD.
git_side() {
	git -C "$1" log --branches --remotes --format="$fmt" | LC_ALL=C awk -f "$here/count_history.awk"
	git -C "$1" log --first-parent main --format="$fmt" | LC_ALL=C awk -f "$here/count_history.awk"
	git -C "$1" for-each-ref --format='%(refname) %(committerdate:unix)' refs/heads refs/remotes refs/tags |
		awk '/^refs\/heads\//{l++} /^refs\/remotes\// && !/\/HEAD /{r++} /^refs\/tags\//{t++}
		     END{print l+0, r+0, t+0}'
	git -C "$1" ls-tree -r --name-only HEAD | wc -l
}

make_repo() {
	local n=$1 dir=$2
	if [ -f "$dir/.bench-ready" ]; then
		return
	fi
	rm -rf "$dir"
	git init -q -b main "$dir"
	echo "repo_bench: generating $n commits in $dir" >&2
	LC_ALL=C awk -v commits="$n" -f "$here/gen_history.awk" | git -C "$dir" fast-import --quiet
	git -C "$dir" update-ref -d refs/heads/tmp
	git -C "$dir" reset -q --hard main
	# The pack layout `git gc` leaves: commits first, in recency order.
	git -C "$dir" repack -adq
	touch "$dir/.bench-ready"
}

# measure LABEL CMD...: best wall time (s) and its peak RSS (KB) over $runs runs
measure() {
	local label=$1 best_t="" best_m="" i t m
	shift
	for ((i = 0; i < runs; i++)); do
		if ! /usr/bin/time -f '%e %M' -o "$work/time.$label" "$@" >"$work/out.$label"; then
			echo "repo_bench: $label failed: $*" >&2
			exit 1
		fi
		read -r t m <"$work/time.$label"
		if [ -z "$best_t" ] || awk -v a="$t" -v b="$best_t" 'BEGIN{exit !(a < b)}'; then
			best_t=$t
			best_m=$m
		fi
	done
	echo "$best_t $best_m" >"$work/best.$label"
}

# The probe's counts must equal git's, or the timing means nothing.
check() {
	local dir=$1 json=$2
	command -v python3 >/dev/null || return 0
	git_side "$dir" | python3 -c '
import json, sys
lines = sys.stdin.read().split("\n")
c, p, refs = (list(map(int, l.split())) for l in lines[:3])
d = json.load(open(sys.argv[1]))
f = d["facts"]["repo"] if "facts" in d else d["repo"]
pr = f["pull_requests"]; fp = f["first_parent"]
mine = [f["commits"], f["merges"], pr["azure_devops"], pr["github_merge"], pr["github_squash"],
        pr["gitlab"], pr["bitbucket"], pr["total"], f["authors"]]
if mine != c or [fp["commits"], fp["merges"], fp["pull_requests"]] != [p[0], p[1], p[7]] \
   or [f["branches"]["local"], f["branches"]["remote"], f["tags"]] != refs:
    sys.exit("repo_bench: counts differ from git: %s vs %s" % (mine, c))
' "$json"
}

printf '%s\n' "probe: $probe_name" "git: log --branches --remotes + log --first-parent (through awk) + for-each-ref + ls-tree" \
	"runs per figure: $runs (best)" ""
printf '%-9s %-6s %9s %9s %6s %9s %9s %6s\n' commits graph git_s probe_s ratio git_MB probe_MB ratio
for n in $sizes; do
	dir="$work/repo-$n"
	make_repo "$n" "$dir"
	r=$runs
	[ "$n" -ge 1000000 ] && runs=1
	rm -f "$dir/.git/objects/info/commit-graph"
	rm -rf "$dir/.git/objects/info/commit-graphs"
	for graph in no yes; do
		if [ "$graph" = yes ]; then
			git -C "$dir" commit-graph write --reachable >/dev/null 2>&1
		fi
		export -f git_side
		export here fmt
		measure git bash -c 'git_side "$0"' "$dir"
		measure probe "${probe[@]}" "$dir"
		read -r gt gm <"$work/best.git"
		read -r pt pm <"$work/best.probe"
		check "$dir" "$work/out.probe"
		awk -v n="$n" -v g="$graph" -v gt="$gt" -v pt="$pt" -v gm="$gm" -v pm="$pm" 'BEGIN{
			printf "%-9s %-6s %9.2f %9.2f %6.2f %9.1f %9.1f %6.2f\n", n, g, gt, pt,
			       (gt > 0 ? pt / gt : 0), gm / 1024, pm / 1024, (gm > 0 ? pm / gm : 0) }'
	done
	runs=$r
done
