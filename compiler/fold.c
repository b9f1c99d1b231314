/*
 * fold.c -- the value of a constant expression, as the VM would compute it.
 *
 * Codegen folds constant subexpressions into LOADK, the type checker checks
 * that a fact's default and a test's `given` can be computed, the analyzer
 * reads thresholds and defaults, and the test runner sets givens: all ask
 * here, and the arithmetic is runtime/arith.h, the VM's own.
 *
 * The rule is Lua's validop: an expression is folded only if computing it
 * cannot raise.  One that would raise (`1 / 0`, `9223372036854775807 + 1`)
 * is FOLD_RAISES: codegen leaves it to run time, where it is the same
 * `arithmetic` error record the same values from facts give; only where a
 * value is needed before run time (a default, a given) is it a compile
 * error.  The evaluation order is the VM's: `and`/`or` stop at a deciding
 * left operand, `if` computes only the branch taken, so `false and 1/0 > 0`
 * folds to false exactly as it evaluates.
 */
#include <string.h>

#include "arith.h"
#include "sema.h"

static FoldStatus fold(const Expr *e, Folded *out, FoldRaise *raise);

static double as_number(Folded f) { return f.ty.kind == TY_INT ? (double)f.v.i : f.v.n; }

static FoldStatus raised(const Expr *e, IpsfArithStatus why, FoldRaise *raise) {
  if (raise) *raise = (FoldRaise){e, why};
  return FOLD_RAISES;
}

static FoldStatus fold_set(const Expr *e, Folded *out, FoldRaise *raise) {
  uint64_t mask = 0;
  for (size_t i = 0; i < e->item_count; i++) {
    Folded item;
    FoldStatus s = fold(e->items[i], &item, raise);
    if (s != FOLD_OK) return s;
    mask |= (uint64_t)1 << item.v.i;
  }
  out->ty = e->ty;
  out->v.m = mask;
  return FOLD_OK;
}

/* `+ - * / %`: an int result when both sides are ints (sema typed it so),
 * else both sides as numbers, as the VM's I2N makes them. */
static FoldStatus fold_arith(const Expr *e, Folded a, Folded b, Folded *out, FoldRaise *raise) {
  IpsfArithOp op = (IpsfArithOp)(e->op - OP_ADD);
  IpsfArithStatus s;
  out->ty = e->ty;
  if (e->ty.kind == TY_INT) s = ipsf_arith_int(op, a.v.i, b.v.i, &out->v.i);
  else s = ipsf_arith_num(op, as_number(a), as_number(b), &out->v.n);
  return s == IPSF_ARITH_OK ? FOLD_OK : raised(e, s, raise);
}

static int compare_folded(Folded a, Folded b) {
  if (a.ty.kind == TY_NUMBER || b.ty.kind == TY_NUMBER) {
    double x = as_number(a), y = as_number(b);
    return (x > y) - (x < y);
  }
  if (a.ty.kind == TY_STRING) return strcmp(a.v.s, b.v.s) != 0;
  if (a.ty.kind == TY_SET) return a.v.m != b.v.m;
  return (a.v.i > b.v.i) - (a.v.i < b.v.i);
}

static FoldStatus fold_compare(const Expr *e, Folded a, Folded b, Folded *out) {
  int cmp = compare_folded(a, b);
  bool r = false;
  switch (e->op) {
  case OP_EQ: r = cmp == 0; break;
  case OP_NE: r = cmp != 0; break;
  case OP_LT: r = cmp < 0; break;
  case OP_LE: r = cmp <= 0; break;
  case OP_GT: r = cmp > 0; break;
  case OP_GE: r = cmp >= 0; break;
  default: return FOLD_NONE;
  }
  out->ty = (Ty){TY_BOOL, 0};
  out->v.i = r;
  return FOLD_OK;
}

