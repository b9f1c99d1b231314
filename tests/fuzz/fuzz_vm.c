/*
 * fuzz_vm.c -- libFuzzer target: fuzz bytes -> a pack the verifier accepts
 * -> evaluation and every record format.  Where fuzz_ipsb mutates bytes
 * and mostly exercises the loader and the verifier's refusals, this target
 * spends its time past the verifier: in the VM, eval.c and the reporters.
 *
 * The input is a stream of choices (each byte picks among the options at
 * that point; once the input is used up, a PRNG seeded by the whole input
 * goes on, so every input gives one program, deterministically).  The program respects the evaluation protocol the
 * verifier proves (runtime/verify.c):
 *
 *   tables  1..4 fact enums, 1..8 facts of every kind (defaults, some
 *           required), 1..4 scales (own enum, any policy, axes 1/2 or
 *           none, otherwise or not), 0..6 rules each, 1..2 viewpoints,
 *           0..4 requirements with 0..3 confirms, the built-ins of the
 *           native path (length, floor, ceil, round) as CALLN.
 *   code    a sequence of blocks:
 *             let      an expression of any type -> STORE a LET slot (or a
 *                      condition -> POP);
 *             hit      [cond JUMPF] HITx r, r a rule of a scale not yet
 *                      settled;
 *             table    RTABLE t of an open scale, QTABLE t of requirements
 *                      not entered, LTABLE t of a new bool let: a decision table over
 *                      readable bool, int and enum slots (one in ten
 *                      corrupted: the verifier must refuse the pack);
 *             settle   SCALE s of an open scale (its slot becomes readable);
 *             require  [cond JUMPF over] REQ q, ([cond JUMPF] CONFIRM c of
 *                      q)*, REQEND q, each requirement at most once;
 *             dead     JUMP over operand-valid instructions nothing reaches;
 *           then every open scale settled, an optional early `cond JUMPF;
 *           RET`, the requirements left, RET; then, three times in four,
 *           ipsf_fuse_code turns the plain sequences the fused
 *           instructions stand for into them, as the compiler does (dead
 *           code also holds fused instructions with random fields).
 *           Expressions read facts, constants, lets stored before, settled
 *           scale slots and TEMP slots stored earlier in the same
 *           expression (let-in); they use every typed opcode, ANDJ/ORJ and
 *           if-expressions (JUMPF/JUMP joins).
 *
 * The pack is serialised (ipsb_write) and loaded through ipsf_pack_load,
 * verifier included.  Oracles: the sanitizers; and on every successful
 * evaluation, what the verifier promises: each scale settled, its level in
 * range and equal to its slot (the record cannot contradict the code).
 * The rest of the input gives fact values and evidence for three
 * evaluations, each reported in every format (text, json, jsonl cached and
 * not, csv, sarif, junit; with and without --explain).
 *
 * IPSF_FUZZ_VM_STATS=1 prints, at exit, how many generated packs the
 * verifier accepted and the first refusals; IPSF_FUZZ_VM_DUMP=DIR writes
 * each accepted pack there (seeds for fuzz_ipsb).
 */
#include <math.h>
#include <unistd.h>

#include "builtins.h"
#include "date.h"
#include "disasm.h"
#include "fuzz_common.h"
#include "pack_builder.h"
#include "report.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* ---- the choice stream -------------------------------------------------- */

typedef struct {
  const uint8_t *d;
  size_t n, i;
  uint64_t rng; /* once the input is used up: xorshift64, seeded by it */
} Src;

static Src src(const uint8_t *d, size_t n) {
  Src s = {d, n, 0, UINT64_C(0x9E3779B97F4A7C15) ^ n};
  for (size_t i = 0; i < n; i++) s.rng = (s.rng ^ d[i]) * UINT64_C(0x100000001B3);
  if (!s.rng) s.rng = 1;
  return s;
}

static unsigned byte(Src *s) {
  if (s->i < s->n) return s->d[s->i++];
  s->rng ^= s->rng << 13;
  s->rng ^= s->rng >> 7;
  s->rng ^= s->rng << 17;
  return (unsigned)(s->rng >> 56);
}

static unsigned take(Src *s, unsigned bound) {
  if (bound <= 1) return 0;
  unsigned v = byte(s);
  if (bound > 256) v = v << 8 | byte(s);
  return v % bound;
}

static bool chance(Src *s, unsigned percent) { return take(s, 100) < percent; }

static uint64_t take64(Src *s) {
  uint64_t v = 0;
  for (int k = 0; k < 8; k++) v = v << 8 | byte(s);
  return v;
}

/* ---- the generator ------------------------------------------------------ */

#define MAX_CODE 3000u   /* beyond this, expressions are leaves */
#define MAX_DEPTH 4u     /* expression nesting */
#define MAX_TEMPS 32u

typedef struct {
  IpsfPack *p;
  Src *s;
  uint32_t depth, max_depth; /* stack */
  uint32_t last_line_pc;     /* line table: strictly increasing pcs */
  uint32_t line;
  bool *settled;             /* per scale */
  bool *entered;             /* per requirement */
  uint32_t *lets;            /* LET slots stored so far */
  uint32_t let_count;
  uint32_t temps[MAX_TEMPS]; /* TEMP slots in scope */
  uint32_t temp_count;
  uint32_t native[IPSF_BI__COUNT]; /* native table index of a built-in, or NONE */
} G;

static void emit(G *g, IpsfOpcode op, uint32_t a) {
  pb_emit(g->p, op, a);
  const IpsfOpInfo *in = &ipsf_op_info[op];
  if (op == IPSF_OP_CALLN) {
    g->depth = g->depth - g->p->natives[a].param_count + 1;
  } else if (op == IPSF_OP_ANDJ || op == IPSF_OP_ORJ) {
    g->depth -= 1; /* fall-through pops; the jump edge keeps it (as the value) */
  } else {
    g->depth = g->depth - (uint32_t)strlen(in->pops) + (uint32_t)strlen(in->pushes);
  }
  if (g->depth > g->max_depth) g->max_depth = g->depth;
}

static uint32_t emit_jump(G *g, IpsfOpcode op) {
  uint32_t pc = g->p->code_count;
  emit(g, op, 0);
  return pc;
}

static void line(G *g) {
  if (g->p->line_count && g->last_line_pc == g->p->code_count) return;
  g->last_line_pc = g->p->code_count;
  pb_line(g->p, ++g->line, 1 + take(g->s, 80));
}

static bool same(IpsfType a, IpsfType b) { return a.kind == b.kind && a.enum_type == b.enum_type; }

static uint32_t builtin_native(G *g, IpsfBuiltinId b) {
  if (g->native[b] != IPSF_NONE) return g->native[b];
  IpsfPack *p = g->p;
  IpsfNative *n = realloc(p->natives, (p->native_count + 1) * sizeof *n);
  if (!n) abort();
  p->natives = n;
  const IpsfBuiltin *bi = &ipsf_builtins[b];
  IpsfNative *e = &n[p->native_count];
  memset(e, 0, sizeof *e);
  e->name = pb_str(p, bi->name);
  e->library = IPSF_NONE;
  e->symbol = e->name;
  e->param_count = (uint32_t)strlen(bi->params);
  for (uint32_t k = 0; k < e->param_count; k++)
    e->params[k] = bi->params[k] == 's' ? IPSF_K_STRING : IPSF_K_NUMBER;
  e->result = bi->result == 'i' ? IPSF_K_INT : bi->result == 'n' ? IPSF_K_NUMBER : IPSF_K_STRING;
  return g->native[b] = p->native_count++;
}

