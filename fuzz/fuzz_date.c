/* Dates (util/date.c) as query parameters and JSON fields give them:
 * "YYYY-MM-DD" and RFC 3339 timestamps. A date that date_valid() accepts
 * has a year in range and a long form; a timestamp that parses prints as
 * one that parses to the same second. */
#include <inttypes.h>
#include <stdio.h>

#include "fuzz.h"
#include "util/date.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_cstring(data, size);
    char longer[64], again[21];
    int64_t t = 0, t2 = 0;

    date_check(s, "date");
    if (date_valid(s)) {
        int y = date_year(s);
        if (y < 1000 || y > 9999) {
            fprintf(stderr, "date %s has year %d\n", s, y);
            abort();
        }
        date_long(s, longer, sizeof longer);
    }
    if (date_parse_rfc3339(s, "at", &t) == 0) {
        date_format_rfc3339(t, again);
        if (date_parse_rfc3339(again, "at", &t2) != 0 || t2 != t) {
            fprintf(stderr, "%s is %" PRId64 ", printed %s, read back as %" PRId64 "\n", s, t, again, t2);
            abort();
        }
    }
    free(s);
    return 0;
}
