/* Public read views of the registry. */
#include <stdio.h>
#include <string.h>

#include "registry/registry.h"
#include "store/lookup.h"
#include "store/row_json.h"
#include "util/clock.h"
#include "util/date.h"
#include "util/error.h"
#include "util/json.h"

#define NAME_AS_AT(alias) REGISTRY_NAME_AS_AT(alias)

static const char *date_or_max(const char *as_of) { return as_of ? as_of : "9999-12-31"; }

/* Replaces the "source_title" and "source_url" members of 'row' (as
 * store_row_json() made them from the columns) with one "source", last. */
static void fold_source(json_t *row)
{
    json_t *title = json_object_get(row, "source_title");
    if (title) {
        json_t *url = json_object_get(row, "source_url");
        json_object_set_new(row, "source", registry_source_json(json_string_value(title), json_string_value(url)));
        json_object_del(row, "source_title");
    }
    json_object_del(row, "source_url");
}

json_t *registry_row_json(store_stmt *st, const char *const *keys)
{
    json_t *row = store_row_json(st, keys);
    fold_source(row);
    return row;
}

int registry_rows_json(store_stmt *st, const char *const *keys, json_t **out)
{
    int rc = store_rows_json(st, keys, out);
    if (rc)
        return rc;
    size_t i;
    json_t *row;
    json_array_foreach(*out, i, row)
        fold_source(row);
    return ACCORD_OK;
}

json_t *registry_party_brief(store *db, const char *code, const char *as_of)
{
    static const char *const keys[] = {"code", "kind", "name", NULL};
    store_stmt *st;
    if (store_query(db, &st, "SELECT p.code, p.kind, " NAME_AS_AT("p") " FROM party p WHERE p.code = ?", "ss",
                    date_or_max(as_of), code))
        return NULL;
    json_t *o = store_step(st) == STORE_ROW ? store_row_json(st, keys) : NULL;
    store_stmt_close(st);
    return o;
}

int registry_party_name(store *db, const char *code, const char *as_of, const char *field, char *name, size_t size)
{
    int rc = store_one_text(db, name, size, "SELECT " NAME_AS_AT("p") " FROM party p WHERE p.code = ?", "ss",
                            date_or_max(as_of), code);
    if (rc == STORE_DONE)
        return accord_fail(ACCORD_ENOTFOUND, field, "%s: no party with code '%s'", field, code);
    return rc < 0 ? rc : ACCORD_OK;
}

int registry_list_instruments(store *db, json_t **out)
{
    static const char *const keys[] = {"slug", "title", "short_title", "opened_on", "place", "goal_year", NULL};
    store_stmt *st;
    int rc = store_query(db, &st, "SELECT slug, title, short_title, opened_on, place, goal_year FROM instrument ORDER BY opened_on, slug", "");
    return rc ? rc : store_rows_json(st, keys, out);
}

int registry_get_instrument(store *db, const char *slug, json_t **out)
{
    static const char *const keys[] = {"slug",        "title",        "short_title",       "nature",
                                       "opened_on",   "place",        "goal_year",         "goal_text",
                                       "initiated_by", "completeness_note", "source_title", "source_url", NULL};
    static const char *const pkeys[] = {"number", "title", "text", "text_status", "source_title", "source_url", NULL};
    store_stmt *st;
    int rc = store_first_row(db, &st,
                             "SELECT slug, title, short_title, nature, opened_on, place, goal_year, goal_text,"
                             " initiated_by,"
                             " completeness_note, source_title, source_url FROM instrument WHERE slug = ?",
                             "s", slug);
    json_t *inst = rc == STORE_ROW ? registry_row_json(st, keys) : NULL;
    store_stmt_close(st);
    if (!inst)
        return rc < 0 ? rc : accord_fail(ACCORD_ENOTFOUND, "slug", "no instrument '%s'", slug);
    json_t *provisions = NULL;
    rc = store_query(db, &st,
                     "SELECT number, title, body, text_status, source_title, source_url FROM provision"
                     " WHERE instrument = ? ORDER BY number",
                     "s", slug);
    if (!rc)
        rc = registry_rows_json(st, pkeys, &provisions);
    if (rc) {
        json_decref(inst);
        return rc;
    }
    json_object_set_new(inst, "provisions", provisions);
    *out = inst;
    return ACCORD_OK;
}

