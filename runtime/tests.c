/*
 * tests.c -- the tests compiled into a pack (`ipsfc compile --with-tests`):
 * checking the TESTS section, and running a test on a verified pack.
 *
 * The section is data only (pack.h, IpsfTests): no test carries code of
 * its own.  A test block's `expect EXPR` is compiled by codegen.c into the
 * pack's code, after everything else, as a store into a hidden bool LET
 * slot, guarded by `test# == K` where `test#` is the hidden int FACT slot
 * the section names as its gate and K the test's index + 1.  No fact owns
 * the gate, so no fact sheet can set it: ipsf_eval_run writes it from the
 * evaluation context (0 unless a test runs), and an ordinary evaluation of
 * a pack with tests runs none of the tests' code and gives the record the
 * pack gives without them.  Everything else a test expects (a requirement
 * applies, with a method; a viewpoint; an error; a table row's category,
 * levels and requirements) is read from the evaluation's results.
 *
 * Invariants:
 *   - ipsf_verify_tests (from ipsf_verify) proves every index in range for
 *     what it indexes and every string an index into the pool, so the
 *     runner below indexes without checks; reading a LET or TEMP slot
 *     after RET is always defined (the VM resets them each run), so even a
 *     VALUE expectation whose slot the gated code never stores reads a
 *     valid value of the slot's type (false).  It also proves that each
 *     given and expectation is of a kind its test runs (a block: constants
 *     and the `expect` forms; a row: cells and the `expect:` columns; both:
 *     an error, a failure as a whole), so every expectation stored is
 *     judged, and none is silently skipped.
 *   - A pack with tests is no more trusted than one without: the code the
 *     tests add is verified, and bounded, with the pack's code (the cost
 *     bound is per evaluation and covers it; a test is one evaluation).
 *   - The messages are those of the source runner (compiler/testrun.c),
 *     which runs its tests through this file too: `ipsfc test pack.ipsf`
 *     and `ipsfc test pack.ipsb` print the same.
 *   - No global state; the result owns its `got` strings (malloc), the
 *     other strings are the pack's.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval.h"
#include "pack.h"
#include "report.h"

/* ---- freeing and verifying ------------------------------------------------------------ */

void ipsf_tests_free(IpsfTests *tests) {
  if (!tests) return;
  for (uint32_t i = 0; tests->items && i < tests->count; i++) {
    IpsfTest *t = &tests->items[i];
    for (uint32_t k = 0; t->expects && k < t->expect_count; k++) free(t->expects[k].names);
    free(t->expects);
    free(t->givens);
  }
  free(tests->items);
  free(tests);
}

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static bool bad(IpsfError *err, const char *fmt, ...) {
  char msg[sizeof err->message];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  return ipsf_fail(err, IPSF_ERR_BYTECODE, "tests: %s", msg);
}

static bool is_str(const IpsfPack *p, uint32_t s) { return s < p->string_count; }

static bool check_given(const IpsfPack *p, uint32_t t, uint32_t k, const IpsfTestGiven *g,
                        bool is_case, IpsfError *err) {
  /* a test block gives constants, a row of a table cells: what each runs */
  if ((g->kind == IPSF_GIVEN_CONST) == is_case && g->kind >= IPSF_GIVEN_CONST &&
      g->kind <= IPSF_GIVEN_EVIDENCE)
    return bad(err, "test %u, given %u: kind %u is not one of a %s", t, k, g->kind,
               is_case ? "row of a table" : "test block");
  if (!is_str(p, g->title))
    return bad(err, "test %u, given %u: title string %u out of range", t, k, g->title);
  switch (g->kind) {
  case IPSF_GIVEN_CONST:
    if (g->fact >= p->fact_count)
      return bad(err, "test %u, given %u: fact %u out of range (%u facts)", t, k, g->fact,
                 p->fact_count);
    if (g->value >= p->const_count)
      return bad(err, "test %u, given %u: constant %u out of range (%u constants)", t, k,
                 g->value, p->const_count);
    {
      IpsfType ft = p->facts[g->fact].type, ct = p->consts[g->value].type;
      if (ft.kind != ct.kind || ft.enum_type != ct.enum_type)
        return bad(err, "test %u, given %u: constant %u is not of the type of fact '%s'", t, k,
                   g->value, p->strings[p->facts[g->fact].name]);
    }
    return true;
  case IPSF_GIVEN_CELL:
  case IPSF_GIVEN_EVIDENCE:
    if (g->kind == IPSF_GIVEN_CELL && g->fact >= p->fact_count)
      return bad(err, "test %u, given %u: fact %u out of range (%u facts)", t, k, g->fact,
                 p->fact_count);
    if (!is_str(p, g->value))
      return bad(err, "test %u, given %u: value string %u out of range", t, k, g->value);
    return true;
  default: return bad(err, "test %u, given %u: unknown kind %u", t, k, g->kind);
  }
}

