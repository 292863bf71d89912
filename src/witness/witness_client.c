/* The log's side of tlog-witness: submitting a checkpoint over libcurl
 * and checking the cosignatures that come back. See witness.h. */
#include <curl/curl.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tlog/cosign.h"
#include "tlog/note.h"
#include "util/error.h"
#include "witness/witness.h"
#include "witness/witness_int.h"

#define URL_CAP 2048
#define MESSAGE_CAP 200 /* bytes of a witness's refusal quoted in ours */

/* What came back from the witness. */
typedef struct response {
    long status;
    char content_type[64];
    buf body;
    int rc; /* a buf error while receiving */
} response;

/* ------------------------------------------------------------------------
 * The request
 * ---------------------------------------------------------------------- */

/* Appends the add-checkpoint body: the old size, the proof, a blank line
 * and the note. */
static int build_body(uint64_t old_size, const uint8_t (*proof)[MERKLE_HASH_SIZE], size_t proof_len,
                      const char *note, size_t note_len, buf *out)
{
    char b64[sodium_base64_ENCODED_LEN(MERKLE_HASH_SIZE, sodium_base64_VARIANT_ORIGINAL)];
    int rc = buf_printf(out, "old %" PRIu64 "\n", old_size);

    for (size_t i = 0; !rc && i < proof_len; i++) {
        sodium_bin2base64(b64, sizeof b64, proof[i], MERKLE_HASH_SIZE, sodium_base64_VARIANT_ORIGINAL);
        rc = buf_printf(out, "%s\n", b64);
    }
    if (!rc)
        rc = buf_append(out, "\n", 1);
    if (!rc)
        rc = buf_append(out, note, note_len);
    if (rc == ACCORD_ETOOBIG)
        rc = accord_fail(ACCORD_EINVAL, "note", "the request would be over %d bytes", WITNESS_MAX_BODY);
    return rc;
}

/* libcurl write callback: the answer goes into a capped buf, and a
 * witness that sends more than that is cut off. */
static size_t on_data(char *ptr, size_t size, size_t n, void *arg)
{
    response *r = arg;
    if (r->rc)
        return 0;
    r->rc = buf_append(&r->body, ptr, size * n);
    return r->rc ? 0 : size * n;
}

/* Sets the options of one POST of 'body' to 'url'. */
static void set_options(CURL *c, const char *url, const buf *body, struct curl_slist *headers, response *r)
{
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body->data);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body->len);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
    /* A witness URL is configuration; following redirects would let the
     * network choose another witness, and other schemes make no sense. */
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "accord-witness-client/" ACCORD_VERSION);
}

/* POSTs 'body' to 'url' and collects the answer into 'r'. */
static int post(const char *url, const buf *body, response *r)
{
    struct curl_slist *headers = NULL, *more;
    char *ct = NULL;
    int rc = ACCORD_OK;

    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return accord_fail(ACCORD_EENV, NULL, "cannot initialize libcurl");
    CURL *c = curl_easy_init();
    /* "Expect:" stops curl from waiting for a 100 Continue. */
    if (c && (more = curl_slist_append(headers, "Content-Type: text/plain; charset=utf-8")))
        headers = more;
    if (c && headers && (more = curl_slist_append(headers, "Expect:")))
        headers = more;
    if (!c || !headers) {
        rc = accord_fail(ACCORD_ENOMEM, NULL, "cannot set up the request");
    } else {
        set_options(c, url, body, headers, r);
        CURLcode cc = curl_easy_perform(c);
        if (r->rc == ACCORD_ETOOBIG)
            rc = accord_fail(ACCORD_EVERIFY, NULL, "%s: the answer is over %d bytes", url, WITNESS_MAX_BODY);
        else if (r->rc)
            rc = r->rc;
        else if (cc != CURLE_OK)
            rc = accord_fail(ACCORD_EENV, NULL, "%s: %s", url, curl_easy_strerror(cc));
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
        curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct);
        snprintf(r->content_type, sizeof r->content_type, "%s", ct ? ct : "");
    }
    curl_slist_free_all(headers);
    curl_easy_cleanup(c);
    curl_global_cleanup();
    return rc;
}

/* ------------------------------------------------------------------------
 * The answer
 * ---------------------------------------------------------------------- */

/* Copies the start of the witness's message into 'out' as one clean line:
 * it is untrusted text going into our error messages. */
static void quote_message(const buf *body, char out[MESSAGE_CAP + 1])
{
    size_t n = 0;

    for (size_t i = 0; i < body->len && n < MESSAGE_CAP; i++) {
        char ch = body->data[i];
        if (ch == '\n')
            break;
        out[n++] = ch >= ' ' && ch <= '~' ? ch : '?';
    }
    out[n] = '\0';
}

/* The 409 of a stale size: exactly "<size>\n" as text/x.tlog.size. */
static int stale_size(const char *url, const response *r, uint64_t *witness_size)
{
    uint64_t size;

    if (r->body.len < 2 || r->body.data[r->body.len - 1] != '\n' ||
        !wparse_size(r->body.data, r->body.len - 1, &size))
        return accord_fail(ACCORD_EVERIFY, NULL, "%s: malformed %s body in the 409", url, WITNESS_SIZE_TYPE);
    if (witness_size)
        *witness_size = size;
    return accord_fail(ACCORD_ECONFLICT, "old", "%s: the witness is at size %" PRIu64, url, size);
}

