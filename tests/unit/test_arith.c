/*
 * test_arith.c -- one arithmetic: a constant expression folded by the
 * compiler gives exactly what the VM computes from the same values read as
 * facts (runtime/arith.h is both).  For every operator and every pair of
 * edge values: the same value (bit for bit: -0.0 is not 0.0), or the same
 * evaluation error (kind and words, locations aside).  A constant whose
 * computation raises is not folded, so it fails at run time like the facts
 * do, never at compile time.
 *
 * One pack per operator and operand types holds a let per pair,
 *   let cK = if sel == K then LIT_A op LIT_B else ZERO;
 * whose constant branch codegen folds (or leaves to run time), and
 *   let f = a op b;
 * over the facts.  Run K sets sel = K (a and b harmless) and reads cK; the
 * facts run sets sel = 0, a and b to the pair, and reads f.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compile.h"
#include "eval.h"
#include "pack.h"

static const int64_t ints[] = {INT64_MIN, INT64_MIN + 1, -7, -2, -1, 0, 1, 2, 7, INT64_MAX - 1,
                               INT64_MAX};
static const double nums[] = {0.0, -0.0, 1.0, -1.0, 0.5, -2.5, 7.0, 1e308, -1e308,
                              1.7976931348623157e308, 4.9406564584124654e-324, 9.2233720368547758e18};
#define NINTS (sizeof ints / sizeof *ints)
#define NNUMS (sizeof nums / sizeof *nums)

typedef struct {
  bool is_int;
  int64_t i;
  double n;
} Val;

static Val vi(int64_t i) { return (Val){true, i, 0}; }
static Val vn(double n) { return (Val){false, 0, n}; }

/* A literal (or the constant expression) the language reads as v. */
static void lit(char *buf, size_t cap, Val v) {
  if (v.is_int && v.i == INT64_MIN) snprintf(buf, cap, "(-9223372036854775807 - 1)");
  else if (v.is_int) snprintf(buf, cap, "(%lld)", (long long)v.i);
  else if (signbit(v.n)) snprintf(buf, cap, "(-%.17e)", -v.n);
  else snprintf(buf, cap, "(%.17e)", v.n);
}

static const char *const binops[] = {"+", "-", "*", "/", "%"};

static IpsfPack *compile_load(const char *src) {
  char path[] = "/tmp/ipsfc-arith-XXXXXX.ipsf";
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
  cr_assert(ok, "the pack does not compile: %s", d->count ? d->items[0].message : "?");
  compilation_free(c);
  IpsfError err;
  IpsfPack *p = ipsf_pack_load(bytes, len, &err);
  free(bytes);
  cr_assert_not_null(p, "%s", err.message);
  return p;
}

static uint32_t slot_of(const IpsfPack *p, const char *name) {
  for (uint32_t s = 0; s < p->slot_count; s++)
    if (p->slots[s].name != IPSF_NONE && strcmp(p->strings[p->slots[s].name], name) == 0) return s;
  cr_assert_fail("no slot %s", name);
  return 0;
}

/* What one evaluation gave: a value, or an error's kind and words. */
typedef struct {
  bool ok;
  IpsfValue v;
  IpsfErrorKind kind;
  char what[128]; /* the message up to " in '" */
} Outcome;

static void set_val(IpsfEval *ev, uint32_t fact, Val v) {
  IpsfError err;
  bool ok = v.is_int ? ipsf_eval_set_int(ev, fact, v.i, &err) : ipsf_eval_set_number(ev, fact, v.n, &err);
  cr_assert(ok, "%s", err.message);
}

static Outcome run(const IpsfPack *p, int64_t sel, Val a, Val b, const char *slot) {
  IpsfEval *ev = ipsf_eval_new(p);
  IpsfError err;
  ipsf_eval_begin(ev);
  cr_assert(ipsf_eval_set_int(ev, ipsf_fact_index(p, "sel"), sel, &err), "%s", err.message);
  set_val(ev, ipsf_fact_index(p, "a"), a);
  set_val(ev, ipsf_fact_index(p, "b"), b);
  Outcome o = {0};
  o.ok = ipsf_eval_run(ev, &err);
  if (o.ok) {
    o.v = ev->slots[slot_of(p, slot)];
  } else {
    o.kind = err.kind;
    const char *in = strstr(err.message, " in '");
    size_t n = in ? (size_t)(in - err.message) : strlen(err.message);
    snprintf(o.what, sizeof o.what, "%.*s", (int)n, err.message);
  }
  ipsf_eval_free(ev);
  return o;
}

static void describe(char *buf, size_t cap, Outcome o, bool is_int) {
  if (!o.ok) snprintf(buf, cap, "error (%d) %s", (int)o.kind, o.what);
  else if (is_int) snprintf(buf, cap, "%lld", (long long)o.v.i);
  else snprintf(buf, cap, "%.17g", o.v.n);
}

