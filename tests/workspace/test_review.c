/* The reviewer's pages over HTTP: the queue shows submitted reports to
 * reviewers only; a report's page renders the party's Markdown; a return
 * without comments or a rating without a rationale comes back with the
 * problem beside its field and nothing written; a return from the page
 * logs the same event as one through the API; the focal point then reads
 * the comments; re-ratings keep their history; a forged post by a focal
 * point is refused and writes nothing. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "helpers.h"
#include "store/db.h"

#define PASSWORD "correct+horse+battery+staple"
#define CYCLES "/api/v1/instruments/code-of-conduct/cycles/c1"
#define QUEUE "/en/workspace/reviews"
#define REPORT(n) "/en/workspace/reviews/code-of-conduct/c1/KAZ/" #n

static th_server server;
static char *dir, *db_path, token[64], kaz_token[64], reviewer_token[64];

/* KAZ drafts provision 'n' with a Markdown narrative and submits it. */
static void draft_and_submit(int n)
{
    char body[300];
    snprintf(body, sizeof body,
             "{\"party\":\"KAZ\",\"provision\":%d,\"status\":\"in_progress\",\"narrative\":\"A **new law** on %d\"}", n,
             n);
    th_response r = th_call(&server, "POST", CYCLES "/reports", kaz_token, NULL, body, strlen(body));
    cr_assert_eq(r.status, 201, "%s", r.body);
    th_response_free(&r);
    snprintf(body, sizeof body, "{\"party\":\"KAZ\",\"provision\":%d}", n);
    r = th_call(&server, "POST", CYCLES "/submissions", kaz_token, NULL, body, strlen(body));
    cr_assert_eq(r.status, 201, "%s", r.body);
    th_response_free(&r);
}

static void start(void)
{
    char kgz[64];
    dir = th_tempdir();
    db_path = th_make_db(dir, true, token);
    th_make_user(dir, db_path, "fp@example.org", "focal_point", "KAZ", kaz_token);
    th_make_user(dir, db_path, "kg@example.org", "focal_point", "KGZ", kgz);
    th_make_user(dir, db_path, "rv@example.org", "reviewer", NULL, reviewer_token);
    th_server_start(&server, db_path);
    const char *cycle = "{\"code\":\"c1\",\"name\":\"First cycle\",\"opens_on\":\"2020-01-01\",\"due_on\":\"2020-12-31\"}";
    th_response r = th_call(&server, "POST", "/api/v1/instruments/code-of-conduct/cycles", token, NULL, cycle,
                            strlen(cycle));
    cr_assert_eq(r.status, 201, "%s", r.body);
    th_response_free(&r);
    draft_and_submit(1);
    draft_and_submit(2);
}

static void stop(void) { th_fixture_end(&server, dir, db_path); }

TestSuite(workspace_review, .init = start, .fini = stop, .timeout = 120);

/* The full event of the latest log entry: the restricted entry's bytes
 * when it has them (a return), else its public bytes (caller decrefs). */
static json_t *last_event(void)
{
    store *db = th_open(db_path);
    store_stmt *st;
    cr_assert_eq(store_query(db, &st,
                             "SELECT coalesce(CAST(x.body AS TEXT), CAST(e.body AS TEXT)) FROM event e"
                             " LEFT JOIN restricted_entry x ON x.seq = e.seq ORDER BY e.seq DESC LIMIT 1",
                             ""),
                 0);
    cr_assert_eq(store_step(st), STORE_ROW);
    json_t *ev = json_loads(store_col_text(st, 0), 0, NULL);
    store_stmt_close(st);
    store_close(db);
    cr_assert_not_null(ev);
    return ev;
}

Test(workspace_review, the_queue_is_for_reviewers_and_lists_what_was_submitted)
{
    char cookie[200], fp[200];
    th_ws_sign_in(&server, "rv%40example.org", PASSWORD, cookie, sizeof cookie);
    th_response r = th_call_with(&server, "GET", QUEUE, cookie, NULL, NULL);
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_assert(strstr(r.body, "href=\"" REPORT(1) "\""), "%s", r.body);
    cr_assert(strstr(r.body, "href=\"" REPORT(2) "\""), "%s", r.body);
    th_response_free(&r);
    th_ws_sign_in(&server, "fp%40example.org", PASSWORD, fp, sizeof fp);
    r = th_call_with(&server, "GET", QUEUE, fp, NULL, NULL);
    cr_assert_eq(r.status, 403, "%s", r.body);
    th_response_free(&r);
    r = th_call_with(&server, "GET", REPORT(1), NULL, NULL, NULL);
    cr_assert_eq(r.status, 303, "anonymous: %s", r.body);
    th_response_free(&r);
}

