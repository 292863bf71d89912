/* The assistance read views. Each reads the tables, keeps what the
 * filter and the viewer allow, and gives codes with readable names side
 * by side. Non-public needs are read from need_private only for a viewer
 * allowed to see them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assistance/assistance_int.h"
#include "markdown/markdown.h"
#include "registry/registry.h"
#include "store/lookup.h"
#include "store/row_json.h"
#include "util/clock.h"
#include "util/error.h"
#include "util/json.h"

const assistance_viewer ASSISTANCE_PUBLIC = {false, false, NULL};

/* Columns holding JSON arrays or objects as text: parsed in the views. */
static const char *const JSON_COLUMNS[] = {"provisions", "sdg", "gcts", "unsc", "languages", "countries", "regions",
                                           "modalities", "covers", "needs", "instruments", "participants", "origin",
                                           NULL};

/* Makes the JSON-text columns of 'row' values, turns 0/1 flags into
 * booleans, and adds names beside codes. */
static void decorate(json_t *row)
{
    for (const char *const *k = JSON_COLUMNS; *k; k++) {
        json_t *v = json_object_get(row, *k);
        if (json_is_string(v)) {
            json_t *parsed = json_loads(json_string_value(v), 0, NULL);
            json_object_set_new(row, *k, parsed ? parsed : json_null());
        }
    }
    static const char *const flags[] = {"synthetic", "compact_member", NULL};
    for (const char *const *k = flags; *k; k++) {
        json_t *v = json_object_get(row, *k);
        if (json_is_integer(v))
            json_object_set_new(row, *k, json_boolean(json_integer_value(v)));
    }
    const char *thematic = json_string_value(json_object_get(row, "thematic"));
    if (thematic)
        json_object_set_new(row, "thematic_name", json_string(codes_sector_name(thematic) ? codes_sector_name(thematic) : ""));
    const char *sub = json_string_value(json_object_get(row, "subdivision"));
    if (sub && codes_subdivision_name(sub))
        json_object_set_new(row, "subdivision_name", json_string(codes_subdivision_name(sub)));
    json_t *sdg = json_object_get(row, "sdg"), *t;
    size_t i;
    if (json_is_array(sdg)) {
        json_t *named = json_array();
        json_array_foreach(sdg, i, t) json_array_append_new(
            named, json_pack("{s:O, s:s}", "code", t, "name", codes_sdg_name(json_string_value(t)) ? codes_sdg_name(json_string_value(t)) : ""));
        json_object_set_new(row, "sdg_targets", named);
    }
    json_t *gcts = json_object_get(row, "gcts");
    if (json_is_array(gcts)) {
        json_t *named = json_array();
        json_array_foreach(gcts, i, t) json_array_append_new(
            named, json_pack("{s:O, s:s}", "code", t, "name", codes_gcts_name(json_string_value(t)) ? codes_gcts_name(json_string_value(t)) : ""));
        json_object_set_new(row, "gcts_pillars", named);
    }
    /* Source of a compact membership: one object like every source. */
    if (json_object_get(row, "compact_member")) {
        json_t *member = json_object_get(row, "compact_member");
        json_t *src = registry_source_json(json_string_value(json_object_get(row, "compact_source_title")),
                                           json_string_value(json_object_get(row, "compact_source_url")));
        json_object_set_new(row, "compact", json_is_null(member) ? json_null()
                                                                 : json_pack("{s:O, s:o}", "member", member, "source", src));
        if (json_is_null(member))
            json_decref(src);
        json_object_del(row, "compact_member");
        json_object_del(row, "compact_source_title");
        json_object_del(row, "compact_source_url");
    }
    if (json_is_true(json_object_get(row, "synthetic")))
        json_object_set_new(row, "note", json_string("synthetic: made-up data for demonstration, not a real record"));
}

/* Runs 'sql' and returns its rows as decorated objects. */
static int rows(store *db, json_t **out, const char *const *keys, const char *sql, const char *types, ...)
{
    store_stmt *st;
    va_list ap;
    va_start(ap, types);
    int rc = store_queryv(db, &st, sql, types, ap);
    va_end(ap);
    if (!rc) rc = codes_load();
    if (!rc) rc = registry_rows_json(st, keys, out);
    else if (st)
        store_stmt_close(st);
    if (rc)
        return rc;
    size_t i;
    json_t *r;
    json_array_foreach(*out, i, r) decorate(r);
    return ACCORD_OK;
}

/* ---- filters ------------------------------------------------------------- */

typedef struct place_filter {
    const registry_area *region;
    json_t *members; /* codes of the group's members and observers, or NULL */
} place_filter;

static int place_filter_open(store *db, const assistance_filter *f, place_filter *p)
{
    memset(p, 0, sizeof *p);
    int rc = ACCORD_OK;
    if (f && f->region)
        rc = registry_m49_region(f->region, "region", &p->region);
    if (!rc && f && f->group) {
        char today[11];
        clock_today(today);
        rc = registry_group_members(db, f->group, today, &p->members);
    }
    return rc;
}

static void place_filter_close(place_filter *p) { json_decref(p->members); }

static bool place_ok(const place_filter *p, const assistance_filter *f, const char *country)
{
    if (!country)
        return !(f && (f->country || p->region || p->members));
    if (f && f->country && strcmp(f->country, country))
        return false;
    if (p->region && !registry_m49_within(country, p->region))
        return false;
    if (p->members) {
        size_t i;
        json_t *m;
        json_array_foreach(p->members, i, m) if (strcmp(json_string_value(json_object_get(m, "code")), country) == 0) return true;
        return false;
    }
    return true;
}

