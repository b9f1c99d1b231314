/*
 * test_record_writer.c -- documents of records through the API
 * (IpsfRecordWriter, ipsf_eval_record in every format): the separators of
 * a document whose first records write nothing (sarif, all met) or are
 * errors, NULL sheet names and odd ones (commas, quotes, newlines, '%',
 * XML's specials) in every format, the documents parsed back (jansson for
 * json and sarif, counted rows for csv), the snprintf contract of take,
 * flushing onto a stream, and misuse.  Byte-identity with `ipsfc eval`
 * for every format is tests/embed/run.sh's (through the installed
 * library); here ipsf_evaluate_text, the path the CLI's worker takes, is
 * the reference for one record.
 */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <jansson.h>

#include "pack_builder.h"

static const IpsfRecordFormat formats[] = {IPSF_RECORDS_TEXT, IPSF_RECORDS_JSON,
                                           IPSF_RECORDS_JSONL, IPSF_RECORDS_CSV,
                                           IPSF_RECORDS_SARIF, IPSF_RECORDS_JUNIT};
#define NFORMATS (sizeof formats / sizeof formats[0])

/* Sheets of the sample pack: all met (evidence for what applies), one with
 * a requirement unmet, and one that does not bind (a wrong type). */
static const char *const all_met =
    "{\"facts\":{\"usage\":\"home\"},\"evidence\":{\"SH-01\":\"third_party_certification\","
    "\"SH-20\":\"third_party_inspection\"}}";
static const char *const unmet = "{\"facts\":{\"usage\":\"home\",\"harm_life\":\"death\"}}";

/* Bind and run text into ev; false with err when it does not evaluate. */
static bool run(IpsfEval *ev, const char *text, IpsfError *err) {
  IpsfSheet *s = ipsf_sheet_load(text, strlen(text), IPSF_SYNTAX_JSON, err);
  if (!s) return false;
  bool ok = ipsf_eval_bind(ev, s, NULL, 0, err) && ipsf_eval_run(ev, err);
  ipsf_sheet_free(s);
  return ok;
}

static IpsfPack *sample(void) {
  IpsfError err = {0};
  IpsfPack *p = pb_load(pb_sample(), &err);
  cr_assert(p, "%s", err.message);
  return p;
}

Test(record_writer, all_met_sheet_has_no_sarif_result) {
  IpsfPack *p = sample();
  IpsfEval *ev = ipsf_eval_new(p);
  IpsfError err;
  cr_assert(run(ev, all_met, &err), "%s", err.message);
  for (uint32_t q = 0; q < ipsf_pack_requirement_count(p); q++)
    if (ipsf_eval_applies(ev, q)) cr_assert_eq(ipsf_eval_status(ev, q), IPSF_MET, "req %u", q);
  ipsf_eval_free(ev);
  ipsf_pack_free(p);
}

/* The document of: all met, an error, unmet, all met, with `sheet`. */
static char *document(IpsfPack *p, IpsfRecordFormat f, const char *sheet, size_t *records) {
  IpsfEval *ev = ipsf_eval_new(p);
  IpsfRecordWriter *w = ipsf_record_writer_new(p, f, 0);
  cr_assert(w);
  IpsfError err = {0};
  cr_assert(run(ev, all_met, &err));
  cr_assert(ipsf_record_writer_eval(w, ev, sheet, 1, NULL, NULL));
  cr_assert_not(run(ev, "{\"facts\":{\"usage\":7}}", &err));
  cr_assert(ipsf_record_writer_error(w, &err, sheet, 2, NULL, NULL));
  cr_assert(run(ev, unmet, &err));
  cr_assert(ipsf_record_writer_eval(w, ev, sheet, 3, "dev, \"odd\"\n<&>", "p%1"));
  cr_assert(run(ev, all_met, &err));
  cr_assert(ipsf_record_writer_eval(w, ev, sheet, 0, NULL, NULL));
  cr_assert(ipsf_record_writer_end(w));
  *records = ipsf_record_writer_records(w);
  size_t len = 0;
  const char *data = ipsf_record_writer_data(w, &len);
  cr_assert_eq(strlen(data), len);
  char *copy = strdup(data);
  ipsf_record_writer_free(w);
  ipsf_eval_free(ev);
  return copy;
}

