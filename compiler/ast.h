/*
 * ast.h -- the abstract syntax tree of one rule-pack source file.
 *
 * The parser (grammar/parser.y) builds it in the compilation's arena; the
 * semantic passes (compiler/sema.c) annotate expressions in place (the
 * fields under "filled by sema"); codegen reads it.  Every node has a Span.
 * Lists are arrays with a count.  Names are arena strings; a qualified
 * name ("etsi.R_5_1_1") is one name with dots.
 */
#ifndef IPSF_AST_H
#define IPSF_AST_H

#include "ipsfc_func.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "diag.h"

typedef struct {
  const char *name;
  Span span;
} Ident;

typedef struct {
  const char *text; /* decoded UTF-8, no NUL inside */
  Span span;
} StrLit;

/* ---- types as written ----------------------------------------------------- */

typedef enum {
  TE_BOOL,
  TE_INT,
  TE_NUMBER,
  TE_STRING,
  TE_ENUM,  /* enum { a, b, c } */
  TE_SET,   /* set of <elem> (elem is TE_ENUM or TE_NAMED) */
  TE_NAMED  /* a named type: `type harm = enum {...}` or a scale */
} TypeExprKind;

typedef struct TypeExpr TypeExpr;
struct TypeExpr {
  TypeExprKind kind;
  Span span;
  Ident *values;        /* TE_ENUM */
  size_t value_count;
  TypeExpr *elem;       /* TE_SET */
  Ident name;           /* TE_NAMED */
};

/* ---- expressions ---------------------------------------------------------- */

typedef enum {
  EX_INT,     /* i */
  EX_NUMBER,  /* n */
  EX_STRING,  /* str */
  EX_BOOL,    /* b */
  EX_NAME,    /* name: a fact, let, scale, fn parameter or enum value */
  EX_SET,     /* { a, b, c }: items */
  EX_UNARY,   /* op a */
  EX_BINARY,  /* a op b */
  EX_IF,      /* if a then b else c */
  EX_CALL     /* name(items...) */
} ExprKind;

typedef enum {
  OP_NOT, OP_NEG,                                  /* unary */
  OP_OR, OP_AND,
  OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE,
  OP_IN,
  OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_MOD
} ExprOp;

/* What a name or call resolved to (filled by sema). */
typedef enum {
  REF_NONE = 0,
  REF_FACT, REF_LET, REF_SCALE, REF_PARAM, REF_ENUM_VALUE,
  REF_FN, REF_BUILTIN,
  REF_NATIVE /* an extern: ref_index into the compilation's natives */
} RefKind;

/* A checked type (filled by sema). */
typedef enum {
  TY_ERROR = 0, /* already reported: suppresses cascades */
  TY_BOOL, TY_INT, TY_NUMBER, TY_STRING,
  TY_ENUM,      /* enum_id: index into the compilation's enum table */
  TY_SET,       /* set of enum enum_id */
  TY_EMPTY_SET  /* `{}` before it meets a set type */
} TyKind;

typedef struct {
  TyKind kind;
  uint32_t enum_id;
} Ty;

/* The deepest expression the parser accepts (docs/limits.md).  Later passes
 * recurse over expressions, so this bounds their stack use; it also bounds
 * left-nested chains (a + b + c ...), which cost the parser no stack. */
#define IPSF_MAX_EXPR_DEPTH 512u

typedef struct Expr Expr;
struct Expr {
  ExprKind kind;
  Span span;
  ExprOp op;          /* EX_UNARY, EX_BINARY */
  int64_t i;          /* EX_INT */
  double n;           /* EX_NUMBER */
  bool b;             /* EX_BOOL */
  const char *str;    /* EX_STRING: decoded text */
  Ident name;         /* EX_NAME, EX_CALL */
  Expr *a, *b2, *c;   /* operands: unary a; binary a, b2; if a, b2, c */
  Expr **items;       /* EX_SET, EX_CALL arguments */
  size_t item_count;
  uint32_t depth;     /* nesting: 1 for a leaf; at most IPSF_MAX_EXPR_DEPTH (parser) */

