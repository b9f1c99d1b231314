/*
 * test.c -- `ipsfc test PACK.ipsf|PACK.ipsb...`: run the packs' test blocks.
 *
 * The work is in compiler/testrun.c (a pack from source: compiled with its
 * tests, with coverage) and runtime/tests.c (the runner both use; a pack
 * compiled with --with-tests is loaded and verified as `eval` loads it,
 * and its tests run as they do from source).  This file chooses the tests (--run),
 * prints the results as a test runner does (text, JUnit XML or JSON) and,
 * with --coverage, what no test reached.  The text output ends with the
 * line `N passed, N failed`, which CI may parse.
 */
#include <errno.h>
#include <getopt.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "cli.h"
#include "escape.h"
#include "compile.h"
#include "report.h"
#include "testrun.h"

static const char help[] =
    "usage: ipsfc test PACK.ipsf|PACK.ipsb... [options]\n\n"
    "Run the test blocks of rule packs: each test sets its given facts (the\n"
    "others take their defaults), evaluates the pack and checks every expect.\n"
    "Prints one line per test, what failed and where, then 'N passed, N failed'.\n"
    "A table of cases beside the pack (PACK.cases.csv for PACK.ipsf) runs too:\n"
    "one test per row (docs/language.md section 16).  A PACK.ipsb runs the\n"
    "tests compiled into it (ipsfc compile --with-tests), with the same output;\n"
    "--coverage and --cases need the source.\n\n"
    "options:\n"
    "      --format FMT    text (default), junit (JUnit XML) or json\n"
    "      --run REGEX     run only the tests whose name matches REGEX (POSIX\n"
    "                      extended regular expression, unanchored)\n"
    "      --cases FILE    the table of cases (CSV) to run with the pack's tests\n"
    "                      (default: PACK.cases.csv, if it exists; one pack only)\n"
    "      --coverage      also list the rules, otherwise branches,\n"
    "                      requirements and confirm lines no test reached\n"
    "                      (text or json; a PACK.ipsf only)\n"
    "  -I, --import DIR    also look for imported modules in DIR (repeatable)\n"
    "      --allow-native LIB  allow the pack's extern functions of library LIB\n"
    "                      (a path or a soname; repeatable); without it a pack\n"
    "                      with externs is refused (exit 3)\n"
    "  -h, --help          this text\n\n"
    "exit: 0 every test passed; 1 a test failed; 2 usage; 3 a pack cannot be\n"
    "      read or compiled, or a PACK.ipsb has no tests compiled in.\n\n"
    "example:\n"
    "  ipsfc test examples/smart-home/pack.ipsf\n"
    "  ipsfc test --coverage --run 'care' examples/smart-home/pack.ipsf\n"
    "  ipsfc compile --with-tests examples/smart-home/pack.ipsf -o tested.ipsb\n"
    "  ipsfc test tested.ipsb\n";

typedef enum { FMT_TEXT, FMT_JUNIT, FMT_JSON } Format;

typedef struct {
  Format format;
  bool coverage, color;
  bool has_run;
  regex_t run;
  StrList import_dirs;
  StrList allow_native; /* --allow-native LIB */
  const char *cases;     /* --cases FILE, or NULL: PACK.cases.csv beside each pack */
  IpsfBuf out;
  size_t passed, failed, selected, packs_done;
  size_t pack_errors; /* packs that could not be tested (their error on stderr) */
  int status; /* the worst exit code so far */
} Run;

static bool select_test(const char *name, void *data) {
  Run *r = data;
  return !r->has_run || regexec(&r->run, name, 0, NULL, 0) == 0;
}

/* ---- text -------------------------------------------------------------------------------- */

/* Text of the pack (names, messages quoting its strings), escaped for a
 * terminal (runtime/escape.h); with `before` and `after` around it. */
static void put_text(IpsfBuf *b, const char *before, const char *s, const char *after) {
  ipsf_buf_puts(b, before);
  if (s) ipsf_escape_buf(b, s, strlen(s), 0);
  ipsf_buf_puts(b, after);
}

