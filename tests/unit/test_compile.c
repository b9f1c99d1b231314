/*
 * test_compile.c -- the semantic passes and code generation, through the
 * compiler's API: name resolution by type, type errors, cycles, folding,
 * and evaluation of what was compiled.
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

static const char *const axes =
    "import \"ssf\";\n"
    "rules economic { otherwise limited; }\n";

typedef struct {
  Compilation *c;
  bool ok;
  uint8_t *bytes;
  size_t len;
} Result;

/* Compile `src` (written to a temporary file) as a pack. */
static Result compile_text(const char *src) {
  char path[] = "/tmp/ipsfc-test-XXXXXX.ipsf";
  int fd = mkstemps(path, 5);
  cr_assert(fd >= 0);
  FILE *f = fdopen(fd, "w");
  fputs(src, f);
  fclose(f);
  Result r = {compilation_new(NULL), false, NULL, 0};
  r.ok = compile_pack(r.c, path, &r.bytes, &r.len);
  unlink(path);
  return r;
}

static void result_free(Result *r) {
  compilation_free(r->c);
  free(r->bytes);
}

/* True if some diagnostic's message contains `text`. */
static bool has_error(Result *r, const char *text) {
  Diags *d = compilation_diags(r->c);
  for (size_t i = 0; i < d->count; i++)
    if (strstr(d->items[i].message, text)) return true;
  return false;
}

static char *pack_with(const char *body) {
  static char buf[8192];
  snprintf(buf, sizeof buf, "pack \"t.test\" version \"1.0.0\" { }\n%s%s", axes, body);
  return buf;
}

Test(compile, minimal_pack_compiles_and_loads) {
  Result r = compile_text(pack_with("rules recovery { otherwise limited; }\n"));
  cr_assert(r.ok);
  IpsfError err;
  IpsfPack *p = ipsf_pack_load(r.bytes, r.len, &err);
  cr_assert_not_null(p, "%s", err.message);
  cr_assert_eq(p->scale_count, 2);
  cr_assert_neq(p->axis1, IPSF_NONE);
  ipsf_pack_free(p);
  result_free(&r);
}

Test(compile, enum_value_resolved_by_the_other_side) {
  /* `limited` is a level of both axes: the comparison tells which. */
  Result r = compile_text(pack_with("facts { x: int = 0; }\n"
                                    "rules recovery { fatal when economic >= limited and x > 1;"
                                    " otherwise limited; }\n"));
  cr_assert(r.ok);
  result_free(&r);
}

Test(compile, ambiguous_enum_value_is_an_error) {
  Result r = compile_text(pack_with("let a = limited;\nrules recovery { otherwise limited; }\n"));
  cr_assert_not(r.ok);
  cr_assert(has_error(&r, "'limited' is ambiguous"));
  result_free(&r);
}

Test(compile, comparing_different_enums_is_an_error) {
  Result r = compile_text(pack_with("let a = recovery == economic;\n"
                                    "rules recovery { otherwise limited; }\n"));
  cr_assert(has_error(&r, "they are different enums"));
  result_free(&r);
}

Test(compile, strings_have_no_order) {
  Result r = compile_text(pack_with("facts { s: string = \"\"; }\nlet a = s < \"b\";\n"
                                    "rules recovery { otherwise limited; }\n"));
  cr_assert(has_error(&r, "values have no order"));
  result_free(&r);
}

Test(compile, let_cycle_names_the_chain) {
  Result r = compile_text(pack_with("let a = b;\nlet b = a;\nrules recovery { otherwise limited; }\n"));
  cr_assert(has_error(&r, "let 'a' depends on itself: a -> b -> a"));
  result_free(&r);
}

Test(compile, cycle_through_a_scale) {
  Result r = compile_text(pack_with("let x = recovery >= serious;\n"
                                    "rules recovery { fatal when x; otherwise limited; }\n"));
  cr_assert(has_error(&r, "dependency cycle: x -> recovery -> x"));
  result_free(&r);
}

