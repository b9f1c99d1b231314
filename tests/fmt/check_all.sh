#!/bin/sh
# `ipsfc fmt` over every .ipsf of the repository (examples/, stdlib/,
# tests/, and the ```ipsf, ```ipsf-error and ```ipsf-warning blocks of
# docs/*.md), checking for each file that parses:
#
#   1. idempotence:  fmt(fmt(x)) == fmt(x), byte for byte;
#   2. no comment lost: as many comments in fmt(x) as in x, counted by an
#      awk scanner independent of the formatter's own;
#   3. meaning: the formatted file means what the original meant, except
#      for source locations.  The files are formatted into a mirror tree
#      (same relative paths, so the file names recorded in the bytecode
#      are the same, and relative imports find the formatted modules);
#      then, in each tree, from its root:
#        * a pack (a file `ipsfc disasm` accepts): `ipsfc disasm` and
#          `ipsfc test` must print the same text once every `:LINE:COL`
#          is replaced by `:L:C` and the digest line (which covers the
#          line table) is dropped;
#        * any other file (a module, or a pack with compile errors):
#          `ipsfc check` must report the same diagnostics (their first
#          lines, `FILE:L:C: level: message`, sorted), again with line
#          and column replaced.
#      Built-in stdlib modules are imported from the binary in both
#      trees, so a stdlib file is compared as a module (by check).
#
# Files with syntax errors (fmt exits 3) are counted and skipped: fmt
# never formats them.  Any other exit of fmt is a failure.
#
#   IPSFC=path/to/ipsfc sh tests/fmt/check_all.sh [FILE.ipsf...]
#
# Prints one line per failure, then a summary; exits 1 if anything failed.
# This script does NOT require the repository's files to be formatted
# already (it reports how many are not, for information).
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
IPSFC=${IPSFC:-$root/build/ipsfc}
case $IPSFC in /*) ;; *) IPSFC=$(pwd)/$IPSFC ;; esac
if [ ! -x "$IPSFC" ]; then
  echo "check_all.sh: $IPSFC is not an executable (build it, or set IPSFC)" >&2
  exit 2
fi
export NO_COLOR=1 LC_ALL=C

tmp=$(mktemp -d /tmp/ipsfc-fmt.XXXXXX)
trap 'rm -rf "$tmp"' EXIT INT TERM
orig="$tmp/orig"   # the originals, at their relative paths
fmtd="$tmp/fmt"    # the same files, formatted
mkdir -p "$orig" "$fmtd"

# ---- collect the files -------------------------------------------------------
list="$tmp/list"
if [ $# -gt 0 ]; then
  for f in "$@"; do
    case $f in /*) f=${f#"$root"/} ;; esac
    echo "$f"
  done >"$list"
else
  (cd "$root" && find examples stdlib tests -name '*.ipsf' -type f | sort) >"$list"
fi
while IFS= read -r f; do
  mkdir -p "$orig/$(dirname "$f")"
  cp "$root/$f" "$orig/$f"
done <"$list"

# The documentation's blocks: docs/NAME.md gives docs-NAME/block-N.ipsf, or
# the name of its `// file: PATH` first line (as tests/docs/check_examples.sh).
if [ $# -eq 0 ]; then
  for doc in "$root"/docs/*.md; do
    [ -f "$doc" ] || continue
    base=$(basename "$doc" .md)
    dir="$orig/docs-$base"
    mkdir -p "$dir"
    awk -v dir="$dir" -v rel="docs-$base" '
      /^```ipsf(-error|-warning)?[ \t]*$/ && !inblock { inblock = 1; blk++; n = 0; next }
      /^```/ && inblock {
        inblock = 0
        path = "block-" blk ".ipsf"
        if (n > 0 && body[1] ~ /^\/\/ file: [^ \t]+[ \t]*$/) {
          path = body[1]; sub(/^\/\/ file: /, "", path); sub(/[ \t]+$/, "", path)
        }
        if (path ~ /^\// || path ~ /(^|\/)\.\.(\/|$)/) path = "block-" blk ".ipsf"
        if (path ~ /\//) { d = path; sub(/\/[^\/]*$/, "", d); system("mkdir -p \"" dir "/" d "\"") }
        out = dir "/" path
        printf "" > out
        for (i = 1; i <= n; i++) print body[i] > out
        close(out)
        print rel "/" path
        next
      }
      inblock { body[++n] = $0 }
    ' "$doc" >>"$list"
  done
fi

# ---- comments, counted independently of the formatter --------------------------
count_comments() {
  awk '
    { buf = buf $0 "\n" }
    END {
      n = length(buf); i = 1; c = 0
      while (i <= n) {
        ch = substr(buf, i, 1)
        if (ch == "\"") {
          i++
          while (i <= n) {
            ch = substr(buf, i, 1)
            if (ch == "\\" && substr(buf, i + 1, 1) != "\n") { i += 2; continue }
            if (ch == "\"" || ch == "\n") break
            i++
          }
          if (ch == "\"") i++
        } else if (ch == "/" && substr(buf, i + 1, 1) == "/") {
          c++
          while (i <= n && substr(buf, i, 1) != "\n") i++
        } else if (ch == "/" && substr(buf, i + 1, 1) == "*") {
          c++; i += 2
          while (i <= n && substr(buf, i, 2) != "*/") i++
          i += 2
        } else i++
      }
      print c
    }' "$1"
}