/* The kinds each kind of test judges: a block's forms, a row's columns;
 * both may expect an error or fail as a whole.  So every expectation
 * stored is judged. */
static bool kind_fits(uint8_t kind, bool is_case) {
  switch (kind) {
  case IPSF_EXPECT_ERROR:
  case IPSF_EXPECT_FAIL: return true;
  case IPSF_EXPECT_CATEGORY:
  case IPSF_EXPECT_LEVEL:
  case IPSF_EXPECT_REQUIREMENTS: return is_case;
  default: return !is_case;
  }
}

static bool check_expect(const IpsfPack *p, uint32_t t, uint32_t k, const IpsfTestExpect *x,
                         bool is_case, IpsfError *err) {
  if (x->kind < IPSF_EXPECT_VALUE || x->kind > IPSF_EXPECT__LAST)
    return bad(err, "test %u, expectation %u: unknown kind %u", t, k, x->kind);
  if (!kind_fits(x->kind, is_case))
    return bad(err, "test %u, expectation %u: kind %u is not one of a %s", t, k, x->kind,
               is_case ? "row of a table" : "test block");
  if (x->kind == IPSF_EXPECT_FAIL ? x->text != IPSF_NONE && !is_str(p, x->text)
                                  : !is_str(p, x->text))
    return bad(err, "test %u, expectation %u: text string %u out of range", t, k, x->text);
  if (!is_str(p, x->loc.file))
    return bad(err, "test %u, expectation %u: file string %u out of range", t, k, x->loc.file);
  bool needs_value = x->kind >= IPSF_EXPECT_ERROR;
  if (needs_value ? !is_str(p, x->value) : x->value != IPSF_NONE)
    return bad(err, "test %u, expectation %u: value string %u out of range", t, k, x->value);
  if (x->kind != IPSF_EXPECT_REQUIRES && x->method != IPSF_NONE)
    return bad(err, "test %u, expectation %u: a method where none is read", t, k);
  if (x->kind != IPSF_EXPECT_VALUE && x->name_count)
    return bad(err, "test %u, expectation %u: names where none are read", t, k);
  switch (x->kind) {
  case IPSF_EXPECT_VALUE: {
    if (p->tests->gate == IPSF_NONE)
      return bad(err, "test %u, expectation %u: an expect EXPR, but no gate slot to run it", t, k);
    if (x->index >= p->slot_count || p->slots[x->index].role != IPSF_SLOT_LET ||
        p->slots[x->index].type.kind != IPSF_K_BOOL)
      return bad(err, "test %u, expectation %u: slot %u is not a bool let slot", t, k, x->index);
    for (uint32_t n = 0; n < x->name_count; n++)
      if (x->names[n] >= p->slot_count || !is_str(p, p->slots[x->names[n]].name))
        return bad(err, "test %u, expectation %u: named slot %u out of range or unnamed", t, k,
                   x->names[n]);
    return true;
  }
  case IPSF_EXPECT_REQUIRES: {
    if (x->index >= p->requirement_count)
      return bad(err, "test %u, expectation %u: requirement %u out of range (%u)", t, k,
                 x->index, p->requirement_count);
    uint32_t vp = p->requirements[x->index].viewpoint;
    if (vp >= p->viewpoint_count)
      return bad(err, "test %u, expectation %u: the requirement's viewpoint is out of range", t,
                 k);
    if (x->method != IPSF_NONE && x->method >= p->viewpoints[vp].method_count)
      return bad(err, "test %u, expectation %u: method %u out of range (%u)", t, k, x->method,
                 p->viewpoints[vp].method_count);
    return true;
  }
  case IPSF_EXPECT_NOT_REQUIRES:
    if (x->index != IPSF_NONE && x->index >= p->requirement_count)
      return bad(err, "test %u, expectation %u: requirement %u out of range (%u)", t, k,
                 x->index, p->requirement_count);
    return true;
  case IPSF_EXPECT_VIEWPOINT:
    if (x->index != IPSF_NONE && x->index >= p->viewpoint_count)
      return bad(err, "test %u, expectation %u: viewpoint %u out of range (%u)", t, k, x->index,
                 p->viewpoint_count);
    return true;
  case IPSF_EXPECT_LEVEL:
    if (x->index >= p->scale_count)
      return bad(err, "test %u, expectation %u: scale %u out of range (%u)", t, k, x->index,
                 p->scale_count);
    return true;
  default:
    if (x->index != IPSF_NONE)
      return bad(err, "test %u, expectation %u: an index where none is read", t, k);
    return true;
  }
}

