#!/usr/bin/env bash
# What -o replaces and what it must not: a regular file is replaced atomically
# keeping its mode; a symbolic link's target is written, the link kept; a
# device or FIFO is written through; a file with other hard links, a
# directory, and an output that is also an input are refused. Temporaries are
# short hidden names (or none), and one left by a killed run is cleaned up.
. "$(dirname "$0")/lib.bash"
ANSWERS="$SAMPLES/answers/makers-path.json"
tmp_left() { find "$WORK" -name '.alm-advisor-*.tmp' -o -name '*.tmp[A-Za-z0-9]*' | grep -q .; }
assess_to() { run "$1" assess --no-repo --answers "$ANSWERS" --format json -o "$2"; }
is_report() { python3 -c 'import json,sys; sys.exit(0 if json.load(open(sys.argv[1]))["schema"] == "alm-advisor/report@1" else 1)' "$1" 2>/dev/null; }

# ---- regular files: replaced, mode kept ------------------------------------
echo old > "$WORK/r640.json"; chmod 640 "$WORK/r640.json"
assess_to "output: a regular file keeps its mode (640)" "$WORK/r640.json"
expect_exit 0
check "is_report '$WORK/r640.json'"
check "[ \$(stat -c %a '$WORK/r640.json') = 640 ]"
echo old > "$WORK/r604.json"; chmod 604 "$WORK/r604.json"
assess_to "output: a regular file keeps its mode (604)" "$WORK/r604.json"
check "[ \$(stat -c %a '$WORK/r604.json') = 604 ]"
name="output: a new file follows the umask"
CODE=0
(umask 027; exec ${ALM_WRAP:-} "$ALM_BIN" assess --no-repo --answers "$ANSWERS" -o "$WORK/new.txt") >"$OUT" 2>"$ERR" </dev/null || CODE=$?
expect_exit 0
check "[ \$(stat -c %a '$WORK/new.txt') = 640 ]"
check "! tmp_left"

# ---- symbolic links: the target is written, the link stays -----------------
echo old > "$WORK/target.json"; chmod 600 "$WORK/target.json"
ln -s target.json "$WORK/link.json"
assess_to "output: a symlink's target is updated" "$WORK/link.json"
expect_exit 0
check "[ -L '$WORK/link.json' ] && [ \"\$(readlink '$WORK/link.json')\" = target.json ]"
check "is_report '$WORK/target.json'"
check "[ \$(stat -c %a '$WORK/target.json') = 600 ]"
mkdir -p "$WORK/real"
ln -s link.json "$WORK/link2.json"   # a chain: link2 -> link -> target
ln -s "$WORK/real" "$WORK/dirlink"   # and a linked directory on the way
echo old > "$WORK/real/deep.json"
ln -s ../link2.json "$WORK/real/chain.json"
assess_to "output: a chain of symlinks through a linked directory" "$WORK/dirlink/chain.json"
expect_exit 0
check "[ -L '$WORK/link2.json' ] && [ -L '$WORK/real/chain.json' ] && is_report '$WORK/target.json'"
ln -s created.json "$WORK/dangling.json"
assess_to "output: a dangling symlink creates its target" "$WORK/dangling.json"
expect_exit 0
check "[ -L '$WORK/dangling.json' ] && is_report '$WORK/created.json'"
check "! tmp_left"

# ---- devices and FIFOs: written through, never replaced --------------------
if mknod "$WORK/null" c 1 3 2>/dev/null; then
  assess_to "output: a character device is written through" "$WORK/null"
  expect_exit 0
  check "[ -c '$WORK/null' ]"
  check "[ ! -s '$WORK/null' ]"
  run "output: a character device, text format" assess --no-repo --answers "$ANSWERS" -o "$WORK/null"
  expect_exit 0
  check "[ -c '$WORK/null' ]"
else
  name="output: a character device is written through"; ok   # not root: no mknod
fi
mkfifo "$WORK/fifo"
timeout 20 cat "$WORK/fifo" > "$WORK/from-fifo" &   # bounded: a regression must not hang
reader=$!
assess_to "output: a FIFO is written through" "$WORK/fifo"
wait "$reader"
expect_exit 0
check "[ -p '$WORK/fifo' ]"
check "is_report '$WORK/from-fifo'"
# /proc/self/fd/1 rather than /dev/stdout: were this ever broken again, a
# rename over /proc fails, where one over /dev/stdout would break the machine.
name="output: standard output named as a file (a pipe)"
CODE=0
${ALM_WRAP:-} "$ALM_BIN" assess --no-repo --answers "$ANSWERS" --format json -o /proc/self/fd/1 </dev/null 2>"$ERR" | cat >"$OUT" || CODE=$?
expect_exit 0
check "is_report '$OUT'"
mkdir -p "$WORK/adir"
assess_to "output: a directory is refused" "$WORK/adir"
expect_exit 5
expect_stderr_has "adir: is a directory"

