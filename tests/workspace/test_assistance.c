/* The workspace's assistance forms over HTTP: a need recorded by a focal
 * point and an offer and an activity recorded by coordinators, each
 * through the same event as the API's call (compared record by record);
 * refused forms come back filled in with the problem beside its field;
 * another state's focal point and another entity's coordinator are
 * refused, and nothing is written. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "store/db.h"
#include "store/lookup.h"

#define FORM "Content-Type: application/x-www-form-urlencoded"
#define PASSWORD "password=correct+horse+battery+staple"
#define NEEDS "/en/workspace/assistance/needs/KAZ"
#define UNODC "/en/workspace/assistance/providers/unodc"

static th_server server;
static char *dir, *db_path, token[64], kaz_token[64], unodc_token[64];

static void start(void)
{
    char other[64];
    dir = th_tempdir();
    db_path = th_make_db(dir, true, token);
    const char *args[] = {"assistance", "load", "--db", db_path, th_source_path("data/assistance.json"), NULL};
    char *out = NULL, *err = NULL;
    cr_assert_eq(th_run_accord_full(&out, &err, args), 0, "%s", err);
    free(out);
    free(err);
    th_make_user(dir, db_path, "fp@example.org", "focal_point", "KAZ", kaz_token);
    th_make_user(dir, db_path, "tr@example.org", "focal_point", "TUR", other);
    th_make_user(dir, db_path, "unodc@example.org", "coordinator", "unodc", unodc_token);
    th_make_user(dir, db_path, "almaty@example.org", "coordinator", "unodc/almaty", other);
    th_make_user(dir, db_path, "undp@example.org", "coordinator", "undp", other);
    th_server_start(&server, db_path);
}

static void stop(void) { th_fixture_end(&server, dir, db_path); }

TestSuite(workspace_assistance, .init = start, .fini = stop, .timeout = 120);

static th_response req(const char *method, const char *path, const char *cookie, const char *type, const char *body)
{
    return th_call_with(&server, method, path, type ? type : cookie, type ? cookie : NULL, body);
}

static void sign_in(const char *email_encoded, char *cookie, size_t len)
{
    char body[200];
    snprintf(body, sizeof body, "email=%s&" PASSWORD, email_encoded);
    th_response r = req("POST", "/en/workspace/sign-in", NULL, FORM, body);
    cr_assert_eq(r.status, 303, "%s", r.body);
    snprintf(cookie, len, "Cookie: %.*s", (int)strcspn(r.set_cookie, ";"), r.set_cookie);
    th_response_free(&r);
}

/* Signs in as 'email_encoded' and reads the CSRF field of 'path'. */
static void open_form(const char *email_encoded, const char *path, char *cookie, size_t clen, char *csrf, size_t len)
{
    sign_in(email_encoded, cookie, clen);
    th_response r = req("GET", path, cookie, NULL, NULL);
    cr_assert_eq(r.status, 200, "%s: %s", path, r.body);
    const char *at = strstr(r.body, "name=\"csrf_token\" value=\"");
    cr_assert_not_null(at, "%s has no CSRF field", path);
    at += strlen("name=\"csrf_token\" value=\"");
    snprintf(csrf, len, "%.*s", (int)strcspn(at, "\""), at);
    th_response_free(&r);
}

static long long events(void)
{
    store *db = th_open(db_path);
    int64_t n = 0;
    cr_assert_eq(store_one_int(db, &n, "SELECT count(*) FROM event", ""), STORE_ROW);
    store_close(db);
    return (long long)n;
}

/* "type actor" of the latest log entry into 'out'. */
static void last_event(char *out, size_t len)
{
    store *db = th_open(db_path);
    store_stmt *st;
    cr_assert_eq(store_query(db, &st, "SELECT type, body FROM event ORDER BY seq DESC LIMIT 1", ""), 0);
    cr_assert_eq(store_step(st), STORE_ROW);
    json_t *ev = json_loads(store_col_text(st, 1), 0, NULL);
    snprintf(out, len, "%s %s", store_col_text(st, 0), json_string_value(json_object_get(ev, "actor")));
    json_decref(ev);
    store_stmt_close(st);
    store_close(db);
}

