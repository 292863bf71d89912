/* C2SP signed notes (https://c2sp.org/signed-note): a text signed by one or
 * more keys, each signature on its own line below a blank line:
 *
 *     <text: one or more lines, the last ending in "\n">
 *     <blank line>
 *     — <key name> base64(key id, 4 bytes big-endian || signature)
 *     — ...
 *
 * The dash is U+2014 (bytes E2 80 94) followed by one space. The text is
 * everything up to the last blank line, its final newline included; it may
 * itself contain blank lines. A whole note is valid UTF-8 with no ASCII
 * control characters other than newline.
 *
 * Two signature types, both Ed25519 through libsodium:
 *   0x01 NOTE_TYPE_ED25519      the signature covers the text (the log's
 *                               checkpoints);
 *   0x04 NOTE_TYPE_COSIGNATURE  tlog-cosignature "cosignature/v1": the
 *                               signature is timestamp (8 bytes) || Ed25519
 *                               over note_cosignature_message() of the text.
 * note_open() verifies both types, so the message a cosignature signs is
 * defined here; cosign.h builds witness keys and lines on top of it.
 * Key id = SHA-256(name || 0x0A || type || 32-byte public key)[:4].
 *
 * Keys are exchanged in the Go sumdb/note forms:
 *     private  "PRIVATE+KEY+<name>+<hexid>+<base64(type || seed)>"
 *     verifier "<name>+<hexid>+<base64(type || public key)>"
 * where <hexid> is the key id as 8 hex digits (logkey_create writes the
 * 0x01 form; cosign_key_create the 0x04 one).
 *
 * Errors: functions returning int give 0 or a negative ACCORD_* code, with a
 * message recorded by accord_fail() where the problem is found:
 *     ACCORD_EINVAL   malformed keys or texts to sign, bad arguments
 *     ACCORD_EVERIFY  a note (or signature line) that is malformed or not
 *                     signed by a known key
 *     ACCORD_ETOOBIG  a note over NOTE_MAX_SIZE or NOTE_MAX_SIGS
 *     ACCORD_EENV     a key file that cannot be read or created
 *     ACCORD_ENOMEM   out of memory (or a buf error passed through)
 *
 * Ownership: inputs are borrowed for the duration of a call. Output text is
 * appended to a caller's buf; on error the buf is left as it was. A
 * note_signer holds a secret key by value: wipe it with note_signer_clear().
 * libsodium must be initialised (sodium_init()) before any call. */
#ifndef ACCORD_TLOG_NOTE_H
#define ACCORD_TLOG_NOTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tlog/logkey.h"
#include "util/buf.h"

#define NOTE_TYPE_ED25519 0x01
#define NOTE_TYPE_COSIGNATURE 0x04

/* "— ", the start of every signature line (U+2014 and a space). */
#define NOTE_SIG_PREFIX "\xE2\x80\x94" " "

/* Longest key name kept in a signer or verifier, in bytes. */
#define NOTE_MAX_NAME LOGKEY_MAX_NAME

/* Caps on notes we read or write. The spec asks verifiers for a limit but
 * at least 16 signatures; 100 is Go's limit, and 1 MiB is far above any
 * checkpoint, so both only stop abuse. */
#define NOTE_MAX_SIZE ((size_t)1 << 20)
#define NOTE_MAX_SIGS 100

/* Most verifiers one note_open() call takes (a log key plus witnesses). */
#define NOTE_MAX_VERIFIERS 32

#define NOTE_PUBKEY_SIZE 32
#define NOTE_SEED_SIZE 32

/* The message of a 0x04 signature starts with this line; its timestamp (POSIX
 * seconds) must not exceed 2^63 - 1. */
#define NOTE_COSIGNATURE_HEADER "cosignature/v1\n"
#define NOTE_MAX_TIMESTAMP ((uint64_t)INT64_MAX)

