/* Integration tests of the HTTP API (src/http/), end to end.
 *
 * Every test gets a fresh temporary directory, a database made by the real
 * `accord init` and `accord load data/code-of-conduct.json`, and the real
 * server on a free port; it talks HTTP to it with libcurl. Expectations
 * come from the acceptance checks and from the dataset file
 * itself (signers, sources, provision titles), never from the server's
 * own output, so a regression in either the loader or the views shows.
 *
 * Suites:
 *   api_status     status as at a date (the "done when" checks)
 *   api_groups     group coverage and names as at a date
 *   api_cli        the CLI and the API give the same status
 *   api_errors     every error class: status, body shape, nothing written
 *   api_http       HTTP protocol duties of error responses (RFC 9110)
 *   api_write      recording actions: notifications, log, status
 *   api_cache      ETag and conditional GET
 *   api_endpoints  the remaining read endpoints and common headers
 *
 * Actions the tests record live only in the temporary database and cite a
 * test-only source, so nothing here reads as a fact about the Code. */
#include <criterion/criterion.h>
#include <curl/curl.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "helpers.h"
#include "http/http.h"
#include "util/clock.h"
#include "util/date.h"

#define SLUG "code-of-conduct"
#define INSTRUMENT "/api/v1/instruments/" SLUG
#define STATUS_AT INSTRUMENT "/status?as_of="
#define ACTIONS INSTRUMENT "/actions"
#define TEST_SOURCE "test fixture (not a real source)"
#define NEW_NAME_TURKIC "Organization of Turkic States"

/* ---------------------------------------------------------------------------
 * Fixture: one database and one server per test
 * ------------------------------------------------------------------------- */

static struct {
    char *dir;
    char *db_path;
    char token[64];
    th_server server;
    store *db;        /* our own connection, to count and digest the tables */
    json_t *dataset;  /* data/code-of-conduct.json, loaded on first use */
} fx;

static void fixture_start(void)
{
    cr_assert_eq(curl_global_init(CURL_GLOBAL_DEFAULT), CURLE_OK);
    cr_assert(sodium_init() >= 0);
    fx.dir = th_tempdir();
    fx.db_path = th_make_db(fx.dir, true, fx.token);
    cr_assert_str_not_empty(fx.token, "accord init wrote no admin token");
    th_server_start(&fx.server, fx.db_path);
    fx.db = th_open(fx.db_path);
}

static void fixture_stop(void)
{
    store_close(fx.db);
    th_server_stop(&fx.server);
    th_rmtree(fx.dir);
    free(fx.dir);
    free(fx.db_path);
    json_decref(fx.dataset);
    memset(&fx, 0, sizeof fx);
    curl_global_cleanup();
}

TestSuite(api_status, .init = fixture_start, .fini = fixture_stop);
TestSuite(api_groups, .init = fixture_start, .fini = fixture_stop);
TestSuite(api_cli, .init = fixture_start, .fini = fixture_stop);
TestSuite(api_errors, .init = fixture_start, .fini = fixture_stop);
TestSuite(api_http, .init = fixture_start, .fini = fixture_stop);
TestSuite(api_write, .init = fixture_start, .fini = fixture_stop);
TestSuite(api_cache, .init = fixture_start, .fini = fixture_stop);
TestSuite(api_endpoints, .init = fixture_start, .fini = fixture_stop);

/* ---------------------------------------------------------------------------
 * HTTP: th_http plus every response header, which th_http drops
 * ------------------------------------------------------------------------- */

typedef struct api_resp {
    long status;
    char *body; /* NUL-terminated */
    size_t len;
    char content_type[128];
    char *headers; /* the header block of the final response, raw */
    size_t headers_len;
    json_t *json; /* parsed body when it is JSON, else NULL */
} api_resp;

typedef struct grow {
    char *data;
    size_t len;
} grow;

static void grow_add(grow *g, const char *p, size_t n)
{
    char *data = realloc(g->data, g->len + n + 1);
    cr_assert_not_null(data);
    g->data = data;
    memcpy(g->data + g->len, p, n);
    g->len += n;
    g->data[g->len] = '\0';
}

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
    grow_add(arg, p, size * n);
    return size * n;
}

/* Keeps only the last response's headers: a status line starts anew. */
static size_t on_header(char *p, size_t size, size_t n, void *arg)
{
    grow *g = arg;
    if (size * n >= 5 && strncmp(p, "HTTP/", 5) == 0)
        g->len = 0;
    grow_add(g, p, size * n);
    return size * n;
}

/* The value of response header 'name' (case-insensitive) copied into
 * 'out', or false when the response has none. */
static bool resp_header(const api_resp *r, const char *name, char *out, size_t outlen)
{
    size_t nl = strlen(name);
    for (const char *line = r->headers; line && *line;) {
        size_t ll = strcspn(line, "\r\n");
        if (ll > nl && strncasecmp(line, name, nl) == 0 && line[nl] == ':') {
            const char *v = line + nl + 1;
            while (*v == ' ' || *v == '\t')
                v++;
            size_t vl = (size_t)(line + ll - v);
            while (vl && (v[vl - 1] == ' ' || v[vl - 1] == '\t'))
                vl--;
            snprintf(out, outlen, "%.*s", (int)vl, v);
            return true;
        }
        line += ll;
        line += strspn(line, "\r\n");
    }
    return false;
}

/* Every response, whatever its status, must carry these two headers: a
 * browser must neither sniff a JSON error into HTML nor frame the site. */
static void assert_security_headers(const api_resp *r, const char *method, const char *path)
{
    char v[128];
    cr_assert(resp_header(r, "X-Content-Type-Options", v, sizeof v),
              "%s %s (%ld): no X-Content-Type-Options header", method, path, r->status);
    cr_assert_str_eq(v, "nosniff", "%s %s: X-Content-Type-Options", method, path);
    cr_assert(resp_header(r, "X-Frame-Options", v, sizeof v), "%s %s (%ld): no X-Frame-Options header", method, path,
              r->status);
    cr_assert_str_eq(v, "DENY", "%s %s: X-Frame-Options", method, path);
}

/* One request in flight: the curl handle and what it collects. Kept
 * apart from api_request so that several can run at once (curl multi). */
typedef struct exchange {
    CURL *easy;
    struct curl_slist *headers;
    grow body, head;
    char method[16];
    char path[1024];
} exchange;

/* Prepares 'method' 'path' (relative to the server) with NULL-terminated
 * 'headers' and an optional body, which must outlive the exchange. */
static void exchange_init(exchange *x, const char *method, const char *path, const char *const *headers,
                          const char *body, size_t body_len)
{
    memset(x, 0, sizeof *x);
    snprintf(x->method, sizeof x->method, "%s", method);
    snprintf(x->path, sizeof x->path, "%s", path);
    char url[2048];
    snprintf(url, sizeof url, "%s%s", fx.server.base, path);
    x->easy = curl_easy_init();
    cr_assert_not_null(x->easy);
    x->body = (grow){calloc(1, 1), 0};
    x->head = (grow){calloc(1, 1), 0};
    for (const char *const *h = headers; h && *h; h++)
        x->headers = curl_slist_append(x->headers, *h);
    x->headers = curl_slist_append(x->headers, "Expect:"); /* no 100-continue round trip */
    CURL *c = x->easy;
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, x->headers);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &x->body);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &x->head);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    if (strcmp(method, "HEAD") == 0)
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
    }
}

/* Moves the finished exchange's outcome into '*r' (free with resp_free)
 * and releases the exchange. */
static void exchange_finish(exchange *x, CURLcode rc, api_resp *r)
{
    memset(r, 0, sizeof *r);
    cr_assert_eq(rc, CURLE_OK, "%s %s: %s", x->method, x->path, curl_easy_strerror(rc));
    curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &r->status);
    char *ct = NULL;
    curl_easy_getinfo(x->easy, CURLINFO_CONTENT_TYPE, &ct);
    snprintf(r->content_type, sizeof r->content_type, "%s", ct ? ct : "");
    r->body = x->body.data;
    r->len = x->body.len;
    r->headers = x->head.data;
    r->headers_len = x->head.len;
    if (strncmp(r->content_type, "application/json", 16) == 0)
        r->json = json_loadb(r->body, r->len, 0, NULL);
    curl_slist_free_all(x->headers);
    curl_easy_cleanup(x->easy);
    assert_security_headers(r, x->method, x->path);
}

/* Sends 'method' 'path' (relative to the server) with NULL-terminated
 * 'headers' and an optional body; fills '*r' (free with resp_free). */
static void api_request(api_resp *r, const char *method, const char *path, const char *const *headers,
                        const char *body, size_t body_len)
{
    exchange x;
    exchange_init(&x, method, path, headers, body, body_len);
    exchange_finish(&x, curl_easy_perform(x.easy), r);
}

static void resp_free(api_resp *r)
{
    free(r->body);
    free(r->headers);
    json_decref(r->json);
    memset(r, 0, sizeof *r);
}

static void api_get(api_resp *r, const char *path)
{
    api_request(r, "GET", path, NULL, NULL, 0);
}

/* GET 'path', which must answer 200 with JSON; returns the JSON (caller
 * decrefs). */
static json_t *get_json(const char *path)
{
    api_resp r;
    api_get(&r, path);
    cr_assert_eq(r.status, 200, "GET %s: status %ld, body %s", path, r.status, r.body);
    cr_assert_not_null(r.json, "GET %s: not JSON (Content-Type '%s')", path, r.content_type);
    json_t *v = json_incref(r.json);
    resp_free(&r);
    return v;
}

static json_t *get_status(const char *as_of)
{
    char path[256];
    snprintf(path, sizeof path, STATUS_AT "%s", as_of);
    return get_json(path);
}

/* POSTs 'body' (JSON text) to 'path' as application/json with the admin
 * token. */
