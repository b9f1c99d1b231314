/*
 * test_doc.c -- the per-cell analysis of `ipsfc doc` (analyze_matrix,
 * compiler/doc_cells.c) against the VM, exhaustively.
 *
 * Random packs (fixed seeds) whose facts are enums, bools and ints compared
 * with constants 0..10 (so -1..11 stand for every int), so every input can
 * be enumerated: each input is evaluated by the runtime, and per
 * cell of the category matrix the truth is collected (is the cell reached,
 * does each requirement apply in none / all / some of its inputs, which
 * (method, period) is chosen).  The analysis must say exactly that: with
 * such domains its cells are exact, so there is no "not analysed" to
 * hide behind.  Every requirement has an unconditional confirm line and
 * every rules block an otherwise, so no input is an evaluation error.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyze.h"
#include "compile.h"
#include "pack.h"
#include "sema.h"

/* ---- a random pack ---------------------------------------------------------------- */

typedef struct {
  unsigned long s;
} Rng;

static unsigned rnd(Rng *r, unsigned n) {
  r->s = r->s * 6364136223846793005UL + 1442695040888963407UL;
  return (unsigned)((r->s >> 33) % n);
}

enum { NFACTS = 4 };
typedef struct {
  int nvals[NFACTS]; /* 0: bool; -1: int, compared with constants 0..10 */
} Shape;

/* An int fact's values that cover every cell of the analysis: the pack
 * compares it only with constants in 0..10, so -1 and 11 stand for all
 * below and above. */
enum { INT_LO = -1, INT_VALUES = 13 };

static void atom(Rng *r, const Shape *sh, bool axes, char *out, size_t cap) {
  int f = (int)rnd(r, NFACTS + (axes ? 2 : 0));
  if (f == NFACTS) {
    snprintf(out, cap, "recovery %s %s", rnd(r, 2) ? "==" : ">=", rnd(r, 2) ? "serious" : "fatal");
  } else if (f == NFACTS + 1) {
    snprintf(out, cap, "economic >= %s", rnd(r, 2) ? "significant" : "catastrophic");
  } else if (sh->nvals[f] == 0) {
    snprintf(out, cap, "%sb%d", rnd(r, 3) ? "" : "not ", f);
  } else if (sh->nvals[f] < 0) {
    static const char *const ops[] = {"<", "<=", ">", ">=", "==", "!="};
    snprintf(out, cap, "i%d %s %u", f, ops[rnd(r, 6)], rnd(r, 11));
  } else {
    static const char *const ops[] = {"==", ">=", "<=", "!="};
    snprintf(out, cap, "e%d %s v%d_%u", f, ops[rnd(r, 4)], f, rnd(r, (unsigned)sh->nvals[f]));
  }
}

static void cond(Rng *r, const Shape *sh, bool axes, char *out, size_t cap) {
  char a[64], b[64];
  atom(r, sh, axes, a, sizeof a);
  switch (rnd(r, 3)) {
  case 0: snprintf(out, cap, "%s", a); break;
  case 1: atom(r, sh, axes, b, sizeof b); snprintf(out, cap, "%s and %s", a, b); break;
  default: atom(r, sh, axes, b, sizeof b); snprintf(out, cap, "%s or %s", a, b); break;
  }
}

static char *random_pack(unsigned long seed, Shape *sh) {
  Rng r = {seed};
  size_t cap = 8192, n = 0;
  char *s = malloc(cap), c[160];
#define OUT(...) (n += (size_t)snprintf(s + n, cap - n, __VA_ARGS__))
  OUT("pack \"t.doc.r%lu\" version \"1.0.0\" { }\nimport \"ssf\";\nfacts {\n", seed);
  int ints = 0;
  for (int f = 0; f < NFACTS; f++) {
    unsigned kind = rnd(&r, 4);
    sh->nvals[f] = kind == 0 ? 0 : kind == 1 && ints < 2 ? -1 : 2 + (int)rnd(&r, 2);
    ints += sh->nvals[f] < 0;
    if (sh->nvals[f] == 0) {
      OUT("  b%d: bool = false;\n", f);
    } else if (sh->nvals[f] < 0) {
      OUT("  i%d: int = 0;\n", f);
    } else {
      OUT("  e%d: enum {", f);
      for (int v = 0; v < sh->nvals[f]; v++) OUT("%s v%d_%d", v ? "," : "", f, v);
      OUT(" } = v%d_0;\n", f);
    }
  }
  OUT("}\nrules recovery {\n");
  for (unsigned k = 0, m = 1 + rnd(&r, 3); k < m; k++) {
    cond(&r, sh, false, c, sizeof c);
    OUT("  %s when %s;\n", rnd(&r, 2) ? "fatal" : "serious", c);
  }
  OUT("  otherwise limited;\n}\nrules economic%s {\n", rnd(&r, 2) ? " policy first" : "");
  for (unsigned k = 0, m = 1 + rnd(&r, 3); k < m; k++) {
    cond(&r, sh, false, c, sizeof c);
    if (rnd(&r, 4) == 0) snprintf(c, sizeof c, "recovery == fatal");
    OUT("  %s when %s;\n", rnd(&r, 2) ? "catastrophic" : "significant", c);
  }
  OUT("  otherwise limited;\n}\n");
  static const char *const methods[] = {"self_declaration", "third_party_certification"};
  for (unsigned q = 0, m = 1 + rnd(&r, 3); q < m; q++) {
    OUT("requirement R-%u \"r\" {\n  viewpoint pre_operation;\n", q);
    if (rnd(&r, 4) == 0) {
      OUT("  applies always;\n");
    } else {
      cond(&r, sh, true, c, sizeof c);
      OUT("  applies when %s;\n", c);
    }
    OUT("  confirm self_declaration;\n");
    for (unsigned k = 0, l = rnd(&r, 3); k < l; k++) {
      cond(&r, sh, true, c, sizeof c);
      unsigned every = rnd(&r, 3);
      if (every) OUT("  confirm %s every %u months when %s;\n", methods[rnd(&r, 2)], every * 6, c);
      else OUT("  confirm %s when %s;\n", methods[rnd(&r, 2)], c);
    }
    OUT("}\n");
  }
#undef OUT
  cr_assert(n < cap);
  return s;
}

