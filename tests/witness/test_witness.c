/* Tests for src/witness: the add-checkpoint rules of C2SP tlog-witness in
 * the core (no HTTP), the durable state, and one end-to-end run of
 * `accord witness serve` driven by witness_client_submit().
 *
 * Trees are built with merkle_append over an in-memory node store, so
 * roots and consistency proofs come from the same code the log uses;
 * checkpoints are signed with a log key made from a fixed seed. */
#define _POSIX_C_SOURCE 200809L

#include "helpers.h"
#include "tlog/checkpoint.h"
#include "tlog/cosign.h"
#include "tlog/merkle.h"
#include "tlog/note.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/error.h"
#include "witness/witness.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <inttypes.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define HS MERKLE_HASH_SIZE
#define ORIGIN "example.com/log"
#define WITNESS_NAME "witness.example/w1"

static void setup(void)
{
    cr_assert(sodium_init() >= 0, "sodium_init failed");
}

TestSuite(witness, .init = setup);
TestSuite(witness_state, .init = setup);
TestSuite(witness_http, .init = setup);

/* ---------------------------------------------------------------------------
 * A log in memory: node store, roots and proofs
 * ------------------------------------------------------------------------- */

typedef uint8_t hash_t[HS];

typedef struct {
    hash_t *lv[64];
    size_t len[64], cap[64];
    uint64_t size;
} tree;

static int tree_get(void *ctx, unsigned level, uint64_t index, uint8_t out[HS])
{
    tree *t = ctx;
    if (level >= 64 || index >= t->len[level])
        return accord_fail(ACCORD_ENOTFOUND, "node", "no node (%u, %" PRIu64 ")", level, index);
    memcpy(out, t->lv[level][index], HS);
    return 0;
}

static void tree_put(tree *t, const merkle_node *n)
{
    unsigned l = n->level;
    if (t->len[l] == t->cap[l]) {
        t->cap[l] = t->cap[l] ? 2 * t->cap[l] : 16;
        t->lv[l] = realloc(t->lv[l], t->cap[l] * sizeof(hash_t));
        cr_assert_not_null(t->lv[l]);
    }
    memcpy(t->lv[l][t->len[l]++], n->hash, HS);
}

/* Appends leaves "<tag>-<i>" until the tree has 'size' leaves. Trees with
 * the same tag share their prefix; another tag forks from where it is
 * first used. */
static void tree_grow(tree *t, const char *tag, uint64_t size)
{
    while (t->size < size) {
        char data[64];
        uint8_t leaf[HS];
        merkle_node nodes[MERKLE_MAX_APPEND];
        size_t count = 0;
        int n = snprintf(data, sizeof data, "%s-%" PRIu64, tag, t->size);
        merkle_leaf_hash(data, (size_t)n, leaf);
        cr_assert_eq(merkle_append(tree_get, t, t->size, leaf, nodes, &count), 0, "%s", accord_error_message());
        for (size_t i = 0; i < count; i++)
            tree_put(t, &nodes[i]);
        t->size++;
    }
}

static void tree_free(tree *t)
{
    for (int l = 0; l < 64; l++)
        free(t->lv[l]);
    memset(t, 0, sizeof *t);
}

static void tree_root(tree *t, uint64_t size, uint8_t out[HS])
{
    cr_assert_eq(merkle_root(tree_get, t, size, out), 0, "%s", accord_error_message());
}

/* The consistency proof old -> new into 'proof', its length returned. */
static size_t tree_proof(tree *t, uint64_t old, uint64_t new_size, uint8_t proof[MERKLE_MAX_PROOF][HS])
{
    size_t n = 0;
    cr_assert_eq(merkle_consistency_proof(tree_get, t, old, new_size, proof, &n), 0, "%s", accord_error_message());
    return n;
}

/* ---------------------------------------------------------------------------
 * Checkpoints and requests
 * ------------------------------------------------------------------------- */

static void make_signer(note_signer *s, const char *name, uint8_t type, uint8_t fill)
{
    uint8_t seed[32];
    memset(seed, fill, sizeof seed);
    cr_assert_eq(note_signer_from_seed(s, name, type, seed), 0, "%s", accord_error_message());
}

/* The checkpoint text of 'origin' at (size, root) into a new buf. */
static buf checkpoint_text(const char *origin, uint64_t size, const uint8_t root[HS])
{
    buf b;
    buf_init(&b, 4096);
    cr_assert_eq(checkpoint_format(origin, size, root, &b), 0, "%s", accord_error_message());
    return b;
}

/* 'text' signed by 's' into a new buf. */
static buf sign_text(const note_signer *s, const char *text, size_t len)
{
    buf b;
    buf_init(&b, NOTE_MAX_SIZE);
    cr_assert_eq(note_sign(s, text, len, &b), 0, "%s", accord_error_message());
    return b;
}

/* The checkpoint of tree 't' at 'size', signed by 's' for 'origin'. */
static buf signed_checkpoint(const note_signer *s, const char *origin, tree *t, uint64_t size)
{
    uint8_t root[HS];
    tree_root(t, size, root);
    buf text = checkpoint_text(origin, size, root);
    buf note = sign_text(s, text.data, text.len);
    buf_free(&text);
    return note;
}

/* An add-checkpoint body. */
static buf request(uint64_t old, const uint8_t (*proof)[HS], size_t n, const buf *note)
{
    char b64[sodium_base64_ENCODED_LEN(HS, sodium_base64_VARIANT_ORIGINAL)];
    buf b;
    buf_init(&b, 1 << 20);
    cr_assert_eq(buf_printf(&b, "old %" PRIu64 "\n", old), 0);
    for (size_t i = 0; i < n; i++) {
        sodium_bin2base64(b64, sizeof b64, proof[i], HS, sodium_base64_VARIANT_ORIGINAL);
        cr_assert_eq(buf_printf(&b, "%s\n", b64), 0);
    }
    cr_assert_eq(buf_append(&b, "\n", 1), 0);
    cr_assert_eq(buf_append(&b, note->data, note->len), 0);
    return b;
}

/* ---------------------------------------------------------------------------
 * Fixture: a witness of one log, with its key and state in a temp dir
 * ------------------------------------------------------------------------- */

typedef struct {
    char *dir;
    char key_path[512], state_path[512];
    char wvkey[LOGKEY_MAX_VKEY], lvkey[LOGKEY_MAX_VKEY];
    note_signer log;
    note_verifier wv;
    witness *w;
    tree a;
} fixture;

static void fx_open(fixture *fx)
{
    const char *logs[] = {fx->lvkey};
    cr_assert_eq(witness_open(&fx->w, fx->key_path, fx->state_path, logs, 1), 0, "%s", accord_error_message());
}

static void fx_init(fixture *fx)
{
    memset(fx, 0, sizeof *fx);
    fx->dir = th_tempdir();
    snprintf(fx->key_path, sizeof fx->key_path, "%s/witness.key", fx->dir);
    snprintf(fx->state_path, sizeof fx->state_path, "%s/state.json", fx->dir);
    cr_assert_eq(cosign_key_create(fx->key_path, WITNESS_NAME, fx->wvkey), 0, "%s", accord_error_message());
    cr_assert_eq(note_verifier_parse(&fx->wv, fx->wvkey), 0);
    make_signer(&fx->log, ORIGIN, NOTE_TYPE_ED25519, 7);
    note_signer_vkey(&fx->log, fx->lvkey);
    fx_open(fx);
    tree_grow(&fx->a, "a", 20);
}

static void fx_free(fixture *fx)
{
    witness_close(fx->w);
    tree_free(&fx->a);
    th_rmtree(fx->dir);
    free(fx->dir);
}

