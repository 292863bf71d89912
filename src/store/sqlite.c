/* SQLite driver for the store interface (store/db.h). */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include "store/db.h"
#include "util/error.h"

#define STMT_CACHE 96
#define BUSY_TIMEOUT_MS 10000

struct store_stmt {
    sqlite3_stmt *handle;
    store *db;
    char *sql;     /* owned copy of the statement text: the cache key */
    uint64_t hash; /* of the text, checked before comparing it */
    bool busy;
    bool cached;
};

struct store {
    sqlite3 *handle;
    void *user;
    void (*user_free)(void *);
    store_stmt cache[STMT_CACHE];
    int cached;
};

static int fail_db(store *db, const char *what)
{
    int code = sqlite3_extended_errcode(db->handle);
    if ((code & 0xff) == SQLITE_CONSTRAINT)
        return accord_fail(ACCORD_ECONFLICT, NULL, "%s: %s", what, sqlite3_errmsg(db->handle));
    return accord_fail(ACCORD_ESTORE, NULL, "%s: %s", what, sqlite3_errmsg(db->handle));
}

/* blob_assemble(offset, piece), an aggregate: one blob with each 'piece'
 * placed at byte 'offset', zeros between them. Built-in group_concat()
 * concatenates in an unspecified order, so a blob assembled from rows needs
 * each row to say where it goes; the result then does not depend on the
 * order rows are visited in. Overlapping pieces are an error: which one
 * would win depends on that order. */
#define ASSEMBLE_MAX (64 * 1024 * 1024)

typedef struct {
    unsigned char *data; /* the blob so far */
    unsigned char *used; /* one flag per byte: some piece covers it */
    size_t len, cap;
} assembly;

static bool assembly_reserve(assembly *a, size_t need)
{
    if (need <= a->cap)
        return true;
    size_t cap = a->cap ? a->cap : 4096;
    while (cap < need)
        cap *= 2;
    unsigned char *data = realloc(a->data, cap);
    if (!data)
        return false;
    a->data = data;
    unsigned char *used = realloc(a->used, cap);
    if (!used)
        return false;
    a->used = used;
    memset(a->data + a->cap, 0, cap - a->cap);
    memset(a->used + a->cap, 0, cap - a->cap);
    a->cap = cap;
    return true;
}

static void assemble_step(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    assembly *a = sqlite3_aggregate_context(ctx, sizeof *a);
    if (!a)
        return sqlite3_result_error_nomem(ctx);
    sqlite3_int64 offset = sqlite3_value_int64(argv[0]);
    const unsigned char *piece = sqlite3_value_blob(argv[1]);
    size_t n = (size_t)sqlite3_value_bytes(argv[1]);
    if (offset < 0 || (size_t)offset > ASSEMBLE_MAX - n)
        return sqlite3_result_error(ctx, "blob_assemble: offset out of range", -1);
    if (!assembly_reserve(a, (size_t)offset + n))
        return sqlite3_result_error_nomem(ctx);
    if (n > 0 && memchr(a->used + offset, 1, n))
        return sqlite3_result_error(ctx, "blob_assemble: pieces overlap", -1);
    if (n > 0) {
        memcpy(a->data + offset, piece, n);
        memset(a->used + offset, 1, n);
    }
    if ((size_t)offset + n > a->len)
        a->len = (size_t)offset + n;
}

static void assemble_final(sqlite3_context *ctx)
{
    assembly *a = sqlite3_aggregate_context(ctx, 0);
    if (!a || !a->data)
        sqlite3_result_zeroblob(ctx, 0);
    else
        sqlite3_result_blob64(ctx, a->data, a->len, SQLITE_TRANSIENT);
    if (a) {
        free(a->data);
        free(a->used);
    }
}

/* SQLite counts every allocation in global statistics behind one mutex,
 * which all the server's threads then contend for. Nothing reads those
 * statistics; they must be switched off before SQLite initializes. */
static void configure_sqlite(void) { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); }

