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

/* ---- the same tree, spans aside ------------------------------------------------------- */

/* fmt checks its result with this: a reformatted file must parse to the
 * same declarations, so only locations may differ. */

static bool same_str(const char *a, const char *b) {
  if (!a || !b) return a == b;
  return strcmp(a, b) == 0;
}

static bool same_ident(Ident a, Ident b) { return same_str(a.name, b.name); }
static bool same_lit(StrLit a, StrLit b) { return same_str(a.text, b.text); }

static bool same_type(const TypeExpr *a, const TypeExpr *b) {
  if (!a || !b) return a == b;
  if (a->kind != b->kind || a->value_count != b->value_count) return false;
  for (size_t i = 0; i < a->value_count; i++)
    if (!same_ident(a->values[i], b->values[i])) return false;
  return same_type(a->elem, b->elem) && same_ident(a->name, b->name);
}

static bool same_expr(const Expr *a, const Expr *b) {
  if (!a || !b) return a == b;
  if (a->kind != b->kind || a->item_count != b->item_count) return false;
  switch (a->kind) {
  case EX_INT: if (a->i != b->i) return false; break;
  case EX_NUMBER: if (memcmp(&a->n, &b->n, sizeof a->n) != 0) return false; break;
  case EX_STRING: if (!same_str(a->str, b->str)) return false; break;
  case EX_BOOL: if (a->b != b->b) return false; break;
  case EX_NAME: case EX_CALL: if (!same_ident(a->name, b->name)) return false; break;
  case EX_UNARY: case EX_BINARY: if (a->op != b->op) return false; break;
  default: break;
  }
  for (size_t i = 0; i < a->item_count; i++)
    if (!same_expr(a->items[i], b->items[i])) return false;
  return same_expr(a->a, b->a) && same_expr(a->b2, b->b2) && same_expr(a->c, b->c);
}

static bool same_decl(const Decl *a, const Decl *b) {
  if (a->kind != b->kind || !same_ident(a->name, b->name) || !same_lit(a->str, b->str) ||
      !same_lit(a->str2, b->str2) || a->axis != b->axis || !same_ident(a->policy, b->policy) ||
      !same_ident(a->otherwise, b->otherwise) || !same_lit(a->profile, b->profile) ||
      a->allow_nonmonotone != b->allow_nonmonotone || !same_type(a->type, b->type) ||
      !same_expr(a->value, b->value))
    return false;
  if (a->entry_count != b->entry_count || a->provision_count != b->provision_count ||
      a->fact_count != b->fact_count || a->param_count != b->param_count ||
      a->value_count != b->value_count || a->rule_count != b->rule_count ||
      a->item_count != b->item_count || a->given_count != b->given_count ||
      a->expect_count != b->expect_count)
    return false;
  for (size_t i = 0; i < a->entry_count; i++)
    if (!same_ident(a->entries[i].key, b->entries[i].key) ||
        !same_lit(a->entries[i].value, b->entries[i].value))
      return false;
  for (size_t i = 0; i < a->provision_count; i++) {
    const Provision *p = &a->provisions[i], *q = &b->provisions[i];
    if (!same_ident(p->id, q->id) || !same_lit(p->clause, q->clause) ||
        !same_lit(p->title, q->title) || !same_ident(p->status, q->status) ||
        p->satisfied_count != q->satisfied_count)
      return false;
    for (size_t k = 0; k < p->satisfied_count; k++)
      if (!same_ident(p->satisfied_by[k], q->satisfied_by[k])) return false;
  }
  for (size_t i = 0; i < a->fact_count; i++) {
    const FactDecl *p = &a->facts[i], *q = &b->facts[i];
    if (!same_ident(p->name, q->name) || !same_type(p->type, q->type) ||
        !same_expr(p->deflt, q->deflt) || !same_lit(p->doc, q->doc) || p->unordered != q->unordered ||
        p->likelihood != q->likelihood)
      return false;
  }
  for (size_t i = 0; i < a->param_count; i++)
    if (!same_ident(a->params[i].name, b->params[i].name) ||
        !same_type(a->params[i].type, b->params[i].type))
      return false;
  for (size_t i = 0; i < a->value_count; i++)
    if (!same_ident(a->values[i], b->values[i])) return false;
  for (size_t i = 0; i < a->rule_count; i++) {
    const RuleDecl *p = &a->rules[i], *q = &b->rules[i];
    if (!same_ident(p->level, q->level) || !same_expr(p->cond, q->cond) ||
        !same_lit(p->because, q->because))
      return false;
  }
  for (size_t i = 0; i < a->item_count; i++) {
    const ReqItem *p = &a->items[i], *q = &b->items[i];
    if (p->kind != q->kind || !same_ident(p->ident, q->ident) ||
        !same_ident(p->value, q->value) || !same_lit(p->str, q->str) ||
        !same_expr(p->expr, q->expr) || p->every != q->every || p->id_count != q->id_count)
      return false;
    for (size_t k = 0; k < p->id_count; k++)
      if (!same_ident(p->ids[k], q->ids[k])) return false;
  }
  for (size_t i = 0; i < a->given_count; i++)
    if (!same_ident(a->givens[i].fact, b->givens[i].fact) ||
        !same_expr(a->givens[i].value, b->givens[i].value))
      return false;
  for (size_t i = 0; i < a->expect_count; i++) {
    const Expect *p = &a->expects[i], *q = &b->expects[i];
    if (p->kind != q->kind || !same_expr(p->expr, q->expr) || !same_ident(p->id, q->id) ||
        !same_ident(p->method, q->method) || !same_lit(p->str, q->str))
      return false;
  }
  if (a->pitem_count != b->pitem_count) return false;
  for (size_t i = 0; i < a->pitem_count; i++) {
    const ProfileItem *p = &a->pitems[i], *q = &b->pitems[i];
    if (p->kind != q->kind || !same_ident(p->fact, q->fact) || !same_expr(p->value, q->value) ||
        !same_lit(p->str, q->str))
      return false;
  }
  return true;
}

bool ast_equal(const Module *a, const Module *b, const char **why) {
  if (a->decl_count != b->decl_count) {
    if (why) *why = "a different number of declarations";
    return false;
  }
  for (size_t i = 0; i < a->decl_count; i++)
    if (!same_decl(a->decls[i], b->decls[i])) {
      if (why) *why = "a declaration changed";
      return false;
    }
  return true;
}
