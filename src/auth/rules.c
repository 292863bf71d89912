/* Roles, scopes, the shape of emails and names, and the small pieces the
 * rest of the module shares: the clock, random secrets and ids. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "auth/auth_int.h"
#include "store/lookup.h"
#include "util/clock.h"
#include "util/date.h"
#include "util/error.h"
#include "util/sha256.h"

/* ---- time ---- */

int64_t auth_clock(void) { return clock_now(); }

void auth_ts(int64_t t, char out[AUTH_TS_LEN]) { date_format_rfc3339(t, out); }

/* ---- secrets and ids ---- */

void auth_secret_new(const char *prefix, char out[AUTH_TOKEN_LEN])
{
    unsigned char raw[32];
    size_t plen = strlen(prefix);
    randombytes_buf(raw, sizeof raw);
    memcpy(out, prefix, plen);
    sodium_bin2base64(out + plen, AUTH_TOKEN_LEN - plen, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof raw);
}

/* 32 bytes in unpadded base64url. */
#define SECRET_B64_LEN 43

bool auth_secret_shape(const char *s, const char *prefix)
{
    size_t plen = strlen(prefix);
    if (!s || strncmp(s, prefix, plen) != 0 || strnlen(s, AUTH_TOKEN_LEN) != plen + SECRET_B64_LEN)
        return false;
    for (const char *p = s + plen; *p; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' ||
              *p == '_'))
            return false;
    return true;
}

void auth_secret_hash(const char *s, unsigned char out[AUTH_HASH_LEN])
{
    sha256(out, s, strlen(s));
}

void auth_new_id(char out[AUTH_ID_LEN])
{
    unsigned char raw[16];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(out, AUTH_ID_LEN, raw, sizeof raw);
}

/* ---- text ---- */

/* Length of the valid UTF-8 sequence at 'p' (shortest form, no
 * surrogates, at most U+10FFFF), or 0. */
static size_t utf8_seq(const unsigned char *p)
{
    if (p[0] < 0x80)
        return 1;
    size_t n = p[0] >= 0xF0 ? 4 : p[0] >= 0xE0 ? 3 : p[0] >= 0xC2 ? 2 : 0;
    if (n == 0 || p[0] > 0xF4)
        return 0;
    for (size_t i = 1; i < n; i++)
        if ((p[i] & 0xC0) != 0x80)
            return 0;
    if ((p[0] == 0xE0 && p[1] < 0xA0) || (p[0] == 0xED && p[1] > 0x9F) || (p[0] == 0xF0 && p[1] < 0x90) ||
        (p[0] == 0xF4 && p[1] > 0x8F))
        return 0;
    return n;
}

bool auth_text_ok(const char *s, size_t max)
{
    if (!s || !*s || strnlen(s, max + 1) > max)
        return false;
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        if (*p < 0x20 || *p == 0x7F)
            return false;
        size_t n = utf8_seq(p);
        if (n == 0)
            return false;
        p += n;
    }
    return true;
}

/* ---- emails ---- */

static bool atext(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c && strchr("!#$%&'*+/=?^_`{|}~-", c));
}

/* The dot-atom local part of RFC 5322, 1..64 bytes; quoted forms are not
 * accepted (nobody signs in with them, and they complicate comparison). */
static bool local_part_ok(const char *s, size_t len)
{
    if (len == 0 || len > 64 || s[0] == '.' || s[len - 1] == '.')
        return false;
    for (size_t i = 0; i < len; i++)
        if (!(atext(s[i]) || (s[i] == '.' && s[i + 1] != '.')))
            return false;
    return true;
}

/* A DNS name of two or more labels (letters, digits, inner hyphens, each
 * 1..63 bytes) whose last label is not all digits. */
static bool domain_ok(const char *s)
{
    size_t label = 0, labels = 0;
    bool alpha_in_last = false;
    for (const char *p = s;; p++) {
        char c = *p;
        if (c == '.' || c == '\0') {
            if (label == 0 || label > 63 || p[-1] == '-')
                return false;
            labels++;
            if (c == '\0')
                break;
            label = 0;
            alpha_in_last = false;
            continue;
        }
        bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        if (!(letter || (c >= '0' && c <= '9') || (c == '-' && label > 0)))
            return false;
        alpha_in_last |= letter || c == '-';
        label++;
    }
    return labels >= 2 && alpha_in_last;
}

