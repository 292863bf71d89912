/* The portal's pages: each builds a model from the module functions the
 * API handlers call (registry, depositary, implementation) and renders
 * it with its template (data/web/templates/). Recorded data keeps the
 * language it was recorded in; the interface speaks the page's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "assistance/assistance.h"
#include "depositary/depositary.h"
#include "http/handlers.h"
#include "implementation/implementation.h"
#include "portal/portal.h"
#include "portal/portal_int.h"
#include "registry/registry.h"
#include "util/clock.h"
#include "util/date.h"
#include "util/error.h"
#include "web/web.h"

#define MAX_REST 256

/* ---- what every page shares ------------------------------------------------ */

json_t *portal_base(const portal_page *pg, const char *title, const char *query)
{
    const web_lang *langs = web_langs();
    char path[MAX_REST + 512];
    json_t *alternates = json_array();
    for (size_t i = 0; i < WEB_NLANGS; i++) {
        snprintf(path, sizeof path, "/%s/%s%s%s", langs[i].code, pg->rest, query && *query ? "?" : "",
                 query ? query : "");
        json_array_append_new(alternates,
                              json_pack("{s:s, s:s, s:s, s:b}", "code", langs[i].code, "endonym", langs[i].endonym,
                                        "href", path, "current", &langs[i] == pg->lang));
    }
    snprintf(path, sizeof path, "/%s/%s%s%s", pg->lang->code, pg->rest, query && *query ? "?" : "", query ? query : "");
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:b, s:b}", "lang", pg->lang->code, "dir", pg->lang->dir,
                     "title", title, "stylesheet", web_stylesheet_path(), "permalink", path, "alternates", alternates,
                     "draft_translation", strcmp(pg->lang->code, "en") != 0, "static_site", pg->req->conn == NULL);
}

int portal_render(const portal_page *pg, const char *name, json_t *model)
{
    const web_template *t = web_template_get(name);
    int rc = t ? ACCORD_OK : accord_fail(ACCORD_EENV, NULL, "template %s is missing", name);
    if (!rc)
        rc = web_render(t, model, pg->lang, &pg->req->text);
    json_decref(model);
    pg->req->content_type = "text/html; charset=utf-8";
    return rc;
}

void portal_dress_date(const portal_page *pg, json_t *obj, const char *key)
{
    const char *iso = json_string_value(json_object_get(obj, key));
    if (!iso)
        return;
    char text[128], k[64];
    web_date(pg->lang, iso, text, sizeof text);
    snprintf(k, sizeof k, "%s_text", key);
    json_object_set_new(obj, k, json_string(text));
}

json_t *portal_number(const portal_page *pg, long long n)
{
    char text[64];
    web_number(pg->lang, n, text, sizeof text);
    return json_string(text);
}

void portal_dress_party(const portal_page *pg, json_t *party)
{
    const char *code = json_string_value(json_object_get(party, "code"));
    const char *kind = json_string_value(json_object_get(party, "kind"));
    const char *recorded = json_string_value(json_object_get(party, "name"));
    char name[512] = "", href[300];
    /* PORTAL-UN-NAMES: the UN's short names in six languages (UNSD's M49
     * names through the registry) come first, for states and territories
     * alike; then CLDR's through ICU; English pages otherwise use the
     * recorded ISO 3166 name, which CLDR abbreviates ("St. Vincent &
     * Grenadines"). */
    bool localized = false;
    bool country = code && kind && (strcmp(kind, "state") == 0 || strcmp(kind, "territory") == 0);
    const char *un = country ? registry_un_name(code, pg->lang->code) : NULL;
    if (un) {
        snprintf(name, sizeof name, "%s", un);
        localized = true;
    } else if (country && strcmp(pg->lang->code, "en") != 0)
        localized = web_country_name(pg->lang, code, name, sizeof name);
    if (!localized)
        snprintf(name, sizeof name, "%s", recorded ? recorded : code ? code : "");
    json_object_set_new(party, "display", json_string(name));
    /* A recorded name is English; say so on pages in other languages. */
    json_object_set_new(party, "display_lang",
                        json_string(localized || strcmp(pg->lang->code, "en") == 0 ? "" : "en"));
    snprintf(href, sizeof href, "/%s/parties/%s", pg->lang->code, code ? code : "");
    json_object_set_new(party, "href", json_string(href));
}

static const char *action_label(const char *type)
{
    static const char *const labels[][2] = {
        {"signature", "Signature"},   {"endorsement", "Endorsement"}, {"accession", "Accession"},
        {"ratification", "Ratification"}, {"acceptance", "Acceptance"}, {"approval", "Approval"},
        {"succession", "Succession"}, {"withdrawal", "Withdrawal"},   {"declaration", "Declaration"},
    };
    for (size_t i = 0; type && i < sizeof labels / sizeof labels[0]; i++)
        if (strcmp(labels[i][0], type) == 0)
            return labels[i][1];
    return type ? type : "";
}

/* Dresses one recorded action for the page. */
static void dress_action(const portal_page *pg, json_t *a)
{
    portal_dress_date(pg, a, "date");
    json_object_set_new(a, "type_label", json_string(web_t(pg->lang, action_label(json_string_value(json_object_get(a, "type"))))));
    json_object_set_new(a, "on_or_before",
                        json_boolean(json_string_value(json_object_get(a, "date_precision")) &&
                                     strcmp(json_string_value(json_object_get(a, "date_precision")), "on_or_before") == 0));
    json_t *party = json_object_get(a, "party");
    if (json_is_object(party))
        portal_dress_party(pg, party);
}

