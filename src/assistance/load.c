/* Loading an assistance data file: every record becomes one event, all
 * in one transaction, so the file loads completely or not at all. */
#include <stdio.h>
#include <string.h>

#include "assistance/assistance_int.h"
#include "util/error.h"

/* Replaces a source given as a key of the file's "sources" with the
 * source object itself. */
static int resolve_source(json_t *item, const char *key, const json_t *sources)
{
    json_t *s = json_object_get(item, key);
    if (!json_is_string(s))
        return ACCORD_OK;
    json_t *found = json_object_get(sources, json_string_value(s));
    if (!json_is_object(found))
        return accord_fail(ACCORD_EINVAL, key, "%s: unknown source key '%s'", key, json_string_value(s));
    json_object_set(item, key, found);
    return ACCORD_OK;
}

static int load_list(store *db, const actor *who, const json_t *doc, const char *list, const char *type,
                     bool synthetic, int *events)
{
    json_t *items = json_object_get(doc, list), *item;
    size_t i;
    json_array_foreach(items, i, item)
    {
        json_t *data = json_deep_copy(item);
        if (!data)
            return accord_fail(ACCORD_ENOMEM, NULL, "out of memory");
        int rc = resolve_source(data, "source", json_object_get(doc, "sources"));
        if (!rc && json_is_object(json_object_get(data, "compact")))
            rc = resolve_source(json_object_get(data, "compact"), "source", json_object_get(doc, "sources"));
        json_t *p;
        size_t k;
        json_array_foreach(json_object_get(data, "participants"), k, p) if (!rc) rc =
            resolve_source(p, "source", json_object_get(doc, "sources"));
        if (!rc && synthetic)
            json_object_set_new(data, "synthetic", json_true());
        const char *t = strcmp(list, "needs") == 0 ? assistance_need_event(data) : type;
        if (!rc)
            rc = events_append(db, who, t, data, NULL);
        json_decref(data);
        if (rc) {
            char msg[512];
            snprintf(msg, sizeof msg, "%s", accord_error_message());
            return accord_fail(rc, accord_error_field(), "%s[%zu]: %s", list, i, msg);
        }
        (*events)++;
    }
    return ACCORD_OK;
}

int assistance_load_file(store *db, const actor *who, const char *path, int *events)
{
    json_error_t err;
    json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES, &err);
    *events = 0;
    if (!json_is_object(doc)) {
        json_decref(doc);
        return accord_fail(ACCORD_EINVAL, NULL, "%s:%d: %s", path, err.line, doc ? "not an object" : err.text);
    }
    bool synthetic = json_is_true(json_object_get(doc, "synthetic"));
    /* In order of what refers to what. */
    static const struct {
        const char *list, *type;
    } order[] = {{"entities", "entity.recorded"}, {"offices", "office.recorded"},
                 {"framework_links", "framework.linked"}, {"meetings", "meeting.recorded"},
                 {"needs", NULL}, {"offers", "offer.recorded"}, {"activities", "activity.recorded"}};
    int rc = events_begin(db);
    for (size_t i = 0; !rc && i < sizeof order / sizeof order[0]; i++)
        rc = load_list(db, who, doc, order[i].list, order[i].type, synthetic, events);
    if (!rc)
        rc = events_commit(db);
    if (rc) {
        events_rollback(db);
        *events = 0;
    }
    json_decref(doc);
    return rc;
}
