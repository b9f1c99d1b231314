/*
 * eval.c -- `ipsfc eval PACK SHEET...`: place devices, list requirements.
 *
 * Each sheet is read whole (JSON, YAML) or line by line (JSON Lines, and
 * `-` for standard input); each (sheet, profile) gives one record, in input
 * order.  A sheet that cannot be read or evaluated gives an error record and
 * the run goes on; the exit code then says that errors happened.
 *
 * The evaluation is the runtime's runner (include/ipsf.h, "streaming";
 * runtime/stream.c): batches, threads, output in input order.  This file
 * owns the options and the exit code, cli/eval_stream.c the writing.  The
 * options `report` shares (--profile, --jobs, limits, signatures, natives),
 * the loading of the pack and the runner's options are exported to it
 * (eval_stream.h).
 *
 * SIGINT and SIGTERM stop a run cleanly: the handler only sets a flag;
 * the runner reads no more and passes nothing more after a whole record,
 * and the exit code is 128 + the signal.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "eval_stream.h"
#include "date.h"
#include "report.h"
#include "sheet.h"
#include "worker.h"

static const char help[] =
    "usage: ipsfc eval PACK SHEET... [options]\n\n"
    "Evaluate device fact sheets (JSON, JSON Lines, YAML; '-' reads JSON Lines\n"
    "from standard input, or --stdin-format) against a rule pack (.ipsf source\n"
    "or .ipsb bytecode)\n"
    "and print one record per sheet and profile.\n\n"
    "options:\n"
    "      --format FMT       text (default), json (one array), jsonl (one\n"
    "                         record per line), csv (one row per record),\n"
    "                         sarif (SARIF 2.1.0: a result per requirement not\n"
    "                         met), junit (a test case per sheet and profile)\n"
    "      --explain          list the rules behind every level (reasons; text,\n"
    "                         json and jsonl only)\n"
    "      --stdin-format F   what '-' holds: jsonl (default: one sheet per\n"
    "                         line), json or yaml (one whole document)\n"
    "      --profile NAME     evaluate only this profile of each sheet (a usage\n"
    "                         profile the pack declares: every sheet under it)\n"
    "      --as-of DATE       decide dated evidence on DATE (YYYY-MM-DD; default\n"
    "                         today in UTC): evidence older than its confirm\n"
    "                         line's period, or past its expiry, is 'expired'\n"
    "      --fail-on WHAT     error (default): exit 3 if any record is an error;\n"
    "                         unmet: also exit 1 if a requirement is unmet,\n"
    "                         expired or has no evidence (unknown); not if\n"
    "                         compensated\n"
    "                         never: exit 0 whatever the records say\n"
    "      --allow-unknown-facts  ignore facts the pack does not declare\n"
    "  -I, --import DIR       look for imported modules in DIR (source packs)\n"
    "      --jobs N           evaluate JSON Lines on N threads (default: the\n"
    "                         number of cores); output stays in input order\n"
    "      --max-sheet-bytes N  largest JSON or YAML sheet file (default 64M;\n"
    "                         K, M, G suffixes; at most 1G)\n"
    "      --max-line-bytes N largest JSON Lines line (default 16M)\n"
    CLI_MAX_COST_HELP
    "      --summary          a summary line on stderr (devices, profiles,\n"
    "                         errors, unmet, time, sheets/s); on by default\n"
    "                         when stderr is a terminal and FMT is not text\n"
    "      --require-signature KEY  refuse (exit 3, before reading any sheet) a\n"
    "                         pack not signed by this Ed25519 public key, or\n"
    "                         altered after signing (see 'ipsfc sign');\n"
    "                         without it, a .ipsb whose signature does not\n"
    "                         verify is run with a warning on stderr\n"
    "      --allow-native LIB allow the pack's extern functions of library LIB\n"
    "                         (a path, or a soname the dynamic loader finds;\n"
    "                         repeatable).  Natives run with your privileges:\n"
    "                         a pack with externs is refused (exit 3, before\n"
    "                         reading any sheet) unless each library is allowed\n"
    "  -h, --help             this text\n\n"
    "exit: 0 success; 1 unmet requirements under --fail-on unmet; 2 usage;\n"
    "      3 the pack cannot be loaded, or a record is an error; 4 the output\n"
    "      cannot be written; 130, 143 stopped by SIGINT, SIGTERM (the output\n"
    "      ends after a whole record).\n\n"
    "example:\n"
    "  ipsfc eval examples/smart-home/pack.ipsf examples/smart-home/devices/*.json\n"
    "  cat devices.jsonl | ipsfc eval pack.ipsb - --format jsonl\n";

typedef EvalRun Run;

/* All of standard input, up to max bytes; NULL (with errno, or EFBIG past
 * max) when it cannot be read. */
