/* implementation-attachments: files uploaded for reports, over HTTP with
 * real accounts: typed by content, capped, stored once per content,
 * logged by hash as restricted events, private until a released report
 * lists them; and report narratives rendered as safe HTML. */
#include <criterion/criterion.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attachment/attachment.h"
#include "helpers.h"

static th_team team;

static void setup(void) { th_team_start(&team, NULL); }

static void teardown(void) { th_team_end(&team); }

TestSuite(attachments, .init = setup, .fini = teardown, .timeout = 120);

#define CYCLE "/api/v1/instruments/code-of-conduct/cycles/2026"

/* A request with 'token' (NULL: anonymous); 'type' is the Content-Type. */
static th_response call(const char *method, const char *path, const char *token, const char *type, const void *body,
                        size_t len)
{
    return th_call(&team.server, method, path, token, type, body, len);
}

static th_response post_json(const char *path, const char *token, const char *body)
{
    return call("POST", path, token, "application/json", body, strlen(body));
}

static long status_json(const char *path, const char *token, const char *body)
{
    return th_status(post_json(path, token, body));
}

static void open_cycle(void)
{
    cr_assert_eq(status_json("/api/v1/instruments/code-of-conduct/cycles", team.depositary,
                             "{\"code\":\"2026\",\"name\":\"First cycle\",\"opens_on\":\"2026-01-01\","
                             "\"due_on\":\"2026-12-31\"}"),
                 201);
}

/* Uploads 'len' bytes as 'party' under 'name' (URL-encoded by the caller). */
static th_response upload(const char *token, const char *party, const char *name, const void *bytes, size_t len)
{
    char path[512];
    snprintf(path, sizeof path, CYCLE "/attachments?party=%s&name=%s", party, name);
    /* The declared type is ignored: the content decides. */
    return call("POST", path, token, "application/octet-stream", bytes, len);
}

/* Uploads fixture 'kind' as KAZ; returns its hash (static buffer). */
static const char *upload_fixture(const char *kind, const char *name)
{
    static char hash[65];
    size_t len;
    unsigned char *bytes = th_fixture(kind, &len);
    th_response r = upload(team.kaz, "KAZ", name, bytes, len);
    cr_assert_eq(r.status, 201, "%s: %s", kind, r.body);
    snprintf(hash, sizeof hash, "%s", json_string_value(json_object_get(r.json, "sha256")));
    th_response_free(&r);
    free(bytes);
    return hash;
}

static int64_t count(const char *sql, const char *arg)
{
    store *s = th_open(team.db);
    store_stmt *st;
    cr_assert_eq(store_query(s, &st, sql, arg ? "s" : "", arg), 0);
    cr_assert_eq(store_step(st), STORE_ROW);
    int64_t n = store_col_int(st, 0);
    store_stmt_close(st);
    store_close(s);
    return n;
}

static uint64_t log_size(void)
{
    store *s = th_open(team.db);
    uint64_t n = th_log_size(s);
    store_close(s);
    return n;
}

static void sha256_hex(const void *bytes, size_t len, char out[65])
{
    unsigned char d[32];
    crypto_hash_sha256(d, bytes, len);
    sodium_bin2hex(out, 65, d, 32);
}

Test(attachments, a_focal_point_uploads_and_identical_bytes_are_stored_once)
{
    open_cycle();
    static const struct {
        const char *kind, *type;
    } files[] = {{"pdf", "application/pdf"}, {"png", "image/png"}};
    for (size_t i = 0; i < 2; i++) {
        size_t len;
        unsigned char *bytes = th_fixture(files[i].kind, &len);
        char want[65];
        sha256_hex(bytes, len, want);
        uint64_t before = log_size();
        th_response r = upload(team.kaz, "KAZ", "evidence.bin", bytes, len);
        cr_assert_eq(r.status, 201, "%s", r.body);
        cr_assert_str_eq(json_string_value(json_object_get(r.json, "sha256")), want);
        cr_assert_str_eq(json_string_value(json_object_get(r.json, "media_type")), files[i].type,
                         "typed by content, not by name or Content-Type");
        cr_assert_eq(json_integer_value(json_object_get(r.json, "size")), (json_int_t)len);
        cr_assert_eq(json_integer_value(json_object_get(r.json, "log_index")), (json_int_t)before);
        th_response_free(&r);
        /* The same bytes again, under another name: a second upload in
         * the log, but one stored copy. */
        r = upload(team.kaz, "KAZ", "copy.bin", bytes, len);
        cr_assert_eq(r.status, 201, "%s", r.body);
        cr_assert_str_eq(json_string_value(json_object_get(r.json, "sha256")), want);
        th_response_free(&r);
        cr_assert_eq(log_size(), before + 2);
        cr_assert_eq(count("SELECT count(*) FROM attachment_blob WHERE sha256 = ?", want), 1);
        cr_assert_eq(count("SELECT count(*) FROM report_upload WHERE sha256 = ?", want), 2);
        free(bytes);
    }
}