/* The record 'id' in the API's list at 'path' under 'key', without the
 * fields that name it or its log entry (caller frees). */
static char *record(const char *path, const char *key, const char *id, const char *tok)
{
    th_response r = th_call(&server, "GET", path, tok, NULL, NULL, 0);
    cr_assert_eq(r.status, 200, "%s", r.body);
    json_t *all = json_loads(r.body, 0, NULL), *row;
    size_t i;
    char *out = NULL;
    json_array_foreach(json_object_get(all, key), i, row) if (strcmp(json_string_value(json_object_get(row, "id")), id) == 0)
    {
        static const char *const drop[] = {"id", "log_index", "seq", "recorded_at", "commitment", NULL};
        for (size_t k = 0; drop[k]; k++)
            json_object_del(row, drop[k]);
        out = json_dumps(row, JSON_SORT_KEYS | JSON_COMPACT);
    }
    json_decref(all);
    th_response_free(&r);
    cr_assert_not_null(out, "no %s in %s", id, path);
    return out;
}

/* The id of the record the form just made: the latest with 'title'. */
static void id_of(const char *path, const char *key, const char *title, const char *tok, char *out, size_t len)
{
    th_response r = th_call(&server, "GET", path, tok, NULL, NULL, 0);
    json_t *all = json_loads(r.body, 0, NULL), *row;
    size_t i;
    out[0] = '\0';
    json_array_foreach(json_object_get(all, key), i, row) if (strcmp(json_string_value(json_object_get(row, "title")), title) == 0)
        snprintf(out, len, "%s", json_string_value(json_object_get(row, "id")));
    json_decref(all);
    th_response_free(&r);
    cr_assert(out[0], "no record titled %s", title);
}

/* The record titled 'title' (made from the form) and the one titled
 * "'title' (API)" (posted to the API) are stored alike. */
static void same_as_api(const char *path, const char *key, const char *title, const char *tok)
{
    char id[80], api_id[80], api_title[120];
    snprintf(api_title, sizeof api_title, "%s (API)", title);
    id_of(path, key, title, tok, id, sizeof id);
    id_of(path, key, api_title, tok, api_id, sizeof api_id);
    char *a = record(path, key, id, tok), *b = record(path, key, api_id, tok);
    char *t = strstr(b, " (API)");
    cr_assert_not_null(t);
    memmove(t, t + 6, strlen(t + 6) + 1);
    cr_assert_str_eq(a, b, "the stored %s differ", key);
    free(a);
    free(b);
}

Test(workspace_assistance, a_need_from_the_form_is_the_api_s_need)
{
    char cookie[200], csrf[100], body[1024], ev_form[200], ev_api[200];
    open_form("fp%40example.org", NEEDS, cookie, sizeof cookie, csrf, sizeof csrf);

    /* Preview: the form again with the text rendered, nothing written. */
    long long before = events();
    snprintf(body, sizeof body,
             "csrf_token=%s&step=preview&title=Forensic+training&body=Training+for+**forensic**+staff"
             "&instrument=code-of-conduct&provisions=3%%2C+4&thematic=15210&sdg=16.a&gcts=2&priority=high"
             "&access=restricted", csrf);
    th_response r = req("POST", NEEDS, cookie, FORM, body);
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_assert(strstr(r.body, "id=\"preview-body\"><p>Training for <strong>forensic</strong> staff</p>"), "the preview is rendered: %s", r.body);
    cr_assert(strstr(r.body, "value=\"Forensic training\""), "%s", r.body);
    th_response_free(&r);
    cr_assert_eq(events(), before, "a preview writes nothing");

    snprintf(body, sizeof body,
             "csrf_token=%s&step=save&title=Forensic+training&body=Training+for+**forensic**+staff"
             "&instrument=code-of-conduct&provisions=3%%2C+4&thematic=15210&sdg=16.a&gcts=2&priority=high"
             "&access=restricted", csrf);
    r = req("POST", NEEDS, cookie, FORM, body);
    cr_assert_eq(r.status, 303, "%s", r.body);
    cr_assert_str_eq(r.location, NEEDS "?done=1");
    th_response_free(&r);
    last_event(ev_form, sizeof ev_form);

    const char *json = "{\"beneficiary\":\"KAZ\",\"title\":\"Forensic training (API)\",\"body\":\"Training for "
                       "**forensic** staff\",\"instrument\":\"code-of-conduct\",\"provisions\":[3,4],\"thematic\":"
                       "\"15210\",\"sdg\":[\"16.a\"],\"gcts\":[\"2\"],\"priority\":\"high\",\"access\":\"restricted\"}";
    r = th_call(&server, "POST", "/api/v1/assistance/needs", kaz_token, NULL, json, strlen(json));
    cr_assert_eq(r.status, 201, "%s", r.body);
    th_response_free(&r);
    last_event(ev_api, sizeof ev_api);
    cr_assert_str_eq(ev_form, ev_api, "the form and the API log the same event type by the same account");

    same_as_api("/api/v1/assistance/needs?country=KAZ", "needs", "Forensic training", kaz_token);

    r = req("GET", NEEDS "?done=1", cookie, NULL, NULL);
    cr_assert(strstr(r.body, "The need was recorded.") && strstr(r.body, "Forensic training"), "%s", r.body);
    th_response_free(&r);
}

