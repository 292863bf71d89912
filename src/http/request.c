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
#include "web/web.h"

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

/* ---- posted forms ----------------------------------------------------------- */

#define FORM_URLENCODED "application/x-www-form-urlencoded"
#define FORM_MULTIPART "multipart/form-data"
#define FORM_FIELD_MAX (256 * 1024) /* bytes of one text field */

typedef struct form_reader {
    json_t *fields;
    http_form_file *file;
    size_t file_cap;
    char key[128]; /* the text field being read */
    buf value;
    int rc;
} form_reader;

/* Ends the text field being read into the object. */
static void form_field_end(form_reader *fr)
{
    if (!fr->key[0])
        return;
    size_t len = 0;
    if (fr->value.len && buf_append(&fr->value, "", 1) == ACCORD_OK) /* room for the NUL */
        len = web_form_newlines(fr->value.data, fr->value.len - 1);
    json_object_set_new(fr->fields, fr->key, json_stringn(len ? fr->value.data : "", len));
    fr->key[0] = '\0';
    fr->value.len = 0;
}

/* libmicrohttpd's post processor calls this for each piece of each part. */
static enum MHD_Result form_piece(void *cls, enum MHD_ValueKind kind, const char *key, const char *filename,
                                  const char *content_type, const char *transfer_encoding, const char *data,
                                  uint64_t off, size_t size)
{
    form_reader *fr = cls;
    (void)kind, (void)content_type, (void)transfer_encoding;
    if (fr->rc)
        return MHD_NO;
    if (filename && fr->file) {
        form_field_end(fr);
        http_form_file *f = fr->file;
        if (!f->given) {
            f->given = true;
            snprintf(f->field, sizeof f->field, "%s", key);
            snprintf(f->name, sizeof f->name, "%s", filename);
            buf_init(&f->bytes, fr->file_cap);
        } else if (strcmp(f->field, key) != 0 || off == 0)
            return MHD_YES; /* a second file: not read */
        if (size && (fr->rc = buf_append(&f->bytes, data, size)))
            accord_fail(ACCORD_ETOOBIG, key, "%s: the file is larger than %zu bytes", key, fr->file_cap);
        return fr->rc ? MHD_NO : MHD_YES;
    }
    if (filename)
        return MHD_YES;
    if (off == 0 || strcmp(fr->key, key) != 0) {
        form_field_end(fr);
        snprintf(fr->key, sizeof fr->key, "%s", key);
    }
    if (fr->value.len + size > FORM_FIELD_MAX)
        fr->rc = accord_fail(ACCORD_ETOOBIG, key, "%s: more than %d bytes", key, FORM_FIELD_MAX);
    else if (size)
        fr->rc = buf_append(&fr->value, data, size);
    return fr->rc ? MHD_NO : MHD_YES;
}

static int read_multipart(http_req *req, json_t **fields, http_form_file *file, size_t file_cap)
{
    form_reader fr = {.fields = json_object(), .file = file, .file_cap = file_cap};
    buf_init(&fr.value, FORM_FIELD_MAX + 1); /* and its NUL */
    struct MHD_PostProcessor *pp = MHD_create_post_processor(req->conn, 64 * 1024, form_piece, &fr);
    if (!pp)
        fr.rc = accord_fail(ACCORD_EINVAL, NULL, "the multipart form has no boundary");
    else {
        if (req->body_len && MHD_post_process(pp, req->body, req->body_len) != MHD_YES && !fr.rc)
            fr.rc = accord_fail(ACCORD_EINVAL, NULL, "the multipart form is malformed");
        if (MHD_destroy_post_processor(pp) != MHD_YES && !fr.rc)
            fr.rc = accord_fail(ACCORD_EINVAL, NULL, "the multipart form ends early");
    }
    form_field_end(&fr);
    buf_free(&fr.value);
    if (fr.rc) {
        json_decref(fr.fields);
        if (file && file->given)
            buf_free(&file->bytes);
        if (file)
            file->given = false;
        return fr.rc;
    }
    *fields = fr.fields;
    return ACCORD_OK;
}

int http_read_form(http_req *req, json_t **fields, http_form_file *file, size_t file_cap)
{
    const char *type = req->conn ? MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE)
                                 : NULL;
    *fields = NULL;
    if (file)
        memset(file, 0, sizeof *file);
    if (type && strncasecmp(type, FORM_URLENCODED, strlen(FORM_URLENCODED)) == 0)
        return web_form_parse(req->body ? req->body : "", req->body ? req->body_len : 0, fields);
    if (type && strncasecmp(type, FORM_MULTIPART, strlen(FORM_MULTIPART)) == 0)
        return read_multipart(req, fields, file, file_cap);
    return accord_fail(ACCORD_EMEDIA, NULL, "the body must be a form (" FORM_URLENCODED " or " FORM_MULTIPART ")");
}
