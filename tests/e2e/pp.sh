#!/usr/bin/env bash
# The binary against the local Power Platform stand-in: --power-platform and
# its options on assess, signals, scan and questions; the pipelines notice;
# exit 3 without credentials, exit 4 for a refused request with --strict, a
# warning and a degraded status without; the secret and tokens nowhere.
. "$(dirname "$0")/lib.bash"

SECRET='pp-test-secret~Zq8+/=&x'
STATIC='pp-prefetched-admin-token-4Yk2'
start_server() { # ARGS...: a stand-in with these faults; sets $port and $url
  [ -n "${server:-}" ] && { kill "$server" 2>/dev/null; wait "$server" 2>/dev/null; }
  : >"$WORK/server.out"
  python3 "$ALM_SOURCE_DIR/tests/pp_server.py" --log "$WORK/requests.log" --lifetime 120 "$@" >"$WORK/server.out" 2>/dev/null &
  server=$!
  for _ in $(seq 50); do [ -s "$WORK/server.out" ] && break; sleep 0.1; done
  port=$(head -1 "$WORK/server.out")
  url="http://127.0.0.1:$port"
  export AZURE_AUTHORITY_HOST="$url"
}
trap 'kill $server 2>/dev/null; rm -rf "$WORK"' EXIT
unset AZURE_TENANT_ID AZURE_CLIENT_ID AZURE_CLIENT_SECRET AZURE_FEDERATED_TOKEN_FILE AZURE_AUTHORITY_HOST

# A repository with the solution the stand-in's pipelines deploy, and
# deployment settings for test and production.
repo="$WORK/repo"
mkdir -p "$repo/solutions/ContosoInvoices/src/Other"
printf '<Project Sdk="Microsoft.NET.Sdk"/>\n' >"$repo/solutions/ContosoInvoices/ContosoInvoices.cdsproj"
printf '<ImportExportXml><SolutionManifest><UniqueName>ContosoInvoices</UniqueName></SolutionManifest></ImportExportXml>\n' \
  >"$repo/solutions/ContosoInvoices/src/Other/Solution.xml"
printf '{}\n' >"$repo/deploymentSettings-Test.json"
printf '{}\n' >"$repo/deploymentSettings-Prod.json"
git -C "$repo" init -q -b main && git -C "$repo" add -A &&
  git -C "$repo" -c user.name=t -c user.email=t@example.com commit -qm "Contoso Invoices solution"

start_server
export AZURE_TENANT_ID=5b1f3c8e-2d4a-4c71-9a0e-7e6d3b2f9c10 AZURE_CLIENT_ID=0a1b2c3d-0000-4000-8000-00000000c11e
export AZURE_CLIENT_SECRET="$SECRET"

run "signals with the tenant" signals "$repo" --since 2025-01-01 --power-platform "$url"
expect_exit 0
expect_json "r['probes']['pp']['status'] == 'ok' and r['facts']['pp']['reachable'] is True"
expect_json "r['facts']['pp']['environments']['count'] == 5 and r['facts']['pp']['dlp_policies']['count'] == 2"
expect_json "r['facts']['pp']['pipelines']['stages'] == ['Test', 'Production']"
expect_json "r['facts']['pp']['pipelines']['deployments'] == {'succeeded': 5, 'failed': 1}"
expect_json "sorted(s['environment'] for s in r['facts']['pp']['solutions']['found']) == ['Invoices - Production', 'Invoices - Test']"
expect_json "r['evidence']['pp.environments.count']['source'] == 'pp'"
cp "$OUT" "$WORK/facts.json"

run "the optional value after =" signals "$repo" --since 2025-01-01 "--power-platform=$url" --pp-environment all -o "$WORK/all.json"
expect_exit 0
check "python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d[\"facts\"][\"pp\"][\"alm_accelerator\"] is True' '$WORK/all.json'"

run "assess shows where the migration stands" assess "$repo" --since 2025-01-01 --power-platform "$url" --format json
expect_exit 0
expect_json "any(n['id'] == 'pipelines-in-place' and 'stages Test -> Production' in n['text'] and 'deployed through it 5 times (1 failed)' in n['text'] for n in r['notices'])"
expect_json "not any(n['id'] == 'accelerator-in-use' for n in r['notices'])"
expect_json "r['facts']['pp']['pipelines']['host'] is True"
cp "$OUT" "$WORK/report.json"
run "assess as text" assess "$repo" --since 2025-01-01 --power-platform "$url" -o "$WORK/report.txt"
expect_exit 0
check "tr -s ' \\n' ' ' <'$WORK/report.txt' | grep -qF 'Pipelines for Power Platform is already set up with stages Test -> Production'"

run "scan with the tenant" scan "$repo" --power-platform "$url" --format json
expect_exit 0
expect_stdout_has '"rows"'

