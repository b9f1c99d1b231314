/*
 * test_report.c -- eval records in json, jsonl and text, byte for byte.
 *
 * A tiny pack is built in code (pack_builder.h) with real bytecode, loaded
 * through the verifier, and evaluated by the VM; the records are compared
 * with expected text in which @DIGEST@ stands for the pack's digest (so
 * that a change of the .ipsb format does not touch these tests).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "pack_builder.h"
#include "report.h"
#include "sheet.h"

/* ---- the pack -------------------------------------------------------------
 *
 *   facts { harm: enum { none, minor, death }; loss: int = 0; }
 *   axis 1 recovery { limited, serious, fatal }     rules worst, otherwise limited
 *     fatal   when harm == death  because "irreversible harm to life or body"  (23)
 *     serious when harm >= minor                                               (24)
 *   axis 2 economic { limited, significant, catastrophic }  worst, otherwise limited
 *     significant when loss >= 100 because "loss over 100"                    (30)
 *   scale assurance { basic, high }  policy first, no otherwise
 *     high  when recovery == fatal                                             (40)
 *     basic when true                                                          (41)
 *   SH-01 pre_operation, refs 2, always: self_declaration; third_party_certification
 *         when recovery == fatal
 *   SH-20 in_operation when recovery >= serious: third_party_inspection every 12 months
 *   SH-30 operator when loss >= 100: training every 1 month
 */
static uint32_t set_refs(IpsfPack *p, uint32_t r, const char *a, const char *b) {
  IpsfRequirement *q = &p->requirements[r];
  q->ref_count = b ? 2 : 1;
  q->refs = malloc(q->ref_count * sizeof *q->refs);
  q->refs[0] = pb_str(p, a);
  if (b) q->refs[1] = pb_str(p, b);
  return r;
}

