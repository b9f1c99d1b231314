#!/bin/sh
# Check the examples of the documentation against the real tool.
#
#   IPSFC=path/to/ipsfc sh tests/docs/check_examples.sh [DOC.md...]
#
# Every fenced block of docs/*.md (or of the files named) whose info string
# is exactly `ipsf` or `ipsf-error` is written to a file and given to
# `ipsfc check`:
#
#   ```ipsf        must be a complete file that checks cleanly: exit 0
#   ```ipsf-error  must be rejected: exit 1.  If a ```text block follows it
#                  (only blank lines between), that block must be exactly
#                  what `ipsfc check` prints on standard error, so a
#                  diagnostic shown in the docs is always the real one.
#   ```ipsf-warning must check (exit 0) with warnings: every code named on
#                  a line `// warns: IPSF-W102 ...` of the block must be
#                  reported (`[IPSF-W102]`); without such a line, at least
#                  one warning.  A ```text block may follow, as for errors.
#
# A document with the line `<!-- docs-test: strict -->` also requires its
# ```ipsf blocks to check without any warning (docs/diagnostics.md: the
# fixed examples must really be free of findings).
#
# The blocks of one document share a temporary directory and are written
# and checked one by one, in document order (so a block may replace the
# file of an earlier one, as the steps of docs/tutorial.md do).  A block is
# written to block-N.ipsf (N counts from 1),
# unless its first line is a comment `// file: PATH`, which names it (PATH
# is relative, may contain directories): this lets a later block import an
# earlier one, and fixes the file name that its diagnostics show.  `check`
# runs inside that directory, with NO_COLOR set.
#
# Then, if groff is installed, `groff -man -ww -z docs/ipsfc.1` must print
# no warning.
#
# Prints one line per failure (and the output that explains it), then
# `docs: N passed, N failed`; exits 1 if anything failed.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
IPSFC=${IPSFC:-$root/build/ipsfc}
case $IPSFC in /*) ;; *) IPSFC=$(pwd)/$IPSFC ;; esac
if [ ! -x "$IPSFC" ]; then
  echo "check_examples.sh: $IPSFC is not an executable (build it, or set IPSFC)" >&2
  exit 2
fi

tmp=$(mktemp -d /tmp/ipsfc-docs.XXXXXX)
trap 'rm -rf "$tmp"' EXIT INT TERM

if [ $# -gt 0 ]; then docs="$*"; else docs=$(ls "$root"/docs/*.md 2>/dev/null); fi

passed=0
failed=0
fail() {
  failed=$((failed + 1))
  echo "FAIL $1"
}

n=0
for doc in $docs; do
  n=$((n + 1))
  dir="$tmp/doc$n"
  src="$tmp/src$n"
  mkdir -p "$dir" "$src"
  name=${doc#"$root"/}
  # Split the document: one file per block (in $src, copied to its name in
  # $dir when its turn comes), and a manifest of
  #   kind <TAB> file <TAB> line of the opening fence <TAB> expected-output file or - <TAB> block
  awk -v dir="$dir" -v src="$src" '
    function start(kind) {
      inblock = 1; blk++; bkind = kind; bline = NR; nlines = 0
    }
    function finish(   path, i, first) {
      inblock = 0
      path = "block-" blk ".ipsf"
      first = nlines > 0 ? body[1] : ""
      if (first ~ /^\/\/ file: [^ \t]+[ \t]*$/) {
        path = first; sub(/^\/\/ file: /, "", path); sub(/[ \t]+$/, "", path)
      }
      if (path ~ /^\// || path ~ /(^|\/)\.\.(\/|$)/) path = "block-" blk ".ipsf"
      out = src "/" blk
      printf "" > out
      for (i = 1; i <= nlines; i++) print body[i] > out
      close(out)
      manifest[blk] = bkind "\t" path "\t" bline
      want_text = (bkind == "ipsf-error" || bkind == "ipsf-warning") ? blk : 0
    }
    intext {
      if ($0 ~ /^```[ \t]*$/) { intext = 0; close(tout); next }
      print > tout
      next
    }
    inblock {
      if ($0 ~ /^```[ \t]*$/) { finish(); next }
      body[++nlines] = $0
      next
    }
    /^```ipsf[ \t]*$/       { start("ipsf"); next }
    /^```ipsf-error[ \t]*$/ { start("ipsf-error"); next }
    /^```ipsf-warning[ \t]*$/ { start("ipsf-warning"); next }
    /^```text[ \t]*$/ && want_text {
      tout = dir "/expected-" want_text ".txt"
      printf "" > tout
      expected[want_text] = tout
      want_text = 0; intext = 1
      next
    }
    /^[ \t]*$/ { next }
    { want_text = 0 }
    END {
      if (inblock) manifest[blk] = "unterminated\t-\t" bline
      for (i = 1; i <= blk; i++)
        print manifest[i] "\t" ((i in expected) ? expected[i] : "-") "\t" src "/" i > (dir "/manifest")
    }
  ' "$doc"
  [ -f "$dir/manifest" ] || continue
  strict=0
  grep -q '^<!-- docs-test: strict -->$' "$doc" && strict=1
  tab=$(printf '\t')
  while IFS=$tab read -r kind file line expected block; do
    where="$name:$line"
    if [ "$kind" = unterminated ]; then
      fail "$where: the block is not closed with \`\`\`"
      continue
    fi
    mkdir -p "$dir/$(dirname "$file")" && cp "$block" "$dir/$file"
    (cd "$dir" && NO_COLOR=1 "$IPSFC" check "$file" >"$dir/out" 2>"$dir/err")
    rc=$?
    if [ "$kind" = ipsf ]; then
      if [ "$rc" -ne 0 ]; then
        fail "$where: an \`ipsf\` example must check cleanly, but \`ipsfc check\` exited $rc:"
        sed 's/^/    /' "$dir/err"
      elif [ "$strict" = 1 ] && grep -q ': warning: ' "$dir/err"; then
        fail "$where: an \`ipsf\` example of this document must check without warnings:"
        sed 's/^/    /' "$dir/err"
      else
        passed=$((passed + 1))
      fi
    elif [ "$kind" = ipsf-warning ]; then
      codes=$(sed -n 's|^[ \t]*// warns:||p' "$dir/$file")
      missing=""
      for code in $codes; do grep -qF "[$code]" "$dir/err" || missing="$missing $code"; done
      if [ "$rc" -ne 0 ]; then
        fail "$where: an \`ipsf-warning\` example must check with exit 0, not $rc:"
        sed 's/^/    /' "$dir/err"
      elif [ -n "$missing" ] || ! grep -q ': warning: ' "$dir/err"; then
        fail "$where: this \`ipsf-warning\` example does not report${missing:- a warning}:"
        sed 's/^/    /' "$dir/err"
      elif [ "$expected" != - ] && ! cmp -s "$expected" "$dir/err"; then
        fail "$where: the diagnostic shown after this example is not what \`ipsfc check\` prints:"
        diff "$expected" "$dir/err" | sed 's/^/    /'
      else
        passed=$((passed + 1))
      fi
    else
      if [ "$rc" -ne 1 ]; then
        fail "$where: an \`ipsf-error\` example must make \`ipsfc check\` exit 1, not $rc"
        sed 's/^/    /' "$dir/err"
      elif [ "$expected" != - ] && ! cmp -s "$expected" "$dir/err"; then
        fail "$where: the diagnostic shown after this example is not what \`ipsfc check\` prints:"
        diff "$expected" "$dir/err" | sed 's/^/    /'
      else
        passed=$((passed + 1))
      fi
    fi
  done <"$dir/manifest"
done

if command -v groff >/dev/null 2>&1 && [ -f "$root/docs/ipsfc.1" ]; then
  if groff -man -ww -z "$root/docs/ipsfc.1" >"$tmp/groff" 2>&1 && [ ! -s "$tmp/groff" ]; then
    passed=$((passed + 1))
  else
    fail "docs/ipsfc.1: groff -man -ww reports problems:"
    sed 's/^/    /' "$tmp/groff"
  fi
fi

echo "docs: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
