#include "implementation/implementation.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "depositary/depositary.h"
#include "events/appliers.h"
#include "registry/registry.h"
#include "store/row_json.h"
#include "util/date.h"
#include "util/error.h"
#include "util/json.h"

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
    store_stmt *st;
    rc = store_query(db, &st, "SELECT 1 FROM cycle WHERE instrument = ? AND code = ?", "ss", slug, code);
    if (!rc) {
        rc = store_step(st);
        store_stmt_close(st);
    }
    if (rc == STORE_ROW)
        return accord_fail(ACCORD_ECONFLICT, "code", "code: cycle '%s' of '%s' already exists", code, slug);
    if (rc < 0)
        return rc;
    return store_run(db, "INSERT INTO cycle (instrument, code, name, opens_on, due_on, seq) VALUES (?, ?, ?, ?, ?, ?)",
                     "sssssi", slug, code, name, opens, due, seq);
}

static bool status_valid(const char *s)
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
static int cycle_opens(store *db, const char *slug, const char *code, char opens[11])
{
    store_stmt *st;
    int rc = store_query(db, &st, "SELECT opens_on FROM cycle WHERE instrument = ? AND code = ?", "ss", slug, code);
    if (rc)
        return rc;
    rc = store_step(st);
    if (rc == STORE_ROW)
        snprintf(opens, 11, "%s", store_col_text(st, 0));
    store_stmt_close(st);
    if (rc == STORE_DONE)
        return accord_fail(ACCORD_ENOTFOUND, "cycle", "cycle: no cycle '%s' of '%s'", code, slug);
    return rc < 0 ? rc : ACCORD_OK;
}

int implementation_apply_report_drafted(store *db, int64_t seq, json_t *data, bool replay)
{
    static const char *const keys[] = {"instrument", "cycle", "party", "provision", "status", "narrative",
                                       "measures", "evidence", "assistance_needs", "version", NULL};
    const char *slug, *cycle, *party, *status, *narrative, *measures, *needs;
    int64_t provision;
    char opens[11];
    int rc = json_only_keys(data, keys, NULL);
    if (!rc) rc = json_get_string(data, "instrument", true, 64, &slug);
    if (!rc) rc = json_get_string(data, "cycle", true, 40, &cycle);
    if (!rc) rc = json_get_string(data, "party", true, 64, &party);
    if (!rc) rc = json_get_int(data, "provision", true, 1, 10000, 0, &provision);
    if (!rc) rc = json_get_string(data, "status", true, 40, &status);
    if (!rc && !status_valid(status))
        rc = accord_fail(ACCORD_EINVAL, "status", "status: one of " IMPLEMENTATION_STATUSES);
    if (!rc) rc = json_get_string(data, "narrative", false, IMPLEMENTATION_MAX_NARRATIVE, &narrative);
    if (!rc) rc = json_get_string(data, "measures", false, IMPLEMENTATION_MAX_NARRATIVE, &measures);
    if (!rc) rc = json_get_string(data, "assistance_needs", false, IMPLEMENTATION_MAX_NARRATIVE, &needs);
    if (!rc) rc = check_evidence(data);
    if (!rc) rc = cycle_opens(db, slug, cycle, opens);
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
    store_stmt *st;
    rc = store_query(db, &st, "SELECT text_status FROM provision WHERE instrument = ? AND number = ?", "si", slug,
                     provision);
    if (!rc) {
        rc = store_step(st);
        store_stmt_close(st);
    }
    if (rc == STORE_DONE)
        return accord_fail(ACCORD_ERULE, "provision", "provision: %s has no provision %lld", slug, (long long)provision);
    if (rc < 0)
        return rc;
    /* Each edit is a new version; the number is logged (privately). */
    int64_t version = 1;
    rc = store_query(db, &st,
                     "SELECT coalesce(max(version), 0) + 1 FROM report_draft"
                     " WHERE instrument = ? AND cycle = ? AND party = ? AND provision = ?",
                     "sssi", slug, cycle, party, provision);
    if (!rc) {
        if (store_step(st) == STORE_ROW)
            version = store_col_int(st, 0);
        store_stmt_close(st);
    }
    if (rc)
        return rc;
    if (!replay)
        json_object_set_new(data, "version", json_integer(version));
    char *content = json_dumps(data, JSON_COMPACT | JSON_SORT_KEYS);
    rc = store_run(db,
                   "INSERT INTO report_draft (instrument, cycle, party, provision, version, status, content, seq)"
                   " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                   "sssiissi", slug, cycle, party, provision, version, status, content, seq);
    free(content);
    return rc;
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

int implementation_drafts(store *db, const char *slug, const char *cycle, const char *party, json_t **out)
{
    store_stmt *st;
    char opens[11], opened[11];
    int rc = registry_instrument_opened(db, slug, "slug", opened);
    if (!rc) rc = cycle_opens(db, slug, cycle, opens);
    if (!rc) rc = registry_party_require(db, party, "party");
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
    json_t *list = json_array();
    while ((rc = store_step(st)) == STORE_ROW)
        json_array_append_new(list, json_loads(store_col_text(st, 0), 0, NULL));
    store_stmt_close(st);
    if (rc < 0) {
        json_decref(list);
        return rc;
    }
    *out = list;
    return ACCORD_OK;
}
