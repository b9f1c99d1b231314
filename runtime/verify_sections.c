/*
 * verify_sections.c -- the verifier's checks of the sections before the
 * code (verify.c's essay says what the whole verifier proves): the header
 * and metadata, enums, constants, slots, facts, scales, rules, viewpoints,
 * requirements, confirm lines, the line table, natives, profiles,
 * compensations and catalogs.
 *
 * Each check proves what the later ones, the code's check (verify.c) and
 * the VM rely on: every index in range of what it indexes, every string
 * in the pool, every type well formed, each slot owned by at most one
 * fact, scale or the tests' gate, every range of entries (a scale's rules,
 * a requirement's confirm lines, a profile's items, a catalog's
 * provisions) tiling its table in order.  They run in dependency order
 * (ipsf_verify_sections, at the end), so a check may index through what
 * an earlier one proved.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builtins.h"
#include "date.h"
#include "native.h"
#include "pack.h"
#include "util.h"
#include "verify_internal.h"

/* A well-formed type: known kind, an enum type exactly for ENUM/SET. */
static bool check_type(V *v, IpsfType t, const char *what, uint32_t i) {
  const IpsfPack *p = v->p;
  if (t.kind < IPSF_K_BOOL || t.kind > IPSF_K_SET)
    return fail(v, "%s %u: unknown value kind %u", what, i, t.kind);
  if (t.kind == IPSF_K_ENUM || t.kind == IPSF_K_SET) {
    if (t.enum_type >= p->enum_count)
      return fail(v, "%s %u: enum type %u out of range (%u enums)", what, i, t.enum_type,
                  p->enum_count);
  } else if (t.enum_type != IPSF_NONE) {
    return fail(v, "%s %u: %s %s has no enum type, but names %u", what, i, article(t.kind),
                kind_name(t.kind), t.enum_type);
  }
  return true;
}

static bool check_loc(V *v, IpsfLoc l, const char *what, uint32_t i) {
  if (!opt_str_ok(v->p, l.file))
    return fail(v, "%s %u: location file string %u out of range (%u strings)", what, i, l.file,
                v->p->string_count);
  return true;
}

/* ---- tables ------------------------------------------------------------- */

static bool check_header(V *v) {
  const IpsfPack *p = v->p;
  if (p->code_count == 0 || !p->code)
    return fail(v, "the code is empty (it must end with RET)");
  if (p->max_stack > IPSF_MAX_STACK)
    return fail(v, "max_stack %u exceeds the limit %u", p->max_stack, IPSF_MAX_STACK);
  if (p->string_count && (!p->strings || !p->string_lens))
    return fail(v, "the string pool is missing");
  for (uint32_t i = 0; i < p->string_count; i++)
    if (!p->strings[i]) return fail(v, "string %u is missing", i);
  return true;
}

static bool check_axis(V *v, uint32_t axis, uint32_t want) {
  const IpsfPack *p = v->p;
  if (axis != IPSF_NONE) {
    if (axis >= p->scale_count)
      return fail(v, "axis %u names scale %u, out of range (%u scales)", want, axis,
                  p->scale_count);
    if (p->scales[axis].axis != want)
      return fail(v, "axis %u names scale '%s', which does not have the axis %u role", want,
                  sname(p, p->scales[axis].name), want);
  }
  for (uint32_t s = 0; s < p->scale_count; s++)
    if (p->scales[s].axis == want && s != axis)
      return fail(v, "scale '%s' has the axis %u role, but the pack's axis %u is %s",
                  sname(p, p->scales[s].name), want, want,
                  axis == IPSF_NONE ? "unset" : sname(p, p->scales[axis].name));
  return true;
}

static bool check_meta(V *v) {
  const IpsfPack *p = v->p;
#define CHECK_META(field, from_entry)                                                    \
  if (!opt_str_ok(p, p->meta.field))                                                     \
    return fail(v, "metadata '%s': string %u out of range (%u strings)", #field,          \
                p->meta.field, p->string_count);
  IPSF_META(CHECK_META)
#undef CHECK_META
  for (uint32_t s = 0; s < p->scale_count; s++)
    if (p->scales[s].axis > 2)
      return fail(v, "scale %u: axis role %u is not 0, 1 or 2", s, p->scales[s].axis);
  return check_axis(v, p->axis1, 1) && check_axis(v, p->axis2, 2);
}

