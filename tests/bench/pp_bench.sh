#!/usr/bin/env bash
# The Power Platform probe against the local stand-in (tests/pp_server.py): a
# tenant of 500 environments at 100 a page, every answer delayed by 25 ms.
#
#   probe    the probe as shipped (its default bound on requests in flight)
#   serial   the same with one request in flight
#   chain    the chain of requests that depend on each other, replayed by curl
#            one after another, summing curl's own time for each: the admin
#            token -> the five environment pages -> one environment's token ->
#            its solutions -> (on the pipelines host) one Pipelines table
#   scan     the probe for BENCH_REPOSITORIES repositories one after another,
#            as scan --power-platform runs it: "each" reads the tenant for every
#            repository (as before the scan shared it), "shared" with one
#            tenant cache; the requests, environment pages and token requests
#            are counted in the stand-in's log
#
#   tests/bench/pp_bench.sh
#   BENCH_RUNS=N            runs per measurement, best kept (default 3)
#   BENCH_ENVIRONMENTS=500  environments in the tenant
#   BENCH_LATENCY_MS=25
#   BENCH_REPOSITORIES=40   repositories of the scan variant
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
runs=${BENCH_RUNS:-3}
envs=${BENCH_ENVIRONMENTS:-500}
latency=${BENCH_LATENCY_MS:-25}
repositories=${BENCH_REPOSITORIES:-40}
build=${BENCH_BUILD:-$root/build-bench-pp}
work=$(mktemp -d "${TMPDIR:-/tmp}/alm-pp-bench-XXXXXX")
server_pid=
cleanup() {
	if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; fi
	rm -rf "$work"
}
trap cleanup EXIT

cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
if ! cmake --build "$build" --target alm -j2 >"$work/build.log" 2>&1; then
	cat "$work/build.log" >&2
	exit 1
fi
# shellcheck disable=SC2046
cc -O2 -std=c11 -D_XOPEN_SOURCE=700 -D_DEFAULT_SOURCE -o "$work/driver" "$here/pp_bench_driver.c" \
	-I"$root/include" -I"$root/src" -I"$root/src/probes/pp" "$build/libalm.a" \
	$(pkg-config --cflags --libs libgit2 libcjson libcurl expat yaml-0.1) -lpthread -lm

# The stand-in has five environments of its own beside the generated ones.
python3 "$root/tests/pp_server.py" --latency "$latency" --environments $((envs - 5)) --page-size 100 \
	--dataverse-page-size 500 --log "$work/requests.log" --lifetime 3600 >"$work/port" &
server_pid=$!
for _ in $(seq 100); do
	[ -s "$work/port" ] && break
	sleep 0.1
done
port=$(head -1 "$work/port")
url="http://127.0.0.1:$port"

probe_best() {
	local best= line t req maxf count host
	for _ in $(seq "$runs"); do
		line=$("$work/driver" "$url" "$1")
		read -r t req maxf count host <<<"$line"
		if [ "$count" != "$envs" ] || [ "$host" != host ]; then
			echo "pp_bench: wrong result: $line" >&2
			exit 1
		fi
		if [ -z "$best" ] || awk "BEGIN{exit !($t < $best)}"; then best=$t; fi
	done
	echo "$best $req $maxf"
}

