/* http-access: the authorization matrix, generated from the route table:
 * every route × every kind of caller gets exactly the status its rule
 * implies, and a refused request changes nothing. Plus sessions, CSRF,
 * logout, throttling and security headers over real HTTP. */
#include <criterion/criterion.h>
#include <curl/curl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"
#include "util/clock.h"
#include "http/http.h"
#include "util/clock.h"
#include "util/date.h"

/* The callers of the matrix. */
enum caller { ANONYMOUS, ADMIN, DEPOSITARY, FOCAL_KAZ, FOCAL_TUR, REVIEWER, COORDINATOR, NCALLERS };
static const char *const caller_names[] = {"anonymous", "admin", "depositary", "focal_point(KAZ)",
                                           "focal_point(TUR)", "reviewer", "coordinator"};

/* Who each route admits, written out independently of the server's own
 * rules: a route missing here fails the test, so adding a route means
 * deciding its row of the matrix. */
static const struct {
    const char *route; /* "METHOD pattern" as in http_routes[] */
    unsigned allowed;  /* bit per caller */
} expected[] = {
#define ALL ((1u << NCALLERS) - 1)
#define SIGNED_IN (ALL & ~(1u << ANONYMOUS))
#define ONLY(c) (1u << (c))
    {"GET /", ALL},
    {"GET /api", ALL},
    {"GET /healthz", ALL},
    {"GET /api/v1/instruments", ALL},
    {"GET /api/v1/instruments/{slug}", ALL},
    {"GET /api/v1/instruments/{slug}/status", ALL},
    {"GET /api/v1/instruments/{slug}/actions", ALL},
    {"POST /api/v1/instruments/{slug}/actions", ONLY(ADMIN) | ONLY(DEPOSITARY)},
    {"GET /api/v1/instruments/{slug}/notifications", ALL},
    {"GET /api/v1/parties", ALL},
    {"GET /api/v1/parties/{code}", ALL},
    {"GET /api/v1/groups", ALL},
    {"GET /api/v1/groups/{code}", ALL},
    {"GET /api/v1/log", ALL},
    {"GET /api/v1/log/entries", ALL},
    {"GET /api/v1/log/proof/inclusion", ALL},
    {"GET /api/v1/log/proof/consistency", ALL},
    {"GET /api/v1/log/key", ALL},
    {"GET /api/v1/instruments/{slug}/cycles", ALL},
    {"POST /api/v1/instruments/{slug}/cycles", ONLY(ADMIN) | ONLY(DEPOSITARY)},
    {"POST /api/v1/instruments/{slug}/reported-totals", ONLY(ADMIN) | ONLY(DEPOSITARY)},
    {"POST /api/v1/instruments/{slug}/cycles/{cycle}/reports", ONLY(FOCAL_KAZ)},
    {"GET /api/v1/instruments/{slug}/cycles/{cycle}/reports/{party}", ONLY(FOCAL_KAZ) | ONLY(ADMIN) | ONLY(REVIEWER)},
    {"POST /api/v1/instruments/{slug}/cycles/{cycle}/reviews", ONLY(REVIEWER)},
    {"GET /api/v1/instruments/{slug}/cycles/{cycle}/ratings", ALL},
    {"GET /api/v1/instruments/{slug}/matrix", ALL},
    {"GET /api/v1/instruments/{slug}/trajectory", ALL},
    {"GET /api/v1/instruments/{slug}/summary", ALL},
    {"GET /api/v1/regions", ALL},
    {"GET /api/v1/log/restricted/{index}", ONLY(FOCAL_KAZ) | ONLY(ADMIN) | ONLY(REVIEWER)},
    {"POST /api/v1/instruments/{slug}/cycles/{cycle}/submissions", ONLY(FOCAL_KAZ)},
    {"POST /api/v1/instruments/{slug}/cycles/{cycle}/releases", ONLY(FOCAL_KAZ)},
    {"POST /api/v1/instruments/{slug}/cycles/{cycle}/attachments", ONLY(FOCAL_KAZ)},
    /* A file KAZ uploaded and no released report lists. */
    {"GET /api/v1/attachments/{sha256}", ONLY(FOCAL_KAZ) | ONLY(ADMIN) | ONLY(REVIEWER)},
    {"GET /api/v1/instruments/{slug}/cycles/{cycle}/progress", ALL},
    {"GET /api/v1/instruments/{slug}/cycles/{cycle}/published", ALL},
    {"GET /api/v1/instruments/{slug}/cycles/{cycle}/template", ONLY(FOCAL_KAZ) | ONLY(ADMIN) | ONLY(REVIEWER)},
    {"POST /api/v1/instruments/{slug}/cycles/{cycle}/imports", ONLY(FOCAL_KAZ)},
    {"POST /api/v1/login", ALL},
    {"POST /api/v1/logout", SIGNED_IN},
    {"GET /api/v1/me", SIGNED_IN},
    {"POST /api/v1/me/password", SIGNED_IN},
    {"GET /api/v1/users", ONLY(ADMIN)},
    {"POST /api/v1/users", ONLY(ADMIN)},
    {"GET /api/v1/users/{id}", ONLY(ADMIN)},
    {"POST /api/v1/users/{id}", ONLY(ADMIN)},
    {"GET /api/v1/tokens", SIGNED_IN},
    {"POST /api/v1/tokens", SIGNED_IN},
    {"DELETE /api/v1/tokens/{id}", SIGNED_IN},
    {"GET /api/v1/security-log", ONLY(ADMIN)},
    {"GET /api/v1/assistance/entities", ALL},
    {"POST /api/v1/assistance/entities", ONLY(ADMIN) | ONLY(DEPOSITARY)},
    {"GET /api/v1/assistance/entities/{entity}", ALL},
    {"GET /api/v1/assistance/offices", ALL},
    {"POST /api/v1/assistance/offices", ONLY(ADMIN) | ONLY(DEPOSITARY)},
    {"GET /api/v1/assistance/by-entity", ALL},
    {"GET /api/v1/assistance/needs", ALL},
    {"POST /api/v1/assistance/needs", ONLY(FOCAL_KAZ)},
    {"POST /api/v1/assistance/needs/from-report", ONLY(FOCAL_KAZ)},
    /* A restricted need of Kazakhstan: its state, the secretariat,
     * reviewers and admins; not the coordinator, not Türkiye. */
    {"GET /api/v1/assistance/needs/{need}", ONLY(FOCAL_KAZ) | ONLY(ADMIN) | ONLY(DEPOSITARY) | ONLY(REVIEWER)},
    {"GET /api/v1/assistance/needs/{need}/matches", ONLY(FOCAL_KAZ) | ONLY(ADMIN) | ONLY(DEPOSITARY) | ONLY(REVIEWER)},
    /* The restricted need of Kazakhstan: its state and admins; not the
     * coordinator of the offer's entity, for whom it is hidden. */
    {"POST /api/v1/assistance/needs/{need}/links", ONLY(FOCAL_KAZ) | ONLY(ADMIN)},
    {"GET /api/v1/assistance/offers", ALL},
    /* For UNODC, whose coordinator is the matrix's. */
    {"POST /api/v1/assistance/offers", ONLY(ADMIN) | ONLY(COORDINATOR)},
    {"POST /api/v1/assistance/activities", ONLY(ADMIN) | ONLY(COORDINATOR)},
    {"GET /api/v1/assistance/activities", ALL},
    {"GET /api/v1/assistance/countries/{country}", ALL},
    {"GET /api/v1/assistance/gaps", ALL},
    {"GET /api/v1/assistance/overlaps", ALL},
    {"GET /api/v1/assistance/matrix", ALL},
    {"GET /api/v1/assistance/frameworks/{framework}/{item}", ALL},
    {"POST /api/v1/assistance/framework-links", ONLY(ADMIN) | ONLY(DEPOSITARY)},
    {"GET /api/v1/assistance/events", ALL},
    {"POST /api/v1/assistance/events", ONLY(ADMIN) | ONLY(DEPOSITARY)},
    {"GET /log/checkpoint", ALL},
    {"GET /log/tile/{*}", ALL},
    {"GET /{lang}/workspace/sign-in", ALL},
    {"POST /{lang}/workspace/sign-in", ALL},
    {"POST /{lang}/workspace/sign-out", SIGNED_IN},
    {"GET /{lang}/workspace/reports/{slug}/{cycle}/{party}", ONLY(FOCAL_KAZ) | ONLY(ADMIN) | ONLY(REVIEWER)},
    {"POST /{lang}/workspace/reports/{slug}/{cycle}/{party}", ONLY(FOCAL_KAZ)},
    {"GET /{lang}/workspace/", SIGNED_IN},
    {"GET /{lang}/workspace/account", SIGNED_IN},
    {"POST /{lang}/workspace/account/password", SIGNED_IN},
    {"POST /{lang}/workspace/account/tokens", SIGNED_IN},
    {"GET /{lang}/workspace/account/password", SIGNED_IN},
    {"GET /{lang}/workspace/account/tokens", SIGNED_IN},
    {"GET /{lang}/workspace/admin/accounts", ONLY(ADMIN)},
    {"POST /{lang}/workspace/admin/accounts", ONLY(ADMIN)},
    {"GET /{lang}/workspace/admin/accounts/{id}", ONLY(ADMIN)},
    {"POST /{lang}/workspace/admin/accounts/{id}", ONLY(ADMIN)},
    {"GET /{lang}/workspace/admin/security-log", ONLY(ADMIN)},
    {"POST /{lang}/workspace/reports/{slug}/{cycle}/{party}/import", ONLY(FOCAL_KAZ)},
    {"GET /{lang}/workspace/depositary", ONLY(ADMIN) | ONLY(DEPOSITARY)},
    {"POST /{lang}/workspace/depositary/actions", ONLY(ADMIN) | ONLY(DEPOSITARY)},
    {"POST /{lang}/workspace/depositary/cycles", ONLY(ADMIN) | ONLY(DEPOSITARY)},
    {"POST /{lang}/workspace/depositary/reported-totals", ONLY(ADMIN) | ONLY(DEPOSITARY)},
    {"GET /{lang}/workspace/reviews", ONLY(REVIEWER)},
    {"GET /{lang}/workspace/reviews/{slug}/{cycle}/{party}/{provision}", ONLY(REVIEWER)},
    {"POST /{lang}/workspace/reviews/{slug}/{cycle}/{party}/{provision}", ONLY(REVIEWER)},
    /* The workspace's assistance pages: as the API's needs and offers. */
    {"GET /{lang}/workspace/assistance/needs/{party}", ONLY(FOCAL_KAZ) | ONLY(ADMIN) | ONLY(REVIEWER)},
    {"POST /{lang}/workspace/assistance/needs/{party}", ONLY(FOCAL_KAZ)},
    {"GET /{lang}/workspace/assistance/providers/{entity}", ONLY(ADMIN) | ONLY(COORDINATOR)},
    {"GET /{lang}/workspace/assistance/providers/{entity}/offices/{office}", ONLY(ADMIN) | ONLY(COORDINATOR)},
    {"POST /{lang}/workspace/assistance/providers/{entity}/offers", ONLY(ADMIN) | ONLY(COORDINATOR)},
    {"POST /{lang}/workspace/assistance/providers/{entity}/activities", ONLY(ADMIN) | ONLY(COORDINATOR)},
    {"GET /static/{file}", ALL},
    {"GET /feeds/notifications.atom", ALL},
    {"GET /ar/", ALL}, {"GET /ar/{*}", ALL}, {"GET /zh/", ALL}, {"GET /zh/{*}", ALL},
    {"GET /en/", ALL}, {"GET /en/{*}", ALL}, {"GET /fr/", ALL}, {"GET /fr/{*}", ALL},
    {"GET /ru/", ALL}, {"GET /ru/{*}", ALL}, {"GET /es/", ALL}, {"GET /es/{*}", ALL},
};

