/*
 * codegen_tables.c -- decision tables for rules blocks (issue #16).
 *
 * A rules block whose every condition is a boolean combination (and, or,
 * not) of atoms over a few slots, each atom one of
 *
 *   b                  a bool fact, let or (via ==/!=) bool constant
 *   x OP k             x an int or enum (fact, let, scale level), k a
 *                      constant of its type, OP one of == != < <= > >=
 *   x in K             x an enum, K a constant set of its enum
 *
 * is compiled to one RTABLE instruction (runtime/opcodes.h) and a table
 * (runtime/pack.h IpsfTable) instead of the chain of compares and hits.
 * Likewise a requirement whose `applies` and confirm `when` conditions
 * are such: one QTABLE instead of its guard, REQ, confirm lines and
 * REQEND; a cell then says whether it applies and which lines match.  A
 * run of consecutive requirements that one table can hold (at most
 * 16 of them, codegen.c's GROUP_MAX; CODEGEN_MAX_MASKS masks in all) shares one QTABLE,
 * a cell holding one mask per requirement.  A bool `let` whose
 * expression is such a combination is one LTABLE storing its value.
 * Such a condition reads only slots and constants: it cannot fail, call a
 * native or touch a string, so the chain's outcome is the set of rules
 * whose condition holds, applied in rule order; the table stores that set
 * per cell and the VM applies it in the same order with the same action.
 *
 * Why a table is exact.  Each slot is a dim cut into classes:
 *   bool  its two values;
 *   enum  values grouped by their truth vector over the dim's atoms: two
 *         values in one class make every atom, so every condition, agree;
 *   int   the points where some atom's truth can change: x < k and x >= k
 *         change at k, x <= k and x > k at k+1, x == k and x != k at k and
 *         k+1; between two consecutive points every atom is constant.
 *         Adjacent intervals whose atoms agree are merged.
 * A cell is one class per dim, so every condition is constant on it, and
 * evaluating the conditions on one representative per class (an enum
 * class's first value, an interval's lower end, or the first threshold
 * minus one for the lowest) gives the rule set of every input in the
 * cell.  The builder gives up (IPSF_NONE: keep the chain) on anything
 * else: more than IPSF_TABLE_MAX_DIMS slots, more than
 * IPSF_TABLE_MAX_CELLS cells, more than 64 rules (63 confirm lines), or a
 * table that would not save a dispatch (a block whose chain is one
 * instruction, a requirement without a condition).
 */
#include <stdlib.h>
#include <string.h>

#include "sema.h"

#define MAX_ATOMS 256
/* masks per table (cells times the requirements of a group) */
#define CODEGEN_MAX_MASKS 512u

typedef enum { A_TRUTH, A_EQ, A_NE, A_LT, A_LE, A_GT, A_GE, A_IN } AtomOp;

typedef struct {
  uint32_t dim;
  AtomOp op;
  int64_t k;
  uint64_t set;
} Atom;

typedef struct {
  const IpsfPack *p;
  const uint32_t *fact_slot, *let_slot, *scale_slot;
  uint32_t slots[IPSF_TABLE_MAX_DIMS];
  uint8_t kinds[IPSF_TABLE_MAX_DIMS]; /* IpsfDimKind */
  uint32_t ndims;
  Atom atoms[MAX_ATOMS];
  uint32_t natoms;
  bool failed;
} TB;

/* The dim of a name (a fact, let or scale), added on first use; UINT32_MAX
 * when it is not one or there are too many. */
static uint32_t dim_of(TB *t, const Expr *e) {
  if (e->kind != EX_NAME) return UINT32_MAX;
  uint32_t slot;
  switch (e->ref) {
  case REF_FACT: slot = t->fact_slot[e->ref_index]; break;
  case REF_LET: slot = t->let_slot[e->ref_index]; break;
  case REF_SCALE: slot = t->scale_slot[e->ref_index]; break;
  default: return UINT32_MAX;
  }
  uint8_t kind;
  switch (t->p->slots[slot].type.kind) {
  case IPSF_K_BOOL: kind = IPSF_DIM_BOOL; break;
  case IPSF_K_INT: kind = IPSF_DIM_INT; break;
  case IPSF_K_ENUM: kind = IPSF_DIM_ENUM; break;
  default: return UINT32_MAX;
  }
  for (uint32_t d = 0; d < t->ndims; d++)
    if (t->slots[d] == slot) return d;
  if (t->ndims == IPSF_TABLE_MAX_DIMS) return UINT32_MAX;
  t->slots[t->ndims] = slot;
  t->kinds[t->ndims] = kind;
  return t->ndims++;
}

