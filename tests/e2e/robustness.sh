#!/usr/bin/env bash
# Bad input of every kind, end to end: hostile rules and logic, wrong answers,
# repository pathologies, Azure DevOps out of reach, outputs that cannot be
# written, interrupted runs, and the token, which must appear nowhere.
# tests/ROBUSTNESS.md lists each case with what the tool does; the names of
# the `run` calls below are the names it uses.
. "$(dirname "$0")/lib.bash"
export GIT_AUTHOR_NAME=a GIT_AUTHOR_EMAIL=a@example.com GIT_COMMITTER_NAME=a GIT_COMMITTER_EMAIL=a@example.com
export GIT_AUTHOR_DATE="@$(($(date +%s) - 86400)) +0000" GIT_COMMITTER_DATE="@$(($(date +%s) - 86400)) +0000"
ANSWERS="$SAMPLES/answers/makers-path.json"
tmp_left() { find "$WORK" -name '*.tmp*' | grep -q .; }
# rules_with PYTHON: the default rules changed by PYTHON (over `r`), in $WORK/rules.json.
rules_with() {
  python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); exec(sys.argv[2]); json.dump(r, open(sys.argv[3], "w"))' \
    "$ALM_SOURCE_DIR/rules/default.json" "$1" "$WORK/rules.json"
}

# ---- rules -------------------------------------------------------------
rules_with 'd=[n for n in r["tree"]["nodes"] if n["kind"] == "decision"][0]; d["yes"] = d["id"]'
run "rules: cycle" rules validate "$WORK/rules.json"
expect_exit 3
expect_stderr_has "the tree has a cycle through"
expect_stderr_lines 1
rules_with 'r["questions"][0]["parts"][0]["condition"] = {"frobnicate": [1]}'
run "rules: unknown operator" assess --no-repo --answers "$ANSWERS" --rules "$WORK/rules.json"
expect_exit 3
expect_stdout_empty
expect_stderr_has 'unknown operator "frobnicate"'
expect_stderr_has '$.questions[0].parts[0].condition'
rules_with '
c = True
for i in range(300): c = {"!": [c]}
r["questions"][0]["parts"][0]["condition"] = c'
run "rules: depth bomb in a condition" rules validate "$WORK/rules.json"
expect_exit 3
expect_stderr_has "nested deeper than 256 levels (ALM_JSONLOGIC_MAX_DEPTH)"
python3 -c 'print("[" * 100000 + "]" * 100000)' > "$WORK/deep.json"
run "rules: JSON nested 100000 deep" rules validate "$WORK/deep.json"
expect_exit 3
expect_stderr_has "nested deeper than 1000 arrays and objects"
run "answers: JSON nested 100000 deep" assess --no-repo --answers "$WORK/deep.json"
expect_exit 3
expect_stderr_has "nested deeper than 1000 arrays and objects"
rules_with '
import copy
for i in range(1001):
    q = copy.deepcopy(r["questions"][0]); q["id"] = "q%d" % i
    for j, p in enumerate(q["parts"]): p["id"] = "q%d.%d" % (i, j)
    r["questions"].append(q)'
run "rules: too many questions" rules validate "$WORK/rules.json"
expect_exit 3
expect_stderr_has "\$.questions: more than 1000 entries (ALM_RULES_MAX_ITEMS)"
# Conditions that pass every check but fail on the data: too much work.
python3 -c 'import json; print(json.dumps({"prerequisites": {"environments": ["e%d" % i for i in range(2000)]}}))' \
  > "$WORK/envs.json"
heavy='{"map": [{"var": "answers.prerequisites.environments"}, {"map": [list(range(1000)), {"var": ""}]}]}'
rules_with "
for q in r['questions']:
    for p in q['parts']:
        if p['id'] == 'maturity.level_300':
            p['needs'] = ['answers.prerequisites.environments']; p['condition'] = $heavy"
