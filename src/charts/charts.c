/* The timeline and trajectory charts: linear scales, "nice" ticks and
 * path strings built from numbers. */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "charts/charts.h"
#include "util/buf.h"
#include "util/date.h"
#include "util/error.h"

#define PATH_CAP (256 * 1024) /* a path of a few thousand points at most */
#define MAX_TICKS 12

/* The plot area inside the chart's margins. */
static const double plot_x = CHARTS_MARGIN_LEFT, plot_y = CHARTS_MARGIN_TOP,
                    plot_w = CHARTS_WIDTH - CHARTS_MARGIN_LEFT - CHARTS_MARGIN_RIGHT,
                    plot_h = CHARTS_HEIGHT - CHARTS_MARGIN_TOP - CHARTS_MARGIN_BOTTOM;

/* A linear map of [d0, d1] onto [r0, r1]; a domain of zero width maps to
 * the middle of the range. */
typedef struct scale {
    double d0, d1, r0, r1;
} scale;

static double scale_at(const scale *s, double v)
{
    if (s->d1 == s->d0)
        return (s->r0 + s->r1) / 2;
    return s->r0 + (v - s->d0) / (s->d1 - s->d0) * (s->r1 - s->r0);
}

/* 'v' rounded to 0.1, as every coordinate in a model is. */
static double tenth(double v)
{
    return round(v * 10) / 10;
}

/* Appends 'v' (rounded to 0.1) as the shortest SVG number: "12", "12.5",
 * "-3.1". */
static int put_number(buf *b, double v)
{
    long tenths = lround(v * 10);
    if (tenths % 10 == 0)
        return buf_printf(b, "%ld", tenths / 10);
    return buf_printf(b, "%s%ld.%ld", tenths < 0 ? "-" : "", labs(tenths) / 10, labs(tenths) % 10);
}

/* Appends an SVG command letter and a point: "M12 30", "L40.5 12". */
static int put_point(buf *b, char command, double x, double y)
{
    int rc = buf_printf(b, "%c", command);
    if (!rc) rc = put_number(b, x);
    if (!rc) rc = buf_puts(b, " ");
    if (!rc) rc = put_number(b, y);
    return rc;
}

/* A new JSON string holding 'b' (empty when 'b' is), or NULL. */
static json_t *path_json(buf *b)
{
    return json_string(b->data ? b->data : "");
}

void charts_nice_ticks(double lo, double hi, int target, int integers, double *first, double *step, int *n)
{
    double span = hi - lo, raw = span / (target > 0 ? target : 1), s = 1;
    if (span > 0) {
        double mag = pow(10, floor(log10(raw))), norm = raw / mag;
        /* d3's thresholds: the step nearest the raw one on a log scale. */
        s = (norm >= sqrt(50) ? 10 : norm >= sqrt(10) ? 5 : norm >= sqrt(2) ? 2 : 1) * mag;
    }
    if (integers && s < 1)
        s = 1;
    /* The small epsilon keeps 0.30000000000000004 from losing a tick. */
    double f = ceil(lo / s - 1e-9) * s + 0.0;
    if (f == 0)
        f = 0; /* not -0 */
    int count = (int)floor((hi - f) / s + 1e-9) + 1;
    *first = f;
    *step = s;
    *n = count < 0 ? 0 : count;
}

int charts_day_number(const char *date, const char *field, long *out)
{
    if (!date || !date_valid(date))
        return accord_fail(ACCORD_EINVAL, field, "%s: '%s' is not a date (YYYY-MM-DD)", field, date ? date : "");
    long y = atol(date), m = atol(date + 5), d = atol(date + 8);
    /* Days from civil (H. Hinnant's algorithm), proleptic Gregorian. */
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400, yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    *out = era * 146097 + doe - 719468;
    return ACCORD_OK;
}

/* The ISO date of day number 'days' into 'out'. */
static void date_of_day(long days, char out[11])
{
    days += 719468;
    long era = (days >= 0 ? days : days - 146096) / 146097, doe = days - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
    long d = doy - (153 * mp + 2) / 5 + 1, m = mp + (mp < 10 ? 3 : -9), y = yoe + era * 400 + (m <= 2);
    char text[64];
    snprintf(text, sizeof text, "%04ld-%02ld-%02ld", y % 10000, m, d);
    memcpy(out, text, 10);
    out[10] = '\0';
}

static json_t *plot_json(void)
{
    return json_pack("{s:f, s:f, s:f, s:f}", "x", plot_x, "y", plot_y, "width", plot_w, "height", plot_h);
}

