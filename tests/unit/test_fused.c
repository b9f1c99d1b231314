/*
 * test_fused.c -- the fused instructions (superinstructions, opcodes.h
 * IPSF_FUSED), every one of them, generated from the opcode table itself
 * so that a row added there is tested here without a line more:
 *
 *   - semantics: for many fact values, a fused instruction gives what its
 *     sequence of plain instructions gives (the same pack written both
 *     ways, both loaded through ipsb_write/ipsb_read and the verifier);
 *   - cost: the verifier charges the fused form what it charges the
 *     sequence (the bound stays a bound);
 *   - rejection: a slot, constant or jump field out of range, a slot of
 *     the wrong type, and a let read before it is stored are refused with
 *     the reason the plain sequence would get;
 *   - packing: ipsf_fused_pack refuses a field that does not fit, and
 *     ipsf_fused_fields / ipsf_fused_expand give back what was packed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "disasm.h"
#include "eval.h"
#include "pack_builder.h"

/* The test pack's slots, one per type a fused instruction reads. */
typedef struct {
  uint32_t e_slot, i_slot, b_slot, m_slot, let_slot, r_slot; /* r: the bool result */
  uint32_t k_enum, k_int, k_set, k_true;
  uint32_t fe, fi, fb, fm; /* facts (m: a set of the enum) */
} TPack;

static const int64_t INT_VALUES[] = {-3, -1, 0, 1, 2, 5};
#define N_INT (sizeof INT_VALUES / sizeof *INT_VALUES)

/* What fused op reads from its slot: 'e' enum, 'i' int, 'b' bool, 'm' a
 * set (the count forms: LOADK, LOAD, COUNTM, compare). */
static char slot_kind(unsigned op) {
  const IpsfFusedInfo *fi = &ipsf_fused_info[op];
  if (fi->ops[1] == IPSF_OP_JUMPF) return 'b';
  unsigned cmp = fi->ops[2];
  if (cmp == IPSF_OP_COUNTM) return 'm';
  const char *pops = ipsf_op_info[cmp].pops;
  return pops[0] == 'i' ? 'i' : 'e';
}

/* A requirement form (REQC, REQCE), not a compare form. */
static bool is_rc(unsigned op) { return ipsf_op_info[op].operand == IPSF_OPND_RC; }

/* A compare-and-act form (HITW_..., CONFIRM_...). */
static bool is_act(unsigned op) {
  return ipsf_op_info[op].operand == IPSF_OPND_SKA || ipsf_op_info[op].operand == IPSF_OPND_SA;
}

/* An and/or form (AND_..., OR_...): ANDJ or ORJ over a compare. */
static bool is_bool(unsigned op) {
  return ipsf_fused_info[op].n &&
         (ipsf_fused_info[op].ops[0] == IPSF_OP_ANDJ || ipsf_fused_info[op].ops[0] == IPSF_OP_ORJ);
}

/* A compare form: push, or compare and branch. */
static bool is_compare(unsigned op) {
  return ipsf_fused_info[op].n && !is_rc(op) && !is_act(op) && !is_bool(op);
}

static bool is_jump(unsigned op) {
  const IpsfFusedInfo *fi = &ipsf_fused_info[op];
  return fi->ops[fi->n - 1] == IPSF_OP_JUMPF;
}

/* A pack with facts e (enum of 4), i (int), b (bool), m (set of e4), a set constant, a
 * let `x` and the result let `r`; k_enum/k_int the constants compared. */
static IpsfPack *tpack(TPack *t, int64_t kval, uint64_t kset) {
  IpsfPack *p = pb_new("t.fused");
  uint32_t en = pb_enum(p, "e4", "a,b,c,d");
  t->fe = pb_fact(p, "e", pb_te(IPSF_K_ENUM, en), pb_kenum(p, en, 0));
  t->fi = pb_fact(p, "i", pb_t(IPSF_K_INT), pb_kint(p, 0));
  t->fb = pb_fact(p, "b", pb_t(IPSF_K_BOOL), pb_kbool(p, false));
  t->e_slot = pb_fact_slot(p, t->fe);
  t->i_slot = pb_fact_slot(p, t->fi);
  t->b_slot = pb_fact_slot(p, t->fb);
  t->fm = pb_fact(p, "m", pb_te(IPSF_K_SET, en), pb_kset(p, en, 0));
  t->m_slot = pb_fact_slot(p, t->fm);
  t->let_slot = pb_slot(p, pb_t(IPSF_K_BOOL), IPSF_SLOT_LET, "x");
  t->r_slot = pb_slot(p, pb_t(IPSF_K_BOOL), IPSF_SLOT_LET, "r");
  t->k_enum = pb_kenum(p, en, kval < 0 ? 0 : kval > 3 ? 3 : kval);
  t->k_int = pb_kint(p, kval);
  t->k_set = pb_kset(p, en, kset);
  t->k_true = pb_kbool(p, true);
  return p;
}

static uint32_t the_slot(const TPack *t, unsigned op) {
  char k = slot_kind(op);
  return k == 'b' ? t->b_slot : k == 'i' ? t->i_slot : k == 'm' ? t->m_slot : t->e_slot;
}

static uint32_t the_const(const TPack *t, unsigned op) {
  const IpsfFusedInfo *fi = &ipsf_fused_info[op];
  if (fi->ops[2] == IPSF_OP_INM) return t->k_set;
  return slot_kind(op) == 'i' || slot_kind(op) == 'm' ? t->k_int : t->k_enum;
}

/* The code for op over (slot, konst) either fused or as its sequence:
 *   push forms:  <op> STORE r RET
 *   jump forms:  <op -> RET> LOADK true STORE r RET
 * so r is the condition in both. */
