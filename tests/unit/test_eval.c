/*
 * test_eval.c -- the evaluation API (ipsf.h): setters and their type
 * errors, defaults, missing facts, results, evidence and statuses, on the
 * sample pack of pack_builder.c.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "eval.h"
#include "pack_builder.h"

static IpsfPack *pack;
static IpsfEval *ev;
static IpsfError err;

static void setup(void) {
  IpsfError e;
  pack = pb_load(pb_sample(), &e);
  cr_assert(pack, "%s", e.message);
  ev = ipsf_eval_new(pack);
  cr_assert(ev);
  ipsf_eval_begin(ev);
  memset(&err, 0, sizeof err);
}

static void teardown(void) {
  ipsf_eval_free(ev);
  ipsf_pack_free(pack);
}

TestSuite(eval, .init = setup, .fini = teardown);

static void expect_type_error(bool ok, const char *msg) {
  cr_assert_not(ok, "should fail with: %s", msg);
  cr_assert_eq(err.kind, IPSF_ERR_TYPE, "kind %d: %s", err.kind, err.message);
  cr_assert(strstr(err.message, msg), "\n  got:  %s\n  want: %s", err.message, msg);
}

static uint32_t F(const char *name) {
  uint32_t f = ipsf_fact_index(pack, name);
  cr_assert_neq(f, UINT32_MAX, "no fact %s", name);
  return f;
}

Test(eval, defaults_and_required_fact) {
  cr_assert(ipsf_eval_set_enum(ev, F("usage"), "home", &err), "%s", err.message);
  cr_assert(ipsf_eval_run(ev, &err), "%s", err.message);
  cr_assert_str_eq(ipsf_eval_level_name(ev, ipsf_pack_axis(pack, 1)), "limited");
  cr_assert_str_eq(ipsf_eval_level_name(ev, ipsf_pack_axis(pack, 2)), "limited");
  cr_assert_eq(ipsf_eval_level(ev, S_S_RECOVERY), 0);
  cr_assert(ipsf_eval_applies(ev, S_R_SH01));
  cr_assert_str_eq(ipsf_eval_method(ev, S_R_SH01), "self_declaration");
  cr_assert_not(ipsf_eval_applies(ev, S_R_SH20));
  cr_assert_null(ipsf_eval_method(ev, S_R_SH20));
  /* the default score 0.5, doubled */
  cr_assert_float_eq(ev->slots[pb_slot_named(pack, S_LET_SCORE2)].n, 1.0, 0);
  cr_assert_str_eq(ev->slots[pb_slot_named(pack, S_LET_LOWER_MODEL)].s, "");
}

Test(eval, missing_fact) {
  cr_assert_not(ipsf_eval_run(ev, &err));
  cr_assert_eq(err.kind, IPSF_ERR_MISSING_FACT);
  cr_assert_str_eq(err.message, "required fact 'usage' is missing");
}

Test(eval, begin_forgets_facts) {
  cr_assert(ipsf_eval_set_enum(ev, F("usage"), "home", &err));
  cr_assert(ipsf_eval_run(ev, &err), "%s", err.message);
  ipsf_eval_begin(ev);
  cr_assert_not(ipsf_eval_run(ev, &err));
  cr_assert_eq(err.kind, IPSF_ERR_MISSING_FACT);
}

Test(eval, full_placement) {
  cr_assert(ipsf_eval_set_enum(ev, F("usage"), "factory", &err));
  cr_assert(ipsf_eval_set_bool(ev, F("remote_control"), true, &err));
  cr_assert(ipsf_eval_set_int(ev, F("loss_jpy"), 20000000000, &err));
  cr_assert(ipsf_eval_set_string(ev, F("model"), "ACME SmartLock X1", &err));
  cr_assert(ipsf_eval_set_number(ev, F("score"), 0.25, &err));
  cr_assert(ipsf_eval_set_clear(ev, F("radios"), &err));
  cr_assert(ipsf_eval_set_add(ev, F("radios"), "wifi", &err));
  cr_assert(ipsf_eval_run(ev, &err), "%s", err.message);
  cr_assert_str_eq(ipsf_eval_level_name(ev, S_S_RECOVERY), "fatal");
  cr_assert_str_eq(ipsf_eval_level_name(ev, S_S_ECONOMIC), "catastrophic");
  cr_assert_eq(ev->scale_rule[S_S_RECOVERY], 2); /* usage == factory and remote */
  cr_assert_str_eq(ipsf_eval_method(ev, S_R_SH01), "third_party_certification");
  cr_assert(ipsf_eval_applies(ev, S_R_SH20));
  cr_assert_str_eq(ipsf_eval_method(ev, S_R_SH20), "third_party_inspection");
  cr_assert_str_eq(ev->slots[pb_slot_named(pack, S_LET_LOWER_MODEL)].s, "acme smartlock x1");
  cr_assert_float_eq(ev->slots[pb_slot_named(pack, S_LET_SCORE2)].n, 0.5, 0);
}

