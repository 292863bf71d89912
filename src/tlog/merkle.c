/* RFC 9162 Merkle tree hashes, proofs and verification over stored
 * perfect subtrees. See merkle.h for the storage model and conventions,
 * docs/internals/merkle.md for the reasoning behind it. */
#include "tlog/merkle.h"

#include "util/error.h"
#include "util/sha256.h"

#include <string.h>

/* Domain-separation prefixes of RFC 9162 section 2.1.1: they keep a leaf
 * from ever being mistaken for an interior node (second preimages). */
#define LEAF_PREFIX 0x00
#define NODE_PREFIX 0x01

/* A leaf range [lo, hi) of the tree, as the proof builders see it. */
typedef struct {
    uint64_t lo;
    uint64_t hi;
} span;

/* ---------------------------------------------------------------------------
 * Hashing
 * ------------------------------------------------------------------------- */

/* SHA-256(0x00 || data) into 'out'. Hashes the prefix and the data as two
 * parts, so leaves of any size need no copy. */
void merkle_leaf_hash(const void *data, size_t len, uint8_t out[MERKLE_HASH_SIZE])
{
    static const uint8_t prefix = LEAF_PREFIX;
    const sha256_part parts[] = {{&prefix, 1}, {data, len}};

    sha256_parts(out, parts, 2);
}

/* SHA-256(0x01 || left || right) into 'out'; 'out' may alias a child. */
void merkle_node_hash(const uint8_t left[MERKLE_HASH_SIZE],
                      const uint8_t right[MERKLE_HASH_SIZE],
                      uint8_t out[MERKLE_HASH_SIZE])
{
    /* One contiguous buffer, so 'out' may alias a child: both are read
     * before anything is written. */
    uint8_t buf[1 + 2 * MERKLE_HASH_SIZE];

    buf[0] = NODE_PREFIX;
    memcpy(buf + 1, left, MERKLE_HASH_SIZE);
    memcpy(buf + 1 + MERKLE_HASH_SIZE, right, MERKLE_HASH_SIZE);
    sha256(out, buf, sizeof buf);
}

/* SHA-256("") into 'out': the RFC 9162 root of a tree with no leaves. */
void merkle_empty_root(uint8_t out[MERKLE_HASH_SIZE])
{
    static const uint8_t none[1]; /* a valid pointer even for 0 bytes */

    sha256(out, none, 0);
}

/* ---------------------------------------------------------------------------
 * Tree arithmetic
 * ------------------------------------------------------------------------- */

/* The split point k of RFC 9162: the largest power of two below n (n >= 2).
 * Children of a node of n leaves have k and n - k leaves. */
static uint64_t split_point(uint64_t n)
{
    return UINT64_C(1) << (63 - __builtin_clzll(n - 1));
}

/* Whether [begin, end) is a node of some RFC 9162 tree: non-empty, and
 * begin aligned to the smallest power of two covering the width. Only such
 * ranges decompose into O(log n) stored perfect subtrees. */
static int is_tree_node(uint64_t begin, uint64_t end)
{
    uint64_t width, mask;
    unsigned bits;

    if (begin >= end)
        return 0;
    width = end - begin;
    /* bits = log2 of the smallest power of two >= width (0..64). */
    bits = (width & (width - 1)) == 0 ? (unsigned)__builtin_ctzll(width)
                                      : 64u - (unsigned)__builtin_clzll(width);
    mask = bits == 64 ? UINT64_MAX : (UINT64_C(1) << bits) - 1;
    return (begin & mask) == 0;
}

/* Calls the storage callback, keeping its negative codes untouched and
 * turning a contract-breaking positive return into an error, so a buggy
 * getter cannot make a failed lookup look like success. */
static int fetch(merkle_get_fn get, void *ctx, unsigned level, uint64_t index,
                 uint8_t out[MERKLE_HASH_SIZE])
{
    int rc = get(ctx, level, index, out);

    if (rc > 0)
        return accord_fail(ACCORD_ESTORE, NULL,
                           "merkle: node lookup (%u, %llu) returned %d",
                           level, (unsigned long long)index, rc);
    return rc;
}

