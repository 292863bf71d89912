/* The witness core: add-checkpoint without HTTP. See witness.h and
 * docs/internals/witness.md. */
#include "witness/witness.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tlog/checkpoint.h"
#include "tlog/cosign.h"
#include "tlog/note.h"
#include "util/clock.h"
#include "util/error.h"
#include "witness/witness_int.h"

#define REPLY_CAP 4096
#define TEXT_PLAIN "text/plain; charset=utf-8"

/* A log the witness is configured for: its origin and keys, and the slot
 * of its record. */
typedef struct wlog {
    note_verifier keys[NOTE_MAX_VERIFIERS];
    size_t nkeys;
    size_t rec; /* index into witness.records */
} wlog;

struct witness {
    note_signer key;
    char *state_path;
    int lock_fd;
    /* Serializes check-and-update of the records, and the state file. */
    pthread_mutex_t mu;
    wlog *logs;
    size_t nlogs;
    /* Every origin in the state file, configured or not (a log dropped
     * from the configuration keeps its record for when it comes back),
     * then one slot per configured log never cosigned. Fixed at open, so
     * requests never allocate under the lock. */
    wrecord *records;
    size_t nrecords;
};

/* One parsed request. */
typedef struct add_request {
    uint64_t old_size;
    uint8_t proof[WITNESS_MAX_PROOF][MERKLE_HASH_SIZE];
    size_t proof_len;
    const char *note; /* into the request body */
    size_t note_len;
} add_request;

/* ------------------------------------------------------------------------
 * Opening
 * ---------------------------------------------------------------------- */

/* The configured log named 'origin' ('len' bytes, not NUL-terminated:
 * it may point into a request), or NULL. */
static wlog *find_log(const witness *w, const char *origin, size_t len)
{
    for (size_t i = 0; i < w->nlogs; i++) {
        const char *name = w->logs[i].keys[0].name;
        if (strlen(name) == len && memcmp(name, origin, len) == 0)
            return &w->logs[i];
    }
    return NULL;
}

/* The record of 'origin', or NULL. Call under the lock once serving. */
static wrecord *find_record(witness *w, const char *origin)
{
    for (size_t i = 0; i < w->nrecords; i++)
        if (strcmp(w->records[i].origin, origin) == 0)
            return &w->records[i];
    return NULL;
}

/* Adds verifier key 'vkey' to the log of its name, creating the log. */
static int add_log_key(witness *w, const char *vkey)
{
    note_verifier v;
    int rc = note_verifier_parse(&v, vkey);
    if (rc)
        return accord_fail_nested(rc, "log");
    if (v.type != NOTE_TYPE_ED25519)
        return accord_fail(ACCORD_EINVAL, "log", "log key %s is not an Ed25519 (0x01) note key", v.name);
    if (strlen(v.name) > CHECKPOINT_MAX_ORIGIN)
        return accord_fail(ACCORD_EINVAL, "log", "log key name %s is longer than an origin may be", v.name);
    wlog *l = find_log(w, v.name, strlen(v.name));
    if (!l) {
        l = &w->logs[w->nlogs++];
        l->nkeys = 0;
    }
    for (size_t i = 0; i < l->nkeys; i++)
        if (l->keys[i].id == v.id)
            return accord_fail(ACCORD_EINVAL, "log", "log key %s+%08" PRIx32 " is given twice", v.name, v.id);
    if (l->nkeys == NOTE_MAX_VERIFIERS)
        return accord_fail(ACCORD_EINVAL, "log", "log %s has more than %d keys", v.name, NOTE_MAX_VERIFIERS);
    l->keys[l->nkeys++] = v;
    return ACCORD_OK;
}

/* Points each configured log at its record, using a spare slot for logs
 * the state does not know yet. */
static void attach_records(witness *w)
{
    for (size_t i = 0; i < w->nlogs; i++) {
        const char *origin = w->logs[i].keys[0].name;
        wrecord *r = find_record(w, origin);
        if (!r) {
            r = &w->records[w->nrecords++];
            memset(r, 0, sizeof *r);
            snprintf(r->origin, sizeof r->origin, "%s", origin);
            wrecord_hash_origin(r);
        }
        w->logs[i].rec = (size_t)(r - w->records);
    }
}

