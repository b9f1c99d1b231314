/*
 * doc_cells.c -- the category matrix as the static analysis sees it: per
 * cell of the matrix (axis 1 level, axis 2 level) and per requirement,
 * whether it applies there always, never or depending on facts, and which
 * confirm lines can be the chosen one there (`ipsfc doc`, compiler/doc.c).
 *
 * THE METHOD is analyze.c's, unchanged: the facts cut into cells
 * (ipsfc_an_prepare), questions asked as conjunctions searched over those
 * cells (ipsfc_an_search_conj).  A cell of the matrix is one more
 * constraint, `axis1 == L1 and axis2 == L2`, an expression built here in
 * the arena the way the parser and type checker would have built it (a
 * scale name compared with one of its levels), so the searches evaluate
 * it with the same partial evaluation as every rule condition.  Every
 * question also requires each scale of the pack to evaluate without error
 * (a witness must be an input the VM gets through).
 *
 * INVARIANTS.  An answer is exact or MX_UNKNOWN: "never" or "always" is
 * claimed only when the search found no witness, did not hit its bound,
 * was not stuck, and every fact involved is cut exactly (the conditions of
 * every scale -- all are reached -- and of the requirement read no
 * inexact fact).  A witness (applies here; this line can be chosen here)
 * is an input on exact cells, so it is one.  One limit, shared with `check`'s own questions: a witness
 * must get through every scale, not through every other requirement's
 * confirm lines, so in a pack with a confirm gap (IPSF-W110, which `check`
 * reports) a witness may be an input the VM refuses.  Nothing here
 * reports a diagnostic: `check` does that.
 */
#include <string.h>

#include "analyze_internal.h"

/* `scale == level`, typed as types.c types it. */
static Expr *scale_is(Arena *ar, const ScaleSym *s, uint32_t scale, uint32_t level) {
  Expr *name = arena_alloc(ar, sizeof *name), *lit = arena_alloc(ar, sizeof *lit),
       *eq = arena_alloc(ar, sizeof *eq);
  *name = (Expr){.kind = EX_NAME, .span = s->span, .depth = 1,
                 .ty = {TY_ENUM, s->enum_id}, .ref = REF_SCALE, .ref_index = scale};
  *lit = (Expr){.kind = EX_NAME, .span = s->span, .depth = 1,
                .ty = {TY_ENUM, s->enum_id}, .ref = REF_ENUM_VALUE, .ref_index = level};
  *eq = (Expr){.kind = EX_BINARY, .span = s->span, .op = OP_EQ, .a = name, .b2 = lit,
               .depth = 2, .ty = {TY_BOOL, 0}};
  return eq;
}


/* One question: is there an input satisfying b (with every scale
 * reached)?  MX_ALWAYS yes, MX_NEVER no (exactly), MX_UNKNOWN cannot tell. */
static int ask(An *a, ConjB *b, const uint32_t *all_scales, bool exact_facts) {
  b->q.reach = all_scales;
  b->q.nreach = a->c->scale_count;
  int r = ipsfc_an_search_conj(a, &b->q);
  if (r == S_FOUND) return exact_facts ? MX_ALWAYS : MX_UNKNOWN;
  if (r == S_NONE && exact_facts && !a->stuck && !a->bound) return MX_NEVER;
  return MX_UNKNOWN;
}

/* "a, b, c": the names of the facts in bits, declaration order. */
static const char *fact_list(An *a, const uint64_t *bits) {
  Compilation *c = a->c;
  size_t len = 1;
  for (size_t f = 0; f < c->fact_count; f++)
    if (bit(bits, f)) len += strlen(c->facts[f].name) + 2;
  char *out = arena_alloc(&c->arena, len);
  out[0] = '\0';
  for (size_t f = 0; f < c->fact_count; f++)
    if (bit(bits, f)) {
      if (out[0]) strcat(out, ", ");
      strcat(out, c->facts[f].name);
    }
  return out;
}

/* What decides, as a reader of the conditions sees it: the names the
 * expressions read directly (facts, lets, fns, scales; the two axes left
 * out, the cell fixes them), in order of appearance, each let, fn or
 * scale followed by the facts it reads: "wireless (radios), usage". */
typedef struct {
  const char *names[32];
  const uint64_t *deps[32]; /* a let's, fn's or scale's facts; NULL for a fact */
  size_t n;
  bool more;
} Names;

