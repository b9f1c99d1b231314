/*
 * opcodes.c -- the opcode info table, generated from the one X-macro list
 * in opcodes.h.  The verifier reads operand kinds and stack effects from
 * here; the disassembler and docs read names and meanings.  The fused
 * instructions' sequences (ipsf_fused_info) come from the same rows, and
 * the packing of their operands is here, once, for the code generator,
 * the verifier, the VM's reader (the disassembler) and the tests.
 */
#include <stdint.h>
#include <stdlib.h>

#include "pack.h"

const IpsfOpInfo ipsf_op_info[IPSF_OP__COUNT] = {
#define IPSF_OP_ROW(name, operand, pops, pushes, meaning) \
  [IPSF_OP_##name] = {#name, IPSF_OPND_##operand, pops, pushes, meaning},
    IPSF_OPCODES(IPSF_OP_ROW)
#undef IPSF_OP_ROW
};

#define IPSF_FUSED_COUNT5(e1, e2, e3, e4, e5)                                  \
  (uint8_t)(2 + (IPSF_OP_##e3 != IPSF_OP_NOP) + (IPSF_OP_##e4 != IPSF_OP_NOP) + \
            (IPSF_OP_##e5 != IPSF_OP_NOP))

const IpsfFusedInfo ipsf_fused_info[IPSF_OP__COUNT] = {
#define IPSF_FUSED_ROW(X, name, operand, pushes, e1, e2, e3, e4, e5, meaning)          \
  [IPSF_OP_##name] = {IPSF_FUSED_COUNT5(e1, e2, e3, e4, e5),                           \
                      {(uint8_t)IPSF_OP_##e1, (uint8_t)IPSF_OP_##e2, (uint8_t)IPSF_OP_##e3, \
                       (uint8_t)IPSF_OP_##e4, (uint8_t)IPSF_OP_##e5}},
    IPSF_FUSED(_, IPSF_FUSED_ROW)
#undef IPSF_FUSED_ROW
};

IpsfFusedFields ipsf_fused_fields(unsigned op, uint32_t a) {
  IpsfFusedFields f = {UINT32_MAX, UINT32_MAX, UINT32_MAX, UINT32_MAX, UINT32_MAX, UINT32_MAX};
  if (op >= IPSF_OP__COUNT) return f;
  /* the action field of SKA/SA: a rule, or a confirm line */
  uint32_t *act = ipsf_fused_info[op].ops[ipsf_fused_info[op].n ? ipsf_fused_info[op].n - 1 : 0] ==
                          IPSF_OP_CONFIRM
                      ? &f.confirm
                      : &f.rule;
  switch (ipsf_op_info[op].operand) {
  case IPSF_OPND_SK: f.slot = a & 0xFFFu, f.konst = a >> 12; break;
  case IPSF_OPND_SKJ: f.slot = a & 0xFFu, f.konst = (a >> 8) & 0xFFu, f.jump = a >> 16; break;
  case IPSF_OPND_SJ: f.slot = a & 0xFFFu, f.jump = a >> 12; break;
  case IPSF_OPND_RC: f.req = a & 0xFFFu, f.confirm = a >> 12; break;
  case IPSF_OPND_SKA: f.slot = a & 0xFFu, f.konst = (a >> 8) & 0xFFu, *act = a >> 16; break;
  case IPSF_OPND_SA: f.slot = a & 0xFFFu, *act = a >> 12; break;
  case IPSF_OPND_SL: f.slot = a; break;
  default: break;
  }
  return f;
}

bool ipsf_fused_pack(unsigned op, IpsfFusedFields f, uint32_t *a) {
  if (op >= IPSF_OP__COUNT) return false;
  const IpsfFusedInfo *fi = &ipsf_fused_info[op];
  uint32_t act = fi->n && fi->ops[fi->n - 1] == IPSF_OP_CONFIRM ? f.confirm : f.rule;
  switch (ipsf_op_info[op].operand) {
  case IPSF_OPND_SKA:
    if (f.slot > 0xFFu || f.konst > 0xFFu || act > 0xFFu) return false;
    *a = f.slot | f.konst << 8 | act << 16;
    return true;
  case IPSF_OPND_SA:
    if (f.slot > 0xFFFu || act > 0xFFFu) return false;
    *a = f.slot | act << 12;
    return true;
  case IPSF_OPND_SL:
    if (f.slot > IPSF_OPERAND_MAX) return false;
    *a = f.slot;
    return true;
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
  case IPSF_OPND_RC:
    if (f.req > 0xFFFu || f.confirm > 0xFFFu) return false;
    *a = f.req | f.confirm << 12;
    return true;
  default:
    return false;
  }
}

unsigned ipsf_fused_expand(unsigned op, uint32_t a, uint32_t out[5]) {
  if (op >= IPSF_OP__COUNT) return 0;
  const IpsfFusedInfo *fi = &ipsf_fused_info[op];
  IpsfFusedFields f = ipsf_fused_fields(op, a);
  for (unsigned k = 0; k < fi->n; k++) {
    unsigned c = fi->ops[k];
    bool hit = c == IPSF_OP_HITW || c == IPSF_OP_HITF || c == IPSF_OP_HITU;
    /* a compare-and-act form's JUMPF skips only the action: operand 0 from
     * the fused instruction's pc */
    uint32_t operand = c == IPSF_OP_LOAD                          ? f.slot
                       : c == IPSF_OP_LOADK                       ? f.konst
                       : c == IPSF_OP_JUMPF                       ? (f.jump == IPSF_NONE ? 0 : f.jump)
                       : c == IPSF_OP_ANDJ || c == IPSF_OP_ORJ    ? 0
                       : c == IPSF_OP_REQ || c == IPSF_OP_REQEND  ? f.req
                       : c == IPSF_OP_CONFIRM                     ? f.confirm
                       : hit                                      ? f.rule
                                                                  : 0;
    out[k] = IPSF_INSN(c, operand);
  }
  return fi->n;
}

/* ---- fusion ------------------------------------------------------------- */

/* The jump target of plain instruction w at pc, or IPSF_NONE. */
static uint32_t plain_target(uint32_t w, uint32_t pc) {
  unsigned op = IPSF_INSN_OP(w);
  if (op >= IPSF_OP__COUNT || ipsf_op_info[op].operand != IPSF_OPND_JUMP) return IPSF_NONE;
  return pc + 1 + IPSF_INSN_A(w);
}

/* Set field *at to v: false if the sequence already gave it another value
 * (REQ q ... REQEND q must name the same requirement). */
static bool field(uint32_t *at, uint32_t v) {
  if (*at != IPSF_NONE && *at != v) return false;
  *at = v;
  return true;
}

/* Does fused instruction op stand for code[pc ..]?  Fills its fields (the
 * jump field with the old offset from pc: offsets only shrink, so a jump
 * that fits now fits after the rewrite) and *target. */
/* barrier[pc]: JUMP_IN, some jump targets pc; LINE_IN, a line-table entry
 * starts at pc. */
enum { JUMP_IN = 1, LINE_IN = 2 };

static bool fuse_match(const IpsfPack *p, const uint8_t *barrier, uint32_t pc, unsigned op,
                       IpsfFusedFields *f, uint32_t *target) {
  const IpsfFusedInfo *fi = &ipsf_fused_info[op];
  if (fi->n == 0 || fi->n > p->code_count - pc) return false;
  /* A line entry inside the sequence would be lost.  Only the requirement
   * forms allow it: none of REQ, an unconditional CONFIRM and the REQEND
   * after it can fail, so no error needs the entry, provided the code after
   * the sequence starts an entry of its own (the code generator marks each
   * confirm line and the requirement's end). */
  bool rc = ipsf_op_info[op].operand == IPSF_OPND_RC;
  if (rc && pc + fi->n < p->code_count && !(barrier[pc + fi->n] & LINE_IN)) return false;
  *f = (IpsfFusedFields){IPSF_NONE, IPSF_NONE, IPSF_NONE, IPSF_NONE, IPSF_NONE, IPSF_NONE};
  IpsfOperandKind kind = ipsf_op_info[op].operand;
  bool act = kind == IPSF_OPND_SKA || kind == IPSF_OPND_SA;
  *target = IPSF_NONE;
  for (unsigned k = 0; k < fi->n; k++) {
    uint32_t w = p->code[pc + k];
    if (IPSF_INSN_OP(w) != fi->ops[k]) return false;
    if (k > 0 && (barrier[pc + k] & (rc ? JUMP_IN : JUMP_IN | LINE_IN))) return false;
    uint32_t a = IPSF_INSN_A(w);
    unsigned c = fi->ops[k];
    if ((c == IPSF_OP_LOAD && !field(&f->slot, a)) || (c == IPSF_OP_LOADK && !field(&f->konst, a)) ||
        ((c == IPSF_OP_REQ || c == IPSF_OP_REQEND) && !field(&f->req, a)) ||
        (c == IPSF_OP_CONFIRM && !field(&f->confirm, a)) ||
        ((c == IPSF_OP_HITW || c == IPSF_OP_HITF || c == IPSF_OP_HITU) && !field(&f->rule, a)))
      return false;
    if (c == IPSF_OP_JUMPF && act) { /* it must skip exactly the action */
      if (pc + k + 1 + a != pc + fi->n) return false;
      continue;
    }
    if (c == IPSF_OP_ANDJ || c == IPSF_OP_ORJ) { /* it must skip exactly the rest */
      if (pc + k + 1 + a != pc + fi->n) return false;
      continue;
    }
    if (c == IPSF_OP_JUMPF) {
      *target = pc + k + 1 + a;
      f->jump = *target - (pc + 1);
    }
  }
  uint32_t packed;
  return ipsf_fused_pack(op, *f, &packed);
}

bool ipsf_fuse_code(IpsfPack *p) {
  uint32_t n = p->code_count;
  uint8_t *barrier = calloc((size_t)n + 1, sizeof *barrier);
  uint32_t *newpc = malloc(((size_t)n + 1) * sizeof *newpc);
  uint32_t *target = malloc(((size_t)n + 1) * sizeof *target);
  if (!barrier || !newpc || !target) {
    free(barrier), free(newpc), free(target);
    return false;
  }
  for (uint32_t pc = 0; pc < n; pc++) {
    uint32_t t = plain_target(p->code[pc], pc);
    if (t != IPSF_NONE && t <= n) barrier[t] |= JUMP_IN;
  }
  for (uint32_t i = 0; i < p->line_count; i++)
    if (p->lines[i].pc <= n) barrier[p->lines[i].pc] |= LINE_IN;
  uint32_t m = 0;
  for (uint32_t pc = 0; pc < n;) {
    unsigned best = IPSF_OP__COUNT;
    IpsfFusedFields bf = {0, 0, 0, 0, 0, 0}, f;
    uint32_t bt = IPSF_NONE, t;
    for (unsigned op = 0; op < IPSF_OP__COUNT; op++)
      if ((best == IPSF_OP__COUNT || ipsf_fused_info[op].n > ipsf_fused_info[best].n) &&
          fuse_match(p, barrier, pc, op, &f, &t))
        best = op, bf = f, bt = t;
    newpc[pc] = m;
    if (best == IPSF_OP__COUNT) {
      target[m] = plain_target(p->code[pc], pc);
      p->code[m++] = p->code[pc++];
      continue;
    }
    uint32_t a = 0;
    ipsf_fused_pack(best, bf, &a);
    target[m] = bt;
    p->code[m++] = IPSF_INSN(best, a);
    for (unsigned k = 1; k < ipsf_fused_info[best].n; k++) newpc[pc + k] = m - 1;
    pc += ipsf_fused_info[best].n;
  }
  newpc[n] = m;
  for (uint32_t i = 0; i < m; i++) {
    if (target[i] == IPSF_NONE || target[i] > n) continue; /* (out of range: left to the verifier) */
    uint32_t op = IPSF_INSN_OP(p->code[i]), off = newpc[target[i]] - (i + 1), a = off;
    if (ipsf_fused_info[op].n) {
      IpsfFusedFields f = ipsf_fused_fields(op, IPSF_INSN_A(p->code[i]));
      f.jump = off;
      ipsf_fused_pack(op, f, &a);
    }
    p->code[i] = IPSF_INSN(op, a);
  }
  /* Retarget the line entries; of several now at one pc (a requirement
   * form's), the first stays. */
  uint32_t kept = 0;
  for (uint32_t i = 0; i < p->line_count; i++) {
    IpsfLine l = p->lines[i];
    if (l.pc <= n) l.pc = newpc[l.pc];
    if (kept && p->lines[kept - 1].pc == l.pc) continue;
    p->lines[kept++] = l;
  }
  p->line_count = kept;
  p->code_count = m;
  free(barrier);
  free(newpc);
  free(target);
  return true;
}
