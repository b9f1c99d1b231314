/*
 * test_native.c -- native functions (docs/natives.md): the shared built-in
 * table, the native table in the format and the verifier, binding under an
 * allowlist, calls through libffi and the checks on what comes back.
 *
 * The libraries are the Makefile's: build/tests/native/libipsftest.so
 * (tests/native/testlib.c) and build/examples/natives/libcvss.so, found
 * under IPSF_TEST_NATIVE_DIR (the build directory, set by the Makefile).
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "builtins.h"
#include "compile.h"
#include "eval.h"
#include "pack_builder.h"

#ifndef IPSF_TEST_NATIVE_DIR
#define IPSF_TEST_NATIVE_DIR "build"
#endif
#define TESTLIB IPSF_TEST_NATIVE_DIR "/tests/native/libipsftest.so"
#define CVSSLIB IPSF_TEST_NATIVE_DIR "/examples/natives/libcvss.so"

/* ---- the built-in table ------------------------------------------------------------ */

Test(native, builtin_table_is_consistent) {
  for (int b = 0; b < IPSF_BI__COUNT; b++) {
    const IpsfBuiltin *bi = &ipsf_builtins[b];
    cr_assert_eq(bi->min_args, strlen(bi->params), "%s", bi->name);
    cr_assert_geq(bi->max_args, bi->min_args, "%s", bi->name);
    cr_assert_eq(ipsf_builtin_find(bi->name), (IpsfBuiltinId)b, "%s is listed twice", bi->name);
    if (bi->inline_op) continue;
    /* the native path: a C function of a fixed signature of b, i, n, s */
    cr_assert_not_null(bi->fn, "%s", bi->name);
    cr_assert_eq(bi->min_args, bi->max_args, "%s", bi->name);
    cr_assert_leq(bi->min_args, IPSF_MAX_NATIVE_PARAMS);
    cr_assert_eq(strspn(bi->params, "bins"), strlen(bi->params), "%s", bi->name);
    cr_assert(strchr("bins", bi->result), "%s", bi->name);
  }
  cr_assert_eq(ipsf_builtin_find("no_such_builtin"), IPSF_BI__COUNT);
}

Test(native, builtin_c_functions) {
  cr_assert_eq(ipsf_bi_length(""), 0);
  cr_assert_eq(ipsf_bi_length("h\xc3\xa9llo"), 5);
  cr_assert_eq(ipsf_bi_length("\xf0\x9f\x94\x92"), 1);
  cr_assert_float_eq(ipsf_bi_round(2.5), 3.0, 0);
  cr_assert_float_eq(ipsf_bi_round(-2.5), -3.0, 0);
  cr_assert_float_eq(ipsf_bi_floor(-0.5), -1.0, 0);
  cr_assert_float_eq(ipsf_bi_ceil(0.25), 1.0, 0);
  cr_assert(ipsf_bi_starts_with("hello", "he") && !ipsf_bi_starts_with("he", "hello"));
  cr_assert(ipsf_bi_ends_with("hello", "llo") && !ipsf_bi_ends_with("lo", "hello"));
  cr_assert(ipsf_bi_contains("hello", "") && !ipsf_bi_contains("hello", "xl"));
}

/* ---- compiled packs -------------------------------------------------------------------- */

/* Compile `body` (after a header and the ssf axes) and load it. */
static IpsfPack *compile_load(const char *body) {
  char path[] = "/tmp/ipsfc-native-XXXXXX.ipsf";
  int fd = mkstemps(path, 5);
  cr_assert(fd >= 0);
  FILE *f = fdopen(fd, "w");
  fprintf(f, "pack \"t.native\" version \"1.0.0\" { }\nimport \"ssf\";\n%s", body);
  fclose(f);
  Compilation *c = compilation_new(NULL);
  uint8_t *bytes = NULL;
  size_t len = 0;
  bool ok = compile_pack(c, path, &bytes, &len);
  unlink(path);
  Diags *d = compilation_diags(c);
  cr_assert(ok, "does not compile: %s", d->count ? d->items[0].message : "?");
  compilation_free(c);
  IpsfError err = {0};
  IpsfPack *p = ipsf_pack_load(bytes, len, &err);
  free(bytes);
  cr_assert_not_null(p, "%s", err.message);
  return p;
}

