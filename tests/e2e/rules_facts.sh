#!/usr/bin/env bash
# The facts catalogue: `rules facts` lists what a rules file may read, and a
# rules file that reads a misspelt fact is refused, naming the nearest one.
. "$(dirname "$0")/lib.bash"

run "facts as text" rules facts
expect_exit 0
check "head -1 '$OUT' | grep -q '^FACT  *TYPE  *SOURCE  *MEANING$'"
check "grep -qE '^repo\.pull_requests\.total +integer +repo +commits marking completed pull requests' '$OUT'"
check "grep -qE '^ado\.reachable +boolean +ado ' '$OUT'"
check "grep -qE '^answers\.impact +string +answers +Are the applications classified' '$OUT'"

run "facts as json" rules facts --format json
expect_exit 0
expect_json "all(set(f) == {'name', 'type', 'source', 'meaning'} for f in r)"
expect_json "[f['source'] for f in r if f['name'] == 'ado.pipelines.count'] == ['ado']"
expect_json "len(r) == len({f['name'] for f in r})"
# Every fact the built-in rules read is listed, with the namespace it is in.
"$ALM_BIN" rules dump >"$WORK/default.json"
check "python3 - '$OUT' '$WORK/default.json' <<'PY'
import json, sys
facts = {f['name']: f['source'] for f in json.load(open(sys.argv[1]))}
rules = json.load(open(sys.argv[2]))
read = set()
def walk(v):
    if isinstance(v, dict):
        if isinstance(v.get('var'), str) and v['var']:
            read.add(v['var'])
        for k, x in v.items():
            if k == 'needs':
                read.update(x)
            walk(x)
    elif isinstance(v, list):
        for x in v:
            walk(x)
walk(rules)
read = {n for n in read if '.' in n}  # not reduce's own current and accumulator
assert len(read) > 40, read
missing = [n for n in read if facts.get(n) != n.split('.')[0]]
assert not missing, missing
PY"

run "facts: derived facts of a rules file" rules facts --rules "$WORK/default.json" --format json
expect_exit 0
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); d['derived'].append({'fact':'derived.maturity_floor','type':'number','logic':{'var':'repo.commits'},'evidence':'a test','seed':{'id':'001','section':'a test','quote':'a test'}}); json.dump(d,open(sys.argv[2],'w'))" \
  "$WORK/default.json" "$WORK/derived.json"
run "facts: derived facts declared" rules facts --rules "$WORK/derived.json" --format json
expect_exit 0
expect_json "[f['source'] for f in r if f['name'] == 'derived.maturity_floor'] == ['derived']"

# A rules file's own descriptions are shown, never run: ESC, BEL and C1 in
# a derived fact's description and name come out spelt, in text and in a file.
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); d['derived'].append({'fact':'derived.odd\\u001b[2J','type':'number','description':'clears \\u001b]0;title\\u0007 the \\u009b31m screen','logic':{'var':'repo.commits'},'evidence':'a test','seed':{'id':'001','section':'a test','quote':'a test'}}); json.dump(d,open(sys.argv[2],'w'))" \
  "$WORK/default.json" "$WORK/hostile.json"
run "facts: control characters in a rules file's descriptions" rules facts --rules "$WORK/hostile.json"
expect_exit 0
check "! LC_ALL=C grep -q \$'[\\x1b\\x07]' '$OUT'"
check "grep -qF 'clears \\e]0;title\\x07 the \\u009b31m screen' '$OUT'"
run "facts: the same into a file" rules facts --rules "$WORK/hostile.json" -o "$WORK/facts.txt"
expect_exit 0
check "grep -qF 'clears \\e]0;title' '$WORK/facts.txt'"
check "! LC_ALL=C grep -q \$'\\x1b' '$WORK/facts.txt'"

run "facts: unknown format" rules facts --format yaml
expect_exit 2
expect_stdout_empty
expect_stderr_has "expected text or json"

sed 's/"var": "repo.pull_requests.total"/"var": "repo.pull_request.total"/' "$WORK/default.json" >"$WORK/misspelt.json"
run "validate a misspelt fact" rules validate "$WORK/misspelt.json"
expect_exit 3
expect_stdout_empty
expect_stderr_lines 1
expect_stderr_has "misspelt.json: \$.questions["
expect_stderr_has "reads 'repo.pull_request.total': no such fact (did you mean 'repo.pull_requests.total'?)"

run "assess with a misspelt fact" assess --no-repo --answers "$SAMPLES/answers/makers-path.json" --rules "$WORK/misspelt.json"
expect_exit 3
expect_stderr_has "no such fact"

finish
