/* The workspace's account and administrator pages over HTTP: who may see
 * each page (decided by the route table), the password change (page and
 * API), API tokens shown once, the admin's forms writing the same
 * security-log entries as the API, a forged post refused with nothing
 * written, and a disabled account sent to the sign-in page. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"

#define FORM "Content-Type: application/x-www-form-urlencoded"
#define JSON "Content-Type: application/json"
#define PASSWORD "correct+horse+battery+staple"

static th_server server;
static char *dir, *db_path, token[64];

static const char *const emails[] = {"admin@example.org", "dep@example.org", "rev@example.org", "fp@example.org",
                                     "coord@example.org", NULL};

static void start(void)
{
    char t[64];
    dir = th_tempdir();
    db_path = th_make_db(dir, true, token);
    th_make_user(dir, db_path, emails[0], "admin", NULL, t);
    th_make_user(dir, db_path, emails[1], "depositary", NULL, t);
    th_make_user(dir, db_path, emails[2], "reviewer", NULL, t);
    th_make_user(dir, db_path, emails[3], "focal_point", "KAZ", t);
    th_make_user(dir, db_path, emails[4], "coordinator", "unodc", t);
    th_server_start(&server, db_path);
}

static void stop(void) { th_fixture_end(&server, dir, db_path); }

TestSuite(workspace_account, .init = start, .fini = stop, .timeout = 240);

/* Signs 'email' in through the form; the "Cookie: ..." line into 'cookie'. */
static void sign_in(const char *email, const char *password, char *cookie, size_t len)
{
    char body[256];
    snprintf(body, sizeof body, "email=%s&password=%s", email, password);
    th_response r = th_call_with(&server, "POST", "/en/workspace/sign-in", FORM, NULL, body);
    cr_assert_eq(r.status, 303, "%s: %s", email, r.body);
    snprintf(cookie, len, "Cookie: %.*s", (int)strcspn(r.set_cookie, ";"), r.set_cookie);
    th_response_free(&r);
}

/* GETs 'path' with 'cookie' (NULL: anonymous). */
static th_response get(const char *path, const char *cookie)
{
    return th_call_with(&server, "GET", path, cookie, NULL, NULL);
}

/* The hidden CSRF field of the page at 'path', into 'out'. */
static void csrf_of(const char *path, const char *cookie, char *out, size_t len)
{
    th_response r = get(path, cookie);
    const char *at = strstr(r.body, "name=\"csrf_token\" value=\"");
    cr_assert_not_null(at, "no CSRF field on %s: %s", path, r.body);
    at += strlen("name=\"csrf_token\" value=\"");
    snprintf(out, len, "%.*s", (int)strcspn(at, "\""), at);
    th_response_free(&r);
}

/* POSTs form 'fields' to 'path' with the CSRF token of the page 'from'. */
static th_response post(const char *path, const char *from, const char *cookie, const char *fields)
{
    char csrf[96], body[1024];
    csrf_of(from, cookie, csrf, sizeof csrf);
    snprintf(body, sizeof body, "csrf_token=%s&%s", csrf, fields);
    return th_call_with(&server, "POST", path, FORM, cookie, body);
}

/* The id of the account 'email' (from the API, as the admin). */
static void account_id(const char *email, char *out, size_t len)
{
    th_response r = th_call(&server, "GET", "/api/v1/users", token, NULL, NULL, 0);
    size_t i;
    json_t *u;
    out[0] = '\0';
    json_array_foreach(json_object_get(r.json, "users"), i, u)
    if (json_string_value(json_object_get(u, "email")) && strcmp(json_string_value(json_object_get(u, "email")), email) == 0)
        snprintf(out, len, "%s", json_string_value(json_object_get(u, "id")));
    th_response_free(&r);
    cr_assert(out[0], "no account %s", email);
}

/* The newest security-log entry (new object; the caller decrefs). */
static json_t *last_security_event(void)
{
    th_response r = th_call(&server, "GET", "/api/v1/security-log?limit=1", token, NULL, NULL, 0);
    json_t *e = json_incref(json_array_get(json_object_get(r.json, "events"), 0));
    th_response_free(&r);
    return e;
}

/* POSTs JSON 'body' to the API with the session 'cookie' and its token. */
static th_response api_post(const char *path, const char *cookie, const char *body)
{
    char csrf[96], header[128], url[256];
    csrf_of("/en/workspace/", cookie, csrf, sizeof csrf);
    snprintf(header, sizeof header, "X-CSRF-Token: %s", csrf);
    snprintf(url, sizeof url, "%s%s", server.base, path);
    const char *headers[] = {JSON, cookie, header, NULL};
    th_response r;
    th_http(&r, "POST", url, headers, body, strlen(body));
    return r;
}

