#!/bin/sh
# Golden end-to-end tests: each directory below with a `cmd` file is a case.
#
#   cmd       one shell command, run in the case's directory; `ipsfc` is the
#             binary under test (on PATH), NO_COLOR is set, and
#             SOURCE_DATE_EPOCH pins "today" to 2026-06-01 (the default
#             --as-of of records with dated evidence)
#   expected  what it must print, byte for byte:
#               <standard output>
#               --- stderr
#               <standard error>
#               --- exit N
#
# IPSFC=path/to/ipsfc sh tests/golden/run.sh [CASE...]
#   CASE      a case directory, or its name under tests/golden (lang/enums);
#             none: every case
#
# UPDATE=1 rewrites `expected` from the actual output, but only for the
# cases named on the command line, one review at a time:
#   UPDATE=1 IPSFC=build/ipsfc sh tests/golden/run.sh lang/int-min-literal
# then read `git diff` of each file.  UPDATE=1 with no case named is refused:
# re-pinning every golden at once hides the one change nobody meant.
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${IPSFC:?set IPSFC to the ipsfc binary}"
if [ "${UPDATE:-0}" = 1 ] && [ $# -eq 0 ]; then
  echo "run.sh: UPDATE=1 rewrites only the cases named on the command line" >&2
  echo "  (e.g. UPDATE=1 IPSFC=... sh tests/golden/run.sh lang/int-min-literal)" >&2
  exit 2
fi
bindir=$(mktemp -d /tmp/ipsfc-golden.XXXXXX)
trap 'rm -rf "$bindir"' EXIT
ln -s "$IPSFC" "$bindir/ipsfc"

if [ $# -gt 0 ]; then
  cases=""
  for arg in "$@"; do
    if [ -f "$arg/cmd" ]; then dir=$(cd "$arg" && pwd)
    elif [ -f "$here/$arg/cmd" ]; then dir="$here/${arg%/}"
    else echo "run.sh: no golden case '$arg' (a directory with a cmd file)" >&2; exit 2
    fi
    cases="$cases $dir"
  done
else
  cases=$(find "$here" -name cmd -type f | sort | sed 's|/cmd$||')
fi

passed=0; failed=0
for dir in $cases; do
  name=${dir#"$here"/}
  actual=$(cd "$dir" && PATH="$bindir:$PATH" NO_COLOR=1 SOURCE_DATE_EPOCH=1780272000 sh ./cmd >"$bindir/out" 2>"$bindir/err"; echo $?)
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
