/* The focal point's draft form beyond its text: a preview rendered by the
 * server that saves nothing; a file attached with the form (a multipart
 * post, read with libmicrohttpd's post processor) stored and named in the
 * new version, and removed again by leaving it unchecked; a file of a
 * type that is not allowed refused beside the file field with nothing
 * written; a post whose session has ended shows the text back instead of
 * losing it; provisions whose text is not recorded say so; a spreadsheet
 * with one bad row is refused with that row's line and column, nothing
 * saved, and the same file corrected is imported. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "store/db.h"
#include "util/buf.h"

#define PASSWORD "correct+horse+battery+staple"
#define DASHBOARD "/en/workspace/reports/code-of-conduct/c1/KAZ"
#define BOUNDARY "accordtestboundary"

static th_server server;
static char *dir, *db_path, token[64], kaz_token[64];

static void start(void)
{
    dir = th_tempdir();
    db_path = th_make_db(dir, true, token);
    th_make_user(dir, db_path, "fp@example.org", "focal_point", "KAZ", kaz_token);
    th_server_start(&server, db_path);
    const char *cycle = "{\"code\":\"c1\",\"name\":\"First cycle\",\"opens_on\":\"2020-01-01\",\"due_on\":\"2020-12-31\"}";
    th_response r = th_call(&server, "POST", "/api/v1/instruments/code-of-conduct/cycles", token, NULL, cycle,
                            strlen(cycle));
    cr_assert_eq(r.status, 201, "%s", r.body);
    th_response_free(&r);
}

static void stop(void) { th_fixture_end(&server, dir, db_path); }

TestSuite(workspace_draft_form, .init = start, .fini = stop, .timeout = 120);

/* Appends a text part to 'b'. */
static void part(buf *b, const char *name, const char *value)
{
    cr_assert_eq(buf_printf(b, "--" BOUNDARY "\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n%s\r\n", name,
                            value),
                 0);
}

/* Posts the draft form of provision 1 as multipart/form-data: 'step', a
 * narrative, the extra text parts 'extra' (name, value pairs, NULL
 * ended), and a file 'file_name' of 'kind' (th_fixture; NULL: the empty
 * file part a browser sends when no file is chosen). */
static th_response post_draft(const char *cookie, const char *step, const char *const *extra, const char *file_name,
                              const char *kind)
{
    char csrf[128], url[256], type[128];
    th_ws_csrf(&server, DASHBOARD "?provision=1", cookie, csrf, sizeof csrf);
    buf b;
    buf_init(&b, 16 << 20);
    part(&b, "csrf_token", csrf);
    part(&b, "provision", "1");
    part(&b, "status", "in_progress");
    part(&b, "narrative", "A **new law** on terrorist financing");
    for (size_t i = 0; extra && extra[i]; i += 2)
        part(&b, extra[i], extra[i + 1]);
    size_t len = 0;
    unsigned char *bytes = kind ? th_fixture(kind, &len) : NULL;
    cr_assert_eq(buf_printf(&b,
                            "--" BOUNDARY "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"%s\"\r\n"
                            "Content-Type: application/octet-stream\r\n\r\n",
                            file_name ? file_name : ""),
                 0);
    if (len)
        cr_assert_eq(buf_append(&b, bytes, len), 0);
    free(bytes);
    cr_assert_eq(buf_puts(&b, "\r\n"), 0);
    part(&b, "step", step);
    cr_assert_eq(buf_puts(&b, "--" BOUNDARY "--\r\n"), 0);
    snprintf(url, sizeof url, "%s" DASHBOARD, server.base);
    snprintf(type, sizeof type, "Content-Type: multipart/form-data; boundary=" BOUNDARY);
    const char *headers[] = {type, cookie, NULL};
    th_response r;
    th_http(&r, "POST", url, headers, b.data, b.len);
    buf_free(&b);
    return r;
}

/* The attachments of KAZ's latest draft of provision 1, as stored JSON
 * (caller frees); "" when it has none. */
static char *latest_attachments(void)
{
    store *db = th_open(db_path);
    store_stmt *st;
    cr_assert_eq(store_query(db, &st,
                             "SELECT coalesce(json_extract(content, '$.attachments'), '') FROM report_draft"
                             " WHERE party = 'KAZ' AND provision = 1 ORDER BY version DESC LIMIT 1",
                             ""),
                 0);
    cr_assert_eq(store_step(st), STORE_ROW);
    char *out = strdup(store_col_text(st, 0));
    store_stmt_close(st);
    store_close(db);
    return out;
}

