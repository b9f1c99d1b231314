/*
 * doc_html.c -- the guideline as one self-contained HTML page (doc.h).
 *
 * INVARIANTS.  Every string of the model (the pack's, a sheet's, a file
 * path) reaches the page only through esc(): & < > " ' become entities and
 * control characters are dropped, so no text of a pack can open an element,
 * an attribute or a script.  The page needs nothing else: inline CSS, the
 * category matrix as inline SVG, no script, no external resource.  Output
 * depends only on the model (no time, no locale: numbers are integers or
 * printed with explicit formats), so the same pack gives the same bytes.
 *
 * The figure: axis 1 levels up the side (lowest at the bottom), axis 2
 * along the bottom (lowest at the left), one <g class="cell"> per cell
 * shaded by how much is required there (requirements that always apply
 * count 1, those that may apply 1/2, over all requirements), the devices
 * as <g class="device"> points with their labels, one column inside their
 * cell in the model's order; a cell with more than seven shows six and
 * "+N more" (the others stay in the DOM, hidden; the devices table lists
 * every one).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doc.h"
#include "escape.h"

/* Everything from a pack or a sheet goes through escape.c's one HTML escaper. */
static void esc(IpsfBuf *b, const char *s) { ipsf_escape_html(b, s); }

/* <td>text</td>, "-" for none */
static void td(IpsfBuf *b, const char *s) {
  ipsf_buf_puts(b, "<td>");
  esc(b, s && *s ? s : "-");
  ipsf_buf_puts(b, "</td>");
}

static void td_code(IpsfBuf *b, const char *s) {
  if (!s || !*s) {
    td(b, s);
    return;
  }
  ipsf_buf_puts(b, "<td><code>");
  esc(b, s);
  ipsf_buf_puts(b, "</code></td>");
}

static const char css[] =
    "body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;"
    "color:#1b1f24;line-height:1.4}\n"
    "h1{margin-bottom:.2em}h2{border-bottom:1px solid #ccd;padding-bottom:.2em;margin-top:2em}\n"
    "table{border-collapse:collapse;margin:.6em 0 1.2em;width:100%}\n"
    "th,td{border:1px solid #ccd;padding:.3em .5em;text-align:left;vertical-align:top}\n"
    "th{background:#eef1f6}code{font-family:ui-monospace,monospace;font-size:.92em}\n"
    "dl.header{display:grid;grid-template-columns:max-content auto;gap:.2em 1em}\n"
    "dl.header dt{font-weight:600}dl.header dd{margin:0;overflow-wrap:anywhere}\n"
    ".note{background:#fff8e0;border:1px solid #e5c46b;padding:.5em .8em}\n"
    "figure{margin:1em 0}figcaption{font-size:.9em;color:#555}\n"
    "svg text{font-family:system-ui,sans-serif}\n"
    ".missing{color:#a00;font-weight:600}\n"
    "table.cell-reqs{table-layout:fixed}.cell-reqs th:nth-child(1){width:14%}\n"
    ".cell-reqs th:nth-child(2){width:30%}.cell-reqs th:nth-child(3){width:24%}\n"
    "caption{text-align:left;font-style:italic;padding:.2em 0}\n";

/* ---- the figure ----------------------------------------------------------------- */

enum { CELL_W = 260, CELL_H = 150, LEFT = 130, TOP = 20, BOTTOM = 70, ROWS = 7 };

/* Shade: 0..1000 of how much is required, to a blue from light to dark. */
static void cell_fill(int permille, char out[8]) {
  int lo[3] = {0xf4, 0xf8, 0xfc}, hi[3] = {0x1f, 0x4e, 0x8c}, c[3];
  for (int i = 0; i < 3; i++) c[i] = lo[i] + (hi[i] - lo[i]) * permille / 1000;
  snprintf(out, 8, "#%02x%02x%02x", c[0], c[1], c[2]);
}

