/*
 * compile.h -- the compiler as the CLI sees it.
 *
 *   Compilation *c = compilation_new(&opt);
 *   if (compile_pack(c, "pack.ipsf", &bytes, &len)) ... write bytes ...
 *   diags_sort(compilation_diags(c)); diags_print(compilation_diags(c), stderr, color);
 *   compilation_free(c);
 */
#ifndef IPSF_COMPILE_H
#define IPSF_COMPILE_H

#include "ipsfc_func.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "pack.h"

typedef struct {
  const char **import_dirs; /* -I directories, searched after the stdlib */
  size_t import_dir_count;
  /* Instrument the code for `ipsfc test` (codegen.c, "test instrumentation"):
   * the tests as data (pack.h IpsfTests), a hidden int gate slot `test#`,
   * a hidden bool let per `expect EXPR` of each test, a hidden bool per
   * confirm line.  Off: the bytecode is unchanged. */
  bool with_tests;
  /* With with_tests: the table of cases (a CSV file, docs/language.md
   * section 16) whose rows become tests too; NULL or a file that does not
   * exist: none. */
  const char *cases;
  /* `ipsfc compile --with-tests`: the tests go into the .ipsb (section
   * TESTS) for `ipsfc test PACK.ipsb`.  No coverage instrumentation (only
   * `ipsfc test` from source has it), and a table of cases that cannot be
   * used, or a test that cannot be stored, is a compile error. */
  bool keep_tests;
  /* `ipsfc test --allow-native LIB`: the libraries whose externs the tests
   * may call (ipsf_pack_bind_natives). */
  const char *const *allow_native;
  size_t allow_native_count;
  /* The language server's open documents (compiler/lsp_docs.c): asked for
   * each file before it is read from disk, with the path as load.c formed
   * it and its real path (NULL if it has none).  Returns a malloc'd,
   * NUL-terminated copy (*len bytes) the compilation takes, or NULL to read
   * the file.  NULL hook: files only. */
  char *(*read_hook)(void *ctx, const char *path, const char *real, uint32_t *len);
  void *read_ctx;
  /* check_source stops after the type check (no code generation, no
   * analysis): the language server's diagnostics while typing. */
  bool types_only;
  /* The analysis's work bounds (analyze.h); NULL: the defaults.  The
   * language server's are smaller: it answers while one types. */
  const struct AnalyzeLimits *analyze_limits;
  /* Compile every rules block as its chain of compares and hits, never as
   * a decision table (codegen_tables.c): for the tests that compare the
   * two, and `ipsfc compile --no-tables`. */
  bool no_tables;
} CompileOptions;

typedef struct Compilation Compilation;

Compilation *compilation_new(const CompileOptions *opt);
void compilation_free(Compilation *c);
Diags *compilation_diags(Compilation *c);

/* Parse and check `path` and its imports: every diagnostic goes to the
 * compilation's Diags.  A file without a `pack` header is a module: it can
 * be checked but not compiled.  Returns true if there were no errors. */
bool check_source(Compilation *c, const char *path);

/* check_source, then emit the pack and serialise it (.ipsb bytes, malloc'd,
 * owned by the caller).  false if any error was reported. */
bool compile_pack(Compilation *c, const char *path, uint8_t **bytes, size_t *len);

#endif
