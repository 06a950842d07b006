#!/usr/bin/env bash
# Portfolio scans: discovery below a directory, mixed outcomes (a broken
# repository, a missing answers file), every format's content, and sharding
# followed by merge giving exactly the unsharded portfolio.
. "$(dirname "$0")/lib.bash"

root="$WORK/org"
mkdir -p "$root/finance" "$root/hr/apps" "$root/notes"
"$SAMPLES/make-sample-repo.sh" "$root/finance/invoices" >/dev/null
"$SAMPLES/make-sample-repo.sh" "$root/hr/apps/onboarding" >/dev/null
"$SAMPLES/make-sample-repo.sh" "$root/finance/expenses" >/dev/null
git init -q --bare "$root/archive.git"
mkdir -p "$root/broken" && echo "gitdir: /nonexistent/place" > "$root/broken/.git"
mkdir -p "$root/finance/invoices/.alm-advisor"
cp "$SAMPLES/answers/sample-team.json" "$root/finance/invoices/.alm-advisor/answers.json"
cp "$SAMPLES/answers/makers-path.json" "$WORK/onboarding.json"
printf '{"onboarding": "onboarding.json", "expenses": "no-such-answers.json"}\n' > "$WORK/map.json"

run "scan json" scan --under "$root" --since all --answers-map "$WORK/map.json" -j 2 --format json
expect_exit 0
expect_json "r['schema'] == 'alm-advisor/portfolio@1' and r['repositories'] == 5"
expect_json "sorted(x['name'] for x in r['rows']) == ['archive.git', 'broken', 'expenses', 'invoices', 'onboarding']"
expect_json "{x['name']: x['verdict'] for x in r['rows']}['invoices'] == 'alm-accelerator-after-prerequisites'"
expect_json "{x['name']: x['verdict'] for x in r['rows']}['onboarding'] == 'makers-path'"
expect_json "{x['name']: x['status'] for x in r['rows']}['broken'] == 'failed'"
expect_json "'no-such-answers.json' in {x['name']: x['error'] for x in r['rows']}['expenses']"
expect_json "r['totals']['failed'] == 2 and r['totals']['makers-path'] == 1"
expect_json "[x['name'] for x in r['rows']][-2:] == ['broken', 'expenses']"   # failed rows last, by name
expect_json "all(x['report']['schema'] == 'alm-advisor/report@1' for x in r['rows'] if x['status'] == 'assessed')"
expect_json "'pull requests: 7 in history' in {x['name']: x['evidence'] for x in r['rows']}['invoices']"
cp "$OUT" "$WORK/all.json"

run "scan -j 1 gives the same portfolio" scan --under "$root" --since all --answers-map "$WORK/map.json" -j 1 --format json
check "cmp -s '$OUT' '$WORK/all.json'"

for i in 1 2 3; do
  run "shard $i" scan --under "$root" --since all --answers-map "$WORK/map.json" --shard "$i/3" --format json -o "$WORK/shard$i.json"
  expect_exit 0
done
run "merge of the shards" merge "$WORK/shard1.json" "$WORK/shard2.json" "$WORK/shard3.json" --format json
expect_exit 0
check "cmp -s '$OUT' '$WORK/all.json'"
check "python3 -c 'import json,sys; n=[len(json.load(open(f))[\"rows\"]) for f in sys.argv[1:]]; assert sum(n) == 5 and max(n) < 5' $WORK/shard1.json $WORK/shard2.json $WORK/shard3.json"

printf '{"schema": "alm-advisor/portfolio@1", "rows": [{"verdict": "makers-path"}, 1]}\n' > "$WORK/odd.json"
run "merge refuses rows without a name" merge "$WORK/odd.json"
expect_exit 3
expect_stdout_empty
expect_stderr_has 'input 1: $.rows[0]: expected an object with the strings "name" and "path"'

