/*
 * analyze_search.c -- depth-first search over the cells of the variables a
 * question reads, pruned by partial evaluation.
 * The method: analyze.c.
 */
#include <stdlib.h>
#include <string.h>

#include "analyze_internal.h"

/* Every search starts from nothing known; bumping gen drops every cached
 * let and scale value computed under the previous assignment. */
static void reset_cells(An *a) {
  for (uint32_t i = 0; i < a->nvars; i++) a->cell[i] = -1;
  a->gen++;
}

/* The plain search, for judges that are one question (monotonicity): ask
 * the judge; if it cannot tell, split the variable it names, cells in the
 * Var's order (the default's cell first, so a witness looks like the
 * sheets people write).  Returning at the first witness keeps it in
 * a->cell for the report. */
static int dfs(An *a, Judge j, const void *q) {
  if (a->nodes++ >= a->node_limit || a->work >= a->work_limit) {
    a->bound = true;
    return S_BOUND;
  }
  a->gen++;
  a->branch = -1;
  int r = j(a, q);
  if (r == J_YES) return S_FOUND;
  if (r == J_NO) return S_NONE;
  int32_t v = a->branch;
  if (v < 0 || a->cell[v] >= 0) {
    a->stuck = true;
    return S_NONE;
  }
  const Var *var = &a->vars[v];
  for (uint32_t k = 0; k < var->ncells; k++) {
    a->cell[v] = (int32_t)var->order[k];
    int s = dfs(a, j, q);
    if (s != S_NONE) return s;
  }
  a->cell[v] = -1;
  a->gen++;
  return S_NONE;
}

/* Run a search from the empty assignment.  S_FOUND leaves the witness in
 * a->cell; a->stuck / a->bound tell whether S_NONE is exact. */
int ipsfc_an_search(An *a, Judge j, const void *q) {
  reset_cells(a);
  a->nodes = 0;
  a->stuck = a->bound = false;
  return dfs(a, j, q);
}

/* Must e be true (want_true) or false?  1 holds, 0 fails (or evaluation
 * fails: no input there), -1 undecided (a->branch set).  An input on which
 * evaluation fails is never a witness: the VM would report the error, not
 * the finding. */
static int need(An *a, const Expr *e, bool want_true) {
  int32_t saved = a->want;
  a->want = -1;
  PV v = ipsfc_an_ev(a, e);
  int32_t w = a->want;
  a->want = saved;
  if (v.k == PV_ERR) return 0;
  int t = truth(v);
  if (t >= 0) return (t == 1) == want_true;
  if (a->branch < 0) a->branch = w;
  return -1;
}


/* Conjunctions are searched incrementally: a constraint decided (true) at
 * a node stays decided below it, and an undecided one needs evaluating
 * again only when the variable just assigned is one of its facts. */
typedef struct {
  const Conj *q;
  uint64_t **deps;  /* per constraint */
  int32_t *want;    /* per constraint: the variable it last wanted */
} ConjRun;

static int dfs_conj(An *a, ConjRun *run, const uint32_t *undec, size_t n, int32_t last);

/* Union-find with path halving, for split_components: the groups are
 * rebuilt at every node, so it must be cheap rather than clever. */
static uint32_t uf_find(uint32_t *p, uint32_t x) {
  while (p[x] != x) x = p[x] = p[p[x]];
  return x;
}

/* Is every variable of the fact assigned?  An assigned fact no longer
 * links the constraints that read it: they cannot influence each other
 * through it any more. */
static bool fact_assigned(An *a, uint32_t f) {
  const FactInfo *fi = &a->fi[f];
  uint32_t count = fi->kind == TY_SET ? fi->n : 1;
  for (uint32_t m = 0; m < count; m++)
    if (a->cell[fi->var + (int32_t)m] < 0) return false;
  return true;
}

/* Undecided constraints that share no unassigned fact are independent:
 * solve each group on its own (a witness is the union of the groups'
 * witnesses; one group without a witness means none at all), which turns
 * a product of searches into a sum.  -1 if there is only one group. */
