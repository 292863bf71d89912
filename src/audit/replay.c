#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "events/events.h"
#include "ledger/identity.h"
#include "ledger/ledger.h"
#include "util/error.h"

#define REPLAY_BATCH 10000 /* entries per transaction */

typedef struct replay_ctx {
    store *db;
    uint64_t in_tx;
} replay_ctx;

static int replay_entry(void *arg, uint64_t index, const uint8_t *entry, size_t len)
{
    replay_ctx *r = arg;
    int rc = ACCORD_OK;
    if (r->in_tx == 0)
        rc = store_begin(r->db);
    if (!rc)
        rc = events_replay(r->db, entry, len);
    if (rc) {
        store_rollback(r->db);
        if (rc == ACCORD_ESTORE || rc == ACCORD_ENOMEM)
            return rc;
        char msg[512];
        snprintf(msg, sizeof msg, "%s", accord_error_message());
        return accord_fail(ACCORD_EVERIFY, NULL, "entry %llu cannot be replayed: %s", (unsigned long long)index, msg);
    }
    if (++r->in_tx == REPLAY_BATCH) {
        r->in_tx = 0;
        rc = store_commit(r->db);
    }
    return rc;
}

/* The replayed database keeps the origin of the log it copied. */
static int record_origin(store *db, const char *origin)
{
    ledger_identity id = {0};
    snprintf(id.origin, sizeof id.origin, "%s", origin);
    return ledger_identity_set(db, &id);
}

int audit_replay(logsrc *s, const note_verifier *log, store *db, uint64_t *out_size)
{
    checkpoint cp;
    uint64_t have;
    int rc = ledger_size(db, &have);
    if (!rc && have)
        rc = accord_fail(ACCORD_EENV, NULL, "the target database already holds %llu log entries", (unsigned long long)have);
    if (!rc)
        rc = audit_checkpoint(s, log, NULL, 0, &cp, NULL);
    replay_ctx r = {.db = db};
    if (!rc)
        rc = audit_walk_entries(s, cp.size, replay_entry, &r);
    if (!rc && r.in_tx)
        rc = store_commit(db);
    uint8_t root[MERKLE_HASH_SIZE];
    if (!rc)
        rc = ledger_root(db, cp.size, root);
    if (!rc && memcmp(root, cp.root, MERKLE_HASH_SIZE) != 0)
        rc = accord_fail(ACCORD_EVERIFY, NULL, "root mismatch at size %llu: the replayed entries do not hash to the signed root",
                         (unsigned long long)cp.size);
    if (!rc)
        rc = record_origin(db, cp.origin);
    if (!rc)
        *out_size = cp.size;
    return rc;
}

