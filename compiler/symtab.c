/*
 * symtab.c -- the symbol tables of a compilation: arena arrays, the
 * string-keyed hash map, and how a module's names are qualified and looked
 * up.
 *
 * resolve.c fills the tables, types.c, codegen.c, testrun.c and the
 * analysis read them; keeping them here (and type names in typename.c) is
 * what lets resolve.c and types.c not depend on each other.
 */
#include <string.h>

#include "sema.h"
#include "util.h"

/* ---- arena arrays and the hash map ---------------------------------------- */

void *grow_array(Arena *a, void *items, size_t *cap, size_t count, size_t size) {
  if (count < *cap) return items;
  size_t ncap = *cap ? *cap * 2 : 8;
  void *fresh = arena_array(a, ncap, size);
  if (count) memcpy(fresh, items, count * size);
  *cap = ncap;
  return fresh;
}

/* FNV-1a (the runtime's, util.h): names are short, and the maps hold a
 * few thousand at most. */
static size_t hash_name(const char *s) { return ipsf_fnv1a(s, strlen(s)); }

SymEntry *symmap_get(const SymMap *m, const char *key) {
  if (m->cap == 0) return NULL;
  for (size_t i = hash_name(key) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
    if (!m->slots[i].key) return NULL;
    if (strcmp(m->slots[i].key, key) == 0) return &m->slots[i];
  }
}

static void symmap_grow(Arena *a, SymMap *m) {
  SymMap bigger = {0};
  bigger.cap = m->cap ? m->cap * 2 : 64;
  bigger.slots = arena_array(a, bigger.cap, sizeof *bigger.slots);
  for (size_t i = 0; i < m->cap; i++) {
    if (!m->slots[i].key) continue;
    size_t j = hash_name(m->slots[i].key) & (bigger.cap - 1);
    while (bigger.slots[j].key) j = (j + 1) & (bigger.cap - 1);
    bigger.slots[j] = m->slots[i];
  }
  bigger.count = m->count;
  *m = bigger;
}

SymEntry *symmap_put(Arena *a, SymMap *m, const char *key, int kind, uint32_t index) {
  SymEntry *had = symmap_get(m, key);
  if (had) return had;
  if ((m->count + 1) * 2 > m->cap) symmap_grow(a, m);
  size_t i = hash_name(key) & (m->cap - 1);
  while (m->slots[i].key) i = (i + 1) & (m->cap - 1);
  m->slots[i] = (SymEntry){key, kind, index};
  m->count++;
  return NULL;
}

/* ---- names ----------------------------------------------------------------- */

/* A module imported `as p` declares `p.name`: its names cannot collide with
 * the importer's, and the importer must write the prefix. */
const char *qualify(Compilation *c, uint32_t module, const char *name) {
  const char *prefix = c->modules[module].prefix;
  return prefix ? arena_printf(&c->arena, "%s.%s", prefix, name) : name;
}

/* Inside a prefixed module its own names are written bare, so its
 * prefixed name is tried first; then a global name (the root's, or an
 * unprefixed import's). */
SymEntry *lookup_name(Compilation *c, const SymMap *m, uint32_t module, const char *name) {
  const char *prefix = c->modules[module].prefix;
  if (prefix) {
    SymEntry *own = symmap_get(m, arena_printf(&c->arena, "%s.%s", prefix, name));
    if (own) return own;
  }
  return symmap_get(m, name);
}

SymEntry *lookup_value(Compilation *c, uint32_t module, const char *name) {
  return lookup_name(c, &c->values, module, name);
}

SymEntry *lookup_type(Compilation *c, uint32_t module, const char *name) {
  return lookup_name(c, &c->types, module, name);
}

uint32_t enum_value_index(const EnumSym *e, const char *name) {
  for (size_t i = 0; i < e->value_count; i++)
    if (strcmp(e->values[i].name, name) == 0) return (uint32_t)i;
  return UINT32_MAX;
}

const char *enum_value_list(Compilation *c, const EnumSym *e) {
  const char *list = "";
  for (size_t i = 0; i < e->value_count; i++)
    list = arena_printf(&c->arena, "%s%s%s", list, i ? ", " : "", e->values[i].name);
  return list;
}
