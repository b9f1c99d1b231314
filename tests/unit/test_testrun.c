/*
 * test_testrun.c -- the test runner (compiler/testrun.c) through its API:
 * every expect form holding and failing, expect error, selection, the
 * guard that keeps one test's expects out of the others' evaluations,
 * coverage, and the bytecode left unchanged without the test option.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compile.h"
#include "testrun.h"

static const char *const head =
    "pack \"t.testrun\" version \"1.0.0\" { }\n"
    "import \"ssf\";\n"
    "facts {\n"
    "  harm: enum { none, minor, serious } = none;\n"
    "  usage: enum { home, hospital } = home;\n"
    "  loss: int = 0;\n"
    "  units: int = 1;\n"
    "  radios: set of enum { wifi, ble } = {};\n"
    "}\n"
    "let wireless = count(radios) > 0;\n"
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
    "requirement IN-01 \"Inspection\" {\n"
    "  viewpoint in_operation;\n"
    "  applies when recovery >= serious;\n"
    "  confirm self_inspection;\n"
    "}\n";

typedef struct {
  Compilation *c;
  TestRunStatus status;
  TestReport report;
  IpsfError err;
} Run;

static char path[64];

static void write_file(const char *src) {
  FILE *f = fopen(path, "w");
  cr_assert_not_null(f);
  fputs(src, f);
  fclose(f);
}

static Run run_with(const char *tests, TestSelect select, void *data) {
  static char src[8192];
  snprintf(src, sizeof src, "%s%s", head, tests);
  snprintf(path, sizeof path, "/tmp/ipsfc-testrun-%d.ipsf", (int)getpid());
  write_file(src);
  Run r = {compilation_new(NULL), TESTRUN_OK, {0}, {0}};
  r.status = testrun(r.c, path, NULL, select, data, &r.report, &r.err);
  unlink(path);
  return r;
}

static Run run(const char *tests) { return run_with(tests, NULL, NULL); }

/* The single failure of the single test, as "expect ...: got ...". */
static const TestFailure *only_failure(Run *r) {
  cr_assert_eq(r->status, TESTRUN_OK);
  cr_assert_eq(r->report.result_count, 1);
  cr_assert_not(r->report.results[0].passed);
  cr_assert_eq(r->report.results[0].failure_count, 1);
  return &r->report.results[0].failures[0];
}

Test(testrun, every_form_holding) {
  Run r = run("test \"all\" {\n"
              "  given { harm: serious, radios: { wifi } }\n"
              "  profile \"care\";\n"
              "  expect recovery == fatal;\n"
              "  expect wireless and economic == limited;\n"
              "  expect requires PW-01 with third_party_certification;\n"
              "  expect requires IN-01;\n"
              "  expect not requires XX-01;\n"
              "  expect viewpoint in_operation;\n"
              "}\n");
  cr_assert_eq(r.status, TESTRUN_OK);
  cr_assert_eq(r.report.passed, 1);
  cr_assert_eq(r.report.failed, 0);
  cr_assert_str_eq(r.report.results[0].name, "all");
  cr_assert_str_eq(r.report.results[0].profile, "care");
  cr_assert(strstr(r.report.results[0].at, ":31:1"), "%s", r.report.results[0].at);
  compilation_free(r.c);
}

Test(testrun, scale_comparison_shows_the_level) {
  Run r = run("test \"t\" {\n  given { harm: minor }\n  expect recovery == fatal;\n}\n");
  const TestFailure *f = only_failure(&r);
  cr_assert_str_eq(f->expect, "expect recovery == fatal");
  cr_assert_str_eq(f->got, "got recovery serious");
  cr_assert(strstr(f->at, ":33:3"), "%s", f->at);
  compilation_free(r.c);
}

Test(testrun, expression_shows_each_named_value_once) {
  Run r = run("test \"t\" {\n  given { loss: 7 }\n"
              "  expect loss > 10 and (recovery == fatal or loss == 8);\n}\n");
  cr_assert_str_eq(only_failure(&r)->got, "got loss 7, recovery limited");
  compilation_free(r.c);
}

Test(testrun, requires_shows_the_method) {
  Run r = run("test \"t\" {\n  expect requires PW-01 with third_party_certification;\n}\n");
  cr_assert_str_eq(only_failure(&r)->got, "got PW-01 applies with self_declaration");
  compilation_free(r.c);
}

Test(testrun, requires_that_does_not_apply) {
  Run r = run("test \"t\" {\n  expect requires IN-01;\n}\n");
  cr_assert_str_eq(only_failure(&r)->got, "got IN-01 does not apply");
  compilation_free(r.c);
}

Test(testrun, not_requires_that_applies) {
  Run r = run("test \"t\" {\n  given { harm: minor }\n  expect not requires IN-01;\n}\n");
  cr_assert_str_eq(only_failure(&r)->got, "got IN-01 applies with self_inspection");
  compilation_free(r.c);
}

Test(testrun, viewpoint_lists_what_applied) {
  Run r = run("test \"t\" {\n  expect viewpoint in_operation;\n}\n");
  cr_assert_str_eq(only_failure(&r)->got, "got viewpoints pre_operation");
  compilation_free(r.c);
}

Test(testrun, expected_error_passes) {
  Run r = run("test \"t\" {\n  given { units: 0 }\n  expect error \"division by zero\";\n"
              "  expect recovery == fatal;\n}\n");
  cr_assert_eq(r.report.passed, 1);
  compilation_free(r.c);
}

