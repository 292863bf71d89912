/* assistance-assistance: needs, offers, activities and the coordination
 * views; non-public needs logged as commitments and never shown to those
 * who may not see them; replay; HXL and IATI exports, the IATI one
 * validated with libxml2 against the official IATI 2.03 schema. */
#include <criterion/criterion.h>
#include <libxml/parser.h>
#include <libxml/xmlschemas.h>
#include <libxml/xpath.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assistance/assistance.h"
#include "events/events.h"
#include "helpers.h"
#include "store/lookup.h"
#include "util/error.h"

#define NEEDS "/api/v1/assistance/needs"
#define ACTIVITIES "/api/v1/assistance/activities"
#define SECRET "A confidential finding of the country assessment"
#define PROVIDERS_ONLY "Details shared with providers only"

static char *dir, *db, admin[64], depositary[64], kaz[64], tur[64], reviewer[64], almaty[64], unodc[64], undp[64];
static th_server server;

static void load(const char *dbpath, const char *file)
{
    const char *args[] = {"assistance", "load", "--db", dbpath, th_source_path(file), NULL};
    char *out = NULL, *err = NULL;
    int status = th_run_accord_full(&out, &err, args);
    cr_assert_eq(status, 0, "loading %s: %s", file, err);
    free(out);
    free(err);
}

static void setup(void)
{
    cr_assert_geq(sodium_init(), 0);
    setenv("ACCORD_PWHASH", "interactive", 1);
    dir = th_tempdir();
    db = th_make_db(dir, true, admin);
    load(db, "data/assistance.json");
    th_make_user(dir, db, "registry@example.org", "depositary", NULL, depositary);
    th_make_user(dir, db, "kaz@example.org", "focal_point", "KAZ", kaz);
    th_make_user(dir, db, "tur@example.org", "focal_point", "TUR", tur);
    th_make_user(dir, db, "review@example.org", "reviewer", NULL, reviewer);
    th_make_user(dir, db, "almaty@example.org", "coordinator", "unodc/almaty", almaty);
    th_make_user(dir, db, "unodc@example.org", "coordinator", "unodc", unodc);
    th_make_user(dir, db, "undp@example.org", "coordinator", "undp", undp);
    th_server_start(&server, db);
}

static void teardown(void)
{
    th_server_stop(&server);
    th_rmtree(dir);
    free(dir);
    free(db);
}

TestSuite(assistance, .init = setup, .fini = teardown, .timeout = 180);

static th_response call(const char *method, const char *path, const char *token, const char *body)
{
    return th_call(&server, method, path, token, NULL, body, body ? strlen(body) : 0);
}

static long status_of(const char *method, const char *path, const char *token, const char *body)
{
    return th_status(call(method, path, token, body));
}

/* Records a need of KAZ at 'access'; returns its id (static buffer). */
static const char *kaz_need(const char *access, const char *title)
{
    static char id[4][64];
    static int n;
    char body[1024];
    snprintf(body, sizeof body,
             "{\"beneficiary\":\"KAZ\",\"access\":\"%s\",\"title\":\"%s\",\"body\":\"%s, in *Markdown*\","
             "\"priority\":\"high\",\"instrument\":\"code-of-conduct\",\"provisions\":[3],\"thematic\":\"15210\","
             "\"sdg\":[\"16.a\"],\"gcts\":[\"3\"],\"unsc\":[2396],\"languages\":[\"ru\"]}",
             access, title, title);
    th_response r = call("POST", NEEDS, kaz, body);
    cr_assert_eq(r.status, 201, "%s", r.body);
    char *slot = id[n++ % 4];
    snprintf(slot, 64, "%s", json_string_value(json_object_get(r.json, "id")));
    th_response_free(&r);
    return slot;
}

/* Whether 'path' read by 'token' mentions 'text'. */
static bool mentions(const char *path, const char *token, const char *text)
{
    th_response r = call("GET", path, token, NULL);
    cr_assert_eq(r.status, 200, "%s: %s", path, r.body);
    bool found = strstr(r.body, text) != NULL;
    th_response_free(&r);
    return found;
}

