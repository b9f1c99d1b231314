/*
 * pack.c -- the life of a loaded pack: freeing it, linking what is derived
 * from it after verification (the decision tables' VM form: each cell's
 * deciding rule, settled level, kept confirm lines, applying requirements
 * and unconfirmed flag, in link_tables; the fact-name hash; string
 * constants' pointers; the built-ins of the native table), and the public
 * accessors of ipsf.h's "packs" section.  (The index of short names the
 * fast binder uses is built here too, by names.c.)
 *
 * The fact-name hash is open addressing with linear probing over a power of
 * two table at most half full, keyed by util.h's ipsf_name_hash of the
 * name's bytes; a slot holds fact index + 1 (0 = empty).  A duplicate name (which the compiler
 * never emits) resolves to the first fact of that name.
 */
#include <stdlib.h>
#include <string.h>

#include "names.h"
#include "pack.h"
#include "util.h"

void ipsf_pack_free(IpsfPack *pack) {
  if (!pack) return;
  if (pack->strings)
    for (uint32_t i = 0; i < pack->string_count; i++) free(pack->strings[i]);
  free(pack->strings);
  free(pack->string_lens);
  if (pack->enums)
    for (uint32_t i = 0; i < pack->enum_count; i++) free(pack->enums[i].values);
  free(pack->enums);
  free(pack->consts);
  free(pack->slots);
  free(pack->facts);
  free(pack->scales);
  free(pack->rules);
  if (pack->viewpoints)
    for (uint32_t i = 0; i < pack->viewpoint_count; i++) free(pack->viewpoints[i].methods);
  free(pack->viewpoints);
  if (pack->requirements)
    for (uint32_t i = 0; i < pack->requirement_count; i++) free(pack->requirements[i].refs);
  free(pack->requirements);
  free(pack->confirms);
  free(pack->code);
  free(pack->lines);
  free(pack->fact_hash);
  ipsf_names_free(pack->name_index);
  ipsf_native_free(pack);
  free(pack->natives);
  ipsf_tests_free(pack->tests);
  free(pack->compensations);
  free(pack->profiles);
  free(pack->profile_items);
  if (pack->provisions)
    for (uint32_t i = 0; i < pack->provision_count; i++) {
      free(pack->provisions[i].satisfied_by);
      free(pack->provisions[i].cited_by);
    }
  free(pack->provisions);
  free(pack->catalogs);
  if (pack->tables)
    for (uint32_t i = 0; i < pack->table_count; i++) {
      for (uint32_t d = 0; pack->tables[i].dims && d < pack->tables[i].dim_count; d++) {
        free(pack->tables[i].dims[d].map);
        free(pack->tables[i].dims[d].thresholds);
      }
      for (uint32_t d = 0; pack->tables[i].link && d < pack->tables[i].dim_count; d++)
        free(pack->tables[i].link[d].cellmap);
      free(pack->tables[i].link);
      free(pack->tables[i].cells);
      free(pack->tables[i].applies);
      free(pack->tables[i].vps);
      free(pack->tables[i].unconfirmed);
      free(pack->tables[i].dims);
      free(pack->tables[i].masks);
    }
  free(pack->tables);
  free(pack);
}

/* The VM's form of the decision tables (pack.h IpsfTable): after
 * verification, so every index and class is in range. */
