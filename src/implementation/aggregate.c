/* The published matrix (party x provision, latest rating and released
 * self-assessment) and the trajectory toward the instrument's goal year. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "depositary/depositary.h"
#include "implementation/implementation.h"
#include "registry/registry.h"
#include "util/date.h"
#include "util/error.h"

static const char *const classes[] = {"implemented", "largely_implemented", "partly_implemented", "not_implemented",
                                      "not_rated"};
#define NCLASSES 5

static int class_index(const char *rating)
{
    for (int i = 0; i < NCLASSES - 1; i++)
        if (rating && strcmp(rating, classes[i]) == 0)
            return i;
    return NCLASSES - 1;
}

/* Participants of 'slug' as at 'date', optionally only members or
 * observers of 'group' as at that date: an array of party briefs. */
static int rows_as_at(store *db, const char *slug, const char *group, const char *date, json_t **out)
{
    json_t *status = NULL, *members = NULL;
    int rc = depositary_status(db, slug, date, &status);
    if (!rc && group)
        rc = registry_group_members(db, group, date, &members);
    if (!rc && group) {
        json_t *brief;
        rc = registry_group_brief(db, group, date, &brief); /* 404 for an unknown group */
        json_decref(brief);
    }
    if (rc) {
        json_decref(status);
        json_decref(members);
        return rc;
    }
    json_t *rows = json_array();
    size_t i, j;
    json_t *p, *m;
    json_array_foreach(json_object_get(status, "participants"), i, p)
    {
        json_t *party = json_object_get(p, "party");
        bool in = !group;
        json_array_foreach(members, j, m) if (strcmp(json_string_value(json_object_get(m, "code")),
                                                     json_string_value(json_object_get(party, "code"))) == 0) in = true;
        if (in)
            json_array_append(rows, party);
    }
    json_decref(status);
    json_decref(members);
    *out = rows;
    return ACCORD_OK;
}

/* The latest value of a report column ('sql' selects it, newest first)
 * for 'party' on 'provision' as at the end of 'date', in 'cycle' if given;
 * "" when there is none. */
static int latest_value(store *db, const char *sql, const char *slug, const char *cycle, const char *party,
                        int64_t provision, const char *date, char *out, size_t len)
{
    char end[32];
    snprintf(end, sizeof end, "%sT23:59:59Z", date);
    store_stmt *st;
    int rc = store_query(db, &st, sql, "ssssis", slug, cycle, cycle, party, provision, end);
    if (rc)
        return rc;
    rc = store_step(st);
    out[0] = '\0';
    if (rc == STORE_ROW)
        snprintf(out, len, "%s", store_col_text(st, 0));
    store_stmt_close(st);
    return rc < 0 ? rc : ACCORD_OK;
}

#define LATEST_RATING                                                                                              \
    "SELECT g.rating FROM rating g JOIN event e ON e.seq = g.seq WHERE g.instrument = ?"                          \
    " AND (? IS NULL OR g.cycle = ?) AND g.party = ? AND g.provision = ? AND e.at <= ? ORDER BY g.seq DESC LIMIT 1"
#define LATEST_SELF_ASSESSMENT                                                                                     \
    "SELECT r.status FROM report r JOIN event e ON e.seq = r.seq WHERE r.instrument = ?"                          \
    " AND (? IS NULL OR r.cycle = ?) AND r.party = ? AND r.provision = ? AND e.at <= ? ORDER BY r.seq DESC LIMIT 1"

static json_t *class_counts(const int *n)
{
    json_t *o = json_object();
    for (int i = 0; i < NCLASSES; i++)
        json_object_set_new(o, classes[i], json_integer(n[i]));
    return o;
}

/* Provision numbers of 'slug', ascending. */
static int provision_numbers(store *db, const char *slug, json_t **out)
{
    store_stmt *st;
    int rc = store_query(db, &st, "SELECT number FROM provision WHERE instrument = ? ORDER BY number", "s", slug);
    if (rc)
        return rc;
    json_t *list = json_array();
    while ((rc = store_step(st)) == STORE_ROW)
        json_array_append_new(list, json_integer(store_col_int(st, 0)));
    store_stmt_close(st);
    if (rc < 0) {
        json_decref(list);
        return rc;
    }
    *out = list;
    return ACCORD_OK;
}

