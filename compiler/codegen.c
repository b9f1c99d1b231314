/*
 * codegen.c -- emit the IpsfPack of a checked compilation.
 *
 * The code is one straight-line program with forward jumps only:
 *   lets and scales in dependency order (types.c's c->order):
 *     let:    <expr> STORE slot
 *     scale:  for each rule: <cond> JUMPF next; HITx rule; next:
 *             SCALE s
 *             or, when codegen_tables.c can build an exact table for the
 *             block:  RTABLE t (its hits, then SCALE s)
 *   requirements in pack order:
 *     <applies> JUMPF end; REQ q; for each confirm: <when> JUMPF next;
 *     CONFIRM c; next: ... REQEND q; end:
 *     or, when codegen_tables.c can build an exact table for it and the
 *     requirements after it (as many as fit): QTABLE t
 *   RET
 * Facts are slots filled before the code runs; fn calls are inlined (their
 * arguments stored in temporary slots); an extern call, or a call of a
 * built-in on the native path, is its arguments then CALLN k, k the entry
 * of the pack's native table (made on first call, so an extern that is
 * never called asks no library of the evaluator); constant subexpressions are
 * folded (fold.c) unless computing them raises, which is then left to run
 * time.  A line-table entry marks the start of each let, rule, applies and
 * confirm line, so evaluation errors and reasons can name file:line:col.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "sema.h"

typedef struct {
  uint32_t *slots;  /* parameter -> temporary slot */
} Frame;

typedef struct {
  Compilation *c;
  IpsfPack *p;
  SymMap string_map, const_map;
  size_t string_cap, const_cap, slot_cap, code_cap, line_cap;
  uint32_t depth, max_depth;
  uint32_t *fact_slot, *let_slot, *scale_slot;
  uint32_t *rule_base; /* per scale: index of its first rule in the pack */
  Frame *frames;
  size_t frame_count, frame_cap;
  bool failed;
  /* CompileOptions.with_tests only (see "test instrumentation") */
  uint32_t test_gate;      /* the hidden gate slot `test#`, or IPSF_NONE */
  uint32_t **expect_slot;  /* per test, per expect: its `expect EXPR` slot */
  uint32_t *cover_slot;    /* per confirm (pack index): its hidden `cover#confirm#N` */
  /* the native table: pack index + 1 of each extern / built-in, 0 = not yet */
  uint32_t *extern_native, builtin_native[BI__COUNT];
  size_t native_cap;
} Gen;

/* ---- tables ------------------------------------------------------------------ */

static void *grow_heap(void *items, size_t *cap, size_t count, size_t size) {
  if (count < *cap) return items;
  *cap = *cap ? *cap * 2 : 16;
  return xrealloc_array(items, *cap, size);
}

static uint32_t intern(Gen *g, const char *s) {
  if (!s) return IPSF_NONE;
  SymEntry *e = symmap_get(&g->string_map, s);
  if (e) return e->index;
  IpsfPack *p = g->p;
  p->strings = grow_heap(p->strings, &g->string_cap, p->string_count, sizeof *p->strings);
  p->string_lens = xrealloc_array(p->string_lens, g->string_cap, sizeof *p->string_lens);
  uint32_t index = p->string_count++;
  p->strings[index] = xstrdup(s);
  p->string_lens[index] = (uint32_t)strlen(s);
  symmap_put(&g->c->arena, &g->string_map, arena_strdup(&g->c->arena, s), 0, index);
  return index;
}

static IpsfType machine_type(Ty t) {
  switch (t.kind) {
  case TY_BOOL: return (IpsfType){IPSF_K_BOOL, IPSF_NONE};
  case TY_INT: return (IpsfType){IPSF_K_INT, IPSF_NONE};
  case TY_NUMBER: return (IpsfType){IPSF_K_NUMBER, IPSF_NONE};
  case TY_STRING: return (IpsfType){IPSF_K_STRING, IPSF_NONE};
  case TY_ENUM: return (IpsfType){IPSF_K_ENUM, t.enum_id};
  default: return (IpsfType){IPSF_K_SET, t.enum_id};
  }
}

/* Constants are shared by value: the key is the machine type and the raw
 * bits (a string by its interned index), so 0.0 and -0.0 stay two
 * constants and an int 1 is never a bool true. */
static uint32_t add_const(Gen *g, Folded f) {
  IpsfType mt = machine_type(f.ty);
  uint32_t str = mt.kind == IPSF_K_STRING ? intern(g, f.v.s) : IPSF_NONE;
  uint64_t bits = 0;
  if (mt.kind == IPSF_K_STRING) bits = str;
  else memcpy(&bits, &f.v, sizeof bits);
  const char *key = arena_printf(&g->c->arena, "%u:%u:%llx", mt.kind, mt.enum_type,
                                 (unsigned long long)bits);
  SymEntry *e = symmap_get(&g->const_map, key);
  if (e) return e->index;
  IpsfPack *p = g->p;
  p->consts = grow_heap(p->consts, &g->const_cap, p->const_count, sizeof *p->consts);
  uint32_t index = p->const_count++;
  p->consts[index] = (IpsfConst){mt, str, f.v};
  if (mt.kind == IPSF_K_STRING) p->consts[index].value.s = NULL; /* linked at load */
  symmap_put(&g->c->arena, &g->const_map, key, 0, index);
  return index;
}

static uint32_t add_slot(Gen *g, Ty t, IpsfSlotRole role, const char *name) {
  IpsfPack *p = g->p;
  p->slots = grow_heap(p->slots, &g->slot_cap, p->slot_count, sizeof *p->slots);
  p->slots[p->slot_count] = (IpsfSlot){machine_type(t), (uint8_t)role, intern(g, name)};
  return p->slot_count++;
}

static IpsfLoc loc_of(Gen *g, Span s) {
  uint32_t line = 0, col = 0;
  sources_line_col(&g->c->sources, s.file, s.start, &line, &col);
  return (IpsfLoc){intern(g, g->c->sources.items[s.file]->path), line, col};
}

/* ---- code ---------------------------------------------------------------------- */

static uint32_t pc(Gen *g) { return g->p->code_count; }

static void emit(Gen *g, IpsfOpcode op, uint32_t a) {
  IpsfPack *p = g->p;
  if (a > IPSF_OPERAND_MAX) {
    /* Reported once: past the limit every later index is too large too. */
    if (!g->failed)
      diag_error(&g->c->diags, NO_SPAN,
                 "the pack is too large: %s needs operand %u, above the bytecode limit of %u "
                 "(operands are 24 bits: at most that many constants, slots, rules, scales, "
                 "requirements and confirm lines, and jumps over at most that many "
                 "instructions; split the pack)",
                 ipsf_op_info[op].name, a, IPSF_OPERAND_MAX);
    g->failed = true;
    a = 0;
  }
  p->code = grow_heap(p->code, &g->code_cap, p->code_count, sizeof *p->code);
  p->code[p->code_count++] = IPSF_INSN(op, a);
  const IpsfOpInfo *info = &ipsf_op_info[op];
  g->depth -= (uint32_t)strlen(info->pops);
  g->depth += (uint32_t)strlen(info->pushes);
  if (g->depth > g->max_depth) g->max_depth = g->depth;
}

static uint32_t emit_jump(Gen *g, IpsfOpcode op) {
  emit(g, op, 0);
  return pc(g) - 1;
}

static void patch_jump(Gen *g, uint32_t at) {
  uint32_t offset = pc(g) - (at + 1);
  g->p->code[at] = IPSF_INSN(IPSF_INSN_OP(g->p->code[at]), offset);
}

static void mark_line(Gen *g, Span s) {
  IpsfPack *p = g->p;
  IpsfLoc loc = loc_of(g, s);
  if (p->line_count && p->lines[p->line_count - 1].pc == pc(g)) {
    p->lines[p->line_count - 1].loc = loc;
    return;
  }
  p->lines = grow_heap(p->lines, &g->line_cap, p->line_count, sizeof *p->lines);
  p->lines[p->line_count++] = (IpsfLine){pc(g), loc};
}

/* ---- constant folding ---------------------------------------------------------- */

/* fold.c: a constant subexpression becomes one LOADK; one whose computation
 * raises is emitted as code, to fail at run time as the VM says. */