static void check_document(IpsfRecordFormat f, const char *doc, const char *sheet) {
  if (f == IPSF_RECORDS_JSON || f == IPSF_RECORDS_SARIF) {
    json_error_t je;
    json_t *j = json_loads(doc, 0, &je);
    cr_assert(j, "format %d, sheet %s: not JSON (%s at %d:%d):\n%s", (int)f,
              sheet ? sheet : "NULL", je.text, je.line, je.column, doc);
    if (f == IPSF_RECORDS_JSON) {
      cr_expect_eq(json_array_size(j), 4);
      json_t *s = json_object_get(json_array_get(j, 0), "sheet");
      if (sheet) cr_expect_str_eq(json_string_value(s), sheet);
      else cr_expect(json_is_null(s));
    } else {
      json_t *results = json_object_get(json_array_get(json_object_get(j, "runs"), 0), "results");
      /* the error, and the unmet requirement(s) of the third record */
      cr_expect_geq(json_array_size(results), 2);
      json_t *loc = json_object_get(json_array_get(results, 0), "locations");
      if (sheet) cr_expect(loc, "%s", doc);
      else cr_expect_null(loc, "no sheet, no location: %s", doc);
    }
    json_decref(j);
  } else if (f == IPSF_RECORDS_JSONL) {
    size_t lines = 0;
    for (const char *q = doc; (q = strchr(q, '\n')); q++) lines++;
    cr_expect_eq(lines, 4);
    for (const char *line = doc; *line; line = strchr(line, '\n') + 1) {
      json_t *j = json_loadb(line, (size_t)(strchr(line, '\n') - line), 0, NULL);
      cr_expect(j, "a bad line in %s", doc);
      json_decref(j);
    }
  } else if (f == IPSF_RECORDS_CSV) {
    /* a header and four rows, CRLF-terminated; quoted fields hold the
     * device's comma, quotes and newline */
    size_t rows = 0;
    bool quoted = false;
    for (const char *q = doc; *q; q++) {
      if (*q == '"') quoted = !quoted;
      else if (!quoted && q[0] == '\r' && q[1] == '\n') rows++;
    }
    cr_expect_not(quoted);
    cr_expect_eq(rows, 5, "%s", doc);
    cr_expect(strstr(doc, "\"dev, \"\"odd\"\"\n<&>\""), "%s", doc);
    if (!sheet) cr_expect(strstr(doc, "\r\n,1,"), "an empty sheet field: %s", doc);
  } else if (f == IPSF_RECORDS_JUNIT) {
    cr_expect(strncmp(doc, "<?xml", 5) == 0);
    cr_expect(strstr(doc, "</testsuite>\n</testsuites>\n"));
    size_t cases = 0;
    for (const char *q = doc; (q = strstr(q, "<testcase ")); q++) cases++;
    cr_expect_eq(cases, 4);
    cr_expect(strstr(doc, "dev, &quot;odd&quot;&#10;&lt;&amp;&gt; [p%1]"), "%s", doc);
    cr_expect_null(strstr(doc, "<&>"));
    if (!sheet) cr_expect(strstr(doc, "classname=\"line 2\""), "%s", doc);
  } else {
    cr_expect(strstr(doc, "dev, \"odd\""), "%s", doc);
  }
}

Test(record_writer, every_format_null_and_odd_sheet_names) {
  IpsfPack *p = sample();
  const char *sheets[] = {NULL, "plain.json", "we,ird \"name\" 100%\n<x>&.jsonl", "/abs/ü.json"};
  for (size_t i = 0; i < NFORMATS; i++)
    for (size_t k = 0; k < sizeof sheets / sizeof sheets[0]; k++) {
      size_t records = 0;
      char *doc = document(p, formats[i], sheets[k], &records);
      cr_expect_eq(records, 4);
      check_document(formats[i], doc, sheets[k]);
      free(doc);
    }
  ipsf_pack_free(p);
}

/* One record: ipsf_eval_record and a writer with one record both give
 * what ipsf_evaluate_text gives (the CLI worker's path), every format. */
Test(record_writer, one_record_is_evaluate_text) {
  IpsfPack *p = sample();
  IpsfEval *ev = ipsf_eval_new(p);
  for (size_t i = 0; i < NFORMATS; i++)
    for (int k = 0; k < 2; k++) {
      const char *text = k ? unmet : all_met;
      size_t n = 0;
      char *want = ipsf_evaluate_text(ev, text, strlen(text), IPSF_SYNTAX_JSON, NULL,
                                      formats[i], 0, &n, NULL, NULL);
      cr_assert(want);
      char *got = ipsf_eval_record(ev, NULL, 0, NULL, NULL, (int)formats[i], 0, NULL);
      cr_assert(got);
      cr_expect_str_eq(got, want, "format %d", (int)formats[i]);
      char buf[8192];
      size_t need = ipsf_eval_record_buf(ev, NULL, 0, NULL, NULL, formats[i], 0, buf, sizeof buf);
      cr_expect_eq(need, n);
      cr_expect_str_eq(buf, want);
      ipsf_free(got);
      ipsf_free(want);
    }
  /* an error record with no pack, every format */
  IpsfError err;
  ipsf_fail(&err, IPSF_ERR_BYTECODE, "bad magic");
  for (size_t i = 0; i < NFORMATS; i++) {
    char *rec = ipsf_error_record(NULL, &err, NULL, 0, NULL, NULL, formats[i], NULL);
    cr_assert(rec, "format %d", (int)formats[i]);
    cr_expect(strstr(rec, "bad magic"), "%s", rec);
    ipsf_free(rec);
  }
  cr_expect_null(ipsf_eval_record(ev, NULL, 0, NULL, NULL, 99, 0, NULL));
  ipsf_eval_free(ev);
  ipsf_pack_free(p);
}

