/*
 * diff_symbolic.c -- every region of fact space where two packs disagree,
 * without any sheet.
 *
 * The cells are check's (analyze_cells, compiler/analyze*.c): each fact's
 * domain is cut at the constants the pack compares it with, so that inside
 * one cell every comparison of the pack has one truth value and the VM
 * gives one outcome.  Two packs cut the same fact at different constants:
 * NEW's cells are built with OLD's cuts added (the common refinement), and
 * inside a cell of the refinement both packs are constant.  A fact only
 * one pack declares is cut by that pack alone (the other ignores it); an
 * enum or set value only one pack knows makes a sheet one of them rejects
 * (diff_interface.c reports that), so such cells are skipped here.  A fact
 * neither pack reads is one cell (its default, or a value if it has none).
 *
 * Invariants:
 *  - every cell of the product is evaluated under both VMs (the runtime's
 *    public evaluation API).  When the product exceeds d->max_cells, each
 *    output (the category, each other scale, each requirement) is compared
 *    alone over the product of the facts it reads in either pack (see
 *    "components"); an output whose own product exceeds the bound is not
 *    enumerated and is listed under "not_analysed" ("proved": false);
 *  - a cell's outcome is its representative's; that stands for the whole
 *    cell only when no fact a scale or requirement reads is inexact (a use
 *    the cells do not cover, as check's IPSF-W100).  Such scales and
 *    requirements are listed under "not_analysed" and "proved" is false;
 *  - cells with the same pair of outcomes form one region; its
 *    counterexample is its first cell written as a sheet and evaluated
 *    again through ipsf_evaluate_text under both packs ("rechecked").
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "arena.h"
#include "diff.h"
#include "report.h"
#include "sema.h"
#include "xbuf.h"

enum { A_SKIP, A_BOOL, A_INT, A_NUM, A_STR, A_ENUM, A_MEMBER, A_CLEAR, A_INVALID };

typedef struct {
  uint8_t kind;
  bool b;
  int64_t i;
  double n;
  const char *s;
} Act;

/* A variable of the enumeration: a fact (or one member of a set fact). */
typedef struct {
  const char *fact;   /* its name in a sheet */
  bool member;        /* a set member: cell 1 = present */
  uint32_t ncells;
  Act *act[2];        /* per side, per cell */
  char **label;       /* per cell */
  char **lo, **hi;    /* int, number: the ends of each cell (NULL: unbounded); */
  bool *point;        /* cells in ascending order, so runs of cells merge */
  json_t **json;      /* per cell: the value in a sheet, or NULL (absent) */
  const char *note;   /* "only in OLD" etc., or NULL */
} MVar;

typedef struct {
  MVar *v;
  size_t n, cap;
} Vars;

static MVar *new_var(Vars *vs, const char *fact, uint32_t ncells) {
  if (vs->n == vs->cap) {
    vs->cap = vs->cap ? 2 * vs->cap : 16;
    vs->v = xrealloc_array(vs->v, vs->cap, sizeof *vs->v);
  }
  MVar *v = &vs->v[vs->n++];
  memset(v, 0, sizeof *v);
  v->fact = fact;
  v->ncells = ncells;
  for (int s = 0; s < 2; s++) v->act[s] = calloc(ncells, sizeof(Act));
  v->label = calloc(ncells, sizeof(char *));
  v->json = calloc(ncells, sizeof(json_t *));
  if (!v->act[0] || !v->act[1] || !v->label || !v->json) abort();
  return v;
}

static char *fmt_num(double x) {
  char buf[64];
  snprintf(buf, sizeof buf, "%.15g", x);
  if (strtod(buf, NULL) != x) snprintf(buf, sizeof buf, "%.17g", x);
  return xstrdup(buf);
}