/* The query of routes whose party is in it (their body is not JSON). */
static const struct {
    const char *route, *query;
} queries[] = {
    {"POST /api/v1/instruments/{slug}/cycles/{cycle}/attachments", "?party=KAZ&name=probe.pdf"},
    {"GET /api/v1/attachments/{sha256}", "?party=KAZ"},
    {"GET /api/v1/instruments/{slug}/cycles/{cycle}/template", "?party=KAZ"},
    {"POST /api/v1/instruments/{slug}/cycles/{cycle}/imports", "?party=KAZ"},
    {"GET /api/v1/assistance/by-entity", "?entity=unodc/almaty"},
};

static char *dir, *db;
static char tokens[NCALLERS][64];
static char admin_id[40];
static char draft_index[24]; /* a restricted log entry about KAZ */
static char upload_hash[65]; /* a file uploaded by KAZ, not released */
static char need_id[65];     /* a restricted assistance need of KAZ */
static th_server server;

/* Creates caller 'c' as account caller<c>@example.org with a token. */
static void make_caller(enum caller c, const char *role, const char *scope)
{
    char email[64];
    snprintf(email, sizeof email, "caller%d@example.org", (int)c);
    th_make_user(dir, db, email, role, scope, tokens[c]);
}

static void setup(void)
{
    cr_assert_geq(sodium_init(), 0);
    setenv("ACCORD_PWHASH", "interactive", 1);
    dir = th_tempdir();
    db = th_make_db(dir, true, tokens[ADMIN]);
    make_caller(DEPOSITARY, "depositary", NULL);
    make_caller(FOCAL_KAZ, "focal_point", "KAZ");
    make_caller(FOCAL_TUR, "focal_point", "TUR");
    make_caller(REVIEWER, "reviewer", NULL);
    make_caller(COORDINATOR, "coordinator", "unodc");
    char *out;
    const char *list[] = {"user", "list", "--db", db, NULL};
    cr_assert_eq(th_run_accord(&out, list), 0);
    free(out);
    store *s = th_open(db);
    store_stmt *st;
    cr_assert_eq(store_query(s, &st, "SELECT id FROM account WHERE role = 'admin'", ""), 0);
    cr_assert_eq(store_step(st), STORE_ROW);
    snprintf(admin_id, sizeof admin_id, "%s", store_col_text(st, 0));
    store_stmt_close(st);
    store_close(s);
    const char *assist[] = {"assistance", "load", "--db", db, th_source_path("data/assistance.json"), NULL};
    cr_assert_eq(th_run_accord(NULL, assist), 0);
    th_server_start(&server, db);
    /* A reporting cycle and a draft by Kazakhstan, for the party routes. */
    char url[256], auth[128];
    snprintf(url, sizeof url, "%s/api/v1/instruments/code-of-conduct/cycles", server.base);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", tokens[DEPOSITARY]);
    const char *h1[] = {"Content-Type: application/json", auth, NULL};
    const char *cycle = "{\"code\":\"2026\",\"name\":\"First cycle\",\"opens_on\":\"2026-01-01\",\"due_on\":\"2026-12-31\"}";
    th_response r;
    th_http(&r, "POST", url, h1, cycle, strlen(cycle));
    cr_assert_eq(r.status, 201, "%s", r.body);
    th_response_free(&r);
    snprintf(url, sizeof url, "%s/api/v1/instruments/code-of-conduct/cycles/2026/reports", server.base);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", tokens[FOCAL_KAZ]);
    const char *draft = "{\"party\":\"KAZ\",\"provision\":1,\"status\":\"in_progress\",\"narrative\":\"matrix\"}";
    th_http(&r, "POST", url, h1, draft, strlen(draft));
    cr_assert_eq(r.status, 201, "%s", r.body);
    snprintf(draft_index, sizeof draft_index, "%lld", (long long)json_integer_value(json_object_get(r.json, "log_index")));
    th_response_free(&r);
    snprintf(url, sizeof url, "%s/api/v1/instruments/code-of-conduct/cycles/2026/attachments?party=KAZ&name=law.pdf",
             server.base);
    size_t len;
    unsigned char *pdf = th_fixture("pdf", &len);
    th_http(&r, "POST", url, h1, (const char *)pdf, len);
    cr_assert_eq(r.status, 201, "%s", r.body);
    snprintf(upload_hash, sizeof upload_hash, "%s", json_string_value(json_object_get(r.json, "sha256")));
    th_response_free(&r);
    free(pdf);
    snprintf(url, sizeof url, "%s/api/v1/assistance/needs", server.base);
    const char *need = "{\"beneficiary\":\"KAZ\",\"access\":\"restricted\",\"title\":\"matrix\",\"priority\":\"high\"}";
    th_http(&r, "POST", url, h1, need, strlen(need));
    cr_assert_eq(r.status, 201, "%s", r.body);
    snprintf(need_id, sizeof need_id, "%s", json_string_value(json_object_get(r.json, "id")));
    th_response_free(&r);
    /* An offer of UNODC, for linking the need to. */
    snprintf(url, sizeof url, "%s/api/v1/assistance/offers", server.base);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", tokens[ADMIN]);
    const char *offer = "{\"id\":\"probe-offer\",\"provider\":\"unodc\",\"title\":\"matrix\",\"thematic\":\"15210\"}";
    th_http(&r, "POST", url, h1, offer, strlen(offer));
    cr_assert_eq(r.status, 201, "%s", r.body);
    th_response_free(&r);
}

