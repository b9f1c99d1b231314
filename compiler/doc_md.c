/*
 * doc_md.c -- the guideline as Markdown (doc.h): the same sections as the
 * HTML page, as Markdown tables; the category matrix as a table of its
 * cells (axis 1 levels down the side, highest first, as in the figure).
 *
 * INVARIANTS.  Every string of the model goes through md(): the
 * characters Markdown (CommonMark, GitHub tables) gives meaning to are
 * backslash-escaped, & < > become entities (so no text of a pack becomes
 * raw HTML in a renderer), and line breaks become spaces (a table row is
 * one line).  Output depends only on the model: deterministic.
 */
#include <string.h>

#include "doc.h"

static void md(IpsfBuf *b, const char *s) {
  if (!s || !*s) {
    ipsf_buf_puts(b, "-");
    return;
  }
  for (; *s; s++) {
    unsigned char ch = (unsigned char)*s;
    switch (ch) {
    case '&': ipsf_buf_puts(b, "&amp;"); break;
    case '<': ipsf_buf_puts(b, "&lt;"); break;
    case '>': ipsf_buf_puts(b, "&gt;"); break;
    case '\\': case '`': case '*': case '_': case '[': case ']': case '|': case '#':
    case '!': case '~': case '{': case '}': case '(': case ')':
      ipsf_buf_put(b, "\\", 1);
      ipsf_buf_put(b, s, 1);
      break;
    default:
      if (ch < 0x20 || ch == 0x7f) ipsf_buf_puts(b, ch == '\n' || ch == '\t' ? " " : "");
      else ipsf_buf_put(b, s, 1);
    }
  }
}

static void cell(IpsfBuf *b, const char *s) {
  ipsf_buf_puts(b, " ");
  md(b, s);
  ipsf_buf_puts(b, " |");
}

static void header(const DocModel *m, IpsfBuf *b) {
  ipsf_buf_puts(b, "# ");
  md(b, m->title ? m->title : m->name);
  ipsf_buf_puts(b, "\n\n");
  if (m->description) {
    md(b, m->description);
    ipsf_buf_puts(b, "\n\n");
  }
  ipsf_buf_puts(b, "| | |\n|---|---|\n");
  const char *keys[] = {"pack",   "version",   "authority", "framework",
                        "digest", "signature", "key id",    "made from"};
  const char *vals[] = {m->name, m->version, m->authority, m->framework, m->digest, m->signature,
                        m->key_id, m->input};
  for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
    if (!vals[i]) continue;
    ipsf_buf_printf(b, "| %s |", keys[i]);
    cell(b, vals[i]);
    ipsf_buf_puts(b, "\n");
  }
  ipsf_buf_puts(b, "\n");
  if (!m->from_source)
    ipsf_buf_puts(b, "> Made from compiled bytecode: the conditions (of rules, applies and "
                     "confirm lines), `unordered` marks, named types, catalogs the pack does "
                     "not cite, test devices and the per-cell analysis exist only in the "
                     "source and are omitted. Run `ipsfc doc` on the `.ipsf` source for the "
                     "full guideline.\n\n");
}

static void matrix(const DocModel *m, IpsfBuf *b) {
  ipsf_buf_puts(b, "## Category matrix\n\n| ");
  md(b, m->axis_name[0]);
  ipsf_buf_puts(b, " \\\\ ");
  md(b, m->axis_name[1]);
  ipsf_buf_puts(b, " |");
  for (uint32_t l2 = 0; l2 < m->level_count[1]; l2++) cell(b, m->levels[1][l2]);
  ipsf_buf_puts(b, "\n|---|");
  for (uint32_t l2 = 0; l2 < m->level_count[1]; l2++) ipsf_buf_puts(b, "---|");
  ipsf_buf_puts(b, "\n");
  for (uint32_t l1 = m->level_count[0]; l1-- > 0;) {
    ipsf_buf_puts(b, "| **");
    md(b, m->levels[0][l1]);
    ipsf_buf_puts(b, "** |");
    for (uint32_t l2 = 0; l2 < m->level_count[1]; l2++) {
      size_t always, maybe;
      doc_cell_counts(m, l1, l2, &always, &maybe);
      if (!m->analysed) ipsf_buf_puts(b, " not analysed");
      else if (m->reachable[(size_t)l1 * m->level_count[1] + l2] == MX_NEVER)
        ipsf_buf_puts(b, " no device can be here");
      else ipsf_buf_printf(b, " %zu required, %zu may apply", always, maybe);
      bool first = true;
      for (size_t i = 0; i < m->device_count; i++) {
        const DocDevice *d = &m->devices[i];
        if (d->level[0] != l1 || d->level[1] != l2) continue;
        ipsf_buf_puts(b, first ? "; devices: " : ", ");
        md(b, d->name);
        first = false;
      }
      ipsf_buf_puts(b, " |");
    }
    ipsf_buf_puts(b, "\n");
  }
  ipsf_buf_puts(b, "\n");
}

