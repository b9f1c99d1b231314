/*
 * opcodes.c -- the opcode info table, generated from the one X-macro list
 * in opcodes.h.  The verifier reads operand kinds and stack effects from
 * here; the disassembler and docs read names and meanings.
 */
#include <stdint.h>

#include "opcodes.h"

const IpsfOpInfo ipsf_op_info[IPSF_OP__COUNT] = {
#define IPSF_OP_ROW(name, operand, pops, pushes, meaning) \
  [IPSF_OP_##name] = {#name, IPSF_OPND_##operand, pops, pushes, meaning},
    IPSF_OPCODES(IPSF_OP_ROW)
#undef IPSF_OP_ROW
};