static void teardown(void)
{
    th_server_stop(&server);
    th_rmtree(dir);
    free(dir);
    free(db);
}

TestSuite(access, .init = setup, .fini = teardown, .timeout = 120);

/* A concrete path for a route pattern. */
static void concrete_path(const char *pattern, char *out, size_t len)
{
    out[0] = '\0';
    size_t used = 0;
    for (const char *p = pattern; *p && used + 1 < len;) {
        if (*p == '{') {
            const char *end = strchr(p, '}');
            char name[16];
            snprintf(name, sizeof name, "%.*s", (int)(end - p - 1), p + 1);
            const char *v = strcmp(name, "slug") == 0 ? "code-of-conduct"
                            : strcmp(name, "code") == 0 ? (strstr(pattern, "groups") ? "turkic-council" : "KAZ")
                            : strcmp(name, "id") == 0 ? (strstr(pattern, "tokens") ? "999999" : admin_id)
                            : strcmp(name, "*") == 0 ? "0/000.p/1"
                            : strcmp(name, "cycle") == 0 ? "2026"
                            : strcmp(name, "party") == 0 ? "KAZ"
                            : strcmp(name, "index") == 0 ? draft_index
                            : strcmp(name, "sha256") == 0 ? upload_hash
                            : strcmp(name, "need") == 0 ? need_id
                            : strcmp(name, "entity") == 0 ? "unodc"
                            : strcmp(name, "country") == 0 ? "KAZ"
                            : strcmp(name, "framework") == 0 ? "sdg"
                            : strcmp(name, "item") == 0 ? "16.a"
                            : strcmp(name, "lang") == 0 ? "en"
                                                     : "x";
            used += (size_t)snprintf(out + used, len - used, "%s", v);
            p = end + 1;
        } else {
            out[used++] = *p++;
            out[used] = '\0';
        }
    }
}

