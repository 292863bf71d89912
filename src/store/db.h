/* The store: the only place that talks to the database engine.
 *
 * A narrow interface (open, transactions, prepared statements, rows) so
 * that the SQLite driver (default; WAL mode) can be joined by a PostgreSQL
 * one without touching the modules above. SQL given to it uses '?'
 * placeholders and portable syntax.
 *
 * A 'store' is one connection and is not shared between threads; the HTTP
 * server gives each worker thread its own. Prepared statements are cached
 * per connection: every store_stmt obtained must be handed back with
 * store_stmt_close(), which resets it for reuse. */
#ifndef ACCORD_STORE_DB_H
#define ACCORD_STORE_DB_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct store store;
typedef struct store_stmt store_stmt;

enum { STORE_DONE = 0, STORE_ROW = 1 };

/* Opens the database at 'path' into '*out' (caller closes it). With
 * 'create' false a missing file is ACCORD_EENV ("database missing"). */
int store_open(store **out, const char *path, bool create);

/* Closes 'db' and every cached statement. NULL is allowed. */
void store_close(store *db);

/* Runs one or more ';'-separated statements that take no parameters. */
int store_exec(store *db, const char *sql);

/* Starts a write transaction. Writers are serialized: this waits (up to a
 * busy timeout) for other writers and fails ACCORD_ESTORE after it. */
int store_begin(store *db);

/* Starts a read transaction: a consistent snapshot for several queries. */
int store_begin_read(store *db);

int store_commit(store *db);

/* Nested undo points inside a write transaction: store_savepoint() marks,
 * store_savepoint_undo() rolls back to the mark, store_savepoint_release()
 * keeps the work and forgets the mark. */
int store_savepoint(store *db);
int store_savepoint_undo(store *db);
int store_savepoint_release(store *db);

/* Undoes the open transaction. Safe to call when none is open. */
void store_rollback(store *db);

/* Prepares 'sql' (cached) and binds the variadic arguments described by
 * 'types', one letter per '?': 's' const char * (NULL binds null),
 * 'i' int64_t, 'b' const void * then size_t (a blob). The statement is
 * returned in '*out'; close it with store_stmt_close(). */
int store_query(store *db, store_stmt **out, const char *sql, const char *types, ...);

/* store_query() with the arguments as a va_list (the lookups in
 * store/lookup.h are built on it). */
int store_queryv(store *db, store_stmt **out, const char *sql, const char *types, va_list ap);

/* store_query() then steps to completion: for INSERT/UPDATE/DELETE. */
int store_run(store *db, const char *sql, const char *types, ...);

/* Advances to the next row: STORE_ROW, STORE_DONE, or a negative error.
 * A constraint violation is ACCORD_ECONFLICT. */
int store_step(store_stmt *st);

/* Column readers for the current row. Text and blobs are borrowed until
 * the next step or close. store_col_text returns NULL for SQL NULL. */
const char *store_col_text(store_stmt *st, int col);
int64_t store_col_int(store_stmt *st, int col);
const void *store_col_blob(store_stmt *st, int col, size_t *len);
bool store_col_null(store_stmt *st, int col);

/* Number of columns in the result of 'st'. */
int store_col_count(store_stmt *st);

enum store_col_type { STORE_NULL, STORE_INT, STORE_TEXT, STORE_BLOB };
enum store_col_type store_col_type(store_stmt *st, int col);

/* Hands the statement back to the cache. NULL is allowed. */
void store_stmt_close(store_stmt *st);

/* True while 'db' holds an open write transaction. */
bool store_in_write(store *db);

/* True between store_begin or store_begin_read and the commit or
 * rollback: every query sees the same snapshot. */
bool store_in_transaction(store *db);

/* One pointer a module may keep with a connection (a per-connection
 * cache), freed with 'free_fn' when the connection closes. */
void *store_user(store *db);
void store_set_user(store *db, void *p, void (*free_fn)(void *));

/* Rows changed by the last INSERT/UPDATE/DELETE on 'db'. */
int64_t store_changes(store *db);

/* SQLite's PRAGMA data_version for 'db' into '*out': it differs from the
 * value read before on the same connection exactly when another
 * connection has committed since. A read that costs no table access, so
 * a reader can tell whether what it learnt from the database (the log's
 * size) may have changed. */
int store_data_version(store *db, int64_t *out);

/* The schema version this program expects, and the one in 'db'. */
int store_schema_target(void);
int store_schema_version(store *db, int *out);

/* Applies pending migrations in one transaction. */
int store_migrate(store *db);

/* Applies the pending migrations up to schema version 'target' only, in
 * one transaction: tests build a database as an older program left it. */
int store_migrate_to(store *db, int target);

/* Brings a database made by an earlier version forward (store_migrate);
 * fails ACCORD_EENV for one with no schema or a newer one. */
int store_check_schema(store *db);

#endif