Test(workspace_assistance, a_refused_need_comes_back_filled_in_and_nothing_is_written)
{
    char cookie[200], csrf[100], body[1024];
    open_form("fp%40example.org", NEEDS, cookie, sizeof cookie, csrf, sizeof csrf);
    long long before = events();
    snprintf(body, sizeof body,
             "csrf_token=%s&step=save&title=Kept+title&body=Kept+text&thematic=99999&priority=low&access=providers",
             csrf);
    th_response r = req("POST", "/fr/workspace/assistance/needs/KAZ", cookie, FORM, body);
    cr_assert_eq(r.status, 400, "%s", r.body);
    cr_assert(strstr(r.body, "Le besoin n&#39;a pas été enregistré."), "%s", r.body);
    cr_assert(strstr(r.body, "id=\"form-thematic-problem\""), "the problem is beside its field: %s", r.body);
    cr_assert(strstr(r.body, ">Kept text</textarea>") && strstr(r.body, "value=\"Kept title\""), "%s", r.body);
    th_response_free(&r);
    cr_assert_eq(events(), before, "nothing written");
}

Test(workspace_assistance, another_state_s_focal_point_can_neither_see_nor_post)
{
    char tur[200], csrf[100], body[512];
    open_form("tr%40example.org", "/en/workspace/assistance/needs/TUR", tur, sizeof tur, csrf, sizeof csrf);
    th_response r = req("GET", NEEDS, tur, NULL, NULL);
    cr_assert_eq(r.status, 403, "%s", r.body);
    th_response_free(&r);
    long long before = events();
    snprintf(body, sizeof body, "csrf_token=%s&step=save&title=Forged&priority=low&access=public", csrf);
    r = req("POST", NEEDS, tur, FORM, body);
    cr_assert_eq(r.status, 403, "%s", r.body);
    th_response_free(&r);
    cr_assert_eq(events(), before, "nothing written");
}

