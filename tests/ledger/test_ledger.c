/* ledger-ledger: the stored log, the single write path and replay. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "events/events.h"
#include "helpers.h"
#include "ledger/identity.h"
#include "ledger/ledger.h"
#include "ledger/publish.h"
#include "util/error.h"
#include "util/json.h"

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

/* An empty database with the schema applied. */
static store *fresh_db(const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    store *db;
    cr_assert_eq(store_open(&db, path, true), 0, "%s", accord_error_message());
    cr_assert_eq(store_migrate(db), 0, "%s", accord_error_message());
    return db;
}

static void append_raw(store *db, const void *bytes, size_t len)
{
    uint64_t index;
    cr_assert_eq(store_begin(db), 0);
    cr_assert_eq(ledger_append(db, "test", "2026-01-01T00:00:00Z", bytes, len, &index), 0, "%s",
                 accord_error_message());
    cr_assert_eq(store_commit(db), 0);
}

/* RFC 9162 MTH computed the slow way, from the leaf hashes. */
static void naive_root(uint8_t (*leaves)[32], size_t n, uint8_t out[32])
{
    if (n == 0) {
        crypto_hash_sha256(out, NULL, 0);
        return;
    }
    if (n == 1) {
        memcpy(out, leaves[0], 32);
        return;
    }
    size_t k = 1;
    while (k * 2 < n)
        k *= 2;
    uint8_t l[32], r[32];
    naive_root(leaves, k, l);
    naive_root(leaves + k, n - k, r);
    merkle_node_hash(l, r, out);
}

Test(ledger, root_matches_naive_mth_for_every_size, .init = setup, .fini = teardown)
{
    store *db = fresh_db("a.db");
    enum { N = 70 };
    uint8_t leaves[N][32], root[32], want[32];
    for (size_t i = 0; i < N; i++) {
        char entry[32];
        int len = snprintf(entry, sizeof entry, "{\"n\":%zu}", i);
        append_raw(db, entry, (size_t)len);
        merkle_leaf_hash(entry, (size_t)len, leaves[i]);
        for (size_t size = 0; size <= i + 1; size += (i < 20 ? 1 : 7)) {
            cr_assert_eq(ledger_root(db, size, root), 0);
            naive_root(leaves, size, want);
            cr_assert_arr_eq(root, want, 32, "root of size %zu after %zu appends", size, i + 1);
        }
    }
    cr_assert_eq(ledger_root(db, N + 1, root), ACCORD_EINVAL, "a size past the end is refused");
    store_close(db);
}

/* Finds the root of the 8-leaf RFC 6962 test tree in the external vectors. */
static bool vector_root_of_8(uint8_t out[32])
{
    const char *base = th_conformance_dir();
    char path[4096];
    for (int d = 0; d < 8; d++) {
        snprintf(path, sizeof path, "%s/merkle/inclusion/%d/happy-path.json", base, d);
        json_t *v = json_load_file(path, 0, NULL);
        if (v && json_integer_value(json_object_get(v, "treeSize")) == 8) {
            size_t len;
            const char *b64 = json_string_value(json_object_get(v, "root"));
            int ok = sodium_base642bin(out, 32, b64, strlen(b64), NULL, &len, NULL, sodium_base64_VARIANT_ORIGINAL);
            json_decref(v);
            return ok == 0 && len == 32;
        }
        json_decref(v);
    }
    return false;
}

Test(ledger, root_matches_the_external_vectors, .init = setup, .fini = teardown)
{
    /* The RFC 6962 test leaves used by the transparency-dev vectors. */
    static const char *const leaves[] = {"", "\x00", "\x10", "\x20\x21", "\x30\x31", "\x40\x41\x42\x43",
                                         "\x50\x51\x52\x53\x54\x55\x56\x57",
                                         "\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f"};
    static const size_t lens[] = {0, 1, 1, 2, 2, 4, 8, 16};
    uint8_t want[32], root[32];
    cr_assert(vector_root_of_8(want), "no 8-leaf happy-path vector under tests/conformance");
    store *db = fresh_db("v.db");
    for (int i = 0; i < 8; i++)
        append_raw(db, leaves[i], lens[i]);
    cr_assert_eq(ledger_root(db, 8, root), 0);
    cr_assert_arr_eq(root, want, 32);
    store_close(db);
}

