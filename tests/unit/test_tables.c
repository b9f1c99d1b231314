/*
 * test_tables.c -- decision tables (RTABLE, section TABLES) change nothing.
 *
 *   - differential: every example pack (and bench/pack.ipsf) compiled with
 *     tables and without (CompileOptions.no_tables), both loaded through
 *     the .ipsb and the verifier, then run over many generated fact sheets:
 *     every enum value, ints around every int constant of the pack (which
 *     include every rule threshold), sets, facts left unset.  Levels, rule
 *     hits, applies, methods, periods, errors (kind and message) and the
 *     JSON Lines record with --explain (pack digest masked) must be equal,
 *     and so must the internal choices the API does not show (the rule
 *     that set each level, the confirm line kept);
 *   - the packs the issue names do get tables (the test is not vacuous);
 *   - tests/unit/tables_edges.ipsf, made for the corners (every policy,
 *     conflicts, gaps, unconfirmed requirements, equal confirm lines);
 *   - RTABLE's general path, which the compiler never takes: a hit of the
 *     table's scale inserted before it (worst and first) gives what the
 *     chain would, against the pack without that hit;
 *   - the verifier: a table with a slot, kind, map, class, threshold,
 *     stride, cell count, mask bit or confirm line out of place is refused,
 *     as is RTABLE after its scale is settled, before a let it reads is
 *     stored, with a table index out of range or of the other kind, and a
 *     QTABLE of a requirement entered before; the cost bound charges a
 *     table at least its dims, thresholds and fullest cell.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "compile.h"
#include "eval.h"
#include "pack.h"

/* ---- compiling and loading ------------------------------------------------ */

static IpsfPack *compile_file(const char *path, bool no_tables, uint8_t **bytes, size_t *len) {
  CompileOptions opt = {0};
  opt.no_tables = no_tables;
  Compilation *c = compilation_new(&opt);
  bool ok = compile_pack(c, path, bytes, len);
  compilation_free(c);
  cr_assert(ok, "%s does not compile", path);
  IpsfError err = {0};
  IpsfPack *p = ipsf_pack_load(*bytes, *len, &err);
  cr_assert(p, "%s: %s", path, err.message);
  return p;
}

/* ---- generated sheets ----------------------------------------------------- */

static uint64_t rng_state = 0x9E3779B97F4A7C15u;
static uint64_t rnd(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return rng_state;
}

/* Candidate ints: 0, -1, the extremes, and k-1, k, k+1 for every int
 * constant of the pack compiled without tables (every threshold a rule
 * compares with is one). */
typedef struct {
  int64_t *v;
  size_t n;
} Ints;

static void add_int(Ints *s, int64_t x) {
  s->v = realloc(s->v, (s->n + 1) * sizeof *s->v);
  s->v[s->n++] = x;
}

static Ints pack_ints(const IpsfPack *p) {
  Ints s = {0};
  add_int(&s, 0);
  add_int(&s, -1);
  add_int(&s, INT64_MIN);
  add_int(&s, INT64_MAX);
  for (uint32_t i = 0; i < p->const_count; i++) {
    if (p->consts[i].type.kind != IPSF_K_INT) continue;
    int64_t k = p->consts[i].value.i;
    add_int(&s, k);
    if (k > INT64_MIN) add_int(&s, k - 1);
    if (k < INT64_MAX) add_int(&s, k + 1);
  }
  return s;
}

