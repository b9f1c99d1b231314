/*
 * report.c -- eval records: JSON, JSON Lines and text for people.
 *
 * One record per (sheet, profile), built whole in an IpsfBuf and flushed by
 * the caller.  The JSON record's keys and their order are CLI.md's "eval
 * record"; consumers rely on them, so this file is their one definition:
 *
 *   sheet, line, device, profile, [as_of: when the sheet has evidence],
 *   pack {name, version, digest}, category {axis1, axis2},
 *   scales {every scale, pack order: name -> level},
 *   requirements [applying ones, pack order: {id, title, viewpoint, method,
 *                 every_months, refs, status, [expired], [due]}],
 *   viewpoints [pack order, those with an applying requirement],
 *   reasons {scale -> [matched rules, rule order, then otherwise]}  (explain)
 *
 * An error record is sheet, line, device, profile, error {kind, message}.
 *
 * Everything is read from the evaluation context's state and the pack's
 * tables (eval.h, pack.h): nothing here evaluates.  Output is a function of
 * (pack, sheet, options) only: no clocks, no addresses, no hash order, so
 * the same input gives byte-identical output (LANGUAGE.md §5).
 *
 * Layouts (docs/sheets.md, "Output"):
 *   jsonl  each record compact on one line, newline-terminated;
 *   json   one array: "[\n", records indented by 2 spaces at depth 1,
 *          separated by ",\n", then "\n]\n"; an empty run is "[]\n";
 *   text   one block per record, a blank line between blocks; columns
 *          aligned within a block; ANSI colours only if asked.
 *
 * jsonl is written from fragments rendered once per pack (IpsfReportCache,
 * shared read-only) and, after each record's head, from a worker's memo
 * of bodies by outcome (IpsfReportMemo, "memoised record bodies" below,
 * also used by report_ci.c's csv): the same bytes as json_record.
 */
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "report.h"
#include "util.h"

static void jsonl_record_cached(IpsfBuf *b, const IpsfReportCache *c, IpsfReportMemo *m,
                                const IpsfRecordHead *h, const IpsfEval *ev);

/* ---- the pack's names ---------------------------------------------------- */

/* Name of level `level` of scale `scale`, or NULL if there is none. */
static const char *level_name(const IpsfPack *p, uint32_t scale, uint32_t level) {
  if (scale >= p->scale_count) return NULL;
  const IpsfEnum *e = &p->enums[p->scales[scale].enum_type];
  return level < e->value_count ? ipsf_str(p, e->values[level]) : NULL;
}

static const char *scale_level_name(const IpsfEval *ev, uint32_t scale) {
  if (scale == IPSF_NONE || scale >= ev->pack->scale_count) return NULL;
  return level_name(ev->pack, scale, ev->scale_level[scale]);
}

/* The confirm line chosen for requirement r, or NULL. */
static const IpsfConfirm *chosen_confirm(const IpsfEval *ev, uint32_t r) {
  uint32_t c = ev->req_confirm[r];
  return c < ev->pack->confirm_count ? &ev->pack->confirms[c] : NULL;
}

static const char *method_name(const IpsfEval *ev, uint32_t r) {
  const IpsfPack *p = ev->pack;
  const IpsfConfirm *c = chosen_confirm(ev, r);
  if (!c) return NULL;
  const IpsfViewpoint *v = &p->viewpoints[p->requirements[r].viewpoint];
  return c->method < v->method_count ? ipsf_str(p, v->methods[c->method]) : NULL;
}

static bool rule_hit(const IpsfEval *ev, uint32_t rule) {
  return (ev->rule_hit[rule / 64] >> (rule % 64)) & 1u;
}

/* The otherwise level was used: no rule of the scale matched (a scale with
 * a matching rule takes its level from the rules, by every policy). */
static bool used_otherwise(const IpsfEval *ev, uint32_t s) {
  const IpsfScale *sc = &ev->pack->scales[s];
  if (sc->otherwise == IPSF_NONE) return false;
  for (uint32_t i = 0; i < sc->rule_count; i++)
    if (rule_hit(ev, sc->first_rule + i)) return false;
  return true;
}

/* Noted by the VM at REQ: asking each requirement here would make a
 * record cost viewpoints x requirements. */
static bool viewpoint_used(const IpsfEval *ev, uint32_t v) { return ev->vp_used[v] != 0; }

static void put_digest_hex(IpsfBuf *b, const uint8_t d[32]) {
  static const char hex[] = "0123456789abcdef";
  char s[64];
  for (int i = 0; i < 32; i++) {
    s[2 * i] = hex[d[i] >> 4];
    s[2 * i + 1] = hex[d[i] & 0xF];
  }
  ipsf_buf_put(b, s, 64);
}

/* ---- a small JSON writer: compact or pretty, same key order --------------- */

#define JW_MAX_DEPTH 8

typedef struct {
  IpsfBuf *b;
  bool pretty;
  unsigned depth;              /* open containers */
  bool empty[JW_MAX_DEPTH + 1]; /* container at that depth has no item yet */
} Jw;

static void jw_newline(Jw *w) {
  if (!w->pretty) return;
  /* A newline and two spaces per open container, in one append. */
  static const char indent[] = "\n                ";
  unsigned d = w->depth <= JW_MAX_DEPTH ? w->depth : JW_MAX_DEPTH;
  ipsf_buf_put(w->b, indent, 1 + 2 * (size_t)d);
}

/* Before an array element or an object member. */
static void jw_item(Jw *w) {
  if (!w->depth) return;
  if (!w->empty[w->depth]) ipsf_buf_put(w->b, ",", 1);
  w->empty[w->depth] = false;
  jw_newline(w);
}

static void jw_key(Jw *w, const char *key) {
  jw_item(w);
  ipsf_buf_json_string(w->b, key);
  ipsf_buf_puts(w->b, w->pretty ? ": " : ":");
}

static void jw_open(Jw *w, char c) {
  ipsf_buf_put(w->b, &c, 1);
  w->depth++; /* bounded by the record's fixed shape (depth <= 5) */
  w->empty[w->depth] = true;
}

static void jw_close(Jw *w, char c) {
  bool was_empty = w->empty[w->depth];
  w->depth--;
  if (!was_empty) jw_newline(w);
  ipsf_buf_put(w->b, &c, 1);
}

static void jw_str(Jw *w, const char *key, const char *s) {
  jw_key(w, key);
  ipsf_buf_json_string(w->b, s);
}

static void jw_elem_str(Jw *w, const char *s) {
  jw_item(w);
  ipsf_buf_json_string(w->b, s);
}

static void jw_head(Jw *w, const IpsfRecordHead *h) {
  jw_str(w, "sheet", h->sheet);
  jw_key(w, "line");
  if (h->line)
    ipsf_buf_printf(w->b, "%llu", (unsigned long long)h->line);
  else
    ipsf_buf_put(w->b, "null", 4);
  jw_str(w, "device", h->device);
  jw_str(w, "profile", h->profile);
}

/* A compensated requirement (docs/sheets.md, "Compensated"): the status
 * it would have, the requirements that compensate for it, and the last
 * day they count when every one is bounded. */
static void jw_compensation(Jw *w, const IpsfEval *ev, uint32_t r) {
  if (ipsf_eval_status(ev, r) != IPSF_COMPENSATED) return;
  const IpsfPack *p = ev->pack;
  jw_str(w, "shortfall", ipsf_status_name(ipsf_eval_shortfall(ev, r)));
  jw_key(w, "compensated_by");
  jw_open(w, '[');
  uint32_t pos = 0;
  for (uint32_t by; (by = ipsf_eval_compensated_by(ev, r, &pos)) != IPSF_NONE;)
    jw_elem_str(w, ipsf_str(p, p->requirements[by].id));
  jw_close(w, ']');
  char until[11];
  if (ipsf_eval_compensated_until(ev, r, until)) jw_str(w, "compensated_until", until);
}

/* basis {kind, citation}, confirmed_by, subject: each only when the
 * requirement declares it (records of packs without them are unchanged). */
