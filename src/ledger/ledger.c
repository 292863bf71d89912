#include "ledger/ledger.h"

#include <stdlib.h>
#include <string.h>

#include "store/lookup.h"
#include "tlog/tile.h"
#include "util/error.h"

int ledger_size(store *db, uint64_t *out)
{
    int64_t size = 0;
    int rc = store_one_int(db, &size, "SELECT coalesce(max(seq) + 1, 0) FROM event", "");
    *out = (uint64_t)size;
    return rc < 0 ? rc : ACCORD_OK;
}

/* ---------------------------------------------------------------------------
 * Where nodes are stored
 *
 * A complete tile (L, N) covers tree levels 8L..8L+7 under nodes
 * 256N..256N+255 of level 8L: 510 hashes. It is stored as five rows, each
 * small enough to stay on one page (no overflow pages), so that a proof
 * reads about one page per tile it crosses:
 *   four quarters, rows of merkle_quarter keyed (L << 56 | N) << 2 | q:
 *     the lowest 6 levels under nodes 64q..64q+63 of the tile's bottom
 *     level, level-major: 64 + 32 + 16 + 8 + 4 + 2 = 126 hashes (4,032
 *     bytes, a page to itself);
 *   the cap, a row of merkle_cap keyed L << 56 | N: the 4 nodes of level
 *     8L+6, then the 2 of level 8L+7. Caps have their own table so that
 *     they share pages, about twenty to one.
 * The first 64 hashes of the four quarters, in order, are the C2SP hash
 * tile L/N. Nodes of tiles not yet complete (the right edge of each tile
 * level) are rows of merkle_node; when an append completes a tile, its
 * rows are packed into the five parts. Tile (L, N) is complete exactly
 * when node (8L + 8, N) exists.
 * ------------------------------------------------------------------------- */

#define TILE_NODES (2 * TILE_WIDTH - 2) /* 256 + 128 + ... + 2 */
#define TILE_LEVELS (64 / TILE_HEIGHT)
#define QUARTER_LEVELS 6
#define QUARTER_WIDTH (TILE_WIDTH / 4) /* 64 nodes at a quarter's bottom */
#define QUARTER_NODES (2 * QUARTER_WIDTH - 2)
#define CAP_NODES 6

/* The key of the tile holding node (level, index). */
static uint64_t tile_key(unsigned level, uint64_t index)
{
    return (uint64_t)(level / TILE_HEIGHT) << 56 | index >> (TILE_HEIGHT - level % TILE_HEIGHT);
}

/* Where a node of a complete tile is: a quarter or the cap, the row's
 * key, and the node's place among the row's hashes. */
typedef struct {
    bool cap;
    uint64_t key;
    unsigned slot;
} place;

/* In a quarter, level k starts after the 64 + 32 + ... hashes of the
 * levels below it: 128 - (128 >> k). */
static place place_of(unsigned level, uint64_t index)
{
    unsigned k = level % TILE_HEIGHT;
    unsigned j = (unsigned)(index & ((TILE_WIDTH >> k) - 1)); /* place in the tile's level k */
    uint64_t tile = tile_key(level, index);
    if (k < QUARTER_LEVELS)
        return (place){false, tile << 2 | j >> (QUARTER_LEVELS - k),
                       (2 * QUARTER_WIDTH - (2 * QUARTER_WIDTH >> k)) + (j & ((QUARTER_WIDTH >> k) - 1))};
    return (place){true, tile, (k - QUARTER_LEVELS) * 4 + j};
}

static uint64_t place_tile(place p) { return p.cap ? p.key : p.key >> 2; }
static size_t place_bytes(place p) { return (size_t)(p.cap ? CAP_NODES : QUARTER_NODES) * MERKLE_HASH_SIZE; }

/* A per-connection cache of nodes and tile parts. Stored nodes and
 * complete tiles never change once committed. Every proof reads the few
 * nodes near the top and one quarter and one cap of each tile it crosses:
 * keeping the upper nodes, the last leaf-level quarter and cap read and a
 * few upper parts spares most lookups. Nothing is cached from inside a
 * write transaction: what it reads might roll back. */
#define NODE_CACHE_BITS 13 /* 8192 nodes */
#define NODE_CACHE_MIN_LEVEL 6
#define UPPER_PART_BITS 6 /* 64 parts */

