/* ledger-tiles: the tree stored as tiles (src/ledger/ledger.c), at sizes
 * where tiles of level 0 and 1 are complete and the right edge is ragged.
 *
 * The evidence is an independent computation: every perfect subtree hash
 * built level by level from the leaf hashes, and RFC 9162 MTH computed
 * recursively from the leaves. Roots, proofs and hash tiles read from the
 * database must equal them byte for byte, inside a read transaction,
 * outside any transaction and inside a write transaction (the three ways
 * the ledger looks nodes up). A log stored as the earlier program stored
 * it (one row per perfect subtree) must migrate to exactly the tiles the
 * ledger writes itself. */
#include <criterion/criterion.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "ledger/ledger.h"
#include "ledger/publish.h"
#include "util/error.h"

#define HS MERKLE_HASH_SIZE
/* Tile (1, 0) is complete from 65,536 entries; the rest is a ragged edge
 * on every tile level. */
#define ENTRIES (65536 + 3 * 256 + 77)

typedef uint8_t hash_t[HS];

static char *dir;

static void setup(void)
{
    cr_assert_geq(sodium_init(), 0);
    dir = th_tempdir();
}

static void teardown(void)
{
    th_rmtree(dir);
    free(dir);
}

TestSuite(tiles, .init = setup, .fini = teardown, .timeout = 240);

/* Every perfect subtree hash of a log of 'n' leaves, level by level:
 * level[l][i] covers leaves [i * 2^l, (i + 1) * 2^l). */
typedef struct {
    uint64_t n;
    hash_t *level[64];
    uint64_t count[64];
} naive_tree;

static void entry_bytes(uint64_t i, char *out, size_t cap, size_t *len)
{
    *len = (size_t)snprintf(out, cap, "{\"entry\":%llu}", (unsigned long long)i);
}

static void naive_build(naive_tree *t, uint64_t n)
{
    memset(t, 0, sizeof *t);
    t->n = n;
    t->count[0] = n;
    t->level[0] = calloc(n, sizeof(hash_t));
    for (uint64_t i = 0; i < n; i++) {
        char e[64];
        size_t len;
        entry_bytes(i, e, sizeof e, &len);
        merkle_leaf_hash(e, len, t->level[0][i]);
    }
    for (unsigned l = 1; l < 64 && t->count[l - 1] >= 2; l++) {
        t->count[l] = t->count[l - 1] / 2;
        t->level[l] = calloc(t->count[l], sizeof(hash_t));
        for (uint64_t i = 0; i < t->count[l]; i++)
            merkle_node_hash(t->level[l - 1][2 * i], t->level[l - 1][2 * i + 1], t->level[l][i]);
    }
}

static void naive_free(naive_tree *t)
{
    for (int l = 0; l < 64; l++)
        free(t->level[l]);
}

/* RFC 9162 MTH of leaves [lo, hi), by its definition; a perfect range
 * is the level-built hash, which is the same thing, only faster. */
static void naive_mth(const naive_tree *t, uint64_t lo, uint64_t hi, uint8_t out[HS])
{
    uint64_t w = hi - lo;
    if ((w & (w - 1)) == 0 && lo % w == 0) {
        unsigned l = (unsigned)__builtin_ctzll(w);
        memcpy(out, t->level[l][lo >> l], HS);
        return;
    }
    uint64_t k = 1;
    while (k * 2 < hi - lo)
        k *= 2;
    uint8_t l[HS], r[HS];
    naive_mth(t, lo, lo + k, l);
    naive_mth(t, lo + k, hi, r);
    merkle_node_hash(l, r, out);
}

/* The merkle_get_fn over the naive tree: proofs built from it are the
 * reference for proofs built from the database. */
static int naive_get(void *ctx, unsigned level, uint64_t index, uint8_t out[HS])
{
    const naive_tree *t = ctx;
    cr_assert(level < 64 && index < t->count[level], "node (%u, %llu) asked for", level, (unsigned long long)index);
    memcpy(out, t->level[level][index], HS);
    return 0;
}

/* The database 'name' in the test directory at schema 'version'. */
static store *open_db(const char *name, int version)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    store *db;
    cr_assert_eq(store_open(&db, path, true), 0, "%s", accord_error_message());
    cr_assert_eq(store_migrate_to(db, version), 0, "%s", accord_error_message());
    return db;
}

