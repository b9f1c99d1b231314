#!/bin/sh
# The jsonl and csv record memo (runtime/report.c, "memoised record
# bodies") is a pure optimisation: every record must be the same bytes with
# it and without it (IPSFC_RECORD_MEMO=off), in both formats, and with a
# tiny memo (IPSFC_RECORD_MEMO=tiny: 16 bodies, judged every 256 lookups)
# that is full, emptied, filled again and turned off on these inputs.  Compared here on generated sheets
# (bench/gen, in its order and sorted so that the outcomes change half-way
# and a full memo is emptied and filled again), on every example's devices
# repeated (dated and undated evidence, profiles, compensations), with
# --jobs 1 and 2, --profile, and --explain (which bypasses the memo).
#   IPSFC=path/to/ipsfc sh tests/cli/record_memo.sh
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$(dirname "$here")")
: "${IPSFC:?set IPSFC to the ipsfc binary}"
work=$(mktemp -d /tmp/ipsfc-memo.XXXXXX)
trap 'rm -rf "$work"' EXIT
status=0
fail() { echo "record_memo: FAIL: $*" >&2; status=1; }

# same PACK SHEETS ARGS...: the records, the counts of the summary (the
# worker takes the unmet count from the memo's key) and the exit status
# under --fail-on unmet, with and without the memo
same() {
  for format in jsonl csv; do same_in $format "$@"; done
}
same_in() {
  format=$1 pack=$2 sheets=$3
  shift 3
  "$IPSFC" eval "$pack" "$sheets" --format $format --fail-on unmet --summary \
    --as-of 2026-12-01 "$@" >"$work/on" 2>"$work/on.err"
  on=$?
  IPSFC_RECORD_MEMO=off "$IPSFC" eval "$pack" "$sheets" --format $format --fail-on unmet \
    --summary --as-of 2026-12-01 "$@" >"$work/off" 2>"$work/off.err"
  off=$?
  cmp -s "$work/on" "$work/off" || fail "$format $pack $sheets $*: records differ"
  IPSFC_RECORD_MEMO=tiny "$IPSFC" eval "$pack" "$sheets" --format $format --fail-on unmet \
    --summary --as-of 2026-12-01 "$@" >"$work/tiny" 2>"$work/tiny.err"
  tiny=$?
  cmp -s "$work/tiny" "$work/off" || fail "$format $pack $sheets $*: records differ (tiny memo)"
  sed 's/; [0-9.]* s, [0-9]* sheets.s$//' "$work/tiny.err" >"$work/tiny.msg"
  sed 's/; [0-9.]* s, [0-9]* sheets.s$//' "$work/on.err" >"$work/on.msg"
  sed 's/; [0-9.]* s, [0-9]* sheets.s$//' "$work/off.err" >"$work/off.msg"
  cmp -s "$work/on.msg" "$work/off.msg" || fail "$format $pack $sheets $*: messages or counts differ"
  cmp -s "$work/tiny.msg" "$work/off.msg" || fail "$format $pack $sheets $*: counts differ (tiny memo)"
  [ $tiny -eq $off ] || fail "$pack $sheets $*: exit $tiny with the tiny memo, $off without"
  grep -q "unmet" "$work/on.msg" || fail "$format $pack $sheets $*: no summary"
  [ $on -eq $off ] || fail "$format $pack $sheets $*: exit $on with the memo, $off without"
  [ -s "$work/on" ] || fail "$format $pack $sheets $*: no records"
}

cc -O2 -o "$work/gen" "$root/bench/gen.c" || { echo "record_memo: cannot build bench/gen" >&2; exit 1; }
"$IPSFC" compile "$root/bench/pack.ipsf" -o "$work/pack.ipsb" || exit 1
"$work/gen" 200000 42 >"$work/gen.jsonl"
sort "$work/gen.jsonl" >"$work/sorted.jsonl"
for j in 1 2; do
  same "$work/pack.ipsb" "$work/gen.jsonl" --jobs $j
  same "$work/pack.ipsb" "$work/sorted.jsonl" --jobs $j
done
head -n 20000 "$work/gen.jsonl" >"$work/gen20k.jsonl"
same_in jsonl "$work/pack.ipsb" "$work/gen20k.jsonl" --jobs 1 --explain

# Every example's devices as one JSON Lines stream, 40 times over.
for dir in "$root"/examples/*/; do
  [ -f "$dir/pack.ipsf" ] && [ -d "$dir/devices" ] || continue
  case $dir in */natives/) continue ;; esac # needs its native library
  : >"$work/one.jsonl"
  for f in "$dir"/devices/*.jsonl "$dir"/devices/*.json; do
    [ -f "$f" ] || continue
    case $f in
      *.jsonl) cat "$f" >>"$work/one.jsonl" ;;
      *) /usr/bin/python3 -c 'import json, sys; print(json.dumps(json.load(open(sys.argv[1]))))' \
           "$f" >>"$work/one.jsonl" ;;
    esac
  done
  : >"$work/many.jsonl"
  i=0
  while [ $i -lt 40 ]; do cat "$work/one.jsonl" >>"$work/many.jsonl"; i=$((i + 1)); done
  for j in 1 2; do same "$dir/pack.ipsf" "$work/many.jsonl" --jobs $j; done
  case $dir in */healthcare/) same "$dir/pack.ipsf" "$work/many.jsonl" --profile icu ;; esac
done
cpack=$root/tests/golden/lang/compensated
same "$cpack/pack.ipsf" "$cpack/sheets.jsonl" --jobs 1
[ $status -eq 0 ] && echo "record_memo: ok"
exit $status
