#!/bin/sh
# The framework's own examples, checked against the example packs
# (tests/framework/framework.py says which section each check cites).
#
#   IPSFC=path/to/ipsfc sh tests/framework/run.sh
#
# Needs build/examples/natives/libcvss.so beside the binary (make natives)
# and Python 3 with PyYAML (Debian's /usr/bin/python3).
here=$(cd "$(dirname "$0")" && pwd)
exec /usr/bin/python3 "$here/framework.py"