/* Digest of everything a refused request must leave alone: the public
 * tables and log, and the private account tables. */
static void full_digest(char out[65])
{
    static const char *const accounts[] = {
        "SELECT id, email, role, scope, disabled, password_hash FROM account ORDER BY id",
        "SELECT id, name, revoked_at, expires_at FROM api_token ORDER BY id", NULL};
    store *s = th_open(db);
    th_state_digest_with(s, accounts, out);
    store_close(s);
}

static unsigned expected_for(const http_route *r, const char **query)
{
    char key[200];
    snprintf(key, sizeof key, "%s %s", r->method, r->pattern);
    *query = "";
    for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++)
        if (strcmp(queries[i].route, key) == 0)
            *query = queries[i].query;
    for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++)
        if (strcmp(expected[i].route, key) == 0)
            return expected[i].allowed;
    cr_assert_fail("route %s has no row in the authorization matrix: decide who may call it", key);
    return 0;
}

/* The response cache's hits so far, from /healthz. */
static long long cache_hits(void)
{
    char url[256];
    snprintf(url, sizeof url, "%s/healthz", server.base);
    th_response r;
    th_http(&r, "GET", url, NULL, NULL, 0);
    cr_assert_eq(r.status, 200);
    long long n = json_integer_value(json_object_get(json_object_get(r.json, "cache"), "hits"));
    th_response_free(&r);
    return n;
}

