/*
 * parser.y -- the grammar of the IPSF rule language (LANGUAGE.md 3-4) and
 * parse_module(), the front end's entry point (ast.h).
 *
 * A pure (reentrant) LALR(1) parser with LAC, so the expected-token lists
 * in messages are exact.  Locations are the Span of diag.h: YYLLOC_DEFAULT
 * joins the spans of a rule's symbols, so every node gets the byte range
 * of the text it came from.
 *
 * Errors: yyreport_syntax_error (parse.error custom) writes our own wording,
 * "expected ';' or 'because', found 'when'", naming tokens as a user
 * writes them, never as internal names.  Recovery is by `error` rules at
 * every list of the language: declarations, pack entries, facts, rules,
 * requirement items, test items, and inside braces ({ levels }, enum
 * { values }, given { ... }), so every error of a file is reported once,
 * without cascades.  A construct with an error inside is left out of the
 * AST (the rest of the file still is there), so later passes never meet a
 * half-built node.
 *
 * Values are arena pointers or small structs of arena pointers: nothing
 * to free when the parser discards a symbol, hence no %destructor.
 *
 * Depth: bison's stack is on the heap and bounded by YYMAXDEPTH (10000
 * states, more than any sane nesting of parentheses or `if`s); past it
 * the parse stops with a diagnostic instead of exhausting memory.  The
 * grammar is otherwise left-recursive for lists, so a long list costs no
 * stack at all.
 */

%define api.pure full
%define api.location.type {Span}
%define parse.error custom
%define parse.lac full
%locations
%expect 0
%param {yyscan_t scanner}
%parse-param {ParseCtx *ctx}

%code requires {
#include <stdint.h>

#include "ast.h"
#include "diag.h"
#include "parse_internal.h"

#ifndef YY_TYPEDEF_YY_SCANNER_T
#define YY_TYPEDEF_YY_SCANNER_T
typedef void *yyscan_t;
#endif
}

%code {
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "lexer.h"

/* A rule's span runs from its first symbol to its last; an empty rule is
 * a zero-width span where the previous symbol ended. */
#define YYLLOC_DEFAULT(Cur, Rhs, N)                                       \
  do {                                                                    \
    if (N) {                                                              \
      (Cur).file = YYRHSLOC(Rhs, 1).file;                                 \
      (Cur).start = YYRHSLOC(Rhs, 1).start;                               \
      (Cur).end = YYRHSLOC(Rhs, N).end;                                   \
    } else {                                                              \
      (Cur).file = YYRHSLOC(Rhs, 0).file;                                 \
      (Cur).start = (Cur).end = YYRHSLOC(Rhs, 0).end;                     \
    }                                                                     \
  } while (0)

/* See the header comment: a bounded, heap-allocated parser stack. */
#define YYMAXDEPTH 10000
#define YYMALLOC xmalloc
#define YYFREE free

static void yyerror(YYLTYPE *loc, yyscan_t scanner, ParseCtx *ctx, const char *msg);

static Ident ident(const char *name, Span span) { return (Ident){name, span}; }
static StrLit strlit(const char *text, Span span) { return (StrLit){text, span}; }

/* `unordered` exempts a fact from the monotonicity check; `likelihood`
 * marks it as one that measures how likely an incident is, which the
 * framework keeps out of placement (compiler/framework.c). */
enum { FACT_MOD_UNORDERED = 1, FACT_MOD_LIKELIHOOD = 2 };

static int fact_modifier(ParseCtx *ctx, int mask, const char *name, YYLTYPE at) {
  int bit = strcmp(name, "unordered") == 0    ? FACT_MOD_UNORDERED
            : strcmp(name, "likelihood") == 0 ? FACT_MOD_LIKELIHOOD
                                              : 0;
  if (!bit)
    diag_error(ctx->diags, at, "unknown fact modifier '%s' (`unordered`, `likelihood`)", name);
  else if (mask & bit)
    diag_error(ctx->diags, at, "fact modifier '%s' is given twice", name);
  return mask | bit;
}

/* Set e's depth from its operands.  Past IPSF_MAX_EXPR_DEPTH, report once
 * per file and return the deepest operand instead of e, so the tree never
 * grows deeper than the limit (the error fails the compilation). */
static Expr *nested(ParseCtx *ctx, Expr *e) {
  uint32_t d = 0;
  Expr *deepest = NULL;
  Expr *ops[3] = {e->a, e->b2, e->c};
  for (int i = 0; i < 3; i++)
    if (ops[i] && ops[i]->depth >= d) d = ops[i]->depth, deepest = ops[i];
  for (size_t i = 0; i < e->item_count; i++)
    if (e->items[i]->depth >= d) d = e->items[i]->depth, deepest = e->items[i];
  if (d < IPSF_MAX_EXPR_DEPTH || !deepest) {
    e->depth = d + 1;
    return e;
  }
  if (!ctx->too_deep) {
    ctx->too_deep = true;
    diag_error(ctx->diags, e->span,
               "expression nested too deeply: more than %u levels (the limit; split it "
               "with `let`, or use `in {...}` for a long chain of `or`)",
               IPSF_MAX_EXPR_DEPTH);
  }
  return deepest;
}

static Expr *binary(ParseCtx *ctx, ExprOp op, Expr *a, Expr *b, Span span) {
  Expr *e = ast_expr(ctx->arena, EX_BINARY, span);
  e->op = op;
  e->a = a;
  e->b2 = b;
  return nested(ctx, e);
}

/* The literal 9223372036854775808 (2^63) comes from the scanner as an
 * EX_INT whose i is INT64_MIN but whose n is still positive: it is valid
 * only as the operand of a unary minus, as in Java, so that the smallest
 * int can be written -9223372036854775808 (docs/language.md "Integers"). */
static bool is_two63(const Expr *e) { return e->kind == EX_INT && e->i == INT64_MIN && e->n > 0; }

/* An operand of `*`, `/`, `%` or of the binary operators above them: every
 * unary passes here, so a 2^63 literal not taken by a minus is reported
 * once, with the scanner's wording for any other literal too large. */
static Expr *int_operand(ParseCtx *ctx, Expr *e) {
  if (is_two63(e)) {
    diag_error(ctx->diags, e->span,
               "integer literal is too large (the largest is 9223372036854775807)");
    e->i = 0;
    e->n = 0;
  }
  return e;
}

/* `-` of a literal is folded into the literal (-5 is the int -5).  It
 * cannot overflow: literals are at most INT64_MAX, but for 2^63, whose
 * negation is INT64_MIN; INT64_MIN itself (`- -9223372036854775808`) is
 * left to constant folding, which reports the overflow. */
static Expr *negate(ParseCtx *ctx, Expr *a, Span span) {
  if (is_two63(a)) {
    a->n = -a->n;
    a->span = span;
    return a;
  }
  if ((a->kind == EX_INT && a->i != INT64_MIN) || a->kind == EX_NUMBER) {
    a->i = -a->i;
    a->n = -a->n;
    a->span = span;
    return a;
  }
  Expr *e = ast_expr(ctx->arena, EX_UNARY, span);
  e->op = OP_NEG;
  e->a = a;
  return nested(ctx, e);
}

static void add_decl(ParseCtx *ctx, Decl *d) {
  if (d) ptrvec_push(ctx->arena, &ctx->decls, d);
}
}