static int split_components(An *a, ConjRun *run, const uint32_t *items, size_t m) {
  size_t nf = a->c->fact_count;
  uint32_t *parent = xmalloc_array(m + nf + 1, sizeof *parent);
  for (size_t i = 0; i < m + nf; i++) parent[i] = (uint32_t)i;
  for (size_t i = 0; i < m; i++) {
    const uint64_t *d = run->deps[items[i]];
    for (size_t w = 0; w < a->words; w++)
      for (uint64_t bits = d[w]; bits; bits &= bits - 1) {
        size_t f = w * 64 + (size_t)__builtin_ctzll(bits);
        if (f >= nf || fact_assigned(a, (uint32_t)f)) continue;
        uint32_t x = uf_find(parent, (uint32_t)i), y = uf_find(parent, (uint32_t)(m + f));
        if (x != y) parent[x] = y;
      }
  }
  uint32_t *root = xmalloc_array(m, sizeof *root);
  size_t groups = 0;
  for (size_t i = 0; i < m; i++) {
    root[i] = uf_find(parent, (uint32_t)i);
    bool seen = false;
    for (size_t j = 0; j < i && !seen; j++) seen = root[j] == root[i];
    groups += !seen;
  }
  if (groups < 2) {
    free(parent);
    free(root);
    return -1;
  }
  int32_t *saved = xmalloc_array(a->nvars + 1, sizeof *saved);
  uint32_t *group = xmalloc_array(m, sizeof *group);
  memcpy(saved, a->cell, a->nvars * sizeof *saved);
  int result = S_FOUND;
  for (size_t i = 0; i < m && result == S_FOUND; i++) {
    bool first = true;
    for (size_t j = 0; j < i && first; j++) first = root[j] != root[i];
    if (!first) continue;
    size_t k = 0;
    for (size_t j = i; j < m; j++)
      if (root[j] == root[i]) group[k++] = items[j];
    result = dfs_conj(a, run, group, k, -1);
  }
  if (result != S_FOUND) {
    memcpy(a->cell, saved, a->nvars * sizeof *saved);
    a->gen++;
  }
  free(saved);
  free(group);
  free(parent);
  free(root);
  return result;
}

/* One node of dfs_conj: the constraints still undecided under the current
 * assignment and the variable to branch on next.  branch_k is the
 * constraint that asked for that variable: its cells are tried in the
 * order that decides it the right way first. */
typedef struct {
  uint32_t *next;
  size_t m;
  int32_t branch, branch_k;
} ConjNode;

/* Judge the node: J_NO if a constraint fails (or a scale the question must
 * reach fails to evaluate: the VM would never get there), J_YES if every
 * constraint holds and the reached scales are known, else J_MAYBE with
 * nd filled.  A constraint whose facts do not include the variable just
 * assigned (last) cannot have changed, so it is not evaluated again: that
 * is what makes the search incremental. */
static int judge_conj(An *a, ConjRun *run, const uint32_t *undec, size_t n, int32_t last,
                      ConjNode *nd) {
  const Conj *q = run->q;
  uint32_t last_fact = last >= 0 ? a->vars[last].fact : 0;
  for (size_t i = 0; i < n; i++) {
    uint32_t k = undec[i];
    if (last >= 0 && !bit(run->deps[k], last_fact) && run->want[k] >= 0 &&
        a->cell[run->want[k]] < 0) {
      nd->next[nd->m++] = k; /* unchanged */
      if (nd->branch < 0) nd->branch = run->want[k], nd->branch_k = (int32_t)k;
      continue;
    }
    a->branch = -1;
    int r = need(a, q->e[k], q->pol[k]);
    if (r == 0) return J_NO;
    if (r < 0) {
      run->want[k] = a->branch;
      nd->next[nd->m++] = k;
      if (nd->branch < 0) nd->branch = a->branch, nd->branch_k = (int32_t)k;
    }
  }
  bool reach_open = false;
  for (size_t i = 0; i < q->nreach; i++) {
    int32_t saved = a->want;
    a->want = -1;
    PV v = ipsfc_an_scale_value(a, q->reach[i]);
    int32_t w = a->want;
    a->want = saved;
    if (v.k == PV_ERR) return J_NO;
    if (!pv_known(v)) {
      reach_open = true;
      if (nd->branch < 0) nd->branch = w;
    }
  }
  if (!q->use_any) return nd->m == 0 && !reach_open ? J_YES : J_MAYBE;
  /* The disjunction: one true member is enough, all false is a failure. */
  int best = 0;
  for (size_t i = 0; i < q->nany && best < 1; i++) {
    int32_t saved = a->branch;
    a->branch = -1;
    int r = need(a, q->any[i], true);
    if (r == 1) best = 1;
    else if (r < 0) {
      best = -1;
      if (nd->branch < 0) nd->branch = a->branch;
    }
    if (r != -1) a->branch = saved;
  }
  if (best == 0) return J_NO;
  if (best == -1 && nd->m == 0 && nd->branch < 0) {
    a->stuck = true; /* undecided, and nothing left to split: not exact */
    return J_NO;
  }
  return best == 1 && nd->m == 0 && !reach_open ? J_YES : J_MAYBE;
}

