/* UN membership: data/un-membership.json (the 193 Member States and the
 * two non-member observer States, with sources; provenance in
 * data/un-membership.md), read once per process and read-only afterwards.
 * It decides which ISO 3166-1 entries accord calls states, and is
 * recorded as the group "un" (cli/un.c) so that "UN member states that
 * have not signed" is a view of its own. */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry/registry.h"
#include "util/date.h"
#include "util/datadir.h"
#include "util/error.h"

#define UN_FILE "un-membership.json"
#define UN_MAX 400 /* 193 members and 2 observers; a list far longer is not this one */

static struct {
    json_t *doc;     /* the file */
    json_t *members; /* borrowed: members.codes */
    json_t *observers;
    int rc;
    datadir_file file;
} un = {.file = {.what = "UN membership", .hint = "see data/un-membership.md"}};
static pthread_once_t once = PTHREAD_ONCE_INIT;

static bool source_valid(const json_t *s)
{
    const char *url = json_string_value(json_object_get(s, "url"));
    return json_is_string(json_object_get(s, "title")) && url && strncmp(url, "https://", 8) == 0;
}

static int check(void)
{
    json_t *members = json_object_get(un.doc, "members");
    const char *as_of = json_string_value(json_object_get(members, "as_of"));
    un.members = json_object_get(members, "codes");
    un.observers = json_object_get(un.doc, "observers");
    if (!source_valid(json_object_get(un.doc, "source")) || !as_of || !date_valid(as_of))
        return datadir_refuse(&un.file, "has no source or no members.as_of date");
    size_t n = json_array_size(un.members), i;
    if (n == 0 || n > UN_MAX || !json_is_array(un.observers) || json_array_size(un.observers) > UN_MAX)
        return datadir_refuse(&un.file, "has no members.codes and observers lists");
    json_t *e;
    json_array_foreach(un.members, i, e)
    {
        const char *code = json_string_value(e);
        if (!code || strlen(code) != 3 || !registry_party_code_valid(code))
            return datadir_refuse(&un.file, "members.codes[%zu] is not an ISO 3166-1 alpha-3 code", i);
    }
    json_array_foreach(un.observers, i, e)
    {
        const char *code = json_string_value(json_object_get(e, "code"));
        const char *since = json_string_value(json_object_get(e, "since"));
        if (!code || strlen(code) != 3 || !registry_party_code_valid(code))
            return datadir_refuse(&un.file, "observers[%zu] has no ISO 3166-1 alpha-3 code", i);
        if (since && (!date_valid(since) || !source_valid(json_object_get(e, "source"))))
            return datadir_refuse(&un.file, "observer %s has a start date without a valid date or source", code);
    }
    return ACCORD_OK;
}

static void load_once(void)
{
    un.rc = datadir_load_json(&un.file, UN_FILE, &un.doc);
    if (!un.rc)
        un.rc = check();
    if (un.rc) {
        json_decref(un.doc);
        un.doc = NULL;
    }
}

int registry_un_load(void)
{
    pthread_once(&once, load_once);
    return un.rc ? accord_fail(un.rc, NULL, "%s", un.file.message) : ACCORD_OK;
}

const json_t *registry_un_membership(void)
{
    return registry_un_load() ? NULL : un.doc;
}

bool registry_un_listed(const char *code)
{
    if (!code || registry_un_load())
        return false;
    size_t i;
    json_t *e;
    json_array_foreach(un.members, i, e) if (strcmp(json_string_value(e), code) == 0) return true;
    json_array_foreach(un.observers, i, e) if (strcmp(json_string_value(json_object_get(e, "code")), code) == 0)
        return true;
    return false;
}

const char *registry_iso_kind(const char *code)
{
    return registry_un_listed(code) ? "state" : "territory";
}

json_t *registry_iso_kind_source(const char *kind)
{
    if (registry_un_load())
        return NULL;
    const json_t *s = json_object_get(un.doc, "source");
    const char *title = json_string_value(json_object_get(s, "title"));
    char text[REGISTRY_MAX_NAME];
    if (strcmp(kind, "state") == 0)
        snprintf(text, sizeof text, "%s", title);
    else
        snprintf(text, sizeof text, "Not listed among the Member States or non-member observer States: %s", title);
    return json_pack("{s:s, s:O}", "title", text, "url", json_object_get(s, "url"));
}