%union {
  const char *text;  /* T_IDENT, T_REQID: name; T_STRING: decoded text */
  int64_t ival;
  double nval;
  int op;            /* an ExprOp */
  Expr *expr;
  TypeExpr *type;    /* NULL: a type with an error inside (dropped) */
  Decl *decl;        /* NULL: nothing to add */
  Ident ident;
  StrLit str;
  IdentList idents;
  ExprList exprs;
  ParamList params;
  GivenList givens;
  Given given;
  Expect expect;
  ReqItem item;
}

/* Value tokens first: in "expected ..." lists they read best first. */
%token <text> T_IDENT "an identifier"
%token <text> T_STRING "a string"
%token <ival> T_INT "an integer"
%token <nval> T_NUMBER "a number"
%token <text> T_REQID "a requirement id"

%token KW_PACK "pack" KW_VERSION "version" KW_IMPORT "import" KW_AS "as"
%token KW_FACTS "facts" KW_TYPE "type" KW_LET "let" KW_FN "fn"
%token KW_SCALE "scale" KW_AXIS "axis" KW_RULES "rules" KW_POLICY "policy"
%token KW_WHEN "when" KW_BECAUSE "because" KW_OTHERWISE "otherwise"
%token KW_REQUIREMENT "requirement" KW_VIEWPOINT "viewpoint" KW_REF "ref"
%token KW_APPLIES "applies" KW_ALWAYS "always" KW_CONFIRM "confirm"
%token KW_EVERY "every" KW_MONTHS "months" KW_MONTH "month"
%token KW_PARTY "party" KW_DOC "doc" KW_TEST "test" KW_GIVEN "given"
%token KW_PROFILE "profile" KW_EXPECT "expect" KW_REQUIRES "requires"
%token KW_WITH "with" KW_NOT "not" KW_AND "and" KW_OR "or" KW_IN "in"
%token KW_IF "if" KW_THEN "then" KW_ELSE "else" KW_TRUE "true"
%token KW_FALSE "false" KW_BOOL "bool" KW_INT "int" KW_NUMBER "number"
%token KW_STRING "string" KW_ENUM "enum" KW_SET "set" KW_OF "of"
%token KW_EXTERN "extern" KW_CATALOG "catalog" KW_PROVISION "provision"
%token KW_SATISFIED_BY "satisfied_by"
%token KW_COMPENSATED_BY "compensated_by"

%token T_EQ "==" T_NE "!=" T_LE "<=" T_GE ">=" T_ARROW "->"
%token ';' ',' ':' '=' '{' '}' '(' ')' '<' '>' '+' '-' '*' '/' '%'

%type <decl> decl pack_body fact_list rule_list req_items test_items catalog_items
%type <decl> profile_items
%type <type> type
%type <expr> expr or_expr and_expr not_expr cmp_expr add_expr mul_expr unary primary
%type <expr> when_opt default_opt
%type <exprs> exprs
%type <op> cmp_op fact_mods
%type <ident> import_alias policy_opt with_opt fact_name let_name fn_name rules_name
%type <str> string_opt because_opt extern_as
%type <idents> idents level_list reqids satisfied_opt
%type <params> params params_opt types types_opt
%type <givens> givens given_block
%type <given> given
%type <expect> expect
%type <item> req_item

%initial-action { @$ = (Span){ctx->source, 0, 0}; }

%%

module
  : decls
  ;

decls
  : %empty
  | decls decl      { add_decl(ctx, $2); }
  | decls error
  ;

