/*
 * index.c -- the symbol index of a checked compilation (index.h).
 *
 * One walk over every module's declarations after check_types.  Invariants:
 * every entry's span lies in its module's source; a symbol has at most one
 * entry with is_def (its declaration); names that did not resolve are left
 * out (they were reported as errors).  Reads the compilation only.
 */
#include <stdlib.h>
#include <string.h>

#include "index.h"

typedef struct {
  SymIndex *ix;
  uint32_t module;
} Walk;

static void add(Walk *w, SymKind kind, uint32_t a, uint32_t b, Span span, bool def) {
  if (span.file == SPAN_NO_FILE || span.end < span.start) return;
  IndexEntry *e = PUSH(w->ix->c, w->ix->items, w->ix->count, w->ix->cap);
  e->sym = (SymId){kind, a, b};
  e->span = span;
  e->is_def = def;
  e->module = w->module;
}

bool sym_eq(SymId x, SymId y) { return x.kind == y.kind && x.a == y.a && x.b == y.b; }

static void walk_expr(Walk *w, const Expr *e) {
  if (!e) return;
  switch (e->kind) {
  case EX_NAME:
    switch (e->ref) {
    case REF_FACT: add(w, SK_FACT, e->ref_index, 0, e->name.span, false); break;
    case REF_LET: add(w, SK_LET, e->ref_index, 0, e->name.span, false); break;
    case REF_SCALE: add(w, SK_SCALE, e->ref_index, 0, e->name.span, false); break;
    case REF_ENUM_VALUE:
      if (e->ty.kind == TY_ENUM) add(w, SK_VALUE, e->ty.enum_id, e->ref_index, e->name.span, false);
      break;
    default: break;
    }
    break;
  case EX_CALL:
    if (e->ref == REF_FN) add(w, SK_FN, e->ref_index, 0, e->name.span, false);
    if (e->ref == REF_NATIVE) add(w, SK_EXTERN, e->ref_index, 0, e->name.span, false);
    break;
  default: break;
  }
  walk_expr(w, e->a);
  walk_expr(w, e->b2);
  walk_expr(w, e->c);
  for (size_t i = 0; i < e->item_count; i++) walk_expr(w, e->items[i]);
}

static void walk_type(Walk *w, const TypeExpr *t, uint32_t enum_id) {
  if (!t) return;
  Compilation *c = w->ix->c;
  if (t->kind == TE_NAMED && t->name.name) {
    SymEntry *s = lookup_type(c, w->module, t->name.name);
    if (s) add(w, SK_TYPE, s->index, 0, t->name.span, false);
  } else if (t->kind == TE_ENUM && enum_id != UINT32_MAX) {
    for (size_t i = 0; i < t->value_count; i++)
      add(w, SK_VALUE, enum_id, (uint32_t)i, t->values[i].span, true);
  } else if (t->kind == TE_SET) {
    walk_type(w, t->elem, enum_id);
  }
}

static uint32_t value_index(Compilation *c, const char *name, int kind) {
  SymEntry *s = name ? symmap_get(&c->values, name) : NULL;
  return s && s->kind == kind ? s->index : UINT32_MAX;
}

/* A level written in a rules block: a value of the scale's enum. */
static void add_level(Walk *w, uint32_t scale, const Ident *id) {
  Compilation *c = w->ix->c;
  if (!id->name || scale == UINT32_MAX) return;
  uint32_t eid = c->scales[scale].enum_id;
  uint32_t v = enum_value_index(&c->enums[eid], id->name);
  if (v != UINT32_MAX) add(w, SK_VALUE, eid, v, id->span, false);
}

static void walk_facts(Walk *w, const Decl *d) {
  Compilation *c = w->ix->c;
  for (size_t i = 0; i < d->fact_count; i++) {
    const FactDecl *f = &d->facts[i];
    SymEntry *s = lookup_value(c, w->module, f->name.name);
    uint32_t eid = UINT32_MAX;
    if (s && s->kind == SYM_FACT) {
      add(w, SK_FACT, s->index, 0, f->name.span, true);
      Ty ty = c->facts[s->index].ty;
      if (ty.kind == TY_ENUM || ty.kind == TY_SET) eid = ty.enum_id;
    }
    walk_type(w, f->type, eid);
    walk_expr(w, f->deflt);
  }
}