/* Reads the state, creating the file when it is missing so that a
 * directory we cannot write to is found now, not at the first request. */
static int load_state(witness *w)
{
    bool missing = false;
    int rc = wstate_load(w->state_path, w->nlogs, &w->records, &w->nrecords, &missing);
    if (rc)
        return rc;
    attach_records(w);
    return missing ? wstate_save(w->state_path, w->records, w->nrecords) : ACCORD_OK;
}

int witness_open(witness **out, const char *key_path, const char *state_path, const char *const *log_vkeys,
                 size_t n)
{
    int rc;

    *out = NULL;
    if (n == 0)
        return accord_fail(ACCORD_EINVAL, "log", "a witness needs at least one log key");
    witness *w = calloc(1, sizeof *w);
    if (!w)
        return accord_fail(ACCORD_ENOMEM, NULL, "out of memory");
    w->lock_fd = -1;
    pthread_mutex_init(&w->mu, NULL);
    if (!(w->logs = calloc(n, sizeof *w->logs)) || !(w->state_path = strdup(state_path))) {
        witness_close(w);
        return accord_fail(ACCORD_ENOMEM, NULL, "out of memory");
    }
    rc = cosign_key_load(&w->key, key_path);
    for (size_t i = 0; !rc && i < n; i++)
        rc = add_log_key(w, log_vkeys[i]);
    if (!rc)
        rc = wstate_lock(state_path, &w->lock_fd);
    if (!rc)
        rc = load_state(w);
    if (rc) {
        witness_close(w);
        return rc;
    }
    *out = w;
    return ACCORD_OK;
}

void witness_close(witness *w)
{
    if (!w)
        return;
    note_signer_clear(&w->key);
    if (w->lock_fd >= 0)
        close(w->lock_fd);
    pthread_mutex_destroy(&w->mu);
    wrecords_free(w->records, w->nrecords);
    free(w->logs);
    free(w->state_path);
    free(w);
}

void witness_vkey(const witness *w, char vkey[LOGKEY_MAX_VKEY])
{
    note_signer_vkey(&w->key, vkey);
}

int witness_latest(witness *w, const char *origin, uint64_t *size, uint8_t root[MERKLE_HASH_SIZE])
{
    int rc = ACCORD_OK;

    pthread_mutex_lock(&w->mu);
    const wrecord *r = find_record(w, origin);
    if (r && r->cosigned) {
        *size = r->size;
        memcpy(root, r->root, MERKLE_HASH_SIZE);
    } else {
        rc = accord_fail(ACCORD_ENOTFOUND, "origin", "the witness has cosigned nothing for %s", origin);
    }
    pthread_mutex_unlock(&w->mu);
    return rc;
}

/* ------------------------------------------------------------------------
 * Parsing a request
 * ---------------------------------------------------------------------- */

/* Reads "old <size>" (without its newline). */
static int parse_old_line(const char *line, size_t len, uint64_t *old)
{
    if (len < 4 || memcmp(line, "old ", 4) != 0 || !wparse_size(line + 4, len - 4, old))
        return accord_fail(ACCORD_EINVAL, "old", "the body must start with \"old <size>\\n\", the size in "
                           "decimal without leading zeroes");
    return ACCORD_OK;
}

/* Reads the proof lines of 'p' ('len' bytes, each ending in '\n'). */
static int parse_proof_lines(const char *p, size_t len, add_request *req)
{
    const char *end = p + len;

    for (size_t i = 1; p < end; i++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (req->proof_len == WITNESS_MAX_PROOF)
            return accord_fail(ACCORD_EINVAL, "proof", "more than %d consistency proof lines", WITNESS_MAX_PROOF);
        if (!wparse_hash(p, (size_t)(nl - p), req->proof[req->proof_len]))
            return accord_fail(ACCORD_EINVAL, "proof", "proof line %zu is not the base64 of a 32-byte hash", i);
        req->proof_len++;
        p = nl + 1;
    }
    return ACCORD_OK;
}

