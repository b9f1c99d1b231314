/*
 * api.c -- the parts of ipsf.h an embedder needs beyond loading and
 * evaluating: what a pack declares, by index and by name; one sheet
 * evaluated from text to records in one call (for bindings: python/);
 * JSON Lines in chunks; a sheet parsed once (IpsfSheet, a jansson document
 * behind an opaque type) and bound profile by profile with the CLI's own
 * binder; records and error records into a caller's buffer or FILE *.
 *
 * Every path here reuses the CLI's readers, binder and reporter rather
 * than a copy of them, so a record or an error an embedder gets is the
 * one `ipsfc eval` writes, byte for byte (tests/unit/test_api*.c).
 *
 * Everything here reads the verified, immutable pack, so it is safe from
 * any thread; ipsf_evaluate_text writes only into the context it is given.
 * Indices are checked (UINT32_MAX / NULL out of range): these are the
 * entry points of callers that did not go through the verifier.
 */
#include <stdlib.h>
#include <string.h>

#include "worker.h"

const char *ipsf_version(void) { return IPSF_VERSION; }

void ipsf_free(void *p) { free(p); }

/* ---- facts ----------------------------------------------------------------- */

uint32_t ipsf_pack_fact_count(const IpsfPack *p) { return p->fact_count; }

const char *ipsf_pack_fact_name(const IpsfPack *p, uint32_t f) {
  return f < p->fact_count ? ipsf_str(p, p->facts[f].name) : NULL;
}

const char *ipsf_pack_fact_type(const IpsfPack *p, uint32_t f) {
  if (f >= p->fact_count) return NULL;
  switch (p->facts[f].type.kind) {
  case IPSF_K_BOOL: return "bool";
  case IPSF_K_INT: return "int";
  case IPSF_K_NUMBER: return "number";
  case IPSF_K_STRING: return "string";
  case IPSF_K_ENUM: return "enum";
  default: return "set";
  }
}

bool ipsf_pack_fact_required(const IpsfPack *p, uint32_t f) {
  return f < p->fact_count && p->facts[f].default_const == IPSF_NONE;
}

uint32_t ipsf_pack_fact_value_count(const IpsfPack *p, uint32_t f) {
  if (f >= p->fact_count || p->facts[f].type.enum_type == IPSF_NONE) return 0;
  return p->enums[p->facts[f].type.enum_type].value_count;
}

const char *ipsf_pack_fact_value(const IpsfPack *p, uint32_t f, uint32_t v) {
  if (v >= ipsf_pack_fact_value_count(p, f)) return NULL;
  return ipsf_str(p, p->enums[p->facts[f].type.enum_type].values[v]);
}

/* ---- scales, viewpoints, requirements ---------------------------------------- */

uint32_t ipsf_pack_scale_count(const IpsfPack *p) { return p->scale_count; }

const char *ipsf_pack_scale_name(const IpsfPack *p, uint32_t s) {
  return s < p->scale_count ? ipsf_str(p, p->scales[s].name) : NULL;
}

uint32_t ipsf_pack_scale_index(const IpsfPack *p, const char *name) {
  for (uint32_t s = 0; name && s < p->scale_count; s++)
    if (strcmp(ipsf_str(p, p->scales[s].name), name) == 0) return s;
  return IPSF_NONE;
}

uint32_t ipsf_pack_level_count(const IpsfPack *p, uint32_t s) {
  return s < p->scale_count ? p->enums[p->scales[s].enum_type].value_count : 0;
}

const char *ipsf_pack_level_name(const IpsfPack *p, uint32_t s, uint32_t level) {
  if (level >= ipsf_pack_level_count(p, s)) return NULL;
  return ipsf_str(p, p->enums[p->scales[s].enum_type].values[level]);
}

uint32_t ipsf_pack_viewpoint_count(const IpsfPack *p) { return p->viewpoint_count; }

const char *ipsf_pack_viewpoint_name(const IpsfPack *p, uint32_t v) {
  return v < p->viewpoint_count ? ipsf_str(p, p->viewpoints[v].name) : NULL;
}

uint32_t ipsf_pack_requirement_count(const IpsfPack *p) { return p->requirement_count; }

const char *ipsf_pack_requirement_id(const IpsfPack *p, uint32_t r) {
  return r < p->requirement_count ? ipsf_str(p, p->requirements[r].id) : NULL;
}

