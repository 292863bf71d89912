/* Auditing a published log without trusting its operator: `accord
 * verify` (check the signed checkpoint, every entry and the tree root, and
 * consistency with the checkpoint seen last time) and `accord replay`
 * (rebuild the public tables from the log's entries alone). */
#ifndef ACCORD_AUDIT_AUDIT_H
#define ACCORD_AUDIT_AUDIT_H

#include <stdbool.h>
#include <stdint.h>

#include "audit/logsrc.h"
#include "tlog/checkpoint.h"
#include "tlog/note.h"

/* Called for each entry in order; a non-zero return stops the walk. */
typedef int (*audit_entry_fn)(void *ctx, uint64_t index, const uint8_t *entry, size_t len);

/* Fetches the checkpoint of 's', verifies its signature with 'log' (NULL:
 * unverified) and, for each of the 'nwitnesses' cosigner keys, its
 * cosignature; parses it into '*out'. The note text goes to 'note' when
 * non-NULL. Fails ACCORD_EVERIFY on a bad or missing signature, or an
 * origin other than the key's name. */
int audit_checkpoint(logsrc *s, const note_verifier *log, const note_verifier *witnesses, size_t nwitnesses,
                     checkpoint *out, buf *note);

/* Fetches entries [0, size) from the entry bundles of 's' and passes each
 * to 'fn'. A missing or short bundle is ACCORD_EVERIFY naming the first
 * missing entry. */
int audit_walk_entries(logsrc *s, uint64_t size, audit_entry_fn fn, void *ctx);

/* Options and outcome of audit_verify(). */
typedef struct audit_report {
    uint64_t size;         /* entries checked */
    uint8_t root[32];
    uint64_t previous;     /* size of the checkpoint seen before, 0 if none */
    uint64_t fetches;
    double seconds;
} audit_report;

/* Verifies the log at 's': signature, every entry against the root, and
 * consistency with the state in 'state_path' (created or updated after a
 * successful run; NULL: no state). Fails ACCORD_EVERIFY with a precise
 * message (bad signature, root mismatch at size N, entry i altered or
 * missing, fork or rollback against the saved checkpoint), ACCORD_EENV
 * when the log cannot be read. */
int audit_verify(logsrc *s, const note_verifier *log, const note_verifier *witnesses, size_t nwitnesses,
                 const char *state_path, audit_report *out);

#endif

#ifndef ACCORD_AUDIT_REPLAY
#define ACCORD_AUDIT_REPLAY
#include "store/db.h"

/* Rebuilds the public tables in the new, empty database 'db' from the
 * entries of the log at 's' alone, checking the signed checkpoint with
 * 'log' (NULL: unverified) and, at the end, that the replayed log has the
 * checkpoint's root. The number of entries goes to '*out_size'. */
int audit_replay(logsrc *s, const note_verifier *log, store *db, uint64_t *out_size);
#endif