Test(assistance, a_restricted_need_enters_the_log_as_a_commitment_and_only_its_readers_see_it)
{
    const char *id = kaz_need("restricted", SECRET);
    char path[256];
    snprintf(path, sizeof path, NEEDS "/%s", id);
    /* The public log: the commitment, the id and the level, not the text. */
    store *s = th_open(db);
    store_stmt *st;
    cr_assert_eq(store_query(s, &st, "SELECT body FROM event WHERE type = 'need.held'", ""), 0);
    cr_assert_eq(store_step(st), STORE_ROW);
    size_t len;
    const char *leaf = store_col_blob(st, 0, &len);
    char *copy = strndup(leaf, len);
    store_stmt_close(st);
    store_close(s);
    cr_assert(strstr(copy, "\"commitment\"") && strstr(copy, id) && strstr(copy, "restricted"), "%s", copy);
    cr_assert_null(strstr(copy, "confidential"), "the log shows the need's text: %s", copy);
    cr_assert_null(strstr(copy, "KAZ"), "the log shows whose need it is: %s", copy);
    free(copy);
    /* Who may read it. */
    cr_assert_eq(status_of("GET", path, NULL, NULL), 401);
    cr_assert_eq(status_of("GET", path, tur, NULL), 403, "another state's focal point");
    cr_assert_eq(status_of("GET", path, almaty, NULL), 403, "a coordinator, for a restricted need");
    cr_assert_eq(status_of("GET", path, kaz, NULL), 200);
    cr_assert_eq(status_of("GET", path, depositary, NULL), 200);
    cr_assert_eq(status_of("GET", path, reviewer, NULL), 200);
    cr_assert_eq(status_of("GET", path, admin, NULL), 200);
    /* And the lists. */
    cr_assert_not(mentions(NEEDS, NULL, SECRET));
    cr_assert_not(mentions(NEEDS, tur, SECRET));
    cr_assert_not(mentions(NEEDS, almaty, SECRET));
    cr_assert_not(mentions("/api/v1/assistance/countries/KAZ", NULL, SECRET));
    cr_assert_not(mentions("/api/v1/assistance/frameworks/sdg/16.a", NULL, SECRET));
    cr_assert_not(mentions("/api/v1/assistance/gaps", almaty, SECRET));
    cr_assert(mentions(NEEDS, kaz, SECRET));
    cr_assert(mentions(NEEDS, depositary, SECRET));
    /* The providers level: coordinators too, not other states. */
    const char *pid = kaz_need("providers", PROVIDERS_ONLY);
    snprintf(path, sizeof path, NEEDS "/%s", pid);
    cr_assert_eq(status_of("GET", path, almaty, NULL), 200);
    cr_assert_eq(status_of("GET", path, tur, NULL), 403);
    cr_assert(mentions(NEEDS, unodc, PROVIDERS_ONLY));
    cr_assert_not(mentions(NEEDS, NULL, PROVIDERS_ONLY));
    cr_assert_not(mentions(NEEDS, tur, PROVIDERS_ONLY));
    /* A focal point records its own state's needs only. */
    cr_assert_eq(status_of("POST", NEEDS, tur,
                           "{\"beneficiary\":\"KAZ\",\"access\":\"public\",\"title\":\"x\",\"priority\":\"low\"}"),
                 403);
}

/* Records an activity of 'impl' answering 'needs' (a JSON list). */
static th_response activity(const char *token, const char *id, const char *impl, const char *needs)
{
    char body[1024];
    snprintf(body, sizeof body,
             "{%s%s%s\"title\":\"Border training\",\"implementing\":\"%s\",\"country\":\"KAZ\",\"subdivision\":\"KZ-ALA\","
             "\"instrument\":\"code-of-conduct\",\"provisions\":[3],\"thematic\":\"15210\",\"sdg\":[\"16.a\"],"
             "\"status\":\"implementation\",\"planned_start\":\"2026-02-01\",\"planned_end\":\"2027-01-31\","
             "\"actual_start\":\"2026-02-15\",\"needs\":%s}",
             id ? "\"id\":\"" : "", id ? id : "", id ? "\"," : "", impl, needs);
    return call("POST", ACTIVITIES, token, body);
}

Test(assistance, coordinators_write_activities_for_their_own_entity_and_offices_only)
{
    char before[65], after[65];
    store *s = th_open(db);
    th_state_digest(s, before);
    store_close(s);
    cr_assert_eq(th_status(activity(almaty, "kaz-border", "unodc/tashkent", "[]")), 403, "another office");
    cr_assert_eq(th_status(activity(undp, "kaz-border", "unodc/almaty", "[]")), 403, "another entity");
    cr_assert_eq(th_status(activity(kaz, "kaz-border", "unodc/almaty", "[]")), 403, "a focal point");
    cr_assert_eq(th_status(activity(depositary, "kaz-border", "unodc/almaty", "[]")), 403, "the depositary");
    s = th_open(db);
    th_state_digest(s, after);
    store_close(s);
    cr_assert_str_eq(before, after, "refused writes changed state");
    cr_assert_eq(th_status(activity(almaty, "kaz-border", "unodc/almaty", "[]")), 201);
    cr_assert_eq(th_status(activity(unodc, "tashkent-border", "unodc/tashkent", "[]")), 201, "the entity's coordinator");
    /* An activity stays with its implementing office: the Almaty
     * coordinator cannot take over Tashkent's by naming itself. */
    cr_assert_eq(th_status(activity(almaty, "tashkent-border", "unodc/almaty", "[]")), 403);
    cr_assert_eq(th_status(activity(unodc, "tashkent-border", "unodc/almaty", "[]")), 409, "an activity cannot move");
    /* What the Almaty office does where. */
    th_response r = call("GET", "/api/v1/assistance/by-entity?entity=unodc/almaty", NULL, NULL);
    cr_assert_eq(r.status, 200, "%s", r.body);
    json_t *office = json_array_get(json_object_get(r.json, "offices"), 0);
    cr_assert_str_eq(json_string_value(json_object_get(office, "code")), "unodc/almaty");
    cr_assert_str_eq(json_string_value(json_object_get(office, "subdivision")), "KZ-ALA");
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(json_object_get(office, "activities"), 0), "id")),
                     "kaz-border");
    th_response_free(&r);
}