/* Submits 'body' and returns the code; the reply stays in 'r'. */
static int submit(fixture *fx, const buf *body, witness_reply *r)
{
    witness_reply_free(r);
    witness_reply_init(r);
    return witness_add_checkpoint(fx->w, body->data, body->len, r);
}

/* Submits tree 't' at 'size' with the proof from 'old' (none when old is
 * 0) and returns the status; the reply stays in 'r'. */
static int submit_tree(fixture *fx, tree *t, uint64_t old, uint64_t size, witness_reply *r)
{
    uint8_t proof[MERKLE_MAX_PROOF][HS];
    size_t n = old && old <= size ? tree_proof(t, old, size, proof) : 0;
    buf note = signed_checkpoint(&fx->log, ORIGIN, t, size);
    buf body = request(old, (const uint8_t(*)[HS])proof, n, &note);
    submit(fx, &body, r);
    buf_free(&note);
    buf_free(&body);
    return r->status;
}

/* The cosignature in 'r' verifies for tree 't' at 'size' and is recent. */
static void assert_cosigned(fixture *fx, const witness_reply *r, tree *t, uint64_t size)
{
    uint8_t root[HS];
    uint64_t ts = 0;
    cr_assert_eq(r->status, 200, "status %d: %s", r->status, r->body.data);
    tree_root(t, size, root);
    buf text = checkpoint_text(ORIGIN, size, root);
    cr_assert_eq(cosign_verify(&fx->wv, text.data, text.len, r->body.data, r->body.len, &ts), 0, "%s",
                 accord_error_message());
    uint64_t now = (uint64_t)clock_now();
    cr_assert(ts > 0 && ts <= now && ts + 60 > now, "timestamp %" PRIu64, ts);
    /* Exactly one line, ending in a newline. */
    cr_assert_eq(memchr(r->body.data, '\n', r->body.len), r->body.data + r->body.len - 1);
    buf_free(&text);
}

static void assert_latest(fixture *fx, tree *t, uint64_t size)
{
    uint64_t got = 0;
    uint8_t root[HS], want[HS];
    cr_assert_eq(witness_latest(fx->w, ORIGIN, &got, root), 0, "%s", accord_error_message());
    cr_assert_eq(got, size);
    tree_root(t, size, want);
    cr_assert_eq(memcmp(root, want, HS), 0);
}

/* ---------------------------------------------------------------------------
 * add-checkpoint
 * ------------------------------------------------------------------------- */

Test(witness, first_checkpoint_is_cosigned)
{
    fixture fx;
    witness_reply r;
    uint64_t size;
    uint8_t root[HS];
    fx_init(&fx);
    witness_reply_init(&r);

    cr_assert_eq(witness_latest(fx.w, ORIGIN, &size, root), ACCORD_ENOTFOUND);
    cr_assert_eq(submit_tree(&fx, &fx.a, 0, 8, &r), 200);
    assert_cosigned(&fx, &r, &fx.a, 8);
    assert_latest(&fx, &fx.a, 8);

    /* The vkey the witness reports is the one of its key file. */
    char vkey[LOGKEY_MAX_VKEY];
    witness_vkey(fx.w, vkey);
    cr_assert_str_eq(vkey, fx.wvkey);

    witness_reply_free(&r);
    fx_free(&fx);
}

Test(witness, growth_with_a_valid_proof_is_cosigned)
{
    fixture fx;
    witness_reply r;
    fx_init(&fx);
    witness_reply_init(&r);

    cr_assert_eq(submit_tree(&fx, &fx.a, 0, 8, &r), 200);
    cr_assert_eq(submit_tree(&fx, &fx.a, 8, 13, &r), 200);
    assert_cosigned(&fx, &r, &fx.a, 13);
    cr_assert_eq(submit_tree(&fx, &fx.a, 13, 16, &r), 200);
    cr_assert_eq(submit_tree(&fx, &fx.a, 16, 20, &r), 200);
    assert_cosigned(&fx, &r, &fx.a, 20);
    assert_latest(&fx, &fx.a, 20);

    witness_reply_free(&r);
    fx_free(&fx);
}

Test(witness, the_same_checkpoint_again_is_cosigned_again)
{
    fixture fx;
    witness_reply r;
    fx_init(&fx);
    witness_reply_init(&r);

    cr_assert_eq(submit_tree(&fx, &fx.a, 0, 8, &r), 200);
    cr_assert_eq(submit_tree(&fx, &fx.a, 8, 8, &r), 200);
    assert_cosigned(&fx, &r, &fx.a, 8);
    assert_latest(&fx, &fx.a, 8);

    witness_reply_free(&r);
    fx_free(&fx);
}

Test(witness, a_stale_old_size_is_409_with_the_current_size)
{
    fixture fx;
    witness_reply r;
    fx_init(&fx);
    witness_reply_init(&r);

    cr_assert_eq(submit_tree(&fx, &fx.a, 0, 8, &r), 200);
    /* A log that does not know the witness asks with old 0. */
    cr_assert_eq(submit_tree(&fx, &fx.a, 0, 13, &r), 409);
    cr_assert_str_eq(r.content_type, "text/x.tlog.size");
    cr_assert_str_eq(r.body.data, "8\n");
    cr_assert_eq(submit_tree(&fx, &fx.a, 5, 13, &r), 409);
    cr_assert_str_eq(r.body.data, "8\n");
    /* The retry with the witness's size goes through. */
    cr_assert_eq(submit_tree(&fx, &fx.a, 8, 13, &r), 200);
    /* The code matches the status. */
    cr_assert_eq(submit_tree(&fx, &fx.a, 8, 16, &r), 409);
    cr_assert_str_eq(r.body.data, "13\n");
    assert_latest(&fx, &fx.a, 13);

    witness_reply_free(&r);
    fx_free(&fx);
}

Test(witness, a_bad_proof_is_422_and_changes_nothing)
{
    fixture fx;
    witness_reply r;
    uint8_t proof[MERKLE_MAX_PROOF][HS];
    fx_init(&fx);
    witness_reply_init(&r);
    cr_assert_eq(submit_tree(&fx, &fx.a, 0, 6, &r), 200);
    buf note = signed_checkpoint(&fx.log, ORIGIN, &fx.a, 13);
    size_t n = tree_proof(&fx.a, 6, 13, proof);
    cr_assert_gt(n, 1u);

    /* One flipped bit. */
    proof[0][5] ^= 1;
    buf body = request(6, (const uint8_t(*)[HS])proof, n, &note);
    cr_assert_eq(submit(&fx, &body, &r), ACCORD_EVERIFY);
    cr_assert_eq(r.status, 422);
    proof[0][5] ^= 1;
    buf_free(&body);
    /* A hash missing, or one too many. */
    body = request(6, (const uint8_t(*)[HS])proof, n - 1, &note);
    cr_assert_eq(submit(&fx, &body, &r), ACCORD_EVERIFY);
    buf_free(&body);
    memcpy(proof[n], proof[0], HS);
    body = request(6, (const uint8_t(*)[HS])proof, n + 1, &note);
    cr_assert_eq(submit(&fx, &body, &r), ACCORD_EVERIFY);
    buf_free(&body);
    /* No proof at all. */
    body = request(6, NULL, 0, &note);
    cr_assert_eq(submit(&fx, &body, &r), ACCORD_EVERIFY);
    buf_free(&body);
    /* A true proof, but from another size. */
    n = tree_proof(&fx.a, 5, 13, proof);
    body = request(6, (const uint8_t(*)[HS])proof, n, &note);
    cr_assert_eq(submit(&fx, &body, &r), ACCORD_EVERIFY);
    cr_assert_eq(r.status, 422);
    buf_free(&body);

    assert_latest(&fx, &fx.a, 6);
    buf_free(&note);
    witness_reply_free(&r);
    fx_free(&fx);
}

