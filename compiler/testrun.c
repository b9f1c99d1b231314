/*
 * testrun.c -- the test runner: compile with tests, evaluate each test
 * block, judge its expectations, gather coverage (see testrun.h).
 *
 * The runner reads the evaluation context (runtime/eval.h) for what the
 * public API does not show: the values of the slots (`expect EXPR` results,
 * the values an expectation names, the confirm-line coverage flags) and
 * which rules matched.  Test and pack agree on indices because both come
 * from one Compilation: facts, requirements, viewpoints and confirm lines
 * have the same index in the compilation as in the pack (codegen.c keeps
 * the order); the hidden slots are found by name.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval.h"
#include "sema.h"
#include "testrun.h"

typedef struct {
  Compilation *c;
  IpsfPack *p;
  IpsfEval *ev;
  uint32_t test_fact;    /* the hidden fact `test#` */
  uint64_t *rule_seen;   /* per rule: matched in some evaluation */
  bool *otherwise_seen;  /* per scale: no rule matched in some evaluation */
  bool *req_seen, *confirm_seen;
  uint32_t *cover_slot;  /* per confirm: its `cover#confirm#N` slot */
} Runner;

const char *cover_kind_name(CoverKind kind) {
  static const char *const names[] = {"rule", "otherwise", "requirement", "confirm"};
  return kind < COVER__COUNT ? names[kind] : "?";
}

/* ---- places and text ------------------------------------------------------------------ */

static const char *span_at(Compilation *c, Span s) {
  uint32_t line = 0, col = 0;
  sources_line_col(&c->sources, s.file, s.start, &line, &col);
  return arena_printf(&c->arena, "%s:%u:%u", c->sources.items[s.file]->path, line, col);
}

static const char *loc_at(Runner *r, IpsfLoc l) {
  return arena_printf(&r->c->arena, "%s:%u:%u", ipsf_str(r->p, l.file), l.line, l.col);
}

/* An expectation as written, on one line, without its `;`. */
static const char *span_text(Compilation *c, Span s) {
  const char *src = c->sources.items[s.file]->text;
  char *out = arena_alloc(&c->arena, s.end - s.start + 1);
  size_t n = 0;
  for (uint32_t i = s.start; i < s.end; i++) {
    char ch = src[i];
    if (ch == '\n' || ch == '\r' || ch == '\t') ch = ' ';
    if (ch == ' ' && (n == 0 || out[n - 1] == ' ')) continue;
    out[n++] = ch;
  }
  while (n && (out[n - 1] == ' ' || out[n - 1] == ';')) n--;
  out[n] = '\0';
  return out;
}

/* The slot of a named FACT, LET or SCALE value, or IPSF_NONE. */
static uint32_t slot_named(const IpsfPack *p, const char *name, IpsfSlotRole role) {
  for (uint32_t i = 0; i < p->slot_count; i++)
    if (p->slots[i].role == role && p->slots[i].name != IPSF_NONE &&
        strcmp(p->strings[p->slots[i].name], name) == 0)
      return i;
  return IPSF_NONE;
}

static const char *value_text(Runner *r, IpsfType t, IpsfValue v) {
  Arena *a = &r->c->arena;
  const IpsfPack *p = r->p;
  switch (t.kind) {
  case IPSF_K_BOOL: return v.i ? "true" : "false";
  case IPSF_K_INT: return arena_printf(a, "%lld", (long long)v.i);
  case IPSF_K_NUMBER: {
    const char *s = arena_printf(a, "%.15g", v.n);
    return strtod(s, NULL) == v.n ? s : arena_printf(a, "%.17g", v.n);
  }
  case IPSF_K_STRING: return arena_printf(a, "\"%s\"", v.s ? v.s : "");
  case IPSF_K_ENUM: return p->strings[p->enums[t.enum_type].values[v.i]];
  default: {
    const IpsfEnum *e = &p->enums[t.enum_type];
    const char *s = "{";
    for (uint32_t k = 0; k < e->value_count; k++)
      if (v.m >> k & 1u) s = arena_printf(a, "%s%s%s", s, s[1] ? ", " : "", p->strings[e->values[k]]);
    return arena_printf(a, "%s}", s);
  }
  }
}

/* The facts, lets and scales an expression names, each once, in order. */
typedef struct {
  const Expr **items;
  size_t count;
} NameList;

