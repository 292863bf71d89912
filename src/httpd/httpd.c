/* The daemon, one request's way through it, and the body budget. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "httpd/httpd.h"
#include "httpd/httpd_int.h"
#include "util/error.h"

struct httpd {
    httpd_config cfg;
    struct MHD_Daemon *daemon;
    httpd_sweeper sweeper;
    /* Request bodies held at once, all connections together, and the most
     * they may be: a request whose body would pass it is refused EBUSY. */
    _Atomic size_t body_held;
    size_t body_budget;
    /* libmicrohttpd's messages: when the last was printed, how many since. */
    pthread_mutex_t log_lock;
    double log_last;
    unsigned long log_dropped;
};

/* One request, across the calls libmicrohttpd makes for it. Made when the
 * request line arrives (on_uri), freed in on_completed. */
typedef struct request {
    void *state;  /* the application's */
    bool started; /* the headers have arrived and were checked */
    bool refused; /* answered from the headers; the body is not read */
    buf body;
    size_t max_body; /* this request's cap */
    size_t reserved; /* bytes of the body budget this request holds */
    bool too_big;
    bool over_budget;
} request;

/* ---- the body budget ----------------------------------------------------- */

static bool budget_take(httpd *d, size_t n)
{
    size_t held = atomic_load(&d->body_held);
    do {
        if (n > d->body_budget || held > d->body_budget - n)
            return false;
    } while (!atomic_compare_exchange_weak(&d->body_held, &held, held + n));
    return true;
}

static void budget_give(httpd *d, size_t n) { atomic_fetch_sub(&d->body_held, n); }

/* Makes request 'r' hold at least 'need' bytes of the budget, taking it
 * in steps of at least 64 KiB and never past the request's cap. */
static bool budget_grow(httpd *d, request *r, size_t need)
{
    if (need <= r->reserved)
        return true;
    size_t step = 64 * 1024, want = need - r->reserved;
    if (want < step)
        want = step;
    if (r->reserved + want > r->max_body)
        want = r->max_body - r->reserved;
    if (want < need - r->reserved || !budget_take(d, want))
        return false;
    r->reserved += want;
    return true;
}

/* ---- requests set aside --------------------------------------------------- */

/* Requests suspended and not yet resumed, in every daemon of the
 * process: httpd_stop() waits for them (libmicrohttpd may not be stopped
 * with a connection suspended, and whoever resumes it still holds it).
 * While a daemon stops, no request is set aside: a request that arrives
 * on a connection kept alive meanwhile waits on its thread, which the
 * stop joins. The count is raised before the flag is read, and the stop
 * sets the flag before it reads the count, so one of the two always sees
 * the other. */
static atomic_size_t suspended;
static atomic_uint stopping;

bool httpd_suspend(struct MHD_Connection *conn)
{
    atomic_fetch_add(&suspended, 1);
    if (atomic_load(&stopping)) {
        atomic_fetch_sub(&suspended, 1);
        return false;
    }
    MHD_suspend_connection(conn);
    return true;
}

void httpd_resume(struct MHD_Connection *conn)
{
    /* Counted off here, not when 'answer' runs again: the daemon must
     * not stop between the two, and resuming is the last thing its
     * caller does with the connection. */
    MHD_resume_connection(conn);
    atomic_fetch_sub(&suspended, 1);
}

/* ---- one request --------------------------------------------------------- */

static int fail_too_big(const request *r)
{
    return accord_fail(ACCORD_ETOOBIG, NULL, "the request body is over the limit of %zu bytes", r->max_body);
}

static int fail_busy(void)
{
    return accord_fail(ACCORD_EBUSY, NULL, "the server holds as many request bodies as it may; retry in a moment");
}

/* The raw request target, before libmicrohttpd decodes it: the request's
 * record, and the application's state made from the target. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
    (void)conn;
    httpd *d = cls;
    request *r = calloc(1, sizeof *r);
    if (r && d->cfg.app.begin && !(r->state = d->cfg.app.begin(d->cfg.app.cls, uri))) {
        free(r);
        r = NULL;
    }
    return r;
}

/* The headers are complete: the application's checks and the body's cap,
 * then the announced length against the cap and the budget. */
static int check_headers(httpd *d, struct MHD_Connection *conn, const char *method, const char *url, request *r)
{
    r->max_body = d->cfg.max_body;
    if (d->cfg.app.headers) {
        int rc = d->cfg.app.headers(d->cfg.app.cls, conn, method, url, r->state, &r->max_body);
        if (rc)
            return rc;
    }
    const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    unsigned long long announced = cl ? strtoull(cl, NULL, 10) : 0;
    if (announced > r->max_body)
        return fail_too_big(r);
    if (announced && !budget_grow(d, r, (size_t)announced))
        return fail_busy();
    buf_init(&r->body, r->max_body);
    return ACCORD_OK;
}