/* Two logs under one origin and key, sharing 5 entries, then diverging. */
Test(witness, a_fork_is_refused)
{
    fixture fx;
    witness_reply r;
    tree b = {0};
    fx_init(&fx);
    witness_reply_init(&r);
    tree_grow(&b, "a", 5);
    tree_grow(&b, "b", 20);

    cr_assert_eq(submit_tree(&fx, &fx.a, 0, 8, &r), 200);
    /* B at the same size with another root: the spec's 422 since its
     * change of 2026-07-06 ("If the old size matches the checkpoint
     * size, ... the root hashes are also identical"); 409 is only ever
     * the stale size. */
    cr_assert_eq(submit_tree(&fx, &b, 8, 8, &r), 422);
    cr_assert_str_eq(r.content_type, "text/plain; charset=utf-8");
    cr_assert_not_null(strstr(r.body.data, "fork"), "%s", r.body.data);
    /* B grown to 10 with B's own (valid) proof from 8: it does not reach
     * the root the witness cosigned at 8. */
    cr_assert_eq(submit_tree(&fx, &b, 8, 10, &r), 422);
    /* And B from scratch is stale, whatever it claims. */
    cr_assert_eq(submit_tree(&fx, &b, 0, 10, &r), 409);
    cr_assert_str_eq(r.body.data, "8\n");
    assert_latest(&fx, &fx.a, 8);
    /* A goes on. */
    cr_assert_eq(submit_tree(&fx, &fx.a, 8, 10, &r), 200);

    tree_free(&b);
    witness_reply_free(&r);
    fx_free(&fx);
}

Test(witness, a_smaller_tree_is_refused)
{
    fixture fx;
    witness_reply r;
    fx_init(&fx);
    witness_reply_init(&r);

    cr_assert_eq(submit_tree(&fx, &fx.a, 0, 8, &r), 200);
    /* The spec: old size above the checkpoint's size is 400... */
    cr_assert_eq(submit_tree(&fx, &fx.a, 8, 5, &r), 400);
    cr_assert_str_eq(r.content_type, "text/plain; charset=utf-8");
    /* ...and an old size that is not the witness's is 409. */
    cr_assert_eq(submit_tree(&fx, &fx.a, 5, 5, &r), 409);
    cr_assert_str_eq(r.body.data, "8\n");
    cr_assert_eq(submit_tree(&fx, &fx.a, 0, 5, &r), 409);
    assert_latest(&fx, &fx.a, 8);

    witness_reply_free(&r);
    fx_free(&fx);
}

/* Every 409 the witness gives is the stale size, in the spec's shape. */
Test(witness, every_409_carries_the_size)
{
    fixture fx;
    witness_reply r;
    tree b = {0};
    fx_init(&fx);
    witness_reply_init(&r);
    tree_grow(&b, "b", 20);

    cr_assert_eq(submit_tree(&fx, &fx.a, 0, 8, &r), 200);
    const uint64_t olds[] = {0, 3, 9};
    for (size_t i = 0; i < 3; i++) {
        tree *t = i == 2 ? &fx.a : &b;
        cr_assert_eq(submit_tree(&fx, t, olds[i], 12, &r), 409);
        cr_assert_str_eq(r.content_type, "text/x.tlog.size");
        cr_assert_str_eq(r.body.data, "8\n");
    }

    tree_free(&b);
    witness_reply_free(&r);
    fx_free(&fx);
}

/* The hex SHA-256 of 'origin', the spec's <origin hash>. */
static void origin_hash(const char *origin, char hex[65])
{
    uint8_t h[32];
    crypto_hash_sha256(h, (const uint8_t *)origin, strlen(origin));
    sodium_bin2hex(hex, 65, h, sizeof h);
}

/* The checkpoint served for monitors opens with the log's key and the
 * witness's, and its text is the tree at 'size'. */
static void assert_served(fixture *fx, const char *note, size_t len, tree *t, uint64_t size)
{
    note_verifier keys[2];
    note_opened opened;
    uint8_t root[HS];
    cr_assert_eq(note_verifier_parse(&keys[0], fx->lvkey), 0);
    keys[1] = fx->wv;
    cr_assert_eq(note_open(note, len, keys, 2, &opened), 0, "%s", accord_error_message());
    cr_assert(opened.verified[0] && opened.verified[1]);
    cr_assert_eq(opened.nunknown, 0u, "only the log's and the witness's lines");
    tree_root(t, size, root);
    buf text = checkpoint_text(ORIGIN, size, root);
    cr_assert_eq(opened.text_len, text.len);
    cr_assert_eq(memcmp(note, text.data, text.len), 0);
    buf_free(&text);
}

Test(witness, serves_the_latest_cosigned_checkpoint)
{
    fixture fx;
    witness_reply r;
    char hash[65];
    buf out;
    fx_init(&fx);
    witness_reply_init(&r);
    buf_init(&out, NOTE_MAX_SIZE);
    origin_hash(ORIGIN, hash);

    /* Nothing cosigned yet: the spec's 404. */
    cr_assert_eq(witness_checkpoint(fx.w, hash, &out), ACCORD_ENOTFOUND);
    cr_assert_eq(submit_tree(&fx, &fx.a, 0, 8, &r), 200);
    cr_assert_eq(witness_checkpoint(fx.w, hash, &out), 0, "%s", accord_error_message());
    assert_served(&fx, out.data, out.len, &fx.a, 8);
    /* Its cosignature is the one add-checkpoint returned. */
    cr_assert_not_null(strstr(out.data, r.body.data));

    /* A note also signed by a key the witness does not know: that line is
     * not served, the log's is. */
    note_signer stranger;
    make_signer(&stranger, "stranger.example", NOTE_TYPE_ED25519, 3);
    uint8_t proof[MERKLE_MAX_PROOF][HS], root[HS];
    size_t n = tree_proof(&fx.a, 8, 12, proof);
    tree_root(&fx.a, 12, root);
    buf text = checkpoint_text(ORIGIN, 12, root);
    buf note = sign_text(&fx.log, text.data, text.len);
    buf extra;
    buf_init(&extra, 4096);
    cr_assert_eq(note_sign_line(&stranger, text.data, text.len, &extra), 0);
    cr_assert_eq(note_add_signature_line(&note, extra.data, extra.len), 0);
    buf body = request(8, (const uint8_t(*)[HS])proof, n, &note);
    cr_assert_eq(submit(&fx, &body, &r), 0, "%s", r.body.data);
    buf_reset(&out);
    cr_assert_eq(witness_checkpoint(fx.w, hash, &out), 0);
    assert_served(&fx, out.data, out.len, &fx.a, 12);
    cr_assert_null(strstr(out.data, "stranger.example"));

    /* A refused checkpoint leaves the served one as it was. */
    cr_assert_eq(submit_tree(&fx, &fx.a, 3, 14, &r), 409);
    buf_reset(&out);
    cr_assert_eq(witness_checkpoint(fx.w, hash, &out), 0);
    assert_served(&fx, out.data, out.len, &fx.a, 12);

    /* It outlives the process. */
    witness_close(fx.w);
    fx_open(&fx);
    buf served = {0};
    buf_init(&served, NOTE_MAX_SIZE);
    cr_assert_eq(witness_checkpoint(fx.w, hash, &served), 0, "%s", accord_error_message());
    cr_assert_str_eq(served.data, out.data);

    /* Other hashes are unknown; uppercase is not the spec's spelling. */
    char other[65];
    origin_hash("other.example/log", other);
    cr_assert_eq(witness_checkpoint(fx.w, other, &out), ACCORD_ENOTFOUND);
    for (char *c = hash; *c; c++)
        *c = (char)(*c >= 'a' && *c <= 'f' ? *c - 32 : *c);
    cr_assert_eq(witness_checkpoint(fx.w, hash, &out), ACCORD_ENOTFOUND);

    buf_free(&served);
    buf_free(&body);
    buf_free(&extra);
    buf_free(&note);
    buf_free(&text);
    buf_free(&out);
    witness_reply_free(&r);
    fx_free(&fx);
}

