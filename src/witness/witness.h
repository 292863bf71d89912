/* A C2SP tlog-witness (https://c2sp.org/tlog-witness) that cosigns
 * checkpoints with cosignature/v1 (cosign.h), and the client a log uses to
 * ask one for cosignatures.
 *
 * The witness knows a fixed set of logs, each by its origin and one or
 * more Ed25519 (0x01) verifier keys named by that origin. For each origin
 * it records the size and root of the latest checkpoint it cosigned, in a
 * JSON state file that is replaced atomically and fsynced before any
 * answer. It cosigns a checkpoint only when it is signed by a key of its
 * log, when the client's "old" size is the recorded one, and when a
 * consistency proof shows that the recorded tree is a prefix of the new
 * one. So it never cosigns two views of one log that disagree, nor a
 * smaller tree after a larger one, for as long as its state file lives.
 *
 * add-checkpoint answers (the spec's codes; docs/internals/witness.md):
 *     200  the cosignature line(s)                    ACCORD_OK
 *     400  malformed body, old size > checkpoint size ACCORD_EINVAL
 *     403  no valid signature by a key of the log     ACCORD_EFORBIDDEN
 *     404  unknown origin                             ACCORD_ENOTFOUND
 *     409  old size is not the recorded size; body    ACCORD_ECONFLICT
 *          "<recorded size>\n", text/x.tlog.size (every 409)
 *     413  more signatures than a note may carry      ACCORD_ETOOBIG
 *     422  the consistency proof does not verify, or  ACCORD_EVERIFY
 *          the same size as recorded with another
 *          root (a fork)
 *     500  the state could not be made durable        ACCORD_ESTORE, ...
 *
 * Errors: 0 or a negative ACCORD_* code, with accord_fail() called where
 * the problem is found. Ownership: inputs are borrowed for the call;
 * output goes to the caller's buf or struct. A witness is shared by the
 * server's threads: witness_add_checkpoint() may be called concurrently.
 * libsodium must be initialised (sodium_init()) first. */
#ifndef ACCORD_WITNESS_WITNESS_H
#define ACCORD_WITNESS_WITNESS_H

#include <stddef.h>
#include <stdint.h>

#include "tlog/logkey.h"
#include "tlog/merkle.h"
#include "util/buf.h"

/* Largest add-checkpoint request body the server reads (413 past it). */
#define WITNESS_MAX_BODY (64 * 1024)

/* The spec: "The client MUST NOT send more than 63 consistency proof
 * lines." An RFC 9162 proof between 64-bit sizes is never longer. */
#define WITNESS_MAX_PROOF 63

/* Content type of the 409 body that carries the witness's size. */
#define WITNESS_SIZE_TYPE "text/x.tlog.size"

typedef struct witness witness;

/* Opens a witness: its cosignature key from the file 'key_path' (a 0x04
 * key, cosign_key_create()), the 'n' log verifier keys 'log_vkeys'
 * (0x01 vkeys; keys with the same name are one log with several keys, at
 * most NOTE_MAX_VERIFIERS each) and the state file 'state_path', which is
 * created, empty, when missing. Also takes '<state_path>.lock' so that no
 * second process serves the same state. On success '*out' is the caller's,
 * to be released with witness_close(). Fails with ACCORD_EINVAL (bad key
 * or vkey list), ACCORD_EENV (key file unreadable, state locked) or
 * ACCORD_ESTORE (state file unreadable, malformed or not writable). */
int witness_open(witness **out, const char *key_path, const char *state_path, const char *const *log_vkeys,
                 size_t n);

/* Releases 'w' (NULL is allowed), wiping its key and dropping the lock.
 * No call on 'w' may be running. */
void witness_close(witness *w);

/* Writes the witness's verifier key "<name>+<hexid>+<base64(0x04 ||
 * pub)>" (NUL-terminated) to 'vkey'. */
void witness_vkey(const witness *w, char vkey[LOGKEY_MAX_VKEY]);

/* Reads what 'w' records for log 'origin': the size and root of the
 * latest checkpoint it cosigned. ACCORD_ENOTFOUND when it never cosigned
 * one for that origin. */
int witness_latest(witness *w, const char *origin, uint64_t *size, uint8_t root[MERKLE_HASH_SIZE]);

/* For monitors (the spec's GET <monitoring prefix>/<origin hash>/checkpoint):
 * appends to 'out' the latest checkpoint 'w' cosigned for the log whose
 * origin hashes to 'origin_hash' (SHA-256, 64 lowercase hex digits,
 * NUL-terminated): the checkpoint text, the log's signature lines the
 * witness verified, and its own cosignature as add-checkpoint returned
 * it. ACCORD_ENOTFOUND when it cosigned none for that origin (or only
 * before it kept checkpoints: the next cosignature fills it in). */
