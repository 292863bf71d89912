#include "implementation/implementation.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "depositary/depositary.h"
#include "events/appliers.h"
#include "implementation/implementation_int.h"
#include "markdown/markdown.h"
#include "registry/registry.h"
#include "store/lookup.h"
#include "store/row_json.h"
#include "util/date.h"
#include "util/error.h"
#include "util/json.h"

static int latest_version(store *db, const char *slug, const char *cycle, const char *party, int64_t provision,
                          int64_t *version, bool *submitted);

static bool code_valid(const char *s)
{
    if (!*s || strlen(s) > 40)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-'))
            return false;
    return true;
}

int implementation_apply_cycle_opened(store *db, int64_t seq, json_t *data, bool replay)
{
    static const char *const keys[] = {"instrument", "code", "name", "opens_on", "due_on", NULL};
    const char *slug, *code, *name, *opens, *due;
    char opened[11];
    (void)replay;
    int rc = json_only_keys(data, keys, NULL);
    if (!rc) rc = json_get_string(data, "instrument", true, 64, &slug);
    if (!rc) rc = json_get_string(data, "code", true, 40, &code);
    if (!rc && !code_valid(code))
        rc = accord_fail(ACCORD_EINVAL, "code", "code: lowercase letters, digits and dashes, e.g. \"2026\"");
    if (!rc) rc = json_get_string(data, "name", true, REGISTRY_MAX_NAME, &name);
    if (!rc) rc = json_get_string(data, "opens_on", true, 10, &opens);
    if (!rc) rc = date_check(opens, "opens_on");
    if (!rc) rc = json_get_string(data, "due_on", true, 10, &due);
    if (!rc) rc = date_check(due, "due_on");
    if (!rc) rc = registry_instrument_opened(db, slug, "instrument", opened);
    if (rc)
        return rc;
    if (strcmp(due, opens) < 0)
        return accord_fail(ACCORD_ERULE, "due_on", "due_on: %s is before opens_on %s", due, opens);
    if (strcmp(opens, opened) < 0)
        return accord_fail(ACCORD_ERULE, "opens_on", "opens_on: %s is before the instrument opened on %s", opens, opened);
    rc = store_exists(db, "SELECT 1 FROM cycle WHERE instrument = ? AND code = ?", "ss", slug, code);
    if (rc == STORE_ROW)
        return accord_fail(ACCORD_ECONFLICT, "code", "code: cycle '%s' of '%s' already exists", code, slug);
    if (rc < 0)
        return rc;
    return store_run(db, "INSERT INTO cycle (instrument, code, name, opens_on, due_on, seq) VALUES (?, ?, ?, ?, ?, ?)",
                     "sssssi", slug, code, name, opens, due, seq);
}

bool implementation_status_valid(const char *s)
{
    static const char *const statuses[] = {"not_started", "planned", "in_progress", "substantially_implemented",
                                           "implemented", "not_applicable"};
    for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++)
        if (strcmp(s, statuses[i]) == 0)
            return true;
    return false;
}

/* Evidence: a list of {"title", "url"} links. */
static int check_evidence(const json_t *data)
{
    json_t *ev = json_object_get(data, "evidence");
    if (!ev || json_is_null(ev))
        return ACCORD_OK;
    if (!json_is_array(ev) || json_array_size(ev) > IMPLEMENTATION_MAX_EVIDENCE)
        return accord_fail(ACCORD_EINVAL, "evidence", "evidence: a list of at most %d {title, url} links",
                           IMPLEMENTATION_MAX_EVIDENCE);
    size_t i;
    json_t *link;
    json_array_foreach(ev, i, link)
    {
        json_t *holder = json_pack("{s:O}", "evidence", link);
        const char *t, *u;
        int rc = registry_read_source(holder, "evidence", true, &t, &u);
        json_decref(holder);
        if (rc)
            return rc;
    }
    return ACCORD_OK;
}

/* The cycle's opening date into 'opens'; fails ENOTFOUND naming 'cycle'. */
int implementation_cycle_opens(store *db, const char *slug, const char *code, char opens[11])
{
    int rc = store_one_text(db, opens, 11, "SELECT opens_on FROM cycle WHERE instrument = ? AND code = ?", "ss", slug,
                            code);
    if (rc == STORE_DONE)
        return accord_fail(ACCORD_ENOTFOUND, "cycle", "cycle: no cycle '%s' of '%s'", code, slug);
    return rc < 0 ? rc : ACCORD_OK;
}

