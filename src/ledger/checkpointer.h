/* The checkpointer: signs a new checkpoint after writes, at most one per
 * interval under load, and (when configured) hands each new checkpoint to
 * the witnesses and stores the cosignatures they return. Runs on its own
 * thread and store connection. */
#ifndef ACCORD_LEDGER_CHECKPOINTER_H
#define ACCORD_LEDGER_CHECKPOINTER_H

#include <stddef.h>

#include "tlog/note.h"

typedef struct checkpointer checkpointer;

/* A witness the log submits its checkpoints to. */
typedef struct witness_peer {
    const char *url;  /* base URL; "/add-checkpoint" is appended */
    const char *vkey; /* its cosignature/v1 verifier key */
} witness_peer;

/* Starts the thread and signs the current size at once. 'key' is copied.
 * 'interval_ms' is the shortest time between two signatures. */
int checkpointer_start(checkpointer **out, const char *db_path, const note_signer *key, unsigned interval_ms,
                       const witness_peer *witnesses, size_t nwitnesses);

/* Tells the checkpointer that the log grew. Cheap; safe from any thread. */
void checkpointer_poke(checkpointer *c);

/* Signs what is pending, then stops the thread. NULL is allowed. */
void checkpointer_stop(checkpointer *c);

#endif