/* the last one, over a scratch block long, is filled by LLVMFuzzerInitialize */
static char long_string[700];
static const char *const strings[] = {"", "a", "Abc", "ABC", "abc", "wifi", "x\xc3\xa9",
                                      "Z", "bc", "\xe2\x82\xac", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                                      long_string};
#define N_STRINGS (sizeof strings / sizeof strings[0])

/* Dated evidence and the as-of day: calendar dates at the edges (leap
 * days, the first and last representable year, month ends that a period
 * of months lands on) and texts that are not dates. */
static const char *const dates[] = {
    NULL,         "2025-03-01", "2024-02-29", "2025-01-31", "2026-12-05", "0001-01-01",
    "9999-12-31", "2000-02-29", "1900-02-29", "2023-02-29", "2025-13-01", "2025-00-10",
    "2025-1-01",  "",           "2025-03-01x", "99999-01-01", "2025-03-01\n", "-001-01-01"};
#define N_DATES (sizeof dates / sizeof dates[0])

/* What a requirement's optional items may hold once loaded: the verifier
 * checks only that they are strings, so the reporters must escape them. */
static const char *const meta_texts[] = {
    "law", "regulation", "contract", "voluntary", "third_party", "product", "organisation",
    "Act No. 97 of 1955, Art. 5", "a \"quoted\" <b>&amp;</b> 'x'", "line\nbreak\r\n",
    "tab\there", "\x1b[31mred\x1b[0m", "\x7f\x01\x02", "\\back\\slash", "x\xc3\xa9\xe2\x82\xac",
    "]]></failure><x>", ",comma,\"csv\"", "=cmd|' /C calc'!A0", ""};
#define N_META (sizeof meta_texts / sizeof meta_texts[0])

/* A confirm line's period: none, the usual ones, and hostile counts (the
 * .ipsb field is any u32; ipsf_date_add_months clamps). */
static uint32_t some_months(Src *s) {
  static const uint32_t months[] = {0, 0, 0, 12, 1, 6, 24, 119999, 120001, UINT32_MAX};
  return months[take(s, sizeof months / sizeof months[0])];
}

/* Mostly small values (evaluations that succeed reach the reporters);
 * one in eight an extreme one (overflow, division by zero, rounding). */
static int64_t some_int(Src *s) {
  static const int64_t small[] = {0, 1, -1, 2, 3, 7, 100, -100, 1000000, 42};
  static const int64_t extreme[] = {INT64_MAX, INT64_MIN, INT64_MAX / 2, 10000000000, -1};
  unsigned k = take(s, 64);
  if (k < 56) return small[k % 10];
  if (k < 62) return extreme[k % 5];
  return (int64_t)take64(s);
}

static double some_number(Src *s) {
  static const double small[] = {0.0, 0.5, -1.5, 1.0, 2.5, 3.0, 9.8, -0.0, 7.25, 100.0};
  static const double extreme[] = {1e308, -1e308, 1e-308, 4.9e-324, 9007199254740993.0};
  unsigned k = take(s, 64);
  if (k < 56) return small[k % 10];
  if (k < 62) return extreme[k % 5];
  uint64_t bits = take64(s);
  double d;
  memcpy(&d, &bits, sizeof d);
  return isfinite(d) ? d : 1.25;
}

static uint64_t enum_mask(const IpsfPack *p, uint32_t e) {
  uint32_t n = p->enums[e].value_count;
  return n >= 64 ? ~UINT64_C(0) : (UINT64_C(1) << n) - 1;
}

static uint32_t new_const(G *g, IpsfType t) {
  IpsfPack *p = g->p;
  switch (t.kind) {
  case IPSF_K_BOOL: return pb_kbool(p, take(g->s, 2));
  case IPSF_K_INT: return pb_kint(p, some_int(g->s));
  case IPSF_K_NUMBER: return pb_knum(p, some_number(g->s));
  case IPSF_K_STRING: return pb_kstr(p, strings[take(g->s, N_STRINGS)]);
  case IPSF_K_ENUM: return pb_kenum(p, t.enum_type, take(g->s, p->enums[t.enum_type].value_count));
  default: return pb_kset(p, t.enum_type, take64(g->s) & enum_mask(p, t.enum_type));
  }
}

/* Push a value of type t without an operator: a slot that is readable here
 * or a constant. */
static void leaf(G *g, IpsfType t) {
  IpsfPack *p = g->p;
  uint32_t cand[64], n = 0;
  for (uint32_t f = 0; f < p->fact_count && n < 64; f++)
    if (same(p->facts[f].type, t)) cand[n++] = p->facts[f].slot;
  for (uint32_t k = 0; k < g->let_count && n < 64; k++)
    if (same(p->slots[g->lets[k]].type, t)) cand[n++] = g->lets[k];
  for (uint32_t k = 0; k < g->temp_count && n < 64; k++)
    if (same(p->slots[g->temps[k]].type, t)) cand[n++] = g->temps[k];
  for (uint32_t sc = 0; sc < p->scale_count && n < 64; sc++)
    if (g->settled[sc] && same(p->slots[p->scales[sc].slot].type, t)) cand[n++] = p->scales[sc].slot;
  unsigned k = take(g->s, n + 1);
  if (k < n) emit(g, IPSF_OP_LOAD, cand[k]);
  else {
    /* reuse a constant of the type sometimes, as the compiler does */
    uint32_t c = IPSF_NONE;
    if (chance(g->s, 30))
      for (uint32_t i = 0; i < p->const_count; i++)
        if (same(p->consts[i].type, t)) c = i;
    emit(g, IPSF_OP_LOADK, c != IPSF_NONE ? c : new_const(g, t));
  }
}

static IpsfType tk(IpsfKind k) { return pb_t(k); }

static uint32_t any_enum(G *g) { return take(g->s, g->p->enum_count); }

static void expr(G *g, IpsfType t, uint32_t d);

static void binop(G *g, IpsfType a, IpsfType b, IpsfOpcode op, uint32_t d) {
  expr(g, a, d + 1);
  expr(g, b, d + 1);
  emit(g, op, 0);
}

/* cond ? x : y, both of type t */
static void if_expr(G *g, IpsfType t, uint32_t d) {
  expr(g, tk(IPSF_K_BOOL), d + 1);
  uint32_t j1 = emit_jump(g, IPSF_OP_JUMPF);
  uint32_t saved = g->temp_count;
  expr(g, t, d + 1);
  g->temp_count = saved;
  uint32_t j2 = emit_jump(g, IPSF_OP_JUMP);
  g->depth--; /* the else branch starts from the JUMPF's state */
  pb_patch(g->p, j1);
  expr(g, t, d + 1);
  g->temp_count = saved;
  pb_patch(g->p, j2);
}