/* Appends entries [from, to) through the ledger, in one transaction. */
static void append_entries(store *db, uint64_t from, uint64_t to)
{
    cr_assert_eq(store_begin(db), 0);
    for (uint64_t i = from; i < to; i++) {
        char e[64];
        size_t len;
        uint64_t index;
        entry_bytes(i, e, sizeof e, &len);
        cr_assert_eq(ledger_append(db, "test", "2026-01-01T00:00:00Z", e, len, &index), 0, "%s",
                     accord_error_message());
        cr_assert_eq(index, i);
    }
    cr_assert_eq(store_commit(db), 0, "%s", accord_error_message());
}

static int64_t count_rows(store *db, const char *table)
{
    char sql[512];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", table);
    store_stmt *st;
    cr_assert_eq(store_query(db, &st, sql, ""), 0);
    cr_assert_eq(store_step(st), STORE_ROW);
    int64_t n = store_col_int(st, 0);
    store_stmt_close(st);
    return n;
}

/* The sizes and indexes where tiles begin and end, plus random ones. */
static uint64_t pick(uint64_t below, int i)
{
    static const uint64_t edges[] = {1, 2, 255, 256, 257, 511, 512, 513, 65535, 65536, 65537, 65536 + 256};
    uint64_t v = i < (int)(sizeof edges / sizeof edges[0]) ? edges[i] : 1 + (uint64_t)rand() % below;
    return v <= below ? v : below;
}

enum mode { IN_READ, OUTSIDE, IN_WRITE };

static void begin(store *db, enum mode m)
{
    if (m == IN_READ)
        cr_assert_eq(store_begin_read(db), 0);
    if (m == IN_WRITE)
        cr_assert_eq(store_begin(db), 0);
}

static void check_proofs(store *db, const naive_tree *t, enum mode m)
{
    srand(7 + (unsigned)m);
    for (int i = 0; i < 60; i++) {
        uint64_t size = pick(t->n, i), other = i % 2 ? t->n : pick(t->n, 59 - i);
        uint64_t old = size < other ? size : other, new = size < other ? other : size;
        uint8_t root[HS], want[HS], r2[HS];
        uint8_t proof[MERKLE_MAX_PROOF][HS], ref[MERKLE_MAX_PROOF][HS];
        size_t len, ref_len;
        begin(db, m);
        cr_assert_eq(ledger_root(db, size, root), 0, "%s", accord_error_message());
        naive_mth(t, 0, size, want);
        cr_assert_arr_eq(root, want, HS, "root of size %llu", (unsigned long long)size);

        uint64_t index = i < 12 ? size - 1 : (uint64_t)rand() % size;
        cr_assert_eq(merkle_inclusion_proof(ledger_node, db, index, size, proof, &len), 0, "%s",
                     accord_error_message());
        cr_assert_eq(merkle_inclusion_proof(naive_get, (void *)t, index, size, ref, &ref_len), 0);
        cr_assert_eq(len, ref_len);
        cr_assert_arr_eq(proof, ref, len * HS, "inclusion of %llu in %llu", (unsigned long long)index,
                         (unsigned long long)size);
        merkle_bytes p[MERKLE_MAX_PROOF];
        for (size_t k = 0; k < len; k++)
            p[k] = merkle_hash_bytes(proof[k]);
        cr_assert_eq(merkle_verify_inclusion(index, size, merkle_hash_bytes(t->level[0][index]), p, len,
                                             merkle_hash_bytes(want)),
                     0, "%s", accord_error_message());

        cr_assert_eq(merkle_consistency_proof(ledger_node, db, old, new, proof, &len), 0, "%s",
                     accord_error_message());
        cr_assert_eq(merkle_consistency_proof(naive_get, (void *)t, old, new, ref, &ref_len), 0);
        cr_assert_eq(len, ref_len);
        cr_assert_arr_eq(proof, ref, len * HS, "consistency %llu -> %llu", (unsigned long long)old,
                         (unsigned long long)new);
        naive_mth(t, 0, old, want);
        naive_mth(t, 0, new, r2);
        for (size_t k = 0; k < len; k++)
            p[k] = merkle_hash_bytes(proof[k]);
        cr_assert_eq(merkle_verify_consistency(old, new, merkle_hash_bytes(want), merkle_hash_bytes(r2), p, len), 0,
                     "%s", accord_error_message());
        store_rollback(db);
    }
}