/* MTH of a range already known to be a tree node (see is_tree_node).
 *
 * Such a range is a run of perfect subtrees, one per set bit of its width,
 * largest first, and each is aligned because begin is aligned to all of
 * them. Unrolling MTH's split shows the hash is their right fold:
 * H(P1, H(P2, ... H(Pk-1, Pk))). Walking the bits upward visits them right
 * to left, so one pass with one lookup per set bit does it. */
static int span_hash(merkle_get_fn get, void *ctx, uint64_t begin,
                     uint64_t end, uint8_t out[MERKLE_HASH_SIZE])
{
    uint64_t width = end - begin;
    uint8_t node[MERKLE_HASH_SIZE];
    int have = 0;

    for (unsigned b = 0; b < 64; b++) {
        uint64_t start;
        int rc;

        if (!(width >> b & 1))
            continue;
        /* The chunk of bit b starts after all larger chunks. For b = 63,
         * 2 << 63 wraps to 0 and the mask correctly clears everything. */
        start = begin + (width & ~((UINT64_C(2) << b) - 1));
        rc = fetch(get, ctx, b, start >> b, have ? node : out);
        if (rc != 0)
            return rc;
        if (have)
            merkle_node_hash(node, out, out);
        have = 1;
    }
    return 0;
}

/* ---------------------------------------------------------------------------
 * Building
 * ------------------------------------------------------------------------- */

/* Nodes completed by appending 'leaf' as leaf 'size' into 'out', count into
 * '*out_count'; reads left siblings via 'get'/'ctx'. Stores nothing. */
int merkle_append(merkle_get_fn get, void *ctx, uint64_t size,
                  const uint8_t leaf[MERKLE_HASH_SIZE],
                  merkle_node out[MERKLE_MAX_APPEND], size_t *out_count)
{
    uint64_t index = size;
    size_t n = 0;

    *out_count = 0;
    if (size == UINT64_MAX)
        return accord_fail(ACCORD_EINVAL, "size",
                           "merkle: log is full (%llu leaves)",
                           (unsigned long long)size);

    out[0].level = 0;
    out[0].index = size;
    memcpy(out[0].hash, leaf, MERKLE_HASH_SIZE);
    n = 1;
    /* An odd index is a right child, so its parent just became complete;
     * the left sibling has been stored since it completed. */
    while (index & 1) {
        uint8_t left[MERKLE_HASH_SIZE];
        merkle_node *child = &out[n - 1];
        int rc = fetch(get, ctx, child->level, index - 1, left);

        if (rc != 0)
            return rc;
        index >>= 1;
        out[n].level = child->level + 1;
        out[n].index = index;
        merkle_node_hash(left, child->hash, out[n].hash);
        n++;
    }
    *out_count = n;
    return 0;
}

/* Root of the first 'size' leaves into 'out', via 'get'/'ctx'. */
int merkle_root(merkle_get_fn get, void *ctx, uint64_t size,
                uint8_t out[MERKLE_HASH_SIZE])
{
    if (size == 0) {
        merkle_empty_root(out);
        return 0;
    }
    return span_hash(get, ctx, 0, size, out);
}

/* MTH of tree node [begin, end) into 'out', via 'get'/'ctx'. The range
 * is checked first: any other range would silently need O(n) lookups. */
int merkle_range_hash(merkle_get_fn get, void *ctx, uint64_t begin,
                      uint64_t end, uint8_t out[MERKLE_HASH_SIZE])
{
    if (!is_tree_node(begin, end))
        return accord_fail(ACCORD_EINVAL, "range",
                           "merkle: [%llu, %llu) is not a tree node",
                           (unsigned long long)begin, (unsigned long long)end);
    return span_hash(get, ctx, begin, end, out);
}

/* Writes the hashes of 'sib[0..n)' to 'out' deepest first (the RFC lists
 * proofs bottom-up while the walks below go top-down), after 'first'
 * hashes already in 'out'. Every span is a tree node by construction. */
