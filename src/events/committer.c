#include "events/committer.h"

#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/ledger.h"
#include "util/error.h"

#define MAX_BATCH 1024

/* One submitted event, living on the submitter's stack while it waits.
 * Each job has its own semaphore: finishing a batch wakes exactly the
 * submitters of that batch, not every thread waiting in the queue, and
 * the writer posts it without holding the queue's lock, so a woken
 * submitter does not at once sleep again on that lock. */
typedef struct committer_job {
    committer_work work; /* set for committer_run(), else the event below */
    void *arg;
    const actor *who;
    const char *type;
    json_t *data;
    events_prepare prepare; /* may be NULL */
    void *prepare_arg;
    uint64_t seq;
    int rc;
    char message[512];
    char field[64];
    sem_t finished; /* posted once the job's outcome is set */
    void (*done)(void *arg); /* instead of the semaphore: committer_submit_then() */
    void *done_arg;
    struct committer_job *next;
} job;

struct committer {
    store *db;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t work;  /* signalled when a job is queued or on stop */
    job *head, *tail;
    bool stopping;
    committer_hook hook;
    void *hook_arg;
};

static void finish_job(job *j, int rc)
{
    j->rc = rc;
    if (rc) {
        snprintf(j->message, sizeof j->message, "%s", accord_error_message());
        snprintf(j->field, sizeof j->field, "%s", accord_error_field() ? accord_error_field() : "");
    }
}

/* Applies job 'j' in the open transaction, without a savepoint of its own. */
static int apply_job(committer *c, job *j)
{
    return j->work ? j->work(c->db, j->arg)
                   : events_append_with(c->db, j->who, j->type, j->data, j->prepare, j->prepare_arg, &j->seq);
}

/* Applies job 'j' in its own savepoint, so that a refusal undoes it
 * alone, and gives it its outcome. Returns an error only when the
 * transaction itself can no longer be trusted. */
static int apply_in_savepoint(committer *c, job *j)
{
    int jrc = store_savepoint(c->db);
    if (!jrc)
        jrc = apply_job(c, j);
    if (jrc) {
        finish_job(j, jrc); /* keep this job's own message */
        return store_savepoint_undo(c->db) ? ACCORD_ESTORE : ACCORD_OK;
    }
    if ((jrc = store_savepoint_release(c->db))) {
        finish_job(j, jrc);
        return jrc;
    }
    finish_job(j, 0);
    return ACCORD_OK;
}

/* Applies the events from 'first' up to the next unit of work (or the
 * end), without a savepoint each: a savepoint per event copied every page
 * the event changed to the savepoint's journal, though events are seldom
 * refused. The run is undone as a whole if one is: back to the savepoint
 * opened before it, or to the transaction's start when 'first' begins
 * it; then the events before the refused one are applied again, each in
 * its own savepoint, as is the rest of the batch ('*careful'). Those
 * events take the same log indexes as the first time, so what an applier
 * derived from its index (an id) still fits. Returns the job to go on
 * with; '*rc' is set when the transaction failed. */
static job *apply_run(committer *c, job *first, bool starts_txn, bool *careful, int *rc)
{
    job *j, *refused = NULL;
    if (!starts_txn && (*rc = store_savepoint(c->db)))
        return first;
    for (j = first; j && !j->work && !refused; j = j->next) {
        int jrc = apply_job(c, j);
        finish_job(j, jrc);
        if (jrc)
            refused = j;
    }
    if (!refused) {
        if (!starts_txn)
            *rc = store_savepoint_release(c->db);
        return j;
    }
    if (starts_txn) {
        events_rollback(c->db);
        *rc = events_begin(c->db);
    } else if (store_savepoint_undo(c->db)) {
        *rc = ACCORD_ESTORE;
    }
    *careful = true;
    for (j = first; j != refused && !*rc; j = j->next)
        *rc = apply_in_savepoint(c, j);
    return refused->next;
}

/* Applies a batch in one transaction; each job gets its own outcome. A
 * unit of work (committer_run) always runs in its own savepoint: it is
 * large, and running it twice could repeat what it does besides
 * appending. */
static void run_batch(committer *c, job *batch)
{
    int rc = events_begin(c->db);
    bool careful = false;
    for (job *j = batch; j && !rc;) {
        if (careful || j->work) {
            rc = apply_in_savepoint(c, j);
            j = j->next;
        } else {
            j = apply_run(c, j, j == batch, &careful, &rc);
        }
    }
    if (!rc)
        rc = events_commit(c->db);
    if (rc) {
        /* Nothing of this batch is durable: every accepted job fails,
         * as does a job never reached. */
        events_rollback(c->db);
        for (job *j = batch; j; j = j->next)
            if (!j->rc)
                finish_job(j, rc);
        return;
    }
    uint64_t size;
    if (c->hook && ledger_size(c->db, &size) == 0)
        c->hook(size, c->hook_arg);
}