static void emit_case(IpsfPack *p, const TPack *t, unsigned op, uint32_t slot, uint32_t konst,
                      bool fused) {
  uint32_t words[8], n = 0;
  IpsfFusedFields f = {slot, konst, is_jump(op) ? 2u : IPSF_NONE, IPSF_NONE, IPSF_NONE, IPSF_NONE};
  if (ipsf_op_info[op].operand == IPSF_OPND_SJ) f.konst = IPSF_NONE;
  if (fused) {
    uint32_t a = 0;
    cr_assert(ipsf_fused_pack(op, f, &a), "%s: fields do not fit", ipsf_op_info[op].name);
    words[n++] = IPSF_INSN(op, a);
  } else {
    uint32_t a = 0, seq[5];
    ipsf_fused_pack(op, f, &a);
    unsigned k = ipsf_fused_expand(op, a, seq);
    for (unsigned i = 0; i < k; i++) {
      uint32_t w = seq[i];
      /* the sequence's JUMPF is its last instruction: the same target */
      if (IPSF_INSN_OP(w) == IPSF_OP_JUMPF) w = IPSF_INSN(IPSF_OP_JUMPF, 2);
      words[n++] = w;
    }
  }
  if (is_jump(op)) words[n++] = IPSF_INSN(IPSF_OP_LOADK, t->k_true);
  words[n++] = IPSF_INSN(IPSF_OP_STORE, t->r_slot);
  words[n++] = IPSF_INSN(IPSF_OP_RET, 0);
  pb_set_code(p, words, n);
}

/* Run op over the facts (e, i, b), fused or not; the result r. */
static bool run_case(unsigned op, bool fused, int64_t kval, uint64_t kset, int64_t e, int64_t i,
                     bool b, uint64_t *cost) {
  TPack t;
  IpsfPack *p = tpack(&t, kval, kset);
  emit_case(p, &t, op, the_slot(&t, op), the_const(&t, op), fused);
  IpsfError err;
  IpsfPack *q = pb_load(p, &err);
  cr_assert(q, "%s (%s): rejected: %s", ipsf_op_info[op].name, fused ? "fused" : "sequence",
            err.message);
  if (cost) *cost = q->cost.instructions;
  IpsfEval *ev = ipsf_eval_new(q);
  cr_assert(ev);
  static const char *const names[] = {"a", "b", "c", "d"};
  ipsf_eval_begin(ev);
  cr_assert(ipsf_eval_set_enum(ev, t.fe, names[e], &err), "%s", err.message);
  cr_assert(ipsf_eval_set_int(ev, t.fi, i, &err), "%s", err.message);
  cr_assert(ipsf_eval_set_bool(ev, t.fb, b, &err), "%s", err.message);
  /* the set: the first e of a, b, c, d, so its count runs 0..3 with e */
  cr_assert(ipsf_eval_set_clear(ev, t.fm, &err), "%s", err.message);
  for (int64_t k = 0; k < e; k++)
    cr_assert(ipsf_eval_set_add(ev, t.fm, names[k], &err), "%s", err.message);
  cr_assert(ipsf_eval_run(ev, &err), "%s: %s", ipsf_op_info[op].name, err.message);
  bool r = ev->slots[t.r_slot].i != 0;
  ipsf_eval_free(ev);
  ipsf_pack_free(q);
  return r;
}

static unsigned fused_count(void) {
  unsigned n = 0;
  for (unsigned op = 0; op < IPSF_OP__COUNT; op++) n += ipsf_fused_info[op].n > 0;
  return n;
}

Test(fused, table_is_consistent) {
  cr_assert_geq(fused_count(), 113u);
  for (unsigned op = 0; op < IPSF_OP__COUNT; op++) {
    const IpsfFusedInfo *fi = &ipsf_fused_info[op];
    IpsfOperandKind k = ipsf_op_info[op].operand;
    bool packed = k == IPSF_OPND_SK || k == IPSF_OPND_SKJ || k == IPSF_OPND_SJ ||
                  k == IPSF_OPND_RC || k == IPSF_OPND_SKA || k == IPSF_OPND_SA ||
                  k == IPSF_OPND_SL;
    cr_assert_eq(fi->n > 0, packed, "%s: a fused row has a packed operand", ipsf_op_info[op].name);
    if (!fi->n) continue;
    cr_assert_str_empty(ipsf_op_info[op].pops, "%s pops nothing", ipsf_op_info[op].name);
    cr_assert_eq(is_jump(op), k == IPSF_OPND_SKJ || k == IPSF_OPND_SJ, "%s: jump field iff JUMPF",
                 ipsf_op_info[op].name);
    for (unsigned i = 0; i < fi->n; i++)
      cr_assert_eq(ipsf_fused_info[fi->ops[i]].n, 0, "%s: a sequence of plain instructions",
                   ipsf_op_info[op].name);
  }
}

Test(fused, same_result_as_the_sequence) {
  static const uint64_t SETS[] = {0x0, 0x5, 0xA, 0xF};
  unsigned checked = 0;
  for (unsigned op = 0; op < IPSF_OP__COUNT; op++) {
    if (!is_compare(op)) continue;
    for (size_t kv = 0; kv < N_INT; kv++)
      for (int64_t e = 0; e < 4; e++)
        for (int b = 0; b < 2; b++) {
          int64_t i = INT_VALUES[(kv + (size_t)e) % N_INT];
          uint64_t set = SETS[kv % 4];
          uint64_t c1 = 0, c2 = 0;
          bool want = run_case(op, false, INT_VALUES[kv], set, e, i, b, &c1);
          bool got = run_case(op, true, INT_VALUES[kv], set, e, i, b, &c2);
          cr_assert_eq(got, want, "%s: k=%lld set=%llx e=%lld i=%lld b=%d: fused %d, sequence %d",
                       ipsf_op_info[op].name, (long long)INT_VALUES[kv],
                       (unsigned long long)set, (long long)e, (long long)i, b, got, want);
          /* the fused form is charged what its sequence is, never less */
          cr_assert_eq(c2, c1, "%s: cost %llu, the sequence's %llu", ipsf_op_info[op].name,
                       (unsigned long long)c2, (unsigned long long)c1);
          checked++;
        }
  }
  cr_assert_gt(checked, 0u);
}

