/* UN M49 regions: reference data read once per process from
 * data/un-m49.json (provenance in data/un-m49.md), not state: it has no
 * events and no tables, and replaying the log does not depend on it. */
#include <ctype.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "registry/registry.h"
#include "util/datadir.h"
#include "util/error.h"

#define M49_FILE "un-m49.json"
#define M49_MAX_AREAS 1000 /* the standard has 278; a file far larger is not it */

static const char *const type_names[] = {"world", "region", "subregion", "intermediate", "country"};

/* The table, written once under 'once' and read-only afterwards. */
static struct {
    registry_area *areas;
    size_t n;
    const registry_area **by_iso; /* countries sorted by ISO 3166-1 alpha-3 */
    size_t niso;
    json_t *source;               /* the file's provenance object */
    int rc;                       /* how loading ended */
    datadir_file file;
} m49 = {.file = {.what = "UN M49 regions", .hint = "regenerate it with scripts/un-m49.sh"}};
static pthread_once_t once = PTHREAD_ONCE_INIT;

static bool digits3(const char *s)
{
    return s && strlen(s) == 3 && isdigit((unsigned char)s[0]) && isdigit((unsigned char)s[1]) &&
           isdigit((unsigned char)s[2]);
}

static int type_of(const char *name)
{
    for (int t = 0; t < (int)(sizeof type_names / sizeof type_names[0]); t++)
        if (name && strcmp(name, type_names[t]) == 0)
            return t;
    return -1;
}

static const registry_area *by_code(const char *code)
{
    for (size_t i = 0; i < m49.n; i++)
        if (strcmp(m49.areas[i].code, code) == 0)
            return &m49.areas[i];
    return NULL;
}

static int compare_iso(const void *a, const void *b)
{
    return strcmp((*(const registry_area *const *)a)->iso3, (*(const registry_area *const *)b)->iso3);
}

/* Reads entry 'i' of the file into m49.areas[i]; parents are linked after
 * every entry is read. */
static int read_area(json_t *e, size_t i)
{
    registry_area *a = &m49.areas[i];
    const char *code = json_string_value(json_object_get(e, "code"));
    const char *name = json_string_value(json_object_get(e, "name"));
    const char *iso = json_string_value(json_object_get(e, "iso3166"));
    int type = type_of(json_string_value(json_object_get(e, "type")));
    if (!digits3(code))
        return datadir_refuse(&m49.file, "entry %zu has no three-digit code", i);
    if (!name || !*name || type < 0)
        return datadir_refuse(&m49.file, "entry %s (%zu) lacks a name or a known type", code, i);
    if ((type == REGISTRY_AREA_COUNTRY) != (iso != NULL) || (iso && !registry_party_code_valid(iso)))
        return datadir_refuse(&m49.file, "entry %s (%zu): a country or area, and only one, has an ISO 3166-1 alpha-3 code", code,
                         i);
    if (by_code(code))
        return datadir_refuse(&m49.file, "code %s appears twice (entry %zu)", code, i);
    snprintf(a->code, sizeof a->code, "%s", code);
    snprintf(a->iso3, sizeof a->iso3, "%s", iso ? iso : "");
    a->type = (registry_area_type)type;
    a->name = strdup(name);
    m49.n = i + 1;
    return a->name ? ACCORD_OK : ACCORD_ENOMEM;
}

/* Links each area to its parent, which must be of a larger type. */
static int link_parents(json_t *list)
{
    for (size_t i = 0; i < m49.n; i++) {
        registry_area *a = &m49.areas[i];
        const char *parent = json_string_value(json_object_get(json_array_get(list, i), "parent"));
        if (a->type == REGISTRY_AREA_WORLD)
            continue;
        a->parent = parent ? by_code(parent) : NULL;
        if (!a->parent || a->parent->type >= a->type)
            return datadir_refuse(&m49.file, "entry %s (%zu) has no valid parent", a->code, i);
    }
    return ACCORD_OK;
}

static int index_countries(void)
{
    m49.by_iso = calloc(m49.n, sizeof *m49.by_iso);
    if (!m49.by_iso)
        return ACCORD_ENOMEM;
    for (size_t i = 0; i < m49.n; i++)
        if (m49.areas[i].type == REGISTRY_AREA_COUNTRY)
            m49.by_iso[m49.niso++] = &m49.areas[i];
    qsort(m49.by_iso, m49.niso, sizeof *m49.by_iso, compare_iso);
    for (size_t i = 1; i < m49.niso; i++)
        if (strcmp(m49.by_iso[i - 1]->iso3, m49.by_iso[i]->iso3) == 0)
            return ACCORD_EENV;
    return ACCORD_OK;
}