static char *label_printf(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
static char *label_printf(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  char *s = xmalloc((size_t)(n < 0 ? 0 : n) + 1);
  va_start(ap, fmt);
  vsnprintf(s, (size_t)(n < 0 ? 0 : n) + 1, fmt, ap);
  va_end(ap);
  return s;
}

static char *cut_text(const AnalyzeFactCuts *k, bool number, size_t i) {
  if (number) return fmt_num(k->nth[i]);
  char *t = xmalloc(32);
  snprintf(t, 32, "%lld", (long long)k->ith[i]);
  return t;
}

/* Where rep lies among the cuts, as the two ends of its cell: lo "10 <="
 * or "10 <" (NULL: unbounded), hi "<= 20" or "< 20"; *point when the cell
 * is one value (lo "10 <=" and hi "<= 10"). */
static void interval_ends(const AnalyzeFactCuts *k, bool number, IpsfValue rep, char **lo, char **hi,
                          bool *point) {
  size_t n = number ? k->nnth : k->nith, i = 0;
  *lo = *hi = NULL;
  *point = false;
  for (; i < n; i++) {
    bool eq = number ? rep.n == k->nth[i] : rep.i == k->ith[i];
    bool below = number ? rep.n < k->nth[i] : rep.i < k->ith[i];
    if (eq) {
      char *t = cut_text(k, number, i);
      *lo = label_printf("%s <=", t);
      *hi = label_printf("<= %s", t);
      *point = true;
      free(t);
      return;
    }
    if (below) break;
  }
  if (i > 0) {
    char *t = cut_text(k, number, i - 1);
    *lo = label_printf("%s <", t);
    free(t);
  }
  if (i < n) {
    char *t = cut_text(k, number, i);
    *hi = label_printf("< %s", t);
    free(t);
  }
}

/* "lo name hi" for the run of cells from first to last, shortened:
 * "x = 10", "x < 20", "10 <= x", "10 <= x < 20". */
static char *run_label(const char *name, const char *lo, const char *hi, bool point, const char *hi_point) {
  if (point) return label_printf("%s = %s", name, hi_point);
  if (lo && hi) return label_printf("%s %s %s", lo, name, hi);
  if (lo) return label_printf("%s %s", lo, name);
  if (hi) return label_printf("%s %s", name, hi);
  return label_printf("any %s", name);
}

/* ---- building the variables ---------------------------------------------------------- */

typedef struct {
  DiffCtx *d;
  const DiffPack *side[2];
  AnalyzeCells base[2];   /* each pack's own cells */
  AnalyzeCells merged;    /* NEW's cells with OLD's cuts */
  Vars vars;
} Sym;

static uint32_t comp_index(const Compilation *c, const char *name) {
  for (size_t i = 0; i < c->fact_count; i++)
    if (strcmp(c->facts[i].name, name) == 0) return (uint32_t)i;
  return UINT32_MAX;
}

static int kind_of(const IpsfPack *p, uint32_t f) {
  const char *t = ipsf_pack_fact_type(p, f);
  return strcmp(t, "bool") == 0 ? TY_BOOL : strcmp(t, "int") == 0 ? TY_INT
       : strcmp(t, "number") == 0 ? TY_NUMBER : strcmp(t, "string") == 0 ? TY_STRING
       : strcmp(t, "enum") == 0 ? TY_ENUM : TY_SET;
}

static Act act_of(int kind, IpsfValue v) {
  switch (kind) {
  case TY_INT: return (Act){.kind = A_INT, .i = v.i};
  case TY_NUMBER: return (Act){.kind = A_NUM, .n = v.n};
  default: return (Act){.kind = A_STR, .s = v.s};
  }
}

static json_t *json_of(int kind, IpsfValue v) {
  switch (kind) {
  case TY_INT: return json_integer((json_int_t)v.i);
  case TY_NUMBER: return json_real(v.n);
  default: return json_string(v.s);
  }
}

static bool has_value(const IpsfPack *p, uint32_t f, const char *name) {
  for (uint32_t k = 0; k < ipsf_pack_fact_value_count(p, f); k++)
    if (strcmp(ipsf_pack_fact_value(p, f, k), name) == 0) return true;
  return false;
}

/* The union of both sides' enum or set values (OLD's order, then NEW's). */
static const char **value_union(const IpsfPack *const p[2], const uint32_t f[2], uint32_t *count) {
  uint32_t cap = 0, n = 0;
  for (int s = 0; s < 2; s++)
    if (f[s] != UINT32_MAX) cap += ipsf_pack_fact_value_count(p[s], f[s]);
  const char **u = xmalloc_array(cap + 1, sizeof *u);
  for (int s = 0; s < 2; s++) {
    if (f[s] == UINT32_MAX) continue;
    for (uint32_t k = 0; k < ipsf_pack_fact_value_count(p[s], f[s]); k++) {
      const char *v = ipsf_pack_fact_value(p[s], f[s], k);
      bool dup = false;
      for (uint32_t j = 0; j < n && !dup; j++) dup = strcmp(u[j], v) == 0;
      if (!dup) u[n++] = v;
    }
  }
  *count = n;
  return u;
}

/* One fact: f[s] its runtime index on side s (UINT32_MAX: not there),
 * cells the analysis's cells to use for int/number/string (NULL: the fact
 * is read by neither pack). */
static void add_fact(Sym *y, const char *name, int kind, const uint32_t f[2],
                     const AnalyzeFactCells *cells, const char *note) {
  const IpsfPack *p[2] = {y->side[0]->pack, y->side[1]->pack};
  if (!cells) {
    /* read by neither: one cell, the default (or any value if required) */
    MVar *v = new_var(&y->vars, name, 1);
    v->label[0] = label_printf("any %s", name);
    v->note = "read by neither pack";
    for (int s = 0; s < 2; s++) {
      if (f[s] == UINT32_MAX || !ipsf_pack_fact_required(p[s], f[s])) continue;
      int k = kind_of(p[s], f[s]);
      Act a = k == TY_BOOL ? (Act){.kind = A_BOOL} : k == TY_INT ? (Act){.kind = A_INT}
            : k == TY_NUMBER ? (Act){.kind = A_NUM} : k == TY_STRING ? (Act){.kind = A_STR, .s = ""}
            : k == TY_ENUM ? (Act){.kind = A_ENUM, .s = ipsf_pack_fact_value(p[s], f[s], 0)}
            : (Act){.kind = A_CLEAR};
      v->act[s][0] = a;
      if (!v->json[0])
        v->json[0] = k == TY_BOOL ? json_false() : k == TY_INT ? json_integer(0)
                   : k == TY_NUMBER ? json_real(0) : k == TY_STRING ? json_string("")
                   : k == TY_ENUM ? json_string(a.s) : json_array();
    }
    return;
  }
  switch (kind) {
  case TY_BOOL: {
    MVar *v = new_var(&y->vars, name, 2);
    v->note = note;
    for (uint32_t c = 0; c < 2; c++) {
      for (int s = 0; s < 2; s++)
        if (f[s] != UINT32_MAX) v->act[s][c] = (Act){.kind = A_BOOL, .b = c == 1};
      v->label[c] = label_printf(c ? "%s" : "not %s", name);
      v->json[c] = json_boolean(c == 1);
    }
    return;
  }
  case TY_ENUM: {
    uint32_t n;
    const char **vals = value_union(p, f, &n);
    MVar *v = new_var(&y->vars, name, n);
    v->note = note;
    for (uint32_t c = 0; c < n; c++) {
      for (int s = 0; s < 2; s++)
        if (f[s] != UINT32_MAX)
          v->act[s][c] = has_value(p[s], f[s], vals[c]) ? (Act){.kind = A_ENUM, .s = vals[c]}
                                                          : (Act){.kind = A_INVALID};
      v->label[c] = label_printf("%s = %s", name, vals[c]);
      v->json[c] = json_string(vals[c]);
    }
    free(vals);
    return;
  }
  case TY_SET: {
    uint32_t n;
    const char **vals = value_union(p, f, &n);
    MVar *clear = new_var(&y->vars, name, 1); /* an empty array in the sheet, then members */
    clear->label[0] = label_printf("any %s", name);
    clear->json[0] = json_array();
    for (int s = 0; s < 2; s++)
      if (f[s] != UINT32_MAX) clear->act[s][0] = (Act){.kind = A_CLEAR};
    for (uint32_t m = 0; m < n; m++) {
      MVar *v = new_var(&y->vars, name, 2);
      v->member = true;
      v->note = note;
      for (int s = 0; s < 2; s++)
        if (f[s] != UINT32_MAX)
          v->act[s][1] = has_value(p[s], f[s], vals[m]) ? (Act){.kind = A_MEMBER, .s = vals[m]}
                                                        : (Act){.kind = A_INVALID};
      v->label[0] = label_printf("%s not in %s", vals[m], name);
      v->label[1] = label_printf("%s in %s", vals[m], name);
      v->json[1] = json_string(vals[m]);
    }
    free(vals);
    return;
  }
  default: {
    MVar *v = new_var(&y->vars, name, cells->ncells);
    v->note = note;
    for (uint32_t c = 0; c < cells->ncells; c++) {
      IpsfValue rep = cells->rep[c];
      for (int s = 0; s < 2; s++)
        if (f[s] != UINT32_MAX) v->act[s][c] = act_of(kind, rep);
      v->json[c] = json_of(kind, rep);
      if (kind == TY_STRING) {
        bool lit = false;
        for (size_t k = 0; k < cells->cuts.nlit && !lit; k++) lit = strcmp(cells->cuts.lit[k], rep.s) == 0;
        char *q = json_dumps(v->json[c], JSON_ENCODE_ANY);
        v->label[c] = lit ? label_printf("%s = %s", name, q)
                          : label_printf("%s is none of the strings the packs compare it with", name);
        free(q);
      } else {
        if (!v->lo) {
          v->lo = calloc(cells->ncells, sizeof(char *));
          v->hi = calloc(cells->ncells, sizeof(char *));
          v->point = calloc(cells->ncells, sizeof(bool));
          if (!v->lo || !v->hi || !v->point) abort();
        }
        interval_ends(&cells->cuts, kind == TY_NUMBER, rep, &v->lo[c], &v->hi[c], &v->point[c]);
        v->label[c] = run_label(name, v->lo[c], v->hi[c], v->point[c], v->hi[c] ? v->hi[c] + 3 : NULL);
      }
    }
    return;
  }
  }
}

/* Every fact of both packs becomes one or more variables. */
static void build_vars(Sym *y) {
  const DiffPack *o = y->side[0], *n = y->side[1];
  Compilation *co = o->c, *cn = n->c;
  analyze_cells(co, NULL, &y->base[0]);
  analyze_cells(cn, NULL, &y->base[1]);
  AnalyzeFactCuts *extra = xmalloc_array(cn->fact_count + 1, sizeof *extra);
  memset(extra, 0, (cn->fact_count + 1) * sizeof *extra);
  for (size_t j = 0; j < cn->fact_count; j++) {
    uint32_t i = comp_index(co, cn->facts[j].name);
    if (i != UINT32_MAX && co->facts[i].ty.kind == cn->facts[j].ty.kind) extra[j] = y->base[0].facts[i].cuts;
  }
  analyze_cells(cn, extra, &y->merged);
  free(extra);
  /* NEW's facts, shared or new */
  for (uint32_t rj = 0; rj < ipsf_pack_fact_count(n->pack); rj++) {
    const char *name = ipsf_pack_fact_name(n->pack, rj);
    uint32_t ri = ipsf_fact_index(o->pack, name);
    uint32_t j = comp_index(cn, name), i = comp_index(co, name);
    int kn = kind_of(n->pack, rj);
    bool shared = ri != UINT32_MAX && kind_of(o->pack, ri) == kn && i != UINT32_MAX;
    if (j == UINT32_MAX) continue; /* hidden (never: no test instrumentation here) */
    bool used_n = y->base[1].facts[j].used, used_o = shared && y->base[0].facts[i].used;
    if (shared) {
      uint32_t f[2] = {ri, rj};
      add_fact(y, name, kn, f, used_n || used_o ? &y->merged.facts[j] : NULL, NULL);
    } else {
      uint32_t f[2] = {UINT32_MAX, rj};
      add_fact(y, name, kn, f, used_n ? &y->base[1].facts[j] : NULL,
               ri == UINT32_MAX ? "only in NEW" : "type changed: NEW's");
    }
  }
  /* OLD's facts that NEW does not have (or has with another type) */
  for (uint32_t ri = 0; ri < ipsf_pack_fact_count(o->pack); ri++) {
    const char *name = ipsf_pack_fact_name(o->pack, ri);
    uint32_t rj = ipsf_fact_index(n->pack, name), i = comp_index(co, name);
    if (i == UINT32_MAX) continue;
    if (rj != UINT32_MAX && kind_of(n->pack, rj) == kind_of(o->pack, ri)) continue;
    uint32_t f[2] = {ri, UINT32_MAX};
    add_fact(y, name, kind_of(o->pack, ri), f, y->base[0].facts[i].used ? &y->base[0].facts[i] : NULL,
             rj == UINT32_MAX ? "only in OLD" : "type changed: OLD's");
  }
}

static void free_vars(Vars *vs) {
  for (size_t i = 0; i < vs->n; i++) {
    MVar *v = &vs->v[i];
    for (uint32_t c = 0; c < v->ncells; c++) {
      free(v->label[c]);
      if (v->lo) free(v->lo[c]), free(v->hi[c]);
      json_decref(v->json[c]);
    }
    free(v->act[0]);
    free(v->act[1]);
    free(v->label);
    free(v->lo);
    free(v->hi);
    free(v->point);
    free(v->json);
  }
  free(vs->v);
}

/* ---- evaluating one cell -------------------------------------------------------------- */

/* Set the facts of cell `cur` on side s and run; -1 the cell is not a
 * valid sheet for that side, 0 evaluation error (message in err), 1 ok. */
static int eval_cell(Sym *y, int s, IpsfEval *ev, const uint32_t *cur, IpsfError *err) {
  const IpsfPack *p = y->side[s]->pack;
  ipsf_eval_begin(ev);
  bool ok = true;
  for (size_t i = 0; i < y->vars.n && ok; i++) {
    const MVar *v = &y->vars.v[i];
    const Act *a = &v->act[s][cur[i]];
    uint32_t f = a->kind == A_SKIP || a->kind == A_INVALID ? 0 : ipsf_fact_index(p, v->fact);
    switch (a->kind) {
    case A_SKIP: break;
    case A_INVALID: return -1;
    case A_BOOL: ok = ipsf_eval_set_bool(ev, f, a->b, err); break;
    case A_INT: ok = ipsf_eval_set_int(ev, f, a->i, err); break;
    case A_NUM: ok = ipsf_eval_set_number(ev, f, a->n, err); break;
    case A_STR: ok = ipsf_eval_set_string(ev, f, a->s, err); break;
    case A_ENUM: ok = ipsf_eval_set_enum(ev, f, a->s, err); break;
    case A_CLEAR: ok = ipsf_eval_set_clear(ev, f, err); break;
    case A_MEMBER: ok = ipsf_eval_set_add(ev, f, a->s, err); break;
    default: break;
    }
  }
  if (!ok) return -1;
  return ipsf_eval_run(ev, err) ? 1 : 0;
}

/* The outcome of side s as a byte string (a key), after eval_cell. */
typedef struct {
  char *b;
  size_t n, cap;
} Key;

static void key_put(Key *k, const void *p, size_t n) {
  if (k->n + n > k->cap) {
    k->cap = (k->n + n) * 2 + 64;
    k->b = xrealloc_array(k->b, k->cap, 1);
  }
  memcpy(k->b + k->n, p, n);
  k->n += n;
}

static void key_str(Key *k, const char *s) {
  if (!s) s = "";
  key_put(k, s, strlen(s) + 1);
}

/* What differs between the two sides' outcomes of one cell, as a key:
 * the scales both packs have whose levels differ (by name: a renamed
 * level differs), the requirements whose application, method or period
 * differ, an evaluation error on either side.  Cells with the same key
 * form one region: "the same change", whatever else the device is.
 * Returns whether anything differs. */
static void req_state(Key *k, const IpsfPack *p, const IpsfEval *ev, const char *id) {
  uint32_t q = ipsf_pack_requirement_index(p, id);
  bool applies = q != UINT32_MAX && ipsf_eval_applies(ev, q);
  key_str(k, applies ? ipsf_eval_method(ev, q) : "-");
  uint32_t m = applies ? ipsf_eval_every_months(ev, q) : 0;
  key_put(k, &m, sizeof m);
}

static bool req_differs(const IpsfPack *const p[2], IpsfEval *const ev[2], const char *id) {
  Key k[2] = {{0}, {0}};
  for (int s = 0; s < 2; s++) req_state(&k[s], p[s], ev[s], id);
  bool differ = k[0].n != k[1].n || memcmp(k[0].b, k[1].b, k[0].n) != 0;
  free(k[0].b);
  free(k[1].b);
  return differ;
}

static bool diff_key(Key *k, const IpsfPack *const p[2], IpsfEval *const ev[2], const int r[2],
                     const IpsfError err[2]) {
  k->n = 0;
  if (r[0] == 0 || r[1] == 0) {
    if (r[0] == 0 && r[1] == 0 && diff_same_error(err[0].message, err[1].message)) return false;
    key_str(k, "E");
    key_put(k, err[0].message, r[0] == 0 ? diff_error_len(err[0].message) : 0);
    key_str(k, "");
    key_put(k, err[1].message, r[1] == 0 ? diff_error_len(err[1].message) : 0);
    key_str(k, "");
    return true;
  }
  for (uint32_t s = 0; s < ipsf_pack_scale_count(p[0]); s++) {
    const char *name = ipsf_pack_scale_name(p[0], s);
    uint32_t t = ipsf_pack_scale_index(p[1], name);
    if (t == UINT32_MAX) continue; /* an interface change */
    const char *a = ipsf_eval_level_name(ev[0], s), *b = ipsf_eval_level_name(ev[1], t);
    if (strcmp(a, b) == 0) continue;
    key_str(k, name);
    key_str(k, a);
    key_str(k, b);
  }
  key_str(k, "R");
  for (int side = 0; side < 2; side++)
    for (uint32_t q = 0; q < ipsf_pack_requirement_count(p[side]); q++) {
      const char *id = ipsf_pack_requirement_id(p[side], q);
      if (side == 1 && ipsf_pack_requirement_index(p[0], id) != UINT32_MAX) continue;
      if (!req_differs(p, ev, id)) continue;
      key_str(k, id);
      req_state(k, p[0], ev[0], id);
      req_state(k, p[1], ev[1], id);
    }
  return k->n > 2;
}

/* The cell (axis1 x axis2 levels) of side s, as an index into
 * diff_transition_table's list, or -1. */
static long cell_index(const IpsfPack *p, const IpsfEval *ev) {
  uint32_t a = ipsf_pack_axis(p, 1), b = ipsf_pack_axis(p, 2);
  if (a == UINT32_MAX || b == UINT32_MAX) return -1;
  return (long)ipsf_eval_level(ev, a) * (long)ipsf_pack_level_count(p, b) + (long)ipsf_eval_level(ev, b);
}


/* ---- components (when the whole refinement is too large) ---------------------------
 *
 * An output depends only on the facts it reads (analyze_cells' deps, in
 * each pack).  So the category (both axes), each other scale both packs
 * have, and each requirement can be compared alone, over the facts it
 * reads in either pack, the others held at one value: a much smaller
 * product, and still every cell.  Its regions are about that output only,
 * and the facts it does not read are free. */
enum { K_ALL, K_CATEGORY, K_SCALE, K_REQ };

typedef struct {
  int kind;
  const char *name;  /* K_SCALE, K_REQ */
  uint32_t index;    /* its position in the list (part of every key) */
  bool *relevant;    /* per variable */
} Comp;

static const char *comp_label(const Comp *cp) {
  return cp->kind == K_ALL ? "all" : cp->kind == K_CATEGORY ? "category"
       : cp->kind == K_SCALE ? "scale" : "requirement";
}

static bool comp_key(Key *k, const Comp *cp, const IpsfPack *const p[2], IpsfEval *const ev[2],
                     const int r[2], const IpsfError err[2]) {
  if (cp->kind == K_ALL) return diff_key(k, p, ev, r, err);
  k->n = 0;
  key_put(k, &cp->index, sizeof cp->index);
  if (r[0] == 0 || r[1] == 0) {
    if (r[0] == 0 && r[1] == 0 && diff_same_error(err[0].message, err[1].message)) return false;
    key_str(k, "E");
    key_put(k, err[0].message, r[0] == 0 ? diff_error_len(err[0].message) : 0);
    key_str(k, "");
    key_put(k, err[1].message, r[1] == 0 ? diff_error_len(err[1].message) : 0);
    key_str(k, "");
    return true;
  }
  if (cp->kind == K_CATEGORY) {
    const char *l[2][2];
    for (int s = 0; s < 2; s++)
      for (int a = 0; a < 2; a++) {
        uint32_t sc = ipsf_pack_axis(p[s], a + 1);
        l[s][a] = sc == UINT32_MAX ? "" : ipsf_eval_level_name(ev[s], sc);
      }
    if (strcmp(l[0][0], l[1][0]) == 0 && strcmp(l[0][1], l[1][1]) == 0) return false;
    for (int s = 0; s < 2; s++) key_str(k, l[s][0]), key_str(k, l[s][1]);
    return true;
  }
  if (cp->kind == K_SCALE) {
    const char *a = ipsf_eval_level_name(ev[0], ipsf_pack_scale_index(p[0], cp->name));
    const char *b = ipsf_eval_level_name(ev[1], ipsf_pack_scale_index(p[1], cp->name));
    if (strcmp(a, b) == 0) return false;
    key_str(k, a);
    key_str(k, b);
    return true;
  }
  if (!req_differs(p, ev, cp->name)) return false;
  req_state(k, p[0], ev[0], cp->name);
  req_state(k, p[1], ev[1], cp->name);
  return true;
}

/* Does a change (diff_outcomes' item) belong to the component? */
static bool in_comp(const Comp *cp, const json_t *c, const IpsfPack *const p[2]) {
  const char *what = json_string_value(json_object_get(c, "what"));
  if (cp->kind == K_ALL || !what || strcmp(what, "error") == 0) return true;
  if (cp->kind == K_CATEGORY) {
    if (strcmp(what, "category") == 0) return true;
    if (strcmp(what, "scale") != 0) return false;
    const char *name = json_string_value(json_object_get(c, "name"));
    for (int s = 0; s < 2; s++)
      for (int a = 1; a <= 2; a++) {
        uint32_t sc = ipsf_pack_axis(p[s], a);
        if (sc != UINT32_MAX && strcmp(ipsf_pack_scale_name(p[s], sc), name) == 0) return true;
      }
    return false;
  }
  if (cp->kind == K_SCALE)
    return strcmp(what, "scale") == 0 && strcmp(json_string_value(json_object_get(c, "name")), cp->name) == 0;
  return strcmp(what, "requirement") == 0 && strcmp(json_string_value(json_object_get(c, "change")), "status") != 0 &&
         strcmp(json_string_value(json_object_get(c, "id")), cp->name) == 0;
}

/* The changes of the component only, and their classes. */
static json_t *comp_changes(const Comp *cp, json_t *all, const IpsfPack *const p[2], unsigned *cls) {
  json_t *out = json_array();
  *cls = 0;
  size_t i;
  json_t *c;
  json_array_foreach(all, i, c) {
    if (!in_comp(cp, c, p)) continue;
    json_array_append(out, c);
    const char *dir = json_string_value(json_object_get(c, "direction"));
    if (dir)
      *cls |= strcmp(dir, "stricter") == 0 ? DC_STRICTER : strcmp(dir, "looser") == 0 ? DC_LOOSER
            : strcmp(dir, "neutral") == 0 ? DC_NEUTRAL : DC_OTHER;
  }
  json_decref(all);
  return out;
}

/* ---- regions: cells grouped by their pair of outcomes ------------------------------- */

typedef struct {
  const Comp *comp; /* the output the region is about */
  Key key;          /* what differs (comp_key) */
  uint64_t count;   /* cells */
  uint32_t *first;  /* the first cell (the counterexample) */
  uint8_t **seen;   /* per variable, per cell */
  uint32_t *cells;  /* every cell (nvars each), to describe a region that */
  size_t nstored, cap; /* is no box as a union of boxes; */
  bool overflow;    /* unless the budget ran out */
} Region;

/* Cells kept to describe regions (uint32 entries, all regions): 16 MiB. */
#define CELL_BUDGET (4u << 20)

typedef struct {
  Region *r;
  size_t n, cap;
  size_t stored;    /* entries of Region.cells, all regions */
  size_t *slot;     /* hash table: region index + 1, 0 empty */
  size_t nslot;
} Regions;

static uint64_t hash(const char *b, size_t n) {
  uint64_t h = 1469598103934665603ULL;
  for (size_t i = 0; i < n; i++) h = (h ^ (uint8_t)b[i]) * 1099511628211ULL;
  return h;
}

#define MAX_REGIONS 4096

static Region *region_for(Regions *rs, const Comp *cp, const Key *k, const Vars *vs,
                          const uint32_t *cur, bool *dropped) {
  if (rs->nslot == 0 || rs->n * 2 >= rs->nslot) {
    size_t ns = rs->nslot ? rs->nslot * 2 : 256;
    size_t *slot = calloc(ns, sizeof *slot);
    if (!slot) abort();
    for (size_t i = 0; i < rs->n; i++) {
      size_t h = hash(rs->r[i].key.b, rs->r[i].key.n) & (ns - 1);
      while (slot[h]) h = (h + 1) & (ns - 1);
      slot[h] = i + 1;
    }
    free(rs->slot);
    rs->slot = slot;
    rs->nslot = ns;
  }
  size_t h = hash(k->b, k->n) & (rs->nslot - 1);
  for (; rs->slot[h]; h = (h + 1) & (rs->nslot - 1)) {
    Region *r = &rs->r[rs->slot[h] - 1];
    if (r->key.n == k->n && memcmp(r->key.b, k->b, k->n) == 0) return r;
  }
  if (rs->n >= MAX_REGIONS) {
    *dropped = true;
    return NULL;
  }
  if (rs->n == rs->cap) {
    rs->cap = rs->cap ? 2 * rs->cap : 16;
    rs->r = xrealloc_array(rs->r, rs->cap, sizeof *rs->r);
  }
  Region *r = &rs->r[rs->n];
  rs->slot[h] = ++rs->n;
  memset(r, 0, sizeof *r);
  r->comp = cp;
  r->key.b = xmalloc(k->n + 1);
  memcpy(r->key.b, k->b, k->n);
  r->key.n = k->n;
  r->first = xmalloc_array(vs->n + 1, sizeof *r->first);
  memcpy(r->first, cur, vs->n * sizeof *cur);
  r->seen = xmalloc_array(vs->n + 1, sizeof *r->seen);
  for (size_t i = 0; i < vs->n; i++) {
    r->seen[i] = calloc(vs->v[i].ncells, 1);
    if (!r->seen[i]) abort();
  }
  return r;
}

static void free_regions(Regions *rs, size_t nvars) {
  for (size_t i = 0; i < rs->n; i++) {
    free(rs->r[i].key.b);
    free(rs->r[i].first);
    for (size_t v = 0; v < nvars; v++) free(rs->r[i].seen[v]);
    free(rs->r[i].seen);
    free(rs->r[i].cells);
  }
  free(rs->r);
  free(rs->slot);
}

/* ---- describing a region ---------------------------------------------------------------- */

static json_t *sheet_of(const Vars *vs, const uint32_t *cur, const char *device) {
  json_t *facts = json_object();
  for (size_t i = 0; i < vs->n; i++) {
    const MVar *v = &vs->v[i];
    json_t *j = v->json[cur[i]];
    if (!j) continue;
    if (v->member) {
      json_t *arr = json_object_get(facts, v->fact);
      if (arr) json_array_append(arr, j);
      continue;
    }
    json_object_set_new(facts, v->fact, json_deep_copy(j));
  }
  return json_pack("{s:s, s:o}", "device", device, "facts", facts);
}

static void keep_cell(Regions *rs, Region *g, const uint32_t *cur, size_t nv) {
  if (g->overflow) return;
  if (rs->stored + nv > CELL_BUDGET) {
    g->overflow = true;
    free(g->cells);
    rs->stored -= g->nstored * nv;
    g->cells = NULL;
    g->nstored = g->cap = 0;
    return;
  }
  if (g->nstored == g->cap) {
    g->cap = g->cap ? 2 * g->cap : 16;
    g->cells = xrealloc_array(g->cells, g->cap * nv + 1, sizeof *g->cells);
  }
  memcpy(g->cells + g->nstored * nv, cur, nv * sizeof *cur);
  g->nstored++;
  rs->stored += nv;
}

/* The condition "fact in these cells" (adjacent cells of an ordered fact
 * merged into one interval), or NULL when seen is every cell. */
static char *var_condition(const MVar *v, const uint8_t *seen) {
  uint32_t k = 0;
  for (uint32_t c = 0; c < v->ncells; c++) k += seen[c] != 0;
  if (k == v->ncells) return NULL;
  IpsfBuf b;
  ipsf_buf_init(&b);
  for (uint32_t c = 0; c < v->ncells; c++) {
    if (!seen[c]) continue;
    uint32_t e = c;
    if (v->lo)
      while (e + 1 < v->ncells && seen[e + 1]) e++;
    if (b.len) ipsf_buf_puts(&b, " or ");
    if (e == c) {
      ipsf_buf_puts(&b, v->label[c]);
    } else {
      char *t = run_label(v->fact, v->lo[c], v->hi[e], false, NULL);
      ipsf_buf_puts(&b, t);
      free(t);
    }
    c = e;
  }
  return xbuf_take(&b);
}

/* A region that is no box, as a union of boxes (each: per variable, the
 * cells it allows).  Found by splitting the region's cells on one
 * variable at a time until each part is a box, then merging boxes that
 * differ in one variable only.  At most MAX_BOXES, else none. */
#define MAX_BOXES 12

typedef struct {
  uint8_t **set;    /* [box][var * maxcells + cell] flattened per box */
  size_t n, cap;
  bool too_many;
} Boxes;

typedef struct {
  const Vars *vs;
  const bool *relevant;
  const uint32_t *cells;
  size_t nv;
  uint32_t maxc;    /* the largest ncells */
} Split;

static void split(const Split *sp, uint32_t *ids, size_t n, Boxes *out, int depth) {
  if (out->too_many || n == 0) return;
  size_t nv = sp->nv;
  uint8_t *seen = calloc(nv * sp->maxc + 1, 1);
  if (!seen) abort();
  for (size_t i = 0; i < n; i++)
    for (size_t v = 0; v < nv; v++) seen[v * sp->maxc + sp->cells[(size_t)ids[i] * nv + v]] = 1;
  double product = 1;
  size_t pick = SIZE_MAX;
  uint32_t pick_k = UINT32_MAX;
  for (size_t v = 0; v < nv; v++) {
    if (!sp->relevant[v]) continue;
    uint32_t k = 0;
    for (uint32_t c = 0; c < sp->vs->v[v].ncells; c++) k += seen[v * sp->maxc + c];
    product *= k;
    if (k > 1 && k < pick_k) pick = v, pick_k = k; /* fewest branches */
  }
  if (product == (double)n || pick == SIZE_MAX || depth > 64) {
    if (out->n == MAX_BOXES) {
      out->too_many = true;
      free(seen);
      return;
    }
    if (out->n == out->cap) {
      out->cap = out->cap ? 2 * out->cap : 8;
      out->set = xrealloc_array(out->set, out->cap, sizeof *out->set);
    }
    out->set[out->n++] = seen;
    return;
  }
  uint32_t *part = xmalloc_array(n + 1, sizeof *part);
  for (uint32_t c = 0; c < sp->vs->v[pick].ncells && !out->too_many; c++) {
    if (!seen[pick * sp->maxc + c]) continue;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
      if (sp->cells[(size_t)ids[i] * nv + pick] == c) part[m++] = ids[i];
    split(sp, part, m, out, depth + 1);
  }
  free(part);
  free(seen);
}

/* Merge boxes equal but in one variable (their union is a box). */
static void merge_boxes(const Split *sp, Boxes *b) {
  for (bool again = true; again;) {
    again = false;
    for (size_t i = 0; i < b->n && !again; i++)
      for (size_t j = i + 1; j < b->n && !again; j++) {
        size_t diff = SIZE_MAX;
        int ndiff = 0;
        for (size_t v = 0; v < sp->nv && ndiff < 2; v++)
          if (memcmp(b->set[i] + v * sp->maxc, b->set[j] + v * sp->maxc, sp->maxc) != 0) ndiff++, diff = v;
        if (ndiff != 1) continue;
        for (uint32_t c = 0; c < sp->maxc; c++) b->set[i][diff * sp->maxc + c] |= b->set[j][diff * sp->maxc + c];
        free(b->set[j]);
        b->set[j] = b->set[--b->n];
        again = true;
      }
  }
}

/* The region as a union of boxes (JSON: one array of conditions per box),
 * or NULL when it cannot be said in MAX_BOXES boxes. */
static json_t *boxes_of(const Vars *vs, const Region *r) {
  if (r->overflow || r->nstored != r->count) return NULL;
  Split sp = {vs, r->comp->relevant, r->cells, vs->n, 1};
  for (size_t v = 0; v < vs->n; v++)
    if (vs->v[v].ncells > sp.maxc) sp.maxc = vs->v[v].ncells;
  uint32_t *ids = xmalloc_array(r->nstored + 1, sizeof *ids);
  for (size_t i = 0; i < r->nstored; i++) ids[i] = (uint32_t)i;
  Boxes b = {0};
  split(&sp, ids, r->nstored, &b, 0);
  free(ids);
  json_t *out = NULL;
  if (!b.too_many) {
    merge_boxes(&sp, &b);
    out = json_array();
    for (size_t i = 0; i < b.n; i++) {
      json_t *conj = json_array();
      for (size_t v = 0; v < vs->n; v++) {
        if (!r->comp->relevant[v]) continue;
        char *t = var_condition(&vs->v[v], b.set[i] + v * sp.maxc);
        if (t) json_array_append_new(conj, json_string(t));
        free(t);
      }
      json_array_append_new(out, conj);
    }
  }
  for (size_t i = 0; i < b.n; i++) free(b.set[i]);
  free(b.set);
  return out;
}

static json_t *where_of(const Vars *vs, const Region *r, bool *box) {
  json_t *w = json_array();
  double product = 1;
  for (size_t i = 0; i < vs->n; i++) {
    const MVar *v = &vs->v[i];
    if (!r->comp->relevant[i]) continue; /* free: the output does not read it */
    uint32_t k = 0;
    for (uint32_t c = 0; c < v->ncells; c++) k += r->seen[i][c];
    product *= k;
    char *t = var_condition(v, r->seen[i]);
    if (t) json_array_append_new(w, json_string(t));
    free(t);
  }
  *box = product == (double)r->count;
  return w;
}

/* The rules of the changed scales that matched on side s (file:line). */
static json_t *rules_of(const IpsfPack *p, const IpsfEval *ev, const json_t *changes) {
  json_t *out = json_array();
  size_t i;
  const json_t *ch;
  json_array_foreach(changes, i, ch) {
    const char *what = json_string_value(json_object_get(ch, "what"));
    if (!what || strcmp(what, "scale") != 0) continue;
    const char *name = json_string_value(json_object_get(ch, "name"));
    uint32_t sc = ipsf_pack_scale_index(p, name);
    if (sc == UINT32_MAX) continue;
    bool any = false;
    for (uint32_t r = 0; r < ipsf_pack_rule_count(p); r++) {
      if (ipsf_pack_rule_scale(p, r) != sc || !ipsf_eval_rule_hit(ev, r)) continue;
      const char *file = NULL;
      uint32_t line = 0, col = 0;
      ipsf_pack_rule_location(p, r, &file, &line, &col);
      char buf[1024];
      snprintf(buf, sizeof buf, "%s:%u: %s %s", file ? file : "?", line, name,
               ipsf_pack_level_name(p, sc, ipsf_pack_rule_level(p, r)));
      json_array_append_new(out, json_string(buf));
      any = true;
    }
    if (!any) {
      char buf[512];
      snprintf(buf, sizeof buf, "%s: otherwise %s", name, ipsf_eval_level_name(ev, sc));
      json_array_append_new(out, json_string(buf));
    }
  }
  return out;
}

/* "file:line" of a span of c's sources. */
static char *where_span(const Compilation *c, Span sp) {
  if (sp.file >= c->sources.count) return xstrdup("?");
  uint32_t line = 0, col = 0;
  sources_line_col(&c->sources, sp.file, sp.start, &line, &col);
  return label_printf("%s:%u", c->sources.items[sp.file]->path, line);
}

/* For each requirement that changed: where side s decided it, the
 * requirement's `applies` and the confirm line that gave its method and
 * period (the strongest that held), appended to out. */
static void req_rules_of(const Compilation *c, const IpsfPack *p, const IpsfEval *ev,
                         const json_t *changes, json_t *out) {
  size_t i;
  const json_t *ch;
  json_array_foreach(changes, i, ch) {
    const char *what = json_string_value(json_object_get(ch, "what"));
    if (!what || strcmp(what, "requirement") != 0) continue;
    const char *id = json_string_value(json_object_get(ch, "id"));
    uint32_t q = ipsf_pack_requirement_index(p, id);
    const ReqSym *r = NULL;
    for (size_t k = 0; k < c->req_count && !r; k++)
      if (strcmp(c->reqs[k].id, id) == 0) r = &c->reqs[k];
    if (q == UINT32_MAX || !r || !ipsf_eval_applies(ev, q)) continue;
    char *at = where_span(c, r->applies ? r->applies->span : r->span);
    char *line = label_printf("%s: %s applies", at, id);
    json_array_append_new(out, json_string(line));
    free(at);
    free(line);
    const char *method = ipsf_eval_method(ev, q);
    uint32_t months = ipsf_eval_every_months(ev, q);
    const Decl *vp = r->viewpoint < c->viewpoint_count ? c->viewpoints[r->viewpoint].decl : NULL;
    for (size_t k = 0; vp && method && k < r->confirm_count; k++) {
      const ConfirmSym *cf = &r->confirms[k];
      if (cf->method >= vp->value_count || strcmp(vp->values[cf->method].name, method) != 0 ||
          (uint32_t)cf->every != months)
        continue;
      at = where_span(c, cf->span);
      line = months ? label_printf("%s: %s confirm %s every %u months", at, id, method, months)
                    : label_printf("%s: %s confirm %s", at, id, method);
      json_array_append_new(out, json_string(line));
      free(at);
      free(line);
      break;
    }
  }
}

static json_t *record_of(IpsfEval *ev, int r, const IpsfError *err) {
  if (r == 0) return json_pack("{s:{s:s}}", "error", "message", err->message);
  size_t len = 0;
  char *text = ipsf_eval_record(ev, NULL, 0, NULL, NULL, IPSF_RECORDS_JSONL, 0, &len);
  if (!text) abort();
  json_t *j = json_loadb(text, len, 0, NULL);
  ipsf_free(text);
  return j;
}

/* The counterexample as a sheet, through ipsf_evaluate_text on both
 * sides: do the records differ? */
static bool recheck(Sym *y, IpsfEval *ev[2], const json_t *sheet, const Comp *cp) {
  char *text = json_dumps(sheet, JSON_COMPACT);
  json_t *rec[2];
  for (int s = 0; s < 2; s++) {
    size_t len = 0;
    char *out = ipsf_evaluate_text(ev[s], text, strlen(text), IPSF_SYNTAX_JSON, NULL,
                                   IPSF_RECORDS_JSONL, IPSF_ALLOW_UNKNOWN_FACTS, &len, NULL, NULL);
    rec[s] = out ? json_loadb(out, len, 0, NULL) : NULL;
    ipsf_free(out);
  }
  free(text);
  bool differ = false;
  if (rec[0] && rec[1]) {
    unsigned cls;
    const IpsfPack *p[2] = {y->side[0]->pack, y->side[1]->pack};
    json_t *ch = comp_changes(cp, diff_outcomes(y->d, rec[0], rec[1], &cls), p, &cls);
    differ = json_array_size(ch) > 0;
    json_decref(ch);
  }
  json_decref(rec[0]);
  json_decref(rec[1]);
  return differ;
}

static json_t *describe(Sym *y, IpsfEval *ev[2], const Region *r, size_t id,
                        unsigned *all) {
  json_t *rec[2];
  IpsfError err[2] = {{0}, {0}};
  int res[2];
  for (int s = 0; s < 2; s++) {
    res[s] = eval_cell(y, s, ev[s], r->first, &err[s]);
    rec[s] = record_of(ev[s], res[s], &err[s]);
  }
  unsigned cls = 0;
  const IpsfPack *pk[2] = {y->side[0]->pack, y->side[1]->pack};
  json_t *changes = comp_changes(r->comp, diff_outcomes(y->d, rec[0], rec[1], &cls), pk, &cls);
  json_t *rules[2];
  for (int s = 0; s < 2; s++) {
    eval_cell(y, s, ev[s], r->first, &err[s]);
    rules[s] = rules_of(y->side[s]->pack, ev[s], changes);
    req_rules_of(y->side[s]->c, y->side[s]->pack, ev[s], changes, rules[s]);
  }
  char name[48];
  snprintf(name, sizeof name, "counterexample %zu", id);
  json_t *sheet = sheet_of(&y->vars, r->first, name);
  bool ok = recheck(y, ev, sheet, r->comp);
  bool box;
  json_t *where = where_of(&y->vars, r, &box);
  json_t *boxes = box ? NULL : boxes_of(&y->vars, r);
  char *co = diff_cell_of(rec[0]), *cn = diff_cell_of(rec[1]);
  json_t *notes = json_array();
  for (size_t i = 0; i < y->vars.n; i++)
    if (y->vars.v[i].note && y->vars.v[i].ncells > 1 && r->comp->relevant[i]) {
      bool dup = false;
      for (size_t k = 0; k < json_array_size(notes) && !dup; k++)
        dup = strncmp(json_string_value(json_array_get(notes, k)), y->vars.v[i].fact,
                      strlen(y->vars.v[i].fact)) == 0;
      if (!dup) {
        char *s = label_printf("%s: %s", y->vars.v[i].fact, y->vars.v[i].note);
        json_array_append_new(notes, json_string(s));
        free(s);
      }
    }
  *all |= cls;
  json_t *out = json_pack("{s:I, s:s, s:I, s:o, s:b, s:{s:s?, s:s?}, s:o, s:o, s:b, s:o, s:o}",
                          "region", (json_int_t)id, "class", diff_class_name(cls),
                          "cells", (json_int_t)r->count, "where", where, "box", box,
                          "cell", "old", co, "new", cn, "changes", changes, "counterexample", sheet,
                          "rechecked", ok, "old_rules", rules[0], "new_rules", rules[1]);
  if (r->comp->kind != K_ALL) {
    json_object_set_new(out, "component", json_string(comp_label(r->comp)));
    if (r->comp->name) json_object_set_new(out, "name", json_string(r->comp->name));
  }
  if (boxes) json_object_set_new(out, "boxes", boxes);
  if (json_array_size(notes)) json_object_set_new(out, "facts_in_one_pack", notes);
  else json_decref(notes);
  free(co);
  free(cn);
  json_decref(rec[0]);
  json_decref(rec[1]);
  return out;
}

/* ---- the driver ------------------------------------------------------------------------ */

static void not_analysed(Sym *y, json_t *list) {
  for (int s = 0; s < 2; s++) {
    const Compilation *c = y->side[s]->c;
    const char *which = s ? "new" : "old";
    for (size_t i = 0; i < c->scale_count; i++)
      if (y->base[s].scale_inexact[i] || (s == 1 && y->merged.scale_inexact[i]))
        json_array_append_new(list, json_pack("{s:s, s:s, s:s}", "pack", which, "scale", c->scales[i].name,
                                              "reason", "it reads a fact through something the cells do not cover exactly (string functions, non-linear arithmetic, natives: check's IPSF-W100)"));
    for (size_t i = 0; i < c->req_count; i++)
      if (y->base[s].req_inexact[i])
        json_array_append_new(list, json_pack("{s:s, s:s, s:s}", "pack", which, "requirement", c->reqs[i].id,
                                              "reason", "its applies or a confirm condition reads a fact the cells do not cover exactly"));
  }
}

/* The deps of a component on side s (NULL: it reads nothing there). */
static void comp_relevant(Sym *y, Comp *cp) {
  size_t nv = y->vars.n;
  cp->relevant = calloc(nv + 1, sizeof(bool));
  if (!cp->relevant) abort();
  for (size_t i = 0; i < nv; i++) {
    if (cp->kind == K_ALL) {
      cp->relevant[i] = true;
      continue;
    }
    for (int s = 0; s < 2 && !cp->relevant[i]; s++) {
      const Compilation *c = y->side[s]->c;
      const AnalyzeCells *ac = &y->base[s];
      uint32_t f = comp_index(c, y->vars.v[i].fact);
      if (f == UINT32_MAX) continue;
      for (size_t k = 0; k < (cp->kind == K_REQ ? c->req_count : c->scale_count); k++) {
        const uint64_t *deps = NULL;
        if (cp->kind == K_REQ && strcmp(c->reqs[k].id, cp->name) == 0) deps = ac->req_deps[k];
        if (cp->kind == K_SCALE && strcmp(c->scales[k].name, cp->name) == 0) deps = ac->scale_deps[k];
        if (cp->kind == K_CATEGORY && c->scales[k].axis) deps = ac->scale_deps[k];
        if (deps && ((deps[f / 64] >> (f % 64)) & 1)) cp->relevant[i] = true;
      }
    }
  }
}

/* The outputs compared one by one: the category, each other scale both
 * packs have, each requirement of either. */
static Comp *components(Sym *y, size_t *n) {
  const IpsfPack *o = y->side[0]->pack, *nw = y->side[1]->pack;
  size_t cap = 1 + ipsf_pack_scale_count(o) + ipsf_pack_requirement_count(o) + ipsf_pack_requirement_count(nw);
  Comp *cs = calloc(cap + 1, sizeof *cs);
  if (!cs) abort();
  size_t k = 0;
  cs[k++] = (Comp){.kind = K_CATEGORY};
  for (uint32_t i = 0; i < ipsf_pack_scale_count(o); i++) {
    const char *name = ipsf_pack_scale_name(o, i);
    uint32_t a1 = ipsf_pack_axis(o, 1), a2 = ipsf_pack_axis(o, 2);
    if (i == a1 || i == a2 || ipsf_pack_scale_index(nw, name) == UINT32_MAX) continue;
    cs[k++] = (Comp){.kind = K_SCALE, .name = name};
  }
  for (int s = 0; s < 2; s++) {
    const IpsfPack *p = y->side[s]->pack;
    for (uint32_t i = 0; i < ipsf_pack_requirement_count(p); i++) {
      const char *id = ipsf_pack_requirement_id(p, i);
      if (s == 1 && ipsf_pack_requirement_index(o, id) != UINT32_MAX) continue;
      cs[k++] = (Comp){.kind = K_REQ, .name = id};
    }
  }
  for (size_t i = 0; i < k; i++) {
    cs[i].index = (uint32_t)i;
    comp_relevant(y, &cs[i]);
  }
  *n = k;
  return cs;
}

typedef struct {
  uint64_t evaluated, skipped, differing;
  bool dropped;
  uint64_t *moves;   /* cell transitions, nfrom x nto */
  size_t nfrom, nto;
} Tally;

/* A cell of each variable both packs accept, for the variables a
 * component holds still. */
static uint32_t fixed_cell(const MVar *v) {
  for (uint32_t c = 0; c < v->ncells; c++)
    if (v->act[0][c].kind != A_INVALID && v->act[1][c].kind != A_INVALID) return c;
  return 0;
}

/* Every cell of the product of cp's variables, under both packs. */
static void enumerate(Sym *y, IpsfEval *ev[2], const Comp *cp, Regions *rs, Tally *t) {
  size_t nv = y->vars.n;
  uint32_t *cur = calloc(nv + 1, sizeof *cur);
  if (!cur) abort();
  for (size_t i = 0; i < nv; i++)
    if (!cp->relevant[i]) cur[i] = fixed_cell(&y->vars.v[i]);
  const IpsfPack *pk[2] = {y->side[0]->pack, y->side[1]->pack};
  bool count_moves = cp->kind == K_ALL || cp->kind == K_CATEGORY;
  Key k = {0};
  for (;;) {
    IpsfError err[2] = {{0}, {0}};
    int r0 = eval_cell(y, 0, ev[0], cur, &err[0]);
    int r1 = r0 < 0 ? -1 : eval_cell(y, 1, ev[1], cur, &err[1]);
    if (r0 < 0 || r1 < 0) {
      t->skipped++;
    } else {
      t->evaluated++;
      int r[2] = {r0, r1};
      if (comp_key(&k, cp, pk, ev, r, err)) {
        t->differing++;
        Region *g = region_for(rs, cp, &k, &y->vars, cur, &t->dropped);
        if (g) {
          g->count++;
          for (size_t i = 0; i < nv; i++) g->seen[i][cur[i]] = 1;
          keep_cell(rs, g, cur, nv);
        }
        long from = r0 == 1 ? cell_index(pk[0], ev[0]) : -1, to = r1 == 1 ? cell_index(pk[1], ev[1]) : -1;
        if (count_moves && from >= 0 && to >= 0 && (size_t)from < t->nfrom && (size_t)to < t->nto)
          t->moves[(size_t)from * t->nto + (size_t)to]++;
      }
    }
    size_t i = 0;
    for (; i < nv; i++) {
      if (!cp->relevant[i]) continue;
      if (++cur[i] < y->vars.v[i].ncells) break;
      cur[i] = 0;
    }
    if (i == nv) break;
  }
  free(k.b);
  free(cur);
}

static double product_of(const Sym *y, const Comp *cp) {
  double total = 1;
  for (size_t i = 0; i < y->vars.n; i++)
    if (cp->relevant[i]) total *= y->vars.v[i].ncells;
  return total;
}

void diff_symbolic(DiffCtx *d, json_t *report) {
  json_t *sym = json_object();
  json_object_set_new(report, "symbolic", sym);
  if (!d->old.c || !d->new_.c) {
    json_object_set_new(sym, "analysed", json_false());
    json_object_set_new(sym, "proved", json_false());
    json_object_set_new(sym, "reason", json_string("a bytecode pack (.ipsb) has no source to analyse: give both packs as source for the symbolic diff"));
    d->unproved = true;
    return;
  }
  Sym y = {.d = d, .side = {&d->old, &d->new_}};
  build_vars(&y);
  json_t *na = json_array();
  not_analysed(&y, na);
  Comp all = {.kind = K_ALL};
  comp_relevant(&y, &all);
  double total = product_of(&y, &all);
  bool by_component = d->by_component || total > (double)d->max_cells;
  size_t ncomp = 1;
  Comp *comps = by_component ? components(&y, &ncomp) : &all;
  json_object_set_new(sym, "analysed", json_true());
  json_object_set_new(sym, "mode", json_string(by_component ? "components" : "whole"));
  json_object_set_new(sym, "cells", total < 9.0e15 ? json_integer((json_int_t)total) : json_real(total));
  json_t *table = diff_transition_table(d);
  Tally t = {.nfrom = json_array_size(json_object_get(table, "old_cells")),
             .nto = json_array_size(json_object_get(table, "new_cells"))};
  t.moves = calloc(t.nfrom * t.nto + 1, sizeof *t.moves);
  IpsfEval *ev[2] = {ipsf_eval_new(d->old.pack), ipsf_eval_new(d->new_.pack)};
  if (!t.moves || !ev[0] || !ev[1]) abort();
  Regions rs = {0};
  /* one output at a time: at most --max-cells each, 8 times that in all */
  double budget = 8.0 * (double)d->max_cells;
  for (size_t c = 0; c < ncomp; c++) {
    double n = product_of(&y, &comps[c]);
    if (n > (double)d->max_cells || n > budget) {
      char buf[300];
      if (n > (double)d->max_cells)
        snprintf(buf, sizeof buf, "the cells of the facts it reads number %.0f, more than --max-cells %llu: not enumerated",
                 n, (unsigned long long)d->max_cells);
      else
        snprintf(buf, sizeof buf, "the outputs before it used the whole budget (8 x --max-cells cells): its %.0f cells were not enumerated", n);
      json_t *e = json_pack("{s:s, s:s}", "pack", "both", "reason", buf);
      json_object_set_new(e, comps[c].kind == K_REQ ? "requirement" : comps[c].kind == K_SCALE ? "scale" : "category",
                          json_string(comps[c].name ? comps[c].name : "axis1 x axis2"));
      json_array_append_new(na, e);
      continue;
    }
    budget -= n;
    enumerate(&y, ev, &comps[c], &rs, &t);
  }
  for (size_t i = 0; i < t.nfrom; i++)
    for (size_t j = 0; j < t.nto; j++)
      if (t.moves[i * t.nto + j])
        diff_transition_add(d, table, json_string_value(json_array_get(json_object_get(table, "old_cells"), i)),
                            json_string_value(json_array_get(json_object_get(table, "new_cells"), j)),
                            (json_int_t)t.moves[i * t.nto + j]);
  free(t.moves);
  json_t *regions = json_array();
  unsigned all_cls = 0;
  size_t unchecked = 0;
  for (size_t i = 0; i < rs.n; i++) {
    json_t *reg = describe(&y, ev, &rs.r[i], i + 1, &all_cls);
    unchecked += !json_is_true(json_object_get(reg, "rechecked"));
    json_array_append_new(regions, reg);
  }
  bool proved = json_array_size(na) == 0 && !t.dropped;
  json_object_set_new(sym, "evaluated", json_integer((json_int_t)t.evaluated));
  json_object_set_new(sym, "skipped", json_integer((json_int_t)t.skipped));
  json_object_set_new(sym, "differing", json_integer((json_int_t)t.differing));
  json_object_set_new(sym, "regions", regions);
  if (t.dropped) json_object_set_new(sym, "regions_not_listed", json_true());
  if (unchecked) json_object_set_new(sym, "not_rechecked", json_integer((json_int_t)unchecked));
  json_object_set_new(sym, "transitions", table);
  json_object_set_new(sym, "not_analysed", na);
  json_object_set_new(sym, "proved", json_boolean(proved));
  json_object_set_new(sym, "class", json_string(rs.n ? diff_class_name(all_cls) : proved ? "equivalent" : "unknown"));
  d->classes |= all_cls;
  if (!proved) d->unproved = true;
  d->changes += rs.n;
  free_regions(&rs, y.vars.n);
  if (by_component) {
    for (size_t c = 0; c < ncomp; c++) free(comps[c].relevant);
    free(comps);
  }
  free(all.relevant);
  ipsf_eval_free(ev[0]);
  ipsf_eval_free(ev[1]);
  free_vars(&y.vars);
}