static void text_test(Run *r, const TestResult *t) {
  const char *green = r->color ? "\033[32m" : "", *red = r->color ? "\033[1;31m" : "",
             *off = r->color ? "\033[0m" : "";
  ipsf_buf_printf(&r->out, "%s%s%s", t->passed ? green : red, t->passed ? "ok  " : "FAIL", off);
  put_text(&r->out, " ", t->name, "");
  if (t->profile) put_text(&r->out, " [", t->profile, "]");
  if (!t->passed) put_text(&r->out, " (", t->at, ")");
  ipsf_buf_puts(&r->out, "\n");
  for (size_t i = 0; i < t->failure_count; i++) {
    const TestFailure *f = &t->failures[i];
    if (f->expect) {
      put_text(&r->out, "  ", f->expect, " (");
      put_text(&r->out, "", f->at, "): ");
    } else {
      ipsf_buf_puts(&r->out, "  ");
    }
    put_text(&r->out, "", f->got, "\n");
  }
}

static const char *const cover_plural[] = {"rules", "otherwise", "requirements", "confirm lines"};

static void text_coverage(Run *r, const TestReport *rep) {
  ipsf_buf_puts(&r->out, "coverage:");
  for (int k = 0; k < COVER__COUNT; k++)
    ipsf_buf_printf(&r->out, "%s %zu of %zu %s", k ? "," : "", rep->reached[k], rep->total[k],
                    cover_plural[k]);
  ipsf_buf_puts(&r->out, " reached\n");
  if (rep->unreached_count) ipsf_buf_puts(&r->out, "not reached:\n");
  for (size_t i = 0; i < rep->unreached_count; i++) {
    const CoverItem *it = &rep->unreached[i];
    put_text(&r->out, "  ", it->at, ": ");
    ipsf_buf_printf(&r->out, "%s ", cover_kind_name(it->kind));
    switch (it->kind) {
    case COVER_RULE:
    case COVER_OTHERWISE:
      put_text(&r->out, "", it->scale, " ");
      put_text(&r->out, "", it->level, "\n");
      break;
    case COVER_REQUIREMENT: put_text(&r->out, "", it->requirement, "\n"); break;
    default:
      put_text(&r->out, "", it->requirement, " ");
      put_text(&r->out, "", it->method, "\n");
      break;
    }
  }
}

/* ---- JUnit XML ---------------------------------------------------------------------------- */

static void xml_escaped(IpsfBuf *b, const char *s) {
  for (; s && *s; s++) {
    switch (*s) {
    case '&': ipsf_buf_puts(b, "&amp;"); break;
    case '<': ipsf_buf_puts(b, "&lt;"); break;
    case '>': ipsf_buf_puts(b, "&gt;"); break;
    case '"': ipsf_buf_puts(b, "&quot;"); break;
    case '\'': ipsf_buf_puts(b, "&apos;"); break;
    default:
      /* XML 1.0 has no other control characters */
      if ((unsigned char)*s < 0x20 && *s != '\n' && *s != '\t') ipsf_buf_puts(b, " ");
      else ipsf_buf_put(b, s, 1);
    }
  }
}

/* "pack.ipsf:83:1" -> file "pack.ipsf", line "83". */
static void xml_place(IpsfBuf *b, const char *at) {
  const char *col = strrchr(at, ':');
  const char *line = col ? col - 1 : NULL;
  while (line && line > at && *line != ':') line--;
  if (!col || !line || line == at) return;
  ipsf_buf_puts(b, " file=\"");
  char *file = strndup(at, (size_t)(line - at));
  xml_escaped(b, file);
  free(file);
  ipsf_buf_printf(b, "\" line=\"%.*s\"", (int)(col - line - 1), line + 1);
}