/* let-in: a TEMP slot stored, then read in the expression that follows */
static void temp_expr(G *g, IpsfType t, uint32_t d) {
  static const uint8_t kinds[] = {IPSF_K_BOOL, IPSF_K_INT, IPSF_K_NUMBER, IPSF_K_STRING};
  IpsfType tt = take(g->s, 2) ? t : tk((IpsfKind)kinds[take(g->s, 4)]);
  expr(g, tt, d + 1);
  uint32_t slot = pb_slot(g->p, tt, IPSF_SLOT_TEMP, NULL);
  emit(g, IPSF_OP_STORE, slot);
  uint32_t saved = g->temp_count;
  if (g->temp_count < MAX_TEMPS) g->temps[g->temp_count++] = slot;
  expr(g, t, d + 1);
  g->temp_count = saved;
}

static void bool_expr(G *g, uint32_t d) {
  uint32_t e;
  switch (take(g->s, 14)) {
  case 0: expr(g, tk(IPSF_K_BOOL), d + 1); emit(g, IPSF_OP_NOT, 0); return;
  case 1: binop(g, tk(IPSF_K_BOOL), tk(IPSF_K_BOOL), IPSF_OP_EQB + take(g->s, 2), d); return;
  case 2: binop(g, tk(IPSF_K_INT), tk(IPSF_K_INT), IPSF_OP_EQI + take(g->s, 4), d); return;
  case 3: binop(g, tk(IPSF_K_NUMBER), tk(IPSF_K_NUMBER), IPSF_OP_EQN + take(g->s, 4), d); return;
  case 4:
    e = any_enum(g);
    binop(g, pb_te(IPSF_K_ENUM, e), pb_te(IPSF_K_ENUM, e), IPSF_OP_EQE + take(g->s, 4), d);
    return;
  case 5:
    e = any_enum(g);
    binop(g, pb_te(IPSF_K_ENUM, e), pb_te(IPSF_K_SET, e), IPSF_OP_INM, d);
    return;
  case 6:
    e = any_enum(g);
    binop(g, pb_te(IPSF_K_SET, e), pb_te(IPSF_K_SET, e), IPSF_OP_EQM + take(g->s, 2), d);
    return;
  case 7: binop(g, tk(IPSF_K_STRING), tk(IPSF_K_STRING), IPSF_OP_EQS + take(g->s, 5), d); return;
  case 8:
  case 9: {
    expr(g, tk(IPSF_K_BOOL), d + 1);
    uint32_t j = emit_jump(g, take(g->s, 2) ? IPSF_OP_ANDJ : IPSF_OP_ORJ);
    uint32_t saved = g->temp_count;
    expr(g, tk(IPSF_K_BOOL), d + 1);
    g->temp_count = saved;
    pb_patch(g->p, j);
    return;
  }
  case 10: if_expr(g, tk(IPSF_K_BOOL), d); return;
  case 11: temp_expr(g, tk(IPSF_K_BOOL), d); return;
  default: leaf(g, tk(IPSF_K_BOOL)); return;
  }
}

static void int_expr(G *g, uint32_t d) {
  static const IpsfOpcode bin[] = {IPSF_OP_ADDI, IPSF_OP_SUBI, IPSF_OP_MULI, IPSF_OP_DIVI,
                                   IPSF_OP_MODI, IPSF_OP_MINI, IPSF_OP_MAXI};
  switch (take(g->s, 9)) {
  case 0:
  case 1: binop(g, tk(IPSF_K_INT), tk(IPSF_K_INT), bin[take(g->s, 7)], d); return;
  case 2:
    expr(g, tk(IPSF_K_INT), d + 1);
    emit(g, take(g->s, 2) ? IPSF_OP_NEGI : IPSF_OP_ABSI, 0);
    return;
  case 3: expr(g, pb_te(IPSF_K_SET, any_enum(g)), d + 1); emit(g, IPSF_OP_COUNTM, 0); return;
  case 4: expr(g, tk(IPSF_K_STRING), d + 1); emit(g, IPSF_OP_CALLN, builtin_native(g, IPSF_BI_LENGTH)); return;
  case 5: if_expr(g, tk(IPSF_K_INT), d); return;
  case 6: temp_expr(g, tk(IPSF_K_INT), d); return;
  default: leaf(g, tk(IPSF_K_INT)); return;
  }
}

static void number_expr(G *g, uint32_t d) {
  static const IpsfOpcode bin[] = {IPSF_OP_ADDN, IPSF_OP_SUBN, IPSF_OP_MULN, IPSF_OP_DIVN,
                                   IPSF_OP_MODN, IPSF_OP_MINN, IPSF_OP_MAXN};
  static const IpsfBuiltinId nat[] = {IPSF_BI_FLOOR, IPSF_BI_CEIL, IPSF_BI_ROUND};
  switch (take(g->s, 9)) {
  case 0:
  case 1: binop(g, tk(IPSF_K_NUMBER), tk(IPSF_K_NUMBER), bin[take(g->s, 7)], d); return;
  case 2:
    expr(g, tk(IPSF_K_NUMBER), d + 1);
    emit(g, take(g->s, 2) ? IPSF_OP_NEGN : IPSF_OP_ABSN, 0);
    return;
  case 3: expr(g, tk(IPSF_K_INT), d + 1); emit(g, IPSF_OP_I2N, 0); return;
  case 4:
    expr(g, tk(IPSF_K_NUMBER), d + 1);
    emit(g, IPSF_OP_CALLN, builtin_native(g, nat[take(g->s, 3)]));
    return;
  case 5: if_expr(g, tk(IPSF_K_NUMBER), d); return;
  case 6: temp_expr(g, tk(IPSF_K_NUMBER), d); return;
  default: leaf(g, tk(IPSF_K_NUMBER)); return;
  }
}

static void expr(G *g, IpsfType t, uint32_t d) {
  if (d >= MAX_DEPTH || g->p->code_count >= MAX_CODE || g->depth + 4 >= IPSF_MAX_STACK) {
    leaf(g, t);
    return;
  }
  switch (t.kind) {
  case IPSF_K_BOOL: bool_expr(g, d); return;
  case IPSF_K_INT: int_expr(g, d); return;
  case IPSF_K_NUMBER: number_expr(g, d); return;
  case IPSF_K_STRING:
    switch (take(g->s, 6)) {
    case 0: expr(g, t, d + 1); emit(g, IPSF_OP_LOWER, 0); return;
    case 1: if_expr(g, t, d); return;
    case 2: temp_expr(g, t, d); return;
    default: leaf(g, t); return;
    }
  case IPSF_K_ENUM:
    switch (take(g->s, 6)) {
    case 0: binop(g, t, t, take(g->s, 2) ? IPSF_OP_MINE : IPSF_OP_MAXE, d); return;
    case 1: if_expr(g, t, d); return;
    case 2: temp_expr(g, t, d); return;
    default: leaf(g, t); return;
    }
  default:
    switch (take(g->s, 5)) {
    case 0: if_expr(g, t, d); return;
    case 1: temp_expr(g, t, d); return;
    default: leaf(g, t); return;
    }
  }
}