static bool link_tables(IpsfPack *pack) {
  for (uint32_t i = 0; i < pack->table_count; i++) {
    IpsfTable *t = &pack->tables[i];
    if (t->link) continue;
    t->link = calloc(t->dim_count, sizeof *t->link);
    t->cells = calloc(t->mask_count, sizeof *t->cells);
    if (!t->link || !t->cells) return false;
    uint32_t k = 0;
    for (int pass = 0; pass < 2; pass++)
      for (uint32_t d = 0; d < t->dim_count; d++) {
        const IpsfTableDim *dm = &t->dims[d];
        if ((dm->kind == IPSF_DIM_INT) != (pass == 1)) continue;
        IpsfTableLink *l = &t->link[k++];
        l->slot = dm->slot;
        l->stride = dm->stride;
        if (dm->kind == IPSF_DIM_INT) {
          l->threshold_count = dm->threshold_count;
          l->thresholds = dm->thresholds;
          continue;
        }
        uint32_t n = dm->kind == IPSF_DIM_BOOL ? 2 : dm->map_count;
        l->cellmap = calloc(n, sizeof *l->cellmap);
        if (!l->cellmap) return false;
        for (uint32_t v = 0; v < n; v++)
          l->cellmap[v] = (dm->kind == IPSF_DIM_BOOL ? v : dm->map[v]) * dm->stride;
        t->link_map_dims = k;
      }
    if (t->link_map_dims == t->dim_count && t->dim_count <= IPSF_TABLE_MAX_DIMS) {
      t->shape = (uint8_t)t->dim_count;
      for (uint32_t d = 0; d < t->dim_count; d++) {
        t->mslot[d] = t->link[d].slot;
        t->mmap[d] = t->link[d].cellmap;
      }
    }
    if (t->kind == IPSF_TABLE_LET) { /* the let's value */
      for (uint32_t c = 0; c < t->cell_count; c++)
        t->cells[c] = (IpsfTableCell){t->masks[c], IPSF_NONE, 0, IPSF_NONE};
      continue;
    }
    if (t->kind == IPSF_TABLE_REQ) { /* the confirm line that wins, as CONFIRM keeps it */
      for (uint32_t c = 0; c < t->mask_count; c++) {
        const IpsfRequirement *rq = &pack->requirements[t->owner + c % t->span];
        uint32_t w = IPSF_NONE;
        for (uint64_t m = t->masks[c] & ~IPSF_TABLE_APPLIES; m; m &= m - 1) {
          uint32_t line = rq->first_confirm;
          for (uint64_t b = m & (~m + 1); b > 1; b >>= 1) line++;
          if (w == IPSF_NONE ||
              ipsf_confirm_stronger(&pack->confirms[line], &pack->confirms[w]))
            w = line;
        }
        /* (the verifier allows confirm bits only where the requirement
         * applies; the VM's fast path writes this winner either way) */
        if (!(t->masks[c] & IPSF_TABLE_APPLIES)) w = IPSF_NONE;
        t->cells[c] = (IpsfTableCell){t->masks[c], w, 0, IPSF_NONE};
      }
      /* the VM's loop over the requirements that apply (span <= 64) */
      t->applies = calloc(t->cell_count, sizeof *t->applies);
      t->vps = calloc(t->span, sizeof *t->vps);
      t->unconfirmed = calloc(t->cell_count, sizeof *t->unconfirmed);
      if (!t->applies || !t->vps || !t->unconfirmed) return false;
      for (uint32_t j = 0; j < t->span; j++)
        t->vps[j] = pack->requirements[t->owner + j].viewpoint;
      for (uint32_t c = 0; c < t->mask_count; c++)
        if (t->masks[c] & IPSF_TABLE_APPLIES) {
          t->applies[c / t->span] |= UINT64_C(1) << (c % t->span);
          if (t->cells[c].winner == IPSF_NONE) t->unconfirmed[c / t->span] = 1;
        }
      continue;
    }
    const IpsfScale *sc = &pack->scales[t->owner];
    t->policy = sc->policy;
    t->first_rule = sc->first_rule;
    t->scale_slot = sc->slot;
    t->hit_word = sc->first_rule / 64;
    t->hit_off = sc->first_rule % 64;
    for (uint32_t c = 0; c < t->cell_count; c++) {
      uint32_t w = IPSF_NONE;
      bool conflict = false;
      for (uint64_t m = t->masks[c]; m; m &= m - 1) {
        uint32_t r = sc->first_rule;
        for (uint64_t b = m & (~m + 1); b > 1; b >>= 1) r++;
        if (w != IPSF_NONE && sc->policy == IPSF_POLICY_UNIQUE &&
            pack->rules[r].level != pack->rules[w].level)
          conflict = true;
        if (w == IPSF_NONE || (sc->policy == IPSF_POLICY_WORST &&
                               pack->rules[r].level > pack->rules[w].level))
          w = r;
      }
      if (conflict) w = IPSF_NONE; /* the VM applies such a mask hit by hit */
      uint32_t level = w == IPSF_NONE ? IPSF_NONE : pack->rules[w].level;
      uint32_t settled = conflict ? IPSF_NONE : t->masks[c] ? level : sc->otherwise;
      t->cells[c] = (IpsfTableCell){t->masks[c], w, level, settled};
    }
  }
  return true;
}

