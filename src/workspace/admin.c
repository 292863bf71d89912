/* The administrator's pages: the accounts (listed, added, disabled and
 * enabled again, given another role or scope, given a password) and the
 * security log, newest first, a page at a time, by account or kind. They
 * call the auth functions the API's handlers call (account_handlers.c):
 * the same checks, the same security-log entries. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth.h"
#include "util/error.h"
#include "web/web.h"
#include "workspace/workspace.h"
#include "workspace/workspace_int.h"

#define ACCOUNTS "workspace/admin/accounts"
#define SECLOG "workspace/admin/security-log"
#define SECLOG_PAGE 50
#define REST_MAX 128

static const char *const roles[] = {"admin", "depositary", "focal_point", "reviewer", "coordinator", NULL};

/* The kinds the security log records (auth.md), for its filter. */
static const char *const kinds[] = {"login.succeeded", "login.failed",    "login.throttled",       "logout",
                                    "password.confirm_failed", "token.created", "token.revoked", "user.created",
                                    "user.disabled",   "user.enabled",    "user.password_changed", "user.role_changed",
                                    NULL};

static const char *const account_notices[][2] = {
    {"created", "The account has been created."},
    {"disabled", "The account has been disabled: its sessions have ended."},
    {"enabled", "The account has been enabled again."},
    {"role", "The role and scope have been changed."},
    {"password", "The password has been set: the account's sessions have ended."},
    {NULL, NULL},
};

/* The roles as options of a select, 'current' selected (new array). */
static json_t *role_options(const ws_page *pg, const char *current)
{
    json_t *list = json_array();
    for (size_t i = 0; roles[i]; i++)
        json_array_append_new(list, json_pack("{s:s, s:s, s:b}", "code", roles[i], "label", ws_role_label(pg, roles[i]),
                                              "selected", current && strcmp(current, roles[i]) == 0));
    return list;
}

/* Adds each account's role in the page's language to 'accounts'. */
static void label_roles(const ws_page *pg, json_t *accounts)
{
    size_t i;
    json_t *a;
    json_array_foreach(accounts, i, a)
        json_object_set_new(a, "role_label", json_string(ws_role_label(pg, json_string_value(json_object_get(a, "role")))));
}

/* The list of accounts with the form to add one, filled from 'form'
 * (borrowed; NULL: empty) with 'errors' (taken; NULL: none). */
static int accounts_page(const ws_page *pg, const json_t *form, json_t *errors)
{
    json_t *accounts = NULL;
    int rc = auth_user_list(pg->req->db, &accounts);
    if (rc) {
        json_decref(errors);
        return rc;
    }
    label_roles(pg, accounts);
    json_t *m = ws_page_base(pg, "Accounts");
    json_object_set_new(m, "accounts", accounts);
    json_object_set_new(m, "roles", role_options(pg, form ? ws_form_text(form, "role") : "focal_point"));
    static const char *const fields[] = {"email", "display_name", "scope", NULL};
    json_t *f = json_object();
    for (size_t i = 0; fields[i]; i++)
        json_object_set_new(f, fields[i], json_string(form ? ws_form_text(form, fields[i]) : ""));
    json_object_set_new(m, "form", f);
    return ws_render_form_page(pg, m, errors, account_notices, "workspace_admin_accounts");
}

int workspace_admin_accounts(http_req *req)
{
    ws_page pg;
    int rc = ws_page_open(req, ACCOUNTS, &pg);
    return rc ? rc : accounts_page(&pg, NULL, NULL);
}

