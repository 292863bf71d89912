/* The charts of the portal's pages: the map of participation, the
 * timeline of recorded participants and the trajectory toward the goal
 * year. src/charts computes the geometry; this file chooses the data
 * (the same module functions the API calls) and dresses the labels for
 * the page's language. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "charts/charts.h"
#include "depositary/depositary.h"
#include "portal/portal_int.h"
#include "registry/registry.h"
#include "util/error.h"

/* Adds every code of the status entries in 'list' to 'set' with 'state'. */
static void mark_states(json_t *set, const json_t *list, const char *state)
{
    size_t i;
    json_t *e;
    json_array_foreach(list, i, e) {
        const char *code = json_string_value(json_object_get(json_object_get(e, "party"), "code"));
        if (code)
            json_object_set_new(set, code, json_string(state));
    }
}

/* Names of the map's countries and markers in the page's language, and
 * the lists beside the map (participants, other states, territories),
 * each sorted in the page's collation. 'kinds' maps code -> party. */
static void dress_map(const portal_page *pg, json_t *map, const json_t *kinds)
{
    json_t *lists = json_pack("{s:[], s:[], s:[], s:[]}", "participant", "signatory_withdrawn", "not_participant",
                              "not_a_state");
    const char *keys[] = {"countries", "markers"};
    for (size_t k = 0; k < 2; k++) {
        size_t i;
        json_t *c;
        json_array_foreach(json_object_get(map, keys[k]), i, c) {
            const char *code = json_string_value(json_object_get(c, "code"));
            json_t *party = json_object_get(kinds, code);
            json_t *brief = party ? json_deep_copy(party) : json_pack("{s:s, s:s, s:s}", "code", code, "kind", "territory", "name", code);
            portal_dress_party(pg, brief);
            json_object_set(c, "name", json_object_get(brief, "display"));
            json_object_set(brief, "sort", json_object_get(brief, "display"));
            json_t *list = json_object_get(lists, json_string_value(json_object_get(c, "state")));
            if (list)
                json_array_append(list, brief);
            json_decref(brief);
        }
    }
    const char *state;
    json_t *list;
    json_object_foreach(lists, state, list) web_sort_by(pg->lang, list, "sort");
    json_object_set_new(map, "lists", lists);
}

/* The UN's count: how many of the members of the group `un` participate in
 * 'slug' on 'as_of' (the map's denominator). Leaves 'map' without it when
 * the database has no such group. */
static int un_count(const portal_page *pg, json_t *map, const char *slug, const char *as_of)
{
    json_t *cov;
    int rc = depositary_group_coverage(pg->req->db, "un", slug, as_of, &cov);
    if (rc == ACCORD_ENOTFOUND) {
        accord_error_clear();
        return ACCORD_OK;
    }
    if (rc)
        return rc;
    json_t *c = json_object_get(cov, "coverage");
    json_object_set_new(map, "un",
                        json_pack("{s:o, s:o, s:s}", "participating_text",
                                  portal_number(pg, json_integer_value(json_object_get(c, "members_participating"))),
                                  "members_text", portal_number(pg, json_integer_value(json_object_get(c, "members"))),
                                  "group_href", ""));
    char href[64];
    snprintf(href, sizeof href, "/%s/groups/un#no-h", pg->lang->code);
    json_object_set_new(json_object_get(map, "un"), "group_href", json_string(href));
    json_decref(cov);
    return ACCORD_OK;
}

