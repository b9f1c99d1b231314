/*
 * test_verify.c -- the verifier and loader, eBPF-selftest style: one table
 * row per property, { name, how to build the bad input, ACCEPT/REJECT,
 * a substring of the expected reason }.
 *
 * Each row starts from the valid sample pack (pack_builder.c), changes the
 * in-memory pack (`pack_fn`) and/or the serialised bytes (`bytes_fn`), then
 * loads the bytes with ipsb_read.  Mutations that touch the bytes say
 * whether they recompute the digest (so the structural checks are reached).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "pack_builder.h"

enum { ACCEPT, REJECT };

typedef struct {
  const char *name;
  void (*pack_fn)(IpsfPack *p);
  void (*bytes_fn)(uint8_t **b, size_t *len);
  int expect;
  const char *reason;
} Case;

/* ---- helpers for pack mutations ----------------------------------------- */


/* The sample's two scales settled: what every accepted program must do
 * before RET (rows about other properties start with it). */
#define SETTLE_BOTH I(SCALE, S_S_RECOVERY), I(SCALE, S_S_ECONOMIC)

static uint32_t let_int(IpsfPack *p) { return pb_slot(p, pb_t(IPSF_K_INT), IPSF_SLOT_LET, "x"); }

/* ---- compensated_by (the COMPENSATIONS section) ------------------------- */

/* Give the sample n compensations: SH-01 compensated by SH-20 (another
 * viewpoint) until `until` (NULL: none) for `months`, then any extra. */
static IpsfCompensation *comp_set(IpsfPack *p, uint32_t n, const char *until, uint32_t months) {
  p->compensations = calloc(n, sizeof *p->compensations);
  p->compensation_count = n;
  for (uint32_t i = 0; i < n; i++)
    p->compensations[i] = (IpsfCompensation){S_R_SH01, S_R_SH20,
                                             until ? pb_str(p, until) : IPSF_NONE, months};
  return p->compensations;
}
static void comp_ok(IpsfPack *p) { comp_set(p, 1, "2027-03-31", 0); }
static void comp_ok_months(IpsfPack *p) { comp_set(p, 1, NULL, 12); }
static void comp_req_oob(IpsfPack *p) { comp_set(p, 1, NULL, 0)[0].requirement = 99; }
static void comp_by_oob(IpsfPack *p) { comp_set(p, 1, NULL, 0)[0].by = 2; }
static void comp_self(IpsfPack *p) { comp_set(p, 1, NULL, 0)[0].by = S_R_SH01; }
static void comp_same_viewpoint(IpsfPack *p) {
  uint32_t r = pb_req(p, "SH-02", p->requirements[S_R_SH01].viewpoint, 40);
  comp_set(p, 1, NULL, 0)[0].by = r;
}
static void comp_twice(IpsfPack *p) { comp_set(p, 2, NULL, 0); }
static void comp_unsorted(IpsfPack *p) {
  IpsfCompensation *c = comp_set(p, 2, NULL, 0);
  c[0] = (IpsfCompensation){S_R_SH20, S_R_SH01, IPSF_NONE, 0};
}
static void comp_bad_date(IpsfPack *p) { comp_set(p, 1, "2027-02-30", 0); }
static void comp_until_oob(IpsfPack *p) { comp_set(p, 1, NULL, 0)[0].until = 99999; }
static void comp_months_high(IpsfPack *p) { comp_set(p, 1, NULL, 1201); }
static void comp_both(IpsfPack *p) { comp_set(p, 1, "2027-03-31", 6); }

/* The offset of the last section (the compensations: the highest id the
 * sample writes) in the bytes, from the section table. */
static size_t last_section(const uint8_t *b) {
  uint32_t n = b[12] | (uint32_t)b[13] << 8;
  const uint8_t *e = b + 16 + 12 * (n - 1);
  return e[4] | (size_t)e[5] << 8 | (size_t)e[6] << 16 | (size_t)e[7] << 24;
}
/* Corrupted bytes, the digest recomputed so the checks are reached: a
 * count larger than the section, and an entry whose `by` is out of range. */
static void b_comp_count(uint8_t **b, size_t *len) {
  (*b)[last_section(*b)] = 0x40;
  pb_redigest(*b, *len);
}
static void b_comp_by(uint8_t **b, size_t *len) {
  (*b)[last_section(*b) + 8] = 0x77;
  pb_redigest(*b, *len);
}

/* ---- table rows: pack mutations ----------------------------------------- */

static void nothing(IpsfPack *p) { (void)p; }
static void const_oob(IpsfPack *p) { p->code[0] = I(LOADK, 999); }
static void slot_oob(IpsfPack *p) { p->code[0] = I(LOAD, 999); }
static void rule_oob(IpsfPack *p) { CODE(p, I(HITW, 999), I(RET, 0)); }
static void scale_oob(IpsfPack *p) { CODE(p, I(SCALE, 999), I(RET, 0)); }
static void req_oob(IpsfPack *p) { CODE(p, I(REQ, 999), I(RET, 0)); }
static void reqend_oob(IpsfPack *p) { CODE(p, I(REQEND, 2), I(RET, 0)); }
static void confirm_oob(IpsfPack *p) { CODE(p, I(CONFIRM, 3), I(RET, 0)); }
static void unknown_opcode(IpsfPack *p) { CODE(p, 0xEEu, I(RET, 0)); }
static void none_operand(IpsfPack *p) { CODE(p, I(RET, 1)); }
static void jump_past_end(IpsfPack *p) {
  CODE(p, I(LOADK, 0), I(JUMPF, 40), I(RET, 0));
}
static void jump_to_end_plus_one(IpsfPack *p) { CODE(p, I(JUMP, 1), I(RET, 0)); }
static void jump_wraps(IpsfPack *p) { CODE(p, I(JUMP, IPSF_OPERAND_MAX), I(RET, 0)); }
static void jump_to_last(IpsfPack *p) { CODE(p, SETTLE_BOTH, I(JUMP, 0), I(RET, 0)); }
static void missing_ret(IpsfPack *p) { p->code[p->code_count - 1] = I(NOT, 0); }
static void empty_code(IpsfPack *p) { CODE(p, I(RET, 0)); p->code_count = 0; }
static void underflow(IpsfPack *p) { CODE(p, I(POP, 0), I(RET, 0)); }
static void underflow_binary(IpsfPack *p) {
  uint32_t k = pb_kint(p, 1);
  CODE(p, I(LOADK, k), I(ADDI, 0), I(RET, 0));
}
static void overflow(IpsfPack *p) {
  uint32_t k = pb_kint(p, 1);
  p->max_stack = 1;
  CODE(p, I(LOADK, k), I(LOADK, k), I(EQI, 0), I(POP, 0), I(RET, 0));
}
static void max_stack_limit(IpsfPack *p) { p->max_stack = IPSF_MAX_STACK + 1; }
static void addi_on_bool(IpsfPack *p) {
  uint32_t b = pb_kbool(p, true), k = pb_kint(p, 1), x = let_int(p);
  CODE(p, I(LOADK, b), I(LOADK, k), I(ADDI, 0), I(STORE, x), I(RET, 0));
}
static void eqe_two_enums(IpsfPack *p) {
  CODE(p, I(LOAD, pb_fact_slot(p, S_F_HARM)), I(LOAD, pb_fact_slot(p, S_F_USAGE)), I(EQE, 0),
       I(POP, 0), I(RET, 0));
}
static void inm_other_enum(IpsfPack *p) {
  CODE(p, I(LOAD, pb_fact_slot(p, S_F_USAGE)), I(LOAD, pb_fact_slot(p, S_F_RADIOS)), I(INM, 0),
       I(POP, 0), I(RET, 0));
}
static void eqe_on_ints(IpsfPack *p) {
  uint32_t k = pb_kint(p, 1);
  CODE(p, I(LOADK, k), I(LOADK, k), I(EQE, 0), I(POP, 0), I(RET, 0));
}
static void store_wrong_type(IpsfPack *p) {
  uint32_t b = pb_kbool(p, true), x = let_int(p);
  CODE(p, I(LOADK, b), I(STORE, x), I(RET, 0));
}
static void store_other_enum(IpsfPack *p) {
  uint32_t x = pb_slot(p, pb_te(IPSF_K_ENUM, S_E_USAGE), IPSF_SLOT_LET, "u");
  CODE(p, I(LOAD, pb_fact_slot(p, S_F_HARM)), I(STORE, x), I(RET, 0));
}
static void store_fact(IpsfPack *p) {
  uint32_t k = pb_kint(p, 1);
  CODE(p, I(LOADK, k), I(STORE, pb_fact_slot(p, S_F_LOSS)), I(RET, 0));
}
static void store_scale(IpsfPack *p) {
  CODE(p, I(SCALE, S_S_RECOVERY), I(LOAD, pb_scale_slot(p, S_S_RECOVERY)),
       I(STORE, pb_scale_slot(p, S_S_RECOVERY)), I(RET, 0));
}