static void jw_requirement_basis(Jw *w, const IpsfPack *p, const IpsfRequirement *q) {
  if (q->basis != IPSF_NONE) {
    jw_key(w, "basis");
    jw_open(w, '{');
    jw_str(w, "kind", ipsf_str(p, q->basis));
    jw_str(w, "citation", q->citation != IPSF_NONE ? ipsf_str(p, q->citation) : NULL);
    jw_close(w, '}');
  }
  if (q->confirmed_by != IPSF_NONE) jw_str(w, "confirmed_by", ipsf_str(p, q->confirmed_by));
  if (q->subject != IPSF_NONE) jw_str(w, "subject", ipsf_str(p, q->subject));
}

static void jw_loc(Jw *w, const IpsfPack *p, IpsfLoc loc) {
  jw_key(w, "at");
  /* Built in a second buffer, so that the file name is escaped as part of
   * one JSON string. */
  IpsfBuf at;
  ipsf_buf_init(&at);
  const char *file = ipsf_str(p, loc.file);
  ipsf_buf_printf(&at, "%s:%u:%u", file ? file : "?", (unsigned)loc.line, (unsigned)loc.col);
  if (at.failed) w->b->failed = true;
  ipsf_buf_json_string(w->b, at.data ? at.data : "");
  ipsf_buf_free(&at);
}

static void json_record(Jw *w, const IpsfRecordHead *h, const IpsfEval *ev, bool explain) {
  const IpsfPack *p = ev->pack;
  jw_item(w);
  jw_open(w, '{');
  jw_head(w, h);
  if (ev->evidence_present) {
    char day[11];
    ipsf_eval_as_of(ev, day);
    jw_str(w, "as_of", day);
  }

  jw_key(w, "pack");
  jw_open(w, '{');
  jw_str(w, "name", ipsf_str(p, p->meta.name));
  jw_str(w, "version", ipsf_str(p, p->meta.version));
  jw_key(w, "digest");
  ipsf_buf_puts(w->b, "\"sha256:");
  put_digest_hex(w->b, p->digest);
  ipsf_buf_put(w->b, "\"", 1);
  jw_close(w, '}');

  jw_key(w, "category");
  jw_open(w, '{');
  jw_str(w, "axis1", scale_level_name(ev, p->axis1));
  jw_str(w, "axis2", scale_level_name(ev, p->axis2));
  jw_close(w, '}');

  jw_key(w, "scales");
  jw_open(w, '{');
  for (uint32_t s = 0; s < p->scale_count; s++)
    jw_str(w, ipsf_str(p, p->scales[s].name), scale_level_name(ev, s));
  jw_close(w, '}');

  jw_key(w, "requirements");
  jw_open(w, '[');
  for (uint32_t r = 0; r < p->requirement_count; r++) {
    if (!ev->req_applies[r]) continue;
    const IpsfRequirement *q = &p->requirements[r];
    const IpsfConfirm *c = chosen_confirm(ev, r);
    jw_item(w);
    jw_open(w, '{');
    jw_str(w, "id", ipsf_str(p, q->id));
    jw_str(w, "title", ipsf_str(p, q->title));
    jw_str(w, "viewpoint", ipsf_str(p, p->viewpoints[q->viewpoint].name));
    jw_str(w, "method", method_name(ev, r));
    jw_key(w, "every_months");
    if (c && c->every_months)
      ipsf_buf_printf(w->b, "%u", (unsigned)c->every_months);
    else
      ipsf_buf_put(w->b, "null", 4);
    jw_key(w, "refs");
    jw_open(w, '[');
    for (uint32_t i = 0; i < q->ref_count; i++) jw_elem_str(w, ipsf_str(p, q->refs[i]));
    jw_close(w, ']');
    jw_requirement_basis(w, p, q);
    jw_str(w, "status", ipsf_status_name(ipsf_eval_status(ev, r)));
    jw_compensation(w, ev, r);
    const char *expired_by = ipsf_eval_expired_by(ev, r);
    if (expired_by) jw_str(w, "expired", expired_by);
    char due[11];
    if (ipsf_eval_due(ev, r, due)) jw_str(w, "due", due);
    jw_close(w, '}');
  }
  jw_close(w, ']');

  jw_key(w, "viewpoints");
  jw_open(w, '[');
  for (uint32_t v = 0; v < p->viewpoint_count; v++)
    if (viewpoint_used(ev, v)) jw_elem_str(w, ipsf_str(p, p->viewpoints[v].name));
  jw_close(w, ']');

  if (explain) {
    jw_key(w, "reasons");
    jw_open(w, '{');
    for (uint32_t s = 0; s < p->scale_count; s++) {
      const IpsfScale *sc = &p->scales[s];
      jw_key(w, ipsf_str(p, sc->name));
      jw_open(w, '[');
      for (uint32_t i = 0; i < sc->rule_count; i++) {
        uint32_t ri = sc->first_rule + i;
        if (!rule_hit(ev, ri)) continue;
        const IpsfRule *rule = &p->rules[ri];
        jw_item(w);
        jw_open(w, '{');
        jw_str(w, "level", level_name(p, s, rule->level));
        jw_loc(w, p, rule->loc);
        jw_str(w, "because", ipsf_str(p, rule->because));
        jw_close(w, '}');
      }
      if (used_otherwise(ev, s)) {
        jw_item(w);
        jw_open(w, '{');
        jw_str(w, "level", level_name(p, s, sc->otherwise));
        jw_loc(w, p, sc->otherwise_loc);
        jw_str(w, "because", NULL);
        jw_key(w, "otherwise");
        ipsf_buf_put(w->b, "true", 4);
        jw_close(w, '}');
      }
      jw_close(w, ']');
    }
    jw_close(w, '}');
  }
  jw_close(w, '}');
}

static void json_error_record(Jw *w, const IpsfRecordHead *h, const IpsfError *err) {
  jw_item(w);
  jw_open(w, '{');
  jw_head(w, h);
  jw_key(w, "error");
  jw_open(w, '{');
  jw_str(w, "kind", ipsf_error_kind_name(err->kind));
  jw_str(w, "message", err->message);
  jw_close(w, '}');
  jw_close(w, '}');
}

/* A writer positioned for the next record: in the json array (depth 1,
 * pretty) or alone on its line (jsonl). */
static Jw json_writer(IpsfBuf *b, const IpsfReporter *r) {
  Jw w;
  memset(&w, 0, sizeof w);
  w.b = b;
  w.pretty = r->format == IPSF_OUT_JSON;
  if (w.pretty) {
    w.depth = 1;
    w.empty[1] = r->written == 0;
  }
  return w;
}

/* ---- text ---------------------------------------------------------------- */

#define ANSI_BOLD "\x1b[1m"
#define ANSI_DIM "\x1b[2m"
#define ANSI_RED "\x1b[31m"
#define ANSI_GREEN "\x1b[32m"
#define ANSI_YELLOW "\x1b[33m"
#define ANSI_RESET "\x1b[0m"

/* Text from sheets and packs, escaped (escape.h: control characters, C1,
 * bidi overrides, invalid UTF-8): a device name must not be able to move
 * the cursor, retitle the terminal or fake a record. */
static void text_put(IpsfBuf *b, const char *s) {
  if (!s) s = "-";
  ipsf_escape_buf(b, s, strlen(s), 0);
}

/* Columns taken on a terminal by text_put's output: one per code point,
 * an escape its length; good enough for the names and titles of packs. */
static size_t text_width(const char *s) {
  if (!s) return 1; /* "-" */
  return ipsf_escape_width(s, strlen(s), 0);
}

static void pad(IpsfBuf *b, size_t n) {
  static const char spaces[] = "                                ";
  while (n) {
    size_t k = n < sizeof spaces - 1 ? n : sizeof spaces - 1;
    ipsf_buf_put(b, spaces, k);
    n -= k;
  }
}

