/* Accounts: creation (including the bootstrap admin of 'accord init'),
 * lookup, listing, and the changes an admin makes to them. Every change is
 * a security_log entry, written in the same transaction. */
#include "auth/auth.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "auth/auth_int.h"
#include "store/lookup.h"
#include "util/error.h"

/* ---- reading accounts ---- */

#define ACCOUNT_COLS "id, role, scope, password_hash, disabled"

static void account_from_row(store_stmt *st, auth_account *out)
{
    const char *scope = store_col_text(st, 2), *hash = store_col_text(st, 3);
    snprintf(out->id, sizeof out->id, "%s", store_col_text(st, 0));
    snprintf(out->role, sizeof out->role, "%s", store_col_text(st, 1));
    snprintf(out->scope, sizeof out->scope, "%s", scope ? scope : "");
    snprintf(out->pwhash, sizeof out->pwhash, "%s", hash ? hash : "");
    out->disabled = store_col_int(st, 4) != 0;
}

/* Runs 'sql' (one '?' for 'key') and reads the account it finds. */
static int account_query(store *db, const char *sql, const char *key, auth_account *out, bool *found)
{
    store_stmt *st;
    memset(out, 0, sizeof *out);
    *found = false;
    int rc = store_first_row(db, &st, sql, "s", key);
    if (rc == STORE_ROW) {
        account_from_row(st, out);
        *found = true;
    }
    store_stmt_close(st);
    return rc < 0 ? rc : ACCORD_OK;
}

int auth_account_load(store *db, const char *id, auth_account *out, bool *found)
{
    return account_query(db, "SELECT " ACCOUNT_COLS " FROM account WHERE id = ?", id, out, found);
}

int auth_account_by_email(store *db, const char *email, auth_account *out, bool *found)
{
    return account_query(db, "SELECT " ACCOUNT_COLS " FROM account WHERE email = ?", email, out, found);
}

/* Loads account 'id' or fails ACCORD_ENOTFOUND. */
static int account_must(store *db, const char *id, auth_account *out)
{
    bool found;
    int rc = auth_account_load(db, id ? id : "", out, &found);
    if (!rc && !found)
        rc = accord_fail(ACCORD_ENOTFOUND, "id", "no account with id '%.*s'", AUTH_ID_LEN - 1,
                         id && auth_text_ok(id, 64) ? id : "?");
    return rc;
}

int auth_user_find(store *db, const char *email_or_id, char id_out[AUTH_ID_LEN])
{
    char email[AUTH_EMAIL_MAX + 1];
    auth_account a;
    bool found = false;
    int rc = ACCORD_OK;
    id_out[0] = '\0';
    if (email_or_id && strchr(email_or_id, '@')) {
        if (auth_email_normalize(email_or_id, email) == ACCORD_OK)
            rc = auth_account_by_email(db, email, &a, &found);
    } else if (email_or_id) {
        rc = auth_account_load(db, email_or_id, &a, &found);
    }
    if (rc)
        return rc;
    if (!found)
        return accord_fail(ACCORD_ENOTFOUND, "account", "no account '%.*s'", AUTH_EMAIL_MAX,
                           auth_text_ok(email_or_id, AUTH_EMAIL_MAX) ? email_or_id : "?");
    snprintf(id_out, AUTH_ID_LEN, "%s", a.id);
    return ACCORD_OK;
}

/* ---- accounts as JSON ---- */

#define PUBLIC_COLS                                                                                                    \
    "id, email, display_name, role, scope, disabled, created_at, updated_at,"                                          \
    " CASE WHEN password_hash IS NULL THEN 0 ELSE 1 END"

/* The current row as {"id", "email", ...}; never the password hash. */
static int account_json(store_stmt *st, json_t **out)
{
    *out = json_pack("{s:s, s:s?, s:s?, s:s, s:s?, s:b, s:b, s:s, s:s?}", "id", store_col_text(st, 0), "email",
                     store_col_text(st, 1), "display_name", store_col_text(st, 2), "role", store_col_text(st, 3),
                     "scope", store_col_text(st, 4), "disabled", (int)store_col_int(st, 5), "has_password",
                     (int)store_col_int(st, 8), "created_at", store_col_text(st, 6), "updated_at",
                     store_col_text(st, 7));
    if (!*out)
        return accord_fail(ACCORD_ESTORE, NULL, "account %s cannot be shown", store_col_text(st, 0));
    return ACCORD_OK;
}

