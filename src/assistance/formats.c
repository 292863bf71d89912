/* The open formats of the assistance views. Pure: they take the views'
 * JSON and write bytes, touching no database.
 *
 * HXL: a CSV whose second row holds the Humanitarian Exchange Language
 * hashtags of each column, codes and readable names in columns side by
 * side, so that OCHA's and HDX's tools read an activity list as a 3W
 * sheet. IATI: an iati-activities 2.03 document written with libxml2's
 * xmlTextWriter, its codes taken from the IATI codelists. */
#include <libxml/xmlwriter.h>
#include <stdio.h>
#include <string.h>

#include "assistance/assistance_int.h"
#include "tabular/tabular.h"
#include "util/error.h"

/* ---- HXL ------------------------------------------------------------------- */

typedef struct hxl_column {
    const char *header, *hashtag, *key; /* key: a field of the row, or "source.title"-style path */
} hxl_column;

static const hxl_column ACTIVITY_HXL[] = {
    {"Activity id", "#meta+id", "id"},
    {"Activity", "#activity+name", "title"},
    {"Implementing code", "#org+impl+code", "implementing"},
    {"Implementing", "#org+impl+name", "implementing_name"},
    {"Office", "#org+impl+type", "office_kind"},
    {"Programming code", "#org+prog+code", "programming"},
    {"Programming", "#org+prog+name", "programming_name"},
    {"Funder code", "#org+funder+code", "funder"},
    {"Funder", "#org+funder+name", "funder_name"},
    {"Sector code", "#sector+code", "thematic"},
    {"Sector", "#sector+name", "thematic_name"},
    {"Country code", "#country+code", "country"},
    {"Country", "#country+name", "country_name"},
    {"Subdivision code", "#adm1+code", "subdivision"},
    {"Subdivision", "#adm1+name", "subdivision_name"},
    {"Provisions", "#x_provision", "provisions"},
    {"SDG targets", "#x_sdg_target", "sdg"},
    {"GCTS pillars", "#x_gcts_pillar", "gcts"},
    {"Status", "#status", "status"},
    {"Planned start", "#date+start", "planned_start"},
    {"Planned end", "#date+end", "planned_end"},
    {"Actual start", "#date+start+actual", "actual_start"},
    {"Actual end", "#date+end+actual", "actual_end"},
    {"Needs answered", "#x_need+id", "needs"},
    {"Synthetic", "#meta+synthetic", "synthetic"},
    {NULL, NULL, NULL}};

static const hxl_column NEED_HXL[] = {
    {"Need id", "#meta+id", "id"},
    {"Country code", "#country+code", "beneficiary"},
    {"Country", "#country+name", "beneficiary_name"},
    {"Need", "#x_need+name", "title"},
    {"Access", "#x_access", "access"},
    {"Priority", "#x_priority", "priority"},
    {"Sector code", "#sector+code", "thematic"},
    {"Sector", "#sector+name", "thematic_name"},
    {"Provisions", "#x_provision", "provisions"},
    {"SDG targets", "#x_sdg_target", "sdg"},
    {"GCTS pillars", "#x_gcts_pillar", "gcts"},
    {"Languages", "#x_language", "languages"},
    {"From", "#date+start", "period_from"},
    {"To", "#date+end", "period_to"},
    {"Synthetic", "#meta+synthetic", "synthetic"},
    {NULL, NULL, NULL}};

static const hxl_column OFFER_HXL[] = {
    {"Offer id", "#meta+id", "id"},
    {"Provider code", "#org+code", "provider"},
    {"Provider", "#org+name", "provider_name"},
    {"Offer", "#x_offer+name", "title"},
    {"Sector code", "#sector+code", "thematic"},
    {"Sector", "#sector+name", "thematic_name"},
    {"Provisions", "#x_provision", "provisions"},
    {"SDG targets", "#x_sdg_target", "sdg"},
    {"Countries", "#country+code", "countries"},
    {"Regions", "#region+code", "regions"},
    {"Modalities", "#x_modality", "modalities"},
    {"Languages", "#x_language", "languages"},
    {"From", "#date+start", "period_from"},
    {"To", "#date+end", "period_to"},
    {"Budget", "#value", "budget"},
    {"Currency", "#currency", "currency"},
    {"Synthetic", "#meta+synthetic", "synthetic"},
    {NULL, NULL, NULL}};

static const hxl_column ENTITY_HXL[] = {
    {"Entity code", "#org+code", "code"},
    {"Entity", "#org+name", "name"},
    {"Kind", "#org+type", "kind"},
    {"IATI organisation type", "#org+type+code", "org_type"},
    {"Compact member", "#x_compact", "compact.member"},
    {"Compact source", "#x_compact+source", "compact.source.url"},
    {"Source", "#meta+source", "source.title"},
    {"Source URL", "#meta+url", "source.url"},
    {"Synthetic", "#meta+synthetic", "synthetic"},
    {NULL, NULL, NULL}};

