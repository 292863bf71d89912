/* The UN's short names of countries and areas in the six official
 * languages: data/un-names.json (a copy of UNSD's M49 names, kept
 * byte-identical to its source) with data/un-names.corrections.json
 * applied on top (each fix with its source; names withheld as damaged).
 * Reference data, not state: read once per process, then read-only.
 * Provenance: data/un-names.md. */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry/registry.h"
#include "util/datadir.h"
#include "util/error.h"

#define NAMES_FILE "un-names.json"
#define CORRECTIONS_FILE "un-names.corrections.json"
#define NAMES_MAX 1000 /* UNSD lists about 250 countries and areas */

static const char *const languages[REGISTRY_UN_LANGUAGES] = {"ar", "zh", "en", "fr", "ru", "es"};

typedef struct un_entry {
    char code[4];
    char *name[REGISTRY_UN_LANGUAGES]; /* owned; NULL where there is none */
} un_entry;

/* The table, written once under 'once' and read-only afterwards. */
static struct {
    un_entry *entries; /* sorted by code */
    size_t n;
    int rc;
    datadir_file file;
} names = {.file = {.what = "UN names", .hint = "see data/un-names.md"}};
static pthread_once_t once = PTHREAD_ONCE_INIT;

static int language_index(const char *lang)
{
    for (int i = 0; lang && i < REGISTRY_UN_LANGUAGES; i++)
        if (strcmp(lang, languages[i]) == 0)
            return i;
    return -1;
}

static int compare_entry(const void *a, const void *b)
{
    return strcmp(((const un_entry *)a)->code, ((const un_entry *)b)->code);
}

static un_entry *entry_of(const char *code)
{
    if (!code || strlen(code) != 3 || !names.entries)
        return NULL;
    un_entry key;
    memcpy(key.code, code, 4);
    return bsearch(&key, names.entries, names.n, sizeof *names.entries, compare_entry);
}

/* Reads the names object {"ABW": {"ar": ..., ...}, ...} of 'path'. */
static int read_names(json_t *list)
{
    size_t n = json_object_size(list);
    if (n == 0 || n > NAMES_MAX)
        return datadir_refuse(&names.file, "holds no \"names\" object of at most %d codes", NAMES_MAX);
    if (!(names.entries = calloc(n, sizeof *names.entries)))
        return ACCORD_ENOMEM;
    const char *code;
    json_t *langs;
    json_object_foreach(list, code, langs)
    {
        un_entry *e = &names.entries[names.n++];
        if (!registry_party_code_valid(code) || strlen(code) != 3 || !json_is_object(langs))
            return datadir_refuse(&names.file, "entry '%s' is not an ISO 3166-1 alpha-3 code with its names", code);
        memcpy(e->code, code, 4);
        for (int l = 0; l < REGISTRY_UN_LANGUAGES; l++) {
            const char *s = json_string_value(json_object_get(langs, languages[l]));
            if (s && *s && !(e->name[l] = strdup(s)))
                return ACCORD_ENOMEM;
        }
    }
    qsort(names.entries, names.n, sizeof *names.entries, compare_entry);
    for (size_t i = 1; i < names.n; i++)
        if (strcmp(names.entries[i - 1].code, names.entries[i].code) == 0)
            return datadir_refuse(&names.file, "code %s appears twice", names.entries[i].code);
    return ACCORD_OK;
}

/* The name slot that correction 'c' of 'path' is about, after checking it
 * still holds what the correction says it replaces ('expect'), so that a
 * new copy of the names is not corrected blindly. */
static int correction_slot(json_t *c, const char *expect_key, char ***out)
{
    const char *code = json_string_value(json_object_get(c, "alpha3"));
    const char *expect = json_string_value(json_object_get(c, expect_key));
    int l = language_index(json_string_value(json_object_get(c, "lang")));
    un_entry *e = entry_of(code);
    if (!e || l < 0 || !expect)
        return datadir_refuse(&names.file, "a correction names no known code and language (%s)", code ? code : "?");
    if (!e->name[l] || strcmp(e->name[l], expect) != 0)
        return datadir_refuse(&names.file, "the correction of %s in %s expects '%s', which the names no longer hold", code,
                         languages[l], expect);
    *out = &e->name[l];
    return ACCORD_OK;
}

static int apply_corrections(json_t *doc)
{
    size_t i;
    json_t *c;
    char **slot;
    json_array_foreach(json_object_get(doc, "fixes"), i, c)
    {
        const char *value = json_string_value(json_object_get(c, "value"));
        json_t *source = json_object_get(c, "source");
        int rc = correction_slot(c, "was", &slot);
        if (rc)
            return rc;
        if (!value || !*value || !json_is_string(json_object_get(source, "title")))
            return datadir_refuse(&names.file, "fix %zu has no value or no source", i);
        free(*slot);
        if (!(*slot = strdup(value)))
            return ACCORD_ENOMEM;
    }
    json_array_foreach(json_object_get(doc, "withhold"), i, c)
    {
        int rc = correction_slot(c, "value", &slot);
        if (rc)
            return rc;
        if (!json_is_string(json_object_get(c, "why")))
            return datadir_refuse(&names.file, "withheld name %zu does not say why", i);
        free(*slot);
        *slot = NULL;
    }
    return ACCORD_OK;
}

static int load(void)
{
    json_t *doc = NULL, *fixes = NULL;
    int rc = datadir_load_json(&names.file, NAMES_FILE, &doc);
    if (!rc) rc = read_names(json_object_get(doc, "names"));
    if (!rc) rc = datadir_load_json(&names.file, CORRECTIONS_FILE, &fixes);
    if (!rc) rc = apply_corrections(fixes);
    json_decref(doc);
    json_decref(fixes);
    if (rc == ACCORD_ENOMEM)
        snprintf(names.file.message, sizeof names.file.message, "out of memory reading the UN names");
    return rc;
}

static void load_once(void)
{
    names.rc = load();
    if (names.rc) { /* a half-read table is never used */
        for (size_t i = 0; i < names.n; i++)
            for (int l = 0; l < REGISTRY_UN_LANGUAGES; l++)
                free(names.entries[i].name[l]);
        free(names.entries);
        names.entries = NULL;
        names.n = 0;
    }
}

int registry_un_names_load(void)
{
    pthread_once(&once, load_once);
    return names.rc ? accord_fail(names.rc, NULL, "%s", names.file.message) : ACCORD_OK;
}

const char *registry_un_name(const char *code, const char *lang)
{
    int l = language_index(lang);
    if (l < 0 || registry_un_names_load())
        return NULL;
    un_entry *e = entry_of(code);
    return e ? e->name[l] : NULL;
}
