/* RFC 9162 (Certificate Transparency v2) Merkle tree over the event log.
 *
 * The module holds no state. The ledger stores the hash of every *perfect*
 * subtree (complete and aligned), addressed by (level, index): node (L, i)
 * covers leaves [i * 2^L, (i + 1) * 2^L), and node (0, i) is leaf hash i.
 * Perfect subtrees never change once complete, so the stored nodes of a log
 * of size N also serve every earlier size n <= N. Roots, proofs and the
 * hashes of the ragged right edge are computed from them through a
 * merkle_get_fn callback with O(log n) lookups, never by rehashing leaves.
 *
 * Hashes (RFC 9162 section 2.1.1):
 *     leaf  = SHA-256(0x00 || data)
 *     node  = SHA-256(0x01 || left || right)
 *     empty = SHA-256("")
 *
 * Errors: functions returning int give 0 or a negative ACCORD_* code and
 * record a message with accord_fail() where the problem is found:
 *     ACCORD_EINVAL   bad arguments (index >= size, size1 > size2, ...)
 *     ACCORD_EVERIFY  a proof that does not verify, including hashes of
 *                     the wrong length and proofs of the wrong length
 * A negative code returned by the callback is passed back unchanged, with
 * the callback's own message left in place.
 *
 * Ownership: nothing is allocated. Inputs are borrowed for the duration of
 * the call; outputs go to caller-provided buffers. On error the contents of
 * output buffers are unspecified and counts are set to 0.
 *
 * SHA-256 comes from util/sha256.h (OpenSSL's libcrypto, on the CPU's SHA
 * instructions where there are any). */
#ifndef ACCORD_TLOG_MERKLE_H
#define ACCORD_TLOG_MERKLE_H

#include <stddef.h>
#include <stdint.h>

#define MERKLE_HASH_SIZE 32

/* Most hashes in any proof this module produces, for any uint64_t size.
 * An inclusion proof has at most ceil(log2(n)) <= 64 hashes. A consistency
 * proof adds one hash per split on its way down (at most ceil(log2(n)), as
 * each split lowers the subtree height by one) plus the old subtree's own
 * hash once it has branched right: ceil(log2(n)) + 1 <= 65. The bound is
 * reached, e.g. by (old, new) = (2^64 - 3, 2^64 - 1). */
#define MERKLE_MAX_PROOF 65

/* Most nodes one append creates: the leaf plus one parent per trailing
 * one bit of the old size, which is below 2^64 - 1, so <= 1 + 63. */
#define MERKLE_MAX_APPEND 64

/* Reads the stored hash of perfect node (level, index) into 'out'.
 * 'ctx' is the caller's pointer given to the merkle_* call. Called only for
 * nodes with (index + 1) * 2^level <= the size passed to that call, which
 * the caller guarantees are stored. Returns 0, or a negative ACCORD_* code
 * (after its own accord_fail()) that is returned unchanged to the caller.
 * A positive return breaks the contract and is reported as ACCORD_ESTORE. */
typedef int (*merkle_get_fn)(void *ctx, unsigned level, uint64_t index,
                             uint8_t out[MERKLE_HASH_SIZE]);

/* One stored node: the hash of the perfect subtree (level, index). */
typedef struct {
    unsigned level;
    uint64_t index;
    uint8_t hash[MERKLE_HASH_SIZE];
} merkle_node;

/* A borrowed byte string of any length. Verifiers take hashes this way
 * because untrusted proofs may carry hashes of the wrong length, which must
 * fail verification rather than be read past. 'data' may be NULL only when
 * 'len' is 0. */
typedef struct {
    const uint8_t *data;
    size_t len;
} merkle_bytes;

/* Wraps a 32-byte hash as merkle_bytes. Borrows 'hash'. */
static inline merkle_bytes merkle_hash_bytes(const uint8_t hash[MERKLE_HASH_SIZE])
{
    return (merkle_bytes){hash, MERKLE_HASH_SIZE};
}

/* Leaf hash of 'len' bytes at 'data' (may be NULL when len is 0) into
 * 'out': SHA-256(0x00 || data). */
void merkle_leaf_hash(const void *data, size_t len, uint8_t out[MERKLE_HASH_SIZE]);

/* Interior node hash of children 'left' and 'right' into 'out':
 * SHA-256(0x01 || left || right). 'out' may alias either child. */
