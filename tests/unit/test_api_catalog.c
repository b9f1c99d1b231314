/*
 * test_api_catalog.c -- the catalogs a compiled pack keeps (the CATALOGS
 * section), compiled from source, written, read back and verified, then
 * read through the public API: which catalogs are kept (cited ones, whole;
 * not the imported-but-uncited), each provision's fields, satisfied_by,
 * cited_by, lookups by name, and indices out of range.  A pack that cites
 * no catalog has no section (so its bytes do not change).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "compile.h"
#include "pack.h"

static IpsfPack *compile_and_load(const char *src, size_t *len_out) {
  char path[] = "/tmp/ipsfc-catalog-XXXXXX.ipsf";
  int fd = mkstemps(path, 5);
  cr_assert(fd >= 0);
  FILE *f = fdopen(fd, "w");
  fputs(src, f);
  fclose(f);
  Compilation *c = compilation_new(NULL);
  uint8_t *bytes = NULL;
  size_t len = 0;
  bool ok = compile_pack(c, path, &bytes, &len);
  unlink(path);
  Diags *d = compilation_diags(c);
  cr_assert(ok, "compile failed: %s", d->count ? d->items[0].message : "?");
  compilation_free(c);
  IpsfError err = {0};
  IpsfPack *p = ipsf_pack_load(bytes, len, &err);
  free(bytes);
  cr_assert(p, "%s", err.message);
  if (len_out) *len_out = len;
  return p;
}

static const char *const head =
    "pack \"t.catalogs\" version \"1.0.0\" { }\n"
    "import \"ssf\";\n"
    "import \"etsi_en_303_645\";\n"
    "import \"nist_ir_8259\";\n" /* imported, never cited: not kept */
    "rules recovery { otherwise limited; }\n"
    "rules economic { otherwise limited; }\n"
    "catalog \"Example Code\" version \"2.0\" {\n"
    "  source \"an example\"; date \"2024-04\";\n"
    "  provision ECP-3 \"clause 3\" \"Unique credentials\" mandatory satisfied_by ETSI-5.1-1, ETSI-5.1-2;\n"
    "  provision ECP-7 \"clause 7\" \"Trained installers\" recommended;\n"
    "}\n";

