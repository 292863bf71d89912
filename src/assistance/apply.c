/* The assistance appliers: each validates one event's data against the
 * current state and writes its rows, stamped with the event's 'seq'.
 * Reachable only through events/ (events/appliers.h). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assistance/assistance_int.h"
#include "events/appliers.h"
#include "registry/registry.h"
#include "store/lookup.h"
#include "util/date.h"
#include "util/error.h"
#include "util/json.h"

#define MAX_NAME 300
#define MAX_CODE 72

bool assistance_id_valid(const char *id)
{
    size_t n = id ? strlen(id) : 0;
    if (n == 0 || n > 64)
        return false;
    for (; *id; id++)
        if (!islower((unsigned char)*id) && !isdigit((unsigned char)*id) && *id != '-')
            return false;
    return true;
}

/* An entity code ("unodc") or an office code ("unodc/almaty"): ids
 * joined by at most one '/'. */
static bool code_valid(const char *code, bool office)
{
    const char *slash = strchr(code, '/');
    if (!office)
        return !slash && assistance_id_valid(code);
    if (!slash || strchr(slash + 1, '/') || (size_t)(slash - code) > 64)
        return false;
    char head[65];
    snprintf(head, sizeof head, "%.*s", (int)(slash - code), code);
    return assistance_id_valid(head) && assistance_id_valid(slash + 1);
}

static bool one_of(const char *s, const char *const *list)
{
    for (; s && *list; list++)
        if (strcmp(s, *list) == 0)
            return true;
    return false;
}

/* Optional boolean 'key' into '*out' (false when absent). */
static int get_bool(const json_t *data, const char *key, bool *out)
{
    json_t *v = json_object_get(data, key);
    *out = json_is_true(v);
    if (v && !json_is_boolean(v))
        return accord_fail(ACCORD_EINVAL, key, "%s: must be true or false", key);
    return ACCORD_OK;
}

/* Compact JSON text of 'v' (caller frees), or NULL for NULL. */
static char *dump(const json_t *v) { return v ? json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS) : NULL; }

/* Checks that list 'key' of 'data' is an array of at most
 * ASSISTANCE_MAX_TAGS items each passing 'check' (which sets the error),
 * and hands its JSON text to '*out' (caller frees; NULL when absent). */
typedef int (*item_check)(store *db, const char *key, const json_t *item, const void *arg);

static int get_list(store *db, const json_t *data, const char *key, item_check check, const void *arg, char **out)
{
    json_t *list = json_object_get(data, key), *item;
    *out = NULL;
    if (!list || json_is_null(list))
        return ACCORD_OK;
    if (!json_is_array(list) || json_array_size(list) > ASSISTANCE_MAX_TAGS)
        return accord_fail(ACCORD_EINVAL, key, "%s: must be a list of at most %d items", key, ASSISTANCE_MAX_TAGS);
    size_t i;
    json_array_foreach(list, i, item)
    {
        int rc = check(db, key, item, arg);
        if (rc)
            return rc;
        for (size_t j = 0; j < i; j++)
            if (json_equal(json_array_get(list, j), item))
                return accord_fail(ACCORD_EINVAL, key, "%s: an item is listed twice", key);
    }
    *out = dump(list);
    return *out ? ACCORD_OK : accord_fail(ACCORD_ENOMEM, NULL, "out of memory");
}

static int check_sdg(store *db, const char *key, const json_t *item, const void *arg)
{
    (void)db, (void)arg;
    if (!json_is_string(item) || !codes_sdg_name(json_string_value(item)))
        return accord_fail(ACCORD_EINVAL, key, "%s: give SDG targets from the UNSDG-Targets codelist, such as \"16.a\"",
                           key);
    return ACCORD_OK;
}

static int check_gcts(store *db, const char *key, const json_t *item, const void *arg)
{
    (void)db, (void)arg;
    if (!json_is_string(item) || !codes_gcts_name(json_string_value(item)))
        return accord_fail(ACCORD_EINVAL, key, "%s: Global Counter-Terrorism Strategy pillars are \"1\" to \"4\"", key);
    return ACCORD_OK;
}

static int check_unsc(store *db, const char *key, const json_t *item, const void *arg)
{
    (void)db, (void)arg;
    if (!json_is_integer(item) || json_integer_value(item) < 1 || json_integer_value(item) > 9999)
        return accord_fail(ACCORD_EINVAL, key, "%s: Security Council resolutions are numbers, such as 2396", key);
    return ACCORD_OK;
}

static int check_provision(store *db, const char *key, const json_t *item, const void *arg)
{
    const char *instrument = arg;
    if (!json_is_integer(item) || json_integer_value(item) < 1)
        return accord_fail(ACCORD_EINVAL, key, "%s: provisions are positive numbers", key);
    if (!instrument)
        return accord_fail(ACCORD_EINVAL, "instrument", "instrument: give the instrument the provisions belong to");
    int rc = store_exists(db, "SELECT 1 FROM provision WHERE instrument = ? AND number = ?", "si", instrument,
                          (int64_t)json_integer_value(item));
    if (rc == STORE_DONE)
        return accord_fail(ACCORD_ENOTFOUND, key, "%s: %s has no provision %lld", key, instrument,
                           (long long)json_integer_value(item));
    return rc < 0 ? rc : ACCORD_OK;
}