static IpsfPack *report_pack(void) {
  IpsfPack *p = pb_new("jp.example.report");
  uint32_t eharm = pb_enum(p, "harm", "none,minor,death");
  uint32_t erec = pb_enum(p, "recovery", "limited,serious,fatal");
  uint32_t eeco = pb_enum(p, "economic", "limited,significant,catastrophic");
  uint32_t eass = pb_enum(p, "assurance", "basic,high");
  uint32_t harm = pb_fact(p, "harm", pb_te(IPSF_K_ENUM, eharm), IPSF_NONE);
  uint32_t loss = pb_fact(p, "loss", pb_t(IPSF_K_INT), pb_kint(p, 0));
  uint32_t rec = pb_scale(p, "recovery", erec, IPSF_POLICY_WORST, 1, 0);
  uint32_t eco = pb_scale(p, "economic", eeco, IPSF_POLICY_WORST, 2, 0);
  uint32_t ass = pb_scale(p, "assurance", eass, IPSF_POLICY_FIRST, 0, IPSF_NONE);
  uint32_t r0 = pb_rule(p, rec, 2, 23);
  uint32_t r1 = pb_rule(p, rec, 1, 24);
  uint32_t r2 = pb_rule(p, eco, 1, 30);
  uint32_t r3 = pb_rule(p, ass, 1, 40);
  uint32_t r4 = pb_rule(p, ass, 0, 41);
  p->rules[r0].because = pb_str(p, "irreversible harm to life or body");
  p->rules[r2].because = pb_str(p, "loss over 100");

  uint32_t v0 = pb_viewpoint(p, "pre_operation", "self_declaration,third_party_certification");
  uint32_t v1 = pb_viewpoint(p, "in_operation", "self_inspection,third_party_inspection");
  uint32_t v2 = pb_viewpoint(p, "operator", "training,licence");
  pb_viewpoint(p, "social", "voluntary_insurance,compulsory_insurance");
  uint32_t q0 = pb_req(p, "SH-01", v0, 50);
  uint32_t c0 = pb_confirm(p, q0, 0, 0, 53);
  uint32_t c1 = pb_confirm(p, q0, 1, 0, 54);
  uint32_t q1 = pb_req(p, "SH-20", v1, 60);
  uint32_t c2 = pb_confirm(p, q1, 1, 12, 63);
  uint32_t q2 = pb_req(p, "SH-30", v2, 70);
  uint32_t c3 = pb_confirm(p, q2, 0, 1, 73);
  p->requirements[q0].title = pb_str(p, "No universal default passwords");
  p->requirements[q1].title = pb_str(p, "Periodic third-party inspection");
  p->requirements[q2].title = pb_str(p, "Operator training");
  set_refs(p, q0, "ETSI EN 303 645 5.1-1", "NISTIR 8259A");
  set_refs(p, q1, "IEC 62443-2-4", NULL);

  uint32_t hs = pb_fact_slot(p, harm), ls = pb_fact_slot(p, loss);
  uint32_t rs = pb_scale_slot(p, rec);
  uint32_t j;
  /* recovery */
  pb_emit(p, IPSF_OP_LOAD, hs);
  pb_emit(p, IPSF_OP_LOADK, pb_kenum(p, eharm, 2));
  pb_emit(p, IPSF_OP_EQE, 0);
  j = pb_emit(p, IPSF_OP_JUMPF, 0);
  pb_emit(p, IPSF_OP_HITW, r0);
  pb_patch(p, j);
  pb_emit(p, IPSF_OP_LOADK, pb_kenum(p, eharm, 1));
  pb_emit(p, IPSF_OP_LOAD, hs);
  pb_emit(p, IPSF_OP_LEE, 0);
  j = pb_emit(p, IPSF_OP_JUMPF, 0);
  pb_emit(p, IPSF_OP_HITW, r1);
  pb_patch(p, j);
  pb_emit(p, IPSF_OP_SCALE, rec);
  /* economic */
  uint32_t k100 = pb_kint(p, 100);
  pb_emit(p, IPSF_OP_LOADK, k100);
  pb_emit(p, IPSF_OP_LOAD, ls);
  pb_emit(p, IPSF_OP_LEI, 0);
  j = pb_emit(p, IPSF_OP_JUMPF, 0);
  pb_emit(p, IPSF_OP_HITW, r2);
  pb_patch(p, j);
  pb_emit(p, IPSF_OP_SCALE, eco);
  /* assurance */
  uint32_t kfatal = pb_kenum(p, erec, 2);
  pb_emit(p, IPSF_OP_LOAD, rs);
  pb_emit(p, IPSF_OP_LOADK, kfatal);
  pb_emit(p, IPSF_OP_EQE, 0);
  j = pb_emit(p, IPSF_OP_JUMPF, 0);
  pb_emit(p, IPSF_OP_HITF, r3);
  pb_patch(p, j);
  pb_emit(p, IPSF_OP_LOADK, pb_kbool(p, true));
  j = pb_emit(p, IPSF_OP_JUMPF, 0);
  pb_emit(p, IPSF_OP_HITF, r4);
  pb_patch(p, j);
  pb_emit(p, IPSF_OP_SCALE, ass);
  /* SH-01 */
  pb_emit(p, IPSF_OP_REQ, q0);
  pb_emit(p, IPSF_OP_CONFIRM, c0);
  pb_emit(p, IPSF_OP_LOAD, rs);
  pb_emit(p, IPSF_OP_LOADK, kfatal);
  pb_emit(p, IPSF_OP_EQE, 0);
  j = pb_emit(p, IPSF_OP_JUMPF, 0);
  pb_emit(p, IPSF_OP_CONFIRM, c1);
  pb_patch(p, j);
  pb_emit(p, IPSF_OP_REQEND, q0);
  /* SH-20 */
  pb_emit(p, IPSF_OP_LOADK, pb_kenum(p, erec, 1));
  pb_emit(p, IPSF_OP_LOAD, rs);
  pb_emit(p, IPSF_OP_LEE, 0);
  j = pb_emit(p, IPSF_OP_JUMPF, 0);
  pb_emit(p, IPSF_OP_REQ, q1);
  pb_emit(p, IPSF_OP_CONFIRM, c2);
  pb_emit(p, IPSF_OP_REQEND, q1);
  pb_patch(p, j);
  /* SH-30 */
  pb_emit(p, IPSF_OP_LOADK, k100);
  pb_emit(p, IPSF_OP_LOAD, ls);
  pb_emit(p, IPSF_OP_LEI, 0);
  j = pb_emit(p, IPSF_OP_JUMPF, 0);
  pb_emit(p, IPSF_OP_REQ, q2);
  pb_emit(p, IPSF_OP_CONFIRM, c3);
  pb_emit(p, IPSF_OP_REQEND, q2);
  pb_patch(p, j);
  pb_emit(p, IPSF_OP_RET, 0);

  IpsfError err = {0};
  IpsfPack *q = pb_load(p, &err);
  cr_assert_not_null(q, "pack rejected: %s", err.message);
  return q;
}

/* ---- fixtures ------------------------------------------------------------ */

static IpsfPack *pack;
static IpsfEval *ev;
static IpsfBuf buf;
static json_t *docs[8];
static size_t ndocs;