static const char *const calc_src =
    "extern \"libipsftest.so\" fn add(int, int) -> int as \"ipsft_add\";\n"
    "extern \"libipsftest.so\" fn mix(int, number, bool, string) -> number as \"ipsft_mix\";\n"
    "extern \"libipsftest.so\" fn pick(int) -> string as \"ipsft_pick\";\n"
    "extern \"libipsftest.so\" fn truthy(int) -> bool as \"ipsft_truthy\";\n"
    "extern \"libipsftest.so\" fn nan_of(number) -> number as \"ipsft_nan\";\n"
    "facts { n: int = 0; boom: bool = false; }\n"
    "let sum = add(n, 40);\n"
    "let m = mix(n, 0.25, truthy(n), \"ab\");\n"
    "let word = pick(n);\n"
    "let rounded = round(m);\n"
    "rules recovery { fatal when boom and nan_of(1) > 0; serious when sum == 42; "
    "otherwise limited; }\n"
    "rules economic { significant when word == \"z\xc3\xa9ro\"; otherwise limited; }\n";

static uint32_t slot_of(const IpsfPack *p, const char *name) {
  for (uint32_t i = 0; i < p->slot_count; i++)
    if (p->slots[i].name != IPSF_NONE && strcmp(p->strings[p->slots[i].name], name) == 0) return i;
  cr_assert_fail("no slot %s", name);
  return 0;
}

Test(native, unbound_pack_is_refused_until_allowed) {
  IpsfPack *p = compile_load(calc_src);
  cr_assert(ipsf_pack_needs_natives(p));
  IpsfEval *ev = ipsf_eval_new(p);
  IpsfError err = {0};
  ipsf_eval_begin(ev);
  cr_assert_not(ipsf_eval_run(ev, &err));
  cr_assert_eq(err.kind, IPSF_ERR_NATIVE, "%s", err.message);

  /* nothing allowed, another library allowed: refused, naming the library */
  cr_assert_not(ipsf_pack_bind_natives(p, NULL, 0, &err));
  cr_assert_eq(err.kind, IPSF_ERR_NATIVE);
  cr_assert(strstr(err.message, "'libipsftest.so' is not allowed"), "%s", err.message);
  /* never an advice to allow the name the pack chose (the CLI says what to do) */
  cr_assert_null(strstr(err.message, "--allow-native"), "%s", err.message);
  const char *other[] = {CVSSLIB};
  cr_assert_not(ipsf_pack_bind_natives(p, other, 1, &err));
  cr_assert(ipsf_pack_needs_natives(p));

  /* allowed by a path with the same basename: bound, and it runs */
  const char *allowed[] = {CVSSLIB, TESTLIB};
  cr_assert(ipsf_pack_bind_natives(p, allowed, 2, &err), "%s", err.message);
  cr_assert_not(ipsf_pack_needs_natives(p));
  cr_assert(ipsf_pack_bind_natives(p, NULL, 0, &err), "binding again is a no-op");
  ipsf_eval_begin(ev);
  cr_assert(ipsf_eval_set_int(ev, ipsf_fact_index(p, "n"), 2, &err), "%s", err.message);
  cr_assert(ipsf_eval_run(ev, &err), "%s", err.message);
  cr_assert_eq(ev->slots[slot_of(p, "sum")].i, 42);
  cr_assert_float_eq(ev->slots[slot_of(p, "m")].n, 2 + 0.25 + 1000 + 2, 1e-12);
  cr_assert_float_eq(ev->slots[slot_of(p, "rounded")].n, 1004.0, 0);
  cr_assert_str_eq(ev->slots[slot_of(p, "word")].s, "two");
  cr_assert_str_eq(ipsf_eval_level_name(ev, ipsf_pack_axis(p, 1)), "serious");

  /* n = 0: truthy is false, the word is UTF-8 */
  ipsf_eval_begin(ev);
  cr_assert(ipsf_eval_run(ev, &err), "%s", err.message);
  cr_assert_float_eq(ev->slots[slot_of(p, "m")].n, 2.25, 1e-12);
  cr_assert_str_eq(ipsf_eval_level_name(ev, ipsf_pack_axis(p, 2)), "significant");

  /* a NaN result is an error record, not a value */
  ipsf_eval_begin(ev);
  cr_assert(ipsf_eval_set_bool(ev, ipsf_fact_index(p, "boom"), true, &err));
  cr_assert_not(ipsf_eval_run(ev, &err));
  cr_assert_eq(err.kind, IPSF_ERR_NATIVE);
  cr_assert(strstr(err.message, "nan_of() (symbol ipsft_nan of 'libipsftest.so') returned NaN"),
            "%s", err.message);
  ipsf_eval_free(ev);
  ipsf_pack_free(p);
}

