/*
 * lsp_docs.c -- the language server's documents (lsp.h).
 *
 * A document is the editor's text of one URI, owned by the server from
 * didOpen to didClose.  Checking it builds a fresh Compilation whose root
 * is the document's path: CompileOptions.read_hook hands the compiler the
 * text of any open document (the root and imports alike) before the disk.
 * The previous compilation is freed only once the new one exists, so
 * requests always see a complete compilation and index.
 *
 * Positions are LSP's: line and UTF-16 code unit.  Offsets past a line's
 * end are clamped to it; lines past the end to the end of the text.  Bytes
 * that are not UTF-8 count as one unit each (the compiler reports them).
 *
 * Diagnostics: each compiler diagnostic of the root file at its span; a
 * diagnostic in an imported module at the import that (transitively)
 * reaches it, with the real place as related information; a note is
 * related information of the diagnostic before it; a counterexample sheet
 * is related information too.  Modules of the built-in stdlib are written
 * read-only to the cache directory (LspOptions.cache_dir) so that editors
 * can open them; without one they are named ipsf-stdlib:///NAME.ipsf and
 * served by the `ipsf/stdlibSource` request.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analyze.h"
#include "arena.h"
#include "lsp.h"
#include "sema.h"
#include "stdlib_modules.h"
#include "util.h"

/* ---- strings ------------------------------------------------------------------ */

json_t *lsp_str(const char *s, size_t n) {
  if (!s) return json_string("");
  const unsigned char *u = (const unsigned char *)s;
  size_t bad = ipsf_utf8_bad_at(u, n);
  if (bad >= n && !memchr(s, 0, n)) return json_stringn(s, n);
  char *out = xmalloc(n * 3 + 1);
  size_t o = 0;
  for (size_t i = 0; i < n;) {
    size_t k = ipsf_utf8_seq(u + i, n - i);
    if (k == 0 || u[i] == 0) {
      if (u[i] == 0) {
        out[o++] = ' ';
      } else {
        memcpy(out + o, "\xEF\xBF\xBD", 3);
        o += 3;
      }
      i++;
    } else {
      memcpy(out + o, s + i, k);
      o += k;
      i += k;
    }
  }
  json_t *j = json_stringn(out, o);
  free(out);
  return j;
}

json_t *lsp_cstr(const char *s) { return lsp_str(s, s ? strlen(s) : 0); }

/* ---- URIs --------------------------------------------------------------------- */

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

char *lsp_uri_to_path(const char *uri) {
  const char *p = uri;
  if (strncmp(p, "file://", 7) == 0) {
    p += 7;
    if (*p != '/') { /* file://host/path: the host is ignored */
      const char *slash = strchr(p, '/');
      p = slash ? slash : "/";
    }
  }
  char *out = xmalloc(strlen(p) + 1);
  size_t o = 0;
  for (size_t i = 0; p[i]; i++) {
    if (p[i] == '%' && hexval(p[i + 1]) >= 0 && hexval(p[i + 2]) >= 0) {
      char ch = (char)(hexval(p[i + 1]) * 16 + hexval(p[i + 2]));
      out[o++] = ch ? ch : '_';
      i += 2;
    } else {
      out[o++] = p[i];
    }
  }
  out[o] = '\0';
  return out;
}

char *lsp_path_to_uri(const char *path) {
  static const char hex[] = "0123456789ABCDEF";
  char *out = xmalloc(strlen(path) * 3 + 8);
  size_t o = 0;
  memcpy(out, "file://", 7);
  o = 7;
  for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
    if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
        strchr("/-._~", *p)) {
      out[o++] = (char)*p;
    } else {
      out[o++] = '%';
      out[o++] = hex[*p >> 4];
      out[o++] = hex[*p & 15];
    }
  }
  out[o] = '\0';
  return out;
}

/* ---- positions ---------------------------------------------------------------- */

