#include "util/date.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/error.h"

static bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static int days_in_month(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap(y) ? 29 : days[m - 1];
}

bool date_valid(const char *s)
{
    if (!s || strlen(s) != DATE_LEN || s[4] != '-' || s[7] != '-')
        return false;
    for (int i = 0; i < DATE_LEN; i++)
        if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
            return false;
    int y = atoi(s), m = atoi(s + 5), d = atoi(s + 8);
    return y >= 1000 && m >= 1 && m <= 12 && d >= 1 && d <= days_in_month(y, m);
}

int date_check(const char *s, const char *field)
{
    if (date_valid(s))
        return ACCORD_OK;
    return accord_fail(ACCORD_EINVAL, field, "%s: '%s' is not a calendar date in the form YYYY-MM-DD",
                       field, s ? s : "(null)");
}

void date_today(char out[DATE_LEN + 1])
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, DATE_LEN + 1, "%Y-%m-%d", &tm);
}

void date_now_rfc3339(char out[21])
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int date_year(const char *s) { return atoi(s); }

void date_long(const char *s, char *out, unsigned outlen)
{
    static const char *months[] = {"January", "February", "March",     "April",   "May",      "June",
                                   "July",    "August",   "September", "October", "November", "December"};
    if (!date_valid(s)) {
        snprintf(out, outlen, "%s", s ? s : "");
        return;
    }
    snprintf(out, outlen, "%d %s %d", atoi(s + 8), months[atoi(s + 5) - 1], atoi(s));
}