/* op: a binary operator's index, or -1 for unary minus, -2 for abs (b unused). */
static void check_op(int op, const Val *as, size_t na, const Val *bs, size_t nb) {
  bool unary = op < 0;
  const char *ta = as[0].is_int ? "int" : "number", *tb = bs[0].is_int ? "int" : "number";
  bool res_int = as[0].is_int && (unary || bs[0].is_int);
  size_t cap = 8192 + na * nb * 200;
  char *src = malloc(cap);
  size_t len = (size_t)snprintf(src, cap,
                                "pack \"t.arith\" version \"1.0.0\" { }\nimport \"ssf\";\n"
                                "rules recovery { otherwise limited; }\n"
                                "rules economic { otherwise limited; }\n"
                                "facts { sel: int = 0; a: %s = 0; b: %s = 0; }\n",
                                ta, tb);
  const char *zero = res_int ? "0" : "0.0";
  char la[64], lb[64];
  size_t k = 0;
  for (size_t i = 0; i < na; i++)
    for (size_t j = 0; j < (unary ? 1 : nb); j++) {
      k++;
      lit(la, sizeof la, as[i]);
      lit(lb, sizeof lb, bs[j]);
      if (op == -1)
        len += (size_t)snprintf(src + len, cap - len, "let c%zu = if sel == %zu then -%s else %s;\n", k, k, la, zero);
      else if (op == -2)
        len += (size_t)snprintf(src + len, cap - len, "let c%zu = if sel == %zu then abs(%s) else %s;\n", k, k, la, zero);
      else
        len += (size_t)snprintf(src + len, cap - len, "let c%zu = if sel == %zu then %s %s %s else %s;\n", k,
                                k, la, binops[op], lb, zero);
    }
  if (op == -1) snprintf(src + len, cap - len, "let f = if sel == 0 then -a else %s;\n", zero);
  else if (op == -2) snprintf(src + len, cap - len, "let f = if sel == 0 then abs(a) else %s;\n", zero);
  else snprintf(src + len, cap - len, "let f = if sel == 0 then a %s b else %s;\n", binops[op], zero);
  IpsfPack *p = compile_load(src);
  free(src);

  Val one_a = as[0].is_int ? vi(1) : vn(1.0), one_b = bs[0].is_int ? vi(1) : vn(1.0);
  k = 0;
  for (size_t i = 0; i < na; i++)
    for (size_t j = 0; j < (unary ? 1 : nb); j++) {
      char name[32], got_c[160], got_f[160];
      k++;
      snprintf(name, sizeof name, "c%zu", k);
      Outcome c = run(p, (int64_t)k, one_a, one_b, name);
      Outcome f = run(p, 0, as[i], bs[j], "f");
      describe(got_c, sizeof got_c, c, res_int);
      describe(got_f, sizeof got_f, f, res_int);
      lit(la, sizeof la, as[i]);
      lit(lb, sizeof lb, bs[j]);
      const char *opname = op == -1 ? "neg" : op == -2 ? "abs" : binops[op];
      bool same = c.ok == f.ok &&
                  (c.ok ? memcmp(&c.v, &f.v, sizeof c.v) == 0
                        : c.kind == f.kind && strcmp(c.what, f.what) == 0);
      cr_expect(same, "%s %s %s: constant gives %s, facts give %s", la, opname, unary ? "" : lb,
                got_c, got_f);
      if (!c.ok)
        cr_expect_eq(c.kind, IPSF_ERR_ARITHMETIC, "%s %s %s: %s", la, opname, lb, got_c);
    }
  ipsf_pack_free(p);
}

static void vals_int(Val *out) {
  for (size_t i = 0; i < NINTS; i++) out[i] = vi(ints[i]);
}
static void vals_num(Val *out) {
  for (size_t i = 0; i < NNUMS; i++) out[i] = vn(nums[i]);
}

Test(arith, int_op_int_folds_as_it_runs) {
  Val v[NINTS];
  vals_int(v);
  for (int op = -2; op < 5; op++) check_op(op, v, NINTS, v, NINTS);
}

Test(arith, number_op_number_folds_as_it_runs) {
  Val v[NNUMS];
  vals_num(v);
  for (int op = -2; op < 5; op++) check_op(op, v, NNUMS, v, NNUMS);
}

Test(arith, mixed_int_and_number_fold_as_they_run) {
  Val i[NINTS], n[NNUMS];
  vals_int(i);
  vals_num(n);
  for (int op = 0; op < 5; op++) {
    check_op(op, i, NINTS, n, NNUMS);
    check_op(op, n, NNUMS, i, NINTS);
  }
}

/* The cases of issue 19, by name. */
Test(arith, int_min_mod_minus_one_is_zero_in_both) {
  Val a[] = {vi(INT64_MIN)}, b[] = {vi(-1)};
  check_op(4, a, 1, b, 1);
}
