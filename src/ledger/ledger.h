/* The ledger: the append-only log of events that is the source of truth.
 *
 * Each entry is the exact canonical bytes of one event; its RFC 9162 leaf
 * hash and the hashes of the perfect subtrees it completes are stored
 * with it, so the tree root of any size is found with O(log n) lookups.
 * The subtree hashes are kept in tiles of 8 tree levels, so a proof reads
 * about one page per 8 levels (docs/internals/ledger.md).
 * Appends happen inside the caller's write transaction (store_begin), the
 * same one that updates the tables the event describes. */
#ifndef ACCORD_LEDGER_LEDGER_H
#define ACCORD_LEDGER_LEDGER_H

#include <stddef.h>
#include <stdint.h>

#include "store/db.h"
#include "tlog/merkle.h"
#include "util/buf.h"

/* Largest event in bytes: entry bundles of the tiled log carry a 16-bit
 * length, so bigger content must stay outside the log, referenced by hash. */
#define LEDGER_MAX_EVENT 65535

/* Number of entries in the log. */
int ledger_size(store *db, uint64_t *out);

/* Appends 'len' bytes of 'body' (an event of type 'type' made at 'at')
 * inside the caller's open write transaction; the bytes are copied. The
 * new entry's index is returned in '*out_index'. Fails ACCORD_ETOOBIG
 * past LEDGER_MAX_EVENT. */
int ledger_append(store *db, const char *type, const char *at, const void *body, size_t len, uint64_t *out_index);

/* Appending in two steps, for an event whose bytes are known only once
 * the tables it describes are written (appliers derive some of its
 * fields). ledger_reserve() adds the next entry, with its type and time
 * but no bytes, and returns its index: the rows that name it are then
 * written against an existing entry, so their deferred foreign keys never
 * wait for it (a parent row inserted while any wait makes SQLite look it
 * up in every table that refers to the log). ledger_fill() gives the last
 * entry its bytes (copied), leaf hash and tree nodes; it fails
 * ACCORD_EINVAL for any other entry or one already filled, ACCORD_ETOOBIG
 * past LEDGER_MAX_EVENT. Both run inside the caller's write transaction,
 * with nothing appended in between; until filled, the entry reads as
 * empty bytes. */
int ledger_reserve(store *db, const char *type, const char *at, uint64_t *out_index);
int ledger_fill(store *db, uint64_t index, const void *body, size_t len);

/* Removes entry 'index' if it is reserved and not filled: an event refused
 * between the two steps leaves no entry, and the next one takes its index,
 * as if it had never been tried (an import goes on checking the rows after
 * a refused one in the same transaction). It records no error of its own
 * unless the database fails, so the refusal's message stays. */
void ledger_unreserve(store *db, uint64_t index);

/* Root of the tree over the first 'size' entries ('size' <= ledger size). */
int ledger_root(store *db, uint64_t size, uint8_t out[MERKLE_HASH_SIZE]);

/* Appends the bytes of entry 'index' to 'out'. */
int ledger_entry(store *db, uint64_t index, buf *out);

/* Reads a stored subtree hash: the merkle_get_fn over this store. Keeps
 * a per-connection cache of upper nodes and recently read tiles (filled
 * only outside write transactions). */
int ledger_node(void *db, unsigned level, uint64_t index, uint8_t out[MERKLE_HASH_SIZE]);

/* Appends to 'out' the 'width' (<= 256) stored hashes of tree level
 * 8 * 'tile_level' from index 256 * 'index': the C2SP hash tile, full or
 * partial. The caller checks that the log is big enough for it; a hash
 * missing below that size is ACCORD_ESTORE. */
int ledger_hash_tile(store *db, unsigned tile_level, uint64_t index, unsigned width, buf *out);

#endif
