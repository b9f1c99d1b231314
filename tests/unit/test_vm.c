/*
 * test_vm.c -- the semantics of every opcode, one small pack per case,
 * built with pack_builder and loaded through ipsb_write/ipsb_read (so every
 * pack here also passed the verifier).
 */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "eval.h"
#include "pack_builder.h"

static char result_str[4096];

/* Push the constants ks[0..n), run `op`, store the result into a LET of
 * type rt (line 7:5), and return it.  false with err on an evaluation
 * error.  A string result is copied to result_str. */
static bool run_op(IpsfPack *p, const uint32_t *ks, int n, IpsfOpcode op, IpsfType rt,
                   IpsfValue *out, IpsfError *err) {
  uint32_t r = pb_slot(p, rt, IPSF_SLOT_LET, "r");
  pb_line(p, 7, 5);
  for (int i = 0; i < n; i++) pb_emit(p, IPSF_OP_LOADK, ks[i]);
  pb_emit(p, op, 0);
  pb_emit(p, IPSF_OP_STORE, r);
  pb_emit(p, IPSF_OP_RET, 0);
  IpsfError lerr;
  IpsfPack *q = pb_load(p, &lerr);
  cr_assert(q, "pack rejected: %s", lerr.message);
  IpsfEval *ev = ipsf_eval_new(q);
  cr_assert(ev);
  ipsf_eval_begin(ev);
  bool ok = ipsf_eval_run(ev, err);
  if (ok) {
    *out = ev->slots[r];
    if (rt.kind == IPSF_K_STRING) {
      snprintf(result_str, sizeof result_str, "%s", out->s);
      out->s = result_str;
    }
  }
  ipsf_eval_free(ev);
  ipsf_pack_free(q);
  return ok;
}

static bool ii(IpsfOpcode op, int64_t a, int64_t b, int64_t *r, IpsfError *err) {
  IpsfPack *p = pb_new("t");
  uint32_t ks[2] = {pb_kint(p, a), pb_kint(p, b)};
  const char *pushes = ipsf_op_info[op].pushes;
  IpsfValue v;
  bool ok = run_op(p, ks, 2, op, pb_t(pushes[0] == 'b' ? IPSF_K_BOOL : IPSF_K_INT), &v, err);
  if (ok) *r = v.i;
  return ok;
}

static bool i1(IpsfOpcode op, int64_t a, IpsfValue *r, IpsfError *err) {
  IpsfPack *p = pb_new("t");
  uint32_t k = pb_kint(p, a);
  IpsfKind rk = ipsf_op_info[op].pushes[0] == 'n' ? IPSF_K_NUMBER : IPSF_K_INT;
  return run_op(p, &k, 1, op, pb_t(rk), r, err);
}

static bool nn(IpsfOpcode op, double a, double b, IpsfValue *r, IpsfError *err) {
  IpsfPack *p = pb_new("t");
  uint32_t ks[2] = {pb_knum(p, a), pb_knum(p, b)};
  IpsfKind rk = ipsf_op_info[op].pushes[0] == 'b' ? IPSF_K_BOOL : IPSF_K_NUMBER;
  return run_op(p, ks, 2, op, pb_t(rk), r, err);
}

static bool n1(IpsfOpcode op, double a, double *r, IpsfError *err) {
  IpsfPack *p = pb_new("t");
  uint32_t k = pb_knum(p, a);
  IpsfValue v;
  bool ok = run_op(p, &k, 1, op, pb_t(IPSF_K_NUMBER), &v, err);
  if (ok) *r = v.n;
  return ok;
}

static int64_t ii_ok(IpsfOpcode op, int64_t a, int64_t b) {
  IpsfError err;
  int64_t r = 0;
  cr_assert(ii(op, a, b, &r, &err), "%s(%lld, %lld) failed: %s", ipsf_op_info[op].name,
            (long long)a, (long long)b, err.message);
  return r;
}

static void ii_err(IpsfOpcode op, int64_t a, int64_t b, const char *msg) {
  IpsfError err = {0};
  int64_t r;
  cr_assert_not(ii(op, a, b, &r, &err), "%s(%lld, %lld) should fail", ipsf_op_info[op].name,
                (long long)a, (long long)b);
  cr_assert_eq(err.kind, IPSF_ERR_ARITHMETIC);
  cr_assert(strstr(err.message, msg), "message '%s' lacks '%s'", err.message, msg);
}

static double nn_ok(IpsfOpcode op, double a, double b) {
  IpsfError err;
  IpsfValue v;
  cr_assert(nn(op, a, b, &v, &err), "%s failed: %s", ipsf_op_info[op].name, err.message);
  return ipsf_op_info[op].pushes[0] == 'b' ? (double)v.i : v.n;
}