Test(ledger, refuses_events_over_the_tile_limit, .init = setup, .fini = teardown)
{
    store *db = fresh_db("big.db");
    char *big = calloc(1, LEDGER_MAX_EVENT + 1);
    uint64_t index;
    cr_assert_eq(store_begin(db), 0);
    cr_assert_eq(ledger_append(db, "t", "2026-01-01T00:00:00Z", big, LEDGER_MAX_EVENT + 1, &index), ACCORD_ETOOBIG);
    cr_assert_eq(ledger_append(db, "t", "2026-01-01T00:00:00Z", big, LEDGER_MAX_EVENT, &index), 0);
    store_rollback(db);
    free(big);
    store_close(db);
}

Test(ledger, a_reserved_entry_is_filled_once_as_the_last_entry, .init = setup, .fini = teardown)
{
    store *two_step = fresh_db("r2.db"), *one_step = fresh_db("r1.db");
    uint64_t index;
    cr_assert_eq(store_begin(two_step), 0);
    cr_assert_eq(ledger_reserve(two_step, "test", "2026-01-01T00:00:00Z", &index), 0);
    cr_assert_eq(index, 0);
    cr_assert_eq(ledger_fill(two_step, 1, "x", 1), ACCORD_EINVAL, "only the last entry can be filled");
    cr_assert_eq(ledger_fill(two_step, 0, "x", 1), 0, "%s", accord_error_message());
    cr_assert_eq(ledger_fill(two_step, 0, "y", 1), ACCORD_EINVAL, "an entry is filled once");
    cr_assert_eq(ledger_reserve(two_step, "test", "2026-01-01T00:00:00Z", &index), 0);
    cr_assert_eq(index, 1);
    char *big = calloc(1, LEDGER_MAX_EVENT + 1);
    cr_assert_eq(ledger_fill(two_step, 1, big, LEDGER_MAX_EVENT + 1), ACCORD_ETOOBIG);
    free(big);
    cr_assert_eq(ledger_fill(two_step, 1, "", 0), 0);
    cr_assert_eq(store_commit(two_step), 0);
    append_raw(one_step, "x", 1);
    append_raw(one_step, "", 0);
    /* The same entries and tree as appending them in one step. */
    char a[65], b[65];
    th_state_digest(two_step, a);
    th_state_digest(one_step, b);
    cr_assert_str_eq(a, b);
    store_close(two_step);
    store_close(one_step);
}

/* Registers party 'code' named 'name' with events_append in the open
 * transaction; returns its outcome. */
static int register_party(store *db, const char *code, const char *name)
{
    json_t *data = json_pack("{s:s, s:s, s:s}", "code", code, "kind", "state", "name", name);
    int rc = events_append(db, &ACTOR_OPERATOR, "party.registered", data, NULL);
    json_decref(data);
    return rc;
}

Test(ledger, an_event_refused_inside_a_transaction_leaves_no_entry, .init = setup, .fini = teardown)
{
    /* As an import does: the rows after a refused one go on in the same
     * transaction, and take the index the refused one did not use. */
    store *db = fresh_db("t.db");
    cr_assert_eq(store_begin(db), 0);
    cr_assert_eq(register_party(db, "XXA", "A"), 0);
    cr_assert_eq(register_party(db, "XXA", "A again"), ACCORD_ECONFLICT);
    cr_assert_str_eq(accord_error_field() ? accord_error_field() : "", "code", "%s", accord_error_message());
    cr_assert_eq(register_party(db, "XXB", "B"), 0, "%s", accord_error_message());
    cr_assert_eq(store_commit(db), 0, "%s", accord_error_message());
    cr_assert_eq(th_log_size(db), 2);
    /* Entry 1 is B's, and the tree is that of the two entries. */
    uint8_t leaves[2][32], root[32], want[32];
    for (uint64_t i = 0; i < 2; i++) {
        buf e;
        buf_init(&e, LEDGER_MAX_EVENT);
        cr_assert_eq(ledger_entry(db, i, &e), 0);
        cr_assert(strstr(e.data, i ? "\"code\":\"XXB\"" : "\"code\":\"XXA\""), "%s", e.data);
        merkle_leaf_hash(e.data, e.len, leaves[i]);
        buf_free(&e);
    }
    merkle_node_hash(leaves[0], leaves[1], want);
    cr_assert_eq(ledger_root(db, 2, root), 0, "%s", accord_error_message());
    cr_assert_arr_eq(root, want, 32);
    store_close(db);
}

