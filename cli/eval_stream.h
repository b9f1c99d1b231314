/*
 * eval_stream.h -- the engine of `ipsfc eval`: evaluating documents and
 * JSON Lines streams, in parallel with ordered output (cli/eval_stream.c).
 * cli/eval.c owns the options and the exit code; this owns the work.
 */
#ifndef IPSF_EVAL_STREAM_H
#define IPSF_EVAL_STREAM_H

#include <signal.h>
#include <time.h>

#include "report.h"
#include "sheet.h"

/* What every worker reads and never writes. */
typedef struct {
  const IpsfPack *pack;
  IpsfReporter reporter;  /* format, explain, color, pack */
  const char *profile;    /* --profile, or NULL */
  IpsfBindOptions bind;
  unsigned jobs;          /* >= 1 */
  size_t max_sheet_bytes; /* a JSON or YAML sheet file (--max-sheet-bytes) */
  size_t max_line_bytes;  /* a JSON Lines line (--max-line-bytes) */
  bool progress;          /* a progress line on stderr (a terminal) */
  /* Set (to the signal's number) by the SIGINT/SIGTERM handler of
   * cli/eval.c, NULL if none: the reader reads no more, the writer writes
   * no more records after the batch it is writing. */
  volatile sig_atomic_t *stop;
} EsShared;

/* Counts of a run (or of one batch, summed in order). */
typedef struct {
  size_t sheets;   /* documents and non-blank lines read */
  size_t records;  /* records evaluated without error */
  size_t errors;   /* error records */
  size_t unmet;    /* requirements applying and not shown met */
} EsCounts;

/* One evaluator: a context, an output buffer, counts.  One per thread. */
typedef struct {
  const EsShared *sh;
  IpsfEval *ev;
  IpsfBuf out;
  IpsfReporter rep;   /* a copy of sh->reporter; `written` kept at 1 */
  size_t out_records; /* records in out (for the first separator) */
  EsCounts n;
  char *scratch;      /* decoded strings of the fast path */
  size_t scratch_cap;
} EsWorker;

/* The ordered output: the one place that writes standard output. */
typedef struct {
  const EsShared *sh;
  IpsfReporter *reporter; /* `written` counts every record output */
  EsCounts total;
  bool write_failed;      /* reported ("ipsfc: write error: ...") */
  struct timespec t0, last_progress;
  bool progress_shown;
} EsOut;

bool es_worker_init(EsWorker *w, const EsShared *sh);
void es_worker_free(EsWorker *w);
/* One parsed document (JSON, YAML, or a line): a record per profile. */
void es_eval_document(EsWorker *w, IpsfRecordHead *h, json_t *doc);
void es_error(EsWorker *w, const IpsfRecordHead *h, const IpsfError *err);
/* Move w's output (records, counts) to standard output, in order. */
void es_out_take(EsOut *o, EsWorker *w);
/* True once a stop signal arrived. */
bool es_stopped(const EsShared *sh);
/* A JSON Lines stream (path "-" = standard input), --jobs workers. */
void es_eval_jsonl(EsOut *o, EsWorker *main_worker, const char *path);
/* Clear the progress line (if shown); print the summary line if asked. */
void es_finish(EsOut *o, bool summary);

#endif