/* Query parameter 'key' of the page; none when the page is rendered for
 * the static copy (no connection). */
static const char *page_query(const portal_page *pg, const char *key)
{
    return pg->req->conn ? http_query(pg->req, key) : NULL;
}

/* A date from ?as_of=, else today, into 'out': checked and bounded
 * exactly as the API bounds it (http_query_date()). */
static int page_as_of(const portal_page *pg, char out[11], bool *given)
{
    const char *q = page_query(pg, "as_of");
    *given = q && *q;
    if (!*given) {
        clock_today(out);
        return ACCORD_OK;
    }
    int rc = http_query_date(pg->req, "as_of", &q);
    if (!rc)
        snprintf(out, 11, "%s", q);
    return rc;
}

/* The model of the date form and "status as of" line. */
static void set_as_of(const portal_page *pg, json_t *m, const char *as_of)
{
    json_object_set_new(m, "as_of", json_string(as_of));
    portal_dress_date(pg, m, "as_of");
}

/* ---- home -------------------------------------------------------------------- */

static int status_model(const portal_page *pg, const char *slug, const char *as_of, json_t **out);

static int home_page(const portal_page *pg)
{
    json_t *instruments = NULL, *m = portal_base(pg, web_t(pg->lang, "The public record of the Code of Conduct"), "");
    char today[11];
    clock_today(today);
    int rc = registry_list_instruments(pg->req->db, &instruments);
    size_t i;
    json_t *inst;
    json_array_foreach(instruments, i, inst) {
        const char *slug = json_string_value(json_object_get(inst, "slug"));
        json_t *status = NULL, *notes = NULL;
        portal_dress_date(pg, inst, "opened_on");
        if (!rc)
            rc = status_model(pg, slug, today, &status);
        json_t *map = NULL;
        if (!rc)
            rc = portal_map_model(pg, slug, today, status, &map);
        if (!rc) {
            json_object_set_new(inst, "status", status);
            json_object_set_new(inst, "map", map);
        } else
            json_decref(status);
        if (!rc)
            rc = depositary_list_notifications(pg->req->db, slug, &notes);
        if (!rc) {
            /* The five latest, newest first. */
            json_t *latest = json_array();
            size_t n = json_array_size(notes);
            for (size_t k = n; k-- > 0 && json_array_size(latest) < 5;) {
                json_t *note = json_array_get(notes, k);
                portal_dress_date(pg, note, "date");
                json_array_append(latest, note);
            }
            json_object_set_new(inst, "latest_notifications", latest);
            json_decref(notes);
        }
    }
    if (!rc) {
        json_object_set_new(m, "instruments", instruments);
        set_as_of(pg, m, today);
        return portal_render(pg, "home", m);
    }
    json_decref(instruments);
    json_decref(m);
    return rc;
}

/* ---- instrument and status ---------------------------------------------------- */

/* One row of the status table: the participant (or, in brackets, former
 * participant) with its signature and its other actions. */
static json_t *status_row(const portal_page *pg, json_t *entry, bool former)
{
    json_t *party = json_object_get(entry, "party");
    portal_dress_party(pg, party);
    json_t *row = json_pack("{s:O, s:b, s:[], s:[]}", "party", party, "former", former, "signature", "other");
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(entry, "actions"), i, a) {
        dress_action(pg, a);
        const char *type = json_string_value(json_object_get(a, "type"));
        json_array_append(json_object_get(row, type && strcmp(type, "signature") == 0 ? "signature" : "other"), a);
    }
    if (former) {
        json_object_set(row, "withdrawn", json_object_get(entry, "withdrawn"));
        portal_dress_date(pg, row, "withdrawn");
    }
    json_object_set(row, "sort", json_object_get(party, "display"));
    return row;
}

static void dress_source_counts(const portal_page *pg, json_t *counts)
{
    json_t *rec = json_object_get(counts, "recorded");
    const char *keys[] = {"participants", "states", "organizations", "territories", "endorsements"};
    for (size_t i = 0; i < 5; i++) {
        char k[48];
        snprintf(k, sizeof k, "%s_text", keys[i]);
        json_object_set_new(rec, k, portal_number(pg, json_integer_value(json_object_get(rec, keys[i]))));
    }
    json_t *rep = json_object_get(counts, "reported");
    if (json_is_object(rep)) {
        portal_dress_date(pg, rep, "as_of");
        json_object_set_new(rep, "count_text", portal_number(pg, json_integer_value(json_object_get(rep, "count"))));
        const char *q = json_string_value(json_object_get(rep, "qualifier"));
        json_object_set_new(rep, "qualifier_label",
                            json_string(portal_qualifier_label(pg, q)));
    }
}

const char *portal_qualifier_label(const portal_page *pg, const char *qualifier)
{
    if (!qualifier || strcmp(qualifier, "exactly") == 0)
        return "";
    if (strcmp(qualifier, "more than") == 0 || strcmp(qualifier, "about") == 0 || strcmp(qualifier, "at least") == 0)
        return web_t(pg->lang, qualifier);
    return qualifier;
}

/* The status of 'slug' as at 'as_of', dressed for the page: rows of the
 * table sorted by name in the page's language, counts, endorsements. */