int implementation_matrix(store *db, const char *slug, const char *cycle, const char *group, const char *as_of,
                          json_t **out)
{
    json_t *rows = NULL, *provisions = NULL;
    char opened[11];
    int rc = registry_instrument_opened(db, slug, "slug", opened);
    if (!rc) rc = date_check(as_of, "as_of");
    if (!rc) rc = rows_as_at(db, slug, group, as_of, &rows);
    if (!rc) rc = provision_numbers(db, slug, &provisions);
    if (rc) {
        json_decref(rows);
        return rc;
    }
    int total[NCLASSES] = {0};
    size_t np = json_array_size(provisions);
    int (*per)[NCLASSES] = calloc(np ? np : 1, sizeof *per);
    json_t *matrix = json_array();
    size_t i, k;
    json_t *party, *num;
    json_array_foreach(rows, i, party)
    {
        const char *code = json_string_value(json_object_get(party, "code"));
        json_t *cells = json_array();
        json_array_foreach(provisions, k, num)
        {
            char rating[40], self[40];
            int64_t n = json_integer_value(num);
            if (!rc) rc = latest_value(db, LATEST_RATING, slug, cycle, code, n, as_of, rating, sizeof rating);
            if (!rc) rc = latest_value(db, LATEST_SELF_ASSESSMENT, slug, cycle, code, n, as_of, self, sizeof self);
            int c = class_index(rc ? NULL : rating);
            total[c]++;
            per[k][c]++;
            json_array_append_new(cells, json_pack("{s:I, s:s, s:s?}", "provision", (json_int_t)n, "rating",
                                                   classes[c], "self_assessment", self[0] ? self : NULL));
        }
        json_array_append_new(matrix, json_pack("{s:O, s:o}", "party", party, "cells", cells));
    }
    json_t *by_provision = json_array();
    json_array_foreach(provisions, k, num) json_array_append_new(
        by_provision, json_pack("{s:O, s:o}", "provision", num, "counts", class_counts(per[k])));
    free(per);
    json_decref(rows);
    json_decref(provisions);
    if (rc) {
        json_decref(matrix);
        json_decref(by_provision);
        return rc;
    }
    *out = json_pack("{s:s, s:s?, s:s?, s:s, s:s, s:o, s:o, s:o}", "instrument", slug, "cycle", cycle, "group", group,
                     "as_of", as_of, "scale", IMPLEMENTATION_RATINGS, "counts", class_counts(total), "by_provision",
                     by_provision, "rows", matrix);
    return ACCORD_OK;
}

int implementation_trajectory(store *db, const char *slug, const char *today, json_t **out)
{
    json_t *inst;
    int rc = registry_get_instrument(db, slug, &inst);
    if (rc)
        return rc;
    const char *opened = json_string_value(json_object_get(inst, "opened_on"));
    int start = date_year(opened), now = date_year(today);
    int goal = (int)json_integer_value(json_object_get(inst, "goal_year"));
    json_decref(inst);
    if (goal <= start)
        return accord_fail(ACCORD_ERULE, "slug", "%s has no goal year after its opening", slug);
    json_t *years = json_array();
    for (int y = start; y <= now && !rc; y++) {
        /* Each year as at its last day, the current one as at today. */
        char date[24];
        if (y < now)
            snprintf(date, sizeof date, "%04d-12-31", y % 10000);
        else
            snprintf(date, sizeof date, "%s", today);
        json_t *m;
        rc = implementation_matrix(db, slug, NULL, NULL, date, &m);
        if (rc)
            break;
        json_int_t cells = 0, done = json_integer_value(json_object_get(json_object_get(m, "counts"), "implemented"));
        const char *key;
        json_t *v;
        json_object_foreach(json_object_get(m, "counts"), key, v) cells += json_integer_value(v);
        double share = cells ? (double)done / (double)cells : 0.0;
        double target = (double)(y - start) / (double)(goal - start);
        json_array_append_new(years, json_pack("{s:i, s:s, s:I, s:I, s:f, s:f, s:s}", "year", y, "as_of", date,
                                               "cells", cells, "implemented", done, "share", share, "target", target,
                                               "label", share >= target ? "on track" : "off track"));
        json_decref(m);
    }
    if (rc) {
        json_decref(years);
        return rc;
    }
    *out = json_pack("{s:s, s:i, s:i, s:s, s:o}", "instrument", slug, "opened", start, "goal_year", goal, "measure",
                     "share of participant x provision cells whose latest rating is 'implemented', against the straight "
                     "path from 0 in the opening year to 1 in the goal year",
                     "years", years);
    return ACCORD_OK;
}