Test(testrun, expected_error_with_another_message) {
  Run r = run("test \"t\" {\n  given { units: 0 }\n  expect error \"overflow\";\n}\n");
  cr_assert(strstr(only_failure(&r)->got, "got error: division by zero"), "%s",
            only_failure(&r)->got);
  compilation_free(r.c);
}

Test(testrun, expected_error_that_does_not_happen) {
  Run r = run("test \"t\" {\n  expect error \"division by zero\";\n}\n");
  cr_assert_str_eq(only_failure(&r)->got, "got no error (recovery limited, economic limited)");
  compilation_free(r.c);
}

Test(testrun, unexpected_error_fails_the_test) {
  Run r = run("test \"t\" {\n  given { units: 0 }\n  expect recovery == limited;\n}\n");
  const TestFailure *f = only_failure(&r);
  cr_assert_null(f->expect);
  cr_assert(strstr(f->got, "evaluation failed: division by zero"), "%s", f->got);
  compilation_free(r.c);
}

Test(testrun, one_tests_expects_do_not_run_in_another) {
  /* the first test's expect divides by zero; the second must not see it */
  Run r = run("test \"a\" {\n  given { units: 0, loss: 0 }\n  expect error \"zero\";\n}\n"
              "test \"b\" {\n  given { units: 0 }\n  expect error \"zero\";\n}\n"
              "test \"c\" {\n  expect 10 / units == 10;\n}\n"
              "test \"d\" {\n  given { units: 2 }\n  expect 10 / (units - 2) == 1;\n}\n"
              "test \"e\" {\n  given { units: 2 }\n  expect 10 / units == 5;\n}\n");
  cr_assert_eq(r.report.result_count, 5);
  cr_assert(r.report.results[0].passed);
  cr_assert(r.report.results[1].passed);
  cr_assert(r.report.results[2].passed);
  cr_assert_not(r.report.results[3].passed);
  cr_assert(r.report.results[4].passed);
  compilation_free(r.c);
}

static bool only_b(const char *name, void *data) {
  (*(int *)data)++;
  return strcmp(name, "b") == 0;
}

Test(testrun, selection) {
  int asked = 0;
  Run r = run_with("test \"a\" {\n  expect recovery == fatal;\n}\n"
                   "test \"b\" {\n  expect recovery == limited;\n}\n",
                   only_b, &asked);
  cr_assert_eq(asked, 2);
  cr_assert_eq(r.report.test_count, 2);
  cr_assert_eq(r.report.result_count, 1);
  cr_assert_str_eq(r.report.results[0].name, "b");
  cr_assert_eq(r.report.passed, 1);
  compilation_free(r.c);
}

Test(testrun, coverage) {
  Run r = run("test \"t\" {\n  given { harm: minor }\n  expect recovery == serious;\n}\n");
  const TestReport *rep = &r.report;
  cr_assert_eq(rep->total[COVER_RULE], 3);
  cr_assert_eq(rep->reached[COVER_RULE], 1);       /* serious when harm == minor */
  cr_assert_eq(rep->total[COVER_OTHERWISE], 2);
  cr_assert_eq(rep->reached[COVER_OTHERWISE], 1);  /* economic's */
  cr_assert_eq(rep->total[COVER_REQUIREMENT], 2);
  cr_assert_eq(rep->reached[COVER_REQUIREMENT], 2);
  cr_assert_eq(rep->total[COVER_CONFIRM], 3);
  cr_assert_eq(rep->reached[COVER_CONFIRM], 2);    /* not third_party_certification */
  cr_assert_eq(rep->unreached_count, 4);
  cr_assert_eq(rep->unreached[0].kind, COVER_RULE);
  cr_assert_str_eq(rep->unreached[0].scale, "recovery");
  cr_assert_str_eq(rep->unreached[0].level, "fatal");
  cr_assert_eq(rep->unreached[1].kind, COVER_OTHERWISE);
  cr_assert_str_eq(rep->unreached[1].level, "limited");
  cr_assert_eq(rep->unreached[3].kind, COVER_CONFIRM);
  cr_assert_str_eq(rep->unreached[3].requirement, "PW-01");
  cr_assert_str_eq(rep->unreached[3].method, "third_party_certification");
  compilation_free(r.c);
}

Test(testrun, compile_error_is_reported) {
  Run r = run("test \"t\" {\n  given { nope: 1 }\n  expect recovery == fatal;\n}\n");
  cr_assert_eq(r.status, TESTRUN_COMPILE_ERROR);
  cr_assert_gt(compilation_diags(r.c)->errors, 0);
  compilation_free(r.c);
}

/* Without CompileOptions.with_tests, test blocks change nothing in the
 * bytecode: the same file compiles to the same bytes with or without them. */
Test(testrun, bytecode_unchanged_without_the_option) {
  snprintf(path, sizeof path, "/tmp/ipsfc-testrun-%d.ipsf", (int)getpid());
  uint8_t *bytes[2] = {NULL, NULL};
  size_t len[2] = {0, 0};
  for (int i = 0; i < 2; i++) {
    char src[8192];
    snprintf(src, sizeof src, "%s%s", head,
             i ? "" : "test \"t\" {\n  given { harm: minor }\n  expect recovery == serious;\n}\n");
    write_file(src);
    Compilation *c = compilation_new(NULL);
    cr_assert(compile_pack(c, path, &bytes[i], &len[i]));
    compilation_free(c);
  }
  unlink(path);
  cr_assert_eq(len[0], len[1]);
  cr_assert_eq(memcmp(bytes[0], bytes[1], len[0]), 0);
  free(bytes[0]);
  free(bytes[1]);
}
