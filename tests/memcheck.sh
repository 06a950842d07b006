#!/usr/bin/env bash
# Runs end-to-end test scripts with the binary under valgrind's memcheck:
# tests/memcheck.sh tests/e2e/cli_core.sh ... (ALM_BIN and ALM_SOURCE_DIR set
# as for any e2e test). Fails when a script fails or when valgrind reports an
# error or a definite leak in any run. Each run's report goes to its own log
# (so stderr stays the tool's own, as the scripts check it); with -q a log
# holds only errors and definite leaks, so any log that is not empty fails.
set -u
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
export ALM_WRAP="valgrind -q --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite --show-leak-kinds=definite --log-file=$logs/vg.%p.log"
status=0
for script in "$@"; do
  rm -f "$logs"/vg.*.log
  if ! bash "$script"; then
    echo "memcheck: $script failed under valgrind"
    status=1
  fi
  runs=$(find "$logs" -name 'vg.*.log' | wc -l)
  bad=$(find "$logs" -name 'vg.*.log' -size +0 | wc -l)
  echo "memcheck: $(basename "$script"): $runs runs under valgrind, $bad with errors or definite leaks"
  if [ "$runs" -eq 0 ]; then
    echo "memcheck: $script ran nothing under valgrind"
    status=1
  fi
  for log in $(find "$logs" -name 'vg.*.log' -size +0); do
    cat "$log"
    status=1
  done
done
exit "$status"