static void names_in(Compilation *c, const Expr *e, NameList *out) {
  if (!e) return;
  if (e->kind == EX_NAME && (e->ref == REF_FACT || e->ref == REF_LET || e->ref == REF_SCALE)) {
    for (size_t i = 0; i < out->count; i++)
      if (out->items[i]->ref == e->ref && out->items[i]->ref_index == e->ref_index) return;
    const Expr **items = arena_array(&c->arena, out->count + 1, sizeof *items);
    if (out->count) memcpy(items, out->items, out->count * sizeof *items);
    items[out->count++] = e;
    out->items = items;
    return;
  }
  names_in(c, e->a, out);
  names_in(c, e->b2, out);
  names_in(c, e->c, out);
  for (size_t i = 0; i < e->item_count; i++) names_in(c, e->items[i], out);
}

/* "recovery serious, loss_jpy 5000000": what an expression names, with the
 * values of this evaluation; NULL if it names nothing. */
static const char *named_values(Runner *r, const Expr *e) {
  Compilation *c = r->c;
  NameList names = {NULL, 0};
  names_in(c, e, &names);
  const char *out = NULL;
  for (size_t i = 0; i < names.count; i++) {
    const Expr *n = names.items[i];
    const char *name = n->ref == REF_FACT  ? c->facts[n->ref_index].name
                       : n->ref == REF_LET ? c->lets[n->ref_index].name
                                           : c->scales[n->ref_index].name;
    IpsfSlotRole role = n->ref == REF_FACT  ? IPSF_SLOT_FACT
                        : n->ref == REF_LET ? IPSF_SLOT_LET
                                            : IPSF_SLOT_SCALE;
    uint32_t slot = slot_named(r->p, name, role);
    if (slot == IPSF_NONE) continue;
    const char *item = arena_printf(&c->arena, "%s %s", name,
                                    value_text(r, r->p->slots[slot].type, r->ev->slots[slot]));
    out = out ? arena_printf(&c->arena, "%s, %s", out, item) : item;
  }
  return out;
}

/* "recovery fatal, economic limited": every scale's level. */
static const char *placement(Runner *r) {
  const char *s = NULL;
  for (uint32_t i = 0; i < r->p->scale_count; i++) {
    const char *item = arena_printf(&r->c->arena, "%s %s", ipsf_str(r->p, r->p->scales[i].name),
                                    ipsf_eval_level_name(r->ev, i));
    s = s ? arena_printf(&r->c->arena, "%s, %s", s, item) : item;
  }
  return s ? s : "no scales";
}

/* ---- one test ------------------------------------------------------------------------- */

static uint32_t module_of(Compilation *c, const Decl *d) {
  for (size_t i = 0; i < c->module_count; i++)
    if (c->modules[i].ast && c->modules[i].ast->source == d->span.file) return (uint32_t)i;
  return c->root;
}

static void add_failure(Compilation *c, TestResult *t, const char *expect, const char *at,
                        const char *got) {
  size_t cap = t->failure_count; /* grows one at a time: failures are few */
  TestFailure *items = arena_array(&c->arena, cap + 1, sizeof *items);
  if (cap) memcpy(items, t->failures, cap * sizeof *items);
  items[cap] = (TestFailure){expect, at, got};
  t->failures = items;
  t->failure_count++;
}

