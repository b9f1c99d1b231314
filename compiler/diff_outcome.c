/*
 * diff_outcome.c -- compare two outcomes of one device (eval records, or
 * the symbolic diff's outcomes of the same shape) and classify the change.
 *
 * An outcome is a JSON object with "category" {axis1, axis2}, "scales"
 * {name: level}, "requirements" [{id, method, every_months, status?}] (the
 * requirements that apply) or "error" {message}.  The orders are the
 * packs' own: a level is compared by its position in its scale (lowest
 * first) in each pack, so a renamed level in the same position is no move
 * ("neutral"); a method by its position in the viewpoint's list (weakest
 * first, needs the source of both packs, else the change is "changed");
 * a period is stricter when it is shorter or appears.  A requirement that
 * starts applying is stricter, one that stops is looser.
 */
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "diff.h"
#include "sema.h"

const char *diff_class_name(unsigned classes) {
  if (classes & DC_OTHER) return "mixed";
  if ((classes & (DC_STRICTER | DC_LOOSER)) == (DC_STRICTER | DC_LOOSER)) return "mixed";
  if (classes & DC_STRICTER) return "stricter";
  if (classes & DC_LOOSER) return "looser";
  if (classes & DC_NEUTRAL) return "neutral";
  return "equivalent";
}

static const char *dir_name(unsigned c) {
  return c == DC_STRICTER ? "stricter" : c == DC_LOOSER ? "looser"
       : c == DC_NEUTRAL ? "neutral" : "changed";
}

static uint32_t level_rank(const IpsfPack *p, const char *scale, const char *level) {
  uint32_t s = ipsf_pack_scale_index(p, scale);
  if (s == UINT32_MAX || !level) return UINT32_MAX;
  for (uint32_t i = 0; i < ipsf_pack_level_count(p, s); i++)
    if (strcmp(ipsf_pack_level_name(p, s, i), level) == 0) return i;
  return UINT32_MAX;
}

int diff_method_rank(const DiffPack *p, const char *req_id, const char *method) {
  const Compilation *c = p->c;
  if (!c || !method) return -1;
  for (size_t i = 0; i < c->req_count; i++) {
    if (strcmp(c->reqs[i].id, req_id) != 0) continue;
    uint32_t v = c->reqs[i].viewpoint;
    if (v >= c->viewpoint_count) return -1;
    const Decl *d = c->viewpoints[v].decl;
    for (size_t k = 0; k < d->value_count; k++)
      if (strcmp(d->values[k].name, method) == 0) return (int)k;
    return -1;
  }
  return -1;
}

char *diff_cell_of(const json_t *record) {
  const json_t *cat = json_object_get(record, "category");
  const char *a = json_string_value(json_object_get(cat, "axis1"));
  const char *b = json_string_value(json_object_get(cat, "axis2"));
  if (!a || !b) return NULL;
  size_t n = strlen(a) + strlen(b) + 4;
  char *s = xmalloc(n);
  snprintf(s, n, "%s / %s", a, b);
  return s;
}

static void add(json_t *changes, unsigned *classes, unsigned c, json_t *item) {
  json_object_set_new(item, "direction", json_string(dir_name(c)));
  json_array_append_new(changes, item);
  *classes |= c;
}

static const json_t *find_req(const json_t *reqs, const char *id) {
  size_t i;
  const json_t *r;
  json_array_foreach(reqs, i, r) {
    const char *rid = json_string_value(json_object_get(r, "id"));
    if (rid && strcmp(rid, id) == 0) return r;
  }
  return NULL;
}