run "rules: a condition too slow for the data" assess --no-repo --answers "$WORK/envs.json" --rules "$WORK/rules.json"
expect_exit 3
expect_stdout_empty
expect_stderr_lines 1
expect_stderr_has 'rules: question part "maturity.level_300": evaluation exceeded 1000000 steps'
rules_with "r['notices'][0]['when'] = $heavy"
run "rules: a notice too slow for the data" assess --no-repo --answers "$WORK/envs.json" --rules "$WORK/rules.json"
expect_exit 3
expect_stderr_has "rules: notice \""
expect_stderr_has "evaluation exceeded 1000000 steps"
rules_with 'r["tree"]["nodes"][0]["yes"] = "nowhere"'
run "rules: branch to a missing node" rules validate "$WORK/rules.json"
expect_exit 3
expect_stderr_has '"nowhere", which is not a node'
: > "$WORK/empty.json"
run "rules: empty file" rules validate "$WORK/empty.json"
expect_exit 3
expect_stderr_has "empty.json:1:1: unexpected end of input"
printf '{"version": 1,\0}' > "$WORK/nul.json"
run "rules: NUL byte" rules validate "$WORK/nul.json"
expect_exit 3
expect_stderr_has "contains a NUL byte"
run "rules: a directory" assess --no-repo --answers "$ANSWERS" --rules "$WORK"
expect_exit 3
expect_stdout_empty
expect_stderr_lines 1
run "rules: missing file" assess --no-repo --answers "$ANSWERS" --rules "$WORK/no-rules.json"
expect_exit 3
expect_stderr_has "no-rules.json: cannot open"
truncate -s 65M "$WORK/huge.json"
run "rules: larger than 64 MiB" rules validate "$WORK/huge.json"
expect_exit 3
expect_stderr_has "larger than the limit of 67108864 bytes"
rm -f "$WORK/huge.json"

# ---- JsonLogic limits (rules eval) ---------------------------------------
python3 -c 'import json; print(json.dumps({"a": list(range(2000000))}))' > "$WORK/long.json"
run "logic: reduce over 2,000,000 items" rules eval '{"reduce": [{"var": "a"}, {"+": [{"var": "current"}, {"var": "accumulator"}]}, 0]}' "@$WORK/long.json"
expect_exit 3
expect_stdout_empty
expect_stderr_has "exceeded 1000000 steps (ALM_JSONLOGIC_MAX_STEPS)"
run "logic: map over 2,000,000 items" rules eval '{"map": [{"var": "a"}, {"*": [{"var": ""}, 2]}]}' "@$WORK/long.json"
expect_exit 3
expect_stderr_has "ALM_JSONLOGIC_MAX_STEPS"
python3 -c 'print("{\"s\": \"" + "x" * 9000000 + "\"}")' > "$WORK/string.json"
run "logic: a string beyond 16 MiB" rules eval '{"cat": [{"var": "s"}, {"var": "s"}]}' "@$WORK/string.json"
expect_exit 3
expect_stderr_has "ALM_JSONLOGIC_MAX_STRING"
rm -f "$WORK/long.json" "$WORK/string.json"

# ---- answers -------------------------------------------------------------
bad_answers() { # NAME TEXT EXPECTED-IN-STDERR
  printf '%s' "$2" > "$WORK/answers.json"
  run "answers: $1" assess --no-repo --answers "$WORK/answers.json"
  expect_exit 3
  expect_stdout_empty
  expect_stderr_lines 1
  expect_stderr_has "$3"
}
bad_answers "not JSON" '{"impact": high}' "answers.json:1:12: invalid JSON"
bad_answers "a list" '["high"]' '$: expected an object of answers'
bad_answers "unknown key" '{"impactt": "high"}' 'unknown key "impactt"'
bad_answers "wrong type" '{"compliance": "yes"}' '$.compliance: expected a boolean, found string'
bad_answers "number out of range" '{"maturity": {"current": 250}}' '$.maturity.current'
bad_answers "duplicate list item" '{"creators": ["maker", "developer", "maker"]}' '$.creators[2]: appears more than once'
bad_answers "unterminated comment" '{"impact": /* note "high"}' "unexpected end of input"
bad_answers "truncated" '{"impact": "hi' "unexpected end of input"
run "answers: a directory" assess --no-repo --answers "$WORK"
expect_exit 3
expect_stderr_has "a directory, not a regular file"

