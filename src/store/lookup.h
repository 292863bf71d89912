/* One-row lookups: the query → step → close sequence that every module
 * needs for "does it exist?" and "what is its value?", written once.
 *
 * Each runs 'sql' with the arguments described by 'types' (as
 * store_query()) and reads at most the first row. They return STORE_ROW
 * when a row was found, STORE_DONE when none was (the output is left
 * untouched), or a negative error from the store. "Not found" carries no
 * message: only the caller knows which input was unknown, so it fails
 * with its own, e.g.
 *
 *     int rc = store_exists(db, "SELECT 1 FROM party WHERE code = ?", "s", code);
 *     if (rc == STORE_DONE)
 *         return accord_fail(ACCORD_ENOTFOUND, "party", "unknown party '%s'", code);
 */
#ifndef ACCORD_STORE_LOOKUP_H
#define ACCORD_STORE_LOOKUP_H

#include <stddef.h>
#include <stdint.h>

#include "store/db.h"

/* The first row of the query, for a caller that reads more than one
 * column: on STORE_ROW '*st' is open on that row and the caller closes
 * it with store_stmt_close(); on anything else '*st' is NULL (closing
 * NULL does nothing, so the caller may close unconditionally). */
int store_first_row(store *db, store_stmt **st, const char *sql, const char *types, ...);

/* Whether the query gives a row. */
int store_exists(store *db, const char *sql, const char *types, ...);

/* The first column of the first row as an integer in '*out' (SQL NULL
 * reads as 0). */
int store_one_int(store *db, int64_t *out, const char *sql, const char *types, ...);

/* The first column of the first row as text, copied into 'out' of 'len'
 * bytes (SQL NULL reads as ""). Fails ACCORD_ETOOBIG, leaving 'out'
 * empty, when the value does not fit: a truncated key must never be used
 * as if it were the stored one. */
int store_one_text(store *db, char *out, size_t len, const char *sql, const char *types, ...);

#endif