static void nn_err(IpsfOpcode op, double a, double b, const char *msg) {
  IpsfError err = {0};
  IpsfValue v;
  cr_assert_not(nn(op, a, b, &v, &err), "%s(%g, %g) should fail", ipsf_op_info[op].name, a, b);
  cr_assert_eq(err.kind, IPSF_ERR_ARITHMETIC);
  cr_assert(strstr(err.message, msg), "message '%s' lacks '%s'", err.message, msg);
}

/* ---- int ---------------------------------------------------------------- */

Test(vm, int_arithmetic) {
  cr_assert_eq(ii_ok(IPSF_OP_ADDI, 40, 2), 42);
  cr_assert_eq(ii_ok(IPSF_OP_SUBI, 40, 42), -2);
  cr_assert_eq(ii_ok(IPSF_OP_MULI, -6, 7), -42);
  cr_assert_eq(ii_ok(IPSF_OP_DIVI, -7, 2), -3); /* truncated */
  cr_assert_eq(ii_ok(IPSF_OP_MODI, -7, 3), -1); /* sign of a */
  cr_assert_eq(ii_ok(IPSF_OP_MODI, 7, -3), 1);
  cr_assert_eq(ii_ok(IPSF_OP_MODI, INT64_MIN, -1), 0);
  cr_assert_eq(ii_ok(IPSF_OP_DIVI, INT64_MIN, 1), INT64_MIN);
  cr_assert_eq(ii_ok(IPSF_OP_MINI, 3, -4), -4);
  cr_assert_eq(ii_ok(IPSF_OP_MAXI, 3, -4), 3);
  cr_assert_eq(ii_ok(IPSF_OP_ADDI, INT64_MAX, 0), INT64_MAX);
  cr_assert_eq(ii_ok(IPSF_OP_MULI, INT64_MIN, 1), INT64_MIN);
}

Test(vm, int_compare) {
  cr_assert_eq(ii_ok(IPSF_OP_EQI, 5, 5), 1);
  cr_assert_eq(ii_ok(IPSF_OP_EQI, 5, 6), 0);
  cr_assert_eq(ii_ok(IPSF_OP_NEI, 5, 6), 1);
  cr_assert_eq(ii_ok(IPSF_OP_LTI, -1, 0), 1);
  cr_assert_eq(ii_ok(IPSF_OP_LTI, 0, 0), 0);
  cr_assert_eq(ii_ok(IPSF_OP_LEI, 0, 0), 1);
  cr_assert_eq(ii_ok(IPSF_OP_LEI, 1, 0), 0);
}

Test(vm, int_overflow) {
  ii_err(IPSF_OP_ADDI, INT64_MAX, 1, "integer overflow in '+' at test.ipsf:7:5");
  ii_err(IPSF_OP_SUBI, INT64_MIN, 1, "integer overflow in '-'");
  ii_err(IPSF_OP_MULI, INT64_MAX / 2 + 1, 2, "integer overflow in '*' at test.ipsf:7:5");
  ii_err(IPSF_OP_MULI, INT64_MIN, -1, "integer overflow in '*'");
  ii_err(IPSF_OP_DIVI, INT64_MIN, -1, "integer overflow in '/'");
}

Test(vm, int_division_by_zero) {
  ii_err(IPSF_OP_DIVI, 1, 0, "division by zero in '/' at test.ipsf:7:5");
  ii_err(IPSF_OP_MODI, 1, 0, "division by zero in '%'");
  ii_err(IPSF_OP_DIVI, 0, 0, "division by zero");
}

Test(vm, int_unary) {
  IpsfError err = {0};
  IpsfValue v;
  cr_assert(i1(IPSF_OP_NEGI, 5, &v, &err));
  cr_assert_eq(v.i, -5);
  cr_assert(i1(IPSF_OP_ABSI, -5, &v, &err));
  cr_assert_eq(v.i, 5);
  cr_assert(i1(IPSF_OP_ABSI, INT64_MAX, &v, &err));
  cr_assert_eq(v.i, INT64_MAX);
  cr_assert(i1(IPSF_OP_I2N, -3, &v, &err));
  cr_assert_float_eq(v.n, -3.0, 0);
  cr_assert_not(i1(IPSF_OP_NEGI, INT64_MIN, &v, &err));
  cr_assert_eq(err.kind, IPSF_ERR_ARITHMETIC);
  cr_assert(strstr(err.message, "integer overflow in '-'"), "%s", err.message);
  cr_assert_not(i1(IPSF_OP_ABSI, INT64_MIN, &v, &err));
  cr_assert(strstr(err.message, "integer overflow in 'abs'"), "%s", err.message);
}

/* ---- number ------------------------------------------------------------- */

