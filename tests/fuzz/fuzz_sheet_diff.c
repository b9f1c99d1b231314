/*
 * fuzz_sheet_diff.c -- libFuzzer target: one JSON Lines line, read by the
 * fast path (sheet_fast.c) and by the jansson path (sheet_json.c + sheet.c),
 * which must agree.  It aborts when:
 *   - the fast path binds a line the jansson path refuses, or binds other
 *     facts, other values, another device or other evidence;
 *   - the two contexts, once run, end differently (success or the error's
 *     kind, the level of every scale, the method of every requirement);
 *   - the jansson path accepts bytes with a NUL (never valid JSON outside a
 *     string, and inside one it must be escaped);
 *   - the same bytes read as a JSON file and as a JSON Lines line give a
 *     different answer (a document, or the same error at the same column).
 * When the fast path falls back, the jansson path alone decides: that is the
 * contract of sheet_fast.c, not a disagreement.
 *
 * The pack is compiled once at start-up from PACK_SOURCE below: one fact of
 * every type, evidence methods, and a division, so every setter, every error
 * kind of binding and an arithmetic error at run time can be reached.
 */
#include <unistd.h>

#include "compile.h"
#include "fuzz_common.h"

static const char PACK_SOURCE[] =
    "pack \"fuzz.diff\" version \"1.0.0\" {}\n"
    "import \"ssf\";\n"
    "facts {\n"
    "  usage: enum { home, office, hospital };\n"
    "  users: int = 0;\n"
    "  per_user: int = 1;\n"
    "  ratio: number = 0.0;\n"
    "  remote: bool = false;\n"
    "  model: string = \"\";\n"
    "  radios: set of enum { wifi, ble, zigbee } = {};\n"
    "}\n"
    "rules recovery { fatal when usage == hospital and remote because \"r\";\n"
    "  serious when model == \"X\" or ble in radios; otherwise limited; }\n"
    "rules economic { significant when users / per_user >= 10000 or ratio > 0.5;\n"
    "  otherwise limited; }\n"
    "requirement S-1 \"Baseline\" { viewpoint pre_operation; applies always;\n"
    "  confirm self_declaration; confirm third_party_certification when recovery == fatal; }\n"
    "requirement S-2 \"Ops\" { viewpoint in_operation; applies when remote;\n"
    "  confirm self_inspection; }\n";

static IpsfPack *pack;
static IpsfEval *fast, *slow;
static char *text, *scratch;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond, what)                                                     \
  do {                                                                        \
    if (!(cond)) {                                                            \
      fprintf(stderr, "fuzz_sheet_diff: %s (line %d)\n", what, __LINE__);     \
      abort();                                                                \
    }                                                                         \
  } while (0)

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  char path[] = "/tmp/fuzz-sheet-diff-XXXXXX.ipsf";
  int fd = mkstemps(path, 5);
  if (fd < 0 || write(fd, PACK_SOURCE, sizeof PACK_SOURCE - 1) != (ssize_t)(sizeof PACK_SOURCE - 1))
    abort();
  close(fd);
  CompileOptions opt = {0};
  Compilation *c = compilation_new(&opt);
  uint8_t *bytes = NULL;
  size_t len = 0;
  bool ok = compile_pack(c, path, &bytes, &len);
  unlink(path);
  if (!ok) {
    diags_print(compilation_diags(c), stderr, false);
    abort();
  }
  compilation_free(c);
  IpsfError err;
  pack = ipsf_pack_load(bytes, len, &err);
  free(bytes);
  if (!pack || !(fast = ipsf_eval_new(pack)) || !(slow = ipsf_eval_new(pack))) abort();
  return 0;
}

/* The bound contexts hold the same facts, values, evidence. */
static void same_binding(void) {
  for (uint32_t w = 0; w < (pack->fact_count + 63) / 64; w++)
    CHECK(fast->fact_set[w] == slow->fact_set[w], "facts bound differ");
  for (uint32_t f = 0; f < pack->fact_count; f++) {
    if (!((slow->fact_set[f / 64] >> (f % 64)) & 1u)) continue;
    IpsfValue a = fast->slots[pack->facts[f].slot], b = slow->slots[pack->facts[f].slot];
    switch (pack->facts[f].type.kind) {
    case IPSF_K_STRING: CHECK(strcmp(a.s, b.s) == 0, "string value differs"); break;
    case IPSF_K_NUMBER: CHECK(memcmp(&a.n, &b.n, sizeof a.n) == 0, "number value differs"); break;
    case IPSF_K_SET: CHECK(a.m == b.m, "set value differs"); break;
    default: CHECK(a.i == b.i, "value differs"); break;
    }
  }
  CHECK(fast->evidence_present == slow->evidence_present, "evidence presence differs");
  for (uint32_t q = 0; q < pack->requirement_count; q++)
    CHECK(fast->evidence[q] == slow->evidence[q], "evidence differs");
  CHECK(fast->evidence_dated == slow->evidence_dated, "dated evidence differs");
  for (uint32_t q = 0; fast->evidence_dated && q < pack->requirement_count; q++)
    CHECK(fast->evidence_date[q] == slow->evidence_date[q] &&
              fast->evidence_expires[q] == slow->evidence_expires[q],
          "evidence dates differ");
}

