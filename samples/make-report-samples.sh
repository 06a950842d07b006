#!/usr/bin/env bash
# Builds the sample repository, assesses it with the sample team's answers, and
# writes the sample reports the README shows: samples/reports/sample.md,
# samples/reports/sample.html and a screenshot of the HTML, sample.png
# (headless chromium, as in tests/e2e/reports.sh).
# Usage: samples/make-report-samples.sh [BUILD_DIR]   (default: build)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
build=${1:-$top/build}
bin="$build/alm-advisor"
[ -x "$bin" ] || { echo "make-report-samples.sh: $bin not found: build first (cmake -S . -B build && cmake --build build)" >&2; exit 2; }
chromium=$(command -v chromium || command -v chromium-browser || true)
[ -n "$chromium" ] || { echo "make-report-samples.sh: chromium not found (apt-get install chromium)" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$here/make-sample-repo.sh" "$work/contoso-invoices" >/dev/null
mkdir -p "$here/reports"

# Relative paths, so the evidence quoted in the reports names the answers file
# as a reader of the repository would, not this machine's directories.
cd "$top"
for format in markdown html; do
  ext=$([ "$format" = markdown ] && echo md || echo html)
  # Exit 0 or 1 (a gate) both mean a report was written; no gate is asked here.
  "$bin" assess "$work/contoso-invoices" --answers samples/answers/sample-team.json --format "$format" --quiet \
    -o "samples/reports/sample.$ext"
done

profile=$(mktemp -d "$work/chromium.XXXXXX")
"$chromium" --headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking \
  --disable-component-update --disable-sync --user-data-dir="$profile" --hide-scrollbars \
  --screenshot="$work/sample.png" --window-size=1200,2000 "file://$top/samples/reports/sample.html" 2>/dev/null >/dev/null
[ -s "$work/sample.png" ] || { echo "make-report-samples.sh: chromium wrote no screenshot" >&2; exit 1; }
mv "$work/sample.png" samples/reports/sample.png
echo "wrote samples/reports/sample.md, samples/reports/sample.html, samples/reports/sample.png"