static bool check_enums(V *v) {
  const IpsfPack *p = v->p;
  for (uint32_t i = 0; i < p->enum_count; i++) {
    const IpsfEnum *e = &p->enums[i];
    if (!str_ok(p, e->name))
      return fail(v, "enum %u: name string %u out of range (%u strings)", i, e->name,
                  p->string_count);
    if (e->value_count < 1 || e->value_count > IPSF_MAX_ENUM_VALUES)
      return fail(v, "enum '%s': %u values (must be 1..%u)", sname(p, e->name), e->value_count,
                  IPSF_MAX_ENUM_VALUES);
    for (uint32_t k = 0; k < e->value_count; k++)
      if (!str_ok(p, e->values[k]))
        return fail(v, "enum '%s': value %u: string %u out of range (%u strings)",
                    sname(p, e->name), k, e->values[k], p->string_count);
  }
  return true;
}

static bool check_consts(V *v) {
  const IpsfPack *p = v->p;
  for (uint32_t i = 0; i < p->const_count; i++) {
    const IpsfConst *c = &p->consts[i];
    if (!check_type(v, c->type, "constant", i)) return false;
    switch (c->type.kind) {
    case IPSF_K_BOOL:
      if (c->value.i != 0 && c->value.i != 1)
        return fail(v, "constant %u: bool value %lld is not 0 or 1", i, (long long)c->value.i);
      break;
    case IPSF_K_NUMBER:
      if (!isfinite(c->value.n)) return fail(v, "constant %u: number is not finite", i);
      break;
    case IPSF_K_STRING:
      if (!str_ok(p, c->str))
        return fail(v, "constant %u: string %u out of range (%u strings)", i, c->str,
                    p->string_count);
      break;
    case IPSF_K_ENUM: {
      uint32_t n = p->enums[c->type.enum_type].value_count;
      if (c->value.i < 0 || c->value.i >= (int64_t)n)
        return fail(v, "constant %u: enum value %lld out of range (enum '%s' has %u values)", i,
                    (long long)c->value.i, sname(p, p->enums[c->type.enum_type].name), n);
      break;
    }
    case IPSF_K_SET: {
      uint32_t n = p->enums[c->type.enum_type].value_count;
      if (n < 64 && (c->value.m >> n) != 0)
        return fail(v, "constant %u: set has members beyond the %u values of enum '%s'", i, n,
                    sname(p, p->enums[c->type.enum_type].name));
      break;
    }
    default:
      break;
    }
  }
  return true;
}

static bool check_slots(V *v) {
  const IpsfPack *p = v->p;
  for (uint32_t i = 0; i < p->slot_count; i++) {
    const IpsfSlot *s = &p->slots[i];
    if (!check_type(v, s->type, "slot", i)) return false;
    if (s->role < IPSF_SLOT_FACT || s->role > IPSF_SLOT_TEMP)
      return fail(v, "slot %u: unknown role %u", i, s->role);
    if (!opt_str_ok(p, s->name))
      return fail(v, "slot %u: name string %u out of range (%u strings)", i, s->name,
                  p->string_count);
  }
  return true;
}

/* Facts and scales each own their slot; owner[] finds slots owned twice or
 * FACT/SCALE slots owned by nobody. */