bool ipsf_verify_tests(const IpsfPack *p, uint32_t *owner, IpsfError *err) {
  const IpsfTests *ts = p->tests;
  if (!ts) return true;
  if (ts->gate != IPSF_NONE) {
    if (ts->gate >= p->slot_count)
      return bad(err, "gate slot %u out of range (%u slots)", ts->gate, p->slot_count);
    const IpsfSlot *s = &p->slots[ts->gate];
    if (s->role != IPSF_SLOT_FACT || s->type.kind != IPSF_K_INT)
      return bad(err, "gate slot %u is not an int fact slot", ts->gate);
    if (owner[ts->gate] != IPSF_NONE)
      return bad(err, "gate slot %u belongs to fact %u", ts->gate, owner[ts->gate]);
    owner[ts->gate] = p->fact_count; /* claimed: no fact's, and not unowned */
  }
  for (uint32_t i = 0; i < ts->count; i++) {
    const IpsfTest *t = &ts->items[i];
    if (!is_str(p, t->name)) return bad(err, "test %u: name string %u out of range", i, t->name);
    if (t->profile != IPSF_NONE && !is_str(p, t->profile))
      return bad(err, "test %u: profile string %u out of range", i, t->profile);
    if (!is_str(p, t->loc.file))
      return bad(err, "test %u: file string %u out of range", i, t->loc.file);
    if (t->flags & ~IPSF_TEST_CASE) return bad(err, "test %u: unknown flags %u", i, t->flags);
    bool is_case = (t->flags & IPSF_TEST_CASE) != 0;
    uint32_t errors = 0;
    for (uint32_t k = 0; k < t->given_count; k++)
      if (!check_given(p, i, k, &t->givens[k], is_case, err)) return false;
    for (uint32_t k = 0; k < t->expect_count; k++) {
      if (!check_expect(p, i, k, &t->expects[k], is_case, err)) return false;
      errors += t->expects[k].kind == IPSF_EXPECT_ERROR;
    }
    if (is_case && errors > 1)
      return bad(err, "test %u: a row expects one error at most (%u)", i, errors);
  }
  return true;
}

/* ---- text ------------------------------------------------------------------------------- */

/* One run: the pack, the context, the result being filled, and a flag for
 * an allocation that failed (the run then reports IPSF_ERR_NOMEM). */
typedef struct {
  const IpsfPack *p;
  IpsfEval *ev;
  IpsfTestResult *out;
  bool nomem;
} Run;

/* A malloc'd copy of the buffer's text (NULL, with nomem, on failure). */
static char *take(Run *r, IpsfBuf *b) {
  if (!b->failed && !b->data) {
    char *empty = calloc(1, 1);
    if (!empty) r->nomem = true;
    return empty;
  }
  if (b->failed) {
    ipsf_buf_free(b);
    r->nomem = true;
    return NULL;
  }
  return b->data; /* the buffer's block: ipsf_buf_free is not called */
}

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static char *textf(Run *r, const char *fmt, ...) {
  IpsfBuf b;
  ipsf_buf_init(&b);
  char small[1024];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(small, sizeof small, fmt, ap);
  va_end(ap);
  if (n < 0) {
    r->nomem = true;
    return NULL;
  }
  if ((size_t)n < sizeof small) {
    ipsf_buf_put(&b, small, (size_t)n);
  } else {
    char *big = malloc((size_t)n + 1);
    if (!big) {
      r->nomem = true;
      return NULL;
    }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    ipsf_buf_put(&b, big, (size_t)n);
    free(big);
  }
  return take(r, &b);
}

static void add_failure(Run *r, const char *expect, IpsfLoc at, char *got) {
  if (!got) return; /* nomem is set */
  IpsfTestResult *t = r->out;
  IpsfTestFailure *items = realloc(t->failures, (t->failure_count + 1) * sizeof *items);
  if (!items) {
    free(got);
    r->nomem = true;
    return;
  }
  t->failures = items;
  items[t->failure_count++] =
      (IpsfTestFailure){expect, r->p->strings[at.file], at.line, at.col, got};
}