/* ---- the evaluation protocol (issue 10 findings 1 and 2, and the class) -- */

/* Finding 1: SCALE left scale_rule unset and a later HITU read rules[-1]. */
static void hitu_after_scale(IpsfPack *p) {
  p->scales[S_S_RECOVERY].policy = IPSF_POLICY_UNIQUE;
  CODE(p, I(SCALE, 0), I(HITU, 0), I(SCALE, 1), I(RET, 0));
}
/* Finding 2: a record with axis1 null (a JUMP over SCALE) ... */
static void jump_over_scale(IpsfPack *p) {
  CODE(p, I(JUMP, 1), I(SCALE, 0), I(SCALE, 1), I(RET, 0));
}
/* ... and a record that says catastrophic while the slot says limited. */
static void hitw_after_scale(IpsfPack *p) {
  CODE(p, I(SCALE, 1), I(HITW, 3), I(SCALE, 0), I(RET, 0));
}
static void scale_twice(IpsfPack *p) { CODE(p, SETTLE_BOTH, I(SCALE, 0), I(RET, 0)); }
static void scale_on_one_path_then_again(IpsfPack *p) {
  uint32_t t = pb_kbool(p, true);
  CODE(p, I(LOADK, t), I(JUMPF, 1), I(SCALE, 0), I(SCALE, 0), I(SCALE, 1), I(RET, 0));
}
static void scale_on_one_path(IpsfPack *p) {
  uint32_t t = pb_kbool(p, true);
  CODE(p, I(LOADK, t), I(JUMPF, 1), I(SCALE, 0), I(SCALE, 1), I(RET, 0));
}
static void read_scale_unsettled(IpsfPack *p) {
  uint32_t s = pb_scale_slot(p, S_S_RECOVERY);
  CODE(p, I(SCALE, 1), I(LOAD, s), I(LOAD, s), I(EQE, 0), I(POP, 0), I(SCALE, 0), I(RET, 0));
}
static void read_let_unwritten(IpsfPack *p) {
  uint32_t x = let_int(p);
  CODE(p, SETTLE_BOTH, I(LOAD, x), I(LOAD, x), I(EQI, 0), I(POP, 0), I(RET, 0));
}
static void let_written_on_one_path(IpsfPack *p) {
  uint32_t x = let_int(p), t = pb_kbool(p, true), k = pb_kint(p, 1);
  CODE(p, SETTLE_BOTH, I(LOADK, t), I(JUMPF, 2), I(LOADK, k), I(STORE, x), I(LOAD, x),
       I(LOAD, x), I(EQI, 0), I(POP, 0), I(RET, 0));
}
static void let_written_on_both_paths(IpsfPack *p) {
  uint32_t x = let_int(p), t = pb_kbool(p, true), k = pb_kint(p, 1);
  CODE(p, SETTLE_BOTH, I(LOADK, t), I(JUMPF, 3), I(LOADK, k), I(STORE, x), I(JUMP, 2),
       I(LOADK, k), I(STORE, x), I(LOAD, x), I(LOAD, x), I(EQI, 0), I(POP, 0), I(RET, 0));
}
static void req_nested(IpsfPack *p) {
  CODE(p, SETTLE_BOTH, I(REQ, 0), I(REQ, 1), I(REQEND, 1), I(REQEND, 0), I(RET, 0));
}
static void req_twice(IpsfPack *p) {
  CODE(p, SETTLE_BOTH, I(REQ, 0), I(CONFIRM, 0), I(REQEND, 0), I(REQ, 0), I(CONFIRM, 0),
       I(REQEND, 0), I(RET, 0));
}
static void confirm_outside(IpsfPack *p) { CODE(p, SETTLE_BOTH, I(CONFIRM, 0), I(RET, 0)); }
static void confirm_of_other(IpsfPack *p) {
  CODE(p, SETTLE_BOTH, I(REQ, 1), I(CONFIRM, 0), I(REQEND, 1), I(RET, 0));
}
static void reqend_other(IpsfPack *p) { CODE(p, SETTLE_BOTH, I(REQ, 0), I(REQEND, 1), I(RET, 0)); }
static void ret_in_req(IpsfPack *p) { CODE(p, SETTLE_BOTH, I(REQ, 0), I(RET, 0)); }
static void req_open_at_join(IpsfPack *p) {
  uint32_t t = pb_kbool(p, true);
  CODE(p, SETTLE_BOTH, I(LOADK, t), I(JUMPF, 1), I(REQ, 0), I(CONFIRM, 0), I(REQEND, 0),
       I(RET, 0));
}
static void req_skipped_on_one_path(IpsfPack *p) {
  uint32_t t = pb_kbool(p, true);
  CODE(p, SETTLE_BOTH, I(LOADK, t), I(JUMPF, 3), I(REQ, 1), I(CONFIRM, 2), I(REQEND, 1),
       I(RET, 0));
}
static void jumpf_on_int(IpsfPack *p) {
  uint32_t k = pb_kint(p, 1);
  CODE(p, I(LOADK, k), I(JUMPF, 0), I(RET, 0));
}
static void join_depth(IpsfPack *p) {
  uint32_t b = pb_kbool(p, true), k = pb_kint(p, 1);
  /* if b then push 1; -- one path has a value more */
  CODE(p, I(LOADK, b), I(JUMPF, 1), I(LOADK, k), I(RET, 0));
}
static void join_type(IpsfPack *p) {
  uint32_t b = pb_kbool(p, true), k = pb_kint(p, 1), x = let_int(p);
  /* if b then 1 else true -- int and bool meet */
  CODE(p, I(LOADK, b), I(JUMPF, 2), I(LOADK, k), I(JUMP, 1), I(LOADK, b), I(STORE, x), I(RET, 0));
}
static void join_ok(IpsfPack *p) {
  uint32_t b = pb_kbool(p, true), k = pb_kint(p, 1), k2 = pb_kint(p, 2), x = let_int(p);
  CODE(p, SETTLE_BOTH, I(LOADK, b), I(JUMPF, 2), I(LOADK, k), I(JUMP, 1), I(LOADK, k2), I(STORE, x),
       I(RET, 0));
}
static void andj_keeps_bool(IpsfPack *p) {
  uint32_t b = pb_kbool(p, true);
  uint32_t x = pb_slot(p, pb_t(IPSF_K_BOOL), IPSF_SLOT_LET, "b");
  CODE(p, SETTLE_BOTH, I(LOADK, b), I(ANDJ, 1), I(LOADK, b), I(STORE, x), I(RET, 0));
}
static void andj_treated_as_pop(IpsfPack *p) {
  uint32_t b = pb_kbool(p, true);
  /* wrong: assumes the jump edge has popped the bool */
  CODE(p, I(LOADK, b), I(ORJ, 2), I(LOADK, b), I(POP, 0), I(RET, 0));
}
static void stack_left_at_ret(IpsfPack *p) {
  uint32_t k = pb_kint(p, 1);
  CODE(p, I(LOADK, k), I(RET, 0));
}
static void unreachable_skipped(IpsfPack *p) {
  CODE(p, SETTLE_BOTH, I(JUMP, 2), I(POP, 0), I(ADDI, 0), I(RET, 0));
}
static void hit_wrong_policy(IpsfPack *p) { CODE(p, I(HITF, 0), I(RET, 0)); }
static void hitu_on_worst(IpsfPack *p) { CODE(p, I(HITU, 3), I(RET, 0)); }
static void bad_utf8(IpsfPack *p) { pb_str_raw(p, "ab\xc3\x28", 4); }
static void overlong_utf8(IpsfPack *p) { pb_str_raw(p, "\xc0\xaf", 2); }
static void surrogate_utf8(IpsfPack *p) { pb_str_raw(p, "\xed\xa0\x80", 3); }
static void nul_in_string(IpsfPack *p) { pb_str_raw(p, "a\0b", 3); }
static void good_utf8(IpsfPack *p) { pb_str_raw(p, "\xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x94\x92", 11); }
static void default_type(IpsfPack *p) { p->facts[S_F_LOSS].default_const = p->facts[S_F_REMOTE].default_const; }
static void default_oob(IpsfPack *p) { p->facts[S_F_LOSS].default_const = 12345; }
static void enum_const_oob(IpsfPack *p) { pb_kenum(p, S_E_HARM, 7); }
static void enum_const_negative(IpsfPack *p) { pb_kenum(p, S_E_HARM, -1); }
static void set_const_bits(IpsfPack *p) { pb_kset(p, S_E_RADIOS, 1u << 5); }
static void bool_const(IpsfPack *p) { uint32_t c_ = pb_kbool(p, true);
  p->consts[c_].value.i = 2; }
