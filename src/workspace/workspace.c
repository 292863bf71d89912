/* The workspace's own pages: sign-in, sign-out, home, and refusals shown
 * as pages. Access to every page is decided by http/access.c from the
 * route's rule, as for the API; these handlers run once it said yes. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <microhttpd.h>

#include "auth/auth.h"
#include "implementation/implementation.h"
#include "registry/registry.h"
#include "util/clock.h"
#include "util/error.h"
#include "web/web.h"
#include "workspace/workspace.h"
#include "workspace/workspace_int.h"

#define SESSION_COOKIE "accord_session"
#define FORM_TYPE "application/x-www-form-urlencoded"

/* The page's language from the route's {lang}. */
int ws_page_open(http_req *req, const char *rest, ws_page *pg)
{
    int rc = web_init();
    if (rc)
        return rc;
    pg->req = req;
    pg->rest = rest;
    pg->lang = req->params[0] ? web_lang_find(req->params[0]) : NULL;
    if (!pg->lang)
        return accord_fail(ACCORD_ENOTFOUND, NULL, "no such resource: %s", req->path);
    return ACCORD_OK;
}

/* The model every workspace page starts from (new object): the portal's
 * head and foot (language, direction, stylesheet, the six alternates, the
 * draft-translation note), the signed-in account, and the CSRF token its
 * forms carry. */
json_t *ws_page_base(const ws_page *pg, const char *title)
{
    const web_lang *langs = web_langs();
    char path[512];
    json_t *alternates = json_array();
    for (size_t i = 0; i < WEB_NLANGS; i++) {
        snprintf(path, sizeof path, "/%s/%s", langs[i].code, pg->rest);
        json_array_append_new(alternates,
                              json_pack("{s:s, s:s, s:s, s:b}", "code", langs[i].code, "endonym", langs[i].endonym,
                                        "href", path, "current", &langs[i] == pg->lang));
    }
    snprintf(path, sizeof path, "/%s/%s", pg->lang->code, pg->rest);
    json_t *m = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:b, s:b, s:b}", "lang", pg->lang->code, "dir",
                          pg->lang->dir, "title", web_t(pg->lang, title), "stylesheet", web_stylesheet_path(),
                          "permalink", path, "alternates", alternates, "draft_translation",
                          strcmp(pg->lang->code, "en") != 0, "static_site", 0, "workspace", 1);
    const principal *who = pg->req->who;
    const char *cookie = pg->req->conn ? MHD_lookup_connection_value(pg->req->conn, MHD_COOKIE_KIND, SESSION_COOKIE)
                                       : NULL;
    if (who && who->via_session && cookie) {
        char csrf[AUTH_TOKEN_LEN];
        auth_session_csrf(cookie, csrf);
        json_object_set_new(m, "csrf", json_string(csrf));
        sodium_memzero(csrf, sizeof csrf);
    }
    return m;
}

/* Renders template 'name' with 'model' (taken) as the answer, never
 * cached: workspace pages are one person's. */
int ws_page_render(const ws_page *pg, const char *name, json_t *model)
{
    const web_template *t = web_template_get(name);
    int rc = t ? ACCORD_OK : accord_fail(ACCORD_EENV, NULL, "template %s is missing", name);
    if (!rc)
        rc = web_render(t, model, pg->lang, &pg->req->text);
    json_decref(model);
    pg->req->content_type = "text/html; charset=utf-8";
    pg->req->cache_control = "no-store";
    return rc;
}

/* Answers 303 See Other to 'path' (a form's result: the browser GETs it). */
void ws_redirect(http_req *req, const char *lang, const char *path)
{
    snprintf(req->location, sizeof req->location, "/%s/%s", lang, path);
    req->status = 303;
    req->cache_control = "no-store";
    req->content_type = "text/plain; charset=utf-8";
}

/* Sets the session cookie, or clears it when 'token' is NULL (the same
 * attributes as the API's sign-in). */