size_t lsp_offset(const char *text, size_t len, int64_t line, int64_t character) {
  size_t i = 0;
  for (int64_t l = 0; l < line; l++) {
    const char *nl = memchr(text + i, '\n', len - i);
    if (!nl) return len;
    i = (size_t)(nl - text) + 1;
  }
  const unsigned char *u = (const unsigned char *)text;
  int64_t units = 0;
  while (i < len && u[i] != '\n' && units < character) {
    size_t k = ipsf_utf8_seq(u + i, len - i);
    if (k == 0) k = 1;
    units += k == 4 ? 2 : 1;
    i += k;
  }
  return i;
}

json_t *lsp_position(const char *text, size_t len, size_t offset) {
  if (offset > len) offset = len;
  size_t line = 0, start = 0;
  for (size_t i = 0; i < offset; i++)
    if (text[i] == '\n') {
      line++;
      start = i + 1;
    }
  const unsigned char *u = (const unsigned char *)text;
  size_t units = 0;
  for (size_t i = start; i < offset;) {
    size_t k = ipsf_utf8_seq(u + i, len - i);
    if (k == 0) k = 1;
    units += k == 4 ? 2 : 1;
    i += k;
  }
  return json_pack("{s:I,s:I}", "line", (json_int_t)line, "character", (json_int_t)units);
}

json_t *lsp_range(const char *text, size_t len, size_t start, size_t end) {
  return json_pack("{s:o,s:o}", "start", lsp_position(text, len, start), "end",
                   lsp_position(text, len, end < start ? start : end));
}

static const Source *span_source(LspDoc *d, Span span) {
  if (!d->c || span.file == SPAN_NO_FILE || span.file >= d->c->sources.count) return NULL;
  return d->c->sources.items[span.file];
}

static size_t utf16_units(const unsigned char *u, size_t len, size_t from, size_t to, size_t *end) {
  size_t units = 0, i = from;
  while (i < to) {
    size_t k = ipsf_utf8_seq(u + i, len - i);
    if (k == 0) k = 1;
    units += k == 4 ? 2 : 1;
    i += k;
  }
  *end = i;
  return units;
}

/* A long line's checkpoints: every LSP_LINE_STEP bytes, the first
 * character boundary and the UTF-16 units before it. */
#define LSP_LINE_STEP 4096u
static void line_index(LspDoc *d, const Source *src, uint32_t line, size_t start, size_t stop) {
  LspLineIndex *x = &d->line_index;
  if (x->src == src && x->line == line) return;
  free(x->off);
  free(x->units);
  x->n = (stop - start) / LSP_LINE_STEP + 1;
  x->off = xmalloc_array(x->n, sizeof *x->off);
  x->units = xmalloc_array(x->n, sizeof *x->units);
  size_t at = start, units = 0;
  for (size_t k = 0; k < x->n; k++) {
    size_t end;
    units += utf16_units((const unsigned char *)src->text, src->len, at, start + k * LSP_LINE_STEP, &end);
    x->off[k] = end;
    x->units[k] = units;
    at = end;
  }
  x->src = src;
  x->line = line;
}

/* A position in a compiled source: its line by binary search in the line
 * table, its UTF-16 column counted from the line's start, or on a long
 * line from the checkpoint before it (so that a thousand diagnostics on
 * one 16 MiB line cost one scan of it, not a thousand). */
static json_t *source_position(LspDoc *d, const Source *src, uint32_t offset) {
  if (offset > src->len) offset = src->len;
  uint32_t lo = 0, hi = src->line_count ? src->line_count - 1 : 0;
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo + 1) / 2;
    if (src->line_starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  size_t start = src->line_count ? src->line_starts[lo] : 0, from = start, base = 0, end;
  size_t stop = lo + 1 < src->line_count ? src->line_starts[lo + 1] : src->len;
  if (stop - start > 16 * LSP_LINE_STEP) {
    line_index(d, src, lo, start, stop);
    size_t k = (offset - start) / LSP_LINE_STEP;
    while (k > 0 && d->line_index.off[k] > offset) k--;
    from = d->line_index.off[k];
    base = d->line_index.units[k];
  }
  size_t units = base + utf16_units((const unsigned char *)src->text, src->len, from, offset, &end);
  return json_pack("{s:I,s:I}", "line", (json_int_t)lo, "character", (json_int_t)units);
}

