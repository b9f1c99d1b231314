/*
 * sema.h -- one compilation: its sources, modules, symbol tables and the
 * passes that fill them (private to compiler/).
 *
 *   load.c     read the root file and its imports (stdlib first, then -I
 *              directories; relative paths), parse each once, detect cycles
 *   resolve.c  declare every symbol (types, scales, facts, lets, fns,
 *              viewpoints, requirements), check duplicates and the pack header
 *   types.c    type-check every expression, resolving names by type (§4.7);
 *              order lets and scales by their dependencies, reject cycles
 *   codegen.c  emit the IpsfPack (tables + code), constants folded
 *   compile.c  the driver the CLI calls
 * and what several passes share, so that no two passes depend on each
 * other (resolve.c and types.c both use these, neither the other):
 *   symtab.c   the hash map, arena arrays, qualified names and lookup
 *   typename.c types and built-in names as messages speak of them
 *   fold.c     the value of a constant expression (runtime/arith.h)
 *
 * Everything is allocated in the compilation's arena.
 */
#ifndef IPSF_SEMA_H
#define IPSF_SEMA_H

#include "ipsfc_func.h"

#include "ast.h"
#include "builtins.h"
#include "compile.h"

/* A string-keyed hash map in the arena: name -> (kind, index). */
typedef struct {
  const char *key;
  int kind;
  uint32_t index;
} SymEntry;

typedef struct {
  SymEntry *slots;
  size_t cap, count; /* cap is a power of two (or 0) */
} SymMap;

/* symtab.c.  Returns the entry or NULL. */
IPSFC_FUNC SymEntry *symmap_get(const SymMap *m, const char *key);
/* Inserts; returns the existing entry if the key is taken (not replaced). */
IPSFC_FUNC SymEntry *symmap_put(Arena *a, SymMap *m, const char *key, int kind, uint32_t index);

/* Kinds in the value namespace (SymEntry.kind). */
enum { SYM_FACT = 1, SYM_LET, SYM_SCALE, SYM_FN, SYM_NATIVE };

/* Built-in functions (Expr.ref_index when ref == REF_BUILTIN): the rows of
 * runtime/builtins.h, the one table. */
typedef enum {
#define SEMA_BI(id, name, params, max, result, inl, fn) BI_##id = IPSF_BI_##id,
  IPSF_BUILTINS(SEMA_BI)
#undef SEMA_BI
  BI__COUNT = IPSF_BI__COUNT
} Builtin;

typedef struct {
  const char *name;  /* qualified: "harm", "p.harm", or a fact's name */
  Span span;
  const Ident *values;
  size_t value_count;
  int scale;         /* index of the scale whose levels these are, or -1 */
} EnumSym;

typedef struct {
  const char *name;
  Span span;
  FactDecl *decl;
  Ty ty;
  uint32_t module;
  bool used;
} FactSym;

typedef struct {
  const char *name;
  Span span;
  Decl *decl;
  Ty ty;
  int state; /* 0 not checked, 1 being checked (cycle), 2 done */
  uint32_t module;
} LetSym;

typedef struct {
  const char *name;
  Span span;
  Decl *decl;
  Ty *params;  /* decl->param_count */
  Ty result;
  int state;   /* as LetSym: recursion shows as a cycle */
  uint32_t module;
} FnSym;

/* An extern (LANGUAGE.md §4.6): a function of a shared library. */
typedef struct {
  const char *name;    /* qualified */
  Span span;
  Decl *decl;
  Ty *params;          /* decl->param_count: bool, int, number or string */
  Ty result;
  const char *library; /* as written */
  const char *symbol;  /* `as "symbol"`, or the unqualified name */
  uint32_t module;
} NativeSym;

typedef struct {
  const char *name;
  Span span;
  Decl *decl;       /* the scale or axis declaration */
  uint32_t enum_id;
  int axis;         /* 0, 1, 2 */
  Decl *rules;      /* its rules block, or NULL */
  int policy;       /* IpsfPolicy */
  uint32_t otherwise; /* level index or UINT32_MAX */
  uint32_t *rule_levels; /* rules->rule_count level indices */
  uint32_t module;
} ScaleSym;

typedef struct {
  const char *name;
  Span span;
  Decl *decl;
} ViewpointSym;

typedef struct {
  uint32_t method;  /* index in the viewpoint's methods */
  int64_t every;    /* months, 0 = none */
  Expr *when;       /* or NULL */
  Span span;
} ConfirmSym;

