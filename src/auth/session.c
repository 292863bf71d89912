/* Sign-in, browser sessions, their CSRF tokens, and sign-in throttling.
 *
 * A sign-in is counted as a failure before the password is checked and
 * forgiven once it succeeds: concurrent attempts then cannot all slip
 * through a throttle check that the slow hash keeps them from updating.
 * The password check runs outside any transaction, so a sign-in never
 * holds the write lock while Argon2id works. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "auth/auth_int.h"
#include "store/lookup.h"
#include "util/date.h"
#include "util/error.h"
#include "util/sha256.h"

/* One message for every failed sign-in, whatever the reason. */
#define LOGIN_FAILED "wrong email or password"
#define SESSION_INVALID "the session has ended or is not valid; sign in again"
#define CLIENT_MAX 64

/* The caller as a principal; 'who' points into it. */
static void principal_fill(principal *p, const char *id, const char *role, const char *scope, int64_t session)
{
    memset(p, 0, sizeof *p);
    snprintf(p->id, sizeof p->id, "%s", id);
    snprintf(p->role, sizeof p->role, "%s", role);
    snprintf(p->scope, sizeof p->scope, "%s", scope ? scope : "");
    p->via_session = session > 0;
    p->session = session;
    p->who.id = p->id;
    p->who.role = p->role;
}

/* ---- throttling ---- */

typedef struct throttle_key {
    char key[80];                       /* "account:<hex>", "pair:<hex>" or "address:<client>"; "" when unused */
    int free;                           /* failures allowed before the back-off starts */
    int64_t failures;                   /* recent failures before this attempt */
    char locked_until[AUTH_TS_LEN];     /* as stored before this attempt; "" for none */
    int64_t wait;                       /* seconds still to wait; 0 when free to try */
} throttle_key;

/* The email as typed, lowercased (ASCII), into 'out' (AUTH_MAX_PASSWORD + 1
 * bytes); returns its length. */
static size_t email_lower(const char *email, char *out)
{
    size_t len = email ? strnlen(email, AUTH_MAX_PASSWORD) : 0;
    for (size_t i = 0; i < len; i++)
        out[i] = email[i] >= 'A' && email[i] <= 'Z' ? (char)(email[i] - 'A' + 'a') : email[i];
    return len;
}

/* "<prefix>:" and the hex SHA-256 of 'len' bytes at 'data'. */
static void hashed_key(const char *prefix, const void *data, size_t len, throttle_key *k)
{
    unsigned char hash[AUTH_HASH_LEN];
    char hex[2 * AUTH_HASH_LEN + 1];
    sha256(hash, data, len);
    sodium_bin2hex(hex, sizeof hex, hash, sizeof hash);
    snprintf(k->key, sizeof k->key, "%s:%s", prefix, hex);
}

/* The email as typed is never stored here, only its hash: people type
 * passwords into the email field, and this table is not the place for them. */
static void account_key(const char *email, throttle_key *k)
{
    char lower[AUTH_MAX_PASSWORD + 1];
    hashed_key("account", lower, email_lower(email, lower), k);
    k->free = AUTH_THROTTLE_ACCOUNT_FREE;
}

/* One account from one address: the hash of the lowercased email, a NUL
 * (which neither contains) and the address. */
static void pair_key(const char *email, const char *client, throttle_key *k)
{
    char both[AUTH_MAX_PASSWORD + 1 + CLIENT_MAX + 1];
    k->key[0] = '\0';
    k->free = AUTH_THROTTLE_ACCOUNT_FREE;
    if (!client || !auth_text_ok(client, CLIENT_MAX))
        return;
    size_t len = email_lower(email, both);
    both[len++] = '\0';
    size_t clen = strlen(client);
    memcpy(both + len, client, clen);
    hashed_key("pair", both, len + clen, k);
}

static void address_key(const char *client, throttle_key *k)
{
    k->key[0] = '\0';
    if (client && auth_text_ok(client, CLIENT_MAX))
        snprintf(k->key, sizeof k->key, "address:%s", client);
    k->free = AUTH_THROTTLE_ADDRESS_FREE;
}

