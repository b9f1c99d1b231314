/*
 * stream.c -- the runner (ipsf.h, "streaming"): many sheets evaluated on N
 * threads, records handed to the caller in input order.  `ipsfc eval` and
 * `ipsfc report` are two of its callers; an embedder is another.
 *
 * Work is done by workers (IpsfWorker, worker.c: a context, an output
 * buffer, views, counts); the caller's write function sees the output, one
 * chunk at a time, always on the thread that called into the runner.
 *
 * The ordering invariant.  A record is a function of (pack, options, the
 * sheet's text, its name and line) only: no worker state leaks from one
 * record into the next.  So batches can be evaluated anywhere, in any
 * order, as long as their outputs are passed on in the order the batches
 * were read.  The runner numbers batches as it reads them (next_fill),
 * workers take them in that order (next_take), and the calling thread
 * passes them on strictly in that order (next_write): a finished batch
 * waits in its slot until every earlier one has been passed.  Hence
 * output is byte-identical for every `jobs`, and the counts, summed in
 * passing order, are those of the records passed, whatever was evaluated
 * beyond a stop.
 *
 * Separators.  What separates records (json: ",\n  ", text: a blank line,
 * sarif: ",") depends on whether a record is the first of the run, which a
 * worker cannot know; workers render every record as if it were not the
 * first, and the one place that passes output on (deliver) drops the
 * separator of the very first record.
 *
 * Threads (jobs > 1, JSON Lines only): the calling thread reads batches
 * into a ring of 2 * jobs + 1 slots and passes finished slots on in order;
 * jobs - 1 threads, and the calling thread whenever it has nothing to read
 * or pass on, take ready slots in order and evaluate them, each with its
 * own worker, and swap their output buffers with the slot's (no copy).
 * One mutex and two condition variables guard the slots' states; a slot's
 * contents belong to whoever moved it to its current state (READY: a
 * worker may take it; BUSY: that worker; DONE, FREE: the calling thread).
 * The pack is shared read-only; there is no global mutable state.  Threads
 * live for the duration of one ipsf_runner_jsonl_* call.
 *
 * Stopping.  The stop flag (a signal handler's) and the write function's
 * non-zero return stop the run the same way: no more input is read; a
 * batch evaluated but not passed is dropped; nothing more is passed, not
 * even the format's closing, so the output ends after a whole record and
 * cannot pass for a complete document.  Reads that would block are done
 * only after a poll(2) that returns every 200 ms to look at the flag.
 *
 * Flushing: after every batch, and a batch ends whenever the reader would
 * otherwise wait for input -- so a slow pipe's records come out as its
 * lines come in, without a write per record on a fast one.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "worker.h"

#define BATCH_BYTES (128u * 1024u)
#define BATCH_LINES 4096u

struct ipsf_runner {
  IpsfWorkerConfig cfg;
  IpsfReportCache *cache;
  char *profile; /* owned copy */
  char *as_of;   /* owned copy, or NULL */
  unsigned jobs;
  size_t max_sheet_bytes;
  const volatile sig_atomic_t *stop;
  IpsfRunnerWrite write;
  void *user;
  IpsfWorker w;      /* the calling thread's worker */
  IpsfViews views;   /* its views */
  IpsfRunState state;
  bool begun, finished;
  size_t written;    /* records passed */
  bool record_bytes; /* some record's bytes were passed (its separator decided) */
  IpsfRunCounts total;
  IpsfRunRecord *recs; /* what deliver passes, reused */
  size_t recs_cap;
};

/* ---- passing output on ----------------------------------------------------- */

static bool stopped(IpsfRunner *r) {
  if (r->state == IPSF_RUN_GOING && r->stop && *r->stop) r->state = IPSF_RUN_STOP_FLAG;
  return r->state != IPSF_RUN_GOING;
}

static const char *view_str(const IpsfViews *v, size_t at) {
  return at ? v->strings.data + at - 1 : NULL;
}

