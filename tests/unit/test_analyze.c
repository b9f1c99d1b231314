/*
 * test_analyze.c -- the static analysis (compiler/analyze.c), checked
 * against the VM:
 *
 *   - one pack per finding kind, with the finding it must produce;
 *   - the property test: on random packs (fixed seeds), every counterexample
 *     sheet is evaluated by the runtime, which must agree (a gap is a
 *     no_rule_matched error, an overlap a unique_conflict, a decrease of
 *     level is a decrease); every universal claim (dead, shadowed, redundant
 *     rule) and every silence (no gap, no overlap, monotone) is checked by
 *     evaluating every combination of the facts' test values in the VM;
 *   - packs without findings stay without findings: the examples.
 */
#include <criterion/criterion.h>
#include <glob.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compile.h"
#include "eval.h"
#include "pack.h"

typedef struct {
  char path[64];
  Compilation *c; /* after check_source: the findings */
  IpsfPack *pack; /* compiled and loaded */
} Checked;

static Checked check_text(const char *src) {
  Checked k = {.path = "/tmp/ipsfc-analyze-XXXXXX.ipsf"};
  int fd = mkstemps(k.path, 5);
  cr_assert(fd >= 0);
  FILE *f = fdopen(fd, "w");
  fputs(src, f);
  fclose(f);
  k.c = compilation_new(NULL);
  bool ok = check_source(k.c, k.path);
  Diags *d = compilation_diags(k.c);
  if (!ok)
    for (size_t i = 0; i < d->count; i++) fprintf(stderr, "%s\n", d->items[i].message);
  cr_assert(ok, "the pack must check");
  Compilation *cc = compilation_new(NULL);
  uint8_t *bytes = NULL;
  size_t len = 0;
  cr_assert(compile_pack(cc, k.path, &bytes, &len));
  compilation_free(cc);
  IpsfError err;
  k.pack = ipsf_pack_load(bytes, len, &err);
  free(bytes);
  cr_assert(k.pack, "%s", err.message);
  return k;
}

static void checked_free(Checked *k) {
  unlink(k->path);
  compilation_free(k->c);
  ipsf_pack_free(k->pack);
}

static size_t count_code(Checked *k, const char *code) {
  Diags *d = compilation_diags(k->c);
  size_t n = 0;
  for (size_t i = 0; i < d->count; i++) n += d->items[i].code && strcmp(d->items[i].code, code) == 0;
  return n;
}

static const Diag *find_code(Checked *k, const char *code) {
  Diags *d = compilation_diags(k->c);
  for (size_t i = 0; i < d->count; i++)
    if (d->items[i].code && strcmp(d->items[i].code, code) == 0) return &d->items[i];
  return NULL;
}

/* ---- evaluating a sheet -------------------------------------------------------- */

static void set_fact(IpsfEval *ev, const IpsfPack *p, const char *name, json_t *v) {
  uint32_t i = ipsf_fact_index(p, name);
  cr_assert(i != UINT32_MAX, "unknown fact %s in a counterexample", name);
  IpsfError err;
  bool ok = false;
  switch (p->facts[i].type.kind) {
  case IPSF_K_BOOL: ok = ipsf_eval_set_bool(ev, i, json_is_true(v), &err); break;
  case IPSF_K_INT: ok = ipsf_eval_set_int(ev, i, json_integer_value(v), &err); break;
  case IPSF_K_NUMBER: ok = ipsf_eval_set_number(ev, i, json_number_value(v), &err); break;
  case IPSF_K_STRING: ok = ipsf_eval_set_string(ev, i, json_string_value(v), &err); break;
  case IPSF_K_ENUM: ok = ipsf_eval_set_enum(ev, i, json_string_value(v), &err); break;
  default: {
    ok = ipsf_eval_set_clear(ev, i, &err);
    size_t k;
    json_t *m;
    json_array_foreach(v, k, m) ok = ok && ipsf_eval_set_add(ev, i, json_string_value(m), &err);
  }
  }
  cr_assert(ok, "cannot set %s", name);
}

