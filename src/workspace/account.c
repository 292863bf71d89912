/* Each person's account pages: changing one's password, and one's API
 * tokens (listed, created with the secret shown once, revoked). They call
 * the auth functions the API's handlers call (account_handlers.c), so the
 * security log gets the same entries. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth.h"
#include "util/clock.h"
#include "util/date.h"
#include "util/error.h"
#include "web/web.h"
#include "workspace/workspace.h"
#include "workspace/workspace_int.h"

#define REST "workspace/account"
#define DEFAULT_DAYS 30

static const char *const notices[][2] = {
    {"password", "Your password has been changed. Your other sessions have ended."},
    {"revoked", "The token has been revoked: it no longer works."},
    {NULL, NULL},
};

/* The longest lifetime a token made here may have, in days. */
static long max_days(void) { return (long)(auth_token_max_seconds() / 86400); }

/* The account page: the password form and the tokens. 'errors' (taken;
 * NULL: none) are the problems of a refused post; 'form' (borrowed; may be
 * NULL) what it sent, for the token form's name and lifetime. */
static int account_page(const ws_page *pg, json_t *errors, const json_t *form)
{
    json_t *me = NULL, *tokens = NULL;
    int rc = auth_user_get(pg->req->db, pg->req->who->id, &me);
    if (!rc) rc = auth_token_list(pg->req->db, pg->req->who->id, &tokens);
    if (rc) {
        json_decref(me);
        json_decref(errors);
        return rc;
    }
    size_t i;
    json_t *t;
    json_array_foreach(tokens, i, t)
    {
        const char *state = json_string_value(json_object_get(t, "state"));
        json_object_set_new(t, "active", json_boolean(strcmp(state, "active") == 0));
        json_object_set_new(t, "state_label",
                            json_string(web_t(pg->lang, strcmp(state, "active") == 0    ? "Active"
                                                        : strcmp(state, "revoked") == 0 ? "Revoked"
                                                                                        : "Expired")));
    }
    json_object_set_new(me, "role_label", json_string(ws_role_label(pg, pg->req->who->role)));
    json_t *m = ws_page_base(pg, "Your account");
    char days[24];
    snprintf(days, sizeof days, "%ld", DEFAULT_DAYS < max_days() ? (long)DEFAULT_DAYS : max_days());
    json_object_set_new(m, "me", me);
    json_object_set_new(m, "tokens", tokens);
    json_object_set_new(m, "max_days", json_integer(max_days()));
    json_object_set_new(m, "token_name", json_string(form ? ws_form_text(form, "name") : ""));
    json_object_set_new(m, "token_days", json_string(form && *ws_form_text(form, "days") ? ws_form_text(form, "days")
                                                                                         : days));
    json_object_set_new(m, "has_email", json_boolean(json_is_string(json_object_get(me, "email"))));
    return ws_render_form_page(pg, m, errors, notices, "workspace_account");
}

int workspace_account(http_req *req)
{
    ws_page pg;
    int rc = ws_page_open(req, REST, &pg);
    return rc ? rc : account_page(&pg, NULL, NULL);
}

int workspace_account_again(http_req *req)
{
    ws_page pg;
    int rc = ws_page_open(req, REST, &pg);
    if (!rc)
        ws_redirect(req, pg.lang->code, REST);
    return rc;
}

int workspace_post_password(http_req *req)
{
    ws_page pg;
    json_t *form = NULL, *errors = json_object();
    int rc = ws_open_form(req, REST, &pg, &form);
    if (rc)
        goto out;
    const char *current = ws_form_text(form, "current_password"), *password = ws_form_text(form, "password");
    if (!current[0])
        ws_add_problem(&pg, errors, "current_password", "Enter your current password.");
    ws_check_new_password(&pg, form, errors);
    if (json_object_size(errors)) {
        ws_add_problem(&pg, errors, "", "The password was not changed.");
        req->status = 400;
    } else {
        /* The same call as POST /api/v1/me/password. */
        rc = auth_password_change(req->db, req->who, current, password, &req->retry_after);
        if (rc) rc = ws_form_refusal(&pg, errors, rc, "The password was not changed.");
        if (rc)
            goto out;
    }
    if (json_object_size(errors)) {
        rc = account_page(&pg, errors, NULL); /* never the passwords */
        errors = NULL;
        goto out;
    }
    ws_redirect(req, pg.lang->code, REST "?done=password");
out:
    json_decref(form);
    json_decref(errors);
    return rc;
}

