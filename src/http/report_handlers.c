/* Reporting cycles, draft reports and revealing restricted log entries. */
#include <errno.h>
#include <stdbool.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bulk/bulk.h"
#include "events/events.h"
#include "http/handlers.h"
#include "implementation/implementation.h"
#include "ledger/ledger.h"
#include "util/clock.h"
#include "util/date.h"
#include "util/error.h"
#include "util/json.h"

int http_get_cycles(http_req *req)
{
    json_t *list;
    int rc = implementation_list_cycles(req->db, req->params[0], &list);
    if (!rc)
        req->json = json_pack("{s:s, s:o}", "instrument", req->params[0], "cycles", list);
    return rc;
}

/* The JSON body of a write under /instruments/{slug}[/cycles/{cycle}]:
 * refuses keys outside 'allowed', then adds the instrument (and, with
 * 'under_cycle', the cycle) that the path names. Caller decrefs '*out'. */
static int body_for_event(http_req *req, const char *const *allowed, bool under_cycle, json_t **out)
{
    int rc = http_json_body(req, out);
    if (rc)
        return rc;
    if ((rc = json_only_keys(*out, allowed, NULL))) {
        json_decref(*out);
        return rc;
    }
    json_object_set_new(*out, "instrument", json_string(req->params[0]));
    if (under_cycle)
        json_object_set_new(*out, "cycle", json_string(req->params[1]));
    return ACCORD_OK;
}

int http_post_cycles(http_req *req)
{
    static const char *const keys[] = {"code", "name", "opens_on", "due_on", NULL};
    json_t *data;
    uint64_t seq;
    int rc = body_for_event(req, keys, false, &data);
    if (rc)
        return rc;
    rc = http_submit_event(req, "cycle.opened", data, &seq);
    if (!rc) {
        req->status = 201;
        json_object_set_new(data, "log_index", json_integer((json_int_t)seq));
        req->json = json_incref(data);
    }
    json_decref(data);
    return rc;
}

int http_party_from_body(http_req *req, char *out, size_t len)
{
    json_t *data;
    const char *party;
    int rc = http_json_body(req, &data);
    if (rc)
        return rc;
    rc = json_get_string(data, "party", true, 64, &party);
    if (!rc)
        snprintf(out, len, "%s", party);
    json_decref(data);
    return rc;
}

int http_party_from_query(http_req *req, char *out, size_t len)
{
    const char *party = http_query(req, "party");
    if (!party || !*party)
        return accord_fail(ACCORD_EINVAL, "party", "give the party in the query: ?party=CODE");
    if (strlen(party) >= len)
        return accord_fail(ACCORD_EINVAL, "party", "party code too long");
    snprintf(out, len, "%s", party);
    return ACCORD_OK;
}

int http_party_from_path(http_req *req, char *out, size_t len)
{
    snprintf(out, len, "%s", req->params[2]);
    return ACCORD_OK;
}

/* Entry index {index} of the path, in canonical decimal. */
static int path_index(http_req *req, uint64_t *out)
{
    const char *s = req->params[0];
    char *end;
    errno = 0;
    *out = strtoull(s, &end, 10);
    if (!*s || *end || *s < '0' || *s > '9' || (s[0] == '0' && s[1]))
        return accord_fail(ACCORD_ENOTFOUND, "index", "no log entry '%s'", s);
    if (errno == ERANGE || *out > INT64_MAX)
        return accord_fail(ACCORD_EINVAL, "index", "index: %s is out of range (at most %lld)", s, (long long)INT64_MAX);
    return ACCORD_OK;
}

/* The party named in the public leaf of restricted entry {index}. */
int http_party_from_restricted(http_req *req, char *out, size_t len)
{
    uint64_t index;
    int bad = path_index(req, &index);
    if (bad)
        return bad;
    buf leaf;
    buf_init(&leaf, LEDGER_MAX_EVENT);
    json_t *ev = NULL;
    int rc = ledger_entry(req->db, index, &leaf);
    if (!rc)
        rc = json_parse_object(leaf.data, leaf.len, &ev);
    const char *party = json_string_value(json_object_get(json_object_get(ev, "restricted"), "party"));
    if (!rc && !party)
        rc = accord_fail(ACCORD_ENOTFOUND, "index", "log entry %llu is not a restricted entry of a party",
                         (unsigned long long)index);
    if (!rc)
        snprintf(out, len, "%s", party);
    json_decref(ev);
    buf_free(&leaf);
    return rc;
}

