/* Public answers in the request path: the response cache (cache/) between
 * route lookup and handler, and CORS for public reads. See
 * docs/internals/http.md, "Response cache" and "Open data across origins". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http/http_int.h"
#include "http/respcache_int.h"
#include "ledger/ledger.h"
#include "util/clock.h"
#include "util/error.h"

#define RESPCACHE_WAIT_MS 2000 /* how long a lookup waits for another thread's build of the same answer */
#define RESPCACHE_MAX_ARGS 16  /* a query with more arguments is not cached */
#define REVALIDATE "public, no-cache"

static cache *responses;

static void drop_response(void *handle) { MHD_destroy_response(handle); }

int respcache_start(size_t max_bytes)
{
    if (max_bytes == HTTP_CACHE_OFF)
        return ACCORD_OK; /* no cache: every answer is built */
    return cache_new(&responses, max_bytes ? max_bytes : HTTP_CACHE_BYTES, drop_response);
}

void respcache_stop(void)
{
    cache_free(responses);
    responses = NULL;
}

void respcache_done(const void *held) { cache_release(responses, held); }

/* ---- the version: the log's size and today's date ------------------------ */

/* What this worker thread last learnt of the log: its size, valid while
 * its connection's data_version has not moved (no other connection has
 * committed since). Every append is committed by the writer's connection,
 * so a write acknowledged to anyone moves every worker's data_version. */
static _Thread_local struct {
    store *db;
    int64_t data_version;
    uint64_t size;
} seen;

int respcache_version(store *db, char *out, size_t len)
{
    int64_t dv;
    int rc = store_data_version(db, &dv);
    if (rc)
        return rc;
    if (seen.db != db || seen.data_version != dv) {
        /* Read after data_version: the size is at least as new as it. */
        if ((rc = ledger_size(db, &seen.size)))
            return rc;
        seen.db = db;
        seen.data_version = dv;
    }
    char today[11];
    clock_today(today);
    snprintf(out, len, "%llu-%.4s%.2s%.2s", (unsigned long long)seen.size, today, today + 5, today + 8);
    return ACCORD_OK;
}

/* ---- the key: the path and the query, its arguments sorted --------------- */

typedef struct query_arg {
    const char *name, *value; /* value NULL for "?name" without "=" */
    unsigned order;
} query_arg;

typedef struct query_args {
    query_arg arg[RESPCACHE_MAX_ARGS];
    unsigned n;
    bool too_many;
} query_args;

static enum MHD_Result collect_arg(void *cls, enum MHD_ValueKind kind, const char *name, const char *value)
{
    (void)kind;
    query_args *q = cls;
    if (q->n == RESPCACHE_MAX_ARGS) {
        q->too_many = true;
        return MHD_NO;
    }
    q->arg[q->n] = (query_arg){name, value, q->n};
    q->n++;
    return MHD_YES;
}

/* By name, and in their order for a repeated name: the handlers read the
 * first of several, so "?a=1&a=2" and "?a=2&a=1" are different answers. */
static int by_name(const void *a, const void *b)
{
    const query_arg *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : (x->order > y->order) - (x->order < y->order);
}

/* The key of 'url' with its query: "path?" then each argument as
 * "<len>:name=<len>:value&" (lengths, so that no byte in a value can make
 * two queries one key). False when it does not fit. */
static bool make_key(struct MHD_Connection *conn, const char *url, char *out, size_t len)
{
    query_args q = {.n = 0};
    MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, collect_arg, &q);
    if (q.too_many)
        return false;
    qsort(q.arg, q.n, sizeof q.arg[0], by_name);
    int used = snprintf(out, len, "%s?", url);
    for (unsigned i = 0; i < q.n && used > 0 && (size_t)used < len; i++) {
        const query_arg *a = &q.arg[i];
        if (a->value)
            used += snprintf(out + used, len - (size_t)used, "%zu:%s=%zu:%s&", strlen(a->name), a->name,
                             strlen(a->value), a->value);
        else
            used += snprintf(out + used, len - (size_t)used, "%zu:%s&", strlen(a->name), a->name);
    }
    return used > 0 && (size_t)used < len;
}

/* ---- request headers ----------------------------------------------------- */

