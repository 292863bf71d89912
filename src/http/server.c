/* The request pipeline, on the HTTP skeleton (src/httpd/): what the API
 * server checks when a request's headers arrive, and how it answers. */
#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "events/committer.h"
#include "http/http.h"
#include "http/respcache_int.h"
#include "http/http_int.h"
#include "httpd/httpd.h"
#include "ledger/checkpointer.h"
#include "ledger/identity.h"
#include "util/clock.h"
#include "util/error.h"
#include "util/json.h"

static const char *db_path;
static pthread_key_t db_key;
static committer *writer;
static checkpointer *signer;

/* After each group commit: the log grew, a checkpoint is due. */
static void on_commit(uint64_t size, void *arg)
{
    (void)size;
    checkpointer_poke(arg);
}

/* Each worker thread keeps one store connection for its lifetime. */
static void close_thread_db(void *db) { store_close(db); }

static int thread_db(store **out)
{
    store *db = pthread_getspecific(db_key);
    if (!db) {
        int rc = store_open(&db, db_path, false);
        if (rc)
            return rc;
        pthread_setspecific(db_key, db);
    }
    *out = db;
    return ACCORD_OK;
}

/* Per-request state across the calls MHD makes for one request. Made
 * when the request line arrives (on_uri), before the URL is decoded. */
typedef struct conn_state {
    const char *url_error; /* why the raw URL is refused, or NULL */
    /* The route, matched once when the request arrives: its body limit is
     * needed before the body is read, the route itself after. */
    const http_route *route;
    const char *params[HTTP_MAX_PARAMS]; /* point into 'scratch' */
    char scratch[512];
    bool path_known; /* no route, but the path exists for another method */
    const buf *body; /* the whole body, once it has arrived (the skeleton's) */
    const void *held; /* the cache entry being sent (respcache_done) */
    http_later later; /* a write set aside while it waits for its commit */
} conn_state;

void http_common_headers(struct MHD_Response *r)
{
    MHD_add_response_header(r, "Content-Security-Policy", "default-src 'none'; style-src 'self'; frame-ancestors 'none'");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
}

static enum MHD_Result send_bytes(struct MHD_Connection *conn, int status, const char *type, const char *data, size_t len,
                                  const http_req *req, const char *etag)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *)data, MHD_RESPMEM_MUST_COPY);
    if (!r)
        return MHD_NO;
    http_common_headers(r);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    if (req && req->cache_control)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, req->cache_control);
    else if (etag) {
        MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, etag);
        MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
    }
    if (req && req->vary)
        MHD_add_response_header(r, MHD_HTTP_HEADER_VARY, req->vary);
    /* Open to other origins: public reads, unless the answer is marked
     * for this caller only (private) or for no one to keep (no-store, as
     * the workspace's forms are). */
    if (req && req->cors &&
        !(req->cache_control && (strncmp(req->cache_control, "private", 7) == 0 || strstr(req->cache_control, "no-store"))))
        MHD_add_response_header(r, MHD_HTTP_HEADER_ACCESS_CONTROL_ALLOW_ORIGIN, "*");
    if (req && req->location[0])
        MHD_add_response_header(r, MHD_HTTP_HEADER_LOCATION, req->location);
    if (req && req->content_disposition[0] && status < 300)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_DISPOSITION, req->content_disposition);
    if (status == 401)
        MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer realm=\"accord\"");
    if (req && req->allow[0])
        MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, req->allow);
    if (req && req->set_cookie[0])
        MHD_add_response_header(r, MHD_HTTP_HEADER_SET_COOKIE, req->set_cookie);
    if (req && req->retry_after > 0) {
        char secs[24];
        snprintf(secs, sizeof secs, "%d", req->retry_after);
        MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, secs);
    }
    enum MHD_Result ret = MHD_queue_response(conn, (unsigned)status, r);
    MHD_destroy_response(r);
    return ret;
}