int registry_list_parties(store *db, const char *kind, json_t **out)
{
    static const char *const keys[] = {"code", "kind", "name", "alpha2", NULL};
    if (kind && strcmp(kind, "state") && strcmp(kind, "territory") && strcmp(kind, "organization"))
        return accord_fail(ACCORD_EINVAL, "kind", "kind: must be state, territory or organization");
    store_stmt *st;
    int rc = store_query(db, &st,
                         "SELECT p.code, p.kind, " NAME_AS_AT("p") ", p.alpha2 FROM party p"
                         " WHERE ? IS NULL OR p.kind = ?"
                         " ORDER BY CASE p.kind WHEN 'state' THEN 0 WHEN 'territory' THEN 1 ELSE 2 END, p.code",
                         "sss", date_or_max(NULL), kind, kind);
    return rc ? rc : store_rows_json(st, keys, out);
}

/* A group's name as at a date: that of the organization it stands for,
 * when it stands for one, else its own. */
#define GROUP_NAME_AS_AT                                                                                     \
    "coalesce((SELECT n.name FROM party_name n WHERE n.party = g.party AND n.valid_from <= ?"                \
    " ORDER BY n.valid_from DESC LIMIT 1), (SELECT p.name FROM party p WHERE p.code = g.party), g.name)"

int registry_get_party(store *db, const char *code, json_t **out)
{
    static const char *const keys[] = {"code",         "kind",       "name",
                                       "alpha2",       "numeric",    "founded",
                                       "source_title", "source_url", "kind_source_title",
                                       "kind_source_url", NULL};
    static const char *const nkeys[] = {"name", "from", "source_title", "source_url", NULL};
    static const char *const mkeys[] = {"group", "group_name", "role", "from", "to", "confidence", "source_title", "source_url", NULL};
    store_stmt *st;
    int rc = store_first_row(db, &st,
                             "SELECT p.code, p.kind, " NAME_AS_AT("p") ", p.alpha2, p.numeric_code, p.founded,"
                             " p.source_title, p.source_url, p.kind_source_title, p.kind_source_url"
                             " FROM party p WHERE p.code = ?",
                             "ss", date_or_max(NULL), code);
    json_t *party = rc == STORE_ROW ? registry_row_json(st, keys) : NULL;
    store_stmt_close(st);
    if (!party)
        return rc < 0 ? rc : accord_fail(ACCORD_ENOTFOUND, "code", "no party '%s'", code);
    json_t *names = NULL, *memberships = NULL;
    rc = store_query(db, &st,
                     "SELECT name, valid_from, source_title, source_url FROM party_name WHERE party = ? ORDER BY valid_from",
                     "s", code);
    if (!rc)
        rc = registry_rows_json(st, nkeys, &names);
    if (!rc)
        rc = store_query(db, &st,
                         "SELECT m.grp, " GROUP_NAME_AS_AT ", m.role, m.valid_from, m.valid_to, m.confidence,"
                         " m.source_title, m.source_url"
                         " FROM membership m JOIN grp g ON g.code = m.grp WHERE m.party = ? ORDER BY m.valid_from, m.grp",
                         "ss", date_or_max(NULL), code);
    if (!rc)
        rc = registry_rows_json(st, mkeys, &memberships);
    if (rc) {
        json_decref(party);
        json_decref(names);
        return rc;
    }
    /* The kind's source as one object, as every source is. */
    json_object_set_new(party, "kind_source",
                        registry_source_json(json_string_value(json_object_get(party, "kind_source_title")),
                                             json_string_value(json_object_get(party, "kind_source_url"))));
    json_object_del(party, "kind_source_title");
    json_object_del(party, "kind_source_url");
    json_object_set_new(party, "former_and_later_names", names);
    json_object_set_new(party, "memberships", memberships);
    *out = party;
    return ACCORD_OK;
}