static void setup(void) {
  pack = report_pack();
  ev = ipsf_eval_new(pack);
  cr_assert_not_null(ev);
  /* records of sheets with evidence carry the as-of day: pin it */
  cr_assert(ipsf_eval_set_as_of(ev, "2026-06-01", NULL));
  ipsf_buf_init(&buf);
  ndocs = 0;
}

static void teardown(void) {
  for (size_t i = 0; i < ndocs; i++) json_decref(docs[i]);
  ipsf_buf_free(&buf);
  ipsf_eval_free(ev);
  ipsf_pack_free(pack);
}

TestSuite(report, .init = setup, .fini = teardown);

/* Evaluate a JSON sheet (kept alive until teardown); false with err. */
static bool eval_sheet(const char *text, const char *profile, IpsfError *err) {
  IpsfError perr = {0};
  json_t *doc = ipsf_sheet_parse_json(text, strlen(text), &perr);
  cr_assert_not_null(doc, "%s", perr.message);
  cr_assert_lt(ndocs, 8);
  docs[ndocs++] = doc;
  ipsf_eval_begin(ev);
  IpsfBindOptions opt = {false};
  return ipsf_sheet_bind(ev, doc, profile, &opt, err) && ipsf_eval_run(ev, err);
}

static void must_eval(const char *text, const char *profile) {
  IpsfError err = {0};
  cr_assert(eval_sheet(text, profile, &err), "evaluation failed: %s", err.message);
}

#define LOCK_SHEET                                                                      \
  "{\"device\":\"Acme SmartLock X1\",\"facts\":{\"harm\":\"none\"},"                   \
  "\"profiles\":{\"care-facility\":{\"harm\":\"death\",\"loss\":5}}}"
#define CAM_SHEET                                                                       \
  "{\"device\":\"Cam\",\"facts\":{\"harm\":\"minor\",\"loss\":500},"                   \
  "\"evidence\":{\"SH-01\":\"third_party_certification\",\"SH-20\":\"self_inspection\"," \
  "\"SH-30\":\"training\"}}"

/* expected, with @DIGEST@ replaced by the pack's digest in hex */
static char *expand(const char *want) {
  char hex[65];
  for (int i = 0; i < 32; i++) snprintf(hex + 2 * i, 3, "%02x", pack->digest[i]);
  size_t n = strlen(want) + 1;
  for (const char *s = want; (s = strstr(s, "@DIGEST@")); s++) n += 64;
  char *out = malloc(n), *o = out;
  for (const char *s = want; *s;) {
    if (strncmp(s, "@DIGEST@", 8) == 0) {
      memcpy(o, hex, 64);
      o += 64;
      s += 8;
    } else {
      *o++ = *s++;
    }
  }
  *o = '\0';
  return out;
}

static void expect_output(const char *want) {
  cr_assert(!buf.failed);
  char *w = expand(want);
  const char *got = buf.data ? buf.data : "";
  cr_expect_str_eq(got, w, "output differs:\n--- got ---\n%s\n--- want ---\n%s", got, w);
  free(w);
}

/* ---- json lines ---------------------------------------------------------- */