/* Keeps the rows of 'list' whose 'key' passes the place filter. */
static int keep_places(store *db, const assistance_filter *f, json_t *list, const char *key)
{
    place_filter p;
    int rc = place_filter_open(db, f, &p);
    for (size_t i = 0; !rc && i < json_array_size(list);) {
        if (place_ok(&p, f, json_string_value(json_object_get(json_array_get(list, i), key))))
            i++;
        else
            json_array_remove(list, i);
    }
    place_filter_close(&p);
    return rc;
}

static bool entity_within(const char *code, const char *entity)
{
    size_t n = strlen(entity);
    return code && strncmp(code, entity, n) == 0 && (code[n] == '\0' || (code[n] == '/' && !strchr(entity, '/')));
}

/* ---- entities and offices ------------------------------------------------ */

#define ENTITY_COLUMNS "code, kind, name, party, org_type, compact_member, compact_source_title, compact_source_url," \
                       " source_title, source_url, synthetic"
static const char *const ENTITY_KEYS[] = {"code", "kind", "name", "party", "org_type", "compact_member",
                                          "compact_source_title", "compact_source_url", "source_title", "source_url",
                                          "synthetic", NULL};
#define OFFICE_COLUMNS "o.code, o.entity, e.name, o.kind, o.name, o.country, p.name, o.subdivision, o.covers," \
                       " o.source_title, o.source_url, o.synthetic"
static const char *const OFFICE_KEYS[] = {"code", "entity", "entity_name", "kind", "name", "country", "country_name",
                                          "subdivision", "covers", "source_title", "source_url", "synthetic", NULL};
#define OFFICE_FROM " FROM office o JOIN entity e ON e.code = o.entity JOIN party p ON p.code = o.country"

int assistance_entities(store *db, const assistance_filter *f, json_t **out)
{
    (void)f;
    return rows(db, out, ENTITY_KEYS, "SELECT " ENTITY_COLUMNS " FROM entity ORDER BY kind, code", "");
}

int assistance_offices(store *db, const assistance_filter *f, json_t **out)
{
    int rc = rows(db, out, OFFICE_KEYS, "SELECT " OFFICE_COLUMNS OFFICE_FROM " ORDER BY o.entity, o.kind DESC, o.code",
                  "");
    if (!rc && f && f->entity) {
        for (size_t i = 0; i < json_array_size(*out);) {
            if (entity_within(json_string_value(json_object_get(json_array_get(*out, i), "code")), f->entity))
                i++;
            else
                json_array_remove(*out, i);
        }
    }
    if (!rc)
        rc = keep_places(db, f, *out, "country");
    if (rc)
        json_decref(*out), *out = NULL;
    return rc;
}

int assistance_entity(store *db, const char *code, json_t **out)
{
    json_t *list = NULL;
    *out = NULL;
    int rc = rows(db, &list, ENTITY_KEYS, "SELECT " ENTITY_COLUMNS " FROM entity WHERE code = ?", "s", code);
    if (!rc && json_array_size(list) == 0)
        rc = accord_fail(ACCORD_ENOTFOUND, "entity", "no entity '%s'", code);
    if (!rc) {
        *out = json_incref(json_array_get(list, 0));
        json_t *by = NULL;
        rc = assistance_by_entity(db, code, &by);
        if (!rc)
            json_object_set(*out, "offices", json_object_get(by, "offices"));
        json_decref(by);
    }
    json_decref(list);
    if (rc)
        json_decref(*out), *out = NULL;
    return rc;
}

/* ---- needs ------------------------------------------------------------------ */

#define NEED_COLUMNS "n.id, n.access, n.beneficiary, p.name, n.title, n.body, n.instrument, n.provisions, n.thematic," \
                     " n.sdg, n.gcts, n.unsc, n.priority, n.languages, n.period_from, n.period_to, n.origin, n.synthetic"
static const char *const NEED_KEYS[] = {"id", "access", "beneficiary", "beneficiary_name", "title", "body",
                                        "instrument", "provisions", "thematic", "sdg", "gcts", "unsc", "priority",
                                        "languages", "period_from", "period_to", "origin", "synthetic", NULL};
/* The needs 'viewer' may see: public ones from need, the others from
 * need_private. Binds: all, providers, party, then the WHERE's own. */
#define VISIBLE_NEEDS(where)                                                                                   \
    "SELECT " NEED_COLUMNS " FROM need n JOIN party p ON p.code = n.beneficiary WHERE n.access = 'public' " where \
    " UNION ALL SELECT " NEED_COLUMNS " FROM need_private n JOIN party p ON p.code = n.beneficiary"              \
    " WHERE (?1 OR (?2 AND n.access = 'providers') OR n.beneficiary = ?3) " where

static int visible_needs(store *db, const assistance_viewer *v, const char *id, json_t **out)
{
    if (id)
        return rows(db, out, NEED_KEYS, VISIBLE_NEEDS("AND n.id = ?4"), "iiss", (int64_t)v->all,
                    (int64_t)v->providers, v->party ? v->party : "", id);
    return rows(db, out, NEED_KEYS, "SELECT * FROM (" VISIBLE_NEEDS("") ") ORDER BY 3, 1", "iis", (int64_t)v->all,
                (int64_t)v->providers, v->party ? v->party : "");
}

/* The activities that answer each need in 'needs' (ids), added as
 * "answered_by", each with the offer it was linked through (or null). */
static int add_answers(store *db, json_t *needs)
{
    size_t i;
    json_t *n;
    json_array_foreach(needs, i, n)
    {
        json_t *acts;
        int rc = rows(db, &acts, (const char *const[]){"id", "title", "implementing", "status", "offer", NULL},
                      "SELECT a.id, a.title, a.implementing, a.status, a.offer FROM activity a, json_each(a.needs) j"
                      " WHERE j.value = ? ORDER BY a.id",
                      "s", json_string_value(json_object_get(n, "id")));
        if (rc)
            return rc;
        json_object_set_new(n, "answered_by", acts);
    }
    return ACCORD_OK;
}

