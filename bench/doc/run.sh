#!/bin/sh
# `ipsfc doc` benchmark: the guideline (HTML) of generated packs -- N rules
# (bench/analyze/gen.py) plus R requirements (bench/doc/gen_reqs.py), fixed
# seeds -- and of every example.  Prints a Markdown table: the best wall
# time of RUNS runs, peak memory (GNU time), the size of the page, and how
# many per-cell answers were "not analysed".  Not a test: numbers depend on
# the machine.  docs/performance.md ("Guidelines") has a run.
#
#   IPSFC=build/ipsfc sh bench/doc/run.sh ["N:R" ...]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
IPSFC=${IPSFC:-$root/build/ipsfc}
RUNS=${RUNS:-3}
sizes=${*:-10:10 100:10 1000:10 10000:10 100:100 1000:100 1000:1000}
tmp=$(mktemp -d /tmp/ipsfc-bench-doc.XXXXXX)
trap 'rm -rf "$tmp"' EXIT INT TERM

measure() { # label, then the doc command's arguments
  label=$1; shift
  best=""; mem=""
  i=0
  while [ "$i" -lt "$RUNS" ]; do
    /usr/bin/time -f "%e %M" -o "$tmp/time" "$IPSFC" doc "$@" -o "$tmp/out.html"
    read -r t m <"$tmp/time"
    if [ -z "$best" ] || [ "$(echo "$t < $best" | bc -l)" = 1 ]; then best=$t; fi
    mem=$m
    i=$((i + 1))
  done
  size=$(wc -c <"$tmp/out.html")
  na=$(grep -c 'data-applies="unknown"' "$tmp/out.html" || true)
  echo "| $label | ${best} s | $((mem / 1024)) MiB | $((size / 1024)) KiB | $na |"
}

echo "| pack | time (best of $RUNS) | peak memory | page | not analysed |"
echo "| --- | ---: | ---: | ---: | ---: |"
for nr in $sizes; do
  n=${nr%:*}; r=${nr#*:}
  python3 "$root/bench/analyze/gen.py" "$n" | python3 "$here/gen_reqs.py" "$r" >"$tmp/pack.ipsf"
  measure "$n rules, $((r + 2)) requirements" "$tmp/pack.ipsf"
done
for p in "$root"/examples/*/pack.ipsf; do
  e=$(basename "$(dirname "$p")")
  [ "$e" = natives ] && continue  # needs its native library to place devices
  measure "examples/$e (with its devices)" "$p" --devices $(ls "$root/examples/$e/devices/"* | grep -v /bad-)
done
