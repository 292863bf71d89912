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

void date_format_rfc3339(int64_t t, char out[21])
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!gmtime_r(&tt, &tm)) {
        snprintf(out, 21, "0000-00-00T00:00:00Z");
        return;
    }
    strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Reads exactly 'n' digits at 's' into '*out'. */
static bool digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

/* The "Z" or "+HH:MM" / "-HH:MM" suffix at 's' as seconds east of UTC. */
static bool utc_offset(const char *s, int *out)
{
    int h, m;
    if ((s[0] == 'Z' || s[0] == 'z') && s[1] == '\0') {
        *out = 0;
        return true;
    }
    if ((s[0] != '+' && s[0] != '-') || !digits(s + 1, 2, &h) || s[3] != ':' || !digits(s + 4, 2, &m) ||
        s[6] != '\0' || h > 23 || m > 59)
        return false;
    *out = (s[0] == '-' ? -1 : 1) * (h * 3600 + m * 60);
    return true;
}

int date_parse_rfc3339(const char *s, const char *field, int64_t *out)
{
    int hh, mm, ss, off;
    char day[DATE_LEN + 1];
    *out = 0;
    if (s && strlen(s) > DATE_LEN) {
        memcpy(day, s, DATE_LEN);
        day[DATE_LEN] = '\0';
        bool ok = date_valid(day) && (s[10] == 'T' || s[10] == 't') && strlen(s) >= DATE_LEN + 10 &&
                  digits(s + 11, 2, &hh) && s[13] == ':' && digits(s + 14, 2, &mm) && s[16] == ':' &&
                  digits(s + 17, 2, &ss) && hh < 24 && mm < 60 && ss < 60;
        const char *p = ok ? s + 19 : s;
        if (ok && *p == '.') {
            /* Sub-second precision is dropped: accord keeps whole seconds. */
            const char *q = p + 1;
            while (isdigit((unsigned char)*q))
                q++;
            ok = q > p + 1;
            p = q;
        }
        if (ok && utc_offset(p, &off)) {
            struct tm tm = {.tm_year = atoi(day) - 1900, .tm_mon = atoi(day + 5) - 1, .tm_mday = atoi(day + 8),
                            .tm_hour = hh, .tm_min = mm, .tm_sec = ss};
            *out = (int64_t)timegm(&tm) - off;
            return ACCORD_OK;
        }
    }
    return accord_fail(ACCORD_EINVAL, field, "%s: not an RFC 3339 timestamp such as 2026-05-01T12:00:00Z", field);
}