int auth_user_get(store *db, const char *id, json_t **out)
{
    store_stmt *st;
    *out = NULL;
    int rc = store_first_row(db, &st, "SELECT " PUBLIC_COLS " FROM account WHERE id = ?", "s", id ? id : "");
    if (rc == STORE_ROW)
        rc = account_json(st, out);
    else if (rc == STORE_DONE)
        rc = accord_fail(ACCORD_ENOTFOUND, "id", "no account with id '%.*s'", AUTH_ID_LEN - 1,
                         id && auth_text_ok(id, 64) ? id : "?");
    store_stmt_close(st);
    return rc;
}

int auth_user_list(store *db, json_t **out)
{
    store_stmt *st;
    json_t *list = json_array(), *one;
    *out = NULL;
    int rc = store_query(db, &st, "SELECT " PUBLIC_COLS " FROM account ORDER BY created_at, id", "");
    if (rc)
        goto out;
    while ((rc = store_step(st)) == STORE_ROW && !(rc = account_json(st, &one)))
        json_array_append_new(list, one);
    store_stmt_close(st);
out:
    if (rc < 0)
        json_decref(list);
    else
        *out = list;
    return rc < 0 ? rc : ACCORD_OK;
}

/* ---- creating accounts ---- */

static int email_taken(store *db, const char *email)
{
    auth_account a;
    bool found;
    int rc = auth_account_by_email(db, email, &a, &found);
    if (!rc && found)
        rc = accord_fail(ACCORD_ECONFLICT, "email", "email: an account with this email already exists");
    return rc;
}

/* Everything about a new account that can be checked before the slow
 * password hash. */
static int check_new_account(store *db, const char *email, const char *display_name, const char *role,
                             const char *scope, const char *password, char norm[AUTH_EMAIL_MAX + 1])
{
    int rc = auth_email_normalize(email, norm);
    if (!rc && !auth_text_ok(display_name, AUTH_NAME_MAX))
        rc = accord_fail(ACCORD_EINVAL, "display_name", "display_name: 1 to %d bytes of printable text",
                         AUTH_NAME_MAX);
    if (!rc) rc = auth_scope_check(db, role, scope); /* checks the role too */
    if (!rc && password) rc = auth_password_acceptable(password);
    if (!rc) rc = email_taken(db, norm);
    return rc;
}

static int insert_account(store *db, const char *email, const char *display_name, const char *role,
                          const char *scope, const char *pwhash, const principal *by, const char *id)
{
    char now[AUTH_TS_LEN], detail[256];
    auth_ts(auth_clock(), now);
    scope = auth_scope_or_null(scope);
    snprintf(detail, sizeof detail, "%s%s%s%s%s", email ? email : "", email ? ", " : "", role, scope ? " " : "",
             scope ? scope : "");
    int rc = store_run(db,
                       "INSERT INTO account (id, email, display_name, role, scope, disabled, created_at, updated_at,"
                       " password_hash) VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?)",
                       "ssssssss", id, email, display_name, role, scope, now, now, pwhash);
    if (!rc) rc = auth_security_log_change(db, "user.created", id, by, detail);
    return rc;
}

int auth_user_add(store *db, const char *email, const char *display_name, const char *role, const char *scope,
                  const char *password, const principal *by, char id_out[AUTH_ID_LEN])
{
    char norm[AUTH_EMAIL_MAX + 1], hash[AUTH_PWHASH_LEN] = "";
    id_out[0] = '\0';
    int rc = check_new_account(db, email, display_name, role, scope, password, norm);
    if (!rc && password) rc = auth_pwhash(password, hash);
    if (rc)
        return rc;
    char id[AUTH_ID_LEN];
    auth_new_id(id);
    rc = store_begin(db);
    if (!rc) rc = email_taken(db, norm); /* again: another writer may have won the race */
    if (!rc) rc = insert_account(db, norm, display_name, role, scope, password ? hash : NULL, by, id);
    if (!rc) rc = store_commit(db);
    if (rc) {
        store_rollback(db);
        return rc;
    }
    snprintf(id_out, AUTH_ID_LEN, "%s", id);
    return ACCORD_OK;
}