# ---- repositories --------------------------------------------------------
git init -q -b main "$WORK/repo"
(cd "$WORK/repo" && for i in 1 2 3 4 5; do echo "$i" > "f$i"; git add -A; git commit -qm "c$i"; done)

git init -q "$WORK/empty"
run "repo: empty" assess "$WORK/empty" --answers "$ANSWERS" --format json
expect_exit 0
expect_json "r['verdict'] == 'makers-path'"
git clone -q --depth 2 "file://$WORK/repo" "$WORK/shallow"
run "repo: shallow" signals "$WORK/shallow"
expect_exit 0
expect_json "r['probes']['repo']['status'] == 'degraded' and 'shallow' in r['probes']['repo']['detail']"
git clone -q --bare "$WORK/repo" "$WORK/bare.git"
run "repo: bare" signals "$WORK/bare.git" --since all
expect_exit 0
expect_json "r['facts']['repo']['commits'] == 5"
# Pipelines that expand without end: an alias inside the node it names, and
# nesting past the bound. Each is read up to the bound, the step above the
# cut is found, and the probe says it read only part of them.
git init -q -b main "$WORK/yamlcycle"
printf 'trigger: none\nsteps: &s\n- task: PowerPlatformImportSolution@2\n  inputs: {Environment: production}\n- *s\n' \
  >"$WORK/yamlcycle/azure-pipelines.yml"
python3 -c 'print("jobs:\n- job: deep\n  steps:\n  - task: PowerPlatformExportSolution@2"); print("".join("%*sk%d:\n" % (2 * i + 2, "", i) for i in range(200)))' \
  >"$WORK/yamlcycle/deep.yml"
