/*
 * testrun.c -- the test runner from source: compile with tests, run each
 * test through the runtime's runner (runtime/tests.c), gather coverage
 * (see testrun.h).
 *
 * The tests are compiled into the pack as data (codegen.c, "the tests as
 * data"), exactly as `ipsfc compile --with-tests` stores them, and judged
 * by ipsf_pack_run_test: `ipsfc test pack.ipsf` and `ipsfc test pack.ipsb`
 * print the same because they run the same code.  What only the source
 * runner has is coverage: the compilation adds a hidden `cover#confirm#N`
 * slot per confirm line, and the runner reads the evaluation context
 * (runtime/eval.h) after each completed evaluation: the values of those
 * slots and which rules matched.
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
  uint64_t *rule_seen;   /* per rule: matched in some evaluation */
  bool *otherwise_seen;  /* per scale: no rule matched in some evaluation */
  bool *req_seen, *confirm_seen;
  uint32_t *cover_slot;  /* per confirm: its `cover#confirm#N` slot */
} Runner;

const char *cover_kind_name(CoverKind kind) {
  static const char *const names[] = {"rule", "otherwise", "requirement", "confirm"};
  return kind < COVER__COUNT ? names[kind] : "?";
}

static const char *loc_at(Runner *r, IpsfLoc l) {
  return arena_printf(&r->c->arena, "%s:%u:%u", ipsf_str(r->p, l.file), l.line, l.col);
}

/* The slot of a hidden LET, or IPSF_NONE. */
static uint32_t slot_named(const IpsfPack *p, const char *name) {
  for (uint32_t i = 0; i < p->slot_count; i++)
    if (p->slots[i].role == IPSF_SLOT_LET && p->slots[i].name != IPSF_NONE &&
        strcmp(p->strings[p->slots[i].name], name) == 0)
      return i;
  return IPSF_NONE;
}

/* "FILE:LINE:COL", or FILE alone for line 0 (a table that cannot be used). */
static const char *place(Arena *a, const char *file, uint32_t line, uint32_t col) {
  return line ? arena_printf(a, "%s:%u:%u", file, line, col) : arena_strdup(a, file);
}

/* The runtime's result, copied into the arena (the report outlives the pack). */
static void keep_result(Arena *a, const IpsfTestResult *in, TestResult *t) {
  *t = (TestResult){arena_strdup(a, in->name), in->profile ? arena_strdup(a, in->profile) : NULL,
                    place(a, in->file, in->line, in->col), in->passed, NULL, in->failure_count};
  t->failures = arena_array(a, in->failure_count + 1, sizeof *t->failures);
  for (size_t i = 0; i < in->failure_count; i++) {
    const IpsfTestFailure *f = &in->failures[i];
    t->failures[i] = (TestFailure){f->expect ? arena_strdup(a, f->expect) : NULL,
                                   place(a, f->file, f->line, f->col), arena_strdup(a, f->got)};
  }
}

/* ---- coverage -------------------------------------------------------------------------- */

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

/* Run the selected tests of p on ev into out (strings in arena a); with
 * coverage (r not NULL), gather what each completed evaluation reached.
 * false only when out of memory (err). */
static bool run_tests(Arena *a, const IpsfPack *p, IpsfEval *ev, Runner *r, TestSelect select,
                      void *data, TestReport *out, IpsfError *err) {
  out->pack_name = arena_strdup(a, ipsf_pack_name(p));
  uint32_t n = ipsf_pack_test_count(p);
  out->test_count = n;
  out->results = arena_array(a, n + 1, sizeof *out->results);
  for (uint32_t i = 0; i < n; i++) {
    if (ipsf_pack_test_is_case(p, i)) out->case_count++;
    if (select && !select(ipsf_pack_test_name(p, i), data)) continue;
    IpsfTestResult res;
    if (!ipsf_pack_run_test(p, ev, i, &res, err)) return false;
    if (r && res.evaluated) collect_coverage(r);
    TestResult *t = &out->results[out->result_count++];
    keep_result(a, &res, t);
    ipsf_test_result_free(&res);
    if (t->passed) out->passed++;
    else out->failed++;
  }
  return true;
}

TestRunStatus testrun(Compilation *c, const char *path, const char *cases, TestSelect select,
                      void *data, TestReport *out, IpsfError *err) {
  *out = (TestReport){0};
  c->opt.with_tests = true;
  c->opt.cases = cases;
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
  r.rule_seen = arena_array(&c->arena, (p->rule_count + 63u) / 64u + 1, sizeof *r.rule_seen);
  r.otherwise_seen = arena_array(&c->arena, p->scale_count + 1, sizeof *r.otherwise_seen);
  r.req_seen = arena_array(&c->arena, p->requirement_count + 1, sizeof *r.req_seen);
  r.confirm_seen = arena_array(&c->arena, p->confirm_count + 1, sizeof *r.confirm_seen);
  r.cover_slot = arena_array(&c->arena, p->confirm_count + 1, sizeof *r.cover_slot);
  for (uint32_t k = 0; k < p->confirm_count; k++)
    r.cover_slot[k] = slot_named(p, arena_printf(&c->arena, "cover#confirm#%u", k));
  bool ok = run_tests(&c->arena, p, r.ev, &r, select, data, out, err);
  if (ok) report_coverage(&r, out);
  ipsf_eval_free(r.ev);
  ipsf_pack_free(r.p);
  return ok ? TESTRUN_OK : TESTRUN_LOAD_ERROR;
}

TestRunStatus testrun_pack(Arena *a, const IpsfPack *pack, TestSelect select, void *data,
                           TestReport *out, IpsfError *err) {
  *out = (TestReport){0};
  IpsfEval *ev = ipsf_eval_new(pack);
  if (!ev) {
    ipsf_fail(err, IPSF_ERR_NOMEM, "out of memory");
    return TESTRUN_LOAD_ERROR;
  }
  bool ok = run_tests(a, pack, ev, NULL, select, data, out, err);
  ipsf_eval_free(ev);
  return ok ? TESTRUN_OK : TESTRUN_LOAD_ERROR;
}