static bool fold(const Expr *e, Folded *out) { return fold_expr(e, out, NULL) == FOLD_OK; }

/* ---- expressions ------------------------------------------------------------------- */

static void emit_expr(Gen *g, const Expr *e);

/* Emit e converted to `want` (int -> number; an empty set takes want's enum). */
static void emit_as(Gen *g, const Expr *e, Ty want) {
  if (e->kind == EX_SET && e->item_count == 0 && want.kind == TY_SET) {
    emit(g, IPSF_OP_LOADK, add_const(g, (Folded){want, {.m = 0}}));
    return;
  }
  emit_expr(g, e);
  if (want.kind == TY_NUMBER && e->ty.kind == TY_INT) emit(g, IPSF_OP_I2N, 0);
}

/* The type both sides of a comparison are brought to: a number if either
 * is one (the VM has no mixed compare), and `{}` takes the other side's
 * set type. */
static Ty operand_type(const Expr *e) {
  Ty a = e->a->ty, b = e->b2->ty;
  if (a.kind == TY_NUMBER || b.kind == TY_NUMBER) return (Ty){TY_NUMBER, 0};
  if (a.kind == TY_EMPTY_SET) return b;
  return a;
}

/* The opcode comparing two values of type t; `swap` for > and >=: the VM
 * has only < and <=, so a > b is emitted as b < a.  Its operands are then
 * computed right to left: when both would fail, b's error is the one
 * reported. */
static IpsfOpcode compare_op(ExprOp op, Ty t, bool *swap) {
  *swap = op == OP_GT || op == OP_GE;
  bool eq = op == OP_EQ, ne = op == OP_NE, lt = op == OP_LT || op == OP_GT;
  switch (t.kind) {
  case TY_INT: return eq ? IPSF_OP_EQI : ne ? IPSF_OP_NEI : lt ? IPSF_OP_LTI : IPSF_OP_LEI;
  case TY_NUMBER: return eq ? IPSF_OP_EQN : ne ? IPSF_OP_NEN : lt ? IPSF_OP_LTN : IPSF_OP_LEN;
  case TY_ENUM: return eq ? IPSF_OP_EQE : ne ? IPSF_OP_NEE : lt ? IPSF_OP_LTE : IPSF_OP_LEE;
  case TY_STRING: return eq ? IPSF_OP_EQS : IPSF_OP_NES;
  case TY_BOOL: return eq ? IPSF_OP_EQB : IPSF_OP_NEB;
  default: return eq ? IPSF_OP_EQM : IPSF_OP_NEM;
  }
}

static void emit_compare(Gen *g, const Expr *e) {
  Ty t = operand_type(e);
  bool swap;
  IpsfOpcode op = compare_op(e->op, t, &swap);
  emit_as(g, swap ? e->b2 : e->a, t);
  emit_as(g, swap ? e->a : e->b2, t);
  emit(g, op, 0);
}

/* `x in {1, 2, 3}` over ints, numbers or strings: x once into a temporary,
 * then x == 1 or x == 2 or ... */
static void emit_in_list(Gen *g, const Expr *e) {
  const Expr *list = e->b2;
  Ty t = list->ty.kind == TY_SET ? e->a->ty : list->ty;
  for (size_t i = 0; i < list->item_count; i++)
    if (list->items[i]->ty.kind == TY_NUMBER) t = (Ty){TY_NUMBER, 0};
  uint32_t tmp = add_slot(g, t, IPSF_SLOT_TEMP, NULL);
  emit_as(g, e->a, t);
  emit(g, IPSF_OP_STORE, tmp);
  bool swap;
  IpsfOpcode eq = compare_op(OP_EQ, t, &swap);
  uint32_t *exits = xcalloc(list->item_count, sizeof *exits);
  for (size_t i = 0; i < list->item_count; i++) {
    emit(g, IPSF_OP_LOAD, tmp);
    emit_as(g, list->items[i], t);
    emit(g, eq, 0);
    if (i + 1 < list->item_count) exits[i] = emit_jump(g, IPSF_OP_ORJ);
  }
  for (size_t i = 0; i + 1 < list->item_count; i++) patch_jump(g, exits[i]);
  free(exits);
}

static void emit_binary(Gen *g, const Expr *e) {
  switch (e->op) {
  case OP_AND:
  case OP_OR: {
    /* Short-circuit jumps, not a boolean op: the right side may fail
     * (a division by zero) exactly when the left side guards it. */
    emit_expr(g, e->a);
    uint32_t j = emit_jump(g, e->op == OP_AND ? IPSF_OP_ANDJ : IPSF_OP_ORJ);
    emit_expr(g, e->b2);
    patch_jump(g, j);
    return;
  }
  case OP_IN: {
    Folded members;
    /* lists of ints, numbers or strings, and enum sets with variable members */
    if (e->b2->kind == EX_SET && (e->b2->ty.kind != TY_SET || !fold(e->b2, &members))) {
      emit_in_list(g, e);
      return;
    }
    emit_expr(g, e->a);
    emit_as(g, e->b2, (Ty){TY_SET, e->a->ty.enum_id});
    emit(g, IPSF_OP_INM, 0);
    return;
  }
  case OP_EQ: case OP_NE: case OP_LT: case OP_LE: case OP_GT: case OP_GE:
    emit_compare(g, e);
    return;
  default: {
    bool num = e->ty.kind == TY_NUMBER;
    emit_as(g, e->a, e->ty);
    emit_as(g, e->b2, e->ty);
    static const IpsfOpcode int_ops[] = {IPSF_OP_ADDI, IPSF_OP_SUBI, IPSF_OP_MULI, IPSF_OP_DIVI,
                                         IPSF_OP_MODI};
    static const IpsfOpcode num_ops[] = {IPSF_OP_ADDN, IPSF_OP_SUBN, IPSF_OP_MULN, IPSF_OP_DIVN,
                                         IPSF_OP_MODN};
    emit(g, (num ? num_ops : int_ops)[e->op - OP_ADD], 0);
    return;
  }
  }
}

static void emit_if(Gen *g, const Expr *e) {
  emit_expr(g, e->a);
  uint32_t to_else = emit_jump(g, IPSF_OP_JUMPF);
  uint32_t depth = g->depth;
  emit_as(g, e->b2, e->ty);
  uint32_t to_end = emit_jump(g, IPSF_OP_JUMP);
  patch_jump(g, to_else);
  g->depth = depth; /* the else branch starts where the then branch did */
  emit_as(g, e->c, e->ty);
  patch_jump(g, to_end);
}

static void emit_builtin(Gen *g, const Expr *e) {
  Ty t = e->ty;
  switch ((Builtin)e->ref_index) {
  case BI_MIN:
  case BI_MAX: {
    bool is_min = e->ref_index == BI_MIN;
    IpsfOpcode op = t.kind == TY_INT    ? (is_min ? IPSF_OP_MINI : IPSF_OP_MAXI)
                    : t.kind == TY_ENUM ? (is_min ? IPSF_OP_MINE : IPSF_OP_MAXE)
                                        : (is_min ? IPSF_OP_MINN : IPSF_OP_MAXN);
    emit_as(g, e->items[0], t);
    for (size_t i = 1; i < e->item_count; i++) {
      emit_as(g, e->items[i], t);
      emit(g, op, 0);
    }
    return;
  }
  case BI_ABS:
    emit_expr(g, e->items[0]);
    emit(g, t.kind == TY_INT ? IPSF_OP_ABSI : IPSF_OP_ABSN, 0);
    return;
  case BI_COUNT: emit_expr(g, e->items[0]); emit(g, IPSF_OP_COUNTM, 0); return;
  case BI_LOWER: emit_expr(g, e->items[0]); emit(g, IPSF_OP_LOWER, 0); return;
  default: { /* starts_with, ends_with, contains (the others are not inline) */
    static const IpsfOpcode ops[] = {[BI_STARTS_WITH] = IPSF_OP_STARTS,
                                     [BI_ENDS_WITH] = IPSF_OP_ENDS,
                                     [BI_CONTAINS] = IPSF_OP_CONTAINS};
    emit_expr(g, e->items[0]);
    emit_expr(g, e->items[1]);
    emit(g, ops[e->ref_index], 0);
    return;
  }
  }
}

/* ---- natives ----------------------------------------------------------------------- */