json_t *lsp_span_range(LspDoc *d, Span span) {
  const Source *src = span_source(d, span);
  if (!src) return lsp_range("", 0, 0, 0);
  uint32_t end = span.end < span.start ? span.start : span.end;
  return json_pack("{s:o,s:o}", "start", source_position(d, src, span.start), "end",
                   source_position(d, src, end));
}

bool lsp_params_offset(LspDoc *d, json_t *params, size_t *offset) {
  json_t *pos = json_object_get(params, "position");
  json_t *line = json_object_get(pos, "line"), *ch = json_object_get(pos, "character");
  if (!json_is_integer(line) || !json_is_integer(ch)) return false;
  *offset = lsp_offset(d->text, d->len, json_integer_value(line), json_integer_value(ch));
  return true;
}

const char *lsp_span_text(LspDoc *d, Span span, size_t max) {
  const Source *src = span_source(d, span);
  if (!src || span.end > src->len) return "";
  size_t n = span.end - span.start;
  if (n > max) return arena_printf(&d->c->arena, "%.*s ...", (int)max, src->text + span.start);
  return arena_strndup(&d->c->arena, src->text + span.start, n);
}

/* ---- the stdlib, readable by editors ---------------------------------------------- */

static bool write_readonly(const char *path, const char *text, size_t len) {
  struct stat st;
  if (stat(path, &st) == 0 && (size_t)st.st_size == len) return true;
  char tmp[4096];
  if (snprintf(tmp, sizeof tmp, "%s.%ld.tmp", path, (long)getpid()) >= (int)sizeof tmp) return false;
  int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0444);
  if (fd < 0) return false;
  bool ok = true;
  for (size_t done = 0; done < len && ok;) {
    ssize_t n = write(fd, text + done, len - done);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) done += (size_t)n;
  }
  ok = close(fd) == 0 && ok;
  if (ok) ok = rename(tmp, path) == 0;
  if (!ok) unlink(tmp);
  return ok;
}

static void mkdirs(const char *dir) {
  char buf[4096];
  size_t n = strlen(dir);
  if (n >= sizeof buf) return;
  memcpy(buf, dir, n + 1);
  for (size_t i = 1; i <= n; i++)
    if (buf[i] == '/' || buf[i] == '\0') {
      char ch = buf[i];
      buf[i] = '\0';
      mkdir(buf, 0755);
      buf[i] = ch;
    }
}

static void write_stdlib(LspServer *s) {
  if (s->stdlib_written || !s->opt.cache_dir) return;
  mkdirs(s->opt.cache_dir);
  bool ok = true;
  for (const IpsfStdlibModule *m = ipsf_stdlib; m->name; m++) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.ipsf", s->opt.cache_dir, m->name);
    ok = write_readonly(path, m->text, m->len) && ok;
  }
  s->stdlib_written = ok;
}

char *lsp_module_uri(LspServer *s, LspDoc *d, uint32_t module) {
  const char *path = d->c->modules[module].path;
  if (module == d->c->root) return xstrdup(d->uri);
  if (strncmp(path, "<stdlib>/", 9) == 0) {
    write_stdlib(s);
    if (s->stdlib_written) {
      char full[4096];
      snprintf(full, sizeof full, "%s/%s", s->opt.cache_dir, path + 9);
      return lsp_path_to_uri(full);
    }
    char *u = xmalloc(strlen(path) + 16);
    sprintf(u, "ipsf-stdlib:///%s", path + 9);
    return u;
  }
  const char *key = d->c->modules[module].key;
  return lsp_path_to_uri(key && key[0] == '/' ? key : path);
}