int http_post_report_draft(http_req *req)
{
    static const char *const keys[] = {"party", "provision", "status", "narrative", "measures", "evidence",
                                       "assistance_needs", "attachments", NULL};
    json_t *data;
    uint64_t seq;
    int rc = body_for_event(req, keys, true, &data);
    if (rc)
        return rc;
    rc = http_submit_event(req, "report.drafted", data, &seq);
    if (!rc) {
        req->status = 201;
        req->json = json_pack("{s:I, s:O, s:O, s:O, s:s}", "log_index", (json_int_t)seq, "party",
                              json_object_get(data, "party"), "provision", json_object_get(data, "provision"),
                              "version", json_object_get(data, "version"), "visibility",
                              "restricted: the public log holds only a salted commitment to this draft");
    }
    json_decref(data);
    return rc;
}

int http_get_report_drafts(http_req *req)
{
    json_t *list;
    int rc = implementation_drafts(req->db, req->params[0], req->params[1], req->params[2], &list);
    req->cache_control = "private, no-store";
    if (!rc)
        req->json = json_pack("{s:s, s:s, s:s, s:o}", "instrument", req->params[0], "cycle", req->params[1], "party",
                              req->params[2], "drafts", list);
    return rc;
}

int http_get_restricted(http_req *req)
{
    uint64_t index;
    uint8_t salt[EVENTS_SALT_SIZE];
    if (path_index(req, &index))
        return ACCORD_ENOTFOUND;
    buf full, leaf;
    buf_init(&full, LEDGER_MAX_EVENT);
    buf_init(&leaf, LEDGER_MAX_EVENT);
    int rc = events_reveal(req->db, index, salt, &full);
    if (!rc)
        rc = ledger_entry(req->db, index, &leaf);
    if (!rc) {
        char b64[sodium_base64_ENCODED_LEN(EVENTS_SALT_SIZE, sodium_base64_VARIANT_ORIGINAL)];
        sodium_bin2base64(b64, sizeof b64, salt, sizeof salt, sodium_base64_VARIANT_ORIGINAL);
        req->json = json_pack("{s:I, s:s, s:s%, s:s%, s:s}", "index", (json_int_t)index, "salt", b64, "entry",
                              full.data, full.len, "public_entry", leaf.data, leaf.len, "check",
                              "SHA-256(base64-decoded salt || entry bytes) equals public_entry.restricted.commitment;"
                              " 'accord log check-reveal FILE' does it");
        req->cache_control = "private, no-store";
    }
    sodium_memzero(salt, sizeof salt);
    buf_free(&full);
    buf_free(&leaf);
    return rc;
}

/* POST .../submissions and .../releases: {party, provision}. */
static int report_step(http_req *req, const char *type, const char *done)
{
    static const char *const keys[] = {"party", "provision", NULL};
    json_t *data;
    uint64_t seq;
    int rc = body_for_event(req, keys, true, &data);
    if (rc)
        return rc;
    rc = http_submit_event(req, type, data, &seq);
    if (!rc) {
        req->status = 201;
        req->json = json_pack("{s:I, s:O, s:O, s:O, s:s}", "log_index", (json_int_t)seq, "party",
                              json_object_get(data, "party"), "provision", json_object_get(data, "provision"),
                              "version", json_object_get(data, "version"), "state", done);
    }
    json_decref(data);
    return rc;
}

int http_post_submission(http_req *req) { return report_step(req, "report.submitted", "submitted"); }
int http_post_release(http_req *req) { return report_step(req, "report.released", "released"); }

/* ?as_of= (within the dates the server answers for), or today (UTC)
 * written into 'today'. */
static int as_of_or_today(http_req *req, char today[11], const char **as_of)
{
    int rc = http_query_date(req, "as_of", as_of);
    if (!rc && !*as_of) {
        clock_today(today);
        *as_of = today;
    }
    return rc;
}

