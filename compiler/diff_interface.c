/*
 * diff_interface.c -- what the two packs declare, compared: the pack
 * header, facts (type, values, default), scales and their levels, the
 * axes, viewpoints and their methods, requirements (title, viewpoint, the
 * catalog provisions they cite), rules (by scale, level and reason).
 *
 * Names are matched exactly: a renamed fact is reported as one removed
 * and one added (never guessed).  A level in the same position of a scale
 * under another name is "renamed" (levels are ordered, so the position is
 * what a rule means).
 *
 * Sheets valid for OLD that NEW rejects are listed under "rejected", each
 * with an example: a sheet that gives every fact OLD requires, plus what
 * the change is about, evaluated under both runtimes (ipsf_evaluate_text):
 * it is listed only if OLD evaluates it and NEW refuses it, with NEW's own
 * error message.  Everything uses the runtime's public API, so bytecode
 * packs are compared too; defaults and methods need the source.
 */
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "diff.h"
#include "report.h" /* IpsfBuf: profile_items */
#include "sema.h"

static void item(DiffCtx *d, json_t *list, const char *kind, const char *change, const char *name,
                 json_t *old, json_t *new_) {
  json_t *it = json_pack("{s:s, s:s, s:s}", "kind", kind, "change", change, "name", name);
  json_object_set_new(it, "old", old ? old : json_null());
  json_object_set_new(it, "new", new_ ? new_ : json_null());
  json_array_append_new(list, it);
  d->changes++;
  d->classes |= DC_NEUTRAL;
}

static json_t *str_or_null(const char *s) { return s ? json_string(s) : json_null(); }

/* A fact's default as text (source packs), NULL when it is required or
 * the source is not at hand. */
static char *default_text(const Compilation *c, const char *name) {
  if (!c) return NULL;
  for (size_t i = 0; i < c->fact_count; i++) {
    const FactSym *f = &c->facts[i];
    if (strcmp(f->name, name) != 0) continue;
    Ty ty;
    IpsfValue v;
    if (!f->decl->deflt || !fold_value(f->decl->deflt, &ty, &v)) return NULL;
    json_t *j = NULL;
    switch (f->ty.kind) {
    case TY_BOOL: j = json_boolean(v.i != 0); break;
    case TY_INT: j = json_integer((json_int_t)v.i); break;
    case TY_NUMBER: j = json_real(ty.kind == TY_INT ? (double)v.i : v.n); break;
    case TY_STRING: j = json_string(v.s); break;
    case TY_ENUM: {
      const EnumSym *e = &c->enums[f->ty.enum_id];
      j = json_string(v.i >= 0 && (size_t)v.i < e->value_count ? e->values[v.i].name : "?");
      break;
    }
    case TY_SET: {
      const EnumSym *e = &c->enums[f->ty.enum_id];
      j = json_array();
      for (size_t k = 0; k < e->value_count && k < 64; k++)
        if ((v.m >> k) & 1) json_array_append_new(j, json_string(e->values[k].name));
      break;
    }
    default: return NULL;
    }
    char *s = json_dumps(j, JSON_ENCODE_ANY | JSON_COMPACT);
    json_decref(j);
    return s;
  }
  return NULL;
}

static json_t *values_of(const IpsfPack *p, uint32_t f) {
  json_t *a = json_array();
  for (uint32_t k = 0; k < ipsf_pack_fact_value_count(p, f); k++)
    json_array_append_new(a, json_string(ipsf_pack_fact_value(p, f, k)));
  return a;
}

static bool has_value(const IpsfPack *p, uint32_t f, const char *v) {
  for (uint32_t k = 0; k < ipsf_pack_fact_value_count(p, f); k++)
    if (strcmp(ipsf_pack_fact_value(p, f, k), v) == 0) return true;
  return false;
}

/* A value of fact f for a sheet (the first enum value, 0, "", [], false). */
static json_t *some_value(const IpsfPack *p, uint32_t f) {
  const char *t = ipsf_pack_fact_type(p, f);
  if (strcmp(t, "bool") == 0) return json_false();
  if (strcmp(t, "int") == 0) return json_integer(0);
  if (strcmp(t, "number") == 0) return json_real(0.5);
  if (strcmp(t, "string") == 0) return json_string("");
  if (strcmp(t, "enum") == 0) return json_string(ipsf_pack_fact_value(p, f, 0));
  return json_array();
}