Test(eval, sets_and_ints_as_numbers) {
  cr_assert(ipsf_eval_set_enum(ev, F("usage"), "home", &err));
  cr_assert(ipsf_eval_set_add(ev, F("radios"), "wifi", &err)); /* add without clear */
  cr_assert(ipsf_eval_set_add(ev, F("radios"), "zigbee", &err));
  cr_assert(ipsf_eval_set_add(ev, F("radios"), "zigbee", &err)); /* twice is once */
  cr_assert(ipsf_eval_set_int(ev, F("score"), 3, &err), "%s", err.message); /* int for a number */
  cr_assert(ipsf_eval_run(ev, &err), "%s", err.message);
  cr_assert_str_eq(ipsf_eval_level_name(ev, S_S_ECONOMIC), "significant");
  cr_assert_eq(ev->slots[pb_fact_slot(pack, S_F_RADIOS)].m, 0x5u);
  cr_assert_float_eq(ev->slots[pb_slot_named(pack, S_LET_SCORE2)].n, 6.0, 0);
}

Test(eval, setter_type_errors) {
  expect_type_error(ipsf_eval_set_enum(ev, F("usage"), "garage", &err),
                    "fact 'usage': expected one of home, office, factory; got \"garage\"");
  expect_type_error(ipsf_eval_set_enum(ev, F("usage"), NULL, &err),
                    "fact 'usage': expected one of home, office, factory; got null");
  expect_type_error(ipsf_eval_set_int(ev, F("usage"), 3, &err),
                    "fact 'usage': expected one of home, office, factory; got the int 3");
  expect_type_error(ipsf_eval_set_bool(ev, F("loss_jpy"), true, &err),
                    "fact 'loss_jpy': expected an int; got true");
  expect_type_error(ipsf_eval_set_number(ev, F("loss_jpy"), 2.5, &err),
                    "fact 'loss_jpy': expected an int; got the number 2.5");
  expect_type_error(ipsf_eval_set_string(ev, F("remote_control"), "yes", &err),
                    "fact 'remote_control': expected a bool; got \"yes\"");
  expect_type_error(ipsf_eval_set_number(ev, F("score"), NAN, &err),
                    "fact 'score': expected a finite number; got NaN");
  expect_type_error(ipsf_eval_set_number(ev, F("score"), -INFINITY, &err),
                    "got -Infinity");
  expect_type_error(ipsf_eval_set_string(ev, F("model"), NULL, &err),
                    "fact 'model': expected a string; got null");
  expect_type_error(ipsf_eval_set_add(ev, F("radios"), "lora", &err),
                    "fact 'radios': expected one of wifi, ble, zigbee; got \"lora\"");
  expect_type_error(ipsf_eval_set_enum(ev, F("radios"), "wifi", &err),
                    "fact 'radios': expected a set of wifi, ble, zigbee; got \"wifi\"");
  expect_type_error(ipsf_eval_set_clear(ev, F("usage"), &err),
                    "fact 'usage': expected one of home, office, factory; got a set");
  /* an index out of range */
  cr_assert_not(ipsf_eval_set_int(ev, 999, 1, &err));
  cr_assert_eq(err.kind, IPSF_ERR_UNKNOWN_FACT);
  cr_assert(strstr(err.message, "fact index 999 out of range"), "%s", err.message);
  cr_assert_not(ipsf_eval_set_bool(ev, ipsf_fact_index(pack, "nope"), true, &err));
  cr_assert_eq(err.kind, IPSF_ERR_UNKNOWN_FACT);
  /* a failed setter leaves the fact unset */
  cr_assert_not(ipsf_eval_run(ev, &err));
  cr_assert_eq(err.kind, IPSF_ERR_MISSING_FACT);
}

Test(eval, evidence_errors) {
  cr_assert_not(ipsf_eval_set_evidence(ev, "SH-99", "self_declaration", &err));
  cr_assert_eq(err.kind, IPSF_ERR_TYPE);
  cr_assert_str_eq(err.message, "evidence names requirement 'SH-99', which the pack does not declare");
  cr_assert_not(ipsf_eval_set_evidence(ev, "SH-01", "self_inspection", &err));
  cr_assert_eq(err.kind, IPSF_ERR_TYPE);
  cr_assert(strstr(err.message, "'self_inspection' is not a method of viewpoint pre_operation "
                                "(expected one of self_declaration, third_party_certification)"),
            "%s", err.message);
}