  /* filled by sema */
  Ty ty;
  RefKind ref;
  uint32_t ref_index; /* fact/let/scale/param/fn/builtin index, or enum value */
};

/* ---- declarations --------------------------------------------------------- */

typedef struct {
  Ident key;      /* title, authority, framework, description, currency */
  StrLit value;
} PackEntry;

typedef struct {
  Ident name;
  TypeExpr *type;
  Expr *deflt;    /* NULL: the fact is required */
  StrLit doc;     /* text NULL if absent */
  Span span;
  bool unordered; /* `unordered`: exempt from the monotonicity check */
  bool likelihood; /* `likelihood`: measures likelihood, kept out of the axes */
} FactDecl;

typedef struct {
  Ident name;
  TypeExpr *type;
} Param;

typedef struct {
  Ident level;
  Expr *cond;
  StrLit because; /* text NULL if absent */
  Span span;
} RuleDecl;

typedef enum {
  RI_VIEWPOINT, /* viewpoint V;            ident */
  RI_REF,       /* ref "…"; str, or ref PROVISION-ID; ident */
  RI_APPLIES,   /* applies always; / applies when E;   expr (NULL = always) */
  RI_CONFIRM,   /* confirm M [every N months] [when E];  ident, every, expr */
  RI_PARTY,     /* party P;                ident */
  RI_DOC,       /* doc "…";                str */
  RI_ATTR,      /* basis KIND ["…"]; confirmed_by ROLE; subject WHAT;
                   ident: the word, value: KIND/ROLE/WHAT, str: citation */
  RI_COMPENSATED /* compensated_by ID, … [until "DATE" | for N months];
                    ids, value: the word until/for (name NULL if none),
                    str: the date, every/every_span: the months */
} ReqItemKind;

typedef struct {
  ReqItemKind kind;
  Span span;
  Ident ident;
  Ident value;      /* RI_ATTR */
  StrLit str;
  Expr *expr;
  int64_t every;    /* months; 0 when absent */
  Span every_span;
  Ident *ids;       /* RI_COMPENSATED: the compensating requirements */
  size_t id_count;
} ReqItem;

typedef struct {
  Ident fact;
  Expr *value;
} Given;

typedef enum {
  EXPECT_EXPR,          /* expect EXPR;  (SCALE OP LEVEL, or any bool) */
  EXPECT_REQUIRES,      /* expect requires ID [with METHOD]; */
  EXPECT_NOT_REQUIRES,  /* expect not requires ID; */
  EXPECT_VIEWPOINT,     /* expect viewpoint V; */
  EXPECT_ERROR          /* expect error "substring"; */
} ExpectKind;

typedef struct {
  ExpectKind kind;
  Span span;
  Expr *expr;
  Ident id;
  Ident method;   /* name NULL if absent */
  StrLit str;
} Expect;

/* One entry of a standards catalog:
 *   provision ETSI-5.1-1 "5.1-1" "No universal default passwords" mandatory
 *       [satisfied_by OTHER-ID, ...]; */
typedef struct {
  Ident id;
  StrLit clause;       /* the clause as the standard numbers it */
  StrLit title;
  Ident status;        /* mandatory, recommended, conditional, informative */
  Ident *satisfied_by; /* provisions that give (deemed) compliance */
  size_t satisfied_count;
  Span span;
} Provision;

/* One item of a usage profile (`profile NAME "title" { ... }`):
 *   FACT = VALUE;       the profile sets the fact (a constant of its type)
 *   FACT in { a, b };   the profile allows only these values (an enum fact)
 *                       or members (a set fact); the sheet chooses within
 *   doc "...";          the profile's description */
