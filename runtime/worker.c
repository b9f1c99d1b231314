/*
 * worker.c -- one evaluator of a stream of sheets: an evaluation context,
 * an output buffer, counts (worker.h).  What `ipsfc eval` runs on each of
 * its threads, and what the embedding API (api.c) runs for a caller.
 *
 * A JSON Lines line is first offered to the fast binder (sheet_fast.c),
 * which binds its facts straight into the context's slots; a line it does
 * not accept is parsed by jansson and evaluated like any document, so
 * records and errors are the same either way.  Every record is rendered as
 * if it were not the first (rep.written stays 1): whoever writes the output
 * in order drops the first record's separator.
 */
#include <stdlib.h>
#include <string.h>

#include "worker.h"

bool ipsf_worker_init(IpsfWorker *w, const IpsfWorkerConfig *cfg) {
  memset(w, 0, sizeof *w);
  w->cfg = cfg;
  w->rep = cfg->reporter;
  w->rep.written = 1;
  ipsf_buf_init(&w->out);
  w->ev = ipsf_eval_new(cfg->pack);
  /* jsonl's and csv's record bodies by outcome (report.c); without: the
   * same bytes */
  if (w->ev && !cfg->no_memo && !cfg->no_bytes &&
      ((cfg->reporter.format == IPSF_OUT_JSONL && cfg->reporter.cache && !cfg->reporter.explain) ||
       cfg->reporter.format == IPSF_OUT_CSV))
    w->rep.memo = ipsf_report_memo_new(cfg->pack, cfg->tiny_memo);
  if (w->ev && cfg->as_of) ipsf_eval_set_as_of(w->ev, cfg->as_of, NULL);
  return w->ev != NULL;
}

void ipsf_worker_free(IpsfWorker *w) {
  ipsf_eval_free(w->ev);
  ipsf_buf_free(&w->out);
  ipsf_report_memo_free(w->rep.memo);
  free(w->scratch);
  w->rep.memo = NULL;
  w->ev = NULL;
  w->scratch = NULL;
}

/* ---- views: what a record is, beside its bytes ----------------------------- */

void ipsf_views_clear(IpsfViews *v) {
  v->count = 0;
  v->strings.len = 0;
  v->failed = false;
}

void ipsf_views_free(IpsfViews *v) {
  free(v->items);
  ipsf_buf_free(&v->strings);
  memset(v, 0, sizeof *v);
}

/* A string's offset + 1 in v->strings, 0 for NULL (with its NUL). */
static size_t view_string(IpsfViews *v, const char *s) {
  if (!s) return 0;
  size_t at = v->strings.len;
  ipsf_buf_put(&v->strings, s, strlen(s) + 1);
  return at + 1;
}

static IpsfView *view_push(IpsfWorker *w, const IpsfRecordHead *h) {
  IpsfViews *v = w->views;
  if (v->count == v->cap) {
    size_t cap = v->cap ? 2 * v->cap : 256;
    IpsfView *p = realloc(v->items, cap * sizeof *p);
    if (!p) {
      v->failed = true;
      return NULL;
    }
    v->items = p;
    v->cap = cap;
  }
  IpsfView *it = &v->items[v->count++];
  it->end = w->out.len;
  it->line = h->line;
  it->device = view_string(v, h->device);
  it->profile = view_string(v, h->profile);
  it->message = 0;
  it->status = 0;
  it->error = IPSF_ERR_NONE;
  it->level[0] = it->level[1] = IPSF_NONE;
  return it;
}

void ipsf_worker_error(IpsfWorker *w, const IpsfRecordHead *h, const IpsfError *err) {
  w->rep.written = 1;
  if (!w->cfg->no_bytes) ipsf_report_error(&w->out, &w->rep, h, w->cfg->pack, err);
  w->out_records++;
  w->n.errors++;
  IpsfView *it = w->views ? view_push(w, h) : NULL;
  if (it) {
    it->error = err->kind;
    it->message = view_string(w->views, err->message);
  }
}

/* Under --fail-on unmet, a requirement without evidence (unknown) is not
 * shown to be met either: it counts. */
static void count_unmet(IpsfWorker *w) {
  const IpsfPack *p = w->cfg->pack;
  if (!w->ev->evidence_present) { /* every applying requirement is unknown */
    for (uint32_t q = 0; q < p->requirement_count; q++) w->n.unmet += w->ev->req_applies[q] != 0;
    return;
  }
  for (uint32_t q = 0; q < p->requirement_count; q++)
    if (ipsf_eval_applies(w->ev, q)) {
      IpsfStatus st = ipsf_eval_status(w->ev, q);
      w->n.unmet += st != IPSF_MET && st != IPSF_COMPENSATED; /* compensated: not a failure */
    }
}

/* The same count, and a status byte per requirement appended to the
 * views' strings (one pass); the bytes' offset. */
static size_t count_unmet_status(IpsfWorker *w) {
  const IpsfPack *p = w->cfg->pack;
  IpsfBuf *s = &w->views->strings;
  size_t at = s->len;
  char chunk[256];
  uint32_t k = 0;
  for (uint32_t q = 0; q < p->requirement_count; q++) {
    char st = (char)IPSF_VIEW_NOT_APPLICABLE;
    if (ipsf_eval_applies(w->ev, q)) {
      st = (char)ipsf_eval_status(w->ev, q);
      if (st != (char)IPSF_MET && st != (char)IPSF_COMPENSATED) w->n.unmet++;
    }
    chunk[k++] = st;
    if (k == sizeof chunk) {
      ipsf_buf_put(s, chunk, k);
      k = 0;
    }
  }
  if (k) ipsf_buf_put_fast(s, chunk, k);
  return at;
}