Test(ledger, a_table_write_without_its_event_cannot_commit, .init = setup, .fini = teardown)
{
    store *db = fresh_db("fk.db");
    /* A row that names log entry 0, which this transaction never appends. */
    cr_assert_eq(store_begin(db), 0);
    cr_assert_eq(store_run(db, "INSERT INTO party (code, kind, name, seq) VALUES ('XXA', 'state', 'Nowhere', 0)", ""), 0);
    cr_assert_neq(store_commit(db), 0, "the commit must fail: the row points at no event");
    store_rollback(db);
    cr_assert_eq(th_log_size(db), 0);
    /* Through the events module the same change commits, with its entry. */
    json_t *data = json_pack("{s:s, s:s, s:s}", "code", "XXA", "kind", "state", "name", "Nowhere");
    cr_assert_eq(events_submit(db, &ACTOR_OPERATOR, "party.registered", data, NULL), 0, "%s", accord_error_message());
    json_decref(data);
    cr_assert_eq(th_log_size(db), 1);
    store_close(db);
}

Test(ledger, a_refused_event_leaves_no_trace, .init = setup, .fini = teardown)
{
    store *db = fresh_db("r.db");
    json_t *ok = json_pack("{s:s, s:s, s:s}", "code", "XXA", "kind", "state", "name", "A");
    cr_assert_eq(events_submit(db, &ACTOR_OPERATOR, "party.registered", ok, NULL), 0);
    char before[65], after[65];
    th_state_digest(db, before);
    /* Same code again: conflict. Wrong kind: invalid. Unknown type. */
    cr_assert_eq(events_submit(db, &ACTOR_OPERATOR, "party.registered", ok, NULL), ACCORD_ECONFLICT);
    json_t *bad = json_pack("{s:s, s:s, s:s}", "code", "org:x", "kind", "state", "name", "B");
    cr_assert_eq(events_submit(db, &ACTOR_OPERATOR, "party.registered", bad, NULL), ACCORD_EINVAL);
    cr_assert_str_eq(accord_error_field(), "kind");
    cr_assert_eq(events_submit(db, &ACTOR_OPERATOR, "party.deleted", bad, NULL), ACCORD_EINVAL);
    th_state_digest(db, after);
    cr_assert_str_eq(before, after);
    cr_assert_eq(th_log_size(db), 1);
    json_decref(ok);
    json_decref(bad);
    store_close(db);
}

Test(ledger, events_are_logged_in_canonical_form, .init = setup, .fini = teardown)
{
    store *db = fresh_db("c.db");
    json_t *data = json_pack("{s:s, s:s, s:s}", "name", "Zed", "kind", "state", "code", "XXZ");
    actor who = {"admin", "a1b2"};
    cr_assert_eq(events_submit(db, &who, "party.registered", data, NULL), 0);
    json_decref(data);
    buf entry;
    buf_init(&entry, LEDGER_MAX_EVENT);
    cr_assert_eq(ledger_entry(db, 0, &entry), 0);
    /* Keys sorted at every level, no whitespace; the actor is a role and
     * an opaque id. */
    const char *prefix = "{\"actor\":{\"id\":\"a1b2\",\"role\":\"admin\"},\"at\":\"";
    cr_assert_eq(strncmp(entry.data, prefix, strlen(prefix)), 0, "%s", entry.data);
    cr_assert(strstr(entry.data, "\"data\":{\"code\":\"XXZ\",\"kind\":\"state\",\"name\":\"Zed\"},\"type\":\"party.registered\",\"v\":1}"),
              "%s", entry.data);
    cr_assert_null(strchr(entry.data, ' '));
    buf_free(&entry);
    store_close(db);
}