Test(attachments, the_log_names_who_uploaded_but_not_the_file)
{
    open_cycle();
    const char *hash = upload_fixture("pdf", "secret-plan.pdf");
    uint64_t index = log_size() - 1;
    char path[128];
    snprintf(path, sizeof path, "/api/v1/log/entries?start=%llu&count=1", (unsigned long long)index);
    th_response r = call("GET", path, NULL, NULL, NULL, 0);
    json_t *e = json_array_get(json_object_get(r.json, "entries"), 0);
    const char *entry = json_string_value(json_object_get(e, "entry"));
    cr_assert(strstr(entry, "\"type\":\"attachment.stored\""), "%s", entry);
    cr_assert_null(strstr(entry, hash), "the hash of a private file is not public");
    cr_assert_null(strstr(entry, "secret-plan"), "nor its name");
    json_t *pub = json_object_get(json_object_get(e, "event"), "restricted");
    cr_assert_str_eq(json_string_value(json_object_get(pub, "party")), "KAZ");
    cr_assert_str_eq(json_string_value(json_object_get(pub, "cycle")), "2026");
    th_response_free(&r);
    /* The party can reveal the entry: it names the file by hash only. */
    snprintf(path, sizeof path, "/api/v1/log/restricted/%llu", (unsigned long long)index);
    r = call("GET", path, team.kaz, NULL, NULL, 0);
    cr_assert_eq(r.status, 200, "%s", r.body);
    entry = json_string_value(json_object_get(r.json, "entry"));
    cr_assert(strstr(entry, hash) && strstr(entry, "\"media_type\":\"application/pdf\""), "%s", entry);
    cr_assert_null(strstr(entry, "%PDF"), "the bytes are not in the log");
    th_response_free(&r);
}

/* Refused uploads leave the log and the file store as they were. */
static void assert_refused(const char *token, const char *party, const char *name, const void *bytes, size_t len,
                           long want, const char *code)
{
    uint64_t before = log_size();
    int64_t files = count("SELECT count(*) FROM attachment_blob", NULL);
    th_response r = upload(token, party, name, bytes, len);
    cr_assert_eq(r.status, want, "%s", r.body);
    cr_assert_str_eq(th_error_code(&r), code, "%s", r.body);
    th_response_free(&r);
    cr_assert_eq(log_size(), before, "nothing logged");
    cr_assert_eq(count("SELECT count(*) FROM attachment_blob", NULL), files, "nothing stored");
}

Test(attachments, oversized_and_unknown_types_are_refused_and_leave_nothing)
{
    open_cycle();
    /* A PDF of exactly the cap is taken; one byte more is 413. */
    char *big = malloc(9 * 1024 * 1024);
    cr_assert_not_null(big);
    memset(big, ' ', 9 * 1024 * 1024);
    memcpy(big, "%PDF-1.4\n", 9);
    assert_refused(team.kaz, "KAZ", "huge.pdf", big, 9 * 1024 * 1024, 413, "too_large");
    assert_refused(team.kaz, "KAZ", "huge.pdf", big, ATTACHMENT_MAX_SIZE + 1, 413, "too_large");
    /* Access to an upload route is decided when the headers arrive,
     * before the body is read: nobody anonymous makes the server buffer
     * megabytes, or even the usual 64 KiB. */
    assert_refused(NULL, "KAZ", "full.pdf", big, 65 * 1024, 401, "unauthorized");
    th_response r = upload(team.kaz, "KAZ", "full.pdf", big, ATTACHMENT_MAX_SIZE);
    cr_assert_eq(r.status, 201, "exactly 8 MiB is allowed: %s", r.body);
    th_response_free(&r);
    free(big);

    static const char *const refused[] = {"elf", "html", "svg", "zip", "json"};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        size_t len;
        unsigned char *bytes = th_fixture(refused[i], &len);
        /* Named and declared as a PDF: the content still decides. */
        assert_refused(team.kaz, "KAZ", "report.pdf", bytes, len, 415, "unsupported_media_type");
        free(bytes);
    }
    assert_refused(team.kaz, "KAZ", "empty.txt", "", 0, 400, "invalid");
}