/* Set fact f of both contexts to one generated value (or leave it unset). */
static void set_fact(IpsfEval *a, IpsfEval *b, const IpsfPack *p, uint32_t f, const Ints *ints) {
  const IpsfFact *fact = &p->facts[f];
  IpsfError err = {0};
  if (rnd() % 8 == 0) return; /* unset: its default, or a missing fact */
  switch (fact->type.kind) {
  case IPSF_K_BOOL: {
    bool v = rnd() & 1;
    cr_assert(ipsf_eval_set_bool(a, f, v, &err) && ipsf_eval_set_bool(b, f, v, &err));
    return;
  }
  case IPSF_K_INT: {
    int64_t v = ints->v[rnd() % ints->n];
    cr_assert(ipsf_eval_set_int(a, f, v, &err) && ipsf_eval_set_int(b, f, v, &err));
    return;
  }
  case IPSF_K_NUMBER: {
    static const double nums[] = {0, -1.5, 1, 2.5, 1e9};
    double v = nums[rnd() % 5];
    cr_assert(ipsf_eval_set_number(a, f, v, &err) && ipsf_eval_set_number(b, f, v, &err));
    return;
  }
  case IPSF_K_STRING: {
    static const char *const strs[] = {"", "x", "ACME", "cloud"};
    const char *v = strs[rnd() % 4];
    cr_assert(ipsf_eval_set_string(a, f, v, &err) && ipsf_eval_set_string(b, f, v, &err));
    return;
  }
  case IPSF_K_ENUM: {
    const IpsfEnum *e = &p->enums[fact->type.enum_type];
    const char *v = p->strings[e->values[rnd() % e->value_count]];
    cr_assert(ipsf_eval_set_enum(a, f, v, &err) && ipsf_eval_set_enum(b, f, v, &err), "%s",
              err.message);
    return;
  }
  default: { /* a set: a random subset */
    const IpsfEnum *e = &p->enums[fact->type.enum_type];
    cr_assert(ipsf_eval_set_clear(a, f, &err) && ipsf_eval_set_clear(b, f, &err));
    uint64_t m = rnd() % 3 == 0 ? 0 : rnd();
    for (uint32_t k = 0; k < e->value_count; k++)
      if ((m >> k) & 1u) {
        const char *v = p->strings[e->values[k]];
        cr_assert(ipsf_eval_set_add(a, f, v, &err) && ipsf_eval_set_add(b, f, v, &err));
      }
    return;
  }
  }
}

/* The record with the pack's digest masked (the code differs, so does it). */
static char *masked_record(const IpsfEval *ev, const IpsfPack *p) {
  size_t len = 0;
  char *r = ipsf_eval_record(ev, "s.json", 0, NULL, NULL, IPSF_RECORDS_JSONL, IPSF_EXPLAIN, &len);
  cr_assert(r);
  char hex[65];
  for (int i = 0; i < 32; i++) snprintf(hex + 2 * i, 3, "%02x", p->digest[i]);
  for (char *at = strstr(r, hex); at; at = strstr(at, hex)) memset(at, 'X', 64);
  return r;
}

/* The errors the differential runs met (both builds gave the same). */
static unsigned seen_unconfirmed, seen_gap, seen_conflict;

/* Run both packs over `sheets` generated sheets; the number of sheets run
 * without an error in *ok_runs. */
