/* Handlers of the capacity-building and coordination routes
 * (/api/v1/assistance/...): thin adapters to src/assistance/. Who may see
 * which need is decided in access.c (http_assistance_viewer and the
 * route rules); the views apply it. */
#include <stdio.h>
#include <string.h>

#include "assistance/assistance.h"
#include "http/assistance_handlers.h"
#include "http/handlers.h"
#include "store/lookup.h"
#include "util/clock.h"
#include "util/error.h"
#include "util/json.h"

#define SYNTHETIC_NOTE                                                                                          \
    "Records marked synthetic: true come from a synthetic demonstration data set "                             \
    "(data/assistance.synthetic.json): they are made up, not real needs, offers or activities."

static void filter_from_query(http_req *req, assistance_filter *f)
{
    f->country = http_query(req, "country");
    f->entity = http_query(req, "entity");
    f->group = http_query(req, "group");
    f->region = http_query(req, "region");
    f->status = http_query(req, "status");
    f->access = http_query(req, "access");
}

/* True when any record of 'rows' (an array) is synthetic. */
static bool any_synthetic(const json_t *rows)
{
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r) if (json_is_true(json_object_get(r, "synthetic"))) return true;
    return false;
}

/* What a signed-in caller reads may hold needs others may not see: it
 * must not be stored, nor answered from an ETag shared with the public. */
static void private_if_signed_in(http_req *req)
{
    if (req->who)
        req->cache_control = "private, no-store";
}

/* Replies with list 'rows' (taken) under 'key': JSON, or with
 * ?format=csv the HXL CSV of layout 'kind' as a download. A list holding
 * synthetic records says so in a note (JSON) or the file name (CSV). */
static int reply_list(http_req *req, int rc, const char *key, const char *kind, json_t *rows)
{
    if (rc)
        return rc;
    private_if_signed_in(req);
    const char *format = http_query(req, "format");
    bool synthetic = any_synthetic(rows);
    if (format && strcmp(format, "csv") == 0) {
        rc = assistance_hxl(kind, rows, &req->text);
        req->content_type = "text/csv; charset=utf-8";
        char name[64];
        snprintf(name, sizeof name, "%s%s.hxl.csv", kind, synthetic ? "-with-synthetic" : "");
        http_set_download(req, name);
        json_decref(rows);
        return rc;
    }
    if (format && strcmp(format, "json")) {
        json_decref(rows);
        return accord_fail(ACCORD_EINVAL, "format", "format: must be json or csv (HXL)");
    }
    req->json = json_pack("{s:o}", key, rows);
    if (synthetic)
        json_object_set_new(req->json, "note", json_string(SYNTHETIC_NOTE));
    return ACCORD_OK;
}

/* Replies with object 'v' (taken), noting synthetic content. */
static int reply_object(http_req *req, int rc, json_t *v)
{
    if (rc)
        return rc;
    private_if_signed_in(req);
    char *text = json_dumps(v, JSON_COMPACT);
    if (text && strstr(text, "\"synthetic\":true"))
        json_object_set_new(v, "note", json_string(SYNTHETIC_NOTE));
    free(text);
    req->json = v;
    return ACCORD_OK;
}

/* Records 'type' with the body (allowed keys 'keys', 'extra' added) and
 * replies 201 with its log index and id. */
static int post_event(http_req *req, const char *type, const char *const *keys, const char *location)
{
    json_t *data;
    int rc = http_json_body(req, &data);
    if (rc)
        return rc;
    rc = json_only_keys(data, keys, NULL);
    if (!rc && !type)
        type = assistance_need_event(data);
    uint64_t seq = 0;
    if (!rc)
        rc = http_submit_event(req, type, data, &seq);
    if (!rc) {
        req->status = 201;
        json_t *id = json_object_get(data, "id") ? json_object_get(data, "id") : json_object_get(data, "code");
        req->json = json_pack("{s:s, s:O, s:I}", "type", type, "id", id ? id : json_null(), "log_index",
                              (json_int_t)seq);
        if (location && json_is_string(id))
            snprintf(req->location, sizeof req->location, "%s/%s", location, json_string_value(id));
    }
    json_decref(data);
    return rc;
}

/* ---- entities and offices ------------------------------------------------- */

int http_get_assistance_entities(http_req *req)
{
    assistance_filter f = {0};
    filter_from_query(req, &f);
    json_t *v = NULL;
    int rc = assistance_entities(req->db, &f, &v);
    return reply_list(req, rc, "entities", "entities", v);
}