Test(access, every_route_times_every_caller)
{
    int routes = 0, refused = 0;
    long long hits = cache_hits();
    for (const http_route *r = http_routes; r->pattern; r++, routes++) {
        const char *query;
        unsigned allowed = expected_for(r, &query);
        char path[256], url[512];
        concrete_path(r->pattern, path, sizeof path);
        snprintf(url, sizeof url, "%s%s%s", server.base, path, query);
        for (int c = 0; c < NCALLERS; c++) {
            char auth[128];
            snprintf(auth, sizeof auth, "Authorization: Bearer %s", tokens[c]);
            const char *headers[] = {"Content-Type: application/json", c == ANONYMOUS ? NULL : auth, NULL};
            bool write = strcmp(r->method, "GET") != 0;
            char before[65], after[65];
            full_digest(before);
            th_response resp;
            /* An empty object: enough to pass the door, never enough to
             * change anything. */
            /* Requests about a party name Kazakhstan. */
            const char *probe = r->rule == RULE_PARTY_WRITER  ? "{\"party\":\"KAZ\"}"
                                : r->rule == RULE_COORDINATOR ? "{\"provider\":\"unodc\",\"implementing\":\"unodc\"}"
                                : r->rule == RULE_NEED_LINKER ? "{\"offer\":\"probe-offer\"}"
                                                              : "{}";
            th_http(&resp, r->method, url, headers, write ? probe : NULL, write ? strlen(probe) : 0);
            bool ok = allowed & (1u << c);
            /* Only an anonymous read of a route marked cacheable may come
             * from the cache; only a public read that is not private may
             * be open to other origins. */
            long long now = cache_hits();
            bool public_read = r->rule == RULE_PUBLIC && !write;
            if (c != ANONYMOUS || r->cache == HTTP_CACHE_NEVER)
                cr_assert_eq(now, hits, "%s %s as %s was answered from the cache", r->method, path, caller_names[c]);
            hits = now;
            if (!public_read || strncmp(resp.cache_control, "private", 7) == 0 ||
                strstr(resp.cache_control, "no-store"))
                cr_assert_eq(resp.allow_origin[0], '\0', "%s %s as %s: a private answer is open to other origins",
                             r->method, path, caller_names[c]);
            else
                cr_assert_str_eq(resp.allow_origin, "*", "%s %s as %s: a public read", r->method, path,
                                 caller_names[c]);
            if (ok) {
                cr_assert(resp.status != 401 && resp.status != 403,
                          "%s %s as %s: got %ld, the caller is admitted", r->method, path, caller_names[c], resp.status);
            } else {
                /* The workspace's pages send the anonymous to its sign-in
                 * page and answer a refusal with a page, not JSON. */
                bool page = strstr(r->pattern, "/workspace/") != NULL;
                long want = c == ANONYMOUS ? (page ? 303 : 401) : 403;
                cr_assert_eq(resp.status, want, "%s %s as %s: got %ld, want %ld (%s)", r->method, path,
                             caller_names[c], resp.status, want, resp.body);
                if (page)
                    cr_assert(want == 303 || strstr(resp.content_type, "text/html"), "%s %s", r->method, path);
                else
                    cr_assert_str_eq(th_error_code(&resp), want == 401 ? "unauthorized" : "forbidden");
                full_digest(after);
                cr_assert_str_eq(before, after, "%s %s as %s was refused but changed state", r->method, path,
                                 caller_names[c]);
                refused++;
            }
            th_response_free(&resp);
        }
    }
    cr_assert_eq((size_t)routes, sizeof expected / sizeof expected[0],
                 "the matrix has rows for routes that no longer exist");
    cr_log_info("authorization matrix: %d routes x %d callers, %d refusals checked", routes, NCALLERS, refused);
}

/* Signs in as the depositary over HTTP; returns the cookie and CSRF token. */
static int last_retry_after;

static long login(const char *email, const char *password, char *cookie, size_t clen, char *csrf, size_t xlen)
{
    char url[256], body[256];
    snprintf(url, sizeof url, "%s/api/v1/login", server.base);
    snprintf(body, sizeof body, "{\"email\":\"%s\",\"password\":\"%s\"}", email, password);
    const char *headers[] = {"Content-Type: application/json", NULL};
    th_response r;
    th_http(&r, "POST", url, headers, body, strlen(body));
    long status = r.status;
    last_retry_after = r.retry_after;
    if (status == 200) {
        const char *token = json_string_value(json_object_get(r.json, "csrf_token"));
        cr_assert_not_null(token);
        snprintf(csrf, xlen, "%s", token);
        cr_assert(r.set_cookie[0], "login sets a cookie");
        cr_assert(strstr(r.set_cookie, "HttpOnly") && strstr(r.set_cookie, "SameSite=Strict") &&
                      strstr(r.set_cookie, "Path=/"),
                  "%s", r.set_cookie);
        snprintf(cookie, clen, "Cookie: %.*s", (int)strcspn(r.set_cookie, ";"), r.set_cookie);
    }
    th_response_free(&r);
    return status;
}

static long call(const char *method, const char *path, const char *h1, const char *h2, const char *body)
{
    char url[256];
    snprintf(url, sizeof url, "%s%s", server.base, path);
    const char *headers[] = {"Content-Type: application/json", h1, h2, NULL};
    th_response r;
    th_http(&r, method, url, headers, body, body ? strlen(body) : 0);
    long status = r.status;
    th_response_free(&r);
    return status;
}