static int status_model(const portal_page *pg, const char *slug, const char *as_of, json_t **out)
{
    json_t *st;
    int rc = depositary_status(pg->req->db, slug, as_of, &st);
    if (rc)
        return rc;
    json_t *rows = json_array();
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(st, "participants"), i, e) json_array_append_new(rows, status_row(pg, e, false));
    json_array_foreach(json_object_get(st, "former_participants"), i, e) json_array_append_new(rows, status_row(pg, e, true));
    web_sort_by(pg->lang, rows, "sort");
    json_object_set_new(st, "rows", rows);
    json_array_foreach(json_object_get(st, "endorsements"), i, e) dress_action(pg, e);
    json_array_foreach(json_object_get(st, "known_gaps"), i, e) {
        json_t *brief = registry_party_brief(pg->req->db, json_string_value(json_object_get(e, "party")), as_of);
        if (brief) {
            portal_dress_party(pg, brief);
            json_object_set_new(e, "party_brief", brief);
        }
    }
    dress_source_counts(pg, json_object_get(st, "counts"));
    json_object_set_new(st, "any_former", json_boolean(json_array_size(json_object_get(st, "former_participants")) > 0));
    *out = st;
    return ACCORD_OK;
}

/* The participation timeline's data: the recorded count of participants
 * on every date an action changed it, and the reported totals known on
 * those dates, never added together. */
static int timeline_rows(const portal_page *pg, const char *slug, const char *as_of, json_t **out)
{
    json_t *actions;
    int rc = depositary_list_actions(pg->req->db, slug, &actions);
    if (rc)
        return rc;
    json_t *rows = json_array();
    const char *last = "";
    size_t i;
    json_t *a;
    json_array_foreach(actions, i, a) {
        const char *d = json_string_value(json_object_get(a, "date"));
        if (!d || strcmp(d, last) == 0 || strcmp(d, as_of) > 0)
            continue;
        last = d;
        json_t *st;
        rc = depositary_status(pg->req->db, slug, d, &st);
        if (rc)
            break;
        json_t *counts = json_object_get(st, "counts");
        dress_source_counts(pg, counts);
        json_t *row = json_pack("{s:s, s:O, s:O}", "date", d, "recorded", json_object_get(counts, "recorded"),
                                "reported", json_object_get(counts, "reported"));
        portal_dress_date(pg, row, "date");
        json_array_append_new(rows, row);
        json_decref(st);
    }
    json_decref(actions);
    if (rc)
        json_decref(rows);
    else
        *out = rows;
    return rc;
}

static int instrument_page(const portal_page *pg, const char *slug)
{
    char as_of[11], query[64] = "";
    bool given;
    json_t *inst = NULL, *status = NULL, *timeline = NULL, *map = NULL, *chart = NULL, *m = NULL;
    int rc = page_as_of(pg, as_of, &given);
    if (!rc)
        rc = registry_get_instrument(pg->req->db, slug, &inst);
    if (!rc)
        rc = status_model(pg, slug, as_of, &status);
    if (!rc)
        rc = timeline_rows(pg, slug, as_of, &timeline);
    if (!rc)
        rc = portal_map_model(pg, slug, as_of, status, &map);
    if (!rc)
        rc = portal_timeline_model(pg, slug, as_of, &chart);
    if (rc)
        goto out;
    if (given)
        snprintf(query, sizeof query, "as_of=%s", as_of);
    portal_dress_date(pg, inst, "opened_on");
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(inst, "provisions"), i, p) {
        const char *ts = json_string_value(json_object_get(p, "text_status"));
        json_object_set_new(p, "is_paraphrase", json_boolean(ts && strcmp(ts, "paraphrase") == 0));
        json_object_set_new(p, "not_recorded", json_boolean(ts && strcmp(ts, "not_recorded") == 0));
    }
    m = portal_base(pg, json_string_value(json_object_get(inst, "title")), query);
    set_as_of(pg, m, as_of);
    json_object_set_new(m, "instrument", inst);
    json_object_set_new(m, "status", status);
    json_object_set_new(m, "timeline_rows", timeline);
    json_object_set_new(m, "map", map);
    json_object_set_new(m, "timeline", chart);
    json_t *events;
    if (!portal_events_model(pg, NULL, slug, &events))
        json_object_set_new(m, "events", events);
    inst = status = timeline = map = chart = NULL;
    return portal_render(pg, "instrument", m);
out:
    json_decref(map);
    json_decref(chart);
    json_decref(inst);
    json_decref(status);
    json_decref(timeline);
    return rc;
}

/* ---- implementation ------------------------------------------------------------ */

static const char *const rating_classes[][3] = {
    /* class, letter, label msgid */
    {"implemented", "I", "Implemented"},
    {"largely_implemented", "L", "Largely implemented"},
    {"partly_implemented", "P", "Partly implemented"},
    {"not_implemented", "N", "Not implemented"},
    {"not_rated", "–", "Not rated"},
};

/* Marks each cell of the implementation matrix with whether assistance
 * is requested (a public need names the party and provision) and under
 * way (an activity in pipeline or implementation does), from the
 * assistance matrix the API gives an anonymous caller. A mark made from a
 * synthetic record is marked synthetic ("aid_synthetic"); returns whether
 * any is. */
