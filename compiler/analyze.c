/*
 * analyze.c -- static analysis of a checked rule pack: gaps, overlaps, dead,
 * shadowed and redundant rules, monotonicity, requirements that never
 * apply, confirm lines that never win, unused declarations.
 *
 * THE METHOD.  Every fact's domain is cut into finitely many *cells* such
 * that every condition of the pack has one truth value per combination of
 * cells (a cell's representative value stands for all of it):
 *
 *   bool             false, true
 *   enum             each value
 *   set of enum      each member is its own variable: in, not in
 *   int, number      the thresholds the pack compares the fact with, after
 *                    folding, also through lets, fns and single-variable
 *                    linear expressions (`2 * x + 1 > 9` gives x's
 *                    threshold 4): each threshold is a cell, and so is each
 *                    open interval between two (for ints: floor and ceil of
 *                    a non-integral threshold)
 *   string           each literal it is compared with, and "anything else"
 *
 * Lets and scales are not variables: they are computed from the facts.  A
 * question ("is there an input where no rule of this block matches?") is a
 * depth-first search over the cells of only the variables the conditions
 * read, with pruning by partial evaluation: an expression evaluates to a
 * value, a range (ints, enums, levels: `recovery` may be known to lie in
 * serious..fatal) or unknown, so a branch stops as soon as the question is
 * decided there.  The variable to branch on is the first unassigned one an
 * undecided condition read.
 *
 * HONESTY.  A witness (a gap, an overlap, a decrease) is a concrete input
 * and is re-evaluated from scratch, the whole pack in the VM's order,
 * before it is reported: a finding is never wrong.  A claim that no
 * witness exists (no gap; a rule that can never match) holds only if the
 * cells are exact for every fact involved: a fact compared non-linearly
 * (`x * y > 3`, `x > y`), through a number expression that is not a plain
 * comparison, or a string given to a string function makes the partition
 * approximate.  Then, and when a search exceeds its work bound, the check
 * says "not analysed" (IPSF-W100) rather than "no finding".  Inputs on
 * which evaluation fails (division by zero, overflow) are no witnesses.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "arith.h"
#include "report.h"
#include "sema.h"

/* ---- partial values ------------------------------------------------------------ */

enum { PV_UNK, PV_INT, PV_NUM, PV_STR, PV_SET, PV_ERR };
/* Why an evaluation failed (PV_ERR). */
enum { E_ARITH = 1, E_GAP, E_UNIQUE, E_CONFIRM };

typedef struct {
  uint8_t k;       /* PV_* */
  uint8_t err;     /* PV_ERR: E_* */
  uint32_t unit;   /* PV_ERR: the scale (E_GAP, E_UNIQUE) or requirement (E_CONFIRM) */
  int64_t lo, hi;  /* PV_INT (bool, int, enum, level): the value lies in lo..hi */
  double n;        /* PV_NUM */
  const char *s;   /* PV_STR */
  uint64_t known;  /* PV_SET: which bits are known (bits beyond the enum: known 0) */
  uint64_t val;    /* PV_SET: the known bits' values */
  int32_t var;     /* PV_SET: variable of member 0 when the set is a fact, else -1 */
} PV;

static PV pv_unk(void) { return (PV){.k = PV_UNK, .var = -1}; }
static PV pv_int(int64_t lo, int64_t hi) { return (PV){.k = PV_INT, .lo = lo, .hi = hi, .var = -1}; }
static PV pv_num(double n) { return (PV){.k = PV_NUM, .n = n, .var = -1}; }
static PV pv_str(const char *s) { return (PV){.k = PV_STR, .s = s, .var = -1}; }
static PV pv_err(int why, uint32_t unit) { return (PV){.k = PV_ERR, .err = (uint8_t)why, .unit = unit, .var = -1}; }
static PV pv_bool3(int v) { return v < 0 ? pv_int(0, 1) : pv_int(v, v); }
static bool is_known_int(PV p) { return p.k == PV_INT && p.lo == p.hi; }
static bool pv_known(PV p) {
  return (p.k == PV_INT && p.lo == p.hi) || p.k == PV_NUM || p.k == PV_STR ||
         (p.k == PV_SET && p.known == ~UINT64_C(0));
}
/* -1 unknown, 0 false, 1 true */
static int truth(PV p) { return is_known_int(p) ? p.lo != 0 : -1; }

/* ---- the analyser's state ---------------------------------------------------------- */

typedef struct {
  int kind;            /* TY_* of the fact */
  uint32_t n;          /* enum and set: value count */
  int32_t var;         /* its (first) variable */
  bool inexact;        /* some use is not covered by the cells */
  bool has_default;
  IpsfValue deflt;
  int64_t *ith; size_t nith, cith;     /* int thresholds */
  double *nth; size_t nnth, cnth;      /* number thresholds */
  const char **lit; size_t nlit, clit; /* string literals */
} FactInfo;

typedef struct {
  uint32_t fact;
  int32_t member;      /* set member, or -1 */
  uint32_t ncells;
  IpsfValue *rep;      /* int, number, string: a representative per cell */
  uint32_t *order;     /* cells in the order to try (the default's first) */
} Var;

#define MAX_FRAMES 64

typedef struct {
  Compilation *c;
  FactInfo *fi;
  Var *vars;
  uint32_t nvars;
  int32_t *cell;            /* per variable: cell index, -1 unassigned */
  bool complete;            /* read unassigned facts as their defaults */
  uint32_t gen;             /* bumped at every change of the assignment */
  PV *let_pv; uint32_t *let_gen; int32_t *let_want;
  PV *scale_pv; uint32_t *scale_gen; int32_t *scale_want;
  PV *frames[MAX_FRAMES];
  int nframes;
  int32_t want;             /* first unassigned variable read */
  int32_t branch;           /* the variable a judge wants to branch on */
  uint64_t work, work_limit, nodes, node_limit;
  bool bound, stuck;
  size_t words;             /* of a fact bitset */
  uint64_t **let_deps, **scale_deps, **fn_deps;
  uint8_t *let_dstate, *scale_dstate, *fn_dstate;
  uint64_t *inexact;        /* bitset of inexact facts */
  const Expr **dkey;        /* cache: expression -> its fact bitset */
  uint64_t **dval;
  size_t dcap, dcount;
  size_t findings;
} An;

static void want(An *a, int32_t var) {
  if (a->want < 0) a->want = var;
}

/* ---- reading facts ----------------------------------------------------------------- */

static IpsfValue fact_default(const FactInfo *f) {
  IpsfValue v = {0};
  if (f->has_default) return f->deflt;
  if (f->kind == TY_STRING) v.s = "";
  return v;
}

static PV fact_value(An *a, uint32_t fact) {
  FactInfo *f = &a->fi[fact];
  if (f->kind == TY_SET) {
    PV p = {.k = PV_SET, .var = f->var};
    uint64_t full = f->n >= 64 ? ~UINT64_C(0) : (UINT64_C(1) << f->n) - 1;
    p.known = ~full;
    uint64_t d = fact_default(f).m;
    for (uint32_t m = 0; m < f->n; m++) {
      int32_t c = a->cell[f->var + (int32_t)m];
      if (c < 0 && !a->complete) continue;
      bool in = c < 0 ? (d >> m) & 1 : c == 1;
      p.known |= UINT64_C(1) << m;
      if (in) p.val |= UINT64_C(1) << m;
    }
    return p;
  }
  int32_t c = a->cell[f->var];
  const Var *v = &a->vars[f->var];
  if (c < 0 && a->complete) {
    IpsfValue d = fact_default(f);
    switch (f->kind) {
    case TY_NUMBER: return pv_num(d.n);
    case TY_STRING: return pv_str(d.s);
    default: return pv_int(d.i, d.i);
    }
  }
  if (c < 0) {
    want(a, f->var);
    switch (f->kind) {
    case TY_BOOL: return pv_int(0, 1);
    case TY_ENUM: return pv_int(0, (int64_t)f->n - 1);
    case TY_INT: return pv_int(INT64_MIN, INT64_MAX);
    default: return pv_unk();
    }
  }
  switch (f->kind) {
  case TY_BOOL:
  case TY_ENUM: return pv_int(c, c);
  case TY_INT: return pv_int(v->rep[c].i, v->rep[c].i);
  case TY_NUMBER: return pv_num(v->rep[c].n);
  default: return pv_str(v->rep[c].s);
  }
}

/* ---- evaluation ---------------------------------------------------------------------- */

static PV ev(An *a, const Expr *e);

static PV to_num(PV p) {
  if (p.k == PV_INT) return is_known_int(p) ? pv_num((double)p.lo) : pv_unk();
  return p;
}

static PV let_value(An *a, uint32_t i) {
  if (a->let_gen[i] == a->gen) {
    if (a->let_want[i] >= 0) want(a, a->let_want[i]);
    return a->let_pv[i];
  }
  int32_t saved = a->want;
  a->want = -1;
  const LetSym *l = &a->c->lets[i];
  PV v = ev(a, l->decl->value);
  if (l->ty.kind == TY_NUMBER) v = to_num(v);
  a->let_pv[i] = v;
  a->let_want[i] = pv_known(v) || v.k == PV_ERR ? -1 : a->want;
  a->let_gen[i] = a->gen;
  a->want = saved;
  if (a->let_want[i] >= 0) want(a, a->let_want[i]);
  return v;
}

/* A rules block under the current (partial) assignment: the range of the
 * levels it can produce on inputs that do not fail, or a definite error. */
static PV eval_block(An *a, uint32_t si) {
  const ScaleSym *s = &a->c->scales[si];
  const Decl *d = s->rules;
  bool has_o = s->otherwise != UINT32_MAX;
  int64_t o = has_o ? (int64_t)s->otherwise : 0;
  int64_t tmax = -1, umax = -1, umin = INT64_MAX, first_true = -1;
  bool any_t = false, any_u = false, winner = false;
  /* first: the levels that can win; unique: the first true level */
  int64_t flo = INT64_MAX, fhi = -1;
  for (size_t i = 0; d && i < d->rule_count; i++) {
    int64_t L = s->rule_levels[i];
    PV p = ev(a, d->rules[i].cond);
    if (p.k == PV_ERR) return p;
    int t = truth(p);
    if (t == 0) continue;
    if (s->policy == IPSF_POLICY_FIRST && !winner) {
      flo = L < flo ? L : flo;
      fhi = L > fhi ? L : fhi;
      if (t == 1) winner = true;
    }
    if (t == 1) {
      if (s->policy == IPSF_POLICY_UNIQUE) {
        if (first_true >= 0 && first_true != L) return pv_err(E_UNIQUE, si);
        if (first_true < 0) first_true = L;
      }
      any_t = true;
      tmax = L > tmax ? L : tmax;
    } else {
      any_u = true;
      umax = L > umax ? L : umax;
      umin = L < umin ? L : umin;
    }
  }
  if (!any_t && !any_u) return has_o ? pv_int(o, o) : pv_err(E_GAP, si);
  switch (s->policy) {
  case IPSF_POLICY_FIRST:
    if (!winner && has_o) {
      flo = o < flo ? o : flo;
      fhi = o > fhi ? o : fhi;
    }
    return pv_int(flo, fhi);
  case IPSF_POLICY_UNIQUE:
    if (any_t) return pv_int(first_true, first_true);
    if (has_o) {
      umin = o < umin ? o : umin;
      umax = o > umax ? o : umax;
    }
    return pv_int(umin, umax);
  default:
    if (any_t) return pv_int(tmax, umax > tmax ? umax : tmax);
    if (has_o) {
      umin = o < umin ? o : umin;
      umax = o > umax ? o : umax;
    }
    return pv_int(umin, umax);
  }
}

static PV scale_value(An *a, uint32_t i) {
  if (a->scale_gen[i] == a->gen) {
    if (a->scale_want[i] >= 0) want(a, a->scale_want[i]);
    return a->scale_pv[i];
  }
  int32_t saved = a->want;
  a->want = -1;
  PV v = eval_block(a, i);
  a->scale_pv[i] = v;
  a->scale_want[i] = pv_known(v) || v.k == PV_ERR ? -1 : a->want;
  a->scale_gen[i] = a->gen;
  a->want = saved;
  if (a->scale_want[i] >= 0) want(a, a->scale_want[i]);
  return v;
}