static void place_fatal(void) {
  cr_assert(ipsf_eval_set_enum(ev, F("usage"), "home", &err));
  cr_assert(ipsf_eval_set_enum(ev, F("harm_life"), "death", &err));
}

Test(eval, status_unknown_without_evidence) {
  place_fatal();
  cr_assert(ipsf_eval_run(ev, &err), "%s", err.message);
  cr_assert_eq(ipsf_eval_status(ev, S_R_SH01), IPSF_UNKNOWN);
  cr_assert_eq(ipsf_eval_status(ev, S_R_SH20), IPSF_UNKNOWN);
}

Test(eval, status_met_and_unmet) {
  place_fatal();
  ipsf_eval_evidence_present(ev);
  cr_assert(ipsf_eval_set_evidence(ev, "SH-01", "self_declaration", &err), "%s", err.message);
  cr_assert(ipsf_eval_run(ev, &err), "%s", err.message);
  cr_assert_str_eq(ipsf_eval_method(ev, S_R_SH01), "third_party_certification");
  cr_assert_eq(ipsf_eval_status(ev, S_R_SH01), IPSF_UNMET); /* weaker than required */
  cr_assert_eq(ipsf_eval_status(ev, S_R_SH20), IPSF_UNMET); /* missing */

  ipsf_eval_begin(ev);
  place_fatal();
  cr_assert(ipsf_eval_set_evidence(ev, "SH-01", "third_party_certification", &err));
  cr_assert(ipsf_eval_set_evidence(ev, "SH-20", "third_party_inspection", &err));
  cr_assert(ipsf_eval_run(ev, &err), "%s", err.message);
  cr_assert_eq(ipsf_eval_status(ev, S_R_SH01), IPSF_MET);
  cr_assert_eq(ipsf_eval_status(ev, S_R_SH20), IPSF_MET);

  /* stronger evidence than required is met */
  ipsf_eval_begin(ev);
  cr_assert(ipsf_eval_set_enum(ev, F("usage"), "home", &err));
  cr_assert(ipsf_eval_set_evidence(ev, "SH-01", "third_party_certification", &err));
  cr_assert(ipsf_eval_run(ev, &err), "%s", err.message);
  cr_assert_str_eq(ipsf_eval_method(ev, S_R_SH01), "self_declaration");
  cr_assert_eq(ipsf_eval_status(ev, S_R_SH01), IPSF_MET);
  cr_assert_eq(ipsf_eval_status(ev, S_R_SH20), IPSF_UNKNOWN); /* does not apply */
}

Test(eval, begin_clears_evidence) {
  place_fatal();
  cr_assert(ipsf_eval_set_evidence(ev, "SH-01", "third_party_certification", &err));
  ipsf_eval_begin(ev);
  place_fatal();
  cr_assert(ipsf_eval_run(ev, &err), "%s", err.message);
  cr_assert_eq(ipsf_eval_status(ev, S_R_SH01), IPSF_UNKNOWN);
  ipsf_eval_begin(ev);
  place_fatal();
  ipsf_eval_evidence_present(ev); /* an empty evidence section */
  cr_assert(ipsf_eval_run(ev, &err), "%s", err.message);
  cr_assert_eq(ipsf_eval_status(ev, S_R_SH01), IPSF_UNMET);
}

Test(eval, results_out_of_range) {
  cr_assert(ipsf_eval_set_enum(ev, F("usage"), "home", &err));
  cr_assert(ipsf_eval_run(ev, &err), "%s", err.message);
  cr_assert_eq(ipsf_eval_level(ev, 99), UINT32_MAX);
  cr_assert_null(ipsf_eval_level_name(ev, 99));
  cr_assert_not(ipsf_eval_applies(ev, 99));
  cr_assert_null(ipsf_eval_method(ev, 99));
  cr_assert_eq(ipsf_eval_status(ev, 99), IPSF_UNKNOWN);
}

Test(eval, many_contexts_share_a_pack) {
  IpsfEval *ev2 = ipsf_eval_new(pack);
  cr_assert(ev2);
  ipsf_eval_begin(ev2);
  place_fatal();
  cr_assert(ipsf_eval_set_enum(ev2, F("usage"), "office", &err));
  cr_assert(ipsf_eval_run(ev, &err), "%s", err.message);
  cr_assert(ipsf_eval_run(ev2, &err), "%s", err.message);
  cr_assert_str_eq(ipsf_eval_level_name(ev, S_S_RECOVERY), "fatal");
  cr_assert_str_eq(ipsf_eval_level_name(ev2, S_S_RECOVERY), "limited");
  ipsf_eval_free(ev2);
}
