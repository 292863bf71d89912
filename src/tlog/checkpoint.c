/* C2SP tlog-checkpoint bodies. See checkpoint.h. */
#include "tlog/checkpoint.h"

#include <inttypes.h>
#include <sodium.h>
#include <string.h>

#include "tlog/note.h"
#include "util/error.h"
#include "util/base64.h"

#define ROOT_B64_LEN (sodium_base64_ENCODED_LEN(MERKLE_HASH_SIZE, sodium_base64_VARIANT_ORIGINAL) - 1)

static bool origin_valid(const char *s, size_t len)
{
    return len > 0 && len <= CHECKPOINT_MAX_ORIGIN && note_line_valid(s, len);
}

int checkpoint_format(const char *origin, uint64_t size, const uint8_t root[MERKLE_HASH_SIZE], buf *out)
{
    char b64[ROOT_B64_LEN + 1];

    if (!origin || !origin_valid(origin, strlen(origin)))
        return accord_fail(ACCORD_EINVAL, "origin", "checkpoint origin must be 1..%d bytes of UTF-8 without control characters",
                           CHECKPOINT_MAX_ORIGIN);
    sodium_bin2base64(b64, sizeof b64, root, MERKLE_HASH_SIZE, sodium_base64_VARIANT_ORIGINAL);
    /* One call, so a failure leaves 'out' unchanged. */
    return buf_printf(out, "%s\n%" PRIu64 "\n%s\n", origin, size, b64);
}

/* Strict decimal: digits only, no leading zero unless the value is 0, no
 * overflow. Two spellings of one size would let two different bodies
 * claim the same tree head. */
static bool parse_size(const char *s, size_t len, uint64_t *out)
{
    uint64_t v = 0;

    if (len == 0 || len > 20 || (s[0] == '0' && len > 1))
        return false;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (UINT64_MAX - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

static bool parse_root(const char *s, size_t len, uint8_t root[MERKLE_HASH_SIZE])
{
    size_t got = 0;

    /* Strict base64 refuses missing padding, stray characters and
     * non-zero trailing bits, so only the canonical spelling is accepted. */
    return len == ROOT_B64_LEN && base64_decode_strict(s, len, root, MERKLE_HASH_SIZE, &got) &&
           got == MERKLE_HASH_SIZE;
}

/* The next line of [*p, end) without its newline; advances *p past it.
 * The text is known to end in '\n'. */
static size_t next_line(const char **p, const char *end, const char **line)
{
    const char *nl = memchr(*p, '\n', (size_t)(end - *p));
    size_t len = (size_t)(nl - *p);

    *line = *p;
    *p = nl + 1;
    return len;
}

static int parse_body(const char *text, size_t len, checkpoint *out)
{
    const char *p = text, *end = text + len, *line;
    size_t n;

    if (note_text_check(text, len) != ACCORD_OK)
        return accord_fail(ACCORD_EINVAL, "text",
                           "checkpoint must be UTF-8 lines without control characters, ending in a newline");
    n = next_line(&p, end, &line);
    if (!origin_valid(line, n))
        return accord_fail(ACCORD_EINVAL, "origin", "checkpoint origin must be 1..%d bytes", CHECKPOINT_MAX_ORIGIN);
    memcpy(out->origin, line, n);
    out->origin[n] = '\0';
    if (p == end)
        return accord_fail(ACCORD_EINVAL, "size", "checkpoint has no tree size line");
    n = next_line(&p, end, &line);
    if (!parse_size(line, n, &out->size))
        return accord_fail(ACCORD_EINVAL, "size", "checkpoint tree size must be a decimal without leading zeroes below 2^64");
    if (p == end)
        return accord_fail(ACCORD_EINVAL, "root", "checkpoint has no root hash line");
    n = next_line(&p, end, &line);
    if (!parse_root(line, n, out->root))
        return accord_fail(ACCORD_EINVAL, "root", "checkpoint root hash must be base64 of exactly %d bytes",
                           MERKLE_HASH_SIZE);
    while (p < end) {
        n = next_line(&p, end, &line);
        if (n == 0)
            return accord_fail(ACCORD_EINVAL, "extension", "checkpoint extension lines must not be empty");
        out->extensions++;
    }
    return ACCORD_OK;
}

int checkpoint_parse(const char *text, size_t len, checkpoint *out)
{
    memset(out, 0, sizeof *out);
    int rc = parse_body(text, len, out);
    if (rc)
        memset(out, 0, sizeof *out);
    return rc;
}