int assistance_needs(store *db, const assistance_viewer *v, const assistance_filter *f, json_t **out)
{
    int rc = visible_needs(db, v, NULL, out);
    if (!rc && f && f->access) {
        for (size_t i = 0; i < json_array_size(*out);) {
            if (strcmp(json_string_value(json_object_get(json_array_get(*out, i), "access")), f->access) == 0)
                i++;
            else
                json_array_remove(*out, i);
        }
    }
    if (!rc) rc = keep_places(db, f, *out, "beneficiary");
    if (!rc) rc = add_answers(db, *out);
    if (rc && *out)
        json_decref(*out), *out = NULL;
    return rc;
}

int assistance_need(store *db, const assistance_viewer *v, const char *id, json_t **out)
{
    json_t *list;
    *out = NULL;
    int rc = visible_needs(db, v, id, &list);
    if (rc)
        return rc;
    if (json_array_size(list) == 0)
        rc = accord_fail(ACCORD_ENOTFOUND, "need", "no need '%s' that you may see", id);
    if (!rc) rc = add_answers(db, list);
    if (!rc) {
        *out = json_incref(json_array_get(list, 0));
        rc = markdown_add_html(*out, "body");
    }
    json_decref(list);
    if (rc)
        json_decref(*out), *out = NULL;
    return rc;
}

int assistance_need_access(store *db, const char *id, char access[16], char party[16])
{
    party[0] = '\0';
    int rc = store_one_text(db, access, 16, "SELECT access FROM need WHERE id = ?", "s", id);
    if (rc == STORE_DONE)
        return accord_fail(ACCORD_ENOTFOUND, "need", "no need '%s'", id);
    if (rc < 0)
        return rc;
    const char *sql = strcmp(access, "public") == 0 ? "SELECT beneficiary FROM need WHERE id = ?"
                                                    : "SELECT beneficiary FROM need_private WHERE id = ?";
    rc = store_one_text(db, party, 16, sql, "s", id);
    return rc < 0 ? rc : ACCORD_OK;
}

const char *assistance_need_event(const json_t *need)
{
    const char *access = json_string_value(json_object_get(need, "access"));
    return access && strcmp(access, "public") == 0 ? "need.recorded" : "need.held";
}

int assistance_need_from_report(store *db, const char *instrument, const char *cycle, const char *party,
                                long long provision, json_t *need)
{
    /* The released report first, else the party's latest draft. */
    static const char *const sql[] = {
        "SELECT content, version FROM report WHERE instrument = ? AND cycle = ? AND party = ? AND provision = ?"
        " ORDER BY version DESC LIMIT 1",
        "SELECT content, version FROM report_draft WHERE instrument = ? AND cycle = ? AND party = ? AND provision = ?"
        " ORDER BY version DESC LIMIT 1"};
    for (int s = 0; s < 2; s++) {
        store_stmt *st;
        int rc = store_query(db, &st, sql[s], "sssi", instrument, cycle, party, (int64_t)provision);
        if (rc)
            return rc;
        rc = store_step(st);
        json_t *content = rc == STORE_ROW ? json_loads(store_col_text(st, 0), 0, NULL) : NULL;
        int64_t version = rc == STORE_ROW ? store_col_int(st, 1) : 0;
        store_stmt_close(st);
        if (rc < 0)
            return rc;
        const char *text = json_string_value(json_object_get(content, "assistance_needs"));
        if (text && *text) {
            json_set_str(need, "body", text);
            json_object_set_new(need, "instrument", json_string(instrument));
            json_object_set_new(need, "provisions", json_pack("[I]", (json_int_t)provision));
            json_object_set_new(need, "origin", json_pack("{s:s, s:s, s:s, s:I, s:I}", "instrument", instrument,
                                                          "cycle", cycle, "party", party, "provision",
                                                          (json_int_t)provision, "version", (json_int_t)version));
            json_decref(content);
            return ACCORD_OK;
        }
        json_decref(content);
    }
    return accord_fail(ACCORD_ENOTFOUND, "provision",
                       "%s has no report or draft on provision %lld in cycle %s that states assistance needs", party,
                       provision, cycle);
}

/* ---- offers -------------------------------------------------------------- */

#define OFFER_COLUMNS "o.id, o.provider, e.name, e.kind, o.title, o.body, o.instrument, o.provisions, o.thematic, o.sdg," \
                      " o.gcts, o.unsc, o.countries, o.regions, o.modalities, o.languages, o.period_from, o.period_to,"  \
                      " o.budget, o.currency, o.synthetic"
static const char *const OFFER_KEYS[] = {"id", "provider", "provider_name", "provider_kind", "title", "body",
                                         "instrument", "provisions", "thematic", "sdg", "gcts", "unsc", "countries",
                                         "regions", "modalities", "languages", "period_from", "period_to", "budget",
                                         "currency", "synthetic", NULL};

int assistance_offers(store *db, const assistance_filter *f, json_t **out)
{
    int rc = rows(db, out, OFFER_KEYS,
                  "SELECT " OFFER_COLUMNS " FROM offer o JOIN entity e ON e.code = o.provider ORDER BY o.id", "");
    if (!rc && f && f->entity) {
        for (size_t i = 0; i < json_array_size(*out);) {
            if (entity_within(json_string_value(json_object_get(json_array_get(*out, i), "provider")), f->entity))
                i++;
            else
                json_array_remove(*out, i);
        }
    }
    return rc;
}

/* ---- activities ------------------------------------------------------------ */

