#include "dataset/dataset.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "util/error.h"
#include "util/json.h"

/* Walking state: where in the file we are, for error messages. */
typedef struct loader {
    store *db;
    const actor *who;
    const json_t *sources;
    dataset_counts *counts;
    char where[160];
} loader;

/* Prefixes the current error with the dataset path. */
static int at(loader *l, int rc)
{
    if (rc && rc != ACCORD_ESTORE && rc != ACCORD_ENOMEM) {
        char msg[512];
        snprintf(msg, sizeof msg, "%s", accord_error_message());
        return accord_fail(rc, accord_error_field(), "%s: %s", l->where, msg);
    }
    return rc;
}

/* Replaces a source key ("seed") in 'obj'['key'] with the source object
 * from the file's "sources"; inline objects and null stay as they are. */
static int resolve_source(loader *l, json_t *obj, const char *key)
{
    json_t *s = json_object_get(obj, key);
    if (!json_is_string(s))
        return ACCORD_OK;
    json_t *found = json_object_get(l->sources, json_string_value(s));
    if (!json_is_object(found))
        return accord_fail(ACCORD_EINVAL, key, "%s: unknown source key '%s'", key, json_string_value(s));
    json_t *copy = json_pack("{s:O, s:O*}", "title", json_object_get(found, "title"), "url", json_object_get(found, "url"));
    if (!copy || !json_object_get(found, "title"))
        return accord_fail(ACCORD_EINVAL, key, "%s: source '%s' has no title", key, json_string_value(s));
    json_object_set_new(obj, key, copy);
    return ACCORD_OK;
}

/* Appends one event from 'item' (copied; 'drop' keys removed; 'extra'
 * key/value pairs added). */
static int emit(loader *l, const char *type, const json_t *item, const char *const *drop, const char *extra_key,
                const char *extra_value, int *counter)
{
    json_t *data = json_deep_copy(item);
    if (!data)
        return accord_fail(ACCORD_ENOMEM, NULL, "out of memory");
    for (const char *const *d = drop; d && *d; d++)
        json_object_del(data, *d);
    if (extra_key)
        json_object_set_new(data, extra_key, json_string(extra_value));
    int rc = resolve_source(l, data, "source");
    if (!rc)
        rc = events_append(l->db, l->who, type, data, NULL);
    json_decref(data);
    if (!rc) {
        l->counts->events++;
        if (counter)
            (*counter)++;
    }
    return at(l, rc);
}

static int expect_array(loader *l, const json_t *parent, const char *key, json_t **out)
{
    *out = json_object_get(parent, key);
    if (!*out || json_is_null(*out)) {
        *out = NULL;
        return ACCORD_OK;
    }
    if (!json_is_array(*out))
        return at(l, accord_fail(ACCORD_EINVAL, key, "%s: must be an array", key));
    return ACCORD_OK;
}

static int load_organizations(loader *l, const json_t *doc)
{
    static const char *const drop[] = {"renamed", NULL};
    json_t *orgs, *o;
    size_t i;
    int rc = expect_array(l, doc, "organizations", &orgs);
    json_array_foreach(orgs, i, o)
    {
        snprintf(l->where, sizeof l->where, "organizations[%zu]", i);
        if (!json_is_object(o))
            return at(l, accord_fail(ACCORD_EINVAL, NULL, "must be an object"));
        json_t *kind = json_object_get(o, "kind");
        if (kind && (!json_is_string(kind) || strcmp(json_string_value(kind), "organization")))
            return at(l, accord_fail(ACCORD_EINVAL, "kind", "kind: entries under \"organizations\" are organizations"));
        if ((rc = emit(l, "party.registered", o, drop, "kind", "organization", &l->counts->organizations)))
            return rc;
        json_t *renames, *r;
        size_t j;
        if ((rc = expect_array(l, o, "renamed", &renames)))
            return rc;
        json_array_foreach(renames, j, r)
        {
            snprintf(l->where, sizeof l->where, "organizations[%zu].renamed[%zu]", i, j);
            if (!json_is_object(r))
                return at(l, accord_fail(ACCORD_EINVAL, NULL, "must be an object"));
            if ((rc = emit(l, "party.renamed", r, NULL, "party", json_string_value(json_object_get(o, "code")), NULL)))
                return rc;
        }
    }
    return rc;
}