Test(workspace_assistance, an_offer_from_the_form_is_the_api_s_offer)
{
    char cookie[200], csrf[100], body[1024], ev_form[200], ev_api[200];
    open_form("unodc%40example.org", UNODC, cookie, sizeof cookie, csrf, sizeof csrf);
    snprintf(body, sizeof body,
             "csrf_token=%s&title=Legal+drafting+help&body=Model+laws&instrument=code-of-conduct&provisions=1"
             "&thematic=15210&sdg=16.a&gcts=4&countries=KAZ%%2C+KGZ&modalities=training", csrf);
    th_response r = req("POST", UNODC "/offers", cookie, FORM, body);
    cr_assert_eq(r.status, 303, "%s", r.body);
    cr_assert_str_eq(r.location, UNODC "?done=offer");
    th_response_free(&r);
    last_event(ev_form, sizeof ev_form);
    const char *json = "{\"provider\":\"unodc\",\"title\":\"Legal drafting help (API)\",\"body\":\"Model laws\","
                       "\"instrument\":\"code-of-conduct\",\"provisions\":[1],\"thematic\":\"15210\",\"sdg\":[\"16.a\"],"
                       "\"gcts\":[\"4\"],\"countries\":[\"KAZ\",\"KGZ\"],\"modalities\":[\"training\"]}";
    r = th_call(&server, "POST", "/api/v1/assistance/offers", unodc_token, NULL, json, strlen(json));
    cr_assert_eq(r.status, 201, "%s", r.body);
    th_response_free(&r);
    last_event(ev_api, sizeof ev_api);
    cr_assert_str_eq(ev_form, ev_api);
    same_as_api("/api/v1/assistance/offers?entity=unodc", "offers", "Legal drafting help", NULL);
    r = req("GET", UNODC "?done=offer", cookie, NULL, NULL);
    cr_assert(strstr(r.body, "The offer was recorded.") && strstr(r.body, "Legal drafting help"), "%s", r.body);
    th_response_free(&r);

    /* Refused: beside its field, kept, nothing written. */
    long long before = events();
    snprintf(body, sizeof body, "csrf_token=%s&title=Kept+offer&thematic=1", csrf);
    r = req("POST", UNODC "/offers", cookie, FORM, body);
    cr_assert_eq(r.status, 400, "%s", r.body);
    cr_assert(strstr(r.body, "id=\"offer_form-thematic-problem\"") && strstr(r.body, "value=\"Kept offer\""), "%s",
              r.body);
    th_response_free(&r);
    cr_assert_eq(events(), before);
}

Test(workspace_assistance, coordinators_act_only_for_their_entity_and_offices)
{
    char undp[200], almaty[200], csrf[100], body[1024], ev[200];
    long long before = events();
    open_form("undp%40example.org", "/en/workspace/assistance/providers/undp", undp, sizeof undp, csrf, sizeof csrf);
    th_response r = req("GET", UNODC, undp, NULL, NULL);
    cr_assert_eq(r.status, 403, "%s", r.body);
    th_response_free(&r);
    snprintf(body, sizeof body, "csrf_token=%s&title=Forged+offer&thematic=15210", csrf);
    r = req("POST", UNODC "/offers", undp, FORM, body);
    cr_assert_eq(r.status, 403, "%s", r.body);
    th_response_free(&r);
    snprintf(body, sizeof body,
             "csrf_token=%s&title=Forged+activity&implementing=unodc%%2Falmaty&country=KAZ&thematic=15210", csrf);
    r = req("POST", UNODC "/activities", undp, FORM, body);
    cr_assert_eq(r.status, 403, "%s", r.body);
    th_response_free(&r);
    cr_assert_eq(events(), before, "nothing written");

    /* The Almaty office's coordinator records its own activity, not the
     * entity's. */
    sign_in("almaty%40example.org", almaty, sizeof almaty);
    r = req("GET", "/en/workspace/", almaty, NULL, NULL);
    cr_assert(strstr(r.body, "href=\"/en/workspace/assistance/providers/unodc/offices/almaty\""), "%s", r.body);
    th_response_free(&r);
    r = req("GET", UNODC, almaty, NULL, NULL);
    cr_assert_eq(r.status, 403, "an office's coordinator does not have the entity's page: %s", r.body);
    th_response_free(&r);
    r = req("GET", UNODC "/offices/almaty", almaty, NULL, NULL);
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_assert(!strstr(r.body, "Record an offer"), "an office records no offer: %s", r.body);
    const char *at = strstr(r.body, "name=\"csrf_token\" value=\"");
    cr_assert_not_null(at);
    at += strlen("name=\"csrf_token\" value=\"");
    snprintf(csrf, sizeof csrf, "%.*s", (int)strcspn(at, "\""), at);
    th_response_free(&r);
    snprintf(body, sizeof body,
             "csrf_token=%s&title=Workshop+in+Astana&implementing=unodc&country=KAZ&thematic=15210&status=pipeline",
             csrf);
    r = req("POST", UNODC "/activities", almaty, FORM, body);
    cr_assert_eq(r.status, 403, "%s", r.body);
    th_response_free(&r);
    cr_assert_eq(events(), before, "nothing written");
    snprintf(body, sizeof body,
             "csrf_token=%s&title=Workshop+in+Astana&implementing=unodc%%2Falmaty&country=KAZ&thematic=15210"
             "&status=pipeline&instrument=code-of-conduct&provisions=3&planned_start=2027-01-10&planned_end=2027-02-10",
             csrf);
    r = req("POST", UNODC "/activities", almaty, FORM, body);
    cr_assert_eq(r.status, 303, "%s", r.body);
    cr_assert_str_eq(r.location, UNODC "/offices/almaty?done=activity");
    th_response_free(&r);
    last_event(ev, sizeof ev);
    cr_assert(strncmp(ev, "activity.recorded ", 18) == 0, "%s", ev);
    cr_assert_eq(events(), before + 1);
}