static void junit_suite(Run *r, const TestReport *rep) {
  IpsfBuf *b = &r->out;
  ipsf_buf_puts(b, "  <testsuite name=\"");
  xml_escaped(b, rep->pack_name);
  ipsf_buf_printf(b, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"0\">\n",
                  rep->result_count, rep->failed);
  for (size_t i = 0; i < rep->result_count; i++) {
    const TestResult *t = &rep->results[i];
    ipsf_buf_puts(b, "    <testcase name=\"");
    xml_escaped(b, t->name);
    if (t->profile) {
      ipsf_buf_puts(b, " [");
      xml_escaped(b, t->profile);
      ipsf_buf_puts(b, "]");
    }
    ipsf_buf_puts(b, "\" classname=\"");
    xml_escaped(b, rep->pack_name);
    ipsf_buf_puts(b, "\"");
    xml_place(b, t->at);
    if (t->passed) {
      ipsf_buf_puts(b, "/>\n");
      continue;
    }
    const TestFailure *first = &t->failures[0];
    ipsf_buf_puts(b, ">\n      <failure message=\"");
    if (first->expect) {
      xml_escaped(b, first->expect);
      ipsf_buf_puts(b, ": ");
    }
    xml_escaped(b, first->got);
    /* expectation: an expect did not hold; error: the test could not be judged */
    ipsf_buf_printf(b, "\" type=\"%s\">", first->expect ? "expectation" : "error");
    for (size_t k = 0; k < t->failure_count; k++) {
      const TestFailure *f = &t->failures[k];
      if (f->expect) {
        xml_escaped(b, f->expect);
        ipsf_buf_puts(b, " (");
        xml_escaped(b, f->at);
        ipsf_buf_puts(b, "): ");
      }
      xml_escaped(b, f->got);
      ipsf_buf_puts(b, "\n");
    }
    ipsf_buf_puts(b, "</failure>\n    </testcase>\n");
  }
  ipsf_buf_puts(b, "  </testsuite>\n");
}

/* A pack that could not be tested (it does not compile or load, has no
 * tests compiled in, ...): its message went to standard error and the exit
 * status says so, but a CI job may read only the XML, where an empty
 * suite would look green.  So it is a suite with one erroring case. */
static void junit_pack_error(Run *r, const char *path) {
  IpsfBuf *b = &r->out;
  ipsf_buf_puts(b, "  <testsuite name=\"");
  xml_escaped(b, path);
  ipsf_buf_puts(b, "\" tests=\"1\" failures=\"0\" errors=\"1\" skipped=\"0\">\n"
                   "    <testcase name=\"");
  xml_escaped(b, path);
  ipsf_buf_puts(b, "\" classname=\"ipsfc test\">\n      <error message=\"the pack could not be "
                   "tested (see the messages on standard error)\" type=\"error\"/>\n"
                   "    </testcase>\n  </testsuite>\n");
}

/* ---- JSON ---------------------------------------------------------------------------------- */

static void json_key(IpsfBuf *b, const char *key, const char *value) {
  ipsf_buf_printf(b, "\"%s\": ", key);
  ipsf_buf_json_string(b, value);
}

