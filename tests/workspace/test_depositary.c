/* The depositary's page over HTTP: who may see it; a refused action comes
 * back filled in with the problem beside its field and nothing written;
 * an action recorded from the page logs what the API logs and shows the
 * notification it produced; a cycle and a reported total from their
 * forms; POST .../reported-totals; a forged post by a focal point is
 * refused and writes nothing. The actions recorded here are the test's
 * own records on a throwaway database, not facts. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "helpers.h"
#include "store/db.h"

#define PASSWORD "correct+horse+battery+staple"
#define DESK "/en/workspace/depositary"
#define SOURCE "source_title=Turkmenistan+joins+Code+of+Conduct&source_url=https%3A%2F%2Fexample.org%2Ftkm"

static th_server server;
static char *dir, *db_path, token[64], dep_token[64];

static void start(void)
{
    char t[64];
    dir = th_tempdir();
    db_path = th_make_db(dir, true, token);
    th_make_user(dir, db_path, "dep@example.org", "depositary", NULL, dep_token);
    th_make_user(dir, db_path, "fp@example.org", "focal_point", "KAZ", t);
    th_make_user(dir, db_path, "rv@example.org", "reviewer", NULL, t);
    th_server_start(&server, db_path);
}

static void stop(void) { th_fixture_end(&server, dir, db_path); }

TestSuite(workspace_depositary, .init = start, .fini = stop, .timeout = 120);

/* The latest log entry's event (caller decrefs). */
static json_t *last_event(void)
{
    store *db = th_open(db_path);
    store_stmt *st;
    cr_assert_eq(store_query(db, &st, "SELECT CAST(body AS TEXT) FROM event ORDER BY seq DESC LIMIT 1", ""), 0);
    cr_assert_eq(store_step(st), STORE_ROW);
    json_t *ev = json_loads(store_col_text(st, 0), 0, NULL);
    store_stmt_close(st);
    store_close(db);
    cr_assert_not_null(ev);
    return ev;
}

/* 'ev' without its time and the fields named in 'drop' from its data, as
 * sorted JSON (caller frees). */
static char *comparable(json_t *ev, const char *const *drop)
{
    json_object_del(ev, "at");
    for (size_t i = 0; drop[i]; i++)
        json_object_del(json_object_get(ev, "data"), drop[i]);
    return json_dumps(ev, JSON_SORT_KEYS);
}

Test(workspace_depositary, the_desk_is_for_the_depositary_and_admins)
{
    static const struct { const char *email; long status; } who[] = {
        {"dep%40example.org", 200}, {"fp%40example.org", 403}, {"rv%40example.org", 403}};
    for (size_t i = 0; i < sizeof who / sizeof who[0]; i++) {
        char cookie[200];
        th_ws_sign_in(&server, who[i].email, PASSWORD, cookie, sizeof cookie);
        th_response r = th_call_with(&server, "GET", DESK, cookie, NULL, NULL);
        cr_assert_eq(r.status, who[i].status, "%s: %ld", who[i].email, r.status);
        th_response_free(&r);
    }
    th_response r = th_call_with(&server, "GET", DESK, NULL, NULL, NULL);
    cr_assert_eq(r.status, 303, "anonymous");
    th_response_free(&r);
}

Test(workspace_depositary, a_refused_action_comes_back_beside_its_field_and_writes_nothing)
{
    char cookie[200];
    th_ws_sign_in(&server, "dep%40example.org", PASSWORD, cookie, sizeof cookie);
    uint64_t before = th_log_size_at(db_path);
    th_response r = th_ws_post(&server, DESK "/actions", DESK, cookie,
                               "instrument=code-of-conduct&party=TKM&type=signature&date=2019-07-15"
                               "&date_precision=on_or_before&place=New+York&source_title=&source_url=");
    cr_assert_geq(r.status, 400, "%ld %s", r.status, r.body);
    cr_assert(strstr(r.body, "id=\"action-source_title-problem\""), "%s", r.body);
    cr_assert(strstr(r.body, "<option value=\"TKM\" selected>"), "the party is kept: %s", r.body);
    cr_assert(strstr(r.body, "<option value=\"on_or_before\" selected>"), "the precision is kept");
    cr_assert(strstr(r.body, "value=\"New York\""), "the place is kept");
    th_response_free(&r);
    cr_assert_eq(th_log_size_at(db_path), before);
}

