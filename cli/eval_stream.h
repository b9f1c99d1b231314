/*
 * eval_stream.h -- what of `ipsfc eval`'s output is the CLI's own
 * (cli/eval_stream.c): writing the runner's chunks to standard output, the
 * progress line, the summary.  The evaluation itself, threads and ordering
 * included, is the runtime's runner (include/ipsf.h, runtime/stream.c).
 */
#ifndef IPSF_EVAL_STREAM_H
#define IPSF_EVAL_STREAM_H

#include <getopt.h>
#include <signal.h>
#include <time.h>

#include "cli.h"
#include "ipsf.h"
#include "report.h"
#include "sheet.h"

/* The writer: the one place that writes standard output. */
typedef struct {
  const IpsfRunner *runner; /* for the progress line's counts */
  bool progress;            /* a progress line on stderr (a terminal) */
  bool write_failed;        /* reported ("ipsfc: write error: ...") */
  struct timespec t0, last_progress;
  bool progress_shown;
} EsOut;

/* Start the clock; progress: show a progress line. */
void es_start(EsOut *o, const IpsfRunner *runner, bool progress);
/* The runner's write function (user: an EsOut): write(2) loops of whole
 * chunks; non-zero (stop) after a write error. */
int es_write(void *user, const char *bytes, size_t len, const IpsfRunRecord *records, size_t n);
/* Clear the progress line (if shown); print the summary line if asked. */
void es_finish(EsOut *o, const IpsfRunCounts *total, bool summary);

/* ---- eval's options and run, shared with `report` (cli/eval.c) ---- */

typedef enum { FAIL_ON_ERROR, FAIL_ON_UNMET, FAIL_ON_NEVER } FailOn;

typedef struct {
  IpsfReporter reporter;  /* --format, --explain; `written` at the end */
  const char *profile;    /* --profile, or NULL */
  const char *signer;     /* --require-signature KEY file, or NULL */
  IpsfBindOptions bind;
  FailOn fail_on;
  StrList import_dirs;
  StrList allow_native;   /* --allow-native LIB */
  unsigned jobs;          /* --jobs, 0 = number of cores */
  size_t max_sheet_bytes; /* --max-sheet-bytes (docs/limits.md) */
  size_t max_line_bytes;  /* --max-line-bytes */
  IpsfSheetFormat stdin_format; /* eval --stdin-format: what '-' holds */
  const char *as_of;      /* --as-of DATE, or NULL (today) */
  bool summary;           /* --summary */
  /* run state */
  IpsfRunner *runner;
  EsOut out;              /* eval's writer (report: write_failed only) */
  IpsfRunCounts total;    /* at the end (eval_runner_done) */
  bool stdin_failed;      /* --stdin-format: standard input could not be read */
} EvalRun;

/* getopt codes of the shared options (and 'I'); a verb's own start at
 * EVAL_OPT_END. */
enum { EVAL_OPT_PROFILE = 256, EVAL_OPT_FAIL_ON, EVAL_OPT_UNKNOWN, EVAL_OPT_JOBS, EVAL_OPT_MAX_SHEET,
       EVAL_OPT_MAX_LINE, EVAL_OPT_MAX_COST, EVAL_OPT_NATIVE, EVAL_OPT_SIGNATURE,
       EVAL_OPT_AS_OF, EVAL_OPT_END = 300 };
#define EVAL_OPT_NOT_SHARED (-100)
/* --profile, --fail-on, --allow-unknown-facts, --jobs, --max-sheet-bytes, --max-cost,
 * --max-line-bytes, --allow-native, --require-signature, -I/--import;
 * terminated by a zero entry. */
extern const struct option eval_shared_options[];
void eval_options_init(EvalRun *r);
/* EXIT_OK, a usage error for verb, or EVAL_OPT_NOT_SHARED. */
int eval_shared_option(EvalRun *r, const char *verb, int c, const char *arg);
/* Key, pack, signature, natives, as eval checks them; frees the lists. */
IpsfPack *eval_open_pack(EvalRun *r, const char *verb, const char *path, int *status);
/* flags, profile, jobs, limits, the stop flag of the signal handler. */
void eval_runner_options(const EvalRun *r, IpsfRunnerOptions *o);
/* After ipsf_runner_finish: r->total, and an out-of-memory stop reported. */
void eval_runner_done(EvalRun *r, const char *verb);
void eval_catch_stop_signals(struct sigaction old[2]);
void eval_restore_stop_signals(const struct sigaction old[2]);
/* eval's exit code for a finished run: 4 write error, 128 + signal, then
 * by --fail-on: 3 error records, 1 unmet, 0. */
int eval_exit_code(const EvalRun *r);
int eval_stop_signal(void); /* 0, or SIGINT/SIGTERM once one arrived */

#endif
