/* The participation map: data/world-map.json (from scripts/world-map.sh)
 * read once, then coloured per request from a list of states. */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "charts/charts.h"
#include "util/datadir.h"
#include "util/error.h"

#define MAP_FILE "world-map.json"
#define MAP_MAX_ENTRIES 1000 /* ISO 3166-1 has 249 entries; a file far larger is not the map */

/* The map as read, written once under 'once' and read-only afterwards. */
static struct {
    json_t *doc;       /* the whole file */
    json_int_t width, height;
    json_t *countries; /* borrowed from 'doc' */
    json_t *markers;
    json_t *other;
    int rc;
    datadir_file file;
} map = {.file = {.what = "world map", .hint = "regenerate it with scripts/world-map.sh"}};
static pthread_once_t once = PTHREAD_ONCE_INIT;

static const char *const state_names[] = {"participant", "signatory_withdrawn", "not_participant", "not_a_state"};

/* Checks entry 'i' of list 'name': a code of three capital letters, and a
 * path or a point. */
static int check_entry(const char *name, size_t i, json_t *e, int is_marker)
{
    const char *code = json_string_value(json_object_get(e, "code"));
    if (!code || strlen(code) != 3 || strspn(code, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != 3)
        return datadir_refuse(&map.file, "%s entry %zu has no ISO 3166-1 alpha-3 code", name, i);
    if (!json_is_string(json_object_get(e, "numeric")))
        return datadir_refuse(&map.file, "%s entry %s has no numeric code", name, code);
    if (is_marker ? !json_is_number(json_object_get(e, "x")) || !json_is_number(json_object_get(e, "y"))
                  : !json_is_string(json_object_get(e, "d")))
        return datadir_refuse(&map.file, "%s entry %s has no %s", name, code, is_marker ? "point" : "path");
    return ACCORD_OK;
}

static int load(void)
{
    if (datadir_load_json(&map.file, MAP_FILE, &map.doc))
        return ACCORD_EENV;
    map.width = json_integer_value(json_object_get(map.doc, "width"));
    map.height = json_integer_value(json_object_get(map.doc, "height"));
    map.countries = json_object_get(map.doc, "countries");
    map.markers = json_object_get(map.doc, "markers");
    map.other = json_object_get(map.doc, "other");
    if (map.width <= 0 || map.height <= 0 || !json_is_array(map.countries) || !json_is_array(map.markers) ||
        !json_is_array(map.other) || json_array_size(map.countries) + json_array_size(map.markers) > MAP_MAX_ENTRIES)
        return datadir_refuse(&map.file, "holds no \"width\", \"height\", \"countries\", \"markers\" and \"other\"");
    size_t i;
    json_t *e;
    json_array_foreach(map.countries, i, e) if (check_entry("countries", i, e, 0)) return ACCORD_EENV;
    json_array_foreach(map.markers, i, e) if (check_entry("markers", i, e, 1)) return ACCORD_EENV;
    json_array_foreach(map.other, i, e) if (!json_is_string(json_object_get(e, "d")))
        return datadir_refuse(&map.file, "other entry %zu has no path", i);
    return ACCORD_OK;
}

static void load_once(void)
{
    map.rc = load();
    if (map.rc) {
        json_decref(map.doc);
        map.doc = NULL;
    }
}

int charts_map_load(void)
{
    pthread_once(&once, load_once);
    return map.rc ? accord_fail(map.rc, NULL, "%s", map.file.message) : ACCORD_OK;
}

/* The state name of 'text' from the known four (a static string), or NULL. */
static const char *state_named(const char *text)
{
    for (size_t i = 0; text && i < sizeof state_names / sizeof state_names[0]; i++)
        if (strcmp(text, state_names[i]) == 0)
            return state_names[i];
    return NULL;
}

/* The state 'states' gives 'code', else 'otherwise'. */
static const char *state_of(const json_t *index, const char *code, const char *otherwise)
{
    const char *s = json_string_value(json_object_get(index, code));
    return s ? s : otherwise;
}

/* Indexes 'states' by code into a new object of code -> state name, after
 * checking every entry. */
static int index_states(const json_t *states, json_t **out)
{
    if (!json_is_array(states))
        return accord_fail(ACCORD_EINVAL, "states", "states: must be an array of {\"code\", \"state\"}");
    json_t *index = json_object();
    size_t i;
    json_t *e;
    json_array_foreach(states, i, e)
    {
        const char *code = json_string_value(json_object_get(e, "code"));
        const char *state = state_named(json_string_value(json_object_get(e, "state")));
        if (!code || !state) {
            json_decref(index);
            return accord_fail(ACCORD_EINVAL, "states",
                               "states[%zu]: needs a \"code\" and a \"state\" (participant, signatory_withdrawn, "
                               "not_participant or not_a_state)", i);
        }
        json_object_set_new(index, code, json_string(state));
    }
    *out = index;
    return ACCORD_OK;
}

int charts_map(const json_t *states, const char *otherwise, json_t **out)
{
    int rc = charts_map_load();
    if (rc)
        return rc;
    const char *fallback = state_named(otherwise);
    if (!fallback)
        return accord_fail(ACCORD_EINVAL, "otherwise", "otherwise: '%s' is not a map state", otherwise ? otherwise : "");
    json_t *index = NULL;
    if ((rc = index_states(states, &index)))
        return rc;
    json_t *countries = json_array(), *markers = json_array(), *other = json_array();
    size_t i;
    json_t *e;
    json_array_foreach(map.countries, i, e)
    {
        const char *code = json_string_value(json_object_get(e, "code"));
        json_array_append_new(countries, json_pack("{s:s, s:O, s:O, s:s}", "code", code, "numeric",
                                                   json_object_get(e, "numeric"), "d", json_object_get(e, "d"),
                                                   "state", state_of(index, code, fallback)));
    }
    json_array_foreach(map.markers, i, e)
    {
        const char *code = json_string_value(json_object_get(e, "code"));
        json_array_append_new(markers, json_pack("{s:s, s:O, s:O, s:s}", "code", code, "x", json_object_get(e, "x"),
                                                 "y", json_object_get(e, "y"), "state",
                                                 state_of(index, code, fallback)));
    }
    json_array_foreach(map.other, i, e) json_array_append_new(other, json_pack("{s:O}", "d", json_object_get(e, "d")));
    json_decref(index);
    *out = json_pack("{s:I, s:I, s:o, s:o, s:o}", "width", map.width, "height", map.height, "countries", countries,
                     "markers", markers, "other", other);
    return *out ? ACCORD_OK : accord_fail(ACCORD_ENOMEM, NULL, "out of memory building the map");
}