Test(vm, number_arithmetic) {
  cr_assert_float_eq(nn_ok(IPSF_OP_ADDN, 0.5, 0.25), 0.75, 0);
  cr_assert_float_eq(nn_ok(IPSF_OP_SUBN, 0.5, 0.25), 0.25, 0);
  cr_assert_float_eq(nn_ok(IPSF_OP_MULN, 1.5, 4), 6.0, 0);
  cr_assert_float_eq(nn_ok(IPSF_OP_DIVN, 1, 4), 0.25, 0);
  cr_assert_float_eq(nn_ok(IPSF_OP_MODN, 7.5, 2), 1.5, 0);
  cr_assert_float_eq(nn_ok(IPSF_OP_MODN, -7.5, 2), -1.5, 0);
  cr_assert_float_eq(nn_ok(IPSF_OP_MINN, -1, 2), -1, 0);
  cr_assert_float_eq(nn_ok(IPSF_OP_MAXN, -1, 2), 2, 0);
  cr_assert_float_eq(nn_ok(IPSF_OP_EQN, 0.1, 0.1), 1, 0);
  cr_assert_float_eq(nn_ok(IPSF_OP_NEN, 0.1, 0.2), 1, 0);
  cr_assert_float_eq(nn_ok(IPSF_OP_LTN, 0.1, 0.2), 1, 0);
  cr_assert_float_eq(nn_ok(IPSF_OP_LTN, 0.2, 0.2), 0, 0);
  cr_assert_float_eq(nn_ok(IPSF_OP_LEN, 0.2, 0.2), 1, 0);
  double r;
  IpsfError err;
  cr_assert(n1(IPSF_OP_NEGN, 2.5, &r, &err));
  cr_assert_float_eq(r, -2.5, 0);
  cr_assert(n1(IPSF_OP_ABSN, -2.5, &r, &err));
  cr_assert_float_eq(r, 2.5, 0);
}

Test(vm, number_non_finite) {
  nn_err(IPSF_OP_ADDN, DBL_MAX, DBL_MAX, "non-finite number result in '+' at test.ipsf:7:5");
  nn_err(IPSF_OP_SUBN, -DBL_MAX, DBL_MAX, "non-finite number result in '-'");
  nn_err(IPSF_OP_MULN, 1e300, 1e300, "non-finite number result in '*'");
  nn_err(IPSF_OP_DIVN, 1e300, 1e-300, "non-finite number result in '/'");
  nn_err(IPSF_OP_DIVN, 1, 0, "division by zero in '/'");
  nn_err(IPSF_OP_DIVN, 0, -0.0, "division by zero in '/'");
  nn_err(IPSF_OP_MODN, 1, 0, "division by zero in '%'");
}

/* ---- bool, enum, set, string -------------------------------------------- */

static int64_t bool_op(IpsfOpcode op, bool a, bool b, int nargs) {
  IpsfPack *p = pb_new("t");
  uint32_t ks[2] = {pb_kbool(p, a), pb_kbool(p, b)};
  IpsfValue v;
  IpsfError err;
  cr_assert(run_op(p, ks, nargs, op, pb_t(IPSF_K_BOOL), &v, &err), "%s", err.message);
  return v.i;
}

Test(vm, logic) {
  cr_assert_eq(bool_op(IPSF_OP_NOT, true, false, 1), 0);
  cr_assert_eq(bool_op(IPSF_OP_NOT, false, false, 1), 1);
  cr_assert_eq(bool_op(IPSF_OP_EQB, true, true, 2), 1);
  cr_assert_eq(bool_op(IPSF_OP_EQB, true, false, 2), 0);
  cr_assert_eq(bool_op(IPSF_OP_NEB, true, false, 2), 1);
}

static int64_t enum_op(IpsfOpcode op, int64_t a, int64_t b) {
  IpsfPack *p = pb_new("t");
  uint32_t e = pb_enum(p, "harm", "none,minor,serious,death");
  uint32_t ks[2] = {pb_kenum(p, e, a), pb_kenum(p, e, b)};
  bool to_enum = ipsf_op_info[op].pushes[0] == 'e';
  IpsfValue v;
  IpsfError err;
  cr_assert(run_op(p, ks, 2, op, to_enum ? pb_te(IPSF_K_ENUM, e) : pb_t(IPSF_K_BOOL), &v, &err),
            "%s", err.message);
  return v.i;
}