static void json_pack(Run *r, const char *path, const TestReport *rep) {
  IpsfBuf *b = &r->out;
  ipsf_buf_puts(b, r->packs_done ? ",\n    {" : "\n    {");
  json_key(b, "file", path);
  ipsf_buf_puts(b, ", ");
  json_key(b, "pack", rep->pack_name);
  ipsf_buf_printf(b, ", \"passed\": %zu, \"failed\": %zu,\n     \"tests\": [", rep->passed,
                  rep->failed);
  for (size_t i = 0; i < rep->result_count; i++) {
    const TestResult *t = &rep->results[i];
    ipsf_buf_puts(b, i ? ",\n       {" : "\n       {");
    json_key(b, "name", t->name);
    ipsf_buf_puts(b, ", ");
    json_key(b, "profile", t->profile);
    ipsf_buf_puts(b, ", ");
    json_key(b, "at", t->at);
    ipsf_buf_printf(b, ", \"status\": \"%s\", \"failures\": [", t->passed ? "passed" : "failed");
    for (size_t k = 0; k < t->failure_count; k++) {
      const TestFailure *f = &t->failures[k];
      ipsf_buf_puts(b, k ? ", {" : "{");
      json_key(b, "expect", f->expect);
      ipsf_buf_puts(b, ", ");
      json_key(b, "at", f->at);
      ipsf_buf_puts(b, ", ");
      json_key(b, "got", f->got);
      ipsf_buf_puts(b, "}");
    }
    ipsf_buf_puts(b, "]}");
  }
  ipsf_buf_puts(b, rep->result_count ? "\n     ]" : "]");
  if (r->coverage) {
    static const char *const keys[] = {"rules", "otherwise", "requirements", "confirms"};
    ipsf_buf_puts(b, ",\n     \"coverage\": {");
    for (int k = 0; k < COVER__COUNT; k++)
      ipsf_buf_printf(b, "%s\"%s\": {\"total\": %zu, \"reached\": %zu}", k ? ", " : "", keys[k],
                      rep->total[k], rep->reached[k]);
    ipsf_buf_puts(b, ",\n       \"unreached\": [");
    for (size_t i = 0; i < rep->unreached_count; i++) {
      const CoverItem *it = &rep->unreached[i];
      ipsf_buf_printf(b, "%s{\"kind\": \"%s\", ", i ? ",\n         " : "\n         ",
                      cover_kind_name(it->kind));
      json_key(b, "at", it->at);
      if (it->kind == COVER_RULE || it->kind == COVER_OTHERWISE) {
        ipsf_buf_puts(b, ", ");
        json_key(b, "scale", it->scale);
        ipsf_buf_puts(b, ", ");
        json_key(b, "level", it->level);
      } else {
        ipsf_buf_puts(b, ", ");
        json_key(b, "requirement", it->requirement);
      }
      if (it->kind == COVER_CONFIRM) {
        ipsf_buf_puts(b, ", ");
        json_key(b, "method", it->method);
      }
      ipsf_buf_puts(b, "}");
    }
    ipsf_buf_puts(b, rep->unreached_count ? "\n       ]}" : "]}");
  }
  ipsf_buf_puts(b, "}");
}

/* ---- running ------------------------------------------------------------------------------- */

static void print_report(Run *r, const char *path, bool several, const TestReport *rep) {
  r->passed += rep->passed;
  r->failed += rep->failed;
  r->selected += rep->result_count;
  if (rep->failed && r->status < EXIT_FINDING) r->status = EXIT_FINDING;
  switch (r->format) {
  case FMT_TEXT:
    if (several) {
      put_text(&r->out, "# ", path, " (");
      put_text(&r->out, "", rep->pack_name, ")\n");
    }
    for (size_t i = 0; i < rep->result_count; i++) text_test(r, &rep->results[i]);
    if (r->coverage) text_coverage(r, rep);
    break;
  case FMT_JUNIT: junit_suite(r, rep); break;
  case FMT_JSON: json_pack(r, path, rep); break;
  }
  r->packs_done++;
}

/* A pack compiled with --with-tests: loaded and verified as `eval` loads
 * one (the cost limit, the signature warning, --allow-native), then its tests. */
static void test_compiled(Run *r, const char *path, bool several) {
  int code = EXIT_OK;
  IpsfPack *p = cli_load_pack(path, &r->import_dirs, &code);
  if (!p) {
    if (r->status < code) r->status = code;
    return;
  }
  cli_warn_bad_signature("test", path, p);
  IpsfError err = {0};
  if (!ipsf_pack_bind_natives(p, (const char *const *)r->allow_native.items,
                              r->allow_native.count, &err)) {
    cli_native_refused("test", path, "refusing to run the tests", &err);
    if (r->status < EXIT_INPUT) r->status = EXIT_INPUT;
    ipsf_pack_free(p);
    return;
  }
  if (ipsf_pack_test_count(p) == 0) {
    cli_error("test", "%s: no tests are compiled into this pack (compile it with --with-tests)",
              path);
    if (r->status < EXIT_INPUT) r->status = EXIT_INPUT;
    ipsf_pack_free(p);
    return;
  }
  Arena a;
  arena_init(&a);
  TestReport rep;
  if (testrun_pack(&a, p, select_test, r, &rep, &err) != TESTRUN_OK) {
    cli_error("test", "%s: %s", path, err.message);
    if (r->status < EXIT_INTERNAL) r->status = EXIT_INTERNAL;
  } else {
    print_report(r, path, several, &rep);
  }
  arena_free(&a);
  ipsf_pack_free(p);
}