static void post_text(api_resp *r, const char *path, const char *body, size_t len)
{
    char auth[128];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", fx.token);
    const char *headers[] = {auth, "Content-Type: application/json", NULL};
    api_request(r, "POST", path, headers, body, len);
}

/* POSTs the action 'body' to the instrument's actions (takes 'body'). */
static void post_action(api_resp *r, json_t *body)
{
    char *text = json_dumps(body, JSON_COMPACT);
    cr_assert_not_null(text);
    post_text(r, ACTIONS, text, strlen(text));
    free(text);
    json_decref(body);
}

/* A well-formed action citing the test-only source (caller owns it). */
static json_t *test_action(const char *party, const char *type, const char *date)
{
    json_t *a = json_pack("{s:s, s:s, s:s, s:{s:s}}", "party", party, "type", type, "date", date, "source", "title",
                          TEST_SOURCE);
    cr_assert_not_null(a);
    return a;
}

/* Records an action that must succeed; returns the 201 body (caller
 * decrefs). */
static json_t *record_ok(const char *party, const char *type, const char *date)
{
    api_resp r;
    post_action(&r, test_action(party, type, date));
    cr_assert_eq(r.status, 201, "recording %s %s %s: status %ld, body %s", party, type, date, r.status, r.body);
    cr_assert_not_null(r.json);
    json_t *v = json_incref(r.json);
    resp_free(&r);
    return v;
}

/* ---------------------------------------------------------------------------
 * State: a rejected request must leave the log and every table untouched
 * ------------------------------------------------------------------------- */

typedef struct snapshot {
    uint64_t log_size;
    char digest[65];
} snapshot;

static snapshot take_snapshot(void)
{
    snapshot s;
    s.log_size = th_log_size(fx.db);
    th_state_digest(fx.db, s.digest);
    return s;
}

static void assert_unchanged(const snapshot *before, const char *what)
{
    snapshot now = take_snapshot();
    cr_assert_eq(now.log_size, before->log_size, "%s: the log grew from %llu to %llu", what,
                 (unsigned long long)before->log_size, (unsigned long long)now.log_size);
    cr_assert_str_eq(now.digest, before->digest, "%s: the public tables changed", what);
}

/* ---------------------------------------------------------------------------
 * JSON helpers
 * ------------------------------------------------------------------------- */