static uint32_t module_of_source(Compilation *c, uint32_t file) {
  for (size_t i = 0; i < c->module_count; i++)
    if (c->modules[i].ast && c->modules[i].ast->source == file) return (uint32_t)i;
  return UINT32_MAX;
}

json_t *lsp_location(LspServer *s, LspDoc *d, Span span) {
  uint32_t m = module_of_source(d->c, span.file);
  if (m == UINT32_MAX) return NULL;
  char *uri = lsp_module_uri(s, d, m);
  json_t *loc = json_pack("{s:o,s:o}", "uri", lsp_cstr(uri), "range", lsp_span_range(d, span));
  free(uri);
  return loc;
}

void lsp_stdlib_source(LspServer *s, json_t *id, json_t *params) {
  const char *uri = json_string_value(json_object_get(params, "uri"));
  const char *prefix = "ipsf-stdlib:///";
  if (uri && strncmp(uri, prefix, strlen(prefix)) == 0)
    for (const IpsfStdlibModule *m = ipsf_stdlib; m->name; m++) {
      const char *name = uri + strlen(prefix);
      size_t n = strlen(m->name);
      if (strncmp(name, m->name, n) == 0 && strcmp(name + n, ".ipsf") == 0) {
        lsp_reply(s, id, json_pack("{s:o}", "text", lsp_str(m->text, m->len)));
        return;
      }
    }
  lsp_reply_error(s, id, RPC_INVALID_PARAMS, "no stdlib module %s", uri ? uri : "(no uri)");
}

/* ---- documents ------------------------------------------------------------------- */

LspDoc *lsp_doc_find(LspServer *s, const char *uri) {
  if (!uri) return NULL;
  for (size_t i = 0; i < s->doc_count; i++)
    if (strcmp(s->docs[i]->uri, uri) == 0) return s->docs[i];
  return NULL;
}

void lsp_line_index_free(LspLineIndex *x) {
  free(x->off);
  free(x->units);
  *x = (LspLineIndex){0};
}

void lsp_doc_free(LspDoc *d) {
  if (!d) return;
  lsp_line_index_free(&d->line_index);
  compilation_free(d->c);
  json_decref(d->test_diags);
  free(d->uri);
  free(d->path);
  free(d->text);
  free(d);
}

LspDoc *lsp_doc_open(LspServer *s, const char *uri, const char *text, size_t len, int64_t v) {
  LspDoc *d = lsp_doc_find(s, uri);
  if (!d) {
    d = xcalloc(1, sizeof *d);
    d->uri = xstrdup(uri);
    d->path = lsp_uri_to_path(uri);
    if (s->doc_count == s->doc_cap) {
      s->doc_cap = s->doc_cap ? s->doc_cap * 2 : 8;
      s->docs = xrealloc_array(s->docs, s->doc_cap, sizeof *s->docs);
    }
    s->docs[s->doc_count++] = d;
  }
  free(d->text);
  d->text = xmalloc(len + 1);
  memcpy(d->text, text, len);
  d->text[len] = '\0';
  d->len = len;
  d->version = v;
  return d;
}

void lsp_doc_close(LspServer *s, const char *uri) {
  for (size_t i = 0; i < s->doc_count; i++)
    if (strcmp(s->docs[i]->uri, uri) == 0) {
      lsp_doc_free(s->docs[i]);
      s->docs[i] = s->docs[--s->doc_count];
      return;
    }
}

void lsp_doc_edit(LspDoc *d, size_t start, size_t end, const char *text, size_t len) {
  if (start > d->len) start = d->len;
  if (end > d->len) end = d->len;
  if (end < start) end = start;
  size_t n = d->len - (end - start) + len;
  char *t = xmalloc(n + 1);
  memcpy(t, d->text, start);
  memcpy(t + start, text, len);
  memcpy(t + start + len, d->text + end, d->len - end);
  t[n] = '\0';
  free(d->text);
  d->text = t;
  d->len = n;
}