/* The smallest sheet OLD accepts: every fact it requires, nothing else. */
static json_t *base_sheet(const IpsfPack *o) {
  json_t *facts = json_object();
  for (uint32_t f = 0; f < ipsf_pack_fact_count(o); f++)
    if (ipsf_pack_fact_required(o, f))
      json_object_set_new(facts, ipsf_pack_fact_name(o, f), some_value(o, f));
  return json_pack("{s:s, s:o}", "device", "example", "facts", facts);
}

/* Evaluate sheet under p: NULL if it evaluates, else the error message
 * (malloc'd). */
static char *eval_error(const IpsfPack *p, const json_t *sheet) {
  IpsfEval *ev = ipsf_eval_new(p);
  if (!ev) abort();
  char *text = json_dumps(sheet, JSON_COMPACT);
  size_t len = 0, errors = 0;
  char *out = ipsf_evaluate_text(ev, text, strlen(text), IPSF_SYNTAX_JSON, NULL, IPSF_RECORDS_JSONL,
                                 0, &len, NULL, &errors);
  free(text);
  char *msg = NULL;
  if (out && errors) {
    json_t *r = json_loadb(out, len, JSON_DISABLE_EOF_CHECK, NULL);
    const char *m = json_string_value(json_object_get(json_object_get(r, "error"), "message"));
    msg = xstrdup(m ? m : "error");
    json_decref(r);
  }
  ipsf_free(out);
  ipsf_eval_free(ev);
  return msg;
}

/* Keep the example if OLD accepts it and NEW rejects it. */
static void try_rejected(DiffCtx *d, json_t *list, const char *why, json_t *sheet) {
  char *eo = eval_error(d->old.pack, sheet);
  char *en = eo ? NULL : eval_error(d->new_.pack, sheet);
  if (!eo && en) {
    json_array_append_new(list, json_pack("{s:s, s:O, s:s}", "reason", why, "sheet", sheet,
                                          "new_error", en));
    d->changes++;
    d->classes |= DC_OTHER; /* breaks existing sheets: neither stricter nor looser */
  }
  free(eo);
  free(en);
  json_decref(sheet);
}

static json_t *with_fact(const IpsfPack *o, const char *name, json_t *value) {
  json_t *s = base_sheet(o);
  json_object_set_new(json_object_get(s, "facts"), name, value);
  return s;
}