static uint8_t native_kind(Ty t) { return machine_type(t).kind; }

static uint32_t add_native(Gen *g, const char *name, const char *library, const char *symbol,
                           const Ty *params, size_t count, Ty result) {
  IpsfPack *p = g->p;
  p->natives = grow_heap(p->natives, &g->native_cap, p->native_count, sizeof *p->natives);
  IpsfNative *n = &p->natives[p->native_count];
  memset(n, 0, sizeof *n);
  n->name = intern(g, name);
  n->library = intern(g, library);
  n->symbol = intern(g, symbol);
  n->result = native_kind(result);
  n->param_count = (uint32_t)count;
  for (size_t k = 0; k < count && k < IPSF_MAX_NATIVE_PARAMS; k++)
    n->params[k] = native_kind(params[k]);
  return p->native_count++;
}

/* The arguments (converted to the parameter types), then CALLN: its stack
 * effect is the signature's, not the "@" of the opcode table. */
static void emit_native(Gen *g, const Expr *e, const Ty *params, uint32_t native) {
  for (size_t i = 0; i < e->item_count; i++) emit_as(g, e->items[i], params[i]);
  emit(g, IPSF_OP_CALLN, native);
  g->depth = g->depth - (uint32_t)e->item_count + 1u;
  if (g->depth > g->max_depth) g->max_depth = g->depth;
}

static void emit_extern_call(Gen *g, const Expr *e) {
  const NativeSym *n = &g->c->natives[e->ref_index];
  uint32_t *k = &g->extern_native[e->ref_index];
  if (!*k)
    *k = add_native(g, n->name, n->library, n->symbol, n->params, n->decl->param_count,
                    n->result) + 1;
  emit_native(g, e, n->params, *k - 1);
}

/* A built-in on the native path: its fixed signature of b, i, n, s. */
static void emit_builtin_native(Gen *g, const Expr *e) {
  const IpsfBuiltin *b = &ipsf_builtins[e->ref_index];
  Ty params[IPSF_MAX_NATIVE_PARAMS];
  for (size_t i = 0; i < e->item_count; i++) {
    char l = b->params[i];
    params[i] = (Ty){l == 'b' ? TY_BOOL : l == 'i' ? TY_INT : l == 'n' ? TY_NUMBER : TY_STRING, 0};
  }
  uint32_t *k = &g->builtin_native[e->ref_index];
  if (!*k) *k = add_native(g, b->name, NULL, b->name, params, e->item_count, e->ty) + 1;
  emit_native(g, e, params, *k - 1);
}

static void emit_fn_call(Gen *g, const Expr *e) {
  const FnSym *f = &g->c->fns[e->ref_index];
  Frame frame = {arena_array(&g->c->arena, e->item_count + 1, sizeof(uint32_t))};
  for (size_t i = 0; i < e->item_count; i++) {
    frame.slots[i] = add_slot(g, f->params[i], IPSF_SLOT_TEMP, NULL);
    emit_as(g, e->items[i], f->params[i]);
    emit(g, IPSF_OP_STORE, frame.slots[i]);
  }
  *PUSH(g->c, g->frames, g->frame_count, g->frame_cap) = frame;
  emit_as(g, f->decl->value, f->result);
  g->frame_count--;
}

static void emit_name(Gen *g, const Expr *e) {
  switch (e->ref) {
  case REF_FACT: emit(g, IPSF_OP_LOAD, g->fact_slot[e->ref_index]); return;
  case REF_LET: emit(g, IPSF_OP_LOAD, g->let_slot[e->ref_index]); return;
  case REF_SCALE: emit(g, IPSF_OP_LOAD, g->scale_slot[e->ref_index]); return;
  case REF_PARAM:
    emit(g, IPSF_OP_LOAD, g->frames[g->frame_count - 1].slots[e->ref_index]);
    return;
  default: return; /* enum values are constants, folded before we get here */
  }
}

static void emit_expr(Gen *g, const Expr *e) {
  Folded k;
  if (fold(e, &k)) {
    emit(g, IPSF_OP_LOADK, add_const(g, k));
    return;
  }
  switch (e->kind) {
  case EX_NAME: emit_name(g, e); return;
  case EX_UNARY:
    emit_expr(g, e->a);
    emit(g, e->op == OP_NOT ? IPSF_OP_NOT : e->ty.kind == TY_INT ? IPSF_OP_NEGI : IPSF_OP_NEGN, 0);
    return;
  case EX_BINARY: emit_binary(g, e); return;
  case EX_IF: emit_if(g, e); return;
  case EX_CALL:
    if (e->ref == REF_FN) emit_fn_call(g, e);
    else if (e->ref == REF_NATIVE) emit_extern_call(g, e);
    else if (!ipsf_builtins[e->ref_index].inline_op) emit_builtin_native(g, e);
    else emit_builtin(g, e);
    return;
  default:
    /* a set literal with a non-constant member cannot be written (sema) */
    diag_error(&g->c->diags, e->span, "internal error: cannot compile this expression");
    g->failed = true;
    return;
  }
}

/* A condition: returns the jump to patch at the end of what it guards, or
 * UINT32_MAX when the condition is constantly true (nothing to jump over).
 * *never is set when it is constantly false. */
static uint32_t emit_guard(Gen *g, const Expr *cond, bool *never) {
  Folded k;
  *never = false;
  if (!cond) return UINT32_MAX;
  if (fold(cond, &k)) {
    *never = k.v.i == 0;
    return UINT32_MAX;
  }
  emit_expr(g, cond);
  return emit_jump(g, IPSF_OP_JUMPF);
}

/* ---- test instrumentation ---------------------------------------------------------------- */

/* With CompileOptions.with_tests, the tests run through the VM itself
 * (runtime/tests.c), so an `expect EXPR` means exactly what the same
 * expression means in a rule.  What is added, all under names with a '#',
 * which no source name can have:
 *   - when some test has an `expect EXPR`, a hidden int FACT slot `test#`
 *     that no fact owns (the tests' gate, pack.h IpsfTests): the evaluation
 *     sets it to the running test's number (index + 1, c->tests order), and
 *     to 0 outside a test, so no fact sheet can reach it;
 *   - after the requirements, for each test k that does not expect an error,
 *     `if test# == k` then each of its `expect EXPR` into a bool LET slot
 *     `test#K.expect#E` (E: 1-based among all its expects).  Only the
 *     running test's expects are computed, so one test's expect that fails
 *     to evaluate (a division by zero) cannot fail the others; and as it
 *     comes after all the pack's code, every error of the pack itself comes
 *     first, with the message it has without tests;
 *   - unless CompileOptions.keep_tests, for each confirm line, a bool LET
 *     slot `cover#confirm#N` (pack index), false at the start, true where
 *     its CONFIRM runs: coverage of confirm lines for `ipsfc test --coverage`
 *     (rules and requirements are seen in the evaluation's results);
 *   - the tests as data (build_tests below). */

static void emit_cover(Gen *g, uint32_t confirm, bool reached) {
  emit(g, IPSF_OP_LOADK, add_const(g, (Folded){{TY_BOOL, 0}, {.i = reached}}));
  emit(g, IPSF_OP_STORE, g->cover_slot[confirm]);
}

/* Whether test d has code of its own: an `expect EXPR`, and no `expect error`
 * (whose test judges only the error). */
static bool test_has_code(const Decl *d) {
  bool expects_error = false, any = false;
  for (size_t e = 0; e < d->expect_count; e++) {
    expects_error |= d->expects[e].kind == EXPECT_ERROR;
    any |= d->expects[e].kind == EXPECT_EXPR;
  }
  return any && !expects_error;
}

static void build_test_slots(Gen *g) {
  Compilation *c = g->c;
  bool code = false;
  for (size_t t = 0; t < c->test_count; t++) code |= test_has_code(c->tests[t]);
  if (code) g->test_gate = add_slot(g, (Ty){TY_INT, 0}, IPSF_SLOT_FACT, "test#");
  g->expect_slot = arena_array(&c->arena, c->test_count + 1, sizeof *g->expect_slot);
  if (c->opt.keep_tests) return;
  size_t confirms = 0;
  for (size_t i = 0; i < c->req_count; i++) confirms += c->reqs[i].confirm_count;
  g->cover_slot = arena_array(&c->arena, confirms + 1, sizeof(uint32_t));
  for (size_t i = 0; i < confirms; i++)
    g->cover_slot[i] = add_slot(g, (Ty){TY_BOOL, 0}, IPSF_SLOT_LET,
                                arena_printf(&c->arena, "cover#confirm#%zu", i));
}