int http_json_text(const json_t *v, buf *out)
{
    buf_init(out, HTTP_MAX_ANSWER + 1);
    int rc = json_write_indented(v, out);
    return rc ? rc : buf_append(out, "\n", 1);
}

static enum MHD_Result send_json(struct MHD_Connection *conn, int status, json_t *v, const http_req *req,
                                 const char *etag)
{
    buf text;
    int rc = http_json_text(v, &text);
    if (rc == ACCORD_ETOOBIG && status < 400) {
        /* No query may make the server send (or hold) more than this:
         * the handlers bound their inputs, this bounds what they missed. */
        buf_free(&text);
        json_t *err = json_pack("{s:{s:s, s:s}}", "error", "code", accord_error_name(ACCORD_ETOOBIG), "message",
                                "the answer would be over the server's limit; ask for less");
        enum MHD_Result ret = send_json(conn, 500, err, NULL, NULL);
        json_decref(err);
        return ret;
    }
    enum MHD_Result ret = rc ? MHD_NO : send_bytes(conn, status, "application/json", text.data, text.len, req, etag);
    buf_free(&text);
    return ret;
}

/* True if 's' is valid UTF-8 (what JSON text may carry). */
static bool utf8_valid(const char *s)
{
    json_t *probe = json_string(s);
    json_decref(probe);
    return probe != NULL;
}

/* Copies 's' into 'out' with every byte outside printable ASCII written
 * as \xHH: a message that quotes input which is not valid UTF-8. */
static void escape_bytes(const char *s, char *out, size_t len)
{
    size_t used = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p && used + 5 < len; p++) {
        if (*p >= 0x20 && *p < 0x7f && *p != '\\')
            out[used++] = (char)*p;
        else
            used += (size_t)snprintf(out + used, len - used, "\\x%02x", *p);
    }
    out[used] = '\0';
}

static enum MHD_Result send_error(struct MHD_Connection *conn, int code, const http_req *req)
{
    /* A message quoting input that is not UTF-8 would make no JSON, and
     * no answer at all: its bytes are shown escaped instead. */
    char escaped[1024];
    const char *message = accord_error_message(), *field = accord_error_field();
    if (!utf8_valid(message)) {
        escape_bytes(message, escaped, sizeof escaped);
        message = escaped;
    }
    json_t *err = json_pack("{s:{s:s, s:s}}", "error", "code", accord_error_name(code), "message", message);
    if (field && utf8_valid(field))
        json_object_set_new(json_object_get(err, "error"), "field", json_string(field));
    if (req && req->error_extra)
        json_object_update(json_object_get(err, "error"), req->error_extra);
    enum MHD_Result ret = send_json(conn, accord_error_http_status(code), err, req, NULL);
    json_decref(err);
    return ret;
}

/* 503 for a request the body budget cannot take now (the skeleton said
 * why), with a time to retry. */
static enum MHD_Result send_busy(struct MHD_Connection *conn)
{
    http_req busy = {.conn = conn, .retry_after = 1};
    return send_error(conn, ACCORD_EBUSY, &busy);
}

/* The caller's IP address as text, for throttling and the security log. */
static void client_address(struct MHD_Connection *conn, char *out, size_t len)
{
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    snprintf(out, len, "%s", "unknown");
    if (!ci || !ci->client_addr)
        return;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out, (socklen_t)len);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out, (socklen_t)len);
}

/* The public state version as a quoted tag: the version the response
 * cache keeps answers under (respcache_version), so an answer built here
 * and one served from the cache carry the same tag. */
static void current_etag(store *db, char *out, size_t len)
{
    char version[64];
    if (respcache_version(db, version, sizeof version) == ACCORD_OK)
        snprintf(out, len, "\"%.60s\"", version);
    else
        out[0] = '\0'; /* no tag rather than a wrong one */
}

