#!/usr/bin/env bash
# Builds the sample repository in a temporary directory and assesses it with the
# sample team's answers: what the README's first command runs.
# Usage: samples/demo.sh [BUILD_DIR] [assess options...]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../build}
shift || true
bin="$(cd "$build" 2>/dev/null && pwd)/alm-advisor"
[ -x "$bin" ] || { echo "demo.sh: $bin not found: build first (cmake -S . -B build && cmake --build build)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$here/make-sample-repo.sh" "$work/contoso-invoices" >/dev/null
cd "$here/.."   # so the report names the answers file as samples/answers/...
"$bin" assess "$work/contoso-invoices" --answers samples/answers/sample-team.json "$@"
