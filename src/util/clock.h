/* The program's one clock.
 *
 * Everything that stamps a time (an event's "at", a checkpoint's
 * signed_at, a session's or token's expiry, a security-log entry) or
 * defaults a date to "today" asks here, never time(NULL): so that tests,
 * and an operator re-creating a past state, can set the time once for a
 * whole process and its children.
 *
 * ACCORD_NOW, when set in the environment, is the time the clock reads at
 * the moment the process starts ("2036-12-07T10:00:00Z", or a date
 * "2036-12-07", taken as midnight UTC); from then on it runs at the wall
 * clock's speed, so timeouts and throttles still expire. Every build
 * honours it, a release server included: the operator controls the
 * machine's clock anyway, and every event's time is public in the log.
 * `accord serve` says on standard error when the clock is set. */
#ifndef ACCORD_UTIL_CLOCK_H
#define ACCORD_UTIL_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

/* Reads ACCORD_NOW once. Fails ACCORD_EINVAL, naming ACCORD_NOW, when it
 * is set but is not an RFC 3339 timestamp or a date; the clock then runs
 * on the wall clock. Called by main(); the other functions call it on
 * first use and ignore its error. */
int clock_init(void);

/* True when ACCORD_NOW moved the clock. */
bool clock_is_set(void);

/* Seconds since the epoch, UTC. */
int64_t clock_now(void);

/* Today's UTC date as "YYYY-MM-DD" into 'out'. */
void clock_today(char out[11]);

/* The current UTC time as "YYYY-MM-DDTHH:MM:SSZ" into 'out'. */
void clock_now_rfc3339(char out[21]);

/* Tests in one process: moves the clock so that it reads 't' now, as
 * ACCORD_NOW would at start. Not thread-safe against readers. */
void clock_set(int64_t t);

#endif