static const char *jstr(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/* The party code an element stands for: element.party.code (actions,
 * participants), element.party (notifications), element.code (parties,
 * members) or the element itself when it is a string. */
static const char *party_code(const json_t *e)
{
    if (json_is_string(e))
        return json_string_value(e);
    json_t *p = json_object_get(e, "party");
    if (json_is_object(p))
        return jstr(p, "code");
    if (json_is_string(p))
        return json_string_value(p);
    return jstr(e, "code");
}

/* The element of array 'arr' for party 'code', or NULL (borrowed). */
static json_t *find_party(const json_t *arr, const char *code)
{
    size_t i;
    json_t *e;
    json_array_foreach(arr, i, e)
    {
        const char *c = party_code(e);
        if (c && strcmp(c, code) == 0)
            return e;
    }
    return NULL;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Joins 'n' strings sorted, with commas: sets compare as strings and a
 * failure prints both sides readably. Caller frees. */
static char *join_sorted(const char **items, size_t n)
{
    qsort(items, n, sizeof *items, cmp_str);
    size_t len = 1;
    for (size_t i = 0; i < n; i++)
        len += strlen(items[i]) + 1;
    char *s = calloc(1, len);
    cr_assert_not_null(s);
    for (size_t i = 0; i < n; i++) {
        if (i)
            strcat(s, ",");
        strcat(s, items[i]);
    }
    return s;
}

/* The set of party codes in 'arr' as a sorted, comma-joined string. */
static char *code_set(const json_t *arr)
{
    cr_assert(json_is_array(arr), "expected an array of parties");
    size_t n = json_array_size(arr);
    const char **items = calloc(n + 1, sizeof *items);
    cr_assert_not_null(items);
    for (size_t i = 0; i < n; i++) {
        items[i] = party_code(json_array_get(arr, i));
        cr_assert_not_null(items[i], "element %zu of the array names no party", i);
    }
    char *s = join_sorted(items, n);
    free(items);
    return s;
}

static void assert_code_set(const json_t *arr, const char *const *want, const char *what)
{
    size_t n = 0;
    while (want[n])
        n++;
    const char **copy = calloc(n + 1, sizeof *copy);
    cr_assert_not_null(copy);
    memcpy(copy, want, n * sizeof *copy);
    char *expected = join_sorted(copy, n), *got = code_set(arr);
    cr_assert_str_eq(got, expected, "%s", what);
    free(copy);
    free(expected);
    free(got);
}

static json_int_t jint_at(const json_t *root, const char *a, const char *b, const char *c)
{
    json_t *v = json_object_get(root, a);
    if (b)
        v = json_object_get(v, b);
    if (c)
        v = json_object_get(v, c);
    cr_assert(json_is_integer(v), "%s.%s.%s is not an integer", a, b ? b : "", c ? c : "");
    return json_integer_value(v);
}

/* ---------------------------------------------------------------------------
 * The dataset file: what the loaded database must say
 * ------------------------------------------------------------------------- */

static json_t *dataset(void)
{
    if (!fx.dataset) {
        json_error_t err;
        fx.dataset = json_load_file(th_source_path("data/code-of-conduct.json"), 0, &err);
        cr_assert_not_null(fx.dataset, "data/code-of-conduct.json: %s", err.text);
    }
    return fx.dataset;
}

static json_t *dataset_instrument(void)
{
    json_t *inst = json_array_get(json_object_get(dataset(), "instruments"), 0);
    cr_assert_str_eq(jstr(inst, "slug"), SLUG);
    return inst;
}

/* The dataset's action of 'type' by 'party' (borrowed), which must exist. */
static json_t *dataset_action(const char *party, const char *type)
{
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(dataset_instrument(), "actions"), i, a)
    {
        if (strcmp(jstr(a, "party"), party) == 0 && strcmp(jstr(a, "type"), type) == 0)
            return a;
    }
    cr_assert_fail("the dataset has no %s by %s", type, party);
    return NULL;
}

/* The dataset's source object cited by key 'key' (borrowed). */
static json_t *dataset_source(const char *key)
{
    json_t *s = json_object_get(json_object_get(dataset(), "sources"), key);
    cr_assert(json_is_object(s), "the dataset has no source '%s'", key);
    return s;
}

/* ---------------------------------------------------------------------------
 * Dates
 * ------------------------------------------------------------------------- */

/* The UTC date 'days' from now, "YYYY-MM-DD". */
static void utc_date(int days, char out[11])
{
    char ts[21];
    date_format_rfc3339(clock_now() + (int64_t)days * 86400, ts);
    memcpy(out, ts, 10);
    out[10] = '\0';
}

/* ---------------------------------------------------------------------------
 * Errors
 * ------------------------------------------------------------------------- */

/* Checks an error response: 'status', a JSON body that is exactly
 * {"error": {"code", "message"[, "field"]}}, the given machine-readable
 * 'code', and 'field' when it is not NULL. */
static void assert_error(const api_resp *r, long status, const char *code, const char *field, const char *what)
{
    cr_assert_eq(r->status, status, "%s: status %ld, want %ld; body %s", what, r->status, status, r->body);
    cr_assert(strncmp(r->content_type, "application/json", 16) == 0, "%s: error Content-Type is '%s'", what,
              r->content_type);
    cr_assert(json_is_object(r->json), "%s: error body is not a JSON object: %s", what, r->body);
    cr_assert_eq(json_object_size(r->json), 1, "%s: error body has keys besides \"error\": %s", what, r->body);
    json_t *e = json_object_get(r->json, "error");
    cr_assert(json_is_object(e), "%s: no \"error\" object: %s", what, r->body);
    const char *k;
    json_t *v;
    json_object_foreach(e, k, v)
    {
        cr_assert(strcmp(k, "code") == 0 || strcmp(k, "message") == 0 || strcmp(k, "field") == 0,
                  "%s: unexpected key error.%s", what, k);
        cr_assert(json_is_string(v) && json_string_length(v) > 0, "%s: error.%s is not a non-empty string", what, k);
    }
    cr_assert_str_eq(jstr(e, "code") ? jstr(e, "code") : "(none)", code, "%s: error.code", what);
    cr_assert_not_null(jstr(e, "message"), "%s: no error.message", what);
    if (field)
        cr_assert_str_eq(jstr(e, "field") ? jstr(e, "field") : "(none)", field, "%s: error.field", what);
}

/* Sends a request that must be refused with 'status'/'code'/'field' and
 * must change nothing. */
static void expect_refused(const char *method, const char *path, const char *const *headers, const char *body,
                           size_t len, long status, const char *code, const char *field)
{
    char what[512];
    snprintf(what, sizeof what, "%s %s", method, path);
    snapshot before = take_snapshot();
    api_resp r;
    api_request(&r, method, path, headers, body, len);
    assert_error(&r, status, code, field, what);
    resp_free(&r);
    assert_unchanged(&before, what);
}

/* The same for a POST of JSON text with the admin token. */
static void expect_post_refused(const char *path, const char *body, size_t len, long status, const char *code,
                                const char *field)
{
    char auth[128];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", fx.token);
    const char *headers[] = {auth, "Content-Type: application/json", NULL};
    expect_refused("POST", path, headers, body, len, status, code, field);
}

/* The same for an action object (takes 'body'). */
static void expect_action_refused(json_t *body, long status, const char *code, const char *field)
{
    char *text = json_dumps(body, JSON_COMPACT);
    cr_assert_not_null(text);
    expect_post_refused(ACTIONS, text, strlen(text), status, code, field);
    free(text);
    json_decref(body);
}

/* ===========================================================================
 * api_status: the "done when" checks
 * ========================================================================= */

static const char *const OPENING_DAY[] = {"KAZ", "AZE", "KGZ", "TUR", "RUS", "org:turkic-council", NULL};

Test(api_status, opening_day_lists_exactly_the_six_signatories)
{
    json_t *s = get_status("2018-09-28");
    cr_assert_str_eq(jstr(s, "as_of"), "2018-09-28");
    assert_code_set(json_object_get(s, "participants"), OPENING_DAY, "participants as at 2018-09-28");
    cr_assert_eq(json_array_size(json_object_get(s, "former_participants")), 0);
    json_decref(s);
}

/* The signer is shown where the sources name one and null where they do
 * not: the view must neither drop nor invent signers. */
static void assert_signer(const json_t *participant, const char *name, const char *title)
{
    const char *code = party_code(participant);
    json_t *a = json_array_get(json_object_get(participant, "actions"), 0);
    cr_assert_str_eq(jstr(a, "type"), "signature", "%s: first action", code);
    json_t *signer = json_object_get(a, "signer");
    if (!name && !title) {
        cr_assert(!signer || json_is_null(signer), "%s: a signer appears that no source names", code);
        return;
    }
    cr_assert(json_is_object(signer), "%s: no signer object", code);
    if (name)
        cr_assert_str_eq(jstr(signer, "name") ? jstr(signer, "name") : "(null)", name, "%s: signer name", code);
    if (title)
        cr_assert_str_eq(jstr(signer, "title") ? jstr(signer, "title") : "(null)", title, "%s: signer title", code);
}

Test(api_status, opening_day_names_the_signers_the_sources_name)
{
    json_t *s = get_status("2018-09-28"), *p = json_object_get(s, "participants");
    assert_signer(find_party(p, "KAZ"), "Kairat Abdrakhmanov", "Minister of Foreign Affairs");
    assert_signer(find_party(p, "RUS"), "Sergey Lavrov", NULL);
    assert_signer(find_party(p, "org:turkic-council"), "Baghdad Amreyev", "Secretary General");
    /* Every participant as the dataset has it, including "no signer". */
    for (const char *const *c = OPENING_DAY; *c; c++) {
        json_t *want = json_object_get(dataset_action(*c, "signature"), "signer");
        cr_assert_not_null(find_party(p, *c), "%s is missing", *c);
        assert_signer(find_party(p, *c), jstr(want, "name"), jstr(want, "title"));
    }
    json_decref(s);
}

Test(api_status, every_action_cites_its_source_with_title_and_url)
{
    json_t *s = get_status("2018-09-28");
    size_t i, j;
    json_t *p, *a;
    json_array_foreach(json_object_get(s, "participants"), i, p)
    {
        const char *code = party_code(p);
        cr_assert_gt(json_array_size(json_object_get(p, "actions")), 0, "%s has no actions", code);
        json_array_foreach(json_object_get(p, "actions"), j, a)
        {
            json_t *src = json_object_get(a, "source");
            cr_assert(json_is_object(src), "%s action %zu has no source", code, j);
            cr_assert(jstr(src, "title") && *jstr(src, "title"), "%s: source has no title", code);
            cr_assert(jstr(src, "url") && strncmp(jstr(src, "url"), "http", 4) == 0, "%s: source has no url", code);
            /* ... and it is the source the dataset cites for that action. */
            json_t *want = dataset_source(jstr(dataset_action(code, jstr(a, "type")), "source"));
            cr_assert_str_eq(jstr(src, "title"), jstr(want, "title"), "%s: source title", code);
            cr_assert_str_eq(jstr(src, "url"), jstr(want, "url"), "%s: source url", code);
        }
    }
    json_decref(s);
}

Test(api_status, opening_day_counts_recorded_beside_reported)
{
    json_t *s = get_status("2018-09-28");
    cr_assert_eq(jint_at(s, "counts", "recorded", "participants"), 6);
    cr_assert_eq(jint_at(s, "counts", "recorded", "states") + jint_at(s, "counts", "recorded", "organizations"), 6,
                 "states and organizations must add up to the participants");
    cr_assert_eq(jint_at(s, "counts", "recorded", "organizations"), 1);
    json_t *reported = json_object_get(json_object_get(s, "counts"), "reported");
    cr_assert(json_is_object(reported), "no reported total as at the opening day");
    cr_assert_str_eq(jstr(reported, "qualifier"), "more than");
    cr_assert_eq(jint_at(s, "counts", "reported", "count"), 70);
    const char *summary = jstr(s, "summary");
    cr_assert_not_null(summary);
    cr_assert(strstr(summary, "recorded 6"), "summary '%s' lacks 'recorded 6'", summary);
    cr_assert(strstr(summary, "more than 70"), "summary '%s' lacks 'more than 70'", summary);
    json_decref(s);
}

Test(api_status, day_before_opening_lists_no_one)
{
    json_t *s = get_status("2018-09-27");
    cr_assert_eq(json_array_size(json_object_get(s, "participants")), 0, "participants before the Code opened");
    cr_assert_eq(json_array_size(json_object_get(s, "endorsements")), 0);
    cr_assert_eq(jint_at(s, "counts", "recorded", "participants"), 0);
    /* The first reported total is dated the opening day, so none yet. */
    cr_assert(json_is_null(json_object_get(json_object_get(s, "counts"), "reported")));
    json_decref(s);
}

Test(api_status, bounded_date_counts_from_its_bound)
{
    json_t *before = get_status("2019-07-14");
    cr_assert_null(find_party(json_object_get(before, "participants"), "VCT"),
                   "VCT signed 'on or before 2019-07-15' and must not show on 2019-07-14");
    json_decref(before);

    json_t *s = get_status("2019-07-15");
    json_t *vct = find_party(json_object_get(s, "participants"), "VCT");
    cr_assert_not_null(vct, "VCT is missing as at 2019-07-15");
    cr_assert_str_eq(jstr(vct, "since"), "2019-07-15");
    cr_assert_str_eq(jstr(vct, "date_precision"), "on_or_before");
    const char *shown = jstr(vct, "since_display");
    cr_assert(shown && strstr(shown, "on or before"), "since_display '%s' hides the bound", shown ? shown : "(null)");
    json_decref(s);
}

Test(api_status, endorsement_is_listed_apart_from_participation)
{
    json_t *s = get_status("2019-07-15");
    json_t *e = find_party(json_object_get(s, "endorsements"), "org:oic");
    cr_assert_not_null(e, "org:oic is not among the endorsements");
    cr_assert_str_eq(jstr(e, "type"), "endorsement");
    cr_assert_null(find_party(json_object_get(s, "participants"), "org:oic"), "an endorsement is not participation");
    cr_assert_eq(jint_at(s, "counts", "recorded", "endorsements"), 1);
    /* The six of the opening day and VCT; the endorsement adds none. */
    cr_assert_eq(jint_at(s, "counts", "recorded", "participants"), 7);
    json_decref(s);

    /* The endorsement is dated 2019-03-02 in the dataset: not the day before. */
    s = get_status("2019-03-01");
    cr_assert_eq(json_array_size(json_object_get(s, "endorsements")), 0);
    cr_assert_eq(jint_at(s, "counts", "recorded", "endorsements"), 0);
    json_decref(s);
}

Test(api_status, participants_are_named_as_at_the_date)
{
    /* The Turkic Council renamed itself in 2021; in 2018 it signed under
     * its old name, and the view must not rewrite history. */
    json_t *s = get_status("2018-09-28");
    json_t *tc = find_party(json_object_get(s, "participants"), "org:turkic-council");
    cr_assert_not_null(tc);
    const char *old_name = jstr(json_array_get(json_object_get(dataset(), "organizations"), 0), "name");
    cr_assert_str_eq(jstr(json_object_get(tc, "party"), "name"), old_name);
    json_decref(s);
}

Test(api_status, without_as_of_means_today)
{
    char today[11];
    utc_date(0, today);
    json_t *s = get_json(INSTRUMENT "/status");
    cr_assert_str_eq(jstr(s, "as_of"), today);
    /* Everything recorded is in the past, so today sees the latest view. */
    cr_assert_not_null(find_party(json_object_get(s, "participants"), "VCT"));
    json_decref(s);
}

/* ===========================================================================
 * api_groups: coverage of the Turkic Council
 * ========================================================================= */

static json_t *get_group(const char *as_of, bool with_instrument)
{
    char path[256];
    snprintf(path, sizeof path, "/api/v1/groups/turkic-council?%sas_of=%s", with_instrument ? "instrument=" SLUG "&" : "",
             as_of);
    return get_json(path);
}

Test(api_groups, all_members_participate_from_opening_day)
{
    static const char *const members[] = {"AZE", "KAZ", "KGZ", "TUR", NULL};
    static const char *const observers[] = {"HUN", NULL};
    json_t *g = get_group("2018-09-28", true);
    assert_code_set(json_object_get(g, "members"), members, "members as at 2018-09-28");
    assert_code_set(json_object_get(g, "observers"), observers, "observers as at 2018-09-28");
    size_t i;
    json_t *m;
    json_array_foreach(json_object_get(g, "members"), i, m)
    {
        cr_assert(json_is_true(json_object_get(m, "participant")), "%s is not shown as participating", party_code(m));
    }
    json_t *cov = json_object_get(g, "coverage");
    cr_assert(json_is_object(cov), "no coverage although ?instrument= was given");
    cr_assert(json_is_true(json_object_get(cov, "all_members_participating")));
    cr_assert_str_eq(jstr(cov, "all_members_since") ? jstr(cov, "all_members_since") : "(null)", "2018-09-28");
    assert_code_set(json_object_get(cov, "participating"), members, "coverage.participating");
    cr_assert_eq(json_array_size(json_object_get(cov, "not_participating")), 0);
    json_decref(g);
}

Test(api_groups, new_member_uzbekistan_breaks_full_coverage)
{
    json_t *g = get_group("2019-10-16", true);
    cr_assert_not_null(find_party(json_object_get(g, "members"), "UZB"), "UZB is not a member as at 2019-10-16");
    json_t *cov = json_object_get(g, "coverage");
    cr_assert_not_null(find_party(json_object_get(cov, "not_participating"), "UZB"),
                       "UZB is not in coverage.not_participating");
    cr_assert_null(find_party(json_object_get(cov, "participating"), "UZB"));
    cr_assert(json_is_false(json_object_get(cov, "all_members_participating")));
    json_t *since = json_object_get(cov, "all_members_since");
    cr_assert(!since || json_is_null(since), "all_members_since given although not all participate");
    json_decref(g);
}

Test(api_groups, members_are_as_at_the_date)
{
    /* UZB joined on 2019-10-15 and HUN became an observer on 2018-09-03. */
    json_t *g = get_group("2019-10-14", false);
    cr_assert_null(find_party(json_object_get(g, "members"), "UZB"), "UZB is a member before it joined");
    json_decref(g);
    g = get_group("2018-09-02", false);
    cr_assert_eq(json_array_size(json_object_get(g, "observers")), 0, "HUN observes before it began to");
    cr_assert_null(json_object_get(g, "coverage"), "coverage without ?instrument=");
    json_decref(g);
}

Test(api_groups, name_is_the_one_in_force_at_the_date)
{
    const char *old_name = jstr(json_array_get(json_object_get(dataset(), "organizations"), 0), "name");
    json_t *g = get_group("2018-09-28", false);
    cr_assert_str_eq(jstr(g, "name"), old_name);
    cr_assert_str_neq(jstr(g, "name"), NEW_NAME_TURKIC);
    json_decref(g);
    g = get_group("2022-01-01", false);
    cr_assert_str_eq(jstr(g, "name"), NEW_NAME_TURKIC);
    json_decref(g);
    /* The rename takes effect on its "from" date, 2021-11-12. */
    g = get_group("2021-11-11", false);
    cr_assert_str_eq(jstr(g, "name"), old_name);
    json_decref(g);
    g = get_group("2021-11-12", false);
    cr_assert_str_eq(jstr(g, "name"), NEW_NAME_TURKIC);
    json_decref(g);
}

/* ===========================================================================
 * api_cli: `accord status` and GET .../status say the same
 * ========================================================================= */

static char *cli_status(const char *as_of, const char *format)
{
    char *out = NULL;
    const char *args[] = {"status", SLUG, "--as-of", as_of, "--format", format, "--db", fx.db_path, NULL};
    int rc = th_run_accord(&out, args);
    cr_assert_eq(rc, 0, "accord status --as-of %s --format %s exited %d", as_of, format, rc);
    return out;
}

static const char *const CLI_DATES[] = {"2018-09-27", "2018-09-28", "2019-07-15", NULL};

Test(api_cli, csv_is_byte_identical)
{
    for (const char *const *d = CLI_DATES; *d; d++) {
        char *cli = cli_status(*d, "csv"), path[256];
        snprintf(path, sizeof path, STATUS_AT "%s&format=csv", *d);
        api_resp r;
        api_get(&r, path);
        cr_assert_eq(r.status, 200, "GET %s: %ld", path, r.status);
        cr_assert(strncmp(r.content_type, "text/csv", 8) == 0, "CSV served as '%s'", r.content_type);
        cr_assert_eq(r.len, strlen(cli), "as_of %s: API CSV is %zu bytes, CLI CSV %zu", *d, r.len, strlen(cli));
        cr_assert(memcmp(r.body, cli, r.len) == 0, "as_of %s: CSV differs\nAPI:\n%s\nCLI:\n%s", *d, r.body, cli);
        /* Not vacuous: a header line and one line per participant. */
        cr_assert(strncmp(cli, "party,", 6) == 0, "CSV header: %.40s", cli);
        resp_free(&r);
        free(cli);
    }
}

/* Parses RFC 4180 CSV (CRLF rows, "" escapes inside quoted fields) into
 * an array of rows, each an array of strings (caller decrefs). Written
 * here, not taken from the product, so quoting mistakes show. */
static json_t *csv_parse(const char *text)
{
    json_t *rows = json_array(), *row = json_array();
    grow field = {calloc(1, 1), 0};
    const char *p = text;
    while (*p) {
        if (*p == '"') {
            for (p++; *p && !(p[0] == '"' && p[1] != '"'); p++) {
                if (p[0] == '"')
                    p++; /* "" stands for one quote */
                grow_add(&field, p, 1);
            }
            cr_assert_eq(*p, '"', "unterminated quoted CSV field");
            p++;
        }
        while (*p && *p != ',' && *p != '\r')
            grow_add(&field, p++, 1);
        json_array_append_new(row, json_string(field.data ? field.data : ""));
        field.len = 0;
        if (field.data)
            field.data[0] = '\0';
        if (*p == ',') {
            p++;
        } else if (*p == '\r') {
            cr_assert_eq(p[1], '\n', "CSV row not ended by CRLF");
            p += 2;
            json_array_append_new(rows, row);
            row = json_array();
        }
    }
    cr_assert_eq(json_array_size(row), 0, "the last CSV row lacks its CRLF");
    json_decref(row);
    free(field.data);
    return rows;
}

/* The column index of 'name' in the CSV header row. */
static size_t csv_column(const json_t *header, const char *name)
{
    for (size_t i = 0; i < json_array_size(header); i++)
        if (strcmp(json_string_value(json_array_get(header, i)), name) == 0)
            return i;
    cr_assert_fail("the CSV has no '%s' column", name);
    return 0;
}

Test(api_cli, csv_has_one_well_formed_row_per_participant)
{
    char *cli = cli_status("2018-09-28", "csv");
    json_t *rows = csv_parse(cli), *header = json_array_get(rows, 0);
    cr_assert_eq(json_array_size(rows), 1 + 6, "header plus six participants, got %zu rows:\n%s",
                 json_array_size(rows), cli);
    for (size_t i = 1; i < json_array_size(rows); i++)
        cr_assert_eq(json_array_size(json_array_get(rows, i)), json_array_size(header),
                     "row %zu has %zu fields, the header %zu:\n%s", i, json_array_size(json_array_get(rows, i)),
                     json_array_size(header), cli);
    json_t *col_party = json_array(), *r;
    size_t party = csv_column(header, "party"), conf = csv_column(header, "confidence");
    size_t signer = csv_column(header, "signer_name"), i;
    json_array_foreach(rows, i, r)
    {
        if (i == 0)
            continue;
        const char *code = json_string_value(json_array_get(r, party));
        json_array_append_new(col_party, json_string(code));
        /* Fields with commas (AZE's confidence has several) survive intact. */
        json_t *want = dataset_action(code, "signature");
        cr_assert_str_eq(json_string_value(json_array_get(r, conf)), jstr(want, "confidence"), "%s confidence", code);
        const char *name = jstr(json_object_get(want, "signer"), "name");
        cr_assert_str_eq(json_string_value(json_array_get(r, signer)), name ? name : "", "%s signer_name", code);
    }
    assert_code_set(col_party, OPENING_DAY, "CSV party column");
    json_decref(col_party);
    json_decref(rows);
    free(cli);
}

Test(api_cli, json_is_equal)
{
    for (const char *const *d = CLI_DATES; *d; d++) {
        char *cli = cli_status(*d, "json");
        json_error_t err;
        json_t *from_cli = json_loads(cli, 0, &err);
        cr_assert_not_null(from_cli, "CLI JSON for %s does not parse: %s", *d, err.text);
        json_t *from_api = get_status(*d);
        cr_assert(json_equal(from_cli, from_api), "as_of %s: CLI and API JSON differ\nCLI:\n%s", *d, cli);
        json_decref(from_cli);
        json_decref(from_api);
        free(cli);
    }
}

/* ===========================================================================
 * api_errors: every error class, and nothing written
 * ========================================================================= */

/* ---- 400 ---------------------------------------------------------------- */

Test(api_errors, malformed_json_is_400)
{
    static const char body[] = "{\"party\": \"FRA\", \"type\": ";
    expect_post_refused(ACTIONS, body, strlen(body), 400, "invalid", NULL);
}

Test(api_errors, unknown_body_field_is_400_naming_it)
{
    json_t *a = test_action("FRA", "signature", "2019-01-01");
    json_object_set_new(a, "bogus", json_integer(1));
    expect_action_refused(a, 400, "invalid", "bogus");
}

Test(api_errors, server_derived_fields_cannot_be_supplied)
{
    /* The notification number and the instrument come from the server;
     * a client that sends them must be refused, not half-obeyed. */
    json_t *a = test_action("FRA", "signature", "2019-01-01");
    json_object_set_new(a, "notification", json_string(SLUG "/2019/999"));
    expect_action_refused(a, 400, "invalid", "notification");
    a = test_action("FRA", "signature", "2019-01-01");
    json_object_set_new(a, "instrument", json_string("other"));
    expect_action_refused(a, 400, "invalid", "instrument");
}

Test(api_errors, impossible_calendar_date_is_400)
{
    expect_action_refused(test_action("FRA", "signature", "2018-02-30"), 400, "invalid", "date");
    expect_action_refused(test_action("FRA", "signature", "2019-1-5"), 400, "invalid", "date");
}

Test(api_errors, missing_source_is_400)
{
    json_t *a = test_action("FRA", "signature", "2019-01-01");
    json_object_del(a, "source");
    expect_action_refused(a, 400, "invalid", "source");
}

Test(api_errors, non_object_body_is_400)
{
    expect_post_refused(ACTIONS, "[]", 2, 400, "invalid", NULL);
    expect_post_refused(ACTIONS, "\"signature\"", 11, 400, "invalid", NULL);
}

Test(api_errors, empty_body_is_400)
{
    expect_post_refused(ACTIONS, "", 0, 400, "invalid", NULL);
}

Test(api_errors, invalid_utf8_in_a_string_is_400)
{
    /* Raw bytes that are not UTF-8, and an escaped lone surrogate, which
     * no UTF-8 string can hold. */
    static const char raw[] = "{\"party\":\"FRA\",\"type\":\"signature\",\"date\":\"2019-01-01\","
                              "\"note\":\"bad \xff\xfe bytes\",\"source\":{\"title\":\"" TEST_SOURCE "\"}}";
    static const char escaped[] = "{\"party\":\"FRA\",\"type\":\"signature\",\"date\":\"2019-01-01\","
                                  "\"note\":\"\\ud800\",\"source\":{\"title\":\"" TEST_SOURCE "\"}}";
    expect_post_refused(ACTIONS, raw, strlen(raw), 400, "invalid", NULL);
    expect_post_refused(ACTIONS, escaped, strlen(escaped), 400, "invalid", NULL);
}

Test(api_errors, bad_field_values_are_400_naming_the_field)
{
    json_t *a = test_action("FRA", "sign", "2019-01-01");
    expect_action_refused(a, 400, "invalid", "type");

    /* Only web addresses may be cited: a script URL would end up as a
     * link on public pages. */
    a = test_action("FRA", "signature", "2019-01-01");
    json_object_set_new(json_object_get(a, "source"), "url", json_string("javascript:alert(1)"));
    expect_action_refused(a, 400, "invalid", "source");

    a = test_action("FRA", "signature", "2019-01-01");
    json_object_set_new(a, "signer", json_object());
    expect_action_refused(a, 400, "invalid", "signer");

    a = test_action("FRA", "signature", "2019-01-01");
    json_object_set_new(a, "party", json_integer(250));
    expect_action_refused(a, 400, "invalid", "party");

    /* A key given twice is ambiguous: which party signed? */
    static const char twice[] = "{\"party\":\"FRA\",\"party\":\"DEU\",\"type\":\"signature\","
                                "\"date\":\"2019-01-01\",\"source\":{\"title\":\"" TEST_SOURCE "\"}}";
    expect_post_refused(ACTIONS, twice, strlen(twice), 400, "invalid", NULL);
}

Test(api_errors, invalid_query_parameters_are_400)
{
    expect_refused("GET", STATUS_AT "2018-02-30", NULL, NULL, 0, 400, "invalid", "as_of");
    expect_refused("GET", STATUS_AT "2018-09-28&format=xml", NULL, NULL, 0, 400, "invalid", "format");
    expect_refused("GET", "/api/v1/parties?kind=bogus", NULL, NULL, 0, 400, "invalid", "kind");
    expect_refused("GET", "/api/v1/groups/turkic-council?as_of=yesterday", NULL, NULL, 0, 400, "invalid", "as_of");
    /* Found by fuzz/fuzz_proof: strtoull() skipped the white space. */
    expect_refused("GET", "/api/v1/log/entries?start=%201", NULL, NULL, 0, 400, "invalid", "start");
    expect_refused("GET", "/api/v1/log/proof/inclusion?index=%091&tree_size=2", NULL, NULL, 0, 400, "invalid", "index");
}

/* ---- 401 ---------------------------------------------------------------- */

/* A valid body, so that only the credentials are at fault. */
static char *valid_action_text(void)
{
    json_t *a = test_action("FRA", "signature", "2019-01-01");
    char *text = json_dumps(a, JSON_COMPACT);
    json_decref(a);
    cr_assert_not_null(text);
    return text;
}

static void expect_unauthorized(const char *authorization)
{
    char *body = valid_action_text();
    const char *headers[] = {"Content-Type: application/json", authorization, NULL};
    expect_refused("POST", ACTIONS, headers, body, strlen(body), 401, "unauthorized", NULL);
    free(body);
}

Test(api_errors, missing_authorization_is_401)
{
    expect_unauthorized(NULL);
}

Test(api_errors, wrong_token_is_401)
{
    /* A well-formed token that was never issued, and a truncated real one. */
    expect_unauthorized("Authorization: Bearer acc_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    char auth[128];
    snprintf(auth, sizeof auth, "Authorization: Bearer %.*s", (int)strlen(fx.token) - 1, fx.token);
    expect_unauthorized(auth);
}

Test(api_errors, non_bearer_scheme_is_401)
{
    /* Even with the right token, only the Bearer scheme counts. */
    char auth[128];
    snprintf(auth, sizeof auth, "Authorization: Basic %s", fx.token);
    expect_unauthorized(auth);
    expect_unauthorized("Authorization: Basic YWRtaW46YWRtaW4=");
}

/* ---- 404 ---------------------------------------------------------------- */

Test(api_errors, unknown_instrument_in_post_path_is_404)
{
    char *body = valid_action_text();
    expect_post_refused("/api/v1/instruments/no-such-code/actions", body, strlen(body), 404, "not_found", NULL);
    free(body);
}

Test(api_errors, unknown_instrument_is_404_on_every_read)
{
    static const char *const paths[] = {"/api/v1/instruments/no-such-code/status?as_of=2018-09-28",
                                        "/api/v1/instruments/no-such-code",
                                        "/api/v1/instruments/no-such-code/actions",
                                        "/api/v1/instruments/no-such-code/notifications", NULL};
    for (const char *const *p = paths; *p; p++)
        expect_refused("GET", *p, NULL, NULL, 0, 404, "not_found", NULL);
    expect_refused("GET", "/api/v1/groups/turkic-council?instrument=no-such-code", NULL, NULL, 0, 404, "not_found",
                   "instrument");
}

Test(api_errors, unknown_party_is_404)
{
    expect_refused("GET", "/api/v1/parties/XXX", NULL, NULL, 0, 404, "not_found", NULL);
    expect_refused("GET", "/api/v1/parties/org:no-such-org", NULL, NULL, 0, 404, "not_found", NULL);
}

Test(api_errors, unknown_group_is_404)
{
    expect_refused("GET", "/api/v1/groups/no-such-group", NULL, NULL, 0, 404, "not_found", NULL);
}

Test(api_errors, unknown_route_is_404)
{
    expect_refused("GET", "/api/v1/nothing-here", NULL, NULL, 0, 404, "not_found", NULL);
    expect_refused("GET", "/api/v2/instruments", NULL, NULL, 0, 404, "not_found", NULL);
    expect_refused("GET", "/api/v1/instruments/", NULL, NULL, 0, 404, "not_found", NULL);
}

/* ---- 405 ---------------------------------------------------------------- */

Test(api_errors, wrong_method_on_known_path_is_405)
{
    expect_refused("DELETE", "/api/v1/instruments", NULL, NULL, 0, 405, "method_not_allowed", NULL);
    expect_refused("PUT", ACTIONS, NULL, "{}", 2, 405, "method_not_allowed", NULL);
    expect_refused("POST", "/api/v1/parties", NULL, "{}", 2, 405, "method_not_allowed", NULL);
}

/* ---- 409 ---------------------------------------------------------------- */

Test(api_errors, second_signature_is_409)
{
    /* KAZ signed on the opening day; a second signature clashes. */
    expect_action_refused(test_action("KAZ", "signature", "2019-01-01"), 409, "conflict", "party");
}

/* ---- 413 ---------------------------------------------------------------- */

/* A JSON action of exactly 'len' bytes, padded in its note (caller frees). */
static char *action_of_size(size_t len)
{
    static const char head[] = "{\"party\":\"FRA\",\"type\":\"signature\",\"date\":\"2019-01-01\","
                               "\"source\":{\"title\":\"" TEST_SOURCE "\"},\"note\":\"";
    static const char tail[] = "\"}";
    size_t fixed = strlen(head) + strlen(tail);
    cr_assert_gt(len, fixed);
    char *s = malloc(len + 1);
    cr_assert_not_null(s);
    memcpy(s, head, strlen(head));
    memset(s + strlen(head), 'a', len - fixed);
    memcpy(s + len - strlen(tail), tail, strlen(tail));
    s[len] = '\0';
    return s;
}

Test(api_errors, body_over_the_limit_is_413)
{
    char *body = action_of_size(HTTP_MAX_BODY + 1);
    expect_post_refused(ACTIONS, body, HTTP_MAX_BODY + 1, 413, "too_large", NULL);
    free(body);
    body = action_of_size(4 * HTTP_MAX_BODY);
    expect_post_refused(ACTIONS, body, 4 * HTTP_MAX_BODY, 413, "too_large", NULL);
    free(body);
}

Test(api_errors, body_at_the_limit_is_judged_on_its_content)
{
    /* Exactly HTTP_MAX_BODY bytes are allowed in; the note is then far too
     * long for a note, which is a 400 about that field, not a 413. */
    char *body = action_of_size(HTTP_MAX_BODY);
    expect_post_refused(ACTIONS, body, HTTP_MAX_BODY, 400, "invalid", "note");
    free(body);
}

/* ---- 415 ---------------------------------------------------------------- */

Test(api_errors, non_json_content_type_is_415)
{
    char *body = valid_action_text(), auth[128];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", fx.token);
    const char *text[] = {auth, "Content-Type: text/plain", NULL};
    expect_refused("POST", ACTIONS, text, body, strlen(body), 415, "unsupported_media_type", NULL);
    const char *form[] = {auth, "Content-Type: application/x-www-form-urlencoded", NULL};
    expect_refused("POST", ACTIONS, form, body, strlen(body), 415, "unsupported_media_type", NULL);
    const char *lookalike[] = {auth, "Content-Type: application/jsonp", NULL};
    expect_refused("POST", ACTIONS, lookalike, body, strlen(body), 415, "unsupported_media_type", NULL);
    free(body);
}

/* ---- 422 ---------------------------------------------------------------- */

Test(api_errors, action_before_the_instrument_opened_is_422)
{
    expect_action_refused(test_action("FRA", "signature", "2018-09-27"), 422, "rule_violated", "date");
}

Test(api_errors, unregistered_party_is_422)
{
    expect_action_refused(test_action("XYZ", "signature", "2019-01-01"), 422, "rule_violated", "party");
    expect_action_refused(test_action("org:no-such-org", "endorsement", "2019-01-01"), 422, "rule_violated", "party");
}

/* For these the fault lies in the pairing of party and type; either may
 * be named, but one must be. */
static void expect_rule_on_party_or_type(json_t *body)
{
    char *text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    snapshot before = take_snapshot();
    api_resp r;
    post_text(&r, ACTIONS, text, strlen(text));
    assert_error(&r, 422, "rule_violated", NULL, text);
    const char *field = jstr(json_object_get(r.json, "error"), "field");
    cr_assert(field && (strcmp(field, "type") == 0 || strcmp(field, "party") == 0),
              "%s: error.field is '%s', want type or party", text, field ? field : "(none)");
    resp_free(&r);
    assert_unchanged(&before, text);
    free(text);
}

Test(api_errors, withdrawal_by_non_participant_is_422)
{
    expect_rule_on_party_or_type(test_action("FRA", "withdrawal", "2019-01-01"));
    /* VCT joined on or before 2019-07-15: it cannot withdraw the day before. */
    expect_rule_on_party_or_type(test_action("VCT", "withdrawal", "2019-07-14"));
}

Test(api_errors, endorsement_by_a_state_is_422)
{
    expect_rule_on_party_or_type(test_action("FRA", "endorsement", "2019-01-01"));
}

Test(api_errors, future_date_is_422)
{
    char tomorrow[11];
    utc_date(1, tomorrow);
    expect_action_refused(test_action("FRA", "signature", tomorrow), 422, "rule_violated", "date");
}

/* ===========================================================================
 * api_http: protocol duties of error responses (RFC 9110)
 * ========================================================================= */

Test(api_http, unauthorized_response_carries_bearer_challenge)
{
    /* RFC 9110 section 11.6.1 / 15.5.2: a 401 MUST send WWW-Authenticate
     * with a challenge; RFC 6750 names the scheme "Bearer". */
    char *body = valid_action_text();
    const char *headers[] = {"Content-Type: application/json", NULL};
    api_resp r;
    api_request(&r, "POST", ACTIONS, headers, body, strlen(body));
    cr_assert_eq(r.status, 401);
    char v[256];
    cr_assert(resp_header(&r, "WWW-Authenticate", v, sizeof v), "401 without a WWW-Authenticate header");
    cr_assert(strncasecmp(v, "Bearer", 6) == 0, "WWW-Authenticate '%s' does not name Bearer", v);
    resp_free(&r);
    free(body);
}

Test(api_http, method_not_allowed_lists_allowed_methods)
{
    /* RFC 9110 section 15.5.6: a 405 MUST carry Allow. */
    api_resp r;
    api_request(&r, "DELETE", "/api/v1/instruments", NULL, NULL, 0);
    cr_assert_eq(r.status, 405);
    char v[256];
    cr_assert(resp_header(&r, "Allow", v, sizeof v), "405 without an Allow header");
    cr_assert(strstr(v, "GET"), "Allow '%s' does not list GET", v);
    resp_free(&r);
}

Test(api_http, conditional_get_of_missing_resource_is_still_404)
{
    /* RFC 9110 section 13.2.1: preconditions are ignored when the response
     * without them would not be 2xx, so a missing party stays 404 even if
     * the client sends the current ETag. */
    api_resp r;
    api_get(&r, "/api/v1/instruments");
    char etag[160], inm[200];
    cr_assert(resp_header(&r, "ETag", etag, sizeof etag));
    resp_free(&r);
    snprintf(inm, sizeof inm, "If-None-Match: %s", etag);
    const char *headers[] = {inm, NULL};
    expect_refused("GET", "/api/v1/parties/XXX", headers, NULL, 0, 404, "not_found", NULL);
    expect_refused("GET", STATUS_AT "2018-02-30", headers, NULL, 0, 400, "invalid", "as_of");
}

/* ===========================================================================
 * api_write: recording actions
 * ========================================================================= */

/* The next notification number of 'year' as the public list implies it:
 * one past the highest n of that year (1 when there is none). */
static json_int_t next_notification_n(int year)
{
    json_t *list = get_json(INSTRUMENT "/notifications");
    char prefix[64];
    snprintf(prefix, sizeof prefix, SLUG "/%d/", year);
    json_int_t max = 0;
    size_t i;
    json_t *n;
    json_array_foreach(json_object_get(list, "notifications"), i, n)
    {
        const char *num = jstr(n, "number");
        cr_assert_not_null(num, "notification %zu has no number", i);
        if (strncmp(num, prefix, strlen(prefix)) == 0) {
            json_int_t k = strtoll(num + strlen(prefix), NULL, 10);
            max = k > max ? k : max;
        }
    }
    json_decref(list);
    return max + 1;
}

/* The party's name as the registry has it now (caller frees). */
static char *party_name(const char *code)
{
    char path[128];
    snprintf(path, sizeof path, "/api/v1/parties/%s", code);
    json_t *p = get_json(path);
    cr_assert_not_null(jstr(p, "name"));
    char *name = strdup(jstr(p, "name"));
    json_decref(p);
    return name;
}

/* The Merkle root from GET /api/v1/log, which must be 32 bytes. */
static json_int_t log_root(unsigned char root[32])
{
    json_t *log = get_json("/api/v1/log");
    const char *b64 = jstr(log, "root");
    cr_assert_not_null(b64, "GET /api/v1/log has no root");
    size_t len = 0;
    unsigned char bin[64];
    cr_assert_eq(sodium_base642bin(bin, sizeof bin, b64, strlen(b64), NULL, &len, NULL, sodium_base64_VARIANT_ORIGINAL),
                 0, "root '%s' is not base64", b64);
    cr_assert_eq(len, 32, "root decodes to %zu bytes, want 32", len);
    memcpy(root, bin, 32);
    /* The hex form, when given, is the same hash. */
    const char *hex = jstr(log, "root_hex");
    if (hex) {
        char want[65];
        sodium_bin2hex(want, sizeof want, root, 32);
        cr_assert_str_eq(hex, want, "root_hex and root disagree");
    }
    json_int_t size = jint_at(log, "size", NULL, NULL);
    json_decref(log);
    return size;
}

static bool participates(const char *as_of, const char *code)
{
    json_t *s = get_status(as_of);
    bool in = find_party(json_object_get(s, "participants"), code) != NULL;
    json_decref(s);
    return in;
}

Test(api_write, signature_is_recorded_notified_and_logged)
{
    const char *party = "FRA", *date = "2018-10-01";
    char *name = party_name(party);
    json_int_t want_n = next_notification_n(2018);
    unsigned char root_before[32], root_after[32];
    json_int_t log_before = log_root(root_before);
    cr_assert_eq((uint64_t)log_before, th_log_size(fx.db), "GET /api/v1/log disagrees with the database");
    cr_assert(!participates(date, party), "%s participates before it signed", party);

    api_resp r;
    post_action(&r, test_action(party, "signature", date));
    cr_assert_eq(r.status, 201, "status %ld, body %s", r.status, r.body);
    cr_assert_not_null(r.json);

    /* Location: a path on this server that shows the new action. */
    char location[256];
    cr_assert(resp_header(&r, "Location", location, sizeof location), "201 without Location");
    cr_assert(strncmp(location, INSTRUMENT "/", strlen(INSTRUMENT "/")) == 0, "Location '%s'", location);

    /* The notification: "<slug>/<year>/<n>" with the next n, naming the party. */
    json_t *notif = json_object_get(r.json, "notification");
    char want_number[64];
    snprintf(want_number, sizeof want_number, SLUG "/2018/%lld", (long long)want_n);
    cr_assert_str_eq(jstr(notif, "number") ? jstr(notif, "number") : "(none)", want_number);
    const char *text = jstr(notif, "text");
    cr_assert(text && strstr(text, name), "notification text '%s' does not name %s", text ? text : "(none)", name);
    cr_assert_str_eq(party_code(r.json), party);
    cr_assert_str_eq(jstr(r.json, "date"), date);
    cr_assert_str_eq(jstr(json_object_get(r.json, "source"), "title"), TEST_SOURCE);

    /* The log grew by exactly one entry, the new one at the old size. */
    cr_assert_eq(th_log_size(fx.db), (uint64_t)log_before + 1);
    json_t *idx = json_object_get(r.json, "log_index");
    if (idx)
        cr_assert_eq(json_integer_value(idx), log_before, "log_index of the new entry");
    json_int_t log_after = log_root(root_after);
    cr_assert_eq(log_after, log_before + 1, "GET /api/v1/log size");
    cr_assert(memcmp(root_before, root_after, 32) != 0, "the log root did not change");
    resp_free(&r);

    /* The notification is listed... */
    json_t *list = get_json(INSTRUMENT "/notifications");
    json_t *found = NULL, *n;
    size_t i;
    json_array_foreach(json_object_get(list, "notifications"), i, n)
    {
        if (strcmp(jstr(n, "number"), want_number) == 0)
            found = n;
    }
    cr_assert_not_null(found, "%s is not among the notifications", want_number);
    cr_assert_str_eq(party_code(found), party);
    cr_assert_str_eq(jstr(found, "date"), date);
    json_decref(list);

    /* ... Location shows the action ... */
    json_t *at = get_json(location);
    bool shown = false;
    json_t *a;
    json_array_foreach(json_object_get(at, "actions"), i, a)
    {
        shown = shown || strcmp(jstr(json_object_get(a, "notification"), "number"), want_number) == 0;
    }
    cr_assert(shown, "the action is not at its Location %s", location);
    json_decref(at);

    /* ... and the status counts FRA from the date, not the day before. */
    cr_assert(participates(date, party), "%s does not participate as at %s", party, date);
    cr_assert(!participates("2018-09-30", party), "%s participates before its signature", party);
    free(name);
}

Test(api_write, notifications_are_numbered_per_year)
{
    /* 2020 has no notification yet: the first action dated then is n=1 of
     * 2020, and the next is n=2, whatever the earlier years hold. */
    cr_assert_eq(next_notification_n(2020), 1, "the demo data has no 2020 action; the test's premise fails");
    json_t *a = record_ok("FRA", "signature", "2020-02-01");
    cr_assert_str_eq(jstr(json_object_get(a, "notification"), "number"), SLUG "/2020/1");
    json_decref(a);
    a = record_ok("DEU", "signature", "2020-01-15");
    cr_assert_str_eq(jstr(json_object_get(a, "notification"), "number"), SLUG "/2020/2");
    json_decref(a);
}

Test(api_write, withdrawal_ends_participation_from_its_date)
{
    json_decref(record_ok("FRA", "signature", "2018-10-01"));
    uint64_t size = th_log_size(fx.db);
    json_t *s = get_status("2020-02-02");
    json_int_t count_before = jint_at(s, "counts", "recorded", "participants");
    json_decref(s);

    /* A charset parameter on the content type is still JSON. */
    char auth[128];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", fx.token);
    const char *headers[] = {auth, "Content-Type: application/json; charset=utf-8", NULL};
    json_t *w = test_action("FRA", "withdrawal", "2020-02-03");
    char *text = json_dumps(w, JSON_COMPACT);
    json_decref(w);
    api_resp r;
    api_request(&r, "POST", ACTIONS, headers, text, strlen(text));
    free(text);
    cr_assert_eq(r.status, 201, "withdrawal: status %ld, body %s", r.status, r.body);
    cr_assert_eq(th_log_size(fx.db), size + 1);
    resp_free(&r);

    cr_assert(participates("2020-02-02", "FRA"), "FRA dropped out before its withdrawal");
    s = get_status("2020-02-03");
    cr_assert_null(find_party(json_object_get(s, "participants"), "FRA"), "FRA participates after withdrawing");
    json_t *former = find_party(json_object_get(s, "former_participants"), "FRA");
    cr_assert_not_null(former, "FRA is not among the former participants");
    cr_assert_str_eq(jstr(former, "withdrawn") ? jstr(former, "withdrawn") : "(none)", "2020-02-03");
    cr_assert_eq(jint_at(s, "counts", "recorded", "participants"), count_before - 1);
    json_decref(s);

    /* Signing again is refused (409) and changes nothing... */
    expect_action_refused(test_action("FRA", "signature", "2020-03-01"), 409, "conflict", "party");
    /* ... a second withdrawal has nothing to end ... */
    expect_rule_on_party_or_type(test_action("FRA", "withdrawal", "2020-03-01"));
    /* ... and rejoining is by accession, counted from its own date. */
    json_decref(record_ok("FRA", "accession", "2020-04-01"));
    cr_assert(!participates("2020-03-31", "FRA"));
    s = get_status("2020-04-01");
    json_t *p = find_party(json_object_get(s, "participants"), "FRA");
    cr_assert_not_null(p, "FRA's accession did not make it a participant");
    cr_assert_str_eq(jstr(p, "since"), "2020-04-01");
    json_decref(s);
}

Test(api_write, endorsement_by_an_organization_is_recorded_as_endorsement)
{
    json_decref(record_ok("org:au", "endorsement", "2019-05-01"));
    json_t *s = get_status("2019-05-01");
    cr_assert_not_null(find_party(json_object_get(s, "endorsements"), "org:au"));
    cr_assert_null(find_party(json_object_get(s, "participants"), "org:au"));
    cr_assert_eq(jint_at(s, "counts", "recorded", "endorsements"), 2);
    json_decref(s);
}

/* ---- concurrent writes -------------------------------------------------- */

#define BURST_OK 12
#define BURST (BURST_OK + 2)

/* Runs 'n' prepared exchanges at once and collects each outcome in 'out'. */
static void run_together(exchange *x, api_resp *out, size_t n)
{
    CURLM *m = curl_multi_init();
    cr_assert_not_null(m);
    CURLcode *results = calloc(n, sizeof *results);
    bool *seen = calloc(n, sizeof *seen);
    cr_assert(results && seen);
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(curl_multi_add_handle(m, x[i].easy), CURLM_OK);
    int running = 1;
    while (running) {
        cr_assert_eq(curl_multi_perform(m, &running), CURLM_OK);
        if (running)
            cr_assert_eq(curl_multi_poll(m, NULL, 0, 1000, NULL), CURLM_OK);
    }
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(m, &left))) {
        for (size_t i = 0; i < n; i++) {
            if (msg->msg == CURLMSG_DONE && msg->easy_handle == x[i].easy) {
                results[i] = msg->data.result;
                seen[i] = true;
            }
        }
    }
    for (size_t i = 0; i < n; i++) {
        cr_assert(seen[i], "request %zu never finished", i);
        curl_multi_remove_handle(m, x[i].easy);
        exchange_finish(&x[i], results[i], &out[i]);
    }
    curl_multi_cleanup(m);
    free(results);
    free(seen);
}