decl
  : KW_PACK T_STRING KW_VERSION T_STRING '{' pack_body '}'
      { $$ = $6; $$->span = @$; $$->str = strlit($2, @2); $$->str2 = strlit($4, @4); }
  | KW_PACK error '{' pack_body '}'
      { $$ = NULL; (void)$4; }
  | KW_CATALOG T_STRING KW_VERSION T_STRING '{' catalog_items '}'
      { $$ = $6; $$->span = @$; $$->str = strlit($2, @2); $$->str2 = strlit($4, @4); }
  | KW_CATALOG error '{' catalog_items '}'
      { $$ = NULL; (void)$4; }
  | KW_IMPORT T_STRING import_alias ';'
      { $$ = ast_decl(ctx->arena, D_IMPORT, @$); $$->str = strlit($2, @2); $$->name = $3; }
  | KW_FACTS '{' fact_list '}'
      { $$ = $3; $$->span = @$; }
  | KW_FACTS error '{' fact_list '}'
      { $$ = NULL; (void)$4; }
  | KW_TYPE T_IDENT '=' type ';'
      { $$ = NULL;
        if ($4) { $$ = ast_decl(ctx->arena, D_TYPE, @$); $$->name = ident($2, @2); $$->type = $4; } }
  | let_name '=' expr ';'
      { $$ = ast_decl(ctx->arena, D_LET, @$); $$->name = $1; $$->value = $3;
        diag_unpoison(ctx->diags, $1.name); }
  | fn_name '(' params_opt ')' T_ARROW type '=' expr ';'
      { $$ = NULL;
        if ($3.items || $3.count == 0) {
          if ($6) {
            $$ = ast_decl(ctx->arena, D_FN, @$); $$->name = $1;
            $$->params = $3.items; $$->param_count = $3.count;
            $$->type = $6; $$->value = $8;
            diag_unpoison(ctx->diags, $1.name);
          }
        } }
  | KW_SCALE T_IDENT level_list
      { $$ = NULL;
        if ($3.items) {
          $$ = ast_decl(ctx->arena, D_SCALE, @$); $$->name = ident($2, @2);
          $$->values = $3.items; $$->value_count = $3.count;
        } }
  | KW_SCALE error level_list
      { $$ = NULL; (void)$3; }
  | KW_AXIS error level_list
      { $$ = NULL; (void)$3; }
  | KW_AXIS T_INT T_IDENT level_list
      { $$ = NULL;
        if ($2 == INT64_MIN) /* 2^63: see is_two63 */
          diag_error(ctx->diags, @2,
                     "integer literal is too large (the largest is 9223372036854775807)");
        else if ($2 != 1 && $2 != 2)
          diag_error(ctx->diags, @2, "an axis is 1 (recovery) or 2 (economic), not %lld",
                     (long long)$2);
        if ($4.items) {
          $$ = ast_decl(ctx->arena, D_SCALE, @$); $$->name = ident($3, @3);
          $$->values = $4.items; $$->value_count = $4.count;
          $$->axis = ($2 == 1 || $2 == 2) ? (int)$2 : 0;
        } }
  | rules_name policy_opt '{' rule_list '}'
      { $$ = $4; $$->span = @$; $$->name = $1; $$->policy = $2;
        diag_unpoison(ctx->diags, $1.name); }
  /* `policy P allow nonmonotone`: silences the monotonicity check (analyze.c) */
  | rules_name KW_POLICY T_IDENT T_IDENT T_IDENT '{' rule_list '}'
      { $$ = $7; $$->span = @$; $$->name = $1; $$->policy = ident($3, @3);
        diag_unpoison(ctx->diags, $1.name);
        if (strcmp($4, "allow") != 0 || strcmp($5, "nonmonotone") != 0)
          diag_error(ctx->diags, span_join(@4, @5),
                     "unknown rules attribute '%s %s' (the only one is `allow nonmonotone`)",
                     $4, $5);
        else $$->allow_nonmonotone = true; }
  | KW_RULES error '{' rule_list '}'
      { $$ = NULL; (void)$4; }
  | rules_name error '{' rule_list '}'
      { $$ = NULL; (void)$1; (void)$4; }
  | KW_VIEWPOINT T_IDENT string_opt level_list
      { $$ = NULL;
        if ($4.items) {
          $$ = ast_decl(ctx->arena, D_VIEWPOINT, @$); $$->name = ident($2, @2); $$->str = $3;
          $$->values = $4.items; $$->value_count = $4.count;
        } }
  | KW_VIEWPOINT error level_list
      { $$ = NULL; (void)$3; }
  | KW_REQUIREMENT T_REQID T_STRING '{' req_items '}'
      { $$ = $5; $$->span = @$; $$->name = ident($2, @2); $$->str = strlit($3, @3); }
  | KW_REQUIREMENT error '{' req_items '}'
      { $$ = NULL; (void)$4; }
  | KW_TEST T_STRING '{' test_items '}'
      { $$ = $4; $$->span = @$; $$->str = strlit($2, @2); }
  | KW_TEST error '{' test_items '}'
      { $$ = NULL; (void)$4; }
  /* a usage profile the pack declares (docs/language.md "Usage profiles") */
  | KW_PROFILE T_IDENT string_opt '{' profile_items '}'
      { $$ = $5; $$->span = @$; $$->name = ident($2, @2); $$->str = $3; }
  | KW_PROFILE error '{' profile_items '}'
      { $$ = NULL; (void)$4; }
  | KW_EXTERN T_STRING KW_FN T_IDENT '(' types_opt ')' T_ARROW type extern_as ';'
      { $$ = NULL;
        if (($6.items || $6.count == 0) && $9) {
          $$ = ast_decl(ctx->arena, D_EXTERN, @$); $$->str = strlit($2, @2);
          $$->name = ident($4, @4); $$->params = $6.items; $$->param_count = $6.count;
          $$->type = $9; $$->str2 = $10;
        } }
  | ';'
      { $$ = NULL; }
  ;

/* The name of a declaration is poisoned (diag.h) as soon as it is read
 * and unpoisoned when the declaration is complete: when an error drops
 * the declaration, its later uses are not reported as unknown names. */
let_name
  : KW_LET T_IDENT     { $$ = ident($2, @2); diag_poison(ctx->diags, $2, strlen($2)); }
  ;

fn_name
  : KW_FN T_IDENT      { $$ = ident($2, @2); diag_poison(ctx->diags, $2, strlen($2)); }
  ;

rules_name
  : KW_RULES T_IDENT   { $$ = ident($2, @2); diag_poison(ctx->diags, $2, strlen($2)); }
  ;

fact_name
  : T_IDENT ':'        { $$ = ident($1, @1); diag_poison(ctx->diags, $1, strlen($1)); }
  ;

import_alias
  : %empty            { $$ = ident(NULL, @$); }
  | KW_AS T_IDENT     { $$ = ident($2, @2); }
  ;

string_opt
  : %empty            { $$ = strlit(NULL, @$); }
  | T_STRING          { $$ = strlit($1, @1); }
  ;

extern_as
  : %empty            { $$ = strlit(NULL, @$); }
  | KW_AS T_STRING    { $$ = strlit($2, @2); }
  ;

policy_opt
  : %empty              { $$ = ident(NULL, @$); }
  | KW_POLICY T_IDENT   { $$ = ident($2, @2); }
  ;

/* ---- lists of names ------------------------------------------------------ */

comma_opt
  : %empty
  | ','
  ;

idents
  : T_IDENT
      { $$ = (IdentList){NULL, 0}; *AST_PUSH(ctx->arena, $$.items, $$.count) = ident($1, @1); }
  | idents ',' T_IDENT
      { $$ = $1; *AST_PUSH(ctx->arena, $$.items, $$.count) = ident($3, @3); }
  ;

/* items NULL: there was an error inside the braces. */
level_list
  : '{' idents comma_opt '}'  { $$ = $2; }
  | '{' error '}'             { $$ = (IdentList){NULL, 0}; }
  ;

/* ---- pack header ----------------------------------------------------------- */

pack_body
  : %empty
      { $$ = ast_decl(ctx->arena, D_PACK, @$); }
  | pack_body T_IDENT T_STRING ';'
      { $$ = $1;
        PackEntry *e = AST_PUSH(ctx->arena, $$->entries, $$->entry_count);
        e->key = ident($2, @2); e->value = strlit($3, @3); }
  /* Recovery, as in every block: after `error`, a ';' ends the broken
   * item (yyerrok: the next item's errors are reported at once); a '}'
   * still closes the block; anything else is skipped. */
  | pack_body error
  | pack_body error ';'   { $$ = $1; yyerrok; }
  ;

