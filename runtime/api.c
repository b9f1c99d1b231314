/*
 * api.c -- the parts of ipsf.h an embedder needs beyond loading and
 * evaluating: what a pack declares, by index and by name, and one sheet
 * evaluated from text to records in one call (for bindings: python/).
 *
 * Everything here reads the verified, immutable pack, so it is safe from
 * any thread; ipsf_evaluate_text writes only into the context it is given.
 * Indices are checked (UINT32_MAX / NULL out of range): these are the
 * entry points of callers that did not go through the verifier.
 */
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "sheet.h"

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

static IpsfOutFormat out_format(int format) {
  return format == IPSF_RECORDS_JSON    ? IPSF_OUT_JSON
         : format == IPSF_RECORDS_JSONL ? IPSF_OUT_JSONL
                                        : IPSF_OUT_TEXT;
}

char *ipsf_eval_record(const IpsfEval *ev, const char *sheet, uint64_t line, const char *device,
                       const char *profile, int format, unsigned flags, size_t *out_len) {
  IpsfReporter rep = {.format = out_format(format), .explain = (flags & IPSF_EXPLAIN) != 0,
                      .pack = ev->pack};
  IpsfBuf b;
  ipsf_buf_init(&b);
  IpsfRecordHead h = {sheet, line, device, profile};
  ipsf_report_begin(&b, &rep);
  ipsf_report_record(&b, &rep, &h, ev);
  ipsf_report_end(&b, &rep);
  if (b.failed || !b.data) {
    ipsf_buf_free(&b);
    return NULL;
  }
  if (out_len) *out_len = b.len;
  return b.data;
}

/* ---- one sheet, text to records ------------------------------------------------ */

typedef struct {
  IpsfEval *ev;
  IpsfReporter rep;
  IpsfBuf out;
  IpsfBindOptions bind;
  size_t records, errors;
} OneSheet;

static void one_error(OneSheet *o, const IpsfRecordHead *h, const IpsfError *err) {
  ipsf_report_error(&o->out, &o->rep, h, o->ev->pack, err);
  o->records++;
  o->errors++;
}

/* Bind `profile` (NULL: none) of doc, run, write its record. */
static void one_profile(OneSheet *o, IpsfRecordHead *h, json_t *doc, const char *profile) {
  IpsfError err = {0};
  h->profile = profile;
  ipsf_eval_begin(o->ev);
  if (!ipsf_sheet_bind(o->ev, doc, profile, &o->bind, &err) || !ipsf_eval_run(o->ev, &err)) {
    one_error(o, h, &err);
    return;
  }
  ipsf_report_record(&o->out, &o->rep, h, o->ev);
  o->records++;
}

char *ipsf_evaluate_text(IpsfEval *ev, const char *text, size_t len, IpsfSheetSyntax syntax,
                         const char *profile, IpsfRecordFormat format, unsigned flags,
                         size_t *out_len, size_t *records, size_t *errors) {
  OneSheet o = {.ev = ev};
  o.rep.format = out_format((int)format);
  o.rep.explain = (flags & IPSF_EXPLAIN) != 0;
  o.rep.pack = ev->pack;
  o.bind.allow_unknown_facts = (flags & IPSF_ALLOW_UNKNOWN_FACTS) != 0;
  ipsf_buf_init(&o.out);
  ipsf_report_begin(&o.out, &o.rep);
  IpsfRecordHead h = {NULL, 0, NULL, profile};
  IpsfError err = {0};
  json_t *doc = syntax == IPSF_SYNTAX_YAML    ? ipsf_sheet_parse_yaml(text, len, &err)
                : syntax == IPSF_SYNTAX_JSONL ? ipsf_sheet_parse_jsonl_line(text, len, &err)
                                              : ipsf_sheet_parse_json(text, len, &err);
  if (!doc) {
    one_error(&o, &h, &err);
  } else {
    /* The same order of profiles and the same records as `ipsfc eval`. */
    h.device = json_is_object(doc) ? ipsf_sheet_device(doc) : NULL;
    size_t n = json_is_object(doc) ? ipsf_sheet_profile_count(doc) : 0;
    if (profile || n == 0)
      one_profile(&o, &h, doc, profile);
    else
      for (size_t i = 0; i < n; i++) one_profile(&o, &h, doc, ipsf_sheet_profile_name(doc, i));
    json_decref(doc);
  }
  ipsf_report_end(&o.out, &o.rep);
  if (o.out.failed || !o.out.data) {
    ipsf_buf_free(&o.out);
    return NULL;
  }
  if (out_len) *out_len = o.out.len;
  if (records) *records = o.records;
  if (errors) *errors = o.errors;
  return o.out.data; /* the buffer's block, NUL-terminated: now the caller's */
}