#define ACTIVITY_COLUMNS                                                                                            \
    "a.id, a.title, a.body, a.implementing, coalesce(o.name, e.name), o.kind, coalesce(o.entity, a.implementing),"    \
    " a.programming, pe.name, a.funder, fe.name, a.country, p.name, p.alpha2, a.subdivision, a.instrument,"          \
    " a.provisions, a.thematic, a.sdg, a.gcts, a.unsc, a.status, a.planned_start, a.planned_end, a.actual_start,"   \
    " a.actual_end, a.needs, a.offer, a.meeting, a.synthetic, coalesce(ie.name, e.name), coalesce(ie.kind, e.kind),"  \
    " coalesce(ie.org_type, e.org_type)"
static const char *const ACTIVITY_KEYS[] = {
    "id", "title", "body", "implementing", "implementing_name", "office_kind", "entity", "programming",
    "programming_name", "funder", "funder_name", "country", "country_name", "country_alpha2", "subdivision",
    "instrument", "provisions", "thematic", "sdg", "gcts", "unsc", "status", "planned_start", "planned_end",
    "actual_start", "actual_end", "needs", "offer", "meeting", "synthetic", "entity_name", "entity_kind",
    "entity_org_type", NULL};
#define ACTIVITY_FROM                                                                                        \
    " FROM activity a JOIN party p ON p.code = a.country LEFT JOIN office o ON o.code = a.implementing"       \
    " LEFT JOIN entity e ON e.code = a.implementing LEFT JOIN entity ie ON ie.code = o.entity"                \
    " LEFT JOIN entity pe ON pe.code = a.programming LEFT JOIN entity fe ON fe.code = a.funder"

/* Drops from each activity's "needs" the ids 'v' may not see. */
static int hide_needs(store *db, const assistance_viewer *v, json_t *acts)
{
    json_t *visible;
    int rc = visible_needs(db, v, NULL, &visible);
    if (rc)
        return rc;
    size_t i, k;
    json_t *a, *n;
    json_array_foreach(acts, i, a)
    {
        json_t *needs = json_object_get(a, "needs"), *kept = json_array(), *answered = json_array();
        json_array_foreach(needs, k, n)
        {
            size_t j;
            json_t *vn;
            json_array_foreach(visible, j, vn) if (json_equal(json_object_get(vn, "id"), n))
            {
                json_array_append(kept, n);
                json_array_append_new(answered, json_pack("{s:O, s:O, s:O}", "id", n, "title", json_object_get(vn, "title"),
                                                          "access", json_object_get(vn, "access")));
                break;
            }
        }
        json_object_set_new(a, "needs", kept);
        json_object_set_new(a, "needs_answered", answered);
    }
    json_decref(visible);
    return ACCORD_OK;
}

int assistance_activities(store *db, const assistance_viewer *v, const assistance_filter *f, json_t **out)
{
    int rc = rows(db, out, ACTIVITY_KEYS, "SELECT " ACTIVITY_COLUMNS ACTIVITY_FROM " ORDER BY a.country, a.id", "");
    if (!rc && f && (f->entity || f->status))
        for (size_t i = 0; i < json_array_size(*out);) {
            json_t *a = json_array_get(*out, i);
            if ((!f->entity || entity_within(json_string_value(json_object_get(a, "implementing")), f->entity)) &&
                (!f->status || strcmp(f->status, json_string_value(json_object_get(a, "status"))) == 0))
                i++;
            else
                json_array_remove(*out, i);
        }
    if (!rc) rc = keep_places(db, f, *out, "country");
    if (!rc) rc = hide_needs(db, v, *out);
    if (rc && *out)
        json_decref(*out), *out = NULL;
    return rc;
}

/* ---- matching ---------------------------------------------------------------- */

static bool shares(const json_t *a, const json_t *b, json_t *into)
{
    size_t i, j;
    json_t *x, *y;
    bool any = false;
    json_array_foreach(a, i, x) json_array_foreach(b, j, y) if (json_equal(x, y))
    {
        if (into)
            json_array_append(into, x);
        any = true;
    }
    return any;
}

static bool periods_overlap(const char *a1, const char *a2, const char *b1, const char *b2)
{
    /* Open ends run for ever. */
    return (!a1 || !b2 || strcmp(a1, b2) <= 0) && (!b1 || !a2 || strcmp(b1, a2) <= 0);
}

/* Scores 'offer' against 'need': shared provisions 3 each, the same
 * thematic area 3, the need's country served 3 (by name) or 2 (by
 * region), a shared language 1, overlapping periods 1. */
