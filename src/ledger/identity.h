/* The log's identity: its origin (the first line of every checkpoint),
 * its verifier key, and the file that holds its signing key. They are
 * kept in the `meta` table, which this file alone reads and writes.
 * 'accord init' records all three; 'accord replay' only the origin of the
 * log it copied (a replayed database signs nothing). */
#ifndef ACCORD_LEDGER_IDENTITY_H
#define ACCORD_LEDGER_IDENTITY_H

#include <limits.h>

#include "store/db.h"
#include "tlog/logkey.h"
#include "tlog/note.h"

typedef struct ledger_identity {
    char origin[LOGKEY_MAX_NAME + 1]; /* "" when not recorded */
    char vkey[LOGKEY_MAX_VKEY];       /* "" when not recorded */
    char key_file[PATH_MAX];          /* "" when not recorded */
} ledger_identity;

/* Reads what is recorded into '*out'; what is not recorded reads as "". */
int ledger_identity_get(store *db, ledger_identity *out);

/* Records the fields of 'id' that are not "" (each once: recording a
 * field twice fails with the store's constraint error). */
int ledger_identity_set(store *db, const ledger_identity *id);

/* Loads the log's signing key from 'path', or from the file the
 * identity names when 'path' is NULL, into '*key' (the caller clears it
 * with note_signer_clear). Fails ACCORD_EENV when no file is named, it
 * cannot be read, or its key is not the recorded verifier key: a server
 * must never sign checkpoints the log's readers cannot check. */
int ledger_load_signer(store *db, const char *path, note_signer *key);

#endif
