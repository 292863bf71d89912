/* The log's pages: its size, root, latest signed checkpoint with its
 * cosignatures, the verifier key and how to check it offline; and one
 * entry with its canonical bytes, leaf hash and inclusion proof. */
#include <sodium.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/handlers.h"
#include "ledger/ledger.h"
#include "tlog/merkle.h"
#include "ledger/publish.h"
#include "portal/portal_int.h"
#include "util/error.h"

static json_t *b64(const uint8_t *p, size_t len)
{
    char text[sodium_base64_ENCODED_LEN(64, sodium_base64_VARIANT_ORIGINAL)];
    sodium_bin2base64(text, sizeof text, p, len, sodium_base64_VARIANT_ORIGINAL);
    return json_string(text);
}

static json_t *hex(const uint8_t *p, size_t len)
{
    char text[2 * 64 + 1];
    sodium_bin2hex(text, sizeof text, p, len);
    return json_string(text);
}

/* The verifier key, as GET /api/v1/log/key answers it (its handler is
 * called rather than its query repeated). */
static json_t *log_key(http_req *req)
{
    http_req sub = {.conn = req->conn, .method = "GET", .path = "/api/v1/log/key", .db = req->db, .status = 200};
    buf_init(&sub.text, 4096);
    json_t *v = http_get_log_key(&sub) == ACCORD_OK ? sub.json : NULL;
    buf_free(&sub.text);
    return v;
}

int portal_log_page(const portal_page *pg)
{
    uint64_t size = 0;
    uint8_t root[MERKLE_HASH_SIZE];
    buf cp;
    buf_init(&cp, 64 * 1024);
    int rc = store_begin_read(pg->req->db);
    if (!rc)
        rc = ledger_size(pg->req->db, &size);
    if (!rc)
        rc = ledger_root(pg->req->db, size, root);
    uint64_t cp_size = 0;
    bool have_cp = !rc && publish_latest(pg->req->db, &cp, &cp_size) == ACCORD_OK;
    store_rollback(pg->req->db);
    if (rc) {
        buf_free(&cp);
        return rc;
    }
    accord_error_clear();
    json_t *m = portal_base(pg, web_t(pg->lang, "The public log"), "");
    json_object_set_new(m, "size", json_integer((json_int_t)size));
    json_object_set_new(m, "size_text", portal_number(pg, (long long)size));
    json_object_set_new(m, "root", b64(root, sizeof root));
    json_object_set_new(m, "root_hex", hex(root, sizeof root));
    if (have_cp) {
        json_object_set_new(m, "checkpoint", json_string(cp.data ? cp.data : ""));
        json_object_set_new(m, "checkpoint_size", json_integer((json_int_t)cp_size));
        /* Lines after the blank line are signatures: the log's, then each
         * witness's cosignature. */
        const char *sig = cp.data ? strstr(cp.data, "\n\n") : NULL;
        json_object_set_new(m, "signature_lines", json_integer(0));
        if (sig) {
            json_int_t lines = 0;
            for (const char *s = sig + 2; *s; s++)
                lines += *s == '\n';
            json_object_set_new(m, "signature_lines", json_integer(lines));
            json_object_set_new(m, "cosignatures_text", portal_number(pg, lines > 0 ? lines - 1 : 0));
        }
    }
    json_t *key = log_key(pg->req);
    if (key)
        json_object_set_new(m, "key", key);
    /* The latest entries, newest first, linked to their pages. */
    json_t *latest = json_array();
    for (uint64_t i = size; i-- > 0 && json_array_size(latest) < 20;) {
        char href[64];
        snprintf(href, sizeof href, "/%s/log/entries/%llu", pg->lang->code, (unsigned long long)i);
        json_array_append_new(latest, json_pack("{s:I, s:s}", "index", (json_int_t)i, "href", href));
    }
    json_object_set_new(m, "latest", latest);
    buf_free(&cp);
    return portal_render(pg, "log", m);
}

int portal_log_entry_page(const portal_page *pg, const char *index_text)
{
    char *end;
    errno = 0;
    unsigned long long index = strtoull(index_text, &end, 10);
    if (!*index_text || *end || errno == ERANGE || !isdigit((unsigned char)index_text[0]) ||
        (index_text[0] == '0' && index_text[1]))
        return accord_fail(ACCORD_EINVAL, "index", "index: '%s' is not a non-negative integer", index_text);
    uint64_t size = 0;
    uint8_t proof[MERKLE_MAX_PROOF][MERKLE_HASH_SIZE], root[MERKLE_HASH_SIZE], leaf[MERKLE_HASH_SIZE];
    size_t n = 0;
    buf e;
    buf_init(&e, LEDGER_MAX_EVENT);
    int rc = store_begin_read(pg->req->db);
    if (!rc)
        rc = ledger_size(pg->req->db, &size);
    if (!rc && index >= size)
        rc = accord_fail(ACCORD_ENOTFOUND, "index", "the log has no entry %llu (it holds %llu)", index,
                         (unsigned long long)size);
    if (!rc)
        rc = ledger_entry(pg->req->db, index, &e);
    if (!rc)
        rc = merkle_inclusion_proof(ledger_node, pg->req->db, index, size, proof, &n);
    if (!rc)
        rc = ledger_root(pg->req->db, size, root);
    store_rollback(pg->req->db);
    if (rc) {
        buf_free(&e);
        return rc;
    }
    merkle_leaf_hash(e.data, e.len, leaf);
    char title[128];
    snprintf(title, sizeof title, "%s %llu", web_t(pg->lang, "Log entry"), index);
    json_t *m = portal_base(pg, title, "");
    json_t *pr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(pr, json_pack("{s:I, s:o}", "n", (json_int_t)i + 1, "hash", b64(proof[i], MERKLE_HASH_SIZE)));
    json_object_set_new(m, "index", json_integer((json_int_t)index));
    json_object_set_new(m, "size", json_integer((json_int_t)size));
    json_object_set_new(m, "entry", json_stringn(e.data, e.len));
    json_object_set_new(m, "leaf_hash", b64(leaf, sizeof leaf));
    json_object_set_new(m, "leaf_hash_hex", hex(leaf, sizeof leaf));
    json_object_set_new(m, "root", b64(root, sizeof root));
    json_object_set_new(m, "proof", pr);
    char link[96];
    if (index > 0) {
        snprintf(link, sizeof link, "/%s/log/entries/%llu", pg->lang->code, index - 1);
        json_object_set_new(m, "previous", json_string(link));
    }
    if (index + 1 < size) {
        snprintf(link, sizeof link, "/%s/log/entries/%llu", pg->lang->code, index + 1);
        json_object_set_new(m, "next", json_string(link));
    }
    snprintf(link, sizeof link, "/api/v1/log/proof/inclusion?index=%llu&size=%llu", index, (unsigned long long)size);
    json_object_set_new(m, "proof_api", json_string(link));
    buf_free(&e);
    return portal_render(pg, "log_entry", m);
}