static json_t *score(const json_t *need, const json_t *offer)
{
    int points = 0;
    json_t *reasons = json_array(), *common = json_array();
    const char *country = json_string_value(json_object_get(need, "beneficiary"));
    if (shares(json_object_get(need, "provisions"), json_object_get(offer, "provisions"), common)) {
        points += 3 * (int)json_array_size(common);
        json_array_append_new(reasons, json_pack("{s:s, s:O}", "reason", "provisions", "provisions", common));
    }
    const char *nt = json_string_value(json_object_get(need, "thematic"));
    const char *ot = json_string_value(json_object_get(offer, "thematic"));
    if (nt && ot && strcmp(nt, ot) == 0) {
        points += 3;
        json_array_append_new(reasons, json_pack("{s:s, s:s}", "reason", "thematic", "thematic", nt));
    }
    json_t *c = json_string(country);
    json_t *one = json_pack("[O]", c);
    if (shares(one, json_object_get(offer, "countries"), NULL)) {
        points += 3;
        json_array_append_new(reasons, json_pack("{s:s, s:O}", "reason", "country", "country", c));
    } else {
        size_t i;
        json_t *r;
        json_array_foreach(json_object_get(offer, "regions"), i, r)
        {
            const registry_area *a;
            if (registry_m49_region(json_string_value(r), "region", &a) == 0 && registry_m49_within(country, a)) {
                points += 2;
                json_array_append_new(reasons, json_pack("{s:s, s:s, s:s}", "reason", "region", "region", a->code,
                                                         "region_name", a->name));
                break;
            }
        }
        accord_error_clear();
    }
    json_decref(one);
    json_decref(c);
    json_t *langs = json_array();
    if (shares(json_object_get(need, "languages"), json_object_get(offer, "languages"), langs)) {
        points += 1;
        json_array_append_new(reasons, json_pack("{s:s, s:O}", "reason", "languages", "languages", langs));
    }
    const char *n1 = json_string_value(json_object_get(need, "period_from")), *n2 = json_string_value(json_object_get(need, "period_to"));
    const char *o1 = json_string_value(json_object_get(offer, "period_from")), *o2 = json_string_value(json_object_get(offer, "period_to"));
    if ((n1 || n2) && (o1 || o2) && periods_overlap(n1, n2, o1, o2)) {
        points += 1;
        json_array_append_new(reasons, json_pack("{s:s}", "reason", "period"));
    }
    json_decref(common);
    json_decref(langs);
    json_t *modalities = json_object_get(offer, "modalities");
    return json_pack("{s:O, s:O, s:O, s:O, s:O, s:i, s:o}", "offer", json_object_get(offer, "id"), "title",
                     json_object_get(offer, "title"), "provider", json_object_get(offer, "provider"), "modalities",
                     modalities ? modalities : json_null(), "synthetic", json_object_get(offer, "synthetic"), "score",
                     points, "reasons", reasons);
}

static int by_score(const void *a, const void *b)
{
    json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    json_int_t sx = json_integer_value(json_object_get(x, "score")), sy = json_integer_value(json_object_get(y, "score"));
    if (sx != sy)
        return sx < sy ? 1 : -1;
    return strcmp(json_string_value(json_object_get(x, "offer")), json_string_value(json_object_get(y, "offer")));
}

/* The activities of 'need' (its "answered_by") linked through offer
 * 'offer': a new array of their ids. */
static json_t *linked_by(const json_t *need, const json_t *offer)
{
    json_t *ids = json_array(), *a;
    size_t i;
    json_array_foreach(json_object_get(need, "answered_by"), i, a) if (json_equal(json_object_get(a, "offer"), offer))
        json_array_append(ids, json_object_get(a, "id"));
    return ids;
}

/* Ranked matches of one need object against 'offers'. An offer the need
 * is linked to says so ("linked_by": the activities) and is listed even
 * when it scores nothing. */
static json_t *rank(const json_t *need, const json_t *offers)
{
    size_t i, n = 0;
    json_t *o;
    json_t **all = calloc(json_array_size(offers) + 1, sizeof *all);
    if (!all)
        return json_array();
    json_array_foreach(offers, i, o)
    {
        json_t *m = score(need, o), *links = linked_by(need, json_object_get(o, "id"));
        json_object_set_new(m, "linked", json_boolean(json_array_size(links) > 0));
        json_object_set_new(m, "linked_by", links);
        if (json_integer_value(json_object_get(m, "score")) > 0 || json_array_size(links) > 0)
            all[n++] = m;
        else
            json_decref(m);
    }
    qsort(all, n, sizeof *all, by_score);
    json_t *out = json_array();
    for (i = 0; i < n; i++)
        json_array_append_new(out, all[i]);
    free(all);
    return out;
}

int assistance_matches(store *db, const assistance_viewer *v, const char *id, json_t **out)
{
    json_t *need = NULL, *offers = NULL;
    *out = NULL;
    int rc = assistance_need(db, v, id, &need);
    if (!rc) rc = assistance_offers(db, NULL, &offers);
    if (!rc)
        *out = json_pack("{s:O, s:O, s:o, s:s}", "need", json_object_get(need, "id"), "beneficiary",
                         json_object_get(need, "beneficiary"), "matches", rank(need, offers), "scoring",
                         "3 per shared provision, 3 for the same thematic area, 3 when the offer names the country or "
                         "2 when it covers the country's region, 1 for a shared language, 1 for overlapping periods");
    json_decref(need);
    json_decref(offers);
    return rc;
}

/* ---- coordination ------------------------------------------------------------- */

