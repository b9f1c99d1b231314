/*
 * lsp_features.c -- hover, go to definition, find references, document and
 * workspace symbols (lsp.h).
 *
 * All of them read a document's last compilation and its SymIndex
 * (index.h): the name under the cursor is an index entry, its declaration
 * the entry with is_def, its references every entry of the same symbol, in
 * whatever module (imports included; stdlib modules by the URI
 * lsp_module_uri gives them).  Hover text is Markdown: declarations are
 * quoted from the source as written, inside ```ipsf fences.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "lsp.h"
#include "pack.h"
#include "report.h"
#include "xbuf.h"

static const IndexEntry *entry_at(LspDoc *d, json_t *params) {
  size_t off;
  if (!lsp_params_offset(d, params, &off)) return NULL;
  return index_at(d->ix, d->root, (uint32_t)off);
}

static void fence(IpsfBuf *b, const char *code) {
  ipsf_buf_puts(b, "```ipsf\n");
  ipsf_buf_puts(b, code);
  ipsf_buf_puts(b, "\n```\n");
}

static const char *policy_name(int p) {
  return p == IPSF_POLICY_FIRST ? "first" : p == IPSF_POLICY_UNIQUE ? "unique" : "worst";
}

static void values_line(IpsfBuf *b, Compilation *c, uint32_t eid, const char *sep) {
  const EnumSym *e = &c->enums[eid];
  for (size_t i = 0; i < e->value_count; i++)
    ipsf_buf_printf(b, "%s`%s`", i ? sep : "", e->values[i].name);
}

static void hover_fact(IpsfBuf *b, LspDoc *d, uint32_t i) {
  Compilation *c = d->c;
  const FactSym *f = &c->facts[i];
  const FactDecl *fd = f->decl;
  const char *dflt = fd->deflt ? lsp_span_text(d, fd->deflt->span, 400) : NULL;
  const char *type = fd->type ? lsp_span_text(d, fd->type->span, 400) : ty_name(c, f->ty);
  fence(b, arena_printf(&c->arena, "fact %s: %s%s%s%s%s", f->name, type,
                        fd->unordered ? " unordered" : "", fd->likelihood ? " likelihood" : "",
                        dflt ? " = " : "", dflt ? dflt : ""));
  if (f->ty.kind == TY_ENUM || f->ty.kind == TY_SET) {
    ipsf_buf_puts(b, "\nvalues: ");
    values_line(b, c, f->ty.enum_id, f->ty.kind == TY_ENUM ? " < " : ", ");
    ipsf_buf_puts(b, "\n");
  }
  ipsf_buf_puts(b, fd->deflt ? "\ndefault: " : "\nrequired (no default)\n");
  if (fd->deflt) ipsf_buf_printf(b, "`%s`\n", dflt);
  if (fd->doc.text) ipsf_buf_printf(b, "\n%s\n", fd->doc.text);
  if (fd->likelihood)
    ipsf_buf_puts(b, "\n*Measures likelihood or exposure: it may choose measures, but under "
                     "`framework \"IoT-SSF …\"` it must not reach axis 1 or axis 2 (placement is "
                     "by consequence).*\n");
  ipsf_buf_puts(b, "\n*A fact: part of the pack's fact-sheet format.*\n");
}

static void hover_scale(IpsfBuf *b, LspDoc *d, uint32_t i) {
  Compilation *c = d->c;
  const ScaleSym *sc = &c->scales[i];
  fence(b, arena_printf(&c->arena, "%s %s", sc->axis ? "axis scale" : "scale", sc->name));
  ipsf_buf_puts(b, "\nlevels (best to worst): ");
  values_line(b, c, sc->enum_id, " < ");
  ipsf_buf_printf(b, "\n\npolicy: `%s`", policy_name(sc->policy));
  if (sc->axis) ipsf_buf_printf(b, "; axis %d", sc->axis);
  if (sc->otherwise != UINT32_MAX)
    ipsf_buf_printf(b, "; otherwise `%s`", c->enums[sc->enum_id].values[sc->otherwise].name);
  if (sc->rules) ipsf_buf_printf(b, "; %zu rules", sc->rules->rule_count);
  ipsf_buf_puts(b, "\n");
}

static void hover_req(IpsfBuf *b, LspDoc *d, uint32_t i) {
  Compilation *c = d->c;
  const ReqSym *r = &c->reqs[i];
  fence(b, arena_printf(&c->arena, "requirement %s", r->id));
  if (r->decl->str.text) ipsf_buf_printf(b, "\n**%s**\n", r->decl->str.text);
  if (r->viewpoint != UINT32_MAX)
    ipsf_buf_printf(b, "\nviewpoint: `%s`\n", c->viewpoints[r->viewpoint].name);
  if (r->has_applies && r->applies)
    ipsf_buf_printf(b, "\napplies when `%s`\n", lsp_span_text(d, r->applies->span, 300));
  for (size_t k = 0; k < r->decl->item_count; k++) {
    const ReqItem *it = &r->decl->items[k];
    if (it->kind == RI_CONFIRM || it->kind == RI_REF || it->kind == RI_ATTR)
      ipsf_buf_printf(b, "\n- `%s`", lsp_span_text(d, it->span, 300));
  }
  for (size_t k = 0; k < r->comp_count; k++) { /* compensated_by: docs/language.md */
    const CompensationSym *cs = &r->comps[k];
    if (cs->by == UINT32_MAX) continue;
    ipsf_buf_printf(b, "%s`%s`", k ? ", " : "\n\ncompensated by: ", c->reqs[cs->by].id);
    if (cs->until) ipsf_buf_printf(b, " until %s", cs->until);
    if (cs->months) ipsf_buf_printf(b, " for %lld month%s", (long long)cs->months, cs->months == 1 ? "" : "s");
  }
  if (r->party) ipsf_buf_printf(b, "\n\nparty: `%s`", r->party);
  if (r->doc) ipsf_buf_printf(b, "\n\n%s", r->doc);
  ipsf_buf_puts(b, "\n");
}

