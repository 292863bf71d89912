/* The focal point's report pages over HTTP: the dashboard's states, a
 * draft saved from the form going through the same event path as the
 * API (the same stored report, the same event type and actor), a refused
 * draft coming back filled in with nothing saved, submission, and a
 * forged post by another party's focal point refused. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "store/db.h"

#define FORM "Content-Type: application/x-www-form-urlencoded"
#define PASSWORD "password=correct+horse+battery+staple"
#define DASHBOARD "/en/workspace/reports/code-of-conduct/c1/KAZ"

static th_server server;
static char *dir, *db_path, token[64], kaz_token[64];

static void start(void)
{
    char kgz[64];
    dir = th_tempdir();
    db_path = th_make_db(dir, true, token);
    th_make_user(dir, db_path, "fp@example.org", "focal_point", "KAZ", kaz_token);
    th_make_user(dir, db_path, "kg@example.org", "focal_point", "KGZ", kgz);
    th_server_start(&server, db_path);
    const char *cycle = "{\"code\":\"c1\",\"name\":\"First cycle\",\"opens_on\":\"2020-01-01\",\"due_on\":\"2020-12-31\"}";
    th_response r = th_call(&server, "POST", "/api/v1/instruments/code-of-conduct/cycles", token, NULL, cycle,
                            strlen(cycle));
    cr_assert_eq(r.status, 201, "%s", r.body);
    th_response_free(&r);
}

static void stop(void) { th_fixture_end(&server, dir, db_path); }

TestSuite(workspace_reports, .init = start, .fini = stop, .timeout = 120);

/* A request with up to two extra header lines ('cookie' may be NULL). */
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

/* The page at 'path' (200) and its CSRF field, into 'csrf'. */
static th_response page_with_csrf(const char *path, const char *cookie, char *csrf, size_t len)
{
    th_response r = req("GET", path, cookie, NULL, NULL);
    cr_assert_eq(r.status, 200, "%s: %s", path, r.body);
    const char *at = strstr(r.body, "name=\"csrf_token\" value=\"");
    cr_assert_not_null(at, "%s has no CSRF field", path);
    at += strlen("name=\"csrf_token\" value=\"");
    snprintf(csrf, len, "%.*s", (int)strcspn(at, "\""), at);
    return r;
}

/* The stored content of the latest draft of KAZ's report on 'provision',
 * without its provision number (caller frees); NULL when none. */
static char *draft_content(int provision, int *version)
{
    store *db = th_open(db_path);
    store_stmt *st;
    char *out = NULL;
    *version = 0;
    cr_assert_eq(store_query(db, &st,
                             "SELECT content, version FROM report_draft WHERE instrument = 'code-of-conduct'"
                             " AND cycle = 'c1' AND party = 'KAZ' AND provision = ? ORDER BY version DESC LIMIT 1",
                             "i", (int64_t)provision),
                 0);
    if (store_step(st) == STORE_ROW) {
        json_t *c = json_loads(store_col_text(st, 0), 0, NULL);
        *version = (int)store_col_int(st, 1);
        json_object_del(c, "provision");
        out = json_dumps(c, JSON_SORT_KEYS | JSON_COMPACT);
        json_decref(c);
    }
    store_stmt_close(st);
    store_close(db);
    return out;
}

/* Type and actor of the latest log entry, "type actor", into 'out'. */
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

Test(workspace_reports, a_draft_from_the_form_is_the_api_s_draft)
{
    char cookie[200], csrf[100], body[1024], ev_form[200], ev_api[200];
    int version;
    sign_in("fp%40example.org", cookie, sizeof cookie);

    th_response r = req("GET", DASHBOARD, cookie, NULL, NULL);
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_assert(strstr(r.body, "No draft") && strstr(r.body, "Overdue"), "%s", r.body);
    th_response_free(&r);

    r = page_with_csrf(DASHBOARD "?provision=1", cookie, csrf, sizeof csrf);
    th_response_free(&r);
    snprintf(body, sizeof body,
             "csrf_token=%s&provision=1&step=save&status=in_progress&narrative=A+%%2A%%2Bnew%%2A%%2A+law+%%3Cb%%3E"
             "&measures=Training&evidence=https%%3A%%2F%%2Fexample.org%%2Flaw+The+law%%0D%%0A&assistance_needs=",
             csrf);
    r = req("POST", DASHBOARD, cookie, FORM, body);
    cr_assert_eq(r.status, 303, "%s", r.body);
    cr_assert_str_eq(r.location, DASHBOARD "?done=saved");
    th_response_free(&r);
    last_event(ev_form, sizeof ev_form);

    /* The same report through the API, on provision 2. */
    const char *json = "{\"party\":\"KAZ\",\"provision\":2,\"status\":\"in_progress\",\"narrative\":\"A *+new** law <b>\","
                       "\"measures\":\"Training\",\"evidence\":[{\"title\":\"The law\",\"url\":\"https://example.org/law\"}]}";
    r = th_call(&server, "POST", "/api/v1/instruments/code-of-conduct/cycles/c1/reports", kaz_token, NULL, json,
                strlen(json));
    cr_assert_eq(r.status, 201, "%s", r.body);
    th_response_free(&r);
    last_event(ev_api, sizeof ev_api);
    cr_assert_str_eq(ev_form, ev_api, "the form and the API log the same event type by the same account");
    cr_assert(strncmp(ev_form, "report.drafted ", 15) == 0, "%s", ev_form);

    char *form_draft = draft_content(1, &version), *api_draft = draft_content(2, &version);
    cr_assert_not_null(form_draft);
    cr_assert_str_eq(form_draft, api_draft, "the stored reports differ");
    free(form_draft);
    free(api_draft);

    r = req("GET", DASHBOARD, cookie, NULL, NULL);
    cr_assert(strstr(r.body, "v1") && strstr(r.body, ">Draft"), "%s", r.body);
    th_response_free(&r);
}