Test(attachments, only_the_partys_focal_point_uploads_with_a_safe_name)
{
    open_cycle();
    size_t len;
    unsigned char *pdf = th_fixture("pdf", &len);
    assert_refused(team.tur, "KAZ", "law.pdf", pdf, len, 403, "forbidden");
    assert_refused(NULL, "KAZ", "law.pdf", pdf, len, 401, "unauthorized");
    assert_refused(team.depositary, "KAZ", "law.pdf", pdf, len, 403, "forbidden");
    assert_refused(team.admin, "KAZ", "law.pdf", pdf, len, 403, "forbidden");
    assert_refused(team.kaz, "KAZ", "..%2Fetc%2Fpasswd", pdf, len, 400, "invalid");
    assert_refused(team.kaz, "KAZ", "a%22b.pdf", pdf, len, 400, "invalid");
    assert_refused(team.kaz, "KAZ", "a%0Ab.pdf", pdf, len, 400, "invalid");
    assert_refused(team.kaz, "KAZ", "", pdf, len, 400, "invalid");
    /* A right-to-left override: "\u202Egnp.exe" would show as "exe.png". */
    assert_refused(team.kaz, "KAZ", "%E2%80%AEgnp.exe", pdf, len, 400, "invalid");
    assert_refused(team.kaz, "KAZ", "law%E2%81%A7.pdf", pdf, len, 400, "invalid"); /* U+2067 */
    assert_refused(team.kaz, "KAZ", "law%C2%85.pdf", pdf, len, 400, "invalid");    /* U+0085, a C1 control */
    th_response bidi = upload(team.kaz, "KAZ", "%E2%80%AEgnp.exe", pdf, len);
    cr_assert(strstr(bidi.body, "U+202E") && strstr(bidi.body, "bidirectional"), "%s", bidi.body);
    th_response_free(&bidi);
    /* Only participants report: Turkmenistan has no recorded signature. */
    char tkm[64];
    th_make_user(team.dir, team.db, "tkm@example.org", "focal_point", "TKM", tkm);
    assert_refused(tkm, "TKM", "law.pdf", pdf, len, 422, "rule_violated");
    char path[256];
    snprintf(path, sizeof path, "/api/v1/instruments/code-of-conduct/cycles/2030/attachments?party=KAZ&name=a.pdf");
    int64_t files = count("SELECT count(*) FROM attachment_blob", NULL);
    th_response r = call("POST", path, team.kaz, "application/pdf", pdf, len);
    cr_assert_eq(r.status, 404, "no such cycle: %s", r.body);
    th_response_free(&r);
    cr_assert_eq(count("SELECT count(*) FROM attachment_blob", NULL), files, "the refused event's file is undone");
    free(pdf);
}

#define REPORTS CYCLE "/reports"

static long draft_with(const char *attachments, th_response *out)
{
    char body[4096];
    snprintf(body, sizeof body,
             "{\"party\":\"KAZ\",\"provision\":5,\"status\":\"in_progress\",\"narrative\":\"See the law.\","
             "\"attachments\":%s}",
             attachments);
    th_response r = post_json(REPORTS, team.kaz, body);
    long s = r.status;
    if (out)
        *out = r;
    else
        th_response_free(&r);
    return s;
}

