/*
 * report.c -- `ipsfc report PACK SHEET... [-o FILE] [--format html|json]`:
 * a fleet on the category matrix, as one self-contained HTML page or as
 * JSON data.
 *
 * Built on the runtime's runner (ipsf.h, "streaming"), exactly as `eval`
 * is, with eval's options (cli/eval.c exports them): the same sheets give
 * the same records, here never rendered (IPSF_RECORDS_NONE) but summed from
 * each record's structured view, in input order, as they come.
 *
 * Memory is bounded by the summary, never by the input: per cell a count
 * and its first REPORT_DEVICES records listed (device, profile, source,
 * unmet, unknown), the rest only counted ("and K more"); per requirement
 * four counts; the first REPORT_ERRORS error records listed, the rest
 * counted.  Nothing is dropped silently: every count is exact and every
 * cut says how much it cut.
 *
 * Escaping: every string from a pack or a sheet reaches the page through
 * html() (& < > " ' and control characters), and the summary embedded for
 * the page's script (a <script type="application/json">) through JSON with
 * <, > and & as \u escapes, so no data can close the script element.  The
 * page works without its script (tables are HTML); the script adds sorting
 * and filtering of the device table.
 *
 * Deterministic: pack order, input order, no clock, no absolute path the
 * user did not give.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "eval_stream.h"
#include "escape.h"

#define REPORT_DEVICES 100u /* records listed per cell */
#define REPORT_ERRORS 1000u /* error records listed */

static const char help[] =
    "usage: ipsfc report PACK SHEET... [-o FILE] [--format html|json] [options]\n\n"
    "Evaluate device fact sheets (JSON, JSON Lines, YAML; '-' reads JSON Lines\n"
    "from standard input) as 'ipsfc eval' does and summarise the fleet: the\n"
    "category matrix as a heatmap of (device, profile) records per cell, per\n"
    "requirement and per viewpoint met/unmet/expired/unknown counts, the\n"
    "devices of each cell (the first 100 per cell listed, the rest counted),\n"
    "and every error record (the first 1000 listed, the rest counted).  One\n"
    "self-contained HTML page (no network; sorting and filtering by an inline\n"
    "script, readable without it), or the same summary as JSON.\n\n"
    "options:\n"
    "  -o, --output FILE      write the report to FILE (default: standard output)\n"
    "      --format FMT       html (default) or json\n"
    "      --profile NAME     evaluate only this profile of each sheet\n"
    "      --fail-on WHAT     error (default), unmet or never, as for eval\n"
    "      --allow-unknown-facts  ignore facts the pack does not declare\n"
    "  -I, --import DIR       look for imported modules in DIR (source packs)\n"
    "      --jobs N           evaluate JSON Lines on N threads (default: cores)\n"
    "      --max-sheet-bytes N, --max-line-bytes N, --max-cost N  as for eval\n"
    "      --require-signature KEY  refuse a pack not signed by this key\n"
    "      --allow-native LIB allow the pack's extern functions of LIB\n"
    "  -h, --help             this text\n\n"
    "exit: as eval: 0 success; 1 unmet requirements under --fail-on unmet;\n"
    "      2 usage; 3 the pack cannot be loaded, or a record is an error (the\n"
    "      report is still written); 4 the output cannot be written; 130, 143\n"
    "      stopped by SIGINT, SIGTERM (no report is written).\n\n"
    "example:\n"
    "  ipsfc report examples/smart-home/pack.ipsf examples/smart-home/devices/* -o fleet.html\n";

/* ---- the summary ------------------------------------------------------------ */

typedef struct {
  char *device, *profile, *sheet; /* owned; device/profile may be NULL */
  uint64_t line;
  uint32_t unmet, unknown;
} Listed;

typedef struct {
  size_t records;
  Listed *listed; /* the first REPORT_DEVICES */
  size_t nlisted;
} Cell;

typedef struct {
  char *sheet, *device, *profile, *message; /* owned */
  uint64_t line;
  IpsfErrorKind kind;
} ErrRec;

typedef struct {
  size_t n[6]; /* indexed by IpsfStatus (IPSF_COMPENSATED is 5), and IPSF_NOT_APPLICABLE */
} Tally;

typedef struct {
  const IpsfPack *pack;
  uint32_t axis[2], levels[2]; /* levels: 1 for a missing axis */
  Cell *cells;                 /* levels[0] * levels[1], axis 1 major */
  Tally *req;                  /* per requirement */
  ErrRec *errors;
  size_t nerrors, errors_more;
  bool nomem;
  bool compensations; /* the pack has compensated_by: count compensated */
} Summary;

static char *dup_or_null(Summary *s, const char *t) {
  if (!t) return NULL;
  char *d = strdup(t);
  if (!d) s->nomem = true;
  return d;
}