int auth_email_normalize(const char *email, char out[AUTH_EMAIL_MAX + 1])
{
    size_t len = email ? strnlen(email, AUTH_EMAIL_MAX + 1) : 0;
    const char *at = email && len <= AUTH_EMAIL_MAX ? strrchr(email, '@') : NULL;
    if (!at || !local_part_ok(email, (size_t)(at - email)) || !domain_ok(at + 1))
        return accord_fail(ACCORD_EINVAL, "email",
                           "email: not an email address (name@example.org, at most %d bytes)", AUTH_EMAIL_MAX);
    for (size_t i = 0; i <= len; i++)
        out[i] = email[i] >= 'A' && email[i] <= 'Z' ? (char)(email[i] - 'A' + 'a') : email[i];
    return ACCORD_OK;
}

/* ---- roles and scopes ---- */

static const char *const roles[] = {"admin", "depositary", "focal_point", "reviewer", "coordinator"};

bool auth_role_valid(const char *role)
{
    for (size_t i = 0; role && i < sizeof roles / sizeof roles[0]; i++)
        if (strcmp(role, roles[i]) == 0)
            return true;
    return false;
}

const char *auth_scope_or_null(const char *scope) { return scope && *scope ? scope : NULL; }

/* One part of an entity code: lowercase letters, digits and dashes,
 * starting with a letter or digit. Returns its length, 0 if malformed. */
static size_t entity_part(const char *s)
{
    size_t n = 0;
    while ((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= '0' && s[n] <= '9') || (s[n] == '-' && n > 0))
        n++;
    return n;
}

/* "unodc" or "unodc/almaty". */
static bool entity_code_ok(const char *s)
{
    size_t n = entity_part(s);
    if (n == 0)
        return false;
    if (s[n] == '\0')
        return true;
    if (s[n] != '/')
        return false;
    size_t m = entity_part(s + n + 1);
    return m > 0 && s[n + 1 + m] == '\0';
}

static int scope_party(store *db, const char *scope)
{
    if (!scope)
        return accord_fail(ACCORD_EINVAL, "scope",
                           "scope: a focal_point speaks for one party; give its code (KAZ, org:...)");
    int rc = store_exists(db, "SELECT 1 FROM party WHERE code = ?", "s", scope);
    if (rc == STORE_DONE)
        return accord_fail(ACCORD_ENOTFOUND, "scope", "scope: no registered party '%s'", scope);
    return rc < 0 ? rc : ACCORD_OK;
}

static int scope_instrument(store *db, const char *scope)
{
    if (!scope)
        return ACCORD_OK; /* a reviewer of every instrument */
    int rc = store_exists(db, "SELECT 1 FROM instrument WHERE slug = ?", "s", scope);
    if (rc == STORE_DONE)
        return accord_fail(ACCORD_ENOTFOUND, "scope", "scope: no instrument '%s'", scope);
    return rc < 0 ? rc : ACCORD_OK;
}

static int scope_entity(const char *scope)
{
    if (!scope || !entity_code_ok(scope))
        return accord_fail(ACCORD_EINVAL, "scope",
                           "scope: a coordinator needs an entity code such as unodc or unodc/almaty "
                           "(lowercase letters, digits, dashes, one optional '/' part)");
    return ACCORD_OK;
}

int auth_scope_check(store *db, const char *role, const char *scope)
{
    if (!auth_role_valid(role))
        return accord_fail(ACCORD_EINVAL, "role", "role: give one of %s", AUTH_ROLES);
    scope = auth_scope_or_null(scope);
    if (scope && !auth_text_ok(scope, AUTH_SCOPE_LEN - 1))
        return accord_fail(ACCORD_EINVAL, "scope", "scope: at most %d bytes of printable text", AUTH_SCOPE_LEN - 1);
    if (strcmp(role, "focal_point") == 0)
        return scope_party(db, scope);
    if (strcmp(role, "reviewer") == 0)
        return scope_instrument(db, scope);
    if (strcmp(role, "coordinator") == 0)
        return scope_entity(scope);
    if (scope)
        return accord_fail(ACCORD_EINVAL, "scope", "scope: the %s role has no scope", role);
    return ACCORD_OK;
}

bool auth_scope_within(const char *role, const char *account_scope, const char *scope)
{
    account_scope = auth_scope_or_null(account_scope);
    scope = auth_scope_or_null(scope);
    if (!scope || !account_scope)
        return scope == account_scope || (scope && strcmp(role, "reviewer") == 0);
    if (strcmp(scope, account_scope) == 0)
        return true;
    /* A coordinator of an entity may act for one of its offices; the
     * reverse would widen the scope. */
    size_t n = strlen(account_scope);
    return strcmp(role, "coordinator") == 0 && !strchr(account_scope, '/') && strncmp(scope, account_scope, n) == 0 &&
           scope[n] == '/';
}