/* s, coloured if `color` is set and non-NULL, then padded to `width`. */
static void cell(IpsfBuf *b, const char *s, const char *color, size_t width) {
  if (color) ipsf_buf_puts(b, color);
  text_put(b, s);
  if (color) ipsf_buf_puts(b, ANSI_RESET);
  size_t w = text_width(s);
  if (width > w) pad(b, width - w);
}

/* "  name" padded to the value column; `alone`: the value comes on the
 * next lines, so no padding (no trailing blanks). */
static void label(IpsfBuf *b, const char *name, bool alone) {
  ipsf_buf_puts(b, "  ");
  cell(b, name, NULL, alone ? 0 : 14);
}

/* Colour of a level by its position in its scale. */
static const char *level_color(const IpsfPack *p, uint32_t scale, uint32_t level) {
  if (scale >= p->scale_count) return NULL;
  uint32_t n = p->enums[p->scales[scale].enum_type].value_count;
  if (level == 0) return ANSI_GREEN;
  if (level + 1 == n) return ANSI_RED;
  return ANSI_YELLOW;
}

static void text_head(IpsfBuf *b, const IpsfReporter *r, const IpsfRecordHead *h) {
  if (r->color) ipsf_buf_puts(b, ANSI_BOLD);
  text_put(b, h->sheet);
  if (h->line) ipsf_buf_printf(b, ":%llu", (unsigned long long)h->line);
  if (h->device) {
    ipsf_buf_puts(b, "  ");
    text_put(b, h->device);
  }
  if (h->profile) {
    ipsf_buf_puts(b, "  [");
    text_put(b, h->profile);
    ipsf_buf_puts(b, "]");
  }
  if (r->color) ipsf_buf_puts(b, ANSI_RESET);
  ipsf_buf_puts(b, "\n");
}

static size_t digits(uint32_t v) {
  size_t n = 1;
  while (v >= 10) v /= 10, n++;
  return n;
}

/* "third_party_inspection every 12 months": width of the method column. */
static size_t method_width(const IpsfEval *ev, uint32_t r) {
  const IpsfConfirm *c = chosen_confirm(ev, r);
  size_t w = text_width(method_name(ev, r));
  if (c && c->every_months)
    w += strlen(" every ") + digits(c->every_months) + (c->every_months == 1 ? 6 : 7);
  return w;
}

/* After a compensated requirement's title: " (unmet, compensated by ID,
 * ID until YYYY-MM-DD)", or " (expired by age: was due YYYY-MM-DD;
 * compensated by ...)". */
static void text_compensation(IpsfBuf *b, const IpsfEval *ev, uint32_t r) {
  if (ipsf_eval_status(ev, r) != IPSF_COMPENSATED) return;
  const IpsfPack *p = ev->pack;
  char due[11];
  if (ipsf_eval_shortfall(ev, r) == IPSF_EXPIRED && ipsf_eval_due(ev, r, due))
    ipsf_buf_printf(b, " (expired by %s: was due %s; compensated by ", ipsf_eval_expired_by(ev, r),
                    due);
  else
    ipsf_buf_printf(b, " (%s, compensated by ", ipsf_status_name(ipsf_eval_shortfall(ev, r)));
  uint32_t pos = 0;
  for (uint32_t by, k = 0; (by = ipsf_eval_compensated_by(ev, r, &pos)) != IPSF_NONE; k++) {
    if (k) ipsf_buf_puts(b, ", ");
    text_put(b, ipsf_str(p, p->requirements[by].id));
  }
  char until[11];
  if (ipsf_eval_compensated_until(ev, r, until)) ipsf_buf_printf(b, " until %s", until);
  ipsf_buf_puts(b, ")");
}

static void text_requirements(IpsfBuf *b, const IpsfReporter *rep, const IpsfEval *ev) {
  const IpsfPack *p = ev->pack;
  size_t wid = 0, wvp = 0, wm = 0, wst = 0, n = 0;
  for (uint32_t r = 0; r < p->requirement_count; r++) {
    if (!ev->req_applies[r]) continue;
    const IpsfRequirement *q = &p->requirements[r];
    size_t w;
    if ((w = text_width(ipsf_str(p, q->id))) > wid) wid = w;
    if ((w = text_width(ipsf_str(p, p->viewpoints[q->viewpoint].name))) > wvp) wvp = w;
    if ((w = method_width(ev, r)) > wm) wm = w;
    if ((w = strlen(ipsf_status_name(ipsf_eval_status(ev, r)))) > wst) wst = w;
    n++;
  }
  label(b, "requirements", n != 0);
  if (!n) {
    ipsf_buf_puts(b, "(no requirements apply)\n");
    return;
  }
  ipsf_buf_puts(b, "\n");
  for (uint32_t r = 0; r < p->requirement_count; r++) {
    if (!ev->req_applies[r]) continue;
    const IpsfRequirement *q = &p->requirements[r];
    const IpsfConfirm *c = chosen_confirm(ev, r);
    ipsf_buf_puts(b, "    ");
    cell(b, ipsf_str(p, q->id), NULL, wid + 2);
    cell(b, ipsf_str(p, p->viewpoints[q->viewpoint].name), NULL, wvp + 2);
    text_put(b, method_name(ev, r));
    if (c && c->every_months)
      ipsf_buf_printf(b, " every %u month%s", (unsigned)c->every_months,
                      c->every_months == 1 ? "" : "s");
    pad(b, wm + 2 - method_width(ev, r));
    IpsfStatus st = ipsf_eval_status(ev, r);
    const char *color = !rep->color ? NULL
                        : st == IPSF_MET ? ANSI_GREEN
                        : st == IPSF_UNMET || st == IPSF_EXPIRED ? ANSI_RED
                        : st == IPSF_COMPENSATED ? ANSI_YELLOW
                                           : ANSI_DIM;
    cell(b, ipsf_status_name(st), color, wst + 2);
    text_put(b, ipsf_str(p, q->title));
    char due[11];
    if (st == IPSF_COMPENSATED)
      text_compensation(b, ev, r);
    else if (ipsf_eval_due(ev, r, due) && st == IPSF_EXPIRED)
      ipsf_buf_printf(b, " (expired by %s: was due %s)", ipsf_eval_expired_by(ev, r), due);
    else if (ipsf_eval_due(ev, r, due))
      ipsf_buf_printf(b, " (due %s)", due);
    ipsf_buf_puts(b, "\n");
  }
}

/* One row of reasons: scale, level, at, because (the last may be empty). */
typedef struct {
  const char *scale, *level, *because;
  IpsfLoc loc;
} ReasonRow;

static size_t loc_width(const IpsfPack *p, IpsfLoc loc) {
  return text_width(ipsf_str(p, loc.file)) + 2 + digits(loc.line) + digits(loc.col);
}

static void text_reasons(IpsfBuf *b, const IpsfEval *ev) {
  const IpsfPack *p = ev->pack;
  size_t ws = 0, wl = 0, wa = 0, n = 0;
  /* Two passes over the same rows: widths, then output. */
  for (int pass = 0; pass < 2; pass++) {
    if (pass == 1) {
      label(b, "reasons", n != 0);
      if (!n) {
        ipsf_buf_puts(b, "(none)\n");
        return;
      }
      ipsf_buf_puts(b, "\n");
    }
    for (uint32_t s = 0; s < p->scale_count; s++) {
      const IpsfScale *sc = &p->scales[s];
      for (uint32_t i = 0; i <= sc->rule_count; i++) {
        ReasonRow row;
        row.scale = ipsf_str(p, sc->name);
        if (i < sc->rule_count) {
          const IpsfRule *rule = &p->rules[sc->first_rule + i];
          if (!rule_hit(ev, sc->first_rule + i)) continue;
          row.level = level_name(p, s, rule->level);
          row.because = ipsf_str(p, rule->because);
          row.loc = rule->loc;
        } else {
          if (!used_otherwise(ev, s)) continue;
          row.level = level_name(p, s, sc->otherwise);
          row.because = "(otherwise)";
          row.loc = sc->otherwise_loc;
        }
        if (pass == 0) {
          size_t w;
          if ((w = text_width(row.scale)) > ws) ws = w;
          if ((w = text_width(row.level)) > wl) wl = w;
          if ((w = loc_width(p, row.loc)) > wa) wa = w;
          n++;
          continue;
        }
        ipsf_buf_puts(b, "    ");
        cell(b, row.scale, NULL, ws + 2);
        cell(b, row.level, NULL, wl + 2);
        text_put(b, ipsf_str(p, row.loc.file));
        ipsf_buf_printf(b, ":%u:%u", (unsigned)row.loc.line, (unsigned)row.loc.col);
        if (row.because) {
          pad(b, wa + 2 - loc_width(p, row.loc));
          text_put(b, row.because);
        }
        ipsf_buf_puts(b, "\n");
      }
    }
  }
}

