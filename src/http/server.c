/* The request pipeline on libmicrohttpd. */
#include <errno.h>
#include <malloc.h>
#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include "events/committer.h"
#include "http/http.h"
#include "ledger/checkpointer.h"
#include "ledger/identity.h"
#include "ledger/ledger.h"
#include "util/clock.h"
#include "util/date.h"
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
    bool started;          /* the headers have arrived and were checked */
    bool answered;         /* refused from the headers; the body is not read */
    const char *url_error; /* why the raw URL is refused, or NULL */
    /* The route, matched once when the request arrives: its body limit is
     * needed before the body is read, the route itself after. */
    const http_route *route;
    const char *params[HTTP_MAX_PARAMS]; /* point into 'scratch' */
    char scratch[512];
    bool path_known; /* no route, but the path exists for another method */
    buf body;
    size_t max_body; /* the matched route's limit */
    size_t reserved; /* bytes of the body budget this request holds */
    bool too_big;
    bool over_budget; /* the server-wide body budget was spent */
} conn_state;

/* ---- limits on connections and request bodies ---------------------------- */

/* libmicrohttpd's own timeout counts inactivity only, so a client sending
 * one header line every few seconds would hold its connection forever.
 * Every open connection is listed here, and a sweeper thread shuts down
 * (shutdown(2)) the socket of one that has waited more than
 * HTTP_HEADER_DEADLINE seconds for a request's headers: since it
 * connected, or since its last answer (an idle keep-alive connection).
 * The worker that owns it then reads the end of the stream and closes it.
 * An entry leaves the list in the CLOSED notification, which
 * libmicrohttpd makes before it closes the socket, under the lock the
 * sweep holds: a descriptor swept is never one already reused. */
typedef struct conn_track {
    struct conn_track *prev, *next;
    int fd;
    double waiting_since; /* CLOCK_MONOTONIC seconds */
    bool in_request;      /* headers complete, answer not yet sent */
    bool swept;
} conn_track;

static struct {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    conn_track ring; /* the list's head; ring.next is the first entry */
    size_t count, peak; /* connections open; most open since the last trim */
    bool stop;
    pthread_t thread;
} tracker = {.lock = PTHREAD_MUTEX_INITIALIZER};

static double mono_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    (void)cls;
    conn_track *t = *socket_context;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        if (!ci || !(t = calloc(1, sizeof *t)))
            return; /* untracked: only the idle timeout applies to it */
        t->fd = ci->connect_fd;
        t->waiting_since = mono_now();
        pthread_mutex_lock(&tracker.lock);
        t->prev = tracker.ring.prev;
        t->next = &tracker.ring;
        tracker.ring.prev->next = t;
        tracker.ring.prev = t;
        if (++tracker.count > tracker.peak)
            tracker.peak = tracker.count;
        pthread_mutex_unlock(&tracker.lock);
        *socket_context = t;
    } else if (code == MHD_CONNECTION_NOTIFY_CLOSED && t) {
        pthread_mutex_lock(&tracker.lock);
        t->prev->next = t->next;
        t->next->prev = t->prev;
        tracker.count--;
        pthread_mutex_unlock(&tracker.lock);
        free(t);
        *socket_context = NULL;
    }
}

/* Marks the connection of 'conn' as in a request (its headers are
 * complete) or waiting for the next one. */
static void track_request(struct MHD_Connection *conn, bool in_request)
{
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    conn_track *t = ci ? ci->socket_context : NULL;
    if (!t)
        return;
    pthread_mutex_lock(&tracker.lock);
    t->in_request = in_request;
    t->waiting_since = mono_now();
    pthread_mutex_unlock(&tracker.lock);
}

