/* The log's signing key: Ed25519 (libsodium), named by the log's origin.
 *
 * Stored as one line in a file readable only by its owner, in the
 * signed-note private key form "PRIVATE+KEY+<name>+<hexid>+<base64(0x01 ||
 * seed)>". The public verifier key is "<name>+<hexid>+<base64(0x01 ||
 * pubkey)>", with key id = SHA-256(name || 0x0A || 0x01 || pubkey)[:4]
 * (C2SP signed-note). */
#ifndef ACCORD_TLOG_LOGKEY_H
#define ACCORD_TLOG_LOGKEY_H

#include <stddef.h>
#include <stdint.h>

#define LOGKEY_MAX_NAME 200
#define LOGKEY_MAX_VKEY 320

/* True when 'name' is a usable key name / log origin: printable ASCII, no
 * spaces or '+', 1..LOGKEY_MAX_NAME bytes. */
int logkey_name_valid(const char *name);

/* Creates a new key named 'name' in the file 'path' (which must not exist;
 * created with mode 0600) and writes its verifier key to 'vkey'. */
int logkey_create(const char *path, const char *name, char vkey[LOGKEY_MAX_VKEY]);

/* The 4-byte key id of Ed25519 public key 'pub' under 'name'. */
uint32_t logkey_id(const char *name, const uint8_t pub[32]);

#endif