/* A 200 body must be one or more signature lines, each ending in '\n'. */
static int check_lines(const char *url, const buf *body)
{
    const char *p = body->data, *end = body->data + body->len;
    size_t cap = body->len / 4 * 3 + 3; /* any line's decoded signature fits */
    note_sigline sl;
    int rc = ACCORD_OK;

    if (body->len == 0 || body->data[body->len - 1] != '\n')
        return accord_fail(ACCORD_EVERIFY, NULL, "%s: the 200 answer is not newline-terminated signature lines", url);
    uint8_t *scratch = malloc(cap);
    if (!scratch)
        return accord_fail(ACCORD_ENOMEM, NULL, "out of memory");
    while (!rc && p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = (size_t)(nl - p);
        if (!note_line_valid(p, len) || note_sigline_parse(p, len, scratch, cap, &sl) != ACCORD_OK)
            rc = accord_fail(ACCORD_EVERIFY, NULL, "%s: the 200 answer has a malformed signature line", url);
        p = nl + 1;
    }
    free(scratch);
    return rc;
}

/* Turns the witness's answer into our result. */
static int interpret(const char *url, const response *r, buf *lines, uint64_t *witness_size)
{
    char msg[MESSAGE_CAP + 1];
    int rc;

    quote_message(&r->body, msg);
    switch (r->status) {
    case 200:
        rc = check_lines(url, &r->body);
        return rc ? rc : buf_append(lines, r->body.data, r->body.len);
    case 409:
        /* The spec's 409 carries the witness's size. A 409 without it is
         * how witnesses before the spec's change of 2026-07-06 answered a
         * fork (now a 422): another root at this size, which no retry
         * fixes. */
        if (strcasecmp(r->content_type, WITNESS_SIZE_TYPE) == 0)
            return stale_size(url, r, witness_size);
        return accord_fail(ACCORD_EVERIFY, NULL, "%s: 409, a different root at the same size: %s", url, msg);
    case 403:
    case 422:
        return accord_fail(ACCORD_EVERIFY, NULL, "%s: %ld: %s", url, r->status, msg);
    case 404:
        return accord_fail(ACCORD_ENOTFOUND, NULL, "%s: 404, the witness does not know this log: %s", url, msg);
    case 400:
        return accord_fail(ACCORD_EINVAL, NULL, "%s: 400: %s", url, msg);
    default:
        return accord_fail(ACCORD_EENV, NULL, "%s: HTTP status %ld: %s", url, r->status, msg);
    }
}

int witness_client_submit(const char *url, uint64_t old_size, const uint8_t (*proof)[MERKLE_HASH_SIZE],
                          size_t proof_len, const char *note, size_t note_len, buf *cosignature_lines,
                          uint64_t *witness_size)
{
    char full[URL_CAP];
    size_t n = url ? strlen(url) : 0;
    response r = {0};
    buf body;
    int rc;

    if (n == 0 || n + sizeof "/add-checkpoint" > sizeof full)
        return accord_fail(ACCORD_EINVAL, "url", "the witness URL is empty or too long");
    if (proof_len > WITNESS_MAX_PROOF || (proof_len && !proof))
        return accord_fail(ACCORD_EINVAL, "proof", "a consistency proof has at most %d hashes", WITNESS_MAX_PROOF);
    snprintf(full, sizeof full, "%.*s/add-checkpoint", (int)(url[n - 1] == '/' ? n - 1 : n), url);
    buf_init(&body, WITNESS_MAX_BODY);
    buf_init(&r.body, WITNESS_MAX_BODY);
    rc = build_body(old_size, proof, proof_len, note, note_len, &body);
    if (!rc)
        rc = post(full, &body, &r);
    if (!rc)
        rc = interpret(full, &r, cosignature_lines, witness_size);
    buf_free(&body);
    buf_free(&r.body);
    return rc;
}

int witness_client_check_cosignature(const char *witness_vkey, const char *note, size_t note_len,
                                     const char *lines, size_t lines_len, uint64_t *timestamp)
{
    note_verifier v;
    note_opened opened;
    buf joined;
    int rc;

    if (timestamp)
        *timestamp = 0;
    rc = note_verifier_parse(&v, witness_vkey);
    if (!rc && v.type != NOTE_TYPE_COSIGNATURE)
        rc = accord_fail(ACCORD_EINVAL, "vkey", "%s is not a witness (0x04) key", v.name);
    if (rc)
        return rc;
    /* As the spec suggests: append the lines to the checkpoint and open it
     * with the witness key alone. The log's line is then an unknown key,
     * ignored, as are other witnesses'. */
    buf_init(&joined, NOTE_MAX_SIZE);
    rc = buf_append(&joined, note, note_len);
    if (!rc)
        rc = note_add_signature_line(&joined, lines, lines_len);
    if (!rc)
        rc = note_open(joined.data, joined.len, &v, 1, &opened);
    /* The spec: "The cosignature MUST NOT omit the timestamp". */
    if (!rc && opened.timestamp[0] == 0)
        rc = accord_fail(ACCORD_EVERIFY, "cosignature", "the cosignature by %s has no timestamp", v.name);
    if (!rc && timestamp)
        *timestamp = opened.timestamp[0];
    buf_free(&joined);
    return rc;
}
