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

#include <errno.h>
#include <math.h>

#include "csv.h"
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
  return sources_span_text(&c->sources, &c->arena, s);
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

  /* `profile "p";` naming a usage profile of the pack: its settings come
   * first, the givens choose within it (as a sheet's profile object does) */
  uint32_t ps = profile_named(c, module, d->profile.text);
  uint32_t prof = ps == UINT32_MAX ? IPSF_NONE : ipsf_pack_find_profile(r->p, c->profiles[ps].name);
  ipsf_eval_begin(r->ev);
  bool ok = ipsf_eval_set_int(r->ev, r->test_fact, (int64_t)index + 1, &err);
  if (prof != IPSF_NONE) ipsf_eval_apply_profile(r->ev, prof);
  for (size_t i = 0; ok && i < d->given_count; i++) {
    ok = set_given(r, module, &d->givens[i], &err);
    if (!ok) {
      add_failure(c, t, NULL, t->at,
                  arena_printf(&c->arena, "given %s: %s", d->givens[i].fact.name, err.message));
      return;
    }
  }
  ok = ok && (prof == IPSF_NONE || ipsf_eval_check_profile(r->ev, prof, &err));
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

/* ---- table-driven cases (docs/language.md section 16, "Tests as tables") ---------------- */

/* What a column of the table is. */
typedef enum { COL_NAME, COL_PROFILE, COL_EVIDENCE, COL_FACT, COL_CATEGORY, COL_SCALE,
               COL_REQUIREMENTS, COL_ERROR, COL_NOTE } ColKind;

typedef struct {
  ColKind kind;
  uint32_t index;    /* COL_FACT: the fact; COL_SCALE: the scale */
  const char *title; /* as in the header */
} Column;

/* Split s at '|' (and, when spaces is set, at blanks) into trimmed, non-empty
 * words (arena). */
static size_t split_words(Arena *a, const char *s, bool spaces, const char ***out) {
  size_t n = 0, cap = 0;
  const char **words = NULL;
  const char *p = s;
  while (*p) {
    while (*p == '|' || *p == ' ' || *p == '\t' || *p == '\n') p++;
    if (!*p) break;
    const char *start = p;
    while (*p && *p != '|' && (!spaces || (*p != ' ' && *p != '\t' && *p != '\n'))) p++;
    const char *stop = p;
    while (stop > start && (stop[-1] == ' ' || stop[-1] == '\t' || stop[-1] == '\n')) stop--;
    if (n == cap) {
      cap = cap ? cap * 2 : 8;
      const char **w = arena_array(a, cap, sizeof *w);
      if (n) memcpy(w, words, n * sizeof *w);
      words = w;
    }
    words[n++] = arena_strndup(a, start, (size_t)(stop - start));
  }
  *out = words;
  return n;
}

static bool table_header(Runner *r, const CsvRow *h, Column *cols, const char **err) {
  Arena *a = &r->c->arena;
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
      col->index = ipsf_pack_scale_index(r->p, t + 7);
      if (col->index == IPSF_NONE) {
        *err = arena_printf(a, "column %zu '%s': the pack has no scale '%s'", i + 1, t, t + 7);
        return false;
      }
    } else {
      const char *fact = strncmp(t, "fact:", 5) == 0 ? t + 5 : t;
      col->kind = COL_FACT;
      col->index = ipsf_fact_index(r->p, fact);
      if (col->index == IPSF_NONE || strchr(fact, '#')) {
        *err = arena_printf(a,
                            "column %zu '%s': not a fact of the pack, nor name, profile, "
                            "evidence, note or expect:...",
                            i + 1, t);
        return false;
      }
    }
  }
  if (!has_name) *err = "the header has no 'name' column";
  return has_name;
}