static void differential(const char *path, unsigned sheets, unsigned *ok_runs,
                         uint32_t *tables) {
  uint8_t *ba, *bb;
  size_t la, lb;
  IpsfPack *pa = compile_file(path, false, &ba, &la);
  IpsfPack *pb = compile_file(path, true, &bb, &lb);
  *tables = pa->table_count;
  cr_assert_eq(pb->table_count, 0, "%s: no_tables still made a table", path);
  cr_assert_eq(pa->fact_count, pb->fact_count);
  Ints ints = pack_ints(pb);
  IpsfEval *a = ipsf_eval_new(pa), *b = ipsf_eval_new(pb);
  cr_assert(a && b);
  for (unsigned s = 0; s < sheets; s++) {
    ipsf_eval_begin(a);
    ipsf_eval_begin(b);
    for (uint32_t f = 0; f < pa->fact_count; f++) set_fact(a, b, pa, f, &ints);
    IpsfError ea = {0}, eb = {0};
    bool ra = ipsf_eval_run(a, &ea), rb = ipsf_eval_run(b, &eb);
    cr_assert_eq(ra, rb, "%s sheet %u: %s / %s", path, s, ea.message, eb.message);
    if (!ra) {
      if (strstr(ea.message, "confirm lines matched")) seen_unconfirmed++;
      if (strstr(ea.message, "no rule of scale")) seen_gap++;
      if (ea.kind == IPSF_ERR_UNIQUE_CONFLICT) seen_conflict++;
      cr_assert_eq(ea.kind, eb.kind);
      cr_assert_str_eq(ea.message, eb.message, "%s sheet %u", path, s);
      continue;
    }
    (*ok_runs)++;
    for (uint32_t k = 0; k < pa->scale_count; k++)
    {
      cr_assert_eq(ipsf_eval_level(a, k), ipsf_eval_level(b, k), "%s sheet %u scale %u", path, s,
                   k);
      /* the rule that set the level (what a unique conflict names) */
      cr_assert_eq(a->scale_rule[k], b->scale_rule[k], "%s sheet %u scale %u", path, s, k);
    }
    for (uint32_t r = 0; r < pa->rule_count; r++)
      cr_assert_eq(ipsf_eval_rule_hit(a, r), ipsf_eval_rule_hit(b, r), "%s sheet %u rule %u",
                   path, s, r);
    for (uint32_t q = 0; q < pa->requirement_count; q++) {
      cr_assert_eq(ipsf_eval_applies(a, q), ipsf_eval_applies(b, q));
      /* the confirm line kept (of equal lines, the first, as CONFIRM) */
      cr_assert_eq(a->req_confirm[q], b->req_confirm[q], "%s sheet %u requirement %u", path, s, q);
      const char *ma = ipsf_eval_method(a, q), *mb = ipsf_eval_method(b, q);
      cr_assert((ma == NULL) == (mb == NULL));
      if (ma) cr_assert_str_eq(ma, mb);
      cr_assert_eq(ipsf_eval_every_months(a, q), ipsf_eval_every_months(b, q));
      cr_assert_eq(ipsf_eval_status(a, q), ipsf_eval_status(b, q));
    }
    char *xa = masked_record(a, pa), *xb = masked_record(b, pb);
    cr_assert_str_eq(xa, xb, "%s sheet %u", path, s);
    ipsf_free(xa);
    ipsf_free(xb);
  }
  ipsf_eval_free(a);
  ipsf_eval_free(b);
  free(ints.v);
  ipsf_pack_free(pa);
  ipsf_pack_free(pb);
  free(ba);
  free(bb);
}

static void check_pack(const char *path, bool want_tables) {
  unsigned ok = 0;
  uint32_t tables = 0;
  differential(path, 4000, &ok, &tables);
  if (want_tables) cr_assert_gt(tables, 0, "%s has no decision table", path);
  cr_assert_gt(ok, 100, "%s: only %u sheets ran without an error", path, ok);
}

Test(tables, bench_pack_same_results) { check_pack("bench/pack.ipsf", true); }
Test(tables, smart_home_same_results) { check_pack("examples/smart-home/pack.ipsf", true); }
Test(tables, healthcare_same_results) { check_pack("examples/healthcare/pack.ipsf", true); }
Test(tables, building_same_results) { check_pack("examples/building/pack.ipsf", false); }
Test(tables, factory_same_results) { check_pack("examples/factory/pack.ipsf", false); }
Test(tables, mobility_same_results) { check_pack("examples/mobility/pack.ipsf", false); }

/* tests/unit/tables_edges.ipsf: every policy, unique conflicts, a gap, a
 * requirement left unconfirmed, confirm lines with periods, int
 * thresholds at the ends of int64, `in`, `not`, `== true`, lets and
 * levels as dims; every block and requirement of it is a table. */
