/*
 * test_api_sheet.c -- the embedding API's sheets and records (ipsf.h,
 * "the rest of the embedding API"): levels and viewpoints by name; a sheet
 * parsed from JSON, YAML or a JSON Lines line and bound profile by
 * profile, with evidence; its errors with the CLI's kinds and messages;
 * records and error records into a caller's buffer (snprintf's contract)
 * and onto a FILE *.  Each result is checked against the one-call path
 * (ipsf_evaluate_text), which is checked against the CLI by test_api.c.
 */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "pack_builder.h"

static IpsfPack *sample(void) {
  IpsfError err = {0};
  IpsfPack *p = pb_load(pb_sample(), &err);
  cr_assert(p, "%s", err.message);
  return p;
}

Test(api_sheet, by_name) {
  IpsfPack *p = sample();
  cr_expect_eq(ipsf_pack_level_index(p, S_S_RECOVERY, "fatal"), 2);
  cr_expect_eq(ipsf_pack_level_index(p, S_S_RECOVERY, "limited"), 0);
  cr_expect_eq(ipsf_pack_level_index(p, S_S_RECOVERY, "nope"), UINT32_MAX);
  cr_expect_eq(ipsf_pack_level_index(p, 99, "fatal"), UINT32_MAX);
  cr_expect_eq(ipsf_pack_level_index(p, S_S_RECOVERY, NULL), UINT32_MAX);
  uint32_t v = ipsf_pack_viewpoint_index(p, "in_operation");
  cr_expect_eq(v, ipsf_pack_requirement_viewpoint(p, S_R_SH20));
  cr_expect_eq(ipsf_pack_viewpoint_index(p, "nope"), UINT32_MAX);
  ipsf_pack_free(p);
}

/* Every profile of a sheet through load + bind + run + record gives the
 * bytes ipsf_evaluate_text gives for the whole sheet. */
static void same_as_one_call(IpsfPack *p, const char *text, IpsfSheetSyntax syntax) {
  IpsfError err = {0};
  IpsfEval *ev = ipsf_eval_new(p);
  char *want = ipsf_evaluate_text(ev, text, strlen(text), syntax, NULL, IPSF_RECORDS_JSONL, 0,
                                  NULL, NULL, NULL);
  cr_assert(want);
  IpsfSheet *s = ipsf_sheet_load(text, strlen(text), syntax, &err);
  cr_assert(s, "%s", err.message);
  size_t n = ipsf_sheet_get_profile_count(s);
  char got[8192] = "";
  size_t used = 0;
  for (size_t i = 0; i < (n ? n : 1); i++) {
    const char *profile = n ? ipsf_sheet_get_profile_name(s, i) : NULL;
    cr_assert(ipsf_eval_bind(ev, s, profile, 0, &err), "%s", err.message);
    cr_assert(ipsf_eval_run(ev, &err), "%s", err.message);
    size_t len = ipsf_eval_record_buf(ev, NULL, 0, ipsf_sheet_get_device(s), profile,
                                      IPSF_RECORDS_JSONL, 0, got + used, sizeof got - used);
    cr_assert_lt(len, sizeof got - used);
    used += len;
  }
  cr_expect_str_eq(got, want);
  ipsf_free(want);
  ipsf_sheet_free(s);
  ipsf_eval_free(ev);
}

Test(api_sheet, load_bind_run_record) {
  IpsfPack *p = sample();
  same_as_one_call(p, "{\"device\":\"cam\",\"facts\":{\"usage\":\"home\",\"harm_life\":\"death\"},"
                      "\"evidence\":{\"SH-01\":\"third_party_certification\"}}",
                   IPSF_SYNTAX_JSON);
  same_as_one_call(p, "device: d\nfacts: {usage: home}\nprofiles:\n  a: {}\n"
                      "  b: {harm_life: death, loss_jpy: 20000000000}\n",
                   IPSF_SYNTAX_YAML);
  same_as_one_call(p, "{\"facts\":{\"usage\":\"office\",\"radios\":[\"wifi\"]}}",
                   IPSF_SYNTAX_JSONL);
  ipsf_pack_free(p);
}

