/*
 * parse_internal.h -- private to the front end (grammar/lexer.l,
 * grammar/parser.y, compiler/ast.c) and its unit tests.
 *
 * ParseCtx is all the mutable state of one parse: the scanner reaches it as
 * yyextra, the parser as a %parse-param.  There is no global state, so any
 * number of files can be parsed at once.
 */
#ifndef IPSF_PARSE_INTERNAL_H
#define IPSF_PARSE_INTERNAL_H

#include "ipsfc_func.h"

#include <stdbool.h>
#include <stdint.h>

#include "arena.h"
#include "ast.h"
#include "diag.h"

typedef struct ParseCtx {
  Arena *arena;
  Diags *diags;
  const SourceSet *sources;
  uint32_t source; /* file index put in every Span */

  /* scanner */
  uint32_t pos;          /* byte offset of the next unread byte */
  int comment_return;    /* start condition to resume after a comment */
  uint32_t str_start;    /* offset of the opening quote of the string */
  char *sbuf;            /* decoded bytes of the string being scanned (malloc) */
  size_t slen, scap;
  bool skipped_input;    /* bytes were reported and dropped since the last token */
  bool token_after_skip; /* ...just before the token last returned */
  /* Open braces: a declaration keyword (rules, requirement, let...) or the
   * end of the file while a '{' is open means a '}' is missing; the
   * scanner reports it once and hands the parser the missing '}'s, so the
   * block ends there and the rest of the file parses as written. */
  uint32_t depth;
  uint32_t open_at[32];  /* offsets of the innermost open '{'s (depth <= 32) */
  size_t open_errors[32]; /* syntax_errors when each was opened */
  bool closing;          /* '}'s are being supplied (reported once) */

  /* parser */
  PtrVec decls;          /* every declaration that parsed, in order */
  size_t syntax_errors;  /* reported by the parser (lexical ones not counted) */
  bool reqid_list;       /* after `satisfied_by`: ids separated by ',' */
  bool too_deep;         /* an expression passed IPSF_MAX_EXPR_DEPTH (reported once) */
} ParseCtx;

IPSFC_FUNC void parse_ctx_init(ParseCtx *ctx, Arena *arena, Diags *diags,
                               const SourceSet *sources, uint32_t source);
/* Frees what the scanner malloc'd (the string buffer), not the arena. */
IPSFC_FUNC void parse_ctx_release(ParseCtx *ctx);

/* Appends a zeroed element to an arena array `items` of `count` elements of
 * `elem` bytes and returns the array (moved when it grows).  The capacity
 * is implied by the count (4, then powers of two), so the AST's plain
 * pointer + count pairs can be built without a separate capacity field. */
IPSFC_FUNC void *ast_grow(Arena *a, void *items, size_t count, size_t elem);
#define AST_PUSH(arena, arr, n) \
  ((arr) = ast_grow((arena), (arr), (n), sizeof *(arr)), &(arr)[(n)++])

/* Lists built by the grammar before they land in a node. */
typedef struct { Ident *items; size_t count; } IdentList;
typedef struct { Expr **items; size_t count; } ExprList;
typedef struct { Param *items; size_t count; } ParamList;
typedef struct { Given *items; size_t count; bool bad; } GivenList;

/* ---- the scanner on its own (for tests and tools) ---------------------------- */

typedef struct {
  int kind;          /* a token kind of parser.h (T_IDENT, KW_PACK, ';'...), 0 at end */
  Span span;
  const char *text;  /* T_IDENT, T_REQID: the name; T_STRING: decoded text */
  int64_t i;         /* T_INT */
  double n;          /* T_NUMBER */
} LexToken;

typedef struct Lexer Lexer;
IPSFC_FUNC Lexer *lexer_open(Arena *arena, Diags *diags, const SourceSet *sources,
                             uint32_t source);
/* The next token; kind 0 at end of input (and forever after). */
IPSFC_FUNC int lexer_next(Lexer *lx, LexToken *tok);
IPSFC_FUNC void lexer_close(Lexer *lx);

#endif