static FoldStatus fold_binary(const Expr *e, Folded *out, FoldRaise *raise) {
  Folded a, b;
  FoldStatus s;
  if (e->op == OP_IN) {
    /* `x in {}` before the set met a type: false whatever x is */
    if (e->b2->kind == EX_SET && e->b2->ty.kind != TY_SET && e->b2->item_count == 0) {
      *out = (Folded){{TY_BOOL, 0}, {.i = 0}};
      return FOLD_OK;
    }
    if (e->b2->ty.kind != TY_SET) return FOLD_NONE; /* a list of ints, numbers or strings */
    if ((s = fold(e->a, &a, raise)) != FOLD_OK || (s = fold(e->b2, &b, raise)) != FOLD_OK)
      return s;
    *out = (Folded){{TY_BOOL, 0}, {.i = (int64_t)((b.v.m >> a.v.i) & 1)}};
    return FOLD_OK;
  }
  if (e->op == OP_AND || e->op == OP_OR) {
    /* `false and x` is false, `true or x` is true, whatever x is */
    if ((s = fold(e->a, &a, raise)) != FOLD_OK) return s;
    bool stop = e->op == OP_AND ? a.v.i == 0 : a.v.i != 0;
    if (stop) {
      *out = a;
      return FOLD_OK;
    }
    return fold(e->b2, out, raise);
  }
  if ((s = fold(e->a, &a, raise)) != FOLD_OK || (s = fold(e->b2, &b, raise)) != FOLD_OK)
    return s;
  if (e->op >= OP_ADD) return fold_arith(e, a, b, out, raise);
  return fold_compare(e, a, b, out);
}

static FoldStatus fold_unary(const Expr *e, Folded *out, FoldRaise *raise) {
  Folded a;
  FoldStatus s = fold(e->a, &a, raise);
  if (s != FOLD_OK) return s;
  *out = a;
  if (e->op == OP_NOT) {
    out->v.i = !a.v.i;
    return FOLD_OK;
  }
  if (a.ty.kind == TY_NUMBER) {
    out->v.n = -a.v.n;
    return FOLD_OK;
  }
  IpsfArithStatus st = ipsf_negi(a.v.i, &out->v.i);
  return st == IPSF_ARITH_OK ? FOLD_OK : raised(e, st, raise);
}

static FoldStatus fold(const Expr *e, Folded *out, FoldRaise *raise) {
  switch (e->kind) {
  case EX_INT: *out = (Folded){e->ty, {.i = e->i}}; return FOLD_OK;
  case EX_NUMBER: *out = (Folded){e->ty, {.n = e->n}}; return FOLD_OK;
  case EX_BOOL: *out = (Folded){e->ty, {.i = e->b}}; return FOLD_OK;
  case EX_STRING: *out = (Folded){e->ty, {.s = e->str}}; return FOLD_OK;
  case EX_NAME:
    if (e->ref != REF_ENUM_VALUE) return FOLD_NONE;
    *out = (Folded){e->ty, {.i = e->ref_index}};
    return FOLD_OK;
  case EX_SET:
    if (e->ty.kind != TY_SET && e->ty.kind != TY_EMPTY_SET) return FOLD_NONE;
    return fold_set(e, out, raise);
  case EX_UNARY: return fold_unary(e, out, raise);
  case EX_BINARY: return fold_binary(e, out, raise);
  case EX_IF: {
    Folded cond;
    FoldStatus s = fold(e->a, &cond, raise);
    if (s != FOLD_OK) return s;
    return fold(cond.v.i ? e->b2 : e->c, out, raise);
  }
  default: return FOLD_NONE;
  }
}

FoldStatus fold_expr(const Expr *e, Folded *out, FoldRaise *raise) {
  return fold(e, out, raise);
}

bool fold_value(const Expr *e, Ty *ty, IpsfValue *value) {
  Folded k;
  if (fold(e, &k, NULL) != FOLD_OK) return false;
  *ty = k.ty;
  *value = k.v;
  return true;
}