/* A state file from before the witness kept checkpoints still opens; the
 * log's checkpoint is served again after its next cosignature. */
Test(witness_state, a_state_without_checkpoints_opens)
{
    fixture fx;
    witness_reply r;
    char hash[65];
    buf out;
    uint8_t root[HS];
    char b64[sodium_base64_ENCODED_LEN(HS, sodium_base64_VARIANT_ORIGINAL)];
    fx_init(&fx);
    witness_reply_init(&r);
    buf_init(&out, NOTE_MAX_SIZE);
    origin_hash(ORIGIN, hash);
    witness_close(fx.w);
    fx.w = NULL;

    tree_root(&fx.a, 8, root);
    sodium_bin2base64(b64, sizeof b64, root, HS, sodium_base64_VARIANT_ORIGINAL);
    FILE *f = fopen(fx.state_path, "w");
    cr_assert_not_null(f);
    fprintf(f, "{\"format\": \"accord-witness-state/1\", \"logs\": {\"" ORIGIN "\": {\"size\": \"8\", \"root\": "
               "\"%s\"}}}\n", b64);
    fclose(f);
    fx_open(&fx);
    assert_latest(&fx, &fx.a, 8);
    cr_assert_eq(witness_checkpoint(fx.w, hash, &out), ACCORD_ENOTFOUND);
    /* The same tree head again fills it in. */
    cr_assert_eq(submit_tree(&fx, &fx.a, 8, 8, &r), 200);
    cr_assert_eq(witness_checkpoint(fx.w, hash, &out), 0, "%s", accord_error_message());
    assert_served(&fx, out.data, out.len, &fx.a, 8);

    buf_free(&out);
    witness_reply_free(&r);
    fx_free(&fx);
}

Test(witness, unknown_logs_and_bad_signatures)
{
    fixture fx;
    witness_reply r;
    note_signer other, impostor;
    uint8_t root[HS];
    fx_init(&fx);
    witness_reply_init(&r);
    make_signer(&other, "other.example/log", NOTE_TYPE_ED25519, 9);
    make_signer(&impostor, ORIGIN, NOTE_TYPE_ED25519, 8);
    tree_root(&fx.a, 8, root);
    buf text = checkpoint_text(ORIGIN, 8, root);

    /* An origin the witness does not know: 404. */
    buf note = signed_checkpoint(&other, "other.example/log", &fx.a, 8);
    buf body = request(0, NULL, 0, &note);
    cr_assert_eq(submit(&fx, &body, &r), ACCORD_ENOTFOUND);
    cr_assert_eq(r.status, 404);
    buf_free(&note);
    buf_free(&body);

    /* The right origin signed by another key: 403. */
    note = sign_text(&impostor, text.data, text.len);
    body = request(0, NULL, 0, &note);
    cr_assert_eq(submit(&fx, &body, &r), ACCORD_EFORBIDDEN);
    cr_assert_eq(r.status, 403);
    buf_free(&body);
    buf_free(&note);

    /* The log's signature over another text: 403. */
    note = sign_text(&fx.log, text.data, text.len);
    note.data[strlen(ORIGIN) + 1] = '9'; /* size 8 -> 9 */
    body = request(0, NULL, 0, &note);
    cr_assert_eq(submit(&fx, &body, &r), ACCORD_EFORBIDDEN);
    buf_free(&body);
    buf_free(&note);

    /* Unsigned: 403. */
    buf_init(&note, 4096);
    buf_append(&note, text.data, text.len);
    buf_puts(&note, "\n");
    body = request(0, NULL, 0, &note);
    cr_assert_eq(submit(&fx, &body, &r), ACCORD_EFORBIDDEN);
    buf_free(&body);
    buf_free(&note);

    /* The log's signature next to an unknown one is fine. */
    tree_root(&fx.a, 8, root);
    buf text2 = checkpoint_text(ORIGIN, 8, root);
    note = sign_text(&fx.log, text2.data, text2.len);
    buf line;
    buf_init(&line, 4096);
    cr_assert_eq(note_sign_line(&other, text2.data, text2.len, &line), 0);
    cr_assert_eq(note_add_signature_line(&note, line.data, line.len), 0);
    body = request(0, NULL, 0, &note);
    cr_assert_eq(submit(&fx, &body, &r), 0, "%s", r.body.data);
    buf_free(&body);
    buf_free(&note);
    buf_free(&line);
    buf_free(&text2);

    buf_free(&text);
    witness_reply_free(&r);
    fx_free(&fx);
}

Test(witness, malformed_bodies_are_400)
{
    fixture fx;
    witness_reply r;
    fx_init(&fx);
    witness_reply_init(&r);
    buf note = signed_checkpoint(&fx.log, ORIGIN, &fx.a, 8);
    static const char *const heads[] = {
        "",                           /* nothing */
        "\n",                         /* no old line */
        "old\n\n",                    /* no size */
        "old  0\n\n",                 /* two spaces */
        "old 00\n\n",                 /* leading zero */
        "old 08\n\n",                 /* leading zero */
        "old -1\n\n",                 /* sign */
        "old +1\n\n",                 /* sign */
        "old 18446744073709551616\n\n", /* 2^64 */
        "old 0x1\n\n",                /* hex */
        "Old 0\n\n",                  /* case */
        "old 0\r\n\r\n",              /* CRLF */
        "new 0\n\n",                  /* another verb */
        "old 0\nnot base64\n\n",      /* a bad proof line */
        "old 0\nAAAA\n\n",            /* a short hash */
        "old 0\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB\n\n", /* stray bits */
    };
    for (size_t i = 0; i < sizeof heads / sizeof heads[0]; i++) {
        buf body;
        buf_init(&body, 1 << 20);
        buf_puts(&body, heads[i]);
        buf_append(&body, note.data, note.len);
        cr_assert_eq(submit(&fx, &body, &r), ACCORD_EINVAL, "case %zu: %d %s", i, r.status, r.body.data);
        cr_assert_eq(r.status, 400);
        buf_free(&body);
    }
    /* The old line alone, and a body with no empty line. */
    buf body;
    buf_init(&body, 1 << 20);
    buf_puts(&body, "old 0\n");
    cr_assert_eq(submit(&fx, &body, &r), ACCORD_EINVAL);
    buf_free(&body);

    /* 64 proof lines: more than the spec allows. */
    uint8_t proof[64][HS] = {{0}};
    body = request(0, (const uint8_t(*)[HS])proof, 64, &note);
    cr_assert_eq(submit(&fx, &body, &r), ACCORD_EINVAL);
    buf_free(&body);

    /* A text the log did sign, but not a checkpoint: 400. */
    buf bad = sign_text(&fx.log, ORIGIN "\n08\nAAAA\n", strlen(ORIGIN "\n08\nAAAA\n"));
    body = request(0, NULL, 0, &bad);
    cr_assert_eq(submit(&fx, &body, &r), ACCORD_EINVAL);
    cr_assert_eq(r.status, 400);
    buf_free(&body);
    buf_free(&bad);

    /* Nothing was recorded. */
    uint64_t size;
    uint8_t root[HS];
    cr_assert_eq(witness_latest(fx.w, ORIGIN, &size, root), ACCORD_ENOTFOUND);
    buf_free(&note);
    witness_reply_free(&r);
    fx_free(&fx);
}