typedef struct node_slot {
    uint64_t index;
    uint8_t level; /* 0: empty (cached levels are >= NODE_CACHE_MIN_LEVEL) */
    uint8_t hash[MERKLE_HASH_SIZE];
} node_slot;

typedef struct part_slot {
    place where; /* slot unused */
    bool full;   /* holds the part 'where' */
    uint8_t hash[QUARTER_NODES][MERKLE_HASH_SIZE];
} part_slot;

typedef struct node_cache {
    node_slot nodes[1 << NODE_CACHE_BITS];
    part_slot leaf_parts[2];                     /* the last quarter and cap of level 0 read */
    part_slot upper_parts[1 << UPPER_PART_BITS]; /* parts of tiles of level >= 1 */
} node_cache;

/* The cache of 'db', or NULL inside a write transaction or without memory
 * (lookups then go to the database). */
static node_cache *cache_of(store *db)
{
    if (store_in_write(db))
        return NULL;
    node_cache *c = store_user(db);
    if (!c && (c = calloc(1, sizeof *c)))
        store_set_user(db, c, free);
    return c;
}

/* Fibonacci hashing: the top bits of the product mix every input bit. */
static uint64_t mix(uint64_t x) { return x * 0x9E3779B97F4A7C15ULL; }

static node_slot *node_slot_of(node_cache *c, unsigned level, uint64_t index)
{
    return &c->nodes[mix(index ^ (uint64_t)level << 58) >> (64 - NODE_CACHE_BITS)];
}

static part_slot *part_slot_of(node_cache *c, place p)
{
    if (place_tile(p) >> 56 == 0) /* a tile of level 0 */
        return &c->leaf_parts[p.cap];
    return &c->upper_parts[mix(p.key << 1 | p.cap) >> (64 - UPPER_PART_BITS)];
}

static bool same_part(place a, place b) { return a.cap == b.cap && a.key == b.key; }

static bool cached_node(node_cache *c, unsigned level, uint64_t index, uint8_t out[MERKLE_HASH_SIZE])
{
    node_slot *n = node_slot_of(c, level, index);
    if (level >= NODE_CACHE_MIN_LEVEL && n->level == level && n->index == index) {
        memcpy(out, n->hash, MERKLE_HASH_SIZE);
        return true;
    }
    place p = place_of(level, index);
    part_slot *s = part_slot_of(c, p);
    if (s->full && same_part(s->where, p)) {
        memcpy(out, s->hash[p.slot], MERKLE_HASH_SIZE);
        return true;
    }
    return false;
}

static void remember_node(node_cache *c, unsigned level, uint64_t index, const uint8_t hash[MERKLE_HASH_SIZE])
{
    if (level < NODE_CACHE_MIN_LEVEL)
        return;
    node_slot *n = node_slot_of(c, level, index);
    n->level = (uint8_t)level;
    n->index = index;
    memcpy(n->hash, hash, MERKLE_HASH_SIZE);
}

/* Node (level, index) from the right-edge rows, if it is there. */
static int edge_node(store *db, unsigned level, uint64_t index, uint8_t out[MERKLE_HASH_SIZE], bool *found)
{
    store_stmt *st;
    int rc = store_first_row(db, &st, "SELECT hash FROM merkle_node WHERE level = ? AND idx = ?", "ii", (int64_t)level,
                             (int64_t)index);
    size_t len = 0;
    const void *p = rc == STORE_ROW ? store_col_blob(st, 0, &len) : NULL;
    *found = p != NULL;
    if (p && len == MERKLE_HASH_SIZE)
        memcpy(out, p, MERKLE_HASH_SIZE);
    else if (p)
        rc = accord_fail(ACCORD_ESTORE, NULL, "ledger: subtree hash (%u, %llu) has %zu bytes", level,
                         (unsigned long long)index, len);
    store_stmt_close(st);
    return rc < 0 ? rc : ACCORD_OK;
}

/* Node (level, index) from its part of a complete tile, if that is
 * stored; the whole part goes to the cache 'c' (may be NULL). */