static int load_groups(loader *l, const json_t *doc)
{
    static const char *const drop[] = {"memberships", NULL};
    json_t *groups, *g;
    size_t i;
    int rc = expect_array(l, doc, "groups", &groups);
    json_array_foreach(groups, i, g)
    {
        snprintf(l->where, sizeof l->where, "groups[%zu]", i);
        if (!json_is_object(g))
            return at(l, accord_fail(ACCORD_EINVAL, NULL, "must be an object"));
        if ((rc = emit(l, "group.created", g, drop, NULL, NULL, &l->counts->groups)))
            return rc;
        json_t *members, *m;
        size_t j;
        if ((rc = expect_array(l, g, "memberships", &members)))
            return rc;
        json_array_foreach(members, j, m)
        {
            snprintf(l->where, sizeof l->where, "groups[%zu].memberships[%zu]", i, j);
            if (!json_is_object(m))
                return at(l, accord_fail(ACCORD_EINVAL, NULL, "must be an object"));
            if ((rc = emit(l, "membership.recorded", m, NULL, "group", json_string_value(json_object_get(g, "code")),
                           &l->counts->memberships)))
                return rc;
        }
    }
    return rc;
}

/* The parts of an instrument entry that become events of their own. */
static const struct {
    const char *key;
    const char *type;
    size_t counter; /* offset in dataset_counts, or (size_t)-1 */
} instrument_parts[] = {
    {"provisions", "provision.recorded", offsetof(dataset_counts, provisions)},
    {"actions", "action.recorded", offsetof(dataset_counts, actions)},
    {"reported_totals", "reported_total.recorded", offsetof(dataset_counts, reported_totals)},
    {"known_gaps", "gap.recorded", (size_t)-1},
};

static int load_instruments(loader *l, const json_t *doc)
{
    /* "provisions_note" documents the file for its readers; it is not data. */
    static const char *const drop[] = {"provisions", "actions", "reported_totals", "known_gaps", "provisions_note", NULL};
    json_t *list, *inst;
    size_t i;
    int rc = expect_array(l, doc, "instruments", &list);
    json_array_foreach(list, i, inst)
    {
        snprintf(l->where, sizeof l->where, "instruments[%zu]", i);
        if (!json_is_object(inst))
            return at(l, accord_fail(ACCORD_EINVAL, NULL, "must be an object"));
        if ((rc = emit(l, "instrument.created", inst, drop, NULL, NULL, &l->counts->instruments)))
            return rc;
        const char *slug = json_string_value(json_object_get(inst, "slug"));
        for (size_t p = 0; p < sizeof instrument_parts / sizeof instrument_parts[0]; p++) {
            json_t *items, *item;
            size_t j;
            snprintf(l->where, sizeof l->where, "instruments[%zu]", i);
            if ((rc = expect_array(l, inst, instrument_parts[p].key, &items)))
                return rc;
            int *counter = instrument_parts[p].counter == (size_t)-1
                               ? NULL
                               : (int *)((char *)l->counts + instrument_parts[p].counter);
            json_array_foreach(items, j, item)
            {
                snprintf(l->where, sizeof l->where, "instruments[%zu].%s[%zu]", i, instrument_parts[p].key, j);
                if (!json_is_object(item))
                    return at(l, accord_fail(ACCORD_EINVAL, NULL, "must be an object"));
                if ((rc = emit(l, instrument_parts[p].type, item, NULL, "instrument", slug, counter)))
                    return rc;
            }
        }
    }
    return rc;
}

int dataset_load(store *db, const actor *who, const json_t *doc, dataset_counts *out)
{
    static const char *const top[] = {"format", "about", "derived_from", "sources", "organizations", "groups", "instruments", NULL};
    loader l = {.db = db, .who = who, .counts = out};
    memset(out, 0, sizeof *out);
    snprintf(l.where, sizeof l.where, "dataset");
    const char *format = json_string_value(json_object_get(doc, "format"));
    if (!json_is_object(doc))
        return accord_fail(ACCORD_EINVAL, NULL, "dataset: must be a JSON object");
    if (!format || strcmp(format, "accord-dataset/1") != 0)
        return accord_fail(ACCORD_EINVAL, "format", "dataset: \"format\" must be \"accord-dataset/1\"");
    int rc = at(&l, json_only_keys(doc, top, NULL));
    if (rc)
        return rc;
    l.sources = json_object_get(doc, "sources");
    if ((rc = events_begin(db)))
        return rc;
    if (!rc) rc = load_organizations(&l, doc);
    if (!rc) rc = load_groups(&l, doc);
    if (!rc) rc = load_instruments(&l, doc);
    if (!rc) rc = events_commit(db);
    if (rc)
        events_rollback(db);
    return rc;
}

int dataset_load_file(store *db, const actor *who, const char *path, dataset_counts *out)
{
    json_error_t err;
    json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES, &err);
    if (!doc)
        return accord_fail(ACCORD_EINVAL, NULL, "%s:%d:%d: %s", path, err.line, err.column, err.text);
    int rc = dataset_load(db, who, doc, out);
    json_decref(doc);
    return rc;
}