static void session_cookie(http_req *req, const char *token)
{
    snprintf(req->set_cookie, sizeof req->set_cookie, "%s=%s; HttpOnly; SameSite=Strict; Path=/%s%s", SESSION_COOKIE,
             token ? token : "", token ? "" : "; Max-Age=0", http_secure_cookies() ? "; Secure" : "");
}

/* The form posted with the request (new object; the caller decrefs).
 * Fails ACCORD_EMEDIA unless the body is a form. */
int ws_read_form(http_req *req, json_t **out)
{
    return http_read_form(req, out, NULL, 0);
}

const char *ws_form_text(const json_t *form, const char *key)
{
    const char *s = json_string_value(json_object_get(form, key));
    return s ? s : "";
}

/* Adds the problem 'msgid' (in the page's language) to 'errors' under
 * 'field' ("" for the form as a whole). */
void ws_add_problem(const ws_page *pg, json_t *errors, const char *field, const char *msgid)
{
    json_object_set_new(errors, field[0] ? field : "form", json_string(web_t(pg->lang, msgid)));
}

/* ---- sign-in ---------------------------------------------------------------- */

/* The long texts of a form that was posted but not taken (the session had
 * ended, or the form's CSRF token no longer matched), to show back so that
 * nothing written is lost: [{label, text}] (new array; empty when the
 * request posted none). Posting them again by itself after a new sign-in
 * would need the old form's token, which is the check being failed, so the
 * text is shown to copy instead. */
static json_t *posted_texts(const ws_page *pg)
{
    static const char *const fields[][2] = {
        {"narrative", "Narrative"}, {"measures", "Measures"}, {"assistance_needs", "Assistance needs"},
        {"evidence", "Evidence"},   {"comments", "Comments for the party"}, {"rationale", "Rationale"},
        {"note", "Note"},           {"text", "Text"}};
    json_t *list = json_array(), *form = NULL;
    if (strcmp(pg->req->method, "POST") != 0 || !pg->req->body || http_read_form(pg->req, &form, NULL, 0)) {
        accord_error_clear();
        return list;
    }
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        const char *text = ws_form_text(form, fields[i][0]);
        if (*text)
            json_array_append_new(list, json_pack("{s:s, s:s, s:s}", "id", fields[i][0], "label",
                                                  web_t(pg->lang, fields[i][1]), "text", text));
    }
    json_decref(form);
    return list;
}

static int sign_in_form(const ws_page *pg, const char *email, json_t *errors)
{
    json_t *m = ws_page_base(pg, "Sign in");
    const char *expired = pg->req->conn ? http_query(pg->req, "expired") : NULL;
    const char *out = pg->req->conn ? http_query(pg->req, "signed_out") : NULL;
    json_object_set_new(m, "email", json_string(email));
    json_object_set_new(m, "errors", errors ? errors : json_object());
    json_object_set_new(m, "expired", json_boolean(expired && !errors));
    json_object_set_new(m, "signed_out", json_boolean(out && !errors));
    json_object_set_new(m, "disabled", json_boolean(pg->req->conn && http_query(pg->req, "disabled") && !errors));
    return ws_page_render(pg, "workspace_sign_in", m);
}

int workspace_sign_in_page(http_req *req)
{
    ws_page pg;
    int rc = ws_page_open(req, "workspace/sign-in", &pg);
    return rc ? rc : sign_in_form(&pg, "", NULL);
}

/* The lock-out's end, "14:05 UTC", into 'out'. */
static void retry_time(int seconds, char *out, size_t len)
{
    time_t at = (time_t)(clock_now() + seconds + 59); /* rounded up to the minute shown */
    struct tm tm;
    gmtime_r(&at, &tm);
    strftime(out, len, "%H:%M UTC", &tm);
}