/* Splits the body into the old size, the proof and the note. The header
 * ends at the first empty line: no header line can be empty. */
static int parse_request(const char *body, size_t len, add_request *req)
{
    const char *blank = len ? memmem(body, len, "\n\n", 2) : NULL;
    int rc;

    memset(req, 0, sizeof *req);
    if (!blank)
        return accord_fail(ACCORD_EINVAL, NULL, "the body must be \"old <size>\", proof lines, an empty line "
                           "and the checkpoint");
    size_t header = (size_t)(blank - body) + 1; /* through the last header '\n' */
    const char *nl = memchr(body, '\n', header);
    rc = parse_old_line(body, (size_t)(nl - body), &req->old_size);
    if (!rc)
        rc = parse_proof_lines(nl + 1, header - (size_t)(nl + 1 - body), req);
    req->note = body + header + 1;
    req->note_len = len - header - 1;
    return rc;
}

/* ------------------------------------------------------------------------
 * Checking the checkpoint
 * ---------------------------------------------------------------------- */

/* Finds the log of the note's origin: its first line. */
static int known_log(const witness *w, const add_request *req, const wlog **out)
{
    const char *nl = memchr(req->note, '\n', req->note_len);
    size_t len = nl ? (size_t)(nl - req->note) : req->note_len;

    *out = find_log(w, req->note, len);
    if (*out)
        return ACCORD_OK;
    /* The origin is untrusted: echo it only when it is a clean line. */
    if (len <= CHECKPOINT_MAX_ORIGIN && note_line_valid(req->note, len))
        return accord_fail(ACCORD_ENOTFOUND, "origin", "unknown log origin '%.*s'", (int)len, req->note);
    return accord_fail(ACCORD_ENOTFOUND, "origin", "unknown log origin");
}

/* Verifies the log's signature and parses the checkpoint. */
static int open_checkpoint(const wlog *l, const add_request *req, checkpoint *cp, size_t *text_len)
{
    note_opened opened;
    int rc = note_open(req->note, req->note_len, l->keys, l->nkeys, &opened);

    /* The spec asks for 403 both when no trusted signature is present and
     * when one fails: either way the log did not sign this. */
    if (rc == ACCORD_EVERIFY) {
        char why[256]; /* accord_fail() must not read the message it overwrites */
        snprintf(why, sizeof why, "%s", accord_error_message());
        return accord_fail(ACCORD_EFORBIDDEN, "checkpoint", "not a checkpoint signed by log %s: %s",
                           l->keys[0].name, why);
    }
    if (rc)
        return rc;
    *text_len = opened.text_len;
    return checkpoint_parse(req->note, opened.text_len, cp);
}

/* The size-0 tree has one root; anything else claims leaves it lacks. */
static int check_empty_tree(const checkpoint *cp, const add_request *req)
{
    uint8_t empty[MERKLE_HASH_SIZE];

    if (req->proof_len != 0)
        return accord_fail(ACCORD_EVERIFY, "proof", "the consistency proof from size 0 must be empty");
    merkle_empty_root(empty);
    if (cp->size == 0 && memcmp(cp->root, empty, MERKLE_HASH_SIZE) != 0)
        return accord_fail(ACCORD_EVERIFY, "root", "a checkpoint of size 0 must carry the empty tree's root");
    return ACCORD_OK;
}

/* old == size == recorded: the same tree head again, or a fork. The spec
 * (since 2026-07-06) answers a fork with 422, like any proof that fails:
 * 409 is kept for the stale size, whose body the client can act on. */
static int check_same_size(const wrecord *r, const checkpoint *cp, const add_request *req)
{
    if (memcmp(cp->root, r->root, MERKLE_HASH_SIZE) != 0)
        return accord_fail(ACCORD_EVERIFY, "root", "the witness cosigned another root at size %" PRIu64
                           ": the log has forked", r->size);
    if (req->proof_len != 0)
        return accord_fail(ACCORD_EVERIFY, "proof", "the consistency proof between equal sizes must be empty");
    return ACCORD_OK;
}

