#!/bin/sh
# Run the tutorial (docs/tutorial.md) step by step against the real tool.
#
#   IPSFC=path/to/ipsfc sh tests/docs/tutorial.sh [TUTORIAL.md]
#
# The document is read from top to bottom and acted on in order, in one
# empty working directory (so a later step's file replaces an earlier one):
#
#   ```ipsf          a step's file, in full.  Its first line is a comment
#                    `// file: PATH` naming it (else block-N.ipsf).  It is
#                    written, then `ipsfc check PATH` must exit 0 without
#                    any warning: every step checks cleanly.
#   ```ipsf-error,   not written and not run here: check_examples.sh
#   ```ipsf-warning  checks them (with the diagnostics shown after them).
#   <!-- file: PATH -->
#   ```ANY           a data file (a fact sheet): the block right after
#                    the comment line is written to PATH.
#   ```console       commands and what they print.  A line `$ COMMAND`
#                    runs COMMAND with sh in the working directory, with
#                    `ipsfc` on PATH, NO_COLOR set and "today" pinned to
#                    2026-06-01 (SOURCE_DATE_EPOCH); the lines after it,
#                    up to the next `$ ` line or the end of the block, are
#                    exactly what it must print (standard output and
#                    standard error together).  It must exit 0, unless the
#                    command ends with a comment `# exit N`.
#
# Other blocks are text.  Prints one line per failure (and the difference),
# then `tutorial: N passed, N failed`; exits 1 if anything failed.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
IPSFC=${IPSFC:-$root/build/ipsfc}
case $IPSFC in /*) ;; *) IPSFC=$(pwd)/$IPSFC ;; esac
if [ ! -x "$IPSFC" ]; then
  echo "tutorial.sh: $IPSFC is not an executable (build it, or set IPSFC)" >&2
  exit 2
fi
doc=${1:-$root/docs/tutorial.md}
name=${doc#"$root"/}

tmp=$(mktemp -d /tmp/ipsfc-tutorial.XXXXXX)
trap 'rm -rf "$tmp"' EXIT INT TERM
mkdir -p "$tmp/bin" "$tmp/blocks" "$tmp/work"
ln -s "$IPSFC" "$tmp/bin/ipsfc"

# Split the document into numbered pieces and a manifest of actions, in
# document order:
#   file <TAB> piece <TAB> PATH <TAB> line     write a file
#   check <TAB> - <TAB> PATH <TAB> line        ipsfc check must be clean
#   run <TAB> piece <TAB> - <TAB> line         piece.cmd, expected piece.out
awk -v dir="$tmp/blocks" '
  function piece() { return dir "/" (++n) }
  function close_block(   path) {
    if (kind == "ipsf") {
      path = first
      if (path ~ /^\/\/ file: [^ \t]+[ \t]*$/) {
        sub(/^\/\/ file: /, "", path); sub(/[ \t]+$/, "", path)
      } else path = "block-" n ".ipsf"
      print "file\t" cur "\t" path "\t" bline > (dir "/manifest")
      print "check\t-\t" path "\t" bline > (dir "/manifest")
    } else if (kind == "data") {
      print "file\t" cur "\t" dpath "\t" bline > (dir "/manifest")
    }
    if (cur != "") close(cur)
    kind = ""; cur = ""
  }
  kind == "console" && /^```[ \t]*$/ { kind = ""; next }
  kind == "console" && /^\$ / {
    cur = piece()
    cmd = substr($0, 3)
    printf "%s\n", cmd > (cur ".cmd"); close(cur ".cmd")
    printf "" > (cur ".out")
    print "run\t" cur "\t-\t" NR > (dir "/manifest")
    next
  }
  kind == "console" { if (cur != "") print > (cur ".out"); next }
  kind == "skip" && /^```[ \t]*$/ { kind = ""; next }
  kind == "skip" { next }
  (kind == "ipsf" || kind == "data") && /^```[ \t]*$/ { close_block(); next }
  kind == "ipsf" || kind == "data" {
    if (lines++ == 0) first = $0
    print > cur
    next
  }
  /^<!-- file: [^ \t]+ -->[ \t]*$/ {
    pending = $0; sub(/^<!-- file: /, "", pending); sub(/ -->[ \t]*$/, "", pending)
    pending_line = NR + 1
    next
  }
  /^```ipsf[ \t]*$/ {
    kind = "ipsf"; cur = piece(); printf "" > cur; lines = 0; first = ""; bline = NR
    pending = ""; next
  }
  /^```console[ \t]*$/ { kind = "console"; cur = ""; pending = ""; next }
  /^```/ {
    if (pending != "" && pending_line == NR) {
      kind = "data"; dpath = pending; cur = piece(); printf "" > cur; lines = 0; bline = NR
    } else kind = "skip"
    pending = ""; next
  }
  { pending = "" }
  END {
    if (kind != "") print "unterminated\t-\t-\t" NR > (dir "/manifest")
  }
' "$doc"

passed=0
failed=0
fail() {
  failed=$((failed + 1))
  echo "FAIL $1"
}

if [ ! -f "$tmp/blocks/manifest" ]; then
  echo "tutorial.sh: $name has no step to run" >&2
  exit 1
fi

tab=$(printf '\t')
while IFS=$tab read -r action piece path line; do
  where="$name:$line"
  case $action in
  unterminated)
    fail "$where: a block is not closed with \`\`\`" ;;
  file)
    case $path in
    /* | *..*) fail "$where: the file name must be relative, without '..': $path"; continue ;;
    esac
    mkdir -p "$tmp/work/$(dirname "$path")"
    cp "$piece" "$tmp/work/$path" ;;
  check)
    (cd "$tmp/work" && NO_COLOR=1 "$IPSFC" check "$path" >"$tmp/out" 2>&1)
    rc=$?
    if [ "$rc" -ne 0 ] || grep -q ': warning: ' "$tmp/out"; then
      fail "$where: this step's $path must check cleanly (exit 0, no warning); \`ipsfc check\` exited $rc:"
      sed 's/^/    /' "$tmp/out"
    else
      passed=$((passed + 1))
    fi ;;
  run)
    cmd=$(cat "$piece.cmd")
    want=0
    case $cmd in
    *"# exit "[0-9]*) want=${cmd##*# exit } ;;
    esac
    (cd "$tmp/work" && PATH="$tmp/bin:$PATH" NO_COLOR=1 SOURCE_DATE_EPOCH=1780272000 \
      sh -c "$cmd" >"$tmp/out" 2>&1)
    rc=$?
    if [ "$rc" -ne "$want" ]; then
      fail "$where: \`$cmd\` exited $rc, not $want:"
      sed 's/^/    /' "$tmp/out"
    elif ! cmp -s "$piece.out" "$tmp/out"; then
      fail "$where: \`$cmd\` does not print what the tutorial shows:"
      diff "$piece.out" "$tmp/out" | sed 's/^/    /'
    else
      passed=$((passed + 1))
    fi ;;
  esac
done <"$tmp/blocks/manifest"

echo "tutorial: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