/* Run the sheet's facts, overridden by `profile` (may be NULL). */
static bool run_sheet(IpsfEval *ev, const IpsfPack *p, json_t *sheet, json_t *profile,
                      IpsfError *err) {
  ipsf_eval_begin(ev);
  const char *key;
  json_t *v;
  json_t *facts = json_object_get(sheet, "facts");
  json_object_foreach(facts, key, v) {
    if (!profile || !json_object_get(profile, key)) set_fact(ev, p, key, v);
  }
  if (profile) json_object_foreach(profile, key, v) set_fact(ev, p, key, v);
  return ipsf_eval_run(ev, err);
}

static uint32_t scale_index(const IpsfPack *p, const char *name) {
  for (uint32_t s = 0; s < p->scale_count; s++)
    if (strcmp(p->strings[p->scales[s].name], name) == 0) return s;
  return UINT32_MAX;
}

/* The VM must agree with every counterexample of k.  Returns how many. */
static size_t verify_counterexamples(Checked *k) {
  Diags *d = compilation_diags(k->c);
  IpsfEval *ev = ipsf_eval_new(k->pack);
  size_t verified = 0;
  for (size_t i = 0; i < d->count; i++) {
    const Diag *g = &d->items[i];
    if (!g->sheet_json) continue;
    json_error_t jerr;
    json_t *sheet = json_loads(g->sheet_json, 0, &jerr);
    cr_assert(sheet, "bad sheet JSON: %s", g->sheet_json);
    IpsfError err = {0};
    if (strcmp(g->code, "IPSF-W102") == 0) {
      cr_assert(!run_sheet(ev, k->pack, sheet, NULL, &err), "gap sheet evaluates: %s", g->sheet_json);
      cr_assert_eq(err.kind, IPSF_ERR_NO_RULE_MATCHED, "%s", err.message);
      cr_assert(strstr(err.message, "no rule of scale"), "%s", err.message);
    } else if (strcmp(g->code, "IPSF-W110") == 0) {
      cr_assert(!run_sheet(ev, k->pack, sheet, NULL, &err));
      cr_assert_eq(err.kind, IPSF_ERR_NO_RULE_MATCHED, "%s", err.message);
      cr_assert(strstr(err.message, "confirm lines"), "%s", err.message);
    } else if (strcmp(g->code, "IPSF-W103") == 0) {
      cr_assert(!run_sheet(ev, k->pack, sheet, NULL, &err), "overlap sheet evaluates");
      cr_assert_eq(err.kind, IPSF_ERR_UNIQUE_CONFLICT, "%s", err.message);
    } else if (strcmp(g->code, "IPSF-W107") == 0) {
      char scale[128];
      cr_assert(sscanf(g->message, "nonmonotone: scale %127s", scale) == 1);
      uint32_t s = scale_index(k->pack, scale);
      cr_assert(s != UINT32_MAX);
      json_t *profiles = json_object_get(sheet, "profiles");
      cr_assert(run_sheet(ev, k->pack, sheet, json_object_get(profiles, "before"), &err), "%s",
                err.message);
      uint32_t before = ipsf_eval_level(ev, s);
      cr_assert(run_sheet(ev, k->pack, sheet, json_object_get(profiles, "after"), &err), "%s",
                err.message);
      uint32_t after = ipsf_eval_level(ev, s);
      cr_assert_gt(before, after, "%s: %u then %u", g->sheet_json, before, after);
    } else {
      /* illustrations (shadowed, redundant): the sheet evaluates */
      cr_assert(run_sheet(ev, k->pack, sheet, NULL, &err), "%s: %s", g->sheet_json, err.message);
    }
    json_decref(sheet);
    verified++;
  }
  ipsf_eval_free(ev);
  return verified;
}

/* ---- one pack per finding kind ------------------------------------------------- */

static const char *const head = "pack \"t.analyze\" version \"1.0.0\" { }\nimport \"ssf\";\n";

static Checked check_body(const char *body) {
  static char buf[8192];
  snprintf(buf, sizeof buf, "%s%s", head, body);
  return check_text(buf);
}