/* ---- facts ------------------------------------------------------------------- */

fact_list
  : %empty
      { $$ = ast_decl(ctx->arena, D_FACTS, @$); }
  | fact_list fact_name type default_opt string_opt ';'
      { $$ = $1;
        if ($3) {
          FactDecl *f = AST_PUSH(ctx->arena, $$->facts, $$->fact_count);
          f->name = $2; f->type = $3; f->deflt = $4; f->doc = $5;
          f->span = span_join(@2, @6);
          diag_unpoison(ctx->diags, $2.name);
        } }
  /* `name: TYPE unordered likelihood = ...;`: modifiers (fact_mods) */
  | fact_list fact_name type fact_mods default_opt string_opt ';'
      { $$ = $1;
        if ($3) {
          FactDecl *f = AST_PUSH(ctx->arena, $$->facts, $$->fact_count);
          f->name = $2; f->type = $3; f->deflt = $5; f->doc = $6;
          f->unordered = ($4 & FACT_MOD_UNORDERED) != 0;
          f->likelihood = ($4 & FACT_MOD_LIKELIHOOD) != 0;
          f->span = span_join(@2, @7);
          diag_unpoison(ctx->diags, $2.name);
        } }
  | fact_list error
  | fact_list error ';'   { $$ = $1; yyerrok; }
  ;

/* A fact's modifiers, as a mask of FACT_MOD_* bits. */
fact_mods
  : T_IDENT             { $$ = fact_modifier(ctx, 0, $1, @1); }
  | fact_mods T_IDENT   { $$ = fact_modifier(ctx, $1, $2, @2); }
  ;

default_opt
  : %empty      { $$ = NULL; }
  | '=' expr    { $$ = $2; }
  ;

/* ---- types ------------------------------------------------------------------- */

type
  : KW_BOOL     { $$ = ast_type(ctx->arena, TE_BOOL, @$); }
  | KW_INT      { $$ = ast_type(ctx->arena, TE_INT, @$); }
  | KW_NUMBER   { $$ = ast_type(ctx->arena, TE_NUMBER, @$); }
  | KW_STRING   { $$ = ast_type(ctx->arena, TE_STRING, @$); }
  | KW_ENUM '{' idents comma_opt '}'
      { $$ = ast_type(ctx->arena, TE_ENUM, @$); $$->values = $3.items; $$->value_count = $3.count; }
  | KW_ENUM '{' error '}'
      { $$ = NULL; }
  | KW_SET KW_OF type
      { $$ = NULL;
        if ($3) { $$ = ast_type(ctx->arena, TE_SET, @$); $$->elem = $3; } }
  | T_IDENT
      { $$ = ast_type(ctx->arena, TE_NAMED, @$); $$->name = ident($1, @1); }
  ;

/* ---- fn and extern parameters ---------------------------------------------- */

/* items NULL with a count: a parameter's type had an error (dropped). */
params_opt
  : %empty   { $$ = (ParamList){NULL, 0}; }
  | params
  ;

params
  : T_IDENT ':' type
      { $$ = (ParamList){NULL, 0};
        Param *p = AST_PUSH(ctx->arena, $$.items, $$.count);
        p->name = ident($1, @1); p->type = $3;
        if (!$3) $$ = (ParamList){NULL, 1}; }
  | params ',' T_IDENT ':' type
      { $$ = $1;
        if ($$.items) {
          Param *p = AST_PUSH(ctx->arena, $$.items, $$.count);
          p->name = ident($3, @3); p->type = $5;
          if (!$5) $$ = (ParamList){NULL, 1};
        } }
  ;

types_opt
  : %empty   { $$ = (ParamList){NULL, 0}; }
  | types
  ;

types
  : type
      { $$ = (ParamList){NULL, 0};
        Param *p = AST_PUSH(ctx->arena, $$.items, $$.count);
        p->name = ident(NULL, @1); p->type = $1;
        if (!$1) $$ = (ParamList){NULL, 1}; }
  | types ',' type
      { $$ = $1;
        if ($$.items) {
          Param *p = AST_PUSH(ctx->arena, $$.items, $$.count);
          p->name = ident(NULL, @3); p->type = $3;
          if (!$3) $$ = (ParamList){NULL, 1};
        } }
  ;

/* ---- rules --------------------------------------------------------------------- */

rule_list
  : %empty
      { $$ = ast_decl(ctx->arena, D_RULES, @$); }
  | rule_list T_IDENT KW_WHEN expr because_opt ';'
      { $$ = $1;
        RuleDecl *r = AST_PUSH(ctx->arena, $$->rules, $$->rule_count);
        r->level = ident($2, @2); r->cond = $4; r->because = $5;
        r->span = span_join(@2, @6); }
  | rule_list KW_OTHERWISE T_IDENT ';'
      { $$ = $1;
        if ($$->otherwise.name) {
          diag_error(ctx->diags, span_join(@2, @4),
                     "a rules block has at most one 'otherwise'");
          diag_note(ctx->diags, $$->otherwise.span, "the first 'otherwise' is here");
        } else {
          $$->otherwise = ident($3, @3);
        } }
  | rule_list error
  | rule_list error ';'   { $$ = $1; yyerrok; }
  ;

because_opt
  : %empty                { $$ = strlit(NULL, @$); }
  | KW_BECAUSE T_STRING   { $$ = strlit($2, @2); }
  ;

/* ---- catalogs ------------------------------------------------------------------ */

catalog_items
  : %empty
      { $$ = ast_decl(ctx->arena, D_CATALOG, @$); }
  | catalog_items T_IDENT T_STRING ';'
      { $$ = $1;
        PackEntry *e = AST_PUSH(ctx->arena, $$->entries, $$->entry_count);
        e->key = ident($2, @2); e->value = strlit($3, @3); }
  | catalog_items KW_PROVISION T_REQID T_STRING T_STRING T_IDENT satisfied_opt ';'
      { $$ = $1;
        Provision *p = AST_PUSH(ctx->arena, $$->provisions, $$->provision_count);
        p->id = ident($3, @3); p->clause = strlit($4, @4); p->title = strlit($5, @5);
        p->status = ident($6, @6); p->satisfied_by = $7.items;
        p->satisfied_count = $7.count; p->span = @$; }
  | catalog_items error
  | catalog_items error ';'   { $$ = $1; yyerrok; }
  ;

satisfied_opt
  : %empty                    { $$ = (IdentList){NULL, 0}; }
  | KW_SATISFIED_BY reqids    { $$ = $2; }
  ;

