#!/usr/bin/env bash
# scan --ado against the local Azure DevOps stand-in: one row per repository
# of a project or of every project of an organization, read from the service
# alone; a local clone found by name joins its repository's row; one failing
# repository or project is a failed row beside the others; a listing that
# fails is exit 4 (a missing token exit 3); shards merge into the unsharded
# portfolio; the token appears nowhere.
. "$(dirname "$0")/lib.bash"

TOKEN="alm-scan-token-4d8e2a9c1f"
python3 "$ALM_SOURCE_DIR/tests/ado_server.py" --log "$WORK/requests.log" --lifetime 120 >"$WORK/server.out" 2>"$WORK/server.err" &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 50); do [ -s "$WORK/server.out" ] && break; sleep 0.1; done
port=$(head -1 "$WORK/server.out")
base="http://127.0.0.1:$port"
export AZURE_DEVOPS_EXT_PAT="$TOKEN"
outs="$WORK/outputs"
mkdir -p "$outs"
keep() { cp "$OUT" "$outs/$1.out"; cp "$ERR" "$outs/$1.err"; }   # for the token check at the end
row() { echo "{x['name']: x for x in r['rows']}['$1']"; }

# ---- one project ----
run "project" scan --ado "$base/contoso/ALM%20Project" --since all --format json
keep project
expect_exit 0
expect_stderr_lines 0
expect_json "r['schema'] == 'alm-advisor/portfolio@1' and r['repositories'] == 2"
expect_json "sorted(x['name'] for x in r['rows']) == ['ALM Project', 'Tools']"
expect_json "$(row Tools)['path'] == 'contoso/ALM Project/Tools' and $(row Tools)['status'] == 'assessed'"
expect_json "all(x['report']['probes']['ado']['status'] == 'ok' and x['report']['facts']['ado']['reachable'] is True for x in r['rows'])"
expect_json "[x['report']['facts']['ado']['repository'] for x in r['rows']] == [x['name'] for x in r['rows']]"
expect_json "all(x['report']['facts']['ado']['pipelines']['count'] == 7 for x in r['rows'])"
# From the service alone: no repository facts, and the report says why.
expect_json "all(x['report']['facts']['repo'] == {} and x['report']['probes']['repo']['status'] == 'skipped' for x in r['rows'])"
expect_json "all('Azure DevOps alone' in x['report']['probes']['repo']['detail'] for x in r['rows'])"
expect_json "'6 completed in Azure DevOps' in $(row 'ALM Project')['evidence']"
expect_json "$(row Tools)['report']['facts']['ado']['pull_requests']['completed'] == 0"
# The project was read once for both repositories (its pull requests too,
# each repository taking its own); nothing was cloned.
check "[ \$(grep -c '\"path\": \"/contoso/ALM%20Project/_apis/build/definitions\"' '$WORK/requests.log') -eq 3 ]"
check "[ \$(grep -c '\"path\": \"/contoso/ALM%20Project/_apis/git/pullrequests\"' '$WORK/requests.log') -ge 1 ]"
check "! grep -q '/_apis/git/repositories/Tools/pullrequests' '$WORK/requests.log'"

# ---- an organization: every project, the list of projects paged ----
: >"$WORK/requests.log"
run "organization" scan --ado "$base/contoso" --since all --format json -j 4
keep organization
expect_exit 0
expect_json "sorted(x['name'] for x in r['rows']) == ['ALM Project', 'Legacy Portal', 'Scratch', 'Shared-Lib', 'Tools', 'Warehouse', 'Web Portal']"
expect_json "sorted({x['report']['facts']['ado']['project'] for x in r['rows'] if x['report']}) == ['ALM Project', 'Contoso Web', 'Data Platform']"
expect_json "$(row 'Web Portal')['path'] == 'https://dev.azure.com/contoso/Contoso%20Web/_git/Web%20Portal'"
expect_json "$(row 'Web Portal')['report']['facts']['ado']['pull_requests']['completed'] == 2"
expect_json "$(row 'Legacy Portal')['status'] == 'failed' and 'disabled' in $(row 'Legacy Portal')['error']"
expect_json "r['totals']['failed'] == 1"
check "[ \$(grep -c '\"path\": \"/contoso/_apis/projects\"' '$WORK/requests.log') -eq 2 ]"
check "grep '\"path\": \"/contoso/_apis/projects\"' '$WORK/requests.log' | grep -q continuationToken"
# Each project read once; the author of pull requests in three projects asked about once.
check "[ \$(grep -c '\"path\": \"/contoso/[^/]*/_apis/build/definitions\"' '$WORK/requests.log') -eq 5 ]"
check "[ \$(grep -c 'userentitlements/d6245f20-2af8-44f4-9451-8107cb2767db' '$WORK/requests.log') -eq 1 ]"
expect_json "$(row 'Web Portal')['report']['facts']['ado']['licenses']['basic_or_above'] == 1 and $(row 'Warehouse')['report']['facts']['ado']['licenses']['available'] is True"
expect_json "$(row 'Web Portal')['report']['facts']['ado']['environments']['approval_required'] == ['prod']"
cp "$OUT" "$WORK/org.json"