/* Set one `given`; false (with err) if the runtime refuses it. */
static bool set_given(Runner *r, uint32_t module, const Given *g, IpsfError *err) {
  Compilation *c = r->c;
  SymEntry *s = lookup_value(c, module, g->fact.name);
  Ty ty;
  IpsfValue v;
  if (!s || s->kind != SYM_FACT || !fold_value(g->value, &ty, &v))
    return ipsf_fail(err, IPSF_ERR_INTERNAL, "given %s: not a constant of a fact", g->fact.name);
  uint32_t f = ipsf_fact_index(r->p, c->facts[s->index].name);
  if (f == IPSF_NONE)
    return ipsf_fail(err, IPSF_ERR_INTERNAL, "given %s: no such fact in the pack", g->fact.name);
  const IpsfFact *fact = &r->p->facts[f];
  switch (fact->type.kind) {
  case IPSF_K_BOOL: return ipsf_eval_set_bool(r->ev, f, v.i != 0, err);
  case IPSF_K_INT: return ipsf_eval_set_int(r->ev, f, v.i, err);
  case IPSF_K_NUMBER:
    return ipsf_eval_set_number(r->ev, f, ty.kind == TY_INT ? (double)v.i : v.n, err);
  case IPSF_K_STRING: return ipsf_eval_set_string(r->ev, f, v.s, err);
  case IPSF_K_ENUM:
    return ipsf_eval_set_enum(r->ev, f, r->p->strings[r->p->enums[fact->type.enum_type].values[v.i]],
                              err);
  default: {
    const IpsfEnum *e = &r->p->enums[fact->type.enum_type];
    if (!ipsf_eval_set_clear(r->ev, f, err)) return false;
    for (uint32_t k = 0; k < e->value_count; k++)
      if (v.m >> k & 1u && !ipsf_eval_set_add(r->ev, f, r->p->strings[e->values[k]], err))
        return false;
    return true;
  }
  }
}

/* The requirement an expectation names (pack index), or IPSF_NONE. */
static uint32_t requirement_of(Compilation *c, uint32_t module, const char *id) {
  SymEntry *e = symmap_get(&c->req_map, qualify(c, module, id));
  if (!e) e = symmap_get(&c->req_map, id);
  return e ? e->index : IPSF_NONE;
}

static const char *applies_text(Runner *r, uint32_t q) {
  const char *id = ipsf_str(r->p, r->p->requirements[q].id);
  if (!ipsf_eval_applies(r->ev, q)) return arena_printf(&r->c->arena, "%s does not apply", id);
  return arena_printf(&r->c->arena, "%s applies with %s", id, ipsf_eval_method(r->ev, q));
}

/* Judge one expectation of a test whose evaluation succeeded; NULL if it
 * holds, else what was found. */
static const char *judge(Runner *r, size_t test, uint32_t module, const Expect *x, size_t index) {
  Compilation *c = r->c;
  const IpsfPack *p = r->p;
  switch (x->kind) {
  case EXPECT_EXPR: {
    const char *name = arena_printf(&c->arena, "test#%zu.expect#%zu", test + 1, index + 1);
    uint32_t slot = slot_named(p, name, IPSF_SLOT_LET);
    if (slot == IPSF_NONE) return "got nothing: internal error, the expectation was not compiled";
    if (r->ev->slots[slot].i) return NULL;
    const char *values = named_values(r, x->expr);
    return arena_printf(&c->arena, "got %s", values ? values : "false");
  }
  case EXPECT_REQUIRES: {
    uint32_t q = requirement_of(c, module, x->id.name);
    if (q == IPSF_NONE) return "got nothing: internal error, unknown requirement";
    if (!ipsf_eval_applies(r->ev, q)) return arena_printf(&c->arena, "got %s", applies_text(r, q));
    const char *method = ipsf_eval_method(r->ev, q);
    if (x->method.name && (!method || strcmp(method, x->method.name) != 0))
      return arena_printf(&c->arena, "got %s", applies_text(r, q));
    return NULL;
  }
  case EXPECT_NOT_REQUIRES: {
    uint32_t q = requirement_of(c, module, x->id.name);
    if (q == IPSF_NONE || !ipsf_eval_applies(r->ev, q)) return NULL; /* undeclared: holds */
    return arena_printf(&c->arena, "got %s", applies_text(r, q));
  }
  case EXPECT_VIEWPOINT: {
    SymEntry *v = symmap_get(&c->viewpoint_map, x->id.name);
    bool *listed = arena_array(&c->arena, p->viewpoint_count + 1, sizeof *listed);
    const char *seen = NULL;
    for (uint32_t q = 0; q < p->requirement_count; q++) {
      if (!ipsf_eval_applies(r->ev, q)) continue;
      uint32_t vp = p->requirements[q].viewpoint;
      if (v && vp == v->index) return NULL;
      if (listed[vp]) continue;
      listed[vp] = true;
      const char *name = ipsf_str(p, p->viewpoints[vp].name);
      seen = seen ? arena_printf(&c->arena, "%s, %s", seen, name) : arena_strdup(&c->arena, name);
    }
    return seen ? arena_printf(&c->arena, "got viewpoints %s", seen)
                : "got no requirement that applies";
  }
  case EXPECT_ERROR: break; /* judged by the caller */
  }
  return NULL;
}