/* Prepares 'sql', whose two parameters are the instrument and the cycle,
 * in '*st' once the cycle is known (implementation_cycle_opens() says why not). The
 * caller closes '*st'. */
static int cycle_query(store *db, store_stmt **st, const char *slug, const char *cycle, const char *sql)
{
    char opens[11];
    int rc = implementation_cycle_opens(db, slug, cycle, opens);
    return rc ? rc : store_query(db, st, sql, "ss", slug, cycle);
}

/* Checks what a party's view of a cycle names: the instrument is open,
 * the cycle is one of its own and the party is known. */
static int party_cycle_known(store *db, const char *slug, const char *cycle, const char *party)
{
    char opens[11], opened[11];
    int rc = registry_instrument_opened(db, slug, "slug", opened);
    if (!rc) rc = implementation_cycle_opens(db, slug, cycle, opens);
    if (!rc) rc = registry_party_require(db, party, "party");
    return rc;
}

int implementation_cycle_participant(store *db, const char *slug, const char *cycle, const char *party)
{
    char opens[11];
    int rc = implementation_cycle_opens(db, slug, cycle, opens);
    if (rc)
        return rc;
    if (registry_party_require(db, party, "party"))
        return accord_fail(ACCORD_ERULE, "party", "party: no party with code '%s' is registered", party);
    bool signatory;
    if ((rc = depositary_participates(db, slug, party, opens, &signatory)))
        return rc;
    if (!signatory)
        return accord_fail(ACCORD_ERULE, "party", "party: %s was not a participant in %s when the cycle opened on %s",
                           party, slug, opens);
    return ACCORD_OK;
}