Test(tables, edges_same_results) {
  check_pack("tests/unit/tables_edges.ipsf", true);
  cr_assert_gt(seen_unconfirmed, 10);
  cr_assert_gt(seen_gap, 10);
  cr_assert_gt(seen_conflict, 10);
  uint8_t *b;
  size_t n;
  IpsfPack *p = compile_file("tests/unit/tables_edges.ipsf", false, &b, &n);
  uint32_t rtables = 0, covered = 0, groups = 0;
  for (uint32_t pc = 0; pc < p->code_count; pc++) {
    uint32_t w = p->code[pc];
    rtables += IPSF_INSN_OP(w) == IPSF_OP_RTABLE;
    if (IPSF_INSN_OP(w) != IPSF_OP_QTABLE) continue;
    covered += p->tables[IPSF_INSN_A(w)].span;
    groups += p->tables[IPSF_INSN_A(w)].span > 1;
  }
  cr_assert_eq(rtables, p->scale_count);
  cr_assert_eq(covered, p->requirement_count); /* T-03, which never applies, in a group */
  cr_assert_gt(groups, 0);
  ipsf_pack_free(p);
  free(b);
}

/* ---- the verifier ------------------------------------------------------------ */

/* bench/pack.ipsf's tables: 0, 1 the lets safety_critical and
 * remote_hazard; 2 recovery (5 dims: harm_life enum, the two bool lets,
 * data_sensitivity and actuation enums), 3 economic (two int dims), 4
 * update_support (recovery and economic levels, two bools); 5, 6 the
 * requirements. */
static IpsfPack *bench_pack(void) {
  uint8_t *b;
  size_t n;
  IpsfPack *p = compile_file("bench/pack.ipsf", false, &b, &n);
  free(b);
  cr_assert_eq(p->table_count, 7); /* 0, 1 the lets; 5, 6 requirements SH-01..SH-20, SH-21..SH-40 */
  cr_assert_eq(p->tables[0].kind, IPSF_TABLE_LET);
  cr_assert_eq(p->tables[5].kind, IPSF_TABLE_REQ);
  cr_assert_eq(p->tables[5].span, 5);
  cr_assert_eq(p->tables[6].owner, 5);
  cr_assert_eq(p->tables[6].span, 3);
  cr_assert_eq(p->tables[2].dims[0].kind, IPSF_DIM_ENUM);
  cr_assert_eq(p->tables[2].dims[1].kind, IPSF_DIM_BOOL);
  cr_assert_eq(p->tables[3].dims[0].kind, IPSF_DIM_INT);
  return p;
}

/* Write p and read it back: NULL (and the reason in err) if refused. */
static IpsfPack *reload(IpsfPack *p, IpsfError *err) {
  uint8_t *b;
  size_t n;
  cr_assert(ipsb_write(p, &b, &n));
  IpsfPack *q = ipsb_read(b, n, err);
  free(b);
  return q;
}

typedef void (*Corrupt)(IpsfPack *p);

static void expect_refused(Corrupt corrupt, const char *reason) {
  IpsfPack *p = bench_pack();
  corrupt(p);
  IpsfError err = {0};
  IpsfPack *q = reload(p, &err);
  cr_assert_null(q, "accepted; expected '%s'", reason);
  cr_assert(strstr(err.message, reason), "'%s' does not say '%s'", err.message, reason);
  ipsf_pack_free(p);
}