Test(workspace_account, each_page_shows_only_to_the_roles_the_route_table_names)
{
    static const char *const pages[] = {"/en/workspace/account", "/en/workspace/admin/accounts",
                                        "/en/workspace/admin/security-log", NULL};
    char cookies[5][160], id[64];
    account_id(emails[3], id, sizeof id);
    for (int i = 0; emails[i]; i++)
        sign_in(emails[i], PASSWORD, cookies[i], sizeof cookies[i]);
    char one[128];
    snprintf(one, sizeof one, "/en/workspace/admin/accounts/%s", id);
    for (int p = 0; p < 4; p++) {
        const char *path = p < 3 ? pages[p] : one;
        bool admin_only = p > 0;
        th_response r = get(path, NULL);
        cr_assert_eq(r.status, 303, "anonymous %s", path);
        cr_assert(strstr(r.location, "/en/workspace/sign-in"), "%s", r.location);
        th_response_free(&r);
        for (int i = 0; emails[i]; i++) {
            r = get(path, cookies[i]);
            long want = admin_only && i != 0 ? 403 : 200;
            cr_assert_eq(r.status, want, "%s as %s: %ld", path, emails[i], r.status);
            cr_assert(strstr(r.content_type, "text/html"), "%s as %s is a page", path, emails[i]);
            th_response_free(&r);
        }
    }
}

Test(workspace_account, a_forged_admin_post_is_refused_and_writes_nothing)
{
    static const char *const private_rows[] = {"SELECT id, role, scope, disabled, password_hash FROM account",
                                               "SELECT id, kind FROM security_log WHERE kind NOT LIKE 'login.%'",
                                               NULL};
    char cookie[160], id[64], before[65], after[65], path[128];
    account_id(emails[1], id, sizeof id);
    sign_in(emails[3], PASSWORD, cookie, sizeof cookie);
    store *db = th_open(db_path);
    th_state_digest_with(db, private_rows, before);
    /* The focal point's own valid token, from its own account page. */
    th_response r = post("/en/workspace/admin/accounts", "/en/workspace/account", cookie,
                         "email=new%40example.org&display_name=New&role=admin&password=" PASSWORD
                         "&password_again=" PASSWORD);
    cr_assert_eq(r.status, 403, "%s", r.body);
    cr_assert(strstr(r.content_type, "text/html"));
    th_response_free(&r);
    snprintf(path, sizeof path, "/en/workspace/admin/accounts/%s", id);
    r = post(path, "/en/workspace/account", cookie, "step=disable");
    cr_assert_eq(r.status, 403);
    th_response_free(&r);
    th_state_digest_with(db, private_rows, after);
    cr_assert_str_eq(before, after, "a refused post changed an account or the security log");
    store_close(db);
}