void merkle_node_hash(const uint8_t left[MERKLE_HASH_SIZE],
                      const uint8_t right[MERKLE_HASH_SIZE],
                      uint8_t out[MERKLE_HASH_SIZE]);

/* Root of the empty tree into 'out': SHA-256 of the empty string. */
void merkle_empty_root(uint8_t out[MERKLE_HASH_SIZE]);

/* Computes the nodes to store when leaf hash 'leaf' is appended as leaf
 * number 'size' (the size before the append). Writes (0, size) and then
 * each parent that becomes complete, lowest level first, to 'out' and
 * their number (1..MERKLE_MAX_APPEND) to '*out_count'. Reads the left
 * siblings of the new nodes through 'get'/'ctx'. Stores nothing itself:
 * the caller persists 'out'. Fails with ACCORD_EINVAL when size is
 * UINT64_MAX (the log would overflow). */
int merkle_append(merkle_get_fn get, void *ctx, uint64_t size,
                  const uint8_t leaf[MERKLE_HASH_SIZE],
                  merkle_node out[MERKLE_MAX_APPEND], size_t *out_count);

/* Root hash of the tree of the first 'size' leaves into 'out' (the empty
 * root for size 0). Uses popcount(size) lookups; 'size' may be below the
 * log's current size. */
int merkle_root(merkle_get_fn get, void *ctx, uint64_t size,
                uint8_t out[MERKLE_HASH_SIZE]);

/* MTH of leaves [begin, end) into 'out', for ranges that are nodes of some
 * RFC 9162 tree: begin < end, and begin a multiple of the smallest power of
 * two >= end - begin. These are the perfect subtrees plus the right-edge
 * nodes that proofs contain. Other ranges fail with ACCORD_EINVAL, because
 * their MTH cannot be built from stored nodes in O(log n) lookups. */
int merkle_range_hash(merkle_get_fn get, void *ctx, uint64_t begin,
                      uint64_t end, uint8_t out[MERKLE_HASH_SIZE]);

/* RFC 9162 inclusion proof PATH(index, D[size]) (section 2.1.3.1), lowest
 * sibling first, into 'out'; its length (<= 64) into '*out_len'. Fails
 * with ACCORD_EINVAL when index >= size. */
int merkle_inclusion_proof(merkle_get_fn get, void *ctx, uint64_t index,
                           uint64_t size,
                           uint8_t out[MERKLE_MAX_PROOF][MERKLE_HASH_SIZE],
                           size_t *out_len);

/* RFC 9162 consistency proof PROOF(old_size, D[new_size]) (section
 * 2.1.4.1) into 'out'; its length (<= MERKLE_MAX_PROOF) into '*out_len'.
 * old_size == new_size gives the empty proof. Fails with ACCORD_EINVAL
 * unless 0 < old_size <= new_size. */
int merkle_consistency_proof(merkle_get_fn get, void *ctx, uint64_t old_size,
                             uint64_t new_size,
                             uint8_t out[MERKLE_MAX_PROOF][MERKLE_HASH_SIZE],
                             size_t *out_len);

/* Verifies that 'leaf_hash' is leaf 'index' of the tree of 'size' leaves
 * whose root is 'root', given the 'proof_len' hashes at 'proof' (RFC 9162
 * section 2.1.3.2; 'proof' may be NULL when proof_len is 0). Returns 0,
 * ACCORD_EINVAL when index >= size, or ACCORD_EVERIFY when any hash is not
 * 32 bytes, the proof has the wrong length, or the root does not match. */
int merkle_verify_inclusion(uint64_t index, uint64_t size,
                            merkle_bytes leaf_hash, const merkle_bytes *proof,
                            size_t proof_len, merkle_bytes root);

/* Verifies that the tree of 'size1' leaves with root 'root1' is a prefix of
 * the tree of 'size2' leaves with root 'root2', given the 'proof_len' hashes
 * at 'proof' (RFC 9162 section 2.1.4.2; 'proof' may be NULL when proof_len
 * is 0). Returns 0, ACCORD_EINVAL unless 0 < size1 <= size2 (a consistency
 * check against the empty tree proves nothing), or ACCORD_EVERIFY. Equal
 * sizes verify exactly when the proof is empty and the roots are the same
 * byte string, whatever their length; otherwise every hash must be 32
 * bytes. */
int merkle_verify_consistency(uint64_t size1, uint64_t size2,
                              merkle_bytes root1, merkle_bytes root2,
                              const merkle_bytes *proof, size_t proof_len);

#endif
