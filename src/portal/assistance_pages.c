/* The portal's capacity-building and coordination pages: a country's
 * needs and what answers them, gaps and overlaps in a region or group,
 * what an entity or office does where, and everything linked to one
 * framework item. Each calls the assistance module's read views with the
 * anonymous viewer (ASSISTANCE_PUBLIC), as the API does for a caller who
 * is not signed in, so a page shows only public needs. Records from the
 * synthetic data set say so wherever they appear (templates). */
#include <stdio.h>
#include <string.h>

#include "assistance/assistance.h"
#include "portal/portal_int.h"
#include "util/error.h"

/* 'code' dressed as a state party for the page: the name in its language. */
static json_t *country_brief(const portal_page *pg, const char *code, const char *recorded)
{
    json_t *p = json_pack("{s:s, s:s, s:s}", "code", code ? code : "", "kind", "state", "name",
                          recorded ? recorded : code ? code : "");
    portal_dress_party(pg, p);
    return p;
}

/* Adds "country_party" (the dressed beneficiary) to every item of 'list'
 * that names a country under 'key'. */
static void dress_countries(const portal_page *pg, json_t *list, const char *key, const char *name_key)
{
    size_t i;
    json_t *e;
    json_array_foreach(list, i, e) {
        const char *code = json_string_value(json_object_get(e, key));
        if (code)
            json_object_set_new(e, "country_party", country_brief(pg, code, json_string_value(json_object_get(e, name_key))));
    }
}

/* Whether anything in 'list' is synthetic. */
static bool any_synthetic(const json_t *list)
{
    size_t i;
    json_t *e;
    json_array_foreach(list, i, e) if (json_is_true(json_object_get(e, "synthetic"))) return true;
    return false;
}

static int render(const portal_page *pg, const char *template, const char *title, const char *query, json_t *data,
                  bool synthetic)
{
    json_t *m = portal_base(pg, title, query);
    json_object_set_new(m, "data", data);
    json_object_set_new(m, "synthetic", json_boolean(synthetic));
    return portal_render(pg, template, m);
}

int portal_assistance_country_page(const portal_page *pg, const char *code)
{
    json_t *c;
    int rc = assistance_country(pg->req->db, &ASSISTANCE_PUBLIC, code, &c);
    if (rc)
        return rc;
    json_t *party = json_object_get(c, "party");
    portal_dress_party(pg, party);
    dress_countries(pg, json_object_get(c, "offices"), "country", "country_name");
    bool syn = any_synthetic(json_object_get(c, "needs")) || any_synthetic(json_object_get(c, "activities"));
    char title[600];
    snprintf(title, sizeof title, "%s: %s", web_t(pg->lang, "Assistance"), json_string_value(json_object_get(party, "display")));
    return render(pg, "assistance_country", title, "", c, syn);
}

int portal_assistance_gaps_page(const portal_page *pg)
{
    assistance_filter f = {0};
    f.region = pg->req->conn ? http_query(pg->req, "region") : NULL;
    f.group = pg->req->conn ? http_query(pg->req, "group") : NULL;
    if (f.region && !*f.region)
        f.region = NULL;
    if (f.group && !*f.group)
        f.group = NULL;
    json_t *gaps = NULL, *overlaps = NULL;
    int rc = assistance_gaps(pg->req->db, &ASSISTANCE_PUBLIC, &f, &gaps);
    if (!rc)
        rc = assistance_overlaps(pg->req->db, &f, &overlaps);
    if (rc) {
        json_decref(gaps);
        return rc;
    }
    dress_countries(pg, json_object_get(gaps, "needs_without_activity"), "country", "country_name");
    dress_countries(pg, json_object_get(gaps, "countries_without_office"), "country", "country_name");
    dress_countries(pg, json_object_get(overlaps, "overlaps"), "country", "country_name");
    bool syn = any_synthetic(json_object_get(gaps, "needs_without_activity")) || any_synthetic(json_object_get(overlaps, "overlaps"));
    json_t *data = json_pack("{s:o, s:o, s:s, s:s}", "gaps", gaps, "overlaps", overlaps, "region", f.region ? f.region : "",
                             "group", f.group ? f.group : "");
    char query[300] = "";
    if (f.region || f.group) {
        buf enc;
        buf_init(&enc, 256);
        web_escape_url_component(&enc, f.region ? f.region : f.group);
        snprintf(query, sizeof query, "%s=%s", f.region ? "region" : "group", enc.data ? enc.data : "");
        buf_free(&enc);
    }
    return render(pg, "assistance_gaps", web_t(pg->lang, "Gaps and overlaps"), query, data, syn);
}

