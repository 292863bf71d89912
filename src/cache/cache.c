#include "cache/cache.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "util/error.h"

#define BUCKETS 4096

/* One kept answer. 'pub' is what callers see; the rest is the cache's. */
typedef struct node {
    cache_entry pub;
    unsigned refs;            /* the table's (while live) plus each caller's */
    bool live;                /* in the table and the LRU list */
    size_t cost;              /* bytes counted against max_bytes */
    struct node *hnext;       /* bucket chain */
    struct node *prev, *next; /* LRU list, most recent first */
} node;

/* A build in progress: the key, so that other lookups wait or serve stale. */
typedef struct building {
    char *key;
    struct building *next;
} building;

struct cache {
    pthread_mutex_t lock;
    pthread_cond_t built; /* broadcast when a build ends */
    node *table[BUCKETS];
    node *lru_head, *lru_tail;
    building *builds;
    cache_drop_handle drop_handle;
    cache_stats stats;
};

static uint32_t hash(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

int cache_new(cache **out, size_t max_bytes, cache_drop_handle drop_handle)
{
    cache *c = calloc(1, sizeof *c);
    if (!c)
        return accord_fail(ACCORD_ENOMEM, NULL, "out of memory");
    pthread_mutex_init(&c->lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&c->built, &ca);
    pthread_condattr_destroy(&ca);
    c->drop_handle = drop_handle;
    c->stats.max_bytes = max_bytes;
    *out = c;
    return ACCORD_OK;
}

static void node_free(cache *c, node *n)
{
    if (c->drop_handle) {
        if (n->pub.handle)
            c->drop_handle(n->pub.handle);
        if (n->pub.handle_gzip)
            c->drop_handle(n->pub.handle_gzip);
    }
    free((char *)n->pub.key);
    free((char *)n->pub.version);
    free((char *)n->pub.etag);
    free((char *)n->pub.etag_gzip);
    free((char *)n->pub.content_type);
    free((char *)n->pub.disposition);
    free((unsigned char *)n->pub.body);
    free((unsigned char *)n->pub.gzip);
    free(n);
}

/* Under the lock: drops one reference, freeing the node at zero. */
static void unref(cache *c, node *n)
{
    if (--n->refs == 0)
        node_free(c, n);
}

static void lru_unlink(cache *c, node *n)
{
    if (n->prev)
        n->prev->next = n->next;
    else
        c->lru_head = n->next;
    if (n->next)
        n->next->prev = n->prev;
    else
        c->lru_tail = n->prev;
    n->prev = n->next = NULL;
}

static void lru_push_front(cache *c, node *n)
{
    n->prev = NULL;
    n->next = c->lru_head;
    if (c->lru_head)
        c->lru_head->prev = n;
    c->lru_head = n;
    if (!c->lru_tail)
        c->lru_tail = n;
}

static node **slot_of(cache *c, const char *key)
{
    node **p = &c->table[hash(key) % BUCKETS];
    while (*p && strcmp((*p)->pub.key, key) != 0)
        p = &(*p)->hnext;
    return p;
}

/* Under the lock: takes 'n' out of the table and the LRU list. */
static void retire(cache *c, node *n)
{
    node **p = slot_of(c, n->pub.key);
    if (*p == n)
        *p = n->hnext;
    lru_unlink(c, n);
    n->live = false;
    c->stats.bytes -= n->cost;
    c->stats.entries--;
    unref(c, n);
}

static building **build_of(cache *c, const char *key)
{
    building **b = &c->builds;
    while (*b && strcmp((*b)->key, key) != 0)
        b = &(*b)->next;
    return b;
}

/* Under the lock: ends the build of 'key' and wakes its waiters. */
static void end_build(cache *c, const char *key)
{
    building **b = build_of(c, key);
    if (*b) {
        building *done = *b;
        *b = done->next;
        free(done->key);
        free(done);
    }
    pthread_cond_broadcast(&c->built);
}

/* Under the lock: a reference to 'n' for a caller, marked recently used. */
static const cache_entry *hand_out(cache *c, node *n)
{
    n->refs++;
    lru_unlink(c, n);
    lru_push_front(c, n);
    return &n->pub;
}

static void deadline_after(struct timespec *ts, unsigned ms)
{
    clock_gettime(CLOCK_MONOTONIC, ts);
    ts->tv_sec += ms / 1000;
    ts->tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

enum cache_outcome cache_lookup(cache *c, const char *key, const char *version, unsigned wait_ms,
                                const cache_entry **out)
{
    struct timespec until;
    bool timed = false;
    *out = NULL;
    pthread_mutex_lock(&c->lock);
    for (;;) {
        node *n = *slot_of(c, key);
        if (n && strcmp(n->pub.version, version) == 0) {
            c->stats.hits++;
            *out = hand_out(c, n);
            pthread_mutex_unlock(&c->lock);
            return CACHE_HIT;
        }
        if (!*build_of(c, key))
            break;
        /* Someone is building it: serve the old version meanwhile, or wait. */
        if (n) {
            c->stats.stale_served++;
            *out = hand_out(c, n);
            pthread_mutex_unlock(&c->lock);
            return CACHE_STALE;
        }
        if (!timed) {
            deadline_after(&until, wait_ms);
            timed = true;
            c->stats.waits++;
        }
        if (pthread_cond_timedwait(&c->built, &c->lock, &until) == ETIMEDOUT) {
            /* The builder is slow: build our own, without a promise. */
            c->stats.misses++;
            pthread_mutex_unlock(&c->lock);
            return CACHE_BUILD;
        }
    }
    building *b = calloc(1, sizeof *b);
    if (b && (b->key = strdup(key))) {
        b->next = c->builds;
        c->builds = b;
    } else {
        free(b);
    }
    c->stats.misses++;
    pthread_mutex_unlock(&c->lock);
    return CACHE_BUILD;
}

void cache_abandon(cache *c, const char *key)
{
    pthread_mutex_lock(&c->lock);
    end_build(c, key);
    pthread_mutex_unlock(&c->lock);
}

/* gzip of 'len' bytes at 'in' into a new buffer, or NULL when it does not
 * save at least a twentieth (small or incompressible answers go as they are).
 * Level 1: the request that builds an answer pays for its compression, and
 * on the 193-signatory status (267 KB of JSON) level 6 took 4.3 ms for
 * 9.6 KB where level 1 takes 1.3 ms for 12.1 KB. */
static unsigned char *gzip_of(const void *in, size_t len, size_t *out_len)
{
    z_stream z = {0};
    if (len < 256 || deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return NULL;
    uLong bound = deflateBound(&z, (uLong)len);
    unsigned char *out = malloc(bound);
    if (out) {
        z.next_in = (Bytef *)in;
        z.avail_in = (uInt)len;
        z.next_out = out;
        z.avail_out = (uInt)bound;
        if (deflate(&z, Z_FINISH) != Z_STREAM_END || z.total_out >= len - len / 20) {
            free(out);
            out = NULL;
        } else {
            *out_len = z.total_out;
        }
    }
    deflateEnd(&z);
    return out;
}

static char *quoted(const char *version, const char *suffix)
{
    size_t n = strlen(version) + strlen(suffix) + 3;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "\"%s%s\"", version, suffix);
    return s;
}

/* A new node holding copies of 'a', with its tags and gzip variant. */
static node *node_new(const char *key, const char *version, const cache_answer *a)
{
    node *n = calloc(1, sizeof *n);
    if (!n)
        return NULL;
    unsigned char *body = malloc(a->len ? a->len : 1);
    if (body)
        memcpy(body, a->body, a->len);
    n->pub.body = body;
    n->pub.len = a->len;
    n->pub.key = strdup(key);
    n->pub.version = strdup(version);
    n->pub.etag = quoted(version, "");
    n->pub.etag_gzip = quoted(version, "-gz");
    n->pub.content_type = strdup(a->content_type);
    n->pub.disposition = a->disposition ? strdup(a->disposition) : NULL;
    if (!body || !n->pub.key || !n->pub.version || !n->pub.etag || !n->pub.etag_gzip || !n->pub.content_type ||
        (a->disposition && !n->pub.disposition)) {
        n->refs = 1;
        return n; /* the caller sees the missing field and frees it */
    }
    n->pub.gzip = gzip_of(a->body, a->len, &n->pub.gzip_len);
    n->cost = sizeof *n + a->len + n->pub.gzip_len + strlen(key);
    n->refs = 1;
    return n;
}

static bool node_complete(const node *n)
{
    return n->pub.body && n->pub.key && n->pub.version && n->pub.etag && n->pub.etag_gzip && n->pub.content_type;
}

/* Under the lock: evicts least recently used entries until 'need' more
 * bytes fit. */
static void make_room(cache *c, size_t need)
{
    while (c->lru_tail && c->stats.bytes + need > c->stats.max_bytes) {
        c->stats.evictions++;
        retire(c, c->lru_tail);
    }
}

int cache_store(cache *c, const char *key, const char *version, const cache_answer *a, cache_make_handles make,
                void *make_arg, const cache_entry **out)
{
    if (out)
        *out = NULL;
    if (a->len > c->stats.max_bytes / 4) {
        cache_abandon(c, key);
        return ACCORD_OK;
    }
    /* Copy and compress outside the lock: the only slow part. */
    node *n = node_new(key, version, a);
    if (!n || !node_complete(n)) {
        if (n)
            node_free(c, n);
        cache_abandon(c, key);
        return accord_fail(ACCORD_ENOMEM, NULL, "out of memory");
    }
    if (make)
        make(&n->pub, make_arg);
    pthread_mutex_lock(&c->lock);
    node **slot = slot_of(c, key);
    if (*slot)
        retire(c, *slot);
    make_room(c, n->cost);
    slot = slot_of(c, key);
    n->hnext = *slot;
    *slot = n;
    n->live = true;
    lru_push_front(c, n);
    c->stats.bytes += n->cost;
    c->stats.entries++;
    if (out) {
        n->refs++;
        *out = &n->pub;
    }
    end_build(c, key);
    pthread_mutex_unlock(&c->lock);
    return ACCORD_OK;
}

void cache_release(cache *c, const cache_entry *e)
{
    if (!e)
        return;
    pthread_mutex_lock(&c->lock);
    unref(c, (node *)e); /* 'pub' is the node's first member */
    pthread_mutex_unlock(&c->lock);
}

void cache_clear(cache *c)
{
    pthread_mutex_lock(&c->lock);
    while (c->lru_head)
        retire(c, c->lru_head);
    pthread_mutex_unlock(&c->lock);
}

void cache_get_stats(cache *c, cache_stats *out)
{
    pthread_mutex_lock(&c->lock);
    *out = c->stats;
    pthread_mutex_unlock(&c->lock);
}

void cache_free(cache *c)
{
    if (!c)
        return;
    cache_clear(c);
    while (c->builds) {
        building *b = c->builds;
        c->builds = b->next;
        free(b->key);
        free(b);
    }
    pthread_cond_destroy(&c->built);
    pthread_mutex_destroy(&c->lock);
    free(c);
}