static void slot_out_of_range(IpsfPack *p) { p->tables[2].dims[0].slot = p->slot_count; }
static void unknown_kind(IpsfPack *p) { p->tables[2].dims[1].kind = 9; }
static void kind_mismatch(IpsfPack *p) { p->tables[2].dims[1].kind = IPSF_DIM_INT; }
static void int_dim_on_enum(IpsfPack *p) { p->tables[2].dims[0].slot = 2; /* loss_jpy */ }
static void map_short(IpsfPack *p) { p->tables[2].dims[0].map_count--; }
static void class_out_of_range(IpsfPack *p) {
  p->tables[2].dims[0].map[1] = (uint8_t)p->tables[2].dims[0].class_count;
}
static void thresholds_unsorted(IpsfPack *p) {
  int64_t *t = p->tables[3].dims[0].thresholds;
  int64_t x = t[0];
  t[0] = t[1];
  t[1] = x;
}
static void class_count_wrong(IpsfPack *p) { p->tables[3].dims[0].class_count++; }
static void stride_wrong(IpsfPack *p) { p->tables[2].dims[1].stride++; }
static void cells_wrong(IpsfPack *p) { p->tables[2].cell_count--; }
static void dims_none(IpsfPack *p) { /* freed first: the pack's free follows dim_count */
  IpsfTable *t = &p->tables[3];
  for (uint32_t d = 0; d < t->dim_count; d++) {
    free(t->dims[d].map);
    free(t->dims[d].thresholds);
  }
  free(t->dims);
  t->dims = NULL;
  t->dim_count = 0;
}
static void mask_beyond_rules(IpsfPack *p) {
  p->tables[3].masks[0] |= UINT64_C(1) << p->scales[p->tables[3].owner].rule_count;
}
static void scale_out_of_range(IpsfPack *p) { p->tables[4].owner = p->scale_count; }
static uint32_t find_op(const IpsfPack *p, unsigned op, uint32_t a) {
  for (uint32_t pc = 0; pc < p->code_count; pc++)
    if (p->code[pc] == IPSF_INSN(op, a)) return pc;
  cr_assert_fail("no %s %u", ipsf_op_info[op].name, a);
  return 0;
}
static void table_index_out_of_range(IpsfPack *p) {
  p->code[find_op(p, IPSF_OP_RTABLE, 2)] = IPSF_INSN(IPSF_OP_RTABLE, p->table_count);
}
static void after_scale(IpsfPack *p) {
  /* RTABLE 1 settles economic: a second RTABLE 1 comes after that */
  p->code[find_op(p, IPSF_OP_RTABLE, 4)] = IPSF_INSN(IPSF_OP_RTABLE, 3);
}
static void let_not_stored(IpsfPack *p) {
  /* the table of remote_hazard (slot 10), which table 2 reads, stores
   * safety_critical (slot 9) again instead */
  cr_assert_eq(p->tables[1].owner, 10);
  p->tables[1].owner = 9;
}
static void scale_not_settled(IpsfPack *p) {
  /* table 2 (update_support) reads its own level in place of recovery's */
  cr_assert_eq(p->tables[4].dims[0].slot, p->scales[0].slot);
  p->tables[4].dims[0].slot = p->scales[2].slot;
}

/* table 3 is requirements SH-01 (two confirm lines) to SH-20, table 4
 * SH-21 to SH-40 */
static void confirm_beyond_lines(IpsfPack *p) { p->tables[5].masks[0] |= IPSF_TABLE_APPLIES | 4u; }
static void confirm_without_applies(IpsfPack *p) { p->tables[5].masks[0] = 1u; }
static void req_kind_for_rtable(IpsfPack *p) {
  p->code[find_op(p, IPSF_OP_RTABLE, 2)] = IPSF_INSN(IPSF_OP_QTABLE, 2);
}
static void unknown_table_kind(IpsfPack *p) { p->tables[5].kind = 7; }
static void req_out_of_range(IpsfPack *p) { p->tables[5].owner = p->requirement_count; }
static void span_out_of_range(IpsfPack *p) { p->tables[6].span++; }
static void rules_span(IpsfPack *p) { p->tables[3].span = 2; }
static void masks_short(IpsfPack *p) { p->tables[5].mask_count--; }
static void span_too_long(IpsfPack *p) { p->tables[5].span = 65; }
static void req_entered_twice(IpsfPack *p) {
  p->code[find_op(p, IPSF_OP_QTABLE, 6)] = IPSF_INSN(IPSF_OP_QTABLE, 5);
}

