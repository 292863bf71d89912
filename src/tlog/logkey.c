#include "tlog/logkey.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util/error.h"
#include "util/sha256.h"

int logkey_name_valid(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n > LOGKEY_MAX_NAME)
        return 0;
    for (const char *p = name; *p; p++)
        if (*p <= ' ' || *p > '~' || *p == '+')
            return 0;
    return 1;
}

uint32_t logkey_id(const char *name, const uint8_t pub[32])
{
    uint8_t digest[SHA256_SIZE];
    const uint8_t sep[2] = {0x0A, 0x01};
    const sha256_part parts[] = {{name, strlen(name)}, {sep, sizeof sep}, {pub, 32}};
    sha256_parts(digest, parts, 3);
    return (uint32_t)digest[0] << 24 | (uint32_t)digest[1] << 16 | (uint32_t)digest[2] << 8 | digest[3];
}

/* Writes "<name>+<hexid>+<base64(0x01 || key)>" into 'out'. */
static void key_string(char *out, size_t len, const char *prefix, const char *name, uint32_t id, const uint8_t *key)
{
    uint8_t typed[33];
    char b64[sodium_base64_ENCODED_LEN(33, sodium_base64_VARIANT_ORIGINAL)];
    typed[0] = 0x01;
    memcpy(typed + 1, key, 32);
    sodium_bin2base64(b64, sizeof b64, typed, sizeof typed, sodium_base64_VARIANT_ORIGINAL);
    snprintf(out, len, "%s%s+%08x+%s", prefix, name, id, b64);
    sodium_memzero(typed, sizeof typed);
}

int logkey_create(const char *path, const char *name, char vkey[LOGKEY_MAX_VKEY])
{
    if (!logkey_name_valid(name))
        return accord_fail(ACCORD_EINVAL, "origin", "origin: '%s' must be printable ASCII without spaces or '+'", name);
    uint8_t pub[crypto_sign_PUBLICKEYBYTES], sec[crypto_sign_SECRETKEYBYTES], seed[crypto_sign_SEEDBYTES];
    randombytes_buf(seed, sizeof seed);
    crypto_sign_seed_keypair(pub, sec, seed);
    uint32_t id = logkey_id(name, pub);
    char line[LOGKEY_MAX_VKEY + 32];
    key_string(line, sizeof line, "PRIVATE+KEY+", name, id, seed);
    key_string(vkey, LOGKEY_MAX_VKEY, "", name, id, pub);
    sodium_memzero(seed, sizeof seed);
    sodium_memzero(sec, sizeof sec);

    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0) {
        sodium_memzero(line, sizeof line);
        return accord_fail(ACCORD_EENV, NULL, "cannot create key file %s: %s", path, strerror(errno));
    }
    size_t n = strlen(line);
    line[n++] = '\n';
    int rc = write(fd, line, n) == (ssize_t)n && fsync(fd) == 0 ? ACCORD_OK
                                                                   : accord_fail(ACCORD_EENV, NULL, "cannot write %s", path);
    close(fd);
    sodium_memzero(line, sizeof line);
    return rc;
}
