/*
 * diff.h -- `ipsfc diff OLD NEW [SHEET...]`: what changes between two
 * versions of a rule pack (docs/cli.md, "ipsfc diff").
 *
 * Four parts, a file each, all writing into one report (a jansson object,
 * whose keys are the documented JSON schema) that diff_output.c renders:
 *
 *   diff_interface.c  what the packs declare: facts, scales and levels,
 *                     viewpoints and methods, requirements, catalog refs,
 *                     rules; sheets valid for OLD that NEW rejects, each
 *                     with an example sheet checked under both runtimes
 *   diff_symbolic.c   every region of fact space (cells of check's
 *                     analysis, the common refinement of both packs' cuts)
 *                     where the outcomes differ, each with a counterexample
 *                     re-checked through both VMs
 *   diff_corpus.c     the records of real sheets under both packs
 *   diff_outcome.c    comparing two outcomes (records), classifying a
 *                     change as stricter / looser / mixed by the orders the
 *                     packs declare (levels lowest first, methods weakest
 *                     first, shorter periods stricter)
 *   diff_output.c     text, JSON, Markdown
 *
 * Invariants: nothing here claims equivalence that was not proved.  A
 * symbolic diff is "proved" only when every cell of the refinement was
 * evaluated under both packs and no fact either pack reads is inexact;
 * otherwise the report says what was not analysed.  Every counterexample
 * printed was evaluated as a sheet (ipsf_evaluate_text) under both packs
 * and gave different records.
 */
#ifndef IPSF_DIFF_H
#define IPSF_DIFF_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "ipsf.h"
#include "ipsfc_func.h"

typedef struct Compilation Compilation;

/* One side of the diff: the loaded pack, and for a source pack the
 * compilation (declarations, method orders, the cell analysis). */
typedef struct {
  const char *path;
  IpsfPack *pack;
  Compilation *c; /* NULL for bytecode */
} DiffPack;

/* Change classes; a set of them is a bit mask. */
enum { DC_STRICTER = 1, DC_LOOSER = 2, DC_OTHER = 4, DC_NEUTRAL = 8 };

typedef struct {
  DiffPack old, new_;
  uint64_t max_cells; /* bound of the symbolic enumeration */
  bool by_component;  /* compare each output alone, even when the whole fits */
  unsigned jobs;      /* threads for the corpus's JSON Lines (1: this one) */
  /* filled as the parts run */
  unsigned classes;   /* DC_* of every change found */
  size_t changes;     /* how many changes (interface items, regions, records) */
  bool unproved;      /* the symbolic diff could not prove what it did not find */
} DiffCtx;

/* diff_outcome.c */
/* "stricter", "looser", "mixed", "neutral" (a renamed level, a status) for a
 * DC_* mask; 0: "equivalent". */
IPSFC_FUNC const char *diff_class_name(unsigned classes);
/* The changes from record o to record n (eval's JSON records, or
 * outcomes of the same shape): a new array; *classes gets their DC_*. */
IPSFC_FUNC json_t *diff_outcomes(const DiffCtx *d, const json_t *o, const json_t *n,
                                 unsigned *classes);
/* Two evaluation errors are the same failure if their messages are equal
 * but for a trailing " at FILE:LINE:COL" (the place in each pack). */
IPSFC_FUNC bool diff_same_error(const char *a, const char *b);
IPSFC_FUNC size_t diff_error_len(const char *m);
/* "axis1 / axis2" of a record, or NULL. */
IPSFC_FUNC char *diff_cell_of(const json_t *record);
/* Strength of a method within a requirement's viewpoint (higher is
 * stronger), -1 when the pack's source is not at hand. */
IPSFC_FUNC int diff_method_rank(const DiffPack *p, const char *req_id, const char *method);
/* The 9x9 (axis1 x axis2 levels) table as a JSON object. */
IPSFC_FUNC json_t *diff_transition_table(const DiffCtx *d);
IPSFC_FUNC void diff_transition_add(const DiffCtx *d, json_t *table, const char *from,
                                    const char *to, json_int_t n);

/* diff_interface.c: report["interface"], report["rejected"]. */
IPSFC_FUNC void diff_interface(DiffCtx *d, json_t *report);

/* diff_symbolic.c: report["symbolic"]. */
IPSFC_FUNC void diff_symbolic(DiffCtx *d, json_t *report);

/* diff_corpus.c: evaluate every sheet of paths under both packs in one
 * pass; changed records go to `changes` (one JSON object per line, a
 * temporary file, so memory stays bounded), report["corpus"] gets the
 * counts.  false on a sheet file that cannot be read (reported). */
IPSFC_FUNC bool diff_corpus(DiffCtx *d, const char *const *paths, size_t n, FILE *changes,
                            json_t *report);

/* diff_output.c */
enum { DIFF_TEXT, DIFF_JSON, DIFF_MARKDOWN };
IPSFC_FUNC void diff_print(FILE *out, int format, const json_t *report, FILE *changes);

#endif