/* Validates 'xml' against the IATI 2.03 activity schema kept in data/iati. */
static void assert_iati_valid(const char *xml, size_t len)
{
    xmlSchemaParserCtxtPtr pc = xmlSchemaNewParserCtxt(th_source_path("data/iati/iati-activities-schema.xsd"));
    xmlSchemaPtr schema = xmlSchemaParse(pc);
    cr_assert_not_null(schema, "the IATI schema did not load");
    xmlSchemaValidCtxtPtr vc = xmlSchemaNewValidCtxt(schema);
    xmlDocPtr doc = xmlReadMemory(xml, (int)len, "activities.xml", NULL, XML_PARSE_NONET);
    cr_assert_not_null(doc, "the export is not XML");
    cr_assert_eq(xmlSchemaValidateDoc(vc, doc), 0, "the export does not validate against IATI 2.03:\n%.2000s", xml);
    /* IATI rules the schema does not check. */
    xmlXPathContextPtr xp = xmlXPathNewContext(doc);
    xmlXPathObjectPtr ids = xmlXPathEvalExpression(BAD_CAST "//iati-identifier", xp);
    cr_assert_gt(xmlXPathNodeSetGetLength(ids->nodesetval), 0);
    for (int i = 0; i < xmlXPathNodeSetGetLength(ids->nodesetval); i++) {
        xmlChar *t = xmlNodeGetContent(ids->nodesetval->nodeTab[i]);
        cr_assert_eq(strcspn((char *)t, "/&|?"), strlen((char *)t), "identifier %s holds / & | or ?", t);
        xmlFree(t);
    }
    xmlXPathFreeObject(ids);
    static const char *const rules[] = {
        "count(//iati-activity[not(activity-date[@type='1' or @type='2'])])", /* a start date */
        "count(//iati-activity[sum(sector[@vocabulary='1']/@percentage) != 100])", /* sectors sum to 100 */
        "count(//iati-activity[not(participating-org[@role='4'])])",
        NULL};
    for (const char *const *q = rules; *q; q++) {
        xmlXPathObjectPtr n = xmlXPathEvalExpression(BAD_CAST * q, xp);
        cr_assert_eq(n->floatval, 0, "%s", *q);
        xmlXPathFreeObject(n);
    }
    xmlXPathFreeContext(xp);
    xmlFreeDoc(doc);
    xmlSchemaFreeValidCtxt(vc);
    xmlSchemaFree(schema);
    xmlSchemaFreeParserCtxt(pc);
}

Test(assistance, the_iati_export_validates_and_never_shows_a_non_public_need)
{
    const char *pub = kaz_need("public", "Public need for border training");
    const char *restricted = kaz_need("restricted", SECRET);
    const char *providers = kaz_need("providers", PROVIDERS_ONLY);
    char needs[256];
    snprintf(needs, sizeof needs, "[\"%s\",\"%s\",\"%s\"]", pub, restricted, providers);
    th_response r = activity(almaty, "iati-probe", "unodc/almaty", needs);
    cr_assert_eq(r.status, 201, "%s", r.body);
    th_response_free(&r);
    const char *readers[] = {NULL, almaty, tur};
    for (size_t i = 0; i < 3; i++) {
        r = call("GET", ACTIVITIES "?format=iati", readers[i], NULL);
        cr_assert_eq(r.status, 200, "%s", r.body);
        cr_assert(strstr(r.content_type, "xml"), "%s", r.content_type);
        assert_iati_valid(r.body, r.len);
        cr_assert(strstr(r.body, "Public need for border training"), "the public need it answers is shown");
        cr_assert_null(strstr(r.body, SECRET), "a restricted need is in the export");
        cr_assert_null(strstr(r.body, restricted), "a restricted need's id is in the export");
        if (readers[i] != almaty) {
            cr_assert_null(strstr(r.body, PROVIDERS_ONLY), "a providers-only need is in the public export");
            cr_assert_null(strstr(r.body, providers));
        }
        cr_assert(strstr(r.body, "<activity-status code=\"2\"/>"), "implementation is IATI ActivityStatus 2");
        cr_assert(strstr(r.body, "<recipient-country code=\"KZ\" percentage=\"100\">"));
        cr_assert(strstr(r.body, "<tag vocabulary=\"3\" code=\"16.a\">"), "SDG targets as tag vocabulary 3");
        th_response_free(&r);
    }
    /* The JSON and HXL views hide them the same way. */
    cr_assert_not(mentions(ACTIVITIES, NULL, restricted));
    cr_assert_not(mentions(ACTIVITIES "?format=csv", NULL, restricted));
    cr_assert(mentions(ACTIVITIES "?format=csv", NULL, pub));
}

Test(assistance, replay_rebuilds_everything_public_and_keeps_non_public_needs_as_commitments)
{
    const char *pub = kaz_need("public", "Public need");
    const char *restricted = kaz_need("restricted", SECRET);
    kaz_need("providers", PROVIDERS_ONLY);
    char needs[128];
    snprintf(needs, sizeof needs, "[\"%s\",\"%s\"]", pub, restricted);
    cr_assert_eq(th_status(activity(almaty, "replayed", "unodc/almaty", needs)), 201);
    cr_assert_eq(status_of("POST", "/api/v1/assistance/framework-links", depositary,
                           "{\"instrument\":\"code-of-conduct\",\"provision\":3,\"framework\":\"sdg\",\"code\":\"16.a\","
                           "\"source\":{\"title\":\"A test link\",\"url\":\"https://example.org/link\"}}"),
                 201);
    cr_assert_eq(status_of("POST", "/api/v1/assistance/offers", unodc,
                           "{\"provider\":\"unodc\",\"title\":\"Training\",\"instrument\":\"code-of-conduct\","
                           "\"provisions\":[3],\"regions\":[\"143\"],\"thematic\":\"15210\"}"),
                 201);
    char replayed[512];
    snprintf(replayed, sizeof replayed, "%s/replayed.db", dir);
    store *b = th_replay_matches(&server, db, replayed, "assistance tables are identical after replay");
    int64_t n;
    store_stmt *st;
    cr_assert_eq(store_query(b, &st, "SELECT count(*) FROM need_private", ""), 0);
    cr_assert_eq(store_step(st), STORE_ROW);
    n = store_col_int(st, 0);
    store_stmt_close(st);
    cr_assert_eq(n, 0, "replay rebuilt a non-public need's content");
    cr_assert_eq(store_query(b, &st, "SELECT count(*) FROM need WHERE title IS NULL AND access != 'public'", ""), 0);
    cr_assert_eq(store_step(st), STORE_ROW);
    cr_assert_geq(store_col_int(st, 0), 2, "the non-public needs stay as stubs");
    store_stmt_close(st);
    store_close(b);
    /* In the original, the content is there. */
    store *a = th_open(db);
    cr_assert_eq(store_query(a, &st, "SELECT count(*) FROM need_private WHERE body LIKE ?", "s", SECRET "%"), 0);
    cr_assert_eq(store_step(st), STORE_ROW);
    cr_assert_geq(store_col_int(st, 0), 1);
    store_stmt_close(st);
    store_close(a);
}