/* Seconds to wait after the 'failures'-th failure: none for the free
 * ones, then 1 s doubling up to the cap. */
static int64_t backoff(int64_t failures, int free)
{
    if (failures < free)
        return 0;
    int64_t n = failures - free;
    if (n >= 30) /* 2^30 s is far past the cap; also keeps the shift defined */
        return AUTH_THROTTLE_MAX_SECONDS;
    int64_t delay = (int64_t)1 << n;
    return delay < AUTH_THROTTLE_MAX_SECONDS ? delay : AUTH_THROTTLE_MAX_SECONDS;
}

/* A stored time, or 0 when absent or unreadable (someone edited the
 * table by hand): a broken row must not lock anyone out for ever. */
static int64_t stored_time(const char *ts)
{
    int64_t t;
    if (!ts || date_parse_rfc3339(ts, "time", &t) != ACCORD_OK) {
        accord_error_clear();
        return 0;
    }
    return t;
}

/* Reads the key's recent failures and how long it must still wait. */
static int throttle_read(store *db, throttle_key *k, int64_t now)
{
    store_stmt *st;
    k->failures = 0;
    k->wait = 0;
    k->locked_until[0] = '\0';
    if (!k->key[0])
        return ACCORD_OK;
    int rc = store_first_row(db, &st,
                             "SELECT failures, last_failure_at, locked_until FROM login_throttle WHERE key = ?", "s",
                             k->key);
    if (rc == STORE_ROW) {
        const char *locked = store_col_text(st, 2);
        if (now - stored_time(store_col_text(st, 1)) < AUTH_THROTTLE_WINDOW_SECONDS)
            k->failures = store_col_int(st, 0);
        snprintf(k->locked_until, sizeof k->locked_until, "%s", locked ? locked : "");
        int64_t until = stored_time(locked);
        k->wait = until > now ? until - now : 0;
    }
    store_stmt_close(st);
    return rc < 0 ? rc : ACCORD_OK;
}

/* Counts this attempt as a failure, with the back-off it brings. */
static int throttle_count(store *db, const throttle_key *k, int64_t now)
{
    char at[AUTH_TS_LEN], until[AUTH_TS_LEN];
    if (!k->key[0])
        return ACCORD_OK;
    int64_t failures = k->failures + 1, delay = backoff(failures, k->free);
    auth_ts(now, at);
    auth_ts(now + delay, until);
    return store_run(db,
                     "INSERT INTO login_throttle (key, failures, last_failure_at, locked_until) VALUES (?, ?, ?, ?)"
                     " ON CONFLICT (key) DO UPDATE SET failures = excluded.failures,"
                     " last_failure_at = excluded.last_failure_at, locked_until = excluded.locked_until",
                     "siss", k->key, failures, at, delay ? until : NULL);
}

/* Undoes throttle_count after a success. The account's and the pair's
 * counts start again; the address only gets back this one attempt, so
 * that signing in to one's own account cannot clear the back-off earned
 * by guessing at others from the same address. */
static int throttle_forgive(store *db, const throttle_key *k, bool reset)
{
    if (!k->key[0])
        return ACCORD_OK;
    if (reset || k->failures == 0)
        return store_run(db, "DELETE FROM login_throttle WHERE key = ?", "s", k->key);
    return store_run(db,
                     "UPDATE login_throttle SET failures = failures - 1, locked_until = ?"
                     " WHERE key = ? AND failures > 0",
                     "ss", k->locked_until[0] ? k->locked_until : NULL, k->key);
}

/* ---- sign-in ---- */

enum { KEY_ACCOUNT, KEY_PAIR, KEY_ADDRESS, NKEYS };

typedef struct login_attempt {
    const char *client;          /* NULL unless auth_text_ok */
    throttle_key keys[NKEYS];
    auth_account account;
    bool found, ok;
    const char *reason;          /* for the security log only */
    char email[AUTH_EMAIL_MAX + 1]; /* normalized; "" when malformed */
} login_attempt;

