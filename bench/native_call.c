/*
 * native_call.c -- what a native call costs (docs/performance.md "Natives",
 * docs/natives.md).
 *
 *   make bench-native        (builds build/bench/native_call and runs it)
 *
 * Four packs, each evaluated N times through the public API on one
 * thread; each has 32 lets `l_k = F(x + k)` over one number fact x, where F
 * is
 *   none    the identity (x + k alone): the baseline
 *   inline  abs(): a built-in with its own opcode (ABSN)
 *   builtin floor(): a built-in on the native call path (CALLN, libffi)
 *   extern  ipsft_id() of build/tests/native/libipsftest.so (CALLN, libffi,
 *           bound with ipsf_pack_bind_natives)
 * and the same rules.  (time per evaluation - baseline) / 32 is the cost of
 * one call.  A string-returning extern (ipsft_echo) is measured too: its
 * result is checked as UTF-8 and copied into the context's scratch area.
 * Best of 5 runs, after a warm-up run of the baseline.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "compile.h"
#include "ipsf.h"

#define CALLS 32

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static IpsfPack *build(const char *call, const char *type, const char *libdir) {
  char path[] = "/tmp/ipsfc-bench-XXXXXX.ipsf";
  int fd = mkstemps(path, 5);
  if (fd < 0) return NULL;
  FILE *f = fdopen(fd, "w");
  fprintf(f,
          "pack \"bench.natives\" version \"1.0.0\" { }\nimport \"ssf\";\n"
          "extern \"libipsftest.so\" fn ident(number) -> number as \"ipsft_id\";\n"
          "extern \"libipsftest.so\" fn echo(string) -> string as \"ipsft_echo\";\n"
          "facts { x: number = 0.5; s: string = \"abc\"; }\n");
  for (int k = 0; k < CALLS; k++) {
    if (strcmp(type, "string") == 0) fprintf(f, "let l%d = %s(s) == \"abc\";\n", k, call);
    else fprintf(f, "let l%d = %s(x + %d) > 1000;\n", k, call, k);
  }
  fprintf(f, "rules recovery { serious when l0 or l%d; otherwise limited; }\n"
             "rules economic { otherwise limited; }\n", CALLS - 1);
  fclose(f);
  Compilation *c = compilation_new(NULL);
  uint8_t *bytes = NULL;
  size_t len = 0;
  bool ok = compile_pack(c, path, &bytes, &len);
  unlink(path);
  if (!ok) {
    Diags *d = compilation_diags(c);
    diags_print(d, stderr, false);
    compilation_free(c);
    return NULL;
  }
  compilation_free(c);
  IpsfError err = {0};
  IpsfPack *p = ipsf_pack_load(bytes, len, &err);
  free(bytes);
  char lib[4096];
  snprintf(lib, sizeof lib, "%s/tests/native/libipsftest.so", libdir);
  const char *allowed[] = {lib};
  if (!p || !ipsf_pack_bind_natives(p, allowed, 1, &err)) {
    fprintf(stderr, "native_call: %s\n", err.message);
    ipsf_pack_free(p);
    return NULL;
  }
  return p;
}

/* Seconds per evaluation, best of 5. */
static double measure(IpsfPack *p, long n) {
  IpsfEval *ev = ipsf_eval_new(p);
  IpsfError err = {0};
  uint32_t x = ipsf_fact_index(p, "x");
  double best = 1e9;
  for (int rep = 0; rep < 5; rep++) {
    double t0 = now();
    for (long i = 0; i < n; i++) {
      ipsf_eval_begin(ev);
      ipsf_eval_set_number(ev, x, (double)(i & 1023), &err);
      if (!ipsf_eval_run(ev, &err)) {
        fprintf(stderr, "native_call: %s\n", err.message);
        exit(1);
      }
    }
    double t = (now() - t0) / (double)n;
    if (t < best) best = t;
  }
  ipsf_eval_free(ev);
  return best;
}

int main(int argc, char **argv) {
  const char *libdir = argc > 1 ? argv[1] : "build";
  long n = argc > 2 ? atol(argv[2]) : 200000;
  static const struct {
    const char *name, *call, *type;
  } packs[] = {
      {"none (baseline)", "", "number"},
      {"inline built-in abs()", "abs", "number"},
      {"built-in floor() via CALLN", "floor", "number"},
      {"extern ipsft_id() via CALLN", "ident", "number"},
      {"extern ipsft_echo(), string", "echo", "string"},
  };
  double base = 0, base_s = 0;
  printf("%d calls per evaluation, %ld evaluations, best of 5\n", CALLS, n);
  printf("%-30s %12s %14s\n", "call", "ns/eval", "ns/call");
  for (size_t i = 0; i < sizeof packs / sizeof packs[0]; i++) {
    IpsfPack *p = build(packs[i].call, packs[i].type, libdir);
    if (!p) return 1;
    if (i == 0) measure(p, n / 4 + 1); /* warm up: caches, frequency */
    double t = measure(p, n) * 1e9;
    ipsf_pack_free(p);
    if (i == 0) {
      base = t;
      /* the string baseline: the same compare without a call */
      IpsfPack *q = build("", "string", libdir);
      if (!q) return 1;
      base_s = measure(q, n) * 1e9;
      ipsf_pack_free(q);
      printf("%-30s %12.1f %14s\n", packs[i].name, t, "-");
      printf("%-30s %12.1f %14s\n", "none (string baseline)", base_s, "-");
      continue;
    }
    double b = strcmp(packs[i].type, "string") == 0 ? base_s : base;
    printf("%-30s %12.1f %14.2f\n", packs[i].name, t, (t - b) / CALLS);
  }
  return 0;
}