Test(assistance, a_reports_assistance_needs_become_a_need_in_one_call)
{
    cr_assert_eq(status_of("POST", "/api/v1/instruments/code-of-conduct/cycles", depositary,
                           "{\"code\":\"2026\",\"name\":\"First cycle\",\"opens_on\":\"2026-01-01\","
                           "\"due_on\":\"2026-12-31\"}"),
                 201);
    cr_assert_eq(status_of("POST", "/api/v1/instruments/code-of-conduct/cycles/2026/reports", kaz,
                           "{\"party\":\"KAZ\",\"provision\":4,\"status\":\"in_progress\",\"narrative\":\"n\","
                           "\"assistance_needs\":\"Forensic laboratory training for border posts\"}"),
                 201);
    const char *ask = "{\"instrument\":\"code-of-conduct\",\"cycle\":\"2026\",\"party\":\"KAZ\",\"provision\":4}";
    cr_assert_eq(status_of("POST", NEEDS "/from-report", tur, ask), 403, "only the state's focal point");
    th_response r = call("POST", NEEDS "/from-report", kaz, ask);
    cr_assert_eq(r.status, 201, "%s", r.body);
    cr_assert_str_eq(json_string_value(json_object_get(r.json, "access")), "restricted", "a draft's needs stay private");
    char path[256];
    snprintf(path, sizeof path, NEEDS "/%s", json_string_value(json_object_get(r.json, "id")));
    th_response_free(&r);
    r = call("GET", path, kaz, NULL);
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_assert_str_eq(json_string_value(json_object_get(r.json, "body")), "Forensic laboratory training for border posts");
    cr_assert_eq(json_integer_value(json_array_get(json_object_get(r.json, "provisions"), 0)), 4);
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(r.json, "origin"), "cycle")), "2026");
    cr_assert(strstr(json_string_value(json_object_get(r.json, "body_html")), "Forensic"), "Markdown rendered");
    th_response_free(&r);
    cr_assert_eq(status_of("POST", NEEDS "/from-report", kaz,
                           "{\"instrument\":\"code-of-conduct\",\"cycle\":\"2026\",\"party\":\"KAZ\",\"provision\":9}"),
                 404, "no report on that provision");
}

Test(assistance, hxl_lists_carry_hashtags_and_codes_beside_names)
{
    kaz_need("public", "Public need for HXL");
    th_response r = call("GET", NEEDS "?format=csv", NULL, NULL);
    cr_assert_eq(r.status, 200);
    cr_assert(strstr(r.content_type, "text/csv"));
    char *second = strchr(r.body, '\n');
    cr_assert_not_null(second);
    cr_assert(strncmp(second + 1, "#meta+id,#country+code,#country+name,", 37) == 0, "%.120s", second + 1);
    cr_assert(strstr(r.body, ",KAZ,Kazakhstan,"), "codes and names side by side");
    th_response_free(&r);
    r = call("GET", ACTIVITIES "?format=csv", NULL, NULL);
    static const char *const tags[] = {"#org+impl", "#org+prog", "#org+funder", "#sector", "#activity+name",
                                       "#country+code", "#adm1+code", "#adm1+name", "#status", "#date+start",
                                       "#date+end", "#meta+id", "#x_provision", "#x_sdg_target", NULL};
    for (const char *const *t = tags; *t; t++)
        cr_assert(strstr(r.body, *t), "the 3W sheet lacks %s", *t);
    th_response_free(&r);
    r = call("GET", "/api/v1/assistance/offices?format=csv&entity=unodc", NULL, NULL);
    cr_assert(strstr(r.body, "#meta+source") && strstr(r.body, "#meta+url") && strstr(r.body, "unodc/almaty"));
    cr_assert_null(strstr(r.body, "unoct/"), "?entity=unodc keeps UNODC's offices only");
    th_response_free(&r);
}

Test(assistance, the_signing_ceremony_names_who_presented_and_spoke)
{
    th_response r = call("GET", "/api/v1/assistance/events?party=KAZ", NULL, NULL);
    cr_assert_eq(r.status, 200);
    json_t *ev, *ceremony = NULL;
    size_t i;
    json_array_foreach(json_object_get(r.json, "events"), i, ev) if (strcmp(json_string_value(json_object_get(ev, "date")),
                                                                             "2018-09-28") == 0) ceremony = ev;
    cr_assert_not_null(ceremony, "%s", r.body);
    json_t *first = json_array_get(json_object_get(ceremony, "participants"), 0);
    cr_assert_str_eq(json_string_value(json_object_get(first, "name")), "Kairat Abdrakhmanov");
    cr_assert_str_eq(json_string_value(json_object_get(first, "role")), "presented");
    cr_assert_eq(json_array_size(json_object_get(ceremony, "participants")), 5);
    cr_assert_not_null(json_object_get(json_object_get(ceremony, "source"), "url"));
    th_response_free(&r);
}

/* ---- the data and the views, without a server -------------------------------- */

static char *ddir, *ddb;
static store *dstore;