/* One fact from its cell text, by the fact's type. */
static bool set_cell(Runner *r, uint32_t f, const char *text, IpsfError *err) {
  const IpsfFact *fact = &r->p->facts[f];
  const char *name = ipsf_str(r->p, fact->name);
  char *end;
  errno = 0;
  switch (fact->type.kind) {
  case IPSF_K_BOOL:
    if (strcmp(text, "true") == 0) return ipsf_eval_set_bool(r->ev, f, true, err);
    if (strcmp(text, "false") == 0) return ipsf_eval_set_bool(r->ev, f, false, err);
    return ipsf_fail(err, IPSF_ERR_TYPE, "fact '%s' is a bool: true or false, not '%s'", name, text);
  case IPSF_K_INT: {
    long long v = strtoll(text, &end, 10);
    if (*end || end == text || errno)
      return ipsf_fail(err, IPSF_ERR_TYPE, "fact '%s' is an int, not '%s'", name, text);
    return ipsf_eval_set_int(r->ev, f, (int64_t)v, err);
  }
  case IPSF_K_NUMBER: {
    double v = strtod(text, &end);
    if (*end || end == text || !isfinite(v))
      return ipsf_fail(err, IPSF_ERR_TYPE, "fact '%s' is a number, not '%s'", name, text);
    return ipsf_eval_set_number(r->ev, f, v, err);
  }
  case IPSF_K_STRING: return ipsf_eval_set_string(r->ev, f, text, err);
  case IPSF_K_ENUM: return ipsf_eval_set_enum(r->ev, f, text, err);
  default: {
    if (!ipsf_eval_set_clear(r->ev, f, err)) return false;
    if (strcmp(text, "{}") == 0) return true;
    const char **words;
    size_t n = split_words(&r->c->arena, text, true, &words);
    for (size_t k = 0; k < n; k++)
      if (!ipsf_eval_set_add(r->ev, f, words[k], err)) return false;
    return true;
  }
  }
}

static bool set_evidence(Runner *r, const char *text, IpsfError *err) {
  ipsf_eval_evidence_present(r->ev);
  if (strcmp(text, "none") == 0) return true;
  const char **words;
  size_t n = split_words(&r->c->arena, text, false, &words);
  for (size_t k = 0; k < n; k++) {
    const char *eq = strchr(words[k], '=');
    if (!eq)
      return ipsf_fail(err, IPSF_ERR_TYPE, "evidence '%s': write ID=METHOD", words[k]);
    const char *id = arena_strndup(&r->c->arena, words[k], (size_t)(eq - words[k]));
    if (!ipsf_eval_set_evidence(r->ev, id, eq + 1, err)) return false;
  }
  return true;
}

static const char *status_name(IpsfStatus s) {
  return s == IPSF_MET ? "met" : s == IPSF_UNMET ? "unmet" : "unknown";
}

/* expect:requirements: exactly these apply, each with its method and status
 * when given; NULL when it holds, else what was found. */
static const char *judge_requirements(Runner *r, const char *text) {
  Arena *a = &r->c->arena;
  const IpsfPack *p = r->p;
  const char **entries;
  size_t n = strcmp(text, "none") == 0 ? 0 : split_words(a, text, false, &entries);
  bool *named = arena_array(a, p->requirement_count + 1, sizeof *named);
  const char *problems = NULL;
#define PROBLEM(...)                                                                      \
  do {                                                                                    \
    const char *m_ = arena_printf(a, __VA_ARGS__);                                        \
    problems = problems ? arena_printf(a, "%s; %s", problems, m_) : m_;                    \
  } while (0)
  for (size_t i = 0; i < n; i++) {
    const char **w;
    size_t k = split_words(a, entries[i], true, &w);
    uint32_t q = k ? ipsf_pack_requirement_index(p, w[0]) : IPSF_NONE;
    if (q == IPSF_NONE) {
      PROBLEM("no requirement '%s' in the pack", k ? w[0] : "");
      continue;
    }
    named[q] = true;
    if (!ipsf_eval_applies(r->ev, q)) {
      PROBLEM("%s does not apply", w[0]);
      continue;
    }
    const char *method = ipsf_eval_method(r->ev, q);
    if (k > 1 && strcmp(w[1], method) != 0) PROBLEM("%s requires %s, not %s", w[0], method, w[1]);
    const char *status = status_name(ipsf_eval_status(r->ev, q));
    if (k > 2 && strcmp(w[2], status) != 0) PROBLEM("%s is %s, not %s", w[0], status, w[2]);
  }
  for (uint32_t q = 0; q < p->requirement_count; q++)
    if (!named[q] && ipsf_eval_applies(r->ev, q))
      PROBLEM("%s applies too (%s)", ipsf_str(p, p->requirements[q].id), ipsf_eval_method(r->ev, q));
#undef PROBLEM
  return problems ? arena_printf(a, "got: %s", problems) : NULL;
}

