/* Tests for src/tlog/merkle.c.
 *
 * Three kinds of evidence, from strongest to weakest:
 *   - external vectors (transparency-dev/merkle, in tests/conformance)
 *     that every verifier answer and the happy-path proofs must match;
 *   - an independent naive implementation of RFC 9162 section 2.1 (MTH,
 *     PATH, SUBPROOF) over in-memory leaf hashes, which roots and proofs
 *     built through the storage callback must equal byte for byte;
 *   - tampering, error and bound checks.
 * Random data comes from a fixed-seed PRNG, so every run is the same. */
#define _POSIX_C_SOURCE 200809L

#include "helpers.h"
#include "tlog/merkle.h"
#include "util/error.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define HS MERKLE_HASH_SIZE

typedef uint8_t hash_t[HS];

static void setup(void)
{
    cr_assert(sodium_init() >= 0, "sodium_init failed");
}

TestSuite(merkle, .init = setup);

/* ---------------------------------------------------------------------------
 * Helpers: PRNG, hex, reference hashing
 * ------------------------------------------------------------------------- */

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

/* xorshift64*: deterministic, good enough to pick sizes and bytes. */
static uint64_t rng(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1du;
}

static uint64_t rng_below(uint64_t n)
{
    return rng() % n;
}

static void from_hex(const char *hex, uint8_t out[HS])
{
    size_t len = 0;

    cr_assert_eq(sodium_hex2bin(out, HS, hex, strlen(hex), NULL, &len, NULL), 0);
    cr_assert_eq(len, (size_t)HS);
}

static const char *to_hex(const uint8_t h[HS])
{
    static char buf[2 * HS + 1];

    return sodium_bin2hex(buf, sizeof buf, h, HS);
}

/* Reference hashes written straight from RFC 9162 section 2.1.1, sharing
 * no code with the module. */
static void ref_leaf(const void *data, size_t len, uint8_t out[HS])
{
    uint8_t *buf = malloc(len + 1);

    cr_assert_not_null(buf);
    buf[0] = 0x00;
    if (len)
        memcpy(buf + 1, data, len);
    crypto_hash_sha256(out, buf, len + 1);
    free(buf);
}

static void ref_node(const uint8_t l[HS], const uint8_t r[HS], uint8_t out[HS])
{
    uint8_t buf[1 + 2 * HS];

    buf[0] = 0x01;
    memcpy(buf + 1, l, HS);
    memcpy(buf + 1 + HS, r, HS);
    crypto_hash_sha256(out, buf, sizeof buf);
}

static size_t ref_split(size_t n)
{
    size_t k = 1;

    while (k << 1 < n)
        k <<= 1;
    return k;
}

/* MTH(D[n]) by the recursive definition. */
static void naive_mth(const hash_t *d, size_t n, uint8_t out[HS])
{
    uint8_t l[HS], r[HS];
    size_t k;

    if (n == 0) {
        crypto_hash_sha256(out, NULL, 0);
        return;
    }
    if (n == 1) {
        memcpy(out, d[0], HS);
        return;
    }
    k = ref_split(n);
    naive_mth(d, k, l);
    naive_mth(d + k, n - k, r);
    ref_node(l, r, out);
}

/* PATH(m, D[n]) of RFC 9162 section 2.1.3.1; returns its length. */
static size_t naive_path(size_t m, const hash_t *d, size_t n, hash_t *out)
{
    size_t k, len;

    if (n <= 1)
        return 0;
    k = ref_split(n);
    if (m < k) {
        len = naive_path(m, d, k, out);
        naive_mth(d + k, n - k, out[len]);
    } else {
        len = naive_path(m - k, d + k, n - k, out);
        naive_mth(d, k, out[len]);
    }
    return len + 1;
}

/* SUBPROOF(m, D[n], b) of RFC 9162 section 2.1.4.1; returns its length. */
static size_t naive_subproof(size_t m, const hash_t *d, size_t n, int b, hash_t *out)
{
    size_t k, len;

    if (m == n) {
        if (b)
            return 0;
        naive_mth(d, n, out[0]);
        return 1;
    }
    k = ref_split(n);
    if (m <= k) {
        len = naive_subproof(m, d, k, b, out);
        naive_mth(d + k, n - k, out[len]);
    } else {
        len = naive_subproof(m - k, d + k, n - k, 0, out);
        naive_mth(d, k, out[len]);
    }
    return len + 1;
}

static unsigned bitlen(uint64_t n)
{
    return n ? 64u - (unsigned)__builtin_clzll(n) : 0u;
}

/* ---------------------------------------------------------------------------
 * In-memory node store: per-level arrays, the callback's ctx
 * ------------------------------------------------------------------------- */

typedef struct {
    hash_t *lv[64];
    size_t len[64], cap[64];
    uint64_t size;
    unsigned long lookups;
} mem_store;

static int mem_get(void *ctx, unsigned level, uint64_t index, uint8_t out[HS])
{
    mem_store *s = ctx;

    s->lookups++;
    if (level >= 64 || index >= s->len[level])
        return accord_fail(ACCORD_ENOTFOUND, "node", "no node (%u, %llu)",
                           level, (unsigned long long)index);
    memcpy(out, s->lv[level][index], HS);
    return 0;
}

/* Stores 'n', checking the append-only invariant: every level grows by
 * exactly one index at a time. */
static void mem_put(mem_store *s, const merkle_node *n)
{
    unsigned l = n->level;

    cr_assert_lt(l, 64u);
    cr_assert_eq(n->index, (uint64_t)s->len[l], "node (%u, %llu) out of order",
                 l, (unsigned long long)n->index);
    if (s->len[l] == s->cap[l]) {
        s->cap[l] = s->cap[l] ? 2 * s->cap[l] : 16;
        s->lv[l] = realloc(s->lv[l], s->cap[l] * sizeof(hash_t));
        cr_assert_not_null(s->lv[l]);
    }
    memcpy(s->lv[l][s->len[l]++], n->hash, HS);
}

