/*
 * diff_corpus.c -- real sheets under both packs: which (device, profile)
 * records change, and how.
 *
 * One pass, one sheet at a time: a JSON or YAML file is read whole (at
 * most 64 MiB, as eval), a JSON Lines file or `-` in batches of lines (at
 * most 16 MiB a line); each sheet is evaluated by both packs through the
 * runtime's public API (ipsf_evaluate_text, records in eval's JSON Lines
 * form) and the records are compared (diff_outcome.c).  Only the counts
 * stay in memory; each changed record is written at once as one line of
 * the `changes` file, which the output reads back.  So memory is bounded
 * by the largest sheet, whatever the number of sheets.
 *
 * Records pair up by (device, profile) within their sheet.  A record that
 * evaluates under OLD and is an error under NEW is counted under
 * "became_errors" (and listed); the reverse under "fixed_errors".
 *
 * JSON Lines are evaluated in batches on --jobs threads (run_batch); the
 * comparison and the output stay on this thread, in input order.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "diff.h"

#define MAX_SHEET_BYTES (64u << 20)
#define MAX_LINE_BYTES (16u << 20)

#define MAX_JOBS 256

typedef struct {
  DiffCtx *d;
  IpsfEval *ev[2];
  unsigned jobs;
  IpsfEval *tev[MAX_JOBS][2]; /* per thread (tev[0] is ev) */
  FILE *changes;
  json_t *counts;   /* report["corpus"] */
  json_t *table;    /* transitions */
  json_t *per_req;  /* id -> {added, removed, method, period, status} */
} Corpus;

static void bump(json_t *obj, const char *key) {
  json_t *v = json_object_get(obj, key);
  if (v) json_integer_set(v, json_integer_value(v) + 1);
  else json_object_set_new(obj, key, json_integer(1));
}

/* One sheet's records under ev, as eval's JSON Lines text (malloc'd). */
static char *evaluate(IpsfEval *ev, const char *text, size_t len, IpsfSheetSyntax syn, size_t *out_len) {
  char *out = ipsf_evaluate_text(ev, text, len, syn, NULL, IPSF_RECORDS_JSONL, 0, out_len, NULL, NULL);
  if (!out) {
    fprintf(stderr, "ipsfc diff: out of memory\n");
    exit(4);
  }
  return out;
}

/* The records of that text: an array (the text is freed). */
static json_t *parse_records(char *out, size_t out_len) {
  json_t *a = json_array();
  for (char *p = out, *end = out + out_len; p < end;) {
    char *nl = memchr(p, '\n', (size_t)(end - p));
    size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
    json_t *r = json_loadb(p, n, 0, NULL);
    if (r) json_array_append_new(a, r);
    p += n + 1;
  }
  ipsf_free(out);
  return a;
}

static bool same_key(const json_t *a, const json_t *b, const char *key) {
  const json_t *x = json_object_get(a, key), *y = json_object_get(b, key);
  if (json_is_null(x) || !x) return json_is_null(y) || !y;
  return json_equal(x, y);
}

static void per_requirement(Corpus *k, const json_t *changes) {
  size_t i;
  const json_t *c;
  json_array_foreach(changes, i, c) {
    const char *what = json_string_value(json_object_get(c, "what"));
    if (!what || strcmp(what, "requirement") != 0) continue;
    const char *id = json_string_value(json_object_get(c, "id"));
    json_t *e = json_object_get(k->per_req, id);
    if (!e) {
      e = json_object();
      json_object_set_new(k->per_req, id, e);
    }
    bump(e, json_string_value(json_object_get(c, "change")));
  }
}

static void emit(Corpus *k, const char *sheet, json_int_t line, const json_t *o, const json_t *n) {
  json_t *counts = k->counts;
  bump(counts, "records");
  unsigned cls = 0;
  json_t *changes;
  if (!o || !n) {
    changes = json_pack("[{s:s, s:s?, s:s?}]", "what", "record", "old", o ? "present" : NULL,
                        "new", n ? "present" : NULL);
    cls = DC_OTHER;
  } else {
    changes = diff_outcomes(k->d, o, n, &cls);
  }
  const json_t *any = o ? o : n;
  bool eo = o && json_object_get(o, "error"), en = n && json_object_get(n, "error");
  if (o && n && !eo && en) bump(counts, "became_errors");
  if (o && n && eo && !en) bump(counts, "fixed_errors");
  char *co = o ? diff_cell_of(o) : NULL, *cn = n ? diff_cell_of(n) : NULL;
  diff_transition_add(k->d, k->table, co, cn, 1);
  if (json_array_size(changes) == 0) {
    json_decref(changes);
    free(co);
    free(cn);
    return;
  }
  bump(counts, "changed");
  bump(json_object_get(counts, "classes"), diff_class_name(cls));
  per_requirement(k, changes);
  k->d->classes |= cls;
  k->d->changes++;
  json_t *rec = json_pack("{s:s, s:o, s:O, s:O, s:s, s:s?, s:s?, s:o}", "sheet", sheet, "line",
                          line ? json_integer(line) : json_null(),
                          "device", json_object_get(any, "device") ? json_object_get(any, "device") : json_null(),
                          "profile", json_object_get(any, "profile") ? json_object_get(any, "profile") : json_null(),
                          "class", diff_class_name(cls), "old_cell", co, "new_cell", cn,
                          "changes", changes);
  char *text = json_dumps(rec, JSON_COMPACT);
  fputs(text, k->changes);
  fputc('\n', k->changes);
  free(text);
  json_decref(rec);
  free(co);
  free(cn);
}