# A scan reads the tenant once: three repositories, one admin token, the
# environment pages once (five environments at two a page), the data policies
# once; each repository still reads its own solutions.
portfolio="$WORK/portfolio"
for name in one two three; do "$ALM_SOURCE_DIR/samples/make-sample-repo.sh" "$portfolio/$name" >/dev/null; done
start_server
: >"$WORK/requests.log"
run "scan of three repositories with the tenant" scan --under "$portfolio" --power-platform "$url" -j 3 --format json
expect_exit 0
expect_json "len(r['rows']) == 3 and all(x['report']['probes']['pp']['status'] == 'ok' for x in r['rows'])"
expect_json "all(x['report']['facts']['pp']['environments']['count'] == 5 for x in r['rows'])"
scan_log() { # PYTHON-EXPRESSION over n(fragment): requests whose "METHOD host/path" holds fragment
  python3 -c 'import json,sys
log=[json.loads(l) for l in open(sys.argv[1])]
n=lambda f: sum(f in e["method"]+" "+e["host"]+e["path"] for e in log)
scope=lambda s: sum((e.get("form") or {}).get("scope")==s for e in log)
sys.exit(0 if eval(sys.argv[2]) else 1)' "$WORK/requests.log" "$1"
}
check "scan_log 'n(\"/scopes/admin/environments\") == 3'"
check "scan_log 'n(\"/v2/policies\") == 1'"
check "scan_log 'scope(\"https://service.powerapps.com/.default\") == 1'"
check "scan_log 'n(\"POST \") == 5'" # the admin token and one a Dataverse environment
check "scan_log 'n(\"invoices-test.localhost\") == 3'" # each repository's own solutions
cp "$OUT" "$WORK/scan.json"

# A tenant that cannot be read fails every repository of the scan alike, and
# is asked once.
start_server --fault "403@GET 127.0.0.1"
: >"$WORK/requests.log"
run "a scan whose tenant refuses" scan --under "$portfolio" --power-platform "$url" -j 3 --format json
expect_exit 0
expect_json "all(x['report']['probes']['pp']['status'] == 'failed' for x in r['rows'])"
expect_json "len({x['report']['facts']['pp']['error'] for x in r['rows']}) == 1 and 'New-PowerAppManagementApp' in r['rows'][0]['report']['facts']['pp']['error']"
check "scan_log 'n(\"/scopes/admin/environments\") == 1 and n(\"POST \") == 1'"
start_server

run "questions --interactive only" questions --power-platform "$url"
expect_exit 2
expect_stderr_has "applies to questions --interactive"

run "help names the options" signals --help
expect_stdout_has "--power-platform [URL]"
expect_stdout_has "--pp-token-env VAR"

run "an unknown cloud" signals "$repo" --power-platform --cloud mars
expect_exit 2
run "cloud without the tenant" signals "$repo" --cloud usgov
expect_exit 2
run "not an http(s) URL" signals "$repo" --power-platform=ftp://example.com
expect_exit 3
expect_stderr_has "expected the admin API's https:// URL"

# Failures: degraded and a warning, or exit 4 with --strict.
start_server --fault "403@GET 127.0.0.1"
run "403 degrades" signals "$repo" --power-platform "$url"
expect_exit 0
expect_json "r['facts']['pp']['reachable'] is False and r['probes']['pp']['status'] == 'failed'"
expect_json "'New-PowerAppManagementApp' in r['facts']['pp']['error']"
expect_stderr_has "Power Platform evidence is missing"
expect_stderr_has "pac admin application register"
run "403 with --strict" assess "$repo" --power-platform "$url" --strict
expect_exit 4
expect_stdout_empty
expect_stderr_lines 1

start_server --fault token-echo
run "a refused secret" assess "$repo" --power-platform "$url" --strict
expect_exit 4
expect_stderr_has "AADSTS7000215"
cp "$ERR" "$WORK/refused.err"

start_server
unset AZURE_CLIENT_SECRET
run "a pre-fetched admin token, not set" signals "$repo" --power-platform "$url" --pp-token-env PP_ADMIN_TOKEN
expect_exit 3
expect_stderr_has "PP_ADMIN_TOKEN"
export PP_ADMIN_TOKEN="$STATIC"
run "a pre-fetched admin token reads the admin API" signals "$repo" --power-platform "$url" --pp-token-env PP_ADMIN_TOKEN
expect_exit 0
expect_json "r['probes']['pp']['status'] == 'degraded' and 'admin API only' in r['probes']['pp']['detail']"
expect_json "r['facts']['pp']['environments']['count'] == 5 and 'solutions' not in r['facts']['pp']"
cp "$OUT" "$WORK/prefetched.json"
unset PP_ADMIN_TOKEN

# No credentials at all: exit 3 naming the variables, before any request (a
# REPO after the flag stays the repository: only a URL is its value).
unset AZURE_TENANT_ID AZURE_CLIENT_ID
: >"$WORK/requests.log"
run "no credentials" signals --power-platform "$repo"
expect_exit 3
expect_stdout_empty
expect_stderr_lines 1
expect_stderr_has "AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET"
check "[ ! -s '$WORK/requests.log' ]"
run "plain http to a remote admin API" assess "$repo" --power-platform http://api.bap.example.com
expect_exit 3

# The secret and the tokens appear in nothing the tool printed or wrote.
for f in facts.json all.json report.json report.txt refused.err prefetched.json scan.json; do
  check "! grep -qF -e '$SECRET' -e 'Zq8%2B' -e 'ppt-' -e '$STATIC' '$WORK/$f'"
done
finish
