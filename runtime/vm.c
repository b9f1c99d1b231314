/*
 * vm.c -- the bytecode interpreter.
 *
 * The verifier (verify.c) has proved every index in range, every operand's
 * type, the stack depth at every instruction and that every jump goes
 * forward to an instruction; so this loop checks none of that.  What it does
 * check is what depends on the facts: integer overflow and division by
 * zero, non-finite numbers, unique conflicts, gaps, unconfirmed
 * requirements.  Those are evaluation errors carrying the source location
 * of the failing instruction, found in the line table.
 *
 * Dispatch goes through two macros, as in Lua (vmcase/vmbreak): computed
 * goto with GCC and Clang, a plain switch elsewhere, one body for both.
 * The fused instructions (opcodes.h IPSF_FUSED) do in one dispatch what
 * their plain sequence does: a compare of a slot with a constant (and its
 * branch, or the one hit or confirm line the branch guards), a requirement
 * entered with its unconditional confirm line; the verifier checked them
 * as that sequence.  RTABLE t does a rules block's whole chain and its
 * SCALE by its decision table (pack.h IpsfTable): the cell of the dims' classes (a
 * map lookup per bool or enum dim, a count of thresholds per int dim),
 * then the rules the cell's mask lists, with the scale's hit action:
 * every rule_hit bit at once and the one hit that decides (the cell's
 * winner, made by ipsf_pack_link), or, for a unique conflict or a scale
 * hit before the table, each hit in rule order so that a conflict names
 * the same two rules; then what SCALE does.  QTABLE t does a run of
 * requirements' code: whether each applies, the confirm line kept,
 * REQEND's error.  LTABLE t stores a bool let.  The verifier proved every
 * class and cell index in range and the mask's bits rules of the scale,
 * and the compiler proved the mask is the set of rules whose conditions
 * hold (compiler/codegen_tables.c), so the records, the explanations and
 * the errors are the chain's.  A dim's class is read from a map indexed by
 * the slot's value: that a bool slot holds 0 or 1 and an enum or level
 * slot a value below its enum's count is the verifier's type proof
 * (constants checked, setters and natives checked, only typed
 * instructions write slots), on which every enum-indexed table relies.
 *
 * The tables' common case runs without a branch on the facts: the
 * predictor, not the instruction count, is what the chains and the
 * general paths lose to hand-written C (issue #16).  RTABLE on a scale
 * nothing hit before (what the compiler emits) writes the cell's settled
 * level, made at link (the level its hits give, or the otherwise), and
 * takes the general path only for a unique conflict or a gap.  QTABLE on a
 * cell where every applying requirement has a confirm line writes each
 * requirement of its span in turn, applying or not (one that does not
 * writes the reset's 0 and IPSF_NONE: no other code may enter it, the
 * verifier's one REQ per requirement).
 *
 * A run starts by resetting what it writes from images made when the
 * context was created (eval.c): two memcpy calls.
 *
 * CALLN calls a native function (an extern, or a built-in on the native
 * path) through libffi with the call interface prepared when the pack was
 * linked, the arguments in the context's pre-allocated storage, and then
 * checks what came back: a number must be finite, a bool is normalised to
 * 0/1, a string must be valid UTF-8 and is copied into the scratch area
 * (the callee's buffer is not ours to keep).  Those are `native` errors.
 *
 * Nothing here allocates except LOWER and a native's string result, which
 * are written into the context's scratch area.  Strings made by LOWER may still be on the stack
 * or in a slot when a later LOWER needs more room, so a scratch block never
 * moves during a run: when it is full a new, larger block is chained in
 * front of it (the first pointer-sized bytes of each block link to the
 * block it replaced).  At the start of the next run the older blocks are
 * freed and the newest, largest one is reused, so a steady workload settles
 * on one block and no allocation at all.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arith.h"
#include "eval.h"
#include "native.h"
#include "util.h"

/* ---- scratch ------------------------------------------------------------ */

#define SCRATCH_HDR sizeof(char *)
#define SCRATCH_MIN 256u

static char *scratch_prev(const char *block) {
  char *prev;
  memcpy(&prev, block, sizeof prev);
  return prev;
}

void ipsf_vm_scratch_free(IpsfEval *ev) {
  char *b = ev->scratch;
  while (b) {
    char *prev = scratch_prev(b);
    free(b);
    b = prev;
  }
  ev->scratch = NULL;
  ev->scratch_len = ev->scratch_cap = 0;
}

/* Keep the newest block, free the ones it replaced, empty it. */
static void scratch_reset(IpsfEval *ev) {
  if (!ev->scratch) return;
  char *b = scratch_prev(ev->scratch);
  while (b) {
    char *prev = scratch_prev(b);
    free(b);
    b = prev;
  }
  char *none = NULL;
  memcpy(ev->scratch, &none, sizeof none);
  ev->scratch_len = SCRATCH_HDR;
}

/* n free bytes in the current block, chaining a new block if needed;
 * earlier strings stay where they are.  NULL when out of memory. */
static char *scratch_alloc(IpsfEval *ev, size_t n) {
  if (!ev->scratch || ev->scratch_cap - ev->scratch_len < n) {
    size_t cap = ev->scratch_cap ? ev->scratch_cap : SCRATCH_MIN;
    while (cap - SCRATCH_HDR < n) {
      if (cap > SIZE_MAX / 2) return NULL;
      cap *= 2;
    }
    if (ev->scratch && cap <= SIZE_MAX / 2 && cap == ev->scratch_cap) cap *= 2;
    char *b = malloc(cap);
    if (!b) return NULL;
    memcpy(b, &ev->scratch, sizeof ev->scratch);
    ev->scratch = b;
    ev->scratch_len = SCRATCH_HDR;
    ev->scratch_cap = cap;
  }
  char *s = ev->scratch + ev->scratch_len;
  ev->scratch_len += n;
  return s;
}

/* ---- errors ------------------------------------------------------------- */

