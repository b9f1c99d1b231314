/*
 * eval_stream.h -- the engine of `ipsfc eval`: evaluating documents and
 * JSON Lines streams, in parallel with ordered output (cli/eval_stream.c).
 * cli/eval.c owns the options and the exit code; this owns the work.
 */
#ifndef IPSF_EVAL_STREAM_H
#define IPSF_EVAL_STREAM_H

#include <signal.h>
#include <time.h>

#include "worker.h"

/* What the run shares: the workers' configuration, and what only the
 * stream driver and the writer read. */
typedef struct {
  IpsfWorkerConfig cfg;   /* pack, reporter, --profile, binding, line limit */
  unsigned jobs;          /* >= 1 */
  size_t max_sheet_bytes; /* a JSON or YAML sheet file (--max-sheet-bytes) */
  bool progress;          /* a progress line on stderr (a terminal) */
  /* Set (to the signal's number) by the SIGINT/SIGTERM handler of
   * cli/eval.c, NULL if none: the reader reads no more, the writer writes
   * no more records after the batch it is writing. */
  volatile sig_atomic_t *stop;
} EsShared;

/* The ordered output: the one place that writes standard output. */
typedef struct {
  const EsShared *sh;
  IpsfReporter *reporter; /* `written` counts every record output */
  IpsfCounts total;
  bool write_failed;      /* reported ("ipsfc: write error: ...") */
  struct timespec t0, last_progress;
  bool progress_shown;
} EsOut;

/* Move w's output (records, counts) to standard output, in order. */
void es_out_take(EsOut *o, IpsfWorker *w);
/* True once a stop signal arrived. */
bool es_stopped(const EsShared *sh);
/* A JSON Lines stream (path "-" = standard input), --jobs workers. */
void es_eval_jsonl(EsOut *o, IpsfWorker *main_worker, const char *path);
/* Clear the progress line (if shown); print the summary line if asked. */
void es_finish(EsOut *o, bool summary);

#endif