/* Copies every event of 'from' into 'to' through events_replay(). */
static int replay_all(store *from, store *to)
{
    uint64_t n;
    cr_assert_eq(ledger_size(from, &n), 0);
    int rc = store_begin(to);
    for (uint64_t i = 0; i < n && !rc; i++) {
        buf e;
        buf_init(&e, LEDGER_MAX_EVENT);
        cr_assert_eq(ledger_entry(from, i, &e), 0);
        rc = events_replay(to, e.data, e.len);
        buf_free(&e);
    }
    if (!rc)
        rc = store_commit(to);
    if (rc)
        store_rollback(to);
    return rc;
}

Test(ledger, replay_rebuilds_identical_tables, .init = setup, .fini = teardown)
{
    char *path = th_make_db(dir, true, NULL);
    store *operator_db = th_open(path);
    store *copy = fresh_db("replayed.db");
    cr_assert_eq(replay_all(operator_db, copy), 0, "%s", accord_error_message());
    char a[65], b[65];
    th_state_digest(operator_db, a);
    th_state_digest(copy, b);
    cr_assert_str_eq(a, b, "replayed tables differ from the operator's");
    uint8_t ra[32], rb[32];
    uint64_t n;
    cr_assert_eq(ledger_size(operator_db, &n), 0);
    cr_assert_gt(n, 249, "the demo log holds the states and the dataset");
    cr_assert_eq(ledger_root(operator_db, n, ra), 0);
    cr_assert_eq(ledger_root(copy, n, rb), 0);
    cr_assert_arr_eq(ra, rb, 32);
    store_close(copy);
    store_close(operator_db);
    free(path);
}

Test(ledger, replay_refuses_altered_or_noncanonical_entries, .init = setup, .fini = teardown)
{
    char *path = th_make_db(dir, true, NULL);
    store *src = th_open(path);
    store *copy = fresh_db("tampered.db");
    uint64_t n;
    cr_assert_eq(ledger_size(src, &n), 0);
    cr_assert_eq(store_begin(copy), 0);
    bool altered = false;
    for (uint64_t i = 0; i < n; i++) {
        buf e;
        buf_init(&e, LEDGER_MAX_EVENT);
        cr_assert_eq(ledger_entry(src, i, &e), 0);
        char *num = strstr(e.data, "\"notification\":\"code-of-conduct/2018/1\"");
        if (num) {
            /* Claim notification number 9 instead of 1. */
            num[strlen("\"notification\":\"code-of-conduct/2018/")] = '9';
            cr_assert_eq(events_replay(copy, e.data, e.len), ACCORD_EVERIFY);
            altered = true;
            buf_free(&e);
            break;
        }
        cr_assert_eq(events_replay(copy, e.data, e.len), 0, "entry %llu: %s", (unsigned long long)i,
                     accord_error_message());
        buf_free(&e);
    }
    cr_assert(altered, "the demo log has notification code-of-conduct/2018/1");
    store_rollback(copy);

    /* Whitespace makes an entry non-canonical even if its content is fine. */
    cr_assert_eq(store_begin(copy), 0);
    const char *spaced = "{\"actor\": {\"id\":\"x\",\"role\":\"operator\"},\"at\":\"2026-01-01T00:00:00Z\","
                         "\"data\":{\"code\":\"XXQ\",\"kind\":\"state\",\"name\":\"Q\"},\"type\":\"party.registered\",\"v\":1}";
    cr_assert_eq(events_replay(copy, spaced, strlen(spaced)), ACCORD_EVERIFY);
    store_rollback(copy);
    store_close(copy);
    store_close(src);
    free(path);
}