static void nan_const(IpsfPack *p) { pb_knum(p, NAN); }
static void inf_const(IpsfPack *p) { pb_knum(p, -INFINITY); }
static void string_const_oob(IpsfPack *p) { uint32_t c_ = pb_kstr(p, "x");
  p->consts[c_].str = 9999; }
static void const_kind(IpsfPack *p) { uint32_t c_ = pb_kint(p, 1);
  p->consts[c_].type.kind = 9; }
static void const_enum_type_oob(IpsfPack *p) { pb_kenum(p, 77, 0); }
static void int_with_enum_type(IpsfPack *p) { uint32_t c_ = pb_kint(p, 1);
  p->consts[c_].type.enum_type = 0; }
static void rule_level(IpsfPack *p) { p->rules[0].level = 9; }
static void rule_scale(IpsfPack *p) { p->rules[0].scale = 5; }
static void rule_other_scale(IpsfPack *p) { p->rules[4].scale = 0; }
static void scale_range(IpsfPack *p) { p->scales[0].rule_count = 50; }
static void scale_enum(IpsfPack *p) { p->scales[0].enum_type = 40; }
static void scale_otherwise(IpsfPack *p) { p->scales[0].otherwise = 3; }
static void scale_policy(IpsfPack *p) { p->scales[1].policy = 7; }
static void axis_role(IpsfPack *p) { p->scales[0].axis = 0; }
static void axis_twice(IpsfPack *p) { p->scales[1].axis = 1; }
static void axis_oob(IpsfPack *p) { p->axis2 = 8; }
static void confirm_method(IpsfPack *p) { p->confirms[0].method = 2; }
static void confirm_req(IpsfPack *p) { p->confirms[2].requirement = 0; }
static void req_confirm_range(IpsfPack *p) { p->requirements[1].confirm_count = 4; }
static void req_viewpoint(IpsfPack *p) { p->requirements[0].viewpoint = 2; }
static void req_id(IpsfPack *p) { p->requirements[0].id = 99999; }
static void viewpoint_method_str(IpsfPack *p) { p->viewpoints[0].methods[1] = 99999; }
static void meta_str(IpsfPack *p) { p->meta.title = 99999; }
static void fact_slot_type(IpsfPack *p) { p->slots[pb_fact_slot(p, S_F_LOSS)].type = pb_t(IPSF_K_NUMBER); }
static void fact_slot_role(IpsfPack *p) { p->slots[pb_fact_slot(p, S_F_LOSS)].role = IPSF_SLOT_LET; }
static void fact_slot_shared(IpsfPack *p) {
  p->facts[S_F_REMOTE].type = pb_t(IPSF_K_INT);
  p->facts[S_F_REMOTE].default_const = p->facts[S_F_LOSS].default_const;
  p->facts[S_F_REMOTE].slot = p->facts[S_F_LOSS].slot;
}
static void orphan_fact_slot(IpsfPack *p) { pb_slot(p, pb_t(IPSF_K_INT), IPSF_SLOT_FACT, "ghost"); }
static void slot_role(IpsfPack *p) { p->slots[0].role = 0; }
static void scale_slot_type(IpsfPack *p) { p->slots[pb_scale_slot(p, 0)].type.enum_type = S_E_HARM; }
static void enum_too_big(IpsfPack *p) {
  char values[65 * 4] = "";
  for (int i = 0; i < 65; i++) {
    char v[8];
    snprintf(v, sizeof v, "%sv%d", i ? "," : "", i);
    strcat(values, v);
  }
  pb_enum(p, "big", values);
}
static void axis_role_range(IpsfPack *p) { p->scales[1].axis = 3; }
/* Deep stacks meeting at many joins: each JUMP 0 costs a full stack
 * comparison, so the verification work passes its cap. */
static void work_limit(IpsfPack *p) {
  enum { DEPTH = 250, JUMPS = 300000 }; /* ~252 units per jump */
  uint32_t k = pb_kbool(p, true), n = 0;
  uint32_t *w = malloc((DEPTH * 2 + JUMPS + 1) * sizeof *w);
  for (int i = 0; i < DEPTH; i++) w[n++] = I(LOADK, k);
  for (int i = 0; i < JUMPS; i++) w[n++] = I(JUMP, 0);
  for (int i = 0; i < DEPTH; i++) w[n++] = I(POP, 0);
  w[n++] = I(RET, 0);
  pb_set_code(p, w, n);
  free(w);
  p->max_stack = DEPTH;
}
static void enum_64(IpsfPack *p) {
  char values[64 * 4] = "";
  for (int i = 0; i < 64; i++) {
    char v[8];
    snprintf(v, sizeof v, "%sv%d", i ? "," : "", i);
    strcat(values, v);
  }
  uint32_t e = pb_enum(p, "big", values);
  pb_kset(p, e, UINT64_MAX);
  pb_kenum(p, e, 63);
}
static void enum_empty(IpsfPack *p) { pb_enum(p, "none", ""); }
static void lines_unsorted(IpsfPack *p) { p->lines[2].pc = p->lines[1].pc; }
static void lines_pc(IpsfPack *p) { p->lines[p->line_count - 1].pc = p->code_count; }
static void lines_file(IpsfPack *p) { p->lines[0].loc.file = 4242; }

/* ---- table rows: byte mutations ----------------------------------------- */

static void b_empty(uint8_t **b, size_t *len) { (void)b; *len = 0; }
static void b_truncate_header(uint8_t **b, size_t *len) { (void)b; *len = 11; }
static void b_truncate(uint8_t **b, size_t *len) { (void)b; *len -= 40; }
static void b_truncate_digest(uint8_t **b, size_t *len) { (void)b; *len -= 1; }
static void b_magic(uint8_t **b, size_t *len) { (void)len; (*b)[1] = 'X'; }
static void b_version(uint8_t **b, size_t *len) { (void)len; (*b)[8] = 7; }
static void b_section_count(uint8_t **b, size_t *len) { (*b)[12] = 12; pb_redigest(*b, *len); }
/* More sections than the format has, required and optional together. */
static void b_section_count_high(uint8_t **b, size_t *len) { (*b)[12] = 60; pb_redigest(*b, *len); }
static void b_section_id(uint8_t **b, size_t *len) { (*b)[16 + 12 * 3] = 9; pb_redigest(*b, *len); }
static void b_digest(uint8_t **b, size_t *len) { (*b)[*len / 2] ^= 0x10; }
static void b_digest_itself(uint8_t **b, size_t *len) { (*b)[*len - 1] ^= 0x01; }
static void b_trailing(uint8_t **b, size_t *len) {
  *b = realloc(*b, *len + 1);
  (*b)[(*len)++] = 0;
}
/* The sections start right after the 16-byte header and the 13-entry
 * table: meta (9 u32) first, then strings, whose first u32 is the count. */
static void b_huge_count(uint8_t **b, size_t *len) {
  size_t at = 16 + 13 * 12 + 9 * 4;
  (*b)[at] = 0xff, (*b)[at + 1] = 0xff, (*b)[at + 2] = 0xff, (*b)[at + 3] = 0x0f;
  pb_redigest(*b, *len);
}
/* Grow the meta section's declared length by 4: sections no longer line up. */
static void b_section_length(uint8_t **b, size_t *len) {
  (*b)[16 + 8] += 4;
  pb_redigest(*b, *len);
}
/* the signature trailer (docs/security.md): 100 bytes after the digest */
static void b_trailer_magic(uint8_t **b, size_t *len) {
  *b = realloc(*b, *len + 100);
  memset(*b + *len, 0, 100);
  memcpy(*b + *len, "SIG2", 4);
  *len += 100;
}
static void b_trailer_short(uint8_t **b, size_t *len) {
  *b = realloc(*b, *len + 99);
  memset(*b + *len, 0, 99);
  memcpy(*b + *len, "SIG1", 4);
  *len += 99;
}
static void b_trailer_bad_signature(uint8_t **b, size_t *len) {
  /* well formed, but the signature is zeros: it loads, marked invalid
   * (test_sign.c checks the flag) */
  b_trailer_magic(b, len);
  memcpy(*b + *len - 100, "SIG1", 4);
}
static void b_garbage(uint8_t **b, size_t *len) {
  for (size_t i = 0; i < *len; i++) (*b)[i] = (uint8_t)(i * 31u + 7u);
}