Test(workspace_account, an_admin_form_writes_what_the_api_writes)
{
    char cookie[160], id[64], path[128], body[512];
    sign_in(emails[0], PASSWORD, cookie, sizeof cookie);
    /* A focal point of Kazakhstan from the page. */
    th_response r = post("/en/workspace/admin/accounts", "/en/workspace/admin/accounts", cookie,
                         "email=kz2%40example.org&display_name=KZ+two&role=focal_point&scope=KAZ&password=" PASSWORD
                         "&password_again=" PASSWORD);
    cr_assert_eq(r.status, 303, "%s", r.body);
    cr_assert(strstr(r.location, "/en/workspace/admin/accounts/") && strstr(r.location, "done=created"), "%s",
              r.location);
    th_response_free(&r);
    json_t *page = last_security_event();
    /* The same account from the API, in the same session: the same
     * entry, by the same account from the same address. */
    snprintf(body, sizeof body, "{\"email\":\"kz3@example.org\",\"display_name\":\"KZ three\",\"role\":\"focal_point\","
                                "\"scope\":\"KAZ\",\"password\":\"correct horse battery staple\"}");
    r = api_post("/api/v1/users", cookie, body);
    cr_assert_eq(r.status, 201, "%s", r.body);
    th_response_free(&r);
    json_t *api = last_security_event();
    cr_assert_str_eq(json_string_value(json_object_get(page, "kind")), "user.created");
    cr_assert_str_eq(json_string_value(json_object_get(api, "kind")), "user.created");
    cr_assert_str_eq(json_string_value(json_object_get(page, "detail")), "kz2@example.org, focal_point KAZ");
    cr_assert_str_eq(json_string_value(json_object_get(api, "detail")), "kz3@example.org, focal_point KAZ");
    cr_assert_str_eq(json_string_value(json_object_get(page, "by")), json_string_value(json_object_get(api, "by")));
    cr_assert_str_eq(json_string_value(json_object_get(page, "client")), json_string_value(json_object_get(api, "client")));
    json_decref(page);
    json_decref(api);

    /* The scope rules the API applies: a focal point of no party. */
    r = post("/fr/workspace/admin/accounts", "/fr/workspace/admin/accounts", cookie,
             "email=bad%40example.org&display_name=Bad&role=focal_point&scope=XXX&password=" PASSWORD
             "&password_again=" PASSWORD);
    cr_assert_eq(r.status, 404, "%s", r.body);
    cr_assert(strstr(r.body, "Le compte n&#39;a pas été créé") || strstr(r.body, "Le compte n'a pas été créé"), "%s",
              r.body);
    cr_assert(strstr(r.body, "id=\"scope-problem\""), "the problem beside the scope: %s", r.body);
    cr_assert(strstr(r.body, "value=\"bad@example.org\""), "the form kept: %s", r.body);
    cr_assert_null(strstr(r.body, "correct horse"), "never the password");
    th_response_free(&r);

    /* Disable and enable from the page, as POST /api/v1/users/{id} does. */
    account_id("kz2@example.org", id, sizeof id);
    snprintf(path, sizeof path, "/en/workspace/admin/accounts/%s", id);
    r = post(path, path, cookie, "step=disable");
    cr_assert_eq(r.status, 303, "%s", r.body);
    th_response_free(&r);
    json_t *e = last_security_event();
    cr_assert_str_eq(json_string_value(json_object_get(e, "kind")), "user.disabled");
    cr_assert_str_eq(json_string_value(json_object_get(e, "account")), id);
    json_decref(e);
    r = post(path, path, cookie, "step=enable");
    cr_assert_eq(r.status, 303);
    th_response_free(&r);
    e = last_security_event();
    cr_assert_str_eq(json_string_value(json_object_get(e, "kind")), "user.enabled");
    json_decref(e);
    r = post(path, path, cookie, "step=role&role=coordinator&scope=unodc%2Falmaty");
    cr_assert_eq(r.status, 303, "%s", r.body);
    th_response_free(&r);
    r = th_call(&server, "GET", "/api/v1/users", token, NULL, NULL, 0);
    cr_assert(strstr(r.body, "unodc/almaty"));
    th_response_free(&r);

    /* A password set by the admin: the two must match, then it is set. */
    r = post(path, path, cookie, "step=password&password=a+new+long+passphrase&password_again=another+one+entirely");
    cr_assert_eq(r.status, 400, "%s", r.body);
    cr_assert(strstr(r.body, "The two new passwords differ."));
    th_response_free(&r);
    r = post(path, path, cookie, "step=password&password=a+new+long+passphrase&password_again=a+new+long+passphrase");
    cr_assert_eq(r.status, 303, "%s", r.body);
    th_response_free(&r);
    e = last_security_event();
    cr_assert_str_eq(json_string_value(json_object_get(e, "kind")), "user.password_changed");
    cr_assert_str_eq(json_string_value(json_object_get(e, "account")), id);
    json_decref(e);
    char again[160];
    sign_in("kz2%40example.org", "a+new+long+passphrase", again, sizeof again);

    /* The security log, filtered by the account, newest first. */
    char log[200];
    snprintf(log, sizeof log, "/en/workspace/admin/security-log?account=%s", id);
    r = get(log, cookie);
    cr_assert_eq(r.status, 200);
    const char *role = strstr(r.body, "user.role_changed"), *created = strstr(r.body, "user.created</bdi>");
    cr_assert(role && created && role < created, "newest first: %s", r.body);
    cr_assert_null(strstr(r.body, "<bdi dir=\"ltr\">kz3@example.org</bdi>"), "only the account asked for");
    th_response_free(&r);
}