Test(vm, enums) {
  cr_assert_eq(enum_op(IPSF_OP_EQE, 2, 2), 1);
  cr_assert_eq(enum_op(IPSF_OP_EQE, 2, 3), 0);
  cr_assert_eq(enum_op(IPSF_OP_NEE, 2, 3), 1);
  cr_assert_eq(enum_op(IPSF_OP_LTE, 0, 3), 1);
  cr_assert_eq(enum_op(IPSF_OP_LTE, 3, 3), 0);
  cr_assert_eq(enum_op(IPSF_OP_LEE, 3, 3), 1);
  cr_assert_eq(enum_op(IPSF_OP_LEE, 3, 1), 0);
  cr_assert_eq(enum_op(IPSF_OP_MINE, 3, 1), 1);
  cr_assert_eq(enum_op(IPSF_OP_MAXE, 3, 1), 3);
}

Test(vm, sets) {
  IpsfError err;
  IpsfValue v;
  for (int member = 0; member < 3; member++) {
    IpsfPack *p = pb_new("t");
    uint32_t e = pb_enum(p, "radios", "wifi,ble,zigbee");
    uint32_t ks[2] = {pb_kenum(p, e, member), pb_kset(p, e, 0x5)}; /* {wifi, zigbee} */
    cr_assert(run_op(p, ks, 2, IPSF_OP_INM, pb_t(IPSF_K_BOOL), &v, &err), "%s", err.message);
    cr_assert_eq(v.i, member != 1);
  }
  IpsfPack *p = pb_new("t");
  uint32_t e = pb_enum(p, "radios", "wifi,ble,zigbee");
  uint32_t k = pb_kset(p, e, 0x7);
  cr_assert(run_op(p, &k, 1, IPSF_OP_COUNTM, pb_t(IPSF_K_INT), &v, &err));
  cr_assert_eq(v.i, 3);
  /* COUNTM's inline popcount over all 64 bits */
  static const uint64_t masks[] = {0, 1, UINT64_C(1) << 63, ~UINT64_C(0),
                                   UINT64_C(0xF0F0F0F0F0F0F0F0), UINT64_C(0x8000000100000001)};
  static const int64_t counts[] = {0, 1, 1, 64, 32, 3};
  char names[64 * 4] = "";
  for (int i = 0; i < 64; i++)
    snprintf(names + strlen(names), sizeof names - strlen(names), "%sv%d", i ? "," : "", i);
  for (size_t i = 0; i < sizeof masks / sizeof *masks; i++) {
    p = pb_new("t");
    e = pb_enum(p, "e64", names);
    k = pb_kset(p, e, masks[i]);
    cr_assert(run_op(p, &k, 1, IPSF_OP_COUNTM, pb_t(IPSF_K_INT), &v, &err));
    cr_assert_eq(v.i, counts[i], "count of %llx", (unsigned long long)masks[i]);
  }
  p = pb_new("t");
  e = pb_enum(p, "radios", "wifi,ble,zigbee");
  uint32_t ks[2] = {pb_kset(p, e, 0x3), pb_kset(p, e, 0x3)};
  cr_assert(run_op(p, ks, 2, IPSF_OP_EQM, pb_t(IPSF_K_BOOL), &v, &err));
  cr_assert_eq(v.i, 1);
  p = pb_new("t");
  e = pb_enum(p, "radios", "wifi,ble,zigbee");
  uint32_t ks2[2] = {pb_kset(p, e, 0x3), pb_kset(p, e, 0x1)};
  cr_assert(run_op(p, ks2, 2, IPSF_OP_NEM, pb_t(IPSF_K_BOOL), &v, &err));
  cr_assert_eq(v.i, 1);
}

static int64_t str_op(IpsfOpcode op, const char *a, const char *b) {
  IpsfPack *p = pb_new("t");
  uint32_t ks[2] = {pb_kstr(p, a), pb_kstr(p, b)};
  IpsfValue v;
  IpsfError err;
  cr_assert(run_op(p, ks, 2, op, pb_t(IPSF_K_BOOL), &v, &err), "%s", err.message);
  return v.i;
}

Test(vm, strings) {
  cr_assert_eq(str_op(IPSF_OP_EQS, "abc", "abc"), 1);
  cr_assert_eq(str_op(IPSF_OP_EQS, "abc", "abd"), 0);
  cr_assert_eq(str_op(IPSF_OP_NES, "abc", "ab"), 1);
  cr_assert_eq(str_op(IPSF_OP_STARTS, "SmartLock X1", "Smart"), 1);
  cr_assert_eq(str_op(IPSF_OP_STARTS, "Smart", "SmartLock"), 0);
  cr_assert_eq(str_op(IPSF_OP_STARTS, "abc", ""), 1);
  cr_assert_eq(str_op(IPSF_OP_ENDS, "SmartLock X1", "X1"), 1);
  cr_assert_eq(str_op(IPSF_OP_ENDS, "X1", "SmartLock X1"), 0);
  cr_assert_eq(str_op(IPSF_OP_ENDS, "abc", ""), 1);
  cr_assert_eq(str_op(IPSF_OP_CONTAINS, "SmartLock X1", "Lock"), 1);
  cr_assert_eq(str_op(IPSF_OP_CONTAINS, "SmartLock X1", "lock"), 0);
}