/* " at file:line:col" for the construct that compiled to pc, or "". */
static void where(const IpsfPack *p, uint32_t pc, char *buf, size_t size) {
  buf[0] = '\0';
  uint32_t lo = 0, hi = p->line_count; /* find the last entry with pc <= pc */
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (p->lines[mid].pc <= pc)
      lo = mid + 1;
    else
      hi = mid;
  }
  if (lo == 0) return;
  const IpsfLoc *l = &p->lines[lo - 1].loc;
  snprintf(buf, size, " at %s:%u:%u", p->strings[l->file], l->line, l->col);
}

static void loc_str(const IpsfPack *p, const IpsfLoc *l, char *buf, size_t size) {
  if (l->file == IPSF_NONE)
    snprintf(buf, size, "%u:%u", l->line, l->col);
  else
    snprintf(buf, size, "%s:%u:%u", p->strings[l->file], l->line, l->col);
}

static bool arith_fail(const IpsfPack *p, uint32_t pc, IpsfError *err, const char *what,
                       const char *op) {
  char at[320];
  where(p, pc, at, sizeof at);
  return ipsf_fail(err, IPSF_ERR_ARITHMETIC, "%s in '%s'%s", what, op, at);
}

static const char *level_name(const IpsfPack *p, uint32_t scale, uint32_t level) {
  return p->strings[p->enums[p->scales[scale].enum_type].values[level]];
}

/* A gap: scale `scale` settled at pc with no rule matched and no otherwise. */
static bool no_rule_matched(const IpsfPack *p, uint32_t pc, uint32_t scale, IpsfError *err) {
  char at[320];
  where(p, pc, at, sizeof at);
  return ipsf_fail(err, IPSF_ERR_NO_RULE_MATCHED,
                   "no rule of scale '%s' matched and it has no otherwise%s",
                   p->strings[p->scales[scale].name], at);
}

static bool unique_conflict(const IpsfPack *p, uint32_t r1, uint32_t r2, IpsfError *err) {
  const IpsfRule *a = &p->rules[r1], *b = &p->rules[r2];
  char la[160], lb[160];
  loc_str(p, &a->loc, la, sizeof la);
  loc_str(p, &b->loc, lb, sizeof lb);
  return ipsf_fail(err, IPSF_ERR_UNIQUE_CONFLICT,
                   "scale '%s' has policy unique, but two rules with different levels "
                   "matched: %s (%s) and %s (%s)",
                   p->strings[p->scales[a->scale].name], la, level_name(p, a->scale, a->level),
                   lb, level_name(p, b->scale, b->level));
}

/* REQEND's error for requirement q, at q's location (the line REQEND's
 * line-table entry names). */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
/* REQEND's error: requirement q applies with no confirm line; `at` is
 * " at FILE:LINE:COL" or "". */
static bool unconfirmed_at(const IpsfPack *p, uint32_t q, const char *at, IpsfError *err) {
  return ipsf_fail(err, IPSF_ERR_NO_RULE_MATCHED,
                   "requirement %s applies but none of its confirm lines matched%s",
                   p->strings[p->requirements[q].id], at);
}

/* The same for a requirement of a QTABLE, at the requirement's location. */
static bool unconfirmed(const IpsfPack *p, uint32_t q, IpsfError *err) {
  char at[320];
  const IpsfLoc *l = &p->requirements[q].loc;
  if (l->file == IPSF_NONE)
    snprintf(at, sizeof at, " at %u:%u", l->line, l->col);
  else
    snprintf(at, sizeof at, " at %s:%u:%u", p->strings[l->file], l->line, l->col);
  return unconfirmed_at(p, q, at, err);
}

/* ---- natives ------------------------------------------------------------ */

#if defined(__GNUC__)
__attribute__((noinline))
#endif
static bool native_fail(IpsfEval *ev, uint32_t native, uint32_t pc, IpsfErrorKind kind,
                        const char *what, IpsfError *err) {
  char at[320], who[400];
  where(ev->pack, pc, at, sizeof at);
  ipsf_native_describe(ev->pack, native, who, sizeof who);
  return ipsf_fail(err, kind, "%s %s%s", who, what, at);
}

/* CALLN: the native's arguments are args[0 .. param_count-1] (first pushed
 * first); its checked result replaces args[0].  Kept out of the dispatch
 * loop: a call is rare next to the other instructions. */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static bool call_native(IpsfEval *ev, uint32_t native, IpsfValue *args, uint32_t pc,
                        IpsfError *err) {
  const IpsfPack *p = ev->pack;
  const IpsfNative *n = &p->natives[native];
  IpsfNativeEntry *e = &p->native_binding->entries[native];
  IpsfNativeArg *a = ev->native_args;
  for (uint32_t k = 0; k < n->param_count; k++) {
    switch (n->params[k]) {
    case IPSF_K_INT: a[k].i = args[k].i; break;
    case IPSF_K_NUMBER: a[k].n = args[k].n; break;
    case IPSF_K_BOOL: a[k].b = args[k].i != 0; break;
    default: a[k].s = args[k].s; break;
    }
  }
  /* libffi widens integral results narrower than a word to ffi_arg */
  union {
    ffi_arg a;
    ffi_sarg sa;
    int64_t i;
    double n;
    const char *s;
  } r;
  memset(&r, 0, sizeof r);
  ffi_call(&e->cif, e->fn, &r, ev->native_avalues);
  switch (n->result) {
  case IPSF_K_INT: args[0].i = r.i; return true;
  case IPSF_K_BOOL: args[0].i = (int)r.sa != 0; return true;
  case IPSF_K_NUMBER:
    if (!isfinite(r.n))
      return native_fail(ev, native, pc, IPSF_ERR_NATIVE,
                         isnan(r.n) ? "returned NaN" : "returned an infinite number", err);
    args[0].n = r.n;
    return true;
  default: {
    if (!r.s) return native_fail(ev, native, pc, IPSF_ERR_NATIVE, "returned NULL", err);
    size_t len = 0;
    int bad = ipsf_native_check_string(r.s, IPSF_NATIVE_MAX_STRING, &len);
    if (bad == 1)
      return native_fail(ev, native, pc, IPSF_ERR_NATIVE,
                         "returned a string that is not valid UTF-8", err);
    if (bad == 2)
      return native_fail(ev, native, pc, IPSF_ERR_LIMIT,
                         "returned a string longer than 1 MiB", err);
    char *d = scratch_alloc(ev, len + 1);
    if (!d) return native_fail(ev, native, pc, IPSF_ERR_NOMEM, "ran out of memory", err);
    memcpy(d, r.s, len + 1);
    args[0].s = d;
    return true;
  }
  }
}

