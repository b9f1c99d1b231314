/*
 * report_ci.c -- eval records for CI systems: CSV, SARIF 2.1.0, JUnit XML.
 *
 * Like report.c, output is a function of (pack, sheet, options) only, and
 * every format streams: a record is written when it is made, nothing is
 * held back for a count at the end (so the JUnit <testsuite> carries no
 * tests= / failures= counts; consumers count the test cases).
 *
 *   csv    RFC 4180, a header then one row per record:
 *          sheet,line,device,profile,axis1,axis2,<every scale>,requirements,
 *          not_met,error_kind,error_message
 *          requirements: "ID:status" of each applying requirement, space-
 *          separated; not_met: how many are unmet or unknown.
 *   sarif  one run; the pack's requirements are the driver's rules (plus
 *          "sheet-error"); one result per (sheet, profile, requirement)
 *          not met: level "error" for unmet, "warning" for unknown (no
 *          evidence); an error record is a "sheet-error" result.
 *   junit  one <testsuite> named after the pack; one <testcase> per
 *          (sheet, profile), with a <failure> listing the requirements not
 *          met, or an <error> for an error record.
 * "Not met" is what --fail-on unmet counts: unmet, or unknown.
 */
#include <string.h>

#include "report.h"

/* ---- escaping ------------------------------------------------------------ */

/* A decimal number, as printf's %llu / %zu would write it (no call to
 * printf per record). */
static void put_decimal(IpsfBuf *b, unsigned long long v) {
  char num[24], *e = num + sizeof num, *q = e;
  do *--q = (char)('0' + v % 10);
  while (v /= 10);
  ipsf_buf_put(b, q, (size_t)(e - q));
}

static void csv_field(IpsfBuf *b, const char *s) {
  if (!s) return;
  if (!strpbrk(s, ",\"\r\n")) {
    ipsf_buf_puts(b, s);
    return;
  }
  ipsf_buf_put(b, "\"", 1);
  for (const char *q; (q = strchr(s, '"')); s = q + 1) {
    ipsf_buf_put(b, s, (size_t)(q - s));
    ipsf_buf_put(b, "\"\"", 2);
  }
  ipsf_buf_puts(b, s);
  ipsf_buf_put(b, "\"", 1);
}

/* XML character data and attribute values; characters XML 1.0 forbids
 * (C0 controls but tab, newline, CR) become '?'. */
static void xml_text(IpsfBuf *b, const char *s) {
  if (!s) return;
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    switch (c) {
    case '&': ipsf_buf_puts(b, "&amp;"); break;
    case '<': ipsf_buf_puts(b, "&lt;"); break;
    case '>': ipsf_buf_puts(b, "&gt;"); break;
    case '"': ipsf_buf_puts(b, "&quot;"); break;
    case '\n': ipsf_buf_puts(b, "&#10;"); break;
    default:
      if (c < 0x20 && c != '\t' && c != '\r') ipsf_buf_put(b, "?", 1);
      else ipsf_buf_put(b, s, 1);
    }
  }
}

/* ---- what a record says -------------------------------------------------- */

/* Whether a status counts as not met (what --fail-on unmet counts): a
 * compensated requirement does not. */
static bool is_not_met(IpsfStatus s) { return s != IPSF_MET && s != IPSF_COMPENSATED; }

/* "compensated by ID, ID[ until YYYY-MM-DD]" of a compensated requirement,
 * through put (the format's escaper). */
static void compensation_text(IpsfBuf *b, const IpsfEval *ev, uint32_t q,
                              void (*put)(IpsfBuf *, const char *)) {
  const IpsfPack *p = ev->pack;
  put(b, "compensated by ");
  uint32_t pos = 0;
  for (uint32_t by, k = 0; (by = ipsf_eval_compensated_by(ev, q, &pos)) != IPSF_NONE; k++) {
    if (k) put(b, ", ");
    put(b, ipsf_str(p, p->requirements[by].id));
  }
  char until[11];
  if (ipsf_eval_compensated_until(ev, q, until)) {
    put(b, " until ");
    put(b, until);
  }
}

static const char *scale_level(const IpsfEval *ev, uint32_t s) {
  return s == IPSF_NONE ? NULL : ipsf_eval_level_name(ev, s);
}