static bool check_facts(V *v, uint32_t *owner) {
  const IpsfPack *p = v->p;
  char b1[96], b2[96];
  for (uint32_t i = 0; i < p->fact_count; i++) {
    const IpsfFact *f = &p->facts[i];
    if (!str_ok(p, f->name))
      return fail(v, "fact %u: name string %u out of range (%u strings)", i, f->name,
                  p->string_count);
    const char *fn = p->strings[f->name];
    if (!check_type(v, f->type, "fact", i)) return false;
    if (f->slot >= p->slot_count)
      return fail(v, "fact '%s': slot %u out of range (%u slots)", fn, f->slot, p->slot_count);
    const IpsfSlot *s = &p->slots[f->slot];
    if (s->role != IPSF_SLOT_FACT)
      return fail(v, "fact '%s': slot %u is not a fact slot", fn, f->slot);
    if (!type_eq(s->type, f->type))
      return fail(v, "fact '%s' is %s %s, but its slot %u holds %s %s", fn, article(f->type.kind),
                  type_str(p, f->type, b1, sizeof b1), f->slot, article(s->type.kind),
                  type_str(p, s->type, b2, sizeof b2));
    if (owner[f->slot] != IPSF_NONE)
      return fail(v, "fact '%s': slot %u already belongs to fact %u", fn, f->slot, owner[f->slot]);
    owner[f->slot] = i;
    if (f->default_const != IPSF_NONE) {
      if (f->default_const >= p->const_count)
        return fail(v, "fact '%s': default constant %u out of range (%u constants)", fn,
                    f->default_const, p->const_count);
      IpsfType ct = p->consts[f->default_const].type;
      if (!type_eq(ct, f->type))
        return fail(v, "fact '%s' is %s %s, but its default constant %u is %s %s", fn,
                    article(f->type.kind), type_str(p, f->type, b1, sizeof b1), f->default_const,
                    article(ct.kind), type_str(p, ct, b2, sizeof b2));
    }
    if (!opt_str_ok(p, f->doc))
      return fail(v, "fact '%s': doc string %u out of range (%u strings)", fn, f->doc,
                  p->string_count);
  }
  return true;
}

static bool check_scales(V *v, uint32_t *owner) {
  const IpsfPack *p = v->p;
  for (uint32_t i = 0; i < p->scale_count; i++) {
    const IpsfScale *s = &p->scales[i];
    if (!str_ok(p, s->name))
      return fail(v, "scale %u: name string %u out of range (%u strings)", i, s->name,
                  p->string_count);
    const char *sn = p->strings[s->name];
    if (s->enum_type >= p->enum_count)
      return fail(v, "scale '%s': enum type %u out of range (%u enums)", sn, s->enum_type,
                  p->enum_count);
    if (s->policy > IPSF_POLICY_UNIQUE)
      return fail(v, "scale '%s': unknown hit policy %u", sn, s->policy);
    if (s->slot >= p->slot_count)
      return fail(v, "scale '%s': slot %u out of range (%u slots)", sn, s->slot, p->slot_count);
    const IpsfSlot *sl = &p->slots[s->slot];
    if (sl->role != IPSF_SLOT_SCALE)
      return fail(v, "scale '%s': slot %u is not a scale slot", sn, s->slot);
    if (sl->type.kind != IPSF_K_ENUM || sl->type.enum_type != s->enum_type)
      return fail(v, "scale '%s': slot %u does not hold the scale's levels", sn, s->slot);
    if (owner[s->slot] != IPSF_NONE)
      return fail(v, "scale '%s': slot %u already has an owner", sn, s->slot);
    owner[s->slot] = i;
    uint32_t n = p->enums[s->enum_type].value_count;
    if (s->otherwise != IPSF_NONE && s->otherwise >= n)
      return fail(v, "scale '%s': otherwise level %u out of range (%u levels)", sn, s->otherwise, n);
    if (!check_loc(v, s->otherwise_loc, "scale", i)) return false;
    if (s->first_rule > p->rule_count || s->rule_count > p->rule_count - s->first_rule)
      return fail(v, "scale '%s': rules %u..+%u out of range (%u rules)", sn, s->first_rule,
                  s->rule_count, p->rule_count);
    for (uint32_t r = s->first_rule; r < s->first_rule + s->rule_count; r++)
      if (p->rules[r].scale != i)
        return fail(v, "scale '%s': rule %u in its range belongs to scale %u", sn, r,
                    p->rules[r].scale);
  }
  /* Every FACT and SCALE slot has its owner. */
  for (uint32_t i = 0; i < p->slot_count; i++)
    if ((p->slots[i].role == IPSF_SLOT_FACT || p->slots[i].role == IPSF_SLOT_SCALE) &&
        owner[i] == IPSF_NONE)
      return fail(v, "slot %u is a %s slot, but no %s owns it", i,
                  p->slots[i].role == IPSF_SLOT_FACT ? "fact" : "scale",
                  p->slots[i].role == IPSF_SLOT_FACT ? "fact" : "scale");
  return true;
}

