/* registry-source: how a stored source reads in every view. The store
 * turns columns into members one for one; the registry folds the
 * "source_title" and "source_url" columns into one "source", last. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "registry/registry.h"
#include "store/db.h"
#include "store/row_json.h"
#include "util/error.h"

static store *db;

static void setup(void)
{
    cr_assert_eq(store_open(&db, ":memory:", true), 0, "%s", accord_error_message());
    cr_assert_eq(store_exec(db, "CREATE TABLE t (id INTEGER, name TEXT, source_title TEXT, source_url TEXT, note TEXT);"
                                "INSERT INTO t VALUES (1, 'a', 'Treaty Series', 'https://example.org/ts', 'n'),"
                                " (2, 'b', 'Press release', NULL, NULL), (3, 'c', NULL, NULL, 'x');"),
                 0);
}

static void teardown(void) { store_close(db); }

TestSuite(registry_source, .init = setup, .fini = teardown);

static const char *const keys[] = {"id", "name", "source_title", "source_url", "note", NULL};
#define SELECT_ALL "SELECT id, name, source_title, source_url, note FROM t ORDER BY id"

/* The compact JSON text of 'v', which it decrefs (caller frees). */
static char *dump(json_t *v)
{
    char *s = json_dumps(v, JSON_COMPACT);
    json_decref(v);
    return s;
}

/* The compact JSON text of 'row' made from the first row of the table
 * (caller frees). */
static char *first_row(json_t *(*row)(store_stmt *, const char *const *))
{
    store_stmt *st;
    cr_assert_eq(store_query(db, &st, SELECT_ALL, ""), 0);
    cr_assert_eq(store_step(st), STORE_ROW);
    char *s = dump(row(st, keys));
    store_stmt_close(st);
    return s;
}

Test(registry_source, the_store_knows_nothing_of_sources)
{
    char *s = first_row(store_row_json);
    cr_assert_str_eq(s, "{\"id\":1,\"name\":\"a\",\"source_title\":\"Treaty Series\","
                        "\"source_url\":\"https://example.org/ts\",\"note\":\"n\"}");
    free(s);
}

Test(registry_source, one_row_folds_its_source_last)
{
    char *s = first_row(registry_row_json);
    cr_assert_str_eq(s, "{\"id\":1,\"name\":\"a\",\"note\":\"n\","
                        "\"source\":{\"title\":\"Treaty Series\",\"url\":\"https://example.org/ts\"}}");
    free(s);
}

Test(registry_source, rows_fold_a_missing_url_to_null_and_a_missing_source_to_null)
{
    store_stmt *st;
    json_t *rows;
    cr_assert_eq(store_query(db, &st, SELECT_ALL, ""), 0);
    cr_assert_eq(registry_rows_json(st, keys, &rows), 0);
    char *s = dump(rows);
    cr_assert_str_eq(s, "[{\"id\":1,\"name\":\"a\",\"note\":\"n\","
                        "\"source\":{\"title\":\"Treaty Series\",\"url\":\"https://example.org/ts\"}},"
                        "{\"id\":2,\"name\":\"b\",\"note\":null,\"source\":{\"title\":\"Press release\",\"url\":null}},"
                        "{\"id\":3,\"name\":\"c\",\"note\":\"x\",\"source\":null}]");
    free(s);
}

Test(registry_source, rows_without_source_columns_are_left_as_they_are)
{
    static const char *const plain[] = {"id", "name", NULL};
    store_stmt *st;
    json_t *rows;
    cr_assert_eq(store_query(db, &st, "SELECT id, name FROM t WHERE id = 3", ""), 0);
    cr_assert_eq(registry_rows_json(st, plain, &rows), 0);
    char *s = dump(rows);
    cr_assert_str_eq(s, "[{\"id\":3,\"name\":\"c\"}]");
    free(s);
}