static int load(void)
{
    json_t *doc;
    if (datadir_load_json(&m49.file, M49_FILE, &doc))
        return ACCORD_EENV;
    json_t *list = json_object_get(doc, "regions");
    size_t n = json_array_size(list);
    int rc = ACCORD_OK;
    if (n == 0 || n > M49_MAX_AREAS || !json_is_object(json_object_get(doc, "source")))
        rc = datadir_refuse(&m49.file, "holds no \"source\" and \"regions\" list of at most %d entries", M49_MAX_AREAS);
    if (!rc && !(m49.areas = calloc(n, sizeof *m49.areas)))
        rc = ACCORD_ENOMEM;
    for (size_t i = 0; !rc && i < n; i++)
        rc = read_area(json_array_get(list, i), i);
    if (!rc) rc = link_parents(list);
    if (!rc && (rc = index_countries()) == ACCORD_EENV)
        rc = datadir_refuse(&m49.file, "two countries share an ISO 3166-1 code");
    if (!rc && by_code("001") == NULL)
        rc = datadir_refuse(&m49.file, "has no world (001)");
    if (!rc)
        m49.source = json_deep_copy(json_object_get(doc, "source"));
    json_decref(doc);
    if (rc == ACCORD_ENOMEM)
        snprintf(m49.file.message, sizeof m49.file.message, "out of memory reading UN M49 regions");
    return rc;
}

static void load_once(void) { m49.rc = load(); }

int registry_m49_load(void)
{
    pthread_once(&once, load_once);
    return m49.rc ? accord_fail(m49.rc, NULL, "%s", m49.file.message) : ACCORD_OK;
}

/* The country or area of state 'party', or NULL (an organization, or a
 * state M49 does not list). */
static const registry_area *country_of(const char *party)
{
    if (!party || strlen(party) != 3)
        return NULL;
    registry_area key;
    snprintf(key.iso3, sizeof key.iso3, "%s", party);
    const registry_area *k = &key, **hit = bsearch(&k, m49.by_iso, m49.niso, sizeof *m49.by_iso, compare_iso);
    return hit ? *hit : NULL;
}

int registry_m49_place(const char *party, registry_place *out)
{
    int rc = registry_m49_load();
    memset(out, 0, sizeof *out);
    if (rc)
        return rc;
    for (const registry_area *a = country_of(party); a; a = a->parent) {
        if (a->type == REGISTRY_AREA_REGION)
            out->region = a;
        else if (a->type == REGISTRY_AREA_SUBREGION)
            out->subregion = a;
        else if (a->type == REGISTRY_AREA_INTERMEDIATE)
            out->intermediate = a;
    }
    return ACCORD_OK;
}

/* A region given by code: "143", or "2" for "002". */
static const registry_area *region_by_number(const char *text)
{
    size_t len = strlen(text);
    if (len == 0 || len > 3 || strspn(text, "0123456789") != len)
        return NULL;
    char code[4];
    snprintf(code, sizeof code, "%03d", atoi(text));
    return by_code(code);
}

static const registry_area *region_by_name(const char *text)
{
    for (size_t i = 0; i < m49.n; i++)
        if (strcasecmp(m49.areas[i].name, text) == 0)
            return &m49.areas[i];
    return NULL;
}

int registry_m49_region(const char *text, const char *field, const registry_area **out)
{
    int rc = registry_m49_load();
    if (rc)
        return rc;
    const registry_area *a = region_by_number(text);
    if (!a)
        a = region_by_name(text);
    if (!a)
        return accord_fail(ACCORD_ENOTFOUND, field,
                           "%s: no UN M49 region '%s'; give a code (\"143\") or a name (\"Central Asia\"), see "
                           "/api/v1/regions", field, text);
    if (a->type == REGISTRY_AREA_COUNTRY)
        return accord_fail(ACCORD_EINVAL, field, "%s: '%s' is a country or area (%s), not a region", field, text,
                           a->iso3);
    *out = a;
    return ACCORD_OK;
}

bool registry_m49_within(const char *party, const registry_area *region)
{
    if (registry_m49_load())
        return false;
    for (const registry_area *a = country_of(party); a; a = a->parent)
        if (a == region)
            return true;
    return false;
}

json_t *registry_area_json(const registry_area *a)
{
    return a ? json_pack("{s:s, s:s}", "code", a->code, "name", a->name) : json_null();
}

int registry_m49_list(json_t **out)
{
    int rc = registry_m49_load();
    if (rc)
        return rc;
    json_t *list = json_array();
    for (size_t i = 0; i < m49.n; i++) {
        const registry_area *r = &m49.areas[i];
        if (r->type == REGISTRY_AREA_COUNTRY)
            continue;
        json_t *members = json_array();
        for (size_t c = 0; c < m49.niso; c++)
            if (registry_m49_within(m49.by_iso[c]->iso3, r))
                json_array_append_new(members, json_string(m49.by_iso[c]->iso3));
        json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s?, s:o}", "code", r->code, "name", r->name, "type",
                                              type_names[r->type], "parent", r->parent ? r->parent->code : NULL,
                                              "countries", members));
    }
    *out = json_pack("{s:o, s:o}", "source", json_deep_copy(m49.source), "regions", list);
    return ACCORD_OK;
}

const char *registry_area_type_name(registry_area_type type)
{
    return type_names[type];
}