Test(api_write, concurrent_writes_each_get_their_own_outcome)
{
    /* A burst of POSTs at once: twelve new signatures and, among them, two
     * that must be refused. The server may apply several in one
     * transaction; each must still get its own answer, and only the
     * accepted ones may reach the log, numbered 1..12 for their year with
     * no gap and no repeat. */
    static const char *const signers[BURST_OK] = {"FRA", "DEU", "ITA", "ESP", "PRT", "NLD",
                                                  "BEL", "AUT", "CHE", "POL", "SWE", "NOR"};
    const char *date = "2021-03-01";
    cr_assert_eq(next_notification_n(2021), 1, "the demo data has no 2021 action; the test's premise fails");
    char *bodies[BURST];
    for (size_t i = 0; i < BURST; i++) {
        const char *party = i < BURST_OK ? signers[i] : i == BURST_OK ? "KAZ" : "XYZ";
        json_t *a = test_action(party, "signature", date);
        bodies[i] = json_dumps(a, JSON_COMPACT);
        json_decref(a);
        cr_assert_not_null(bodies[i]);
    }
    uint64_t size_before = th_log_size(fx.db);
    char auth[128];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", fx.token);
    const char *headers[] = {auth, "Content-Type: application/json", NULL};
    exchange x[BURST];
    api_resp r[BURST];
    for (size_t i = 0; i < BURST; i++)
        exchange_init(&x[i], "POST", ACTIONS, headers, bodies[i], strlen(bodies[i]));
    run_together(x, r, BURST);

    const char *got[BURST_OK], *want[BURST_OK];
    char want_text[BURST_OK][64];
    for (size_t i = 0; i < BURST_OK; i++) {
        cr_assert_eq(r[i].status, 201, "%s: status %ld, body %s", signers[i], r[i].status, r[i].body);
        cr_assert_str_eq(party_code(r[i].json), signers[i], "a response answers for another request");
        got[i] = jstr(json_object_get(r[i].json, "notification"), "number");
        cr_assert_not_null(got[i]);
        snprintf(want_text[i], sizeof want_text[i], SLUG "/2021/%zu", i + 1);
        want[i] = want_text[i];
    }
    char *got_set = join_sorted(got, BURST_OK), *want_set = join_sorted(want, BURST_OK);
    cr_assert_str_eq(got_set, want_set, "notification numbers of the burst");
    free(got_set);
    free(want_set);
    assert_error(&r[BURST_OK], 409, "conflict", "party", "KAZ's second signature amid the burst");
    assert_error(&r[BURST_OK + 1], 422, "rule_violated", "party", "XYZ's signature amid the burst");
    cr_assert_eq(th_log_size(fx.db), size_before + BURST_OK, "the log must grow by the accepted writes only");

    json_t *s = get_status(date);
    for (size_t i = 0; i < BURST_OK; i++)
        cr_assert_not_null(find_party(json_object_get(s, "participants"), signers[i]), "%s is missing", signers[i]);
    json_decref(s);
    for (size_t i = 0; i < BURST; i++) {
        resp_free(&r[i]);
        free(bodies[i]);
    }
}