Test(witness, proofs_that_must_be_empty)
{
    fixture fx;
    witness_reply r;
    uint8_t proof[MERKLE_MAX_PROOF][HS], empty[HS];
    fx_init(&fx);
    witness_reply_init(&r);

    /* "The proof MUST be empty if the old size is zero." */
    buf note = signed_checkpoint(&fx.log, ORIGIN, &fx.a, 8);
    size_t n = tree_proof(&fx.a, 4, 8, proof);
    buf body = request(0, (const uint8_t(*)[HS])proof, n, &note);
    cr_assert_eq(submit(&fx, &body, &r), ACCORD_EVERIFY);
    cr_assert_eq(r.status, 422);
    buf_free(&body);
    /* Equal sizes with a proof. */
    body = request(0, NULL, 0, &note);
    cr_assert_eq(submit(&fx, &body, &r), 0);
    buf_free(&body);
    body = request(8, (const uint8_t(*)[HS])proof, 1, &note);
    cr_assert_eq(submit(&fx, &body, &r), ACCORD_EVERIFY);
    buf_free(&body);
    buf_free(&note);

    /* A size-0 checkpoint must carry the empty tree's root. */
    fixture fy;
    fx_init(&fy);
    uint8_t root[HS];
    tree_root(&fy.a, 3, root);
    buf text = checkpoint_text(ORIGIN, 0, root);
    note = sign_text(&fy.log, text.data, text.len);
    body = request(0, NULL, 0, &note);
    cr_assert_eq(submit(&fy, &body, &r), ACCORD_EVERIFY);
    buf_free(&body);
    buf_free(&note);
    buf_free(&text);
    merkle_empty_root(empty);
    text = checkpoint_text(ORIGIN, 0, empty);
    note = sign_text(&fy.log, text.data, text.len);
    body = request(0, NULL, 0, &note);
    cr_assert_eq(submit(&fy, &body, &r), 0, "%s", r.body.data);
    cr_assert_eq(cosign_verify(&fy.wv, text.data, text.len, r.body.data, r.body.len, NULL), 0);
    /* ...and the log grows from 0 with an empty proof. */
    cr_assert_eq(submit_tree(&fy, &fy.a, 0, 4, &r), 200);
    buf_free(&body);
    buf_free(&note);
    buf_free(&text);

    witness_reply_free(&r);
    fx_free(&fx);
    fx_free(&fy);
}

/* ---------------------------------------------------------------------------
 * Concurrency: check and update are one step
 * ------------------------------------------------------------------------- */

typedef struct {
    fixture *fx;
    const buf *body;
    int status;
    char reply[64];
} racer;

static void *race(void *arg)
{
    racer *rc = arg;
    witness_reply r;
    witness_reply_init(&r);
    witness_add_checkpoint(rc->fx->w, rc->body->data, rc->body->len, &r);
    rc->status = r.status;
    snprintf(rc->reply, sizeof rc->reply, "%s", r.body.data ? r.body.data : "");
    witness_reply_free(&r);
    return NULL;
}

Test(witness, concurrent_requests_from_one_size_cosign_once)
{
    enum { N = 8 };
    fixture fx;
    witness_reply r;
    uint8_t proof[N][MERKLE_MAX_PROOF][HS];
    buf notes[N], bodies[N];
    racer racers[N];
    pthread_t th[N];
    fx_init(&fx);
    witness_reply_init(&r);
    cr_assert_eq(submit_tree(&fx, &fx.a, 0, 8, &r), 200);

    /* N requests from 8 to sizes 9..16, all at once: the first to get
     * the lock wins; every other one then sees a stale old size. */
    for (int i = 0; i < N; i++) {
        uint64_t size = 9 + (uint64_t)i;
        size_t n = tree_proof(&fx.a, 8, size, proof[i]);
        notes[i] = signed_checkpoint(&fx.log, ORIGIN, &fx.a, size);
        bodies[i] = request(8, (const uint8_t(*)[HS])proof[i], n, &notes[i]);
        racers[i] = (racer){.fx = &fx, .body = &bodies[i]};
    }
    for (int i = 0; i < N; i++)
        cr_assert_eq(pthread_create(&th[i], NULL, race, &racers[i]), 0);
    for (int i = 0; i < N; i++)
        pthread_join(th[i], NULL);

    int won = -1;
    for (int i = 0; i < N; i++) {
        if (racers[i].status == 200) {
            cr_assert_eq(won, -1, "two requests from size 8 were cosigned");
            won = i;
        }
    }
    cr_assert_neq(won, -1);
    char want[32];
    snprintf(want, sizeof want, "%d\n", 9 + won);
    for (int i = 0; i < N; i++)
        if (i != won) {
            cr_assert_eq(racers[i].status, 409);
            cr_assert_str_eq(racers[i].reply, want);
        }
    assert_latest(&fx, &fx.a, 9 + (uint64_t)won);

    for (int i = 0; i < N; i++) {
        buf_free(&notes[i]);
        buf_free(&bodies[i]);
    }
    witness_reply_free(&r);
    fx_free(&fx);
}

/* ---------------------------------------------------------------------------
 * State
 * ------------------------------------------------------------------------- */

static char *read_text(const char *path)
{
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "%s", path);
    char *text = calloc(1, 1 << 16);
    size_t n = fread(text, 1, (1 << 16) - 1, f);
    text[n] = '\0';
    fclose(f);
    return text;
}

Test(witness_state, survives_close_and_reopen)
{
    fixture fx;
    witness_reply r;
    fx_init(&fx);
    witness_reply_init(&r);
    cr_assert_eq(submit_tree(&fx, &fx.a, 0, 8, &r), 200);

    witness_close(fx.w);
    fx_open(&fx);
    assert_latest(&fx, &fx.a, 8);
    cr_assert_eq(submit_tree(&fx, &fx.a, 0, 13, &r), 409);
    cr_assert_str_eq(r.body.data, "8\n");
    cr_assert_eq(submit_tree(&fx, &fx.a, 8, 13, &r), 200);

    /* The file is the documented JSON, with no temporary left over. */
    uint8_t root[HS];
    char b64[64], want[256];
    tree_root(&fx.a, 13, root);
    sodium_bin2base64(b64, sizeof b64, root, HS, sodium_base64_VARIANT_ORIGINAL);
    snprintf(want, sizeof want, "\"%s\": {\n      \"checkpoint\": \"" ORIGIN "\\n13\\n%s\\n\\n\u2014 " ORIGIN " ",
             ORIGIN, b64);
    char *text = read_text(fx.state_path);
    cr_assert_not_null(strstr(text, "\"format\": \"accord-witness-state/1\""), "%s", text);
    cr_assert_not_null(strstr(text, want), "%s", text);
    snprintf(want, sizeof want, "\"root\": \"%s\",\n      \"size\": \"13\"\n    }", b64);
    cr_assert_not_null(strstr(text, want), "%s", text);
    free(text);
    char tmp[600];
    snprintf(tmp, sizeof tmp, "%s.tmp", fx.state_path);
    cr_assert_neq(access(tmp, F_OK), 0);

    witness_reply_free(&r);
    fx_free(&fx);
}

Test(witness_state, a_failed_write_cosigns_nothing_and_changes_nothing)
{
    fixture fx;
    witness_reply r;
    char tmp[600];
    fx_init(&fx);
    witness_reply_init(&r);
    cr_assert_eq(submit_tree(&fx, &fx.a, 0, 8, &r), 200);

    /* A directory where the temporary file goes makes the write fail
     * (whoever runs the tests, root included). */
    snprintf(tmp, sizeof tmp, "%s.tmp", fx.state_path);
    cr_assert_eq(mkdir(tmp, 0700), 0);
    cr_assert_eq(submit_tree(&fx, &fx.a, 8, 13, &r), 500);
    cr_assert_str_eq(r.body.data, "internal error\n");
    assert_latest(&fx, &fx.a, 8);
    cr_assert_eq(rmdir(tmp), 0);

    cr_assert_eq(submit_tree(&fx, &fx.a, 8, 13, &r), 200);
    witness_close(fx.w);
    fx_open(&fx);
    assert_latest(&fx, &fx.a, 13);

    witness_reply_free(&r);
    fx_free(&fx);
}

