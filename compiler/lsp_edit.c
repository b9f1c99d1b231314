/*
 * lsp_edit.c -- completion, formatting, rename, and running the tests
 * (code lens + the `ipsfc.runTests` command) for the language server.
 *
 * Completion reads the text of the line before the cursor (the document as
 * the editor has it, which rarely parses while one types) and the names of
 * the last compilation: after `confirm` the methods of the requirement's
 * viewpoint, after `viewpoint` the viewpoints, after `ref` the provisions,
 * after `requires` the requirements, after a comparison or `in` on an enum
 * the values of that enum, at the start of a line of a rules block its
 * levels, at the start of a line of a requirement or a test its item
 * keywords, inside other declarations the names an expression may use, and
 * declaration keywords elsewhere.
 *
 * Formatting is `ipsfc fmt` (compiler/fmt.c), refused with an error on a
 * document with syntax errors.  Rename edits every reference of a fact,
 * let, fn or requirement in the pack and its (non-stdlib) modules; renaming
 * a fact changes the fact-sheet format, so its edits carry a change
 * annotation that needs the user's confirmation, and a client that cannot
 * ask is refused with a message saying why.
 */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "fmt.h"
#include "lsp.h"
#include "testrun.h"

/* LSP CompletionItemKind */
enum { C_METHOD = 2, C_FUNCTION = 3, C_FIELD = 5, C_VARIABLE = 6, C_CLASS = 7, C_MODULE = 9,
       C_KEYWORD = 14, C_ENUM_MEMBER = 20, C_CONSTANT = 21, C_ENUM = 13 };

static void item(json_t *out, const char *label, int kind, const char *detail) {
  if (!label) return;
  json_t *j = json_pack("{s:o,s:i}", "label", lsp_cstr(label), "kind", kind);
  if (detail) json_object_set_new(j, "detail", lsp_cstr(detail));
  json_array_append_new(out, j);
}

static const Decl *decl_at(LspDoc *d, size_t off) {
  const Module *m = d->c->modules[d->c->root].ast;
  for (size_t i = 0; m && i < m->decl_count; i++)
    if (off >= m->decls[i]->span.start && off <= m->decls[i]->span.end) return m->decls[i];
  return NULL;
}

static void enum_items(json_t *out, Compilation *c, uint32_t eid) {
  for (size_t i = 0; i < c->enums[eid].value_count; i++)
    item(out, c->enums[eid].values[i].name, C_ENUM_MEMBER, c->enums[eid].name);
}

static void expr_items(json_t *out, Compilation *c) {
  for (size_t i = 0; i < c->fact_count; i++)
    item(out, c->facts[i].name, C_FIELD, arena_printf(&c->arena, "fact: %s", ty_name(c, c->facts[i].ty)));
  for (size_t i = 0; i < c->let_count; i++)
    item(out, c->lets[i].name, C_VARIABLE, arena_printf(&c->arena, "let: %s", ty_name(c, c->lets[i].ty)));
  for (size_t i = 0; i < c->scale_count; i++) item(out, c->scales[i].name, C_ENUM, "scale");
  for (size_t i = 0; i < c->fn_count; i++) item(out, c->fns[i].name, C_FUNCTION, "fn");
  for (size_t i = 0; i < c->native_count; i++) item(out, c->natives[i].name, C_FUNCTION, "extern");
#define LSP_BI(id, name, params, max, result, inl, fn) item(out, name, C_FUNCTION, "built-in");
  IPSF_BUILTINS(LSP_BI)
#undef LSP_BI
  static const char *const kw[] = {"and", "or", "not", "in", "if", "then", "else", "true", "false", NULL};
  for (size_t i = 0; kw[i]; i++) item(out, kw[i], C_KEYWORD, NULL);
}

static void top_keywords(json_t *out) {
  static const char *const kw[] = {"pack", "import", "facts", "type", "let", "fn", "scale", "axis",
                                   "rules", "viewpoint", "requirement", "test", "extern", "catalog",
                                   "profile", NULL};
  for (size_t i = 0; kw[i]; i++) item(out, kw[i], C_KEYWORD, NULL);
}