static bool add_atom(TB *t, Atom a) {
  if (t->natoms == MAX_ATOMS) return false;
  t->atoms[t->natoms++] = a;
  return true;
}

static AtomOp atom_op(ExprOp op, bool swapped) {
  switch (op) {
  case OP_EQ: return A_EQ;
  case OP_NE: return A_NE;
  case OP_LT: return swapped ? A_GT : A_LT;
  case OP_LE: return swapped ? A_GE : A_LE;
  case OP_GT: return swapped ? A_LT : A_GT;
  default: return swapped ? A_LE : A_GE;
  }
}

/* The atoms of condition e, or false if e is not a table condition. */
static bool collect(TB *t, const Expr *e) {
  Folded k;
  if (fold_expr(e, &k, NULL) == FOLD_OK) return k.ty.kind == TY_BOOL;
  switch (e->kind) {
  case EX_NAME: {
    uint32_t d = dim_of(t, e);
    return d != UINT32_MAX && t->kinds[d] == IPSF_DIM_BOOL &&
           add_atom(t, (Atom){d, A_TRUTH, 0, 0});
  }
  case EX_UNARY: return e->op == OP_NOT && collect(t, e->a);
  case EX_BINARY: break;
  default: return false;
  }
  switch (e->op) {
  case OP_AND:
  case OP_OR: return collect(t, e->a) && collect(t, e->b2);
  case OP_IN: {
    uint32_t d = dim_of(t, e->a);
    if (d == UINT32_MAX || t->kinds[d] != IPSF_DIM_ENUM) return false;
    if (fold_expr(e->b2, &k, NULL) != FOLD_OK || k.ty.kind != TY_SET) return false;
    if (k.ty.enum_id != e->a->ty.enum_id) return false;
    return add_atom(t, (Atom){d, A_IN, 0, k.v.m});
  }
  case OP_EQ: case OP_NE: case OP_LT: case OP_LE: case OP_GT: case OP_GE: {
    bool swapped = false;
    const Expr *x = e->a, *c = e->b2;
    if (fold_expr(c, &k, NULL) != FOLD_OK) {
      swapped = true;
      x = e->b2;
      c = e->a;
      if (fold_expr(c, &k, NULL) != FOLD_OK) return false;
    }
    uint32_t d = dim_of(t, x);
    if (d == UINT32_MAX) return false;
    /* the constant has the slot's own type (no int/number mixing) */
    if (k.ty.kind != x->ty.kind) return false;
    if (k.ty.kind == TY_ENUM && k.ty.enum_id != x->ty.enum_id) return false;
    if (t->kinds[d] == IPSF_DIM_BOOL && e->op != OP_EQ && e->op != OP_NE) return false;
    return add_atom(t, (Atom){d, atom_op(e->op, swapped), k.v.i, 0});
  }
  default: return false;
  }
}

static bool atom_true(const Atom *a, int64_t x) {
  switch (a->op) {
  case A_TRUTH: return x != 0;
  case A_EQ: return x == a->k;
  case A_NE: return x != a->k;
  case A_LT: return x < a->k;
  case A_LE: return x <= a->k;
  case A_GT: return x > a->k;
  case A_GE: return x >= a->k;
  default: return (a->set >> x) & 1u;
  }
}

/* Evaluate condition e (already accepted by collect) with dim d = val[d]. */
static bool eval_cond(TB *t, const Expr *e, const int64_t *val) {
  Folded k;
  if (fold_expr(e, &k, NULL) == FOLD_OK) return k.v.i != 0;
  if (e->kind == EX_NAME) return val[dim_of(t, e)] != 0;
  if (e->kind == EX_UNARY) return !eval_cond(t, e->a, val);
  if (e->op == OP_AND) return eval_cond(t, e->a, val) && eval_cond(t, e->b2, val);
  if (e->op == OP_OR) return eval_cond(t, e->a, val) || eval_cond(t, e->b2, val);
  if (e->op == OP_IN) {
    fold_expr(e->b2, &k, NULL);
    return (k.v.m >> val[dim_of(t, e->a)]) & 1u;
  }
  bool swapped = fold_expr(e->b2, &k, NULL) != FOLD_OK;
  const Expr *x = swapped ? e->b2 : e->a;
  if (swapped) fold_expr(e->a, &k, NULL);
  Atom a = {0, atom_op(e->op, swapped), k.v.i, 0};
  return atom_true(&a, val[dim_of(t, x)]);
}