static void value_text(IpsfBuf *b, const IpsfPack *p, IpsfType t, IpsfValue v) {
  switch (t.kind) {
  case IPSF_K_BOOL: ipsf_buf_puts(b, v.i ? "true" : "false"); return;
  case IPSF_K_INT: ipsf_buf_printf(b, "%lld", (long long)v.i); return;
  case IPSF_K_NUMBER: {
    char s[40];
    snprintf(s, sizeof s, "%.15g", v.n);
    if (strtod(s, NULL) != v.n) snprintf(s, sizeof s, "%.17g", v.n);
    ipsf_buf_puts(b, s);
    return;
  }
  case IPSF_K_STRING: ipsf_buf_printf(b, "\"%s\"", v.s ? v.s : ""); return;
  case IPSF_K_ENUM: ipsf_buf_puts(b, p->strings[p->enums[t.enum_type].values[v.i]]); return;
  default: {
    const IpsfEnum *e = &p->enums[t.enum_type];
    bool first = true;
    ipsf_buf_puts(b, "{");
    for (uint32_t k = 0; k < e->value_count; k++)
      if (v.m >> k & 1u) {
        ipsf_buf_printf(b, "%s%s", first ? "" : ", ", p->strings[e->values[k]]);
        first = false;
      }
    ipsf_buf_puts(b, "}");
  }
  }
}

/* "recovery fatal, economic limited": every scale's level. */
static void placement(IpsfBuf *b, Run *r) {
  const IpsfPack *p = r->p;
  for (uint32_t i = 0; i < p->scale_count; i++)
    ipsf_buf_printf(b, "%s%s %s", i ? ", " : "", p->strings[p->scales[i].name],
                    ipsf_eval_level_name(r->ev, i));
  if (p->scale_count == 0) ipsf_buf_puts(b, "no scales");
}

static char *no_error_text(Run *r) {
  IpsfBuf b;
  ipsf_buf_init(&b);
  ipsf_buf_puts(&b, "got no error (");
  placement(&b, r);
  ipsf_buf_puts(&b, ")");
  return take(r, &b);
}

static void applies_text(IpsfBuf *b, Run *r, uint32_t q) {
  const char *id = r->p->strings[r->p->requirements[q].id];
  if (!ipsf_eval_applies(r->ev, q)) {
    ipsf_buf_printf(b, "%s does not apply", id);
    return;
  }
  const char *m = ipsf_eval_method(r->ev, q);
  ipsf_buf_printf(b, "%s applies with %s", id, m ? m : "(null)");
}

static char *got_applies(Run *r, uint32_t q) {
  IpsfBuf b;
  ipsf_buf_init(&b);
  ipsf_buf_puts(&b, "got ");
  applies_text(&b, r, q);
  return take(r, &b);
}

/* ---- the expectations of a test block ------------------------------------------------- */

/* NULL if it holds (or out of memory: r->nomem), else what was found. */
static char *judge(Run *r, const IpsfTestExpect *x) {
  const IpsfPack *p = r->p;
  switch (x->kind) {
  case IPSF_EXPECT_VALUE: {
    if (r->ev->slots[x->index].i) return NULL;
    IpsfBuf b;
    ipsf_buf_init(&b);
    ipsf_buf_puts(&b, "got ");
    for (uint32_t n = 0; n < x->name_count; n++) {
      const IpsfSlot *s = &p->slots[x->names[n]];
      ipsf_buf_printf(&b, "%s%s ", n ? ", " : "", p->strings[s->name]);
      value_text(&b, p, s->type, r->ev->slots[x->names[n]]);
    }
    if (x->name_count == 0) ipsf_buf_puts(&b, "false");
    return take(r, &b);
  }
  case IPSF_EXPECT_REQUIRES: {
    uint32_t q = x->index;
    if (!ipsf_eval_applies(r->ev, q)) return got_applies(r, q);
    if (x->method != IPSF_NONE) {
      const IpsfViewpoint *vp = &p->viewpoints[p->requirements[q].viewpoint];
      const char *method = ipsf_eval_method(r->ev, q);
      if (!method || strcmp(method, p->strings[vp->methods[x->method]]) != 0)
        return got_applies(r, q);
    }
    return NULL;
  }
  case IPSF_EXPECT_NOT_REQUIRES:
    if (x->index == IPSF_NONE || !ipsf_eval_applies(r->ev, x->index)) return NULL;
    return got_applies(r, x->index);
  case IPSF_EXPECT_VIEWPOINT: {
    uint8_t *listed = calloc(p->viewpoint_count + 1u, 1);
    if (!listed) {
      r->nomem = true;
      return NULL;
    }
    IpsfBuf b;
    ipsf_buf_init(&b);
    ipsf_buf_puts(&b, "got viewpoints ");
    bool any = false;
    for (uint32_t q = 0; q < p->requirement_count; q++) {
      if (!ipsf_eval_applies(r->ev, q)) continue;
      uint32_t vp = p->requirements[q].viewpoint;
      if (vp == x->index) {
        free(listed);
        ipsf_buf_free(&b);
        return NULL;
      }
      if (listed[vp]) continue;
      listed[vp] = 1;
      ipsf_buf_printf(&b, "%s%s", any ? ", " : "", p->strings[p->viewpoints[vp].name]);
      any = true;
    }
    free(listed);
    if (!any) {
      ipsf_buf_free(&b);
      return textf(r, "got no requirement that applies");
    }
    return take(r, &b);
  }
  default: return NULL; /* ERROR: judged by run_block; the table's kinds: run_case */
  }
}