static void mem_append(mem_store *s, const uint8_t leaf[HS])
{
    merkle_node nodes[MERKLE_MAX_APPEND];
    size_t count = 99;
    uint64_t size = s->size;
    int rc = merkle_append(mem_get, s, size, leaf, nodes, &count);

    cr_assert_eq(rc, 0, "append at %llu: %s", (unsigned long long)size,
                 accord_error_message());
    /* One node plus one parent per trailing one bit of the old size. */
    cr_assert_eq(count, (size_t)(1 + __builtin_ctzll(~size)));
    for (size_t i = 0; i < count; i++) {
        cr_assert_eq(nodes[i].level, (unsigned)i);
        cr_assert_eq(nodes[i].index, size >> i);
        mem_put(s, &nodes[i]);
    }
    s->size++;
}

static void mem_free(mem_store *s)
{
    for (int l = 0; l < 64; l++)
        free(s->lv[l]);
    memset(s, 0, sizeof *s);
}

/* A test tree: distinct random leaves, their hashes, the node store and
 * the naive root of every prefix. */
typedef struct {
    size_t n;
    hash_t *leaves;
    hash_t *roots; /* roots[m] = naive MTH(D[m]) for m <= n, or NULL */
    mem_store store;
} tree;

static void tree_build(tree *t, size_t n, int all_roots)
{
    memset(t, 0, sizeof *t);
    t->n = n;
    t->leaves = calloc(n ? n : 1, sizeof(hash_t));
    cr_assert_not_null(t->leaves);
    for (size_t i = 0; i < n; i++) {
        uint8_t data[8 + 24];
        size_t len = 8 + rng_below(25);

        /* The index prefix makes all leaves distinct, so no tamper can
         * pass by accident. */
        for (int b = 0; b < 8; b++)
            data[b] = (uint8_t)(i >> (8 * b));
        for (size_t b = 8; b < len; b++)
            data[b] = (uint8_t)rng();
        merkle_leaf_hash(data, len, t->leaves[i]);
        mem_append(&t->store, t->leaves[i]);
    }
    if (all_roots) {
        t->roots = calloc(n + 1, sizeof(hash_t));
        cr_assert_not_null(t->roots);
        for (size_t m = 0; m <= n; m++)
            naive_mth(t->leaves, m, t->roots[m]);
    }
}

static void tree_free(tree *t)
{
    free(t->leaves);
    free(t->roots);
    mem_free(&t->store);
}

static void tree_root(tree *t, size_t m, uint8_t out[HS])
{
    if (t->roots)
        memcpy(out, t->roots[m], HS);
    else
        naive_mth(t->leaves, m, out);
}

static void to_bytes(hash_t *h, size_t n, merkle_bytes *out)
{
    for (size_t i = 0; i < n; i++)
        out[i] = merkle_hash_bytes(h[i]);
}

/* ---------------------------------------------------------------------------
 * Known answers
 * ------------------------------------------------------------------------- */

/* The RFC 6962 test leaves used by certificate-transparency and by the
 * transparency-dev/merkle vectors. */
static const struct {
    const char *data;
    size_t len;
} rfc6962_leaves[8] = {
    {"", 0},
    {"\x00", 1},
    {"\x10", 1},
    {"\x20\x21", 2},
    {"\x30\x31", 2},
    {"\x40\x41\x42\x43", 4},
    {"\x50\x51\x52\x53\x54\x55\x56\x57", 8},
    {"\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f", 16},
};