/* ---- integer helpers ---------------------------------------------------- */

/* The arithmetic itself is runtime/arith.h, shared with the compiler's
 * constant folding and the analyzer. */

/* Without -mpopcnt, __builtin_popcountll is a call into libgcc (21
 * instructions); this is 12, inline, on any target. */
static int popcount64(uint64_t m) {
#if defined(__POPCNT__)
  return __builtin_popcountll(m);
#else
  m = m - ((m >> 1) & UINT64_C(0x5555555555555555));
  m = (m & UINT64_C(0x3333333333333333)) + ((m >> 2) & UINT64_C(0x3333333333333333));
  m = (m + (m >> 4)) & UINT64_C(0x0F0F0F0F0F0F0F0F);
  return (int)((m * UINT64_C(0x0101010101010101)) >> 56);
#endif
}


/* Is confirm a stronger than confirm b (same requirement)? */
static bool stronger(const IpsfConfirm *a, const IpsfConfirm *b) {
  return ipsf_confirm_stronger(a, b);
}

/* ---- the loop ----------------------------------------------------------- */

/* SCALE s at pc: its level so far, or its otherwise when no rule hit it
 * (none: the gap error), into the scale's slot.  RTABLE ends with it. */
#if defined(__GNUC__)
__attribute__((always_inline))
#endif
static inline bool settle(const IpsfPack *p, uint32_t *scale_level, IpsfValue *slots, uint32_t s,
                          uint32_t pc, IpsfError *err) {
  uint32_t level = scale_level[s];
  if (level == IPSF_NONE) {
    level = p->scales[s].otherwise;
    if (level == IPSF_NONE) return no_rule_matched(p, pc, s, err);
    scale_level[s] = level;
  }
  slots[p->scales[s].slot].i = level;
  return true;
}

/* Fused compare-and-act (SKA, SA): when the condition holds, the action:
 * a rule's hit by its scale's policy, or a confirm line.  The same bodies
 * as HITW, HITF, HITU and CONFIRM, for rule or confirm line R. */
#define ACT_HITW(R)                                                          \
  {                                                                          \
    uint32_t r_ = (R);                                                       \
    const IpsfRule *rr_ = &rules[r_];                                        \
    rule_hit[r_ / 64] |= UINT64_C(1) << (r_ % 64);                           \
    if (scale_level[rr_->scale] == IPSF_NONE || rr_->level > scale_level[rr_->scale]) { \
      scale_level[rr_->scale] = rr_->level;                                  \
      scale_rule[rr_->scale] = r_;                                           \
    }                                                                        \
  }
#define ACT_HITF(R)                                                          \
  {                                                                          \
    uint32_t r_ = (R);                                                       \
    const IpsfRule *rr_ = &rules[r_];                                        \
    rule_hit[r_ / 64] |= UINT64_C(1) << (r_ % 64);                           \
    if (scale_level[rr_->scale] == IPSF_NONE) {                              \
      scale_level[rr_->scale] = rr_->level;                                  \
      scale_rule[rr_->scale] = r_;                                           \
    }                                                                        \
  }
#define ACT_HITU(R)                                                          \
  {                                                                          \
    uint32_t r_ = (R);                                                       \
    const IpsfRule *rr_ = &rules[r_];                                        \
    rule_hit[r_ / 64] |= UINT64_C(1) << (r_ % 64);                           \
    if (scale_level[rr_->scale] == IPSF_NONE) {                              \
      scale_level[rr_->scale] = rr_->level;                                  \
      scale_rule[rr_->scale] = r_;                                           \
    } else if (scale_level[rr_->scale] != rr_->level) {                      \
      return unique_conflict(p, scale_rule[rr_->scale], r_, err);            \
    }                                                                        \
  }
#define ACT_CONFIRM(C)                                                       \
  {                                                                          \
    uint32_t c_ = (C);                                                       \
    const IpsfConfirm *cc_ = &confirms[c_];                                  \
    uint32_t cur_ = req_confirm[cc_->requirement];                           \
    if (cur_ == IPSF_NONE || stronger(cc_, &confirms[cur_])) req_confirm[cc_->requirement] = c_; \
  }
/* if S[slot] cmp K[const] then ACT(action) (operand kind SKA) */
#define SKA(cmp, ACT)                                                        \
  {                                                                          \
    if (slots[A & 0xFFu].i cmp consts[(A >> 8) & 0xFFu].value.i) ACT(A >> 16) \
    vmbreak;                                                                 \
  }
/* if S[slot] is a member of set K[const] then ACT(action) */
#define SKA_INM(ACT)                                                         \
  {                                                                          \
    if ((consts[(A >> 8) & 0xFFu].value.m >> slots[A & 0xFFu].i) & 1u) ACT(A >> 16) \
    vmbreak;                                                                 \
  }
/* if the bool S[slot] then ACT(action) (operand kind SA) */
#define SA(ACT)                                                              \
  {                                                                          \
    if (slots[A & 0xFFFu].i) ACT(A >> 12)                                    \
    vmbreak;                                                                 \
  }

/* AND_/OR_ forms: when TOP is true (AND) or false (OR, `neg` = !), TOP
 * becomes S[slot] cmp K[const]; otherwise it stays (ANDJ/ORJ's jump). */
#define BOOL_SK(neg, cmp)                                                    \
  {                                                                          \
    if (neg TOP.i) TOP.i = slots[A & 0xFFFu].i cmp consts[A >> 12].value.i;  \
    vmbreak;                                                                 \
  }
#define BOOL_INM(neg)                                                        \
  {                                                                          \
    if (neg TOP.i)                                                           \
      TOP.i = (int64_t)((consts[A >> 12].value.m >> slots[A & 0xFFFu].i) & 1u); \
    vmbreak;                                                                 \
  }