static const char *str(const IpsfPack *p, uint32_t s) { return s == IPSF_NONE ? NULL : p->strings[s]; }

static bool set_cell(Run *r, uint32_t f, const char *text, IpsfError *err);
static bool set_evidence(Run *r, const char *text, IpsfError *err);

/* One given of either kind of test: a constant set by its fact's type, or
 * a table cell's text read by it (whatever kind of test holds it: the
 * verifier checks each given against its own kind). */
static bool set_given(Run *r, const IpsfTestGiven *g, IpsfError *err) {
  const IpsfPack *p = r->p;
  if (g->kind == IPSF_GIVEN_CELL) return set_cell(r, g->fact, p->strings[g->value], err);
  if (g->kind == IPSF_GIVEN_EVIDENCE) return set_evidence(r, p->strings[g->value], err);
  uint32_t f = g->fact;
  IpsfValue v = p->consts[g->value].value;
  switch (p->facts[f].type.kind) {
  case IPSF_K_BOOL: return ipsf_eval_set_bool(r->ev, f, v.i != 0, err);
  case IPSF_K_INT: return ipsf_eval_set_int(r->ev, f, v.i, err);
  case IPSF_K_NUMBER: return ipsf_eval_set_number(r->ev, f, v.n, err);
  case IPSF_K_STRING: return ipsf_eval_set_string(r->ev, f, v.s, err);
  case IPSF_K_ENUM: {
    const IpsfEnum *e = &p->enums[p->facts[f].type.enum_type];
    return ipsf_eval_set_enum(r->ev, f, p->strings[e->values[v.i]], err);
  }
  default: {
    const IpsfEnum *e = &p->enums[p->facts[f].type.enum_type];
    bool ok = ipsf_eval_set_clear(r->ev, f, err);
    for (uint32_t k = 0; ok && k < e->value_count; k++)
      if (v.m >> k & 1u) ok = ipsf_eval_set_add(r->ev, f, p->strings[e->values[k]], err);
    return ok;
  }
  }
}

/* The usage profile a test names, if the pack declares one by that name
 * (docs/language.md, "Usage profiles"); else IPSF_NONE: the name is only a
 * label. */
static uint32_t test_profile(const IpsfPack *p, const IpsfTest *t) {
  return t->profile == IPSF_NONE ? IPSF_NONE : ipsf_pack_find_profile(p, p->strings[t->profile]);
}

