#!/bin/sh
# The security review's reproducers (issue 10, findings 1, 2 and 4), end
# to end: each crafted pack must be refused at load, exit 3, with a message
# naming what is wrong, before any sheet is read.  Then the wide pack of
# finding 4 runs under a raised --max-cost, to show the record writer is
# linear in the record (it used to take seconds per record).
#
# IPSFC=build/ipsfc MKREPRO=build/tests/security/mkrepro sh tests/security/run.sh
set -u
: "${IPSFC:?set IPSFC}" "${MKREPRO:?set MKREPRO}"
dir=$(mktemp -d /tmp/ipsfc-security.XXXXXX)
trap 'rm -rf "$dir"' EXIT
"$MKREPRO" "$dir" || { echo "security: mkrepro failed"; exit 1; }
printf '{"device":"d","facts":{"usage":"home"}}\n' >"$dir/sample.json"
printf '{"device":"d","facts":{}}\n' >"$dir/empty.json"

passed=0; failed=0
# refused PACK SHEET WANT: exit 3, nothing on stdout, WANT on stderr
refused() {
  "$IPSFC" eval "$dir/$1.ipsb" "$dir/$2" >"$dir/out" 2>"$dir/err"
  code=$?
  if [ "$code" -eq 3 ] && [ ! -s "$dir/out" ] && grep -qF -- "$3" "$dir/err"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL $1: exit $code, stderr:"; cat "$dir/err"; echo "want: $3"
  fi
}
refused f1-hitu-after-scale sample.json "instruction 1 (HITU): rule 0 hits scale 'recovery' after the scale may have been settled"
refused f2-jump-over-scale sample.json "instruction 3 (RET): scale 'recovery' is not settled on every path to RET"
refused f2-hitw-after-scale sample.json "instruction 1 (HITW): rule 3 hits scale 'economic' after the scale may have been settled"
refused f4-lower empty.json "exceeds the limit 32000000 (instructions"
refused f4-eqs empty.json "exceeds the limit 32000000 (instructions"
refused f4-wide empty.json "exceeds the limit 32000000 (instructions"
refused f4-refs sample.json "exceeds the limit 32000000 (instructions"

# The wide pack under a raised limit: one record, 100,000 requirements.
if "$IPSFC" eval --max-cost 10G --format jsonl "$dir/f4-wide.ipsb" "$dir/empty.json" >"$dir/out" 2>"$dir/err" &&
   [ "$(grep -o '"id":"R"' "$dir/out" | wc -l)" -eq 100000 ]; then
  passed=$((passed + 1))
else
  failed=$((failed + 1)); echo "FAIL f4-wide under --max-cost 10G"; head -c 300 "$dir/err"
fi
echo "security: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
