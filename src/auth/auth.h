/* Accounts, credentials and who may do what.
 *
 * Accounts, sessions and tokens are private operational state, kept
 * outside the public log; the log records only each actor's role and
 * opaque id. Passwords are hashed with Argon2id (libsodium
 * crypto_pwhash_str). Session and API tokens are 32 random bytes shown
 * once ("acs_..." for sessions, "acc_..." for API tokens); only their
 * SHA-256 is stored: they are high-entropy, so a slow hash adds nothing,
 * and a copy of the database yields no usable credential.
 *
 * Security events (logins, failures, token and role changes) are written
 * to the private security_log table. */
#ifndef ACCORD_AUTH_AUTH_H
#define ACCORD_AUTH_AUTH_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "events/events.h"
#include "store/db.h"

#define AUTH_TOKEN_LEN 48   /* "acc_" + 43 base64url characters + NUL, rounded */
#define AUTH_ID_LEN 33      /* 16 random bytes as hex + NUL */
#define AUTH_ROLE_LEN 24
#define AUTH_SCOPE_LEN 72
#define AUTH_MIN_PASSWORD 12
#define AUTH_MAX_PASSWORD 1024
#define AUTH_EMAIL_MAX 254      /* bytes, as in RFC 5321 paths */
#define AUTH_NAME_MAX 200       /* display names, bytes */
#define AUTH_TOKEN_NAME_MAX 100 /* API token names, bytes */

/* Roles, from the widest to the narrowest. */
#define AUTH_ROLES "admin, depositary, focal_point, reviewer, coordinator"

#define AUTH_CLIENT_LEN 64  /* a client address as text, with its NUL */
#define AUTH_CONSOLE "console" /* the client recorded for changes made at the console */

/* The authenticated caller. 'who' points into the fixed buffers. Where
 * an account change takes 'by', NULL means the console operator. */
typedef struct principal {
    char id[AUTH_ID_LEN];          /* account id: the opaque actor id */
    char role[AUTH_ROLE_LEN];      /* admin | depositary | focal_point | reviewer | coordinator */
    char scope[AUTH_SCOPE_LEN];    /* party code, instrument slug or entity code; "" for none */
    bool via_session;              /* a browser session: state changes need the CSRF token */
    int64_t session;               /* session row id when via_session */
    int64_t ends;                  /* Unix time the credential stops working at the latest
                                    * (a token's expiry, a session's absolute end); 0: never */
    char client[AUTH_CLIENT_LEN];  /* the caller's address, for the security log; set by the HTTP layer */
    actor who;
} principal;

/* True when 'role' is one of AUTH_ROLES. */
bool auth_role_valid(const char *role);

/* Checks that 'scope' suits 'role': a registered party for focal_point,
 * an instrument or nothing for reviewer, an entity code for coordinator,
 * nothing for admin and depositary. Fails ACCORD_EINVAL / ENOTFOUND. */
int auth_scope_check(store *db, const char *role, const char *scope);

/* True when 'scope' is no wider than 'account_scope' for an account of
 * 'role' (NULL and "" mean no scope): equal, or one instrument of a
 * reviewer who has all, or a sub-entity ("unodc/almaty") of a
 * coordinator's entity ("unodc"). */
bool auth_scope_within(const char *role, const char *account_scope, const char *scope);

/* ---- passwords ---------------------------------------------------------- */

/* Fails ACCORD_EINVAL when 'password' is shorter than AUTH_MIN_PASSWORD,
 * longer than AUTH_MAX_PASSWORD, or one of the very common passwords. */
int auth_password_acceptable(const char *password);

/* Argon2id cost: "moderate" (the default) or "interactive" (tests and
 * small machines; set by $ACCORD_PWHASH). */
void auth_pwhash_limits(unsigned long long *ops, size_t *mem);

/* ---- accounts (private; each change is a security_log entry) ------------- */

/* Creates an account; its new opaque id goes to 'id_out'. 'by' is the
 * caller making the change (NULL for the console): its account and
 * address go to the security log, as for every change below. Fails
 * ACCORD_ECONFLICT for a known email. */
int auth_user_add(store *db, const char *email, const char *display_name, const char *role, const char *scope,
                  const char *password, const principal *by, char id_out[AUTH_ID_LEN]);

/* Finds an account by email or id; fails ACCORD_ENOTFOUND. */
int auth_user_find(store *db, const char *email_or_id, char id_out[AUTH_ID_LEN]);

int auth_user_set_disabled(store *db, const char *id, bool disabled, const principal *by);
int auth_user_set_password(store *db, const char *id, const char *password, const principal *by);
int auth_user_set_role(store *db, const char *id, const char *role, const char *scope, const principal *by);

