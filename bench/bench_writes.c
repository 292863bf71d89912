/* Durable appends per second through the real HTTP write path: CONNS
 * client threads each POST actions with keep-alive for SECONDS, against a
 * running server; every 201 is a write committed with fsync.
 *
 * usage: bench-writes BASE_URL TOKEN CONNS SECONDS */
#include <curl/curl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *base, *token;
static double seconds;
static atomic_long ok, failed;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static size_t discard(char *p, size_t s, size_t n, void *a)
{
    (void)p;
    (void)a;
    return s * n;
}

static void *client(void *arg)
{
    long id = (long)arg;
    CURL *c = curl_easy_init();
    char url[512], auth[256], body[512];
    snprintf(url, sizeof url, "%s/api/v1/instruments/code-of-conduct/actions", base);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
    struct curl_slist *h = curl_slist_append(NULL, auth);
    h = curl_slist_append(h, "Content-Type: application/json");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    double end = now() + seconds;
    for (long i = 0; now() < end; i++) {
        snprintf(body, sizeof body,
                 "{\"party\":\"KAZ\",\"type\":\"declaration\",\"date\":\"2020-01-01\",\"note\":\"bench %ld/%ld\","
                 "\"source\":{\"title\":\"benchmark\"}}",
                 id, i);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        long status = 0;
        if (curl_easy_perform(c) == CURLE_OK)
            curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
        if (status == 201)
            atomic_fetch_add(&ok, 1);
        else
            atomic_fetch_add(&failed, 1);
    }
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: bench-writes BASE_URL TOKEN CONNS SECONDS\n");
        return 1;
    }
    base = argv[1];
    token = argv[2];
    int conns = atoi(argv[3]);
    seconds = atof(argv[4]);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    pthread_t *t = calloc((size_t)conns, sizeof *t);
    double t0 = now();
    for (long i = 0; i < conns; i++)
        pthread_create(&t[i], NULL, client, (void *)i);
    for (int i = 0; i < conns; i++)
        pthread_join(t[i], NULL);
    double dt = now() - t0;
    printf("%d connections: %ld durable appends in %.1f s = %.0f appends/s (%ld failed)\n", conns, (long)ok, dt,
           (double)ok / dt, (long)failed);
    free(t);
    return failed ? 1 : 0;
}
