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

/* The interface strings of the codes the assistance records carry:
 * activity statuses, need priorities and access levels, offer
 * modalities, and the DAC sectors the data sets use as thematic areas
 * (other sectors keep the codelist's English name). */
static const struct {
    const char *key, *code, *msgid;
} CODE_LABELS[] = {
    {"status", "pipeline", "In the pipeline"},
    {"status", "implementation", "Under way"},
    {"status", "completed", "Completed"},
    {"status", "cancelled", "Cancelled"},
    {"status", "suspended", "Suspended"},
    {"priority", "high", "High priority"},
    {"priority", "medium", "Medium priority"},
    {"priority", "low", "Low priority"},
    {"access", "public", "Public"},
    {"access", "providers", "Providers only"},
    {"access", "restricted", "Restricted"},
    {"modalities", "training", "Training"},
    {"modalities", "legislative_drafting", "Legislative drafting"},
    {"modalities", "equipment", "Equipment"},
    {"modalities", "mentoring", "Mentoring"},
    {"modalities", "expert_advice", "Expert advice"},
    {"modalities", "workshop", "Workshop"},
    {"modalities", "research", "Research"},
    {"modalities", "other", "Other"},
    {"thematic", "15110", "Public sector policy and administrative management"},
    {"thematic", "15113", "Anti-corruption organisations and institutions"},
    {"thematic", "15130", "Legal and judicial development"},
    {"thematic", "15160", "Human rights"},
    {"thematic", "15210", "Security system management and reform"},
    {"thematic", "15220", "Civilian peace-building, conflict prevention and resolution"},
};

/* The label of code 'code' of field 'key' in the page's language, or
 * NULL when it has none. */
static const char *code_label(const portal_page *pg, const char *key, const char *code)
{
    for (size_t i = 0; code && i < sizeof CODE_LABELS / sizeof CODE_LABELS[0]; i++)
        if (strcmp(CODE_LABELS[i].key, key) == 0 && strcmp(CODE_LABELS[i].code, code) == 0)
            return web_t(pg->lang, CODE_LABELS[i].msgid);
    return NULL;
}

/* Adds "<key>_label" beside each code of every item of 'list' (status,
 * priority, access, thematic: a thematic area with no label keeps its
 * English name, marked "thematic_en") and "modality_labels" beside the
 * modalities; the same for the items' matches and the activities that
 * answer them. */
static void dress_codes(const portal_page *pg, json_t *list)
{
    static const char *const keys[] = {"status", "priority", "access", "thematic", NULL};
    size_t i, j;
    json_t *e, *m;
    json_array_foreach(list, i, e) {
        for (const char *const *k = keys; *k; k++) {
            const char *label = code_label(pg, *k, json_string_value(json_object_get(e, *k)));
            char name[32];
            snprintf(name, sizeof name, "%s_label", *k);
            if (label)
                json_object_set_new(e, name, json_string(label));
        }
        if (json_object_get(e, "thematic") && !json_object_get(e, "thematic_label"))
            json_object_set(e, "thematic_en", json_object_get(e, "thematic_name"));
        json_t *labels = json_array();
        json_array_foreach(json_object_get(e, "modalities"), j, m) {
            const char *label = code_label(pg, "modalities", json_string_value(m));
            json_array_append_new(labels, json_string(label ? label : json_string_value(m)));
        }
        json_object_set_new(e, "modality_labels", labels);
        dress_codes(pg, json_object_get(e, "matches"));
        dress_codes(pg, json_object_get(e, "answered_by"));
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

/* Keeps the best three matches of each need of 'needs', and any other
 * the need is linked to. */
static void keep_best_matches(json_t *needs)
{
    size_t i;
    json_t *n;
    json_array_foreach(needs, i, n) {
        json_t *m = json_object_get(n, "matches");
        for (size_t j = 3; j < json_array_size(m);) {
            if (json_is_true(json_object_get(json_array_get(m, j), "linked")))
                j++;
            else
                json_array_remove(m, j);
        }
    }
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
    keep_best_matches(json_object_get(c, "needs"));
    dress_codes(pg, json_object_get(c, "needs"));
    dress_codes(pg, json_object_get(c, "activities"));
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
    dress_codes(pg, json_object_get(gaps, "needs_without_activity"));
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
        dress_codes(pg, json_object_get(o, "activities"));
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
    dress_codes(pg, json_object_get(f, "needs"));
    dress_codes(pg, json_object_get(f, "activities"));
    dress_codes(pg, json_object_get(f, "offers"));
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
