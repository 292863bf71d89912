/* ISO 8601 calendar dates (YYYY-MM-DD) and RFC 3339 UTC timestamps.
 *
 * Dates are kept as their canonical text everywhere: for valid dates the
 * text order is the calendar order, so the store compares them as strings.
 * Nothing here reads the clock: "now" and "today" come from util/clock.h. */
#ifndef ACCORD_UTIL_DATE_H
#define ACCORD_UTIL_DATE_H

#include <stdbool.h>
#include <stdint.h>

#define DATE_LEN 10 /* "YYYY-MM-DD" */

/* True when 's' is exactly a real calendar date "YYYY-MM-DD" (leap years
 * respected, years 1000..9999). */
bool date_valid(const char *s);

/* Checks 's' as a date for input field 'field'; fails ACCORD_EINVAL with a
 * message naming the field. */
int date_check(const char *s, const char *field);

/* Writes 't' (seconds since the epoch) as "YYYY-MM-DDTHH:MM:SSZ" into
 * 'out'. Text in this one form sorts in time order, so the store compares
 * timestamps as strings. */
void date_format_rfc3339(int64_t t, char out[21]);

/* Parses an RFC 3339 timestamp ("2026-05-01T12:00:00Z", fractions of a
 * second ignored, "+02:00" style offsets applied) into seconds since the
 * epoch. Fails ACCORD_EINVAL naming 'field'. */
int date_parse_rfc3339(const char *s, const char *field, int64_t *out);

/* Year of a valid date. */
int date_year(const char *s);

/* Formats a valid date as "28 September 2018" into 'out'. */
void date_long(const char *s, char *out, unsigned outlen);

#endif