static const hxl_column OFFICE_HXL[] = {
    {"Office code", "#org+code+office", "code"},
    {"Office", "#org+name+office", "name"},
    {"Entity code", "#org+code", "entity"},
    {"Entity", "#org+name", "entity_name"},
    {"Kind", "#org+type+office", "kind"},
    {"Country code", "#country+code", "country"},
    {"Country", "#country+name", "country_name"},
    {"Subdivision code", "#adm1+code", "subdivision"},
    {"Subdivision", "#adm1+name", "subdivision_name"},
    {"Countries covered", "#country+code+covered", "covers"},
    {"Source", "#meta+source", "source.title"},
    {"Source URL", "#meta+url", "source.url"},
    {"Synthetic", "#meta+synthetic", "synthetic"},
    {NULL, NULL, NULL}};

static const hxl_column GAP_HXL[] = {
    {"Gap", "#x_gap", "gap"},
    {"Need id", "#meta+id", "need"},
    {"Need", "#x_need+name", "title"},
    {"Country code", "#country+code", "country"},
    {"Country", "#country+name", "country_name"},
    {"Provisions", "#x_provision", "provisions"},
    {"Provision", "#x_provision+single", "provision"},
    {"Countries", "#country+code+list", "countries"},
    {"Providers", "#org+impl+code", "providers"},
    {"Synthetic", "#meta+synthetic", "synthetic"},
    {NULL, NULL, NULL}};

static const hxl_column OVERLAP_HXL[] = {
    {"Country code", "#country+code", "country"},
    {"Country", "#country+name", "country_name"},
    {"Provisions", "#x_provision", "provisions"},
    {"Activity id", "#meta+id", "activity"},
    {"Implementing", "#org+impl+code", "entity"},
    {"Other activity id", "#meta+id+other", "other_activity"},
    {"Other implementing", "#org+impl+code+other", "other_entity"},
    {"Synthetic", "#meta+synthetic", "synthetic"},
    {NULL, NULL, NULL}};

static const hxl_column MATRIX_HXL[] = {
    {"Country code", "#country+code", "party"},
    {"Country", "#country+name", "party_name"},
    {"Provision", "#x_provision", "provision"},
    {"Assistance requested", "#x_requested", "requested"},
    {"Under way", "#x_under_way", "under_way"},
    {"Needs", "#x_need+id", "needs"},
    {"Activities", "#meta+id", "activities"},
    {NULL, NULL, NULL}};

/* The value at dotted path 'key' of 'row'. */
static const json_t *lookup(const json_t *row, const char *key)
{
    char part[64];
    const json_t *v = row;
    while (v && *key) {
        size_t n = strcspn(key, ".");
        snprintf(part, sizeof part, "%.*s", (int)n, key);
        v = json_object_get(v, part);
        key += n + (key[n] == '.');
    }
    return v;
}

/* A cell's text: lists joined by " | ", booleans yes/no. */
static int cell_text(const json_t *v, buf *out)
{
    if (!v || json_is_null(v))
        return ACCORD_OK;
    if (json_is_string(v))
        return buf_puts(out, json_string_value(v));
    if (json_is_integer(v))
        return buf_printf(out, "%lld", (long long)json_integer_value(v));
    if (json_is_boolean(v))
        return buf_puts(out, json_is_true(v) ? "yes" : "no");
    if (json_is_array(v)) {
        size_t i;
        json_t *x;
        int rc = ACCORD_OK;
        json_array_foreach(v, i, x)
        {
            if (!rc && i) rc = buf_puts(out, " | ");
            if (!rc) rc = cell_text(x, out);
        }
        return rc;
    }
    return ACCORD_OK;
}

