#!/bin/sh
# bench/run.sh -- ipsfc against the engines a user would otherwise pick, on
# the same generated input, in one run (docs/performance.md).
#
#   sh bench/run.sh [N]        N sheets (default 1000000), seed 42
#
# Every engine must give the same placements (recovery, economic per sheet)
# as ipsfc before it is timed; an engine that is not installed is skipped.
# Timing is end to end (read, parse, decide, write to /dev/null), one run
# each, wall clock, with peak RSS from /usr/bin/time.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
n=${1:-1000000}
work=${BENCH_DIR:-/tmp/ipsfc-bench}
mkdir -p "$work"
ipsfc=$root/build/ipsfc
[ -x "$ipsfc" ] || make -C "$root" -s
cc -O2 -o "$work/gen" "$here/gen.c"
cc -O2 -o "$work/peer_jansson" "$here/peer_jansson.c" -ljansson
have_simd=0
if g++ -O2 -std=c++17 -o "$work/peer_simdjson" "$here/peer_simdjson.cpp" -lsimdjson 2>/dev/null; then
  have_simd=1
fi
"$ipsfc" compile "$here/pack.ipsf" -o "$work/pack.ipsb"
in=$work/sheets-$n.jsonl
[ -s "$in" ] || "$work/gen" "$n" 42 > "$in"
echo "input: $n sheets, $(du -m "$in" | cut -f1) MB, $(nproc) cores"

# Placements, to check every engine against ipsfc.
"$ipsfc" eval "$work/pack.ipsb" "$in" --format csv --fail-on never --jobs 1 |
  tail -n +2 | cut -d, -f7,8 | tr , ' ' > "$work/expect.txt"

engines=""
add() { engines="$engines $1"; }
add ipsfc-jsonl; add ipsfc-csv; add ipsfc-jsonl-j2
[ $have_simd = 1 ] && add simdjson-cpp
add jansson-c
command -v jq >/dev/null && add jq
command -v node >/dev/null && add node
command -v lua5.4 >/dev/null && [ -f "$here/policy.lua" ] && add lua

cmd_of() {
  case $1 in
  ipsfc-jsonl) echo "$ipsfc eval $work/pack.ipsb $in --format jsonl --fail-on never --jobs 1" ;;
  ipsfc-csv) echo "$ipsfc eval $work/pack.ipsb $in --format csv --fail-on never --jobs 1" ;;
  ipsfc-jsonl-j2) echo "$ipsfc eval $work/pack.ipsb $in --format jsonl --fail-on never --jobs 2" ;;
  simdjson-cpp) echo "$work/peer_simdjson $in" ;;
  jansson-c) echo "$work/peer_jansson $in" ;;
  jq) echo "jq -r -f $here/policy.jq $in" ;;
  node) echo "node $here/policy.js $in" ;;
  lua) echo "lua5.4 $here/policy.lua $in" ;;
  esac
}

printf '%-16s %14s %10s %12s %10s\n' engine sheets/s seconds "peak RSS" "vs ipsfc"
base=""
for e in $engines; do
  c=$(cmd_of "$e")
  case $e in
  ipsfc-*) ;;
  *) if ! $c | cmp -s - "$work/expect.txt"; then echo "$e: placements differ, not timed"; continue; fi ;;
  esac
  /usr/bin/time -f '%e %M' -o "$work/time" $c > /dev/null
  read -r secs rss < "$work/time"
  rate=$(awk -v n="$n" -v s="$secs" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }')
  [ -z "$base" ] && base=$rate
  ratio=$(awk -v a="$rate" -v b="$base" 'BEGIN { printf "%.2fx", a / b }')
  printf '%-16s %14s %10s %9s MB %10s\n' "$e" "$rate" "$secs" "$((rss / 1024))" "$ratio"
done
# Parsing alone, for the C+jansson program: what JSON reading costs.
/usr/bin/time -f '%e %M' -o "$work/time" "$work/peer_jansson" "$in" --parse-only > /dev/null
read -r secs rss < "$work/time"
echo "jansson parse only: $(awk -v n="$n" -v s="$secs" 'BEGIN { printf "%.0f", n / s }') sheets/s"
