/* util/clock: the program's one clock, and ACCORD_NOW. Criterion runs
 * each test in its own process, so each reads the environment afresh. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/clock.h"
#include "util/date.h"
#include "util/error.h"

Test(util_clock, without_accord_now_it_reads_the_machine_clock)
{
    unsetenv("ACCORD_NOW");
    cr_assert_eq(clock_init(), 0);
    cr_assert_not(clock_is_set());
    int64_t before = (int64_t)time(NULL), now = clock_now(), after = (int64_t)time(NULL);
    cr_assert(now >= before && now <= after, "%lld", (long long)now);
    char today[11];
    clock_today(today);
    cr_assert(date_valid(today), "%s", today);
}

Test(util_clock, accord_now_sets_the_time_and_the_clock_runs_on)
{
    setenv("ACCORD_NOW", "2036-12-07T10:00:00Z", 1);
    cr_assert_eq(clock_init(), 0, "%s", accord_error_message());
    cr_assert(clock_is_set());
    int64_t want;
    cr_assert_eq(date_parse_rfc3339("2036-12-07T10:00:00Z", "t", &want), 0);
    int64_t now = clock_now();
    cr_assert(now >= want && now <= want + 2, "the clock reads %lld, set to %lld", (long long)now, (long long)want);
    char ts[21], today[11];
    clock_now_rfc3339(ts);
    cr_assert_eq(strncmp(ts, "2036-12-07T10:00:0", 18), 0, "%s", ts);
    clock_today(today);
    cr_assert_str_eq(today, "2036-12-07");
}

Test(util_clock, a_date_alone_is_midnight_utc)
{
    setenv("ACCORD_NOW", "2030-01-31", 1);
    cr_assert_eq(clock_init(), 0, "%s", accord_error_message());
    char ts[21];
    clock_now_rfc3339(ts);
    cr_assert_eq(strncmp(ts, "2030-01-31T00:00:0", 18), 0, "%s", ts);
}

Test(util_clock, a_malformed_accord_now_is_refused_and_the_machine_clock_used)
{
    setenv("ACCORD_NOW", "next tuesday", 1);
    cr_assert_eq(clock_init(), ACCORD_EINVAL);
    cr_assert(strstr(accord_error_message(), "ACCORD_NOW"), "%s", accord_error_message());
    cr_assert_not(clock_is_set());
    int64_t now = clock_now(), wall = (int64_t)time(NULL);
    cr_assert(now <= wall && now + 2 >= wall);
}

Test(util_clock, tests_can_move_the_clock_in_process)
{
    unsetenv("ACCORD_NOW");
    clock_set(1893456000); /* 2030-01-01T00:00:00Z */
    char today[11];
    clock_today(today);
    cr_assert_str_eq(today, "2030-01-01");
}