static void walk_scale(Walk *w, const Decl *d) {
  Compilation *c = w->ix->c;
  SymEntry *s = lookup_value(c, w->module, d->name.name);
  if (!s || s->kind != SYM_SCALE) return;
  add(w, SK_SCALE, s->index, 0, d->name.span, true);
  uint32_t eid = c->scales[s->index].enum_id;
  for (size_t i = 0; i < d->value_count; i++)
    add(w, SK_VALUE, eid, (uint32_t)i, d->values[i].span, true);
}

static void walk_rules(Walk *w, const Decl *d) {
  Compilation *c = w->ix->c;
  SymEntry *s = lookup_value(c, w->module, d->name.name);
  uint32_t scale = s && s->kind == SYM_SCALE ? s->index : UINT32_MAX;
  if (scale != UINT32_MAX) add(w, SK_SCALE, scale, 0, d->name.span, false);
  for (size_t i = 0; i < d->rule_count; i++) {
    add_level(w, scale, &d->rules[i].level);
    walk_expr(w, d->rules[i].cond);
  }
  add_level(w, scale, &d->otherwise);
}

static uint32_t req_viewpoint(Compilation *c, uint32_t module, const Decl *d) {
  SymEntry *r = d->name.name ? lookup_name(c, &c->req_map, module, d->name.name) : NULL;
  return r ? c->reqs[r->index].viewpoint : UINT32_MAX;
}

static void add_method(Walk *w, uint32_t vp, const Ident *m) {
  Compilation *c = w->ix->c;
  if (vp == UINT32_MAX || !m->name) return;
  const Decl *v = c->viewpoints[vp].decl;
  for (size_t i = 0; i < v->value_count; i++)
    if (strcmp(v->values[i].name, m->name) == 0) add(w, SK_METHOD, vp, (uint32_t)i, m->span, false);
}

static void walk_requirement(Walk *w, const Decl *d) {
  Compilation *c = w->ix->c;
  SymEntry *r = d->name.name ? lookup_name(c, &c->req_map, w->module, d->name.name) : NULL;
  if (r) add(w, SK_REQ, r->index, 0, d->name.span, true);
  uint32_t vp = req_viewpoint(c, w->module, d);
  for (size_t i = 0; i < d->item_count; i++) {
    const ReqItem *it = &d->items[i];
    if (it->kind == RI_VIEWPOINT && vp != UINT32_MAX) add(w, SK_VIEWPOINT, vp, 0, it->ident.span, false);
    if (it->kind == RI_CONFIRM) add_method(w, vp, &it->ident);
    for (size_t k = 0; it->kind == RI_COMPENSATED && k < it->id_count; k++) {
      SymEntry *o = lookup_name(c, &c->req_map, w->module, it->ids[k].name);
      if (o) add(w, SK_REQ, o->index, 0, it->ids[k].span, false);
    }
    if (it->kind == RI_REF && it->ident.name) {
      SymEntry *p = lookup_name(c, &c->provision_map, w->module, it->ident.name);
      if (p) add(w, SK_PROVISION, p->index, 0, it->ident.span, false);
    }
    walk_expr(w, it->expr);
  }
}

static void walk_test(Walk *w, const Decl *d) {
  Compilation *c = w->ix->c;
  for (size_t i = 0; i < c->test_count; i++)
    if (c->tests[i] == d) add(w, SK_TEST, (uint32_t)i, 0, d->str.span, true);
  for (size_t i = 0; i < d->given_count; i++) {
    SymEntry *s = lookup_value(c, w->module, d->givens[i].fact.name);
    if (s && s->kind == SYM_FACT) add(w, SK_FACT, s->index, 0, d->givens[i].fact.span, false);
    walk_expr(w, d->givens[i].value);
  }
  for (size_t i = 0; i < d->expect_count; i++) {
    const Expect *x = &d->expects[i];
    walk_expr(w, x->expr);
    if (!x->id.name) continue;
    if (x->kind == EXPECT_REQUIRES || x->kind == EXPECT_NOT_REQUIRES) {
      SymEntry *r = lookup_name(c, &c->req_map, w->module, x->id.name);
      if (!r) continue;
      add(w, SK_REQ, r->index, 0, x->id.span, false);
      if (x->method.name) add_method(w, c->reqs[r->index].viewpoint, &x->method);
    } else if (x->kind == EXPECT_VIEWPOINT) {
      SymEntry *v = symmap_get(&c->viewpoint_map, x->id.name);
      if (v) add(w, SK_VIEWPOINT, v->index, 0, x->id.span, false);
    }
  }
}