const char *ipsf_pack_requirement_title(const IpsfPack *p, uint32_t r) {
  return r < p->requirement_count ? ipsf_str(p, p->requirements[r].title) : NULL;
}

#define REQUIREMENT_STRING(field)                                                   \
  const char *ipsf_pack_requirement_##field(const IpsfPack *p, uint32_t r) {        \
    return p && r < p->requirement_count ? ipsf_str(p, p->requirements[r].field) : NULL; \
  }
REQUIREMENT_STRING(basis)
REQUIREMENT_STRING(citation)
REQUIREMENT_STRING(confirmed_by)

uint32_t ipsf_pack_compensation_count(const IpsfPack *pack) {
  return pack ? pack->compensation_count : 0;
}

bool ipsf_pack_compensation(const IpsfPack *pack, uint32_t k, uint32_t *requirement,
                            uint32_t *by, const char **until, uint32_t *months) {
  if (!pack || k >= pack->compensation_count) return false;
  const IpsfCompensation *c = &pack->compensations[k];
  if (requirement) *requirement = c->requirement;
  if (by) *by = c->by;
  if (until) *until = ipsf_str(pack, c->until);
  if (months) *months = c->months;
  return true;
}
REQUIREMENT_STRING(subject)
#undef REQUIREMENT_STRING

uint32_t ipsf_pack_requirement_viewpoint(const IpsfPack *p, uint32_t r) {
  return r < p->requirement_count ? p->requirements[r].viewpoint : IPSF_NONE;
}

uint32_t ipsf_pack_requirement_index(const IpsfPack *p, const char *id) {
  for (uint32_t r = 0; id && r < p->requirement_count; r++)
    if (strcmp(ipsf_str(p, p->requirements[r].id), id) == 0) return r;
  return IPSF_NONE;
}

uint32_t ipsf_pack_requirement_ref_count(const IpsfPack *p, uint32_t r) {
  return r < p->requirement_count ? p->requirements[r].ref_count : 0;
}

const char *ipsf_pack_requirement_ref(const IpsfPack *p, uint32_t r, uint32_t i) {
  return i < ipsf_pack_requirement_ref_count(p, r) ? ipsf_str(p, p->requirements[r].refs[i]) : NULL;
}

/* ---- rules ---------------------------------------------------------------------- */

uint32_t ipsf_pack_rule_count(const IpsfPack *p) { return p->rule_count; }

uint32_t ipsf_pack_rule_scale(const IpsfPack *p, uint32_t r) {
  return r < p->rule_count ? p->rules[r].scale : IPSF_NONE;
}

uint32_t ipsf_pack_rule_level(const IpsfPack *p, uint32_t r) {
  return r < p->rule_count ? p->rules[r].level : IPSF_NONE;
}

const char *ipsf_pack_rule_because(const IpsfPack *p, uint32_t r) {
  return r < p->rule_count ? ipsf_str(p, p->rules[r].because) : NULL;
}

bool ipsf_pack_rule_location(const IpsfPack *p, uint32_t r, const char **file, uint32_t *line,
                             uint32_t *col) {
  if (r >= p->rule_count) return false;
  const IpsfLoc *l = &p->rules[r].loc;
  if (file) *file = ipsf_str(p, l->file);
  if (line) *line = l->line;
  if (col) *col = l->col;
  return true;
}

/* ---- results beyond eval.c's ------------------------------------------------------ */

uint32_t ipsf_eval_every_months(const IpsfEval *ev, uint32_t r) {
  if (!ipsf_eval_applies(ev, r)) return 0;
  uint32_t c = ev->req_confirm[r];
  return c == IPSF_NONE ? 0 : ev->pack->confirms[c].every_months;
}

bool ipsf_eval_rule_hit(const IpsfEval *ev, uint32_t r) {
  return ev && r < ev->pack->rule_count && ((ev->rule_hit[r / 64] >> (r % 64)) & 1u);
}

/* The three formats of the evaluator (JSON Lines in chunks), text for others. */
static IpsfOutFormat out_format(int format) {
  return format == IPSF_RECORDS_JSON    ? IPSF_OUT_JSON
         : format == IPSF_RECORDS_JSONL ? IPSF_OUT_JSONL
                                        : IPSF_OUT_TEXT;
}

/* A document of one record (ev) or error record (e), through a record
 * writer: the bytes `ipsfc eval` writes for it, in any format. */
