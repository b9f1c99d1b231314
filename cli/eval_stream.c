/*
 * eval_stream.c -- the engine of `ipsfc eval` at registry scale.
 *
 * Work is done by workers (IpsfWorker, runtime/worker.c: an evaluation
 * context, an output buffer, counts); output is written by one writer (EsOut), in input order.
 *
 * JSON Lines come from sheet_stream.c in batches.  Each line is first
 * offered to the fast binder (sheet_fast.c), which binds its facts straight
 * into the context's slots; a line it does not accept is parsed by jansson
 * and evaluated like any document, so records and errors are the same
 * either way.
 *
 * --jobs 1 runs all of it on the calling thread: read a batch, evaluate,
 * write, flush.  --jobs N > 1: the calling thread reads batches into a ring
 * of slots and writes finished slots in order; N worker threads take ready
 * slots in order and evaluate them, each with its own context and buffer.
 * The pack is shared read-only; there is no global mutable state.  Output
 * is byte-identical to --jobs 1 because a record is a function of (pack,
 * line, options) only, and the separators between records are settled by
 * the writer: workers render every record as if it were not the first,
 * and the writer drops the separator of the very first record (json: ",",
 * text: the blank line).
 *
 * Flushing: after every batch, and a batch ends whenever the reader would
 * otherwise wait for input -- so `eval -` works as a filter on a slow pipe
 * without a write(2) per record on a fast one.
 *
 * Record boundaries: standard output is written only here, with write(2)
 * loops of whole batches (never stdio, whose buffer would be cut at a
 * buffer boundary, not a record's), so the output always ends after a
 * record: when a write fails, when a SIGINT or SIGTERM stops the run (the
 * handler only sets sh->stop; a batch being written is written whole, no
 * other is written, no more input is read), and at the end.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "eval_stream.h"

#define BATCH_BYTES (128u * 1024u)
#define BATCH_LINES 4096u

/* ---- the writer ---------------------------------------------------------- */

static double seconds_since(const struct timespec *t0) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

static void progress(EsOut *o) {
  if (!o->sh->progress) return;
  double t = seconds_since(&o->t0);
  if (t < 1.0 || seconds_since(&o->last_progress) < 0.25) return;
  clock_gettime(CLOCK_MONOTONIC, &o->last_progress);
  fprintf(stderr, "\r\x1b[Kipsfc eval: %zu sheets, %.0f sheets/s, %zu errors", o->total.sheets,
          (double)o->total.sheets / t, o->total.errors);
  fflush(stderr);
  o->progress_shown = true;
}

bool es_stopped(const EsShared *sh) { return sh->stop && *sh->stop != 0; }

void es_out_take(EsOut *o, IpsfWorker *w) {
  const char *data = w->out.data;
  size_t len = w->out.len;
  if (w->out.failed && !o->write_failed) {
    fprintf(stderr, "ipsfc eval: out of memory while writing a record\n");
    o->write_failed = true;
  }
  /* The very first record has no separator before it. */
  if (o->reporter->written == 0 && w->out_records && len) {
    IpsfOutFormat f = o->reporter->format;
    if ((f == IPSF_OUT_JSON && data[0] == ',') || (f == IPSF_OUT_SARIF && data[0] == ',') ||
        (f == IPSF_OUT_TEXT && data[0] == '\n')) {
      data++;
      len--;
    }
  }
  int err = 0;
  if (len && !o->write_failed && !cli_write_all(STDOUT_FILENO, data, len, &err)) {
    cli_write_error(err);
    o->write_failed = true;
  }
  o->reporter->written += w->out_records;
  o->total.sheets += w->n.sheets;
  o->total.records += w->n.records;
  o->total.errors += w->n.errors;
  o->total.unmet += w->n.unmet;
  memset(&w->n, 0, sizeof w->n);
  w->out_records = 0;
  w->out.len = 0;
  if (w->out.data) w->out.data[0] = '\0';
  progress(o);
}

