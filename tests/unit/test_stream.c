/*
 * test_stream.c -- the runner of ipsf.h ("streaming"): records in input
 * order with jobs = 2 on many lines (byte-identical to jobs = 1), errors as
 * records, blank and over-long lines, a write function that stops early,
 * the stop flag, counts, and the structured view of each record against
 * the one-sheet call.
 */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <jansson.h>

#include "pack_builder.h"

/* What a write function saw. */
typedef struct {
  char *bytes;           /* every chunk, concatenated */
  size_t len;
  size_t calls, records;
  uint64_t last_line;    /* lines must increase */
  bool order_ok;
  size_t stop_after;     /* return 1 after this many records (0: never) */
  size_t errors, limit_errors, type_errors, met, unmet, unknown, na;
  uint32_t cells[4][4];  /* axis levels (3 = none) */
  bool device_matches;   /* record "d<line>" has device d<line> */
} Seen;

static int on_write(void *user, const char *bytes, size_t len, const IpsfRunRecord *recs,
                    size_t n) {
  Seen *s = user;
  s->calls++;
  s->bytes = realloc(s->bytes, s->len + len + 1);
  cr_assert(s->bytes);
  memcpy(s->bytes + s->len, bytes, len);
  s->len += len;
  s->bytes[s->len] = '\0';
  for (size_t i = 0; i < n; i++) {
    const IpsfRunRecord *r = &recs[i];
    cr_assert(r->bytes >= bytes && r->bytes + r->len <= bytes + len);
    if (r->line <= s->last_line) s->order_ok = false;
    s->last_line = r->line;
    if (r->device) {
      char want[32];
      snprintf(want, sizeof want, "d%llu", (unsigned long long)r->line);
      if (strcmp(r->device, want) != 0) s->device_matches = false;
    }
    if (r->error != IPSF_ERR_NONE) {
      s->errors++;
      cr_assert(r->message && *r->message);
      cr_assert_null(r->status);
      cr_assert_eq(r->level[0], UINT32_MAX);
      if (r->error == IPSF_ERR_LIMIT) s->limit_errors++;
      if (r->error == IPSF_ERR_TYPE) s->type_errors++;
      continue;
    }
    cr_assert_null(r->message);
    cr_assert(r->level[0] < 3 && r->level[1] < 3);
    s->cells[r->level[0]][r->level[1]]++;
    for (uint32_t q = 0; q < 2; q++) {
      if (r->status[q] == IPSF_MET) s->met++;
      else if (r->status[q] == IPSF_UNMET) s->unmet++;
      else if (r->status[q] == IPSF_UNKNOWN) s->unknown++;
      else if (r->status[q] == IPSF_NOT_APPLICABLE) s->na++;
      else cr_assert_fail("status %d", r->status[q]);
    }
  }
  s->records += n;
  return s->stop_after && s->records >= s->stop_after;
}

/* Input read through the caller's read function, in odd-sized pieces. */
typedef struct {
  const char *text;
  size_t len, at;
} Mem;

static long mem_read(void *user, char *buf, size_t cap) {
  Mem *m = user;
  size_t n = m->len - m->at;
  if (n > cap) n = cap;
  if (n > 7777) n = 7777;
  memcpy(buf, m->text + m->at, n);
  m->at += n;
  return (long)n;
}

/* n lines: device d<line>; every 10th harms (fatal), every 7th a bad enum
 * (a type error record), every 13th blank. */
static char *corpus(size_t n, size_t *len) {
  size_t cap = n * 128 + 1, at = 0;
  char *t = malloc(cap);
  cr_assert(t);
  for (size_t line = 1; line <= n; line++) {
    if (line % 13 == 0) {
      t[at++] = '\n';
      continue;
    }
    const char *usage = line % 7 == 0 ? "moon" : "home";
    const char *harm = line % 10 == 0 ? "death" : "none";
    at += (size_t)snprintf(t + at, cap - at,
                           "{\"device\":\"d%zu\",\"facts\":{\"usage\":\"%s\",\"harm_life\":\"%s\"}}\n",
                           line, usage, harm);
  }
  *len = at;
  return t;
}

static IpsfRunner *runner(IpsfPack *p, IpsfRecordFormat f, unsigned jobs, Seen *s) {
  memset(s, 0, sizeof *s);
  s->order_ok = s->device_matches = true;
  IpsfRunnerOptions o = {.format = f, .jobs = jobs, .write = on_write, .user = s};
  IpsfError err = {0};
  IpsfRunner *r = ipsf_runner_new(p, &o, &err);
  cr_assert(r, "%s", err.message);
  return r;
}