/* ---- the truth, by enumeration ------------------------------------------------------ */

enum { MAXREQ = 4, MAXCELLS = 9 };
typedef struct {
  bool reached;
  bool some_apply[MAXREQ], some_not[MAXREQ];
  char chosen[MAXREQ][8][64]; /* "method/every" */
  int nchosen[MAXREQ];
} Truth;

static void note_chosen(Truth *t, size_t r, const char *key) {
  for (int i = 0; i < t->nchosen[r]; i++)
    if (strcmp(t->chosen[r][i], key) == 0) return;
  cr_assert(t->nchosen[r] < 8);
  snprintf(t->chosen[r][t->nchosen[r]++], 64, "%s", key);
}

static void enumerate(const IpsfPack *p, const Shape *sh, Truth *truth) {
  IpsfEval *ev = ipsf_eval_new(p);
  int total = 1, radix[NFACTS];
  for (int f = 0; f < NFACTS; f++)
    total *= radix[f] = sh->nvals[f] > 0 ? sh->nvals[f] : sh->nvals[f] < 0 ? INT_VALUES : 2;
  for (int x = 0; x < total; x++) {
    ipsf_eval_begin(ev);
    IpsfError err;
    for (int f = 0, rest = x; f < NFACTS; f++, rest /= radix[f - 1]) {
      char name[32], value[48];
      int v = rest % radix[f];
      if (sh->nvals[f] == 0) {
        snprintf(name, sizeof name, "b%d", f);
        cr_assert(ipsf_eval_set_bool(ev, ipsf_fact_index(p, name), v == 1, &err), "%s", err.message);
      } else if (sh->nvals[f] < 0) {
        snprintf(name, sizeof name, "i%d", f);
        cr_assert(ipsf_eval_set_int(ev, ipsf_fact_index(p, name), INT_LO + v, &err), "%s", err.message);
      } else {
        snprintf(name, sizeof name, "e%d", f);
        snprintf(value, sizeof value, "v%d_%d", f, v);
        cr_assert(ipsf_eval_set_enum(ev, ipsf_fact_index(p, name), value, &err), "%s", err.message);
      }
    }
    cr_assert(ipsf_eval_run(ev, &err), "input %d: %s", x, err.message);
    Truth *t = &truth[ipsf_eval_level(ev, p->axis1) * 3 + ipsf_eval_level(ev, p->axis2)];
    t->reached = true;
    for (uint32_t r = 0; r < p->requirement_count; r++) {
      if (!ipsf_eval_applies(ev, r)) {
        t->some_not[r] = true;
        continue;
      }
      t->some_apply[r] = true;
      char key[64];
      snprintf(key, sizeof key, "%s/%u", ipsf_eval_method(ev, r), ipsf_eval_every_months(ev, r));
      note_chosen(t, r, key);
    }
  }
  ipsf_eval_free(ev);
}

/* ---- the comparison ------------------------------------------------------------------ */

/* What the seeds covered, so that the test cannot pass vacuously. */
typedef struct {
  size_t packs_with_ints, unreached, answers[3], several_lines;
} Coverage;