static char *one_record(const IpsfPack *pack, const IpsfEval *ev, const IpsfError *e,
                        const char *sheet, uint64_t line, const char *device,
                        const char *profile, int format, unsigned flags, size_t *out_len) {
  IpsfRecordWriter *w = ipsf_record_writer_new(pack, (IpsfRecordFormat)format, flags);
  if (!w) return NULL;
  bool ok = ev ? ipsf_record_writer_eval(w, ev, sheet, line, device, profile)
               : ipsf_record_writer_error(w, e, sheet, line, device, profile);
  char *out = ok && ipsf_record_writer_end(w) ? ipsf_record_writer_steal(w, out_len) : NULL;
  ipsf_record_writer_free(w);
  return out;
}

char *ipsf_eval_record(const IpsfEval *ev, const char *sheet, uint64_t line, const char *device,
                       const char *profile, int format, unsigned flags, size_t *out_len) {
  return one_record(ev->pack, ev, NULL, sheet, line, device, profile, format, flags, out_len);
}

/* ---- one sheet, text to records ------------------------------------------------ */

/* The worker's records with the first one's separator dropped (workers
 * render every record as if it were not the first), between the format's
 * opening and closing: what `ipsfc eval` writes for the same input. */
static char *finish_records(IpsfWorker *w, size_t *out_len) {
  IpsfReporter rep = w->cfg->reporter;
  IpsfBuf doc;
  ipsf_buf_init(&doc);
  ipsf_report_begin(&doc, &rep);
  const char *data = w->out.data ? w->out.data : "";
  size_t len = w->out.len;
  size_t skip = ipsf_report_first_skip(rep.format, data, len);
  data += skip;
  len -= skip;
  ipsf_buf_put(&doc, data, len);
  rep.written = w->out_records;
  ipsf_report_end(&doc, &rep);
  if (doc.failed || w->out.failed || !doc.data) {
    ipsf_buf_free(&doc);
    return NULL;
  }
  if (out_len) *out_len = doc.len;
  return doc.data; /* the buffer's block, NUL-terminated: now the caller's */
}

char *ipsf_evaluate_text(IpsfEval *ev, const char *text, size_t len, IpsfSheetSyntax syntax,
                         const char *profile, IpsfRecordFormat format, unsigned flags,
                         size_t *out_len, size_t *records, size_t *errors) {
  IpsfWorkerConfig cfg = {.pack = ev->pack, .profile = profile,
                          .max_line_bytes = IPSF_SHEET_MAX_LINE};
  if (!ipsf_record_format_out(format, &cfg.reporter.format)) cfg.reporter.format = IPSF_OUT_TEXT;
  cfg.reporter.explain = (flags & IPSF_EXPLAIN) != 0;
  cfg.reporter.pack = ev->pack;
  cfg.bind.allow_unknown_facts = (flags & IPSF_ALLOW_UNKNOWN_FACTS) != 0;
  /* The caller's context, not one of the worker's own: its results stay
   * readable after the call. */
  IpsfWorker w = {.cfg = &cfg, .ev = ev, .rep = cfg.reporter};
  w.rep.written = 1;
  ipsf_buf_init(&w.out);
  IpsfRecordHead h = {NULL, 0, NULL, profile};
  IpsfError err = {0};
  json_t *doc = syntax == IPSF_SYNTAX_YAML    ? ipsf_sheet_parse_yaml(text, len, &err)
                : syntax == IPSF_SYNTAX_JSONL ? ipsf_sheet_parse_jsonl_line(text, len, &err)
                                              : ipsf_sheet_parse_json(text, len, &err);
  if (!doc) {
    w.n.sheets++;
    ipsf_worker_error(&w, &h, &err);
  } else {
    ipsf_worker_document(&w, &h, doc);
    json_decref(doc);
  }
  char *out = finish_records(&w, out_len);
  if (records) *records = w.out_records;
  if (errors) *errors = w.n.errors;
  ipsf_buf_free(&w.out);
  return out;
}

/* ---- many sheets: JSON Lines text in batches ------------------------------------ */

struct ipsf_evaluator {
  IpsfWorkerConfig cfg;
  IpsfWorker w;
  IpsfBatch batch;
  IpsfReportCache *cache; /* JSON Lines: the records' constant parts */
  char *profile;          /* owned copy */
};

