/* events-committer: the group committer, driven by many threads at once as
 * the server's request threads drive it. Each submitter gets its own
 * outcome; a refused event or a failed unit of work is undone alone, while
 * the events batched with it are committed. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "events/committer.h"
#include "helpers.h"
#include "store/db.h"
#include "util/error.h"

#define THREADS 16
#define PER_THREAD 40

static committer *writer;

typedef struct submitter {
    int id;
    int accepted, refused;
    bool wrong_outcome; /* a refusal without its own message, or an acceptance of a bad event */
    uint64_t seqs[PER_THREAD];
} submitter;

/* Every third event names a party that does not exist: the applier
 * refuses it, and its message must come back to this thread. */
static void *submit_many(void *arg)
{
    submitter *s = arg;
    for (int i = 0; i < PER_THREAD; i++) {
        bool bad = i % 3 == 2;
        char note[64];
        snprintf(note, sizeof note, "thread %d event %d", s->id, i);
        json_t *data = json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:s}}", "instrument", "code-of-conduct", "party",
                                 bad ? "XXX" : "KAZ", "type", "declaration", "date", "2020-01-01", "note", note,
                                 "source", "title", "committer test");
        uint64_t seq = 0;
        int rc = committer_submit(writer, &ACTOR_OPERATOR, "action.recorded", data, &seq);
        json_decref(data);
        if (bad) {
            s->refused++;
            if (rc != ACCORD_ERULE || !strstr(accord_error_message(), "'XXX'") || !accord_error_field() ||
                strcmp(accord_error_field(), "party") != 0)
                s->wrong_outcome = true;
        } else if (rc == ACCORD_OK) {
            s->seqs[s->accepted++] = seq;
        } else {
            s->wrong_outcome = true;
        }
    }
    return NULL;
}

static int count(store *db, const char *sql)
{
    store_stmt *st;
    cr_assert_eq(store_query(db, &st, sql, ""), ACCORD_OK, "%s", accord_error_message());
    cr_assert_eq(store_step(st), STORE_ROW);
    int n = (int)store_col_int(st, 0);
    store_stmt_close(st);
    return n;
}

/* A demo database with the committer started on it. */
typedef struct fixture {
    char *dir, *path;
    store *db;      /* a second connection, for checking */
    uint64_t before; /* the log size before the test's writes */
    pthread_t threads[THREADS];
    submitter subs[THREADS];
} fixture;

static void set_up(fixture *f)
{
    char token[128];
    f->dir = th_tempdir();
    f->path = th_make_db(f->dir, true, token);
    f->db = th_open(f->path);
    f->before = th_log_size(f->db);
    cr_assert_eq(committer_start(&writer, f->path, NULL, NULL), ACCORD_OK, "%s", accord_error_message());
}

static void start_submitters(fixture *f)
{
    for (int i = 0; i < THREADS; i++) {
        f->subs[i] = (submitter){.id = i};
        pthread_create(&f->threads[i], NULL, submit_many, &f->subs[i]);
    }
}

static void tear_down(fixture *f)
{
    store_close(f->db);
    th_rmtree(f->dir);
    free(f->path);
    free(f->dir);
}

Test(committer, concurrent_submitters_each_get_their_own_outcome)
{
    static fixture f;
    set_up(&f);
    start_submitters(&f);
    submitter *subs = f.subs;
    uint64_t before = f.before;
    int accepted = 0;
    static bool seen[THREADS * PER_THREAD];
    memset(seen, 0, sizeof seen);
    for (int i = 0; i < THREADS; i++) {
        pthread_join(f.threads[i], NULL);
        cr_assert_not(subs[i].wrong_outcome, "thread %d got another event's outcome", i);
        cr_assert_eq(subs[i].refused, PER_THREAD / 3);
        for (int k = 0; k < subs[i].accepted; k++) {
            uint64_t at = subs[i].seqs[k] - before;
            cr_assert_lt(at, (uint64_t)(THREADS * PER_THREAD), "log index %llu out of range",
                         (unsigned long long)subs[i].seqs[k]);
            cr_assert_not(seen[at], "log index %llu given twice", (unsigned long long)subs[i].seqs[k]);
            seen[at] = true;
        }
        accepted += subs[i].accepted;
    }
    committer_stop(writer);

    /* Exactly the accepted events are in the log, with no gap, and each
     * left its action; the refused left nothing. */
    cr_assert_eq(accepted, THREADS * (PER_THREAD - PER_THREAD / 3));
    cr_assert_eq(th_log_size(f.db), before + (uint64_t)accepted);
    for (int i = 0; i < accepted; i++)
        cr_assert(seen[i], "log index %llu was not given to any submitter", (unsigned long long)(before + i));
    cr_assert_eq(count(f.db, "SELECT count(*) FROM action WHERE note LIKE 'thread %'"), accepted);
    cr_assert_eq(count(f.db, "SELECT count(*) FROM action WHERE party = 'XXX'"), 0);
    tear_down(&f);
}

/* A unit of work that appends two events and then fails: neither stays. */
static int two_then_fail(store *db, void *arg)
{
    (void)arg;
    for (int i = 0; i < 2; i++) {
        json_t *data = json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:s}}", "instrument", "code-of-conduct", "party", "KAZ",
                                 "type", "declaration", "date", "2020-01-01", "note", "undone work", "source", "title",
                                 "committer test");
        uint64_t seq;
        int rc = events_append(db, &ACTOR_OPERATOR, "action.recorded", data, &seq);
        json_decref(data);
        if (rc)
            return rc;
    }
    return accord_fail(ACCORD_ERULE, "rows", "the third row is wrong");
}

static void *fail_work(void *arg)
{
    int *rc = arg;
    *rc = committer_run(writer, two_then_fail, NULL);
    return NULL;
}