int assistance_country(store *db, const assistance_viewer *v, const char *country, json_t **out)
{
    assistance_filter f = {.country = country};
    json_t *needs = NULL, *acts = NULL, *offers = NULL, *offices = NULL;
    json_t *party = registry_party_brief(db, country, NULL);
    *out = NULL;
    if (!party)
        return accord_fail(ACCORD_ENOTFOUND, "country", "no party '%s'", country);
    int rc = assistance_needs(db, v, &f, &needs);
    if (!rc) rc = assistance_activities(db, v, &f, &acts);
    if (!rc) rc = assistance_offers(db, NULL, &offers);
    if (!rc) rc = assistance_offices(db, NULL, &offices);
    if (rc)
        goto out;
    /* Offices in or covering the country. */
    json_t *near = json_array(), *o, *n, *a;
    size_t i, j;
    json_t *c = json_pack("[s]", country);
    json_array_foreach(offices, i, o) if (strcmp(json_string_value(json_object_get(o, "country")), country) == 0 ||
                                          shares(c, json_object_get(o, "covers"), NULL)) json_array_append(near, o);
    json_decref(c);
    /* Each need with the offers that could serve it. */
    json_array_foreach(needs, i, n) json_object_set_new(n, "matches", rank(n, offers));
    /* Per provision: needs and activities. */
    json_t *per = json_object();
    json_array_foreach(needs, i, n)
    {
        json_t *p;
        json_array_foreach(json_object_get(n, "provisions"), j, p)
        {
            char key[24];
            snprintf(key, sizeof key, "%lld", (long long)json_integer_value(p));
            json_t *slot = json_object_get(per, key);
            if (!slot)
                json_object_set_new(per, key, slot = json_pack("{s:I, s:[], s:[]}", "provision", (json_int_t)json_integer_value(p), "needs", "activities"));
            json_array_append(json_object_get(slot, "needs"), json_object_get(n, "id"));
        }
    }
    json_array_foreach(acts, i, a)
    {
        json_t *p;
        json_array_foreach(json_object_get(a, "provisions"), j, p)
        {
            char key[24];
            snprintf(key, sizeof key, "%lld", (long long)json_integer_value(p));
            json_t *slot = json_object_get(per, key);
            if (!slot)
                json_object_set_new(per, key, slot = json_pack("{s:I, s:[], s:[]}", "provision", (json_int_t)json_integer_value(p), "needs", "activities"));
            json_array_append(json_object_get(slot, "activities"), json_object_get(a, "id"));
        }
    }
    json_t *provisions = json_array(), *slot;
    const char *key;
    json_object_foreach(per, key, slot) json_array_append(provisions, slot);
    json_decref(per);
    *out = json_pack("{s:o, s:o, s:o, s:o, s:o}", "party", party, "needs", needs, "activities", acts, "offices", near,
                     "provisions", provisions);
    party = needs = acts = NULL;
out:
    json_decref(party);
    json_decref(needs);
    json_decref(acts);
    json_decref(offers);
    json_decref(offices);
    return rc;
}

static int strcmp_ptr(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }

static bool active(const json_t *a)
{
    const char *s = json_string_value(json_object_get(a, "status"));
    return strcmp(s, "pipeline") == 0 || strcmp(s, "implementation") == 0;
}

int assistance_gaps(store *db, const assistance_viewer *v, const assistance_filter *f, json_t **out)
{
    json_t *needs = NULL, *acts = NULL, *offices = NULL;
    *out = NULL;
    int rc = assistance_needs(db, v, f, &needs);
    if (!rc) rc = assistance_activities(db, v, f, &acts);
    if (!rc) rc = assistance_offices(db, NULL, &offices);
    if (rc)
        goto out;
    json_t *unanswered = json_array(), *n, *a, *o, *p;
    size_t i, j, k;
    json_array_foreach(needs, i, n) if (json_array_size(json_object_get(n, "answered_by")) == 0)
        json_array_append_new(unanswered, json_pack("{s:s, s:O, s:O, s:O, s:O, s:O, s:O, s:O}", "gap", "need_unanswered", "need",
                                                     json_object_get(n, "id"), "title", json_object_get(n, "title"),
                                                     "country", json_object_get(n, "beneficiary"), "country_name",
                                                     json_object_get(n, "beneficiary_name"), "provisions",
                                                     json_object_get(n, "provisions"), "priority",
                                                     json_object_get(n, "priority"), "synthetic",
                                                     json_object_get(n, "synthetic")));
    /* Provisions needed in two or more countries with at most one
     * entity active on them. */
    json_t *per = json_object();
    json_array_foreach(needs, i, n) json_array_foreach(json_object_get(n, "provisions"), j, p)
    {
        char key[24];
        snprintf(key, sizeof key, "%lld", (long long)json_integer_value(p));
        json_t *slot = json_object_get(per, key);
        if (!slot)
            json_object_set_new(per, key, slot = json_pack("{s:s, s:O, s:{}, s:{}}", "gap", "provision_few_providers", "provision", p, "countries", "providers"));
        json_object_set(json_object_get(slot, "countries"), json_string_value(json_object_get(n, "beneficiary")), json_true());
    }
    json_array_foreach(acts, i, a) if (active(a)) json_array_foreach(json_object_get(a, "provisions"), j, p)
    {
        char key[24];
        snprintf(key, sizeof key, "%lld", (long long)json_integer_value(p));
        json_t *slot = json_object_get(per, key);
        if (slot)
            json_object_set(json_object_get(slot, "providers"), json_string_value(json_object_get(a, "entity")), json_true());
    }
    json_t *few = json_array(), *slot;
    const char *key;
    json_object_foreach(per, key, slot)
    {
        size_t nc = json_object_size(json_object_get(slot, "countries")), np = json_object_size(json_object_get(slot, "providers"));
        if (nc >= 2 && np <= 1) {
            json_t *cs = json_array(), *ps = json_array(), *x;
            const char *kk;
            json_object_foreach(json_object_get(slot, "countries"), kk, x) json_array_append_new(cs, json_string(kk));
            json_object_foreach(json_object_get(slot, "providers"), kk, x) json_array_append_new(ps, json_string(kk));
            json_array_append_new(few, json_pack("{s:s, s:O, s:o, s:o}", "gap", "provision_few_providers", "provision",
                                                 json_object_get(slot, "provision"), "countries", cs, "providers", ps));
        }
    }
    json_decref(per);
    /* Countries with needs and no office in or covering them. */
    json_t *uncovered = json_array(), *seen = json_object();
    json_array_foreach(needs, i, n)
    {
        const char *c = json_string_value(json_object_get(n, "beneficiary"));
        if (json_object_get(seen, c))
            continue;
        json_object_set(seen, c, json_true());
        bool covered = false;
        json_t *one = json_pack("[s]", c);
        json_array_foreach(offices, k, o) if (strcmp(json_string_value(json_object_get(o, "country")), c) == 0 ||
                                              shares(one, json_object_get(o, "covers"), NULL)) covered = true;
        json_decref(one);
        if (!covered)
            json_array_append_new(uncovered, json_pack("{s:s, s:s, s:O}", "gap", "country_without_office", "country", c,
                                                       "country_name", json_object_get(n, "beneficiary_name")));
    }
    json_decref(seen);
    *out = json_pack("{s:o, s:o, s:o}", "needs_without_activity", unanswered, "provisions_with_few_providers", few,
                     "countries_without_office", uncovered);
out:
    json_decref(needs);
    json_decref(acts);
    json_decref(offices);
    return rc;
}

