/* The write path without HTTP: THREADS threads each submit recorded
 * actions to the group committer for SECONDS, as the server's request
 * threads do, and every success is applied, logged and durably committed.
 * The figure is the ceiling that the writer thread sets on the HTTP
 * figure of bench-writes, and the CPU per append is the part of the
 * server's that is not HTTP.
 *
 * usage: bench-committer DB THREADS SECONDS
 * DB is a database made by 'accord init' and 'accord load'. */
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "events/committer.h"
#include "util/error.h"

static committer *writer;
static double seconds;
static atomic_long ok, failed;

static double clock_s(clockid_t id)
{
    struct timespec t;
    clock_gettime(id, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void *submitter(void *arg)
{
    long id = (long)arg;
    double end = clock_s(CLOCK_MONOTONIC) + seconds;
    for (long i = 0; clock_s(CLOCK_MONOTONIC) < end; i++) {
        char note[64];
        snprintf(note, sizeof note, "bench %ld/%ld", id, i);
        json_t *data = json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:s}}", "instrument", "code-of-conduct", "party", "KAZ",
                                 "type", "declaration", "date", "2020-01-01", "note", note, "source", "title",
                                 "benchmark");
        uint64_t seq;
        if (committer_submit(writer, &ACTOR_OPERATOR, "action.recorded", data, &seq) == ACCORD_OK)
            atomic_fetch_add(&ok, 1);
        else
            atomic_fetch_add(&failed, 1);
        json_decref(data);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: bench-committer DB THREADS SECONDS\n");
        return 1;
    }
    int threads = atoi(argv[2]);
    seconds = atof(argv[3]);
    if (committer_start(&writer, argv[1], NULL, NULL)) {
        fprintf(stderr, "bench-committer: %s\n", accord_error_message());
        return 1;
    }
    pthread_t *t = calloc((size_t)threads, sizeof *t);
    double t0 = clock_s(CLOCK_MONOTONIC), cpu0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
    for (long i = 0; i < threads; i++)
        pthread_create(&t[i], NULL, submitter, (void *)i);
    for (int i = 0; i < threads; i++)
        pthread_join(t[i], NULL);
    double dt = clock_s(CLOCK_MONOTONIC) - t0, cpu = clock_s(CLOCK_PROCESS_CPUTIME_ID) - cpu0;
    committer_stop(writer);
    long n = (long)ok;
    printf("%d threads: %ld durable appends in %.1f s = %.0f appends/s, CPU %.0f us per append (%ld failed)\n",
           threads, n, dt, (double)n / dt, n ? cpu * 1e6 / (double)n : 0.0, (long)failed);
    free(t);
    return failed ? 1 : 0;
}