static void test_pack(Run *r, const char *path, bool several) {
  if (cli_is_bytecode(path)) {
    test_compiled(r, path, several);
    return;
  }
  CompileOptions opt = {.import_dirs = r->import_dirs.items,
                        .import_dir_count = r->import_dirs.count,
                        .allow_native = r->allow_native.items,
                        .allow_native_count = r->allow_native.count};
  Compilation *c = compilation_new(&opt);
  TestReport rep;
  IpsfError err = {0};
  /* the table of cases: --cases, or PACK.cases.csv beside the pack */
  char *beside = NULL;
  if (!r->cases) {
    size_t n = strlen(path);
    if (n > 5 && strcmp(path + n - 5, ".ipsf") == 0) n -= 5;
    beside = xmalloc(n + 11);
    memcpy(beside, path, n);
    memcpy(beside + n, ".cases.csv", 11);
  }
  TestRunStatus s = testrun(c, path, r->cases ? r->cases : beside, select_test, r, &rep, &err);
  free(beside);
  Diags *d = compilation_diags(c);
  diags_sort(d);
  diags_print(d, stderr, cli_color(stderr));
  if (s != TESTRUN_OK) {
    if (s == TESTRUN_NATIVE_ERROR) {
      cli_native_refused("test", path, "refusing to run the tests", &err);
      if (r->status < EXIT_INPUT) r->status = EXIT_INPUT;
    } else if (s == TESTRUN_LOAD_ERROR) {
      cli_error("test", "%s: the compiled pack does not load (a bug): %s", path, err.message);
      if (r->status < EXIT_INTERNAL) r->status = EXIT_INTERNAL;
    } else if (r->status < EXIT_INPUT) {
      r->status = EXIT_INPUT;
    }
    compilation_free(c);
    return;
  }
  print_report(r, path, several, &rep);
  compilation_free(c);
}

enum { OPT_FORMAT = 256, OPT_RUN, OPT_COVERAGE, OPT_NATIVE, OPT_CASES };