static void figure(const DocModel *m, IpsfBuf *b) {
  uint32_t n1 = m->level_count[0], n2 = m->level_count[1];
  int w = LEFT + (int)n2 * CELL_W + 20, h = TOP + (int)n1 * CELL_H + BOTTOM;
  ipsf_buf_printf(b,
                  "<figure id=\"matrix\"><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
                  "height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"category matrix\">\n",
                  w, h, w, h);
  for (uint32_t l1 = 0; l1 < n1; l1++)
    for (uint32_t l2 = 0; l2 < n2; l2++) {
      size_t always, maybe;
      doc_cell_counts(m, l1, l2, &always, &maybe);
      int permille = m->req_count ? (int)((always * 1000 + maybe * 500) / m->req_count) : 0;
      char fill[8];
      cell_fill(permille, fill);
      int x = LEFT + (int)l2 * CELL_W, y = TOP + (int)(n1 - 1 - l1) * CELL_H;
      const char *ink = permille > 550 ? "#ffffff" : "#1b1f24";
      ipsf_buf_printf(b, "<g class=\"cell\" id=\"cell-%u-%u\" data-axis1=\"", l1, l2);
      esc(b, m->levels[0][l1]);
      ipsf_buf_puts(b, "\" data-axis2=\"");
      esc(b, m->levels[1][l2]);
      ipsf_buf_printf(b, "\" data-required=\"%zu\" data-may=\"%zu\">", always, maybe);
      ipsf_buf_printf(b, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\" "
                         "stroke=\"#5a6270\"/>",
                      x, y, CELL_W, CELL_H, fill);
      ipsf_buf_printf(b, "<text class=\"cell-label\" x=\"%d\" y=\"%d\" font-size=\"13\" "
                         "font-weight=\"600\" fill=\"%s\">",
                      x + 8, y + 18, ink);
      esc(b, m->levels[0][l1]);
      ipsf_buf_puts(b, " / ");
      esc(b, m->levels[1][l2]);
      ipsf_buf_printf(b, "</text><text class=\"cell-count\" x=\"%d\" y=\"%d\" font-size=\"11\" "
                         "fill=\"%s\">",
                      x + 8, y + 34, ink);
      if (!m->analysed) ipsf_buf_puts(b, "not analysed");
      else if (m->reachable[(size_t)l1 * n2 + l2] == MX_NEVER) ipsf_buf_puts(b, "no device can be here");
      else ipsf_buf_printf(b, "%zu required, %zu may apply", always, maybe);
      ipsf_buf_puts(b, "</text></g>\n");
    }
  /* axes */
  for (uint32_t l1 = 0; l1 < n1; l1++) {
    ipsf_buf_printf(b, "<text class=\"axis1-level\" x=\"%d\" y=\"%d\" font-size=\"12\" "
                       "text-anchor=\"end\">",
                    LEFT - 8, TOP + (int)(n1 - 1 - l1) * CELL_H + CELL_H / 2);
    esc(b, m->levels[0][l1]);
    ipsf_buf_puts(b, "</text>\n");
  }
  for (uint32_t l2 = 0; l2 < n2; l2++) {
    ipsf_buf_printf(b, "<text class=\"axis2-level\" x=\"%d\" y=\"%d\" font-size=\"12\" "
                       "text-anchor=\"middle\">",
                    LEFT + (int)l2 * CELL_W + CELL_W / 2, TOP + (int)n1 * CELL_H + 18);
    esc(b, m->levels[1][l2]);
    ipsf_buf_puts(b, "</text>\n");
  }
  ipsf_buf_printf(b, "<text x=\"%d\" y=\"%d\" font-size=\"13\" font-weight=\"600\" "
                     "text-anchor=\"middle\">axis 2: ",
                  LEFT + (int)n2 * CELL_W / 2, TOP + (int)n1 * CELL_H + 44);
  esc(b, m->axis_name[1]);
  ipsf_buf_printf(b, " &#8594;</text>\n<text x=\"16\" y=\"%d\" font-size=\"13\" font-weight=\"600\" "
                     "text-anchor=\"middle\" transform=\"rotate(-90 16 %d)\">axis 1: ",
                  TOP + (int)n1 * CELL_H / 2, TOP + (int)n1 * CELL_H / 2);
  esc(b, m->axis_name[0]);
  ipsf_buf_puts(b, " &#8594;</text>\n");
  /* devices: one column under the cell's labels; past ROWS - 1, a "+N
   * more" line (the devices table below lists them all) */
  size_t ncells = (size_t)n1 * n2;
  size_t *used = xcalloc(ncells + 1, sizeof *used), *total = xcalloc(ncells + 1, sizeof *total);
  for (size_t i = 0; i < m->device_count; i++)
    total[(size_t)m->devices[i].level[0] * n2 + m->devices[i].level[1]]++;
  for (size_t i = 0; i < m->device_count; i++) {
    const DocDevice *d = &m->devices[i];
    size_t cell = (size_t)d->level[0] * n2 + d->level[1];
    size_t k = used[cell]++;
    int x = LEFT + (int)d->level[1] * CELL_W + 14;
    int y = TOP + (int)(n1 - 1 - d->level[0]) * CELL_H + 52 + (int)(k < ROWS ? k : ROWS - 1) * 13;
    bool hidden = total[cell] > ROWS && k >= ROWS - 1;
    if (hidden && k == ROWS - 1)
      ipsf_buf_printf(b, "<text class=\"more\" x=\"%d\" y=\"%d\" font-size=\"10\" "
                         "font-style=\"italic\" fill=\"#111\" stroke=\"#fff\" stroke-width=\"2.5\" "
                         "paint-order=\"stroke\">+%zu more (see the table of devices)</text>\n",
                      x + 7, y, total[cell] - (ROWS - 1));
    ipsf_buf_printf(b, "<g class=\"device\" data-source=\"");
    esc(b, d->source);
    ipsf_buf_puts(b, hidden ? "\" data-hidden=\"true\" visibility=\"hidden\"><title>" : "\"><title>");
    esc(b, d->name);
    ipsf_buf_printf(b, "</title><circle cx=\"%d\" cy=\"%d\" r=\"4\" fill=\"%s\" stroke=\"#000\" "
                       "stroke-width=\"0.5\"/><text x=\"%d\" y=\"%d\" font-size=\"10\" "
                       "fill=\"#111\" stroke=\"#fff\" stroke-width=\"2.5\" paint-order=\"stroke\">",
                    x, y - 3, strcmp(d->source, "test") == 0 ? "#f0a030" : "#d03060", x + 7, y);
    /* long names are cut on the figure (the table below has them whole) */
    size_t n = strlen(d->name), cut = n;
    if (n > 40) {
      cut = 38;
      while (cut > 0 && ((unsigned char)d->name[cut] & 0xc0) == 0x80) cut--;
    }
    char part[48];
    memcpy(part, d->name, cut);
    part[cut] = '\0';
    esc(b, part);
    if (cut < n) ipsf_buf_puts(b, "&#8230;");
    ipsf_buf_puts(b, "</text></g>\n");
  }
  free(total);
  free(used);
  ipsf_buf_puts(b, "</svg><figcaption>The category matrix: each cell shaded by how much is "
                   "required there (a requirement that always applies counts one, one that "
                   "may apply a half); <span style=\"color:#f0a030\">&#9679;</span> the pack's "
                   "test devices, <span style=\"color:#d03060\">&#9679;</span> devices of the "
                   "sheets given with --devices.</figcaption></figure>\n");
}

