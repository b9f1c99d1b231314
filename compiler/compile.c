/*
 * compile.c -- the compiler driver: load, resolve, check, emit, serialise.
 *
 * Each pass runs even when an earlier one reported errors (so a run reports
 * all errors of a file), but code is only emitted from an error-free
 * compilation.  The bytes are handed back exactly as ipsb_write made them;
 * the caller loads them through the verifier like any .ipsb file, so no
 * path runs unverified code, source packs included.
 */
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "sema.h"

Compilation *compilation_new(const CompileOptions *opt) {
  Compilation *c = xcalloc(1, sizeof *c);
  arena_init(&c->arena);
  sources_init(&c->sources);
  diags_init(&c->diags, &c->sources);
  if (opt) c->opt = *opt;
  return c;
}

void compilation_free(Compilation *c) {
  if (!c) return;
  diags_free(&c->diags);
  sources_free(&c->sources);
  arena_free(&c->arena);
  free(c);
}

Diags *compilation_diags(Compilation *c) { return &c->diags; }

/* Load, resolve, check types: the diagnostics of the source as written. */
static bool check_semantics(Compilation *c, const char *path) {
  if (!load_root(c, path)) return false;
  resolve_declarations(c);
  check_types(c);
  if (c->diags.errors == 0) check_framework(c);
  return c->diags.errors == 0;
}

bool check_source(Compilation *c, const char *path) {
  if (!check_semantics(c, path)) return false;
  if (c->opt.types_only) return true;
  /* Code generation reports what only it finds (a pack past the limits of
   * the bytecode): a clean check means the pack compiles. */
  IpsfPack *pack = NULL;
  if (c->pack && codegen_pack(c, &pack)) ipsf_pack_free(pack);
  /* Static analysis (gaps, overlaps, dead rules, ...): warnings, only on a
   * pack that compiles. */
  if (c->pack && c->diags.errors == 0) analyze_pack(c, c->opt.analyze_limits);
  return c->diags.errors == 0;
}

bool compile_pack(Compilation *c, const char *path, uint8_t **bytes, size_t *len) {
  if (!check_semantics(c, path)) return false;
  if (!c->pack) {
    Span file_start = {c->modules[c->root].ast->source, 0, 0};
    diag_error(&c->diags, file_start,
               "%s has no pack header: it is a module, which can be checked and imported "
               "but not compiled (add `pack \"NAME\" version \"1.0.0\" { }`)",
               c->modules[c->root].path);
    return false;
  }
  IpsfPack *pack = NULL;
  if (!codegen_pack(c, &pack)) return false;
  bool ok = ipsb_write(pack, bytes, len);
  ipsf_pack_free(pack);
  if (!ok) {
    diag_error(&c->diags, NO_SPAN, "out of memory while writing the pack");
    return false;
  }
  return true;
}
