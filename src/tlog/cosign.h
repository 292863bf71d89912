/* C2SP tlog-cosignature, Ed25519 "cosignature/v1" (signature type 0x04):
 * a witness's timestamped statement that, as of that time, the checkpoint
 * it signs is the largest consistent one it has seen for the log.
 *
 * Key id   SHA-256(<name> || "\n" || 0x04 || 32-byte Ed25519 public key)[:4]
 * Signed   "cosignature/v1\n" "time <timestamp, decimal>\n" <checkpoint body>
 *          where the body is the whole note text, final newline included
 *          (extension lines too), and no signature lines: note.h's
 *          note_cosignature_message(), since note_open() verifies these
 *          signatures too.
 * Line     "— <witness name> base64(key id (4) || timestamp (8, big-endian)
 *          || Ed25519 signature (64))\n"
 * Keys     private "PRIVATE+KEY+<name>+<hexid>+<base64(0x04 || seed)>",
 *          verifier "<name>+<hexid>+<base64(0x04 || public key)>"; the
 *          structures are note.h's note_signer and note_verifier of type
 *          NOTE_TYPE_COSIGNATURE, which note_open() also checks.
 *
 * Timestamps are POSIX seconds and must not exceed 2^63 - 1.
 *
 * Errors: 0 or a negative ACCORD_* code after accord_fail():
 *     ACCORD_EINVAL   bad key, name, body or timestamp given to sign
 *     ACCORD_EVERIFY  a cosignature line that is malformed, by another key,
 *                     or does not verify
 *     ACCORD_EENV     a key file that cannot be read or created
 * Ownership: inputs are borrowed; output is appended to the caller's buf,
 * which is left unchanged on error. */
#ifndef ACCORD_TLOG_COSIGN_H
#define ACCORD_TLOG_COSIGN_H

#include <stddef.h>
#include <stdint.h>

#include "tlog/logkey.h"
#include "tlog/note.h"
#include "util/buf.h"

/* Key id of witness public key 'pub' under 'name' (NUL-terminated). */
uint32_t cosign_key_id(const char *name, const uint8_t pub[NOTE_PUBKEY_SIZE]);

/* Creates a new witness key named 'name' (a logkey_name_valid() name) in
 * the file 'path', which must not exist (created with mode 0600), and
 * writes its verifier key to 'vkey'. */
int cosign_key_create(const char *path, const char *name, char vkey[LOGKEY_MAX_VKEY]);

/* Reads the witness key file at 'path' into 'out' (type 0x04 only: a log's
 * 0x01 key is refused, so the two roles never share a key by accident). */
int cosign_key_load(note_signer *out, const char *path);

/* Appends to 'line' the cosignature line of witness key 'key' (type 0x04)
 * over the checkpoint body 'body' ('len' bytes; must parse with
 * checkpoint_parse(), since a v1 cosignature speaks about a checkpoint) at
 * 'timestamp'. The line ends in '\n' and can be passed to
 * note_add_signature_line(). */
int cosign_sign(const note_signer *key, const char *body, size_t len, uint64_t timestamp, buf *line);

/* Verifies the cosignature line 'line' ('line_len' bytes, with or without
 * its final '\n') by witness verifier 'v' (type 0x04) over the checkpoint
 * body 'body' ('len' bytes) and stores its time in '*timestamp' (may be
 * NULL). ACCORD_EINVAL when 'v' is not a cosignature verifier;
 * ACCORD_EVERIFY when the line is malformed, names another key, or the
 * signature does not verify. */
int cosign_verify(const note_verifier *v, const char *body, size_t len, const char *line, size_t line_len,
                  uint64_t *timestamp);

#endif