/* ---- the TESTS section (compile --with-tests; runtime/tests.c) ---------- */

/* A valid section on the sample: a test block giving loss_jpy (fact 2) an
 * int and expecting SH-01 with its second method; a row of a table giving
 * it as a cell and expecting a level of scale 0. */
static IpsfTest *tests_add(IpsfPack *p) {
  p->tests = calloc(1, sizeof *p->tests);
  p->tests->gate = IPSF_NONE;
  p->tests->count = 2;
  p->tests->items = calloc(2, sizeof *p->tests->items);
  IpsfTest *t = &p->tests->items[0], *row = &p->tests->items[1];
  IpsfLoc loc = {pb_str(p, "pack.ipsf"), 3, 1}, at = {pb_str(p, "pack.cases.csv"), 2, 1};
  *t = (IpsfTest){pb_str(p, "a test"), IPSF_NONE, loc, 0, 1, NULL, 1, NULL};
  t->givens = calloc(1, sizeof *t->givens);
  t->givens[0] = (IpsfTestGiven){IPSF_GIVEN_CONST, 2, pb_kint(p, 5), pb_str(p, "loss_jpy")};
  t->expects = calloc(1, sizeof *t->expects);
  t->expects[0] = (IpsfTestExpect){IPSF_EXPECT_REQUIRES, S_R_SH01, 1,
                                   pb_str(p, "expect requires SH-01"), IPSF_NONE, loc, 0, NULL};
  *row = (IpsfTest){pb_str(p, "a row"), IPSF_NONE, at, IPSF_TEST_CASE, 1, NULL, 1, NULL};
  row->givens = calloc(1, sizeof *row->givens);
  row->givens[0] = (IpsfTestGiven){IPSF_GIVEN_CELL, 2, pb_str(p, "5"), pb_str(p, "loss_jpy")};
  row->expects = calloc(1, sizeof *row->expects);
  row->expects[0] = (IpsfTestExpect){IPSF_EXPECT_LEVEL, S_S_RECOVERY, IPSF_NONE,
                                     pb_str(p, "expect:recovery = fatal"), pb_str(p, "fatal"), at,
                                     0, NULL};
  return t;
}
static void tests_ok(IpsfPack *p) { tests_add(p); }
static void tests_name_oob(IpsfPack *p) { tests_add(p)->name = 9999; }
static void tests_given_fact_oob(IpsfPack *p) { tests_add(p)->givens[0].fact = 99; }
static void tests_given_wrong_type(IpsfPack *p) {
  tests_add(p)->givens[0].value = pb_kbool(p, true); /* loss_jpy is an int */
}
static void tests_given_kind(IpsfPack *p) { tests_add(p)->givens[0].kind = 7; }
static void tests_req_oob(IpsfPack *p) { tests_add(p)->expects[0].index = 2; }
static void tests_method_oob(IpsfPack *p) { tests_add(p)->expects[0].method = 2; }
static void tests_scale_oob(IpsfPack *p) { tests_add(p)[1].expects[0].index = 2; }
static void tests_value_oob(IpsfPack *p) { tests_add(p)[1].expects[0].value = 9999; }
static void tests_expect_kind(IpsfPack *p) { tests_add(p)[1].expects[0].kind = 0; }
static uint32_t add_gate(IpsfPack *p) {
  return p->tests->gate = pb_slot(p, pb_t(IPSF_K_INT), IPSF_SLOT_FACT, "test#");
}
static void tests_value_not_let(IpsfPack *p) {
  IpsfTest *t = tests_add(p);
  add_gate(p);
  t->expects[0] = (IpsfTestExpect){IPSF_EXPECT_VALUE, pb_fact_slot(p, 0), IPSF_NONE,
                                   t->expects[0].text, IPSF_NONE, t->loc, 0, NULL};
}
static void tests_value_no_gate(IpsfPack *p) {
  IpsfTest *t = tests_add(p);
  t->expects[0] = (IpsfTestExpect){IPSF_EXPECT_VALUE, let_int(p), IPSF_NONE, t->expects[0].text,
                                   IPSF_NONE, t->loc, 0, NULL};
}
static void tests_gate_owned(IpsfPack *p) {
  tests_add(p);
  p->tests->gate = pb_fact_slot(p, 2); /* loss_jpy's: a sheet could set it */
}
static void tests_gate_ok(IpsfPack *p) {
  tests_add(p);
  add_gate(p);
}
/* Found by fuzz_ipsb (regressions/ipsb/tests-cell-given-in-a-block): a
 * block's given of a row's kind; and the other way round, a row's
 * expectation in a block. */
static void tests_cell_in_block(IpsfPack *p) {
  IpsfTest *t = tests_add(p);
  t->givens[0] = t[1].givens[0];
}
static void tests_const_in_row(IpsfPack *p) {
  IpsfTest *t = tests_add(p);
  t[1].givens[0] = t->givens[0];
}
static void tests_row_kind_in_block(IpsfPack *p) {
  IpsfTest *t = tests_add(p);
  t->expects[0] = t[1].expects[0];
}
/* The section's bytes, a count made huge: the loader's bound. */
static void b_tests_count(uint8_t **b, size_t *len) {
  /* the last section is TESTS: u32 gate, then the count */
  uint32_t n = *(*b + 12) | (uint32_t)*(*b + 13) << 8;
  const uint8_t *e = *b + 16 + (size_t)(n - 1) * 12u;
  uint32_t off = e[4] | (uint32_t)e[5] << 8 | (uint32_t)e[6] << 16 | (uint32_t)e[7] << 24;
  memset(*b + off + 4, 0xFF, 4);
  pb_redigest(*b, *len);
}
static void tests_then_count(IpsfPack *p) { tests_add(p); }
/* ---- the catalogs section ------------------------------------------------- */

/* A valid catalog of two provisions, the first cited by requirement 0. */
static uint32_t *u32s(uint32_t n, uint32_t v) {
  uint32_t *a = calloc(n + 1, sizeof *a);
  for (uint32_t k = 0; k < n; k++) a[k] = v + k;
  return a;
}
static void catalog_ok(IpsfPack *p) {
  p->catalogs = calloc(1, sizeof *p->catalogs);
  p->provisions = calloc(2, sizeof *p->provisions);
  p->catalog_count = 1;
  p->provision_count = 2;
  p->catalogs[0] = (IpsfCatalog){pb_str(p, "Example Code"), pb_str(p, "2.0"), IPSF_NONE, 0, 2};
  p->provisions[0] = (IpsfProvision){pb_str(p, "ECP-1"), pb_str(p, "1"), pb_str(p, "One"),
                                     IPSF_PROVISION_MANDATORY, 1, u32s(1, pb_str(p, "ECP-2")),
                                     1, u32s(1, 0)};
  p->provisions[1] = (IpsfProvision){pb_str(p, "ECP-2"), pb_str(p, "2"), pb_str(p, "Two"),
                                     IPSF_PROVISION_INFORMATIVE, 0, NULL, 0, NULL};
}
static void catalog_name(IpsfPack *p) { catalog_ok(p); p->catalogs[0].name = 99999; }
static void catalog_date(IpsfPack *p) { catalog_ok(p); p->catalogs[0].date = 99999; }
static void catalog_block(IpsfPack *p) { catalog_ok(p); p->catalogs[0].provision_count = 3; }
static void catalog_first(IpsfPack *p) { catalog_ok(p); p->catalogs[0].first_provision = 1; }
static void catalog_short(IpsfPack *p) { catalog_ok(p); p->catalogs[0].provision_count = 1; }
static void provision_id(IpsfPack *p) { catalog_ok(p); p->provisions[1].id = 99999; }
static void provision_title(IpsfPack *p) { catalog_ok(p); p->provisions[0].title = 99999; }
static void provision_status(IpsfPack *p) { catalog_ok(p); p->provisions[1].status = 4; }
static void provision_satisfied(IpsfPack *p) {
  catalog_ok(p);
  p->provisions[0].satisfied_by[0] = 99999;
}
static void provision_cited(IpsfPack *p) { catalog_ok(p); p->provisions[0].cited_by[0] = 2; }
static void provision_cited_order(IpsfPack *p) {
  catalog_ok(p);
  free(p->provisions[0].cited_by);
  p->provisions[0].cited_by = u32s(2, 0);
  p->provisions[0].cited_by[1] = 0;
  p->provisions[0].cited_count = 2;
}