Test(analyze, gap_with_counterexample) {
  Checked k = check_body("facts { harm: enum { none, minor, major } = none; loss: int = 0; }\n"
                         "rules recovery { fatal when harm == major; serious when harm == minor; }\n"
                         "rules economic { significant when loss >= 100; otherwise limited; }\n");
  cr_assert_eq(count_code(&k, "IPSF-W102"), 1);
  cr_assert_str_eq(find_code(&k, "IPSF-W102")->sheet_json, "{\"facts\": {}}");
  cr_assert_eq(verify_counterexamples(&k), 1);
  checked_free(&k);
}

Test(analyze, thresholds_of_ints_and_numbers_are_exact) {
  Checked k = check_body(
      "facts { loss: int = 0; ratio: number = 0.0; }\n"
      "rules recovery { fatal when 2 * loss + 1 > 9; serious when loss <= 4 and ratio >= 0.5;\n"
      "                 limited when ratio < 0.5; }\n"
      "rules economic { otherwise limited; }\n");
  /* loss <= 4 and ratio >= 0.5 is covered; loss > 4 by the first rule */
  cr_assert_eq(count_code(&k, "IPSF-W102"), 0);
  cr_assert_eq(count_code(&k, "IPSF-W100"), 0);
  checked_free(&k);
  k = check_body("facts { loss: int = 0; }\n"
                 "rules recovery { fatal when 2 * loss + 1 > 9; limited when loss < 4; }\n"
                 "rules economic { otherwise limited; }\n");
  /* loss == 4 falls through: 2*4+1 = 9 */
  cr_assert_eq(count_code(&k, "IPSF-W102"), 1);
  cr_assert_str_eq(find_code(&k, "IPSF-W102")->sheet_json, "{\"facts\": {\"loss\": 4}}");
  cr_assert_eq(verify_counterexamples(&k), 1);
  checked_free(&k);
}

Test(analyze, nonlinear_is_not_analysed_never_clean) {
  Checked k = check_body("facts { a: int = 0; b: int = 0; }\n"
                         "rules recovery { fatal when a * b > 10; limited when a * b <= 10; }\n"
                         "rules economic { otherwise limited; }\n");
  cr_assert_eq(count_code(&k, "IPSF-W102"), 0);
  cr_assert_eq(count_code(&k, "IPSF-W100"), 1);
  checked_free(&k);
}

Test(analyze, overlap_under_unique) {
  Checked k = check_body("facts { remote: bool = false; hospital: bool = false; }\n"
                         "rules recovery policy unique { fatal when remote and hospital;\n"
                         "  serious when remote; otherwise limited; }\n"
                         "rules economic { otherwise limited; }\n");
  cr_assert_eq(count_code(&k, "IPSF-W103"), 1);
  cr_assert_eq(verify_counterexamples(&k), 1);
  checked_free(&k);
}

Test(analyze, dead_shadowed_redundant) {
  Checked k = check_body(
      "facts { harm: enum { none, minor, major } = none; x: bool = false; }\n"
      "rules recovery { fatal when harm == major; fatal when harm == major and x;\n"
      "  serious when harm > major; otherwise limited; }\n"
      "rules economic policy first { significant when harm >= minor; catastrophic when harm == major;\n"
      "  otherwise limited; }\n");
  cr_assert_eq(count_code(&k, "IPSF-W104"), 1); /* harm > major */
  cr_assert_eq(count_code(&k, "IPSF-W106"), 1); /* the second fatal */
  cr_assert_eq(count_code(&k, "IPSF-W105"), 1); /* catastrophic */
  verify_counterexamples(&k);
  checked_free(&k);
}