int implementation_apply_report_drafted(store *db, int64_t seq, json_t *data, bool replay)
{
    static const char *const keys[] = {"instrument", "cycle", "party", "provision", "status", "narrative",
                                       "measures", "evidence", "assistance_needs", "attachments", "version", NULL};
    const char *slug, *cycle, *party, *status, *narrative, *measures, *needs;
    int64_t provision;
    int rc = json_only_keys(data, keys, NULL);
    if (!rc) rc = json_get_string(data, "instrument", true, 64, &slug);
    if (!rc) rc = json_get_string(data, "cycle", true, 40, &cycle);
    if (!rc) rc = json_get_string(data, "party", true, 64, &party);
    if (!rc) rc = json_get_int(data, "provision", true, 1, 10000, 0, &provision);
    if (!rc) rc = json_get_string(data, "status", true, 40, &status);
    if (!rc && !implementation_status_valid(status))
        rc = accord_fail(ACCORD_EINVAL, "status", "status: one of " IMPLEMENTATION_STATUSES);
    if (!rc) rc = json_get_string(data, "narrative", false, IMPLEMENTATION_MAX_NARRATIVE, &narrative);
    if (!rc) rc = json_get_string(data, "measures", false, IMPLEMENTATION_MAX_NARRATIVE, &measures);
    if (!rc) rc = json_get_string(data, "assistance_needs", false, IMPLEMENTATION_MAX_NARRATIVE, &needs);
    if (!rc) rc = check_evidence(data);
    if (!rc) rc = implementation_cycle_participant(db, slug, cycle, party);
    if (!rc) rc = implementation_check_attachments(db, data, party, replay);
    if (rc)
        return rc;
    rc = store_exists(db, "SELECT 1 FROM provision WHERE instrument = ? AND number = ?", "si", slug, provision);
    if (rc == STORE_DONE)
        return accord_fail(ACCORD_ERULE, "provision", "provision: %s has no provision %lld", slug, (long long)provision);
    if (rc < 0)
        return rc;
    /* A submitted report waits for review: no new version until returned. */
    int64_t latest;
    bool submitted;
    if ((rc = latest_version(db, slug, cycle, party, provision, &latest, &submitted)))
        return rc;
    if (submitted)
        return accord_fail(ACCORD_ECONFLICT, "provision",
                           "provision: version %lld was submitted and cannot be edited unless a reviewer returns it",
                           (long long)latest);
    /* Each edit is a new version; the number is logged (privately). */
    int64_t version = 1;
    rc = store_one_int(db, &version,
                       "SELECT coalesce(max(version), 0) + 1 FROM report_draft"
                       " WHERE instrument = ? AND cycle = ? AND party = ? AND provision = ?",
                       "sssi", slug, cycle, party, provision);
    if (rc < 0)
        return rc;
    if (!replay)
        json_object_set_new(data, "version", json_integer(version));
    char *content = json_dumps(data, JSON_COMPACT | JSON_SORT_KEYS);
    /* Its release carries the same text in a public event: leave room for
     * that event's own fields within the log's entry limit. */
    if (content && strlen(content) > IMPLEMENTATION_MAX_REPORT) {
        size_t len = strlen(content);
        free(content);
        return accord_fail(ACCORD_ETOOBIG, "narrative", "the report is %zu bytes; at most %d fit in the log", len,
                           IMPLEMENTATION_MAX_REPORT);
    }
    rc = store_run(db,
                   "INSERT INTO report_draft (instrument, cycle, party, provision, version, status, content, seq)"
                   " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                   "sssiissi", slug, cycle, party, provision, version, status, content, seq);
    free(content);
    return rc;
}

int implementation_cycle_dates(store *db, const char *slug, const char *cycle, char opens[11], char due[11])
{
    char opened[11];
    int rc = registry_instrument_opened(db, slug, "slug", opened);
    if (!rc) rc = implementation_cycle_opens(db, slug, cycle, opens);
    if (rc)
        return rc;
    due[0] = '\0';
    rc = store_one_text(db, due, 11, "SELECT due_on FROM cycle WHERE instrument = ? AND code = ?", "ss", slug, cycle);
    return rc < 0 ? rc : ACCORD_OK;
}

int implementation_list_cycles(store *db, const char *slug, json_t **out)
{
    static const char *const keys[] = {"code", "name", "opens_on", "due_on", NULL};
    char opened[11];
    store_stmt *st;
    int rc = registry_instrument_opened(db, slug, "slug", opened);
    if (!rc)
        rc = store_query(db, &st, "SELECT code, name, opens_on, due_on FROM cycle WHERE instrument = ? ORDER BY opens_on",
                         "s", slug);
    return rc ? rc : store_rows_json(st, keys, out);
}

int implementation_report_html(json_t *report)
{
    static const char *const fields[] = {"narrative", "measures", "assistance_needs"};
    int rc = ACCORD_OK;
    for (size_t i = 0; !rc && i < sizeof fields / sizeof fields[0]; i++)
        rc = markdown_add_html(report, fields[i]);
    return rc;
}

/* Reads every row of 'st' (which it closes) into a JSON array: the report
 * stored as JSON in column 'content', with the HTML of its Markdown
 * fields, as the entry itself or wrapped by 'entry' (which takes it). */
static int read_reports(store_stmt *st, int content, json_t *(*entry)(store_stmt *st, json_t *report),
                        json_t **out)
{
    json_t *list = json_array();
    int rc;
    while ((rc = store_step(st)) == STORE_ROW) {
        json_t *report = json_loads(store_col_text(st, content), 0, NULL);
        if (!report) {
            rc = accord_fail(ACCORD_ESTORE, NULL, "a stored report is not valid JSON");
            break;
        }
        if ((rc = implementation_report_html(report))) {
            json_decref(report);
            break;
        }
        json_array_append_new(list, entry ? entry(st, report) : report);
    }
    store_stmt_close(st);
    if (rc < 0) {
        json_decref(list);
        return rc;
    }
    *out = list;
    return ACCORD_OK;
}

/* A released report with who, what and when (implementation_released's
 * columns). */
static json_t *released_entry(store_stmt *st, json_t *report)
{
    return json_pack("{s:s, s:I, s:I, s:s, s:o, s:s}", "party", store_col_text(st, 0), "provision",
                     (json_int_t)store_col_int(st, 1), "version", (json_int_t)store_col_int(st, 2), "status",
                     store_col_text(st, 3), "report", report, "released_at", store_col_text(st, 5));
}

int implementation_drafts(store *db, const char *slug, const char *cycle, const char *party, json_t **out)
{
    store_stmt *st;
    int rc = party_cycle_known(db, slug, cycle, party);
    if (rc)
        return rc;
    rc = store_query(db, &st,
                         "SELECT d.content FROM report_draft d WHERE d.instrument = ? AND d.cycle = ? AND d.party = ?"
                         " AND d.version = (SELECT max(version) FROM report_draft x WHERE x.instrument = d.instrument"
                         " AND x.cycle = d.cycle AND x.party = d.party AND x.provision = d.provision)"
                         " ORDER BY d.provision",
                         "sss", slug, cycle, party);
    if (rc)
        return rc;
    return read_reports(st, 0, NULL, out);
}

int implementation_report_states(store *db, const char *slug, const char *cycle, const char *party, json_t **out)
{
    store_stmt *st;
    int rc = party_cycle_known(db, slug, cycle, party);
    if (rc)
        return rc;
#define SAME_REPORT(t) " WHERE " t ".instrument = ? AND " t ".cycle = ? AND " t ".party = ? AND " t ".provision = l.n" \
                       " AND " t ".version = l.v"
    rc = store_query(db, &st,
                     "WITH l AS (SELECT p.number AS n, p.title AS title, (SELECT max(d.version) FROM report_draft d"
                     "   WHERE d.instrument = p.instrument AND d.cycle = ? AND d.party = ? AND d.provision = p.number)"
                     "   AS v FROM provision p WHERE p.instrument = ?)"
                     " SELECT l.n, l.title, coalesce(l.v, 0),"
                     " EXISTS (SELECT 1 FROM submission s" SAME_REPORT("s") "),"
                     " EXISTS (SELECT 1 FROM review r" SAME_REPORT("r") " AND r.outcome = 'returned'),"
                     " (SELECT g.rating FROM rating g" SAME_REPORT("g") " ORDER BY g.seq DESC LIMIT 1),"
                     " EXISTS (SELECT 1 FROM report t" SAME_REPORT("t") ")"
                     " FROM l ORDER BY l.n",
                     "sssssssssssssss", cycle, party, slug, slug, cycle, party, slug, cycle, party, slug, cycle, party,
                     slug, cycle, party);
#undef SAME_REPORT
    if (rc)
        return rc;
    json_t *list = json_array();
    while ((rc = store_step(st)) == STORE_ROW) {
        int64_t version = store_col_int(st, 2);
        const char *rating = store_col_text(st, 5), *title = store_col_text(st, 1);
        const char *state = version == 0              ? "no_draft"
                            : store_col_int(st, 6)    ? "released"
                            : rating                  ? "rated"
                            : store_col_int(st, 4)    ? "returned"
                            : store_col_int(st, 3)    ? "submitted"
                                                      : "draft";
        json_t *row = json_pack("{s:I, s:s, s:I, s:s}", "provision", (json_int_t)store_col_int(st, 0), "title",
                                title ? title : "", "version", (json_int_t)version, "state", state);
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

/* ---- submission and release --------------------------------------------- */

/* The latest draft version of a report and whether it was submitted. */
static int latest_version(store *db, const char *slug, const char *cycle, const char *party, int64_t provision,
                          int64_t *version, bool *submitted)
{
    store_stmt *st;
    int rc = store_first_row(db, &st,
                             "SELECT coalesce(max(d.version), 0), (SELECT count(*) FROM submission s"
                             "   WHERE s.instrument = ? AND s.cycle = ? AND s.party = ? AND s.provision = ?"
                             "   AND s.version = max(d.version) AND NOT EXISTS (SELECT 1 FROM review r"
                             "     WHERE r.instrument = s.instrument AND r.cycle = s.cycle AND r.party = s.party"
                             "     AND r.provision = s.provision AND r.version = s.version AND r.outcome = 'returned'))"
                             " FROM report_draft d WHERE d.instrument = ? AND d.cycle = ? AND d.party = ?"
                             " AND d.provision = ?",
                             "sssisssi", slug, cycle, party, provision, slug, cycle, party, provision);
    *version = rc == STORE_ROW ? store_col_int(st, 0) : 0;
    *submitted = rc == STORE_ROW && store_col_int(st, 1) > 0;
    store_stmt_close(st);
    return rc < 0 ? rc : ACCORD_OK;
}

/* Reads the fields naming one report: instrument, cycle, party, provision. */
static int report_key(const json_t *data, const char **slug, const char **cycle, const char **party,
                      int64_t *provision)
{
    int rc = json_get_string(data, "instrument", true, 64, slug);
    if (!rc) rc = json_get_string(data, "cycle", true, 40, cycle);
    if (!rc) rc = json_get_string(data, "party", true, 64, party);
    if (!rc) rc = json_get_int(data, "provision", true, 1, 10000, 0, provision);
    return rc;
}

/* report_key(), and the cycle must exist (ENOTFOUND naming "cycle"). */
static int report_target(store *db, const json_t *data, const char **slug, const char **cycle, const char **party,
                         int64_t *provision)
{
    char opens[11];
    int rc = report_key(data, slug, cycle, party, provision);
    return rc ? rc : implementation_cycle_opens(db, *slug, *cycle, opens);
}

int implementation_apply_report_submitted(store *db, int64_t seq, json_t *data, bool replay)
{
    static const char *const keys[] = {"instrument", "cycle", "party", "provision", "version", NULL};
    const char *slug, *cycle, *party;
    int64_t provision, version;
    bool submitted;
    (void)seq;
    int rc = json_only_keys(data, keys, NULL);
    if (!rc) rc = report_target(db, data, &slug, &cycle, &party, &provision);
    if (!rc) rc = latest_version(db, slug, cycle, party, provision, &version, &submitted);
    if (rc)
        return rc;
    if (version == 0)
        return accord_fail(ACCORD_ERULE, "provision", "provision: %s has no draft on provision %lld in cycle %s", party,
                           (long long)provision, cycle);
    if (submitted)
        return accord_fail(ACCORD_ECONFLICT, "provision", "provision: version %lld is already submitted",
                           (long long)version);
    /* A returned version goes back only as a new draft. */
    rc = store_exists(db, "SELECT 1 FROM submission WHERE instrument = ? AND cycle = ? AND party = ?"
                          " AND provision = ? AND version = ?", "sssii", slug, cycle, party, provision, version);
    if (rc == STORE_ROW)
        return accord_fail(ACCORD_ECONFLICT, "provision",
                           "provision: version %lld was returned; save a new draft before submitting again",
                           (long long)version);
    if (rc < 0)
        return rc;
    /* The version submitted is the latest draft: logged, so that anyone
     * holding the reveal knows which text was submitted. */
    if (!replay)
        json_object_set_new(data, "version", json_integer(version));
    return ACCORD_OK;
}

/* Records the public fact of a restricted report event from its public
 * fields (instrument, cycle, party, provision, version) with 'sql', whose
 * parameters are those five and the entry's index. */
static int record_public_fact(store *db, int64_t seq, json_t *fields, const char *sql)
{
    const char *slug, *cycle, *party;
    int64_t provision, version;
    int rc = report_key(fields, &slug, &cycle, &party, &provision);
    if (!rc) rc = json_get_int(fields, "version", true, 1, INT64_MAX, 0, &version);
    return rc ? rc : store_run(db, sql, "sssiii", slug, cycle, party, provision, version, seq);
}

int implementation_apply_submission_public(store *db, int64_t seq, json_t *fields, bool replay)
{
    (void)replay;
    return record_public_fact(db, seq, fields,
                              "INSERT INTO submission (instrument, cycle, party, provision, version, seq)"
                              " VALUES (?, ?, ?, ?, ?, ?)");
}

/* Keeps the matrix's latest cells (table latest_cell) current: the cell of
 * 'party' on 'provision' in 'cycle', and in any cycle, now holds rating
 * (or, 'rating' false, self-assessment) 'value' from log entry 'seq'. */
static int keep_latest_cell(store *db, bool rating, const char *slug, const char *cycle, const char *party,
                            int64_t provision, const char *value, int64_t seq)
{
    const char *sql =
        rating ? "INSERT INTO latest_cell (instrument, scope, party, provision, rating, rating_seq, seq)"
                 " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (instrument, scope, party, provision) DO UPDATE"
                 " SET rating = excluded.rating, rating_seq = excluded.rating_seq, seq = excluded.seq"
               : "INSERT INTO latest_cell (instrument, scope, party, provision, status, status_seq, seq)"
                 " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (instrument, scope, party, provision) DO UPDATE"
                 " SET status = excluded.status, status_seq = excluded.status_seq, seq = excluded.seq";
    int rc = store_run(db, sql, "sssisii", slug, cycle, party, provision, value, seq, seq);
    return rc ? rc : store_run(db, sql, "sssisii", slug, "*", party, provision, value, seq, seq);
}

int implementation_apply_report_released(store *db, int64_t seq, json_t *data, bool replay)
{
    static const char *const keys[] = {"instrument", "cycle", "party", "provision", "version", "report", NULL};
    const char *slug, *cycle, *party;
    int64_t provision, version = 0;
    int rc = json_only_keys(data, keys, NULL);
    if (!rc) rc = report_target(db, data, &slug, &cycle, &party, &provision);
    if (rc)
        return rc;
    /* The version released is the latest one submitted. */
    rc = store_one_int(db, &version,
                       "SELECT coalesce(max(version), 0) FROM submission"
                       " WHERE instrument = ? AND cycle = ? AND party = ? AND provision = ?",
                       "sssi", slug, cycle, party, provision);
    if (rc < 0)
        return rc;
    if (version == 0)
        return accord_fail(ACCORD_ERULE, "provision", "provision: %s has submitted no report on provision %lld",
                           party, (long long)provision);
    rc = store_exists(db, "SELECT 1 FROM review WHERE instrument = ? AND cycle = ? AND party = ? AND provision = ?"
                          " AND version = ? AND outcome = 'returned'", "sssii", slug, cycle, party, provision, version);
    if (rc == STORE_ROW)
        return accord_fail(ACCORD_ECONFLICT, "provision", "provision: version %lld was returned by a reviewer",
                           (long long)version);
    if (rc < 0)
        return rc;
    rc = store_exists(db, "SELECT 1 FROM report WHERE instrument = ? AND cycle = ? AND party = ? AND provision = ?"
                          " AND version = ?", "sssii", slug, cycle, party, provision, version);
    if (rc == STORE_ROW)
        return accord_fail(ACCORD_ECONFLICT, "provision", "provision: version %lld is already released",
                           (long long)version);
    if (rc < 0)
        return rc;
    if (!replay) {
        /* The released text is the submitted draft, now made public. */
        char *content = NULL;
        store_stmt *st;
        rc = store_query(db, &st, "SELECT content FROM report_draft WHERE instrument = ? AND cycle = ? AND party = ?"
                                  " AND provision = ? AND version = ?", "sssii", slug, cycle, party, provision, version);
        if (!rc && store_step(st) == STORE_ROW)
            content = strdup(store_col_text(st, 0));
        if (!rc)
            store_stmt_close(st);
        json_t *report = content ? json_loads(content, 0, NULL) : NULL;
        free(content);
        if (!report)
            return rc ? rc : accord_fail(ACCORD_ESTORE, NULL, "the submitted draft is missing");
        static const char *const private_keys[] = {"instrument", "cycle", "party", "provision", "version"};
        for (size_t i = 0; i < sizeof private_keys / sizeof private_keys[0]; i++)
            json_object_del(report, private_keys[i]);
        json_object_set_new(data, "version", json_integer(version));
        json_object_set_new(data, "report", report);
    }
    int64_t logged;
    json_t *report = json_object_get(data, "report");
    const char *status = json_string_value(json_object_get(report, "status"));
    if (json_get_int(data, "version", true, 1, INT64_MAX, 0, &logged) || logged != version || !status)
        return accord_fail(ACCORD_EVERIFY, "report", "the logged release does not match the submission");
    char *text = json_dumps(report, JSON_COMPACT | JSON_SORT_KEYS);
    rc = store_run(db,
                   "INSERT INTO report (instrument, cycle, party, provision, version, status, content, seq)"
                   " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                   "sssiissi", slug, cycle, party, provision, version, status, text, seq);
    free(text);
    if (!rc)
        rc = implementation_record_attachments(db, seq, slug, cycle, party, provision, version,
                                               json_object_get(report, "attachments"));
    return rc ? rc : keep_latest_cell(db, false, slug, cycle, party, provision, status, seq);
}

int implementation_progress(store *db, const char *slug, const char *cycle, const char *today, json_t **out)
{
    char opens[11], due[11] = "";
    int rc = implementation_cycle_opens(db, slug, cycle, opens);
    if (!rc) {
        rc = store_one_text(db, due, sizeof due, "SELECT due_on FROM cycle WHERE instrument = ? AND code = ?", "ss",
                            slug, cycle);
        rc = rc < 0 ? rc : ACCORD_OK;
    }
    json_t *status = NULL;
    if (!rc) rc = depositary_status(db, slug, opens, &status);
    if (rc)
        return rc;
    bool late = strcmp(today, due) > 0;
    json_t *parties = json_array();
    int counts[3] = {0, 0, 0}; /* submitted, due, overdue */
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(status, "participants"), i, p)
    {
        json_t *party = json_object_get(p, "party");
        const char *code = json_string_value(json_object_get(party, "code"));
        int64_t submitted = 0, released = 0;
        store_stmt *st;
        rc = store_query(db, &st,
                         /* A provision counts as submitted while its latest
                          * submission is not back with the party. */
                         "SELECT (SELECT count(DISTINCT s.provision) FROM submission s WHERE s.instrument = ?"
                         "   AND s.cycle = ? AND s.party = ?"
                         "   AND s.version = (SELECT max(x.version) FROM submission x WHERE x.instrument = s.instrument"
                         "     AND x.cycle = s.cycle AND x.party = s.party AND x.provision = s.provision)"
                         "   AND NOT EXISTS (SELECT 1 FROM review r WHERE r.instrument = s.instrument"
                         "     AND r.cycle = s.cycle AND r.party = s.party AND r.provision = s.provision"
                         "     AND r.version = s.version AND r.outcome = 'returned')),"
                         " (SELECT count(DISTINCT provision) FROM report WHERE instrument = ?"
                         "   AND cycle = ? AND party = ?)",
                         "ssssss", slug, cycle, code, slug, cycle, code);
        if (!rc) {
            if (store_step(st) == STORE_ROW) {
                submitted = store_col_int(st, 0);
                released = store_col_int(st, 1);
            }
            store_stmt_close(st);
        }
        if (rc)
            break;
        int state = submitted ? 0 : late ? 2 : 1;
        static const char *const names[] = {"submitted", "due", "overdue"};
        counts[state]++;
        json_array_append_new(parties, json_pack("{s:O, s:s, s:I, s:I}", "party", party, "state", names[state],
                                                 "provisions_submitted", (json_int_t)submitted,
                                                 "provisions_released", (json_int_t)released));
    }
    json_decref(status);
    if (rc) {
        json_decref(parties);
        return rc;
    }
    *out = json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:i, s:i, s:i}, s:o}", "instrument", slug, "cycle", cycle,
                     "opens_on", opens, "due_on", due, "as_of", today, "counts", "submitted", counts[0], "due",
                     counts[1], "overdue", counts[2], "parties", parties);
    return ACCORD_OK;
}