static size_t not_met(const IpsfEval *ev) {
  size_t n = 0;
  for (uint32_t q = 0; q < ev->pack->requirement_count; q++)
    if (ipsf_eval_applies(ev, q) && is_not_met(ipsf_eval_status(ev, q))) n++;
  return n;
}

/* Where a record comes from: "sheet.jsonl:3", "sheet.json"; an embedder
 * may name no sheet (NULL): "line 3", or nothing. */
static void origin(IpsfBuf *b, const IpsfRecordHead *h) {
  if (h->sheet) ipsf_buf_puts(b, h->sheet);
  if (h->line) ipsf_buf_printf(b, h->sheet ? ":%llu" : "line %llu", (unsigned long long)h->line);
}

/* "Acme Lock [care]", or where it comes from when it has no device (or
 * "sheet" when nothing says). */
static void subject(IpsfBuf *b, const IpsfRecordHead *h) {
  if (h->device) ipsf_buf_puts(b, h->device);
  else if (h->sheet || h->line) origin(b, h);
  else ipsf_buf_puts(b, "sheet");
  if (h->profile) {
    ipsf_buf_puts(b, " [");
    ipsf_buf_puts(b, h->profile);
    ipsf_buf_puts(b, "]");
  }
}

/* ---- csv ----------------------------------------------------------------- */

static void csv_head(IpsfBuf *b, const IpsfRecordHead *h) {
  csv_field(b, h->sheet);
  ipsf_buf_put(b, ",", 1);
  if (h->line) put_decimal(b, (unsigned long long)h->line);
  ipsf_buf_put(b, ",", 1);
  csv_field(b, h->device);
  ipsf_buf_put(b, ",", 1);
  csv_field(b, h->profile);
}

/* ---- sarif --------------------------------------------------------------- */

void ipsf_buf_sarif_uri(IpsfBuf *b, const char *path) {
  IpsfBuf u;
  ipsf_buf_init(&u);
  /* an absolute path is a file: URI; a relative one stays a relative reference */
  if (path[0] == '/') ipsf_buf_puts(&u, "file://");
  for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
    if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
        strchr("/-._~", *p))
      ipsf_buf_put(&u, (const char *)p, 1);
    else
      ipsf_buf_printf(&u, "%%%02X", *p);
  }
  ipsf_buf_json_string(b, u.failed || !u.data ? "" : u.data);
  ipsf_buf_free(&u);
}

/* No sheet name (an embedder's record): no location at all, SARIF's
 * locations being optional. */
static void sarif_location(IpsfBuf *b, const IpsfRecordHead *h) {
  if (!h->sheet) return;
  ipsf_buf_puts(b, ",\"locations\":[{\"physicalLocation\":{\"artifactLocation\":{\"uri\":");
  ipsf_buf_sarif_uri(b, h->sheet);
  ipsf_buf_puts(b, "}");
  if (h->line) ipsf_buf_printf(b, ",\"region\":{\"startLine\":%llu}", (unsigned long long)h->line);
  ipsf_buf_puts(b, "}}]");
}

static void sarif_message(IpsfBuf *b, const char *text) {
  ipsf_buf_puts(b, ",\"message\":{\"text\":");
  ipsf_buf_json_string(b, text);
  ipsf_buf_puts(b, "}");
}

/* What goes before a result: a comma unless it opens the results array.
 * A record writes zero or more results, so `written` (records) cannot
 * tell: in a buffer that holds what came before, its last byte does (the
 * array's '[' or a result's '}'); a worker's buffer starts empty, and then
 * `written` says, as for json records (the runner drops the comma before
 * the first result it passes, stream.c). */
static const char *sarif_sep(const IpsfBuf *b, const IpsfReporter *r) {
  bool first = b->len && b->data ? b->data[b->len - 1] == '[' : r->written == 0;
  return first ? "\n{" : ",\n{";
}

static void sarif_props(IpsfBuf *b, const IpsfRecordHead *h) {
  ipsf_buf_puts(b, "\"device\":");
  ipsf_buf_json_string(b, h->device);
  ipsf_buf_puts(b, ",\"profile\":");
  ipsf_buf_json_string(b, h->profile);
}

/* ---- the four entry points ----------------------------------------------- */