static void run_row(Runner *r, const char *file, const Column *cols, const CsvRow *row,
                    TestResult *t) {
  Compilation *c = r->c;
  Arena *a = &c->arena;
  const char *at = arena_printf(a, "%s:%u:1", file, (unsigned)row->line);
  *t = (TestResult){"", NULL, at, false, NULL, 0};
  for (size_t i = 0; i < row->count; i++) {
    if (cols[i].kind == COL_NAME) t->name = row->fields[i];
    if (cols[i].kind == COL_PROFILE && row->fields[i][0]) t->profile = row->fields[i];
  }
  const char *expect_error = NULL;
  for (size_t i = 0; i < row->count; i++)
    if (cols[i].kind == COL_ERROR && row->fields[i][0]) expect_error = row->fields[i];
  /* a profile column naming a usage profile of the pack applies it */
  uint32_t prof = t->profile ? ipsf_pack_find_profile(r->p, t->profile) : IPSF_NONE;
  if (t->profile && r->p->profile_count && prof == IPSF_NONE) {
    add_failure(c, t, NULL, at,
                arena_printf(a, "profile '%s' is not declared by the pack", t->profile));
    return;
  }
  IpsfError err = {0};
  ipsf_eval_begin(r->ev);
  bool ok = r->test_fact == IPSF_NONE || ipsf_eval_set_int(r->ev, r->test_fact, 0, &err);
  if (ok && prof != IPSF_NONE) ipsf_eval_apply_profile(r->ev, prof);
  for (size_t i = 0; ok && i < row->count; i++) {
    const char *cell = row->fields[i];
    if (!cell[0]) continue; /* an empty cell: not given, no expectation */
    if (cols[i].kind == COL_FACT) ok = set_cell(r, cols[i].index, cell, &err);
    else if (cols[i].kind == COL_EVIDENCE) ok = set_evidence(r, cell, &err);
    if (!ok) {
      /* a cell the runtime refuses is an error as a sheet's would be */
      char *msg = arena_printf(a, "column '%s': %s", cols[i].title, err.message);
      snprintf(err.message, sizeof err.message, "%s", msg);
      if (!expect_error) {
        add_failure(c, t, NULL, at, msg);
        return;
      }
    }
  }
  if (ok && prof != IPSF_NONE) ok = ipsf_eval_check_profile(r->ev, prof, &err);
  if (ok) ok = ipsf_eval_run(r->ev, &err);
  if (ok) collect_coverage(r);
  if (expect_error) {
    const char *what = arena_printf(a, "expect:error = %s", expect_error);
    if (ok) add_failure(c, t, what, at, arena_printf(a, "got no error (%s)", placement(r)));
    else if (!strstr(err.message, expect_error))
      add_failure(c, t, what, at, arena_printf(a, "got error: %s", err.message));
    t->passed = t->failure_count == 0;
    return;
  }
  if (!ok) {
    add_failure(c, t, NULL, at, arena_printf(a, "evaluation failed: %s", err.message));
    return;
  }
  const IpsfPack *p = r->p;
  for (size_t i = 0; i < row->count; i++) {
    const char *cell = row->fields[i];
    if (!cell[0]) continue;
    const char *got = NULL;
    if (cols[i].kind == COL_CATEGORY) {
      uint32_t a1 = ipsf_pack_axis(p, 1), a2 = ipsf_pack_axis(p, 2);
      const char *cat = arena_printf(a, "%s/%s", a1 == IPSF_NONE ? "-" : ipsf_eval_level_name(r->ev, a1),
                                     a2 == IPSF_NONE ? "-" : ipsf_eval_level_name(r->ev, a2));
      const char **w;
      size_t n = split_words(a, cell, true, &w);
      const char *want = n == 1 ? w[0] : n ? arena_printf(a, "%s%s", w[0], w[1]) : "";
      if (n > 2) want = arena_printf(a, "%s%s", want, w[2]);
      if (strcmp(want, cat) != 0) got = arena_printf(a, "got %s", cat);
    } else if (cols[i].kind == COL_SCALE) {
      const char *level = ipsf_eval_level_name(r->ev, cols[i].index);
      if (strcmp(level, cell) != 0) got = arena_printf(a, "got %s", level);
    } else if (cols[i].kind == COL_REQUIREMENTS) {
      got = judge_requirements(r, cell);
    }
    if (got) add_failure(c, t, arena_printf(a, "%s = %s", cols[i].title, cell), at, got);
  }
  t->passed = t->failure_count == 0;
}