/* A private key able to sign: Ed25519 of signature type 0x01 or 0x04. */
typedef struct note_signer {
    char name[NOTE_MAX_NAME + 1];
    uint32_t id;
    uint8_t type;    /* NOTE_TYPE_ED25519 or NOTE_TYPE_COSIGNATURE */
    uint8_t sk[64];  /* libsodium secret key: seed || public key */
} note_signer;

/* A public key that checks signatures of one (name, key id). */
typedef struct note_verifier {
    char name[NOTE_MAX_NAME + 1];
    uint32_t id;
    uint8_t type;    /* NOTE_TYPE_ED25519 or NOTE_TYPE_COSIGNATURE */
    uint8_t pub[NOTE_PUBKEY_SIZE];
} note_verifier;

/* What note_open() found. verified[i] and timestamp[i] describe
 * verifiers[i] of the call. */
typedef struct note_opened {
    size_t text_len;   /* the text is note[0, text_len), final '\n' included */
    size_t nverified;  /* verifiers with a good signature (each counted once) */
    size_t nunknown;   /* signature lines by keys not among the verifiers */
    bool verified[NOTE_MAX_VERIFIERS];
    /* For cosignature verifiers: the latest time they signed at (POSIX
     * seconds). 0 for Ed25519 verifiers and unsigned ones. */
    uint64_t timestamp[NOTE_MAX_VERIFIERS];
} note_opened;

/* True when the 'len' bytes at 'name' are a valid key name: non-empty,
 * valid UTF-8, no control characters, no Unicode white space, no '+'. */
bool note_name_valid(const char *name, size_t len);

/* True when the 'len' bytes at 's' are one valid note line without its
 * newline: valid UTF-8 with no ASCII control characters (so no '\n' and no
 * NUL). An empty line is valid. */
bool note_line_valid(const char *s, size_t len);

/* Checks that the 'len' bytes at 'text' can be the text of a note: non-empty,
 * ending in '\n', valid UTF-8, no control characters but newlines. Returns 0
 * or ACCORD_EINVAL with the reason and byte offset. */
int note_text_check(const char *text, size_t len);

/* Key id of the 32-byte public key 'pub' of signature type 'type' under
 * 'name' (NUL-terminated): SHA-256(name || 0x0A || type || pub)[:4]. */
uint32_t note_key_id(const char *name, uint8_t type, const uint8_t pub[NOTE_PUBKEY_SIZE]);

/* Makes a signer of 'type' named 'name' from a 32-byte Ed25519 'seed' (for
 * tests and tools; real keys come from files). Fails with ACCORD_EINVAL for
 * an invalid or too long name or an unsupported type. */
int note_signer_from_seed(note_signer *out, const char *name, uint8_t type,
                          const uint8_t seed[NOTE_SEED_SIZE]);

/* Parses the private key line 'skey' ('len' bytes, no newline) into 'out':
 * "PRIVATE+KEY+<name>+<hexid>+<base64(type || seed)>", type 0x01 or 0x04.
 * The key id must be the one derived from the seed's public key. Fails with
 * ACCORD_EINVAL; 'out' is wiped on failure. */
int note_signer_parse(note_signer *out, const char *skey, size_t len);

/* Reads the key file at 'path' (one private key line, as logkey_create()
 * writes it, optionally ending in a newline) into 'out' and requires its
 * signature type to be 'type'. ACCORD_EENV when the file cannot be read,
 * ACCORD_EINVAL when it is not such a key. */
int note_signer_read(note_signer *out, const char *path, uint8_t type);

/* note_signer_read() of an Ed25519 (0x01) note-signing key, such as the
 * log's key from logkey_create(). */
int note_signer_load(note_signer *out, const char *path);

/* Writes the verifier key of 's' ("<name>+<hexid>+<base64(type || pub)>",
 * NUL-terminated) to 'vkey'. */
void note_signer_vkey(const note_signer *s, char vkey[LOGKEY_MAX_VKEY]);

/* Wipes the secret key in 's'. */
void note_signer_clear(note_signer *s);