static void compare(unsigned long seed, Coverage *cov) {
  Shape sh;
  char *src = random_pack(seed, &sh);
  char path[] = "/tmp/ipsfc-doc-XXXXXX.ipsf";
  int fd = mkstemps(path, 5);
  cr_assert(fd >= 0);
  FILE *f = fdopen(fd, "w");
  fputs(src, f);
  fclose(f);
  Compilation *c = compilation_new(NULL);
  uint8_t *bytes = NULL;
  size_t len = 0;
  bool ok = compile_pack(c, path, &bytes, &len);
  unlink(path);
  Diags *d = compilation_diags(c);
  for (size_t i = 0; !ok && i < d->count; i++) fprintf(stderr, "%s\n", d->items[i].message);
  cr_assert(ok, "seed %lu: the pack must compile:\n%s", seed, src);
  IpsfError err;
  IpsfPack *p = ipsf_pack_load(bytes, len, &err);
  free(bytes);
  cr_assert(p, "%s", err.message);

  MatrixAnalysis m;
  cr_assert(analyze_matrix(c, NULL, &m));
  cr_assert_eq(m.levels[0], 3);
  cr_assert_eq(m.levels[1], 3);
  Truth truth[MAXCELLS];
  memset(truth, 0, sizeof truth);
  enumerate(p, &sh, truth);
  bool ints = false;
  for (int i = 0; i < NFACTS; i++) ints |= sh.nvals[i] < 0;
  cov->packs_with_ints += ints;

  for (size_t cell = 0; cell < MAXCELLS; cell++) {
    const Truth *t = &truth[cell];
    cov->unreached += !t->reached;
    cr_assert_eq(m.reachable[cell], t->reached ? MX_ALWAYS : MX_NEVER,
                 "seed %lu cell %zu: reachable %d, truth %d\n%s", seed, cell, m.reachable[cell],
                 t->reached, src);
    for (size_t r = 0; r < c->req_count; r++) {
      const MatrixReq *x = &m.reqs[cell * c->req_count + r];
      int want = !t->reached || !t->some_apply[r] ? MX_NEVER : t->some_not[r] ? MX_DEPENDS : MX_ALWAYS;
      cr_assert_eq(x->applies, want, "seed %lu cell %zu R-%zu: applies %d, truth %d\n%s", seed, cell,
                   r, x->applies, want, src);
      cov->answers[want]++;
      cr_assert(x->lines_exact, "seed %lu: lines not exact", seed);
      /* the lines the analysis finds, as (method, period), against those chosen */
      const ReqSym *q = &c->reqs[r];
      const Decl *vp = c->viewpoints[q->viewpoint].decl;
      int found = 0;
      for (size_t k = 0; k < q->confirm_count; k++) {
        if (!(x->lines >> k & 1u)) continue;
        char key[64];
        snprintf(key, sizeof key, "%s/%lld", vp->values[q->confirms[k].method].name,
                 (long long)q->confirms[k].every);
        bool chosen = false;
        for (int i = 0; i < t->nchosen[r]; i++) chosen |= strcmp(t->chosen[r][i], key) == 0;
        cr_assert(chosen, "seed %lu cell %zu R-%zu: line %zu (%s) is never chosen\n%s", seed, cell,
                  r, k, key, src);
        /* two lines with the same method and period count once */
        bool dup = false;
        for (size_t l = 0; l < k; l++)
          dup |= (x->lines >> l & 1u) && q->confirms[l].method == q->confirms[k].method &&
                 q->confirms[l].every == q->confirms[k].every;
        found += !dup;
      }
      cr_assert_eq(found, t->nchosen[r], "seed %lu cell %zu R-%zu: %d lines found, %d chosen\n%s",
                   seed, cell, r, found, t->nchosen[r], src);
      cov->several_lines += found > 1;
      if (found) {
        cr_assert(x->weakest != UINT32_MAX && x->strongest != UINT32_MAX);
        cr_assert(x->lines >> x->weakest & 1u);
        cr_assert(x->lines >> x->strongest & 1u);
      }
    }
  }
  ipsf_pack_free(p);
  compilation_free(c);
  free(src);
}

Test(doc, matrix_matches_exhaustive_evaluation) {
  Coverage cov = {0};
  for (unsigned long seed = 1; seed <= 150; seed++) compare(seed, &cov);
  /* every kind of answer was met, and checked, many times */
  cr_assert_gt(cov.packs_with_ints, 20);
  cr_assert_gt(cov.unreached, 20);
  cr_assert_gt(cov.answers[MX_NEVER], 50);
  cr_assert_gt(cov.answers[MX_ALWAYS], 50);
  cr_assert_gt(cov.answers[MX_DEPENDS], 50);
  cr_assert_gt(cov.several_lines, 20);
  fprintf(stderr, "doc: 150 packs (%zu with ints): %zu unreached cells; never %zu, always %zu, "
                  "depends %zu; %zu cells with several lines\n",
          cov.packs_with_ints, cov.unreached, cov.answers[MX_NEVER], cov.answers[MX_ALWAYS],
          cov.answers[MX_DEPENDS], cov.several_lines);
}

/* A pack without two axes has no matrix. */
Test(doc, no_axes_no_matrix) {
  char path[] = "/tmp/ipsfc-doc-XXXXXX.ipsf";
  int fd = mkstemps(path, 5);
  cr_assert(fd >= 0);
  FILE *f = fdopen(fd, "w");
  fputs("pack \"t.none\" version \"1.0.0\" { }\nfacts { a: bool = false; }\n"
        "scale s { low, high }\nrules s { high when a; otherwise low; }\n",
        f);
  fclose(f);
  Compilation *c = compilation_new(NULL);
  uint8_t *bytes = NULL;
  size_t len = 0;
  bool ok = compile_pack(c, path, &bytes, &len);
  unlink(path);
  free(bytes);
  if (ok) {
    MatrixAnalysis m;
    cr_assert_not(analyze_matrix(c, NULL, &m));
  }
  compilation_free(c);
}