/* Y ticks from 0 to the nice top above 'max', onto 'y', whose domain is
 * set to [0, top]. Labels are the values, 'times' times, as integers. */
static json_t *value_ticks(double max, int integers, double times, scale *y)
{
    double first, step;
    int n;
    charts_nice_ticks(0, max > 0 ? max : 1, 5, integers, &first, &step, &n);
    double top = first + (n - 1) * step;
    if (top < max)
        top += step, n++;
    *y = (scale){0, top, plot_y + plot_h, plot_y};
    json_t *ticks = json_array();
    for (int i = 0; i < n && i <= MAX_TICKS; i++) {
        double v = first + i * step;
        char label[32];
        snprintf(label, sizeof label, "%.*f", step * times >= 1 ? 0 : (int)ceil(-log10(step * times)), v * times);
        json_array_append_new(ticks, json_pack("{s:f, s:s}", "y", tenth(scale_at(y, v)), "label", label));
    }
    return ticks;
}

/* ---- the timeline ----------------------------------------------------------------- */

/* Day number of the first of month 'index' (year * 12 + month - 1). */
static long month_start(long index)
{
    char date[64];
    snprintf(date, sizeof date, "%04ld-%02ld-01", index / 12 % 10000, index % 12 + 1);
    long day = 0;
    charts_day_number(date, "tick", &day);
    return day;
}

/* Date ticks over the days [d0, d1] of 'x': years when it spans two years
 * or more, months when it spans two months or more, else days; the unit
 * goes into '*unit'. */
static json_t *date_ticks(long d0, long d1, const scale *x, const char **unit)
{
    static const int month_steps[] = {1, 2, 3, 6, 12}, day_steps[] = {1, 2, 7, 14, 28};
    json_t *ticks = json_array();
    char from[11], to[11];
    date_of_day(d0, from);
    date_of_day(d1, to);
    long y0 = atol(from), y1 = atol(to), m0 = y0 * 12 + atol(from + 5) - 1, m1 = y1 * 12 + atol(to + 5) - 1;
    if (d1 - d0 >= 2 * 365) {
        *unit = "year";
        double first, step;
        int n;
        charts_nice_ticks((double)y0 + (strcmp(from + 5, "01-01") != 0), (double)y1, 6, 1, &first, &step, &n);
        for (int i = 0; i < n; i++)
            json_array_append_new(ticks, json_pack("{s:I}", "day", (json_int_t)month_start(((long)first + i * (long)step) * 12)));
    } else if (m1 - m0 >= 2) {
        *unit = "month";
        int step = 12;
        for (size_t i = 0; i < sizeof month_steps / sizeof month_steps[0]; i++)
            if ((m1 - m0) / month_steps[i] <= 6) {
                step = month_steps[i];
                break;
            }
        for (long m = m0 + 1; m <= m1; m++)
            if (m % step == 0)
                json_array_append_new(ticks, json_pack("{s:I}", "day", (json_int_t)month_start(m)));
    } else {
        *unit = "day";
        int step = 28;
        for (size_t i = 0; i < sizeof day_steps / sizeof day_steps[0]; i++)
            if ((d1 - d0) / day_steps[i] <= 7) {
                step = day_steps[i];
                break;
            }
        for (long d = d0; d <= d1; d += step)
            json_array_append_new(ticks, json_pack("{s:I}", "day", (json_int_t)d));
    }
    /* Days to positions and labels. */
    size_t i;
    json_t *t;
    json_array_foreach(ticks, i, t)
    {
        long day = (long)json_integer_value(json_object_get(t, "day"));
        char label[11];
        date_of_day(day, label);
        json_object_del(t, "day");
        json_object_set_new(t, "x", json_real(tenth(scale_at(x, (double)day))));
        json_object_set_new(t, "label", json_string(label));
    }
    return ticks;
}

/* Checks the counts and reported totals, and widens [lo, hi] (days) and
 * '*max' (counts) to take them in. */