int workspace_admin_add(http_req *req)
{
    ws_page pg;
    json_t *form = NULL, *errors = json_object();
    char id[AUTH_ID_LEN], where[REST_MAX];
    int rc = ws_open_form(req, ACCOUNTS, &pg, &form);
    if (rc)
        goto out;
    ws_check_new_password(&pg, form, errors);
    if (json_object_size(errors)) {
        ws_add_problem(&pg, errors, "", "The account was not created.");
        req->status = 400;
    } else {
        /* The same call as POST /api/v1/users, with the same checks of
         * the role's scope. */
        rc = auth_user_add(req->db, ws_form_text(form, "email"), ws_form_text(form, "display_name"),
                           ws_form_text(form, "role"), ws_form_text(form, "scope"), ws_form_text(form, "password"),
                           req->who, id);
        if (rc) rc = ws_form_refusal(&pg, errors, rc, "The account was not created.");
        if (rc)
            goto out;
    }
    if (json_object_size(errors)) {
        rc = accounts_page(&pg, form, errors);
        errors = NULL;
        goto out;
    }
    snprintf(where, sizeof where, ACCOUNTS "/%s?done=created", id);
    ws_redirect(req, pg.lang->code, where);
out:
    json_decref(form);
    json_decref(errors);
    return rc;
}

/* One account's page: its state and the forms that change it. */
static int account_page(const ws_page *pg, const json_t *form, json_t *errors)
{
    http_req *req = pg->req;
    json_t *a = NULL;
    int rc = auth_user_get(req->db, req->params[1], &a);
    if (rc) {
        json_decref(errors);
        return rc;
    }
    const char *role = form && *ws_form_text(form, "role") ? ws_form_text(form, "role")
                                                          : json_string_value(json_object_get(a, "role"));
    json_object_set_new(a, "role_label", json_string(ws_role_label(pg, json_string_value(json_object_get(a, "role")))));
    json_t *m = ws_page_base(pg, "Account");
    char href[REST_MAX + 64];
    snprintf(href, sizeof href, "/%s/" SECLOG "?account=%s", pg->lang->code, req->params[1]);
    json_object_set_new(m, "seclog_href", json_string(href));
    snprintf(href, sizeof href, "/%s/%s", pg->lang->code, pg->rest);
    json_object_set_new(m, "action", json_string(href));
    const char *scope = form ? ws_form_text(form, "scope") : json_string_value(json_object_get(a, "scope"));
    json_object_set_new(m, "form", json_pack("{s:s}", "scope", scope ? scope : ""));
    json_object_set_new(m, "roles", role_options(pg, role));
    json_object_set_new(m, "self", json_boolean(strcmp(req->params[1], req->who->id) == 0));
    json_object_set_new(m, "account", a);
    return ws_render_form_page(pg, m, errors, account_notices, "workspace_admin_account");
}

int workspace_admin_account(http_req *req)
{
    ws_page pg;
    char rest[REST_MAX];
    snprintf(rest, sizeof rest, ACCOUNTS "/%s", req->params[1]);
    int rc = ws_page_open(req, rest, &pg);
    return rc ? rc : account_page(&pg, NULL, NULL);
}

int workspace_admin_change(http_req *req)
{
    ws_page pg;
    json_t *form = NULL, *errors = json_object();
    char rest[REST_MAX], where[REST_MAX + 16];
    snprintf(rest, sizeof rest, ACCOUNTS "/%s", req->params[1]);
    int rc = ws_open_form(req, rest, &pg, &form);
    if (rc)
        goto out;
    const char *step = ws_form_text(form, "step"), *done = step;
    if (strcmp(step, "password") == 0)
        ws_check_new_password(&pg, form, errors);
    if (json_object_size(errors)) {
        ws_add_problem(&pg, errors, "", "Nothing was changed.");
        req->status = 400;
    } else {
        /* The same call as POST /api/v1/users/{id}, one change a form. */
        const char *id = req->params[1];
        if (strcmp(step, "disable") == 0 || strcmp(step, "enable") == 0) {
            rc = auth_user_change(req->db, id, NULL, NULL, strcmp(step, "disable") == 0, NULL, req->who);
            done = strcmp(step, "disable") == 0 ? "disabled" : "enabled";
        } else if (strcmp(step, "role") == 0)
            rc = auth_user_change(req->db, id, ws_form_text(form, "role"), ws_form_text(form, "scope"), -1, NULL,
                                  req->who);
        else if (strcmp(step, "password") == 0)
            rc = auth_user_change(req->db, id, NULL, NULL, -1, ws_form_text(form, "password"), req->who);
        else
            rc = accord_fail(ACCORD_EINVAL, "step", "step: disable, enable, role or password");
        if (rc) rc = ws_form_refusal(&pg, errors, rc, "Nothing was changed.");
        if (rc)
            goto out;
    }
    if (json_object_size(errors)) {
        rc = account_page(&pg, strcmp(step, "role") == 0 ? form : NULL, errors);
        errors = NULL;
        goto out;
    }
    snprintf(where, sizeof where, "%s?done=%s", rest, done);
    ws_redirect(req, pg.lang->code, where);
out:
    json_decref(form);
    json_decref(errors);
    return rc;
}

