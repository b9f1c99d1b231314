/*
 * analyze.h -- static analysis of a checked rule pack (LANGUAGE.md §7).
 *
 * Run by check_source after a clean type check and code generation.  Every
 * finding is a warning with a code (docs/diagnostics.md) and, where one
 * exists, a counterexample fact sheet (Diag.sheet_json):
 *
 *   IPSF-W100 not analysed      a check could not be decided (bound hit,
 *                               non-linear arithmetic, string functions)
 *   IPSF-W101 unused fact       IPSF-W111 unused let   IPSF-W112 unused fn
 *   IPSF-W113 unused scale (of an imported module)      IPSF-W114 unused import
 *   IPSF-W102 gap               no rule matches and there is no otherwise
 *   IPSF-W103 overlap           two rules of a `unique` block, different levels
 *   IPSF-W104 dead rule         a rule whose condition can never hold
 *   IPSF-W105 shadowed rule     `first`: an earlier rule always wins
 *   IPSF-W106 redundant rule    `worst`: the rule never changes the level
 *   IPSF-W107 nonmonotone       `worst`: a worse ordered fact lowers the level
 *   IPSF-W108 never applies     a requirement whose `applies` never holds
 *   IPSF-W109 confirm never strongest
 *   IPSF-W110 confirm gap       a requirement applies but no confirm matches
 */
#ifndef IPSF_ANALYZE_H
#define IPSF_ANALYZE_H

#include "ipsfc_func.h"

#include <stdbool.h>
#include <stdint.h>

#include "pack.h"

typedef struct Compilation Compilation;

/* Work bounds: a search that exceeds them reports IPSF-W100 (never a
 * guess).  0 = the defaults. */
typedef struct AnalyzeLimits {
  uint64_t nodes_per_search; /* default 20000 */
  uint64_t total_work;       /* expression evaluations, default 400 million */
} AnalyzeLimits;

/* Analyse c (error-free, with a pack header) and add its findings to
 * c->diags.  Returns the number of findings. */
IPSFC_FUNC size_t analyze_pack(Compilation *c, const AnalyzeLimits *limits);

/* ---- the category matrix (`ipsfc doc`, compiler/doc_cells.c) ----------------
 *
 * The same cells and searches, asked per cell of the category matrix (axis
 * 1 level l1, axis 2 level l2): can the cell be reached at all, and per
 * requirement does it apply there always, never, or depending on facts,
 * and which of its confirm lines can be the one chosen there.  An answer
 * that the analysis cannot give exactly (a fact compared non-linearly, a
 * work bound hit) is MX_UNKNOWN, never a guess. */
enum { MX_NEVER, MX_ALWAYS, MX_DEPENDS, MX_UNKNOWN };

typedef struct {
  uint8_t applies;          /* MX_*: does the requirement apply in the cell */
  uint64_t lines;           /* confirm lines (bit k: line k) that can be the chosen one there */
  bool lines_exact;         /* lines is exact (else some line may be missing) */
  uint32_t weakest, strongest; /* of lines, by method then period; UINT32_MAX if none */
  /* What decides (MX_DEPENDS; weakest != strongest): the names its applies
   * (its confirm lines) read, the axes left out, a let, fn or scale with
   * the facts it reads: "wireless (radios), usage" */
  const char *applies_facts;
  const char *method_facts;
} MatrixReq;

typedef struct {
  uint32_t axis[2];    /* scale indices of axis 1 and 2 */
  uint32_t levels[2];  /* their level counts */
  uint8_t *reachable;  /* per cell (l1 * levels[1] + l2): MX_NEVER, MX_ALWAYS (reached) or MX_UNKNOWN */
  MatrixReq *reqs;     /* per cell, per requirement: [cell * req_count + r] */
} MatrixAnalysis;

/* Fill m for c (error-free, with both axes); false if the pack has no two
 * axes.  Everything lives in c's arena. */
IPSFC_FUNC bool analyze_matrix(Compilation *c, const AnalyzeLimits *limits, MatrixAnalysis *m);
/* ---- the cells alone (ipsfc diff, compiler/diff_symbolic.c) -------------------------
 *
 * The cuts of a fact's domain that check's analysis uses: int and number
 * thresholds (sorted, distinct after analyze_cells), string literals. */
typedef struct {
  int64_t *ith; size_t nith;
  double *nth; size_t nnth;
  const char **lit; size_t nlit;
} AnalyzeFactCuts;

typedef struct {
  int kind;        /* TY_* */
  bool inexact;    /* some use is not covered by the cells (IPSF-W100) */
  bool used;       /* read by a scale (through lets, fns) or a requirement */
  AnalyzeFactCuts cuts;
  uint32_t ncells; /* int, number, string: the cells and a value in each */
  const IpsfValue *rep;
  const uint32_t *order; /* the cells in search order (the default's first) */
} AnalyzeFactCells;

typedef struct {
  AnalyzeFactCells *facts; size_t fact_count; /* per fact of the compilation */
  bool *scale_inexact; /* per scale: it reads an inexact fact */
  bool *req_inexact;   /* per requirement: its applies or a when reads one */
  /* The facts each scale (its rules, through lets, fns and other scales)
   * and each requirement (applies and confirm conditions) reads: bit sets
   * of `words` 64-bit words, bit i = fact i. */
  const uint64_t **scale_deps;
  const uint64_t **req_deps;
  size_t words;
} AnalyzeCells;

/* Cut every fact of c (error-free, with a pack header) into cells exactly
 * as analyze_pack does, with extra[i] (extra may be NULL) added to fact
 * i's own cuts, so that two packs can share one refinement.  Everything
 * lives in c's arena. */
IPSFC_FUNC void analyze_cells(Compilation *c, const AnalyzeFactCuts *extra, AnalyzeCells *out);

#endif