static const Case cases[] = {
    {"valid sample pack", nothing, NULL, ACCEPT, NULL},
    /* the TESTS section */
    {"tests: a valid section", tests_ok, NULL, ACCEPT, NULL},
    {"tests: a gate slot no fact owns", tests_gate_ok, NULL, ACCEPT, NULL},
    {"tests: name string out of range", tests_name_oob, NULL, REJECT, "test 0: name string"},
    {"tests: given fact out of range", tests_given_fact_oob, NULL, REJECT, "fact 99 out of range"},
    {"tests: given constant of another type", tests_given_wrong_type, NULL, REJECT,
     "is not of the type of fact 'loss_jpy'"},
    {"tests: unknown given kind", tests_given_kind, NULL, REJECT, "unknown kind 7"},
    {"tests: requirement out of range", tests_req_oob, NULL, REJECT, "requirement 2 out of range"},
    {"tests: method out of range", tests_method_oob, NULL, REJECT, "method 2 out of range"},
    {"tests: scale out of range", tests_scale_oob, NULL, REJECT, "scale 2 out of range"},
    {"tests: value string out of range", tests_value_oob, NULL, REJECT, "value string 9999"},
    {"tests: unknown expectation kind", tests_expect_kind, NULL, REJECT, "unknown kind 0"},
    {"tests: an expect EXPR reading a fact slot", tests_value_not_let, NULL, REJECT,
     "is not a bool let slot"},
    {"tests: an expect EXPR without a gate", tests_value_no_gate, NULL, REJECT,
     "no gate slot to run it"},
    {"tests: a table cell given in a test block", tests_cell_in_block, NULL, REJECT,
     "test 0, given 0: kind 2 is not one of a test block"},
    {"tests: a constant given in a row", tests_const_in_row, NULL, REJECT,
     "test 1, given 0: kind 1 is not one of a row of a table"},
    {"tests: a row's expectation in a test block", tests_row_kind_in_block, NULL, REJECT,
     "test 0, expectation 0: kind 7 is not one of a test block"},
    {"tests: the gate is a fact's slot", tests_gate_owned, NULL, REJECT,
     "gate slot 2 belongs to fact 2"},
    {"tests: a huge test count", tests_then_count, b_tests_count, REJECT,
     "tests need at least"},
    {"valid UTF-8 strings", good_utf8, NULL, ACCEPT, NULL},
    {"an enum of 64 values and a full set", enum_64, NULL, ACCEPT, NULL},
    {"unreachable code is skipped", unreachable_skipped, NULL, ACCEPT, NULL},
    {"paths meet with equal stacks", join_ok, NULL, ACCEPT, NULL},
    {"ANDJ keeps its bool on the jump edge", andj_keeps_bool, NULL, ACCEPT, NULL},
    {"jump to the last instruction", jump_to_last, NULL, ACCEPT, NULL},
    /* frame */
    {"empty file", NULL, b_empty, REJECT, "truncated file: 0 bytes"},
    {"truncated header", NULL, b_truncate_header, REJECT, "truncated file: 11 bytes"},
    {"truncated file", NULL, b_truncate, REJECT, "truncated file: "},
    {"truncated digest", NULL, b_truncate_digest, REJECT, "truncated file: the digest ends at"},
    {"bad magic", NULL, b_magic, REJECT, "bad magic"},
    {"garbage", NULL, b_garbage, REJECT, "bad magic"},
    {"bad version", NULL, b_version, REJECT, "unsupported format version 7 (this ipsfc reads 3: compile the pack again)"},
    {"bad section count", NULL, b_section_count, REJECT, "bad section count 12"},
    {"section count above the optional ones", NULL, b_section_count_high, REJECT,
     "bad section count 60"},
    {"section out of order", NULL, b_section_id, REJECT, "section table entry 3 has id 9"},
    {"section length", NULL, b_section_length, REJECT, "section 'strings' starts at byte"},
    {"bad digest", NULL, b_digest, REJECT, "digest mismatch: the file was altered or corrupted"},
    {"signature trailer with another magic", NULL, b_trailer_magic, REJECT,
     "malformed signature trailer: bad magic (expected \"SIG1\")"},
    {"signature trailer one byte short", NULL, b_trailer_short, REJECT,
     "malformed signature trailer: 99 bytes after the digest"},
    {"well-formed trailer, bad signature", NULL, b_trailer_bad_signature, ACCEPT, NULL},
    {"axis role out of range", axis_role_range, NULL, REJECT, "scale 1: axis role 3 is not 0, 1 or 2"},
    {"verification work cap", work_limit, NULL, REJECT, "verification work limit exceeded"},
    {"bad digest bytes", NULL, b_digest_itself, REJECT, "digest mismatch"},
    {"trailing bytes", NULL, b_trailing, REJECT,
     "malformed signature trailer: 1 bytes after the digest"},
    {"huge count from a small file", NULL, b_huge_count, REJECT,
     "section 'strings': 268435455 strings need at least 1073741820 bytes"},
    /* catalogs */
    {"a valid catalog", catalog_ok, NULL, ACCEPT, NULL},
    {"catalog name string", catalog_name, NULL, REJECT, "catalog 0: name, version or date string out of range"},
    {"catalog date string", catalog_date, NULL, REJECT, "catalog 0: name, version or date string out of range"},
    {"catalog block past the provisions", catalog_block, NULL, REJECT, "catalog 'Example Code': provisions 0..+3 do not follow"},
    {"catalog block not first", catalog_first, NULL, REJECT, "catalog 'Example Code': provisions 1..+2 do not follow"},
    {"provisions in no catalog", catalog_short, NULL, REJECT, "the catalogs hold 1 provisions, but the section has 2"},
    {"provision id string", provision_id, NULL, REJECT, "provision 1: id, clause or title string out of range"},
    {"provision title string", provision_title, NULL, REJECT, "provision 0: id, clause or title string out of range"},
    {"provision status", provision_status, NULL, REJECT, "provision ECP-2: status 4 is not mandatory"},
    {"provision satisfied_by string", provision_satisfied, NULL, REJECT, "provision ECP-1: satisfied_by 0: string 99999 out of range"},
    {"provision cited_by requirement", provision_cited, NULL, REJECT, "provision ECP-1: cited_by 0: requirement 2 out of range (2 requirements)"},
    {"provision cited_by order", provision_cited_order, NULL, REJECT, "provision ECP-1: cited_by 1: requirement 0 does not follow 0"},
    /* strings */
    {"invalid UTF-8 string", bad_utf8, NULL, REJECT, "is not valid UTF-8"},
    {"overlong UTF-8", overlong_utf8, NULL, REJECT, "is not valid UTF-8"},
    {"UTF-16 surrogate in UTF-8", surrogate_utf8, NULL, REJECT, "is not valid UTF-8"},
    {"NUL inside a string", nul_in_string, NULL, REJECT, "without NUL (bad byte 0x00 at offset 1"},
    {"metadata string out of range", meta_str, NULL, REJECT, "metadata 'title': string 99999"},
    /* tables */
    {"enum with 65 values", enum_too_big, NULL, REJECT, "enum 'big': 65 values (must be 1..64)"},
    {"enum with no values", enum_empty, NULL, REJECT, "enum 'none': 0 values"},
    {"unknown value kind", const_kind, NULL, REJECT, "unknown value kind 9"},
    {"constant enum type out of range", const_enum_type_oob, NULL, REJECT, "enum type 77 out of range"},
    {"int constant with an enum type", int_with_enum_type, NULL, REJECT, "an int has no enum type"},
    {"enum constant out of range", enum_const_oob, NULL, REJECT, "enum value 7 out of range (enum 'harm' has 4 values)"},
    {"negative enum constant", enum_const_negative, NULL, REJECT, "enum value -1 out of range"},
    {"set constant with extra bits", set_const_bits, NULL, REJECT, "set has members beyond the 3 values of enum 'radios'"},
    {"bool constant 2", bool_const, NULL, REJECT, "bool value 2 is not 0 or 1"},
    {"NaN constant", nan_const, NULL, REJECT, "number is not finite"},
    {"-Inf constant", inf_const, NULL, REJECT, "number is not finite"},
    {"string constant out of range", string_const_oob, NULL, REJECT, "string 9999 out of range"},
    {"slot role", slot_role, NULL, REJECT, "slot 0: unknown role 0"},
    {"fact slot type", fact_slot_type, NULL, REJECT, "fact 'loss_jpy' is an int, but its slot 2 holds a number"},
    {"fact slot role", fact_slot_role, NULL, REJECT, "fact 'loss_jpy': slot 2 is not a fact slot"},
    {"two facts share a slot", fact_slot_shared, NULL, REJECT, "already belongs to fact 2"},
    {"fact slot without a fact", orphan_fact_slot, NULL, REJECT, "is a fact slot, but no fact owns it"},
    {"default of the wrong type", default_type, NULL, REJECT, "fact 'loss_jpy' is an int, but its default constant 2 is a bool"},
    {"default out of range", default_oob, NULL, REJECT, "default constant 12345 out of range"},
    {"scale enum out of range", scale_enum, NULL, REJECT, "scale 'recovery': enum type 40 out of range"},
    {"scale slot type", scale_slot_type, NULL, REJECT, "does not hold the scale's levels"},
    {"scale otherwise out of range", scale_otherwise, NULL, REJECT, "otherwise level 3 out of range (3 levels)"},
    {"scale policy", scale_policy, NULL, REJECT, "unknown hit policy 7"},
    {"scale rule range", scale_range, NULL, REJECT, "scale 'recovery': rules 0..+50 out of range (6 rules)"},
    {"rule of another scale in a range", rule_other_scale, NULL, REJECT, "scale 'economic': rule 4 in its range belongs to scale 0"},
    {"rule scale out of range", rule_scale, NULL, REJECT, "in its range belongs to scale 5"},
    {"rule level out of range", rule_level, NULL, REJECT, "rule 0: level 9 out of range (scale 'recovery' has 3 levels)"},
    {"axis without the role", axis_role, NULL, REJECT, "axis 1 names scale 'recovery', which does not have the axis 1 role"},
    {"two scales claim axis 1", axis_twice, NULL, REJECT, "scale 'economic' has the axis 1 role, but the pack's axis 1 is recovery"},
    {"axis out of range", axis_oob, NULL, REJECT, "axis 2 names scale 8, out of range"},
    {"viewpoint method string", viewpoint_method_str, NULL, REJECT, "viewpoint 'pre_operation': method 1: string 99999"},
    {"requirement id string", req_id, NULL, REJECT, "requirement 0: id string 99999"},
    {"requirement viewpoint", req_viewpoint, NULL, REJECT, "requirement SH-01: viewpoint 2 out of range (2 viewpoints)"},
    {"requirement confirm range", req_confirm_range, NULL, REJECT, "requirement SH-20: confirms 2..+4 out of range (3 confirms)"},
    {"confirm of another requirement", confirm_req, NULL, REJECT, "confirm 2 in its range belongs to requirement 0"},
    {"confirm method out of range", confirm_method, NULL, REJECT, "confirm 0: method 2 out of range (viewpoint 'pre_operation' has 2 methods)"},
    {"line table unsorted", lines_unsorted, NULL, REJECT, "line table entry 2: pc"},
    {"line table pc past the end", lines_pc, NULL, REJECT, "is past the end"},
    {"line table file", lines_file, NULL, REJECT, "line table entry 0: file string 4242"},
    /* operands */
    {"empty code", empty_code, NULL, REJECT, "the code is empty"},
    {"unknown opcode", unknown_opcode, NULL, REJECT, "instruction 0: unknown opcode 238"},
    {"operand of a NONE instruction", none_operand, NULL, REJECT, "instruction 0 (RET): operand must be 0, is 1"},
    {"constant index out of range", const_oob, NULL, REJECT, "instruction 0 (LOADK): constant 999 out of range"},
    {"slot index out of range", slot_oob, NULL, REJECT, "instruction 0 (LOAD): slot 999 out of range"},
    {"rule index out of range", rule_oob, NULL, REJECT, "instruction 0 (HITW): rule 999 out of range (6 rules)"},
    {"scale index out of range", scale_oob, NULL, REJECT, "instruction 0 (SCALE): scale 999 out of range (2 scales)"},
    {"requirement index out of range", req_oob, NULL, REJECT, "instruction 0 (REQ): requirement 999 out of range"},
    {"REQEND index out of range", reqend_oob, NULL, REJECT, "instruction 0 (REQEND): requirement 2 out of range"},
    {"confirm index out of range", confirm_oob, NULL, REJECT, "instruction 0 (CONFIRM): confirm 3 out of range (3 confirms)"},
    /* Backward jumps cannot be encoded (the offset is unsigned); the
     * largest offset does not wrap around either. */
    {"jump past end", jump_past_end, NULL, REJECT, "instruction 1 (JUMPF): jump target 42 is past the end (3 instructions)"},
    {"jump just past end", jump_to_end_plus_one, NULL, REJECT, "instruction 0 (JUMP): jump target 2 is past the end"},
    {"jump offset does not wrap", jump_wraps, NULL, REJECT, "jump target 16777216 is past the end"},
    {"missing RET", missing_ret, NULL, REJECT, "(NOT): the last instruction must be RET"},
    {"HIT with the wrong policy", hit_wrong_policy, NULL, REJECT, "instruction 0 (HITF): rule 0 belongs to scale 'recovery' with policy worst, not first"},
    {"HITU on a worst scale", hitu_on_worst, NULL, REJECT, "policy worst, not unique"},
    /* stack and types */
    {"stack underflow", underflow, NULL, REJECT, "instruction 0 (POP): stack underflow: needs 1 value, the stack holds 0"},
    {"stack underflow, binary op", underflow_binary, NULL, REJECT, "instruction 1 (ADDI): stack underflow: needs 2 values, the stack holds 1"},
    {"stack overflow vs max_stack", overflow, NULL, REJECT, "instruction 1 (LOADK): stack overflow: depth 2 exceeds max_stack 1"},
    {"max_stack over the limit", max_stack_limit, NULL, REJECT, "max_stack 257 exceeds the limit 256"},
    {"ADDI on a bool", addi_on_bool, NULL, REJECT, "instruction 2 (ADDI): first operand is a bool, expected an int"},
    {"EQE on two different enum types", eqe_two_enums, NULL, REJECT, "instruction 2 (EQE): operands of different enum types 'harm' and 'usage'"},
    {"INM of another enum's set", inm_other_enum, NULL, REJECT, "(INM): operands of different enum types 'usage' and 'radios'"},
    {"EQE on ints", eqe_on_ints, NULL, REJECT, "(EQE): first operand is an int, expected an enum"},
    {"JUMPF on an int", jumpf_on_int, NULL, REJECT, "instruction 1 (JUMPF): operand is an int, expected a bool"},
    {"STORE of the wrong type", store_wrong_type, NULL, REJECT, "instruction 1 (STORE): operand is a bool, expected an int"},
    {"STORE of another enum", store_other_enum, NULL, REJECT, "operand is an enum harm, expected an enum usage"},
    {"STORE into a fact slot", store_fact, NULL, REJECT, "instruction 1 (STORE): slot 2 ('loss_jpy') is a fact slot and cannot be stored into"},
    {"STORE into a scale slot", store_scale, NULL, REJECT, "is a scale slot and cannot be stored into"},
    {"mismatched stack depth at a join", join_depth, NULL, REJECT, "stack mismatch where paths meet at instruction 3"},
    {"mismatched types at a join", join_type, NULL, REJECT, "cell 0 is a bool here, an int on another path"},
    {"ORJ does not pop on the jump edge", andj_treated_as_pop, NULL, REJECT, "instruction 4 (RET): stack mismatch where paths meet at instruction 4: depth 0 here, 1 on another path"},
    {"values left at RET", stack_left_at_ret, NULL, REJECT, "instruction 1 (RET): the stack must be empty at RET, it holds 1 value"},
    /* the evaluation protocol */
    {"HITU after its scale's SCALE (finding 1)", hitu_after_scale, NULL, REJECT, "instruction 1 (HITU): rule 0 hits scale 'recovery' after the scale may have been settled"},
    {"JUMP over a SCALE (finding 2)", jump_over_scale, NULL, REJECT, "instruction 3 (RET): scale 'recovery' is not settled on every path to RET"},
    {"HITW after its scale's SCALE (finding 2)", hitw_after_scale, NULL, REJECT, "instruction 1 (HITW): rule 3 hits scale 'economic' after the scale may have been settled"},
    {"SCALE twice", scale_twice, NULL, REJECT, "instruction 2 (SCALE): scale 'recovery' may already be settled here (settled twice)"},
    {"SCALE on one path, then again", scale_on_one_path_then_again, NULL, REJECT, "instruction 3 (SCALE): scale 'recovery' may already be settled"},
    {"SCALE on one path only", scale_on_one_path, NULL, REJECT, "(RET): scale 'recovery' is not settled on every path to RET"},
    {"scale slot read before SCALE", read_scale_unsettled, NULL, REJECT, "instruction 1 (LOAD): reads scale 'recovery' before it is settled on every path"},
    {"let read before STORE", read_let_unwritten, NULL, REJECT, "instruction 2 (LOAD): reads slot"},
    {"let stored on one path only", let_written_on_one_path, NULL, REJECT, "instruction 6 (LOAD): reads slot"},
    {"let stored on both paths", let_written_on_both_paths, NULL, ACCEPT, NULL},
    {"REQ inside a requirement", req_nested, NULL, REJECT, "instruction 3 (REQ): requirement SH-20 is entered while requirement SH-01 is open"},
    {"a requirement entered twice", req_twice, NULL, REJECT, "instruction 5 (REQ): requirement SH-01 may already have been entered"},
    {"CONFIRM outside a requirement", confirm_outside, NULL, REJECT, "instruction 2 (CONFIRM): confirm 0 of requirement SH-01 outside it (open: none)"},
    {"CONFIRM of another requirement", confirm_of_other, NULL, REJECT, "(CONFIRM): confirm 0 of requirement SH-01 outside it (open: SH-20)"},
    {"REQEND of another requirement", reqend_other, NULL, REJECT, "(REQEND): REQEND of requirement SH-20, but the open requirement is SH-01"},
    {"RET inside a requirement", ret_in_req, NULL, REJECT, "(RET): RET inside requirement SH-01 (no REQEND)"},
    {"paths meet with a requirement open on one", req_open_at_join, NULL, REJECT, "instruction 5 (CONFIRM): paths meet at instruction 5 with different open requirements (none and SH-01)"},
    {"a requirement skipped on one path", req_skipped_on_one_path, NULL, ACCEPT, NULL},
    /* compensated_by: the COMPENSATIONS section */
    {"a compensation until a day", comp_ok, NULL, ACCEPT, NULL},
    {"a compensation for 12 months", comp_ok_months, NULL, ACCEPT, NULL},
    {"compensation: requirement out of range", comp_req_oob, NULL, REJECT, "compensation 0: requirement 99 or 1 out of range (2 requirements)"},
    {"compensation: by out of range", comp_by_oob, NULL, REJECT, "compensation 0: requirement 0 or 2 out of range"},
    {"compensation of itself", comp_self, NULL, REJECT, "compensation 0: requirement SH-01 compensates for itself"},
    {"compensation from the same viewpoint", comp_same_viewpoint, NULL, REJECT, "requirement SH-01 is compensated by SH-02 of the same viewpoint"},
    {"a compensation pair twice", comp_twice, NULL, REJECT, "compensation 1: requirement SH-01 names SH-20 twice"},
    {"compensations not sorted", comp_unsorted, NULL, REJECT, "compensation 1: not sorted by requirement"},
    {"compensation until a day that is no date", comp_bad_date, NULL, REJECT, "compensation 0: until is not a calendar date"},
    {"compensation until: string out of range", comp_until_oob, NULL, REJECT, "compensation 0: until string 99999 out of range"},
    {"compensation for 1201 months", comp_months_high, NULL, REJECT, "months 1201 (at most 1200"},
    {"compensation with until and months", comp_both, NULL, REJECT, "months 6 (at most 1200, and not with until)"},
    {"compensations: count past the section", comp_ok, b_comp_count, REJECT, "section 'compensations': 64 compensations need at least 1024 bytes"},
    {"compensations: by corrupted in the bytes", comp_ok, b_comp_by, REJECT, "compensation 0: requirement 0 or 119 out of range"},
};

