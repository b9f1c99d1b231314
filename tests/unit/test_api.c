/*
 * test_api.c -- the embedding API of ipsf.h: what a pack declares, and one
 * sheet from text to records (ipsf_evaluate_text), against the records the
 * CLI writes for the same sheet.
 */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "pack_builder.h"

Test(api, declarations) {
  IpsfError err = {0};
  IpsfPack *p = pb_load(pb_sample(), &err);
  cr_assert(p, "%s", err.message);
  cr_expect_str_eq(ipsf_version(), IPSF_VERSION);
  cr_expect_eq(ipsf_pack_fact_count(p), 7);
  cr_expect_str_eq(ipsf_pack_fact_name(p, S_F_USAGE), "usage");
  cr_expect_str_eq(ipsf_pack_fact_type(p, S_F_USAGE), "enum");
  cr_expect_str_eq(ipsf_pack_fact_type(p, S_F_RADIOS), "set");
  cr_expect_str_eq(ipsf_pack_fact_type(p, S_F_SCORE), "number");
  cr_expect(ipsf_pack_fact_required(p, S_F_USAGE));
  cr_expect_not(ipsf_pack_fact_required(p, S_F_LOSS));
  cr_expect_eq(ipsf_pack_fact_value_count(p, S_F_USAGE), 3);
  cr_expect_str_eq(ipsf_pack_fact_value(p, S_F_USAGE, 2), "factory");
  cr_expect_null(ipsf_pack_fact_value(p, S_F_USAGE, 3));
  cr_expect_eq(ipsf_pack_fact_value_count(p, S_F_LOSS), 0);
  cr_expect_null(ipsf_pack_fact_name(p, 99));
  cr_expect_eq(ipsf_pack_scale_count(p), 2);
  cr_expect_eq(ipsf_pack_scale_index(p, "economic"), S_S_ECONOMIC);
  cr_expect_eq(ipsf_pack_scale_index(p, "nope"), UINT32_MAX);
  cr_expect_eq(ipsf_pack_level_count(p, S_S_RECOVERY), 3);
  cr_expect_str_eq(ipsf_pack_level_name(p, S_S_RECOVERY, 2), "fatal");
  cr_expect_null(ipsf_pack_level_name(p, S_S_RECOVERY, 3));
  cr_expect_eq(ipsf_pack_requirement_count(p), 2);
  cr_expect_str_eq(ipsf_pack_requirement_id(p, S_R_SH20), "SH-20");
  cr_expect_eq(ipsf_pack_requirement_index(p, "SH-20"), S_R_SH20);
  cr_expect_str_eq(ipsf_pack_viewpoint_name(p, ipsf_pack_requirement_viewpoint(p, S_R_SH20)),
                   "in_operation");
  cr_expect_eq(ipsf_pack_viewpoint_count(p), 2);
  ipsf_pack_free(p);
}

static char *run(IpsfEval *ev, const char *text, IpsfSheetSyntax syntax, const char *profile,
                 IpsfRecordFormat format, size_t *records, size_t *errors) {
  size_t len = 0;
  char *out = ipsf_evaluate_text(ev, text, strlen(text), syntax, profile, format, 0, &len,
                                 records, errors);
  cr_assert(out);
  cr_expect_eq(strlen(out), len);
  return out;
}

