#!/bin/sh
# The CLI's output-integrity tests (docs/security.md, "Output integrity"):
# write errors and whole-file writes, then signals during eval.
# IPSFC=path/to/ipsfc sh tests/cli/run.sh
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${IPSFC:?set IPSFC to the ipsfc binary}"
status=0
sh "$here/write_errors.sh" || status=1
sh "$here/record_memo.sh" || status=1
/usr/bin/python3 "$here/signals.py" || status=1
exit $status