static bool mark_assistance(const portal_page *pg, json_t *matrix)
{
    json_t *am;
    bool synthetic = false;
    if (assistance_matrix(pg->req->db, &ASSISTANCE_PUBLIC, &(assistance_filter){0}, &am)) {
        accord_error_clear();
        return false;
    }
    json_t *index = json_object();
    size_t i, j;
    json_t *c, *row;
    json_array_foreach(am, i, c) {
        char key[80];
        snprintf(key, sizeof key, "%s/%lld", json_string_value(json_object_get(c, "party")),
                 (long long)json_integer_value(json_object_get(c, "provision")));
        json_object_set(index, key, c);
    }
    json_array_foreach(json_object_get(matrix, "rows"), i, row) {
        const char *party = json_string_value(json_object_get(json_object_get(row, "party"), "code"));
        json_array_foreach(json_object_get(row, "cells"), j, c) {
            char key[80];
            snprintf(key, sizeof key, "%s/%lld", party ? party : "", (long long)json_integer_value(json_object_get(c, "provision")));
            json_t *a = json_object_get(index, key);
            json_object_set_new(c, "requested", json_boolean(json_is_true(json_object_get(a, "requested"))));
            json_object_set_new(c, "under_way", json_boolean(json_is_true(json_object_get(a, "under_way"))));
            json_object_set_new(c, "aid_synthetic", json_boolean(json_is_true(json_object_get(a, "synthetic"))));
            synthetic = synthetic || json_is_true(json_object_get(a, "synthetic"));
        }
    }
    json_decref(index);
    json_decref(am);
    return synthetic;
}

static int implementation_page(const portal_page *pg, const char *slug)
{
    char as_of[11], query[512] = "";
    bool given;
    const char *group = page_query(pg, "group"), *region = page_query(pg, "region"), *cycle = page_query(pg, "cycle");
    if (group && !*group) group = NULL;
    if (region && !*region) region = NULL;
    if (cycle && !*cycle) cycle = NULL;
    json_t *matrix = NULL, *traj = NULL, *inst = NULL;
    int rc = page_as_of(pg, as_of, &given);
    if (!rc)
        rc = registry_get_instrument(pg->req->db, slug, &inst);
    if (!rc)
        rc = implementation_matrix_json(pg->req->db, slug, cycle, group, region, as_of, &matrix);
    if (!rc)
        rc = implementation_trajectory(pg->req->db, slug, as_of, &traj);
    if (rc) {
        json_decref(inst);
        json_decref(matrix);
        return rc;
    }
    size_t used = 0;
    const char *names[] = {"as_of", "group", "region", "cycle"};
    const char *vals[] = {given ? as_of : NULL, group, region, cycle};
    for (size_t k = 0; k < 4; k++) {
        if (!vals[k])
            continue;
        buf enc;
        buf_init(&enc, 256);
        web_escape_url_component(&enc, vals[k]);
        int w = snprintf(query + used, sizeof query - used, "%s%s=%s", used ? "&" : "", names[k], enc.data ? enc.data : "");
        buf_free(&enc);
        if (w > 0 && (size_t)w < sizeof query - used)
            used += (size_t)w;
    }
    json_t *m = portal_base(pg, web_t(pg->lang, "Implementation"), query);
    set_as_of(pg, m, as_of);
    json_object_set_new(m, "group", json_string(group ? group : ""));
    json_object_set_new(m, "region", json_string(region ? region : ""));
    json_object_set_new(m, "cycle", json_string(cycle ? cycle : ""));
    json_t *classes = json_array();
    json_t *counts = json_object_get(matrix, "counts");
    for (size_t k = 0; k < sizeof rating_classes / sizeof rating_classes[0]; k++)
        json_array_append_new(classes, json_pack("{s:s, s:s, s:s, s:o}", "class", rating_classes[k][0], "letter",
                                                 rating_classes[k][1], "label", web_t(pg->lang, rating_classes[k][2]),
                                                 "count_text",
                                                 portal_number(pg, json_integer_value(json_object_get(counts, rating_classes[k][0])))));
    size_t i, j;
    json_t *row, *cell;
    json_array_foreach(json_object_get(matrix, "rows"), i, row) {
        portal_dress_party(pg, json_object_get(row, "party"));
        json_object_set(row, "sort", json_object_get(json_object_get(row, "party"), "display"));
        json_array_foreach(json_object_get(row, "cells"), j, cell) {
            const char *r = json_string_value(json_object_get(cell, "rating"));
            for (size_t k = 0; r && k < sizeof rating_classes / sizeof rating_classes[0]; k++)
                if (strcmp(r, rating_classes[k][0]) == 0) {
                    json_object_set_new(cell, "letter", json_string(rating_classes[k][1]));
                    json_object_set_new(cell, "label", json_string(web_t(pg->lang, rating_classes[k][2])));
                }
        }
    }
    web_sort_by(pg->lang, json_object_get(matrix, "rows"), "sort");
    bool aid_synthetic = mark_assistance(pg, matrix);
    json_t *y;
    json_array_foreach(json_object_get(traj, "years"), i, y) {
        char pct[32];
        snprintf(pct, sizeof pct, "%.1f %%", 100.0 * json_number_value(json_object_get(y, "share")));
        json_object_set_new(y, "share_text", json_string(pct));
        snprintf(pct, sizeof pct, "%.1f %%", 100.0 * json_number_value(json_object_get(y, "target")));
        json_object_set_new(y, "target_text", json_string(pct));
        const char *label = json_string_value(json_object_get(y, "label"));
        json_object_set_new(y, "on_track", json_boolean(label && strcmp(label, "on track") == 0));
    }
    /* The filters' choices, the current one selected. */
    json_t *groups = NULL, *cycles = NULL, *g;
    if (!registry_list_groups(pg->req->db, &groups)) {
        json_array_foreach(groups, i, g)
            json_object_set_new(g, "selected", json_boolean(group && strcmp(json_string_value(json_object_get(g, "code")), group) == 0));
        json_object_set_new(m, "groups", groups);
    }
    if (!implementation_list_cycles(pg->req->db, slug, &cycles)) {
        json_array_foreach(cycles, i, g)
            json_object_set_new(g, "selected", json_boolean(cycle && json_string_value(json_object_get(g, "code")) &&
                                                            strcmp(json_string_value(json_object_get(g, "code")), cycle) == 0));
        json_object_set_new(m, "cycles", cycles);
    }
    json_object_set_new(m, "instrument", inst);
    json_object_set_new(m, "classes", classes);
    json_object_set_new(m, "matrix", matrix);
    json_object_set_new(m, "synthetic", json_boolean(aid_synthetic));
    json_t *chart;
    if (portal_trajectory_model(pg, traj, &chart)) {
        json_decref(m);
        json_decref(traj);
        return ACCORD_EINVAL;
    }
    json_object_set_new(m, "trajectory_chart", chart);
    json_object_set_new(m, "trajectory", traj);
    return portal_render(pg, "implementation", m);
}

