/* The workspace's sign-in over HTTP: forms without JavaScript, problems
 * beside their fields in the page's language, the CSRF token in a hidden
 * field checked like the header, redirects after a post, and refusals as
 * pages. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"

#define FORM "Content-Type: application/x-www-form-urlencoded"
#define GOOD "email=fp%40example.org&password=correct+horse+battery+staple"

static th_server server;
static char *dir, *db_path, token[64];

static void start(void)
{
    char fp[64];
    dir = th_tempdir();
    db_path = th_make_db(dir, true, token);
    th_make_user(dir, db_path, "fp@example.org", "focal_point", "KAZ", fp);
    th_server_start(&server, db_path);
}

static void stop(void) { th_fixture_end(&server, dir, db_path); }

TestSuite(workspace_sign_in, .init = start, .fini = stop, .timeout = 120);

/* A request with up to two extra header lines ('cookie' may be NULL). */
static th_response req(const char *method, const char *path, const char *cookie, const char *type, const char *body)
{
    return th_call_with(&server, method, path, type ? type : cookie, type ? cookie : NULL, body);
}

/* Signs in through the form; returns the "Cookie: ..." line. */
static void sign_in(char *cookie, size_t len)
{
    th_response r = req("POST", "/en/workspace/sign-in", NULL, FORM, GOOD);
    cr_assert_eq(r.status, 303, "%s", r.body);
    cr_assert_str_eq(r.location, "/en/workspace/");
    cr_assert(strstr(r.set_cookie, "HttpOnly") && strstr(r.set_cookie, "SameSite=Strict"), "%s", r.set_cookie);
    cr_assert_null(strstr(r.set_cookie, "Secure"), "no Secure on loopback: %s", r.set_cookie);
    snprintf(cookie, len, "Cookie: %.*s", (int)strcspn(r.set_cookie, ";"), r.set_cookie);
    th_response_free(&r);
}

/* The value of the hidden csrf_token field on page 'body', into 'out'. */
static void csrf_of(const char *body, char *out, size_t len)
{
    const char *at = strstr(body, "name=\"csrf_token\" value=\"");
    cr_assert_not_null(at, "the page has no CSRF field: %s", body);
    at += strlen("name=\"csrf_token\" value=\"");
    snprintf(out, len, "%.*s", (int)strcspn(at, "\""), at);
}

Test(workspace_sign_in, the_page_is_a_form_in_each_language)
{
    const char *langs[] = {"ar", "zh", "en", "fr", "ru", "es"};
    for (size_t i = 0; i < 6; i++) {
        char path[64], html[64];
        snprintf(path, sizeof path, "/%s/workspace/sign-in", langs[i]);
        th_response r = req("GET", path, NULL, NULL, NULL);
        cr_assert_eq(r.status, 200, "%s", path);
        cr_assert(strstr(r.content_type, "text/html"));
        snprintf(html, sizeof html, "<html lang=\"%s\"", langs[i]);
        cr_assert(strstr(r.body, html), "%s", path);
        cr_assert(strstr(r.body, "method=\"post\" action=\"/") && strstr(r.body, "name=\"password\""), "%s", path);
        cr_assert_str_eq(r.cache_control, "no-store");
        th_response_free(&r);
    }
    th_response r = req("GET", "/fr/workspace/sign-in", NULL, NULL, NULL);
    cr_assert(strstr(r.body, "Se connecter"));
    th_response_free(&r);
}

Test(workspace_sign_in, problems_come_back_beside_their_fields_in_the_language)
{
    th_response r = req("POST", "/fr/workspace/sign-in", NULL, FORM, "email=fp%40example.org&password=");
    cr_assert_eq(r.status, 400);
    cr_assert(strstr(r.body, "id=\"password-problem\">Saisissez votre mot de passe.</span>"), "%s", r.body);
    cr_assert(strstr(r.body, "aria-describedby=\"password-problem\""));
    cr_assert(strstr(r.body, "value=\"fp@example.org\""), "the email is kept");
    cr_assert_null(strstr(r.body, "email-problem\">"), "the email was given");
    th_response_free(&r);

    r = req("POST", "/es/workspace/sign-in", NULL, FORM, "email=fp%40example.org&password=not+the+right+one");
    cr_assert_eq(r.status, 401);
    cr_assert(strstr(r.body, "Correo electrónico o contraseña incorrectos."), "%s", r.body);
    cr_assert(strstr(r.body, "value=\"fp@example.org\""));
    cr_assert_null(strstr(r.body, "not the right one"), "a password is never written back");
    cr_assert_eq(r.set_cookie[0], '\0');
    th_response_free(&r);

    /* Markup typed into the email comes back as text. */
    r = req("POST", "/en/workspace/sign-in", NULL, FORM, "email=%22%3E%3Cscript%3Ex%3C%2Fscript%3E&password=");
    cr_assert_eq(r.status, 400);
    cr_assert_null(strstr(r.body, "<script>"));
    cr_assert(strstr(r.body, "value=\"&#34;&gt;&lt;script&gt;x&lt;/script&gt;\""), "%s", r.body);
    th_response_free(&r);
}

