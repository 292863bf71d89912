#include "util/clock.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/date.h"
#include "util/error.h"

/* The clock reads wall time + 'offset'; ACCORD_NOW sets the offset once. */
static int64_t offset;
static bool set;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static int init_rc;

static int64_t wall(void) { return (int64_t)time(NULL); }

/* ACCORD_NOW as seconds since the epoch: a timestamp, or a date at midnight. */
static int parse_now(const char *s, int64_t *out)
{
    if (date_valid(s)) {
        char ts[32];
        memcpy(ts, s, 10);
        memcpy(ts + 10, "T00:00:00Z", 11);
        return date_parse_rfc3339(ts, "ACCORD_NOW", out);
    }
    return date_parse_rfc3339(s, "ACCORD_NOW", out);
}

static void read_env(void)
{
    const char *s = getenv("ACCORD_NOW");
    if (!s || !*s)
        return;
    int64_t t;
    init_rc = parse_now(s, &t);
    if (init_rc)
        return;
    offset = t - wall();
    set = true;
}

int clock_init(void)
{
    pthread_once(&once, read_env);
    if (init_rc)
        return accord_fail(ACCORD_EINVAL, "ACCORD_NOW",
                           "ACCORD_NOW is not a time such as 2036-12-07T10:00:00Z or a date such as 2036-12-07");
    return ACCORD_OK;
}

bool clock_is_set(void)
{
    pthread_once(&once, read_env);
    return set;
}

int64_t clock_now(void)
{
    pthread_once(&once, read_env);
    return wall() + offset;
}

void clock_now_rfc3339(char out[21]) { date_format_rfc3339(clock_now(), out); }

void clock_today(char out[11])
{
    char ts[21];
    clock_now_rfc3339(ts);
    memcpy(out, ts, 10);
    out[10] = '\0';
}

void clock_set(int64_t t)
{
    pthread_once(&once, read_env);
    offset = t - wall();
    set = true;
}