static void data_setup(void)
{
    cr_assert_geq(sodium_init(), 0);
    char token[64];
    ddir = th_tempdir();
    ddb = th_make_db(ddir, true, token);
    load(ddb, "data/assistance.json");
    load(ddb, "data/assistance.synthetic.json");
    dstore = th_open(ddb);
}

static void data_teardown(void)
{
    store_close(dstore);
    th_rmtree(ddir);
    free(ddir);
    free(ddb);
}

TestSuite(assistance_data, .init = data_setup, .fini = data_teardown, .timeout = 180);

static const assistance_viewer EVERYTHING = {true, true, NULL};

Test(assistance_data, the_synthetic_set_loads_labelled_synthetic)
{
    json_t *needs, *offers, *acts, *entities;
    cr_assert_eq(assistance_needs(dstore, &EVERYTHING, NULL, &needs), 0, "%s", accord_error_message());
    cr_assert_eq(assistance_offers(dstore, NULL, &offers), 0);
    cr_assert_eq(assistance_activities(dstore, &EVERYTHING, NULL, &acts), 0);
    cr_assert_eq(json_array_size(needs), 30);
    cr_assert_eq(json_array_size(offers), 15);
    cr_assert_eq(json_array_size(acts), 40);
    json_t *lists[] = {needs, offers, acts};
    for (int l = 0; l < 3; l++) {
        size_t i;
        json_t *x;
        json_array_foreach(lists[l], i, x)
        {
            cr_assert(json_is_true(json_object_get(x, "synthetic")), "%s is not marked synthetic",
                      json_string_value(json_object_get(x, "id")));
            cr_assert(strstr(json_string_value(json_object_get(x, "note")), "synthetic"));
        }
    }
    cr_assert_eq(assistance_entities(dstore, NULL, &entities), 0);
    size_t i;
    json_t *e;
    json_array_foreach(entities, i, e) if (strcmp(json_string_value(json_object_get(e, "code")), "unodc") == 0)
        cr_assert(json_is_false(json_object_get(e, "synthetic")), "a sourced entity is not synthetic");
    /* The public sees the public needs only. */
    json_t *public;
    cr_assert_eq(assistance_needs(dstore, &ASSISTANCE_PUBLIC, NULL, &public), 0);
    cr_assert_eq(json_array_size(public), 20);
    json_decref(public);
    json_decref(needs);
    json_decref(offers);
    json_decref(acts);
    json_decref(entities);
}

Test(assistance_data, offers_are_ranked_by_overlap_with_the_reasons)
{
    json_t *m;
    cr_assert_eq(assistance_matches(dstore, &EVERYTHING, "syn-need-01", &m), 0, "%s", accord_error_message());
    json_t *list = json_object_get(m, "matches");
    cr_assert_gt(json_array_size(list), 1);
    for (size_t i = 1; i < json_array_size(list); i++)
        cr_assert_geq(json_integer_value(json_object_get(json_array_get(list, i - 1), "score")),
                      json_integer_value(json_object_get(json_array_get(list, i), "score")));
    json_t *best = json_array_get(list, 0);
    /* syn-offer-01 shares provisions 3 and 4, the sector and Russian,
     * and covers Central Asia; its period (2025-05 to 2027-05) ends
     * before the need's starts (2027-10): 6 + 3 + 2 + 1. */
    cr_assert_str_eq(json_string_value(json_object_get(best, "offer")), "syn-offer-01");
    cr_assert_eq(json_integer_value(json_object_get(best, "score")), 12);
    json_t *reasons = json_object_get(best, "reasons"), *x;
    size_t k;
    json_array_foreach(reasons, k, x) cr_assert_str_neq(json_string_value(json_object_get(x, "reason")), "period");
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(json_object_get(best, "reasons"), 0), "reason")),
                     "provisions");
    json_decref(m);
    cr_assert_eq(assistance_matches(dstore, &ASSISTANCE_PUBLIC, "syn-need-06", &m), ACCORD_ENOTFOUND,
                 "a restricted need is not matched for the public");
}

Test(assistance_data, gaps_and_overlaps_in_central_asia)
{
    assistance_filter f = {.region = "Central Asia"};
    json_t *gaps, *overlaps;
    cr_assert_eq(assistance_gaps(dstore, &EVERYTHING, &f, &gaps), 0, "%s", accord_error_message());
    json_t *unanswered = json_object_get(gaps, "needs_without_activity"), *g;
    cr_assert_gt(json_array_size(unanswered), 0);
    size_t i;
    json_array_foreach(unanswered, i, g)
    {
        const char *c = json_string_value(json_object_get(g, "country"));
        cr_assert(strcmp(c, "AZE") && strcmp(c, "TUR"), "%s is not in Central Asia", c);
    }
    cr_assert_eq(assistance_overlaps(dstore, &f, &overlaps), 0);
    cr_assert_gt(json_array_size(overlaps), 0);
    json_array_foreach(overlaps, i, g)
    {
        cr_assert_str_neq(json_string_value(json_object_get(g, "entity")),
                          json_string_value(json_object_get(g, "other_entity")));
        cr_assert_gt(json_array_size(json_object_get(g, "provisions")), 0);
    }
    json_decref(gaps);
    json_decref(overlaps);
    /* The Turkic Council's members only. */
    assistance_filter tc = {.group = "turkic-council"};
    cr_assert_eq(assistance_overlaps(dstore, &tc, &overlaps), 0, "%s", accord_error_message());
    json_decref(overlaps);
}