/* Collects 'n' bytes of body. Past the cap or the budget the rest is read
 * and dropped, so the client gets a clean refusal instead of a reset
 * connection. */
static void collect(httpd *d, request *r, const char *data, size_t n)
{
    if (r->too_big || r->over_budget)
        return;
    if (r->body.len + n > r->max_body)
        r->too_big = true;
    else if (!budget_grow(d, r, r->body.len + n))
        r->over_budget = true;
    else if (buf_append(&r->body, data, n))
        r->too_big = true;
    if (r->too_big || r->over_budget)
        buf_free(&r->body);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    (void)version;
    httpd *d = cls;
    request *r = *con_cls;
    if (!r)
        return MHD_NO; /* on_uri could not allocate it */
    if (!r->started) {
        r->started = true;
        httpd__track_request(&d->sweeper, conn, true);
        accord_error_clear();
        int rc = check_headers(d, conn, method, url, r);
        if (!rc)
            return MHD_YES;
        /* An answer queued now is sent without reading the body, and the
         * connection is closed after it. */
        r->refused = true;
        return d->cfg.app.refuse(d->cfg.app.cls, conn, rc, r->state);
    }
    if (r->refused) {
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (*upload_data_size) {
        collect(d, r, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return MHD_YES;
    }
    accord_error_clear();
    if (r->too_big || r->over_budget) {
        int rc = r->too_big ? fail_too_big(r) : fail_busy();
        return d->cfg.app.refuse(d->cfg.app.cls, conn, rc, r->state);
    }
    return d->cfg.app.answer(d->cfg.app.cls, conn, method, url, &r->body, r->state);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode toe)
{
    (void)toe;
    httpd *d = cls;
    request *r = *con_cls;
    if (!r)
        return;
    if (r->started)
        httpd__track_request(&d->sweeper, conn, false);
    if (d->cfg.app.end)
        d->cfg.app.end(d->cfg.app.cls, r->state);
    buf_free(&r->body);
    budget_give(d, r->reserved);
    free(r);
    *con_cls = NULL;
}

/* libmicrohttpd's own messages (a refused connection, a client gone
 * mid-request), at most one a second: each is caused by a client, and
 * thousands of hostile connections a second must not fill the operator's
 * logs. The count of those left out is printed with the next one. */
static void log_library(void *cls, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
static void log_library(void *cls, const char *fmt, va_list ap)
{
    httpd *d = cls;
    pthread_mutex_lock(&d->log_lock);
    double now = httpd__mono_now();
    if (now - d->log_last < 1.0) {
        d->log_dropped++;
        pthread_mutex_unlock(&d->log_lock);
        return;
    }
    d->log_last = now;
    char line[512];
    vsnprintf(line, sizeof line, fmt, ap);
    line[strcspn(line, "\n")] = '\0';
    if (d->log_dropped)
        fprintf(stderr, "%s: %s (%lu more such messages left out)\n", d->cfg.log_prefix, line, d->log_dropped);
    else
        fprintf(stderr, "%s: %s\n", d->cfg.log_prefix, line);
    d->log_dropped = 0;
    pthread_mutex_unlock(&d->log_lock);
}

/* ---- the daemon ---------------------------------------------------------- */

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

/* Connections at once: below the file limit, leaving room for what the
 * application keeps open per thread (the API server: a database, its WAL
 * and shared memory), files being written, and libmicrohttpd's own
 * descriptors (epoll and its inter-thread channel per worker). */
static unsigned connection_limit(rlim_t files, unsigned threads)
{
    rlim_t reserve = 64 + 8 * (rlim_t)threads;
    rlim_t n = files > reserve + 16 ? files - reserve : 16;
    return n > HTTPD_MAX_CONNECTIONS ? HTTPD_MAX_CONNECTIONS : (unsigned)n;
}

/* Resolves the bind address into 'ss', and the flag it needs. */
static int bind_address(const char *address, unsigned port, struct sockaddr_storage *ss, unsigned *flags)
{
    struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;
    memset(ss, 0, sizeof *ss);
    *flags = 0;
    if (address && inet_pton(AF_INET, address, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons((uint16_t)port);
        return ACCORD_OK;
    }
    if (address && inet_pton(AF_INET6, address, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)port);
        *flags = MHD_USE_IPv6;
        return ACCORD_OK;
    }
    return accord_fail(ACCORD_EINVAL, "address", "'%s' is not an IPv4 or IPv6 address", address ? address : "");
}

/* Limits (docs/internals/httpd.md): connections below the file limit,
 * set explicitly (libmicrohttpd's default is FD_SETSIZE - 4, shared out
 * between the workers, and a worker at its share stops watching the
 * listening socket); a cap per client address; an idle timeout; the
 * header deadline (the sweeper). The inter-thread channel (MHD_USE_ITC)
 * wakes every worker at once on stop, whatever it is waiting for. */
static struct MHD_Daemon *start_daemon(httpd *d, const struct sockaddr_storage *ss, unsigned ipflags)
{
    unsigned threads = d->cfg.threads;
    unsigned max_conns = connection_limit(raise_file_limit(), threads);
    return MHD_start_daemon(
        MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG | ipflags,
        (uint16_t)d->cfg.port, NULL, NULL,
        on_request, d, MHD_OPTION_EXTERNAL_LOGGER, log_library, d, MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)ss,
        MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_NOTIFY_COMPLETED, on_completed, d,
        MHD_OPTION_NOTIFY_CONNECTION, httpd__on_connection, &d->sweeper, MHD_OPTION_URI_LOG_CALLBACK, on_uri, d,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)HTTPD_IDLE_TIMEOUT, MHD_OPTION_CONNECTION_LIMIT, max_conns,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, d->cfg.max_per_address, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        (size_t)HTTPD_CONNECTION_MEMORY, MHD_OPTION_END);
}

int httpd_start(httpd **out, const httpd_config *cfg)
{
    struct sockaddr_storage ss;
    unsigned ipflags;
    int rc = bind_address(cfg->address, cfg->port, &ss, &ipflags);
    if (rc)
        return rc;
    httpd *d = calloc(1, sizeof *d);
    if (!d)
        return accord_fail(ACCORD_ENOMEM, NULL, "out of memory");
    d->cfg = *cfg;
    if (!d->cfg.threads)
        d->cfg.threads = 4;
    if (!d->cfg.max_per_address)
        d->cfg.max_per_address = HTTPD_MAX_PER_ADDRESS;
    if (!d->cfg.max_body)
        d->cfg.max_body = HTTPD_MAX_BODY;
    if (!d->cfg.log_prefix)
        d->cfg.log_prefix = "accord: http";
    d->body_budget = cfg->body_budget ? cfg->body_budget : HTTPD_BODY_BUDGET;
    d->log_last = -1e9;
    pthread_mutex_init(&d->log_lock, NULL);
    if ((rc = httpd__sweeper_start(&d->sweeper)))
        goto fail;
    errno = 0;
    if (!(d->daemon = start_daemon(d, &ss, ipflags))) {
        int e = errno;
        httpd__sweeper_stop(&d->sweeper);
        rc = accord_fail(ACCORD_EENV, NULL, "cannot listen on %s port %u: %s", cfg->address, cfg->port,
                         e ? strerror(e) : "address in use or not available");
        goto fail;
    }
    *out = d;
    return ACCORD_OK;
fail:
    pthread_mutex_destroy(&d->log_lock);
    free(d);
    return rc;
}

unsigned httpd_port(const httpd *d)
{
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d->daemon, MHD_DAEMON_INFO_BIND_PORT);
    return info ? info->port : d->cfg.port;
}

