/* Inside the http module: the response cache in the request path, and
 * CORS for public reads (respcache.c; docs/internals/http.md). */
#ifndef ACCORD_HTTP_RESPCACHE_INT_H
#define ACCORD_HTTP_RESPCACHE_INT_H

#include <microhttpd.h>

#include "cache/cache.h"
#include "http/http.h"

/* One request's use of the cache, between the lookup before the handler
 * and the store after it. */
typedef struct respcache_req {
    bool active;   /* the route may be cached and the caller sent no credentials */
    bool building; /* this request promised the cache an answer for 'key' */
    bool gzip_ok;  /* the client accepts gzip */
    char key[1024];
    char version[48];
} respcache_req;

/* Makes the server's cache, holding at most 'max_bytes'. */
int respcache_start(size_t max_bytes);
/* Frees it once the server has stopped (every entry released). */
void respcache_stop(void);

/* Before the handler: for a cacheable route asked without credentials,
 * answers from the cache (the body, or 304 when If-None-Match names its
 * tag) and returns true with libmicrohttpd's result in '*ret' and the
 * entry to give back once the answer is sent in '*held' (see
 * respcache_done). Otherwise returns false and 'rq' says what the
 * request owes the cache: respcache_finish() after the handler. */
bool respcache_serve(respcache_req *rq, struct MHD_Connection *conn, const char *method, const char *url,
                     const http_route *route, store *db, enum MHD_Result *ret, const void **held);

/* After the handler ('handler_rc' its result): keeps a successful public
 * answer of 'req' and serves it from the cache (true, '*ret', '*held'), or
 * settles the promised build and returns false: the caller sends the
 * answer itself. */
bool respcache_finish(respcache_req *rq, int handler_rc, http_req *req, enum MHD_Result *ret, const void **held);

/* Gives back an entry from respcache_serve() or respcache_finish() once
 * libmicrohttpd has finished with its answer. NULL is allowed. */
void respcache_done(const void *held);

/* Answers a CORS preflight (OPTIONS) for a path with a public GET route:
 * true with '*ret'. False for any other path or requested method, which
 * then gets the ordinary 405. */
bool respcache_preflight(struct MHD_Connection *conn, const char *url, enum MHD_Result *ret);

/* The cache's counters, as a JSON object (new reference), for /healthz. */
json_t *respcache_stats_json(void);

/* The version of every public answer, "<log size>-<YYYYMMDD>" into 'out':
 * what a cached answer is kept under and what its tag says. Reads the log
 * size only when something was committed since this thread last read it. */
int respcache_version(store *db, char *out, size_t len);

/* The security headers of every answer (server.c). */
void http_common_headers(struct MHD_Response *r);

#endif