/* A type any expression may have. */
static IpsfType any_type(G *g) {
  static const uint8_t kinds[] = {IPSF_K_BOOL, IPSF_K_INT, IPSF_K_NUMBER, IPSF_K_STRING,
                                  IPSF_K_ENUM, IPSF_K_SET};
  uint8_t k = kinds[take(g->s, 6)];
  return k == IPSF_K_ENUM || k == IPSF_K_SET ? pb_te((IpsfKind)k, any_enum(g)) : tk((IpsfKind)k);
}

/* A condition followed by JUMPF: returns the jump to patch past the guarded part. */
static uint32_t guard(G *g) {
  line(g);
  expr(g, tk(IPSF_K_BOOL), 0);
  return emit_jump(g, IPSF_OP_JUMPF);
}

static void block_let(G *g) {
  line(g);
  if (chance(g->s, 10)) { /* a condition whose value is unused */
    expr(g, tk(IPSF_K_BOOL), 0);
    emit(g, IPSF_OP_POP, 0);
    g->temp_count = 0;
    return;
  }
  IpsfType t = any_type(g);
  char name[32];
  snprintf(name, sizeof name, "let%u", g->p->slot_count);
  expr(g, t, 0);
  g->temp_count = 0;
  uint32_t slot = pb_slot(g->p, t, IPSF_SLOT_LET, name);
  emit(g, IPSF_OP_STORE, slot);
  uint32_t *l = realloc(g->lets, (g->let_count + 1) * sizeof *l);
  if (!l) abort();
  g->lets = l;
  g->lets[g->let_count++] = slot;
}

static const IpsfOpcode hit_op[] = {IPSF_OP_HITW, IPSF_OP_HITF, IPSF_OP_HITU};

static bool block_hit(G *g) {
  const IpsfPack *p = g->p;
  uint32_t open[8], n = 0;
  for (uint32_t s = 0; s < p->scale_count && n < 8; s++)
    if (!g->settled[s] && p->scales[s].rule_count) open[n++] = s;
  if (!n) return false;
  const IpsfScale *sc = &p->scales[open[take(g->s, n)]];
  uint32_t r = sc->first_rule + take(g->s, sc->rule_count);
  uint32_t j = chance(g->s, 85) ? guard(g) : IPSF_NONE;
  if (j == IPSF_NONE) line(g);
  emit(g, hit_op[sc->policy], r);
  if (j != IPSF_NONE) pb_patch(g->p, j);
  g->temp_count = 0;
  return true;
}

static bool block_settle(G *g, bool any) {
  uint32_t open[8], n = 0;
  for (uint32_t s = 0; s < g->p->scale_count && n < 8; s++)
    if (!g->settled[s]) open[n++] = s;
  if (!n) return false;
  uint32_t s = any ? open[take(g->s, n)] : open[0];
  line(g);
  emit(g, IPSF_OP_SCALE, s);
  g->settled[s] = true;
  return true;
}

static bool block_require(G *g, bool any) {
  const IpsfPack *p = g->p;
  uint32_t left[8], n = 0;
  for (uint32_t q = 0; q < p->requirement_count && n < 8; q++)
    if (!g->entered[q]) left[n++] = q;
  if (!n) return false;
  uint32_t q = any ? left[take(g->s, n)] : left[0];
  g->entered[q] = true;
  uint32_t applies = chance(g->s, 60) ? guard(g) : IPSF_NONE;
  g->temp_count = 0;
  line(g);
  emit(g, IPSF_OP_REQ, q);
  const IpsfRequirement *r = &p->requirements[q];
  unsigned lines = r->confirm_count ? 1 + take(g->s, 4) : 0;
  for (unsigned k = 0; k < lines; k++) {
    uint32_t c = r->first_confirm + take(g->s, r->confirm_count);
    uint32_t j = chance(g->s, 40) ? guard(g) : IPSF_NONE;
    if (j == IPSF_NONE) line(g);
    emit(g, IPSF_OP_CONFIRM, c);
    if (j != IPSF_NONE) pb_patch(g->p, j);
    g->temp_count = 0;
  }
  line(g);
  emit(g, IPSF_OP_REQEND, q);
  if (applies != IPSF_NONE) pb_patch(g->p, applies);
  return true;
}

/* The dims and empty cells of a decision table (pack.h IpsfTable): 1..3
 * dims over readable bool, int and enum slots (facts, lets stored,
 * settled scales), random classes.  false: no slot to read. */
static bool table_dims(G *g, IpsfTable *t) {
  IpsfPack *p = g->p;
  uint32_t cand[64], nc = 0;
  for (uint32_t sl = 0; sl < p->slot_count && nc < 64; sl++) {
    const IpsfSlot *x = &p->slots[sl];
    if (x->type.kind != IPSF_K_BOOL && x->type.kind != IPSF_K_INT && x->type.kind != IPSF_K_ENUM)
      continue;
    bool ok = x->role == IPSF_SLOT_FACT;
    for (uint32_t k = 0; k < g->let_count; k++) ok = ok || g->lets[k] == sl;
    for (uint32_t k = 0; k < p->scale_count; k++)
      ok = ok || (g->settled[k] && p->scales[k].slot == sl);
    if (ok) cand[nc++] = sl;
  }
  if (!nc) return false;
  t->dim_count = 1 + take(g->s, 3);
  t->dims = calloc(t->dim_count, sizeof *t->dims);
  if (!t->dims) abort();
  uint32_t cells = 1;
  for (uint32_t d = 0; d < t->dim_count; d++) {
    IpsfTableDim *dm = &t->dims[d];
    dm->slot = cand[take(g->s, nc)];
    const IpsfSlot *x = &p->slots[dm->slot];
    dm->stride = cells;
    if (x->type.kind == IPSF_K_BOOL) {
      dm->kind = IPSF_DIM_BOOL;
      dm->class_count = 2;
    } else if (x->type.kind == IPSF_K_ENUM) {
      dm->kind = IPSF_DIM_ENUM;
      dm->map_count = p->enums[x->type.enum_type].value_count;
      dm->class_count = 1 + take(g->s, dm->map_count);
      dm->map = malloc(dm->map_count);
      if (!dm->map) abort();
      for (uint32_t v = 0; v < dm->map_count; v++) dm->map[v] = (uint8_t)take(g->s, dm->class_count);
    } else {
      dm->kind = IPSF_DIM_INT;
      dm->threshold_count = take(g->s, 5);
      dm->class_count = dm->threshold_count + 1;
      dm->thresholds = malloc((dm->threshold_count + 1) * sizeof *dm->thresholds);
      if (!dm->thresholds) abort();
      int64_t at = (int64_t)take(g->s, 7) - 3;
      for (uint32_t k = 0; k < dm->threshold_count; k++) {
        dm->thresholds[k] = at;
        at += 1 + (int64_t)take(g->s, 1000);
      }
    }
    cells *= dm->class_count;
  }
  t->cell_count = cells;
  t->mask_count = cells * t->span;
  t->masks = calloc(t->mask_count, sizeof *t->masks);
  if (!t->masks) abort();
  return true;
}

