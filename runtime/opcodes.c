/*
 * opcodes.c -- the opcode info table, generated from the one X-macro list
 * in opcodes.h.  The verifier reads operand kinds and stack effects from
 * here; the disassembler and docs read names and meanings.  The fused
 * instructions' sequences (ipsf_fused_info) come from the same rows, and
 * the packing of their operands is here, once, for the code generator,
 * the verifier, the VM's reader (the disassembler) and the tests.
 */
#include <stdint.h>

#include "opcodes.h"

const IpsfOpInfo ipsf_op_info[IPSF_OP__COUNT] = {
#define IPSF_OP_ROW(name, operand, pops, pushes, meaning) \
  [IPSF_OP_##name] = {#name, IPSF_OPND_##operand, pops, pushes, meaning},
    IPSF_OPCODES(IPSF_OP_ROW)
#undef IPSF_OP_ROW
};

#define IPSF_FUSED_COUNT4(e1, e2, e3, e4) \
  (uint8_t)(2 + (IPSF_OP_##e3 != IPSF_OP_NOP) + (IPSF_OP_##e4 != IPSF_OP_NOP))

const IpsfFusedInfo ipsf_fused_info[IPSF_OP__COUNT] = {
#define IPSF_FUSED_ROW(X, name, operand, pushes, e1, e2, e3, e4, meaning)              \
  [IPSF_OP_##name] = {IPSF_FUSED_COUNT4(e1, e2, e3, e4),                               \
                      {(uint8_t)IPSF_OP_##e1, (uint8_t)IPSF_OP_##e2, (uint8_t)IPSF_OP_##e3, \
                       (uint8_t)IPSF_OP_##e4}},
    IPSF_FUSED(_, IPSF_FUSED_ROW)
#undef IPSF_FUSED_ROW
};

IpsfFusedFields ipsf_fused_fields(unsigned op, uint32_t a) {
  IpsfFusedFields f = {UINT32_MAX, UINT32_MAX, UINT32_MAX};
  if (op >= IPSF_OP__COUNT) return f;
  switch (ipsf_op_info[op].operand) {
  case IPSF_OPND_SK: f.slot = a & 0xFFFu, f.konst = a >> 12; break;
  case IPSF_OPND_SKJ: f.slot = a & 0xFFu, f.konst = (a >> 8) & 0xFFu, f.jump = a >> 16; break;
  case IPSF_OPND_SJ: f.slot = a & 0xFFFu, f.jump = a >> 12; break;
  default: break;
  }
  return f;
}

bool ipsf_fused_pack(unsigned op, IpsfFusedFields f, uint32_t *a) {
  if (op >= IPSF_OP__COUNT) return false;
  switch (ipsf_op_info[op].operand) {
  case IPSF_OPND_SK:
    if (f.slot > 0xFFFu || f.konst > 0xFFFu) return false;
    *a = f.slot | f.konst << 12;
    return true;
  case IPSF_OPND_SKJ:
    if (f.slot > 0xFFu || f.konst > 0xFFu || f.jump > 0xFFu) return false;
    *a = f.slot | f.konst << 8 | f.jump << 16;
    return true;
  case IPSF_OPND_SJ:
    if (f.slot > 0xFFFu || f.jump > 0xFFFu) return false;
    *a = f.slot | f.jump << 12;
    return true;
  default:
    return false;
  }
}

unsigned ipsf_fused_expand(unsigned op, uint32_t a, uint32_t out[4]) {
  if (op >= IPSF_OP__COUNT) return 0;
  const IpsfFusedInfo *fi = &ipsf_fused_info[op];
  IpsfFusedFields f = ipsf_fused_fields(op, a);
  for (unsigned k = 0; k < fi->n; k++) {
    unsigned c = fi->ops[k];
    uint32_t operand = c == IPSF_OP_LOAD    ? f.slot
                       : c == IPSF_OP_LOADK ? f.konst
                       : c == IPSF_OP_JUMPF ? f.jump
                                            : 0;
    out[k] = IPSF_INSN(c, operand);
  }
  return fi->n;
}
