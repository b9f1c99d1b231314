/*
 * fuzz_sheet.c -- libFuzzer target: fact-sheet bytes -> parse (the first
 * byte picks JSON, JSON Lines or YAML) -> bind and evaluate against a fixed
 * pack, the compiled smart-home example (IPSF_FUZZ_PACK, set by the
 * Makefile; compiled once, at start-up).
 */
#include <unistd.h>

#include "compile.h"
#include "fuzz_common.h"

static IpsfPack *pack;
static IpsfEval *ev;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  CompileOptions opt = {0};
  Compilation *c = compilation_new(&opt);
  uint8_t *bytes = NULL;
  size_t len = 0;
  if (!compile_pack(c, IPSF_FUZZ_PACK, &bytes, &len)) {
    fprintf(stderr, "fuzz_sheet: cannot compile %s\n", IPSF_FUZZ_PACK);
    abort();
  }
  compilation_free(c);
  IpsfError err;
  pack = ipsf_pack_load(bytes, len, &err);
  free(bytes);
  if (!pack || !(ev = ipsf_eval_new(pack))) abort();
  return 0;
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
    if (doc) fuzz_eval_doc(pack, ev, doc, allow_unknown);
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
      if (doc) fuzz_eval_doc(pack, ev, doc, allow_unknown);
      json_decref(doc);
    }
    ipsf_jsonl_close(&r);
    fclose(in);
    break;
  }
  case 2: {
    json_t *doc = ipsf_sheet_parse_yaml(text, len, &err);
    if (doc) fuzz_eval_doc(pack, ev, doc, allow_unknown);
    json_decref(doc);
    break;
  }
  }
  return 0;
}
