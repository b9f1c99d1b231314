/*
 * test_tests_api.c -- tests compiled into a pack (`compile --with-tests`)
 * through the public API (include/ipsf.h): ipsf_pack_test_count,
 * ipsf_pack_run_test and its result (what failed, where, expected vs
 * found), the hidden gate no sheet can reach, an ordinary evaluation that
 * runs none of the tests' code, and the round trip through the .ipsb bytes.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compile.h"
#include "pack.h"

static const char *const src =
    "pack \"t.tests.api\" version \"1.0.0\" { }\n"
    "import \"ssf\";\n"
    "facts {\n"
    "  harm: enum { none, minor, serious } = none;\n"
    "  loss: int = 0;\n"
    "  units: int = 1;\n"
    "}\n"
    "rules recovery {\n"
    "  fatal when harm == serious;\n"
    "  serious when harm == minor;\n"
    "  otherwise limited;\n"
    "}\n"
    "rules economic {\n"
    "  significant when loss / units >= 1000;\n"
    "  otherwise limited;\n"
    "}\n"
    "requirement PW-01 \"Passwords\" {\n"
    "  viewpoint pre_operation;\n"
    "  applies always;\n"
    "  confirm self_declaration;\n"
    "  confirm third_party_certification when recovery == fatal;\n"
    "}\n"
    "test \"serious harm is fatal\" {\n"                 /* line 23 */
    "  given { harm: serious }\n"
    "  expect recovery == fatal;\n"
    "  expect requires PW-01 with third_party_certification;\n"
    "}\n"
    "test \"wrong on purpose\" {\n"                      /* line 28 */
    "  given { harm: minor, loss: 5000 }\n"
    "  expect recovery == fatal;\n"                      /* line 30 */
    "  expect economic == limited;\n"
    "}\n"
    "test \"division by zero\" {\n"                      /* line 33 */
    "  given { units: 0 }\n"
    "  expect error \"division by zero\";\n"
    "}\n";

static char path[64], cases[80];

/* Compile src (and a table of cases, when given) with the tests kept, and
 * load the bytes as any embedder would. */
static IpsfPack *compile_with_tests(const char *table) {
  snprintf(path, sizeof path, "/tmp/ipsfc-testsapi-%d.ipsf", (int)getpid());
  snprintf(cases, sizeof cases, "/tmp/ipsfc-testsapi-%d.cases.csv", (int)getpid());
  FILE *f = fopen(path, "w");
  cr_assert_not_null(f);
  fputs(src, f);
  fclose(f);
  if (table) {
    f = fopen(cases, "w");
    cr_assert_not_null(f);
    fputs(table, f);
    fclose(f);
  }
  CompileOptions opt = {.with_tests = true, .keep_tests = true, .cases = table ? cases : NULL};
  Compilation *c = compilation_new(&opt);
  uint8_t *bytes = NULL;
  size_t len = 0;
  bool ok = compile_pack(c, path, &bytes, &len);
  compilation_free(c);
  unlink(path);
  unlink(cases);
  cr_assert(ok, "the pack does not compile");
  IpsfError err = {0};
  IpsfPack *p = ipsf_pack_load(bytes, len, &err);
  free(bytes);
  cr_assert_not_null(p, "%s", err.message);
  return p;
}

Test(tests_api, run_each_test) {
  IpsfPack *p = compile_with_tests(NULL);
  cr_assert_eq(ipsf_pack_test_count(p), 3);
  cr_assert_str_eq(ipsf_pack_test_name(p, 1), "wrong on purpose");
  cr_assert_null(ipsf_pack_test_name(p, 3));
  IpsfEval *ev = ipsf_eval_new(p);
  IpsfError err = {0};
  IpsfTestResult r;

  cr_assert(ipsf_pack_run_test(p, ev, 0, &r, &err), "%s", err.message);
  cr_expect(r.passed);
  cr_expect(r.evaluated);
  cr_expect_eq(r.line, 23);
  cr_expect_not(r.is_case);
  ipsf_test_result_free(&r);

  cr_assert(ipsf_pack_run_test(p, ev, 1, &r, &err));
  cr_expect_not(r.passed);
  cr_assert_eq(r.failure_count, 2);
  cr_expect_str_eq(r.failures[0].expect, "expect recovery == fatal");
  cr_expect_str_eq(r.failures[0].got, "got recovery serious");
  cr_expect_eq(r.failures[0].line, 30);
  cr_expect_eq(r.failures[0].col, 3);
  cr_expect_str_eq(r.failures[1].got, "got economic significant");
  ipsf_test_result_free(&r);

  cr_assert(ipsf_pack_run_test(p, ev, 2, &r, &err));
  cr_expect(r.passed, "%s", r.failure_count ? r.failures[0].got : "");
  cr_expect_not(r.evaluated);
  ipsf_test_result_free(&r);

  cr_expect_not(ipsf_pack_run_test(p, ev, 3, &r, &err));
  ipsf_eval_free(ev);
  ipsf_pack_free(p);
}

