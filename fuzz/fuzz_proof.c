/* Proof parameters and proofs: the decimal query values of
 * /log/proof/inclusion and /log/proof/consistency (http_parse_u64), and
 * the RFC 9162 verifiers over untrusted sizes and hashes of any length, as
 * `accord verify` and the witness meet them.
 *
 * Input: one mode byte, two 8-byte sizes, then hashes, each a length
 * byte (0..40, so wrong lengths too) and its bytes: the first two are
 * the leaf (or first root) and the root, the rest the proof. */
#include <inttypes.h>
#include <stdio.h>

#include "fuzz.h"
#include "http/http.h"
#include "tlog/merkle.h"

#define MAX_HASHES 80

static uint64_t take_u64(const uint8_t **p, const uint8_t *end)
{
    uint64_t v = 0;
    for (int i = 0; i < 8 && *p < end; i++, (*p)++)
        v = v << 8 | **p;
    return v;
}

static void check_decimal(const uint8_t *data, size_t size)
{
    char *s = fuzz_cstring(data, size);
    char again[24];
    uint64_t v;

    /* Accepted means canonical: the value prints back as the input. */
    if (http_parse_u64("size", s, &v) == 0) {
        snprintf(again, sizeof again, "%" PRIu64, v);
        if (strcmp(again, s) != 0) {
            fprintf(stderr, "'%s' was read as %s\n", s, again);
            abort();
        }
    }
    free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *p = data, *end = data + size;
    merkle_bytes h[MAX_HASHES];
    size_t n = 0;

    check_decimal(data, size);
    if (size < 1)
        return 0;
    uint8_t mode = *p++;
    uint64_t a = take_u64(&p, end), b = take_u64(&p, end);
    if (mode & 2) { /* small sizes reach the interesting branches */
        a %= 1024;
        b %= 1024;
    }
    while (p < end && n < MAX_HASHES) {
        size_t len = *p++ % 41;
        if (len > (size_t)(end - p))
            len = (size_t)(end - p);
        h[n++] = (merkle_bytes){len ? p : NULL, len};
        p += len;
    }
    if (n < 2)
        return 0;
    if (mode & 1)
        merkle_verify_consistency(a, b, h[0], h[1], h + 2, n - 2);
    else
        merkle_verify_inclusion(a, b, h[0], h + 2, n - 2, h[1]);
    return 0;
}
