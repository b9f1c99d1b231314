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
 * JSON Lines go through the runtime's batch evaluator in batches on
 * --jobs threads (run_batch); the comparison and the output stay on this
 * thread, in input order, and records that did not change are recognised
 * from their text without parsing.
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
  IpsfEvaluator *tev[MAX_JOBS][2]; /* per thread: JSON Lines batches */
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
  if (en) bump(counts, "errors");
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
 * A batch of consecutive lines (at most BATCH_LINES, or BATCH_BYTES of
 * text) is cut into one contiguous part per thread; each thread runs its
 * part through the runtime's public batch evaluator (ipsf_evaluator_jsonl,
 * eval's fast binder and record cache), under each pack, with its own
 * evaluators (the packs are shared, read-only).  After the join, this
 * thread walks both outputs in input order, a line at a time: records
 * whose text is the same under both packs but for the "pack" object are
 * unchanged (counted, their cell read from the text); only the others are
 * parsed and compared.  So the report is the same whatever --jobs, and
 * memory is bounded by a batch. */
#define BATCH_LINES 1024
#define BATCH_BYTES (4u << 20)

typedef struct {
  const char *text;   /* the part's lines, each ended by \n */
  size_t len;
  uint64_t first;     /* its first line's number */
  IpsfEvaluator *ev[2];
  char *out[2];
  size_t out_len[2];
} Part;

static void *work(void *arg) {
  Part *w = arg;
  for (int s = 0; s < 2; s++) {
    w->out[s] = ipsf_evaluator_jsonl(w->ev[s], w->text, w->len, NULL, w->first, &w->out_len[s], NULL);
    if (!w->out[s]) {
      fprintf(stderr, "ipsfc diff: out of memory\n");
      exit(4);
    }
  }
  return NULL;
}

/* The line number of a record `{"sheet":null,"line":N,...`, 0 if none. */
static uint64_t record_line(const char *r) {
  static const char pre[] = "{\"sheet\":null,\"line\":";
  if (strncmp(r, pre, sizeof pre - 1) != 0) return 0;
  return strtoull(r + sizeof pre - 1, NULL, 10);
}

/* The record's text without its "pack" object: [a, b) and [c, d). */
static void strip_pack(const char *r, size_t n, size_t cut[4]) {
  const char *p = strstr(r, ",\"pack\":{");
  const char *e = p ? strstr(p, "\"digest\":\"sha256:") : NULL;
  if (!p || !e || (size_t)(e - r) + 17 + 64 + 2 > n || e[17 + 64] != '"' || e[17 + 64 + 1] != '}') {
    cut[0] = 0, cut[1] = n, cut[2] = cut[3] = n;
    return;
  }
  cut[0] = 0, cut[1] = (size_t)(p - r);
  cut[2] = (size_t)(e - r) + 17 + 64 + 2, cut[3] = n;
}

static bool same_but_pack(const char *a, size_t na, const char *b, size_t nb) {
  size_t x[4], y[4];
  strip_pack(a, na, x);
  strip_pack(b, nb, y);
  return x[1] - x[0] == y[1] - y[0] && x[3] - x[2] == y[3] - y[2] &&
         memcmp(a + x[0], b + y[0], x[1] - x[0]) == 0 && memcmp(a + x[2], b + y[2], x[3] - x[2]) == 0;
}

static const char *find(const char *h, size_t n, const char *needle, size_t k) {
  for (size_t i = 0; i + k <= n; i++)
    if (h[i] == needle[0] && memcmp(h + i, needle, k) == 0) return h + i;
  return NULL;
}

/* "axis1 / axis2" from a record's text, or NULL (an error record). */
static char *cell_text(const char *r, size_t n) {
  static const char k1[] = "\"category\":{\"axis1\":\"", k2[] = "\",\"axis2\":\"";
  const char *p = find(r, n, k1, sizeof k1 - 1);
  if (!p) return NULL;
  p += sizeof k1 - 1;
  const char *q = memchr(p, '"', (size_t)(r + n - p));
  if (!q || strncmp(q, k2, sizeof k2 - 1) != 0) return NULL;
  const char *v = q + sizeof k2 - 1, *w = memchr(v, '"', (size_t)(r + n - v));
  if (!w) return NULL;
  size_t la = (size_t)(q - p), lb = (size_t)(w - v);
  char *c = xmalloc(la + lb + 4);
  memcpy(c, p, la);
  memcpy(c + la, " / ", 3);
  memcpy(c + la + 3, v, lb);
  c[la + lb + 3] = 0;
  return c;
}

/* The records of one line in an output, gathered from a cursor. */
typedef struct {
  const char *p, *end;
} Cursor;

typedef struct {
  const char **rec;
  size_t *len;
  size_t n, cap;
} Group;

static void group(Cursor *c, uint64_t line, Group *g) {
  g->n = 0;
  while (c->p < c->end && record_line(c->p) == line) {
    const char *nl = memchr(c->p, '\n', (size_t)(c->end - c->p));
    size_t n = nl ? (size_t)(nl - c->p) : (size_t)(c->end - c->p);
    if (g->n == g->cap) {
      g->cap = g->cap ? 2 * g->cap : 16;
      g->rec = xrealloc_array(g->rec, g->cap, sizeof *g->rec);
      g->len = xrealloc_array(g->len, g->cap, sizeof *g->len);
    }
    g->rec[g->n] = c->p;
    g->len[g->n++] = n;
    c->p += n + (nl != NULL);
  }
}

static json_t *parse_group(const char *const *rec, const size_t *len, size_t n) {
  json_t *a = json_array();
  for (size_t i = 0; i < n; i++) {
    json_t *r = json_loadb(rec[i], len[i], 0, NULL);
    if (r) json_array_append_new(a, r);
  }
  return a;
}

