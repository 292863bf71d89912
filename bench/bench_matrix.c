/* Latency of the published implementation matrix: 200 parties x 10
 * provisions x 5 reporting cycles, every report released and rated, one
 * in five rated again.
 *
 * usage: bench-matrix DB [SAMPLES [BASE_URL]]
 * DB is a database made by 'accord init'. The first run fills it through
 * the real write path (events_append: the appliers' rules, the log, the
 * tables), which takes a minute or so; later runs reuse it. Then the
 * matrix is computed SAMPLES times per filter, in process and in a read
 * transaction as the server does, with p50 and p99 of the wall clock and
 * of this thread's CPU time. With BASE_URL (an 'accord serve' on the same
 * database) the same queries are timed over HTTP instead, libmicrohttpd
 * and transfer included. */
#include <curl/curl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "events/events.h"
#include "implementation/implementation.h"
#include "registry/registry.h"
#include "store/db.h"
#include "util/clock.h"
#include "util/date.h"
#include "util/error.h"

#define SLUG "bench-matrix"
#define PARTIES 200
#define PROVISIONS 10
#define CYCLES 5
#define GROUP_EVERY 5 /* every fifth party is a member of the benchmark group */

static double clock_s(clockid_t id)
{
    struct timespec t;
    clock_gettime(id, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static double now(void) { return clock_s(CLOCK_MONOTONIC); }

/* CPU time of this thread: on a shared machine, what the query costs
 * without the time other processes held the cores. */
static double cpu(void) { return clock_s(CLOCK_THREAD_CPUTIME_ID); }

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Prints p50 and p99 of 'ms' (wall clock) and, when given, of 'cpu_ms'. */
static void report(const char *what, double *ms, double *cpu_ms, int n)
{
    qsort(ms, (size_t)n, sizeof *ms, cmp);
    printf("%-44s p50 %6.2f ms  p99 %6.2f ms", what, ms[n / 2], ms[n * 99 / 100]);
    if (cpu_ms) {
        qsort(cpu_ms, (size_t)n, sizeof *cpu_ms, cmp);
        printf("   cpu p50 %6.2f ms  p99 %6.2f ms", cpu_ms[n / 2], cpu_ms[n * 99 / 100]);
    }
    printf("   (%d samples)\n", n);
}

/* Appends one event of 'type' with 'data' (taken: NULL when json_pack
 * failed) in the open transaction. */
static int append(store *db, const char *type, json_t *data)
{
    if (!data)
        return accord_fail(ACCORD_ENOMEM, NULL, "bench: bad event data for %s", type);
    int rc = events_append(db, &ACTOR_OPERATOR, type, data, NULL);
    json_decref(data);
    return rc;
}

static int make_instrument(store *db, char parties[PARTIES][4])
{
    int rc = append(db, "instrument.created",
                    json_pack("{s:s, s:s, s:s, s:i, s:{s:s, s:s}}", "slug", SLUG, "title", "Benchmark instrument",
                              "opened_on", "2018-09-28", "goal_year", 2045, "source", "title", "benchmark fixture",
                              "url", "https://example.org/bench"));
    for (int p = 1; !rc && p <= PROVISIONS; p++)
        rc = append(db, "provision.recorded",
                    json_pack("{s:s, s:i, s:s}", "instrument", SLUG, "number", p, "text_status", "not_recorded"));
    if (!rc)
        rc = append(db, "group.created",
                    json_pack("{s:s, s:s, s:s}", "code", "bench-group", "kind", "other", "name", "Benchmark group"));
    for (int i = 0; !rc && i < PARTIES; i++) {
        char date[11];
        snprintf(date, sizeof date, "2018-%02d-%02d", 10 + i % 3, 1 + i % 28);
        rc = append(db, "action.recorded",
                    json_pack("{s:s, s:s, s:s, s:s, s:{s:s, s:s}}", "instrument", SLUG, "party", parties[i], "type",
                              "signature", "date", date, "source", "title", "benchmark fixture", "url",
                              "https://example.org/bench"));
        if (!rc && i % GROUP_EVERY == 0)
            rc = append(db, "membership.recorded",
                        json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:s, s:s}}", "group", "bench-group", "party",
                                  parties[i], "role", "member", "from", "2010-01-01", "confidence", "stated", "source",
                                  "title", "benchmark fixture", "url", "https://example.org/bench"));
    }
    return rc;
}

/* One report through its whole life: drafted, submitted, released, rated
 * (and one time in five rated again). */