Test(analyze, monotonicity_and_its_opt_outs) {
  const char *full = "facts { harm: enum { none, minor, major } = none; remote: bool = false; }\n"
                     "rules recovery { fatal when harm == major; serious when harm == minor;\n"
                     "  serious when harm == none and remote; otherwise limited; }\n"
                     "rules economic { otherwise limited; }\n";
  Checked k = check_body(full);
  /* harm none -> minor with remote: serious -> serious; fine.  Monotone. */
  cr_assert_eq(count_code(&k, "IPSF-W107"), 0);
  checked_free(&k);

  k = check_body("facts { harm: enum { none, minor, major } = none; }\n"
                 "rules recovery { serious when harm == minor; otherwise limited; }\n"
                 "rules economic { otherwise limited; }\n");
  cr_assert_eq(count_code(&k, "IPSF-W107"), 1);
  cr_assert_eq(verify_counterexamples(&k), 1);
  checked_free(&k);

  k = check_body("facts { harm: enum { none, minor, major } unordered = none; }\n"
                 "rules recovery { serious when harm == minor; otherwise limited; }\n"
                 "rules economic { otherwise limited; }\n");
  cr_assert_eq(count_code(&k, "IPSF-W107"), 0);
  checked_free(&k);

  k = check_body("facts { harm: enum { none, minor, major } = none; }\n"
                 "rules recovery policy worst allow nonmonotone {\n"
                 "  serious when harm == minor; otherwise limited; }\n"
                 "rules economic { otherwise limited; }\n");
  cr_assert_eq(count_code(&k, "IPSF-W107"), 0);
  checked_free(&k);
}

Test(analyze, requirements) {
  Checked k = check_body(
      "facts { harm: enum { none, minor, major } = none; }\n"
      "rules recovery { fatal when harm == major; serious when harm == minor; otherwise limited; }\n"
      "rules economic { otherwise limited; }\n"
      "requirement A \"never\" { viewpoint pre_operation; applies when recovery == fatal and harm == none;\n"
      "  confirm self_declaration; }\n"
      "requirement B \"gap\" { viewpoint pre_operation; applies always;\n"
      "  confirm self_declaration when recovery >= serious; }\n"
      "requirement C \"weak\" { viewpoint pre_operation; applies always;\n"
      "  confirm third_party_certification; confirm self_declaration when harm == minor; }\n");
  cr_assert_eq(count_code(&k, "IPSF-W108"), 1);
  cr_assert_eq(count_code(&k, "IPSF-W110"), 1);
  cr_assert_eq(count_code(&k, "IPSF-W109"), 1);
  cr_assert_eq(verify_counterexamples(&k), 1);
  checked_free(&k);
}

Test(analyze, unused_declarations) {
  Checked k = check_body("facts { a: bool = false; b: int = 0; }\n"
                         "let l = 1;\nfn f(x: int) -> int = x;\nscale s { lo, hi }\n"
                         "rules s { otherwise lo; }\n"
                         "rules recovery { fatal when a; otherwise limited; }\n"
                         "rules economic { otherwise limited; }\n");
  cr_assert_eq(count_code(&k, "IPSF-W101"), 1);
  cr_assert_eq(count_code(&k, "IPSF-W111"), 1);
  cr_assert_eq(count_code(&k, "IPSF-W112"), 1);
  cr_assert_eq(count_code(&k, "IPSF-W113"), 0); /* a scale of the pack is an output */
  checked_free(&k);
}

/* ---- the property test ------------------------------------------------------------ */

/* Random packs over small domains, so that every combination of the facts'
 * test values can be evaluated. */
static uint64_t rng_state;
static uint32_t rnd(uint32_t n) {
  rng_state = rng_state * 6364136223846793005u + 1442695040888963407u;
  return (uint32_t)((rng_state >> 33) % n);
}

enum { NE = 3, NB = 2 };
static const int64_t int_values[] = {0, 9, 10, 11, 19, 20, 21};
#define NI (sizeof int_values / sizeof int_values[0])

static void atom(char *out, size_t size) {
  static const char *const cmp[] = {"==", "!=", ">=", "<", ">", "<="};
  switch (rnd(5)) {
  case 0:
  case 1: {
    int e = (int)rnd(NE);
    snprintf(out, size, "e%d %s %c%d", e, cmp[rnd(6)], "abc"[rnd(3)], e);
    return;
  }
  case 2: snprintf(out, size, "%sb%u", rnd(3) ? "" : "not ", rnd(NB)); return;
  case 3: snprintf(out, size, "n %s %d", cmp[2 + rnd(4)], rnd(2) ? 10 : 20); return;
  default: snprintf(out, size, "%s in s", rnd(2) ? "p" : "q"); return;
  }
}

static void condition(char *out, size_t size) {
  char a[64], b[64];
  atom(a, sizeof a);
  switch (rnd(4)) {
  case 0:
  case 1: snprintf(out, size, "%s", a); return;
  case 2: atom(b, sizeof b); snprintf(out, size, "%s and %s", a, b); return;
  default: atom(b, sizeof b); snprintf(out, size, "%s or %s", a, b); return;
  }
}