# A bare repository keeps its team's answers in the tree at HEAD.
"$SAMPLES/make-sample-repo.sh" "$WORK/withanswers" >/dev/null
mkdir -p "$WORK/withanswers/.alm-advisor"
cp "$SAMPLES/answers/alm-accelerator.json" "$WORK/withanswers/.alm-advisor/answers.json"
git -C "$WORK/withanswers" add -A
git -C "$WORK/withanswers" -c user.name=t -c user.email=t@example.com commit -qm "Keep our answers"
git clone -q --bare "$WORK/withanswers" "$WORK/withanswers.git"
run "bare repository answers" scan "$WORK/withanswers" "$WORK/withanswers.git" --since all --format json
expect_exit 0
expect_json "[x['verdict'] for x in r['rows']] == ['alm-accelerator', 'alm-accelerator']"

run "merge refuses a report" merge "$WORK/all.json" "$ALM_SOURCE_DIR/rules/default.json"
expect_exit 3
expect_stdout_empty
expect_stderr_has "input 2: not a portfolio"

run "csv" merge "$WORK/all.json" --format csv
expect_exit 0
check "[ \$(wc -l < '$OUT') -eq 6 ]"
check "python3 -c 'import csv,sys; rows=list(csv.DictReader(open(sys.argv[1]))); assert [r[\"name\"] for r in rows][0] == \"invoices\" and rows[0][\"verdict\"] == \"alm-accelerator-after-prerequisites\" and rows[0][\"maturity_current\"] == \"300\"' '$OUT'"
run "markdown" merge "$WORK/all.json" --format markdown
expect_stdout_has "| makers-path | 1 |"
expect_stdout_has "| onboarding | makers-path |"
check "[ \$(sed -n '/^| name |/,\$p' '$OUT' | grep -c '^| ') -eq 6 ]"   # the header and one row per repository
run "html" merge "$WORK/all.json" --format html
expect_stdout_has "<th scope=\"row\">invoices</th><td>alm-accelerator-after-prerequisites</td>"
expect_stdout_has "aria-label=\"2 of 5\""
check "! grep -q '<script' '$OUT'"
run "text" merge "$WORK/all.json"
expect_stdout_has "Portfolio: 5 repositories"

check "[ \"\$(cd '$root/finance/invoices' && '$ALM_BIN' scan . --since all --format csv | sed -n 2p | cut -d, -f1)\" = '\"invoices\"' ]"   # "." is named after its directory

# What discovery cannot look into is reported, not silently skipped: a
# repository deeper than the limit, a path too long, a directory it may not read.
deep="$WORK/deep"; d="$deep"
for i in $(seq 1 34); do d="$d/d$i"; done
mkdir -p "$d" && git init -q "$d/too-deep"
long="$WORK/long"; d="$long"
seg=$(printf 'x%.0s' $(seq 1 250))
for i in $(seq 1 17); do d="$d/$seg"; done
mkdir -p "$d"
run "scan: too deep" scan --under "$deep" --format json
expect_exit 0
expect_stderr_has "more than 32 directories below --under: not searched for repositories"
expect_json "r['repositories'] == 0 and r['rows'] == []"
run "scan: path too long" scan --under "$long" --format json
expect_exit 0
expect_stderr_has "longer than 4095 bytes: not searched"
if [ "$(id -u)" -ne 0 ]; then   # root reads any directory
  mkdir -p "$WORK/closed/inner" && chmod 000 "$WORK/closed/inner"
  run "scan: unreadable directory" scan --under "$WORK/closed" --format json
  expect_exit 0
  expect_stderr_has "cannot be read (Permission denied): not searched for repositories"
  chmod 700 "$WORK/closed/inner"
fi

run "scan usage" scan
expect_exit 2
run "scan bad shard" scan --under "$root" --shard 4/3
expect_exit 2
run "scan --ado without a token" scan --ado https://dev.azure.com/org/project   # the rest: scan_ado.sh
expect_exit 3
expect_stderr_has "AZURE_DEVOPS_EXT_PAT"

finish