/* Roots of the first 1..8 of those leaves. */
static const char *rfc6962_roots[8] = {
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

static void rfc6962_store(mem_store *s, hash_t leaves[8])
{
    memset(s, 0, sizeof *s);
    for (int i = 0; i < 8; i++) {
        merkle_leaf_hash(rfc6962_leaves[i].data, rfc6962_leaves[i].len, leaves[i]);
        mem_append(s, leaves[i]);
    }
}

Test(merkle, known_answers)
{
    uint8_t got[HS], want[HS];
    hash_t leaves[8];
    mem_store s;

    merkle_empty_root(got);
    from_hex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", want);
    cr_assert(memcmp(got, want, HS) == 0, "empty root %s", to_hex(got));

    /* merkle_root(0) is the empty root without touching the store. */
    memset(&s, 0, sizeof s);
    cr_assert_eq(merkle_root(mem_get, &s, 0, got), 0);
    cr_assert(memcmp(got, want, HS) == 0);
    cr_assert_eq(s.lookups, 0ul);

    /* Leaf hash of the empty string: SHA-256(0x00). */
    merkle_leaf_hash(NULL, 0, got);
    from_hex(rfc6962_roots[0], want);
    cr_assert(memcmp(got, want, HS) == 0, "leaf(\"\") %s", to_hex(got));

    rfc6962_store(&s, leaves);
    for (uint64_t m = 1; m <= 8; m++) {
        cr_assert_eq(merkle_root(mem_get, &s, m, got), 0);
        from_hex(rfc6962_roots[m - 1], want);
        cr_assert(memcmp(got, want, HS) == 0, "root(%llu) = %s",
                  (unsigned long long)m, to_hex(got));
    }
    mem_free(&s);
}

Test(merkle, hashes_match_reference)
{
    uint8_t data[100], a[HS], b[HS], l[HS], r[HS];

    for (size_t len = 0; len <= sizeof data; len++) {
        randombytes_buf(data, len);
        merkle_leaf_hash(data, len, a);
        ref_leaf(data, len, b);
        cr_assert(memcmp(a, b, HS) == 0, "leaf hash, len %zu", len);
    }
    randombytes_buf(l, HS);
    randombytes_buf(r, HS);
    ref_node(l, r, b);
    merkle_node_hash(l, r, a);
    cr_assert(memcmp(a, b, HS) == 0);
    /* The output may alias either child. */
    memcpy(a, l, HS);
    merkle_node_hash(a, r, a);
    cr_assert(memcmp(a, b, HS) == 0);
    memcpy(a, r, HS);
    merkle_node_hash(l, a, a);
    cr_assert(memcmp(a, b, HS) == 0);
}

/* ---------------------------------------------------------------------------
 * Proof checks shared by the random-tree tests
 * ------------------------------------------------------------------------- */

static void flip(uint8_t *h)
{
    h[rng_below(HS)] ^= (uint8_t)(1u << rng_below(8));
}

static void check_inclusion(tree *t, uint64_t i, uint64_t n)
{
    hash_t got[MERKLE_MAX_PROOF], want[MERKLE_MAX_PROOF + 1];
    merkle_bytes pb[MERKLE_MAX_PROOF + 1];
    uint8_t root[HS], bad[HS], other[HS], short31[HS];
    size_t len = 999, wlen;
    merkle_bytes leaf = merkle_hash_bytes(t->leaves[i]);

    t->store.lookups = 0;
    cr_assert_eq(merkle_inclusion_proof(mem_get, &t->store, i, n, got, &len), 0,
                 "proof(%llu, %llu): %s", (unsigned long long)i,
                 (unsigned long long)n, accord_error_message());
    cr_assert_leq(t->store.lookups, 2ul * bitlen(n) + 1, "lookups %lu for %llu",
                  t->store.lookups, (unsigned long long)n);
    wlen = naive_path(i, t->leaves, n, want);
    cr_assert_eq(len, wlen, "proof(%llu, %llu) length", (unsigned long long)i,
                 (unsigned long long)n);
    for (size_t j = 0; j < len; j++)
        cr_assert(memcmp(got[j], want[j], HS) == 0, "proof(%llu, %llu)[%zu]",
                  (unsigned long long)i, (unsigned long long)n, j);

    tree_root(t, n, root);
    to_bytes(got, len, pb);
    cr_assert_eq(merkle_verify_inclusion(i, n, leaf, pb, len, merkle_hash_bytes(root)), 0,
                 "verify(%llu, %llu): %s", (unsigned long long)i,
                 (unsigned long long)n, accord_error_message());

    /* A flipped bit anywhere: each proof hash, the leaf, the root. */
    for (size_t j = 0; j < len; j++) {
        memcpy(bad, got[j], HS);
        flip(bad);
        pb[j] = merkle_hash_bytes(bad);
        cr_assert_eq(merkle_verify_inclusion(i, n, leaf, pb, len, merkle_hash_bytes(root)),
                     ACCORD_EVERIFY, "flipped proof[%zu]", j);
        pb[j] = merkle_hash_bytes(got[j]);
    }
    memcpy(bad, t->leaves[i], HS);
    flip(bad);
    cr_assert_eq(merkle_verify_inclusion(i, n, merkle_hash_bytes(bad), pb, len,
                                         merkle_hash_bytes(root)), ACCORD_EVERIFY);
    memcpy(bad, root, HS);
    flip(bad);
    cr_assert_eq(merkle_verify_inclusion(i, n, leaf, pb, len, merkle_hash_bytes(bad)),
                 ACCORD_EVERIFY);

    /* Wrong index: every leaf has a distinct path, so none verifies. */
    if (i + 1 < n)
        cr_assert_neq(merkle_verify_inclusion(i + 1, n, leaf, pb, len, merkle_hash_bytes(root)), 0);
    if (i > 0)
        cr_assert_neq(merkle_verify_inclusion(i - 1, n, leaf, pb, len, merkle_hash_bytes(root)), 0);
    cr_assert_eq(merkle_verify_inclusion(n, n, leaf, pb, len, merkle_hash_bytes(root)),
                 ACCORD_EINVAL);

    /* Wrong size, against that size's real root. (Against the original
     * root a wrong size can legitimately pass when the path has the same
     * shape: the verifier only sees hashes, not subtree sizes.) */
    if (n + 1 <= t->n) {
        tree_root(t, n + 1, other);
        cr_assert_neq(merkle_verify_inclusion(i, n + 1, leaf, pb, len, merkle_hash_bytes(other)), 0,
                      "size %llu + 1", (unsigned long long)n);
    }
    if (n - 1 > i) {
        tree_root(t, n - 1, other);
        cr_assert_neq(merkle_verify_inclusion(i, n - 1, leaf, pb, len, merkle_hash_bytes(other)), 0,
                      "size %llu - 1", (unsigned long long)n);
    }

    /* Truncated, extended, and a short hash. */
    if (len > 0)
        cr_assert_eq(merkle_verify_inclusion(i, n, leaf, pb, len - 1, merkle_hash_bytes(root)),
                     ACCORD_EVERIFY);
    pb[len] = merkle_hash_bytes(root);
    cr_assert_eq(merkle_verify_inclusion(i, n, leaf, pb, len + 1, merkle_hash_bytes(root)),
                 ACCORD_EVERIFY);
    if (len > 0) {
        memcpy(short31, got[0], HS);
        pb[0] = (merkle_bytes){short31, HS - 1};
        cr_assert_eq(merkle_verify_inclusion(i, n, leaf, pb, len, merkle_hash_bytes(root)),
                     ACCORD_EVERIFY);
    }
}

static void check_consistency(tree *t, uint64_t m, uint64_t n)
{
    hash_t got[MERKLE_MAX_PROOF], want[MERKLE_MAX_PROOF + 1];
    merkle_bytes pb[MERKLE_MAX_PROOF + 1];
    uint8_t r1[HS], r2[HS], bad[HS], other[HS];
    size_t len = 999, wlen;

    t->store.lookups = 0;
    cr_assert_eq(merkle_consistency_proof(mem_get, &t->store, m, n, got, &len), 0,
                 "consistency(%llu, %llu): %s", (unsigned long long)m,
                 (unsigned long long)n, accord_error_message());
    cr_assert_leq(t->store.lookups, 2ul * bitlen(n) + 1);
    wlen = naive_subproof(m, t->leaves, n, 1, want);
    cr_assert_eq(len, wlen, "consistency(%llu, %llu) length %zu, want %zu",
                 (unsigned long long)m, (unsigned long long)n, len, wlen);
    for (size_t j = 0; j < len; j++)
        cr_assert(memcmp(got[j], want[j], HS) == 0, "consistency(%llu, %llu)[%zu]",
                  (unsigned long long)m, (unsigned long long)n, j);

    tree_root(t, m, r1);
    tree_root(t, n, r2);
    to_bytes(got, len, pb);
    cr_assert_eq(merkle_verify_consistency(m, n, merkle_hash_bytes(r1), merkle_hash_bytes(r2),
                                           pb, len), 0,
                 "verify consistency(%llu, %llu): %s", (unsigned long long)m,
                 (unsigned long long)n, accord_error_message());

    for (size_t j = 0; j < len; j++) {
        memcpy(bad, got[j], HS);
        flip(bad);
        pb[j] = merkle_hash_bytes(bad);
        cr_assert_eq(merkle_verify_consistency(m, n, merkle_hash_bytes(r1),
                                               merkle_hash_bytes(r2), pb, len),
                     ACCORD_EVERIFY, "flipped proof[%zu] of (%llu, %llu)", j,
                     (unsigned long long)m, (unsigned long long)n);
        pb[j] = merkle_hash_bytes(got[j]);
    }
    memcpy(bad, r1, HS);
    flip(bad);
    cr_assert_eq(merkle_verify_consistency(m, n, merkle_hash_bytes(bad), merkle_hash_bytes(r2),
                                           pb, len), ACCORD_EVERIFY);
    memcpy(bad, r2, HS);
    flip(bad);
    cr_assert_eq(merkle_verify_consistency(m, n, merkle_hash_bytes(r1), merkle_hash_bytes(bad),
                                           pb, len), ACCORD_EVERIFY);
    if (m != n)
        cr_assert_neq(merkle_verify_consistency(m, n, merkle_hash_bytes(r2),
                                                merkle_hash_bytes(r1), pb, len), 0,
                      "swapped roots");

    /* Wrong sizes, each with its own real root. */
    if (m + 1 <= n) {
        tree_root(t, m + 1, other);
        cr_assert_neq(merkle_verify_consistency(m + 1, n, merkle_hash_bytes(other),
                                                merkle_hash_bytes(r2), pb, len), 0,
                      "size1 + 1 for (%llu, %llu)", (unsigned long long)m,
                      (unsigned long long)n);
    }
    if (m > 1) {
        tree_root(t, m - 1, other);
        cr_assert_neq(merkle_verify_consistency(m - 1, n, merkle_hash_bytes(other),
                                                merkle_hash_bytes(r2), pb, len), 0,
                      "size1 - 1 for (%llu, %llu)", (unsigned long long)m,
                      (unsigned long long)n);
    }
    if (n + 1 <= t->n) {
        tree_root(t, n + 1, other);
        cr_assert_neq(merkle_verify_consistency(m, n + 1, merkle_hash_bytes(r1),
                                                merkle_hash_bytes(other), pb, len), 0,
                      "size2 + 1 for (%llu, %llu)", (unsigned long long)m,
                      (unsigned long long)n);
    }
    if (n - 1 >= m && n > 1) {
        tree_root(t, n - 1, other);
        cr_assert_neq(merkle_verify_consistency(m, n - 1, merkle_hash_bytes(r1),
                                                merkle_hash_bytes(other), pb, len), 0,
                      "size2 - 1 for (%llu, %llu)", (unsigned long long)m,
                      (unsigned long long)n);
    }

    if (len > 0)
        cr_assert_eq(merkle_verify_consistency(m, n, merkle_hash_bytes(r1),
                                               merkle_hash_bytes(r2), pb, len - 1),
                     ACCORD_EVERIFY);
    pb[len] = merkle_hash_bytes(r2);
    cr_assert_eq(merkle_verify_consistency(m, n, merkle_hash_bytes(r1), merkle_hash_bytes(r2),
                                           pb, len + 1), ACCORD_EVERIFY);
}

/* ---------------------------------------------------------------------------
 * Random trees against the naive implementation
 * ------------------------------------------------------------------------- */

#define SMALL_N 300

Test(merkle, roots_and_nodes_small)
{
    tree t;
    uint8_t got[HS], want[HS];

    rng_state = 1;
    tree_build(&t, SMALL_N, 1);

    /* Every stored node is the MTH of its perfect range. */
    for (unsigned l = 0; l < 64; l++)
        for (size_t i = 0; i < t.store.len[l]; i++) {
            naive_mth(t.leaves + (i << l), (size_t)1 << l, want);
            cr_assert(memcmp(t.store.lv[l][i], want, HS) == 0, "node (%u, %zu)", l, i);
        }
    cr_assert_eq(t.store.len[0], (size_t)SMALL_N);

    /* Root of every size, from a store that has grown past it, in
     * popcount(m) lookups. */
    for (size_t m = 0; m <= SMALL_N; m++) {
        t.store.lookups = 0;
        cr_assert_eq(merkle_root(mem_get, &t.store, m, got), 0);
        cr_assert(memcmp(got, t.roots[m], HS) == 0, "root(%zu)", m);
        cr_assert_eq(t.store.lookups, (unsigned long)__builtin_popcountll(m));
    }

    /* Every range that is a node of some tree within the store. */
    for (size_t w = 1; w <= SMALL_N; w++) {
        size_t p = 1;

        while (p < w)
            p <<= 1;
        for (size_t b = 0; b + w <= SMALL_N; b += p) {
            cr_assert_eq(merkle_range_hash(mem_get, &t.store, b, b + w, got), 0);
            naive_mth(t.leaves + b, w, want);
            cr_assert(memcmp(got, want, HS) == 0, "range [%zu, %zu)", b, b + w);
        }
    }
    tree_free(&t);
}

Test(merkle, roots_while_growing)
{
    mem_store s;
    hash_t leaves[SMALL_N];
    uint8_t got[HS], want[HS];

    rng_state = 2;
    memset(&s, 0, sizeof s);
    for (size_t n = 0; n <= SMALL_N; n++) {
        cr_assert_eq(merkle_root(mem_get, &s, n, got), 0);
        naive_mth(leaves, n, want);
        cr_assert(memcmp(got, want, HS) == 0, "root(%zu) right after append", n);
        if (n == SMALL_N)
            break;
        randombytes_buf(leaves[n], HS);
        mem_append(&s, leaves[n]);
    }
    mem_free(&s);
}

Test(merkle, inclusion_small)
{
    tree t;

    rng_state = 3;
    tree_build(&t, SMALL_N, 1);
    for (uint64_t n = 1; n <= SMALL_N; n++) {
        if (n <= 40) {
            for (uint64_t i = 0; i < n; i++)
                check_inclusion(&t, i, n);
            continue;
        }
        uint64_t k = ref_split(n);
        uint64_t pick[] = {0, 1, k - 1, k, n / 2, n - 2, n - 1,
                           rng_below(n), rng_below(n), rng_below(n), rng_below(n)};
        for (size_t j = 0; j < sizeof pick / sizeof pick[0]; j++)
            check_inclusion(&t, pick[j], n);
    }
    tree_free(&t);
}

Test(merkle, consistency_small)
{
    tree t;

    rng_state = 4;
    tree_build(&t, SMALL_N, 1);
    for (uint64_t n = 1; n <= SMALL_N; n++) {
        if (n <= 48) {
            for (uint64_t m = 1; m <= n; m++)
                check_consistency(&t, m, n);
            continue;
        }
        for (uint64_t p = 1; p < n; p <<= 1)
            check_consistency(&t, p, n);
        uint64_t pick[] = {n - 1, n, n / 2 + 1, 1 + rng_below(n), 1 + rng_below(n),
                           1 + rng_below(n), 1 + rng_below(n)};
        for (size_t j = 0; j < sizeof pick / sizeof pick[0]; j++)
            check_consistency(&t, pick[j], n);
    }
    tree_free(&t);
}

Test(merkle, larger_random_trees)
{
    tree t;
    uint8_t got[HS], want[HS];
    size_t sizes[40], ns = 0;
    static const size_t fixed[] = {1023, 1024, 1025, 2047, 2048, 2049,
                                   4095, 4096, 4097, 4999, 5000};

    rng_state = 5;
    tree_build(&t, 5000, 0);
    for (size_t j = 0; j < sizeof fixed / sizeof fixed[0]; j++)
        sizes[ns++] = fixed[j];
    while (ns < 24)
        sizes[ns++] = 300 + rng_below(4701);

    for (size_t j = 0; j < ns; j++) {
        size_t n = sizes[j];

        cr_assert_eq(merkle_root(mem_get, &t.store, n, got), 0);
        naive_mth(t.leaves, n, want);
        cr_assert(memcmp(got, want, HS) == 0, "root(%zu)", n);

        uint64_t idx[] = {0, n - 1, ref_split(n), rng_below(n), rng_below(n)};
        for (size_t k = 0; k < sizeof idx / sizeof idx[0]; k++)
            check_inclusion(&t, idx[k], n);
        uint64_t old[] = {1, n - 1, ref_split(n), 1 + rng_below(n), 1 + rng_below(n)};
        for (size_t k = 0; k < sizeof old / sizeof old[0]; k++)
            check_consistency(&t, old[k], n);
    }
    tree_free(&t);
}

/* ---------------------------------------------------------------------------
 * Huge trees: bounds near 2^64
 * ------------------------------------------------------------------------- */

/* A virtual tree whose leaves are all equal, so the perfect node at level
 * L is the same hash z[L] at every index and any size up to 2^64 - 1 can
 * be served consistently without storing anything. */
typedef struct {
    hash_t z[64];
    unsigned long lookups;
} uniform_tree;

static int uniform_get(void *ctx, unsigned level, uint64_t index, uint8_t out[HS])
{
    uniform_tree *u = ctx;

    (void)index;
    u->lookups++;
    cr_assert_lt(level, 64u);
    memcpy(out, u->z[level], HS);
    return 0;
}

static void uniform_init(uniform_tree *u)
{
    merkle_leaf_hash("x", 1, u->z[0]);
    for (int l = 1; l < 64; l++)
        ref_node(u->z[l - 1], u->z[l - 1], u->z[l]);
    u->lookups = 0;
}

static size_t huge_inclusion(uniform_tree *u, uint64_t i, uint64_t n)
{
    hash_t p[MERKLE_MAX_PROOF];
    merkle_bytes pb[MERKLE_MAX_PROOF];
    uint8_t root[HS];
    size_t len;

    cr_assert_eq(merkle_root(uniform_get, u, n, root), 0);
    u->lookups = 0;
    cr_assert_eq(merkle_inclusion_proof(uniform_get, u, i, n, p, &len), 0);
    cr_assert_leq(u->lookups, 2ul * bitlen(n) + 1);
    cr_assert_leq(len, (size_t)64);
    to_bytes(p, len, pb);
    cr_assert_eq(merkle_verify_inclusion(i, n, merkle_hash_bytes(u->z[0]), pb, len,
                                         merkle_hash_bytes(root)), 0,
                 "huge inclusion (%llu, %llu): %s", (unsigned long long)i,
                 (unsigned long long)n, accord_error_message());
    return len;
}

static size_t huge_consistency(uniform_tree *u, uint64_t m, uint64_t n)
{
    hash_t p[MERKLE_MAX_PROOF];
    merkle_bytes pb[MERKLE_MAX_PROOF];
    uint8_t r1[HS], r2[HS];
    size_t len;

    cr_assert_eq(merkle_root(uniform_get, u, m, r1), 0);
    cr_assert_eq(merkle_root(uniform_get, u, n, r2), 0);
    u->lookups = 0;
    cr_assert_eq(merkle_consistency_proof(uniform_get, u, m, n, p, &len), 0);
    cr_assert_leq(u->lookups, 2ul * bitlen(n) + 1);
    cr_assert_leq(len, (size_t)MERKLE_MAX_PROOF);
    to_bytes(p, len, pb);
    cr_assert_eq(merkle_verify_consistency(m, n, merkle_hash_bytes(r1),
                                           merkle_hash_bytes(r2), pb, len), 0,
                 "huge consistency (%llu, %llu): %s", (unsigned long long)m,
                 (unsigned long long)n, accord_error_message());
    return len;
}

Test(merkle, huge_sizes_and_bounds)
{
    uniform_tree u;
    uint8_t got[HS];
    merkle_node nodes[MERKLE_MAX_APPEND];
    size_t count;
    const uint64_t max = UINT64_MAX;

    uniform_init(&u);
    for (unsigned l = 0; l < 64; l++) {
        cr_assert_eq(merkle_root(uniform_get, &u, UINT64_C(1) << l, got), 0);
        cr_assert(memcmp(got, u.z[l], HS) == 0, "root(2^%u)", l);
    }

    /* Bounds are reached: 64 for inclusion, 65 for consistency. */
    cr_assert_eq(huge_inclusion(&u, 0, max), (size_t)64);
    cr_assert_eq(huge_inclusion(&u, (UINT64_C(1) << 63) - 1, max), (size_t)64);
    cr_assert_eq(huge_inclusion(&u, max - 1, max), (size_t)63);
    cr_assert_eq(huge_consistency(&u, max - 2, max), (size_t)MERKLE_MAX_PROOF);
    cr_assert_eq(huge_consistency(&u, UINT64_C(1) << 63, max), (size_t)1);
    cr_assert_eq(huge_consistency(&u, max, max), (size_t)0);

    rng_state = 6;
    for (int j = 0; j < 300; j++) {
        uint64_t n = rng() >> rng_below(64);
        uint64_t i, m;

        if (n < 2)
            continue;
        i = rng_below(n);
        m = 1 + rng_below(n);
        cr_assert_leq(huge_inclusion(&u, i, n), (size_t)bitlen(n - 1));
        cr_assert_leq(huge_consistency(&u, m, n), (size_t)bitlen(n - 1) + 1);
    }

    /* The largest append: 63 trailing ones give 64 nodes. */
    cr_assert_eq(merkle_append(uniform_get, &u, (UINT64_C(1) << 63) - 1, u.z[0], nodes,
                               &count), 0);
    cr_assert_eq(count, (size_t)MERKLE_MAX_APPEND);
    for (size_t l = 0; l < count; l++)
        cr_assert(memcmp(nodes[l].hash, u.z[l], HS) == 0, "append node %zu", l);
    cr_assert_eq(nodes[63].level, 63u);
    cr_assert_eq(nodes[63].index, (uint64_t)0);
    cr_assert_eq(merkle_append(uniform_get, &u, max - 1, u.z[0], nodes, &count), 0);
    cr_assert_eq(count, (size_t)1);
    count = 7;
    cr_assert_eq(merkle_append(uniform_get, &u, max, u.z[0], nodes, &count), ACCORD_EINVAL);
    cr_assert_eq(count, (size_t)0);
}

/* ---------------------------------------------------------------------------
 * Errors
 * ------------------------------------------------------------------------- */

static int failing_get(void *ctx, unsigned level, uint64_t index, uint8_t out[HS])
{
    (void)ctx;
    (void)level;
    (void)index;
    (void)out;
    return accord_fail(ACCORD_ESTORE, "db", "disk on fire");
}

static int positive_get(void *ctx, unsigned level, uint64_t index, uint8_t out[HS])
{
    (void)ctx;
    (void)level;
    (void)index;
    memset(out, 0, HS);
    return 1;
}

Test(merkle, callback_errors_propagate)
{
    uint8_t h[HS] = {0}, p[MERKLE_MAX_PROOF][HS];
    merkle_node nodes[MERKLE_MAX_APPEND];
    size_t n = 5;

    accord_error_clear();
    cr_assert_eq(merkle_root(failing_get, NULL, 3, h), ACCORD_ESTORE);
    cr_assert_str_eq(accord_error_message(), "disk on fire");
    cr_assert_str_eq(accord_error_field(), "db");
    accord_error_clear();
    cr_assert_eq(merkle_append(failing_get, NULL, 1, h, nodes, &n), ACCORD_ESTORE);
    cr_assert_eq(n, (size_t)0);
    cr_assert_str_eq(accord_error_message(), "disk on fire");
    /* Appending at an even size needs no lookup. */
    cr_assert_eq(merkle_append(failing_get, NULL, 4, h, nodes, &n), 0);
    cr_assert_eq(n, (size_t)1);
    n = 5;
    cr_assert_eq(merkle_inclusion_proof(failing_get, NULL, 1, 5, p, &n), ACCORD_ESTORE);
    cr_assert_eq(n, (size_t)0);
    n = 5;
    cr_assert_eq(merkle_consistency_proof(failing_get, NULL, 3, 5, p, &n), ACCORD_ESTORE);
    cr_assert_eq(n, (size_t)0);
    cr_assert_eq(merkle_range_hash(failing_get, NULL, 4, 6, h), ACCORD_ESTORE);

    /* A getter breaking its contract must not read as success. */
    cr_assert_eq(merkle_root(positive_get, NULL, 3, h), ACCORD_ESTORE);
    cr_assert_eq(merkle_append(positive_get, NULL, 1, h, nodes, &n), ACCORD_ESTORE);
}

Test(merkle, bad_arguments)
{
    uint8_t h[HS] = {0}, p[MERKLE_MAX_PROOF][HS];
    size_t n;
    mem_store s;
    hash_t leaves[8];
    merkle_bytes hb = merkle_hash_bytes(h);

    rfc6962_store(&s, leaves);
    n = 5;
    cr_assert_eq(merkle_inclusion_proof(mem_get, &s, 8, 8, p, &n), ACCORD_EINVAL);
    cr_assert_eq(n, (size_t)0);
    cr_assert_str_eq(accord_error_field(), "index");
    cr_assert_eq(merkle_inclusion_proof(mem_get, &s, 0, 0, p, &n), ACCORD_EINVAL);
    cr_assert_eq(merkle_consistency_proof(mem_get, &s, 0, 4, p, &n), ACCORD_EINVAL);
    cr_assert_eq(merkle_consistency_proof(mem_get, &s, 5, 4, p, &n), ACCORD_EINVAL);
    cr_assert_eq(merkle_consistency_proof(mem_get, &s, 4, 4, p, &n), 0);
    cr_assert_eq(n, (size_t)0);

    /* Ranges that are not nodes of any tree. */
    static const uint64_t bad[][2] = {{0, 0}, {3, 3}, {5, 4}, {1, 3}, {1, 4},
                                      {2, 5}, {2, 6}, {4, 9}, {6, 9}, {8, 0}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_assert_eq(merkle_range_hash(mem_get, &s, bad[i][0], bad[i][1], h), ACCORD_EINVAL,
                     "[%llu, %llu)", (unsigned long long)bad[i][0],
                     (unsigned long long)bad[i][1]);
    cr_assert_eq(merkle_range_hash(mem_get, &s, 4, 7, h), 0); /* 3 wide, 4-aligned */
    cr_assert_eq(merkle_range_hash(mem_get, &s, 6, 7, h), 0);
    /* Beyond the store: the getter's error comes back. */
    cr_assert_eq(merkle_root(mem_get, &s, 9, h), ACCORD_ENOTFOUND);

    cr_assert_eq(merkle_verify_inclusion(3, 3, hb, NULL, 0, hb), ACCORD_EINVAL);
    cr_assert_eq(merkle_verify_inclusion(0, 0, hb, NULL, 0, hb), ACCORD_EINVAL);
    cr_assert_eq(merkle_verify_inclusion(0, 2, hb, NULL, 1, hb), ACCORD_EINVAL);
    cr_assert_eq(merkle_verify_inclusion(0, 1, hb, NULL, 0, hb), 0);
    cr_assert_eq(merkle_verify_inclusion(0, 1, (merkle_bytes){h, 31}, NULL, 0, hb),
                 ACCORD_EVERIFY);
    cr_assert_eq(merkle_verify_inclusion(0, 1, hb, NULL, 0, (merkle_bytes){h, 33}),
                 ACCORD_EVERIFY);
    cr_assert_eq(merkle_verify_inclusion(0, 1, hb, NULL, 0, (merkle_bytes){NULL, 0}),
                 ACCORD_EVERIFY);
    cr_assert_eq(merkle_verify_consistency(2, 1, hb, hb, NULL, 0), ACCORD_EINVAL);
    cr_assert_eq(merkle_verify_consistency(0, 0, hb, hb, NULL, 0), ACCORD_EINVAL);
    cr_assert_eq(merkle_verify_consistency(0, 5, hb, hb, NULL, 0), ACCORD_EINVAL);
    cr_assert_eq(merkle_verify_consistency(3, 3, (merkle_bytes){NULL, 0},
                                           (merkle_bytes){NULL, 0}, NULL, 0), 0);
    cr_assert_eq(merkle_verify_consistency(3, 3, hb, (merkle_bytes){h, 31}, NULL, 0),
                 ACCORD_EVERIFY);
    cr_assert_eq(merkle_verify_consistency(3, 4, hb, hb, NULL, 0), ACCORD_EVERIFY);
    cr_assert_eq(merkle_verify_consistency(3, 4, hb, hb, NULL, 1), ACCORD_EINVAL);
    mem_free(&s);
}

/* ---------------------------------------------------------------------------
 * Conformance vectors (transparency-dev/merkle)
 * ------------------------------------------------------------------------- */

typedef struct {
    size_t inclusion, consistency, happy, failures;
    hash_t leaves[8];
    mem_store store; /* the RFC 6962 test leaves, for happy-path proofs */
} vec_state;

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long size;

    cr_assert_not_null(f, "cannot open %s", path);
    cr_assert_eq(fseek(f, 0, SEEK_END), 0);
    size = ftell(f);
    cr_assert_geq(size, 0L);
    rewind(f);
    buf = malloc((size_t)size + 1);
    cr_assert_not_null(buf);
    cr_assert_eq(fread(buf, 1, (size_t)size, f), (size_t)size, "short read %s", path);
    buf[size] = '\0';
    fclose(f);
    *len = (size_t)size;
    return buf;
}

/* Reads unsigned integer field 'key' from the raw JSON text. Jansson
 * refuses integers above INT64_MAX, and two vectors use leafIdx
 * 18446744073709551615 (0 - 1 wrapped), so the exact value is taken from
 * the text; the parsed document (numbers as reals) cross-checks it. */
static uint64_t raw_uint(const char *text, json_t *doc, const char *key, const char *path)
{
    char pat[64];
    const char *p;
    char *end;
    unsigned long long v;
    json_t *num = json_object_get(doc, key);

    snprintf(pat, sizeof pat, "\"%s\"", key);
    p = strstr(text, pat);
    cr_assert_not_null(p, "%s: no %s", path, key);
    p += strlen(pat);
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
        p++;
    cr_assert_eq(*p, ':', "%s: %s", path, key);
    p++;
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
        p++;
    cr_assert(*p >= '0' && *p <= '9', "%s: %s is not an unsigned integer", path, key);
    errno = 0;
    v = strtoull(p, &end, 10);
    cr_assert_eq(errno, 0, "%s: %s out of range", path, key);
    cr_assert_not_null(num, "%s: no %s", path, key);
    cr_assert(json_is_number(num), "%s: %s", path, key);
    double d = json_number_value(num) - (double)v;
    cr_assert_leq(d < 0 ? -d : d, 1e-9 * (double)v + 0.5,
                  "%s: %s raw scan disagrees with the parser", path, key);
    return (uint64_t)v;
}

/* Decodes base64 string 'j' into a new buffer (caller frees). */
static uint8_t *b64(json_t *j, size_t *len, const char *path, const char *what)
{
    const char *s;
    const char *end = NULL;
    size_t slen;
    uint8_t *buf;

    cr_assert(json_is_string(j), "%s: %s is not a string", path, what);
    s = json_string_value(j);
    slen = json_string_length(j);
    buf = malloc(slen + 1);
    cr_assert_not_null(buf);
    cr_assert_eq(sodium_base642bin(buf, slen + 1, s, slen, NULL, len, &end,
                                   sodium_base64_VARIANT_ORIGINAL), 0,
                 "%s: bad base64 in %s", path, what);
    cr_assert_eq(end, s + slen, "%s: trailing text in %s", path, what);
    return buf;
}

/* Decodes the proof array (null means empty) into merkle_bytes; the caller
 * frees each data pointer and the array. */
static merkle_bytes *b64_proof(json_t *doc, size_t *n, const char *path)
{
    json_t *arr = json_object_get(doc, "proof");
    merkle_bytes *out;

    cr_assert_not_null(arr, "%s: no proof", path);
    *n = json_is_null(arr) ? 0 : json_array_size(arr);
    cr_assert(json_is_null(arr) || json_is_array(arr), "%s: proof", path);
    out = calloc(*n ? *n : 1, sizeof *out);
    cr_assert_not_null(out);
    for (size_t i = 0; i < *n; i++)
        out[i].data = b64(json_array_get(arr, i), &out[i].len, path, "proof[]");
    return out;
}

static void free_proof(merkle_bytes *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free((void *)p[i].data);
    free(p);
}

static int same_hashes(hash_t *got, size_t n, const merkle_bytes *want, size_t wn)
{
    if (n != wn)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (want[i].len != HS || memcmp(got[i], want[i].data, HS) != 0)
            return 0;
    return 1;
}

static int is_happy(json_t *doc)
{
    json_t *d = json_object_get(doc, "desc");

    return json_is_string(d) && strcmp(json_string_value(d), "happy path") == 0;
}

/* The happy-path vectors come from the RFC 6962 test leaves, so proofs
 * generated from our store must equal them exactly. */
static void happy_inclusion(vec_state *st, uint64_t idx, uint64_t size,
                            merkle_bytes leaf, merkle_bytes root,
                            const merkle_bytes *proof, size_t n, const char *path)
{
    hash_t got[MERKLE_MAX_PROOF];
    uint8_t r[HS];
    size_t len;

    cr_assert_leq(size, (uint64_t)8, "%s", path);
    cr_assert(leaf.len == HS && memcmp(leaf.data, st->leaves[idx], HS) == 0, "%s: leaf", path);
    cr_assert_eq(merkle_root(mem_get, &st->store, size, r), 0);
    cr_assert(root.len == HS && memcmp(root.data, r, HS) == 0, "%s: root", path);
    cr_assert_eq(merkle_inclusion_proof(mem_get, &st->store, idx, size, got, &len), 0);
    cr_assert(same_hashes(got, len, proof, n), "%s: generated proof differs", path);
    st->happy++;
}

static void happy_consistency(vec_state *st, uint64_t m, uint64_t n,
                              merkle_bytes root1, merkle_bytes root2,
                              const merkle_bytes *proof, size_t plen, const char *path)
{
    hash_t got[MERKLE_MAX_PROOF];
    uint8_t r[HS];
    size_t len;

    cr_assert_leq(n, (uint64_t)8, "%s", path);
    cr_assert_eq(merkle_root(mem_get, &st->store, m, r), 0);
    cr_assert(root1.len == HS && memcmp(root1.data, r, HS) == 0, "%s: root1", path);
    cr_assert_eq(merkle_root(mem_get, &st->store, n, r), 0);
    cr_assert(root2.len == HS && memcmp(root2.data, r, HS) == 0, "%s: root2", path);
    cr_assert_eq(merkle_consistency_proof(mem_get, &st->store, m, n, got, &len), 0);
    cr_assert(same_hashes(got, len, proof, plen), "%s: generated proof differs", path);
    st->happy++;
}

static void check_result(vec_state *st, int rc, int want_err, const char *path)
{
    int ok = want_err ? (rc == ACCORD_EVERIFY || rc == ACCORD_EINVAL) : rc == 0;

    cr_expect(ok, "%s: wantErr=%s but verify returned %d (%s)", path,
              want_err ? "true" : "false", rc, rc ? accord_error_message() : "ok");
    if (!ok)
        st->failures++;
}

static void run_vector(vec_state *st, const char *path, int inclusion)
{
    size_t tlen, plen;
    char *text = read_all(path, &tlen);
    json_error_t jerr;
    json_t *doc = json_loadb(text, tlen, JSON_DECODE_INT_AS_REAL, &jerr);
    json_t *want = NULL;
    merkle_bytes *proof;
    int rc;

    cr_assert_not_null(doc, "%s: %s (line %d)", path, jerr.text, jerr.line);
    want = json_object_get(doc, "wantErr");
    cr_assert(json_is_boolean(want), "%s: wantErr", path);
    proof = b64_proof(doc, &plen, path);

    if (inclusion) {
        uint64_t idx = raw_uint(text, doc, "leafIdx", path);
        uint64_t size = raw_uint(text, doc, "treeSize", path);
        merkle_bytes root, leaf;

        root.data = b64(json_object_get(doc, "root"), &root.len, path, "root");
        leaf.data = b64(json_object_get(doc, "leafHash"), &leaf.len, path, "leafHash");
        rc = merkle_verify_inclusion(idx, size, leaf, proof, plen, root);
        check_result(st, rc, json_is_true(want), path);
        if (is_happy(doc))
            happy_inclusion(st, idx, size, leaf, root, proof, plen, path);
        free((void *)root.data);
        free((void *)leaf.data);
        st->inclusion++;
    } else {
        uint64_t m = raw_uint(text, doc, "size1", path);
        uint64_t n = raw_uint(text, doc, "size2", path);
        merkle_bytes r1, r2;

        r1.data = b64(json_object_get(doc, "root1"), &r1.len, path, "root1");
        r2.data = b64(json_object_get(doc, "root2"), &r2.len, path, "root2");
        rc = merkle_verify_consistency(m, n, r1, r2, proof, plen);
        check_result(st, rc, json_is_true(want), path);
        if (is_happy(doc))
            happy_consistency(st, m, n, r1, r2, proof, plen, path);
        free((void *)r1.data);
        free((void *)r2.data);
        st->consistency++;
    }
    free_proof(proof, plen);
    json_decref(doc);
    free(text);
}

static int ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);

    return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* Runs every *.json under 'dir', recursively. */