static void *writer_main(void *arg)
{
    committer *c = arg;
    pthread_mutex_lock(&c->lock);
    for (;;) {
        while (!c->head && !c->stopping)
            pthread_cond_wait(&c->work, &c->lock);
        if (!c->head && c->stopping)
            break;
        /* Take up to MAX_BATCH waiting jobs. */
        job *batch = c->head, *last = batch;
        for (int n = 1; n < MAX_BATCH && last->next; n++)
            last = last->next;
        c->head = last->next;
        if (!c->head)
            c->tail = NULL;
        last->next = NULL;
        pthread_mutex_unlock(&c->lock);

        run_batch(c, batch);
        for (job *j = batch, *next; j; j = next) {
            next = j->next; /* the job may vanish once posted */
            if (j->done)
                j->done(j->done_arg);
            else
                sem_post(&j->finished);
        }
        pthread_mutex_lock(&c->lock);
    }
    pthread_mutex_unlock(&c->lock);
    return NULL;
}

int committer_start(committer **out, const char *db_path, committer_hook hook, void *hook_arg)
{
    committer *c = calloc(1, sizeof *c);
    if (!c)
        return accord_fail(ACCORD_ENOMEM, NULL, "out of memory");
    int rc = store_open(&c->db, db_path, false);
    /* Each job runs in a savepoint, whose journal keeps the original of
     * every page the job changes. With temporary files it spilled to disk
     * past 64 KiB, and writing it took a quarter of the writer's time; in
     * memory it is bounded by the pages one batch changes. */
    if (!rc && (rc = store_exec(c->db, "PRAGMA temp_store=MEMORY")))
        store_close(c->db);
    if (rc) {
        free(c);
        return rc;
    }
    c->hook = hook;
    c->hook_arg = hook_arg;
    pthread_mutex_init(&c->lock, NULL);
    pthread_cond_init(&c->work, NULL);
    if (pthread_create(&c->thread, NULL, writer_main, c) != 0) {
        store_close(c->db);
        free(c);
        return accord_fail(ACCORD_EENV, NULL, "cannot start the writer thread");
    }
    /* Named, so that a profile or /proc tells its CPU time from the
     * request threads' (scripts/bench.sh prints both). */
    pthread_setname_np(c->thread, "accord-writer");
    *out = c;
    return ACCORD_OK;
}

/* Queues 'j' for the writer; fails when the committer is stopping. */
static int enqueue(committer *c, job *j)
{
    pthread_mutex_lock(&c->lock);
    if (c->stopping) {
        pthread_mutex_unlock(&c->lock);
        return accord_fail(ACCORD_EENV, NULL, "the server is stopping");
    }
    if (c->tail)
        c->tail->next = j;
    else
        c->head = j;
    c->tail = j;
    pthread_cond_signal(&c->work);
    pthread_mutex_unlock(&c->lock);
    return ACCORD_OK;
}

/* The outcome of finished job 'j', with its message set on the calling
 * thread. */
static int outcome(const job *j)
{
    if (j->rc)
        return accord_fail(j->rc, j->field[0] ? j->field : NULL, "%s", j->message);
    return ACCORD_OK;
}

/* Queues 'j' and waits until the writer has finished it. */
static int run_job(committer *c, job *j)
{
    if (sem_init(&j->finished, 0, 0) != 0)
        return accord_fail(ACCORD_EENV, NULL, "cannot queue a write");
    int rc = enqueue(c, j);
    if (!rc) {
        while (sem_wait(&j->finished) != 0 && errno == EINTR)
            ;
        rc = outcome(j);
    }
    sem_destroy(&j->finished);
    return rc;
}

int committer_run(committer *c, committer_work work, void *arg)
{
    job j = {.work = work, .arg = arg};
    return run_job(c, &j);
}

int committer_submit(committer *c, const actor *who, const char *type, json_t *data, uint64_t *out_seq)
{
    return committer_submit_with(c, who, type, data, NULL, NULL, out_seq);
}

int committer_submit_with(committer *c, const actor *who, const char *type, json_t *data, events_prepare prepare,
                          void *prepare_arg, uint64_t *out_seq)
{
    job j = {.who = who, .type = type, .data = data, .prepare = prepare, .prepare_arg = prepare_arg};
    int rc = run_job(c, &j);
    if (!rc && out_seq)
        *out_seq = j.seq;
    return rc;
}

int committer_submit_then(committer *c, const actor *who, const char *type, json_t *data, void (*done)(void *arg),
                          void *done_arg, committer_job **out)
{
    job *j = calloc(1, sizeof *j);
    if (!j)
        return accord_fail(ACCORD_ENOMEM, NULL, "out of memory");
    *j = (job){.who = who, .type = type, .data = data, .done = done, .done_arg = done_arg};
    int rc = enqueue(c, j);
    if (rc)
        free(j);
    else
        *out = j;
    return rc;
}

int committer_job_outcome(committer_job *j, uint64_t *out_seq)
{
    int rc = outcome(j);
    if (!rc && out_seq)
        *out_seq = j->seq;
    free(j);
    return rc;
}

void committer_stop(committer *c)
{
    if (!c)
        return;
    pthread_mutex_lock(&c->lock);
    c->stopping = true;
    pthread_cond_signal(&c->work);
    pthread_mutex_unlock(&c->lock);
    pthread_join(c->thread, NULL);
    store_close(c->db);
    pthread_mutex_destroy(&c->lock);
    pthread_cond_destroy(&c->work);
    free(c);
}