static void text_record(IpsfBuf *b, const IpsfReporter *r, const IpsfRecordHead *h,
                        const IpsfEval *ev) {
  const IpsfPack *p = ev->pack;
  text_head(b, r, h);

  if (ev->evidence_present) {
    char day[11];
    ipsf_eval_as_of(ev, day);
    label(b, "as of", false);
    ipsf_buf_puts(b, day);
    ipsf_buf_puts(b, "\n");
  }
  label(b, "category", false);
  uint32_t axes[2] = {p->axis1, p->axis2};
  for (int i = 0; i < 2; i++) {
    if (i) ipsf_buf_puts(b, " / ");
    const char *name = scale_level_name(ev, axes[i]);
    const char *color =
        r->color && name ? level_color(p, axes[i], ev->scale_level[axes[i]]) : NULL;
    cell(b, name, color, 0);
  }
  ipsf_buf_puts(b, "\n");

  label(b, "scales", false);
  if (!p->scale_count) ipsf_buf_puts(b, "(none)");
  for (uint32_t s = 0; s < p->scale_count; s++) {
    if (s) ipsf_buf_puts(b, ", ");
    text_put(b, ipsf_str(p, p->scales[s].name));
    ipsf_buf_puts(b, " ");
    text_put(b, scale_level_name(ev, s));
  }
  ipsf_buf_puts(b, "\n");

  text_requirements(b, r, ev);

  label(b, "viewpoints", false);
  size_t nv = 0;
  for (uint32_t v = 0; v < p->viewpoint_count; v++) {
    if (!viewpoint_used(ev, v)) continue;
    if (nv++) ipsf_buf_puts(b, ", ");
    text_put(b, ipsf_str(p, p->viewpoints[v].name));
  }
  if (!nv) ipsf_buf_puts(b, "(none)");
  ipsf_buf_puts(b, "\n");

  if (r->explain) text_reasons(b, ev);
}

static void text_error(IpsfBuf *b, const IpsfReporter *r, const IpsfRecordHead *h,
                       const IpsfError *err) {
  text_put(b, h->sheet);
  if (h->line) ipsf_buf_printf(b, ":%llu", (unsigned long long)h->line);
  if (h->device) { /* as in json and the record heads: the device, when known */
    ipsf_buf_puts(b, "  ");
    text_put(b, h->device);
  }
  if (h->profile) {
    ipsf_buf_puts(b, " [");
    text_put(b, h->profile);
    ipsf_buf_puts(b, "]");
  }
  ipsf_buf_puts(b, ": ");
  if (r->color) ipsf_buf_puts(b, ANSI_BOLD ANSI_RED);
  ipsf_buf_printf(b, "error (%s)", ipsf_error_kind_name(err->kind));
  if (r->color) ipsf_buf_puts(b, ANSI_RESET);
  ipsf_buf_puts(b, ": ");
  text_put(b, err->message);
  ipsf_buf_puts(b, "\n");
}

/* ---- records ------------------------------------------------------------- */

size_t ipsf_report_first_skip(IpsfOutFormat f, const char *data, size_t len) {
  if (!len) return 0;
  return ((f == IPSF_OUT_JSON || f == IPSF_OUT_SARIF) && data[0] == ',') ||
         (f == IPSF_OUT_TEXT && data[0] == '\n');
}

void ipsf_report_begin(IpsfBuf *b, IpsfReporter *r) {
  if (r->format >= IPSF_OUT_CSV) {
    ipsf_report_ci_begin(b, r);
    return;
  }
  if (r->format == IPSF_OUT_JSON) ipsf_buf_put(b, "[", 1);
}

void ipsf_report_end(IpsfBuf *b, IpsfReporter *r) {
  if (r->format >= IPSF_OUT_CSV) {
    ipsf_report_ci_end(b, r);
    return;
  }
  if (r->format == IPSF_OUT_JSON) ipsf_buf_puts(b, r->written ? "\n]\n" : "]\n");
}

void ipsf_report_record(IpsfBuf *b, IpsfReporter *r, const IpsfRecordHead *h,
                        const IpsfEval *ev) {
  if (r->format >= IPSF_OUT_CSV) ipsf_report_ci_record(b, r, h, ev);
  else if (r->format == IPSF_OUT_JSONL && r->cache && !r->explain)
    jsonl_record_cached(b, r->cache, r->memo, h, ev);
  else if (r->format == IPSF_OUT_TEXT) {
    if (r->written) ipsf_buf_puts(b, "\n");
    text_record(b, r, h, ev);
  } else {
    Jw w = json_writer(b, r);
    json_record(&w, h, ev, r->explain);
    if (r->format == IPSF_OUT_JSONL) ipsf_buf_puts(b, "\n");
  }
  r->written++;
}

void ipsf_report_error(IpsfBuf *b, IpsfReporter *r, const IpsfRecordHead *h,
                       const IpsfPack *pack, const IpsfError *err) {
  (void)pack; /* the error record has no pack (CLI.md) */
  if (r->format >= IPSF_OUT_CSV) ipsf_report_ci_error(b, r, h, err);
  else if (r->format == IPSF_OUT_TEXT) {
    if (r->written) ipsf_buf_puts(b, "\n");
    text_error(b, r, h, err);
  } else {
    Jw w = json_writer(b, r);
    json_error_record(&w, h, err);
    if (r->format == IPSF_OUT_JSONL) ipsf_buf_puts(b, "\n");
  }
  r->written++;
}

/* ---- jsonl from pre-rendered fragments ------------------------------------ */

/* A fragment: [off, off + len) in the cache's pool. */
typedef struct {
  size_t off, len;
} Frag;

struct ipsf_report_cache {
  IpsfBuf pool;
  Frag pack;        /* ,"pack":{...},"category":{"axis1": */
  Frag *scale_key;  /* per scale: "name":  (with a leading comma but the first) */
  uint32_t *level0; /* per scale: index of its level 0 in `level` */
  Frag *level;      /* "level" literals */
  Frag *scale_pair; /* like `level`: scale_key of its scale, then the literal */
  Frag *req_head;   /* per requirement: {"id":..,"title":..,"viewpoint":..,"method": */
  Frag *req_refs;   /* per requirement: ,"refs":[..],"status": */
  uint32_t *method0; /* per viewpoint: index of its method 0 in `method` */
  Frag *method;     /* "method" literals */
  Frag *vp;         /* per viewpoint: "name" */
  /* One requirement's whole constant body up to its status value, so that
   * an applying requirement is one copy: per confirm line, req_head +
   * method + every_months + req_refs of that line's requirement; per
   * requirement, the same with no chosen line (method and every_months
   * null). */
  Frag *confirm_body;
  Frag *req_plain;
};

static Frag frag_end(IpsfBuf *pool, size_t off) { return (Frag){off, pool->len - off}; }

static Frag frag_json(IpsfBuf *pool, const char *s) {
  size_t off = pool->len;
  ipsf_buf_json_string(pool, s);
  return frag_end(pool, off);
}