/* ---- sections ----------------------------------------------------------------------- */

static void header(const DocModel *m, IpsfBuf *b) {
  ipsf_buf_puts(b, "<h1>");
  esc(b, m->title ? m->title : m->name);
  ipsf_buf_puts(b, "</h1>\n");
  if (m->description) {
    ipsf_buf_puts(b, "<p>");
    esc(b, m->description);
    ipsf_buf_puts(b, "</p>\n");
  }
  ipsf_buf_puts(b, "<dl class=\"header\" id=\"header\">");
  const char *keys[] = {"pack",   "version",   "authority", "framework",
                        "digest", "signature", "key id",    "made from"};
  const char *vals[] = {m->name, m->version, m->authority, m->framework, m->digest, m->signature,
                        m->key_id, m->input};
  for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
    if (!vals[i]) continue;
    ipsf_buf_printf(b, "<dt>%s</dt><dd>", keys[i]);
    esc(b, vals[i]);
    ipsf_buf_puts(b, "</dd>");
  }
  ipsf_buf_puts(b, "</dl>\n");
  if (!m->from_source)
    ipsf_buf_puts(b, "<p class=\"note\" id=\"omitted\">Made from compiled bytecode: the "
                     "conditions (of rules, applies and confirm lines), <code>unordered</code> "
                     "marks, named types, catalogs the pack does not cite, test devices and "
                     "the per-cell analysis exist only in the source and are omitted. Run "
                     "<code>ipsfc doc</code> on the <code>.ipsf</code> source for the full "
                     "guideline.</p>\n");
}

