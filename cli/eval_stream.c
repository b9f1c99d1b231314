/*
 * eval_stream.c -- `ipsfc eval`'s output: the runner's chunks written to
 * standard output, a progress line, a summary line.
 *
 * The work -- batches, worker threads, output in input order, stopping on
 * a signal -- is the runtime's runner (runtime/stream.c), which embedders
 * use too; this file is what only the CLI does with its output.
 *
 * Record boundaries: standard output is written only here, with write(2)
 * loops of whole chunks (never stdio, whose buffer would be cut at a
 * buffer boundary, not a record's), so the output always ends after a
 * record: when a write fails (the runner is told to stop), when a SIGINT
 * or SIGTERM stops the run (the runner passes nothing more), and at the
 * end.
 */
#include <stdio.h>
#include <unistd.h>

#include "cli.h"
#include "eval_stream.h"

static double seconds_since(const struct timespec *t0) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

void es_start(EsOut *o, const IpsfRunner *runner, bool progress) {
  o->runner = runner;
  o->progress = progress;
  clock_gettime(CLOCK_MONOTONIC, &o->t0);
  o->last_progress = o->t0;
}

static void progress(EsOut *o) {
  if (!o->progress) return;
  double t = seconds_since(&o->t0);
  if (t < 1.0 || seconds_since(&o->last_progress) < 0.25) return;
  clock_gettime(CLOCK_MONOTONIC, &o->last_progress);
  IpsfRunCounts c;
  ipsf_runner_counts(o->runner, &c);
  fprintf(stderr, "\r\x1b[Kipsfc eval: %zu sheets, %.0f sheets/s, %zu errors", c.sheets,
          (double)c.sheets / t, c.errors);
  fflush(stderr);
  o->progress_shown = true;
}

int es_write(void *user, const char *bytes, size_t len, const IpsfRunRecord *records, size_t n) {
  (void)records;
  (void)n;
  EsOut *o = user;
  int err = 0;
  if (len && !cli_write_all(STDOUT_FILENO, bytes, len, &err)) {
    cli_write_error(err);
    o->write_failed = true;
    return 1;
  }
  progress(o);
  return 0;
}

void es_finish(EsOut *o, const IpsfRunCounts *total, bool summary) {
  if (o->progress_shown) fputs("\r\x1b[K", stderr);
  if (!summary) return;
  double t = seconds_since(&o->t0);
  fprintf(stderr,
          "ipsfc eval: %zu devices, %zu records evaluated, %zu errors, %zu unmet; "
          "%.3f s, %.0f sheets/s\n",
          total->sheets, total->records, total->errors, total->unmet, t,
          t > 0 ? (double)total->sheets / t : 0.0);
}
