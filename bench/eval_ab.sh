#!/bin/sh
# Two ipsfc binaries on the same input, interleaved run by run (so the load
# of a shared machine falls on both alike): bench/run.sh's eval commands
# (--format jsonl and json, --jobs 1 and 2, --fail-on never, into
# /dev/null); the best wall and the best CPU (user + sys) time of REPS runs
# each.  Used to show that moving eval onto the runtime's runner
# (runtime/stream.c) did not slow it down (docs/performance.md).
#
#   sh bench/eval_ab.sh OLD_IPSFC NEW_IPSFC [SHEETS [REPS]]
set -eu
old=$1 new=$2 n=${3:-500000} reps=${4:-7}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/ipsfc-ab.XXXXXX)
trap 'rm -rf "$work"' EXIT
cc -O2 -o "$work/gen" "$here/gen.c"
"$work/gen" "$n" 42 >"$work/in.jsonl"
"$new" compile "$here/pack.ipsf" -o "$work/pack.ipsb"
best() { # best FILE: min of column 1 and of column 2
  awk 'NR == 1 || $1 < w {w = $1} NR == 1 || $2 < c {c = $2} END {printf "%.2f %.2f", w, c}' "$1"
}
for f in jsonl json; do
  for j in 1 2; do
    : >"$work/old.t"; : >"$work/new.t"
    r=0
    while [ $r -lt "$reps" ]; do
      for which in old new; do
        eval "bin=\$$which"
        /usr/bin/time -f "%e %U %S" -o "$work/t" "$bin" eval "$work/pack.ipsb" "$work/in.jsonl" \
          --format $f --fail-on never --jobs $j >/dev/null
        awk '{print $1, $2 + $3}' "$work/t" >>"$work/$which.t"
      done
      r=$((r + 1))
    done
    set -- $(best "$work/old.t") $(best "$work/new.t")
    echo "--format $f --jobs $j: old wall $1 s ($(awk "BEGIN {printf \"%.0f\", $n / $1}")/s) cpu $2 s;" \
      "new wall $3 s ($(awk "BEGIN {printf \"%.0f\", $n / $3}")/s) cpu $4 s"
  done
done