static void throttled_detail(const login_attempt *at, int64_t wait, char *out, size_t len)
{
    static const char *const names[NKEYS] = {"account", "account and address", "address"};
    char which[64] = "";
    for (int i = 0; i < NKEYS; i++)
        if (at->keys[i].wait > 0)
            snprintf(which + strlen(which), sizeof which - strlen(which), "%s%s", which[0] ? ", " : "", names[i]);
    snprintf(out, len, "wait %lld s (%s)%s%s", (long long)wait, which, at->found ? "" : "; email ",
             at->found ? "" : at->email[0] ? at->email : "malformed");
}

/* The account's own back-off holds only for an address that has failed
 * recently (or an unknown one): the owner, signing in from an address
 * with no failures, is not locked out by strangers failing elsewhere. */
static void exempt_clean_address(login_attempt *at)
{
    const throttle_key *address = &at->keys[KEY_ADDRESS];
    if (address->key[0] && address->failures == 0)
        at->keys[KEY_ACCOUNT].wait = 0;
}

/* Checks the throttle keys and, when free, counts this attempt as a
 * failure, in one transaction so concurrent attempts are all counted.
 * While a key must wait: logs login.throttled and fails ETHROTTLED. */
static int throttle_gate(store *db, login_attempt *at, int64_t now, int *retry_after)
{
    int64_t wait = 0;
    int rc = store_begin(db);
    for (int i = 0; i < NKEYS && !rc; i++)
        rc = throttle_read(db, &at->keys[i], now);
    if (!rc)
        exempt_clean_address(at);
    for (int i = 0; i < NKEYS && !rc; i++)
        if (at->keys[i].wait > wait)
            wait = at->keys[i].wait;
    if (!rc && wait > 0) {
        char detail[AUTH_EMAIL_MAX + 96];
        throttled_detail(at, wait, detail, sizeof detail);
        rc = auth_security_log_by(db, "login.throttled", at->found ? at->account.id : NULL, NULL, at->client, detail);
    }
    for (int i = 0; i < NKEYS && !rc && wait == 0; i++)
        rc = throttle_count(db, &at->keys[i], now);
    if (!rc) rc = store_commit(db);
    if (rc) {
        store_rollback(db);
        return rc;
    }
    if (wait > 0) {
        *retry_after = wait > AUTH_THROTTLE_MAX_SECONDS ? AUTH_THROTTLE_MAX_SECONDS : (int)wait;
        return accord_fail(ACCORD_ETHROTTLED, NULL, "too many failed sign-ins; try again in %d second%s", *retry_after,
                           *retry_after == 1 ? "" : "s");
    }
    return ACCORD_OK;
}

/* Checks the password. The Argon2id verification runs in every case,
 * against a dummy hash when there is no account or no password, so that
 * all failures take about as long. */
static void check_password(login_attempt *at, const char *password)
{
    bool long_ok = password && strnlen(password, AUTH_MAX_PASSWORD + 1) <= AUTH_MAX_PASSWORD;
    bool verified = auth_pwverify(at->found ? at->account.pwhash : NULL, long_ok ? password : "");
    at->ok = false;
    if (!at->found)
        at->reason = at->email[0] ? "unknown email" : "malformed email";
    else if (!at->account.pwhash[0])
        at->reason = "no password set";
    else if (!verified)
        at->reason = "wrong password";
    else if (at->account.disabled)
        at->reason = "account disabled";
    else
        at->ok = true;
}

static int record_failure(store *db, const login_attempt *at)
{
    char detail[AUTH_EMAIL_MAX + 32];
    if (at->found)
        snprintf(detail, sizeof detail, "%s", at->reason);
    else
        snprintf(detail, sizeof detail, "%s%s%s", at->reason, at->email[0] ? " " : "", at->email);
    int rc = auth_security_log_by(db, "login.failed", at->found ? at->account.id : NULL, NULL, at->client, detail);
    return rc ? rc : accord_fail(ACCORD_EAUTH, NULL, LOGIN_FAILED);
}