/* The token form's lifetime in days, as the expiry the API takes. */
static bool token_expiry(const char *days, char out[21])
{
    char *end;
    long n = days && *days ? strtol(days, &end, 10) : 0;
    if (n < 1 || n > max_days() || *end)
        return false;
    date_format_rfc3339(clock_now() + (int64_t)n * 86400, out);
    return true;
}

/* Creates the token and answers with it, on this very answer: the secret
 * is shown once, here, and is kept nowhere a later request could find it.
 * A redirect would need it in the URL (history, logs) or stored on the
 * server for the next GET; this page is no-store, so no cache keeps it,
 * and reloading it asks to post again, which makes another token. */
static int create_token(const ws_page *pg, const json_t *form, json_t *errors)
{
    http_req *req = pg->req;
    char expires[21], token[AUTH_TOKEN_LEN];
    int64_t id;
    const char *name = ws_form_text(form, "name");
    if (!name[0])
        ws_add_problem(pg, errors, "name", "Give the token a name.");
    if (!token_expiry(ws_form_text(form, "days"), expires))
        ws_add_problem(pg, errors, "days", "Give a number of days within the limit.");
    if (!*ws_form_text(form, "current_password"))
        ws_add_problem(pg, errors, "current_password", "Enter your current password.");
    if (json_object_size(errors)) {
        ws_add_problem(pg, errors, "", "The token was not created.");
        req->status = 400;
        return ACCORD_OK;
    }
    int rc = auth_token_create_confirmed(req->db, req->who, ws_form_text(form, "current_password"), name, expires,
                                         token, &id, &req->retry_after);
    if (rc) {
        if (accord_error_field() && strcmp(accord_error_field(), "expires_at") == 0)
            json_object_set_new(errors, "days", json_string(accord_error_message()));
        return ws_form_refusal(pg, errors, rc, "The token was not created.");
    }
    json_t *row = NULL;
    rc = auth_token_get(req->db, id, &row);
    if (rc) {
        sodium_memzero(token, sizeof token);
        return rc;
    }
    json_t *m = ws_page_base(pg, "Your new API token");
    json_object_set_new(m, "token", row);
    json_object_set_new(m, "secret", json_string(token));
    sodium_memzero(token, sizeof token);
    req->status = 201;
    return ws_page_render(pg, "workspace_token_created", m);
}

int workspace_post_token(http_req *req)
{
    ws_page pg;
    json_t *form = NULL, *errors = json_object();
    int rc = ws_open_form(req, REST, &pg, &form);
    if (rc)
        goto out;
    const char *step = ws_form_text(form, "step");
    if (strcmp(step, "revoke") == 0) {
        char *end;
        const char *text = ws_form_text(form, "token");
        long long id = strtoll(text, &end, 10);
        /* The same call as DELETE /api/v1/tokens/{id}: one's own only. */
        rc = id > 0 && !*end ? auth_token_revoke(req->db, id, req->who->id, req->who)
                             : accord_fail(ACCORD_ENOTFOUND, "token", "no token '%.20s'", text);
        if (rc) rc = ws_form_refusal(&pg, errors, rc, "The token was not revoked.");
        if (!rc && !json_object_size(errors))
            ws_redirect(req, pg.lang->code, REST "?done=revoked");
    } else {
        rc = create_token(&pg, form, errors);
        if (!rc && !json_object_size(errors))
            goto out; /* the page with the secret is the answer */
    }
    if (!rc && json_object_size(errors)) {
        rc = account_page(&pg, errors, form);
        errors = NULL;
    }
out:
    json_decref(form);
    json_decref(errors);
    return rc;
}
