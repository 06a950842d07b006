#!/usr/bin/env bash
# The repository probe's tree reading on wide trees: N directories (25k, 50k,
# 100k, 200k), each a Power Pages site with a configuration data export, so
# every pairing of files to folders runs over N of each; against a plain tree
# of the same size (as many files and folders, no Power Platform names), and
# against `git ls-tree -r HEAD` on the same tree. Doubling N should double
# the time: the ratios to the previous size are printed.
#
#   tests/bench/tree_bench.sh             25k 50k 100k 200k directories
#   BENCH_SIZES="1000 2000" tests/bench/tree_bench.sh
#   BENCH_RUNS=N     runs per measurement, best kept (default 3)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
sizes=${BENCH_SIZES:-"25000 50000 100000 200000"}
runs=${BENCH_RUNS:-3}
work=$(mktemp -d "${TMPDIR:-/tmp}/alm-tree-bench-XXXXXX")
build=${BENCH_BUILD:-$root/build-bench}
trap 'rm -rf "$work"' EXIT
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1

cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
cmake --build "$build" --target alm -j2 >"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; exit 1; }
libs=$(pkg-config --cflags --libs libgit2 libcjson libcurl expat yaml-0.1)
# shellcheck disable=SC2086
cc -O2 -o "$work/probe_driver" "$here/probe_driver.c" -I"$root/include" "$build/libalm.a" $libs -lpthread -lm
# shellcheck disable=SC2086
cc -O2 -o "$work/tree_gen" "$here/tree_gen.c" $libs

# make KIND N: a repository whose HEAD is the generated tree
make_repo() {
	local dir="$work/$1-$2" tree commit
	git init -q -b main "$dir"
	tree=$("$work/tree_gen" "$dir" "$2" "$1")
	(cd "$dir" && git index-pack --stdin <bench.pack >/dev/null && rm bench.pack)
	commit=$(cd "$dir" && GIT_AUTHOR_NAME=a GIT_AUTHOR_EMAIL=a@x GIT_COMMITTER_NAME=a \
		GIT_COMMITTER_EMAIL=a@x git commit-tree "$tree" -m wide)
	git -C "$dir" update-ref refs/heads/main "$commit"
}

# best CMD...: the best wall time in seconds over $runs runs
best() {
	local b="" i s e t
	for ((i = 0; i < runs; i++)); do
		s=$(date +%s.%N)
		"$@" >/dev/null
		e=$(date +%s.%N)
		t=$(awk -v s="$s" -v e="$e" 'BEGIN{printf "%.3f", e - s}')
		if [ -z "$b" ] || awk -v a="$t" -v b="$b" 'BEGIN{exit !(a < b)}'; then b=$t; fi
	done
	echo "$b"
}

printf '| directories | entries | probe, Power Platform tree (s) | probe, plain tree (s) | git ls-tree -r (s) | PP / plain | PP / git | PP time / previous size |\n'
printf '|---:|---:|---:|---:|---:|---:|---:|---:|\n'
prev=""
for n in $sizes; do
	make_repo pp "$n"
	make_repo plain "$n"
	entries=$(git -C "$work/pp-$n" ls-tree -r -t HEAD | wc -l)
	tp=$(best "$work/probe_driver" --since all "$work/pp-$n")
	tl=$(best "$work/probe_driver" --since all "$work/plain-$n")
	tg=$(best git -C "$work/pp-$n" ls-tree -r HEAD)
	growth=$( [ -n "$prev" ] && awk -v a="$tp" -v b="$prev" 'BEGIN{printf "%.2f", a / b}' || echo "-")
	awk -v n="$n" -v en="$entries" -v tp="$tp" -v tl="$tl" -v tg="$tg" -v gr="$growth" \
		'BEGIN{printf "| %d | %d | %.2f | %.2f | %.2f | %.2f | %.2f | %s |\n", n, en, tp, tl, tg, tp / tl, tp / tg, gr}'
	prev=$tp
	rm -rf "$work/pp-$n" "$work/plain-$n"
done