Test(assistance_data, sdg_16a_leads_to_provisions_needs_and_activities)
{
    json_t *all, *pub;
    cr_assert_eq(assistance_framework_item(dstore, &EVERYTHING, "sdg", "16.a", &all), 0, "%s", accord_error_message());
    cr_assert_eq(assistance_framework_item(dstore, &ASSISTANCE_PUBLIC, "sdg", "16.a", &pub), 0);
    cr_assert(strstr(json_string_value(json_object_get(all, "name")), "terrorism"), "the codelist's name");
    cr_assert_eq(json_array_size(json_object_get(all, "provisions")), 3);
    cr_assert_gt(json_array_size(json_object_get(all, "activities")), 0);
    cr_assert_gt(json_array_size(json_object_get(all, "needs")), json_array_size(json_object_get(pub, "needs")),
                 "the public sees fewer needs than the secretariat");
    json_decref(all);
    json_decref(pub);
    cr_assert_eq(assistance_framework_item(dstore, &EVERYTHING, "sdg", "16.z", &all), ACCORD_ENOTFOUND);
}

Test(assistance_data, the_synthetic_iati_export_validates)
{
    json_t *acts;
    cr_assert_eq(assistance_activities(dstore, &ASSISTANCE_PUBLIC, NULL, &acts), 0);
    buf out;
    buf_init(&out, 1 << 24);
    cr_assert_eq(assistance_iati(acts, "2026-01-01T00:00:00Z", &out), 0);
    assert_iati_valid((const char *)out.data, out.len);
    cr_assert(strstr((const char *)out.data, "<!-- synthetic"), "synthetic activities say so");
    /* In an element of the standard too, each of them. */
    size_t synthetic = 0, said = 0;
    for (size_t i = 0; i < json_array_size(acts); i++)
        synthetic += json_is_true(json_object_get(json_array_get(acts, i), "synthetic"));
    for (const char *p = (const char *)out.data; (p = strstr(p, "<description type=\"4\">")); p++)
        said += strncmp(strstr(p, "<narrative>") + 11, "Synthetic:", 10) == 0;
    cr_assert_gt(synthetic, 0);
    cr_assert_eq(said, synthetic, "%zu synthetic activities, %zu described as synthetic", synthetic, said);
    buf_free(&out);
    json_decref(acts);
}

Test(assistance_data, bad_codes_are_refused_and_change_nothing)
{
    static const struct {
        const char *type, *json, *field;
    } bad[] = {
        {"office.recorded", "{\"code\":\"unodc/madrid\",\"kind\":\"field\",\"name\":\"x\",\"country\":\"ESP\","
                            "\"subdivision\":\"ES-M\",\"source\":{\"title\":\"t\"}}", "subdivision"}, /* second level */
        {"office.recorded", "{\"code\":\"unodc/x\",\"kind\":\"field\",\"name\":\"x\",\"country\":\"UZB\","
                            "\"subdivision\":\"KZ-ALA\",\"source\":{\"title\":\"t\"}}", "subdivision"},
        {"office.recorded", "{\"code\":\"nobody/x\",\"kind\":\"field\",\"name\":\"x\",\"country\":\"UZB\","
                            "\"source\":{\"title\":\"t\"}}", "code"},
        {"entity.recorded", "{\"code\":\"new\",\"kind\":\"un\",\"name\":\"x\"}", "source"},
        {"need.recorded", "{\"beneficiary\":\"KAZ\",\"access\":\"public\",\"title\":\"x\",\"priority\":\"high\","
                          "\"sdg\":[\"16.z\"]}", "sdg"},
        {"need.recorded", "{\"beneficiary\":\"KAZ\",\"access\":\"restricted\",\"title\":\"x\",\"priority\":\"high\"}",
         "access"},
        {"activity.recorded", "{\"title\":\"x\",\"implementing\":\"unodc\",\"country\":\"KAZ\",\"thematic\":\"15210\","
                              "\"status\":\"implementation\"}", "planned_start"},
        {"activity.recorded", "{\"id\":\"a/b\",\"title\":\"x\",\"implementing\":\"unodc\",\"country\":\"KAZ\","
                              "\"thematic\":\"15210\",\"status\":\"implementation\",\"planned_start\":\"2026-01-01\"}",
         "id"},
        {"activity.recorded", "{\"title\":\"x\",\"implementing\":\"unodc\",\"country\":\"KAZ\",\"thematic\":\"99999\","
                              "\"status\":\"implementation\",\"planned_start\":\"2026-01-01\"}", "thematic"},
        {"framework.linked", "{\"instrument\":\"code-of-conduct\",\"provision\":3,\"framework\":\"gcts\",\"code\":\"5\","
                             "\"source\":{\"title\":\"t\"}}", "code"},
    };
    char before[65], after[65];
    th_state_digest(dstore, before);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_t *data = json_loads(bad[i].json, 0, NULL);
        cr_assert_not_null(data, "%zu", i);
        int rc = events_submit(dstore, &ACTOR_OPERATOR, bad[i].type, data, NULL);
        cr_assert_lt(rc, 0, "case %zu was accepted", i);
        cr_assert_str_eq(accord_error_field() ? accord_error_field() : "", bad[i].field, "case %zu: %s", i,
                         accord_error_message());
        json_decref(data);
    }
    th_state_digest(dstore, after);
    cr_assert_str_eq(before, after);
}