/* Load op fused with the given fields over the test pack; the reason. */
static bool load_fused(unsigned op, IpsfFusedFields f, bool store_x_first, char *why,
                       size_t size) {
  TPack t;
  IpsfPack *p = tpack(&t, 1, 0x3);
  uint32_t a = 0;
  cr_assert(ipsf_fused_pack(op, f, &a));
  uint32_t words[8], n = 0;
  if (store_x_first) {
    words[n++] = IPSF_INSN(IPSF_OP_LOADK, t.k_true);
    words[n++] = IPSF_INSN(IPSF_OP_STORE, t.let_slot);
  }
  words[n++] = IPSF_INSN(op, a);
  if (is_jump(op)) words[n++] = IPSF_INSN(IPSF_OP_LOADK, t.k_true);
  words[n++] = IPSF_INSN(IPSF_OP_STORE, t.r_slot);
  words[n++] = IPSF_INSN(IPSF_OP_RET, 0);
  pb_set_code(p, words, n);
  IpsfError err;
  IpsfPack *q = pb_load(p, &err);
  if (q) {
    ipsf_pack_free(q);
    return true;
  }
  snprintf(why, size, "%s", err.message);
  return false;
}

static void expect_reject(unsigned op, IpsfFusedFields f, bool store_x, const char *reason) {
  char why[512] = "";
  bool ok = load_fused(op, f, store_x, why, sizeof why);
  cr_assert(!ok, "%s: accepted, expected '%s'", ipsf_op_info[op].name, reason);
  cr_assert(strstr(why, reason), "%s: reason '%s', expected '%s'", ipsf_op_info[op].name, why,
            reason);
}

Test(fused, verifier_accepts_and_rejects_each) {
  for (unsigned op = 0; op < IPSF_OP__COUNT; op++) {
    if (!is_compare(op)) continue;
    TPack t;
    IpsfPack *p = tpack(&t, 1, 0x3);
    uint32_t slots = p->slot_count, consts = p->const_count;
    ipsf_pack_free(p);
    bool sj = ipsf_op_info[op].operand == IPSF_OPND_SJ;
    uint32_t jump = is_jump(op) ? 2u : IPSF_NONE;
    IpsfFusedFields good = {the_slot(&t, op), sj ? IPSF_NONE : the_const(&t, op), jump, IPSF_NONE,
                            IPSF_NONE, IPSF_NONE};
    char why[512] = "";
    /* accepted as written */
    cr_assert(load_fused(op, good, false, why, sizeof why), "%s: rejected: %s",
              ipsf_op_info[op].name, why);
    /* fields out of range */
    IpsfFusedFields f = good;
    f.slot = slots;
    expect_reject(op, f, false, "out of range");
    if (!sj) {
      f = good;
      f.konst = consts;
      expect_reject(op, f, false, "out of range");
    }
    if (is_jump(op)) {
      f = good;
      f.jump = 40;
      expect_reject(op, f, false, "past the end");
    }
    /* a slot of the wrong type: an int slot for enum, set and bool forms,
     * an enum slot for int forms */
    f = good;
    f.slot = slot_kind(op) == 'i' ? t.e_slot : t.i_slot;
    expect_reject(op, f, false, "expected");
    /* a let read before it is stored (bool forms only read bools) */
    if (slot_kind(op) == 'b') {
      f = good;
      f.slot = t.let_slot;
      expect_reject(op, f, false, "before it is stored on every path");
      cr_assert(load_fused(op, f, true, why, sizeof why), "%s after STORE: %s",
                ipsf_op_info[op].name, why);
    }
  }
}

Test(fused, packing_round_trips_and_refuses_what_does_not_fit) {
  for (unsigned op = 0; op < IPSF_OP__COUNT; op++) {
    if (!is_compare(op)) continue;
    IpsfOperandKind k = ipsf_op_info[op].operand;
    uint32_t smax = k == IPSF_OPND_SKJ ? 0xFF : 0xFFF;
    uint32_t kmax = k == IPSF_OPND_SK ? 0xFFF : k == IPSF_OPND_SKJ ? 0xFF : IPSF_NONE;
    uint32_t jmax = k == IPSF_OPND_SKJ ? 0xFF : k == IPSF_OPND_SJ ? 0xFFF : IPSF_NONE;
    IpsfFusedFields f = {smax, kmax, jmax, IPSF_NONE, IPSF_NONE, IPSF_NONE}, back;
    uint32_t a = 0;
    cr_assert(ipsf_fused_pack(op, f, &a), "%s", ipsf_op_info[op].name);
    cr_assert_leq(a, IPSF_OPERAND_MAX);
    back = ipsf_fused_fields(op, a);
    cr_assert(back.slot == f.slot && back.konst == f.konst && back.jump == f.jump, "%s",
              ipsf_op_info[op].name);
    IpsfFusedFields big = f;
    big.slot = smax + 1;
    cr_assert(!ipsf_fused_pack(op, big, &a), "%s: slot too large", ipsf_op_info[op].name);
    if (kmax != IPSF_NONE) {
      big = f;
      big.konst = kmax + 1;
      cr_assert(!ipsf_fused_pack(op, big, &a), "%s: constant too large", ipsf_op_info[op].name);
    }
    if (jmax != IPSF_NONE) {
      big = f;
      big.jump = jmax + 1;
      cr_assert(!ipsf_fused_pack(op, big, &a), "%s: jump too large", ipsf_op_info[op].name);
    }
    uint32_t seq[5];
    cr_assert(ipsf_fused_pack(op, (IpsfFusedFields){3, kmax == IPSF_NONE ? IPSF_NONE : 5,
                                                    jmax == IPSF_NONE ? IPSF_NONE : 7, IPSF_NONE,
                                                    IPSF_NONE, IPSF_NONE},
                              &a));
    unsigned n = ipsf_fused_expand(op, a, seq);
    cr_assert_eq(n, ipsf_fused_info[op].n);
    for (unsigned i = 0; i < n; i++) {
      unsigned c = IPSF_INSN_OP(seq[i]);
      uint32_t want = c == IPSF_OP_LOAD ? 3 : c == IPSF_OP_LOADK ? 5 : c == IPSF_OP_JUMPF ? 7 : 0;
      cr_assert_eq(IPSF_INSN_A(seq[i]), want, "%s: component %u", ipsf_op_info[op].name, i);
    }
  }
  /* a plain instruction has no fused fields and no sequence */
  uint32_t seq[5];
  cr_assert_eq(ipsf_fused_expand(IPSF_OP_LOAD, 3, seq), 0u);
  uint32_t a;
  cr_assert(!ipsf_fused_pack(IPSF_OP_LOAD, (IpsfFusedFields){1, 1, 1, 1, 1, 1}, &a));
}

