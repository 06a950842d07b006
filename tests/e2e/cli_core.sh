#!/usr/bin/env bash
# The binary end to end: verdicts from the sample answers, reports, exit codes,
# errors on stderr with nothing on stdout, gates, atomic output, rules and questions.
. "$(dirname "$0")/lib.bash"

for v in alm-accelerator alm-accelerator-after-prerequisites makers-path grow-maturity-first insufficient-information; do
  run "verdict $v" assess --no-repo --answers "$SAMPLES/answers/$v.json" --format json
  expect_exit 0
  expect_json "r['verdict'] == '$v' and r['schema'] == 'alm-advisor/report@1'"
  expect_json "any(n['id'] == 'alm-accelerator-deprecated' for n in r['notices'])"
  expect_json "not any(n['id'] == 'accelerator-in-use' for n in r['notices'])"
done

run "text report" assess --no-repo --answers "$SAMPLES/answers/alm-accelerator-after-prerequisites.json"
expect_exit 0
check "head -1 '$OUT' | grep -q '^Verdict: Adopt the ALM Accelerator for Power Platform once the prerequisites'"
expect_stdout_has "Path through the decision tree"
expect_stdout_has "Impact: High. SLA: initial response one hour, four hours, or next day"
expect_stdout_has "Action: Create an Azure DevOps organization"
expect_stdout_has "Microsoft has deprecated the ALM Accelerator"
check "! grep -q $'\033' '$OUT'"   # no colour off a terminal

run "fail-unless met" assess --no-repo --answers "$SAMPLES/answers/alm-accelerator.json" --fail-unless alm-accelerator,makers-path
expect_exit 0
run "fail-unless not met" assess --no-repo --answers "$SAMPLES/answers/makers-path.json" --fail-unless alm-accelerator --format json
expect_exit 1
expect_json "r['verdict'] == 'makers-path'"
expect_stderr_has "gate not met: the verdict is makers-path"
# A rules file names its own verdicts: one with an escape sequence in its id
# is spelt in the gate's message, never run.
"$ALM_BIN" rules dump | sed 's/"makers-path"/"makers\\u001b[2Jpath"/g' >"$WORK/odd-verdict.json"
run "fail-unless not met, a rules file's odd verdict" assess --no-repo --rules "$WORK/odd-verdict.json" --answers "$SAMPLES/answers/makers-path.json" --fail-unless alm-accelerator --format json
expect_exit 1
expect_stderr_has 'gate not met: the verdict is makers\e[2Jpath, not one of alm-accelerator'
check "! LC_ALL=C grep -q \$'\\x1b' '$ERR'"
run "fail-unless typo" assess --no-repo --answers "$SAMPLES/answers/makers-path.json" --fail-unless alm-acelerator
expect_exit 2
expect_stdout_empty
run "fail-unless empty" assess --no-repo --answers "$SAMPLES/answers/makers-path.json" --fail-unless ","
expect_exit 2
expect_stdout_empty
run "min-confidence nan" assess --no-repo --min-confidence nan
expect_exit 2
run "timeout nan" assess --no-repo --timeout nan
expect_exit 2
check "'$ALM_BIN' assess --help >/dev/full 2>/dev/null; [ \$? -eq 5 ]"
python3 - "$ALM_SOURCE_DIR/rules/default.json" "$WORK/quoted-ids.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for n in d["tree"]["nodes"]:
    for k in ("id", "yes", "no", "unknown"):
        if n.get(k) == "makers-path":
            n[k] = 'makers"path'
for v in d["verdicts"]:
    if v["id"] == "makers-path":
        v["id"] = 'makers"path'
json.dump(d, open(sys.argv[2], "w"))
PY
run "dot escapes ids" assess --no-repo --rules "$WORK/quoted-ids.json" --answers "$SAMPLES/answers/alm-accelerator.json" --format dot
expect_exit 0
expect_stdout_has '"impact-or-persona" -> "makers\"path" [label="no"'
run "min-confidence" assess --no-repo --answers "$SAMPLES/answers/insufficient-information.json" --min-confidence 0.9
expect_exit 1

run "bad answers" assess --no-repo --answers "$ALM_SOURCE_DIR/tests/e2e/fixtures/bad-answers.json"
expect_exit 3
expect_stdout_empty
expect_stderr_lines 1
expect_stderr_has "bad-answers.json: \$.impact: expected one of \"critical\", \"high\", \"non-critical\""
run "bad rules" assess --no-repo --rules "$ALM_SOURCE_DIR/tests/e2e/fixtures/bad-rules.json"
expect_exit 3
expect_stdout_empty
expect_stderr_lines 1
expect_stderr_has "bad-rules.json:4:"
run "missing answers" assess --no-repo --answers "$WORK/nope.json"
expect_exit 3
expect_stdout_empty
expect_stderr_has "nope.json: cannot open"
mkdir -p "$WORK/plain"
run "not a repository" assess "$WORK/plain"
expect_exit 3
expect_stdout_empty
expect_stderr_lines 1
expect_stderr_has "not a git repository"
run "usage: unknown option" assess --frobnicate
expect_exit 2
expect_stdout_empty
run "usage: bad format" assess --no-repo --format yaml
expect_exit 2
run "usage: bad since" signals --since yesterday
expect_exit 2
expect_stderr_has "--since 'yesterday'"
run "usage: no command"
expect_exit 2
run "usage: unknown command" frobnicate
expect_exit 2
run "help" assess --help
expect_exit 0
expect_stdout_has "--fail-unless VERDICTS"
run "version" --version
expect_exit 0
expect_stdout_has "alm-advisor "

