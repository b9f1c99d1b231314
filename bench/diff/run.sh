#!/bin/sh
# ipsfc diff: time of the symbolic diff (whole refinement and one output
# at a time) and of the corpus diff, on the examples' real version pairs
# (docs/performance.md, "Diff").
#
#   sh bench/diff/run.sh [IPSFC]     (from the repository root, after make)
#
# Needs git (the previous versions come from the history) and Debian's
# /usr/bin/python3 (to generate the corpus).  Prints one line per case:
# wall seconds and maximum resident memory, best of 3.
set -eu
IPSFC=${1:-build/ipsfc}
tmp=$(mktemp -d /tmp/ipsfc-bench-diff.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
git show f4196a5^:examples/smart-home/pack.ipsf >"$tmp/smart-home-1.2.0.ipsf"
git show 9035e27^:examples/healthcare/pack.ipsf >"$tmp/healthcare-1.0.0.ipsf"
git show 166e4f0^:examples/building/pack.ipsf >"$tmp/building-1.0.0.ipsf"
/usr/bin/python3 - "$tmp/corpus.jsonl" <<'PY'
import json, random, sys
r = random.Random(5)
H = ["none", "minor_injury", "serious_injury", "death"]; D = ["none", "personal", "sensitive"]
U = ["home", "office", "factory", "hospital", "vehicle"]; A = ["none", "convenience", "access", "hazardous"]
with open(sys.argv[1], "w") as out:
    for i in range(50000):
        f = {"harm_life": r.choice(H), "data_sensitivity": r.choice(D),
             "loss_jpy": r.choice([0, 10**6, 10**8, 10**10]), "users_affected": r.choice([0, 10**4, 10**6]),
             "usage": r.choice(U), "remote_control": r.random() < .5, "actuation": r.choice(A),
             "internet_exposed": r.random() < .5, "radios": r.sample(["wifi", "ble", "zigbee"], r.randrange(3))}
        out.write(json.dumps({"device": "d%d" % i, "facts": f}) + "\n")
PY
best() { # name, command...
  name=$1; shift
  b=""
  for _ in 1 2 3; do
    /usr/bin/time -f "%e %M" -o "$tmp/t" "$@" >/dev/null
    t=$(cat "$tmp/t")
    if [ -z "$b" ] || [ "$(echo "$t $b" | awk '{print ($1 < $3)}')" = 1 ]; then b=$t; fi
  done
  echo "$b" | awk -v n="$name" '{printf "%-44s %7.2f s %8d KB\n", n, $1, $2}'
}
best "symbolic smart-home 1.2.0->1.3.0 (768000)" "$IPSFC" diff "$tmp/smart-home-1.2.0.ipsf" examples/smart-home/pack.ipsf
best "symbolic healthcare, one output at a time" "$IPSFC" diff "$tmp/healthcare-1.0.0.ipsf" examples/healthcare/pack.ipsf
best "symbolic building, one output at a time" "$IPSFC" diff "$tmp/building-1.0.0.ipsf" examples/building/pack.ipsf
best "corpus smart-home, 50000 sheets, --jobs 1" "$IPSFC" diff --jobs 1 "$tmp/smart-home-1.2.0.ipsf" examples/smart-home/pack.ipsf "$tmp/corpus.jsonl"
best "corpus smart-home, 50000 sheets, --jobs 2" "$IPSFC" diff --jobs 2 "$tmp/smart-home-1.2.0.ipsf" examples/smart-home/pack.ipsf "$tmp/corpus.jsonl"
best "eval alone, same 50000 sheets, --jobs 1" "$IPSFC" eval --jobs 1 --format jsonl examples/smart-home/pack.ipsf "$tmp/corpus.jsonl"