/* ---- party ------------------------------------------------------------------ */

/* The letter and label of rating class 'rating' into 'cell'. */
static void dress_rating(const portal_page *pg, json_t *cell, const char *rating)
{
    for (size_t k = 0; rating && k < sizeof rating_classes / sizeof rating_classes[0]; k++)
        if (strcmp(rating, rating_classes[k][0]) == 0) {
            json_object_set_new(cell, "letter", json_string(rating_classes[k][1]));
            json_object_set_new(cell, "label", json_string(web_t(pg->lang, rating_classes[k][2])));
        }
}

/* Per instrument: the party's latest rating per provision (its row of the
 * matrix, today) and its released reports in every cycle. NULL when it
 * has neither. */
static json_t *party_implementation(const portal_page *pg, const char *code)
{
    json_t *instruments, *out = json_array();
    char today[11];
    clock_today(today);
    if (registry_list_instruments(pg->req->db, &instruments))
        return out;
    size_t i, j;
    json_t *inst;
    json_array_foreach(instruments, i, inst) {
        const char *slug = json_string_value(json_object_get(inst, "slug"));
        json_t *matrix = NULL, *cycles = NULL, *ratings = json_array(), *reports = json_array(), *row, *c;
        if (!implementation_matrix_json(pg->req->db, slug, NULL, NULL, NULL, today, &matrix)) {
            json_array_foreach(json_object_get(matrix, "rows"), j, row) {
                if (strcmp(json_string_value(json_object_get(json_object_get(row, "party"), "code")), code) != 0)
                    continue;
                size_t k;
                json_t *cell;
                json_array_foreach(json_object_get(row, "cells"), k, cell) {
                    dress_rating(pg, cell, json_string_value(json_object_get(cell, "rating")));
                    json_array_append(ratings, cell);
                }
            }
            json_decref(matrix);
        }
        if (!implementation_list_cycles(pg->req->db, slug, &cycles)) {
            json_array_foreach(cycles, j, c) {
                json_t *released;
                if (implementation_released(pg->req->db, slug, json_string_value(json_object_get(c, "code")), &released))
                    continue;
                size_t k;
                json_t *r;
                json_array_foreach(released, k, r) {
                    if (strcmp(json_string_value(json_object_get(r, "party")), code) != 0)
                        continue;
                    json_object_set(r, "cycle", json_object_get(c, "name"));
                    json_array_append(reports, r);
                }
                json_decref(released);
            }
            json_decref(cycles);
        }
        accord_error_clear();
        if (json_array_size(ratings) || json_array_size(reports))
            json_array_append_new(out, json_pack("{s:O, s:O, s:o, s:o}", "slug", json_object_get(inst, "slug"),
                                                 "title", json_object_get(inst, "title"), "ratings", ratings,
                                                 "reports", reports));
        else {
            json_decref(ratings);
            json_decref(reports);
        }
    }
    json_decref(instruments);
    return out;
}

