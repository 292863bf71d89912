#include "ledger/ledger.h"

#include <stdlib.h>
#include <string.h>

#include "ledger/tile.h"
#include "util/error.h"

int ledger_size(store *db, uint64_t *out)
{
    store_stmt *st;
    int rc = store_query(db, &st, "SELECT coalesce(max(seq) + 1, 0) FROM event", "");
    if (rc)
        return rc;
    rc = store_step(st);
    *out = rc == STORE_ROW ? (uint64_t)store_col_int(st, 0) : 0;
    store_stmt_close(st);
    return rc < 0 ? rc : ACCORD_OK;
}

/* ---------------------------------------------------------------------------
 * Where nodes are stored
 *
 * A complete tile (L, N) is one row of merkle_tile: level-major, the hashes
 * of tree levels 8L..8L+7 under its 256 nodes of level 8L, 510 in all, so
 * a proof reads one row per 8 levels. The first 256 are the C2SP hash tile.
 * Nodes of tiles not yet complete (the right edge of each tile level) are
 * rows of merkle_node; when an append completes a tile, its rows are
 * packed into the tile. Tile (L, N) is complete exactly when node
 * (8L + 8, N) exists.
 * ------------------------------------------------------------------------- */

#define TILE_NODES (2 * TILE_WIDTH - 2) /* 256 + 128 + ... + 2 */
#define TILE_BYTES (TILE_NODES * MERKLE_HASH_SIZE)
#define TILE_LEVELS (64 / TILE_HEIGHT)

/* The key of the tile holding node (level, index), and the node's place
 * among the tile's hashes in '*slot'. Level k of the tile starts after the
 * 256 + 128 + ... hashes of the levels below it: 512 - (512 >> k). */
static uint64_t tile_of(unsigned level, uint64_t index, unsigned *slot)
{
    unsigned tile_level = level / TILE_HEIGHT, k = level % TILE_HEIGHT;
    uint64_t width = TILE_WIDTH >> k; /* nodes of level k in one tile */
    *slot = (2 * TILE_WIDTH - (2 * TILE_WIDTH >> k)) + (unsigned)(index & (width - 1));
    return (uint64_t)tile_level << 56 | index >> (TILE_HEIGHT - k);
}

/* A per-connection cache of nodes and tiles. Stored nodes and complete
 * tiles never change once committed. Every proof reads the few nodes near
 * the top and up to 8 nodes from each tile it touches: keeping the upper
 * nodes, the last leaf-level tile and a few upper tiles spares most
 * lookups. Nothing is cached from inside a write transaction: what it
 * reads might roll back. */
#define NODE_CACHE_BITS 13 /* 8192 nodes */
#define NODE_CACHE_MIN_LEVEL 6
#define UPPER_TILE_BITS 4 /* 16 tiles */

typedef struct node_slot {
    uint64_t index;
    uint8_t level; /* 0: empty (cached levels are >= NODE_CACHE_MIN_LEVEL) */
    uint8_t hash[MERKLE_HASH_SIZE];
} node_slot;

typedef struct tile_slot {
    uint64_t key;
    bool full; /* holds the tile 'key' */
    uint8_t hash[TILE_NODES][MERKLE_HASH_SIZE];
} tile_slot;