/* ---- the requirement forms (REQC, REQCE) -------------------------------- */

/* A pack with one fact `b` (bool), viewpoint {low < high}, requirements
 * R-1 (confirms 0: low, 1: high) and R-2 (confirm 2: low). */
typedef struct {
  uint32_t fb, b_slot, k_true;
} RPack;

static IpsfPack *rpack(RPack *t) {
  IpsfPack *p = pb_new("t.req");
  t->fb = pb_fact(p, "b", pb_t(IPSF_K_BOOL), pb_kbool(p, false));
  t->b_slot = pb_fact_slot(p, t->fb);
  t->k_true = pb_kbool(p, true);
  uint32_t vp = pb_viewpoint(p, "pre_operation", "low,high");
  uint32_t r1 = pb_req(p, "R-1", vp, 10), r2 = pb_req(p, "R-2", vp, 20);
  pb_confirm(p, r1, 0, 0, 11);
  pb_confirm(p, r1, 1, 0, 12);
  pb_confirm(p, r2, 0, 0, 21);
  return p;
}

/* R-1 entered with its first confirm, fused or as the sequence, then (REQC)
 * `if b: CONFIRM 1` and REQEND; or (REQCE) nothing more.  The result: which
 * requirements apply and their chosen confirm lines, packed. */
static uint32_t run_req(unsigned op, bool fused, bool b, uint64_t *cost) {
  RPack t;
  IpsfPack *p = rpack(&t);
  uint32_t w[12], n = 0, a = 0;
  cr_assert(ipsf_fused_pack(op, (IpsfFusedFields){IPSF_NONE, IPSF_NONE, IPSF_NONE, 0, 0, IPSF_NONE}, &a));
  if (fused) {
    w[n++] = IPSF_INSN(op, a);
  } else {
    uint32_t seq[5];
    unsigned k = ipsf_fused_expand(op, a, seq);
    for (unsigned i = 0; i < k; i++) w[n++] = seq[i];
  }
  if (op == IPSF_OP_REQC) {
    w[n++] = IPSF_INSN(IPSF_OP_LOAD, t.b_slot);
    w[n++] = IPSF_INSN(IPSF_OP_JUMPF, 1);
    w[n++] = IPSF_INSN(IPSF_OP_CONFIRM, 1);
    w[n++] = IPSF_INSN(IPSF_OP_REQEND, 0);
  }
  w[n++] = IPSF_INSN(IPSF_OP_RET, 0);
  pb_set_code(p, w, n);
  IpsfError err;
  IpsfPack *q = pb_load(p, &err);
  cr_assert(q, "%s (%s): rejected: %s", ipsf_op_info[op].name, fused ? "fused" : "sequence",
            err.message);
  if (cost) *cost = q->cost.instructions;
  IpsfEval *ev = ipsf_eval_new(q);
  cr_assert(ev);
  ipsf_eval_begin(ev);
  cr_assert(ipsf_eval_set_bool(ev, t.fb, b, &err), "%s", err.message);
  cr_assert(ipsf_eval_run(ev, &err), "%s: %s", ipsf_op_info[op].name, err.message);
  uint32_t r = (uint32_t)ev->req_applies[0] | (uint32_t)ev->req_applies[1] << 1 |
               (ev->req_confirm[0] & 0xFFu) << 8 | (ev->req_confirm[1] & 0xFFu) << 16 |
               (uint32_t)ev->vp_used[0] << 24;
  ipsf_eval_free(ev);
  ipsf_pack_free(q);
  return r;
}

Test(fused, requirement_forms_same_result_as_the_sequence) {
  unsigned n = 0;
  for (unsigned op = 0; op < IPSF_OP__COUNT; op++) {
    if (!is_rc(op) || !ipsf_fused_info[op].n) continue;
    for (int b = 0; b < 2; b++) {
      uint64_t c1 = 0, c2 = 0;
      uint32_t want = run_req(op, false, b, &c1), got = run_req(op, true, b, &c2);
      cr_assert_eq(got, want, "%s b=%d: fused %08x, sequence %08x", ipsf_op_info[op].name, b,
                   got, want);
      cr_assert_eq(c2, c1, "%s: cost %llu, the sequence's %llu", ipsf_op_info[op].name,
                   (unsigned long long)c2, (unsigned long long)c1);
      n++;
    }
  }
  cr_assert_eq(n, 4u);
  /* the stronger confirm wins after REQC's first one */
  cr_assert_eq(run_req(IPSF_OP_REQC, true, true, NULL) >> 8 & 0xFFu, 1u);
}

/* Load `code` (n words, RET last) over rpack; the reason if refused. */
static bool load_req(const uint32_t *code, uint32_t n, char *why, size_t size) {
  RPack t;
  IpsfPack *p = rpack(&t);
  pb_set_code(p, code, n);
  IpsfError err;
  IpsfPack *q = pb_load(p, &err);
  if (q) {
    ipsf_pack_free(q);
    return true;
  }
  snprintf(why, size, "%s", err.message);
  return false;
}

static uint32_t rc(unsigned op, uint32_t req, uint32_t confirm) {
  uint32_t a = 0;
  cr_assert(ipsf_fused_pack(op, (IpsfFusedFields){IPSF_NONE, IPSF_NONE, IPSF_NONE, req, confirm,
                                                      IPSF_NONE},
                            &a));
  return IPSF_INSN(op, a);
}