/* The truth vector of dim d's atoms at value x (at most 64 atoms; more:
 * every value its own signature, which only forgoes merging). */
static uint64_t signature(const TB *t, uint32_t d, int64_t x, bool *exact) {
  uint64_t sig = 0;
  uint32_t n = 0;
  for (uint32_t i = 0; i < t->natoms; i++) {
    if (t->atoms[i].dim != d) continue;
    if (n == 64) {
      *exact = false;
      return 0;
    }
    if (atom_true(&t->atoms[i], x)) sig |= UINT64_C(1) << n;
    n++;
  }
  return sig;
}

static int cmp_i64(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return (x > y) - (x < y);
}

/* Dim d's classes into dm, with a representative value per class into
 * *reps (malloc'd).  false: out of bounds (too many thresholds). */
static bool build_dim(TB *t, uint32_t d, IpsfTableDim *dm, int64_t **reps) {
  const IpsfPack *p = t->p;
  dm->slot = t->slots[d];
  dm->kind = t->kinds[d];
  if (dm->kind == IPSF_DIM_BOOL) {
    dm->class_count = 2;
    *reps = xcalloc(2, sizeof **reps);
    (*reps)[1] = 1;
    return true;
  }
  if (dm->kind == IPSF_DIM_ENUM) {
    uint32_t n = p->enums[p->slots[dm->slot].type.enum_type].value_count;
    uint64_t sigs[IPSF_MAX_ENUM_VALUES];
    dm->map_count = n;
    dm->map = xcalloc(n, 1);
    *reps = xcalloc(n, sizeof **reps);
    uint32_t classes = 0;
    for (uint32_t v = 0; v < n; v++) {
      bool exact = true;
      uint64_t sig = signature(t, d, v, &exact);
      uint32_t c = 0;
      while (exact && c < classes && sigs[c] != sig) c++;
      if (!exact || c == classes) {
        sigs[classes] = sig;
        (*reps)[classes] = v;
        c = classes++;
      }
      dm->map[v] = (uint8_t)c;
    }
    dm->class_count = classes;
    return true;
  }
  /* int: the change points, sorted, unique, then merged */
  int64_t *th = xcalloc(2 * (size_t)t->natoms + 1, sizeof *th);
  uint32_t n = 0;
  for (uint32_t i = 0; i < t->natoms; i++) {
    const Atom *a = &t->atoms[i];
    if (a->dim != d) continue;
    bool at_k = a->op == A_LT || a->op == A_GE || a->op == A_EQ || a->op == A_NE;
    bool after_k = a->op == A_LE || a->op == A_GT || a->op == A_EQ || a->op == A_NE;
    if (at_k && a->k != INT64_MIN) th[n++] = a->k;
    if (after_k && a->k != INT64_MAX) th[n++] = a->k + 1;
  }
  qsort(th, n, sizeof *th, cmp_i64);
  uint32_t u = 0;
  for (uint32_t i = 0; i < n; i++)
    if (u == 0 || th[i] != th[u - 1]) th[u++] = th[i];
  /* drop a point where nothing changes: interval i (from th[i-1]) and the
   * one before it have the same signature */
  bool exact = true;
  uint64_t prev = u ? signature(t, d, th[0] - 1, &exact) : 0;
  uint32_t m = 0;
  for (uint32_t i = 0; i < u; i++) {
    uint64_t sig = signature(t, d, th[i], &exact);
    if (exact && sig == prev) continue;
    th[m++] = th[i];
    prev = sig;
  }
  if (m > IPSF_TABLE_MAX_THRESHOLDS) {
    free(th);
    return false;
  }
  dm->threshold_count = m;
  dm->thresholds = th;
  dm->class_count = m + 1;
  *reps = xcalloc(m + 1, sizeof **reps);
  (*reps)[0] = m ? th[0] - 1 : 0;
  for (uint32_t i = 0; i < m; i++) (*reps)[i + 1] = th[i];
  return true;
}

