/* C2SP signed notes. See note.h for the format and docs/internals/note.md
 * for the rules this file enforces and why. */
#include "tlog/note.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/error.h"
#include "util/base64.h"
#include "util/sha256.h"

_Static_assert(sizeof(((note_signer *)0)->sk) == crypto_sign_SECRETKEYBYTES, "secret key size");
_Static_assert(NOTE_PUBKEY_SIZE == crypto_sign_PUBLICKEYBYTES, "public key size");
_Static_assert(NOTE_SEED_SIZE == crypto_sign_SEEDBYTES, "seed size");

#define PREFIX_LEN (sizeof NOTE_SIG_PREFIX - 1)
#define PRIVATE_PREFIX "PRIVATE+KEY+"
#define KEY_FILE_MAX 1024 /* a key line is under 300 bytes */

/* Signature bytes after the key id, per type. */
#define ED25519_SIG 64
#define COSIG_SIG (8 + 64)

/* ------------------------------------------------------------------------
 * Text rules
 * ---------------------------------------------------------------------- */

/* Decodes the UTF-8 sequence at 's' (at most 'n' bytes, n >= 1) into
 * '*cp' and returns its length, or 0 when it is not well formed: truncated,
 * overlong, a surrogate or above U+10FFFF (the sequences Go's
 * utf8.DecodeRune reports as RuneError, so we accept the same notes). */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
    size_t len;
    uint32_t c = s[0], min;

    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if (c >= 0xC2 && c <= 0xDF) {
        len = 2, c &= 0x1F, min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3, c &= 0x0F, min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4, c &= 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        c = c << 6 | (s[i] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    *cp = c;
    return len;
}

/* Unicode White_Space, the set Go's unicode.IsSpace tests: key names must
 * not contain any, so a name always ends at the first space of a line. */
static bool unicode_space(uint32_t c)
{
    return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680 ||
           (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F ||
           c == 0x205F || c == 0x3000;
}

/* Offset of the first byte of 's' that breaks the note rules (bad UTF-8,
 * or a control character other than '\n' when 'allow_nl'), or 'len'. */
static size_t first_bad_byte(const char *s, size_t len, bool allow_nl)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    uint32_t c;

    while (i < len) {
        if (p[i] < 0x20) {
            if (p[i] != '\n' || !allow_nl)
                return i;
            i++;
        } else if (p[i] < 0x80) {
            i++;
        } else {
            size_t k = utf8_decode(p + i, len - i, &c);
            if (k == 0)
                return i;
            i += k;
        }
    }
    return len;
}

bool note_line_valid(const char *s, size_t len)
{
    return first_bad_byte(s, len, false) == len;
}

bool note_name_valid(const char *name, size_t len)
{
    const unsigned char *p = (const unsigned char *)name;
    size_t i = 0;
    uint32_t c;

    if (len == 0)
        return false;
    while (i < len) {
        size_t k = utf8_decode(p + i, len - i, &c);
        if (k == 0 || c < 0x20 || c == 0x7F || c == '+' || unicode_space(c))
            return false;
        i += k;
    }
    return true;
}

int note_text_check(const char *text, size_t len)
{
    if (len == 0)
        return accord_fail(ACCORD_EINVAL, "text", "note text is empty");
    if (text[len - 1] != '\n')
        return accord_fail(ACCORD_EINVAL, "text", "note text must end with a newline");
    size_t bad = first_bad_byte(text, len, true);
    if (bad < len)
        return accord_fail(ACCORD_EINVAL, "text",
                           "note text has invalid UTF-8 or a control character at byte %zu", bad);
    return ACCORD_OK;
}

/* ------------------------------------------------------------------------
 * Keys
 * ---------------------------------------------------------------------- */

static bool type_supported(unsigned type)
{
    return type == NOTE_TYPE_ED25519 || type == NOTE_TYPE_COSIGNATURE;
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8), p[3] = (uint8_t)v;
}