void ipsf_report_cache_free(IpsfReportCache *c) {
  if (!c) return;
  ipsf_buf_free(&c->pool);
  free(c->scale_key);
  free(c->level0);
  free(c->level);
  free(c->scale_pair);
  free(c->req_head);
  free(c->req_refs);
  free(c->method0);
  free(c->method);
  free(c->vp);
  free(c->confirm_body);
  free(c->req_plain);
  free(c);
}

/* A decimal number, no leading zeros ("0" for 0). */
static void put_u64(IpsfBuf *b, uint64_t v) {
  char num[24], *e = num + sizeof num, *q = e;
  do *--q = (char)('0' + v % 10);
  while (v /= 10);
  ipsf_buf_put_fast(b, q, (size_t)(e - q));
}

/* Requirement r's body from its head up to the status value, with confirm
 * line cf chosen (or none): what the jsonl record writes piece by piece. */
static void put_req_body(IpsfBuf *b, const IpsfReportCache *c, const IpsfPack *p, uint32_t r,
                         const IpsfConfirm *cf) {
  const char *pool = c->pool.data;
  size_t head = c->req_head[r].off, refs = c->req_refs[r].off;
  /* The pool may move as it grows: copy the parts out through offsets. */
  IpsfBuf tmp;
  ipsf_buf_init(&tmp);
  ipsf_buf_put(&tmp, pool + head, c->req_head[r].len);
  uint32_t v = p->requirements[r].viewpoint;
  if (cf && cf->method < p->viewpoints[v].method_count) {
    Frag m = c->method[c->method0[v] + cf->method];
    ipsf_buf_put(&tmp, pool + m.off, m.len);
  } else {
    ipsf_buf_puts(&tmp, "null");
  }
  if (cf && cf->every_months) {
    ipsf_buf_puts(&tmp, ",\"every_months\":");
    put_u64(&tmp, cf->every_months);
  } else {
    ipsf_buf_puts(&tmp, ",\"every_months\":null");
  }
  ipsf_buf_put(&tmp, pool + refs, c->req_refs[r].len);
  if (tmp.failed) b->failed = true;
  else ipsf_buf_put(b, tmp.data, tmp.len);
  ipsf_buf_free(&tmp);
}

IpsfReportCache *ipsf_report_cache_new(const IpsfPack *p) {
  IpsfReportCache *c = calloc(1, sizeof *c);
  if (!c) return NULL;
  ipsf_buf_init(&c->pool);
  size_t nlevels = 0, nmethods = 0;
  for (uint32_t s = 0; s < p->scale_count; s++)
    nlevels += p->enums[p->scales[s].enum_type].value_count;
  for (uint32_t v = 0; v < p->viewpoint_count; v++) nmethods += p->viewpoints[v].method_count;
#define N1(n) ((n) ? (size_t)(n) : 1u)
  c->scale_key = calloc(N1(p->scale_count), sizeof *c->scale_key);
  c->level0 = calloc(N1(p->scale_count), sizeof *c->level0);
  c->level = calloc(N1(nlevels), sizeof *c->level);
  c->scale_pair = calloc(N1(nlevels), sizeof *c->scale_pair);
  c->req_head = calloc(N1(p->requirement_count), sizeof *c->req_head);
  c->req_refs = calloc(N1(p->requirement_count), sizeof *c->req_refs);
  c->method0 = calloc(N1(p->viewpoint_count), sizeof *c->method0);
  c->method = calloc(N1(nmethods), sizeof *c->method);
  c->vp = calloc(N1(p->viewpoint_count), sizeof *c->vp);
  c->confirm_body = calloc(N1(p->confirm_count), sizeof *c->confirm_body);
  c->req_plain = calloc(N1(p->requirement_count), sizeof *c->req_plain);
#undef N1
  if (!c->scale_key || !c->level0 || !c->level || !c->req_head || !c->req_refs || !c->method0 ||
      !c->method || !c->vp || !c->confirm_body || !c->req_plain || !c->scale_pair) {
    ipsf_report_cache_free(c);
    return NULL;
  }
  IpsfBuf *b = &c->pool;
  Jw w;
  memset(&w, 0, sizeof w);
  w.b = b;
  /* The pack object and the opening of category, exactly as json_record. */
  size_t off = b->len;
  w.depth = 1;
  w.empty[1] = false;
  jw_key(&w, "pack");
  jw_open(&w, '{');
  jw_str(&w, "name", ipsf_str(p, p->meta.name));
  jw_str(&w, "version", ipsf_str(p, p->meta.version));
  jw_key(&w, "digest");
  ipsf_buf_puts(b, "\"sha256:");
  put_digest_hex(b, p->digest);
  ipsf_buf_put(b, "\"", 1);
  jw_close(&w, '}');
  jw_key(&w, "category");
  jw_open(&w, '{');
  jw_key(&w, "axis1");
  c->pack = frag_end(b, off);
  uint32_t li = 0;
  for (uint32_t s = 0; s < p->scale_count; s++) {
    off = b->len;
    if (s) ipsf_buf_put(b, ",", 1);
    ipsf_buf_json_string(b, ipsf_str(p, p->scales[s].name));
    ipsf_buf_put(b, ":", 1);
    c->scale_key[s] = frag_end(b, off);
    c->level0[s] = li;
    const IpsfEnum *e = &p->enums[p->scales[s].enum_type];
    for (uint32_t l = 0; l < e->value_count; l++) c->level[li++] = frag_json(b, ipsf_str(p, e->values[l]));
  }
  /* A scale's key then one of its levels: copied out through offsets, as
   * the pool may move while it grows. */
  for (uint32_t s = 0; s < p->scale_count; s++) {
    const IpsfEnum *e = &p->enums[p->scales[s].enum_type];
    for (uint32_t l = 0; l < e->value_count; l++) {
      Frag k = c->scale_key[s], v = c->level[c->level0[s] + l];
      off = b->len;
      IpsfBuf tmp;
      ipsf_buf_init(&tmp);
      ipsf_buf_put(&tmp, b->data + k.off, k.len);
      ipsf_buf_put(&tmp, b->data + v.off, v.len);
      if (tmp.failed) b->failed = true;
      else ipsf_buf_put(b, tmp.data, tmp.len);
      ipsf_buf_free(&tmp);
      c->scale_pair[c->level0[s] + l] = frag_end(b, off);
    }
  }
  uint32_t mi = 0;
  for (uint32_t v = 0; v < p->viewpoint_count; v++) {
    c->vp[v] = frag_json(b, ipsf_str(p, p->viewpoints[v].name));
    c->method0[v] = mi;
    for (uint32_t m = 0; m < p->viewpoints[v].method_count; m++)
      c->method[mi++] = frag_json(b, ipsf_str(p, p->viewpoints[v].methods[m]));
  }
  for (uint32_t r = 0; r < p->requirement_count; r++) {
    const IpsfRequirement *q = &p->requirements[r];
    off = b->len;
    memset(&w, 0, sizeof w);
    w.b = b;
    jw_open(&w, '{');
    jw_str(&w, "id", ipsf_str(p, q->id));
    jw_str(&w, "title", ipsf_str(p, q->title));
    jw_str(&w, "viewpoint", ipsf_str(p, p->viewpoints[q->viewpoint].name));
    jw_key(&w, "method");
    c->req_head[r] = frag_end(b, off);
    off = b->len;
    w.empty[1] = false;
    jw_key(&w, "refs");
    jw_open(&w, '[');
    for (uint32_t i = 0; i < q->ref_count; i++) jw_elem_str(&w, ipsf_str(p, q->refs[i]));
    jw_close(&w, ']');
    jw_requirement_basis(&w, p, q);
    jw_key(&w, "status");
    c->req_refs[r] = frag_end(b, off);
  }
  for (uint32_t r = 0; r < p->requirement_count; r++) {
    off = b->len;
    put_req_body(b, c, p, r, NULL);
    c->req_plain[r] = frag_end(b, off);
  }
  for (uint32_t k = 0; k < p->confirm_count; k++) {
    off = b->len;
    if (p->confirms[k].requirement < p->requirement_count)
      put_req_body(b, c, p, p->confirms[k].requirement, &p->confirms[k]);
    c->confirm_body[k] = frag_end(b, off);
  }
  if (b->failed) {
    ipsf_report_cache_free(c);
    return NULL;
  }
  return c;
}

