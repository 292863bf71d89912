/* charts: the map coloured by state, the timeline and trajectory
 * geometry, and their scales and ticks, checked against the plot edges and
 * the map data file itself. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "charts/charts.h"
#include "helpers.h"
#include "util/error.h"

#define PLOT_LEFT CHARTS_MARGIN_LEFT
#define PLOT_RIGHT (CHARTS_WIDTH - CHARTS_MARGIN_RIGHT)
#define PLOT_TOP CHARTS_MARGIN_TOP
#define PLOT_BOTTOM (CHARTS_HEIGHT - CHARTS_MARGIN_BOTTOM)

static json_t *load_json(const char *rel)
{
    json_error_t err;
    json_t *doc = json_load_file(th_source_path(rel), 0, &err);
    cr_assert_not_null(doc, "%s: %s", rel, err.text);
    return doc;
}

/* The entry of 'list' whose "code" is 'code', or NULL. */
static json_t *by_code(json_t *list, const char *code)
{
    size_t i;
    json_t *e;
    json_array_foreach(list, i, e) if (strcmp(json_string_value(json_object_get(e, "code")), code) == 0) return e;
    return NULL;
}

static const char *str(json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

static double num(json_t *obj, const char *key)
{
    return json_number_value(json_object_get(obj, key));
}

Test(charts_map, a_participant_is_drawn_with_its_own_shape)
{
    json_t *file = load_json("data/world-map.json");
    json_t *states = json_pack("[{s:s, s:s}, {s:s, s:s}, {s:s, s:s}, {s:s, s:s}]", "code", "KAZ", "state",
                               "participant", "code", "VCT", "state", "participant", "code", "GRL", "state",
                               "not_a_state", "code", "org:turkic-council", "state", "participant");
    json_t *m;
    cr_assert_eq(charts_map(states, "not_participant", &m), ACCORD_OK, "%s", accord_error_message());
    cr_assert_eq(json_integer_value(json_object_get(m, "width")), json_integer_value(json_object_get(file, "width")));
    json_t *kaz = by_code(json_object_get(m, "countries"), "KAZ");
    cr_assert_not_null(kaz);
    cr_assert_str_eq(str(kaz, "state"), "participant");
    cr_assert_str_eq(str(kaz, "numeric"), "398");
    cr_assert_str_eq(str(kaz, "d"), str(by_code(json_object_get(file, "countries"), "KAZ"), "d"),
                     "the participant's path is the country's path in the map file");
    cr_assert_str_eq(str(by_code(json_object_get(m, "countries"), "GRL"), "state"), "not_a_state");
    cr_assert_str_eq(str(by_code(json_object_get(m, "countries"), "FRA"), "state"), "not_participant",
                     "a code not listed takes the 'otherwise' state");
    cr_assert_null(by_code(json_object_get(m, "countries"), "org:turkic-council"), "organizations are not drawn");

    json_t *vct = by_code(json_object_get(m, "markers"), "VCT");
    cr_assert_not_null(vct, "Saint Vincent and the Grenadines has a marker");
    cr_assert_str_eq(str(vct, "state"), "participant");
    /* On the map, in the Caribbean: east of the Americas' west coast and
     * west of Africa, north of the equator's line. */
    cr_assert(num(vct, "x") > 250 && num(vct, "x") < 450 && num(vct, "y") > 0 &&
                  num(vct, "y") < json_integer_value(json_object_get(m, "height")) / 2.0,
              "VCT marker at %g,%g", num(vct, "x"), num(vct, "y"));
    cr_assert_eq(json_array_size(json_object_get(m, "other")), json_array_size(json_object_get(file, "other")));
    json_decref(m);
    json_decref(states);
    json_decref(file);
}

Test(charts_map, every_un_member_and_observer_state_can_be_found)
{
    json_t *un = load_json("data/un-membership.json"), *m, *states = json_array();
    cr_assert_eq(charts_map(states, "not_participant", &m), ACCORD_OK, "%s", accord_error_message());
    json_t *codes = json_deep_copy(json_object_get(json_object_get(un, "members"), "codes"));
    cr_assert_eq(json_array_size(codes), 193);
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(un, "observers"), i, e) json_array_append(codes, json_object_get(e, "code"));
    json_array_foreach(codes, i, e)
    {
        const char *code = json_string_value(e);
        json_t *shape = by_code(json_object_get(m, "countries"), code);
        cr_assert(by_code(json_object_get(m, "markers"), code) || (shape && strlen(str(shape, "d")) > 0),
                  "%s has neither a shape nor a marker", code);
    }
    cr_assert_eq(json_array_size(codes), 195);
    json_decref(codes);
    json_decref(m);
    json_decref(states);
    json_decref(un);
}