/* Fills 'req' for the route's handler (or its continuation). */
static void request_start(http_req *req, struct MHD_Connection *conn, const char *method, const char *url, store *db,
                          conn_state *cs, bool is_read)
{
    *req = (http_req){.conn = conn, .method = method, .path = url, .db = db, .status = 200, .later = &cs->later};
    memcpy(req->params, cs->params, sizeof req->params);
    req->body = cs->body->data;
    req->body_len = cs->body->len;
    req->cors = is_read && cs->route->rule == RULE_PUBLIC;
    buf_init(&req->text, 16 * 1024 * 1024);
    client_address(conn, req->client, sizeof req->client);
}

/* Sends what the handler of 'req' made of it ('rc'), and frees 'req'. */
static enum MHD_Result request_answer(http_req *req, int rc, respcache_req *cached, const char *etag,
                                      conn_state *cs)
{
    enum MHD_Result ret;
    rc = http_refused_page(req, cs->route, rc);
    const char *inm = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH);
    if (cached && respcache_finish(cached, rc, req, &ret, &cs->held)) {
        /* kept, and sent from the cache */
    } else if (rc)
        ret = send_error(req->conn, rc, req);
    else if (etag[0] && !req->cache_control && inm && strcmp(inm, etag) == 0)
        ret = send_bytes(req->conn, MHD_HTTP_NOT_MODIFIED, "application/json", "", 0, NULL, etag);
    else if (req->json)
        ret = send_json(req->conn, req->status, req->json, req, etag[0] ? etag : NULL);
    else
        ret = send_bytes(req->conn, req->status, req->content_type ? req->content_type : "text/plain; charset=utf-8",
                         req->text.data ? req->text.data : "", req->text.len, req, etag[0] ? etag : NULL);
    json_decref(req->json);
    json_decref(req->error_extra);
    json_decref(req->body_json);
    buf_free(&req->text);
    return ret;
}

/* A request set aside (http_submit_event_then) is back: its event is
 * committed or refused, and the handler's continuation answers. */
static enum MHD_Result dispatch_resumed(struct MHD_Connection *conn, const char *method, const char *url,
                                        conn_state *cs)
{
    store *db;
    http_req req;
    uint64_t seq = 0;
    int rc = http_later_outcome(&cs->later, &seq);
    if (thread_db(&db))
        return send_error(conn, ACCORD_ESTORE, NULL);
    request_start(&req, conn, method, url, db, cs, false);
    req.who = &cs->later.who;
    rc = cs->later.then(&req, rc, seq);
    return request_answer(&req, rc, NULL, "", cs);
}

static enum MHD_Result dispatch(struct MHD_Connection *conn, const char *method, const char *url, conn_state *cs)
{
    accord_error_clear();
    const http_route *route = cs->route;
    enum MHD_Result ret;
    if (cs->later.waiting)
        return dispatch_resumed(conn, method, url, cs);
    if (!route && strcmp(method, "OPTIONS") == 0 && respcache_preflight(conn, url, &ret))
        return ret;
    if (!route) {
        if (cs->path_known) {
            http_req r405 = {.conn = conn};
            http_route_methods(url, r405.allow, sizeof r405.allow);
            return send_error(conn, accord_fail(ACCORD_EMETHOD, NULL, "method %s is not allowed here; allowed: %s",
                                                method, r405.allow), &r405);
        }
        accord_fail(ACCORD_ENOTFOUND, NULL, "no such resource: %s", url);
        return send_error(conn, ACCORD_ENOTFOUND, NULL);
    }
    store *db;
    int rc = thread_db(&db);
    if (rc)
        return send_error(conn, rc, NULL);
    respcache_req cached;
    if (respcache_serve(&cached, conn, method, url, route, db, &ret, &cs->held))
        return ret;

    /* Public reads are versioned by the log: the tag is taken before the
     * handler runs, so a write racing with it can only make the tag older
     * than the body, never newer. */
    bool is_read = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
    char etag[64] = "";
    if (is_read && route->rule == RULE_PUBLIC)
        current_etag(db, etag, sizeof etag);