static int party_page(const portal_page *pg, const char *code)
{
    json_t *party, *actions;
    int rc = registry_get_party(pg->req->db, code, &party);
    if (rc)
        return rc;
    rc = depositary_party_actions(pg->req->db, code, &actions);
    if (rc) {
        json_decref(party);
        return rc;
    }
    portal_dress_party(pg, party);
    size_t i;
    json_t *a;
    json_array_foreach(actions, i, a) dress_action(pg, a);
    json_array_foreach(json_object_get(party, "memberships"), i, a) {
        portal_dress_date(pg, a, "from");
        portal_dress_date(pg, a, "to");
        json_object_set_new(a, "role_label", json_string(web_t(pg->lang, strcmp(json_string_value(json_object_get(a, "role")) ?
                                                         json_string_value(json_object_get(a, "role")) : "", "observer") == 0
                                                         ? "Observer" : "Member")));
    }
    registry_place place;
    if (!registry_m49_place(code, &place) && place.region)
        json_object_set_new(party, "m49_region", registry_area_json(place.region));
    if (!registry_m49_place(code, &place) && place.subregion)
        json_object_set_new(party, "m49_subregion", registry_area_json(place.subregion));
    json_t *m = portal_base(pg, json_string_value(json_object_get(party, "display")), "");
    json_t *implementation = party_implementation(pg, code);
    if (implementation)
        json_object_set_new(m, "implementation", implementation);
    json_t *events;
    if (!portal_events_model(pg, code, NULL, &events))
        json_object_set_new(m, "events", events);
    json_object_set_new(m, "party", party);
    json_object_set_new(m, "actions", actions);
    /* A territory is never called a state: the kind is said in full. */
    const char *kind = json_string_value(json_object_get(party, "kind"));
    json_object_set_new(m, "assistance", json_boolean(strcmp(kind, "state") == 0));
    json_object_set_new(m, "kind_label",
                        json_string(web_t(pg->lang, strcmp(kind, "state") == 0       ? "State"
                                                    : strcmp(kind, "territory") == 0 ? "Territory (not a UN member or observer State)"
                                                                                     : "Organization")));
    return portal_render(pg, "party", m);
}

/* ---- groups and regions ---------------------------------------------------------- */

static int group_page(const portal_page *pg, const char *code)
{
    char as_of[11], query[64] = "";
    bool given;
    json_t *cov = NULL, *instruments = NULL;
    int rc = page_as_of(pg, as_of, &given);
    if (!rc)
        rc = registry_list_instruments(pg->req->db, &instruments);
    const char *slug = json_string_value(json_object_get(json_array_get(instruments, 0), "slug"));
    if (!rc)
        rc = depositary_group_coverage(pg->req->db, code, slug, as_of, &cov);
    if (rc) {
        json_decref(instruments);
        return rc;
    }
    if (given)
        snprintf(query, sizeof query, "as_of=%s", as_of);
    json_t *participating = json_array(), *not_participating = json_array();
    size_t i;
    json_t *mb;
    json_array_foreach(json_object_get(cov, "members"), i, mb) {
        portal_dress_party(pg, mb);
        portal_dress_date(pg, mb, "since");
        portal_dress_date(pg, mb, "from");
        json_object_set_new(mb, "role_label", json_string(web_t(pg->lang, strcmp(json_string_value(json_object_get(mb, "role")), "observer") == 0 ? "Observer" : "Member")));
        json_object_set_new(mb, "action_label", json_string(web_t(pg->lang, action_label(json_string_value(json_object_get(mb, "action"))))));
        json_object_set(mb, "sort", json_object_get(mb, "display"));
        json_array_append(json_is_true(json_object_get(mb, "participant")) ? participating : not_participating, mb);
    }
    web_sort_by(pg->lang, participating, "sort");
    web_sort_by(pg->lang, not_participating, "sort");
    json_t *m = portal_base(pg, json_string_value(json_object_get(cov, "name")), query);
    set_as_of(pg, m, as_of);
    json_object_set_new(m, "group", cov);
    json_object_set_new(m, "participating", participating);
    json_object_set_new(m, "not_participating", not_participating);
    json_object_set_new(m, "participating_text", portal_number(pg, (long long)json_array_size(participating)));
    json_object_set_new(m, "not_participating_text", portal_number(pg, (long long)json_array_size(not_participating)));
    /* The UN's own group answers "which member states have not yet signed". */
    json_object_set_new(m, "not_participating_heading",
                        json_string(web_t(pg->lang, strcmp(code, "un") == 0 ? "UN member states that have not yet signed"
                                                                            : "Not participating")));
    json_object_set(m, "instrument", json_array_get(instruments, 0));
    json_decref(instruments);
    return portal_render(pg, "group", m);
}

typedef struct region_walk {
    const portal_page *pg;
    const registry_area *area;
    json_t *participating;
} region_walk;

static int region_participant(void *arg, const char *code, const char *kind, const char *name)
{
    region_walk *w = arg;
    if (!registry_m49_within(code, w->area))
        return 0;
    json_t *p = json_pack("{s:s, s:s, s:s}", "code", code, "kind", kind, "name", name);
    portal_dress_party(w->pg, p);
    json_object_set(p, "sort", json_object_get(p, "display"));
    json_array_append_new(w->participating, p);
    return 0;
}