/* The enum of a name written before an operator, or UINT32_MAX. */
static uint32_t enum_of_name(Compilation *c, const char *name) {
  SymEntry *e = lookup_value(c, c->root, name);
  if (!e) return UINT32_MAX;
  Ty t = {0};
  if (e->kind == SYM_FACT) t = c->facts[e->index].ty;
  else if (e->kind == SYM_LET) t = c->lets[e->index].ty;
  else if (e->kind == SYM_SCALE) return c->scales[e->index].enum_id;
  return t.kind == TY_ENUM || t.kind == TY_SET ? t.enum_id : UINT32_MAX;
}

static bool ends_with_word(const char *s, size_t n, const char *w) {
  size_t k = strlen(w);
  if (n < k || strncmp(s + n - k, w, k) != 0) return false;
  char b = n > k ? s[n - k - 1] : ' ';
  return !(b == '_' || (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9'));
}

/* The enum a comparison or `in` before the cursor is about. */
static uint32_t operator_enum(Compilation *c, const char *before) {
  regex_t re;
  if (regcomp(&re, "([A-Za-z_][A-Za-z0-9_.]*)[ \t]*(==|!=|<=|>=|<|>|[ \t]in)[ \t]*(\\{[^}]*)?$",
              REG_EXTENDED) != 0)
    return UINT32_MAX;
  regmatch_t m[2];
  uint32_t eid = UINT32_MAX;
  if (regexec(&re, before, 2, m, 0) == 0) {
    char *name = arena_strndup(&c->arena, before + m[1].rm_so, (size_t)(m[1].rm_eo - m[1].rm_so));
    eid = enum_of_name(c, name);
  }
  regfree(&re);
  return eid;
}

static void complete(LspDoc *d, size_t off, json_t *out) {
  Compilation *c = d->c;
  size_t ls = off;
  while (ls > 0 && d->text[ls - 1] != '\n') ls--;
  size_t w = off;
  while (w > ls && (strchr("_.-", d->text[w - 1]) || (d->text[w - 1] >= '0' && d->text[w - 1] <= '9') ||
                    ((d->text[w - 1] | 32) >= 'a' && (d->text[w - 1] | 32) <= 'z')))
    w--;
  char *before = arena_strndup(&c->arena, d->text + ls, w - ls);
  size_t n = strlen(before);
  while (n > 0 && (before[n - 1] == ' ' || before[n - 1] == '\t')) n--;
  const Decl *in = decl_at(d, off);
  if (ends_with_word(before, n, "confirm")) {
    SymEntry *r = in && in->kind == D_REQUIREMENT && in->name.name
                      ? lookup_name(c, &c->req_map, c->root, in->name.name) : NULL;
    uint32_t vp = r ? c->reqs[r->index].viewpoint : UINT32_MAX;
    for (size_t v = 0; v < c->viewpoint_count; v++)
      if (vp == UINT32_MAX || vp == v)
        for (size_t k = 0; k < c->viewpoints[v].decl->value_count; k++)
          item(out, c->viewpoints[v].decl->values[k].name, C_METHOD, c->viewpoints[v].name);
  } else if (ends_with_word(before, n, "viewpoint") && in) {
    for (size_t v = 0; v < c->viewpoint_count; v++)
      item(out, c->viewpoints[v].name, C_CLASS, c->viewpoints[v].decl->str.text);
  } else if (ends_with_word(before, n, "ref") || ends_with_word(before, n, "satisfied_by")) {
    for (size_t p = 0; p < c->provision_count; p++)
      item(out, c->provisions[p].id, C_CONSTANT, c->provisions[p].decl->title.text);
  } else if (ends_with_word(before, n, "requires")) {
    for (size_t r = 0; r < c->req_count; r++) item(out, c->reqs[r].id, C_CONSTANT, c->reqs[r].decl->str.text);
  } else if (ends_with_word(before, n, "compensated_by") && in) {
    /* requirements of another viewpoint than the one being written */
    SymEntry *e = in->kind == D_REQUIREMENT && in->name.name
                      ? lookup_name(c, &c->req_map, c->root, in->name.name) : NULL;
    uint32_t vp = e ? c->reqs[e->index].viewpoint : UINT32_MAX;
    for (size_t r = 0; r < c->req_count; r++)
      if (vp == UINT32_MAX || c->reqs[r].viewpoint != vp)
        item(out, c->reqs[r].id, C_CONSTANT, c->reqs[r].decl->str.text);
  } else if (operator_enum(c, before) != UINT32_MAX) {
    enum_items(out, c, operator_enum(c, before));
  } else if (n == 0 && in && in->kind == D_REQUIREMENT && in->span.start < w) {
    static const char *const kw[] = {"viewpoint", "ref", "applies", "confirm", "party", "doc", NULL};
    for (size_t i = 0; kw[i]; i++) item(out, kw[i], C_KEYWORD, NULL);
  } else if (n == 0 && in && in->kind == D_TEST && in->span.start < w) {
    static const char *const kw[] = {"given", "expect", "profile", NULL};
    for (size_t i = 0; kw[i]; i++) item(out, kw[i], C_KEYWORD, NULL);
  } else if (n == 0 && in && in->kind == D_RULES) {
    SymEntry *e = in->name.name ? lookup_value(c, c->root, in->name.name) : NULL;
    if (e && e->kind == SYM_SCALE) enum_items(out, c, c->scales[e->index].enum_id);
    item(out, "otherwise", C_KEYWORD, NULL);
  } else if (in && in->kind != D_PACK && in->kind != D_IMPORT && !(n == 0 && in->span.start >= w)) {
    expr_items(out, c);
  } else {
    top_keywords(out);
  }
}

void lsp_completion(LspServer *s, LspDoc *d, json_t *id, json_t *params) {
  size_t off;
  json_t *out = json_array();
  if (lsp_params_offset(d, params, &off)) complete(d, off, out);
  lsp_reply(s, id, json_pack("{s:b,s:o}", "isIncomplete", 0, "items", out));
}

/* ---- formatting -------------------------------------------------------------------- */

void lsp_formatting(LspServer *s, LspDoc *d, json_t *id) {
  if (d->len > LSP_MAX_DOCUMENT) {
    lsp_reply_error(s, id, LSP_REQUEST_FAILED, "the document is larger than the limit: not formatted");
    return;
  }
  SourceSet sources;
  sources_init(&sources);
  Diags diags;
  diags_init(&diags, &sources);
  FmtOutput out;
  FmtStatus st = fmt_text(d->path, d->text, d->len, &diags, &sources, &out);
  if (st == FMT_SYNTAX) {
    uint32_t line = 0, col = 0;
    const Diag *g = diags.count ? &diags.items[0] : NULL;
    if (g && g->span.file != SPAN_NO_FILE) sources_line_col(&sources, g->span.file, g->span.start, &line, &col);
    lsp_reply_error(s, id, LSP_REQUEST_FAILED, "the document has syntax errors: not formatted (%u:%u: %s)",
                    line, col, g ? g->message : "");
  } else if (st == FMT_INTERNAL) {
    lsp_reply_error(s, id, RPC_INTERNAL_ERROR, "internal error in fmt (a bug): %s", out.error);
  } else if (out.len == d->len && memcmp(out.text, d->text, d->len) == 0) {
    lsp_reply(s, id, json_array());
  } else {
    lsp_reply(s, id, json_pack("[{s:o,s:o}]", "range", lsp_range(d->text, d->len, 0, d->len), "newText",
                               lsp_str(out.text, out.len)));
  }
  fmt_output_free(&out);
  diags_free(&diags);
  sources_free(&sources);
}

/* ---- rename ------------------------------------------------------------------------- */

static bool valid_name(const char *n, bool req) {
  if (!n || !*n) return false;
  if (!((*n | 32) >= 'a' && (*n | 32) <= 'z') && !(*n == '_' && !req)) return false;
  for (const char *p = n; *p; p++) {
    bool ok = (*p >= '0' && *p <= '9') || ((*p | 32) >= 'a' && (*p | 32) <= 'z') || *p == '_' ||
              (req && (*p == '-' || *p == '.'));
    if (!ok) return false;
  }
  return req || !is_builtin_name(n);
}

static const char *rename_refusal(LspDoc *d, SymId sym, const char *name) {
  Compilation *c = d->c;
  if (sym.kind != SK_FACT && sym.kind != SK_LET && sym.kind != SK_FN && sym.kind != SK_REQ)
    return "only facts, lets, fns and requirements can be renamed";
  if (!valid_name(name, sym.kind == SK_REQ)) return "the new name is not a valid name";
  if (sym.kind == SK_REQ ? lookup_name(c, &c->req_map, c->root, name) != NULL
                         : lookup_value(c, c->root, name) != NULL)
    return "the new name is already declared";
  const IndexEntry *def = index_def(d->ix, sym);
  if (!def) return "its declaration is not known";
  if (strncmp(c->modules[def->module].path, "<stdlib>/", 9) == 0)
    return "it is declared in the built-in stdlib, which is read-only";
  return NULL;
}

void lsp_rename(LspServer *s, LspDoc *d, json_t *id, json_t *params) {
  size_t off;
  const IndexEntry *e = lsp_params_offset(d, params, &off) ? index_at(d->ix, d->root, (uint32_t)off) : NULL;
  const char *name = json_string_value(json_object_get(params, "newName"));
  if (!e) {
    lsp_reply_error(s, id, LSP_REQUEST_FAILED, "no renamable name here");
    return;
  }
  const char *why = rename_refusal(d, e->sym, name);
  if (why) {
    lsp_reply_error(s, id, LSP_REQUEST_FAILED, "cannot rename: %s", why);
    return;
  }
  const char *old = index_sym_name(d->ix, e->sym);
  bool fact = e->sym.kind == SK_FACT;
  if (fact && !s->annotations) {
    lsp_reply_error(s, id, LSP_REQUEST_FAILED,
                    "'%s' is a fact: facts are part of the sheet format (device fact sheets name "
                    "them), so renaming it breaks existing sheets. This editor cannot ask for "
                    "confirmation (no change annotations): rename it by hand if you mean it",
                    old);
    return;
  }
  const IndexEntry *def = index_def(d->ix, e->sym);
  const char *decl_text = lsp_span_text(d, def->span, 4096);
  size_t dl = strlen(decl_text);
  json_t *changes = json_object();
  for (size_t i = 0; i < d->ix->count; i++) {
    const IndexEntry *x = &d->ix->items[i];
    if (!sym_eq(x->sym, e->sym)) continue;
    const char *t = lsp_span_text(d, x->span, 4096);
    size_t tl = strlen(t);
    if (tl < dl || strcmp(t + tl - dl, decl_text) != 0) continue;
    Span at = {x->span.file, x->span.start + (uint32_t)(tl - dl), x->span.end};
    char *uri = lsp_module_uri(s, d, x->module);
    json_t *list = json_object_get(changes, uri);
    if (!list) json_object_set_new(changes, uri, list = json_array());
    json_t *edit = json_pack("{s:o,s:s}", "range", lsp_span_range(d, at), "newText", name);
    if (fact) json_object_set_new(edit, "annotationId", json_string("fact-rename"));
    json_array_append_new(list, edit);
    free(uri);
  }
  if (!fact) {
    lsp_reply(s, id, json_pack("{s:o}", "changes", changes));
    return;
  }
  json_t *doc_changes = json_array();
  const char *uri;
  json_t *edits;
  json_object_foreach(changes, uri, edits) {
    json_array_append_new(doc_changes, json_pack("{s:{s:s,s:n},s:O}", "textDocument", "uri", uri, "version",
                                                 "edits", edits));
  }
  json_decref(changes);
  char desc[512];
  snprintf(desc, sizeof desc,
           "'%s' is a fact: facts are part of the sheet format, so every device fact sheet that "
           "names '%s' must be changed too",
           old, old);
  lsp_reply(s, id, json_pack("{s:o,s:{s:{s:s,s:b,s:o}}}", "documentChanges", doc_changes,
                             "changeAnnotations", "fact-rename", "label", "Rename a fact (changes the sheet format)",
                             "needsConfirmation", 1, "description", lsp_cstr(desc)));
}

/* ---- tests -------------------------------------------------------------------------- */

void lsp_code_lens(LspServer *s, LspDoc *d, json_t *id) {
  json_t *out = json_array();
  const Module *m = d->c->modules[d->c->root].ast;
  size_t tests = 0;
  for (size_t i = 0; m && i < m->decl_count; i++) tests += m->decls[i]->kind == D_TEST;
  for (size_t i = 0; m && tests && i < m->decl_count; i++) {
    const Decl *x = m->decls[i];
    if (x->kind != D_PACK && x->kind != D_TEST) continue;
    const char *title = x->kind == D_PACK ? arena_printf(&d->c->arena, "run the pack's %zu tests", tests)
                                          : "run the pack's tests";
    json_array_append_new(out, json_pack("{s:o,s:{s:o,s:s,s:[s]}}", "range", lsp_span_range(d, x->span),
                                         "command", "title", lsp_cstr(title), "command", "ipsfc.runTests",
                                         "arguments", d->uri));
  }
  lsp_reply(s, id, out);
}

/* "path:line:col" -> 1-based line, col of the root file, false if another file. */
static bool parse_at(const char *at, const char *root_path, uint32_t *line, uint32_t *col) {
  const char *c2 = at ? strrchr(at, ':') : NULL;
  if (!c2 || c2 == at) return false;
  const char *c1 = c2 - 1;
  while (c1 > at && *c1 != ':') c1--;
  if (*c1 != ':' || (size_t)(c1 - at) != strlen(root_path) || strncmp(at, root_path, strlen(root_path)))
    return false;
  *line = (uint32_t)strtoul(c1 + 1, NULL, 10);
  *col = (uint32_t)strtoul(c2 + 1, NULL, 10);
  return *line > 0;
}

static json_t *failure_diag(LspDoc *d, const TestResult *r, const TestFailure *f) {
  uint32_t line = 0, col = 0;
  const char *at = f ? f->at : r->at;
  if (!parse_at(at, d->path, &line, &col)) line = 1, col = 1;
  size_t start = lsp_offset(d->text, d->len, line - 1, 0) + (col ? col - 1 : 0);
  if (start > d->len) start = d->len;
  size_t end = start;
  while (end < d->len && d->text[end] != '\n') end++;
  char msg[1024];
  if (f && f->expect)
    snprintf(msg, sizeof msg, "test \"%s\" failed: %s: %s", r->name, f->expect, f->got ? f->got : "");
  else
    snprintf(msg, sizeof msg, "test \"%s\" failed: %s", r->name, f && f->got ? f->got : "");
  return json_pack("{s:o,s:i,s:s,s:o}", "range", lsp_range(d->text, d->len, start, end), "severity", 1,
                   "source", "ipsfc test", "message", lsp_cstr(msg));
}

void lsp_run_tests(LspServer *s, LspDoc *d, json_t *id) {
  if (d->len > LSP_MAX_DOCUMENT) {
    lsp_reply_error(s, id, LSP_REQUEST_FAILED, "the document is larger than the limit");
    return;
  }
  Compilation *c = lsp_new_compilation(s, false);
  json_t *diags = json_array();
  TestReport report;
  IpsfError err = {0};
  TestRunStatus st = testrun(c, d->path, NULL, NULL, NULL, &report, &err);
  if (st != TESTRUN_OK) {
    lsp_reply_error(s, id, LSP_REQUEST_FAILED, "%s",
                    st == TESTRUN_COMPILE_ERROR ? "the pack has errors: fix them to run its tests" : err.message);
    compilation_free(c);
    json_decref(diags);
    return;
  }
  for (size_t i = 0; i < report.result_count; i++) {
    const TestResult *r = &report.results[i];
    if (r->passed) continue;
    if (r->failure_count == 0) json_array_append_new(diags, failure_diag(d, r, NULL));
    for (size_t k = 0; k < r->failure_count; k++)
      json_array_append_new(diags, failure_diag(d, r, &r->failures[k]));
  }
  json_decref(d->test_diags);
  d->test_diags = diags;
  lsp_publish(s, d);
  lsp_reply(s, id, json_pack("{s:I,s:I,s:I}", "total", (json_int_t)report.result_count, "passed",
                             (json_int_t)report.passed, "failed", (json_int_t)report.failed));
  compilation_free(c);
}
