/*
 * verify_tables.c -- the verifier's check of the decision tables (section
 * TABLES, pack.h IpsfTable; instructions RTABLE, QTABLE, LTABLE).
 *
 * Called by ipsf_verify (verify.c) after the slots, scales, rules and
 * requirements are proved, and before the code: it proves of every table
 * what the VM's lookup (vm.c table_cell) and ipsf_pack_link's VM form rely
 * on, so that neither checks anything at run time:
 *
 *   - its kind is known; a rules table's owner is a scale with at most 64
 *     rules and its span 1; a requirement table's span (1..64) of
 *     requirements is in range, each with at most 63 confirm lines; a let
 *     table's owner is a bool LET slot and its span 1;
 *   - 1..IPSF_TABLE_MAX_DIMS dims, each a slot in range whose type is the
 *     dim's kind: bool (2 classes), enum (a map with one class per value
 *     of the slot's enum, each class < class_count), int (thresholds
 *     strictly increasing, at most IPSF_TABLE_MAX_THRESHOLDS, class_count
 *     their count + 1);
 *   - the strides lay the cells out row by row (taken in stride order,
 *     each the product of the class counts before it) and their product
 *     is cell_count ≤ IPSF_TABLE_MAX_CELLS: every index the VM computes
 *     from in-range values is a cell, every cell is reached by one tuple
 *     of classes;
 *   - mask_count = cell_count × span; a rules mask names only rules of
 *     the scale; a requirement mask only IPSF_TABLE_APPLIES and lines of
 *     its own requirement, lines only with IPSF_TABLE_APPLIES; a let cell
 *     is 0 or 1.
 *
 * What an instruction does with its table (the slots it reads stored
 * before, the scale not settled, the requirements not entered, the cost)
 * is checked with the code, in verify.c.
 */
#include "verify_internal.h"

/* One dim of table i: its slot in range and of the kind's type; an ENUM
 * map with an entry per value of the slot's enum, each class in range; INT
 * thresholds strictly increasing and class_count = threshold_count + 1;
 * BOOL two classes.  Nothing else in a dim. */
static bool check_table_dim(V *v, uint32_t i, uint32_t d, const IpsfTableDim *dm) {
  const IpsfPack *p = v->p;
  if (dm->slot >= p->slot_count)
    return fail(v, "table %u dim %u: slot %u out of range (%u slots)", i, d, dm->slot,
                p->slot_count);
  const IpsfSlot *sl = &p->slots[dm->slot];
  uint8_t want = dm->kind == IPSF_DIM_BOOL ? IPSF_K_BOOL
                 : dm->kind == IPSF_DIM_ENUM ? IPSF_K_ENUM
                 : dm->kind == IPSF_DIM_INT ? IPSF_K_INT
                                            : 0;
  if (!want) return fail(v, "table %u dim %u: unknown kind %u", i, d, dm->kind);
  if (sl->type.kind != want)
    return fail(v, "table %u dim %u: slot %u ('%s') is %s %s, the dim needs %s %s", i, d,
                dm->slot, sl->name == IPSF_NONE ? "" : sname(p, sl->name),
                article(sl->type.kind), kind_name(sl->type.kind), article(want), kind_name(want));
  uint32_t classes = 2;
  if (dm->kind == IPSF_DIM_ENUM) {
    uint32_t n = p->enums[sl->type.enum_type].value_count;
    if (dm->map_count != n)
      return fail(v, "table %u dim %u: the map has %u entries, enum '%s' has %u values", i, d,
                  dm->map_count, sname(p, p->enums[sl->type.enum_type].name), n);
    classes = dm->class_count;
    for (uint32_t k = 0; k < n; k++)
      if (dm->map[k] >= dm->class_count)
        return fail(v, "table %u dim %u: value %u maps to class %u (%u classes)", i, d, k,
                    dm->map[k], dm->class_count);
  } else if (dm->map_count) {
    return fail(v, "table %u dim %u: a map on a %s dim", i, d, kind_name(want));
  }
  if (dm->kind == IPSF_DIM_INT) {
    if (dm->threshold_count > IPSF_TABLE_MAX_THRESHOLDS)
      return fail(v, "table %u dim %u: %u thresholds (at most %u)", i, d, dm->threshold_count,
                  IPSF_TABLE_MAX_THRESHOLDS);
    for (uint32_t k = 1; k < dm->threshold_count; k++)
      if (dm->thresholds[k] <= dm->thresholds[k - 1])
        return fail(v, "table %u dim %u: thresholds not strictly increasing at %u", i, d, k);
    classes = dm->threshold_count + 1;
  } else if (dm->threshold_count) {
    return fail(v, "table %u dim %u: thresholds on a %s dim", i, d, kind_name(want));
  }
  if (dm->class_count != classes)
    return fail(v, "table %u dim %u: class count %u, its %s classification has %u", i, d,
                dm->class_count, kind_name(want), classes);
  return true;
}