#define EXPECT_REQ(ok_, reason_, ...)                                                 \
  do {                                                                                \
    const uint32_t w_[] = {__VA_ARGS__};                                              \
    char why_[512] = "";                                                              \
    bool got_ = load_req(w_, (uint32_t)(sizeof w_ / sizeof *w_), why_, sizeof why_);  \
    cr_assert_eq(got_, ok_, "expected %s, got '%s'", ok_ ? "accept" : reason_, why_); \
    if (!ok_) cr_assert(strstr(why_, reason_), "reason '%s', expected '%s'", why_, reason_); \
  } while (0)

Test(fused, verifier_accepts_and_rejects_requirement_forms) {
  const uint32_t RET = IPSF_INSN(IPSF_OP_RET, 0), END0 = IPSF_INSN(IPSF_OP_REQEND, 0);
  EXPECT_REQ(true, "", rc(IPSF_OP_REQC, 0, 0), END0, RET);
  EXPECT_REQ(true, "", rc(IPSF_OP_REQCE, 0, 0), rc(IPSF_OP_REQCE, 1, 2), RET);
  /* fields out of range */
  EXPECT_REQ(false, "requirement 5 out of range", rc(IPSF_OP_REQC, 5, 0), END0, RET);
  EXPECT_REQ(false, "confirm 9 out of range", rc(IPSF_OP_REQCE, 0, 9), RET);
  /* a confirm line of another requirement */
  EXPECT_REQ(false, "outside it", rc(IPSF_OP_REQC, 0, 2), END0, RET);
  EXPECT_REQ(false, "outside it", rc(IPSF_OP_REQCE, 1, 0), RET);
  /* protocol: entered twice, entered while open, left open */
  EXPECT_REQ(false, "may already have been entered", rc(IPSF_OP_REQCE, 0, 0),
             rc(IPSF_OP_REQCE, 0, 1), RET);
  EXPECT_REQ(false, "is entered while requirement", rc(IPSF_OP_REQC, 0, 0),
             rc(IPSF_OP_REQCE, 1, 2), END0, RET);
  EXPECT_REQ(false, "RET inside requirement", rc(IPSF_OP_REQC, 0, 0), RET);
}

/* ipsf_fuse_code on code the code generator would not write: a REQ and a
 * REQEND of different requirements are no REQCE; and a requirement form
 * is only made where the code after it starts a line entry (the confirm
 * line's entry inside it is dropped, so no instruction may fall under it). */
Test(fused, fuse_code_requirement_rules) {
  RPack t;
  IpsfPack *p = rpack(&t);
  CODE(p, I(RET, 0));
  p->code_count = 0;
  pb_line(p, 10, 1);
  pb_emit(p, IPSF_OP_REQ, 0);
  pb_line(p, 11, 1);
  pb_emit(p, IPSF_OP_CONFIRM, 0);
  pb_line(p, 12, 1);
  pb_emit(p, IPSF_OP_REQEND, 1);
  pb_emit(p, IPSF_OP_RET, 0);
  cr_assert(ipsf_fuse_code(p));
  cr_assert_eq(p->code_count, 3u);
  cr_assert_eq(IPSF_INSN_OP(p->code[0]), IPSF_OP_REQC);
  cr_assert_eq(IPSF_INSN_OP(p->code[1]), IPSF_OP_REQEND);
  /* entries 10 and 11 now at pc 0: the first stays; 12 at pc 1 */
  cr_assert_eq(p->line_count, 2u);
  cr_assert_eq(p->lines[0].pc, 0u);
  cr_assert_eq(p->lines[0].loc.line, 10u);
  cr_assert_eq(p->lines[1].pc, 1u);
  cr_assert_eq(p->lines[1].loc.line, 12u);
  ipsf_pack_free(p);

  p = rpack(&t);
  CODE(p, I(REQ, 0), I(CONFIRM, 0), I(REQEND, 0), I(RET, 0)); /* no line table */
  cr_assert(ipsf_fuse_code(p));
  cr_assert_eq(p->code_count, 4u, "no line entry after the sequence: left as it is");
  ipsf_pack_free(p);
}

/* ---- the compare-and-act forms (HITW_..., HITF_..., HITU_..., CONFIRM_...) */

/* The action op ends with, and its compare form's base (for the slot and
 * constant): EQEK for HITW_EQEK, JFS-like for the _S forms. */
static unsigned act_of(unsigned op) { return ipsf_fused_info[op].ops[ipsf_fused_info[op].n - 1]; }

/* The test pack plus: scale `lvl` {lo, mid, hi} with op's policy (worst
 * for CONFIRM forms), otherwise lo, rules 0 (hi) and 1 (mid); viewpoint
 * {low < high}, requirement R-1 with confirms 0 (low) and 1 (high). */
static IpsfPack *apack(TPack *t, unsigned op, int64_t kval, uint64_t kset, uint32_t *scale) {
  IpsfPack *p = tpack(t, kval, kset);
  unsigned a = act_of(op);
  IpsfPolicy pol = a == IPSF_OP_HITF ? IPSF_POLICY_FIRST
                   : a == IPSF_OP_HITU ? IPSF_POLICY_UNIQUE
                                       : IPSF_POLICY_WORST;
  uint32_t en = pb_enum(p, "lvl", "lo,mid,hi");
  *scale = pb_scale(p, "lvl", en, pol, 0, 0);
  pb_rule(p, *scale, 2, 30);
  pb_rule(p, *scale, 1, 31);
  uint32_t vp = pb_viewpoint(p, "pre_operation", "low,high");
  uint32_t r = pb_req(p, "R-1", vp, 40);
  pb_confirm(p, r, 0, 0, 41);
  pb_confirm(p, r, 1, 0, 42);
  return p;
}

/* The code around op over (slot, konst), fused or as its sequence:
 *   hits:     HITx 1 (mid, unconditional), <op: rule 0 (hi)>, SCALE, RET
 *   confirms: SCALE, REQ 0, CONFIRM 0, <op: confirm 1>, REQEND 0, RET
 * The result packs level, rule hits and the chosen confirm; an evaluation
 * error (a unique conflict) gives UINT32_MAX. */
