#!/bin/sh
# Golden end-to-end tests: each directory below with a `cmd` file is a case.
#
#   cmd       one shell command, run in the case's directory; `ipsfc` is the
#             binary under test (on PATH), NO_COLOR is set
#   expected  what it must print, byte for byte:
#               <standard output>
#               --- stderr
#               <standard error>
#               --- exit N
#
# IPSFC=path/to/ipsfc sh tests/golden/run.sh [CASE-DIR...]
# UPDATE=1 rewrites `expected` from the actual output (then review the diff).
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${IPSFC:?set IPSFC to the ipsfc binary}"
bindir=$(mktemp -d /tmp/ipsfc-golden.XXXXXX)
trap 'rm -rf "$bindir"' EXIT
ln -s "$IPSFC" "$bindir/ipsfc"

if [ $# -gt 0 ]; then cases="$*"; else
  cases=$(find "$here" -name cmd -type f | sort | sed 's|/cmd$||')
fi

passed=0; failed=0
for dir in $cases; do
  name=${dir#"$here"/}
  actual=$(cd "$dir" && PATH="$bindir:$PATH" NO_COLOR=1 sh ./cmd >"$bindir/out" 2>"$bindir/err"; echo $?)
  { cat "$bindir/out"; echo "--- stderr"; cat "$bindir/err"; echo "--- exit $actual"; } >"$bindir/actual"
  if [ "${UPDATE:-0}" = 1 ]; then cp "$bindir/actual" "$dir/expected"; fi
  if [ -f "$dir/expected" ] && cmp -s "$bindir/actual" "$dir/expected"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL $name"
    if [ -f "$dir/expected" ]; then diff -u "$dir/expected" "$bindir/actual" | head -40
    else echo "  (no expected file)"; fi
  fi
done
echo "golden: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
