#!/usr/bin/env bash
# questions --interactive on a real terminal (tmux): it asks only what the
# evidence left open, in the tree's order, explains (?), goes back (<), skips
# (-), quits (q, or end of input) with the answers saved, resumes from the
# saved file, and refuses to run without a terminal.
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/tmux.bash"

out="$WORK/answers.json"

# Without a terminal: a usage error that points to the template.
run "no terminal" questions --interactive -o "$out" --no-repo
expect_exit 2
expect_stdout_empty
expect_stderr_has "questions --init FILE"
check "[ ! -e '$out' ]"
run "no output file" questions --interactive --no-repo
expect_exit 2
expect_stderr_has "needs -o FILE"
run "repo without --interactive" questions "$WORK"
expect_exit 2
run "help" questions --help
expect_exit 0
expect_stdout_has "--interactive"

# From nothing (--no-repo): the maturity gate first, then what decides the rest.
name="from nothing"
term_start "cd '$WORK' && ${ALM_WRAP:-} '$ALM_BIN' questions --interactive -o '$out' --no-repo"
term_wait "Answer (maturity.target): 100, 200, 300, 400 or 500" && ok
term_send "?"
term_wait "Why now: the tree stops at \"Level 300, 400 or 500?\"" && ok
term_send "300"                     # a target of 300 opens the gate: the current level can wait
term_wait "Answer (impact): critical, high or non-critical" && ok
term_send "h"                       # a prefix only one choice has
term_wait "Answer (prerequisites.environments): names, comma-separated" && ok
term_send "<"                       # back: impact again, the answer taken back offered as the default
term_wait "Answer (impact)" 2 && ok
term_wait "Default: high" && ok
term_send "critical"
term_wait "Answer (prerequisites.environments)" 2 && ok
term_send "Dev, Validation, Test, Prod"
term_wait "Answer (prerequisites.azure_devops): yes or no" && ok
term_send "maybe"
term_wait "Please answer yes or no" && ok
term_send "y"
term_wait "Answer (prerequisites.licenses.azure_devops_basic)" && ok
term_send "-"                       # skip
term_wait "Answer (prerequisites.licenses.power_apps_premium)" && ok
term_send "q"
term_wait "EXIT=0" && ok
term_wait "Saved to $out" && ok
check "python3 -c '
import json, sys
a = json.load(open(sys.argv[1]))
assert a == {\"schema\": \"alm-advisor/answers@1\", \"maturity\": {\"target\": 300}, \"impact\": \"critical\",
             \"prerequisites\": {\"environments\": [\"dev\", \"validation\", \"test\", \"prod\"], \"azure_devops\": True}}, a
' '$out'"
check "! term_text | grep -qF 'Answer (audience.'"   # impact is critical: the audience does not matter
check "[ \$(ls -A '$WORK' | grep -c '^answers.json.*tmp') -eq 0 ]"
run "the saved answers assess" assess --no-repo --answers "$out" --format json
expect_exit 0
expect_json "[s['value'] for s in r['path']] == ['yes', 'yes', 'unknown']"
expect_json "r['decide_with'] == ['prerequisites.licenses.azure_devops_basic', 'prerequisites.licenses.power_apps_premium']"

# Running again with the same file takes up where it stopped; end of input saves.
name="resume"
cp "$out" "$WORK/before.json"
term_start "cd '$WORK' && ${ALM_WRAP:-} '$ALM_BIN' questions --interactive -o '$out' --no-repo"
term_wait "Answer (prerequisites.licenses.azure_devops_basic)" && ok
check "! term_text | grep -qF 'Answer (maturity.target)'"
term_send "yes"
term_wait "Answer (prerequisites.licenses.power_apps_premium)" && ok
tm send-keys -t t C-d
term_wait "EXIT=0" && ok
check "python3 -c '
import json, sys
a = json.load(open(sys.argv[1])); b = json.load(open(sys.argv[2]))
b[\"prerequisites\"][\"licenses\"] = {\"azure_devops_basic\": True}
assert a == b, a
' '$out' '$WORK/before.json'"

# An interrupt (Ctrl-C) stops like q: the answers so far are saved.
name="interrupt"
term_start "cd '$WORK' && ${ALM_WRAP:-} '$ALM_BIN' questions --interactive -o '$WORK/int.json' --no-repo"
term_wait "Answer (maturity.target)" && ok
term_send "400"
term_wait "Answer (impact)" && ok
tm send-keys -t t C-c
term_wait "EXIT=0" && ok
check "python3 -c 'import json,sys; assert json.load(open(sys.argv[1]))[\"maturity\"] == {\"target\": 400}' '$WORK/int.json'"

# With the sample repository: what its history and files decide is never asked.
repo="$WORK/contoso-invoices"
"$SAMPLES/make-sample-repo.sh" "$repo" >/dev/null
run "evidence alone" assess "$repo" --format json
cp "$OUT" "$WORK/evidence.json"
name="sample repository"
term_start "cd '$WORK' && ${ALM_WRAP:-} '$ALM_BIN' questions --interactive -o '$WORK/team.json' '$repo'"
term_wait "Answer (" && ok
asked=()
for ((i = 0; i < 40; i++)); do
  # The key of the latest prompt; answered by its kind.
  key=$(term_text | sed -n 's/^   Answer (\([a-z_.]*\)).*/\1/p' | tail -1)
  [ "${#asked[@]}" -gt 0 ] && [ "$key" = "${asked[-1]}" ] && { sleep 0.1; term_text | grep -q "No more questions" && break; continue; }
  asked+=("$key")
  case $key in
    maturity.target) a=400 ;; maturity.current) a=300 ;; impact) a=high ;;
    administration.environment_requests) a=automated ;; support.owner) a="Finance applications" ;;
    creators) a="maker, developer" ;; *) a=yes ;;
  esac
  term_send "$a"
  for ((w = 0; w < 100; w++)); do
    t=$(term_text)
    grep -q "No more questions" <<<"$t" && break
    [ "$(grep -c '^   Answer (' <<<"$t")" -gt "${#asked[@]}" ] && break
    sleep 0.1
  done
  grep -q "No more questions" <<<"$(term_text)" && break
