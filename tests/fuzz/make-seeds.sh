#!/usr/bin/env bash
# Rebuilds the seed corpora (corpus/*/seed-*) from the project's own fixtures:
# the JsonLogic conformance cases, the rules, the sample answers, the Azure
# DevOps REST bodies, the commit messages and YAML of the repository tests, and
# commit-graph files that git writes. Files named regress-* (inputs that once
# failed) are kept. Run it after a fixture changes; commit what it writes.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
corpus="$here/corpus"
for h in jsonlogic rules answers ado_parse pp_parse pr_classify yaml pp_xml commit_graph; do
  mkdir -p "$corpus/$h"
  find "$corpus/$h" -name 'seed-*' -delete
done

python3 - "$src" "$corpus" <<'PY'
import json, os, re, sys, glob
src, corpus = sys.argv[1], sys.argv[2]
def put(h, name, data):
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(corpus, h, "seed-" + name), "wb") as f:
        f.write(data)

# JsonLogic: each conformance case as [rule, data]; each condition of the rules.
cases = json.load(open(os.path.join(src, "tests/unit/jsonlogic_conformance.json")))
for i, c in enumerate(cases):
    put("jsonlogic", "case-%03d.json" % i, json.dumps([c[0], c[1]]))
rules = json.load(open(os.path.join(src, "rules/default.json")))
n = 0
def conditions(v):
    global n
    if isinstance(v, dict):
        for k, x in v.items():
            if k in ("condition", "when"):
                put("jsonlogic", "rules-%03d.json" % n, json.dumps([x, {"repo": {}, "ado": {}, "answers": {}}]))
                n += 1
            conditions(x)
    elif isinstance(v, list):
        for x in v:
            conditions(x)
conditions(rules)

# Rules: the defaults, the broken fixture, and small variants of the defaults.
put("rules", "default.json", open(os.path.join(src, "rules/default.json"), "rb").read())
put("rules", "bad-rules.json", open(os.path.join(src, "tests/e2e/fixtures/bad-rules.json"), "rb").read())
small = dict(rules)
small["notices"] = []
put("rules", "no-notices.json", json.dumps(small))
cyc = json.loads(json.dumps(rules))
nodes = cyc["tree"]["nodes"]
dec = [x for x in nodes if x.get("kind") == "decision"]
if dec:
    dec[-1]["no"] = cyc["tree"]["start"]
put("rules", "cycle.json", json.dumps(cyc))

# Answers: every sample, the broken fixture, and one with comments and nulls.
for p in sorted(glob.glob(os.path.join(src, "samples/answers/*.json"))):
    put("answers", os.path.basename(p), open(p, "rb").read())
put("answers", "bad-answers.json", open(os.path.join(src, "tests/e2e/fixtures/bad-answers.json"), "rb").read())
put("answers", "comments.json", '// team answers\n{ /* maturity */ "maturity": {"current": 200, "target": null},\n'
    '  "impact": "high", // why\n  "schema": "alm-advisor/answers@1" }\n')

# Azure DevOps: the 200 body of every fixture, plus the shapes the parsers accept.
for p in sorted(glob.glob(os.path.join(src, "tests/fixtures/ado/*.json"))):
    doc = json.load(open(p))
    body = doc.get("responses", {}).get("200", {}).get("body")
    if body is not None:
        put("ado_parse", os.path.basename(p), json.dumps(body))
put("ado_parse", "bom-wrapper.json", b"\xef\xbb\xbf" + b'{"count": 1, "value": [{"id": 7, "name": "ci", "process": {"type": 2}}]}')
put("ado_parse", "bare-array.json", '[{"id": 1, "status": "completed", "result": "succeeded", "reason": "pullRequest", '
    '"queueTime": "2024-02-29T00:00:00Z", "startTime": "2024-02-29T00:01:00.5+02:00"}, 3, null]')
