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

#include <stdint.h>

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

#endif
