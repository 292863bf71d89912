/* API tokens: per account, named, scoped no wider than the account,
 * optionally expiring, shown once, stored as SHA-256, revocable. */
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "auth/auth_int.h"
#include "store/lookup.h"
#include "util/date.h"
#include "util/error.h"

#define TOKEN_INVALID "the bearer token is not valid"

int auth_token_insert(store *db, const char *account, const char *name, const char *scope, const char *expires_at,
                      const principal *by, char token[AUTH_TOKEN_LEN], int64_t *id_out)
{
    unsigned char hash[AUTH_HASH_LEN];
    char now[AUTH_TS_LEN], detail[AUTH_TOKEN_NAME_MAX + 64];
    auth_secret_new(AUTH_PREFIX_API, token);
    auth_secret_hash(token, hash);
    auth_ts(auth_clock(), now);
    int rc = store_run(db,
                       "INSERT INTO api_token (account, name, token_hash, created_at, expires_at, scope)"
                       " VALUES (?, ?, ?, ?, ?, ?)",
                       "ssbsss", account, name, hash, sizeof hash, now, expires_at, auth_scope_or_null(scope));
    int64_t id = 0;
    store_stmt *st;
    if (!rc && !(rc = store_query(db, &st, "SELECT id FROM api_token WHERE token_hash = ?", "b", hash, sizeof hash))) {
        rc = store_step(st) == STORE_ROW ? ACCORD_OK : accord_fail(ACCORD_ESTORE, NULL, "the new token was not stored");
        id = rc ? 0 : store_col_int(st, 0);
        store_stmt_close(st);
    }
    snprintf(detail, sizeof detail, "token %lld \"%s\"%s%s", (long long)id, name, expires_at ? " until " : "",
             expires_at ? expires_at : "");
    if (!rc) rc = auth_security_log_change(db, "token.created", account, by, detail);
    if (rc)
        sodium_memzero(token, AUTH_TOKEN_LEN);
    else if (id_out)
        *id_out = id;
    return rc;
}

/* The scope the token gets: the account's when none is asked for,
 * otherwise the one asked for if it is no wider (and exists). */
static int token_scope(store *db, const auth_account *a, const char *asked, const char **out)
{
    asked = auth_scope_or_null(asked);
    *out = a->scope[0] ? a->scope : NULL;
    if (!asked || (a->scope[0] && strcmp(asked, a->scope) == 0))
        return ACCORD_OK;
    if (!auth_text_ok(asked, AUTH_SCOPE_LEN - 1))
        return accord_fail(ACCORD_EINVAL, "scope", "scope: at most %d bytes of printable text", AUTH_SCOPE_LEN - 1);
    if (!auth_scope_within(a->role, a->scope, asked))
        return accord_fail(ACCORD_EFORBIDDEN, "scope", "scope: '%s' is wider than the account's scope (%s %s)", asked,
                           a->role, a->scope[0] ? a->scope : "without scope");
    int rc = auth_scope_check(db, a->role, asked); /* a narrower scope must still name something real */
    if (!rc)
        *out = asked;
    return rc;
}

/* The maximum lifetime of tokens made over the API. Set once at start,
 * before the server's threads run; read-only afterwards. */
static int64_t max_lifetime = AUTH_TOKEN_MAX_SECONDS;

int auth_token_set_max_seconds(int64_t seconds)
{
    if (seconds < 86400 || seconds > (int64_t)AUTH_TOKEN_MAX_DAYS_LIMIT * 86400)
        return accord_fail(ACCORD_EINVAL, "token-max-days", "the maximum token lifetime is 1 to %d days",
                           AUTH_TOKEN_MAX_DAYS_LIMIT);
    max_lifetime = seconds;
    return ACCORD_OK;
}

int64_t auth_token_max_seconds(void) { return max_lifetime; }

/* The latest expiry a token made by 'by' may have at 'now': the maximum
 * lifetime, and no later than the end of 'by''s own credential. */
static int64_t expiry_bound(const principal *by, int64_t now, const char **why)
{
    int64_t bound = now + max_lifetime;
    *why = "the maximum token lifetime";
    if (by->ends > 0 && by->ends < bound) {
        bound = by->ends;
        *why = by->via_session ? "the end of the session that creates it" : "the expiry of the token that creates it";
    }
    return bound;
}