static int timeline_extent(const json_t *counts, const json_t *reported, long *lo, long *hi, double *max)
{
    if (!json_is_array(counts) || (reported && !json_is_array(reported)))
        return accord_fail(ACCORD_EINVAL, "counts", "counts and reported: must be arrays");
    size_t i;
    json_t *e;
    long day, previous = LONG_MIN;
    json_array_foreach(counts, i, e)
    {
        int rc = charts_day_number(json_string_value(json_object_get(e, "date")), "counts.date", &day);
        if (rc)
            return rc;
        if (!json_is_integer(json_object_get(e, "count")) || json_integer_value(json_object_get(e, "count")) < 0)
            return accord_fail(ACCORD_EINVAL, "counts.count", "counts[%zu]: count must be a whole number >= 0", i);
        if (day < previous)
            return accord_fail(ACCORD_EINVAL, "counts.date", "counts[%zu]: dates must be in order", i);
        previous = day;
        *lo = day < *lo ? day : *lo;
        *hi = day > *hi ? day : *hi;
        *max = fmax(*max, (double)json_integer_value(json_object_get(e, "count")));
    }
    json_array_foreach(reported, i, e)
    {
        int rc = charts_day_number(json_string_value(json_object_get(e, "as_of")), "reported.as_of", &day);
        if (rc)
            return rc;
        if (!json_is_integer(json_object_get(e, "count")))
            return accord_fail(ACCORD_EINVAL, "reported.count", "reported[%zu]: count must be a whole number", i);
        *lo = day < *lo ? day : *lo;
        *hi = day > *hi ? day : *hi;
        *max = fmax(*max, (double)json_integer_value(json_object_get(e, "count")));
    }
    return ACCORD_OK;
}

/* The step line of 'counts' held to day 'end', and its points. */
static int timeline_series(const json_t *counts, long end, const scale *x, const scale *y, json_t **path,
                           json_t **points)
{
    buf b;
    buf_init(&b, PATH_CAP);
    *points = json_array();
    int rc = ACCORD_OK;
    double last_y = 0;
    size_t i;
    json_t *e;
    json_array_foreach(counts, i, e)
    {
        const char *date = json_string_value(json_object_get(e, "date"));
        json_int_t count = json_integer_value(json_object_get(e, "count"));
        long day = 0;
        charts_day_number(date, "counts.date", &day);
        double px = tenth(scale_at(x, (double)day)), py = tenth(scale_at(y, (double)count));
        if (!rc && i > 0) rc = put_point(&b, 'L', px, last_y); /* hold the previous count until this date */
        if (!rc) rc = put_point(&b, i ? 'L' : 'M', px, py);
        last_y = py;
        json_array_append_new(*points, json_pack("{s:f, s:f, s:s, s:I}", "x", px, "y", py, "date", date, "count", count));
    }
    if (!rc && json_array_size(counts))
        rc = put_point(&b, 'L', tenth(scale_at(x, (double)end)), last_y);
    *path = rc ? NULL : path_json(&b);
    buf_free(&b);
    if (rc)
        json_decref(*points);
    return rc;
}

static json_t *timeline_reported(const json_t *reported, const scale *x, const scale *y)
{
    json_t *list = json_array();
    size_t i;
    json_t *e;
    json_array_foreach(reported, i, e)
    {
        const char *date = json_string_value(json_object_get(e, "as_of"));
        json_int_t count = json_integer_value(json_object_get(e, "count"));
        long day = 0;
        charts_day_number(date, "reported.as_of", &day);
        json_t *qualifier = json_object_get(e, "qualifier"), *title = json_object_get(e, "source_title"),
               *url = json_object_get(e, "source_url");
        json_array_append_new(
            list, json_pack("{s:f, s:f, s:s, s:O, s:I, s:O, s:O}", "x", tenth(scale_at(x, (double)day)), "y",
                            tenth(scale_at(y, (double)count)), "date", date, "qualifier",
                            qualifier ? qualifier : json_null(), "count", count, "source_title",
                            title ? title : json_null(), "source_url", url ? url : json_null()));
    }
    return list;
}

int charts_timeline(const json_t *counts, const json_t *reported, const char *to, json_t **out)
{
    long lo = LONG_MAX, hi = LONG_MIN, end;
    double max = 0;
    int rc = timeline_extent(counts, reported, &lo, &hi, &max);
    if (!rc && to && !(rc = charts_day_number(to, "to", &end))) {
        lo = end < lo ? end : lo;
        hi = end > hi ? end : hi;
    }
    if (rc)
        return rc;
    if (lo == LONG_MAX) { /* nothing at all: an empty chart */
        lo = 0;
        hi = 0;
    }
    end = hi;
    /* One day alone gets a fortnight either side, so the point is not on
     * an edge and the axis has ticks. */
    long d0 = lo == hi ? lo - 14 : lo, d1 = lo == hi ? hi + 14 : hi;
    scale x = {(double)d0, (double)d1, plot_x, plot_x + plot_w}, y;
    const char *unit = "day";
    json_t *y_ticks = value_ticks(max, 1, 1, &y);
    json_t *x_ticks = json_array_size(counts) || json_array_size(reported) || to ? date_ticks(d0, d1, &x, &unit)
                                                                                : json_array();
    json_t *path = NULL, *points = NULL;
    if ((rc = timeline_series(counts, end, &x, &y, &path, &points))) {
        json_decref(x_ticks);
        json_decref(y_ticks);
        return rc;
    }
    *out = json_pack("{s:i, s:i, s:o, s:o, s:s, s:o, s:o, s:o, s:o}", "width", CHARTS_WIDTH, "height", CHARTS_HEIGHT,
                     "plot", plot_json(), "x_ticks", x_ticks, "x_tick_unit", unit, "y_ticks", y_ticks, "path", path,
                     "points", points, "reported", timeline_reported(reported, &x, &y));
    return *out ? ACCORD_OK : accord_fail(ACCORD_ENOMEM, NULL, "out of memory building the timeline");
}

