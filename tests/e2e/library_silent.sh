#!/usr/bin/env bash
# The library writes nothing to standard output or standard error: no object
# of libalm.a refers to stdout or stderr, or to a function that writes to one
# of them (printf, puts, perror, ...). Writing to a memory stream (fprintf to
# an open_memstream FILE) is how renderers build their text, and is allowed.
# JsonLogic's "log" reaches stderr only through the program's sink.
. "$(dirname "$0")/lib.bash"

lib="$(dirname "$ALM_BIN")/libalm.a"
name="the library archive is beside the binary"
[ -f "$lib" ] && ok || bad "no $lib"

name="no object of the library refers to stdout, stderr or their printers"
nm -A "$lib" >"$WORK/symbols" 2>/dev/null
if [ ! -s "$WORK/symbols" ]; then
  bad "nm listed no symbols of $lib"
elif grep -E ' U (stdout|stderr|printf|vprintf|puts|putchar|perror|__printf_chk|__vprintf_chk|psignal|psiginfo|warn|warnx|err|errx|error)$' \
    "$WORK/symbols" >"$WORK/offenders"; then
  bad "$(tr '\n' ' ' <"$WORK/offenders")"
else
  ok
fi
# The check can fail: the program itself (which may print) does refer to them.
name="the check sees the program's own references"
nm -A "$ALM_BIN" 2>/dev/null | grep -qE ' [BU] (stdout|stderr)(@|$)' && ok || bad "nm found no stdout/stderr in $ALM_BIN"

run "rules eval: log goes to stderr through the program's sink" rules eval '{"log": {"cat": ["a", 1]}}' null
expect_exit 0
check "[ \"\$(cat '$OUT')\" = '\"a1\"' ]"
check "[ \"\$(cat '$ERR')\" = '\"a1\"' ]"

finish
