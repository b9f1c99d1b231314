/*
 * pack.c -- the life of a loaded pack: freeing it, linking what is derived
 * from it after verification (the fact-name hash, string constants'
 * pointers, the built-ins of the native table), and the public accessors of ipsf.h's "packs" section.
 * (The index of short names the fast binder uses is built here too, by
 * names.c.)
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
  free(pack);
}

bool ipsf_pack_link(IpsfPack *pack) {
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
