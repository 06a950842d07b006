#!/usr/bin/env bash
# A team's own derivations: `rules validate` names what is wrong in the derived
# section by its JSON path (exit 3), and a changed derivation is what the
# assessment runs, shown as inferred in every format, with the outcomes.
. "$(dirname "$0")/lib.bash"

# A team's rules: the defaults with one entry changed (python edits the dump).
edit_rules() {
  "$ALM_BIN" rules dump >"$WORK/default.json"
  python3 - "$WORK/default.json" "$WORK/team.json" "$1" <<'EOF'
import json, sys
rules = json.load(open(sys.argv[1]))
exec(sys.argv[3])
json.dump(rules, open(sys.argv[2], "w"), indent=1)
EOF
}

edit_rules "rules['derived'][0]['logic'] = {'frobnicate': [1]}"
run "bad logic" rules validate "$WORK/team.json"
expect_exit 3
expect_stderr_has '$.derived[0].logic'
expect_stderr_has 'frobnicate'

edit_rules "rules['derived'][2]['type'] = 'integer'"
run "unknown type" rules validate "$WORK/team.json"
expect_exit 3
expect_stderr_has '$.derived[2].type'

edit_rules "rules['derived'][1]['fact'] = 'ado.pipelines.count'"
run "shadowing a probe's namespace" rules validate "$WORK/team.json"
expect_exit 3
expect_stderr_has '$.derived[1].fact'
expect_stderr_has 'shadows the namespace "ado"'

# A team that counts any git remote on dev.azure.com, or none at all, as Azure DevOps
# and takes the maturity floor from its own convention: a file naming the level.
edit_rules "
for d in rules['derived']:
    if d['fact'] == 'derived.maturity.current_floor':
        d['logic'] = {'if': [{'var': 'repo.files.codeowners'}, 300, None]}
        d['evidence'] = 'the repository has a CODEOWNERS file ({{repo.files.codeowners}})'
"
run "a team's derivation validates" rules validate "$WORK/team.json"
expect_exit 0

repo="$WORK/repo"
git init -q -b main "$repo"
mkdir -p "$repo/.github"
printf '* @contoso/finance-apps\n' >"$repo/.github/CODEOWNERS"
printf 'readme\n' >"$repo/README.md"
git -C "$repo" add -A
git -C "$repo" -c user.name=T -c user.email=t@example.com commit -qm "first"

run "the team's derivation decides the gate" assess "$repo" --rules "$WORK/team.json" --format json
expect_exit 0
expect_json "r['path'][0]['value'] == 'yes' and r['path'][0]['source'] == 'derived' and r['path'][0]['inferred']"
expect_json "'CODEOWNERS' in r['path'][0]['evidence'][0]['detail'] and r['path'][0]['evidence'][0]['detail'].startswith('inferred from evidence: ')"
expect_json "r['maturity']['current_at_least'] == 300 and r['maturity']['current'] is None"
expect_json "r['facts']['derived']['maturity']['current_floor'] == 300 and 'maturity' not in r['facts']['answers']"

for format in text markdown html; do
  run "inferred in $format" assess "$repo" --rules "$WORK/team.json" --format "$format"
  expect_exit 0
  expect_stdout_has "inferred from evidence"
done
# signals shows what the rules derive, beside the facts it comes from.
run "signals: the team's derived values" signals "$repo" --rules "$WORK/team.json"
expect_exit 0
expect_json "[d['value'] for d in r['derived'] if d['fact'] == 'derived.maturity.current_floor'] == [300]"
expect_json "[d['answers'] for d in r['derived'] if d['fact'] == 'derived.maturity.current_floor'] == ['maturity.current']"
expect_json "all(d['stands_in'] for d in r['derived'] if d['fact'] == 'derived.maturity.current_floor')"
expect_json "'CODEOWNERS' in [d['evidence'] for d in r['derived'] if d['fact'] == 'derived.maturity.current_floor'][0]"
run "signals: the built-in rules derive no floor here" signals "$repo"
expect_exit 0
expect_json "isinstance(r['derived'], list) and 'derived.maturity.current_floor' not in [d['fact'] for d in r['derived']]"
cp "$WORK/team.json" "$WORK/team-good.json"
edit_rules "rules['derived'][0]['logic'] = {'frobnicate': [1]}"
# Given no repository as well, only the rules are blamed: the probes never ran.
run "signals: a rules file that does not load stops before any probe" signals "$WORK/no-repository" --rules "$WORK/team.json"
expect_exit 3
expect_stdout_empty
expect_stderr_has 'frobnicate'
expect_stderr_lines 1
check "! grep -q 'not a git repository' '$ERR'"
mv "$WORK/team-good.json" "$WORK/team.json"

run "outcomes in text" assess "$repo" --rules "$WORK/team.json"
expect_stdout_has "Outcomes, by the answers that decide them:"
run "sarif" assess "$repo" --rules "$WORK/team.json" --format sarif
expect_exit 0
expect_json "r['runs'][0]['properties']['inferred'][0]['answers'] == 'maturity.current'"

# A stated answer wins over the derivation.
printf '{"schema": "alm-advisor/answers@1", "maturity": {"current": 100, "target": 200}}\n' >"$WORK/answers.json"
run "answers win" assess "$repo" --rules "$WORK/team.json" --answers "$WORK/answers.json" --format json
expect_exit 0
expect_json "r['verdict'] == 'grow-maturity-first' and r['path'][0]['source'] == 'answers'"
expect_json "[d['overridden'] for d in r['derived'] if d['fact'] == 'derived.maturity.current_floor'] == [True]"

finish
