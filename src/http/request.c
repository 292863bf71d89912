/* What a handler may ask of its request and of the server: query
 * parameters, the JSON body, and the writer its changes go through. The
 * pipeline (server.c) calls the handlers through the route table
 * (routes.c); the handlers call here, so the arrows run one way. */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <microhttpd.h>

#include "http/http.h"
#include "http/http_int.h"
#include "httpd/httpd.h"
#include "util/clock.h"
#include "util/date.h"
#include "util/error.h"
#include "util/json.h"

static committer *writer;
static bool secure_cookies;

void http_requests_setup(committer *w, bool secure)
{
    writer = w;
    secure_cookies = secure;
}

bool http_secure_cookies(void) { return secure_cookies; }

int http_submit_event(http_req *req, const char *type, json_t *data, uint64_t *out_seq)
{
    return committer_submit(writer, &req->who->who, type, data, out_seq);
}

/* The writer thread's call once a set-aside request's event is done. */
static void resume_later(void *arg)
{
    http_later *l = arg;
    httpd_resume(l->conn);
}

int http_submit_event_then(http_req *req, const char *type, json_t *data, http_then then)
{
    http_later *l = req->later;
    /* Set aside before the event is queued, so that the writer can only
     * resume a request already suspended. */
    if (!l || l->waiting || !req->who || !httpd_suspend(req->conn)) {
        uint64_t seq = 0;
        int rc = http_submit_event(req, type, data, &seq);
        return then(req, rc, seq);
    }
    *l = (http_later){.conn = req->conn, .waiting = true, .then = then, .data = json_incref(data), .who = *req->who};
    l->who.who.id = l->who.id;
    l->who.who.role = l->who.role;
    int rc = committer_submit_then(writer, &l->who.who, type, l->data, resume_later, l, &l->job);
    if (rc) {
        /* Answered at once, through the same way back. */
        l->rc = rc;
        snprintf(l->message, sizeof l->message, "%s", accord_error_message());
        snprintf(l->field, sizeof l->field, "%s", accord_error_field() ? accord_error_field() : "");
        httpd_resume(l->conn);
    }
    return ACCORD_OK;
}

int http_later_outcome(http_later *l, uint64_t *seq)
{
    int rc = l->job ? committer_job_outcome(l->job, seq)
                    : accord_fail(l->rc, l->field[0] ? l->field : NULL, "%s", l->message);
    l->job = NULL;
    l->waiting = false;
    json_decref(l->data);
    l->data = NULL;
    return rc;
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