static bool check_rules(V *v) {
  const IpsfPack *p = v->p;
  for (uint32_t i = 0; i < p->rule_count; i++) {
    const IpsfRule *r = &p->rules[i];
    if (r->scale >= p->scale_count)
      return fail(v, "rule %u: scale %u out of range (%u scales)", i, r->scale, p->scale_count);
    const IpsfScale *s = &p->scales[r->scale];
    if (i < s->first_rule || i - s->first_rule >= s->rule_count)
      return fail(v, "rule %u names scale '%s', but lies outside its rules %u..+%u", i,
                  sname(p, s->name), s->first_rule, s->rule_count);
    uint32_t n = p->enums[s->enum_type].value_count;
    if (r->level >= n)
      return fail(v, "rule %u: level %u out of range (scale '%s' has %u levels)", i, r->level,
                  sname(p, s->name), n);
    if (!opt_str_ok(p, r->because))
      return fail(v, "rule %u: because string %u out of range (%u strings)", i, r->because,
                  p->string_count);
    if (!check_loc(v, r->loc, "rule", i)) return false;
  }
  return true;
}

static bool check_viewpoints(V *v) {
  const IpsfPack *p = v->p;
  for (uint32_t i = 0; i < p->viewpoint_count; i++) {
    const IpsfViewpoint *vp = &p->viewpoints[i];
    if (!str_ok(p, vp->name))
      return fail(v, "viewpoint %u: name string %u out of range (%u strings)", i, vp->name,
                  p->string_count);
    for (uint32_t k = 0; k < vp->method_count; k++)
      if (!str_ok(p, vp->methods[k]))
        return fail(v, "viewpoint '%s': method %u: string %u out of range (%u strings)",
                    p->strings[vp->name], k, vp->methods[k], p->string_count);
  }
  return true;
}

static bool check_requirements(V *v) {
  const IpsfPack *p = v->p;
  for (uint32_t i = 0; i < p->requirement_count; i++) {
    const IpsfRequirement *r = &p->requirements[i];
    if (!str_ok(p, r->id))
      return fail(v, "requirement %u: id string %u out of range (%u strings)", i, r->id,
                  p->string_count);
    const char *id = p->strings[r->id];
    if (!opt_str_ok(p, r->title) || !opt_str_ok(p, r->party) || !opt_str_ok(p, r->doc) ||
        !opt_str_ok(p, r->basis) || !opt_str_ok(p, r->citation) ||
        !opt_str_ok(p, r->confirmed_by) || !opt_str_ok(p, r->subject))
      return fail(v, "requirement %s: title, party, doc, basis, citation, confirmed_by or "
                     "subject string out of range (%u strings)", id,
                  p->string_count);
    if (r->viewpoint >= p->viewpoint_count)
      return fail(v, "requirement %s: viewpoint %u out of range (%u viewpoints)", id,
                  r->viewpoint, p->viewpoint_count);
    for (uint32_t k = 0; k < r->ref_count; k++)
      if (!str_ok(p, r->refs[k]))
        return fail(v, "requirement %s: ref %u: string %u out of range (%u strings)", id, k,
                    r->refs[k], p->string_count);
    if (r->first_confirm > p->confirm_count ||
        r->confirm_count > p->confirm_count - r->first_confirm)
      return fail(v, "requirement %s: confirms %u..+%u out of range (%u confirms)", id,
                  r->first_confirm, r->confirm_count, p->confirm_count);
    for (uint32_t c = r->first_confirm; c < r->first_confirm + r->confirm_count; c++)
      if (p->confirms[c].requirement != i)
        return fail(v, "requirement %s: confirm %u in its range belongs to requirement %u", id,
                    c, p->confirms[c].requirement);
    if (!check_loc(v, r->loc, "requirement", i)) return false;
  }
  return true;
}

static bool check_confirms(V *v) {
  const IpsfPack *p = v->p;
  for (uint32_t i = 0; i < p->confirm_count; i++) {
    const IpsfConfirm *c = &p->confirms[i];
    if (c->requirement >= p->requirement_count)
      return fail(v, "confirm %u: requirement %u out of range (%u requirements)", i,
                  c->requirement, p->requirement_count);
    const IpsfRequirement *r = &p->requirements[c->requirement];
    if (i < r->first_confirm || i - r->first_confirm >= r->confirm_count)
      return fail(v, "confirm %u names requirement %s, but lies outside its confirms %u..+%u", i,
                  sname(p, r->id), r->first_confirm, r->confirm_count);
    const IpsfViewpoint *vp = &p->viewpoints[r->viewpoint];
    if (c->method >= vp->method_count)
      return fail(v, "confirm %u: method %u out of range (viewpoint '%s' has %u methods)", i,
                  c->method, sname(p, vp->name), vp->method_count);
    if (!check_loc(v, c->loc, "confirm", i)) return false;
  }
  return true;
}

