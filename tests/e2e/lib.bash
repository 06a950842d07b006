# Shared by the end-to-end tests: run the real binary, check exit codes, stdout,
# stderr and files. Each script sources this, calls `run` and the `expect_*`
# checks, and ends with `finish`, which prints "N passed, N failed".
set -u
: "${ALM_BIN:?ALM_BIN must name the alm-advisor binary}"
: "${ALM_SOURCE_DIR:?ALM_SOURCE_DIR must name the source tree}"
export NO_COLOR=1 GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
unset AZURE_DEVOPS_EXT_PAT SYSTEM_ACCESSTOKEN TF_BUILD GITHUB_STEP_SUMMARY
SAMPLES="$ALM_SOURCE_DIR/samples"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
passed=0 failed=0 name=""
OUT="$WORK/stdout" ERR="$WORK/stderr" CODE=0

# run NAME ARGS...: runs the binary with ARGS, capturing stdout, stderr and the exit code.
# $ALM_WRAP, when set, is a command line the binary runs under (valgrind ...).
run() {
  name=$1; shift
  CODE=0
  ${ALM_WRAP:-} "$ALM_BIN" "$@" >"$OUT" 2>"$ERR" </dev/null || CODE=$?
}
ok() { passed=$((passed + 1)); }
bad() {
  failed=$((failed + 1))
  echo "FAIL [$name] $*"
  echo "  stdout: $(head -c 600 "$OUT")"
  echo "  stderr: $(head -c 600 "$ERR")"
}
expect_exit() { [ "$CODE" -eq "$1" ] && ok || bad "exit $CODE, expected $1"; }
expect_stdout_has() { grep -qF -- "$1" "$OUT" && ok || bad "stdout lacks: $1"; }
expect_stdout_empty() { [ ! -s "$OUT" ] && ok || bad "stdout is not empty"; }
expect_stderr_has() { grep -qF -- "$1" "$ERR" && ok || bad "stderr lacks: $1"; }
expect_stderr_lines() { [ "$(wc -l <"$ERR")" -eq "$1" ] && ok || bad "stderr has $(wc -l <"$ERR") lines, expected $1"; }
# expect_json EXPR: a Python expression over `r` (stdout parsed as JSON) that must be true.
expect_json() {
  if python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); sys.exit(0 if eval(sys.argv[2]) else 1)' "$OUT" "$1" 2>/dev/null; then ok; else bad "JSON check failed: $1"; fi
}
check() { if eval "$1"; then ok; else bad "check failed: $1"; fi; }
finish() {
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}
