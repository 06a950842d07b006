#!/usr/bin/env bash
# Fuzzes every harness (or those named) for SECONDS each (default 600) with
# libFuzzer and prints, per harness: executions, executions per second, the
# coverage libFuzzer reports (cov: edges, ft: features) and what it found.
#
#   tests/fuzz/run.sh [SECONDS] [HARNESS...]
#
# SECONDS 0 only runs each committed corpus through its libFuzzer binary (what
# CI does: it checks that the harnesses build with clang and that every corpus
# input passes under ASan and UBSan, without the randomness of fuzzing).
# Builds with clang into $ALM_FUZZ_BUILD (default build-fuzz) with -DALM_FUZZ=ON.
# New inputs go to $ALM_FUZZ_BUILD/fuzz-work/NAME (the committed corpus is only
# read); crashes, leaks, timeouts and out-of-memory inputs to
# $ALM_FUZZ_BUILD/fuzz-findings/NAME/. Copy each finding, once fixed, to
# tests/fuzz/corpus/NAME/regress-WHAT so that the suite replays it.
# Exits 1 when anything was found.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
secs=600
if [ $# -gt 0 ] && [[ $1 =~ ^[0-9]+$ ]]; then secs=$1; shift; fi
all=(jsonlogic rules answers ado_parse pp_parse pr_classify yaml pp_xml commit_graph redact render)
harnesses=("${@:-${all[@]}}")
build=${ALM_FUZZ_BUILD:-$src/build-fuzz}
cc=${CC:-clang}
command -v "$cc" >/dev/null || cc=clang-14

cmake -S "$src" -B "$build" -DALM_FUZZ=ON -DCMAKE_C_COMPILER="$cc" -DCMAKE_BUILD_TYPE=Debug >/dev/null
targets=()
for h in "${harnesses[@]}"; do targets+=(--target "fuzz_$h"); done
cmake --build "$build" -j"$(nproc)" "${targets[@]}" >/dev/null

status=0
printf '%-13s %8s %12s %8s %8s %8s  %s\n' harness seconds executions exec/s cov ft findings
for h in "${harnesses[@]}"; do
  work="$build/fuzz-work/$h" findings="$build/fuzz-findings/$h" log="$build/fuzz-work/$h.log"
  mkdir -p "$work" "$findings"
  dict=()
  [ -f "$here/dict/$h.dict" ] && dict=(-dict="$here/dict/$h.dict")
  rc=0
  budget=(-max_total_time="$secs")
  [ "$secs" -eq 0 ] && budget=(-runs=0)
  # -timeout: an input slower than 10 s is a finding (the evaluator's budgets
  # keep every rule far below); -rss_limit_mb: so is one that needs 2 GB.
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    "$build/tests/fuzz/fuzz_$h" "${budget[@]}" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$findings/" "${dict[@]}" \
    "$work" "$here/corpus/$h" >"$log" 2>&1 || rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2 || true)
  ft=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | cut -d' ' -f2 || true)
  found=$(ls "$findings" | tr '\n' ' ')
  printf '%-13s %8s %12s %8s %8s %8s  %s\n' "$h" "$secs" "${execs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" "${found:-none}"
  if [ "$rc" -ne 0 ] || [ -n "$found" ]; then
    status=1
    grep -m2 -E 'ERROR: |runtime error|SUMMARY|ParseDictionaryFile|error' "$log" | sed 's/^/    /' || true
    echo "    log: $log"
  fi
done
exit "$status"