static void compare_scales(const DiffCtx *d, const json_t *os, const json_t *ns, json_t *out,
                           unsigned *classes) {
  const char *name;
  const json_t *v;
  json_object_foreach((json_t *)os, name, v) {
    const char *a = json_string_value(v), *b = json_string_value(json_object_get(ns, name));
    if (!b) continue; /* a scale NEW removed: an interface change, not a move */
    if (a && strcmp(a, b) == 0) continue;
    uint32_t ra = level_rank(d->old.pack, name, a), rb = level_rank(d->new_.pack, name, b);
    unsigned c = ra == UINT32_MAX || rb == UINT32_MAX ? DC_OTHER
               : rb > ra ? DC_STRICTER : rb < ra ? DC_LOOSER : DC_NEUTRAL;
    add(out, classes, c, json_pack("{s:s, s:s, s:s?, s:s}", "what", "scale", "name", name, "old", a, "new", b));
  }
}

/* The period as months, 0 for none. */
static json_int_t months(const json_t *r) { return json_integer_value(json_object_get(r, "every_months")); }

static json_t *req_item(const char *id, const char *change, const json_t *o, const json_t *n) {
  json_t *item = json_pack("{s:s, s:s, s:s}", "what", "requirement", "id", id, "change", change);
  json_object_set_new(item, "old", o ? json_pack("{s:O, s:O}", "method", json_object_get(o, "method") ? json_object_get(o, "method") : json_null(),
                                                 "every_months", json_object_get(o, "every_months") ? json_object_get(o, "every_months") : json_null())
                                     : json_null());
  json_object_set_new(item, "new", n ? json_pack("{s:O, s:O}", "method", json_object_get(n, "method") ? json_object_get(n, "method") : json_null(),
                                                 "every_months", json_object_get(n, "every_months") ? json_object_get(n, "every_months") : json_null())
                                     : json_null());
  return item;
}

static void compare_reqs(const DiffCtx *d, const json_t *orq, const json_t *nrq, json_t *out,
                         unsigned *classes) {
  size_t i;
  const json_t *o, *n;
  json_array_foreach(orq, i, o) {
    const char *id = json_string_value(json_object_get(o, "id"));
    if (!id) continue;
    n = find_req(nrq, id);
    if (!n) {
      add(out, classes, DC_LOOSER, req_item(id, "removed", o, NULL));
      continue;
    }
    const char *om = json_string_value(json_object_get(o, "method"));
    const char *nm = json_string_value(json_object_get(n, "method"));
    if (om && nm && strcmp(om, nm) != 0) {
      int ro = diff_method_rank(&d->old, id, om), rn = diff_method_rank(&d->new_, id, nm);
      unsigned c = ro < 0 || rn < 0 ? DC_OTHER : rn > ro ? DC_STRICTER : rn < ro ? DC_LOOSER : DC_NEUTRAL;
      add(out, classes, c, req_item(id, "method", o, n));
    } else if (months(o) != months(n)) {
      json_int_t a = months(o), b = months(n);
      unsigned c = a == 0 ? DC_STRICTER : b == 0 ? DC_LOOSER : b < a ? DC_STRICTER : DC_LOOSER;
      add(out, classes, c, req_item(id, "period", o, n));
    }
    const char *os = json_string_value(json_object_get(o, "status"));
    const char *ns = json_string_value(json_object_get(n, "status"));
    if (os && ns && strcmp(os, ns) != 0) {
      json_t *item = json_pack("{s:s, s:s, s:s, s:s, s:s}", "what", "requirement", "id", id,
                               "change", "status", "old", os, "new", ns);
      /* met -> unmet/unknown follows from a stronger method: the method
       * change carries the class; alone (evidence) it is neutral */
      add(out, classes, DC_NEUTRAL, item);
    }
  }
  json_array_foreach(nrq, i, n) {
    const char *id = json_string_value(json_object_get(n, "id"));
    if (id && !find_req(orq, id)) add(out, classes, DC_STRICTER, req_item(id, "added", NULL, n));
  }
}

/* The length of an error message without a trailing " at FILE:LINE:COL"
 * (where in the pack it happened: packs of two versions put the same
 * failure at different places). */