static void walk(vec_state *st, const char *dir, int inclusion)
{
    DIR *d = opendir(dir);
    struct dirent *e;

    cr_assert_not_null(d, "cannot open directory %s", dir);
    while ((e = readdir(d)) != NULL) {
        char path[4096];
        struct stat sb;

        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        cr_assert_lt(snprintf(path, sizeof path, "%s/%s", dir, e->d_name),
                     (int)sizeof path);
        cr_assert_eq(stat(path, &sb), 0, "stat %s", path);
        if (S_ISDIR(sb.st_mode))
            walk(st, path, inclusion);
        else if (S_ISREG(sb.st_mode) && ends_with(e->d_name, ".json"))
            run_vector(st, path, inclusion);
    }
    closedir(d);
}

/* Runs every vector under 'base' and checks none failed and the set is whole. */
static void run_conformance(const char *base)
{
    char dir[4096];
    vec_state st;

    memset(&st, 0, sizeof st);
    rfc6962_store(&st.store, st.leaves);

    snprintf(dir, sizeof dir, "%s/merkle/inclusion", base);
    walk(&st, dir, 1);
    snprintf(dir, sizeof dir, "%s/merkle/consistency", base);
    walk(&st, dir, 0);
    mem_free(&st.store);

    cr_log_info("merkle vectors in %s: %zu inclusion, %zu consistency, %zu happy paths "
                "regenerated", base, st.inclusion, st.consistency, st.happy);
    cr_assert_eq(st.failures, (size_t)0, "%zu vectors failed", st.failures);
    /* 98 + 98 files when written; more is fine, fewer means a bad copy. */
    cr_assert_geq(st.inclusion, (size_t)98, "only %zu inclusion vectors in %s", st.inclusion, base);
    cr_assert_geq(st.consistency, (size_t)98, "only %zu consistency vectors in %s", st.consistency, base);
    cr_assert_geq(st.happy, (size_t)10, "only %zu happy paths in %s", st.happy, base);
}

Test(merkle, conformance_vectors)
{
    run_conformance(th_conformance_dir());
    if (th_extra_conformance_dir())
        run_conformance(th_extra_conformance_dir());
}