int implementation_released(store *db, const char *slug, const char *cycle, json_t **out)
{
    store_stmt *st;
    int rc = cycle_query(db, &st, slug, cycle,
                         "SELECT r.party, r.provision, r.version, r.status, r.content, e.at FROM report r"
                         " JOIN event e ON e.seq = r.seq WHERE r.instrument = ? AND r.cycle = ?"
                         " ORDER BY r.party, r.provision, r.version");
    if (rc)
        return rc;
    return read_reports(st, 4, released_entry, out);
}

/* ---- review ------------------------------------------------------------------ */

/* The latest submitted version of a report and how it stands: returned
 * (back with its party) or rated. Fails ERULE when none was submitted. */
static int submitted_version(store *db, const char *slug, const char *cycle, const char *party, int64_t provision,
                             int64_t *version, bool *returned, bool *rated)
{
    store_stmt *st;
    int rc = store_first_row(db, &st,
                             "SELECT s.version,"
                             " EXISTS (SELECT 1 FROM review r WHERE r.instrument = s.instrument AND r.cycle = s.cycle"
                             "   AND r.party = s.party AND r.provision = s.provision AND r.version = s.version"
                             "   AND r.outcome = 'returned'),"
                             " EXISTS (SELECT 1 FROM rating g WHERE g.instrument = s.instrument AND g.cycle = s.cycle"
                             "   AND g.party = s.party AND g.provision = s.provision AND g.version = s.version)"
                             " FROM submission s WHERE s.instrument = ? AND s.cycle = ? AND s.party = ?"
                             " AND s.provision = ?"
                             " ORDER BY s.version DESC LIMIT 1",
                             "sssi", slug, cycle, party, provision);
    if (rc == STORE_ROW) {
        *version = store_col_int(st, 0);
        *returned = store_col_int(st, 1) != 0;
        *rated = store_col_int(st, 2) != 0;
    }
    store_stmt_close(st);
    if (rc == STORE_DONE)
        return accord_fail(ACCORD_ERULE, "provision", "provision: %s has submitted no report on provision %lld", party,
                           (long long)provision);
    return rc < 0 ? rc : ACCORD_OK;
}