typedef struct {
  const char *id;
  Span span;
  Decl *decl;
  uint32_t viewpoint; /* UINT32_MAX if missing or unknown */
  Expr *applies;      /* NULL = always */
  bool has_applies;
  ConfirmSym *confirms;
  size_t confirm_count;
  const char **refs;
  size_t ref_count;
  const char *party, *doc;
  /* basis (law, regulation, contract, voluntary) and its citation; who
   * confirms (a role) and what (product, organisation, process); NULL
   * when not declared */
  const char *basis, *citation, *confirmed_by, *subject;
  uint32_t module;
  /* `compensated_by` (docs/language.md, "Compensating measures"): one
   * entry per named requirement, in source order */
  struct CompensationSym *comps;
  size_t comp_count;
} ReqSym;

/* One requirement named by `compensated_by`: `by` is its index once
 * resolve_compensations ran (UINT32_MAX if unknown or rejected). */
typedef struct CompensationSym {
  uint32_t by;
  const Ident *name;
  const char *until; /* "YYYY-MM-DD" (a checked calendar date) or NULL */
  int64_t months;    /* `for N months`, 1..1200; 0 = none */
  Span span;         /* the whole line */
} CompensationSym;

/* A provision of a standards catalog (`catalog ... { provision ... }`). */
typedef struct {
  const char *id;       /* qualified: "ETSI-5.1-1", or "etsi.ETSI-5.1-1" */
  Span span;
  const Provision *decl;
  const Decl *catalog;
  uint32_t module;
  const char *text;     /* what a `ref` to it carries into the eval record */
  bool used;            /* named by a ref or a satisfied_by */
} ProvisionSym;

/* A usage profile the pack declares (`profile NAME "title" { ... }`):
 * filled by resolve.c (name, decl, doc) and types.c (items: the facts it
 * sets or constrains, checked; item i of the Decl whose fact resolved has
 * fact[i] != UINT32_MAX). */
typedef struct {
  const char *name;    /* qualified, as requirement ids are */
  Span span;
  Decl *decl;
  const char *doc;     /* or NULL */
  uint32_t *fact;      /* per decl->pitems[i]: fact index, UINT32_MAX for doc or error */
  uint32_t module;
} ProfileSym;

typedef struct {
  const char *path;    /* as resolved (for messages) */
  const char *key;     /* what identifies it: the real path, or <stdlib>/NAME.ipsf */
  const char *prefix;  /* `import ... as p`: "p", or NULL */
  Module *ast;
  int state;           /* 0 unvisited, 1 loading (cycle), 2 loaded */
} ModuleInfo;

/* Evaluation order: lets and scales, dependencies first. */
typedef struct {
  int kind;       /* SYM_LET or SYM_SCALE */
  uint32_t index;
} OrderItem;

struct Compilation {
  Arena arena;
  SourceSet sources;
  Diags diags;
  CompileOptions opt;

  ModuleInfo *modules;  size_t module_count, module_cap;
  uint32_t root;        /* module index of the root file */
  uint32_t *load_order; size_t load_count, load_cap; /* imports first */

  Decl *pack;           /* the root's pack header, or NULL */

  SymMap values;        /* facts, lets, scales, fns */
  SymMap types;         /* named enums and scales -> enum id */
  SymMap viewpoint_map; /* -> viewpoint index */
  SymMap req_map;       /* requirement id -> index */
  SymMap enum_values;   /* value name -> enum id (kind = number of enums that have it) */

  EnumSym *enums;           size_t enum_count, enum_cap;
  FactSym *facts;           size_t fact_count, fact_cap;
  LetSym *lets;             size_t let_count, let_cap;
  FnSym *fns;               size_t fn_count, fn_cap;
  NativeSym *natives;       size_t native_count, native_cap;
  ScaleSym *scales;         size_t scale_count, scale_cap;
  ViewpointSym *viewpoints; size_t viewpoint_count, viewpoint_cap;
  ReqSym *reqs;             size_t req_count, req_cap;
  Decl **tests;             size_t test_count, test_cap;
  ProvisionSym *provisions; size_t provision_count, provision_cap;
  SymMap provision_map;     /* qualified id -> provision index */

  OrderItem *order;     size_t order_count;

  ProfileSym *profiles;     size_t profile_count, profile_cap; /* usage profiles */
  SymMap profile_map;       /* qualified name -> profile index */
};

/* load.c */
IPSFC_FUNC bool load_root(Compilation *c, const char *path);

/* resolve.c */
IPSFC_FUNC void resolve_declarations(Compilation *c);

/* symtab.c */
/* The qualified name a module's declaration gets. */
IPSFC_FUNC const char *qualify(Compilation *c, uint32_t module, const char *name);
/* Look a value name up as seen from a module: its own (prefixed) names
 * first, then global names. */