bool ipsf_pack_link(IpsfPack *pack) {
  if (!link_tables(pack)) return false;
  /* String constants point into the pool (indices were verified). */
  for (uint32_t i = 0; i < pack->const_count; i++)
    if (pack->consts[i].type.kind == IPSF_K_STRING)
      pack->consts[i].value.s = pack->strings[pack->consts[i].str];
  if (!ipsf_native_link(pack)) return false;

  free(pack->fact_hash);
  pack->fact_hash = NULL;
  pack->fact_hash_size = 0;
  if (pack->fact_count == 0) return ipsf_names_build(pack);
  uint32_t size = 8;
  while (size < pack->fact_count * 2u) {
    if (size > UINT32_MAX / 2) return false;
    size *= 2;
  }
  uint32_t *h = calloc(size, sizeof *h);
  if (!h) return false;
  for (uint32_t f = 0; f < pack->fact_count; f++) {
    uint32_t name = pack->facts[f].name;
    size_t len = pack->string_lens[name];
    uint32_t i = ipsf_name_hash(pack->strings[name], len) & (size - 1);
    for (;; i = (i + 1) & (size - 1)) {
      if (h[i] == 0) {
        h[i] = f + 1;
        break;
      }
      uint32_t other = pack->facts[h[i] - 1].name;
      if (pack->string_lens[other] == len &&
          memcmp(pack->strings[other], pack->strings[name], len) == 0)
        break; /* duplicate: the first one wins */
    }
  }
  pack->fact_hash = h;
  pack->fact_hash_size = size;
  return ipsf_names_build(pack);
}

uint32_t ipsf_pack_find_fact(const IpsfPack *pack, const char *name, size_t len) {
  if (!pack || !name || pack->fact_hash_size == 0) return IPSF_NONE;
  uint32_t mask = pack->fact_hash_size - 1;
  for (uint32_t i = ipsf_name_hash(name, len) & mask;; i = (i + 1) & mask) {
    uint32_t e = pack->fact_hash[i];
    if (e == 0) return IPSF_NONE;
    uint32_t s = pack->facts[e - 1].name;
    if (pack->string_lens[s] == len && memcmp(pack->strings[s], name, len) == 0)
      return e - 1;
  }
}

uint32_t ipsf_fact_index(const IpsfPack *pack, const char *name) {
  if (!name) return IPSF_NONE;
  return ipsf_pack_find_fact(pack, name, strlen(name));
}

const char *ipsf_pack_name(const IpsfPack *pack) {
  return pack ? ipsf_str(pack, pack->meta.name) : NULL;
}

const char *ipsf_pack_version(const IpsfPack *pack) {
  return pack ? ipsf_str(pack, pack->meta.version) : NULL;
}

const uint8_t *ipsf_pack_digest(const IpsfPack *pack) {
  return pack ? pack->digest : NULL;
}

uint32_t ipsf_pack_axis(const IpsfPack *pack, int axis) {
  if (!pack) return IPSF_NONE;
  if (axis == 1) return pack->axis1;
  if (axis == 2) return pack->axis2;
  return IPSF_NONE;
}
