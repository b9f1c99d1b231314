/*
 * analyze_internal.h -- private to the static analysis (compiler/analyze*.c).
 *
 * The analyser is one state (An) shared by its parts, each in its own file:
 *   analyze_eval.c    partial values: reading facts under a partial
 *                     assignment of cells, evaluating expressions, lets and
 *                     rules blocks to a value, a range or unknown; the facts
 *                     each expression depends on
 *   analyze_cells.c   cutting each fact's domain into cells (thresholds,
 *                     literals, linear forms), the variables of the search
 *   analyze_search.c  the depth-first searches over cells
 *   analyze_checks.c  the questions asked of each rules block and
 *                     requirement, and how a finding is reported
 *   analyze.c         the method (its header comment), unused
 *                     declarations, the driver
 * analyze.c's header comment explains the method and why its answers can
 * be trusted.
 */
#ifndef IPSF_ANALYZE_INTERNAL_H
#define IPSF_ANALYZE_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "analyze.h"
#include "ipsfc_func.h"
#include "sema.h"

/* ---- partial values ------------------------------------------------------------ */

enum { PV_UNK, PV_INT, PV_NUM, PV_STR, PV_SET, PV_ERR };
/* Why an evaluation failed (PV_ERR). */
enum { E_ARITH = 1, E_GAP, E_UNIQUE, E_CONFIRM };

typedef struct {
  uint8_t k;       /* PV_* */
  uint8_t err;     /* PV_ERR: E_* */
  uint32_t unit;   /* PV_ERR: the scale (E_GAP, E_UNIQUE) or requirement (E_CONFIRM) */
  int64_t lo, hi;  /* PV_INT (bool, int, enum, level): the value lies in lo..hi */
  double n;        /* PV_NUM */
  const char *s;   /* PV_STR */
  uint64_t known;  /* PV_SET: which bits are known (bits beyond the enum: known 0) */
  uint64_t val;    /* PV_SET: the known bits' values */
  int32_t var;     /* PV_SET: variable of member 0 when the set is a fact, else -1 */
} PV;

static inline PV pv_unk(void) { return (PV){.k = PV_UNK, .var = -1}; }
static inline PV pv_int(int64_t lo, int64_t hi) { return (PV){.k = PV_INT, .lo = lo, .hi = hi, .var = -1}; }
static inline PV pv_num(double n) { return (PV){.k = PV_NUM, .n = n, .var = -1}; }
static inline PV pv_str(const char *s) { return (PV){.k = PV_STR, .s = s, .var = -1}; }
static inline PV pv_err(int why, uint32_t unit) { return (PV){.k = PV_ERR, .err = (uint8_t)why, .unit = unit, .var = -1}; }
static inline PV pv_bool3(int v) { return v < 0 ? pv_int(0, 1) : pv_int(v, v); }
static inline bool is_known_int(PV p) { return p.k == PV_INT && p.lo == p.hi; }
static inline bool pv_known(PV p) {
  return (p.k == PV_INT && p.lo == p.hi) || p.k == PV_NUM || p.k == PV_STR ||
         (p.k == PV_SET && p.known == ~UINT64_C(0));
}
/* -1 unknown, 0 false, 1 true */
static inline int truth(PV p) { return is_known_int(p) ? p.lo != 0 : -1; }

/* ---- the analyser's state ---------------------------------------------------------- */

typedef struct {
  int kind;            /* TY_* of the fact */
  uint32_t n;          /* enum and set: value count */
  int32_t var;         /* its (first) variable */
  bool inexact;        /* some use is not covered by the cells */
  bool has_default;
  IpsfValue deflt;
  int64_t *ith; size_t nith, cith;     /* int thresholds */
  double *nth; size_t nnth, cnth;      /* number thresholds */
  const char **lit; size_t nlit, clit; /* string literals */
} FactInfo;

typedef struct {
  uint32_t fact;
  int32_t member;      /* set member, or -1 */
  uint32_t ncells;
  IpsfValue *rep;      /* int, number, string: a representative per cell */
  uint32_t *order;     /* cells in the order to try (the default's first) */
} Var;

/* What left some facts' cells inexact (IPSF-W100 names it): a construct
 * of the pack, found while collecting the cells of a let, a scale's rules
 * or a requirement (its owner).  A check is undecided because of a cause
 * only when the thing checked reads the owner (An.reach_*) and depends on
 * one of its facts: a let nobody reads, or one only another scale reads,
 * does not stop the analysis of this scale. */
