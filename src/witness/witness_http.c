/* The witness over HTTP: POST /add-checkpoint on the HTTP skeleton
 * (src/httpd/), which gives it the same limits as the API server. The
 * protocol itself is witness.c; this file only moves bytes. */
#include <microhttpd.h>
#include <stdio.h>
#include <string.h>

#include "httpd/httpd.h"
#include "util/error.h"
#include "witness/witness.h"

#define ADD_CHECKPOINT "/add-checkpoint"

/* Queues the response; 405s name the one method there is, 503s when to
 * retry. */
static enum MHD_Result send_text(struct MHD_Connection *conn, int status, const char *type, const char *data,
                                 size_t len)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *)data, MHD_RESPMEM_MUST_COPY);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
        MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "POST");
    if (status == MHD_HTTP_SERVICE_UNAVAILABLE)
        MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, "1");
    enum MHD_Result ret = MHD_queue_response(conn, (unsigned)status, r);
    MHD_destroy_response(r);
    return ret;
}

/* There is one resource: other paths and methods are refused from the
 * headers, before any body is read. */
static int check_headers(void *cls, struct MHD_Connection *conn, const char *method, const char *url, void *state,
                         size_t *max_body)
{
    (void)cls;
    (void)conn;
    (void)state;
    if (strcmp(url, ADD_CHECKPOINT) != 0)
        return accord_fail(ACCORD_ENOTFOUND, NULL, "not found: this witness serves POST " ADD_CHECKPOINT);
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

/* Runs add-checkpoint on the collected body and sends its reply. */
static enum MHD_Result add_checkpoint(void *cls, struct MHD_Connection *conn, const char *method, const char *url,
                                      const buf *body, void *state)
{
    (void)method;
    (void)url;
    (void)state;
    witness *w = cls;
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

int witness_serve(witness *w, const witness_http_config *cfg)
{
    httpd_config hc = {
        .address = cfg->address,
        .port = cfg->port,
        .threads = cfg->threads,
        .max_per_address = cfg->max_per_address,
        .max_body = WITNESS_MAX_BODY,
        .log_prefix = "accord witness: http",
        .app = {.headers = check_headers, .refuse = refuse, .answer = add_checkpoint, .cls = w},
        .on_ready = cfg->on_ready,
        .on_ready_arg = cfg->on_ready_arg,
    };
    return httpd_serve(&hc);
}