/* Append table t and emit its instruction. */
static void add_table(G *g, IpsfTable t, IpsfOpcode op) {
  IpsfPack *p = g->p;
  IpsfTable *a = realloc(p->tables, (p->table_count + 1) * sizeof *a);
  if (!a) abort();
  p->tables = a;
  p->tables[p->table_count] = t;
  line(g);
  emit(g, op, p->table_count++);
  g->temp_count = 0;
}

/* A dim corrupted so that the verifier must refuse the table. */
static void corrupt_dim(G *g, IpsfTable *t) {
  IpsfTableDim *dm = &t->dims[take(g->s, t->dim_count)];
  switch (take(g->s, 3)) {
  case 0: dm->slot = g->p->slot_count + take(g->s, 3); break;
  case 1: dm->kind = (uint8_t)(4 + take(g->s, 200)); break;
  default: dm->class_count++; break;
  }
}

/* RTABLE: a decision table for an open scale (which it settles), random masks.  One table in
 * ten is corrupted in a way the verifier must refuse (*corrupt set). */
static bool block_table(G *g, bool *corrupt) {
  IpsfPack *p = g->p;
  uint32_t open[8], n = 0;
  for (uint32_t s = 0; s < p->scale_count && n < 8; s++)
    if (!g->settled[s] && p->scales[s].rule_count && p->scales[s].rule_count <= 64) open[n++] = s;
  if (!n) return false;
  uint32_t scale = open[take(g->s, n)];
  IpsfTable t = {.kind = IPSF_TABLE_RULES, .owner = scale, .span = 1};
  if (!table_dims(g, &t)) return false;
  uint32_t rules = p->scales[scale].rule_count, cells = t.cell_count;
  uint64_t all = rules == 64 ? ~UINT64_C(0) : (UINT64_C(1) << rules) - 1;
  for (uint32_t c = 0; c < cells; c++) t.masks[c] = take(g->s, 3) ? take64(g->s) & all : 0;
  if (chance(g->s, 10)) {
    *corrupt = true;
    switch (take(g->s, 4)) {
    case 0: corrupt_dim(g, &t); break;
    case 1: t.owner = p->scale_count; break;
    case 2: t.kind = IPSF_TABLE_REQ; t.owner = p->requirement_count; break;
    default:
      if (rules < 64) t.masks[take(g->s, cells)] |= UINT64_C(1) << (rules + take(g->s, 64 - rules));
      else t.owner = p->scale_count;
      break;
    }
  }
  add_table(g, t, IPSF_OP_RTABLE);
  g->settled[scale] = true; /* RTABLE settles its scale */
  return true;
}

/* QTABLE: 1..4 consecutive requirements not entered yet by a decision
 * table: in each cell each applies or not, with random confirm lines.
 * One in ten corrupted. */
static bool block_qtable(G *g, bool *corrupt) {
  IpsfPack *p = g->p;
  uint32_t left[8], n = 0;
  for (uint32_t q = 0; q < p->requirement_count && n < 8; q++)
    if (!g->entered[q] && p->requirements[q].confirm_count <= 63) left[n++] = q;
  if (!n) return false;
  uint32_t q = left[take(g->s, n)], want = 1 + take(g->s, 4), span = 0;
  while (span < want && q + span < p->requirement_count && !g->entered[q + span] &&
         p->requirements[q + span].confirm_count <= 63)
    span++;
  IpsfTable t = {.kind = IPSF_TABLE_REQ, .owner = q, .span = span};
  if (!table_dims(g, &t)) return false;
  for (uint32_t k = 0; k < span; k++) g->entered[q + k] = true;
  for (uint32_t c = 0; c < t.mask_count; c++) {
    uint32_t lines = p->requirements[q + c % span].confirm_count;
    uint64_t all = (UINT64_C(1) << lines) - 1;
    t.masks[c] = take(g->s, 3) ? IPSF_TABLE_APPLIES | (take64(g->s) & all) : 0;
  }
  if (chance(g->s, 10)) {
    *corrupt = true;
    uint32_t c = take(g->s, t.mask_count);
    switch (take(g->s, 5)) {
    case 0: corrupt_dim(g, &t); break;
    case 1: t.owner = p->requirement_count; break;
    case 2: /* a line beyond the requirement's lines */
      t.masks[c] = UINT64_C(1) << p->requirements[q + c % span].confirm_count;
      break;
    case 3: t.span = p->requirement_count - q + 1; break;
    default: t.kind = IPSF_TABLE_RULES; t.owner = p->scale_count; break;
    }
  }
  add_table(g, t, IPSF_OP_QTABLE);
  return true;
}

/* LTABLE: a new bool let by a decision table, random 0/1 cells.  One in
 * ten corrupted. */
static bool block_ltable(G *g, bool *corrupt) {
  IpsfPack *p = g->p;
  IpsfTable t = {.kind = IPSF_TABLE_LET, .span = 1};
  if (!table_dims(g, &t)) return false;
  char name[32];
  snprintf(name, sizeof name, "let%u", p->slot_count);
  uint32_t slot = pb_slot(p, tk(IPSF_K_BOOL), IPSF_SLOT_LET, name);
  t.owner = slot;
  for (uint32_t c = 0; c < t.cell_count; c++) t.masks[c] = take(g->s, 2);
  if (chance(g->s, 10)) {
    *corrupt = true;
    switch (take(g->s, 4)) {
    case 0: corrupt_dim(g, &t); break;
    case 1: t.masks[take(g->s, t.cell_count)] = 2 + take(g->s, 100); break;
    case 2: t.owner = p->facts[0].slot; break; /* a fact slot */
    default: t.kind = IPSF_TABLE_RULES; t.owner = p->scale_count; break;
    }
  }
  add_table(g, t, IPSF_OP_LTABLE);
  uint32_t *l = realloc(g->lets, (g->let_count + 1) * sizeof *l);
  if (!l) abort();
  g->lets = l;
  g->lets[g->let_count++] = slot;
  return true;
}