Test(attachments, drafts_name_only_the_partys_own_uploads)
{
    open_cycle();
    char mine[65], theirs[65], body[512];
    snprintf(mine, sizeof mine, "%s", upload_fixture("pdf", "law.pdf"));
    /* Türkiye uploads a file of its own. */
    size_t len;
    unsigned char *png = th_fixture("png", &len);
    th_response r = upload(team.tur, "TUR", "photo.png", png, len);
    cr_assert_eq(r.status, 201, "%s", r.body);
    snprintf(theirs, sizeof theirs, "%s", json_string_value(json_object_get(r.json, "sha256")));
    th_response_free(&r);
    free(png);

    uint64_t before = log_size();
    /* Another party's file and an unknown one get the same answer. */
    snprintf(body, sizeof body, "[{\"sha256\":\"%s\",\"name\":\"photo.png\"}]", theirs);
    cr_assert_eq(draft_with(body, &r), 422);
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(r.json, "error"), "field")),
                     "attachments[0].sha256");
    cr_assert(strstr(r.body, "KAZ has uploaded no file"), "%s", r.body);
    th_response_free(&r);
    cr_assert_eq(draft_with("[{\"sha256\":\"0000000000000000000000000000000000000000000000000000000000000000\"}]",
                            NULL),
                 422);
    cr_assert_eq(draft_with("[{\"sha256\":\"not-a-hash\"}]", NULL), 400);
    cr_assert_eq(draft_with("[{\"sha256\":\"ABCDEF\"}]", NULL), 400);
    snprintf(body, sizeof body, "[{\"sha256\":\"%s\",\"size\":1}]", mine);
    cr_assert_eq(draft_with(body, NULL), 400, "the type and size are the server's to say");
    snprintf(body, sizeof body, "[{\"sha256\":\"%s\"},{\"sha256\":\"%s\"}]", mine, mine);
    cr_assert_eq(draft_with(body, NULL), 400, "the same file twice");
    snprintf(body, sizeof body, "[{\"sha256\":\"%s\",\"name\":\"a/b.pdf\"}]", mine);
    cr_assert_eq(draft_with(body, NULL), 400, "names follow the upload rules");
    cr_assert_eq(draft_with("{}", NULL), 400);
    char many[4096] = "[";
    for (int i = 0; i <= 20; i++)
        snprintf(many + strlen(many), sizeof many - strlen(many), "%s{\"sha256\":\"%s\"}", i ? "," : "", mine);
    strcat(many, "]");
    cr_assert_eq(draft_with(many, NULL), 400, "at most 20 attachments");
    cr_assert_eq(log_size(), before, "refused drafts leave no trace");

    /* The party's own file: the draft gets its type, size and name. */
    snprintf(body, sizeof body, "[{\"sha256\":\"%s\"}]", mine);
    cr_assert_eq(draft_with(body, &r), 201, "%s", r.body);
    th_response_free(&r);
    r = call("GET", REPORTS "/KAZ", team.kaz, NULL, NULL, 0);
    json_t *a = json_array_get(json_object_get(json_array_get(json_object_get(r.json, "drafts"), 0), "attachments"), 0);
    cr_assert_str_eq(json_string_value(json_object_get(a, "sha256")), mine);
    cr_assert_str_eq(json_string_value(json_object_get(a, "name")), "law.pdf", "the uploaded name by default");
    cr_assert_str_eq(json_string_value(json_object_get(a, "media_type")), "application/pdf");
    cr_assert_gt(json_integer_value(json_object_get(a, "size")), 0);
    th_response_free(&r);
}

/* GETs /api/v1/attachments/<hash><query> as 'token'. */
static th_response download(const char *hash, const char *query, const char *token)
{
    char path[256];
    snprintf(path, sizeof path, "/api/v1/attachments/%s%s", hash, query ? query : "");
    return call("GET", path, token, NULL, NULL, 0);
}

static long download_status(const char *hash, const char *query, const char *token)
{
    return th_status(download(hash, query, token));
}

static void release(void)
{
    const char *which = "{\"party\":\"KAZ\",\"provision\":5}";
    cr_assert_eq(status_json(CYCLE "/submissions", team.kaz, which), 201);
    cr_assert_eq(status_json(CYCLE "/releases", team.kaz, which), 201);
}

