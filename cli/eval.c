/*
 * eval.c -- `ipsfc eval PACK SHEET...`: place devices, list requirements.
 *
 * Each sheet is read whole (JSON, YAML) or line by line (JSON Lines, and
 * `-` for standard input); each (sheet, profile) gives one record, in input
 * order.  A sheet that cannot be read or evaluated gives an error record and
 * the run goes on; the exit code then says that errors happened.
 *
 * SIGINT and SIGTERM stop a run cleanly: the handler only sets a flag;
 * the reader reads no more, the writer ends the output after a whole
 * record (cli/eval_stream.c), and the exit code is 128 + the signal.
 */
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

static const char help[] =
    "usage: ipsfc eval PACK SHEET... [options]\n\n"
    "Evaluate device fact sheets (JSON, JSON Lines, YAML; '-' reads JSON Lines\n"
    "from standard input) against a rule pack (.ipsf source or .ipsb bytecode)\n"
    "and print one record per sheet and profile.\n\n"
    "options:\n"
    "      --format FMT       text (default), json (one array), jsonl (one\n"
    "                         record per line), csv (one row per record),\n"
    "                         sarif (SARIF 2.1.0: a result per requirement not\n"
    "                         met), junit (a test case per sheet and profile)\n"
    "      --explain          list the rules behind every level (reasons)\n"
    "      --profile NAME     evaluate only this profile of each sheet\n"
    "      --as-of DATE       decide dated evidence on DATE (YYYY-MM-DD; default\n"
    "                         today in UTC): evidence older than its confirm\n"
    "                         line's period, or past its expiry, is 'expired'\n"
    "      --fail-on WHAT     error (default): exit 3 if any record is an error;\n"
    "                         unmet: also exit 1 if a requirement is unmet or\n"
    "                         has no evidence (unknown);\n"
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

typedef enum { FAIL_ON_ERROR, FAIL_ON_UNMET, FAIL_ON_NEVER } FailOn;

typedef struct {
  IpsfReporter reporter;
  const char *profile;    /* --profile, or NULL */
  const char *signer;     /* --require-signature KEY file, or NULL */
  const char *as_of;      /* --as-of DATE, or NULL (today) */
  IpsfBindOptions bind;
  FailOn fail_on;
  StrList import_dirs;
  StrList allow_native;   /* --allow-native LIB */
  unsigned jobs;          /* --jobs, 0 = number of cores */
  size_t max_sheet_bytes; /* --max-sheet-bytes (docs/limits.md) */
  size_t max_line_bytes;  /* --max-line-bytes */
  bool summary;           /* --summary */
  /* run state (cli/eval_stream.h) */
  EsShared sh;
  IpsfWorker w;             /* the calling thread's worker */
  EsOut out;              /* the ordered writer */
} Run;

