/*
 * load.c -- read the root file and everything it imports.
 *
 * `import "ssf";` names a stdlib module: the one built into the binary
 * first, then NAME.ipsf in each -I directory.  `import "dir/x.ipsf";` (a
 * path ending in .ipsf) is relative to the importing file, then to each -I
 * directory.  Every module is parsed once, however often it is imported;
 * modules are loaded depth first, so load_order lists imports before the
 * files that import them, and an import that reaches a module still being
 * loaded is a cycle, reported with the whole chain.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sema.h"
#include "stdlib_modules.h"

/* Sources larger than this are refused (a rule pack is text written by
 * people; this bounds the work an input can cause). */
#define MAX_SOURCE_BYTES (16u * 1024u * 1024u)

static bool ends_with(const char *s, const char *suffix) {
  size_t n = strlen(s), m = strlen(suffix);
  return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Read a whole file; NULL with errno-style message in *why.  A directory
 * says so (fopen opens one; reading it fails with EISDIR), and so does a
 * compiled pack, recognised by its magic whatever its name (EV.IPSB). */
static char *read_file(const char *path, uint32_t *len, const char **why) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    *why = strerror(errno);
    return NULL;
  }
  struct stat st;
  if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
    fclose(f);
    *why = strerror(EISDIR);
    return NULL;
  }
  size_t cap = 4096, n = 0;
  char *buf = xmalloc(cap);
  for (;;) {
    if (n + 1 >= cap) {
      if (cap > MAX_SOURCE_BYTES) {
        fclose(f);
        free(buf);
        *why = "file is larger than 16 MiB";
        return NULL;
      }
      cap *= 2;
      buf = xrealloc_array(buf, cap, 1);
    }
    size_t got = fread(buf + n, 1, cap - n - 1, f);
    n += got;
    if (got == 0) break;
  }
  bool failed = ferror(f) != 0;
  int err = errno;
  fclose(f);
  if (failed || n > MAX_SOURCE_BYTES) {
    free(buf);
    *why = failed ? (err ? strerror(err) : "read error") : "file is larger than 16 MiB";
    return NULL;
  }
  if (n >= 8 && memcmp(buf, "\x89IPSB\r\n\x1a", 8) == 0) {
    free(buf);
    *why = "it is a compiled pack (.ipsb bytecode), not source";
    return NULL;
  }
  buf[n] = '\0';
  /* A UTF-8 byte order mark is not part of the text (editors add it). */
  if (n >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) {
    memmove(buf, buf + 3, n - 2);
    n -= 3;
  }
  *len = (uint32_t)n;
  return buf;
}

/* An open editor buffer (CompileOptions.read_hook) before the file. */
static char *read_source(Compilation *c, const char *path, const char *real, uint32_t *len,
                         const char **why) {
  if (c->opt.read_hook) {
    char *text = c->opt.read_hook(c->opt.read_ctx, path, real, len);
    if (text) return text;
  }
  return read_file(path, len, why);
}

static uint32_t find_module(Compilation *c, const char *key) {
  for (size_t i = 0; i < c->module_count; i++)
    if (strcmp(c->modules[i].key, key) == 0) return (uint32_t)i;
  return UINT32_MAX;
}

/* A file is known by its real path, so "lib/b.ipsf" and "./lib/b.ipsf" are
 * one module. */
static const char *file_key(Compilation *c, const char *path) {
  char *real = realpath(path, NULL);
  if (!real) return NULL;
  const char *key = arena_strdup(&c->arena, real);
  free(real);
  return key;
}

static uint32_t add_module(Compilation *c, const char *path, const char *key, char *text,
                           uint32_t len) {
  uint32_t source = sources_add(&c->sources, path, text, len);
  ModuleInfo *m = PUSH(c, c->modules, c->module_count, c->module_cap);
  memset(m, 0, sizeof *m);
  m->key = key;
  m->path = c->sources.items[source]->path;
  m->ast = parse_module(&c->arena, &c->diags, &c->sources, source);
  return (uint32_t)(m - c->modules);
}

static const char *dir_of(Compilation *c, const char *path) {
  const char *slash = strrchr(path, '/');
  if (!slash || strncmp(path, "<stdlib>", 8) == 0) return NULL;
  return arena_strndup(&c->arena, path, (size_t)(slash - path));
}

/* Try `candidate`; on success register it (or find it already loaded). */
static uint32_t try_file(Compilation *c, const char *candidate) {
  const char *key = file_key(c, candidate);
  if (!key) return UINT32_MAX;
  uint32_t known = find_module(c, key);
  if (known != UINT32_MAX) return known;
  uint32_t len = 0;
  const char *why = NULL;
  char *text = read_source(c, candidate, key, &len, &why);
  if (!text) return UINT32_MAX;
  return add_module(c, candidate, key, text, len);
}