static void hover_provision(IpsfBuf *b, LspDoc *d, uint32_t i) {
  Compilation *c = d->c;
  const ProvisionSym *p = &c->provisions[i];
  fence(b, arena_printf(&c->arena, "provision %s", p->id));
  ipsf_buf_printf(b, "\nclause %s: **%s**\n\nstatus: `%s`\n", p->decl->clause.text ? p->decl->clause.text : "",
                  p->decl->title.text ? p->decl->title.text : "",
                  p->decl->status.name ? p->decl->status.name : "");
  if (p->catalog)
    ipsf_buf_printf(b, "\nstandard: %s, version %s\n", p->catalog->str.text ? p->catalog->str.text : "",
                    p->catalog->str2.text ? p->catalog->str2.text : "");
  for (size_t k = 0; k < p->decl->satisfied_count; k++)
    ipsf_buf_printf(b, "%s`%s`", k ? ", " : "\nsatisfied by: ", p->decl->satisfied_by[k].name);
  ipsf_buf_puts(b, "\n");
}

/* A usage profile: its header, doc and items as written. */
static void hover_profile(IpsfBuf *b, LspDoc *d, uint32_t index) {
  Compilation *c = d->c;
  const ProfileSym *p = &c->profiles[index];
  const Decl *x = p->decl;
  const char *text = arena_printf(&c->arena, "profile %s%s%s%s", p->name, x->str.text ? " \"" : "",
                                  x->str.text ? x->str.text : "", x->str.text ? "\"" : "");
  for (size_t k = 0; k < x->pitem_count; k++)
    if (x->pitems[k].kind != PI_DOC)
      text = arena_printf(&c->arena, "%s\n  %s", text, lsp_span_text(d, x->pitems[k].span, 300));
  fence(b, text);
  if (p->doc) ipsf_buf_printf(b, "\n%s\n", p->doc);
}

static void hover_text(IpsfBuf *b, LspDoc *d, SymId s) {
  Compilation *c = d->c;
  switch (s.kind) {
  case SK_FACT: hover_fact(b, d, s.a); break;
  case SK_LET: {
    const LetSym *l = &c->lets[s.a];
    fence(b, arena_printf(&c->arena, "let %s: %s = %s", l->name, ty_name(c, l->ty),
                          lsp_span_text(d, l->decl->value ? l->decl->value->span : l->span, 800)));
    break;
  }
  case SK_FN: fence(b, lsp_span_text(d, c->fns[s.a].decl->span, 1200)); break;
  case SK_EXTERN: fence(b, lsp_span_text(d, c->natives[s.a].decl->span, 600)); break;
  case SK_SCALE: hover_scale(b, d, s.a); break;
  case SK_TYPE: {
    fence(b, arena_printf(&c->arena, "type %s", c->enums[s.a].name));
    ipsf_buf_puts(b, "\nvalues: ");
    values_line(b, c, s.a, " < ");
    ipsf_buf_puts(b, "\n");
    break;
  }
  case SK_VALUE: {
    const EnumSym *e = &c->enums[s.a];
    fence(b, arena_printf(&c->arena, "%s  // value %u of %zu of %s", e->values[s.b].name, s.b + 1,
                          e->value_count, e->name));
    ipsf_buf_puts(b, e->scale >= 0 ? "\nlevels: " : "\nvalues: ");
    values_line(b, c, s.a, " < ");
    ipsf_buf_puts(b, "\n");
    break;
  }
  case SK_VIEWPOINT: {
    const Decl *v = c->viewpoints[s.a].decl;
    fence(b, arena_printf(&c->arena, "viewpoint %s", c->viewpoints[s.a].name));
    if (v->str.text) ipsf_buf_printf(b, "\n**%s**\n", v->str.text);
    for (size_t k = 0; k < v->value_count; k++)
      ipsf_buf_printf(b, "%s`%s`", k ? ", " : "\nmethods: ", v->values[k].name);
    ipsf_buf_puts(b, "\n");
    break;
  }
  case SK_METHOD:
    fence(b, arena_printf(&c->arena, "method %s  // of viewpoint %s",
                          c->viewpoints[s.a].decl->values[s.b].name, c->viewpoints[s.a].name));
    break;
  case SK_REQ: hover_req(b, d, s.a); break;
  case SK_PROVISION: hover_provision(b, d, s.a); break;
  case SK_TEST: fence(b, arena_printf(&c->arena, "test \"%s\"", index_sym_name(d->ix, s))); break;
  case SK_MODULE:
    fence(b, arena_printf(&c->arena, "module %s", c->modules[s.a].path));
    break;
  case SK_PROFILE: hover_profile(b, d, s.a); break;
  default: break;
  }
}

