/*
 * analyze_eval.c -- partial values: what the pack computes under a partial
 * assignment of cells, and the facts each expression depends on.
 * The method: analyze.c.
 */
#include <math.h>
#include <string.h>

#include "analyze_internal.h"
#include "arith.h"

/* ---- reading facts ----------------------------------------------------------------- */

IpsfValue ipsfc_an_fact_default(const FactInfo *f) {
  IpsfValue v = {0};
  if (f->has_default) return f->deflt;
  if (f->kind == TY_STRING) v.s = "";
  return v;
}

PV ipsfc_an_fact_value(An *a, uint32_t fact) {
  FactInfo *f = &a->fi[fact];
  if (f->kind == TY_SET) {
    PV p = {.k = PV_SET, .var = f->var};
    uint64_t full = f->n >= 64 ? ~UINT64_C(0) : (UINT64_C(1) << f->n) - 1;
    p.known = ~full;
    uint64_t d = ipsfc_an_fact_default(f).m;
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
    IpsfValue d = ipsfc_an_fact_default(f);
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


static PV to_num(PV p) {
  if (p.k == PV_INT) return is_known_int(p) ? pv_num((double)p.lo) : pv_unk();
  return p;
}

PV ipsfc_an_let_value(An *a, uint32_t i) {
  if (a->let_gen[i] == a->gen) {
    if (a->let_want[i] >= 0) want(a, a->let_want[i]);
    return a->let_pv[i];
  }
  int32_t saved = a->want;
  a->want = -1;
  const LetSym *l = &a->c->lets[i];
  PV v = ipsfc_an_ev(a, l->decl->value);
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
    PV p = ipsfc_an_ev(a, d->rules[i].cond);
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

PV ipsfc_an_scale_value(An *a, uint32_t i) {
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
  PV x = ipsfc_an_ev(a, e->a), y = ipsfc_an_ev(a, e->b2);
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

TyKind ipsfc_an_operand_kind(const Expr *e) {
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
  PV x = ipsfc_an_ev(a, e->a);
  if (x.k == PV_ERR) return x;
  int acc = 0;
  for (size_t i = 0; i < list->item_count; i++) {
    PV y = ipsfc_an_ev(a, list->items[i]);
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
  PV x = ipsfc_an_ev(a, e->a);
  if (x.k == PV_ERR) return x;
  int tx = truth(x);
  if (tx == (is_and ? 0 : 1)) {
    a->want = saved;
    return x;
  }
  PV y = ipsfc_an_ev(a, e->b2);
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
  PV c = ipsfc_an_ev(a, e->a);
  if (c.k == PV_ERR) return c;
  int t = truth(c);
  PV r;
  if (t >= 0) {
    a->want = saved;
    r = ipsfc_an_ev(a, t ? e->b2 : e->c);
  } else {
    r = join(ipsfc_an_ev(a, e->b2), ipsfc_an_ev(a, e->c));
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
    args[i] = as_type(ipsfc_an_ev(a, e->items[i]), f->params[i]);
    if (args[i].k == PV_ERR) return args[i];
  }
  a->frames[a->nframes++] = args;
  PV r = as_type(ipsfc_an_ev(a, f->decl->value), f->result);
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
    PV x = ipsfc_an_ev(a, e->items[i]);
    if (x.k == PV_ERR) return x;
  }
  return pv_unk();
}

static PV call_builtin(An *a, const Expr *e) {
  switch ((Builtin)e->ref_index) {
  case BI_MIN:
  case BI_MAX: {
    bool is_min = e->ref_index == BI_MIN;
    PV r = as_type(ipsfc_an_ev(a, e->items[0]), e->ty);
    for (size_t i = 1; i < e->item_count; i++) {
      PV y = as_type(ipsfc_an_ev(a, e->items[i]), e->ty);
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
    PV x = ipsfc_an_ev(a, e->items[0]);
    if (x.k == PV_ERR) return x;
    if (e->ty.kind == TY_NUMBER) return x.k == PV_NUM ? pv_num(fabs(x.n)) : pv_unk();
    if (!is_known_int(x)) return pv_int(INT64_MIN, INT64_MAX);
    int64_t r;
    if (ipsf_absi(x.lo, &r) != IPSF_ARITH_OK) return pv_err(E_ARITH, 0);
    return pv_int(r, r);
  }
  case BI_COUNT: {
    PV s = ipsfc_an_ev(a, e->items[0]);
    if (s.k == PV_ERR) return s;
    if (s.k != PV_SET) return pv_int(0, 64);
    int lo = __builtin_popcountll(s.val & s.known);
    int unk = __builtin_popcountll(~s.known);
    if (unk && s.var >= 0) want(a, s.var + __builtin_ctzll(~s.known));
    return pv_int(lo, lo + unk);
  }
  case BI_LOWER: {
    PV x = ipsfc_an_ev(a, e->items[0]);
    if (x.k != PV_STR) return x.k == PV_ERR ? x : pv_unk();
    return pv_str(lower_copy(a, x.s));
  }
  default: {
    PV x = ipsfc_an_ev(a, e->items[0]), y = ipsfc_an_ev(a, e->items[1]);
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
    PV x = ipsfc_an_ev(a, e->items[i]);
    if (x.k == PV_ERR) return x;
    if (!is_known_int(x)) return (PV){.k = PV_SET, .known = 0, .var = -1};
    p.val |= UINT64_C(1) << x.lo;
  }
  return p;
}

PV ipsfc_an_ev(An *a, const Expr *e) {
  a->work++;
  switch (e->kind) {
  case EX_INT: return pv_int(e->i, e->i);
  case EX_NUMBER: return pv_num(e->n);
  case EX_STRING: return pv_str(e->str);
  case EX_BOOL: return pv_int(e->b, e->b);
  case EX_NAME:
    switch (e->ref) {
    case REF_FACT: return ipsfc_an_fact_value(a, e->ref_index);
    case REF_LET: return ipsfc_an_let_value(a, e->ref_index);
    case REF_SCALE: return ipsfc_an_scale_value(a, e->ref_index);
    case REF_PARAM: return a->nframes ? a->frames[a->nframes - 1][e->ref_index] : pv_unk();
    case REF_ENUM_VALUE: return pv_int(e->ref_index, e->ref_index);
    default: return pv_unk();
    }
  case EX_SET: return ev_set(a, e);
  case EX_UNARY: {
    PV x = ipsfc_an_ev(a, e->a);
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
        PV x = ipsfc_an_ev(a, e->a);
        if (x.k == PV_ERR) return x;
        return membership(a, x, ipsfc_an_ev(a, e->b2));
      }
    case OP_EQ: case OP_NE: case OP_LT: case OP_LE: case OP_GT: case OP_GE: {
      PV x = ipsfc_an_ev(a, e->a);
      if (x.k == PV_ERR) return x;
      return compare_pv(a, e->op, ipsfc_an_operand_kind(e), x, ipsfc_an_ev(a, e->b2));
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



const uint64_t *ipsfc_an_let_deps(An *a, uint32_t i) {
  if (a->let_dstate[i] == 2) return a->let_deps[i];
  a->let_deps[i] = new_bits(a);
  a->let_dstate[i] = 2;
  ipsfc_an_deps_expr(a, a->c->lets[i].decl->value, a->let_deps[i]);
  return a->let_deps[i];
}

const uint64_t *ipsfc_an_scale_deps(An *a, uint32_t i) {
  if (a->scale_dstate[i] == 2) return a->scale_deps[i];
  a->scale_deps[i] = new_bits(a);
  a->scale_dstate[i] = 2;
  const Decl *d = a->c->scales[i].rules;
  for (size_t r = 0; d && r < d->rule_count; r++) ipsfc_an_deps_expr(a, d->rules[r].cond, a->scale_deps[i]);
  return a->scale_deps[i];
}

const uint64_t *ipsfc_an_fn_deps(An *a, uint32_t i) {
  if (a->fn_dstate[i] == 2) return a->fn_deps[i];
  a->fn_deps[i] = new_bits(a);
  a->fn_dstate[i] = 2;
  ipsfc_an_deps_expr(a, a->c->fns[i].decl->value, a->fn_deps[i]);
  return a->fn_deps[i];
}

void ipsfc_an_deps_expr(An *a, const Expr *e, uint64_t *out) {
  if (!e) return;
  switch (e->kind) {
  case EX_NAME:
    if (e->ref == REF_FACT) set_bit(out, e->ref_index);
    else if (e->ref == REF_LET) bits_or(a, out, ipsfc_an_let_deps(a, e->ref_index));
    else if (e->ref == REF_SCALE) bits_or(a, out, ipsfc_an_scale_deps(a, e->ref_index));
    return;
  case EX_CALL:
    if (e->ref == REF_FN) bits_or(a, out, ipsfc_an_fn_deps(a, e->ref_index));
    for (size_t i = 0; i < e->item_count; i++) ipsfc_an_deps_expr(a, e->items[i], out);
    return;
  case EX_SET:
    for (size_t i = 0; i < e->item_count; i++) ipsfc_an_deps_expr(a, e->items[i], out);
    return;
  default:
    ipsfc_an_deps_expr(a, e->a, out);
    ipsfc_an_deps_expr(a, e->b2, out);
    ipsfc_an_deps_expr(a, e->c, out);
    return;
  }
}

uint64_t *ipsfc_an_expr_deps(An *a, const Expr *e) {
  uint64_t *d = new_bits(a);
  ipsfc_an_deps_expr(a, e, d);
  return d;
}

/* The facts of a condition, computed once. */
const uint64_t *ipsfc_an_cached_deps(An *a, const Expr *e) {
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
    a->dval[j] = ipsfc_an_expr_deps(a, e);
    a->dcount++;
  }
  return a->dval[j];
}
