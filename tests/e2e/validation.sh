#!/usr/bin/env bash
# Input validated fully: numbers JSON can write but C cannot hold (1e400 is
# infinity, which cJSON finds equal to every number), dates that do not exist
# (2024-02-30, 2023-02-29), and a HEAD that leads to no commit while branches
# exist (its files are unknown, not absent).
. "$(dirname "$0")/lib.bash"
export GIT_AUTHOR_NAME=a GIT_AUTHOR_EMAIL=a@example.com GIT_COMMITTER_NAME=a GIT_COMMITTER_EMAIL=a@example.com

# ---- numbers out of range ---------------------------------------------------
bad_number() { # NAME TEXT PATH
  printf '%s' "$2" > "$WORK/answers.json"
  run "answers: $1" assess --no-repo --answers "$WORK/answers.json"
  expect_exit 3
  expect_stdout_empty
  expect_stderr_lines 1
  expect_stderr_has "$3: expected a finite number"
}
bad_number "1e400 as the current level" '{"maturity": {"current": 1e400}}' '$.maturity.current'
bad_number "-1e400 as the target level" '{"maturity": {"current": 300, "target": -1e400}}' '$.maturity.target'
bad_number "1E999 written otherwise" '{"maturity": {"target": 1E999}}' '$.maturity.target'
printf '{"maturity": {"current": 3e9}}' > "$WORK/answers.json"
run "answers: 3e9, finite but no level" assess --no-repo --answers "$WORK/answers.json"
expect_exit 3
expect_stderr_has '$.maturity.current: expected one of 100, 200, 300, 400, 500'
rules_number() { # TEXT: the default rules with TEXT as the first question's number
  python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
r["questions"][0]["number"] = 424242
print(json.dumps(r).replace("424242", sys.argv[2], 1))' "$ALM_SOURCE_DIR/rules/default.json" "$1" > "$WORK/rules.json"
}
rules_number 1e400
run "rules: 1e400 as a question's number" rules validate "$WORK/rules.json"
expect_exit 3
expect_stderr_has '$.questions[0].number: expected a finite number'
rules_number 3000000000
run "rules: 3000000000 as a question's number" rules validate "$WORK/rules.json"
expect_exit 3
expect_stderr_has '$.questions[0].number: expected an integer from -2147483648 to 2147483647'

# ---- dates that do not exist -------------------------------------------------
git init -q -b main "$WORK/repo"
git -C "$WORK/repo" commit -q --allow-empty -m init
for d in 2024-02-30 2023-02-29 1900-02-29 2024-04-31 2024-13-01 2024-00-10 2024-01-00 2024-01-32; do
  run "since: $d is refused" signals "$WORK/repo" --since "$d"
  expect_exit 2
  expect_stderr_has "--since '$d'"
done
for d in 2024-02-29 2000-02-29 2023-12-31 2024-01-01; do
  run "since: $d is a date" signals "$WORK/repo" --since "$d"
  expect_exit 0
  expect_json "r['facts']['repo']['since'] == '${d}T00:00:00Z'"
done

# ---- HEAD naming a branch that does not exist ---------------------------------
mkdir -p "$WORK/unborn/.github/workflows"
git init -q -b main "$WORK/unborn"
echo "on: push" > "$WORK/unborn/.github/workflows/ci.yml"
git -C "$WORK/unborn" add -A && git -C "$WORK/unborn" commit -qm ci
git -C "$WORK/unborn" symbolic-ref HEAD refs/heads/nope
run "repo: HEAD names a missing branch" signals "$WORK/unborn"
expect_exit 0
expect_json "r['probes']['repo']['status'] == 'degraded' and 'refs/heads/nope' in r['probes']['repo']['detail']"
expect_json "'files' not in r['facts']['repo']"
git clone -q --bare "$WORK/unborn" "$WORK/unborn.git" 2>/dev/null
git -C "$WORK/unborn.git" symbolic-ref HEAD refs/heads/gone
run "repo: a bare repository whose HEAD names a missing branch" signals "$WORK/unborn.git"
expect_exit 0
expect_json "r['probes']['repo']['status'] == 'degraded' and 'refs/heads/gone' in r['probes']['repo']['detail']"
expect_json "'files' not in r['facts']['repo']"
run "repo: HEAD names a missing branch, assessed" assess "$WORK/unborn" --answers "$SAMPLES/answers/makers-path.json" --format json
expect_exit 0
expect_json "r['verdict'] == 'makers-path'"
# Still definite where nothing exists at all: an empty repository has no files.
git init -q -b main "$WORK/empty"
run "repo: an empty repository keeps its definite facts" signals "$WORK/empty"
expect_exit 0
expect_json "r['probes']['repo']['status'] == 'ok' and r['facts']['repo']['files']['pipelines']['github'] == []"
# A commit at HEAD that is missing: unknown too.
cp -r "$WORK/unborn" "$WORK/missing"
git -C "$WORK/missing" symbolic-ref HEAD refs/heads/main
o=$(git -C "$WORK/missing" rev-parse HEAD)
rm -f "$WORK/missing/.git/objects/${o:0:2}/${o:2}"
run "repo: the commit at HEAD missing" signals "$WORK/missing"
expect_exit 0
expect_json "r['probes']['repo']['status'] == 'degraded' and 'files at HEAD are unknown' in r['probes']['repo']['detail']"
expect_json "'files' not in r['facts']['repo']"

finish