/* ipsf_buf_put_fast without the NUL: a record's pieces are appended with
 * room for it kept (len + n < cap), and the record's last piece (LITZ)
 * writes it, so the buffer is NUL-terminated between records as IpsfBuf
 * promises.  Pieces written by ipsf_buf_* calls in between terminate
 * themselves. */
static inline void put_piece(IpsfBuf *b, const char *s, size_t n) {
  if (n < b->cap - b->len && !b->failed) {
    __builtin_memcpy(b->data + b->len, s, n);
    b->len += n;
  } else {
    ipsf_buf_put(b, s, n);
  }
}

#define PUT(b, f) put_piece((b), c->pool.data + (f).off, (f).len)
#define LIT(b, s) put_piece((b), (s), sizeof(s) - 1)
#define LITZ(b, s) ipsf_buf_put_fast((b), (s), sizeof(s) - 1)

static void put_level(IpsfBuf *b, const IpsfReportCache *c, const IpsfEval *ev, uint32_t s) {
  const IpsfPack *p = ev->pack;
  uint32_t l = s < p->scale_count ? ev->scale_level[s] : IPSF_NONE;
  if (l < p->enums[p->scales[s].enum_type].value_count) PUT(b, c->level[c->level0[s] + l]);
  else LIT(b, "null");
}

/* The "expired" and "due" keys of a requirement with dated evidence. */
static void jsonl_dates(IpsfBuf *b, const IpsfEval *ev, uint32_t r) {
  const char *expired_by = ipsf_eval_expired_by(ev, r);
  if (expired_by) {
    LIT(b, ",\"expired\":\"");
    ipsf_buf_puts(b, expired_by);
    LIT(b, "\"");
  }
  char due[11];
  if (ipsf_eval_due(ev, r, due)) {
    LIT(b, ",\"due\":\"");
    ipsf_buf_put_fast(b, due, 10);
    LIT(b, "\"");
  }
}

/* "compensated" and the keys of jw_compensation, compact. */
static void jsonl_compensation(IpsfBuf *b, const IpsfEval *ev, uint32_t r) {
  const IpsfPack *p = ev->pack;
  LIT(b, "\"compensated\",\"shortfall\":\"");
  ipsf_buf_puts(b, ipsf_status_name(ipsf_eval_shortfall(ev, r)));
  LIT(b, "\",\"compensated_by\":[");
  uint32_t pos = 0;
  for (uint32_t by, k = 0; (by = ipsf_eval_compensated_by(ev, r, &pos)) != IPSF_NONE; k++) {
    if (k) LIT(b, ",");
    ipsf_buf_json_string(b, ipsf_str(p, p->requirements[by].id));
  }
  LIT(b, "]");
  char until[11];
  if (ipsf_eval_compensated_until(ev, r, until)) {
    LIT(b, ",\"compensated_until\":\"");
    ipsf_buf_put_fast(b, until, 10);
    LIT(b, "\"");
  }
}

/* ---- jsonl and csv: memoised record bodies ------------------------------- */

/* Most of a jsonl record, everything after its head, is a function of the
 * evaluation's outcome: each scale's level, which requirements apply with
 * which confirm line and which status, which viewpoints are used.  A
 * worker's memo maps that outcome, as a key of bytes, to the body's bytes
 * rendered the first time; a later record with the same key copies them.
 * A csv row after its head (levels, "ID:status" list, not_met) is a
 * function of less: the levels and the applying requirements' statuses
 * (report_ci.c uses the memo through ipsf_report_memo_lookup and _keep).
 *
 * Invariants:
 * - the key determines the body: it holds every value jsonl_body reads
 *   from the context (scale_level, req_applies, req_confirm, the status of
 *   each applying requirement, vp_used), and a record whose body reads
 *   more than that is never looked up nor kept: dated evidence (the
 *   "expired" and "due" keys) and a compensated requirement (its
 *   "shortfall", "compensated_by" and "compensated_until" read the
 *   evidence).  csv's body reads the levels and the statuses only (a
 *   compensated requirement is "ID:compensated", dates are not shown): its
 *   key is those, for every record.  A sheet without evidence has a
 *   shorter key of its own form (a marker byte no level can be, the
 *   levels, each requirement's confirm line), for both formats: then every
 *   applying requirement is unknown, a requirement applies exactly when it
 *   has a line (one without is an error record, never memoised), and the
 *   viewpoints used follow from the lines.  The unmet count of the summary
 *   and --fail-on is made with the key (ipsf_report_memo_unmet).  A worker
 *   writes one format, so one memo never holds both kinds.  Keys are
 *   compared whole (the hash only finds the slot).
 * - the memory is bounded: at most MEMO_ENTRIES bodies and MEMO_POOL bytes
 *   of keys and bodies per worker, allocated once.  The first outcomes
 *   seen are kept (the frequent ones come early); once full, nothing is
 *   added, and every MEMO_WINDOW lookups the memo is judged (memo_window):
 *   emptied to be filled again when it found less than half, turned off
 *   for good when it found less than a quarter (a stream of mostly
 *   different outcomes then pays one test a record).
 * - a pack whose outcome does not fit a key (MEMO_KEY_MAX bytes; a scale
 *   of 255 levels or more; 65,535 confirm lines or more) has no memo.
 * - one memo per worker (IpsfReporter.memo), never shared between
 *   threads; the pack's constant fragments stay in the shared, read-only
 *   IpsfReportCache. */

#define MEMO_SLOTS 1024u         /* hash slots, a power of two */
#define MEMO_ENTRIES 384u        /* bodies kept at most */
#define MEMO_POOL (384u << 10)   /* bytes of keys and bodies at most */
#define MEMO_KEY_MAX 1024u
#define MEMO_WINDOW 8192u        /* lookups between two judgements, when full */

typedef struct {
  uint64_t hash;
  uint32_t key_off, key_len, body_off, body_len;
} MemoEntry;

struct ipsf_report_memo {
  uint16_t slot[MEMO_SLOTS]; /* entry index + 1; 0: empty */
  MemoEntry entry[MEMO_ENTRIES];
  uint32_t entries;
  uint32_t max_entries;      /* MEMO_ENTRIES, or 16 (a test's tiny memo) */
  size_t max_pool;           /* MEMO_POOL, likewise */
  uint32_t window;           /* MEMO_WINDOW, likewise */
  char *pool;                /* max_pool bytes */
  size_t pool_len;
  bool full;                 /* no more room: bodies are no longer kept */
  uint32_t hits, misses;     /* lookups of the window since it was full */
  bool off;
  char *sheet_raw;           /* the last record's sheet path, and its */
  IpsfBuf sheet_head;        /* {"sheet":"..." */
  const char *batch_sheet;   /* ipsf_report_memo_batch's: sheet_raw's text */
  uint64_t hash;             /* the last key's */
  bool unmet_known;          /* the last record's key was built: its count */
  uint32_t unmet;            /* of applying requirements neither met nor compensated */
  bool as_of_set;            /* the last as-of day and its text */
  int32_t as_of;
  char as_of_text[11];
  uint8_t key[MEMO_KEY_MAX + 8];
};

IpsfReportMemo *ipsf_report_memo_new(const IpsfPack *p, bool tiny) {
  /* the longer of memo_key's two forms (the one without evidence: a
   * marker, the levels, two bytes a requirement) */
  size_t key = 1u + (size_t)p->scale_count + 3u * p->requirement_count + p->viewpoint_count;
  if (key > MEMO_KEY_MAX || p->confirm_count >= 0xFFFFu) return NULL;
  for (uint32_t s = 0; s < p->scale_count; s++)
    if (p->enums[p->scales[s].enum_type].value_count >= 255) return NULL;
  IpsfReportMemo *m = calloc(1, sizeof *m);
  if (!m) return NULL;
  ipsf_buf_init(&m->sheet_head);
  m->max_entries = tiny ? 16u : MEMO_ENTRIES;
  m->max_pool = tiny ? 32768u : MEMO_POOL;
  m->window = tiny ? 256u : MEMO_WINDOW;
  if (!(m->pool = malloc(m->max_pool))) {
    free(m);
    return NULL;
  }
  return m;
}