static char *read_stdin(size_t max, size_t *len) {
  size_t cap = 64 * 1024, n = 0;
  char *buf = malloc(cap);
  while (buf) {
    if (n == cap) {
      if (cap > max) {
        free(buf);
        errno = EFBIG;
        return NULL;
      }
      char *more = realloc(buf, cap * 2);
      if (!more) break;
      buf = more;
      cap *= 2;
    }
    size_t got = fread(buf + n, 1, cap - n, stdin);
    n += got;
    if (got == 0) {
      if (ferror(stdin) || n > max) break;
      *len = n;
      return buf;
    }
  }
  int e = n > max ? EFBIG : errno;
  free(buf);
  errno = e;
  return NULL;
}

/* One sheet path: the runner reads it as eval does (by extension; "-" is
 * JSON Lines unless --stdin-format says it is one JSON or YAML document). */
static bool eval_file(Run *r, const char *path) {
  if (strcmp(path, "-") != 0 || r->stdin_format == IPSF_SHEET_JSONL)
    return ipsf_runner_path(r->runner, path);
  size_t len = 0;
  char *text = read_stdin(r->max_sheet_bytes, &len);
  if (!text) {
    cli_error("eval", "cannot read standard input: %s", strerror(errno));
    r->stdin_failed = true;
    return false;
  }
  bool going = ipsf_runner_document(r->runner, text, len,
                                    r->stdin_format == IPSF_SHEET_YAML ? IPSF_SYNTAX_YAML
                                                                       : IPSF_SYNTAX_JSON,
                                    "-");
  free(text);
  return going;
}

/* --stdin-format: '-' is JSON Lines unless told otherwise. */
static int parse_stdin_format(Run *r, const char *f) {
  if (strcmp(f, "jsonl") == 0) r->stdin_format = IPSF_SHEET_JSONL;
  else if (strcmp(f, "json") == 0) r->stdin_format = IPSF_SHEET_JSON;
  else if (strcmp(f, "yaml") == 0) r->stdin_format = IPSF_SHEET_YAML;
  else return cli_usage("eval", "unknown --stdin-format '%s' (jsonl, json, yaml)", f);
  return EXIT_OK;
}

/* '-' read as JSON Lines gave errors and not one record: most likely one
 * pretty-printed document was piped in.  Say how to read it. */
static void stdin_hint(const Run *r, int nsheets, char **sheets) {
  if (r->stdin_format != IPSF_SHEET_JSONL || r->total.records || !r->total.errors) return;
  for (int i = 0; i < nsheets; i++)
    if (strcmp(sheets[i], "-") == 0) {
      fputs("ipsfc eval: hint: '-' is read as JSON Lines, one sheet per line; for one "
            "JSON or YAML document give --stdin-format json (or yaml)\n", stderr);
      return;
    }
}