static int64_t min64(int64_t x, int64_t y) { return x < y ? x : y; }
static int64_t max64(int64_t x, int64_t y) { return x > y ? x : y; }

/* `+ - * / %` through runtime/arith.h, the VM's own operations, so a value
 * the analyser computes is the value the VM computes, and an input on which
 * the VM raises is PV_ERR here. */
static PV arith(An *a, const Expr *e) {
  PV x = ev(a, e->a), y = ev(a, e->b2);
  if (x.k == PV_ERR) return x;
  if (y.k == PV_ERR) return y;
  IpsfArithOp op = (IpsfArithOp)(e->op - OP_ADD);
  if (e->ty.kind == TY_NUMBER) {
    x = to_num(x);
    y = to_num(y);
    if (x.k != PV_NUM || y.k != PV_NUM) return pv_unk();
    double r;
    return ipsf_arith_num(op, x.n, y.n, &r) == IPSF_ARITH_OK ? pv_num(r) : pv_err(E_ARITH, 0);
  }
  if (!is_known_int(x) || !is_known_int(y)) return pv_int(INT64_MIN, INT64_MAX);
  int64_t r;
  if (ipsf_arith_int(op, x.lo, y.lo, &r) != IPSF_ARITH_OK) return pv_err(E_ARITH, 0);
  return pv_int(r, r);
}

/* Compare two values of type t with op (EQ..GE). */
static PV compare_pv(An *a, ExprOp op, TyKind t, PV x, PV y) {
  if (x.k == PV_ERR) return x;
  if (y.k == PV_ERR) return y;
  int cmp = 2; /* 2: unknown; else -1, 0, 1 */
  bool ne_known = false; /* known to differ, order unknown (strings, sets) */
  if (t == TY_NUMBER) {
    x = to_num(x);
    y = to_num(y);
    if (x.k == PV_NUM && y.k == PV_NUM) cmp = (x.n > y.n) - (x.n < y.n);
  } else if (t == TY_STRING) {
    if (x.k == PV_STR && y.k == PV_STR) cmp = strcmp(x.s, y.s) != 0;
  } else if (t == TY_SET || t == TY_EMPTY_SET) {
    if (x.k == PV_SET && y.k == PV_SET) {
      uint64_t both = x.known & y.known;
      if (both & (x.val ^ y.val)) ne_known = true;
      else if (both == ~UINT64_C(0)) cmp = 0;
      else {
        uint64_t unknown = ~both;
        int m = __builtin_ctzll(unknown);
        if (!((x.known >> m) & 1) && x.var >= 0) want(a, x.var + m);
        else if (y.var >= 0) want(a, y.var + m);
      }
    }
  } else if (x.k == PV_INT && y.k == PV_INT) {
    if (x.lo == x.hi && y.lo == y.hi) cmp = (x.lo > y.lo) - (x.lo < y.lo);
    else {
      /* ranges */
      switch (op) {
      case OP_LT: return pv_bool3(x.hi < y.lo ? 1 : x.lo >= y.hi ? 0 : -1);
      case OP_LE: return pv_bool3(x.hi <= y.lo ? 1 : x.lo > y.hi ? 0 : -1);
      case OP_GT: return pv_bool3(x.lo > y.hi ? 1 : x.hi <= y.lo ? 0 : -1);
      case OP_GE: return pv_bool3(x.lo >= y.hi ? 1 : x.hi < y.lo ? 0 : -1);
      case OP_EQ: return pv_bool3(x.hi < y.lo || y.hi < x.lo ? 0 : -1);
      default: return pv_bool3(x.hi < y.lo || y.hi < x.lo ? 1 : -1);
      }
    }
  }
  if (ne_known) return pv_bool3(op == OP_NE);
  if (cmp == 2) return pv_int(0, 1);
  switch (op) {
  case OP_EQ: return pv_bool3(cmp == 0);
  case OP_NE: return pv_bool3(cmp != 0);
  case OP_LT: return pv_bool3(cmp < 0);
  case OP_LE: return pv_bool3(cmp <= 0);
  case OP_GT: return pv_bool3(cmp > 0);
  default: return pv_bool3(cmp >= 0);
  }
}

static TyKind operand_kind(const Expr *e) {
  Ty x = e->a->ty, y = e->b2->ty;
  if (x.kind == TY_NUMBER || y.kind == TY_NUMBER) return TY_NUMBER;
  if (x.kind == TY_EMPTY_SET) return y.kind;
  return x.kind;
}

/* `x in {a, b}` compiled as x == a or x == b (lists of ints, numbers,
 * strings; enum sets with variable members) */
static PV in_list(An *a, const Expr *e) {
  const Expr *list = e->b2;
  TyKind t = list->ty.kind == TY_SET ? e->a->ty.kind : list->ty.kind;
  for (size_t i = 0; i < list->item_count; i++)
    if (list->items[i]->ty.kind == TY_NUMBER) t = TY_NUMBER;
  PV x = ev(a, e->a);
  if (x.k == PV_ERR) return x;
  int acc = 0;
  for (size_t i = 0; i < list->item_count; i++) {
    PV y = ev(a, list->items[i]);
    PV eq = compare_pv(a, OP_EQ, t, x, y);
    if (eq.k == PV_ERR) {
      if (acc == 0) return eq;
      continue; /* reached only if acc is false: unknown */
    }
    int v = truth(eq);
    if (v == 1 && acc == 0) return pv_int(1, 1);
    if (v != 0) acc = -1;
  }
  return pv_bool3(acc);
}

static PV membership(An *a, PV x, PV s) {
  if (x.k == PV_ERR) return x;
  if (s.k == PV_ERR) return s;
  if (x.k != PV_INT || s.k != PV_SET) return pv_int(0, 1);
  if (x.lo == x.hi) {
    int m = (int)x.lo;
    if ((s.known >> m) & 1) return pv_bool3((int)((s.val >> m) & 1));
    if (s.var >= 0) want(a, s.var + m);
    return pv_int(0, 1);
  }
  bool all = true, none = true;
  for (int64_t m = x.lo; m <= x.hi && m < 64; m++) {
    if (!((s.known >> m) & 1)) return pv_int(0, 1);
    if ((s.val >> m) & 1) none = false;
    else all = false;
  }
  return pv_bool3(all ? 1 : none ? 0 : -1);
}

static PV logic(An *a, const Expr *e) {
  bool is_and = e->op == OP_AND;
  int32_t saved = a->want;
  PV x = ev(a, e->a);
  if (x.k == PV_ERR) return x;
  int tx = truth(x);
  if (tx == (is_and ? 0 : 1)) {
    a->want = saved;
    return x;
  }
  PV y = ev(a, e->b2);
  if (tx == (is_and ? 1 : 0)) return y;
  if (y.k == PV_ERR) return pv_int(0, 1);
  int ty = truth(y);
  if (ty == (is_and ? 0 : 1)) {
    a->want = saved;
    return y;
  }
  return pv_int(0, 1);
}

static PV join(PV x, PV y) {
  if (x.k == PV_ERR || y.k == PV_ERR) {
    PV o = x.k == PV_ERR ? y : x;
    return o.k == PV_INT ? pv_int(INT64_MIN, INT64_MAX) : pv_unk();
  }
  if (x.k == PV_INT && y.k == PV_INT) return pv_int(min64(x.lo, y.lo), max64(x.hi, y.hi));
  if (x.k == PV_NUM && y.k == PV_NUM && x.n == y.n) return x;
  if (x.k == PV_STR && y.k == PV_STR && strcmp(x.s, y.s) == 0) return x;
  if (x.k == PV_SET && y.k == PV_SET) {
    PV o = x;
    o.known = x.known & y.known & ~(x.val ^ y.val);
    o.val = x.val & o.known;
    o.var = x.var == y.var ? x.var : -1;
    return o;
  }
  return pv_unk();
}

static PV ev_if(An *a, const Expr *e) {
  int32_t saved = a->want;
  PV c = ev(a, e->a);
  if (c.k == PV_ERR) return c;
  int t = truth(c);
  PV r;
  if (t >= 0) {
    a->want = saved;
    r = ev(a, t ? e->b2 : e->c);
  } else {
    r = join(ev(a, e->b2), ev(a, e->c));
  }
  if (e->ty.kind == TY_NUMBER) r = to_num(r);
  return r;
}

static PV as_type(PV p, Ty t) { return t.kind == TY_NUMBER ? to_num(p) : p; }

static PV call_fn(An *a, const Expr *e) {
  const FnSym *f = &a->c->fns[e->ref_index];
  if (a->nframes >= MAX_FRAMES) return pv_unk();
  PV *args = arena_array(&a->c->arena, e->item_count + 1, sizeof *args);
  for (size_t i = 0; i < e->item_count; i++) {
    args[i] = as_type(ev(a, e->items[i]), f->params[i]);
    if (args[i].k == PV_ERR) return args[i];
  }
  a->frames[a->nframes++] = args;
  PV r = as_type(ev(a, f->decl->value), f->result);
  a->nframes--;
  return r;
}

static char *lower_copy(An *a, const char *s) {
  char *d = arena_strdup(&a->c->arena, s);
  for (char *p = d; *p; p++)
    if (*p >= 'A' && *p <= 'Z') *p = (char)(*p - 'A' + 'a');
  return d;
}

/* An extern, or a built-in on the native path: its arguments' errors, else
 * an unknown value (the search reports what it cannot decide as not
 * analysed rather than guess). */
static PV call_opaque(An *a, const Expr *e) {
  for (size_t i = 0; i < e->item_count; i++) {
    PV x = ev(a, e->items[i]);
    if (x.k == PV_ERR) return x;
  }
  return pv_unk();
}

static PV call_builtin(An *a, const Expr *e) {
  switch ((Builtin)e->ref_index) {
  case BI_MIN:
  case BI_MAX: {
    bool is_min = e->ref_index == BI_MIN;
    PV r = as_type(ev(a, e->items[0]), e->ty);
    for (size_t i = 1; i < e->item_count; i++) {
      PV y = as_type(ev(a, e->items[i]), e->ty);
      if (r.k == PV_ERR) return r;
      if (y.k == PV_ERR) return y;
      if (r.k == PV_INT && y.k == PV_INT)
        r = is_min ? pv_int(min64(r.lo, y.lo), min64(r.hi, y.hi))
                   : pv_int(max64(r.lo, y.lo), max64(r.hi, y.hi));
      else if (r.k == PV_NUM && y.k == PV_NUM)
        r = pv_num(is_min ? (r.n < y.n ? r.n : y.n) : (r.n > y.n ? r.n : y.n));
      else
        r = pv_unk();
    }
    return r;
  }
  case BI_ABS: {
    PV x = ev(a, e->items[0]);
    if (x.k == PV_ERR) return x;
    if (e->ty.kind == TY_NUMBER) return x.k == PV_NUM ? pv_num(fabs(x.n)) : pv_unk();
    if (!is_known_int(x)) return pv_int(INT64_MIN, INT64_MAX);
    int64_t r;
    if (ipsf_absi(x.lo, &r) != IPSF_ARITH_OK) return pv_err(E_ARITH, 0);
    return pv_int(r, r);
  }
  case BI_COUNT: {
    PV s = ev(a, e->items[0]);
    if (s.k == PV_ERR) return s;
    if (s.k != PV_SET) return pv_int(0, 64);
    int lo = __builtin_popcountll(s.val & s.known);
    int unk = __builtin_popcountll(~s.known);
    if (unk && s.var >= 0) want(a, s.var + __builtin_ctzll(~s.known));
    return pv_int(lo, lo + unk);
  }
  case BI_LOWER: {
    PV x = ev(a, e->items[0]);
    if (x.k != PV_STR) return x.k == PV_ERR ? x : pv_unk();
    return pv_str(lower_copy(a, x.s));
  }
  default: {
    PV x = ev(a, e->items[0]), y = ev(a, e->items[1]);
    if (x.k == PV_ERR) return x;
    if (y.k == PV_ERR) return y;
    if (x.k != PV_STR || y.k != PV_STR) return pv_int(0, 1);
    size_t la = strlen(x.s), lb = strlen(y.s);
    switch ((Builtin)e->ref_index) {
    case BI_STARTS_WITH: return pv_bool3(strncmp(x.s, y.s, lb) == 0);
    case BI_ENDS_WITH: return pv_bool3(lb <= la && memcmp(x.s + la - lb, y.s, lb) == 0);
    default: return pv_bool3(strstr(x.s, y.s) != NULL);
    }
  }
  }
}

