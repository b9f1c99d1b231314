/*
 * fuzz_source.c -- libFuzzer target: source text -> check and compile ->
 * load the result.  Two oracles: the sanitizers (no crash, no leak), and
 * the verifier: whatever the compiler emits must load and verify, so a
 * compiled pack that fails to load is a compiler bug and aborts.
 *
 * The compiler reads files, so each input goes to one temporary file per
 * process (imports of other files are resolved relative to it, in a fresh
 * directory of its own).  The compiler's allocator exits on exhaustion;
 * libFuzzer's -rss_limit_mb bounds memory instead.
 */
#include <unistd.h>

#include "compile.h"
#include "fuzz_common.h"

static const char *path;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  path = fuzz_tmp_file("pack.ipsf");
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  FILE *f = fopen(path, "wb");
  if (!f) abort();
  if (size && fwrite(data, 1, size, f) != size) abort();
  if (fclose(f) != 0) abort();
  CompileOptions opt = {0};
  Compilation *c = compilation_new(&opt);
  uint8_t *bytes = NULL;
  size_t len = 0;
  bool ok = compile_pack(c, path, &bytes, &len);
  Diags *d = compilation_diags(c);
  diags_sort(d);
  FILE *sink = fopen("/dev/null", "w");
  if (sink) {
    diags_print(d, sink, size & 1);
    fclose(sink);
  }
  compilation_free(c);
  if (ok) {
    IpsfError err;
    IpsfPack *p = ipsf_pack_load(bytes, len, &err);
    if (!p) {
      fprintf(stderr, "fuzz_source: the compiler emitted a pack that fails to load: %s\n",
              err.message);
      abort();
    }
    fuzz_eval_all_facts(p, (unsigned)size);
    ipsf_pack_free(p);
  }
  free(bytes);
  return 0;
}
