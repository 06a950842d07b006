#!/usr/bin/env bash
# Hostile names through every renderer: answers files and repositories named
# with markup (<script>, <img onerror>, a Markdown link to javascript:, pipes
# and newlines), terminal escape sequences (ESC[31m, OSC title and hyperlink),
# bytes that are not UTF-8 and spreadsheet formulas. Each output is checked by
# tests/output_check.py: it parses (JSON back with json, HTML with html.parser,
# against the page made from harmless names), stays UTF-8 and carries none of
# it as markup, formula or control sequence.
. "$(dirname "$0")/lib.bash"

checker="$ALM_SOURCE_DIR/tests/output_check.py"
hostile=(
  '<script>alert(1)</script>'
  '<img src=x onerror=alert(1)>'
  '[x](javascript:alert(1))'
  $'pipe|cell\nnew line'
  $'\e[31mred\e[0m'
  $'\e]0;owned\a\e]8;;http:x\e\\link'
  $'bad\xff\xfeutf8\xc3('
  '=HYPERLINK("x","y")'
  '+1+2'
  '-3+4'
  '@SUM(1)'
)

# check_out FORMAT [BASELINE]: the last run's stdout passes the checker.
check_out() {
  local fmt=$1 base=${2:-}
  local why
  if why=$(python3 "$checker" "$fmt" "$OUT" $base 2>&1); then ok; else bad "$why"; fi
}

# ---- assess: the answers file's name is quoted in the evidence ----
mkdir -p "$WORK/plain" "$WORK/answers"
cp "$SAMPLES/answers/sample-team.json" "$WORK/plain/team.json"
for fmt in html; do
  run "assess baseline $fmt" assess --no-repo --answers "$WORK/plain/team.json" --format "$fmt"
  cp "$OUT" "$WORK/baseline.$fmt"
done
i=0
for name in "${hostile[@]}"; do
  i=$((i + 1))
  file="$WORK/answers/$i$name.json"
  cp "$SAMPLES/answers/sample-team.json" "$file" 2>/dev/null || continue
  for fmt in text json markdown html sarif dot mermaid; do
    run "assess $fmt, answers named $(printf %q "$name")" assess --no-repo --answers "$file" --format "$fmt"
    expect_exit 0
    if [ "$fmt" = html ]; then check_out html "$WORK/baseline.html"; else check_out "$fmt"; fi
  done
done
run "text shows an escape sequence as \\e" assess --no-repo --answers "$WORK/answers/5${hostile[4]}.json"
expect_stdout_has '\e[31mred\e[0m'
run "json carries U+FFFD for bytes that are not UTF-8" assess --no-repo --answers "$WORK/answers/7${hostile[6]}.json" --format json
expect_json "any('bad\ufffd\ufffdutf8\ufffd(' in e.get('detail', '') for s in r['path'] for e in s.get('evidence', []))"
run "markdown escapes the image" assess --no-repo --answers "$WORK/answers/2${hostile[1]}.json" --format markdown
expect_stdout_has '\<img src=x onerror=alert(1)\>'

# ---- the portfolio: repositories named so ----
root="$WORK/org"
mkdir -p "$root"
make_repo() {
  git init -q "$1" && mkdir -p "$1/.alm-advisor" && cp "$SAMPLES/answers/sample-team.json" "$1/.alm-advisor/answers.json" &&
    git -C "$1" add -A && git -C "$1" -c user.name=t -c user.email=t@example.com commit -qm init
}
make_repo "$root/plain"
for fmt in html; do
  run "scan baseline $fmt" scan --under "$root" --since all --format "$fmt"
  cp "$OUT" "$WORK/scan-baseline.$fmt"
done
i=0
for name in "${hostile[@]}"; do
  i=$((i + 1))
  make_repo "$root/r$i$name" || bad "could not make a repository named $(printf %q "$name")"
done
for fmt in text json csv markdown html; do
  run "scan $fmt with hostile names" scan --under "$root" --since all --format "$fmt"
  expect_exit 0
  if [ "$fmt" = html ]; then check_out html "$WORK/scan-baseline.html"; else check_out "$fmt"; fi
done
run "scan json keeps every repository" scan --under "$root" --since all --format json
expect_json "r['repositories'] == ${#hostile[@]} + 1 and all(x['status'] == 'assessed' for x in r['rows'])"
expect_json "'r2<img src=x onerror=alert(1)>' in [x['name'] for x in r['rows']]"
expect_json "'r7bad\ufffd\ufffdutf8\ufffd(' in [x['name'] for x in r['rows']]"
run "scan csv neutralises formulas" scan --under "$root" --since all --format csv
check "python3 -c 'import csv,sys; names=[r[0] for r in csv.reader(open(sys.argv[1]))]; assert \"r8=HYPERLINK(\\\"x\\\",\\\"y\\\")\" in names, names' '$OUT'"
run "scan markdown escapes the link" scan --under "$root" --since all --format markdown
expect_stdout_has 'r3\[x\](javascript:alert(1))'
run "scan text shows the OSC sequence" scan --under "$root" --since all
expect_stdout_has 'r6\e]0;owned\x07'

# Messages name files as they are spelt, with their controls shown, not run.
run "an error naming a hostile file" assess --no-repo --answers "$WORK/answers/5${hostile[4]}.missing"
expect_exit 3
check "! grep -q \$'\\e' '$ERR'"
expect_stderr_has '\e[31mred\e[0m'
expect_stderr_lines 1

# A portfolio merged from a file keeps the same guarantees.
run "scan json to merge" scan --under "$root" --since all --format json -o "$WORK/all.json"
for fmt in text csv markdown html; do
  run "merge $fmt with hostile names" merge "$WORK/all.json" --format "$fmt"
  expect_exit 0
  if [ "$fmt" = html ]; then check_out html "$WORK/scan-baseline.html"; else check_out "$fmt"; fi
done

finish