Test(assistance_data, hxl_is_written_from_json_alone)
{
    json_t *rows = json_loads("[{\"id\":\"a-1\",\"title\":\"=cmd\",\"provisions\":[3,4],\"sdg\":[\"16.a\"],"
                              "\"synthetic\":true}]",
                              0, NULL);
    buf out;
    buf_init(&out, 1 << 20);
    cr_assert_eq(assistance_hxl("activities", rows, &out), 0);
    cr_assert_eq(buf_append(&out, "", 1), 0);
    cr_assert(strstr((char *)out.data, "\r\na-1,'=cmd,") || strstr((char *)out.data, "\na-1,'=cmd,"),
              "formula-like text is defused: %s", (char *)out.data);
    cr_assert(strstr((char *)out.data, "3 | 4") && strstr((char *)out.data, ",yes"), "%s", (char *)out.data);
    cr_assert_eq(assistance_hxl("nothing", rows, &out), ACCORD_EINVAL);
    buf_free(&out);
    json_decref(rows);
}

Test(assistance, an_action_names_the_event_it_happened_at)
{
    const char *body = "{\"party\":\"TKM\",\"type\":\"signature\",\"date\":\"2018-09-28\","
                       "\"event\":\"2018-09-28-signing-ceremony\",\"source\":{\"title\":\"A test source\"}}";
    th_response r = call("POST", "/api/v1/instruments/code-of-conduct/actions", depositary, body);
    cr_assert_eq(r.status, 201, "%s", r.body);
    cr_assert_str_eq(json_string_value(json_object_get(r.json, "event")), "2018-09-28-signing-ceremony");
    th_response_free(&r);
    cr_assert_eq(status_of("POST", "/api/v1/instruments/code-of-conduct/actions", depositary,
                           "{\"party\":\"KGZ\",\"type\":\"declaration\",\"date\":\"2019-01-01\","
                           "\"event\":\"no-such-event\",\"source\":{\"title\":\"t\"}}"),
                 404);
    /* Actions that name no event look as they did. */
    r = call("GET", "/api/v1/instruments/code-of-conduct/actions", NULL, NULL);
    json_t *a;
    size_t i, named = 0;
    json_array_foreach(json_object_get(r.json, "actions"), i, a) named += json_object_get(a, "event") != NULL;
    cr_assert_eq(named, 1);
    th_response_free(&r);
    /* The event is on the page of the party whose action happened at it. */
    r = call("GET", "/api/v1/assistance/events?party=TKM", NULL, NULL);
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_assert(strstr(r.body, "2018-09-28-signing-ceremony"), "%s", r.body);
    th_response_free(&r);
    cr_assert(mentions("/en/parties/TKM", NULL, "2018-09-28") && mentions("/en/parties/TKM", NULL, "events-h"),
              "the party's page shows the event");
    r = call("GET", "/api/v1/assistance/events?party=KGZ", NULL, NULL);
    cr_assert_null(strstr(r.body, "2018-09-28-signing-ceremony"), "an action refused names no event");
    th_response_free(&r);
}

Test(assistance_data, the_matrix_says_where_assistance_is_requested_and_under_way)
{
    json_t *all, *pub;
    cr_assert_eq(assistance_matrix(dstore, &EVERYTHING, NULL, &all), 0, "%s", accord_error_message());
    cr_assert_eq(assistance_matrix(dstore, &ASSISTANCE_PUBLIC, NULL, &pub), 0);
    size_t i, both = 0, requested_all = 0, requested_pub = 0;
    json_t *c;
    json_array_foreach(all, i, c)
    {
        both += json_is_true(json_object_get(c, "requested")) && json_is_true(json_object_get(c, "under_way"));
        requested_all += json_array_size(json_object_get(c, "needs"));
        if (i)
            cr_assert_leq(strcmp(json_string_value(json_object_get(json_array_get(all, i - 1), "party")),
                                 json_string_value(json_object_get(c, "party"))),
                          0, "sorted by party");
    }
    json_array_foreach(pub, i, c) requested_pub += json_array_size(json_object_get(c, "needs"));
    cr_assert_gt(both, 0, "some cells have needs and activities");
    cr_assert_lt(requested_pub, requested_all, "non-public needs are left out for the public");
    json_decref(all);
    json_decref(pub);
}

Test(assistance, what_a_signed_in_caller_reads_is_never_cached_for_others)
{
    kaz_need("restricted", SECRET);
    th_response r = call("GET", NEEDS, kaz, NULL);
    cr_assert_eq(r.status, 200);
    cr_assert_str_eq(r.cache_control, "private, no-store");
    cr_assert_eq(r.etag[0], '\0', "no ETag a public request could match: %s", r.etag);
    th_response_free(&r);
    r = call("GET", NEEDS, NULL, NULL);
    cr_assert(r.etag[0], "anonymous reads keep the log-versioned ETag");
    th_response_free(&r);
}

/* Links need 'need' to offer "kaz-offer" as 'token', with 'extra' JSON
 * members (may be ""); returns the status, the activity's id to 'id'. */
static long link_need(const char *token, const char *need, const char *extra, char id[64])
{
    char path[256], body[512];
    snprintf(path, sizeof path, NEEDS "/%s/links", need);
    snprintf(body, sizeof body, "{\"offer\":\"kaz-offer\",\"planned_start\":\"2027-01-01\"%s}", extra);
    th_response r = call("POST", path, token, body);
    long status = r.status;
    if (id)
        snprintf(id, 64, "%s", status == 201 ? json_string_value(json_object_get(r.json, "id")) : "");
    th_response_free(&r);
    return status;
}