Test(report, jsonl_record) {
  IpsfReporter r = {.format = IPSF_OUT_JSONL};
  must_eval(LOCK_SHEET, "care-facility");
  IpsfRecordHead h = {"devices/lock.json", 0, "Acme SmartLock X1", "care-facility"};
  ipsf_report_begin(&buf, &r);
  ipsf_report_record(&buf, &r, &h, ev);
  must_eval(CAM_SHEET, NULL);
  IpsfRecordHead h2 = {"devices/all.jsonl", 7, "Cam", NULL};
  ipsf_report_record(&buf, &r, &h2, ev);
  ipsf_report_end(&buf, &r);
  cr_expect_eq(r.written, 2);
  expect_output(
      "{\"sheet\":\"devices/lock.json\",\"line\":null,\"device\":\"Acme SmartLock X1\","
      "\"profile\":\"care-facility\",\"pack\":{\"name\":\"jp.example.report\",\"version\":"
      "\"1.0.0\",\"digest\":\"sha256:@DIGEST@\"},\"category\":{\"axis1\":\"fatal\",\"axis2\":"
      "\"limited\"},\"scales\":{\"recovery\":\"fatal\",\"economic\":\"limited\",\"assurance\":"
      "\"high\"},\"requirements\":[{\"id\":\"SH-01\",\"title\":\"No universal default "
      "passwords\",\"viewpoint\":\"pre_operation\",\"method\":\"third_party_certification\","
      "\"every_months\":null,\"refs\":[\"ETSI EN 303 645 5.1-1\",\"NISTIR 8259A\"],\"status\":"
      "\"unknown\"},{\"id\":\"SH-20\",\"title\":\"Periodic third-party inspection\","
      "\"viewpoint\":\"in_operation\",\"method\":\"third_party_inspection\",\"every_months\":12,"
      "\"refs\":[\"IEC 62443-2-4\"],\"status\":\"unknown\"}],\"viewpoints\":[\"pre_operation\","
      "\"in_operation\"]}\n"
      "{\"sheet\":\"devices/all.jsonl\",\"line\":7,\"device\":\"Cam\",\"profile\":null,"
      "\"as_of\":\"2026-06-01\",\"pack\":"
      "{\"name\":\"jp.example.report\",\"version\":\"1.0.0\",\"digest\":\"sha256:@DIGEST@\"},"
      "\"category\":{\"axis1\":\"serious\",\"axis2\":\"significant\"},\"scales\":{\"recovery\":"
      "\"serious\",\"economic\":\"significant\",\"assurance\":\"basic\"},\"requirements\":[{\"id\":"
      "\"SH-01\",\"title\":\"No universal default passwords\",\"viewpoint\":\"pre_operation\","
      "\"method\":\"self_declaration\",\"every_months\":null,\"refs\":[\"ETSI EN 303 645 5.1-1\","
      "\"NISTIR 8259A\"],\"status\":\"met\"},{\"id\":\"SH-20\",\"title\":\"Periodic third-party "
      "inspection\",\"viewpoint\":\"in_operation\",\"method\":\"third_party_inspection\","
      "\"every_months\":12,\"refs\":[\"IEC 62443-2-4\"],\"status\":\"unmet\"},{\"id\":\"SH-30\","
      "\"title\":\"Operator training\",\"viewpoint\":\"operator\",\"method\":\"training\","
      "\"every_months\":1,\"refs\":[],\"status\":\"met\"}],\"viewpoints\":[\"pre_operation\","
      "\"in_operation\",\"operator\"]}\n");
}

Test(report, jsonl_explain_with_otherwise) {
  IpsfReporter r = {.format = IPSF_OUT_JSONL, .explain = true};
  must_eval(LOCK_SHEET, "care-facility");
  IpsfRecordHead h = {"lock.json", 0, NULL, "care-facility"};
  ipsf_report_record(&buf, &r, &h, ev);
  const char *reasons = strstr(buf.data, ",\"reasons\":");
  cr_assert_not_null(reasons);
  cr_expect_str_eq(
      reasons,
      ",\"reasons\":{\"recovery\":[{\"level\":\"fatal\",\"at\":\"test.ipsf:23:3\",\"because\":"
      "\"irreversible harm to life or body\"},{\"level\":\"serious\",\"at\":\"test.ipsf:24:3\","
      "\"because\":null}],\"economic\":[{\"level\":\"limited\",\"at\":\"test.ipsf:99:3\","
      "\"because\":null,\"otherwise\":true}],\"assurance\":[{\"level\":\"high\",\"at\":"
      "\"test.ipsf:40:3\",\"because\":null},{\"level\":\"basic\",\"at\":\"test.ipsf:41:3\","
      "\"because\":null}]}}\n");
}

Test(report, jsonl_error_record) {
  IpsfReporter r = {.format = IPSF_OUT_JSONL};
  IpsfError err = {0};
  cr_assert(!eval_sheet("{\"device\":\"Bare\",\"facts\":{\"loss\":1}}", NULL, &err));
  cr_expect_eq(err.kind, IPSF_ERR_MISSING_FACT);
  IpsfRecordHead h = {"s.jsonl", 3, "Bare", NULL};
  ipsf_report_error(&buf, &r, &h, pack, &err);
  IpsfError e2 = {IPSF_ERR_SYNTAX, "column 4: \"bad\"\tinput\x01"};
  IpsfRecordHead h2 = {"s.jsonl", 4, NULL, "p\"q"};
  ipsf_report_error(&buf, &r, &h2, NULL, &e2);
  cr_expect_eq(r.written, 2);
  expect_output("{\"sheet\":\"s.jsonl\",\"line\":3,\"device\":\"Bare\",\"profile\":null,"
                "\"error\":{\"kind\":\"missing_fact\",\"message\":\"required fact 'harm' is "
                "missing\"}}\n"
                "{\"sheet\":\"s.jsonl\",\"line\":4,\"device\":null,\"profile\":\"p\\\"q\","
                "\"error\":{\"kind\":\"syntax\",\"message\":\"column 4: \\\"bad\\\"\\tinput"
                "\\u0001\"}}\n");
}

