/* C2SP tlog-tiles: the URL paths of tiles and entry bundles, and the entry
 * bundle encoding.
 *
 * Paths, relative to the log's URL prefix (the HTTP layer strips its own
 * prefix, e.g. "/log", and any query string, and passes the rest, which
 * starts with "/tile/"):
 *
 *     /tile/<L>/<N>[.p/<W>]        Merkle tree tile at level L (0..63)
 *     /tile/entries/<N>[.p/<W>]    entry bundle
 *
 * <L> and <W> are decimals without leading zeroes; W (1..255) is present
 * only for partial tiles. <N> is written in 3-digit groups, all but the
 * last prefixed with 'x': 1234067 is "x001/x234/067". Exactly one spelling
 * of each resource is accepted, so caches and file names never alias.
 *
 * A full tile holds TILE_WIDTH hashes of level L * TILE_HEIGHT; a bundle
 * holds the matching TILE_WIDTH entries, each a big-endian uint16 length
 * followed by that many bytes.
 *
 * Whether a tile exists for a given tree size is the caller's question;
 * parsing checks the syntax only.
 *
 * Errors: ACCORD_EINVAL for a path or bundle that is not well formed,
 * ACCORD_ETOOBIG for an entry over TILE_MAX_ENTRY bytes; buf errors pass
 * through. Ownership: nothing is kept; output is appended to the caller's
 * buf, unchanged on error; the bundle iterator borrows the bundle bytes. */
#ifndef ACCORD_TLOG_TILE_H
#define ACCORD_TLOG_TILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

#define TILE_HEIGHT 8
#define TILE_WIDTH 256        /* 1 << TILE_HEIGHT hashes or entries */
#define TILE_MAX_LEVEL 63
#define TILE_MAX_ENTRY 65535  /* uint16 length prefix */
#define TILE_MAX_BUNDLE (TILE_WIDTH * (TILE_MAX_ENTRY + 2)) /* largest entry bundle, and so largest tile */

/* One tile or entry bundle named by a path. */
typedef struct tile_ref {
    bool entries;    /* true for /tile/entries/..., false for a hash tile */
    unsigned level;  /* L, 0..TILE_MAX_LEVEL; 0 for entry bundles */
    uint64_t index;  /* N */
    unsigned width;  /* 1..255 for a partial tile, TILE_WIDTH for a full one */
} tile_ref;

/* Appends the <N> path form of index 'n' to 'out' ("000", "x001/000",
 * "x001/x234/067"). */
int tile_path_encode(uint64_t n, buf *out);

/* Appends the whole path of 't' to 'out', in the form tile_path_parse()
 * reads: "/tile/<L>/<N>" or "/tile/entries/<N>", plus ".p/<W>" when
 * t->width < TILE_WIDTH. Fails with ACCORD_EINVAL when the level or width
 * is out of range. */
int tile_path_format(const tile_ref *t, buf *out);

/* Parses the NUL-terminated 'path' (see above; it starts with "/tile/")
 * into 'out'. Rejects with ACCORD_EINVAL anything but the canonical form:
 * L over 63 or with leading zeroes, groups that are not 3 digits, a missing
 * or extra 'x', a leading "x000" group, N above 2^64 - 1, W outside 1..255
 * or with leading zeroes, and any trailing characters. */
int tile_path_parse(const char *path, tile_ref *out);

/* Appends one entry ('len' bytes at 'entry', which may be NULL when len is
 * 0) to the bundle in 'out': uint16 big-endian length, then the bytes.
 * ACCORD_ETOOBIG when len > TILE_MAX_ENTRY. */
int tile_entry_bundle_append(buf *out, const void *entry, size_t len);

/* Walks the entries of a bundle. */
typedef struct tile_bundle_iter {
    const uint8_t *data; /* borrowed */
    size_t len;
    size_t pos;
    size_t count; /* entries returned so far */
} tile_bundle_iter;

/* Starts walking the 'len' bytes at 'data' (borrowed until the walk ends). */
void tile_bundle_iter_init(tile_bundle_iter *it, const void *data, size_t len);

/* Reads the next entry: points '*entry' into the bundle and sets '*len'.
 * Returns 1 for an entry, 0 at the end of the bundle, or ACCORD_EINVAL
 * when the bundle is truncated or has more than TILE_WIDTH entries. */
int tile_bundle_next(tile_bundle_iter *it, const uint8_t **entry, size_t *len);

#endif