static void run_block(Run *r, const IpsfTest *t) {
  const IpsfPack *p = r->p;
  IpsfError err = {0};
  bool ok = true;
  /* the profile's settings come first; the givens choose within it, as a
   * sheet's profile object does */
  uint32_t prof = test_profile(p, t);
  if (prof != IPSF_NONE) ipsf_eval_apply_profile(r->ev, prof);
  for (uint32_t i = 0; ok && i < t->given_count; i++) {
    const IpsfTestGiven *g = &t->givens[i];
    ok = set_given(r, g, &err);
    if (r->nomem) return;
    if (!ok) {
      add_failure(r, NULL, t->loc, textf(r, "given %s: %s", p->strings[g->title], err.message));
      return;
    }
  }
  ok = (prof == IPSF_NONE || ipsf_eval_check_profile(r->ev, prof, &err)) &&
       ipsf_eval_run(r->ev, &err);
  r->out->evaluated = ok;
  bool expects_error = false;
  for (uint32_t i = 0; i < t->expect_count; i++) {
    const IpsfTestExpect *x = &t->expects[i];
    if (x->kind != IPSF_EXPECT_ERROR) continue;
    expects_error = true;
    if (ok) add_failure(r, p->strings[x->text], x->loc, no_error_text(r));
    else if (!strstr(err.message, p->strings[x->value]))
      add_failure(r, p->strings[x->text], x->loc, textf(r, "got error: %s", err.message));
  }
  if (expects_error) return;
  if (!ok) {
    add_failure(r, NULL, t->loc, textf(r, "evaluation failed: %s", err.message));
    return;
  }
  for (uint32_t i = 0; i < t->expect_count && !r->nomem; i++) {
    char *got = judge(r, &t->expects[i]);
    if (got) add_failure(r, p->strings[t->expects[i].text], t->expects[i].loc, got);
  }
}

/* ---- a row of a table of cases (docs/language.md section 16) ---------------------------- */

/* Split s at '|' (and, when spaces is set, at blanks) into trimmed, non-empty
 * words: *words points into *copy (both malloc'd, the caller frees). */
static size_t split_words(Run *r, const char *s, bool spaces, char **copy, char ***words) {
  size_t len = strlen(s);
  *copy = malloc(len + 1);
  *words = malloc((len / 2 + 2) * sizeof **words);
  if (!*copy || !*words) {
    free(*copy);
    free(*words);
    *copy = NULL;
    *words = NULL;
    r->nomem = true;
    return 0;
  }
  memcpy(*copy, s, len + 1);
  size_t n = 0;
  char *q = *copy;
  while (*q) {
    while (*q == '|' || *q == ' ' || *q == '\t' || *q == '\n') q++;
    if (!*q) break;
    char *start = q;
    while (*q && *q != '|' && (!spaces || (*q != ' ' && *q != '\t' && *q != '\n'))) q++;
    char *stop = q;
    bool more = *q != '\0';
    while (stop > start && (stop[-1] == ' ' || stop[-1] == '\t' || stop[-1] == '\n')) stop--;
    *stop = '\0';
    (*words)[n++] = start;
    if (more) q++;
  }
  return n;
}

/* One fact from its cell text, by the fact's type. */
static bool set_cell(Run *r, uint32_t f, const char *text, IpsfError *err) {
  const IpsfFact *fact = &r->p->facts[f];
  const char *name = r->p->strings[fact->name];
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
    char *copy, **words;
    size_t n = split_words(r, text, true, &copy, &words);
    bool ok = !r->nomem;
    for (size_t k = 0; ok && k < n; k++) ok = ipsf_eval_set_add(r->ev, f, words[k], err);
    free(copy);
    free(words);
    return ok || r->nomem ? ok : false;
  }
  }
}

static bool set_evidence(Run *r, const char *text, IpsfError *err) {
  ipsf_eval_evidence_present(r->ev);
  if (strcmp(text, "none") == 0) return true;
  char *copy, **words;
  size_t n = split_words(r, text, false, &copy, &words);
  bool ok = !r->nomem;
  for (size_t k = 0; ok && k < n; k++) {
    char *eq = strchr(words[k], '=');
    if (!eq) {
      ok = ipsf_fail(err, IPSF_ERR_TYPE, "evidence '%s': write ID=METHOD", words[k]);
      break;
    }
    *eq = '\0';
    ok = ipsf_eval_set_evidence(r->ev, words[k], eq + 1, err);
  }
  free(copy);
  free(words);
  return ok;
}

/* expect:requirements: exactly these apply, each with its method and status
 * when given; NULL when it holds, else what was found. */