static void add_error(Summary *s, const IpsfRunRecord *r) {
  if (s->nerrors == REPORT_ERRORS) {
    s->errors_more++;
    return;
  }
  if (!s->errors && !(s->errors = calloc(REPORT_ERRORS, sizeof *s->errors))) {
    s->nomem = true;
    return;
  }
  ErrRec *e = &s->errors[s->nerrors++];
  e->sheet = dup_or_null(s, r->sheet);
  e->device = dup_or_null(s, r->device);
  e->profile = dup_or_null(s, r->profile);
  e->message = dup_or_null(s, r->message);
  e->line = r->line;
  e->kind = r->error;
}

static void add_record(Summary *s, const IpsfRunRecord *r) {
  uint32_t a = s->axis[0] == UINT32_MAX ? 0 : r->level[0];
  uint32_t b = s->axis[1] == UINT32_MAX ? 0 : r->level[1];
  if (a >= s->levels[0] || b >= s->levels[1]) return; /* not reached: verified levels */
  Cell *c = &s->cells[a * s->levels[1] + b];
  uint32_t unmet = 0, unknown = 0;
  for (uint32_t q = 0; q < ipsf_pack_requirement_count(s->pack); q++) {
    uint8_t st = r->status[q] <= IPSF_COMPENSATED ? r->status[q] : IPSF_NOT_APPLICABLE;
    s->req[q].n[st]++;
    unmet += st == IPSF_UNMET || st == IPSF_EXPIRED; /* not met: counted with unmet */
    unknown += st == IPSF_UNKNOWN;
  }
  c->records++;
  if (c->nlisted == REPORT_DEVICES) return;
  if (!c->listed && !(c->listed = calloc(REPORT_DEVICES, sizeof *c->listed))) {
    s->nomem = true;
    return;
  }
  Listed *l = &c->listed[c->nlisted++];
  l->device = dup_or_null(s, r->device);
  l->profile = dup_or_null(s, r->profile);
  l->sheet = dup_or_null(s, r->sheet);
  l->line = r->line;
  l->unmet = unmet;
  l->unknown = unknown;
}

/* The runner's write function: every record's view, in input order. */
static int on_records(void *user, const char *bytes, size_t len, const IpsfRunRecord *recs,
                      size_t n) {
  (void)bytes;
  (void)len;
  Summary *s = user;
  for (size_t i = 0; i < n; i++) {
    if (recs[i].error != IPSF_ERR_NONE) add_error(s, &recs[i]);
    else add_record(s, &recs[i]);
  }
  return s->nomem; /* out of memory: stop */
}

static bool summary_init(Summary *s, const IpsfPack *p) {
  memset(s, 0, sizeof *s);
  s->pack = p;
  for (int i = 0; i < 2; i++) {
    s->axis[i] = ipsf_pack_axis(p, i + 1);
    s->levels[i] = s->axis[i] == UINT32_MAX ? 1 : ipsf_pack_level_count(p, s->axis[i]);
  }
  s->cells = calloc((size_t)s->levels[0] * s->levels[1], sizeof *s->cells);
  s->req = calloc(ipsf_pack_requirement_count(p) + 1, sizeof *s->req);
  s->compensations = ipsf_pack_compensation_count(p) > 0;
  return s->cells && s->req;
}

static void summary_free(Summary *s) {
  for (size_t c = 0; s->cells && c < (size_t)s->levels[0] * s->levels[1]; c++) {
    for (size_t i = 0; i < s->cells[c].nlisted; i++) {
      Listed *l = &s->cells[c].listed[i];
      free(l->device);
      free(l->profile);
      free(l->sheet);
    }
    free(s->cells[c].listed);
  }
  for (size_t i = 0; i < s->nerrors; i++) {
    free(s->errors[i].sheet);
    free(s->errors[i].device);
    free(s->errors[i].profile);
    free(s->errors[i].message);
  }
  free(s->errors);
  free(s->cells);
  free(s->req);
}

static const char *level_name(const Summary *s, int axis, uint32_t level) {
  return s->axis[axis] == UINT32_MAX ? NULL : ipsf_pack_level_name(s->pack, s->axis[axis], level);
}

/* Per viewpoint: the sums of its requirements' tallies. */
static Tally viewpoint_tally(const Summary *s, uint32_t v) {
  Tally t = {{0}};
  for (uint32_t q = 0; q < ipsf_pack_requirement_count(s->pack); q++)
    if (ipsf_pack_requirement_viewpoint(s->pack, q) == v)
      for (int k = 0; k < 6; k++) t.n[k] += s->req[q].n[k];
  return t;
}

static void digest_hex(const IpsfPack *p, char out[65]) {
  const uint8_t *d = ipsf_pack_digest(p);
  for (int i = 0; i < 32; i++) snprintf(out + 2 * i, 3, "%02x", d[i]);
}

/* ---- JSON ------------------------------------------------------------------------ */

