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
 *
 * A third oracle, the formatter (`ipsfc fmt`, compiler/fmt.c): every input
 * that parses is formatted; a failed self-check (FMT_INTERNAL: the result
 * does not parse to the same tree, or loses a comment) aborts, and so does
 * a result that formatting again changes (fmt must be idempotent).
 */
#include <unistd.h>

#include "compile.h"
#include "fmt.h"
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

/* Format text; FMT_INTERNAL aborts.  *out holds the result when FMT_OK. */
static FmtStatus format(const char *text, size_t len, FmtOutput *out) {
  SourceSet s;
  sources_init(&s);
  Diags d;
  diags_init(&d, &s);
  FmtStatus st = fmt_text("pack.ipsf", text, len, &d, &s, out);
  diags_free(&d);
  sources_free(&s);
  if (st == FMT_INTERNAL) {
    fprintf(stderr, "fuzz_source: fmt self-check failed: %s\n", out->error ? out->error : "?");
    abort();
  }
  return st;
}

static void check_fmt(const uint8_t *data, size_t size) {
  FmtOutput once = {0}, twice = {0};
  if (format((const char *)data, size, &once) == FMT_OK) {
    if (format(once.text, once.len, &twice) != FMT_OK || twice.len != once.len ||
        memcmp(twice.text, once.text, once.len) != 0) {
      fprintf(stderr, "fuzz_source: fmt is not idempotent:\n%s\n--- then ---\n%s\n", once.text,
              twice.text ? twice.text : "(syntax errors)");
      abort();
    }
    fmt_output_free(&twice);
  }
  fmt_output_free(&once);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  check_fmt(data, size);
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