Test(vm, lower) {
  IpsfPack *p = pb_new("t");
  uint32_t k = pb_kstr(p, "HeLLo W\xc3\x84RLD 42");
  IpsfValue v;
  IpsfError err;
  cr_assert(run_op(p, &k, 1, IPSF_OP_LOWER, pb_t(IPSF_K_STRING), &v, &err), "%s", err.message);
  cr_assert_str_eq(v.s, "hello w\xc3\x84rld 42"); /* only ASCII letters change */
}

/* Many LOWER results alive at once -- in slots and on the stack -- while
 * the scratch area has to grow several times: none may move. */
Test(vm, lower_scratch_growth_keeps_earlier_strings) {
  enum { N = 12 };
  IpsfPack *p = pb_new("t");
  uint32_t f = pb_fact(p, "s", pb_t(IPSF_K_STRING), IPSF_NONE);
  uint32_t lets[N], ok = pb_slot(p, pb_t(IPSF_K_BOOL), IPSF_SLOT_LET, "ok");
  for (int i = 0; i < N; i++) {
    char name[16];
    snprintf(name, sizeof name, "l%d", i);
    lets[i] = pb_slot(p, pb_t(IPSF_K_STRING), IPSF_SLOT_LET, name);
  }
  pb_line(p, 1, 1);
  /* a string kept on the stack across all the growth below */
  pb_emit(p, IPSF_OP_LOAD, pb_fact_slot(p, f));
  pb_emit(p, IPSF_OP_LOWER, 0);
  for (int i = 0; i < N; i++) {
    pb_emit(p, IPSF_OP_LOAD, pb_fact_slot(p, f));
    pb_emit(p, IPSF_OP_LOWER, 0);
    pb_emit(p, IPSF_OP_LOWER, 0); /* lower of a scratch string */
    pb_emit(p, IPSF_OP_STORE, lets[i]);
  }
  pb_emit(p, IPSF_OP_LOAD, lets[0]);
  pb_emit(p, IPSF_OP_EQS, 0);
  pb_emit(p, IPSF_OP_STORE, ok);
  pb_emit(p, IPSF_OP_RET, 0);
  IpsfError err;
  IpsfPack *q = pb_load(p, &err);
  cr_assert(q, "%s", err.message);
  IpsfEval *ev = ipsf_eval_new(q);
  char *in = malloc(5001), *want = malloc(5001);
  for (int i = 0; i < 5000; i++) {
    in[i] = (char)('A' + i % 26);
    want[i] = (char)('a' + i % 26);
  }
  in[5000] = want[5000] = '\0';
  for (int run = 0; run < 3; run++) {
    ipsf_eval_begin(ev);
    /* different lengths per run: growth, then reuse */
    size_t len = run == 1 ? 100 : 5000;
    char saved = in[len];
    in[len] = '\0';
    cr_assert(ipsf_eval_set_string(ev, 0, in, &err), "%s", err.message);
    cr_assert(ipsf_eval_run(ev, &err), "%s", err.message);
    in[len] = saved;
    cr_assert_eq(ev->slots[ok].i, 1);
    for (int i = 0; i < N; i++) {
      cr_assert_eq(strlen(ev->slots[lets[i]].s), len);
      cr_assert_eq(memcmp(ev->slots[lets[i]].s, want, len), 0, "run %d let %d", run, i);
    }
  }
  free(in);
  free(want);
  ipsf_eval_free(ev);
  ipsf_pack_free(q);
}

/* ---- control ------------------------------------------------------------ */

/* Result of `a AND b` / `a OR b` compiled with ANDJ/ORJ, and of
 * `if c then 1 else 2` compiled with JUMPF/JUMP. */
static int64_t short_circuit(IpsfOpcode op, bool a, bool b) {
  IpsfPack *p = pb_new("t");
  uint32_t r = pb_slot(p, pb_t(IPSF_K_BOOL), IPSF_SLOT_LET, "r");
  pb_emit(p, IPSF_OP_LOADK, pb_kbool(p, a));
  uint32_t j = pb_emit(p, op, 0);
  pb_emit(p, IPSF_OP_LOADK, pb_kbool(p, b));
  pb_patch(p, j);
  pb_emit(p, IPSF_OP_STORE, r);
  pb_emit(p, IPSF_OP_RET, 0);
  IpsfError err;
  IpsfPack *q = pb_load(p, &err);
  cr_assert(q, "%s", err.message);
  IpsfEval *ev = ipsf_eval_new(q);
  ipsf_eval_begin(ev);
  cr_assert(ipsf_eval_run(ev, &err), "%s", err.message);
  int64_t v = ev->slots[r].i;
  ipsf_eval_free(ev);
  ipsf_pack_free(q);
  return v;
}