/* An admin's change to account 'id', as POST /api/v1/users/{id} makes
 * it: a new 'role' with its 'scope' (scope only with a role), 'disabled'
 * 1 or 0 (-1: unchanged), a new 'password' (NULL: unchanged). Every
 * change is checked before any is made; an account cannot be disabled
 * by itself (ACCORD_ECONFLICT). */
int auth_user_change(store *db, const char *id, const char *role, const char *scope, int disabled,
                     const char *password, const principal *by);

/* All accounts (without secrets), as a JSON array in '*out'. */
int auth_user_list(store *db, json_t **out);

/* One account (without secrets). */
int auth_user_get(store *db, const char *id, json_t **out);

/* Creates the first admin account (no password) and an API token for it,
 * written to 'token' (shown once). Fails ACCORD_ECONFLICT if an admin
 * exists. */
int auth_bootstrap_admin(store *db, char token[AUTH_TOKEN_LEN]);

/* Checks that 'password' is the current password of the signed-in
 * caller 'p', counted against the same throttle as a sign-in to the
 * account's email from 'p->client' (a wrong one is a failure, logged as
 * password.confirm_failed; a right one clears the count as a sign-in
 * does). Fails ACCORD_EAUTH (field "current_password") when wrong or the
 * account has no email, ACCORD_ETHROTTLED with the seconds to wait in
 * '*retry_after'. */
int auth_password_confirm(store *db, const principal *p, const char *password, int *retry_after);

/* The caller 'p' changes their own password: 'current' must be right
 * (auth_password_confirm()) and 'password' follow the password rules
 * (checked first, so a refused new password costs no attempt). Every
 * other session of the account ends; the caller's own goes on. Logged
 * as user.password_changed by the account itself. */
int auth_password_change(store *db, const principal *p, const char *current, const char *password,
                         int *retry_after);

/* ---- sessions --------------------------------------------------------------- */

#define AUTH_SESSION_IDLE_SECONDS (30 * 60)
/* Last-use times of sessions and tokens are written at most this often. */
#define AUTH_TOUCH_SECONDS 60
#define AUTH_SESSION_MAX_SECONDS (12 * 60 * 60)

/* Sign-in throttling. Failures are counted per client address, per
 * (account, address) pair and per account (the email as typed, hashed); a
 * count is forgotten AUTH_THROTTLE_WINDOW_SECONDS after its last failure.
 * Past a key's free failures, each failure makes it wait 1 s, doubling, at
 * most AUTH_THROTTLE_MAX_SECONDS. The window is longer than the longest
 * wait, so waiting out the back-off does not also reset the count.
 * The account's own back-off holds only for addresses with recent
 * failures: a stranger failing at an account cannot lock its owner out,
 * while guessing at one account from many addresses still slows down
 * after each address's first attempt. */
#define AUTH_THROTTLE_WINDOW_SECONDS (60 * 60)
#define AUTH_THROTTLE_MAX_SECONDS (15 * 60)
#define AUTH_THROTTLE_ACCOUNT_FREE 5  /* per account, and per (account, address) */
#define AUTH_THROTTLE_ADDRESS_FREE 20 /* several people may share an address */

/* Checks 'email' and 'password' from client address 'client'. On success
 * creates a session and writes its token (the cookie value) and its CSRF
 * token to the buffers. Unknown email, wrong password and disabled
 * account all fail ACCORD_EAUTH with one message and similar timing.
 * While throttled (exponential back-off, see above) fails
 * ACCORD_ETHROTTLED with the seconds to wait in '*retry_after'. */
int auth_login(store *db, const char *email, const char *password, const char *client, char token[AUTH_TOKEN_LEN],
               char csrf[AUTH_TOKEN_LEN], int *retry_after);

/* Checks session token 'token' (idle and absolute expiry, revocation,
 * disabled account); refreshes its idle time; fills '*out'. */
int auth_check_session(store *db, const char *token, principal *out);

/* True when 'token' is (or was) a session of an account that is now
 * disabled: what the sign-in page tells the holder of its cookie, rather
 * than "the session has ended". */
bool auth_session_account_disabled(store *db, const char *token);

/* The CSRF token of the session whose token (the cookie's value) is
 * 'token', into 'csrf': derived from it with a keyed hash, so that the
 * server's pages can put it in their forms without storing it anywhere.
 * Only someone holding the session token can compute it, and the cookie
 * is HttpOnly and SameSite=Strict. */
void auth_session_csrf(const char *token, char csrf[AUTH_TOKEN_LEN]);

/* True when 'csrf' is the CSRF token of session 'p' (constant time). */
bool auth_check_csrf(store *db, const principal *p, const char *csrf);

/* Revokes the session of 'p' (logged with 'p->client'). */
int auth_logout(store *db, const principal *p);