void ipsf_evaluator_free(IpsfEvaluator *e) {
  if (!e) return;
  ipsf_worker_free(&e->w);
  ipsf_batch_free(&e->batch);
  ipsf_report_cache_free(e->cache);
  free(e->profile);
  free(e);
}

IpsfEvaluator *ipsf_evaluator_new(const IpsfPack *pack, IpsfRecordFormat format, unsigned flags,
                                  const char *profile) {
  IpsfEvaluator *e = calloc(1, sizeof *e);
  if (!e) return NULL;
  ipsf_batch_init(&e->batch);
  e->cfg.pack = pack;
  e->cfg.reporter.format = out_format((int)format);
  e->cfg.reporter.explain = (flags & IPSF_EXPLAIN) != 0;
  e->cfg.reporter.pack = pack;
  e->cfg.bind.allow_unknown_facts = (flags & IPSF_ALLOW_UNKNOWN_FACTS) != 0;
  e->cfg.max_line_bytes = IPSF_SHEET_MAX_LINE;
  if (profile && !(e->profile = strdup(profile))) goto fail;
  e->cfg.profile = e->profile;
  /* Without the cache, records are rendered piece by piece: the same bytes. */
  if (e->cfg.reporter.format == IPSF_OUT_JSONL && !e->cfg.reporter.explain)
    e->cfg.reporter.cache = e->cache = ipsf_report_cache_new(pack);
  if (!ipsf_worker_init(&e->w, &e->cfg)) goto fail;
  return e;
fail:
  ipsf_evaluator_free(e);
  return NULL;
}

char *ipsf_evaluator_jsonl(IpsfEvaluator *e, const char *text, size_t len, const char *sheet,
                           uint64_t first_line, size_t *out_len, IpsfEvalCounts *counts) {
  IpsfBatch *b = &e->batch;
  b->count = b->text_len = 0;
  b->fatal = false;
  uint64_t line_no = first_line ? first_line : 1;
  for (const char *p = text, *end = text + len; p < end; line_no++) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
    /* As the stream reader: a line over the limit is an error, no text. */
    bool ok = n > e->cfg.max_line_bytes ? ipsf_batch_add_too_long(b, line_no)
                                        : ipsf_batch_add_line(b, line_no, p, n);
    if (!ok) return NULL;
    p = nl ? nl + 1 : end;
  }
  IpsfWorker *w = &e->w;
  w->out.len = 0;
  w->out_records = 0;
  memset(&w->n, 0, sizeof w->n);
  ipsf_worker_batch(w, sheet, b);
  char *out = finish_records(w, out_len);
  if (counts && out) {
    counts->sheets += w->n.sheets;
    counts->records += w->n.records;
    counts->errors += w->n.errors;
  }
  return out;
}

/* ---- by name: levels and viewpoints --------------------------------------------- */

uint32_t ipsf_pack_level_index(const IpsfPack *p, uint32_t s, const char *name) {
  uint32_t n = ipsf_pack_level_count(p, s);
  for (uint32_t l = 0; name && l < n; l++)
    if (strcmp(ipsf_pack_level_name(p, s, l), name) == 0) return l;
  return IPSF_NONE;
}

uint32_t ipsf_pack_viewpoint_index(const IpsfPack *p, const char *name) {
  for (uint32_t v = 0; name && v < p->viewpoint_count; v++)
    if (strcmp(ipsf_str(p, p->viewpoints[v].name), name) == 0) return v;
  return IPSF_NONE;
}

/* ---- a parsed sheet, bound profile by profile ------------------------------------ *
 *
 * An IpsfSheet is the jansson document the CLI's readers make, behind an
 * opaque type: the same parser, the same messages, the same binder
 * (ipsf_sheet_bind), so a sheet bound here gives the CLI's results and
 * errors.  Strings bound into a context point into the document: the
 * sheet must outlive the evaluation (documented in ipsf.h). */

struct ipsf_sheet {
  json_t *doc;
};

IpsfSheet *ipsf_sheet_load(const char *text, size_t len, IpsfSheetSyntax syntax,
                           IpsfError *err) {
  IpsfSheet *s = malloc(sizeof *s);
  if (!s) {
    ipsf_fail(err, IPSF_ERR_NOMEM, "out of memory reading a sheet");
    return NULL;
  }
  s->doc = syntax == IPSF_SYNTAX_YAML    ? ipsf_sheet_parse_yaml(text, len, err)
           : syntax == IPSF_SYNTAX_JSONL ? ipsf_sheet_parse_jsonl_line(text, len, err)
                                         : ipsf_sheet_parse_json(text, len, err);
  if (!s->doc) {
    free(s);
    return NULL;
  }
  return s;
}