/* <tr data-req=ID data-applies=always|depends|unknown data-lines="..."
 * data-exact=...>: the analysis as data, for tools (and the test that
 * checks it against eval, tests/golden/doc/check_cells.py); data-lines
 * are the confirm lines that can be chosen, "\t"-separated. */
static void row_data(const DocModel *m, size_t cell, size_t r, IpsfBuf *b) {
  static const char *const applies[] = {"never", "always", "depends", "unknown"};
  const MatrixReq *x = &m->cells[cell * m->req_count + r];
  ipsf_buf_puts(b, "<tr data-req=\"");
  esc(b, m->reqs[r].id);
  ipsf_buf_printf(b, "\" data-applies=\"%s\" data-exact=\"%s\" data-lines=\"",
                  applies[x->applies < 4 ? x->applies : 3], x->lines_exact ? "true" : "false");
  bool first = true;
  for (size_t k = 0; k < m->reqs[r].confirm_count && k < 64; k++)
    if (x->lines >> k & 1u) {
      if (!first) ipsf_buf_puts(b, "&#9;");
      esc(b, m->reqs[r].confirms[k].text);
      first = false;
    }
  ipsf_buf_puts(b, "\">");
}

static void per_cell(const DocModel *m, IpsfBuf *b) {
  ipsf_buf_puts(b, "<h2 id=\"cells\">What each cell requires</h2>\n");
  if (!m->analysed) {
    ipsf_buf_puts(b, "<p>Not available: the analysis needs the source.</p>\n");
    return;
  }
  ipsf_buf_puts(b, "<p>Computed by the static analysis of <code>ipsfc check</code>, exactly "
                   "(not by sampling): \"depends on\" names what decides: the facts, "
                   "lets, fns and scales (with the facts they read) of the conditions, the two "
                   "axes aside.</p>\n");
  IpsfBuf ap, me;
  ipsf_buf_init(&ap);
  ipsf_buf_init(&me);
  for (uint32_t l1 = m->level_count[0]; l1-- > 0;)
    for (uint32_t l2 = 0; l2 < m->level_count[1]; l2++) {
      size_t cell = (size_t)l1 * m->level_count[1] + l2;
      ipsf_buf_printf(b, "<h3 id=\"req-cell-%u-%u\">", l1, l2);
      esc(b, m->axis_name[0]);
      ipsf_buf_puts(b, " ");
      esc(b, m->levels[0][l1]);
      ipsf_buf_puts(b, ", ");
      esc(b, m->axis_name[1]);
      ipsf_buf_puts(b, " ");
      esc(b, m->levels[1][l2]);
      ipsf_buf_puts(b, "</h3>\n");
      if (m->reachable[cell] == MX_NEVER) {
        ipsf_buf_puts(b, "<p>No input reaches this cell.</p>\n");
        continue;
      }
      for (size_t v = 0; v < m->viewpoint_count; v++) {
        bool any = false;
        for (size_t r = 0; r < m->req_count; r++) {
          if (strcmp(m->reqs[r].viewpoint, m->viewpoints[v]) != 0 ||
              m->cells[cell * m->req_count + r].applies == MX_NEVER)
            continue;
          if (!any) {
            ipsf_buf_puts(b, "<table class=\"cell-reqs\"><caption>viewpoint ");
            esc(b, m->viewpoints[v]);
            ipsf_buf_puts(b, "</caption><tr><th>requirement</th><th>title</th><th>applies</th>"
                             "<th>confirmation</th></tr>\n");
            any = true;
          }
          ap.len = me.len = 0;
          if (ap.data) ap.data[0] = '\0';
          if (me.data) me.data[0] = '\0';
          doc_cell_texts(m, cell, r, &ap, &me);
          row_data(m, cell, r, b);
          td(b, m->reqs[r].id);
          td(b, m->reqs[r].title);
          td(b, ap.data);
          td(b, me.data);
          ipsf_buf_puts(b, "</tr>\n");
        }
        if (any) ipsf_buf_puts(b, "</table>\n");
      }
    }
  ipsf_buf_free(&ap);
  ipsf_buf_free(&me);
}