/* Read and run the table at `path` (a missing file: no cases). */
static void run_table(Runner *r, const char *path, TestSelect select, void *data, TestReport *out) {
  Compilation *c = r->c;
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
    size_t got = fread(text + len, 1, cap - len, f);
    len += got;
    if (got == 0) break;
  }
  bool read_error = ferror(f) != 0;
  fclose(f);
  CsvTable table;
  bool parsed = !read_error && csv_parse(a, text ? text : "", len, &table);
  free(text);
  /* a table that cannot be used is one failing case, named after the file */
  const char *problem = read_error ? "read error" : parsed ? NULL : table.error;
  Column *cols = NULL;
  if (!problem && table.count == 0) problem = "the table is empty (it needs a header line)";
  if (!problem) {
    cols = arena_array(a, table.rows[0].count + 1, sizeof *cols);
    if (!table_header(r, &table.rows[0], cols, &problem))
      problem = arena_printf(a, "line %u, %s", (unsigned)table.rows[0].line, problem);
  }
  size_t rows = problem ? 1 : table.count - 1;
  TestResult *results = arena_array(a, out->result_count + rows + 1, sizeof *results);
  if (out->result_count) memcpy(results, out->results, out->result_count * sizeof *results);
  out->results = results;
  if (problem) {
    TestResult *t = &out->results[out->result_count++];
    *t = (TestResult){arena_strdup(a, path), NULL, arena_strdup(a, path), false, NULL, 0};
    add_failure(c, t, NULL, t->at, problem);
    out->failed++;
    out->test_count++;
    return;
  }
  for (size_t i = 1; i < table.count; i++) {
    const CsvRow *row = &table.rows[i];
    out->test_count++;
    out->case_count++;
    if (row->count != table.rows[0].count) {
      TestResult *t = &out->results[out->result_count++];
      *t = (TestResult){"", NULL, arena_printf(a, "%s:%u:1", path, (unsigned)row->line), false, NULL, 0};
      for (size_t k = 0; k < row->count && k < table.rows[0].count; k++)
        if (cols[k].kind == COL_NAME) t->name = row->fields[k];
      add_failure(c, t, NULL, t->at,
                  arena_printf(a, "the row has %zu cells, the header %zu", row->count,
                               table.rows[0].count));
      out->failed++;
      continue;
    }
    const char *name = "";
    for (size_t k = 0; k < row->count; k++)
      if (cols[k].kind == COL_NAME) name = row->fields[k];
    if (select && !select(name, data)) continue;
    TestResult *t = &out->results[out->result_count++];
    run_row(r, path, cols, row, t);
    if (t->passed) out->passed++;
    else out->failed++;
  }
}

/* ---- the run ------------------------------------------------------------------------------ */

TestRunStatus testrun(Compilation *c, const char *path, const char *cases, TestSelect select,
                      void *data, TestReport *out, IpsfError *err) {
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
  if (cases) run_table(&r, cases, select, data, out);
  report_coverage(&r, out);
  ipsf_eval_free(r.ev);
  ipsf_pack_free(r.p);
  return TESTRUN_OK;
}
