/* Inside the http module: what the server (server.c) hands the request
 * accessors (request.c) when it starts. Only src/http/ includes this. */
#ifndef ACCORD_HTTP_HTTP_INT_H
#define ACCORD_HTTP_HTTP_INT_H

#include <stdbool.h>

#include "auth/auth.h"
#include "events/committer.h"
#include "http/http.h"

/* The group committer that http_submit_event() and http_run_writes() use
 * (borrowed until the server stops; NULL then), and whether session
 * cookies are marked Secure (http_secure_cookies). */
void http_requests_setup(committer *writer, bool secure_cookies);

/* 'v' as the server sends JSON: indented, in order, with a final newline
 * (json_write_indented), into 'out', which this initializes with a cap of
 * HTTP_MAX_ANSWER and the newline, and the caller frees. Fails
 * ACCORD_ETOOBIG past it. */
int http_json_text(const json_t *v, buf *out);

/* A request set aside while its event waits for the group commit
 * (http_submit_event_then), in the server's per-request state. */
typedef struct http_later {
    struct MHD_Connection *conn;
    bool waiting;         /* set aside; the pipeline answers through 'then' when resumed */
    committer_job *job;   /* the event submitted, or NULL when submitting failed */
    http_then then;
    json_t *data;         /* the event's data: a reference, released once answered */
    principal who;        /* the caller, copied: the event's actor points into it */
    int rc;               /* why submitting failed, with its message and field */
    char message[256], field[64];
} http_later;

/* The outcome of the event of 'l' once resumed, as http_submit_event()
 * returns it; releases what 'l' holds. */
int http_later_outcome(http_later *l, uint64_t *seq);

#endif