size_t diff_error_len(const char *m) {
  size_t n = strlen(m);
  const char *at = NULL;
  for (const char *p = strstr(m, " at "); p; p = strstr(p + 1, " at ")) at = p;
  if (!at) return n;
  const char *q = m + n;
  int colons = 0;
  while (q > at + 4 && (q[-1] == ':' || (q[-1] >= '0' && q[-1] <= '9'))) colons += *--q == ':';
  return colons == 2 && q > at + 4 ? (size_t)(at - m) : n;
}

bool diff_same_error(const char *a, const char *b) {
  size_t na = diff_error_len(a), nb = diff_error_len(b);
  return na == nb && memcmp(a, b, na) == 0;
}

static const char *err_msg(const json_t *r) {
  const json_t *e = json_object_get(r, "error");
  return e ? json_string_value(json_object_get(e, "message")) : NULL;
}

json_t *diff_outcomes(const DiffCtx *d, const json_t *o, const json_t *n, unsigned *classes) {
  json_t *out = json_array();
  *classes = 0;
  const char *eo = err_msg(o), *en = err_msg(n);
  if (eo || en) {
    if (!eo || !en || !diff_same_error(eo, en))
      add(out, classes, DC_OTHER, json_pack("{s:s, s:s?, s:s?}", "what", "error", "old", eo, "new", en));
    return out;
  }
  char *co = diff_cell_of(o), *cn = diff_cell_of(n);
  if (co && cn && strcmp(co, cn) != 0) {
    json_t *item = json_pack("{s:s, s:s, s:s}", "what", "category", "old", co, "new", cn);
    json_array_append_new(out, item); /* its class is its scales' */
  }
  free(co);
  free(cn);
  compare_scales(d, json_object_get(o, "scales"), json_object_get(n, "scales"), out, classes);
  compare_reqs(d, json_object_get(o, "requirements"), json_object_get(n, "requirements"), out, classes);
  return out;
}

/* ---- the transition table --------------------------------------------------------- */

static json_t *cells_of(const IpsfPack *p) {
  json_t *a = json_array();
  uint32_t s1 = ipsf_pack_axis(p, 1), s2 = ipsf_pack_axis(p, 2);
  if (s1 == UINT32_MAX || s2 == UINT32_MAX) return a;
  for (uint32_t i = 0; i < ipsf_pack_level_count(p, s1); i++)
    for (uint32_t j = 0; j < ipsf_pack_level_count(p, s2); j++) {
      char buf[512];
      snprintf(buf, sizeof buf, "%s / %s", ipsf_pack_level_name(p, s1, i), ipsf_pack_level_name(p, s2, j));
      json_array_append_new(a, json_string(buf));
    }
  return a;
}

json_t *diff_transition_table(const DiffCtx *d) {
  json_t *from = cells_of(d->old.pack), *to = cells_of(d->new_.pack);
  json_t *counts = json_array();
  for (size_t i = 0; i < json_array_size(from); i++) {
    json_t *row = json_array();
    for (size_t j = 0; j < json_array_size(to); j++) json_array_append_new(row, json_integer(0));
    json_array_append_new(counts, row);
  }
  return json_pack("{s:o, s:o, s:o}", "old_cells", from, "new_cells", to, "counts", counts);
}

static size_t index_of(const json_t *a, const char *s) {
  for (size_t i = 0; i < json_array_size(a); i++)
    if (strcmp(json_string_value(json_array_get(a, i)), s) == 0) return i;
  return SIZE_MAX;
}

void diff_transition_add(const DiffCtx *d, json_t *table, const char *from, const char *to,
                         json_int_t n) {
  (void)d;
  if (!from || !to) return;
  size_t i = index_of(json_object_get(table, "old_cells"), from);
  size_t j = index_of(json_object_get(table, "new_cells"), to);
  if (i == SIZE_MAX || j == SIZE_MAX) return;
  json_t *cell = json_array_get(json_array_get(json_object_get(table, "counts"), i), j);
  json_integer_set(cell, json_integer_value(cell) + n);
}