int assistance_overlaps(store *db, const assistance_filter *f, json_t **out)
{
    json_t *acts = NULL;
    int rc = assistance_activities(db, &ASSISTANCE_PUBLIC, f, &acts);
    if (rc)
        return rc;
    *out = json_array();
    size_t n = json_array_size(acts);
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++) {
            json_t *a = json_array_get(acts, i), *b = json_array_get(acts, j), *common = json_array();
            const char *ea = json_string_value(json_object_get(a, "entity")), *eb = json_string_value(json_object_get(b, "entity"));
            if (active(a) && active(b) && strcmp(ea, eb) != 0 &&
                json_equal(json_object_get(a, "country"), json_object_get(b, "country")) &&
                shares(json_object_get(a, "provisions"), json_object_get(b, "provisions"), common) &&
                periods_overlap(json_string_value(json_object_get(a, "planned_start")),
                                json_string_value(json_object_get(a, "planned_end")),
                                json_string_value(json_object_get(b, "planned_start")),
                                json_string_value(json_object_get(b, "planned_end"))))
                json_array_append_new(*out, json_pack("{s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:b}", "country",
                                                      json_object_get(a, "country"), "country_name",
                                                      json_object_get(a, "country_name"), "provisions", common,
                                                      "activity", json_object_get(a, "id"), "entity", json_object_get(a, "entity"),
                                                      "other_activity", json_object_get(b, "id"), "other_entity",
                                                      json_object_get(b, "entity"), "synthetic",
                                                      json_is_true(json_object_get(a, "synthetic")) ||
                                                          json_is_true(json_object_get(b, "synthetic"))));
            json_decref(common);
        }
    json_decref(acts);
    return ACCORD_OK;
}

int assistance_by_entity(store *db, const char *entity, json_t **out)
{
    assistance_filter f = {.entity = entity};
    json_t *offices = NULL, *acts = NULL;
    *out = NULL;
    int rc = assistance_offices(db, &f, &offices);
    if (!rc) rc = assistance_activities(db, &ASSISTANCE_PUBLIC, &f, &acts);
    if (!rc && json_array_size(offices) == 0 && json_array_size(acts) == 0 &&
        store_exists(db, "SELECT 1 FROM entity WHERE code = ?", "s", entity) != STORE_ROW)
        rc = accord_fail(ACCORD_ENOTFOUND, "entity", "no entity or office '%s'", entity);
    if (!rc) {
        /* Each office with what it does where; activities recorded for
         * the entity itself stand apart. */
        size_t i, j;
        json_t *o, *a;
        json_array_foreach(offices, i, o)
        {
            json_t *mine = json_array(), *where = json_object();
            json_array_foreach(acts, j, a) if (json_equal(json_object_get(a, "implementing"), json_object_get(o, "code")))
            {
                json_array_append_new(mine, json_pack("{s:O, s:O, s:O, s:O, s:O, s:O}", "id", json_object_get(a, "id"), "title",
                                                      json_object_get(a, "title"), "country", json_object_get(a, "country"),
                                                      "status", json_object_get(a, "status"), "provisions",
                                                      json_object_get(a, "provisions"), "synthetic", json_object_get(a, "synthetic")));
                json_object_set(where, json_string_value(json_object_get(a, "country")), json_object_get(a, "country_name"));
            }
            json_t *countries = json_array(), *name;
            const char *code;
            json_object_foreach(where, code, name) json_array_append_new(countries, json_pack("{s:s, s:O}", "code", code, "name", name));
            json_decref(where);
            json_object_set_new(o, "activities", mine);
            json_object_set_new(o, "countries", countries);
        }
        json_t *direct = json_array();
        json_array_foreach(acts, j, a) if (strcmp(json_string_value(json_object_get(a, "implementing")), entity) == 0)
            json_array_append(direct, a);
        *out = json_pack("{s:s, s:O, s:o}", "entity", entity, "offices", offices, "entity_activities", direct);
    }
    json_decref(offices);
    json_decref(acts);
    return rc;
}

