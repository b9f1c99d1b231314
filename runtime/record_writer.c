/*
 * record_writer.c -- documents of records in any of the CLI's formats,
 * record by record, for an embedder (include/ipsf.h, "records as
 * documents"): text, json, jsonl, csv, sarif, junit.
 *
 * A format is a document, not a list of records: csv has a header, json
 * an array, sarif and junit an opening and a closing around the records,
 * and what separates two records depends on whether anything came before.
 * The writer keeps that state (begun, ended, records so far, whether the
 * first separator has been decided) and appends each piece -- the
 * opening, a record, an error record, the closing -- to its pending
 * buffer, which the caller drains into a FILE *, into its own buffer
 * (snprintf's contract), or reads in place.
 *
 * Same bytes as `ipsfc eval`.  The pieces are rendered by the reporter the
 * CLI's runner uses (report.c, report_ci.c), with the runner's rule for
 * separators: every record is rendered as if it were not the first of its
 * document, and the first record bytes of the document lose their
 * separator (ipsf_report_first_skip).  The first record bytes, not the
 * first record's: a sarif record whose requirements are all met has no
 * bytes at all.  So a document written here for the records of some
 * sheets is byte for byte what `ipsfc eval --format F` writes for them
 * (tests/embed/run.sh compares every format; tests/unit/test_record_writer.c
 * the separators, NULL names and odd ones).
 *
 * Invariants: pending bytes only grow until drained; `written` counts the
 * records appended (the reporter's count, which json's closing needs);
 * after end, nothing more is appended.  Out of memory leaves the writer
 * failed: every later call returns false, and no partial piece is ever
 * passed as whole (a piece is appended only when it rendered whole).
 * A writer belongs to one thread at a time; the pack and the contexts it
 * reads are only read.
 */
#include <stdlib.h>
#include <string.h>

#include "report.h"

struct ipsf_record_writer {
  IpsfReporter rep;   /* format, explain, color, pack; written: records appended */
  IpsfBuf out;        /* pending bytes */
  IpsfBuf piece;      /* one piece being rendered (reused) */
  bool record_bytes;  /* some record's bytes were appended: separators kept from now on */
  bool begun, ended, failed;
};

bool ipsf_record_format_out(IpsfRecordFormat format, IpsfOutFormat *out) {
  static const IpsfOutFormat map[] = {IPSF_OUT_TEXT, IPSF_OUT_JSON,  IPSF_OUT_JSONL,
                                      IPSF_OUT_CSV,  IPSF_OUT_SARIF, IPSF_OUT_JUNIT};
  if ((unsigned)format >= sizeof map / sizeof map[0]) return false;
  *out = map[format];
  return true;
}

IpsfRecordWriter *ipsf_record_writer_new(const IpsfPack *pack, IpsfRecordFormat format,
                                         unsigned flags) {
  IpsfOutFormat f;
  if (!ipsf_record_format_out(format, &f)) return NULL;
  IpsfRecordWriter *w = calloc(1, sizeof *w);
  if (!w) return NULL;
  w->rep.format = f;
  w->rep.explain = (flags & IPSF_EXPLAIN) != 0;
  w->rep.color = f == IPSF_OUT_TEXT && (flags & IPSF_COLOR) != 0;
  w->rep.pack = pack;
  ipsf_buf_init(&w->out);
  ipsf_buf_init(&w->piece);
  return w;
}

void ipsf_record_writer_free(IpsfRecordWriter *w) {
  if (!w) return;
  ipsf_buf_free(&w->out);
  ipsf_buf_free(&w->piece);
  free(w);
}

/* Append the rendered piece (dropping skip bytes) to the pending bytes. */
static bool append(IpsfRecordWriter *w, size_t skip) {
  if (w->piece.failed) w->failed = true;
  else if (w->piece.len > skip) ipsf_buf_put(&w->out, w->piece.data + skip, w->piece.len - skip);
  if (w->out.failed) w->failed = true;
  w->piece.len = 0;
  if (w->piece.data) w->piece.data[0] = '\0';
  w->piece.failed = false;
  return !w->failed;
}

