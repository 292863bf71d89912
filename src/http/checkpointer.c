#include "http/checkpointer.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ledger/publish.h"
#include "store/db.h"
#include "util/error.h"

struct checkpointer {
    store *db;
    note_signer key;
    unsigned interval_ms;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    bool dirty, stopping;
};

static void sign_now(checkpointer *c)
{
    uint64_t size;
    bool made;
    if (publish_checkpoint(c->db, &c->key, &size, &made))
        fprintf(stderr, "accord: cannot sign a checkpoint: %s\n", accord_error_message());
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
        while (!c->dirty && !c->stopping)
            pthread_cond_wait(&c->wake, &c->lock);
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
    (void)witnesses;
    (void)nwitnesses;
    checkpointer *c = calloc(1, sizeof *c);
    if (!c)
        return accord_fail(ACCORD_ENOMEM, NULL, "out of memory");
    int rc = store_open(&c->db, db_path, false);
    if (rc) {
        free(c);
        return rc;
    }
    c->key = *key;
    c->interval_ms = interval_ms;
    pthread_mutex_init(&c->lock, NULL);
    pthread_cond_init(&c->wake, NULL);
    sign_now(c);
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
