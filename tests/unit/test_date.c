/*
 * test_date.c -- calendar dates (runtime/date.c) and dated evidence: the
 * statuses met, expired (by age, by expiry) and unmet around the as-of
 * day, on the sample pack of pack_builder.c (SH-20: third_party_inspection
 * every 12 months when fatal).
 */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "date.h"
#include "eval.h"
#include "pack_builder.h"

static int32_t day(const char *text) {
  int32_t d;
  cr_assert(ipsf_date_parse(text, &d), "not a date: %s", text);
  return d;
}

static void round_trip(const char *text) {
  char out[11];
  ipsf_date_format(day(text), out);
  cr_expect_str_eq(out, text);
}

Test(date, parse_and_format) {
  cr_expect_eq(day("1970-01-01"), 0);
  cr_expect_eq(day("1970-01-02"), 1);
  cr_expect_eq(day("1969-12-31"), -1);
  cr_expect_eq(day("2000-03-01") - day("2000-02-28"), 2); /* 2000 is a leap year */
  cr_expect_eq(day("1900-03-01") - day("1900-02-28"), 1); /* 1900 is not */
  round_trip("0001-01-01");
  round_trip("2024-02-29");
  round_trip("2026-12-05");
  round_trip("9999-12-31");
}

Test(date, refuses_what_is_not_a_calendar_date) {
  static const char *const bad[] = {"2025-02-29", "2024-02-30", "2025-13-01", "2025-00-10",
                                    "2025-04-31", "2025-1-10",  "2025-01-10T00:00", "25-01-10",
                                    "0000-01-01", "2025/01/10", "",           " 2025-01-10",
                                    "2025-01-1x"};
  int32_t d;
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
    cr_expect_not(ipsf_date_parse(bad[i], &d), "accepted: '%s'", bad[i]);
  cr_expect_not(ipsf_date_parse(NULL, &d));
}

Test(date, add_months_clamps_to_the_month_end) {
  char out[11];
  ipsf_date_format(ipsf_date_add_months(day("2025-01-31"), 1), out);
  cr_expect_str_eq(out, "2025-02-28");
  ipsf_date_format(ipsf_date_add_months(day("2024-01-31"), 1), out);
  cr_expect_str_eq(out, "2024-02-29");
  ipsf_date_format(ipsf_date_add_months(day("2025-01-10"), 12), out);
  cr_expect_str_eq(out, "2026-01-10");
  ipsf_date_format(ipsf_date_add_months(day("2025-11-15"), 3), out);
  cr_expect_str_eq(out, "2026-02-15");
  ipsf_date_format(ipsf_date_add_months(day("2025-03-15"), -3), out);
  cr_expect_str_eq(out, "2024-12-15");
}

/* Found by fuzz_vm's due-day oracle: a day past 9999-12-31 (evidence of
 * 9999-08-31 every 6 months) was written with its year clamped alone:
 * "9999-02-29", no calendar date, and a due day before the evidence's own
 * date.  Days outside the years 0001..9999 saturate to the first or last
 * day one can write. */
Test(date, format_saturates_outside_the_writable_years) {
  char out[11];
  ipsf_date_format(ipsf_date_add_months(day("9999-08-31"), 6), out);
  cr_expect_str_eq(out, "9999-12-31");
  ipsf_date_format(ipsf_date_add_months(day("9999-12-31"), 1), out);
  cr_expect_str_eq(out, "9999-12-31");
  ipsf_date_format(day("9999-12-31") + 1, out);
  cr_expect_str_eq(out, "9999-12-31");
  ipsf_date_format(INT32_MAX, out);
  cr_expect_str_eq(out, "9999-12-31");
  ipsf_date_format(day("0001-01-01") - 1, out);
  cr_expect_str_eq(out, "0001-01-01");
  ipsf_date_format(INT32_MIN + 1, out);
  cr_expect_str_eq(out, "0001-01-01");
}

/* ---- statuses --------------------------------------------------------- */

static IpsfPack *pack;
static IpsfEval *ev;
static IpsfError err;

static void setup(void) {
  IpsfError e;
  pack = pb_load(pb_sample(), &e);
  cr_assert(pack, "%s", e.message);
  ev = ipsf_eval_new(pack);
  cr_assert(ev);
  memset(&err, 0, sizeof err);
}

static void teardown(void) {
  ipsf_eval_free(ev);
  ipsf_pack_free(pack);
}

TestSuite(dated, .init = setup, .fini = teardown);

/* Place the device fatal (SH-20 applies, 12 months), give SH-20 evidence,
 * run on as_of; the status. */
static IpsfStatus sh20(const char *as_of, const char *method, const char *date,
                       const char *expires) {
  ipsf_eval_begin(ev);
  cr_assert(ipsf_eval_set_as_of(ev, as_of, &err), "%s", err.message);
  cr_assert(ipsf_eval_set_enum(ev, ipsf_fact_index(pack, "usage"), "home", &err));
  cr_assert(ipsf_eval_set_enum(ev, ipsf_fact_index(pack, "harm_life"), "death", &err));
  IpsfEvidence e = {method, date, expires};
  cr_assert(ipsf_eval_set_evidence_entry(ev, "SH-20", &e, &err), "%s", err.message);
  cr_assert(ipsf_eval_run(ev, &err), "%s", err.message);
  return ipsf_eval_status(ev, S_R_SH20);
}