static void facts(DiffCtx *d, json_t *list, json_t *rejected) {
  const IpsfPack *o = d->old.pack, *n = d->new_.pack;
  char why[600];
  for (uint32_t f = 0; f < ipsf_pack_fact_count(o); f++) {
    const char *name = ipsf_pack_fact_name(o, f);
    uint32_t g = ipsf_fact_index(n, name);
    const char *to = ipsf_pack_fact_type(o, f);
    if (g == UINT32_MAX) {
      item(d, list, "fact", "removed", name, json_string(to), NULL);
      snprintf(why, sizeof why, "fact '%s' removed: a sheet that gives it", name);
      try_rejected(d, rejected, why, with_fact(o, name, some_value(o, f)));
      continue;
    }
    const char *tn = ipsf_pack_fact_type(n, g);
    if (strcmp(to, tn) != 0) {
      item(d, list, "fact", "type", name, json_string(to), json_string(tn));
      snprintf(why, sizeof why, "fact '%s' is now %s: a sheet giving it as %s", name, tn, to);
      try_rejected(d, rejected, why, with_fact(o, name, some_value(o, f)));
      continue;
    }
    for (uint32_t k = 0; k < ipsf_pack_fact_value_count(o, f); k++) {
      const char *v = ipsf_pack_fact_value(o, f, k);
      if (has_value(n, g, v)) continue;
      char *full = xmalloc(strlen(name) + strlen(v) + 2);
      sprintf(full, "%s.%s", name, v);
      item(d, list, "value", "removed", full, values_of(o, f), values_of(n, g));
      free(full);
      snprintf(why, sizeof why, "value '%s' of fact '%s' removed: a sheet that uses it", v, name);
      json_t *val = json_string(v);
      if (strcmp(to, "set") == 0) val = json_pack("[o]", val);
      try_rejected(d, rejected, why, with_fact(o, name, val));
    }
    for (uint32_t k = 0; k < ipsf_pack_fact_value_count(n, g); k++) {
      const char *v = ipsf_pack_fact_value(n, g, k);
      if (has_value(o, f, v)) continue;
      char *full = xmalloc(strlen(name) + strlen(v) + 2);
      sprintf(full, "%s.%s", name, v);
      item(d, list, "value", "added", full, values_of(o, f), values_of(n, g));
      free(full);
    }
    bool ro = ipsf_pack_fact_required(o, f), rn = ipsf_pack_fact_required(n, g);
    char *dfo = default_text(d->old.c, name), *dfn = default_text(d->new_.c, name);
    if (ro != rn || (dfo && dfn && strcmp(dfo, dfn) != 0)) {
      item(d, list, "default", "changed", name, ro ? json_null() : str_or_null(dfo ? dfo : "(a default)"),
           rn ? json_null() : str_or_null(dfn ? dfn : "(a default)"));
      if (!ro && rn) {
        snprintf(why, sizeof why, "fact '%s' has no default any more: a sheet that leaves it out", name);
        try_rejected(d, rejected, why, base_sheet(o));
      }
    }
    free(dfo);
    free(dfn);
  }
  for (uint32_t g = 0; g < ipsf_pack_fact_count(n); g++) {
    const char *name = ipsf_pack_fact_name(n, g);
    if (ipsf_fact_index(o, name) != UINT32_MAX) continue;
    char *dfn = default_text(d->new_.c, name);
    bool req = ipsf_pack_fact_required(n, g);
    json_t *nv = json_pack("{s:s, s:s?}", "type", ipsf_pack_fact_type(n, g), "default",
                           req ? NULL : dfn ? dfn : "(a default)");
    item(d, list, "fact", "added", name, NULL, nv);
    free(dfn);
    if (req) {
      snprintf(why, sizeof why, "fact '%s' added without a default: a sheet written for OLD", name);
      try_rejected(d, rejected, why, base_sheet(o));
    }
  }
}

static json_t *levels_of(const IpsfPack *p, uint32_t s) {
  json_t *a = json_array();
  for (uint32_t k = 0; k < ipsf_pack_level_count(p, s); k++)
    json_array_append_new(a, json_string(ipsf_pack_level_name(p, s, k)));
  return a;
}

static bool has_level(const IpsfPack *p, uint32_t s, const char *l) {
  for (uint32_t k = 0; k < ipsf_pack_level_count(p, s); k++)
    if (strcmp(ipsf_pack_level_name(p, s, k), l) == 0) return true;
  return false;
}