static bool hit(const uint64_t *bits, uint32_t i) { return bits[i / 64] >> (i % 64) & 1u; }

static void collect_coverage(Runner *r) {
  const IpsfPack *p = r->p;
  for (uint32_t i = 0; i < (p->rule_count + 63u) / 64u; i++) r->rule_seen[i] |= r->ev->rule_hit[i];
  for (uint32_t s = 0; s < p->scale_count; s++) {
    bool any = false;
    for (uint32_t k = 0; k < p->scales[s].rule_count; k++)
      any |= hit(r->ev->rule_hit, p->scales[s].first_rule + k);
    r->otherwise_seen[s] |= !any;
  }
  for (uint32_t q = 0; q < p->requirement_count; q++) r->req_seen[q] |= ipsf_eval_applies(r->ev, q);
  for (uint32_t k = 0; k < p->confirm_count; k++)
    if (r->cover_slot[k] != IPSF_NONE) r->confirm_seen[k] |= r->ev->slots[r->cover_slot[k]].i != 0;
}

static void run_test(Runner *r, size_t index, TestResult *t) {
  Compilation *c = r->c;
  const Decl *d = c->tests[index];
  uint32_t module = module_of(c, d);
  IpsfError err = {0};
  *t = (TestResult){d->str.text, d->profile.text, span_at(c, d->span), false, NULL, 0};

  ipsf_eval_begin(r->ev);
  bool ok = ipsf_eval_set_int(r->ev, r->test_fact, (int64_t)index + 1, &err);
  for (size_t i = 0; ok && i < d->given_count; i++) {
    ok = set_given(r, module, &d->givens[i], &err);
    if (!ok) {
      add_failure(c, t, NULL, t->at,
                  arena_printf(&c->arena, "given %s: %s", d->givens[i].fact.name, err.message));
      return;
    }
  }
  ok = ok && ipsf_eval_run(r->ev, &err);
  if (ok) collect_coverage(r);

  bool expects_error = false;
  for (size_t i = 0; i < d->expect_count; i++) {
    const Expect *x = &d->expects[i];
    if (x->kind != EXPECT_ERROR) continue;
    expects_error = true;
    const char *got = NULL;
    if (ok) got = arena_printf(&c->arena, "got no error (%s)", placement(r));
    else if (!strstr(err.message, x->str.text))
      got = arena_printf(&c->arena, "got error: %s", err.message);
    if (got) add_failure(c, t, span_text(c, x->span), span_at(c, x->span), got);
  }
  if (!expects_error) {
    if (!ok) {
      add_failure(c, t, NULL, t->at, arena_printf(&c->arena, "evaluation failed: %s", err.message));
      return;
    }
    for (size_t i = 0; i < d->expect_count; i++) {
      const char *got = judge(r, index, module, &d->expects[i], i);
      if (got) add_failure(c, t, span_text(c, d->expects[i].span), span_at(c, d->expects[i].span), got);
    }
  }
  t->passed = t->failure_count == 0;
}

/* ---- coverage -------------------------------------------------------------------------- */

/* The report outlives the pack: its strings are copied to the arena. */
static const char *keep(Runner *r, const char *s) { return arena_strdup(&r->c->arena, s); }