/* Pair the records of one sheet under both packs and report changes. */
static void compare_sheet(Corpus *k, const char *sheet, json_int_t line, json_t *o, json_t *n) {
  size_t nn = json_array_size(n);
  bool *taken = calloc(nn + 1, 1);
  if (!taken) abort();
  size_t i;
  json_t *r;
  json_array_foreach(o, i, r) {
    json_t *match = NULL;
    for (size_t j = 0; j < nn && !match; j++) {
      json_t *c = json_array_get(n, j);
      if (!taken[j] && same_key(r, c, "device") && same_key(r, c, "profile")) {
        taken[j] = true;
        match = c;
      }
    }
    emit(k, sheet, line, r, match);
  }
  for (size_t j = 0; j < nn; j++)
    if (!taken[j]) emit(k, sheet, line, NULL, json_array_get(n, j));
  free(taken);
  json_decref(o);
  json_decref(n);
}

static void one_sheet(Corpus *k, const char *sheet, json_int_t line, const char *text, size_t len,
                      IpsfSheetSyntax syn) {
  size_t lo = 0, ln = 0;
  char *to = evaluate(k->ev[0], text, len, syn, &lo);
  char *tn = evaluate(k->ev[1], text, len, syn, &ln);
  compare_sheet(k, sheet, line, parse_records(to, lo), parse_records(tn, ln));
}

/* ---- JSON Lines in batches, on --jobs threads ----------------------------------------
 *
 * A batch of lines (at most BATCH_LINES, or BATCH_BYTES of text) is
 * evaluated by the threads, each with its own pair of contexts (the
 * packs are shared, read-only), each taking every jobs-th line and
 * parsing its records; they are then compared in input order by this
 * thread alone, after the join.  So the
 * output is the same whatever --jobs, and memory is bounded by a batch. */
#define BATCH_LINES 256
#define BATCH_BYTES (4u << 20)

typedef struct {
  char *text;
  size_t len;
  json_int_t no;
  json_t *rec[2]; /* its records under each pack */
} Line;

typedef struct {
  Line *lines;
  size_t n;
  unsigned t, jobs;
  IpsfEval *ev[2];
} Work;

static void *work(void *arg) {
  Work *w = arg;
  for (size_t i = w->t; i < w->n; i += w->jobs)
    for (int s = 0; s < 2; s++) {
      size_t len = 0;
      char *out = evaluate(w->ev[s], w->lines[i].text, w->lines[i].len, IPSF_SYNTAX_JSONL, &len);
      w->lines[i].rec[s] = parse_records(out, len); /* new objects, this thread's until joined */
    }
  return NULL;
}

static void run_batch(Corpus *k, const char *path, Line *lines, size_t n) {
  unsigned jobs = k->jobs;
  Work w[MAX_JOBS];
  pthread_t th[MAX_JOBS];
  bool started[MAX_JOBS] = {false};
  for (unsigned t = 0; t < jobs; t++) {
    w[t] = (Work){lines, n, t, jobs, {k->tev[t][0], k->tev[t][1]}};
    if (t > 0) started[t] = pthread_create(&th[t], NULL, work, &w[t]) == 0;
  }
  work(&w[0]);
  for (unsigned t = 1; t < jobs; t++) {
    if (started[t]) pthread_join(th[t], NULL);
    else work(&w[t]); /* no thread: do its share here */
  }
  for (size_t i = 0; i < n; i++) {
    compare_sheet(k, path, lines[i].no, lines[i].rec[0], lines[i].rec[1]);
    free(lines[i].text);
  }
}

static bool ends_with(const char *s, const char *suf) {
  size_t a = strlen(s), b = strlen(suf);
  return a >= b && strcmp(s + a - b, suf) == 0;
}

