#include "registry/registry.h"

#include <ctype.h>
#include <string.h>

#include "events/appliers.h"
#include "store/lookup.h"
#include "util/date.h"
#include "util/error.h"
#include "util/json.h"

bool registry_party_code_valid(const char *code)
{
    if (!code)
        return false;
    if (strlen(code) == 3)
        return isupper((unsigned char)code[0]) && isupper((unsigned char)code[1]) && isupper((unsigned char)code[2]);
    if (strncmp(code, "org:", 4) != 0 || !code[4] || strlen(code) > 64)
        return false;
    for (const char *p = code + 4; *p; p++)
        if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) && *p != '-')
            return false;
    return true;
}

int registry_party_require(store *db, const char *code, const char *field)
{
    int rc = store_exists(db, "SELECT 1 FROM party WHERE code = ?", "s", code);
    if (rc == STORE_DONE)
        return accord_fail(ACCORD_ENOTFOUND, field, "%s: no party with code '%s'", field, code);
    return rc < 0 ? rc : ACCORD_OK;
}

int registry_instrument_titled(store *db, const char *slug, const char *field, char opened[11], char *title,
                               size_t size)
{
    store_stmt *st;
    int rc = store_first_row(db, &st, "SELECT opened_on, title FROM instrument WHERE slug = ?", "s", slug);
    if (rc == STORE_ROW) {
        snprintf(opened, 11, "%s", store_col_text(st, 0));
        if (title)
            snprintf(title, size, "%s", store_col_text(st, 1));
        rc = ACCORD_OK;
    } else if (rc == STORE_DONE) {
        rc = accord_fail(ACCORD_ENOTFOUND, field, "%s: no instrument '%s'", field, slug);
    }
    store_stmt_close(st);
    return rc;
}

int registry_instrument_opened(store *db, const char *slug, const char *field, char opened[11])
{
    return registry_instrument_titled(db, slug, field, opened, NULL, 0);
}

static bool url_valid(const char *url)
{
    if (strncmp(url, "https://", 8) != 0 && strncmp(url, "http://", 7) != 0)
        return false;
    for (const char *p = url; *p; p++)
        if (isspace((unsigned char)*p))
            return false;
    return true;
}

int registry_read_source(const json_t *data, const char *key, bool required, const char **title, const char **url)
{
    static const char *const keys[] = {"title", "url", NULL};
    json_t *src = json_object_get(data, key);
    *title = *url = NULL;
    if (!src || json_is_null(src)) {
        if (required)
            return accord_fail(ACCORD_EINVAL, key, "%s: a source is required ({\"title\": ..., \"url\": ...})", key);
        return ACCORD_OK;
    }
    if (!json_is_object(src))
        return accord_fail(ACCORD_EINVAL, key, "%s: must be an object with title and url", key);
    int rc = json_only_keys(src, keys, key);
    if (!rc)
        rc = json_get_string(src, "title", true, REGISTRY_MAX_NAME, title);
    if (!rc)
        rc = json_get_string(src, "url", false, REGISTRY_MAX_URL, url);
    if (rc) /* report the nested field by its full name */
        return accord_fail_nested(rc, key);
    if (*url && !url_valid(*url))
        return accord_fail(ACCORD_EINVAL, key, "%s.url: must be an http:// or https:// address", key);
    return ACCORD_OK;
}

json_t *registry_source_json(const char *title, const char *url)
{
    if (!title)
        return json_null();
    json_t *o = json_object();
    json_set_str(o, "title", title);
    json_set_str(o, "url", url);
    return o;
}

/* ---- appliers ---------------------------------------------------------- */

/* Slugs and group codes: lowercase letters, digits and dashes. */
static bool slug_valid(const char *s)
{
    if (!*s || strlen(s) > 64)
        return false;
    for (; *s; s++)
        if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) && *s != '-')
            return false;
    return true;
}


/* The kind an ISO 3166-1 code may have: "state" or "territory" (the UN
 * membership list tells them apart; registry/un.c). */
static bool iso_kind_valid(const char *kind)
{
    return strcmp(kind, "state") == 0 || strcmp(kind, "territory") == 0;
}