int http_get_assistance_entity(http_req *req)
{
    json_t *v = NULL;
    int rc = assistance_entity(req->db, req->params[0], &v);
    return reply_object(req, rc, v);
}

int http_post_assistance_entity(http_req *req)
{
    static const char *const keys[] = {"code", "kind", "name", "party", "org_type", "compact", "source", NULL};
    return post_event(req, "entity.recorded", keys, "/api/v1/assistance/entities");
}

int http_get_assistance_offices(http_req *req)
{
    assistance_filter f = {0};
    filter_from_query(req, &f);
    json_t *v = NULL;
    int rc = assistance_offices(req->db, &f, &v);
    return reply_list(req, rc, "offices", "offices", v);
}

int http_post_assistance_office(http_req *req)
{
    static const char *const keys[] = {"code", "kind", "name", "country", "subdivision", "covers", "source", NULL};
    return post_event(req, "office.recorded", keys, NULL);
}

int http_get_assistance_by_entity(http_req *req)
{
    const char *entity = http_query(req, "entity");
    if (!entity)
        return accord_fail(ACCORD_EINVAL, "entity", "give ?entity=unodc or one office, ?entity=unodc/almaty");
    json_t *v = NULL;
    int rc = assistance_by_entity(req->db, entity, &v);
    return reply_object(req, rc, v);
}

/* ---- needs -------------------------------------------------------------------- */

int http_get_assistance_needs(http_req *req)
{
    assistance_filter f = {0};
    assistance_viewer viewer;
    filter_from_query(req, &f);
    http_assistance_viewer(req, &viewer);
    json_t *v = NULL;
    int rc = assistance_needs(req->db, &viewer, &f, &v);
    return reply_list(req, rc, "needs", "needs", v);
}

int http_get_assistance_need(http_req *req)
{
    assistance_viewer viewer;
    http_assistance_viewer(req, &viewer);
    json_t *v = NULL;
    int rc = assistance_need(req->db, &viewer, req->params[0], &v);
    return reply_object(req, rc, v);
}

int http_get_assistance_matches(http_req *req)
{
    assistance_viewer viewer;
    http_assistance_viewer(req, &viewer);
    json_t *v = NULL;
    int rc = assistance_matches(req->db, &viewer, req->params[0], &v);
    return reply_object(req, rc, v);
}

int http_post_assistance_need(http_req *req)
{
    static const char *const keys[] = {"id", "beneficiary", "access", "title", "body", "instrument", "provisions",
                                       "thematic", "sdg", "gcts", "unsc", "priority", "languages", "period", NULL};
    return post_event(req, NULL, keys, "/api/v1/assistance/needs");
}

int http_need_from_report(store *db, const json_t *body, json_t **out)
{
    static const char *const keys[] = {"instrument", "cycle", "party", "provision", "id", "access", "title",
                                       "thematic", "sdg", "gcts", "unsc", "priority", "languages", "period", NULL};
    const char *instrument, *cycle, *party;
    int64_t provision;
    *out = NULL;
    int rc = json_only_keys(body, keys, NULL);
    if (!rc) rc = json_get_string(body, "instrument", true, 64, &instrument);
    if (!rc) rc = json_get_string(body, "cycle", true, 64, &cycle);
    if (!rc) rc = json_get_string(body, "party", true, 16, &party);
    if (!rc) rc = json_get_int(body, "provision", true, 1, 1000, 0, &provision);
    json_t *need = rc ? NULL : json_deep_copy(body);
    if (!need)
        return rc ? rc : accord_fail(ACCORD_ENOMEM, NULL, "out of memory");
    static const char *const drop[] = {"cycle", "party", "provision", NULL};
    for (const char *const *d = drop; *d; d++)
        json_object_del(need, *d);
    json_object_set_new(need, "beneficiary", json_string(party));
    if (!json_object_get(need, "title")) {
        char title[160];
        snprintf(title, sizeof title, "Assistance needed on provision %lld (report of %s, cycle %s)",
                 (long long)provision, party, cycle);
        json_set_str(need, "title", title);
    }
    if (!json_object_get(need, "access"))
        json_set_str(need, "access", "restricted");
    if (!json_object_get(need, "priority"))
        json_set_str(need, "priority", "medium");
    rc = assistance_need_from_report(db, instrument, cycle, party, provision, need);
    if (rc)
        json_decref(need);
    else
        *out = need;
    return rc;
}