int assistance_hxl(const char *kind, const json_t *rows, buf *out)
{
    static const struct {
        const char *kind;
        const hxl_column *cols;
    } kinds[] = {{"activities", ACTIVITY_HXL}, {"needs", NEED_HXL},     {"offers", OFFER_HXL},
                 {"entities", ENTITY_HXL},     {"offices", OFFICE_HXL}, {"gaps", GAP_HXL},
                 {"overlaps", OVERLAP_HXL},    {"matrix", MATRIX_HXL}};
    const hxl_column *cols = NULL;
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (strcmp(kinds[i].kind, kind) == 0)
            cols = kinds[i].cols;
    if (!cols)
        return accord_fail(ACCORD_EINVAL, "kind", "no HXL layout for '%s'", kind);
    const char *names[40];
    size_t n = 0;
    for (; cols[n].header && n + 1 < sizeof names / sizeof names[0]; n++)
        names[n] = cols[n].header;
    names[n] = NULL;
    tabular_writer *w;
    int rc = tabular_writer_new(&w, TABULAR_CSV, NULL);
    if (rc)
        return rc;
    rc = tabular_header(w, names);
    /* The HXL hashtag row. */
    for (size_t c = 0; !rc && c < n; c++)
        rc = tabular_text(w, cols[c].hashtag);
    if (!rc) rc = tabular_end_row(w);
    buf cell;
    buf_init(&cell, 1 << 20);
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row)
    {
        for (size_t c = 0; !rc && c < n; c++) {
            cell.len = 0;
            rc = cell_text(lookup(row, cols[c].key), &cell);
            if (!rc) rc = buf_append(&cell, "", 1);
            if (!rc) rc = tabular_text(w, (const char *)cell.data);
        }
        if (!rc) rc = tabular_end_row(w);
        if (rc)
            break;
    }
    buf_free(&cell);
    if (rc) {
        tabular_writer_free(w);
        return rc;
    }
    return tabular_writer_finish(w, out);
}

/* ---- IATI 2.03 ---------------------------------------------------------------- */

#define IATI_REF_PREFIX "ACCORD-"

/* An organisation reference: IATI_REF_PREFIX and the entity code in
 * capitals, dashes kept (codes hold no '/ & | ?'). */
static void org_ref(const char *code, char *out, size_t len)
{
    size_t used = (size_t)snprintf(out, len, IATI_REF_PREFIX);
    for (const char *c = code; *c && *c != '/' && used + 1 < len; c++)
        out[used++] = (char)(*c >= 'a' && *c <= 'z' ? *c - 32 : *c);
    out[used] = '\0';
}

/* The IATI OrganisationType of an entity: the one recorded, else by
 * kind: 40 Multilateral for UN entities and other organizations, 10
 * Government for states, 90 Other for other donors. */
static const char *org_type(const char *recorded, const char *kind)
{
    if (recorded)
        return recorded;
    if (kind && strcmp(kind, "state") == 0)
        return "10";
    if (kind && strcmp(kind, "donor") == 0)
        return "90";
    return "40";
}

typedef struct iati_writer {
    xmlTextWriterPtr w;
    int rc;
} iati_writer;

static void check(iati_writer *x, int r)
{
    if (r < 0 && !x->rc)
        x->rc = accord_fail(ACCORD_ENOMEM, NULL, "the IATI document could not be written");
}

static void start(iati_writer *x, const char *name) { check(x, xmlTextWriterStartElement(x->w, BAD_CAST name)); }
static void end(iati_writer *x) { check(x, xmlTextWriterEndElement(x->w)); }
static void attr(iati_writer *x, const char *name, const char *value)
{
    if (value)
        check(x, xmlTextWriterWriteAttribute(x->w, BAD_CAST name, BAD_CAST value));
}
static void narrative(iati_writer *x, const char *text)
{
    start(x, "narrative");
    check(x, xmlTextWriterWriteString(x->w, BAD_CAST(text ? text : "")));
    end(x);
}

static void date(iati_writer *x, const json_t *a, const char *key, const char *type)
{
    const char *d = json_string_value(json_object_get(a, key));
    if (!d)
        return;
    start(x, "activity-date");
    attr(x, "type", type);
    attr(x, "iso-date", d);
    end(x);
}

static void participant(iati_writer *x, const char *role, const char *code, const char *name, const char *type)
{
    if (!code)
        return;
    char ref[96];
    org_ref(code, ref, sizeof ref);
    start(x, "participating-org");
    attr(x, "ref", ref);
    attr(x, "role", role);
    attr(x, "type", type);
    narrative(x, name ? name : code);
    end(x);
}