Test(committer, failed_work_is_undone_alone)
{
    static fixture f;
    set_up(&f);
    /* The failing work runs among ordinary submitters, so that it shares
     * batches with them. */
    pthread_t failing[4];
    int work_rc[4];
    start_submitters(&f);
    for (int i = 0; i < 4; i++)
        pthread_create(&failing[i], NULL, fail_work, &work_rc[i]);
    int accepted = 0;
    for (int i = 0; i < THREADS; i++) {
        pthread_join(f.threads[i], NULL);
        cr_assert_not(f.subs[i].wrong_outcome, "thread %d got another event's outcome", i);
        accepted += f.subs[i].accepted;
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(failing[i], NULL);
        cr_assert_eq(work_rc[i], ACCORD_ERULE);
    }
    committer_stop(writer);

    cr_assert_eq(th_log_size(f.db), f.before + (uint64_t)accepted);
    cr_assert_eq(count(f.db, "SELECT count(*) FROM action WHERE note = 'undone work'"), 0);
    cr_assert_eq(count(f.db, "SELECT count(*) FROM action WHERE note LIKE 'thread %'"), accepted);
    tear_down(&f);
}

/* ---- a refused event in the middle of one batch -------------------------- */

/* Holds the writer thread until the test has queued the jobs that must
 * share the next batch. */
typedef struct gate {
    sem_t started, release;
} gate;

static int hold_writer(store *db, void *arg)
{
    (void)db;
    gate *g = arg;
    sem_post(&g->started);
    sem_wait(&g->release);
    return ACCORD_OK;
}

static void *run_gate(void *arg)
{
    committer_run(writer, hold_writer, arg);
    return NULL;
}

/* A unit of work that appends one good event. */
static int one_event(store *db, void *arg)
{
    (void)arg;
    json_t *data = json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:s}}", "instrument", "code-of-conduct", "party", "KAZ",
                             "type", "declaration", "date", "2020-01-01", "note", "work in the batch", "source", "title",
                             "committer test");
    int rc = events_append(db, &ACTOR_OPERATOR, "action.recorded", data, NULL);
    json_decref(data);
    return rc;
}

typedef struct queued {
    char kind; /* 'g' a good event, 'b' a bad one, 'w' a unit of work */
    int n;
    int rc;
    uint64_t seq;
    char message[256];
} queued;

static void *submit_queued(void *arg)
{
    queued *q = arg;
    if (q->kind == 'w') {
        q->rc = committer_run(writer, one_event, NULL);
        return NULL;
    }
    char note[64];
    snprintf(note, sizeof note, "queued %d", q->n);
    json_t *data = json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:s}}", "instrument", "code-of-conduct", "party",
                             q->kind == 'b' ? "XXX" : "KAZ", "type", "declaration", "date", "2020-01-01", "note", note,
                             "source", "title", "committer test");
    q->rc = committer_submit(writer, &ACTOR_OPERATOR, "action.recorded", data, &q->seq);
    snprintf(q->message, sizeof q->message, "%s", q->rc ? accord_error_message() : "");
    json_decref(data);
    return NULL;
}

/* Queues one job per letter of 'kinds', in that order, while the writer
 * is held, so that they make one batch; then checks that the bad events
 * were refused with their own message and left nothing, and that every
 * other job was committed, the events in the order queued. */
static void one_batch(const char *kinds)
{
    static fixture f;
    set_up(&f);
    gate g;
    sem_init(&g.started, 0, 0);
    sem_init(&g.release, 0, 0);
    pthread_t holder, threads[8];
    queued q[8];
    size_t n = strlen(kinds);
    pthread_create(&holder, NULL, run_gate, &g);
    sem_wait(&g.started);
    for (size_t i = 0; i < n; i++) {
        q[i] = (queued){.kind = kinds[i], .n = (int)i};
        pthread_create(&threads[i], NULL, submit_queued, &q[i]);
        usleep(50 * 1000); /* this one is queued before the next */
    }
    sem_post(&g.release);
    pthread_join(holder, NULL);
    int accepted = 0, good = 0;
    uint64_t last = 0;
    for (size_t i = 0; i < n; i++) {
        pthread_join(threads[i], NULL);
        if (q[i].kind == 'b') {
            cr_assert_eq(q[i].rc, ACCORD_ERULE, "job %zu: %s", i, q[i].message);
            cr_assert(strstr(q[i].message, "'XXX'"), "job %zu got another's message: %s", i, q[i].message);
            continue;
        }
        cr_assert_eq(q[i].rc, ACCORD_OK, "job %zu (%c) was refused: %s", i, q[i].kind, q[i].message);
        accepted++;
        if (q[i].kind == 'g') {
            good++;
            cr_assert_gt(q[i].seq, last, "job %zu is out of order", i);
            last = q[i].seq;
        }
    }
    committer_stop(writer);
    cr_assert_eq(th_log_size(f.db), f.before + (uint64_t)accepted);
    cr_assert_eq(count(f.db, "SELECT count(*) FROM action WHERE party = 'XXX'"), 0);
    cr_assert_eq(count(f.db, "SELECT count(*) FROM action WHERE note LIKE 'queued %'"), good);
    cr_assert_eq(count(f.db, "SELECT count(*) FROM action WHERE note = 'work in the batch'"), accepted - good);
    sem_destroy(&g.started);
    sem_destroy(&g.release);
    tear_down(&f);
}

Test(committer, refused_event_in_the_middle_of_a_batch) { one_batch("ggbgg"); }
Test(committer, refused_events_first_and_last_in_a_batch) { one_batch("bgggb"); }
Test(committer, refused_event_after_a_unit_of_work) { one_batch("wgbgwbg"); }
Test(committer, every_event_of_a_batch_refused) { one_batch("bbb"); }