static char *judge_requirements(Run *r, const char *text) {
  const IpsfPack *p = r->p;
  char *copy = NULL, **entries = NULL;
  size_t n = strcmp(text, "none") == 0 ? 0 : split_words(r, text, false, &copy, &entries);
  uint8_t *named = calloc(p->requirement_count + 1u, 1);
  if (r->nomem || !named) {
    free(copy);
    free(entries);
    free(named);
    r->nomem = true;
    return NULL;
  }
  IpsfBuf b;
  ipsf_buf_init(&b);
  bool any = false;
#define PROBLEM(...)                                                                      \
  do {                                                                                    \
    ipsf_buf_puts(&b, any ? "; " : "got: ");                                              \
    ipsf_buf_printf(&b, __VA_ARGS__);                                                     \
    any = true;                                                                           \
  } while (0)
  for (size_t i = 0; i < n; i++) {
    char *wcopy, **w;
    size_t k = split_words(r, entries[i], true, &wcopy, &w);
    if (r->nomem) break;
    uint32_t q = k ? ipsf_pack_requirement_index(p, w[0]) : IPSF_NONE;
    if (q == IPSF_NONE) {
      PROBLEM("no requirement '%s' in the pack", k ? w[0] : "");
    } else {
      named[q] = 1;
      if (!ipsf_eval_applies(r->ev, q)) {
        PROBLEM("%s does not apply", w[0]);
      } else {
        const char *method = ipsf_eval_method(r->ev, q);
        if (!method) method = "(null)";
        if (k > 1 && strcmp(w[1], method) != 0)
          PROBLEM("%s requires %s, not %s", w[0], method, w[1]);
        const char *status = ipsf_status_name(ipsf_eval_status(r->ev, q));
        if (k > 2 && strcmp(w[2], status) != 0) PROBLEM("%s is %s, not %s", w[0], status, w[2]);
      }
    }
    free(wcopy);
    free(w);
  }
  for (uint32_t q = 0; q < p->requirement_count; q++)
    if (!named[q] && ipsf_eval_applies(r->ev, q))
      PROBLEM("%s applies too (%s)", p->strings[p->requirements[q].id],
              ipsf_eval_method(r->ev, q) ? ipsf_eval_method(r->ev, q) : "(null)");
#undef PROBLEM
  free(copy);
  free(entries);
  free(named);
  if (!any || r->nomem) {
    ipsf_buf_free(&b);
    return NULL;
  }
  return take(r, &b);
}

static char *judge_category(Run *r, const char *cell) {
  const IpsfPack *p = r->p;
  uint32_t a1 = ipsf_pack_axis(p, 1), a2 = ipsf_pack_axis(p, 2);
  IpsfBuf cat;
  ipsf_buf_init(&cat);
  ipsf_buf_printf(&cat, "%s/%s", a1 == IPSF_NONE ? "-" : ipsf_eval_level_name(r->ev, a1),
                  a2 == IPSF_NONE ? "-" : ipsf_eval_level_name(r->ev, a2));
  char *copy, **w;
  size_t n = split_words(r, cell, true, &copy, &w);
  IpsfBuf want;
  ipsf_buf_init(&want);
  for (size_t k = 0; k < n && k < 3; k++) ipsf_buf_puts(&want, w[k]);
  ipsf_buf_puts(&want, "");
  char *got = NULL;
  if (r->nomem || cat.failed || want.failed) r->nomem = true;
  else if (strcmp(want.data ? want.data : "", cat.data) != 0) got = textf(r, "got %s", cat.data);
  free(copy);
  free(w);
  ipsf_buf_free(&cat);
  ipsf_buf_free(&want);
  return got;
}

