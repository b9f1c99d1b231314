#!/bin/sh
# gen_bytecode_doc.sh -- regenerate the instruction table of docs/bytecode.md
# from runtime/opcodes.h, the one opcode list.  The table sits between the
# markers <!-- BEGIN OPCODES --> and <!-- END OPCODES -->; everything else in
# the page is left as it is.
#
#   sh tools/gen_bytecode_doc.sh            rewrite docs/bytecode.md
#   sh tools/gen_bytecode_doc.sh --check    exit 1 if the page is stale
set -eu
cd "$(dirname "$0")/.."
doc=docs/bytecode.md
tmp=$(mktemp)
trap 'rm -f "$tmp" "$tmp.table"' EXIT

{
  echo '| # | opcode | operand A | pops | pushes | meaning |'
  echo '| ---: | --- | --- | --- | --- | --- |'
  {
    # plain rows before the fused ones (up to the IPSF_FUSED line of the
    # list), then the fused rows, then the plain rows listed after them
    sed -n '1,/^ *IPSF_FUSED(OP, IPSF_FUSED_AS_OP)/s/^ *OP(\([A-Z0-9_]*\), *\([A-Z]*\), *"\([^"]*\)", *"\([^"]*\)", *"\(.*\)") *\\\{0,1\}$/\1|\2|\3|\4|\5/p' \
      runtime/opcodes.h
    # fused rows, numbered after the plain ones: F(X, NAME, OPERAND, PUSHES,
    # E1, E2, E3, E4, E5, MEANING), the sequence they stand for in the meaning
    sed -n 's/^ *F(X, *\([A-Z0-9_]*\), *\([A-Z]*\), *"\([^"]*\)", *\([A-Z]*\), *\([A-Z]*\), *\([A-Z]*\), *\([A-Z]*\), *\([A-Z]*\), *"\(.*\)") *\\\{0,1\}$/\1|\2||\3|\9 (= `\4; \5; \6; \7; \8`)/p' \
      runtime/opcodes.h | sed 's/; NOP//g'
    sed -n '/^ *IPSF_FUSED(OP, IPSF_FUSED_AS_OP)/,$s/^ *OP(\([A-Z0-9_]*\), *\([A-Z]*\), *"\([^"]*\)", *"\([^"]*\)", *"\(.*\)") *\\\{0,1\}$/\1|\2|\3|\4|\5/p' \
      runtime/opcodes.h
  } |
  awk -F'|' '{
    pops = ($3 == "") ? "-" : "`" $3 "`";
    pushes = ($4 == "") ? "-" : "`" $4 "`";
    opnd = ($2 == "NONE") ? "-" : $2;
    printf "| %d | `%s` | %s | %s | %s | %s |\n", NR - 1, $1, opnd, pops, pushes, $5
  }'
} > "$tmp.table"

awk -v table="$tmp.table" '
  /<!-- BEGIN OPCODES -->/ { print; while ((getline line < table) > 0) print line; skip = 1; next }
  /<!-- END OPCODES -->/ { skip = 0 }
  !skip { print }
' "$doc" > "$tmp"

if [ "${1-}" = "--check" ]; then
  if cmp -s "$tmp" "$doc"; then exit 0; fi
  echo "$doc is stale: run sh tools/gen_bytecode_doc.sh" >&2
  exit 1
fi
cp "$tmp" "$doc"
