/*
 * fuzz_sheet.c -- libFuzzer target: fact-sheet bytes -> parse (the first
 * byte picks JSON, JSON Lines or YAML) -> bind and evaluate against a fixed
 * pack, the compiled smart-home example (IPSF_FUZZ_PACK, set by the
 * Makefile; compiled once, at start-up), and against the healthcare
 * example, which declares usage profiles (IPSF_FUZZ_PROFILES_PACK): the
 * binder's profile settings and checks (runtime/profile.c).
 */
#include <unistd.h>

#include "compile.h"
#include "fuzz_common.h"

static IpsfPack *pack, *profiles_pack;
static IpsfEval *ev, *profiles_ev;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static IpsfPack *load(const char *path) {
  CompileOptions opt = {0};
  Compilation *c = compilation_new(&opt);
  uint8_t *bytes = NULL;
  size_t len = 0;
  if (!compile_pack(c, path, &bytes, &len)) {
    fprintf(stderr, "fuzz_sheet: cannot compile %s\n", path);
    abort();
  }
  compilation_free(c);
  IpsfError err;
  IpsfPack *p = ipsf_pack_load(bytes, len, &err);
  free(bytes);
  if (!p) abort();
  return p;
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  pack = load(IPSF_FUZZ_PACK);
  if (!(ev = ipsf_eval_new(pack))) abort();
#ifdef IPSF_FUZZ_PROFILES_PACK
  profiles_pack = load(IPSF_FUZZ_PROFILES_PACK);
  if (ipsf_pack_profile_count(profiles_pack) == 0 || !(profiles_ev = ipsf_eval_new(profiles_pack)))
    abort();
#endif
  return 0;
}

/* One parsed document against each pack. */
static void eval_doc(json_t *doc, bool allow_unknown) {
  fuzz_eval_doc(pack, ev, doc, allow_unknown);
  if (profiles_pack) fuzz_eval_doc(profiles_pack, profiles_ev, doc, allow_unknown);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  unsigned mode = data[0];
  const char *text = (const char *)data + 1;
  size_t len = size - 1;
  bool allow_unknown = (mode & 0x10) != 0;
  IpsfError err;
  switch (mode % 3) {
  case 0: {
    json_t *doc = ipsf_sheet_parse_json(text, len, &err);
    if (doc) eval_doc(doc, allow_unknown);
    json_decref(doc);
    break;
  }
  case 1: {
    if (len == 0) break;
    FILE *in = fmemopen((void *)text, len, "r");
    if (!in) break;
    IpsfJsonlReader r;
    ipsf_jsonl_open_stream(&r, in);
    for (int lines = 0; lines < 1000; lines++) {
      json_t *doc = NULL;
      int got = ipsf_jsonl_next(&r, &doc, &err);
      if (got <= 0) break;
      if (doc) eval_doc(doc, allow_unknown);
      json_decref(doc);
    }
    ipsf_jsonl_close(&r);
    fclose(in);
    break;
  }
  case 2: {
    json_t *doc = ipsf_sheet_parse_yaml(text, len, &err);
    if (doc) eval_doc(doc, allow_unknown);
    json_decref(doc);
    break;
  }
  }
  return 0;
}
