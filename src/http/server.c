/* The request pipeline on libmicrohttpd. */
#include <errno.h>
#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "events/committer.h"
#include "ledger/checkpointer.h"
#include "http/http.h"
#include "ledger/identity.h"
#include "ledger/ledger.h"
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

/* Per-connection state across the calls MHD makes for one request. */
typedef struct conn_state {
    /* The route, matched once when the request arrives: its body limit is
     * needed before the body is read, the route itself after. */
    const http_route *route;
    const char *params[HTTP_MAX_PARAMS]; /* point into 'scratch' */
    char scratch[512];
    bool path_known; /* no route, but the path exists for another method */
    buf body;
    size_t max_body; /* the matched route's limit */
    bool too_big;
} conn_state;

int http_submit_event(http_req *req, const char *type, json_t *data, uint64_t *out_seq)
{
    return committer_submit(writer, &req->who->who, type, data, out_seq);
}

int http_submit_event_with(http_req *req, const char *type, json_t *data, events_prepare prepare, void *prepare_arg,
                           uint64_t *out_seq)
{
    return committer_submit_with(writer, &req->who->who, type, data, prepare, prepare_arg, out_seq);
}

int http_run_writes(committer_work work, void *arg)
{
    return committer_run(writer, work, arg);
}

const char *http_query(http_req *req, const char *key)
{
    return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, key);
}

int http_json_body(http_req *req, json_t **out)
{
    const char *ct = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
    size_t n = strlen("application/json");
    if (!ct || strncasecmp(ct, "application/json", n) != 0 || (ct[n] && ct[n] != ';' && ct[n] != ' '))
        return accord_fail(ACCORD_EMEDIA, NULL, "the body must be sent as Content-Type: application/json");
    if (!req->body || req->body_len == 0)
        return accord_fail(ACCORD_EINVAL, NULL, "the request body is empty; a JSON object is expected");
    if (!req->body_json) {
        int rc = json_parse_object(req->body, req->body_len, &req->body_json);
        if (rc)
            return rc;
    }
    *out = json_incref(req->body_json);
    return ACCORD_OK;
}

static void add_common_headers(struct MHD_Response *r)
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
    add_common_headers(r);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    if (req && req->cache_control)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, req->cache_control);
    else if (etag) {
        MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, etag);
        MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
    }
    if (req && req->vary)
        MHD_add_response_header(r, MHD_HTTP_HEADER_VARY, req->vary);
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

static enum MHD_Result send_json(struct MHD_Connection *conn, int status, json_t *v, const http_req *req,
                                 const char *etag)
{
    char *text = json_dumps(v, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (!text)
        return MHD_NO;
    size_t len = strlen(text);
    text[len] = '\0';
    char *withnl = realloc(text, len + 2);
    if (withnl) {
        text = withnl;
        text[len++] = '\n';
        text[len] = '\0';
    }
    enum MHD_Result ret = send_bytes(conn, status, "application/json", text, len, req, etag);
    free(text);
    return ret;
}

static enum MHD_Result send_error(struct MHD_Connection *conn, int code, const http_req *req)
{
    json_t *err = json_pack("{s:{s:s, s:s}}", "error", "code", accord_error_name(code), "message",
                            accord_error_message());
    if (accord_error_field())
        json_object_set_new(json_object_get(err, "error"), "field", json_string(accord_error_field()));
    if (req && req->error_extra)
        json_object_update(json_object_get(err, "error"), req->error_extra);
    enum MHD_Result ret = send_json(conn, accord_error_http_status(code), err, req, NULL);
    json_decref(err);
    return ret;
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

static bool secure_cookies;
bool http_secure_cookies(void) { return secure_cookies; }

/* The public state version for caching: ledger size and today's date
 * (views default to "as at today"). */
static void current_etag(store *db, char *out, size_t len)
{
    uint64_t size = 0;
    ledger_size(db, &size);
    char today[11];
    clock_today(today);
    snprintf(out, len, "\"%llu-%.4s%.2s%.2s\"", (unsigned long long)size, today, today + 5, today + 8);
}

static enum MHD_Result dispatch(struct MHD_Connection *conn, const char *method, const char *url, conn_state *cs)
{
    accord_error_clear();
    if (cs->too_big) {
        accord_fail(ACCORD_ETOOBIG, NULL, "the request body is over the limit of %zu bytes", cs->max_body);
        return send_error(conn, ACCORD_ETOOBIG, NULL);
    }
    const http_route *route = cs->route;
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

    /* Public reads are versioned by the log: the tag is taken before the
     * handler runs, so a write racing with it can only make the tag older
     * than the body, never newer. */
    bool is_read = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
    char etag[64] = "";
    if (is_read && route->rule == RULE_PUBLIC)
        current_etag(db, etag, sizeof etag);

    principal p;
    http_req req = {.conn = conn, .method = method, .path = url, .db = db, .status = 200};
    memcpy(req.params, cs->params, sizeof req.params);
    req.body = cs->body.data;
    req.body_len = cs->body.len;
    buf_init(&req.text, 16 * 1024 * 1024);
    client_address(conn, req.client, sizeof req.client);
    rc = http_authorize(&req, route, &p);
    if (!rc)
        rc = route->handler(&req);
    enum MHD_Result ret;
    const char *inm = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH);
    if (rc)
        ret = send_error(conn, rc, &req);
    else if (etag[0] && !req.cache_control && inm && strcmp(inm, etag) == 0)
        ret = send_bytes(conn, MHD_HTTP_NOT_MODIFIED, "application/json", "", 0, NULL, etag);
    else if (req.json)
        ret = send_json(conn, req.status, req.json, &req, etag[0] ? etag : NULL);
    else
        ret = send_bytes(conn, req.status, req.content_type ? req.content_type : "text/plain; charset=utf-8",
                         req.text.data ? req.text.data : "", req.text.len, &req, etag[0] ? etag : NULL);
    json_decref(req.json);
    json_decref(req.error_extra);
    json_decref(req.body_json);
    buf_free(&req.text);
    return ret;
}

/* The body limit of the request's route, known before the body is read so
 * that an oversized upload is refused as it arrives. The body is read
 * before access is decided, so a route's larger limit applies only to
 * requests that carry credentials: no route that takes a large body is
 * public, and anonymous callers should not make the server hold megabytes
 * per connection. */
static size_t body_limit(struct MHD_Connection *conn, const http_route *route)
{
    bool credentials = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION) ||
                       MHD_lookup_connection_value(conn, MHD_COOKIE_KIND, "accord_session");
    return route && route->max_body && credentials ? route->max_body : HTTP_MAX_BODY;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    (void)cls;
    (void)version;
    conn_state *cs = *con_cls;
    if (!cs) {
        cs = calloc(1, sizeof *cs);
        if (!cs)
            return MHD_NO;
        cs->route = http_route_match(method, url, cs->scratch, sizeof cs->scratch, cs->params, &cs->path_known);
        cs->max_body = body_limit(conn, cs->route);
        buf_init(&cs->body, cs->max_body);
        *con_cls = cs;
        return MHD_YES;
    }
    if (*upload_data_size) {
        /* Past the cap the rest is read and dropped, so the client gets a
         * clean 413 instead of a reset connection. */
        if (!cs->too_big && buf_append(&cs->body, upload_data, *upload_data_size))
            cs->too_big = true;
        *upload_data_size = 0;
        return MHD_YES;
    }
    return dispatch(conn, method, url, cs);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)conn;
    (void)toe;
    conn_state *cs = *con_cls;
    if (cs) {
        buf_free(&cs->body);
        free(cs);
        *con_cls = NULL;
    }
}

