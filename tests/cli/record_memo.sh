#!/bin/sh
# The jsonl and csv record memo (runtime/report.c, "memoised record
# bodies") is a pure optimisation: every record must be the same bytes
# with it, without it (IPSFC_RECORD_MEMO=off) and with a tiny one
# (IPSFC_RECORD_MEMO=tiny: 16 bodies, judged every 256 lookups, which on
# these inputs is full, emptied, filled again and turned off).  Compared
# on generated sheets (bench/gen, in its order and sorted), on every
# example's devices repeated (dated and undated evidence, profiles,
# compensations), with --jobs 1 and 2, --profile, and --explain (which
# bypasses the memo), several files in one run; the summary's counts and
# the exit status too.
#   IPSFC=path/to/ipsfc sh tests/cli/record_memo.sh
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$(dirname "$here")")
: "${IPSFC:?set IPSFC to the ipsfc binary}"
work=$(mktemp -d /tmp/ipsfc-memo.XXXXXX)
trap 'rm -rf "$work"' EXIT
status=0
fail() { echo "record_memo: FAIL: $*" >&2; status=1; }

# run NAME MEMO FORMAT PACK SHEETS ARGS...: records in $work/NAME, the
# summary without its timing in $work/NAME.msg, the exit status in
# $work/NAME.rc
run() {
  name=$1 memo=$2 format=$3 pack=$4 sheets=$5
  shift 5
  IPSFC_RECORD_MEMO=$memo "$IPSFC" eval "$pack" "$sheets" --format "$format" \
    --fail-on unmet --summary --as-of 2026-12-01 "$@" >"$work/$name" 2>"$work/$name.err"
  echo $? >"$work/$name.rc"
  sed 's/; [0-9.]* s, [0-9]* sheets.s$//' "$work/$name.err" >"$work/$name.msg"
}

# same_in FORMAT PACK SHEETS ARGS...: the memo on and tiny against off
# (the worker takes the unmet count from the memo's key: the summary's
# counts and the exit status under --fail-on unmet must agree too)
same_in() {
  format=$1
  what="$*"
  run off off "$@"
  [ -s "$work/off" ] || fail "$what: no records"
  grep -q "unmet" "$work/off.msg" || fail "$what: no summary"
  for memo in on tiny; do
    run $memo $memo "$@"
    cmp -s "$work/$memo" "$work/off" || fail "$what: records differ (memo $memo)"
    cmp -s "$work/$memo.msg" "$work/off.msg" || fail "$what: messages differ (memo $memo)"
    cmp -s "$work/$memo.rc" "$work/off.rc" || fail "$what: exit status differs (memo $memo)"
  done
}

same() {
  for format in jsonl csv; do same_in $format "$@"; done
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
# Several files in one run: the sheet path in the record's head changes
# from file to file and comes back (the memo renders it once per batch).
head -n 20000 "$work/sorted.jsonl" >"$work/sorted20k.jsonl"
for j in 1 2; do
  same "$work/pack.ipsb" "$work/gen20k.jsonl" "$work/sorted20k.jsonl" "$work/gen20k.jsonl" --jobs $j
done

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