/* 'expires_at' as stored: RFC 3339 UTC, whole seconds, in the future;
 * for a token made by a caller, within expiry_bound() (the bound itself
 * when none is asked for and the default lifetime would pass it). */
static int token_expiry(const char *expires_at, const principal *by, char out[AUTH_TS_LEN], const char **stored)
{
    int64_t t, now = auth_clock();
    const char *why;
    *stored = NULL;
    if (!expires_at && !by)
        return ACCORD_OK; /* the console: never, unless asked */
    int64_t bound = by ? expiry_bound(by, now, &why) : 0;
    if (!expires_at) {
        t = now + AUTH_TOKEN_DEFAULT_SECONDS < bound ? now + AUTH_TOKEN_DEFAULT_SECONDS : bound;
    } else {
        int rc = date_parse_rfc3339(expires_at, "expires_at", &t);
        if (rc)
            return rc;
        if (by && t > bound) {
            char limit[AUTH_TS_LEN];
            auth_ts(bound, limit);
            return accord_fail(ACCORD_EINVAL, "expires_at", "expires_at: at the latest %s (%s)", limit, why);
        }
    }
    if (t <= now)
        return accord_fail(ACCORD_EINVAL, "expires_at", "expires_at: %s is not in the future",
                           expires_at ? expires_at : "the end of the credential");
    auth_ts(t, out);
    *stored = out;
    return ACCORD_OK;
}

/* Fails ACCORD_ERULE when 'account' already has the most live tokens. */
static int token_room(store *db, const char *account)
{
    char now[AUTH_TS_LEN];
    auth_ts(auth_clock(), now);
    int64_t live = 0;
    int rc = store_one_int(db, &live,
                           "SELECT count(*) FROM api_token WHERE account = ? AND revoked_at IS NULL"
                           " AND (expires_at IS NULL OR expires_at > ?)",
                           "ss", account, now);
    if (rc < 0)
        return rc;
    if (live >= AUTH_TOKENS_PER_ACCOUNT)
        return accord_fail(ACCORD_ERULE, NULL,
                           "the account already has %d live tokens, the most allowed; revoke one first",
                           AUTH_TOKENS_PER_ACCOUNT);
    return ACCORD_OK;
}

static int token_create_in_txn(store *db, const char *account, const char *name, const char *asked_scope,
                               const char *expires_at, const principal *by, char token[AUTH_TOKEN_LEN], int64_t *id_out)
{
    auth_account a;
    bool found;
    const char *scope;
    int rc = auth_account_load(db, account ? account : "", &a, &found);
    if (!rc && !found)
        rc = accord_fail(ACCORD_ENOTFOUND, "account", "no account with id '%.*s'", AUTH_ID_LEN - 1,
                         account && auth_text_ok(account, 64) ? account : "?");
    if (!rc && a.disabled)
        rc = accord_fail(ACCORD_ERULE, "account", "the account is disabled");
    if (!rc) rc = token_scope(db, &a, asked_scope, &scope);
    if (!rc) rc = token_room(db, a.id);
    if (!rc) rc = auth_token_insert(db, a.id, name, scope, expires_at, by, token, id_out);
    return rc;
}

int auth_token_create(store *db, const char *account, const char *name, const char *scope, const char *expires_at,
                      const principal *by, char token[AUTH_TOKEN_LEN], int64_t *id_out)
{
    char until[AUTH_TS_LEN];
    const char *stored_expiry;
    token[0] = '\0';
    if (id_out)
        *id_out = 0;
    if (!auth_text_ok(name, AUTH_TOKEN_NAME_MAX))
        return accord_fail(ACCORD_EINVAL, "name", "name: 1 to %d bytes of printable text", AUTH_TOKEN_NAME_MAX);
    int rc = token_expiry(expires_at, by, until, &stored_expiry);
    if (!rc) rc = store_begin(db);
    if (rc)
        return rc;
    rc = token_create_in_txn(db, account, name, scope, stored_expiry, by, token, id_out);
    if (!rc) rc = store_commit(db);
    if (rc) {
        store_rollback(db);
        sodium_memzero(token, AUTH_TOKEN_LEN);
    }
    return rc;
}