Test(access, sessions_need_csrf_for_changes_and_end_at_logout)
{
    char cookie[200], csrf[64], xcsrf[100];
    cr_assert_eq(login("caller2@example.org", "correct horse battery staple", cookie, sizeof cookie, csrf, sizeof csrf),
                 200);
    snprintf(xcsrf, sizeof xcsrf, "X-CSRF-Token: %s", csrf);
    cr_assert_eq(call("GET", "/api/v1/me", cookie, NULL, NULL), 200);
    const char *tok = "{\"name\":\"from the browser\"}";
    cr_assert_eq(call("POST", "/api/v1/tokens", cookie, NULL, tok), 403, "no CSRF token");
    cr_assert_eq(call("POST", "/api/v1/tokens", cookie, "X-CSRF-Token: wrong", tok), 403, "wrong CSRF token");
    cr_assert_eq(call("POST", "/api/v1/tokens", cookie, xcsrf, tok), 201);
    cr_assert_eq(call("POST", "/api/v1/logout", cookie, xcsrf, "{}"), 200);
    cr_assert_eq(call("GET", "/api/v1/me", cookie, NULL, NULL), 401, "the session ended");
}

Test(access, unknown_user_and_wrong_password_look_the_same)
{
    char cookie[200], csrf[64], url[256];
    snprintf(url, sizeof url, "%s/api/v1/login", server.base);
    const char *headers[] = {"Content-Type: application/json", NULL};
    const char *bodies[] = {"{\"email\":\"caller2@example.org\",\"password\":\"not the right one!\"}",
                            "{\"email\":\"nobody@example.org\",\"password\":\"not the right one!\"}"};
    char first[512] = "";
    for (int i = 0; i < 2; i++) {
        th_response r;
        th_http(&r, "POST", url, headers, bodies[i], strlen(bodies[i]));
        cr_assert_eq(r.status, 401);
        if (i == 0)
            snprintf(first, sizeof first, "%s", r.body);
        else
            cr_assert_str_eq(r.body, first, "the two failures must be indistinguishable");
        th_response_free(&r);
    }
    (void)cookie;
    (void)csrf;
}

Test(access, repeated_failures_are_throttled)
{
    char cookie[200], csrf[64];
    long status = 0;
    int tries = 0, throttled = 0;
    /* Fail until the account must wait at least 3 s: the back-off starts
     * at 1 s and doubles with each further failure. Waits shorter than
     * that are sat out, so that the check below has seconds of margin. */
    while (tries++ < 40) {
        status = login("caller2@example.org", "wrong password here", cookie, sizeof cookie, csrf, sizeof csrf);
        if (status == 401)
            continue;
        cr_assert_eq(status, 429, "a failed sign-in is 401 or, when throttled, 429");
        cr_assert_geq(last_retry_after, 1, "a 429 says how long to wait");
        throttled++;
        if (last_retry_after >= 3)
            break;
        sleep((unsigned)last_retry_after);
    }
    cr_assert_eq(status, 429, "after %d attempts the account is throttled", tries);
    cr_assert_geq(throttled, 2, "the back-off grew from one wait to a longer one");
    /* Even the right password waits now. */
    cr_assert_eq(login("caller2@example.org", "correct horse battery staple", cookie, sizeof cookie, csrf, sizeof csrf),
                 429);
}

/* Signs in as 'email' from source address 'from' (127.0.0.1 or
 * 127.0.0.2: the loopback answers both); returns the status. */
static long login_from(const char *from, const char *email, const char *password)
{
    char url[256], body[256];
    snprintf(url, sizeof url, "%s/api/v1/login", server.base);
    snprintf(body, sizeof body, "{\"email\":\"%s\",\"password\":\"%s\"}", email, password);
    CURL *c = curl_easy_init();
    cr_assert_not_null(c);
    struct curl_slist *list = curl_slist_append(NULL, "Content-Type: application/json");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_INTERFACE, from);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    FILE *devnull = fopen("/dev/null", "w");
    curl_easy_setopt(c, CURLOPT_WRITEDATA, devnull);
    CURLcode rc = curl_easy_perform(c);
    cr_assert_eq(rc, CURLE_OK, "from %s: %s", from, curl_easy_strerror(rc));
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    fclose(devnull);
    curl_slist_free_all(list);
    curl_easy_cleanup(c);
    return status;
}

Test(access, failures_from_one_address_do_not_lock_the_owner_out_at_another)
{
    const char *email = "caller2@example.org", *right = "correct horse battery staple";
    /* A stranger at 127.0.0.1 fails seven times: past the five free
     * failures the wait doubles, so the last leaves a wait of 4 s. A 429
     * on the way is a wait not yet over: sat out, not counted. */
    int failures = 0, tries = 0;
    while (failures < AUTH_THROTTLE_ACCOUNT_FREE + 2 && tries++ < 40) {
        long status = login_from("127.0.0.1", email, "wrong password here");
        cr_assert(status == 401 || status == 429, "got %ld", status);
        if (status == 401)
            failures++;
        else
            sleep(1);
    }
    cr_assert_eq(failures, AUTH_THROTTLE_ACCOUNT_FREE + 2);
    /* The owner, at an address with no failures, signs in at once. */
    cr_assert_eq(login_from("127.0.0.2", email, right), 200, "the owner is not locked out");
    cr_assert_eq(login_from("127.0.0.1", email, right), 429, "the stranger's address still waits");
}