typedef enum { PI_SETS, PI_ALLOWS, PI_DOC } ProfileItemKind;

typedef struct {
  ProfileItemKind kind;
  Span span;      /* the whole item, `;` included */
  Ident fact;     /* PI_SETS, PI_ALLOWS */
  Expr *value;    /* PI_SETS: the value; PI_ALLOWS: the set of allowed values */
  StrLit str;     /* PI_DOC */
} ProfileItem;

typedef enum {
  D_PACK, D_IMPORT, D_FACTS, D_TYPE, D_LET, D_FN, D_SCALE, D_RULES,
  D_VIEWPOINT, D_REQUIREMENT, D_TEST, D_EXTERN, D_CATALOG,
  D_PROFILE /* a usage profile: name, str (title), pitems */
} DeclKind;

typedef struct Decl Decl;
struct Decl {
  DeclKind kind;
  Span span;    /* the whole declaration */
  Ident name;   /* TYPE LET FN SCALE RULES(scale) VIEWPOINT REQUIREMENT(id)
                   EXTERN; IMPORT: alias (name NULL if none) */
  StrLit str;   /* PACK: name; IMPORT: path; REQUIREMENT, VIEWPOINT: title;
                   TEST: name; EXTERN: library; CATALOG: the standard's title */
  StrLit str2;  /* PACK, CATALOG: version; EXTERN: symbol (text NULL if absent) */

  PackEntry *entries; size_t entry_count;      /* PACK, CATALOG */
  Provision *provisions; size_t provision_count; /* CATALOG */
  FactDecl *facts; size_t fact_count;          /* FACTS */
  TypeExpr *type;                              /* TYPE; FN, EXTERN: result */
  Expr *value;                                 /* LET; FN: body */
  Param *params; size_t param_count;           /* FN; EXTERN: types only */
  Ident *values; size_t value_count;           /* SCALE levels; VIEWPOINT methods */
  int axis;                                    /* SCALE: 0, 1 or 2 */
  Ident policy;                                /* RULES (name NULL: worst) */
  RuleDecl *rules; size_t rule_count;          /* RULES */
  Ident otherwise;                             /* RULES (name NULL if absent) */
  ReqItem *items; size_t item_count;           /* REQUIREMENT */
  Given *givens; size_t given_count;           /* TEST */
  StrLit profile;                              /* TEST (text NULL if absent) */
  Expect *expects; size_t expect_count;        /* TEST */
  bool allow_nonmonotone;                      /* RULES: `allow nonmonotone` */
  bool had_error;  /* REQUIREMENT, TEST: an item had a syntax error (dropped) */
  ProfileItem *pitems; size_t pitem_count;     /* PROFILE */
};

typedef struct {
  uint32_t source;  /* index into the SourceSet */
  Decl **decls;
  size_t decl_count;
} Module;

/* ---- construction helpers (ast.c) ------------------------------------------ */

IPSFC_FUNC Expr *ast_expr(Arena *a, ExprKind kind, Span span);
IPSFC_FUNC Decl *ast_decl(Arena *a, DeclKind kind, Span span);
IPSFC_FUNC TypeExpr *ast_type(Arena *a, TypeExprKind kind, Span span);
IPSFC_FUNC Span span_join(Span a, Span b);
/* True if two modules have the same declarations, spans aside.  On false,
 * *why (if not NULL) gets a static description of the first difference. */
IPSFC_FUNC bool ast_equal(const Module *a, const Module *b, const char **why);

/* ---- the front end (grammar/) ---------------------------------------------- */

/* Parse sources->items[source] into a Module allocated in `arena`.  Every
 * syntax error goes to `diags` (the parser recovers at declaration, rule,
 * fact and requirement-item boundaries); the returned module holds every
 * declaration that parsed.  Never NULL. */
IPSFC_FUNC Module *parse_module(Arena *arena, Diags *diags, const SourceSet *sources,
                                uint32_t source);

#endif
