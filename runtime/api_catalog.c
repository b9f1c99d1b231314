/*
 * api_catalog.c -- the standards catalogs a compiled pack keeps, through
 * the public API (include/ipsf.h, "catalogs").
 *
 * A pack keeps each catalog that one of its requirements cites (a
 * `ref ID;` naming one of its provisions), with all the catalog's
 * provisions, cited or not, in declaration order: the CATALOGS section of
 * the .ipsb (docs/bytecode.md).  Catalogs a pack imports but never cites
 * are not kept (ssf's table of contents, in most packs).
 *
 * Invariants relied on here, proved by the verifier (check_catalogs in
 * verify.c) before any pack is returned: the catalogs' provision blocks
 * tile the provision array in order; every string index is in the pool
 * (version and date may be IPSF_NONE); every status is a known
 * IpsfProvisionStatus; every cited_by is a requirement index.  So the only
 * checks left are those of the caller's indices: out of range gives NULL,
 * 0 or UINT32_MAX, never a read outside the pack.
 *
 * Everything reads the immutable pack: safe from any thread at once, and
 * every string returned is the pack's, valid until ipsf_pack_free.
 */
#include <string.h>

#include "pack.h"

static const IpsfCatalog *catalog_at(const IpsfPack *p, uint32_t c) {
  return p && c < p->catalog_count ? &p->catalogs[c] : NULL;
}

static const IpsfProvision *provision_at(const IpsfPack *p, uint32_t c, uint32_t k) {
  const IpsfCatalog *cat = catalog_at(p, c);
  return cat && k < cat->provision_count ? &p->provisions[cat->first_provision + k] : NULL;
}

uint32_t ipsf_pack_catalog_count(const IpsfPack *p) { return p ? p->catalog_count : 0; }

const char *ipsf_pack_catalog_name(const IpsfPack *p, uint32_t c) {
  const IpsfCatalog *cat = catalog_at(p, c);
  return cat ? ipsf_str(p, cat->name) : NULL;
}

const char *ipsf_pack_catalog_version(const IpsfPack *p, uint32_t c) {
  const IpsfCatalog *cat = catalog_at(p, c);
  return cat ? ipsf_str(p, cat->version) : NULL;
}

const char *ipsf_pack_catalog_date(const IpsfPack *p, uint32_t c) {
  const IpsfCatalog *cat = catalog_at(p, c);
  return cat ? ipsf_str(p, cat->date) : NULL;
}

uint32_t ipsf_pack_catalog_index(const IpsfPack *p, const char *name) {
  for (uint32_t c = 0; p && name && c < p->catalog_count; c++)
    if (strcmp(p->strings[p->catalogs[c].name], name) == 0) return c;
  return IPSF_NONE;
}

uint32_t ipsf_pack_provision_count(const IpsfPack *p, uint32_t c) {
  const IpsfCatalog *cat = catalog_at(p, c);
  return cat ? cat->provision_count : 0;
}

const char *ipsf_pack_provision_id(const IpsfPack *p, uint32_t c, uint32_t k) {
  const IpsfProvision *q = provision_at(p, c, k);
  return q ? p->strings[q->id] : NULL;
}

const char *ipsf_pack_provision_clause(const IpsfPack *p, uint32_t c, uint32_t k) {
  const IpsfProvision *q = provision_at(p, c, k);
  return q ? p->strings[q->clause] : NULL;
}

const char *ipsf_pack_provision_title(const IpsfPack *p, uint32_t c, uint32_t k) {
  const IpsfProvision *q = provision_at(p, c, k);
  return q ? p->strings[q->title] : NULL;
}

const char *ipsf_pack_provision_status(const IpsfPack *p, uint32_t c, uint32_t k) {
  static const char *const names[IPSF_PROVISION__COUNT] = {"mandatory", "recommended",
                                                           "conditional", "informative"};
  const IpsfProvision *q = provision_at(p, c, k);
  return q && q->status < IPSF_PROVISION__COUNT ? names[q->status] : NULL;
}

uint32_t ipsf_pack_provision_index(const IpsfPack *p, uint32_t c, const char *id) {
  const IpsfCatalog *cat = catalog_at(p, c);
  for (uint32_t k = 0; cat && id && k < cat->provision_count; k++)
    if (strcmp(p->strings[p->provisions[cat->first_provision + k].id], id) == 0) return k;
  return IPSF_NONE;
}

bool ipsf_pack_provision_find(const IpsfPack *p, const char *id, uint32_t *catalog,
                              uint32_t *provision) {
  for (uint32_t c = 0; p && id && c < p->catalog_count; c++) {
    uint32_t k = ipsf_pack_provision_index(p, c, id);
    if (k == IPSF_NONE) continue;
    if (catalog) *catalog = c;
    if (provision) *provision = k;
    return true;
  }
  return false;
}

uint32_t ipsf_pack_provision_satisfied_by_count(const IpsfPack *p, uint32_t c, uint32_t k) {
  const IpsfProvision *q = provision_at(p, c, k);
  return q ? q->satisfied_count : 0;
}

const char *ipsf_pack_provision_satisfied_by(const IpsfPack *p, uint32_t c, uint32_t k,
                                             uint32_t i) {
  const IpsfProvision *q = provision_at(p, c, k);
  return q && i < q->satisfied_count ? p->strings[q->satisfied_by[i]] : NULL;
}

uint32_t ipsf_pack_provision_cited_count(const IpsfPack *p, uint32_t c, uint32_t k) {
  const IpsfProvision *q = provision_at(p, c, k);
  return q ? q->cited_count : 0;
}

uint32_t ipsf_pack_provision_cited_by(const IpsfPack *p, uint32_t c, uint32_t k, uint32_t i) {
  const IpsfProvision *q = provision_at(p, c, k);
  return q && i < q->cited_count ? q->cited_by[i] : IPSF_NONE;
}