/* Walk both outputs of a part, line by line. */
static void compare_part(Corpus *k, const char *path, const Part *w) {
  Cursor c[2] = {{w->out[0], w->out[0] + w->out_len[0]}, {w->out[1], w->out[1] + w->out_len[1]}};
  Group g[2] = {{0}, {0}};
  while (c[0].p < c[0].end || c[1].p < c[1].end) {
    uint64_t l0 = c[0].p < c[0].end ? record_line(c[0].p) : UINT64_MAX;
    uint64_t l1 = c[1].p < c[1].end ? record_line(c[1].p) : UINT64_MAX;
    uint64_t line = l0 < l1 ? l0 : l1;
    if (line == 0) { /* not eval's record form: a bug, never a partial report */
      fprintf(stderr, "ipsfc diff: internal error: a record without its line number\n");
      exit(4);
    }
    group(&c[0], line, &g[0]);
    group(&c[1], line, &g[1]);
    bool same = g[0].n == g[1].n;
    for (size_t i = 0; same && i < g[0].n; i++)
      same = same_but_pack(g[0].rec[i], g[0].len[i], g[1].rec[i], g[1].len[i]);
    if (same) {
      for (size_t i = 0; i < g[0].n; i++) {
        bump(k->counts, "records");
        char *cell = cell_text(g[0].rec[i], g[0].len[i]);
        if (!cell && find(g[0].rec[i], g[0].len[i], ",\"error\":{", 10)) bump(k->counts, "errors");
        diff_transition_add(k->d, k->table, cell, cell, 1);
        free(cell);
      }
      continue;
    }
    compare_sheet(k, path, (json_int_t)line, parse_group(g[0].rec, g[0].len, g[0].n),
                  parse_group(g[1].rec, g[1].len, g[1].n));
  }
  for (int s = 0; s < 2; s++) {
    free(g[s].rec);
    free(g[s].len);
  }
}

static void run_batch(Corpus *k, const char *path, const char *text, const size_t *line_end, size_t n,
                      uint64_t first) {
  unsigned jobs = k->jobs < n ? k->jobs : (unsigned)n;
  if (jobs == 0) return;
  Part w[MAX_JOBS];
  pthread_t th[MAX_JOBS];
  bool started[MAX_JOBS] = {false};
  size_t from = 0;
  for (unsigned t = 0; t < jobs; t++) {
    size_t to = n * (t + 1) / jobs; /* lines [from, to) */
    size_t start = from ? line_end[from - 1] : 0;
    w[t] = (Part){text + start, line_end[to - 1] - start, first + from, {k->tev[t][0], k->tev[t][1]},
                  {NULL, NULL}, {0, 0}};
    if (t > 0) started[t] = pthread_create(&th[t], NULL, work, &w[t]) == 0;
    from = to;
  }
  work(&w[0]);
  for (unsigned t = 1; t < jobs; t++) {
    if (started[t]) pthread_join(th[t], NULL);
    else work(&w[t]); /* no thread: do its share here */
  }
  for (unsigned t = 0; t < jobs; t++) {
    compare_part(k, path, &w[t]);
    ipsf_free(w[t].out[0]);
    ipsf_free(w[t].out[1]);
  }
}

static bool read_lines(Corpus *k, const char *path, FILE *f) {
  char *line = NULL, *text = NULL;
  size_t cap = 0, n = 0, len = 0, tcap = 0;
  size_t *line_end = xmalloc_array(BATCH_LINES, sizeof *line_end);
  ssize_t got;
  uint64_t no = 0, first = 1;
  while ((got = getline(&line, &cap, f)) >= 0) {
    no++;
    size_t ll = (size_t)got;
    if (ll && line[ll - 1] == '\n') ll--;
    if (ll > MAX_LINE_BYTES) {
      fprintf(stderr, "ipsfc diff: %s:%llu: line longer than %u bytes: not evaluated\n", path,
              (unsigned long long)no, MAX_LINE_BYTES);
      ll = 0; /* kept as a blank line, so that the numbers stay right */
    }
    if (len + ll + 1 > tcap) {
      tcap = (len + ll + 1) * 2;
      text = xrealloc_array(text, tcap, 1);
    }
    memcpy(text + len, line, ll);
    len += ll;
    text[len++] = '\n';
    line_end[n++] = len;
    if (n == BATCH_LINES || len >= BATCH_BYTES) {
      run_batch(k, path, text, line_end, n, first);
      first = no + 1;
      n = len = 0;
    }
  }
  if (n) run_batch(k, path, text, line_end, n, first);
  bool ok = !ferror(f);
  free(line_end);
  free(text);
  free(line);
  return ok;
}

static bool ends_with(const char *s, const char *suf) {
  size_t a = strlen(s), b = strlen(suf);
  return a >= b && strcmp(s + a - b, suf) == 0;
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
  for (unsigned t = 0; t < k.jobs; t++)
    for (int s = 0; s < 2; s++)
      if (!(k.tev[t][s] = ipsf_evaluator_new(s ? d->new_.pack : d->old.pack, IPSF_RECORDS_JSONL, 0, NULL)))
        abort();
  k.counts = json_pack("{s:i, s:i, s:i, s:i, s:i, s:{}}", "records", 0, "changed", 0, "errors", 0,
                       "became_errors", 0, "fixed_errors", 0, "classes");
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
  ipsf_eval_free(k.ev[0]);
  ipsf_eval_free(k.ev[1]);
  for (unsigned t = 0; t < k.jobs; t++) {
    ipsf_evaluator_free(k.tev[t][0]);
    ipsf_evaluator_free(k.tev[t][1]);
  }
  return ok;
}