static void emit_tests(Gen *g) {
  Compilation *c = g->c;
  for (size_t t = 0; t < c->test_count; t++) {
    const Decl *d = c->tests[t];
    if (!test_has_code(d)) continue;
    g->expect_slot[t] = arena_array(&c->arena, d->expect_count + 1, sizeof(uint32_t));
    mark_line(g, d->span);
    emit(g, IPSF_OP_LOAD, g->test_gate);
    emit(g, IPSF_OP_LOADK, add_const(g, (Folded){{TY_INT, 0}, {.i = (int64_t)t + 1}}));
    emit(g, IPSF_OP_EQI, 0);
    uint32_t skip = emit_jump(g, IPSF_OP_JUMPF);
    for (size_t e = 0; e < d->expect_count; e++) {
      const Expect *x = &d->expects[e];
      if (x->kind != EXPECT_EXPR) continue;
      uint32_t slot = add_slot(g, (Ty){TY_BOOL, 0}, IPSF_SLOT_LET,
                               arena_printf(&c->arena, "test#%zu.expect#%zu", t + 1, e + 1));
      g->expect_slot[t][e] = slot;
      mark_line(g, x->span);
      emit_expr(g, x->expr);
      emit(g, IPSF_OP_STORE, slot);
    }
    patch_jump(g, skip);
  }
}

/* ---- the tests as data (pack.h IpsfTests, runtime/tests.c) ------------------------------- */

static IpsfTest *new_test(Gen *g, uint32_t name, uint32_t profile, IpsfLoc loc, uint8_t flags) {
  IpsfTests *ts = g->p->tests;
  ts->items = xrealloc_array(ts->items, ts->count + 1, sizeof *ts->items);
  IpsfTest *t = &ts->items[ts->count++];
  *t = (IpsfTest){name, profile, loc, flags, 0, NULL, 0, NULL};
  return t;
}

static void add_given(IpsfTest *t, IpsfTestGiven gv) {
  t->givens = xrealloc_array(t->givens, t->given_count + 1, sizeof *t->givens);
  t->givens[t->given_count++] = gv;
}

static IpsfTestExpect *add_expect(IpsfTest *t, uint8_t kind, uint32_t index, uint32_t text,
                                  uint32_t value, IpsfLoc loc) {
  t->expects = xrealloc_array(t->expects, t->expect_count + 1, sizeof *t->expects);
  IpsfTestExpect *x = &t->expects[t->expect_count++];
  *x = (IpsfTestExpect){kind, index, IPSF_NONE, text, value, loc, 0, NULL};
  return x;
}

/* The facts, lets and scales an expression names, each once, in order:
 * their slots, for the message of an expectation that fails. */
static void expect_names(Gen *g, const Expr *e, IpsfTestExpect *x) {
  if (!e) return;
  if (e->kind == EX_NAME && (e->ref == REF_FACT || e->ref == REF_LET || e->ref == REF_SCALE)) {
    uint32_t slot = e->ref == REF_FACT  ? g->fact_slot[e->ref_index]
                    : e->ref == REF_LET ? g->let_slot[e->ref_index]
                                        : g->scale_slot[e->ref_index];
    for (uint32_t i = 0; i < x->name_count; i++)
      if (x->names[i] == slot) return;
    x->names = xrealloc_array(x->names, x->name_count + 1, sizeof *x->names);
    x->names[x->name_count++] = slot;
    return;
  }
  expect_names(g, e->a, x);
  expect_names(g, e->b2, x);
  expect_names(g, e->c, x);
  for (size_t i = 0; i < e->item_count; i++) expect_names(g, e->items[i], x);
}

static uint32_t module_of(Compilation *c, const Decl *d) {
  for (size_t i = 0; i < c->module_count; i++)
    if (c->modules[i].ast && c->modules[i].ast->source == d->span.file) return (uint32_t)i;
  return c->root;
}

/* One `given`, as a constant of the fact's type; false if it is none. */
static bool test_given(Gen *g, uint32_t module, const Given *gv, IpsfTest *t) {
  Compilation *c = g->c;
  SymEntry *s = lookup_value(c, module, gv->fact.name);
  Folded k;
  if (!s || s->kind != SYM_FACT || !fold_value(gv->value, &k.ty, &k.v)) return false;
  const FactSym *f = &c->facts[s->index];
  if (f->ty.kind == TY_NUMBER && k.ty.kind == TY_INT) k.v.n = (double)k.v.i;
  k.ty = f->ty;
  add_given(t, (IpsfTestGiven){IPSF_GIVEN_CONST, (uint32_t)s->index,
                               add_const(g, k), intern(g, gv->fact.name)});
  return true;
}

/* The requirement an expectation names (pack index), or IPSF_NONE. */
static uint32_t requirement_of(Compilation *c, uint32_t module, const char *id) {
  SymEntry *e = symmap_get(&c->req_map, qualify(c, module, id));
  if (!e) e = symmap_get(&c->req_map, id);
  return e ? e->index : IPSF_NONE;
}

/* One expectation of test t (index in c->tests); false with why if it
 * cannot be stored. */
static bool test_expect(Gen *g, size_t t, uint32_t module, const Decl *d, size_t e,
                        bool expects_error, IpsfTest *out, const char **why) {
  Compilation *c = g->c;
  const Expect *x = &d->expects[e];
  uint32_t text = intern(g, sources_span_text(&c->sources, &c->arena, x->span));
  IpsfLoc loc = loc_of(g, x->span);
  switch (x->kind) {
  case EXPECT_EXPR:
    if (expects_error) return true; /* a test that expects an error judges only that */
    if (!g->expect_slot[t]) return (*why = "its expression was not compiled"), false;
    expect_names(g, x->expr, add_expect(out, IPSF_EXPECT_VALUE, g->expect_slot[t][e], text,
                                        IPSF_NONE, loc));
    return true;
  case EXPECT_REQUIRES: {
    uint32_t q = requirement_of(c, module, x->id.name);
    if (q == IPSF_NONE) return (*why = "it names an unknown requirement"), false;
    IpsfTestExpect *out_x = add_expect(out, IPSF_EXPECT_REQUIRES, q, text, IPSF_NONE, loc);
    if (!x->method.name) return true;
    const IpsfViewpoint *vp = &g->p->viewpoints[g->p->requirements[q].viewpoint];
    for (uint32_t m = 0; m < vp->method_count; m++)
      if (strcmp(g->p->strings[vp->methods[m]], x->method.name) == 0) out_x->method = m;
    if (out_x->method == IPSF_NONE) return (*why = "it names an unknown method"), false;
    return true;
  }
  case EXPECT_NOT_REQUIRES:
    add_expect(out, IPSF_EXPECT_NOT_REQUIRES, requirement_of(c, module, x->id.name), text,
               IPSF_NONE, loc);
    return true;
  case EXPECT_VIEWPOINT: {
    SymEntry *v = symmap_get(&c->viewpoint_map, x->id.name);
    add_expect(out, IPSF_EXPECT_VIEWPOINT, v ? v->index : IPSF_NONE, text, IPSF_NONE, loc);
    return true;
  }
  case EXPECT_ERROR:
    add_expect(out, IPSF_EXPECT_ERROR, IPSF_NONE, text, intern(g, x->str.text), loc);
    return true;
  }
  return true;
}

static void build_test_blocks(Gen *g) {
  Compilation *c = g->c;
  for (size_t i = 0; i < c->test_count; i++) {
    const Decl *d = c->tests[i];
    uint32_t module = module_of(c, d);
    IpsfTest *t = new_test(g, intern(g, d->str.text), intern(g, d->profile.text),
                           loc_of(g, d->span), 0);
    for (size_t k = 0; k < d->given_count; k++)
      if (!test_given(g, module, &d->givens[k], t)) {
        diag_error(&c->diags, d->givens[k].fact.span,
                   "test \"%s\": given %s cannot be stored in the pack: not a constant of a fact",
                   d->str.text, d->givens[k].fact.name);
        g->failed = true;
      }
    bool expects_error = false;
    for (size_t e = 0; e < d->expect_count; e++)
      expects_error |= d->expects[e].kind == EXPECT_ERROR;
    for (size_t e = 0; e < d->expect_count; e++) {
      const char *why = NULL;
      if (!test_expect(g, i, module, d, e, expects_error, t, &why)) {
        diag_error(&c->diags, d->expects[e].span,
                   "test \"%s\": this expectation cannot be stored in the pack: %s",
                   d->str.text, why);
        g->failed = true;
      }
    }
  }
}