/* A usage profile: the facts it sets or constrains are uses of them. */
static void walk_profile(Walk *w, const Decl *d) {
  Compilation *c = w->ix->c;
  for (size_t i = 0; i < c->profile_count; i++)
    if (c->profiles[i].decl == d) add(w, SK_PROFILE, (uint32_t)i, 0, d->name.span, true);
  for (size_t i = 0; i < d->pitem_count; i++) {
    const ProfileItem *it = &d->pitems[i];
    if (it->kind == PI_DOC) continue;
    SymEntry *s = lookup_value(c, w->module, it->fact.name);
    if (s && s->kind == SYM_FACT) add(w, SK_FACT, s->index, 0, it->fact.span, false);
    walk_expr(w, it->value);
  }
}

static void walk_catalog(Walk *w, const Decl *d) {
  Compilation *c = w->ix->c;
  for (size_t i = 0; i < d->provision_count; i++) {
    const Provision *p = &d->provisions[i];
    SymEntry *s = lookup_name(c, &c->provision_map, w->module, p->id.name);
    if (s && c->provisions[s->index].decl == p) add(w, SK_PROVISION, s->index, 0, p->id.span, true);
    for (size_t j = 0; j < p->satisfied_count; j++) {
      SymEntry *o = lookup_name(c, &c->provision_map, w->module, p->satisfied_by[j].name);
      if (o) add(w, SK_PROVISION, o->index, 0, p->satisfied_by[j].span, false);
    }
  }
}

static void walk_decl(Walk *w, const Decl *d) {
  Compilation *c = w->ix->c;
  switch (d->kind) {
  case D_FACTS: walk_facts(w, d); break;
  case D_TYPE: {
    SymEntry *s = d->name.name ? lookup_type(c, w->module, d->name.name) : NULL;
    if (s) add(w, SK_TYPE, s->index, 0, d->name.span, true);
    walk_type(w, d->type, s ? s->index : UINT32_MAX);
    break;
  }
  case D_LET: {
    uint32_t i = value_index(c, qualify(c, w->module, d->name.name), SYM_LET);
    if (i != UINT32_MAX) add(w, SK_LET, i, 0, d->name.span, true);
    walk_expr(w, d->value);
    break;
  }
  case D_FN: {
    uint32_t i = value_index(c, qualify(c, w->module, d->name.name), SYM_FN);
    if (i != UINT32_MAX) add(w, SK_FN, i, 0, d->name.span, true);
    for (size_t p = 0; p < d->param_count; p++) walk_type(w, d->params[p].type, UINT32_MAX);
    walk_type(w, d->type, UINT32_MAX);
    walk_expr(w, d->value);
    break;
  }
  case D_EXTERN: {
    uint32_t i = value_index(c, qualify(c, w->module, d->name.name), SYM_NATIVE);
    if (i != UINT32_MAX) add(w, SK_EXTERN, i, 0, d->name.span, true);
    break;
  }
  case D_SCALE: walk_scale(w, d); break;
  case D_RULES: walk_rules(w, d); break;
  case D_VIEWPOINT: {
    SymEntry *v = d->name.name ? symmap_get(&c->viewpoint_map, d->name.name) : NULL;
    if (!v || c->viewpoints[v->index].decl != d) break;
    add(w, SK_VIEWPOINT, v->index, 0, d->name.span, true);
    for (size_t i = 0; i < d->value_count; i++)
      add(w, SK_METHOD, v->index, (uint32_t)i, d->values[i].span, true);
    break;
  }
  case D_REQUIREMENT: walk_requirement(w, d); break;
  case D_TEST: walk_test(w, d); break;
  case D_CATALOG: walk_catalog(w, d); break;
  case D_PROFILE: walk_profile(w, d); break;
  case D_IMPORT: {
    uint32_t m = index_import_target(c, w->module, d);
    if (m != UINT32_MAX) add(w, SK_MODULE, m, 0, d->str.span, false);
    break;
  }
  default: break;
  }
}