reqids
  : T_REQID
      { $$ = (IdentList){NULL, 0}; *AST_PUSH(ctx->arena, $$.items, $$.count) = ident($1, @1); }
  | reqids ',' T_REQID
      { $$ = $1; *AST_PUSH(ctx->arena, $$.items, $$.count) = ident($3, @3); }
  ;

/* ---- requirements ------------------------------------------------------------- */

req_items
  : %empty
      { $$ = ast_decl(ctx->arena, D_REQUIREMENT, @$); }
  | req_items req_item
      { $$ = $1;
        if ($2.kind != RI_ATTR || $2.ident.name)
          *AST_PUSH(ctx->arena, $$->items, $$->item_count) = $2; }
  | req_items error        { $$ = $1; $$->had_error = true; }
  | req_items error ';'    { $$ = $1; $$->had_error = true; yyerrok; }
  ;

req_item
  : KW_VIEWPOINT T_IDENT ';'
      { $$ = (ReqItem){.kind = RI_VIEWPOINT, .span = @$, .ident = ident($2, @2)}; }
  | KW_REF T_STRING ';'
      { $$ = (ReqItem){.kind = RI_REF, .span = @$, .str = strlit($2, @2)}; }
  | KW_REF T_REQID ';'
      { $$ = (ReqItem){.kind = RI_REF, .span = @$, .ident = ident($2, @2)}; }
  | KW_APPLIES KW_ALWAYS ';'
      { $$ = (ReqItem){.kind = RI_APPLIES, .span = @$}; }
  | KW_APPLIES KW_WHEN expr ';'
      { $$ = (ReqItem){.kind = RI_APPLIES, .span = @$, .expr = $3}; }
  | KW_CONFIRM T_IDENT when_opt ';'
      { $$ = (ReqItem){.kind = RI_CONFIRM, .span = @$, .ident = ident($2, @2), .expr = $3}; }
  | KW_CONFIRM T_IDENT KW_EVERY T_INT months when_opt ';'
      { if ($4 == INT64_MIN) /* 2^63: see is_two63 */
          diag_error(ctx->diags, @4,
                     "integer literal is too large (the largest is 9223372036854775807)");
        else if ($4 <= 0)
          diag_error(ctx->diags, @4, "'every' needs a positive number of months");
        $$ = (ReqItem){.kind = RI_CONFIRM, .span = @$, .ident = ident($2, @2), .expr = $6,
                       .every = $4 > 0 ? $4 : 1, .every_span = span_join(@3, @5)}; }
  | KW_PARTY T_IDENT ';'
      { $$ = (ReqItem){.kind = RI_PARTY, .span = @$, .ident = ident($2, @2)}; }
  | KW_DOC T_STRING ';'
      { $$ = (ReqItem){.kind = RI_DOC, .span = @$, .str = strlit($2, @2)}; }
  /* `compensated_by ID, ... [until "YYYY-MM-DD" | for N months];`
   * (docs/language.md, "Compensating measures"); `until` and `for` are not
   * reserved: resolve.c checks the word. */
  | KW_COMPENSATED_BY reqids ';'
      { $$ = (ReqItem){.kind = RI_COMPENSATED, .span = @$, .ids = $2.items,
                       .id_count = $2.count}; }
  | KW_COMPENSATED_BY reqids T_IDENT T_STRING ';'
      { $$ = (ReqItem){.kind = RI_COMPENSATED, .span = @$, .ids = $2.items,
                       .id_count = $2.count, .value = ident($3, @3), .str = strlit($4, @4)}; }
  | KW_COMPENSATED_BY reqids T_IDENT T_INT ';'
      { diag_error(ctx->diags, @4, "write a date as a string: `until \"YYYY-MM-DD\"` (or `for N "
                   "months`)");
        $$ = (ReqItem){.kind = RI_ATTR, .span = @$}; /* dropped */ }
  | KW_COMPENSATED_BY reqids T_IDENT T_INT months ';'
      { if ($4 == INT64_MIN) /* 2^63: see is_two63 */
          diag_error(ctx->diags, @4,
                     "integer literal is too large (the largest is 9223372036854775807)");
        $$ = (ReqItem){.kind = RI_COMPENSATED, .span = @$, .ids = $2.items,
                       .id_count = $2.count, .value = ident($3, @3),
                       .every = $4 == INT64_MIN ? 0 : $4, .every_span = span_join(@4, @5)}; }
  /* `basis law "…";`, `confirmed_by third_party;`, `subject product;`: the
   * words are not reserved (resolve.c checks them) */
  | T_IDENT T_IDENT string_opt ';'
      { $$ = (ReqItem){.kind = RI_ATTR, .span = @$, .ident = ident($1, @1),
                       .value = ident($2, @2), .str = $3};
        if (YYRECOVERING()) $$.ident.name = NULL; /* the rest of a broken item: dropped */ }
  /* a word with no value: resolve.c says which item it is not */
  | T_IDENT string_opt ';'
      { $$ = (ReqItem){.kind = RI_ATTR, .span = @$, .ident = ident($1, @1), .str = $2};
        if (YYRECOVERING()) $$.ident.name = NULL; }
  ;

months
  : KW_MONTHS
  | KW_MONTH
  ;

when_opt
  : %empty            { $$ = NULL; }
  | KW_WHEN expr      { $$ = $2; }
  ;

/* ---- usage profiles ----------------------------------------------------------------- */

profile_items
  : %empty
      { $$ = ast_decl(ctx->arena, D_PROFILE, @$); }
  | profile_items T_IDENT '=' expr ';'
      { $$ = $1;
        *AST_PUSH(ctx->arena, $$->pitems, $$->pitem_count) =
            (ProfileItem){.kind = PI_SETS, .span = span_join(@2, @5), .fact = ident($2, @2),
                          .value = $4}; }
  | profile_items T_IDENT KW_IN expr ';'
      { $$ = $1;
        *AST_PUSH(ctx->arena, $$->pitems, $$->pitem_count) =
            (ProfileItem){.kind = PI_ALLOWS, .span = span_join(@2, @5), .fact = ident($2, @2),
                          .value = $4}; }
  | profile_items KW_DOC T_STRING ';'
      { $$ = $1;
        *AST_PUSH(ctx->arena, $$->pitems, $$->pitem_count) =
            (ProfileItem){.kind = PI_DOC, .span = span_join(@2, @4), .str = strlit($3, @3)}; }
  | profile_items error
  | profile_items error ';'   { $$ = $1; yyerrok; }
  ;