/* ===========================================================================
 * api_cache: ETag and conditional GET
 * ========================================================================= */

/* GETs 'path' with an optional If-None-Match; returns the status and
 * copies the response ETag (or "") into 'etag'. */
static long conditional_get(const char *path, const char *if_none_match, char etag[160])
{
    char inm[200];
    snprintf(inm, sizeof inm, "If-None-Match: %s", if_none_match ? if_none_match : "");
    const char *headers[] = {inm, NULL};
    api_resp r;
    api_request(&r, "GET", path, if_none_match ? headers : NULL, NULL, 0);
    if (!resp_header(&r, "ETag", etag, 160))
        etag[0] = '\0';
    if (r.status == 304)
        cr_assert_eq(r.len, 0, "GET %s: a 304 with a body", path);
    long status = r.status;
    resp_free(&r);
    return status;
}

Test(api_cache, public_reads_revalidate_with_304)
{
    static const char *const paths[] = {"/api/v1/instruments", STATUS_AT "2018-09-28", "/api/v1/parties/KAZ",
                                        "/api/v1/groups/turkic-council", "/api/v1/log", NULL};
    for (const char *const *p = paths; *p; p++) {
        char etag[160], again[160];
        cr_assert_eq(conditional_get(*p, NULL, etag), 200, "GET %s", *p);
        cr_assert_str_not_empty(etag, "GET %s: no ETag", *p);
        cr_assert(etag[0] == '"' || strncmp(etag, "W/\"", 3) == 0, "ETag %s is not a quoted entity tag", etag);
        cr_assert_eq(conditional_get(*p, etag, again), 304, "GET %s with If-None-Match: %s", *p, etag);
        cr_assert_str_eq(again, etag, "GET %s: 304 with another ETag", *p);
    }
}