/* ---- json ---------------------------------------------------------------- */

Test(report, json_empty_run) {
  IpsfReporter r = {.format = IPSF_OUT_JSON};
  ipsf_report_begin(&buf, &r);
  ipsf_report_end(&buf, &r);
  expect_output("[]\n");
}

Test(report, json_pretty_array) {
  IpsfReporter r = {.format = IPSF_OUT_JSON, .explain = true};
  ipsf_report_begin(&buf, &r);
  must_eval(CAM_SHEET, NULL);
  IpsfRecordHead h = {"cam.yaml", 0, "Cam", NULL};
  ipsf_report_record(&buf, &r, &h, ev);
  IpsfError err = {IPSF_ERR_UNKNOWN_PROFILE, "sheet has no profile 'x'"};
  IpsfRecordHead h2 = {"cam.yaml", 0, "Cam", "x"};
  ipsf_report_error(&buf, &r, &h2, pack, &err);
  ipsf_report_end(&buf, &r);
  expect_output("[\n"
                "  {\n"
                "    \"sheet\": \"cam.yaml\",\n"
                "    \"line\": null,\n"
                "    \"device\": \"Cam\",\n"
                "    \"profile\": null,\n"
                "    \"as_of\": \"2026-06-01\",\n"
                "    \"pack\": {\n"
                "      \"name\": \"jp.example.report\",\n"
                "      \"version\": \"1.0.0\",\n"
                "      \"digest\": \"sha256:@DIGEST@\"\n"
                "    },\n"
                "    \"category\": {\n"
                "      \"axis1\": \"serious\",\n"
                "      \"axis2\": \"significant\"\n"
                "    },\n"
                "    \"scales\": {\n"
                "      \"recovery\": \"serious\",\n"
                "      \"economic\": \"significant\",\n"
                "      \"assurance\": \"basic\"\n"
                "    },\n"
                "    \"requirements\": [\n"
                "      {\n"
                "        \"id\": \"SH-01\",\n"
                "        \"title\": \"No universal default passwords\",\n"
                "        \"viewpoint\": \"pre_operation\",\n"
                "        \"method\": \"self_declaration\",\n"
                "        \"every_months\": null,\n"
                "        \"refs\": [\n"
                "          \"ETSI EN 303 645 5.1-1\",\n"
                "          \"NISTIR 8259A\"\n"
                "        ],\n"
                "        \"status\": \"met\"\n"
                "      },\n"
                "      {\n"
                "        \"id\": \"SH-20\",\n"
                "        \"title\": \"Periodic third-party inspection\",\n"
                "        \"viewpoint\": \"in_operation\",\n"
                "        \"method\": \"third_party_inspection\",\n"
                "        \"every_months\": 12,\n"
                "        \"refs\": [\n"
                "          \"IEC 62443-2-4\"\n"
                "        ],\n"
                "        \"status\": \"unmet\"\n"
                "      },\n"
                "      {\n"
                "        \"id\": \"SH-30\",\n"
                "        \"title\": \"Operator training\",\n"
                "        \"viewpoint\": \"operator\",\n"
                "        \"method\": \"training\",\n"
                "        \"every_months\": 1,\n"
                "        \"refs\": [],\n"
                "        \"status\": \"met\"\n"
                "      }\n"
                "    ],\n"
                "    \"viewpoints\": [\n"
                "      \"pre_operation\",\n"
                "      \"in_operation\",\n"
                "      \"operator\"\n"
                "    ],\n"
                "    \"reasons\": {\n"
                "      \"recovery\": [\n"
                "        {\n"
                "          \"level\": \"serious\",\n"
                "          \"at\": \"test.ipsf:24:3\",\n"
                "          \"because\": null\n"
                "        }\n"
                "      ],\n"
                "      \"economic\": [\n"
                "        {\n"
                "          \"level\": \"significant\",\n"
                "          \"at\": \"test.ipsf:30:3\",\n"
                "          \"because\": \"loss over 100\"\n"
                "        }\n"
                "      ],\n"
                "      \"assurance\": [\n"
                "        {\n"
                "          \"level\": \"basic\",\n"
                "          \"at\": \"test.ipsf:41:3\",\n"
                "          \"because\": null\n"
                "        }\n"
                "      ]\n"
                "    }\n"
                "  },\n"
                "  {\n"
                "    \"sheet\": \"cam.yaml\",\n"
                "    \"line\": null,\n"
                "    \"device\": \"Cam\",\n"
                "    \"profile\": \"x\",\n"
                "    \"error\": {\n"
                "      \"kind\": \"unknown_profile\",\n"
                "      \"message\": \"sheet has no profile 'x'\"\n"
                "    }\n"
                "  }\n"
                "]\n");
  /* And it is JSON that jansson reads back, two records. */
  json_error_t je;
  json_t *all = json_loads(buf.data, 0, &je);
  cr_assert_not_null(all, "%s", je.text);
  cr_expect_eq(json_array_size(all), 2);
  json_decref(all);
}