Test(api_catalog, cited_catalogs_through_the_api) {
  char src[4096];
  snprintf(src, sizeof src, "%s%s", head,
           "requirement R-1 \"one\" { viewpoint pre_operation; ref ETSI-5.1-1; ref ECP-3;"
           " applies always; confirm self_declaration; }\n"
           "requirement R-2 \"two\" { viewpoint pre_operation; ref \"free text\"; ref ECP-3;"
           " applies always; confirm self_declaration; }\n");
  IpsfPack *p = compile_and_load(src, NULL);
  /* load order: the imported ETSI catalog, then the pack's own */
  cr_assert_eq(ipsf_pack_catalog_count(p), 2);
  uint32_t etsi = ipsf_pack_catalog_index(p, "ETSI EN 303 645");
  uint32_t ecp = ipsf_pack_catalog_index(p, "Example Code");
  cr_assert_eq(etsi, 0);
  cr_assert_eq(ecp, 1);
  cr_expect_eq(ipsf_pack_catalog_index(p, "NIST IR 8259"), UINT32_MAX);
  cr_expect_eq(ipsf_pack_catalog_index(p, NULL), UINT32_MAX);
  cr_expect_str_eq(ipsf_pack_catalog_version(p, etsi), "V2.1.1");
  cr_expect_str_eq(ipsf_pack_catalog_date(p, etsi), "2020-06");
  cr_expect_str_eq(ipsf_pack_catalog_name(p, ecp), "Example Code");
  cr_expect_str_eq(ipsf_pack_catalog_date(p, ecp), "2024-04");
  /* the whole ETSI catalog is kept, cited or not (73 provisions in stdlib) */
  cr_expect_gt(ipsf_pack_provision_count(p, etsi), 60);
  uint32_t k = ipsf_pack_provision_index(p, etsi, "ETSI-5.1-1");
  cr_assert_neq(k, UINT32_MAX);
  cr_expect_str_eq(ipsf_pack_provision_clause(p, etsi, k), "5.1-1");
  cr_expect_str_eq(ipsf_pack_provision_status(p, etsi, k), "conditional");
  cr_expect_eq(ipsf_pack_provision_cited_count(p, etsi, k), 1);
  cr_expect_eq(ipsf_pack_provision_cited_by(p, etsi, k, 0), 0);
  cr_expect_eq(ipsf_pack_provision_cited_by(p, etsi, k, 1), UINT32_MAX);
  uint32_t k2 = ipsf_pack_provision_index(p, etsi, "ETSI-5.1-2");
  cr_expect_eq(ipsf_pack_provision_cited_count(p, etsi, k2), 0);
  /* the pack's own catalog */
  cr_assert_eq(ipsf_pack_provision_count(p, ecp), 2);
  cr_expect_str_eq(ipsf_pack_provision_id(p, ecp, 0), "ECP-3");
  cr_expect_str_eq(ipsf_pack_provision_title(p, ecp, 0), "Unique credentials");
  cr_expect_str_eq(ipsf_pack_provision_status(p, ecp, 0), "mandatory");
  cr_expect_str_eq(ipsf_pack_provision_status(p, ecp, 1), "recommended");
  cr_assert_eq(ipsf_pack_provision_satisfied_by_count(p, ecp, 0), 2);
  cr_expect_str_eq(ipsf_pack_provision_satisfied_by(p, ecp, 0, 0), "ETSI-5.1-1");
  cr_expect_str_eq(ipsf_pack_provision_satisfied_by(p, ecp, 0, 1), "ETSI-5.1-2");
  cr_expect_null(ipsf_pack_provision_satisfied_by(p, ecp, 0, 2));
  cr_assert_eq(ipsf_pack_provision_cited_count(p, ecp, 0), 2);
  cr_expect_eq(ipsf_pack_provision_cited_by(p, ecp, 0, 0), 0);
  cr_expect_eq(ipsf_pack_provision_cited_by(p, ecp, 0, 1), 1);
  cr_expect_eq(ipsf_pack_provision_cited_count(p, ecp, 1), 0);
  /* by id in any catalog */
  uint32_t c = 9, q = 9;
  cr_expect(ipsf_pack_provision_find(p, "ECP-7", &c, &q));
  cr_expect_eq(c, ecp);
  cr_expect_eq(q, 1);
  cr_expect(ipsf_pack_provision_find(p, "ETSI-5.1-1", NULL, NULL));
  cr_expect_not(ipsf_pack_provision_find(p, "NIST-1", &c, &q));
  /* out of range */
  cr_expect_null(ipsf_pack_catalog_name(p, 2));
  cr_expect_null(ipsf_pack_catalog_version(p, 99));
  cr_expect_eq(ipsf_pack_provision_count(p, 2), 0);
  cr_expect_null(ipsf_pack_provision_id(p, ecp, 2));
  cr_expect_null(ipsf_pack_provision_status(p, 7, 0));
  cr_expect_eq(ipsf_pack_provision_index(p, ecp, "ETSI-5.1-1"), UINT32_MAX);
  cr_expect_eq(ipsf_pack_provision_cited_count(p, ecp, 9), 0);
  ipsf_pack_free(p);
}

Test(api_catalog, no_citation_no_section) {
  char src[4096];
  snprintf(src, sizeof src, "%s%s", head,
           "requirement R-1 \"one\" { viewpoint pre_operation; ref \"free text\";"
           " applies always; confirm self_declaration; }\n");
  IpsfPack *p = compile_and_load(src, NULL);
  cr_expect_eq(ipsf_pack_catalog_count(p), 0);
  cr_expect_null(ipsf_pack_catalog_name(p, 0));
  cr_expect_eq(ipsf_pack_provision_count(p, 0), 0);
  cr_expect_not(ipsf_pack_provision_find(p, "ECP-3", NULL, NULL));
  /* no CATALOGS section in the bytes: 13 required sections only */
  uint8_t *bytes = NULL;
  size_t len = 0;
  cr_assert(ipsb_write(p, &bytes, &len));
  cr_expect_eq(bytes[12] | bytes[13] << 8, 13);
  free(bytes);
  ipsf_pack_free(p);
}