static int check_state(store *db, const char *key, const json_t *item, const void *arg)
{
    (void)arg;
    const char *code = json_string_value(item);
    int rc = code ? store_exists(db, "SELECT 1 FROM party WHERE code = ? AND kind = 'state'", "s", code) : STORE_DONE;
    if (rc == STORE_DONE)
        return accord_fail(ACCORD_EINVAL, key, "%s: give states by ISO 3166-1 alpha-3 code", key);
    return rc < 0 ? rc : ACCORD_OK;
}

static int check_region(store *db, const char *key, const json_t *item, const void *arg)
{
    (void)db, (void)arg;
    const registry_area *a;
    if (!json_is_string(item))
        return accord_fail(ACCORD_EINVAL, key, "%s: give UN M49 region codes", key);
    int rc = registry_m49_region(json_string_value(item), key, &a);
    if (!rc && strcmp(a->code, json_string_value(item)) != 0)
        rc = accord_fail(ACCORD_EINVAL, key, "%s: give the region by its three-digit M49 code (%s for %s)", key,
                         a->code, a->name);
    return rc;
}

static int check_word(store *db, const char *key, const json_t *item, const void *arg)
{
    (void)db;
    if (!json_is_string(item) || !one_of(json_string_value(item), arg))
        return accord_fail(ACCORD_EINVAL, key, "%s: unknown value", key);
    return ACCORD_OK;
}

static int check_language(store *db, const char *key, const json_t *item, const void *arg)
{
    (void)db, (void)arg;
    const char *s = json_string_value(item);
    if (!s || strlen(s) != 2 || !islower((unsigned char)s[0]) || !islower((unsigned char)s[1]))
        return accord_fail(ACCORD_EINVAL, key, "%s: give languages as ISO 639-1 codes, such as \"ru\"", key);
    return ACCORD_OK;
}

static const char *const MODALITIES[] = {"training", "legislative_drafting", "equipment", "mentoring",
                                         "expert_advice", "workshop", "research", "other", NULL};

/* The framework tags every need, offer and activity carries. */
typedef struct tags {
    const char *instrument, *thematic;
    char *provisions, *sdg, *gcts, *unsc;
} tags;

static void tags_free(tags *t)
{
    free(t->provisions), free(t->sdg), free(t->gcts), free(t->unsc);
    memset(t, 0, sizeof *t);
}

static int read_tags(store *db, const json_t *data, bool thematic_required, tags *t)
{
    memset(t, 0, sizeof *t);
    int rc = codes_load();
    if (!rc) rc = json_get_string(data, "instrument", false, 64, &t->instrument);
    if (!rc && t->instrument) {
        char opened[11];
        rc = registry_instrument_opened(db, t->instrument, "instrument", opened);
    }
    if (!rc) rc = get_list(db, data, "provisions", check_provision, t->instrument, &t->provisions);
    if (!rc) rc = json_get_string(data, "thematic", thematic_required, 5, &t->thematic);
    if (!rc && t->thematic && !codes_sector_name(t->thematic))
        rc = accord_fail(ACCORD_EINVAL, "thematic",
                         "thematic: give a DAC 5-digit sector from the IATI Sector codelist, such as 15210");
    if (!rc) rc = get_list(db, data, "sdg", check_sdg, NULL, &t->sdg);
    if (!rc) rc = get_list(db, data, "gcts", check_gcts, NULL, &t->gcts);
    if (!rc) rc = get_list(db, data, "unsc", check_unsc, NULL, &t->unsc);
    return rc;
}

/* Optional period {from, to} of 'data' (dates, from <= to). */
static int read_period(const json_t *data, const char *key, const char **from, const char **to)
{
    json_t *p = json_object_get(data, key);
    *from = *to = NULL;
    if (!p)
        return ACCORD_OK;
    static const char *const keys[] = {"from", "to", NULL};
    int rc = json_is_object(p) ? json_only_keys(p, keys, key)
                               : accord_fail(ACCORD_EINVAL, key, "%s: must be {\"from\", \"to\"}", key);
    if (!rc) rc = json_get_string(p, "from", false, 10, from);
    if (!rc) rc = json_get_string(p, "to", false, 10, to);
    if (!rc && *from) rc = date_check(*from, "from");
    if (!rc && *to) rc = date_check(*to, "to");
    if (!rc && *from && *to && strcmp(*to, *from) < 0)
        rc = accord_fail(ACCORD_ERULE, key, "%s: ends before it starts", key);
    return rc;
}

/* Gives 'data' an id ("<kind>-<seq>") when it has none; checks it. */
static int record_id(json_t *data, const char *kind, int64_t seq, const char **id)
{
    if (!json_object_get(data, "id")) {
        char made[40];
        snprintf(made, sizeof made, "%s-%lld", kind, (long long)seq);
        json_object_set_new(data, "id", json_string(made));
    }
    int rc = json_get_string(data, "id", true, 64, id);
    if (!rc && !assistance_id_valid(*id))
        rc = accord_fail(ACCORD_EINVAL, "id", "id: lowercase letters, digits and dashes, at most 64");
    return rc;
}