uint32_t note_key_id(const char *name, uint8_t type, const uint8_t pub[NOTE_PUBKEY_SIZE])
{
    uint8_t digest[SHA256_SIZE];
    const uint8_t sep[2] = {0x0A, type};
    const sha256_part parts[] = {{name, strlen(name)}, {sep, sizeof sep}, {pub, NOTE_PUBKEY_SIZE}};

    sha256_parts(digest, parts, 3);
    return be32(digest);
}

/* Parses exactly 8 hex digits (either case, as Go's ParseUint does). */
static bool parse_hexid(const char *s, size_t len, uint32_t *out)
{
    uint32_t v = 0;

    if (len != 8)
        return false;
    for (size_t i = 0; i < 8; i++) {
        char c = s[i];
        unsigned d;
        if (c >= '0' && c <= '9')
            d = (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            d = (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            d = (unsigned)(c - 'A' + 10);
        else
            return false;
        v = v << 4 | d;
    }
    *out = v;
    return true;
}

/* Strict standard base64 (padding required, no stray characters, zero
 * trailing bits) of exactly 'want' bytes into 'out'. */
static bool b64_exact(const char *s, size_t len, uint8_t *out, size_t want)
{
    size_t got = 0;

    if (len == 0 || len != sodium_base64_ENCODED_LEN(want, sodium_base64_VARIANT_ORIGINAL) - 1)
        return false;
    return base64_decode_strict(s, len, out, want, &got) && got == want;
}

/* Copies a key name of 'len' bytes into 'dst' after checking it. */
static bool take_name(char dst[NOTE_MAX_NAME + 1], const char *name, size_t len)
{
    if (len > NOTE_MAX_NAME || !note_name_valid(name, len))
        return false;
    memcpy(dst, name, len);
    dst[len] = '\0';
    return true;
}

int note_signer_from_seed(note_signer *out, const char *name, uint8_t type,
                          const uint8_t seed[NOTE_SEED_SIZE])
{
    uint8_t pub[NOTE_PUBKEY_SIZE];

    memset(out, 0, sizeof *out);
    if (!name || !take_name(out->name, name, strlen(name)))
        return accord_fail(ACCORD_EINVAL, "name", "invalid key name");
    if (!type_supported(type))
        return accord_fail(ACCORD_EINVAL, "type", "unsupported signature type 0x%02x", type);
    crypto_sign_seed_keypair(pub, out->sk, seed);
    out->type = type;
    out->id = note_key_id(out->name, type, pub);
    return ACCORD_OK;
}

void note_signer_clear(note_signer *s)
{
    sodium_memzero(s, sizeof *s);
}

int note_signer_parse(note_signer *out, const char *skey, size_t len)
{
    const size_t plen = sizeof PRIVATE_PREFIX - 1;
    uint8_t typed[1 + NOTE_SEED_SIZE];
    uint32_t id;
    int rc = ACCORD_EINVAL;

    memset(out, 0, sizeof *out);
    if (len < plen || memcmp(skey, PRIVATE_PREFIX, plen) != 0)
        return accord_fail(ACCORD_EINVAL, "key", "not a private key: it must start with PRIVATE+KEY+");
    const char *name = skey + plen, *end = skey + len;
    const char *plus1 = memchr(name, '+', (size_t)(end - name));
    const char *plus2 = plus1 ? memchr(plus1 + 1, '+', (size_t)(end - plus1 - 1)) : NULL;
    if (!plus2 || !take_name(out->name, name, (size_t)(plus1 - name)))
        return accord_fail(ACCORD_EINVAL, "key", "private key: bad name or missing fields");
    if (!parse_hexid(plus1 + 1, (size_t)(plus2 - plus1 - 1), &id))
        return accord_fail(ACCORD_EINVAL, "key", "private key: key id must be 8 hex digits");
    if (!b64_exact(plus2 + 1, (size_t)(end - plus2 - 1), typed, sizeof typed)) {
        accord_fail(ACCORD_EINVAL, "key", "private key: key data must be base64 of a type byte and a 32-byte seed");
    } else if (!type_supported(typed[0])) {
        accord_fail(ACCORD_EINVAL, "key", "private key: unsupported signature type 0x%02x", typed[0]);
    } else {
        uint8_t pub[NOTE_PUBKEY_SIZE];
        crypto_sign_seed_keypair(pub, out->sk, typed + 1);
        out->type = typed[0];
        out->id = note_key_id(out->name, out->type, pub);
        /* A wrong id would make every signature we write unverifiable, and
         * usually means a damaged or hand-edited file. */
        if (out->id != id)
            accord_fail(ACCORD_EINVAL, "key", "private key: key id %08" PRIx32 " does not match the key (%08" PRIx32 ")",
                        id, out->id);
        else
            rc = ACCORD_OK;
    }
    sodium_memzero(typed, sizeof typed);
    if (rc)
        note_signer_clear(out);
    return rc;
}

/* Reads at most 'cap' - 1 bytes of 'path' into 'data'; *len gets the size.
 * Returns 0, ACCORD_EENV, or ACCORD_EINVAL when the file is too long. */
static int read_small_file(const char *path, char *data, size_t cap, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    size_t n = 0;

    if (fd < 0)
        return accord_fail(ACCORD_EENV, NULL, "cannot open key file %s: %s", path, strerror(errno));
    for (;;) {
        ssize_t r = read(fd, data + n, cap - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int e = errno;
            close(fd);
            return accord_fail(ACCORD_EENV, NULL, "cannot read key file %s: %s", path, strerror(e));
        }
        if (r == 0)
            break;
        n += (size_t)r;
        if (n == cap) {
            close(fd);
            return accord_fail(ACCORD_EINVAL, NULL, "%s is too long to be a key file", path);
        }
    }
    close(fd);
    *len = n;
    return ACCORD_OK;
}

int note_signer_read(note_signer *out, const char *path, uint8_t type)
{
    char data[KEY_FILE_MAX];
    size_t len = 0;
    int rc;

    memset(out, 0, sizeof *out);
    rc = read_small_file(path, data, sizeof data, &len);
    if (rc == ACCORD_OK) {
        if (len > 0 && data[len - 1] == '\n')
            len--;
        rc = note_signer_parse(out, data, len);
    }
    if (rc == ACCORD_OK && out->type != type) {
        rc = accord_fail(ACCORD_EINVAL, NULL, "%s holds a key of signature type 0x%02x, not 0x%02x", path,
                         out->type, type);
        note_signer_clear(out);
    }
    sodium_memzero(data, sizeof data);
    return rc;
}

int note_signer_load(note_signer *out, const char *path)
{
    return note_signer_read(out, path, NOTE_TYPE_ED25519);
}

void note_signer_vkey(const note_signer *s, char vkey[LOGKEY_MAX_VKEY])
{
    uint8_t typed[1 + NOTE_PUBKEY_SIZE];
    char b64[sodium_base64_ENCODED_LEN(sizeof typed, sodium_base64_VARIANT_ORIGINAL)];

    typed[0] = s->type;
    crypto_sign_ed25519_sk_to_pk(typed + 1, s->sk);
    sodium_bin2base64(b64, sizeof b64, typed, sizeof typed, sodium_base64_VARIANT_ORIGINAL);
    snprintf(vkey, LOGKEY_MAX_VKEY, "%s+%08" PRIx32 "+%s", s->name, s->id, b64);
}

int note_verifier_parse(note_verifier *out, const char *vkey)
{
    uint8_t typed[1 + NOTE_PUBKEY_SIZE];
    uint32_t id;

    memset(out, 0, sizeof *out);
    if (!vkey)
        return accord_fail(ACCORD_EINVAL, "vkey", "missing verifier key");
    const char *end = vkey + strlen(vkey);
    const char *plus1 = strchr(vkey, '+');
    const char *plus2 = plus1 ? strchr(plus1 + 1, '+') : NULL;
    if (!plus2 || !take_name(out->name, vkey, (size_t)(plus1 - vkey)))
        return accord_fail(ACCORD_EINVAL, "vkey", "verifier key must be <name>+<hexid>+<base64 key> with a valid name");
    if (!parse_hexid(plus1 + 1, (size_t)(plus2 - plus1 - 1), &id))
        return accord_fail(ACCORD_EINVAL, "vkey", "verifier key: key id must be 8 hex digits");
    if (!b64_exact(plus2 + 1, (size_t)(end - plus2 - 1), typed, sizeof typed))
        return accord_fail(ACCORD_EINVAL, "vkey", "verifier key: key data must be base64 of a type byte and a 32-byte key");
    if (!type_supported(typed[0]))
        return accord_fail(ACCORD_EINVAL, "vkey", "verifier key: unsupported signature type 0x%02x", typed[0]);
    out->type = typed[0];
    memcpy(out->pub, typed + 1, NOTE_PUBKEY_SIZE);
    out->id = note_key_id(out->name, out->type, out->pub);
    if (out->id != id) {
        memset(out, 0, sizeof *out);
        return accord_fail(ACCORD_EINVAL, "vkey", "verifier key: key id %08" PRIx32 " does not match the key", id);
    }
    return ACCORD_OK;
}

/* ------------------------------------------------------------------------
 * Signing
 * ---------------------------------------------------------------------- */

/* Drops whatever was appended to 'b' after 'mark', so that failing calls
 * leave the caller's buffer as it was. */
static void buf_truncate(buf *b, size_t mark)
{
    if (b->data && b->len > mark) {
        b->len = mark;
        b->data[mark] = '\0';
    }
}

int note_cosignature_message(const char *text, size_t len, uint64_t timestamp, buf *out)
{
    size_t mark = out->len;
    int rc;

    if (timestamp > NOTE_MAX_TIMESTAMP)
        return accord_fail(ACCORD_EINVAL, "timestamp", "cosignature timestamp must not exceed 2^63 - 1");
    rc = note_text_check(text, len);
    if (rc)
        return rc;
    rc = buf_printf(out, NOTE_COSIGNATURE_HEADER "time %" PRIu64 "\n", timestamp);
    if (rc == ACCORD_OK)
        rc = buf_append(out, text, len);
    if (rc)
        buf_truncate(out, mark);
    return rc;
}

int note_sign_line(const note_signer *s, const char *text, size_t len, buf *line)
{
    uint8_t raw[4 + ED25519_SIG];
    char b64[sodium_base64_ENCODED_LEN(sizeof raw, sodium_base64_VARIANT_ORIGINAL)];

    if (s->type != NOTE_TYPE_ED25519)
        return accord_fail(ACCORD_EINVAL, "key", "key %s is not an Ed25519 note key (cosigners use cosign_sign)",
                           s->name);
    int rc = note_text_check(text, len);
    if (rc)
        return rc;
    put_be32(raw, s->id);
    crypto_sign_detached(raw + 4, NULL, (const unsigned char *)text, len, s->sk);
    sodium_bin2base64(b64, sizeof b64, raw, sizeof raw, sodium_base64_VARIANT_ORIGINAL);
    return buf_printf(line, NOTE_SIG_PREFIX "%s %s\n", s->name, b64);
}

int note_sign(const note_signer *s, const char *text, size_t len, buf *out)
{
    size_t mark = out->len;
    buf line;
    int rc;

    buf_init(&line, NOTE_MAX_SIZE);
    rc = note_sign_line(s, text, len, &line);
    if (rc == ACCORD_OK && (len > NOTE_MAX_SIZE || line.len + 1 > NOTE_MAX_SIZE - len))
        rc = accord_fail(ACCORD_ETOOBIG, "text", "signed note would exceed %zu bytes", NOTE_MAX_SIZE);
    if (rc == ACCORD_OK)
        rc = buf_append(out, text, len);
    if (rc == ACCORD_OK)
        rc = buf_append(out, "\n", 1);
    if (rc == ACCORD_OK)
        rc = buf_append(out, line.data, line.len);
    if (rc)
        buf_truncate(out, mark);
    buf_free(&line);
    return rc;
}

/* ------------------------------------------------------------------------
 * Parsing and verifying
 * ---------------------------------------------------------------------- */

int note_sigline_parse(const char *line, size_t len, uint8_t *scratch, size_t cap, note_sigline *out)
{
    size_t got = 0;

    memset(out, 0, sizeof *out);
    if (len < PREFIX_LEN || memcmp(line, NOTE_SIG_PREFIX, PREFIX_LEN) != 0)
        return accord_fail(ACCORD_EVERIFY, "note", "signature line does not start with an em dash (U+2014) and a space");
    const char *name = line + PREFIX_LEN, *end = line + len;
    const char *space = memchr(name, ' ', (size_t)(end - name));
    if (!space || !note_name_valid(name, (size_t)(space - name)))
        return accord_fail(ACCORD_EVERIFY, "note", "signature line has no valid key name followed by a space");
    const char *b64 = space + 1;
    size_t b64_len = (size_t)(end - b64);
    if (b64_len == 0 || !base64_decode_strict(b64, b64_len, scratch, cap, &got))
        return accord_fail(ACCORD_EVERIFY, "note", "signature line: signature is not valid base64");
    /* Go's note.Open requires a key id and at least one signature byte. */
    if (got < 5)
        return accord_fail(ACCORD_EVERIFY, "note", "signature line: signature is too short");
    out->name = name;
    out->name_len = (size_t)(space - name);
    out->id = be32(scratch);
    out->sig = scratch + 4;
    out->sig_len = got - 4;
    return ACCORD_OK;
}

static uint64_t be64(const uint8_t *p)
{
    return (uint64_t)be32(p) << 32 | be32(p + 4);
}

int note_verify_signature(const note_verifier *v, const char *text, size_t len, const uint8_t *sig,
                          size_t sig_len, uint64_t *timestamp)
{
    const unsigned char *msg = (const unsigned char *)text;
    size_t msg_len = len;
    buf cosigned;
    int rc = ACCORD_OK;

    if (timestamp)
        *timestamp = 0;
    buf_init(&cosigned, NOTE_MAX_SIZE + 64);
    if (v->type == NOTE_TYPE_COSIGNATURE) {
        if (sig_len != COSIG_SIG)
            return accord_fail(ACCORD_EVERIFY, "note", "cosignature by %s has %zu bytes, not %d", v->name,
                               sig_len, COSIG_SIG);
        uint64_t t = be64(sig);
        if (t > NOTE_MAX_TIMESTAMP)
            return accord_fail(ACCORD_EVERIFY, "note", "cosignature by %s has a timestamp above 2^63 - 1", v->name);
        rc = note_cosignature_message(text, len, t, &cosigned);
        if (rc) {
            buf_free(&cosigned);
            /* A text that is not a note text cannot have been cosigned. */
            return rc == ACCORD_ENOMEM ? rc
                                       : accord_fail(ACCORD_EVERIFY, "note", "cosigned text is not a valid note text");
        }
        msg = (const unsigned char *)cosigned.data;
        msg_len = cosigned.len;
        sig += 8;
        sig_len -= 8;
        if (timestamp)
            *timestamp = t;
    } else if (v->type != NOTE_TYPE_ED25519) {
        return accord_fail(ACCORD_EINVAL, "vkey", "verifier %s has unsupported type 0x%02x", v->name, v->type);
    }
    if (sig_len != ED25519_SIG || crypto_sign_verify_detached(sig, msg, msg_len, v->pub) != 0)
        rc = accord_fail(ACCORD_EVERIFY, "note", "signature by %s+%08" PRIx32 " does not verify", v->name, v->id);
    if (rc && timestamp)
        *timestamp = 0;
    buf_free(&cosigned);
    return rc;
}

/* Finds the text / signatures split of a note: the last "\n\n". Sets *text_len
 * to the text's length (final newline included) and returns true, or false
 * when there is no blank line or the signature block is empty or does not end
 * in a newline. */
static bool split_note(const char *note, size_t len, size_t *text_len)
{
    if (len < 3 || note[len - 1] != '\n')
        return false;
    /* As Go's bytes.LastIndex: a note ending in "\n\n" splits there and
     * has an empty signature block. */
    for (size_t i = len - 1; i-- > 0;) {
        if (note[i] == '\n' && note[i + 1] == '\n') {
            *text_len = i + 1;
            return i + 2 < len;
        }
    }
    return false;
}

/* Index of the verifier with this name and id, or n. */
static size_t find_verifier(const note_verifier *vs, size_t n, const note_sigline *sl)
{
    for (size_t i = 0; i < n; i++)
        if (vs[i].id == sl->id && strlen(vs[i].name) == sl->name_len &&
            memcmp(vs[i].name, sl->name, sl->name_len) == 0)
            return i;
    return n;
}

static int check_verifiers(const note_verifier *vs, size_t n)
{
    if (n == 0 || !vs)
        return accord_fail(ACCORD_EINVAL, NULL, "no verifier keys given");
    if (n > NOTE_MAX_VERIFIERS)
        return accord_fail(ACCORD_EINVAL, NULL, "more than %d verifier keys", NOTE_MAX_VERIFIERS);
    for (size_t i = 0; i < n; i++) {
        if (!type_supported(vs[i].type))
            return accord_fail(ACCORD_EINVAL, NULL, "verifier %s has unsupported type 0x%02x", vs[i].name,
                               vs[i].type);
        for (size_t j = 0; j < i; j++)
            if (vs[j].id == vs[i].id && strcmp(vs[j].name, vs[i].name) == 0)
                return accord_fail(ACCORD_EINVAL, NULL, "verifier %s+%08" PRIx32 " is given twice", vs[i].name,
                                   vs[i].id);
    }
    return ACCORD_OK;
}

/* Walks the signature block 'sigs' ('len' bytes, ending in '\n'), verifying
 * lines by known keys against the text. 'scratch' holds 'cap' bytes. */
static int check_signatures(const char *note, size_t text_len, const char *sigs, size_t len,
                            const note_verifier *vs, size_t n, uint8_t *scratch, size_t cap,
                            note_opened *out)
{
    size_t count = 0;
    const char *p = sigs, *end = sigs + len;

    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        note_sigline sl;
        uint64_t t;
        int rc;

        if (++count > NOTE_MAX_SIGS)
            return accord_fail(ACCORD_ETOOBIG, "note", "note has more than %d signatures", NOTE_MAX_SIGS);
        rc = note_sigline_parse(p, (size_t)(nl - p), scratch, cap, &sl);
        if (rc)
            return rc;
        p = nl + 1;
        size_t i = find_verifier(vs, n, &sl);
        if (i == n) {
            /* The spec: ignore unknown keys, even when they share the name
             * or the id (but not both) with a known one. */
            out->nunknown++;
            continue;
        }
        /* A known key must verify, every time it appears: a failure means
         * the note was altered or forged, so the whole note is refused. */
        rc = note_verify_signature(&vs[i], note, text_len, sl.sig, sl.sig_len, &t);
        if (rc)
            return rc;
        if (!out->verified[i])
            out->nverified++;
        out->verified[i] = true;
        if (t > out->timestamp[i])
            out->timestamp[i] = t;
    }
    return ACCORD_OK;
}

int note_open(const char *note, size_t len, const note_verifier *verifiers, size_t n, note_opened *out)
{
    size_t text_len = 0;
    int rc;

    memset(out, 0, sizeof *out);
    rc = check_verifiers(verifiers, n);
    if (rc)
        return rc;
    if (len > NOTE_MAX_SIZE)
        return accord_fail(ACCORD_ETOOBIG, "note", "note exceeds %zu bytes", NOTE_MAX_SIZE);
    size_t bad = first_bad_byte(note, len, true);
    if (bad < len)
        return accord_fail(ACCORD_EVERIFY, "note", "note has invalid UTF-8 or a control character at byte %zu", bad);
    if (!split_note(note, len, &text_len))
        return accord_fail(ACCORD_EVERIFY, "note", "note has no text, blank line and newline-terminated signatures");

    /* Every decoded signature is shorter than the whole block. */
    size_t cap = (len - text_len) / 4 * 3 + 3;
    uint8_t *scratch = malloc(cap);
    if (!scratch)
        return accord_fail(ACCORD_ENOMEM, NULL, "out of memory");
    rc = check_signatures(note, text_len, note + text_len + 1, len - text_len - 1, verifiers, n, scratch, cap, out);
    free(scratch);
    if (rc == ACCORD_OK && out->nverified == 0)
        rc = accord_fail(ACCORD_EVERIFY, "note", "note is not signed by any known key");
    if (rc) {
        memset(out, 0, sizeof *out);
        return rc;
    }
    out->text_len = text_len;
    return ACCORD_OK;
}

/* ------------------------------------------------------------------------
 * Adding signatures
 * ---------------------------------------------------------------------- */

/* Counts the lines of 'lines' after checking each is a signature line. */
static int check_new_lines(const char *lines, size_t len, size_t *count)
{
    uint8_t *scratch;
    const char *p = lines, *end = lines + len;
    int rc = ACCORD_OK;

    *count = 0;
    if (len == 0 || lines[len - 1] != '\n')
        return accord_fail(ACCORD_EINVAL, "signature", "signature lines must be non-empty and end in a newline");
    if (first_bad_byte(lines, len, true) < len)
        return accord_fail(ACCORD_EINVAL, "signature", "signature lines have invalid UTF-8 or a control character");
    scratch = malloc(len / 4 * 3 + 3);
    if (!scratch)
        return accord_fail(ACCORD_ENOMEM, NULL, "out of memory");
    while (p < end && rc == ACCORD_OK) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        note_sigline sl;
        if (note_sigline_parse(p, (size_t)(nl - p), scratch, len / 4 * 3 + 3, &sl) != ACCORD_OK) {
            char why[256]; /* accord_fail() must not read the message it overwrites */
            snprintf(why, sizeof why, "%s", accord_error_message());
            rc = accord_fail(ACCORD_EINVAL, "signature", "malformed %s", why);
        }
        (*count)++;
        p = nl + 1;
    }
    free(scratch);
    return rc;
}

int note_add_signature_line(buf *note, const char *lines, size_t len)
{
    size_t text_len = 0, count = 0, have = 0;
    int rc;

    if (!note->data || !split_note(note->data, note->len, &text_len))
        return accord_fail(ACCORD_EINVAL, "note", "not a signed note (no blank line and signatures)");
    rc = check_new_lines(lines, len, &count);
    if (rc)
        return rc;
    for (size_t i = text_len + 1; i < note->len; i++)
        have += note->data[i] == '\n';
    if (have + count > NOTE_MAX_SIGS)
        return accord_fail(ACCORD_ETOOBIG, "signature", "note would have more than %d signatures", NOTE_MAX_SIGS);
    if (note->len > NOTE_MAX_SIZE || len > NOTE_MAX_SIZE - note->len)
        return accord_fail(ACCORD_ETOOBIG, "signature", "note would exceed %zu bytes", NOTE_MAX_SIZE);
    return buf_append(note, lines, len);
}
