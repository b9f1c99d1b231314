#!/bin/sh
# Output that cannot be written is an error, never a success
# (docs/security.md, "Output integrity").
#
#  1. Every verb, --help and --version, with standard output on /dev/full
#     (ENOSPC) and closed (EBADF): exit 4 and "ipsfc: write error: REASON".
#  2. Files are written whole or not at all: `compile -o`, `sign`, `fmt -w`
#     and `keygen` under a file size limit (ulimit -f) that makes the write
#     fail half-way leave the old target (or none) and no temporary file.
#
# IPSFC=path/to/ipsfc sh tests/cli/write_errors.sh
set -u
: "${IPSFC:?set IPSFC to the ipsfc binary}"
root=$(cd "$(dirname "$0")/../.." && pwd)
d=$(mktemp -d /tmp/ipsfc-write.XXXXXX)
trap 'rm -rf "$d"' EXIT
ex=$root/examples/smart-home
keys=$root/tests/golden/signing/keys
cp "$keys/test.key" "$keys/test.pub" "$d/" && chmod 600 "$d/test.key"
"$IPSFC" compile "$ex/pack.ipsf" -o "$d/p.ipsb" || exit 9
cp "$d/p.ipsb" "$d/s.ipsb" && "$IPSFC" sign "$d/s.ipsb" --key "$d/test.key" >/dev/null || exit 9
printf 'pack "t.u" version "1.0.0" { title "t"; }\nimport "ssf";\nfacts {   x: bool = false "x"; }\nrules recovery { otherwise limited; }\nrules economic { otherwise limited; }\n' >"$d/ugly.ipsf"

passed=0 failed=0
fail() { failed=$((failed + 1)); echo "FAIL $*"; }

# expect_write_error NAME CMD...: CMD with stdout on /dev/full, then closed.
expect_write_error() {
  name=$1; shift
  for target in full closed; do
    if [ $target = full ]; then "$@" >/dev/full 2>"$d/err"; else "$@" >&- 2>"$d/err"; fi
    code=$?
    if [ $target = full ]; then why="No space left on device"; else why="Bad file descriptor"; fi
    if [ $code -ne 4 ]; then fail "$name (stdout $target): exit $code, not 4"; sed 's/^/  /' "$d/err"
    elif [ "$(grep -c "^ipsfc: write error: $why\$" "$d/err")" -ne 1 ]; then
      fail "$name (stdout $target): no single 'ipsfc: write error: $why' on stderr"; sed 's/^/  /' "$d/err"
    else passed=$((passed + 1)); fi
  done
}

expect_write_error "--help" "$IPSFC" --help
expect_write_error "--version" "$IPSFC" --version
for verb in compile check eval test fmt disasm inspect schema report doc diff lsp keygen sign verify; do
  expect_write_error "$verb --help" "$IPSFC" $verb --help
