#!/bin/sh
# bench/callgrind.sh -- machine instructions per sheet of ipsf_eval_run and
# of the hand-written C twins, for both benchmark packs, and of the whole
# `ipsfc eval` per record format (end to end), counted by valgrind's
# callgrind: repeatable on a shared machine where wall-clock timings are
# not (docs/performance.md, "Speed (issue 16)" and "Speed, end to end").
#
#   sh bench/callgrind.sh [IPSFC_ROOT]    a built tree (default: this one)
#
# IPSFC_ROOT must hold build/ipsfc and build/libipsf.a (build another
# commit into its own tree to compare).  Runs 2,000 sheets, one pass.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=${1:-$(dirname "$here")}
work=${BENCH_DIR:-/tmp/ipsfc-bench}/callgrind
mkdir -p "$work"
command -v valgrind >/dev/null || { echo "callgrind.sh: valgrind is needed" >&2; exit 1; }
libs="$(pkg-config --libs jansson yaml-0.1 libsodium libffi) -lm -pthread"
cflags="-O2 -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -I$here/../include"
cc $cflags -o "$work/gen" "$here/gen.c"
cc $cflags -o "$work/evalonly" "$here/evalonly.c" "$here/native_rules.c" "$root/build/libipsf.a" $libs
cc $cflags -o "$work/evalonly_healthcare" "$here/evalonly_healthcare.c" "$here/native_healthcare.c" \
  "$root/build/libipsf.a" $libs
"$root/build/ipsfc" compile "$here/pack.ipsf" -o "$work/pack.ipsb"
"$root/build/ipsfc" compile "$here/../examples/healthcare/pack.ipsf" -o "$work/healthcare.ipsb"
"$work/gen" 2000 42 > "$work/sheets.jsonl"

# count OUT RUNS NATIVE_FN NATIVE_CALLS: instructions per call, from the
# inclusive cost of ipsf_eval_run and of the native function.
count() {
  callgrind_annotate --threshold=100 --inclusive=yes "$1" 2>/dev/null | awk -v runs="$2" \
    -v fn="$3" -v calls="$4" -v name="$5" '
    /:ipsf_eval_run / { gsub(",", "", $1); run = $1 }
    $0 ~ (":" fn " ") { gsub(",", "", $1); nat = $1 }
    END { printf "%-18s ipsf_eval_run %5.0f instructions/sheet, native C %4.0f, ratio %.2fx\n",
          name, run / runs, nat / calls, (run / runs) / (nat / calls) }'
}
# evalonly runs ipsf_eval_run three times a sheet (check, timed, setters +
# run) and native_eval twice; evalonly_healthcare twice and twice.
valgrind --tool=callgrind --callgrind-out-file="$work/cg.pack" \
  "$work/evalonly" "$work/pack.ipsb" "$work/sheets.jsonl" 2000 1 > /dev/null 2>&1
count "$work/cg.pack" 6000 native_eval 4000 "bench/pack.ipsf"
valgrind --tool=callgrind --callgrind-out-file="$work/cg.healthcare" \
  "$work/evalonly_healthcare" "$work/healthcare.ipsb" 2000 1 > /dev/null 2>&1
count "$work/cg.healthcare" 4000 native_healthcare 4000 "healthcare"

# End to end: the whole `ipsfc eval` process per sheet (reading, binding,
# evaluating, writing; start-up included, 20,000 sheets make it small),
# for each record format, --jobs 1, into /dev/null.
"$work/gen" 20000 42 > "$work/sheets20k.jsonl"
for f in jsonl csv json text; do
  valgrind --tool=callgrind --callgrind-out-file="$work/cg.e2e.$f" "$root/build/ipsfc" eval \
    "$work/pack.ipsb" "$work/sheets20k.jsonl" --format $f --fail-on never --jobs 1 > /dev/null 2>&1
  callgrind_annotate "$work/cg.e2e.$f" 2>/dev/null | awk -v f=$f '/PROGRAM TOTALS/ {
    gsub(",", "", $1); printf "ipsfc eval --format %-5s --jobs 1: %5.0f instructions/sheet\n", f, $1 / 20000 }'
done
