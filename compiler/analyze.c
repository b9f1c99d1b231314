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
 *
 * THE FILES.  analyze_eval.c (partial values), analyze_cells.c (the
 * cells), analyze_search.c (the searches), analyze_checks.c (the questions
 * and the findings); this file checks unused declarations and drives the
 * rest.  They share the state An of analyze_internal.h.
 */
#include <string.h>

#include "analyze_internal.h"

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
      case D_EXTERN: case D_PROFILE:
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
  /* A let or fn that a test's `expect` reads is used: the test names a
   * property of the pack by it.  Facts and scales a test reads are not
   * (a fact only a test reads is still never read by the pack), hence
   * the scratch arrays. */
  Used by_tests = {arena_array(ar, c->fact_count + 1, 1), u.let, u.fn,
                   arena_array(ar, c->scale_count + 1, 1), arena_array(ar, c->module_count + 1, 1)};
  for (size_t i = 0; i < c->test_count; i++)
    for (size_t k = 0; k < c->tests[i]->expect_count; k++)
      mark_used(a, &by_tests, c->tests[i]->expects[k].expr, c->root);
  /* a catalog is used when a ref or satisfied_by names one of its provisions */
  for (size_t i = 0; i < c->provision_count; i++)
    if (c->provisions[i].used) u.module[c->provisions[i].module] = 1;
  for (size_t i = 0; i < c->fact_count; i++)
    if (!u.fact[i] && c->facts[i].module == c->root) {
      ipsfc_an_finding(a, c->facts[i].span, "IPSF-W101", NULL,
              "unused fact: '%s' is never read by a rule, let, fn or requirement",
              c->facts[i].name);
    }
  for (size_t i = 0; i < c->let_count; i++)
    if (!u.let[i] && c->lets[i].module == c->root)
      ipsfc_an_finding(a, c->lets[i].span, "IPSF-W111", NULL, "unused let: '%s' is never used",
              c->lets[i].name);
  for (size_t i = 0; i < c->fn_count; i++)
    if (!u.fn[i] && c->fns[i].module == c->root)
      ipsfc_an_finding(a, c->fns[i].span, "IPSF-W112", NULL, "unused fn: '%s' is never called",
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
    ipsfc_an_finding(a, at, "IPSF-W113", NULL,
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
        ipsfc_an_finding(a, d->span, "IPSF-W114", NULL,
                "unused import: nothing of \"%s\" is used", d->str.text);
      break;
    }
  }
}

/* A conditional provision ("where passwords are used", "for constrained
 * devices") binds a device only when its condition holds.  A requirement
 * of the root that cites one and applies always asks it of every device,
 * which is the misreading this catches; the requirement should apply when
 * a fact says the condition holds.  Refs are checked as written in the
 * requirement, so the finding points at the ref. */
static void check_conditional_refs(An *a) {
  Compilation *c = a->c;
  for (size_t i = 0; i < c->req_count; i++) {
    const ReqSym *r = &c->reqs[i];
    if (r->module != c->root || r->applies || !r->has_applies || !r->decl) continue;
    for (size_t k = 0; k < r->decl->item_count; k++) {
      const ReqItem *it = &r->decl->items[k];
      if (it->kind != RI_REF || !it->ident.name) continue;
      SymEntry *e = lookup_name(c, &c->provision_map, r->module, it->ident.name);
      if (!e) continue;
      const ProvisionSym *p = &c->provisions[e->index];
      if (!p->decl || !p->decl->status.name || strcmp(p->decl->status.name, "conditional") != 0)
        continue;
      ipsfc_an_finding(a, it->ident.span, "IPSF-W115", NULL,
                       "requirement %s applies always, but cites %s, a conditional provision "
                       "(it binds only where its condition holds): apply the requirement "
                       "`when` a fact says the condition holds",
                       r->id, it->ident.name);
    }
  }
}

/* ---- compensation cycles ------------------------------------------------------------------ */

/* A cycle of compensated_by (IPSF-W116): A compensated by B ... compensated
 * by A, of any length.  At evaluation compensation does not chain (only a
 * requirement met on its own compensates), but a cycle says each viewpoint
 * stands in for the other, which is no temporary supplement.  For each
 * requirement s, a breadth-first search over requirements after s finds
 * the shortest way back to s, so each cycle is reported once, at the
 * compensated_by of its first requirement, when that one is of the root. */
