# Driving the binary on a real terminal: a private tmux server (its own socket,
# no configuration) with one session, fed with send-keys and read with
# capture-pane. Sourced after lib.bash by the tests that need a terminal.
if ! command -v tmux >/dev/null 2>&1; then
  echo "FAIL tmux is not installed (it is in .ci/packages)"
  exit 1
fi
TMUX_SOCKET="$WORK/tmux.sock"
unset TMUX
trap 'tmux -S "$TMUX_SOCKET" kill-server 2>/dev/null; rm -rf "$WORK"' EXIT

tm() { tmux -S "$TMUX_SOCKET" -f /dev/null "$@"; }

# term_start COMMAND: runs COMMAND (a shell line) in a fresh 200x60 terminal;
# when it ends the pane shows EXIT=CODE and stays open to be read.
# A second, idle session keeps the server up while "t" is replaced: killing the
# only session ends the server, and a new-session racing that exit fails with
# "server exited unexpectedly".
term_start() {
  tm has-session -t keep 2>/dev/null || tm new-session -d -s keep "sleep 3600"
  tm kill-session -t t 2>/dev/null || true
  tm new-session -d -s t -x 200 -y 60 "$1; echo EXIT=\$?; sleep 600"
}

# The whole pane, history included, wrapped lines joined.
term_text() { tm capture-pane -p -J -t t -S -5000; }

# term_wait TEXT [N [SECONDS]]: waits until TEXT appears N times (default 1); 1 on timeout.
term_wait() {
  local text=$1 n=${2:-1} tries=$(( ${3:-20} * 10 )) i
  for ((i = 0; i < tries; i++)); do
    [ "$(term_text | grep -cF -- "$text")" -ge "$n" ] && return 0
    sleep 0.1
  done
  name="waiting for '$text' x$n"
  echo "FAIL [$name]"; echo "--- pane ---"; term_text | tail -25; echo "---"
  failed=$((failed + 1))
  return 1
}

# term_send TEXT: types TEXT literally, then Enter.
term_send() { tm send-keys -t t -l -- "$1"; tm send-keys -t t Enter; }