/* Resolves the bind address into 'ss'. */
static int bind_address(const char *address, unsigned port, struct sockaddr_storage *ss, unsigned *flags)
{
    memset(ss, 0, sizeof *ss);
    struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;
    if (inet_pton(AF_INET, address, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons((uint16_t)port);
        *flags = 0;
        return ACCORD_OK;
    }
    if (inet_pton(AF_INET6, address, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)port);
        *flags = MHD_USE_IPv6;
        return ACCORD_OK;
    }
    return accord_fail(ACCORD_EINVAL, "address", "'%s' is not an IPv4 or IPv6 address", address);
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
    secure_cookies = cfg->secure_cookies < 0 ? !loopback : cfg->secure_cookies;

    struct sockaddr_storage ss;
    unsigned ipflags = 0;
    if ((rc = bind_address(cfg->address, cfg->port, &ss, &ipflags)))
        return rc;
    /* SIGINT and SIGTERM are blocked before any thread starts, so every
     * thread inherits the mask and they reach only sigwait() below: no
     * signal can slip in between a check and a pause. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);
    rc = checkpointer_start(&signer, cfg->db_path, &key, cfg->checkpoint_interval ? cfg->checkpoint_interval : 100,
                            cfg->witnesses, cfg->nwitnesses);
    note_signer_clear(&key);
    if (rc)
        return rc;
    if ((rc = committer_start(&writer, cfg->db_path, on_commit, signer))) {
        checkpointer_stop(signer);
        return rc;
    }
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG | ipflags, (uint16_t)cfg->port, NULL, NULL, on_request, NULL,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss, MHD_OPTION_THREAD_POOL_SIZE, (unsigned)(cfg->threads ? cfg->threads : 4),
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(32 * 1024), MHD_OPTION_END);
    if (!d) {
        rc = accord_fail(ACCORD_EENV, NULL, "cannot listen on %s port %u: %s", cfg->address, cfg->port,
                         errno ? strerror(errno) : "address in use or not available");
        committer_stop(writer);
        checkpointer_stop(signer);
        return rc;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    unsigned port = info ? info->port : cfg->port;
    if (cfg->on_ready)
        cfg->on_ready(port, cfg->on_ready_arg);

    int sig;
    while (sigwait(&stop, &sig) != 0)
        ;
    MHD_stop_daemon(d);
    committer_stop(writer);
    checkpointer_stop(signer);
    writer = NULL;
    signer = NULL;
    return ACCORD_OK;
}