/* ---- the security log -------------------------------------------------------- */

/* A query parameter, "" when absent. */
static const char *query_text(http_req *req, const char *key)
{
    const char *v = http_query(req, key);
    return v ? v : "";
}

int workspace_security_log(http_req *req)
{
    ws_page pg;
    json_t *events = NULL, *accounts = NULL;
    const char *account = query_text(req, "account"), *kind = query_text(req, "kind");
    const char *before_text = query_text(req, "before");
    char *end;
    long long before = *before_text ? strtoll(before_text, &end, 10) : 0;
    int rc = ws_page_open(req, SECLOG, &pg);
    if (!rc && (before < 0 || (*before_text && *end)))
        rc = accord_fail(ACCORD_EINVAL, "before", "before: an event number");
    if (!rc) rc = auth_security_log_page(req->db, account, kind, before, SECLOG_PAGE, &events);
    if (!rc) rc = auth_user_list(req->db, &accounts);
    if (rc) {
        json_decref(events);
        return rc;
    }
    /* The filters as selects: every account and every kind, the current
     * one selected; the event's account shown by its email where known. */
    size_t i;
    json_t *a;
    const char *known_account = "", *known_kind = "";
    json_array_foreach(accounts, i, a)
    {
        bool selected = strcmp(account, json_string_value(json_object_get(a, "id"))) == 0;
        json_object_set_new(a, "selected", json_boolean(selected));
        if (selected)
            known_account = json_string_value(json_object_get(a, "id"));
    }
    /* Who made each change, by email where the account has one. */
    json_t *e;
    json_array_foreach(events, i, e)
    {
        const char *by = json_string_value(json_object_get(e, "by"));
        size_t j;
        json_array_foreach(accounts, j, a)
        {
            if (by && json_is_string(json_object_get(a, "email")) &&
                strcmp(by, json_string_value(json_object_get(a, "id"))) == 0) {
                json_object_set(e, "by", json_object_get(a, "email")); /* frees what 'by' points to */
                break;
            }
        }
    }
    json_t *kind_list = json_array();
    for (i = 0; kinds[i]; i++) {
        json_array_append_new(kind_list, json_pack("{s:s, s:b}", "code", kinds[i], "selected", strcmp(kind, kinds[i]) == 0));
        if (strcmp(kind, kinds[i]) == 0)
            known_kind = kinds[i];
    }
    json_t *m = ws_page_base(&pg, "Security log");
    size_t n = json_array_size(events);
    if (n == SECLOG_PAGE) {
        /* The next page: the events older than this page's last. */
        char href[REST_MAX + 256];
        json_int_t last = json_integer_value(json_object_get(json_array_get(events, n - 1), "id"));
        snprintf(href, sizeof href, "/%s/" SECLOG "?account=%s&kind=%s&before=%lld", pg.lang->code, known_account,
                 known_kind, (long long)last);
        json_object_set_new(m, "older", json_string(href));
    }
    json_object_set_new(m, "paged", json_boolean(before > 0));
    json_object_set_new(m, "events", events);
    json_object_set_new(m, "accounts", accounts);
    json_object_set_new(m, "kinds", kind_list);
    return ws_page_render(&pg, "workspace_security_log", m);
}