int auth_bootstrap_admin(store *db, char token[AUTH_TOKEN_LEN])
{
    char id[AUTH_ID_LEN];
    auth_new_id(id);
    int rc = store_begin(db);
    if (!rc && (rc = store_exists(db, "SELECT 1 FROM account WHERE role = 'admin'", "")) == STORE_ROW)
        rc = accord_fail(ACCORD_ECONFLICT, NULL, "an admin account already exists");
    /* No email and no password: the token is the only way in until the
     * operator gives the account an email (accord user add makes others). */
    if (rc >= 0) rc = insert_account(db, NULL, "Administrator", "admin", NULL, NULL, NULL, id);
    if (!rc) rc = auth_token_insert(db, id, "bootstrap", NULL, NULL, NULL, token, NULL);
    if (!rc) rc = store_commit(db);
    if (rc)
        store_rollback(db);
    return rc;
}

/* ---- changing accounts ---- */

/* Fails ACCORD_ERULE when 'id' is the only enabled admin: without one,
 * nobody could manage accounts over HTTP. */
static int not_last_admin(store *db, const auth_account *a, const char *what)
{
    if (strcmp(a->role, "admin") != 0 || a->disabled)
        return ACCORD_OK;
    int rc = store_exists(db, "SELECT 1 FROM account WHERE role = 'admin' AND disabled = 0 AND id <> ?", "s", a->id);
    if (rc < 0)
        return rc;
    if (rc == STORE_DONE)
        return accord_fail(ACCORD_ERULE, NULL, "this is the last enabled admin account; it cannot be %s", what);
    return ACCORD_OK;
}

static int set_disabled_in_txn(store *db, const char *id, bool disabled, const principal *by)
{
    auth_account a;
    char now[AUTH_TS_LEN];
    int rc = account_must(db, id, &a);
    if (rc || a.disabled == disabled)
        return rc; /* already so: nothing to change or to log */
    if (disabled && (rc = not_last_admin(db, &a, "disabled")))
        return rc;
    auth_ts(auth_clock(), now);
    rc = store_run(db, "UPDATE account SET disabled = ?, updated_at = ? WHERE id = ?", "iss", (int64_t)disabled, now,
                   id);
    /* Sessions end for good; API tokens are refused while the account is
     * disabled and work again when it is enabled (revoke them to end them). */
    if (!rc && disabled) rc = auth_sessions_revoke_all(db, id, now);
    if (!rc) rc = auth_security_log_change(db, disabled ? "user.disabled" : "user.enabled", id, by, NULL);
    return rc;
}

int auth_user_set_disabled(store *db, const char *id, bool disabled, const principal *by)
{
    int rc = store_begin(db);
    if (!rc) rc = set_disabled_in_txn(db, id, disabled, by);
    if (!rc) rc = store_commit(db);
    if (rc)
        store_rollback(db);
    auth_token_cache_forget(); /* the account's tokens are checked afresh */
    return rc;
}

/* Sets the password of 'id' and ends its sessions, all but 'keep' (a
 * session id; 0: none kept), with a security-log entry by 'by'. */
static int set_password(store *db, const char *id, const char *password, const principal *by, int64_t keep)
{
    auth_account a;
    char hash[AUTH_PWHASH_LEN], now[AUTH_TS_LEN];
    int rc = account_must(db, id, &a);
    if (!rc) rc = auth_password_acceptable(password);
    if (!rc) rc = auth_pwhash(password, hash);
    if (rc)
        return rc;
    auth_ts(auth_clock(), now);
    rc = store_begin(db);
    if (!rc)
        rc = store_run(db, "UPDATE account SET password_hash = ?, updated_at = ? WHERE id = ?", "sss", hash, now, id);
    if (!rc && store_changes(db) == 0)
        rc = accord_fail(ACCORD_ENOTFOUND, "id", "no account with id '%s'", a.id);
    /* Whoever knew the old password may hold a session: end them all,
     * but the one of the person who just proved they know it. */
    if (!rc)
        rc = store_run(db, "UPDATE session SET revoked_at = ? WHERE account = ? AND revoked_at IS NULL AND id <> ?",
                       "ssi", now, id, keep);
    if (!rc) rc = auth_security_log_change(db, "user.password_changed", id, by, keep ? "by the account itself" : NULL);
    if (!rc) rc = store_commit(db);
    if (rc)
        store_rollback(db);
    sodium_memzero(hash, sizeof hash);
    return rc;
}