int auth_token_create_confirmed(store *db, const principal *by, const char *password, const char *name,
                                const char *expires_at, char token[AUTH_TOKEN_LEN], int64_t *id_out, int *retry_after)
{
    token[0] = '\0';
    if (id_out)
        *id_out = 0;
    int rc = auth_password_confirm(db, by, password, retry_after);
    if (rc)
        return rc;
    /* The password was just proven: the token is bounded by the maximum
     * lifetime, not by the end of the session it was asked for in. */
    principal fresh;
    auth_principal_fill(&fresh, by->id, by->role, by->scope);
    snprintf(fresh.client, sizeof fresh.client, "%s", by->client);
    return auth_token_create(db, by->id, name, NULL, expires_at, &fresh, token, id_out);
}

static int token_revoke_in_txn(store *db, int64_t id, const char *account, const principal *by)
{
    store_stmt *st;
    char owner[AUTH_ID_LEN] = "", now[AUTH_TS_LEN];
    bool revoked = false;
    int rc = store_query(db, &st, "SELECT account, revoked_at FROM api_token WHERE id = ?", "i", id);
    if (rc)
        return rc;
    if ((rc = store_step(st)) == STORE_ROW) {
        snprintf(owner, sizeof owner, "%s", store_col_text(st, 0));
        revoked = !store_col_null(st, 1);
    }
    store_stmt_close(st);
    if (rc < 0)
        return rc;
    /* Another account's token is "not found", not "forbidden": its
     * existence is none of the caller's business. */
    if (rc == STORE_DONE || (account && strcmp(owner, account) != 0))
        return accord_fail(ACCORD_ENOTFOUND, "id", "no token %lld", (long long)id);
    if (revoked)
        return ACCORD_OK; /* revoking twice changes nothing */
    auth_ts(auth_clock(), now);
    char detail[40];
    snprintf(detail, sizeof detail, "token %lld", (long long)id);
    rc = store_run(db, "UPDATE api_token SET revoked_at = ? WHERE id = ?", "si", now, id);
    if (!rc) rc = auth_security_log_change(db, "token.revoked", owner, by, detail);
    return rc;
}

int auth_token_revoke(store *db, int64_t id, const char *account, const principal *by)
{
    int rc = store_begin(db);
    if (!rc) rc = token_revoke_in_txn(db, id, account, by);
    if (!rc) rc = store_commit(db);
    if (rc)
        store_rollback(db);
    auth_token_cache_forget(); /* after the commit: see "verified tokens" */
    return rc;
}

/* One token row as JSON, with its state; never its hash. */
static json_t *token_json(store_stmt *st, const char *now)
{
    const char *expires = store_col_text(st, 6), *revoked = store_col_text(st, 7);
    const char *state = revoked ? "revoked" : expires && strcmp(expires, now) <= 0 ? "expired" : "active";
    return json_pack("{s:I, s:s, s:s?, s:s, s:s?, s:s, s:s?, s:s?, s:s?, s:s}", "id", (json_int_t)store_col_int(st, 0),
                     "account", store_col_text(st, 1), "email", store_col_text(st, 2), "name", store_col_text(st, 3),
                     "scope", store_col_text(st, 4), "created_at", store_col_text(st, 5), "expires_at", expires,
                     "revoked_at", revoked, "last_used_at", store_col_text(st, 8), "state", state);
}

#define TOKEN_COLS                                                                                                     \
    "SELECT t.id, t.account, a.email, t.name, t.scope, t.created_at, t.expires_at, t.revoked_at, t.last_used_at"     \
    " FROM api_token t JOIN account a ON a.id = t.account"

int auth_token_get(store *db, int64_t id, json_t **out)
{
    store_stmt *st;
    char now[AUTH_TS_LEN];
    *out = NULL;
    auth_ts(auth_clock(), now);
    int rc = store_query(db, &st, TOKEN_COLS " WHERE t.id = ?", "i", id);
    if (rc)
        return rc;
    rc = store_step(st);
    if (rc == STORE_ROW && !(*out = token_json(st, now)))
        rc = accord_fail(ACCORD_ESTORE, NULL, "token %lld cannot be shown", (long long)id);
    else if (rc == STORE_DONE)
        rc = accord_fail(ACCORD_ENOTFOUND, "id", "no token %lld", (long long)id);
    store_stmt_close(st);
    return rc < 0 ? rc : ACCORD_OK;
}