static void run_case(const Case *c) {
  IpsfPack *p = pb_sample();
  if (c->pack_fn) c->pack_fn(p);
  uint8_t *b;
  size_t len;
  pb_bytes(p, &b, &len);
  ipsf_pack_free(p);
  if (c->bytes_fn) c->bytes_fn(&b, &len);
  IpsfError err = {0};
  IpsfPack *q = ipsb_read(b, len, &err);
  free(b);
  if (c->expect == ACCEPT) {
    cr_expect(q != NULL, "[%s] rejected: %s", c->name, err.message);
  } else {
    cr_expect(q == NULL, "[%s] accepted, expected: %s", c->name, c->reason);
    if (!q) {
      cr_expect_eq(err.kind, IPSF_ERR_BYTECODE, "[%s] kind %d: %s", c->name, err.kind, err.message);
      cr_expect(strstr(err.message, c->reason) != NULL, "[%s]\n  got:  %s\n  want: %s", c->name,
                err.message, c->reason);
    }
  }
  ipsf_pack_free(q);
}

Test(verify, table) {
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) run_case(&cases[i]);
}

/* The verifier on an in-memory pack (what the compiler will call before
 * writing), without the loader. */
Test(verify, direct) {
  IpsfPack *p = pb_sample();
  IpsfError err = {0};
  cr_assert(ipsf_verify(p, &err), "%s", err.message);
  p->code[p->code_count - 1] = IPSF_INSN(IPSF_OP_POP, 0);
  cr_assert_not(ipsf_verify(p, &err));
  cr_assert(strstr(err.message, "the last instruction must be RET"), "%s", err.message);
  ipsf_pack_free(p);
}