Test(vm, andj_orj) {
  for (int a = 0; a < 2; a++)
    for (int b = 0; b < 2; b++) {
      cr_assert_eq(short_circuit(IPSF_OP_ANDJ, a, b), a && b, "%d and %d", a, b);
      cr_assert_eq(short_circuit(IPSF_OP_ORJ, a, b), a || b, "%d or %d", a, b);
    }
}

Test(vm, jumpf_and_jump) {
  for (int c = 0; c < 2; c++) {
    IpsfPack *p = pb_new("t");
    uint32_t r = pb_slot(p, pb_t(IPSF_K_INT), IPSF_SLOT_LET, "r");
    pb_emit(p, IPSF_OP_LOADK, pb_kbool(p, c));
    uint32_t jf = pb_emit(p, IPSF_OP_JUMPF, 0);
    pb_emit(p, IPSF_OP_LOADK, pb_kint(p, 1));
    uint32_t j = pb_emit(p, IPSF_OP_JUMP, 0);
    pb_patch(p, jf);
    pb_emit(p, IPSF_OP_LOADK, pb_kint(p, 2));
    pb_patch(p, j);
    pb_emit(p, IPSF_OP_STORE, r);
    pb_emit(p, IPSF_OP_RET, 0);
    IpsfError err;
    IpsfPack *q = pb_load(p, &err);
    cr_assert(q, "%s", err.message);
    IpsfEval *ev = ipsf_eval_new(q);
    ipsf_eval_begin(ev);
    cr_assert(ipsf_eval_run(ev, &err), "%s", err.message);
    cr_assert_eq(ev->slots[r].i, c ? 1 : 2);
    ipsf_eval_free(ev);
    ipsf_pack_free(q);
  }
}

/* ---- rules and scales --------------------------------------------------- */

typedef struct {
  IpsfPack *pack;
  IpsfEval *ev;
  IpsfError err;
  bool ok;
} Run;

/* A scale "recovery" {limited, serious, fatal} with `policy`, rules with
 * the given levels (lines 3, 4, 5...), and code that hits the rules in
 * `hits` (-1 terminated), then SCALE. */
static Run run_hits(IpsfPolicy policy, uint32_t otherwise, const int *levels, int nrules,
                    const int *hits) {
  static const IpsfOpcode hit_op[] = {IPSF_OP_HITW, IPSF_OP_HITF, IPSF_OP_HITU};
  IpsfPack *p = pb_new("t");
  uint32_t e = pb_enum(p, "recovery", "limited,serious,fatal");
  uint32_t s = pb_scale(p, "recovery", e, policy, 1, otherwise);
  for (int i = 0; i < nrules; i++) pb_rule(p, s, (uint32_t)levels[i], (uint32_t)(3 + i));
  pb_line(p, 9, 1);
  for (int i = 0; hits[i] >= 0; i++) pb_emit(p, hit_op[policy], (uint32_t)hits[i]);
  pb_emit(p, IPSF_OP_SCALE, s);
  pb_emit(p, IPSF_OP_RET, 0);
  Run r = {0};
  r.pack = pb_load(p, &r.err);
  cr_assert(r.pack, "%s", r.err.message);
  r.ev = ipsf_eval_new(r.pack);
  ipsf_eval_begin(r.ev);
  r.ok = ipsf_eval_run(r.ev, &r.err);
  return r;
}

static void run_free(Run *r) {
  ipsf_eval_free(r->ev);
  ipsf_pack_free(r->pack);
}

static bool hit(const Run *r, uint32_t rule) { return r->ev->rule_hit[rule / 64] >> (rule % 64) & 1u; }

Test(vm, hit_worst) {
  int levels[] = {2, 1, 0};
  int hits[] = {1, 0, 2, -1};
  Run r = run_hits(IPSF_POLICY_WORST, 0, levels, 3, hits);
  cr_assert(r.ok, "%s", r.err.message);
  cr_assert_eq(ipsf_eval_level(r.ev, 0), 2);
  cr_assert_str_eq(ipsf_eval_level_name(r.ev, 0), "fatal");
  cr_assert_eq(r.ev->scale_rule[0], 0);
  cr_assert(hit(&r, 0) && hit(&r, 1) && hit(&r, 2));
  cr_assert_eq(r.ev->slots[r.pack->scales[0].slot].i, 2);
  run_free(&r);
}