static void facts_types(const DocModel *m, IpsfBuf *b) {
  ipsf_buf_puts(b, "<h2 id=\"facts\">Facts</h2>\n<table id=\"facts-table\"><tr><th>fact</th>"
                   "<th>type</th><th>values (in order)</th><th>default</th><th>doc</th></tr>\n");
  for (size_t i = 0; i < m->fact_count; i++) {
    const DocFact *f = &m->facts[i];
    ipsf_buf_puts(b, "<tr>");
    td_code(b, f->name);
    ipsf_buf_puts(b, "<td><code>");
    esc(b, f->type);
    ipsf_buf_puts(b, "</code>");
    if (f->unordered) ipsf_buf_puts(b, " <em>unordered</em>");
    if (f->likelihood) ipsf_buf_puts(b, " <em>likelihood</em>");
    ipsf_buf_puts(b, "</td><td>");
    for (size_t k = 0; k < f->value_count; k++) {
      ipsf_buf_puts(b, k ? ", <code>" : "<code>");
      esc(b, f->values[k]);
      ipsf_buf_puts(b, "</code>");
    }
    ipsf_buf_puts(b, f->value_count ? "</td>" : "-</td>");
    if (f->deflt) td_code(b, f->deflt);
    else ipsf_buf_puts(b, "<td><em>required</em></td>");
    td(b, f->doc);
    ipsf_buf_puts(b, "</tr>\n");
  }
  ipsf_buf_puts(b, "</table>\n<h2 id=\"types\">Named types</h2>\n<table id=\"types-table\">"
                   "<tr><th>type</th><th>kind</th><th>values (lowest first)</th></tr>\n");
  for (size_t i = 0; i < m->type_count; i++) {
    const DocType *t = &m->types[i];
    ipsf_buf_puts(b, "<tr>");
    td_code(b, t->name);
    td(b, t->kind);
    ipsf_buf_puts(b, "<td>");
    for (size_t k = 0; k < t->value_count; k++) {
      ipsf_buf_puts(b, k ? ", <code>" : "<code>");
      esc(b, t->values[k]);
      ipsf_buf_puts(b, "</code>");
    }
    ipsf_buf_puts(b, "</td></tr>\n");
  }
  ipsf_buf_puts(b, "</table>\n");
}

/* The usage profiles the pack declares: only when it declares some. */
static void profiles(const DocModel *m, IpsfBuf *b) {
  if (!m->profile_count) return;
  ipsf_buf_puts(b, "<h2 id=\"profiles\">Usage profiles</h2>\n<p>A sheet lists the profiles it is "
                   "used under; each is evaluated on its own, with what the profile sets and "
                   "allows.</p>\n<table id=\"profiles-table\"><tr><th>profile</th><th>title</th>"
                   "<th>sets and allows</th><th>doc</th></tr>\n");
  for (size_t i = 0; i < m->profile_count; i++) {
    const DocProfile *p = &m->profiles[i];
    ipsf_buf_puts(b, "<tr>");
    td_code(b, p->name);
    td(b, p->title);
    ipsf_buf_puts(b, "<td>");
    for (size_t k = 0; k < p->item_count; k++) {
      ipsf_buf_puts(b, k ? "<br><code>" : "<code>");
      esc(b, p->items[k]);
      ipsf_buf_puts(b, "</code>");
    }
    ipsf_buf_puts(b, p->item_count ? "</td>" : "-</td>");
    td(b, p->doc);
    ipsf_buf_puts(b, "</tr>\n");
  }
  ipsf_buf_puts(b, "</table>\n");
}