Test(api_cache, unknown_etag_gets_the_full_response)
{
    char etag[160];
    cr_assert_eq(conditional_get("/api/v1/instruments", "\"no-such-version\"", etag), 200);
}

Test(api_cache, successful_write_changes_the_etag)
{
    char before[160], after[160], again[160];
    cr_assert_eq(conditional_get("/api/v1/instruments", NULL, before), 200);
    json_decref(record_ok("FRA", "signature", "2019-01-01"));
    cr_assert_eq(conditional_get("/api/v1/instruments", before, after), 200, "a stale ETag still gave 304");
    cr_assert_str_not_empty(after);
    cr_assert_str_neq(after, before, "the ETag did not change after a write");
    cr_assert_eq(conditional_get("/api/v1/instruments", after, again), 304);
}

Test(api_cache, refused_write_keeps_the_etag)
{
    char before[160], after[160];
    cr_assert_eq(conditional_get("/api/v1/instruments", NULL, before), 200);
    expect_action_refused(test_action("KAZ", "signature", "2019-01-01"), 409, "conflict", "party");
    cr_assert_eq(conditional_get("/api/v1/instruments", before, after), 304, "a refused write invalidated caches");
}

/* ===========================================================================
 * api_endpoints: the remaining read endpoints
 * ========================================================================= */

