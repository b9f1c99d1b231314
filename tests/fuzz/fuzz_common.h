/*
 * fuzz_common.h -- what the libFuzzer targets share: drive one evaluation
 * of a loaded pack with every fact set by its type, and run a sheet
 * document through binding and evaluation.  Nothing here may crash; errors
 * are the expected outcome for most inputs.
 */
#ifndef IPSF_FUZZ_COMMON_H
#define IPSF_FUZZ_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "eval.h"
#include "pack.h"
#include "sheet.h"

/* The one file a target that reads files writes each input to: NAME in a
 * private temporary directory, both removed at exit.  Called once, from
 * LLVMFuzzerInitialize; returns the path. */
static char fuzz_tmp_dir[64], fuzz_tmp_path[128];
static inline void fuzz_tmp_cleanup(void) {
  unlink(fuzz_tmp_path);
  rmdir(fuzz_tmp_dir);
}
static inline const char *fuzz_tmp_file(const char *name) {
  snprintf(fuzz_tmp_dir, sizeof fuzz_tmp_dir, "/tmp/ipsf-fuzz-XXXXXX");
  if (!mkdtemp(fuzz_tmp_dir)) abort();
  snprintf(fuzz_tmp_path, sizeof fuzz_tmp_path, "%s/%s", fuzz_tmp_dir, name);
  atexit(fuzz_tmp_cleanup);
  return fuzz_tmp_path;
}

/* Read every result accessor: they must be safe after a successful run. */
static inline void fuzz_read_results(const IpsfPack *p, const IpsfEval *ev) {
  for (uint32_t s = 0; s < p->scale_count; s++) (void)ipsf_eval_level_name(ev, s);
  for (uint32_t q = 0; q < p->requirement_count; q++) {
    (void)ipsf_eval_applies(ev, q);
    (void)ipsf_eval_method(ev, q);
    (void)ipsf_eval_status(ev, q);
  }
}

/* Set each fact with the setter its type asks for (seeded by `v`), add
 * evidence for every requirement, run. */
static inline void fuzz_eval_all_facts(const IpsfPack *p, unsigned v) {
  IpsfEval *ev = ipsf_eval_new(p);
  if (!ev) return;
  IpsfError err;
  for (int round = 0; round < 2; round++, v = v * 2654435761u + 1) {
    ipsf_eval_begin(ev);
    for (uint32_t f = 0; f < p->fact_count; f++) {
      const IpsfFact *fact = &p->facts[f];
      switch (fact->type.kind) {
      case IPSF_K_BOOL: ipsf_eval_set_bool(ev, f, v & 1, &err); break;
      case IPSF_K_INT: ipsf_eval_set_int(ev, f, (int64_t)v - 7, &err); break;
      case IPSF_K_NUMBER: ipsf_eval_set_number(ev, f, (double)v / 3.0, &err); break;
      case IPSF_K_STRING: ipsf_eval_set_string(ev, f, (v & 2) ? "Abc" : "", &err); break;
      case IPSF_K_ENUM:
      case IPSF_K_SET: {
        const IpsfEnum *e = &p->enums[fact->type.enum_type];
        const char *name = p->strings[e->values[v % e->value_count]];
        if (fact->type.kind == IPSF_K_ENUM) ipsf_eval_set_enum(ev, f, name, &err);
        else {
          ipsf_eval_set_clear(ev, f, &err);
          ipsf_eval_set_add(ev, f, name, &err);
        }
        break;
      }
      }
      v = v * 1103515245u + 12345u;
    }
    ipsf_eval_evidence_present(ev);
    for (uint32_t q = 0; q < p->requirement_count; q++) {
      const IpsfRequirement *r = &p->requirements[q];
      const IpsfViewpoint *vp = &p->viewpoints[r->viewpoint];
      if (vp->method_count)
        ipsf_eval_set_evidence(ev, p->strings[r->id], p->strings[vp->methods[v % vp->method_count]],
                               &err);
    }
    if (ipsf_eval_run(ev, &err)) fuzz_read_results(p, ev);
  }
  ipsf_eval_free(ev);
}

/* Bind and evaluate a sheet document, every profile, like `ipsfc eval`. */
static inline void fuzz_eval_doc(const IpsfPack *p, IpsfEval *ev, json_t *doc, bool allow_unknown) {
  IpsfError err;
  IpsfBindOptions opt = {.allow_unknown_facts = allow_unknown};
  (void)ipsf_sheet_device(doc);
  size_t n = json_is_object(doc) ? ipsf_sheet_profile_count(doc) : 0;
  for (size_t i = 0; i <= n; i++) {
    const char *profile = i < n ? ipsf_sheet_profile_name(doc, i) : NULL;
    ipsf_eval_begin(ev);
    if (ipsf_sheet_bind(ev, doc, profile, &opt, &err) && ipsf_eval_run(ev, &err))
      fuzz_read_results(p, ev);
  }
  /* a profile the sheet does not have */
  ipsf_eval_begin(ev);
  if (ipsf_sheet_bind(ev, doc, "no-such-profile", &opt, &err)) (void)ipsf_eval_run(ev, &err);
  /* each usage profile the pack declares, as `eval --profile NAME` binds it */
  for (uint32_t k = 0; k < ipsf_pack_profile_count(p); k++) {
    ipsf_eval_begin(ev);
    if (ipsf_sheet_bind(ev, doc, ipsf_pack_profile_name(p, k), &opt, &err) && ipsf_eval_run(ev, &err))
      fuzz_read_results(p, ev);
  }
}

#endif