Test(native, string_results_settle_in_scratch) {
  IpsfPack *p = compile_load(calc_src);
  const char *allowed[] = {TESTLIB};
  IpsfError err = {0};
  cr_assert(ipsf_pack_bind_natives(p, allowed, 1, &err), "%s", err.message);
  IpsfEval *ev = ipsf_eval_new(p);
  size_t cap = 0;
  for (int i = 0; i < 1000; i++) {
    ipsf_eval_begin(ev);
    cr_assert(ipsf_eval_run(ev, &err), "%s", err.message);
    if (i == 10) cap = ev->scratch_cap;
  }
  cr_assert_eq(ev->scratch_cap, cap, "the scratch area keeps growing");
  ipsf_eval_free(ev);
  ipsf_pack_free(p);
}

Test(native, missing_library_and_symbol) {
  IpsfPack *p = compile_load(
      "extern \"libcvss.so\" fn v4(string) -> number as \"cvss40_base_score\";\n"
      "rules recovery { serious when v4(\"\") > 1; otherwise limited; }\n"
      "rules economic { otherwise limited; }\n");
  IpsfError err = {0};
  const char *missing[] = {"/no/such/dir/libcvss.so"};
  cr_assert_not(ipsf_pack_bind_natives(p, missing, 1, &err));
  cr_assert_eq(err.kind, IPSF_ERR_NATIVE);
  cr_assert(strstr(err.message, "cannot load native library '/no/such/dir/libcvss.so'"), "%s",
            err.message);
  const char *cvss[] = {CVSSLIB};
  cr_assert_not(ipsf_pack_bind_natives(p, cvss, 1, &err));
  cr_assert(strstr(err.message, "has no function 'cvss40_base_score' (extern fn v4)"), "%s",
            err.message);
  ipsf_pack_free(p);
}

Test(native, builtins_on_the_native_path_need_no_allowlist) {
  IpsfPack *p = compile_load(
      "facts { x: number = 2.5; s: string = \"h\xc3\xa9\"; }\n"
      "rules recovery { serious when floor(x) + ceil(x) + round(x) == 8 and length(s) == 2; "
      "otherwise limited; }\n"
      "rules economic { otherwise limited; }\n");
  cr_assert_eq(p->native_count, 4);
  cr_assert_eq(p->natives[0].library, IPSF_NONE);
  cr_assert_not(ipsf_pack_needs_natives(p));
  IpsfEval *ev = ipsf_eval_new(p);
  IpsfError err = {0};
  ipsf_eval_begin(ev);
  cr_assert(ipsf_eval_run(ev, &err), "%s", err.message);
  cr_assert_str_eq(ipsf_eval_level_name(ev, ipsf_pack_axis(p, 1)), "serious");
  ipsf_eval_free(ev);
  ipsf_pack_free(p);
}

