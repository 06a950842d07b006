#!/usr/bin/env bash
# assess inside pipelines: Azure Pipelines (TF_BUILD=True) gets a warning per
# gap and the Markdown report as the run's summary, on stderr so stdout stays
# the report; GitHub Actions gets the Markdown appended to $GITHUB_STEP_SUMMARY;
# nothing of this without those variables.
. "$(dirname "$0")/lib.bash"

answers="$SAMPLES/answers/alm-accelerator-after-prerequisites.json"
run "reference" assess --no-repo --answers "$answers" --format json
cp "$OUT" "$WORK/ref.json"
ngaps=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["gaps"]))' "$WORK/ref.json")
title=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["title"])' "$WORK/ref.json")

# Azure Pipelines, with the agent's temporary directory.
mkdir -p "$WORK/agent"
TF_BUILD=True AGENT_TEMPDIRECTORY="$WORK/agent" run "azure pipelines" assess --no-repo --answers "$answers" --format json
expect_exit 0
check "cmp -s '$OUT' '$WORK/ref.json'"   # stdout is the report, and only the report
check "[ \$(grep -c '^##vso\[task.logissue type=warning;code=' '$ERR') -eq $ngaps ]"
check "python3 -c '
import json, sys
r = json.load(open(sys.argv[1])); err = open(sys.argv[2]).read().splitlines()
issues = [l for l in err if l.startswith(\"##vso[task.logissue\")]
for line, gap in zip(issues, r[\"gaps\"]):
    assert line == \"##vso[task.logissue type=warning;code=%s]%s Action: %s\" % (gap[\"part\"], gap[\"text\"], gap[\"action\"]), line
' '$WORK/ref.json' '$ERR'"
summary=$(sed -n 's/^##vso\[task.uploadsummary\]//p' "$ERR")
check "[ -n '$summary' ] && [ \"\$(dirname '$summary')\" = '$WORK/agent' ]"
check "[ -f '$summary' ] && head -1 '$summary' | grep -qF '# $title'"
check "[ \$(grep -c '^| [0-9]* | Quick start' '$summary') -eq $ngaps ]"

# Without the agent's directory the summary goes to TMPDIR.
mkdir -p "$WORK/tmp"
TF_BUILD=True TMPDIR="$WORK/tmp" run "azure pipelines, TMPDIR" assess --no-repo --answers "$answers" -o "$WORK/r.txt"
expect_exit 0
expect_stdout_empty
check "ls '$WORK/tmp'/alm-advisor-summary-*.md >/dev/null 2>&1"
expect_stderr_has "##vso[task.uploadsummary]$WORK/tmp/alm-advisor-summary-"

# Logging commands stay one line: '%', CR and LF in a message are coded, and
# ';' and ']' are coded in a property.
python3 - "$ALM_SOURCE_DIR/rules/default.json" "$WORK/rules.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for q in d["questions"]:
    for p in q["parts"]:
        if p["id"] == "prerequisites.azure_devops":
            p["action"] = "Be 100% ready;\nnext] line \u001b[31mred\u0007 \u009b2J"
json.dump(d, open(sys.argv[2], "w"))
PY
TF_BUILD=True AGENT_TEMPDIRECTORY="$WORK/agent" run "azure escaping" assess --no-repo --answers "$answers" --rules "$WORK/rules.json" --format json
expect_exit 0
expect_stderr_has "Action: Be 100%AZP25 ready;%0Anext] line \\e[31mred\\x07 \\u009b2J"
check "! grep -q '^next\]' '$ERR'"
check "! LC_ALL=C grep -q \$'[\\x1b\\x07]' '$ERR'"   # the log viewer would run them

# A gate still fails the step, after the summary is out.
TF_BUILD=True AGENT_TEMPDIRECTORY="$WORK/agent" run "azure gate" assess --no-repo --answers "$answers" --fail-unless alm-accelerator
expect_exit 1
expect_stderr_has "##vso[task.uploadsummary]"
expect_stderr_has "gate not met"

# GitHub Actions: the Markdown report appended to the step summary.
printf '# Earlier step\n\nkept\n' > "$WORK/step-summary.md"
GITHUB_STEP_SUMMARY="$WORK/step-summary.md" run "github actions" assess --no-repo --answers "$answers" --format sarif
expect_exit 0
check "python3 -c 'import json,sys; json.load(open(sys.argv[1]))' '$OUT'"
check "[ ! -s '$ERR' ]"
check "head -3 '$WORK/step-summary.md' | grep -q '^kept$'"
check "grep -qxF '# $title' '$WORK/step-summary.md'"
check "[ \$(grep -c '^| [0-9]* | Quick start' '$WORK/step-summary.md') -eq $ngaps ]"
check "grep -q '^\`\`\`mermaid$' '$WORK/step-summary.md'"
GITHUB_STEP_SUMMARY="$WORK/step-summary.md" run "github actions twice" assess --no-repo --answers "$answers" --format json
check "[ \$(grep -cxF '# $title' '$WORK/step-summary.md') -eq 2 ]"
GITHUB_STEP_SUMMARY="$WORK/no/such/dir/summary.md" run "github summary unwritable" assess --no-repo --answers "$answers" --format json
expect_exit 0
expect_stderr_has "step summary not written"

# Neither: nothing on stderr, no summary file.
mkdir -p "$WORK/quiet"
TMPDIR="$WORK/quiet" AGENT_TEMPDIRECTORY="$WORK/quiet" run "no pipeline" assess --no-repo --answers "$answers" --format json
expect_exit 0
check "[ ! -s '$ERR' ]"
check "[ -z \"\$(ls -A '$WORK/quiet')\" ]"
TF_BUILD=False TMPDIR="$WORK/quiet" run "TF_BUILD not True" assess --no-repo --answers "$answers" --format json
check "[ ! -s '$ERR' ]"

finish
