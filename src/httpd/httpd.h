/* The HTTP skeleton every accord server stands on: a libmicrohttpd daemon
 * (epoll, a pool of worker threads) with the limits any client meets, the
 * collection of request bodies under a cap and a server-wide budget, the
 * bind address, and the stop signals. The API server (src/http/) and the
 * witness (src/witness/) bring only what they answer.
 *
 * A request goes through the application's callbacks in this order:
 *   begin    the request line has arrived; the raw target, not yet decoded
 *   headers  the headers are complete; may refuse, or set the body's cap
 *   refuse   a refusal: from 'headers', past the cap, or past the budget
 *   answer   the whole body has arrived (never after a refusal)
 *   end      the request is over, whatever happened: frees the state
 * See docs/internals/httpd.md. */
#ifndef ACCORD_HTTPD_HTTPD_H
#define ACCORD_HTTPD_HTTPD_H

#include <microhttpd.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"

/* Limits (docs/internals/httpd.md, "Limits"). */
#define HTTPD_HEADER_DEADLINE 5     /* s from connecting, or from the last answer, to a request's complete headers */
#define HTTPD_IDLE_TIMEOUT 10       /* s without any byte in or out while a request is under way */
#define HTTPD_MAX_PER_ADDRESS 256   /* default connections held at once for one client address */
#define HTTPD_MAX_CONNECTIONS 16384 /* connections at once, at most; fewer when open files are scarce */
#define HTTPD_BODY_BUDGET (64 * 1024 * 1024) /* default bytes of request bodies held at once, all requests together */
#define HTTPD_MAX_BODY (64 * 1024)  /* default cap of one request's body */
#define HTTPD_CONNECTION_MEMORY (32 * 1024) /* request line, headers and libmicrohttpd's bookkeeping, per connection */

/* What an application answers. 'cls' is httpd_app.cls; 'state' is what
 * 'begin' returned (NULL when there is no 'begin'). */
typedef struct httpd_app {
    /* Optional. Makes the request's state from the raw target 'uri' (which
     * may be NULL), before libmicrohttpd decodes it. Returning NULL when
     * 'begin' is set means out of memory: the connection is closed. */
    void *(*begin)(void *cls, const char *uri);
    /* Optional. The headers are complete: returns 0 to read the body, with
     * '*max_body' (preset to the server's default) the cap of this one;
     * or a negative ACCORD_* code after accord_fail(), and 'refuse' answers
     * at once without reading the body. */
    int (*headers)(void *cls, struct MHD_Connection *conn, const char *method, const char *url, void *state,
                   size_t *max_body);
    /* Answers a refused request: the code 'headers' returned, or
     * ACCORD_ETOOBIG (past the cap) or ACCORD_EBUSY (past the budget: the
     * answer should say when to retry); accord_error_message() says why. */
    enum MHD_Result (*refuse)(void *cls, struct MHD_Connection *conn, int code, void *state);
    /* Answers the request whose whole 'body' has arrived ('body->data' is
     * NUL-terminated, NULL when there was none; borrowed until 'end'). */
    enum MHD_Result (*answer)(void *cls, struct MHD_Connection *conn, const char *method, const char *url,
                              const buf *body, void *state);
    /* Optional. Frees 'state'. */
    void (*end)(void *cls, void *state);
    void *cls;
} httpd_app;

/* Sets the request of 'conn' aside from 'answer', which then returns
 * MHD_YES without queueing a response: the thread goes on with other
 * connections. Once httpd_resume() is called (from any thread),
 * libmicrohttpd calls 'answer' again for the same request (same 'state'
 * and body), and that call answers. A request set aside meets no idle
 * timeout; httpd_stop() waits until every one is resumed. Returns false,
 * setting nothing aside, while a daemon stops: 'answer' then answers on
 * its thread. */
bool httpd_suspend(struct MHD_Connection *conn);

/* Resumes a request set aside with httpd_suspend(); exactly once, the
 * last thing the caller does with 'conn'. */
void httpd_resume(struct MHD_Connection *conn);

typedef struct httpd_config {
    const char *address;      /* IPv4 or IPv6 literal to bind, e.g. "127.0.0.1" */
    unsigned port;            /* 0 picks a free port */
    unsigned threads;         /* worker threads in the pool; 0: 4 */
    unsigned max_per_address; /* connections at once from one client address; 0: HTTPD_MAX_PER_ADDRESS */
    size_t body_budget;       /* bytes of request bodies held at once; 0: HTTPD_BODY_BUDGET */
    size_t max_body;          /* a request body's cap unless 'headers' sets another; 0: HTTPD_MAX_BODY */
    const char *log_prefix;   /* before the library's messages on stderr, e.g. "accord: http" */
    httpd_app app;
    /* Called by httpd_serve() once the server listens, with its port. */
    void (*on_ready)(unsigned port, void *arg);
    void *on_ready_arg;
} httpd_config;

typedef struct httpd httpd;

/* Listens and starts serving 'cfg' (copied; 'app.cls' is borrowed until
 * httpd_stop) in '*out', which the caller stops with httpd_stop(). Raises
 * the soft open-file limit to the hard one. Fails ACCORD_EINVAL (not an
 * address literal) or ACCORD_EENV (cannot listen or start a thread). */
int httpd_start(httpd **out, const httpd_config *cfg);

/* The port 'd' listens on. */
unsigned httpd_port(const httpd *d);

/* Stops 'd' and frees it: no new connection is taken, the requests set
 * aside (httpd_suspend) are let finish, then the open connections are
 * closed at once (well under a second with a thousand) and requests
 * under way are cut short. */
void httpd_stop(httpd *d);

/* Blocks SIGINT and SIGTERM in the calling thread and ignores SIGPIPE;
 * the mask it replaced goes to '*old' (may be NULL). Call it before
 * starting any thread, so every thread inherits the mask and a stop
 * signal reaches only httpd_wait_for_stop(). */
void httpd_block_stop_signals(sigset_t *old);

/* Waits for SIGINT or SIGTERM (blocked with httpd_block_stop_signals). */
void httpd_wait_for_stop(void);

/* Serves 'cfg' until SIGINT or SIGTERM: blocks them (restoring the mask
 * on return), starts, calls cfg->on_ready, waits, stops. Fails as
 * httpd_start. */
int httpd_serve(const httpd_config *cfg);

#endif
