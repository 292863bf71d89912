/* Strict standard base64 (RFC 4648 section 4, padded) for everything that
 * reads base64 from outside: checkpoint roots, note signatures and keys,
 * proofs. One text per value: padding required, no white space, no stray
 * characters, zero trailing bits.
 *
 * libsodium's decoder alone is not enough: the Debian 12 version (1.0.18)
 * decodes every byte from 0x80 to 0xff as if it were a base64 symbol, so
 * "AA\x80\x80" gives three bytes (found by fuzz/fuzz_checkpoint). */
#ifndef ACCORD_UTIL_BASE64_H
#define ACCORD_UTIL_BASE64_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Decodes the 'len' bytes at 's' into 'out' (room for 'cap' bytes) and
 * stores the decoded length in '*got'. False, with '*got' 0, when 's' is
 * not strict base64 or does not fit. libsodium must be initialised. */
bool base64_decode_strict(const char *s, size_t len, uint8_t *out, size_t cap, size_t *got);

#endif