/* ---- tests -------------------------------------------------------------------------- */

/* given, profile and expect are items of one list so that an error in one
 * of them recovers at the next; the order of the contract (given, then
 * profile, then expects) and their uniqueness are checked here. */
test_items
  : %empty
      { $$ = ast_decl(ctx->arena, D_TEST, @$); }
  | test_items KW_GIVEN given_block
      { $$ = $1;
        if ($$->given_count || $$->profile.text || $$->expect_count)
          diag_error(ctx->diags, @2, "'given' comes once, first in a test");
        else if (!$3.bad)
          $$->givens = $3.items, $$->given_count = $3.count; }
  | test_items KW_PROFILE T_STRING semi_opt
      { $$ = $1;
        if ($$->profile.text || $$->expect_count)
          diag_error(ctx->diags, @2, "'profile' comes once, before any 'expect'");
        else
          $$->profile = strlit($3, @3); }
  | test_items expect
      { $$ = $1; *AST_PUSH(ctx->arena, $$->expects, $$->expect_count) = $2; }
  | test_items error
  | test_items error ';'   { $$ = $1; yyerrok; }
  ;

semi_opt
  : %empty
  | ';'
  ;

given_block
  : '{' '}'                   { $$ = (GivenList){NULL, 0, false}; }
  | '{' givens comma_opt '}'  { $$ = $2; }
  | '{' error '}'             { $$ = (GivenList){NULL, 0, true}; }
  ;

givens
  : given
      { $$ = (GivenList){NULL, 0, false}; *AST_PUSH(ctx->arena, $$.items, $$.count) = $1; }
  | givens ',' given
      { $$ = $1; *AST_PUSH(ctx->arena, $$.items, $$.count) = $3; }
  ;

given
  : T_IDENT ':' expr   { $$ = (Given){ident($1, @1), $3}; }
  ;

expect
  : KW_EXPECT KW_REQUIRES T_REQID with_opt ';'
      { $$ = (Expect){.kind = EXPECT_REQUIRES, .span = @$, .id = ident($3, @3), .method = $4}; }
  | KW_EXPECT KW_NOT KW_REQUIRES T_REQID ';'
      { $$ = (Expect){.kind = EXPECT_NOT_REQUIRES, .span = @$, .id = ident($4, @4),
                      .method = ident(NULL, @4)}; }
  | KW_EXPECT KW_VIEWPOINT T_IDENT ';'
      { $$ = (Expect){.kind = EXPECT_VIEWPOINT, .span = @$, .id = ident($3, @3),
                      .method = ident(NULL, @3)}; }
  | KW_EXPECT T_IDENT T_STRING ';'
      { /* `error` is not a keyword, so `expect error "x";` is a name then
         * a string; any other name there is a mistake. */
        if (strcmp($2, "error") != 0)
          diag_error(ctx->diags, @2, "unknown expectation '%s' before a string (did you mean 'error'?)", $2);
        $$ = (Expect){.kind = EXPECT_ERROR, .span = @$, .str = strlit($3, @3),
                      .method = ident(NULL, @3)}; }
  | KW_EXPECT expr ';'
      { $$ = (Expect){.kind = EXPECT_EXPR, .span = @$, .expr = $2, .method = ident(NULL, @2)}; }
  ;

with_opt
  : %empty            { $$ = ident(NULL, @$); }
  | KW_WITH T_IDENT   { $$ = ident($2, @2); }
  ;

/* ---- expressions --------------------------------------------------------------------
 * Precedence, low to high: if/then/else; or; and; not; comparisons and `in`
 * (non-associative: a < b < c is an error); + -; * / %; unary -; primary.
 * Written as one nonterminal per level rather than with %left, so %expect 0
 * really means no conflict was resolved behind our back. */

expr
  : KW_IF expr KW_THEN expr KW_ELSE expr
      { $$ = ast_expr(ctx->arena, EX_IF, @$); $$->a = $2; $$->b2 = $4; $$->c = $6;
        $$ = nested(ctx, $$); }
  | or_expr
  ;

or_expr
  : or_expr KW_OR and_expr    { $$ = binary(ctx, OP_OR, $1, $3, @$); }
  | and_expr
  ;

and_expr
  : and_expr KW_AND not_expr  { $$ = binary(ctx, OP_AND, $1, $3, @$); }
  | not_expr
  ;

not_expr
  : KW_NOT not_expr
      { $$ = ast_expr(ctx->arena, EX_UNARY, @$); $$->op = OP_NOT; $$->a = $2;
        $$ = nested(ctx, $$); }
  | cmp_expr
  ;

cmp_expr
  : add_expr cmp_op add_expr  { $$ = binary(ctx, (ExprOp)$2, $1, $3, @$); }
  | add_expr
  ;

cmp_op
  : T_EQ    { $$ = OP_EQ; }
  | T_NE    { $$ = OP_NE; }
  | '<'     { $$ = OP_LT; }
  | T_LE    { $$ = OP_LE; }
  | '>'     { $$ = OP_GT; }
  | T_GE    { $$ = OP_GE; }
  | KW_IN   { $$ = OP_IN; }
  ;

add_expr
  : add_expr '+' mul_expr     { $$ = binary(ctx, OP_ADD, $1, $3, @$); }
  | add_expr '-' mul_expr     { $$ = binary(ctx, OP_SUB, $1, $3, @$); }
  | mul_expr
  ;

mul_expr
  : mul_expr '*' unary        { $$ = binary(ctx, OP_MUL, $1, int_operand(ctx, $3), @$); }
  | mul_expr '/' unary        { $$ = binary(ctx, OP_DIV, $1, int_operand(ctx, $3), @$); }
  | mul_expr '%' unary        { $$ = binary(ctx, OP_MOD, $1, int_operand(ctx, $3), @$); }
  | unary                     { $$ = int_operand(ctx, $1); }
  ;

unary
  : '-' unary                 { $$ = negate(ctx, $2, @$); }
  | primary
  ;