/* A requirement table's owners: its span (1 or more) of requirements in
 * range, each with at most 63 confirm lines (bit 63 of a mask is
 * IPSF_TABLE_APPLIES). */
static bool check_req_table_owner(V *v, uint32_t i, const IpsfTable *t) {
  const IpsfPack *p = v->p;
  if (t->span > IPSF_TABLE_MAX_SPAN)
    return fail(v, "table %u: span %u (at most %u requirements)", i, t->span, IPSF_TABLE_MAX_SPAN);
  if (t->span == 0 || t->owner >= p->requirement_count ||
      t->span > p->requirement_count - t->owner)
    return fail(v, "table %u: requirements %u..+%u out of range (%u requirements)", i, t->owner,
                t->span, p->requirement_count);
  for (uint32_t k = 0; k < t->span; k++) {
    const IpsfRequirement *r = &p->requirements[t->owner + k];
    if (r->confirm_count > 63)
      return fail(v, "table %u: requirement %s has %u confirm lines (a table covers at most 63)",
                  i, sname(p, r->id), r->confirm_count);
  }
  return true;
}

/* Its masks: per cell, one per requirement of the span; confirm bits only
 * of that requirement's lines, and only where it applies (the chain's
 * CONFIRM runs only after its REQ). */
static bool check_req_table_cells(V *v, uint32_t i, const IpsfTable *t) {
  const IpsfPack *p = v->p;
  for (uint32_t c = 0; c < t->mask_count; c++) {
    const IpsfRequirement *r = &p->requirements[t->owner + c % t->span];
    uint64_t lines = (UINT64_C(1) << r->confirm_count) - 1;
    uint64_t m = t->masks[c] & ~IPSF_TABLE_APPLIES;
    if (m & ~lines)
      return fail(v, "table %u: cell %u names confirm lines 0x%llx beyond requirement %s's %u",
                  i, c / t->span, (unsigned long long)(m & ~lines), sname(p, r->id),
                  r->confirm_count);
    if (m && !(t->masks[c] & IPSF_TABLE_APPLIES))
      return fail(v, "table %u: cell %u confirms lines of requirement %s where it does not apply",
                  i, c / t->span, sname(p, r->id));
  }
  return true;
}

/* Every table: its kind known; a rules table's scale in range with at
 * most 64 rules, a requirement table's span and lines, a let table's bool
 * LET slot (checked above); 1..MAX_DIMS dims, each checked above; the dims' strides those of a row-major layout in
 * some order: sorted by stride, each the product of the class counts of
 * the dims with smaller strides, the largest stride times its class count
 * equal to cell_count (so every cell index the VM computes is < cell_count
 * and every cell is reachable exactly once); cell_count ≤ MAX_CELLS; every
 * mask bit a rule of the scale, a line of the requirement, or a let's 0/1.
 * What the VM does with a table is checked with the code (verify.c). */