#define BOOL_S(neg)                                                          \
  {                                                                          \
    if (neg TOP.i) TOP.i = slots[A].i;                                       \
    vmbreak;                                                                 \
  }

/* The cell of decision table t for the slots' values: a lookup per bool
 * or enum dim (value -> class * stride), a count of the thresholds at or
 * below the value per int dim. */
#define MAP_DIM(k) t->mmap[k][slots[t->mslot[k]].i]
#if defined(__GNUC__)
__attribute__((always_inline))
#endif
static inline uint32_t table_cell(const IpsfTable *t, const IpsfValue *slots) {
  switch (t->shape) { /* only bool and enum dims: unrolled */
  case 1: return MAP_DIM(0);
  case 2: return MAP_DIM(0) + MAP_DIM(1);
  case 3: return MAP_DIM(0) + MAP_DIM(1) + MAP_DIM(2);
  case 4: return MAP_DIM(0) + MAP_DIM(1) + MAP_DIM(2) + MAP_DIM(3);
  case 5: return MAP_DIM(0) + MAP_DIM(1) + MAP_DIM(2) + MAP_DIM(3) + MAP_DIM(4);
  case 6: return MAP_DIM(0) + MAP_DIM(1) + MAP_DIM(2) + MAP_DIM(3) + MAP_DIM(4) + MAP_DIM(5);
  case 7:
    return MAP_DIM(0) + MAP_DIM(1) + MAP_DIM(2) + MAP_DIM(3) + MAP_DIM(4) + MAP_DIM(5) +
           MAP_DIM(6);
  case 8:
    return MAP_DIM(0) + MAP_DIM(1) + MAP_DIM(2) + MAP_DIM(3) + MAP_DIM(4) + MAP_DIM(5) +
           MAP_DIM(6) + MAP_DIM(7);
  default: break;
  }
  const IpsfTableLink *l = t->link;
  uint32_t cell = 0, d = 0;
  for (; d < t->link_map_dims; d++) cell += l[d].cellmap[slots[l[d].slot].i];
  for (; d < t->dim_count; d++) {
    int64_t x = slots[l[d].slot].i;
    uint32_t c = 0; /* the thresholds are sorted: those <= x, without a branch on x */
    for (uint32_t k = 0; k < l[d].threshold_count; k++) c += l[d].thresholds[k] <= x;
    cell += c * l[d].stride;
  }
  return cell;
}

/* IPSF_VM_SWITCH forces the portable switch (to test it with GCC too). */
#if defined(__GNUC__) && !defined(IPSF_VM_SWITCH)
#define IPSF_VM_GOTO 1
#endif

#if defined(IPSF_VM_GOTO)
#define vmdispatch(o) goto *dispatch_table[o];
#define vmcase(name) L_##name:
#define vmbreak                          \
  do {                                   \
    insn = code[pc++];                   \
    goto *dispatch_table[IPSF_INSN_OP(insn)]; \
  } while (0)
#else
#define vmdispatch(o) switch (o)
#define vmcase(name) case IPSF_OP_##name:
#define vmbreak break
#endif

/* Operand access: A of the current instruction; the stack grows upward and
 * sp points at the first free cell. */
#define A IPSF_INSN_A(insn)
#define TOP (sp[-1])
#define SEC (sp[-2])
#define FAIL_ARITH(what, op) return arith_fail(p, pc - 1, err, what, op)

/* Binary int or number op through runtime/arith.h (field i or n) that can
 * raise only one error, `what`.  (The message is a constant, not chosen
 * from the status in the loop: that cost the dispatch loop registers, 9%
 * of bench/evalonly.) */
#define ARITH_OP(field, fn, sym, what)                \
  {                                                   \
    IpsfValue r;                                      \
    if (fn(SEC.field, TOP.field, &r.field) != IPSF_ARITH_OK) \
      FAIL_ARITH(what, sym);                          \
    SEC.field = r.field;                              \
    sp--;                                             \
    vmbreak;                                          \
  }
/* `/` and `%`: division by zero first, then `what` (overflow, non-finite). */
#define DIV_OP(field, fn, sym, what)                                      \
  {                                                                       \
    IpsfValue r;                                                          \
    IpsfArithStatus st = fn(SEC.field, TOP.field, &r.field);              \
    if (st != IPSF_ARITH_OK)                                              \
      FAIL_ARITH(st == IPSF_ARITH_DIVZERO ? "division by zero" : what, sym); \
    SEC.field = r.field;                                                  \
    sp--;                                                                 \
    vmbreak;                                                              \
  }
#define BINOP(field, resfield, expr) \
  {                                  \
    SEC.resfield = (expr);           \
    sp--;                            \
    vmbreak;                         \
  }
/* Fused: push S[slot] op K[const] (operand kind SK). */
#define PUSH_SK(cmp)                                                          \
  {                                                                           \
    (sp++)->i = slots[A & 0xFFFu].i cmp consts[A >> 12].value.i;           \
    vmbreak;                                                                  \
  }
/* Fused: unless S[slot] op K[const], jump (operand kind SKJ). */
#define JUMP_SKJ(cmp)                                                         \
  {                                                                           \
    if (!(slots[A & 0xFFu].i cmp consts[(A >> 8) & 0xFFu].value.i)) pc += A >> 16; \
    vmbreak;                                                                  \
  }

/* GCC merges the handlers' identical tails (vmbreak's load and indirect
 * jump) into one shared jump, which leaves the branch predictor one site
 * for every instruction; keep a dispatch per handler (issue #16). */