static int parse_format(Run *r, const char *f) {
  if (strcmp(f, "text") == 0) r->reporter.format = IPSF_OUT_TEXT;
  else if (strcmp(f, "json") == 0) r->reporter.format = IPSF_OUT_JSON;
  else if (strcmp(f, "jsonl") == 0) r->reporter.format = IPSF_OUT_JSONL;
  else if (strcmp(f, "csv") == 0) r->reporter.format = IPSF_OUT_CSV;
  else if (strcmp(f, "sarif") == 0) r->reporter.format = IPSF_OUT_SARIF;
  else if (strcmp(f, "junit") == 0) r->reporter.format = IPSF_OUT_JUNIT;
  else
    return cli_usage("eval", "unknown format '%s' (text, json, jsonl, csv, sarif, junit)", f);
  return EXIT_OK;
}

static int parse_as_of(Run *r, const char *verb, const char *date) {
  int32_t day;
  if (!ipsf_date_parse(date, &day))
    return cli_usage(verb, "--as-of takes a calendar date YYYY-MM-DD, not '%s'", date);
  r->as_of = date;
  return EXIT_OK;
}

static int parse_fail_on(Run *r, const char *verb, const char *f) {
  if (strcmp(f, "error") == 0) r->fail_on = FAIL_ON_ERROR;
  else if (strcmp(f, "unmet") == 0) r->fail_on = FAIL_ON_UNMET;
  else if (strcmp(f, "never") == 0) r->fail_on = FAIL_ON_NEVER;
  else return cli_usage(verb, "--fail-on takes unmet, error or never, not '%s'", f);
  return EXIT_OK;
}

enum { OPT_FORMAT = EVAL_OPT_END, OPT_EXPLAIN, OPT_SUMMARY, OPT_STDIN_FORMAT };

/* A size limit: bytes, or with a K, M or G suffix (powers of 1024), from
 * 1 KiB to 1 GiB (a sheet is read into memory whole). */
static int parse_size(const char *verb, const char *option, const char *a, size_t *out) {
  char *end;
  unsigned long long n = strtoull(a, &end, 10);
  unsigned long long unit = 1;
  if (*end == 'K') unit = 1024, end++;
  else if (*end == 'M') unit = 1024 * 1024, end++;
  else if (*end == 'G') unit = 1024 * 1024 * 1024, end++;
  if (*a < '0' || *a > '9' || *end || n > (1ull << 30) / unit || n * unit < 1024)
    return cli_usage(verb, "%s takes a size from 1K to 1G (bytes, or with K, M, G), not '%s'",
                     option, a);
  *out = (size_t)(n * unit);
  return EXIT_OK;
}

/* --jobs N: 1 to 256. */
static int parse_jobs(Run *r, const char *verb, const char *a) {
  char *end;
  long n = strtol(a, &end, 10);
  if (*a < '0' || *a > '9' || *end || n < 1 || n > 256)
    return cli_usage(verb, "--jobs takes a number from 1 to 256, not '%s'", a);
  r->jobs = (unsigned)n;
  return EXIT_OK;
}

/* The default --jobs: the cores this process may run on. */
static unsigned default_jobs(void) {
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n < 1 ? 1u : n > 256 ? 256u : (unsigned)n;
}

/* The options eval shares with report: their getopt entries and their
 * handling (EXIT_OK, a usage error, or EVAL_OPT_NOT_SHARED). */
const struct option eval_shared_options[] = {
    {"profile", required_argument, 0, EVAL_OPT_PROFILE},
    {"fail-on", required_argument, 0, EVAL_OPT_FAIL_ON},
    {"allow-unknown-facts", no_argument, 0, EVAL_OPT_UNKNOWN},
    {"jobs", required_argument, 0, EVAL_OPT_JOBS},
    {"max-sheet-bytes", required_argument, 0, EVAL_OPT_MAX_SHEET},
    {"max-cost", required_argument, 0, EVAL_OPT_MAX_COST},
    {"max-line-bytes", required_argument, 0, EVAL_OPT_MAX_LINE},
    {"allow-native", required_argument, 0, EVAL_OPT_NATIVE},
    {"require-signature", required_argument, 0, EVAL_OPT_SIGNATURE},
    {"as-of", required_argument, 0, EVAL_OPT_AS_OF},
    {"import", required_argument, 0, 'I'},
    {0, 0, 0, 0}};