static void *sweep_connections(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&tracker.lock);
    while (!tracker.stop) {
        double now = mono_now();
        for (conn_track *t = tracker.ring.next; t != &tracker.ring; t = t->next)
            if (!t->in_request && !t->swept && now - t->waiting_since > HTTP_HEADER_DEADLINE) {
                shutdown(t->fd, SHUT_RDWR);
                t->swept = true;
            }
        /* After a burst of connections, glibc keeps the memory their
         * buffers used (libmicrohttpd's 32 KiB pools fall below the mmap
         * threshold) inside its heaps: give it back once most of them
         * have gone (docs/stress.md has the figures). */
        if (tracker.peak >= 64 && tracker.count <= tracker.peak / 4) {
            tracker.peak = tracker.count;
            pthread_mutex_unlock(&tracker.lock); /* a trim takes milliseconds */
            malloc_trim(0);
            pthread_mutex_lock(&tracker.lock);
            if (tracker.stop)
                break;
        }
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_nsec += 250 * 1000 * 1000;
        if (until.tv_nsec >= 1000 * 1000 * 1000) {
            until.tv_sec++;
            until.tv_nsec -= 1000 * 1000 * 1000;
        }
        pthread_cond_timedwait(&tracker.wake, &tracker.lock, &until);
    }
    pthread_mutex_unlock(&tracker.lock);
    return NULL;
}

static int sweeper_start(void)
{
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&tracker.wake, &attr);
    pthread_condattr_destroy(&attr);
    tracker.ring.next = tracker.ring.prev = &tracker.ring;
    tracker.stop = false;
    if (pthread_create(&tracker.thread, NULL, sweep_connections, NULL) != 0)
        return accord_fail(ACCORD_EENV, NULL, "cannot start the connection sweeper: %s", strerror(errno));
    return ACCORD_OK;
}

static void sweeper_stop(void)
{
    pthread_mutex_lock(&tracker.lock);
    tracker.stop = true;
    pthread_cond_signal(&tracker.wake);
    pthread_mutex_unlock(&tracker.lock);
    pthread_join(tracker.thread, NULL);
    pthread_cond_destroy(&tracker.wake);
}

/* Request bodies held at once, all connections together, and the most
 * they may be: a request whose body would pass it gets 503. */
static _Atomic size_t body_held;
static size_t body_budget;

static bool budget_take(size_t n)
{
    size_t held = atomic_load(&body_held);
    do {
        if (n > body_budget || held > body_budget - n)
            return false;
    } while (!atomic_compare_exchange_weak(&body_held, &held, held + n));
    return true;
}

static void budget_give(size_t n) { atomic_fetch_sub(&body_held, n); }

/* Makes request 'cs' hold at least 'need' bytes of the budget, taking it
 * in steps of at least 64 KiB and never past the request's limit. */
static bool budget_grow(conn_state *cs, size_t need)
{
    if (need <= cs->reserved)
        return true;
    size_t step = 64 * 1024, want = need - cs->reserved;
    if (want < step)
        want = step;
    if (cs->reserved + want > cs->max_body)
        want = cs->max_body - cs->reserved;
    if (want < need - cs->reserved || !budget_take(want))
        return false;
    cs->reserved += want;
    return true;
}

/* libmicrohttpd's own messages (a refused connection, a client gone
 * mid-request), at most one a second: each is caused by a client, and
 * thousands of hostile connections a second must not fill the operator's
 * logs. The count of those left out is printed with the next one. */
static void log_library(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    static double last = -1e9;
    static unsigned long dropped;
    pthread_mutex_lock(&lock);
    double now = mono_now();
    if (now - last < 1.0) {
        dropped++;
        pthread_mutex_unlock(&lock);
        return;
    }
    last = now;
    char line[512];
    vsnprintf(line, sizeof line, fmt, ap);
    line[strcspn(line, "\n")] = '\0';
    if (dropped)
        fprintf(stderr, "accord: http: %s (%lu more such messages left out)\n", line, dropped);
    else
        fprintf(stderr, "accord: http: %s\n", line);
    dropped = 0;
    pthread_mutex_unlock(&lock);
}

/* The process may keep as many files open as its hard limit allows:
 * every connection is one. Returns the (new) soft limit. */
