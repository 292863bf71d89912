/* The response cache: public answers kept in memory while the log has
 * not grown.
 *
 * Every state change is a log entry, so the log's size (with the date, for
 * answers that default to "as at today") is the version of every public
 * answer. An answer built at one version is served again, byte for byte,
 * to every request for the same key at that version; the first request at
 * a new version rebuilds it. Only the HTTP layer decides what may be
 * cached (its route table marks the routes whose answers depend on nothing
 * but the URL); this module knows nothing of HTTP.
 *
 * Memory is bounded: entries past 'max_bytes' in all are dropped, least
 * recently used first. A popular answer that goes stale under load is
 * rebuilt by one thread: while it builds, the others get the old version
 * (with its old tag), or, when there is none, wait for the new one.
 *
 * Entries are reference-counted: one returned by cache_lookup() stays
 * valid, even if evicted meanwhile, until the caller's cache_release(). */
#ifndef ACCORD_CACHE_CACHE_H
#define ACCORD_CACHE_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct cache cache;

/* What the HTTP layer makes of an answer to serve it without copying (a
 * persistent response per body); released with the cache's 'drop_handle'
 * when the entry's last reference goes. */
typedef void (*cache_drop_handle)(void *handle);

typedef struct cache_entry {
    const char *key;
    const char *version;
    const char *etag;         /* strong, quoted: "\"<version>\"" */
    const char *etag_gzip;    /* the gzip variant's: "\"<version>-gz\"" */
    const char *content_type;
    const char *disposition;  /* Content-Disposition, or NULL */
    const unsigned char *body;
    size_t len;
    const unsigned char *gzip; /* gzip of 'body', or NULL when it saves nothing */
    size_t gzip_len;
    void *handle;             /* the HTTP layer's, for 'body' (may be NULL) */
    void *handle_gzip;        /* the HTTP layer's, for 'gzip' (may be NULL) */
} cache_entry;

typedef struct cache_stats {
    uint64_t hits, misses, stale_served, waits, evictions;
    size_t bytes, entries, max_bytes;
} cache_stats;

/* A new cache holding at most 'max_bytes' of bodies and their gzip
 * variants. 'drop_handle' (may be NULL) releases entry handles. */
int cache_new(cache **out, size_t max_bytes, cache_drop_handle drop_handle);

/* Frees the cache; every entry must have been released. NULL is allowed. */
void cache_free(cache *c);

enum cache_outcome {
    CACHE_HIT,   /* '*out' is the answer at 'version' */
    CACHE_STALE, /* '*out' is an older version; another thread is building the new one */
    CACHE_BUILD, /* nothing to serve: the caller builds it, then cache_store() or cache_abandon() */
};

/* Looks 'key' up at 'version'. On CACHE_HIT and CACHE_STALE '*out' holds
 * a reference the caller gives back with cache_release(). On CACHE_BUILD
 * the caller has promised to call cache_store() or cache_abandon() for
 * 'key': until then other lookups of it serve the stale entry or wait
 * (at most 'wait_ms', after which they build too). */
enum cache_outcome cache_lookup(cache *c, const char *key, const char *version, unsigned wait_ms,
                                const cache_entry **out);

/* An answer to keep: what cache_store() copies. */
typedef struct cache_answer {
    const char *content_type;
    const char *disposition; /* may be NULL */
    const void *body;
    size_t len;
} cache_answer;

/* Makes the HTTP layer's handles for a new entry: called by cache_store()
 * once the entry's bytes are final, before it is published. */
typedef void (*cache_make_handles)(cache_entry *e, void *arg);

/* Keeps 'a' as the answer for 'key' at 'version' (copied, and gzipped
 * when that saves bytes), wakes the lookups waiting for it, and returns
 * a reference to the new entry in '*out' (may be NULL). An answer larger
 * than a quarter of the cache is not kept; '*out' is then NULL and the
 * caller serves its own bytes. Fails ACCORD_ENOMEM (and abandons). */
int cache_store(cache *c, const char *key, const char *version, const cache_answer *a, cache_make_handles make,
                void *make_arg, const cache_entry **out);

/* The build promised for 'key' failed or was not cacheable: wake the
 * waiters, who then build their own. */
void cache_abandon(cache *c, const char *key);

/* Gives back a reference from cache_lookup() or cache_store(). NULL is allowed. */
void cache_release(cache *c, const cache_entry *e);

/* Drops every entry (their memory goes when their last reference does). */
void cache_clear(cache *c);

void cache_get_stats(cache *c, cache_stats *out);

#endif