/* JUMP over instructions no path reaches: operand-valid, never run. */
static void block_dead(G *g) {
  IpsfPack *p = g->p;
  uint32_t j = emit_jump(g, IPSF_OP_JUMP);
  uint32_t depth = g->depth;
  unsigned n = 1 + take(g->s, 6);
  for (unsigned k = 0; k < n; k++) {
    unsigned op = take(g->s, IPSF_OP__COUNT);
    uint32_t a = 0, limit = 1;
    switch (ipsf_op_info[op].operand) {
    case IPSF_OPND_NONE: break;
    case IPSF_OPND_JUMP: op = IPSF_OP_POP; break; /* a jump target must stay in range */
    case IPSF_OPND_CONST: limit = p->const_count; break;
    case IPSF_OPND_SLOT: limit = p->slot_count; break;
    case IPSF_OPND_RULE: limit = p->rule_count; break;
    case IPSF_OPND_SCALE: limit = p->scale_count; break;
    case IPSF_OPND_REQ: limit = p->requirement_count; break;
    case IPSF_OPND_CONFIRM: limit = p->confirm_count; break;
    case IPSF_OPND_NATIVE: limit = p->native_count; break;
    case IPSF_OPND_TABLE: limit = p->table_count; break;
    case IPSF_OPND_SK:
    case IPSF_OPND_SKJ:
    case IPSF_OPND_SJ:
    case IPSF_OPND_RC:
    case IPSF_OPND_SKA:
    case IPSF_OPND_SA:
    case IPSF_OPND_SL: { /* fields in range, the jump to the next instruction */
      IpsfFusedFields f = {take(g->s, p->slot_count), take(g->s, p->const_count), 0,
                           take(g->s, p->requirement_count), take(g->s, p->confirm_count),
                           take(g->s, p->rule_count)};
      IpsfOperandKind k = ipsf_op_info[op].operand;
      bool rc = k == IPSF_OPND_RC, act = k == IPSF_OPND_SKA || k == IPSF_OPND_SA;
      /* a hit's rule of a scale with its policy, as the verifier asks */
      unsigned last = ipsf_fused_info[op].ops[ipsf_fused_info[op].n - 1];
      if (act && last != IPSF_OP_CONFIRM && p->rule_count) {
        unsigned want = last == IPSF_OP_HITW ? IPSF_POLICY_WORST
                        : last == IPSF_OP_HITF ? IPSF_POLICY_FIRST
                                               : IPSF_POLICY_UNIQUE;
        if (p->scales[p->rules[f.rule].scale].policy != want) f.rule = p->rule_count;
      }
      bool empty = rc ? !p->requirement_count || !p->confirm_count
                      : !p->slot_count ||
                            (!p->const_count && k != IPSF_OPND_SA && k != IPSF_OPND_SJ &&
                             k != IPSF_OPND_SL) ||
                            (act && (last == IPSF_OP_CONFIRM ? !p->confirm_count
                                                              : f.rule >= p->rule_count));
      if (empty || !ipsf_fused_pack(op, f, &a)) op = IPSF_OP_RET, a = 0;
      pb_emit(p, (IpsfOpcode)op, a);
      continue;
    }
    }
    if (!limit) op = IPSF_OP_RET;
    else if (ipsf_op_info[op].operand != IPSF_OPND_NONE && ipsf_op_info[op].operand != IPSF_OPND_JUMP)
      a = take(g->s, limit);
    if (op == IPSF_OP_HITW || op == IPSF_OP_HITF || op == IPSF_OP_HITU)
      op = hit_op[p->scales[p->rules[a].scale].policy];
    if (op == IPSF_OP_RTABLE || op == IPSF_OP_QTABLE || op == IPSF_OP_LTABLE)
      op = p->tables[a].kind == IPSF_TABLE_REQ   ? IPSF_OP_QTABLE /* the table's own kind */
           : p->tables[a].kind == IPSF_TABLE_LET ? IPSF_OP_LTABLE
                                                 : IPSF_OP_RTABLE;
    pb_emit(p, (IpsfOpcode)op, a); /* not emit(): no stack effect, never runs */
  }
  g->depth = depth;
  pb_patch(p, j);
}

static IpsfPack *generate(Src *s, bool *corrupt) {
  IpsfPack *p = pb_new("fuzz.vm");
  G g = {.p = p, .s = s};
  for (int b = 0; b < IPSF_BI__COUNT; b++) g.native[b] = IPSF_NONE;
  /* enums of the facts */
  unsigned ne = 1 + take(s, 4);
  for (unsigned e = 0; e < ne; e++) {
    char name[16], values[8 * 8] = "";
    snprintf(name, sizeof name, "e%u", e);
    unsigned nv = 1 + take(s, 8);
    for (unsigned v = 0; v < nv; v++)
      snprintf(values + strlen(values), sizeof values - strlen(values), "%sv%u", v ? "," : "", v);
    pb_enum(p, name, values);
  }
  /* scales, each with its own levels, and their rules */
  unsigned ns = 1 + take(s, 4);
  bool axes = chance(s, 85);
  for (unsigned k = 0; k < ns; k++) {
    char name[16];
    snprintf(name, sizeof name, "scale%u", k);
    uint32_t e = pb_enum(p, name, take(s, 4) ? "low,mid,high" : "only");
    uint32_t levels = p->enums[e].value_count;
    int axis = axes && k < 2 ? (int)k + 1 : 0;
    uint32_t otherwise = chance(s, 92) ? take(s, levels) : IPSF_NONE;
    uint32_t sc = pb_scale(p, name, e, (IpsfPolicy)take(s, 3), axis, otherwise);
    unsigned nr = take(s, 7);
    for (unsigned r = 0; r < nr; r++) pb_rule(p, sc, take(s, levels), 10 + r);
  }
  /* facts */
  unsigned nf = 1 + take(s, 8);
  uint32_t fact_enums = ne;
  for (unsigned f = 0; f < nf; f++) {
    char name[16];
    snprintf(name, sizeof name, "f%u", f);
    g.p = p;
    IpsfType t = any_type(&g);
    if ((t.kind == IPSF_K_ENUM || t.kind == IPSF_K_SET) && t.enum_type >= fact_enums)
      t.enum_type %= fact_enums; /* facts are of the fact enums */
    uint32_t def = chance(s, 85) ? new_const(&g, t) : IPSF_NONE;
    pb_fact(p, name, t, def);
  }
  /* viewpoints, requirements, confirms */
  uint32_t vp[2];
  vp[0] = pb_viewpoint(p, "pre_operation", "self_declaration,third_party_certification");
  vp[1] = pb_viewpoint(p, take(s, 2) ? "in_operation" : "vp2",
                       take(s, 2) ? "self_inspection,third_party_inspection,audit" : "only");
  unsigned nq = take(s, 5);
  for (unsigned q = 0; q < nq; q++) {
    char id[16];
    snprintf(id, sizeof id, "R-%02u", q);
    uint32_t v = vp[take(s, 2)];
    uint32_t rq = pb_req(p, id, v, 50 + q);
    if (chance(s, 30)) {
      uint32_t ref = pb_str(p, take(s, 2) ? "ETSI-5.1-1" : "ref \"quoted\"\n");
      p->requirements[rq].refs = malloc(sizeof(uint32_t));
      if (!p->requirements[rq].refs) abort();
      p->requirements[rq].refs[0] = ref;
      p->requirements[rq].ref_count = 1;
    }
    if (chance(s, 40)) { /* party, doc, basis, citation, confirmed_by, subject: any text */
      IpsfRequirement *r = &p->requirements[rq];
      uint32_t *fields[] = {&r->party, &r->basis, &r->citation, &r->confirmed_by, &r->subject,
                            &r->doc};
      for (size_t k = 0; k < sizeof fields / sizeof *fields; k++)
        *fields[k] = take(s, 3) ? IPSF_NONE : pb_str(p, meta_texts[take(s, N_META)]);
    }
    unsigned nc = chance(s, 10) ? 0 : 1 + take(s, 3);
    for (unsigned c = 0; c < nc; c++)
      pb_confirm(p, rq, take(s, p->viewpoints[v].method_count), some_months(s), 60 + c);
  }

  /* compensated_by (the COMPENSATIONS section, docs/language.md): pairs of
   * requirements of different viewpoints, in requirement order, each once,
   * unbounded, until a day, or for some months */
  static const char *const days[] = {"2000-01-01", "2026-06-01", "2027-03-31", "9999-12-31"};
  for (uint32_t q = 0; q < p->requirement_count && chance(s, 40); q++)
    for (uint32_t r = 0; r < p->requirement_count; r++) {
      if (p->requirements[r].viewpoint == p->requirements[q].viewpoint || !take(s, 2)) continue;
      IpsfCompensation *c = realloc(p->compensations, (p->compensation_count + 1) * sizeof *c);
      if (!c) abort();
      p->compensations = c;
      unsigned bound = take(s, 3);
      c[p->compensation_count++] = (IpsfCompensation){
          q, r, bound == 1 ? pb_str(p, days[take(s, 4)]) : IPSF_NONE,
          bound == 2 ? 1 + take(s, 24) : 0};
    }

  g.settled = calloc(p->scale_count, sizeof *g.settled);
  g.entered = calloc(p->requirement_count + 1, sizeof *g.entered);
  if (!g.settled || !g.entered) abort();

  /* the blocks */
  unsigned blocks = take(s, 24);
  for (unsigned b = 0; b < blocks && p->code_count < MAX_CODE; b++) {
    switch (take(s, 10)) {
    case 0:
    case 1: block_let(&g); break;
    case 2:
      if (!chance(s, 40) || !block_ltable(&g, corrupt)) block_let(&g);
      break;
    case 3:
    case 4:
      if (!block_hit(&g)) block_let(&g);
      break;
    case 5:
      if (!(chance(s, 50) ? block_table(&g, corrupt) : block_hit(&g))) block_let(&g);
      break;
    case 6:
    case 7: block_settle(&g, true); break;
    case 8:
      if (!chance(s, 40) || !block_qtable(&g, corrupt)) block_require(&g, true);
      break;
    default:
      if (chance(s, 30)) block_dead(&g);
      else block_let(&g);
      break;
    }
  }
  while (block_settle(&g, false)) {}
  if (chance(s, 25)) { /* an early return on some paths */
    uint32_t j = guard(&g);
    emit(&g, IPSF_OP_RET, 0);
    pb_patch(p, j);
  }
  while (block_require(&g, false)) {}
  line(&g);
  emit(&g, IPSF_OP_RET, 0);
  p->max_stack = g.max_depth ? g.max_depth : 1;
  /* Most packs as the compiler emits them: plain sequences fused into the
   * fused instructions (opcodes.h IPSF_FUSED) the same way. */
  if (chance(s, 75)) ipsf_fuse_code(p);
  free(g.settled);
  free(g.entered);
  free(g.lets);
  return p;
}