Test(native, cvss_example_library) {
  IpsfPack *p = compile_load(
      "extern \"libcvss.so\" fn cvss(string) -> number as \"cvss31_base_score\";\n"
      "extern \"libcvss.so\" fn rating(number) -> string as \"cvss31_severity\";\n"
      "facts { v: string = \"\"; }\n"
      "let score = cvss(v);\n"
      "let sev = rating(score);\n"
      "rules recovery { otherwise limited; }\n"
      "rules economic { otherwise limited; }\n");
  const char *allowed[] = {CVSSLIB};
  IpsfError err = {0};
  cr_assert(ipsf_pack_bind_natives(p, allowed, 1, &err), "%s", err.message);
  IpsfEval *ev = ipsf_eval_new(p);
  static const struct {
    const char *vector;
    double score;
    const char *rating;
  } cases[] = {
      /* examples of the CVSS v3.1 specification document and NVD */
      {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8, "Critical"},
      {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0, "Critical"},
      {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", 7.5, "High"},
      {"CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 7.8, "High"},
      {"CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1, "Medium"},
      {"CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N", 6.4, "Medium"},
      {"CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:C/C:H/I:H/A:H", 9.1, "Critical"},
      {"CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N", 1.6, "Low"},
      {"CVSS:3.1/A:H/I:H/C:H/S:U/UI:N/PR:N/AC:L/AV:N", 9.8, "Critical"}, /* any order */
      {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", 0.0, "None"},
      {"", 0.0, "None"},
  };
  uint32_t v = ipsf_fact_index(p, "v");
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    ipsf_eval_begin(ev);
    cr_assert(ipsf_eval_set_string(ev, v, cases[i].vector, &err));
    cr_assert(ipsf_eval_run(ev, &err), "%s: %s", cases[i].vector, err.message);
    cr_assert_float_eq(ev->slots[slot_of(p, "score")].n, cases[i].score, 1e-9, "%s",
                       cases[i].vector);
    cr_assert_str_eq(ev->slots[slot_of(p, "sev")].s, cases[i].rating);
  }
  static const char *const bad[] = {"CVSS:3.1/AV:N", "CVSS:2.0/AV:N/AC:L/Au:N/C:P/I:P/A:P",
                                    "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/",
                                    "CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
                                    "CVSS:3.1/AV:N/AV:N/PR:N/UI:N/S:U/C:H/I:H/A:H"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    ipsf_eval_begin(ev);
    cr_assert(ipsf_eval_set_string(ev, v, bad[i], &err));
    cr_assert_not(ipsf_eval_run(ev, &err), "%s", bad[i]);
    cr_assert_eq(err.kind, IPSF_ERR_NATIVE, "%s", err.message);
  }
  ipsf_eval_free(ev);
  ipsf_pack_free(p);
}

/* ---- the format and the verifier --------------------------------------------------------- */

/* A pack whose code is: LOADK k; CALLN 0; POP-or-store...; RET, with one
 * native `f` of the given signature. */
static IpsfPack *native_pack(const char *library, const char *symbol, const uint8_t *params,
                             uint32_t n, uint8_t result) {
  IpsfPack *p = pb_new("t.natives");
  p->natives = calloc(1, sizeof *p->natives);
  p->native_count = 1;
  p->natives[0].name = pb_str(p, "f");
  p->natives[0].library = library ? pb_str(p, library) : IPSF_NONE;
  p->natives[0].symbol = pb_str(p, symbol);
  p->natives[0].result = result;
  p->natives[0].param_count = n;
  memcpy(p->natives[0].params, params, n);
  return p;
}

static IpsfPack *reload(IpsfPack *p, IpsfError *err) { return pb_load(p, err); }

Test(native, format_round_trip_and_section_count) {
  uint8_t params[] = {IPSF_K_INT, IPSF_K_STRING};
  IpsfPack *p = native_pack("libx.so", "fx", params, 2, IPSF_K_BOOL);
  uint32_t s = pb_slot(p, pb_t(IPSF_K_BOOL), IPSF_SLOT_LET, "r");
  pb_emit(p, IPSF_OP_LOADK, pb_kint(p, 1));
  pb_emit(p, IPSF_OP_LOADK, pb_kstr(p, "a"));
  pb_emit(p, IPSF_OP_CALLN, 0);
  pb_emit(p, IPSF_OP_STORE, s);
  pb_emit(p, IPSF_OP_RET, 0);
  uint8_t *bytes;
  size_t len;
  pb_bytes(p, &bytes, &len);
  cr_assert_eq(bytes[12], 14, "a pack with natives has 14 sections");
  IpsfError err = {0};
  IpsfPack *q = ipsf_pack_load(bytes, len, &err);
  free(bytes);
  cr_assert_not_null(q, "%s", err.message);
  cr_assert_eq(q->native_count, 1);
  cr_assert_str_eq(q->strings[q->natives[0].library], "libx.so");
  cr_assert_str_eq(q->strings[q->natives[0].symbol], "fx");
  cr_assert_eq(q->natives[0].param_count, 2);
  cr_assert_eq(q->natives[0].params[1], IPSF_K_STRING);
  cr_assert_eq(q->natives[0].result, IPSF_K_BOOL);
  cr_assert(ipsf_pack_needs_natives(q));
  ipsf_pack_free(q);
  ipsf_pack_free(p);

  IpsfPack *plain = pb_new("t.plain");
  pb_emit(plain, IPSF_OP_RET, 0);
  pb_bytes(plain, &bytes, &len);
  cr_assert_eq(bytes[12], 13, "a pack without natives keeps the 13 sections");
  free(bytes);
  ipsf_pack_free(plain);
}

typedef struct {
  const char *name;
  const char *library, *symbol;
  uint8_t params[4];
  uint32_t n;
  uint8_t result;
  IpsfKind arg;      /* what the code pushes before CALLN (0: nothing) */
  uint32_t operand;  /* CALLN's */
  const char *reason; /* NULL: accepted */
} VCase;

static void run_case(const VCase *c) {
  IpsfPack *p = native_pack(c->library, c->symbol, c->params, c->n, c->result);
  switch (c->arg) {
  case IPSF_K_INT: pb_emit(p, IPSF_OP_LOADK, pb_kint(p, 1)); break;
  case IPSF_K_NUMBER: pb_emit(p, IPSF_OP_LOADK, pb_knum(p, 1.5)); break;
  case IPSF_K_STRING: pb_emit(p, IPSF_OP_LOADK, pb_kstr(p, "x")); break;
  default: break;
  }
  pb_emit(p, IPSF_OP_CALLN, c->operand);
  uint8_t r = c->result >= IPSF_K_BOOL && c->result <= IPSF_K_STRING ? c->result : IPSF_K_BOOL;
  pb_emit(p, IPSF_OP_STORE, pb_slot(p, pb_t((IpsfKind)r), IPSF_SLOT_LET, "r"));
  pb_emit(p, IPSF_OP_RET, 0);
  IpsfError err = {0};
  IpsfPack *q = reload(p, &err);
  if (!c->reason) {
    cr_assert_not_null(q, "%s: rejected: %s", c->name, err.message);
    ipsf_pack_free(q);
    return;
  }
  cr_assert_null(q, "%s: accepted", c->name);
  cr_assert(strstr(err.message, c->reason), "%s:\n  got:  %s\n  want: %s", c->name, err.message,
            c->reason);
}

Test(native, verifier_table) {
  static const VCase cases[] = {
      {"an extern", "libx.so", "fx", {IPSF_K_NUMBER}, 1, IPSF_K_NUMBER, IPSF_K_NUMBER, 0, NULL},
      {"a built-in", NULL, "floor", {IPSF_K_NUMBER}, 1, IPSF_K_NUMBER, IPSF_K_NUMBER, 0, NULL},
      {"argument of the wrong type", "libx.so", "fx", {IPSF_K_NUMBER}, 1, IPSF_K_NUMBER,
       IPSF_K_STRING, 0, "instruction 1 (CALLN): operand is a string, expected a number"},
      {"missing argument", "libx.so", "fx", {IPSF_K_INT, IPSF_K_INT}, 2, IPSF_K_INT, IPSF_K_INT,
       0, "instruction 1 (CALLN): stack underflow: needs 2 values"},
      {"operand out of range", "libx.so", "fx", {IPSF_K_INT}, 1, IPSF_K_INT, IPSF_K_INT, 1,
       "instruction 1 (CALLN): native 1 out of range (1 natives)"},
      {"enum parameter", "libx.so", "fx", {IPSF_K_ENUM}, 1, IPSF_K_INT, IPSF_K_INT, 0,
       "native f: parameter 1 has kind 5, not bool, int, number or string"},
      {"set result", "libx.so", "fx", {IPSF_K_INT}, 1, IPSF_K_SET, IPSF_K_INT, 0,
       "native f: result kind 6 is not bool, int, number or string"},
      {"unknown built-in", NULL, "sqrt", {IPSF_K_NUMBER}, 1, IPSF_K_NUMBER, IPSF_K_NUMBER, 0,
       "'sqrt' is not a built-in of the native call path"},
      {"inline built-in", NULL, "lower", {IPSF_K_STRING}, 1, IPSF_K_STRING, IPSF_K_STRING, 0,
       "'lower' is not a built-in of the native call path"},
      {"built-in with another signature", NULL, "floor", {IPSF_K_INT}, 1, IPSF_K_INT, IPSF_K_INT,
       0, "native f: signature (i) -> i does not match the built-in floor(n) -> n"},
      {"empty library", "", "fx", {IPSF_K_INT}, 1, IPSF_K_INT, IPSF_K_INT, 0,
       "native f: the library name is empty"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) run_case(&cases[i]);
}

Test(native, too_many_parameters_is_a_structural_error) {
  uint8_t params[1] = {IPSF_K_INT};
  IpsfPack *p = native_pack("libx.so", "fx", params, 1, IPSF_K_INT);
  pb_emit(p, IPSF_OP_RET, 0);
  uint8_t *bytes;
  size_t len;
  pb_bytes(p, &bytes, &len);
  ipsf_pack_free(p);
  /* the natives section is last: its u32 param_count sits 5 bytes before
   * the one parameter byte, which is just before the digest */
  size_t at = len - 32 - 1 - 4;
  bytes[at] = 17;
  pb_redigest(bytes, len);
  IpsfError err = {0};
  cr_assert_null(ipsf_pack_load(bytes, len, &err));
  cr_assert(strstr(err.message, "native 0 has 17 parameters (at most 16)"), "%s", err.message);
  free(bytes);
}

/* ---- confinement: a symbol must be defined in the allowed object itself ------------- */

/* Bind `src` with only `lib` allowed; the error message, or "" if it bound. */
static void bind_only(const char *src, const char *lib, IpsfError *err, bool *bound,
                      IpsfPack **out) {
  IpsfPack *p = compile_load(src);
  const char *allowed[] = {lib};
  memset(err, 0, sizeof *err);
  *bound = ipsf_pack_bind_natives(p, allowed, 1, err);
  *out = p;
}

Test(native, symbol_of_a_dependency_is_refused) {
  /* issue 10, finding 3: dlsym(libcvss.so, "system") finds libc's system */
  static const char *const escapes[][3] = {
      {"libcvss.so", CVSSLIB, "system"},
      {"libcvss.so", CVSSLIB, "dlopen"},
      {"libipsftest.so", TESTLIB, "strlen"},
      {"libcvss.so", CVSSLIB, "sqrt"}, /* libm, which libcvss.so needs */
  };
  for (size_t i = 0; i < sizeof escapes / sizeof escapes[0]; i++) {
    char src[512];
    snprintf(src, sizeof src,
             "extern \"%s\" fn run(string) -> int as \"%s\";\n"
             "rules recovery { serious when run(\"echo ESCAPED >&2\") == 0; otherwise limited; }\n"
             "rules economic { otherwise limited; }\n",
             escapes[i][0], escapes[i][2]);
    IpsfError err;
    bool bound;
    IpsfPack *p;
    bind_only(src, escapes[i][1], &err, &bound, &p);
    cr_assert_not(bound, "%s from %s was bound", escapes[i][2], escapes[i][0]);
    cr_assert_eq(err.kind, IPSF_ERR_NATIVE);
    char want[256];
    snprintf(want, sizeof want, "native library '%s' does not define '%s' (extern fn run)",
             escapes[i][0], escapes[i][2]);
    cr_assert(strstr(err.message, want), "%s", err.message);
    cr_assert(strstr(err.message, "not in the allowed library"), "%s", err.message);
    /* still unbound: evaluation refuses */
    cr_assert(ipsf_pack_needs_natives(p));
    IpsfEval *ev = ipsf_eval_new(p);
    ipsf_eval_begin(ev);
    cr_assert_not(ipsf_eval_run(ev, &err));
    cr_assert_eq(err.kind, IPSF_ERR_NATIVE);
    ipsf_eval_free(ev);
    ipsf_pack_free(p);
  }
  /* the message names the object that does define it */
  IpsfError err;
  bool bound;
  IpsfPack *p;
  bind_only("extern \"libcvss.so\" fn run(string) -> int as \"system\";\n"
            "rules recovery { serious when run(\"\") == 0; otherwise limited; }\n"
            "rules economic { otherwise limited; }\n",
            CVSSLIB, &err, &bound, &p);
  cr_assert(strstr(err.message, "found in libc.so"), "%s", err.message);
  ipsf_pack_free(p);
}

Test(native, ifunc_into_another_library_is_refused) {
  IpsfError err;
  bool bound;
  IpsfPack *p;
  bind_only("extern \"libipsftest.so\" fn foreign(string) -> int as \"ipsft_foreign\";\n"
            "rules recovery { serious when foreign(\"ab\") == 2; otherwise limited; }\n"
            "rules economic { otherwise limited; }\n",
            TESTLIB, &err, &bound, &p);
  cr_assert_not(bound);
  cr_assert(strstr(err.message, "does not define 'ipsft_foreign' (extern fn foreign)"), "%s",
            err.message);
  ipsf_pack_free(p);
}

Test(native, own_aliases_and_ifuncs_still_bind) {
  IpsfError err;
  bool bound;
  IpsfPack *p;
  bind_only("extern \"libipsftest.so\" fn add2(int, int) -> int as \"ipsft_add_alias\";\n"
            "extern \"libipsftest.so\" fn twice(int) -> int as \"ipsft_twice\";\n"
            "extern \"libipsftest.so\" fn add(int, int) -> int as \"ipsft_add\";\n"
            "facts { n: int = 5; }\n"
            "rules recovery { serious when add2(n, 1) == 6 and twice(n) == 10 and "
            "add(n, n) == 10; otherwise limited; }\n"
            "rules economic { otherwise limited; }\n",
            TESTLIB, &err, &bound, &p);
  cr_assert(bound, "%s", err.message);
  IpsfEval *ev = ipsf_eval_new(p);
  ipsf_eval_begin(ev);
  cr_assert(ipsf_eval_run(ev, &err), "%s", err.message);
  cr_assert_str_eq(ipsf_eval_level_name(ev, ipsf_pack_axis(p, 1)), "serious");
  ipsf_eval_free(ev);
  ipsf_pack_free(p);
}
