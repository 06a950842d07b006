#!/usr/bin/env bash
# The progress meter: on a terminal, for a slow step (Azure DevOps that does
# not answer, here the local stand-in's "hang" fault with a 3 s deadline), a
# line on stderr that says what is happening and is erased when done; nothing
# with --quiet, and nothing at all off a terminal.
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/tmux.bash"

python3 "$ALM_SOURCE_DIR/tests/ado_server.py" --lifetime 120 >"$WORK/port" 2>"$WORK/server.log" &
server=$!
trap 'kill $server 2>/dev/null; tmux -S "$TMUX_SOCKET" kill-server 2>/dev/null; rm -rf "$WORK"' EXIT
for ((i = 0; i < 50; i++)); do [ -s "$WORK/port" ] && break; sleep 0.1; done
port=$(head -1 "$WORK/port")
url="http://127.0.0.1:$port/fault/hang/contoso/ALM%20Project"
answers="$SAMPLES/answers/alm-accelerator.json"
cmd="AZURE_DEVOPS_EXT_PAT=token ${ALM_WRAP:-} '$ALM_BIN' assess --no-repo --answers '$answers' --ado '$url' --timeout 3 -o '$WORK/r.txt'"

name="meter on a terminal"
term_start "$cmd"
term_wait "alm-advisor: asking Azure DevOps..." 1 10 && ok
term_wait "EXIT=0" 1 20 && ok
# Erased when done: the warning that followed wrote over it, nothing trails it.
check "! term_text | grep -q 'asking Azure DevOps\.\.\. [0-9.]*s'"
check "term_text | grep -q 'warning: Azure DevOps evidence is missing'"

name="quiet"
term_start "$cmd --quiet"
for ((i = 0; i < 25; i++)); do
  term_text | grep -q "asking Azure DevOps" && break
  sleep 0.1
done
check "! term_text | grep -q 'asking Azure DevOps'"
term_wait "EXIT=0" 1 20 && ok
check "! term_text | grep -q 'asking Azure DevOps'"

AZURE_DEVOPS_EXT_PAT=token run "off a terminal" assess --no-repo --answers "$answers" --ado "$url" --timeout 2 --format json
expect_exit 0
check "! grep -q 'asking Azure DevOps' '$ERR'"
check "! grep -q \$'\r' '$ERR'"
expect_stderr_lines 1     # the warning only

finish