void es_finish(EsOut *o, bool summary) {
  if (o->progress_shown) fputs("\r\x1b[K", stderr);
  if (!summary) return;
  double t = seconds_since(&o->t0);
  fprintf(stderr,
          "ipsfc eval: %zu devices, %zu records evaluated, %zu errors, %zu unmet; "
          "%.3f s, %.0f sheets/s\n",
          o->total.sheets, o->total.records, o->total.errors, o->total.unmet, t,
          t > 0 ? (double)o->total.sheets / t : 0.0);
}

/* ---- streams ------------------------------------------------------------- */

/* Before a read that would block (a slow pipe): wait for input, but
 * return false as soon as a stop signal arrives (the stream's own read
 * retries EINTR; poll(2) is never restarted, and a timeout bounds the
 * window between the check of the flag and the wait). */
static bool await_input(const EsOut *o, const IpsfStream *s) {
  while (!es_stopped(o->sh) && ipsf_stream_would_wait(s)) {
    struct pollfd pfd = {s->fd, POLLIN, 0};
    if (poll(&pfd, 1, 200) < 0 && errno != EINTR) break;
  }
  return !es_stopped(o->sh);
}

static void jsonl_serial(EsOut *o, IpsfWorker *w, IpsfStream *s, const char *path) {
  IpsfBatch b;
  ipsf_batch_init(&b);
  while (!o->write_failed && await_input(o, s) &&
         ipsf_stream_fill(s, &b, BATCH_BYTES, BATCH_LINES)) {
    ipsf_worker_batch(w, path, &b);
    es_out_take(o, w);
  }
  ipsf_batch_free(&b);
}

enum { SLOT_FREE, SLOT_READY, SLOT_BUSY, SLOT_DONE };

typedef struct {
  IpsfBatch in;
  IpsfWorker *done_by; /* the worker whose buffer holds the output */
  IpsfBuf out;       /* the output, moved out of the worker */
  IpsfCounts n;
  size_t out_records;
  int state;
} Slot;

typedef struct {
  pthread_mutex_t mu;
  pthread_cond_t work, main;
  Slot *slots;
  size_t nslots;
  uint64_t next_take; /* sequence number of the next batch to evaluate */
  bool quit;
  const char *path;
} Pool;

typedef struct {
  Pool *pool;
  IpsfWorker w;
} Thread;

static void *worker_main(void *arg) {
  Thread *t = arg;
  Pool *p = t->pool;
  pthread_mutex_lock(&p->mu);
  for (;;) {
    Slot *s = &p->slots[p->next_take % p->nslots];
    if (s->state == SLOT_READY) {
      s->state = SLOT_BUSY;
      p->next_take++;
      pthread_mutex_unlock(&p->mu);
      ipsf_worker_batch(&t->w, p->path, &s->in);
      /* Hand the worker's buffer to the slot, take the slot's old one. */
      IpsfBuf tmp = s->out;
      s->out = t->w.out;
      t->w.out = tmp;
      t->w.out.len = 0;
      s->n = t->w.n;
      s->out_records = t->w.out_records;
      memset(&t->w.n, 0, sizeof t->w.n);
      t->w.out_records = 0;
      pthread_mutex_lock(&p->mu);
      s->state = SLOT_DONE;
      pthread_cond_signal(&p->main);
      continue;
    }
    if (p->quit) break;
    pthread_cond_wait(&p->work, &p->mu);
  }
  pthread_mutex_unlock(&p->mu);
  return NULL;
}

/* Write slot s through a stand-in worker (the writer's own view). */
static void write_slot(EsOut *o, IpsfWorker *main_worker, Slot *s) {
  IpsfBuf keep = main_worker->out;
  main_worker->out = s->out;
  main_worker->n = s->n;
  main_worker->out_records = s->out_records;
  es_out_take(o, main_worker);
  s->out = main_worker->out;
  main_worker->out = keep;
}

