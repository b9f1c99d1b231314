/*
 * testrun.h -- run a pack's test blocks through the VM (`ipsfc test`).
 *
 *   Compilation *c = compilation_new(&opt);
 *   TestReport report;
 *   IpsfError err;
 *   TestRunStatus s = testrun(c, "pack.ipsf", select, data, &report, &err);
 *   ... print report.results, report.unreached ...
 *   compilation_free(c);   // the report lives in the compilation's arena
 *
 * The pack is compiled with CompileOptions.with_tests (codegen.c, "test
 * instrumentation" and "the tests as data") and loaded through the
 * verifier like every pack; the tests are run by the runtime
 * (runtime/tests.c, ipsf_pack_run_test), as for a pack compiled with
 * `--with-tests` (testrun_pack).  Each
 * selected test is one evaluation: its `given` facts set through the
 * evaluation API (the rest take their defaults), then every expectation
 * judged from the results.  `expect EXPR` is computed by the VM itself; the
 * other forms are read from the results (which requirements apply, with
 * which method).  A test that expects an error passes when the evaluation
 * fails with a message containing each `expect error` text; its other
 * expectations are not judged.  `profile "p"` only labels the test.
 *
 * A table of cases (csv.h) is run after the blocks, with the same pack:
 * each row sets its facts (cells read by the fact's type) and evidence,
 * is evaluated, and its expect: cells are judged from the results.
 *
 * Coverage counts the evaluations that completed: a rule is reached when it
 * matched, an `otherwise` when its scale took it, a requirement when it
 * applied, a confirm line when its condition held for an applying
 * requirement.
 */
#ifndef IPSF_TESTRUN_H
#define IPSF_TESTRUN_H

#include "ipsfc_func.h"

#include <stdbool.h>
#include <stddef.h>

#include "compile.h"
#include "ipsf.h"

/* One expectation that did not hold. */
typedef struct {
  const char *expect; /* as written, "expect recovery == fatal"; NULL when
                         the test as a whole failed (a given that cannot be
                         set, an evaluation error not expected) */
  const char *at;     /* "pack.ipsf:85:3" (the test's place when expect is NULL) */
  const char *got;    /* what was found: "got recovery serious" */
} TestFailure;

typedef struct {
  const char *name;
  const char *profile;   /* `profile "p"`, or NULL */
  const char *at;        /* "pack.ipsf:83:1" */
  bool passed;
  TestFailure *failures;
  size_t failure_count;
} TestResult;

typedef enum { COVER_RULE, COVER_OTHERWISE, COVER_REQUIREMENT, COVER_CONFIRM, COVER__COUNT } CoverKind;

/* Something no selected test reached. */
typedef struct {
  CoverKind kind;
  const char *at;          /* "pack.ipsf:23:3" */
  const char *scale;       /* RULE, OTHERWISE: the scale */
  const char *level;       /* RULE, OTHERWISE: the level it gives */
  const char *requirement; /* REQUIREMENT, CONFIRM: the requirement's id */
  const char *method;      /* CONFIRM: the method */
} CoverItem;

typedef struct {
  const char *pack_name;
  TestResult *results;     /* the selected tests, in source order (imports first) */
  size_t result_count, passed, failed;
  size_t test_count;       /* all tests, selected or not (table rows included) */
  size_t case_count;       /* rows of the table of cases */
  size_t total[COVER__COUNT], reached[COVER__COUNT];
  CoverItem *unreached;    /* pack order: per scale its rules then otherwise;
                              per requirement, it then its confirm lines */
  size_t unreached_count;
} TestReport;

/* Which tests to run, by name. */
typedef bool (*TestSelect)(const char *name, void *data);

typedef enum {
  TESTRUN_OK,            /* the tests ran (some may have failed) */
  TESTRUN_COMPILE_ERROR, /* the pack has errors: the compilation's Diags say */
  TESTRUN_LOAD_ERROR,    /* the compiled pack failed to load (a bug), or no memory: err */
  TESTRUN_NATIVE_ERROR   /* its natives are not allowed, or cannot be bound: err */
} TestRunStatus;

/* Compile `path` with tests, run the tests `select` accepts (all if NULL),
 * then the rows of the table of cases `cases` (a CSV file; NULL or a file
 * that does not exist: none), fill `out` (allocated in the compilation's
 * arena).  A row is a test named by its `name` cell, placed at
 * "FILE:LINE"; a table that cannot be read or whose header is wrong is one
 * failing test named after the file (docs/language.md section 16). */
TestRunStatus testrun(Compilation *c, const char *path, const char *cases, TestSelect select,
                      void *data, TestReport *out, IpsfError *err);

/* The tests compiled into a loaded pack (`ipsfc compile --with-tests`):
 * run those `select` accepts (all if NULL) into `out`, allocated in `a`.
 * No coverage (it needs the source's instrumentation).  TESTRUN_OK, or
 * TESTRUN_LOAD_ERROR when out of memory (err).  The pack's natives must be
 * bound by the caller. */
TestRunStatus testrun_pack(Arena *a, const IpsfPack *pack, TestSelect select, void *data,
                           TestReport *out, IpsfError *err);

/* "rule", "otherwise", "requirement", "confirm". */
const char *cover_kind_name(CoverKind kind);

#endif
