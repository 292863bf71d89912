/* store/lookup: one-row lookups. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "store/db.h"
#include "store/lookup.h"
#include "util/error.h"

static char *dir;
static store *db;

static void setup(void)
{
    dir = th_tempdir();
    char path[4200];
    snprintf(path, sizeof path, "%s/l.db", dir);
    cr_assert_eq(store_open(&db, path, true), 0, "%s", accord_error_message());
    cr_assert_eq(store_exec(db, "CREATE TABLE t (k TEXT PRIMARY KEY, n INTEGER, v TEXT);"
                                "INSERT INTO t VALUES ('a', 7, 'seven'), ('b', NULL, NULL), ('long', 1, 'abcdefghij');"),
                 0);
}

static void teardown(void)
{
    store_close(db);
    th_rmtree(dir);
    free(dir);
}

TestSuite(store_lookup, .init = setup, .fini = teardown);

Test(store_lookup, exists_tells_a_row_from_none)
{
    cr_assert_eq(store_exists(db, "SELECT 1 FROM t WHERE k = ?", "s", "a"), STORE_ROW);
    cr_assert_eq(store_exists(db, "SELECT 1 FROM t WHERE k = ?", "s", "zz"), STORE_DONE);
    cr_assert_lt(store_exists(db, "SELECT 1 FROM nowhere", ""), 0, "an error stays an error");
}

Test(store_lookup, one_int_reads_the_first_column_and_leaves_the_output_when_none)
{
    int64_t n = -1;
    cr_assert_eq(store_one_int(db, &n, "SELECT n FROM t WHERE k = ?", "s", "a"), STORE_ROW);
    cr_assert_eq(n, 7);
    cr_assert_eq(store_one_int(db, &n, "SELECT n FROM t WHERE k = ?", "s", "b"), STORE_ROW);
    cr_assert_eq(n, 0, "NULL reads as 0");
    n = 42;
    cr_assert_eq(store_one_int(db, &n, "SELECT n FROM t WHERE k = ?", "s", "zz"), STORE_DONE);
    cr_assert_eq(n, 42);
    cr_assert_eq(store_one_int(db, &n, "SELECT count(*) FROM t WHERE n > ?", "i", (int64_t)0), STORE_ROW);
    cr_assert_eq(n, 2);
}

Test(store_lookup, one_text_copies_and_refuses_to_truncate)
{
    char v[8] = "x";
    cr_assert_eq(store_one_text(db, v, sizeof v, "SELECT v FROM t WHERE k = ?", "s", "a"), STORE_ROW);
    cr_assert_str_eq(v, "seven");
    cr_assert_eq(store_one_text(db, v, sizeof v, "SELECT v FROM t WHERE k = ?", "s", "b"), STORE_ROW);
    cr_assert_str_eq(v, "", "NULL reads as empty");
    strcpy(v, "keep");
    cr_assert_eq(store_one_text(db, v, sizeof v, "SELECT v FROM t WHERE k = ?", "s", "zz"), STORE_DONE);
    cr_assert_str_eq(v, "keep");
    cr_assert_eq(store_one_text(db, v, sizeof v, "SELECT v FROM t WHERE k = ?", "s", "long"), ACCORD_ETOOBIG);
    cr_assert_str_eq(v, "", "never a truncated value");
    /* The statement cache is left clean: the same query runs again. */
    cr_assert_eq(store_one_text(db, v, sizeof v, "SELECT v FROM t WHERE k = ?", "s", "a"), STORE_ROW);
}

Test(store_lookup, first_row_stays_open_on_a_row_and_is_null_otherwise)
{
    store_stmt *st = (store_stmt *)1;
    cr_assert_eq(store_first_row(db, &st, "SELECT n, v FROM t WHERE k = ?", "s", "a"), STORE_ROW);
    cr_assert_not_null(st);
    cr_assert_eq(store_col_int(st, 0), 7);
    cr_assert_str_eq(store_col_text(st, 1), "seven");
    store_stmt_close(st);
    st = (store_stmt *)1;
    cr_assert_eq(store_first_row(db, &st, "SELECT n, v FROM t WHERE k = ?", "s", "zz"), STORE_DONE);
    cr_assert_null(st, "no row: the statement is closed");
    st = (store_stmt *)1;
    cr_assert_lt(store_first_row(db, &st, "SELECT 1 FROM nowhere", ""), 0, "an error stays an error");
    cr_assert_null(st);
    store_stmt_close(st);
    /* The same statement is ready for the next caller. */
    cr_assert_eq(store_first_row(db, &st, "SELECT n, v FROM t WHERE k = ?", "s", "a"), STORE_ROW);
    store_stmt_close(st);
}