Test(workspace_depositary, an_action_from_the_page_logs_what_the_api_logs_and_shows_its_notification)
{
    char cookie[200];
    th_ws_sign_in(&server, "dep%40example.org", PASSWORD, cookie, sizeof cookie);
    th_response r = th_ws_post(&server, DESK "/actions", DESK, cookie,
                               "instrument=code-of-conduct&party=TKM&type=signature&date=2019-07-15"
                               "&date_precision=on_or_before&place=&signer_name=&signer_title=&note=&" SOURCE);
    cr_assert_eq(r.status, 303, "%s", r.body);
    cr_assert(strstr(r.location, "/en/workspace/depositary?done=action&seq="), "%s", r.location);
    char where[512];
    snprintf(where, sizeof where, "%s", r.location);
    th_response_free(&r);
    json_t *page = last_event();
    r = th_call_with(&server, "GET", where, cookie, NULL, NULL);
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_assert(strstr(r.body, "On or before 15 July 2019, Turkmenistan signed"), "the notification: %s", r.body);
    th_response_free(&r);
    /* The same action through the API, for another party. */
    const char *api = "{\"party\":\"TJK\",\"type\":\"signature\",\"date\":\"2019-07-15\",\"date_precision\":"
                      "\"on_or_before\",\"source\":{\"title\":\"Turkmenistan joins Code of Conduct\",\"url\":"
                      "\"https://example.org/tkm\"}}";
    r = th_call(&server, "POST", "/api/v1/instruments/code-of-conduct/actions", dep_token, NULL, api, strlen(api));
    cr_assert_eq(r.status, 201, "%s", r.body);
    th_response_free(&r);
    json_t *via_api = last_event();
    static const char *const drop[] = {"party", "notification", "notification_text", NULL};
    char *a = comparable(page, drop), *b = comparable(via_api, drop);
    cr_assert_str_eq(a, b);
    free(a);
    free(b);
    json_decref(page);
    json_decref(via_api);
}

Test(workspace_depositary, a_cycle_and_a_reported_total_from_their_forms_and_the_api)
{
    char cookie[200];
    th_ws_sign_in(&server, "dep%40example.org", PASSWORD, cookie, sizeof cookie);
    th_response r = th_ws_post(&server, DESK "/cycles", DESK, cookie,
                               "instrument=code-of-conduct&code=2027&name=Cycle+2027&opens_on=2020-01-01&due_on=2020-06-30");
    cr_assert_eq(r.status, 303, "%s", r.body);
    th_response_free(&r);
    r = th_call(&server, "GET", "/api/v1/instruments/code-of-conduct/cycles", NULL, NULL, NULL, 0);
    cr_assert(strstr(r.body, "\"Cycle 2027\""), "%s", r.body);
    th_response_free(&r);
    /* A count that is not a number is refused beside its field. */
    uint64_t before = th_log_size_at(db_path);
    r = th_ws_post(&server, DESK "/reported-totals", DESK, cookie,
                   "instrument=code-of-conduct&as_of=2019-07-15&qualifier=more+than&count=seventy&of=states&" SOURCE);
    cr_assert_geq(r.status, 400, "%ld %s", r.status, r.body);
    cr_assert(strstr(r.body, "id=\"total-count-problem\""), "%s", r.body);
    th_response_free(&r);
    cr_assert_eq(th_log_size_at(db_path), before);
    r = th_ws_post(&server, DESK "/reported-totals", DESK, cookie,
                   "instrument=code-of-conduct&as_of=2019-07-15&qualifier=more+than&count=70&of=states&" SOURCE);
    cr_assert_eq(r.status, 303, "%s", r.body);
    th_response_free(&r);
    json_t *page = last_event();
    const char *api = "{\"as_of\":\"2019-07-15\",\"qualifier\":\"more than\",\"count\":70,\"of\":\"states\","
                      "\"source\":{\"title\":\"Turkmenistan joins Code of Conduct\",\"url\":\"https://example.org/tkm\"}}";
    r = th_call(&server, "POST", "/api/v1/instruments/code-of-conduct/reported-totals", dep_token, NULL, api,
                strlen(api));
    cr_assert_eq(r.status, 201, "%s", r.body);
    th_response_free(&r);
    json_t *via_api = last_event();
    static const char *const none[] = {NULL};
    char *a = comparable(page, none), *b = comparable(via_api, none);
    cr_assert_str_eq(a, b);
    free(a);
    free(b);
    json_decref(page);
    json_decref(via_api);
}

Test(workspace_depositary, a_forged_post_by_a_focal_point_is_refused_and_writes_nothing)
{
    char fp[200];
    th_ws_sign_in(&server, "fp%40example.org", PASSWORD, fp, sizeof fp);
    uint64_t before = th_log_size_at(db_path);
    th_response r = th_ws_post(&server, DESK "/actions", "/en/workspace/", fp,
                               "instrument=code-of-conduct&party=KAZ&type=withdrawal&date=2019-07-15&" SOURCE);
    cr_assert_eq(r.status, 403, "%s", r.body);
    th_response_free(&r);
    cr_assert_eq(th_log_size_at(db_path), before);
    /* And the API's route for reported totals, with a focal point's token. */
    char fp_token[64];
    th_make_user(dir, db_path, "fp2@example.org", "focal_point", "KGZ", fp_token);
    const char *api = "{\"as_of\":\"2019-07-15\",\"count\":1,\"source\":{\"title\":\"x\"}}";
    r = th_call(&server, "POST", "/api/v1/instruments/code-of-conduct/reported-totals", fp_token, NULL, api,
                strlen(api));
    cr_assert_eq(r.status, 403, "%s", r.body);
    th_response_free(&r);
    cr_assert_eq(th_log_size_at(db_path), before);
}