Test(dated, age_against_the_period) {
  char due[11];
  cr_expect_eq(sh20("2025-06-01", "third_party_inspection", "2025-01-10", NULL), IPSF_MET);
  cr_assert(ipsf_eval_due(ev, S_R_SH20, due));
  cr_expect_str_eq(due, "2026-01-10");
  cr_expect_null(ipsf_eval_expired_by(ev, S_R_SH20));
  /* the due day itself still counts; the day after does not */
  cr_expect_eq(sh20("2026-01-10", "third_party_inspection", "2025-01-10", NULL), IPSF_MET);
  cr_expect_eq(sh20("2026-01-11", "third_party_inspection", "2025-01-10", NULL), IPSF_EXPIRED);
  cr_expect_str_eq(ipsf_eval_expired_by(ev, S_R_SH20), "age");
  /* a weaker method is unmet whatever its date */
  cr_expect_eq(sh20("2025-06-01", "self_inspection", "2025-01-10", NULL), IPSF_UNMET);
  cr_expect_not(ipsf_eval_due(ev, S_R_SH20, due));
  /* evidence dated after the as-of day does not count yet */
  cr_expect_eq(sh20("2024-12-31", "third_party_inspection", "2025-01-10", NULL), IPSF_UNMET);
}

Test(dated, a_due_day_past_9999_is_written_as_the_last_day) {
  char due[11];
  cr_expect_eq(sh20("9999-12-31", "third_party_inspection", "9999-02-28", NULL), IPSF_MET);
  cr_assert(ipsf_eval_due(ev, S_R_SH20, due));
  cr_expect_str_eq(due, "9999-12-31");
}

Test(dated, expiry_and_the_earlier_of_the_two) {
  char due[11];
  cr_expect_eq(sh20("2025-06-01", "third_party_inspection", NULL, "2025-05-31"), IPSF_EXPIRED);
  cr_expect_str_eq(ipsf_eval_expired_by(ev, S_R_SH20), "expiry");
  cr_expect_eq(sh20("2025-06-01", "third_party_inspection", NULL, "2025-06-01"), IPSF_MET);
  /* an expiry before the period ends decides */
  cr_expect_eq(sh20("2025-06-01", "third_party_inspection", "2025-01-10", "2025-09-30"), IPSF_MET);
  cr_assert(ipsf_eval_due(ev, S_R_SH20, due));
  cr_expect_str_eq(due, "2025-09-30");
  /* a period ending before the expiry decides */
  cr_expect_eq(sh20("2026-02-01", "third_party_inspection", "2025-01-10", "2027-01-10"),
               IPSF_EXPIRED);
  cr_expect_str_eq(ipsf_eval_expired_by(ev, S_R_SH20), "age");
}

Test(dated, undated_evidence_stays_met_and_begin_clears_dates) {
  cr_expect_eq(sh20("2030-01-01", "third_party_inspection", "2025-01-10", NULL), IPSF_EXPIRED);
  ipsf_eval_begin(ev);
  cr_assert(ipsf_eval_set_enum(ev, ipsf_fact_index(pack, "usage"), "home", &err));
  cr_assert(ipsf_eval_set_enum(ev, ipsf_fact_index(pack, "harm_life"), "death", &err));
  cr_assert(ipsf_eval_set_evidence(ev, "SH-20", "third_party_inspection", &err));
  cr_assert(ipsf_eval_run(ev, &err), "%s", err.message);
  cr_expect_eq(ipsf_eval_status(ev, S_R_SH20), IPSF_MET);
  char as_of[11];
  ipsf_eval_as_of(ev, as_of); /* kept by begin */
  cr_expect_str_eq(as_of, "2030-01-01");
}

Test(dated, malformed_dates_name_the_requirement) {
  ipsf_eval_begin(ev);
  IpsfEvidence e = {"third_party_inspection", "2025-02-29", NULL};
  cr_expect_not(ipsf_eval_set_evidence_entry(ev, "SH-20", &e, &err));
  cr_expect_eq(err.kind, IPSF_ERR_TYPE);
  cr_expect_str_eq(err.message, "evidence for requirement SH-20: \"date\" '2025-02-29' is not a "
                                "calendar date (YYYY-MM-DD)");
  e = (IpsfEvidence){"third_party_inspection", "2025-02-01", "2025-01-01"};
  cr_expect_not(ipsf_eval_set_evidence_entry(ev, "SH-20", &e, &err));
  cr_expect_str_eq(err.message, "evidence for requirement SH-20: it expires (2025-01-01) before "
                                "its date (2025-02-01)");
  cr_expect_not(ipsf_eval_set_as_of(ev, "2025-1-1", &err));
  cr_expect_str_eq(err.message, "as-of date '2025-1-1' is not a calendar date (YYYY-MM-DD)");
}