int http_post_assistance_need_from_report(http_req *req)
{
    json_t *body, *need = NULL;
    int rc = http_json_body(req, &body);
    if (rc)
        return rc;
    rc = http_need_from_report(req->db, body, &need);
    const char *type = need ? assistance_need_event(need) : NULL;
    uint64_t seq = 0;
    if (!rc)
        rc = http_submit_event(req, type, need, &seq);
    if (!rc) {
        req->status = 201;
        req->json = json_pack("{s:s, s:O, s:O, s:I}", "type", type, "id", json_object_get(need, "id"), "access",
                              json_object_get(need, "access"), "log_index", (json_int_t)seq);
        snprintf(req->location, sizeof req->location, "/api/v1/assistance/needs/%s",
                 json_string_value(json_object_get(need, "id")));
    }
    json_decref(need);
    json_decref(body);
    return rc;
}

/* Builds the activity that links the need in the path to the offer in
 * the body (assistance_link); '*out' is new, the caller decrefs. */
static int link_from_body(http_req *req, json_t **out)
{
    json_t *body = NULL;
    *out = NULL;
    int rc = http_json_body(req, &body);
    if (!rc) rc = assistance_link(req->db, req->params[0], body, out);
    json_decref(body);
    return rc;
}

int http_post_assistance_need_link(http_req *req)
{
    json_t *act;
    uint64_t seq = 0;
    int rc = link_from_body(req, &act);
    if (!rc) rc = http_submit_event(req, "activity.recorded", act, &seq);
    if (!rc) {
        req->status = 201;
        req->json = json_pack("{s:s, s:O, s:s, s:O, s:I}", "type", "activity.recorded", "id",
                              json_object_get(act, "id"), "need", req->params[0], "offer",
                              json_object_get(act, "offer"), "log_index", (json_int_t)seq);
    }
    json_decref(act);
    return rc;
}

/* ---- offers and activities ------------------------------------------------------ */

int http_get_assistance_offers(http_req *req)
{
    assistance_filter f = {0};
    filter_from_query(req, &f);
    json_t *v = NULL;
    int rc = assistance_offers(req->db, &f, &v);
    return reply_list(req, rc, "offers", "offers", v);
}

int http_post_assistance_offer(http_req *req)
{
    static const char *const keys[] = {"id", "provider", "title", "body", "instrument", "provisions", "thematic",
                                       "sdg", "gcts", "unsc", "countries", "regions", "modalities", "languages",
                                       "period", "budget", NULL};
    return post_event(req, "offer.recorded", keys, NULL);
}

int http_get_assistance_activities(http_req *req)
{
    assistance_filter f = {0};
    assistance_viewer viewer;
    filter_from_query(req, &f);
    http_assistance_viewer(req, &viewer);
    json_t *v = NULL;
    int rc = assistance_activities(req->db, &viewer, &f, &v);
    const char *format = http_query(req, "format");
    if (!rc && format && strcmp(format, "iati") == 0) {
        private_if_signed_in(req);
        char now[21];
        clock_now_rfc3339(now);
        rc = assistance_iati(v, now, &req->text);
        req->content_type = "application/xml; charset=utf-8";
        http_set_download(req, any_synthetic(v) ? "activities-with-synthetic.iati.xml" : "activities.iati.xml");
        json_decref(v);
        return rc;
    }
    return reply_list(req, rc, "activities", "activities", v);
}

int http_post_assistance_activity(http_req *req)
{
    static const char *const keys[] = {"id", "title", "body", "implementing", "programming", "funder", "country",
                                       "subdivision", "instrument", "provisions", "thematic", "sdg", "gcts", "unsc",
                                       "status", "planned_start", "planned_end", "actual_start", "actual_end",
                                       "needs", "offer", "meeting", NULL};
    return post_event(req, "activity.recorded", keys, NULL);
}

/* ---- coordination views --------------------------------------------------------- */

int http_get_assistance_country(http_req *req)
{
    assistance_viewer viewer;
    http_assistance_viewer(req, &viewer);
    json_t *v = NULL;
    int rc = assistance_country(req->db, &viewer, req->params[0], &v);
    return reply_object(req, rc, v);
}

int http_get_assistance_gaps(http_req *req)
{
    assistance_filter f = {0};
    assistance_viewer viewer;
    filter_from_query(req, &f);
    http_assistance_viewer(req, &viewer);
    json_t *v = NULL;
    int rc = assistance_gaps(req->db, &viewer, &f, &v);
    const char *format = http_query(req, "format");
    if (!rc && format && strcmp(format, "csv") == 0) {
        /* One sheet: each gap names its kind in its first column. */
        json_t *rows = json_array();
        json_array_extend(rows, json_object_get(v, "needs_without_activity"));
        json_array_extend(rows, json_object_get(v, "provisions_with_few_providers"));
        json_array_extend(rows, json_object_get(v, "countries_without_office"));
        json_decref(v);
        return reply_list(req, rc, "gaps", "gaps", rows);
    }
    return reply_object(req, rc, v);
}