Test(attachments, files_are_private_until_a_released_report_lists_them)
{
    open_cycle();
    size_t len;
    unsigned char *pdf = th_fixture("pdf", &len);
    th_response r = upload(team.kaz, "KAZ", "%D0%97%D0%B0%D0%BA%D0%BE%D0%BD%205.pdf", pdf, len); /* "Закон 5.pdf" */
    cr_assert_eq(r.status, 201, "%s", r.body);
    char hash[65];
    snprintf(hash, sizeof hash, "%s", json_string_value(json_object_get(r.json, "sha256")));
    th_response_free(&r);

    /* Before release: the uploading party (naming itself), an admin or
     * a reviewer; nobody else, and nothing tells them whether it exists. */
    cr_assert_eq(download_status(hash, NULL, NULL), 401);
    cr_assert_eq(download_status("0000000000000000000000000000000000000000000000000000000000000000", NULL, NULL), 401,
                 "an unknown file looks like a private one");
    cr_assert_eq(download_status(hash, "?party=KAZ", team.tur), 403);
    cr_assert_eq(download_status(hash, "?party=TUR", team.tur), 404, "Türkiye did not upload it");
    cr_assert_eq(download_status(hash, "?party=KAZ", team.depositary), 403);
    cr_assert_eq(download_status(hash, NULL, team.kaz), 400, "a focal point names its party");
    cr_assert_eq(download_status("0000000000000000000000000000000000000000000000000000000000000000", "?party=KAZ", team.kaz),
                 404);
    cr_assert_eq(download_status("not-a-hash", "?party=KAZ", team.kaz), 404);
    cr_assert_eq(download_status(hash, NULL, team.admin), 200);
    cr_assert_eq(download_status(hash, NULL, team.reviewer), 200);
    r = download(hash, "?party=KAZ", team.kaz);
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_assert_eq(r.len, len);
    cr_assert_eq(memcmp(r.body, pdf, len), 0, "the exact bytes");
    cr_assert_str_eq(r.content_type, "application/pdf");
    cr_assert(r.nosniff);
    cr_assert_str_eq(r.cache_control, "private, no-store");
    cr_assert_str_eq(r.content_disposition,
                     "attachment; filename=\"_____ 5.pdf\"; filename*=UTF-8''%D0%97%D0%B0%D0%BA%D0%BE%D0%BD%205.pdf");
    th_response_free(&r);

    /* Drafted, submitted: still private. Released: anyone. */
    char body[256];
    snprintf(body, sizeof body, "[{\"sha256\":\"%s\",\"name\":\"law-5.pdf\"}]", hash);
    cr_assert_eq(draft_with(body, NULL), 201);
    cr_assert_eq(status_json(CYCLE "/submissions", team.kaz, "{\"party\":\"KAZ\",\"provision\":5}"), 201);
    cr_assert_eq(download_status(hash, NULL, NULL), 401, "submitted is not released");
    cr_assert_eq(status_json(CYCLE "/releases", team.kaz, "{\"party\":\"KAZ\",\"provision\":5}"), 201);
    r = download(hash, NULL, NULL);
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_assert_eq(r.len, len);
    cr_assert_eq(memcmp(r.body, pdf, len), 0);
    cr_assert_str_eq(r.content_type, "application/pdf");
    cr_assert(r.nosniff);
    cr_assert_str_eq(r.cache_control, "public, max-age=31536000, immutable");
    cr_assert_str_eq(r.content_disposition, "attachment; filename=\"law-5.pdf\"; filename*=UTF-8''law-5.pdf",
                     "the name it was released under");
    th_response_free(&r);
    cr_assert_eq(download_status(hash, "?party=TUR", team.tur), 200, "public to every caller");
    th_response h = call("HEAD", "/api/v1/attachments/x", NULL, NULL, NULL, 0);
    cr_assert_eq(h.status, 401);
    th_response_free(&h);

    /* The released report lists the file publicly. */
    r = call("GET", CYCLE "/published", NULL, NULL, NULL, 0);
    json_t *report = json_object_get(json_array_get(json_object_get(r.json, "reports"), 0), "report");
    json_t *a = json_array_get(json_object_get(report, "attachments"), 0);
    cr_assert_str_eq(json_string_value(json_object_get(a, "sha256")), hash);
    cr_assert_str_eq(json_string_value(json_object_get(a, "name")), "law-5.pdf");
    cr_assert_str_eq(json_string_value(json_object_get(a, "media_type")), "application/pdf");
    cr_assert_eq(json_integer_value(json_object_get(a, "size")), (json_int_t)len);
    th_response_free(&r);
    free(pdf);
}

/* libmagic goes by the first bytes: "%PDF" then HTML is a PDF to it. That
 * is accepted because a download is never rendered in the page: it comes
 * as an attachment, with its stored type and nosniff, so a browser saves
 * it rather than running the HTML. */
