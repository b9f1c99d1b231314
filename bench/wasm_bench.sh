#!/bin/sh
# wasm_bench.sh -- the playground's numbers (docs/performance.md, "The
# playground (WebAssembly)"): the size of the site's wasm (gzipped), and
# records/s of the WebAssembly VM under Node against the native CLI on N
# generated sheets (bench/gen.c, seed 42; default 100000), one thread each.
#
#   make wasm && sh bench/wasm_bench.sh [N]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
n=${1:-100000}
work=${BENCH_DIR:-/tmp/ipsfc-bench}
mkdir -p "$work"
# Both sides write their records to /dev/null: a regular file there (left
# by a process that renamed a file over it) would time disk writes instead.
[ -c /dev/null ] || { echo "wasm_bench: /dev/null is not a character device" >&2; exit 1; }
[ -x "$root/build/ipsfc" ] || make -C "$root" -s build/ipsfc
[ -f "$root/build/wasm/ipsfc-node.js" ] && [ -f "$root/build/web/ipsfc.wasm" ] || make -C "$root" -s wasm
cc -O2 -o "$work/gen" "$here/gen.c"
in=$work/sheets-$n.jsonl
[ -s "$in" ] || "$work/gen" "$n" 42 > "$in"

wasm=$root/build/web/ipsfc.wasm
js=$root/build/web/ipsfc.js
echo "site: ipsfc.wasm $(wc -c < "$wasm") bytes, gzip -9 $(gzip -9 < "$wasm" | wc -c) bytes;" \
     "ipsfc.js $(wc -c < "$js") bytes, gzip -9 $(gzip -9 < "$js" | wc -c) bytes;" \
     "whole site gzip -9 $(cat "$root"/build/web/* | gzip -9 | wc -c) bytes"
node "$here/wasm_bench.mjs" "$root/build/wasm/ipsfc-node.js" "$root/build/ipsfc" \
  "$root/examples/smart-home/pack.ipsf" "$in" "${BENCH_REPEAT:-3}"
