/* C2SP tlog-cosignature "cosignature/v1". See cosign.h. */
#include "tlog/cosign.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tlog/checkpoint.h"
#include "util/error.h"

#define COSIG_RAW (4 + 8 + 64) /* key id || timestamp || signature */

uint32_t cosign_key_id(const char *name, const uint8_t pub[NOTE_PUBKEY_SIZE])
{
    return note_key_id(name, NOTE_TYPE_COSIGNATURE, pub);
}

/* Writes "<prefix><name>+<hexid>+<base64(0x04 || key)>" into 'out'. */
static void key_string(char *out, size_t len, const char *prefix, const char *name, uint32_t id,
                       const uint8_t key[32])
{
    uint8_t typed[33];
    char b64[sodium_base64_ENCODED_LEN(33, sodium_base64_VARIANT_ORIGINAL)];

    typed[0] = NOTE_TYPE_COSIGNATURE;
    memcpy(typed + 1, key, 32);
    sodium_bin2base64(b64, sizeof b64, typed, sizeof typed, sodium_base64_VARIANT_ORIGINAL);
    snprintf(out, len, "%s%s+%08" PRIx32 "+%s", prefix, name, id, b64);
    sodium_memzero(typed, sizeof typed);
    sodium_memzero(b64, sizeof b64);
}

int cosign_key_create(const char *path, const char *name, char vkey[LOGKEY_MAX_VKEY])
{
    uint8_t pub[crypto_sign_PUBLICKEYBYTES], sec[crypto_sign_SECRETKEYBYTES], seed[crypto_sign_SEEDBYTES];
    char line[LOGKEY_MAX_VKEY + 32];

    if (!logkey_name_valid(name))
        return accord_fail(ACCORD_EINVAL, "name", "witness name '%s' must be printable ASCII without spaces or '+'",
                           name ? name : "");
    randombytes_buf(seed, sizeof seed);
    crypto_sign_seed_keypair(pub, sec, seed);
    uint32_t id = cosign_key_id(name, pub);
    key_string(line, sizeof line, "PRIVATE+KEY+", name, id, seed);
    key_string(vkey, LOGKEY_MAX_VKEY, "", name, id, pub);
    sodium_memzero(seed, sizeof seed);
    sodium_memzero(sec, sizeof sec);

    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        int e = errno;
        sodium_memzero(line, sizeof line);
        return accord_fail(ACCORD_EENV, NULL, "cannot create key file %s: %s", path, strerror(e));
    }
    size_t n = strlen(line);
    line[n++] = '\n';
    int rc = write(fd, line, n) == (ssize_t)n && fsync(fd) == 0
                 ? ACCORD_OK
                 : accord_fail(ACCORD_EENV, NULL, "cannot write %s", path);
    close(fd);
    sodium_memzero(line, sizeof line);
    return rc;
}

int cosign_key_load(note_signer *out, const char *path)
{
    return note_signer_read(out, path, NOTE_TYPE_COSIGNATURE);
}

int cosign_sign(const note_signer *key, const char *body, size_t len, uint64_t timestamp, buf *line)
{
    uint8_t raw[COSIG_RAW];
    char b64[sodium_base64_ENCODED_LEN(COSIG_RAW, sodium_base64_VARIANT_ORIGINAL)];
    checkpoint cp;
    buf msg;
    int rc;

    if (key->type != NOTE_TYPE_COSIGNATURE)
        return accord_fail(ACCORD_EINVAL, "key", "key %s is not a cosignature (0x04) key", key->name);
    rc = checkpoint_parse(body, len, &cp);
    if (rc)
        return rc;
    buf_init(&msg, NOTE_MAX_SIZE + 64);
    rc = note_cosignature_message(body, len, timestamp, &msg);
    if (rc == ACCORD_OK) {
        raw[0] = (uint8_t)(key->id >> 24), raw[1] = (uint8_t)(key->id >> 16);
        raw[2] = (uint8_t)(key->id >> 8), raw[3] = (uint8_t)key->id;
        for (int i = 0; i < 8; i++)
            raw[4 + i] = (uint8_t)(timestamp >> (56 - 8 * i));
        crypto_sign_detached(raw + 12, NULL, (const unsigned char *)msg.data, msg.len, key->sk);
        sodium_bin2base64(b64, sizeof b64, raw, sizeof raw, sodium_base64_VARIANT_ORIGINAL);
        rc = buf_printf(line, NOTE_SIG_PREFIX "%s %s\n", key->name, b64);
    }
    buf_free(&msg);
    return rc;
}

int cosign_verify(const note_verifier *v, const char *body, size_t len, const char *line, size_t line_len,
                  uint64_t *timestamp)
{
    /* A well-formed line decodes to COSIG_RAW bytes; the slack lets longer
     * lines decode so they fail as the wrong length, not as bad base64. */
    uint8_t scratch[COSIG_RAW * 2];
    note_sigline sl;
    int rc;

    if (timestamp)
        *timestamp = 0;
    if (v->type != NOTE_TYPE_COSIGNATURE)
        return accord_fail(ACCORD_EINVAL, "vkey", "verifier %s is not a cosignature (0x04) key", v->name);
    if (line_len > 0 && line[line_len - 1] == '\n')
        line_len--;
    if (!note_line_valid(line, line_len))
        return accord_fail(ACCORD_EVERIFY, "cosignature", "cosignature line has a control character or bad UTF-8");
    rc = note_sigline_parse(line, line_len, scratch, sizeof scratch, &sl);
    if (rc)
        return rc;
    if (sl.id != v->id || sl.name_len != strlen(v->name) || memcmp(sl.name, v->name, sl.name_len) != 0)
        return accord_fail(ACCORD_EVERIFY, "cosignature", "cosignature is not by %s+%08" PRIx32, v->name, v->id);
    return note_verify_signature(v, body, len, sl.sig, sl.sig_len, timestamp);
}
