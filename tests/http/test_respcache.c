/* http-respcache: public answers from the response cache (src/http/respcache.c)
 * over real HTTP: a write makes every dependent answer stale at once, tags
 * and 304, the gzip variant, the normalized query, callers with
 * credentials kept out, and CORS for public reads only. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"

#define SLUG "code-of-conduct"
#define STATUS "/api/v1/instruments/" SLUG "/status"
#define ACTIONS "/api/v1/instruments/" SLUG "/actions"

static th_team fx;

static void fixture_start(void) { th_team_start_admin(&fx); }

static void fixture_stop(void) { th_team_end(&fx); }

TestSuite(http_respcache, .init = fixture_start, .fini = fixture_stop, .timeout = 120);

/* GET 'path' with the extra header lines 'h1', 'h2' (may be NULL). */
static th_response get(const char *path, const char *h1, const char *h2)
{
    return th_call_with(&fx.server, "GET", path, h1, h1 ? h2 : NULL, NULL);
}

/* A counter of the cache from /healthz. */
static long long cache_counter(const char *name)
{
    th_response r = get("/healthz", NULL, NULL);
    cr_assert_eq(r.status, 200);
    json_t *v = json_object_get(json_object_get(r.json, "cache"), name);
    cr_assert(json_is_integer(v), "/healthz has cache.%s", name);
    long long n = json_integer_value(v);
    th_response_free(&r);
    return n;
}

/* Records a signature of 'party' with the admin token: 201. */
static void record_signature(const char *party, const char *date)
{
    char body[512];
    snprintf(body, sizeof body,
             "{\"party\":\"%s\",\"type\":\"signature\",\"date\":\"%s\",\"source\":{\"title\":\"test fixture (not a "
             "real source)\"}}",
             party, date);
    th_response r = th_call(&fx.server, "POST", ACTIONS, fx.admin, NULL, body, strlen(body));
    cr_assert_eq(r.status, 201, "%s", r.body);
    th_response_free(&r);
}

Test(http_respcache, a_201_makes_every_cached_answer_stale_at_once)
{
    static const char *const parties[] = {"NZL", "ISL", "CHL", "URY", "MNG"};
    const char *reads[] = {STATUS, STATUS "?as_of=2030-06-30", ACTIONS, "/api/v1/parties/NZL", "/api/v1/log",
                           "/en/"};
    for (size_t round = 0; round < sizeof parties / sizeof parties[0]; round++) {
        th_response before[sizeof reads / sizeof reads[0]];
        for (size_t i = 0; i < sizeof reads / sizeof reads[0]; i++) {
            before[i] = get(reads[i], NULL, NULL);
            cr_assert_eq(before[i].status, 200, "%s", reads[i]);
            /* Asked twice, the second from the cache: the same bytes. */
            th_response again = get(reads[i], NULL, NULL);
            cr_assert_str_eq(again.etag, before[i].etag, "%s", reads[i]);
            cr_assert_eq(again.len, before[i].len);
            cr_assert(memcmp(again.body, before[i].body, again.len) == 0, "%s", reads[i]);
            th_response_free(&again);
        }
        record_signature(parties[round], "2020-01-02");
        /* The very next read, on whichever worker takes it, is the new one. */
        for (size_t i = 0; i < sizeof reads / sizeof reads[0]; i++) {
            th_response after = get(reads[i], NULL, NULL);
            cr_assert_eq(after.status, 200);
            cr_assert_str_neq(after.etag, before[i].etag, "%s after a write keeps the old tag", reads[i]);
            if (strcmp(reads[i], "/en/") != 0 && strncmp(reads[i], "/api/v1/parties/", 16) != 0)
                cr_assert(after.len != before[i].len || memcmp(after.body, before[i].body, after.len) != 0,
                          "%s after a write is the old answer", reads[i]);
            th_response_free(&after);
            th_response_free(&before[i]);
        }
    }
    cr_assert_gt(cache_counter("hits"), 0);
}

Test(http_respcache, a_hit_is_counted_and_the_query_is_normalized)
{
    th_response a = get(STATUS "?as_of=2019-07-15&format=json", NULL, NULL);
    cr_assert_eq(a.status, 200);
    long long hits = cache_counter("hits");
    th_response b = get(STATUS "?format=json&as_of=2019-07-15", NULL, NULL);
    cr_assert_eq(b.status, 200);
    cr_assert_eq(cache_counter("hits"), hits + 1, "the same arguments in another order are the same answer");
    cr_assert_str_eq(a.etag, b.etag);
    cr_assert_eq(a.len, b.len);
    /* A repeated argument is read first-wins: another order, another answer. */
    th_response c = get(STATUS "?as_of=2019-07-15&as_of=2010-01-01", NULL, NULL);
    th_response d = get(STATUS "?as_of=2010-01-01&as_of=2019-07-15", NULL, NULL);
    cr_assert(c.len != d.len || memcmp(c.body, d.body, c.len) != 0);
    th_response_free(&a);
    th_response_free(&b);
    th_response_free(&c);
    th_response_free(&d);
}