/* Checks the checkpoint against the record 'r', in the spec's order.
 * Sets '*stale' when the refusal is the 409 that carries the size. */
static int check_against_record(const wrecord *r, const checkpoint *cp, const add_request *req, bool *stale)
{
    merkle_bytes proof[WITNESS_MAX_PROOF];

    *stale = false;
    if (req->old_size != r->size) {
        *stale = true;
        return accord_fail(ACCORD_ECONFLICT, "old", "the witness last cosigned size %" PRIu64 ", not %" PRIu64,
                           r->size, req->old_size);
    }
    if (req->old_size == 0)
        return check_empty_tree(cp, req);
    if (req->old_size == cp->size)
        return check_same_size(r, cp, req);
    for (size_t i = 0; i < req->proof_len; i++)
        proof[i] = merkle_hash_bytes(req->proof[i]);
    int rc = merkle_verify_consistency(r->size, cp->size, merkle_hash_bytes(r->root), merkle_hash_bytes(cp->root),
                                       proof, req->proof_len);
    if (rc)
        return accord_fail(ACCORD_EVERIFY, "proof", "the consistency proof from size %" PRIu64 " to %" PRIu64
                           " does not verify against the root the witness cosigned", r->size, cp->size);
    return ACCORD_OK;
}

/* ------------------------------------------------------------------------
 * Cosigning
 * ---------------------------------------------------------------------- */

/* Records 'cp' and the checkpoint to serve, '*served', in 'r' and makes
 * them durable; 'r' is left as it was when the write fails, so memory
 * never runs ahead of the file. On success 'r' takes '*served' and
 * '*served' becomes the note it replaced (NULL or the caller's to free,
 * after the lock). */
static int record(witness *w, wrecord *r, const checkpoint *cp, char **served)
{
    wrecord before = *r;

    if (r->cosigned && r->size == cp->size && r->checkpoint)
        return ACCORD_OK; /* the same tree head again: already durable */
    r->cosigned = true;
    r->size = cp->size;
    memcpy(r->root, cp->root, MERKLE_HASH_SIZE);
    r->checkpoint = *served;
    int rc = wstate_save(w->state_path, w->records, w->nrecords);
    if (rc) {
        *r = before;
        return rc;
    }
    *served = before.checkpoint;
    return ACCORD_OK;
}

/* Under the lock: checks against the record, signs, records. The
 * cosignature goes to 'line' only if everything succeeds. 'served' holds
 * the checkpoint text and the log's signature lines: the cosignature is
 * added and it is recorded for monitors (on return it holds the note
 * this one replaced, for the caller to free after the lock). */
static int cosign_locked(witness *w, const wlog *l, const checkpoint *cp, const add_request *req,
                         const char *text, size_t text_len, buf *line, bool *stale, buf *served)
{
    wrecord *r = &w->records[l->rec];
    int64_t now = clock_now();
    buf sig;
    int rc;

    rc = check_against_record(r, cp, req, stale);
    if (rc)
        return rc;
    /* The spec: "the timestamp MUST NOT be zero". */
    if (now <= 0)
        return accord_fail(ACCORD_EENV, NULL, "the system clock is not set");
    buf_init(&sig, REPLY_CAP);
    rc = cosign_sign(&w->key, text, text_len, (uint64_t)now, &sig);
    if (!rc)
        rc = buf_append(served, sig.data, sig.len);
    if (!rc) {
        char *note = served->data;
        rc = record(w, r, cp, &note);
        if (!rc && note != served->data) {
            /* 'r' took the buffer; hand back the note it replaced. */
            served->data = note;
            served->len = served->size = note ? strlen(note) : 0;
        }
    }
    if (!rc)
        rc = buf_append(line, sig.data, sig.len);
    buf_free(&sig);
    return rc;
}

/* The checkpoint as served to monitors, without the cosignature: the
 * text, the blank line and the signature lines of the log's keys (all of
 * which note_open() verified); lines by other keys are left out. */
