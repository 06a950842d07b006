#!/usr/bin/env bash
# Portfolio scan benchmark: REPOS generated repositories of COMMITS commits each
# (defaults 200 and 5000), built with git fast-import. Measures, in one run:
#   - the sum of single `assess` runs, one after another (the reference);
#   - `scan -j 1` and `scan -j 2`.
# Prints wall times and the ratios scan -j1 / sum, and scan -j1 / scan -j2.
# Usage: tests/bench/scan_bench.sh [BUILD_DIR] [REPOS] [COMMITS]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../../build}
repos=${2:-200}
commits=${3:-5000}
bin="$build/alm-advisor"
[ -x "$bin" ] || { echo "scan_bench.sh: build first ($bin)" >&2; exit 2; }
work=${BENCH_DIR:-$(mktemp -d)}
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1

# A fast-import stream: a main line with feature branches merged every 10th
# commit through an Azure DevOps-style pull request.
gen() {
  python3 - "$1" <<'PY'
import sys, time
n = int(sys.argv[1]); t = int(time.time()) - n * 60
out = sys.stdout.buffer
mark = 0; main = None; pr = 0
def commit(branch, msg, parents, content):
    global mark, t
    mark += 1; t += 60
    data = msg.encode()
    out.write(b"commit refs/heads/%s\nmark :%d\n" % (branch.encode(), mark))
    out.write(b"author Dev <dev%d@example.com> %d +0000\ncommitter Dev <dev@example.com> %d +0000\n" % (mark % 7, t, t))
    out.write(b"data %d\n%s\n" % (len(data), data))
    if parents:
        out.write(b"from :%d\n" % parents[0])
        for p in parents[1:]:
            out.write(b"merge :%d\n" % p)
    out.write(b"M 644 inline src/file%d.txt\ndata %d\n%s\n" % (mark % 50, len(content), content))
    return mark
i = 0
while i < n:
    if main is not None and i % 10 == 9:
        f = commit("feature", "Change %d" % i, [main], b"feature %d" % i); i += 1
        pr += 1
        main = commit("main", "Merged PR %d: Change %d" % (pr, i), [main, f], b"merge %d" % i); i += 1
    else:
        main = commit("main", "Commit %d" % i, [main] if main else [], b"line %d" % i); i += 1
PY
}

if [ ! -d "$work/repos/r$((repos - 1))" ]; then
  echo "generating $repos repositories of $commits commits in $work/repos ..." >&2
  mkdir -p "$work/repos"
  for i in $(seq 0 $((repos - 1))); do
    r="$work/repos/r$i"
    git init -q -b main "$r"
    gen "$commits" | git -C "$r" fast-import --quiet
    git -C "$r" checkout -q main 2>/dev/null || true
  done
fi

now() { date +%s.%N; }
t0=$(now)
for r in "$work"/repos/r*; do "$bin" assess "$r" --since all --format json >/dev/null; done
t1=$(now)
"$bin" scan --under "$work/repos" --since all -j 1 --format json -o "$work/j1.json"
t2=$(now)
"$bin" scan --under "$work/repos" --since all -j 2 --format json -o "$work/j2.json"
t3=$(now)
cmp -s "$work/j1.json" "$work/j2.json" || echo "warning: -j 1 and -j 2 portfolios differ" >&2
python3 - "$t0" "$t1" "$t2" "$t3" "$repos" "$commits" <<'PY'
import sys
t0, t1, t2, t3 = map(float, sys.argv[1:5]); repos, commits = sys.argv[5:7]
single, j1, j2 = t1 - t0, t2 - t1, t3 - t2
print(f"repositories: {repos} x {commits} commits")
print(f"sum of single assess runs: {single:.2f} s")
print(f"scan -j 1:                 {j1:.2f} s   (ratio to the sum: {j1 / single:.2f}; goal <= 1.1)")
print(f"scan -j 2:                 {j2:.2f} s   (speed-up from the second core: {j1 / j2:.2f}x; goal >= 1.8)")
PY