void ipsf_report_memo_free(IpsfReportMemo *m) {
  if (!m) return;
  free(m->pool);
  free(m->sheet_raw);
  ipsf_buf_free(&m->sheet_head);
  free(m);
}

bool ipsf_report_memo_unmet(const IpsfReportMemo *m, size_t *unmet) {
  if (!m || !m->unmet_known) return false;
  *unmet = m->unmet;
  return true;
}

static void memo_sheet(IpsfReportMemo *m, const char *sheet);

void ipsf_report_memo_batch(IpsfReportMemo *m, const char *sheet) {
  if (!m) return;
  m->batch_sheet = NULL;
  if (!sheet) return;
  if (!m->sheet_raw || strcmp(sheet, m->sheet_raw) != 0) memo_sheet(m, sheet);
  if (m->sheet_raw) m->batch_sheet = sheet;
}

/* Keep `{"sheet":PATH` for the records of the same sheet (none when out of
 * memory: the head is then rendered each time). */
static void memo_sheet(IpsfReportMemo *m, const char *sheet) {
  m->batch_sheet = NULL;
  free(m->sheet_raw);
  m->sheet_raw = sheet ? strdup(sheet) : NULL;
  m->sheet_head.len = 0;
  m->sheet_head.failed = false;
  ipsf_buf_puts(&m->sheet_head, "{\"sheet\":");
  ipsf_buf_json_string(&m->sheet_head, sheet);
  if (m->sheet_head.failed) {
    free(m->sheet_raw);
    m->sheet_raw = NULL;
  }
}

/* The outcome's key in m->key: its length, 0 when the body must be
 * rendered (it reads more than the key holds).  jsonl's key has each
 * applying requirement's confirm line and the viewpoints, and none for
 * dated evidence or a compensated requirement; csv's (statuses only) has
 * every record's. */
#if defined(__GNUC__)
__attribute__((always_inline))
#endif
static inline size_t memo_key(IpsfReportMemo *m, const IpsfEval *ev, bool jsonl) {
  if (jsonl && ev->evidence_dated) return 0;
  const IpsfPack *p = ev->pack;
  uint8_t *k = m->key;
  size_t n = 0;
  uint32_t unmet = 0;
  /* Without evidence (most of a fleet's sheets), the outcome is the levels
   * and each requirement's confirm line: a requirement applies exactly
   * when it has one (one that applies without one is an error, never a
   * memoised record), its status is unknown, and the viewpoints used are
   * those of the applying requirements.  No branch per requirement. */
  if (!ev->evidence_present) {
    k[n++] = 0xFE; /* this form; the other starts with a level, < 255 */
    for (uint32_t s = 0; s < p->scale_count; s++) {
      uint32_t l = ev->scale_level[s];
      k[n++] = l < p->enums[p->scales[s].enum_type].value_count ? (uint8_t)l : 255u;
    }
    for (uint32_t r = 0; r < p->requirement_count; r++) {
      uint32_t cf = ev->req_confirm[r];
      unmet += cf != IPSF_NONE;
      k[n++] = (uint8_t)cf;
      k[n++] = (uint8_t)(cf >> 8);
    }
    memset(k + n, 0, 8); /* the hash reads whole words */
    m->unmet = unmet;
    m->unmet_known = true;
    return n;
  }
  for (uint32_t s = 0; s < p->scale_count; s++) {
    uint32_t l = ev->scale_level[s];
    k[n++] = l < p->enums[p->scales[s].enum_type].value_count ? (uint8_t)l : 255u;
  }
  for (uint32_t r = 0; r < p->requirement_count; r++) {
    if (!ev->req_applies[r]) {
      k[n++] = 0;
      continue;
    }
    /* without evidence every applying requirement is unknown (base_status) */
    IpsfStatus st = ev->evidence_present ? ipsf_eval_status(ev, r) : IPSF_UNKNOWN;
    if (!jsonl) {
      unmet += st != IPSF_MET && st != IPSF_COMPENSATED;
      k[n++] = (uint8_t)(1u + ((unsigned)st & 0x3Fu));
      continue;
    }
    if (st == IPSF_COMPENSATED) return 0;
    unmet += st != IPSF_MET;
    uint32_t cf = ev->req_confirm[r];
    if (cf < p->confirm_count) {
      k[n++] = (uint8_t)(0x80u | (1u + ((unsigned)st & 0x3Fu)));
      k[n++] = (uint8_t)cf;
      k[n++] = (uint8_t)(cf >> 8);
    } else {
      k[n++] = (uint8_t)(1u + ((unsigned)st & 0x3Fu));
    }
  }
  if (jsonl)
    for (uint32_t v = 0; v < p->viewpoint_count; v++) k[n++] = ev->vp_used[v] != 0;
  memset(k + n, 0, 8); /* the hash reads whole words */
  m->unmet = unmet;
  m->unmet_known = true;
  return n;
}

static uint64_t memo_hash(const uint8_t *k, size_t n) {
  uint64_t h = 0x9E3779B97F4A7C15u ^ n;
  for (size_t i = 0; i < n; i += 8) {
    uint64_t w;
    memcpy(&w, k + i, 8);
    h = (h ^ w) * 0xFF51AFD7ED558CCDu;
    h ^= h >> 32;
  }
  return h;
}

/* A full memo is judged every MEMO_WINDOW lookups: when it found less
 * than a quarter, it is not worth its key (off for good); when it found
 * less than half, the outcomes changed: it is emptied and filled again. */
static void memo_window(IpsfReportMemo *m) {
  if (!m->full || m->hits + m->misses < m->window) return;
  if (4u * m->hits < m->window) {
    m->off = true;
  } else if (m->hits < m->misses) {
    memset(m->slot, 0, sizeof m->slot);
    m->entries = 0;
    m->pool_len = 0;
    m->full = false;
  }
  m->hits = m->misses = 0;
}

/* Two keys of klen bytes, each followed by zeros to a multiple of eight
 * (memo_key's and memo_add's), compared a word at a time. */
static inline bool memo_key_eq(const char *a, const uint8_t *b, size_t klen) {
  for (size_t i = 0; i < klen; i += 8)
    if (ipsf_load64(a + i) != ipsf_load64(b + i)) return false;
  return true;
}

#if defined(__GNUC__)
__attribute__((always_inline))
#endif
static inline const MemoEntry *memo_find(const IpsfReportMemo *m, uint64_t hash, size_t klen) {
  for (uint32_t i = (uint32_t)hash & (MEMO_SLOTS - 1);; i = (i + 1) & (MEMO_SLOTS - 1)) {
    uint16_t at = m->slot[i];
    if (!at) return NULL;
    const MemoEntry *e = &m->entry[at - 1];
    if (e->hash == hash && e->key_len == klen && memo_key_eq(m->pool + e->key_off, m->key, klen))
      return e;
  }
}

/* A lookup that found nothing (when full: the window's count) and the
 * body rendered: kept when there is room. */
static void memo_add(IpsfReportMemo *m, uint64_t hash, size_t klen, const char *body,
                     size_t blen);

#if defined(__GNUC__)
__attribute__((always_inline))
#endif
static inline bool memo_lookup(IpsfReportMemo *m, const IpsfEval *ev, bool jsonl, IpsfBuf *b,
                               size_t *klen) {
  *klen = 0;
  m->unmet_known = false;
  if (m->off || !(*klen = memo_key(m, ev, jsonl))) return false;
  m->hash = memo_hash(m->key, *klen);
  const MemoEntry *e = memo_find(m, m->hash, *klen);
  if (!e) return false;
  m->hits++;
  memo_window(m);
  ipsf_buf_put_fast(b, m->pool + e->body_off, e->body_len);
  return true;
}