int store_open(store **out, const char *path, bool create)
{
    static pthread_once_t configured = PTHREAD_ONCE_INIT;
    pthread_once(&configured, configure_sqlite);
    struct stat sb;
    *out = NULL;
    if (!create && stat(path, &sb) != 0)
        return accord_fail(ACCORD_EENV, NULL, "database %s is missing (run 'accord init' first)", path);
    store *db = calloc(1, sizeof *db);
    if (!db)
        return accord_fail(ACCORD_ENOMEM, NULL, "out of memory");
    int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2(path, &db->handle, flags, NULL) != SQLITE_OK) {
        int rc = accord_fail(ACCORD_EENV, NULL, "cannot open database %s: %s", path,
                             db->handle ? sqlite3_errmsg(db->handle) : "out of memory");
        sqlite3_close(db->handle);
        free(db);
        return rc;
    }
    sqlite3_busy_timeout(db->handle, BUSY_TIMEOUT_MS);
    if (sqlite3_create_function(db->handle, "blob_assemble", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, NULL,
                                assemble_step, assemble_final) != SQLITE_OK) {
        int rc = fail_db(db, "blob_assemble");
        store_close(db);
        return rc;
    }
    /* WAL lets readers run beside the single writer; synchronous=FULL makes
     * every acknowledged commit durable; foreign keys enforce that each
     * table row points at the ledger event that made it. No mmap: a
     * connection whose read transaction follows another connection's
     * commit drops its whole mapping and maps the file again, so with a
     * writer committing, every request of every thread paid an munmap
     * (TLB shootdowns across the threads) and page faults; pread into the
     * connection's page cache is cheaper then. */
    int rc = store_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;");
    if (rc) {
        store_close(db);
        return rc;
    }
    *out = db;
    return ACCORD_OK;
}

void store_close(store *db)
{
    if (!db)
        return;
    for (int i = 0; i < db->cached; i++) {
        sqlite3_finalize(db->cache[i].handle);
        free(db->cache[i].sql);
    }
    if (db->user_free)
        db->user_free(db->user);
    sqlite3_close(db->handle);
    free(db);
}

int store_exec(store *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db->handle, sql, NULL, NULL, &msg) != SQLITE_OK) {
        int rc = accord_fail(ACCORD_ESTORE, NULL, "database: %s", msg ? msg : "error");
        sqlite3_free(msg);
        return rc;
    }
    return ACCORD_OK;
}

static int stmt_get(store *db, const char *sql, store_stmt **out);

/* Transaction control runs on every request and every event: through
 * the statement cache, so it is parsed once per connection. */
static int control(store *db, const char *sql, const char *what)
{
    store_stmt *st;
    int rc = stmt_get(db, sql, &st);
    if (rc)
        return rc;
    if (sqlite3_step(st->handle) != SQLITE_DONE)
        rc = fail_db(db, what);
    store_stmt_close(st);
    return rc;
}

int store_begin(store *db) { return control(db, "BEGIN IMMEDIATE", "begin"); }
int store_begin_read(store *db) { return control(db, "BEGIN", "begin"); }
int store_commit(store *db) { return control(db, "COMMIT", "commit"); }
int store_savepoint(store *db) { return control(db, "SAVEPOINT event", "savepoint"); }

int store_savepoint_undo(store *db)
{
    int rc = control(db, "ROLLBACK TO SAVEPOINT event", "rollback to savepoint");
    return rc ? rc : control(db, "RELEASE SAVEPOINT event", "release savepoint");
}

int store_savepoint_release(store *db) { return control(db, "RELEASE SAVEPOINT event", "release savepoint"); }

void store_rollback(store *db)
{
    if (!sqlite3_get_autocommit(db->handle))
        control(db, "ROLLBACK", "rollback");
}

/* Finds a free cached statement for 'sql' or prepares a new one. A
 * statement still in use (a nested query with the same text) gets a
 * private uncached copy. */
/* FNV-1a: cheap enough to run on every query, and it spares most of the
 * string comparisons of a linear cache scan. */
static uint64_t sql_hash(const char *sql)
{
    uint64_t h = 14695981039346656037ULL;
    for (const unsigned char *p = (const unsigned char *)sql; *p; p++)
        h = (h ^ *p) * 1099511628211ULL;
    return h;
}

static int stmt_get(store *db, const char *sql, store_stmt **out)
{
    uint64_t hash = sql_hash(sql);
    for (int i = 0; i < db->cached; i++) {
        store_stmt *st = &db->cache[i];
        if (!st->busy && st->hash == hash && strcmp(st->sql, sql) == 0) {
            st->busy = true;
            *out = st;
            return ACCORD_OK;
        }
    }
    sqlite3_stmt *h;
    if (sqlite3_prepare_v3(db->handle, sql, -1, SQLITE_PREPARE_PERSISTENT, &h, NULL) != SQLITE_OK)
        return fail_db(db, "prepare");
    store_stmt *st;
    if (db->cached < STMT_CACHE) {
        st = &db->cache[db->cached++];
        st->cached = true;
    } else {
        st = calloc(1, sizeof *st);
        if (!st) {
            sqlite3_finalize(h);
            return accord_fail(ACCORD_ENOMEM, NULL, "out of memory");
        }
        st->cached = false;
    }
    st->handle = h;
    st->db = db;
    st->sql = strdup(sql);
    st->hash = hash;
    if (!st->sql) {
        sqlite3_finalize(h);
        if (!st->cached)
            free(st);
        else
            db->cached--;
        return accord_fail(ACCORD_ENOMEM, NULL, "out of memory");
    }
    st->busy = true;
    *out = st;
    return ACCORD_OK;
}

