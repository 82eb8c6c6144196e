#!/usr/bin/env bash
# npm test: type-check for both runtimes, the pure tests under Node (tsx), Deno and Bun, the
# kernel tests (root, each in its own network namespace) under Deno and Bun. Ends with one line
# "N passed, N failed" summing every runtime. Exit status is non-zero when anything failed.
set -u
export NO_COLOR=1
shopt -s globstar nullglob
cd "$(dirname "$0")/.."
bin=node_modules/.bin
log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT
passed=0
failed=0
status=0

step() { printf '\n=== %s\n' "$1"; }

# count PASS FAIL: add to the totals; a step that fails without counted failures counts as one.
count() {
  local p=$1 f=$2 rc=$3 name=$4
  passed=$((passed + p))
  failed=$((failed + f))
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
    failed=$((failed + 1))
    echo "!!! $name failed (exit $rc) without a counted test failure"
  fi
  [ "$rc" -ne 0 ] && status=1
  echo "--- $name: $p passed, $f failed"
}

pure=(src/**/*_test.ts tests/*_test.ts)
kernel=(tests/kernel/*_test.ts)

step "tsc (Deno and Bun types)"
"$bin/tsc" -p tsconfig.json; rc=$?
[ $rc -eq 0 ] && count 1 0 0 tsc || count 0 1 $rc tsc

# tests/types: @ts-expect-error lines prove typos in keys and kinds are compile errors, and
# type assertions pin what get() returns (tsc fails on an unused @ts-expect-error)
step "type tests (tsc -p tests/types)"
"$bin/tsc" -p tests/types/tsconfig.json; rc=$?
[ $rc -eq 0 ] && count 1 0 0 "type tests" || count 0 1 $rc "type tests"

step "deno check"
"$bin/deno" check --quiet mod.ts testing.ts ffi/deno.ts ffi/load.ts ffi/transport.ts examples/*.ts bin/nlroute.ts; rc=$?
[ $rc -eq 0 ] && count 1 0 0 "deno check" || count 0 1 $rc "deno check"

step "deno doc --lint"
"$bin/deno" doc --lint mod.ts testing.ts >"$log/doc" 2>&1; rc=$?
tail -5 "$log/doc"
[ $rc -eq 0 ] && count 1 0 0 "deno doc --lint" || count 0 1 $rc "deno doc --lint"

run_node() {
  step "pure tests: node (tsx)"
  "$bin/tsx" --test "${pure[@]}" >"$log/node" 2>&1; local rc=$?
  grep -E '^not ok|^# (pass|fail)' "$log/node"
  [ $rc -ne 0 ] && grep -B2 -A25 '^not ok' "$log/node" | head -120
  local p f
  p=$(grep -E '^# pass' "$log/node" | awk '{print $3}'); f=$(grep -E '^# fail' "$log/node" | awk '{print $3}')
  count "${p:-0}" "${f:-0}" $rc "node"
}

run_deno() { # name files...
  local name=$1; shift
  step "$name: deno"
  "$bin/deno" test --allow-all --no-check "$@" >"$log/deno" 2>&1; local rc=$?
  grep -E 'FAILED|^error' "$log/deno" | head -40
  [ $rc -ne 0 ] && sed -n '/ERRORS/,/FAILURES/p' "$log/deno" | head -150
  local line p f
  line=$(grep -E '^(ok|FAILED) \|' "$log/deno" | tail -1)
  echo "$line"
  p=$(echo "$line" | grep -oE '[0-9]+ passed' | awk '{print $1}'); f=$(echo "$line" | grep -oE '[0-9]+ failed' | awk '{print $1}')
  count "${p:-0}" "${f:-0}" $rc "$name: deno"
}

run_bun() { # name files...
  local name=$1; shift
  step "$name: bun"
  "$bin/bun" test --timeout 60000 "$@" >"$log/bun" 2>&1; local rc=$?
  grep -E '^\(fail\)|error:' "$log/bun" | head -40
  [ $rc -ne 0 ] && grep -B40 -A30 '^(fail)' "$log/bun" | head -300
  local p f
  p=$(grep -E '^ *[0-9]+ pass$' "$log/bun" | awk '{print $1}'); f=$(grep -E '^ *[0-9]+ fail$' "$log/bun" | awk '{print $1}')
  echo "bun: ${p:-0} pass, ${f:-0} fail"
  count "${p:-0}" "${f:-0}" $rc "$name: bun"
}

run_node
run_deno "pure tests" "${pure[@]}"
run_bun "pure tests" "${pure[@]/#/./}"

if [ "$(id -u)" -ne 0 ] && [ "${CI:-}" != "true" ]; then
  echo "kernel tests skipped: they need root (run as root, or under CI=true to make this a failure)"
else
  if [ "$(id -u)" -ne 0 ]; then
    echo "kernel tests need root and CI=true: failing"
    count 0 1 1 "kernel tests (not root)"
  else
    run_deno "kernel tests" "${kernel[@]}"
    run_bun "kernel tests" "${kernel[@]/#/./}"
  fi
fi

echo
echo "$passed passed, $failed failed"
[ $failed -eq 0 ] && [ $status -eq 0 ]