static IpsfPack *sample(void) {
  IpsfError err = {0};
  IpsfPack *p = pb_load(pb_sample(), &err);
  cr_assert(p, "%s", err.message);
  return p;
}

Test(stream, order_and_counts_jobs2) {
  IpsfPack *p = sample();
  size_t len, n = 30000;
  char *text = corpus(n, &len);
  Seen one, two;
  for (int pass = 0; pass < 2; pass++) {
    Seen *s = pass ? &two : &one;
    IpsfRunner *r = runner(p, IPSF_RECORDS_JSONL, pass ? 2 : 1, s);
    Mem m = {text, len, 0};
    cr_assert(ipsf_runner_jsonl_read(r, mem_read, &m, "reg.jsonl"));
    IpsfRunCounts c;
    cr_assert(ipsf_runner_finish(r, &c));
    cr_expect_eq(ipsf_runner_state(r), IPSF_RUN_GOING);
    size_t blank = n / 13, bad = n / 7 - n / 91;
    cr_expect_eq(c.sheets, n - blank);
    cr_expect_eq(c.errors, bad);
    cr_expect_eq(c.records, n - blank - bad);
    cr_expect_eq(s->records, c.sheets);
    cr_expect_eq(s->errors, bad);
    cr_expect_eq(s->type_errors, bad);
    cr_expect(s->order_ok);
    cr_expect(s->device_matches);
    /* SH-01 applies always, SH-20 from recovery serious up: no evidence,
     * so unknown where it applies. */
    cr_expect_eq(s->unknown, c.records + s->cells[2][0] + s->cells[2][1] + s->cells[2][2]);
    cr_expect_eq(c.unmet, s->unknown + s->unmet);
    cr_expect_gt(s->cells[2][0], 0);
    cr_expect_gt(s->calls, 3, "one chunk per batch");
    ipsf_runner_free(r);
  }
  cr_expect_eq(one.len, two.len);
  cr_expect(memcmp(one.bytes, two.bytes, one.len) == 0, "jobs 2 output differs from jobs 1");
  free(one.bytes);
  free(two.bytes);
  free(text);
  ipsf_pack_free(p);
}

Test(stream, json_array_whole_with_jobs2) {
  IpsfPack *p = sample();
  size_t len;
  char *text = corpus(9000, &len);
  Seen s;
  IpsfRunner *r = runner(p, IPSF_RECORDS_JSON, 2, &s);
  Mem m = {text, len, 0};
  cr_assert(ipsf_runner_jsonl_read(r, mem_read, &m, NULL));
  cr_assert(ipsf_runner_finish(r, NULL));
  json_error_t je;
  json_t *doc = json_loadb(s.bytes, s.len, 0, &je);
  cr_assert(doc, "%s at %d", je.text, je.position);
  cr_expect_eq(json_array_size(doc), s.records);
  cr_expect(json_is_null(json_object_get(json_array_get(doc, 0), "sheet")));
  json_decref(doc);
  ipsf_runner_free(r);
  free(s.bytes);
  free(text);
  ipsf_pack_free(p);
}

Test(stream, blank_and_long_lines) {
  IpsfPack *p = sample();
  Seen s;
  memset(&s, 0, sizeof s);
  s.order_ok = s.device_matches = true;
  IpsfRunnerOptions o = {.format = IPSF_RECORDS_JSONL, .max_line_bytes = 1024,
                         .write = on_write, .user = &s};
  IpsfError err = {0};
  IpsfRunner *r = ipsf_runner_new(p, &o, &err);
  cr_assert(r);
  char *text = malloc(4096);
  int at = sprintf(text, "\n  \n{\"device\":\"d3\",\"facts\":{\"usage\":\"home\",\"model\":\"");
  memset(text + at, 'x', 2000);
  at += 2000;
  at += sprintf(text + at, "\"}}\n{\"device\":\"d4\",\"facts\":{\"usage\":\"office\"}}");
  Mem m = {text, (size_t)at, 0};
  cr_assert(ipsf_runner_jsonl_read(r, mem_read, &m, "x.jsonl"));
  IpsfRunCounts c;
  cr_assert(ipsf_runner_finish(r, &c));
  cr_expect_eq(c.sheets, 2);
  cr_expect_eq(c.errors, 1);
  cr_expect_eq(s.limit_errors, 1);
  cr_expect_eq(c.records, 1);
  cr_expect(strstr(s.bytes, "\"line\":3,") && strstr(s.bytes, "\"kind\":\"limit\""), "%s", s.bytes);
  cr_expect(strstr(s.bytes, "\"line\":4,\"device\":\"d4\""), "%s", s.bytes);
  ipsf_runner_free(r);
  free(text);
  free(s.bytes);
  ipsf_pack_free(p);
}

