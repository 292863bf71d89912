/* The JSON view of the log: size and root, entries, proofs, key. */
#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "http/handlers.h"
#include "ledger/identity.h"
#include "ledger/ledger.h"
#include "ledger/publish.h"
#include "tlog/tile.h"
#include "util/error.h"
#include "util/json.h"

#define MAX_ENTRIES_PER_PAGE 1000

int http_query_u64(http_req *req, const char *key, bool required, uint64_t absent, uint64_t *out)
{
    const char *v = http_query(req, key);
    if (!v) {
        if (required)
            return accord_fail(ACCORD_EINVAL, key, "%s: is required", key);
        *out = absent;
        return ACCORD_OK;
    }
    return http_parse_u64(key, v, out);
}

int http_parse_u64(const char *key, const char *v, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long x = strtoull(v, &end, 10);
    /* strtoull() skips leading white space and takes a sign: only digits
     * are a number here (fuzz_proof found " 1" read as 1). */
    if (!(*v >= '0' && *v <= '9') || *end || (errno && errno != ERANGE) || (v[0] == '0' && v[1]))
        return accord_fail(ACCORD_EINVAL, key, "%s: '%s' is not a non-negative integer", key, v);
    /* Answers carry numbers as JSON integers, which are signed 64-bit. */
    if (errno == ERANGE || x > INT64_MAX)
        return accord_fail(ACCORD_EINVAL, key, "%s: %s is out of range (at most %lld)", key, v, (long long)INT64_MAX);
    *out = x;
    return ACCORD_OK;
}

static json_t *b64(const uint8_t *p, size_t len)
{
    char text[sodium_base64_ENCODED_LEN(64, sodium_base64_VARIANT_ORIGINAL)];
    sodium_bin2base64(text, sizeof text, p, len, sodium_base64_VARIANT_ORIGINAL);
    return json_string(text);
}

/* The log size, read in the caller's read transaction. */
static int size_now(http_req *req, uint64_t *size)
{
    int rc = store_begin_read(req->db);
    if (!rc)
        rc = ledger_size(req->db, size);
    return rc;
}

static int done(http_req *req, int rc, json_t *v)
{
    store_rollback(req->db); /* ends the read transaction */
    if (rc) {
        json_decref(v);
        return rc;
    }
    req->json = v;
    return ACCORD_OK;
}

int http_get_log(http_req *req)
{
    uint64_t size;
    uint8_t root[MERKLE_HASH_SIZE];
    char hex[2 * MERKLE_HASH_SIZE + 1];
    int rc = size_now(req, &size);
    if (!rc)
        rc = ledger_root(req->db, size, root);
    if (rc)
        return done(req, rc, NULL);
    sodium_bin2hex(hex, sizeof hex, root, sizeof root);
    json_t *v = json_pack("{s:I, s:o, s:s, s:s}", "size", (json_int_t)size, "root", b64(root, sizeof root), "root_hex",
                          hex, "hash", "SHA-256, RFC 9162 Merkle tree over the canonical JSON bytes of each event");
    return done(req, 0, v);
}

int http_get_log_entries(http_req *req)
{
    uint64_t size, start, count;
    int rc = http_query_u64(req, "start", false, 0, &start);
    if (!rc) rc = http_query_u64(req, "count", false, 100, &count);
    if (!rc && (count == 0 || count > MAX_ENTRIES_PER_PAGE))
        rc = accord_fail(ACCORD_EINVAL, "count", "count: must be 1 to %d", MAX_ENTRIES_PER_PAGE);
    if (rc)
        return rc;
    rc = size_now(req, &size);
    json_t *list = json_array();
    buf e;
    buf_init(&e, LEDGER_MAX_EVENT);
    for (uint64_t i = start; !rc && i < size && i < start + count; i++) {
        uint8_t leaf[MERKLE_HASH_SIZE];
        buf_reset(&e);
        rc = ledger_entry(req->db, i, &e);
        if (rc)
            break;
        merkle_leaf_hash(e.data, e.len, leaf);
        json_t *ev = json_loadb(e.data, e.len, 0, NULL);
        json_array_append_new(list, json_pack("{s:I, s:o, s:s%, s:o*}", "index", (json_int_t)i, "leaf_hash",
                                              b64(leaf, sizeof leaf), "entry", e.data, e.len, "event", ev));
    }
    buf_free(&e);
    json_t *v = rc ? NULL : json_pack("{s:I, s:I, s:o}", "size", (json_int_t)size, "start", (json_int_t)start, "entries", list);
    if (rc)
        json_decref(list);
    return done(req, rc, v);
}

static json_t *proof_json(uint8_t (*proof)[MERKLE_HASH_SIZE], size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, b64(proof[i], MERKLE_HASH_SIZE));
    return arr;
}

