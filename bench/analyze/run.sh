#!/bin/sh
# Analysis benchmark: `ipsfc check` on generated packs of 10, 100, 1,000 and
# 10,000 rules (bench/analyze/gen.py, fixed seed).  Prints a Markdown table:
# the best wall time of RUNS runs, the findings, and how many checks said
# "not analysed" (IPSF-W100: a work bound was hit).  Not a test: numbers
# depend on the machine.
#
#   IPSFC=build/ipsfc sh bench/analyze/run.sh [N...]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
IPSFC=${IPSFC:-$root/build/ipsfc}
RUNS=${RUNS:-3}
sizes=${*:-10 100 1000 10000}
tmp=$(mktemp -d /tmp/ipsfc-bench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT INT TERM

echo "| rules | facts | time (best of $RUNS) | findings | not analysed (W100) |"
echo "| ---: | ---: | ---: | ---: | ---: |"
for n in $sizes; do
  python3 "$here/gen.py" "$n" >"$tmp/pack.ipsf"
  facts=$(awk '/^facts \{/{f=1;next} /^\}/{f=0} f' "$tmp/pack.ipsf" | grep -c ':')
  best=""
  i=0
  while [ "$i" -lt "$RUNS" ]; do
    t0=$(date +%s.%N)
    "$IPSFC" check "$tmp/pack.ipsf" 2>"$tmp/err" || true
    t1=$(date +%s.%N)
    t=$(echo "$t1 - $t0" | bc -l)
    if [ -z "$best" ] || [ "$(echo "$t < $best" | bc -l)" = 1 ]; then best=$t; fi
    i=$((i + 1))
  done
  findings=$(grep -c ': warning: ' "$tmp/err" || true)
  undecided=$(grep -c 'IPSF-W100' "$tmp/err" || true)
  printf '| %s | %s | %.3f s | %s | %s |\n' "$n" "$facts" "$best" "$findings" "$undecided"
done