static uint32_t run_act(unsigned op, bool fused, int64_t kval, uint64_t kset, int64_t e, int64_t i,
                        bool b, uint64_t *cost) {
  TPack t;
  uint32_t scale;
  IpsfPack *p = apack(&t, op, kval, kset, &scale);
  bool confirm = act_of(op) == IPSF_OP_CONFIRM;
  uint32_t w[16], n = 0;
  IpsfFusedFields f = {the_slot(&t, op), ipsf_op_info[op].operand == IPSF_OPND_SA ? IPSF_NONE
                                                                               : the_const(&t, op),
                       IPSF_NONE, IPSF_NONE, confirm ? 1u : IPSF_NONE, confirm ? IPSF_NONE : 0u};
  uint32_t a = 0;
  cr_assert(ipsf_fused_pack(op, f, &a), "%s: fields do not fit", ipsf_op_info[op].name);
  if (confirm) {
    w[n++] = IPSF_INSN(IPSF_OP_SCALE, scale);
    w[n++] = IPSF_INSN(IPSF_OP_REQ, 0);
    w[n++] = IPSF_INSN(IPSF_OP_CONFIRM, 0);
  } else {
    w[n++] = IPSF_INSN(act_of(op), 1);
  }
  if (fused) {
    w[n++] = IPSF_INSN(op, a);
  } else {
    uint32_t seq[5];
    unsigned k = ipsf_fused_expand(op, a, seq);
    for (unsigned j = 0; j < k; j++) /* the JUMPF skips the action: 1 in a sequence */
      w[n++] = IPSF_INSN_OP(seq[j]) == IPSF_OP_JUMPF ? IPSF_INSN(IPSF_OP_JUMPF, 1) : seq[j];
  }
  if (confirm) {
    w[n++] = IPSF_INSN(IPSF_OP_REQEND, 0);
  } else {
    w[n++] = IPSF_INSN(IPSF_OP_SCALE, scale);
  }
  w[n++] = IPSF_INSN(IPSF_OP_RET, 0);
  pb_set_code(p, w, n);
  IpsfError err;
  IpsfPack *q = pb_load(p, &err);
  cr_assert(q, "%s (%s): rejected: %s", ipsf_op_info[op].name, fused ? "fused" : "sequence",
            err.message);
  if (cost) *cost = q->cost.instructions;
  IpsfEval *ev = ipsf_eval_new(q);
  cr_assert(ev);
  static const char *const names[] = {"a", "b", "c", "d"};
  ipsf_eval_begin(ev);
  cr_assert(ipsf_eval_set_enum(ev, t.fe, names[e], &err), "%s", err.message);
  cr_assert(ipsf_eval_set_int(ev, t.fi, i, &err), "%s", err.message);
  cr_assert(ipsf_eval_set_bool(ev, t.fb, b, &err), "%s", err.message);
  uint32_t r = UINT32_MAX;
  if (ipsf_eval_run(ev, &err))
    r = (ev->scale_level[scale] & 0xFFu) | (uint32_t)(ev->rule_hit[0] & 0xFFu) << 8 |
        (ev->req_confirm[0] & 0xFFu) << 16;
  ipsf_eval_free(ev);
  ipsf_pack_free(q);
  return r;
}

Test(fused, act_forms_same_result_as_the_sequence) {
  static const uint64_t SETS[] = {0x0, 0x5, 0xA, 0xF};
  unsigned checked = 0, conflicts = 0;
  for (unsigned op = 0; op < IPSF_OP__COUNT; op++) {
    if (!is_act(op)) continue;
    for (size_t kv = 0; kv < N_INT; kv++)
      for (int64_t e = 0; e < 4; e++)
        for (int b = 0; b < 2; b++) {
          int64_t i = INT_VALUES[(kv + (size_t)e) % N_INT];
          uint64_t set = SETS[kv % 4], c1 = 0, c2 = 0;
          uint32_t want = run_act(op, false, INT_VALUES[kv], set, e, i, b, &c1);
          uint32_t got = run_act(op, true, INT_VALUES[kv], set, e, i, b, &c2);
          cr_assert_eq(got, want, "%s: k=%lld e=%lld i=%lld b=%d: fused %08x, sequence %08x",
                       ipsf_op_info[op].name, (long long)INT_VALUES[kv], (long long)e,
                       (long long)i, b, got, want);
          cr_assert_eq(c2, c1, "%s: cost %llu, the sequence's %llu", ipsf_op_info[op].name,
                       (unsigned long long)c2, (unsigned long long)c1);
          conflicts += got == UINT32_MAX;
          checked++;
        }
  }
  cr_assert_eq(checked, 56u * N_INT * 4 * 2, "every compare-and-act form, %u checks", checked);
  cr_assert_gt(conflicts, 0u, "the unique forms met a conflict");
}

/* Load op (a compare-and-act form) with fields f in apack's code as
 * run_act writes it (fused); after_scale puts the SCALE first. */
static bool load_act(unsigned op, IpsfFusedFields f, bool after_scale, char *why, size_t size) {
  TPack t;
  uint32_t scale;
  IpsfPack *p = apack(&t, op, 1, 0x3, &scale);
  bool confirm = act_of(op) == IPSF_OP_CONFIRM;
  uint32_t w[8], n = 0, a = 0;
  cr_assert(ipsf_fused_pack(op, f, &a));
  if (confirm || after_scale) w[n++] = IPSF_INSN(IPSF_OP_SCALE, scale);
  if (confirm) w[n++] = IPSF_INSN(IPSF_OP_REQ, 0);
  w[n++] = IPSF_INSN(op, a);
  if (confirm) w[n++] = IPSF_INSN(IPSF_OP_REQEND, 0);
  if (!confirm && !after_scale) w[n++] = IPSF_INSN(IPSF_OP_SCALE, scale);
  w[n++] = IPSF_INSN(IPSF_OP_RET, 0);
  pb_set_code(p, w, n);
  IpsfError err;
  IpsfPack *q = pb_load(p, &err);
  if (q) {
    ipsf_pack_free(q);
    return true;
  }
  snprintf(why, size, "%s", err.message);
  return false;
}

