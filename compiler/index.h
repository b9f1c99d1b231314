/*
 * index.h -- where every name of a checked compilation is declared and
 * used (for the language server, compiler/lsp*.c).
 *
 *   Compilation *c = compilation_new(&opt);
 *   check_source(c, path);              // errors allowed: what resolved is indexed
 *   SymIndex *ix = index_build(c);      // in the compilation's arena
 *   const IndexEntry *e = index_at(ix, file, offset);
 *   ... index_def(ix, e->sym) ... every entry with the same sym ...
 *
 * The index is built after resolve and check_types by walking the syntax
 * trees of every module: declarations give their name's span, expressions
 * the symbol sema resolved them to (Expr.ref, ref_index), and the other
 * places a name is written (rule levels, `viewpoint V`, `confirm M`,
 * `ref ID`, `given f`, `expect requires R`, type names) are looked up the
 * way resolve.c looks them up (symtab.c).  Nothing in the passes changes:
 * the index only reads the compilation, and a name that did not resolve
 * (already an error) is simply not in it.
 *
 * A symbol is (kind, a, b): the index into the compilation's table of its
 * kind, and for enum values and methods the enum / viewpoint and the value.
 */
#ifndef IPSF_INDEX_H
#define IPSF_INDEX_H

#include "ipsfc_func.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sema.h"

typedef enum {
  SK_NONE = 0,
  SK_FACT, SK_LET, SK_FN, SK_SCALE, SK_TYPE, SK_VALUE, SK_VIEWPOINT, SK_METHOD,
  SK_REQ, SK_PROVISION, SK_TEST, SK_EXTERN, SK_MODULE,
  SK_PROFILE /* a usage profile: a = profile index */
} SymKind;

typedef struct {
  SymKind kind;
  uint32_t a;   /* FACT LET FN SCALE VIEWPOINT REQ PROVISION EXTERN MODULE: index;
                   TYPE VALUE: enum id; METHOD: viewpoint; TEST: index in c->tests */
  uint32_t b;   /* VALUE, METHOD: the value's index; else 0 */
} SymId;

typedef struct {
  SymId sym;
  Span span;    /* the name as written (qualified names whole) */
  bool is_def;
  uint32_t module;
} IndexEntry;

typedef struct {
  Compilation *c;
  IndexEntry *items;
  size_t count, cap;
} SymIndex;

IPSFC_FUNC SymIndex *index_build(Compilation *c);
IPSFC_FUNC bool sym_eq(SymId x, SymId y);
/* The entry whose span holds offset (end inclusive, so a cursor just after
 * a name finds it), or NULL. */
IPSFC_FUNC const IndexEntry *index_at(const SymIndex *ix, uint32_t file, uint32_t offset);
/* The declaration of a symbol, or NULL. */
IPSFC_FUNC const IndexEntry *index_def(const SymIndex *ix, SymId sym);
/* The module an import declaration of `module` names, or UINT32_MAX. */
IPSFC_FUNC uint32_t index_import_target(Compilation *c, uint32_t module, const Decl *imp);
/* The name of a symbol as declared (unqualified where it was declared). */
IPSFC_FUNC const char *index_sym_name(const SymIndex *ix, SymId sym);

#endif