bool ipsf_record_writer_begin(IpsfRecordWriter *w) {
  if (!w || w->failed || w->ended) return false;
  if (w->begun) return true;
  w->begun = true;
  IpsfReporter rep = w->rep;
  ipsf_report_begin(&w->piece, &rep);
  return append(w, 0);
}

/* A record (ev) or an error record (err), with the runner's separator rule. */
static bool record(IpsfRecordWriter *w, const IpsfEval *ev, const IpsfError *err,
                   const char *sheet, uint64_t line, const char *device, const char *profile) {
  if (!ipsf_record_writer_begin(w)) return false;
  IpsfRecordHead h = {sheet, line, device, profile};
  IpsfReporter rep = w->rep;
  rep.written = w->rep.written + 1; /* as if not the first */
  if (ev) ipsf_report_record(&w->piece, &rep, &h, ev);
  else ipsf_report_error(&w->piece, &rep, &h, w->rep.pack, err);
  size_t skip = w->record_bytes ? 0 : ipsf_report_first_skip(w->rep.format, w->piece.data,
                                                              w->piece.len);
  if (w->piece.len > skip) w->record_bytes = true;
  w->rep.written++;
  return append(w, skip);
}

bool ipsf_record_writer_eval(IpsfRecordWriter *w, const IpsfEval *ev, const char *sheet,
                             uint64_t line, const char *device, const char *profile) {
  if (!w || !ev || ev->pack != w->rep.pack) return false;
  return record(w, ev, NULL, sheet, line, device, profile);
}

bool ipsf_record_writer_error(IpsfRecordWriter *w, const IpsfError *err, const char *sheet,
                              uint64_t line, const char *device, const char *profile) {
  if (!w || !err) return false;
  return record(w, NULL, err, sheet, line, device, profile);
}

bool ipsf_record_writer_end(IpsfRecordWriter *w) {
  if (!ipsf_record_writer_begin(w)) return false;
  w->ended = true;
  IpsfReporter rep = w->rep;
  ipsf_report_end(&w->piece, &rep);
  return append(w, 0);
}

const char *ipsf_record_writer_data(const IpsfRecordWriter *w, size_t *len) {
  if (len) *len = w && w->out.data ? w->out.len : 0;
  return w && w->out.data ? w->out.data : "";
}

static void drain(IpsfRecordWriter *w, size_t n) {
  memmove(w->out.data, w->out.data + n, w->out.len - n);
  w->out.len -= n;
  w->out.data[w->out.len] = '\0';
}

size_t ipsf_record_writer_take(IpsfRecordWriter *w, char *buf, size_t cap) {
  if (!w || w->failed) return SIZE_MAX;
  size_t len = w->out.data ? w->out.len : 0;
  if (len < cap) {
    if (len) memcpy(buf, w->out.data, len);
    buf[len] = '\0';
    if (len) drain(w, len);
  }
  return len;
}

bool ipsf_record_writer_flush(IpsfRecordWriter *w, FILE *out, IpsfError *err) {
  if (!w || w->failed)
    return ipsf_fail(err, IPSF_ERR_NOMEM, "out of memory writing records");
  size_t len = w->out.data ? w->out.len : 0;
  if (len && fwrite(w->out.data, 1, len, out) != len)
    return ipsf_fail(err, IPSF_ERR_IO, "cannot write records");
  if (len) drain(w, len);
  return true;
}

size_t ipsf_record_writer_records(const IpsfRecordWriter *w) { return w ? w->rep.written : 0; }

/* The malloc'd pending bytes (the writer is left empty), or NULL. */
char *ipsf_record_writer_steal(IpsfRecordWriter *w, size_t *len) {
  if (!w || w->failed) return NULL;
  if (!w->out.data) {
    char *empty = calloc(1, 1);
    if (empty && len) *len = 0;
    return empty;
  }
  char *data = w->out.data;
  if (len) *len = w->out.len;
  w->out.data = NULL;
  w->out.len = w->out.cap = 0;
  return data;
}