/* ---- compiling a document ----------------------------------------------------------- */

static char *read_open_doc(void *ctx, const char *path, const char *real, uint32_t *len) {
  LspServer *s = ctx;
  for (size_t i = 0; i < s->doc_count; i++) {
    LspDoc *d = s->docs[i];
    bool same = strcmp(d->path, path) == 0;
    if (!same && real) {
      char *r = realpath(d->path, NULL);
      same = r && strcmp(r, real) == 0;
      free(r);
    }
    if (!same || d->len > LSP_MAX_DOCUMENT) continue;
    char *t = xmalloc(d->len + 1);
    memcpy(t, d->text, d->len + 1);
    *len = (uint32_t)d->len;
    return t;
  }
  return NULL;
}

/* The import of the root that leads to module `target`, or NULL. */
static const Decl *import_leading_to(Compilation *c, uint32_t from, uint32_t target, int depth) {
  const Module *ast = c->modules[from].ast;
  if (!ast || depth > 64) return NULL;
  for (size_t i = 0; i < ast->decl_count; i++) {
    const Decl *d = ast->decls[i];
    if (d->kind != D_IMPORT) continue;
    uint32_t m = index_import_target(c, from, d);
    if (m == UINT32_MAX) continue;
    if (m == target || import_leading_to(c, m, target, depth + 1)) return d;
  }
  return NULL;
}

static json_t *related(LspServer *s, LspDoc *d, Span span, const char *message) {
  json_t *loc = lsp_location(s, d, span);
  if (!loc) return NULL;
  return json_pack("{s:o,s:o}", "location", loc, "message", lsp_cstr(message));
}

static json_t *one_diag(LspServer *s, LspDoc *d, const Diag *g) {
  Compilation *c = d->c;
  json_t *rel = json_array();
  json_t *range;
  char *msg = NULL;
  if (g->span.file == d->root) {
    range = lsp_span_range(d, g->span);
  } else if (g->span.file == SPAN_NO_FILE) {
    range = lsp_range("", 0, 0, 0);
  } else {
    uint32_t m = module_of_source(c, g->span.file);
    const Decl *imp = m == UINT32_MAX ? NULL : import_leading_to(c, c->root, m, 0);
    range = imp ? lsp_span_range(d, imp->str.span) : lsp_range("", 0, 0, 0);
    uint32_t line = 0, col = 0;
    sources_line_col(&c->sources, g->span.file, g->span.start, &line, &col);
    msg = arena_printf(&c->arena, "in imported module %s:%u:%u: %s",
                       c->sources.items[g->span.file]->path, line, col, g->message);
    json_t *r = related(s, d, g->span, g->message);
    if (r) json_array_append_new(rel, r);
  }
  int sev = g->level == DIAG_ERROR ? 1 : g->level == DIAG_WARNING ? 2 : 3;
  json_t *j = json_pack("{s:o,s:i,s:s,s:o}", "range", range, "severity", sev, "source", "ipsfc",
                        "message", lsp_cstr(msg ? msg : g->message));
  if (g->code) json_object_set_new(j, "code", json_string(g->code));
  if (g->sheet_json) {
    Span at = g->span.file == SPAN_NO_FILE ? (Span){d->root, 0, 0} : g->span;
    char *text = arena_printf(&c->arena, "counterexample: %s", g->sheet_json);
    json_t *r = related(s, d, at, text);
    if (r) json_array_append_new(rel, r);
    json_error_t err;
    json_t *sheet = json_loads(g->sheet_json, 0, &err);
    if (sheet) json_object_set_new(j, "data", json_pack("{s:o}", "counterexample", sheet));
  }
  json_object_set_new(j, "relatedInformation", rel);
  return j;
}