static void check_compensation_cycles(An *a) {
  Compilation *c = a->c;
  size_t n = c->req_count;
  if (!n) return;
  uint32_t *prev = arena_array(&c->arena, n, sizeof *prev);
  uint32_t *queue = arena_array(&c->arena, n, sizeof *queue);
  for (size_t s = 0; s < n; s++) {
    const ReqSym *rs = &c->reqs[s];
    if (!rs->comp_count || rs->module != c->root) continue;
    for (size_t i = 0; i < n; i++) prev[i] = UINT32_MAX;
    size_t head = 0, tail = 0;
    uint32_t last = UINT32_MAX; /* the node whose edge closes the cycle */
    queue[tail++] = (uint32_t)s;
    while (head < tail && last == UINT32_MAX) {
      uint32_t v = queue[head++];
      for (size_t k = 0; k < c->reqs[v].comp_count; k++) {
        uint32_t w = c->reqs[v].comps[k].by;
        if (w == (uint32_t)s) { last = v; break; }
        if (w == UINT32_MAX || w < s || prev[w] != UINT32_MAX) continue;
        prev[w] = v;
        queue[tail++] = w;
      }
    }
    if (last == UINT32_MAX || last == (uint32_t)s) continue; /* no cycle; (no self: resolve) */
    /* the path s -> ... -> last, then back to s */
    size_t len = 0;
    for (uint32_t v = last; v != (uint32_t)s; v = prev[v]) queue[len++] = v;
    /* "A is compensated by B, which is compensated by A" */
    const char *text = rs->id;
    for (size_t i = len; i-- > 0;)
      text = arena_printf(&c->arena, "%s%s %s", text,
                          i + 1 == len ? " is compensated by" : ", which is compensated by",
                          c->reqs[queue[i]].id);
    text = arena_printf(&c->arena, "%s, which is compensated by %s", text, rs->id);
    uint32_t first = queue[len - 1];
    const CompensationSym *at = NULL;
    for (size_t k = 0; k < rs->comp_count && !at; k++)
      if (rs->comps[k].by == first) at = &rs->comps[k];
    ipsfc_an_finding(a, at->name->span, "IPSF-W116", NULL,
                     "compensation cycle: %s: each stands in for another, so none is a "
                     "temporary supplement",
                     text);
  }
}

/* Usage profiles of the root: a profile that sets a fact to a value its
 * own `in` excludes, or whose `in` allows no value of an enum fact, can
 * never hold: every sheet evaluated under it is a profile_constraint error
 * (IPSF-W120); an `in` that allows every value constrains nothing
 * (IPSF-W121).  Exact: the values are constants (types.c). */
static void check_profile_items(An *a) {
  Compilation *c = a->c;
  for (size_t i = 0; i < c->profile_count; i++) {
    const ProfileSym *p = &c->profiles[i];
    if (p->module != c->root || !p->fact) continue;
    const Decl *d = p->decl;
    for (size_t k = 0; k < d->pitem_count; k++) {
      const ProfileItem *it = &d->pitems[k];
      Ty ty;
      IpsfValue allowed;
      if (it->kind != PI_ALLOWS || p->fact[k] == UINT32_MAX || !fold_value(it->value, &ty, &allowed))
        continue;
      const FactSym *f = &c->facts[p->fact[k]];
      const EnumSym *e = &c->enums[f->ty.enum_id];
      uint64_t all = e->value_count >= 64 ? ~UINT64_C(0) : (UINT64_C(1) << e->value_count) - 1;
      if (f->ty.kind == TY_ENUM && (allowed.m & all) == 0)
        ipsfc_an_finding(a, it->span, "IPSF-W120", NULL,
                         "profile '%s' allows no value of fact '%s': no sheet can be evaluated "
                         "under it",
                         p->name, f->name);
      else if ((allowed.m & all) == all)
        ipsfc_an_finding(a, it->span, "IPSF-W121", NULL,
                         "profile '%s' allows every value of fact '%s': the constraint "
                         "constrains nothing",
                         p->name, f->name);
      for (size_t j = 0; j < d->pitem_count; j++) {
        IpsfValue v;
        if (d->pitems[j].kind != PI_SETS || p->fact[j] != p->fact[k] ||
            !fold_value(d->pitems[j].value, &ty, &v))
          continue;
        bool inside = f->ty.kind == TY_ENUM ? (allowed.m >> v.i & 1u) != 0 : (v.m & ~allowed.m) == 0;
        if (!inside)
          ipsfc_an_finding(a, d->pitems[j].span, "IPSF-W120", NULL,
                           "profile '%s' sets fact '%s' to a value its own `in` excludes: no "
                           "sheet can be evaluated under it",
                           p->name, f->name);
      }
    }
  }
}

/* ---- the driver -------------------------------------------------------------------------- */

/* The analyser's state and every fact's cells: what analyze_pack, the
 * matrix of `ipsfc doc` (doc_cells.c) and analyze_cells (`ipsfc diff`)
 * share.  extra (or NULL): cuts to add per fact. */