static int parse_options(Run *r, int argc, char **argv) {
  static const struct option opts[] = {{"format", required_argument, 0, OPT_FORMAT},
                                       {"run", required_argument, 0, OPT_RUN},
                                       {"coverage", no_argument, 0, OPT_COVERAGE},
                                       {"cases", required_argument, 0, OPT_CASES},
                                       {"allow-native", required_argument, 0, OPT_NATIVE},
                                       {"import", required_argument, 0, 'I'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
  int c;
  optind = 0;
  opterr = 0;
  while ((c = getopt_long(argc, argv, ":I:h", opts, NULL)) != -1) {
    switch (c) {
    case OPT_FORMAT:
      if (strcmp(optarg, "text") == 0) r->format = FMT_TEXT;
      else if (strcmp(optarg, "junit") == 0) r->format = FMT_JUNIT;
      else if (strcmp(optarg, "json") == 0) r->format = FMT_JSON;
      else return cli_usage("test", "unknown format '%s' (text, junit, json)", optarg);
      break;
    case OPT_RUN: {
      if (r->has_run) return cli_usage("test", "--run comes once");
      int e = regcomp(&r->run, optarg, REG_EXTENDED | REG_NOSUB);
      if (e != 0) {
        char msg[200];
        regerror(e, &r->run, msg, sizeof msg);
        return cli_usage("test", "--run '%s': %s", optarg, msg);
      }
      r->has_run = true;
      break;
    }
    case OPT_COVERAGE: r->coverage = true; break;
    case OPT_CASES: r->cases = optarg; break;
    case OPT_NATIVE: strlist_push(&r->allow_native, optarg); break;
    case 'I': strlist_push(&r->import_dirs, optarg); break;
    case 'h': cli_help(help); return -1;
    case ':': return cli_usage("test", "%s needs an argument", argv[optind - 1]);
    default: return cli_usage("test", "unknown option '%s'", argv[optind - 1]);
    }
  }
  if (r->coverage && r->format == FMT_JUNIT)
    return cli_usage("test", "--coverage is shown as text or json, not in JUnit XML");
  if (optind >= argc) return cli_usage("test", "expected at least one PACK.ipsf or PACK.ipsb");
  if (r->cases && argc - optind > 1)
    return cli_usage("test", "--cases names the table of one pack: give one PACK.ipsf");
  if (r->cases && access(r->cases, R_OK) != 0)
    return cli_usage("test", "--cases %s: %s", r->cases, strerror(errno));
  /* options that need the source: a compiled pack has no coverage
   * instrumentation, and carries the table of cases it was compiled with */
  for (int i = optind; i < argc; i++) {
    if (!cli_is_bytecode(argv[i])) continue;
    if (r->coverage)
      return cli_usage("test", "%s: --coverage needs the source (PACK.ipsf): a compiled pack "
                               "has no coverage instrumentation", argv[i]);
    if (r->cases)
      return cli_usage("test", "%s: --cases needs the source (PACK.ipsf): a compiled pack "
                               "runs the table it was compiled with", argv[i]);
  }
  return EXIT_OK;
}

int cmd_test(int argc, char **argv) {
  Run r = {0};
  int status = parse_options(&r, argc, argv);
  if (status != EXIT_OK) {
    if (r.has_run) regfree(&r.run);
    strlist_free(&r.import_dirs);
  strlist_free(&r.allow_native);
    return status < 0 ? EXIT_OK : status;
  }
  r.color = r.format == FMT_TEXT && cli_color(stdout);
  ipsf_buf_init(&r.out);
  if (r.format == FMT_JSON) ipsf_buf_puts(&r.out, "{\"packs\": [");
  bool several = argc - optind > 1;
  for (int i = optind; i < argc; i++) {
    size_t done = r.packs_done;
    test_pack(&r, argv[i], several);
    if (r.packs_done == done) {
      r.pack_errors++;
      if (r.format == FMT_JUNIT) junit_pack_error(&r, argv[i]);
    }
    if (r.format == FMT_TEXT && !ipsf_buf_flush(&r.out, stdout)) r.status = EXIT_INTERNAL;
  }
  switch (r.format) {
  case FMT_TEXT: ipsf_buf_printf(&r.out, "%zu passed, %zu failed\n", r.passed, r.failed); break;
  case FMT_JUNIT: {
    IpsfBuf suites = r.out;
    ipsf_buf_init(&r.out);
    ipsf_buf_printf(&r.out,
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                    "<testsuites name=\"ipsfc test\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\">\n",
                    r.selected + r.pack_errors, r.failed, r.pack_errors);
    if (suites.data) ipsf_buf_put(&r.out, suites.data, suites.len);
    r.out.failed |= suites.failed;
    ipsf_buf_free(&suites);
    ipsf_buf_puts(&r.out, "</testsuites>\n");
    break;
  }
  case FMT_JSON:
    ipsf_buf_printf(&r.out, "%s],\n \"passed\": %zu, \"failed\": %zu}\n",
                    r.packs_done ? "\n  " : "", r.passed, r.failed);
    break;
  }
  if (r.has_run && r.selected == 0 && r.status == EXIT_OK)
    fprintf(stderr, "ipsfc test: no test matches --run\n");
  if (r.out.failed) {
    fprintf(stderr, "ipsfc test: out of memory while writing the results\n");
    r.status = EXIT_INTERNAL;
  }
  if (!ipsf_buf_flush(&r.out, stdout)) r.status = EXIT_INTERNAL;
  ipsf_buf_free(&r.out);
  if (r.has_run) regfree(&r.run);
  strlist_free(&r.import_dirs);
  strlist_free(&r.allow_native);
  return r.status;
}