static void jkey(IpsfBuf *b, int indent, const char *k) {
  ipsf_buf_printf(b, "%*s", 2 * indent, "");
  ipsf_buf_json_string(b, k);
  ipsf_buf_puts(b, ": ");
}

static void jtally(IpsfBuf *b, const Tally *t, bool na, bool comp) {
  ipsf_buf_printf(b, "\"met\": %zu, \"unmet\": %zu, \"expired\": %zu, \"unknown\": %zu",
                  t->n[IPSF_MET], t->n[IPSF_UNMET], t->n[IPSF_EXPIRED], t->n[IPSF_UNKNOWN]);
  if (na) ipsf_buf_printf(b, ", \"not_applicable\": %zu", t->n[IPSF_NOT_APPLICABLE]);
  /* only for a pack with compensated_by, so other packs' reports keep their bytes */
  if (comp) ipsf_buf_printf(b, ", \"compensated\": %zu", t->n[IPSF_COMPENSATED]);
}

static void json_cells(IpsfBuf *b, const Summary *s) {
  jkey(b, 1, "cells");
  ipsf_buf_puts(b, "[");
  for (uint32_t i = 0; i < s->levels[0]; i++)
    for (uint32_t j = 0; j < s->levels[1]; j++) {
      const Cell *c = &s->cells[i * s->levels[1] + j];
      ipsf_buf_puts(b, i + j ? ",\n    {\"axis1\": " : "\n    {\"axis1\": ");
      ipsf_buf_json_string(b, level_name(s, 0, i));
      ipsf_buf_puts(b, ", \"axis2\": ");
      ipsf_buf_json_string(b, level_name(s, 1, j));
      ipsf_buf_printf(b, ", \"records\": %zu, \"more\": %zu, \"devices\": [", c->records,
                      c->records - c->nlisted);
      for (size_t k = 0; k < c->nlisted; k++) {
        const Listed *l = &c->listed[k];
        ipsf_buf_puts(b, k ? ",\n      {\"device\": " : "\n      {\"device\": ");
        ipsf_buf_json_string(b, l->device);
        ipsf_buf_puts(b, ", \"profile\": ");
        ipsf_buf_json_string(b, l->profile);
        ipsf_buf_puts(b, ", \"sheet\": ");
        ipsf_buf_json_string(b, l->sheet);
        if (l->line) ipsf_buf_printf(b, ", \"line\": %llu", (unsigned long long)l->line);
        else ipsf_buf_puts(b, ", \"line\": null");
        ipsf_buf_printf(b, ", \"unmet\": %u, \"unknown\": %u}", l->unmet, l->unknown);
      }
      ipsf_buf_puts(b, c->nlisted ? "\n    ]}" : "]}");
    }
  ipsf_buf_puts(b, "\n  ],\n");
}

static void json_requirements(IpsfBuf *b, const Summary *s) {
  const IpsfPack *p = s->pack;
  jkey(b, 1, "requirements");
  ipsf_buf_puts(b, "[");
  for (uint32_t q = 0; q < ipsf_pack_requirement_count(p); q++) {
    ipsf_buf_puts(b, q ? ",\n    {\"id\": " : "\n    {\"id\": ");
    ipsf_buf_json_string(b, ipsf_pack_requirement_id(p, q));
    ipsf_buf_puts(b, ", \"title\": ");
    ipsf_buf_json_string(b, ipsf_pack_requirement_title(p, q));
    ipsf_buf_puts(b, ", \"viewpoint\": ");
    ipsf_buf_json_string(b, ipsf_pack_viewpoint_name(p, ipsf_pack_requirement_viewpoint(p, q)));
    ipsf_buf_puts(b, ", ");
    jtally(b, &s->req[q], true, s->compensations);
    ipsf_buf_puts(b, "}");
  }
  ipsf_buf_puts(b, "\n  ],\n");
  jkey(b, 1, "viewpoints");
  ipsf_buf_puts(b, "[");
  for (uint32_t v = 0; v < ipsf_pack_viewpoint_count(p); v++) {
    Tally t = viewpoint_tally(s, v);
    ipsf_buf_puts(b, v ? ",\n    {\"name\": " : "\n    {\"name\": ");
    ipsf_buf_json_string(b, ipsf_pack_viewpoint_name(p, v));
    ipsf_buf_puts(b, ", ");
    jtally(b, &t, true, s->compensations);
    ipsf_buf_puts(b, "}");
  }
  ipsf_buf_puts(b, "\n  ],\n");
}