static void block(char *out, size_t size, const char *scale, const char *policy,
                  const char *const *levels, bool otherwise) {
  size_t n = strlen(out);
  n += (size_t)snprintf(out + n, size - n, "rules %s%s {\n", scale, policy);
  uint32_t rules = 2 + rnd(6);
  for (uint32_t i = 0; i < rules; i++) {
    char c[160];
    condition(c, sizeof c);
    n += (size_t)snprintf(out + n, size - n, "  %s when %s;\n", levels[rnd(3)], c);
  }
  if (otherwise) n += (size_t)snprintf(out + n, size - n, "  otherwise %s;\n", levels[rnd(3)]);
  snprintf(out + n, size - n, "}\n");
}

static void random_pack(char *out, size_t size, uint64_t seed) {
  rng_state = seed;
  static const char *const rec[] = {"limited", "serious", "fatal"};
  static const char *const eco[] = {"limited", "significant", "catastrophic"};
  static const char *const tier[] = {"lo", "mid", "hi"};
  snprintf(out, size,
           "pack \"t.prop\" version \"1.0.0\" { }\nimport \"ssf\";\n"
           "facts { e0: enum { a0, b0, c0 } = a0; e1: enum { a1, b1, c1 } = a1;\n"
           "  e2: enum { a2, b2, c2 } = a2; b0: bool = false; b1: bool = false;\n"
           "  n: int = 0; s: set of enum { p, q } = {}; }\n"
           "scale tier { lo, mid, hi }\n");
  block(out, size, "recovery", rnd(2) ? "" : " policy first", rec, rnd(3) != 0);
  block(out, size, "economic", rnd(2) ? "" : " policy first", eco, rnd(3) != 0);
  block(out, size, "tier", " policy unique", tier, rnd(2));
  size_t n = strlen(out);
  snprintf(out + n, size - n,
           "requirement R \"r\" { viewpoint pre_operation; applies when tier >= mid;\n"
           "  confirm self_declaration when recovery >= serious;\n"
           "  confirm third_party_certification when economic == catastrophic; }\n");
}

typedef struct {
  bool ok;
  IpsfErrorKind kind;
  char message[512];
  uint32_t level[3];   /* recovery, economic, tier */
  uint32_t winner[3];  /* the rule that set each level */
  uint64_t hits;       /* rule_hit, first 64 rules */
} Outcome;

static const Diag *finding_at_line(Checked *k, const char *code, uint32_t line) {
  Diags *d = compilation_diags(k->c);
  for (size_t i = 0; i < d->count; i++) {
    const Diag *g = &d->items[i];
    if (!g->code || strcmp(g->code, code) != 0) continue;
    uint32_t l, c;
    sources_line_col(d->sources, g->span.file, g->span.start, &l, &c);
    if (l == line) return g;
  }
  return NULL;
}

static bool block_undecided(Checked *k, uint32_t scale) {
  /* a W100 on the rules block of this scale */
  Diags *d = compilation_diags(k->c);
  const char *name = k->pack->strings[k->pack->scales[scale].name];
  char subject[64];
  snprintf(subject, sizeof subject, "of scale %s ", name);
  for (size_t i = 0; i < d->count; i++)
    if (d->items[i].code && strcmp(d->items[i].code, "IPSF-W100") == 0 &&
        strstr(d->items[i].message, subject))
      return true;
  return false;
}