/* ---- the table of cases (docs/language.md section 16, "Tests as tables") ----------------- */

/* What a column of the table is. */
typedef enum { COL_NAME, COL_PROFILE, COL_EVIDENCE, COL_FACT, COL_CATEGORY, COL_SCALE,
               COL_REQUIREMENTS, COL_ERROR, COL_NOTE } ColKind;

typedef struct {
  ColKind kind;
  uint32_t index;    /* COL_FACT: the fact; COL_SCALE: the scale */
  const char *title; /* as in the header */
} Column;

static uint32_t pack_fact(const IpsfPack *p, const char *name) {
  for (uint32_t i = 0; i < p->fact_count; i++)
    if (strcmp(p->strings[p->facts[i].name], name) == 0) return i;
  return IPSF_NONE;
}

static uint32_t pack_scale(const IpsfPack *p, const char *name) {
  for (uint32_t i = 0; i < p->scale_count; i++)
    if (strcmp(p->strings[p->scales[i].name], name) == 0) return i;
  return IPSF_NONE;
}

/* The header's columns; false with *err and *at (the 1-based byte column
 * of the cell at fault, 0 for the whole line) on a column that is none of
 * the kinds. */
static bool table_header(Gen *g, const CsvRow *h, Column *cols, const char **err, uint32_t *at) {
  Arena *a = &g->c->arena;
  bool has_name = false;
  for (size_t i = 0; i < h->count; i++) {
    const char *t = h->fields[i];
    Column *col = &cols[i];
    col->title = t;
    if (strcmp(t, "name") == 0) col->kind = COL_NAME, has_name = true;
    else if (strcmp(t, "profile") == 0) col->kind = COL_PROFILE;
    else if (strcmp(t, "evidence") == 0) col->kind = COL_EVIDENCE;
    else if (strcmp(t, "note") == 0 || t[0] == '\0') col->kind = COL_NOTE;
    else if (strcmp(t, "expect:category") == 0) col->kind = COL_CATEGORY;
    else if (strcmp(t, "expect:requirements") == 0) col->kind = COL_REQUIREMENTS;
    else if (strcmp(t, "expect:error") == 0) col->kind = COL_ERROR;
    else if (strncmp(t, "expect:", 7) == 0) {
      col->kind = COL_SCALE;
      col->index = pack_scale(g->p, t + 7);
      if (col->index == IPSF_NONE) {
        *err = arena_printf(a, "column %zu '%s': the pack has no scale '%s'", i + 1, t, t + 7);
        *at = h->columns[i];
        return false;
      }
    } else {
      const char *fact = strncmp(t, "fact:", 5) == 0 ? t + 5 : t;
      col->kind = COL_FACT;
      col->index = pack_fact(g->p, fact);
      if (col->index == IPSF_NONE || strchr(fact, '#')) {
        *err = arena_printf(a,
                            "column %zu '%s': not a fact of the pack, nor name, profile, "
                            "evidence, note or expect:...",
                            i + 1, t);
        *at = h->columns[i];
        return false;
      }
    }
  }
  if (!has_name) *err = "the header has no 'name' column";
  return has_name;
}

/* A row (or the whole table, line 0) that cannot be used: with keep_tests
 * a compile error at its line; for `ipsfc test` from source, a test that
 * fails with the reason, as the runner always reported it. */
static void table_problem(Gen *g, uint32_t source, const char *path, uint32_t line,
                          uint32_t column, const char *name, bool is_case,
                          const char *problem) {
  Compilation *c = g->c;
  if (c->opt.keep_tests) {
    Span at = NO_SPAN;
    const Source *src = source != SPAN_NO_FILE ? c->sources.items[source] : NULL;
    if (src && line >= 1 && line <= src->line_count) {
      uint32_t start = src->line_starts[line - 1];
      /* the caret under the cell at fault, when it is known and on the line */
      uint32_t end = line < src->line_count ? src->line_starts[line] : (uint32_t)src->len;
      if (column > 1 && start + column - 1 < end) start += column - 1;
      at = (Span){source, start, start};
    }
    if (at.file == SPAN_NO_FILE)
      diag_error(&c->diags, at, "%s: the table of cases cannot be compiled into the pack: %s",
                 path, problem);
    else
      diag_error(&c->diags, at, "the table of cases cannot be compiled into the pack: %s",
                 problem);
    g->failed = true;
    return;
  }
  IpsfLoc loc = {intern(g, path), line, line ? 1u : 0u};
  IpsfTest *t = new_test(g, intern(g, name), IPSF_NONE, loc, is_case ? IPSF_TEST_CASE : 0);
  add_expect(t, IPSF_EXPECT_FAIL, IPSF_NONE, IPSF_NONE, intern(g, problem), loc);
}

static void table_row(Gen *g, uint32_t file, const Column *cols, const CsvRow *row) {
  Arena *a = &g->c->arena;
  const char *name = "", *profile = NULL;
  for (size_t i = 0; i < row->count; i++) {
    if (cols[i].kind == COL_NAME) name = row->fields[i];
    if (cols[i].kind == COL_PROFILE && row->fields[i][0]) profile = row->fields[i];
  }
  IpsfLoc loc = {file, row->line, 1};
  IpsfTest *t = new_test(g, intern(g, name), intern(g, profile), loc, IPSF_TEST_CASE);
  size_t error_col = SIZE_MAX; /* the runner judges the last expect:error cell */
  for (size_t i = 0; i < row->count; i++)
    if (cols[i].kind == COL_ERROR && row->fields[i][0]) error_col = i;
  for (size_t i = 0; i < row->count; i++) {
    const char *cell = row->fields[i];
    if (!cell[0]) continue; /* an empty cell: not given, no expectation */
    uint32_t value = intern(g, cell), title = intern(g, cols[i].title);
    uint32_t text = intern(g, arena_printf(a, "%s = %s", cols[i].title, cell));
    switch (cols[i].kind) {
    case COL_FACT: add_given(t, (IpsfTestGiven){IPSF_GIVEN_CELL, cols[i].index, value, title}); break;
    case COL_EVIDENCE: add_given(t, (IpsfTestGiven){IPSF_GIVEN_EVIDENCE, IPSF_NONE, value, title}); break;
    case COL_CATEGORY: add_expect(t, IPSF_EXPECT_CATEGORY, IPSF_NONE, text, value, loc); break;
    case COL_SCALE: add_expect(t, IPSF_EXPECT_LEVEL, cols[i].index, text, value, loc); break;
    case COL_REQUIREMENTS: add_expect(t, IPSF_EXPECT_REQUIREMENTS, IPSF_NONE, text, value, loc); break;
    case COL_ERROR:
      if (i == error_col) add_expect(t, IPSF_EXPECT_ERROR, IPSF_NONE, text, value, loc);
      break;
    default: break;
    }
  }
}