static void rules(const DocModel *m, IpsfBuf *b) {
  ipsf_buf_puts(b, "<h2 id=\"rules\">Decision tables</h2>\n");
  for (size_t i = 0; i < m->block_count; i++) {
    const DocRules *r = &m->blocks[i];
    if (!r->rule_count && !r->otherwise) continue;
    ipsf_buf_puts(b, "<h3>");
    esc(b, r->scale);
    if (r->axis) ipsf_buf_printf(b, " (axis %d)", r->axis);
    ipsf_buf_puts(b, "</h3>\n<p>Hit policy <strong>");
    esc(b, r->policy);
    ipsf_buf_puts(b, "</strong>");
    if (r->otherwise) {
      ipsf_buf_puts(b, "; otherwise <code>");
      esc(b, r->otherwise);
      ipsf_buf_puts(b, "</code>");
    }
    ipsf_buf_puts(b, ".</p>\n<table class=\"decision\"><tr><th>#</th><th>level</th>"
                     "<th>condition</th><th>because</th><th>source</th></tr>\n");
    for (size_t k = 0; k < r->rule_count; k++) {
      const DocRule *ru = &r->rules[k];
      ipsf_buf_printf(b, "<tr><td>%zu</td>", k + 1);
      td_code(b, ru->level);
      if (ru->cond) td_code(b, ru->cond);
      else ipsf_buf_puts(b, "<td><em>omitted (bytecode)</em></td>");
      td(b, ru->because);
      td(b, ru->at);
      ipsf_buf_puts(b, "</tr>\n");
    }
    ipsf_buf_puts(b, "</table>\n");
  }
}

static void requirements(const DocModel *m, IpsfBuf *b) {
  ipsf_buf_puts(b, "<h2 id=\"requirements\">Requirements</h2>\n<table id=\"requirements-table\">"
                   "<tr><th>id</th><th>title</th><th>viewpoint</th><th>applies when</th>"
                   "<th>confirm</th><th>party and basis</th><th>refs</th></tr>\n");
  for (size_t i = 0; i < m->req_count; i++) {
    const DocReq *r = &m->reqs[i];
    ipsf_buf_puts(b, "<tr>");
    td(b, r->id);
    ipsf_buf_puts(b, "<td>");
    esc(b, r->title);
    if (r->doc) {
      ipsf_buf_puts(b, "<br><small>");
      esc(b, r->doc);
      ipsf_buf_puts(b, "</small>");
    }
    ipsf_buf_puts(b, "</td>");
    td(b, r->viewpoint);
    if (!m->from_source) ipsf_buf_puts(b, "<td><em>omitted (bytecode)</em></td>");
    else td_code(b, r->applies ? r->applies : "always");
    ipsf_buf_puts(b, "<td><ul>");
    for (size_t k = 0; k < r->confirm_count; k++) {
      ipsf_buf_puts(b, "<li>");
      esc(b, r->confirms[k].text);
      if (r->confirms[k].when) {
        ipsf_buf_puts(b, " when <code>");
        esc(b, r->confirms[k].when);
        ipsf_buf_puts(b, "</code>");
      }
      ipsf_buf_puts(b, "</li>");
    }
    ipsf_buf_puts(b, "</ul></td>");
    td(b, r->party);
    ipsf_buf_puts(b, "<td><ul>");
    for (size_t k = 0; k < r->ref_count; k++) {
      const DocRef *f = &r->refs[k];
      ipsf_buf_puts(b, "<li>");
      if (f->clause) {
        ipsf_buf_puts(b, "clause ");
        esc(b, f->clause);
        ipsf_buf_puts(b, ": ");
        esc(b, f->title);
        ipsf_buf_puts(b, " (");
        esc(b, f->status);
        ipsf_buf_puts(b, ")<br><small>");
        esc(b, f->text);
        ipsf_buf_puts(b, "</small>");
      } else {
        esc(b, f->text);
      }
      ipsf_buf_puts(b, "</li>");
    }
    ipsf_buf_puts(b, "</ul></td></tr>\n");
  }
  ipsf_buf_puts(b, "</table>\n");
}