Test(compile, recursion_is_an_error) {
  Result r = compile_text(pack_with("fn f(n: int) -> int = g(n);\nfn g(n: int) -> int = f(n);\n"
                                    "rules recovery { otherwise limited; }\n"));
  cr_assert(has_error(&r, "recursion is not allowed: f -> g -> f"));
  result_free(&r);
}

/* A default is needed before any code runs: there it is a compile error. */
Test(compile, default_that_raises_is_a_compile_error) {
  Result r = compile_text(pack_with("facts { x: int = 1 / 0; y: int = (-9223372036854775807 - 1) % -1; }\n"
                                    "rules recovery { fatal when x > y; otherwise limited; }\n"));
  cr_assert_not(r.ok);
  cr_assert(has_error(&r, "the default of fact 'x': division by zero in a constant expression"));
  cr_assert_eq(compilation_diags(r.c)->errors, 1, "INT64_MIN %% -1 is 0, not an error");
  result_free(&r);
}

Test(compile, every_error_of_the_file_is_reported) {
  Result r = compile_text(pack_with("let a = nope1;\nlet b = nope2;\nlet c = 1 + \"s\";\n"
                                    "rules recovery { otherwise limited; }\n"));
  cr_assert_eq(compilation_diags(r.c)->errors, 3);
  result_free(&r);
}

Test(compile, module_without_pack_header_cannot_be_compiled) {
  Result r = compile_text("import \"ssf\";\nlet a = 1;\n");
  cr_assert_not(r.ok);
  cr_assert(has_error(&r, "has no pack header"));
  result_free(&r);
}

Test(compile, constant_true_condition_emits_no_jump) {
  Result r = compile_text(pack_with("rules recovery { fatal when 1 + 1 == 2; otherwise limited; }\n"));
  cr_assert(r.ok);
  IpsfError err;
  IpsfPack *p = ipsf_pack_load(r.bytes, r.len, &err);
  cr_assert_not_null(p);
  for (uint32_t i = 0; i < p->code_count; i++)
    cr_assert_neq(IPSF_INSN_OP(p->code[i]), IPSF_OP_JUMPF, "instruction %u is a JUMPF", i);
  ipsf_pack_free(p);
  result_free(&r);
}

/* Compile, load, evaluate with one int fact; return the recovery level name. */
static const char *recovery_for(const char *body, int64_t x, char *out, size_t cap) {
  Result r = compile_text(pack_with(body));
  cr_assert(r.ok, "the pack does not compile");
  IpsfError err;
  IpsfPack *p = ipsf_pack_load(r.bytes, r.len, &err);
  cr_assert_not_null(p, "%s", err.message);
  IpsfEval *ev = ipsf_eval_new(p);
  ipsf_eval_begin(ev);
  cr_assert(ipsf_eval_set_int(ev, ipsf_fact_index(p, "x"), x, &err), "%s", err.message);
  if (ipsf_eval_run(ev, &err)) snprintf(out, cap, "%s", ipsf_eval_level_name(ev, p->axis1));
  else snprintf(out, cap, "error: %s", err.message);
  ipsf_eval_free(ev);
  ipsf_pack_free(p);
  result_free(&r);
  return out;
}

Test(compile, int_and_number_mix_as_numbers) {
  char out[600];
  const char *body = "facts { x: int; }\nlet half = x / 2.0;\n"
                     "rules recovery { fatal when half > 2.25; serious when half > 1; otherwise limited; }\n";
  cr_assert_str_eq(recovery_for(body, 5, out, sizeof out), "fatal");
  cr_assert_str_eq(recovery_for(body, 3, out, sizeof out), "serious");
  cr_assert_str_eq(recovery_for(body, 2, out, sizeof out), "limited");
}

Test(compile, fn_is_inlined_with_its_arguments) {
  char out[600];
  const char *body = "facts { x: int; }\nfn sq(n: int) -> int = n * n;\n"
                     "fn big(n: int) -> bool = sq(n) + sq(n + 1) > 40;\n"
                     "rules recovery { fatal when big(x); otherwise limited; }\n";
  cr_assert_str_eq(recovery_for(body, 4, out, sizeof out), "fatal");   /* 16 + 25 */
  cr_assert_str_eq(recovery_for(body, 3, out, sizeof out), "limited"); /* 9 + 16 */
}