int registry_list_groups(store *db, json_t **out)
{
    static const char *const keys[] = {"code", "kind", "name", "party", "members", "observers", "note", NULL};
    store_stmt *st;
    char today[11];
    clock_today(today);
    int rc = store_query(db, &st,
                         "SELECT g.code, g.kind, " GROUP_NAME_AS_AT ", g.party,"
                         " (SELECT count(*) FROM membership m WHERE m.grp = g.code AND m.role = 'member'"
                         "   AND m.valid_from <= ? AND (m.valid_to IS NULL OR m.valid_to >= ?)),"
                         " (SELECT count(*) FROM membership m WHERE m.grp = g.code AND m.role = 'observer'"
                         "   AND m.valid_from <= ? AND (m.valid_to IS NULL OR m.valid_to >= ?)),"
                         " g.note FROM grp g ORDER BY g.code",
                         "sssss", today, today, today, today, today);
    return rc ? rc : store_rows_json(st, keys, out);
}

int registry_group_brief(store *db, const char *code, const char *as_of, json_t **out)
{
    static const char *const keys[] = {"code", "kind", "name", "party", "note", "source_title", "source_url", NULL};
    store_stmt *st;
    int rc = store_first_row(db, &st,
                             "SELECT g.code, g.kind, " GROUP_NAME_AS_AT ", g.party, g.note, g.source_title,"
                             " g.source_url"
                             " FROM grp g WHERE g.code = ?",
                             "ss", date_or_max(as_of), code);
    *out = rc == STORE_ROW ? registry_row_json(st, keys) : NULL;
    store_stmt_close(st);
    if (!*out)
        return rc < 0 ? rc : accord_fail(ACCORD_ENOTFOUND, "code", "no group '%s'", code);
    return ACCORD_OK;
}

int registry_group_members(store *db, const char *code, const char *as_of, json_t **out)
{
    static const char *const keys[] = {"code", "kind", "name", "role", "from", "to", "confidence", "source_title", "source_url", NULL};
    store_stmt *st;
    const char *d = date_or_max(as_of);
    int rc = store_query(db, &st,
                         "SELECT p.code, p.kind, " NAME_AS_AT("p") ", m.role, m.valid_from, m.valid_to, m.confidence,"
                         " m.source_title, m.source_url FROM membership m JOIN party p ON p.code = m.party"
                         " WHERE m.grp = ? AND m.valid_from <= ? AND (m.valid_to IS NULL OR m.valid_to >= ?)"
                         " ORDER BY m.role, p.code",
                         "ssss", d, code, d, d);
    return rc ? rc : registry_rows_json(st, keys, out);
}

int registry_iso_states(const char *path, json_t **out)
{
    json_error_t err;
    json_t *doc = json_load_file(path, 0, &err);
    if (!doc)
        return accord_fail(ACCORD_EENV, NULL, "cannot read ISO 3166-1 list %s: %s (install Debian's iso-codes)", path,
                           err.text);
    json_t *list = json_object_get(doc, "3166-1");
    if (!json_is_array(list) || json_array_size(list) == 0) {
        json_decref(doc);
        return accord_fail(ACCORD_EENV, NULL, "%s does not hold an ISO 3166-1 list", path);
    }
    int rc = registry_un_load();
    if (rc) {
        json_decref(doc);
        return rc;
    }
    json_t *states = json_array();
    size_t i;
    json_t *c;
    json_array_foreach(list, i, c)
    {
        const char *kind = registry_iso_kind(json_string_value(json_object_get(c, "alpha_3")));
        json_t *ev = json_pack("{s:O, s:s, s:O, s:O, s:O, s:{s:s, s:s}, s:o}", "code", json_object_get(c, "alpha_3"),
                               "kind", kind, "name", json_object_get(c, "name"), "alpha2",
                               json_object_get(c, "alpha_2"), "numeric", json_object_get(c, "numeric"), "source",
                               "title", "ISO 3166-1 (Debian iso-codes)", "url",
                               "https://salsa.debian.org/iso-codes-team/iso-codes", "kind_source",
                               registry_iso_kind_source(kind));
        if (!ev) {
            json_decref(states);
            json_decref(doc);
            return accord_fail(ACCORD_EENV, NULL, "%s: entry %zu lacks alpha_3, name, alpha_2 or numeric", path, i);
        }
        json_array_append_new(states, ev);
    }
    json_decref(doc);
    *out = states;
    return ACCORD_OK;
}