/* Both contexts run to the same end. */
static void same_run(void) {
  IpsfError ef = {0}, es = {0};
  bool of = ipsf_eval_run(fast, &ef), os = ipsf_eval_run(slow, &es);
  CHECK(of == os, "one run failed, the other did not");
  if (!of) {
    CHECK(ef.kind == es.kind, "run error kinds differ");
    CHECK(strcmp(ef.message, es.message) == 0, "run error messages differ");
    return;
  }
  for (uint32_t s = 0; s < pack->scale_count; s++)
    CHECK(strcmp(ipsf_eval_level_name(fast, s), ipsf_eval_level_name(slow, s)) == 0,
          "levels differ");
  for (uint32_t q = 0; q < pack->requirement_count; q++) {
    CHECK(ipsf_eval_applies(fast, q) == ipsf_eval_applies(slow, q), "applies differs");
    CHECK(ipsf_eval_method(fast, q) == ipsf_eval_method(slow, q), "method differs");
    CHECK(ipsf_eval_status(fast, q) == ipsf_eval_status(slow, q), "status differs");
  }
}

/* "1:C: X" from the file reader is "column C: X" from the line reader. */
static void same_as_file(const json_t *line_doc, const IpsfError *line_err, size_t len) {
  IpsfError err = {0};
  json_t *doc = ipsf_sheet_parse_json(text, len, &err);
  CHECK((doc == NULL) == (line_doc == NULL), "JSON file and JSON Lines line disagree");
  if (doc) CHECK(json_equal(doc, line_doc), "JSON file and JSON Lines documents differ");
  else if (err.kind == IPSF_ERR_SYNTAX && line_err->kind == IPSF_ERR_SYNTAX &&
           strncmp(err.message, "1:", 2) == 0) {
    char want[sizeof err.message + 16];
    snprintf(want, sizeof want, "column %s", err.message + 2);
    CHECK(strcmp(want, line_err->message) == 0, "file and line error messages differ");
  } else {
    CHECK(err.kind == line_err->kind, "file and line error kinds differ");
  }
  json_decref(doc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  /* One line, as sheet_stream.c cuts it: up to the first newline. */
  const uint8_t *nl = memchr(data, '\n', size);
  size_t len = nl ? (size_t)(nl - data) : size;
  free(text);
  free(scratch);
  text = malloc(len + 1);
  scratch = malloc(len + 1);
  if (!text || !scratch) abort();
  if (len) memcpy(text, data, len);
  text[len] = '\0';

  ipsf_eval_begin(fast);
  ipsf_eval_begin(slow);
  const char *device = NULL;
  bool fast_ok = ipsf_sheet_fast_bind(fast, text, len, scratch, &device);

  IpsfError err = {0};
  json_t *doc = ipsf_sheet_parse_jsonl_line(text, len, &err);
  if (doc) CHECK(memchr(text, '\0', len) == NULL, "jansson path accepted a NUL byte");
  /* A BOM is skipped only in a file; the line reader leaves it to jansson. */
  if (!(len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)) same_as_file(doc, &err, len);

  if (fast_ok) {
    CHECK(doc != NULL, "fast path bound a line jansson refuses");
    IpsfBindOptions opt = {false};
    IpsfError berr = {0};
    CHECK(ipsf_sheet_bind(slow, doc, NULL, &opt, &berr), "fast path bound a sheet binding refuses");
    const char *d = ipsf_sheet_device(doc);
    CHECK((d == NULL) == (device == NULL) && (!d || strcmp(d, device) == 0), "device differs");
    same_binding();
    same_run();
  } else if (doc) {
    IpsfBindOptions opt = {false};
    IpsfError berr = {0};
    if (ipsf_sheet_bind(slow, doc, NULL, &opt, &berr)) {
      IpsfError rerr = {0};
      (void)ipsf_eval_run(slow, &rerr);
    }
  }
  json_decref(doc);
  return 0;
}