/* ---- entities and offices ------------------------------------------------ */

int assistance_apply_entity_recorded(store *db, int64_t seq, json_t *data, bool replay)
{
    static const char *const keys[] = {"code", "kind", "name", "party", "org_type", "compact", "source",
                                       "synthetic", NULL};
    static const char *const kinds[] = {"un", "organization", "state", "donor", NULL};
    static const char *const org_types[] = {"10", "11", "15", "21", "22", "23", "24", "30", "40",
                                            "60", "70", "71", "72", "73", "80", "90", NULL};
    const char *code, *kind, *name, *party, *org_type, *st, *su, *cst = NULL, *csu = NULL;
    bool synthetic, member = false;
    json_t *compact = json_object_get(data, "compact");
    (void)replay;
    int rc = json_only_keys(data, keys, NULL);
    if (!rc) rc = json_get_string(data, "code", true, 64, &code);
    if (!rc && !code_valid(code, false))
        rc = accord_fail(ACCORD_EINVAL, "code", "code: an entity code is lowercase letters, digits and dashes");
    if (!rc) rc = json_get_string(data, "kind", true, 20, &kind);
    if (!rc && !one_of(kind, kinds))
        rc = accord_fail(ACCORD_EINVAL, "kind", "kind: must be un, organization, state or donor");
    if (!rc) rc = json_get_string(data, "name", true, MAX_NAME, &name);
    if (!rc) rc = json_get_string(data, "party", false, 64, &party);
    if (!rc && party) rc = registry_party_require(db, party, "party");
    if (!rc) rc = json_get_string(data, "org_type", false, 2, &org_type);
    if (!rc && org_type && !one_of(org_type, org_types))
        rc = accord_fail(ACCORD_EINVAL, "org_type", "org_type: a code of the IATI OrganisationType codelist");
    if (!rc) rc = registry_read_source(data, "source", true, &st, &su);
    if (!rc) rc = get_bool(data, "synthetic", &synthetic);
    if (!rc && compact) {
        /* Membership of the Global Counter-Terrorism Coordination
         * Compact, as a source records it. */
        static const char *const ckeys[] = {"member", "source", NULL};
        rc = json_is_object(compact) ? json_only_keys(compact, ckeys, "compact")
                                     : accord_fail(ACCORD_EINVAL, "compact", "compact: must be {member, source}");
        if (!rc) rc = get_bool(compact, "member", &member);
        if (!rc) rc = registry_read_source(compact, "source", true, &cst, &csu);
    }
    if (rc)
        return rc;
    rc = store_exists(db, "SELECT 1 FROM entity WHERE code = ?", "s", code);
    if (rc == STORE_ROW)
        return accord_fail(ACCORD_ECONFLICT, "code", "code: entity '%s' already exists", code);
    if (rc < 0)
        return rc;
    return store_run(db,
                     "INSERT INTO entity (code, kind, name, party, org_type, compact_member, compact_source_title,"
                     " compact_source_url, source_title, source_url, synthetic, seq)"
                     " VALUES (?, ?, ?, ?, ?, CASE WHEN ? THEN ? END, ?, ?, ?, ?, ?, ?)",
                     "sssssiissssii", code, kind, name, party, org_type, (int64_t)(compact != NULL), (int64_t)member,
                     cst, csu, st, su, (int64_t)synthetic, seq);
}

int assistance_apply_office_recorded(store *db, int64_t seq, json_t *data, bool replay)
{
    static const char *const keys[] = {"code", "kind", "name", "country", "subdivision", "covers", "source",
                                       "synthetic", NULL};
    const char *code, *kind, *name, *country, *sub, *st, *su;
    char *covers = NULL, alpha2[3] = "", entity[65];
    bool synthetic;
    (void)replay;
    int rc = json_only_keys(data, keys, NULL);
    if (!rc) rc = codes_load();
    if (!rc) rc = json_get_string(data, "code", true, MAX_CODE, &code);
    if (!rc && !code_valid(code, true))
        rc = accord_fail(ACCORD_EINVAL, "code", "code: an office code is <entity>/<office>, such as unodc/almaty");
    if (!rc) rc = json_get_string(data, "kind", true, 20, &kind);
    if (!rc && strcmp(kind, "headquarters") && strcmp(kind, "field"))
        rc = accord_fail(ACCORD_EINVAL, "kind", "kind: must be headquarters or field");
    if (!rc) rc = json_get_string(data, "name", true, MAX_NAME, &name);
    if (!rc) rc = json_get_string(data, "country", true, 3, &country);
    if (!rc) rc = store_one_text(db, alpha2, sizeof alpha2, "SELECT alpha2 FROM party WHERE code = ? AND kind = 'state'",
                                 "s", country);
    if (rc == STORE_DONE || (rc == STORE_ROW && !alpha2[0]))
        rc = accord_fail(ACCORD_EINVAL, "country", "country: give a state by ISO 3166-1 alpha-3 code");
    else if (rc == STORE_ROW)
        rc = ACCORD_OK;
    if (!rc) rc = json_get_string(data, "subdivision", false, 10, &sub);
    if (!rc && sub && (strncmp(sub, alpha2, 2) != 0 || sub[2] != '-' || !codes_subdivision_name(sub)))
        rc = accord_fail(ACCORD_EINVAL, "subdivision", "subdivision: give an ISO 3166-2 code of %s, such as %s-...",
                         country, alpha2);
    if (!rc) rc = get_list(db, data, "covers", check_state, NULL, &covers);
    if (!rc) rc = registry_read_source(data, "source", true, &st, &su);
    if (!rc) rc = get_bool(data, "synthetic", &synthetic);
    if (!rc) {
        snprintf(entity, sizeof entity, "%.*s", (int)strcspn(code, "/"), code);
        rc = store_exists(db, "SELECT 1 FROM entity WHERE code = ?", "s", entity);
        if (rc == STORE_DONE)
            rc = accord_fail(ACCORD_ENOTFOUND, "code", "code: no entity '%s': record it first", entity);
        else if (rc == STORE_ROW)
            rc = ACCORD_OK;
    }
    if (!rc) {
        rc = store_exists(db, "SELECT 1 FROM office WHERE code = ?", "s", code);
        if (rc == STORE_ROW)
            rc = accord_fail(ACCORD_ECONFLICT, "code", "code: office '%s' already exists", code);
    }
    if (!rc)
        rc = store_run(db,
                       "INSERT INTO office (code, entity, kind, name, country, subdivision, covers, source_title,"
                       " source_url, synthetic, seq) VALUES (?, ?, ?, ?, ?, ?, coalesce(?, '[]'), ?, ?, ?, ?)",
                       "sssssssssii", code, entity, kind, name, country, sub, covers, st, su, (int64_t)synthetic, seq);
    free(covers);
    return rc;
}

