#include "ledger/checkpointer.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ledger/ledger.h"
#include "ledger/publish.h"
#include "store/db.h"
#include "util/error.h"
#include "witness/witness.h"

#define MAX_WITNESSES 16
#define WITNESS_RETRY_MS 5000

/* What the log knows of one witness: the size it last cosigned. */
typedef struct peer {
    char url[1024];
    char vkey[LOGKEY_MAX_VKEY];
    note_verifier key;
    uint64_t size;
} peer;

struct checkpointer {
    store *db;
    peer witnesses[MAX_WITNESSES];
    size_t nwitnesses;
    note_signer key;
    unsigned interval_ms;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    bool dirty, stopping;
    bool witness_behind; /* a witness missed the latest checkpoint: retry */
};

/* Asks one witness to cosign the checkpoint of 'size' (signed note
 * 'note'), proving consistency from the size it saw last; on a stale size
 * the witness tells its own and the request is made once more. */
static int submit_to(checkpointer *c, peer *w, uint64_t size, const buf *note)
{
    int rc = ACCORD_ECONFLICT;
    buf lines;
    buf_init(&lines, 64 * 1024);
    for (int attempt = 0; attempt < 2 && rc == ACCORD_ECONFLICT; attempt++) {
        uint8_t proof[MERKLE_MAX_PROOF][MERKLE_HASH_SIZE];
        size_t n = 0;
        if (w->size > size)
            return accord_fail(ACCORD_EVERIFY, NULL, "witness %s has seen %llu entries, more than this log's %llu",
                               w->key.name, (unsigned long long)w->size, (unsigned long long)size);
        rc = w->size && w->size < size ? merkle_consistency_proof(ledger_node, c->db, w->size, size, proof, &n) : 0;
        uint64_t theirs = 0;
        buf_reset(&lines);
        if (!rc)
            rc = witness_client_submit(w->url, w->size, (const uint8_t(*)[MERKLE_HASH_SIZE])proof, n, note->data,
                                       note->len, &lines, &theirs);
        if (rc == ACCORD_ECONFLICT)
            w->size = theirs;
    }
    uint64_t ts;
    if (!rc)
        rc = witness_client_check_cosignature(w->vkey, note->data, note->len, lines.data, lines.len, &ts);
    if (!rc)
        rc = publish_add_cosignature(c->db, size, w->key.name, lines.data);
    if (!rc)
        w->size = size;
    buf_free(&lines);
    return rc;
}

static void submit_to_witnesses(checkpointer *c, uint64_t size)
{
    buf note;
    buf_init(&note, 64 * 1024);
    int rc = publish_checkpoint_at(c->db, size, &note);
    c->witness_behind = false;
    for (size_t i = 0; !rc && i < c->nwitnesses; i++)
        if (c->witnesses[i].size != size && submit_to(c, &c->witnesses[i], size, &note)) {
            fprintf(stderr, "accord: witness %s did not cosign size %llu: %s\n", c->witnesses[i].url,
                    (unsigned long long)size, accord_error_message());
            c->witness_behind = true;
        }
    buf_free(&note);
}

static void sign_now(checkpointer *c)
{
    uint64_t size;
    bool made;
    if (publish_checkpoint(c->db, &c->key, &size, &made))
        fprintf(stderr, "accord: cannot sign a checkpoint: %s\n", accord_error_message());
    else if (c->nwitnesses)
        submit_to_witnesses(c, size);
}

/* Waits up to 'ms' or until stopping; returns with the lock held. */
static void pause_locked(checkpointer *c, unsigned ms)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += ms / 1000;
    until.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    while (!c->stopping && pthread_cond_timedwait(&c->wake, &c->lock, &until) == 0)
        ;
}

static void *checkpointer_main(void *arg)
{
    checkpointer *c = arg;
    pthread_mutex_lock(&c->lock);
    for (;;) {
        while (!c->dirty && !c->stopping) {
            if (!c->witness_behind) {
                pthread_cond_wait(&c->wake, &c->lock);
                continue;
            }
            /* A witness was unreachable: ask it again in a while, even if
             * nothing is written meanwhile. */
            pause_locked(c, WITNESS_RETRY_MS);
            break;
        }
        bool stop = c->stopping;
        c->dirty = false;
        pthread_mutex_unlock(&c->lock);
        sign_now(c);
        pthread_mutex_lock(&c->lock);
        if (stop)
            break;
        /* Writes in the next interval are covered by one signature. */
        pause_locked(c, c->interval_ms);
    }
    pthread_mutex_unlock(&c->lock);
    return NULL;
}

int checkpointer_start(checkpointer **out, const char *db_path, const note_signer *key, unsigned interval_ms,
                       const witness_peer *witnesses, size_t nwitnesses)
{
    checkpointer *c = calloc(1, sizeof *c);
    if (!c)
        return accord_fail(ACCORD_ENOMEM, NULL, "out of memory");
    if (nwitnesses > MAX_WITNESSES) {
        free(c);
        return accord_fail(ACCORD_EINVAL, "witness", "at most %d witnesses", MAX_WITNESSES);
    }
    for (size_t i = 0; i < nwitnesses; i++) {
        peer *w = &c->witnesses[i];
        snprintf(w->url, sizeof w->url, "%s", witnesses[i].url);
        snprintf(w->vkey, sizeof w->vkey, "%s", witnesses[i].vkey);
        if (note_verifier_parse(&w->key, w->vkey) || w->key.type != NOTE_TYPE_COSIGNATURE) {
            free(c);
            return accord_fail(ACCORD_EINVAL, "witness", "witness %s: not a cosignature/v1 verifier key",
                               witnesses[i].url);
        }
    }
    c->nwitnesses = nwitnesses;
    int rc = store_open(&c->db, db_path, false);
    if (rc) {
        free(c);
        return rc;
    }
    c->key = *key;
    c->interval_ms = interval_ms;
    pthread_mutex_init(&c->lock, NULL);
    pthread_cond_init(&c->wake, NULL);
    /* Sign the current size at once, on the thread: a slow witness must
     * not delay start-up. */
    c->dirty = true;
    if (pthread_create(&c->thread, NULL, checkpointer_main, c) != 0) {
        store_close(c->db);
        note_signer_clear(&c->key);
        free(c);
        return accord_fail(ACCORD_EENV, NULL, "cannot start the checkpoint thread");
    }
    *out = c;
    return ACCORD_OK;
}

void checkpointer_poke(checkpointer *c)
{
    if (!c)
        return;
    pthread_mutex_lock(&c->lock);
    c->dirty = true;
    pthread_cond_signal(&c->wake);
    pthread_mutex_unlock(&c->lock);
}

void checkpointer_stop(checkpointer *c)
{
    if (!c)
        return;
    pthread_mutex_lock(&c->lock);
    c->stopping = true;
    pthread_cond_signal(&c->wake);
    pthread_mutex_unlock(&c->lock);
    pthread_join(c->thread, NULL);
    store_close(c->db);
    note_signer_clear(&c->key);
    pthread_mutex_destroy(&c->lock);
    pthread_cond_destroy(&c->wake);
    free(c);
}