put("ado_parse", "error.json", '{"$id": "1", "message": "TF400813: The user is not authorized.\\n\\tSecond line", "typeKey": "X"}')
put("ado_parse", "plain.txt", "Service Unavailable\r\nretry later")
put("ado_parse", "html.html", "<!DOCTYPE html><html><head><title>Sign In</title></head></html>")
put("ado_parse", "time.txt", "2015-07-16T19:52:42.7771198Z")
put("ado_parse", "project.json", '{"id": "eb6e4656", "name": "Fabrikam-Fiber-Git", "state": "wellFormed"}')
put("ado_parse", "environments.json", '{"count": 2, "value": [{"id": 1, "name": "Production"}, {"id": 2, "name": "Test"}]}')
# The shapes tests/ado_server.py serves for an environment's checks and a user entitlement.
put("ado_parse", "checks-prod.json", '{"count": 2, "value": [{"id": 31, "version": 1, "timeout": 43200, "resource": {"type": "environment", "id": "3", "name": "Prod"}, "createdOn": "2024-01-02T10:00:00Z", "modifiedOn": "2024-01-02T10:00:00Z", "type": {"id": "8c6f20a7-a545-4486-9777-f762fafe0d4d", "name": "Approval"}, "settings": {"approvers": [{"displayName": "Bob Reviewer", "id": "5a0e5b1c-0000-4000-8000-00000000b0b0"}], "executionOrder": "anyOrder", "minRequiredApprovers": 0, "instructions": "", "blockedApprovers": [], "requesterCannotBeApprover": false}}, {"id": 32, "version": 1, "timeout": 43200, "resource": {"type": "environment", "id": "3", "name": "Prod"}, "createdOn": "2024-01-02T10:00:00Z", "modifiedOn": "2024-01-02T10:00:00Z", "type": {"id": "fe1de3ee-a436-41b4-bb20-f6eb4cb879a7", "name": "Task Check"}, "settings": {"definitionRef": {"id": "86b05a0c-73e6-4f7d-b3cf-e38f3b39a75b", "name": "evaluatebranchProtection", "version": "0.0.1"}, "displayName": "Branch control", "inputs": {"allowedBranches": "refs/heads/main", "ensureProtectionOfBranch": "true"}, "retryInterval": 5}}]}')
put("ado_parse", "entitlement-stakeholder.json", '{"id": "c4a0e5b1-0000-4000-8000-0000000ca201", "user": {"subjectKind": "user", "metaType": "member", "domain": "AAD", "principalName": "carol.maker@contoso.com", "mailAddress": "carol.maker@contoso.com", "origin": "aad", "originId": "04a0e5b1-0000-4000-8000-0000000ca201", "displayName": "Carol Maker", "descriptor": "aad.c4a0e5b10000400080000000000ca201"}, "accessLevel": {"licensingSource": "account", "accountLicenseType": "stakeholder", "msdnLicenseType": "none", "licenseDisplayName": "Stakeholder", "status": "active", "statusMessage": "", "assignmentSource": "unknown"}, "lastAccessedDate": "2024-05-20T08:00:00Z", "dateCreated": "2023-01-01T08:00:00Z"}')

# Power Platform: the example bodies, a Dataverse error, a challenge, rows of
# the Pipelines tables, an environment page with a next link.
for p in sorted(glob.glob(os.path.join(src, "tests/fixtures/pp/*.json"))):
    put("pp_parse", os.path.basename(p), open(p, "rb").read())
put("pp_parse", "dataverse-error.json", '{"error":{"code":"0x80060888","message":"Resource not found for the segment '
    "'deploymentpipelines'.\\n\\tSecond line\"}}")
put("pp_parse", "challenge.txt", 'Bearer authorization_uri="https://login.microsoftonline.com/common", error="invalid_token", '
    'error_description="The token is expired"')
put("pp_parse", "pipeline-rows.json", '{"@odata.context":"x","value":[{"deploymentstageid":"c1","name":"Production",'
    '"_deploymentpipelineid_value":"b1","_previousdeploymentstageid_value":"c0","_targetdeploymentenvironmentid_value":"a3"},'
    '{"deploymentstagerunid":"d1","artifactname":"ContosoInvoices","artifactversion":"1.0","stagerunstatus":200000002,'
    '"_deploymentstageid_value":"c1"},{"deploymentenvironmentid":"a3","name":"Prod","environmentid":"e",'
    '"environmenttype":200000001}],"@odata.nextLink":"https://x.crm.dynamics.com/api/data/v9.2/deploymentstages?$skiptoken=2"}')