int witness_checkpoint(witness *w, const char *origin_hash, buf *out);

/* The answer to one add-checkpoint request. */
typedef struct witness_reply {
    int status;               /* HTTP status, see the table above */
    const char *content_type; /* a static string */
    buf body;                 /* owned: cosignature lines, "<size>\n" or a message */
} witness_reply;

/* Empties 'r' (call before witness_add_checkpoint()). */
void witness_reply_init(witness_reply *r);

/* Frees the body of 'r'. */
void witness_reply_free(witness_reply *r);

/* Handles the add-checkpoint request body 'body' ('len' bytes, untrusted):
 * "old <size>\n", up to WITNESS_MAX_PROOF base64 proof lines, "\n", then
 * the signed checkpoint. Fills 'reply' (initialised by the caller) with
 * the status, content type and body to send, and returns 0 when it
 * cosigned (200) or the refusal's ACCORD_* code. A 200 is returned only
 * once the new state is durable; the cosignature's time is now. Safe to
 * call from several threads: the check and the update of one request are
 * atomic with respect to the others. */
int witness_add_checkpoint(witness *w, const char *body, size_t len, witness_reply *reply);

/* How the witness is served over HTTP (witness_http.c). */
typedef struct witness_http_config {
    const char *address; /* IPv4 or IPv6 literal to bind */
    unsigned port;       /* 0 picks a free port */
    unsigned threads;    /* worker threads, 1..256 */
    unsigned max_per_address; /* connections at once from one client address; 0: HTTPD_MAX_PER_ADDRESS */
    /* Called once the server listens, with the port it got. */
    void (*on_ready)(unsigned port, void *arg);
    void *on_ready_arg;
} witness_http_config;

/* Serves POST /add-checkpoint and GET /<origin hash>/checkpoint of 'w'
 * (the submission and the monitoring prefix are the same) until SIGINT or
 * SIGTERM (other paths 404, other methods 405, bodies over
 * WITNESS_MAX_BODY 413), on the HTTP skeleton and under its limits
 * (httpd/httpd.h). 'w' is
 * borrowed and stays the caller's. Fails with ACCORD_EINVAL (bad address)
 * or ACCORD_EENV (cannot listen). */
int witness_serve(witness *w, const witness_http_config *cfg);

/* Asks the witness at 'url' (its submission prefix, e.g.
 * "http://127.0.0.1:7380") to cosign the signed checkpoint 'note'
 * ('note_len' bytes), given the size 'old_size' the log believes the
 * witness last cosigned and the 'proof_len' hashes of the consistency
 * proof from it ('proof', NULL when proof_len is 0; at most
 * WITNESS_MAX_PROOF). On 200 appends the witness's signature lines to
 * 'cosignature_lines' and returns 0; check them with
 * witness_client_check_cosignature(). Otherwise:
 *     ACCORD_ECONFLICT  409 text/x.tlog.size: the witness is at another
 *                       size, stored in '*witness_size' (may be NULL);
 *                       retry with a proof from there
 *     ACCORD_EVERIFY    403, 422 (a failed proof, or a different root at
 *                       the same size: a fork), a 409 without a size
 *                       (a witness written before the spec's change of
 *                       2026-07-06 answered a fork so) or a malformed 200
 *                       body
 *     ACCORD_ENOTFOUND  404: the witness does not know this log
 *     ACCORD_EINVAL     400, or bad arguments
 *     ACCORD_EENV       network errors and other statuses
 * 'cosignature_lines' is unchanged on error. */
int witness_client_submit(const char *url, uint64_t old_size, const uint8_t (*proof)[MERKLE_HASH_SIZE],
                          size_t proof_len, const char *note, size_t note_len, buf *cosignature_lines,
                          uint64_t *witness_size);

/* Checks the witness response 'lines' ('lines_len' bytes of signature
 * lines) for the signed checkpoint 'note' ('note_len' bytes) against the
 * witness verifier key 'witness_vkey' (0x04): lines by other keys are
 * ignored, as the spec asks, and at least one by this witness must be
 * present and every one of them must verify. Stores the latest cosignature
 * time in '*timestamp' (may be NULL). Fails with ACCORD_EINVAL (bad vkey,
 * not a signed note, malformed lines) or ACCORD_EVERIFY. */
int witness_client_check_cosignature(const char *witness_vkey, const char *note, size_t note_len,
                                     const char *lines, size_t lines_len, uint64_t *timestamp);

#endif