static void scales(DiffCtx *d, json_t *list) {
  const IpsfPack *o = d->old.pack, *n = d->new_.pack;
  for (uint32_t s = 0; s < ipsf_pack_scale_count(o); s++) {
    const char *name = ipsf_pack_scale_name(o, s);
    uint32_t t = ipsf_pack_scale_index(n, name);
    if (t == UINT32_MAX) {
      item(d, list, "scale", "removed", name, levels_of(o, s), NULL);
      continue;
    }
    uint32_t lo = ipsf_pack_level_count(o, s), ln = ipsf_pack_level_count(n, t);
    char buf[600];
    if (lo == ln) {
      for (uint32_t k = 0; k < lo; k++) {
        const char *a = ipsf_pack_level_name(o, s, k), *b = ipsf_pack_level_name(n, t, k);
        if (strcmp(a, b) == 0) continue;
        snprintf(buf, sizeof buf, "%s.%s", name, a);
        item(d, list, "level", "renamed", buf, json_string(a), json_string(b));
      }
    } else {
      for (uint32_t k = 0; k < lo; k++)
        if (!has_level(n, t, ipsf_pack_level_name(o, s, k))) {
          snprintf(buf, sizeof buf, "%s.%s", name, ipsf_pack_level_name(o, s, k));
          item(d, list, "level", "removed", buf, levels_of(o, s), levels_of(n, t));
        }
      for (uint32_t k = 0; k < ln; k++)
        if (!has_level(o, s, ipsf_pack_level_name(n, t, k))) {
          snprintf(buf, sizeof buf, "%s.%s", name, ipsf_pack_level_name(n, t, k));
          item(d, list, "level", "added", buf, levels_of(o, s), levels_of(n, t));
        }
    }
  }
  for (uint32_t t = 0; t < ipsf_pack_scale_count(n); t++)
    if (ipsf_pack_scale_index(o, ipsf_pack_scale_name(n, t)) == UINT32_MAX)
      item(d, list, "scale", "added", ipsf_pack_scale_name(n, t), NULL, levels_of(n, t));
  for (int axis = 1; axis <= 2; axis++) {
    uint32_t a = ipsf_pack_axis(o, axis), b = ipsf_pack_axis(n, axis);
    const char *an = a == UINT32_MAX ? NULL : ipsf_pack_scale_name(o, a);
    const char *bn = b == UINT32_MAX ? NULL : ipsf_pack_scale_name(n, b);
    if ((an == NULL) != (bn == NULL) || (an && strcmp(an, bn) != 0))
      item(d, list, "axis", "changed", axis == 1 ? "axis1" : "axis2", str_or_null(an), str_or_null(bn));
  }
}

/* A viewpoint's methods, weakest first (source packs), or NULL. */
static json_t *methods_of(const Compilation *c, const char *vp) {
  if (!c) return NULL;
  for (size_t i = 0; i < c->viewpoint_count; i++) {
    if (strcmp(c->viewpoints[i].name, vp) != 0) continue;
    json_t *a = json_array();
    const Decl *dd = c->viewpoints[i].decl;
    for (size_t k = 0; k < dd->value_count; k++) json_array_append_new(a, json_string(dd->values[k].name));
    return a;
  }
  return NULL;
}

static bool has_viewpoint(const IpsfPack *p, const char *name) {
  for (uint32_t v = 0; v < ipsf_pack_viewpoint_count(p); v++)
    if (strcmp(ipsf_pack_viewpoint_name(p, v), name) == 0) return true;
  return false;
}

static void viewpoints(DiffCtx *d, json_t *list) {
  const IpsfPack *o = d->old.pack, *n = d->new_.pack;
  for (uint32_t v = 0; v < ipsf_pack_viewpoint_count(o); v++) {
    const char *name = ipsf_pack_viewpoint_name(o, v);
    if (!has_viewpoint(n, name)) {
      item(d, list, "viewpoint", "removed", name, methods_of(d->old.c, name), NULL);
      continue;
    }
    json_t *mo = methods_of(d->old.c, name), *mn = methods_of(d->new_.c, name);
    if (mo && mn && !json_equal(mo, mn)) item(d, list, "methods", "changed", name, mo, mn);
    else json_decref(mo), json_decref(mn);
  }
  for (uint32_t v = 0; v < ipsf_pack_viewpoint_count(n); v++) {
    const char *name = ipsf_pack_viewpoint_name(n, v);
    if (!has_viewpoint(o, name)) item(d, list, "viewpoint", "added", name, NULL, methods_of(d->new_.c, name));
  }
}

static json_t *refs_of(const IpsfPack *p, uint32_t r) {
  json_t *a = json_array();
  for (uint32_t k = 0; k < ipsf_pack_requirement_ref_count(p, r); k++)
    json_array_append_new(a, json_string(ipsf_pack_requirement_ref(p, r, k)));
  return a;
}

/* Requirement r's compensations, each "CM-20 until 2027-03-31", "CM-30 for
 * 6 months" or "CM-40" (docs/language.md, "Compensating measures"). */