put("pp_parse", "environment-page.json", b'{"value":[{"name":"e1","properties":{"displayName":"\xc3\xa9t\xc3\xa9",'
    b'"environmentSku":"Teams","databaseType":"None"}}],"nextLink":"https://api.bap.microsoft.com/next"}')

# Commit messages: the first byte is the parent count.
msgs = [
    (1, "Merged PR 42: Add the invoice flow\n\nRelated work items: #7\n"),
    (2, "Merge pull request #12 from contoso/feature\n\nAdd approvals"),
    (1, "Add approvals (#12)\n"),
    (2, "Merge branch 'feature' into 'main'\n\nAdd approvals\n\nSee merge request group/project!34\r\n"),
    (2, "Merged in feature/x (pull request #5)\n\nApproved-by: Dev Pro"),
    (1, "\n\n  Fix the flow   \n  second line\t\n\nbody"),
    (0, "Initial commit"),
    (3, "Merge branches 'a', 'b' and 'c'"),
]
for i, (p, m) in enumerate(msgs):
    put("pr_classify", "msg-%d.txt" % i, bytes([p]) + m.encode())

# YAML: the pipelines of the samples and of the repository probe's tests.
for p in sorted(glob.glob(os.path.join(src, "samples/pipelines/*.yml"))):
    put("yaml", os.path.basename(p), open(p, "rb").read())
text = open(os.path.join(src, "tests/unit/test_repo_probe.c")).read()
for name, body in re.findall(r'static const char (\w+)\[\] =\s*((?:"(?:[^"\\]|\\.)*"\s*)+);', text):
    parts = re.findall(r'"((?:[^"\\]|\\.)*)"', body)
    s = "".join(parts).encode().decode("unicode_escape")
    put("yaml", name + ".yml", s)
put("yaml", "environment-forms.yml", "stages:\n- stage: A\n  jobs:\n  - deployment: D\n    environment: { name: Flow, resourceType: VirtualMachine }\n"
    "  - deployment: E\n    environment:\n      # comment\n      name: Mapped\n  - deployment: F\n    environment: $(envName)\n"
    "  - deployment: G\n    environment: \"Quoted.resource\"\n")
# The Power Platform layout tests: their pipelines (YAML) and their solution,
# manifest and project files (XML), by the fixture's name.
text = open(os.path.join(src, "tests/unit/test_pp_layouts.c")).read()
for name, body in re.findall(r'static const char (\w+)\[\] =\s*((?:"(?:[^"\\]|\\.)*"\s*)+);', text):
    parts = re.findall(r'"((?:[^"\\]|\\.)*)"', body)
    s = "".join(parts).encode("latin-1").decode("unicode_escape").encode("latin-1")
    if name.endswith("_yml"):
        put("yaml", name + ".yml", s)
    elif name.endswith("_xml") or name.endswith("_csproj"):
        put("pp_xml", name + ".xml", s)
put("pp_xml", "entities.xml", '<?xml version="1.0"?>\n<!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>\n'
    '<ImportExportXml><SolutionManifest><UniqueName>&d;</UniqueName></SolutionManifest></ImportExportXml>\n')
put("pp_xml", "external.xml", '<?xml version="1.0"?>\n<!DOCTYPE p [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
    '<manifest><control namespace="&x;" constructor="C"/></manifest>\n')
put("pp_xml", "utf16.xml", '<?xml version="1.0" encoding="utf-16"?><Project><PropertyGroup><OutputType>Exe</OutputType></PropertyGroup></Project>'.encode("utf-16"))
put("yaml", "bom-on.yml", b"\xef\xbb\xbf'on':\n  push:\njobs:\n  build:\n    environment: production\n")
PY

