#!/bin/sh
# What `compile --with-tests` costs (docs/performance.md, "Tests in the
# bytecode"): the size of the .ipsb with and without its tests, eval's
# speed on each (interleaved run by run, best wall and CPU of REPS, as
# bench/eval_ab.sh does), and `ipsfc test` from source and from the .ipsb
# (the example packs, each run RUNS times).
#
#   sh bench/with_tests.sh [IPSFC [SHEETS [REPS [RUNS]]]]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
ipsfc=${1:-$here/../build/ipsfc} n=${2:-200000} reps=${3:-5} runs=${4:-20}
work=$(mktemp -d /tmp/ipsfc-wt.XXXXXX)
trap 'rm -rf "$work"' EXIT
cc -O2 -o "$work/gen" "$here/gen.c"
"$work/gen" "$n" 42 >"$work/in.jsonl"
"$ipsfc" compile "$here/pack.ipsf" -o "$work/plain.ipsb"
"$ipsfc" compile --with-tests "$here/pack.ipsf" -o "$work/tests.ipsb"
echo "bench/pack.ipsf: $(wc -c <"$work/plain.ipsb") bytes, with tests $(wc -c <"$work/tests.ipsb")"
best() { awk 'NR == 1 || $1 < w {w = $1} NR == 1 || $2 < c {c = $2} END {printf "%.2f %.2f", w, c}' "$1"; }
: >"$work/plain.t"; : >"$work/tests.t"
r=0
while [ $r -lt "$reps" ]; do
  for which in plain tests; do
    /usr/bin/time -f "%e %U %S" -o "$work/t" "$ipsfc" eval "$work/$which.ipsb" "$work/in.jsonl" \
      --format jsonl --fail-on never --jobs 1 >/dev/null
    awk '{print $1, $2 + $3}' "$work/t" >>"$work/$which.t"
  done
  r=$((r + 1))
done
set -- $(best "$work/plain.t") $(best "$work/tests.t")
echo "eval $n sheets --format jsonl --jobs 1: without tests wall $1 s cpu $2 s; with tests wall $3 s cpu $4 s"
for p in smart-home building factory healthcare mobility; do
  src="$here/../examples/$p/pack.ipsf"
  "$ipsfc" compile "$src" -o "$work/$p.ipsb"
  "$ipsfc" compile --with-tests "$src" -o "$work/$p-tests.ipsb"
  start=$(date +%s.%N); i=0
  while [ $i -lt "$runs" ]; do "$ipsfc" test "$src" >/dev/null || true; i=$((i + 1)); done
  mid=$(date +%s.%N); i=0
  while [ $i -lt "$runs" ]; do "$ipsfc" test "$work/$p-tests.ipsb" >/dev/null || true; i=$((i + 1)); done
  end=$(date +%s.%N)
  echo "$p: $(wc -c <"$work/$p.ipsb") -> $(wc -c <"$work/$p-tests.ipsb") bytes;" \
    "test from source $(awk "BEGIN {printf \"%.1f\", ($mid - $start) * 1000 / $runs}") ms," \
    "from the .ipsb $(awk "BEGIN {printf \"%.1f\", ($end - $mid) * 1000 / $runs}") ms"
done