Test(analyze, property_vm_agrees_with_every_finding, .timeout = 120) {
  size_t verified = 0, universal = 0;
  for (uint64_t seed = 1; seed <= 40; seed++) {
    static char src[16384];
    random_pack(src, sizeof src, seed);
    Checked k = check_text(src);
    verified += verify_counterexamples(&k);
    const IpsfPack *p = k.pack;
    uint32_t fe[NE], fb[NB];
    char name[24];
    for (int i = 0; i < NE; i++) snprintf(name, sizeof name, "e%d", i), fe[i] = ipsf_fact_index(p, name);
    for (int i = 0; i < NB; i++) snprintf(name, sizeof name, "b%d", i), fb[i] = ipsf_fact_index(p, name);
    uint32_t fn = ipsf_fact_index(p, "n"), fs = ipsf_fact_index(p, "s");
    uint32_t sc[3] = {scale_index(p, "recovery"), scale_index(p, "economic"), scale_index(p, "tier")};
    /* every combination: e0 e1 e2 (3 each), b0 b1, n (7), s (4) */
    const size_t total = 27 * 4 * NI * 4;
    Outcome *out = calloc(total, sizeof *out);
    IpsfEval *ev = ipsf_eval_new(p);
    for (size_t idx = 0; idx < total; idx++) {
      size_t r = idx;
      uint32_t e[NE], b[NB], ni, sm;
      for (int i = 0; i < NE; i++) e[i] = r % 3, r /= 3;
      for (int i = 0; i < NB; i++) b[i] = r % 2, r /= 2;
      ni = r % NI, r /= NI;
      sm = (uint32_t)r;
      IpsfError err = {0};
      ipsf_eval_begin(ev);
      static const char *const vals[NE][3] = {{"a0", "b0", "c0"}, {"a1", "b1", "c1"}, {"a2", "b2", "c2"}};
      for (int i = 0; i < NE; i++) cr_assert(ipsf_eval_set_enum(ev, fe[i], vals[i][e[i]], &err));
      for (int i = 0; i < NB; i++) cr_assert(ipsf_eval_set_bool(ev, fb[i], b[i], &err));
      cr_assert(ipsf_eval_set_int(ev, fn, int_values[ni], &err));
      cr_assert(ipsf_eval_set_clear(ev, fs, &err));
      if (sm & 1) cr_assert(ipsf_eval_set_add(ev, fs, "p", &err));
      if (sm & 2) cr_assert(ipsf_eval_set_add(ev, fs, "q", &err));
      Outcome *o = &out[idx];
      o->ok = ipsf_eval_run(ev, &err);
      o->kind = err.kind;
      snprintf(o->message, sizeof o->message, "%s", err.message);
      o->hits = ev->rule_hit[0];
      for (int s = 0; s < 3; s++) {
        o->level[s] = ev->scale_level[sc[s]];
        o->winner[s] = ev->scale_rule[sc[s]];
      }
    }
    ipsf_eval_free(ev);

    for (int s = 0; s < 3; s++) {
      const IpsfScale *S = &p->scales[sc[s]];
      const char *sname = p->strings[S->name];
      bool undecided = block_undecided(&k, sc[s]);
      char gapmsg[64], conflict[64];
      snprintf(gapmsg, sizeof gapmsg, "no rule of scale '%s'", sname);
      snprintf(conflict, sizeof conflict, "scale '%s' has policy unique", sname);
      bool vm_gap = false, vm_overlap = false;
      for (size_t idx = 0; idx < total; idx++) {
        vm_gap |= !out[idx].ok && strstr(out[idx].message, gapmsg);
        vm_overlap |= !out[idx].ok && strstr(out[idx].message, conflict);
      }
      /* silence means there is none (unless the block was not analysed) */
      bool said_gap = false, said_overlap = false;
      Diags *d = compilation_diags(k.c);
      for (size_t i = 0; i < d->count; i++) {
        const Diag *g = &d->items[i];
        if (!g->code) continue;
        char want[80];
        snprintf(want, sizeof want, "scale %s matches", sname);
        said_gap |= strcmp(g->code, "IPSF-W102") == 0 && strstr(g->message, want);
      }
      for (uint32_t r = 0; r < S->rule_count; r++)
        said_overlap |= finding_at_line(&k, "IPSF-W103", p->rules[S->first_rule + r].loc.line) != NULL;
      if (!undecided) {
        cr_assert(!vm_gap || said_gap, "seed %llu: the VM finds a gap in %s that was not reported",
                  (unsigned long long)seed, sname);
        if (S->policy == IPSF_POLICY_UNIQUE)
          cr_assert(!vm_overlap || said_overlap, "seed %llu: unreported overlap in %s",
                    (unsigned long long)seed, sname);
      }
      /* universal claims */
      for (uint32_t r = 0; r < S->rule_count; r++) {
        uint32_t rule = S->first_rule + r, line = p->rules[rule].loc.line;
        cr_assert_lt(rule, 64u);
        if (finding_at_line(&k, "IPSF-W104", line)) {
          universal++;
          for (size_t idx = 0; idx < total; idx++)
            cr_assert(!((out[idx].hits >> rule) & 1), "seed %llu: dead rule at line %u hits",
                      (unsigned long long)seed, line);
        }
        if (finding_at_line(&k, "IPSF-W105", line)) {
          universal++;
          for (size_t idx = 0; idx < total; idx++)
            cr_assert(!out[idx].ok || out[idx].winner[s] != rule,
                      "seed %llu: shadowed rule at line %u wins", (unsigned long long)seed, line);
        }
        if (finding_at_line(&k, "IPSF-W106", line)) {
          universal++;
          for (size_t idx = 0; idx < total; idx++) {
            const Outcome *o = &out[idx];
            if (!o->ok || !((o->hits >> rule) & 1)) continue;
            /* the level without this rule */
            int64_t without = -1;
            for (uint32_t j = 0; j < S->rule_count; j++) {
              uint32_t other = S->first_rule + j;
              if (other != rule && ((o->hits >> other) & 1) && (int64_t)p->rules[other].level > without)
                without = p->rules[other].level;
            }
            if (without < 0) without = S->otherwise == IPSF_NONE ? -2 : (int64_t)S->otherwise;
            cr_assert_eq(without, (int64_t)o->level[s],
                         "seed %llu: redundant rule at line %u changes the level",
                         (unsigned long long)seed, line);
          }
        }
      }
      /* monotonicity: silence on a worst block means monotone in e0..e2 and n */
      if (S->policy == IPSF_POLICY_WORST && !undecided) {
        bool said = false;
        for (size_t i = 0; i < d->count; i++) {
          char want[80];
          snprintf(want, sizeof want, "nonmonotone: scale %s ", sname);
          said |= d->items[i].code && strstr(d->items[i].message, want);
        }
        if (!said) {
          size_t stride[NE + 1] = {1, 3, 9, 27};
          for (size_t idx = 0; idx < total; idx++) {
            size_t r = idx;
            for (int f = 0; f <= NE; f++) {
              size_t digit, up;
              if (f < NE) digit = (r / stride[f]) % 3, up = digit + 1 < 3 ? idx + stride[f] : 0;
              else digit = (idx / 108) % NI, up = digit + 1 < NI ? idx + 108 : 0;
              if (!up || !out[idx].ok || !out[up].ok) continue;
              cr_assert_leq(out[idx].level[s], out[up].level[s],
                            "seed %llu: %s goes down when fact %d gets worse (unreported)",
                            (unsigned long long)seed, sname, f);
            }
          }
        }
      }
    }
    free(out);
    checked_free(&k);
  }
  cr_assert_gt(verified, 20, "only %zu counterexamples were checked", verified);
  cr_assert_gt(universal, 5, "only %zu universal claims were checked", universal);
}

/* ---- no false positives on the examples ---------------------------------------------- */

Test(analyze, examples_have_no_findings) {
  glob_t g;
  cr_assert_eq(glob("examples/*/*.ipsf", 0, NULL, &g), 0, "run from the repository root");
  for (size_t i = 0; i < g.gl_pathc; i++) {
    Compilation *c = compilation_new(NULL);
    cr_assert(check_source(c, g.gl_pathv[i]));
    Diags *d = compilation_diags(c);
    /* Conditions through a native function are beyond the analysis: it
     * says so (IPSF-W100, docs/natives.md) rather than guess. */
    bool natives = strstr(g.gl_pathv[i], "examples/natives/") != NULL;
    size_t not_analysed = 0;
    for (size_t j = 0; j < d->count; j++) {
      if (natives && d->items[j].code && strcmp(d->items[j].code, "IPSF-W100") == 0) {
        not_analysed++;
        continue;
      }
      cr_assert(d->items[j].level == DIAG_NOTE, "%s: %s", g.gl_pathv[i], d->items[j].message);
    }
    cr_assert_eq(d->warnings, not_analysed);
    compilation_free(c);
  }
  globfree(&g);
}
