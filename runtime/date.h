/*
 * date.h -- calendar dates for dated evidence (private header).
 *
 * A date is a day number: days since 1970-01-01 in the proleptic Gregorian
 * calendar, so comparing dates is comparing integers.  Only the ISO 8601
 * calendar form YYYY-MM-DD is read or written, years 0001 to 9999.
 */
#ifndef IPSF_DATE_H
#define IPSF_DATE_H

#include <stdbool.h>
#include <stdint.h>

/* No date (an evidence entry without one). */
#define IPSF_NO_DATE INT32_MIN

/* Parse exactly "YYYY-MM-DD" (a real calendar date) into *day. */
bool ipsf_date_parse(const char *text, int32_t *day);
/* Write day as "YYYY-MM-DD" into out[11] (NUL-terminated); a day before
 * 0001-01-01 or after 9999-12-31 is written as that day. */
void ipsf_date_format(int32_t day, char out[11]);
/* day plus `months` calendar months; a day past the end of the target
 * month becomes its last day (2025-01-31 + 1 month = 2025-02-28). */
int32_t ipsf_date_add_months(int32_t day, int64_t months);
/* Today in UTC. */
int32_t ipsf_date_today(void);

#endif