Test(charts_map, bad_states_are_refused)
{
    json_t *m = NULL, *bad = json_pack("[{s:s, s:s}]", "code", "KAZ", "state", "member");
    cr_assert_eq(charts_map(bad, "not_participant", &m), ACCORD_EINVAL);
    cr_assert_str_eq(accord_error_field(), "states");
    json_t *none = json_array();
    cr_assert_eq(charts_map(none, "state", &m), ACCORD_EINVAL);
    cr_assert_eq(charts_map(json_object_get(bad, "x"), "not_participant", &m), ACCORD_EINVAL, "not an array");
    cr_assert_null(m);
    json_decref(bad);
    json_decref(none);
}

Test(charts_scales, nice_ticks)
{
    double first, step;
    int n;
    charts_nice_ticks(0, 73, 5, 1, &first, &step, &n);
    cr_assert(first == 0 && step == 20 && n == 4, "0..73: %g by %g, %d ticks", first, step, n);
    charts_nice_ticks(0, 1, 5, 0, &first, &step, &n);
    cr_assert(first == 0 && fabs(step - 0.2) < 1e-12 && n == 6, "0..1: %g by %g, %d ticks", first, step, n);
    charts_nice_ticks(0, 3, 5, 1, &first, &step, &n);
    cr_assert(step == 1 && n == 4, "counts never step by less than one: %g, %d", step, n);
    charts_nice_ticks(2018, 2045, 6, 1, &first, &step, &n);
    cr_assert(first == 2020 && step == 5 && n == 6, "2018..2045: %g by %g, %d ticks", first, step, n);
    charts_nice_ticks(7, 7, 5, 1, &first, &step, &n);
    cr_assert(first == 7 && step == 1 && n == 1, "one value: %g by %g, %d ticks", first, step, n);
}

Test(charts_scales, day_numbers)
{
    long d;
    cr_assert_eq(charts_day_number("1970-01-01", "date", &d), ACCORD_OK);
    cr_assert_eq(d, 0);
    cr_assert_eq(charts_day_number("2000-03-01", "date", &d), ACCORD_OK);
    cr_assert_eq(d, 11017);
    long a, b;
    charts_day_number("2018-09-28", "date", &a);
    charts_day_number("2019-07-15", "date", &b);
    cr_assert_eq(b - a, 290);
    cr_assert_eq(charts_day_number("2019-02-29", "date", &d), ACCORD_EINVAL);
    cr_assert_str_eq(accord_error_field(), "date");
}