Test(vm, hit_first) {
  int levels[] = {2, 1, 0};
  int hits[] = {1, 0, -1};
  Run r = run_hits(IPSF_POLICY_FIRST, 0, levels, 3, hits);
  cr_assert(r.ok, "%s", r.err.message);
  cr_assert_str_eq(ipsf_eval_level_name(r.ev, 0), "serious");
  cr_assert_eq(r.ev->scale_rule[0], 1);
  cr_assert(hit(&r, 0) && hit(&r, 1) && !hit(&r, 2));
  run_free(&r);
}

Test(vm, hit_unique_same_level_is_fine) {
  int levels[] = {1, 1, 2};
  int hits[] = {0, 1, -1};
  Run r = run_hits(IPSF_POLICY_UNIQUE, IPSF_NONE, levels, 3, hits);
  cr_assert(r.ok, "%s", r.err.message);
  cr_assert_str_eq(ipsf_eval_level_name(r.ev, 0), "serious");
  run_free(&r);
}

Test(vm, hit_unique_conflict) {
  int levels[] = {1, 1, 2};
  int hits[] = {0, 2, -1};
  Run r = run_hits(IPSF_POLICY_UNIQUE, IPSF_NONE, levels, 3, hits);
  cr_assert_not(r.ok);
  cr_assert_eq(r.err.kind, IPSF_ERR_UNIQUE_CONFLICT);
  cr_assert(strstr(r.err.message, "scale 'recovery'"), "%s", r.err.message);
  cr_assert(strstr(r.err.message, "test.ipsf:3:3 (serious)"), "%s", r.err.message);
  cr_assert(strstr(r.err.message, "test.ipsf:5:3 (fatal)"), "%s", r.err.message);
  run_free(&r);
}

Test(vm, otherwise) {
  int levels[] = {2};
  int hits[] = {-1};
  Run r = run_hits(IPSF_POLICY_WORST, 1, levels, 1, hits);
  cr_assert(r.ok, "%s", r.err.message);
  cr_assert_str_eq(ipsf_eval_level_name(r.ev, 0), "serious");
  cr_assert_eq(r.ev->slots[r.pack->scales[0].slot].i, 1);
  cr_assert_eq(r.ev->scale_rule[0], IPSF_NONE);
  cr_assert_not(hit(&r, 0));
  run_free(&r);
}

Test(vm, no_rule_matched) {
  int levels[] = {2};
  int hits[] = {-1};
  Run r = run_hits(IPSF_POLICY_WORST, IPSF_NONE, levels, 1, hits);
  cr_assert_not(r.ok);
  cr_assert_eq(r.err.kind, IPSF_ERR_NO_RULE_MATCHED);
  cr_assert(strstr(r.err.message, "no rule of scale 'recovery' matched and it has no otherwise"),
            "%s", r.err.message);
  run_free(&r);
}

Test(vm, state_is_reset_between_runs) {
  /* A rule hit only when the fact is true; the second run must not see the
   * first run's hit. */
  IpsfPack *p = pb_new("t");
  uint32_t e = pb_enum(p, "recovery", "limited,serious,fatal");
  uint32_t f = pb_fact(p, "b", pb_t(IPSF_K_BOOL), IPSF_NONE);
  uint32_t s = pb_scale(p, "recovery", e, IPSF_POLICY_WORST, 1, 0);
  pb_rule(p, s, 2, 3);
  pb_emit(p, IPSF_OP_LOAD, pb_fact_slot(p, f));
  uint32_t j = pb_emit(p, IPSF_OP_JUMPF, 0);
  pb_emit(p, IPSF_OP_HITW, 0);
  pb_patch(p, j);
  pb_emit(p, IPSF_OP_SCALE, s);
  pb_emit(p, IPSF_OP_RET, 0);
  IpsfError err;
  IpsfPack *q = pb_load(p, &err);
  cr_assert(q, "%s", err.message);
  IpsfEval *ev = ipsf_eval_new(q);
  ipsf_eval_begin(ev);
  cr_assert(ipsf_eval_set_bool(ev, 0, true, &err));
  cr_assert(ipsf_eval_run(ev, &err), "%s", err.message);
  cr_assert_str_eq(ipsf_eval_level_name(ev, 0), "fatal");
  ipsf_eval_begin(ev);
  cr_assert(ipsf_eval_set_bool(ev, 0, false, &err));
  cr_assert(ipsf_eval_run(ev, &err), "%s", err.message);
  cr_assert_str_eq(ipsf_eval_level_name(ev, 0), "limited");
  cr_assert_eq(ev->rule_hit[0], 0);
  ipsf_eval_free(ev);
  ipsf_pack_free(q);
}

/* ---- requirements ------------------------------------------------------- */

/* Requirement SH-01 with methods {self, third} and confirms:
 * 0 self, 1 self every 12, 2 self every 6, 3 third, 4 third every 24.
 * Runs REQ; CONFIRM for each of `order` (-1 terminated); REQEND. */