enum { OWN_LET, OWN_SCALE, OWN_REQ };
typedef struct {
  Span at;             /* the construct (NO_SPAN: none to show) */
  const char *why;     /* "is not linear in one fact", ... */
  uint64_t *facts;     /* the facts it leaves inexact */
  int kind;            /* OWN_*: what it was collected from */
  uint32_t owner;
} InexactCause;

/* Nested fn calls the evaluator follows (deeper ones are unknown). */
#define MAX_FRAMES 64

/* The analyser: one per analyze_pack call, shared by all its parts.  The
 * caches (let_pv, scale_pv) are valid while their *_gen equals gen, so
 * changing one cell invalidates every cached value at once. */
typedef struct {
  Compilation *c;
  FactInfo *fi;             /* per fact */
  Var *vars;                /* the search variables (a set fact: one per member) */
  uint32_t nvars;
  int32_t *cell;            /* per variable: cell index, -1 unassigned */
  bool complete;            /* read unassigned facts as their defaults */
  uint32_t gen;             /* bumped at every change of the assignment */
  PV *let_pv; uint32_t *let_gen; int32_t *let_want;       /* per let: cached value, its */
  PV *scale_pv; uint32_t *scale_gen; int32_t *scale_want; /* gen, the variable it wanted */
  PV *frames[MAX_FRAMES];   /* arguments of the fn calls being evaluated */
  int nframes;
  int32_t want;             /* first unassigned variable read */
  int32_t branch;           /* the variable a judge wants to branch on */
  uint64_t work, work_limit, nodes, node_limit; /* AnalyzeLimits and what was spent */
  bool bound, stuck;        /* the last search hit a bound / had nothing to branch on */
  size_t words;             /* of a fact bitset */
  uint64_t **let_deps, **scale_deps, **fn_deps;     /* facts each one reads, */
  uint8_t *let_dstate, *scale_dstate, *fn_dstate;   /* computed once (0 no, 1 busy, 2 done) */
  uint64_t *inexact;        /* bitset of inexact facts */
  const Expr **dkey;        /* cache: expression -> its fact bitset */
  uint64_t **dval;
  size_t dcap, dcount;
  size_t findings;          /* warnings added so far */
  InexactCause *causes; size_t ncauses, ccauses;
  int own_kind; uint32_t own_index; /* the owner being collected */
  uint8_t *reach_let, *reach_scale; /* what the root being checked reads */
  int root_kind; uint32_t root_index;
  bool reach_all;           /* too deep to tell: every cause counts */
} An;

static inline void want(An *a, int32_t var) {
  if (a->want < 0) a->want = var;
}

/* Bitsets over facts (a->words words each). */
static inline uint64_t *new_bits(An *a) { return arena_array(&a->c->arena, a->words, sizeof(uint64_t)); }

static inline void bits_or(An *a, uint64_t *dst, const uint64_t *src) {
  for (size_t i = 0; i < a->words; i++) dst[i] |= src[i];
}

static inline bool bits_meet(An *a, const uint64_t *x, const uint64_t *y) {
  for (size_t i = 0; i < a->words; i++)
    if (x[i] & y[i]) return true;
  return false;
}

static inline bool bit(const uint64_t *b, size_t i) { return (b[i / 64] >> (i % 64)) & 1; }
static inline void set_bit(uint64_t *b, size_t i) { b[i / 64] |= UINT64_C(1) << (i % 64); }

/* ---- cells and the search --------------------------------------------------------- */

/* The arguments of the fn calls a linear form or a literal is read
 * through (innermost first): a parameter is its argument, read in the
 * caller's frame. */
typedef struct Frame {
  const Expr *const *args;
  const struct Frame *up;
} Frame;

/* A judge's verdict on the current partial assignment: no input below it
 * answers the question, the assignment already does (a witness), or it
 * cannot tell yet (a->branch names the variable to split). */
enum { J_NO, J_YES, J_MAYBE };
/* A search's result: no witness, a witness (left in a->cell), or the work
 * bound was hit (no claim either way). */
enum { S_NONE, S_FOUND, S_BOUND };

/* The question a search asks, with q its parameters. */
typedef int (*Judge)(An *a, const void *q);

/* A conjunction of conditions, each wanted true or false, and optionally a
 * disjunction of conditions of which one must be true. */
typedef struct {
  const Expr **e;
  bool *pol;
  size_t n;
  const Expr **any;
  size_t nany;
  bool use_any;
  const uint32_t *reach; /* scales that must evaluate without error (so that */
  size_t nreach;         /* the VM reaches what is asked), or NULL */
} Conj;