int workspace_sign_in(http_req *req)
{
    ws_page pg;
    json_t *form = NULL, *errors = json_object();
    char token[AUTH_TOKEN_LEN], csrf[AUTH_TOKEN_LEN];
    int rc = ws_page_open(req, "workspace/sign-in", &pg);
    if (!rc) rc = ws_read_form(req, &form);
    if (rc)
        goto out;
    const char *email = ws_form_text(form, "email"), *password = ws_form_text(form, "password");
    if (!email[0])
        ws_add_problem(&pg, errors, "email", "Enter your email address.");
    if (!password[0])
        ws_add_problem(&pg, errors, "password", "Enter your password.");
    if (json_object_size(errors) == 0) {
        rc = auth_login(req->db, email, password, req->client, token, csrf, &req->retry_after);
        sodium_memzero(csrf, sizeof csrf);
        if (rc == ACCORD_EAUTH || rc == ACCORD_EINVAL) {
            ws_add_problem(&pg, errors, "", "Wrong email or password.");
            req->status = 401;
        } else if (rc == ACCORD_ETHROTTLED) {
            char at[32];
            retry_time(req->retry_after, at, sizeof at);
            ws_add_problem(&pg, errors, "", "Too many failed attempts: signing in is paused for a while.");
            json_object_set_new(errors, "retry_at", json_string(at));
            req->status = 429;
        } else if (rc)
            goto out;
        accord_error_clear();
        rc = ACCORD_OK;
    } else
        req->status = 400;
    if (json_object_size(errors)) {
        rc = sign_in_form(&pg, email, errors);
        errors = NULL;
        goto out;
    }
    session_cookie(req, token);
    sodium_memzero(token, sizeof token);
    ws_redirect(req, pg.lang->code, "workspace/");
out:
    json_decref(form);
    json_decref(errors);
    return rc;
}

int workspace_sign_out(http_req *req)
{
    ws_page pg;
    int rc = ws_page_open(req, "workspace/sign-out", &pg);
    if (!rc && !req->who->via_session)
        rc = accord_fail(ACCORD_EINVAL, NULL, "signing out ends a browser session; revoke API tokens instead");
    if (!rc) rc = auth_logout(req->db, req->who);
    if (rc)
        return rc;
    session_cookie(req, NULL);
    ws_redirect(req, pg.lang->code, "workspace/sign-in?signed_out=1");
    return ACCORD_OK;
}

/* ---- home ------------------------------------------------------------------- */

static const char *role_label(const char *role)
{
    static const char *const labels[][2] = {
        {"admin", "Administrator"}, {"depositary", "Depositary"}, {"focal_point", "Focal point"},
        {"reviewer", "Reviewer"},   {"coordinator", "Coordinator"},
    };
    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
        if (strcmp(labels[i][0], role) == 0)
            return labels[i][1];
    return role;
}

/* A focal point's cycles: every instrument's, each with the link to the
 * party's dashboard, as "cycles" in 'm'. */
static int add_cycles(const ws_page *pg, json_t *m)
{
    json_t *instruments = NULL, *all = json_array();
    int rc = registry_list_instruments(pg->req->db, &instruments);
    size_t i, j;
    json_t *ins, *c;
    json_array_foreach(instruments, i, ins)
    {
        const char *slug = json_string_value(json_object_get(ins, "slug"));
        json_t *cycles = NULL;
        if (rc || !slug || (rc = implementation_list_cycles(pg->req->db, slug, &cycles)))
            break;
        json_array_foreach(cycles, j, c)
        {
            char href[400];
            snprintf(href, sizeof href, "/%s/workspace/reports/%s/%s/%s", pg->lang->code, slug,
                     json_string_value(json_object_get(c, "code")), pg->req->who->scope);
            json_array_append_new(all, json_pack("{s:s, s:O, s:O, s:s}", "instrument", slug, "code",
                                                 json_object_get(c, "code"), "name", json_object_get(c, "name"),
                                                 "href", href));
        }
        json_decref(cycles);
    }
    json_decref(instruments);
    json_object_set_new(m, "cycles", all);
    return rc;
}

/* ---- assistance links ------------------------------------------------------- */

/* The link to the caller's assistance page, as "assistance_href" in 'm':
 * a focal point's needs, a coordinator's entity or office. */