static int emit_reversed(merkle_get_fn get, void *ctx, const span *sib,
                         size_t n, size_t first,
                         uint8_t out[MERKLE_MAX_PROOF][MERKLE_HASH_SIZE])
{
    for (size_t i = 0; i < n; i++) {
        const span *s = &sib[n - 1 - i];
        int rc = span_hash(get, ctx, s->lo, s->hi, out[first + i]);

        if (rc != 0)
            return rc;
    }
    return 0;
}

/* PATH(index, D[size]) into 'out' (bottom-up), length into '*out_len'. */
int merkle_inclusion_proof(merkle_get_fn get, void *ctx, uint64_t index,
                           uint64_t size,
                           uint8_t out[MERKLE_MAX_PROOF][MERKLE_HASH_SIZE],
                           size_t *out_len)
{
    span sib[64];
    size_t n = 0;
    uint64_t lo = 0, hi = size;
    int rc;

    *out_len = 0;
    if (index >= size)
        return accord_fail(ACCORD_EINVAL, "index",
                           "merkle: leaf %llu is not in a tree of %llu",
                           (unsigned long long)index, (unsigned long long)size);

    /* PATH(m, D[n]) iteratively: descend toward the leaf, noting the other
     * child at each split. Each split lowers ceil(log2(width)), so at most
     * 64 siblings. Only the first right sibling can be non-perfect (it ends
     * at 'size'); once we step left every range is perfect, so the whole
     * proof costs O(log n) lookups. */
    while (hi - lo > 1) {
        uint64_t mid = lo + split_point(hi - lo);

        if (index < mid) {
            sib[n++] = (span){mid, hi};
            hi = mid;
        } else {
            sib[n++] = (span){lo, mid};
            lo = mid;
        }
    }
    rc = emit_reversed(get, ctx, sib, n, 0, out);
    if (rc != 0)
        return rc;
    *out_len = n;
    return 0;
}

/* PROOF(old_size, D[new_size]) into 'out', length into '*out_len'. */
int merkle_consistency_proof(merkle_get_fn get, void *ctx, uint64_t old_size,
                             uint64_t new_size,
                             uint8_t out[MERKLE_MAX_PROOF][MERKLE_HASH_SIZE],
                             size_t *out_len)
{
    span sib[64];
    size_t n = 0, first = 0;
    uint64_t lo = 0, hi = new_size;
    int whole = 1; /* SUBPROOF's b: still on the left edge, i.e. the
                      current range starts at leaf 0 */
    int rc;

    *out_len = 0;
    if (old_size == 0 || old_size > new_size)
        return accord_fail(ACCORD_EINVAL, "old_size",
                           "merkle: no consistency proof from %llu to %llu",
                           (unsigned long long)old_size,
                           (unsigned long long)new_size);

    /* SUBPROOF(m, D[n], b) iteratively. The old tree ends at 'old_size';
     * descend until a range ends exactly there. */
    while (hi != old_size) {
        uint64_t mid = lo + split_point(hi - lo);

        if (old_size <= mid) {
            sib[n++] = (span){mid, hi};
            hi = mid;
        } else {
            sib[n++] = (span){lo, mid};
            lo = mid;
            whole = 0;
        }
    }
    /* The old tree's own root is omitted when it is a node of the new tree
     * on the left edge: the verifier already has it as root1. */
    if (!whole) {
        rc = span_hash(get, ctx, lo, hi, out[0]);
        if (rc != 0)
            return rc;
        first = 1;
    }
    rc = emit_reversed(get, ctx, sib, n, first, out);
    if (rc != 0)
        return rc;
    *out_len = first + n;
    return 0;
}

/* ---------------------------------------------------------------------------
 * Verification
 * ------------------------------------------------------------------------- */

/* Whether 'b' is a readable 32-byte hash. */
static int is_hash(merkle_bytes b)
{
    return b.len == MERKLE_HASH_SIZE && b.data != NULL;
}