static void json_errors(IpsfBuf *b, const Summary *s) {
  jkey(b, 1, "errors");
  ipsf_buf_puts(b, "[");
  for (size_t i = 0; i < s->nerrors; i++) {
    const ErrRec *e = &s->errors[i];
    ipsf_buf_puts(b, i ? ",\n    {\"sheet\": " : "\n    {\"sheet\": ");
    ipsf_buf_json_string(b, e->sheet);
    if (e->line) ipsf_buf_printf(b, ", \"line\": %llu", (unsigned long long)e->line);
    else ipsf_buf_puts(b, ", \"line\": null");
    ipsf_buf_puts(b, ", \"device\": ");
    ipsf_buf_json_string(b, e->device);
    ipsf_buf_puts(b, ", \"profile\": ");
    ipsf_buf_json_string(b, e->profile);
    ipsf_buf_puts(b, ", \"kind\": ");
    ipsf_buf_json_string(b, ipsf_error_kind_name(e->kind));
    ipsf_buf_puts(b, ", \"message\": ");
    ipsf_buf_json_string(b, e->message);
    ipsf_buf_puts(b, "}");
  }
  ipsf_buf_printf(b, "%s],\n  \"errors_more\": %zu\n", s->nerrors ? "\n  " : "", s->errors_more);
}

static void write_json(IpsfBuf *b, const Summary *s, const IpsfRunCounts *c) {
  const IpsfPack *p = s->pack;
  char hex[65];
  digest_hex(p, hex);
  ipsf_buf_puts(b, "{\n");
  jkey(b, 1, "pack");
  ipsf_buf_puts(b, "{\"name\": ");
  ipsf_buf_json_string(b, ipsf_pack_name(p));
  ipsf_buf_puts(b, ", \"version\": ");
  ipsf_buf_json_string(b, ipsf_pack_version(p));
  ipsf_buf_printf(b, ", \"digest\": \"%s\"},\n", hex);
  jkey(b, 1, "axes");
  ipsf_buf_puts(b, "[");
  for (int a = 0; a < 2; a++) {
    ipsf_buf_puts(b, a ? ", {\"scale\": " : "{\"scale\": ");
    ipsf_buf_json_string(b, s->axis[a] == UINT32_MAX ? NULL
                                                     : ipsf_pack_scale_name(p, s->axis[a]));
    ipsf_buf_puts(b, ", \"levels\": [");
    for (uint32_t l = 0; s->axis[a] != UINT32_MAX && l < s->levels[a]; l++) {
      if (l) ipsf_buf_puts(b, ", ");
      ipsf_buf_json_string(b, level_name(s, a, l));
    }
    ipsf_buf_puts(b, "]}");
  }
  ipsf_buf_puts(b, "],\n");
  jkey(b, 1, "totals");
  ipsf_buf_printf(b, "{\"sheets\": %zu, \"records\": %zu, \"errors\": %zu, \"unmet\": %zu},\n",
                  c->sheets, c->records, c->errors, c->unmet);
  jkey(b, 1, "limits");
  ipsf_buf_printf(b, "{\"devices_per_cell\": %u, \"errors\": %u},\n", REPORT_DEVICES,
                  REPORT_ERRORS);
  json_cells(b, s);
  json_requirements(b, s);
  json_errors(b, s);
  ipsf_buf_puts(b, "}\n");
}

/* ---- HTML -------------------------------------------------------------------------- */

static void html(IpsfBuf *b, const char *s) { ipsf_escape_html(b, s); }

/* JSON text inside <script>: <, >, & as \u escapes (they occur only in
 * strings), so that "</script>" or "<!--" in data cannot end the element. */
static void script_json(IpsfBuf *b, const char *json, size_t len) {
  for (size_t i = 0; i < len; i++) {
    char c = json[i];
    if (c == '<') ipsf_buf_puts(b, "\\u003c");
    else if (c == '>') ipsf_buf_puts(b, "\\u003e");
    else if (c == '&') ipsf_buf_puts(b, "\\u0026");
    else ipsf_buf_put(b, &c, 1);
  }
}

static const char css[] =
    "body{font:15px/1.45 system-ui,sans-serif;margin:2em auto;max-width:72em;padding:0 1em;"
    "color:#222}\n"
    "h1{font-size:1.5em;margin-bottom:.2em}h2{font-size:1.2em;margin-top:2em}\n"
    "table{border-collapse:collapse;margin:.5em 0}\n"
    "th,td{border:1px solid #ccc;padding:.25em .6em;text-align:left;vertical-align:top}\n"
    "td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}\n"
    "table.heat td.cell{width:7em;height:4.5em;text-align:center;vertical-align:middle;font-size:1.3em;cursor:pointer}\n"
    "table.heat th{background:none;border:none;font-weight:normal;vertical-align:middle}\n"
    "th{background:#f3f3f3}th button{all:unset;cursor:pointer}\n"
    "th[aria-sort=ascending] button::after{content:\" \\25b2\"}\n"
    "th[aria-sort=descending] button::after{content:\" \\25bc\"}\n"
    ".meta{color:#555}.more{color:#555;font-style:italic}\n"
    "#filter{font:inherit;padding:.2em .4em;width:20em}\n";

