/* The witness over HTTP: POST /add-checkpoint and, for monitors, GET
 * /<origin hash>/checkpoint, on libmicrohttpd. The protocol itself is
 * witness.c; this file only moves bytes. */
#include <errno.h>
#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "util/error.h"
#include "witness/witness.h"

#define ADD_CHECKPOINT "/add-checkpoint"
#define CHECKPOINT_SUFFIX "/checkpoint"
#define ORIGIN_HASH_LEN 64

/* Per-connection state across the calls MHD makes for one request. */
typedef struct conn_state {
    buf body;
    bool too_big;
} conn_state;

/* Queues the response; 405s name the one method each resource takes. */
static enum MHD_Result send_text_allow(struct MHD_Connection *conn, int status, const char *type, const char *data,
                                       size_t len, const char *allow)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *)data, MHD_RESPMEM_MUST_COPY);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
        MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, allow);
    enum MHD_Result ret = MHD_queue_response(conn, (unsigned)status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result send_text(struct MHD_Connection *conn, int status, const char *type, const char *data,
                                 size_t len)
{
    return send_text_allow(conn, status, type, data, len, "POST");
}

static enum MHD_Result send_message(struct MHD_Connection *conn, int status, const char *msg)
{
    return send_text(conn, status, "text/plain; charset=utf-8", msg, strlen(msg));
}

/* Runs add-checkpoint on the collected body and sends its reply. */
static enum MHD_Result add_checkpoint(witness *w, struct MHD_Connection *conn, const buf *body)
{
    witness_reply reply;

    accord_error_clear();
    witness_reply_init(&reply);
    int rc = witness_add_checkpoint(w, body->data ? body->data : "", body->len, &reply);
    /* The client gets "internal error"; the operator gets the cause. */
    if (rc && reply.status >= 500)
        fprintf(stderr, "accord witness: add-checkpoint: %s\n", accord_error_message());
    enum MHD_Result ret = send_text(conn, reply.status, reply.content_type, reply.body.data ? reply.body.data : "",
                                    reply.body.len);
    witness_reply_free(&reply);
    return ret;
}

/* The origin hash of a "/<64 lowercase hex>/checkpoint" path into 'hash'
 * (NUL-terminated), or false for any other path. */
static bool checkpoint_path(const char *url, char hash[ORIGIN_HASH_LEN + 1])
{
    if (strlen(url) != 1 + ORIGIN_HASH_LEN + strlen(CHECKPOINT_SUFFIX) || url[0] != '/' ||
        strcmp(url + 1 + ORIGIN_HASH_LEN, CHECKPOINT_SUFFIX) != 0)
        return false;
    for (size_t i = 0; i < ORIGIN_HASH_LEN; i++) {
        char c = url[1 + i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
        hash[i] = c;
    }
    hash[ORIGIN_HASH_LEN] = '\0';
    return true;
}

/* GET /<origin hash>/checkpoint: the latest cosigned checkpoint. */
static enum MHD_Result get_checkpoint(witness *w, struct MHD_Connection *conn, const char *method,
                                      const char *hash)
{
    buf note;

    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
        return send_text_allow(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain; charset=utf-8",
                               "checkpoints take GET only\n", strlen("checkpoints take GET only\n"), "GET, HEAD");
    accord_error_clear();
    buf_init(&note, (size_t)1 << 20);
    int rc = witness_checkpoint(w, hash, &note);
    enum MHD_Result ret;
    if (rc == ACCORD_ENOTFOUND)
        ret = send_message(conn, MHD_HTTP_NOT_FOUND, "this witness has cosigned no checkpoint for that origin\n");
    else if (rc)
        ret = send_message(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal error\n");
    else
        ret = send_text(conn, MHD_HTTP_OK, "text/plain; charset=utf-8", note.data, note.len);
    buf_free(&note);
    return ret;
}

/* Routes one complete request: add-checkpoint, and the checkpoints for
 * monitors. */
static enum MHD_Result dispatch(witness *w, struct MHD_Connection *conn, const char *method, const char *url,
                                const conn_state *cs)
{
    char hash[ORIGIN_HASH_LEN + 1];

    if (checkpoint_path(url, hash))
        return get_checkpoint(w, conn, method, hash);
    if (strcmp(url, ADD_CHECKPOINT) != 0)
        return send_message(conn, MHD_HTTP_NOT_FOUND, "not found: this witness serves POST " ADD_CHECKPOINT
                             " and GET /<origin hash>/checkpoint\n");
    if (strcmp(method, "POST") != 0)
        return send_message(conn, MHD_HTTP_METHOD_NOT_ALLOWED, ADD_CHECKPOINT " takes POST only\n");
    if (cs->too_big)
        return send_message(conn, MHD_HTTP_CONTENT_TOO_LARGE, "the request body is over 65536 bytes\n");
    return add_checkpoint(w, conn, &cs->body);
}

/* MHD calls this once with the headers, then per body chunk, then once
 * more with no data when the body is complete. */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    (void)version;
    conn_state *cs = *con_cls;
    if (!cs) {
        cs = calloc(1, sizeof *cs);
        if (!cs)
            return MHD_NO;
        buf_init(&cs->body, WITNESS_MAX_BODY);
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
    return dispatch(cls, conn, method, url, cs);
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
    struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;

    memset(ss, 0, sizeof *ss);
    *flags = 0;
    if (inet_pton(AF_INET, address, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons((uint16_t)port);
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

/* The daemon: epoll with a pool of cfg->threads threads, each request
 * handled on one of them. */
static struct MHD_Daemon *start_daemon(witness *w, const witness_http_config *cfg, struct sockaddr_storage *ss,
                                       unsigned ipflags)
{
    return MHD_start_daemon(MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG | ipflags, (uint16_t)cfg->port, NULL,
                            NULL, on_request, w, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)ss,
                            MHD_OPTION_THREAD_POOL_SIZE, (unsigned)(cfg->threads ? cfg->threads : 4),
                            MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL, MHD_OPTION_CONNECTION_TIMEOUT,
                            (unsigned)30, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(128 * 1024), MHD_OPTION_END);
}

int witness_serve(witness *w, const witness_http_config *cfg)
{
    struct sockaddr_storage ss;
    unsigned ipflags;
    sigset_t stop, old;
    int rc, sig;

    if ((rc = bind_address(cfg->address, cfg->port, &ss, &ipflags)))
        return rc;
    /* Blocked before the pool starts, so its threads inherit the mask and
     * SIGINT/SIGTERM can only reach sigwait() below: a signal handled by
     * a worker would never wake this thread. */
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, &old);
    signal(SIGPIPE, SIG_IGN);
    struct MHD_Daemon *d = start_daemon(w, cfg, &ss, ipflags);
    if (!d) {
        int e = errno;
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        return accord_fail(ACCORD_EENV, NULL, "cannot listen on %s port %u: %s", cfg->address, cfg->port,
                           e ? strerror(e) : "address in use or not available");
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    if (cfg->on_ready)
        cfg->on_ready(info ? info->port : cfg->port, cfg->on_ready_arg);
    while (sigwait(&stop, &sig) != 0)
        ;
    MHD_stop_daemon(d);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return ACCORD_OK;
}