void eval_options_init(EvalRun *r) {
  r->max_sheet_bytes = IPSF_SHEET_MAX_FILE;
  r->max_line_bytes = IPSF_SHEET_MAX_LINE;
}

int eval_shared_option(EvalRun *r, const char *verb, int c, const char *arg) {
  switch (c) {
  case EVAL_OPT_PROFILE: r->profile = arg; return EXIT_OK;
  case EVAL_OPT_FAIL_ON: return parse_fail_on(r, verb, arg);
  case EVAL_OPT_UNKNOWN: r->bind.allow_unknown_facts = true; return EXIT_OK;
  case EVAL_OPT_JOBS: return parse_jobs(r, verb, arg);
  case EVAL_OPT_MAX_SHEET: return parse_size(verb, "--max-sheet-bytes", arg, &r->max_sheet_bytes);
  case EVAL_OPT_MAX_LINE: return parse_size(verb, "--max-line-bytes", arg, &r->max_line_bytes);
  case EVAL_OPT_MAX_COST: return cli_parse_max_cost(verb, arg);
  case EVAL_OPT_NATIVE: strlist_push(&r->allow_native, arg); return EXIT_OK;
  case EVAL_OPT_SIGNATURE: r->signer = arg; return EXIT_OK;
  case EVAL_OPT_AS_OF: return parse_as_of(r, verb, arg);
  case 'I': strlist_push(&r->import_dirs, arg); return EXIT_OK;
  default: return EVAL_OPT_NOT_SHARED;
  }
}

static int parse_options(Run *r, int argc, char **argv) {
  enum { SHARED = sizeof eval_shared_options / sizeof eval_shared_options[0] - 1 };
  static const struct option own[] = {
      {"format", required_argument, 0, OPT_FORMAT},
      {"explain", no_argument, 0, OPT_EXPLAIN},
      {"summary", no_argument, 0, OPT_SUMMARY},
      {"stdin-format", required_argument, 0, OPT_STDIN_FORMAT},
      {"help", no_argument, 0, 'h'},
      {0, 0, 0, 0}};
  struct option opts[SHARED + sizeof own / sizeof own[0]];
  memcpy(opts, eval_shared_options, SHARED * sizeof opts[0]);
  memcpy(opts + SHARED, own, sizeof own);
  int c, status = EXIT_OK;
  eval_options_init(r);
  r->stdin_format = IPSF_SHEET_JSONL;
  optind = 0;
  opterr = 0;
  while (status == EXIT_OK && (c = getopt_long(argc, argv, ":I:h", opts, NULL)) != -1) {
    switch (c) {
    case OPT_FORMAT: status = parse_format(r, optarg); break;
    case OPT_EXPLAIN: r->reporter.explain = true; break;
    case OPT_SUMMARY: r->summary = true; break;
    case OPT_STDIN_FORMAT: status = parse_stdin_format(r, optarg); break;
    case 'h': cli_help(help); return -1;
    case ':': status = cli_usage("eval", "%s needs an argument", argv[optind - 1]); break;
    case '?': status = cli_usage("eval", "unknown option '%s'", argv[optind - 1]); break;
    default:
      status = eval_shared_option(r, "eval", c, optarg);
      if (status == EVAL_OPT_NOT_SHARED)
        status = cli_usage("eval", "unknown option '%s'", argv[optind - 1]);
      break;
    }
  }
  if (status == EXIT_OK && argc - optind < 2)
    status = cli_usage("eval", "expected a PACK and at least one SHEET");
  if (status == EXIT_OK && r->reporter.explain &&
      (r->reporter.format == IPSF_OUT_CSV || r->reporter.format == IPSF_OUT_SARIF ||
       r->reporter.format == IPSF_OUT_JUNIT))
    status = cli_usage("eval", "--explain lists reasons in text, json and jsonl only "
                               "(csv, sarif and junit have no place for them)");
  return status;
}

/* The stop flag of SIGINT and SIGTERM: the one piece of state a signal
 * handler touches (async-signal-safe: a store to a sig_atomic_t). */