Test(stream, write_stops_early) {
  IpsfPack *p = sample();
  size_t len;
  char *text = corpus(20000, &len);
  for (unsigned jobs = 1; jobs <= 2; jobs++) {
    Seen s;
    IpsfRunner *r = runner(p, IPSF_RECORDS_JSON, jobs, &s);
    s.stop_after = 10;
    Mem m = {text, len, 0};
    cr_expect_not(ipsf_runner_jsonl_read(r, mem_read, &m, NULL));
    cr_expect_eq(ipsf_runner_state(r), IPSF_RUN_STOP_WRITE);
    size_t calls = s.calls;
    /* Nothing more: no other source, no closing bracket. */
    cr_expect_not(ipsf_runner_path(r, "-"));
    IpsfRunCounts c;
    cr_expect_not(ipsf_runner_finish(r, &c));
    cr_expect_eq(s.calls, calls);
    cr_expect_eq(c.records + c.errors, s.records, "counts are those of what was passed");
    cr_expect_lt(s.records, 20000);
    cr_expect_neq(s.bytes[s.len - 1], ']');
    ipsf_runner_free(r);
    free(s.bytes);
  }
  free(text);
  ipsf_pack_free(p);
}

Test(stream, stop_flag) {
  IpsfPack *p = sample();
  volatile sig_atomic_t stop = 1;
  Seen s;
  memset(&s, 0, sizeof s);
  IpsfRunnerOptions o = {.format = IPSF_RECORDS_JSON, .jobs = 2, .stop = &stop,
                         .write = on_write, .user = &s};
  IpsfError err = {0};
  IpsfRunner *r = ipsf_runner_new(p, &o, &err);
  cr_assert(r);
  Mem m = {"{\"facts\":{\"usage\":\"home\"}}\n", 27, 0};
  cr_expect_not(ipsf_runner_jsonl_read(r, mem_read, &m, NULL));
  cr_expect_eq(ipsf_runner_state(r), IPSF_RUN_STOP_FLAG);
  cr_expect_not(ipsf_runner_finish(r, NULL));
  cr_expect_eq(s.records, 0);
  ipsf_runner_free(r);
  free(s.bytes);
  ipsf_pack_free(p);
}

/* A view is what the record's bytes say, and what the one-sheet call says. */
Test(stream, views_documents_and_none) {
  IpsfPack *p = sample();
  const char *doc = "device: cam\nfacts: {usage: home}\nprofiles:\n  a: {}\n  b: {harm_life: death}\n";
  Seen s;
  IpsfRunner *r = runner(p, IPSF_RECORDS_NONE, 1, &s);
  cr_assert(ipsf_runner_document(r, doc, strlen(doc), IPSF_SYNTAX_YAML, "cam.yaml"));
  cr_assert(ipsf_runner_document(r, "{", 1, IPSF_SYNTAX_JSON, "bad.json"));
  cr_assert(ipsf_runner_path(r, "/nonexistent/x.json"));
  IpsfRunCounts c;
  cr_assert(ipsf_runner_finish(r, &c));
  cr_expect_eq(s.len, 0, "no bytes with IPSF_RECORDS_NONE");
  cr_expect_eq(c.sheets, 3);
  cr_expect_eq(c.records, 2);
  cr_expect_eq(c.errors, 2);
  cr_expect_eq(s.cells[0][0], 1); /* profile a: limited, limited */
  cr_expect_eq(s.cells[2][0], 1); /* profile b: fatal */
  cr_expect_eq(s.unknown, 3);     /* SH-01 twice, SH-20 for b */
  cr_expect_eq(s.na, 1);          /* SH-20 for a */
  ipsf_runner_free(r);
  free(s.bytes);
  ipsf_pack_free(p);
}