/* A long straight line of code passes; the work cap is far above it. */
Test(verify, long_code) {
  IpsfPack *p = pb_new("t");
  uint32_t k = pb_kbool(p, true);
  uint32_t x = pb_slot(p, pb_t(IPSF_K_BOOL), IPSF_SLOT_LET, "x");
  for (int i = 0; i < 100000; i++) {
    pb_emit(p, IPSF_OP_LOADK, k);
    uint32_t j = pb_emit(p, IPSF_OP_ANDJ, 0);
    pb_emit(p, IPSF_OP_LOADK, k);
    pb_patch(p, j);
    pb_emit(p, IPSF_OP_STORE, x);
  }
  pb_emit(p, IPSF_OP_RET, 0);
  IpsfError err = {0};
  IpsfPack *q = pb_load(p, &err);
  cr_assert(q, "%s", err.message);
  ipsf_pack_free(q);
}

/* ---- the cost bound (issue 10 finding 4) ---------------------------------- */

/* A pack is refused with the default limit and loads without one; its
 * cost, for the test to check. */
static void load_both_ways(IpsfPack *p, IpsfCost *cost, IpsfError *err) {
  uint8_t *b;
  size_t len;
  pb_bytes(p, &b, &len);
  ipsf_pack_free(p);
  IpsfPack *q = ipsf_pack_load(b, len, err);
  cr_expect_null(q, "a pack over the cost limit loaded");
  ipsf_pack_free(q);
  IpsfError e2 = {0};
  q = ipsf_pack_load_limited(b, len, UINT64_MAX, &e2);
  cr_assert(q, "without a limit it loads: %s", e2.message);
  *cost = *ipsf_pack_cost(q);
  ipsf_pack_free(q);
  free(b);
}

/* LOWER repeated on a 1 MiB string: the scratch area would grow by 1 MiB
 * per instruction. */
Test(verify, cost_lower_scratch) {
  IpsfCost c;
  IpsfError err = {0};
  load_both_ways(pb_string_ops(IPSF_OP_LOWER, 1u << 20, 120, false), &c, &err);
  cr_expect_eq(err.kind, IPSF_ERR_LIMIT, "%s", err.message);
  cr_expect(strstr(err.message, "exceeds the limit 32000000"), "%s", err.message);
  cr_expect_eq(c.scratch_bytes, 120u * ((1u << 20) + 1u));
  cr_expect_geq(c.total, c.scratch_bytes + c.string_bytes);
}

/* EQS of two large constants: each instruction compares them whole. */
Test(verify, cost_eqs_bytes) {
  IpsfCost c;
  IpsfError err = {0};
  load_both_ways(pb_string_ops(IPSF_OP_EQS, 2u << 20, 60, true), &c, &err);
  cr_expect_eq(err.kind, IPSF_ERR_LIMIT, "%s", err.message);
  cr_expect_eq(c.string_bytes, 60u * ((2u << 20) + 1u));
  cr_expect_eq(c.scratch_bytes, 0);
}