static void eval_file(Run *r, const char *path) {
  IpsfSheetFormat format = ipsf_sheet_format_of(path);
  if (format == IPSF_SHEET_JSONL) {
    es_eval_jsonl(&r->out, &r->w, path);
    return;
  }
  IpsfError err = {0};
  IpsfRecordHead h = {path, 0, NULL, r->profile};
  json_t *doc = ipsf_sheet_read_file(path, format, r->max_sheet_bytes, &err);
  if (!doc) {
    r->w.n.sheets++;
    ipsf_worker_error(&r->w, &h, &err);
  } else {
    ipsf_worker_document(&r->w, &h, doc);
    json_decref(doc);
  }
  es_out_take(&r->out, &r->w);
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

static int parse_as_of(Run *r, const char *date) {
  int32_t day;
  if (!ipsf_date_parse(date, &day))
    return cli_usage("eval", "--as-of takes a calendar date YYYY-MM-DD, not '%s'", date);
  r->as_of = date;
  return EXIT_OK;
}

static int parse_fail_on(Run *r, const char *f) {
  if (strcmp(f, "error") == 0) r->fail_on = FAIL_ON_ERROR;
  else if (strcmp(f, "unmet") == 0) r->fail_on = FAIL_ON_UNMET;
  else if (strcmp(f, "never") == 0) r->fail_on = FAIL_ON_NEVER;
  else return cli_usage("eval", "--fail-on takes unmet, error or never, not '%s'", f);
  return EXIT_OK;
}

enum { OPT_FORMAT = 256, OPT_EXPLAIN, OPT_PROFILE, OPT_FAIL_ON, OPT_UNKNOWN, OPT_JOBS,
       OPT_NATIVE, OPT_SIGNATURE, OPT_SUMMARY, OPT_MAX_SHEET, OPT_MAX_LINE, OPT_MAX_COST,
       OPT_AS_OF };

/* A size limit: bytes, or with a K, M or G suffix (powers of 1024), from
 * 1 KiB to 1 GiB (a sheet is read into memory whole). */
static int parse_size(const char *option, const char *a, size_t *out) {
  char *end;
  unsigned long long n = strtoull(a, &end, 10);
  unsigned long long unit = 1;
  if (*end == 'K') unit = 1024, end++;
  else if (*end == 'M') unit = 1024 * 1024, end++;
  else if (*end == 'G') unit = 1024 * 1024 * 1024, end++;
  if (*a < '0' || *a > '9' || *end || n > (1ull << 30) / unit || n * unit < 1024)
    return cli_usage("eval", "%s takes a size from 1K to 1G (bytes, or with K, M, G), not '%s'",
                     option, a);
  *out = (size_t)(n * unit);
  return EXIT_OK;
}

/* --jobs N: 1 to 256. */
static int parse_jobs(Run *r, const char *a) {
  char *end;
  long n = strtol(a, &end, 10);
  if (*a < '0' || *a > '9' || *end || n < 1 || n > 256)
    return cli_usage("eval", "--jobs takes a number from 1 to 256, not '%s'", a);
  r->jobs = (unsigned)n;
  return EXIT_OK;
}

/* The default --jobs: the cores this process may run on. */
static unsigned default_jobs(void) {
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n < 1 ? 1u : n > 256 ? 256u : (unsigned)n;
}

static int parse_options(Run *r, int argc, char **argv) {
  static const struct option opts[] = {
      {"format", required_argument, 0, OPT_FORMAT},
      {"explain", no_argument, 0, OPT_EXPLAIN},
      {"profile", required_argument, 0, OPT_PROFILE},
      {"fail-on", required_argument, 0, OPT_FAIL_ON},
      {"allow-unknown-facts", no_argument, 0, OPT_UNKNOWN},
      {"jobs", required_argument, 0, OPT_JOBS},
      {"summary", no_argument, 0, OPT_SUMMARY},
      {"max-sheet-bytes", required_argument, 0, OPT_MAX_SHEET},
      {"max-cost", required_argument, 0, OPT_MAX_COST},
      {"max-line-bytes", required_argument, 0, OPT_MAX_LINE},
      {"allow-native", required_argument, 0, OPT_NATIVE},
      {"require-signature", required_argument, 0, OPT_SIGNATURE},
      {"as-of", required_argument, 0, OPT_AS_OF},
      {"import", required_argument, 0, 'I'},
      {"help", no_argument, 0, 'h'},
      {0, 0, 0, 0}};
  int c, status = EXIT_OK;
  r->max_sheet_bytes = IPSF_SHEET_MAX_FILE;
  r->max_line_bytes = IPSF_SHEET_MAX_LINE;
  optind = 0;
  opterr = 0;
  while (status == EXIT_OK && (c = getopt_long(argc, argv, ":I:h", opts, NULL)) != -1) {
    switch (c) {
    case OPT_FORMAT: status = parse_format(r, optarg); break;
    case OPT_EXPLAIN: r->reporter.explain = true; break;
    case OPT_PROFILE: r->profile = optarg; break;
    case OPT_FAIL_ON: status = parse_fail_on(r, optarg); break;
    case OPT_UNKNOWN: r->bind.allow_unknown_facts = true; break;
    case OPT_JOBS: status = parse_jobs(r, optarg); break;
    case OPT_SUMMARY: r->summary = true; break;
    case OPT_MAX_SHEET: status = parse_size("--max-sheet-bytes", optarg, &r->max_sheet_bytes); break;
    case OPT_MAX_LINE: status = parse_size("--max-line-bytes", optarg, &r->max_line_bytes); break;
    case OPT_MAX_COST: status = cli_parse_max_cost("eval", optarg); break;
    case OPT_NATIVE: strlist_push(&r->allow_native, optarg); break;
    case OPT_SIGNATURE: r->signer = optarg; break;
    case OPT_AS_OF: status = parse_as_of(r, optarg); break;
    case 'I': strlist_push(&r->import_dirs, optarg); break;
    case 'h': cli_help(help); return -1;
    case ':': status = cli_usage("eval", "%s needs an argument", argv[optind - 1]); break;
    default: status = cli_usage("eval", "unknown option '%s'", argv[optind - 1]); break;
    }
  }
  if (status == EXIT_OK && argc - optind < 2)
    status = cli_usage("eval", "expected a PACK and at least one SHEET");
  return status;
}

/* The stop flag of SIGINT and SIGTERM: the one piece of state a signal
 * handler touches (async-signal-safe: a store to a sig_atomic_t). */
static volatile sig_atomic_t stop_signal;

static void on_stop_signal(int sig) { stop_signal = sig; }

/* The previous dispositions are restored by the caller (cmd_eval returns
 * to main, which exits; a test harness calling cmd_eval again is fine). */
static void catch_stop_signals(struct sigaction old[2]) {
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

static void restore_stop_signals(const struct sigaction old[2]) {
  sigaction(SIGINT, &old[0], NULL);
  sigaction(SIGTERM, &old[1], NULL);
}

static int exit_code(const Run *r) {
  if (r->out.write_failed) return EXIT_INTERNAL;
  if (stop_signal) return 128 + stop_signal;
  if (r->fail_on == FAIL_ON_NEVER) return EXIT_OK;
  if (r->out.total.errors) return EXIT_INPUT;
  if (r->fail_on == FAIL_ON_UNMET && r->out.total.unmet) return EXIT_FINDING;
  return EXIT_OK;
}

/* Evaluate every sheet with the loaded pack; the exit code. */
static int run_sheets(Run *r, const IpsfPack *pack, int nsheets, char **sheets) {
  r->reporter.pack = pack;
  IpsfReportCache *cache = r->reporter.format == IPSF_OUT_JSONL ? ipsf_report_cache_new(pack) : NULL;
  r->reporter.cache = cache;
  r->reporter.color = r->reporter.format == IPSF_OUT_TEXT && cli_color(stdout);
  r->sh = (EsShared){.stop = &stop_signal,
                     .cfg = {.pack = pack,
                             .reporter = r->reporter,
                             .profile = r->profile,
                             .bind = r->bind,
                             .max_line_bytes = r->max_line_bytes,
                             .as_of = r->as_of},
                     .jobs = r->jobs ? r->jobs : default_jobs(),
                     .max_sheet_bytes = r->max_sheet_bytes,
                     .progress = isatty(STDERR_FILENO) != 0};
  if (!ipsf_worker_init(&r->w, &r->sh.cfg)) {
    cli_error("eval", "out of memory");
    ipsf_worker_free(&r->w);
    ipsf_report_cache_free(cache);
    return EXIT_INTERNAL;
  }
  r->out.sh = &r->sh;
  r->out.reporter = &r->reporter;
  clock_gettime(CLOCK_MONOTONIC, &r->out.t0);
  r->out.last_progress = r->out.t0;
  ipsf_report_begin(&r->w.out, &r->reporter);
  es_out_take(&r->out, &r->w);
  for (int i = 0; i < nsheets && !r->out.write_failed && !stop_signal; i++)
    eval_file(r, sheets[i]);
  /* Stopped: the output ends after the last whole record, with no closing
   * bracket, so that it cannot pass for a complete report. */
  if (!stop_signal) {
    ipsf_report_end(&r->w.out, &r->reporter);
    es_out_take(&r->out, &r->w);
  }
  es_finish(&r->out, r->summary || (r->sh.progress && r->reporter.format != IPSF_OUT_TEXT));
  ipsf_worker_free(&r->w);
  ipsf_report_cache_free(cache);
  return exit_code(r);
}

static int eval_main(Run *r, int argc, char **argv) {
  int status = parse_options(r, argc, argv);
  if (status != EXIT_OK) {
    strlist_free(&r->import_dirs);
    strlist_free(&r->allow_native);
    return status < 0 ? EXIT_OK : status;
  }
  uint8_t signer[IPSF_SIGN_KEY_SIZE];
  IpsfError kerr = {0};
  if (r->signer && !ipsf_public_key_load_file(r->signer, signer, &kerr)) {
    cli_error("eval", "%s", kerr.message);
    strlist_free(&r->import_dirs);
    strlist_free(&r->allow_native);
    return EXIT_INPUT;
  }
  IpsfPack *pack = cli_load_pack(argv[optind], &r->import_dirs, &status);
  strlist_free(&r->import_dirs);
  if (!pack) return status;
  /* Before any sheet is read: an unsigned, foreign or altered pack never
   * runs.  The check is on the bytes that were loaded and verified. */
  if (r->signer && !ipsf_pack_check_signature(pack, signer, &kerr)) {
    cli_error("eval", "%s: refusing to evaluate: %s", argv[optind], kerr.message);
    strlist_free(&r->allow_native);
    ipsf_pack_free(pack);
    return EXIT_INPUT;
  }
  /* Without --require-signature a signature is not required, but one that
   * does not verify is never passed over in silence. */
  if (!r->signer) cli_warn_bad_signature("eval", argv[optind], pack);
  /* Also before any sheet: a pack's natives run only from the libraries
   * the evaluator allowed (docs/natives.md). */
  bool bound = ipsf_pack_bind_natives(pack, r->allow_native.items, r->allow_native.count, &kerr);
  strlist_free(&r->allow_native);
  if (!bound) {
    cli_native_refused("eval", argv[optind], "refusing to evaluate", &kerr);
    ipsf_pack_free(pack);
    return kerr.kind == IPSF_ERR_NOMEM ? EXIT_INTERNAL : EXIT_INPUT;
  }
  /* A stop while the pack was loading: no output at all. */
  if (!stop_signal) status = run_sheets(r, pack, argc - optind - 1, argv + optind + 1);
  ipsf_pack_free(pack);
  return status;
}

int cmd_eval(int argc, char **argv) {
  /* From the start, so that a signal during loading is a clean stop too. */
  struct sigaction old[2];
  catch_stop_signals(old);
  Run r = {0};
  int status = eval_main(&r, argc, argv);
  restore_stop_signals(old);
  if (stop_signal && status != EXIT_INTERNAL) {
    fprintf(stderr, "ipsfc eval: stopped by %s after %zu records\n",
            stop_signal == SIGINT ? "SIGINT" : "SIGTERM", r.reporter.written);
    status = 128 + stop_signal;
  }
  return status;
}