static void expect_act(unsigned op, IpsfFusedFields f, bool after_scale, const char *reason) {
  char why[512] = "";
  bool ok = load_act(op, f, after_scale, why, sizeof why);
  cr_assert(!ok, "%s: accepted, expected '%s'", ipsf_op_info[op].name, reason);
  cr_assert(strstr(why, reason), "%s: reason '%s', expected '%s'", ipsf_op_info[op].name, why,
            reason);
}

Test(fused, verifier_accepts_and_rejects_act_forms) {
  for (unsigned op = 0; op < IPSF_OP__COUNT; op++) {
    if (!is_act(op)) continue;
    TPack t;
    uint32_t scale;
    IpsfPack *p = apack(&t, op, 1, 0x3, &scale);
    uint32_t slots = p->slot_count, consts = p->const_count;
    ipsf_pack_free(p);
    bool confirm = act_of(op) == IPSF_OP_CONFIRM, sa = ipsf_op_info[op].operand == IPSF_OPND_SA;
    IpsfFusedFields good = {the_slot(&t, op), sa ? IPSF_NONE : the_const(&t, op), IPSF_NONE,
                            IPSF_NONE, confirm ? 1u : IPSF_NONE, confirm ? IPSF_NONE : 0u};
    char why[512] = "";
    cr_assert(load_act(op, good, false, why, sizeof why), "%s: rejected: %s",
              ipsf_op_info[op].name, why);
    IpsfFusedFields f = good;
    f.slot = slots;
    expect_act(op, f, false, "slot");
    if (!sa) {
      f = good;
      f.konst = consts;
      expect_act(op, f, false, "constant");
    }
    f = good;
    f.slot = slot_kind(op) == 'i' ? t.e_slot : t.i_slot;
    expect_act(op, f, false, "expected");
    f = good;
    if (confirm) {
      f.confirm = 2; /* out of range (two confirm lines) */
      expect_act(op, f, false, "confirm 2 out of range");
    } else {
      f.rule = 2; /* out of range (two rules) */
      expect_act(op, f, false, "rule 2 out of range");
      /* a hit after its scale is settled */
      expect_act(op, good, true, "after the scale may have been settled");
    }
  }
  /* a hit form whose policy is not its scale's: HITF_S on the worst scale
   * of HITW_S's pack */
  TPack t;
  uint32_t scale;
  IpsfPack *p = apack(&t, IPSF_OP_HITW_S, 1, 0x3, &scale);
  uint32_t a = 0;
  cr_assert(ipsf_fused_pack(IPSF_OP_HITF_S, (IpsfFusedFields){t.b_slot, IPSF_NONE, IPSF_NONE,
                                                               IPSF_NONE, IPSF_NONE, 0},
                            &a));
  CODE(p, IPSF_INSN(IPSF_OP_HITF_S, a), I(SCALE, scale), I(RET, 0));
  IpsfError err;
  IpsfPack *q = pb_load(p, &err);
  cr_assert_null(q);
  cr_assert(strstr(err.message, "with policy worst, not first"), "%s", err.message);
}

/* fuzz_vm's finding (tests/fuzz/regressions/vm/disasm-reqc-foreign-confirm):
 * in code no path reaches the verifier checks only ranges, so a REQC may
 * name a confirm line of another requirement, whose viewpoint has more
 * methods than its own; the disassembler read the method through the
 * wrong viewpoint, past its array. */
Test(fused, disasm_unreachable_reqc_with_a_foreign_confirm) {
  IpsfPack *p = pb_new("t.dis");
  uint32_t one = pb_viewpoint(p, "social", "only");
  uint32_t two = pb_viewpoint(p, "pre_operation", "low,high");
  uint32_t r1 = pb_req(p, "R-1", one, 10), r2 = pb_req(p, "R-2", two, 20);
  pb_confirm(p, r1, 0, 0, 11);
  pb_confirm(p, r2, 1, 0, 21);
  uint32_t a = 0;
  cr_assert(ipsf_fused_pack(IPSF_OP_REQC,
                            (IpsfFusedFields){IPSF_NONE, IPSF_NONE, IPSF_NONE, r1, 1, IPSF_NONE}, &a));
  CODE(p, I(JUMP, 1), IPSF_INSN(IPSF_OP_REQC, a), I(RET, 0));
  IpsfError err;
  IpsfPack *q = pb_load(p, &err);
  cr_assert(q, "%s", err.message);
  char *text = NULL;
  size_t len = 0;
  FILE *out = open_memstream(&text, &len);
  cr_assert(out);
  ipsf_disasm(q, out);
  fclose(out);
  cr_assert(strstr(text, "REQC     0/1      ; R-1 high"), "%s", text);
  free(text);
  ipsf_pack_free(q);
}

/* ---- the and/or forms (AND_..., OR_...) ----------------------------------- */

/* The slot an and/or form reads, by its compare (or LOAD only: a bool). */
static uint32_t bool_slot(const TPack *t, unsigned op) {
  const IpsfFusedInfo *fi = &ipsf_fused_info[op];
  if (fi->n == 2) return t->b_slot;
  unsigned cmp = fi->ops[3];
  return ipsf_op_info[cmp].pops[0] == 'i' ? t->i_slot : t->e_slot;
}

static uint32_t bool_const(const TPack *t, unsigned op) {
  const IpsfFusedInfo *fi = &ipsf_fused_info[op];
  if (fi->n == 2) return IPSF_NONE;
  if (fi->ops[3] == IPSF_OP_INM) return t->k_set;
  return ipsf_op_info[fi->ops[3]].pops[0] == 'i' ? t->k_int : t->k_enum;
}