/* The views of a chunk as the public records; false when out of memory. */
static bool make_records(IpsfRunner *r, const char *data, size_t skip, const IpsfViews *v,
                         const char *sheet) {
  if (v->count > r->recs_cap) {
    size_t cap = v->count < 256 ? 256 : v->count;
    IpsfRunRecord *p = realloc(r->recs, cap * sizeof *p);
    if (!p) return false;
    r->recs = p;
    r->recs_cap = cap;
  }
  size_t start = skip;
  for (size_t i = 0; i < v->count; i++) {
    const IpsfView *it = &v->items[i];
    IpsfRunRecord *rec = &r->recs[i];
    /* a record before the skipped separator has no bytes (sarif, all met) */
    size_t end = it->end < skip ? skip : it->end;
    rec->bytes = data + start;
    rec->len = end - start;
    start = end;
    rec->sheet = sheet;
    rec->line = it->line;
    rec->device = view_str(v, it->device);
    rec->profile = view_str(v, it->profile);
    rec->error = it->error;
    rec->message = view_str(v, it->message);
    rec->level[0] = it->level[0];
    rec->level[1] = it->level[1];
    rec->status = it->error == IPSF_ERR_NONE ? (const uint8_t *)v->strings.data + it->status : NULL;
  }
  return true;
}

/* Pass w's output (records, counts) on, in order, and empty it. */
static void deliver(IpsfRunner *r, IpsfWorker *w, const char *sheet) {
  static const IpsfViews none; /* IPSF_NO_VIEWS: no records, only bytes */
  IpsfViews *v = w->views;
  const IpsfViews *cv = v ? v : &none;
  const char *data = w->out.data ? w->out.data : "";
  size_t len = w->out.len, skip = 0;
  if (w->out.failed || cv->failed || cv->strings.failed) r->state = IPSF_RUN_NOMEM;
  if (r->state == IPSF_RUN_GOING) {
    /* The first record bytes of the run have no separator before them
     * (in sarif, not necessarily the first record's: one whose
     * requirements are all met writes none). */
    if (!r->record_bytes && w->out_records)
      skip = ipsf_report_first_skip(r->cfg.reporter.format, data, len);
    if (w->out_records && len > skip) r->record_bytes = true;
    r->written += w->out_records;
    r->total.sheets += w->n.sheets;
    r->total.records += w->n.records;
    r->total.errors += w->n.errors;
    r->total.unmet += w->n.unmet;
    if (!make_records(r, data, skip, cv, sheet)) r->state = IPSF_RUN_NOMEM;
    else if ((len > skip || cv->count) &&
             r->write(r->user, data + skip, len - skip, r->recs, cv->count) != 0)
      r->state = IPSF_RUN_STOP_WRITE;
  }
  memset(&w->n, 0, sizeof w->n);
  w->out_records = 0;
  w->out.len = 0;
  if (w->out.data) w->out.data[0] = '\0';
  if (v) ipsf_views_clear(v);
}

/* The format's opening, before the first source. */
static void begin(IpsfRunner *r) {
  if (r->begun) return;
  r->begun = true;
  IpsfReporter rep = r->cfg.reporter;
  if (!r->cfg.no_bytes) ipsf_report_begin(&r->w.out, &rep);
  deliver(r, &r->w, NULL);
}

/* ---- JSON Lines on the calling thread ------------------------------------------ */

/* Before a read that would block (a slow pipe): wait for input, but
 * return false as soon as the run stops (the stream's own read retries
 * EINTR; poll(2) is never restarted, and its timeout bounds the window
 * between the check of the flag and the wait). */
static bool await_input(IpsfRunner *r, const IpsfStream *s) {
  while (!stopped(r) && ipsf_stream_would_wait(s)) {
    struct pollfd pfd = {s->fd, POLLIN, 0};
    if (poll(&pfd, 1, 200) < 0 && errno != EINTR) break;
  }
  return !stopped(r);
}

static void jsonl_serial(IpsfRunner *r, IpsfStream *s, const char *name) {
  IpsfBatch b;
  ipsf_batch_init(&b);
  while (await_input(r, s) && ipsf_stream_fill(s, &b, BATCH_BYTES, BATCH_LINES)) {
    ipsf_worker_batch(&r->w, name, &b);
    deliver(r, &r->w, name);
  }
  ipsf_batch_free(&b);
}

/* ---- JSON Lines on `jobs` threads ------------------------------------------------ */