Test(record_writer, take_flush_and_misuse) {
  IpsfPack *p = sample();
  IpsfPack *other = sample();
  IpsfEval *ev = ipsf_eval_new(p), *ev2 = ipsf_eval_new(other);
  IpsfError err;
  cr_assert(run(ev, unmet, &err));
  cr_assert(run(ev2, unmet, &err));
  IpsfRecordWriter *w = ipsf_record_writer_new(p, IPSF_RECORDS_SARIF, 0);
  cr_assert(ipsf_record_writer_begin(w));
  cr_assert(ipsf_record_writer_begin(w)); /* once only */
  size_t head = 0;
  ipsf_record_writer_data(w, &head);
  char small[8];
  cr_expect_eq(ipsf_record_writer_take(w, small, sizeof small), head); /* too small: kept */
  size_t still = 0;
  ipsf_record_writer_data(w, &still);
  cr_expect_eq(still, head);
  char *buf = malloc(head + 1);
  cr_expect_eq(ipsf_record_writer_take(w, buf, head + 1), head);
  cr_expect(strncmp(buf, "{\"version\":\"2.1.0\"", 18) == 0, "%s", buf);
  ipsf_record_writer_data(w, &still);
  cr_expect_eq(still, 0);
  /* a context of another pack is refused */
  cr_expect_not(ipsf_record_writer_eval(w, ev2, "x", 0, NULL, NULL));
  cr_assert(ipsf_record_writer_eval(w, ev, "x", 0, NULL, NULL));
  FILE *f = tmpfile();
  cr_assert(ipsf_record_writer_flush(w, f, &err));
  cr_assert(ipsf_record_writer_end(w));
  cr_expect_not(ipsf_record_writer_eval(w, ev, "x", 0, NULL, NULL)); /* after end */
  cr_expect_not(ipsf_record_writer_end(w));
  cr_assert(ipsf_record_writer_flush(w, f, &err));
  /* head + what was flushed is one valid document */
  long n = ftell(f);
  rewind(f);
  char *rest = calloc(1, (size_t)n + 1);
  cr_assert_eq(fread(rest, 1, (size_t)n, f), (size_t)n);
  fclose(f);
  char *doc = malloc(head + (size_t)n + 1);
  memcpy(doc, buf, head);
  memcpy(doc + head, rest, (size_t)n + 1);
  json_t *j = json_loads(doc, 0, NULL);
  cr_expect(j, "%s", doc);
  json_decref(j);
  free(doc);
  free(rest);
  free(buf);
  ipsf_record_writer_free(w);
  cr_expect_null(ipsf_record_writer_new(p, IPSF_RECORDS_NONE, 0));
  cr_expect_null(ipsf_record_writer_new(p, (IpsfRecordFormat)42, 0));
  ipsf_eval_free(ev);
  ipsf_eval_free(ev2);
  ipsf_pack_free(p);
  ipsf_pack_free(other);
}

/* The runner's views of a SARIF chunk whose first record writes nothing
 * (all met): that record has no bytes (before the fix its length was the
 * dropped separator's offset minus one: SIZE_MAX), the next starts at the
 * chunk's start, and the records tile the chunk. */
typedef struct {
  const char *text;
  size_t at, len;
} Source;

static long from_string(void *user, char *buf, size_t cap) {
  Source *s = user;
  size_t n = s->len - s->at < cap ? s->len - s->at : cap;
  memcpy(buf, s->text + s->at, n);
  s->at += n;
  return (long)n;
}

typedef struct {
  int chunks_with_records;
  bool ok;
} Seen;

static int check_views(void *user, const char *bytes, size_t len, const IpsfRunRecord *recs,
                       size_t n) {
  Seen *seen = user;
  if (!n) return 0;
  seen->chunks_with_records++;
  size_t at = 0;
  for (size_t i = 0; i < n; i++) {
    if (recs[i].bytes != bytes + at || recs[i].len > len - at) seen->ok = false;
    else at += recs[i].len;
  }
  if (at != len || recs[0].len != 0 || n != 2) seen->ok = false;
  return 0;
}

Test(record_writer, runner_views_when_the_first_record_writes_nothing) {
  IpsfPack *p = sample();
  char text[1024];
  snprintf(text, sizeof text, "%s\n%s\n", all_met, unmet);
  Source src = {text, 0, strlen(text)};
  Seen seen = {0, true};
  IpsfRunnerOptions o = {.format = IPSF_RECORDS_SARIF, .jobs = 1, .write = check_views,
                         .user = &seen};
  IpsfError err;
  IpsfRunner *r = ipsf_runner_new(p, &o, &err);
  cr_assert(r, "%s", err.message);
  cr_assert(ipsf_runner_jsonl_read(r, from_string, &src, "s.jsonl"));
  cr_assert(ipsf_runner_finish(r, NULL));
  cr_expect_eq(seen.chunks_with_records, 1);
  cr_expect(seen.ok, "the views do not tile the chunk");
  ipsf_runner_free(r);
  ipsf_pack_free(p);
}
