#!/bin/sh
# bench/profiles.sh -- what usage profiles a pack declares cost at binding
# time (docs/performance.md, "Usage profiles").
#
#   sh bench/profiles.sh [N]     N sheets (default 200000)
#
# The healthcare example (three declared profiles) against the same pack
# with its `profile` blocks removed (so the profile names are free and no
# setting or check runs), on N JSON Lines sheets that each list two
# profiles (2N records, all through jansson: the fast path takes no line
# with "profiles"); then N sheets without profiles, evaluated plain (the
# fast path) and with `--profile home` (the pack's settings and check on
# every sheet; for a declared profile the fast path still binds the base
# facts, runtime/worker.c).
# User CPU time and wall clock of `ipsfc eval --format jsonl > /dev/null`,
# the run with the least CPU time of 5 (the machine may be shared).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
n=${1:-200000}
ipsfc=${IPSFC:-$root/build/ipsfc}
work=${BENCH_DIR:-/tmp/ipsfc-bench-profiles}
mkdir -p "$work"
pack="$root/examples/healthcare/pack.ipsf"
awk '/^profile /{skip=1} !skip{print} skip&&/^}/{skip=0}' "$pack" > "$work/free.ipsf"
"$ipsfc" compile "$pack" -o "$work/declared.ipsb"
"$ipsfc" compile "$work/free.ipsf" -o "$work/free.ipsb"
awk -v n="$n" 'BEGIN {
  for (i = 0; i < n; i++)
    printf "{\"device\":\"v%d\",\"facts\":{\"care_setting\":\"intensive_care\",\"clinical_function\":\"life_support\",\"harm_life\":\"death\",\"loss_jpy\":%d},\"profiles\":{\"icu\":{\"manual_fallback\":true,\"connectivity\":\"hospital_network\"},\"home\":{\"care_setting\":\"home_care\",\"connectivity\":\"internet\"}}}\n", i, i * 1000
}' > "$work/profiles.jsonl"
awk -v n="$n" 'BEGIN {
  for (i = 0; i < n; i++)
    printf "{\"device\":\"v%d\",\"facts\":{\"care_setting\":\"home_care\",\"clinical_function\":\"monitoring\",\"loss_jpy\":%d}}\n", i, i * 1000
}' > "$work/plain.jsonl"
best() { # label, command...: the least user CPU time and wall clock of 5
  label=$1; shift
  for r in 1 2 3 4 5; do /usr/bin/time -f "%U %e" "$@" 2>&1 >/dev/null | tail -1; done |
    sort -n | head -1 | { read -r u e; printf '%-58s user %5.2f s  wall %5.2f s\n' "$label" "$u" "$e"; }
}
echo "$n sheets"
best "two profiles each, pack declares them" "$ipsfc" eval --format jsonl "$work/declared.ipsb" "$work/profiles.jsonl"
best "two profiles each, pack declares none" "$ipsfc" eval --format jsonl "$work/free.ipsb" "$work/profiles.jsonl"
best "no profiles (fast path)" "$ipsfc" eval --format jsonl "$work/declared.ipsb" "$work/plain.jsonl"
best "no profiles, --profile home (fast path + settings + check)" "$ipsfc" eval --format jsonl --profile home "$work/declared.ipsb" "$work/plain.jsonl"