Test(api, evaluate_text) {
  IpsfError err = {0};
  IpsfPack *p = pb_load(pb_sample(), &err);
  cr_assert(p, "%s", err.message);
  IpsfEval *ev = ipsf_eval_new(p);
  size_t n, e;
  char *out = run(ev, "{\"device\":\"cam\",\"facts\":{\"usage\":\"home\",\"harm_life\":\"death\"}}",
                  IPSF_SYNTAX_JSON, NULL, IPSF_RECORDS_JSONL, &n, &e);
  cr_expect_eq(n, 1);
  cr_expect_eq(e, 0);
  cr_expect(strncmp(out, "{\"sheet\":null,\"line\":null,\"device\":\"cam\",", 41) == 0, "%s", out);
  cr_expect(strstr(out, "\"axis1\":\"fatal\""), "%s", out);
  cr_expect_str_eq(ipsf_eval_level_name(ev, S_S_RECOVERY), "fatal");
  ipsf_free(out);
  /* two profiles: two records; YAML the same as JSON */
  out = run(ev, "device: d\nfacts: {usage: home}\nprofiles:\n  a: {}\n  b: {harm_life: death}\n",
            IPSF_SYNTAX_YAML, NULL, IPSF_RECORDS_JSONL, &n, &e);
  cr_expect_eq(n, 2);
  cr_expect(strstr(out, "\"profile\":\"a\"") < strstr(out, "\"profile\":\"b\""), "%s", out);
  ipsf_free(out);
  /* errors are records, as in the CLI */
  out = run(ev, "{\"facts\":{\"usage\":\"moon\"}}", IPSF_SYNTAX_JSON, NULL, IPSF_RECORDS_JSONL,
            &n, &e);
  cr_expect_eq(n, 1);
  cr_expect_eq(e, 1);
  cr_expect(strstr(out, "\"error\":{\"kind\":\"type\""), "%s", out);
  ipsf_free(out);
  out = run(ev, "{\"facts\":", IPSF_SYNTAX_JSON, NULL, IPSF_RECORDS_JSON, &n, &e);
  cr_expect_eq(e, 1);
  cr_expect(out[0] == '[' && strstr(out, "\"kind\": \"syntax\""), "%s", out);
  ipsf_free(out);
  out = run(ev, "{\"facts\":{\"usage\":\"home\"}}", IPSF_SYNTAX_JSON, "nope", IPSF_RECORDS_TEXT,
            &n, &e);
  cr_expect(strstr(out, "unknown_profile"), "%s", out);
  ipsf_free(out);
  ipsf_eval_free(ev);
  ipsf_pack_free(p);
}

/* Rules, refs, periods and one record, against what the records say. */
Test(api, results_and_record) {
  IpsfError err = {0};
  IpsfPack *p = pb_load(pb_sample(), &err);
  cr_assert(p, "%s", err.message);
  cr_expect_eq(ipsf_pack_rule_count(p), 6);
  cr_expect_eq(ipsf_pack_rule_scale(p, 3), S_S_ECONOMIC);
  cr_expect_str_eq(ipsf_pack_level_name(p, S_S_RECOVERY, ipsf_pack_rule_level(p, 0)), "fatal");
  const char *file = NULL;
  uint32_t line = 0, col = 0;
  cr_expect(ipsf_pack_rule_location(p, 1, &file, &line, &col));
  cr_expect_str_eq(file, PB_FILE);
  cr_expect_eq(line, 21);
  cr_expect_not(ipsf_pack_rule_location(p, 99, &file, &line, &col));
  cr_expect_eq(ipsf_pack_requirement_ref_count(p, S_R_SH01), 0);
  cr_expect_null(ipsf_pack_requirement_ref(p, S_R_SH01, 0));
  IpsfEval *ev = ipsf_eval_new(p);
  const char *sheet = "{\"facts\":{\"usage\":\"home\",\"harm_life\":\"minor_injury\"}}";
  char *want = ipsf_evaluate_text(ev, sheet, strlen(sheet), IPSF_SYNTAX_JSON, NULL,
                                  IPSF_RECORDS_JSONL, 0, NULL, NULL, NULL);
  cr_assert(want);
  cr_expect(ipsf_eval_rule_hit(ev, 1));  /* serious when harm == minor_injury */
  cr_expect_not(ipsf_eval_rule_hit(ev, 0));
  cr_expect(ipsf_eval_applies(ev, S_R_SH20));
  cr_expect_eq(ipsf_eval_every_months(ev, S_R_SH20), 12);
  cr_expect_eq(ipsf_eval_every_months(ev, S_R_SH01), 0);
  char *got = ipsf_eval_record(ev, NULL, 0, NULL, NULL, IPSF_RECORDS_JSONL, 0, NULL);
  cr_assert(got);
  cr_expect_str_eq(got, want);
  ipsf_free(got);
  ipsf_free(want);
  ipsf_eval_free(ev);
  ipsf_pack_free(p);
}