Test(report, json_no_requirements_apply) {
  IpsfReporter r = {.format = IPSF_OUT_JSONL};
  must_eval(CAM_SHEET, NULL);
  memset(ev->req_applies, 0, pack->requirement_count);
  memset(ev->vp_used, 0, pack->viewpoint_count);
  IpsfRecordHead h = {"x.json", 0, NULL, NULL};
  ipsf_report_record(&buf, &r, &h, ev);
  cr_expect(strstr(buf.data, ",\"requirements\":[],\"viewpoints\":[]}\n") != NULL, "%s",
            buf.data);
}

/* The same input gives the same bytes. */
Test(report, deterministic) {
  IpsfReporter r1 = {.format = IPSF_OUT_JSON, .explain = true};
  IpsfReporter r2 = r1;
  IpsfBuf other;
  ipsf_buf_init(&other);
  must_eval(LOCK_SHEET, "care-facility");
  IpsfRecordHead h = {"lock.json", 0, "Acme SmartLock X1", "care-facility"};
  ipsf_report_begin(&buf, &r1);
  ipsf_report_record(&buf, &r1, &h, ev);
  ipsf_report_end(&buf, &r1);
  must_eval(CAM_SHEET, NULL);
  must_eval(LOCK_SHEET, "care-facility");
  ipsf_report_begin(&other, &r2);
  ipsf_report_record(&other, &r2, &h, ev);
  ipsf_report_end(&other, &r2);
  cr_expect_eq(buf.len, other.len);
  cr_expect_str_eq(buf.data, other.data);
  ipsf_buf_free(&other);
}

/* ---- text ---------------------------------------------------------------- */

Test(report, text_blocks) {
  IpsfReporter r = {.format = IPSF_OUT_TEXT, .explain = true};
  ipsf_report_begin(&buf, &r);
  must_eval(LOCK_SHEET, "care-facility");
  IpsfRecordHead h = {"examples/devices/lock.json", 0, "Acme SmartLock X1", "care-facility"};
  ipsf_report_record(&buf, &r, &h, ev);
  must_eval(CAM_SHEET, NULL);
  IpsfRecordHead h2 = {"cams.jsonl", 2, "Cam", NULL};
  ipsf_report_record(&buf, &r, &h2, ev);
  ipsf_report_end(&buf, &r);
  expect_output(
      "examples/devices/lock.json  Acme SmartLock X1  [care-facility]\n"
      "  category      fatal / limited\n"
      "  scales        recovery fatal, economic limited, assurance high\n"
      "  requirements\n"
      "    SH-01  pre_operation  third_party_certification               unknown  No universal default passwords\n"
      "    SH-20  in_operation   third_party_inspection every 12 months  unknown  Periodic third-party inspection\n"
      "  viewpoints    pre_operation, in_operation\n"
      "  reasons\n"
      "    recovery   fatal    test.ipsf:23:3  irreversible harm to life or body\n"
      "    recovery   serious  test.ipsf:24:3\n"
      "    economic   limited  test.ipsf:99:3  (otherwise)\n"
      "    assurance  high     test.ipsf:40:3\n"
      "    assurance  basic    test.ipsf:41:3\n"
      "\n"
      "cams.jsonl:2  Cam\n"
      "  as of         2026-06-01\n"
      "  category      serious / significant\n"
      "  scales        recovery serious, economic significant, assurance basic\n"
      "  requirements\n"
      "    SH-01  pre_operation  self_declaration                        met    No universal default passwords\n"
      "    SH-20  in_operation   third_party_inspection every 12 months  unmet  Periodic third-party inspection\n"
      "    SH-30  operator       training every 1 month                  met    Operator training\n"
      "  viewpoints    pre_operation, in_operation, operator\n"
      "  reasons\n"
      "    recovery   serious      test.ipsf:24:3\n"
      "    economic   significant  test.ipsf:30:3  loss over 100\n"
      "    assurance  basic        test.ipsf:41:3\n");
}