typedef struct node_cache {
    node_slot nodes[1 << NODE_CACHE_BITS];
    tile_slot leaf_tile;                    /* the last tile of level 0 read */
    tile_slot upper_tiles[1 << UPPER_TILE_BITS]; /* tiles of level >= 1 */
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

static tile_slot *tile_slot_of(node_cache *c, uint64_t key)
{
    return key >> 56 == 0 ? &c->leaf_tile : &c->upper_tiles[mix(key) >> (64 - UPPER_TILE_BITS)];
}

static bool cached_node(node_cache *c, unsigned level, uint64_t index, uint8_t out[MERKLE_HASH_SIZE])
{
    node_slot *n = node_slot_of(c, level, index);
    if (level >= NODE_CACHE_MIN_LEVEL && n->level == level && n->index == index) {
        memcpy(out, n->hash, MERKLE_HASH_SIZE);
        return true;
    }
    unsigned slot;
    uint64_t key = tile_of(level, index, &slot);
    tile_slot *t = tile_slot_of(c, key);
    if (t->full && t->key == key) {
        memcpy(out, t->hash[slot], MERKLE_HASH_SIZE);
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
    int rc = store_query(db, &st, "SELECT hash FROM merkle_node WHERE level = ? AND idx = ?", "ii", (int64_t)level,
                         (int64_t)index);
    if (rc)
        return rc;
    rc = store_step(st);
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

/* Node (level, index) from its complete tile, if that is stored; the
 * whole tile goes to the cache 'c' (may be NULL). */
static int tiled_node(store *db, node_cache *c, unsigned level, uint64_t index, uint8_t out[MERKLE_HASH_SIZE],
                      bool *found)
{
    unsigned slot;
    uint64_t key = tile_of(level, index, &slot);
    store_stmt *st;
    int rc = store_query(db, &st, "SELECT hashes FROM merkle_tile WHERE tile = ?", "i", (int64_t)key);
    if (rc)
        return rc;
    rc = store_step(st);
    size_t len = 0;
    const uint8_t *p = rc == STORE_ROW ? store_col_blob(st, 0, &len) : NULL;
    *found = p != NULL;
    if (p && len == TILE_BYTES) {
        memcpy(out, p + (size_t)slot * MERKLE_HASH_SIZE, MERKLE_HASH_SIZE);
        if (c) {
            tile_slot *t = tile_slot_of(c, key);
            memcpy(t->hash, p, TILE_BYTES);
            t->key = key;
            t->full = true;
        }
    } else if (p) {
        rc = accord_fail(ACCORD_ESTORE, NULL, "ledger: tile %llu has %zu bytes, not %d", (unsigned long long)key,
                         len, TILE_BYTES);
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
 * completed, into its merkle_tile row. No other rows are on those levels:
 * the next tile's nodes need leaves not yet appended. */
static int pack_tile(store *db, unsigned tile_level, uint64_t index)
{
    unsigned first = tile_level * TILE_HEIGHT, slot, count = 0;
    uint64_t key = (uint64_t)tile_level << 56 | index;
    uint8_t *tile = malloc(TILE_BYTES);
    if (!tile)
        return accord_fail(ACCORD_ENOMEM, NULL, "out of memory");
    store_stmt *st;
    int rc = store_query(db, &st, "SELECT level, idx, hash FROM merkle_node WHERE level >= ? AND level < ?", "ii",
                         (int64_t)first, (int64_t)(first + TILE_HEIGHT));
    if (rc) {
        free(tile);
        return rc;
    }
    while ((rc = store_step(st)) == STORE_ROW) {
        size_t len;
        const void *hash = store_col_blob(st, 2, &len);
        int64_t level = store_col_int(st, 0), idx = store_col_int(st, 1);
        if (tile_of((unsigned)level, (uint64_t)idx, &slot) != key || len != MERKLE_HASH_SIZE || count == TILE_NODES) {
            rc = accord_fail(ACCORD_ESTORE, NULL, "ledger: node (%lld, %lld) is not part of tile %llu",
                             (long long)level, (long long)idx, (unsigned long long)key);
            break;
        }
        memcpy(tile + (size_t)slot * MERKLE_HASH_SIZE, hash, MERKLE_HASH_SIZE);
        count++;
    }
    store_stmt_close(st);
    if (rc == STORE_DONE && count != TILE_NODES)
        rc = accord_fail(ACCORD_ESTORE, NULL, "ledger: tile %llu has %u of its %d nodes", (unsigned long long)key,
                         count, TILE_NODES);
    if (rc == STORE_DONE)
        rc = store_run(db, "INSERT INTO merkle_tile (tile, hashes) VALUES (?, ?)", "ib", (int64_t)key, tile,
                       (size_t)TILE_BYTES);
    if (!rc)
        rc = store_run(db, "DELETE FROM merkle_node WHERE level >= ? AND level < ?", "ii", (int64_t)first,
                       (int64_t)(first + TILE_HEIGHT));
    free(tile);
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

/* A prefix of the complete tile when it is stored, else right-edge rows. */
int ledger_hash_tile(store *db, unsigned tile_level, uint64_t index, unsigned width, buf *out)
{
    if (tile_level >= TILE_LEVELS || width > TILE_WIDTH || index > UINT64_MAX / TILE_WIDTH)
        return accord_fail(ACCORD_EINVAL, NULL, "no tile %u/%llu of width %u", tile_level,
                           (unsigned long long)index, width);
    store_stmt *st;
    int rc = store_query(db, &st, "SELECT hashes FROM merkle_tile WHERE tile = ?", "i",
                         (int64_t)((uint64_t)tile_level << 56 | index));
    if (rc)
        return rc;
    rc = store_step(st);
    if (rc == STORE_ROW) {
        size_t len;
        const void *p = store_col_blob(st, 0, &len);
        rc = len == TILE_BYTES ? buf_append(out, p, (size_t)width * MERKLE_HASH_SIZE)
                               : accord_fail(ACCORD_ESTORE, NULL, "ledger: tile %u/%llu has %zu bytes", tile_level,
                                             (unsigned long long)index, len);
        store_stmt_close(st);
        return rc;
    }
    store_stmt_close(st);
    if (rc < 0)
        return rc;
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
    int rc = store_query(db, &st, "SELECT body FROM event WHERE seq = ?", "i", (int64_t)index);
    if (rc)
        return rc;
    rc = store_step(st);
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