static void collect_names(An *a, const Expr *e, const uint32_t axis[2], Names *out) {
  if (!e) return;
  const char *name = NULL;
  const uint64_t *deps = NULL;
  if (e->kind == EX_NAME && e->ref == REF_FACT) {
    name = e->name.name;
  } else if (e->kind == EX_NAME && e->ref == REF_LET) {
    name = e->name.name;
    deps = ipsfc_an_let_deps(a, e->ref_index);
  } else if (e->kind == EX_NAME && e->ref == REF_SCALE && e->ref_index != axis[0] &&
             e->ref_index != axis[1]) {
    name = e->name.name;
    deps = ipsfc_an_scale_deps(a, e->ref_index);
  } else if (e->kind == EX_CALL && e->ref == REF_FN) {
    name = e->name.name;
    deps = ipsfc_an_fn_deps(a, e->ref_index);
  }
  if (name) {
    bool seen = false;
    for (size_t i = 0; i < out->n && !seen; i++) seen = strcmp(out->names[i], name) == 0;
    if (!seen && out->n < sizeof out->names / sizeof out->names[0]) {
      out->names[out->n] = name;
      out->deps[out->n++] = deps;
    } else if (!seen) {
      out->more = true;
    }
  }
  for (size_t i = 0; i < e->item_count; i++) collect_names(a, e->items[i], axis, out);
  collect_names(a, e->a, axis, out);
  collect_names(a, e->b2, axis, out);
  collect_names(a, e->c, axis, out);
}

static const char *names_text(An *a, const Expr *const *es, size_t n, const uint32_t axis[2]) {
  Compilation *c = a->c;
  Names nm = {.n = 0};
  for (size_t i = 0; i < n; i++) collect_names(a, es[i], axis, &nm);
  const char *text = "";
  for (size_t i = 0; i < nm.n; i++) {
    const char *item = nm.names[i];
    if (nm.deps[i]) {
      const char *facts = fact_list(a, nm.deps[i]);
      if (*facts) item = arena_printf(&c->arena, "%s (%s)", item, facts);
    }
    text = *text ? arena_printf(&c->arena, "%s, %s", text, item) : item;
  }
  return nm.more ? arena_printf(&c->arena, "%s, ...", text) : text;
}

/* The requirement ri in the cell given by the constraints cell[0..1]. */
static void analyse_req(An *a, uint32_t ri, Expr *const cell[2], const uint32_t axis[2],
                        const uint64_t *axis_deps, const uint32_t *all_scales, MatrixReq *out) {
  Compilation *c = a->c;
  const ReqSym *r = &c->reqs[ri];
  uint64_t *adeps = new_bits(a), *mdeps = new_bits(a), *deps = new_bits(a);
  ipsfc_an_deps_expr(a, r->applies, adeps);
  for (size_t k = 0; k < r->confirm_count; k++) ipsfc_an_deps_expr(a, r->confirms[k].when, mdeps);
  bits_or(a, deps, axis_deps);
  bits_or(a, deps, adeps);
  bits_or(a, deps, mdeps);
  bool exact = !bits_meet(a, deps, a->inexact);
  *out = (MatrixReq){.weakest = UINT32_MAX, .strongest = UINT32_MAX};
  out->applies_facts = names_text(a, (const Expr *const[]){r->applies}, 1, axis);
  const Expr **whens = arena_array(&c->arena, r->confirm_count + 1, sizeof *whens);
  for (size_t k = 0; k < r->confirm_count; k++) whens[k] = r->confirms[k].when;
  out->method_facts = names_text(a, whens, r->confirm_count, axis);

  ConjB b;
  ipsfc_an_conj_init(&b, &c->arena, 3);
  ipsfc_an_conj_add(&b, cell[0], true);
  ipsfc_an_conj_add(&b, cell[1], true);
  ipsfc_an_conj_add(&b, r->applies, true);
  int can = r->applies ? ask(a, &b, all_scales, exact) : MX_ALWAYS;
  if (can == MX_NEVER) {
    out->applies = MX_NEVER;
    out->lines_exact = true;
    return;
  }
  int cannot = MX_NEVER;
  if (r->applies) {
    ipsfc_an_conj_init(&b, &c->arena, 3);
    ipsfc_an_conj_add(&b, cell[0], true);
    ipsfc_an_conj_add(&b, cell[1], true);
    ipsfc_an_conj_add(&b, r->applies, false);
    cannot = ask(a, &b, all_scales, exact);
  }
  out->applies = can == MX_UNKNOWN || cannot == MX_UNKNOWN ? MX_UNKNOWN
                 : cannot == MX_ALWAYS                     ? MX_DEPENDS
                                                           : MX_ALWAYS;
  /* which lines can be the chosen one: applies, the line matches, and no
   * line the VM would prefer matches */
  out->lines_exact = true;
  for (size_t k = 0; k < r->confirm_count && k < 64; k++) {
    const ConfirmSym *cf = &r->confirms[k];
    ipsfc_an_conj_init(&b, &c->arena, r->confirm_count + 4);
    ipsfc_an_conj_add(&b, cell[0], true);
    ipsfc_an_conj_add(&b, cell[1], true);
    if (!ipsfc_an_conj_chosen(&b, r, k)) continue;
    int s = ask(a, &b, all_scales, exact);
    if (s == MX_UNKNOWN) out->lines_exact = false;
    if (s != MX_ALWAYS) continue;
    out->lines |= UINT64_C(1) << k;
    if (out->weakest == UINT32_MAX || ipsfc_an_confirm_stronger(&r->confirms[out->weakest], cf))
      out->weakest = (uint32_t)k;
    if (out->strongest == UINT32_MAX || ipsfc_an_confirm_stronger(cf, &r->confirms[out->strongest]))
      out->strongest = (uint32_t)k;
  }
}