int auth_user_set_password(store *db, const char *id, const char *password, const principal *by)
{
    return set_password(db, id, password, by, 0);
}

int auth_password_change(store *db, const principal *p, const char *current, const char *password,
                         int *retry_after)
{
    *retry_after = 0;
    /* The new password is checked first: a refused one costs no attempt. */
    int rc = auth_password_acceptable(password);
    if (!rc) rc = auth_password_confirm(db, p, current, retry_after);
    if (!rc) rc = set_password(db, p->id, password, p, p->via_session ? p->session : 0);
    return rc;
}

static int set_role_in_txn(store *db, const char *id, const char *role, const char *scope, const principal *by)
{
    auth_account a;
    char now[AUTH_TS_LEN], detail[2 * (AUTH_ROLE_LEN + AUTH_SCOPE_LEN) + 16];
    int rc = account_must(db, id, &a);
    if (!rc && strcmp(role, "admin") != 0) rc = not_last_admin(db, &a, "given another role");
    if (rc)
        return rc;
    scope = auth_scope_or_null(scope);
    auth_ts(auth_clock(), now);
    snprintf(detail, sizeof detail, "%s%s%s -> %s%s%s", a.role, a.scope[0] ? " " : "", a.scope, role,
             scope ? " " : "", scope ? scope : "");
    rc = store_run(db, "UPDATE account SET role = ?, scope = ?, updated_at = ? WHERE id = ?", "ssss", role, scope, now,
                   id);
    /* Sessions read the role afresh on every request, and a token whose
     * scope is no longer within the account's is refused (auth_check_token),
     * so nothing else needs to change here. */
    if (!rc) rc = auth_security_log_change(db, "user.role_changed", id, by, detail);
    return rc;
}

int auth_user_set_role(store *db, const char *id, const char *role, const char *scope, const principal *by)
{
    int rc = auth_scope_check(db, role, scope);
    if (rc)
        return rc;
    rc = store_begin(db);
    if (!rc) rc = set_role_in_txn(db, id, role, scope, by);
    if (!rc) rc = store_commit(db);
    if (rc)
        store_rollback(db);
    auth_token_cache_forget(); /* the account's tokens are checked afresh */
    return rc;
}

int auth_user_change(store *db, const char *id, const char *role, const char *scope, int disabled,
                     const char *password, const principal *by)
{
    json_t *exists = NULL;
    int rc = ACCORD_OK;
    if (!role && !scope && !password && disabled < 0)
        rc = accord_fail(ACCORD_EINVAL, NULL, "nothing to change: give role, scope, disabled or password");
    if (!rc && scope && !role)
        rc = accord_fail(ACCORD_EINVAL, "scope", "scope: give it with role");
    if (!rc && disabled > 0 && by && strcmp(id, by->id) == 0)
        rc = accord_fail(ACCORD_ECONFLICT, "disabled", "disabled: an admin cannot disable their own account");
    /* Check every change before making any, so a refused request changes
     * nothing. */
    if (!rc && password) rc = auth_password_acceptable(password);
    if (!rc && role && !auth_role_valid(role))
        rc = accord_fail(ACCORD_EINVAL, "role", "role: one of " AUTH_ROLES);
    if (!rc && role) rc = auth_scope_check(db, role, scope);
    if (!rc) rc = auth_user_get(db, id, &exists); /* 404 first */
    json_decref(exists);
    if (!rc && role) rc = auth_user_set_role(db, id, role, scope, by);
    if (!rc && disabled >= 0) rc = auth_user_set_disabled(db, id, disabled > 0, by);
    if (!rc && password) rc = auth_user_set_password(db, id, password, by);
    return rc;
}