/* tables 0 and 1 are the lets safety_critical (slot 9) and remote_hazard */
static void let_not_bool_slot(IpsfPack *p) { p->tables[0].owner = 12; /* scale recovery */ }
static void let_value_not_bool(IpsfPack *p) { p->tables[0].masks[1] = 2; }
static void let_kind_for_rtable(IpsfPack *p) {
  p->code[find_op(p, IPSF_OP_LTABLE, 0)] = IPSF_INSN(IPSF_OP_RTABLE, 0);
}
static void let_read_before_table(IpsfPack *p) {
  /* remote_hazard's table reads safety_critical instead of remote_control,
   * and comes first */
  p->tables[1].dims[1].slot = 9;
  uint32_t a = find_op(p, IPSF_OP_LTABLE, 0), b = find_op(p, IPSF_OP_LTABLE, 1);
  p->code[a] = IPSF_INSN(IPSF_OP_LTABLE, 1);
  p->code[b] = IPSF_INSN(IPSF_OP_LTABLE, 0);
}

Test(tables, verifier_refuses_bad_let_tables) {
  IpsfPack *p = bench_pack();
  cr_assert_eq(p->tables[0].owner, 9);
  cr_assert_eq(p->tables[1].dims[1].kind, IPSF_DIM_BOOL);
  ipsf_pack_free(p);
  expect_refused(let_not_bool_slot, "table 0: slot 12 is not a bool let slot");
  expect_refused(let_value_not_bool, "table 0: cell 1 holds 2, not a bool");
  expect_refused(let_kind_for_rtable, "table 0 is a let table");
  expect_refused(let_read_before_table, "reads slot 9 ('safety_critical') before it is stored");
}

Test(tables, verifier_refuses_bad_requirement_tables) {
  IpsfPack *p = bench_pack();
  cr_assert_eq(p->tables[5].owner, 0);
  cr_assert_eq(p->requirements[0].confirm_count, 2);
  ipsf_pack_free(p);
  expect_refused(confirm_beyond_lines, "names confirm lines 0x4 beyond requirement SH-01's 2");
  expect_refused(confirm_without_applies, "confirms lines of requirement SH-01 where it does not apply");
  expect_refused(req_kind_for_rtable, "table 2 is a rules table");
  expect_refused(unknown_table_kind, "table 5: unknown kind 7");
  expect_refused(req_out_of_range, "table 5: requirements 8..+5 out of range (8 requirements)");
  expect_refused(span_out_of_range, "table 6: requirements 5..+4 out of range (8 requirements)");
  expect_refused(rules_span, "table 3: a rules table has span 2, not 1");
  expect_refused(masks_short, "table 5: 359 masks, its 72 cells of 5 need 360");
  expect_refused(span_too_long, "table 5: span 65 (at most 64 requirements)");
  expect_refused(req_entered_twice, "requirement SH-01 may already have been entered");
}

Test(tables, verifier_refuses_bad_tables) {
  expect_refused(slot_out_of_range, "dim 0: slot 15 out of range");
  expect_refused(unknown_kind, "dim 1: unknown kind 9");
  expect_refused(kind_mismatch, "is a bool, the dim needs an int");
  expect_refused(int_dim_on_enum, "is an int, the dim needs an enum");
  expect_refused(map_short, "the map has 3 entries, enum 'harm_life' has 4 values");
  expect_refused(class_out_of_range, "value 1 maps to class 3 (3 classes)");
  expect_refused(thresholds_unsorted, "thresholds not strictly increasing");
  expect_refused(class_count_wrong, "class count 4, its int classification has 3");
  expect_refused(stride_wrong, "no dim has stride 3");
  expect_refused(cells_wrong, "the dims make 48 cells, the table has 47");
  expect_refused(dims_none, "table 3: 0 dims");
  expect_refused(mask_beyond_rules, "beyond scale 'economic''s 2 rules");
  expect_refused(scale_out_of_range, "table 4: scale 3 out of range");
  expect_refused(table_index_out_of_range, "table 7 out of range (7 tables)");
  expect_refused(after_scale, "table 3 hits scale 'economic' after the scale may have been settled");
  expect_refused(let_not_stored, "reads slot 10 ('remote_hazard') before it is stored");
  expect_refused(scale_not_settled, "reads scale 'update_support' before it is settled");
}

