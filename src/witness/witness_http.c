/* The witness over HTTP: POST /add-checkpoint and, for monitors, GET
 * /<origin hash>/checkpoint, on the HTTP skeleton (src/httpd/), which
 * gives it the same limits as the API server. The protocol itself is
 * witness.c; this file only moves bytes. */
#include <microhttpd.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "httpd/httpd.h"
#include "util/error.h"
#include "witness/witness.h"

#define ADD_CHECKPOINT "/add-checkpoint"
#define CHECKPOINT_SUFFIX "/checkpoint"
#define ORIGIN_HASH_LEN 64

/* Queues the response; 405s name the methods the resource takes
 * ('allow'), 503s when to retry. */
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
    if (status == MHD_HTTP_SERVICE_UNAVAILABLE)
        MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, "1");
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

/* Two resources: add-checkpoint, and the checkpoints for monitors (whose
 * methods get_checkpoint checks). Other paths, and add-checkpoint with
 * another method, are refused from the headers, before any body is read. */
static int check_headers(void *cls, struct MHD_Connection *conn, const char *method, const char *url, void *state,
                         size_t *max_body)
{
    (void)cls;
    (void)conn;
    (void)state;
    char hash[ORIGIN_HASH_LEN + 1];
    if (checkpoint_path(url, hash))
        return ACCORD_OK;
    if (strcmp(url, ADD_CHECKPOINT) != 0)
        return accord_fail(ACCORD_ENOTFOUND, NULL,
                           "not found: this witness serves POST " ADD_CHECKPOINT " and GET /<origin hash>/checkpoint");
    if (strcmp(method, "POST") != 0)
        return accord_fail(ACCORD_EMETHOD, NULL, ADD_CHECKPOINT " takes POST only");
    *max_body = WITNESS_MAX_BODY;
    return ACCORD_OK;
}

/* A refusal as one line of text: 404, 405, 413, or 503 when the server
 * holds as many bodies as it may. */
static enum MHD_Result refuse(void *cls, struct MHD_Connection *conn, int code, void *state)
{
    (void)cls;
    (void)state;
    char line[512];
    int n = snprintf(line, sizeof line, "%s\n", accord_error_message());
    return send_text(conn, accord_error_http_status(code), "text/plain; charset=utf-8", line,
                     n < 0 ? 0 : (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
}

/* Runs add-checkpoint on the collected body and sends its reply, or
 * answers a monitor's checkpoint request. */
static enum MHD_Result answer(void *cls, struct MHD_Connection *conn, const char *method, const char *url,
                              const buf *body, void *state)
{
    (void)state;
    witness *w = cls;
    witness_reply reply;
    char hash[ORIGIN_HASH_LEN + 1];
    if (checkpoint_path(url, hash))
        return get_checkpoint(w, conn, method, hash);

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

int witness_serve(witness *w, const witness_http_config *cfg)
{
    httpd_config hc = {
        .address = cfg->address,
        .port = cfg->port,
        .threads = cfg->threads,
        .max_per_address = cfg->max_per_address,
        .max_body = WITNESS_MAX_BODY,
        .log_prefix = "accord witness: http",
        .app = {.headers = check_headers, .refuse = refuse, .answer = answer, .cls = w},
        .on_ready = cfg->on_ready,
        .on_ready_arg = cfg->on_ready_arg,
    };
    return httpd_serve(&hc);
}
