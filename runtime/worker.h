/*
 * worker.h -- one evaluator of sheets, documents and JSON Lines lines
 * (runtime/worker.c): what `ipsfc eval` runs on each thread and the
 * embedding API runs for its caller (private header).
 */
#ifndef IPSF_WORKER_H
#define IPSF_WORKER_H

#include "report.h"
#include "sheet.h"

/* What every worker reads and never writes. */
typedef struct {
  const IpsfPack *pack;
  IpsfReporter reporter;  /* format, explain, color, pack, cache */
  const char *profile;    /* only this profile of each sheet, or NULL */
  IpsfBindOptions bind;
  size_t max_line_bytes;  /* a JSON Lines line's limit, for its message */
  bool no_bytes;          /* render no record (views only: IPSF_RECORDS_NONE) */
  const char *as_of;      /* "YYYY-MM-DD" (checked by the caller), NULL: today */
  bool no_memo;           /* jsonl, csv: render every record body (no IpsfReportMemo) */
  bool tiny_memo;         /* the memo's tiny size (its differential test) */
} IpsfWorkerConfig;

/* Counts of a run (or of one batch, summed in order). */
typedef struct {
  size_t sheets;   /* documents and non-blank lines read */
  size_t records;  /* records evaluated without error */
  size_t errors;   /* error records */
  size_t unmet;    /* requirements applying and not shown met */
} IpsfCounts;

/* What a record is, beside its bytes (the public IpsfRunRecord, built by
 * runtime/stream.c when the batch is delivered): offsets, not pointers,
 * since the buffers they index grow while the batch is evaluated. */
typedef struct {
  size_t end;             /* the record's bytes end here in `out` */
  uint64_t line;
  size_t device, profile; /* offsets in `strings` + 1; 0 = NULL */
  size_t message;         /* an error record's message, same */
  size_t status;          /* offset of requirement_count bytes in `strings` */
  IpsfErrorKind error;
  uint32_t level[2];      /* axis 1, 2 (UINT32_MAX: none, or an error) */
} IpsfView;

typedef struct {
  IpsfView *items;
  size_t count, cap;
  IpsfBuf strings;        /* devices, profiles, messages, status bytes */
  bool failed;            /* out of memory: views incomplete */
} IpsfViews;

/* One evaluator: a context, an output buffer, counts.  One per thread. */
typedef struct {
  const IpsfWorkerConfig *cfg;
  IpsfEval *ev;
  IpsfBuf out;
  IpsfViews *views;   /* NULL, or a view per record appended (stream.c) */
  IpsfReporter rep;   /* a copy of cfg->reporter; `written` kept at 1 */
  size_t out_records; /* records in out (for the first separator) */
  IpsfCounts n;
  char *scratch;      /* decoded strings of the fast path */
  size_t scratch_cap;
} IpsfWorker;

bool ipsf_worker_init(IpsfWorker *w, const IpsfWorkerConfig *cfg);
void ipsf_worker_free(IpsfWorker *w);
/* An error record for h. */
void ipsf_worker_error(IpsfWorker *w, const IpsfRecordHead *h, const IpsfError *err);
/* One parsed document (JSON, YAML, or a line): a record per profile. */
void ipsf_worker_document(IpsfWorker *w, IpsfRecordHead *h, json_t *doc);
/* One JSON Lines line (text[it->len] is a NUL): the fast path, else jansson. */
void ipsf_worker_line(IpsfWorker *w, const char *path, const IpsfBatchItem *it, const char *text);
/* Every line of a batch, then the stream's own error if it stopped. */
void ipsf_worker_batch(IpsfWorker *w, const char *path, const IpsfBatch *b);

/* Views: emptied (kept allocated) and freed. */
void ipsf_views_clear(IpsfViews *v);
void ipsf_views_free(IpsfViews *v);
/* The status byte of a requirement that does not apply (else an IpsfStatus). */
#define IPSF_VIEW_NOT_APPLICABLE IPSF_NOT_APPLICABLE /* ipsf.h */

#endif
