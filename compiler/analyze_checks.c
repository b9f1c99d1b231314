/*
 * analyze_checks.c -- the questions asked of each rules block and
 * requirement (gap, overlap, dead, shadowed, redundant, nonmonotone, never
 * applies, confirm never strongest, confirm gap), and how a finding and
 * its counterexample sheet are reported.
 * The method: analyze.c.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze_internal.h"
#include "report.h"
#include "xbuf.h"

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
    PV p = ipsfc_an_fact_value(a, (uint32_t)i);
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
  return xbuf_take(&b);
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
    PV v = c->order[i].kind == SYM_LET ? ipsfc_an_let_value(a, c->order[i].index)
                                       : ipsfc_an_scale_value(a, c->order[i].index);
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
      PV p = ipsfc_an_ev(a, q->applies);
      if (p.k == PV_ERR) { r = p; break; }
      if (truth(p) != 1) continue;
    }
    bool any = false;
    for (size_t j = 0; j < q->confirm_count; j++) {
      if (!q->confirms[j].when) { any = true; continue; }
      PV p = ipsfc_an_ev(a, q->confirms[j].when);
      if (p.k == PV_ERR) { r = p; break; }
      if (truth(p) == 1) any = true;
    }
    if (r.k != PV_ERR && !any) r = pv_err(E_CONFIRM, (uint32_t)i);
  }
  a->complete = saved;
  a->gen++;
  return r;
}

void ipsfc_an_finding(An *a, Span at, const char *code, char *sheet, const char *fmt, ...) {
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


static void undecided_add(Undecided *u, const char *what) {
  for (size_t i = 0; i < u->nwhat; i++)
    if (strcmp(u->what[i], what) == 0) return;
  if (u->nwhat < 8) u->what[u->nwhat++] = what;
}

/* ---- what the root being checked reads (for the causes of IPSF-W100) ---------- */

static void reach_expr(An *a, const Expr *e, int depth);

static void reach_scale(An *a, uint32_t si, int depth) {
  if (a->reach_scale[si]) return;
  a->reach_scale[si] = 1;
  const Decl *d = a->c->scales[si].rules;
  for (size_t r = 0; d && r < d->rule_count; r++) reach_expr(a, d->rules[r].cond, depth + 1);
}

static void reach_expr(An *a, const Expr *e, int depth) {
  if (!e) return;
  if (depth > 200) {
    a->reach_all = true;
    return;
  }
  switch (e->kind) {
  case EX_NAME:
    if (e->ref == REF_LET && !a->reach_let[e->ref_index]) {
      a->reach_let[e->ref_index] = 1;
      reach_expr(a, a->c->lets[e->ref_index].decl->value, depth + 1);
    } else if (e->ref == REF_SCALE) {
      reach_scale(a, e->ref_index, depth);
    }
    return;
  case EX_CALL:
    if (e->ref == REF_FN) reach_expr(a, a->c->fns[e->ref_index].decl->value, depth + 1);
    /* FALLTHROUGH */
  case EX_SET:
    for (size_t i = 0; i < e->item_count; i++) reach_expr(a, e->items[i], depth + 1);
    return;
  default:
    reach_expr(a, e->a, depth + 1);
    reach_expr(a, e->b2, depth + 1);
    reach_expr(a, e->c, depth + 1);
    return;
  }
}

void ipsfc_an_set_root(An *a, int kind, uint32_t index) {
  Compilation *c = a->c;
  if (!a->reach_let) {
    a->reach_let = arena_array(&c->arena, c->let_count + 1, 1);
    a->reach_scale = arena_array(&c->arena, c->scale_count + 1, 1);
  }
  memset(a->reach_let, 0, c->let_count + 1);
  memset(a->reach_scale, 0, c->scale_count + 1);
  a->reach_all = false;
  a->root_kind = kind;
  a->root_index = index;
  if (kind == OWN_SCALE) {
    reach_scale(a, index, 0);
  } else {
    const ReqSym *r = &c->reqs[index];
    reach_expr(a, r->applies, 0);
    for (size_t k = 0; k < r->confirm_count; k++) reach_expr(a, r->confirms[k].when, 0);
  }
}