static void per_cell(const DocModel *m, IpsfBuf *b) {
  ipsf_buf_puts(b, "## What each cell requires\n\n");
  if (!m->analysed) {
    ipsf_buf_puts(b, "Not available: the analysis needs the source.\n\n");
    return;
  }
  ipsf_buf_puts(b, "Computed by the static analysis of `ipsfc check`, exactly (not by "
                   "sampling): \"depends on\" names what decides: the facts, "
                   "lets, fns and scales (with the facts they read) of the conditions, the two "
                   "axes aside.\n\n");
  IpsfBuf ap, me;
  ipsf_buf_init(&ap);
  ipsf_buf_init(&me);
  for (uint32_t l1 = m->level_count[0]; l1-- > 0;)
    for (uint32_t l2 = 0; l2 < m->level_count[1]; l2++) {
      size_t c = (size_t)l1 * m->level_count[1] + l2;
      ipsf_buf_puts(b, "### ");
      md(b, m->axis_name[0]);
      ipsf_buf_puts(b, " ");
      md(b, m->levels[0][l1]);
      ipsf_buf_puts(b, ", ");
      md(b, m->axis_name[1]);
      ipsf_buf_puts(b, " ");
      md(b, m->levels[1][l2]);
      ipsf_buf_puts(b, "\n\n");
      if (m->reachable[c] == MX_NEVER) {
        ipsf_buf_puts(b, "No input reaches this cell.\n\n");
        continue;
      }
      bool any = false;
      for (size_t r = 0; r < m->req_count; r++) {
        if (m->cells[c * m->req_count + r].applies == MX_NEVER) continue;
        if (!any)
          ipsf_buf_puts(b, "| viewpoint | requirement | title | applies | confirmation |\n"
                           "|---|---|---|---|---|\n");
        any = true;
        ap.len = me.len = 0;
        if (ap.data) ap.data[0] = '\0';
        if (me.data) me.data[0] = '\0';
        doc_cell_texts(m, c, r, &ap, &me);
        ipsf_buf_puts(b, "|");
        cell(b, m->reqs[r].viewpoint);
        cell(b, m->reqs[r].id);
        cell(b, m->reqs[r].title);
        cell(b, ap.data);
        cell(b, me.data);
        ipsf_buf_puts(b, "\n");
      }
      ipsf_buf_puts(b, any ? "\n" : "Nothing is required here.\n\n");
    }
  ipsf_buf_free(&ap);
  ipsf_buf_free(&me);
}

static void requirements(const DocModel *m, IpsfBuf *b) {
  ipsf_buf_puts(b, "## Requirements\n\n| id | title | viewpoint | applies when | confirm | party and basis "
                   "| refs |\n|---|---|---|---|---|---|---|\n");
  for (size_t i = 0; i < m->req_count; i++) {
    const DocReq *r = &m->reqs[i];
    ipsf_buf_puts(b, "|");
    cell(b, r->id);
    cell(b, r->title);
    cell(b, r->viewpoint);
    cell(b, !m->from_source ? "omitted (bytecode)" : r->applies ? r->applies : "always");
    ipsf_buf_puts(b, " ");
    for (size_t k = 0; k < r->confirm_count; k++) {
      if (k) ipsf_buf_puts(b, "; ");
      md(b, r->confirms[k].text);
      if (r->confirms[k].when) {
        ipsf_buf_puts(b, " when ");
        md(b, r->confirms[k].when);
      }
    }
    ipsf_buf_puts(b, " |");
    cell(b, r->party);
    ipsf_buf_puts(b, " ");
    for (size_t k = 0; k < r->ref_count; k++) {
      const DocRef *f = &r->refs[k];
      if (k) ipsf_buf_puts(b, "; ");
      if (f->clause) {
        ipsf_buf_puts(b, "clause ");
        md(b, f->clause);
        ipsf_buf_puts(b, ": ");
        md(b, f->title);
        ipsf_buf_puts(b, " (");
        md(b, f->status);
        ipsf_buf_puts(b, ")");
      } else {
        md(b, f->text);
      }
    }
    ipsf_buf_puts(b, r->ref_count ? " |\n" : "- |\n");
  }
  ipsf_buf_puts(b, "\n");
}