Test(report, text_without_explain_and_nothing_applies) {
  IpsfReporter r = {.format = IPSF_OUT_TEXT};
  must_eval(CAM_SHEET, NULL);
  memset(ev->req_applies, 0, pack->requirement_count);
  memset(ev->vp_used, 0, pack->viewpoint_count);
  IpsfRecordHead h = {"cam.json", 0, NULL, NULL};
  ipsf_report_record(&buf, &r, &h, ev);
  expect_output("cam.json\n"
                "  as of         2026-06-01\n"
                "  category      serious / significant\n"
                "  scales        recovery serious, economic significant, assurance basic\n"
                "  requirements  (no requirements apply)\n"
                "  viewpoints    (none)\n");
}

Test(report, text_error_records) {
  IpsfReporter r = {.format = IPSF_OUT_TEXT};
  must_eval(CAM_SHEET, NULL);
  IpsfRecordHead h = {"cam.json", 0, NULL, NULL};
  ipsf_report_record(&buf, &r, &h, ev);
  IpsfError e1 = {IPSF_ERR_TYPE, "fact 'loss' must be an integer, got a string"};
  IpsfRecordHead h1 = {"all.jsonl", 12, "Dev", "home"};
  ipsf_report_error(&buf, &r, &h1, pack, &e1);
  IpsfError e2 = {IPSF_ERR_SYNTAX, "3:14: bad\x1b[31m"};
  IpsfRecordHead h2 = {"x.json", 0, NULL, NULL};
  ipsf_report_error(&buf, &r, &h2, NULL, &e2);
  const char *errs = strstr(buf.data, "all.jsonl");
  cr_assert_not_null(errs);
  cr_expect_str_eq(errs - 1, "\n"
                             "all.jsonl:12  Dev [home]: error (type): fact 'loss' must be an integer, got a string\n"
                             "\n"
                             "x.json: error (syntax): 3:14: bad\\x1b[31m\n");
}

Test(report, text_color) {
  IpsfReporter r = {.format = IPSF_OUT_TEXT, .color = true};
  must_eval(CAM_SHEET, NULL);
  IpsfRecordHead h = {"cam.json", 0, "Cam", NULL};
  ipsf_report_record(&buf, &r, &h, ev);
  IpsfError e = {IPSF_ERR_IO, "cannot open: No such file or directory"};
  IpsfRecordHead h2 = {"gone.json", 0, NULL, NULL};
  ipsf_report_error(&buf, &r, &h2, NULL, &e);
  expect_output(
      "\x1b[1mcam.json  Cam\x1b[0m\n"
      "  as of         2026-06-01\n"
      "  category      \x1b[33mserious\x1b[0m / \x1b[33msignificant\x1b[0m\n"
      "  scales        recovery serious, economic significant, assurance basic\n"
      "  requirements\n"
      "    SH-01  pre_operation  self_declaration                        \x1b[32mmet\x1b[0m    No universal default passwords\n"
      "    SH-20  in_operation   third_party_inspection every 12 months  \x1b[31munmet\x1b[0m  Periodic third-party inspection\n"
      "    SH-30  operator       training every 1 month                  \x1b[32mmet\x1b[0m    Operator training\n"
      "  viewpoints    pre_operation, in_operation, operator\n"
      "\n"
      "gone.json: \x1b[1m\x1b[31merror (io)\x1b[0m: cannot open: No such file or directory\n");
}

Test(report, text_color_levels_and_unknown) {
  IpsfReporter r = {.format = IPSF_OUT_TEXT, .color = true};
  must_eval(LOCK_SHEET, "care-facility");
  IpsfRecordHead h = {"lock.json", 0, NULL, NULL};
  ipsf_report_record(&buf, &r, &h, ev);
  cr_expect(strstr(buf.data, "  category      \x1b[31mfatal\x1b[0m / \x1b[32mlimited\x1b[0m\n"),
            "%s", buf.data);
  cr_expect(strstr(buf.data, "  \x1b[2munknown\x1b[0m  No universal"), "%s", buf.data);
}

Test(report, text_controls_in_names_are_neutralised) {
  IpsfReporter r = {.format = IPSF_OUT_TEXT};
  must_eval(CAM_SHEET, NULL);
  IpsfRecordHead h = {"a\nb.json", 0, "Evil\x1b]0;x\x07", "p\rq"};
  ipsf_report_record(&buf, &r, &h, ev);
  const char *want = "a\\x0ab.json  Evil\\x1b]0;x\\x07  [p\\x0dq]\n";
  cr_expect(strncmp(buf.data, want, strlen(want)) == 0, "%s", buf.data);
}