/* Sorting (click a column's header) and filtering (a text box) of the
 * device table; the data is read from the table itself. */
static const char script[] =
    "(function(){\n"
    "var t=document.getElementById('devices');if(!t)return;\n"
    "var body=t.tBodies[0],ths=t.tHead.rows[0].cells;\n"
    "function key(r,i,num){var v=r.cells[i].getAttribute('data-v');"
    "if(v===null)v=r.cells[i].textContent;return num?Number(v):v.toLowerCase();}\n"
    "Array.prototype.forEach.call(ths,function(th,i){\n"
    " var b=document.createElement('button');b.textContent=th.textContent;"
    "th.textContent='';th.appendChild(b);\n"
    " b.addEventListener('click',function(){\n"
    "  var up=th.getAttribute('aria-sort')!=='ascending',num=th.classList.contains('n');\n"
    "  Array.prototype.forEach.call(ths,function(o){o.removeAttribute('aria-sort');});\n"
    "  th.setAttribute('aria-sort',up?'ascending':'descending');\n"
    "  var rows=Array.prototype.slice.call(body.rows);\n"
    "  rows.sort(function(a,c){var x=key(a,i,num),y=key(c,i,num);"
    "var d=x<y?-1:x>y?1:Number(a.getAttribute('data-i'))-Number(c.getAttribute('data-i'));"
    "return up?d:-d;});\n"
    "  rows.forEach(function(r){body.appendChild(r);});\n"
    " });\n"
    "});\n"
    "var f=document.getElementById('filter');f.hidden=false;\n"
    "var shown=document.getElementById('shown');\n"
    "function filter(){var q=f.value.toLowerCase(),n=0;\n"
    " Array.prototype.forEach.call(body.rows,function(r){"
    "var ok=r.textContent.toLowerCase().indexOf(q)>=0;r.hidden=!ok;if(ok)n++;});\n"
    " shown.textContent=n+' of '+body.rows.length+' rows shown';}\n"
    "f.addEventListener('input',filter);\n"
    "Array.prototype.forEach.call(document.querySelectorAll('td.cell'),function(c){\n"
    " c.addEventListener('click',function(){f.value=c.getAttribute('data-filter');filter();});});\n"
    "filter();\n"
    "})();\n";

/* Shade of a cell: white to a deep red, by its share of the fullest cell. */
static void heat_style(IpsfBuf *b, size_t n, size_t max) {
  unsigned t = max ? (unsigned)((n * 100 + max - 1) / max) : 0; /* 0..100 */
  unsigned r = 255 - t * (255 - 192) / 100, g = 255 - t * (255 - 57) / 100,
           bl = 255 - t * (255 - 43) / 100;
  ipsf_buf_printf(b, " style=\"background:#%02x%02x%02x%s\"", r, g, bl, t > 55 ? ";color:#fff" : "");
}

static void html_heatmap(IpsfBuf *b, const Summary *s) {
  const IpsfPack *p = s->pack;
  size_t max = 0;
  for (size_t c = 0; c < (size_t)s->levels[0] * s->levels[1]; c++)
    if (s->cells[c].records > max) max = s->cells[c].records;
  ipsf_buf_puts(b, "<h2 id=\"matrix\">Category matrix</h2>\n<table class=\"heat\" id=\"heatmap\">\n");
  /* axis 1 up the side: its highest level on top */
  for (uint32_t k = s->levels[0]; k-- > 0;) {
    ipsf_buf_puts(b, "<tr><th scope=\"row\">");
    html(b, level_name(s, 0, k));
    ipsf_buf_puts(b, "</th>");
    for (uint32_t j = 0; j < s->levels[1]; j++) {
      const Cell *c = &s->cells[k * s->levels[1] + j];
      ipsf_buf_puts(b, "<td class=\"cell\" data-axis1=\"");
      html(b, level_name(s, 0, k));
      ipsf_buf_puts(b, "\" data-axis2=\"");
      html(b, level_name(s, 1, j));
      ipsf_buf_puts(b, "\" data-filter=\"");
      html(b, level_name(s, 0, k));
      ipsf_buf_puts(b, " / ");
      html(b, level_name(s, 1, j));
      ipsf_buf_printf(b, "\" data-count=\"%zu\"", c->records);
      heat_style(b, c->records, max);
      ipsf_buf_printf(b, ">%zu</td>", c->records);
    }
    ipsf_buf_puts(b, "</tr>\n");
  }
  ipsf_buf_puts(b, "<tr><th></th>");
  for (uint32_t j = 0; j < s->levels[1]; j++) {
    ipsf_buf_puts(b, "<th scope=\"col\">");
    html(b, level_name(s, 1, j));
    ipsf_buf_puts(b, "</th>");
  }
  ipsf_buf_puts(b, "</tr>\n</table>\n<p class=\"meta\">Rows: ");
  html(b, s->axis[0] == UINT32_MAX ? "(no axis 1)" : ipsf_pack_scale_name(p, s->axis[0]));
  ipsf_buf_puts(b, " (axis 1, highest on top); columns: ");
  html(b, s->axis[1] == UINT32_MAX ? "(no axis 2)" : ipsf_pack_scale_name(p, s->axis[1]));
  ipsf_buf_puts(b, " (axis 2). A number is the count of (device, profile) records in the cell;"
                   " click a cell to filter the device table.</p>\n");
}