void ipsf_report_ci_begin(IpsfBuf *b, const IpsfReporter *r) {
  const IpsfPack *p = r->pack;
  if (r->format == IPSF_OUT_CSV) {
    ipsf_buf_puts(b, "sheet,line,device,profile,axis1,axis2");
    for (uint32_t s = 0; p && s < p->scale_count; s++) {
      ipsf_buf_put(b, ",", 1);
      csv_field(b, ipsf_str(p, p->scales[s].name));
    }
    ipsf_buf_puts(b, ",requirements,not_met,error_kind,error_message\r\n");
  } else if (r->format == IPSF_OUT_SARIF) {
    ipsf_buf_puts(b, "{\"version\":\"2.1.0\",\"$schema\":"
                     "\"https://json.schemastore.org/sarif-2.1.0.json\",\"runs\":[{\"tool\":"
                     "{\"driver\":{\"name\":\"ipsfc\",\"version\":\"" IPSF_VERSION "\","
                     "\"rules\":[");
    for (uint32_t q = 0; p && q < p->requirement_count; q++) {
      const IpsfRequirement *rq = &p->requirements[q];
      ipsf_buf_puts(b, "\n{\"id\":");
      ipsf_buf_json_string(b, ipsf_str(p, rq->id));
      ipsf_buf_puts(b, ",\"shortDescription\":{\"text\":");
      ipsf_buf_json_string(b, ipsf_str(p, rq->title));
      ipsf_buf_puts(b, "},\"properties\":{\"viewpoint\":");
      ipsf_buf_json_string(b, ipsf_str(p, p->viewpoints[rq->viewpoint].name));
      ipsf_buf_puts(b, "}},");
    }
    ipsf_buf_puts(b, "\n{\"id\":\"sheet-error\",\"shortDescription\":{\"text\":"
                     "\"A fact sheet that cannot be read or evaluated\"}}]}},");
    ipsf_buf_puts(b, "\n\"automationDetails\":{\"id\":");
    IpsfBuf id;
    ipsf_buf_init(&id);
    ipsf_buf_printf(&id, "ipsfc eval %s %s", p ? ipsf_str(p, p->meta.name) : "?",
                    p && ipsf_str(p, p->meta.version) ? ipsf_str(p, p->meta.version) : "");
    ipsf_buf_json_string(b, id.data ? id.data : "ipsfc eval");
    ipsf_buf_free(&id);
    ipsf_buf_puts(b, "},\n\"results\":[");
  } else {
    ipsf_buf_puts(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"ipsfc eval\">\n"
                     "<testsuite name=\"");
    xml_text(b, p ? ipsf_str(p, p->meta.name) : "ipsfc");
    if (p && ipsf_str(p, p->meta.version)) {
      ipsf_buf_puts(b, " ");
      xml_text(b, ipsf_str(p, p->meta.version));
    }
    ipsf_buf_puts(b, "\">\n");
  }
}

void ipsf_report_ci_end(IpsfBuf *b, const IpsfReporter *r) {
  if (r->format == IPSF_OUT_SARIF) ipsf_buf_puts(b, "\n]}]}\n");
  else if (r->format == IPSF_OUT_JUNIT) ipsf_buf_puts(b, "</testsuite>\n</testsuites>\n");
}

static void junit_case_open(IpsfBuf *b, const IpsfRecordHead *h) {
  ipsf_buf_puts(b, "  <testcase classname=\"");
  IpsfBuf t;
  ipsf_buf_init(&t);
  origin(&t, h);
  xml_text(b, t.data);
  ipsf_buf_puts(b, "\" name=\"");
  t.len = 0;
  if (t.data) t.data[0] = '\0';
  subject(&t, h);
  xml_text(b, t.data);
  ipsf_buf_free(&t);
  ipsf_buf_puts(b, "\"");
}

/* A test case's compensated requirements, not failures but shown:
 * "<system-out>ID compensated (unmet, compensated by ID until DAY): title"
 * a line each. */
static void junit_compensated(IpsfBuf *b, const IpsfEval *ev) {
  const IpsfPack *p = ev->pack;
  ipsf_buf_puts(b, "    <system-out>");
  for (uint32_t q = 0; q < p->requirement_count; q++) {
    if (!ipsf_eval_applies(ev, q) || ipsf_eval_status(ev, q) != IPSF_COMPENSATED) continue;
    xml_text(b, ipsf_str(p, p->requirements[q].id));
    ipsf_buf_puts(b, " compensated (");
    xml_text(b, ipsf_status_name(ipsf_eval_shortfall(ev, q)));
    ipsf_buf_puts(b, ", ");
    compensation_text(b, ev, q, xml_text);
    ipsf_buf_puts(b, "): ");
    xml_text(b, ipsf_str(p, p->requirements[q].title));
    ipsf_buf_puts(b, "\n");
  }
  ipsf_buf_puts(b, "</system-out>\n");
}