    principal p;
    http_req req;
    request_start(&req, conn, method, url, db, cs, is_read);
    rc = http_authorize(&req, route, &p);
    if (!rc)
        rc = route->handler(&req);
    if (cs->later.waiting) {
        /* Set aside: answered once its event is committed. */
        json_decref(req.body_json);
        buf_free(&req.text);
        return MHD_YES;
    }
    return request_answer(&req, rc, &cached, etag, cs);
}

/* The raw request target, before libmicrohttpd decodes it: the decoded
 * path could no longer tell an encoded "/" (%2F) from a separator, and
 * would end at an encoded NUL. Both are refused, the slash in the path
 * only. Returns the request's state, which end_request frees. */
static void *on_uri(void *cls, const char *uri)
{
    (void)cls;
    conn_state *cs = calloc(1, sizeof *cs);
    if (!cs || !uri)
        return cs;
    size_t path_len = strcspn(uri, "?");
    for (const char *p = uri; (p = strchr(p, '%')); p++) {
        if (p[1] == '0' && p[2] == '0')
            cs->url_error = "the URL has an encoded NUL (%00)";
        else if ((size_t)(p - uri) < path_len && p[1] == '2' && (p[2] == 'f' || p[2] == 'F'))
            cs->url_error = "the path has an encoded '/' (%2F) inside a segment";
    }
    return cs;
}

/* Fails if a query parameter's name or value is not valid UTF-8. */
static enum MHD_Result check_argument(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void)kind;
    int *rc = cls;
    char k[256], v[256];
    if (utf8_valid(key) && (!value || utf8_valid(value)))
        return MHD_YES;
    escape_bytes(key, k, sizeof k);
    escape_bytes(value ? value : "", v, sizeof v);
    *rc = accord_fail(ACCORD_EINVAL, utf8_valid(key) ? key : NULL, "%s: '%s' is not valid UTF-8", k, v);
    return MHD_NO;
}

/* Checks what can be checked once the headers have arrived, before any
 * body is read: the URL, and the route's access for a route that takes a
 * large body, whose limit then goes to '*max_body' (the skeleton holds
 * the body to it, and to the server's budget). */
static int check_headers(void *cls, struct MHD_Connection *conn, const char *method, const char *url, void *state,
                         size_t *max_body)
{
    (void)cls;
    conn_state *cs = state;
    if (cs->url_error)
        return accord_fail(ACCORD_EINVAL, NULL, "%s", cs->url_error);
    if (!utf8_valid(url)) {
        char shown[512];
        escape_bytes(url, shown, sizeof shown);
        return accord_fail(ACCORD_EINVAL, NULL, "the path is not valid UTF-8: %s", shown);
    }
    int rc = ACCORD_OK;
    MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, check_argument, &rc);
    if (rc)
        return rc;
    cs->route = http_route_match(method, url, cs->scratch, sizeof cs->scratch, cs->params, &cs->path_known);
    *max_body = HTTP_MAX_BODY;
    if (cs->route && cs->route->max_body) {
        /* A route's larger limit serves only callers it admits: access is
         * decided now, from the headers (such a route finds its party in
         * the path or the query), and again before the handler runs. */
        store *db;
        principal p;
        http_req req = {.conn = conn, .method = method, .path = url, .headers_only = true};
        memcpy(req.params, cs->params, sizeof req.params);
        client_address(conn, req.client, sizeof req.client);
        rc = thread_db(&db);
        if (!rc) {
            req.db = db;
            rc = http_authorize(&req, cs->route, &p);
        }
        json_decref(req.body_json);
        if (rc && strncmp(cs->route->pattern, "/{lang}/workspace/", 18) == 0) {
            /* A workspace page answers a refusal with a page (the sign-in
             * page, the text that was posted): the body is read to the
             * usual limit and the dispatch refuses it again. */
            accord_error_clear();
            return ACCORD_OK;
        }
        if (rc)
            return rc;
        *max_body = cs->route->max_body;
    }
    return ACCORD_OK;
}