static void free_table(IpsfTable *tab) {
  for (uint32_t d = 0; tab->dims && d < tab->dim_count; d++) {
    free(tab->dims[d].map);
    free(tab->dims[d].thresholds);
  }
  free(tab->dims);
  free(tab->masks);
}

uint32_t codegen_table(IpsfPack *p, uint8_t kind, uint32_t owner, uint32_t span,
                       const Expr *const *conds, const size_t *lens, const uint32_t *fact_slot,
                       const uint32_t *let_slot, const uint32_t *scale_slot, bool commit) {
  bool req = kind == IPSF_TABLE_REQ;
  size_t n = 0;
  for (uint32_t k = 0; k < span; k++) {
    if (lens[k] == 0 || lens[k] > 64) return IPSF_NONE;
    n += lens[k];
  }
  TB *t = xcalloc(1, sizeof *t);
  t->p = p;
  t->fact_slot = fact_slot;
  t->let_slot = let_slot;
  t->scale_slot = scale_slot;
  /* what the chain costs in dispatches: a hit per rule that is always
   * taken, about one per atom otherwise (the fused forms); a requirement
   * with any condition costs at least three (a guard, its entry, its
   * end), a group of requirements at least one each */
  size_t chain = 0;
  for (size_t i = 0; i < n; i++) {
    uint32_t before = t->natoms;
    Folded k;
    if (conds[i] && !collect(t, conds[i])) {
      free(t);
      return IPSF_NONE;
    }
    if (!conds[i] || (fold_expr(conds[i], &k, NULL) == FOLD_OK && k.v.i)) chain++;
    chain += t->natoms - before;
  }
  bool let = kind == IPSF_TABLE_LET; /* a let: STORE and at least one atom */
  if ((req ? t->natoms == 0 && span < 2 : let ? t->natoms == 0 : chain < 2) || t->ndims == 0) {
    free(t);
    return IPSF_NONE;
  }
  IpsfTable tab = {.kind = kind, .owner = owner, .span = span, .dim_count = t->ndims};
  tab.dims = xcalloc(t->ndims, sizeof *tab.dims);
  int64_t *reps[IPSF_TABLE_MAX_DIMS] = {NULL};
  uint64_t cells = 1;
  bool ok = true;
  for (uint32_t d = 0; ok && d < t->ndims; d++) {
    ok = build_dim(t, d, &tab.dims[d], &reps[d]);
    if (!ok) break;
    tab.dims[d].stride = (uint32_t)cells;
    cells *= tab.dims[d].class_count;
    if (cells > IPSF_TABLE_MAX_CELLS || cells * span > CODEGEN_MAX_MASKS) ok = false;
  }
  if (ok && commit) {
    tab.cell_count = (uint32_t)cells;
    tab.mask_count = (uint32_t)(cells * span);
    tab.masks = xcalloc(tab.mask_count, sizeof *tab.masks);
    for (uint32_t c = 0; c < tab.cell_count; c++) {
      int64_t val[IPSF_TABLE_MAX_DIMS];
      for (uint32_t d = 0; d < t->ndims; d++)
        val[d] = reps[d][(c / tab.dims[d].stride) % tab.dims[d].class_count];
      if (let) {
        tab.masks[c] = eval_cond(t, conds[0], val);
        continue;
      }
      if (!req) {
        for (size_t i = 0; i < n; i++)
          if (!conds[i] || eval_cond(t, conds[i], val)) tab.masks[c] |= UINT64_C(1) << i;
        continue;
      }
      /* requirement k: its conditions from `at`, applies then its lines */
      const Expr *const *rc = conds;
      for (uint32_t k = 0; k < span; rc += lens[k], k++) {
        if (rc[0] && !eval_cond(t, rc[0], val)) continue;
        uint64_t m = IPSF_TABLE_APPLIES;
        for (size_t i = 1; i < lens[k]; i++)
          if (!rc[i] || eval_cond(t, rc[i], val)) m |= UINT64_C(1) << (i - 1);
        tab.masks[(size_t)c * span + k] = m;
      }
    }
  }
  for (uint32_t d = 0; d < t->ndims; d++) free(reps[d]);
  free(t);
  if (!ok || !commit) {
    free_table(&tab);
    return ok ? 0 : IPSF_NONE;
  }
  p->tables = xrealloc_array(p->tables, (size_t)p->table_count + 1, sizeof *p->tables);
  p->tables[p->table_count] = tab;
  return p->table_count++;
}