static void add_assistance_links(const ws_page *pg, json_t *m)
{
    const principal *who = pg->req->who;
    char href[128], entity[AUTH_SCOPE_LEN];
    if (!who->scope[0])
        return;
    if (strcmp(who->role, "focal_point") == 0)
        snprintf(href, sizeof href, "/%s/workspace/assistance/needs/%s", pg->lang->code, who->scope);
    else if (strcmp(who->role, "coordinator") == 0) {
        snprintf(entity, sizeof entity, "%s", who->scope);
        char *office = strchr(entity, '/');
        if (office)
            *office++ = '\0';
        snprintf(href, sizeof href, "/%s/workspace/assistance/providers/%s%s%s", pg->lang->code, entity,
                 office ? "/offices/" : "", office ? office : "");
    } else
        return;
    json_object_set_new(m, "assistance_href", json_string(href));
}

int workspace_home(http_req *req)
{
    ws_page pg;
    json_t *me = NULL;
    int rc = ws_page_open(req, "workspace/", &pg);
    if (!rc) rc = auth_user_get(req->db, req->who->id, &me);
    if (rc)
        return rc;
    const char *role = req->who->role;
    json_object_set_new(me, "role_label", json_string(web_t(pg.lang, role_label(role))));
    json_t *m = ws_page_base(&pg, "Workspace");
    json_object_set_new(m, "me", me);
    json_object_set_new(m, "is_focal_point", json_boolean(strcmp(role, "focal_point") == 0));
    json_object_set_new(m, "is_reviewer", json_boolean(strcmp(role, "reviewer") == 0));
    json_object_set_new(m, "is_depositary", json_boolean(strcmp(role, "depositary") == 0));
    json_object_set_new(m, "is_admin", json_boolean(strcmp(role, "admin") == 0));
    json_object_set_new(m, "is_coordinator", json_boolean(strcmp(role, "coordinator") == 0));
    add_assistance_links(&pg, m);
    if (strcmp(role, "focal_point") == 0 && (rc = add_cycles(&pg, m))) {
        json_decref(m);
        return rc;
    }
    return ws_page_render(&pg, "workspace_home", m);
}

/* ---- refusals --------------------------------------------------------------- */

int workspace_refused(http_req *req, int rc)
{
    ws_page pg;
    int message_rc = rc;
    char message[512];
    snprintf(message, sizeof message, "%s", accord_error_message());
    if (ws_page_open(req, "workspace/", &pg)) {
        accord_error_clear();
        return message_rc; /* no such language: the API's answer */
    }
    accord_error_clear();
    req->text.len = 0;
    if (rc == ACCORD_EAUTH) {
        /* Not signed in, or the session ended: to the sign-in page, which
         * says which it was. */
        const char *cookie = MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, SESSION_COOKIE);
        bool had = cookie != NULL;
        json_t *kept = posted_texts(&pg);
        if (json_array_size(kept)) {
            /* A form with text in it: the sign-in page at once, with the
             * text to copy, rather than a redirect that would drop it. */
            if (had)
                session_cookie(req, NULL);
            json_t *m = ws_page_base(&pg, "Sign in");
            json_object_set_new(m, "email", json_string(""));
            json_object_set_new(m, "errors", json_object());
            json_object_set_new(m, "expired", json_boolean(had));
            json_object_set_new(m, "kept", kept);
            req->status = 401;
            return ws_page_render(&pg, "workspace_sign_in", m) ? message_rc : ACCORD_OK;
        }
        json_decref(kept);
        ws_redirect(req, pg.lang->code, !had ? "workspace/sign-in"
                                        : auth_session_account_disabled(req->db, cookie) ? "workspace/sign-in?disabled=1"
                                                                                         : "workspace/sign-in?expired=1");
        if (had)
            session_cookie(req, NULL);
        return ACCORD_OK;
    }
    const char *title = rc == ACCORD_EFORBIDDEN ? "Not allowed" : rc == ACCORD_ENOTFOUND ? "Not found" : "Something went wrong";
    json_t *m = ws_page_base(&pg, title);
    bool csrf = rc == ACCORD_EFORBIDDEN && strstr(message, "CSRF");
    json_object_set_new(m, "explanation",
                        json_string(web_t(pg.lang, csrf ? "This form has expired or did not come from this site: "
                                                          "go back, reload the page and send it again."
                                                        : rc == ACCORD_EFORBIDDEN
                                                              ? "Your account may not do this."
                                                              : "The server could not do this.")));
    json_object_set_new(m, "message", json_string(message));
    json_object_set_new(m, "kept", posted_texts(&pg));
    req->status = accord_error_http_status(rc);
    int r = ws_page_render(&pg, "workspace_refused", m);
    return r ? message_rc : ACCORD_OK;
}