/* A refusal before the handler: from check_headers, or a body past its
 * limit (413) or past the server's budget (503). */
static enum MHD_Result refuse(void *cls, struct MHD_Connection *conn, int code, void *state)
{
    (void)cls;
    (void)state;
    return code == ACCORD_EBUSY ? send_busy(conn) : send_error(conn, code, NULL);
}

/* The whole body has arrived: the pipeline runs. */
static enum MHD_Result answer(void *cls, struct MHD_Connection *conn, const char *method, const char *url,
                              const buf *body, void *state)
{
    (void)cls;
    conn_state *cs = state;
    cs->body = body;
    return dispatch(conn, method, url, cs);
}

static void end_request(void *cls, void *state)
{
    (void)cls;
    conn_state *cs = state;
    if (cs) {
        respcache_done(cs->held);
        if (cs->later.waiting) {
            /* Closed once resumed, before answering (the server stops). */
            http_later_outcome(&cs->later, NULL);
            accord_error_clear();
        }
    }
    free(cs);
}

int http_serve(const http_config *cfg)
{
    store *db;
    note_signer key;
    int rc = http_routes_check();
    if (!rc)
        rc = store_open(&db, cfg->db_path, false);
    if (rc)
        return rc;
    rc = store_check_schema(db);
    if (!rc)
        rc = ledger_load_signer(db, cfg->key_path, &key);
    store_close(db);
    if (rc)
        return rc;
    db_path = cfg->db_path;
    pthread_key_create(&db_key, close_thread_db);
    /* Cookies travel over TLS only, unless the server is on loopback,
     * where a TLS terminator in front cannot be assumed either way. */
    bool loopback = strncmp(cfg->address, "127.", 4) == 0 || strcmp(cfg->address, "::1") == 0;
    bool secure = cfg->secure_cookies < 0 ? !loopback : cfg->secure_cookies;

    /* SIGINT and SIGTERM are blocked before any thread starts, so every
     * thread inherits the mask and they reach only the skeleton's wait: no
     * signal can slip in between a check and a pause. */
    httpd_block_stop_signals(NULL);
    rc = checkpointer_start(&signer, cfg->db_path, &key, cfg->checkpoint_interval ? cfg->checkpoint_interval : 100,
                            cfg->witnesses, cfg->nwitnesses);
    note_signer_clear(&key);
    if (rc)
        return rc;
    if ((rc = committer_start(&writer, cfg->db_path, on_commit, signer))) {
        checkpointer_stop(signer);
        return rc;
    }
    http_requests_setup(writer, secure);
    if ((rc = respcache_start(cfg->cache_bytes))) {
        committer_stop(writer);
        checkpointer_stop(signer);
        return rc;
    }
    /* The daemon is stopped first, so no new request arrives; then the
     * committer finishes the queued writes, and the checkpointer signs
     * what they added. */
    httpd_config hc = {
        .address = cfg->address,
        .port = cfg->port,
        .threads = cfg->threads,
        .max_per_address = cfg->max_per_address,
        .body_budget = cfg->body_budget,
        .max_body = HTTP_MAX_BODY,
        .log_prefix = "accord: http",
        .app = {.begin = on_uri, .headers = check_headers, .refuse = refuse, .answer = answer, .end = end_request},
        .on_ready = cfg->on_ready,
        .on_ready_arg = cfg->on_ready_arg,
    };
    /* Bearer tokens verified once are taken on trust for a moment
     * (auth.h): every request of a script carries the same token. */
    auth_token_cache(true);
    rc = httpd_serve(&hc);
    auth_token_cache(false);
    respcache_stop();
    committer_stop(writer);
    checkpointer_stop(signer);
    http_requests_setup(NULL, secure);
    writer = NULL;
    signer = NULL;
    return rc;
}