Test(workspace_draft_form, a_preview_renders_the_markdown_and_saves_nothing)
{
    char cookie[200];
    th_ws_sign_in(&server, "fp%40example.org", PASSWORD, cookie, sizeof cookie);
    uint64_t before = th_log_size_at(db_path);
    th_response r = post_draft(cookie, "preview", NULL, NULL, NULL);
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_assert(strstr(r.body, "<strong>new law</strong>"), "the preview: %s", r.body);
    cr_assert(strstr(r.body, "A **new law** on terrorist financing</textarea>"), "the text as typed: %s", r.body);
    th_response_free(&r);
    cr_assert_eq(th_log_size_at(db_path), before, "a preview wrote to the log");
}

Test(workspace_draft_form, a_file_attached_with_the_form_is_stored_and_named_then_removed)
{
    char cookie[200];
    th_ws_sign_in(&server, "fp%40example.org", PASSWORD, cookie, sizeof cookie);
    uint64_t before = th_log_size_at(db_path);
    th_response r = post_draft(cookie, "save", NULL, "law.pdf", "pdf");
    cr_assert_eq(r.status, 303, "%s", r.body);
    th_response_free(&r);
    cr_assert_eq(th_log_size_at(db_path), before + 2, "attachment.stored then report.drafted");
    char *attached = latest_attachments();
    cr_assert(strstr(attached, "\"name\":\"law.pdf\"") && strstr(attached, "application/pdf"), "%s", attached);
    const char *sha = strstr(attached, "\"sha256\":\"");
    cr_assert_not_null(sha, "%s", attached);
    char keep[100];
    snprintf(keep, sizeof keep, "keep_%.64s", sha + 10);
    free(attached);
    /* The form lists it, checked; saved with it checked, it stays. */
    r = th_call_with(&server, "GET", DASHBOARD "?provision=1", cookie, NULL, NULL);
    char field[200];
    snprintf(field, sizeof field, "name=\"%s\" value=\"law.pdf\" checked", keep);
    cr_assert(strstr(r.body, field), "the form lists the file: %s", r.body);
    th_response_free(&r);
    const char *kept[] = {keep, "law.pdf", NULL};
    r = post_draft(cookie, "save", kept, NULL, NULL);
    cr_assert_eq(r.status, 303, "%s", r.body);
    th_response_free(&r);
    attached = latest_attachments();
    cr_assert(strstr(attached, "law.pdf"), "%s", attached);
    free(attached);
    /* Unchecked, it is gone from the next version. */
    r = post_draft(cookie, "save", NULL, NULL, NULL);
    cr_assert_eq(r.status, 303, "%s", r.body);
    th_response_free(&r);
    attached = latest_attachments();
    cr_assert_str_eq(attached, "");
    free(attached);
}

Test(workspace_draft_form, a_file_of_a_type_not_allowed_is_refused_beside_the_file_field)
{
    char cookie[200];
    th_ws_sign_in(&server, "fp%40example.org", PASSWORD, cookie, sizeof cookie);
    uint64_t before = th_log_size_at(db_path);
    th_response r = post_draft(cookie, "save", NULL, "run.exe", "elf");
    cr_assert_geq(r.status, 400, "%ld %s", r.status, r.body);
    cr_assert(strstr(r.body, "id=\"file-problem\""), "%s", r.body);
    cr_assert(strstr(r.body, "A **new law** on terrorist financing</textarea>"), "the text is kept: %s", r.body);
    th_response_free(&r);
    cr_assert_eq(th_log_size_at(db_path), before);
}