/* The views' strings, and a record's bytes, for one record. */
typedef struct {
  char device[32], profile[32], bytes[4096];
  uint32_t level[2];
  size_t n;
} One;

static int keep_last(void *user, const char *bytes, size_t len, const IpsfRunRecord *recs,
                     size_t n) {
  (void)bytes;
  (void)len;
  One *o = user;
  for (size_t i = 0; i < n; i++, o->n++) {
    snprintf(o->device, sizeof o->device, "%s", recs[i].device ? recs[i].device : "(null)");
    snprintf(o->profile, sizeof o->profile, "%s", recs[i].profile ? recs[i].profile : "(null)");
    snprintf(o->bytes, sizeof o->bytes, "%.*s", (int)recs[i].len, recs[i].bytes);
    o->level[0] = recs[i].level[0];
    o->level[1] = recs[i].level[1];
  }
  return 0;
}

Test(stream, record_bytes_are_the_one_sheet_call) {
  IpsfPack *p = sample();
  const char *doc = "{\"device\":\"<cam>\",\"facts\":{\"usage\":\"home\",\"harm_life\":\"death\"}}";
  One o = {0};
  IpsfRunnerOptions opt = {.format = IPSF_RECORDS_JSONL, .write = keep_last, .user = &o};
  IpsfError err = {0};
  IpsfRunner *r = ipsf_runner_new(p, &opt, &err);
  cr_assert(r);
  cr_assert(ipsf_runner_document(r, doc, strlen(doc), IPSF_SYNTAX_JSON, NULL));
  cr_assert(ipsf_runner_finish(r, NULL));
  IpsfEval *ev = ipsf_eval_new(p);
  char *want = ipsf_evaluate_text(ev, doc, strlen(doc), IPSF_SYNTAX_JSON, NULL,
                                  IPSF_RECORDS_JSONL, 0, NULL, NULL, NULL);
  cr_expect_str_eq(o.bytes, want);
  cr_expect_str_eq(o.device, "<cam>");
  cr_expect_str_eq(o.profile, "(null)");
  cr_expect_eq(o.level[0], ipsf_eval_level(ev, S_S_RECOVERY));
  cr_expect_eq(o.level[1], ipsf_eval_level(ev, S_S_ECONOMIC));
  ipsf_free(want);
  ipsf_eval_free(ev);
  ipsf_runner_free(r);
  ipsf_pack_free(p);
}

Test(stream, bad_options) {
  IpsfPack *p = sample();
  IpsfError err = {0};
  IpsfRunnerOptions o = {.format = IPSF_RECORDS_JSONL};
  cr_expect_null(ipsf_runner_new(p, &o, &err), "no write function");
  cr_expect_eq(err.kind, IPSF_ERR_INTERNAL);
  o.write = keep_last;
  o.format = (IpsfRecordFormat)42;
  cr_expect_null(ipsf_runner_new(p, &o, &err));
  ipsf_pack_free(p);
}

/* IPSF_NO_VIEWS: the same bytes, no records passed. */
Test(stream, no_views_same_bytes) {
  IpsfPack *p = sample();
  size_t len;
  char *text = corpus(9000, &len);
  Seen with, without;
  for (int pass = 0; pass < 2; pass++) {
    Seen *s = pass ? &without : &with;
    memset(s, 0, sizeof *s);
    s->order_ok = s->device_matches = true;
    IpsfRunnerOptions o = {.format = IPSF_RECORDS_TEXT, .jobs = 2, .flags = pass ? IPSF_NO_VIEWS : 0,
                           .write = on_write, .user = s};
    IpsfError err = {0};
    IpsfRunner *r = ipsf_runner_new(p, &o, &err);
    cr_assert(r);
    Mem m = {text, len, 0};
    cr_assert(ipsf_runner_jsonl_read(r, mem_read, &m, "t.jsonl"));
    IpsfRunCounts c;
    cr_assert(ipsf_runner_finish(r, &c));
    cr_expect_eq(c.sheets, 9000 - 9000 / 13);
    ipsf_runner_free(r);
  }
  cr_expect_gt(with.records, 0);
  cr_expect_eq(without.records, 0);
  cr_expect_eq(with.len, without.len);
  cr_expect(memcmp(with.bytes, without.bytes, with.len) == 0);
  free(with.bytes);
  free(without.bytes);
  free(text);
  ipsf_pack_free(p);
}