static PV ev_set(An *a, const Expr *e) {
  PV p = {.k = PV_SET, .known = ~UINT64_C(0), .var = -1};
  for (size_t i = 0; i < e->item_count; i++) {
    PV x = ev(a, e->items[i]);
    if (x.k == PV_ERR) return x;
    if (!is_known_int(x)) return (PV){.k = PV_SET, .known = 0, .var = -1};
    p.val |= UINT64_C(1) << x.lo;
  }
  return p;
}

static PV ev(An *a, const Expr *e) {
  a->work++;
  switch (e->kind) {
  case EX_INT: return pv_int(e->i, e->i);
  case EX_NUMBER: return pv_num(e->n);
  case EX_STRING: return pv_str(e->str);
  case EX_BOOL: return pv_int(e->b, e->b);
  case EX_NAME:
    switch (e->ref) {
    case REF_FACT: return fact_value(a, e->ref_index);
    case REF_LET: return let_value(a, e->ref_index);
    case REF_SCALE: return scale_value(a, e->ref_index);
    case REF_PARAM: return a->nframes ? a->frames[a->nframes - 1][e->ref_index] : pv_unk();
    case REF_ENUM_VALUE: return pv_int(e->ref_index, e->ref_index);
    default: return pv_unk();
    }
  case EX_SET: return ev_set(a, e);
  case EX_UNARY: {
    PV x = ev(a, e->a);
    if (x.k == PV_ERR) return x;
    if (e->op == OP_NOT) return x.k == PV_INT ? pv_int(1 - x.hi, 1 - x.lo) : pv_int(0, 1);
    if (x.k == PV_NUM) return pv_num(-x.n);
    if (!is_known_int(x)) return x.k == PV_INT ? pv_int(INT64_MIN, INT64_MAX) : pv_unk();
    int64_t r;
    if (ipsf_negi(x.lo, &r) != IPSF_ARITH_OK) return pv_err(E_ARITH, 0);
    return pv_int(r, r);
  }
  case EX_BINARY:
    switch (e->op) {
    case OP_AND:
    case OP_OR: return logic(a, e);
    case OP_IN:
      if (e->b2->kind == EX_SET) {
        bool constant = e->b2->ty.kind == TY_SET;
        for (size_t i = 0; constant && i < e->b2->item_count; i++)
          constant = e->b2->items[i]->kind == EX_NAME && e->b2->items[i]->ref == REF_ENUM_VALUE;
        if (!constant && e->b2->item_count) return in_list(a, e);
        if (!constant) return pv_int(0, 0);
      }
      {
        PV x = ev(a, e->a);
        if (x.k == PV_ERR) return x;
        return membership(a, x, ev(a, e->b2));
      }
    case OP_EQ: case OP_NE: case OP_LT: case OP_LE: case OP_GT: case OP_GE: {
      PV x = ev(a, e->a);
      if (x.k == PV_ERR) return x;
      return compare_pv(a, e->op, operand_kind(e), x, ev(a, e->b2));
    }
    default: return arith(a, e);
    }
  case EX_IF: return ev_if(a, e);
  case EX_CALL:
    if (e->ref == REF_FN) return call_fn(a, e);
    if (e->ref == REF_NATIVE || !ipsf_builtins[e->ref_index].inline_op) return call_opaque(a, e);
    return call_builtin(a, e);
  }
  return pv_unk();
}

/* ---- fact dependencies (bitsets over facts) ---------------------------------------- */

static void deps_expr(An *a, const Expr *e, uint64_t *out);

static uint64_t *new_bits(An *a) { return arena_array(&a->c->arena, a->words, sizeof(uint64_t)); }

static void bits_or(An *a, uint64_t *dst, const uint64_t *src) {
  for (size_t i = 0; i < a->words; i++) dst[i] |= src[i];
}

static bool bits_meet(An *a, const uint64_t *x, const uint64_t *y) {
  for (size_t i = 0; i < a->words; i++)
    if (x[i] & y[i]) return true;
  return false;
}

static bool bit(const uint64_t *b, size_t i) { return (b[i / 64] >> (i % 64)) & 1; }
static void set_bit(uint64_t *b, size_t i) { b[i / 64] |= UINT64_C(1) << (i % 64); }

static const uint64_t *let_deps(An *a, uint32_t i) {
  if (a->let_dstate[i] == 2) return a->let_deps[i];
  a->let_deps[i] = new_bits(a);
  a->let_dstate[i] = 2;
  deps_expr(a, a->c->lets[i].decl->value, a->let_deps[i]);
  return a->let_deps[i];
}

static const uint64_t *scale_deps(An *a, uint32_t i) {
  if (a->scale_dstate[i] == 2) return a->scale_deps[i];
  a->scale_deps[i] = new_bits(a);
  a->scale_dstate[i] = 2;
  const Decl *d = a->c->scales[i].rules;
  for (size_t r = 0; d && r < d->rule_count; r++) deps_expr(a, d->rules[r].cond, a->scale_deps[i]);
  return a->scale_deps[i];
}

static const uint64_t *fn_deps(An *a, uint32_t i) {
  if (a->fn_dstate[i] == 2) return a->fn_deps[i];
  a->fn_deps[i] = new_bits(a);
  a->fn_dstate[i] = 2;
  deps_expr(a, a->c->fns[i].decl->value, a->fn_deps[i]);
  return a->fn_deps[i];
}

static void deps_expr(An *a, const Expr *e, uint64_t *out) {
  if (!e) return;
  switch (e->kind) {
  case EX_NAME:
    if (e->ref == REF_FACT) set_bit(out, e->ref_index);
    else if (e->ref == REF_LET) bits_or(a, out, let_deps(a, e->ref_index));
    else if (e->ref == REF_SCALE) bits_or(a, out, scale_deps(a, e->ref_index));
    return;
  case EX_CALL:
    if (e->ref == REF_FN) bits_or(a, out, fn_deps(a, e->ref_index));
    for (size_t i = 0; i < e->item_count; i++) deps_expr(a, e->items[i], out);
    return;
  case EX_SET:
    for (size_t i = 0; i < e->item_count; i++) deps_expr(a, e->items[i], out);
    return;
  default:
    deps_expr(a, e->a, out);
    deps_expr(a, e->b2, out);
    deps_expr(a, e->c, out);
    return;
  }
}

/* ---- cells: thresholds and literals ---------------------------------------------- */

/* A linear form: k * fact + b (fact < 0: a constant). */
typedef struct {
  bool ok;
  int32_t fact;
  double k, b;
  bool plain; /* exactly the fact itself or a constant: no rounding */
} Lin;

typedef struct Frame {
  const Expr *const *args;
  const struct Frame *up;
} Frame;

static Lin lin_of(An *a, const Expr *e, const Frame *fr, int depth);

static Lin lin_const(double b) { return (Lin){true, -1, 0, b, true}; }

static Lin lin_combine(Lin x, Lin y, double sy) {
  if (!x.ok || !y.ok) return (Lin){0};
  if (x.fact >= 0 && y.fact >= 0 && x.fact != y.fact) return (Lin){0};
  Lin r = {true, x.fact >= 0 ? x.fact : y.fact, x.k + sy * y.k, x.b + sy * y.b, false};
  if (r.k == 0) r.fact = -1;
  r.plain = (x.fact < 0 && y.fact < 0) ? true : false;
  return r;
}

static Lin lin_of(An *a, const Expr *e, const Frame *fr, int depth) {
  if (depth > 64) return (Lin){0};
  Ty ty;
  IpsfValue v;
  switch (e->kind) {
  case EX_INT: return lin_const((double)e->i);
  case EX_NUMBER: return lin_const(e->n);
  case EX_NAME:
    switch (e->ref) {
    case REF_FACT: {
      int k = a->fi[e->ref_index].kind;
      if (k == TY_INT || k == TY_NUMBER) return (Lin){true, (int32_t)e->ref_index, 1, 0, true};
      return (Lin){0};
    }
    case REF_LET: return lin_of(a, a->c->lets[e->ref_index].decl->value, NULL, depth + 1);
    case REF_PARAM:
      if (!fr) return (Lin){0};
      return lin_of(a, fr->args[e->ref_index], fr->up, depth + 1);
    default: return (Lin){0};
    }
  case EX_UNARY:
    if (e->op == OP_NEG) {
      Lin x = lin_of(a, e->a, fr, depth + 1);
      if (!x.ok) return x;
      return (Lin){true, x.fact, -x.k, -x.b, x.fact < 0};
    }
    return (Lin){0};
  case EX_BINARY: {
    if (e->op < OP_ADD) return (Lin){0};
    if (fold_value(e, &ty, &v))
      return lin_const(ty.kind == TY_INT ? (double)v.i : v.n);
    Lin x = lin_of(a, e->a, fr, depth + 1), y = lin_of(a, e->b2, fr, depth + 1);
    if (!x.ok || !y.ok) return (Lin){0};
    switch (e->op) {
    case OP_ADD: return lin_combine(x, y, 1);
    case OP_SUB: return lin_combine(x, y, -1);
    case OP_MUL:
      if (x.fact >= 0 && y.fact >= 0) return (Lin){0};
      if (x.fact < 0) return (Lin){true, y.fact, y.k * x.b, y.b * x.b, false};
      return (Lin){true, x.fact, x.k * y.b, x.b * y.b, false};
    case OP_DIV:
      /* int division truncates: not linear */
      if (e->ty.kind != TY_NUMBER || y.fact >= 0 || y.b == 0) return (Lin){0};
      return (Lin){true, x.fact, x.k / y.b, x.b / y.b, false};
    default: return (Lin){0};
    }
  }
  case EX_CALL:
    if (e->ref == REF_FN) {
      Frame inner = {(const Expr *const *)e->items, fr};
      return lin_of(a, a->c->fns[e->ref_index].decl->value, &inner, depth + 1);
    }
    return (Lin){0};
  default:
    if (fold_value(e, &ty, &v) && (ty.kind == TY_INT || ty.kind == TY_NUMBER))
      return lin_const(ty.kind == TY_INT ? (double)v.i : v.n);
    return (Lin){0};
  }
}

static void add_int_threshold(An *a, FactInfo *f, int64_t t) {
  f->ith = grow_array(&a->c->arena, f->ith, &f->cith, f->nith, sizeof *f->ith);
  f->ith[f->nith++] = t;
}

static void add_threshold(An *a, uint32_t fact, double t, bool plain) {
  FactInfo *f = &a->fi[fact];
  if (!isfinite(t)) {
    f->inexact = true;
    return;
  }
  if (f->kind == TY_NUMBER) {
    if (!plain) f->inexact = true; /* rounding: the flip point is only near t */
    f->nth = grow_array(&a->c->arena, f->nth, &f->cnth, f->nnth, sizeof *f->nth);
    f->nth[f->nnth++] = t;
    return;
  }
  if (fabs(t) >= 9.0e15) { /* beyond exact doubles */
    f->inexact = true;
    if (fabs(t) < 9.2e18) add_int_threshold(a, f, (int64_t)t);
    return;
  }
  add_int_threshold(a, f, (int64_t)floor(t));
  if (floor(t) != t) add_int_threshold(a, f, (int64_t)floor(t) + 1);
}

