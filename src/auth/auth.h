/* Accounts and API tokens: who may write.
 *
 * Accounts and tokens are private operational state, kept outside the
 * public log. A token is 32 random bytes shown once to its owner as
 * "acc_<base64url>"; only its SHA-256 is stored, so a copy of the
 * database does not yield usable tokens. (High-entropy tokens need no
 * slow hash; passwords will use Argon2id.) */
#ifndef ACCORD_AUTH_AUTH_H
#define ACCORD_AUTH_AUTH_H

#include <stdbool.h>

#include "events/events.h"
#include "store/db.h"

#define AUTH_TOKEN_LEN 48   /* "acc_" + 43 base64url characters + NUL, rounded */
#define AUTH_ID_LEN 33      /* 16 random bytes as hex + NUL */
#define AUTH_ROLE_LEN 24

/* The authenticated caller; 'who' points into the fixed buffers. */
typedef struct principal {
    char id[AUTH_ID_LEN];
    char role[AUTH_ROLE_LEN];
    actor who;
} principal;

/* Creates the first admin account and an API token for it, written to
 * 'token' (shown to the operator once, never stored). Fails
 * ACCORD_ECONFLICT if an admin already exists. */
int auth_bootstrap_admin(store *db, char token[AUTH_TOKEN_LEN]);

/* Checks bearer token 'token'. On success fills '*out'. Fails ACCORD_EAUTH
 * for unknown, revoked or expired tokens and disabled accounts, with the
 * same message for each, so a caller learns nothing about which. */
int auth_check_token(store *db, const char *token, principal *out);

/* True if 'role' may record depositary actions and other public data. */
bool auth_may_write_records(const principal *p);

#endif