static void report_coverage(Runner *r, TestReport *out) {
  Compilation *c = r->c;
  const IpsfPack *p = r->p;
  size_t max = p->rule_count + p->scale_count + p->requirement_count + p->confirm_count;
  out->unreached = arena_array(&c->arena, max + 1, sizeof *out->unreached);
  CoverItem *items = out->unreached;
#define ITEM(kind_, seen_, ...)                                                     \
  do {                                                                             \
    out->total[kind_]++;                                                           \
    if (seen_) out->reached[kind_]++;                                              \
    else items[out->unreached_count++] = (CoverItem){kind_, __VA_ARGS__};          \
  } while (0)
  for (uint32_t s = 0; s < p->scale_count; s++) {
    const IpsfScale *sc = &p->scales[s];
    const IpsfEnum *levels = &p->enums[sc->enum_type];
    const char *scale = keep(r, ipsf_str(p, sc->name));
    for (uint32_t k = sc->first_rule; k < sc->first_rule + sc->rule_count; k++) {
      const IpsfRule *rule = &p->rules[k];
      ITEM(COVER_RULE, hit(r->rule_seen, k), loc_at(r, rule->loc), scale,
           keep(r, ipsf_str(p, levels->values[rule->level])), NULL, NULL);
    }
    if (sc->otherwise == IPSF_NONE || sc->otherwise_loc.file == IPSF_NONE) continue;
    /* reached when a completed evaluation matched no rule of the scale */
    ITEM(COVER_OTHERWISE, r->otherwise_seen[s], loc_at(r, sc->otherwise_loc), scale,
         keep(r, ipsf_str(p, levels->values[sc->otherwise])), NULL, NULL);
  }
  for (uint32_t q = 0; q < p->requirement_count; q++) {
    const IpsfRequirement *req = &p->requirements[q];
    const char *id = keep(r, ipsf_str(p, req->id));
    ITEM(COVER_REQUIREMENT, r->req_seen[q], loc_at(r, req->loc), NULL, NULL, id, NULL);
    const IpsfViewpoint *vp = &p->viewpoints[req->viewpoint];
    for (uint32_t k = req->first_confirm; k < req->first_confirm + req->confirm_count; k++)
      ITEM(COVER_CONFIRM, r->confirm_seen[k], loc_at(r, p->confirms[k].loc), NULL, NULL, id,
           keep(r, ipsf_str(p, vp->methods[p->confirms[k].method])));
  }
#undef ITEM
}

/* ---- the run ------------------------------------------------------------------------------ */

TestRunStatus testrun(Compilation *c, const char *path, TestSelect select, void *data,
                      TestReport *out, IpsfError *err) {
  *out = (TestReport){0};
  c->opt.with_tests = true;
  uint8_t *bytes = NULL;
  size_t len = 0;
  if (!compile_pack(c, path, &bytes, &len)) return TESTRUN_COMPILE_ERROR;
  Runner r = {.c = c};
  r.p = ipsf_pack_load(bytes, len, err);
  free(bytes);
  if (!r.p) return TESTRUN_LOAD_ERROR;
  if (!ipsf_pack_bind_natives(r.p, c->opt.allow_native, c->opt.allow_native_count, err)) {
    ipsf_pack_free(r.p);
    return err->kind == IPSF_ERR_NOMEM ? TESTRUN_LOAD_ERROR : TESTRUN_NATIVE_ERROR;
  }
  r.ev = ipsf_eval_new(r.p);
  if (!r.ev) {
    ipsf_pack_free(r.p);
    ipsf_fail(err, IPSF_ERR_NOMEM, "out of memory");
    return TESTRUN_LOAD_ERROR;
  }
  const IpsfPack *p = r.p;
  r.test_fact = ipsf_fact_index(p, "test#");
  r.rule_seen = arena_array(&c->arena, (p->rule_count + 63u) / 64u + 1, sizeof *r.rule_seen);
  r.otherwise_seen = arena_array(&c->arena, p->scale_count + 1, sizeof *r.otherwise_seen);
  r.req_seen = arena_array(&c->arena, p->requirement_count + 1, sizeof *r.req_seen);
  r.confirm_seen = arena_array(&c->arena, p->confirm_count + 1, sizeof *r.confirm_seen);
  r.cover_slot = arena_array(&c->arena, p->confirm_count + 1, sizeof *r.cover_slot);
  for (uint32_t k = 0; k < p->confirm_count; k++)
    r.cover_slot[k] = slot_named(p, arena_printf(&c->arena, "cover#confirm#%u", k), IPSF_SLOT_LET);

  out->pack_name = arena_strdup(&c->arena, ipsf_pack_name(p));
  out->test_count = c->test_count;
  out->results = arena_array(&c->arena, c->test_count + 1, sizeof *out->results);
  for (size_t i = 0; i < c->test_count; i++) {
    if (select && !select(c->tests[i]->str.text, data)) continue;
    TestResult *t = &out->results[out->result_count++];
    run_test(&r, i, t);
    if (t->passed) out->passed++;
    else out->failed++;
  }
  report_coverage(&r, out);
  ipsf_eval_free(r.ev);
  ipsf_pack_free(r.p);
  return TESTRUN_OK;
}