static void add_literal(An *a, uint32_t fact, const char *s) {
  FactInfo *f = &a->fi[fact];
  for (size_t i = 0; i < f->nlit; i++)
    if (strcmp(f->lit[i], s) == 0) return;
  f->lit = grow_array(&a->c->arena, f->lit, &f->clit, f->nlit, sizeof *f->lit);
  f->lit[f->nlit++] = s;
}

/* The string fact an expression is (through lets and parameters), or -1. */
static int32_t string_fact(An *a, const Expr *e, const Frame *fr, int depth) {
  if (depth > 64 || e->kind != EX_NAME) return -1;
  if (e->ref == REF_FACT) return a->fi[e->ref_index].kind == TY_STRING ? (int32_t)e->ref_index : -1;
  if (e->ref == REF_LET) return string_fact(a, a->c->lets[e->ref_index].decl->value, NULL, depth + 1);
  if (e->ref == REF_PARAM && fr) return string_fact(a, fr->args[e->ref_index], fr->up, depth + 1);
  return -1;
}

static const char *const_string(const Expr *e) {
  Ty ty;
  IpsfValue v;
  if (e->ty.kind == TY_STRING && fold_value(e, &ty, &v)) return v.s;
  return NULL;
}

/* The facts an expression reads, parameters standing for the arguments of
 * the calls on the way (fr). */
static void deps_frame(An *a, const Expr *e, const Frame *fr, uint64_t *out, int depth) {
  if (!e || depth > 64) return;
  switch (e->kind) {
  case EX_NAME:
    if (e->ref == REF_PARAM) {
      if (fr) deps_frame(a, fr->args[e->ref_index], fr->up, out, depth + 1);
      return;
    }
    deps_expr(a, e, out);
    return;
  case EX_CALL:
    if (e->ref == REF_FN) bits_or(a, out, fn_deps(a, e->ref_index));
    /* FALLTHROUGH */
  case EX_SET:
    for (size_t i = 0; i < e->item_count; i++) deps_frame(a, e->items[i], fr, out, depth + 1);
    return;
  default:
    deps_frame(a, e->a, fr, out, depth + 1);
    deps_frame(a, e->b2, fr, out, depth + 1);
    deps_frame(a, e->c, fr, out, depth + 1);
    return;
  }
}

/* Mark the numeric and string facts an expression reads as inexact. */
static void mark_inexact(An *a, const Expr *e, const Frame *fr) {
  if (!e) return;
  uint64_t *d = new_bits(a);
  deps_frame(a, e, fr, d, 0);
  for (size_t i = 0; i < a->c->fact_count; i++)
    if (bit(d, i) && (a->fi[i].kind == TY_INT || a->fi[i].kind == TY_NUMBER ||
                      a->fi[i].kind == TY_STRING))
      a->fi[i].inexact = true;
}

static void collect(An *a, const Expr *e, const Frame *fr, int depth);

/* A comparison of a and b with numbers or strings in it. */
static void collect_compare(An *a, const Expr *whole, const Expr *x, const Expr *y,
                            TyKind t, const Frame *fr, int depth) {
  if (t == TY_INT || t == TY_NUMBER) {
    Lin lx = lin_of(a, x, fr, 0), ly = lin_of(a, y, fr, 0);
    Lin d = lin_combine(lx, ly, -1);
    if (d.ok && d.fact >= 0) {
      bool plain = (lx.plain && ly.plain) && (d.k == 1 || d.k == -1);
      add_threshold(a, (uint32_t)d.fact, -d.b / d.k, plain);
      return;
    }
    if (d.ok) return; /* constant */
  } else if (t == TY_STRING) {
    int32_t fx = string_fact(a, x, fr, 0), fy = string_fact(a, y, fr, 0);
    const char *cx = const_string(x), *cy = const_string(y);
    if (fx >= 0 && cy) {
      add_literal(a, (uint32_t)fx, cy);
      return;
    }
    if (fy >= 0 && cx) {
      add_literal(a, (uint32_t)fy, cx);
      return;
    }
    if (cx && cy) return;
  } else {
    return; /* finite domains are exact */
  }
  /* not a single-variable linear comparison: approximate */
  (void)whole;
  (void)depth;
  mark_inexact(a, x, fr);
  mark_inexact(a, y, fr);
}

static void collect(An *a, const Expr *e, const Frame *fr, int depth) {
  if (!e || depth > 64) return;
  switch (e->kind) {
  case EX_BINARY:
    switch (e->op) {
    case OP_EQ: case OP_NE: case OP_LT: case OP_LE: case OP_GT: case OP_GE: {
      TyKind t = operand_kind(e);
      collect_compare(a, e, e->a, e->b2, t, fr, depth);
      break;
    }
    case OP_IN:
      if (e->b2->kind == EX_SET && e->b2->ty.kind != TY_SET) {
        TyKind t = e->b2->ty.kind;
        for (size_t i = 0; i < e->b2->item_count; i++)
          if (e->b2->items[i]->ty.kind == TY_NUMBER) t = TY_NUMBER;
        for (size_t i = 0; i < e->b2->item_count; i++)
          collect_compare(a, e, e->a, e->b2->items[i], t, fr, depth);
      }
      break;
    default: break;
    }
    collect(a, e->a, fr, depth + 1);
    collect(a, e->b2, fr, depth + 1);
    return;
  case EX_UNARY: collect(a, e->a, fr, depth + 1); return;
  case EX_IF:
    collect(a, e->a, fr, depth + 1);
    collect(a, e->b2, fr, depth + 1);
    collect(a, e->c, fr, depth + 1);
    return;
  case EX_SET:
    for (size_t i = 0; i < e->item_count; i++) collect(a, e->items[i], fr, depth + 1);
    return;
  case EX_CALL:
    for (size_t i = 0; i < e->item_count; i++) collect(a, e->items[i], fr, depth + 1);
    if (e->ref == REF_FN) {
      Frame inner = {(const Expr *const *)e->items, fr};
      collect(a, a->c->fns[e->ref_index].decl->value, &inner, depth + 1);
      return;
    }
    if (e->ref == REF_NATIVE || !ipsf_builtins[e->ref_index].inline_op) {
      /* through a function the analysis cannot see: the cells are not exact */
      for (size_t i = 0; i < e->item_count; i++) mark_inexact(a, e->items[i], fr);
      return;
    }
    switch ((Builtin)e->ref_index) {
    case BI_STARTS_WITH: case BI_ENDS_WITH: case BI_CONTAINS: case BI_LOWER:
      /* the literals are good candidates, but the cells are not exact */
      for (size_t i = 0; i < e->item_count; i++) {
        const char *k = const_string(e->items[i]);
        for (size_t j = 0; k && j < e->item_count; j++) {
          int32_t f = j == i ? -1 : string_fact(a, e->items[j], fr, 0);
          if (f >= 0) add_literal(a, (uint32_t)f, k);
        }
        mark_inexact(a, e->items[i], fr);
      }
      return;
    case BI_ABS: case BI_MIN: case BI_MAX:
      /* compared later as a whole (not linear): see collect_compare */
      return;
    default: return;
    }
  default: return;
  }
}

static int cmp_i64(const void *x, const void *y) {
  int64_t p = *(const int64_t *)x, q = *(const int64_t *)y;
  return (p > q) - (p < q);
}

static int cmp_dbl(const void *x, const void *y) {
  double p = *(const double *)x, q = *(const double *)y;
  return (p > q) - (p < q);
}

