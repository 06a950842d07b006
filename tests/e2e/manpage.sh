#!/usr/bin/env bash
# The manual page documents every option of every command: the options are read
# from each command's --help (printed from the command's option table), so an
# option added to a table and left out of the manual fails here.
. "$(dirname "$0")/lib.bash"

man="$ALM_SOURCE_DIR/src/cli/alm-advisor.1"
# In roff, "--since" is written "\-\-since" and "-j" is "\-j".
roff_has() { grep -qF -- "$(printf '%s' "$1" | sed 's/-/\\-/g')" "$man"; }

commands="assess signals scan merge questions rules"
for cmd in $commands; do
  run "$cmd --help" "$cmd" --help
  expect_exit 0
  check "grep -q '^\.B alm-advisor $cmd\$' '$man'"
  opts=$(grep -oE -- '(^|[ ,])--?[a-zA-Z][a-zA-Z-]*' "$OUT" | sed 's/^[ ,]*//' | sort -u)
  check "[ -n '$opts' ]"
  for opt in $opts; do
    [ "$opt" = "--help" ] || [ "$opt" = "-h" ] && continue
    name="$cmd $opt in the manual page"
    if roff_has "$opt"; then ok; else bad "$opt (from '$cmd --help') is not in $man"; fi
  done
done

# The check itself can fail: an option that no table has is not in the page.
name="an unknown option is not found"
if roff_has "--no-such-option"; then bad "roff_has matched --no-such-option"; else ok; fi

finish