/* Ends sessions of 'account' that can no longer be used anyway. Revoked
 * ones stay until they would have expired, for whoever looks. */
static int prune_sessions(store *db, const char *account, int64_t now)
{
    char idle[AUTH_TS_LEN], max[AUTH_TS_LEN];
    auth_ts(now - AUTH_SESSION_IDLE_SECONDS, idle);
    auth_ts(now - AUTH_SESSION_MAX_SECONDS, max);
    return store_run(db, "DELETE FROM session WHERE account = ? AND (last_seen_at <= ? OR created_at <= ?)", "sss",
                     account, idle, max);
}

static int insert_session(store *db, const login_attempt *at, const char *token, const char *csrf, const char *now)
{
    unsigned char th[AUTH_HASH_LEN], ch[AUTH_HASH_LEN];
    auth_secret_hash(token, th);
    auth_secret_hash(csrf, ch);
    return store_run(db,
                     "INSERT INTO session (account, token_hash, csrf_hash, client, created_at, last_seen_at)"
                     " VALUES (?, ?, ?, ?, ?, ?)",
                     "sbbsss", at->account.id, th, sizeof th, ch, sizeof ch, at->client, now, now);
}

/* The success transaction: forgive the counted attempt, open the session,
 * store the new hash when the limits changed, log it. */
static int open_session(store *db, const login_attempt *at, const char *newhash, int64_t t, const char *token,
                        const char *csrf)
{
    char now[AUTH_TS_LEN];
    auth_ts(t, now);
    int rc = store_begin(db);
    if (!rc) rc = throttle_forgive(db, &at->keys[KEY_ACCOUNT], true);
    if (!rc) rc = throttle_forgive(db, &at->keys[KEY_PAIR], true);
    if (!rc) rc = throttle_forgive(db, &at->keys[KEY_ADDRESS], false);
    if (!rc) rc = prune_sessions(db, at->account.id, t);
    if (!rc) rc = insert_session(db, at, token, csrf, now);
    /* Only if nobody changed the password meanwhile. */
    if (!rc && newhash)
        rc = store_run(db, "UPDATE account SET password_hash = ? WHERE id = ? AND password_hash = ?", "sss", newhash,
                       at->account.id, at->account.pwhash);
    if (!rc)
        rc = auth_security_log_by(db, "login.succeeded", at->account.id, NULL, at->client,
                                  newhash ? "password rehashed with the current limits" : NULL);
    if (!rc) rc = store_commit(db);
    if (rc)
        store_rollback(db);
    return rc;
}

static int login_success(store *db, const login_attempt *at, const char *password, char token[AUTH_TOKEN_LEN],
                         char csrf[AUTH_TOKEN_LEN])
{
    char newhash[AUTH_PWHASH_LEN];
    bool rehash = auth_pw_needs_rehash(at->account.pwhash);
    int rc = rehash ? auth_pwhash(password, newhash) : ACCORD_OK;
    if (rc)
        return rc;
    auth_secret_new(AUTH_PREFIX_SESSION, token);
    auth_session_csrf(token, csrf);
    rc = open_session(db, at, rehash ? newhash : NULL, auth_clock(), token, csrf);
    if (rc) {
        sodium_memzero(token, AUTH_TOKEN_LEN);
        sodium_memzero(csrf, AUTH_TOKEN_LEN);
    }
    return rc;
}

int auth_login(store *db, const char *email, const char *password, const char *client, char token[AUTH_TOKEN_LEN],
               char csrf[AUTH_TOKEN_LEN], int *retry_after)
{
    login_attempt at = {.client = client && auth_text_ok(client, CLIENT_MAX) ? client : NULL};
    token[0] = csrf[0] = '\0';
    *retry_after = 0;
    if (auth_email_normalize(email, at.email) != ACCORD_OK)
        at.email[0] = '\0';
    account_key(email, &at.keys[KEY_ACCOUNT]);
    pair_key(email, at.client, &at.keys[KEY_PAIR]);
    address_key(client, &at.keys[KEY_ADDRESS]);
    int rc = at.email[0] ? auth_account_by_email(db, at.email, &at.account, &at.found) : ACCORD_OK;
    if (!rc) rc = throttle_gate(db, &at, auth_clock(), retry_after);
    if (rc)
        return rc;
    check_password(&at, password);
    if (!at.ok)
        return record_failure(db, &at);
    return login_success(db, &at, password, token, csrf);
}