/* C1 controls (U+009B is CSI on some terminals), a lone 0x9b byte (CSI in
 * 8-bit mode) and a bidi override pass no filter of C0 only. */
Test(report, text_c1_and_invalid_utf8_are_escaped) {
  IpsfReporter r = {.format = IPSF_OUT_TEXT};
  must_eval(CAM_SHEET, NULL);
  IpsfRecordHead h = {"c1\xc2\x9b" "2J.json", 0, "raw\x9b" "2J", "\xe2\x80\xae" "ab"};
  ipsf_report_record(&buf, &r, &h, ev);
  const char *want = "c1\\u009b2J.json  raw\\x9b2J  [\\u202eab]\n";
  cr_expect(strncmp(buf.data, want, strlen(want)) == 0, "%s", buf.data);
}

/* One name per status for records, reports and test results alike;
 * IPSF_NOT_APPLICABLE (4) and anything else read as "unknown". */
Test(report, status_names) {
  cr_assert_str_eq(ipsf_status_name(IPSF_MET), "met");
  cr_assert_str_eq(ipsf_status_name(IPSF_UNMET), "unmet");
  cr_assert_str_eq(ipsf_status_name(IPSF_EXPIRED), "expired");
  cr_assert_str_eq(ipsf_status_name(IPSF_COMPENSATED), "compensated");
  cr_assert_str_eq(ipsf_status_name(IPSF_UNKNOWN), "unknown");
  cr_assert_str_eq(ipsf_status_name((IpsfStatus)4), "unknown");
  cr_assert_str_eq(ipsf_status_name((IpsfStatus)99), "unknown");
}

/* Found by fuzz_vm's output oracle: SARIF results took their comma from
 * `written` (records so far), but a record writes zero or more results:
 * the first record's second result had no comma before it, and after a
 * record with none the next began with one ("results":[,). */
Test(report, sarif_results_are_separated_whatever_records_hold) {
  IpsfReporter r = {.format = IPSF_OUT_SARIF, .pack = pack};
  ipsf_report_begin(&buf, &r);
  must_eval(CAM_SHEET, NULL);
  memset(ev->req_applies, 0, pack->requirement_count); /* a record with no result */
  IpsfRecordHead h = {"cam.json", 0, "Cam", NULL};
  ipsf_report_record(&buf, &r, &h, ev);
  must_eval(LOCK_SHEET, "care-facility"); /* two results each */
  IpsfRecordHead h2 = {"lock.json", 0, "Lock", "care-facility"};
  ipsf_report_record(&buf, &r, &h2, ev);
  ipsf_report_record(&buf, &r, &h2, ev);
  ipsf_report_end(&buf, &r);
  cr_assert(!buf.failed);
  json_error_t je;
  json_t *all = json_loads(buf.data, 0, &je);
  cr_assert_not_null(all, "%s at %d:%d in\n%s", je.text, je.line, je.column, buf.data);
  json_t *results = json_object_get(json_array_get(json_object_get(all, "runs"), 0), "results");
  cr_expect_eq(json_array_size(results), 4);
  json_decref(all);
}

/* Found by fuzz_runner: a sheet without a name (ipsf_runner_document's
 * NULL name, "the records' sheet: null") and without a device crashed the
 * SARIF writer (NULL path read for its URI) and the SARIF and JUnit
 * messages (strlen(NULL)). */
Test(report, ci_formats_take_a_sheet_without_name_or_device) {
  static const IpsfOutFormat formats[] = {IPSF_OUT_CSV, IPSF_OUT_SARIF, IPSF_OUT_JUNIT};
  must_eval(LOCK_SHEET, "care-facility"); /* results to write */
  IpsfRecordHead h = {NULL, 0, NULL, NULL};
  IpsfError err = {.kind = IPSF_ERR_SYNTAX};
  snprintf(err.message, sizeof err.message, "bad");
  for (size_t f = 0; f < 3; f++) {
    IpsfReporter r = {.format = formats[f], .pack = pack};
    ipsf_buf_free(&buf);
    ipsf_buf_init(&buf);
    ipsf_report_begin(&buf, &r);
    ipsf_report_record(&buf, &r, &h, ev);
    ipsf_report_error(&buf, &r, &h, pack, &err);
    ipsf_report_end(&buf, &r);
    cr_assert(!buf.failed && buf.data);
    if (formats[f] == IPSF_OUT_SARIF) {
      json_error_t je;
      json_t *all = json_loads(buf.data, 0, &je);
      cr_assert_not_null(all, "%s in\n%s", je.text, buf.data);
      json_decref(all);
    }
  }
}