SymIndex *index_build(Compilation *c) {
  SymIndex *ix = arena_alloc(&c->arena, sizeof *ix);
  memset(ix, 0, sizeof *ix);
  ix->c = c;
  for (size_t m = 0; m < c->module_count; m++) {
    Walk w = {ix, (uint32_t)m};
    const Module *ast = c->modules[m].ast;
    if (!ast) continue;
    add(&w, SK_MODULE, (uint32_t)m, 0, (Span){ast->source, 0, 0}, true);
    for (size_t i = 0; i < ast->decl_count; i++) walk_decl(&w, ast->decls[i]);
  }
  return ix;
}

const IndexEntry *index_at(const SymIndex *ix, uint32_t file, uint32_t offset) {
  const IndexEntry *best = NULL;
  for (size_t i = 0; i < ix->count; i++) {
    const IndexEntry *e = &ix->items[i];
    if (e->span.file != file || offset < e->span.start || offset > e->span.end) continue;
    if (e->span.end == e->span.start) continue;
    if (!best || e->span.end - e->span.start < best->span.end - best->span.start) best = e;
  }
  return best;
}

const IndexEntry *index_def(const SymIndex *ix, SymId sym) {
  for (size_t i = 0; i < ix->count; i++)
    if (ix->items[i].is_def && sym_eq(ix->items[i].sym, sym)) return &ix->items[i];
  return NULL;
}

static uint32_t module_by_key(Compilation *c, const char *key) {
  for (size_t i = 0; i < c->module_count; i++)
    if (c->modules[i].key && strcmp(c->modules[i].key, key) == 0) return (uint32_t)i;
  return UINT32_MAX;
}

static uint32_t module_by_path(Compilation *c, const char *path) {
  char *real = realpath(path, NULL);
  if (!real) return UINT32_MAX;
  uint32_t m = module_by_key(c, real);
  free(real);
  return m;
}

/* load.c's search order, answered from the modules it loaded. */
uint32_t index_import_target(Compilation *c, uint32_t module, const Decl *imp) {
  const char *what = imp->str.text;
  if (!what) return UINT32_MAX;
  size_t n = strlen(what);
  bool file = n >= 5 && strcmp(what + n - 5, ".ipsf") == 0;
  if (!file && !strchr(what, '/')) {
    uint32_t m = module_by_key(c, arena_printf(&c->arena, "<stdlib>/%s.ipsf", what));
    if (m != UINT32_MAX) return m;
  }
  if (file) {
    const char *from = c->modules[module].path;
    const char *slash = strrchr(from, '/');
    const char *p = what;
    if (what[0] != '/' && slash && strncmp(from, "<stdlib>", 8) != 0)
      p = arena_printf(&c->arena, "%.*s/%s", (int)(slash - from), from, what);
    uint32_t m = module_by_path(c, p);
    if (m != UINT32_MAX) return m;
  }
  for (size_t i = 0; i < c->opt.import_dir_count; i++) {
    const char *p = arena_printf(&c->arena, file ? "%s/%s" : "%s/%s.ipsf", c->opt.import_dirs[i], what);
    uint32_t m = module_by_path(c, p);
    if (m != UINT32_MAX) return m;
  }
  return UINT32_MAX;
}

const char *index_sym_name(const SymIndex *ix, SymId s) {
  Compilation *c = ix->c;
  switch (s.kind) {
  case SK_FACT: return c->facts[s.a].name;
  case SK_LET: return c->lets[s.a].name;
  case SK_FN: return c->fns[s.a].name;
  case SK_SCALE: return c->scales[s.a].name;
  case SK_TYPE: return c->enums[s.a].name;
  case SK_VALUE: return c->enums[s.a].values[s.b].name;
  case SK_VIEWPOINT: return c->viewpoints[s.a].name;
  case SK_METHOD: return c->viewpoints[s.a].decl->values[s.b].name;
  case SK_REQ: return c->reqs[s.a].id;
  case SK_PROVISION: return c->provisions[s.a].id;
  case SK_TEST: return c->tests[s.a]->str.text ? c->tests[s.a]->str.text : "test";
  case SK_EXTERN: return c->natives[s.a].name;
  case SK_MODULE: return c->modules[s.a].path;
  case SK_PROFILE: return c->profiles[s.a].name;
  default: return "";
  }
}