static void an_setup(An *a, Compilation *c, const AnalyzeLimits *limits,
                     const AnalyzeFactCuts *extra) {
  *a = (An){.c = c};
  a->node_limit = limits && limits->nodes_per_search ? limits->nodes_per_search : 20000;
  a->work_limit = limits && limits->total_work ? limits->total_work : 400000000;
  a->c = c;
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

  ipsfc_an_setup_facts(a);
  /* own_*: what each inexact construct belongs to (InexactCause) */
  for (size_t i = 0; i < c->let_count; i++) {
    a->own_kind = OWN_LET, a->own_index = (uint32_t)i;
    ipsfc_an_collect(a, c->lets[i].decl->value, NULL, 0);
  }
  for (size_t i = 0; i < c->scale_count; i++)
    for (size_t r = 0; c->scales[i].rules && r < c->scales[i].rules->rule_count; r++) {
      a->own_kind = OWN_SCALE, a->own_index = (uint32_t)i;
      ipsfc_an_collect(a, c->scales[i].rules->rules[r].cond, NULL, 0);
    }
  for (size_t i = 0; i < c->req_count; i++) {
    a->own_kind = OWN_REQ, a->own_index = (uint32_t)i;
    ipsfc_an_collect(a, c->reqs[i].applies, NULL, 0);
    for (size_t k = 0; k < c->reqs[i].confirm_count; k++)
      ipsfc_an_collect(a, c->reqs[i].confirms[k].when, NULL, 0);
  }
  for (size_t i = 0; extra && i < c->fact_count; i++) ipsfc_an_add_cuts(a, (uint32_t)i, &extra[i]);
  ipsfc_an_finish_cells(a);
}

void ipsfc_an_prepare(An *a, Compilation *c, const AnalyzeLimits *limits) {
  an_setup(a, c, limits, NULL);
}

size_t analyze_pack(Compilation *c, const AnalyzeLimits *limits) {
  An an;
  An *a = &an;
  ipsfc_an_prepare(a, c, limits);
  Arena *ar = &c->arena;
  check_unused(a);
  check_conditional_refs(a);
  check_profile_items(a);
  for (size_t i = 0; i < c->scale_count; i++) {
    const ScaleSym *s = &c->scales[i];
    if (!s->rules) continue;
    Undecided u = {0};
    ipsfc_an_set_root(a, OWN_SCALE, (uint32_t)i);
    ipsfc_an_check_gap(a, (uint32_t)i, &u);
    if (s->policy == IPSF_POLICY_UNIQUE) ipsfc_an_check_overlaps(a, (uint32_t)i, &u);
    ipsfc_an_check_rules(a, (uint32_t)i, &u);
    if (s->policy == IPSF_POLICY_WORST && !s->rules->allow_nonmonotone)
      ipsfc_an_check_monotone(a, (uint32_t)i, &u);
    ipsfc_an_report_undecided(a, s->rules->name.span, arena_printf(ar, "scale %s", s->name), &u);
  }
  for (size_t i = 0; i < c->req_count; i++) ipsfc_an_check_requirement(a, (uint32_t)i);
  check_compensation_cycles(a);
  for (size_t i = 0; i < c->req_count; i++) ipsfc_an_check_compensations(a, (uint32_t)i);
  return a->findings;
}

/* ---- the cells alone (ipsfc diff) ---------------------------------------------------- */

/* Is any fact of deps inexact? */
static bool deps_inexact(An *a, const uint64_t *deps) {
  return deps && bits_meet(a, deps, a->inexact);
}

void analyze_cells(Compilation *c, const AnalyzeFactCuts *extra, AnalyzeCells *out) {
  An an = {0};
  An *a = &an;
  an_setup(a, c, NULL, extra);
  Arena *ar = &c->arena;
  uint64_t *used = new_bits(a);
  out->scale_inexact = arena_array(ar, c->scale_count + 1, sizeof(bool));
  out->req_inexact = arena_array(ar, c->req_count + 1, sizeof(bool));
  out->scale_deps = arena_array(ar, c->scale_count + 1, sizeof(uint64_t *));
  out->req_deps = arena_array(ar, c->req_count + 1, sizeof(uint64_t *));
  out->words = a->words;
  for (size_t i = 0; i < c->scale_count; i++) {
    const uint64_t *d = ipsfc_an_scale_deps(a, (uint32_t)i);
    out->scale_deps[i] = d;
    if (d) bits_or(a, used, d);
    out->scale_inexact[i] = deps_inexact(a, d);
  }
  for (size_t i = 0; i < c->req_count; i++) {
    uint64_t *d = new_bits(a);
    if (c->reqs[i].applies) bits_or(a, d, ipsfc_an_expr_deps(a, c->reqs[i].applies));
    for (size_t k = 0; k < c->reqs[i].confirm_count; k++)
      if (c->reqs[i].confirms[k].when) bits_or(a, d, ipsfc_an_expr_deps(a, c->reqs[i].confirms[k].when));
    bits_or(a, used, d);
    out->req_deps[i] = d;
    out->req_inexact[i] = deps_inexact(a, d);
  }
  out->fact_count = c->fact_count;
  out->facts = arena_array(ar, c->fact_count + 1, sizeof *out->facts);
  for (size_t i = 0; i < c->fact_count; i++) {
    const FactInfo *f = &a->fi[i];
    AnalyzeFactCells *o = &out->facts[i];
    o->kind = f->kind;
    o->inexact = f->inexact;
    o->used = bit(used, i);
    o->cuts = (AnalyzeFactCuts){f->ith, f->nith, f->nth, f->nnth, f->lit, f->nlit};
    if (f->kind == TY_INT || f->kind == TY_NUMBER || f->kind == TY_STRING) {
      o->ncells = a->vars[f->var].ncells;
      o->rep = a->vars[f->var].rep;
      o->order = a->vars[f->var].order;
    }
  }
}