Test(workspace_account, a_password_change_ends_other_sessions_and_a_wrong_one_is_throttled)
{
    char mine[160], other[160];
    sign_in(emails[2], PASSWORD, mine, sizeof mine);
    sign_in(emails[2], PASSWORD, other, sizeof other);
    /* Wrong current password: the page again, in Spanish, nothing changed. */
    th_response r = post("/es/workspace/account/password", "/es/workspace/account", mine,
                         "current_password=wrong+password+here&password=a+new+long+passphrase&password_again=a+new+long+passphrase");
    cr_assert_eq(r.status, 401, "%s", r.body);
    cr_assert(strstr(r.body, "Esta no es su contraseña actual."), "%s", r.body);
    cr_assert(strstr(r.body, "id=\"current_password-problem\""));
    th_response_free(&r);
    /* Two different new passwords: refused before anything is checked. */
    r = post("/en/workspace/account/password", "/en/workspace/account", mine,
             "current_password=" PASSWORD "&password=a+new+long+passphrase&password_again=another+one+entirely");
    cr_assert_eq(r.status, 400);
    cr_assert(strstr(r.body, "The two new passwords differ."));
    th_response_free(&r);
    r = post("/en/workspace/account/password", "/en/workspace/account", mine,
             "current_password=" PASSWORD "&password=a+new+long+passphrase&password_again=a+new+long+passphrase");
    cr_assert_eq(r.status, 303, "%s", r.body);
    cr_assert_str_eq(r.location, "/en/workspace/account?done=password");
    th_response_free(&r);
    json_t *e = last_security_event();
    cr_assert_str_eq(json_string_value(json_object_get(e, "kind")), "user.password_changed");
    json_decref(e);
    r = get("/en/workspace/account?done=password", mine);
    cr_assert_eq(r.status, 200, "this session goes on");
    cr_assert(strstr(r.body, "Your other sessions have ended."));
    th_response_free(&r);
    r = get("/en/workspace/account", other);
    cr_assert_eq(r.status, 303, "the other session ended");
    cr_assert_str_eq(r.location, "/en/workspace/sign-in?expired=1");
    th_response_free(&r);
    sign_in(emails[2], "a+new+long+passphrase", other, sizeof other);

    /* A wrong current password counts as a failed sign-in: past the free
     * ones, the page says when to try again (429). */
    long status = 0;
    for (int i = 0; i < 8 && status != 429; i++) {
        r = post("/en/workspace/account/password", "/en/workspace/account", mine,
                 "current_password=still+the+wrong+one&password=yet+another+passphrase&password_again=yet+another+passphrase");
        status = r.status;
        if (status == 429)
            cr_assert(strstr(r.body, "Try again after") && r.retry_after > 0, "%s", r.body);
        th_response_free(&r);
    }
    cr_assert_eq(status, 429, "the throttle of sign-in holds for the password change");
    /* And signing in from the same address waits too: the same throttle. */
    r = th_call_with(&server, "POST", "/en/workspace/sign-in", FORM, NULL,
                     "email=rev%40example.org&password=a+new+long+passphrase");
    cr_assert_eq(r.status, 429, "%s", r.body);
    th_response_free(&r);
}

Test(workspace_account, the_api_changes_ones_own_password)
{
    char cookie[160], other[160];
    sign_in(emails[4], PASSWORD, cookie, sizeof cookie);
    sign_in(emails[4], PASSWORD, other, sizeof other);
    th_response r = th_call(&server, "POST", "/api/v1/me/password", NULL, NULL, "{}", 2);
    cr_assert_eq(r.status, 401, "signed in only");
    th_response_free(&r);
    r = api_post("/api/v1/me/password", cookie, "{\"current_password\":\"not it at all\",\"new_password\":\"a new long passphrase\"}");
    cr_assert_eq(r.status, 401, "%s", r.body);
    cr_assert_str_eq(th_error_code(&r), "unauthorized");
    th_response_free(&r);
    r = api_post("/api/v1/me/password", cookie, "{\"current_password\":\"correct horse battery staple\",\"new_password\":\"short\"}");
    cr_assert_eq(r.status, 400, "%s", r.body);
    th_response_free(&r);
    r = api_post("/api/v1/me/password", cookie,
                 "{\"current_password\":\"correct horse battery staple\",\"new_password\":\"a new long passphrase\"}");
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_assert(json_is_true(json_object_get(r.json, "changed")));
    th_response_free(&r);
    r = get("/en/workspace/", other);
    cr_assert_eq(r.status, 303, "the other session ended");
    th_response_free(&r);
    r = get("/en/workspace/", cookie);
    cr_assert_eq(r.status, 200, "the caller's own session goes on");
    th_response_free(&r);
    sign_in(emails[4], "a+new+long+passphrase", other, sizeof other);
}