static void run_case(Run *r, const IpsfTest *t) {
  const IpsfPack *p = r->p;
  const char *expect_error = NULL, *error_text = NULL;
  for (uint32_t i = 0; i < t->expect_count; i++)
    if (t->expects[i].kind == IPSF_EXPECT_ERROR) {
      expect_error = p->strings[t->expects[i].value];
      error_text = p->strings[t->expects[i].text];
    }
  /* a profile column naming a usage profile of the pack applies it */
  uint32_t prof = test_profile(p, t);
  if (t->profile != IPSF_NONE && p->profile_count && prof == IPSF_NONE) {
    char names[512];
    ipsf_profile_names(p, names, sizeof names);
    add_failure(r, NULL, t->loc,
                textf(r, "profile '%s' is not declared by the pack (it declares %s)",
                      p->strings[t->profile], names));
    return;
  }
  IpsfError err = {0};
  bool ok = true;
  if (prof != IPSF_NONE) ipsf_eval_apply_profile(r->ev, prof);
  for (uint32_t i = 0; ok && i < t->given_count; i++) {
    const IpsfTestGiven *g = &t->givens[i];
    ok = set_given(r, g, &err);
    if (r->nomem) return;
    if (!ok) {
      /* a cell the runtime refuses is an error as a sheet's would be */
      char *msg = textf(r, "column '%s': %s", p->strings[g->title], err.message);
      if (!msg) return;
      snprintf(err.message, sizeof err.message, "%s", msg);
      if (!expect_error) {
        add_failure(r, NULL, t->loc, msg);
        return;
      }
      free(msg);
    }
  }
  if (ok && prof != IPSF_NONE) ok = ipsf_eval_check_profile(r->ev, prof, &err);
  if (ok) ok = ipsf_eval_run(r->ev, &err);
  r->out->evaluated = ok;
  if (expect_error) {
    if (ok) add_failure(r, error_text, t->loc, no_error_text(r));
    else if (!strstr(err.message, expect_error))
      add_failure(r, error_text, t->loc, textf(r, "got error: %s", err.message));
    return;
  }
  if (!ok) {
    add_failure(r, NULL, t->loc, textf(r, "evaluation failed: %s", err.message));
    return;
  }
  for (uint32_t i = 0; i < t->expect_count && !r->nomem; i++) {
    const IpsfTestExpect *x = &t->expects[i];
    const char *cell = str(p, x->value);
    char *got = NULL;
    if (x->kind == IPSF_EXPECT_CATEGORY) {
      got = judge_category(r, cell);
    } else if (x->kind == IPSF_EXPECT_LEVEL) {
      const char *level = ipsf_eval_level_name(r->ev, x->index);
      if (strcmp(level, cell) != 0) got = textf(r, "got %s", level);
    } else if (x->kind == IPSF_EXPECT_REQUIREMENTS) {
      got = judge_requirements(r, cell);
    }
    if (got) add_failure(r, p->strings[x->text], x->loc, got);
  }
}

/* ---- the public API ----------------------------------------------------------------------- */

uint32_t ipsf_pack_test_count(const IpsfPack *pack) {
  return pack && pack->tests ? pack->tests->count : 0;
}

const char *ipsf_pack_test_name(const IpsfPack *pack, uint32_t test) {
  if (test >= ipsf_pack_test_count(pack)) return NULL;
  return pack->strings[pack->tests->items[test].name];
}

bool ipsf_pack_test_is_case(const IpsfPack *pack, uint32_t test) {
  if (test >= ipsf_pack_test_count(pack)) return false;
  return (pack->tests->items[test].flags & IPSF_TEST_CASE) != 0;
}

void ipsf_test_result_free(IpsfTestResult *result) {
  if (!result) return;
  for (size_t i = 0; i < result->failure_count; i++) free(result->failures[i].got);
  free(result->failures);
  result->failures = NULL;
  result->failure_count = 0;
}

bool ipsf_pack_run_test(const IpsfPack *pack, IpsfEval *ev, uint32_t test,
                        IpsfTestResult *out, IpsfError *err) {
  if (!out) return ipsf_fail(err, IPSF_ERR_INTERNAL, "no result to fill");
  memset(out, 0, sizeof *out);
  if (!pack || !ev || ev->pack != pack)
    return ipsf_fail(err, IPSF_ERR_INTERNAL, "the evaluation context is not one of this pack");
  if (test >= ipsf_pack_test_count(pack))
    return ipsf_fail(err, IPSF_ERR_INTERNAL, "test %u out of range (the pack has %u tests)", test,
                     ipsf_pack_test_count(pack));
  const IpsfTest *t = &pack->tests->items[test];
  *out = (IpsfTestResult){pack->strings[t->name], str(pack, t->profile),
                          pack->strings[t->loc.file], t->loc.line, t->loc.col,
                          (t->flags & IPSF_TEST_CASE) != 0, false, false, 0, NULL};
  Run r = {pack, ev, out, false};
  /* a test the compiler could only record as failing (FAIL) is not run */
  bool broken = false;
  for (uint32_t i = 0; i < t->expect_count; i++)
    if (t->expects[i].kind == IPSF_EXPECT_FAIL) {
      broken = true;
      add_failure(&r, NULL, t->loc, textf(&r, "%s", pack->strings[t->expects[i].value]));
    }
  if (!broken) {
    ipsf_eval_begin(ev);
    ev->test_number = (int64_t)test + 1;
    if (t->flags & IPSF_TEST_CASE) run_case(&r, t);
    else run_block(&r, t);
    ev->test_number = 0;
  }
  if (r.nomem) {
    ipsf_test_result_free(out);
    return ipsf_fail(err, IPSF_ERR_NOMEM, "out of memory running test %u", test);
  }
  out->passed = out->failure_count == 0;
  return true;
}