static int region_page(const portal_page *pg, const char *code)
{
    char as_of[11], query[64] = "";
    bool given;
    const registry_area *area;
    json_t *instruments = NULL, *parties = NULL;
    int rc = page_as_of(pg, as_of, &given);
    if (!rc)
        rc = registry_m49_region(code, "code", &area);
    if (!rc)
        rc = registry_list_instruments(pg->req->db, &instruments);
    const char *slug = json_string_value(json_object_get(json_array_get(instruments, 0), "slug"));
    region_walk w = {.pg = pg, .participating = json_array()};
    if (!rc) {
        w.area = area;
        rc = depositary_each_participant(pg->req->db, slug, as_of, region_participant, &w);
    }
    if (!rc)
        rc = registry_list_parties(pg->req->db, "state", &parties);
    if (rc) {
        json_decref(instruments);
        json_decref(w.participating);
        return rc;
    }
    /* The states of the region that do not participate. */
    json_t *others = json_array();
    size_t i;
    json_t *p;
    json_array_foreach(parties, i, p) {
        const char *c = json_string_value(json_object_get(p, "code"));
        if (!registry_m49_within(c, area))
            continue;
        bool in = false;
        size_t j;
        json_t *q;
        json_array_foreach(w.participating, j, q) if (strcmp(json_string_value(json_object_get(q, "code")), c) == 0) in = true;
        if (in)
            continue;
        json_t *brief = json_pack("{s:s, s:s, s:O}", "code", c, "kind", "state", "name", json_object_get(p, "name"));
        portal_dress_party(pg, brief);
        json_object_set(brief, "sort", json_object_get(brief, "display"));
        json_array_append_new(others, brief);
    }
    json_decref(parties);
    web_sort_by(pg->lang, w.participating, "sort");
    web_sort_by(pg->lang, others, "sort");
    if (given)
        snprintf(query, sizeof query, "as_of=%s", as_of);
    json_t *m = portal_base(pg, area->name, query);
    set_as_of(pg, m, as_of);
    json_object_set_new(m, "region", registry_area_json(area));
    json_object_set_new(m, "participating", w.participating);
    json_object_set_new(m, "not_participating", others);
    json_object_set_new(m, "participating_text", portal_number(pg, (long long)json_array_size(w.participating)));
    json_object_set_new(m, "not_participating_text", portal_number(pg, (long long)json_array_size(others)));
    json_object_set(m, "instrument", json_array_get(instruments, 0));
    json_decref(instruments);
    return portal_render(pg, "region", m);
}

static int groups_page(const portal_page *pg)
{
    json_t *groups, *regions;
    int rc = registry_list_groups(pg->req->db, &groups);
    if (rc)
        return rc;
    rc = registry_m49_list(&regions);
    if (rc) {
        json_decref(groups);
        return rc;
    }
    json_t *list = json_array();
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(regions, "regions"), i, r) {
        const char *t = json_string_value(json_object_get(r, "type"));
        if (t && strcmp(t, "world") != 0)
            json_array_append(list, r);
    }
    json_t *m = portal_base(pg, web_t(pg->lang, "Groups and regions"), "");
    json_object_set_new(m, "groups", groups);
    json_object_set_new(m, "regions", list);
    json_decref(regions);
    return portal_render(pg, "groups", m);
}

/* ---- notifications ----------------------------------------------------------------- */

static int notifications_page(const portal_page *pg)
{
    json_t *instruments;
    int rc = registry_list_instruments(pg->req->db, &instruments);
    if (rc)
        return rc;
    json_t *all = json_array();
    size_t i;
    json_t *inst;
    json_array_foreach(instruments, i, inst) {
        json_t *notes;
        rc = depositary_list_notifications(pg->req->db, json_string_value(json_object_get(inst, "slug")), &notes);
        if (rc)
            break;
        for (size_t k = json_array_size(notes); k-- > 0;) {
            json_t *n = json_array_get(notes, k);
            portal_dress_date(pg, n, "date");
            json_object_set_new(n, "on_or_before", json_boolean(strcmp(json_string_value(json_object_get(n, "date_precision")) ? json_string_value(json_object_get(n, "date_precision")) : "", "on_or_before") == 0));
            json_t *brief = registry_party_brief(pg->req->db, json_string_value(json_object_get(n, "party")), NULL);
            if (brief) {
                portal_dress_party(pg, brief);
                json_object_set_new(n, "party_brief", brief);
            }
            char anchor[160];
            snprintf(anchor, sizeof anchor, "n-%s", json_string_value(json_object_get(n, "number")));
            for (char *c = anchor; *c; c++)
                if (*c == '/')
                    *c = '-';
            json_object_set_new(n, "anchor", json_string(anchor));
            json_object_set_new(n, "type_label", json_string(web_t(pg->lang, action_label(json_string_value(json_object_get(n, "type"))))));
            json_array_append(all, n);
        }
        json_decref(notes);
    }
    json_decref(instruments);
    if (rc) {
        json_decref(all);
        return rc;
    }
    json_t *m = portal_base(pg, web_t(pg->lang, "Depositary notifications"), "");
    json_object_set_new(m, "notifications", all);
    return portal_render(pg, "notifications", m);
}

/* ---- errors and dispatch --------------------------------------------------------------- */

/* A failed page is answered as a page, in its language, with the error's
 * status; the message is the program's (English). */
static int error_page(const portal_page *pg, int code)
{
    json_t *m = portal_base(pg, web_t(pg->lang, code == ACCORD_ENOTFOUND ? "Not found" : "Cannot show this page"), "");
    json_object_set_new(m, "message", json_string(accord_error_message()));
    json_object_set_new(m, "not_found", json_boolean(code == ACCORD_ENOTFOUND));
    /* What was wrong, in the person's language, beside the program's message. */
    const char *field = code == ACCORD_EINVAL ? accord_error_field() : NULL;
    if (field && strcmp(field, "as_of") == 0) {
        char today[11], last[16];
        clock_today(today);
        snprintf(last, sizeof last, "%04d-12-31", (date_year(today) + HTTP_DATE_YEARS_AHEAD) % 10000);
        json_object_set_new(m, "hint", json_string(web_t(pg->lang, "The date must be a day written YYYY-MM-DD, from the first to the last date below.")));
        json_object_set_new(m, "first_date", json_string(HTTP_FIRST_DATE));
        json_object_set_new(m, "last_date", json_string(last));
        portal_dress_date(pg, m, "first_date");
        portal_dress_date(pg, m, "last_date");
    } else if (field && strcmp(field, "index") == 0)
        json_object_set_new(m, "hint", json_string(web_t(pg->lang, "The entry must be a whole number, 0 or more, below the log's size.")));
    buf_reset(&pg->req->text);
    pg->req->status = accord_error_http_status(code);
    return portal_render(pg, "error", m);
}