static int tiled_node(store *db, node_cache *c, unsigned level, uint64_t index, uint8_t out[MERKLE_HASH_SIZE],
                      bool *found)
{
    place where = place_of(level, index);
    size_t want = place_bytes(where);
    store_stmt *st;
    int rc = store_first_row(db, &st,
                             where.cap ? "SELECT hashes FROM merkle_cap WHERE tile = ?"
                                       : "SELECT hashes FROM merkle_quarter WHERE part = ?",
                             "i", (int64_t)where.key);
    size_t len = 0;
    const uint8_t *p = rc == STORE_ROW ? store_col_blob(st, 0, &len) : NULL;
    *found = p != NULL;
    if (p && len == want) {
        memcpy(out, p + (size_t)where.slot * MERKLE_HASH_SIZE, MERKLE_HASH_SIZE);
        if (c) {
            part_slot *s = part_slot_of(c, where);
            memcpy(s->hash, p, want);
            s->where = where;
            s->full = true;
        }
    } else if (p) {
        rc = accord_fail(ACCORD_ESTORE, NULL, "ledger: a part of tile %llu has %zu bytes, not %zu",
                         (unsigned long long)place_tile(where), len, want);
    }
    store_stmt_close(st);
    return rc < 0 ? rc : ACCORD_OK;
}

/* Inside a transaction every lookup sees one snapshot, so the tile is
 * tried first: most nodes a proof reads are in complete tiles. Outside one,
 * each lookup sees the latest commit, and the right-edge rows must come
 * first: an append packs a tile and removes its rows in one commit, so a
 * row found missing has its tile stored by then, while a tile found
 * missing may be packed, and its rows gone, before the rows are read. */
int ledger_node(void *ctx, unsigned level, uint64_t index, uint8_t out[MERKLE_HASH_SIZE])
{
    store *db = ctx;
    node_cache *cache = cache_of(db);
    if (cache && cached_node(cache, level, index, out))
        return ACCORD_OK;
    bool found = false, tile_first = store_in_transaction(db);
    int rc = tile_first ? tiled_node(db, cache, level, index, out, &found) : ACCORD_OK;
    if (!rc && !found)
        rc = edge_node(db, level, index, out, &found);
    if (!rc && !found && !tile_first)
        rc = tiled_node(db, cache, level, index, out, &found);
    if (!rc && !found)
        rc = accord_fail(ACCORD_ESTORE, NULL, "ledger: subtree hash (%u, %llu) is missing", level,
                         (unsigned long long)index);
    if (!rc && cache)
        remember_node(cache, level, index, out);
    return rc;
}

/* Moves the 510 right-edge rows of tile (tile_level, index), just
 * completed, into its four quarters and its cap. No other rows are on
 * those levels: the next tile's nodes need leaves not yet appended. */
static int pack_tile(store *db, unsigned tile_level, uint64_t index)
{
    unsigned first = tile_level * TILE_HEIGHT, count = 0;
    uint64_t key = (uint64_t)tile_level << 56 | index;
    uint8_t (*parts)[QUARTER_NODES][MERKLE_HASH_SIZE] = malloc(5 * sizeof *parts); /* quarters, then the cap */
    if (!parts)
        return accord_fail(ACCORD_ENOMEM, NULL, "out of memory");
    store_stmt *st;
    int rc = store_query(db, &st, "SELECT level, idx, hash FROM merkle_node WHERE level >= ? AND level < ?", "ii",
                         (int64_t)first, (int64_t)(first + TILE_HEIGHT));
    if (rc) {
        free(parts);
        return rc;
    }
    while ((rc = store_step(st)) == STORE_ROW) {
        size_t len;
        const void *hash = store_col_blob(st, 2, &len);
        int64_t level = store_col_int(st, 0), idx = store_col_int(st, 1);
        place p = place_of((unsigned)level, (uint64_t)idx);
        if (place_tile(p) != key || len != MERKLE_HASH_SIZE || count == TILE_NODES) {
            rc = accord_fail(ACCORD_ESTORE, NULL, "ledger: node (%lld, %lld) is not part of tile %llu",
                             (long long)level, (long long)idx, (unsigned long long)key);
            break;
        }
        memcpy(parts[p.cap ? 4 : p.key & 3][p.slot], hash, MERKLE_HASH_SIZE);
        count++;
    }
    store_stmt_close(st);
    if (rc == STORE_DONE && count != TILE_NODES)
        rc = accord_fail(ACCORD_ESTORE, NULL, "ledger: tile %llu has %u of its %d nodes", (unsigned long long)key,
                         count, TILE_NODES);
    for (unsigned q = 0; q < 4 && !rc; q++)
        rc = store_run(db, "INSERT INTO merkle_quarter (part, hashes) VALUES (?, ?)", "ib", (int64_t)(key << 2 | q),
                       parts[q], (size_t)QUARTER_NODES * MERKLE_HASH_SIZE);
    if (!rc)
        rc = store_run(db, "INSERT INTO merkle_cap (tile, hashes) VALUES (?, ?)", "ib", (int64_t)key, parts[4],
                       (size_t)CAP_NODES * MERKLE_HASH_SIZE);
    if (!rc)
        rc = store_run(db, "DELETE FROM merkle_node WHERE level >= ? AND level < ?", "ii", (int64_t)first,
                       (int64_t)(first + TILE_HEIGHT));
    free(parts);
    return rc;
}

