/* The review side of reports, for the people who write and review them:
 * the reviewers' queue, a report's versions and its reviews (the
 * comments of each return with them), and one version's content. All
 * private: the route table lets only reviewers, admins and the party's
 * focal point reach them. */
#include <stdio.h>
#include <string.h>

#include "implementation/implementation.h"
#include "implementation/implementation_int.h"
#include "registry/registry.h"
#include "store/lookup.h"
#include "store/row_json.h"
#include "util/error.h"

/* The same report (instrument, cycle, party, provision) as the row "s". */
#define SAME_AS_S(t)                                                                                                   \
    " " t ".instrument = s.instrument AND " t ".cycle = s.cycle AND " t ".party = s.party AND " t                        \
    ".provision = s.provision"

int implementation_review_queue(store *db, json_t **out)
{
    store_stmt *st;
    int rc = store_query(db, &st,
                         "SELECT s.instrument, s.cycle, s.party, s.provision, s.version, e.at,"
                         " (SELECT g.rating FROM rating g WHERE" SAME_AS_S("g") " AND g.version = s.version"
                         "   ORDER BY g.seq DESC LIMIT 1),"
                         " EXISTS (SELECT 1 FROM review r WHERE" SAME_AS_S("r") " AND r.version = s.version"
                         "   AND r.outcome = 'returned'),"
                         " EXISTS (SELECT 1 FROM report t WHERE" SAME_AS_S("t") " AND t.version = s.version)"
                         " FROM submission s JOIN event e ON e.seq = s.seq"
                         " WHERE s.version = (SELECT max(x.version) FROM submission x WHERE" SAME_AS_S("x") ")"
                         " ORDER BY e.at, s.instrument, s.cycle, s.party, s.provision",
                         "");
    if (rc)
        return rc;
    json_t *list = json_array();
    while ((rc = store_step(st)) == STORE_ROW) {
        const char *rating = store_col_text(st, 6);
        const char *state = store_col_int(st, 8) ? "released"
                            : rating             ? "rated"
                            : store_col_int(st, 7) ? "returned"
                                                   : "submitted";
        json_t *row = json_pack("{s:s, s:s, s:s, s:I, s:I, s:s, s:s}", "instrument", store_col_text(st, 0), "cycle",
                                store_col_text(st, 1), "party", store_col_text(st, 2), "provision",
                                (json_int_t)store_col_int(st, 3), "version", (json_int_t)store_col_int(st, 4),
                                "submitted_at", store_col_text(st, 5), "state", state);
        if (rating)
            json_object_set_new(row, "rating", json_string(rating));
        json_array_append_new(list, row);
    }
    store_stmt_close(st);
    if (rc < 0) {
        json_decref(list);
        return rc;
    }
    *out = list;
    return ACCORD_OK;
}

/* Each draft version of the report, oldest first: {version, status, at,
 * submitted (1 or 0)}. */
static int report_versions(store *db, const char *slug, const char *cycle, const char *party, int64_t provision,
                           json_t **out)
{
    static const char *const keys[] = {"version", "status", "at", "submitted", NULL};
    store_stmt *st;
    int rc = store_query(db, &st,
                         "SELECT d.version, d.status, e.at, EXISTS (SELECT 1 FROM submission s WHERE s.instrument ="
                         " d.instrument AND s.cycle = d.cycle AND s.party = d.party AND s.provision = d.provision"
                         " AND s.version = d.version)"
                         " FROM report_draft d JOIN event e ON e.seq = d.seq"
                         " WHERE d.instrument = ? AND d.cycle = ? AND d.party = ? AND d.provision = ?"
                         " ORDER BY d.version",
                         "sssi", slug, cycle, party, provision);
    return rc ? rc : store_rows_json(st, keys, out);
}

/* Each review of the report, oldest first: {version, outcome, at} with
 * "comments" for a return and "rating", "rationale" for a rating. A
 * return is a restricted event: its comments are kept only in the full
 * bytes of its log entry (restricted_entry), read here with SQLite's JSON
 * functions. */
static int report_reviews(store *db, const char *slug, const char *cycle, const char *party, int64_t provision,
                          json_t **out)
{
    store_stmt *st;
    int rc = store_query(db, &st,
                         "SELECT r.version, r.outcome, e.at, g.rating, g.rationale,"
                         " json_extract(CAST(x.body AS TEXT), '$.data.comments')"
                         " FROM review r JOIN event e ON e.seq = r.seq"
                         " LEFT JOIN rating g ON g.seq = r.seq"
                         " LEFT JOIN restricted_entry x ON x.seq = r.seq AND r.outcome = 'returned'"
                         " WHERE r.instrument = ? AND r.cycle = ? AND r.party = ? AND r.provision = ?"
                         " ORDER BY r.seq",
                         "sssi", slug, cycle, party, provision);
    if (rc)
        return rc;
    json_t *list = json_array();
    while ((rc = store_step(st)) == STORE_ROW) {
        json_t *row = json_pack("{s:I, s:s, s:s}", "version", (json_int_t)store_col_int(st, 0), "outcome",
                                store_col_text(st, 1), "at", store_col_text(st, 2));
        if (!store_col_null(st, 3)) {
            json_object_set_new(row, "rating", json_string(store_col_text(st, 3)));
            json_object_set_new(row, "rationale", json_string(store_col_text(st, 4)));
        }
        if (!store_col_null(st, 5))
            json_object_set_new(row, "comments", json_string(store_col_text(st, 5)));
        json_array_append_new(list, row);
    }
    store_stmt_close(st);
    if (rc < 0) {
        json_decref(list);
        return rc;
    }
    *out = list;
    return ACCORD_OK;
}

int implementation_report_history(store *db, const char *slug, const char *cycle, const char *party,
                                  int64_t provision, json_t **out)
{
    char opens[11];
    json_t *versions = NULL, *reviews = NULL;
    int rc = implementation_cycle_opens(db, slug, cycle, opens);
    if (!rc) rc = registry_party_require(db, party, "party");
    if (!rc) rc = report_versions(db, slug, cycle, party, provision, &versions);
    if (!rc) rc = report_reviews(db, slug, cycle, party, provision, &reviews);
    if (rc) {
        json_decref(versions);
        return rc;
    }
    *out = json_pack("{s:o, s:o}", "versions", versions, "reviews", reviews);
    return ACCORD_OK;
}

int implementation_report_version(store *db, const char *slug, const char *cycle, const char *party,
                                  int64_t provision, int64_t version, json_t **out)
{
    store_stmt *st;
    json_t *report = NULL;
    int rc = store_query(db, &st,
                         "SELECT content FROM report_draft WHERE instrument = ? AND cycle = ? AND party = ?"
                         " AND provision = ? AND version = ?",
                         "sssii", slug, cycle, party, provision, version);
    if (rc)
        return rc;
    rc = store_step(st);
    if (rc == STORE_ROW) {
        report = json_loads(store_col_text(st, 0), 0, NULL);
        rc = report ? implementation_report_html(report)
                    : accord_fail(ACCORD_ESTORE, NULL, "a stored report is not valid JSON");
    } else if (rc == STORE_DONE)
        rc = accord_fail(ACCORD_ENOTFOUND, "version", "%s has no version %lld of its report on provision %lld in %s",
                         party, (long long)version, (long long)provision, cycle);
    store_stmt_close(st);
    if (rc) {
        json_decref(report);
        return rc;
    }
    *out = report;
    return ACCORD_OK;
}