/* ---- evaluation and reports --------------------------------------------- */

static void set_facts(const IpsfPack *p, IpsfEval *ev, Src *s) {
  IpsfError err;
  for (uint32_t f = 0; f < p->fact_count; f++) {
    const IpsfFact *fact = &p->facts[f];
    if (fact->default_const != IPSF_NONE && take(s, 4) == 0) continue; /* its default */
    switch (fact->type.kind) {
    case IPSF_K_BOOL: ipsf_eval_set_bool(ev, f, take(s, 2), &err); break;
    case IPSF_K_INT: ipsf_eval_set_int(ev, f, some_int(s), &err); break;
    case IPSF_K_NUMBER: ipsf_eval_set_number(ev, f, some_number(s), &err); break;
    case IPSF_K_STRING: ipsf_eval_set_string(ev, f, strings[take(s, N_STRINGS)], &err); break;
    case IPSF_K_ENUM: {
      const IpsfEnum *e = &p->enums[fact->type.enum_type];
      ipsf_eval_set_enum(ev, f, p->strings[e->values[take(s, e->value_count)]], &err);
      break;
    }
    default: {
      const IpsfEnum *e = &p->enums[fact->type.enum_type];
      ipsf_eval_set_clear(ev, f, &err);
      unsigned members = take(s, e->value_count + 1);
      for (unsigned m = 0; m < members; m++)
        ipsf_eval_set_add(ev, f, p->strings[e->values[take(s, e->value_count)]], &err);
      break;
    }
    }
  }
  if (take(s, 2)) {
    ipsf_eval_evidence_present(ev);
    for (uint32_t q = 0; q < p->requirement_count; q++) {
      if (!take(s, 2)) continue;
      const IpsfViewpoint *vp = &p->viewpoints[p->requirements[q].viewpoint];
      const char *id = p->strings[p->requirements[q].id];
      const char *method = p->strings[vp->methods[take(s, vp->method_count)]];
      if (take(s, 2)) {
        ipsf_eval_set_evidence(ev, id, method, &err);
      } else {
        IpsfEvidence e = {method, dates[take(s, N_DATES)], dates[take(s, N_DATES)]};
        ipsf_eval_set_evidence_entry(ev, id, &e, &err);
      }
    }
  }
  if (take(s, 2)) {
    const char *d = dates[take(s, N_DATES)];
    if (d) ipsf_eval_set_as_of(ev, d, &err);
  }
}

/* What the verifier promises of a successful run (verify.c): every scale
 * settled exactly once, before RET, to a level in range, and the result
 * the record shows is the level in the slot the code read. */
static void check_promises(const IpsfPack *p, const IpsfEval *ev) {
  for (uint32_t s = 0; s < p->scale_count; s++) {
    const IpsfScale *sc = &p->scales[s];
    uint32_t level = ipsf_eval_level(ev, s);
    if (level == IPSF_NONE || level >= p->enums[sc->enum_type].value_count ||
        ev->slots[sc->slot].i != (int64_t)level) {
      fprintf(stderr, "fuzz_vm: scale %u: level %u, slot %lld after a successful run\n", s, level,
              (long long)ev->slots[sc->slot].i);
      abort();
    }
  }
}

/* A due day the records show is a calendar date, not before the evidence's
 * date (its expiry is not before it, and a period only adds). */
static void check_due(const IpsfPack *p, const IpsfEval *ev) {
  for (uint32_t q = 0; q < p->requirement_count; q++) {
    char due[11];
    if (!ipsf_eval_due(ev, q, due)) continue;
    int32_t day;
    if (!ipsf_date_parse(due, &day) ||
        (ev->evidence_date[q] != IPSF_NO_DATE && day < ev->evidence_date[q])) {
      fprintf(stderr, "fuzz_vm: requirement %u: due '%s' is not a day on or after its date\n", q,
              due);
      abort();
    }
  }
}

/* What every output must be, whatever bytes the pack and the sheet hold:
 * json a JSON array, sarif a JSON object, jsonl one JSON object a line;
 * text without colour free of control bytes but the newline (escape.c). */