# -o writes atomically: the report appears whole, and a failed run keeps the old one.
run "output file" assess --no-repo --answers "$SAMPLES/answers/makers-path.json" --format json -o "$WORK/report.json"
expect_exit 0
expect_stdout_empty
check "python3 -c 'import json,sys; assert json.load(open(sys.argv[1]))[\"verdict\"] == \"makers-path\"' '$WORK/report.json'"
cp "$WORK/report.json" "$WORK/before.json"
run "output kept on error" assess --no-repo --answers "$ALM_SOURCE_DIR/tests/e2e/fixtures/bad-answers.json" -o "$WORK/report.json"
expect_exit 3
check "cmp -s '$WORK/report.json' '$WORK/before.json'"
check "[ \$(ls '$WORK' | grep -c tmp) -eq 0 ]"
run "output to a missing directory" assess --no-repo --answers "$SAMPLES/answers/makers-path.json" -o "$WORK/no/such/dir/r.txt"
expect_exit 5
expect_stderr_has "no/such/dir/r.txt"

# rules
run "rules validate built-in" rules validate
expect_exit 0
run "rules validate file" rules validate "$ALM_SOURCE_DIR/rules/default.json"
expect_exit 0
run "rules validate broken" rules validate "$ALM_SOURCE_DIR/tests/e2e/fixtures/bad-rules.json"
expect_exit 3
expect_stderr_lines 1
run "rules dump" rules dump
expect_exit 0
check "cmp -s '$OUT' '$ALM_SOURCE_DIR/rules/default.json'"
run "rules graph mermaid" rules graph --format mermaid
expect_exit 0
expect_stdout_has "flowchart TD"
run "rules graph dot" rules graph
expect_stdout_has "digraph"
run "rules eval" rules eval '{"if": [{"<": [{"var": "a"}, 3]}, "small", "large"]}' '{"a": 2}'
expect_exit 0
check "[ \"\$(cat '$OUT')\" = '\"small\"' ]"
echo '{"cat": ["x", {"var": "n"}]}' > "$WORK/logic.json"
run "rules eval @file" rules eval "@$WORK/logic.json" '{"n": 1}'
check "[ \"\$(cat '$OUT')\" = '\"x1\"' ]"
run "rules eval unknown operator" rules eval '{"nope": [1]}' '{}'
expect_exit 3
expect_stdout_empty
expect_stderr_has "nope"
run "rules eval bad json" rules eval '{"==": [1,' '{}'
expect_exit 3
expect_stdout_empty

# questions
run "questions list" questions
expect_exit 0
expect_stdout_has "12. Support"
expect_stdout_has "answers key: prerequisites.licenses.power_apps_premium"
# A rules file's question texts are shown, never run: ESC, BEL and C1 in a
# question's and a part's text come out spelt.
"$ALM_BIN" rules dump >"$WORK/rules.json"
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); q=d['questions'][0]; q['text']='clears \\u001b]0;title\\u0007 the \\u009b31m screen'; q['parts'][0]['text']='part \\u001b[2J'; json.dump(d,open(sys.argv[1],'w'))" "$WORK/rules.json"
run "questions list: control characters in a rules file's texts" questions --rules "$WORK/rules.json"
expect_exit 0
check "! LC_ALL=C grep -q \$'[\\x1b\\x07]' '$OUT'"
check "! LC_ALL=C grep -q \$'\\xc2\\x9b' '$OUT'"
expect_stdout_has 'clears \e]0;title\x07 the \u009b31m screen'
expect_stdout_has '- part \e[2J'
run "questions init" questions --init "$WORK/answers.json"
expect_exit 0
check "grep -q '\"impact\": null' '$WORK/answers.json'"
run "questions init again refuses" questions --init "$WORK/answers.json"
expect_exit 5
expect_stderr_has "already exists"
run "template is valid answers" assess --no-repo --answers "$WORK/answers.json" --format json
expect_exit 0
expect_json "r['verdict'] == 'insufficient-information'"
run "interactive refuses without a terminal" questions --interactive -o "$WORK/x.json" --no-repo
expect_exit 2
expect_stderr_has "questions --init"
check "[ ! -e '$WORK/x.json' ]"

finish