Test(tiles, roots_and_proofs_match_the_naive_tree_in_every_lookup_mode)
{
    store *db = open_db("a.db", store_schema_target());
    append_entries(db, 0, ENTRIES);
    naive_tree t;
    naive_build(&t, ENTRIES);
    /* Complete tiles: one per 256 nodes of level 0 and of level 8, each
     * five rows (four quarters and the cap). Every other perfect subtree
     * is a right-edge row. */
    uint64_t tiles = ENTRIES / 256 + ENTRIES / 65536, perfect = 0;
    for (int l = 0; l < 64; l++)
        perfect += t.count[l];
    cr_assert_eq(count_rows(db, "merkle_quarter WHERE length(hashes) = 4032"), (int64_t)(4 * tiles));
    cr_assert_eq(count_rows(db, "merkle_cap WHERE length(hashes) = 192"), (int64_t)tiles);
    cr_assert_eq(count_rows(db, "merkle_quarter"), (int64_t)(4 * tiles));
    cr_assert_eq(count_rows(db, "merkle_cap"), (int64_t)tiles);
    cr_assert_eq(count_rows(db, "merkle_node"), (int64_t)(perfect - 510 * tiles));
    check_proofs(db, &t, IN_READ);
    check_proofs(db, &t, OUTSIDE);
    check_proofs(db, &t, IN_WRITE);
    /* A second connection, its cache cold, sees the same. */
    store *other = open_db("a.db", store_schema_target());
    check_proofs(other, &t, OUTSIDE);
    store_close(other);
    naive_free(&t);
    store_close(db);
}

/* The hashes of 'width' nodes of level 'level' from 'first'. */
static void expect_hashes(const naive_tree *t, unsigned level, uint64_t first, unsigned width, const buf *got)
{
    cr_assert_eq(got->len, (size_t)width * HS, "tile of level %u from %llu", level, (unsigned long long)first);
    cr_assert_arr_eq(got->data, t->level[level][first], (size_t)width * HS);
}