Test(attachments, a_pdf_html_polyglot_is_served_only_as_a_download)
{
    open_cycle();
    static const char polyglot[] = "%PDF-1.4\n<html><body><script>alert(document.cookie)</script></body></html>\n";
    th_response r = upload(team.kaz, "KAZ", "page.html", polyglot, sizeof polyglot - 1);
    cr_assert_eq(r.status, 201, "%s", r.body);
    cr_assert_str_eq(json_string_value(json_object_get(r.json, "media_type")), "application/pdf", "%s", r.body);
    char hash[65];
    snprintf(hash, sizeof hash, "%s", json_string_value(json_object_get(r.json, "sha256")));
    th_response_free(&r);
    r = download(hash, "?party=KAZ", team.kaz);
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_assert_str_eq(r.content_type, "application/pdf", "the stored type, never text/html");
    cr_assert(r.nosniff, "X-Content-Type-Options: nosniff, so the browser does not guess HTML");
    cr_assert(strncmp(r.content_disposition, "attachment;", 11) == 0, "%s", r.content_disposition);
    cr_assert(r.csp, "and a Content-Security-Policy in case it is opened anyway");
    th_response_free(&r);
}

Test(attachments, replay_rebuilds_public_state_without_the_files)
{
    open_cycle();
    const char *hash = upload_fixture("docx", "measures.docx");
    char body[256];
    snprintf(body, sizeof body, "[{\"sha256\":\"%s\"}]", hash);
    cr_assert_eq(draft_with(body, NULL), 201);
    release();
    char replayed[512];
    snprintf(replayed, sizeof replayed, "%s/replayed.db", team.dir);
    store *b = th_replay_matches(&team.server, team.db, replayed,
                                 "public tables (attachments of released reports included) and log are identical");
    static const char *const counts[] = {"SELECT count(*) FROM report_attachment", "SELECT count(*) FROM attachment_blob",
                                         "SELECT count(*) FROM report_upload"};
    static const int64_t want[] = {1, 0, 0}; /* the list is public; files and uploads are not */
    for (int i = 0; i < 3; i++) {
        store_stmt *st;
        cr_assert_eq(store_query(b, &st, counts[i], ""), 0);
        cr_assert_eq(store_step(st), STORE_ROW);
        cr_assert_eq(store_col_int(st, 0), want[i], "%s", counts[i]);
        store_stmt_close(st);
    }
    store_close(b);
}

Test(attachments, narratives_come_with_safe_html)
{
    open_cycle();
    const char *body = "{\"party\":\"KAZ\",\"provision\":5,\"status\":\"in_progress\","
                       "\"narrative\":\"## Measures\\n\\n- a law\\n- [its text](https://example.org/law)\\n\\n"
                       "Text <script>alert(1)</script> <img src=x onerror=alert(1)> [x](javascript:alert(1))\","
                       "\"measures\":\"*Law* <iframe src=https://evil.example></iframe>\","
                       "\"assistance_needs\":\"[training](vbscript:msgbox)\"}";
    cr_assert_eq(status_json(REPORTS, team.kaz, body), 201);
    static const char *const want = "<h2>Measures</h2>\n<ul>\n<li>a law</li>\n"
                                    "<li><a href=\"https://example.org/law\">its text</a></li>\n</ul>\n"
                                    "<p>Text <!-- raw HTML omitted -->alert(1)<!-- raw HTML omitted --> "
                                    "<!-- raw HTML omitted --> <a href=\"\">x</a></p>\n";
    th_response r = call("GET", REPORTS "/KAZ", team.kaz, NULL, NULL, 0);
    json_t *d = json_array_get(json_object_get(r.json, "drafts"), 0);
    cr_assert(strstr(json_string_value(json_object_get(d, "narrative")), "<script>"), "the source is kept as written");
    cr_assert_str_eq(json_string_value(json_object_get(d, "narrative_html")), want);
    cr_assert_str_eq(json_string_value(json_object_get(d, "measures_html")),
                     "<p><em>Law</em> <!-- raw HTML omitted --><!-- raw HTML omitted --></p>\n");
    cr_assert_str_eq(json_string_value(json_object_get(d, "assistance_needs_html")), "<p><a href=\"\">training</a></p>\n");
    th_response_free(&r);
    release();
    r = call("GET", CYCLE "/published", NULL, NULL, NULL, 0);
    json_t *report = json_object_get(json_array_get(json_object_get(r.json, "reports"), 0), "report");
    cr_assert_str_eq(json_string_value(json_object_get(report, "narrative_html")), want);
    th_response_free(&r);
    /* The log holds the text as written: the HTML is a rendering. */
    r = call("GET", "/api/v1/log/entries?start=0&count=1000", NULL, NULL, NULL, 0);
    cr_assert_null(strstr(r.body, "raw HTML omitted"));
    th_response_free(&r);
}