static json_t *compensations_of(const IpsfPack *p, uint32_t r) {
  json_t *a = json_array();
  for (uint32_t k = 0; k < ipsf_pack_compensation_count(p); k++) {
    uint32_t req, by, months;
    const char *until;
    if (!ipsf_pack_compensation(p, k, &req, &by, &until, &months) || req != r) continue;
    char buf[512];
    const char *id = ipsf_pack_requirement_id(p, by);
    if (until) snprintf(buf, sizeof buf, "%s until %s", id, until);
    else if (months) snprintf(buf, sizeof buf, "%s for %u month%s", id, months, months == 1 ? "" : "s");
    else snprintf(buf, sizeof buf, "%s", id);
    json_array_append_new(a, json_string(buf));
  }
  return a;
}

/* Items of `what` in one list and not the other: removed, then added. */
static void list_changes(DiffCtx *d, json_t *list, const char *what, const char *id, json_t *lo,
                         json_t *ln) {
  size_t k;
  json_t *x;
  json_array_foreach(lo, k, x) {
    bool kept = false;
    for (size_t j = 0; j < json_array_size(ln) && !kept; j++) kept = json_equal(x, json_array_get(ln, j));
    if (!kept) item(d, list, what, "removed", id, json_incref(x), NULL);
  }
  json_array_foreach(ln, k, x) {
    bool had = false;
    for (size_t j = 0; j < json_array_size(lo) && !had; j++) had = json_equal(x, json_array_get(lo, j));
    if (!had) item(d, list, what, "added", id, NULL, json_incref(x));
  }
  json_decref(lo);
  json_decref(ln);
}

static void requirements(DiffCtx *d, json_t *list) {
  const IpsfPack *o = d->old.pack, *n = d->new_.pack;
  for (uint32_t r = 0; r < ipsf_pack_requirement_count(o); r++) {
    const char *id = ipsf_pack_requirement_id(o, r);
    uint32_t q = ipsf_pack_requirement_index(n, id);
    if (q == UINT32_MAX) {
      item(d, list, "requirement", "removed", id, json_string(ipsf_pack_requirement_title(o, r)), NULL);
      continue;
    }
    const char *to = ipsf_pack_requirement_title(o, r), *tn = ipsf_pack_requirement_title(n, q);
    if (strcmp(to ? to : "", tn ? tn : "") != 0)
      item(d, list, "title", "changed", id, str_or_null(to), str_or_null(tn));
    uint32_t vo = ipsf_pack_requirement_viewpoint(o, r), vn = ipsf_pack_requirement_viewpoint(n, q);
    const char *so = vo == UINT32_MAX ? NULL : ipsf_pack_viewpoint_name(o, vo);
    const char *sn = vn == UINT32_MAX ? NULL : ipsf_pack_viewpoint_name(n, vn);
    if ((so == NULL) != (sn == NULL) || (so && strcmp(so, sn) != 0))
      item(d, list, "viewpoint_of", "changed", id, str_or_null(so), str_or_null(sn));
    /* who confirms, on what basis */
    static const struct {
      const char *what;
      const char *(*get)(const IpsfPack *, uint32_t);
    } attrs[] = {{"basis", ipsf_pack_requirement_basis},
                 {"citation", ipsf_pack_requirement_citation},
                 {"confirmed_by", ipsf_pack_requirement_confirmed_by},
                 {"subject", ipsf_pack_requirement_subject}};
    for (size_t a = 0; a < sizeof attrs / sizeof *attrs; a++) {
      const char *ao = attrs[a].get(o, r), *an = attrs[a].get(n, q);
      if ((ao == NULL) != (an == NULL) || (ao && strcmp(ao, an) != 0))
        item(d, list, attrs[a].what, "changed", id, str_or_null(ao), str_or_null(an));
    }
    /* the catalog provisions it cites, one by one */
    json_t *ro = refs_of(o, r), *rn = refs_of(n, q);
    size_t k;
    json_t *x;
    json_array_foreach(ro, k, x) {
      bool kept = false;
      for (size_t j = 0; j < json_array_size(rn) && !kept; j++) kept = json_equal(x, json_array_get(rn, j));
      if (!kept) item(d, list, "ref", "removed", id, json_incref(x), NULL);
    }
    json_array_foreach(rn, k, x) {
      bool had = false;
      for (size_t j = 0; j < json_array_size(ro) && !had; j++) had = json_equal(x, json_array_get(ro, j));
      if (!had) item(d, list, "ref", "added", id, NULL, json_incref(x));
    }
    json_decref(ro);
    json_decref(rn);
    list_changes(d, list, "compensated_by", id, compensations_of(o, r), compensations_of(n, q));
  }
  for (uint32_t q = 0; q < ipsf_pack_requirement_count(n); q++)
    if (ipsf_pack_requirement_index(o, ipsf_pack_requirement_id(n, q)) == UINT32_MAX)
      item(d, list, "requirement", "added", ipsf_pack_requirement_id(n, q),
           NULL, json_string(ipsf_pack_requirement_title(n, q)));
}