Test(compile, in_over_a_list_of_ints) {
  char out[600];
  const char *body = "facts { x: int; }\n"
                     "rules recovery { fatal when x in {2, 3, 5, 7}; otherwise limited; }\n";
  cr_assert_str_eq(recovery_for(body, 5, out, sizeof out), "fatal");
  cr_assert_str_eq(recovery_for(body, 4, out, sizeof out), "limited");
}

/* Lua's validop rule (compiler/fold.c): a constant that would raise is not
 * folded but left to run time, where it fails as the same values from facts
 * do. */
Test(compile, constant_overflow_is_left_to_run_time) {
  char out[600];
  const char *body = "facts { x: int; }\nlet big = 9223372036854775807 + 1;\nlet q = 1 / 0;\n"
                     "rules recovery { fatal when x > 0 and big > q; otherwise limited; }\n";
  recovery_for(body, 1, out, sizeof out);
  cr_assert(strstr(out, "error: integer overflow in '+'") == out, "got %s", out);
}

Test(compile, overflow_at_run_time_is_an_evaluation_error) {
  char out[600];
  const char *body = "facts { x: int; }\nlet y = x * 4;\n"
                     "rules recovery { fatal when y > 0; otherwise limited; }\n";
  recovery_for(body, INT64_MAX / 2, out, sizeof out);
  cr_assert(strstr(out, "error: ") == out, "got %s", out);
  cr_assert(strstr(out, "overflow"), "got %s", out);
}

Test(compile, worst_takes_the_highest_matching_level) {
  char out[600];
  const char *body = "facts { x: int; }\n"
                     "rules recovery { serious when x > 1; fatal when x > 5; serious when x > 2;"
                     " otherwise limited; }\n";
  cr_assert_str_eq(recovery_for(body, 9, out, sizeof out), "fatal");
  cr_assert_str_eq(recovery_for(body, 3, out, sizeof out), "serious");
}

Test(compile, first_takes_the_first_match) {
  char out[600];
  const char *body = "facts { x: int; }\n"
                     "rules recovery policy first { serious when x > 1; fatal when x > 5;"
                     " otherwise limited; }\n";
  cr_assert_str_eq(recovery_for(body, 9, out, sizeof out), "serious");
}

Test(compile, unique_conflict_names_both_rules) {
  char out[600];
  const char *body = "facts { x: int; }\n"
                     "rules recovery policy unique { serious when x > 1; fatal when x > 5;"
                     " serious when x > 2; otherwise limited; }\n";
  cr_assert_str_eq(recovery_for(body, 3, out, sizeof out), "serious"); /* same level twice */
  recovery_for(body, 9, out, sizeof out);
  cr_assert(strstr(out, "error: "), "got %s", out);
  cr_assert(strstr(out, "serious") && strstr(out, "fatal"), "got %s", out);
}

Test(compile, ref_to_a_catalog_provision_carries_its_text) {
  Result r = compile_text(pack_with(
      "catalog \"Std X\" version \"1\" { source \"Std X, 2024\";\n"
      "  provision X-1.2 \"1.2\" \"Do the thing\" mandatory; }\n"
      "rules recovery { otherwise limited; }\n"
      "requirement R-1 \"r\" { viewpoint pre_operation; ref X-1.2; ref \"free\";"
      " applies always; confirm self_declaration; }\n"));
  cr_assert(r.ok);
  IpsfError err;
  IpsfPack *p = ipsf_pack_load(r.bytes, r.len, &err);
  cr_assert_not_null(p, "%s", err.message);
  cr_assert_eq(p->requirements[0].ref_count, 2);
  cr_assert_str_eq(ipsf_str(p, p->requirements[0].refs[0]), "Std X 1 1.2: Do the thing");
  cr_assert_str_eq(ipsf_str(p, p->requirements[0].refs[1]), "free");
  ipsf_pack_free(p);
  result_free(&r);
}