primary
  : T_INT       { $$ = ast_expr(ctx->arena, EX_INT, @$); $$->i = $1;
                  $$->n = $1 == INT64_MIN ? 9223372036854775808.0 : (double)$1; /* is_two63 */
                  $$->depth = 1; }
  | T_NUMBER    { $$ = ast_expr(ctx->arena, EX_NUMBER, @$); $$->n = $1; $$->depth = 1; }
  | T_STRING    { $$ = ast_expr(ctx->arena, EX_STRING, @$); $$->str = $1; $$->depth = 1; }
  | KW_TRUE     { $$ = ast_expr(ctx->arena, EX_BOOL, @$); $$->b = true; $$->depth = 1; }
  | KW_FALSE    { $$ = ast_expr(ctx->arena, EX_BOOL, @$); $$->b = false; $$->depth = 1; }
  | T_IDENT     { $$ = ast_expr(ctx->arena, EX_NAME, @$); $$->name = ident($1, @1);
                  $$->depth = 1; }
  | T_IDENT '(' ')'
      { $$ = ast_expr(ctx->arena, EX_CALL, @$); $$->name = ident($1, @1); $$->depth = 1; }
  | T_IDENT '(' exprs ')'
      { $$ = ast_expr(ctx->arena, EX_CALL, @$); $$->name = ident($1, @1);
        $$->items = $3.items; $$->item_count = $3.count; $$ = nested(ctx, $$); }
  | '{' '}'
      { $$ = ast_expr(ctx->arena, EX_SET, @$); $$->depth = 1; }
  | '{' exprs comma_opt '}'
      { $$ = ast_expr(ctx->arena, EX_SET, @$); $$->items = $2.items; $$->item_count = $2.count;
        $$ = nested(ctx, $$); }
  | '(' expr ')'
      { $$ = $2; $$->span = @$; /* the parentheses belong to the operand */ }
  ;

exprs
  : expr              { $$ = (ExprList){NULL, 0}; *AST_PUSH(ctx->arena, $$.items, $$.count) = $1; }
  | exprs ',' expr    { $$ = $1; *AST_PUSH(ctx->arena, $$.items, $$.count) = $3; }
  ;

%%

/* ---- messages ------------------------------------------------------------------------
 * The wording is ours, not bison's (golden tests pin it):
 *
 *   expected A, B or C, found X     at most four alternatives
 *   unexpected X                    when nothing short can be said
 *
 * A, B, C name tokens as the user writes them: keywords and punctuation in
 * quotes ('when', ';'), values by kind ("a string", "an integer"), names by
 * their role where the parser's state tells it ("a level name" inside
 * `rules`, "a fact name" inside `facts`).  Families are named as one:
 * "a declaration", "an expression", "a type", "a requirement item".
 * Operators that could merely continue an expression are not listed: after
 * `fatal when x` the useful news is "expected 'because' or ';'", not that
 * '+' would also do.  X is the offending text in quotes, "a string", or
 * "end of file". */

#define MAX_LISTED 4
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Token families, as token codes (translated to symbol kinds at run time,
 * since bison names character tokens by number). */
static const int decl_starts[] = {
  KW_PACK, KW_IMPORT, KW_FACTS, KW_TYPE, KW_LET, KW_FN, KW_SCALE, KW_AXIS,
  KW_RULES, KW_VIEWPOINT, KW_REQUIREMENT, KW_TEST, KW_EXTERN, KW_CATALOG, ';', YYEOF,
  KW_PROFILE};
static const int expr_starts[] = {
  T_IDENT, T_STRING, T_INT, T_NUMBER, KW_TRUE, KW_FALSE, KW_NOT, KW_IF,
  '(', '{', '-'};
static const int type_starts[] = {
  KW_BOOL, KW_INT, KW_NUMBER, KW_STRING, KW_ENUM, KW_SET, T_IDENT};
static const int req_item_starts[] = {
  KW_VIEWPOINT, KW_REF, KW_APPLIES, KW_CONFIRM, KW_PARTY, KW_DOC, T_IDENT,
  KW_COMPENSATED_BY};
/* Tokens that would only continue an expression already complete. */
static const int continuations[] = {
  T_EQ, T_NE, T_LE, T_GE, '<', '>', KW_IN, KW_AND, KW_OR,
  '+', '-', '*', '/', '%', '('};

typedef struct {
  bool set[YYNTOKENS];   /* expected tokens not yet described */
  const char *words[YYNTOKENS + 4];
  int count;
} Expected;

static bool has(const Expected *e, int tok) { return e->set[YYTRANSLATE(tok)]; }

static void take_family(Expected *e, const int *toks, size_t n, const char *name) {
  for (size_t i = 0; i < n; i++) e->set[YYTRANSLATE(toks[i])] = false;
  e->words[e->count++] = name;
}

static int count_left(const Expected *e) {
  int n = 0;
  for (int k = 0; k < YYNTOKENS; k++) n += e->set[k];
  return n;
}

/* What an identifier is for, from the parser's state: the keyword just
 * before it, or the construct whose braces we are in. */
static const char *ident_role(const yypcontext_t *yyctx) {
  const yy_state_t *top = yyctx->yyssp;
  switch (YY_ACCESSING_SYMBOL(*top)) {
  case YYSYMBOL_KW_RULES: case YYSYMBOL_KW_SCALE: return "a scale name";
  case YYSYMBOL_T_INT:
    if (top[-1] != 0 && YY_ACCESSING_SYMBOL(top[-1]) == YYSYMBOL_KW_AXIS) return "a scale name";
    break;
  case YYSYMBOL_KW_POLICY: return "a policy name";
  case YYSYMBOL_KW_OTHERWISE: return "a level name";
  case YYSYMBOL_KW_VIEWPOINT: return "a viewpoint name";
  case YYSYMBOL_KW_CONFIRM: case YYSYMBOL_KW_WITH: return "a method name";
  case YYSYMBOL_KW_PARTY: return "a party name";
  case YYSYMBOL_KW_TYPE: return "a type name";
  case YYSYMBOL_KW_PROFILE: return "a profile name";
  case YYSYMBOL_KW_LET: case YYSYMBOL_KW_FN: case YYSYMBOL_KW_AS: return "a name";
  default: break;
  }
  /* State 0 is only ever at the bottom of the stack. */
  yysymbol_kind_t brace = YYTRANSLATE('{');
  for (const yy_state_t *p = top; *p != 0; p--) {
    if (YY_ACCESSING_SYMBOL(*p) != brace) continue;
    for (const yy_state_t *q = p - 1; *q != 0 && q > p - 6; q--) {
      switch (YY_ACCESSING_SYMBOL(*q)) {
      case YYSYMBOL_KW_RULES: case YYSYMBOL_KW_SCALE: case YYSYMBOL_KW_AXIS:
      case YYSYMBOL_rules_name:
        return "a level name";
      case YYSYMBOL_KW_VIEWPOINT: return "a method name";
      case YYSYMBOL_KW_FACTS: case YYSYMBOL_KW_GIVEN: return "a fact name";
      case YYSYMBOL_KW_PROFILE: return "a fact name";
      case YYSYMBOL_KW_ENUM: return "a value name";
      case YYSYMBOL_KW_VERSION: case YYSYMBOL_KW_PACK: return "an entry name";
      default: break;
      }
    }
    break;
  }
  return "an identifier";
}