# ---- a local clone joins its repository's row ----
"$SAMPLES/make-sample-repo.sh" "$WORK/clones/team/tools" >/dev/null
"$SAMPLES/make-sample-repo.sh" "$WORK/clones/unrelated" >/dev/null
git -C "$WORK/clones/unrelated" remote remove origin   # no Azure DevOps of its own
run "with local clones" scan --ado "$base/contoso/ALM%20Project" --under "$WORK/clones" --since all --format json
keep clones
expect_exit 0
expect_json "sorted(x['name'] for x in r['rows']) == ['ALM Project', 'Tools', 'unrelated']"
expect_json "$(row Tools)['report']['probes']['repo']['status'] == 'ok' and $(row Tools)['report']['probes']['ado']['status'] == 'ok'"
expect_json "$(row Tools)['report']['facts']['repo']['commits'] > 0 and $(row Tools)['report']['facts']['ado']['pipelines']['count'] == 7"
expect_json "'7 in history, 0 completed in Azure DevOps' in $(row Tools)['evidence']"
expect_json "$(row Tools)['path'] == 'contoso/ALM Project/Tools'"
expect_json "$(row 'ALM Project')['report']['facts']['repo'] == {}"
expect_json "$(row unrelated)['report']['probes']['ado']['status'] == 'skipped' and $(row unrelated)['report']['facts']['repo']['commits'] > 0"

# --answers-map by repository name, as for local scans.
cp "$SAMPLES/answers/makers-path.json" "$WORK/makers.json"
printf '{"Tools": "makers.json"}\n' >"$WORK/map.json"
run "answers map" scan --ado "$base/contoso/ALM%20Project" --since all --answers-map "$WORK/map.json" --format json
expect_exit 0
expect_json "$(row Tools)['report']['facts']['answers'] != {} and $(row 'ALM Project')['report']['facts']['answers'] == {}"
expect_json "$(row Tools)['verdict'] != $(row 'ALM Project')['verdict']"

# ---- failures of one repository, of one project ----
run "the project's pull requests failing" scan --ado "$base/fault/403@git.pullrequests/contoso/ALM%20Project" --since all --format json
keep repo-fault
expect_exit 0
expect_json "all(x['status'] == 'failed' and 'HTTP 403' in x['error'] and 'pull requests' in x['error'] for x in r['rows'])"
run "one project failing" scan --ado "$base/fault/401:Contoso%20Web/contoso" --since all --format json
keep project-fault
expect_exit 0
expect_json "$(row 'Contoso Web')['status'] == 'failed' and 'HTTP 401' in $(row 'Contoso Web')['error'] and $(row 'Contoso Web')['path'] == 'contoso/Contoso Web'"
expect_json "sorted(x['name'] for x in r['rows'] if x['status'] == 'assessed') == ['ALM Project', 'Scratch', 'Tools', 'Warehouse'] and r['totals']['failed'] == 1"

# ---- the listing itself failing ----
run "401 on the listing" scan --ado "$base/fault/401@projects/contoso"
keep listing-401
expect_exit 4
expect_stdout_empty
expect_stderr_lines 1
expect_stderr_has "HTTP 401"
expect_stderr_has "AZURE_DEVOPS_EXT_PAT"
run "401 on the project's repositories" scan --ado "$base/fault/401@git.repositories/contoso/ALM%20Project" -o "$WORK/none.json"
expect_exit 4
expect_stderr_lines 1
check "[ ! -e '$WORK/none.json' ]"
run "unreachable" scan --ado "http://127.0.0.1:9/contoso" --timeout 5
expect_exit 4
expect_stderr_lines 1
run "no such organization" scan --ado "$base/nowhere"
expect_exit 4
run "plain http to a remote host" scan --ado "http://dev.azure.com/contoso"
expect_exit 3
expect_stderr_lines 1
run "bad timeout" scan --ado "$base/contoso" --timeout soon
expect_exit 2
unset AZURE_DEVOPS_EXT_PAT
run "missing token" scan --ado "$base/contoso" --format json
keep no-token
expect_exit 3
expect_stdout_empty
expect_stderr_lines 1
expect_stderr_has "AZURE_DEVOPS_EXT_PAT"
export AZURE_DEVOPS_EXT_PAT="$TOKEN"

# ---- shards merge into the unsharded portfolio ----
for i in 1 2; do
  run "shard $i" scan --ado "$base/contoso" --since all --shard "$i/2" --format json -o "$WORK/shard$i.json"
  expect_exit 0
done
run "merge of the shards" merge "$WORK/shard1.json" "$WORK/shard2.json" --format json
expect_exit 0
check "cmp -s '$OUT' '$WORK/org.json'"   # byte for byte
check "python3 -c 'import json,sys; n=[len(json.load(open(f))[\"rows\"]) for f in sys.argv[1:]]; assert sum(n) == 7 and min(n) > 0, n' '$WORK/shard1.json' '$WORK/shard2.json'"

# ---- the token ----
check "! grep -rqF '$TOKEN' '$outs' '$WORK/org.json' '$WORK/shard1.json' '$WORK/shard2.json'"
check "! grep -rqF \"\$(printf ':%s' '$TOKEN' | base64)\" '$outs' '$WORK/org.json'"
check "grep -qF \"\$(printf ':%s' '$TOKEN' | base64)\" '$WORK/requests.log'"   # it was sent, as Basic

finish
