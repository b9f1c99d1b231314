#!/bin/sh
# The cost of compensating measures (docs/language.md, "Compensating
# measures") per record: the same sheets through the same binary, against
# tests/golden/lang/compensated/pack.ipsf (CP-30 compensated by CP-05 and
# CP-06, every record `compensated`) and against that pack without its
# compensated_by lines (every record `unmet`).  Best wall time of REPS runs
# each, interleaved; --format jsonl and json, --jobs 1.
#
#   sh bench/compensate.sh [IPSFC [SHEETS [REPS]]]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
ipsfc=${1:-$here/../build/ipsfc} n=${2:-200000} reps=${3:-5}
work=$(mktemp -d /tmp/ipsfc-comp.XXXXXX)
trap 'rm -rf "$work"' EXIT
src=$here/../tests/golden/lang/compensated/pack.ipsf
"$ipsfc" compile "$src" -o "$work/with.ipsb"
grep -v 'compensated_by' "$src" >"$work/without.ipsf"
"$ipsfc" compile "$work/without.ipsf" -o "$work/without.ipsb"
awk -v n="$n" 'BEGIN { for (i = 0; i < n; i++)
  printf "{\"device\": \"d%d\", \"evidence\": {\"CP-05\": {\"method\": \"self_declaration\", \"date\": \"2026-04-01\"}, \"CP-06\": \"self_inspection\"}}\n", i }' \
  >"$work/in.jsonl"
for f in jsonl json; do
  : >"$work/with.t"; : >"$work/without.t"
  r=0
  while [ $r -lt "$reps" ]; do
    for which in with without; do
      /usr/bin/time -f "%e" -o "$work/t" "$ipsfc" eval --as-of 2026-06-01 "$work/$which.ipsb" \
        "$work/in.jsonl" --format $f --fail-on never --jobs 1 >/dev/null
      cat "$work/t" >>"$work/$which.t"
    done
    r=$((r + 1))
  done
  w=$(sort -n "$work/with.t" | head -1) wo=$(sort -n "$work/without.t" | head -1)
  echo "--format $f: compensated $w s ($(awk "BEGIN {printf \"%.0f\", $n / $w}")/s);" \
    "without compensated_by $wo s ($(awk "BEGIN {printf \"%.0f\", $n / $wo}")/s)"
done
