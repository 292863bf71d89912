/* Reference codes the assistance records are tagged with. They are
 * reference data, not state: read once per process from files shipped
 * with accord (data/iati/README.md says where they came from) and from
 * Debian's iso-codes, then never changed, so any thread reads them
 * without locks. */
#include <jansson.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "assistance/assistance_int.h"
#include "util/datadir.h"
#include "util/error.h"

#define ISO_3166_2_PATH "/usr/share/iso-codes/json/iso_3166-2.json"

typedef struct code_name {
    char *code, *name;
} code_name;

typedef struct code_table {
    code_name *items;
    size_t n;
} code_table;

static code_table sectors, sdg_targets, subdivisions;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static int load_rc;
static char load_msg[512];

static int by_code(const void *a, const void *b)
{
    return strcmp(((const code_name *)a)->code, ((const code_name *)b)->code);
}

static int table_add(code_table *t, const char *code, const char *name)
{
    code_name *grown = realloc(t->items, (t->n + 1) * sizeof *grown);
    if (!grown)
        return ACCORD_ENOMEM;
    t->items = grown;
    t->items[t->n].code = strdup(code);
    t->items[t->n].name = strdup(name ? name : "");
    if (!t->items[t->n].code || !t->items[t->n].name)
        return ACCORD_ENOMEM;
    t->n++;
    return ACCORD_OK;
}

static const char *table_find(const code_table *t, const char *code)
{
    if (!code)
        return NULL;
    code_name key = {(char *)code, NULL};
    const code_name *hit = bsearch(&key, t->items, t->n, sizeof *t->items, by_code);
    return hit ? hit->name : NULL;
}

static xmlNode *child(xmlNode *n, const char *name)
{
    for (xmlNode *c = n ? n->children : NULL; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, name) == 0)
            return c;
    return NULL;
}

/* The English narrative of a codelist item's <name>: the one without
 * xml:lang (the codelist's language is English). */
static char *english_name(xmlNode *item)
{
    for (xmlNode *c = child(item, "name") ? child(item, "name")->children : NULL; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE || strcmp((const char *)c->name, "narrative"))
            continue;
        xmlChar *lang = xmlGetNsProp(c, (const xmlChar *)"lang", XML_XML_NAMESPACE);
        bool english = !lang || strcmp((const char *)lang, "en") == 0;
        xmlFree(lang);
        if (english)
            return (char *)xmlNodeGetContent(c);
    }
    return NULL;
}

/* Reads an IATI codelist file (data/iati/codelists/<name>.xml). */
static int load_codelist(const char *name, code_table *t)
{
    char rel[128], path[1024];
    snprintf(rel, sizeof rel, "iati/codelists/%s.xml", name);
    int rc = datadir_find(rel, path, sizeof path);
    if (rc)
        return rc;
    xmlDoc *doc = xmlReadFile(path, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!doc)
        return accord_fail(ACCORD_EENV, NULL, "%s: not a readable XML codelist", path);
    xmlNode *items = child(xmlDocGetRootElement(doc), "codelist-items");
    for (xmlNode *c = items ? items->children : NULL; c && !rc; c = c->next) {
        if (c->type != XML_ELEMENT_NODE || strcmp((const char *)c->name, "codelist-item"))
            continue;
        xmlChar *code = child(c, "code") ? xmlNodeGetContent(child(c, "code")) : NULL;
        char *label = english_name(c);
        if (code)
            rc = table_add(t, (const char *)code, label);
        xmlFree(code);
        xmlFree(label);
    }
    xmlFreeDoc(doc);
    if (!rc && t->n == 0)
        rc = accord_fail(ACCORD_EENV, NULL, "%s: the codelist has no items", path);
    if (!rc)
        qsort(t->items, t->n, sizeof *t->items, by_code);
    return rc;
}

static int load_subdivisions(void)
{
    json_error_t err;
    json_t *doc = json_load_file(ISO_3166_2_PATH, 0, &err);
    if (!doc)
        return accord_fail(ACCORD_EENV, NULL, "%s: %s (install Debian's iso-codes)", ISO_3166_2_PATH, err.text);
    json_t *list = json_object_get(doc, "3166-2"), *item;
    size_t i;
    int rc = ACCORD_OK;
    json_array_foreach(list, i, item)
    {
        const char *code = json_string_value(json_object_get(item, "code"));
        const char *name = json_string_value(json_object_get(item, "name"));
        /* First-level subdivisions only: the others name a parent. */
        if (code && !rc && !json_object_get(item, "parent"))
            rc = table_add(&subdivisions, code, name);
    }
    json_decref(doc);
    if (!rc && subdivisions.n == 0)
        rc = accord_fail(ACCORD_EENV, NULL, "%s: no subdivisions", ISO_3166_2_PATH);
    if (!rc)
        qsort(subdivisions.items, subdivisions.n, sizeof *subdivisions.items, by_code);
    return rc;
}

static void load_once(void)
{
    load_rc = load_codelist("Sector", &sectors);
    if (!load_rc)
        load_rc = load_codelist("UNSDG-Targets", &sdg_targets);
    if (!load_rc)
        load_rc = load_subdivisions();
    if (load_rc)
        snprintf(load_msg, sizeof load_msg, "%s", accord_error_message());
}

int codes_load(void)
{
    pthread_once(&once, load_once);
    return load_rc ? accord_fail(load_rc, NULL, "%s", load_msg) : ACCORD_OK;
}

const char *codes_sector_name(const char *code) { return table_find(&sectors, code); }
const char *codes_sdg_name(const char *code) { return table_find(&sdg_targets, code); }
const char *codes_subdivision_name(const char *code) { return table_find(&subdivisions, code); }

const char *codes_gcts_name(const char *code)
{
    /* The section headings of the Plan of Action annexed to A/RES/60/288. */
    static const char *const pillars[] = {
        "Measures to address the conditions conducive to the spread of terrorism",
        "Measures to prevent and combat terrorism",
        "Measures to build States' capacity to prevent and combat terrorism and to strengthen the role of the United "
        "Nations system in this regard",
        "Measures to ensure respect for human rights for all and the rule of law as the fundamental basis of the "
        "fight against terrorism"};
    if (!code || code[0] < '1' || code[0] > '4' || code[1])
        return NULL;
    return pillars[code[0] - '1'];
}

int codes_iati_status(const char *status)
{
    /* IATI ActivityStatus: 1 Pipeline/identification, 2 Implementation,
     * 3 Finalisation, 4 Closed, 5 Cancelled, 6 Suspended. A completed
     * activity is reported closed. */
    static const struct {
        const char *status;
        int code;
    } map[] = {{"pipeline", 1}, {"implementation", 2}, {"completed", 4}, {"cancelled", 5}, {"suspended", 6}};
    for (size_t i = 0; status && i < sizeof map / sizeof map[0]; i++)
        if (strcmp(map[i].status, status) == 0)
            return map[i].code;
    return 0;
}