/* The first cause that the root reads and that touches deps, or NULL. */
static const InexactCause *cause_for(An *a, const uint64_t *deps) {
  for (size_t i = 0; i < a->ncauses; i++) {
    const InexactCause *k = &a->causes[i];
    bool read = a->reach_all || !a->reach_let ||
                (k->kind == OWN_LET && a->reach_let[k->owner]) ||
                (k->kind == OWN_SCALE && a->reach_scale[k->owner]) ||
                (k->kind == OWN_REQ && a->root_kind == OWN_REQ && a->root_index == k->owner);
    if (read && bits_meet(a, deps, k->facts)) return k;
  }
  return NULL;
}

/* After a search that found nothing: was that exact? */
static bool exact_none(An *a, const uint64_t *deps, Undecided *u, const char *what) {
  const InexactCause *cause = deps && bits_meet(a, deps, a->inexact) ? cause_for(a, deps) : NULL;
  bool inexact = cause != NULL;
  if (inexact && !u->cause) u->cause = cause;
  if (!inexact && !a->stuck && !a->bound) return true;
  u->inexact_deps |= inexact;
  u->stuck |= a->stuck;
  u->bound |= a->bound;
  undecided_add(u, what);
  return false;
}

/* "`total_kw > 100` at pack.ipsf:17:16 is not linear in one fact, so the
 * cells of power_kw, ports are not exact" (arena). */
static const char *cause_text(An *a, const InexactCause *k) {
  Compilation *c = a->c;
  const char *facts = "";
  size_t n = 0;
  for (size_t i = 0; i < c->fact_count; i++)
    if (bit(k->facts, i) && n++ < 4)
      facts = arena_printf(&c->arena, "%s%s%s", facts, *facts ? ", " : "", c->facts[i].name);
  if (n > 4) facts = arena_printf(&c->arena, "%s, ...", facts);
  if (k->at.file == SPAN_NO_FILE || k->at.file >= c->sources.count)
    return arena_printf(&c->arena, "a comparison %s, so the cells of %s are not exact", k->why, facts);
  const Source *src = c->sources.items[k->at.file];
  uint32_t line, col, len = k->at.end - k->at.start;
  sources_line_col(&c->sources, k->at.file, k->at.start, &line, &col);
  const char *text = src->text + k->at.start;
  int shown = len > 48 ? 45 : (int)len;
  for (int i = 0; i < shown; i++)
    if (text[i] == '\n' || text[i] == '\r') shown = i;
  return arena_printf(&c->arena, "`%.*s%s` at %s:%u:%u %s, so the cells of %s are not exact",
                      shown, text, shown < (int)len ? "..." : "", src->path, line, col, k->why,
                      facts);
}

