/* Internals shared by the auth module's files (auth.c, password.c,
 * session.c, token.c, seclog.c). Not for use outside src/auth. */
#ifndef ACCORD_AUTH_AUTH_INT_H
#define ACCORD_AUTH_AUTH_INT_H

#include <sodium.h>
#include <stdbool.h>
#include <stdint.h>

#include "auth/auth.h"
#include "util/sha256.h"

#define AUTH_TS_LEN 21 /* "YYYY-MM-DDTHH:MM:SSZ" + NUL */
#define AUTH_HASH_LEN SHA256_SIZE
#define AUTH_PWHASH_LEN crypto_pwhash_STRBYTES

/* Prefixes of the secrets handed out: each kind is recognizable (and
 * findable by secret scanners) and cannot be used as another kind. */
#define AUTH_PREFIX_API "acc_"
#define AUTH_PREFIX_SESSION "acs_"
#define AUTH_PREFIX_CSRF "acf_"

/* ---- time: RFC 3339 UTC text, whole seconds ---- */

int64_t auth_clock(void);
void auth_ts(int64_t t, char out[AUTH_TS_LEN]);

/* ---- secrets ---- */

/* Writes 'prefix' + base64url(32 random bytes) to 'out'. */
void auth_secret_new(const char *prefix, char out[AUTH_TOKEN_LEN]);

/* True when 's' has exactly the shape auth_secret_new() gives 'prefix'. */
bool auth_secret_shape(const char *s, const char *prefix);

/* SHA-256 of a secret: what the tables keep. */
void auth_secret_hash(const char *s, unsigned char out[AUTH_HASH_LEN]);

/* A new opaque id: 16 random bytes in hex. */
void auth_new_id(char out[AUTH_ID_LEN]);

/* ---- text checks ---- */

/* True when 's' is 1..max bytes of valid UTF-8 without control
 * characters: safe to store, print and put in JSON. */
bool auth_text_ok(const char *s, size_t max);

/* Validates an email's shape and writes it lowercased to 'out'. Fails
 * ACCORD_EINVAL (field "email") without echoing the input, which may be
 * anything a user typed, a password included. */
int auth_email_normalize(const char *email, char out[AUTH_EMAIL_MAX + 1]);

/* NULL for NULL or "": the one spelling of "no scope". */
const char *auth_scope_or_null(const char *scope);

/* ---- passwords ---- */

/* Hashes 'password' with the current limits into 'out'. */
int auth_pwhash(const char *password, char out[AUTH_PWHASH_LEN]);

/* Verifies 'password' against 'hash'. A NULL hash (unknown account, or
 * one without a password) is checked against a dummy hash made once
 * with the same limits, so that the work, and the time, is the same;
 * the answer is then false. */
bool auth_pwverify(const char *hash, const char *password);

/* True when 'hash' was made with other limits than the current ones. */
bool auth_pw_needs_rehash(const char *hash);

/* ---- accounts ---- */

/* One account row, secrets excluded except the password hash. */
typedef struct auth_account {
    char id[AUTH_ID_LEN];
    char role[AUTH_ROLE_LEN];
    char scope[AUTH_SCOPE_LEN]; /* "" for none */
    char pwhash[AUTH_PWHASH_LEN]; /* "" when no password is set */
    bool disabled;
} auth_account;

/* Loads account 'id'; '*found' says whether it exists. */
int auth_account_load(store *db, const char *id, auth_account *out, bool *found);

/* Loads the account with normalized email 'email'. */
int auth_account_by_email(store *db, const char *email, auth_account *out, bool *found);

/* Fills '*p' for a caller authenticated by an API token. */
void auth_principal_fill(principal *p, const char *id, const char *role, const char *scope);

/* Revokes every open session of 'account' (at 'now'). */
int auth_sessions_revoke_all(store *db, const char *account, const char *now);

/* Creates an API token row; shared by auth_token_create and the
 * bootstrap. 'scope' is already checked. Logs token.created. */
int auth_token_insert(store *db, const char *account, const char *name, const char *scope, const char *expires_at,
                      const principal *by, char token[AUTH_TOKEN_LEN], int64_t *id_out);

/* ---- security log ---- */

/* Logs a change made by 'by' (NULL: the console operator) to 'account':
 * the acting account and its client address, or AUTH_CONSOLE. */
int auth_security_log_change(store *db, const char *kind, const char *account, const principal *by,
                             const char *detail);

/* auth_security_log() with the acting account 'by' (NULL: the console or
 * the account itself). */
int auth_security_log_by(store *db, const char *kind, const char *account, const char *by, const char *client,
                         const char *detail);

#endif