/* ---- confirming the password of a signed-in caller ---- */

/* Loads the caller's account and its email into 'at', with the same
 * throttle keys as a sign-in to that email from the caller's address. */
static int confirm_attempt(store *db, const principal *p, login_attempt *at)
{
    memset(at, 0, sizeof *at);
    at->client = p->client[0] && auth_text_ok(p->client, CLIENT_MAX) ? p->client : NULL;
    int rc = store_one_text(db, at->email, sizeof at->email, "SELECT email FROM account WHERE id = ?", "s", p->id);
    if (rc == STORE_DONE || (rc == STORE_ROW && !at->email[0]))
        return accord_fail(ACCORD_EAUTH, NULL, "this account has no email, so no password to confirm");
    if (rc < 0)
        return rc;
    account_key(at->email, &at->keys[KEY_ACCOUNT]);
    pair_key(at->email, at->client, &at->keys[KEY_PAIR]);
    address_key(at->client, &at->keys[KEY_ADDRESS]);
    return auth_account_load(db, p->id, &at->account, &at->found);
}

int auth_password_confirm(store *db, const principal *p, const char *password, int *retry_after)
{
    login_attempt at;
    *retry_after = 0;
    int rc = confirm_attempt(db, p, &at);
    if (!rc) rc = throttle_gate(db, &at, auth_clock(), retry_after);
    if (rc)
        return rc;
    check_password(&at, password);
    if (!at.ok) {
        rc = auth_security_log_by(db, "password.confirm_failed", p->id, NULL, at.client, at.reason);
        return rc ? rc : accord_fail(ACCORD_EAUTH, "current_password", "current_password: the password is wrong");
    }
    rc = store_begin(db);
    if (!rc) rc = throttle_forgive(db, &at.keys[KEY_ACCOUNT], true);
    if (!rc) rc = throttle_forgive(db, &at.keys[KEY_PAIR], true);
    if (!rc) rc = throttle_forgive(db, &at.keys[KEY_ADDRESS], false);
    if (!rc) rc = store_commit(db);
    if (rc)
        store_rollback(db);
    return rc;
}

/* ---- sessions ---- */

int auth_check_session(store *db, const char *token, principal *out)
{
    unsigned char hash[AUTH_HASH_LEN];
    char now[AUTH_TS_LEN], idle[AUTH_TS_LEN], max[AUTH_TS_LEN];
    store_stmt *st;
    memset(out, 0, sizeof *out);
    if (!auth_secret_shape(token, AUTH_PREFIX_SESSION))
        return accord_fail(ACCORD_EAUTH, NULL, SESSION_INVALID);
    auth_secret_hash(token, hash);
    int64_t t = auth_clock();
    auth_ts(t, now);
    auth_ts(t - AUTH_SESSION_IDLE_SECONDS, idle);
    auth_ts(t - AUTH_SESSION_MAX_SECONDS, max);
    int rc = store_first_row(db, &st,
                             "SELECT s.id, a.id, a.role, a.scope, s.last_seen_at, s.created_at FROM session s"
                             " JOIN account a ON a.id = s.account"
                             " WHERE s.token_hash = ? AND s.revoked_at IS NULL AND a.disabled = 0"
                             " AND s.last_seen_at > ? AND s.created_at > ?",
                             "bss", hash, sizeof hash, idle, max);
    bool stale = false;
    if (rc == STORE_ROW) {
        principal_fill(out, store_col_text(st, 1), store_col_text(st, 2), store_col_text(st, 3), store_col_int(st, 0));
        /* What the session lets its holder make (a token) must not
         * outlive the session's absolute end. */
        out->ends = stored_time(store_col_text(st, 5)) + AUTH_SESSION_MAX_SECONDS;
        char recent[AUTH_TS_LEN];
        auth_ts(t - AUTH_TOUCH_SECONDS, recent);
        stale = strcmp(store_col_text(st, 4), recent) < 0;
    }
    store_stmt_close(st);
    if (rc == STORE_DONE)
        return accord_fail(ACCORD_EAUTH, NULL, SESSION_INVALID);
    if (rc < 0)
        return rc;
    /* The idle clock is refreshed at most once a minute: each refresh is
     * a write, which would otherwise queue behind the log's writer. */
    if (!stale)
        return ACCORD_OK;
    return store_run(db, "UPDATE session SET last_seen_at = ? WHERE id = ? AND last_seen_at < ?", "sis", now,
                     out->session, now);
}