# Locations out, and the digest (it covers the line table).
normalise() { sed -e 's/:[0-9][0-9]*:[0-9][0-9]*/:L:C/g' -e '/^; ipsb format .*digest/d'; }
diag_heads() {
  grep -E '^([^ ]+:[0-9]+:[0-9]+: (error|warning|note): |ipsfc: )' | normalise | sort
}

failed=0; formatted=0; skipped=0; packs=0; modules=0; unformatted=0
fail() {
  failed=$((failed + 1))
  echo "FAIL $1: $2"
}

# ---- format every file into the mirror tree ------------------------------------
ok_list="$tmp/ok"
: >"$ok_list"
while IFS= read -r f; do
  mkdir -p "$fmtd/$(dirname "$f")"
  "$IPSFC" fmt "$orig/$f" >"$tmp/once" 2>"$tmp/err"
  rc=$?
  if [ $rc -eq 3 ]; then
    skipped=$((skipped + 1))
    cp "$orig/$f" "$fmtd/$f"
    continue
  fi
  if [ $rc -ne 0 ]; then
    fail "$f" "fmt exited $rc: $(head -1 "$tmp/err")"
    cp "$orig/$f" "$fmtd/$f"
    continue
  fi
  formatted=$((formatted + 1))
  cp "$tmp/once" "$fmtd/$f"
  cmp -s "$tmp/once" "$orig/$f" || unformatted=$((unformatted + 1))
  # 1. idempotence
  "$IPSFC" fmt "$tmp/once" >"$tmp/twice" 2>"$tmp/err" || fail "$f" "formatted text does not format: $(head -1 "$tmp/err")"
  cmp -s "$tmp/once" "$tmp/twice" || { fail "$f" "not idempotent"; diff -u "$tmp/once" "$tmp/twice" | head -20; }
  # 2. comments
  a=$(count_comments "$orig/$f"); b=$(count_comments "$tmp/once")
  [ "$a" = "$b" ] || fail "$f" "$a comments before, $b after"
  echo "$f" >>"$ok_list"
done <"$list"

# ---- 3. the same meaning ------------------------------------------------------------
while IFS= read -r f; do
  if (cd "$orig" && "$IPSFC" disasm "$f" >"$tmp/d1" 2>/dev/null); then
    packs=$((packs + 1))
    (cd "$fmtd" && "$IPSFC" disasm "$f" >"$tmp/d2" 2>"$tmp/err") ||
      { fail "$f" "the formatted pack does not compile: $(head -1 "$tmp/err")"; continue; }
    normalise <"$tmp/d1" >"$tmp/n1"; normalise <"$tmp/d2" >"$tmp/n2"
    cmp -s "$tmp/n1" "$tmp/n2" || { fail "$f" "disasm differs (locations aside)"; diff -u "$tmp/n1" "$tmp/n2" | head -20; }
    (cd "$orig" && "$IPSFC" test "$f" 2>&1; echo "exit $?") | normalise >"$tmp/t1"
    (cd "$fmtd" && "$IPSFC" test "$f" 2>&1; echo "exit $?") | normalise >"$tmp/t2"
    cmp -s "$tmp/t1" "$tmp/t2" || { fail "$f" "test results differ (locations aside)"; diff -u "$tmp/t1" "$tmp/t2" | head -20; }
  else
    modules=$((modules + 1))
    (cd "$orig" && "$IPSFC" check "$f" 2>&1) | diag_heads >"$tmp/c1"
    (cd "$fmtd" && "$IPSFC" check "$f" 2>&1) | diag_heads >"$tmp/c2"
    cmp -s "$tmp/c1" "$tmp/c2" || { fail "$f" "check reports differ (locations aside)"; diff -u "$tmp/c1" "$tmp/c2" | head -20; }
  fi
done <"$ok_list"

echo "fmt: $formatted files formatted ($packs packs compared by disasm and test, $modules other files by check)," \
     "$skipped skipped (syntax errors), $failed failures; $unformatted not yet in the canonical layout"
[ "$failed" -eq 0 ]
