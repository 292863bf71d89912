/* cache: versions, the byte cap, gzip, references, and one build per
 * stale answer under concurrency. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "cache/cache.h"

static cache_answer answer(const char *body)
{
    return (cache_answer){.content_type = "application/json", .body = body, .len = strlen(body)};
}

Test(cache, an_answer_is_served_at_its_version_only)
{
    cache *c;
    cr_assert_eq(cache_new(&c, 1 << 20, NULL), 0);
    const cache_entry *e;
    cr_assert_eq(cache_lookup(c, "/a", "5-20261207", 10, &e), CACHE_BUILD);
    cr_assert_null(e);
    cache_answer a = answer("{\"size\":5}");
    cr_assert_eq(cache_store(c, "/a", "5-20261207", &a, NULL, NULL, NULL), 0);
    cr_assert_eq(cache_lookup(c, "/a", "5-20261207", 10, &e), CACHE_HIT);
    cr_assert_eq(e->len, a.len);
    cr_assert_eq(memcmp(e->body, a.body, a.len), 0);
    cr_assert_str_eq(e->etag, "\"5-20261207\"");
    cr_assert_str_eq(e->etag_gzip, "\"5-20261207-gz\"");
    cr_assert_str_eq(e->content_type, "application/json");
    cache_release(c, e);
    /* The log grew: the old answer is not served as current. */
    cr_assert_eq(cache_lookup(c, "/a", "6-20261207", 10, &e), CACHE_BUILD);
    cache_abandon(c, "/a");
    cr_assert_eq(cache_lookup(c, "/b", "5-20261207", 10, &e), CACHE_BUILD, "keys are separate");
    cache_abandon(c, "/b");
    cache_stats st;
    cache_get_stats(c, &st);
    cr_assert_eq(st.hits, 1);
    cr_assert_eq(st.misses, 3);
    cache_free(c);
}

Test(cache, the_byte_cap_drops_the_least_recently_used)
{
    char body[1000];
    memset(body, 'x', sizeof body - 1);
    body[sizeof body - 1] = '\0';
    /* Each entry costs its body plus bookkeeping: about four fit in 5,000 bytes. */
    cache *c;
    cr_assert_eq(cache_new(&c, 5000, NULL), 0);
    const cache_entry *e;
    char key[16];
    for (int i = 0; i < 4; i++) {
        snprintf(key, sizeof key, "/k%d", i);
        cr_assert_eq(cache_lookup(c, key, "1", 10, &e), CACHE_BUILD);
        /* A run of one byte compresses: use varied text so that gzip counts too. */
        body[0] = (char)('a' + i);
        cache_answer a = answer(body);
        cr_assert_eq(cache_store(c, key, "1", &a, NULL, NULL, NULL), 0);
    }
    /* Touch /k0 so /k1 is now the least recently used. */
    cr_assert_eq(cache_lookup(c, "/k0", "1", 10, &e), CACHE_HIT);
    cache_release(c, e);
    cache_stats st;
    cache_get_stats(c, &st);
    size_t before = st.entries;
    cr_assert_leq(st.bytes, st.max_bytes);
    for (int i = 4; i < 8; i++) {
        snprintf(key, sizeof key, "/k%d", i);
        cr_assert_eq(cache_lookup(c, key, "1", 10, &e), CACHE_BUILD);
        cache_answer a = answer(body);
        cr_assert_eq(cache_store(c, key, "1", &a, NULL, NULL, NULL), 0);
        cache_get_stats(c, &st);
        cr_assert_leq(st.bytes, st.max_bytes, "the cap holds after every store");
    }
    cr_assert_gt(st.evictions, 0);
    cr_assert_leq(st.entries, before);
    cr_assert_eq(cache_lookup(c, "/k7", "1", 10, &e), CACHE_HIT, "the newest stays");
    cache_release(c, e);
    cr_assert_eq(cache_lookup(c, "/k1", "1", 10, &e), CACHE_BUILD, "the least recently used went first");
    cache_abandon(c, "/k1");
    cache_free(c);
}

Test(cache, an_entry_outlives_its_eviction_while_referenced)
{
    cache *c;
    cr_assert_eq(cache_new(&c, 4000, NULL), 0);
    const cache_entry *held, *e;
    cr_assert_eq(cache_lookup(c, "/held", "1", 10, &e), CACHE_BUILD);
    cache_answer a = answer("{\"kept\":true}");
    cr_assert_eq(cache_store(c, "/held", "1", &a, NULL, NULL, &held), 0);
    cr_assert_not_null(held);
    cache_clear(c);
    /* Read after the clear: AddressSanitizer would catch a use after free. */
    cr_assert_eq(memcmp(held->body, "{\"kept\":true}", held->len), 0);
    cache_release(c, held);
    cr_assert_eq(cache_lookup(c, "/held", "1", 10, &e), CACHE_BUILD);
    cache_abandon(c, "/held");
    cache_free(c);
}