Test(workspace_account, a_token_is_shown_once_works_and_stops_when_revoked)
{
    char cookie[160], secret[80], bearer[128];
    sign_in(emails[3], PASSWORD, cookie, sizeof cookie);
    th_response r = post("/en/workspace/account/tokens", "/en/workspace/account", cookie,
                         "step=create&name=nightly+export&days=400&current_password=" PASSWORD);
    cr_assert_eq(r.status, 400, "past the maximum lifetime (365 days): %s", r.body);
    cr_assert(strstr(r.body, "id=\"days-problem\""));
    th_response_free(&r);
    r = post("/en/workspace/account/tokens", "/en/workspace/account", cookie,
             "step=create&name=nightly+export&days=90&current_password=" PASSWORD);
    cr_assert_eq(r.status, 201, "%s", r.body);
    cr_assert_str_eq(r.cache_control, "no-store");
    const char *at = strstr(r.body, "value=\"acc_");
    cr_assert_not_null(at, "the secret is on the answer: %s", r.body);
    snprintf(secret, sizeof secret, "%.*s", (int)strcspn(at + 7, "\""), at + 7);
    th_response_free(&r);
    /* Beyond the session: 90 days, as asked. */
    r = th_call(&server, "GET", "/api/v1/tokens", secret, NULL, NULL, 0);
    cr_assert_eq(r.status, 200, "the token works: %s", r.body);
    json_t *t = json_array_get(json_object_get(r.json, "tokens"), json_array_size(json_object_get(r.json, "tokens")) - 1);
    const char *expires = json_string_value(json_object_get(t, "expires_at"));
    json_int_t id = json_integer_value(json_object_get(t, "id"));
    char created[5], ends[5];
    snprintf(created, sizeof created, "%s", json_string_value(json_object_get(t, "created_at")));
    snprintf(ends, sizeof ends, "%s", expires);
    cr_assert(strcmp(ends, created) >= 0 && strncmp(expires, json_string_value(json_object_get(t, "created_at")), 10) != 0,
              "expires days later, not at the session's end: %s", expires);
    th_response_free(&r);
    r = th_call(&server, "GET", "/api/v1/me", secret, NULL, NULL, 0);
    cr_assert_eq(r.status, 200);
    cr_assert_str_eq(json_string_value(json_object_get(r.json, "email")), "fp@example.org");
    th_response_free(&r);
    /* Listed, never shown again. */
    r = get("/en/workspace/account", cookie);
    cr_assert(strstr(r.body, "nightly export"));
    cr_assert_null(strstr(r.body, secret), "the secret is shown once");
    th_response_free(&r);
    char fields[128];
    snprintf(fields, sizeof fields, "step=revoke&token=%lld", (long long)id);
    r = post("/en/workspace/account/tokens", "/en/workspace/account", cookie, fields);
    cr_assert_eq(r.status, 303, "%s", r.body);
    cr_assert_str_eq(r.location, "/en/workspace/account?done=revoked");
    th_response_free(&r);
    snprintf(bearer, sizeof bearer, "%s", secret);
    r = th_call(&server, "GET", "/api/v1/me", bearer, NULL, NULL, 0);
    cr_assert_eq(r.status, 401, "a revoked token stops working");
    th_response_free(&r);
    /* Another account's token: not found, nothing revoked. */
    r = post("/en/workspace/account/tokens", "/en/workspace/account", cookie, "step=revoke&token=1");
    cr_assert_eq(r.status, 404, "%s", r.body);
    th_response_free(&r);
    r = th_call(&server, "GET", "/api/v1/me", token, NULL, NULL, 0);
    cr_assert_eq(r.status, 200, "the bootstrap token still works");
    th_response_free(&r);
}