Test(api_sheet, profiles_and_evidence) {
  IpsfPack *p = sample();
  IpsfError err = {0};
  const char *text = "device: d\nfacts: {usage: home}\nprofiles:\n  a: {}\n"
                     "  b: {harm_life: death}\nevidence: {SH-01: third_party_certification}\n";
  IpsfSheet *s = ipsf_sheet_load(text, strlen(text), IPSF_SYNTAX_YAML, &err);
  cr_assert(s, "%s", err.message);
  cr_expect_str_eq(ipsf_sheet_get_device(s), "d");
  cr_expect_eq(ipsf_sheet_get_profile_count(s), 2);
  cr_expect_str_eq(ipsf_sheet_get_profile_name(s, 1), "b");
  cr_expect_null(ipsf_sheet_get_profile_name(s, 2));
  IpsfEval *ev = ipsf_eval_new(p);
  cr_assert(ipsf_eval_bind(ev, s, "a", 0, &err) && ipsf_eval_run(ev, &err), "%s", err.message);
  cr_expect_str_eq(ipsf_eval_level_name(ev, S_S_RECOVERY), "limited");
  cr_expect_eq(ipsf_eval_status(ev, S_R_SH01), IPSF_MET); /* the evidence's method suffices */
  cr_assert(ipsf_eval_bind(ev, s, "b", 0, &err) && ipsf_eval_run(ev, &err), "%s", err.message);
  cr_expect_str_eq(ipsf_eval_level_name(ev, S_S_RECOVERY), "fatal");
  cr_expect_not(ipsf_eval_bind(ev, s, "c", 0, &err));
  cr_expect_eq(err.kind, IPSF_ERR_UNKNOWN_PROFILE);
  ipsf_eval_free(ev);
  ipsf_sheet_free(s);
  ipsf_pack_free(p);
}

/* A bad sheet: the error kind and message and the error record are those
 * of the one-call path (and so of the CLI). */
static void same_error(IpsfPack *p, const char *text, IpsfSheetSyntax syntax, unsigned flags,
                       IpsfErrorKind kind) {
  IpsfError err = {0};
  IpsfEval *ev = ipsf_eval_new(p);
  char *want = ipsf_evaluate_text(ev, text, strlen(text), syntax, NULL, IPSF_RECORDS_JSON, flags,
                                  NULL, NULL, NULL);
  cr_assert(want);
  IpsfSheet *s = ipsf_sheet_load(text, strlen(text), syntax, &err);
  bool ok = s && ipsf_eval_bind(ev, s, NULL, flags, &err) && ipsf_eval_run(ev, &err);
  cr_assert_not(ok, "%s", text);
  cr_expect_eq(err.kind, kind, "%s: %s", text, err.message);
  cr_expect(strstr(want, ipsf_error_kind_name(err.kind)), "%s", want);
  char *got = ipsf_error_record(p, &err, NULL, 0, s ? ipsf_sheet_get_device(s) : NULL, NULL,
                                IPSF_RECORDS_JSON, NULL);
  cr_assert(got);
  cr_expect_str_eq(got, want);
  ipsf_free(got);
  ipsf_free(want);
  ipsf_sheet_free(s);
  ipsf_eval_free(ev);
}

Test(api_sheet, errors_as_the_cli) {
  IpsfPack *p = sample();
  same_error(p, "{\"facts\": {\"usage\": \"home\"", IPSF_SYNTAX_JSON, 0, IPSF_ERR_SYNTAX);
  same_error(p, "{\"facts\": {\"usage\": \"home\"", IPSF_SYNTAX_JSONL, 0, IPSF_ERR_SYNTAX);
  same_error(p, "facts: [1, 2\n", IPSF_SYNTAX_YAML, 0, IPSF_ERR_SYNTAX);
  same_error(p, "{\"device\":\"x\",\"facts\":{\"usage\":\"moon\"}}", IPSF_SYNTAX_JSON, 0,
             IPSF_ERR_TYPE);
  same_error(p, "{\"facts\":{}}", IPSF_SYNTAX_JSON, 0, IPSF_ERR_MISSING_FACT);
  same_error(p, "{\"facts\":{\"usage\":\"home\",\"zzz\":1}}", IPSF_SYNTAX_JSON, 0,
             IPSF_ERR_UNKNOWN_FACT);
  /* not an object: loads (it is JSON), then binding says what a sheet is */
  same_error(p, "[1]", IPSF_SYNTAX_JSON, 0, IPSF_ERR_TYPE);
  same_error(p, "\"x\"", IPSF_SYNTAX_JSONL, 0, IPSF_ERR_TYPE);
  IpsfError err = {0};
  IpsfSheet *s = ipsf_sheet_load("[1]", 3, IPSF_SYNTAX_JSON, &err);
  cr_assert(s);
  cr_expect_null(ipsf_sheet_get_device(s));
  cr_expect_eq(ipsf_sheet_get_profile_count(s), 0);
  cr_expect_null(ipsf_sheet_get_profile_name(s, 0));
  ipsf_sheet_free(s);
  ipsf_sheet_free(NULL);
  ipsf_pack_free(p);
}

