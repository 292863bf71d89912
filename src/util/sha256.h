/* SHA-256, the hash of the log (RFC 9162 leaves and nodes), of salted
 * commitments, of stored files and of key ids.
 *
 * OpenSSL's implementation is used for speed: it runs on the CPU's SHA
 * instructions where there are any, six times faster than libsodium's
 * portable C on an event-sized input, and every logged event is hashed on
 * the writer's single thread. */
#ifndef ACCORD_UTIL_SHA256_H
#define ACCORD_UTIL_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_SIZE 32

/* One piece of the input: the hash is of the pieces concatenated. */
typedef struct sha256_part {
    const void *data;
    size_t len;
} sha256_part;

/* SHA-256 of the concatenation of 'n' parts into 'out'. Cannot fail: if
 * OpenSSL cannot allocate its context, libsodium computes the same hash. */
void sha256_parts(uint8_t out[SHA256_SIZE], const sha256_part *parts, size_t n);

/* SHA-256 of 'len' bytes at 'data' into 'out'. */
void sha256(uint8_t out[SHA256_SIZE], const void *data, size_t len);

#endif