/* Splits 'rest' into at most 4 segments (in 'scratch'). */
static size_t split(const char *rest, char *scratch, size_t len, const char *seg[4])
{
    snprintf(scratch, len, "%s", rest);
    size_t n = 0;
    char *save = NULL;
    for (char *s = strtok_r(scratch, "/", &save); s && n < 4; s = strtok_r(NULL, "/", &save))
        seg[n++] = s;
    if (strtok_r(NULL, "/", &save))
        return 5;
    return n;
}

int portal_dispatch(http_req *req)
{
    int rc = web_init();
    if (rc)
        return rc;
    /* The route is /{code}/ or /{code}/{*}: the language is the path's first segment. */
    char code[3] = {req->path[0] ? req->path[1] : 0, req->path[1] ? req->path[2] : 0, 0};
    const web_lang *lang = web_lang_find(code);
    if (!lang)
        return accord_fail(ACCORD_ENOTFOUND, NULL, "no such resource: %s", req->path);
    return portal_page_render(req, lang, req->params[0] ? req->params[0] : "");
}

int portal_page_render(http_req *req, const web_lang *lang, const char *rest)
{
    int rc;
    portal_page pg = {.req = req, .lang = lang, .rest = rest};
    if (strlen(pg.rest) > MAX_REST)
        return accord_fail(ACCORD_ENOTFOUND, NULL, "no such resource: %s", req->path ? req->path : rest);
    char scratch[MAX_REST + 1];
    const char *seg[4] = {0};
    size_t n = split(pg.rest, scratch, sizeof scratch, seg);
#define IS(i, s) (n > (i) && strcmp(seg[i], s) == 0)
    if (n == 0)
        rc = home_page(&pg);
    else if (n == 2 && IS(0, "instruments"))
        rc = instrument_page(&pg, seg[1]);
    else if (n == 3 && IS(0, "instruments") && IS(2, "implementation"))
        rc = implementation_page(&pg, seg[1]);
    else if (n == 2 && IS(0, "parties"))
        rc = party_page(&pg, seg[1]);
    else if (n == 1 && IS(0, "groups"))
        rc = groups_page(&pg);
    else if (n == 2 && IS(0, "groups"))
        rc = group_page(&pg, seg[1]);
    else if (n == 2 && IS(0, "regions"))
        rc = region_page(&pg, seg[1]);
    else if (n == 1 && IS(0, "notifications"))
        rc = notifications_page(&pg);
    else if (n == 3 && IS(0, "assistance") && IS(1, "countries"))
        rc = portal_assistance_country_page(&pg, seg[2]);
    else if (n == 2 && IS(0, "assistance") && IS(1, "gaps"))
        rc = portal_assistance_gaps_page(&pg);
    else if (n == 3 && IS(0, "assistance") && IS(1, "entities"))
        rc = portal_assistance_entity_page(&pg, seg[2]);
    else if (n == 4 && IS(0, "assistance") && IS(1, "entities")) {
        char office[2 * MAX_REST + 2]; /* an office: "unodc/almaty" */
        snprintf(office, sizeof office, "%s/%s", seg[2], seg[3]);
        rc = portal_assistance_entity_page(&pg, office);
    } else if (n == 4 && IS(0, "assistance") && IS(1, "frameworks"))
        rc = portal_assistance_framework_page(&pg, seg[2], seg[3]);
    else if (n == 1 && IS(0, "log"))
        rc = portal_log_page(&pg);
    else if (n == 3 && IS(0, "log") && IS(1, "entries"))
        rc = portal_log_entry_page(&pg, seg[2]);
    else
        rc = accord_fail(ACCORD_ENOTFOUND, NULL, "no such page: %s", req->path);
#undef IS
    if (rc == ACCORD_ENOTFOUND || rc == ACCORD_EINVAL)
        rc = error_page(&pg, rc);
    return rc;
}

int portal_root(http_req *req)
{
    const char *accept = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, "Accept-Language");
    const web_lang *lang = web_lang_negotiate(accept);
    req->status = 302;
    snprintf(req->location, sizeof req->location, "/%s/", lang->code);
    req->vary = "Accept-Language";
    req->cache_control = "no-cache";
    req->content_type = "text/html; charset=utf-8";
    return buf_printf(&req->text, "<!doctype html><title>accord</title><a href=\"/%s/\">/%s/</a>\n", lang->code,
                      lang->code);
}

int portal_static(http_req *req)
{
    int rc = web_init();
    if (rc)
        return rc;
    size_t len;
    const char *css = web_stylesheet(req->params[0], &len);
    if (!css)
        return accord_fail(ACCORD_ENOTFOUND, NULL, "no such file: %s", req->path);
    req->content_type = "text/css; charset=utf-8";
    req->cache_control = "public, max-age=31536000, immutable";
    return buf_append(&req->text, css, len);
}