static rlim_t raise_file_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return 1024;
    if (rl.rlim_cur < rl.rlim_max) {
        rlim_t want = rl.rlim_max == RLIM_INFINITY ? 65536 : rl.rlim_max;
        struct rlimit up = {want, rl.rlim_max};
        if (setrlimit(RLIMIT_NOFILE, &up) == 0)
            rl.rlim_cur = want;
    }
    return rl.rlim_cur;
}

/* Connections at once: below the file limit, leaving room for the
 * database files of every thread (a connection each: database, WAL and
 * shared memory), attachments being written, and libmicrohttpd's own
 * descriptors (epoll and its inter-thread channel per worker). */
static unsigned connection_limit(rlim_t files, unsigned threads)
{
    rlim_t reserve = 64 + 8 * (rlim_t)threads;
    rlim_t n = files > reserve + 16 ? files - reserve : 16;
    return n > HTTP_MAX_CONNECTIONS ? HTTP_MAX_CONNECTIONS : (unsigned)n;
}

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

int http_query_date(http_req *req, const char *key, const char **out)
{
    const char *v = http_query(req, key);
    *out = v;
    if (!v)
        return ACCORD_OK;
    int rc = date_check(v, key);
    if (rc)
        return rc;
    char today[DATE_LEN + 1], last[24];
    clock_today(today);
    snprintf(last, sizeof last, "%04d-12-31", (date_year(today) + HTTP_DATE_YEARS_AHEAD) % 10000);
    if (strcmp(v, HTTP_FIRST_DATE) < 0 || strcmp(v, last) > 0)
        return accord_fail(ACCORD_EINVAL, key, "%s: %s is outside the dates this server answers for, %s to %s", key, v,
                           HTTP_FIRST_DATE, last);
    return ACCORD_OK;
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
    if (len > HTTP_MAX_ANSWER && status < 400) {
        /* No query may make the server send (or hold) more than this:
         * the handlers bound their inputs, this bounds what they missed. */
        free(text);
        json_t *err = json_pack("{s:{s:s, s:s}}", "error", "code", accord_error_name(ACCORD_ETOOBIG), "message",
                                "the answer would be over the server's limit; ask for less");
        enum MHD_Result ret = send_json(conn, 500, err, NULL, NULL);
        json_decref(err);
        return ret;
    }
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

/* 503 for a request the body budget cannot take now. */
static enum MHD_Result send_busy(struct MHD_Connection *conn)
{
    http_req busy = {.conn = conn, .retry_after = 1};
    accord_fail(ACCORD_EBUSY, NULL, "the server holds as many request bodies as it may; retry in a moment");
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
    if (cs->over_budget)
        return send_busy(conn);
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
    rc = http_refused_page(&req, route, rc);
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

/* The raw request target, before libmicrohttpd decodes it: the decoded
 * path could no longer tell an encoded "/" (%2F) from a separator, and
 * would end at an encoded NUL. Both are refused, the slash in the path
 * only. Returns the request's state, which on_completed frees. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
    (void)cls;
    (void)conn;
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
 * body is read: the URL, the route's access for a route that takes a
 * large body, and the body's size against its limit and the server's
 * budget. */
static int check_headers(struct MHD_Connection *conn, const char *method, const char *url, conn_state *cs)
{
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
    cs->max_body = HTTP_MAX_BODY;
    if (cs->route && cs->route->max_body) {
        /* A route's larger limit serves only callers it admits: access is
         * decided now, from the headers (such a route finds its party in
         * the path or the query), and again before the handler runs. */
        store *db;
        principal p;
        http_req req = {.conn = conn, .method = method, .path = url};
        memcpy(req.params, cs->params, sizeof req.params);
        client_address(conn, req.client, sizeof req.client);
        rc = thread_db(&db);
        if (!rc) {
            req.db = db;
            rc = http_authorize(&req, cs->route, &p);
        }
        json_decref(req.body_json);
        if (rc)
            return rc;
        cs->max_body = cs->route->max_body;
    }
    const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    unsigned long long announced = cl ? strtoull(cl, NULL, 10) : 0;
    if (announced > cs->max_body)
        return accord_fail(ACCORD_ETOOBIG, NULL, "the request body is over the limit of %zu bytes", cs->max_body);
    if (announced && !budget_grow(cs, (size_t)announced))
        return ACCORD_EBUSY;
    buf_init(&cs->body, cs->max_body);
    return ACCORD_OK;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    (void)cls;
    (void)version;
    conn_state *cs = *con_cls;
    if (!cs)
        return MHD_NO; /* on_uri could not allocate it */
    if (!cs->started) {
        cs->started = true;
        track_request(conn, true);
        accord_error_clear();
        int rc = check_headers(conn, method, url, cs);
        if (!rc)
            return MHD_YES;
        /* An answer queued now is sent without reading the body, and the
         * connection is closed after it. */
        cs->answered = true;
        return rc == ACCORD_EBUSY ? send_busy(conn) : send_error(conn, rc, NULL);
    }
    if (cs->answered) {
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (*upload_data_size) {
        /* Past the cap or the budget the rest is read and dropped, so the
         * client gets a clean 413 or 503 instead of a reset connection. */
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        if (cs->too_big || cs->over_budget)
            return MHD_YES;
        if (cs->body.len + n > cs->max_body)
            cs->too_big = true;
        else if (!budget_grow(cs, cs->body.len + n))
            cs->over_budget = true;
        else if (buf_append(&cs->body, upload_data, n))
            cs->too_big = true;
        if (cs->too_big || cs->over_budget)
            buf_free(&cs->body);
        return MHD_YES;
    }
    return dispatch(conn, method, url, cs);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)toe;
    conn_state *cs = *con_cls;
    if (cs) {
        if (cs->started)
            track_request(conn, false);
        buf_free(&cs->body);
        budget_give(cs->reserved);
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
    /* Limits (docs/internals/http.md): connections below the file
     * limit, set explicitly (libmicrohttpd's default is FD_SETSIZE - 4,
     * shared out between the workers, and a worker at its share stops
     * watching the listening socket); a cap per client address; an idle
     * timeout; the header deadline (the sweeper). The inter-thread channel
     * wakes every worker at once on stop, whatever it is waiting for. */
    unsigned threads = cfg->threads ? cfg->threads : 4;
    unsigned max_conns = connection_limit(raise_file_limit(), threads);
    unsigned per_address = cfg->max_per_address ? cfg->max_per_address : HTTP_MAX_PER_ADDRESS;
    body_budget = cfg->body_budget ? cfg->body_budget : HTTP_BODY_BUDGET;
    if ((rc = sweeper_start())) {
        committer_stop(writer);
        checkpointer_stop(signer);
        return rc;
    }
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG | ipflags, (uint16_t)cfg->port, NULL, NULL,
        on_request, NULL, MHD_OPTION_EXTERNAL_LOGGER, log_library, NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
        MHD_OPTION_THREAD_POOL_SIZE, threads,        MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL, MHD_OPTION_NOTIFY_CONNECTION, on_connection, NULL,
        MHD_OPTION_URI_LOG_CALLBACK, on_uri, NULL, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)HTTP_IDLE_TIMEOUT,
        MHD_OPTION_CONNECTION_LIMIT, max_conns, MHD_OPTION_PER_IP_CONNECTION_LIMIT, per_address,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(32 * 1024), MHD_OPTION_END);
    if (!d) {
        rc = accord_fail(ACCORD_EENV, NULL, "cannot listen on %s port %u: %s", cfg->address, cfg->port,
                         errno ? strerror(errno) : "address in use or not available");
        sweeper_stop();
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
    sweeper_stop();
    committer_stop(writer);
    checkpointer_stop(signer);
    writer = NULL;
    signer = NULL;
    return ACCORD_OK;
}