void ipsf_report_ci_record(IpsfBuf *b, const IpsfReporter *r, const IpsfRecordHead *h,
                           const IpsfEval *ev) {
  const IpsfPack *p = ev->pack;
  if (r->format == IPSF_OUT_CSV) {
    csv_head(b, h);
    size_t klen = 0, at = b->len; /* the rest is a function of the outcome */
    if (r->memo && ipsf_report_memo_lookup(r->memo, ev, false, b, &klen)) return;
    ipsf_buf_put(b, ",", 1);
    csv_field(b, scale_level(ev, p->axis1));
    ipsf_buf_put(b, ",", 1);
    csv_field(b, scale_level(ev, p->axis2));
    for (uint32_t s = 0; s < p->scale_count; s++) {
      ipsf_buf_put(b, ",", 1);
      csv_field(b, scale_level(ev, s));
    }
    ipsf_buf_put(b, ",", 1);
    bool first = true;
    for (uint32_t q = 0; q < p->requirement_count; q++) {
      if (!ipsf_eval_applies(ev, q)) continue;
      if (!first) ipsf_buf_put(b, " ", 1);
      first = false;
      csv_field(b, ipsf_str(p, p->requirements[q].id));
      ipsf_buf_put(b, ":", 1);
      ipsf_buf_puts(b, ipsf_status_name(ipsf_eval_status(ev, q)));
    }
    ipsf_buf_put(b, ",", 1);
    put_decimal(b, (unsigned long long)not_met(ev));
    ipsf_buf_put(b, ",,\r\n", 4);
    if (klen && !b->failed) ipsf_report_memo_keep(r->memo, klen, b->data + at, b->len - at);
  } else if (r->format == IPSF_OUT_SARIF) {
    for (uint32_t q = 0; q < p->requirement_count; q++) {
      if (!ipsf_eval_applies(ev, q)) continue;
      IpsfStatus st = ipsf_eval_status(ev, q);
      if (st == IPSF_MET) continue;
      const IpsfRequirement *rq = &p->requirements[q];
      ipsf_buf_puts(b, sarif_sep(b, r));
      ipsf_buf_puts(b, "\"ruleId\":");
      ipsf_buf_json_string(b, ipsf_str(p, rq->id));
      ipsf_buf_printf(b, ",\"ruleIndex\":%u,\"level\":\"%s\"", (unsigned)q,
                      st == IPSF_UNKNOWN       ? "warning"
                      : st == IPSF_COMPENSATED ? "note"
                                               : "error");
      IpsfBuf m;
      ipsf_buf_init(&m);
      subject(&m, h);
      const char *method = ipsf_eval_method(ev, q);
      if (st == IPSF_COMPENSATED) {
        ipsf_buf_printf(&m, ": %s %s (%s, ", ipsf_str(p, rq->id), ipsf_str(p, rq->title),
                        ipsf_status_name(ipsf_eval_shortfall(ev, q)));
        compensation_text(&m, ev, q, ipsf_buf_puts);
        ipsf_buf_puts(&m, "): ");
      } else
      ipsf_buf_printf(&m, ": %s %s (%s): ", ipsf_str(p, rq->id), ipsf_str(p, rq->title),
                      st == IPSF_UNMET     ? "unmet"
                      : st == IPSF_EXPIRED ? "expired: the evidence is too old or past its expiry"
                                           : "unknown, no evidence");
      ipsf_buf_printf(&m, "needs %s", method ? method : "-");
      sarif_message(b, m.data ? m.data : "");
      ipsf_buf_free(&m);
      sarif_location(b, h);
      ipsf_buf_puts(b, ",\"properties\":{");
      sarif_props(b, h);
      ipsf_buf_puts(b, ",\"status\":");
      ipsf_buf_json_string(b, ipsf_status_name(st));
      ipsf_buf_puts(b, ",\"method\":");
      ipsf_buf_json_string(b, method);
      if (st == IPSF_COMPENSATED) {
        ipsf_buf_puts(b, ",\"compensated_by\":[");
        uint32_t pos = 0;
        for (uint32_t by, k = 0; (by = ipsf_eval_compensated_by(ev, q, &pos)) != IPSF_NONE; k++) {
          if (k) ipsf_buf_puts(b, ",");
          ipsf_buf_json_string(b, ipsf_str(p, p->requirements[by].id));
        }
        ipsf_buf_puts(b, "]");
      }
      ipsf_buf_puts(b, ",\"category\":{\"axis1\":");
      ipsf_buf_json_string(b, scale_level(ev, p->axis1));
      ipsf_buf_puts(b, ",\"axis2\":");
      ipsf_buf_json_string(b, scale_level(ev, p->axis2));
      ipsf_buf_puts(b, "}}}");
    }
  } else {
    junit_case_open(b, h);
    size_t n = not_met(ev), comp = 0;
    for (uint32_t q = 0; q < p->requirement_count; q++)
      comp += ipsf_eval_applies(ev, q) && ipsf_eval_status(ev, q) == IPSF_COMPENSATED;
    if (!n && !comp) {
      ipsf_buf_puts(b, "/>\n");
      return;
    }
    if (!n) {
      ipsf_buf_puts(b, ">\n");
      junit_compensated(b, ev);
      ipsf_buf_puts(b, "  </testcase>\n");
      return;
    }
    ipsf_buf_printf(b, ">\n    <failure type=\"not_met\" message=\"%zu requirement%s not met\">",
                    n, n == 1 ? "" : "s");
    for (uint32_t q = 0; q < p->requirement_count; q++) {
      if (!ipsf_eval_applies(ev, q)) continue;
      IpsfStatus st = ipsf_eval_status(ev, q);
      if (!is_not_met(st)) continue;
      const char *method = ipsf_eval_method(ev, q);
      xml_text(b, ipsf_str(p, p->requirements[q].id));
      ipsf_buf_puts(b, " ");
      xml_text(b, ipsf_status_name(st));
      ipsf_buf_puts(b, ": ");
      xml_text(b, ipsf_str(p, p->requirements[q].title));
      ipsf_buf_puts(b, " (needs ");
      xml_text(b, method ? method : "-");
      ipsf_buf_puts(b, ")\n");
    }
    ipsf_buf_puts(b, "</failure>\n");
    if (comp) junit_compensated(b, ev);
    ipsf_buf_puts(b, "  </testcase>\n");
  }
}