void httpd_stop(httpd *d)
{
    if (!d)
        return;
    /* No new connection, and the requests set aside are answered first:
     * their writes are committing and will resume them. */
    MHD_socket listener = MHD_quiesce_daemon(d->daemon);
    atomic_fetch_add(&stopping, 1);
    while (atomic_load(&suspended))
        nanosleep(&(struct timespec){0, 1000 * 1000}, NULL);
    MHD_stop_daemon(d->daemon);
    atomic_fetch_sub(&stopping, 1);
    if (listener != MHD_INVALID_SOCKET)
        close(listener);
    httpd__sweeper_stop(&d->sweeper);
    pthread_mutex_destroy(&d->log_lock);
    free(d);
}

void httpd_block_stop_signals(sigset_t *old)
{
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, old);
    signal(SIGPIPE, SIG_IGN);
}

void httpd_wait_for_stop(void)
{
    sigset_t stop;
    int sig;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    while (sigwait(&stop, &sig) != 0)
        ;
}

int httpd_serve(const httpd_config *cfg)
{
    sigset_t old;
    httpd *d;
    httpd_block_stop_signals(&old);
    int rc = httpd_start(&d, cfg);
    if (!rc) {
        if (cfg->on_ready)
            cfg->on_ready(httpd_port(d), cfg->on_ready_arg);
        httpd_wait_for_stop();
        httpd_stop(d);
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return rc;
}