Test(charts_timeline, the_extremes_meet_the_plot_edges)
{
    json_t *counts = json_pack("[{s:s, s:i}, {s:s, s:i}]", "date", "2018-09-28", "count", 6, "date", "2019-07-15",
                               "count", 7);
    json_t *reported = json_pack("[{s:s, s:s, s:i, s:s, s:s}]", "as_of", "2018-09-28", "qualifier", "more than",
                                 "count", 70, "source_title", "UN press release", "source_url",
                                 "https://example.org/press");
    json_t *t;
    cr_assert_eq(charts_timeline(counts, reported, "2020-09-28", &t), ACCORD_OK, "%s", accord_error_message());
    json_t *points = json_object_get(t, "points"), *first = json_array_get(points, 0),
           *second = json_array_get(points, 1);
    cr_assert_eq(num(first, "x"), PLOT_LEFT, "the first date is the plot's left edge");
    cr_assert_str_eq(str(first, "date"), "2018-09-28");
    /* 70 reported: the y axis runs from 0 to a top tick at or above 70. */
    json_t *y_ticks = json_object_get(t, "y_ticks");
    size_t ny = json_array_size(y_ticks);
    double top = atof(str(json_array_get(y_ticks, ny - 1), "label"));
    cr_assert(top >= 70 && top < 100, "top tick %g", top);
    cr_assert(ny >= 3 && ny <= 11, "%zu y ticks", ny);
    cr_assert_str_eq(str(json_array_get(y_ticks, 0), "label"), "0");
    cr_assert_eq(num(json_array_get(y_ticks, 0), "y"), PLOT_BOTTOM, "0 is the plot's bottom");
    cr_assert_eq(num(json_array_get(y_ticks, ny - 1), "y"), PLOT_TOP, "the top tick is the plot's top");
    double ploth = PLOT_BOTTOM - PLOT_TOP;
    cr_assert_float_eq(num(first, "y"), PLOT_BOTTOM - ploth * 6 / top, 0.051);
    json_t *rep = json_array_get(json_object_get(t, "reported"), 0);
    cr_assert_float_eq(num(rep, "y"), PLOT_BOTTOM - ploth * 70 / top, 0.051);
    cr_assert_eq(num(rep, "x"), PLOT_LEFT);
    cr_assert_str_eq(str(rep, "qualifier"), "more than");
    cr_assert_str_eq(str(rep, "source_url"), "https://example.org/press");
    /* 290 of the 731 days to the right end. */
    cr_assert_float_eq(num(second, "x"), PLOT_LEFT + (PLOT_RIGHT - PLOT_LEFT) * 290.0 / 731, 0.051);
    /* A step line: the count held until the next date, then up, and the
     * last one held to the chart's last day (the right edge). %g writes
     * these numbers (one decimal at most) as the path does. */
    char want[160];
    snprintf(want, sizeof want, "M%g %gL%g %gL%g %gL%d %g", num(first, "x"), num(first, "y"), num(second, "x"),
             num(first, "y"), num(second, "x"), num(second, "y"), PLOT_RIGHT, num(second, "y"));
    cr_assert_str_eq(str(t, "path"), want);
    cr_assert_str_eq(str(t, "x_tick_unit"), "year");
    json_t *x_ticks = json_object_get(t, "x_ticks");
    cr_assert_eq(json_array_size(x_ticks), 2, "2019 and 2020");
    cr_assert_str_eq(str(json_array_get(x_ticks, 0), "label"), "2019-01-01");
    json_decref(t);
    json_decref(counts);
    json_decref(reported);
}

Test(charts_timeline, empty_and_single_point)
{
    json_t *none = json_array(), *t;
    cr_assert_eq(charts_timeline(none, none, NULL, &t), ACCORD_OK, "%s", accord_error_message());
    cr_assert_str_eq(str(t, "path"), "");
    cr_assert_eq(json_array_size(json_object_get(t, "points")), 0);
    cr_assert_eq(json_array_size(json_object_get(t, "x_ticks")), 0);
    cr_assert_eq(json_array_size(json_object_get(t, "y_ticks")), 2, "0 and 1");
    json_decref(t);

    json_t *one = json_pack("[{s:s, s:i}]", "date", "2018-09-28", "count", 6);
    cr_assert_eq(charts_timeline(one, none, "2018-09-28", &t), ACCORD_OK, "%s", accord_error_message());
    json_t *p = json_array_get(json_object_get(t, "points"), 0);
    cr_assert_float_eq(num(p, "x"), (PLOT_LEFT + PLOT_RIGHT) / 2.0, 0.051, "a lone date sits mid-plot");
    cr_assert_eq(num(p, "y"), PLOT_TOP, "the only count is the top");
    cr_assert_str_eq(str(t, "x_tick_unit"), "day");
    cr_assert(json_array_size(json_object_get(t, "x_ticks")) >= 2);
    json_decref(t);
    json_decref(one);

    json_t *backwards = json_pack("[{s:s, s:i}, {s:s, s:i}]", "date", "2019-01-01", "count", 1, "date", "2018-01-01",
                                  "count", 2);
    cr_assert_eq(charts_timeline(backwards, none, NULL, &t), ACCORD_EINVAL);
    cr_assert_str_eq(accord_error_field(), "counts.date");
    json_decref(backwards);
    json_decref(none);
}