static bool jsonl_parallel(EsOut *o, IpsfWorker *main_worker, IpsfStream *st, const char *path) {
  unsigned jobs = o->sh->jobs;
  Pool p;
  memset(&p, 0, sizeof p);
  p.path = path;
  p.nslots = 2u * jobs + 1u;
  p.slots = calloc(p.nslots, sizeof *p.slots);
  Thread *th = calloc(jobs, sizeof *th);
  pthread_t *tid = calloc(jobs, sizeof *tid);
  if (!p.slots || !th || !tid) goto nomem;
  pthread_mutex_init(&p.mu, NULL);
  pthread_cond_init(&p.work, NULL);
  pthread_cond_init(&p.main, NULL);
  unsigned started = 0;
  for (; started < jobs; started++) {
    th[started].pool = &p;
    if (!ipsf_worker_init(&th[started].w, &o->sh->cfg) ||
        pthread_create(&tid[started], NULL, worker_main, &th[started]) != 0) {
      ipsf_worker_free(&th[started].w);
      break;
    }
  }
  if (started == 0) {
    pthread_cond_destroy(&p.main);
    pthread_cond_destroy(&p.work);
    pthread_mutex_destroy(&p.mu);
    goto nomem;
  }
  uint64_t next_fill = 0, next_write = 0;
  bool eof = false;
  pthread_mutex_lock(&p.mu);
  for (;;) {
    Slot *w = &p.slots[next_write % p.nslots];
    if (w->state == SLOT_DONE) {
      pthread_mutex_unlock(&p.mu);
      /* After a stop, evaluated batches are dropped, not written. */
      if (!es_stopped(o->sh)) write_slot(o, main_worker, w);
      pthread_mutex_lock(&p.mu);
      w->state = SLOT_FREE;
      next_write++;
      continue;
    }
    if (!eof && (o->write_failed || es_stopped(o->sh))) eof = true; /* read no more */
    if (eof && next_write == next_fill) break;
    Slot *f = &p.slots[next_fill % p.nslots];
    /* Reading may block on a slow pipe: first let finished work out. */
    bool waiting_work = next_write < next_fill;
    if (!eof && f->state == SLOT_FREE && !(waiting_work && ipsf_stream_would_wait(st))) {
      pthread_mutex_unlock(&p.mu);
      int got = o->write_failed || !await_input(o, st)
                    ? 0
                    : ipsf_stream_fill(st, &f->in, BATCH_BYTES, BATCH_LINES);
      pthread_mutex_lock(&p.mu);
      if (got) {
        f->state = SLOT_READY;
        next_fill++;
        pthread_cond_signal(&p.work);
      } else {
        eof = true;
      }
      continue;
    }
    pthread_cond_wait(&p.main, &p.mu);
  }
  p.quit = true;
  pthread_cond_broadcast(&p.work);
  pthread_mutex_unlock(&p.mu);
  for (unsigned i = 0; i < started; i++) {
    pthread_join(tid[i], NULL);
    ipsf_worker_free(&th[i].w);
  }
  for (size_t i = 0; i < p.nslots; i++) {
    ipsf_batch_free(&p.slots[i].in);
    ipsf_buf_free(&p.slots[i].out);
  }
  pthread_cond_destroy(&p.main);
  pthread_cond_destroy(&p.work);
  pthread_mutex_destroy(&p.mu);
  free(p.slots);
  free(th);
  free(tid);
  return true;
nomem:
  free(p.slots);
  free(th);
  free(tid);
  return false; /* run it serially instead */
}

void es_eval_jsonl(EsOut *o, IpsfWorker *w, const char *path) {
  IpsfStream s;
  IpsfError err = {0};
  if (!ipsf_stream_open(&s, path, &err)) {
    IpsfRecordHead h = {path, 0, NULL, o->sh->cfg.profile};
    w->n.sheets++;
    ipsf_worker_error(w, &h, &err);
    es_out_take(o, w);
    ipsf_stream_close(&s);
    return;
  }
  s.max_line = o->sh->cfg.max_line_bytes;
  if (o->sh->jobs <= 1 || !jsonl_parallel(o, w, &s, path)) jsonl_serial(o, w, &s, path);
  ipsf_stream_close(&s);
}