static Run run_confirms(const int *order) {
  IpsfPack *p = pb_new("t");
  uint32_t vp = pb_viewpoint(p, "pre_operation", "self,third");
  uint32_t q = pb_req(p, "SH-01", vp, 10);
  pb_confirm(p, q, 0, 0, 11);
  pb_confirm(p, q, 0, 12, 12);
  pb_confirm(p, q, 0, 6, 13);
  pb_confirm(p, q, 1, 0, 14);
  pb_confirm(p, q, 1, 24, 15);
  pb_line(p, 10, 1);
  pb_emit(p, IPSF_OP_REQ, q);
  for (int i = 0; order[i] >= 0; i++) pb_emit(p, IPSF_OP_CONFIRM, (uint32_t)order[i]);
  pb_emit(p, IPSF_OP_REQEND, q);
  pb_emit(p, IPSF_OP_RET, 0);
  Run r = {0};
  r.pack = pb_load(p, &r.err);
  cr_assert(r.pack, "%s", r.err.message);
  r.ev = ipsf_eval_new(r.pack);
  ipsf_eval_begin(r.ev);
  r.ok = ipsf_eval_run(r.ev, &r.err);
  return r;
}

static uint32_t chosen(const int *order) {
  Run r = run_confirms(order);
  cr_assert(r.ok, "%s", r.err.message);
  cr_assert(ipsf_eval_applies(r.ev, 0));
  uint32_t c = r.ev->req_confirm[0];
  run_free(&r);
  return c;
}

Test(vm, confirm_strength_order) {
  cr_assert_eq(chosen((int[]){0, -1}), 0);
  cr_assert_eq(chosen((int[]){0, 1, -1}), 1); /* a period beats none */
  cr_assert_eq(chosen((int[]){1, 0, -1}), 1);
  cr_assert_eq(chosen((int[]){1, 2, -1}), 2); /* a shorter period wins */
  cr_assert_eq(chosen((int[]){2, 1, -1}), 2);
  cr_assert_eq(chosen((int[]){2, 3, -1}), 3); /* a higher method wins */
  cr_assert_eq(chosen((int[]){3, 2, -1}), 3);
  cr_assert_eq(chosen((int[]){4, 3, 2, -1}), 4);
  cr_assert_eq(chosen((int[]){3, 4, -1}), 4);
  cr_assert_eq(chosen((int[]){0, 0, -1}), 0);
}

Test(vm, method_name) {
  Run r = run_confirms((int[]){0, 4, -1});
  cr_assert(r.ok, "%s", r.err.message);
  cr_assert_str_eq(ipsf_eval_method(r.ev, 0), "third");
  run_free(&r);
}

Test(vm, reqend_without_confirm) {
  Run r = run_confirms((int[]){-1});
  cr_assert_not(r.ok);
  cr_assert_eq(r.err.kind, IPSF_ERR_NO_RULE_MATCHED);
  cr_assert(strstr(r.err.message, "requirement SH-01 applies but none of its confirm lines matched"),
            "%s", r.err.message);
  cr_assert(strstr(r.err.message, "test.ipsf:10:1"), "%s", r.err.message);
  run_free(&r);
}

Test(vm, store_and_load_slots) {
  IpsfPack *p = pb_new("t");
  uint32_t t = pb_slot(p, pb_t(IPSF_K_INT), IPSF_SLOT_TEMP, NULL);
  uint32_t r = pb_slot(p, pb_t(IPSF_K_INT), IPSF_SLOT_LET, "r");
  uint32_t s = pb_slot(p, pb_t(IPSF_K_STRING), IPSF_SLOT_LET, "never_stored");
  pb_emit(p, IPSF_OP_LOADK, pb_kint(p, 21));
  pb_emit(p, IPSF_OP_STORE, t);
  pb_emit(p, IPSF_OP_LOAD, t);
  pb_emit(p, IPSF_OP_LOAD, t);
  pb_emit(p, IPSF_OP_ADDI, 0);
  pb_emit(p, IPSF_OP_STORE, r);
  pb_emit(p, IPSF_OP_RET, 0);
  IpsfError err;
  IpsfPack *q = pb_load(p, &err);
  cr_assert(q, "%s", err.message);
  IpsfEval *ev = ipsf_eval_new(q);
  ipsf_eval_begin(ev);
  cr_assert(ipsf_eval_run(ev, &err), "%s", err.message);
  cr_assert_eq(ev->slots[r].i, 42);
  cr_assert_str_eq(ev->slots[s].s, ""); /* the zero of a string */
  ipsf_eval_free(ev);
  ipsf_pack_free(q);
}