/* Whether 'b' is a well-formed byte string (NULL only when empty). */
static int is_bytes(merkle_bytes b)
{
    return b.data != NULL || b.len == 0;
}

/* Whether the byte strings are equal. Roots and proofs are public, so a
 * plain memcmp's timing leaks nothing. */
static int bytes_equal(merkle_bytes a, merkle_bytes b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.data, b.data, a.len) == 0);
}

/* Checks that 'proof' holds 'len' readable 32-byte hashes. */
static int check_proof(const merkle_bytes *proof, size_t len)
{
    if (len > 0 && proof == NULL)
        return accord_fail(ACCORD_EINVAL, "proof", "merkle: proof is NULL");
    for (size_t i = 0; i < len; i++)
        if (!is_hash(proof[i]))
            return accord_fail(ACCORD_EVERIFY, "proof",
                               "merkle: proof hash %zu has %zu bytes, not %d",
                               i, proof[i].len, MERKLE_HASH_SIZE);
    return 0;
}

/* Shifts fn and sn right together until fn's low bit is set or fn is 0:
 * climbing past levels where the path node is a left child on the right
 * edge, which has no sibling in the proof. */
static void climb_right_edge(uint64_t *fn, uint64_t *sn)
{
    while (*fn != 0 && !(*fn & 1)) {
        *fn >>= 1;
        *sn >>= 1;
    }
}

/* Checks 'proof' places 'leaf_hash' at 'index' under 'root' of a tree of
 * 'size' leaves. Borrows every input; 0, ACCORD_EINVAL or ACCORD_EVERIFY. */
int merkle_verify_inclusion(uint64_t index, uint64_t size,
                            merkle_bytes leaf_hash, const merkle_bytes *proof,
                            size_t proof_len, merkle_bytes root)
{
    uint8_t r[MERKLE_HASH_SIZE];
    uint64_t fn, sn;
    int rc;

    if (index >= size)
        return accord_fail(ACCORD_EINVAL, "index",
                           "merkle: leaf %llu is not in a tree of %llu",
                           (unsigned long long)index, (unsigned long long)size);
    if ((rc = check_proof(proof, proof_len)) != 0)
        return rc;
    if (!is_hash(leaf_hash))
        return accord_fail(ACCORD_EVERIFY, "leaf_hash",
                           "merkle: leaf hash has %zu bytes", leaf_hash.len);
    if (!is_hash(root))
        return accord_fail(ACCORD_EVERIFY, "root",
                           "merkle: root has %zu bytes", root.len);

    /* RFC 9162 section 2.1.3.2, step by step. fn is the path node's index
     * and sn the last index at its level. */
    fn = index;
    sn = size - 1;
    memcpy(r, leaf_hash.data, MERKLE_HASH_SIZE);
    for (size_t i = 0; i < proof_len; i++) {
        const uint8_t *p = proof[i].data;

        if (sn == 0)
            return accord_fail(ACCORD_EVERIFY, "proof",
                               "merkle: inclusion proof is too long");
        if ((fn & 1) || fn == sn) {
            merkle_node_hash(p, r, r);
            if (!(fn & 1))
                climb_right_edge(&fn, &sn);
        } else {
            merkle_node_hash(r, p, r);
        }
        fn >>= 1;
        sn >>= 1;
    }
    if (sn != 0)
        return accord_fail(ACCORD_EVERIFY, "proof",
                           "merkle: inclusion proof is too short");
    if (memcmp(r, root.data, MERKLE_HASH_SIZE) != 0)
        return accord_fail(ACCORD_EVERIFY, "root",
                           "merkle: inclusion proof does not match the root");
    return 0;
}

/* Consistency checks that need no hashing: sizes, equal sizes, lengths.
 * Returns 1 when the equal-size case has already verified, 0 to go on. */
