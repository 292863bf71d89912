/* Sign-in, the caller's own account, and account and token management. */
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth.h"
#include "http/handlers.h"
#include "util/error.h"
#include "util/json.h"

/* Sets the session cookie (or clears it when 'token' is NULL). */
static void set_session_cookie(http_req *req, const char *token)
{
    snprintf(req->set_cookie, sizeof req->set_cookie, "accord_session=%s; HttpOnly; SameSite=Strict; Path=/%s%s",
             token ? token : "", token ? "" : "; Max-Age=0", http_secure_cookies() ? "; Secure" : "");
}

int http_post_login(http_req *req)
{
    static const char *const keys[] = {"email", "password", NULL};
    json_t *body;
    const char *email, *password;
    char token[AUTH_TOKEN_LEN], csrf[AUTH_TOKEN_LEN];
    int rc = http_json_body(req, &body);
    if (rc)
        return rc;
    rc = json_only_keys(body, keys, NULL);
    if (!rc) rc = json_get_string(body, "email", true, 254, &email);
    if (!rc) rc = json_get_string(body, "password", true, AUTH_MAX_PASSWORD, &password);
    if (!rc) rc = auth_login(req->db, email, password, req->client, token, csrf, &req->retry_after);
    json_t *me = NULL;
    principal p;
    if (!rc) rc = auth_check_session(req->db, token, &p);
    if (!rc) rc = auth_user_get(req->db, p.id, &me);
    json_decref(body);
    if (rc) {
        sodium_memzero(token, sizeof token);
        return rc;
    }
    set_session_cookie(req, token);
    sodium_memzero(token, sizeof token);
    req->cache_control = "no-store";
    req->json = json_pack("{s:s, s:o}", "csrf_token", csrf, "account", me);
    return ACCORD_OK;
}

int http_post_logout(http_req *req)
{
    if (!req->who->via_session)
        return accord_fail(ACCORD_EINVAL, NULL, "logout ends a browser session; revoke API tokens instead");
    int rc = auth_logout(req->db, req->who);
    if (rc)
        return rc;
    set_session_cookie(req, NULL);
    req->json = json_pack("{s:b}", "signed_out", 1);
    return ACCORD_OK;
}

int http_get_me(http_req *req)
{
    json_t *me;
    int rc = auth_user_get(req->db, req->who->id, &me);
    if (rc)
        return rc;
    json_object_set_new(me, "authenticated_by", json_string(req->who->via_session ? "session" : "token"));
    req->json = me;
    req->cache_control = "no-store";
    return ACCORD_OK;
}

/* POST /api/v1/me/password: {current_password, new_password}. */
int http_post_me_password(http_req *req)
{
    static const char *const keys[] = {"current_password", "new_password", NULL};
    json_t *body;
    const char *current, *password;
    int rc = http_json_body(req, &body);
    if (rc)
        return rc;
    rc = json_only_keys(body, keys, NULL);
    if (!rc) rc = json_get_string(body, "current_password", true, AUTH_MAX_PASSWORD, &current);
    if (!rc) rc = json_get_string(body, "new_password", true, AUTH_MAX_PASSWORD, &password);
    if (!rc) rc = auth_password_change(req->db, req->who, current, password, &req->retry_after);
    json_decref(body);
    if (!rc) {
        req->json = json_pack("{s:b, s:b}", "changed", 1, "other_sessions_ended", 1);
        req->cache_control = "no-store";
    }
    return rc;
}

int http_get_users(http_req *req)
{
    json_t *list;
    int rc = auth_user_list(req->db, &list);
    if (!rc)
        req->json = json_pack("{s:o}", "users", list);
    return rc;
}

int http_get_user(http_req *req)
{
    return auth_user_get(req->db, req->params[0], &req->json);
}

int http_post_users(http_req *req)
{
    static const char *const keys[] = {"email", "display_name", "role", "scope", "password", NULL};
    json_t *body;
    const char *email, *name, *role, *scope, *password;
    char id[AUTH_ID_LEN];
    int rc = http_json_body(req, &body);
    if (rc)
        return rc;
    rc = json_only_keys(body, keys, NULL);
    if (!rc) rc = json_get_string(body, "email", true, 254, &email);
    if (!rc) rc = json_get_string(body, "display_name", true, 200, &name);
    if (!rc) rc = json_get_string(body, "role", true, AUTH_ROLE_LEN - 1, &role);
    if (!rc) rc = json_get_string(body, "scope", false, AUTH_SCOPE_LEN - 1, &scope);
    if (!rc) rc = json_get_string(body, "password", true, AUTH_MAX_PASSWORD, &password);
    if (!rc) rc = auth_user_add(req->db, email, name, role, scope, password, req->who, id);
    if (!rc) rc = auth_user_get(req->db, id, &req->json);
    json_decref(body);
    if (!rc) {
        req->status = 201;
        snprintf(req->location, sizeof req->location, "/api/v1/users/%s", id);
    }
    return rc;
}