Test(api_sheet, unknown_facts_allowed) {
  IpsfPack *p = sample();
  IpsfError err = {0};
  const char *text = "{\"facts\":{\"usage\":\"home\",\"zzz\":1}}";
  IpsfSheet *s = ipsf_sheet_load(text, strlen(text), IPSF_SYNTAX_JSON, &err);
  cr_assert(s);
  IpsfEval *ev = ipsf_eval_new(p);
  cr_expect(ipsf_eval_bind(ev, s, NULL, IPSF_ALLOW_UNKNOWN_FACTS, &err), "%s", err.message);
  ipsf_eval_free(ev);
  ipsf_sheet_free(s);
  ipsf_pack_free(p);
}

Test(api_sheet, buffer_contract_and_stream) {
  IpsfPack *p = sample();
  IpsfError err = {0};
  IpsfEval *ev = ipsf_eval_new(p);
  const char *text = "{\"device\":\"cam\",\"facts\":{\"usage\":\"home\"}}";
  IpsfSheet *s = ipsf_sheet_load(text, strlen(text), IPSF_SYNTAX_JSON, &err);
  cr_assert(s && ipsf_eval_bind(ev, s, NULL, 0, &err) && ipsf_eval_run(ev, &err));
  for (int format = IPSF_RECORDS_TEXT; format <= IPSF_RECORDS_JSONL; format++) {
    size_t want_len = 0;
    char *want = ipsf_eval_record(ev, "f.json", 3, "cam", NULL, format, IPSF_EXPLAIN, &want_len);
    cr_assert(want);
    /* too small: the length, a truncated NUL-terminated prefix */
    char small[16];
    memset(small, 'x', sizeof small);
    cr_expect_eq(ipsf_eval_record_buf(ev, "f.json", 3, "cam", NULL, format, IPSF_EXPLAIN, small,
                                      sizeof small),
                 want_len);
    cr_expect_eq(strlen(small), sizeof small - 1);
    cr_expect(strncmp(small, want, sizeof small - 1) == 0);
    cr_expect_eq(ipsf_eval_record_buf(ev, "f.json", 3, "cam", NULL, format, IPSF_EXPLAIN, NULL,
                                      0),
                 want_len);
    char *buf = malloc(want_len + 1);
    cr_expect_eq(ipsf_eval_record_buf(ev, "f.json", 3, "cam", NULL, format, IPSF_EXPLAIN, buf,
                                      want_len + 1),
                 want_len);
    cr_expect_str_eq(buf, want);
    /* a stream */
    char *mem = NULL;
    size_t mem_len = 0;
    FILE *f = open_memstream(&mem, &mem_len);
    cr_assert(f);
    cr_expect(ipsf_eval_record_write(ev, "f.json", 3, "cam", NULL, format, IPSF_EXPLAIN, f,
                                     &err));
    fclose(f);
    cr_expect_eq(mem_len, want_len);
    cr_expect_str_eq(mem, want);
    free(mem);
    free(buf);
    ipsf_free(want);
  }
  /* an error record onto a stream, and a stream that fails */
  IpsfError bad = {0};
  ipsf_fail(&bad, IPSF_ERR_TYPE, "fact 'usage': expected one of home, office, factory");
  char *want = ipsf_error_record(p, &bad, "-", 7, NULL, NULL, IPSF_RECORDS_JSONL, NULL);
  cr_assert(want);
  cr_expect(strstr(want, "\"line\":7"), "%s", want);
  char line[1024];
  cr_expect_eq(ipsf_error_record_buf(p, &bad, "-", 7, NULL, NULL, IPSF_RECORDS_JSONL, line,
                                     sizeof line),
               strlen(want));
  cr_expect_str_eq(line, want);
  FILE *ro = fopen("/dev/null", "r");
  cr_assert(ro);
  cr_expect_not(ipsf_error_record_write(p, &bad, "-", 7, NULL, NULL, IPSF_RECORDS_JSONL, ro,
                                        &err));
  cr_expect_eq(err.kind, IPSF_ERR_IO);
  fclose(ro);
  ipsf_free(want);
  ipsf_sheet_free(s);
  ipsf_eval_free(ev);
  ipsf_pack_free(p);
}
