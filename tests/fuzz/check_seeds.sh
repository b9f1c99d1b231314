#!/bin/sh
# check_seeds.sh -- the committed .ipsb seeds of fuzz_ipsb
# (tests/fuzz/corpus/ipsb) are in the format this ipsfc reads.
#
# When IPSB_FORMAT_VERSION moved from 1 to 3 nobody rebuilt them, and every
# seed was refused at the version check: fuzz_ipsb mutated bytes that never
# reached a section decoder, the verifier or the VM (its coverage stayed at
# the frame check), and no run said so.  This check keeps that from
# happening again: every seed must load (`ipsfc disasm` exits 0) except the
# edge cases built to be refused (edge-reject-*: by the verifier's
# protocol; edge-cost-many-refs-*: by the cost bound), which must be
# refused as bad input (exit 3) for the reason they were built for, not for
# their format version.  Rebuild the seeds as tests/fuzz/README.md says.
#
# Usage: IPSFC=build/ipsfc sh tests/fuzz/check_seeds.sh
set -u
IPSFC=${IPSFC:-build/ipsfc}
dir=$(dirname "$0")/corpus/ipsb
tmp=$(mktemp) || exit 2
trap 'rm -f "$tmp"' EXIT
fail=0 n=0
for f in "$dir"/*.ipsb; do
  n=$((n + 1))
  "$IPSFC" disasm "$f" >/dev/null 2>"$tmp"
  rc=$?
  case $(basename "$f") in
  edge-reject-*|edge-cost-many-refs-*)
    if [ $rc -ne 3 ] || grep -q 'format version' "$tmp"; then
      echo "FAIL $f: not refused for what it was built for (exit $rc): $(head -c 200 "$tmp")"
      fail=1
    fi ;;
  *)
    if [ $rc -ne 0 ]; then
      echo "FAIL $f: does not load (exit $rc): $(head -c 200 "$tmp")"
      fail=1
    fi ;;
  esac
done
[ $fail -eq 0 ] && echo "fuzz seeds: all $n .ipsb seeds in the current format"
exit $fail