Test(witness_state, a_log_left_out_of_the_configuration_keeps_its_record)
{
    fixture fx;
    witness_reply r;
    note_signer other;
    char ovkey[LOGKEY_MAX_VKEY];
    fx_init(&fx);
    witness_reply_init(&r);
    cr_assert_eq(submit_tree(&fx, &fx.a, 0, 8, &r), 200);
    make_signer(&other, "other.example/log", NOTE_TYPE_ED25519, 9);
    note_signer_vkey(&other, ovkey);

    /* Served for a while with only the other log, which gets a record. */
    witness_close(fx.w);
    const char *only_other[] = {ovkey};
    cr_assert_eq(witness_open(&fx.w, fx.key_path, fx.state_path, only_other, 1), 0, "%s", accord_error_message());
    buf note = signed_checkpoint(&other, "other.example/log", &fx.a, 3);
    buf body = request(0, NULL, 0, &note);
    cr_assert_eq(submit(&fx, &body, &r), 0, "%s", r.body.data);
    cr_assert_eq(submit_tree(&fx, &fx.a, 0, 4, &r), 404);
    buf_free(&note);
    buf_free(&body);

    /* Back with both: the first log's record was kept. */
    witness_close(fx.w);
    const char *both[] = {fx.lvkey, ovkey};
    cr_assert_eq(witness_open(&fx.w, fx.key_path, fx.state_path, both, 2), 0, "%s", accord_error_message());
    assert_latest(&fx, &fx.a, 8);
    cr_assert_eq(submit_tree(&fx, &fx.a, 0, 4, &r), 409);
    cr_assert_str_eq(r.body.data, "8\n");

    witness_reply_free(&r);
    fx_free(&fx);
}

Test(witness_state, one_process_per_state_file)
{
    fixture fx;
    witness *second = NULL;
    const char *logs[1];
    fx_init(&fx);
    logs[0] = fx.lvkey;

    cr_assert_eq(witness_open(&second, fx.key_path, fx.state_path, logs, 1), ACCORD_EENV);
    cr_assert_null(second);
    witness_close(fx.w);
    cr_assert_eq(witness_open(&fx.w, fx.key_path, fx.state_path, logs, 1), 0, "%s", accord_error_message());
    fx_free(&fx);
}

Test(witness_state, a_damaged_state_file_stops_the_witness)
{
    fixture fx;
    witness *w = NULL;
    const char *logs[1];
    fx_init(&fx);
    logs[0] = fx.lvkey;
    witness_close(fx.w);
    fx.w = NULL;

    static const char *const bad[] = {
        "",
        "{",
        "[]",
        "{\"format\": \"accord-witness-state/2\", \"logs\": {}}",
        "{\"format\": \"accord-witness-state/1\"}",
        "{\"format\": \"accord-witness-state/1\", \"logs\": {}, \"more\": 1}",
        "{\"format\": \"accord-witness-state/1\", \"logs\": {\"o\": {\"size\": 8, "
        "\"root\": \"47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\"}}}",
        "{\"format\": \"accord-witness-state/1\", \"logs\": {\"o\": {\"size\": \"08\", "
        "\"root\": \"47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\"}}}",
        "{\"format\": \"accord-witness-state/1\", \"logs\": {\"o\": {\"size\": \"8\", \"root\": \"AAAA\"}}}",
        "{\"format\": \"accord-witness-state/1\", \"logs\": {\"o\": {\"size\": \"8\", "
        "\"root\": \"47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\"}, \"o\": {\"size\": \"9\", "
        "\"root\": \"47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\"}}}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        th_write_file(fx.state_path, bad[i]);
        cr_assert_eq(witness_open(&w, fx.key_path, fx.state_path, logs, 1), ACCORD_ESTORE, "case %zu", i);
        cr_assert_null(w);
    }
    /* A good one with a size above 2^63 loads. */
    th_write_file(fx.state_path, "{\"format\": \"accord-witness-state/1\", \"logs\": {\"" ORIGIN
                              "\": {\"size\": \"18446744073709551615\", "
                              "\"root\": \"47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\"}}}");
    cr_assert_eq(witness_open(&fx.w, fx.key_path, fx.state_path, logs, 1), 0, "%s", accord_error_message());
    uint64_t size;
    uint8_t root[HS];
    cr_assert_eq(witness_latest(fx.w, ORIGIN, &size, root), 0);
    cr_assert_eq(size, UINT64_MAX);
    fx_free(&fx);
}

Test(witness_state, bad_configurations_are_refused)
{
    fixture fx;
    witness *w = NULL;
    note_signer cosigner;
    char cvkey[LOGKEY_MAX_VKEY];
    fx_init(&fx);
    make_signer(&cosigner, ORIGIN, NOTE_TYPE_COSIGNATURE, 3);
    note_signer_vkey(&cosigner, cvkey);
    witness_close(fx.w);
    fx.w = NULL;

    const char *twice[] = {fx.lvkey, fx.lvkey};
    const char *garbage[] = {"not a key"};
    const char *witness_key[] = {cvkey};
    cr_assert_eq(witness_open(&w, fx.key_path, fx.state_path, twice, 2), ACCORD_EINVAL);
    cr_assert_eq(witness_open(&w, fx.key_path, fx.state_path, garbage, 1), ACCORD_EINVAL);
    cr_assert_eq(witness_open(&w, fx.key_path, fx.state_path, witness_key, 1), ACCORD_EINVAL);
    cr_assert_eq(witness_open(&w, fx.key_path, fx.state_path, twice, 0), ACCORD_EINVAL);
    /* A log key is not a witness key. */
    char logkey[600];
    snprintf(logkey, sizeof logkey, "%s/log.key", fx.dir);
    char vk[LOGKEY_MAX_VKEY];
    cr_assert_eq(logkey_create(logkey, ORIGIN, vk), 0);
    const char *logs[] = {fx.lvkey};
    cr_assert_eq(witness_open(&w, logkey, fx.state_path, logs, 1), ACCORD_EINVAL);
    cr_assert_null(w);

    /* Two keys for one origin: either signs. */
    note_signer second;
    char svkey[LOGKEY_MAX_VKEY];
    make_signer(&second, ORIGIN, NOTE_TYPE_ED25519, 11);
    note_signer_vkey(&second, svkey);
    const char *two[] = {fx.lvkey, svkey};
    cr_assert_eq(witness_open(&fx.w, fx.key_path, fx.state_path, two, 2), 0, "%s", accord_error_message());
    witness_reply r;
    witness_reply_init(&r);
    buf note = signed_checkpoint(&second, ORIGIN, &fx.a, 6);
    buf body = request(0, NULL, 0, &note);
    cr_assert_eq(submit(&fx, &body, &r), 0, "%s", r.body.data);
    buf_free(&note);
    buf_free(&body);
    witness_reply_free(&r);
    fx_free(&fx);
}

/* ---------------------------------------------------------------------------
 * The client's cosignature check
 * ------------------------------------------------------------------------- */