static void rules(const DocModel *m, IpsfBuf *b) {
  ipsf_buf_puts(b, "## Decision tables\n\n");
  for (size_t i = 0; i < m->block_count; i++) {
    const DocRules *r = &m->blocks[i];
    if (!r->rule_count && !r->otherwise) continue;
    ipsf_buf_puts(b, "### ");
    md(b, r->scale);
    if (r->axis) ipsf_buf_printf(b, " (axis %d)", r->axis);
    ipsf_buf_puts(b, "\n\nHit policy **");
    md(b, r->policy);
    ipsf_buf_puts(b, "**");
    if (r->otherwise) {
      ipsf_buf_puts(b, "; otherwise ");
      md(b, r->otherwise);
    }
    ipsf_buf_puts(b, ".\n\n| # | level | condition | because | source |\n|---|---|---|---|---|\n");
    for (size_t k = 0; k < r->rule_count; k++) {
      const DocRule *ru = &r->rules[k];
      ipsf_buf_printf(b, "| %zu |", k + 1);
      cell(b, ru->level);
      cell(b, ru->cond ? ru->cond : "omitted (bytecode)");
      cell(b, ru->because);
      cell(b, ru->at);
      ipsf_buf_puts(b, "\n");
    }
    ipsf_buf_puts(b, "\n");
  }
}

static void values(IpsfBuf *b, const char **v, size_t n) {
  ipsf_buf_puts(b, " ");
  for (size_t k = 0; k < n; k++) {
    if (k) ipsf_buf_puts(b, ", ");
    md(b, v[k]);
  }
  ipsf_buf_puts(b, n ? " |" : "- |");
}

static void facts_types(const DocModel *m, IpsfBuf *b) {
  ipsf_buf_puts(b, "## Facts\n\n| fact | type | values (in order) | default | doc |\n"
                   "|---|---|---|---|---|\n");
  for (size_t i = 0; i < m->fact_count; i++) {
    const DocFact *f = &m->facts[i];
    ipsf_buf_puts(b, "|");
    cell(b, f->name);
    ipsf_buf_puts(b, " ");
    md(b, f->type);
    ipsf_buf_puts(b, f->unordered && f->likelihood ? " (unordered, likelihood) |"
                     : f->unordered                ? " (unordered) |"
                     : f->likelihood               ? " (likelihood) |"
                                                   : " |");
    values(b, f->values, f->value_count);
    if (f->deflt) cell(b, f->deflt);
    else ipsf_buf_puts(b, " *required* |");
    cell(b, f->doc);
    ipsf_buf_puts(b, "\n");
  }
  ipsf_buf_puts(b, "\n## Named types\n\n| type | kind | values (lowest first) |\n|---|---|---|\n");
  for (size_t i = 0; i < m->type_count; i++) {
    ipsf_buf_puts(b, "|");
    cell(b, m->types[i].name);
    cell(b, m->types[i].kind);
    values(b, m->types[i].values, m->types[i].value_count);
    ipsf_buf_puts(b, "\n");
  }
  ipsf_buf_puts(b, "\n");
}