static void check_output(IpsfOutFormat format, bool color, const IpsfBuf *b) {
  if (b->failed || !b->data) return;
  json_error_t e;
  const char *bad = NULL;
  if (format == IPSF_OUT_JSON || format == IPSF_OUT_SARIF) {
    json_t *j = json_loadb(b->data, b->len, 0, &e);
    if (!j || (format == IPSF_OUT_JSON ? !json_is_array(j) : !json_is_object(j)))
      bad = "not the JSON document of its format";
    json_decref(j);
  } else if (format == IPSF_OUT_JSONL) {
    for (const char *l = b->data; *l && !bad;) {
      const char *nl = strchr(l, '\n');
      if (!nl) bad = "a JSON Lines record without its newline";
      else {
        json_t *j = json_loadb(l, (size_t)(nl - l), 0, &e);
        if (!json_is_object(j)) bad = "a JSON Lines line that is no JSON object";
        json_decref(j);
        l = nl + 1;
      }
    }
  } else if (format == IPSF_OUT_TEXT && !color) {
    for (size_t i = 0; i < b->len && !bad; i++) {
      unsigned char c = (unsigned char)b->data[i];
      if ((c < 0x20 && c != '\n') || c == 0x7f) bad = "a control byte in text output";
    }
  }
  if (bad) {
    fprintf(stderr, "fuzz_vm: %s (format %d):\n%.*s\n", bad, (int)format, (int)b->len, b->data);
    abort();
  }
}

static void report_all(const IpsfPack *p, const IpsfEval *ev, const IpsfError *err,
                       const IpsfReportCache *cache, unsigned v) {
  static const IpsfOutFormat formats[] = {IPSF_OUT_TEXT, IPSF_OUT_JSON, IPSF_OUT_JSONL,
                                          IPSF_OUT_CSV,  IPSF_OUT_SARIF, IPSF_OUT_JUNIT};
  IpsfRecordHead h = {"sheet.json", v & 1 ? 3 : 0, v & 2 ? "dev\x01\"ice" : NULL,
                      v & 4 ? "prof" : NULL};
  for (size_t f = 0; f < sizeof formats / sizeof formats[0]; f++) {
    for (int explain = 0; explain < 2; explain++) {
      IpsfBuf b;
      ipsf_buf_init(&b);
      IpsfReporter r = {formats[f], explain, (v & 8) != 0, 0, p,
                        formats[f] == IPSF_OUT_JSONL && (v & 16) ? cache : NULL};
      ipsf_report_begin(&b, &r);
      if (err) {
        ipsf_report_error(&b, &r, &h, p, err);
        ipsf_report_error(&b, &r, &h, NULL, err); /* as when no pack loaded */
      } else {
        ipsf_report_record(&b, &r, &h, ev);
        ipsf_report_record(&b, &r, &h, ev); /* a second record: separators */
      }
      ipsf_report_end(&b, &r);
      check_output(formats[f], r.color, &b);
      if (r.cache && !explain && !err) {
        /* the cached JSON Lines writer writes what the plain one writes */
        IpsfBuf plain;
        ipsf_buf_init(&plain);
        IpsfReporter r2 = {IPSF_OUT_JSONL, false, r.color, 0, p, NULL};
        ipsf_report_record(&plain, &r2, &h, ev);
        ipsf_report_record(&plain, &r2, &h, ev);
        if (!b.failed && !plain.failed &&
            (plain.len != b.len || memcmp(plain.data, b.data, b.len) != 0)) {
          fprintf(stderr, "fuzz_vm: cached jsonl differs:\n%s\nplain:\n%s\n", b.data, plain.data);
          abort();
        }
        ipsf_buf_free(&plain);
      }
      ipsf_buf_free(&b);
    }
  }
}

/* ---- the target ----------------------------------------------------------- */

static unsigned long generated, accepted, evaluated, succeeded, corrupt_refused;
static unsigned long op_count[IPSF_OP__COUNT];      /* in accepted packs */
static unsigned long outcome[IPSF_ERR_PROFILE_CONSTRAINT + 1]; /* of evaluations, by error kind */
static char first_refusals[8][256];
static unsigned refusals_kept;

static void stats(void) {
  fprintf(stderr,
          "fuzz_vm: %lu packs generated, %lu accepted by the verifier (%.2f%%); %lu evaluations, "
          "%lu succeeded\n",
          generated, accepted, generated ? 100.0 * (double)accepted / (double)generated : 0.0,
          evaluated, succeeded);
  fprintf(stderr, "  corrupted decision tables refused: %lu\n", corrupt_refused);
  fprintf(stderr, "  outcomes:");
  for (int k = 0; k <= IPSF_ERR_PROFILE_CONSTRAINT; k++)
    if (outcome[k])
      fprintf(stderr, " %s %lu", k ? ipsf_error_kind_name((IpsfErrorKind)k) : "ok", outcome[k]);
  fprintf(stderr, "\n  opcodes never generated:");
  for (int op = 0; op < IPSF_OP__COUNT; op++)
    if (!op_count[op]) fprintf(stderr, " %s", ipsf_op_info[op].name);
  fprintf(stderr, "\n");
  for (unsigned i = 0; i < refusals_kept; i++) fprintf(stderr, "  refused: %s\n", first_refusals[i]);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  for (size_t k = 0; k + 1 < sizeof long_string; k++) long_string[k] = "AbCdEfGh"[k % 8];
  if (getenv("IPSF_FUZZ_VM_STATS")) atexit(stats);
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  Src s = src(data, size);
  bool corrupt = false;
  IpsfPack *gen = generate(&s, &corrupt);
  uint8_t *bytes;
  size_t len;
  pb_bytes(gen, &bytes, &len);
  ipsf_pack_free(gen);
  generated++;
  IpsfError err;
  IpsfPack *p = ipsf_pack_load(bytes, len, &err);
  if (corrupt) { /* a corrupted decision table: the verifier must refuse it */
    if (p) {
      fprintf(stderr, "fuzz_vm: a pack with a corrupted decision table was accepted\n");
      abort();
    }
    corrupt_refused++;
    free(bytes);
    return 0;
  }
  if (!p) {
    if (refusals_kept < 8) snprintf(first_refusals[refusals_kept++], 256, "%s", err.message);
    free(bytes);
    return 0;
  }
  accepted++;
  for (uint32_t pc = 0; pc < p->code_count; pc++) op_count[IPSF_INSN_OP(p->code[pc])]++;
  const char *dump = getenv("IPSF_FUZZ_VM_DUMP");
  if (dump) {
    char path[512];
    snprintf(path, sizeof path, "%s/vm-%06lu.ipsb", dump, accepted);
    FILE *f = fopen(path, "wb");
    if (f) {
      fwrite(bytes, 1, len, f);
      fclose(f);
    }
  }
  free(bytes);
  if (size & 1) {
    FILE *sink = fopen("/dev/null", "w");
    if (sink) {
      ipsf_disasm(p, sink);
      fclose(sink);
    }
  }
  IpsfEval *ev = ipsf_eval_new(p);
  IpsfReportCache *cache = ipsf_report_cache_new(p);
  if (ev) {
    for (unsigned round = 0; round < 3; round++) {
      ipsf_eval_begin(ev);
      set_facts(p, ev, &s);
      evaluated++;
      bool ok = ipsf_eval_run(ev, &err);
      outcome[ok ? 0 : err.kind]++;
      if (ok) {
        succeeded++;
        check_promises(p, ev);
        check_due(p, ev);
        fuzz_read_results(p, ev);
      }
      report_all(p, ev, ok ? NULL : &err, cache, take(&s, 32));
    }
  }
  ipsf_report_cache_free(cache);
  ipsf_eval_free(ev);
  ipsf_pack_free(p);
  return 0;
}