Test(witness, client_checks_cosignature_lines)
{
    fixture fx;
    witness_reply r;
    note_signer other_witness;
    uint64_t ts = 0;
    fx_init(&fx);
    witness_reply_init(&r);
    make_signer(&other_witness, "witness.example/w2", NOTE_TYPE_COSIGNATURE, 5);

    buf note = signed_checkpoint(&fx.log, ORIGIN, &fx.a, 8);
    buf body = request(0, NULL, 0, &note);
    cr_assert_eq(submit(&fx, &body, &r), 0);
    cr_assert_eq(witness_client_check_cosignature(fx.wvkey, note.data, note.len, r.body.data, r.body.len, &ts), 0,
                 "%s", accord_error_message());
    cr_assert_gt(ts, 0u);

    /* Lines by other witnesses are ignored, but one by ours is needed. */
    uint8_t root[HS];
    tree_root(&fx.a, 8, root);
    buf text = checkpoint_text(ORIGIN, 8, root);
    buf lines;
    buf_init(&lines, 4096);
    cr_assert_eq(cosign_sign(&other_witness, text.data, text.len, 1000, &lines), 0);
    cr_assert_eq(witness_client_check_cosignature(fx.wvkey, note.data, note.len, lines.data, lines.len, NULL),
                 ACCORD_EVERIFY);
    buf_append(&lines, r.body.data, r.body.len);
    cr_assert_eq(witness_client_check_cosignature(fx.wvkey, note.data, note.len, lines.data, lines.len, NULL), 0);

    /* Tampered, or for another checkpoint. */
    char *tampered = strdup(r.body.data);
    tampered[strlen(tampered) - 6] ^= 1;
    cr_assert_neq(witness_client_check_cosignature(fx.wvkey, note.data, note.len, tampered, strlen(tampered), NULL),
                  0);
    free(tampered);
    buf note9 = signed_checkpoint(&fx.log, ORIGIN, &fx.a, 9);
    cr_assert_eq(witness_client_check_cosignature(fx.wvkey, note9.data, note9.len, r.body.data, r.body.len, NULL),
                 ACCORD_EVERIFY);
    /* A log key is not a witness key. */
    cr_assert_eq(witness_client_check_cosignature(fx.lvkey, note.data, note.len, r.body.data, r.body.len, NULL),
                 ACCORD_EINVAL);

    buf_free(&note9);
    buf_free(&lines);
    buf_free(&text);
    buf_free(&note);
    buf_free(&body);
    witness_reply_free(&r);
    fx_free(&fx);
}

/* ---------------------------------------------------------------------------
 * End to end: `accord witness serve` and witness_client_submit()
 * ------------------------------------------------------------------------- */

/* Runs `accord witness init` in 'dir' and returns the vkey it prints. */
static void cli_witness_init(const char *key_path, char vkey[LOGKEY_MAX_VKEY])
{
    char *out = NULL;
    const char *init[] = {"witness", "init", "--key", key_path, "--name", WITNESS_NAME, NULL};
    cr_assert_eq(th_run_accord(&out, init), 0);
    const char *v = strstr(out, "Verifier key: ");
    cr_assert_not_null(v, "%s", out);
    v += strlen("Verifier key: ");
    snprintf(vkey, LOGKEY_MAX_VKEY, "%.*s", (int)strcspn(v, "\n"), v);
    free(out);

    /* `witness vkey` prints the same key. */
    const char *show[] = {"witness", "vkey", "--key", key_path, NULL};
    cr_assert_eq(th_run_accord(&out, show), 0);
    out[strcspn(out, "\n")] = '\0';
    cr_assert_str_eq(out, vkey);
    free(out);
}

/* Submits tree 't' at 'size' through the client, from 'old'. */
static int client_submit(const char *url, const note_signer *log, tree *t, uint64_t old, uint64_t size,
                         buf *lines, uint64_t *wsize, buf *note_out)
{
    uint8_t proof[MERKLE_MAX_PROOF][HS];
    size_t n = old ? tree_proof(t, old, size, proof) : 0;
    *note_out = signed_checkpoint(log, ORIGIN, t, size);
    return witness_client_submit(url, old, (const uint8_t(*)[HS])proof, n, note_out->data, note_out->len, lines,
                                 wsize);
}

Test(witness_http, serve_and_submit_with_the_409_retry)
{
    char *dir = th_tempdir();
    char key[512], state[512], wvkey[LOGKEY_MAX_VKEY], lvkey[LOGKEY_MAX_VKEY];
    note_signer log;
    tree a = {0}, b = {0};
    th_server s;
    buf lines, note;
    uint64_t wsize = 0;

    snprintf(key, sizeof key, "%s/w.key", dir);
    snprintf(state, sizeof state, "%s/state.json", dir);
    cli_witness_init(key, wvkey);
    make_signer(&log, ORIGIN, NOTE_TYPE_ED25519, 7);
    note_signer_vkey(&log, lvkey);
    tree_grow(&a, "a", 16);
    tree_grow(&b, "a", 5);
    tree_grow(&b, "b", 16);
    const char *args[] = {"witness", "serve", "--key", key, "--state", state, "--log", lvkey,
                          "--port", "0", "--threads", "2", NULL};
    th_server_start_cmd(&s, args);
    buf_init(&lines, 4096);

    /* First contact. */
    cr_assert_eq(client_submit(s.base, &log, &a, 0, 8, &lines, &wsize, &note), 0, "%s", accord_error_message());
    cr_assert_eq(witness_client_check_cosignature(wvkey, note.data, note.len, lines.data, lines.len, NULL), 0, "%s",
                 accord_error_message());
    buf_free(&note);

    /* A log that lost track asks from 0, learns 8, retries with a proof. */
    buf_reset(&lines);
    cr_assert_eq(client_submit(s.base, &log, &a, 0, 13, &lines, &wsize, &note), ACCORD_ECONFLICT);
    cr_assert_eq(wsize, 8u);
    cr_assert_eq(lines.len, 0u);
    buf_free(&note);
    cr_assert_eq(client_submit(s.base, &log, &a, wsize, 13, &lines, &wsize, &note), 0, "%s",
                 accord_error_message());
    cr_assert_eq(witness_client_check_cosignature(wvkey, note.data, note.len, lines.data, lines.len, NULL), 0);
    buf_free(&note);

    /* The fork is refused: same size other root, then a proof from B. */
    cr_assert_eq(client_submit(s.base, &log, &b, 13, 13, &lines, &wsize, &note), ACCORD_EVERIFY);
    cr_assert_not_null(strstr(accord_error_message(), "422"), "%s", accord_error_message());
    buf_free(&note);
    cr_assert_eq(client_submit(s.base, &log, &b, 13, 16, &lines, &wsize, &note), ACCORD_EVERIFY);
    buf_free(&note);

    /* An unknown log is the client's ENOTFOUND. */
    note_signer other;
    make_signer(&other, "other.example/log", NOTE_TYPE_ED25519, 9);
    buf onote = signed_checkpoint(&other, "other.example/log", &a, 3);
    cr_assert_eq(witness_client_submit(s.base, 0, NULL, 0, onote.data, onote.len, &lines, NULL), ACCORD_ENOTFOUND);
    buf_free(&onote);

    /* Other paths, methods and oversized bodies. */
    th_response r;
    char url[256];
    snprintf(url, sizeof url, "%s/add-checkpoint", s.base);
    th_http(&r, "GET", url, NULL, NULL, 0);
    cr_assert_eq(r.status, 405);
    th_response_free(&r);
    th_http(&r, "POST", s.base, NULL, "old 0\n\n", 7);
    cr_assert_eq(r.status, 404);
    th_response_free(&r);
    size_t big = WITNESS_MAX_BODY + 1;
    char *huge = malloc(big);
    memset(huge, 'A', big);
    th_http(&r, "POST", url, NULL, huge, big);
    cr_assert_eq(r.status, 413);
    th_response_free(&r);
    free(huge);
    th_http(&r, "POST", url, NULL, "old 0\n", 6);
    cr_assert_eq(r.status, 400);
    th_response_free(&r);

    /* Monitors read the latest cosigned checkpoint by origin hash. */
    char hash[65];
    origin_hash(ORIGIN, hash);
    snprintf(url, sizeof url, "%s/%s/checkpoint", s.base, hash);
    th_http(&r, "GET", url, NULL, NULL, 0);
    cr_assert_eq(r.status, 200, "%s", r.body);
    note_verifier keys[2];
    note_opened opened;
    cr_assert_eq(note_verifier_parse(&keys[0], lvkey), 0);
    cr_assert_eq(note_verifier_parse(&keys[1], wvkey), 0);
    cr_assert_eq(note_open(r.body, r.len, keys, 2, &opened), 0, "%s", accord_error_message());
    cr_assert(opened.verified[0] && opened.verified[1]);
    cr_assert(strncmp(r.body, ORIGIN "\n13\n", strlen(ORIGIN) + 4) == 0, "%s", r.body);
    th_response_free(&r);
    th_http(&r, "POST", url, NULL, "x", 1);
    cr_assert_eq(r.status, 405);
    th_response_free(&r);
    origin_hash("other.example/log", hash);
    snprintf(url, sizeof url, "%s/%s/checkpoint", s.base, hash);
    th_http(&r, "GET", url, NULL, NULL, 0);
    cr_assert_eq(r.status, 404);
    th_response_free(&r);

    /* The state outlives the server. */
    th_server_stop(&s);
    cr_assert_eq(client_submit(s.base, &log, &a, 13, 16, &lines, &wsize, &note), ACCORD_EENV);
    buf_free(&note);
    th_server_start_cmd(&s, args);
    snprintf(url, sizeof url, "%s/", s.base); /* a trailing slash is fine */
    cr_assert_eq(client_submit(url, &log, &a, 0, 16, &lines, &wsize, &note), ACCORD_ECONFLICT);
    cr_assert_eq(wsize, 13u);
    buf_free(&note);
    buf_reset(&lines);
    cr_assert_eq(client_submit(url, &log, &a, 13, 16, &lines, &wsize, &note), 0, "%s", accord_error_message());
    cr_assert_eq(witness_client_check_cosignature(wvkey, note.data, note.len, lines.data, lines.len, NULL), 0);
    buf_free(&note);
    th_server_stop(&s);

    buf_free(&lines);
    tree_free(&a);
    tree_free(&b);
    th_rmtree(dir);
    free(dir);
}

