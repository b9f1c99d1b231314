/*
 * date.c -- ISO 8601 calendar dates as day numbers (date.h).
 *
 * The conversions are Howard Hinnant's days_from_civil and civil_from_days
 * (public domain algorithms), exact over the proleptic Gregorian calendar,
 * with no table and no time zone: evidence dates are calendar dates, not
 * instants, so the only clock read is "today in UTC" for the default of
 * --as-of (or the day of SOURCE_DATE_EPOCH, when set).
 */
#include "date.h"

#include <errno.h>
#include <stdlib.h>
#include <time.h>

static int32_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  unsigned yoe = (unsigned)(y - era * 400);
  unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return (int32_t)(era * 146097 + (int64_t)doe - 719468);
}

static void civil_from_days(int32_t z, int64_t *y, unsigned *m, unsigned *d) {
  int64_t zz = (int64_t)z + 719468;
  int64_t era = (zz >= 0 ? zz : zz - 146096) / 146097;
  unsigned doe = (unsigned)(zz - era * 146097);
  unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static bool leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static unsigned month_days(int64_t y, unsigned m) {
  static const unsigned char len[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : len[m - 1];
}

static bool digits(const char *s, int n, unsigned *out) {
  unsigned v = 0;
  for (int i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (unsigned)(s[i] - '0');
  }
  *out = v;
  return true;
}

bool ipsf_date_parse(const char *t, int32_t *day) {
  unsigned y, m, d;
  if (!t || !digits(t, 4, &y) || t[4] != '-' || !digits(t + 5, 2, &m) || t[7] != '-' ||
      !digits(t + 8, 2, &d) || t[10] != '\0')
    return false;
  if (y < 1 || m < 1 || m > 12 || d < 1 || d > month_days(y, m)) return false;
  *day = days_from_civil(y, m, d);
  return true;
}

/* A day outside the years one can write (a due day of evidence dated late
 * in 9999 plus its period) saturates to 0001-01-01 or 9999-12-31: clamping
 * the year alone wrote days that are no calendar date ("9999-02-29") or
 * fall before the evidence's own date.  No as-of day is past 9999-12-31,
 * so a due day written as the last day decides the same statuses. */
void ipsf_date_format(int32_t day, char out[11]) {
  static const int32_t first = -719162; /* 0001-01-01 */
  static const int32_t last = 2932896;  /* 9999-12-31 */
  if (day < first) day = first;
  if (day > last) day = last;
  int64_t y;
  unsigned m, d;
  civil_from_days(day, &y, &m, &d);
  unsigned yy = (unsigned)y;
  out[0] = (char)('0' + yy / 1000);
  out[1] = (char)('0' + yy / 100 % 10);
  out[2] = (char)('0' + yy / 10 % 10);
  out[3] = (char)('0' + yy % 10);
  out[4] = '-';
  out[5] = (char)('0' + m / 10);
  out[6] = (char)('0' + m % 10);
  out[7] = '-';
  out[8] = (char)('0' + d / 10);
  out[9] = (char)('0' + d % 10);
  out[10] = '\0';
}

int32_t ipsf_date_add_months(int32_t day, int64_t months) {
  int64_t y;
  unsigned m, d;
  civil_from_days(day, &y, &m, &d);
  /* Periods are at most a few hundred months (the compiler bounds them);
   * clamp so that a hostile count cannot overflow the arithmetic. */
  if (months > 120000) months = 120000;
  if (months < -120000) months = -120000;
  int64_t total = y * 12 + (int64_t)(m - 1) + months;
  int64_t ny = total >= 0 ? total / 12 : (total - 11) / 12;
  unsigned nm = (unsigned)(total - ny * 12) + 1;
  unsigned last = month_days(ny, nm);
  return days_from_civil(ny, nm, d > last ? last : d);
}

/* SOURCE_DATE_EPOCH (reproducible-builds.org) pins "today" for output
 * that must not change from day to day: the golden tests, a rebuild of a
 * published report.  A malformed value is ignored. */
int32_t ipsf_date_today(void) {
  int64_t now = (int64_t)time(NULL);
  const char *pinned = getenv("SOURCE_DATE_EPOCH");
  if (pinned && *pinned) {
    char *end;
    errno = 0;
    long long v = strtoll(pinned, &end, 10);
    if (!errno && *end == '\0' && v >= 0 && v < INT64_C(253402300800)) now = v;
  }
  return (int32_t)(now / 86400 - (now % 86400 < 0));
}
