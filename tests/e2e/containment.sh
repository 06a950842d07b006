#!/usr/bin/env bash
# Files read from a repository stay in the repository: a committed
# .alm-advisor/answers.json (or its directory) that links out of the work tree
# is refused and nothing of its target is quoted; a link inside is followed; a
# FIFO there is no answers file. Files named on the command line must be
# regular: a FIFO or a device is refused at once. Sizes are checked before
# anything is read, in the work tree and at HEAD.
. "$(dirname "$0")/lib.bash"
export GIT_AUTHOR_NAME=a GIT_AUTHOR_EMAIL=a@example.com GIT_COMMITTER_NAME=a GIT_COMMITTER_EMAIL=a@example.com
ANSWERS="$SAMPLES/answers/makers-path.json"
# bounded RUN-NAME ARGS...: `run` with a 20 s limit (a FIFO opened for reading
# would otherwise block for ever), and the peak memory of the run in $RSS_KB.
bounded() {
  name=$1; shift
  CODE=0
  python3 - "$OUT.rss" ${ALM_WRAP:-} "$ALM_BIN" "$@" >"$OUT" 2>"$ERR" </dev/null <<'EOF' || CODE=$?
import resource, subprocess, sys
try:
    rc = subprocess.run(sys.argv[2:], timeout=20).returncode
except subprocess.TimeoutExpired:
    rc = 124
open(sys.argv[1], "w").write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
sys.exit(rc)
EOF
  RSS_KB=$(cat "$OUT.rss")
}
outside="$WORK/outside"
mkdir -p "$outside"
printf 'SECRET-OUTSIDE-%s\nroot:x:0:0\n' "$$" > "$outside/passwd"
cp "$ANSWERS" "$outside/answers.json"
bare_with() { # DIR MODE: a bare repository whose HEAD has standard input at .alm-advisor/answers.json
  local blob tree top commit
  git init -q --bare "$1"
  blob=$(git -C "$1" hash-object -w --stdin)
  tree=$(printf '%s blob %s\tanswers.json\n' "$2" "$blob" | git -C "$1" mktree)
  top=$(printf '040000 tree %s\t.alm-advisor\n' "$tree" | git -C "$1" mktree)
  commit=$(git -C "$1" commit-tree "$top" -m answers)
  git -C "$1" update-ref refs/heads/main "$commit"
  git -C "$1" symbolic-ref HEAD refs/heads/main
}
repo_with() { # NAME: a fresh work tree with one commit
  rm -rf "$WORK/$1"; git init -q -b main "$WORK/$1"; mkdir -p "$WORK/$1/.alm-advisor"
  git -C "$WORK/$1" commit -q --allow-empty -m init
}

# ---- links out of the work tree: refused, never quoted ----------------------
repo_with out1
ln -s "$outside/passwd" "$WORK/out1/.alm-advisor/answers.json"
bounded "containment: answers linked to a file outside (absolute)" assess "$WORK/out1"
expect_exit 3
expect_stderr_has "a symbolic link leading out of the repository"
check "! grep -q SECRET-OUT '$ERR' '$OUT'"
repo_with out2
ln -s ../../outside/passwd "$WORK/out2/.alm-advisor/answers.json"
bounded "containment: answers linked to a file outside (relative ../..)" assess "$WORK/out2" --format json
expect_exit 3
check "! grep -q SECRET-OUT '$ERR' '$OUT'"
repo_with out3
ln -s "$outside/answers.json" "$WORK/out3/.alm-advisor/answers.json"
bounded "containment: valid answers outside are refused too" assess "$WORK/out3"
expect_exit 3
expect_stderr_has "leading out of the repository"
repo_with out4
rmdir "$WORK/out4/.alm-advisor"
ln -s "$outside" "$WORK/out4/.alm-advisor"
bounded "containment: a linked .alm-advisor directory" assess "$WORK/out4"
expect_exit 3
check "! grep -q SECRET-OUT '$ERR'"
bounded "containment: scan names the row failed" scan "$WORK/out1" --format json
check "! grep -q SECRET-OUT '$ERR' '$OUT'"
check "grep -q 'leading out of the repository' '$OUT' '$ERR'"

# ---- links inside, dangling links, loops and FIFOs ---------------------------
repo_with in1
mkdir -p "$WORK/in1/config"
cp "$ANSWERS" "$WORK/in1/config/answers.json"
ln -s ../config/answers.json "$WORK/in1/.alm-advisor/answers.json"
bounded "containment: a link inside the work tree is followed" assess "$WORK/in1" --format json
expect_exit 0
expect_json "r['verdict'] == 'makers-path'"
repo_with dangling
ln -s nowhere.json "$WORK/dangling/.alm-advisor/answers.json"
bounded "containment: a dangling link is no answers file" assess "$WORK/dangling"
expect_exit 0
repo_with fifo
mkfifo "$WORK/fifo/.alm-advisor/answers.json"
bounded "containment: a FIFO in the work tree is no answers file, and no hang" assess "$WORK/fifo"
expect_exit 0

# ---- files named on the command line: regular files only ---------------------
mkfifo "$WORK/named.fifo"
bounded "inputs: --answers a FIFO" assess --no-repo --answers "$WORK/named.fifo"
expect_exit 3
expect_stderr_has "named.fifo: a FIFO, not a regular file"
bounded "inputs: --rules a FIFO" assess --no-repo --answers "$ANSWERS" --rules "$WORK/named.fifo"
expect_exit 3
expect_stderr_has "a FIFO, not a regular file"
bounded "inputs: --rules a character device" rules validate /dev/zero
expect_exit 3
expect_stderr_has "/dev/zero: a character device, not a regular file"
bounded "inputs: rules eval @FIFO" rules eval '{"var": "a"}' "@$WORK/named.fifo"
expect_exit 3
expect_stderr_has "a FIFO"
bounded "inputs: merge a FIFO" merge "$WORK/named.fifo"
expect_exit 3
expect_stderr_has "a FIFO"
bounded "inputs: --answers-map a FIFO" scan "$WORK/in1" --answers-map "$WORK/named.fifo"
expect_exit 3
expect_stderr_has "a FIFO"

# ---- sizes before reading ----------------------------------------------------
# Reading either (up to the 64 MiB limit, or whole) would take that much
# memory; refused on the size, a run stays far below it (60 MB, room for ASan).
repo_with big
truncate -s 300M "$WORK/big/.alm-advisor/answers.json"
bounded "containment: a 300 MB answers file in the work tree" assess "$WORK/big"
expect_exit 3
expect_stderr_has "larger than the limit of 67108864 bytes"
check "[ $RSS_KB -lt 60000 ]"
head -c 300000000 /dev/zero | bare_with "$WORK/big.git" 100644
bounded "containment: a 300 MB answers blob at HEAD" assess "$WORK/big.git"
expect_exit 3
expect_stderr_has "larger than the limit of 67108864 bytes"
check "[ $RSS_KB -lt 60000 ]"
rm -rf "$WORK/big.git" "$WORK/big"
# A symbolic link committed as the answers file of a bare repository holds a
# path, not answers: absent, and its text is not quoted.
printf '/etc/passwd' | bare_with "$WORK/link.git" 120000
bounded "containment: a committed symlink at HEAD of a bare repository" assess "$WORK/link.git"
expect_exit 0
check "! grep -q /etc/passwd '$ERR' '$OUT'"

finish