/* ---- API tokens --------------------------------------------------------- */

/* Lifetimes of API tokens made over the API (by a caller, not the
 * console). A token lives at most the maximum (set by the operator with
 * auth_token_set_max_seconds, e.g. 'accord serve --token-max-days') and
 * never past the end of the credential that made it: a token made with a
 * token ends no later than its parent, one made in a browser session no
 * later than the session's absolute end. Without an expiry asked for, a
 * token gets the default lifetime within those bounds. */
#define AUTH_TOKEN_DEFAULT_SECONDS (30 * 86400)
#define AUTH_TOKEN_MAX_SECONDS (365 * 86400)  /* the maximum unless the operator sets another */
#define AUTH_TOKEN_MAX_DAYS_LIMIT 3650        /* the largest maximum the operator may set, in days */
#define AUTH_TOKENS_PER_ACCOUNT 50            /* live (unrevoked, unexpired) tokens per account */

/* Sets the maximum lifetime of tokens made over the API, in seconds
 * (1 day to AUTH_TOKEN_MAX_DAYS_LIMIT days). Process-wide: call it before
 * serving, not while requests run. Fails ACCORD_EINVAL out of range. */
int auth_token_set_max_seconds(int64_t seconds);

/* The maximum lifetime in force, in seconds. */
int64_t auth_token_max_seconds(void);

/* Creates an API token named 'name' for account 'account' with 'scope'
 * (NULL: the account's own; otherwise it must be no wider) expiring at
 * 'expires_at' (RFC 3339). 'by' is the caller (NULL: the console, which
 * the lifetime bounds above do not apply to; there NULL 'expires_at'
 * means never). The token goes to 'token' (shown once) and its id to
 * '*id_out'. Fails ACCORD_EINVAL for an expiry past a bound, ACCORD_ERULE
 * when the account already has AUTH_TOKENS_PER_ACCOUNT live tokens. */
int auth_token_create(store *db, const char *account, const char *name, const char *scope, const char *expires_at,
                      const principal *by, char token[AUTH_TOKEN_LEN], int64_t *id_out);

/* auth_token_create() for the signed-in caller 'by' after
 * auth_password_confirm() of 'password': the token has the account's
 * scope and, the password having just been proven, is bounded by the
 * maximum lifetime only, not by the end of the caller's session (a
 * session cookie alone cannot make a token that outlives it). Fails as
 * those two do. */
int auth_token_create_confirmed(store *db, const principal *by, const char *password, const char *name,
                                const char *expires_at, char token[AUTH_TOKEN_LEN], int64_t *id_out, int *retry_after);

/* Revokes token 'id'. With 'account' set, only a token of that account. */
int auth_token_revoke(store *db, int64_t id, const char *account, const principal *by);

/* Token 'id' (never its value) as JSON in '*out', the caller's to
 * decref; the same object auth_token_list gives. Fails ACCORD_ENOTFOUND. */
int auth_token_get(store *db, int64_t id, json_t **out);

/* Tokens (never their values) of 'account' (NULL: all), as JSON. */
int auth_token_list(store *db, const char *account, json_t **out);

/* Checks bearer token 'token'. Unknown, revoked and expired tokens and
 * disabled accounts all fail ACCORD_EAUTH with the same message. */
int auth_check_token(store *db, const char *token, principal *out);

/* How long a token the database accepted is taken on trust when the
 * cache is on, at most. A revocation, a disabled account or a role change
 * made through this module, in this process or another (the console),
 * reaches the cache at once; a row edited by hand within this time. */
#define AUTH_TOKEN_CACHE_SECONDS 1

/* Turns the cache of verified tokens on or off for the whole process
 * (the server turns it on); whatever was kept is forgotten. Call it
 * before the threads that check tokens start, or after they stop. */
void auth_token_cache(bool on);

/* Makes every kept token miss: called after a change that could refuse
 * a token (a revocation, a disabled account, a role change) is
 * committed. Safe from any thread. */
void auth_token_cache_forget(void);

/* ---- the security log -------------------------------------------------------- */

/* Appends a security event ('kind' such as "login.failed") about account
 * 'account' (may be NULL) from 'client' (may be NULL). */
int auth_security_log(store *db, const char *kind, const char *account, const char *client, const char *detail);

/* The latest 'limit' security events, newest first. */
int auth_security_log_list(store *db, int limit, json_t **out);

/* At most 'limit' security events, newest first, of account 'account'
 * (an id; NULL or "": any) and of 'kind' (NULL or "": any), older than
 * event 'before' (0: from the newest): one page of the log, the next
 * one starting before the last id of this one. */
int auth_security_log_page(store *db, const char *account, const char *kind, int64_t before, int limit,
                           json_t **out);

#endif