static void html_tally_cells(IpsfBuf *b, const Tally *t, bool comp) {
  ipsf_buf_printf(b, "<td class=\"n\">%zu</td><td class=\"n\">%zu</td><td class=\"n\">%zu</td>"
                     "<td class=\"n\">%zu</td><td class=\"n\">%zu</td>",
                  t->n[IPSF_MET], t->n[IPSF_UNMET], t->n[IPSF_EXPIRED], t->n[IPSF_UNKNOWN],
                  t->n[IPSF_NOT_APPLICABLE]);
  if (comp) ipsf_buf_printf(b, "<td class=\"n\">%zu</td>", t->n[IPSF_COMPENSATED]);
}

static void html_requirements(IpsfBuf *b, const Summary *s) {
  const IpsfPack *p = s->pack;
  static const char head[] =
      "<th class=\"n\">met</th><th class=\"n\">unmet</th><th class=\"n\">expired</th>"
      "<th class=\"n\">unknown</th>"
      "<th class=\"n\">not applicable</th>";
  const char *tail = s->compensations ? "<th class=\"n\">compensated</th></tr></thead>\n<tbody>\n"
                                      : "</tr></thead>\n<tbody>\n";
  ipsf_buf_puts(b, "<h2 id=\"reqs\">Requirements</h2>\n<table id=\"requirements\"><thead><tr>"
                   "<th>id</th><th>title</th><th>viewpoint</th>");
  ipsf_buf_puts(b, head);
  ipsf_buf_puts(b, tail);
  for (uint32_t q = 0; q < ipsf_pack_requirement_count(p); q++) {
    ipsf_buf_puts(b, "<tr><td>");
    html(b, ipsf_pack_requirement_id(p, q));
    ipsf_buf_puts(b, "</td><td>");
    html(b, ipsf_pack_requirement_title(p, q));
    ipsf_buf_puts(b, "</td><td>");
    html(b, ipsf_pack_viewpoint_name(p, ipsf_pack_requirement_viewpoint(p, q)));
    ipsf_buf_puts(b, "</td>");
    html_tally_cells(b, &s->req[q], s->compensations);
    ipsf_buf_puts(b, "</tr>\n");
  }
  ipsf_buf_puts(b, "</tbody></table>\n<h2 id=\"vps\">Viewpoints</h2>\n"
                   "<table id=\"viewpoints\"><thead><tr><th>viewpoint</th>");
  ipsf_buf_puts(b, head);
  ipsf_buf_puts(b, tail);
  for (uint32_t v = 0; v < ipsf_pack_viewpoint_count(p); v++) {
    Tally t = viewpoint_tally(s, v);
    ipsf_buf_puts(b, "<tr><td>");
    html(b, ipsf_pack_viewpoint_name(p, v));
    ipsf_buf_puts(b, "</td>");
    html_tally_cells(b, &t, s->compensations);
    ipsf_buf_puts(b, "</tr>\n");
  }
  ipsf_buf_puts(b, "</tbody></table>\n");
}

static void html_source(IpsfBuf *b, const char *sheet, uint64_t line) {
  html(b, sheet ? sheet : "");
  if (line) ipsf_buf_printf(b, ":%llu", (unsigned long long)line);
}