# Commit graphs written by git: one file, and a split chain of two layers.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 GIT_AUTHOR_NAME=a GIT_AUTHOR_EMAIL=a@x \
  GIT_COMMITTER_NAME=a GIT_COMMITTER_EMAIL=a@x GIT_AUTHOR_DATE="@1700000000 +0000" GIT_COMMITTER_DATE="@1700000000 +0000"
(
  cd "$tmp" && git init -q -b main r && cd r
  git commit -q --allow-empty -m one && git commit -q --allow-empty -m two
  for b in x y z; do git checkout -q -b $b main~1 && git commit -q --allow-empty -m $b; done
  git checkout -q main && git merge -q --no-edit x y z >/dev/null   # an octopus: EDGE
  git commit-graph write --reachable
  { printf '\0'; cat .git/objects/info/commit-graph; } > "$corpus/commit_graph/seed-single"
  rm .git/objects/info/commit-graph
  git commit-graph write --reachable --split=no-merge
  git commit -q --allow-empty -m three
  git commit-graph write --reachable --split=no-merge
  d=.git/objects/info/commit-graphs
  {
    printf '\1'; sep=""
    while read -r h; do printf '%s' "$sep"; cat "$d/graph-$h.graph"; sep=ALMGRAPHLAYER; done < "$d/commit-graph-chain"
  } > "$corpus/commit_graph/seed-chain"
)
# Reports and portfolios as the program writes them (the sample answers, the
# sample repository with and without answers, a scan of it), the same with
# every string made hostile, and a few odd shapes. Needs a build: ALM_BIN.
bin=${ALM_BIN:-$src/build/alm-advisor}
if [ -x "$bin" ]; then
  r="$corpus/render"
  mkdir -p "$r"
  find "$r" -name 'seed-*' -delete
  for a in "$src"/samples/answers/*.json; do
    "$bin" assess --no-repo --answers "$a" --format json -o "$r/seed-report-$(basename "$a" .json).json"
  done
  "$src/samples/make-sample-repo.sh" "$tmp/srv/repos/contoso-invoices" >/dev/null
  (cd "$src" && "$bin" assess "$tmp/srv/repos/contoso-invoices" --answers samples/answers/sample-team.json \
     --format json -o "$r/seed-report-sample-repo.json")
  "$bin" assess "$tmp/srv/repos/contoso-invoices" --format json -o "$r/seed-report-sample-no-answers.json"
  "$bin" scan "$tmp/srv/repos/contoso-invoices" --format json -o "$r/seed-portfolio-sample.json"
  sed -i "s#$tmp/#/#g" "$r"/seed-*.json   # the scratch directory is no part of a seed
  python3 - "$r" <<'PY'
import json, os, sys
r = sys.argv[1]
bad = "\u001b[31mred\u0007 <script>alert(1)</script> | `x` ]] --> \"q\" =cmd \u009b2J"
def poison(v):
    if isinstance(v, dict): return {k: poison(x) for k, x in v.items()}
    if isinstance(v, list): return [poison(x) for x in v]
    return v + bad if isinstance(v, str) else v
for src, dst in (("seed-report-sample-repo.json", "seed-report-hostile.json"),
                 ("seed-portfolio-sample.json", "seed-portfolio-hostile.json")):
    json.dump(poison(json.load(open(os.path.join(r, src)))), open(os.path.join(r, dst), "w"))
with open(os.path.join(r, "seed-report-invalid-utf8.json"), "wb") as f:
    f.write(b'{"verdict":"alm-accelerator","title":"bad \xff\xfe utf8 \xc3","path":[{"node":"x\xed\xa0\x80","value":"y"}]}')
open(os.path.join(r, "seed-empty-object.json"), "w").write("{}")
open(os.path.join(r, "seed-array.json"), "w").write('[1,"x",null]')
PY
else
  echo "render: $bin not built; its seeds are left as they are" >&2
fi
for h in jsonlogic rules answers ado_parse pp_parse pr_classify yaml pp_xml commit_graph render; do
  echo "$h: $(ls "$corpus/$h" | wc -l) files"
done