static int served_note(const wlog *l, const add_request *req, size_t text_len, buf *out)
{
    const char *p = req->note + text_len + 1, *end = req->note + req->note_len;
    uint8_t scratch[NOTE_MAX_SIZE / 1024];
    note_sigline sl;
    int rc = buf_append(out, req->note, text_len + 1);

    while (!rc && p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if (note_sigline_parse(p, len, scratch, sizeof scratch, &sl) == ACCORD_OK) {
            for (size_t k = 0; k < l->nkeys; k++) {
                if (l->keys[k].id == sl.id && strlen(l->keys[k].name) == sl.name_len &&
                    memcmp(l->keys[k].name, sl.name, sl.name_len) == 0) {
                    rc = buf_append(out, p, len + 1);
                    break;
                }
            }
        }
        p += len + 1;
    }
    return rc;
}

/* ------------------------------------------------------------------------
 * The request
 * ---------------------------------------------------------------------- */

void witness_reply_init(witness_reply *r)
{
    r->status = 0;
    r->content_type = TEXT_PLAIN;
    buf_init(&r->body, REPLY_CAP);
}

void witness_reply_free(witness_reply *r)
{
    buf_free(&r->body);
}

/* Turns refusal 'code' into its status and body. Internal failures get a
 * bare message: their details (paths, errno) are for the operator. */
static void reply_error(witness_reply *reply, int code, bool stale, uint64_t size)
{
    buf_reset(&reply->body);
    reply->status = accord_error_http_status(code);
    reply->content_type = TEXT_PLAIN;
    if (stale) {
        reply->content_type = WITNESS_SIZE_TYPE;
        buf_printf(&reply->body, "%" PRIu64 "\n", size);
    } else if (reply->status >= 500) {
        buf_puts(&reply->body, "internal error\n");
    } else {
        buf_printf(&reply->body, "%s\n", accord_error_message());
    }
}

/* Everything before the lock: parsing and the log's signature, which need
 * no state and are the expensive part. */
static int check_request(const witness *w, const char *body, size_t len, add_request *req, const wlog **log,
                         checkpoint *cp, size_t *text_len)
{
    int rc = parse_request(body, len, req);
    if (!rc)
        rc = known_log(w, req, log);
    if (!rc)
        rc = open_checkpoint(*log, req, cp, text_len);
    if (!rc && req->old_size > cp->size)
        rc = accord_fail(ACCORD_EINVAL, "old", "old size %" PRIu64 " is larger than the checkpoint's size %" PRIu64,
                         req->old_size, cp->size);
    return rc;
}

int witness_add_checkpoint(witness *w, const char *body, size_t len, witness_reply *reply)
{
    add_request req;
    const wlog *log = NULL;
    checkpoint cp;
    size_t text_len = 0;
    bool stale = false;
    uint64_t size = 0;
    buf served;
    int rc;

    buf_reset(&reply->body);
    buf_init(&served, NOTE_MAX_SIZE);
    rc = check_request(w, body, len, &req, &log, &cp, &text_len);
    if (!rc)
        rc = served_note(log, &req, text_len, &served);
    if (!rc) {
        pthread_mutex_lock(&w->mu);
        rc = cosign_locked(w, log, &cp, &req, req.note, text_len, &reply->body, &stale, &served);
        size = w->records[log->rec].size;
        pthread_mutex_unlock(&w->mu);
    }
    buf_free(&served);
    if (rc) {
        reply_error(reply, rc, stale, size);
        return rc;
    }
    reply->status = 200;
    reply->content_type = TEXT_PLAIN;
    return ACCORD_OK;
}

int witness_checkpoint(witness *w, const char *origin_hash, buf *out)
{
    int rc = ACCORD_OK;

    pthread_mutex_lock(&w->mu);
    const wrecord *r = NULL;
    for (size_t i = 0; i < w->nrecords && !r; i++)
        if (strcmp(w->records[i].origin_hash, origin_hash) == 0)
            r = &w->records[i];
    if (r && r->cosigned && r->checkpoint)
        rc = buf_puts(out, r->checkpoint);
    else
        rc = accord_fail(ACCORD_ENOTFOUND, "origin", "this witness serves no checkpoint for that origin hash");
    pthread_mutex_unlock(&w->mu);
    return rc;
}
