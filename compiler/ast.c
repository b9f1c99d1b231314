/*
 * ast.c -- construction helpers for the AST of ast.h and the parse context
 * shared by the scanner and the parser (parse_internal.h).
 *
 * Every node lives in the compilation's arena: nodes are never freed one by
 * one, which is why the grammar needs no %destructor for memory.
 */
#include <stdlib.h>
#include <string.h>

#include "ast.h"
#include "parse_internal.h"

Expr *ast_expr(Arena *a, ExprKind kind, Span span) {
  Expr *e = arena_alloc(a, sizeof *e);
  e->kind = kind;
  e->span = span;
  return e;
}

Decl *ast_decl(Arena *a, DeclKind kind, Span span) {
  Decl *d = arena_alloc(a, sizeof *d);
  d->kind = kind;
  d->span = span;
  return d;
}

TypeExpr *ast_type(Arena *a, TypeExprKind kind, Span span) {
  TypeExpr *t = arena_alloc(a, sizeof *t);
  t->kind = kind;
  t->span = span;
  return t;
}

/* The smallest span covering both; a span of another file (or none) is
 * ignored so joining never invents a cross-file range. */
Span span_join(Span a, Span b) {
  if (a.file != b.file) return a.file == SPAN_NO_FILE ? b : a;
  Span r = a;
  if (b.start < r.start) r.start = b.start;
  if (b.end > r.end) r.end = b.end;
  return r;
}

/* Capacity implied by a count: 0 -> 0, then 4, 8, 16, ... */
static size_t implied_cap(size_t count) {
  if (count == 0) return 0;
  size_t cap = 4;
  while (cap < count) cap *= 2;
  return cap;
}

void *ast_grow(Arena *a, void *items, size_t count, size_t elem) {
  size_t cap = implied_cap(count);
  if (count < cap) return items;
  size_t ncap = cap ? cap * 2 : 4;
  void *grown = arena_array(a, ncap, elem);
  if (count) memcpy(grown, items, count * elem);
  return grown;
}

void parse_ctx_init(ParseCtx *ctx, Arena *arena, Diags *diags,
                    const SourceSet *sources, uint32_t source) {
  memset(ctx, 0, sizeof *ctx);
  ctx->arena = arena;
  ctx->diags = diags;
  ctx->sources = sources;
  ctx->source = source;
}

void parse_ctx_release(ParseCtx *ctx) {
  free(ctx->sbuf);
  ctx->sbuf = NULL;
  ctx->slen = ctx->scap = 0;
}
