#!/bin/sh
# The runtime as an embedder gets it: `make install` into a temporary
# prefix, then examples/embed/embed.c built against it through pkg-config,
# shared and static, run on the smart-home devices; its records must be the
# CLI's (--format jsonl), but for "sheet" (null: the embedder names no file).
# And examples/embed/stream.c, the runner on 2 threads, against eval --jobs 2;
# examples/embed/records.c, the record writer, against eval in every format.
# Also: the shared library exports exactly the functions of ipsf.h.
#
#   sh tests/embed/run.sh
# Always the plain build (build/): a library built with the sanitizers
# cannot be linked into an uninstrumented program, so under `make test
# SANITIZE=1` this installs and tests the plain one.
set -u
build=build
root=$(pwd)
tmp=$(mktemp -d /tmp/ipsfc-embed.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
passed=0; failed=0
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL $*"; }

make -s SANITIZE=0 ALLOC=0 FUZZ=0 install PREFIX="$tmp/prefix" >"$tmp/install.log" 2>&1 || { cat "$tmp/install.log"; bad "make install"; }
export PKG_CONFIG_PATH="$tmp/prefix/lib/pkgconfig"
# Everything the .so defines is declared in ipsf.h, and named ipsf_.
nm -D --defined-only "$tmp/prefix/lib/libipsf.so" | awk '{print $3}' | sort >"$tmp/exported"
grep -o '\bipsf_[a-z0-9_]*(' include/ipsf.h | tr -d '(' | sort -u >"$tmp/declared"
if [ -s "$tmp/exported" ] && [ -z "$(comm -23 "$tmp/exported" "$tmp/declared")" ]; then ok
else bad "the .so exports symbols ipsf.h does not declare:"; comm -23 "$tmp/exported" "$tmp/declared" | head; fi
[ "$(objdump -p "$tmp/prefix/lib/libipsf.so" | awk '/SONAME/ {print $2}')" = libipsf.so.0 ] && ok || bad "SONAME"

"$root/$build/ipsfc" compile examples/smart-home/pack.ipsf -o "$tmp/pack.ipsb" || bad "compile"
devices=$(ls examples/smart-home/devices/*.json)
"$root/$build/ipsfc" eval --format jsonl --fail-on never "$tmp/pack.ipsb" $devices |
  sed 's/^{"sheet":"[^"]*"/{"sheet":null/' >"$tmp/want"

# shared, through pkg-config
if cc -std=c11 -Wall -Wextra -Werror -o "$tmp/embed" examples/embed/embed.c \
     $(pkg-config --cflags --libs ipsf) -ljansson 2>"$tmp/cc.log"; then
  LD_LIBRARY_PATH="$tmp/prefix/lib" "$tmp/embed" "$tmp/pack.ipsb" $devices >"$tmp/got" 2>"$tmp/err"
  if cmp -s "$tmp/want" "$tmp/got"; then ok; else bad "shared: records differ"; diff "$tmp/want" "$tmp/got" | head -5; fi
  ldd "$tmp/embed" | grep -q "libipsf.so.0 => $tmp/prefix/lib" 2>/dev/null ||
    LD_LIBRARY_PATH="$tmp/prefix/lib" ldd "$tmp/embed" | grep -q "libipsf.so.0 => $tmp/prefix/lib" && ok ||
    bad "the shared build does not use the installed libipsf.so.0"
  grep -q "^embed: ipsf 0.1.0, pack jp.example.smart-home [0-9.]*: recovery(3 levels)" "$tmp/err" && ok ||
    { bad "shared: banner"; cat "$tmp/err"; }
else bad "shared: cc"; cat "$tmp/cc.log"; fi

# static, through pkg-config --static
if cc -std=c11 -Wall -Wextra -Werror -o "$tmp/embed-static" examples/embed/embed.c \
     $(pkg-config --cflags ipsf) "$tmp/prefix/lib/libipsf.a" \
     $(pkg-config --static --libs ipsf | sed 's/-lipsf//') -ljansson 2>"$tmp/cc.log"; then
  "$tmp/embed-static" "$tmp/pack.ipsb" $devices >"$tmp/got" 2>/dev/null
  if cmp -s "$tmp/want" "$tmp/got"; then ok; else bad "static: records differ"; fi
  ldd "$tmp/embed-static" | grep -q libipsf && bad "static: links libipsf.so" || ok
else bad "static: cc"; cat "$tmp/cc.log"; fi
# examples/embed/stream.c: the runner on 2 threads, JSON Lines on stdin;
# its records are the CLI's for the same stream (eval - --jobs 2), and its
# per-cell counts (from the records' views) add up to the records.
i=0; while [ $i -lt 2000 ]; do cat examples/smart-home/devices/registry.jsonl; i=$((i + 1)); done >"$tmp/reg.jsonl"
"$root/$build/ipsfc" eval --format jsonl --fail-on never --jobs 2 "$tmp/pack.ipsb" - <"$tmp/reg.jsonl" >"$tmp/want-stream"
if cc -std=c11 -Wall -Wextra -Werror -o "$tmp/stream" examples/embed/stream.c \
     $(pkg-config --cflags --libs ipsf) 2>"$tmp/cc.log"; then
  LD_LIBRARY_PATH="$tmp/prefix/lib" "$tmp/stream" "$tmp/pack.ipsb" 2 <"$tmp/reg.jsonl" >"$tmp/got-stream" 2>"$tmp/err"
  st=$?
  if [ -s "$tmp/want-stream" ] && cmp -s "$tmp/want-stream" "$tmp/got-stream"; then ok
  else bad "stream: records differ from eval's"; cmp "$tmp/want-stream" "$tmp/got-stream" | head -2; fi
  records=$(wc -l <"$tmp/want-stream")
  errors=$(grep -c '"error":{' "$tmp/want-stream")
  cells=$(sed -n 's/^stream: [a-z_]*\/[a-z_]*: \([0-9]*\)$/\1/p' "$tmp/err" | awk '{s += $1} END {print s + 0}')
  [ "$cells" -eq $((records - errors)) ] && grep -q "^stream: .* sheets, .* records, $errors errors$" "$tmp/err" &&
    [ $st -eq $([ "$errors" -eq 0 ] && echo 0 || echo 1) ] && ok ||
    { bad "stream: counts (cells $cells, records $records, errors $errors, exit $st)"; cat "$tmp/err"; }
else bad "stream: cc"; cat "$tmp/cc.log"; fi
# examples/embed/records.c: the record writer, every format, against eval
# on the same files: documents, YAML, JSON Lines with blank and bad lines,
# a sheet that does not parse, names with a comma, quotes and '%'.
if cc -std=c11 -Wall -Wextra -Werror -o "$tmp/records" examples/embed/records.c \
     $(pkg-config --cflags --libs ipsf) 2>"$tmp/cc.log"; then
  mkdir -p "$tmp/odd"
  cp examples/smart-home/devices/smart-lock.json "$tmp/odd/we,ird \"name\" 100%.json"
  printf '{"facts":{"usage":"home"}}\n\n{bad\n{"facts":{"usage":7}}\n' >"$tmp/odd/bad.jsonl"
  printf 'facts: [\n' >"$tmp/odd/broken.yaml"
  set -- examples/smart-home/devices/robot-vacuum.json examples/smart-home/devices/baby-monitor.yaml \
    "$tmp/odd/we,ird \"name\" 100%.json" "$tmp/odd/bad.jsonl" "$tmp/odd/broken.yaml" \
    examples/smart-home/devices/registry.jsonl $devices
  for f in text json jsonl csv sarif junit; do
    "$root/$build/ipsfc" eval --format $f --fail-on never "$tmp/pack.ipsb" "$@" >"$tmp/want.$f" 2>/dev/null
    LD_LIBRARY_PATH="$tmp/prefix/lib" "$tmp/records" $f "$tmp/pack.ipsb" "$@" >"$tmp/got.$f" 2>"$tmp/err"
    if [ $? -eq 0 ] && [ -s "$tmp/want.$f" ] && cmp -s "$tmp/want.$f" "$tmp/got.$f"; then ok
    else bad "records $f: differs from eval --format $f"; cmp "$tmp/want.$f" "$tmp/got.$f" | head -2; cat "$tmp/err"; fi
  done
else bad "records: cc"; cat "$tmp/cc.log"; fi
echo "embed: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