static void activity(iati_writer *x, const json_t *a, const char *now)
{
    const char *entity = json_string_value(json_object_get(a, "entity"));
    const char *entity_name = json_string_value(json_object_get(a, "entity_name"));
    const char *type = org_type(json_string_value(json_object_get(a, "entity_org_type")),
                                json_string_value(json_object_get(a, "entity_kind")));
    char ref[96], ident[200], status[4];
    org_ref(entity, ref, sizeof ref);
    snprintf(ident, sizeof ident, "%s-%s", ref, json_string_value(json_object_get(a, "id")));
    snprintf(status, sizeof status, "%d", codes_iati_status(json_string_value(json_object_get(a, "status"))));

    if (json_is_true(json_object_get(a, "synthetic")))
        check(x, xmlTextWriterWriteComment(x->w, BAD_CAST " synthetic: made-up data for demonstration, not a real "
                                                          "activity "));
    start(x, "iati-activity");
    attr(x, "last-updated-datetime", now);
    check(x, xmlTextWriterWriteAttributeNS(x->w, BAD_CAST "xml", BAD_CAST "lang", NULL, BAD_CAST "en"));
    attr(x, "hierarchy", "1");
    start(x, "iati-identifier");
    check(x, xmlTextWriterWriteString(x->w, BAD_CAST ident));
    end(x);
    start(x, "reporting-org");
    attr(x, "ref", ref);
    attr(x, "type", type);
    narrative(x, entity_name);
    end(x);
    start(x, "title");
    narrative(x, json_string_value(json_object_get(a, "title")));
    end(x);
    start(x, "description");
    attr(x, "type", "1");
    const char *body = json_string_value(json_object_get(a, "body"));
    narrative(x, body ? body : json_string_value(json_object_get(a, "title")));
    end(x);
    /* A reader who never sees the comment above still learns it: an
     * element of the standard, DescriptionType 4 (Other). */
    if (json_is_true(json_object_get(a, "synthetic"))) {
        start(x, "description");
        attr(x, "type", "4");
        narrative(x, "Synthetic: made-up data for demonstration (data/assistance.synthetic.json), not a real activity.");
        end(x);
    }
    /* The needs it answers that the reader may see: objectives. */
    size_t i;
    json_t *n;
    json_array_foreach(json_object_get(a, "needs_answered"), i, n)
    {
        char text[600];
        snprintf(text, sizeof text, "Answers the assistance need %s: %s", json_string_value(json_object_get(n, "id")),
                 json_string_value(json_object_get(n, "title")));
        start(x, "description");
        attr(x, "type", "2");
        narrative(x, text);
        end(x);
    }
    /* OrganisationRole: 1 Funding, 3 Extending (the programming entity),
     * 4 Implementing. */
    participant(x, "1", json_string_value(json_object_get(a, "funder")),
                json_string_value(json_object_get(a, "funder_name")), NULL);
    participant(x, "3", json_string_value(json_object_get(a, "programming")),
                json_string_value(json_object_get(a, "programming_name")), NULL);
    participant(x, "4", json_string_value(json_object_get(a, "implementing")),
                json_string_value(json_object_get(a, "implementing_name")), type);
    start(x, "activity-status");
    attr(x, "code", status);
    end(x);
    /* ActivityDateType: 1 planned start, 2 actual start, 3 planned end,
     * 4 actual end. */
    date(x, a, "planned_start", "1");
    date(x, a, "actual_start", "2");
    date(x, a, "planned_end", "3");
    date(x, a, "actual_end", "4");
    start(x, "recipient-country");
    attr(x, "code", json_string_value(json_object_get(a, "country_alpha2")));
    attr(x, "percentage", "100");
    narrative(x, json_string_value(json_object_get(a, "country_name")));
    end(x);
    /* One DAC 5-digit sector (vocabulary 1) at 100 %: the percentages of
     * a vocabulary sum to 100. */
    start(x, "sector");
    attr(x, "vocabulary", "1");
    attr(x, "code", json_string_value(json_object_get(a, "thematic")));
    attr(x, "percentage", "100");
    narrative(x, json_string_value(json_object_get(a, "thematic_name")));
    end(x);
    /* SDG targets as tags of TagVocabulary 3. */
    json_t *t;
    json_array_foreach(json_object_get(a, "sdg_targets"), i, t)
    {
        start(x, "tag");
        attr(x, "vocabulary", "3");
        attr(x, "code", json_string_value(json_object_get(t, "code")));
        narrative(x, json_string_value(json_object_get(t, "name")));
        end(x);
    }
    end(x);
}

int assistance_iati(const json_t *activities, const char *now, buf *out)
{
    xmlBufferPtr xb = xmlBufferCreate();
    iati_writer x = {xb ? xmlNewTextWriterMemory(xb, 0) : NULL, ACCORD_OK};
    if (!x.w) {
        if (xb)
            xmlBufferFree(xb);
        return accord_fail(ACCORD_ENOMEM, NULL, "out of memory");
    }
    xmlTextWriterSetIndent(x.w, 1);
    check(&x, xmlTextWriterStartDocument(x.w, "1.0", "UTF-8", NULL));
    start(&x, "iati-activities");
    attr(&x, "version", "2.03");
    attr(&x, "generated-datetime", now);
    size_t i;
    json_t *a;
    json_array_foreach(activities, i, a)
    {
        if (x.rc)
            break;
        activity(&x, a, now);
    }
    end(&x);
    check(&x, xmlTextWriterEndDocument(x.w));
    xmlFreeTextWriter(x.w);
    int rc = x.rc;
    if (!rc)
        rc = buf_append(out, xmlBufferContent(xb), (size_t)xmlBufferLength(xb));
    xmlBufferFree(xb);
    return rc;
}
