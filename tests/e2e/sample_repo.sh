#!/usr/bin/env bash
# Assessing the bundled sample repository: evidence from git decides the
# questions it can, answers decide the rest, and the repository is left as it was.
. "$(dirname "$0")/lib.bash"

repo="$WORK/contoso-invoices"
"$SAMPLES/make-sample-repo.sh" "$repo" >/dev/null
# Every file under .git with its size and modification time, and the work tree's
# status (read without the index refresh a plain `git status` may write).
snapshot() { (cd "$repo" && git --no-optional-locks status --porcelain=v1 && find .git -printf '%P %s %T@\n' | sort); }
state_before=$(snapshot)

run "sample with answers" assess "$repo" --answers "$SAMPLES/answers/sample-team.json" --format json
expect_exit 0
expect_json "r['verdict'] == 'alm-accelerator-after-prerequisites'"
expect_json "[p['status'] for p in r['prerequisites']] == ['met', 'met', 'gap', 'met']"
expect_json "r['gaps'][0]['part'] == 'prerequisites.licenses.power_apps_premium'"
expect_json "r['path'][2]['source'] == 'answers'"
expect_json "any(n['id'] == 'accelerator-in-use' for n in r['notices'])"

run "sample from evidence alone" assess "$repo" --format json
expect_exit 0
# Without answers the report still advises: a verdict, or the outcomes of the
# decision it stopped at, never a bare insufficient-information.
expect_json "r['verdict'] != 'insufficient-information' or len(r['outcomes']) >= 2"
expect_json "r['verdict'] != 'insufficient-information' or 'prerequisites.licenses.power_apps_premium' in r['decide_with']"
expect_json "r['path'][0]['node'] == 'maturity-gate' and r['path'][0]['value'] == 'yes' and r['path'][0]['inferred'] is True"
expect_json "all(o['when'].startswith('if ') and o['verdict'] in ('alm-accelerator', 'alm-accelerator-after-prerequisites', 'makers-path', 'grow-maturity-first', 'insufficient-information') for o in r['outcomes'])"
for part in source_control.branching source_control.pull_requests source_control.build_pipelines \
            pcf.components connectors.openapi plugins.dataverse; do
  expect_json "[p for q in r['questions'] for p in q['parts'] if p['id'] == '$part'][0]['status'] == 'met'"
  expect_json "[p for q in r['questions'] for p in q['parts'] if p['id'] == '$part'][0]['source'] == 'repo'"
done
# These two the derived facts answer, marked as inferred, when the answers are silent.
for part in prerequisites.azure_devops prerequisites.environments; do
  expect_json "[p for q in r['questions'] for p in q['parts'] if p['id'] == '$part'][0]['status'] == 'met'"
  expect_json "[(p['source'], p['inferred']) for q in r['questions'] for p in q['parts'] if p['id'] == '$part'][0] in [('repo', False), ('derived', True)]"
done
expect_json "[p for q in r['questions'] for p in q['parts'] if p['id'] == 'fusion_teams.engaged'][0]['status'] == 'unknown'"
expect_json "any(n['id'] == 'history-lower-bound' for n in r['notices'])"
run "sample from evidence alone, text" assess "$repo"
expect_exit 0
expect_stdout_has "Outcomes"
run "gate on the sample without answers" assess "$repo" --fail-unless alm-accelerator,alm-accelerator-after-prerequisites
expect_exit 1

# The answers a team keeps in its repository are found without --answers.
mkdir -p "$repo/.alm-advisor"
cp "$SAMPLES/answers/makers-path.json" "$repo/.alm-advisor/answers.json"
run "conventional answers file" assess "$repo/ContosoInvoices" --format json
expect_exit 0
expect_json "r['facts']['answers']['impact'] == 'non-critical'"
rm -rf "$repo/.alm-advisor"

run "signals" signals "$repo" --since all
expect_exit 0
expect_json "r['schema'] == 'alm-advisor/facts@1' and r['facts']['repo']['host'] == 'azure-devops'"
expect_json "r['facts']['answers'] == {}"
expect_json "r['evidence']['repo.pull_requests.total']['source'] == 'repo'"

state_after=$(snapshot)
check '[ "$state_before" = "$state_after" ]'
check '[ ! -e "$repo/.git/index.lock" ]'

finish