Test(tiles, hash_tiles_are_the_stored_nodes_full_and_partial)
{
    store *db = open_db("t.db", store_schema_target());
    append_entries(db, 0, ENTRIES);
    naive_tree t;
    naive_build(&t, ENTRIES);
    struct {
        unsigned level;
        uint64_t index;
        unsigned width;
        bool exists;
    } cases[] = {
        {0, 0, 256, true},     /* complete: read from its tile */
        {0, 0, 17, true},      /* a partial view of a complete tile */
        {0, 256, 256, true},   /* the last complete tile of level 0 */
        {0, 259, 77, true},    /* the right edge: rows */
        {0, 259, 78, false},   /* one past the edge */
        {0, 260, 1, false},
        {1, 0, 256, true},     /* level 8: tile (1, 0) complete */
        {1, 1, 3, true},       /* level 8 edge */
        {1, 1, 4, false},
        {2, 0, 1, true},       /* level 16: one node */
        {2, 0, 2, false},
        {3, 0, 1, false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        tile_ref ref = {.level = cases[i].level, .index = cases[i].index, .width = cases[i].width};
        buf out;
        buf_init(&out, TILE_MAX_BUNDLE);
        int rc = publish_tile(db, &ref, &out);
        if (cases[i].exists) {
            cr_assert_eq(rc, 0, "tile %u/%llu.p/%u: %s", ref.level, (unsigned long long)ref.index, ref.width,
                         accord_error_message());
            expect_hashes(&t, 8 * ref.level, 256 * ref.index, ref.width, &out);
        } else {
            cr_assert_eq(rc, ACCORD_ENOTFOUND, "tile %u/%llu.p/%u", ref.level, (unsigned long long)ref.index,
                         ref.width);
        }
        buf_free(&out);
    }
    naive_free(&t);
    store_close(db);
}

/* Whether the schema at 'version' keeps the tree in tiles (one table or
 * the other, as the tile layout changed since). */
static bool has_tiles(int version)
{
    char name[64];
    snprintf(name, sizeof name, "probe-%d.db", version);
    store *db = open_db(name, version);
    bool yes = count_rows(db, "sqlite_master WHERE name IN ('merkle_tile', 'merkle_cap')") > 0;
    store_close(db);
    return yes;
}

/* Writes entries [0, n) as the program stored them before tiles: the
 * event rows and one merkle_node row per perfect subtree. */
static void store_as_rows(store *db, const naive_tree *t)
{
    cr_assert_eq(store_begin(db), 0);
    for (uint64_t i = 0; i < t->n; i++) {
        char e[64];
        size_t len;
        entry_bytes(i, e, sizeof e, &len);
        cr_assert_eq(store_run(db, "INSERT INTO event (seq, type, at, body, leaf_hash) VALUES (?, ?, ?, ?, ?)",
                               "issbb", (int64_t)i, "test", "2026-01-01T00:00:00Z", e, len, t->level[0][i],
                               (size_t)HS),
                     0);
    }
    for (unsigned l = 0; l < 64; l++)
        for (uint64_t i = 0; i < t->count[l]; i++)
            cr_assert_eq(store_run(db, "INSERT INTO merkle_node (level, idx, hash) VALUES (?, ?, ?)", "iib",
                                   (int64_t)l, (int64_t)i, t->level[l][i], (size_t)HS),
                         0);
    cr_assert_eq(store_commit(db), 0);
}

/* The tree part of migration 9 in the form it had for a while, which
 * made the quarters and caps itself. Databases migrated then are at schema
 * 9 with them, and migration 10 must leave them as they are. */
static const char *const tiles_in_quarters =
    "CREATE TABLE merkle_quarter (part INTEGER PRIMARY KEY, hashes BLOB NOT NULL);"
    "CREATE TABLE merkle_cap (tile INTEGER PRIMARY KEY, hashes BLOB NOT NULL);"
    "CREATE TEMP TABLE tiled AS"
    "  SELECT ((n.level / 8) << 56) + (n.idx >> (8 - n.level % 8)) AS tile, n.level % 8 AS k,"
    "         n.idx & ((256 >> (n.level % 8)) - 1) AS j, n.hash AS hash"
    "  FROM merkle_node n"
    "  WHERE EXISTS (SELECT 1 FROM merkle_node p"
    "                WHERE p.level = n.level / 8 * 8 + 8 AND p.idx = n.idx >> (8 - n.level % 8));"
    "INSERT INTO merkle_quarter (part, hashes)"
    "  SELECT (tile << 2) + (j >> (6 - k)) AS q, blob_assemble(32 * (128 - (128 >> k) + (j & ((64 >> k) - 1))), hash)"
    "  FROM tiled WHERE k < 6 GROUP BY q HAVING count(*) = 126;"
    "INSERT INTO merkle_cap (tile, hashes)"
    "  SELECT tile, blob_assemble(32 * ((k - 6) * 4 + j), hash) FROM tiled WHERE k >= 6"
    "  GROUP BY tile HAVING count(*) = 6;"
    "DROP TABLE tiled;"
    "DELETE FROM merkle_quarter WHERE part >> 2 IN"
    "  (SELECT part >> 2 FROM merkle_quarter GROUP BY part >> 2 HAVING count(*) < 4)"
    "  OR part >> 2 NOT IN (SELECT tile FROM merkle_cap);"
    "DELETE FROM merkle_cap WHERE tile NOT IN (SELECT part >> 2 FROM merkle_quarter);"
    "DELETE FROM merkle_node WHERE ((level / 8) << 56) + (idx >> (8 - level % 8)) IN (SELECT tile FROM merkle_cap);";

Test(tiles, a_log_already_in_quarters_at_schema_9_stays_as_it_is)
{
    int tiled = 1;
    while (tiled <= store_schema_target() && !has_tiles(tiled))
        tiled++;
    naive_tree t;
    naive_build(&t, ENTRIES);
    store *old = open_db("quarters.db", tiled - 1);
    store_as_rows(old, &t);
    cr_assert_eq(store_begin(old), 0);
    cr_assert_eq(store_exec(old, tiles_in_quarters), 0, "%s", accord_error_message());
    cr_assert_eq(store_run(old, "INSERT INTO schema_version (version, applied_at) VALUES (?, CURRENT_TIMESTAMP)", "i",
                           (int64_t)tiled),
                 0);
    cr_assert_eq(store_commit(old), 0);
    cr_assert_eq(store_migrate(old), 0, "%s", accord_error_message());
    cr_assert_eq(count_rows(old, "sqlite_master WHERE name = 'merkle_tile'"), 0);
    store *fresh = open_db("fresh.db", store_schema_target());
    append_entries(fresh, 0, ENTRIES);
    char a[65], b[65];
    th_state_digest(old, a);
    th_state_digest(fresh, b);
    cr_assert_str_eq(a, b, "the tiles differ from the ones the ledger writes");
    check_proofs(old, &t, OUTSIDE);
    naive_free(&t);
    store_close(fresh);
    store_close(old);
}

Test(tiles, the_migration_packs_a_log_stored_as_rows)
{
    int tiled = 1;
    while (tiled <= store_schema_target() && !has_tiles(tiled))
        tiled++;
    cr_assert_leq(tiled, store_schema_target(), "no migration stores the tree in tiles");

    naive_tree t;
    naive_build(&t, ENTRIES);
    store *old = open_db("old.db", tiled - 1);
    store_as_rows(old, &t);
    cr_assert_eq(store_migrate(old), 0, "%s", accord_error_message());
    store *fresh = open_db("fresh.db", store_schema_target());
    append_entries(fresh, 0, ENTRIES);
    char a[65], b[65];
    th_state_digest(old, a);
    th_state_digest(fresh, b);
    cr_assert_str_eq(a, b, "the migrated tree differs from the one the ledger writes");
    cr_assert_eq(count_rows(old, "merkle_cap"), ENTRIES / 256 + ENTRIES / 65536);
    /* The same migration writes CHECK constraints without IN lists of more
     * than two constants (the depositary tests check they still hold). */
    cr_assert_eq(count_rows(old, "sqlite_master WHERE sql LIKE '%type IN (''signature''%'"
                                 " OR sql LIKE '%rating IN (%' OR sql LIKE '%kind IN (''organization''%'"
                                 " OR sql LIKE '%text_status IN (%'"),
                 0);

    /* The migrated log goes on growing as a tiled one: complete the next
     * tile of level 0 on both. */
    append_entries(old, ENTRIES, ENTRIES + 256);
    append_entries(fresh, ENTRIES, ENTRIES + 256);
    th_state_digest(old, a);
    th_state_digest(fresh, b);
    cr_assert_str_eq(a, b);
    naive_free(&t);
    naive_build(&t, ENTRIES + 256);
    check_proofs(old, &t, IN_READ);
    naive_free(&t);
    store_close(fresh);
    store_close(old);
}

/* Opening a database made by an earlier version brings it to the current
 * schema (the stored tree's conversion is checked above); a database with
 * no schema is refused. */
Test(tiles, an_older_database_is_migrated_forward_when_opened)
{
    store *db = open_db("older.db", 6);
    cr_assert_eq(store_check_schema(db), 0, "%s", accord_error_message());
    char path[4096];
    int version = 0, current = 0;
    cr_assert_eq(store_schema_version(db, &version), 0);
    store *fresh;
    snprintf(path, sizeof path, "%s/fresh.db", dir);
    cr_assert_eq(store_open(&fresh, path, true), 0);
    cr_assert_eq(store_migrate(fresh), 0, "%s", accord_error_message());
    cr_assert_eq(store_schema_version(fresh, &current), 0);
    store_close(fresh);
    cr_assert_gt(version, 6);
    cr_assert_eq(version, current, "migrated to %d, the program is at %d", version, current);
    /* The later migrations' tables are there and the ledger works. */
    append_entries(db, 0, 300);
    uint8_t root[32];
    cr_assert_eq(ledger_root(db, 300, root), 0, "%s", accord_error_message());
    store_close(db);

    snprintf(path, sizeof path, "%s/empty.db", dir);
    store *empty;
    cr_assert_eq(store_open(&empty, path, true), 0);
    cr_assert_neq(store_check_schema(empty), 0, "a database without accord's schema is refused");
    store_close(empty);
}
