/*
 * names.c -- building the pack's index of short names (names.h): fact
 * names, requirement ids, confirmation methods per viewpoint and enum
 * values of at most 16 bytes, keyed by namespace, length and two words.
 *
 * Open addressing with linear probing over a power-of-two table at most
 * half full, so every probe ends at an empty slot.  Names are inserted in
 * index order and a repeated (namespace, spelling) keeps its first entry:
 * the binder's linear scans (sheet_fast.c) resolve a repeat the same way.
 * The index is derived from the verified pack (ipsf_pack_link calls
 * ipsf_names_build after verification), is never serialised, and is
 * immutable once built.
 */
#include <stdlib.h>

#include "names.h"

typedef struct {
  struct IpsfNameIndex *x;
  const IpsfPack *pk;
} Builder;

static void insert(Builder *b, uint32_t ns, uint32_t str, uint32_t value) {
  size_t n = b->pk->string_lens[str];
  if (n > IPSF_SHORT_NAME) return;
  uint64_t w0, w1;
  ipsf_short_words(b->pk->strings[str], n, &w0, &w1);
  uint32_t key = ipsf_names_key(ns, n);
  struct IpsfNameIndex *x = b->x;
  for (uint32_t i = ipsf_names_slot(key, w0, w1) & x->mask;; i = (i + 1) & x->mask) {
    IpsfNameEntry *e = &x->slots[i];
    if (e->key == 0) {
      *e = (IpsfNameEntry){w0, w1, key, value};
      return;
    }
    if (e->key == key && e->w0 == w0 && e->w1 == w1) return; /* the first one wins */
  }
}

void ipsf_names_free(struct IpsfNameIndex *x) {
  if (!x) return;
  free(x->slots);
  free(x);
}

bool ipsf_names_build(IpsfPack *pk) {
  ipsf_names_free(pk->name_index);
  pk->name_index = NULL;
  uint64_t count = (uint64_t)pk->fact_count + pk->requirement_count;
  for (uint32_t v = 0; v < pk->viewpoint_count; v++) count += pk->viewpoints[v].method_count;
  for (uint32_t e = 0; e < pk->enum_count; e++) count += pk->enums[e].value_count;
  /* Namespaces must fit the key's 27 bits; the table, 2^30 slots. */
  if ((uint64_t)2 + pk->viewpoint_count + pk->enum_count > (UINT32_C(1) << 26) ||
      count > (UINT32_C(1) << 28))
    return true; /* no index: the binder's slower lookups */
  uint32_t size = 8;
  while (size < count * 2) size *= 2;
  struct IpsfNameIndex *x = malloc(sizeof *x);
  IpsfNameEntry *slots = calloc(size, sizeof *slots);
  if (!x || !slots) {
    free(x);
    free(slots);
    return false;
  }
  x->mask = size - 1;
  x->slots = slots;
  Builder b = {x, pk};
  for (uint32_t f = 0; f < pk->fact_count; f++) insert(&b, IPSF_NS_FACTS, pk->facts[f].name, f);
  for (uint32_t r = 0; r < pk->requirement_count; r++)
    insert(&b, IPSF_NS_REQUIREMENTS, pk->requirements[r].id, r);
  for (uint32_t v = 0; v < pk->viewpoint_count; v++)
    for (uint32_t m = 0; m < pk->viewpoints[v].method_count; m++)
      insert(&b, ipsf_ns_methods(v), pk->viewpoints[v].methods[m], m);
  for (uint32_t e = 0; e < pk->enum_count; e++)
    for (uint32_t k = 0; k < pk->enums[e].value_count; k++)
      insert(&b, ipsf_ns_enum(pk, e), pk->enums[e].values[k], k);
  pk->name_index = x;
  return true;
}