static volatile sig_atomic_t stop_signal;

static void on_stop_signal(int sig) { stop_signal = sig; }

int eval_stop_signal(void) { return stop_signal; }

/* The previous dispositions are restored by the caller (cmd_eval returns
 * to main, which exits; a test harness calling cmd_eval again is fine). */
void eval_catch_stop_signals(struct sigaction old[2]) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0; /* no SA_RESTART: a blocked poll(2) returns at once */
  stop_signal = 0;
  /* A signal ignored on entry (nohup, a background job) stays ignored. */
  static const int sigs[2] = {SIGINT, SIGTERM};
  for (int i = 0; i < 2; i++) {
    sigaction(sigs[i], NULL, &old[i]);
    if (old[i].sa_handler != SIG_IGN) sigaction(sigs[i], &sa, NULL);
  }
}

void eval_restore_stop_signals(const struct sigaction old[2]) {
  sigaction(SIGINT, &old[0], NULL);
  sigaction(SIGTERM, &old[1], NULL);
}

int eval_exit_code(const EvalRun *r) {
  if (r->out.write_failed) return EXIT_INTERNAL;
  if (r->stdin_failed) return EXIT_INPUT;
  if (stop_signal) return 128 + stop_signal;
  if (r->fail_on == FAIL_ON_NEVER) return EXIT_OK;
  if (r->total.errors) return EXIT_INPUT;
  if (r->fail_on == FAIL_ON_UNMET && r->total.unmet) return EXIT_FINDING;
  return EXIT_OK;
}

static IpsfRecordFormat record_format(IpsfOutFormat f) {
  switch (f) {
  case IPSF_OUT_JSON: return IPSF_RECORDS_JSON;
  case IPSF_OUT_JSONL: return IPSF_RECORDS_JSONL;
  case IPSF_OUT_CSV: return IPSF_RECORDS_CSV;
  case IPSF_OUT_SARIF: return IPSF_RECORDS_SARIF;
  case IPSF_OUT_JUNIT: return IPSF_RECORDS_JUNIT;
  default: return IPSF_RECORDS_TEXT;
  }
}

void eval_runner_options(const EvalRun *r, IpsfRunnerOptions *o) {
  o->flags = (r->reporter.explain ? IPSF_EXPLAIN : 0u) |
             (r->bind.allow_unknown_facts ? IPSF_ALLOW_UNKNOWN_FACTS : 0u);
  o->profile = r->profile;
  o->jobs = r->jobs ? r->jobs : default_jobs();
  o->max_line_bytes = r->max_line_bytes;
  o->max_sheet_bytes = r->max_sheet_bytes;
  o->as_of = r->as_of;
  o->stop = &stop_signal;
}

/* The runner stopped for want of memory: say so (exit 4). */
void eval_runner_done(EvalRun *r, const char *verb) {
  if (ipsf_runner_state(r->runner) == IPSF_RUN_NOMEM && !r->out.write_failed) {
    fprintf(stderr, "ipsfc %s: out of memory while writing a record\n", verb);
    r->out.write_failed = true;
  }
  ipsf_runner_counts(r->runner, &r->total);
  r->reporter.written = r->total.records + r->total.errors;
}

/* Evaluate every sheet with the loaded pack; the exit code. */
static int run_sheets(Run *r, const IpsfPack *pack, int nsheets, char **sheets) {
  IpsfRunnerOptions o = {.format = record_format(r->reporter.format),
                         .write = es_write, .user = &r->out};
  eval_runner_options(r, &o);
  if (r->reporter.format == IPSF_OUT_TEXT && cli_color(stdout)) o.flags |= IPSF_COLOR;
  o.flags |= IPSF_NO_VIEWS; /* eval writes the bytes, needs no views */
  IpsfError err = {0};
  r->runner = ipsf_runner_new(pack, &o, &err);
  if (!r->runner) {
    cli_error("eval", "%s", err.message);
    return EXIT_INTERNAL;
  }
  bool progress = isatty(STDERR_FILENO) != 0;
  es_start(&r->out, r->runner, progress);
  for (int i = 0; i < nsheets && eval_file(r, sheets[i]); i++) continue;
  /* Stopped: the output ends after the last whole record, with no closing
   * bracket, so that it cannot pass for a complete report. */
  ipsf_runner_finish(r->runner, NULL);
  eval_runner_done(r, "eval");
  es_finish(&r->out, &r->total, r->summary || (progress && r->reporter.format != IPSF_OUT_TEXT));
  stdin_hint(r, nsheets, sheets);
  ipsf_runner_free(r->runner);
  r->runner = NULL;
  return eval_exit_code(r);
}