Test(access, disabled_accounts_and_revoked_tokens_are_refused)
{
    char auth[128];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", tokens[REVIEWER]);
    cr_assert_eq(call("GET", "/api/v1/me", auth, NULL, NULL), 200);
    const char *disable[] = {"user", "disable", "--db", db, "caller5@example.org", NULL};
    cr_assert_eq(th_run_accord(NULL, disable), 0);
    cr_assert_eq(call("GET", "/api/v1/me", auth, NULL, NULL), 401);
    const char *enable[] = {"user", "enable", "--db", db, "caller5@example.org", NULL};
    cr_assert_eq(th_run_accord(NULL, enable), 0);
    cr_assert_eq(call("GET", "/api/v1/me", auth, NULL, NULL), 200);

    snprintf(auth, sizeof auth, "Authorization: Bearer %s", tokens[COORDINATOR]);
    char *out;
    const char *list[] = {"token", "list", "--db", db, "--user", "caller6@example.org", NULL};
    cr_assert_eq(th_run_accord(&out, list), 0);
    free(out);
    store *s = th_open(db);
    store_stmt *st;
    cr_assert_eq(store_query(s, &st,
                             "SELECT t.id FROM api_token t JOIN account a ON a.id = t.account WHERE a.email = ?", "s",
                             "caller6@example.org"),
                 0);
    cr_assert_eq(store_step(st), STORE_ROW);
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long)store_col_int(st, 0));
    store_stmt_close(st);
    store_close(s);
    const char *revoke[] = {"token", "revoke", "--db", db, id, NULL};
    cr_assert_eq(th_run_accord(NULL, revoke), 0);
    cr_assert_eq(call("GET", "/api/v1/me", auth, NULL, NULL), 401);
}

Test(access, admins_manage_accounts_over_http)
{
    char auth[128];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", tokens[ADMIN]);
    cr_assert_eq(call("POST", "/api/v1/users", auth, NULL,
                      "{\"email\":\"new@example.org\",\"display_name\":\"New\",\"role\":\"focal_point\","
                      "\"scope\":\"KAZ\",\"password\":\"short\"}"),
                 400, "a short password is refused");
    cr_assert_eq(call("POST", "/api/v1/users", auth, NULL,
                      "{\"email\":\"new@example.org\",\"display_name\":\"New\",\"role\":\"focal_point\","
                      "\"scope\":\"XYZ\",\"password\":\"a long enough passphrase\"}"),
                 404, "a focal point's party must exist");
    cr_assert_eq(call("POST", "/api/v1/users", auth, NULL,
                      "{\"email\":\"new@example.org\",\"display_name\":\"New\",\"role\":\"emperor\","
                      "\"password\":\"a long enough passphrase\"}"),
                 400, "unknown role");
    cr_assert_eq(call("POST", "/api/v1/users", auth, NULL,
                      "{\"email\":\"new@example.org\",\"display_name\":\"New\",\"role\":\"focal_point\","
                      "\"scope\":\"KAZ\",\"password\":\"a long enough passphrase\"}"),
                 201);
    cr_assert_eq(call("POST", "/api/v1/users", auth, NULL,
                      "{\"email\":\"NEW@example.org\",\"display_name\":\"New\",\"role\":\"reviewer\","
                      "\"password\":\"a long enough passphrase\"}"),
                 409, "emails are unique whatever their case");
    char cookie[200], csrf[64];
    cr_assert_eq(login("new@example.org", "a long enough passphrase", cookie, sizeof cookie, csrf, sizeof csrf), 200);
}

/* POSTs 'body' to /api/v1/tokens with header 'h1' (and 'h2'); returns
 * the response (caller frees). */
static th_response post_token(const char *h1, const char *h2, const char *body)
{
    char url[256];
    snprintf(url, sizeof url, "%s/api/v1/tokens", server.base);
    const char *headers[] = {"Content-Type: application/json", h1, h2, NULL};
    th_response r;
    th_http(&r, "POST", url, headers, body, strlen(body));
    return r;
}

Test(access, tokens_made_over_http_expire_and_never_outlive_their_maker)
{
    char auth[128], child[128];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", tokens[DEPOSITARY]);
    th_response r = post_token(auth, NULL, "{\"name\":\"forever\",\"expires_at\":\"9999-12-31T00:00:00Z\"}");
    cr_assert_eq(r.status, 400, "%s", r.body);
    cr_assert(strstr(r.body, "maximum token lifetime"), "%s", r.body);
    th_response_free(&r);
    r = post_token(auth, NULL, "{\"name\":\"no expiry asked\"}");
    cr_assert_eq(r.status, 201, "%s", r.body);
    const char *expires = json_string_value(json_object_get(r.json, "expires_at"));
    cr_assert_not_null(expires, "a token made over the API expires: %s", r.body);
    cr_assert_str_eq(json_string_value(json_object_get(r.json, "state")), "active");
    th_response_free(&r);

    /* A token that ends in an hour makes only tokens that end with it. */
    r = post_token(auth, NULL, "{\"name\":\"short\",\"expires_at\":\"2000-01-01T00:00:00Z\"}");
    cr_assert_eq(r.status, 400, "%s", r.body);
    th_response_free(&r);
    char *out;
    const char *mk[] = {"token", "create", "--db", db, "--user", "caller2@example.org", "--name", "a day", "--days", "1",
                        NULL};
    cr_assert_eq(th_run_accord(&out, mk), 0);
    char *tok = strstr(out, "acc_");
    cr_assert_not_null(tok, "%s", out);
    tok[strcspn(tok, "\n")] = '\0';
    snprintf(child, sizeof child, "Authorization: Bearer %s", tok);
    free(out);
    r = post_token(child, NULL, "{\"name\":\"grandchild\",\"expires_at\":\"2099-01-01T00:00:00Z\"}");
    cr_assert_eq(r.status, 400, "%s", r.body);
    cr_assert(strstr(r.body, "expiry of the token that creates it"), "%s", r.body);
    th_response_free(&r);
    r = post_token(child, NULL, "{\"name\":\"grandchild\"}");
    cr_assert_eq(r.status, 201, "%s", r.body);
    th_response_free(&r);

    /* A browser session: no further than the session's end. */
    char cookie[200], csrf[64], xcsrf[100];
    cr_assert_eq(login("caller2@example.org", "correct horse battery staple", cookie, sizeof cookie, csrf, sizeof csrf),
                 200);
    snprintf(xcsrf, sizeof xcsrf, "X-CSRF-Token: %s", csrf);
    r = post_token(cookie, xcsrf, "{\"name\":\"from the browser\",\"expires_at\":\"2099-01-01T00:00:00Z\"}");
    cr_assert_eq(r.status, 400, "%s", r.body);
    cr_assert(strstr(r.body, "end of the session"), "%s", r.body);
    th_response_free(&r);
}