bool auth_session_account_disabled(store *db, const char *token)
{
    unsigned char hash[AUTH_HASH_LEN];
    if (!auth_secret_shape(token, AUTH_PREFIX_SESSION))
        return false;
    auth_secret_hash(token, hash);
    int rc = store_exists(db, "SELECT 1 FROM session s JOIN account a ON a.id = s.account"
                              " WHERE s.token_hash = ? AND a.disabled = 1", "b", hash, sizeof hash);
    accord_error_clear();
    return rc == STORE_ROW;
}

void auth_session_csrf(const char *token, char csrf[AUTH_TOKEN_LEN])
{
    static const char context[] = "accord session csrf v1";
    unsigned char raw[32];
    size_t plen = strlen(AUTH_PREFIX_CSRF), klen = strnlen(token, crypto_generichash_KEYBYTES_MAX);
    /* The session token (47 bytes) is the key; BLAKE2b needs at least 16. */
    if (klen < crypto_generichash_KEYBYTES_MIN) {
        csrf[0] = '\0';
        return;
    }
    crypto_generichash(raw, sizeof raw, (const unsigned char *)context, sizeof context - 1,
                       (const unsigned char *)token, klen);
    memcpy(csrf, AUTH_PREFIX_CSRF, plen);
    sodium_bin2base64(csrf + plen, AUTH_TOKEN_LEN - plen, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof raw);
}

bool auth_check_csrf(store *db, const principal *p, const char *csrf)
{
    unsigned char hash[AUTH_HASH_LEN];
    store_stmt *st;
    size_t len = 0;
    bool ok = false;
    if (!p || !p->via_session || !auth_secret_shape(csrf, AUTH_PREFIX_CSRF))
        return false;
    auth_secret_hash(csrf, hash);
    if (store_query(db, &st, "SELECT csrf_hash FROM session WHERE id = ? AND account = ? AND revoked_at IS NULL", "is",
                    p->session, p->id) != ACCORD_OK)
        return false;
    if (store_step(st) == STORE_ROW) {
        const void *stored = store_col_blob(st, 0, &len);
        ok = stored && len == sizeof hash && sodium_memcmp(stored, hash, sizeof hash) == 0;
    }
    store_stmt_close(st);
    return ok;
}

int auth_logout(store *db, const principal *p)
{
    char now[AUTH_TS_LEN];
    if (!p || !p->via_session)
        return accord_fail(ACCORD_EINVAL, NULL, "not signed in with a session");
    auth_ts(auth_clock(), now);
    int rc = store_begin(db);
    if (!rc)
        rc = store_run(db, "UPDATE session SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", "si", now,
                       p->session);
    if (!rc) rc = auth_security_log_by(db, "logout", p->id, NULL, p->client[0] ? p->client : "unknown", NULL);
    if (!rc) rc = store_commit(db);
    if (rc)
        store_rollback(db);
    return rc;
}

int auth_sessions_revoke_all(store *db, const char *account, const char *now)
{
    return store_run(db, "UPDATE session SET revoked_at = ? WHERE account = ? AND revoked_at IS NULL", "ss", now,
                     account);
}

/* For the token module: the same principal layout. */
void auth_principal_fill(principal *p, const char *id, const char *role, const char *scope)
{
    principal_fill(p, id, role, scope, 0);
}