void lsp_hover(LspServer *s, LspDoc *d, json_t *id, json_t *params) {
  const IndexEntry *e = entry_at(d, params);
  if (!e) {
    lsp_reply(s, id, json_null());
    return;
  }
  IpsfBuf b;
  ipsf_buf_init(&b);
  hover_text(&b, d, e->sym);
  char *text = xbuf_take(&b);
  lsp_reply(s, id,
            json_pack("{s:{s:s,s:o},s:o}", "contents", "kind", "markdown", "value", lsp_cstr(text),
                      "range", lsp_span_range(d, e->span)));
  free(text);
}

void lsp_definition(LspServer *s, LspDoc *d, json_t *id, json_t *params) {
  const IndexEntry *e = entry_at(d, params);
  const IndexEntry *def = e ? index_def(d->ix, e->sym) : NULL;
  json_t *loc = def ? lsp_location(s, d, def->span) : NULL;
  lsp_reply(s, id, loc ? loc : json_null());
}

void lsp_references(LspServer *s, LspDoc *d, json_t *id, json_t *params) {
  const IndexEntry *e = entry_at(d, params);
  json_t *out = json_array();
  bool with_decl = json_is_true(json_object_get(json_object_get(params, "context"), "includeDeclaration"));
  for (size_t i = 0; e && i < d->ix->count; i++) {
    const IndexEntry *x = &d->ix->items[i];
    if (!sym_eq(x->sym, e->sym) || (x->is_def && !with_decl) || x->sym.kind == SK_MODULE) continue;
    json_t *loc = lsp_location(s, d, x->span);
    if (loc) json_array_append_new(out, loc);
  }
  lsp_reply(s, id, out);
}

/* ---- symbols ---------------------------------------------------------------------- */

/* LSP SymbolKind values. */
enum { K_MODULE = 2, K_PACKAGE = 4, K_CLASS = 5, K_FIELD = 8, K_ENUM = 10, K_FUNCTION = 12,
       K_VARIABLE = 13, K_CONSTANT = 14, K_OBJECT = 19, K_ENUM_MEMBER = 22, K_EVENT = 24 };

static json_t *symbol(LspDoc *d, const char *name, int kind, Span whole, Span sel, const char *detail) {
  if (sel.file == SPAN_NO_FILE || sel.end < sel.start || sel.start < whole.start || sel.end > whole.end)
    sel = whole;
  json_t *j = json_pack("{s:o,s:i,s:o,s:o,s:[]}", "name", lsp_cstr(name && *name ? name : "?"), "kind",
                        kind, "range", lsp_span_range(d, whole), "selectionRange",
                        lsp_span_range(d, sel), "children");
  if (detail) json_object_set_new(j, "detail", lsp_cstr(detail));
  return j;
}

static void add_child(json_t *parent, json_t *child) {
  json_array_append_new(json_object_get(parent, "children"), child);
}