Test(access, the_operator_sets_the_longest_token_lifetime)
{
    const char *bad[] = {"serve", "--db", db, "--port", "0", "--token-max-days", "0", NULL};
    cr_assert_eq(th_run_accord(NULL, bad), 1, "at least a day");
    th_server short_lived;
    const char *args[] = {"serve", "--db", db, "--port", "0", "--token-max-days", "2", NULL};
    th_server_start_cmd(&short_lived, args);
    char url[256], auth[128], body[128], when[21];
    snprintf(url, sizeof url, "%s/api/v1/tokens", short_lived.base);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", tokens[DEPOSITARY]);
    const char *headers[] = {"Content-Type: application/json", auth, NULL};
    date_format_rfc3339(clock_now() + 3 * 86400, when);
    snprintf(body, sizeof body, "{\"name\":\"three days\",\"expires_at\":\"%s\"}", when);
    th_response r;
    th_http(&r, "POST", url, headers, body, strlen(body));
    cr_assert_eq(r.status, 400, "%s", r.body);
    th_response_free(&r);
    date_format_rfc3339(clock_now() + 86400, when);
    snprintf(body, sizeof body, "{\"name\":\"one day\",\"expires_at\":\"%s\"}", when);
    th_http(&r, "POST", url, headers, body, strlen(body));
    cr_assert_eq(r.status, 201, "%s", r.body);
    th_response_free(&r);
    th_server_stop(&short_lived);
}

Test(access, the_security_log_names_the_client_of_every_change)
{
    char auth[128], cookie[200], csrf[64], xcsrf[100];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", tokens[ADMIN]);
    th_response r = post_token(auth, NULL, "{\"name\":\"logged\"}");
    cr_assert_eq(r.status, 201, "%s", r.body);
    char del[64];
    snprintf(del, sizeof del, "/api/v1/tokens/%lld", (long long)json_integer_value(json_object_get(r.json, "id")));
    th_response_free(&r);
    cr_assert_eq(call("DELETE", del, auth, NULL, NULL), 200);
    cr_assert_eq(call("POST", "/api/v1/users", auth, NULL,
                      "{\"email\":\"logged@example.org\",\"display_name\":\"L\",\"role\":\"reviewer\","
                      "\"password\":\"a long enough passphrase\"}"),
                 201);
    cr_assert_eq(login("logged@example.org", "a long enough passphrase", cookie, sizeof cookie, csrf, sizeof csrf), 200);
    snprintf(xcsrf, sizeof xcsrf, "X-CSRF-Token: %s", csrf);
    cr_assert_eq(call("POST", "/api/v1/logout", cookie, xcsrf, "{}"), 200);
    store *s = th_open(db);
    store_stmt *st;
    cr_assert_eq(store_query(s, &st, "SELECT kind, client FROM security_log ORDER BY id", ""), 0);
    int over_http = 0;
    while (store_step(st) == STORE_ROW) {
        const char *kind = store_col_text(st, 0), *client = store_col_text(st, 1);
        cr_assert_not_null(client, "%s has no client", kind);
        if (!strcmp(kind, "token.revoked") || !strcmp(kind, "user.created") || !strcmp(kind, "logout") ||
            !strcmp(kind, "token.created"))
            over_http += strcmp(client, "127.0.0.1") == 0;
    }
    store_stmt_close(st);
    store_close(s);
    cr_assert_eq(over_http, 4, "the token, its revocation, the user and the logout name 127.0.0.1");
}

Test(access, security_headers_on_every_response)
{
    const char *paths[] = {"/", "/api/v1/instruments", "/nope", "/log/checkpoint", "/api/v1/users"};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        char url[256];
        snprintf(url, sizeof url, "%s%s", server.base, paths[i]);
        th_response r;
        th_http(&r, "GET", url, NULL, NULL, 0);
        cr_assert(r.nosniff && r.frame_deny && r.csp, "%s lacks a security header", paths[i]);
        th_response_free(&r);
    }
}