static void html_devices(IpsfBuf *b, const Summary *s) {
  ipsf_buf_printf(b, "<h2 id=\"devs\">Devices by cell</h2>\n<p class=\"meta\">The first %u "
                     "records of each cell, in input order.</p>\n"
                     "<p><input id=\"filter\" type=\"search\" placeholder=\"filter rows\" "
                     "aria-label=\"filter rows\" hidden> <span id=\"shown\" class=\"meta\">"
                     "</span></p>\n<table id=\"devices\"><thead><tr><th>device</th>"
                     "<th>profile</th><th>cell</th><th class=\"n\">unmet</th>"
                     "<th class=\"n\">unknown</th><th>source</th></tr></thead>\n<tbody>\n",
                  REPORT_DEVICES);
  size_t row = 0;
  for (uint32_t i = 0; i < s->levels[0]; i++)
    for (uint32_t j = 0; j < s->levels[1]; j++) {
      const Cell *c = &s->cells[i * s->levels[1] + j];
      for (size_t k = 0; k < c->nlisted; k++) {
        const Listed *l = &c->listed[k];
        ipsf_buf_printf(b, "<tr data-i=\"%zu\"><td>", row++);
        html(b, l->device ? l->device : "");
        ipsf_buf_puts(b, "</td><td>");
        html(b, l->profile ? l->profile : "");
        ipsf_buf_puts(b, "</td><td>");
        html(b, level_name(s, 0, i));
        ipsf_buf_puts(b, " / ");
        html(b, level_name(s, 1, j));
        ipsf_buf_printf(b, "</td><td class=\"n\">%u</td><td class=\"n\">%u</td><td>", l->unmet,
                        l->unknown);
        html_source(b, l->sheet, l->line);
        ipsf_buf_puts(b, "</td></tr>\n");
      }
    }
  ipsf_buf_puts(b, "</tbody></table>\n");
  for (uint32_t i = 0; i < s->levels[0]; i++)
    for (uint32_t j = 0; j < s->levels[1]; j++) {
      const Cell *c = &s->cells[i * s->levels[1] + j];
      if (c->records == c->nlisted) continue;
      ipsf_buf_puts(b, "<p class=\"more\">");
      html(b, level_name(s, 0, i));
      ipsf_buf_puts(b, " / ");
      html(b, level_name(s, 1, j));
      ipsf_buf_printf(b, ": and %zu more records not listed</p>\n", c->records - c->nlisted);
    }
}

static void html_errors(IpsfBuf *b, const Summary *s, const IpsfRunCounts *c) {
  ipsf_buf_printf(b, "<h2 id=\"errs\">Error records</h2>\n<p class=\"meta\">%zu error "
                     "record%s.</p>\n",
                  c->errors, c->errors == 1 ? "" : "s");
  if (!s->nerrors) return;
  ipsf_buf_puts(b, "<table id=\"errors\"><thead><tr><th>source</th><th>device</th>"
                   "<th>profile</th><th>kind</th><th>message</th></tr></thead>\n<tbody>\n");
  for (size_t i = 0; i < s->nerrors; i++) {
    const ErrRec *e = &s->errors[i];
    ipsf_buf_puts(b, "<tr><td>");
    html_source(b, e->sheet, e->line);
    ipsf_buf_puts(b, "</td><td>");
    html(b, e->device);
    ipsf_buf_puts(b, "</td><td>");
    html(b, e->profile);
    ipsf_buf_puts(b, "</td><td>");
    html(b, ipsf_error_kind_name(e->kind));
    ipsf_buf_puts(b, "</td><td>");
    html(b, e->message);
    ipsf_buf_puts(b, "</td></tr>\n");
  }
  ipsf_buf_puts(b, "</tbody></table>\n");
  if (s->errors_more)
    ipsf_buf_printf(b, "<p class=\"more\">and %zu more error records not listed</p>\n",
                    s->errors_more);
}

static void write_html(IpsfBuf *b, const Summary *s, const IpsfRunCounts *c, const IpsfBuf *json) {
  const IpsfPack *p = s->pack;
  char hex[65];
  digest_hex(p, hex);
  ipsf_buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                   "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                   "<title>Fleet report: ");
  html(b, ipsf_pack_name(p));
  ipsf_buf_puts(b, "</title>\n<style>\n");
  ipsf_buf_puts(b, css);
  ipsf_buf_puts(b, "</style>\n</head>\n<body>\n<h1>Fleet report: ");
  html(b, ipsf_pack_name(p));
  ipsf_buf_puts(b, " ");
  html(b, ipsf_pack_version(p));
  ipsf_buf_printf(b, "</h1>\n<p class=\"meta\">pack digest sha256:%s</p>\n", hex);
  ipsf_buf_printf(b, "<p id=\"totals\">%zu sheets, %zu records evaluated, %zu error records, "
                     "%zu requirements not shown met.</p>\n",
                  c->sheets, c->records, c->errors, c->unmet);
  html_heatmap(b, s);
  html_requirements(b, s);
  html_devices(b, s);
  html_errors(b, s, c);
  ipsf_buf_puts(b, "<script type=\"application/json\" id=\"report-data\">");
  script_json(b, json->data ? json->data : "", json->len);
  ipsf_buf_puts(b, "</script>\n<script>\n");
  ipsf_buf_puts(b, script);
  ipsf_buf_puts(b, "</script>\n</body>\n</html>\n");
}

/* ---- the verb ------------------------------------------------------------------------ */

typedef struct {
  EvalRun run;
  const char *output; /* -o FILE, or NULL */
  bool json;          /* --format json */
} Report;

enum { OPT_FORMAT = EVAL_OPT_END, OPT_OUTPUT };

