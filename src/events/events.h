/* Events: the single write path.
 *
 * Every change to public state is an event {type, data, actor, at}. To
 * write, a caller builds the event's 'data' and hands it here; this module
 * validates and applies it to the tables through the type's applier and
 * appends its canonical bytes to the ledger, in one transaction. The
 * appliers are reachable only from here (events/appliers.h is private to
 * this module), and every public row references its event by a deferred
 * foreign key, so no write can skip the log.
 *
 * Replaying the same events in order on an empty database rebuilds the
 * same tables: appliers depend only on the event and on earlier state. */
#ifndef ACCORD_EVENTS_EVENTS_H
#define ACCORD_EVENTS_EVENTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "store/db.h"
#include "util/buf.h"

#define EVENT_VERSION 1

/* Who made a change: a role and an opaque, stable id (never a name or an
 * email: the log is public). */
typedef struct actor {
    const char *role;
    const char *id;
} actor;

/* The actor for changes made at the console by the operator. */
extern const actor ACTOR_OPERATOR;

/* Opens a write transaction for one or more events. */
int events_begin(store *db);

/* Validates and applies one event of 'type' with 'data' inside the open
 * transaction and appends it to the ledger; its log index goes to
 * '*out_seq' (may be NULL). 'data' is borrowed; the applier may add
 * derived fields to it (a notification number), which are then logged.
 * On failure the caller must roll back. */
int events_append(store *db, const actor *who, const char *type, json_t *data, uint64_t *out_seq);

/* Writes, inside the transaction of one event and just before it is
 * applied, what that event refers to without carrying it: the bytes of an
 * uploaded file, which the event names by their hash (the log caps an
 * entry at 64 KiB, and replay needs only the hash). 'arg' is the caller's. */
typedef int (*events_prepare)(store *db, void *arg);

/* events_append() preceded by 'prepare' (may be NULL) in the same open
 * transaction: the event's applier sees what 'prepare' wrote, and a
 * failure of either leaves both for the caller to roll back. */
int events_append_with(store *db, const actor *who, const char *type, json_t *data, events_prepare prepare,
                       void *prepare_arg, uint64_t *out_seq);

int events_commit(store *db);
void events_rollback(store *db);

/* events_begin + events_append + events_commit; rolls back on failure, so
 * a refused event changes nothing. */
int events_submit(store *db, const actor *who, const char *type, json_t *data, uint64_t *out_seq);

/* Re-applies one logged event ('len' canonical bytes) inside the open
 * transaction, appending the identical bytes to this ledger. Fails
 * ACCORD_EVERIFY if the bytes are not canonical or the event's derived
 * fields differ from what this database computes. */
int events_replay(store *db, const void *bytes, size_t len);

/* Restricted events (a draft, a report its party has not released):
 * applied like any other, but the public log holds only
 * {"v","type","at","actor","restricted":{"commitment", <public fields>}}
 * where commitment = base64(SHA-256(salt || bytes)), 'bytes' being the
 * full canonical event and 'salt' 32 random bytes; both are kept in the
 * private restricted_entry table. Replay keeps such entries in place and
 * rebuilds public state only. */
#define EVENTS_SALT_SIZE 32

/* SHA-256(salt || bytes) into 'out'. */
void events_commitment(const uint8_t salt[EVENTS_SALT_SIZE], const void *bytes, size_t len, uint8_t out[32]);

/* The salt and full bytes of restricted log entry 'index' (appended to
 * 'bytes'). Fails ACCORD_ENOTFOUND when the entry is not restricted. */
int events_reveal(store *db, uint64_t index, uint8_t salt[EVENTS_SALT_SIZE], buf *bytes);

/* Checks revealed 'bytes' and 'salt' against public entry 'leaf': the
 * commitment matches and the type, time and actor agree. Needs no
 * database: anyone holding the three can check them. */
int events_check_reveal(const void *leaf, size_t leaf_len, const uint8_t salt[EVENTS_SALT_SIZE], const void *bytes,
                        size_t len);

#endif