/* Read the table at `path` (a file that does not exist: no cases). */
static void build_test_table(Gen *g, const char *path) {
  Compilation *c = g->c;
  Arena *a = &c->arena;
  FILE *f = fopen(path, "rb");
  if (!f) return;
  char *text = NULL;
  size_t len = 0, cap = 0;
  for (;;) {
    if (len + 4096 > cap) {
      cap = cap ? cap * 2 : 8192;
      text = xrealloc_array(text, cap, 1);
    }
    size_t got = fread(text + len, 1, cap - len - 1, f);
    len += got;
    if (got == 0) break;
  }
  bool read_error = ferror(f) != 0 || len > UINT32_MAX;
  fclose(f);
  text[len] = '\0';
  CsvTable table;
  bool parsed = !read_error && csv_parse(a, text, len, &table);
  /* with keep_tests the table is a source of the compilation: errors show its lines */
  uint32_t source = SPAN_NO_FILE;
  if (c->opt.keep_tests && !read_error) source = sources_add(&c->sources, path, text, (uint32_t)len);
  else free(text);
  const char *problem = read_error ? "read error" : parsed ? NULL : table.error;
  if (!problem && table.count == 0) problem = "the table is empty (it needs a header line)";
  Column *cols = NULL;
  uint32_t header_line = 0, header_col = 0;
  if (!problem) {
    cols = arena_array(a, table.rows[0].count + 1, sizeof *cols);
    header_line = table.rows[0].line;
    if (!table_header(g, &table.rows[0], cols, &problem, &header_col) && !c->opt.keep_tests)
      problem = arena_printf(a, "line %u, %s", (unsigned)header_line, problem);
  }
  if (problem) {
    uint32_t line = 0, column = 0;
    if (c->opt.keep_tests) { /* located: at the header, or where the CSV is malformed */
      unsigned l = 0, col = 0;
      int skip = 0;
      line = header_line;
      column = header_col;
      if (!parsed && !read_error && sscanf(problem, "line %u, column %u: %n", &l, &col, &skip) == 2 &&
          skip > 0) {
        line = l;
        column = col;
        problem += skip;
      }
    }
    table_problem(g, source, path, line, column, path, false, problem);
    return;
  }
  uint32_t file = intern(g, path);
  for (size_t i = 1; i < table.count; i++) {
    const CsvRow *row = &table.rows[i];
    if (row->count != table.rows[0].count) {
      const char *name = "";
      for (size_t k = 0; k < row->count && k < table.rows[0].count; k++)
        if (cols[k].kind == COL_NAME) name = row->fields[k];
      table_problem(g, source, path, row->line, 0, name, true,
                    arena_printf(a, "the row has %zu cells, the header %zu", row->count,
                                 table.rows[0].count));
      continue;
    }
    table_row(g, file, cols, row);
  }
}

/* The tests as data: the blocks (imports first), then the table's rows. */
static void build_tests(Gen *g) {
  g->p->tests = xcalloc(1, sizeof *g->p->tests);
  g->p->tests->gate = g->test_gate;
  build_test_blocks(g);
  if (g->c->opt.cases) build_test_table(g, g->c->opt.cases);
}

/* ---- units ------------------------------------------------------------------------------ */

static void emit_let(Gen *g, uint32_t index) {
  const LetSym *l = &g->c->lets[index];
  mark_line(g, l->span);
  /* a bool let over a few slots: one LTABLE (codegen_tables.c) */
  if (!g->c->opt.no_tables && l->ty.kind == TY_BOOL) {
    const Expr *cond = l->decl->value;
    size_t one = 1;
    uint32_t t = codegen_table(g->p, IPSF_TABLE_LET, g->let_slot[index], 1, &cond, &one,
                               g->fact_slot, g->let_slot, g->scale_slot, true);
    if (t != IPSF_NONE) {
      emit(g, IPSF_OP_LTABLE, t);
      return;
    }
  }
  emit_as(g, l->decl->value, l->ty);
  emit(g, IPSF_OP_STORE, g->let_slot[index]);
}

/* The rules block of scale `index` as one RTABLE, when its conditions
 * allow an exact table that saves dispatches (codegen_tables.c); false:
 * emit the chain.  Off with CompileOptions.no_tables. */
static bool emit_rules_table(Gen *g, uint32_t index) {
  const ScaleSym *s = &g->c->scales[index];
  size_t n = s->rules->rule_count;
  if (g->c->opt.no_tables || n == 0 || n > 64) return false;
  const Expr *conds[64];
  for (size_t i = 0; i < n; i++) conds[i] = s->rules->rules[i].cond;
  uint32_t t = codegen_table(g->p, IPSF_TABLE_RULES, index, 1, conds, &n, g->fact_slot,
                             g->let_slot, g->scale_slot, true);
  if (t == IPSF_NONE) return false;
  /* RTABLE settles the scale too: "no rule matched" names the rules block
   * (a unique conflict names its rules, whatever the line) */
  mark_line(g, s->rules->name.span);
  emit(g, IPSF_OP_RTABLE, t);
  return true;
}

static void emit_scale(Gen *g, uint32_t index) {
  const ScaleSym *s = &g->c->scales[index];
  static const IpsfOpcode hit[] = {[IPSF_POLICY_WORST] = IPSF_OP_HITW,
                                   [IPSF_POLICY_FIRST] = IPSF_OP_HITF,
                                   [IPSF_POLICY_UNIQUE] = IPSF_OP_HITU};
  if (s->rules && emit_rules_table(g, index)) return;
  for (size_t i = 0; s->rules && i < s->rules->rule_count; i++) {
    const RuleDecl *r = &s->rules->rules[i];
    mark_line(g, r->span);
    bool never;
    uint32_t skip = emit_guard(g, r->cond, &never);
    if (never) continue;
    emit(g, hit[s->policy], g->rule_base[index] + (uint32_t)i);
    if (skip != UINT32_MAX) patch_jump(g, skip);
  }
  /* "no rule matched" names the rules block */
  if (s->rules) mark_line(g, s->rules->name.span);
  emit(g, IPSF_OP_SCALE, index);
}

/* The conditions of requirement q for a table, appended to conds from
 * *n (its applies, then each confirm line's when); false when it cannot
 * be in one (more than 63 confirm lines). */
static bool requirement_conds(Gen *g, uint32_t q, const Expr **conds, size_t *n, size_t *len) {
  const ReqSym *r = &g->c->reqs[q];
  if (r->confirm_count > 63) return false;
  conds[(*n)++] = r->applies;
  for (size_t i = 0; i < r->confirm_count; i++) conds[(*n)++] = r->confirms[i].when;
  *len = 1 + r->confirm_count;
  return true;
}

#define GROUP_MAX 16u /* requirements in one QTABLE */

/* Requirements from `first` as one QTABLE, as many consecutive ones as
 * one exact table can hold (codegen_tables.c): how many (0: none, emit
 * the code).  Not with coverage instrumentation (a store per confirm
 * line), nor for a lone requirement that never applies (no code at all). */
static uint32_t emit_requirement_table(Gen *g, uint32_t first) {
  Compilation *c = g->c;
  if (c->opt.no_tables || g->cover_slot) return 0;
  const Expr **conds = xcalloc(GROUP_MAX * 64, sizeof *conds);
  size_t lens[GROUP_MAX], n = 0;
  uint32_t span = 0;
  while (span < GROUP_MAX && first + span < c->req_count) {
    size_t at = n;
    if (!requirement_conds(g, first + span, conds, &n, &lens[span])) break;
    if (codegen_table(g->p, IPSF_TABLE_REQ, first, span + 1, conds, lens, g->fact_slot,
                      g->let_slot, g->scale_slot, false) == IPSF_NONE) {
      n = at;
      break;
    }
    span++;
  }
  Folded k;
  const ReqSym *r = &c->reqs[first];
  if (span == 1 && r->applies && fold(r->applies, &k) && !k.v.i) span = 0;
  uint32_t t = span ? codegen_table(g->p, IPSF_TABLE_REQ, first, span, conds, lens, g->fact_slot,
                                    g->let_slot, g->scale_slot, true)
                    : IPSF_NONE;
  free(conds);
  if (t == IPSF_NONE) return 0;
  /* the line of the first requirement (an unconfirmed one names its own) */
  mark_line(g, r->span);
  emit(g, IPSF_OP_QTABLE, t);
  return span;
}

static void emit_requirement(Gen *g, uint32_t index, uint32_t first_confirm) {
  const ReqSym *r = &g->c->reqs[index];
  mark_line(g, r->span);
  bool never;
  uint32_t end = emit_guard(g, r->applies, &never);
  if (never) return;
  emit(g, IPSF_OP_REQ, index);
  for (size_t i = 0; i < r->confirm_count; i++) {
    mark_line(g, r->confirms[i].span);
    bool skipped;
    uint32_t next = emit_guard(g, r->confirms[i].when, &skipped);
    if (skipped) continue;
    emit(g, IPSF_OP_CONFIRM, first_confirm + (uint32_t)i);
    if (g->cover_slot) emit_cover(g, first_confirm + (uint32_t)i, true);
    if (next != UINT32_MAX) patch_jump(g, next);
  }
  mark_line(g, r->span); /* "no confirm line matched" names the requirement */
  emit(g, IPSF_OP_REQEND, index);
  if (end != UINT32_MAX) patch_jump(g, end);
}