/* True if Accept-Encoding admits gzip (listed, and not with q=0). */
static bool accepts_gzip(struct MHD_Connection *conn)
{
    const char *ae = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT_ENCODING);
    for (const char *p = ae; p && *p;) {
        p += strspn(p, " \t,");
        size_t n = strcspn(p, ",; \t");
        bool gzip = (n == 4 && strncasecmp(p, "gzip", 4) == 0) || (n == 6 && strncasecmp(p, "x-gzip", 6) == 0);
        const char *end = p + strcspn(p, ",");
        const char *q = strstr(p, "q=");
        if (gzip)
            return !(q && q < end && strtod(q + 2, NULL) <= 0.0);
        p = end;
    }
    return false;
}

/* True if If-None-Match lists 'tag' (or is "*"). Weak comparison, as
 * RFC 9110 asks for If-None-Match: a "W/" prefix is ignored. */
static bool tag_listed(struct MHD_Connection *conn, const char *tag)
{
    const char *inm = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH);
    size_t tl = strlen(tag);
    for (const char *p = inm; p && *p;) {
        p += strspn(p, " \t,");
        if (strncmp(p, "W/", 2) == 0)
            p += 2;
        size_t n = strcspn(p, ", \t");
        if ((n == 1 && *p == '*') || (n == tl && strncmp(p, tag, n) == 0))
            return true;
        p += n;
    }
    return false;
}

/* True if the request carries credentials: its answer may differ from the
 * public one, so it is neither served from nor kept in the cache. */
static bool has_credentials(struct MHD_Connection *conn)
{
    return MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION) ||
           MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_COOKIE);
}

/* ---- answers ------------------------------------------------------------- */

/* The headers every answer from the cache carries, 304s included. */
static void add_cached_headers(struct MHD_Response *r, const char *tag, const char *cache_control)
{
    http_common_headers(r);
    MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, tag);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, cache_control);
    MHD_add_response_header(r, MHD_HTTP_HEADER_VARY, MHD_HTTP_HEADER_ACCEPT_ENCODING);
    MHD_add_response_header(r, MHD_HTTP_HEADER_ACCESS_CONTROL_ALLOW_ORIGIN, "*");
}

/* A response over bytes the entry owns, with every header: libmicrohttpd
 * sends it to any number of connections without copying. */
static struct MHD_Response *persistent(const cache_entry *e, const unsigned char *body, size_t len, const char *tag,
                                       bool gzip, const char *cache_control)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_PERSISTENT);
    if (!r)
        return NULL;
    add_cached_headers(r, tag, cache_control);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, e->content_type);
    if (e->disposition)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_DISPOSITION, e->disposition);
    if (gzip)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
    return r;
}

/* cache_store()'s callback: 'arg' is the answer's Cache-Control. */
static void make_handles(cache_entry *e, void *arg)
{
    const char *cache_control = arg;
    e->handle = persistent(e, e->body, e->len, e->etag, false, cache_control);
    e->handle_gzip = e->gzip ? persistent(e, e->gzip, e->gzip_len, e->etag_gzip, true, cache_control) : NULL;
}

/* Sends entry 'e' (or 304), holding it in '*held' until it is sent. False
 * (and 'e' released) when the entry has no response for the variant. */
static bool send_entry(const cache_entry *e, const respcache_req *rq, struct MHD_Connection *conn,
                       enum MHD_Result *ret, const void **held)
{
    bool gz = rq->gzip_ok && e->handle_gzip;
    struct MHD_Response *r = gz ? e->handle_gzip : e->handle;
    if (!r) {
        cache_release(responses, e);
        return false;
    }
    const char *tag = gz ? e->etag_gzip : e->etag;
    if (tag_listed(conn, tag)) {
        const char *cc = MHD_get_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL);
        struct MHD_Response *nm = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
        if (nm) {
            add_cached_headers(nm, tag, cc ? cc : REVALIDATE);
            *ret = MHD_queue_response(conn, MHD_HTTP_NOT_MODIFIED, nm);
            MHD_destroy_response(nm);
        } else {
            *ret = MHD_NO;
        }
        cache_release(responses, e);
        return true;
    }
    *ret = MHD_queue_response(conn, MHD_HTTP_OK, r);
    *held = e;
    return true;
}