Test(charts_trajectory, actual_against_the_straight_path)
{
    json_t *traj = json_pack("{s:i, s:i, s:[{s:i, s:f, s:s}, {s:i, s:f, s:s}]}", "opened", 2018, "goal_year", 2045,
                             "years", "year", 2018, "share", 0.0, "label", "on track", "year", 2019, "share", 0.02,
                             "label", "off track");
    json_t *c;
    cr_assert_eq(charts_trajectory(traj, &c), ACCORD_OK, "%s", accord_error_message());
    char want[64];
    snprintf(want, sizeof want, "M%d %dL%d %d", PLOT_LEFT, PLOT_BOTTOM, PLOT_RIGHT, PLOT_TOP);
    cr_assert_str_eq(str(c, "target_path"), want, "0 in the opening year to 1 in the goal year");
    json_t *p = json_array_get(json_object_get(c, "points"), 1);
    cr_assert_float_eq(num(p, "x"), PLOT_LEFT + (PLOT_RIGHT - PLOT_LEFT) / 27.0, 0.051);
    cr_assert_float_eq(num(p, "y"), PLOT_BOTTOM - (PLOT_BOTTOM - PLOT_TOP) * 0.02, 0.051);
    cr_assert_eq(strncmp(str(c, "actual_path"), want, strlen("M48 288")), 0, "%s", str(c, "actual_path"));
    cr_assert(json_is_false(json_object_get(c, "on_track")), "the latest year is off track");
    json_t *xt = json_object_get(c, "x_ticks"), *yt = json_object_get(c, "y_ticks");
    cr_assert_eq(json_array_size(xt), 6);
    cr_assert_str_eq(str(json_array_get(xt, 5), "label"), "2045");
    cr_assert_eq(num(json_array_get(xt, 5), "x"), PLOT_RIGHT);
    cr_assert_str_eq(str(json_array_get(yt, 5), "label"), "100");
    cr_assert_str_eq(str(json_array_get(yt, 1), "label"), "20");
    json_decref(c);

    json_object_set_new(traj, "years", json_array());
    cr_assert_eq(charts_trajectory(traj, &c), ACCORD_OK);
    cr_assert(json_is_null(json_object_get(c, "on_track")), "no year yet: neither on nor off track");
    cr_assert_str_eq(str(c, "actual_path"), "");
    json_decref(c);
    json_object_set_new(traj, "goal_year", json_integer(2018));
    cr_assert_eq(charts_trajectory(traj, &c), ACCORD_EINVAL);
    json_decref(traj);
}

/* The server reads the map before it listens: a broken one stops it, and
 * the message names the file and the entry. */
Test(charts_map, a_broken_map_stops_the_server)
{
    char *dir = th_tempdir();
    char *db = th_make_db(dir, false, NULL);
    const char *copied[] = {"un-m49.json", "un-names.json", "un-names.corrections.json", "un-membership.json"};
    for (size_t i = 0; i < sizeof copied / sizeof copied[0]; i++)
        th_copy_data(dir, copied[i]);
    char path[4096];
    snprintf(path, sizeof path, "%s/world-map.json", dir);
    th_write_file(path, "{\"width\": 1000, \"height\": 487, \"countries\": [{\"code\": \"kaz\", \"numeric\": \"398\","
                        " \"d\": \"M0 0z\"}], \"markers\": [], \"other\": []}");
    char *err = th_serve_refused(db, dir);
    cr_assert(strstr(err, path) && strstr(err, "countries entry 0 has no ISO 3166-1 alpha-3 code"), "%s", err);
    free(err);
    th_fixture_end(NULL, dir, db);
}