static int cmp_str(const void *x, const void *y) {
  return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* Build the cells of a numeric or string fact's variable. */
static void build_cells(An *a, uint32_t fact) {
  FactInfo *f = &a->fi[fact];
  Var *v = &a->vars[f->var];
  Arena *ar = &a->c->arena;
  IpsfValue d = fact_default(f);
  size_t def_cell = 0;
  if (f->kind == TY_INT) {
    if (f->nith) qsort(f->ith, f->nith, sizeof *f->ith, cmp_i64);
    size_t n = 0;
    for (size_t i = 0; i < f->nith; i++)
      if (n == 0 || f->ith[n - 1] != f->ith[i]) f->ith[n++] = f->ith[i];
    f->nith = n;
    v->rep = arena_array(ar, 2 * n + 2, sizeof *v->rep);
    size_t k = 0;
    /* below the first threshold, each threshold, each gap, above the last */
    for (size_t i = 0; i <= n; i++) {
      int64_t lo = i == 0 ? INT64_MIN : f->ith[i - 1]; /* exclusive (but for i == 0) */
      int64_t hi = i == n ? INT64_MAX : f->ith[i];     /* exclusive (but for i == n) */
      bool nonempty;
      int64_t rep;
      if (i == 0 && n == 0) {
        nonempty = true;
        rep = d.i;
      } else if (i == 0) {
        nonempty = hi > INT64_MIN;
        rep = (d.i < hi) ? d.i : (0 < hi ? 0 : hi - 1);
      } else if (i == n) {
        nonempty = lo < INT64_MAX;
        rep = (d.i > lo) ? d.i : (0 > lo ? 0 : lo + 1);
      } else {
        nonempty = hi - lo >= 2;
        rep = (d.i > lo && d.i < hi) ? d.i : (0 > lo && 0 < hi) ? 0 : lo + 1;
      }
      if (nonempty) {
        if (d.i == rep) def_cell = k;
        v->rep[k++].i = rep;
      }
      if (i < n) {
        if (d.i == f->ith[i]) def_cell = k;
        v->rep[k++].i = f->ith[i];
      }
    }
    v->ncells = (uint32_t)k;
  } else if (f->kind == TY_NUMBER) {
    if (f->nnth) qsort(f->nth, f->nnth, sizeof *f->nth, cmp_dbl);
    size_t n = 0;
    for (size_t i = 0; i < f->nnth; i++)
      if (n == 0 || f->nth[n - 1] != f->nth[i]) f->nth[n++] = f->nth[i];
    f->nnth = n;
    v->rep = arena_array(ar, 2 * n + 2, sizeof *v->rep);
    size_t k = 0;
    for (size_t i = 0; i <= n; i++) {
      double rep;
      bool nonempty = true;
      if (n == 0) rep = d.n;
      else if (i == 0) {
        double hi = f->nth[0];
        rep = d.n < hi ? d.n : (0 < hi ? 0 : hi - (fabs(hi) > 1 ? fabs(hi) : 1));
        if (!isfinite(rep) || rep >= hi) rep = nextafter(hi, -INFINITY);
        nonempty = isfinite(rep);
      } else if (i == n) {
        double lo = f->nth[n - 1];
        rep = d.n > lo ? d.n : (0 > lo ? 0 : lo + (fabs(lo) > 1 ? fabs(lo) : 1));
        if (!isfinite(rep) || rep <= lo) rep = nextafter(lo, INFINITY);
        nonempty = isfinite(rep);
      } else {
        double lo = f->nth[i - 1], hi = f->nth[i];
        rep = (d.n > lo && d.n < hi) ? d.n : (0 > lo && 0 < hi) ? 0 : lo / 2 + hi / 2;
        nonempty = rep > lo && rep < hi;
      }
      if (nonempty) {
        if (d.n == rep) def_cell = k;
        v->rep[k++].n = rep;
      }
      if (i < n) {
        if (d.n == f->nth[i]) def_cell = k;
        v->rep[k++].n = f->nth[i];
      }
    }
    v->ncells = (uint32_t)k;
  } else {
    if (f->nlit) qsort(f->lit, f->nlit, sizeof *f->lit, cmp_str);
    v->rep = arena_array(ar, f->nlit + 2, sizeof *v->rep);
    size_t k = 0;
    for (size_t i = 0; i < f->nlit; i++) {
      if (strcmp(f->lit[i], d.s) == 0) def_cell = k;
      v->rep[k++].s = f->lit[i];
    }
    /* anything else: the default if it is no literal, else a fresh string */
    const char *other = d.s;
    for (int tries = 0;; tries++) {
      bool taken = false;
      for (size_t i = 0; i < f->nlit; i++) taken |= strcmp(f->lit[i], other) == 0;
      if (!taken) break;
      other = tries == 0 ? "other" : arena_printf(ar, "other%d", tries);
    }
    if (other == d.s) def_cell = k;
    v->rep[k++].s = other;
    v->ncells = (uint32_t)k;
  }
  v->order = arena_array(ar, v->ncells, sizeof *v->order);
  size_t k = 0;
  v->order[k++] = (uint32_t)def_cell;
  for (uint32_t i = 0; i < v->ncells; i++)
    if (i != def_cell) v->order[k++] = i;
}

static void setup_facts(An *a) {
  Compilation *c = a->c;
  a->fi = arena_array(&c->arena, c->fact_count + 1, sizeof *a->fi);
  uint32_t nvars = 0;
  for (size_t i = 0; i < c->fact_count; i++) {
    FactInfo *f = &a->fi[i];
    const FactSym *s = &c->facts[i];
    f->kind = s->ty.kind;
    if (f->kind == TY_ENUM || f->kind == TY_SET) f->n = (uint32_t)c->enums[s->ty.enum_id].value_count;
    f->var = (int32_t)nvars;
    nvars += f->kind == TY_SET ? f->n : 1;
    Ty ty;
    if (s->decl->deflt && fold_value(s->decl->deflt, &ty, &f->deflt)) {
      f->has_default = true;
      if (f->kind == TY_NUMBER && ty.kind == TY_INT) f->deflt.n = (double)f->deflt.i;
    }
  }
  a->nvars = nvars;
  a->vars = arena_array(&c->arena, nvars + 1, sizeof *a->vars);
  a->cell = arena_array(&c->arena, nvars + 1, sizeof *a->cell);
  for (size_t i = 0; i < c->fact_count; i++) {
    FactInfo *f = &a->fi[i];
    uint32_t count = f->kind == TY_SET ? f->n : 1;
    for (uint32_t m = 0; m < count; m++) {
      Var *v = &a->vars[f->var + (int32_t)m];
      v->fact = (uint32_t)i;
      v->member = f->kind == TY_SET ? (int32_t)m : -1;
    }
  }
}

static void finish_cells(An *a) {
  Compilation *c = a->c;
  for (size_t i = 0; i < c->fact_count; i++) {
    FactInfo *f = &a->fi[i];
    if (f->kind == TY_INT || f->kind == TY_NUMBER || f->kind == TY_STRING) {
      build_cells(a, (uint32_t)i);
      continue;
    }
    uint32_t count = f->kind == TY_SET ? f->n : 1;
    for (uint32_t m = 0; m < count; m++) {
      Var *v = &a->vars[f->var + (int32_t)m];
      uint32_t def = 0;
      if (f->kind == TY_SET) {
        v->ncells = 2;
        def = (uint32_t)((fact_default(f).m >> m) & 1);
      } else {
        v->ncells = f->kind == TY_BOOL ? 2 : f->n;
        def = (uint32_t)fact_default(f).i;
        if (def >= v->ncells) def = 0;
      }
      v->order = arena_array(&c->arena, v->ncells, sizeof *v->order);
      uint32_t k = 0;
      v->order[k++] = def;
      for (uint32_t j = 0; j < v->ncells; j++)
        if (j != def) v->order[k++] = j;
    }
  }
  a->inexact = new_bits(a);
  for (size_t i = 0; i < c->fact_count; i++)
    if (a->fi[i].inexact) set_bit(a->inexact, i);
}

/* ---- the search ------------------------------------------------------------------------ */

enum { J_NO, J_YES, J_MAYBE };
enum { S_NONE, S_FOUND, S_BOUND };

typedef int (*Judge)(An *a, const void *q);

static void reset_cells(An *a) {
  for (uint32_t i = 0; i < a->nvars; i++) a->cell[i] = -1;
  a->gen++;
}

static int dfs(An *a, Judge j, const void *q) {
  if (a->nodes++ >= a->node_limit || a->work >= a->work_limit) {
    a->bound = true;
    return S_BOUND;
  }
  a->gen++;
  a->branch = -1;
  int r = j(a, q);
  if (r == J_YES) return S_FOUND;
  if (r == J_NO) return S_NONE;
  int32_t v = a->branch;
  if (v < 0 || a->cell[v] >= 0) {
    a->stuck = true;
    return S_NONE;
  }
  const Var *var = &a->vars[v];
  for (uint32_t k = 0; k < var->ncells; k++) {
    a->cell[v] = (int32_t)var->order[k];
    int s = dfs(a, j, q);
    if (s != S_NONE) return s;
  }
  a->cell[v] = -1;
  a->gen++;
  return S_NONE;
}

/* Run a search from the empty assignment.  S_FOUND leaves the witness in
 * a->cell; a->stuck / a->bound tell whether S_NONE is exact. */
static int search(An *a, Judge j, const void *q) {
  reset_cells(a);
  a->nodes = 0;
  a->stuck = a->bound = false;
  return dfs(a, j, q);
}

/* Must e be true (want_true) or false?  1 holds, 0 fails (or evaluation
 * fails: no input there), -1 undecided (a->branch set). */
static int need(An *a, const Expr *e, bool want_true) {
  int32_t saved = a->want;
  a->want = -1;
  PV v = ev(a, e);
  int32_t w = a->want;
  a->want = saved;
  if (v.k == PV_ERR) return 0;
  int t = truth(v);
  if (t >= 0) return (t == 1) == want_true;
  if (a->branch < 0) a->branch = w;
  return -1;
}

/* A conjunction of conditions, each wanted true or false, and optionally a
 * disjunction of conditions of which one must be true. */
typedef struct {
  const Expr **e;
  bool *pol;
  size_t n;
  const Expr **any;
  size_t nany;
  bool use_any;
  const uint32_t *reach; /* scales that must evaluate without error (so that */
  size_t nreach;         /* the VM reaches what is asked), or NULL */
} Conj;

typedef struct {
  Arena *ar;
  Conj q;
  size_t cap;
} ConjB;

static const uint64_t *cached_deps(An *a, const Expr *e);

/* Conjunctions are searched incrementally: a constraint decided (true) at
 * a node stays decided below it, and an undecided one needs evaluating
 * again only when the variable just assigned is one of its facts. */
typedef struct {
  const Conj *q;
  uint64_t **deps;  /* per constraint */
  int32_t *want;    /* per constraint: the variable it last wanted */
} ConjRun;

static int dfs_conj(An *a, ConjRun *run, const uint32_t *undec, size_t n, int32_t last);

static uint32_t uf_find(uint32_t *p, uint32_t x) {
  while (p[x] != x) x = p[x] = p[p[x]];
  return x;
}

/* Is every variable of the fact assigned? */
static bool fact_assigned(An *a, uint32_t f) {
  const FactInfo *fi = &a->fi[f];
  uint32_t count = fi->kind == TY_SET ? fi->n : 1;
  for (uint32_t m = 0; m < count; m++)
    if (a->cell[fi->var + (int32_t)m] < 0) return false;
  return true;
}

/* Undecided constraints that share no unassigned fact are independent:
 * solve each group on its own (a witness is the union of the groups'
 * witnesses; one group without a witness means none at all), which turns
 * a product of searches into a sum.  -1 if there is only one group. */
static int split_components(An *a, ConjRun *run, const uint32_t *items, size_t m) {
  size_t nf = a->c->fact_count;
  uint32_t *parent = xmalloc_array(m + nf + 1, sizeof *parent);
  for (size_t i = 0; i < m + nf; i++) parent[i] = (uint32_t)i;
  for (size_t i = 0; i < m; i++) {
    const uint64_t *d = run->deps[items[i]];
    for (size_t w = 0; w < a->words; w++)
      for (uint64_t bits = d[w]; bits; bits &= bits - 1) {
        size_t f = w * 64 + (size_t)__builtin_ctzll(bits);
        if (f >= nf || fact_assigned(a, (uint32_t)f)) continue;
        uint32_t x = uf_find(parent, (uint32_t)i), y = uf_find(parent, (uint32_t)(m + f));
        if (x != y) parent[x] = y;
      }
  }
  uint32_t *root = xmalloc_array(m, sizeof *root);
  size_t groups = 0;
  for (size_t i = 0; i < m; i++) {
    root[i] = uf_find(parent, (uint32_t)i);
    bool seen = false;
    for (size_t j = 0; j < i && !seen; j++) seen = root[j] == root[i];
    groups += !seen;
  }
  if (groups < 2) {
    free(parent);
    free(root);
    return -1;
  }
  int32_t *saved = xmalloc_array(a->nvars + 1, sizeof *saved);
  uint32_t *group = xmalloc_array(m, sizeof *group);
  memcpy(saved, a->cell, a->nvars * sizeof *saved);
  int result = S_FOUND;
  for (size_t i = 0; i < m && result == S_FOUND; i++) {
    bool first = true;
    for (size_t j = 0; j < i && first; j++) first = root[j] != root[i];
    if (!first) continue;
    size_t k = 0;
    for (size_t j = i; j < m; j++)
      if (root[j] == root[i]) group[k++] = items[j];
    result = dfs_conj(a, run, group, k, -1);
  }
  if (result != S_FOUND) {
    memcpy(a->cell, saved, a->nvars * sizeof *saved);
    a->gen++;
  }
  free(saved);
  free(group);
  free(parent);
  free(root);
  return result;
}

static int dfs_conj(An *a, ConjRun *run, const uint32_t *undec, size_t n, int32_t last) {
  if (a->nodes++ >= a->node_limit || a->work >= a->work_limit) {
    a->bound = true;
    return S_BOUND;
  }
  a->gen++;
  const Conj *q = run->q;
  uint32_t *next = xmalloc_array(n, sizeof *next);
  size_t m = 0;
  int32_t branch = -1;
  int32_t branch_k = -1; /* the constraint the branch variable is for */
  uint32_t last_fact = last >= 0 ? a->vars[last].fact : 0;
  for (size_t i = 0; i < n; i++) {
    uint32_t k = undec[i];
    if (last >= 0 && !bit(run->deps[k], last_fact) && run->want[k] >= 0 &&
        a->cell[run->want[k]] < 0) {
      next[m++] = k; /* unchanged */
      if (branch < 0) branch = run->want[k], branch_k = (int32_t)k;
      continue;
    }
    a->branch = -1;
    int r = need(a, q->e[k], q->pol[k]);
    if (r == 0) {
      free(next);
      return S_NONE;
    }
    if (r < 0) {
      run->want[k] = a->branch;
      next[m++] = k;
      if (branch < 0) branch = a->branch, branch_k = (int32_t)k;
    }
  }
  bool reach_open = false;
  for (size_t i = 0; i < q->nreach; i++) {
    int32_t saved = a->want;
    a->want = -1;
    PV v = scale_value(a, q->reach[i]);
    int32_t w = a->want;
    a->want = saved;
    if (v.k == PV_ERR) {
      free(next);
      return S_NONE;
    }
    if (!pv_known(v)) {
      reach_open = true;
      if (branch < 0) branch = w;
    }
  }
  if (q->use_any) {
    int best = 0;
    for (size_t i = 0; i < q->nany && best < 1; i++) {
      int32_t saved = a->branch;
      a->branch = -1;
      int r = need(a, q->any[i], true);
      if (r == 1) best = 1;
      else if (r < 0) {
        best = -1;
        if (branch < 0) branch = a->branch;
      }
      if (r != -1) a->branch = saved;
    }
    if (best == 0) {
      free(next);
      return S_NONE;
    }
    if (best == -1 && m == 0 && branch < 0) {
      a->stuck = true;
      free(next);
      return S_NONE;
    }
    if (best == 1 && m == 0 && !reach_open) {
      free(next);
      return S_FOUND;
    }
  } else if (m == 0 && !reach_open) {
    free(next);
    return S_FOUND;
  }
  if (!q->use_any && !q->nreach && m > 1) {
    int r = split_components(a, run, next, m);
    if (r >= 0) {
      free(next);
      return r;
    }
  }
  if (branch < 0 || a->cell[branch] >= 0) {
    a->stuck = true;
    free(next);
    return S_NONE;
  }
  /* Values that decide the constraint the right way first, then those
   * that leave it open; those that violate it are not tried. */
  const Var *var = &a->vars[branch];
  uint32_t *try = xmalloc_array(var->ncells + 1, sizeof *try);
  size_t ntry = 0;
  for (int pass = 1; pass >= -1; pass -= 2)
    for (uint32_t k = 0; k < var->ncells; k++) {
      a->cell[branch] = (int32_t)var->order[k];
      a->gen++;
      int32_t saved = a->branch;
      int r = branch_k >= 0 ? need(a, q->e[branch_k], q->pol[branch_k]) : -1;
      a->branch = saved;
      if (r == pass) try[ntry++] = var->order[k];
    }
  for (size_t k = 0; k < ntry; k++) {
    a->cell[branch] = (int32_t)try[k];
    int s = dfs_conj(a, run, next, m, branch);
    if (s != S_NONE) {
      free(try);
      free(next);
      return s;
    }
  }
  free(try);
  a->cell[branch] = -1;
  a->gen++;
  free(next);
  return S_NONE;
}

static int search_conj(An *a, const Conj *q) {
  reset_cells(a);
  a->nodes = 0;
  a->stuck = a->bound = false;
  ConjRun run = {q, xmalloc_array(q->n + 1, sizeof(uint64_t *)), xmalloc_array(q->n + 1, sizeof(int32_t))};
  uint32_t *all = xmalloc_array(q->n + 1, sizeof *all);
  for (size_t i = 0; i < q->n; i++) {
    run.deps[i] = (uint64_t *)cached_deps(a, q->e[i]);
    run.want[i] = -1;
    all[i] = (uint32_t)i;
  }
  int r = dfs_conj(a, &run, all, q->n, -1);
  free(all);
  free(run.deps);
  free(run.want);
  return r;
}

static void conj_init(ConjB *b, Arena *ar, size_t cap) {
  b->ar = ar;
  b->cap = cap + 1;
  b->q = (Conj){arena_array(ar, b->cap, sizeof(Expr *)), arena_array(ar, b->cap, sizeof(bool)), 0,
                NULL, 0, false, NULL, 0};
}

static void conj_add(ConjB *b, const Expr *e, bool pol) {
  if (!e) return;
  b->q.e[b->q.n] = e;
  b->q.pol[b->q.n++] = pol;
}

/* ---- reporting ------------------------------------------------------------------------ */

static void put_value(IpsfBuf *b, An *a, uint32_t fact, PV p) {
  const FactSym *s = &a->c->facts[fact];
  switch (a->fi[fact].kind) {
  case TY_BOOL: ipsf_buf_puts(b, p.lo ? "true" : "false"); return;
  case TY_INT: ipsf_buf_printf(b, "%lld", (long long)p.lo); return;
  case TY_NUMBER: ipsf_buf_printf(b, "%.17g", p.n); return;
  case TY_STRING: ipsf_buf_json_string(b, p.s); return;
  case TY_ENUM: ipsf_buf_json_string(b, a->c->enums[s->ty.enum_id].values[p.lo].name); return;
  default: {
    ipsf_buf_puts(b, "[");
    bool first = true;
    for (uint32_t m = 0; m < a->fi[fact].n; m++) {
      if (!((p.val >> m) & 1)) continue;
      ipsf_buf_puts(b, first ? "" : ", ");
      ipsf_buf_json_string(b, a->c->enums[s->ty.enum_id].values[m].name);
      first = false;
    }
    ipsf_buf_puts(b, "]");
  }
  }
}

static bool same_value(An *a, uint32_t fact, PV p, IpsfValue d) {
  switch (a->fi[fact].kind) {
  case TY_NUMBER: return p.n == d.n;
  case TY_STRING: return strcmp(p.s, d.s) == 0;
  case TY_SET: return p.val == d.m;
  default: return p.lo == d.i;
  }
}

/* Give required facts a value (the first cell to try), so the sheet is
 * complete. */
static void materialize(An *a) {
  for (size_t i = 0; i < a->c->fact_count; i++) {
    FactInfo *f = &a->fi[i];
    if (f->has_default) continue;
    uint32_t count = f->kind == TY_SET ? f->n : 1;
    for (uint32_t m = 0; m < count; m++) {
      int32_t v = f->var + (int32_t)m;
      if (a->cell[v] < 0) a->cell[v] = (int32_t)a->vars[v].order[0];
    }
  }
  a->gen++;
}

/* The sheet of the current assignment: facts that differ from their
 * default, and required facts.  `force`: a fact always written. */
static char *sheet_json(An *a, int32_t force, const char *after_fact, PV after) {
  IpsfBuf b;
  ipsf_buf_init(&b);
  bool saved = a->complete;
  a->complete = true;
  ipsf_buf_puts(&b, "{\"facts\": {");
  bool first = true;
  for (size_t i = 0; i < a->c->fact_count; i++) {
    FactInfo *f = &a->fi[i];
    PV p = fact_value(a, (uint32_t)i);
    if (f->has_default && (int32_t)i != force && same_value(a, (uint32_t)i, p, f->deflt)) continue;
    ipsf_buf_puts(&b, first ? "" : ", ");
    ipsf_buf_json_string(&b, a->c->facts[i].name);
    ipsf_buf_puts(&b, ": ");
    put_value(&b, a, (uint32_t)i, p);
    first = false;
  }
  ipsf_buf_puts(&b, "}");
  if (after_fact) {
    ipsf_buf_puts(&b, ", \"profiles\": {\"before\": {}, \"after\": {");
    ipsf_buf_json_string(&b, after_fact);
    ipsf_buf_puts(&b, ": ");
    put_value(&b, a, (uint32_t)force, after);
    ipsf_buf_puts(&b, "}}");
  }
  ipsf_buf_puts(&b, "}");
  a->complete = saved;
  char *out = b.failed ? NULL : xstrdup(b.data ? b.data : "{}");
  ipsf_buf_free(&b);
  return out;
}

/* Evaluate the whole pack on the current assignment (unassigned facts at
 * their defaults), in the VM's order; the first failure, or a PV_INT with
 * lo = 0 on success.  levels (optional) receives every scale's level. */
static PV run_all(An *a, int64_t *levels) {
  Compilation *c = a->c;
  bool saved = a->complete;
  a->complete = true;
  a->gen++;
  PV r = pv_int(0, 0);
  for (size_t i = 0; i < c->order_count && r.k != PV_ERR; i++) {
    PV v = c->order[i].kind == SYM_LET ? let_value(a, c->order[i].index)
                                       : scale_value(a, c->order[i].index);
    if (v.k == PV_ERR) r = v;
    else if (!pv_known(v)) r = pv_err(E_ARITH, 0); /* cannot tell: not confirmed */
    else if (c->order[i].kind == SYM_SCALE && levels) levels[c->order[i].index] = v.lo;
  }
  for (size_t i = 0; i < c->req_count && r.k != PV_ERR; i++) {
    const ReqSym *q = &c->reqs[i];
    Ty ty;
    IpsfValue k;
    if (q->applies && fold_value(q->applies, &ty, &k) && !k.i) continue;
    if (q->applies) {
      PV p = ev(a, q->applies);
      if (p.k == PV_ERR) { r = p; break; }
      if (truth(p) != 1) continue;
    }
    bool any = false;
    for (size_t j = 0; j < q->confirm_count; j++) {
      if (!q->confirms[j].when) { any = true; continue; }
      PV p = ev(a, q->confirms[j].when);
      if (p.k == PV_ERR) { r = p; break; }
      if (truth(p) == 1) any = true;
    }
    if (r.k != PV_ERR && !any) r = pv_err(E_CONFIRM, (uint32_t)i);
  }
  a->complete = saved;
  a->gen++;
  return r;
}

static void finding(An *a, Span at, const char *code, char *sheet, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;

static void finding(An *a, Span at, const char *code, char *sheet, const char *fmt, ...) {
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  diag_warning(&a->c->diags, at, "%s", msg);
  diag_set_finding(&a->c->diags, code, sheet);
  if (sheet) diag_note(&a->c->diags, at, "for example: %s", sheet);
  a->findings++;
}

static const char *level_name(An *a, uint32_t si, int64_t level) {
  return a->c->enums[a->c->scales[si].enum_id].values[level].name;
}

static void rule_loc(An *a, Span s, char *buf, size_t size) {
  uint32_t line, col;
  sources_line_col(&a->c->sources, s.file, s.start, &line, &col);
  snprintf(buf, size, "%u:%u", line, col);
}

/* ---- checks of a rules block ------------------------------------------------------------ */

typedef struct {
  bool inexact_deps, stuck, bound, unconfirmed;
  const char *what[8];
  size_t nwhat;
} Undecided;

static void undecided_add(Undecided *u, const char *what) {
  for (size_t i = 0; i < u->nwhat; i++)
    if (strcmp(u->what[i], what) == 0) return;
  if (u->nwhat < 8) u->what[u->nwhat++] = what;
}

/* After a search that found nothing: was that exact? */
static bool exact_none(An *a, const uint64_t *deps, Undecided *u, const char *what) {
  bool inexact = deps && bits_meet(a, deps, a->inexact);
  if (!inexact && !a->stuck && !a->bound) return true;
  u->inexact_deps |= inexact;
  u->stuck |= a->stuck;
  u->bound |= a->bound;
  undecided_add(u, what);
  return false;
}

static void report_undecided(An *a, Span at, const char *subject, const Undecided *u) {
  if (!u->nwhat) return;
  char list[256] = "";
  for (size_t i = 0; i < u->nwhat; i++) {
    strncat(list, i ? ", " : "", sizeof list - strlen(list) - 1);
    strncat(list, u->what[i], sizeof list - strlen(list) - 1);
  }
  const char *why = u->bound ? "the work bound was hit"
                    : u->unconfirmed
                        ? "a counterexample failed elsewhere in the pack when evaluated in full"
                        : "a number or string is compared non-linearly, through a function, or "
                          "with another fact, so its cells are not exact";
  finding(a, at, "IPSF-W100", NULL, "not analysed: %s of %s (%s)", list, subject, why);
}

static uint64_t *expr_deps(An *a, const Expr *e) {
  uint64_t *d = new_bits(a);
  deps_expr(a, e, d);
  return d;
}

/* The facts of a condition, computed once. */
static const uint64_t *cached_deps(An *a, const Expr *e) {
  if ((a->dcount + 1) * 2 > a->dcap) {
    size_t ncap = a->dcap ? a->dcap * 2 : 256;
    const Expr **k = arena_array(&a->c->arena, ncap, sizeof *k);
    uint64_t **v = arena_array(&a->c->arena, ncap, sizeof *v);
    for (size_t i = 0; i < a->dcap; i++) {
      if (!a->dkey[i]) continue;
      size_t j = ((uintptr_t)a->dkey[i] >> 4) & (ncap - 1);
      while (k[j]) j = (j + 1) & (ncap - 1);
      k[j] = a->dkey[i];
      v[j] = a->dval[i];
    }
    a->dkey = k;
    a->dval = v;
    a->dcap = ncap;
  }
  size_t j = ((uintptr_t)e >> 4) & (a->dcap - 1);
  while (a->dkey[j] && a->dkey[j] != e) j = (j + 1) & (a->dcap - 1);
  if (!a->dkey[j]) {
    a->dkey[j] = e;
    a->dval[j] = expr_deps(a, e);
    a->dcount++;
  }
  return a->dval[j];
}

/* The scales the VM computes before scale si (all of them for si =
 * UINT32_MAX: requirements come last). */
static void reach_before(An *a, Conj *q, uint32_t si) {
  uint32_t *list = arena_array(&a->c->arena, a->c->scale_count + 1, sizeof *list);
  size_t n = 0;
  for (size_t i = 0; i < a->c->order_count; i++) {
    const OrderItem *o = &a->c->order[i];
    if (o->kind != SYM_SCALE) continue;
    if (o->index == si) break;
    list[n++] = o->index;
  }
  q->reach = list;
  q->nreach = n;
}

static void check_gap(An *a, uint32_t si, Undecided *u) {
  const ScaleSym *s = &a->c->scales[si];
  const Decl *d = s->rules;
  if (s->otherwise != UINT32_MAX) return;
  ConjB b;
  conj_init(&b, &a->c->arena, d->rule_count);
  for (size_t i = 0; i < d->rule_count; i++) conj_add(&b, d->rules[i].cond, false);
  /* first an input the VM gets to this block with, then any input */
  reach_before(a, &b.q, si);
  int r = search_conj(a, &b.q);
  bool masked = false;
  if (r != S_FOUND && !a->bound) {
    b.q.nreach = 0;
    r = search_conj(a, &b.q);
    masked = r == S_FOUND;
  }
  if (r == S_FOUND) {
    materialize(a);
    PV v = run_all(a, NULL);
    if (masked || (v.k == PV_ERR && v.err == E_GAP && v.unit == si)) {
      finding(a, d->name.span, "IPSF-W102", sheet_json(a, -1, NULL, v),
              "gap: no rule of scale %s matches some inputs, and the block has no otherwise",
              s->name);
      if (masked)
        diag_note(&a->c->diags, d->name.span,
                  "for these inputs evaluation stops earlier, at another error: fix that first");
      return;
    }
    u->unconfirmed = true;
    undecided_add(u, "gaps");
    return;
  }
  exact_none(a, scale_deps(a, si), u, "gaps");
}

/* Overlaps under `unique`: pairs of rules with different levels. */
static void check_overlaps(An *a, uint32_t si, Undecided *u) {
  const ScaleSym *s = &a->c->scales[si];
  const Decl *d = s->rules;
  size_t reported = 0;
  for (size_t i = 0; i < d->rule_count && reported < 20; i++)
    for (size_t j = i + 1; j < d->rule_count && reported < 20; j++) {
      if (s->rule_levels[i] == s->rule_levels[j]) continue;
      if (a->work >= a->work_limit) {
        a->bound = true;
        exact_none(a, NULL, u, "overlaps");
        return;
      }
      ConjB b;
      conj_init(&b, &a->c->arena, 2);
      conj_add(&b, d->rules[i].cond, true);
      conj_add(&b, d->rules[j].cond, true);
      reach_before(a, &b.q, si);
      int r = search_conj(a, &b.q);
      if (r != S_FOUND) {
        uint64_t *deps = expr_deps(a, d->rules[i].cond);
        deps_expr(a, d->rules[j].cond, deps);
        exact_none(a, deps, u, "overlaps");
        continue;
      }
      materialize(a);
      PV v = run_all(a, NULL);
      if (!(v.k == PV_ERR && v.err == E_UNIQUE && v.unit == si)) {
        u->unconfirmed = true;
        undecided_add(u, "overlaps");
        continue;
      }
      char at[64];
      rule_loc(a, d->rules[i].span, at, sizeof at);
      finding(a, d->rules[j].span, "IPSF-W103", sheet_json(a, -1, NULL, v),
              "overlap: under policy unique, this rule (%s) and the rule at %s (%s) can both "
              "match",
              level_name(a, si, s->rule_levels[j]), at, level_name(a, si, s->rule_levels[i]));
      diag_note(&a->c->diags, d->rules[i].span, "the other rule is here");
      reported++;
    }
}

/* Dead, shadowed (first) and redundant (worst) rules. */
static void check_rules(An *a, uint32_t si, Undecided *u) {
  const ScaleSym *s = &a->c->scales[si];
  const Decl *d = s->rules;
  for (size_t i = 0; i < d->rule_count; i++) {
    const RuleDecl *r = &d->rules[i];
    uint64_t *deps = expr_deps(a, r->cond);
    ConjB b;
    conj_init(&b, &a->c->arena, 1);
    conj_add(&b, r->cond, true);
    int found = search_conj(a, &b.q);
    if (found != S_FOUND) {
      if (exact_none(a, deps, u, "dead rules"))
        finding(a, r->span, "IPSF-W104", NULL,
                "dead rule: the condition of this rule (%s) is false for every input",
                level_name(a, si, s->rule_levels[i]));
      continue;
    }
    if (s->policy == IPSF_POLICY_UNIQUE) continue;
    /* can it change the result? */
    conj_init(&b, &a->c->arena, d->rule_count + 1);
    conj_add(&b, r->cond, true);
    int64_t L = s->rule_levels[i];
    size_t nlower = 0;
    for (size_t j = 0; j < d->rule_count; j++) {
      if (j == i) continue;
      int64_t M = s->rule_levels[j];
      bool cover = s->policy == IPSF_POLICY_FIRST ? j < i : (M > L || (M == L && j < i));
      if (!cover) {
        nlower += M < L;
        continue;
      }
      conj_add(&b, d->rules[j].cond, false);
      deps_expr(a, d->rules[j].cond, deps);
    }
    if (s->policy == IPSF_POLICY_WORST && s->otherwise != UINT32_MAX && (int64_t)s->otherwise == L) {
      b.q.use_any = true;
      b.q.any = arena_array(&a->c->arena, nlower + 1, sizeof(Expr *));
      for (size_t j = 0; j < d->rule_count; j++)
        if (j != i && s->rule_levels[j] < L) {
          b.q.any[b.q.nany++] = d->rules[j].cond;
          deps_expr(a, d->rules[j].cond, deps);
        }
    }
    if (search_conj(a, &b.q) == S_FOUND) continue;
    const char *what = s->policy == IPSF_POLICY_FIRST ? "shadowed rules" : "redundant rules";
    if (!exact_none(a, deps, u, what)) continue;
    /* an example where it matches, with the rule that decides instead */
    conj_init(&b, &a->c->arena, 1);
    conj_add(&b, r->cond, true);
    char *sheet = NULL;
    if (search_conj(a, &b.q) == S_FOUND) {
      materialize(a);
      PV ok = run_all(a, NULL);
      if (ok.k != PV_ERR) sheet = sheet_json(a, -1, NULL, ok);
    }
    if (s->policy == IPSF_POLICY_FIRST)
      finding(a, r->span, "IPSF-W105", sheet,
              "shadowed rule: under policy first, an earlier rule matches whenever this one "
              "(%s) does, so it never decides the level",
              level_name(a, si, L));
    else if (s->otherwise != UINT32_MAX && (int64_t)s->otherwise == L)
      finding(a, r->span, "IPSF-W106", sheet,
              "redundant rule: this rule (%s) never changes the level: whenever it matches, a "
              "rule of the same or a higher level matches too, or the otherwise level is the "
              "same",
              level_name(a, si, L));
    else
      finding(a, r->span, "IPSF-W106", sheet,
              "redundant rule: this rule (%s) never changes the level: whenever it matches, an "
              "earlier rule of the same level or a rule of a higher level matches too",
              level_name(a, si, L));
  }
}

/* ---- monotonicity ---------------------------------------------------------------------- */

typedef struct {
  uint32_t scale;
  int32_t var;
  uint32_t c1, c2;
} MonoQ;

static int judge_mono(An *a, const void *qv) {
  const MonoQ *q = qv;
  int32_t saved = a->want;
  a->cell[q->var] = (int32_t)q->c1;
  a->gen++;
  a->want = -1;
  PV x = scale_value(a, q->scale);
  int32_t w1 = a->want;
  a->cell[q->var] = (int32_t)q->c2;
  a->gen++;
  a->want = -1;
  PV y = scale_value(a, q->scale);
  int32_t w2 = a->want;
  a->want = saved;
  if (x.k == PV_ERR || y.k == PV_ERR) return J_NO;
  if (x.k != PV_INT || y.k != PV_INT) {
    a->branch = w1 >= 0 ? w1 : w2;
    return J_MAYBE;
  }
  if (x.lo > y.hi) return J_YES;
  if (x.hi <= y.lo) return J_NO;
  a->branch = w1 >= 0 ? w1 : w2;
  return J_MAYBE;
}

static PV cell_value(An *a, int32_t var, uint32_t cell) {
  int32_t saved = a->cell[var];
  a->cell[var] = (int32_t)cell;
  a->gen++;
  PV p = fact_value(a, a->vars[var].fact);
  a->cell[var] = saved;
  a->gen++;
  return p;
}

static void check_monotone(An *a, uint32_t si, Undecided *u) {
  const ScaleSym *s = &a->c->scales[si];
  const uint64_t *deps = scale_deps(a, si);
  for (size_t f = 0; f < a->c->fact_count; f++) {
    const FactInfo *fi = &a->fi[f];
    if (!bit(deps, f) || a->c->facts[f].decl->unordered) continue;
    if (fi->kind != TY_INT && fi->kind != TY_NUMBER && fi->kind != TY_ENUM) continue;
    const Var *v = &a->vars[fi->var];
    bool done = false;
    for (uint32_t k = 0; k + 1 < v->ncells && !done; k++) {
      MonoQ q = {si, fi->var, k, k + 1};
      int r = search(a, judge_mono, &q);
      if (r == S_BOUND) {
        exact_none(a, NULL, u, "monotonicity");
        done = true;
        break;
      }
      if (r != S_FOUND) {
        a->cell[fi->var] = -1;
        if (!exact_none(a, deps, u, "monotonicity")) done = true;
        continue;
      }
      /* confirm both evaluations in full */
      materialize(a);
      int64_t *l1 = arena_array(&a->c->arena, a->c->scale_count + 1, sizeof *l1);
      int64_t *l2 = arena_array(&a->c->arena, a->c->scale_count + 1, sizeof *l2);
      a->cell[fi->var] = (int32_t)k;
      PV r1 = run_all(a, l1);
      a->cell[fi->var] = (int32_t)(k + 1);
      PV r2 = run_all(a, l2);
      a->cell[fi->var] = (int32_t)k;
      if (r1.k == PV_ERR || r2.k == PV_ERR || l1[si] <= l2[si]) {
        u->unconfirmed = true;
        undecided_add(u, "monotonicity");
        done = true;
        break;
      }
      PV before = cell_value(a, fi->var, k), after = cell_value(a, fi->var, k + 1);
      char *sheet = sheet_json(a, (int32_t)f, a->c->facts[f].name, after);
      IpsfBuf b1, b2;
      ipsf_buf_init(&b1);
      ipsf_buf_init(&b2);
      put_value(&b1, a, (uint32_t)f, before);
      put_value(&b2, a, (uint32_t)f, after);
      finding(a, s->rules->name.span, "IPSF-W107", sheet,
              "nonmonotone: scale %s goes down from %s to %s when %s gets worse, from %s to %s "
              "(mark the fact `unordered`, or the block `allow nonmonotone`, if this is meant)",
              s->name, level_name(a, si, l1[si]), level_name(a, si, l2[si]),
              a->c->facts[f].name, b1.data ? b1.data : "?", b2.data ? b2.data : "?");
      ipsf_buf_free(&b1);
      ipsf_buf_free(&b2);
      done = true;
    }
  }
}

/* ---- requirements ------------------------------------------------------------------------ */

static bool confirm_stronger(const ConfirmSym *x, const ConfirmSym *y) {
  if (x->method != y->method) return x->method > y->method;
  if ((x->every != 0) != (y->every != 0)) return x->every != 0;
  return x->every != 0 && x->every < y->every;
}

static void check_requirement(An *a, uint32_t ri) {
  const ReqSym *r = &a->c->reqs[ri];
  Undecided u = {0};
  const char *subject = arena_printf(&a->c->arena, "requirement %s", r->id);
  uint64_t *deps = new_bits(a);
  deps_expr(a, r->applies, deps);
  for (size_t k = 0; k < r->confirm_count; k++) deps_expr(a, r->confirms[k].when, deps);
  ConjB b;
  if (r->applies) {
    conj_init(&b, &a->c->arena, 1);
    conj_add(&b, r->applies, true);
    if (search_conj(a, &b.q) != S_FOUND) {
      if (exact_none(a, deps, &u, "applies"))
        finding(a, r->applies->span, "IPSF-W108", NULL,
                "requirement %s never applies: its applies condition is false for every input",
                r->id);
      report_undecided(a, r->span, subject, &u);
      return;
    }
  }
  /* a gap among the confirm lines */
  bool always = false;
  for (size_t k = 0; k < r->confirm_count; k++) always |= r->confirms[k].when == NULL;
  if (!always) {
    conj_init(&b, &a->c->arena, r->confirm_count + 1);
    conj_add(&b, r->applies, true);
    for (size_t k = 0; k < r->confirm_count; k++) conj_add(&b, r->confirms[k].when, false);
    reach_before(a, &b.q, UINT32_MAX);
    if (search_conj(a, &b.q) == S_FOUND) {
      materialize(a);
      PV v = run_all(a, NULL);
      if (v.k == PV_ERR && v.err == E_CONFIRM && v.unit == ri)
        finding(a, r->span, "IPSF-W110", sheet_json(a, -1, NULL, v),
                "confirm gap: requirement %s applies to some inputs for which none of its "
                "confirm lines matches",
                r->id);
      else {
        u.unconfirmed = true;
        undecided_add(&u, "confirm gaps");
      }
    } else {
      exact_none(a, deps, &u, "confirm gaps");
    }
  }
  /* confirm lines that are never the strongest */
  for (size_t k = 0; k < r->confirm_count; k++) {
    const ConfirmSym *cf = &r->confirms[k];
    conj_init(&b, &a->c->arena, r->confirm_count + 2);
    conj_add(&b, r->applies, true);
    conj_add(&b, cf->when, true);
    bool impossible = false;
    for (size_t l = 0; l < r->confirm_count; l++) {
      if (l == k) continue;
      const ConfirmSym *o = &r->confirms[l];
      bool beats = l < k ? !confirm_stronger(cf, o) : confirm_stronger(o, cf);
      if (!beats) continue;
      if (!o->when) impossible = true;
      conj_add(&b, o->when, false);
    }
    if (!impossible && search_conj(a, &b.q) == S_FOUND) continue;
    if (!impossible && !exact_none(a, deps, &u, "confirm lines")) continue;
    finding(a, cf->span, "IPSF-W109", NULL,
            "confirm line never the strongest: whenever requirement %s applies and this line "
            "matches, another line asks for as much or more",
            r->id);
  }
  report_undecided(a, r->span, subject, &u);
}

/* ---- unused declarations ---------------------------------------------------------------- */

/* What is read from outside tests (per symbol), and which modules are
 * read from another module. */
typedef struct {
  uint8_t *fact, *let, *fn, *scale, *module;
} Used;

static void mark_used(An *a, Used *u, const Expr *e, uint32_t from) {
  if (!e) return;
  Compilation *c = a->c;
  switch (e->kind) {
  case EX_NAME:
    switch (e->ref) {
    case REF_FACT:
      u->fact[e->ref_index] = 1;
      if (c->facts[e->ref_index].module != from) u->module[c->facts[e->ref_index].module] = 1;
      break;
    case REF_LET:
      u->let[e->ref_index] = 1;
      if (c->lets[e->ref_index].module != from) u->module[c->lets[e->ref_index].module] = 1;
      break;
    case REF_SCALE:
      u->scale[e->ref_index] = 1;
      if (c->scales[e->ref_index].module != from) u->module[c->scales[e->ref_index].module] = 1;
      break;
    default: break;
    }
    return;
  case EX_CALL:
    if (e->ref == REF_FN) {
      u->fn[e->ref_index] = 1;
      if (c->fns[e->ref_index].module != from) u->module[c->fns[e->ref_index].module] = 1;
    }
    for (size_t i = 0; i < e->item_count; i++) mark_used(a, u, e->items[i], from);
    return;
  case EX_SET:
    for (size_t i = 0; i < e->item_count; i++) mark_used(a, u, e->items[i], from);
    return;
  default:
    mark_used(a, u, e->a, from);
    mark_used(a, u, e->b2, from);
    mark_used(a, u, e->c, from);
    return;
  }
}

static bool ends_with(const char *s, const char *suffix) {
  size_t n = strlen(s), k = strlen(suffix);
  return k <= n && strcmp(s + n - k, suffix) == 0 && (k == n || s[n - k - 1] == '/');
}

static void check_unused(An *a) {
  Compilation *c = a->c;
  Arena *ar = &c->arena;
  Used u = {arena_array(ar, c->fact_count + 1, 1), arena_array(ar, c->let_count + 1, 1),
            arena_array(ar, c->fn_count + 1, 1), arena_array(ar, c->scale_count + 1, 1),
            arena_array(ar, c->module_count + 1, 1)};
  uint8_t *contributes = arena_array(ar, c->module_count + 1, 1);
  for (size_t i = 0; i < c->load_count; i++) {
    uint32_t m = c->load_order[i];
    Module *ast = c->modules[m].ast;
    for (size_t j = 0; j < ast->decl_count; j++) {
      Decl *d = ast->decls[j];
      switch (d->kind) {
      case D_LET: case D_FN: break;
      case D_RULES:
        contributes[m] = 1;
        for (size_t r = 0; r < d->rule_count; r++) mark_used(a, &u, d->rules[r].cond, m);
        break;
      case D_SCALE: if (d->axis) contributes[m] = 1; break;
      case D_REQUIREMENT: case D_VIEWPOINT: case D_TYPE: case D_IMPORT: case D_PACK:
      case D_EXTERN:
        contributes[m] = 1;
        break;
      default: break;
      }
    }
  }
  for (size_t i = 0; i < c->let_count; i++) mark_used(a, &u, c->lets[i].decl->value, c->lets[i].module);
  for (size_t i = 0; i < c->fn_count; i++) mark_used(a, &u, c->fns[i].decl->value, c->fns[i].module);
  for (size_t i = 0; i < c->req_count; i++) {
    mark_used(a, &u, c->reqs[i].applies, c->reqs[i].module);
    for (size_t k = 0; k < c->reqs[i].confirm_count; k++)
      mark_used(a, &u, c->reqs[i].confirms[k].when, c->reqs[i].module);
  }
  /* a catalog is used when a ref or satisfied_by names one of its provisions */
  for (size_t i = 0; i < c->provision_count; i++)
    if (c->provisions[i].used) u.module[c->provisions[i].module] = 1;
  for (size_t i = 0; i < c->fact_count; i++)
    if (!u.fact[i] && c->facts[i].module == c->root) {
      finding(a, c->facts[i].span, "IPSF-W101", NULL,
              "unused fact: '%s' is never read by a rule, let, fn or requirement",
              c->facts[i].name);
    }
  for (size_t i = 0; i < c->let_count; i++)
    if (!u.let[i] && c->lets[i].module == c->root)
      finding(a, c->lets[i].span, "IPSF-W111", NULL, "unused let: '%s' is never used",
              c->lets[i].name);
  for (size_t i = 0; i < c->fn_count; i++)
    if (!u.fn[i] && c->fns[i].module == c->root)
      finding(a, c->fns[i].span, "IPSF-W112", NULL, "unused fn: '%s' is never called",
              c->fns[i].name);
  /* A scale of the pack itself is an output (eval records list every
   * scale); one that an imported module declares and nothing reads is
   * computed and reported without the pack saying so. */
  for (size_t i = 0; i < c->scale_count; i++) {
    const ScaleSym *sc = &c->scales[i];
    if (u.scale[i] || sc->axis || sc->module == c->root ||
        strncmp(c->modules[sc->module].key, "<stdlib>", 8) == 0)
      continue;
    Span at = sc->span;
    Module *root = c->modules[c->root].ast;
    for (size_t j = 0; j < root->decl_count; j++)
      if (root->decls[j]->kind == D_RULES && root->decls[j]->name.name &&
          strcmp(root->decls[j]->name.name, sc->name) == 0)
        at = root->decls[j]->name.span;
    finding(a, at, "IPSF-W113", NULL,
            "unused scale: '%s' (declared in %s) is computed for every device, but nothing "
            "of this pack reads it",
            sc->name, c->modules[sc->module].path);
  }
  /* imports of the root whose module contributes nothing used */
  Module *root = c->modules[c->root].ast;
  for (size_t j = 0; j < root->decl_count; j++) {
    const Decl *d = root->decls[j];
    if (d->kind != D_IMPORT || !d->str.text) continue;
    for (size_t m = 0; m < c->module_count; m++) {
      if (m == c->root) continue;
      const char *path = c->modules[m].path;
      bool match = ends_with(path, d->str.text) ||
                   ends_with(path, arena_printf(ar, "%s.ipsf", d->str.text));
      if (!match) continue;
      if (!contributes[m] && !u.module[m])
        finding(a, d->span, "IPSF-W114", NULL,
                "unused import: nothing of \"%s\" is used", d->str.text);
      break;
    }
  }
}

/* ---- the driver -------------------------------------------------------------------------- */

size_t analyze_pack(Compilation *c, const AnalyzeLimits *limits) {
  An an = {.c = c};
  An *a = &an;
  a->node_limit = limits && limits->nodes_per_search ? limits->nodes_per_search : 20000;
  a->work_limit = limits && limits->total_work ? limits->total_work : 400000000;
  a->words = (c->fact_count + 64) / 64;
  Arena *ar = &c->arena;
  a->let_pv = arena_array(ar, c->let_count + 1, sizeof(PV));
  a->let_gen = arena_array(ar, c->let_count + 1, sizeof(uint32_t));
  a->let_want = arena_array(ar, c->let_count + 1, sizeof(int32_t));
  a->scale_pv = arena_array(ar, c->scale_count + 1, sizeof(PV));
  a->scale_gen = arena_array(ar, c->scale_count + 1, sizeof(uint32_t));
  a->scale_want = arena_array(ar, c->scale_count + 1, sizeof(int32_t));
  a->let_deps = arena_array(ar, c->let_count + 1, sizeof(uint64_t *));
  a->scale_deps = arena_array(ar, c->scale_count + 1, sizeof(uint64_t *));
  a->fn_deps = arena_array(ar, c->fn_count + 1, sizeof(uint64_t *));
  a->let_dstate = arena_array(ar, c->let_count + 1, 1);
  a->scale_dstate = arena_array(ar, c->scale_count + 1, 1);
  a->fn_dstate = arena_array(ar, c->fn_count + 1, 1);
  a->gen = 1;

  setup_facts(a);
  for (size_t i = 0; i < c->let_count; i++) collect(a, c->lets[i].decl->value, NULL, 0);
  for (size_t i = 0; i < c->scale_count; i++)
    for (size_t r = 0; c->scales[i].rules && r < c->scales[i].rules->rule_count; r++)
      collect(a, c->scales[i].rules->rules[r].cond, NULL, 0);
  for (size_t i = 0; i < c->req_count; i++) {
    collect(a, c->reqs[i].applies, NULL, 0);
    for (size_t k = 0; k < c->reqs[i].confirm_count; k++)
      collect(a, c->reqs[i].confirms[k].when, NULL, 0);
  }
  finish_cells(a);

  check_unused(a);
  for (size_t i = 0; i < c->scale_count; i++) {
    const ScaleSym *s = &c->scales[i];
    if (!s->rules) continue;
    Undecided u = {0};
    check_gap(a, (uint32_t)i, &u);
    if (s->policy == IPSF_POLICY_UNIQUE) check_overlaps(a, (uint32_t)i, &u);
    check_rules(a, (uint32_t)i, &u);
    if (s->policy == IPSF_POLICY_WORST && !s->rules->allow_nonmonotone)
      check_monotone(a, (uint32_t)i, &u);
    report_undecided(a, s->rules->name.span, arena_printf(ar, "scale %s", s->name), &u);
  }
  for (size_t i = 0; i < c->req_count; i++) check_requirement(a, (uint32_t)i);
  return a->findings;
}
