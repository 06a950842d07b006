#!/usr/bin/env bash
# The options several commands share come as groups, each defined once: every
# command that has a group lists its members together, in the group's order,
# accepts each of them, and reads their values the same way.
. "$(dirname "$0")/lib.bash"

# The option names of `CMD --help`, one a line, in the order printed.
help_options() { sed -n 's/^ *\(-[a-z], \)\{0,1\}--\([a-z-]*\).*/\2/p' "$OUT"; }

# in_order NAME...: the names stand on consecutive lines of the help, in this order.
in_order() {
  local want got
  want=$(printf '%s\n' "$@")
  got=$(help_options | grep -x -A$(($# - 1)) -- "$1")
  [ "$got" = "$want" ]
}

for cmd in assess signals scan questions; do
  run "$cmd --help" "$cmd" --help
  expect_exit 0
  check "in_order power-platform cloud pp-environment pp-token-env"
  check "in_order timeout ca-file"
done
for cmd in assess signals questions; do
  run "$cmd --help" "$cmd" --help
  check "in_order ado ado-repo"
done

# The check itself can fail: the members out of order are not found so.
run "assess --help" assess --help
name="in_order fails on the wrong order"
if in_order cloud power-platform; then bad "in_order accepted cloud before power-platform"; else ok; fi

# A member said differently for one command keeps its place and takes its words.
run "scan --help" scan --help
expect_stdout_has "give up on the Azure DevOps listing, or a repository, after this long (60)"
check "in_order timeout ca-file"
run "questions --help" questions --help
expect_stdout_has "with --interactive: Azure DevOps project URL for more evidence"
check "in_order ado ado-repo"
# scan takes --ado alone, not the project group.
run "scan --ado-repo" scan . --ado-repo x
expect_exit 2
expect_stderr_has "scan: unknown option '--ado-repo'"

# Every member is read from the group, whichever command it is on.
repo="$WORK/repo"
git init -q -b main "$repo"
for cmd in assess signals; do
  run "$cmd --timeout 0" "$cmd" "$repo" --timeout 0
  expect_exit 2
  expect_stderr_has "--timeout '0': expected a positive number of seconds"
  run "$cmd --cloud without the tenant" "$cmd" "$repo" --cloud usgov
  expect_exit 2
  expect_stderr_has "--cloud, --pp-environment and --pp-token-env apply with --power-platform"
  run "$cmd --power-platform=word" "$cmd" "$repo" --power-platform=word
  expect_exit 2
  expect_stderr_has "--power-platform 'word': expected the admin API's https:// URL, or nothing"
done
run "scan --timeout 0" scan "$repo" --timeout 0
expect_exit 2
expect_stderr_has "--timeout '0': expected a positive number of seconds"
run "scan --cloud mars" scan "$repo" --power-platform --cloud mars
expect_exit 2
expect_stderr_has "--cloud 'mars': expected public, usgov, usgovhigh, dod or china"
run "questions --interactive --timeout 0" questions --interactive -o "$WORK/answers.json" --timeout 0
expect_exit 2
expect_stderr_has "--timeout '0': expected a positive number of seconds"
# Without --interactive every group member is refused by its name.
for opt in ado ado-repo timeout ca-file cloud pp-environment pp-token-env; do
  run "questions --$opt" questions --$opt x
  expect_exit 2
  expect_stderr_has "--$opt applies to questions --interactive"
done

# --ca-file (a group member) is an input the report may not replace.
touch "$WORK/ca.pem"
for cmd in assess signals; do
  run "$cmd -o onto --ca-file" "$cmd" "$repo" -o "$WORK/ca.pem" --ca-file "$WORK/ca.pem"
  expect_exit 2
  expect_stderr_has "is the same file as --ca-file"
done

finish
