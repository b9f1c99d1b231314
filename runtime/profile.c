/*
 * profile.c -- the usage profiles a pack declares, at binding time.
 *
 * The framework places the same device in different cells by how it is
 * used (IoT-SSF 1.0, 3-2-3: "even with the same device / system, the
 * mapping destination may differ depending on the usage pattern"; its
 * devices g and h).  A pack says which usage patterns it knows with
 * `profile NAME "title" { FACT = VALUE; FACT in {...}; }` (compiler), and
 * the .ipsb carries them (section PROFILES, pack.h's IpsfProfile).
 *
 * Binding a sheet under a profile P (sheet.c) is, in this order:
 *   1. the facts' defaults (ipsf_eval_run, for facts nobody sets),
 *   2. the sheet's base facts,
 *   3. P's SETS items (ipsf_eval_apply_profile): they replace 2,
 *   4. the sheet's own profile object, which may set further facts,
 *   5. ipsf_eval_check_profile: every fact P sets still has P's value, and
 *      every fact P constrains has a value (or, for a set, members) P
 *      allows; else a `profile_constraint` error naming the fact.
 * So a sheet chooses within what the profile allows, and cannot undo what
 * it sets: the profile is how the device is used, not a default.
 *
 * Invariants: the verifier (verify.c, check_profiles) proved every item's
 * fact and constant in range, a SETS constant of exactly the fact's type,
 * an ALLOWS constant a SET over the fact's enum, the items a partition of
 * the item table; so nothing here checks an index.  No allocation, no
 * state: the pack is read-only and the context is the caller's.
 */
#include <stdio.h>
#include <string.h>

#include "eval.h"
#include "pack.h"

uint32_t ipsf_pack_find_profile(const IpsfPack *p, const char *name) {
  if (!name) return IPSF_NONE;
  for (uint32_t i = 0; i < p->profile_count; i++)
    if (strcmp(p->strings[p->profiles[i].name], name) == 0) return i;
  return IPSF_NONE;
}

void ipsf_profile_names(const IpsfPack *p, char *out, size_t cap) {
  if (!cap) return;
  out[0] = '\0';
  size_t len = 0;
  for (uint32_t i = 0; i < p->profile_count; i++) {
    const char *name = p->strings[p->profiles[i].name];
    int n = snprintf(out + len, cap - len, "%s%s", i ? ", " : "", name);
    if (n < 0 || (size_t)n >= cap - len) {
      if (cap >= 4) memcpy(out + cap - 4, "...", 4);
      return;
    }
    len += (size_t)n;
  }
}

bool ipsf_eval_apply_profile(IpsfEval *ev, uint32_t profile) {
  const IpsfPack *p = ev->pack;
  if (profile >= p->profile_count) return false;
  const IpsfProfile *pr = &p->profiles[profile];
  for (uint32_t k = 0; k < pr->item_count; k++) {
    const IpsfProfileItem *it = &p->profile_items[pr->first_item + k];
    if (it->kind != IPSF_PROFILE_SETS) continue;
    ev->slots[p->facts[it->fact].slot] = p->consts[it->value].value;
    ev->fact_set[it->fact / 64] |= UINT64_C(1) << (it->fact % 64);
  }
  return true;
}

/* The value a fact has for the run: the sheet's, else its default; false
 * when it has neither (ipsf_eval_run reports it missing). */
static bool fact_value(const IpsfEval *ev, uint32_t f, IpsfValue *v) {
  const IpsfPack *p = ev->pack;
  if (ev->fact_set[f / 64] >> (f % 64) & 1u) {
    *v = ev->slots[p->facts[f].slot];
    return true;
  }
  if (p->facts[f].default_const == IPSF_NONE) return false;
  *v = p->consts[p->facts[f].default_const].value;
  return true;
}

/* A value of fact f as a sheet writes it: `hospital`, `{wifi, ble}`,
 * `true`, `42`, `"text"` (cut to fit). */
