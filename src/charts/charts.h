/* Chart geometry for the portal: the participation map, the timeline of
 * recorded participants and the trajectory toward the goal year, computed
 * as JSON models of numbers, codes and SVG path strings. Pure: no
 * database, no HTTP, no markup; the portal's templates turn a model into
 * inline SVG (escaping what they write) and localize its labels.
 *
 * Coordinates are pixels in the model's own "width" x "height" box (the
 * SVG viewBox), y growing downward, rounded to 0.1 pixel; a path string
 * holds only SVG path commands and such numbers. Every function returns a
 * new object in '*out' (caller decrefs) or fails ACCORD_EINVAL naming the
 * bad input field. docs/internals/charts.md describes each model. */
#ifndef ACCORD_CHARTS_CHARTS_H
#define ACCORD_CHARTS_CHARTS_H

#include <jansson.h>

/* The size of the timeline and trajectory charts, and the margins that
 * leave room for the axes' labels around their plot area. */
#define CHARTS_WIDTH 640
#define CHARTS_HEIGHT 320
#define CHARTS_MARGIN_LEFT 48
#define CHARTS_MARGIN_RIGHT 16
#define CHARTS_MARGIN_TOP 16
#define CHARTS_MARGIN_BOTTOM 32

/* ---- the map -------------------------------------------------------------
 * Reference data: data/world-map.json (provenance in data/world-map.md),
 * read once per process under pthread_once and never changed, so every
 * thread reads it without locks. */

/* Reads the map if this process has not yet. Fails ACCORD_EENV naming the
 * file and what is wrong with it; every later call fails the same way. */
int charts_map_load(void);

/* The map coloured by 'states', an array of {"code": ISO 3166-1 alpha-3,
 * "state": "participant" | "signatory_withdrawn" | "not_participant" |
 * "not_a_state"}; codes the map does not draw (organizations) are
 * ignored. A code missing from 'states' takes state 'otherwise' (one of
 * the same four). Model: {"width", "height", "countries": [{"code",
 * "numeric", "d", "state"}], "markers": [{"code", "x", "y", "state"}],
 * "other": [{"d"}]}: countries and markers sorted by code; "other" are
 * shapes with no ISO 3166-1 code, to draw as land without a state. */
int charts_map(const json_t *states, const char *otherwise, json_t **out);

/* The timeline of recorded participants: 'counts' is an array of {"date":
 * "YYYY-MM-DD", "count": N} in date order (the number recorded from that
 * date on), 'reported' the reported totals ({"as_of", "qualifier",
 * "count", "source_title", "source_url"}, as the status view gives them),
 * and 'to' (NULL: the latest date given) the last day the chart shows.
 * Model: {"width", "height", "plot": {"x", "y", "width", "height"},
 * "x_ticks": [{"x", "label"}], "x_tick_unit": "year" | "month" | "day",
 * "y_ticks": [{"y", "label"}], "path", "points": [{"x", "y", "date",
 * "count"}], "reported": [{"x", "y", "date", "qualifier", "count",
 * "source_title", "source_url"}]}. "path" is the step line of the recorded
 * count, held until 'to'; x tick labels are ISO dates (the first day of a
 * year, month or day, as "x_tick_unit" says), y tick labels plain
 * integers. Empty input gives empty lists, a y axis from 0 to 1 and an
 * empty path. */
int charts_timeline(const json_t *counts, const json_t *reported, const char *to, json_t **out);

/* The trajectory toward the goal year from 'trajectory', the object
 * implementation_trajectory() returns ({"opened", "goal_year", "years":
 * [{"year", "share", "label"}]}). Model: {"width", "height", "plot",
 * "x_ticks" (labels: years), "y_ticks" (labels: percentages, "0" to
 * "100"), "actual_path", "target_path", "points": [{"x", "y", "year",
 * "share"}], "on_track": true | false | null (no year yet)}. The target
 * path runs straight from 0 in the opening year to 1 in the goal year. */
int charts_trajectory(const json_t *trajectory, json_t **out);

/* ---- scales and ticks (public so that tests can check them) ----------- */

/* "Nice" ticks over [lo, hi] (lo <= hi): a step of 1, 2 or 5 times a
 * power of ten giving about 'target' intervals (at least 1 when
 * 'integers'); '*first' the first multiple of the step at or above 'lo',
 * '*n' the number of ticks up to 'hi'. With lo == hi the step is 1. */
void charts_nice_ticks(double lo, double hi, int target, int integers, double *first, double *step, int *n);

/* Days since 1970-01-01 of ISO date 'date'; fails ACCORD_EINVAL naming
 * 'field' when it is not a valid date. */
int charts_day_number(const char *date, const char *field, long *out);

#endif