Test(workspace_draft_form, a_post_after_the_session_ended_shows_the_text_back)
{
    char cookie[200];
    th_ws_sign_in(&server, "fp%40example.org", PASSWORD, cookie, sizeof cookie);
    char csrf[128], body[400];
    th_ws_csrf(&server, DASHBOARD "?provision=1", cookie, csrf, sizeof csrf);
    th_response r = th_call_with(&server, "POST", "/en/workspace/sign-out", TH_FORM, cookie,
                                 (snprintf(body, sizeof body, "csrf_token=%s", csrf), body));
    cr_assert_eq(r.status, 303, "%s", r.body);
    th_response_free(&r);
    uint64_t before = th_log_size_at(db_path);
    snprintf(body, sizeof body,
             "csrf_token=%s&provision=1&step=save&status=in_progress&narrative=Three+pages+of+careful+work", csrf);
    r = th_call_with(&server, "POST", DASHBOARD, TH_FORM, cookie, body);
    cr_assert_eq(r.status, 401, "%s", r.body);
    cr_assert(strstr(r.body, "readonly>Three pages of careful work</textarea>"), "%s", r.body);
    cr_assert(strstr(r.body, "action=\"/en/workspace/sign-in\""), "the sign-in form: %s", r.body);
    th_response_free(&r);
    cr_assert_eq(th_log_size_at(db_path), before);
}

Test(workspace_draft_form, provisions_without_recorded_text_say_so)
{
    char cookie[200];
    th_ws_sign_in(&server, "fp%40example.org", PASSWORD, cookie, sizeof cookie);
    th_response r = th_call_with(&server, "GET", DASHBOARD, cookie, NULL, NULL);
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_assert(strstr(r.body, "<em>text not recorded</em>"), "%s", r.body);
    cr_assert_null(strstr(r.body, "<span lang=\"en\" dir=\"ltr\"></span>"), "an empty title: %s", r.body);
    th_response_free(&r);
}

/* Posts 'csv' as the import form's file. */
static th_response post_import(const char *cookie, const char *csv)
{
    char csrf[128], url[256];
    th_ws_csrf(&server, DASHBOARD, cookie, csrf, sizeof csrf);
    buf b;
    buf_init(&b, 1 << 20);
    part(&b, "csrf_token", csrf);
    cr_assert_eq(buf_printf(&b,
                            "--" BOUNDARY "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"kaz.csv\"\r\n"
                            "Content-Type: text/csv\r\n\r\n%s\r\n--" BOUNDARY "--\r\n",
                            csv),
                 0);
    snprintf(url, sizeof url, "%s" DASHBOARD "/import", server.base);
    const char *headers[] = {"Content-Type: multipart/form-data; boundary=" BOUNDARY, cookie, NULL};
    th_response r;
    th_http(&r, "POST", url, headers, b.data, b.len);
    buf_free(&b);
    return r;
}

Test(workspace_draft_form, a_spreadsheet_with_a_bad_row_is_refused_by_line_and_column_with_nothing_saved)
{
    char cookie[200];
    th_ws_sign_in(&server, "fp%40example.org", PASSWORD, cookie, sizeof cookie);
    /* The template the dashboard links to answers the session. */
    th_response r = th_call_with(&server, "GET", DASHBOARD, cookie, NULL, NULL);
    cr_assert(strstr(r.body, "/api/v1/instruments/code-of-conduct/cycles/c1/template?party=KAZ&amp;format=csv"), "%s",
              r.body);
    th_response_free(&r);
    r = th_call_with(&server, "GET", "/api/v1/instruments/code-of-conduct/cycles/c1/template?party=KAZ&format=csv",
                     cookie, NULL, NULL);
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_assert(strstr(r.body, "provision"), "%s", r.body);
    th_response_free(&r);
    uint64_t before = th_log_size_at(db_path);
    const char *bad = "party,provision,status,narrative\r\n"
                      "KAZ,1,in_progress,A new law\r\n"
                      "KAZ,2,almost there,Another law\r\n";
    r = post_import(cookie, bad);
    cr_assert_eq(r.status, 422, "%ld %s", r.status, r.body);
    cr_assert(strstr(r.body, "id=\"import-caption\""), "%s", r.body);
    cr_assert(strstr(r.body, "<td><bdi dir=\"ltr\">3</bdi></td><td><bdi dir=\"ltr\">status</bdi></td>"),
              "line 3, column status: %s", r.body);
    th_response_free(&r);
    cr_assert_eq(th_log_size_at(db_path), before, "a refused import wrote to the log");
    r = post_import(cookie, "party,provision,status,narrative\r\nKAZ,1,in_progress,A new law\r\n"
                            "KAZ,2,planned,Another law\r\n");
    cr_assert_eq(r.status, 303, "%s", r.body);
    cr_assert(strstr(r.location, "done=imported"), "%s", r.location);
    th_response_free(&r);
    cr_assert_eq(th_log_size_at(db_path), before + 2);
}