Test(tables, verifier_accepts_and_charges_the_fullest_cell) {
  IpsfPack *p = bench_pack();
  IpsfError err = {0};
  IpsfPack *q = reload(p, &err);
  cr_assert(q, "%s", err.message);
  uint64_t base = q->cost.instructions;
  ipsf_pack_free(q);
  /* every rule of table 2 (recovery) in one cell: the bound grows by the
   * extra bits */
  IpsfTable *t = &p->tables[2];
  unsigned most = 0;
  for (uint32_t c = 0; c < t->cell_count; c++)
    if ((unsigned)__builtin_popcountll(t->masks[c]) > most) most = __builtin_popcountll(t->masks[c]);
  uint32_t rules = p->scales[t->owner].rule_count;
  t->masks[5] = (UINT64_C(1) << rules) - 1; /* span 1: mask k is cell k */
  q = reload(p, &err);
  cr_assert(q, "%s", err.message);
  cr_assert_eq(q->cost.instructions, base + (rules - most));
  base = q->cost.instructions;
  ipsf_pack_free(q);
  /* a requirement group (table 5: SH-01..SH-20): one cell with every line
   * of every requirement, all applying, is charged its bits over the
   * fullest cell's */
  t = &p->tables[5];
  uint64_t full = 0, fullest = 0;
  for (uint32_t c = 0; c < t->cell_count; c++) {
    uint64_t bits = 0;
    for (uint32_t k = 0; k < t->span; k++)
      bits += (uint64_t)__builtin_popcountll(t->masks[c * t->span + k]);
    if (bits > fullest) fullest = bits;
  }
  for (uint32_t k = 0; k < t->span; k++) {
    uint32_t lines = p->requirements[t->owner + k].confirm_count;
    t->masks[k] = IPSF_TABLE_APPLIES | ((UINT64_C(1) << lines) - 1); /* cell 0 */
    full += 1 + lines;
  }
  q = reload(p, &err);
  cr_assert(q, "%s", err.message);
  cr_assert_eq(q->cost.instructions, base + (full - fullest));
  ipsf_pack_free(q);
  ipsf_pack_free(p);
}

/* ---- RTABLE's general path ---------------------------------------------------- */

/* bench/pack.ipsf with `hit_op rule` inserted just before `RTABLE table`:
 * a hit of the table's scale before its table, which the compiler never
 * emits but the verifier accepts (the scale is not settled yet).  The VM
 * then leaves the fast path (pack.h IpsfTableCell.settled) for the general
 * one, which must give what the chain gives: that hit, then the cell's
 * hits in rule order by the scale's policy. */
static IpsfPack *with_hit_before(unsigned hit_op, uint32_t rule, uint32_t table) {
  IpsfPack *p = bench_pack();
  uint32_t at = find_op(p, IPSF_OP_RTABLE, table);
  uint32_t *code = malloc(((size_t)p->code_count + 1) * sizeof *code);
  cr_assert(code);
  memcpy(code, p->code, at * sizeof *code);
  code[at] = IPSF_INSN(hit_op, rule);
  memcpy(code + at + 1, p->code + at, (p->code_count - at) * sizeof *code);
  free(p->code);
  p->code = code;
  p->code_count++;
  for (uint32_t i = 0; i < p->line_count; i++)
    if (p->lines[i].pc > at) p->lines[i].pc++;
  uint8_t *b;
  size_t n;
  cr_assert(ipsb_write(p, &b, &n));
  ipsf_pack_free(p);
  IpsfError err = {0};
  IpsfPack *q = ipsf_pack_load(b, n, &err);
  free(b);
  cr_assert(q, "refused: %s", err.message);
  return q;
}

/* Run both packs on the same random facts; fn checks each pair. */
typedef void (*PairCheck)(const IpsfEval *plain, const IpsfEval *hit);

