/* Passwords: the acceptance rules and Argon2id hashing (libsodium
 * crypto_pwhash_str), including the dummy hash that makes a sign-in with
 * an unknown email cost the same as one with a wrong password. */
#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth_int.h"
#include "auth/common_passwords.h"
#include "util/error.h"

void auth_pwhash_limits(unsigned long long *ops, size_t *mem)
{
    const char *cost = getenv("ACCORD_PWHASH");
    /* Anything but an explicit "interactive" gets the stronger default, so
     * a typo in the environment never weakens the hashes. */
    if (cost && strcmp(cost, "interactive") == 0) {
        *ops = crypto_pwhash_OPSLIMIT_INTERACTIVE;
        *mem = crypto_pwhash_MEMLIMIT_INTERACTIVE;
    } else {
        *ops = crypto_pwhash_OPSLIMIT_MODERATE;
        *mem = crypto_pwhash_MEMLIMIT_MODERATE;
    }
}

/* Length in characters, not bytes: a passphrase in Kazakh or Arabic needs
 * as many characters as one in English, not as many bytes. Counts the
 * bytes that start a UTF-8 sequence. */
static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        n += (*p & 0xC0) != 0x80;
    return n;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }

/* True when the ASCII-lowercased 'password' is in the common list. */
static bool is_common(const char *password, size_t len)
{
    char lower[AUTH_MAX_PASSWORD + 1];
    for (size_t i = 0; i < len; i++) {
        char c = password[i];
        lower[i] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
    }
    lower[len] = '\0';
    const char *key = lower;
    bool found = bsearch(&key, common_passwords, COMMON_PASSWORDS, sizeof common_passwords[0], cmp_str) != NULL;
    sodium_memzero(lower, len);
    return found;
}

int auth_password_acceptable(const char *password)
{
    size_t len = password ? strnlen(password, AUTH_MAX_PASSWORD + 1) : 0;
    if (len > AUTH_MAX_PASSWORD)
        return accord_fail(ACCORD_EINVAL, "password", "password: at most %d bytes", AUTH_MAX_PASSWORD);
    if (!password || utf8_chars(password) < AUTH_MIN_PASSWORD)
        return accord_fail(ACCORD_EINVAL, "password", "password: use at least %d characters", AUTH_MIN_PASSWORD);
    if (is_common(password, len))
        return accord_fail(ACCORD_EINVAL, "password",
                           "password: this is one of the most common passwords; choose another");
    return ACCORD_OK;
}

int auth_pwhash(const char *password, char out[AUTH_PWHASH_LEN])
{
    unsigned long long ops;
    size_t mem;
    auth_pwhash_limits(&ops, &mem);
    if (crypto_pwhash_str(out, password, strlen(password), ops, mem) != 0)
        return accord_fail(ACCORD_ENOMEM, NULL, "out of memory hashing the password");
    return ACCORD_OK;
}

/* Made once per process, with the limits in force at the first sign-in. */
static char dummy_hash[AUTH_PWHASH_LEN];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void make_dummy(void)
{
    unsigned char raw[32];
    char password[65];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(password, sizeof password, raw, sizeof raw);
    if (auth_pwhash(password, dummy_hash) != 0)
        dummy_hash[0] = '\0'; /* out of memory: verification fails fast */
    sodium_memzero(password, sizeof password);
}

bool auth_pwverify(const char *hash, const char *password)
{
    pthread_once(&dummy_once, make_dummy);
    bool real = hash && hash[0];
    const char *against = real ? hash : dummy_hash;
    /* The verification runs even when it cannot succeed: skipping it
     * would tell a timing observer which emails have accounts. */
    if (!password)
        password = "";
    bool ok = against[0] && crypto_pwhash_str_verify(against, password, strlen(password)) == 0;
    return real && ok;
}

bool auth_pw_needs_rehash(const char *hash)
{
    unsigned long long ops;
    size_t mem;
    auth_pwhash_limits(&ops, &mem);
    /* 1: other limits; -1: not an Argon2id string at all. Both rehash. */
    return crypto_pwhash_str_needs_rehash(hash, ops, mem) != 0;
}