/* ---------------------------------------------------------------------------
 * The witness server keeps the API server's limits (the HTTP skeleton)
 * ------------------------------------------------------------------------- */

static double mono_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* True once the server has closed 'fd' (end of stream or reset), waiting
 * up to 'timeout_ms' for it. */
static bool closed_by_server(int fd, int timeout_ms)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    char c[256];
    double deadline = mono_s() + timeout_ms / 1000.0;
    for (;;) {
        int left = (int)((deadline - mono_s()) * 1000);
        if (poll(&p, 1, left > 0 ? left : 0) != 1)
            return false;
        ssize_t n = recv(fd, c, sizeof c, MSG_DONTWAIT);
        if (n <= 0)
            return n == 0 || errno != EAGAIN;
    }
}

/* Starts `accord witness serve` in 'dir' with its default limits. */
static void start_witness(th_server *s, const char *dir)
{
    char key[512], state[512], wvkey[LOGKEY_MAX_VKEY], lvkey[LOGKEY_MAX_VKEY];
    note_signer log;
    snprintf(key, sizeof key, "%s/w.key", dir);
    snprintf(state, sizeof state, "%s/state.json", dir);
    cli_witness_init(key, wvkey);
    make_signer(&log, ORIGIN, NOTE_TYPE_ED25519, 7);
    note_signer_vkey(&log, lvkey);
    const char *args[] = {"witness", "serve", "--key", key, "--state", state, "--log", lvkey,
                          "--port", "0", "--threads", "2", NULL};
    th_server_start_cmd(s, args);
}

Test(witness_http, a_request_whose_headers_trickle_in_is_closed_at_the_header_deadline)
{
    char *dir = th_tempdir();
    th_server s;
    start_witness(&s, dir);
    /* One header line a second keeps the connection active: only a
     * deadline for the whole header ends it (libmicrohttpd's own timeout
     * counts inactivity). */
    int fd = th_connect_from(s.port, "127.0.0.1");
    cr_assert_geq(fd, 0);
    double t0 = mono_s();
    bool open = th_send_all(fd, "POST /add-checkpoint HTTP/1.1\r\n", 31);
    while (open && mono_s() - t0 < 15) {
        open = th_send_all(fd, "X-Slow: 1\r\n", 11);
        if (closed_by_server(fd, 1000))
            open = false;
    }
    double took = mono_s() - t0;
    close(fd);
    th_server_stop(&s);
    th_rmtree(dir);
    free(dir);
    cr_assert_lt(took, 12.0, "the trickling connection stayed open for %.1f s", took);
}

Test(witness_http, one_address_holds_at_most_256_connections_and_others_are_still_served)
{
    char *dir = th_tempdir();
    th_server s;
    start_witness(&s, dir);
    enum { OPEN = 300 };
    static int fds[OPEN];
    int opened = 0, refused = 0;
    for (int i = 0; i < OPEN; i++)
        if ((fds[i] = th_connect_from(s.port, "127.0.0.1")) >= 0)
            opened++;
    cr_assert_eq(opened, OPEN, "could open only %d sockets", opened);
    /* Well before the header deadline: what is closed now was refused. */
    for (int i = 0; i < OPEN; i++)
        refused += closed_by_server(fds[i], i == 0 ? 500 : 0);
    /* Another address is served meanwhile. */
    int other = th_connect_from(s.port, "127.0.0.2");
    cr_assert_geq(other, 0);
    const char req[] = "GET /add-checkpoint HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
    th_send_all(other, req, sizeof req - 1);
    char out[512] = "";
    struct pollfd p = {.fd = other, .events = POLLIN};
    if (poll(&p, 1, 3000) == 1)
        recv(other, out, sizeof out - 1, 0);
    close(other);
    for (int i = 0; i < OPEN; i++)
        close(fds[i]);
    th_server_stop(&s);
    th_rmtree(dir);
    free(dir);
    cr_assert_eq(refused, OPEN - 256, "%d of %d connections from one address were closed at once", refused, OPEN);
    cr_assert(strncmp(out, "HTTP/1.1 405 ", 13) == 0, "another address got: %s", out);
}

Test(witness_http, cli_refusals)
{
    char *dir = th_tempdir();
    char key[512], wvkey[LOGKEY_MAX_VKEY];
    snprintf(key, sizeof key, "%s/w.key", dir);
    cli_witness_init(key, wvkey);

    const char *again[] = {"witness", "init", "--key", key, "--name", WITNESS_NAME, NULL};
    cr_assert_eq(th_run_accord(NULL, again), 2); /* the key file exists */
    const char *no_log[] = {"witness", "serve", "--key", key, "--state", "x.json", NULL};
    cr_assert_eq(th_run_accord(NULL, no_log), 1);
    const char *bad_log[] = {"witness", "serve", "--key", key, "--state", "x.json", "--log", "nope", NULL};
    cr_assert_eq(th_run_accord(NULL, bad_log), 1);
    const char *unknown[] = {"witness", "frobnicate", NULL};
    cr_assert_eq(th_run_accord(NULL, unknown), 1);
    const char *help[] = {"witness", "serve", "--help", NULL};
    char *out = NULL;
    cr_assert_eq(th_run_accord(&out, help), 0);
    cr_assert_not_null(strstr(out, "--state PATH"));
    free(out);

    th_rmtree(dir);
    free(dir);
}
