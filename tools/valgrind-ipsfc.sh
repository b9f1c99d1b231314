#!/bin/sh
# Run ipsfc under valgrind, for the golden suite (make valgrind):
#   IPSFC=$PWD/tools/valgrind-ipsfc.sh IPSFC_REAL=$PWD/build/ipsfc sh tests/golden/run.sh
# Any invalid access or definite/indirect leak prints a report on stderr
# (so the case's expected output no longer matches) and exits 125.
exec valgrind -q --error-exitcode=125 --leak-check=full \
  --errors-for-leak-kinds=definite,indirect "${IPSFC_REAL:?set IPSFC_REAL}" "$@"