int auth_token_list(store *db, const char *account, json_t **out)
{
    store_stmt *st;
    char now[AUTH_TS_LEN];
    json_t *list = json_array(), *one;
    *out = NULL;
    auth_ts(auth_clock(), now);
    int rc = account ? store_query(db, &st, TOKEN_COLS " WHERE t.account = ? ORDER BY t.id", "s", account)
                     : store_query(db, &st, TOKEN_COLS " ORDER BY t.id", "");
    if (rc)
        goto out;
    while ((rc = store_step(st)) == STORE_ROW) {
        if (!(one = token_json(st, now))) {
            rc = accord_fail(ACCORD_ESTORE, NULL, "token %lld cannot be shown", (long long)store_col_int(st, 0));
            break;
        }
        json_array_append_new(list, one);
    }
    store_stmt_close(st);
out:
    if (rc < 0)
        json_decref(list);
    else
        *out = list;
    return rc < 0 ? rc : ACCORD_OK;
}

/* A token's stored expiry as Unix time, 0 for none. An unreadable one
 * (a hand-edited row) counts as already past, so the token it bounds can
 * make nothing. */
static int64_t token_end(const char *expires_at)
{
    int64_t t;
    if (!expires_at)
        return 0;
    if (date_parse_rfc3339(expires_at, "expires_at", &t) != ACCORD_OK) {
        accord_error_clear();
        return 1;
    }
    return t;
}

/* ---- verified tokens, kept in memory -------------------------------------- *
 *
 * Checking a token in the database reads the token and its account, on a
 * page cache that every commit of the log's writer empties. A token the
 * database has accepted is kept here, under its hash, and taken on trust
 * while nothing could have changed the answer:
 * - every change that could refuse a token (a revocation, a disabled
 *   account, a role change) writes a security-log entry, in this process
 *   or another (the console): a kept answer holds only while the security
 *   log's last id is the one read before the database was asked, one
 *   small read instead of three tables;
 * - in this process such a change also moves the generation once
 *   committed, so a kept answer misses at once even when the caller is
 *   inside a transaction of its own;
 * - and for at most AUTH_TOKEN_CACHE_SECONDS, never past the token's
 *   expiry, so that its last use is still recorded (at most once a
 *   minute) and a row edited by hand is seen within a second. */

#define TOKEN_CACHE_SLOTS 1024 /* a power of two */

typedef struct kept_token {
    pthread_mutex_t lock;
    bool used;
    unsigned char hash[AUTH_HASH_LEN];
    uint64_t generation;
    int64_t mark;             /* the security log's last id when the database said yes */
    int64_t checked_at, ends; /* Unix time; 'ends' 0: never */
    char id[AUTH_ID_LEN], role[AUTH_ROLE_LEN], scope[AUTH_SCOPE_LEN];
} kept_token;

static kept_token kept[TOKEN_CACHE_SLOTS];
static pthread_once_t kept_once = PTHREAD_ONCE_INIT;
static atomic_bool keeping;
static _Atomic uint64_t generation = 1;

static void kept_init(void)
{
    for (size_t i = 0; i < TOKEN_CACHE_SLOTS; i++)
        pthread_mutex_init(&kept[i].lock, NULL);
}

void auth_token_cache(bool on)
{
    pthread_once(&kept_once, kept_init);
    atomic_fetch_add(&generation, 1); /* nothing kept before counts */
    atomic_store(&keeping, on);
}

void auth_token_cache_forget(void) { atomic_fetch_add(&generation, 1); }

static kept_token *kept_slot(const unsigned char hash[AUTH_HASH_LEN])
{
    return &kept[(hash[0] | (size_t)hash[1] << 8) & (TOKEN_CACHE_SLOTS - 1)];
}

/* Fills '*out' from the kept answer for 'hash' if there is a current one
 * at 'now', with the security log's last id 'mark'. */
