#include "store/lookup.h"

#include <stdarg.h>
#include <string.h>

#include "util/error.h"

/* Prepares and steps once; on STORE_ROW the statement stays open for the
 * caller to read and close, otherwise it is closed here and '*st' is NULL. */
static int first_row(store *db, store_stmt **st, const char *sql, const char *types, va_list ap)
{
    int rc = store_queryv(db, st, sql, types, ap);
    if (rc) {
        *st = NULL;
        return rc;
    }
    rc = store_step(*st);
    if (rc != STORE_ROW) {
        store_stmt_close(*st);
        *st = NULL;
    }
    return rc;
}

int store_first_row(store *db, store_stmt **st, const char *sql, const char *types, ...)
{
    va_list ap;
    va_start(ap, types);
    int rc = first_row(db, st, sql, types, ap);
    va_end(ap);
    return rc;
}

int store_exists(store *db, const char *sql, const char *types, ...)
{
    store_stmt *st;
    va_list ap;
    va_start(ap, types);
    int rc = first_row(db, &st, sql, types, ap);
    va_end(ap);
    if (rc == STORE_ROW)
        store_stmt_close(st);
    return rc;
}

int store_one_int(store *db, int64_t *out, const char *sql, const char *types, ...)
{
    store_stmt *st;
    va_list ap;
    va_start(ap, types);
    int rc = first_row(db, &st, sql, types, ap);
    va_end(ap);
    if (rc == STORE_ROW) {
        *out = store_col_int(st, 0);
        store_stmt_close(st);
    }
    return rc;
}

int store_one_text(store *db, char *out, size_t len, const char *sql, const char *types, ...)
{
    store_stmt *st;
    va_list ap;
    va_start(ap, types);
    int rc = first_row(db, &st, sql, types, ap);
    va_end(ap);
    if (rc != STORE_ROW)
        return rc;
    const char *v = store_col_text(st, 0);
    size_t n = v ? strlen(v) : 0;
    if (n >= len) {
        store_stmt_close(st);
        if (len)
            out[0] = '\0';
        return accord_fail(ACCORD_ETOOBIG, NULL, "a stored value of %zu bytes does not fit in %zu", n, len);
    }
    memcpy(out, v ? v : "", n + 1);
    store_stmt_close(st);
    return rc;
}