static bool check_lines(V *v) {
  const IpsfPack *p = v->p;
  for (uint32_t i = 0; i < p->line_count; i++) {
    const IpsfLine *l = &p->lines[i];
    if (l->pc >= p->code_count)
      return fail(v, "line table entry %u: pc %u is past the end (%u instructions)", i, l->pc,
                  p->code_count);
    if (i > 0 && l->pc <= p->lines[i - 1].pc)
      return fail(v, "line table entry %u: pc %u does not follow pc %u (must increase)", i,
                  l->pc, p->lines[i - 1].pc);
    if (!str_ok(p, l->loc.file))
      return fail(v, "line table entry %u: file string %u out of range (%u strings)", i,
                  l->loc.file, p->string_count);
  }
  return true;
}

/* The COMPENSATIONS section (pack.h IpsfCompensation): what eval.c's
 * binary search and the records rely on. */
static bool check_compensations(V *v) {
  const IpsfPack *p = v->p;
  for (uint32_t i = 0; i < p->compensation_count; i++) {
    const IpsfCompensation *c = &p->compensations[i];
    if (c->requirement >= p->requirement_count || c->by >= p->requirement_count)
      return fail(v, "compensation %u: requirement %u or %u out of range (%u requirements)", i,
                  c->requirement, c->by, p->requirement_count);
    const char *id = p->strings[p->requirements[c->requirement].id];
    if (c->by == c->requirement)
      return fail(v, "compensation %u: requirement %s compensates for itself", i, id);
    if (p->requirements[c->by].viewpoint == p->requirements[c->requirement].viewpoint)
      return fail(v, "compensation %u: requirement %s is compensated by %s of the same viewpoint",
                  i, id, p->strings[p->requirements[c->by].id]);
    if (i > 0) {
      const IpsfCompensation *b = &p->compensations[i - 1];
      if (b->requirement > c->requirement)
        return fail(v, "compensation %u: not sorted by requirement", i);
    }
    for (uint32_t j = i; j-- > 0 && p->compensations[j].requirement == c->requirement;)
      if (p->compensations[j].by == c->by)
        return fail(v, "compensation %u: requirement %s names %s twice", i, id,
                    p->strings[p->requirements[c->by].id]);
    if (!opt_str_ok(p, c->until))
      return fail(v, "compensation %u: until string %u out of range (%u strings)", i, c->until,
                  p->string_count);
    int32_t day;
    if (c->until != IPSF_NONE && !ipsf_date_parse(p->strings[c->until], &day))
      return fail(v, "compensation %u: until is not a calendar date (YYYY-MM-DD)", i);
    if (c->months > 1200 || (c->months && c->until != IPSF_NONE))
      return fail(v, "compensation %u: months %u (at most 1200, and not with until)", i,
                  c->months);
  }
  return true;
}

static bool check_provision(V *v, uint32_t i) {
  const IpsfPack *p = v->p;
  const IpsfProvision *q = &p->provisions[i];
  if (!str_ok(p, q->id) || !str_ok(p, q->clause) || !str_ok(p, q->title))
    return fail(v, "provision %u: id, clause or title string out of range (%u strings)", i,
                p->string_count);
  const char *id = p->strings[q->id];
  if (q->status >= IPSF_PROVISION__COUNT)
    return fail(v, "provision %s: status %u is not mandatory, recommended, conditional or "
                   "informative", id, q->status);
  for (uint32_t k = 0; k < q->satisfied_count; k++)
    if (!str_ok(p, q->satisfied_by[k]))
      return fail(v, "provision %s: satisfied_by %u: string %u out of range (%u strings)", id, k,
                  q->satisfied_by[k], p->string_count);
  for (uint32_t k = 0; k < q->cited_count; k++) {
    if (q->cited_by[k] >= p->requirement_count)
      return fail(v, "provision %s: cited_by %u: requirement %u out of range (%u requirements)",
                  id, k, q->cited_by[k], p->requirement_count);
    if (k > 0 && q->cited_by[k] <= q->cited_by[k - 1])
      return fail(v, "provision %s: cited_by %u: requirement %u does not follow %u (must "
                     "increase)", id, k, q->cited_by[k], q->cited_by[k - 1]);
  }
  return true;
}

