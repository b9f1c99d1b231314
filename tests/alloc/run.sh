#!/bin/sh
# Allocation-failure test (make alloc-test): for every N, run a command with
# the N-th allocation failing, and require a clean end: exit 0 (the failure
# was absorbed, and the output is that of a normal run), 3 or 4 with a
# message on stderr; never a crash, never an
# ASan/UBSan/LSan report.  For eval, a sheet that runs out of memory gives
# an error record (kind out_of_memory, or syntax when jansson hides the
# cause) on stdout and exit 3, like any other
# sheet error; everything else says "out of memory" on stderr.
#
#   IPSFC=build/alloc/ipsfc sh tests/alloc/run.sh [STEP]
#
# STEP (default 1) tries every STEP-th N only, for a quick run.
set -u
: "${IPSFC:?set IPSFC to the alloc build of ipsfc (make alloc-test)}"
step=${1:-1}
here=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d /tmp/ipsf-alloc.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
export ASAN_OPTIONS="exitcode=97:detect_leaks=1:abort_on_error=0:allocator_may_return_null=1"
export UBSAN_OPTIONS="halt_on_error=1:exitcode=98"
export LSAN_OPTIONS="exitcode=99"
ex="$here/examples/smart-home"
"$IPSFC" compile "$ex/pack.ipsf" -o "$tmp/pack.ipsb" || exit 1

failed=0
# name | command (run in $tmp)
run_case() {
  name=$1; shift
  IPSF_ALLOC_COUNT="$tmp/count" "$@" >"$tmp/expected" 2>"$tmp/err"
  rc=$?
  if [ "$rc" -ne 0 ]; then echo "alloc: $name fails without injection (exit $rc)"; cat "$tmp/err"; failed=1; return; fi
  total=$(cat "$tmp/count")
  n=1; bad=0; clean=0; absorbed=0
  while [ "$n" -le "$total" ]; do
    IPSF_FAIL_ALLOC_AT=$n "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    case $rc in
      0)
        # absorbed: then the output must be exactly that of a normal run,
        # never partial or altered output posing as complete
        if cmp -s "$tmp/out" "$tmp/expected"; then absorbed=$((absorbed + 1)); else
          echo "alloc: $name, allocation $n: exit 0 but the output differs from a normal run:"
          diff "$tmp/expected" "$tmp/out" | head -10; bad=$((bad + 1))
        fi ;;
      3|4)
        # the message: on stderr, or (eval) the sheet's error record
        # (jansson reports some allocation failures inside its lexer as a
        # syntax error: still an error record, still exit 3)
        # (csv: the row's error_kind column)
        if { [ -s "$tmp/err" ] || grep -q -E '"error"|: error \(|,(out_of_memory|syntax),' "$tmp/out"; } &&
           ! grep -q -E 'Sanitizer|runtime error' "$tmp/err"; then
          clean=$((clean + 1))
        else
          echo "alloc: $name, allocation $n: exit $rc without a message, or with a sanitizer report:"
          head -30 "$tmp/err"; bad=$((bad + 1))
        fi ;;
      *) echo "alloc: $name, allocation $n: exit $rc"; head -30 "$tmp/err"; bad=$((bad + 1)) ;;
    esac
    [ "$bad" -ge 5 ] && break
    n=$((n + step))
  done
  echo "alloc: $name: $total allocations, every ${step}th failed in turn: $clean clean errors, $absorbed absorbed, $bad bad"
  [ "$bad" -eq 0 ] || failed=1
}

run_case "load+eval (.ipsb, JSON + YAML + JSONL)" \
  "$IPSFC" eval --explain --format json "$tmp/pack.ipsb" "$ex/devices/smart-lock.json" \
  "$ex/devices/baby-monitor.yaml" "$ex/devices/registry.jsonl"
run_case "eval JSON Lines on threads (--jobs 2, the calling thread evaluating too)" \
  "$IPSFC" eval --explain --format jsonl --jobs 2 "$tmp/pack.ipsb" "$ex/devices/registry.jsonl"
# without --explain: jsonl and csv records go through the workers' memo of
# record bodies (runtime/report.c), and jsonl through the shared fragments
run_case "eval JSON Lines to jsonl (the record memo)" \
  "$IPSFC" eval --format jsonl --jobs 1 "$tmp/pack.ipsb" "$ex/devices/registry.jsonl" \
  "$ex/devices/registry.jsonl"
run_case "eval JSON Lines to csv on threads (the record memo, --jobs 2)" \
  "$IPSFC" eval --format csv --jobs 2 "$tmp/pack.ipsb" "$ex/devices/registry.jsonl"
run_case "compile" "$IPSFC" compile "$ex/pack.ipsf" -o "$tmp/out.ipsb"
run_case "compile+load+eval (source)" \
  "$IPSFC" eval "$ex/pack.ipsf" "$ex/devices/smart-lock.json"
run_case "check (analysis, counterexamples on the VM)" \
  "$IPSFC" check --format json "$ex/pack.ipsf"
run_case "test (the pack's test blocks)" "$IPSFC" test "$ex/pack.ipsf"
"$IPSFC" compile --with-tests "$ex/pack.ipsf" -o "$tmp/tested.ipsb" || exit 1
run_case "compile --with-tests" "$IPSFC" compile --with-tests "$ex/pack.ipsf" -o "$tmp/out.ipsb"
run_case "test (the tests compiled into a .ipsb)" "$IPSFC" test "$tmp/tested.ipsb"
exit $failed