static void run_pairs(IpsfPack *plain, IpsfPack *hit, PairCheck check) {
  static const char *const harm[] = {"none", "minor_injury", "serious_injury", "death"};
  static const char *const usage[] = {"home", "office", "factory", "hospital", "vehicle"};
  static const int64_t amounts[] = {0, 9999, 10000, 99999999, 100000000, 999999, 1000000,
                                    9999999999, 10000000000};
  IpsfEval *a = ipsf_eval_new(plain), *b = ipsf_eval_new(hit);
  cr_assert(a && b);
  IpsfError err = {0};
  for (unsigned i = 0; i < 2000; i++) {
    IpsfEval *evs[2] = {a, b};
    uint64_t r = rnd();
    for (int k = 0; k < 2; k++) {
      IpsfEval *ev = evs[k];
      const IpsfPack *p = k ? hit : plain;
      ipsf_eval_begin(ev);
      cr_assert(ipsf_eval_set_enum(ev, ipsf_fact_index(p, "harm_life"), harm[r % 4], &err));
      cr_assert(ipsf_eval_set_enum(ev, ipsf_fact_index(p, "usage"), usage[(r >> 2) % 5], &err));
      cr_assert(ipsf_eval_set_int(ev, ipsf_fact_index(p, "loss_jpy"), amounts[(r >> 5) % 9], &err));
      cr_assert(ipsf_eval_set_int(ev, ipsf_fact_index(p, "users_affected"),
                                  amounts[(r >> 9) % 9], &err));
      cr_assert(ipsf_eval_set_bool(ev, ipsf_fact_index(p, "internet_exposed"), (r >> 13) & 1, &err));
      cr_assert(ipsf_eval_run(ev, &err), "%s", err.message);
    }
    check(a, b);
  }
  ipsf_eval_free(a);
  ipsf_eval_free(b);
}

/* economic is `worst`: rule 6 catastrophic, rule 7 significant.  A hit of
 * rule 7 first: the level is the higher of significant and the cell's,
 * set by rule 7 unless the cell reaches catastrophic. */
static void check_worst(const IpsfEval *plain, const IpsfEval *hit) {
  uint32_t want = plain->scale_level[1] > 1 ? plain->scale_level[1] : 1;
  cr_assert_eq(hit->scale_level[1], want);
  cr_assert_eq(hit->scale_rule[1], want == 2 ? 6u : 7u);
  cr_assert(ipsf_eval_rule_hit(hit, 7));
  cr_assert_eq(ipsf_eval_rule_hit(hit, 6), ipsf_eval_rule_hit(plain, 6));
  cr_assert_eq(hit->scale_level[0], plain->scale_level[0]); /* (update_support reads economic) */
}

/* update_support is `first`: rules 8 (lifetime), 9 and 10 (extended).  A
 * hit of rule 10 first decides it: extended, by rule 10, whatever the
 * cell; the cell's own hits are still recorded. */
static void check_first(const IpsfEval *plain, const IpsfEval *hit) {
  cr_assert_eq(hit->scale_level[2], 1u);
  cr_assert_eq(hit->scale_rule[2], 10u);
  cr_assert(ipsf_eval_rule_hit(hit, 10));
  for (uint32_t r = 8; r < 10; r++)
    cr_assert_eq(ipsf_eval_rule_hit(hit, r), ipsf_eval_rule_hit(plain, r));
}

Test(tables, rtable_after_a_hit_of_its_scale) {
  IpsfPack *plain = bench_pack();
  cr_assert_eq(plain->rules[7].scale, 1u);
  cr_assert_eq(plain->rules[10].scale, 2u);
  IpsfPack *hit = with_hit_before(IPSF_OP_HITW, 7, 3);
  run_pairs(plain, hit, check_worst);
  ipsf_pack_free(hit);
  hit = with_hit_before(IPSF_OP_HITF, 10, 4);
  run_pairs(plain, hit, check_first);
  ipsf_pack_free(hit);
  ipsf_pack_free(plain);
}