void ipsfc_an_report_undecided(An *a, Span at, const char *subject, const Undecided *u) {
  if (!u->nwhat) return;
  char list[256] = "";
  for (size_t i = 0; i < u->nwhat; i++) {
    strncat(list, i ? ", " : "", sizeof list - strlen(list) - 1);
    strncat(list, u->what[i], sizeof list - strlen(list) - 1);
  }
  const char *why = u->bound ? "the work bound was hit"
                    : u->unconfirmed
                        ? "a counterexample failed elsewhere in the pack when evaluated in full"
                    : u->cause ? cause_text(a, u->cause)
                               : "a number or string is compared non-linearly, through a "
                                 "function, or with another fact, so its cells are not exact";
  ipsfc_an_finding(a, at, "IPSF-W100", NULL, "not analysed: %s of %s (%s)", list, subject, why);
  if (!u->bound && !u->unconfirmed && u->cause && u->cause->at.file != SPAN_NO_FILE)
    diag_note(&a->c->diags, u->cause->at, "the analysis stops here");
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

void ipsfc_an_check_gap(An *a, uint32_t si, Undecided *u) {
  const ScaleSym *s = &a->c->scales[si];
  const Decl *d = s->rules;
  if (s->otherwise != UINT32_MAX) return;
  ConjB b;
  ipsfc_an_conj_init(&b, &a->c->arena, d->rule_count);
  for (size_t i = 0; i < d->rule_count; i++) ipsfc_an_conj_add(&b, d->rules[i].cond, false);
  /* first an input the VM gets to this block with, then any input */
  reach_before(a, &b.q, si);
  int r = ipsfc_an_search_conj(a, &b.q);
  bool masked = false;
  if (r != S_FOUND && !a->bound) {
    b.q.nreach = 0;
    r = ipsfc_an_search_conj(a, &b.q);
    masked = r == S_FOUND;
  }
  if (r == S_FOUND) {
    materialize(a);
    PV v = run_all(a, NULL);
    if (masked || (v.k == PV_ERR && v.err == E_GAP && v.unit == si)) {
      ipsfc_an_finding(a, d->name.span, "IPSF-W102", sheet_json(a, -1, NULL, v),
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
  exact_none(a, ipsfc_an_scale_deps(a, si), u, "gaps");
}

/* Overlaps under `unique`: pairs of rules with different levels. */
void ipsfc_an_check_overlaps(An *a, uint32_t si, Undecided *u) {
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
      ipsfc_an_conj_init(&b, &a->c->arena, 2);
      ipsfc_an_conj_add(&b, d->rules[i].cond, true);
      ipsfc_an_conj_add(&b, d->rules[j].cond, true);
      reach_before(a, &b.q, si);
      int r = ipsfc_an_search_conj(a, &b.q);
      if (r != S_FOUND) {
        uint64_t *deps = ipsfc_an_expr_deps(a, d->rules[i].cond);
        ipsfc_an_deps_expr(a, d->rules[j].cond, deps);
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
      ipsfc_an_finding(a, d->rules[j].span, "IPSF-W103", sheet_json(a, -1, NULL, v),
              "overlap: under policy unique, this rule (%s) and the rule at %s (%s) can both "
              "match",
              level_name(a, si, s->rule_levels[j]), at, level_name(a, si, s->rule_levels[i]));
      diag_note(&a->c->diags, d->rules[i].span, "the other rule is here");
      reported++;
    }
}

/* Dead, shadowed (first) and redundant (worst) rules. */
void ipsfc_an_check_rules(An *a, uint32_t si, Undecided *u) {
  const ScaleSym *s = &a->c->scales[si];
  const Decl *d = s->rules;
  for (size_t i = 0; i < d->rule_count; i++) {
    const RuleDecl *r = &d->rules[i];
    uint64_t *deps = ipsfc_an_expr_deps(a, r->cond);
    ConjB b;
    ipsfc_an_conj_init(&b, &a->c->arena, 1);
    ipsfc_an_conj_add(&b, r->cond, true);
    int found = ipsfc_an_search_conj(a, &b.q);
    if (found != S_FOUND) {
      if (exact_none(a, deps, u, "dead rules"))
        ipsfc_an_finding(a, r->span, "IPSF-W104", NULL,
                "dead rule: the condition of this rule (%s) is false for every input",
                level_name(a, si, s->rule_levels[i]));
      continue;
    }
    if (s->policy == IPSF_POLICY_UNIQUE) continue;
    /* can it change the result? */
    ipsfc_an_conj_init(&b, &a->c->arena, d->rule_count + 1);
    ipsfc_an_conj_add(&b, r->cond, true);
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
      ipsfc_an_conj_add(&b, d->rules[j].cond, false);
      ipsfc_an_deps_expr(a, d->rules[j].cond, deps);
    }
    if (s->policy == IPSF_POLICY_WORST && s->otherwise != UINT32_MAX && (int64_t)s->otherwise == L) {
      b.q.use_any = true;
      b.q.any = arena_array(&a->c->arena, nlower + 1, sizeof(Expr *));
      for (size_t j = 0; j < d->rule_count; j++)
        if (j != i && s->rule_levels[j] < L) {
          b.q.any[b.q.nany++] = d->rules[j].cond;
          ipsfc_an_deps_expr(a, d->rules[j].cond, deps);
        }
    }
    if (ipsfc_an_search_conj(a, &b.q) == S_FOUND) continue;
    const char *what = s->policy == IPSF_POLICY_FIRST ? "shadowed rules" : "redundant rules";
    if (!exact_none(a, deps, u, what)) continue;
    /* an example where it matches, with the rule that decides instead */
    ipsfc_an_conj_init(&b, &a->c->arena, 1);
    ipsfc_an_conj_add(&b, r->cond, true);
    char *sheet = NULL;
    if (ipsfc_an_search_conj(a, &b.q) == S_FOUND) {
      materialize(a);
      PV ok = run_all(a, NULL);
      if (ok.k != PV_ERR) sheet = sheet_json(a, -1, NULL, ok);
    }
    if (s->policy == IPSF_POLICY_FIRST)
      ipsfc_an_finding(a, r->span, "IPSF-W105", sheet,
              "shadowed rule: under policy first, an earlier rule matches whenever this one "
              "(%s) does, so it never decides the level",
              level_name(a, si, L));
    else if (s->otherwise != UINT32_MAX && (int64_t)s->otherwise == L)
      ipsfc_an_finding(a, r->span, "IPSF-W106", sheet,
              "redundant rule: this rule (%s) never changes the level: whenever it matches, a "
              "rule of the same or a higher level matches too, or the otherwise level is the "
              "same",
              level_name(a, si, L));
    else
      ipsfc_an_finding(a, r->span, "IPSF-W106", sheet,
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
  PV x = ipsfc_an_scale_value(a, q->scale);
  int32_t w1 = a->want;
  a->cell[q->var] = (int32_t)q->c2;
  a->gen++;
  a->want = -1;
  PV y = ipsfc_an_scale_value(a, q->scale);
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
  PV p = ipsfc_an_fact_value(a, a->vars[var].fact);
  a->cell[var] = saved;
  a->gen++;
  return p;
}

void ipsfc_an_check_monotone(An *a, uint32_t si, Undecided *u) {
  const ScaleSym *s = &a->c->scales[si];
  const uint64_t *deps = ipsfc_an_scale_deps(a, si);
  for (size_t f = 0; f < a->c->fact_count; f++) {
    const FactInfo *fi = &a->fi[f];
    if (!bit(deps, f) || a->c->facts[f].decl->unordered) continue;
    if (fi->kind != TY_INT && fi->kind != TY_NUMBER && fi->kind != TY_ENUM) continue;
    const Var *v = &a->vars[fi->var];
    bool done = false;
    for (uint32_t k = 0; k + 1 < v->ncells && !done; k++) {
      MonoQ q = {si, fi->var, k, k + 1};
      int r = ipsfc_an_search(a, judge_mono, &q);
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
      char *v1 = xbuf_take(&b1), *v2 = xbuf_take(&b2);
      ipsfc_an_finding(a, s->rules->name.span, "IPSF-W107", sheet,
              "nonmonotone: scale %s goes down from %s to %s when %s gets worse, from %s to %s "
              "(mark the fact `unordered`, or the block `allow nonmonotone`, if this is meant)",
              s->name, level_name(a, si, l1[si]), level_name(a, si, l2[si]),
              a->c->facts[f].name, v1, v2);
      free(v1);
      free(v2);
      done = true;
    }
  }
}

/* ---- requirements ------------------------------------------------------------------------ */

bool ipsfc_an_confirm_stronger(const ConfirmSym *x, const ConfirmSym *y) {
  if (x->method != y->method) return x->method > y->method;
  if ((x->every != 0) != (y->every != 0)) return x->every != 0;
  return x->every != 0 && x->every < y->every;
}

bool ipsfc_an_conj_chosen(ConjB *b, const ReqSym *r, size_t k) {
  const ConfirmSym *cf = &r->confirms[k];
  ipsfc_an_conj_add(b, r->applies, true);
  ipsfc_an_conj_add(b, cf->when, true);
  bool possible = true;
  for (size_t l = 0; l < r->confirm_count; l++) {
    if (l == k) continue;
    const ConfirmSym *o = &r->confirms[l];
    /* an earlier line wins a tie: it beats k unless k is stronger */
    bool beats = l < k ? !ipsfc_an_confirm_stronger(cf, o) : ipsfc_an_confirm_stronger(o, cf);
    if (!beats) continue;
    if (!o->when) possible = false;
    ipsfc_an_conj_add(b, o->when, false);
  }
  return possible;
}

void ipsfc_an_check_requirement(An *a, uint32_t ri) {
  const ReqSym *r = &a->c->reqs[ri];
  Undecided u = {0};
  const char *subject = arena_printf(&a->c->arena, "requirement %s", r->id);
  ipsfc_an_set_root(a, OWN_REQ, ri);
  uint64_t *deps = new_bits(a);
  ipsfc_an_deps_expr(a, r->applies, deps);
  for (size_t k = 0; k < r->confirm_count; k++) ipsfc_an_deps_expr(a, r->confirms[k].when, deps);
  ConjB b;
  if (r->applies) {
    ipsfc_an_conj_init(&b, &a->c->arena, 1);
    ipsfc_an_conj_add(&b, r->applies, true);
    if (ipsfc_an_search_conj(a, &b.q) != S_FOUND) {
      if (exact_none(a, deps, &u, "applies"))
        ipsfc_an_finding(a, r->applies->span, "IPSF-W108", NULL,
                "requirement %s never applies: its applies condition is false for every input",
                r->id);
      ipsfc_an_report_undecided(a, r->span, subject, &u);
      return;
    }
  }
  /* a gap among the confirm lines */
  bool always = false;
  for (size_t k = 0; k < r->confirm_count; k++) always |= r->confirms[k].when == NULL;
  if (!always) {
    ipsfc_an_conj_init(&b, &a->c->arena, r->confirm_count + 1);
    ipsfc_an_conj_add(&b, r->applies, true);
    for (size_t k = 0; k < r->confirm_count; k++) ipsfc_an_conj_add(&b, r->confirms[k].when, false);
    reach_before(a, &b.q, UINT32_MAX);
    if (ipsfc_an_search_conj(a, &b.q) == S_FOUND) {
      materialize(a);
      PV v = run_all(a, NULL);
      if (v.k == PV_ERR && v.err == E_CONFIRM && v.unit == ri)
        ipsfc_an_finding(a, r->span, "IPSF-W110", sheet_json(a, -1, NULL, v),
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
    ipsfc_an_conj_init(&b, &a->c->arena, r->confirm_count + 2);
    bool impossible = !ipsfc_an_conj_chosen(&b, r, k);
    if (!impossible && ipsfc_an_search_conj(a, &b.q) == S_FOUND) continue;
    if (!impossible && !exact_none(a, deps, &u, "confirm lines")) continue;
    ipsfc_an_finding(a, cf->span, "IPSF-W109", NULL,
            "confirm line never the strongest: whenever requirement %s applies and this line "
            "matches, another line asks for as much or more",
            r->id);
  }
  ipsfc_an_report_undecided(a, r->span, subject, &u);
}

/* ---- compensating measures ----------------------------------------------------------------- */

/* A `compensated_by` entry of a requirement of the root that can never
 * take effect (IPSF-W117): no input makes both the requirement and the
 * compensating one apply.  Claimed only when the cells of every fact the
 * two applies conditions read are exact, else "not analysed" (IPSF-W100);
 * a requirement (either) that never applies at all is IPSF-W108's, not
 * this. */
void ipsfc_an_check_compensations(An *a, uint32_t ri) {
  Compilation *c = a->c;
  const ReqSym *r = &c->reqs[ri];
  if (!r->comp_count || r->module != c->root) return;
  Undecided u = {0};
  const char *subject = arena_printf(&c->arena, "requirement %s", r->id);
  bool applies_somewhere = true;
  ConjB b;
  ipsfc_an_set_root(a, OWN_REQ, ri);
  if (r->applies) {
    ipsfc_an_conj_init(&b, &c->arena, 1);
    ipsfc_an_conj_add(&b, r->applies, true);
    applies_somewhere = ipsfc_an_search_conj(a, &b.q) == S_FOUND;
  }
  for (size_t k = 0; applies_somewhere && k < r->comp_count; k++) {
    const CompensationSym *cs = &r->comps[k];
    if (cs->by == UINT32_MAX) continue;
    const ReqSym *by = &c->reqs[cs->by];
    if (!by->applies) continue; /* applies wherever r does */
    ipsfc_an_set_root(a, OWN_REQ, ri);
    reach_expr(a, by->applies, 0);
    a->reach_all = true; /* the causes of by's applies (owned by by) count too */
    ipsfc_an_conj_init(&b, &c->arena, 2);
    ipsfc_an_conj_add(&b, r->applies, true);
    ipsfc_an_conj_add(&b, by->applies, true);
    if (ipsfc_an_search_conj(a, &b.q) == S_FOUND) continue;
    ipsfc_an_conj_init(&b, &c->arena, 1);
    ipsfc_an_conj_add(&b, by->applies, true);
    if (ipsfc_an_search_conj(a, &b.q) != S_FOUND) continue; /* by never applies: W108's */
    uint64_t *deps = new_bits(a);
    ipsfc_an_deps_expr(a, r->applies, deps);
    ipsfc_an_deps_expr(a, by->applies, deps);
    if (exact_none(a, deps, &u, "compensations"))
      ipsfc_an_finding(a, cs->name->span, "IPSF-W117", NULL,
                       "compensation never applies: requirement %s applies to no input to which "
                       "%s applies, so %s can never compensate for it",
                       r->id, by->id, by->id);
  }
  ipsfc_an_report_undecided(a, r->span, subject, &u);
}
