/* Inside the witness module: the state file (witness_state.c) and the
 * strict parsers the server, the client and the state file share. Only
 * src/witness/ includes this. */
#ifndef ACCORD_WITNESS_WITNESS_INT_H
#define ACCORD_WITNESS_WITNESS_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tlog/checkpoint.h"
#include "tlog/merkle.h"

/* Lowercase hex of SHA-256(origin), NUL-terminated: the <origin hash> of
 * GET <monitoring prefix>/<origin hash>/checkpoint. */
#define WORIGIN_HASH_HEX 65

/* What the witness records for one origin. */
typedef struct wrecord {
    char origin[CHECKPOINT_MAX_ORIGIN + 1];
    char origin_hash[WORIGIN_HASH_HEX];
    bool cosigned; /* false: a configured log never cosigned (size 0) */
    uint64_t size;
    uint8_t root[MERKLE_HASH_SIZE];
    /* Owned, NUL-terminated, or NULL: the latest cosigned checkpoint as
     * served to monitors (its text, the log's verified signature lines
     * and the witness's cosignature). NULL for records written before
     * the witness kept it, until the next cosignature. */
    char *checkpoint;
} wrecord;

/* Fills r->origin_hash from r->origin. */
void wrecord_hash_origin(wrecord *r);

/* Frees the checkpoints of the 'n' records at 'recs', then 'recs'. */
void wrecords_free(wrecord *recs, size_t n);

/* Parses 'len' bytes at 's' as a tree size: ASCII decimal, no sign, no
 * leading zeroes ("0" alone is zero), at most 2^64 - 1. */
bool wparse_size(const char *s, size_t len, uint64_t *out);

/* Decodes 'len' bytes at 's' as the canonical padded standard base64 of
 * exactly 32 bytes into 'out'. */
bool wparse_hash(const char *s, size_t len, uint8_t out[MERKLE_HASH_SIZE]);

/* Reads the state file 'path' into a new array '*out' of '*n' records
 * with room for 'extra' more (caller frees with wrecords_free()). A
 * missing file is an empty state and sets '*missing'. ACCORD_ESTORE when
 * it cannot be read or is not a valid state file. */
int wstate_load(const char *path, size_t extra, wrecord **out, size_t *n, bool *missing);

/* Replaces the state file 'path' by the cosigned records of 'recs' ('n'):
 * writes "<path>.tmp", fsyncs it, renames it over 'path' and fsyncs the
 * directory, so that the file is whole and durable when this returns 0.
 * ACCORD_ESTORE on failure (the old file is then still in place unless the
 * rename happened; the temporary file is removed). */
int wstate_save(const char *path, const wrecord *recs, size_t n);

/* Takes an exclusive lock on "<path>.lock" (created if missing) and
 * returns its descriptor in '*fd'. ACCORD_EENV when another process holds
 * it or it cannot be created. */
int wstate_lock(const char *path, int *fd);

#endif