static json_t *decl_symbol(LspDoc *d, const Decl *x) {
  json_t *j = NULL;
  switch (x->kind) {
  case D_PACK: return symbol(d, x->str.text, K_PACKAGE, x->span, x->str.span, "pack");
  case D_IMPORT: return symbol(d, x->str.text, K_MODULE, x->span, x->str.span, "import");
  case D_FACTS:
    j = symbol(d, "facts", K_OBJECT, x->span, x->span, NULL);
    for (size_t i = 0; i < x->fact_count; i++)
      add_child(j, symbol(d, x->facts[i].name.name, K_FIELD, x->facts[i].span, x->facts[i].name.span, "fact"));
    return j;
  case D_TYPE: return symbol(d, x->name.name, K_ENUM, x->span, x->name.span, "type");
  case D_LET: return symbol(d, x->name.name, K_VARIABLE, x->span, x->name.span, "let");
  case D_FN: return symbol(d, x->name.name, K_FUNCTION, x->span, x->name.span, "fn");
  case D_EXTERN: return symbol(d, x->name.name, K_FUNCTION, x->span, x->name.span, "extern");
  case D_SCALE:
    j = symbol(d, x->name.name, K_ENUM, x->span, x->name.span, "scale");
    for (size_t i = 0; i < x->value_count; i++)
      add_child(j, symbol(d, x->values[i].name, K_ENUM_MEMBER, x->values[i].span, x->values[i].span, NULL));
    return j;
  case D_RULES:
    j = symbol(d, arena_printf(&d->c->arena, "rules %s", x->name.name ? x->name.name : "?"), K_CLASS,
               x->span, x->name.span, NULL);
    for (size_t i = 0; i < x->rule_count; i++)
      add_child(j, symbol(d, x->rules[i].level.name, K_CONSTANT, x->rules[i].span, x->rules[i].level.span,
                          "rule"));
    return j;
  case D_VIEWPOINT: return symbol(d, x->name.name, K_CLASS, x->span, x->name.span, "viewpoint");
  case D_REQUIREMENT: return symbol(d, x->name.name, K_OBJECT, x->span, x->name.span, x->str.text);
  case D_TEST: return symbol(d, x->str.text, K_EVENT, x->span, x->str.span, "test");
  case D_CATALOG:
    j = symbol(d, x->str.text ? x->str.text : "catalog", K_MODULE, x->span, x->str.span, "catalog");
    for (size_t i = 0; i < x->provision_count; i++)
      add_child(j, symbol(d, x->provisions[i].id.name, K_CONSTANT, x->provisions[i].span,
                          x->provisions[i].id.span, x->provisions[i].title.text));
    return j;
  case D_PROFILE: /* a usage profile: its facts as children */
    j = symbol(d, x->name.name, K_OBJECT, x->span, x->name.span,
               x->str.text ? x->str.text : "profile");
    for (size_t i = 0; i < x->pitem_count; i++)
      if (x->pitems[i].kind != PI_DOC)
        add_child(j, symbol(d, x->pitems[i].fact.name, K_FIELD, x->pitems[i].span,
                            x->pitems[i].fact.span,
                            x->pitems[i].kind == PI_SETS ? "sets" : "allows"));
    return j;
  }
  return NULL;
}

void lsp_document_symbols(LspServer *s, LspDoc *d, json_t *id) {
  json_t *out = json_array();
  const Module *m = d->c->modules[d->c->root].ast;
  for (size_t i = 0; m && i < m->decl_count; i++) {
    json_t *j = decl_symbol(d, m->decls[i]);
    if (j) json_array_append_new(out, j);
  }
  lsp_reply(s, id, out);
}

static int workspace_kind(SymKind k) {
  switch (k) {
  case SK_FACT: return K_FIELD;
  case SK_LET: return K_VARIABLE;
  case SK_FN: case SK_EXTERN: return K_FUNCTION;
  case SK_SCALE: case SK_TYPE: return K_ENUM;
  case SK_VALUE: return K_ENUM_MEMBER;
  case SK_VIEWPOINT: return K_CLASS;
  case SK_REQ: return K_OBJECT;
  case SK_TEST: return K_EVENT;
  case SK_PROFILE: return K_OBJECT;
  default: return K_CONSTANT;
  }
}

/* Every declaration of every open document's compilation (imports
 * included) whose name contains the query, each symbol once. */
void lsp_workspace_symbols(LspServer *s, json_t *id, json_t *params) {
  const char *q = json_string_value(json_object_get(params, "query"));
  json_t *out = json_array();
  json_t *seen = json_object();
  for (size_t k = 0; k < s->doc_count; k++) {
    LspDoc *d = s->docs[k];
    if (!d->ix) continue;
    for (size_t i = 0; i < d->ix->count && json_array_size(out) < 1000; i++) {
      const IndexEntry *e = &d->ix->items[i];
      if (!e->is_def || e->sym.kind == SK_MODULE || e->sym.kind == SK_METHOD) continue;
      const char *name = index_sym_name(d->ix, e->sym);
      if (q && *q && !strstr(name, q)) continue;
      json_t *loc = lsp_location(s, d, e->span);
      if (!loc) continue;
      char *key = json_dumps(loc, JSON_COMPACT | JSON_SORT_KEYS);
      if (!key || json_object_get(seen, key)) {
        free(key);
        json_decref(loc);
        continue;
      }
      json_object_set_new(seen, key, json_true());
      free(key);
      json_array_append_new(out, json_pack("{s:o,s:i,s:o}", "name", lsp_cstr(name), "kind",
                                           workspace_kind(e->sym.kind), "location", loc));
    }
  }
  json_decref(seen);
  lsp_reply(s, id, out);
}