Test(assistance, linking_a_need_to_an_offer_records_the_activity_that_answers_it)
{
    cr_assert_eq(status_of("POST", "/api/v1/assistance/offers", unodc,
                           "{\"id\":\"kaz-offer\",\"provider\":\"unodc\",\"title\":\"Offer of border training\","
                           "\"instrument\":\"code-of-conduct\",\"provisions\":[3],\"thematic\":\"15210\","
                           "\"countries\":[\"KAZ\"]}"),
                 201);
    const char *pub = kaz_need("public", "Public need for border training");
    const char *prov = kaz_need("providers", PROVIDERS_ONLY);
    const char *res = kaz_need("restricted", SECRET);
    /* Who may not: nothing changes. */
    char before[65], after[65];
    store *s = th_open(db);
    th_state_digest(s, before);
    store_close(s);
    cr_assert_eq(link_need(NULL, pub, "", NULL), 401);
    cr_assert_eq(link_need(tur, pub, "", NULL), 403, "another state's focal point");
    cr_assert_eq(link_need(undp, pub, "", NULL), 403, "a coordinator of another entity");
    cr_assert_eq(link_need(depositary, pub, "", NULL), 403, "the depositary");
    cr_assert_eq(link_need(reviewer, pub, "", NULL), 403, "a reviewer");
    cr_assert_eq(link_need(almaty, pub, "", NULL), 403, "an office, for its entity as a whole");
    cr_assert_eq(link_need(almaty, pub, ",\"implementing\":\"unodc/tashkent\"", NULL), 403, "another office");
    cr_assert_eq(link_need(unodc, res, "", NULL), 403, "a coordinator, for a restricted need");
    s = th_open(db);
    th_state_digest(s, after);
    store_close(s);
    cr_assert_str_eq(before, after, "refused links changed state");
    /* Who may: the state, for any of its needs; the offer's entity or the
     * office that implements, for the needs it may see. */
    char a_pub[64], a_prov[64], a_res[64];
    cr_assert_eq(link_need(kaz, pub, "", a_pub), 201);
    cr_assert_eq(link_need(almaty, prov, ",\"implementing\":\"unodc/almaty\",\"status\":\"implementation\"", a_prov),
                 201);
    cr_assert_eq(link_need(kaz, res, "", a_res), 201);
    cr_assert_eq(link_need(unodc, pub, "", NULL), 409, "a need is linked to an offer once");
    /* The activity names the need and the offer, in pipeline by default. */
    th_response r = call("GET", "/api/v1/assistance/countries/KAZ", NULL, NULL);
    cr_assert_eq(r.status, 200, "%s", r.body);
    json_t *acts = json_object_get(r.json, "activities"), *a;
    size_t i;
    int seen = 0;
    json_array_foreach(acts, i, a)
    {
        const char *id = json_string_value(json_object_get(a, "id"));
        if (strcmp(id, a_pub) == 0) {
            seen++;
            cr_assert_str_eq(json_string_value(json_object_get(a, "status")), "pipeline");
            cr_assert_str_eq(json_string_value(json_object_get(a, "offer")), "kaz-offer");
            cr_assert_str_eq(json_string_value(json_object_get(a, "implementing")), "unodc");
            cr_assert_str_eq(json_string_value(json_array_get(json_object_get(a, "needs"), 0)), pub);
        } else if (strcmp(id, a_res) == 0) {
            seen++;
            cr_assert_eq(json_array_size(json_object_get(a, "needs")), 0, "a restricted need shown publicly");
        }
    }
    cr_assert_eq(seen, 2, "the linked activities are in the country view: %s", r.body);
    cr_assert_null(strstr(r.body, SECRET));
    cr_assert_null(strstr(r.body, res), "the restricted need's id is shown publicly");
    cr_assert_null(strstr(r.body, prov), "the providers-only need's id is shown publicly");
    th_response_free(&r);
    /* The need's matches show the offer as linked. */
    char path[256];
    snprintf(path, sizeof path, NEEDS "/%s/matches", pub);
    r = call("GET", path, NULL, NULL);
    cr_assert_eq(r.status, 200, "%s", r.body);
    json_t *m = json_array_get(json_object_get(r.json, "matches"), 0);
    cr_assert_str_eq(json_string_value(json_object_get(m, "offer")), "kaz-offer");
    cr_assert(json_is_true(json_object_get(m, "linked")), "%s", r.body);
    cr_assert_str_eq(json_string_value(json_array_get(json_object_get(m, "linked_by"), 0)), a_pub);
    th_response_free(&r);
    /* The IATI export carries the link and still validates. */
    r = call("GET", ACTIVITIES "?format=iati", NULL, NULL);
    cr_assert_eq(r.status, 200, "%s", r.body);
    assert_iati_valid(r.body, r.len);
    cr_assert(strstr(r.body, "Offer of border training"));
    cr_assert(strstr(r.body, "<activity-status code=\"1\"/>"), "pipeline is IATI ActivityStatus 1");
    cr_assert_null(strstr(r.body, SECRET));
    cr_assert_null(strstr(r.body, res));
    th_response_free(&r);
    /* The public log holds the link, never the need's content. */
    s = th_open(db);
    store_stmt *st;
    cr_assert_eq(store_query(s, &st, "SELECT body FROM event WHERE type = 'activity.recorded'", ""), 0);
    while (store_step(st) == STORE_ROW) {
        size_t len;
        const char *body = store_col_blob(st, 0, &len);
        cr_assert_null(memmem(body, len, "confidential", 12), "%.*s", (int)len, body);
        cr_assert_null(memmem(body, len, "providers only", 14), "%.*s", (int)len, body);
    }
    store_stmt_close(st);
    store_close(s);
    /* Replay rebuilds the activities. */
    char replayed[512];
    snprintf(replayed, sizeof replayed, "%s/replayed.db", dir);
    store *b = th_replay_matches(&server, db, replayed, "linked activities are identical after replay");
    int64_t n = 0;
    cr_assert_eq(store_one_int(b, &n, "SELECT count(*) FROM activity WHERE offer = 'kaz-offer'", ""), STORE_ROW);
    cr_assert_eq(n, 3);
    store_close(b);
}
