/* C2SP tlog-tiles paths and entry bundles. See tile.h. */
#include "tlog/tile.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "util/error.h"

#define TILE_PREFIX "/tile/"
#define ENTRIES "entries/"
#define PARTIAL ".p/"
#define MAX_GROUPS 7 /* 2^64 - 1 has 20 digits */

int tile_path_encode(uint64_t n, buf *out)
{
    unsigned groups[MAX_GROUPS];
    char text[MAX_GROUPS * 5 + 1];
    size_t k = 0, pos = 0;

    /* Groups from the lowest; at least one, and no leading "x000". */
    do {
        groups[k++] = (unsigned)(n % 1000);
        n /= 1000;
    } while (n > 0);
    while (k-- > 1)
        pos += (size_t)snprintf(text + pos, sizeof text - pos, "x%03u/", groups[k]);
    snprintf(text + pos, sizeof text - pos, "%03u", groups[0]);
    return buf_puts(out, text);
}

int tile_path_format(const tile_ref *t, buf *out)
{
    size_t mark = out->len;
    int rc;

    if (!t->entries && t->level > TILE_MAX_LEVEL)
        return accord_fail(ACCORD_EINVAL, "level", "tile level %u is above %d", t->level, TILE_MAX_LEVEL);
    if (t->width < 1 || t->width > TILE_WIDTH)
        return accord_fail(ACCORD_EINVAL, "width", "tile width %u is not in 1..%d", t->width, TILE_WIDTH);
    rc = t->entries ? buf_puts(out, TILE_PREFIX ENTRIES) : buf_printf(out, TILE_PREFIX "%u/", t->level);
    if (rc == ACCORD_OK)
        rc = tile_path_encode(t->index, out);
    if (rc == ACCORD_OK && t->width < TILE_WIDTH)
        rc = buf_printf(out, PARTIAL "%u", t->width);
    if (rc && out->data) {
        out->len = mark;
        out->data[mark] = '\0';
    }
    return rc;
}

/* Reads a decimal without leading zeroes and at most 'max' from *p,
 * advancing *p. The caller checks what follows. */
static bool small_decimal(const char **p, unsigned max, unsigned *out)
{
    const char *s = *p;
    unsigned v = 0;

    if (*s < '0' || *s > '9' || (s[0] == '0' && s[1] >= '0' && s[1] <= '9'))
        return false;
    for (; *s >= '0' && *s <= '9'; s++) {
        v = v * 10 + (unsigned)(*s - '0');
        if (v > max)
            return false;
    }
    *p = s;
    *out = v;
    return true;
}

/* Reads exactly three digits. */
static bool three_digits(const char *s, unsigned *out)
{
    for (int i = 0; i < 3; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    *out = (unsigned)(s[0] - '0') * 100 + (unsigned)(s[1] - '0') * 10 + (unsigned)(s[2] - '0');
    return true;
}

/* Reads <N> from *p: "xDDD/" groups then a final "DDD"; advances *p. */
static bool parse_index(const char **p, uint64_t *out)
{
    const char *s = *p;
    uint64_t v = 0;
    unsigned g;

    for (int k = 0; k < MAX_GROUPS; k++) {
        bool more = s[0] == 'x';
        if (!three_digits(s + more, &g))
            return false;
        if (more && k == 0 && g == 0)
            return false; /* "x000/..." spells the same N as without it */
        if (v > (UINT64_MAX - g) / 1000)
            return false;
        v = v * 1000 + g;
        s += more + 3;
        if (!more) {
            *p = s;
            *out = v;
            return true;
        }
        if (*s++ != '/')
            return false;
    }
    return false;
}

static int bad_path(const char *path, const char *why)
{
    return accord_fail(ACCORD_EINVAL, "path", "bad tile path '%.80s': %s", path, why);
}

int tile_path_parse(const char *path, tile_ref *out)
{
    const char *p = path;

    memset(out, 0, sizeof *out);
    if (strncmp(p, TILE_PREFIX, sizeof TILE_PREFIX - 1) != 0)
        return bad_path(path, "it must start with /tile/");
    p += sizeof TILE_PREFIX - 1;
    if (strncmp(p, ENTRIES, sizeof ENTRIES - 1) == 0) {
        out->entries = true;
        p += sizeof ENTRIES - 1;
    } else if (!small_decimal(&p, TILE_MAX_LEVEL, &out->level) || *p++ != '/') {
        memset(out, 0, sizeof *out);
        return bad_path(path, "the level must be 0..63 without leading zeroes");
    }
    if (!parse_index(&p, &out->index)) {
        memset(out, 0, sizeof *out);
        return bad_path(path, "the index must be 3-digit groups, all but the last starting with x");
    }
    out->width = TILE_WIDTH;
    if (strncmp(p, PARTIAL, sizeof PARTIAL - 1) == 0) {
        p += sizeof PARTIAL - 1;
        if (!small_decimal(&p, TILE_WIDTH - 1, &out->width) || out->width == 0) {
            memset(out, 0, sizeof *out);
            return bad_path(path, "a partial width must be 1..255 without leading zeroes");
        }
    }
    if (*p != '\0') {
        memset(out, 0, sizeof *out);
        return bad_path(path, "unexpected characters after the index");
    }
    return ACCORD_OK;
}

int tile_entry_bundle_append(buf *out, const void *entry, size_t len)
{
    size_t mark = out->len;
    uint8_t prefix[2];
    int rc;

    if (len > TILE_MAX_ENTRY)
        return accord_fail(ACCORD_ETOOBIG, "entry", "a bundle entry is at most %d bytes, not %zu", TILE_MAX_ENTRY,
                           len);
    prefix[0] = (uint8_t)(len >> 8);
    prefix[1] = (uint8_t)len;
    rc = buf_append(out, prefix, sizeof prefix);
    if (rc == ACCORD_OK)
        rc = buf_append(out, entry, len);
    if (rc && out->data) {
        out->len = mark;
        out->data[mark] = '\0';
    }
    return rc;
}

void tile_bundle_iter_init(tile_bundle_iter *it, const void *data, size_t len)
{
    it->data = data;
    it->len = len;
    it->pos = 0;
    it->count = 0;
}

int tile_bundle_next(tile_bundle_iter *it, const uint8_t **entry, size_t *len)
{
    *entry = NULL;
    *len = 0;
    if (it->pos == it->len)
        return 0;
    if (it->count == TILE_WIDTH)
        return accord_fail(ACCORD_EINVAL, "bundle", "entry bundle has more than %d entries", TILE_WIDTH);
    if (it->len - it->pos < 2)
        return accord_fail(ACCORD_EINVAL, "bundle", "entry bundle is truncated in a length prefix");
    size_t n = (size_t)it->data[it->pos] << 8 | it->data[it->pos + 1];
    if (it->len - it->pos - 2 < n)
        return accord_fail(ACCORD_EINVAL, "bundle", "entry bundle is truncated in entry %zu", it->count);
    *entry = it->data + it->pos + 2;
    *len = n;
    it->pos += 2 + n;
    it->count++;
    return 1;
}