int assistance_framework_item(store *db, const assistance_viewer *v, const char *framework, const char *code,
                              json_t **out)
{
    int rc = codes_load();
    if (rc)
        return rc;
    const char *name = NULL;
    json_t *item;
    if (strcmp(framework, "sdg") == 0)
        name = codes_sdg_name(code), item = json_string(code);
    else if (strcmp(framework, "gcts") == 0)
        name = codes_gcts_name(code), item = json_string(code);
    else if (strcmp(framework, "unsc") == 0)
        name = atoi(code) > 0 ? "Security Council resolution" : NULL, item = json_integer(atoi(code));
    else
        return accord_fail(ACCORD_EINVAL, "framework", "framework: must be sdg, gcts or unsc");
    if (!name) {
        json_decref(item);
        return accord_fail(ACCORD_ENOTFOUND, "code", "no %s item '%s'", framework, code);
    }
    json_t *provisions = NULL, *needs = NULL, *offers = NULL, *acts = NULL;
    rc = rows(db, &provisions,
              (const char *const[]){"instrument", "provision", "title", "source_title", "source_url", "synthetic", NULL},
              "SELECT l.instrument, l.provision, p.title, l.source_title, l.source_url, l.synthetic FROM framework_link l"
              " JOIN provision p ON p.instrument = l.instrument AND p.number = l.provision"
              " WHERE l.framework = ? AND l.code = ? ORDER BY 1, 2",
              "ss", framework, code);
    if (!rc) rc = assistance_needs(db, v, NULL, &needs);
    if (!rc) rc = assistance_offers(db, NULL, &offers);
    if (!rc) rc = assistance_activities(db, v, NULL, &acts);
    if (!rc) {
        json_t *lists[] = {needs, offers, acts};
        json_t *one = json_pack("[O]", item);
        for (int l = 0; l < 3; l++)
            for (size_t i = 0; i < json_array_size(lists[l]);)
                if (shares(one, json_object_get(json_array_get(lists[l], i), framework), NULL))
                    i++;
                else
                    json_array_remove(lists[l], i);
        json_decref(one);
        *out = json_pack("{s:s, s:O, s:s, s:o, s:o, s:o, s:o}", "framework", framework, "code", item, "name", name,
                         "provisions", provisions, "needs", needs, "offers", offers, "activities", acts);
        if (strcmp(framework, "gcts") == 0)
            json_object_set_new(*out, "source", registry_source_json(CODES_GCTS_SOURCE_TITLE, CODES_GCTS_SOURCE_URL));
        provisions = needs = offers = acts = NULL;
    }
    json_decref(item);
    json_decref(provisions);
    json_decref(needs);
    json_decref(offers);
    json_decref(acts);
    return rc;
}

int assistance_meetings(store *db, const char *party, json_t **out)
{
    int rc = rows(db, out,
                  (const char *const[]){"id", "date", "date_precision", "title", "place", "organizer", "instruments",
                                        "participants", "note", "source_title", "source_url", "synthetic", NULL},
                  "SELECT id, date, date_precision, title, place, organizer, instruments, participants, note,"
                  " source_title, source_url, synthetic FROM meeting ORDER BY date, id",
                  "");
    if (!rc && party)
        for (size_t i = 0; i < json_array_size(*out);) {
            json_t *m = json_array_get(*out, i), *p;
            size_t j;
            const char *organizer = json_string_value(json_object_get(m, "organizer"));
            bool in = organizer && strcmp(organizer, party) == 0;
            json_array_foreach(json_object_get(m, "participants"), j, p) if (
                json_is_string(json_object_get(p, "party")) &&
                strcmp(json_string_value(json_object_get(p, "party")), party) == 0) in = true;
            /* A party whose recorded action happened at the event took
             * part in it too. */
            if (!in) {
                int found = store_exists(db, "SELECT 1 FROM action WHERE party = ? AND event = ?", "ss", party,
                                         json_string_value(json_object_get(m, "id")));
                if (found < 0) {
                    json_decref(*out), *out = NULL;
                    return found;
                }
                in = found == STORE_ROW;
            }
            if (in)
                i++;
            else
                json_array_remove(*out, i);
        }
    return rc;
}

/* Adds 'id' to the cell of ('party', 'provision') in 'cells' (an object
 * keyed "party/provision"), under list 'key'. */
static void cell_add(json_t *cells, const json_t *row, const char *party_key, const char *name_key, json_t *provision,
                     const char *key, const char *flag)
{
    char k[64];
    const char *party = json_string_value(json_object_get(row, party_key));
    snprintf(k, sizeof k, "%s/%04lld", party, (long long)json_integer_value(provision));
    json_t *cell = json_object_get(cells, k);
    if (!cell) {
        cell = json_pack("{s:s, s:O, s:O, s:b, s:[], s:b, s:[]}", "party", party, "party_name",
                         json_object_get(row, name_key), "provision", provision, "requested", 0, "needs", "under_way",
                         0, "activities");
        json_object_set_new(cells, k, cell);
    }
    json_array_append(json_object_get(cell, key), json_object_get(row, "id"));
    json_object_set_new(cell, flag, json_true());
    /* A mark made from a synthetic record says so. */
    if (json_is_true(json_object_get(row, "synthetic")))
        json_object_set_new(cell, "synthetic", json_true());
}

int assistance_matrix(store *db, const assistance_viewer *v, const assistance_filter *f, json_t **out)
{
    json_t *needs = NULL, *acts = NULL;
    *out = NULL;
    int rc = assistance_needs(db, v, f, &needs);
    if (!rc) rc = assistance_activities(db, v, f, &acts);
    if (!rc) {
        json_t *cells = json_object(), *r, *p;
        size_t i, j;
        json_array_foreach(needs, i, r) json_array_foreach(json_object_get(r, "provisions"), j, p)
            cell_add(cells, r, "beneficiary", "beneficiary_name", p, "needs", "requested");
        json_array_foreach(acts, i, r) if (active(r)) json_array_foreach(json_object_get(r, "provisions"), j, p)
            cell_add(cells, r, "country", "country_name", p, "activities", "under_way");
        /* Keys sort by party, then provision (zero-padded). */
        const char *k;
        json_t *cell;
        size_t n = json_object_size(cells), at = 0;
        const char **keys = calloc(n + 1, sizeof *keys);
        if (!keys) {
            json_decref(cells);
            rc = accord_fail(ACCORD_ENOMEM, NULL, "out of memory");
            goto out;
        }
        json_object_foreach(cells, k, cell) keys[at++] = k;
        qsort(keys, n, sizeof *keys, strcmp_ptr);
        *out = json_array();
        for (at = 0; at < n; at++)
            json_array_append(*out, json_object_get(cells, keys[at]));
        free(keys);
        json_decref(cells);
    }
out:
    json_decref(needs);
    json_decref(acts);
    return rc;
}
