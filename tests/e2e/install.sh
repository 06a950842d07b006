#!/usr/bin/env bash
# cmake --install puts the program and its manual page in place, and every
# command answers --help with the options its table parses.
. "$(dirname "$0")/lib.bash"

build=$(dirname "$ALM_BIN")
name="cmake --install"
if [ -f "$build/cmake_install.cmake" ]; then
  check "cmake --install '$build' --prefix '$WORK/prefix' >/dev/null"
  check "[ -x '$WORK/prefix/bin/alm-advisor' ]"
  check "cmp -s '$WORK/prefix/share/man/man1/alm-advisor.1' '$ALM_SOURCE_DIR/src/cli/alm-advisor.1'"
  check "'$WORK/prefix/bin/alm-advisor' --version | grep -q '^alm-advisor '"
  check "[ -f '$WORK/prefix/include/alm/alm.h' ] && [ -f '$WORK/prefix/include/alm/version.h' ]"
  # The installed program assesses the sample; C and C++ programs build
  # against the installed library through pkg-config alone.
  # A sanitizer build installs an instrumented library: its consumer needs the same flags.
  case "$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$build/CMakeCache.txt")" in
    Asan) export ALM_CONSUMER_CFLAGS="-fsanitize=address,undefined" ;;
    Ubsan) export ALM_CONSUMER_CFLAGS="-fsanitize=undefined" ;;
  esac
  check "'$ALM_SOURCE_DIR/tests/package/check-installed.sh' '$WORK/prefix' >'$WORK/check-installed.log' 2>&1 || { cat '$WORK/check-installed.log'; false; }"
else
  bad "$build is not a cmake build directory"
fi

for cmd in assess signals questions rules; do
  run "$cmd --help" "$cmd" --help
  expect_exit 0
  expect_stdout_has "usage: alm-advisor $cmd"
  expect_stdout_has "-h, --help"
  check "[ ! -s '$ERR' ]"
done
run "assess --help" assess --help
expect_stdout_has "--format FORMAT"
expect_stdout_has "-q, --quiet"
run "questions --help" questions --help
expect_stdout_has "-i, --interactive"
expect_stdout_has "-o, --output FILE"

finish
