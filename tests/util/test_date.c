/* util-date: calendar dates. */
#include <criterion/criterion.h>

#include "util/date.h"
#include "util/error.h"

Test(util_date, accepts_real_dates)
{
    cr_assert(date_valid("2018-09-28"));
    cr_assert(date_valid("2020-02-29"), "2020 is a leap year");
    cr_assert(date_valid("2000-02-29"), "2000 is a leap year (divisible by 400)");
    cr_assert(date_valid("1999-12-31"));
}

Test(util_date, refuses_impossible_or_malformed_dates)
{
    const char *bad[] = {"2018-02-30", "2019-02-29", "1900-02-29", "2018-13-01", "2018-00-10", "2018-04-31",
                         "2018-9-28",  "18-09-28",   "2018/09/28", "2018-09-28T00:00:00Z", "", "abcd-ef-gh"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_assert_not(date_valid(bad[i]), "%s must be refused", bad[i]);
    cr_assert_not(date_valid(NULL));
}

Test(util_date, check_names_the_field)
{
    cr_assert_eq(date_check("2018-02-30", "date"), ACCORD_EINVAL);
    cr_assert_str_eq(accord_error_field(), "date");
    cr_assert_eq(date_check("2018-02-28", "date"), 0);
}

Test(util_date, long_form)
{
    char out[40];
    date_long("2019-07-15", out, sizeof out);
    cr_assert_str_eq(out, "15 July 2019");
    date_long("2018-09-28", out, sizeof out);
    cr_assert_str_eq(out, "28 September 2018");
}

Test(util_date, rfc3339_round_trip_and_offsets)
{
    int64_t t;
    char out[21];
    cr_assert_eq(date_parse_rfc3339("2026-05-01T12:00:00Z", "t", &t), 0);
    date_format_rfc3339(t, out);
    cr_assert_str_eq(out, "2026-05-01T12:00:00Z");
    cr_assert_eq(date_parse_rfc3339("2026-05-01T14:30:00+02:30", "t", &t), 0);
    date_format_rfc3339(t, out);
    cr_assert_str_eq(out, "2026-05-01T12:00:00Z", "offsets are applied");
    cr_assert_eq(date_parse_rfc3339("2026-05-01T11:00:00.123456-01:00", "t", &t), 0);
    date_format_rfc3339(t, out);
    cr_assert_str_eq(out, "2026-05-01T12:00:00Z", "fractions are dropped");
    cr_assert_eq(date_parse_rfc3339("1970-01-01T00:00:00Z", "t", &t), 0);
    cr_assert_eq(t, 0);
}

Test(util_date, rfc3339_refuses_malformed)
{
    int64_t t;
    const char *bad[] = {"2026-05-01", "2026-05-01T12:00:00", "2026-05-01 12:00:00Z", "2026-02-30T12:00:00Z",
                         "2026-05-01T24:00:00Z", "2026-05-01T12:60:00Z", "2026-05-01T12:00:00.Z",
                         "2026-05-01T12:00:00+2:00", "2026-05-01T12:00:00Zjunk", "", "next tuesday"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cr_assert_eq(date_parse_rfc3339(bad[i], "expires_at", &t), ACCORD_EINVAL, "'%s' must be refused", bad[i]);
        cr_assert_str_eq(accord_error_field(), "expires_at");
    }
    cr_assert_eq(date_parse_rfc3339(NULL, "t", &t), ACCORD_EINVAL);
}