static int check_size(uint64_t want, uint64_t have, const char *field)
{
    if (want > have)
        return accord_fail(ACCORD_EINVAL, field, "%s: %llu is beyond the log's %llu entries", field,
                           (unsigned long long)want, (unsigned long long)have);
    return ACCORD_OK;
}

int http_get_log_inclusion(http_req *req)
{
    uint64_t size, have, index;
    uint8_t proof[MERKLE_MAX_PROOF][MERKLE_HASH_SIZE], root[MERKLE_HASH_SIZE], leaf[MERKLE_HASH_SIZE];
    size_t n;
    int rc = http_query_u64(req, "index", true, 0, &index);
    if (!rc) rc = http_query_u64(req, "size", false, 0, &size);
    if (rc)
        return rc;
    rc = size_now(req, &have);
    if (!rc && !http_query(req, "size"))
        size = have;
    if (!rc) rc = check_size(size, have, "size");
    if (!rc && index >= size)
        rc = accord_fail(ACCORD_EINVAL, "index", "index: %llu is not below size %llu", (unsigned long long)index,
                         (unsigned long long)size);
    if (!rc) rc = merkle_inclusion_proof(ledger_node, req->db, index, size, proof, &n);
    if (!rc) rc = ledger_node(req->db, 0, index, leaf);
    if (!rc) rc = ledger_root(req->db, size, root);
    json_t *v = rc ? NULL
                   : json_pack("{s:I, s:I, s:o, s:o, s:o}", "index", (json_int_t)index, "size", (json_int_t)size,
                               "leaf_hash", b64(leaf, sizeof leaf), "root", b64(root, sizeof root), "proof",
                               proof_json(proof, n));
    return done(req, rc, v);
}

int http_get_log_consistency(http_req *req)
{
    uint64_t old_size, new_size, have;
    uint8_t proof[MERKLE_MAX_PROOF][MERKLE_HASH_SIZE], r1[MERKLE_HASH_SIZE], r2[MERKLE_HASH_SIZE];
    size_t n;
    int rc = http_query_u64(req, "old", true, 0, &old_size);
    if (!rc) rc = http_query_u64(req, "new", false, 0, &new_size);
    if (rc)
        return rc;
    rc = size_now(req, &have);
    if (!rc && !http_query(req, "new"))
        new_size = have;
    if (!rc) rc = check_size(new_size, have, "new");
    if (!rc && (old_size == 0 || old_size > new_size))
        rc = accord_fail(ACCORD_EINVAL, "old", "old: must be between 1 and new (%llu)", (unsigned long long)new_size);
    if (!rc) rc = merkle_consistency_proof(ledger_node, req->db, old_size, new_size, proof, &n);
    if (!rc) rc = ledger_root(req->db, old_size, r1);
    if (!rc) rc = ledger_root(req->db, new_size, r2);
    json_t *v = rc ? NULL
                   : json_pack("{s:I, s:I, s:o, s:o, s:o}", "old", (json_int_t)old_size, "new", (json_int_t)new_size,
                               "old_root", b64(r1, sizeof r1), "new_root", b64(r2, sizeof r2), "proof",
                               proof_json(proof, n));
    return done(req, rc, v);
}

int http_get_log_key(http_req *req)
{
    ledger_identity id;
    int rc = ledger_identity_get(req->db, &id);
    if (rc)
        return rc;
    if (!id.vkey[0])
        return accord_fail(ACCORD_ENOTFOUND, NULL, "this log has no signing key");
    req->json = json_pack("{s:s, s:s, s:s}", "origin", id.origin, "vkey", id.vkey, "algorithm",
                          "Ed25519 (C2SP signed-note, key type 0x01)");
    return ACCORD_OK;
}

int http_get_checkpoint(http_req *req)
{
    int rc = publish_latest(req->db, &req->text, NULL);
    if (rc)
        return rc;
    req->content_type = "text/plain; charset=utf-8";
    req->cache_control = "public, max-age=2";
    return ACCORD_OK;
}

int http_get_tile(http_req *req)
{
    char path[300];
    tile_ref t;
    snprintf(path, sizeof path, "/tile/%s", req->params[0]);
    if (tile_path_parse(path, &t))
        return accord_fail(ACCORD_ENOTFOUND, NULL, "no such tile: %s", path);
    buf_free(&req->text);
    buf_init(&req->text, TILE_MAX_BUNDLE);
    int rc = publish_tile(req->db, &t, &req->text);
    if (rc)
        return rc;
    req->content_type = "application/octet-stream";
    /* A tile, full or partial, never changes once it can be served. */
    req->cache_control = "public, max-age=31536000, immutable";
    return ACCORD_OK;
}