Test(workspace_assistance, a_report_s_assistance_needs_become_a_need_as_through_the_api)
{
    char cookie[200], csrf[100], body[512], ev_form[200], ev_api[200];
    const char *cycle = "{\"code\":\"c1\",\"name\":\"First cycle\",\"opens_on\":\"2020-01-01\",\"due_on\":\"2020-12-31\"}";
    th_response r = th_call(&server, "POST", "/api/v1/instruments/code-of-conduct/cycles", token, NULL, cycle,
                            strlen(cycle));
    cr_assert_eq(r.status, 201, "%s", r.body);
    th_response_free(&r);
    for (int p = 1; p <= 2; p++) {
        snprintf(body, sizeof body, "{\"party\":\"KAZ\",\"provision\":%d,\"status\":\"planned\",\"narrative\":\"Plan\","
                 "\"assistance_needs\":\"Help with forensic laboratories\"}", p);
        r = th_call(&server, "POST", "/api/v1/instruments/code-of-conduct/cycles/c1/reports", kaz_token, NULL, body,
                    strlen(body));
        cr_assert_eq(r.status, 201, "%s", r.body);
        th_response_free(&r);
    }
    open_form("fp%40example.org", NEEDS, cookie, sizeof cookie, csrf, sizeof csrf);

    /* A provision with no report: refused beside its field, nothing written. */
    long long before = events();
    snprintf(body, sizeof body, "csrf_token=%s&step=from_report&instrument=code-of-conduct&cycle=c1&provision=7",
             csrf);
    r = req("POST", NEEDS, cookie, FORM, body);
    cr_assert(r.status >= 400 && r.status < 500, "%ld %s", r.status, r.body);
    cr_assert(strstr(r.body, "class=\"problems\""), "%s", r.body);
    th_response_free(&r);
    cr_assert_eq(events(), before, "nothing written");

    snprintf(body, sizeof body, "csrf_token=%s&step=from_report&instrument=code-of-conduct&cycle=c1&provision=1",
             csrf);
    r = req("POST", NEEDS, cookie, FORM, body);
    cr_assert_eq(r.status, 303, "%s", r.body);
    th_response_free(&r);
    last_event(ev_form, sizeof ev_form);
    const char *json = "{\"instrument\":\"code-of-conduct\",\"cycle\":\"c1\",\"party\":\"KAZ\",\"provision\":2}";
    r = th_call(&server, "POST", "/api/v1/assistance/needs/from-report", kaz_token, NULL, json, strlen(json));
    cr_assert_eq(r.status, 201, "%s", r.body);
    th_response_free(&r);
    last_event(ev_api, sizeof ev_api);
    cr_assert_str_eq(ev_form, ev_api, "the form and the API log the same event type by the same account");
    cr_assert_eq(events(), before + 2);
    r = req("GET", NEEDS, cookie, NULL, NULL);
    cr_assert(strstr(r.body, "Assistance needed on provision 1 (report of KAZ, cycle c1)"), "%s", r.body);
    th_response_free(&r);
}