/* Below an undecided node: split independent constraints apart, or branch
 * on nd->branch.  A variable already assigned cannot be split again: the
 * evaluation is undecided for a reason the cells do not capture, so the
 * search is stuck (its "no witness" is then not exact). */
static int branch_conj(An *a, ConjRun *run, const ConjNode *nd) {
  const Conj *q = run->q;
  if (!q->use_any && !q->nreach && nd->m > 1) {
    int r = split_components(a, run, nd->next, nd->m);
    if (r >= 0) return r;
  }
  int32_t branch = nd->branch;
  if (branch < 0 || a->cell[branch] >= 0) {
    a->stuck = true;
    return S_NONE;
  }
  /* Values that decide the constraint the right way first, then those
   * that leave it open; those that violate it are not tried. */
  const Var *var = &a->vars[branch];
  uint32_t *try = xmalloc_array(var->ncells + 1, sizeof *try);
  size_t ntry = 0;
  for (int pass = 1; pass >= -1; pass -= 2)
    for (uint32_t k = 0; k < var->ncells; k++) {
      a->cell[branch] = (int32_t)var->order[k];
      a->gen++;
      int32_t saved = a->branch;
      int r = nd->branch_k >= 0 ? need(a, q->e[nd->branch_k], q->pol[nd->branch_k]) : -1;
      a->branch = saved;
      if (r == pass) try[ntry++] = var->order[k];
    }
  int s = S_NONE;
  for (size_t k = 0; k < ntry && s == S_NONE; k++) {
    a->cell[branch] = (int32_t)try[k];
    s = dfs_conj(a, run, nd->next, nd->m, branch);
  }
  free(try);
  if (s == S_NONE) {
    /* leave the assignment as it was found, for the caller's next try */
    a->cell[branch] = -1;
    a->gen++;
  }
  return s;
}

/* The search for an input where every constraint of undec holds (and the
 * disjunction and reached scales, if any): judge the node, then split or
 * branch below it.  The work bound is checked first so a deep or wide
 * search stops with S_BOUND, never a guess. */
static int dfs_conj(An *a, ConjRun *run, const uint32_t *undec, size_t n, int32_t last) {
  if (a->nodes++ >= a->node_limit || a->work >= a->work_limit) {
    a->bound = true;
    return S_BOUND;
  }
  a->gen++;
  ConjNode nd = {xmalloc_array(n, sizeof *nd.next), 0, -1, -1};
  int r = judge_conj(a, run, undec, n, last, &nd);
  int s = r == J_YES ? S_FOUND : r == J_NO ? S_NONE : branch_conj(a, run, &nd);
  free(nd.next);
  return s;
}

/* Search for an input satisfying the conjunction q, from the empty
 * assignment (S_FOUND leaves the witness in a->cell). */
int ipsfc_an_search_conj(An *a, const Conj *q) {
  reset_cells(a);
  a->nodes = 0;
  a->stuck = a->bound = false;
  ConjRun run = {q, xmalloc_array(q->n + 1, sizeof(uint64_t *)), xmalloc_array(q->n + 1, sizeof(int32_t))};
  uint32_t *all = xmalloc_array(q->n + 1, sizeof *all);
  for (size_t i = 0; i < q->n; i++) {
    run.deps[i] = (uint64_t *)ipsfc_an_cached_deps(a, q->e[i]);
    run.want[i] = -1;
    all[i] = (uint32_t)i;
  }
  int r = dfs_conj(a, &run, all, q->n, -1);
  free(all);
  free(run.deps);
  free(run.want);
  return r;
}

/* Room for cap constraints (+1: a Conj is never empty-sized); the arrays
 * live in the arena, like everything a check builds. */
void ipsfc_an_conj_init(ConjB *b, Arena *ar, size_t cap) {
  b->ar = ar;
  b->cap = cap + 1;
  b->q = (Conj){arena_array(ar, b->cap, sizeof(Expr *)), arena_array(ar, b->cap, sizeof(bool)), 0,
                NULL, 0, false, NULL, 0};
}

/* Add "e must be pol"; a NULL e (an absent `applies` or `when`) holds
 * always and adds nothing. */
void ipsfc_an_conj_add(ConjB *b, const Expr *e, bool pol) {
  if (!e) return;
  b->q.e[b->q.n] = e;
  b->q.pol[b->q.n++] = pol;
}