done
expect_write_error "check --format json" "$IPSFC" check --format json "$ex/pack.ipsf"
expect_write_error "check --format sarif" "$IPSFC" check --format sarif "$ex/pack.ipsf"
expect_write_error "check --explain" "$IPSFC" check --explain W102 "$ex/pack.ipsf"
expect_write_error "eval (text)" "$IPSFC" eval "$ex/pack.ipsf" "$ex/devices/smart-plug.json"
expect_write_error "eval --format json" "$IPSFC" eval --format json "$d/p.ipsb" "$ex/devices/smart-plug.json"
expect_write_error "eval --format jsonl --jobs 2" "$IPSFC" eval --format jsonl --jobs 2 "$d/p.ipsb" "$ex/devices/registry.jsonl"
expect_write_error "test" "$IPSFC" test "$ex/pack.ipsf"
expect_write_error "fmt FILE" "$IPSFC" fmt "$d/ugly.ipsf"
expect_write_error "fmt --check" "$IPSFC" fmt --check "$d/ugly.ipsf"
expect_write_error "disasm" "$IPSFC" disasm "$d/p.ipsb"
expect_write_error "inspect" "$IPSFC" inspect "$d/p.ipsb"
expect_write_error "inspect --format json" "$IPSFC" inspect --format json "$d/p.ipsb"
expect_write_error "schema" "$IPSFC" schema "$d/p.ipsb"
expect_write_error "verify" "$IPSFC" verify "$d/s.ipsb" --pubkey "$d/test.pub"
expect_write_error "report" "$IPSFC" report "$ex/pack.ipsf" "$ex/devices/smart-plug.json"
expect_write_error "report --format json --jobs 2" "$IPSFC" report --format json --jobs 2 "$d/p.ipsb" "$ex/devices/registry.jsonl"
expect_write_error "doc" "$IPSFC" doc "$ex/pack.ipsf"
expect_write_error "doc --format markdown" "$IPSFC" doc --format markdown "$d/p.ipsb"
expect_write_error "diff" "$IPSFC" diff "$ex/pack.ipsf" "$ex/pack.ipsf" "$ex/devices/smart-plug.json"
expect_write_error "diff --format json" "$IPSFC" diff --format json "$ex/pack.ipsf" "$ex/pack.ipsf"
# the language server answering an editor's initialize
lsp_init() {
  msg='{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}'
  printf 'Content-Length: %d\r\n\r\n%s' ${#msg} "$msg" | "$IPSFC" lsp
}
expect_write_error "lsp" lsp_init
expect_write_error "sign" "$IPSFC" sign "$d/p.ipsb" --key "$d/test.key" -o "$d/signed.ipsb"
n=0
keygen() { n=$((n + 1)); "$IPSFC" keygen "$d/kg$n"; }
expect_write_error "keygen" keygen
# compile and fmt -w print nothing on success: nothing to lose, exit 0
"$IPSFC" compile "$ex/pack.ipsf" -o "$d/c.ipsb" >/dev/full && passed=$((passed + 1)) ||
  fail "compile with stdout on /dev/full (it prints nothing)"

# ---- whole files or none ----------------------------------------------------
# A file size limit of 1 KiB (ulimit -f counts 512-byte blocks; SIGXFSZ
# ignored so write(2) fails with EFBIG) cuts every write below half-way.
limited() { (trap '' XFSZ; ulimit -f 2; "$@"); }
no_temp_left() {
  left=$(find "$d" -name '*.tmp-*' | wc -l)
  [ "$left" -eq 0 ] || { fail "$1: $left temporary file(s) left"; find "$d" -name '*.tmp-*'; }
}
# expect_kept NAME FILE CONTENT CMD...: CMD fails (exit 3) with "cannot write",
# FILE still holds CONTENT (or is absent if CONTENT is "-").
expect_kept() {
  name=$1 file=$2 want=$3; shift 3
  limited "$@" >/dev/null 2>"$d/err"; code=$?
  if [ $code -ne 3 ]; then fail "$name: exit $code, not 3"; sed 's/^/  /' "$d/err"; return; fi
  grep -q "cannot write .*: File too large" "$d/err" || { fail "$name: no 'cannot write': $(cat "$d/err")"; return; }
  if [ "$want" = - ]; then
    [ ! -e "$file" ] && passed=$((passed + 1)) || fail "$name: a partial $file was left"
  else
    [ "$(cat "$file")" = "$want" ] && passed=$((passed + 1)) || fail "$name: $file was altered"
  fi
  no_temp_left "$name"
}
echo old >"$d/old.ipsb"
expect_kept "compile -o over a file" "$d/old.ipsb" old "$IPSFC" compile "$ex/pack.ipsf" -o "$d/old.ipsb"
expect_kept "compile -o a new file" "$d/new.ipsb" - "$IPSFC" compile "$ex/pack.ipsf" -o "$d/new.ipsb"
"$IPSFC" compile "$ex/pack.ipsf" -o "$d/none/x.ipsb" 2>"$d/err"; code=$?
if [ $code -eq 3 ] && grep -q "^ipsfc compile: cannot write .*/none/x.ipsb: No such file or directory\$" "$d/err"
then passed=$((passed + 1)); else fail "compile -o into a missing directory: exit $code: $(cat "$d/err")"; fi
echo old >"$d/old.json"
expect_kept "schema -o over a file" "$d/old.json" old "$IPSFC" schema "$ex/pack.ipsf" -o "$d/old.json"
echo old >"$d/old2.ipsb"
expect_kept "sign -o over a file" "$d/old2.ipsb" old "$IPSFC" sign "$d/p.ipsb" --key "$d/test.key" -o "$d/old2.ipsb"
# fmt -w: a long file, so that its formatted text is over the limit too
{ cat "$d/ugly.ipsf"; i=0; while [ $i -lt 60 ]; do echo "// a comment line to make the file longer than a kibibyte $i"; i=$((i + 1)); done; } >"$d/long.ipsf"
cp "$d/long.ipsf" "$d/long.orig"
limited "$IPSFC" fmt -w "$d/long.ipsf" >/dev/null 2>"$d/err"; code=$?
if [ $code -eq 3 ] && cmp -s "$d/long.ipsf" "$d/long.orig" && grep -q "cannot write" "$d/err"; then
  passed=$((passed + 1)); else fail "fmt -w under a size limit: exit $code: $(cat "$d/err")"; fi
no_temp_left "fmt -w"
echo "write errors: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