/* A Conj being built (arena arrays grown by conj_add). */
typedef struct {
  Arena *ar;
  Conj q;
  size_t cap;
} ConjB;

/* The checks of one rules block (or requirement) that could not be decided. */
typedef struct {
  bool inexact_deps, stuck, bound, unconfirmed;
  const InexactCause *cause; /* the first cause met (inexact_deps) */
  const char *what[8];
  size_t nwhat;
} Undecided;


/* analyze.c: the state for c, its facts cut into cells */
IPSFC_FUNC void ipsfc_an_prepare(An *a, Compilation *c, const AnalyzeLimits *limits);

/* analyze_eval.c */
IPSFC_FUNC IpsfValue ipsfc_an_fact_default(const FactInfo *f);
IPSFC_FUNC PV ipsfc_an_fact_value(An *a, uint32_t fact);
IPSFC_FUNC PV ipsfc_an_let_value(An *a, uint32_t i);
IPSFC_FUNC PV ipsfc_an_scale_value(An *a, uint32_t i);
IPSFC_FUNC TyKind ipsfc_an_operand_kind(const Expr *e);
IPSFC_FUNC PV ipsfc_an_ev(An *a, const Expr *e);
IPSFC_FUNC const uint64_t *ipsfc_an_let_deps(An *a, uint32_t i);
IPSFC_FUNC const uint64_t *ipsfc_an_scale_deps(An *a, uint32_t i);
IPSFC_FUNC const uint64_t *ipsfc_an_fn_deps(An *a, uint32_t i);
IPSFC_FUNC void ipsfc_an_deps_expr(An *a, const Expr *e, uint64_t *out);
IPSFC_FUNC uint64_t *ipsfc_an_expr_deps(An *a, const Expr *e);
IPSFC_FUNC const uint64_t *ipsfc_an_cached_deps(An *a, const Expr *e);

/* analyze_cells.c */
IPSFC_FUNC void ipsfc_an_collect(An *a, const Expr *e, const Frame *fr, int depth);
/* The root whose checks follow (OWN_SCALE or OWN_REQ): what it reads. */
IPSFC_FUNC void ipsfc_an_set_root(An *a, int kind, uint32_t index);
IPSFC_FUNC void ipsfc_an_setup_facts(An *a);
IPSFC_FUNC void ipsfc_an_finish_cells(An *a);
IPSFC_FUNC void ipsfc_an_add_cuts(An *a, uint32_t fact, const AnalyzeFactCuts *cuts);

/* analyze_search.c */
IPSFC_FUNC int ipsfc_an_search(An *a, Judge j, const void *q);
IPSFC_FUNC int ipsfc_an_search_conj(An *a, const Conj *q);
IPSFC_FUNC void ipsfc_an_conj_init(ConjB *b, Arena *ar, size_t cap);
IPSFC_FUNC void ipsfc_an_conj_add(ConjB *b, const Expr *e, bool pol);

/* analyze_checks.c */
/* The VM's order of strength of confirm lines: a stronger method, then a
 * period over none, then a shorter period. */
IPSFC_FUNC bool ipsfc_an_confirm_stronger(const ConfirmSym *x, const ConfirmSym *y);
/* Add to b (initialised by the caller, with its own conditions) what makes
 * confirm line k of r the chosen one: r applies, line k matches, and no
 * line the VM prefers matches.  False when a preferred line always matches
 * (line k can never be chosen; b is then incomplete). */
IPSFC_FUNC bool ipsfc_an_conj_chosen(ConjB *b, const ReqSym *r, size_t k);
IPSFC_FUNC void ipsfc_an_finding(An *a, Span at, const char *code, char *sheet, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;
IPSFC_FUNC void ipsfc_an_report_undecided(An *a, Span at, const char *subject, const Undecided *u);
IPSFC_FUNC void ipsfc_an_check_gap(An *a, uint32_t si, Undecided *u);
IPSFC_FUNC void ipsfc_an_check_overlaps(An *a, uint32_t si, Undecided *u);
IPSFC_FUNC void ipsfc_an_check_rules(An *a, uint32_t si, Undecided *u);
IPSFC_FUNC void ipsfc_an_check_monotone(An *a, uint32_t si, Undecided *u);
IPSFC_FUNC void ipsfc_an_check_requirement(An *a, uint32_t ri);
IPSFC_FUNC void ipsfc_an_check_compensations(An *a, uint32_t ri);

#endif