/* Before any sheet is read: the key, the pack, its signature, its natives
 * (eval and report).  NULL with *status when the pack may not run.
 * Frees r->import_dirs and r->allow_native. */
IpsfPack *eval_open_pack(EvalRun *r, const char *verb, const char *path, int *status) {
  uint8_t signer[IPSF_SIGN_KEY_SIZE];
  IpsfError kerr = {0};
  if (r->signer && !ipsf_public_key_load_file(r->signer, signer, &kerr)) {
    cli_error(verb, "%s", kerr.message);
    strlist_free(&r->import_dirs);
    strlist_free(&r->allow_native);
    *status = EXIT_INPUT;
    return NULL;
  }
  IpsfPack *pack = cli_load_pack(path, &r->import_dirs, status);
  strlist_free(&r->import_dirs);
  if (!pack) {
    strlist_free(&r->allow_native);
    return NULL;
  }
  /* Before any sheet is read: an unsigned, foreign or altered pack never
   * runs.  The check is on the bytes that were loaded and verified. */
  if (r->signer && !ipsf_pack_check_signature(pack, signer, &kerr)) {
    cli_error(verb, "%s: refusing to evaluate: %s", path, kerr.message);
    strlist_free(&r->allow_native);
    ipsf_pack_free(pack);
    *status = EXIT_INPUT;
    return NULL;
  }
  /* Without --require-signature a signature is not required, but one that
   * does not verify is never passed over in silence. */
  if (!r->signer) cli_warn_bad_signature(verb, path, pack);
  /* Also before any sheet: a pack's natives run only from the libraries
   * the evaluator allowed (docs/natives.md). */
  bool bound = ipsf_pack_bind_natives(pack, r->allow_native.items, r->allow_native.count, &kerr);
  strlist_free(&r->allow_native);
  if (!bound) {
    cli_native_refused(verb, path, "refusing to evaluate", &kerr);
    ipsf_pack_free(pack);
    *status = kerr.kind == IPSF_ERR_NOMEM ? EXIT_INTERNAL : EXIT_INPUT;
    return NULL;
  }
  return pack;
}

static int eval_main(Run *r, int argc, char **argv) {
  int status = parse_options(r, argc, argv);
  if (status != EXIT_OK) {
    strlist_free(&r->import_dirs);
    strlist_free(&r->allow_native);
    return status < 0 ? EXIT_OK : status;
  }
  IpsfPack *pack = eval_open_pack(r, "eval", argv[optind], &status);
  if (!pack) return status;
  /* A stop while the pack was loading: no output at all. */
  if (!stop_signal) status = run_sheets(r, pack, argc - optind - 1, argv + optind + 1);
  ipsf_pack_free(pack);
  return status;
}

int cmd_eval(int argc, char **argv) {
  /* From the start, so that a signal during loading is a clean stop too. */
  struct sigaction old[2];
  eval_catch_stop_signals(old);
  Run r = {0};
  int status = eval_main(&r, argc, argv);
  eval_restore_stop_signals(old);
  if (stop_signal && status != EXIT_INTERNAL) {
    fprintf(stderr, "ipsfc eval: stopped by %s after %zu records\n",
            stop_signal == SIGINT ? "SIGINT" : "SIGTERM", r.reporter.written);
    status = 128 + stop_signal;
  }
  return status;
}
