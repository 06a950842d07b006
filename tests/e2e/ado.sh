#!/usr/bin/env bash
# The binary against the local Azure DevOps stand-in: evidence decides the Azure
# DevOps questions, failures degrade (or exit 4 with --strict), a missing token
# is a one-line error, and the token appears nowhere.
. "$(dirname "$0")/lib.bash"

TOKEN="alm-test-token-7f3c9e1d5b"
python3 "$ALM_SOURCE_DIR/tests/ado_server.py" --log "$WORK/requests.log" --lifetime 120 >"$WORK/server.out" 2>"$WORK/server.err" &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 50); do [ -s "$WORK/server.out" ] && break; sleep 0.1; done
port=$(head -1 "$WORK/server.out")
url="http://127.0.0.1:$port/contoso/ALM%20Project"

export AZURE_DEVOPS_EXT_PAT="$TOKEN"
run "assess with Azure DevOps" assess --no-repo --answers "$SAMPLES/answers/makers-path.json" --ado "$url" --format json
expect_exit 0
expect_json "r['facts']['ado']['reachable'] is True and r['probes']['ado']['status'] == 'ok'"
expect_json "r['facts']['ado']['project'] == 'ALM Project'"
expect_json "[p for q in r['questions'] for p in q['parts'] if p['id'] == 'source_control.build_pipelines'][0]['source'] == 'ado'"
expect_json "[p for q in r['questions'] for p in q['parts'] if p['id'] == 'source_control.build_pipelines'][0]['status'] == 'met'"
expect_json "r['facts']['ado']['environments']['approval_required'] == ['prod']"
expect_json "r['facts']['ado']['environments']['checks']['prod'] == {'approval': True, 'branch_control': True, 'business_hours': False}"
# No pull request in the last year: nobody's licence to look up, unknown.
expect_json "r['facts']['ado']['licenses']['checked'] == 0 and r['facts']['ado']['licenses']['available'] is None"
cp "$OUT" "$WORK/report.json"
run "licences of the authors" assess --no-repo --ado "$url" --since all --format json
expect_exit 0
expect_json "r['facts']['ado']['licenses']['checked'] == 2 and r['facts']['ado']['licenses']['stakeholder'] == 1 and r['facts']['ado']['licenses']['available'] is False"

# A page of 100,000 definitions, every answer 50 ms late, and a one-second
# deadline: the probe ends at it and says what was slow (exit 4 with --strict).
python3 "$ALM_SOURCE_DIR/tests/ado_server.py" --bench-huge-definitions 100000 --latency 50 --cache --lifetime 120 \
	>"$WORK/huge.out" 2>"$WORK/huge.err" &
huge=$!
trap 'kill $server $huge 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 100); do [ -s "$WORK/huge.out" ] && break; sleep 0.1; done
run "deadline on a huge project" assess --no-repo --ado "http://127.0.0.1:$(head -1 "$WORK/huge.out")/huge/Huge" --strict --timeout 1
expect_exit 4
expect_stdout_empty
expect_stderr_lines 1
expect_stderr_has "1 s deadline"
expect_stderr_has "read by then"
kill $huge 2>/dev/null

"$SAMPLES/make-sample-repo.sh" "$WORK/repo" >/dev/null
run "signals with Azure DevOps" signals "$WORK/repo" --ado "$url" -o "$WORK/facts.json"
expect_exit 0
check "python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d[\"facts\"][\"ado\"][\"pipelines\"][\"count\"] > 0 and d[\"facts\"][\"repo\"][\"commits\"] > 0' '$WORK/facts.json'"
run "signals without a repository" assess --no-repo --ado "$url" --format text -o "$WORK/report.txt"
expect_exit 0

run "strict with a closed port" assess --no-repo --ado "http://127.0.0.1:9/contoso/ALM%20Project" --strict --timeout 5
expect_exit 4
expect_stdout_empty
expect_stderr_lines 1
run "degraded with a closed port" assess --no-repo --ado "http://127.0.0.1:9/contoso/ALM%20Project" --timeout 5 --format json
expect_exit 0
expect_json "r['facts']['ado']['reachable'] is False and r['probes']['ado']['status'] == 'failed'"
expect_stderr_has "Azure DevOps evidence is missing"

# A service's message is shown, never run: the warning spells what it quotes.
run "a message with terminal sequences" assess --no-repo --answers "$SAMPLES/answers/makers-path.json" --ado "http://127.0.0.1:$port/fault/ansi/contoso/ALM%20Project" -o "$WORK/ansi.txt"
expect_exit 0
expect_stderr_has "warning: Azure DevOps evidence is missing"
expect_stderr_has "broken \\u009b2J server"
check "! LC_ALL=C grep -q \$'[\\x1b\\x07]\\|\\xc2\\x9b' '$ERR'"
run "strict with a 401" assess --no-repo --ado "http://127.0.0.1:$port/fault/401/contoso/ALM%20Project" --strict
expect_exit 4
expect_stderr_has "401"

run "plain http to a remote host" assess --no-repo --ado "http://dev.azure.com/contoso/project"
expect_exit 3
expect_stdout_empty
expect_stderr_lines 1

unset AZURE_DEVOPS_EXT_PAT
run "missing token" assess --no-repo --ado "$url"
expect_exit 3
expect_stdout_empty
expect_stderr_lines 1
expect_stderr_has "AZURE_DEVOPS_EXT_PAT"

# The token appears in nothing the tool printed or wrote (the server's log of
# Authorization headers aside).
check "! grep -rqF '$TOKEN' '$WORK/report.json' '$WORK/report.txt' '$WORK/facts.json' '$OUT' '$ERR'"
check "! grep -qF \"\$(printf ':%s' '$TOKEN' | base64)\" '$WORK/report.json'"

finish