/* The gate is no fact: a sheet cannot name it, and an ordinary evaluation
 * (gate 0) runs no test's expectations. */
Test(tests_api, gate_is_hidden) {
  IpsfPack *p = compile_with_tests(NULL);
  cr_expect_eq(ipsf_fact_index(p, "test#"), UINT32_MAX);
  for (uint32_t f = 0; f < ipsf_pack_fact_count(p); f++)
    cr_expect_null(strchr(ipsf_pack_fact_name(p, f), '#'));
  IpsfEval *ev = ipsf_eval_new(p);
  IpsfError err = {0};
  ipsf_eval_begin(ev);
  cr_assert(ipsf_eval_set_enum(ev, ipsf_fact_index(p, "harm"), "serious", &err));
  cr_assert(ipsf_eval_run(ev, &err), "%s", err.message);
  cr_expect_str_eq(ipsf_eval_level_name(ev, 0), "fatal");
  ipsf_eval_free(ev);
  ipsf_pack_free(p);
}

/* A context of another pack is refused; a pack without tests has none. */
Test(tests_api, wrong_context_and_no_tests) {
  IpsfPack *p = compile_with_tests(NULL);
  IpsfPack *q = compile_with_tests(NULL);
  IpsfEval *ev = ipsf_eval_new(q);
  IpsfError err = {0};
  IpsfTestResult r;
  cr_expect_not(ipsf_pack_run_test(p, ev, 0, &r, &err));
  cr_expect(strstr(err.message, "not one of this pack") != NULL, "%s", err.message);
  ipsf_eval_free(ev);
  ipsf_pack_free(q);
  ipsf_pack_free(p);
  cr_expect_eq(ipsf_pack_test_count(NULL), 0);
}

/* Rows of a table of cases follow the blocks, named by their name cell,
 * placed at their line of the table. */
Test(tests_api, table_rows) {
  IpsfPack *p = compile_with_tests("name,harm,expect:category\n"
                                   "minor,minor,serious/limited\n"
                                   "wrong,none,fatal/limited\n");
  cr_assert_eq(ipsf_pack_test_count(p), 5);
  cr_expect(ipsf_pack_test_is_case(p, 3));
  cr_expect_str_eq(ipsf_pack_test_name(p, 4), "wrong");
  IpsfEval *ev = ipsf_eval_new(p);
  IpsfError err = {0};
  IpsfTestResult r;
  cr_assert(ipsf_pack_run_test(p, ev, 3, &r, &err));
  cr_expect(r.passed);
  ipsf_test_result_free(&r);
  cr_assert(ipsf_pack_run_test(p, ev, 4, &r, &err));
  cr_expect_not(r.passed);
  cr_expect(r.is_case);
  cr_expect_eq(r.line, 3);
  cr_assert_eq(r.failure_count, 1);
  cr_expect_str_eq(r.failures[0].expect, "expect:category = fatal/limited");
  cr_expect_str_eq(r.failures[0].got, "got limited/limited");
  ipsf_test_result_free(&r);
  ipsf_eval_free(ev);
  ipsf_pack_free(p);
}

/* Found by fuzz_ipsb (tests/fuzz/regressions/ipsb/tests-cell-given-in-a-block):
 * a test block whose given is a table cell (a string index read as a
 * constant index) overflowed.  Now the verifier refuses a given or an
 * expectation of a kind its test does not run (tests/unit/test_verify.c
 * has the rows), and the runner sets each given by its own kind. */
static uint32_t string_index(const IpsfPack *p, const char *s) {
  for (uint32_t i = 0; i < p->string_count; i++)
    if (strcmp(p->strings[i], s) == 0) return i;
  return UINT32_MAX;
}

Test(tests_api, a_given_of_the_wrong_kind_is_refused) {
  IpsfPack *p = compile_with_tests(NULL);
  IpsfTestGiven *g = &p->tests->items[0].givens[0];
  uint32_t serious = string_index(p, "serious");
  cr_assert_neq(serious, UINT32_MAX);
  *g = (IpsfTestGiven){IPSF_GIVEN_CELL, g->fact, serious, g->title};
  uint8_t *bytes;
  size_t len;
  cr_assert(ipsb_write(p, &bytes, &len));
  ipsf_pack_free(p);
  IpsfError err = {0};
  IpsfPack *q = ipsf_pack_load(bytes, len, &err);
  free(bytes);
  cr_expect_null(q);
  cr_expect(strstr(err.message, "is not one of a test block") != NULL, "%s", err.message);
  ipsf_pack_free(q);
}