/* JSON Lines text in chunks: line numbers (blank lines count, from
 * first_line), a bad line and an over-long line as error records, the
 * sheet's name, counts; and the same bytes as ipsf_evaluate_text for a
 * good line. */
Test(api, evaluator_jsonl) {
  IpsfError err = {0};
  IpsfPack *p = pb_load(pb_sample(), &err);
  cr_assert(p, "%s", err.message);
  IpsfEvaluator *e = ipsf_evaluator_new(p, IPSF_RECORDS_JSONL, 0, NULL);
  cr_assert(e);
  const char *text = "{\"facts\":{\"usage\":\"home\"}}\n"
                     "\n"
                     "{\"facts\":\n"
                     "{\"facts\":{\"usage\":\"office\"}}";
  IpsfEvalCounts n = {0};
  size_t len = 0;
  char *out = ipsf_evaluator_jsonl(e, text, strlen(text), "r.jsonl", 10, &len, &n);
  cr_assert(out);
  cr_expect_eq(strlen(out), len);
  cr_expect_eq(n.sheets, 3);
  cr_expect_eq(n.records, 2);
  cr_expect_eq(n.errors, 1);
  cr_expect(strstr(out, "{\"sheet\":\"r.jsonl\",\"line\":10,"), "%s", out);
  cr_expect(strstr(out, "\"line\":12,\"device\":null,\"profile\":null,\"error\":{\"kind\":\"syntax\""),
            "%s", out);
  cr_expect(strstr(out, "\"line\":13,"), "%s", out);
  /* the first line alone: the same record as the one-sheet call */
  IpsfEval *ev = ipsf_eval_new(p);
  char *one = ipsf_evaluate_text(ev, "{\"facts\":{\"usage\":\"home\"}}", 26, IPSF_SYNTAX_JSONL,
                                 NULL, IPSF_RECORDS_JSONL, 0, NULL, NULL, NULL);
  cr_assert(one);
  const char *tail = strstr(one, ",\"device\"");
  const char *first_nl = strchr(out, '\n');
  cr_assert(tail && first_nl);
  cr_expect(strncmp(strstr(out, ",\"device\""), tail, strlen(tail)) == 0, "%s\n%s", out, one);
  ipsf_free(one);
  ipsf_free(out);
  ipsf_eval_free(ev);
  /* a line over the limit (16 MiB) is a limit error, and the next one goes on */
  size_t big = (16u << 20) + 10;
  char *huge = malloc(big + 64);
  memset(huge, ' ', big);
  const char *next = "\n{\"facts\":{\"usage\":\"home\"}}\n";
  memcpy(huge + big, next, strlen(next));
  IpsfEvalCounts m = {0};
  out = ipsf_evaluator_jsonl(e, huge, big + strlen(next), NULL, 1, NULL, &m);
  free(huge);
  cr_assert(out);
  cr_expect(strstr(out, "\"line\":1,\"device\":null,\"profile\":null,\"error\":{\"kind\":\"limit\""),
            "%.300s", out);
  cr_expect(strstr(out, "\"line\":2,"), "%.300s", out);
  cr_expect_eq(m.errors, 1, "sheets %zu records %zu errors %zu", m.sheets, m.records, m.errors);
  cr_expect_eq(m.records, 1);
  ipsf_free(out);
  ipsf_evaluator_free(e);
  /* JSON: one array; a profile that no sheet has */
  e = ipsf_evaluator_new(p, IPSF_RECORDS_JSON, IPSF_EXPLAIN, "nope");
  cr_assert(e);
  out = ipsf_evaluator_jsonl(e, text, strlen(text), NULL, 1, NULL, NULL);
  cr_assert(out);
  cr_expect(out[0] == '[' && strstr(out, "unknown_profile"), "%s", out);
  ipsf_free(out);
  ipsf_evaluator_free(e);
  ipsf_pack_free(p);
}

/* Who confirms, on what basis: the requirement's strings, NULL when not
 * said, and NULL out of range. */