/* ---- shared by the account and admin pages ----------------------------------- */

int ws_form_refusal(const ws_page *pg, json_t *errors, int rc, const char *summary)
{
    char field[64];
    if (rc == ACCORD_ETHROTTLED) {
        char at[32];
        retry_time(pg->req->retry_after, at, sizeof at);
        ws_add_problem(pg, errors, "", "Too many failed attempts: signing in is paused for a while.");
        json_object_set_new(errors, "retry_at", json_string(at));
    } else if (rc == ACCORD_EAUTH) {
        ws_add_problem(pg, errors, "current_password", "This is not your current password.");
        ws_add_problem(pg, errors, "", summary);
    } else if (rc == ACCORD_EINVAL || rc == ACCORD_ERULE || rc == ACCORD_ECONFLICT || rc == ACCORD_ENOTFOUND ||
               rc == ACCORD_EFORBIDDEN) {
        /* The module's own message (English) beside the field it names. */
        snprintf(field, sizeof field, "%s", accord_error_field() ? accord_error_field() : "");
        json_object_set_new(errors, field[0] ? field : "form_detail", json_string(accord_error_message()));
        ws_add_problem(pg, errors, "", summary);
    } else
        return rc;
    pg->req->status = accord_error_http_status(rc);
    accord_error_clear();
    return ACCORD_OK;
}

int ws_render_form_page(const ws_page *pg, json_t *m, json_t *errors, const char *const (*notices)[2],
                        const char *name)
{
    const char *done = pg->req->conn ? http_query(pg->req, "done") : NULL;
    for (size_t i = 0; done && notices[i][0]; i++)
        if (strcmp(done, notices[i][0]) == 0)
            json_object_set_new(m, "done", json_string(web_t(pg->lang, notices[i][1])));
    json_object_set_new(m, "errors", errors ? errors : json_object());
    return ws_page_render(pg, name, m);
}

int ws_open_form(http_req *req, const char *rest, ws_page *pg, json_t **form)
{
    *form = NULL;
    int rc = ws_page_open(req, rest, pg);
    return rc ? rc : ws_read_form(req, form);
}

void ws_check_new_password(const ws_page *pg, const json_t *form, json_t *errors)
{
    const char *password = ws_form_text(form, "password");
    if (!password[0])
        ws_add_problem(pg, errors, "password", "Enter a new password.");
    else if (strcmp(password, ws_form_text(form, "password_again")) != 0)
        ws_add_problem(pg, errors, "password_again", "The two new passwords differ.");
}

const char *ws_role_label(const ws_page *pg, const char *role)
{
    return web_t(pg->lang, role_label(role));
}

void ws_when(const ws_page *pg, const char *timestamp, char *out, size_t len)
{
    /* "2026-12-08T03:30:42Z": the date in the page's language, then the
     * time of day in UTC. */
    char day[11];
    snprintf(day, sizeof day, "%.10s", timestamp ? timestamp : "");
    web_date(pg->lang, day, out, len);
    if (timestamp && strlen(timestamp) >= 16 && timestamp[10] == 'T') {
        size_t used = strlen(out);
        snprintf(out + used, len - used, ", %.5s UTC", timestamp + 11);
    }
}