int registry_apply_party_registered(store *db, int64_t seq, json_t *data, bool replay)
{
    static const char *const keys[] = {"code", "kind", "name", "alpha2", "numeric", "founded", "source", "kind_source",
                                       NULL};
    const char *code, *kind, *name, *alpha2, *numeric, *founded, *st, *su, *kt, *ku;
    (void)replay;
    int rc = json_only_keys(data, keys, NULL);
    if (!rc) rc = json_get_string(data, "code", true, 64, &code);
    if (!rc) rc = json_get_string(data, "kind", true, 20, &kind);
    if (!rc) rc = json_get_string(data, "name", true, REGISTRY_MAX_NAME, &name);
    if (!rc) rc = json_get_string(data, "alpha2", false, 2, &alpha2);
    if (!rc) rc = json_get_string(data, "numeric", false, 3, &numeric);
    if (!rc) rc = json_get_string(data, "founded", false, 10, &founded);
    if (!rc && founded) rc = date_check(founded, "founded");
    if (!rc) rc = registry_read_source(data, "source", false, &st, &su);
    if (!rc) rc = registry_read_source(data, "kind_source", false, &kt, &ku);
    if (rc)
        return rc;
    if (!registry_party_code_valid(code))
        return accord_fail(ACCORD_EINVAL, "code", "code: '%s' is neither an ISO 3166-1 alpha-3 code nor org:<name>", code);
    bool is_org = strncmp(code, "org:", 4) == 0;
    if (is_org ? strcmp(kind, "organization") != 0 : !iso_kind_valid(kind))
        return accord_fail(ACCORD_EINVAL, "kind", "kind: party '%s' must have kind %s", code,
                           is_org ? "'organization'" : "'state' or 'territory'");
    rc = store_exists(db, "SELECT 1 FROM party WHERE code = ?", "s", code);
    if (rc == STORE_ROW)
        return accord_fail(ACCORD_ECONFLICT, "code", "code: party '%s' is already registered", code);
    if (rc < 0)
        return rc;
    return store_run(db,
                     "INSERT INTO party (code, kind, name, alpha2, numeric_code, founded, source_title, source_url,"
                     " kind_source_title, kind_source_url, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     "ssssssssssi", code, kind, name, alpha2, numeric, founded, st, su, kt, ku, seq);
}

/* party.classified: an ISO 3166-1 party registered with one kind is
 * another ("state" or "territory"), on the source given. Databases made
 * before kinds were told apart registered every entry as a state. */
int registry_apply_party_classified(store *db, int64_t seq, json_t *data, bool replay)
{
    static const char *const keys[] = {"party", "kind", "source", NULL};
    const char *party, *kind, *st, *su;
    (void)replay;
    int rc = json_only_keys(data, keys, NULL);
    if (!rc) rc = json_get_string(data, "party", true, 64, &party);
    if (!rc) rc = json_get_string(data, "kind", true, 20, &kind);
    if (!rc) rc = registry_read_source(data, "source", true, &st, &su);
    if (rc)
        return rc;
    if (!iso_kind_valid(kind))
        return accord_fail(ACCORD_EINVAL, "kind", "kind: must be 'state' or 'territory'");
    rc = store_exists(db, "SELECT 1 FROM party WHERE code = ? AND kind <> 'organization'", "s", party);
    if (rc == STORE_DONE)
        return accord_fail(ACCORD_ENOTFOUND, "party", "party: no ISO 3166-1 party '%s'", party);
    if (rc < 0)
        return rc;
    rc = store_exists(db, "SELECT 1 FROM party WHERE code = ? AND kind = ?", "ss", party, kind);
    if (rc == STORE_ROW)
        return accord_fail(ACCORD_ECONFLICT, "kind", "kind: party '%s' is already of kind '%s'", party, kind);
    if (rc < 0)
        return rc;
    return store_run(db,
                     "UPDATE party SET kind = ?, kind_source_title = ?, kind_source_url = ?, seq = ? WHERE code = ?",
                     "sssis", kind, st, su, seq, party);
}

int registry_apply_party_renamed(store *db, int64_t seq, json_t *data, bool replay)
{
    static const char *const keys[] = {"party", "name", "from", "source", NULL};
    const char *party, *name, *from, *st, *su;
    (void)replay;
    int rc = json_only_keys(data, keys, NULL);
    if (!rc) rc = json_get_string(data, "party", true, 64, &party);
    if (!rc) rc = json_get_string(data, "name", true, REGISTRY_MAX_NAME, &name);
    if (!rc) rc = json_get_string(data, "from", true, 10, &from);
    if (!rc) rc = date_check(from, "from");
    if (!rc) rc = registry_read_source(data, "source", false, &st, &su);
    if (!rc) rc = registry_party_require(db, party, "party");
    if (rc)
        return rc;
    rc = store_exists(db, "SELECT 1 FROM party_name WHERE party = ? AND valid_from = ?", "ss", party, from);
    if (rc == STORE_ROW)
        return accord_fail(ACCORD_ECONFLICT, "from", "from: party '%s' already has a name from %s", party, from);
    if (rc < 0)
        return rc;
    return store_run(db,
                     "INSERT INTO party_name (party, name, valid_from, source_title, source_url, seq)"
                     " VALUES (?, ?, ?, ?, ?, ?)",
                     "sssssi", party, name, from, st, su, seq);
}

int registry_apply_group_created(store *db, int64_t seq, json_t *data, bool replay)
{
    static const char *const keys[] = {"code", "kind", "name", "party", "note", "source", NULL};
    const char *code, *kind, *name, *party, *note, *st, *su;
    (void)replay;
    int rc = json_only_keys(data, keys, NULL);
    if (!rc) rc = json_get_string(data, "code", true, 64, &code);
    if (!rc) rc = json_get_string(data, "kind", true, 20, &kind);
    if (!rc) rc = json_get_string(data, "name", true, REGISTRY_MAX_NAME, &name);
    if (!rc) rc = json_get_string(data, "party", false, 64, &party);
    if (!rc) rc = json_get_string(data, "note", false, REGISTRY_MAX_TEXT, &note);
    if (!rc) rc = registry_read_source(data, "source", false, &st, &su);
    if (!rc && party) rc = registry_party_require(db, party, "party");
    if (rc)
        return rc;
    if (!slug_valid(code))
        return accord_fail(ACCORD_EINVAL, "code", "code: group codes are lowercase letters, digits and dashes");
    if (strcmp(kind, "organization") && strcmp(kind, "region") && strcmp(kind, "other"))
        return accord_fail(ACCORD_EINVAL, "kind", "kind: must be organization, region or other");
    rc = store_exists(db, "SELECT 1 FROM grp WHERE code = ?", "s", code);
    if (rc == STORE_ROW)
        return accord_fail(ACCORD_ECONFLICT, "code", "code: group '%s' already exists", code);
    if (rc < 0)
        return rc;
    return store_run(db,
                     "INSERT INTO grp (code, kind, name, party, note, source_title, source_url, seq)"
                     " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                     "sssssssi", code, kind, name, party, note, st, su, seq);
}

int registry_apply_membership_recorded(store *db, int64_t seq, json_t *data, bool replay)
{
    static const char *const keys[] = {"group", "party", "role", "from", "to", "source", "confidence", NULL};
    const char *grp, *party, *role, *from, *to, *conf, *st, *su;
    (void)replay;
    int rc = json_only_keys(data, keys, NULL);
    if (!rc) rc = json_get_string(data, "group", true, 64, &grp);
    if (!rc) rc = json_get_string(data, "party", true, 64, &party);
    if (!rc) rc = json_get_string(data, "role", true, 20, &role);
    if (!rc) rc = json_get_string(data, "from", true, 10, &from);
    if (!rc) rc = date_check(from, "from");
    if (!rc) rc = json_get_string(data, "to", false, 10, &to);
    if (!rc && to) rc = date_check(to, "to");
    if (!rc) rc = json_get_string(data, "confidence", true, REGISTRY_MAX_TEXT, &conf);
    if (!rc) rc = registry_read_source(data, "source", true, &st, &su);
    if (rc)
        return rc;
    if (strcmp(role, "member") && strcmp(role, "observer"))
        return accord_fail(ACCORD_EINVAL, "role", "role: must be member or observer");
    if (to && strcmp(to, from) < 0)
        return accord_fail(ACCORD_ERULE, "to", "to: %s is before from %s", to, from);
    rc = store_exists(db, "SELECT 1 FROM grp WHERE code = ?", "s", grp);
    if (rc == STORE_DONE)
        return accord_fail(ACCORD_ENOTFOUND, "group", "group: no group '%s'", grp);
    if (rc < 0)
        return rc;
    if ((rc = registry_party_require(db, party, "party")))
        return rc;
    /* Periods of one party in one group must not overlap: 'to' is the last
     * day of a period, so [from, to] ranges are compared inclusively. */
    rc = store_exists(db,
                      "SELECT 1 FROM membership WHERE grp = ? AND party = ?"
                      " AND valid_from <= coalesce(?, '9999-12-31') AND coalesce(valid_to, '9999-12-31') >= ?",
                      "ssss", grp, party, to, from);
    if (rc == STORE_ROW)
        return accord_fail(ACCORD_ECONFLICT, "from", "from: '%s' already has a membership of '%s' in that period",
                           party, grp);
    if (rc < 0)
        return rc;
    return store_run(db,
                     "INSERT INTO membership (grp, party, role, valid_from, valid_to, source_title, source_url,"
                     " confidence, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     "ssssssssi", grp, party, role, from, to, st, su, conf, seq);
}

int registry_apply_instrument_created(store *db, int64_t seq, json_t *data, bool replay)
{
    static const char *const keys[] = {"slug", "title", "short_title", "nature", "opened_on", "place", "goal_year",
                                       "goal_text", "initiated_by", "completeness_note", "source", NULL};
    const char *slug, *title, *short_title, *nature, *opened, *place, *goal_text, *init, *note, *st, *su;
    int64_t goal_year;
    (void)replay;
    int rc = json_only_keys(data, keys, NULL);
    if (!rc) rc = json_get_string(data, "slug", true, 64, &slug);
    if (!rc && !slug_valid(slug))
        rc = accord_fail(ACCORD_EINVAL, "slug", "slug: lowercase letters, digits and dashes only");
    if (!rc) rc = json_get_string(data, "title", true, REGISTRY_MAX_NAME, &title);
    if (!rc) rc = json_get_string(data, "short_title", false, REGISTRY_MAX_NAME, &short_title);
    if (!rc) rc = json_get_string(data, "nature", false, REGISTRY_MAX_TEXT, &nature);
    if (!rc) rc = json_get_string(data, "opened_on", true, 10, &opened);
    if (!rc) rc = date_check(opened, "opened_on");
    if (!rc) rc = json_get_string(data, "place", false, REGISTRY_MAX_NAME, &place);
    if (!rc) rc = json_get_int(data, "goal_year", false, 1900, 2200, 0, &goal_year);
    if (!rc) rc = json_get_string(data, "goal_text", false, REGISTRY_MAX_TEXT, &goal_text);
    if (!rc) rc = json_get_string(data, "initiated_by", false, 64, &init);
    if (!rc) rc = json_get_string(data, "completeness_note", false, REGISTRY_MAX_TEXT, &note);
    if (!rc) rc = registry_read_source(data, "source", true, &st, &su);
    if (!rc && init) rc = registry_party_require(db, init, "initiated_by");
    if (rc)
        return rc;
    rc = store_exists(db, "SELECT 1 FROM instrument WHERE slug = ?", "s", slug);
    if (rc == STORE_ROW)
        return accord_fail(ACCORD_ECONFLICT, "slug", "slug: instrument '%s' already exists", slug);
    if (rc < 0)
        return rc;
    return store_run(db,
                     "INSERT INTO instrument (slug, title, short_title, nature, opened_on, place, goal_year, goal_text,"
                     " initiated_by, completeness_note, source_title, source_url, seq)"
                     " VALUES (?, ?, ?, ?, ?, ?, nullif(?, 0), ?, ?, ?, ?, ?, ?)",
                     "ssssssisssssi", slug, title, short_title, nature, opened, place, goal_year, goal_text, init, note,
                     st, su, seq);
}

int registry_apply_provision_recorded(store *db, int64_t seq, json_t *data, bool replay)
{
    static const char *const keys[] = {"instrument", "number", "title", "text", "text_status", "source", NULL};
    const char *inst, *title, *text, *status, *st, *su;
    int64_t number;
    char opened[11];
    (void)replay;
    int rc = json_only_keys(data, keys, NULL);
    if (!rc) rc = json_get_string(data, "instrument", true, 64, &inst);
    if (!rc) rc = json_get_int(data, "number", true, 1, 10000, 0, &number);
    if (!rc) rc = json_get_string(data, "title", false, REGISTRY_MAX_TEXT, &title);
    if (!rc) rc = json_get_string(data, "text", false, 100000, &text);
    if (!rc) rc = json_get_string(data, "text_status", true, 20, &status);
    if (!rc) rc = registry_read_source(data, "source", false, &st, &su);
    if (!rc) rc = registry_instrument_opened(db, inst, "instrument", opened);
    if (rc)
        return rc;
    bool recorded = strcmp(status, "not_recorded") != 0;
    if (recorded && strcmp(status, "official") && strcmp(status, "paraphrase"))
        return accord_fail(ACCORD_EINVAL, "text_status", "text_status: must be official, paraphrase or not_recorded");
    if (recorded && !title && !text)
        return accord_fail(ACCORD_ERULE, "text", "text: a recorded provision needs a title or a text");
    if (recorded && !st)
        return accord_fail(ACCORD_ERULE, "source", "source: a recorded provision text needs its source");
    if (!recorded && (title || text))
        return accord_fail(ACCORD_ERULE, "text_status", "text_status: not_recorded provisions carry no text");
    rc = store_exists(db, "SELECT 1 FROM provision WHERE instrument = ? AND number = ?", "si", inst, number);
    if (rc == STORE_ROW)
        return accord_fail(ACCORD_ECONFLICT, "number", "number: provision %lld of '%s' is already recorded",
                           (long long)number, inst);
    if (rc < 0)
        return rc;
    return store_run(db,
                     "INSERT INTO provision (instrument, number, title, body, text_status, source_title, source_url, seq)"
                     " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                     "sisssssi", inst, number, title, text, status, st, su, seq);
}