enum { SLOT_FREE, SLOT_READY, SLOT_BUSY, SLOT_DONE };

/* A batch and, once evaluated, its output (moved out of the worker). */
typedef struct {
  IpsfBatch in;
  IpsfBuf out;
  IpsfViews views;
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
  const char *name;
  const IpsfWorkerConfig *cfg;
} Pool;

/* Each thread's own evaluator.  Threads are apart by at least 128 bytes
 * (two cache lines), and each thread allocates its worker itself, from
 * its own malloc arena: a worker writes its output buffer's length and its
 * context's state for every record, and two workers' state sharing cache
 * lines cost --jobs 2 about a tenth of its CPU time (docs/performance.md,
 * issue 16). */
typedef struct {
  _Alignas(128) Pool *pool;
  IpsfWorker w;
  IpsfViews views;
  bool want_views; /* set before the thread starts */
  int init;        /* under pool->mu: 0 starting, 1 ready, -1 out of memory */
} Thread;

/* Swap a worker's output with a slot's (buffers change hands, no copy). */
static void swap_output(IpsfWorker *w, Slot *s) {
  IpsfBuf b = s->out;
  s->out = w->out;
  w->out = b;
  if (w->views) {
    IpsfViews v = s->views;
    s->views = *w->views;
    *w->views = v;
  }
  IpsfCounts n = s->n;
  s->n = w->n;
  w->n = n;
  size_t k = s->out_records;
  s->out_records = w->out_records;
  w->out_records = k;
}