static int parse_options(Report *r, int argc, char **argv) {
  enum { SHARED = 16 };
  static const struct option own[] = {{"format", required_argument, 0, OPT_FORMAT},
                                      {"output", required_argument, 0, 'o'},
                                      {"help", no_argument, 0, 'h'},
                                      {0, 0, 0, 0}};
  struct option opts[SHARED + sizeof own / sizeof own[0]];
  size_t n = 0;
  while (eval_shared_options[n].name && n < SHARED) n++;
  memcpy(opts, eval_shared_options, n * sizeof opts[0]);
  memcpy(opts + n, own, sizeof own);
  eval_options_init(&r->run);
  int c, status = EXIT_OK;
  optind = 0;
  opterr = 0;
  while (status == EXIT_OK && (c = getopt_long(argc, argv, ":o:I:h", opts, NULL)) != -1) {
    switch (c) {
    case OPT_FORMAT:
      if (strcmp(optarg, "json") == 0) r->json = true;
      else if (strcmp(optarg, "html") == 0) r->json = false;
      else status = cli_usage("report", "unknown format '%s' (html, json)", optarg);
      break;
    case 'o': r->output = optarg; break;
    case 'h': cli_help(help); return -1;
    case ':': status = cli_usage("report", "%s needs an argument", argv[optind - 1]); break;
    case '?': status = cli_usage("report", "unknown option '%s'", argv[optind - 1]); break;
    default:
      status = eval_shared_option(&r->run, "report", c, optarg);
      if (status == EVAL_OPT_NOT_SHARED)
        status = cli_usage("report", "unknown option '%s'", argv[optind - 1]);
    }
  }
  if (status == EXIT_OK && argc - optind < 2)
    status = cli_usage("report", "expected a PACK and at least one SHEET");
  return status;
}

/* The summary's bytes, written to -o FILE (whole or not at all) or stdout. */
static int emit(Report *r, const Summary *s, int status) {
  IpsfBuf json, page;
  ipsf_buf_init(&json);
  ipsf_buf_init(&page);
  write_json(&json, s, &r->run.total);
  if (!r->json) write_html(&page, s, &r->run.total, &json);
  const IpsfBuf *out = r->json ? &json : &page;
  if (json.failed || page.failed) {
    fprintf(stderr, "ipsfc report: out of memory\n");
    status = EXIT_INTERNAL;
  } else if (!r->output) {
    fwrite(out->data, 1, out->len, stdout);
  } else if (!cli_write_file("report", r->output, out->data, out->len, 0666, false)) {
    status = EXIT_INTERNAL; /* eval's code for output that cannot be written */
  }
  ipsf_buf_free(&json);
  ipsf_buf_free(&page);
  return status;
}

static int run_report(Report *r, const IpsfPack *pack, int nsheets, char **sheets) {
  Summary s;
  if (!summary_init(&s, pack)) {
    summary_free(&s);
    cli_error("report", "out of memory");
    return EXIT_INTERNAL;
  }
  IpsfRunnerOptions o = {.format = IPSF_RECORDS_NONE, .write = on_records, .user = &s};
  eval_runner_options(&r->run, &o);
  IpsfError err = {0};
  r->run.runner = ipsf_runner_new(pack, &o, &err);
  if (!r->run.runner) {
    summary_free(&s);
    cli_error("report", "%s", err.message);
    return EXIT_INTERNAL;
  }
  for (int i = 0; i < nsheets && ipsf_runner_path(r->run.runner, sheets[i]); i++) continue;
  ipsf_runner_finish(r->run.runner, NULL);
  eval_runner_done(&r->run, "report");
  if (s.nomem) {
    cli_error("report", "out of memory");
    r->run.out.write_failed = true;
  }
  ipsf_runner_free(r->run.runner);
  r->run.runner = NULL;
  int status = eval_exit_code(&r->run);
  /* Stopped by a signal or out of memory: no report, rather than a partial
   * one that would pass for the fleet. */
  if (!eval_stop_signal() && !r->run.out.write_failed) status = emit(r, &s, status);
  summary_free(&s);
  return status;
}

static int report_main(Report *r, int argc, char **argv) {
  int status = parse_options(r, argc, argv);
  if (status != EXIT_OK) {
    strlist_free(&r->run.import_dirs);
    strlist_free(&r->run.allow_native);
    return status < 0 ? EXIT_OK : status;
  }
  IpsfPack *pack = eval_open_pack(&r->run, "report", argv[optind], &status);
  if (!pack) return status;
  if (!eval_stop_signal()) status = run_report(r, pack, argc - optind - 1, argv + optind + 1);
  ipsf_pack_free(pack);
  return status;
}

int cmd_report(int argc, char **argv) {
  struct sigaction old[2];
  eval_catch_stop_signals(old);
  Report r;
  memset(&r, 0, sizeof r);
  int status = report_main(&r, argc, argv);
  eval_restore_stop_signals(old);
  int sig = eval_stop_signal();
  if (sig && status != EXIT_INTERNAL) {
    fprintf(stderr, "ipsfc report: stopped by %s; no report written\n",
            sig == SIGINT ? "SIGINT" : "SIGTERM");
    status = 128 + sig;
  }
  return status;
}