/* ---- the trajectory --------------------------------------------------------------- */

static json_t *year_ticks(int from, int to, const scale *x)
{
    double first, step;
    int n;
    charts_nice_ticks(from, to, 6, 1, &first, &step, &n);
    json_t *ticks = json_array();
    for (int i = 0; i < n; i++) {
        char label[16];
        snprintf(label, sizeof label, "%d", (int)(first + i * step));
        json_array_append_new(ticks, json_pack("{s:f, s:s}", "x", tenth(scale_at(x, first + i * step)), "label", label));
    }
    return ticks;
}

/* The actual path through the years' shares, and their points. */
static int trajectory_series(const json_t *years, const scale *x, const scale *y, json_t **path, json_t **points,
                             json_t **on_track)
{
    buf b;
    buf_init(&b, PATH_CAP);
    *points = json_array();
    *on_track = json_null();
    int rc = ACCORD_OK;
    size_t i;
    json_t *e;
    json_array_foreach(years, i, e)
    {
        json_t *year = json_object_get(e, "year"), *share = json_object_get(e, "share");
        const char *label = json_string_value(json_object_get(e, "label"));
        if (!json_is_integer(year) || !json_is_number(share) || json_number_value(share) < 0 ||
            json_number_value(share) > 1) {
            rc = accord_fail(ACCORD_EINVAL, "years", "years[%zu]: needs a \"year\" and a \"share\" from 0 to 1", i);
            break;
        }
        double px = tenth(scale_at(x, (double)json_integer_value(year))),
               py = tenth(scale_at(y, json_number_value(share)));
        if ((rc = put_point(&b, i ? 'L' : 'M', px, py)))
            break;
        json_array_append_new(*points, json_pack("{s:f, s:f, s:O, s:O}", "x", px, "y", py, "year", year, "share", share));
        json_decref(*on_track);
        *on_track = label ? json_boolean(strcmp(label, "on track") == 0) : json_null();
    }
    *path = rc ? NULL : path_json(&b);
    buf_free(&b);
    if (rc) {
        json_decref(*points);
        json_decref(*on_track);
    }
    return rc;
}

int charts_trajectory(const json_t *trajectory, json_t **out)
{
    json_t *opened = json_object_get(trajectory, "opened"), *goal = json_object_get(trajectory, "goal_year"),
           *years = json_object_get(trajectory, "years");
    if (!json_is_integer(opened) || !json_is_integer(goal) || !json_is_array(years) ||
        json_integer_value(goal) <= json_integer_value(opened))
        return accord_fail(ACCORD_EINVAL, "trajectory",
                           "trajectory: needs \"opened\", a later \"goal_year\" and a \"years\" array");
    int from = (int)json_integer_value(opened), to = (int)json_integer_value(goal);
    scale x = {from, to, plot_x, plot_x + plot_w}, y;
    json_t *y_ticks = value_ticks(1, 0, 100, &y);
    json_t *actual, *points, *on_track;
    int rc = trajectory_series(years, &x, &y, &actual, &points, &on_track);
    if (rc) {
        json_decref(y_ticks);
        return rc;
    }
    buf b;
    buf_init(&b, PATH_CAP);
    rc = put_point(&b, 'M', tenth(scale_at(&x, from)), tenth(scale_at(&y, 0)));
    if (!rc) rc = put_point(&b, 'L', tenth(scale_at(&x, to)), tenth(scale_at(&y, 1)));
    json_t *target = path_json(&b);
    buf_free(&b);
    *out = json_pack("{s:i, s:i, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "width", CHARTS_WIDTH, "height", CHARTS_HEIGHT,
                     "plot", plot_json(), "x_ticks", year_ticks(from, to, &x), "y_ticks", y_ticks, "actual_path",
                     actual, "target_path", target, "points", points, "on_track", on_track);
    return *out ? rc : accord_fail(ACCORD_ENOMEM, NULL, "out of memory building the trajectory");
}