static void *worker_main(void *arg) {
  Thread *t = arg;
  Pool *p = t->pool;
  bool ok = ipsf_worker_init(&t->w, p->cfg);
  if (ok && t->want_views) t->w.views = &t->views;
  pthread_mutex_lock(&p->mu);
  t->init = ok ? 1 : -1;
  pthread_cond_broadcast(&p->main);
  if (!ok) {
    pthread_mutex_unlock(&p->mu);
    return NULL;
  }
  for (;;) {
    Slot *s = &p->slots[p->next_take % p->nslots];
    if (s->state == SLOT_READY) {
      s->state = SLOT_BUSY;
      p->next_take++;
      pthread_mutex_unlock(&p->mu);
      ipsf_worker_batch(&t->w, p->name, &s->in);
      swap_output(&t->w, s); /* the slot's old output was emptied when passed */
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

/* Pass slot s on through the calling thread's worker, then give the
 * emptied buffers back to the slot. */
static void pass_slot(IpsfRunner *r, Slot *s, const char *name) {
  swap_output(&r->w, s);
  deliver(r, &r->w, name);
  swap_output(&r->w, s);
}

static void pool_free(Pool *p, Thread *th, pthread_t *tid, unsigned started) {
  for (unsigned i = 0; i < started; i++) {
    pthread_join(tid[i], NULL);
    ipsf_worker_free(&th[i].w);
    ipsf_views_free(&th[i].views);
  }
  for (size_t i = 0; p->slots && i < p->nslots; i++) {
    ipsf_batch_free(&p->slots[i].in);
    ipsf_buf_free(&p->slots[i].out);
    ipsf_views_free(&p->slots[i].views);
  }
  free(p->slots);
  free(th);
  free(tid);
}

/* The calling thread's loop: read into free slots, pass done ones on, and
 * when it has neither to do, evaluate the next ready slot itself with its
 * own worker `self` (NULL: only wait) rather than sleep. */
static void pool_drive(IpsfRunner *r, Pool *p, IpsfStream *st, Thread *self) {
  uint64_t next_fill = 0, next_write = 0;
  bool eof = false;
  pthread_mutex_lock(&p->mu);
  for (;;) {
    Slot *w = &p->slots[next_write % p->nslots];
    if (w->state == SLOT_DONE) {
      pthread_mutex_unlock(&p->mu);
      /* After a stop, evaluated batches are dropped, not passed. */
      if (!stopped(r)) pass_slot(r, w, p->name);
      pthread_mutex_lock(&p->mu);
      w->state = SLOT_FREE;
      next_write++;
      continue;
    }
    if (!eof && stopped(r)) eof = true; /* read no more */
    if (eof && next_write == next_fill) break;
    Slot *f = &p->slots[next_fill % p->nslots];
    /* Reading may block on a slow pipe: first let finished work out. */
    bool waiting_work = next_write < next_fill;
    if (!eof && f->state == SLOT_FREE && !(waiting_work && ipsf_stream_would_wait(st))) {
      pthread_mutex_unlock(&p->mu);
      int got = await_input(r, st) ? ipsf_stream_fill(st, &f->in, BATCH_BYTES, BATCH_LINES) : 0;
      pthread_mutex_lock(&p->mu);
      if (got) {
        f->state = SLOT_READY;
        next_fill++;
        pthread_cond_signal(&p->work);
      } else {
        eof = true;
      }
      continue;
    }
    Slot *t = &p->slots[p->next_take % p->nslots];
    if (self && t->state == SLOT_READY) {
      t->state = SLOT_BUSY;
      p->next_take++;
      pthread_mutex_unlock(&p->mu);
      if (!stopped(r)) { /* after a stop it would be dropped: only retire it */
        ipsf_worker_batch(&self->w, p->name, &t->in);
        swap_output(&self->w, t);
      }
      pthread_mutex_lock(&p->mu);
      t->state = SLOT_DONE;
      continue;
    }
    pthread_cond_wait(&p->main, &p->mu);
  }
  p->quit = true;
  pthread_cond_broadcast(&p->work);
  pthread_mutex_unlock(&p->mu);
}

/* false (nothing read) when threads cannot be had: run serially instead. */
static bool jsonl_parallel(IpsfRunner *r, IpsfStream *st, const char *name) {
  unsigned jobs = r->jobs;
  Pool p;
  memset(&p, 0, sizeof p);
  p.name = name;
  p.nslots = 2u * jobs + 1u;
  p.cfg = &r->cfg;
  p.slots = calloc(p.nslots, sizeof *p.slots);
  Thread *th = aligned_alloc(_Alignof(Thread), jobs * sizeof *th);
  if (th) memset(th, 0, jobs * sizeof *th);
  pthread_t *tid = calloc(jobs, sizeof *tid);
  if (!p.slots || !th || !tid) {
    pool_free(&p, th, tid, 0);
    return false;
  }
  pthread_mutex_init(&p.mu, NULL);
  pthread_cond_init(&p.work, NULL);
  pthread_cond_init(&p.main, NULL);
  /* jobs - 1 threads; the calling thread, between reading and passing
   * output on, is the jobs-th evaluator (th[jobs - 1], not started): so
   * `jobs` threads compete for the cores, not jobs + 1 with one of them
   * mostly asleep (measured: docs/performance.md, issue 16). */
  Thread *self = &th[jobs - 1];
  bool self_ok = ipsf_worker_init(&self->w, &r->cfg);
  if (self_ok && r->w.views) self->w.views = &self->views;
  unsigned started = 0;
  for (; started < jobs - 1; started++) {
    th[started].pool = &p;
    th[started].want_views = r->w.views != NULL;
    if (pthread_create(&tid[started], NULL, worker_main, &th[started]) != 0) break;
  }
  unsigned ready = 0; /* threads whose worker could be made */
  pthread_mutex_lock(&p.mu);
  for (unsigned i = 0; i < started; i++) {
    while (th[i].init == 0) pthread_cond_wait(&p.main, &p.mu);
    ready += th[i].init > 0;
  }
  pthread_mutex_unlock(&p.mu);
  bool run = ready > 0 || self_ok;
  if (run) {
    pool_drive(r, &p, st, self_ok ? self : NULL);
  } else { /* nothing read: let the threads go, the caller runs serially */
    pthread_mutex_lock(&p.mu);
    p.quit = true;
    pthread_cond_broadcast(&p.work);
    pthread_mutex_unlock(&p.mu);
  }
  ipsf_worker_free(&self->w);
  ipsf_views_free(&self->views);
  pool_free(&p, th, tid, started);
  pthread_cond_destroy(&p.main);
  pthread_cond_destroy(&p.work);
  pthread_mutex_destroy(&p.mu);
  return run;
}

/* ---- sources --------------------------------------------------------------------- */

static bool jsonl(IpsfRunner *r, IpsfStream *s, const char *name) {
  begin(r);
  if (stopped(r)) return false;
  s->max_line = r->cfg.max_line_bytes;
  if (r->jobs <= 1 || !jsonl_parallel(r, s, name)) jsonl_serial(r, s, name);
  return !stopped(r);
}

bool ipsf_runner_jsonl_fd(IpsfRunner *r, int fd, const char *name) {
  IpsfStream s;
  ipsf_stream_open_fd(&s, fd);
  bool going = jsonl(r, &s, name);
  ipsf_stream_close(&s);
  return going;
}

bool ipsf_runner_jsonl_read(IpsfRunner *r, IpsfRunnerRead read, void *user, const char *name) {
  IpsfStream s;
  ipsf_stream_open_read(&s, read, user);
  bool going = jsonl(r, &s, name);
  ipsf_stream_close(&s);
  return going;
}

static long read_file(void *user, char *buf, size_t cap) {
  FILE *in = user;
  size_t got = fread(buf, 1, cap, in);
  if (got == 0 && ferror(in)) return -1;
  return (long)got;
}

bool ipsf_runner_jsonl_file(IpsfRunner *r, FILE *in, const char *name) {
  return ipsf_runner_jsonl_read(r, read_file, in, name);
}

/* An error record for a whole source (no line). */
static bool source_error(IpsfRunner *r, const char *name, const IpsfError *err) {
  IpsfRecordHead h = {name, 0, NULL, r->cfg.profile};
  r->w.n.sheets++;
  ipsf_worker_error(&r->w, &h, err);
  deliver(r, &r->w, name);
  return !stopped(r);
}

/* A parsed document (or NULL with err): its records, passed on. */
static bool document(IpsfRunner *r, json_t *doc, const IpsfError *err, const char *name) {
  if (!doc) return source_error(r, name, err);
  IpsfRecordHead h = {name, 0, NULL, r->cfg.profile};
  ipsf_worker_document(&r->w, &h, doc);
  json_decref(doc);
  deliver(r, &r->w, name);
  return !stopped(r);
}

bool ipsf_runner_path(IpsfRunner *r, const char *path) {
  begin(r);
  if (stopped(r)) return false;
  IpsfSheetFormat format = ipsf_sheet_format_of(path);
  if (format == IPSF_SHEET_JSONL) {
    IpsfStream s;
    IpsfError err = {0};
    if (!ipsf_stream_open(&s, path, &err)) {
      ipsf_stream_close(&s);
      return source_error(r, path, &err);
    }
    bool going = jsonl(r, &s, path);
    ipsf_stream_close(&s);
    return going;
  }
  IpsfError err = {0};
  json_t *doc = ipsf_sheet_read_file(path, format, r->max_sheet_bytes, &err);
  return document(r, doc, &err, path);
}

bool ipsf_runner_document(IpsfRunner *r, const char *text, size_t len, IpsfSheetSyntax syntax,
                          const char *name) {
  begin(r);
  if (stopped(r)) return false;
  IpsfError err = {0};
  json_t *doc = syntax == IPSF_SYNTAX_YAML    ? ipsf_sheet_parse_yaml(text, len, &err)
                : syntax == IPSF_SYNTAX_JSONL ? ipsf_sheet_parse_jsonl_line(text, len, &err)
                                              : ipsf_sheet_parse_json(text, len, &err);
  return document(r, doc, &err, name);
}

/* ---- the runner -------------------------------------------------------------------- */

static bool out_format(IpsfRecordFormat f, IpsfOutFormat *out) {
  static const IpsfOutFormat map[] = {IPSF_OUT_TEXT, IPSF_OUT_JSON,  IPSF_OUT_JSONL,
                                      IPSF_OUT_CSV,  IPSF_OUT_SARIF, IPSF_OUT_JUNIT};
  if ((unsigned)f >= sizeof map / sizeof map[0]) return false;
  *out = map[f];
  return true;
}

void ipsf_runner_free(IpsfRunner *r) {
  if (!r) return;
  ipsf_worker_free(&r->w);
  ipsf_views_free(&r->views);
  ipsf_report_cache_free(r->cache);
  free(r->profile);
  free(r->as_of);
  free(r->recs);
  free(r);
}

IpsfRunner *ipsf_runner_new(const IpsfPack *pack, const IpsfRunnerOptions *o, IpsfError *err) {
  if (!o || !o->write) {
    ipsf_fail(err, IPSF_ERR_INTERNAL, "runner options without a write function");
    return NULL;
  }
  IpsfOutFormat f = IPSF_OUT_JSONL;
  bool none = o->format == IPSF_RECORDS_NONE;
  if (!none && !out_format(o->format, &f)) {
    ipsf_fail(err, IPSF_ERR_INTERNAL, "unknown record format %d", (int)o->format);
    return NULL;
  }
  IpsfRunner *r = calloc(1, sizeof *r);
  if (!r) goto nomem;
  r->cfg.pack = pack;
  r->cfg.reporter.format = f;
  r->cfg.no_bytes = none;
  r->cfg.reporter.explain = (o->flags & IPSF_EXPLAIN) != 0;
  r->cfg.reporter.color = f == IPSF_OUT_TEXT && (o->flags & IPSF_COLOR) != 0;
  r->cfg.reporter.pack = pack;
  r->cfg.bind.allow_unknown_facts = (o->flags & IPSF_ALLOW_UNKNOWN_FACTS) != 0;
  r->cfg.max_line_bytes = o->max_line_bytes ? o->max_line_bytes : IPSF_SHEET_MAX_LINE;
  r->max_sheet_bytes = o->max_sheet_bytes ? o->max_sheet_bytes : IPSF_SHEET_MAX_FILE;
  r->jobs = o->jobs;
  r->stop = o->stop;
  r->write = o->write;
  r->user = o->user;
  if (o->profile && !(r->profile = strdup(o->profile))) goto nomem;
  r->cfg.profile = r->profile;
  int32_t day;
  if (o->as_of && !ipsf_date_parse(o->as_of, &day)) {
    ipsf_runner_free(r);
    ipsf_fail(err, IPSF_ERR_TYPE, "as-of date '%.40s' is not a calendar date (YYYY-MM-DD)",
              o->as_of);
    return NULL;
  }
  if (o->as_of && !(r->as_of = strdup(o->as_of))) goto nomem;
  r->cfg.as_of = r->as_of;
  /* Without the cache, records are rendered piece by piece: the same bytes. */
  if (f == IPSF_OUT_JSONL && !none) r->cfg.reporter.cache = r->cache = ipsf_report_cache_new(pack);
  /* The workers' memo of record bodies (report.c) is on unless this says
   * "off" ("tiny": 16 bodies): its differential test
   * (tests/cli/record_memo.sh) compares the three. */
  const char *memo = getenv("IPSFC_RECORD_MEMO");
  r->cfg.no_memo = memo && strcmp(memo, "off") == 0;
  r->cfg.tiny_memo = memo && strcmp(memo, "tiny") == 0;
  if (!ipsf_worker_init(&r->w, &r->cfg)) goto nomem;
  if (!(o->flags & IPSF_NO_VIEWS)) r->w.views = &r->views;
  return r;
nomem:
  ipsf_runner_free(r);
  ipsf_fail(err, IPSF_ERR_NOMEM, "out of memory");
  return NULL;
}

bool ipsf_runner_finish(IpsfRunner *r, IpsfRunCounts *counts) {
  begin(r);
  if (!r->finished && !stopped(r)) {
    IpsfReporter rep = r->cfg.reporter;
    rep.written = r->written;
    if (!r->cfg.no_bytes) ipsf_report_end(&r->w.out, &rep);
    deliver(r, &r->w, NULL);
  }
  r->finished = true;
  ipsf_runner_counts(r, counts);
  return r->state == IPSF_RUN_GOING;
}

IpsfRunState ipsf_runner_state(const IpsfRunner *r) {
  if (r->state == IPSF_RUN_GOING && r->stop && *r->stop) return IPSF_RUN_STOP_FLAG;
  return r->state;
}

void ipsf_runner_counts(const IpsfRunner *r, IpsfRunCounts *counts) {
  if (counts) *counts = r->total;
}