Test(api_endpoints, healthz_reports_ok_and_log_size)
{
    json_t *h = get_json("/healthz");
    cr_assert_str_eq(jstr(h, "status"), "ok");
    cr_assert_eq((uint64_t)jint_at(h, "log_size", NULL, NULL), th_log_size(fx.db));
    cr_assert_gt(th_log_size(fx.db), 0);
    json_decref(h);
}

Test(api_endpoints, instruments_lists_the_code)
{
    json_t *list = get_json("/api/v1/instruments");
    json_t *arr = json_object_get(list, "instruments"), *found = NULL, *i;
    size_t k;
    json_array_foreach(arr, k, i)
    {
        if (jstr(i, "slug") && strcmp(jstr(i, "slug"), SLUG) == 0)
            found = i;
    }
    cr_assert_not_null(found, "code-of-conduct is not listed");
    cr_assert_str_eq(jstr(found, "opened_on"), "2018-09-28");
    cr_assert_str_eq(jstr(found, "title"), jstr(dataset_instrument(), "title"));
    json_decref(list);
}

Test(api_endpoints, instrument_has_ten_provisions_marked_by_text_status)
{
    json_t *inst = get_json(INSTRUMENT);
    json_t *provisions = json_object_get(inst, "provisions");
    cr_assert_eq(json_array_size(provisions), 10);
    json_t *want = json_object_get(dataset_instrument(), "provisions");
    for (size_t i = 0; i < 10; i++) {
        json_t *p = json_array_get(provisions, i);
        json_int_t number = (json_int_t)i + 1;
        cr_assert_eq(json_integer_value(json_object_get(p, "number")), number, "provision %zu out of order", i);
        const char *status = jstr(p, "text_status");
        cr_assert_not_null(status, "provision %lld has no text_status", (long long)number);
        if (number >= 8) {
            /* Not retrieved: numbered, but with no invented wording. */
            cr_assert_str_eq(status, "not_recorded", "provision %lld", (long long)number);
            cr_assert(json_is_null(json_object_get(p, "title")), "provision %lld has a title", (long long)number);
            json_t *text = json_object_get(p, "text");
            cr_assert(!text || json_is_null(text), "provision %lld has a text", (long long)number);
        } else {
            cr_assert_str_eq(status, "paraphrase", "provision %lld", (long long)number);
            cr_assert_str_eq(jstr(p, "title") ? jstr(p, "title") : "(null)",
                             jstr(json_array_get(want, i), "title"), "provision %lld title", (long long)number);
            json_t *src = json_object_get(p, "source");
            cr_assert(json_is_object(src) && jstr(src, "title") && jstr(src, "url"),
                      "provision %lld cites no source", (long long)number);
            cr_assert_str_eq(jstr(src, "url"), jstr(dataset_source("turkmen-paraphrase"), "url"));
        }
    }
    json_decref(inst);
}