Test(compile, unknown_provision_is_an_error) {
  Result r = compile_text(pack_with(
      "rules recovery { otherwise limited; }\n"
      "requirement R-1 \"r\" { viewpoint pre_operation; ref NOPE-1;"
      " applies always; confirm self_declaration; }\n"));
  cr_assert_not(r.ok);
  cr_assert(has_error(&r, "unknown provision NOPE-1"));
  result_free(&r);
}

Test(compile, satisfied_by_lists_are_checked) {
  Result r = compile_text(pack_with(
      "catalog \"A\" version \"1\" { source \"a\"; provision A-1 \"1\" \"a\" mandatory; }\n"
      "catalog \"B\" version \"1\" { source \"b\";\n"
      "  provision B-1 \"1\" \"b\" mandatory satisfied_by A-1, A-2; }\n"
      "rules recovery { otherwise limited; }\n"));
  cr_assert_not(r.ok);
  cr_assert(has_error(&r, "unknown provision A-2"));
  cr_assert_eq(compilation_diags(r.c)->errors, 1);
  result_free(&r);
}

/* Facts over more than one 64-bit word: the first missing required fact in
 * pack order is named, and defaults past the first word are filled. */
Test(compile, required_and_default_facts_across_words) {
  char body[8192] = "facts {\n";
  for (int i = 0; i < 70; i++) {
    size_t n = strlen(body);
    if (i == 3 || i == 66) snprintf(body + n, sizeof body - n, "  f%d: int;\n", i);
    else snprintf(body + n, sizeof body - n, "  f%d: int = %d;\n", i, i);
  }
  strcat(body, "}\nrules recovery { fatal when f3 + f66 + f67 + f69 > 200; otherwise limited; }\n");
  Result r = compile_text(pack_with(body));
  cr_assert(r.ok, "the pack does not compile");
  IpsfError err;
  IpsfPack *p = ipsf_pack_load(r.bytes, r.len, &err);
  cr_assert_not_null(p, "%s", err.message);
  IpsfEval *ev = ipsf_eval_new(p);
  ipsf_eval_begin(ev);
  cr_assert_not(ipsf_eval_run(ev, &err));
  cr_assert_str_eq(err.message, "required fact 'f3' is missing");
  ipsf_eval_begin(ev);
  cr_assert(ipsf_eval_set_int(ev, ipsf_fact_index(p, "f3"), 1, &err));
  cr_assert_not(ipsf_eval_run(ev, &err));
  cr_assert_str_eq(err.message, "required fact 'f66' is missing");
  ipsf_eval_begin(ev);
  cr_assert(ipsf_eval_set_int(ev, ipsf_fact_index(p, "f3"), 1, &err));
  cr_assert(ipsf_eval_set_int(ev, ipsf_fact_index(p, "f66"), 64, &err));
  cr_assert(ipsf_eval_run(ev, &err), "%s", err.message);
  cr_assert_str_eq(ipsf_eval_level_name(ev, p->axis1), "fatal"); /* 1 + 64 + 67 + 69 */
  ipsf_eval_begin(ev);
  cr_assert(ipsf_eval_set_int(ev, ipsf_fact_index(p, "f3"), 1, &err));
  cr_assert(ipsf_eval_set_int(ev, ipsf_fact_index(p, "f66"), 1, &err));
  cr_assert(ipsf_eval_set_int(ev, ipsf_fact_index(p, "f69"), 0, &err));
  cr_assert(ipsf_eval_run(ev, &err), "%s", err.message);
  cr_assert_str_eq(ipsf_eval_level_name(ev, p->axis1), "limited"); /* 1 + 1 + 67 + 0 */
  ipsf_eval_free(ev);
  ipsf_pack_free(p);
  result_free(&r);
}

/* ---- one arithmetic ----------------------------------------------------------
 *
 * One arithmetic: a constant expression folded by the
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

/* Compile a whole source text and load it. */
static IpsfPack *compile_load(const char *src) {
  Result r = compile_text(src);
  Diags *d = compilation_diags(r.c);
  cr_assert(r.ok, "the pack does not compile: %s", d->count ? d->items[0].message : "?");
  IpsfError err;
  IpsfPack *p = ipsf_pack_load(r.bytes, r.len, &err);
  cr_assert_not_null(p, "%s", err.message);
  result_free(&r);
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