static bool check_catalogs(V *v) {
  const IpsfPack *p = v->p;
  uint32_t next = 0;
  for (uint32_t i = 0; i < p->catalog_count; i++) {
    const IpsfCatalog *c = &p->catalogs[i];
    if (!str_ok(p, c->name) || !opt_str_ok(p, c->version) || !opt_str_ok(p, c->date))
      return fail(v, "catalog %u: name, version or date string out of range (%u strings)", i,
                  p->string_count);
    if (c->first_provision != next || c->provision_count > p->provision_count - next)
      return fail(v, "catalog '%s': provisions %u..+%u do not follow the previous catalog's "
                     "(at %u of %u provisions)", p->strings[c->name], c->first_provision,
                  c->provision_count, next, p->provision_count);
    next += c->provision_count;
  }
  if (next != p->provision_count)
    return fail(v, "the catalogs hold %u provisions, but the section has %u", next,
                p->provision_count);
  for (uint32_t i = 0; i < p->provision_count; i++)
    if (!check_provision(v, i)) return false;
  return true;
}

/* Each native's signature: kinds a native can take and return, a known
 * library and symbol string, a built-in's own signature. */
static bool check_natives(V *v) {
  const IpsfPack *p = v->p;
  for (uint32_t i = 0; i < p->native_count; i++) {
    const IpsfNative *n = &p->natives[i];
    if (!str_ok(p, n->name) || !str_ok(p, n->symbol) || !opt_str_ok(p, n->library))
      return fail(v, "native %u: name, symbol or library string out of range (%u strings)", i,
                  p->string_count);
    const char *nm = p->strings[n->name], *sym = p->strings[n->symbol];
    if (n->param_count > IPSF_MAX_NATIVE_PARAMS)
      return fail(v, "native %s: %u parameters (at most %u)", nm, n->param_count,
                  IPSF_MAX_NATIVE_PARAMS);
    if (!native_letter(n->result))
      return fail(v, "native %s: result kind %u is not bool, int, number or string", nm,
                  n->result);
    for (uint32_t k = 0; k < n->param_count; k++)
      if (!native_letter(n->params[k]))
        return fail(v, "native %s: parameter %u has kind %u, not bool, int, number or string",
                    nm, k + 1, n->params[k]);
    if (n->library != IPSF_NONE) {
      if (!*p->strings[n->library]) return fail(v, "native %s: the library name is empty", nm);
      if (!*sym) return fail(v, "native %s: the symbol is empty", nm);
      continue;
    }
    IpsfBuiltinId b = ipsf_builtin_find(sym);
    if (b == IPSF_BI__COUNT || ipsf_builtins[b].inline_op || !ipsf_builtins[b].fn)
      return fail(v, "native %s has no library and '%s' is not a built-in of the native call path",
                  nm, sym);
    const IpsfBuiltin *bi = &ipsf_builtins[b];
    char sig[IPSF_MAX_NATIVE_PARAMS + 1];
    native_params(n, sig);
    if (strcmp(sig, bi->params) != 0 || native_letter(n->result) != bi->result)
      return fail(v, "native %s: signature (%s) -> %c does not match the built-in %s(%s) -> %c",
                  nm, sig, native_letter(n->result), bi->name, bi->params, bi->result);
  }
  return true;
}

/* Usage profiles (section PROFILES): names, titles and docs are strings,
 * names unique (a sheet's profile is looked up by name); the profiles'
 * item ranges tile the item table in order; each item names a fact once
 * per profile, with a known kind; a SETS constant has exactly the fact's
 * type, an ALLOWS constant is a set over an enum or set fact's enum type
 * (check_consts proved its mask has only existing values).  profile.c
 * relies on all of it and checks no index. */