Test(workspace_review, a_refused_review_comes_back_beside_its_field_and_writes_nothing)
{
    char cookie[200];
    th_ws_sign_in(&server, "rv%40example.org", PASSWORD, cookie, sizeof cookie);
    th_response r = th_call_with(&server, "GET", REPORT(1), cookie, NULL, NULL);
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_assert(strstr(r.body, "<strong>new law</strong>"), "the narrative is rendered: %s", r.body);
    th_response_free(&r);
    uint64_t before = th_log_size_at(db_path);
    r = th_ws_post(&server, REPORT(1), REPORT(1), cookie, "outcome=rated&rating=largely_implemented&rationale=");
    cr_assert_geq(r.status, 400, "%ld %s", r.status, r.body);
    cr_assert(strstr(r.body, "id=\"rationale-problem\""), "%s", r.body);
    cr_assert(strstr(r.body, "<option value=\"largely_implemented\" selected>"), "the form keeps the rating: %s", r.body);
    th_response_free(&r);
    r = th_ws_post(&server, REPORT(1), REPORT(1), cookie, "outcome=returned&comments=");
    cr_assert_geq(r.status, 400, "%ld %s", r.status, r.body);
    cr_assert(strstr(r.body, "id=\"comments-problem\""), "%s", r.body);
    th_response_free(&r);
    cr_assert_eq(th_log_size_at(db_path), before, "a refused review wrote to the log");
}

Test(workspace_review, a_return_from_the_page_logs_what_the_api_logs_and_the_focal_point_reads_it)
{
    char cookie[200], fp[200];
    th_ws_sign_in(&server, "rv%40example.org", PASSWORD, cookie, sizeof cookie);
    th_response r = th_ws_post(&server, REPORT(1), REPORT(1), cookie, "outcome=returned&comments=Cite+the+law.");
    cr_assert_eq(r.status, 303, "%s", r.body);
    th_response_free(&r);
    json_t *page = last_event();
    const char *api = "{\"party\":\"KAZ\",\"provision\":2,\"outcome\":\"returned\",\"comments\":\"Cite the law.\"}";
    r = th_call(&server, "POST", CYCLES "/reviews", reviewer_token, NULL, api, strlen(api));
    cr_assert_eq(r.status, 201, "%s", r.body);
    th_response_free(&r);
    json_t *via_api = last_event();
    /* The same event but for the provision and the time. */
    json_object_set_new(json_object_get(page, "data"), "provision", json_integer(2));
    json_object_del(page, "at");
    json_object_del(via_api, "at");
    char *a = json_dumps(page, JSON_SORT_KEYS), *b = json_dumps(via_api, JSON_SORT_KEYS);
    cr_assert_str_eq(a, b);
    free(a);
    free(b);
    json_decref(page);
    json_decref(via_api);
    /* The focal point reads the comments on the report's form. */
    th_ws_sign_in(&server, "fp%40example.org", PASSWORD, fp, sizeof fp);
    r = th_call_with(&server, "GET", "/en/workspace/reports/code-of-conduct/c1/KAZ?provision=1", fp, NULL, NULL);
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_assert(strstr(r.body, "Cite the law."), "the focal point sees the comments: %s", r.body);
    th_response_free(&r);
}

Test(workspace_review, ratings_keep_their_history)
{
    char cookie[200];
    th_ws_sign_in(&server, "rv%40example.org", PASSWORD, cookie, sizeof cookie);
    th_response r = th_ws_post(&server, REPORT(2), REPORT(2), cookie,
                               "outcome=rated&rating=largely_implemented&rationale=Most+measures+in+force.");
    cr_assert_eq(r.status, 303, "%s", r.body);
    th_response_free(&r);
    r = th_ws_post(&server, REPORT(2), REPORT(2), cookie, "outcome=rated&rating=implemented&rationale=All+in+force.");
    cr_assert_eq(r.status, 303, "%s", r.body);
    th_response_free(&r);
    r = th_call_with(&server, "GET", REPORT(2) "?done=rated", cookie, NULL, NULL);
    cr_assert_eq(r.status, 200, "%s", r.body);
    const char *first = strstr(r.body, "Most measures in force."), *second = strstr(r.body, "All in force.");
    cr_assert(first && second && first < second, "both ratings, oldest first: %s", r.body);
    cr_assert(strstr(r.body, "class=\"notice\""), "%s", r.body);
    th_response_free(&r);
}

Test(workspace_review, a_forged_review_by_a_focal_point_is_refused_and_writes_nothing)
{
    char fp[200];
    th_ws_sign_in(&server, "fp%40example.org", PASSWORD, fp, sizeof fp);
    uint64_t before = th_log_size_at(db_path);
    /* Its own valid CSRF token, from a page it may see. */
    th_response r = th_ws_post(&server, REPORT(1), "/en/workspace/", fp,
                               "outcome=rated&rating=implemented&rationale=Self-rated.");
    cr_assert_eq(r.status, 403, "%s", r.body);
    th_response_free(&r);
    cr_assert_eq(th_log_size_at(db_path), before);
}