/* 3,000 refs to one 100 kB string: every record would carry them. */
Test(verify, cost_report_refs) {
  IpsfPack *p = pb_many_refs();
  IpsfCost c;
  IpsfError err = {0};
  load_both_ways(p, &c, &err);
  cr_expect_eq(err.kind, IPSF_ERR_LIMIT, "%s", err.message);
  cr_expect_gt(c.report_bytes, 3000u * 100000u);
}

/* A string fact counts as IPSF_MAX_FACT_STRING bytes: LOWER of a fact. */
Test(verify, cost_fact_strings) {
  IpsfPack *p = pb_sample();
  IpsfError err = {0};
  IpsfPack *q = pb_load(p, &err);
  cr_assert(q, "%s", err.message);
  const IpsfCost *c = ipsf_pack_cost(q);
  /* the sample lowers its string fact once into a let */
  cr_expect_eq(c->scratch_bytes, IPSF_MAX_FACT_STRING + 1u);
  cr_expect_lt(c->total, IPSF_DEFAULT_MAX_COST);
  cr_expect_gt(c->report_bytes, 0);
  ipsf_pack_free(q);
}

/* ---- usage profiles (section PROFILES) -----------------------------------
 * The sample pack plus two profiles: "home" sets usage, "care" sets usage
 * and allows two harms and a subset of radios.  Each row corrupts one
 * field; the pack must round-trip through the bytes and be refused with
 * the reason, or accepted. */

static void add_profiles(IpsfPack *p) {
  p->profile_count = 2;
  p->profiles = calloc(2, sizeof *p->profiles);
  p->profile_item_count = 4;
  p->profile_items = calloc(4, sizeof *p->profile_items);
  p->profiles[0] = (IpsfProfile){pb_str(p, "home"), pb_str(p, "Used at home"), IPSF_NONE, 0, 1};
  p->profiles[1] = (IpsfProfile){pb_str(p, "care"), pb_str(p, "Used in care"), pb_str(p, "doc"), 1, 3};
  p->profile_items[0] = (IpsfProfileItem){IPSF_PROFILE_SETS, S_F_USAGE, pb_kenum(p, S_E_USAGE, 0)};
  p->profile_items[1] = (IpsfProfileItem){IPSF_PROFILE_SETS, S_F_USAGE, pb_kenum(p, S_E_USAGE, 1)};
  p->profile_items[2] = (IpsfProfileItem){IPSF_PROFILE_ALLOWS, S_F_HARM, pb_kset(p, S_E_HARM, 0x6)};
  p->profile_items[3] = (IpsfProfileItem){IPSF_PROFILE_ALLOWS, S_F_RADIOS, pb_kset(p, S_E_RADIOS, 0x3)};
}

static void pr_valid(IpsfPack *p) { add_profiles(p); }
static void pr_name_oob(IpsfPack *p) { add_profiles(p); p->profiles[1].name = 99999; }
static void pr_doc_oob(IpsfPack *p) { add_profiles(p); p->profiles[0].doc = 99999; }
static void pr_same_name(IpsfPack *p) { add_profiles(p); p->profiles[1].name = p->profiles[0].name; }
static void pr_range_gap(IpsfPack *p) { add_profiles(p); p->profiles[1].first_item = 2; p->profiles[1].item_count = 2; }
static void pr_range_past(IpsfPack *p) { add_profiles(p); p->profiles[1].item_count = 4; }
static void pr_orphans(IpsfPack *p) { add_profiles(p); p->profiles[1].item_count = 2; }
static void pr_kind(IpsfPack *p) { add_profiles(p); p->profile_items[2].kind = 7; }
static void pr_fact_oob(IpsfPack *p) { add_profiles(p); p->profile_items[0].fact = 500; }
static void pr_const_oob(IpsfPack *p) { add_profiles(p); p->profile_items[0].value = 70000; }
static void pr_sets_wrong_type(IpsfPack *p) {
  add_profiles(p);
  p->profile_items[1].value = pb_kint(p, 1);
}
static void pr_sets_other_enum(IpsfPack *p) {
  add_profiles(p);
  p->profile_items[1].value = pb_kenum(p, S_E_HARM, 1);
}
static void pr_allows_int_fact(IpsfPack *p) {
  add_profiles(p);
  p->profile_items[2] = (IpsfProfileItem){IPSF_PROFILE_ALLOWS, S_F_LOSS, pb_kset(p, S_E_HARM, 1)};
}
static void pr_allows_other_enum(IpsfPack *p) {
  add_profiles(p);
  p->profile_items[3].value = pb_kset(p, S_E_HARM, 1);
}
static void pr_fact_twice(IpsfPack *p) {
  add_profiles(p);
  p->profile_items[3] = (IpsfProfileItem){IPSF_PROFILE_ALLOWS, S_F_HARM, pb_kset(p, S_E_HARM, 1)};
}

static const Case profile_cases[] = {
    {"profiles: valid", pr_valid, NULL, ACCEPT, NULL},
    {"profiles: name out of range", pr_name_oob, NULL, REJECT, "profile 1: name, title or doc string out of range"},
    {"profiles: doc out of range", pr_doc_oob, NULL, REJECT, "profile 0: name, title or doc string out of range"},
    {"profiles: two with one name", pr_same_name, NULL, REJECT, "profile 1: name 'home' is also profile 0's"},
    {"profiles: a gap in the item ranges", pr_range_gap, NULL, REJECT, "profile 'care': items [2, +2) are not the next range"},
    {"profiles: a range past the items", pr_range_past, NULL, REJECT, "profile 'care': items [1, +4) are not the next range"},
    {"profiles: items of no profile", pr_orphans, NULL, REJECT, "1 profile items belong to no profile"},
    {"profiles: unknown item kind", pr_kind, NULL, REJECT, "profile 'care': item 1 has unknown kind 7"},
    {"profiles: fact out of range", pr_fact_oob, NULL, REJECT, "profile 'home': item 0: fact 500 out of range"},
    {"profiles: constant out of range", pr_const_oob, NULL, REJECT, "profile 'home': item 0: constant 70000 out of range"},
    {"profiles: sets an int for an enum", pr_sets_wrong_type, NULL, REJECT, "profile 'care': item 0 needs an enum usage for fact 'usage', but constant"},
    {"profiles: sets another enum's value", pr_sets_other_enum, NULL, REJECT, "needs an enum usage for fact 'usage', but constant"},
    {"profiles: allows on an int fact", pr_allows_int_fact, NULL, REJECT, "item 1 constrains fact 'loss_jpy', which is an int, not an enum or a set"},
    {"profiles: allows another enum's set", pr_allows_other_enum, NULL, REJECT, "item 2 needs a set of radios for fact 'radios'"},
    {"profiles: a fact constrained twice", pr_fact_twice, NULL, REJECT, "profile 'care': items 1 and 2 both constrain fact 0"},
};

Test(verify, profiles) {
  for (size_t i = 0; i < sizeof profile_cases / sizeof profile_cases[0]; i++)
    run_case(&profile_cases[i]);
}

/* The accessors of ipsf.h and the disassembly of a loaded pack with
 * profiles; a pack without them writes no PROFILES section. */
Test(verify, profiles_roundtrip) {
  IpsfPack *p = pb_sample();
  uint8_t *plain;
  size_t plain_len;
  pb_bytes(p, &plain, &plain_len);
  add_profiles(p);
  uint8_t *b;
  size_t len;
  pb_bytes(p, &b, &len);
  ipsf_pack_free(p);
  cr_expect(len > plain_len, "the profiles section adds bytes");
  IpsfError err = {0};
  IpsfPack *q = ipsb_read(b, len, &err);
  cr_assert(q, "%s", err.message);
  cr_expect_eq(ipsf_pack_profile_count(q), 2);
  cr_expect_str_eq(ipsf_pack_profile_name(q, 1), "care");
  cr_expect_str_eq(ipsf_pack_profile_title(q, 0), "Used at home");
  cr_expect_null(ipsf_pack_profile_doc(q, 0));
  cr_expect_str_eq(ipsf_pack_profile_doc(q, 1), "doc");
  cr_expect_null(ipsf_pack_profile_name(q, 2));
  cr_expect_eq(ipsf_pack_profile_index(q, "care"), 1u);
  cr_expect_eq(ipsf_pack_profile_index(q, "nope"), UINT32_MAX);
  ipsf_pack_free(q);
  free(b);
  IpsfPack *r = ipsb_read(plain, plain_len, &err);
  cr_assert(r, "%s", err.message);
  cr_expect_eq(ipsf_pack_profile_count(r), 0);
  ipsf_pack_free(r);
  free(plain);
}