bool respcache_serve(respcache_req *rq, struct MHD_Connection *conn, const char *method, const char *url,
                     const http_route *route, store *db, enum MHD_Result *ret, const void **held)
{
    memset(rq, 0, sizeof *rq);
    if (!responses || route->cache != HTTP_CACHE_PUBLIC || route->rule != RULE_PUBLIC ||
        (strcmp(method, "GET") && strcmp(method, "HEAD")) || has_credentials(conn))
        return false;
    if (!make_key(conn, url, rq->key, sizeof rq->key) || respcache_version(db, rq->version, sizeof rq->version))
        return false;
    accord_error_clear();
    rq->active = true;
    rq->gzip_ok = accepts_gzip(conn);
    const cache_entry *e = NULL;
    if (cache_lookup(responses, rq->key, rq->version, RESPCACHE_WAIT_MS, &e) == CACHE_BUILD) {
        rq->building = true;
        return false;
    }
    return send_entry(e, rq, conn, ret, held);
}

/* The answer of 'req' as bytes into '*out' (the caller frees it when
 * '*owned' is not NULL), or false when it is not one the cache may keep: only a
 * plain 200 that is public, sets nothing and varies only by encoding. */
static bool answer_bytes(http_req *req, const char **out, size_t *len, char **owned)
{
    if (req->status != 200 || req->set_cookie[0] || req->location[0] || req->vary ||
        (req->cache_control && strncmp(req->cache_control, "public", 6) != 0))
        return false;
    *owned = NULL;
    if (!req->json) {
        *out = req->text.data ? req->text.data : "";
        *len = req->text.len;
        return true;
    }
    /* As the server sends JSON (send_json). */
    buf text;
    if (http_json_text(req->json, &text)) {
        buf_free(&text);
        return false;
    }
    *len = text.len;
    *out = *owned = buf_steal(&text);
    return *out != NULL;
}

bool respcache_finish(respcache_req *rq, int handler_rc, http_req *req, enum MHD_Result *ret, const void **held)
{
    if (!rq->building)
        return false;
    rq->building = false;
    const char *body;
    size_t len;
    char *owned = NULL;
    if (handler_rc || !answer_bytes(req, &body, &len, &owned)) {
        cache_abandon(responses, rq->key);
        return false;
    }
    cache_answer a = {
        .content_type = req->json ? "application/json"
                                  : (req->content_type ? req->content_type : "text/plain; charset=utf-8"),
        .disposition = req->content_disposition[0] ? req->content_disposition : NULL,
        .body = body,
        .len = len,
    };
    const cache_entry *e = NULL;
    int rc = cache_store(responses, rq->key, rq->version, &a, make_handles,
                         (void *)(req->cache_control ? req->cache_control : REVALIDATE), &e);
    free(owned);
    accord_error_clear();
    return !rc && e && send_entry(e, rq, req->conn, ret, held);
}

/* ---- CORS preflight ------------------------------------------------------ */

bool respcache_preflight(struct MHD_Connection *conn, const char *url, enum MHD_Result *ret)
{
    char scratch[512];
    const char *params[HTTP_MAX_PARAMS];
    bool known;
    const http_route *route = http_route_match("GET", url, scratch, sizeof scratch, params, &known);
    const char *asked =
        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCESS_CONTROL_REQUEST_METHOD);
    if (!route || route->rule != RULE_PUBLIC || (asked && strcmp(asked, "GET") && strcmp(asked, "HEAD")))
        return false;
    struct MHD_Response *r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    if (!r) {
        *ret = MHD_NO;
        return true;
    }
    http_common_headers(r);
    MHD_add_response_header(r, MHD_HTTP_HEADER_ACCESS_CONTROL_ALLOW_ORIGIN, "*");
    MHD_add_response_header(r, "Access-Control-Allow-Methods", "GET, HEAD");
    /* The conditional request is the one header beyond the safelisted
     * ones that a reader needs; Authorization is not allowed, so no
     * cross-origin request carries credentials. */
    MHD_add_response_header(r, "Access-Control-Allow-Headers", "If-None-Match");
    MHD_add_response_header(r, "Access-Control-Max-Age", "86400");
    *ret = MHD_queue_response(conn, MHD_HTTP_NO_CONTENT, r);
    MHD_destroy_response(r);
    return true;
}

json_t *respcache_stats_json(void)
{
    cache_stats s = {0};
    if (responses)
        cache_get_stats(responses, &s);
    return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "hits", (json_int_t)s.hits, "misses",
                     (json_int_t)s.misses, "stale_served", (json_int_t)s.stale_served, "waits", (json_int_t)s.waits,
                     "evictions", (json_int_t)s.evictions, "entries", (json_int_t)s.entries, "bytes",
                     (json_int_t)s.bytes, "max_bytes", (json_int_t)s.max_bytes);
}