#if defined(IPSF_VM_GOTO) && defined(__GNUC__) && !defined(__clang__)
__attribute__((optimize("no-crossjumping")))
#endif
bool ipsf_vm_run(IpsfEval *ev, IpsfError *err) {
  const IpsfPack *p = ev->pack;

  /* Reset everything the code writes: the state block from its image
   * (eval.c), the non-fact slots from theirs. */
  memcpy(ev->state, ev->state_reset, ev->state_size);
  if (ev->slots_contiguous) {
    uint32_t from = ev->slot_reset_from;
    if (from < p->slot_count)
      memcpy(ev->slots + from, ev->slot_reset + from, (p->slot_count - from) * sizeof *ev->slots);
  } else {
    for (uint32_t i = 0; i < p->slot_count; i++)
      if (p->slots[i].role != IPSF_SLOT_FACT) ev->slots[i] = ev->slot_reset[i];
  }
  if (ev->scratch) scratch_reset(ev);

#if defined(IPSF_VM_GOTO)
  static const void *const dispatch_table[IPSF_OP__COUNT] = {
#define IPSF_OP_LABEL(name, operand, pops, pushes, meaning) [IPSF_OP_##name] = &&L_##name,
      IPSF_OPCODES(IPSF_OP_LABEL)
#undef IPSF_OP_LABEL
  };
#endif

  /* The tables in locals: a byte store (req_applies, vp_used) may alias
   * anything, so read through ev and p they would be reloaded after it. */
  const uint32_t *code = p->code;
  const IpsfConst *consts = p->consts;
  const IpsfRule *rules = p->rules;
  const IpsfConfirm *confirms = p->confirms;
  const IpsfTable *tables = p->tables;
  uint64_t *rule_hit = ev->rule_hit;
  uint32_t *scale_level = ev->scale_level, *scale_rule = ev->scale_rule;
  uint32_t *req_confirm = ev->req_confirm;
  uint8_t *req_applies = ev->req_applies;
  IpsfValue *slots = ev->slots;
  IpsfValue *sp = ev->stack;
  uint32_t pc = 0;
  uint32_t insn;

  for (;;) {
    insn = code[pc++];
    vmdispatch(IPSF_INSN_OP(insn)) {
      /* stack and slots */
      vmcase(LOADK) {
        *sp++ = consts[A].value;
        vmbreak;
      }
      vmcase(LOAD) {
        *sp++ = slots[A];
        vmbreak;
      }
      vmcase(STORE) {
        slots[A] = *--sp;
        vmbreak;
      }
      vmcase(POP) {
        sp--;
        vmbreak;
      }
      /* control (pc already points past this instruction) */
      vmcase(JUMP) {
        pc += A;
        vmbreak;
      }
      vmcase(JUMPF) {
        if (!(--sp)->i) pc += A;
        vmbreak;
      }
      vmcase(ANDJ) {
        if (!TOP.i)
          pc += A;
        else
          sp--;
        vmbreak;
      }
      vmcase(ORJ) {
        if (TOP.i)
          pc += A;
        else
          sp--;
        vmbreak;
      }
      vmcase(RET) { return true; }
      /* logic */
      vmcase(NOT) {
        TOP.i = !TOP.i;
        vmbreak;
      }
      vmcase(EQB) BINOP(i, i, SEC.i == TOP.i)
      vmcase(NEB) BINOP(i, i, SEC.i != TOP.i)
      /* int */
      vmcase(ADDI) ARITH_OP(i, ipsf_addi, "+", "integer overflow")
      vmcase(SUBI) ARITH_OP(i, ipsf_subi, "-", "integer overflow")
      vmcase(MULI) ARITH_OP(i, ipsf_muli, "*", "integer overflow")
      vmcase(DIVI) DIV_OP(i, ipsf_divi, "/", "integer overflow")
      vmcase(MODI) DIV_OP(i, ipsf_modi, "%", "integer overflow")
      vmcase(NEGI) {
        int64_t r;
        if (ipsf_negi(TOP.i, &r) != IPSF_ARITH_OK) FAIL_ARITH("integer overflow", "-");
        TOP.i = r;
        vmbreak;
      }
      vmcase(ABSI) {
        int64_t r;
        if (ipsf_absi(TOP.i, &r) != IPSF_ARITH_OK) FAIL_ARITH("integer overflow", "abs");
        TOP.i = r;
        vmbreak;
      }
      vmcase(MINI) BINOP(i, i, SEC.i < TOP.i ? SEC.i : TOP.i)
      vmcase(MAXI) BINOP(i, i, SEC.i > TOP.i ? SEC.i : TOP.i)
      vmcase(EQI) BINOP(i, i, SEC.i == TOP.i)
      vmcase(NEI) BINOP(i, i, SEC.i != TOP.i)
      vmcase(LTI) BINOP(i, i, SEC.i < TOP.i)
      vmcase(LEI) BINOP(i, i, SEC.i <= TOP.i)
      vmcase(I2N) {
        TOP.n = (double)TOP.i;
        vmbreak;
      }
      /* number */
      vmcase(ADDN) ARITH_OP(n, ipsf_addn, "+", "non-finite number result")
      vmcase(SUBN) ARITH_OP(n, ipsf_subn, "-", "non-finite number result")
      vmcase(MULN) ARITH_OP(n, ipsf_muln, "*", "non-finite number result")
      vmcase(DIVN) DIV_OP(n, ipsf_divn, "/", "non-finite number result")
      vmcase(MODN) DIV_OP(n, ipsf_modn, "%", "non-finite number result")
      vmcase(NEGN) {
        TOP.n = -TOP.n;
        vmbreak;
      }
      vmcase(ABSN) {
        TOP.n = fabs(TOP.n);
        vmbreak;
      }
      vmcase(MINN) BINOP(n, n, SEC.n < TOP.n ? SEC.n : TOP.n)
      vmcase(MAXN) BINOP(n, n, SEC.n > TOP.n ? SEC.n : TOP.n)
      vmcase(EQN) BINOP(n, i, SEC.n == TOP.n)
      vmcase(NEN) BINOP(n, i, SEC.n != TOP.n)
      vmcase(LTN) BINOP(n, i, SEC.n < TOP.n)
      vmcase(LEN) BINOP(n, i, SEC.n <= TOP.n)
      /* enums: compared by index */
      vmcase(EQE) BINOP(i, i, SEC.i == TOP.i)
      vmcase(NEE) BINOP(i, i, SEC.i != TOP.i)
      vmcase(LTE) BINOP(i, i, SEC.i < TOP.i)
      vmcase(LEE) BINOP(i, i, SEC.i <= TOP.i)
      vmcase(MINE) BINOP(i, i, SEC.i < TOP.i ? SEC.i : TOP.i)
      vmcase(MAXE) BINOP(i, i, SEC.i > TOP.i ? SEC.i : TOP.i)
      /* sets */
      vmcase(INM) BINOP(i, i, (int64_t)((TOP.m >> SEC.i) & 1u))
      vmcase(EQM) BINOP(m, i, SEC.m == TOP.m)
      vmcase(NEM) BINOP(m, i, SEC.m != TOP.m)
      vmcase(COUNTM) {
        TOP.i = popcount64(TOP.m);
        vmbreak;
      }
      /* strings */
      vmcase(EQS) BINOP(s, i, strcmp(SEC.s, TOP.s) == 0)
      vmcase(NES) BINOP(s, i, strcmp(SEC.s, TOP.s) != 0)
      vmcase(STARTS) BINOP(s, i, strncmp(SEC.s, TOP.s, strlen(TOP.s)) == 0)
      vmcase(ENDS) {
        size_t la = strlen(SEC.s), lb = strlen(TOP.s);
        SEC.i = lb <= la && memcmp(SEC.s + la - lb, TOP.s, lb) == 0;
        sp--;
        vmbreak;
      }
      vmcase(CONTAINS) BINOP(s, i, strstr(SEC.s, TOP.s) != NULL)
      vmcase(LOWER) {
        size_t len = strlen(TOP.s);
        if (len == SIZE_MAX) return ipsf_fail(err, IPSF_ERR_NOMEM, "out of memory in lower");
        char *d = scratch_alloc(ev, len + 1);
        if (!d) return ipsf_fail(err, IPSF_ERR_NOMEM, "out of memory in lower");
        const char *s = TOP.s;
        for (size_t i = 0; i <= len; i++) {
          char c = s[i];
          d[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
        }
        TOP.s = d;
        vmbreak;
      }
      /* rules */
      vmcase(HITW) {
        const IpsfRule *r = &rules[A];
        rule_hit[A / 64] |= UINT64_C(1) << (A % 64);
        if (scale_level[r->scale] == IPSF_NONE || r->level > scale_level[r->scale]) {
          scale_level[r->scale] = r->level;
          scale_rule[r->scale] = A;
        }
        vmbreak;
      }
      vmcase(HITF) {
        const IpsfRule *r = &rules[A];
        rule_hit[A / 64] |= UINT64_C(1) << (A % 64);
        if (scale_level[r->scale] == IPSF_NONE) {
          scale_level[r->scale] = r->level;
          scale_rule[r->scale] = A;
        }
        vmbreak;
      }
      vmcase(HITU) {
        const IpsfRule *r = &rules[A];
        rule_hit[A / 64] |= UINT64_C(1) << (A % 64);
        if (scale_level[r->scale] == IPSF_NONE) {
          scale_level[r->scale] = r->level;
          scale_rule[r->scale] = A;
        } else if (scale_level[r->scale] != r->level) {
          return unique_conflict(p, scale_rule[r->scale], A, err);
        }
        vmbreak;
      }
      vmcase(SCALE) {
        if (!settle(p, scale_level, slots, A, pc - 1, err)) return false;
        vmbreak;
      }
      /* requirements */
      vmcase(REQ) {
        req_applies[A] = 1;
        ev->vp_used[p->requirements[A].viewpoint] = 1;
        /* req_confirm[A] is IPSF_NONE: the run's reset set it, and the
         * verifier proved at most one REQ A on any path */
        vmbreak;
      }
      vmcase(CONFIRM) {
        const IpsfConfirm *c = &confirms[A];
        uint32_t cur = req_confirm[c->requirement];
        if (cur == IPSF_NONE || stronger(c, &confirms[cur])) req_confirm[c->requirement] = A;
        vmbreak;
      }
      vmcase(CALLN) {
        uint32_t n = p->natives[A].param_count;
        sp -= n;
        if (!call_native(ev, A, sp, pc - 1, err)) return false;
        sp++;
        vmbreak;
      }
      vmcase(REQEND) {
        if (req_applies[A] && req_confirm[A] == IPSF_NONE) {
          char at[320];
          where(p, pc - 1, at, sizeof at);
          return unconfirmed_at(p, A, at, err);
        }
        vmbreak;
      }
      /* fused instructions (opcodes.h IPSF_FUSED): the slot and the
       * constant from the packed operand, the verifier having proved them
       * in range and of the types their sequence needs. */
      vmcase(EQEK) PUSH_SK(==)
      vmcase(NEEK) PUSH_SK(!=)
      vmcase(LTEK) PUSH_SK(<)
      vmcase(LEEK) PUSH_SK(<=)
      vmcase(GTEK) PUSH_SK(>)
      vmcase(GEEK) PUSH_SK(>=)
      vmcase(EQIK) PUSH_SK(==)
      vmcase(NEIK) PUSH_SK(!=)
      vmcase(LTIK) PUSH_SK(<)
      vmcase(LEIK) PUSH_SK(<=)
      vmcase(GTIK) PUSH_SK(>)
      vmcase(GEIK) PUSH_SK(>=)
      vmcase(INMK) {
        (sp++)->i = (int64_t)((consts[A >> 12].value.m >> slots[A & 0xFFFu].i) & 1u);
        vmbreak;
      }
      vmcase(GTCK) {
        (sp++)->i = consts[A >> 12].value.i < popcount64(slots[A & 0xFFFu].m);
        vmbreak;
      }
      vmcase(GECK) {
        (sp++)->i = consts[A >> 12].value.i <= popcount64(slots[A & 0xFFFu].m);
        vmbreak;
      }
      vmcase(JEQEK) JUMP_SKJ(==)
      vmcase(JNEEK) JUMP_SKJ(!=)
      vmcase(JLTEK) JUMP_SKJ(<)
      vmcase(JLEEK) JUMP_SKJ(<=)
      vmcase(JGTEK) JUMP_SKJ(>)
      vmcase(JGEEK) JUMP_SKJ(>=)
      vmcase(JEQIK) JUMP_SKJ(==)
      vmcase(JNEIK) JUMP_SKJ(!=)
      vmcase(JLTIK) JUMP_SKJ(<)
      vmcase(JLEIK) JUMP_SKJ(<=)
      vmcase(JGTIK) JUMP_SKJ(>)
      vmcase(JGEIK) JUMP_SKJ(>=)
      vmcase(JINMK) {
        if (!((consts[(A >> 8) & 0xFFu].value.m >> slots[A & 0xFFu].i) & 1u)) pc += A >> 16;
        vmbreak;
      }
      /* REQ q; CONFIRM c (c a confirm line of q, the verifier proved):
       * the first confirm after REQ is kept, whatever its strength. */
      vmcase(REQC) {
        uint32_t q = A & 0xFFFu;
        req_applies[q] = 1;
        ev->vp_used[p->requirements[q].viewpoint] = 1;
        req_confirm[q] = A >> 12;
        vmbreak;
      }
      /* ... and REQEND q, which cannot fail: a confirm line matched. */
      vmcase(REQCE) {
        uint32_t q = A & 0xFFFu;
        req_applies[q] = 1;
        ev->vp_used[p->requirements[q].viewpoint] = 1;
        req_confirm[q] = A >> 12;
        vmbreak;
      }
      /* compare-and-act: the rule's hit or the confirm line when it holds */
      vmcase(HITW_EQEK) SKA(==, ACT_HITW)
      vmcase(HITW_NEEK) SKA(!=, ACT_HITW)
      vmcase(HITW_LTEK) SKA(<, ACT_HITW)
      vmcase(HITW_LEEK) SKA(<=, ACT_HITW)
      vmcase(HITW_GTEK) SKA(>, ACT_HITW)
      vmcase(HITW_GEEK) SKA(>=, ACT_HITW)
      vmcase(HITW_EQIK) SKA(==, ACT_HITW)
      vmcase(HITW_NEIK) SKA(!=, ACT_HITW)
      vmcase(HITW_LTIK) SKA(<, ACT_HITW)
      vmcase(HITW_LEIK) SKA(<=, ACT_HITW)
      vmcase(HITW_GTIK) SKA(>, ACT_HITW)
      vmcase(HITW_GEIK) SKA(>=, ACT_HITW)
      vmcase(HITW_INMK) SKA_INM(ACT_HITW)
      vmcase(HITW_S) SA(ACT_HITW)
      vmcase(HITF_EQEK) SKA(==, ACT_HITF)
      vmcase(HITF_NEEK) SKA(!=, ACT_HITF)
      vmcase(HITF_LTEK) SKA(<, ACT_HITF)
      vmcase(HITF_LEEK) SKA(<=, ACT_HITF)
      vmcase(HITF_GTEK) SKA(>, ACT_HITF)
      vmcase(HITF_GEEK) SKA(>=, ACT_HITF)
      vmcase(HITF_EQIK) SKA(==, ACT_HITF)
      vmcase(HITF_NEIK) SKA(!=, ACT_HITF)
      vmcase(HITF_LTIK) SKA(<, ACT_HITF)
      vmcase(HITF_LEIK) SKA(<=, ACT_HITF)
      vmcase(HITF_GTIK) SKA(>, ACT_HITF)
      vmcase(HITF_GEIK) SKA(>=, ACT_HITF)
      vmcase(HITF_INMK) SKA_INM(ACT_HITF)
      vmcase(HITF_S) SA(ACT_HITF)
      vmcase(HITU_EQEK) SKA(==, ACT_HITU)
      vmcase(HITU_NEEK) SKA(!=, ACT_HITU)
      vmcase(HITU_LTEK) SKA(<, ACT_HITU)
      vmcase(HITU_LEEK) SKA(<=, ACT_HITU)
      vmcase(HITU_GTEK) SKA(>, ACT_HITU)
      vmcase(HITU_GEEK) SKA(>=, ACT_HITU)
      vmcase(HITU_EQIK) SKA(==, ACT_HITU)
      vmcase(HITU_NEIK) SKA(!=, ACT_HITU)
      vmcase(HITU_LTIK) SKA(<, ACT_HITU)
      vmcase(HITU_LEIK) SKA(<=, ACT_HITU)
      vmcase(HITU_GTIK) SKA(>, ACT_HITU)
      vmcase(HITU_GEIK) SKA(>=, ACT_HITU)
      vmcase(HITU_INMK) SKA_INM(ACT_HITU)
      vmcase(HITU_S) SA(ACT_HITU)
      vmcase(CONFIRM_EQEK) SKA(==, ACT_CONFIRM)
      vmcase(CONFIRM_NEEK) SKA(!=, ACT_CONFIRM)
      vmcase(CONFIRM_LTEK) SKA(<, ACT_CONFIRM)
      vmcase(CONFIRM_LEEK) SKA(<=, ACT_CONFIRM)
      vmcase(CONFIRM_GTEK) SKA(>, ACT_CONFIRM)
      vmcase(CONFIRM_GEEK) SKA(>=, ACT_CONFIRM)
      vmcase(CONFIRM_EQIK) SKA(==, ACT_CONFIRM)
      vmcase(CONFIRM_NEIK) SKA(!=, ACT_CONFIRM)
      vmcase(CONFIRM_LTIK) SKA(<, ACT_CONFIRM)
      vmcase(CONFIRM_LEIK) SKA(<=, ACT_CONFIRM)
      vmcase(CONFIRM_GTIK) SKA(>, ACT_CONFIRM)
      vmcase(CONFIRM_GEIK) SKA(>=, ACT_CONFIRM)
      vmcase(CONFIRM_INMK) SKA_INM(ACT_CONFIRM)
      vmcase(CONFIRM_S) SA(ACT_CONFIRM)
      /* top and/or a compare (or a bool slot): ANDJ/ORJ over exactly it */
      vmcase(AND_EQEK) BOOL_SK( , ==)
      vmcase(AND_NEEK) BOOL_SK( , !=)
      vmcase(AND_LTEK) BOOL_SK( , <)
      vmcase(AND_LEEK) BOOL_SK( , <=)
      vmcase(AND_GTEK) BOOL_SK( , >)
      vmcase(AND_GEEK) BOOL_SK( , >=)
      vmcase(AND_EQIK) BOOL_SK( , ==)
      vmcase(AND_NEIK) BOOL_SK( , !=)
      vmcase(AND_LTIK) BOOL_SK( , <)
      vmcase(AND_LEIK) BOOL_SK( , <=)
      vmcase(AND_GTIK) BOOL_SK( , >)
      vmcase(AND_GEIK) BOOL_SK( , >=)
      vmcase(AND_INMK) BOOL_INM( )
      vmcase(AND_S) BOOL_S( )
      vmcase(OR_EQEK) BOOL_SK(!, ==)
      vmcase(OR_NEEK) BOOL_SK(!, !=)
      vmcase(OR_LTEK) BOOL_SK(!, <)
      vmcase(OR_LEEK) BOOL_SK(!, <=)
      vmcase(OR_GTEK) BOOL_SK(!, >)
      vmcase(OR_GEEK) BOOL_SK(!, >=)
      vmcase(OR_EQIK) BOOL_SK(!, ==)
      vmcase(OR_NEIK) BOOL_SK(!, !=)
      vmcase(OR_LTIK) BOOL_SK(!, <)
      vmcase(OR_LEIK) BOOL_SK(!, <=)
      vmcase(OR_GTIK) BOOL_SK(!, >)
      vmcase(OR_GEIK) BOOL_SK(!, >=)
      vmcase(OR_INMK) BOOL_INM(!)
      vmcase(OR_S) BOOL_S(!)
      vmcase(JFS) {
        if (!slots[A & 0xFFFu].i) pc += A >> 12;
        vmbreak;
      }
      /* decision tables: the cell of the dims' classes, then each rule its
       * mask lists, in ascending order, with the scale's hit action: what
       * the chain it replaces does (verify.c proved the table's indices,
       * classes and bits, and that it comes before the scale's SCALE) */
      vmcase(RTABLE) {
        const IpsfTable *t = &tables[A];
        const IpsfTableCell *tc = &t->cells[table_cell(t, slots)];
        uint64_t m = tc->mask;
        uint32_t s = t->owner;
        if (scale_level[s] == IPSF_NONE && tc->settled != IPSF_NONE) {
          /* the code generator's case, the scale untouched before its
           * table: every hit bit at once and the level the cell settles
           * to, which is what the general path below computes then */
          uint32_t off = t->hit_off;
          rule_hit[t->hit_word] |= m << off;
          if (off && (m >> (64 - off))) rule_hit[t->hit_word + 1] |= m >> (64 - off);
          scale_level[s] = tc->settled;
          scale_rule[s] = tc->winner;
          slots[t->scale_slot].i = tc->settled;
          vmbreak;
        }
        if (m && t->policy == IPSF_POLICY_UNIQUE &&
            (tc->winner == IPSF_NONE || scale_level[s] != IPSF_NONE)) {
          /* a conflict, or hits before the table (not from the compiler):
           * hit by hit, as the chain */
          for (uint32_t base = t->first_rule; m; m &= m - 1) ACT_HITU(base + ipsf_lowest_bit(m))
        } else if (m) {
          /* every rule's hit bit at once, then the one hit that decides
           * (pack.h IpsfTableCell): applying the others in order would
           * leave the level and rule exactly so (unique: no conflict in
           * the mask, and no level before it) */
          uint32_t off = t->hit_off;
          rule_hit[t->hit_word] |= m << off;
          if (off && (m >> (64 - off))) rule_hit[t->hit_word + 1] |= m >> (64 - off);
          if (scale_level[s] == IPSF_NONE ||
              (t->policy == IPSF_POLICY_WORST && tc->level > scale_level[s])) {
            scale_level[s] = tc->level;
            scale_rule[s] = tc->winner;
          }
        }
        if (!settle(p, scale_level, slots, s, pc - 1, err)) return false; /* then SCALE s */
        vmbreak;
      }
      /* a bool let by its table: the cell's value (0 or 1), stored */
      vmcase(LTABLE) {
        const IpsfTable *t = &tables[A];
        slots[t->owner].i = (int64_t)t->cells[table_cell(t, slots)].mask;
        vmbreak;
      }
      /* requirements by their table: for each q of its span, in order,
       * REQ q, the confirm line that wins among those the cell lists (made
       * by ipsf_pack_link: the strongest, the first of equals, as CONFIRM
       * keeps it; req_confirm[q] is IPSF_NONE here, as at REQ), and REQEND
       * q's error when none, at q's location as REQEND's line gives it */
      vmcase(QTABLE) {
        const IpsfTable *t = &tables[A];
        uint32_t cell = table_cell(t, slots);
        const IpsfTableCell *tc = &t->cells[cell * t->span];
        uint8_t *vp_used = ev->vp_used;
        uint64_t applies = t->applies[cell];
        if (!t->unconfirmed[cell]) {
          /* every requirement of the span, a fixed count of steps (no
           * branch on which apply): one that does not apply writes what
           * the reset left, 0 and IPSF_NONE (the verifier allows confirm
           * bits only where a requirement applies, so its winner is
           * IPSF_NONE) */
          for (uint32_t k = 0, q = t->owner; k < t->span; k++, q++) {
            uint8_t a = (uint8_t)((applies >> k) & 1u);
            req_applies[q] = a;
            vp_used[t->vps[k]] |= a;
            req_confirm[q] = tc[k].winner;
          }
          vmbreak;
        }
        /* only the requirements that apply (pack.h IpsfTable.applies) */
        for (uint64_t b = applies; b; b &= b - 1) {
          uint32_t k = ipsf_lowest_bit(b), q = t->owner + k;
          req_applies[q] = 1;
          vp_used[t->vps[k]] = 1;
          if (tc[k].winner == IPSF_NONE) return unconfirmed(p, q, err);
          req_confirm[q] = tc[k].winner;
        }
        vmbreak;
      }
    }
  }
}