/* ---- tables ------------------------------------------------------------------------------ */

static uint32_t *intern_idents(Gen *g, const Ident *ids, size_t n) {
  uint32_t *out = xcalloc(n ? n : 1, sizeof *out);
  for (size_t i = 0; i < n; i++) out[i] = intern(g, ids[i].name);
  return out;
}

static const char *pack_entry(const Decl *pack, const char *key) {
  for (size_t i = 0; i < pack->entry_count; i++)
    if (strcmp(pack->entries[i].key.name, key) == 0) return pack->entries[i].value.text;
  return NULL;
}

static void build_meta(Gen *g) {
  const Decl *d = g->c->pack;
  IpsfMeta *m = &g->p->meta;
  m->name = intern(g, d->str.text);
  m->version = intern(g, d->str2.text);
  /* The rest of IPSF_META (pack.h): the pack entry of the same name. */
#define META_ENTRY(field, from_entry) \
  if (from_entry) m->field = intern(g, pack_entry(d, #field));
  IPSF_META(META_ENTRY)
#undef META_ENTRY
}

static void build_enums(Gen *g) {
  Compilation *c = g->c;
  g->p->enum_count = (uint32_t)c->enum_count;
  g->p->enums = xcalloc(c->enum_count + 1, sizeof *g->p->enums);
  for (size_t i = 0; i < c->enum_count; i++)
    g->p->enums[i] = (IpsfEnum){intern(g, c->enums[i].name), (uint32_t)c->enums[i].value_count,
                                intern_idents(g, c->enums[i].values, c->enums[i].value_count)};
}

static void build_facts(Gen *g) {
  Compilation *c = g->c;
  IpsfPack *p = g->p;
  p->fact_count = (uint32_t)c->fact_count;
  p->facts = xcalloc(c->fact_count + 1, sizeof *p->facts);
  for (size_t i = 0; i < c->fact_count; i++) {
    const FactSym *f = &c->facts[i];
    g->fact_slot[i] = add_slot(g, f->ty, IPSF_SLOT_FACT, f->name);
    uint32_t deflt = IPSF_NONE;
    Folded k;
    if (f->decl->deflt && fold(f->decl->deflt, &k)) {
      if (f->ty.kind == TY_NUMBER && k.ty.kind == TY_INT) k.v.n = (double)k.v.i;
      k.ty = f->ty;
      deflt = add_const(g, k);
    }
    p->facts[i] = (IpsfFact){intern(g, f->name), machine_type(f->ty), g->fact_slot[i], deflt,
                             intern(g, f->decl->doc.text)};
  }
}

static void build_slots(Gen *g) {
  Compilation *c = g->c;
  for (size_t i = 0; i < c->let_count; i++)
    g->let_slot[i] = add_slot(g, c->lets[i].ty, IPSF_SLOT_LET, c->lets[i].name);
  for (size_t i = 0; i < c->scale_count; i++)
    g->scale_slot[i] = add_slot(g, (Ty){TY_ENUM, c->scales[i].enum_id}, IPSF_SLOT_SCALE,
                                c->scales[i].name);
}

static void build_scales(Gen *g) {
  Compilation *c = g->c;
  IpsfPack *p = g->p;
  size_t rules = 0;
  for (size_t i = 0; i < c->scale_count; i++) rules += c->scales[i].rules ? c->scales[i].rules->rule_count : 0;
  p->scale_count = (uint32_t)c->scale_count;
  p->scales = xcalloc(c->scale_count + 1, sizeof *p->scales);
  p->rules = xcalloc(rules + 1, sizeof *p->rules);
  p->axis1 = p->axis2 = IPSF_NONE;
  for (size_t i = 0; i < c->scale_count; i++) {
    const ScaleSym *s = &c->scales[i];
    IpsfScale *out = &p->scales[i];
    size_t n = s->rules ? s->rules->rule_count : 0;
    g->rule_base[i] = p->rule_count;
    *out = (IpsfScale){intern(g, s->name), s->enum_id, (uint8_t)s->policy, (uint8_t)s->axis,
                       g->scale_slot[i], s->otherwise, {IPSF_NONE, 0, 0}, p->rule_count,
                       (uint32_t)n};
    if (s->rules && s->rules->otherwise.name) out->otherwise_loc = loc_of(g, s->rules->otherwise.span);
    if (s->axis == 1) p->axis1 = (uint32_t)i;
    if (s->axis == 2) p->axis2 = (uint32_t)i;
    for (size_t r = 0; r < n; r++) {
      const RuleDecl *rd = &s->rules->rules[r];
      p->rules[p->rule_count++] = (IpsfRule){(uint32_t)i, s->rule_levels[r],
                                             intern(g, rd->because.text), loc_of(g, rd->span)};
    }
  }
}

static void build_viewpoints(Gen *g) {
  Compilation *c = g->c;
  IpsfPack *p = g->p;
  p->viewpoint_count = (uint32_t)c->viewpoint_count;
  p->viewpoints = xcalloc(c->viewpoint_count + 1, sizeof *p->viewpoints);
  for (size_t i = 0; i < c->viewpoint_count; i++) {
    const Decl *d = c->viewpoints[i].decl;
    p->viewpoints[i] = (IpsfViewpoint){intern(g, d->name.name), (uint32_t)d->value_count,
                                       intern_idents(g, d->values, d->value_count)};
  }
}

static void build_requirements(Gen *g) {
  Compilation *c = g->c;
  IpsfPack *p = g->p;
  size_t confirms = 0;
  for (size_t i = 0; i < c->req_count; i++) confirms += c->reqs[i].confirm_count;
  p->requirement_count = (uint32_t)c->req_count;
  p->requirements = xcalloc(c->req_count + 1, sizeof *p->requirements);
  p->confirms = xcalloc(confirms + 1, sizeof *p->confirms);
  for (size_t i = 0; i < c->req_count; i++) {
    const ReqSym *r = &c->reqs[i];
    uint32_t *refs = xcalloc(r->ref_count + 1, sizeof *refs);
    for (size_t k = 0; k < r->ref_count; k++) refs[k] = intern(g, r->refs[k]);
    p->requirements[i] = (IpsfRequirement){
        intern(g, r->id), intern(g, r->decl->str.text), r->viewpoint, (uint32_t)r->ref_count, refs,
        intern(g, r->party), intern(g, r->doc), intern(g, r->basis), intern(g, r->citation),
        intern(g, r->confirmed_by), intern(g, r->subject), p->confirm_count,
        (uint32_t)r->confirm_count, loc_of(g, r->span)};
    for (size_t k = 0; k < r->confirm_count; k++) {
      const ConfirmSym *cf = &r->confirms[k];
      p->confirms[p->confirm_count++] = (IpsfConfirm){(uint32_t)i, cf->method,
                                                      (uint32_t)cf->every, loc_of(g, cf->span)};
    }
  }
}

/* The COMPENSATIONS section: one entry per resolved `compensated_by` name,
 * in requirement order, then source order (pack.h IpsfCompensation). */
static void build_compensations(Gen *g) {
  Compilation *c = g->c;
  IpsfPack *p = g->p;
  size_t n = 0;
  for (size_t i = 0; i < c->req_count; i++) n += c->reqs[i].comp_count;
  if (!n) return;
  p->compensations = xcalloc(n, sizeof *p->compensations);
  for (size_t i = 0; i < c->req_count; i++)
    for (size_t k = 0; k < c->reqs[i].comp_count; k++) {
      const CompensationSym *cs = &c->reqs[i].comps[k];
      if (cs->by == UINT32_MAX) continue;
      p->compensations[p->compensation_count++] = (IpsfCompensation){
          (uint32_t)i, cs->by, intern(g, cs->until), (uint32_t)cs->months};
    }
}

/* The usage profiles (section PROFILES): per profile its items in source
 * order, each a fact and a constant: the value it sets, converted to the
 * fact's type as a default is, or the set of values it allows. */
static void build_profiles(Gen *g) {
  Compilation *c = g->c;
  IpsfPack *p = g->p;
  size_t items = 0;
  for (size_t i = 0; i < c->profile_count; i++) items += c->profiles[i].decl->pitem_count;
  if (!c->profile_count) return;
  p->profiles = xcalloc(c->profile_count, sizeof *p->profiles);
  p->profile_items = xcalloc(items + 1, sizeof *p->profile_items);
  p->profile_count = (uint32_t)c->profile_count;
  for (size_t i = 0; i < c->profile_count; i++) {
    const ProfileSym *ps = &c->profiles[i];
    const Decl *d = ps->decl;
    IpsfProfile *out = &p->profiles[i];
    *out = (IpsfProfile){intern(g, ps->name), intern(g, d->str.text ? d->str.text : ps->name),
                         intern(g, ps->doc), p->profile_item_count, 0};
    for (size_t k = 0; k < d->pitem_count; k++) {
      Folded f;
      if (!ps->fact || ps->fact[k] == UINT32_MAX || !fold(d->pitems[k].value, &f)) continue;
      Ty fty = c->facts[ps->fact[k]].ty;
      bool sets = d->pitems[k].kind == PI_SETS;
      if (sets && fty.kind == TY_NUMBER && f.ty.kind == TY_INT) f.v.n = (double)f.v.i;
      f.ty = sets ? fty : (Ty){TY_SET, fty.enum_id};
      p->profile_items[p->profile_item_count++] = (IpsfProfileItem){
          (uint8_t)(sets ? IPSF_PROFILE_SETS : IPSF_PROFILE_ALLOWS), ps->fact[k], add_const(g, f)};
      out->item_count++;
    }
  }
}

/* ---- catalogs ----------------------------------------------------------------------- */

/* The CATALOGS section (runtime/pack.h): every catalog one of whose
 * provisions a requirement cites by id, whole, in load order.  Interned
 * after the code, and only when something is cited, so a pack that cites
 * no catalog keeps its strings, bytes and digest. */
static uint32_t provision_status(const char *name) {
  static const char *const names[] = {"mandatory", "recommended", "conditional", "informative"};
  for (uint32_t k = 0; k < IPSF_PROVISION__COUNT; k++)
    if (name && strcmp(name, names[k]) == 0) return k;
  return IPSF_PROVISION_INFORMATIVE; /* resolve.c rejected any other word */
}

/* The provision index a requirement's `ref ID;` item names, or -1. */
static long cited_provision(Compilation *c, const ReqSym *r, const ReqItem *it) {
  if (it->kind != RI_REF || !it->ident.name) return -1;
  SymEntry *e = lookup_name(c, &c->provision_map, r->module, it->ident.name);
  return e ? (long)e->index : -1;
}

static void build_provision(Gen *g, const ProvisionSym *ps, size_t index) {
  Compilation *c = g->c;
  IpsfProvision *q = &g->p->provisions[g->p->provision_count++];
  q->id = intern(g, ps->id);
  q->clause = intern(g, ps->decl->clause.text);
  q->title = intern(g, ps->decl->title.text);
  q->status = (uint8_t)provision_status(ps->decl->status.name);
  q->satisfied_by = xcalloc(ps->decl->satisfied_count + 1, sizeof *q->satisfied_by);
  for (size_t k = 0; k < ps->decl->satisfied_count; k++) {
    SymEntry *e = lookup_name(c, &c->provision_map, ps->module, ps->decl->satisfied_by[k].name);
    if (e) q->satisfied_by[q->satisfied_count++] = intern(g, c->provisions[e->index].id);
  }
  q->cited_by = xcalloc(c->req_count + 1, sizeof *q->cited_by);
  for (size_t i = 0; i < c->req_count; i++) {
    const ReqSym *r = &c->reqs[i];
    for (size_t k = 0; k < r->decl->item_count; k++)
      if (cited_provision(c, r, &r->decl->items[k]) == (long)index) {
        q->cited_by[q->cited_count++] = (uint32_t)i;
        break;
      }
  }
}

static const char *catalog_entry(const Decl *d, const char *key) {
  for (size_t k = 0; k < d->entry_count; k++)
    if (d->entries[k].key.name && strcmp(d->entries[k].key.name, key) == 0)
      return d->entries[k].value.text;
  return NULL;
}

static void build_catalogs(Gen *g) {
  Compilation *c = g->c;
  IpsfPack *p = g->p;
  if (!c->provision_count) return;
  bool *cited = arena_array(&c->arena, c->provision_count, sizeof *cited);
  for (size_t i = 0; i < c->req_count; i++)
    for (size_t k = 0; k < c->reqs[i].decl->item_count; k++) {
      long at = cited_provision(c, &c->reqs[i], &c->reqs[i].decl->items[k]);
      if (at >= 0) cited[at] = true;
    }
  /* a catalog's provisions are consecutive in c->provisions (declared together) */
  for (size_t i = 0; i < c->provision_count;) {
    const Decl *d = c->provisions[i].catalog;
    size_t end = i, any = 0;
    while (end < c->provision_count && c->provisions[end].catalog == d) any |= cited[end++];
    if (any) {
      if (!p->catalogs) {
        p->catalogs = xcalloc(c->provision_count + 1, sizeof *p->catalogs);
        p->provisions = xcalloc(c->provision_count + 1, sizeof *p->provisions);
      }
      IpsfCatalog *cat = &p->catalogs[p->catalog_count++];
      *cat = (IpsfCatalog){intern(g, d->str.text), intern(g, d->str2.text),
                           intern(g, catalog_entry(d, "date")), p->provision_count,
                           (uint32_t)(end - i)};
      for (size_t k = i; k < end; k++) build_provision(g, &c->provisions[k], k);
    }
    i = end;
  }
}

static void emit_code(Gen *g) {
  Compilation *c = g->c;
  for (uint32_t i = 0; g->cover_slot && i < g->p->confirm_count; i++) emit_cover(g, i, false);
  for (size_t i = 0; i < c->order_count; i++) {
    if (c->order[i].kind == SYM_LET) emit_let(g, c->order[i].index);
    else emit_scale(g, c->order[i].index);
  }
  for (size_t i = 0; i < c->req_count;) {
    uint32_t span = emit_requirement_table(g, (uint32_t)i);
    if (span) {
      i += span;
      continue;
    }
    emit_requirement(g, (uint32_t)i, g->p->requirements[i].first_confirm);
    i++;
  }
  if (g->test_gate != IPSF_NONE) emit_tests(g);
  emit(g, IPSF_OP_RET, 0);
  /* Fuse what the opcode table has fused forms for (opcodes.c); out of
   * memory there leaves the plain code, which is as valid. */
  if (!g->failed) ipsf_fuse_code(g->p);
  g->p->max_stack = g->max_depth ? g->max_depth : 1;
  if (g->max_depth > IPSF_MAX_STACK) {
    diag_error(&c->diags, c->pack->span,
               "an expression is nested too deeply: it needs a stack of %u (at most %u)",
               g->max_depth, IPSF_MAX_STACK);
    g->failed = true;
  }
}

bool codegen_pack(Compilation *c, IpsfPack **out) {
  Gen g = {.c = c, .test_gate = IPSF_NONE};
  g.p = xcalloc(1, sizeof *g.p);
  g.fact_slot = arena_array(&c->arena, c->fact_count + 1, sizeof(uint32_t));
  g.let_slot = arena_array(&c->arena, c->let_count + 1, sizeof(uint32_t));
  g.scale_slot = arena_array(&c->arena, c->scale_count + 1, sizeof(uint32_t));
  g.rule_base = arena_array(&c->arena, c->scale_count + 1, sizeof(uint32_t));
  g.extern_native = arena_array(&c->arena, c->native_count + 1, sizeof(uint32_t));
  build_meta(&g);
  build_enums(&g);
  build_facts(&g);
  build_slots(&g);
  build_scales(&g);
  build_viewpoints(&g);
  build_requirements(&g);
  build_compensations(&g);
  build_profiles(&g);
  if (c->opt.with_tests) build_test_slots(&g);
  emit_code(&g);
  build_catalogs(&g);
  if (c->opt.with_tests && !g.failed) build_tests(&g);
  if (g.failed) {
    ipsf_pack_free(g.p);
    return false;
  }
  *out = g.p;
  return true;
}