bool analyze_matrix(Compilation *c, const AnalyzeLimits *limits, MatrixAnalysis *m) {
  *m = (MatrixAnalysis){{UINT32_MAX, UINT32_MAX}, {0, 0}, NULL, NULL};
  for (size_t i = 0; i < c->scale_count; i++)
    if (c->scales[i].axis == 1 || c->scales[i].axis == 2)
      m->axis[c->scales[i].axis - 1] = (uint32_t)i;
  if (m->axis[0] == UINT32_MAX || m->axis[1] == UINT32_MAX) return false;
  An an;
  An *a = &an;
  ipsfc_an_prepare(a, c, limits);
  Arena *ar = &c->arena;
  for (int x = 0; x < 2; x++)
    m->levels[x] = (uint32_t)c->enums[c->scales[m->axis[x]].enum_id].value_count;
  size_t ncells = (size_t)m->levels[0] * m->levels[1];
  m->reachable = arena_array(ar, ncells + 1, 1);
  m->reqs = arena_array(ar, ncells * c->req_count + 1, sizeof *m->reqs);
  uint32_t *all_scales = arena_array(ar, c->scale_count + 1, sizeof *all_scales);
  size_t n = 0;
  for (size_t i = 0; i < c->order_count; i++)
    if (c->order[i].kind == SYM_SCALE) all_scales[n++] = c->order[i].index;
  /* Every question asks every scale to evaluate (the reach), so its "no"
   * is exact only if no scale reads an inexact fact either. */
  uint64_t *axis_deps = new_bits(a);
  for (size_t i = 0; i < c->scale_count; i++) bits_or(a, axis_deps, ipsfc_an_scale_deps(a, (uint32_t)i));
  bool axes_exact = !bits_meet(a, axis_deps, a->inexact);
  for (uint32_t l1 = 0; l1 < m->levels[0]; l1++)
    for (uint32_t l2 = 0; l2 < m->levels[1]; l2++) {
      size_t cell = (size_t)l1 * m->levels[1] + l2;
      Expr *is[2] = {scale_is(ar, &c->scales[m->axis[0]], m->axis[0], l1),
                     scale_is(ar, &c->scales[m->axis[1]], m->axis[1], l2)};
      ConjB b;
      ipsfc_an_conj_init(&b, ar, 2);
      ipsfc_an_conj_add(&b, is[0], true);
      ipsfc_an_conj_add(&b, is[1], true);
      m->reachable[cell] = (uint8_t)ask(a, &b, all_scales, axes_exact);
      for (size_t r = 0; r < c->req_count; r++) {
        MatrixReq *out = &m->reqs[cell * c->req_count + r];
        if (m->reachable[cell] == MX_NEVER) {
          *out = (MatrixReq){.applies = MX_NEVER, .lines_exact = true, .weakest = UINT32_MAX,
                             .strongest = UINT32_MAX, .applies_facts = "", .method_facts = ""};
          continue;
        }
        analyse_req(a, (uint32_t)r, is, m->axis, axis_deps, all_scales, out);
      }
    }
  return true;
}
