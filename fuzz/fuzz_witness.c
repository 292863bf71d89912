/* The witness's add-checkpoint body (witness/): "old <size>", proof
 * lines, a blank line and a signed checkpoint, from anyone on the
 * network. Each input is sent twice to a witness of one log with an empty
 * state: as it is (the log's signature will rarely verify), and with
 * everything after its first blank line signed by the log's key, so the
 * size, proof and state checks are reached too. The state lives in a
 * private directory under $TMPDIR (or /dev/shm). */
#include <sodium.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"
#include "tlog/cosign.h"
#include "tlog/note.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/sha256.h"
#include "witness/witness.h"

#define ORIGIN "example.com/log"

static char dir[256], key_path[300], state_path[300], lock_path[310];
static char log_vkey[LOGKEY_MAX_VKEY];
static char origin_hash[2 * SHA256_SIZE + 1];
static note_signer log_key;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    const char *tmp = getenv("TMPDIR");
    char wvkey[LOGKEY_MAX_VKEY];
    uint8_t seed[NOTE_SEED_SIZE], h[SHA256_SIZE];
    struct stat st;

    (void)argc;
    (void)argv;
    if (sodium_init() < 0)
        abort();
    if (!tmp)
        tmp = stat("/dev/shm", &st) == 0 && access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    snprintf(dir, sizeof dir, "%s/accord-fuzz-witness-XXXXXX", tmp);
    if (!mkdtemp(dir))
        abort();
    snprintf(key_path, sizeof key_path, "%s/witness.key", dir);
    snprintf(state_path, sizeof state_path, "%s/state.json", dir);
    snprintf(lock_path, sizeof lock_path, "%s.lock", state_path);
    if (cosign_key_create(key_path, "witness.example/w1", wvkey) != 0)
        abort();
    memset(seed, 7, sizeof seed);
    if (note_signer_from_seed(&log_key, ORIGIN, NOTE_TYPE_ED25519, seed) != 0)
        abort();
    note_signer_vkey(&log_key, log_vkey);
    sha256(h, ORIGIN, strlen(ORIGIN));
    sodium_bin2hex(origin_hash, sizeof origin_hash, h, sizeof h);
    return 0;
}

/* Sends 'body' to a fresh witness, then reads what it serves. */
static void submit(const char *body, size_t len)
{
    const char *logs[] = {log_vkey};
    witness *w = NULL;
    witness_reply reply;
    buf served;

    unlink(state_path);
    if (witness_open(&w, key_path, state_path, logs, 1) != 0) {
        fprintf(stderr, "fuzz_witness: %s\n", accord_error_message());
        abort();
    }
    witness_reply_init(&reply);
    int rc = witness_add_checkpoint(w, body, len, &reply);
    if ((rc == 0) != (reply.status == 200) || reply.status < 200 || reply.status > 599)
        abort();
    witness_reply_free(&reply);
    buf_init(&served, NOTE_MAX_SIZE);
    witness_checkpoint(w, origin_hash, &served);
    buf_free(&served);
    witness_close(w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data;
    const char *blank = size ? memmem(p, size, "\n\n", 2) : NULL;
    buf body;

    submit(p, size);
    if (!blank)
        return 0;
    size_t header = (size_t)(blank - p) + 2;
    buf_init(&body, WITNESS_MAX_BODY * 2);
    if (buf_append(&body, p, header) == 0 && note_sign(&log_key, p + header, size - header, &body) == 0)
        submit(body.data, body.len);
    buf_free(&body);
    return 0;
}

__attribute__((destructor)) static void cleanup(void)
{
    if (dir[0]) {
        unlink(state_path);
        unlink(lock_path);
        unlink(key_path);
        rmdir(dir);
    }
}
