/* The security log: sign-ins, failures, and changes to accounts and
 * tokens, in the private security_log table. Never the public ledger, and
 * never a password or a token: callers pass ids, names and reasons. */
#include <stdio.h>

#include "auth/auth_int.h"
#include "util/error.h"

#define SECLOG_MAX_LIMIT 10000

int auth_security_log_by(store *db, const char *kind, const char *account, const char *by, const char *client,
                         const char *detail)
{
    char now[AUTH_TS_LEN];
    auth_ts(auth_clock(), now);
    return store_run(db,
                     "INSERT INTO security_log (at, kind, account, by_account, client, detail)"
                     " VALUES (?, ?, ?, ?, ?, ?)",
                     "ssssss", now, kind, account, by, client, detail);
}

int auth_security_log_change(store *db, const char *kind, const char *account, const principal *by,
                             const char *detail)
{
    /* A caller whose address is not known still gets an entry that says
     * so, rather than one that looks like the console's. */
    const char *client = !by ? AUTH_CONSOLE : by->client[0] ? by->client : "unknown";
    return auth_security_log_by(db, kind, account, by ? by->id : NULL, client, detail);
}

int auth_security_log(store *db, const char *kind, const char *account, const char *client, const char *detail)
{
    if (!auth_text_ok(kind, 64))
        return accord_fail(ACCORD_EINVAL, "kind", "kind: 1 to 64 bytes of printable text");
    return auth_security_log_by(db, kind, account, NULL, client, detail);
}

/* The current row as JSON. Text that is not valid UTF-8 (a hand-edited
 * row) is shown as null rather than failing the whole listing. */
static json_t *entry_json(store_stmt *st)
{
    json_t *e = json_object();
    static const char *const keys[] = {"at", "kind", "account", "email", "by", "client", "detail"};
    json_object_set_new(e, "id", json_integer((json_int_t)store_col_int(st, 0)));
    for (int i = 0; i < 7; i++) {
        const char *t = store_col_text(st, i + 1);
        json_t *v = t ? json_string(t) : NULL;
        json_object_set_new(e, keys[i], v ? v : json_null());
    }
    return e;
}

int auth_security_log_page(store *db, const char *account, const char *kind, int64_t before, int limit,
                           json_t **out)
{
    store_stmt *st;
    *out = NULL;
    if (limit < 1 || limit > SECLOG_MAX_LIMIT)
        return accord_fail(ACCORD_EINVAL, "limit", "limit: 1 to %d", SECLOG_MAX_LIMIT);
    /* An empty filter is no filter; 'before' 0 is the newest. */
    const char *a = account && *account ? account : NULL, *k = kind && *kind ? kind : NULL;
    int rc = store_query(db, &st,
                         "SELECT l.id, l.at, l.kind, l.account, a.email, l.by_account, l.client, l.detail"
                         " FROM security_log l LEFT JOIN account a ON a.id = l.account"
                         " WHERE (? IS NULL OR l.account = ?) AND (? IS NULL OR l.kind = ?) AND (? = 0 OR l.id < ?)"
                         " ORDER BY l.id DESC LIMIT ?",
                         "ssssiii", a, a, k, k, before, before, (int64_t)limit);
    if (rc)
        return rc;
    json_t *list = json_array();
    while ((rc = store_step(st)) == STORE_ROW)
        json_array_append_new(list, entry_json(st));
    store_stmt_close(st);
    if (rc < 0) {
        json_decref(list);
        return rc;
    }
    *out = list;
    return ACCORD_OK;
}

int auth_security_log_list(store *db, int limit, json_t **out)
{
    return auth_security_log_page(db, NULL, NULL, 0, limit, out);
}