git -C "$WORK/yamlcycle" add -A
git -C "$WORK/yamlcycle" -c user.name=T -c user.email=t@example.com commit -qm pipelines
run "repo: pipelines with an alias cycle and deep nesting" signals "$WORK/yamlcycle"
expect_exit 0
expect_json "r['probes']['repo']['status'] == 'degraded' and '2 pipeline file(s) at HEAD expand past 100000 nodes or nest deeper than 64 levels' in r['probes']['repo']['detail']"
expect_json "'production' in r['facts']['repo']['deployments']['environments'] and 'development' in r['facts']['repo']['deployments']['environments']"
cp -r "$WORK/repo" "$WORK/corrupt"
o=$(git -C "$WORK/corrupt" rev-parse HEAD~2)
chmod u+w "$WORK/corrupt/.git/objects/${o:0:2}/${o:2}" && printf garbage > "$WORK/corrupt/.git/objects/${o:0:2}/${o:2}"
run "repo: corrupt object" signals "$WORK/corrupt" --since all
expect_exit 0
expect_json "r['probes']['repo']['status'] == 'degraded' and 'could not be read' in r['probes']['repo']['detail']"
cp -r "$WORK/repo" "$WORK/missing"
o=$(git -C "$WORK/missing" rev-parse HEAD)
rm -f "$WORK/missing/.git/objects/${o:0:2}/${o:2}"
run "repo: missing object at HEAD" assess "$WORK/missing" --answers "$ANSWERS" --format json
expect_exit 0
expect_json "r['verdict'] == 'makers-path'"
git clone -q --bare "$WORK/repo" "$WORK/pack.git" && git -C "$WORK/pack.git" repack -qad
pack=$(ls "$WORK"/pack.git/objects/pack/*.pack)
python3 -c 'import sys; p=sys.argv[1]; b=bytearray(open(p,"rb").read()); b[len(b)//2:len(b)//2+64] = b"\xff"*64; open(p,"wb").write(b)' "$pack"
run "repo: corrupt pack" signals "$WORK/pack.git" --since all
expect_exit 0
expect_json "r['probes']['repo']['status'] in ('degraded', 'failed')"
mkdir -p "$WORK/half/.git" && echo "ref: refs/heads/main" > "$WORK/half/.git/HEAD"
run "repo: .git without objects" assess "$WORK/half" --answers "$ANSWERS"
expect_exit 3
expect_stdout_empty
expect_stderr_lines 1
ln -s loop "$WORK/loop"
run "repo: path is a symlink loop" assess "$WORK/loop"
expect_exit 3
expect_stderr_has "Too many levels of symbolic links"

# Symlink loops, a FIFO and a huge binary committed at HEAD (and in the work
# tree): the probe reads the tree of HEAD, bounded, never follows links.
git init -q -b main "$WORK/odd"
(
  cd "$WORK/odd"
  mkdir -p Pipelines CanvasApps .alm-advisor dir
  ln -s b a && ln -s a b && ln -s self self && ln -s .. dir/up && ln -s ../../.. dir/far
  ln -s answers.json .alm-advisor/answers.json   # the conventional answers: a loop
  head -c $((48 * 1024 * 1024)) /dev/urandom > CanvasApps/huge.msapp
  cp CanvasApps/huge.msapp Pipelines/huge.yml
  git add -A && git commit -qm odd
  mkfifo fifo
)
start=$(date +%s)
run "repo: symlink loops, FIFO, 48 MiB binaries at HEAD" assess "$WORK/odd" --format json
expect_exit 0
expect_json "r['verdict'] == 'insufficient-information' and r['probes']['repo']['status'] == 'ok'"
check "[ \$(( \$(date +%s) - start )) -lt 60 ]"
rm -rf "$WORK/odd"

# Another user's repository: git and libgit2 refuse to read it (only root can
# make one). Unreadable objects: as root, chmod binds only other users, so
# the probe runs as nobody there.
if [ "$(id -u)" -eq 0 ]; then
  cp -r "$WORK/repo" "$WORK/theirs" && chown -R 4242:4242 "$WORK/theirs"
  mkdir -p "$WORK/theirs/sub" && chown 4242:4242 "$WORK/theirs/sub"
  run "repo: another user's" assess "$WORK/theirs/sub" --answers "$ANSWERS"
  expect_exit 3
  expect_stdout_empty
  expect_stderr_has "owned by another user"
  expect_stderr_has "safe.directory $WORK/theirs'"
fi
cp -r "$WORK/repo" "$WORK/unreadable"
o=$(git -C "$WORK/unreadable" rev-parse HEAD~1)
chmod 000 "$WORK/unreadable/.git/objects/${o:0:2}/${o:2}"
chmod 000 "$WORK/unreadable/f1"
if [ "$(id -u)" -eq 0 ]; then
  chown -R nobody "$WORK/unreadable" && chmod 755 "$WORK"
  as_reader() { HOME="$WORK/unreadable" setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
else
  as_reader() { "$@"; }
fi
name="repo: unreadable object and file"
CODE=0
as_reader ${ALM_WRAP:-} "$ALM_BIN" signals "$WORK/unreadable" --since all >"$OUT" 2>"$ERR" </dev/null || CODE=$?
expect_exit 0
expect_json "r['probes']['repo']['status'] == 'degraded' and r['facts']['repo']['commits'] >= 1"

# ---- Azure DevOps out of reach (the faults themselves: tests/unit/test_ado_probe.c) ----
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
export AZURE_DEVOPS_EXT_PAT=robustness-token-0001
run "ado: closed port" assess --no-repo --answers "$ANSWERS" --ado "http://127.0.0.1:$port/org/project" --format json
expect_exit 0
expect_json "r['verdict'] == 'makers-path'"
expect_stderr_has "Azure DevOps evidence is missing"
run "ado: closed port, --strict" assess --no-repo --answers "$ANSWERS" --ado "http://127.0.0.1:$port/org/project" --strict
expect_exit 4
expect_stdout_empty
run "ado: plain http to a remote host" assess --no-repo --answers "$ANSWERS" --ado "http://dev.azure.example/org/project" --strict
expect_exit 3
expect_stderr_has "refusing plain http"
unset AZURE_DEVOPS_EXT_PAT

# ---- outputs that cannot be written ---------------------------------------
echo "previous report" > "$WORK/report.txt"
run "output: under a file" assess --no-repo --answers "$ANSWERS" -o /dev/null/report.txt
expect_exit 5
expect_stderr_has "/dev/null/report.txt"
run "output: under a regular file" assess --no-repo --answers "$ANSWERS" -o "$WORK/report.txt/x"
expect_exit 5
check "[ \"\$(cat '$WORK/report.txt')\" = 'previous report' ]"
# The write itself fails (the file-size limit: root is bound by it too).
name="output: write fails midway, previous report intact"
CODE=0
(ulimit -f 1; trap '' XFSZ; exec ${ALM_WRAP:-} "$ALM_BIN" assess --no-repo --answers "$ANSWERS" --format json -o "$WORK/report.txt") \
  >"$OUT" 2>"$ERR" </dev/null || CODE=$?
expect_exit 5
expect_stderr_has "write failed"
check "[ \"\$(cat '$WORK/report.txt')\" = 'previous report' ]"
check "! tmp_left"
name="output: standard output full"
CODE=0
${ALM_WRAP:-} "$ALM_BIN" assess --no-repo --answers "$ANSWERS" >/dev/full 2>"$ERR" </dev/null || CODE=$?
expect_exit 5
expect_stderr_has "cannot write to standard output"
run "output: questions --init over an existing file" questions --init "$WORK/report.txt"
expect_exit 5
check "[ \"\$(cat '$WORK/report.txt')\" = 'previous report' ]"

# ---- interrupted runs -------------------------------------------------------
# A scan long enough to be interrupted (16 repositories of 50,000 commits: a
# few seconds in a release build): SIGINT and SIGTERM mid-run leave neither a
# report nor a temporary file, and the previous report as it was.
git init -q --bare "$WORK/long.git"
python3 -c '
for i in range(1, 50001):   # each commit on the tip of main: no "from" needed
    msg = "Merged PR %d: change\n" % i
    print("commit refs/heads/main\ncommitter a <a@example.com> %d +0000\ndata %d\n%sM 644 inline f\ndata 2\n%d\n"
          % (1700000000 + i, len(msg), msg, i % 10), end="")
' | git -C "$WORK/long.git" fast-import --quiet
mkdir -p "$WORK/many"
for i in $(seq 1 16); do git clone -q --bare --local "$WORK/long.git" "$WORK/many/r$i.git"; done
for sig in INT TERM; do
  echo "previous portfolio" > "$WORK/portfolio.json"
  # A background job of a script starts with SIGINT ignored, and a test
  # runner may ignore SIGTERM: the scan gets the default of both. The launcher
  # says when it has (the marker file), since a signal before that would be
  # ignored, and whatever python3 is (a pyenv shim runs a shell and a second
  # program first), a process name cannot tell.
  rm -f "$WORK/launched"
  python3 -c 'import os, signal as s, sys; s.signal(s.SIGINT, s.SIG_DFL); s.signal(s.SIGTERM, s.SIG_DFL); open(sys.argv[1], "w").close(); os.execvp(sys.argv[2], sys.argv[2:])' \
    "$WORK/launched" ${ALM_WRAP:-} "$ALM_BIN" scan --under "$WORK/many" -j 1 --since all --format json -o "$WORK/portfolio.json" \
    >"$OUT" 2>"$ERR" </dev/null &
  pid=$!
  for _ in $(seq 200); do [ -e "$WORK/launched" ] && break; sleep 0.05; done
  # From here a signal ends the run, as python or as the scan; give the scan a
  # moment to be well under way.
  sleep 0.3
  name="interrupt: SIG$sig mid-scan"
  if kill -"$sig" "$pid" 2>/dev/null; then ok; else bad "the scan ended before the signal: make it longer"; fi
  CODE=0
  wait "$pid" || CODE=$?
  check "[ $CODE -eq $((128 + $(kill -l "$sig"))) ]"   # ended by the signal
  check "[ \"\$(cat '$WORK/portfolio.json')\" = 'previous portfolio' ]"
  check "! tmp_left"
done
rm -rf "$WORK/many" "$WORK/long.git"

# ---- the token ---------------------------------------------------------------
# Every mode and failure, with the token set: it must appear in no output, no
# log, no file the tool writes, neither as is nor base64-encoded as in a
# Basic authorization header.
token="pat-Zq7Xv2Lk9Rt4Wm8Ns3Hd"
export AZURE_DEVOPS_EXT_PAT=$token
forms=("$token" "$(printf ':%s' "$token" | base64 -w0)" "$(printf '%s' "$token" | base64 -w0)")
server_log="$WORK/ado-requests.log"
python3 "$ALM_SOURCE_DIR/tests/ado_server.py" --lifetime 120 --log "$server_log" >"$WORK/server.out" 2>/dev/null &
server=$!
for _ in $(seq 50); do [ -s "$WORK/server.out" ] && break; sleep 0.1; done
sport=$(head -1 "$WORK/server.out")
outs="$WORK/token-outputs"
mkdir -p "$outs"
n=0
leak_run() { # ARGS...: one run, its stdout, stderr and any -o file kept for the grep
  n=$((n + 1))
  CODE=0
  TF_BUILD=True GITHUB_STEP_SUMMARY="$outs/summary.md" ${ALM_WRAP:-} "$ALM_BIN" "$@" \
    >"$outs/$n.stdout" 2>"$outs/$n.stderr" </dev/null || CODE=$?
}
urls=("http://127.0.0.1:$port/org/project")
[ -n "$sport" ] && urls+=("http://127.0.0.1:$sport/contoso/ALM%20Project" \
  "http://127.0.0.1:$sport/fault/401/contoso/ALM%20Project" \
  "http://127.0.0.1:$sport/fault/echo/contoso/ALM%20Project" \
  "http://127.0.0.1:$sport/fault/html200/contoso/ALM%20Project" \
  "http://127.0.0.1:$sport/fault/redirect/contoso/ALM%20Project")
name="token: the local Azure DevOps stand-in started"
[ -n "$sport" ] && ok || bad "tests/ado_server.py did not start"
for url in "${urls[@]}"; do
  for fmt in text json; do
    leak_run assess "$WORK/repo" --answers "$ANSWERS" --ado "$url" --format "$fmt" -o "$outs/report-$n.$fmt"
    leak_run assess "$WORK/repo" --answers "$ANSWERS" --ado "$url" --format "$fmt" --strict
  done
  leak_run signals "$WORK/repo" --ado "$url" --since all
  leak_run signals "$WORK/repo" --ado "$url" --strict
done
leak_run scan "$WORK/repo" "$WORK/bare.git" --format json -o "$outs/portfolio.json"
leak_run assess --no-repo --answers "$WORK/answers.json"        # a failure of another kind
leak_run assess "$WORK/repo" --ado "https://dev.azure.com/org/project" --ca-file "$WORK/none.pem" --timeout 2
kill "$server" 2>/dev/null; wait "$server" 2>/dev/null
name="token: the runs ran"
[ "$n" -ge 10 ] && ok || bad "only $n runs"
for form in "${forms[@]}"; do
  name="token: '$form' in no output"
  if grep -rlF -- "$form" "$outs" "$WORK/repo" >"$WORK/leaks" 2>/dev/null; then bad "found in: $(tr '\n' ' ' <"$WORK/leaks")"; else ok; fi
done
# The stand-in did receive it, so the runs above did authenticate with it.
name="token: the server saw the token"
[ -z "$sport" ] || grep -qF "${forms[1]}" "$server_log" && ok || bad "no request carried the token"
unset AZURE_DEVOPS_EXT_PAT

finish
