#include "ledger/ledger.h"

#include <stdlib.h>
#include <string.h>

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

/* A per-connection cache of the upper tree's nodes. Stored nodes never
 * change once committed, and every proof reads the few nodes near the
 * top, so keeping them spares most lookups. Nodes are cached only when
 * read outside a write transaction: one read inside it might roll back. */
#define NODE_CACHE_SLOTS 8192
#define NODE_CACHE_MIN_LEVEL 6

typedef struct node_slot {
    uint64_t index;
    uint8_t level; /* 0: empty (cached levels are >= NODE_CACHE_MIN_LEVEL) */
    uint8_t hash[MERKLE_HASH_SIZE];
} node_slot;

static node_slot *node_cache(store *db)
{
    node_slot *c = store_user(db);
    if (!c && (c = calloc(NODE_CACHE_SLOTS, sizeof *c)))
        store_set_user(db, c, free);
    return c;
}

static node_slot *cache_slot(node_slot *c, unsigned level, uint64_t index)
{
    uint64_t h = (index * 0x9E3779B97F4A7C15ULL) ^ ((uint64_t)level << 58);
    return &c[(h >> 40) % NODE_CACHE_SLOTS];
}

int ledger_node(void *ctx, unsigned level, uint64_t index, uint8_t out[MERKLE_HASH_SIZE])
{
    store *db = ctx;
    node_slot *cache = level >= NODE_CACHE_MIN_LEVEL && !store_in_write(db) ? node_cache(db) : NULL;
    node_slot *slot = cache ? cache_slot(cache, level, index) : NULL;
    if (slot && slot->level == level && slot->index == index) {
        memcpy(out, slot->hash, MERKLE_HASH_SIZE);
        return ACCORD_OK;
    }
    store_stmt *st;
    int rc = store_query(db, &st, "SELECT hash FROM merkle_node WHERE level = ? AND idx = ?", "ii", (int64_t)level,
                         (int64_t)index);
    if (rc)
        return rc;
    rc = store_step(st);
    size_t len = 0;
    const void *p = rc == STORE_ROW ? store_col_blob(st, 0, &len) : NULL;
    if (p && len == MERKLE_HASH_SIZE) {
        memcpy(out, p, MERKLE_HASH_SIZE);
        rc = ACCORD_OK;
        if (slot) {
            slot->level = (uint8_t)level;
            slot->index = index;
            memcpy(slot->hash, p, MERKLE_HASH_SIZE);
        }
    } else if (rc >= 0) {
        rc = accord_fail(ACCORD_ESTORE, NULL, "ledger: subtree hash (%u, %llu) is missing", level,
                         (unsigned long long)index);
    }
    store_stmt_close(st);
    return rc;
}

int ledger_append(store *db, const char *type, const char *at, const void *body, size_t len, uint64_t *out_index)
{
    if (len > LEDGER_MAX_EVENT)
        return accord_fail(ACCORD_ETOOBIG, NULL, "event of %zu bytes is over the log's limit of %d bytes", len,
                           LEDGER_MAX_EVENT);
    uint64_t size;
    int rc = ledger_size(db, &size);
    if (rc)
        return rc;
    uint8_t leaf[MERKLE_HASH_SIZE];
    merkle_leaf_hash(body, len, leaf);
    rc = store_run(db, "INSERT INTO event (seq, type, at, body, leaf_hash) VALUES (?, ?, ?, ?, ?)", "issbb",
                   (int64_t)size, type, at, body, len, leaf, (size_t)MERKLE_HASH_SIZE);
    merkle_node nodes[64];
    size_t count = 0;
    if (!rc)
        rc = merkle_append(ledger_node, db, size, leaf, nodes, &count);
    for (size_t i = 0; i < count && !rc; i++)
        rc = store_run(db, "INSERT INTO merkle_node (level, idx, hash) VALUES (?, ?, ?)", "iib",
                       (int64_t)nodes[i].level, (int64_t)nodes[i].index, nodes[i].hash, (size_t)MERKLE_HASH_SIZE);
    if (!rc)
        *out_index = size;
    return rc;
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