bool ipsf_report_memo_lookup(IpsfReportMemo *m, const IpsfEval *ev, bool jsonl, IpsfBuf *b,
                             size_t *klen) {
  return memo_lookup(m, ev, jsonl, b, klen);
}

void ipsf_report_memo_keep(IpsfReportMemo *m, size_t klen, const char *body, size_t len) {
  if (klen) memo_add(m, m->hash, klen, body, len);
}

static void memo_add(IpsfReportMemo *m, uint64_t hash, size_t klen, const char *body,
                     size_t blen) {
  size_t kpad = (klen + 7u) & ~(size_t)7u; /* kept with m->key's zeros, for memo_key_eq */
  if (m->entries == m->max_entries || m->pool_len + kpad + blen > m->max_pool) {
    m->full = true;
    m->misses++;
    memo_window(m);
    return;
  }
  MemoEntry *e = &m->entry[m->entries];
  e->hash = hash;
  e->key_off = (uint32_t)m->pool_len;
  e->key_len = (uint32_t)klen;
  memcpy(m->pool + m->pool_len, m->key, kpad);
  m->pool_len += kpad;
  e->body_off = (uint32_t)m->pool_len;
  e->body_len = (uint32_t)blen;
  memcpy(m->pool + m->pool_len, body, blen);
  m->pool_len += blen;
  uint32_t i = (uint32_t)hash & (MEMO_SLOTS - 1);
  while (m->slot[i]) i = (i + 1) & (MEMO_SLOTS - 1);
  m->slot[i] = (uint16_t)(++m->entries);
}

static const char DIGIT_PAIRS[] = "0001020304050607080910111213141516171819"
                                  "2021222324252627282930313233343536373839"
                                  "4041424344454647484950515253545556575859"
                                  "6061626364656667686970717273747576777879"
                                  "8081828384858687888990919293949596979899";

/* ipsf_buf_json_string without a call when s is plain and there is room
 * (no NUL written: see put_piece). */
static inline void put_json_string(IpsfBuf *b, const char *s) {
  if (s && !b->failed) {
    size_t n = strlen(s);
    if (n + 2 < b->cap - b->len && ipsf_json_plain_span((const unsigned char *)s, n) == n) {
      char *d = b->data + b->len;
      d[0] = '"';
      memcpy(d + 1, s, n);
      d[n + 1] = '"';
      b->len += n + 2;
      return;
    }
  }
  ipsf_buf_json_string(b, s);
}

/* A record's head: sheet, line, device, profile, as_of (when the sheet has
 * evidence).  The sheet's path is the same for every line of a file: with
 * a memo, its rendering is kept and copied. */
static void jsonl_head(IpsfBuf *b, IpsfReportMemo *m, const IpsfRecordHead *h,
                       const IpsfEval *ev) {
  if (m && h->sheet &&
      (h->sheet == m->batch_sheet || (m->sheet_raw && strcmp(h->sheet, m->sheet_raw) == 0))) {
    put_piece(b, m->sheet_head.data, m->sheet_head.len);
  } else {
    if (m) memo_sheet(m, h->sheet);
    LIT(b, "{\"sheet\":");
    ipsf_buf_json_string(b, h->sheet);
  }
  if (h->line) {
    char num[24], *e = num + sizeof num, *q = e;
    uint64_t v = h->line;
    for (; v >= 100; v /= 100) {
      q -= 2;
      memcpy(q, DIGIT_PAIRS + 2 * (v % 100), 2);
    }
    if (v >= 10) {
      q -= 2;
      memcpy(q, DIGIT_PAIRS + 2 * v, 2);
    } else {
      *--q = (char)('0' + v);
    }
    LIT(b, ",\"line\":");
    ipsf_buf_put_fast(b, q, (size_t)(e - q));
  } else {
    LIT(b, ",\"line\":null");
  }
  LIT(b, ",\"device\":");
  put_json_string(b, h->device);
  if (h->profile) {
    LIT(b, ",\"profile\":");
    ipsf_buf_json_string(b, h->profile);
  } else {
    LIT(b, ",\"profile\":null");
  }
  if (ev->evidence_present) {
    char day[11];
    const char *d = day;
    if (m && m->as_of_set && m->as_of == ev->as_of) d = m->as_of_text;
    else ipsf_eval_as_of(ev, day);
    if (m && d == day) {
      memcpy(m->as_of_text, day, sizeof day);
      m->as_of = ev->as_of;
      m->as_of_set = true;
    }
    LIT(b, ",\"as_of\":\"");
    ipsf_buf_put_fast(b, d, 10);
    LIT(b, "\"");
  }
}

/* Everything after the head, up to and with the newline. */
static void jsonl_body(IpsfBuf *b, const IpsfReportCache *c, const IpsfEval *ev) {
  const IpsfPack *p = ev->pack;
  PUT(b, c->pack);
  if (p->axis1 == IPSF_NONE) LIT(b, "null");
  else put_level(b, c, ev, p->axis1);
  LIT(b, ",\"axis2\":");
  if (p->axis2 == IPSF_NONE) LIT(b, "null");
  else put_level(b, c, ev, p->axis2);
  LIT(b, "},\"scales\":{");
  for (uint32_t s = 0; s < p->scale_count; s++) {
    uint32_t l = ev->scale_level[s];
    if (l < p->enums[p->scales[s].enum_type].value_count) {
      PUT(b, c->scale_pair[c->level0[s] + l]);
    } else {
      PUT(b, c->scale_key[s]);
      LIT(b, "null");
    }
  }
  LIT(b, "},\"requirements\":[");
  bool first = true;
  for (uint32_t r = 0; r < p->requirement_count; r++) {
    if (!ev->req_applies[r]) continue;
    if (!first) LIT(b, ",");
    first = false;
    uint32_t k = ev->req_confirm[r];
    if (k >= p->confirm_count) PUT(b, c->req_plain[r]);
    else if (p->confirms[k].requirement == r) PUT(b, c->confirm_body[k]);
    else put_req_body(b, c, p, r, &p->confirms[k]); /* not expected: the same bytes */
    IpsfStatus st = ev->evidence_present ? ipsf_eval_status(ev, r) : IPSF_UNKNOWN;
    if (st == IPSF_MET) LIT(b, "\"met\"");
    else if (st == IPSF_UNMET) LIT(b, "\"unmet\"");
    else if (st == IPSF_EXPIRED) LIT(b, "\"expired\"");
    else if (st == IPSF_COMPENSATED) jsonl_compensation(b, ev, r);
    else LIT(b, "\"unknown\"");
    if (ev->evidence_dated) jsonl_dates(b, ev, r);
    LIT(b, "}");
  }
  LIT(b, "],\"viewpoints\":[");
  /* Viewpoints in pack order that have an applying requirement. */
  first = true;
  for (uint32_t v = 0; v < p->viewpoint_count; v++) {
    if (!viewpoint_used(ev, v)) continue;
    if (!first) LIT(b, ",");
    first = false;
    PUT(b, c->vp[v]);
  }
  LITZ(b, "]}\n");
}

/* The same bytes as json_record(compact, no reasons) + "\n": the head,
 * then the body, copied from the memo when an earlier record had the same
 * outcome (memo_key), else rendered (and kept). */
static void jsonl_record_cached(IpsfBuf *b, const IpsfReportCache *c, IpsfReportMemo *m,
                                const IpsfRecordHead *h, const IpsfEval *ev) {
  jsonl_head(b, m && !m->off ? m : NULL, h, ev);
  size_t klen = 0;
  if (m && memo_lookup(m, ev, true, b, &klen)) return;
  size_t at = b->len;
  jsonl_body(b, c, ev);
  if (klen && !b->failed) ipsf_report_memo_keep(m, klen, b->data + at, b->len - at);
}
#undef PUT
#undef LIT
#undef LITZ