int implementation_apply_report_returned(store *db, int64_t seq, json_t *data, bool replay)
{
    static const char *const keys[] = {"instrument", "cycle", "party", "provision", "version", "comments", NULL};
    const char *slug, *cycle, *party, *comments;
    int64_t provision, version;
    bool returned, rated;
    (void)seq;
    int rc = json_only_keys(data, keys, NULL);
    if (!rc) rc = report_target(db, data, &slug, &cycle, &party, &provision);
    if (!rc) rc = json_get_string(data, "comments", true, IMPLEMENTATION_MAX_NARRATIVE, &comments);
    if (!rc) rc = submitted_version(db, slug, cycle, party, provision, &version, &returned, &rated);
    if (rc)
        return rc;
    if (returned || rated)
        return accord_fail(ACCORD_ECONFLICT, "provision", "provision: version %lld was already %s", (long long)version,
                           returned ? "returned" : "rated");
    if (!replay)
        json_object_set_new(data, "version", json_integer(version));
    return ACCORD_OK;
}

int implementation_apply_return_public(store *db, int64_t seq, json_t *fields, bool replay)
{
    (void)replay;
    return record_public_fact(db, seq, fields,
                              "INSERT INTO review (instrument, cycle, party, provision, version, outcome, seq)"
                              " VALUES (?, ?, ?, ?, ?, 'returned', ?)");
}