static int check_length(size_t len)
{
    if (len > LEDGER_MAX_EVENT)
        return accord_fail(ACCORD_ETOOBIG, NULL, "event of %zu bytes is over the log's limit of %d bytes", len,
                           LEDGER_MAX_EVENT);
    return ACCORD_OK;
}

/* Stores the nodes that leaf 'index' completes. Lowest level first: when
 * node (8L + 8, N) is written, every node of tile (L, N) below it is a
 * row, ready to be packed. */
static int add_to_tree(store *db, uint64_t index, const uint8_t leaf[MERKLE_HASH_SIZE])
{
    merkle_node nodes[MERKLE_MAX_APPEND];
    size_t count = 0;
    int rc = merkle_append(ledger_node, db, index, leaf, nodes, &count);
    for (size_t i = 0; i < count && !rc; i++) {
        rc = store_run(db, "INSERT INTO merkle_node (level, idx, hash) VALUES (?, ?, ?)", "iib",
                       (int64_t)nodes[i].level, (int64_t)nodes[i].index, nodes[i].hash, (size_t)MERKLE_HASH_SIZE);
        if (!rc && nodes[i].level >= TILE_HEIGHT && nodes[i].level % TILE_HEIGHT == 0)
            rc = pack_tile(db, nodes[i].level / TILE_HEIGHT - 1, nodes[i].index);
    }
    return rc;
}

int ledger_append(store *db, const char *type, const char *at, const void *body, size_t len, uint64_t *out_index)
{
    uint64_t size;
    int rc = check_length(len);
    if (!rc)
        rc = ledger_size(db, &size);
    if (rc)
        return rc;
    uint8_t leaf[MERKLE_HASH_SIZE];
    merkle_leaf_hash(body, len, leaf);
    rc = store_run(db, "INSERT INTO event (seq, type, at, body, leaf_hash) VALUES (?, ?, ?, ?, ?)", "issbb",
                   (int64_t)size, type, at, body, len, leaf, (size_t)MERKLE_HASH_SIZE);
    if (!rc)
        rc = add_to_tree(db, size, leaf);
    if (!rc)
        *out_index = size;
    return rc;
}

int ledger_reserve(store *db, const char *type, const char *at, uint64_t *out_index)
{
    uint64_t size;
    int rc = ledger_size(db, &size);
    if (!rc)
        rc = store_run(db, "INSERT INTO event (seq, type, at, body, leaf_hash) VALUES (?, ?, ?, x'', x'')", "iss",
                       (int64_t)size, type, at);
    if (!rc)
        *out_index = size;
    return rc;
}

void ledger_unreserve(store *db, uint64_t index)
{
    store_run(db, "DELETE FROM event WHERE seq = ? AND length(leaf_hash) = 0", "i", (int64_t)index);
}

int ledger_fill(store *db, uint64_t index, const void *body, size_t len)
{
    int rc = check_length(len);
    if (rc)
        return rc;
    uint8_t leaf[MERKLE_HASH_SIZE];
    merkle_leaf_hash(body, len, leaf);
    /* A reserved entry has no leaf hash yet. */
    rc = store_run(db,
                   "UPDATE event SET body = ?, leaf_hash = ? WHERE seq = ? AND length(leaf_hash) = 0"
                   " AND NOT EXISTS (SELECT 1 FROM event WHERE seq > ?)",
                   "bbii", body, len, leaf, (size_t)MERKLE_HASH_SIZE, (int64_t)index, (int64_t)index);
    if (!rc && store_changes(db) != 1)
        rc = accord_fail(ACCORD_EINVAL, NULL, "log entry %llu is not the last one, reserved and not yet filled",
                         (unsigned long long)index);
    if (!rc)
        rc = add_to_tree(db, index, leaf);
    return rc;
}

