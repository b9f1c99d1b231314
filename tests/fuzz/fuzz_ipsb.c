/*
 * fuzz_ipsb.c -- libFuzzer target: .ipsb bytes -> load (frame, sections,
 * signature trailer, verifier) -> disassemble and evaluate on a fixed
 * sheet and on facts set by type, then run the tests compiled into it.  The oracle is the sanitizers: no byte
 * sequence may crash or hang the loader, the disassembler or the VM.
 *
 * A mutated file almost never has a matching SHA-256 digest, which would
 * stop every input at the frame check; so each input is also tried with
 * its digest recomputed (where the section table puts it), which lets
 * mutations reach the section decoders and the verifier.
 *
 * IPSF_FUZZ_IPSB_STATS=1 prints, at exit, how many inputs (as given or
 * with the digest recomputed) loaded, that is passed the verifier.
 */
#include <sodium.h>

#include "disasm.h"
#include "fuzz_common.h"

static const char fixed_sheet[] =
    "{\"device\": \"fuzz\", \"facts\": {\"usage\": \"home\", \"harm_life\": \"none\","
    " \"loss_jpy\": 1000, \"remote_control\": true, \"radios\": [\"wifi\"]},"
    " \"profiles\": {\"a\": {}, \"b\": {\"usage\": \"factory\"}},"
    " \"evidence\": {\"SH-01\": \"self_declaration\"}}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint32_t rd32(const uint8_t *b) {
  return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static void exercise(const uint8_t *data, size_t size);

static unsigned long tried, loaded;

static void stats(void) {
  fprintf(stderr, "fuzz_ipsb: %lu loads tried, %lu accepted (%.2f%%)\n", tried, loaded,
          tried ? 100.0 * (double)loaded / (double)tried : 0.0);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  if (getenv("IPSF_FUZZ_IPSB_STATS")) atexit(stats);
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  exercise(data, size);
  /* the digest position: the end of the last section of the table (its
   * count is at byte 12: 13 required sections, more with optional ones) */
  if (size < 16) return 0;
  uint64_t count = rd32(data + 12);
  if (count == 0 || 16 + count * 12 + 32 > size) return 0;
  const uint8_t *last = data + 16 + (count - 1) * 12;
  uint64_t end = (uint64_t)rd32(last + 4) + rd32(last + 8);
  if (end + 32 > size) return 0;
  uint8_t *copy = malloc(size);
  if (!copy) return 0;
  memcpy(copy, data, size);
  crypto_hash_sha256(copy + end, copy, end);
  if (memcmp(copy + end, data + end, 32) != 0) exercise(copy, size);
  free(copy);
  return 0;
}

static void exercise(const uint8_t *data, size_t size) {
  IpsfError err;
  IpsfPack *p = ipsf_pack_load(data, size, &err);
  tried++;
  if (!p) return;
  loaded++;
  FILE *sink = fopen("/dev/null", "w");
  if (sink) {
    ipsf_disasm(p, sink);
    fclose(sink);
  }
  (void)ipsf_pack_is_signed(p);
  (void)ipsf_pack_signature_valid(p);
  if (ipsf_pack_is_signed(p)) (void)ipsf_pack_check_signature(p, ipsf_pack_signer(p), &err);
  fuzz_eval_all_facts(p, (unsigned)size);
  json_t *doc = ipsf_sheet_parse_json(fixed_sheet, sizeof fixed_sheet - 1, &err);
  IpsfEval *ev = ipsf_eval_new(p);
  if (doc && ev) {
    fuzz_eval_doc(p, ev, doc, true);
    fuzz_eval_doc(p, ev, doc, false);
  }
  /* the tests compiled in (compile --with-tests): each run and judged */
  uint32_t tests = ipsf_pack_test_count(p);
  for (uint32_t i = 0; ev && i < tests && i < 64; i++) {
    IpsfTestResult r;
    if (ipsf_pack_run_test(p, ev, i, &r, &err)) ipsf_test_result_free(&r);
  }
  ipsf_eval_free(ev);
  json_decref(doc);
  ipsf_pack_free(p);
}