# The dependent chain, each request timed by curl itself.
chain_once() {
	local tenant=5b1f3c8e-2d4a-4c71-9a0e-7e6d3b2f9c10 total=0 t tok body skip
	local form=(--data-urlencode grant_type=client_credentials --data-urlencode client_id=0a1b2c3d-0000-4000-8000-00000000c11e
		--data-urlencode 'client_secret=pp-test-secret~Zq8+/=&x')
	body=$(curl -s -w '\n%{time_total}' "${form[@]}" --data-urlencode scope=https://service.powerapps.com/.default \
		"$url/$tenant/oauth2/v2.0/token")
	total=$(awk -v a="$total" -v b="$(tail -1 <<<"$body")" 'BEGIN{print a+b}')
	tok=$(head -1 <<<"$body" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
	for skip in "" 100 200 300 400; do
		t=$(curl -s -o /dev/null -w '%{time_total}' -H "Authorization: Bearer $tok" \
			"$url/providers/Microsoft.BusinessAppPlatform/scopes/admin/environments?api-version=2023-06-01${skip:+&\$skiptoken=$skip}")
		total=$(awk -v a="$total" -v b="$t" 'BEGIN{print a+b}')
	done
	local dv="http://contoso-pipelines.localhost:$port"
	body=$(curl -s -w '\n%{time_total}' "${form[@]}" --data-urlencode "scope=https://contoso-pipelines.localhost:$port/.default" \
		"$url/$tenant/oauth2/v2.0/token")
	total=$(awk -v a="$total" -v b="$(tail -1 <<<"$body")" 'BEGIN{print a+b}')
	tok=$(head -1 <<<"$body" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
	for path in "solutions?\$select=uniquename" "deploymentstageruns?\$select=artifactname"; do
		t=$(curl -s -o /dev/null -w '%{time_total}' -H "Authorization: Bearer $tok" "$dv/api/data/v9.2/$path")
		total=$(awk -v a="$total" -v b="$t" 'BEGIN{print a+b}')
	done
	echo "$total"
}

chain_best() {
	local best= t
	for _ in $(seq "$runs"); do
		t=$(chain_once)
		if [ -z "$best" ] || awk "BEGIN{exit !($t < $best)}"; then best=$t; fi
	done
	echo "$best"
}

read -r p_t p_req p_max <<<"$(probe_best 0)"
read -r s_t s_req _ <<<"$(probe_best 1)"
c_t=$(chain_best)
printf 'environments %d, latency %d ms, best of %d\n' "$envs" "$latency" "$runs"
printf '%-8s %9s %9s %13s %16s\n' run seconds requests max_in_flight ratio_to_chain
printf '%-8s %9.3f %9d %13d %16.2f\n' probe "$p_t" "$p_req" "$p_max" "$(awk -v a="$p_t" -v b="$c_t" 'BEGIN{print a/b}')"
printf '%-8s %9.3f %9d %13d %16.2f\n' serial "$s_t" "$s_req" 1 "$(awk -v a="$s_t" -v b="$c_t" 'BEGIN{print a/b}')"
printf '%-8s %9.3f %9d %13s %16.2f\n' chain "$c_t" 9 - 1

# The scan: one run each way (the counts do not vary; the time is one run's).
scan_once() { # each|shared: "SECONDS REQUESTS ENVIRONMENT_PAGES TOKEN_REQUESTS"
	local line t req count host
	: >"$work/requests.log"
	line=$("$work/driver" "$url" 0 "$repositories" "$1")
	read -r t req _ count host <<<"$line"
	if [ "$count" != "$envs" ] || [ "$host" != host ]; then
		echo "pp_bench: wrong result: $line" >&2
		exit 1
	fi
	python3 - "$work/requests.log" "$t" "$req" <<'EOF'
import json, sys
log = [json.loads(l) for l in open(sys.argv[1])]
pages = sum(e["path"].endswith("/scopes/admin/environments") for e in log)
tokens = sum(e["method"] == "POST" for e in log)
print(sys.argv[2], sys.argv[3], pages, tokens)
EOF
}
read -r e_t e_req e_pages e_tok <<<"$(scan_once each)"
read -r h_t h_req h_pages h_tok <<<"$(scan_once shared)"
printf '\nscan of %d repositories\n' "$repositories"
printf '%-8s %9s %9s %18s %15s\n' tenant seconds requests environment_pages token_requests
printf '%-8s %9.3f %9d %18d %15d\n' each "$e_t" "$e_req" "$e_pages" "$e_tok"
printf '%-8s %9.3f %9d %18d %15d\n' shared "$h_t" "$h_req" "$h_pages" "$h_tok"
printf 'shared/each: requests %.3f, seconds %.2f\n' "$(awk -v a="$h_req" -v b="$e_req" 'BEGIN{print a/b}')" \
	"$(awk -v a="$h_t" -v b="$e_t" 'BEGIN{print a/b}')"