Test(http_respcache, tags_304_and_headers)
{
    th_response r = get(STATUS "?as_of=2019-07-15", NULL, NULL);
    cr_assert_eq(r.status, 200);
    cr_assert(r.etag[0] == '"', "a strong tag: %s", r.etag);
    cr_assert_str_eq(r.cache_control, "public, no-cache");
    cr_assert_str_eq(r.vary, "Accept-Encoding");
    cr_assert_str_eq(r.allow_origin, "*");
    cr_assert(r.nosniff && r.frame_deny && r.csp, "the security headers");
    char inm[200];
    snprintf(inm, sizeof inm, "If-None-Match: %s", r.etag);
    th_response nm = get(STATUS "?as_of=2019-07-15", inm, NULL);
    cr_assert_eq(nm.status, 304);
    cr_assert_str_eq(nm.etag, r.etag);
    cr_assert_eq(nm.len, 0);
    th_response_free(&nm);
    /* In a list, and weak. */
    snprintf(inm, sizeof inm, "If-None-Match: \"other\", W/%s", r.etag);
    nm = get(STATUS "?as_of=2019-07-15", inm, NULL);
    cr_assert_eq(nm.status, 304);
    th_response_free(&nm);
    nm = get(STATUS "?as_of=2019-07-15", "If-None-Match: \"1-20000101\"", NULL);
    cr_assert_eq(nm.status, 200);
    th_response_free(&nm);
    th_response_free(&r);
}

Test(http_respcache, the_gzip_variant_for_clients_that_accept_it)
{
    th_response plain = get(STATUS, NULL, NULL);
    th_response gz = get(STATUS, "Accept-Encoding: gzip, deflate", NULL);
    cr_assert_eq(gz.status, 200);
    cr_assert_str_eq(gz.content_encoding, "gzip");
    cr_assert_eq(plain.content_encoding[0], '\0');
    cr_assert_lt(gz.len, plain.len);
    cr_assert(gz.len > 2 && (unsigned char)gz.body[0] == 0x1f && (unsigned char)gz.body[1] == 0x8b, "gzip magic");
    cr_assert_str_neq(gz.etag, plain.etag, "each encoding has its own tag");
    th_response refused = get(STATUS, "Accept-Encoding: gzip;q=0, identity", NULL);
    cr_assert_eq(refused.content_encoding[0], '\0');
    cr_assert_eq(refused.len, plain.len);
    th_response_free(&plain);
    th_response_free(&gz);
    th_response_free(&refused);
}

Test(http_respcache, immutable_answers_keep_their_lifetime)
{
    th_response home = get("/en/", NULL, NULL);
    cr_assert_eq(home.status, 200);
    const char *css = strstr(home.body, "/static/");
    cr_assert_not_null(css, "the page links its stylesheet");
    char path[256];
    snprintf(path, sizeof path, "%.*s", (int)strcspn(css, "\""), css);
    for (int i = 0; i < 2; i++) {
        th_response r = get(path, NULL, NULL);
        cr_assert_eq(r.status, 200, "%s", path);
        cr_assert_str_eq(r.cache_control, "public, max-age=31536000, immutable");
        th_response_free(&r);
    }
    th_response_free(&home);
}

Test(http_respcache, callers_with_credentials_are_answered_for_themselves)
{
    th_response pub = get("/api/v1/assistance/needs", NULL, NULL);
    cr_assert_eq(pub.status, 200);
    pub = (th_response_free(&pub), get("/api/v1/assistance/needs", NULL, NULL));
    long long hits = cache_counter("hits"), misses = cache_counter("misses");
    char auth[200];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", fx.admin);
    th_response mine = get("/api/v1/assistance/needs", auth, NULL);
    cr_assert_eq(mine.status, 200);
    cr_assert_str_eq(mine.cache_control, "private, no-store");
    cr_assert_eq(mine.allow_origin[0], '\0', "a private answer is not open to other origins");
    cr_assert_eq(cache_counter("hits"), hits, "not from the cache");
    cr_assert_eq(cache_counter("misses"), misses, "not kept either");
    /* A bad token goes through access control too, not past it to the cache. */
    th_response bad = get("/api/v1/assistance/needs", "Authorization: Bearer nope", NULL);
    cr_assert_eq(cache_counter("hits"), hits);
    th_response_free(&bad);
    th_response_free(&mine);
    th_response_free(&pub);
}

/* An OPTIONS request with the preflight headers. */
static th_response preflight(const char *path, const char *method)
{
    char url[512], asked[80];
    snprintf(url, sizeof url, "%s%s", fx.server.base, path);
    snprintf(asked, sizeof asked, "Access-Control-Request-Method: %s", method);
    const char *headers[] = {"Origin: https://notebook.example.org", asked, NULL};
    th_response r;
    th_http(&r, "OPTIONS", url, headers, NULL, 0);
    return r;
}

Test(http_respcache, cors_for_public_reads_only)
{
    th_response r = preflight(STATUS, "GET");
    cr_assert_eq(r.status, 204);
    cr_assert_str_eq(r.allow_origin, "*");
    th_response_free(&r);
    /* /healthz is public but never cached: open all the same. */
    th_response hz = get("/healthz", NULL, NULL);
    cr_assert_eq(hz.status, 200);
    cr_assert_str_eq(hz.allow_origin, "*");
    th_response_free(&hz);
    /* A write, or a private route: no preflight, no header. */
    const char *closed[][2] = {{ACTIONS, "POST"}, {"/api/v1/users", "GET"}, {"/api/v1/me", "GET"},
                               {"/api/v1/login", "POST"}, {"/api/v1/tokens", "POST"}};
    for (size_t i = 0; i < sizeof closed / sizeof closed[0]; i++) {
        r = preflight(closed[i][0], closed[i][1]);
        cr_assert_eq(r.status, 405, "%s %s", closed[i][1], closed[i][0]);
        cr_assert_eq(r.allow_origin[0], '\0', "%s %s", closed[i][1], closed[i][0]);
        th_response_free(&r);
    }
    char auth[200];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", fx.admin);
    r = get("/api/v1/me", auth, NULL);
    cr_assert_eq(r.status, 200);
    cr_assert_eq(r.allow_origin[0], '\0');
    th_response_free(&r);
}