/* The log's identity: recorded once, read back, and the signing key is
 * loaded only when it is the key the log publishes. */
Test(ledger, the_identity_names_the_signing_key_and_refuses_another, .init = setup, .fini = teardown)
{
    store *db = fresh_db("id.db");
    ledger_identity id;
    cr_assert_eq(ledger_identity_get(db, &id), 0);
    cr_assert_str_eq(id.origin, "");
    note_signer key;
    cr_assert_eq(ledger_load_signer(db, NULL, &key), ACCORD_EENV, "no key is named yet");

    char mine[2048], other[2048], vkey[LOGKEY_MAX_VKEY], other_vkey[LOGKEY_MAX_VKEY];
    snprintf(mine, sizeof mine, "%s/log.key", dir);
    snprintf(other, sizeof other, "%s/other.key", dir);
    cr_assert_eq(logkey_create(mine, "example.org/log", vkey), 0, "%s", accord_error_message());
    cr_assert_eq(logkey_create(other, "example.org/log", other_vkey), 0, "%s", accord_error_message());
    ledger_identity rec = {0};
    snprintf(rec.origin, sizeof rec.origin, "example.org/log");
    snprintf(rec.vkey, sizeof rec.vkey, "%s", vkey);
    snprintf(rec.key_file, sizeof rec.key_file, "%s", mine);
    cr_assert_eq(ledger_identity_set(db, &rec), 0, "%s", accord_error_message());
    cr_assert_eq(ledger_identity_get(db, &id), 0);
    cr_assert_str_eq(id.origin, "example.org/log");
    cr_assert_str_eq(id.vkey, vkey);
    cr_assert_str_eq(id.key_file, mine);

    cr_assert_eq(ledger_load_signer(db, NULL, &key), 0, "%s", accord_error_message());
    char loaded[LOGKEY_MAX_VKEY];
    note_signer_vkey(&key, loaded);
    cr_assert_str_eq(loaded, vkey);
    note_signer_clear(&key);
    cr_assert_eq(ledger_load_signer(db, other, &key), ACCORD_EENV);
    cr_assert(strstr(accord_error_message(), "not this log's key"), "%s", accord_error_message());
    cr_assert_neq(ledger_identity_set(db, &rec), 0, "the identity is recorded once");
    store_close(db);
}

/* The latest checkpoint: none before the first, and a checkpoint of the
 * empty log (size 0) is one, so it is not signed twice. */
Test(ledger, the_latest_checkpoint_tells_size_zero_from_none, .init = setup, .fini = teardown)
{
    store *db = fresh_db("cp.db");
    note_signer key;
    uint8_t seed[NOTE_SEED_SIZE] = {7};
    cr_assert_eq(note_signer_from_seed(&key, "example.org/log", NOTE_TYPE_ED25519, seed), 0, "%s",
                 accord_error_message());
    buf note;
    buf_init(&note, 4096);
    uint64_t size = 99;
    bool signed_now;
    cr_assert_eq(publish_latest(db, &note, &size), ACCORD_ENOTFOUND, "no checkpoint yet");

    cr_assert_eq(publish_checkpoint(db, &key, &size, &signed_now), 0, "%s", accord_error_message());
    cr_assert(signed_now);
    cr_assert_eq(size, 0);
    cr_assert_eq(publish_checkpoint(db, &key, &size, &signed_now), 0, "%s", accord_error_message());
    cr_assert_not(signed_now, "size 0 is already signed");
    size = 99;
    cr_assert_eq(publish_latest(db, &note, &size), 0, "%s", accord_error_message());
    cr_assert_eq(size, 0);

    append_raw(db, "{}", 2);
    cr_assert_eq(publish_checkpoint(db, &key, &size, &signed_now), 0, "%s", accord_error_message());
    cr_assert(signed_now);
    cr_assert_eq(size, 1);
    buf_reset(&note);
    cr_assert_eq(publish_latest(db, &note, &size), 0, "%s", accord_error_message());
    cr_assert_eq(size, 1);
    buf_free(&note);
    note_signer_clear(&key);
    store_close(db);
}