int portal_map_model(const portal_page *pg, const char *slug, const char *as_of, const json_t *status, json_t **out)
{
    json_t *parties = NULL, *kinds = json_object(), *states = json_array(), *set = json_object(), *map = NULL;
    int rc = registry_list_parties(pg->req->db, NULL, &parties);
    if (rc)
        goto out;
    mark_states(set, json_object_get(status, "former_participants"), "signatory_withdrawn");
    mark_states(set, json_object_get(status, "participants"), "participant");
    size_t i;
    json_t *p;
    json_array_foreach(parties, i, p) {
        const char *code = json_string_value(json_object_get(p, "code"));
        const char *kind = json_string_value(json_object_get(p, "kind"));
        json_object_set(kinds, code, p);
        /* Every state is drawn as participating or not; territories are
         * left to 'otherwise', whatever they did. */
        if (strcmp(kind, "state") != 0)
            continue;
        const char *st = json_string_value(json_object_get(set, code));
        json_array_append_new(states, json_pack("{s:s, s:s}", "code", code, "state", st ? st : "not_participant"));
    }
    rc = charts_map(states, "not_a_state", &map);
    if (!rc)
        rc = un_count(pg, map, slug, as_of);
    if (rc)
        goto out;
    dress_map(pg, map, kinds);
    *out = map;
    map = NULL;
out:
    json_decref(map);
    json_decref(parties);
    json_decref(kinds);
    json_decref(states);
    json_decref(set);
    return rc;
}

/* Where the axes and their labels go, from the model's plot area: the
 * templates write numbers, they do not compute them. */
static void add_axes(json_t *chart)
{
    json_t *plot = json_object_get(chart, "plot");
    double x = json_number_value(json_object_get(plot, "x")), y = json_number_value(json_object_get(plot, "y"));
    double w = json_number_value(json_object_get(plot, "width")), h = json_number_value(json_object_get(plot, "height"));
    json_object_set_new(chart, "axes", json_pack("{s:f, s:f, s:f, s:f, s:f, s:f}", "left", x, "right", x + w, "top", y,
                                                 "bottom", y + h, "x_label_y", y + h + 20, "y_label_x", x - 8));
}

int portal_timeline_model(const portal_page *pg, const char *slug, const char *as_of, json_t **out)
{
    json_t *data, *chart = NULL;
    int rc = depositary_participant_counts(pg->req->db, slug, as_of, &data);
    if (!rc)
        rc = charts_timeline(json_object_get(data, "counts"), json_object_get(data, "reported"), as_of, &chart);
    json_decref(data);
    if (rc)
        return rc;
    add_axes(chart);
    const char *unit = json_string_value(json_object_get(chart, "x_tick_unit"));
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(chart, "x_ticks"), i, t) {
        const char *iso = json_string_value(json_object_get(t, "label"));
        char text[128];
        /* A year or a month as its ISO form, a day written in the page's language. */
        if (unit && strcmp(unit, "day") == 0)
            web_date(pg->lang, iso, text, sizeof text);
        else
            snprintf(text, sizeof text, "%.*s", unit && strcmp(unit, "month") == 0 ? 7 : 4, iso);
        json_object_set_new(t, "text", json_string(text));
    }
    json_array_foreach(json_object_get(chart, "y_ticks"), i, t)
        json_object_set_new(t, "text", portal_number(pg, atoll(json_string_value(json_object_get(t, "label")))));
    json_array_foreach(json_object_get(chart, "points"), i, t) {
        portal_dress_date(pg, t, "date");
        json_object_set_new(t, "count_text", portal_number(pg, json_integer_value(json_object_get(t, "count"))));
    }
    json_array_foreach(json_object_get(chart, "reported"), i, t) {
        portal_dress_date(pg, t, "date");
        json_object_set_new(t, "count_text", portal_number(pg, json_integer_value(json_object_get(t, "count"))));
        const char *q = json_string_value(json_object_get(t, "qualifier"));
        json_object_set_new(t, "qualifier_label",
                            json_string(portal_qualifier_label(pg, q)));
    }
    *out = chart;
    return ACCORD_OK;
}

int portal_trajectory_model(const portal_page *pg, const json_t *trajectory, json_t **out)
{
    json_t *chart;
    int rc = charts_trajectory(trajectory, &chart);
    if (rc)
        return rc;
    add_axes(chart);
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(chart, "y_ticks"), i, t)
        json_object_set_new(t, "text", portal_number(pg, atoll(json_string_value(json_object_get(t, "label")))));
    json_array_foreach(json_object_get(chart, "points"), i, t) {
        char pct[32];
        snprintf(pct, sizeof pct, "%.1f %%", 100.0 * json_number_value(json_object_get(t, "share")));
        json_object_set_new(t, "share_text", json_string(pct));
    }
    *out = chart;
    return ACCORD_OK;
}