static int bind_all(store_stmt *st, const char *types, va_list ap)
{
    int rc = SQLITE_OK;
    for (int i = 0; types[i] && rc == SQLITE_OK; i++) {
        switch (types[i]) {
        case 's': {
            const char *s = va_arg(ap, const char *);
            rc = s ? sqlite3_bind_text(st->handle, i + 1, s, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(st->handle, i + 1);
            break;
        }
        case 'i': rc = sqlite3_bind_int64(st->handle, i + 1, va_arg(ap, int64_t)); break;
        case 'b': {
            const void *p = va_arg(ap, const void *);
            size_t n = va_arg(ap, size_t);
            rc = sqlite3_bind_blob64(st->handle, i + 1, p, n, SQLITE_TRANSIENT);
            break;
        }
        default: return accord_fail(ACCORD_EINVAL, NULL, "store: bad bind type '%c'", types[i]);
        }
    }
    return rc == SQLITE_OK ? ACCORD_OK : fail_db(st->db, "bind");
}

static int query_v(store *db, store_stmt **out, const char *sql, const char *types, va_list ap)
{
    int rc = stmt_get(db, sql, out);
    if (rc)
        return rc;
    rc = bind_all(*out, types, ap);
    if (rc) {
        store_stmt_close(*out);
        *out = NULL;
    }
    return rc;
}

int store_queryv(store *db, store_stmt **out, const char *sql, const char *types, va_list ap)
{
    return query_v(db, out, sql, types, ap);
}

int store_query(store *db, store_stmt **out, const char *sql, const char *types, ...)
{
    va_list ap;
    va_start(ap, types);
    int rc = query_v(db, out, sql, types, ap);
    va_end(ap);
    return rc;
}

int store_run(store *db, const char *sql, const char *types, ...)
{
    store_stmt *st;
    va_list ap;
    va_start(ap, types);
    int rc = query_v(db, &st, sql, types, ap);
    va_end(ap);
    while (!rc && (rc = store_step(st)) == STORE_ROW)
        rc = ACCORD_OK;
    store_stmt_close(st);
    return rc;
}

int store_step(store_stmt *st)
{
    int rc = sqlite3_step(st->handle);
    if (rc == SQLITE_ROW)
        return STORE_ROW;
    if (rc == SQLITE_DONE)
        return STORE_DONE;
    return fail_db(st->db, "query");
}

const char *store_col_text(store_stmt *st, int col)
{
    return (const char *)sqlite3_column_text(st->handle, col);
}

int64_t store_col_int(store_stmt *st, int col) { return sqlite3_column_int64(st->handle, col); }

const void *store_col_blob(store_stmt *st, int col, size_t *len)
{
    const void *p = sqlite3_column_blob(st->handle, col);
    *len = (size_t)sqlite3_column_bytes(st->handle, col);
    return p;
}

bool store_col_null(store_stmt *st, int col) { return sqlite3_column_type(st->handle, col) == SQLITE_NULL; }

int store_col_count(store_stmt *st) { return sqlite3_column_count(st->handle); }

enum store_col_type store_col_type(store_stmt *st, int col)
{
    switch (sqlite3_column_type(st->handle, col)) {
    case SQLITE_NULL: return STORE_NULL;
    case SQLITE_INTEGER: return STORE_INT;
    case SQLITE_BLOB: return STORE_BLOB;
    default: return STORE_TEXT;
    }
}

void store_stmt_close(store_stmt *st)
{
    if (!st)
        return;
    sqlite3_reset(st->handle);
    sqlite3_clear_bindings(st->handle);
    st->busy = false;
    if (!st->cached) {
        sqlite3_finalize(st->handle);
        free(st->sql);
        free(st);
    }
}

bool store_in_write(store *db) { return sqlite3_txn_state(db->handle, NULL) == SQLITE_TXN_WRITE; }

bool store_in_transaction(store *db) { return !sqlite3_get_autocommit(db->handle); }

void *store_user(store *db) { return db->user; }

void store_set_user(store *db, void *p, void (*free_fn)(void *))
{
    if (db->user_free)
        db->user_free(db->user);
    db->user = p;
    db->user_free = free_fn;
}

int64_t store_changes(store *db) { return sqlite3_changes64(db->handle); }

int store_data_version(store *db, int64_t *out)
{
    store_stmt *st;
    int rc = store_query(db, &st, "PRAGMA data_version", "");
    if (rc)
        return rc;
    if (store_step(st) == STORE_ROW)
        *out = store_col_int(st, 0);
    else
        rc = accord_fail(ACCORD_ESTORE, NULL, "PRAGMA data_version gave no row");
    store_stmt_close(st);
    return rc;
}