int http_get_assistance_matrix(http_req *req)
{
    assistance_filter f = {0};
    assistance_viewer viewer;
    filter_from_query(req, &f);
    http_assistance_viewer(req, &viewer);
    json_t *v = NULL;
    int rc = assistance_matrix(req->db, &viewer, &f, &v);
    return reply_list(req, rc, "cells", "matrix", v);
}

int http_get_assistance_overlaps(http_req *req)
{
    assistance_filter f = {0};
    filter_from_query(req, &f);
    json_t *v = NULL;
    int rc = assistance_overlaps(req->db, &f, &v);
    return reply_list(req, rc, "overlaps", "overlaps", v);
}

int http_get_assistance_framework(http_req *req)
{
    assistance_viewer viewer;
    http_assistance_viewer(req, &viewer);
    json_t *v = NULL;
    int rc = assistance_framework_item(req->db, &viewer, req->params[0], req->params[1], &v);
    return reply_object(req, rc, v);
}

int http_post_assistance_framework_link(http_req *req)
{
    static const char *const keys[] = {"instrument", "provision", "framework", "code", "source", NULL};
    return post_event(req, "framework.linked", keys, NULL);
}

int http_get_assistance_meetings(http_req *req)
{
    json_t *v = NULL;
    int rc = assistance_meetings(req->db, http_query(req, "party"), &v);
    if (rc)
        return rc;
    req->json = json_pack("{s:o}", "events", v);
    if (any_synthetic(v))
        json_object_set_new(req->json, "note", json_string(SYNTHETIC_NOTE));
    return ACCORD_OK;
}

int http_post_assistance_meeting(http_req *req)
{
    static const char *const keys[] = {"id", "date", "date_precision", "title", "place", "organizer",
                                       "instruments", "participants", "note", "source", NULL};
    return post_event(req, "meeting.recorded", keys, NULL);
}

/* ---- resolvers for the access rules -------------------------------------------- */

int http_need_access(http_req *req, char *out, size_t len)
{
    char access[16], party[16];
    int rc = assistance_need_access(req->db, req->params[0], access, party);
    if (rc)
        return rc;
    if (strcmp(access, "public") == 0)
        snprintf(out, len, "%s", HTTP_PARTY_PUBLIC);
    else
        snprintf(out, len, "%s%c%s", access, HTTP_NEED_SEPARATOR, party);
    return ACCORD_OK;
}

int http_need_linker(http_req *req, char *out, size_t len)
{
    char access[16], party[16];
    json_t *act = NULL;
    int rc = assistance_need_access(req->db, req->params[0], access, party);
    if (!rc) rc = link_from_body(req, &act);
    if (!rc) {
        snprintf(out, len, "%s%c%s%c%s", access, HTTP_NEED_SEPARATOR, party, HTTP_LINK_SEPARATOR,
                 json_string_value(json_object_get(act, "implementing")));
        json_decref(act);
    }
    return rc;
}

/* The string field 'key' of the body into 'out'. */
static int body_field(http_req *req, const char *key, char *out, size_t len)
{
    json_t *data;
    const char *v;
    int rc = http_json_body(req, &data);
    if (rc)
        return rc;
    rc = json_get_string(data, key, true, len - 1, &v);
    if (!rc)
        snprintf(out, len, "%s", v);
    json_decref(data);
    return rc;
}

int http_need_beneficiary(http_req *req, char *out, size_t len)
{
    json_t *data;
    int rc = http_json_body(req, &data);
    if (rc)
        return rc;
    bool has = json_object_get(data, "beneficiary") != NULL;
    json_decref(data);
    return body_field(req, has ? "beneficiary" : "party", out, len);
}

int http_offer_provider(http_req *req, char *out, size_t len) { return body_field(req, "provider", out, len); }

int http_activity_entity(http_req *req, char *out, size_t len)
{
    /* An activity already recorded stays with its implementing entity:
     * only that entity's coordinators may record it again. */
    json_t *data;
    int rc = http_json_body(req, &data);
    if (rc)
        return rc;
    const char *id = json_string_value(json_object_get(data, "id"));
    if (id) {
        rc = store_one_text(req->db, out, len, "SELECT implementing FROM activity WHERE id = ?", "s", id);
        if (rc == STORE_ROW) {
            json_decref(data);
            return ACCORD_OK;
        }
    }
    json_decref(data);
    return rc < 0 ? rc : body_field(req, "implementing", out, len);
}