/* Parses the verifier key 'vkey' (NUL-terminated, no newline) into 'out':
 * "<name>+<hexid>+<base64(type || 32-byte public key)>" with type 0x01
 * (Ed25519 note signer) or 0x04 (cosignature/v1 witness). <hexid> must be 8
 * hex digits equal to the key id derived from name, type and key. Fails
 * with ACCORD_EINVAL. */
int note_verifier_parse(note_verifier *out, const char *vkey);

/* Appends the message a cosignature (type 0x04) signs to 'out':
 * "cosignature/v1\ntime <timestamp>\n" followed by the 'len' bytes of 'text'
 * (a note text, checked with note_text_check()). Fails with ACCORD_EINVAL
 * for a timestamp above NOTE_MAX_TIMESTAMP or a bad text; 'out' is left as
 * it was on error. */
int note_cosignature_message(const char *text, size_t len, uint64_t timestamp, buf *out);

/* Appends to 'line' the signature line of Ed25519 (0x01) signer 's' over
 * the note text 'text' ('len' bytes, checked by note_text_check()):
 * "— <name> base64(key id || signature)\n". Cosigners use cosign_sign(). */
int note_sign_line(const note_signer *s, const char *text, size_t len, buf *line);

/* Appends to 'out' the note "text\n" followed by the signature line of 's'
 * (note_sign_line()). Fails with ACCORD_ETOOBIG when the note would exceed
 * NOTE_MAX_SIZE. */
int note_sign(const note_signer *s, const char *text, size_t len, buf *out);

/* Appends the signature lines 'lines' ('len' bytes: one or more lines, each
 * "— <name> <base64>\n", e.g. from note_sign_line(), cosign_sign() or a
 * witness response) to the signed note held in 'note'. Checks that 'note'
 * has a text and a signature block and that every new line is well formed
 * (ACCORD_EINVAL), and that the result stays within NOTE_MAX_SIGS and
 * NOTE_MAX_SIZE (ACCORD_ETOOBIG). Signatures are not verified here. */
int note_add_signature_line(buf *note, const char *lines, size_t len);

/* One signature line, split. 'name' points into the line. */
typedef struct note_sigline {
    const char *name;
    size_t name_len;
    uint32_t id;
    const uint8_t *sig;  /* the signature after the key id, in the caller's buffer */
    size_t sig_len;
} note_sigline;

/* Splits the signature line 'line' ('len' bytes, without its newline) into
 * 'out', decoding the base64 into 'scratch' ('cap' bytes; line length * 3/4
 * always suffices). Fails with ACCORD_EVERIFY when the line is not
 * "— <valid name> <base64 of at least 5 bytes>" or does not fit 'scratch'. */
int note_sigline_parse(const char *line, size_t len, uint8_t *scratch, size_t cap,
                       note_sigline *out);

/* Checks signature 'sig' ('sig_len' bytes, after the key id) by verifier
 * 'v' over the note text 'text' ('len' bytes). For a cosignature verifier
 * the signature is timestamp || Ed25519 and the time goes to '*timestamp'
 * (which may be NULL); for others '*timestamp' is set to 0. Returns 0 or
 * ACCORD_EVERIFY (ACCORD_ENOMEM when out of memory). */
int note_verify_signature(const note_verifier *v, const char *text, size_t len,
                          const uint8_t *sig, size_t sig_len, uint64_t *timestamp);

/* Opens the signed note 'note' ('len' bytes) with the 'n' verifiers at
 * 'verifiers' (1..NOTE_MAX_VERIFIERS, no two with the same name and id).
 * Every signature line must be well formed; lines by unknown keys are
 * counted and ignored; every line by a known key must verify; at least one
 * must. On success fills 'out' (text length, which verifiers signed, their
 * cosignature times) and returns 0. Fails with ACCORD_EVERIFY (malformed or
 * unverified note; 'out' zeroed), ACCORD_ETOOBIG (over NOTE_MAX_SIZE or
 * NOTE_MAX_SIGS) or ACCORD_EINVAL (bad verifier list). Callers that need a
 * particular key (the log's) must check out->verified for it. */
int note_open(const char *note, size_t len, const note_verifier *verifiers, size_t n,
              note_opened *out);

#endif
