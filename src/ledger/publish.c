#include "ledger/publish.h"

#include <string.h>

#include "ledger/ledger.h"
#include "store/lookup.h"
#include "tlog/checkpoint.h"
#include "util/clock.h"
#include "util/date.h"
#include "util/error.h"

static int latest_size(store *db, bool *any, uint64_t *size)
{
    int64_t latest = 0;
    int rc = store_one_int(db, &latest, "SELECT size FROM checkpoint ORDER BY size DESC LIMIT 1", "");
    *any = rc == STORE_ROW;
    *size = (uint64_t)latest;
    return rc < 0 ? rc : ACCORD_OK;
}

int publish_checkpoint(store *db, const note_signer *key, uint64_t *out_size, bool *signed_now)
{
    uint64_t size, last;
    bool any;
    uint8_t root[MERKLE_HASH_SIZE];
    buf body, note;
    buf_init(&body, 1024);
    buf_init(&note, 4096);
    *signed_now = false;
    int rc = store_begin(db);
    if (!rc) rc = ledger_size(db, &size);
    if (!rc) rc = latest_size(db, &any, &last);
    if (!rc && any && last == size) {
        *out_size = size;
        goto out;
    }
    if (!rc) rc = ledger_root(db, size, root);
    if (!rc) rc = checkpoint_format(key->name, size, root, &body);
    if (!rc) rc = note_sign(key, body.data, body.len, &note);
    char now[21];
    clock_now_rfc3339(now);
    if (!rc) rc = store_run(db, "INSERT INTO checkpoint (size, note, signed_at) VALUES (?, ?, ?)", "iss", (int64_t)size,
                            note.data, now);
    if (!rc) {
        *out_size = size;
        *signed_now = true;
    }
out:
    if (!rc)
        rc = store_commit(db);
    if (rc)
        store_rollback(db);
    buf_free(&body);
    buf_free(&note);
    return rc;
}

int publish_checkpoint_at(store *db, uint64_t size, buf *out)
{
    store_stmt *st;
    int rc = store_first_row(db, &st, "SELECT note FROM checkpoint WHERE size = ?", "i", (int64_t)size);
    if (rc == STORE_ROW)
        rc = buf_puts(out, store_col_text(st, 0));
    else if (rc == STORE_DONE)
        rc = accord_fail(ACCORD_ENOTFOUND, "size", "no checkpoint of size %llu", (unsigned long long)size);
    store_stmt_close(st);
    return rc;
}

int publish_latest(store *db, buf *out, uint64_t *out_size)
{
    uint64_t size;
    bool any;
    int rc = latest_size(db, &any, &size);
    if (!rc && !any)
        rc = accord_fail(ACCORD_ENOTFOUND, NULL, "the log has no signed checkpoint yet");
    if (!rc)
        rc = publish_checkpoint_at(db, size, out);
    store_stmt *st;
    if (!rc)
        rc = store_query(db, &st, "SELECT line FROM cosignature WHERE size = ? ORDER BY witness", "i", (int64_t)size);
    if (rc)
        return rc;
    while ((rc = store_step(st)) == STORE_ROW) {
        const char *line = store_col_text(st, 0);
        if ((rc = note_add_signature_line(out, line, strlen(line))))
            break;
    }
    store_stmt_close(st);
    if (rc < 0)
        return rc;
    if (out_size)
        *out_size = size;
    return ACCORD_OK;
}

int publish_add_cosignature(store *db, uint64_t size, const char *witness, const char *line)
{
    char now[21];
    clock_now_rfc3339(now);
    int rc = store_begin(db);
    if (!rc)
        rc = store_run(db, "DELETE FROM cosignature WHERE size = ? AND witness = ?", "is", (int64_t)size, witness);
    if (!rc)
        rc = store_run(db, "INSERT INTO cosignature (size, witness, line, received_at) VALUES (?, ?, ?, ?)", "isss",
                       (int64_t)size, witness, line, now);
    if (!rc)
        rc = store_commit(db);
    if (rc)
        store_rollback(db);
    return rc;
}

static int hash_tile(store *db, const tile_ref *t, uint64_t size, buf *out)
{
    unsigned height = t->level * TILE_HEIGHT;
    uint64_t complete = height >= 64 ? 0 : size >> height; /* complete nodes at that level */
    uint64_t first = t->index * TILE_WIDTH;
    if (t->index > UINT64_MAX / TILE_WIDTH || complete < first || complete - first < t->width)
        return accord_fail(ACCORD_ENOTFOUND, NULL, "tile %u/%llu of width %u is beyond the log's size",
                           t->level, (unsigned long long)t->index, t->width);
    return ledger_hash_tile(db, t->level, t->index, t->width, out);
}

static int entry_bundle(store *db, const tile_ref *t, uint64_t size, buf *out)
{
    uint64_t first = t->index * TILE_WIDTH;
    if (t->index > UINT64_MAX / TILE_WIDTH || size < first || size - first < t->width)
        return accord_fail(ACCORD_ENOTFOUND, NULL, "entry bundle %llu of width %u is beyond the log's size",
                           (unsigned long long)t->index, t->width);
    store_stmt *st;
    int rc = store_query(db, &st, "SELECT body FROM event WHERE seq >= ? AND seq < ? ORDER BY seq", "ii",
                         (int64_t)first, (int64_t)(first + t->width));
    if (rc)
        return rc;
    while ((rc = store_step(st)) == STORE_ROW) {
        size_t len;
        const void *e = store_col_blob(st, 0, &len);
        if ((rc = tile_entry_bundle_append(out, e, len)))
            break;
    }
    store_stmt_close(st);
    return rc < 0 ? rc : ACCORD_OK;
}

int publish_tile(store *db, const tile_ref *t, buf *out)
{
    uint64_t size;
    int rc = store_begin_read(db);
    if (!rc)
        rc = ledger_size(db, &size);
    if (!rc)
        rc = t->entries ? entry_bundle(db, t, size, out) : hash_tile(db, t, size, out);
    store_rollback(db);
    return rc;
}