/* POST /api/v1/users/{id}: changes of role, scope, state or password. */
int http_post_user(http_req *req)
{
    static const char *const keys[] = {"role", "scope", "disabled", "password", NULL};
    json_t *body;
    const char *role, *scope, *password;
    int rc = http_json_body(req, &body);
    if (rc)
        return rc;
    rc = json_only_keys(body, keys, NULL);
    if (!rc) rc = json_get_string(body, "role", false, AUTH_ROLE_LEN - 1, &role);
    if (!rc) rc = json_get_string(body, "scope", false, AUTH_SCOPE_LEN - 1, &scope);
    if (!rc) rc = json_get_string(body, "password", false, AUTH_MAX_PASSWORD, &password);
    json_t *disabled = json_object_get(body, "disabled");
    if (!rc && disabled && !json_is_boolean(disabled))
        rc = accord_fail(ACCORD_EINVAL, "disabled", "disabled: must be true or false");
    if (!rc)
        rc = auth_user_change(req->db, req->params[0], role, scope, disabled ? json_is_true(disabled) : -1, password,
                              req->who);
    json_decref(body);
    if (!rc) rc = auth_user_get(req->db, req->params[0], &req->json);
    return rc;
}

int http_get_tokens(http_req *req)
{
    json_t *list;
    const char *all_arg = http_query(req, "all");
    bool all = strcmp(req->who->role, "admin") == 0 && all_arg && (!strcmp(all_arg, "1") || !strcmp(all_arg, "true"));
    int rc = auth_token_list(req->db, all ? NULL : req->who->id, &list);
    if (!rc)
        req->json = json_pack("{s:o}", "tokens", list);
    return rc;
}

int http_post_tokens(http_req *req)
{
    static const char *const keys[] = {"name", "scope", "expires_at", NULL};
    json_t *body;
    const char *name, *scope, *expires;
    char token[AUTH_TOKEN_LEN];
    int64_t id;
    int rc = http_json_body(req, &body);
    if (rc)
        return rc;
    rc = json_only_keys(body, keys, NULL);
    if (!rc) rc = json_get_string(body, "name", true, 100, &name);
    if (!rc) rc = json_get_string(body, "scope", false, AUTH_SCOPE_LEN - 1, &scope);
    if (!rc) rc = json_get_string(body, "expires_at", false, 40, &expires);
    if (!rc) rc = auth_token_create(req->db, req->who->id, name, scope, expires, req->who, token, &id);
    /* The answer is the token as listed (its expiry included), plus its
     * value, shown this once. */
    if (!rc) rc = auth_token_get(req->db, id, &req->json);
    if (!rc) {
        req->status = 201;
        json_object_set_new(req->json, "token", json_string(token));
        json_object_set_new(req->json, "note", json_string("shown once: store it now"));
        req->cache_control = "no-store";
    }
    json_decref(body);
    sodium_memzero(token, sizeof token);
    return rc;
}

int http_delete_token(http_req *req)
{
    char *end;
    errno = 0;
    long long id = strtoll(req->params[0], &end, 10);
    if (*end || id <= 0 || req->params[0][0] < '0' || req->params[0][0] > '9')
        return accord_fail(ACCORD_ENOTFOUND, "id", "no token '%s'", req->params[0]);
    if (errno == ERANGE)
        return accord_fail(ACCORD_EINVAL, "id", "id: %s is out of range (at most %lld)", req->params[0],
                           (long long)INT64_MAX);
    bool admin = strcmp(req->who->role, "admin") == 0;
    int rc = auth_token_revoke(req->db, id, admin ? NULL : req->who->id, req->who);
    if (!rc)
        req->json = json_pack("{s:I, s:b}", "id", (json_int_t)id, "revoked", 1);
    return rc;
}

int http_get_security_log(http_req *req)
{
    uint64_t limit;
    json_t *list;
    int rc = http_query_u64(req, "limit", false, 100, &limit);
    if (!rc && (limit == 0 || limit > 1000))
        rc = accord_fail(ACCORD_EINVAL, "limit", "limit: 1 to 1000");
    if (!rc) rc = auth_security_log_list(req->db, (int)limit, &list);
    if (!rc)
        req->json = json_pack("{s:o}", "events", list);
    return rc;
}
