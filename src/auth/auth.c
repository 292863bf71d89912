#include "auth/auth.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "util/date.h"
#include "util/error.h"

static void token_hash(const char *token, unsigned char out[crypto_hash_sha256_BYTES])
{
    crypto_hash_sha256(out, (const unsigned char *)token, strlen(token));
}

static int new_token(store *db, const char *account, const char *name, char token[AUTH_TOKEN_LEN])
{
    unsigned char raw[32], hash[crypto_hash_sha256_BYTES];
    randombytes_buf(raw, sizeof raw);
    memcpy(token, "acc_", 4);
    sodium_bin2base64(token + 4, AUTH_TOKEN_LEN - 4, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof raw);
    token_hash(token, hash);
    char now[21];
    date_now_rfc3339(now);
    return store_run(db, "INSERT INTO api_token (account, name, token_hash, created_at) VALUES (?, ?, ?, ?)", "ssbs",
                     account, name, hash, sizeof hash, now);
}

int auth_bootstrap_admin(store *db, char token[AUTH_TOKEN_LEN])
{
    unsigned char raw[16];
    char id[AUTH_ID_LEN], now[21];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(id, sizeof id, raw, sizeof raw);
    date_now_rfc3339(now);
    int rc = store_begin(db);
    store_stmt *st;
    if (!rc)
        rc = store_query(db, &st, "SELECT 1 FROM account WHERE role = 'admin'", "");
    if (!rc) {
        rc = store_step(st);
        store_stmt_close(st);
        if (rc == STORE_ROW)
            rc = accord_fail(ACCORD_ECONFLICT, NULL, "an admin account already exists");
    }
    if (rc >= 0)
        rc = store_run(db, "INSERT INTO account (id, display_name, role, created_at) VALUES (?, 'Administrator', 'admin', ?)",
                       "ss", id, now);
    if (!rc)
        rc = new_token(db, id, "bootstrap", token);
    if (!rc)
        rc = store_commit(db);
    if (rc)
        store_rollback(db);
    return rc;
}

int auth_check_token(store *db, const char *token, principal *out)
{
    unsigned char hash[crypto_hash_sha256_BYTES];
    char now[21];
    if (!token || strncmp(token, "acc_", 4) != 0 || strlen(token) >= AUTH_TOKEN_LEN)
        return accord_fail(ACCORD_EAUTH, NULL, "the bearer token is not valid");
    token_hash(token, hash);
    date_now_rfc3339(now);
    store_stmt *st;
    int rc = store_query(db, &st,
                         "SELECT a.id, a.role FROM api_token t JOIN account a ON a.id = t.account"
                         " WHERE t.token_hash = ? AND t.revoked_at IS NULL AND a.disabled = 0"
                         " AND (t.expires_at IS NULL OR t.expires_at > ?)",
                         "bs", hash, sizeof hash, now);
    if (rc)
        return rc;
    rc = store_step(st);
    if (rc == STORE_ROW) {
        snprintf(out->id, sizeof out->id, "%s", store_col_text(st, 0));
        snprintf(out->role, sizeof out->role, "%s", store_col_text(st, 1));
        out->who.id = out->id;
        out->who.role = out->role;
        rc = ACCORD_OK;
    } else if (rc == STORE_DONE) {
        rc = accord_fail(ACCORD_EAUTH, NULL, "the bearer token is not valid");
    }
    store_stmt_close(st);
    return rc;
}

bool auth_may_write_records(const principal *p)
{
    return strcmp(p->role, "admin") == 0 || strcmp(p->role, "depositary") == 0;
}