int http_get_progress(http_req *req)
{
    char today[11];
    const char *as_of;
    int rc = as_of_or_today(req, today, &as_of);
    return rc ? rc : implementation_progress(req->db, req->params[0], req->params[1], as_of, &req->json);
}

int http_get_released(http_req *req)
{
    json_t *list;
    int rc = implementation_released(req->db, req->params[0], req->params[1], &list);
    if (rc)
        return rc;
    char stem[160];
    snprintf(stem, sizeof stem, "%s-%s-published", req->params[0], req->params[1]);
    json_t *v = json_pack("{s:s, s:s, s:o}", "instrument", req->params[0], "cycle", req->params[1], "reports", list);
    return http_reply_export(req, v, list, bulk_released_table, stem);
}

/* POST .../reviews: {party, provision, outcome: "returned", comments} or
 * {party, provision, outcome: "rated", rating, rationale}. */
int http_post_review(http_req *req)
{
    static const char *const keys[] = {"party", "provision", "outcome", "comments", "rating", "rationale", NULL};
    json_t *data;
    const char *outcome;
    uint64_t seq;
    int rc = body_for_event(req, keys, true, &data);
    if (rc)
        return rc;
    rc = json_get_string(data, "outcome", true, 20, &outcome);
    const char *type = NULL;
    if (!rc && strcmp(outcome, "returned") == 0)
        type = "report.returned";
    else if (!rc && strcmp(outcome, "rated") == 0)
        type = "report.rated";
    else if (!rc)
        rc = accord_fail(ACCORD_EINVAL, "outcome", "outcome: returned (with comments) or rated (with rating and rationale)");
    if (!rc) {
        json_object_del(data, "outcome"); /* chooses the event; not part of it */
        rc = http_submit_event(req, type, data, &seq);
    }
    if (!rc) {
        req->status = 201;
        json_object_set_new(data, "outcome", json_string(strcmp(type, "report.rated") ? "returned" : "rated"));
        json_object_set_new(data, "log_index", json_integer((json_int_t)seq));
        if (strcmp(type, "report.returned") == 0)
            json_object_del(data, "comments"); /* restricted: not echoed into caches or logs */
        req->json = json_incref(data);
    }
    json_decref(data);
    return rc;
}

int http_get_ratings(http_req *req)
{
    json_t *list;
    int rc = implementation_ratings(req->db, req->params[0], req->params[1], &list);
    if (!rc)
        req->json = json_pack("{s:s, s:s, s:s, s:o}", "instrument", req->params[0], "cycle", req->params[1], "scale",
                              IMPLEMENTATION_RATINGS, "ratings", list);
    return rc;
}

int http_get_matrix(http_req *req)
{
    char today[11];
    const char *as_of;
    int rc = as_of_or_today(req, today, &as_of);
    if (rc)
        return rc;
    const char *format = http_query(req, "format"), *cycle = http_query(req, "cycle"), *group = http_query(req, "group"),
               *region = http_query(req, "region");
    if (!format || strcmp(format, "json") == 0) {
        /* The common answer is written as text directly: the matrix is the
         * largest view. */
        if (format) {
            char name[160];
            snprintf(name, sizeof name, "%s-matrix-%s.json", req->params[0], as_of);
            http_set_download(req, name);
        }
        req->content_type = "application/json";
        return implementation_matrix(req->db, req->params[0], cycle, group, region, as_of, &req->text);
    }
    json_t *m;
    rc = implementation_matrix_json(req->db, req->params[0], cycle, group, region, as_of, &m);
    if (rc)
        return rc;
    char stem[160];
    snprintf(stem, sizeof stem, "%s-matrix-%s", req->params[0], as_of);
    return http_reply_export(req, m, m, bulk_matrix_table, stem);
}

int http_get_summary(http_req *req)
{
    char today[11];
    const char *as_of;
    int rc = as_of_or_today(req, today, &as_of);
    if (rc)
        return rc;
    return implementation_summary(req->db, req->params[0], http_query(req, "by"), http_query(req, "cycle"), as_of,
                                  &req->json);
}

int http_get_trajectory(http_req *req)
{
    char today[11];
    const char *as_of;
    int rc = as_of_or_today(req, today, &as_of);
    return rc ? rc : implementation_trajectory(req->db, req->params[0], as_of, &req->json);
}
