#!/usr/bin/env bash
# Checks an installed alm-advisor (the Debian package, or cmake --install into
# a prefix on PKG_CONFIG_PATH and PATH): the program assesses the bundled
# sample, the manual page is in place, and a program outside the project builds
# against the library with pkg-config alone, as C and as C++.
# Usage: tests/package/check-installed.sh [PREFIX]   (default /usr)
# ALM_CONSUMER_CFLAGS: extra compiler flags for the consumer, e.g. the
# sanitizers a sanitizer build's library was compiled with.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
prefix=${1:-/usr}
bin="$prefix/bin/alm-advisor"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "check-installed: $*" >&2; exit 1; }

[ -x "$bin" ] || fail "$bin is not installed"
"$bin" --version | grep -q '^alm-advisor [0-9]' || fail "$bin --version"
[ -f "$prefix/share/man/man1/alm-advisor.1" ] || fail "no manual page under $prefix/share/man/man1"

# The main job on the bundled sample, from the installed program.
"$root/samples/make-sample-repo.sh" "$work/contoso-invoices" >/dev/null
(cd "$root" && "$bin" assess "$work/contoso-invoices" --answers samples/answers/sample-team.json) >"$work/report.txt"
grep -q '^Verdict' "$work/report.txt" || fail "the installed program's report has no verdict: $(head -c 300 "$work/report.txt")"
sed -n '1,12p' "$work/report.txt"

# A consumer of the library, through pkg-config only.
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig:$prefix/share/pkgconfig:${PKG_CONFIG_PATH:-}"
pkg-config --exists alm || fail "pkg-config cannot find alm under $prefix"
flags=$(pkg-config --cflags alm)
libs=$(pkg-config --libs alm)
cc -std=c11 -Wall -Werror ${ALM_CONSUMER_CFLAGS:-} $flags -o "$work/consumer" "$here/consumer.c" $libs
"$work/consumer"
c++ -x c++ -Wall -Werror ${ALM_CONSUMER_CFLAGS:-} $flags -o "$work/consumer++" "$here/consumer.c" $libs
"$work/consumer++"
echo "check-installed: $bin, its manual page and the library (C and C++) work"
