#include "ledger/identity.h"

#include <stdio.h>
#include <string.h>

#include "util/error.h"

int ledger_identity_get(store *db, ledger_identity *out)
{
    memset(out, 0, sizeof *out);
    store_stmt *st;
    int rc = store_query(db, &st, "SELECT key, value FROM meta WHERE key IN ('origin', 'vkey', 'key_file')", "");
    while (!rc && (rc = store_step(st)) == STORE_ROW) {
        rc = ACCORD_OK;
        const char *k = store_col_text(st, 0), *v = store_col_text(st, 1);
        if (strcmp(k, "origin") == 0)
            snprintf(out->origin, sizeof out->origin, "%s", v);
        else if (strcmp(k, "vkey") == 0)
            snprintf(out->vkey, sizeof out->vkey, "%s", v);
        else
            snprintf(out->key_file, sizeof out->key_file, "%s", v);
    }
    store_stmt_close(st);
    return rc < 0 ? rc : ACCORD_OK;
}

static int set_one(store *db, const char *key, const char *value)
{
    if (!value[0])
        return ACCORD_OK;
    return store_run(db, "INSERT INTO meta (key, value) VALUES (?, ?)", "ss", key, value);
}

int ledger_identity_set(store *db, const ledger_identity *id)
{
    int rc = set_one(db, "origin", id->origin);
    if (!rc) rc = set_one(db, "vkey", id->vkey);
    if (!rc) rc = set_one(db, "key_file", id->key_file);
    return rc;
}

int ledger_load_signer(store *db, const char *path, note_signer *key)
{
    ledger_identity id;
    int rc = ledger_identity_get(db, &id);
    if (rc)
        return rc;
    if (!path) {
        if (!id.key_file[0])
            return accord_fail(ACCORD_EENV, NULL, "the database names no log key; pass --key");
        path = id.key_file;
    }
    rc = note_signer_load(key, path);
    if (rc)
        return accord_fail_nested(ACCORD_EENV, "log key");
    char vkey[LOGKEY_MAX_VKEY];
    note_signer_vkey(key, vkey);
    if (strcmp(vkey, id.vkey) != 0) {
        note_signer_clear(key);
        return accord_fail(ACCORD_EENV, NULL, "the key in %s is not this log's key (%s)", path,
                           id.vkey[0] ? id.vkey : "none recorded");
    }
    return ACCORD_OK;
}