Test(api_endpoints, organizations_filter_lists_only_organizations)
{
    static const char *const orgs[] = {"org:turkic-council", "org:oic", "org:au", NULL};
    json_t *list = get_json("/api/v1/parties?kind=organization");
    json_t *arr = json_object_get(list, "parties");
    for (const char *const *o = orgs; *o; o++)
        cr_assert_not_null(find_party(arr, *o), "%s is not listed", *o);
    size_t i;
    json_t *p;
    json_array_foreach(arr, i, p)
    {
        cr_assert_str_eq(jstr(p, "kind"), "organization", "%s listed as an organization", party_code(p));
        cr_assert(strncmp(party_code(p), "org:", 4) == 0, "state %s listed as an organization", party_code(p));
    }
    json_decref(list);
}

Test(api_endpoints, states_filter_lists_only_states)
{
    json_t *list = get_json("/api/v1/parties?kind=state");
    json_t *arr = json_object_get(list, "parties");
    cr_assert_not_null(find_party(arr, "KAZ"));
    cr_assert_null(find_party(arr, "org:oic"));
    size_t i;
    json_t *p;
    json_array_foreach(arr, i, p)
    {
        cr_assert_str_eq(jstr(p, "kind"), "state", "%s listed as a state", party_code(p));
    }
    json_decref(list);
}

Test(api_endpoints, party_shows_its_actions_and_memberships)
{
    json_t *kaz = get_json("/api/v1/parties/KAZ");
    cr_assert_str_eq(jstr(kaz, "code"), "KAZ");
    json_t *sig = NULL, *a;
    size_t i;
    json_array_foreach(json_object_get(kaz, "actions"), i, a)
    {
        if (strcmp(jstr(a, "type"), "signature") == 0 && strcmp(jstr(a, "instrument"), SLUG) == 0)
            sig = a;
    }
    cr_assert_not_null(sig, "KAZ's signature is not among its actions");
    cr_assert_str_eq(jstr(sig, "date"), "2018-09-28");
    json_t *m, *tc = NULL;
    json_array_foreach(json_object_get(kaz, "memberships"), i, m)
    {
        if (jstr(m, "group") && strcmp(jstr(m, "group"), "turkic-council") == 0)
            tc = m;
    }
    cr_assert_not_null(tc, "KAZ's Turkic Council membership is missing");
    cr_assert_str_eq(jstr(tc, "role"), "member");
    json_decref(kaz);
}

Test(api_endpoints, actions_and_notifications_cover_every_recorded_action)
{
    size_t want = json_array_size(json_object_get(dataset_instrument(), "actions"));
    json_t *acts = get_json(ACTIONS), *notes = get_json(INSTRUMENT "/notifications");
    cr_assert_eq(json_array_size(json_object_get(acts, "actions")), want);
    json_t *list = json_object_get(notes, "notifications");
    cr_assert_eq(json_array_size(list), want);
    /* Numbers are unique and of the form <slug>/<year>/<n>. */
    const char **numbers = calloc(want + 1, sizeof *numbers);
    cr_assert_not_null(numbers);
    for (size_t i = 0; i < want; i++) {
        const char *num = jstr(json_array_get(list, i), "number");
        int year = 0, n = 0, used = 0;
        cr_assert(num && sscanf(num, SLUG "/%4d/%d%n", &year, &n, &used) == 2 && num[used] == '\0' && n >= 1,
                  "notification number '%s'", num ? num : "(none)");
        numbers[i] = num;
    }
    qsort(numbers, want, sizeof *numbers, cmp_str);
    for (size_t i = 1; i < want; i++)
        cr_assert_str_neq(numbers[i], numbers[i - 1], "duplicate notification number");
    free(numbers);
    json_decref(acts);
    json_decref(notes);
}

Test(api_endpoints, groups_list_has_turkic_council)
{
    /* A group's "party" is the organization it stands for; match "code". */
    json_t *list = get_json("/api/v1/groups"), *g, *found = NULL;
    size_t i;
    json_array_foreach(json_object_get(list, "groups"), i, g)
    {
        if (jstr(g, "code") && strcmp(jstr(g, "code"), "turkic-council") == 0)
            found = g;
    }
    cr_assert_not_null(found, "turkic-council is not among the groups");
    cr_assert_str_eq(jstr(found, "party") ? jstr(found, "party") : "(null)", "org:turkic-council");
    json_decref(list);
}

Test(api_endpoints, home_page_is_html_linking_the_api)
{
    api_resp r;
    api_get(&r, "/api");
    cr_assert_eq(r.status, 200);
    cr_assert(strncmp(r.content_type, "text/html", 9) == 0, "home page served as '%s'", r.content_type);
    cr_assert(strstr(r.body, "href=\"/api/v1/instruments\""), "the home page does not link /api/v1/instruments");
    resp_free(&r);
}

Test(api_endpoints, head_answers_like_get_without_a_body)
{
    api_resp r;
    api_request(&r, "HEAD", "/api/v1/instruments", NULL, NULL, 0);
    cr_assert_eq(r.status, 200);
    cr_assert_eq(r.len, 0);
    char etag[160];
    cr_assert(resp_header(&r, "ETag", etag, sizeof etag));
    resp_free(&r);
}

Test(api_endpoints, security_headers_on_every_kind_of_response)
{
    /* api_request checks the headers on every response; this walks the
     * kinds the other tests might not all reach in one run. */
    static const char *const paths[] = {"/", "/healthz", STATUS_AT "2018-09-28&format=csv", "/api/v1/parties/XXX",
                                        "/nowhere", NULL};
    api_resp r;
    for (const char *const *p = paths; *p; p++) {
        api_get(&r, *p);
        resp_free(&r);
    }
    api_request(&r, "DELETE", "/api/v1/instruments", NULL, NULL, 0);
    resp_free(&r);
    api_request(&r, "POST", ACTIONS, NULL, "{}", 2);
    cr_assert_eq(r.status, 401);
    resp_free(&r);
    char etag[160];
    cr_assert_eq(conditional_get("/healthz", NULL, etag), 200);
    cr_assert_eq(conditional_get("/healthz", etag, etag), 304);
}