/* A rule as "scale level: because" and where it is. */
static char *rule_sig(const IpsfPack *p, uint32_t r) {
  uint32_t s = ipsf_pack_rule_scale(p, r);
  const char *because = ipsf_pack_rule_because(p, r);
  const char *sn = ipsf_pack_scale_name(p, s), *ln = ipsf_pack_level_name(p, s, ipsf_pack_rule_level(p, r));
  size_t len = strlen(sn) + strlen(ln) + (because ? strlen(because) : 0) + 8;
  char *out = xmalloc(len);
  snprintf(out, len, "%s %s%s%s", sn, ln, because ? ": " : "", because ? because : "");
  return out;
}

static json_t *where_rule(const IpsfPack *p, uint32_t r) {
  const char *file = NULL;
  uint32_t line = 0, col = 0;
  ipsf_pack_rule_location(p, r, &file, &line, &col);
  char buf[1024];
  snprintf(buf, sizeof buf, "%s:%u", file ? file : "?", line);
  return json_string(buf);
}

/* Rules matched by signature, in order, each used once. */
static void rules(DiffCtx *d, json_t *list) {
  const IpsfPack *p[2] = {d->old.pack, d->new_.pack};
  uint32_t cnt[2] = {ipsf_pack_rule_count(p[0]), ipsf_pack_rule_count(p[1])};
  char **sig[2];
  bool *taken[2];
  for (int s = 0; s < 2; s++) {
    sig[s] = xmalloc_array(cnt[s] + 1, sizeof(char *));
    taken[s] = calloc(cnt[s] + 1, 1);
    if (!taken[s]) abort();
    for (uint32_t r = 0; r < cnt[s]; r++) sig[s][r] = rule_sig(p[s], r);
  }
  for (uint32_t r = 0; r < cnt[0]; r++)
    for (uint32_t q = 0; q < cnt[1]; q++)
      if (!taken[1][q] && strcmp(sig[0][r], sig[1][q]) == 0) {
        taken[0][r] = taken[1][q] = true;
        break;
      }
  for (uint32_t r = 0; r < cnt[0]; r++)
    if (!taken[0][r]) item(d, list, "rule", "removed", sig[0][r], where_rule(p[0], r), NULL);
  for (uint32_t q = 0; q < cnt[1]; q++)
    if (!taken[1][q]) item(d, list, "rule", "added", sig[1][q], NULL, where_rule(p[1], q));
  for (int s = 0; s < 2; s++) {
    for (uint32_t r = 0; r < cnt[s]; r++) free(sig[s][r]);
    free(sig[s]);
    free(taken[s]);
  }
}

/* A usage profile's items as written, "site = care_home; occupants in
 * [elderly, patients]" (a JSON string), or NULL when p has no such profile. */