Test(cache, large_answers_carry_a_gzip_variant_that_inflates_to_the_body)
{
    cache *c;
    cr_assert_eq(cache_new(&c, 1 << 22, NULL), 0);
    size_t n = 200000;
    char *body = malloc(n + 1);
    for (size_t i = 0; i < n; i++)
        body[i] = "{\"party\":\"KAZ\",\"type\":\"signature\"},\n"[i % 36];
    body[n] = '\0';
    const cache_entry *e;
    cr_assert_eq(cache_lookup(c, "/big", "1", 10, &e), CACHE_BUILD);
    cache_answer a = answer(body);
    cr_assert_eq(cache_store(c, "/big", "1", &a, NULL, NULL, &e), 0);
    cr_assert_not_null(e->gzip);
    cr_assert_lt(e->gzip_len, n / 10);
    char *back = malloc(n);
    z_stream z = {0};
    cr_assert_eq(inflateInit2(&z, 15 + 16), Z_OK);
    z.next_in = (Bytef *)e->gzip;
    z.avail_in = (uInt)e->gzip_len;
    z.next_out = (Bytef *)back;
    z.avail_out = (uInt)n;
    cr_assert_eq(inflate(&z, Z_FINISH), Z_STREAM_END);
    cr_assert_eq(z.total_out, n);
    cr_assert_eq(memcmp(back, body, n), 0);
    inflateEnd(&z);
    cache_release(c, e);
    /* A tiny answer is not worth compressing. */
    cr_assert_eq(cache_lookup(c, "/small", "1", 10, &e), CACHE_BUILD);
    cache_answer s = answer("{}");
    cr_assert_eq(cache_store(c, "/small", "1", &s, NULL, NULL, &e), 0);
    cr_assert_null(e->gzip);
    cache_release(c, e);
    free(back);
    free(body);
    cache_free(c);
}

/* ---- one build per stale answer ---- */

typedef struct {
    cache *c;
    const char *version;
    atomic_int builds, hits, stale;
} herd;

static void *reader(void *arg)
{
    herd *h = arg;
    const cache_entry *e;
    switch (cache_lookup(h->c, "/status", h->version, 5000, &e)) {
    case CACHE_BUILD: {
        atomic_fetch_add(&h->builds, 1);
        usleep(100 * 1000); /* a slow build: the others must not start their own */
        cache_answer a = answer(h->version);
        cache_store(h->c, "/status", h->version, &a, NULL, NULL, NULL);
        break;
    }
    case CACHE_HIT:
        cr_assert_eq(memcmp(e->body, h->version, e->len), 0);
        atomic_fetch_add(&h->hits, 1);
        cache_release(h->c, e);
        break;
    case CACHE_STALE:
        atomic_fetch_add(&h->stale, 1);
        cache_release(h->c, e);
        break;
    }
    return NULL;
}

static void run_herd(herd *h, int n)
{
    pthread_t t[32];
    for (int i = 0; i < n; i++)
        pthread_create(&t[i], NULL, reader, h);
    for (int i = 0; i < n; i++)
        pthread_join(t[i], NULL);
}

Test(cache, sixteen_readers_of_a_missing_answer_build_it_once)
{
    herd h = {.version = "1"};
    cr_assert_eq(cache_new(&h.c, 1 << 20, NULL), 0);
    run_herd(&h, 16);
    cr_assert_eq(atomic_load(&h.builds), 1, "%d builds", atomic_load(&h.builds));
    cr_assert_eq(atomic_load(&h.hits), 15, "the others waited for it");
    cache_free(h.c);
}

Test(cache, while_a_stale_answer_is_rebuilt_the_others_get_the_old_one)
{
    herd h = {.version = "1"};
    cr_assert_eq(cache_new(&h.c, 1 << 20, NULL), 0);
    run_herd(&h, 1);
    h.version = "2";
    atomic_store(&h.builds, 0);
    atomic_store(&h.hits, 0);
    run_herd(&h, 16);
    cr_assert_eq(atomic_load(&h.builds), 1);
    cr_assert_eq(atomic_load(&h.stale) + atomic_load(&h.hits), 15);
    cr_assert_gt(atomic_load(&h.stale), 0, "the old version was served meanwhile");
    cache_stats st;
    cache_get_stats(h.c, &st);
    cr_assert_eq(st.entries, 1, "the new version replaced the old");
    cache_free(h.c);
}
