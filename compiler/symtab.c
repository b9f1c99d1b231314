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

/* ---- "did you mean" ------------------------------------------------------------ */

/* Edit distance (insertions, deletions, substitutions, and a swap of two
 * neighbours counted as one), capped: names longer than 63 bytes are not
 * compared. */
static size_t edit_distance(const char *a, const char *b) {
  size_t n = strlen(a), m = strlen(b);
  if (n > 63 || m > 63) return SIZE_MAX;
  size_t d[64][64];
  for (size_t i = 0; i <= n; i++) d[i][0] = i;
  for (size_t j = 0; j <= m; j++) d[0][j] = j;
  for (size_t i = 1; i <= n; i++)
    for (size_t j = 1; j <= m; j++) {
      size_t best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
      if (d[i - 1][j] + 1 < best) best = d[i - 1][j] + 1;
      if (d[i][j - 1] + 1 < best) best = d[i][j - 1] + 1;
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
          d[i - 2][j - 2] + 1 < best)
        best = d[i - 2][j - 2] + 1;
      d[i][j] = best;
    }
  return d[n][m];
}

/* How close `cand` is to the unknown `name`: an edit distance within a
 * third of the name's length (at least 1), or the name is a prefix of
 * at least 3 bytes (pre_op for pre_operation) counted as 2 edits past
 * the allowance, so a true typo wins over an abbreviation. */
static size_t closeness(const char *name, const char *cand) {
  size_t len = strlen(name);
  size_t allow = len / 3 ? len / 3 : 1;
  size_t dist = edit_distance(name, cand);
  if (dist <= allow) return dist;
  if (len >= 3 && strncmp(name, cand, len) == 0) return allow + 2;
  return SIZE_MAX;
}

void suggest_init(Suggest *s, const char *name) {
  s->name = name;
  s->best = NULL;
  s->score = SIZE_MAX;
}

void suggest_add(Suggest *s, const char *cand) {
  if (!cand || strcmp(cand, s->name) == 0) return;
  size_t score = closeness(s->name, cand);
  if (score < s->score || (score == s->score && s->best && strcmp(cand, s->best) < 0)) {
    s->score = score;
    s->best = cand;
  }
}

void suggest_map(Suggest *s, const SymMap *m) {
  for (size_t i = 0; i < m->cap; i++)
    if (m->slots[i].key) suggest_add(s, m->slots[i].key);
}

const char *suggest_hint(Compilation *c, const Suggest *s) {
  return s->best ? arena_printf(&c->arena, " (did you mean '%s'?)", s->best) : "";
}