/* The usage profiles the pack declares: only when it declares some. */
static void profiles(const DocModel *m, IpsfBuf *b) {
  if (!m->profile_count) return;
  ipsf_buf_puts(b, "## Usage profiles\n\nA sheet lists the profiles it is used under; each is "
                   "evaluated on its own, with what the profile sets and allows.\n\n"
                   "| profile | title | sets and allows | doc |\n|---|---|---|---|\n");
  for (size_t i = 0; i < m->profile_count; i++) {
    const DocProfile *p = &m->profiles[i];
    ipsf_buf_puts(b, "|");
    cell(b, p->name);
    cell(b, p->title);
    ipsf_buf_puts(b, " ");
    for (size_t k = 0; k < p->item_count; k++) {
      if (k) ipsf_buf_puts(b, "; ");
      md(b, p->items[k]);
    }
    ipsf_buf_puts(b, p->item_count ? " |" : "- |");
    cell(b, p->doc);
    ipsf_buf_puts(b, "\n");
  }
  ipsf_buf_puts(b, "\n");
}

static void traceability(const DocModel *m, IpsfBuf *b) {
  ipsf_buf_puts(b, "## Traceability\n\n");
  if (!m->from_source && !m->catalog_count) {
    ipsf_buf_puts(b, "The compiled pack keeps no catalog: it cites none.\n\n");
    return;
  }
  if (!m->from_source)
    ipsf_buf_puts(b, "From the compiled pack: the catalogs it cites (a catalog imported but "
                     "never cited is listed only from the source).\n\n");
  if (!m->catalog_count) ipsf_buf_puts(b, "The pack imports no catalog.\n\n");
  for (size_t i = 0; i < m->catalog_count; i++) {
    const DocCatalog *c = &m->catalogs[i];
    ipsf_buf_puts(b, "### ");
    md(b, c->title);
    ipsf_buf_puts(b, " ");
    md(b, c->version);
    ipsf_buf_puts(b, "\n\n| provision | clause | title | status | referenced by |\n"
                     "|---|---|---|---|---|\n");
    size_t missing = 0;
    for (size_t k = 0; k < c->provision_count; k++) {
      const DocProvision *p = &c->provisions[k];
      ipsf_buf_puts(b, "|");
      cell(b, p->id);
      cell(b, p->clause);
      cell(b, p->title);
      cell(b, p->status);
      ipsf_buf_puts(b, " ");
      for (size_t r = 0; r < p->by_count; r++) {
        if (r) ipsf_buf_puts(b, ", ");
        md(b, p->by[r]);
      }
      if (!p->by_count && p->status && strcmp(p->status, "mandatory") == 0) {
        ipsf_buf_puts(b, "**none (mandatory)**");
        missing++;
      } else if (!p->by_count) {
        ipsf_buf_puts(b, "-");
      }
      if (p->deemed) {
        ipsf_buf_puts(b, "; deemed through ");
        md(b, p->deemed);
        ipsf_buf_puts(b, " \\(satisfied\\_by\\)");
      }
      ipsf_buf_puts(b, " |\n");
    }
    ipsf_buf_printf(b, "\n%zu mandatory provision%s referenced by no requirement.\n\n", missing,
                    missing == 1 ? "" : "s");
  }
}

static void devices(const DocModel *m, IpsfBuf *b) {
  ipsf_buf_puts(b, "## Devices on the matrix\n\n");
  if (m->devices_note) {
    ipsf_buf_puts(b, "> ");
    md(b, m->devices_note);
    ipsf_buf_puts(b, "\n\n");
  }
  if (!m->device_count) {
    ipsf_buf_puts(b, "None.\n");
    return;
  }
  ipsf_buf_puts(b, "| device | from |");
  cell(b, m->axis_name[0]);
  cell(b, m->axis_name[1]);
  ipsf_buf_puts(b, "\n|---|---|---|---|\n");
  for (size_t i = 0; i < m->device_count; i++) {
    const DocDevice *d = &m->devices[i];
    ipsf_buf_puts(b, "|");
    cell(b, d->name);
    cell(b, d->source);
    cell(b, m->levels[0][d->level[0]]);
    cell(b, m->levels[1][d->level[1]]);
    ipsf_buf_puts(b, "\n");
  }
}

void doc_markdown(const DocModel *m, IpsfBuf *b) {
  header(m, b);
  if (m->has_matrix) matrix(m, b);
  per_cell(m, b);
  requirements(m, b);
  rules(m, b);
  facts_types(m, b);
  profiles(m, b);
  traceability(m, b);
  devices(m, b);
}