static bool check_profiles(V *v) {
  const IpsfPack *p = v->p;
  char b1[96], b2[96];
  uint32_t next = 0;
  for (uint32_t i = 0; i < p->profile_count; i++) {
    const IpsfProfile *pr = &p->profiles[i];
    if (!str_ok(p, pr->name) || !str_ok(p, pr->title) || !opt_str_ok(p, pr->doc))
      return fail(v, "profile %u: name, title or doc string out of range (%u strings)", i,
                  p->string_count);
    const char *pn = p->strings[pr->name];
    v->work += i;
    if (v->work > VERIFY_WORK_MAX) return fail(v, "the profiles take too much work to verify");
    for (uint32_t j = 0; j < i; j++)
      if (strcmp(p->strings[p->profiles[j].name], pn) == 0)
        return fail(v, "profile %u: name '%s' is also profile %u's", i, pn, j);
    if (pr->first_item != next || pr->item_count > p->profile_item_count - next)
      return fail(v, "profile '%s': items [%u, +%u) are not the next range of the item table "
                  "(expected to start at %u; %u items)",
                  pn, pr->first_item, pr->item_count, next, p->profile_item_count);
    next += pr->item_count;
    for (uint32_t k = 0; k < pr->item_count; k++) {
      const IpsfProfileItem *it = &p->profile_items[pr->first_item + k];
      if (it->kind != IPSF_PROFILE_SETS && it->kind != IPSF_PROFILE_ALLOWS)
        return fail(v, "profile '%s': item %u has unknown kind %u", pn, k, it->kind);
      if (it->fact >= p->fact_count)
        return fail(v, "profile '%s': item %u: fact %u out of range (%u facts)", pn, k, it->fact,
                    p->fact_count);
      if (it->value >= p->const_count)
        return fail(v, "profile '%s': item %u: constant %u out of range (%u constants)", pn, k,
                    it->value, p->const_count);
      v->work += k;
      if (v->work > VERIFY_WORK_MAX) return fail(v, "the profiles take too much work to verify");
      for (uint32_t j = 0; j < k; j++) {
        const IpsfProfileItem *o = &p->profile_items[pr->first_item + j];
        if (o->fact == it->fact && o->kind == it->kind)
          return fail(v, "profile '%s': items %u and %u both %s fact %u", pn, j, k,
                      it->kind == IPSF_PROFILE_SETS ? "set" : "constrain", it->fact);
      }
      const IpsfFact *f = &p->facts[it->fact];
      IpsfType ct = p->consts[it->value].type;
      IpsfType want = f->type;
      if (it->kind == IPSF_PROFILE_ALLOWS) {
        if (f->type.kind != IPSF_K_ENUM && f->type.kind != IPSF_K_SET)
          return fail(v, "profile '%s': item %u constrains fact '%s', which is %s %s, not an "
                      "enum or a set", pn, k, sname(p, f->name), article(f->type.kind),
                      type_str(p, f->type, b1, sizeof b1));
        want = (IpsfType){IPSF_K_SET, f->type.enum_type};
      }
      if (!type_eq(ct, want))
        return fail(v, "profile '%s': item %u needs %s %s for fact '%s', but constant %u is %s %s",
                    pn, k, article(want.kind), type_str(p, want, b1, sizeof b1),
                    sname(p, f->name), it->value, article(ct.kind),
                    type_str(p, ct, b2, sizeof b2));
    }
  }
  if (next != p->profile_item_count)
    return fail(v, "%u profile items belong to no profile", p->profile_item_count - next);
  return true;
}

/* Every section before the code, in dependency order (a check relies only
 * on the ones before it). */
bool ipsf_verify_sections(V *v) {
  const IpsfPack *pack = v->p;
  if (!check_header(v) || !check_enums(v) || !check_meta(v) || !check_consts(v) ||
      !check_slots(v))
    return false;
  uint32_t *owner = malloc(((size_t)pack->slot_count + 1) * sizeof *owner);
  if (!owner) return ipsf_fail(v->err, IPSF_ERR_NOMEM, "out of memory verifying a pack");
  for (uint32_t i = 0; i < pack->slot_count; i++) owner[i] = IPSF_NONE;
  /* the tests' gate is a FACT slot no fact owns: ipsf_verify_tests claims it */
  bool ok = check_facts(v, owner) && ipsf_verify_tests(pack, owner, v->err) &&
            check_scales(v, owner);
  free(owner);
  return ok && check_rules(v) && check_viewpoints(v) && check_requirements(v) &&
         check_confirms(v) && check_lines(v) && check_natives(v) && check_profiles(v) &&
         check_compensations(v) && check_catalogs(v);
}