static int consistency_precheck(uint64_t size1, uint64_t size2,
                                merkle_bytes root1, merkle_bytes root2,
                                const merkle_bytes *proof, size_t proof_len)
{
    int rc;

    if (size1 > size2)
        return accord_fail(ACCORD_EINVAL, "size1",
                           "merkle: size1 %llu is above size2 %llu",
                           (unsigned long long)size1, (unsigned long long)size2);
    if (size1 == 0)
        return accord_fail(ACCORD_EINVAL, "size1",
                           "merkle: consistency with the empty tree proves "
                           "nothing");
    if (!is_bytes(root1) || !is_bytes(root2))
        return accord_fail(ACCORD_EINVAL, "root", "merkle: root is NULL");
    if (size1 == size2) {
        /* Nothing to hash: the trees are the same exactly when the roots
         * are, so compare them as opaque strings whatever their length. */
        if (proof_len != 0)
            return accord_fail(ACCORD_EVERIFY, "proof",
                               "merkle: equal sizes need an empty proof");
        if (!bytes_equal(root1, root2))
            return accord_fail(ACCORD_EVERIFY, "root2",
                               "merkle: equal sizes but different roots");
        return 1;
    }
    if ((rc = check_proof(proof, proof_len)) != 0)
        return rc;
    if (!is_hash(root1) || !is_hash(root2))
        return accord_fail(ACCORD_EVERIFY, is_hash(root1) ? "root2" : "root1",
                           "merkle: root is not %d bytes", MERKLE_HASH_SIZE);
    if (proof_len == 0)
        return accord_fail(ACCORD_EVERIFY, "proof",
                           "merkle: consistency proof is empty");
    return 0;
}

/* Checks 'proof' shows tree ('size1', 'root1') is a prefix of tree
 * ('size2', 'root2'). Borrows every input; 0, ACCORD_EINVAL or
 * ACCORD_EVERIFY. */
int merkle_verify_consistency(uint64_t size1, uint64_t size2,
                              merkle_bytes root1, merkle_bytes root2,
                              const merkle_bytes *proof, size_t proof_len)
{
    uint8_t fr[MERKLE_HASH_SIZE], sr[MERKLE_HASH_SIZE];
    uint64_t fn, sn;
    size_t i;
    int rc;

    rc = consistency_precheck(size1, size2, root1, root2, proof, proof_len);
    if (rc != 0)
        return rc < 0 ? rc : 0;

    /* RFC 9162 section 2.1.4.2. When size1 is a power of two the old tree
     * is a node of the new one and the RFC prepends root1 to the path;
     * start from root1 instead of copying the proof. */
    if ((size1 & (size1 - 1)) == 0) {
        memcpy(fr, root1.data, MERKLE_HASH_SIZE);
        i = 0;
    } else {
        memcpy(fr, proof[0].data, MERKLE_HASH_SIZE);
        i = 1;
    }
    memcpy(sr, fr, MERKLE_HASH_SIZE);
    fn = size1 - 1;
    sn = size2 - 1;
    while (fn & 1) {
        fn >>= 1;
        sn >>= 1;
    }
    for (; i < proof_len; i++) {
        const uint8_t *c = proof[i].data;

        if (sn == 0)
            return accord_fail(ACCORD_EVERIFY, "proof",
                               "merkle: consistency proof is too long");
        if ((fn & 1) || fn == sn) {
            merkle_node_hash(c, fr, fr);
            merkle_node_hash(c, sr, sr);
            if (!(fn & 1))
                climb_right_edge(&fn, &sn);
        } else {
            merkle_node_hash(sr, c, sr);
        }
        fn >>= 1;
        sn >>= 1;
    }
    if (sn != 0)
        return accord_fail(ACCORD_EVERIFY, "proof",
                           "merkle: consistency proof is too short");
    if (memcmp(fr, root1.data, MERKLE_HASH_SIZE) != 0)
        return accord_fail(ACCORD_EVERIFY, "root1",
                           "merkle: consistency proof does not match root1");
    if (memcmp(sr, root2.data, MERKLE_HASH_SIZE) != 0)
        return accord_fail(ACCORD_EVERIFY, "root2",
                           "merkle: consistency proof does not match root2");
    return 0;
}
