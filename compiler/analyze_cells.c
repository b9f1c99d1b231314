/*
 * analyze_cells.c -- cut each fact's domain into cells: the thresholds and
 * literals the pack compares it with, and the variables of the search.
 * The method: analyze.c.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze_internal.h"

/* ---- cells: thresholds and literals ---------------------------------------------- */

/* A linear form: k * fact + b (fact < 0: a constant). */
typedef struct {
  bool ok;
  int32_t fact;
  double k, b;
  bool plain; /* exactly the fact itself or a constant: no rounding */
} Lin;


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

/* Record what makes the cells of `facts` inexact (see InexactCause). */
static void add_cause(An *a, Span at, const char *why, uint64_t *facts) {
  a->causes = grow_array(&a->c->arena, a->causes, &a->ccauses, a->ncauses, sizeof *a->causes);
  a->causes[a->ncauses++] = (InexactCause){at, why, facts, a->own_kind, a->own_index};
}

static void inexact_fact(An *a, uint32_t fact, Span at, const char *why) {
  a->fi[fact].inexact = true;
  uint64_t *d = new_bits(a);
  set_bit(d, fact);
  add_cause(a, at, why, d);
}

static void add_threshold(An *a, uint32_t fact, double t, bool plain, Span at) {
  FactInfo *f = &a->fi[fact];
  if (!isfinite(t)) {
    inexact_fact(a, fact, at, "has a threshold that is not a finite number");
    return;
  }
  if (f->kind == TY_NUMBER) {
    /* rounding: the flip point is only near t */
    if (!plain) inexact_fact(a, fact, at, "scales a number fact, whose flip point rounds");
    f->nth = grow_array(&a->c->arena, f->nth, &f->cnth, f->nnth, sizeof *f->nth);
    f->nth[f->nnth++] = t;
    return;
  }
  if (fabs(t) >= 9.0e15) { /* beyond exact doubles */
    inexact_fact(a, fact, at, "has a threshold beyond the exact range of doubles");
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
    ipsfc_an_deps_expr(a, e, out);
    return;
  case EX_CALL:
    if (e->ref == REF_FN) bits_or(a, out, ipsfc_an_fn_deps(a, e->ref_index));
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

/* Mark the numeric and string facts an expression reads as inexact,
 * because of the construct at `at` (why says what about it). */
static void mark_inexact(An *a, const Expr *e, const Frame *fr, Span at, const char *why) {
  if (!e) return;
  uint64_t *d = new_bits(a);
  deps_frame(a, e, fr, d, 0);
  uint64_t *kept = new_bits(a);
  bool any = false;
  for (size_t i = 0; i < a->c->fact_count; i++)
    if (bit(d, i) && (a->fi[i].kind == TY_INT || a->fi[i].kind == TY_NUMBER ||
                      a->fi[i].kind == TY_STRING)) {
      a->fi[i].inexact = true;
      set_bit(kept, i);
      any = true;
    }
  if (any) add_cause(a, at, why, kept);
}


/* A comparison of a and b with numbers or strings in it. */
static void collect_compare(An *a, const Expr *whole, const Expr *x, const Expr *y,
                            TyKind t, const Frame *fr, int depth) {
  if (t == TY_INT || t == TY_NUMBER) {
    Lin lx = lin_of(a, x, fr, 0), ly = lin_of(a, y, fr, 0);
    Lin d = lin_combine(lx, ly, -1);
    if (d.ok && d.fact >= 0) {
      bool plain = (lx.plain && ly.plain) && (d.k == 1 || d.k == -1);
      add_threshold(a, (uint32_t)d.fact, -d.b / d.k, plain, whole->span);
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
  (void)depth;
  const char *why = t == TY_STRING
                        ? "compares strings that are not a fact and a literal"
                        : "is not linear in one fact (a product or quotient of "
                          "facts, or facts compared with each other)";
  mark_inexact(a, x, fr, whole->span, why);
  mark_inexact(a, y, fr, whole->span, why);
}

void ipsfc_an_collect(An *a, const Expr *e, const Frame *fr, int depth) {
  if (!e || depth > 64) return;
  switch (e->kind) {
  case EX_BINARY:
    switch (e->op) {
    case OP_EQ: case OP_NE: case OP_LT: case OP_LE: case OP_GT: case OP_GE: {
      TyKind t = ipsfc_an_operand_kind(e);
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
    ipsfc_an_collect(a, e->a, fr, depth + 1);
    ipsfc_an_collect(a, e->b2, fr, depth + 1);
    return;
  case EX_UNARY: ipsfc_an_collect(a, e->a, fr, depth + 1); return;
  case EX_IF:
    ipsfc_an_collect(a, e->a, fr, depth + 1);
    ipsfc_an_collect(a, e->b2, fr, depth + 1);
    ipsfc_an_collect(a, e->c, fr, depth + 1);
    return;
  case EX_SET:
    for (size_t i = 0; i < e->item_count; i++) ipsfc_an_collect(a, e->items[i], fr, depth + 1);
    return;
  case EX_CALL:
    for (size_t i = 0; i < e->item_count; i++) ipsfc_an_collect(a, e->items[i], fr, depth + 1);
    if (e->ref == REF_FN) {
      Frame inner = {(const Expr *const *)e->items, fr};
      ipsfc_an_collect(a, a->c->fns[e->ref_index].decl->value, &inner, depth + 1);
      return;
    }
    if (e->ref == REF_NATIVE || !ipsf_builtins[e->ref_index].inline_op) {
      /* through a function the analysis cannot see: the cells are not exact */
      for (size_t i = 0; i < e->item_count; i++)
        mark_inexact(a, e->items[i], fr, e->span, "passes facts to a function the analysis cannot see into");
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
        mark_inexact(a, e->items[i], fr, e->span,
                     "tests a string with a function (its cells are the literals only)");
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
  IpsfValue d = ipsfc_an_fact_default(f);
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

/* Cuts another pack makes in the same fact (ipsfc diff): its thresholds
 * and literals become cells here too. */
void ipsfc_an_add_cuts(An *a, uint32_t fact, const AnalyzeFactCuts *cuts) {
  FactInfo *f = &a->fi[fact];
  if (f->kind == TY_INT)
    for (size_t i = 0; i < cuts->nith; i++) add_int_threshold(a, f, cuts->ith[i]);
  if (f->kind == TY_NUMBER)
    for (size_t i = 0; i < cuts->nnth; i++) add_threshold(a, fact, cuts->nth[i], true, NO_SPAN);
  if (f->kind == TY_STRING)
    for (size_t i = 0; i < cuts->nlit; i++) add_literal(a, fact, cuts->lit[i]);
}

void ipsfc_an_setup_facts(An *a) {
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

void ipsfc_an_finish_cells(An *a) {
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
        def = (uint32_t)((ipsfc_an_fact_default(f).m >> m) & 1);
      } else {
        v->ncells = f->kind == TY_BOOL ? 2 : f->n;
        def = (uint32_t)ipsfc_an_fact_default(f).i;
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