static void value_text(const IpsfPack *p, uint32_t f, IpsfValue v, char *out, size_t cap) {
  const IpsfFact *fact = &p->facts[f];
  const IpsfEnum *e = fact->type.enum_type == IPSF_NONE ? NULL : &p->enums[fact->type.enum_type];
  switch (fact->type.kind) {
  case IPSF_K_BOOL: snprintf(out, cap, "%s", v.i ? "true" : "false"); return;
  case IPSF_K_INT: snprintf(out, cap, "%lld", (long long)v.i); return;
  case IPSF_K_NUMBER: snprintf(out, cap, "%.17g", v.n); return;
  case IPSF_K_STRING: snprintf(out, cap, "\"%.64s%s\"", v.s, strlen(v.s) > 64 ? "..." : ""); return;
  case IPSF_K_ENUM: snprintf(out, cap, "%s", p->strings[e->values[v.i]]); return;
  default: break;
  }
  size_t len = (size_t)snprintf(out, cap, "{");
  bool first = true;
  for (uint32_t k = 0; k < e->value_count && len < cap; k++) {
    if (!(v.m >> k & 1u)) continue;
    len += (size_t)snprintf(out + len, cap - len, "%s%s", first ? "" : ", ",
                            p->strings[e->values[k]]);
    first = false;
  }
  if (len < cap) snprintf(out + len, cap - len, "}");
}

static bool same_value(uint8_t kind, IpsfValue a, IpsfValue b) {
  switch (kind) {
  case IPSF_K_NUMBER: return a.n == b.n;
  case IPSF_K_STRING: return strcmp(a.s, b.s) == 0;
  case IPSF_K_SET: return a.m == b.m;
  default: return a.i == b.i;
  }
}

bool ipsf_eval_check_profile(const IpsfEval *ev, uint32_t profile, IpsfError *err) {
  const IpsfPack *p = ev->pack;
  if (profile >= p->profile_count) return true;
  const IpsfProfile *pr = &p->profiles[profile];
  const char *pname = p->strings[pr->name];
  for (uint32_t k = 0; k < pr->item_count; k++) {
    const IpsfProfileItem *it = &p->profile_items[pr->first_item + k];
    const IpsfFact *f = &p->facts[it->fact];
    IpsfValue v, want = p->consts[it->value].value;
    if (!fact_value(ev, it->fact, &v)) continue;
    bool ok = it->kind == IPSF_PROFILE_SETS      ? same_value(f->type.kind, v, want)
              : f->type.kind == IPSF_K_ENUM      ? (want.m >> v.i & 1u) != 0
                                                 : (v.m & ~want.m) == 0;
    if (ok) continue;
    char got[160], allowed[160];
    value_text(p, it->fact, v, got, sizeof got);
    if (it->kind == IPSF_PROFILE_SETS) {
      value_text(p, it->fact, want, allowed, sizeof allowed);
      return ipsf_fail(err, IPSF_ERR_PROFILE_CONSTRAINT,
                       "fact '%s' is %s, but profile '%s' sets it to %s (a sheet may not change "
                       "what its profile sets)",
                       p->strings[f->name], got, pname, allowed);
    }
    const IpsfEnum *e = &p->enums[f->type.enum_type];
    size_t len = 0;
    allowed[0] = '\0';
    for (uint32_t m = 0; m < e->value_count && len < sizeof allowed; m++)
      if (want.m >> m & 1u)
        len += (size_t)snprintf(allowed + len, sizeof allowed - len, "%s%s", len ? ", " : "",
                                p->strings[e->values[m]]);
    if (!allowed[0]) /* `in {}`: IPSF-W120 at check time; no value can hold */
      return ipsf_fail(err, IPSF_ERR_PROFILE_CONSTRAINT,
                       "fact '%s' is %s, but profile '%s' allows %s", p->strings[f->name],
                       got, pname,
                       f->type.kind == IPSF_K_SET ? "only the empty set" : "no value of it");
    return ipsf_fail(err, IPSF_ERR_PROFILE_CONSTRAINT,
                     "fact '%s' is %s, but profile '%s' allows only %s%s%s",
                     p->strings[f->name], got, pname,
                     f->type.kind == IPSF_K_SET ? "members of {" : "", allowed,
                     f->type.kind == IPSF_K_SET ? "}" : "");
  }
  return true;
}

/* ---- the public accessors (ipsf.h) ---------------------------------------- */

uint32_t ipsf_pack_profile_count(const IpsfPack *p) { return p->profile_count; }

const char *ipsf_pack_profile_name(const IpsfPack *p, uint32_t i) {
  return i < p->profile_count ? p->strings[p->profiles[i].name] : NULL;
}

const char *ipsf_pack_profile_title(const IpsfPack *p, uint32_t i) {
  return i < p->profile_count ? p->strings[p->profiles[i].title] : NULL;
}

const char *ipsf_pack_profile_doc(const IpsfPack *p, uint32_t i) {
  return i < p->profile_count ? ipsf_str(p, p->profiles[i].doc) : NULL;
}

uint32_t ipsf_pack_profile_index(const IpsfPack *p, const char *name) {
  return ipsf_pack_find_profile(p, name);
}
