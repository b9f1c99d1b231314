/*
 * names.h -- the pack's index of short names, for the fast JSON Lines
 * binder (sheet_fast.c): fact names, requirement ids, each viewpoint's
 * confirmation methods and each enum's value names, looked up by their
 * length and their bytes held in two machine words.
 *
 * A name of at most IPSF_SHORT_NAME (16) bytes is its length n and the
 * words w0 = bytes 0..7, w1 = bytes 8..15, little-endian, zero past n (on
 * a big-endian machine the same bytes in its own order: the index is built
 * and probed with the one ipsf_short_words, so both agree).  The binder
 * reads a key of a sheet with one 16-byte load and masks it the same way,
 * so a lookup is a multiply, a probe and two word compares, with no second
 * pass over the key's bytes.
 *
 * Invariants:
 *  - Every name of the pack of at most 16 bytes is in the index under its
 *    namespace (IPSF_NS_FACTS, IPSF_NS_REQUIREMENTS, ipsf_ns_methods(v),
 *    ipsf_ns_enum(pack, e)); when two share a namespace and spelling, the
 *    first (lowest index) wins, as the binder's linear scans resolve them.
 *    So a short token that is not found is not a name of that namespace.
 *  - Longer names are not in it: the binder looks those up as before.
 *  - Built by ipsf_pack_link (ipsf_names_build), freed with the pack, never
 *    changed after: readers on any thread need no lock.  NULL when the
 *    pack's namespaces do not fit the key's 27 bits (then the binder uses
 *    its slower lookups).
 */
#ifndef IPSF_NAMES_H
#define IPSF_NAMES_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "pack.h"

#define IPSF_SHORT_NAME 16u

#define IPSF_NS_FACTS 0u
#define IPSF_NS_REQUIREMENTS 1u
static inline uint32_t ipsf_ns_methods(uint32_t viewpoint) { return 2u + viewpoint; }
static inline uint32_t ipsf_ns_enum(const IpsfPack *pk, uint32_t e) {
  return 2u + pk->viewpoint_count + e;
}

typedef struct {
  uint64_t w0, w1;
  uint32_t key;   /* (namespace << 5 | length) + 1; 0 = empty */
  uint32_t value; /* the index within the namespace */
} IpsfNameEntry;

struct IpsfNameIndex {
  uint32_t mask; /* slots - 1, a power of two minus one */
  IpsfNameEntry *slots;
};

/* The words of a name of n <= 16 bytes (zero past n). */
static inline void ipsf_short_words(const char *s, size_t n, uint64_t *w0, uint64_t *w1) {
  unsigned char b[16] = {0};
  memcpy(b, s, n);
  memcpy(w0, b, 8);
  memcpy(w1, b + 8, 8);
}

static inline uint32_t ipsf_names_key(uint32_t ns, size_t n) { return (ns << 5 | (uint32_t)n) + 1; }

static inline uint32_t ipsf_names_slot(uint32_t key, uint64_t w0, uint64_t w1) {
  uint64_t h = (w0 ^ (w1 * UINT64_C(0x9e3779b97f4a7c15)) ^ key) * UINT64_C(0xff51afd7ed558ccd);
  return (uint32_t)(h >> 32);
}

/* The value of the name (n, w0, w1) in namespace ns, or IPSF_NONE. */
static inline uint32_t ipsf_names_find(const struct IpsfNameIndex *x, uint32_t ns, size_t n,
                                       uint64_t w0, uint64_t w1) {
  uint32_t key = ipsf_names_key(ns, n);
  for (uint32_t i = ipsf_names_slot(key, w0, w1) & x->mask;; i = (i + 1) & x->mask) {
    const IpsfNameEntry *e = &x->slots[i];
    if (e->key == key && e->w0 == w0 && e->w1 == w1) return e->value;
    if (e->key == 0) return IPSF_NONE;
  }
}

/* Build pack->name_index (replacing any); false only when out of memory. */
bool ipsf_names_build(IpsfPack *pack);
void ipsf_names_free(struct IpsfNameIndex *x);

#endif