static int report_cycle(store *db, const char *cycle, const char *party, int provision)
{
    static const char *const statuses[] = {"not_started", "planned", "in_progress", "substantially_implemented",
                                           "implemented", "not_applicable"};
    static const char *const ratings[] = {"implemented", "largely_implemented", "partly_implemented",
                                          "not_implemented"};
    int rc = append(db, "report.drafted",
                    json_pack("{s:s, s:s, s:s, s:i, s:s, s:s}", "instrument", SLUG, "cycle", cycle, "party", party,
                              "provision", provision, "status", statuses[rand() % 6], "narrative",
                              "Measures taken under this provision, with the laws and bodies concerned."));
    if (!rc)
        rc = append(db, "report.submitted",
                    json_pack("{s:s, s:s, s:s, s:i}", "instrument", SLUG, "cycle", cycle, "party", party,
                              "provision", provision));
    if (!rc)
        rc = append(db, "report.released",
                    json_pack("{s:s, s:s, s:s, s:i}", "instrument", SLUG, "cycle", cycle, "party", party,
                              "provision", provision));
    for (int times = rand() % 5 == 0 ? 2 : 1; !rc && times > 0; times--)
        rc = append(db, "report.rated",
                    json_pack("{s:s, s:s, s:s, s:i, s:s, s:s}", "instrument", SLUG, "cycle", cycle, "party", party,
                              "provision", provision, "rating", ratings[rand() % 4], "rationale", "Reviewed."));
    return rc;
}

static int fill(store *db)
{
    json_t *states;
    char parties[PARTIES][4];
    int rc = registry_iso_states("/usr/share/iso-codes/json/iso_3166-1.json", &states);
    if (rc)
        return rc;
    /* Real codes, so that regions apply: every state in iso-codes' order
     * (by alpha-2) up to 200. */
    for (int i = 0; i < PARTIES; i++)
        snprintf(parties[i], sizeof parties[i], "%s", json_string_value(json_object_get(json_array_get(states, i), "code")));
    json_decref(states);
    double t0 = now();
    size_t events = 0;
    srand(7);
    rc = events_begin(db);
    if (!rc) rc = make_instrument(db, parties);
    if (!rc) rc = events_commit(db);
    for (int c = 0; !rc && c < CYCLES; c++) {
        char code[8], opens[11], due[11];
        snprintf(code, sizeof code, "c%d", c + 1);
        snprintf(opens, sizeof opens, "%d-01-01", 2019 + c);
        snprintf(due, sizeof due, "%d-12-31", 2019 + c);
        rc = events_submit(db, &ACTOR_OPERATOR, "cycle.opened",
                           json_pack("{s:s, s:s, s:s, s:s, s:s}", "instrument", SLUG, "code", code, "name", code,
                                     "opens_on", opens, "due_on", due),
                           NULL);
        /* One transaction per party and cycle: ten reports. */
        for (int i = 0; !rc && i < PARTIES; i++) {
            rc = events_begin(db);
            for (int p = 1; !rc && p <= PROVISIONS; p++)
                rc = report_cycle(db, code, parties[i], p);
            if (!rc) rc = events_commit(db);
            else events_rollback(db);
        }
    }
    if (!rc) {
        store_stmt *st;
        rc = store_query(db, &st, "SELECT count(*) FROM event", "");
        if (!rc && store_step(st) == STORE_ROW)
            events = (size_t)store_col_int(st, 0);
        if (!rc) store_stmt_close(st);
        printf("filled %s: %d parties x %d provisions x %d cycles, %zu log entries in all, in %.1f s\n", SLUG, PARTIES,
               PROVISIONS, CYCLES, events, now() - t0);
    }
    return rc;
}

static int filled(store *db, bool *out)
{
    store_stmt *st;
    int rc = store_query(db, &st, "SELECT count(*) FROM rating WHERE instrument = ?", "s", SLUG);
    if (rc)
        return rc;
    *out = store_step(st) == STORE_ROW && store_col_int(st, 0) > 0;
    store_stmt_close(st);
    return ACCORD_OK;
}

/* The filters measured; the same query strings go over HTTP. */
static const struct {
    const char *label, *cycle, *group, *region, *query;
} cases[] = {
    {"matrix, every participant", NULL, NULL, NULL, ""},
    {"matrix, ?cycle=c5", "c5", NULL, NULL, "cycle=c5"},
    {"matrix, ?group=bench-group (40 members)", NULL, "bench-group", NULL, "group=bench-group"},
    {"matrix, ?region=Africa", NULL, NULL, "Africa", "region=Africa"},
    {"matrix, ?region=155 (Western Europe)", NULL, NULL, "155", "region=155"},
    {"matrix, ?group=bench-group&region=Europe", NULL, "bench-group", "Europe", "group=bench-group&region=Europe"},
};