static bool rating_valid(const char *r)
{
    static const char *const scale[] = {"implemented", "largely_implemented", "partly_implemented", "not_implemented"};
    for (size_t i = 0; i < sizeof scale / sizeof scale[0]; i++)
        if (strcmp(r, scale[i]) == 0)
            return true;
    return false;
}

int implementation_apply_report_rated(store *db, int64_t seq, json_t *data, bool replay)
{
    static const char *const keys[] = {"instrument", "cycle", "party", "provision", "version", "rating", "rationale",
                                       NULL};
    const char *slug, *cycle, *party, *rating, *rationale;
    int64_t provision, version;
    bool returned, rated;
    int rc = json_only_keys(data, keys, NULL);
    if (!rc) rc = report_target(db, data, &slug, &cycle, &party, &provision);
    if (!rc) rc = json_get_string(data, "rating", true, 40, &rating);
    if (!rc && !rating_valid(rating))
        rc = accord_fail(ACCORD_EINVAL, "rating", "rating: one of " IMPLEMENTATION_RATINGS);
    if (!rc) rc = json_get_string(data, "rationale", true, IMPLEMENTATION_MAX_NARRATIVE, &rationale);
    if (!rc) rc = submitted_version(db, slug, cycle, party, provision, &version, &returned, &rated);
    if (rc)
        return rc;
    if (returned)
        return accord_fail(ACCORD_ECONFLICT, "provision", "provision: version %lld was returned to its party",
                           (long long)version);
    /* A re-rating is a new row: the history is kept. */
    if (!replay)
        json_object_set_new(data, "version", json_integer(version));
    int64_t logged;
    if ((rc = json_get_int(data, "version", true, 1, INT64_MAX, 0, &logged)))
        return rc;
    if (logged != version)
        return accord_fail(ACCORD_EVERIFY, "version", "the logged rating names version %lld, not %lld",
                           (long long)logged, (long long)version);
    rc = store_run(db,
                   "INSERT INTO review (instrument, cycle, party, provision, version, outcome, seq)"
                   " VALUES (?, ?, ?, ?, ?, 'rated', ?)",
                   "sssiii", slug, cycle, party, provision, version, seq);
    if (!rc)
        rc = store_run(db,
                       "INSERT INTO rating (instrument, cycle, party, provision, version, rating, rationale, seq)"
                       " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                       "sssiissi", slug, cycle, party, provision, version, rating, rationale, seq);
    return rc ? rc : keep_latest_cell(db, true, slug, cycle, party, provision, rating, seq);
}

int implementation_ratings(store *db, const char *slug, const char *cycle, json_t **out)
{
    store_stmt *st;
    int rc = cycle_query(db, &st, slug, cycle,
                         "SELECT g.party, g.provision, g.version, g.rating, g.rationale, e.at FROM rating g"
                         " JOIN event e ON e.seq = g.seq WHERE g.instrument = ? AND g.cycle = ?"
                         " ORDER BY g.party, g.provision, g.seq");
    if (rc)
        return rc;
    /* One entry per party and provision: the latest rating, with the
     * earlier ones as its history. */
    json_t *list = json_array(), *cur = NULL;
    while ((rc = store_step(st)) == STORE_ROW) {
        const char *party = store_col_text(st, 0);
        json_int_t provision = store_col_int(st, 1);
        json_t *r = json_pack("{s:I, s:s, s:s, s:s}", "version", (json_int_t)store_col_int(st, 2), "rating",
                              store_col_text(st, 3), "rationale", store_col_text(st, 4), "rated_at",
                              store_col_text(st, 5));
        if (!cur || strcmp(json_string_value(json_object_get(cur, "party")), party) ||
            json_integer_value(json_object_get(cur, "provision")) != provision) {
            cur = json_pack("{s:s, s:I, s:[]}", "party", party, "provision", provision, "history");
            json_array_append_new(list, cur);
        }
        json_array_append(json_object_get(cur, "history"), r);
        json_object_set_new(cur, "latest", r);
    }
    store_stmt_close(st);
    if (rc < 0) {
        json_decref(list);
        return rc;
    }
    *out = list;
    return ACCORD_OK;
}