Test(workspace_reports, a_refused_draft_comes_back_filled_in_and_nothing_is_saved)
{
    char cookie[200], csrf[100], body[1024];
    int before, after;
    sign_in("fp%40example.org", cookie, sizeof cookie);
    th_response r = page_with_csrf(DASHBOARD "?provision=3", cookie, csrf, sizeof csrf);
    th_response_free(&r);
    free(draft_content(3, &before));
    snprintf(body, sizeof body,
             "csrf_token=%s&provision=3&step=save&status=in_progress&narrative=My+long+narrative+kept"
             "&evidence=javascript%%3Aalert(1)+Bad+link", csrf);
    r = req("POST", "/fr/workspace/reports/code-of-conduct/c1/KAZ", cookie, FORM, body);
    cr_assert_eq(r.status, 400, "%s", r.body);
    cr_assert(strstr(r.body, "Le rapport n&#39;a pas été enregistré."), "%s", r.body);
    cr_assert(strstr(r.body, ">My long narrative kept</textarea>"), "the narrative is kept: %s", r.body);
    cr_assert(strstr(r.body, "id=\"evidence-problem\""), "the problem is beside the evidence: %s", r.body);
    th_response_free(&r);
    free(draft_content(3, &after));
    cr_assert_eq(before, after, "nothing saved");
}

Test(workspace_reports, submit_then_the_dashboard_says_so)
{
    char cookie[200], csrf[100], body[512];
    sign_in("fp%40example.org", cookie, sizeof cookie);
    th_response r = page_with_csrf(DASHBOARD "?provision=4", cookie, csrf, sizeof csrf);
    th_response_free(&r);
    snprintf(body, sizeof body, "csrf_token=%s&provision=4&step=save&status=planned&narrative=Plan", csrf);
    r = req("POST", DASHBOARD, cookie, FORM, body);
    cr_assert_eq(r.status, 303, "%s", r.body);
    th_response_free(&r);
    snprintf(body, sizeof body, "csrf_token=%s&provision=4&step=submit", csrf);
    r = req("POST", DASHBOARD, cookie, FORM, body);
    cr_assert_eq(r.status, 303, "%s", r.body);
    th_response_free(&r);
    char ev[200];
    last_event(ev, sizeof ev);
    cr_assert(strncmp(ev, "report.submitted ", 17) == 0, "%s", ev);
    r = req("GET", DASHBOARD "?done=submitted", cookie, NULL, NULL);
    cr_assert(strstr(r.body, "Submitted."), "%s", r.body);
    th_response_free(&r);
}

Test(workspace_reports, another_party_s_focal_point_can_neither_see_nor_post)
{
    char kaz[200], kgz[200], csrf[100], body[512];
    sign_in("kg%40example.org", kgz, sizeof kgz);
    th_response r = req("GET", DASHBOARD, kgz, NULL, NULL);
    cr_assert_eq(r.status, 403, "%s", r.body);
    cr_assert(strstr(r.content_type, "text/html"));
    th_response_free(&r);
    /* A post with KGZ's own valid token, forged for KAZ. */
    r = page_with_csrf("/en/workspace/reports/code-of-conduct/c1/KGZ", kgz, csrf, sizeof csrf);
    th_response_free(&r);
    (void)kaz;
    int before, after;
    free(draft_content(5, &before));
    snprintf(body, sizeof body, "csrf_token=%s&provision=5&step=save&status=planned&narrative=Forged", csrf);
    r = req("POST", DASHBOARD, kgz, FORM, body);
    cr_assert_eq(r.status, 403, "%s", r.body);
    th_response_free(&r);
    free(draft_content(5, &after));
    cr_assert_eq(before, after);
}