void ipsf_sheet_free(IpsfSheet *s) {
  if (!s) return;
  json_decref(s->doc);
  free(s);
}

const char *ipsf_sheet_get_device(const IpsfSheet *s) {
  return json_is_object(s->doc) ? ipsf_sheet_device(s->doc) : NULL;
}

size_t ipsf_sheet_get_profile_count(const IpsfSheet *s) {
  return json_is_object(s->doc) ? ipsf_sheet_profile_count(s->doc) : 0;
}

const char *ipsf_sheet_get_profile_name(const IpsfSheet *s, size_t i) {
  return i < ipsf_sheet_get_profile_count(s) ? ipsf_sheet_profile_name(s->doc, i) : NULL;
}

bool ipsf_eval_bind(IpsfEval *ev, const IpsfSheet *s, const char *profile, unsigned flags,
                    IpsfError *err) {
  IpsfBindOptions opt = {.allow_unknown_facts = (flags & IPSF_ALLOW_UNKNOWN_FACTS) != 0};
  ipsf_eval_begin(ev);
  return ipsf_sheet_bind(ev, s->doc, profile, &opt, err);
}

/* ---- records into the caller's buffer or stream ---------------------------------- */

char *ipsf_error_record(const IpsfPack *pack, const IpsfError *e, const char *sheet,
                        uint64_t line, const char *device, const char *profile,
                        IpsfRecordFormat format, size_t *out_len) {
  return one_record(pack, NULL, e, sheet, line, device, profile, (int)format, 0, out_len);
}

/* snprintf's contract: the record's length whatever cap is; at most cap - 1
 * bytes and a NUL written (nothing when cap is 0). */
static size_t into_buffer(char *rec, size_t len, char *buf, size_t cap) {
  if (!rec) return SIZE_MAX;
  if (cap) {
    size_t n = len < cap ? len : cap - 1;
    memcpy(buf, rec, n);
    buf[n] = '\0';
  }
  free(rec);
  return len;
}

size_t ipsf_eval_record_buf(const IpsfEval *ev, const char *sheet, uint64_t line,
                            const char *device, const char *profile, IpsfRecordFormat format,
                            unsigned flags, char *buf, size_t cap) {
  size_t len = 0;
  char *rec = ipsf_eval_record(ev, sheet, line, device, profile, (int)format, flags, &len);
  return into_buffer(rec, len, buf, cap);
}

size_t ipsf_error_record_buf(const IpsfPack *pack, const IpsfError *e, const char *sheet,
                             uint64_t line, const char *device, const char *profile,
                             IpsfRecordFormat format, char *buf, size_t cap) {
  size_t len = 0;
  char *rec = ipsf_error_record(pack, e, sheet, line, device, profile, format, &len);
  return into_buffer(rec, len, buf, cap);
}

static bool to_stream(char *rec, size_t len, FILE *out, IpsfError *err) {
  if (!rec) return ipsf_fail(err, IPSF_ERR_NOMEM, "out of memory writing a record");
  bool ok = fwrite(rec, 1, len, out) == len;
  free(rec);
  return ok ? true : ipsf_fail(err, IPSF_ERR_IO, "cannot write a record");
}

bool ipsf_eval_record_write(const IpsfEval *ev, const char *sheet, uint64_t line,
                            const char *device, const char *profile, IpsfRecordFormat format,
                            unsigned flags, FILE *out, IpsfError *err) {
  size_t len = 0;
  char *rec = ipsf_eval_record(ev, sheet, line, device, profile, (int)format, flags, &len);
  return to_stream(rec, len, out, err);
}

bool ipsf_error_record_write(const IpsfPack *pack, const IpsfError *e, const char *sheet,
                             uint64_t line, const char *device, const char *profile,
                             IpsfRecordFormat format, FILE *out, IpsfError *err_out) {
  size_t len = 0;
  char *rec = ipsf_error_record(pack, e, sheet, line, device, profile, format, &len);
  return to_stream(rec, len, out, err_out);
}