static void record(IpsfWorker *w, const IpsfRecordHead *h) {
  if (w->rep.memo && !w->views) { /* the memo's key has the statuses: count from it */
    w->rep.written = 1;
    ipsf_report_record(&w->out, &w->rep, h, w->ev);
    size_t unmet;
    if (ipsf_report_memo_unmet(w->rep.memo, &unmet)) w->n.unmet += unmet;
    else count_unmet(w);
    w->out_records++;
    w->n.records++;
    return;
  }
  size_t status = w->views ? count_unmet_status(w) : (count_unmet(w), 0);
  w->rep.written = 1;
  if (!w->cfg->no_bytes) ipsf_report_record(&w->out, &w->rep, h, w->ev);
  w->out_records++;
  w->n.records++;
  IpsfView *it = w->views ? view_push(w, h) : NULL;
  if (it) { /* the view of an evaluated record: axis levels, statuses */
    const IpsfPack *p = w->cfg->pack;
    if (p->axis1 != IPSF_NONE) it->level[0] = ipsf_eval_level(w->ev, p->axis1);
    if (p->axis2 != IPSF_NONE) it->level[1] = ipsf_eval_level(w->ev, p->axis2);
    it->status = status;
  }
}

static void eval_profile(IpsfWorker *w, IpsfRecordHead *h, json_t *doc, const char *profile) {
  IpsfError err = {0};
  h->profile = profile;
  ipsf_eval_begin(w->ev);
  if (!ipsf_sheet_bind(w->ev, doc, profile, &w->cfg->bind, &err) || !ipsf_eval_run(w->ev, &err)) {
    ipsf_worker_error(w, h, &err);
    return;
  }
  record(w, h);
}

void ipsf_worker_document(IpsfWorker *w, IpsfRecordHead *h, json_t *doc) {
  w->n.sheets++;
  h->device = json_is_object(doc) ? ipsf_sheet_device(doc) : NULL;
  size_t n = json_is_object(doc) ? ipsf_sheet_profile_count(doc) : 0;
  if (w->cfg->profile) {
    eval_profile(w, h, doc, w->cfg->profile);
    return;
  }
  if (n == 0) {
    eval_profile(w, h, doc, NULL);
    return;
  }
  for (size_t i = 0; i < n; i++) eval_profile(w, h, doc, ipsf_sheet_profile_name(doc, i));
}

/* One line of a stream: the fast path, else jansson. */
void ipsf_worker_line(IpsfWorker *w, const char *path, const IpsfBatchItem *it, const char *text) {
  IpsfRecordHead h = {path, it->line_no, NULL, w->cfg->profile};
  IpsfError err; /* not `= {0}`: 516 bytes a line; whoever fails fills it */
  err.kind = IPSF_ERR_NONE;
  err.message[0] = '\0';
  if (it->too_long) {
    w->n.sheets++;
    char limit[48];
    ipsf_fail(&err, IPSF_ERR_LIMIT, "line longer than %s",
              ipsf_size_text(w->cfg->max_line_bytes, limit, sizeof limit));
    ipsf_worker_error(w, &h, &err);
    return;
  }
  /* --profile NAME of a usage profile the pack declares: a line without
   * "profiles" (the only kind the fast path takes) binds as its base facts,
   * then the profile's settings and check (runtime/profile.c) */
  uint32_t declared = w->cfg->profile ? ipsf_pack_find_profile(w->cfg->pack, w->cfg->profile)
                                      : IPSF_NONE;
  if ((!w->cfg->profile || declared != IPSF_NONE) && !w->cfg->bind.allow_unknown_facts) {
    if (w->scratch_cap < it->len + 1) {
      size_t cap = it->len + 1 > 4096 ? it->len + 1 : 4096;
      char *p = realloc(w->scratch, cap);
      if (p) {
        w->scratch = p;
        w->scratch_cap = cap;
      }
    }
    const char *device;
    ipsf_eval_begin(w->ev);
    if (w->scratch_cap >= it->len + 1 &&
        ipsf_sheet_fast_bind(w->ev, text, it->len, w->scratch, &device)) {
      w->n.sheets++;
      h.device = device;
      if (declared != IPSF_NONE) ipsf_eval_apply_profile(w->ev, declared);
      if ((declared != IPSF_NONE && !ipsf_eval_check_profile(w->ev, declared, &err)) ||
          !ipsf_eval_run(w->ev, &err))
        ipsf_worker_error(w, &h, &err);
      else record(w, &h);
      return;
    }
  }
  json_t *doc = ipsf_sheet_parse_jsonl_line(text, it->len, &err);
  if (!doc) {
    w->n.sheets++;
    ipsf_worker_error(w, &h, &err);
    return;
  }
  ipsf_worker_document(w, &h, doc);
  json_decref(doc);
}

void ipsf_worker_batch(IpsfWorker *w, const char *path, const IpsfBatch *b) {
  /* A line over the limit has no text: when every line of the batch is
   * one, b->text is NULL, and NULL + 0 is undefined (clang's UBSan). */
  ipsf_report_memo_batch(w->rep.memo, path); /* every line's sheet is path */
  for (size_t i = 0; i < b->count; i++)
    ipsf_worker_line(w, path, &b->items[i],
                     b->items[i].too_long ? NULL : b->text + b->items[i].off);
  ipsf_report_memo_batch(w->rep.memo, NULL);
  if (b->fatal) { /* the stream stopped: an error for the file, no line */
    IpsfRecordHead h = {path, 0, NULL, w->cfg->profile};
    ipsf_worker_error(w, &h, &b->err);
  }
}