void ipsf_report_ci_error(IpsfBuf *b, const IpsfReporter *r, const IpsfRecordHead *h,
                          const IpsfError *err) {
  const char *kind = ipsf_error_kind_name(err->kind);
  if (r->format == IPSF_OUT_CSV) {
    csv_head(b, h);
    ipsf_buf_puts(b, ",,");
    for (uint32_t s = 0; r->pack && s < r->pack->scale_count; s++) ipsf_buf_put(b, ",", 1);
    ipsf_buf_puts(b, ",,");
    csv_field(b, kind);
    ipsf_buf_put(b, ",", 1);
    csv_field(b, err->message);
    ipsf_buf_puts(b, "\r\n");
  } else if (r->format == IPSF_OUT_SARIF) {
    ipsf_buf_printf(b, "%s\"ruleId\":\"sheet-error\",", sarif_sep(b, r));
    if (r->pack) ipsf_buf_printf(b, "\"ruleIndex\":%u,", (unsigned)r->pack->requirement_count);
    ipsf_buf_puts(b, "\"level\":\"error\"");
    IpsfBuf m;
    ipsf_buf_init(&m);
    subject(&m, h);
    ipsf_buf_printf(&m, ": %s: %s", kind, err->message);
    sarif_message(b, m.data ? m.data : "");
    ipsf_buf_free(&m);
    sarif_location(b, h);
    ipsf_buf_puts(b, ",\"properties\":{");
    sarif_props(b, h);
    ipsf_buf_puts(b, ",\"kind\":");
    ipsf_buf_json_string(b, kind);
    ipsf_buf_puts(b, "}}");
  } else {
    junit_case_open(b, h);
    ipsf_buf_puts(b, ">\n    <error type=\"");
    xml_text(b, kind);
    ipsf_buf_puts(b, "\" message=\"");
    xml_text(b, err->message);
    ipsf_buf_puts(b, "\"/>\n  </testcase>\n");
  }
}