Test(workspace_sign_in, a_lock_out_says_when_to_try_again)
{
    th_response r;
    long status = 0;
    for (int i = 0; i < 20 && status != 429; i++) {
        r = req("POST", "/ru/workspace/sign-in", NULL, FORM, "email=fp%40example.org&password=wrong+wrong+wrong");
        status = r.status;
        if (status != 429)
            th_response_free(&r);
    }
    cr_assert_eq(status, 429, "never throttled");
    cr_assert(strstr(r.body, "Слишком много неудачных попыток"), "%s", r.body);
    cr_assert(strstr(r.body, "Повторите попытку после"), "%s", r.body);
    cr_assert(strstr(r.body, " UTC</bdi>"), "%s", r.body);
    cr_assert_gt(r.retry_after, 0);
    th_response_free(&r);
}

Test(workspace_sign_in, sign_in_home_and_sign_out_with_the_form_token)
{
    char cookie[200], csrf[100], body[200];
    sign_in(cookie, sizeof cookie);
    th_response r = req("GET", "/en/workspace/", cookie, NULL, NULL);
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_assert(strstr(r.body, "fp@example.org") && strstr(r.body, "Focal point") && strstr(r.body, "KAZ"));
    csrf_of(r.body, csrf, sizeof csrf);
    th_response_free(&r);

    /* Without the token, or with another, the form is refused, as a page. */
    r = req("POST", "/en/workspace/sign-out", cookie, FORM, "");
    cr_assert_eq(r.status, 403);
    cr_assert(strstr(r.content_type, "text/html"));
    cr_assert(strstr(r.body, "This form has expired or did not come from this site"), "%s", r.body);
    th_response_free(&r);
    r = req("POST", "/en/workspace/sign-out", cookie, FORM, "csrf_token=acf_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    cr_assert_eq(r.status, 403);
    th_response_free(&r);
    r = req("GET", "/en/workspace/", cookie, NULL, NULL);
    cr_assert_eq(r.status, 200, "still signed in");
    th_response_free(&r);

    snprintf(body, sizeof body, "csrf_token=%s", csrf);
    r = req("POST", "/en/workspace/sign-out", cookie, FORM, body);
    cr_assert_eq(r.status, 303, "%s", r.body);
    cr_assert_str_eq(r.location, "/en/workspace/sign-in?signed_out=1");
    cr_assert(strstr(r.set_cookie, "Max-Age=0"));
    th_response_free(&r);

    /* The ended session: back to the sign-in page, which says why. */
    r = req("GET", "/en/workspace/", cookie, NULL, NULL);
    cr_assert_eq(r.status, 303);
    cr_assert_str_eq(r.location, "/en/workspace/sign-in?expired=1");
    th_response_free(&r);
    r = req("GET", "/ar/workspace/sign-in?expired=1", NULL, NULL, NULL);
    cr_assert(strstr(r.body, "انتهت جلستك"), "%s", r.body);
    th_response_free(&r);
    r = req("GET", "/en/workspace/", NULL, NULL, NULL);
    cr_assert_eq(r.status, 303, "no session at all");
    cr_assert_str_eq(r.location, "/en/workspace/sign-in");
    th_response_free(&r);
}

/* access.c takes the form field as it takes the header: the same session
 * token lets a form through to an API route, a wrong or missing one does
 * not, and the field counts only in a form body. */
Test(workspace_sign_in, the_form_field_is_checked_like_the_header)
{
    char cookie[200], csrf[100], body[300], header[160];
    sign_in(cookie, sizeof cookie);
    th_response r = req("GET", "/en/workspace/", cookie, NULL, NULL);
    csrf_of(r.body, csrf, sizeof csrf);
    th_response_free(&r);

    snprintf(header, sizeof header, "X-CSRF-Token: %s", csrf);
    r = req("POST", "/api/v1/tokens", cookie, header, "");
    cr_assert_neq(r.status, 403, "the token in the page is the session's: %s", r.body);
    th_response_free(&r);

    snprintf(body, sizeof body, "name=x&csrf_token=%s", csrf);
    r = req("POST", "/api/v1/tokens", cookie, FORM, body);
    cr_assert_eq(r.status, 415, "admitted by access, then the API wants JSON: %s", r.body);
    th_response_free(&r);
    r = req("POST", "/api/v1/tokens", cookie, FORM, "name=x&csrf_token=wrong");
    cr_assert_eq(r.status, 403);
    th_response_free(&r);
    r = req("POST", "/api/v1/tokens", cookie, "Content-Type: application/json", body);
    cr_assert_eq(r.status, 403, "the field counts only in a form");
    th_response_free(&r);
}