static json_t *profile_items(const IpsfPack *p, const char *name) {
  uint32_t i = ipsf_pack_profile_index(p, name);
  if (i == UINT32_MAX) return NULL;
  const IpsfProfile *pr = &p->profiles[i];
  IpsfBuf b;
  ipsf_buf_init(&b);
  for (uint32_t k = 0; k < pr->item_count; k++) {
    const IpsfProfileItem *it = &p->profile_items[pr->first_item + k];
    const IpsfConst *c = &p->consts[it->value];
    ipsf_buf_printf(&b, "%s%s %s ", k ? "; " : "", p->strings[p->facts[it->fact].name],
                    it->kind == IPSF_PROFILE_SETS ? "=" : "in");
    const IpsfEnum *e = c->type.enum_type == IPSF_NONE ? NULL : &p->enums[c->type.enum_type];
    switch (c->type.kind) {
    case IPSF_K_BOOL: ipsf_buf_puts(&b, c->value.i ? "true" : "false"); break;
    case IPSF_K_INT: ipsf_buf_printf(&b, "%lld", (long long)c->value.i); break;
    case IPSF_K_NUMBER: ipsf_buf_printf(&b, "%.17g", c->value.n); break;
    case IPSF_K_STRING: ipsf_buf_printf(&b, "\"%s\"", p->strings[c->str]); break;
    case IPSF_K_ENUM: ipsf_buf_puts(&b, p->strings[e->values[c->value.i]]); break;
    default:
      ipsf_buf_puts(&b, "[");
      for (uint32_t m = 0, first = 1; m < e->value_count; m++)
        if (c->value.m >> m & 1u) {
          ipsf_buf_printf(&b, "%s%s", first ? "" : ", ", p->strings[e->values[m]]);
          first = 0;
        }
      ipsf_buf_puts(&b, "]");
    }
  }
  json_t *j = json_string(b.failed || !b.data ? "" : b.data);
  ipsf_buf_free(&b);
  return j;
}

/* The smallest sheet OLD accepts, listing one profile (with no facts). */
static json_t *with_profile(const IpsfPack *o, const char *name) {
  json_t *s = base_sheet(o);
  json_object_set_new(s, "profiles", json_pack("{s:{}}", name));
  return s;
}

/* Usage profiles added, removed, or with other items (by name); and the
 * sheets that no longer bind: a profile NEW no longer declares, or any
 * free profile name once NEW declares its profiles. */
static void profiles(DiffCtx *d, json_t *list, json_t *rejected) {
  const IpsfPack *o = d->old.pack, *n = d->new_.pack;
  char why[600];
  if (!ipsf_pack_profile_count(o) && ipsf_pack_profile_count(n))
    try_rejected(d, rejected, "NEW declares its usage profiles: a sheet may list only those",
                 with_profile(o, "another_use"));
  for (uint32_t i = 0; i < ipsf_pack_profile_count(o); i++) {
    const char *name = ipsf_pack_profile_name(o, i);
    json_t *po = profile_items(o, name), *pn = profile_items(n, name);
    if (!pn) {
      item(d, list, "profile", "removed", name, po, NULL);
      snprintf(why, sizeof why, "usage profile %s is no longer declared", name);
      try_rejected(d, rejected, why, with_profile(o, name));
    } else if (!json_equal(po, pn)) {
      item(d, list, "profile", "changed", name, po, pn);
    } else {
      json_decref(po), json_decref(pn);
    }
  }
  for (uint32_t i = 0; i < ipsf_pack_profile_count(n); i++) {
    const char *name = ipsf_pack_profile_name(n, i);
    if (ipsf_pack_profile_index(o, name) == UINT32_MAX)
      item(d, list, "profile", "added", name, NULL, profile_items(n, name));
  }
}

void diff_interface(DiffCtx *d, json_t *report) {
  json_t *list = json_array(), *rejected = json_array();
  const IpsfPack *o = d->old.pack, *n = d->new_.pack;
  if (strcmp(ipsf_pack_name(o), ipsf_pack_name(n)) != 0)
    item(d, list, "pack", "renamed", "name", json_string(ipsf_pack_name(o)), json_string(ipsf_pack_name(n)));
  const char *vo = ipsf_pack_version(o), *vn = ipsf_pack_version(n);
  if (strcmp(vo ? vo : "", vn ? vn : "") != 0) {
    json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s?, s:s?}", "kind", "pack", "change",
                                          "changed", "name", "version", "old", vo, "new", vn));
  }
  facts(d, list, rejected);
  scales(d, list);
  viewpoints(d, list);
  requirements(d, list);
  rules(d, list);
  profiles(d, list, rejected);
  json_object_set_new(report, "interface", list);
  json_object_set_new(report, "rejected", rejected);
}