/* A prefix of the complete tile when it is stored (the bottom 64 hashes of
 * each quarter), else right-edge rows. */
int ledger_hash_tile(store *db, unsigned tile_level, uint64_t index, unsigned width, buf *out)
{
    if (tile_level >= TILE_LEVELS || width > TILE_WIDTH || index > UINT64_MAX / TILE_WIDTH)
        return accord_fail(ACCORD_EINVAL, NULL, "no tile %u/%llu of width %u", tile_level,
                           (unsigned long long)index, width);
    uint64_t key = (uint64_t)tile_level << 56 | index;
    store_stmt *st;
    int rc = store_query(db, &st, "SELECT hashes FROM merkle_quarter WHERE part >= ? AND part < ? ORDER BY part",
                         "ii", (int64_t)(key << 2), (int64_t)((key << 2) + 4));
    if (rc)
        return rc;
    unsigned quarters = 0, left = width;
    while ((rc = store_step(st)) == STORE_ROW) {
        size_t len;
        const uint8_t *p = store_col_blob(st, 0, &len);
        if (len != QUARTER_NODES * MERKLE_HASH_SIZE) {
            rc = accord_fail(ACCORD_ESTORE, NULL, "ledger: tile %u/%llu has a part of %zu bytes", tile_level,
                             (unsigned long long)index, len);
            break;
        }
        unsigned take = left < QUARTER_WIDTH ? left : QUARTER_WIDTH;
        if ((rc = buf_append(out, p, (size_t)take * MERKLE_HASH_SIZE)))
            break;
        left -= take;
        quarters++;
    }
    store_stmt_close(st);
    if (rc < 0)
        return rc;
    if (quarters == 4)
        return ACCORD_OK;
    if (quarters)
        return accord_fail(ACCORD_ESTORE, NULL, "ledger: tile %u/%llu has %u of its 4 quarters", tile_level,
                           (unsigned long long)index, quarters);
    uint64_t first = index * TILE_WIDTH;
    rc = store_query(db, &st, "SELECT hash FROM merkle_node WHERE level = ? AND idx >= ? AND idx < ? ORDER BY idx",
                     "iii", (int64_t)(tile_level * TILE_HEIGHT), (int64_t)first, (int64_t)(first + width));
    if (rc)
        return rc;
    unsigned got = 0;
    while ((rc = store_step(st)) == STORE_ROW) {
        size_t len;
        const void *h = store_col_blob(st, 0, &len);
        if (len != MERKLE_HASH_SIZE || (rc = buf_append(out, h, len)))
            break;
        got++;
    }
    store_stmt_close(st);
    if (rc < 0)
        return rc;
    if (got != width)
        return accord_fail(ACCORD_ESTORE, NULL, "tile %u/%llu: %u of %u stored hashes found", tile_level,
                           (unsigned long long)index, got, width);
    return ACCORD_OK;
}

int ledger_root(store *db, uint64_t size, uint8_t out[MERKLE_HASH_SIZE])
{
    uint64_t have;
    int rc = ledger_size(db, &have);
    if (rc)
        return rc;
    if (size > have)
        return accord_fail(ACCORD_EINVAL, "size", "size %llu is beyond the log's %llu entries",
                           (unsigned long long)size, (unsigned long long)have);
    return merkle_root(ledger_node, db, size, out);
}

int ledger_entry(store *db, uint64_t index, buf *out)
{
    store_stmt *st;
    int rc = store_first_row(db, &st, "SELECT body FROM event WHERE seq = ?", "i", (int64_t)index);
    if (rc == STORE_ROW) {
        size_t len;
        const void *p = store_col_blob(st, 0, &len);
        rc = buf_append(out, p, len);
    } else if (rc == STORE_DONE) {
        rc = accord_fail(ACCORD_ENOTFOUND, "index", "no log entry %llu", (unsigned long long)index);
    }
    store_stmt_close(st);
    return rc;
}
