#!/usr/bin/env bash
# The token in every encoding a server may quote it back in: as sent in the
# Authorization header (base64 of ":token"), "user:token" and other
# alignments, URL-encoded, re-cased, split over lines, padded past the cut of
# a message, in a Location or Content-Type header, in a plain-text body.
# tests/ado_server.py's echo-FORM faults quote it; no stdout, stderr, report,
# portfolio or step summary may carry any of it.
. "$(dirname "$0")/lib.bash"
ANSWERS="$SAMPLES/answers/makers-path.json"
token="pat-Zq7Xv2Lk9Rt4Wm8Ns3Hd+/x=y"
export AZURE_DEVOPS_EXT_PAT=$token
git init -q -b main "$WORK/repo"
git -C "$WORK/repo" -c user.name=a -c user.email=a@example.com commit -q --allow-empty -m init

# What must be found nowhere: the token as is and URL-encoded, the base64 of
# ":token" and "user:token", and 8-character pieces of the token and of its
# base64 at each alignment (what a cut or a line break would leave).
python3 - "$token" >"$WORK/forms" <<'EOF'
import base64, sys
from urllib.parse import quote
t = sys.argv[1]
forms = {t, quote(t, safe=""), base64.b64encode((":" + t).encode()).decode(),
         base64.b64encode(("user:" + t).encode()).decode()}
for k in range(3):
    enc = base64.b64encode(b"\0" * k + t.encode()).decode()
    stable = enc[(0, 2, 3)[k]:(len(t) + k) * 8 // 6]
    forms.update(stable[i:i + 8] for i in range(0, len(stable) - 7, 4))
forms.update(t[i:i + 8] for i in range(0, len(t) - 7, 4))
print("\n".join(sorted(forms)))
EOF
python3 "$ALM_SOURCE_DIR/tests/ado_server.py" --lifetime 120 --log "$WORK/requests.log" >"$WORK/server.out" 2>/dev/null &
server=$!
for _ in $(seq 50); do [ -s "$WORK/server.out" ] && break; sleep 0.1; done
port=$(head -1 "$WORK/server.out")
name="secrets: the stand-in started"
[ -n "$port" ] && ok || bad "tests/ado_server.py did not start"
n=0
leak_run() { # ARGS...: one run; its stdout, stderr and files stay in $outs for the search
  n=$((n + 1))
  CODE=0
  TF_BUILD=True GITHUB_STEP_SUMMARY="$outs/summary.md" ${ALM_WRAP:-} "$ALM_BIN" "$@" \
    >"$outs/$n.stdout" 2>"$outs/$n.stderr" </dev/null || CODE=$?
}
# Each file in $outs, and each with its whitespace removed (a token split over
# lines), searched for each form without regard to case.
no_trace() {
  local f form
  mkdir -p "$outs.flat"
  for f in "$outs"/*; do tr -d ' \t\r\n' <"$f" >"$outs.flat/${f##*/}"; done
  while IFS= read -r form; do
    if grep -rilF -- "$form" "$outs" "$outs.flat" >"$WORK/leaks" 2>/dev/null; then
      bad "'$form' found in: $(tr '\n' ' ' <"$WORK/leaks")"
      return
    fi
  done <"$WORK/forms"
  ok
}

for form in header pad case split url user wrapped text location ctype; do
  outs="$WORK/outs/$form"
  mkdir -p "$outs"
  url="http://127.0.0.1:$port/fault/echo-$form/contoso/ALM%20Project"
  leak_run assess "$WORK/repo" --answers "$ANSWERS" --ado "$url" --format json -o "$outs/report-$form.json"
  name="secrets: echo-$form, assess degrades and says why"
  check "[ $CODE -eq 0 ] && grep -q 'Azure DevOps evidence is missing' '$outs/$n.stderr'"
  check "python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); sys.exit(0 if \"ado\" in json.dumps(r[\"probes\"]) else 1)' '$outs/report-$form.json'"
  leak_run assess "$WORK/repo" --answers "$ANSWERS" --ado "$url" --strict
  check "[ $CODE -eq 4 ]"
  leak_run signals "$WORK/repo" --ado "$url" --since all
  leak_run scan --ado "$url" --format json -o "$outs/portfolio-$form.json"
  name="secrets: echo-$form, nothing of the token anywhere"
  no_trace
done
# The service's own text does reach the user (so the searches above looked at
# messages that quoted the token): the error code and the padding survive.
name="secrets: the service's message is shown, redacted"
check "grep -rqF 'VS800001' '$WORK/outs' && grep -rqF '***' '$WORK/outs'"
name="secrets: a padded message keeps its text up to the cut"
check "grep -rqF 'xxxxxxxxxxxxxxxxxxxx' '$WORK/outs/pad'"
kill "$server" 2>/dev/null; wait "$server" 2>/dev/null
name="secrets: the requests carried the token"
check "grep -qF '$(printf ':%s' "$token" | base64 -w0)' '$WORK/requests.log'"
unset AZURE_DEVOPS_EXT_PAT
finish