int portal_assistance_entity_page(const portal_page *pg, const char *entity)
{
    json_t *e;
    int rc = assistance_by_entity(pg->req->db, entity, &e);
    if (rc)
        return rc;
    size_t i, j;
    json_t *o, *a;
    bool syn = false;
    json_array_foreach(json_object_get(e, "offices"), i, o) {
        const char *kind = json_string_value(json_object_get(o, "kind"));
        json_object_set_new(o, "headquarters", json_boolean(kind && strcmp(kind, "headquarters") == 0));
        json_object_set_new(o, "country_party", country_brief(pg, json_string_value(json_object_get(o, "country")),
                                                               json_string_value(json_object_get(o, "country_name"))));
        json_t *covers = json_array();
        json_array_foreach(json_object_get(o, "covers"), j, a) json_array_append_new(covers, country_brief(pg, json_string_value(a), NULL));
        json_object_set_new(o, "covers_parties", covers);
        json_array_foreach(json_object_get(o, "activities"), j, a)
            json_object_set_new(a, "country_party", country_brief(pg, json_string_value(json_object_get(a, "country")), NULL));
        syn = syn || any_synthetic(json_object_get(o, "activities"));
    }
    char title[300];
    snprintf(title, sizeof title, "%s: %s", web_t(pg->lang, "Who does what where"), entity);
    return render(pg, "assistance_entity", title, "", e, syn);
}

int portal_assistance_framework_page(const portal_page *pg, const char *framework, const char *code)
{
    json_t *f;
    int rc = assistance_framework_item(pg->req->db, &ASSISTANCE_PUBLIC, framework, code, &f);
    if (rc)
        return rc;
    dress_countries(pg, json_object_get(f, "needs"), "beneficiary", "beneficiary_name");
    dress_countries(pg, json_object_get(f, "activities"), "country", "country_name");
    bool syn = any_synthetic(json_object_get(f, "provisions")) || any_synthetic(json_object_get(f, "needs")) ||
               any_synthetic(json_object_get(f, "activities")) || any_synthetic(json_object_get(f, "offers"));
    char title[300];
    snprintf(title, sizeof title, "%s %s", strcmp(framework, "sdg") == 0 ? "SDG" : framework, code);
    return render(pg, "assistance_framework", title, "", f, syn);
}

int portal_events_model(const portal_page *pg, const char *party, const char *slug, json_t **out)
{
    json_t *all;
    int rc = assistance_meetings(pg->req->db, party, &all);
    if (rc)
        return rc;
    json_t *list = json_array();
    size_t i, j;
    json_t *e, *p;
    json_array_foreach(all, i, e) {
        bool concerned = !slug;
        json_array_foreach(json_object_get(e, "instruments"), j, p) if (slug && json_string_value(p) &&
                                                                      strcmp(json_string_value(p), slug) == 0) concerned = true;
        if (!concerned)
            continue;
        /* A day is written in the page's language; a month stays as recorded (ISO). */
        const char *precision = json_string_value(json_object_get(e, "date_precision"));
        if (precision && strcmp(precision, "day") == 0)
            portal_dress_date(pg, e, "date");

        json_array_foreach(json_object_get(e, "participants"), j, p) {
            const char *code = json_string_value(json_object_get(p, "party"));
            if (code) {
                json_t *brief = json_pack("{s:s, s:s, s:s}", "code", code, "kind", strncmp(code, "org:", 4) == 0 ? "organization" : "state", "name", code);
                portal_dress_party(pg, brief);
                json_object_set_new(p, "party_brief", brief);
            }
            /* A participant's source is written out only where it is not the event's. */
            const char *url = json_string_value(json_object_get(json_object_get(p, "source"), "url"));
            const char *event_url = json_string_value(json_object_get(json_object_get(e, "source"), "url"));
            json_object_set_new(p, "own_source", json_boolean(url && (!event_url || strcmp(url, event_url) != 0)));
            const char *role = json_string_value(json_object_get(p, "role"));
            json_object_set_new(p, "role_label", json_string(web_t(pg->lang, role && strcmp(role, "presented") == 0 ? "presented" : "spoke")));
        }
        json_array_append(list, e);
    }
    json_decref(all);
    *out = list;
    return ACCORD_OK;
}