/* LOADK top; <op, fused or as ANDJ/ORJ over its compare>; STORE r; RET. */
static uint32_t bool_code(IpsfPack *p, const TPack *t, unsigned op, IpsfFusedFields f, bool top,
                          bool fused, uint32_t *w) {
  uint32_t n = 0, a = 0;
  cr_assert(ipsf_fused_pack(op, f, &a), "%s: fields do not fit", ipsf_op_info[op].name);
  w[n++] = IPSF_INSN(IPSF_OP_LOADK, top ? t->k_true : pb_kbool(p, false));
  if (fused) {
    w[n++] = IPSF_INSN(op, a);
  } else {
    uint32_t seq[5];
    unsigned k = ipsf_fused_expand(op, a, seq);
    for (unsigned j = 0; j < k; j++) /* the ANDJ/ORJ skips the rest: k - 1 */
      w[n++] = j == 0 ? IPSF_INSN(IPSF_INSN_OP(seq[0]), k - 1) : seq[j];
  }
  w[n++] = IPSF_INSN(IPSF_OP_STORE, t->r_slot);
  w[n++] = IPSF_INSN(IPSF_OP_RET, 0);
  return n;
}

static bool run_bool(unsigned op, bool fused, bool top, int64_t kval, uint64_t kset, int64_t e,
                     int64_t i, bool b, uint64_t *cost) {
  TPack t;
  IpsfPack *p = tpack(&t, kval, kset);
  IpsfFusedFields f = {bool_slot(&t, op), bool_const(&t, op), IPSF_NONE, IPSF_NONE, IPSF_NONE,
                       IPSF_NONE};
  uint32_t w[12];
  uint32_t n = bool_code(p, &t, op, f, top, fused, w);
  pb_set_code(p, w, n);
  IpsfError err;
  IpsfPack *q = pb_load(p, &err);
  cr_assert(q, "%s (%s): rejected: %s", ipsf_op_info[op].name, fused ? "fused" : "sequence",
            err.message);
  if (cost) *cost = q->cost.instructions;
  IpsfEval *ev = ipsf_eval_new(q);
  cr_assert(ev);
  static const char *const names[] = {"a", "b", "c", "d"};
  ipsf_eval_begin(ev);
  cr_assert(ipsf_eval_set_enum(ev, t.fe, names[e], &err), "%s", err.message);
  cr_assert(ipsf_eval_set_int(ev, t.fi, i, &err), "%s", err.message);
  cr_assert(ipsf_eval_set_bool(ev, t.fb, b, &err), "%s", err.message);
  cr_assert(ipsf_eval_run(ev, &err), "%s: %s", ipsf_op_info[op].name, err.message);
  bool r = ev->slots[t.r_slot].i != 0;
  ipsf_eval_free(ev);
  ipsf_pack_free(q);
  return r;
}

Test(fused, and_or_forms_same_result_as_the_sequence) {
  static const uint64_t SETS[] = {0x0, 0x5, 0xA, 0xF};
  unsigned checked = 0;
  for (unsigned op = 0; op < IPSF_OP__COUNT; op++) {
    if (!is_bool(op)) continue;
    for (size_t kv = 0; kv < N_INT; kv++)
      for (int64_t e = 0; e < 4; e++)
        for (int bt = 0; bt < 4; bt++) {
          bool b = bt & 1, top = bt >> 1;
          int64_t i = INT_VALUES[(kv + (size_t)e) % N_INT];
          uint64_t set = SETS[kv % 4], c1 = 0, c2 = 0;
          bool want = run_bool(op, false, top, INT_VALUES[kv], set, e, i, b, &c1);
          bool got = run_bool(op, true, top, INT_VALUES[kv], set, e, i, b, &c2);
          cr_assert_eq(got, want, "%s: top=%d k=%lld e=%lld i=%lld b=%d: fused %d, sequence %d",
                       ipsf_op_info[op].name, top, (long long)INT_VALUES[kv], (long long)e,
                       (long long)i, b, got, want);
          cr_assert_eq(c2, c1, "%s: cost %llu, the sequence's %llu", ipsf_op_info[op].name,
                       (unsigned long long)c2, (unsigned long long)c1);
          checked++;
        }
  }
  cr_assert_eq(checked, 28u * N_INT * 4 * 4, "every and/or form, %u checks", checked);
}

Test(fused, verifier_accepts_and_rejects_and_or_forms) {
  for (unsigned op = 0; op < IPSF_OP__COUNT; op++) {
    if (!is_bool(op)) continue;
    bool sl = ipsf_op_info[op].operand == IPSF_OPND_SL;
    for (int c = 0; c < 5; c++) {
      TPack t;
      IpsfPack *p = tpack(&t, 1, 0x3);
      IpsfFusedFields f = {bool_slot(&t, op), bool_const(&t, op), IPSF_NONE, IPSF_NONE, IPSF_NONE,
                           IPSF_NONE};
      const char *reason = NULL;
      if (c == 1) f.slot = p->slot_count, reason = "slot";
      if (c == 2 && !sl) f.konst = p->const_count, reason = "constant";
      /* a bool slot of another type meets the kept bool at the join */
      if (c == 3) f.slot = sl ? t.i_slot : bool_slot(&t, op) == t.i_slot ? t.e_slot : t.i_slot,
                  reason = sl ? "stack mismatch where paths meet" : "expected";
      if (c == 4) f.slot = sl ? t.let_slot : f.slot, reason = sl ? "before it is stored" : NULL;
      if ((c == 2 && sl) || (c == 4 && !sl)) {
        ipsf_pack_free(p);
        continue;
      }
      uint32_t w[12];
      uint32_t n = bool_code(p, &t, op, f, true, true, w);
      pb_set_code(p, w, n);
      IpsfError err;
      IpsfPack *q = pb_load(p, &err);
      if (!reason) {
        cr_assert(q, "%s: rejected: %s", ipsf_op_info[op].name, err.message);
        ipsf_pack_free(q);
        continue;
      }
      cr_assert_null(q, "%s: accepted, expected '%s'", ipsf_op_info[op].name, reason);
      cr_assert(strstr(err.message, reason), "%s: reason '%s', expected '%s'",
                ipsf_op_info[op].name, err.message, reason);
    }
  }
}