/* ---- framework links on provisions --------------------------------------- */

int assistance_apply_framework_linked(store *db, int64_t seq, json_t *data, bool replay)
{
    static const char *const keys[] = {"instrument", "provision", "framework", "code", "source", "synthetic", NULL};
    const char *instrument, *framework, *code, *st, *su;
    int64_t provision;
    bool synthetic;
    char opened[11];
    (void)replay;
    int rc = json_only_keys(data, keys, NULL);
    if (!rc) rc = codes_load();
    if (!rc) rc = json_get_string(data, "instrument", true, 64, &instrument);
    if (!rc) rc = registry_instrument_opened(db, instrument, "instrument", opened);
    if (!rc) rc = json_get_int(data, "provision", true, 1, 1000, 0, &provision);
    if (!rc) rc = check_provision(db, "provision", json_object_get(data, "provision"), instrument);
    if (!rc) rc = json_get_string(data, "framework", true, 8, &framework);
    if (!rc) rc = json_get_string(data, "code", true, 16, &code);
    if (!rc) rc = registry_read_source(data, "source", true, &st, &su);
    if (!rc) rc = get_bool(data, "synthetic", &synthetic);
    if (rc)
        return rc;
    if (strcmp(framework, "sdg") == 0)
        rc = codes_sdg_name(code) ? ACCORD_OK : accord_fail(ACCORD_EINVAL, "code", "code: not an SDG target");
    else if (strcmp(framework, "gcts") == 0)
        rc = codes_gcts_name(code) ? ACCORD_OK : accord_fail(ACCORD_EINVAL, "code", "code: pillars are 1 to 4");
    else if (strcmp(framework, "unsc") == 0)
        rc = atoi(code) >= 1 && atoi(code) <= 9999 && strspn(code, "0123456789") == strlen(code) && code[0] != '0'
                 ? ACCORD_OK
                 : accord_fail(ACCORD_EINVAL, "code", "code: a Security Council resolution number");
    else
        rc = accord_fail(ACCORD_EINVAL, "framework", "framework: must be sdg, gcts or unsc");
    if (rc)
        return rc;
    rc = store_exists(db,
                      "SELECT 1 FROM framework_link WHERE instrument = ? AND provision = ? AND framework = ? AND code = ?",
                      "siss", instrument, provision, framework, code);
    if (rc == STORE_ROW)
        return accord_fail(ACCORD_ECONFLICT, "code", "code: provision %lld is already linked to %s %s",
                           (long long)provision, framework, code);
    if (rc < 0)
        return rc;
    return store_run(db,
                     "INSERT INTO framework_link (instrument, provision, framework, code, source_title, source_url,"
                     " synthetic, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                     "sissssii", instrument, provision, framework, code, st, su, (int64_t)synthetic, seq);
}

/* ---- needs ------------------------------------------------------------------ */

/* Validates a need and writes it to 'table' (need or need_private). */
static int write_need(store *db, int64_t seq, json_t *data, bool want_public, const char *table)
{
    static const char *const keys[] = {"id", "beneficiary", "access", "title", "body", "instrument", "provisions",
                                       "thematic", "sdg", "gcts", "unsc", "priority", "languages", "period",
                                       "origin", "synthetic", NULL};
    static const char *const levels[] = {"public", "providers", "restricted", NULL};
    static const char *const priorities[] = {"high", "medium", "low", NULL};
    const char *id, *who, *access, *title, *body, *priority, *from, *to;
    char *languages = NULL, *origin = NULL;
    bool synthetic;
    tags t;
    int rc = read_tags(db, data, false, &t);
    if (!rc) rc = json_only_keys(data, keys, NULL);
    if (!rc) rc = record_id(data, "need", seq, &id);
    if (!rc) rc = json_get_string(data, "beneficiary", true, 3, &who);
    if (!rc) rc = check_state(db, "beneficiary", json_object_get(data, "beneficiary"), NULL);
    if (!rc) rc = json_get_string(data, "access", true, 12, &access);
    if (!rc && !one_of(access, levels))
        rc = accord_fail(ACCORD_EINVAL, "access", "access: must be public, providers or restricted");
    if (!rc && (strcmp(access, "public") == 0) != want_public)
        rc = accord_fail(ACCORD_EINVAL, "access", "access: a %s need is recorded by %s", access,
                         want_public ? "need.held" : "need.recorded");
    if (!rc) rc = json_get_string(data, "title", true, MAX_NAME, &title);
    if (!rc) rc = json_get_string(data, "body", false, ASSISTANCE_MAX_TEXT, &body);
    if (!rc) rc = json_get_string(data, "priority", true, 8, &priority);
    if (!rc && !one_of(priority, priorities))
        rc = accord_fail(ACCORD_EINVAL, "priority", "priority: must be high, medium or low");
    if (!rc) rc = get_list(db, data, "languages", check_language, NULL, &languages);
    if (!rc) rc = read_period(data, "period", &from, &to);
    if (!rc) rc = get_bool(data, "synthetic", &synthetic);
    if (!rc && json_object_get(data, "origin")) {
        json_t *o = json_object_get(data, "origin");
        static const char *const okeys[] = {"instrument", "cycle", "party", "provision", "version", NULL};
        rc = json_is_object(o) ? json_only_keys(o, okeys, "origin")
                               : accord_fail(ACCORD_EINVAL, "origin", "origin: the report the need comes from");
        origin = rc ? NULL : dump(o);
    }
    if (!rc) {
        rc = store_exists(db, "SELECT 1 FROM need WHERE id = ?", "s", id);
        if (rc == STORE_ROW)
            rc = accord_fail(ACCORD_ECONFLICT, "id", "id: need '%s' already exists", id);
    }
    if (!rc) {
        char sql[512];
        snprintf(sql, sizeof sql,
                 "INSERT INTO %s (id, access, beneficiary, title, body, instrument, provisions, thematic, sdg, gcts,"
                 " unsc, priority, languages, period_from, period_to, origin, synthetic, seq)"
                 " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                 table);
        rc = store_run(db, sql, "ssssssssssssssssii", id, access, who, title, body, t.instrument, t.provisions,
                       t.thematic, t.sdg, t.gcts, t.unsc, priority, languages, from, to, origin, (int64_t)synthetic,
                       seq);
    }
    tags_free(&t);
    free(languages);
    free(origin);
    return rc;
}

int assistance_apply_need_recorded(store *db, int64_t seq, json_t *data, bool replay)
{
    (void)replay;
    return write_need(db, seq, data, true, "need");
}

int assistance_apply_need_held(store *db, int64_t seq, json_t *data, bool replay)
{
    (void)replay;
    return write_need(db, seq, data, false, "need_private");
}

/* The public part of a non-public need: its id and access level only, so
 * that activities may name it and replay rebuilds the same stub. */
int assistance_apply_need_held_public(store *db, int64_t seq, json_t *fields, bool replay)
{
    const char *id, *access;
    (void)replay;
    int rc = json_get_string(fields, "id", true, 64, &id);
    if (!rc) rc = json_get_string(fields, "access", true, 12, &access);
    if (!rc && strcmp(access, "providers") && strcmp(access, "restricted"))
        rc = accord_fail(ACCORD_EINVAL, "access", "access: a held need is providers or restricted");
    if (!rc)
        rc = store_run(db, "INSERT INTO need (id, access, synthetic, seq) VALUES (?, ?, 0, ?)", "ssi", id, access, seq);
    return rc;
}

/* ---- offers ------------------------------------------------------------------ */

int assistance_apply_offer_recorded(store *db, int64_t seq, json_t *data, bool replay)
{
    static const char *const keys[] = {"id", "provider", "title", "body", "instrument", "provisions", "thematic",
                                       "sdg", "gcts", "unsc", "countries", "regions", "modalities", "languages",
                                       "period", "budget", "synthetic", NULL};
    const char *id, *provider, *title, *body, *from, *to, *currency = NULL;
    char *countries = NULL, *regions = NULL, *modalities = NULL, *languages = NULL;
    int64_t amount = 0;
    bool synthetic, has_budget = json_object_get(data, "budget") != NULL;
    tags t;
    (void)replay;
    int rc = read_tags(db, data, false, &t);
    if (!rc) rc = json_only_keys(data, keys, NULL);
    if (!rc) rc = record_id(data, "offer", seq, &id);
    if (!rc) rc = json_get_string(data, "provider", true, 64, &provider);
    if (!rc) {
        rc = store_exists(db, "SELECT 1 FROM entity WHERE code = ?", "s", provider);
        rc = rc == STORE_DONE ? accord_fail(ACCORD_ENOTFOUND, "provider", "provider: no entity '%s'", provider)
                              : rc < 0 ? rc : ACCORD_OK;
    }
    if (!rc) rc = json_get_string(data, "title", true, MAX_NAME, &title);
    if (!rc) rc = json_get_string(data, "body", false, ASSISTANCE_MAX_TEXT, &body);
    if (!rc) rc = get_list(db, data, "countries", check_state, NULL, &countries);
    if (!rc) rc = get_list(db, data, "regions", check_region, NULL, &regions);
    if (!rc) rc = get_list(db, data, "modalities", check_word, MODALITIES, &modalities);
    if (!rc) rc = get_list(db, data, "languages", check_language, NULL, &languages);
    if (!rc) rc = read_period(data, "period", &from, &to);
    if (!rc) rc = get_bool(data, "synthetic", &synthetic);
    if (!rc && has_budget) {
        json_t *b = json_object_get(data, "budget");
        static const char *const bkeys[] = {"amount", "currency", NULL};
        rc = json_is_object(b) ? json_only_keys(b, bkeys, "budget")
                               : accord_fail(ACCORD_EINVAL, "budget", "budget: must be {amount, currency}");
        if (!rc) rc = json_get_int(b, "amount", true, 0, INT64_C(1000000000000), 0, &amount);
        if (!rc) rc = json_get_string(b, "currency", true, 3, &currency);
        if (!rc && (strlen(currency) != 3 || !isupper((unsigned char)currency[0]) ||
                    !isupper((unsigned char)currency[1]) || !isupper((unsigned char)currency[2])))
            rc = accord_fail(ACCORD_EINVAL, "currency", "currency: an ISO 4217 code such as USD");
    }
    if (!rc) {
        rc = store_exists(db, "SELECT 1 FROM offer WHERE id = ?", "s", id);
        if (rc == STORE_ROW)
            rc = accord_fail(ACCORD_ECONFLICT, "id", "id: offer '%s' already exists", id);
    }
    if (!rc)
        rc = store_run(db,
                       "INSERT INTO offer (id, provider, title, body, instrument, provisions, thematic, sdg, gcts, unsc,"
                       " countries, regions, modalities, languages, period_from, period_to, budget, currency,"
                       " synthetic, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
                       " CASE WHEN ? THEN ? END, ?, ?, ?)",
                       "ssssssssssssssssiisii", id, provider, title, body, t.instrument, t.provisions, t.thematic,
                       t.sdg, t.gcts, t.unsc, countries, regions, modalities, languages, from, to,
                       (int64_t)has_budget, amount, currency, (int64_t)synthetic, seq);
    tags_free(&t);
    free(countries), free(regions), free(modalities), free(languages);
    return rc;
}

/* ---- activities ------------------------------------------------------------ */

/* An entity or office code that exists. */
static int require_org(store *db, const char *code, const char *field, bool office_ok)
{
    int rc = store_exists(db, "SELECT 1 FROM entity WHERE code = ?", "s", code);
    if (rc == STORE_DONE && office_ok)
        rc = store_exists(db, "SELECT 1 FROM office WHERE code = ?", "s", code);
    if (rc == STORE_DONE)
        return accord_fail(ACCORD_ENOTFOUND, field, "%s: no %s '%s'", field, office_ok ? "entity or office" : "entity",
                           code);
    return rc < 0 ? rc : ACCORD_OK;
}

static int check_need(store *db, const char *key, const json_t *item, const void *arg)
{
    (void)arg;
    const char *id = json_string_value(item);
    int rc = id ? store_exists(db, "SELECT 1 FROM need WHERE id = ?", "s", id) : STORE_DONE;
    if (rc == STORE_DONE)
        return accord_fail(ACCORD_ENOTFOUND, key, "%s: no need '%s'", key, id ? id : "?");
    return rc < 0 ? rc : ACCORD_OK;
}

static const char *const STATUSES[] = {"pipeline", "implementation", "completed", "cancelled", "suspended", NULL};

int assistance_apply_activity_recorded(store *db, int64_t seq, json_t *data, bool replay)
{
    static const char *const keys[] = {"id", "title", "body", "implementing", "programming", "funder", "country",
                                       "subdivision", "instrument", "provisions", "thematic", "sdg", "gcts", "unsc",
                                       "status", "planned_start", "planned_end", "actual_start", "actual_end",
                                       "needs", "offer", "meeting", "synthetic", NULL};
    const char *id, *title, *body, *impl, *prog, *funder, *country, *sub, *status, *ps, *pe, *as, *ae, *offer,
        *meeting;
    char *needs = NULL, alpha2[3] = "", stored_impl[MAX_CODE + 1] = "";
    bool synthetic;
    tags t;
    (void)replay;
    int rc = read_tags(db, data, true, &t);
    if (!rc) rc = json_only_keys(data, keys, NULL);
    if (!rc) rc = record_id(data, "activity", seq, &id);
    if (!rc) rc = json_get_string(data, "title", true, MAX_NAME, &title);
    if (!rc) rc = json_get_string(data, "body", false, ASSISTANCE_MAX_TEXT, &body);
    if (!rc) rc = json_get_string(data, "implementing", true, MAX_CODE, &impl);
    if (!rc) rc = require_org(db, impl, "implementing", true);
    if (!rc) rc = json_get_string(data, "programming", false, 64, &prog);
    if (!rc && prog) rc = require_org(db, prog, "programming", false);
    if (!rc) rc = json_get_string(data, "funder", false, 64, &funder);
    if (!rc && funder) rc = require_org(db, funder, "funder", false);
    if (!rc) rc = json_get_string(data, "country", true, 3, &country);
    if (!rc) {
        rc = store_one_text(db, alpha2, sizeof alpha2, "SELECT alpha2 FROM party WHERE code = ? AND kind = 'state'",
                            "s", country);
        rc = rc == STORE_ROW && alpha2[0] ? ACCORD_OK
             : rc < 0                     ? rc
                                          : accord_fail(ACCORD_EINVAL, "country", "country: give a state by ISO 3166-1 alpha-3 code");
    }
    if (!rc) rc = json_get_string(data, "subdivision", false, 10, &sub);
    if (!rc && sub && (strncmp(sub, alpha2, 2) != 0 || sub[2] != '-' || !codes_subdivision_name(sub)))
        rc = accord_fail(ACCORD_EINVAL, "subdivision", "subdivision: give an ISO 3166-2 code of %s", country);
    if (!rc) rc = json_get_string(data, "status", true, 16, &status);
    if (!rc && !one_of(status, STATUSES))
        rc = accord_fail(ACCORD_EINVAL, "status",
                         "status: must be pipeline, implementation, completed, cancelled or suspended");
    /* IATI requires a start date: the planned one at least. */
    if (!rc) rc = json_get_string(data, "planned_start", true, 10, &ps);
    if (!rc) rc = date_check(ps, "planned_start");
    if (!rc) rc = json_get_string(data, "planned_end", false, 10, &pe);
    if (!rc && pe) rc = date_check(pe, "planned_end");
    if (!rc && pe && strcmp(pe, ps) < 0)
        rc = accord_fail(ACCORD_ERULE, "planned_end", "planned_end: before planned_start");
    if (!rc) rc = json_get_string(data, "actual_start", false, 10, &as);
    if (!rc && as) rc = date_check(as, "actual_start");
    if (!rc) rc = json_get_string(data, "actual_end", false, 10, &ae);
    if (!rc && ae) rc = date_check(ae, "actual_end");
    if (!rc && ae && (!as || strcmp(ae, as) < 0))
        rc = accord_fail(ACCORD_ERULE, "actual_end", "actual_end: needs an actual_start on or before it");
    if (!rc) rc = get_list(db, data, "needs", check_need, NULL, &needs);
    if (!rc) rc = json_get_string(data, "offer", false, 64, &offer);
    if (!rc && offer) {
        rc = store_exists(db, "SELECT 1 FROM offer WHERE id = ?", "s", offer);
        rc = rc == STORE_DONE ? accord_fail(ACCORD_ENOTFOUND, "offer", "offer: no offer '%s'", offer)
                              : rc < 0 ? rc : ACCORD_OK;
    }
    if (!rc) rc = json_get_string(data, "meeting", false, 64, &meeting);
    if (!rc && meeting) {
        rc = store_exists(db, "SELECT 1 FROM meeting WHERE id = ?", "s", meeting);
        rc = rc == STORE_DONE ? accord_fail(ACCORD_ENOTFOUND, "meeting", "meeting: no event '%s'", meeting)
                              : rc < 0 ? rc : ACCORD_OK;
    }
    if (!rc) rc = get_bool(data, "synthetic", &synthetic);
    /* One activity per need and offer: another activity linking them is
     * a conflict (the one that does may be recorded again). */
    if (!rc && offer && needs) {
        char other[65] = "";
        rc = store_one_text(db, other, sizeof other,
                            "SELECT a.id FROM activity a, json_each(a.needs) j, json_each(?) k"
                            " WHERE a.offer = ? AND a.id != ? AND j.value = k.value ORDER BY a.id LIMIT 1",
                            "sss", needs, offer, id);
        rc = rc == STORE_ROW ? accord_fail(ACCORD_ECONFLICT, "offer",
                                           "offer: activity '%s' already links a need of this one to offer '%s'",
                                           other, offer)
             : rc < 0 ? rc
                      : ACCORD_OK;
    }
    /* Recording an existing id replaces the activity (its history stays
     * in the log); it keeps its implementing entity. */
    if (!rc) {
        rc = store_one_text(db, stored_impl, sizeof stored_impl, "SELECT implementing FROM activity WHERE id = ?", "s",
                            id);
        if (rc == STORE_ROW && strcmp(stored_impl, impl) != 0)
            rc = accord_fail(ACCORD_ECONFLICT, "implementing", "implementing: activity '%s' is %s's; it cannot move",
                             id, stored_impl);
        else if (rc >= 0)
            rc = ACCORD_OK;
    }
    if (!rc)
        rc = store_run(db,
                       "INSERT OR REPLACE INTO activity (id, title, body, implementing, programming, funder, country,"
                       " subdivision, instrument, provisions, thematic, sdg, gcts, unsc, status, planned_start,"
                       " planned_end, actual_start, actual_end, needs, offer, meeting, synthetic, seq)"
                       " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, coalesce(?, '[]'), ?, ?, ?, ?)",
                       "ssssssssssssssssssssssii", id, title, body, impl, prog, funder, country, sub, t.instrument,
                       t.provisions, t.thematic, t.sdg, t.gcts, t.unsc, status, ps, pe, as, ae, needs, offer, meeting,
                       (int64_t)synthetic, seq);
    tags_free(&t);
    free(needs);
    return rc;
}

/* ---- meetings and ceremonies ------------------------------------------------- */

static int check_participant(store *db, const char *key, const json_t *item, const void *arg)
{
    (void)arg;
    /* Name and title as published, the capacity they acted in, the
     * source: nothing else about any person. */
    static const char *const keys[] = {"name", "title", "role", "party", "source", NULL};
    const char *name, *title, *role, *party, *st, *su;
    int rc = json_is_object(item) ? json_only_keys(item, keys, key)
                                  : accord_fail(ACCORD_EINVAL, key, "%s: each is {name, title, role, source}", key);
    if (!rc) rc = json_get_string(item, "name", true, MAX_NAME, &name);
    if (!rc) rc = json_get_string(item, "title", true, MAX_NAME, &title);
    if (!rc) rc = json_get_string(item, "role", true, 16, &role);
    if (!rc && strcmp(role, "presented") && strcmp(role, "spoke"))
        rc = accord_fail(ACCORD_EINVAL, "role", "role: must be presented or spoke");
    if (!rc) rc = json_get_string(item, "party", false, 64, &party);
    if (!rc && party) rc = registry_party_require(db, party, "party");
    if (!rc) rc = registry_read_source(item, "source", false, &st, &su);
    return rc;
}

static int check_instrument(store *db, const char *key, const json_t *item, const void *arg)
{
    (void)arg;
    char opened[11];
    if (!json_is_string(item))
        return accord_fail(ACCORD_EINVAL, key, "%s: instrument slugs", key);
    return registry_instrument_opened(db, json_string_value(item), key, opened);
}

int assistance_apply_meeting_recorded(store *db, int64_t seq, json_t *data, bool replay)
{
    static const char *const keys[] = {"id", "date", "date_precision", "title", "place", "organizer",
                                       "instruments", "participants", "note", "source", "synthetic", NULL};
    const char *id, *date, *prec, *title, *place, *organizer, *note, *st, *su;
    char *instruments = NULL, *participants = NULL;
    bool synthetic;
    (void)replay;
    int rc = json_only_keys(data, keys, NULL);
    if (!rc) rc = json_get_string(data, "id", true, 64, &id);
    if (!rc && !assistance_id_valid(id))
        rc = accord_fail(ACCORD_EINVAL, "id", "id: lowercase letters, digits and dashes");
    if (!rc) rc = json_get_string(data, "date", true, 10, &date);
    if (!rc) rc = json_get_string(data, "date_precision", false, 8, &prec);
    if (!rc) {
        char probe[11];
        bool month = prec && strcmp(prec, "month") == 0;
        if (prec && !month && strcmp(prec, "day"))
            rc = accord_fail(ACCORD_EINVAL, "date_precision", "date_precision: day or month");
        else if (month && (strlen(date) != 7 || !date_valid(strcat(strcpy(probe, date), "-01"))))
            rc = accord_fail(ACCORD_EINVAL, "date", "date: a month is YYYY-MM");
        else if (!month)
            rc = date_check(date, "date");
    }
    if (!rc) rc = json_get_string(data, "title", true, MAX_NAME, &title);
    if (!rc) rc = json_get_string(data, "place", false, MAX_NAME, &place);
    if (!rc) rc = json_get_string(data, "organizer", false, 64, &organizer);
    if (!rc && organizer) rc = registry_party_require(db, organizer, "organizer");
    if (!rc) rc = json_get_string(data, "note", false, 2000, &note);
    if (!rc) rc = get_list(db, data, "instruments", check_instrument, NULL, &instruments);
    if (!rc) rc = get_list(db, data, "participants", check_participant, NULL, &participants);
    if (!rc) rc = registry_read_source(data, "source", true, &st, &su);
    if (!rc) rc = get_bool(data, "synthetic", &synthetic);
    if (!rc) {
        rc = store_exists(db, "SELECT 1 FROM meeting WHERE id = ?", "s", id);
        if (rc == STORE_ROW)
            rc = accord_fail(ACCORD_ECONFLICT, "id", "id: event '%s' already exists", id);
    }
    if (!rc)
        rc = store_run(db,
                       "INSERT INTO meeting (id, date, date_precision, title, place, organizer, instruments,"
                       " participants, note, source_title, source_url, synthetic, seq)"
                       " VALUES (?, ?, coalesce(?, 'day'), ?, ?, ?, coalesce(?, '[]'), coalesce(?, '[]'), ?, ?, ?, ?, ?)",
                       "sssssssssssii", id, date, prec, title, place, organizer, instruments, participants, note, st,
                       su, (int64_t)synthetic, seq);
    free(instruments);
    free(participants);
    return rc;
}