IPSFC_FUNC SymEntry *lookup_value(Compilation *c, uint32_t module, const char *name);
IPSFC_FUNC SymEntry *lookup_type(Compilation *c, uint32_t module, const char *name);
/* The same in any map (provisions). */
IPSFC_FUNC SymEntry *lookup_name(Compilation *c, const SymMap *m, uint32_t module, const char *name);
/* Index of a value in an enum, or UINT32_MAX. */
IPSFC_FUNC uint32_t enum_value_index(const EnumSym *e, const char *name);
/* "a, b, c" (arena) for messages. */
IPSFC_FUNC const char *enum_value_list(Compilation *c, const EnumSym *e);
/* "Did you mean": candidates are offered one by one (or a whole map) and
 * the closest by edit distance (or the one the unknown name abbreviates)
 * is kept; suggest_hint is " (did you mean 'x'?)" or "" (arena). */
typedef struct {
  const char *name, *best;
  size_t score;
} Suggest;
IPSFC_FUNC void suggest_init(Suggest *s, const char *name);
IPSFC_FUNC void suggest_add(Suggest *s, const char *cand);
IPSFC_FUNC void suggest_map(Suggest *s, const SymMap *m);
IPSFC_FUNC const char *suggest_hint(Compilation *c, const Suggest *s);

/* types.c */
IPSFC_FUNC void check_types(Compilation *c);
/* The profile a test's `profile "p";` names, as an index, or UINT32_MAX
 * (no such profile, or the pack declares none). */
IPSFC_FUNC uint32_t profile_named(Compilation *c, uint32_t module, const char *name);

/* framework.c: a pack that declares `framework "IoT-SSF …"` uses ssf's
 * axes and viewpoints, and no `likelihood` fact flows into an axis.
 * Call after check_types, on a pack without errors. */
IPSFC_FUNC void check_framework(Compilation *c);

/* typename.c */
IPSFC_FUNC const char *ty_name(Compilation *c, Ty t);
IPSFC_FUNC bool is_builtin_name(const char *name);

/* codegen.c */
IPSFC_FUNC bool codegen_pack(Compilation *c, IpsfPack **out);
/* codegen_tables.c: a decision table (runtime/pack.h IpsfTable) of kind
 * IPSF_TABLE_RULES for the rules of scale `owner` (span 1, lens[0] rules,
 * conds[i] rule i's condition, NULL: always), or IPSF_TABLE_REQ for the
 * `span` requirements from `owner` (requirement k's lens[k] conditions
 * follow the earlier ones in conds: its applies, then each confirm line's
 * when; NULL: always).  With commit, appended to p->tables: its index;
 * without, only whether it can be built (0).  IPSF_NONE when it cannot
 * (or need not) be a table. */
IPSFC_FUNC uint32_t codegen_table(IpsfPack *p, uint8_t kind, uint32_t owner, uint32_t span,
                                  const Expr *const *conds, const size_t *lens,
                                  const uint32_t *fact_slot, const uint32_t *let_slot,
                                  const uint32_t *scale_slot, bool commit);

/* fold.c: constant expressions, computed through runtime/arith.h (the VM's
 * own arithmetic).  Call after check_types. */
typedef struct {
  Ty ty;
  IpsfValue v;      /* STRING: v.s is the (arena) text */
} Folded;
typedef enum {
  FOLD_NONE = 0, /* not a constant: reads a fact, let, scale, parameter or call */
  FOLD_OK,       /* constant: *out holds its value */
  FOLD_RAISES    /* constant, but computing it raises (left to run time) */
} FoldStatus;
typedef struct {
  const Expr *at; /* the subexpression that raises */
  int why;        /* an IpsfArithStatus (runtime/arith.h) */
} FoldRaise;
/* raise (may be NULL) is filled on FOLD_RAISES. */
IPSFC_FUNC FoldStatus fold_expr(const Expr *e, Folded *out, FoldRaise *raise);
/* fold_expr's value when it is FOLD_OK, else false. */
IPSFC_FUNC bool fold_value(const Expr *e, Ty *ty, IpsfValue *value);

/* Grow helper for the arrays above (arena-backed; symtab.c). */
IPSFC_FUNC void *grow_array(Arena *a, void *items, size_t *cap, size_t count, size_t size);
#define PUSH(c, arr, count, cap)                                              \
  ((arr) = grow_array(&(c)->arena, (arr), &(cap), (count), sizeof *(arr)),    \
   &(arr)[(count)++])

#endif