void lsp_publish(LspServer *s, LspDoc *d) {
  json_t *list = json_array();
  if (d->len > LSP_MAX_DOCUMENT) {
    char msg[160];
    snprintf(msg, sizeof msg, "document of %zu bytes is larger than the limit of %u bytes: not checked",
             d->len, LSP_MAX_DOCUMENT);
    json_array_append_new(list, json_pack("{s:o,s:i,s:s,s:s}", "range", lsp_range("", 0, 0, 0),
                                          "severity", 1, "source", "ipsfc", "message", msg));
  } else if (d->c) {
    const Diags *g = compilation_diags(d->c);
    json_t *last = NULL;
    size_t shown = 0;
    for (size_t i = 0; i < g->count; i++) {
      const Diag *x = &g->items[i];
      if (x->level != DIAG_NOTE && shown == LSP_MAX_DIAGNOSTICS) {
        char msg[128];
        snprintf(msg, sizeof msg, "%zu more diagnostics not shown (the first %u are)",
                 g->count - i, LSP_MAX_DIAGNOSTICS);
        json_array_append_new(list, json_pack("{s:o,s:i,s:s,s:s}", "range", lsp_range("", 0, 0, 0),
                                              "severity", 1, "source", "ipsfc", "message", msg));
        break;
      }
      if (x->level == DIAG_NOTE && last) {
        json_t *r = related(s, d, x->span.file == SPAN_NO_FILE ? (Span){d->root, 0, 0} : x->span,
                            x->message);
        if (r) json_array_append_new(json_object_get(last, "relatedInformation"), r);
        continue;
      }
      last = one_diag(s, d, x);
      shown++;
      json_array_append_new(list, last);
    }
  }
  if (d->test_diags) json_array_extend(list, d->test_diags);
  lsp_notify(s, "textDocument/publishDiagnostics",
             json_pack("{s:s,s:I,s:o}", "uri", d->uri, "version", (json_int_t)d->version,
                       "diagnostics", list));
}

Compilation *lsp_new_compilation(LspServer *s, bool types_only) {
  CompileOptions opt = {0};
  opt.import_dirs = s->opt.import_dirs;
  opt.import_dir_count = s->opt.import_dir_count;
  opt.read_hook = read_open_doc;
  opt.read_ctx = s;
  opt.types_only = types_only;
  opt.analyze_limits = &s->limits;
  return compilation_new(&opt);
}

/* True if d's last compilation read `other` as one of its imports. */
static bool imports_doc(LspDoc *d, LspDoc *other) {
  if (!d->c || d == other) return false;
  char *real = realpath(other->path, NULL);
  bool found = false;
  for (size_t i = 0; i < d->c->module_count && !found; i++) {
    if (i == d->c->root) continue;
    const ModuleInfo *m = &d->c->modules[i];
    found = (real && m->key && strcmp(m->key, real) == 0) || strcmp(m->path, other->path) == 0;
  }
  free(real);
  return found;
}

void lsp_doc_check_importers(LspServer *s, LspDoc *changed) {
  for (size_t i = 0; i < s->doc_count; i++)
    if (imports_doc(s->docs[i], changed)) lsp_doc_check(s, s->docs[i], false);
}

void lsp_doc_check(LspServer *s, LspDoc *d, bool analyse) {
  d->analysis_due = false;
  if (d->len > LSP_MAX_DOCUMENT) {
    compilation_free(d->c);
    d->c = NULL;
    d->ix = NULL;
    lsp_publish(s, d);
    return;
  }
  Compilation *c = lsp_new_compilation(s, !analyse);
  check_source(c, d->path);
  compilation_free(d->c);
  d->c = c;
  lsp_line_index_free(&d->line_index);
  d->root = c->module_count ? c->modules[c->root].ast->source : 0;
  d->ix = c->module_count ? index_build(c) : NULL;
  d->analysed = analyse;
  if (!analyse && c->diags.errors == 0) {
    d->analysis_due = true;
    d->due_ms = s->now_ms + s->delay_ms;
  }
  lsp_publish(s, d);
}