Test(workspace_account, every_workspace_page_sends_an_ended_or_disabled_session_to_sign_in)
{
    static const char *const paths[] = {"/en/workspace/", "/en/workspace/account", "/en/workspace/admin/accounts",
                                        "/en/workspace/admin/security-log",
                                        "/en/workspace/reports/code-of-conduct/2026/KAZ", NULL};
    char cookie[160], admin[160], id[64], path[128];
    sign_in(emails[0], PASSWORD, admin, sizeof admin);
    sign_in(emails[3], PASSWORD, cookie, sizeof cookie);
    th_response r;
    for (int i = 0; paths[i]; i++) {
        r = get(paths[i], "Cookie: accord_session=acs_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
        cr_assert_eq(r.status, 303, "%s", paths[i]);
        cr_assert_str_eq(r.location, "/en/workspace/sign-in?expired=1", "%s", paths[i]);
        cr_assert_null(r.json, "never JSON");
        th_response_free(&r);
    }
    account_id(emails[3], id, sizeof id);
    snprintf(path, sizeof path, "/en/workspace/admin/accounts/%s", id);
    r = post(path, path, admin, "step=disable");
    cr_assert_eq(r.status, 303, "%s", r.body);
    th_response_free(&r);
    for (int i = 0; paths[i]; i++) {
        r = get(paths[i], cookie);
        cr_assert_eq(r.status, 303, "%s", paths[i]);
        cr_assert_str_eq(r.location, "/en/workspace/sign-in?disabled=1", "%s", paths[i]);
        th_response_free(&r);
    }
    r = th_call_with(&server, "POST", "/en/workspace/account/password", FORM, cookie, "csrf_token=x");
    cr_assert_eq(r.status, 303, "a post too");
    cr_assert_str_eq(r.location, "/en/workspace/sign-in?disabled=1");
    th_response_free(&r);
    r = get("/ru/workspace/sign-in?disabled=1", NULL);
    cr_assert(strstr(r.body, "Ваша учётная запись отключена"), "%s", r.body);
    th_response_free(&r);
    r = post(path, path, admin, "step=enable");
    cr_assert_eq(r.status, 303);
    th_response_free(&r);
    /* An admin cannot disable their own account: the page says why. */
    account_id(emails[0], id, sizeof id);
    snprintf(path, sizeof path, "/en/workspace/admin/accounts/%s", id);
    r = post(path, path, admin, "step=disable");
    cr_assert_eq(r.status, 409, "%s", r.body);
    cr_assert(strstr(r.body, "Nothing was changed."));
    th_response_free(&r);
}

/* The number of event rows on a security-log page. */
static int rows(const char *body)
{
    int n = 0;
    for (const char *p = body; (p = strstr(p, "<tr><td><bdi dir=\"ltr\">")); p++)
        n++;
    return n;
}

Test(workspace_account, the_security_log_is_read_a_page_at_a_time)
{
    char cookie[160], older[512];
    sign_in(emails[0], PASSWORD, cookie, sizeof cookie);
    /* Sixty sign-ins at an unknown email: past the free failures each is
     * refused at once, and logged. */
    for (int i = 0; i < 60; i++) {
        th_response r = th_call_with(&server, "POST", "/en/workspace/sign-in", FORM, NULL,
                                     "email=nobody%40example.org&password=wrong+password+again");
        cr_assert(r.status == 401 || r.status == 429, "%ld", r.status);
        th_response_free(&r);
    }
    th_response r = get("/en/workspace/admin/security-log?kind=login.throttled", cookie);
    cr_assert_eq(r.status, 200);
    cr_assert_eq(rows(r.body), 50, "fifty a page");
    const char *at = strstr(r.body, "before=");
    cr_assert_not_null(at, "a link to the older events: %s", r.body);
    at = strstr(r.body, "href=\"/en/workspace/admin/security-log?account=&amp;kind=login.throttled&amp;before=");
    cr_assert_not_null(at, "the filter is kept: %s", r.body);
    at += strlen("href=\"");
    snprintf(older, sizeof older, "%.*s", (int)strcspn(at, "\""), at);
    for (char *amp; (amp = strstr(older, "&amp;"));)
        memmove(amp + 1, amp + 5, strlen(amp + 5) + 1);
    th_response_free(&r);
    r = get(older, cookie);
    cr_assert_eq(r.status, 200, "%s", older);
    int second = rows(r.body);
    cr_assert(second > 0 && second < 50, "the rest: %d", second);
    cr_assert_null(strstr(r.body, "<bdi dir=\"ltr\">login.succeeded</bdi>"), "only the kind asked for");
    cr_assert(strstr(r.body, "Newest events"));
    th_response_free(&r);
    r = get("/en/workspace/admin/security-log?before=x", cookie);
    cr_assert_eq(r.status, 400, "a page as the answer");
    cr_assert(strstr(r.content_type, "text/html"));
    th_response_free(&r);
    r = get("/en/workspace/account/tokens", cookie);
    cr_assert_eq(r.status, 303);
    cr_assert_str_eq(r.location, "/en/workspace/account");
    th_response_free(&r);
}