static void traceability(const DocModel *m, IpsfBuf *b) {
  ipsf_buf_puts(b, "<h2 id=\"traceability\">Traceability</h2>\n");
  if (!m->from_source && !m->catalog_count) {
    ipsf_buf_puts(b, "<p>The compiled pack keeps no catalog: it cites none.</p>\n");
    return;
  }
  if (!m->from_source)
    ipsf_buf_puts(b, "<p>From the compiled pack: the catalogs it cites (a catalog imported but "
                     "never cited is listed only from the source).</p>\n");
  if (!m->catalog_count) ipsf_buf_puts(b, "<p>The pack imports no catalog.</p>\n");
  for (size_t i = 0; i < m->catalog_count; i++) {
    const DocCatalog *c = &m->catalogs[i];
    ipsf_buf_puts(b, "<h3>");
    esc(b, c->title);
    ipsf_buf_puts(b, " ");
    esc(b, c->version);
    ipsf_buf_puts(b, "</h3>\n<table class=\"trace\"><tr><th>provision</th><th>clause</th>"
                     "<th>title</th><th>status</th><th>referenced by</th></tr>\n");
    size_t missing = 0;
    for (size_t k = 0; k < c->provision_count; k++) {
      const DocProvision *p = &c->provisions[k];
      ipsf_buf_puts(b, "<tr>");
      td_code(b, p->id);
      td(b, p->clause);
      td(b, p->title);
      td(b, p->status);
      ipsf_buf_puts(b, "<td>");
      for (size_t r = 0; r < p->by_count; r++) {
        if (r) ipsf_buf_puts(b, ", ");
        esc(b, p->by[r]);
      }
      if (!p->by_count && p->status && strcmp(p->status, "mandatory") == 0) {
        ipsf_buf_puts(b, "<span class=\"missing\">none (mandatory)</span>");
        missing++;
      } else if (!p->by_count) {
        ipsf_buf_puts(b, "-");
      }
      if (p->deemed) {
        ipsf_buf_puts(b, "<br><small>deemed through ");
        esc(b, p->deemed);
        ipsf_buf_puts(b, " (satisfied_by)</small>");
      }
      ipsf_buf_puts(b, "</td></tr>\n");
    }
    ipsf_buf_printf(b, "</table>\n<p>%zu mandatory provision%s referenced by no requirement.</p>\n",
                    missing, missing == 1 ? "" : "s");
  }
}

static void devices(const DocModel *m, IpsfBuf *b) {
  ipsf_buf_puts(b, "<h2 id=\"devices\">Devices on the matrix</h2>\n");
  if (m->devices_note) {
    ipsf_buf_puts(b, "<p class=\"note\">");
    esc(b, m->devices_note);
    ipsf_buf_puts(b, "</p>\n");
  }
  if (!m->device_count) {
    ipsf_buf_puts(b, "<p>None.</p>\n");
    return;
  }
  ipsf_buf_puts(b, "<table id=\"devices-table\"><tr><th>device</th><th>from</th><th>");
  esc(b, m->axis_name[0]);
  ipsf_buf_puts(b, "</th><th>");
  esc(b, m->axis_name[1]);
  ipsf_buf_puts(b, "</th></tr>\n");
  for (size_t i = 0; i < m->device_count; i++) {
    const DocDevice *d = &m->devices[i];
    ipsf_buf_puts(b, "<tr>");
    td(b, d->name);
    td(b, d->source);
    td(b, m->levels[0][d->level[0]]);
    td(b, m->levels[1][d->level[1]]);
    ipsf_buf_puts(b, "</tr>\n");
  }
  ipsf_buf_puts(b, "</table>\n");
}

void doc_html(const DocModel *m, IpsfBuf *b) {
  ipsf_buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                   "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                   "<title>");
  esc(b, m->title ? m->title : m->name);
  ipsf_buf_puts(b, " ");
  esc(b, m->version);
  ipsf_buf_printf(b, "</title>\n<style>\n%s</style>\n</head>\n<body>\n", css);
  header(m, b);
  if (m->has_matrix) {
    ipsf_buf_puts(b, "<h2 id=\"matrix-title\">Category matrix</h2>\n");
    figure(m, b);
  }
  per_cell(m, b);
  requirements(m, b);
  rules(m, b);
  facts_types(m, b);
  profiles(m, b);
  traceability(m, b);
  devices(m, b);
  ipsf_buf_puts(b, "<footer><p><small>Generated by ipsfc doc from the pack; do not edit.</small>"
                   "</p></footer>\n</body>\n</html>\n");
}