/* How an expected token reads: value tokens by their alias ("a string"),
 * character tokens as bison spells them ("';'"), keywords quoted. */
static const char *token_words(ParseCtx *ctx, yysymbol_kind_t k) {
  const char *name = yysymbol_name(k);
  if (k <= YYSYMBOL_T_REQID || name[0] == '\'') return name;
  return arena_printf(ctx->arena, "'%s'", name);
}

static void describe_expected(const yypcontext_t *yyctx, ParseCtx *ctx, Expected *e) {
  const char *ident = has(e, T_IDENT) ? ident_role(yyctx) : NULL;
  if (has(e, KW_PACK) && has(e, KW_RULES))
    take_family(e, decl_starts, COUNT(decl_starts), "a declaration");
  if (has(e, T_INT) && has(e, '('))
    take_family(e, expr_starts, COUNT(expr_starts), "an expression");
  if (has(e, KW_BOOL) && has(e, KW_ENUM))
    take_family(e, type_starts, COUNT(type_starts), "a type");
  if (has(e, KW_REF) && has(e, KW_CONFIRM))
    take_family(e, req_item_starts, COUNT(req_item_starts), "a requirement item");
  bool others = e->count > 0;
  for (int k = 0; k < YYNTOKENS && !others; k++) {
    bool cont = false;
    for (size_t i = 0; i < COUNT(continuations); i++)
      cont |= YYTRANSLATE(continuations[i]) == k;
    others = e->set[k] && !cont;
  }
  if (others)
    for (size_t i = 0; i < COUNT(continuations); i++) e->set[YYTRANSLATE(continuations[i])] = false;
  for (int k = 0; k < YYNTOKENS; k++) {
    if (!e->set[k]) continue;
    e->words[e->count++] = k == YYSYMBOL_T_IDENT ? ident : token_words(ctx, (yysymbol_kind_t)k);
  }
}

/* The offending token: its text when short and on one line. */
static const char *found_words(ParseCtx *ctx, yysymbol_kind_t k, Span at) {
  if (k == YYSYMBOL_YYEOF) return "end of file";
  if (k == YYSYMBOL_T_STRING) return "a string";
  const Source *src = ctx->sources->items[ctx->source];
  uint32_t n = at.end > at.start ? at.end - at.start : 0;
  if (at.end > src->len || n == 0) return token_words(ctx, k);
  if (n > 40) return arena_printf(ctx->arena, "'%.37s...'", src->text + at.start);
  return arena_printf(ctx->arena, "'%.*s'", (int)n, src->text + at.start);
}

static bool is_keyword(yysymbol_kind_t k) {
  return k >= YYSYMBOL_KW_PACK && k <= YYSYMBOL_KW_SATISFIED_BY;
}

static int yyreport_syntax_error(const yypcontext_t *yyctx, yyscan_t scanner, ParseCtx *ctx) {
  (void)scanner;
  /* The scanner already reported the bytes it dropped before this token:
   * the error is theirs. */
  if (ctx->token_after_skip) return 0;
  ctx->syntax_errors++;
  yysymbol_kind_t found = yypcontext_token(yyctx);
  Span at = *yypcontext_location(yyctx);

  yysymbol_kind_t toks[YYNTOKENS];
  int n = yypcontext_expected_tokens(yyctx, toks, YYNTOKENS);
  if (n < 0) return n;
  Expected e;
  memset(&e, 0, sizeof e);
  for (int i = 0; i < n; i++) e.set[toks[i]] = true;
  bool wanted_name = e.set[YYSYMBOL_T_IDENT];
  describe_expected(yyctx, ctx, &e);

  const char *what = found_words(ctx, found, at);
  /* A keyword where a name was wanted, and little else would do: the
   * author probably meant it as a name. */
  const char *why = wanted_name && is_keyword(found) && e.count <= 2
      ? arena_printf(ctx->arena, " (%s is a reserved word)", what) : "";
  if (e.count == 0 || e.count > MAX_LISTED) {
    diag_error(ctx->diags, at, "unexpected %s%s", what, why);
    return 0;
  }
  char *list = arena_strdup(ctx->arena, e.words[0]);
  for (int i = 1; i < e.count; i++)
    list = arena_printf(ctx->arena, "%s%s%s", list, i == e.count - 1 ? " or " : ", ", e.words[i]);
  diag_error(ctx->diags, at, "expected %s, found %s%s", list, what, why);
  return 0;
}

/* Bison calls this only when its stack would pass YYMAXDEPTH. */
static void yyerror(YYLTYPE *loc, yyscan_t scanner, ParseCtx *ctx, const char *msg) {
  (void)scanner;
  (void)msg;
  ctx->syntax_errors++;
  diag_error(ctx->diags, *loc, "this is nested too deeply (the parser's limit is %d levels)",
             YYMAXDEPTH);
}

/* ---- the entry point (ast.h) ------------------------------------------------------- */

Module *parse_module(Arena *arena, Diags *diags, const SourceSet *sources, uint32_t source) {
  Module *m = arena_alloc(arena, sizeof *m);
  m->source = source;
  const Source *src = sources->items[source];
  /* flex takes an int length (and adds two bytes of its own). */
  if (src->len > INT_MAX - 2) {
    diag_error(diags, ((Span){source, 0, 0}), "%s is too large to compile", src->path);
    return m;
  }
  ParseCtx ctx;
  parse_ctx_init(&ctx, arena, diags, sources, source);
  yyscan_t scanner;
  if (yylex_init_extra(&ctx, &scanner) != 0) {
    diag_error(diags, ((Span){SPAN_NO_FILE, 0, 0}), "cannot start the scanner");
    return m;
  }
  YY_BUFFER_STATE buf = yy_scan_bytes(src->text, (int)src->len, scanner);
  /* A non-zero result (an error at end of file during recovery) has been
   * reported already; the declarations parsed so far are kept. */
  (void)yyparse(scanner, &ctx);
  yy_delete_buffer(buf, scanner);
  yylex_destroy(scanner);
  parse_ctx_release(&ctx);
  m->decls = (Decl **)ctx.decls.items;
  m->decl_count = ctx.decls.count;
  return m;
}