static uint32_t find_stdlib(Compilation *c, const char *name) {
  const char *path = arena_printf(&c->arena, "<stdlib>/%s.ipsf", name);
  uint32_t known = find_module(c, path);
  if (known != UINT32_MAX) return known;
  for (const IpsfStdlibModule *m = ipsf_stdlib; m->name; m++) {
    if (strcmp(m->name, name) != 0) continue;
    char *text = xmalloc(m->len + 1);
    memcpy(text, m->text, m->len + 1);
    return add_module(c, path, path, text, (uint32_t)m->len);
  }
  return UINT32_MAX;
}

/* Resolve an import string from module `from` to a module index. */
static uint32_t resolve_import(Compilation *c, uint32_t from, const char *what) {
  if (!ends_with(what, ".ipsf")) {
    if (strchr(what, '/') == NULL) {
      uint32_t m = find_stdlib(c, what);
      if (m != UINT32_MAX) return m;
    }
    for (size_t i = 0; i < c->opt.import_dir_count; i++) {
      const char *p = arena_printf(&c->arena, "%s/%s.ipsf", c->opt.import_dirs[i], what);
      uint32_t m = try_file(c, p);
      if (m != UINT32_MAX) return m;
    }
    return UINT32_MAX;
  }
  const char *dir = what[0] == '/' ? NULL : dir_of(c, c->modules[from].path);
  const char *p = dir ? arena_printf(&c->arena, "%s/%s", dir, what) : what;
  uint32_t m = try_file(c, p);
  if (m != UINT32_MAX) return m;
  for (size_t i = 0; i < c->opt.import_dir_count; i++) {
    m = try_file(c, arena_printf(&c->arena, "%s/%s", c->opt.import_dirs[i], what));
    if (m != UINT32_MAX) return m;
  }
  return UINT32_MAX;
}

typedef struct {
  uint32_t *items;
  size_t count, cap;
} ModuleStack;

static void report_cycle(Compilation *c, const ModuleStack *stack, uint32_t target, Span at) {
  const char *chain = "";
  bool in_cycle = false;
  for (size_t i = 0; i < stack->count; i++) {
    if (stack->items[i] == target) in_cycle = true;
    if (in_cycle)
      chain = arena_printf(&c->arena, "%s%s -> ", chain, c->modules[stack->items[i]].path);
  }
  diag_error(&c->diags, at, "import cycle: %s%s", chain, c->modules[target].path);
}

static void set_prefix(Compilation *c, uint32_t m, const Decl *imp) {
  const char *alias = imp->name.name;
  ModuleInfo *info = &c->modules[m];
  if (info->state == 0 && info->prefix == NULL) {
    info->prefix = alias;
    return;
  }
  const char *had = info->prefix ? info->prefix : "(none)";
  const char *now = alias ? alias : "(none)";
  if (strcmp(had, now) != 0)
    diag_error(&c->diags, imp->span,
               "'%s' is imported with prefix %s here but with prefix %s elsewhere",
               info->path, now, had);
}

static void load_module(Compilation *c, uint32_t m, ModuleStack *stack) {
  c->modules[m].state = 1;
  stack->items = grow_array(&c->arena, stack->items, &stack->cap, stack->count,
                            sizeof *stack->items);
  stack->items[stack->count++] = m;
  Module *ast = c->modules[m].ast;
  for (size_t i = 0; i < ast->decl_count; i++) {
    Decl *d = ast->decls[i];
    if (d->kind != D_IMPORT || d->str.text == NULL) continue;
    uint32_t target = resolve_import(c, m, d->str.text);
    if (target == UINT32_MAX) {
      diag_error(&c->diags, d->str.span, "cannot find module \"%s\"", d->str.text);
      continue;
    }
    /* resolve_import may have grown (moved) the modules array */
    ast = c->modules[m].ast;
    if (c->modules[target].state == 1) {
      report_cycle(c, stack, target, d->str.span);
      continue;
    }
    set_prefix(c, target, d);
    if (c->modules[target].state == 0) load_module(c, target, stack);
  }
  stack->count--;
  c->modules[m].state = 2;
  *PUSH(c, c->load_order, c->load_count, c->load_cap) = m;
}

bool load_root(Compilation *c, const char *path) {
  uint32_t len = 0;
  const char *why = NULL;
  const char *key = file_key(c, path);
  char *text = read_source(c, path, key, &len, &why);
  if (!text) {
    diag_error(&c->diags, NO_SPAN, "cannot read %s: %s", path, why);
    return false;
  }
  c->root = add_module(c, path, key ? key : path, text, len);
  ModuleStack stack = {0};
  load_module(c, c->root, &stack);
  return true;
}