bool ipsf_verify_tables(const IpsfPack *p, IpsfError *err) {
  V vv = {p, err, 0};
  V *v = &vv;
  for (uint32_t i = 0; i < p->table_count; i++) {
    const IpsfTable *t = &p->tables[i];
    if (t->kind != IPSF_TABLE_RULES && t->kind != IPSF_TABLE_REQ && t->kind != IPSF_TABLE_LET)
      return fail(v, "table %u: unknown kind %u", i, t->kind);
    if (t->kind == IPSF_TABLE_LET) {
      if (t->owner >= p->slot_count || p->slots[t->owner].role != IPSF_SLOT_LET ||
          p->slots[t->owner].type.kind != IPSF_K_BOOL)
        return fail(v, "table %u: slot %u is not a bool let slot", i, t->owner);
      if (t->span != 1) return fail(v, "table %u: a let table has span %u, not 1", i, t->span);
    } else if (t->kind == IPSF_TABLE_REQ) {
      if (!check_req_table_owner(v, i, t)) return false;
    } else if (t->owner >= p->scale_count) {
      return fail(v, "table %u: scale %u out of range (%u scales)", i, t->owner, p->scale_count);
    } else if (t->span != 1) {
      return fail(v, "table %u: a rules table has span %u, not 1", i, t->span);
    } else if (p->scales[t->owner].rule_count > 64) {
      return fail(v, "table %u: scale '%s' has %u rules (a table covers at most 64)", i,
                  sname(p, p->scales[t->owner].name), p->scales[t->owner].rule_count);
    }
    if (t->dim_count == 0 || t->dim_count > IPSF_TABLE_MAX_DIMS)
      return fail(v, "table %u: %u dims (1 to %u)", i, t->dim_count, IPSF_TABLE_MAX_DIMS);
    if (t->cell_count == 0 || t->cell_count > IPSF_TABLE_MAX_CELLS)
      return fail(v, "table %u: %u cells (1 to %u)", i, t->cell_count, IPSF_TABLE_MAX_CELLS);
    bool used[IPSF_TABLE_MAX_DIMS] = {false};
    uint64_t expect = 1;
    for (uint32_t d = 0; d < t->dim_count; d++) {
      if (!check_table_dim(v, i, d, &t->dims[d])) return false;
      if (t->dims[d].class_count > IPSF_TABLE_MAX_CELLS)
        return fail(v, "table %u dim %u: %u classes", i, d, t->dims[d].class_count);
    }
    /* strides: take the unused dim whose stride is the running product */
    for (uint32_t n = 0; n < t->dim_count; n++) {
      uint32_t d = 0;
      while (d < t->dim_count && (used[d] || t->dims[d].stride != expect)) d++;
      if (d == t->dim_count)
        return fail(v, "table %u: no dim has stride %llu (the strides must lay the cells out "
                       "row by row)", i, (unsigned long long)expect);
      used[d] = true;
      expect *= t->dims[d].class_count;
      if (expect > IPSF_TABLE_MAX_CELLS)
        return fail(v, "table %u: the dims have more than %u cells", i, IPSF_TABLE_MAX_CELLS);
    }
    if (expect != t->cell_count)
      return fail(v, "table %u: the dims make %llu cells, the table has %u", i,
                  (unsigned long long)expect, t->cell_count);
    if ((uint64_t)t->cell_count * t->span != t->mask_count)
      return fail(v, "table %u: %u masks, its %u cells of %u need %llu", i, t->mask_count,
                  t->cell_count, t->span, (unsigned long long)t->cell_count * t->span);
    if (t->kind == IPSF_TABLE_REQ) {
      if (!check_req_table_cells(v, i, t)) return false;
      continue;
    }
    if (t->kind == IPSF_TABLE_LET) { /* a bool: 0 or 1 */
      for (uint32_t c = 0; c < t->cell_count; c++)
        if (t->masks[c] > 1)
          return fail(v, "table %u: cell %u holds %llu, not a bool", i, c,
                      (unsigned long long)t->masks[c]);
      continue;
    }
    const IpsfScale *sc = &p->scales[t->owner];
    uint64_t rules = sc->rule_count == 64 ? ~UINT64_C(0) : (UINT64_C(1) << sc->rule_count) - 1;
    for (uint32_t c = 0; c < t->cell_count; c++)
      if (t->masks[c] & ~rules)
        return fail(v, "table %u: cell %u names rules 0x%llx beyond scale '%s''s %u rules", i,
                    c, (unsigned long long)(t->masks[c] & ~rules), sname(p, sc->name),
                    sc->rule_count);
  }
  return true;
}

