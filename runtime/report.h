/*
 * report.h -- eval records as text, JSON and JSON Lines (private header).
 *
 * The record layout is CLI.md's "eval record": keys in that order.  All
 * output goes through one growable buffer that the caller flushes.
 */
#ifndef IPSF_REPORT_H
#define IPSF_REPORT_H

#include <stdio.h>

#include "eval.h"

typedef struct {
  char *data;      /* NUL-terminated when non-NULL */
  size_t len, cap;
  bool failed; /* an allocation failed: the contents are incomplete; sticky
                  (later appends are dropped) until ipsf_buf_free */
} IpsfBuf;

void ipsf_buf_init(IpsfBuf *b);
void ipsf_buf_free(IpsfBuf *b);
void ipsf_buf_put(IpsfBuf *b, const char *s, size_t n);
void ipsf_buf_puts(IpsfBuf *b, const char *s);
void ipsf_buf_printf(IpsfBuf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* A SARIF artifactLocation.uri for a path, as a JSON string: percent-encoded;
 * an absolute path becomes a file: URI, a relative one stays relative. */
void ipsf_buf_sarif_uri(IpsfBuf *b, const char *path);
/* A JSON string literal with escapes (s may be NULL: writes null). */
void ipsf_buf_json_string(IpsfBuf *b, const char *s);
/* Write out, fflush and empty; false on a write error.  Does not clear
 * `failed`: check it before flushing a record. */
bool ipsf_buf_flush(IpsfBuf *b, FILE *out);

typedef enum {
  IPSF_OUT_TEXT,
  IPSF_OUT_JSON,
  IPSF_OUT_JSONL,
  IPSF_OUT_CSV,   /* report_ci.c: a header, then one row per record */
  IPSF_OUT_SARIF, /* report_ci.c: SARIF 2.1.0, a result per requirement not met */
  IPSF_OUT_JUNIT  /* report_ci.c: a test case per record */
} IpsfOutFormat;

/* What one record is about. */
typedef struct {
  const char *sheet;    /* the sheet's path as given ("-" for stdin) */
  uint64_t line;        /* 1-based JSONL line, 0 = none (null) */
  const char *device;   /* or NULL */
  const char *profile;  /* or NULL */
} IpsfRecordHead;

/* A record's leading separator (json: ",\n  ", text: a blank line) depends
 * on `written` only.  To build records in parallel (--jobs), give each a
 * copy of the reporter whose `written` is the record's position in the
 * output, then concatenate the buffers in order. */
typedef struct {
  IpsfOutFormat format;
  bool explain;   /* include reasons */
  bool color;     /* text only: ANSI colours */
  size_t written; /* records written so far (json: separators) */
  const IpsfPack *pack; /* csv header, sarif rules, junit suite (begin/end) */
  const struct ipsf_report_cache *cache; /* jsonl: pre-rendered fragments, or NULL */
  struct ipsf_report_memo *memo; /* jsonl with a cache, csv: one worker's record bodies, or NULL */
} IpsfReporter;

/* The constant parts of a jsonl record (pack, requirement heads, level and
 * method names as JSON literals), rendered once per pack and shared
 * read-only by every worker: a record is then mostly memcpy.  NULL when out
 * of memory (records are then rendered piece by piece, the same bytes). */
typedef struct ipsf_report_cache IpsfReportCache;
IpsfReportCache *ipsf_report_cache_new(const IpsfPack *pack);
void ipsf_report_cache_free(IpsfReportCache *c);

/* A worker's memo of jsonl and csv record bodies (report.c, "memoised
 * record bodies"): a record whose evaluation had the same outcome as an
 * earlier one copies its body's bytes.  Owned by one worker, used by one thread;
 * NULL when out of memory or for a pack whose outcome does not fit its
 * key (records are then rendered, the same bytes).  `tiny`: 16 bodies,
 * judged every 256 lookups, so that a test reaches the full memo's paths
 * (emptied and filled again, turned off) with few outcomes. */
typedef struct ipsf_report_memo IpsfReportMemo;
IpsfReportMemo *ipsf_report_memo_new(const IpsfPack *pack, bool tiny);
void ipsf_report_memo_free(IpsfReportMemo *m);
/* After a jsonl or csv record: when its outcome's key was built, true and the
 * count of applying requirements neither met nor compensated (what the
 * worker counts as unmet), so the worker need not ask the statuses again. */
bool ipsf_report_memo_unmet(const IpsfReportMemo *m, size_t *unmet);
/* The records that follow, up to the next call, are all of sheet `sheet`
 * (NULL: not known), a string that stays unchanged meanwhile: the head's
 * path is then rendered once, not compared record by record. */
void ipsf_report_memo_batch(IpsfReportMemo *m, const char *sheet);
/* A record body by the memo (jsonl: after the head; csv: after the
 * sheet, line, device and profile fields): true when the outcome's body
 * was appended to b.  Otherwise render it and, when *klen is not 0, give
 * its bytes to ipsf_report_memo_keep(m, *klen, ...) before the next
 * lookup. */
bool ipsf_report_memo_lookup(IpsfReportMemo *m, const IpsfEval *ev, bool jsonl, IpsfBuf *b,
                             size_t *klen);
void ipsf_report_memo_keep(IpsfReportMemo *m, size_t klen, const char *body, size_t len);

/* Append without a call when there is room (the record writers' hot path). */
static inline void ipsf_buf_put_fast(IpsfBuf *b, const char *s, size_t n) {
  if (b->len + n < b->cap && !b->failed) {
    __builtin_memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
  } else {
    ipsf_buf_put(b, s, n);
  }
}

/* For json: the opening and closing of the one document (an array). */
void ipsf_report_begin(IpsfBuf *b, IpsfReporter *r);
void ipsf_report_end(IpsfBuf *b, IpsfReporter *r);
/* One record for a successful evaluation of ev. */
void ipsf_report_record(IpsfBuf *b, IpsfReporter *r, const IpsfRecordHead *h,
                        const IpsfEval *ev);
/* One error record (pack may be NULL when it could not be loaded). */
void ipsf_report_error(IpsfBuf *b, IpsfReporter *r, const IpsfRecordHead *h,
                       const IpsfPack *pack, const IpsfError *err);

/* Records are rendered as if each were not the first of its document (a
 * reporter whose `written` is non-zero: json ",\n  ", text a blank line,
 * sarif "," before each result); the first separator of a document is then
 * dropped where output is passed on.  The bytes to drop at the start of a
 * piece of records `data` (len bytes), when no record bytes of the
 * document came before it: 1 or 0.  Not "the first record": in sarif a
 * record whose requirements are all met writes nothing, so the first
 * separator may belong to a later record. */
size_t ipsf_report_first_skip(IpsfOutFormat format, const char *data, size_t len);

/* record_writer.c: the reporter's format of a public IpsfRecordFormat
 * (false for one it does not know, IPSF_RECORDS_NONE included), and a
 * writer's pending bytes as a malloc'd string, the writer left empty
 * (NULL when out of memory). */
bool ipsf_record_format_out(IpsfRecordFormat format, IpsfOutFormat *out);
char *ipsf_record_writer_steal(IpsfRecordWriter *w, size_t *len);

/* report_ci.c: the CI formats (csv, sarif, junit), called by the four
 * functions above for those formats.  Separators: a sarif result starts
 * with "," when r->written is non-zero (the writer drops the first). */
void ipsf_report_ci_begin(IpsfBuf *b, const IpsfReporter *r);
void ipsf_report_ci_end(IpsfBuf *b, const IpsfReporter *r);
void ipsf_report_ci_record(IpsfBuf *b, const IpsfReporter *r, const IpsfRecordHead *h,
                           const IpsfEval *ev);
void ipsf_report_ci_error(IpsfBuf *b, const IpsfReporter *r, const IpsfRecordHead *h,
                          const IpsfError *err);

#endif