static int bench_in_process(store *db, int samples, double *ms, double *cpu_ms)
{
    char today[11];
    clock_today(today);
    int rc = ACCORD_OK;
    json_t *m = NULL;
    for (size_t c = 0; !rc && c < sizeof cases / sizeof cases[0]; c++) {
        for (int i = -10; !rc && i < samples; i++) { /* ten warm-up runs */
            double t = now(), c0 = cpu();
            buf text; /* as the server: a new response buffer per request */
            buf_init(&text, 16 * 1024 * 1024);
            rc = store_begin_read(db);
            if (!rc)
                rc = implementation_matrix(db, SLUG, cases[c].cycle, cases[c].group, cases[c].region, today, &text);
            store_rollback(db);
            buf_free(&text);
            if (i >= 0) {
                ms[i] = (now() - t) * 1e3;
                cpu_ms[i] = (cpu() - c0) * 1e3;
            }
        }
        if (!rc)
            report(cases[c].label, ms, cpu_ms, samples);
    }
    static const char *const by[] = {"group", "region"};
    for (size_t b = 0; !rc && b < 2; b++) {
        for (int i = -10; !rc && i < samples; i++) {
            double t = now(), c0 = cpu();
            rc = store_begin_read(db);
            if (!rc)
                rc = implementation_summary(db, SLUG, by[b], NULL, today, &m);
            store_rollback(db);
            if (!rc)
                json_decref(m);
            if (i >= 0) {
                ms[i] = (now() - t) * 1e3;
                cpu_ms[i] = (cpu() - c0) * 1e3;
            }
        }
        char label[64];
        snprintf(label, sizeof label, "summary, ?by=%s", by[b]);
        if (!rc)
            report(label, ms, cpu_ms, samples);
    }
    return rc;
}

static size_t count_bytes(char *p, size_t s, size_t n, void *total)
{
    (void)p;
    *(size_t *)total += s * n;
    return s * n;
}

static int bench_http(const char *base, int samples, double *ms)
{
    CURL *c = curl_easy_init();
    if (!c)
        return accord_fail(ACCORD_EENV, NULL, "curl_easy_init failed");
    size_t bytes = 0;
    long status = 0;
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, count_bytes);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &bytes);
    int rc = ACCORD_OK;
    /* Case -1, a baseline: what any request costs here (GET /healthz). */
    for (long k = -1; !rc && k < (long)(sizeof cases / sizeof cases[0]); k++) {
        char url[512];
        if (k < 0)
            snprintf(url, sizeof url, "%s/healthz", base);
        else
            snprintf(url, sizeof url, "%s/api/v1/instruments/%s/matrix?%s", base, SLUG, cases[k].query);
        curl_easy_setopt(c, CURLOPT_URL, url);
        for (int i = -10; !rc && i < samples; i++) {
            bytes = 0;
            double t = now();
            CURLcode res = curl_easy_perform(c);
            if (i >= 0)
                ms[i] = (now() - t) * 1e3;
            curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
            if (res != CURLE_OK || status != 200)
                rc = accord_fail(ACCORD_EENV, NULL, "GET %s: %s, HTTP %ld", url, curl_easy_strerror(res), status);
        }
        char label[96];
        snprintf(label, sizeof label, "HTTP %s (%zu KB)", k < 0 ? "GET /healthz, for comparison" : cases[k].label,
                 bytes / 1024);
        if (!rc)
            report(label, ms, NULL, samples);
    }
    curl_easy_cleanup(c);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2 || sodium_init() < 0) {
        fprintf(stderr, "usage: bench-matrix DB [SAMPLES [BASE_URL]]\n");
        return 1;
    }
    int samples = argc > 2 ? atoi(argv[2]) : 1000;
    if (samples < 100)
        samples = 100;
    store *db;
    bool ready = false;
    int rc = store_open(&db, argv[1], false);
    if (!rc) rc = store_check_schema(db);
    if (!rc) rc = filled(db, &ready);
    if (!rc && !ready) rc = fill(db);
    double *ms = malloc((size_t)samples * sizeof *ms), *cpu_ms = malloc((size_t)samples * sizeof *cpu_ms);
    if (!rc && !(ms && cpu_ms)) rc = accord_fail(ACCORD_ENOMEM, NULL, "out of memory");
    if (!rc) rc = argc > 3 ? bench_http(argv[3], samples, ms) : bench_in_process(db, samples, ms, cpu_ms);
    if (rc)
        fprintf(stderr, "bench-matrix: %s\n", accord_error_message());
    free(ms);
    free(cpu_ms);
    store_close(db);
    return rc ? 2 : 0;
}
