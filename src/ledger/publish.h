/* Publishing the log: signed checkpoints, their cosignatures, and the
 * C2SP tlog-tiles read layout (hash tiles and entry bundles) served from
 * the stored nodes and entries. */
#ifndef ACCORD_LEDGER_PUBLISH_H
#define ACCORD_LEDGER_PUBLISH_H

#include <stdbool.h>
#include <stdint.h>

#include "store/db.h"
#include "tlog/note.h"
#include "tlog/tile.h"
#include "util/buf.h"

/* Signs a checkpoint of the log's current size and root with 'key' (its
 * name is the log's origin) and stores it, unless that size is already
 * signed. The size signed is returned in '*out_size'; '*signed_now' says
 * whether a new checkpoint was made. */
int publish_checkpoint(store *db, const note_signer *key, uint64_t *out_size, bool *signed_now);

/* The latest signed checkpoint with the cosignatures collected for it,
 * appended to 'out'; its size in '*out_size' (may be NULL). Fails
 * ACCORD_ENOTFOUND before the first checkpoint. */
int publish_latest(store *db, buf *out, uint64_t *out_size);

/* The signed checkpoint (without cosignatures) for 'size'. */
int publish_checkpoint_at(store *db, uint64_t size, buf *out);

/* Stores the cosignature 'line' of 'witness' on the checkpoint of 'size'
 * (replacing an older one from the same witness). */
int publish_add_cosignature(store *db, uint64_t size, const char *witness, const char *line);

/* Appends the tile 't' to 'out' as of the log's current size: hash tiles
 * are 32-byte hashes of level 8*L nodes, entry bundles uint16-length
 * prefixed entries. Fails ACCORD_ENOTFOUND when the log is not yet big
 * enough for it. */
int publish_tile(store *db, const tile_ref *t, buf *out);

#endif