static bool kept_lookup(const unsigned char hash[AUTH_HASH_LEN], int64_t now, int64_t mark, principal *out)
{
    kept_token *k = kept_slot(hash);
    bool hit = false;
    pthread_mutex_lock(&k->lock);
    if (k->used && k->generation == atomic_load(&generation) && k->mark == mark && now >= k->checked_at &&
        now - k->checked_at < AUTH_TOKEN_CACHE_SECONDS && (!k->ends || k->ends > now) &&
        sodium_memcmp(k->hash, hash, AUTH_HASH_LEN) == 0) {
        auth_principal_fill(out, k->id, k->role, k->scope);
        out->ends = k->ends;
        hit = true;
    }
    pthread_mutex_unlock(&k->lock);
    return hit;
}

/* Keeps the database's yes for 'hash' at 'now', read under generation
 * 'gen' and security-log id 'mark'. */
static void kept_store(const unsigned char hash[AUTH_HASH_LEN], uint64_t gen, int64_t mark, int64_t now,
                       const principal *p)
{
    kept_token *k = kept_slot(hash);
    pthread_mutex_lock(&k->lock);
    k->used = true;
    memcpy(k->hash, hash, AUTH_HASH_LEN);
    k->generation = gen;
    k->mark = mark;
    k->checked_at = now;
    k->ends = p->ends;
    snprintf(k->id, sizeof k->id, "%s", p->id);
    snprintf(k->role, sizeof k->role, "%s", p->role);
    snprintf(k->scope, sizeof k->scope, "%s", p->scope);
    pthread_mutex_unlock(&k->lock);
}

int auth_check_token(store *db, const char *token, principal *out)
{
    unsigned char hash[AUTH_HASH_LEN];
    char now[AUTH_TS_LEN];
    store_stmt *st;
    bool ok = false;
    int64_t id = 0, clock = auth_clock();
    memset(out, 0, sizeof *out);
    if (!auth_secret_shape(token, AUTH_PREFIX_API))
        return accord_fail(ACCORD_EAUTH, NULL, TOKEN_INVALID);
    auth_secret_hash(token, hash);
    /* Inside a transaction the database may be older than the cache (or
     * about to change): it answers alone. */
    bool keep = atomic_load(&keeping) && !store_in_transaction(db);
    uint64_t gen = atomic_load(&generation);
    int64_t mark = 0;
    int rc = keep ? store_one_int(db, &mark, "SELECT max(id) FROM security_log", "") : ACCORD_OK;
    if (rc < 0)
        return rc;
    if (keep && kept_lookup(hash, clock, mark, out))
        return ACCORD_OK;
    auth_ts(clock, now);
    rc = store_query(db, &st,
                         "SELECT t.id, a.id, a.role, a.scope, t.scope, t.last_used_at, t.expires_at"
                         " FROM api_token t JOIN account a ON a.id = t.account"
                         " WHERE t.token_hash = ? AND t.revoked_at IS NULL AND a.disabled = 0"
                         " AND (t.expires_at IS NULL OR t.expires_at > ?)",
                         "bs", hash, sizeof hash, now);
    if (rc)
        return rc;
    rc = store_step(st);
    /* The account's role or scope may have changed since the token was
     * made: a token whose scope is no longer within the account's is
     * refused rather than silently acting for something else. */
    bool stale = false;
    if (rc == STORE_ROW && auth_scope_within(store_col_text(st, 2), store_col_text(st, 3), store_col_text(st, 4))) {
        id = store_col_int(st, 0);
        char recent[AUTH_TS_LEN];
        auth_ts(clock - AUTH_TOUCH_SECONDS, recent);
        const char *used = store_col_text(st, 5);
        stale = !used || strcmp(used, recent) < 0;
        auth_principal_fill(out, store_col_text(st, 1), store_col_text(st, 2), store_col_text(st, 4));
        out->ends = token_end(store_col_text(st, 6));
        ok = true;
    }
    store_stmt_close(st);
    if (rc < 0)
        return rc;
    if (!ok)
        return accord_fail(ACCORD_EAUTH, NULL, TOKEN_INVALID);
    if (keep)
        kept_store(hash, gen, mark, clock, out);
    /* Recording the use is a write: done at most once a minute, so that
     * busy scripts do not queue behind the log's writer on every call. */
    if (!stale)
        return ACCORD_OK;
    return store_run(db,
                     "UPDATE api_token SET last_used_at = ?"
                     " WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)",
                     "sis", now, id, now);
}