static bool read_lines(Corpus *k, const char *path, FILE *f) {
  char *line = NULL;
  size_t cap = 0, n = 0, bytes = 0;
  ssize_t got;
  json_int_t no = 0;
  Line *batch = xmalloc_array(BATCH_LINES, sizeof *batch);
  while ((got = getline(&line, &cap, f)) >= 0) {
    no++;
    size_t len = (size_t)got;
    while (len && (line[len - 1] == '\n' || line[len - 1] == '\r')) len--;
    size_t sp = 0;
    while (sp < len && (line[sp] == ' ' || line[sp] == '\t')) sp++;
    if (sp == len) continue; /* blank */
    if (len > MAX_LINE_BYTES) {
      fprintf(stderr, "ipsfc diff: %s:%lld: line longer than %u bytes: not evaluated\n", path,
              (long long)no, MAX_LINE_BYTES);
      continue;
    }
    char *copy = xmalloc(len + 1);
    memcpy(copy, line, len);
    copy[len] = 0;
    batch[n++] = (Line){.text = copy, .len = len, .no = no};
    bytes += len;
    if (n == BATCH_LINES || bytes >= BATCH_BYTES) {
      run_batch(k, path, batch, n);
      n = bytes = 0;
    }
  }
  if (n) run_batch(k, path, batch, n);
  bool ok = !ferror(f);
  free(batch);
  free(line);
  return ok;
}

static bool read_whole(Corpus *k, const char *path, FILE *f) {
  char *buf = NULL;
  size_t len = 0, cap = 0;
  for (;;) {
    if (len == cap) {
      cap = cap ? cap * 2 : 65536;
      buf = xrealloc_array(buf, cap + 1, 1);
    }
    size_t got = fread(buf + len, 1, cap - len, f);
    len += got;
    if (len > MAX_SHEET_BYTES) {
      fprintf(stderr, "ipsfc diff: %s: larger than %u bytes\n", path, MAX_SHEET_BYTES);
      free(buf);
      return false;
    }
    if (got == 0) break;
  }
  if (ferror(f)) {
    free(buf);
    return false;
  }
  buf[len] = 0;
  IpsfSheetSyntax syn = ends_with(path, ".yaml") || ends_with(path, ".yml") ? IPSF_SYNTAX_YAML : IPSF_SYNTAX_JSON;
  one_sheet(k, path, 0, buf, len, syn);
  free(buf);
  return true;
}

bool diff_corpus(DiffCtx *d, const char *const *paths, size_t n, FILE *changes, json_t *report) {
  Corpus k = {.d = d, .changes = changes};
  k.ev[0] = ipsf_eval_new(d->old.pack);
  k.ev[1] = ipsf_eval_new(d->new_.pack);
  if (!k.ev[0] || !k.ev[1]) abort();
  k.jobs = d->jobs < 1 ? 1 : d->jobs > MAX_JOBS ? MAX_JOBS : d->jobs;
  k.tev[0][0] = k.ev[0];
  k.tev[0][1] = k.ev[1];
  for (unsigned t = 1; t < k.jobs; t++)
    for (int s = 0; s < 2; s++)
      if (!(k.tev[t][s] = ipsf_eval_new(s ? d->new_.pack : d->old.pack))) abort();
  k.counts = json_pack("{s:i, s:i, s:i, s:i, s:{}}", "records", 0, "changed", 0, "became_errors", 0,
                       "fixed_errors", 0, "classes");
  k.table = diff_transition_table(d);
  k.per_req = json_object();
  bool ok = true;
  for (size_t i = 0; i < n && ok; i++) {
    const char *path = paths[i];
    bool std = strcmp(path, "-") == 0;
    FILE *f = std ? stdin : fopen(path, "rb");
    if (!f) {
      fprintf(stderr, "ipsfc diff: cannot read %s: ", path);
      perror(NULL);
      ok = false;
      break;
    }
    bool r = std || ends_with(path, ".jsonl") ? read_lines(&k, path, f) : read_whole(&k, path, f);
    if (!r) {
      fprintf(stderr, "ipsfc diff: cannot read %s\n", path);
      ok = false;
    }
    if (!std) fclose(f);
  }
  json_object_set_new(k.counts, "sheets_given", json_integer((json_int_t)n));
  json_object_set_new(k.counts, "transitions", k.table);
  json_object_set_new(k.counts, "requirements", k.per_req);
  json_object_set_new(report, "corpus", k.counts);
  for (unsigned t = 0; t < k.jobs; t++) {
    ipsf_eval_free(k.tev[t][0]);
    ipsf_eval_free(k.tev[t][1]);
  }
  return ok;
}
