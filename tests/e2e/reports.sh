#!/usr/bin/env bash
# The report formats end to end, each checked against the JSON report of the
# same assessment: markdown, html (in a real browser: headless chromium),
# sarif, dot and mermaid; -o FILE; the gates with the new formats.
. "$(dirname "$0")/lib.bash"

answers="$SAMPLES/answers/alm-accelerator-after-prerequisites.json"

# py SCRIPT ARGS...: runs a Python check; its output names what failed.
py() { python3 -c "$@"; }

for v in alm-accelerator alm-accelerator-after-prerequisites makers-path grow-maturity-first insufficient-information; do
  run "json $v" assess --no-repo --answers "$SAMPLES/answers/$v.json" --format json
  cp "$OUT" "$WORK/$v.json"

  # Markdown: the title first; one row of the gap table per gap, with its action;
  # one row of the unknowns table per unknown; the flowchart highlights the path.
  run "markdown $v" assess --no-repo --answers "$SAMPLES/answers/$v.json" --format markdown
  expect_exit 0
  check "py '
import json, re, sys
r = json.load(open(sys.argv[1])); md = open(sys.argv[2]).read()
unesc = lambda s: re.sub(r\"\\\\\\\\(.)\", r\"\\1\", s)
def rows(heading):
    sec = md.split(heading, 1)[1].split(\"\n## \", 1)[0]
    return [l for l in sec.splitlines() if l.startswith(\"|\")][2:]
assert md.splitlines()[0] == \"# \" + r[\"title\"], md.splitlines()[0]
gaps = rows(\"## Gaps and actions\")
assert len(gaps) == len(r[\"gaps\"]), (len(gaps), len(r[\"gaps\"]))
for row, gap in zip(gaps, r[\"gaps\"]):
    assert gap[\"action\"] in unesc(row), gap[\"part\"]
assert len(rows(\"## Unknown: questions to answer\")) == len(r[\"unknowns\"])
chart = md.split(\"\`\`\`mermaid\n\", 1)[1].split(\"\`\`\`\", 1)[0]
assert chart.startswith(\"flowchart TD\")
visited = re.search(r\"class ([n0-9,]+) visited\", chart).group(1).split(\",\")
assert len(visited) == len(r[\"path\"]) + 1, visited  # the decisions made and the verdict
' '$WORK/$v.json' '$OUT'"

  # SARIF: one result per gap, in order, ruleId the part, level warning.
  run "sarif $v" assess --no-repo --answers "$SAMPLES/answers/$v.json" --format sarif
  expect_exit 0
  check "py '
import json, sys
r = json.load(open(sys.argv[1])); s = json.load(open(sys.argv[2]))
assert s[\"version\"] == \"2.1.0\"
run = s[\"runs\"][0]
assert [x[\"ruleId\"] for x in run[\"results\"]] == [g[\"part\"] for g in r[\"gaps\"]]
assert all(x[\"level\"] == \"warning\" for x in run[\"results\"])
assert all(x[\"locations\"][0][\"physicalLocation\"][\"artifactLocation\"][\"uri\"] == \".\" for x in run[\"results\"])
rules = run[\"tool\"][\"driver\"][\"rules\"]
assert all(rules[x[\"ruleIndex\"]][\"id\"] == x[\"ruleId\"] for x in run[\"results\"])
' '$WORK/$v.json' '$OUT'"

  # DOT and Mermaid of the tree with this assessment's path.
  run "dot $v" assess --no-repo --answers "$SAMPLES/answers/$v.json" --format dot
  expect_exit 0
  check "py '
import json, re, sys
r = json.load(open(sys.argv[1])); dot = open(sys.argv[2]).read()
assert dot.startswith(\"digraph\")
for step in r[\"path\"]:
    line = [l for l in dot.splitlines() if l.startswith(\"  \\\"%s\\\" [\" % step[\"node\"])][0]
    assert \"penwidth=3\" in line and \"(%s)\" % step[\"value\"] in line, line
taken = [l for l in dot.splitlines() if \"->\" in l and \"penwidth=3\" in l]
assert len(taken) == len(r[\"path\"]), taken
' '$WORK/$v.json' '$OUT'"
  run "mermaid $v" assess --no-repo --answers "$SAMPLES/answers/$v.json" --format mermaid
  expect_exit 0
  expect_stdout_has "flowchart TD"
  expect_stdout_has "classDef visited"
done

# HTML: self-contained, and a real browser shows the verdict and every action.
run "html" assess --no-repo --answers "$answers" --format html -o "$WORK/report.html"
expect_exit 0
expect_stdout_empty
check "grep -q '<h1>Adopt the ALM Accelerator for Power Platform once the prerequisites are in place</h1>' '$WORK/report.html'"
check "! grep -qiE '<script|<link|<img| src=' '$WORK/report.html'"

chromium=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$chromium" ]; then
  name="chromium"; bad "chromium is not installed (it is in .ci/packages)"
else
  # A browser of its own: a fresh profile, no network of its own, no GPU.
  browse() {
    local profile; profile=$(mktemp -d "$WORK/chromium.XXXXXX")
    timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking \
      --disable-component-update --disable-sync --user-data-dir="$profile" --window-size=1200,2000 "$@" 2>/dev/null
  }
  name="html screenshot"
  browse --screenshot="$WORK/report.png" "file://$WORK/report.html" >/dev/null
  check "[ -s '$WORK/report.png' ] && [ \"\$(head -c 8 '$WORK/report.png' | od -An -tx1 | tr -d ' \n')\" = 89504e470d0a1a0a ]"
  name="html dom"
  browse --dump-dom "file://$WORK/report.html" >"$WORK/dom.html"
  check "py '
import html.parser, json, sys
class Text(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(); self.parts = []; self.skip = 0
    def handle_starttag(self, tag, attrs): self.skip += tag in (\"style\", \"title\")
    def handle_endtag(self, tag): self.skip -= tag in (\"style\", \"title\")
    def handle_data(self, d):
        if not self.skip: self.parts.append(d)
p = Text(); p.feed(open(sys.argv[2]).read())
text = \" \".join(\" \".join(p.parts).split())
r = json.load(open(sys.argv[1]))
assert r[\"title\"] in text, \"verdict title\"
for g in r[\"gaps\"]:
    assert \" \".join(g[\"action\"].split()) in text, g[\"part\"]
assert \"Verdict reached\" in text and \"Answer: no, from the answers\" in text
' '$WORK/alm-accelerator-after-prerequisites.json' '$WORK/dom.html'"
fi

# Gates hold whatever the format, and the report is still written.
run "gate with sarif" assess --no-repo --answers "$SAMPLES/answers/makers-path.json" --format sarif \
  --fail-unless alm-accelerator -o "$WORK/gate.sarif"
expect_exit 1
expect_stderr_has "gate not met: the verdict is makers-path"
check "python3 -c 'import json,sys; assert json.load(open(sys.argv[1]))[\"version\"] == \"2.1.0\"' '$WORK/gate.sarif'"
run "min-confidence with markdown" assess --no-repo --answers "$SAMPLES/answers/insufficient-information.json" \
  --format markdown --min-confidence 0.9
expect_exit 1
expect_stdout_has "# Insufficient information to walk the tree"
expect_stderr_has "gate not met: the confidence is"
run "gates met" assess --no-repo --answers "$SAMPLES/answers/alm-accelerator.json" --format html \
  --fail-unless alm-accelerator --min-confidence 0.5 -o "$WORK/ok.html"
expect_exit 0

run "unknown format" assess --no-repo --format yaml
expect_exit 2
expect_stdout_empty
expect_stderr_has "expected text, json, markdown, html, sarif, dot or mermaid"
run "help lists the formats" assess --help
expect_stdout_has "markdown, html, sarif, dot or mermaid"
expect_stdout_has "--quiet"

# Off a terminal there is no progress meter: stderr stays empty.
run "no progress off a terminal" assess --no-repo --answers "$answers" --format json
expect_exit 0
check "[ ! -s '$ERR' ]"

finish