# ---- hard links: refused, both names intact --------------------------------
echo linked > "$WORK/h1.json"
ln "$WORK/h1.json" "$WORK/h2.json"
assess_to "output: a file with another hard link is refused" "$WORK/h1.json"
expect_exit 5
expect_stderr_has "has 2 hard links"
check "[ \"\$(cat '$WORK/h2.json')\" = linked ] && [ \$(stat -c %h '$WORK/h1.json') = 2 ]"

# ---- an output that is also an input: refused (exit 2), naming both --------
cp "$ANSWERS" "$WORK/answers.json"
run "output: the same file as --answers" assess --no-repo --answers "$WORK/answers.json" -o "$WORK/answers.json"
expect_exit 2
expect_stderr_has "is the same file as --answers"
check "cmp -s '$ANSWERS' '$WORK/answers.json'"
ln -s answers.json "$WORK/answers-link.json"
run "output: a link to the --answers file" assess --no-repo --answers "$WORK/answers.json" -o "$WORK/answers-link.json"
expect_exit 2
check "cmp -s '$ANSWERS' '$WORK/answers.json'"
cp "$ALM_SOURCE_DIR/rules/default.json" "$WORK/rules.json"
run "output: the same file as --rules" assess --no-repo --answers "$ANSWERS" --rules "$WORK/rules.json" -o "$WORK/./rules.json"
expect_exit 2
expect_stderr_has "--rules"
check "cmp -s '$ALM_SOURCE_DIR/rules/default.json' '$WORK/rules.json'"
run "output: signals over its --answers" signals --no-repo --answers "$WORK/answers.json" -o "$WORK/answers.json"
expect_exit 2
echo '{"x": "answers.json"}' > "$WORK/map.json"
git init -q "$WORK/x"
run "output: scan over its --answers-map" scan "$WORK/x" --answers-map "$WORK/map.json" -o "$WORK/map.json"
expect_exit 2
expect_stderr_has "--answers-map"
check "[ \"\$(cat '$WORK/map.json')\" = '{\"x\": \"answers.json\"}' ]"
run "output: a scan portfolio" scan "$WORK/x" --format json -o "$WORK/p1.json"
expect_exit 0
cp "$WORK/p1.json" "$WORK/p1.saved"
run "output: merge over one of its inputs" merge "$WORK/p1.json" "$WORK/p1.json" --format json -o "$WORK/p1.json"
expect_exit 2
expect_stderr_has "the same file as the input"
check "cmp -s '$WORK/p1.json' '$WORK/p1.saved'"

# ---- names near NAME_MAX, and temporaries left by a killed run --------------
long=$(printf 'r%.0s' $(seq 250))
assess_to "output: a 250-character file name" "$WORK/$long"
expect_exit 0
check "is_report '$WORK/$long'"
long255=$(printf 'r%.0s' $(seq 255))
assess_to "output: a 255-character file name" "$WORK/$long255"
expect_exit 0
check "! tmp_left"
dead=$(sh -c 'echo $$')   # a process that has ended
mkdir -p "$WORK/out"
echo half > "$WORK/out/.alm-advisor-$dead-abc123.tmp"
echo live > "$WORK/out/.alm-advisor-$$-abc123.tmp"
echo other > "$WORK/out/.alm-advisor-notours.tmp"
assess_to "output: a stale temporary of a killed run is removed" "$WORK/out/report.json"
expect_exit 0
check "[ ! -e '$WORK/out/.alm-advisor-$dead-abc123.tmp' ]"
check "[ -e '$WORK/out/.alm-advisor-$$-abc123.tmp' ] && [ -e '$WORK/out/.alm-advisor-notours.tmp' ]"
rm -f "$WORK/out/".alm-advisor-*
# SIGKILL cannot be held: killed at any moment of a run that writes, it
# leaves the previous report or the new one whole. While it writes, its
# temporary has no name; only in the instant between naming it and the
# rename can a kill leave one, and the next write there removes it.
echo previous > "$WORK/killed.json"
for delay in 0 0.01 0.02 0.05 0.1; do
  ${ALM_WRAP:-} "$ALM_BIN" assess --no-repo --answers "$ANSWERS" --format html -o "$WORK/killed.json" >/dev/null 2>&1 </dev/null &
  pid=$!
  sleep "$delay"; kill -KILL "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
  name="output: SIGKILL after ${delay}s"
  check "[ \"\$(cat '$WORK/killed.json')\" = previous ] || grep -q '</html>' '$WORK/killed.json'"
  check "[ \$(find '$WORK' -name '.alm-advisor-*.tmp' | wc -l) -le 1 ] && ! find '$WORK' -name '*.tmp[A-Za-z0-9]*' | grep -q ."
done
assess_to "output: the next write removes what a kill left" "$WORK/killed.json"
expect_exit 0
check "! tmp_left"

# ---- questions --init never replaces anything, a link included ---------------
ln -s nowhere.json "$WORK/init-link.json"
run "output: questions --init onto a dangling link" questions --init "$WORK/init-link.json"
expect_exit 5
expect_stderr_has "already exists"
check "[ ! -e '$WORK/nowhere.json' ]"
run "output: questions --init, a new file" questions --init "$WORK/init.json"
expect_exit 0
check "[ -s '$WORK/init.json' ] && ! tmp_left"

finish