done
term_wait "EXIT=0" && ok
# The first question is the first answer that decides where the evidence
# stopped (the maturity gate is inferred from the sample's deploy pipelines).
first=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["decide_with"][0])' "$WORK/evidence.json")
check "[ '${asked[0]}' = '$first' ] && [ '${asked[0]}' != maturity.target ]"
for k in prerequisites.environments prerequisites.azure_devops source_control.branching source_control.pull_requests \
         source_control.build_pipelines pcf_components openapi_connectors dataverse_plugins pipelines_managed_by_ops; do
  check "! printf '%s\n' ${asked[*]} | grep -qx '$k'"
done
check "python3 -c '
import json, sys
r = json.load(open(sys.argv[1])); asked = sys.argv[2].split()
open_keys = {u[\"ask\"] for u in r[\"unknowns\"] if u[\"ask\"]}
assert set(asked) <= open_keys | {\"creators\"}, set(asked) - open_keys
' '$WORK/evidence.json' '${asked[*]}'"
run "team answers assess" assess "$repo" --answers "$WORK/team.json" --format json
expect_exit 0
expect_json "r['unknowns'] == [] and r['verdict'] == 'alm-accelerator'"

# A rules file's texts are shown on the terminal, never run: the escape
# sequences in a question's part and in its explanation come out spelt (run,
# they would set the title and clear the screen, and the pane would not show them).
name="control characters in a rules file"
"$ALM_BIN" rules dump >"$WORK/odd-rules.json"
python3 -c "
import json, sys
d = json.load(open(sys.argv[1]))
for q in d['questions']:
    for p in q['parts']:
        if p.get('ask') == 'maturity.target':
            p['text'] = 'target \\u001b]0;title\\u0007 level \\u001b[2J'
for n in d['tree']['nodes']:
    if n.get('label') == 'Level 300, 400 or 500?':
        n['label'] = 'Level \\u009b31m300?'
json.dump(d, open(sys.argv[1], 'w'))
" "$WORK/odd-rules.json"
term_start "cd '$WORK' && ${ALM_WRAP:-} '$ALM_BIN' questions --interactive -o '$WORK/odd.json' --no-repo --rules '$WORK/odd-rules.json'"
term_wait 'target \e]0;title\x07 level \e[2J' && ok
term_wait "Answer (maturity.target)" && ok
term_send "?"
term_wait 'Why now: the tree stops at "Level \u009b31m300?"' && ok
term_send "q"
term_wait "EXIT=0" && ok

# Nothing left to ask: it says so and saves.
name="nothing to ask"
term_start "cd '$WORK' && ${ALM_WRAP:-} '$ALM_BIN' questions --interactive -o '$WORK/full.json' '$repo' --answers '$SAMPLES/answers/sample-team.json'"
term_wait "No more questions" && ok
term_wait "EXIT=0" && ok
check "python3 -c 'import json,sys; assert json.load(open(sys.argv[1]))[\"impact\"] == \"high\"' '$WORK/full.json'"

finish