Test(api, requirement_basis) {
  IpsfError err;
  IpsfPack *b = pb_sample();
  b->requirements[0].basis = pb_str(b, "law");
  b->requirements[0].citation = pb_str(b, "Example Act, Art. 5");
  b->requirements[0].confirmed_by = pb_str(b, "insurer");
  b->requirements[0].subject = pb_str(b, "product");
  IpsfPack *p = pb_load(b, &err);
  cr_assert(p, "%s", err.message);
  cr_expect_str_eq(ipsf_pack_requirement_basis(p, 0), "law");
  cr_expect_str_eq(ipsf_pack_requirement_citation(p, 0), "Example Act, Art. 5");
  cr_expect_str_eq(ipsf_pack_requirement_confirmed_by(p, 0), "insurer");
  cr_expect_str_eq(ipsf_pack_requirement_subject(p, 0), "product");
  cr_expect_null(ipsf_pack_requirement_basis(p, 1));
  cr_expect_null(ipsf_pack_requirement_subject(p, 1));
  cr_expect_null(ipsf_pack_requirement_basis(p, 99));
  ipsf_pack_free(p);
}

/* Compensating measures through the API: SH-20 (in_operation) compensated
 * by SH-01 (pre_operation) until 2027-03-31, and by SH-01 again is not
 * allowed, so one entry; the accessors, then the statuses on both sides of
 * the day (docs/language.md, "Compensating measures"). */
Test(api, compensations) {
  IpsfError err = {0};
  IpsfPack *b = pb_sample();
  b->compensations = calloc(1, sizeof *b->compensations);
  b->compensations[0] = (IpsfCompensation){S_R_SH20, S_R_SH01, pb_str(b, "2027-03-31"), 0};
  b->compensation_count = 1;
  IpsfPack *p = pb_load(b, &err);
  cr_assert(p, "%s", err.message);
  cr_expect_eq(ipsf_pack_compensation_count(p), 1);
  uint32_t req, by, months;
  const char *until;
  cr_assert(ipsf_pack_compensation(p, 0, &req, &by, &until, &months));
  cr_expect_eq(req, S_R_SH20);
  cr_expect_eq(by, S_R_SH01);
  cr_expect_str_eq(until, "2027-03-31");
  cr_expect_eq(months, 0);
  cr_expect_not(ipsf_pack_compensation(p, 1, &req, &by, &until, &months));

  IpsfEval *ev = ipsf_eval_new(p);
  cr_assert(ev);
  const char *days[] = {"2027-03-31", "2027-04-01"};
  for (int d = 0; d < 2; d++) {
    ipsf_eval_begin(ev);
    cr_assert(ipsf_eval_set_as_of(ev, days[d], &err), "%s", err.message);
    cr_assert(ipsf_eval_set_enum(ev, ipsf_fact_index(p, "usage"), "home", &err));
    cr_assert(ipsf_eval_set_enum(ev, ipsf_fact_index(p, "harm_life"), "death", &err));
    cr_assert(ipsf_eval_set_evidence(ev, "SH-01", "third_party_certification", &err), "%s",
              err.message);
    cr_assert(ipsf_eval_run(ev, &err), "%s", err.message);
    cr_expect_eq(ipsf_eval_status(ev, S_R_SH01), IPSF_MET);
    cr_expect_eq(ipsf_eval_shortfall(ev, S_R_SH20), IPSF_UNMET);
    uint32_t pos = 0;
    char day[11];
    if (d == 0) {
      cr_expect_eq(ipsf_eval_status(ev, S_R_SH20), IPSF_COMPENSATED);
      cr_expect_eq(ipsf_eval_compensated_by(ev, S_R_SH20, &pos), S_R_SH01);
      cr_expect_eq(ipsf_eval_compensated_by(ev, S_R_SH20, &pos), UINT32_MAX);
      cr_assert(ipsf_eval_compensated_until(ev, S_R_SH20, day));
      cr_expect_str_eq(day, "2027-03-31");
    } else {
      cr_expect_eq(ipsf_eval_status(ev, S_R_SH20), IPSF_UNMET);
      cr_expect_eq(ipsf_eval_compensated_by(ev, S_R_SH20, &pos), UINT32_MAX);
      cr_expect_not(ipsf_eval_compensated_until(ev, S_R_SH20, day));
    }
  }
  ipsf_eval_free(ev);
  ipsf_pack_free(p);
}
