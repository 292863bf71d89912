/* The focal point's reports: the dashboard of a cycle (each provision's
 * state, what is due and when) and the form to draft, submit and release
 * one provision's report. Reads call the implementation module's
 * functions; writes submit the same events, with the same data, as the
 * API's handlers (report_handlers.c), through http_submit_event(). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attachment/attachment.h"
#include "implementation/implementation.h"
#include "util/clock.h"
#include "util/error.h"
#include "web/web.h"
#include "workspace/workspace.h"
#include "workspace/workspace_int.h"

#define REST_MAX 300

int workspace_party_from_path(http_req *req, char *out, size_t len)
{
    snprintf(out, len, "%s", req->params[3] ? req->params[3] : "");
    return ACCORD_OK;
}

const char *ws_report_state_label(const char *state)
{
    static const char *const labels[][2] = {
        {"no_draft", "No draft"},  {"draft", "Draft"},  {"submitted", "Submitted"},
        {"returned", "Returned with comments"}, {"rated", "Rated"}, {"released", "Released"},
    };
    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
        if (strcmp(labels[i][0], state) == 0)
            return labels[i][1];
    return state;
}

/* A report's self-assessed statuses, with their labels (msgids). */
static const char *const report_statuses[][2] = {
    {"not_started", "Not started"}, {"planned", "Planned"}, {"in_progress", "In progress"},
    {"substantially_implemented", "Substantially implemented"}, {"implemented", "Implemented"},
    {"not_applicable", "Not applicable"}};

const char *ws_report_status_label(const char *status)
{
    for (size_t k = 0; status && k < sizeof report_statuses / sizeof report_statuses[0]; k++)
        if (strcmp(report_statuses[k][0], status) == 0)
            return report_statuses[k][1];
    return status ? status : "";
}

/* "workspace/reports/<slug>/<cycle>/<party>" into 'out'. */
static void reports_rest(const http_req *req, char *out, size_t len)
{
    snprintf(out, len, "workspace/reports/%s/%s/%s", req->params[1], req->params[2], req->params[3]);
}

/* The provision asked for (?provision= or the form's field), 0 if none. */
static long provision_of(const char *s)
{
    char *end;
    long n = s && *s ? strtol(s, &end, 10) : 0;
    return n > 0 && n <= 10000 && *end == '\0' ? n : 0;
}

static int dashboard(const ws_page *pg, const char *done, json_t *import_errors)
{
    http_req *req = pg->req;
    json_t *states = NULL;
    char opens[11], due[11], today[11], text[128];
    int rc = implementation_cycle_dates(req->db, req->params[1], req->params[2], opens, due);
    if (!rc) rc = implementation_report_states(req->db, req->params[1], req->params[2], req->params[3], &states);
    if (rc)
        return rc;
    clock_today(today);
    size_t i;
    json_t *row;
    json_array_foreach(states, i, row)
    {
        const char *state = json_string_value(json_object_get(row, "state"));
        json_object_set_new(row, "state_label", json_string(web_t(pg->lang, ws_report_state_label(state))));
        char href[REST_MAX + 40];
        snprintf(href, sizeof href, "/%s/%s?provision=%lld", pg->lang->code, pg->rest,
                 (long long)json_integer_value(json_object_get(row, "provision")));
        json_object_set_new(row, "href", json_string(href));
    }
    json_t *m = ws_page_base(pg, "Reports");
    web_date(pg->lang, due, text, sizeof text);
    json_object_set_new(m, "due_text", json_string(text));
    web_date(pg->lang, opens, text, sizeof text);
    json_object_set_new(m, "opens_text", json_string(text));
    json_object_set_new(m, "overdue", json_boolean(strcmp(today, due) > 0));
    json_object_set_new(m, "instrument", json_string(req->params[1]));
    json_object_set_new(m, "cycle", json_string(req->params[2]));
    json_object_set_new(m, "party", json_string(req->params[3]));
    json_object_set_new(m, "provisions", states);
    if (done && *done)
        json_object_set_new(m, "done", json_string(web_t(pg->lang, strcmp(done, "submitted") == 0  ? "Submitted."
                                                                   : strcmp(done, "released") == 0 ? "Released."
                                                                   : strcmp(done, "imported") == 0
                                                                       ? "The spreadsheet is imported."
                                                                       : "Saved.")));
    char base[REST_MAX + 80];
    snprintf(base, sizeof base, "/api/v1/instruments/%s/cycles/%s/template?party=%s", req->params[1], req->params[2],
             req->params[3]);
    json_object_set_new(m, "template", json_string(base));
    snprintf(base, sizeof base, "/%s/%s/import", pg->lang->code, pg->rest);
    json_object_set_new(m, "import_action", json_string(base));
    json_object_set_new(m, "writer", json_boolean(strcmp(req->who->role, "focal_point") == 0));
    if (import_errors)
        json_object_set_new(m, "import_errors", import_errors);
    return ws_page_render(pg, "workspace_reports", m);
}

/* The report's versions and its reviews (the comments of each return,
 * each rating with its rationale), newest first, as "versions" and
 * "reviews" in 'm'. */
static int add_history(const ws_page *pg, long provision, json_t *m)
{
    json_t *history;
    int rc = implementation_report_history(pg->req->db, pg->req->params[1], pg->req->params[2], pg->req->params[3],
                                           provision, &history);
    if (rc)
        return rc;
    static const char *const lists[] = {"versions", "reviews"};
    for (size_t k = 0; k < 2; k++) {
        json_t *list = json_object_get(history, lists[k]), *newest_first = json_array(), *row;
        for (size_t i = json_array_size(list); i-- > 0;) {
            row = json_array_get(list, i);
            char when[64];
            ws_when(pg, json_string_value(json_object_get(row, "at")), when, sizeof when);
            json_object_set_new(row, "at_text", json_string(when));
            const char *outcome = json_string_value(json_object_get(row, "outcome"));
            json_object_set_new(row, "returned", json_boolean(outcome && strcmp(outcome, "returned") == 0));
            const char *rating = json_string_value(json_object_get(row, "rating"));
            if (rating)
                json_object_set_new(row, "rating_label", json_string(web_t(pg->lang, ws_rating_label(rating))));
            const char *status = json_string_value(json_object_get(row, "status"));
            if (status)
                json_object_set_new(row, "status_label", json_string(web_t(pg->lang, ws_report_status_label(status))));
            json_array_append(newest_first, row);
        }
        json_object_set_new(m, lists[k], newest_first);
    }
    json_decref(history);
    return ACCORD_OK;
}

/* The files of the draft as its form lists them, each kept (checked)
 * unless a refused or previewed post ('values') left it out. New array. */
static json_t *draft_files(const json_t *draft, const json_t *values)
{
    json_t *files = json_array(), *a;
    size_t i;
    json_array_foreach(json_object_get(draft, "attachments"), i, a)
    {
        const char *sha = json_string_value(json_object_get(a, "sha256"));
        char key[96];
        snprintf(key, sizeof key, "keep_%s", sha ? sha : "");
        json_array_append_new(files, json_pack("{s:s, s:O, s:O, s:b}", "sha256", sha ? sha : "", "name",
                                               json_object_get(a, "name"), "media_type",
                                               json_object_get(a, "media_type"), "kept",
                                               !values || *ws_form_text(values, key)));
    }
    return files;
}

/* One earlier version of a report, read-only, with its Markdown rendered. */
static int version_page(const ws_page *pg, long provision, long version)
{
    http_req *req = pg->req;
    json_t *content;
    int rc = implementation_report_version(req->db, req->params[1], req->params[2], req->params[3], provision,
                                           version, &content);
    if (rc)
        return rc;
    const char *status = json_string_value(json_object_get(content, "status"));
    json_object_set_new(content, "status_label", json_string(web_t(pg->lang, ws_report_status_label(status))));
    json_t *m = ws_page_base(pg, "An earlier version");
    char back[REST_MAX + 40];
    snprintf(back, sizeof back, "/%s/%s?provision=%ld", pg->lang->code, pg->rest, provision);
    json_object_set_new(m, "back", json_string(back));
    json_object_set_new(m, "provision", json_integer(provision));
    json_object_set_new(m, "version", json_integer(version));
    json_object_set_new(m, "party", json_string(req->params[3]));
    json_object_set_new(m, "content", content);
    return ws_page_render(pg, "workspace_version", m);
}

/* The draft form of 'provision': filled from 'values' (a refused post)
 * or else from the latest draft; 'errors' (taken; may be NULL). */
static int draft_form(const ws_page *pg, long provision, const json_t *values, json_t *errors, bool preview)
{
    http_req *req = pg->req;
    json_t *drafts = NULL, *states = NULL, *draft = NULL;
    int rc = implementation_drafts(req->db, req->params[1], req->params[2], req->params[3], &drafts);
    if (!rc) rc = implementation_report_states(req->db, req->params[1], req->params[2], req->params[3], &states);
    if (rc) {
        json_decref(errors);
        json_decref(drafts);
        return rc;
    }
    size_t i;
    json_t *row, *state = NULL;
    json_array_foreach(drafts, i, row) if (json_integer_value(json_object_get(row, "provision")) == provision) draft = row;
    json_array_foreach(states, i, row) if (json_integer_value(json_object_get(row, "provision")) == provision) state = row;
    if (!state) {
        json_decref(errors);
        json_decref(drafts);
        json_decref(states);
        return accord_fail(ACCORD_ENOTFOUND, "provision", "no provision %ld in %s", provision, req->params[1]);
    }
    json_t *m = ws_page_base(pg, "Report on a provision");
    json_t *f = json_object();
    static const char *const fields[] = {"status", "narrative", "measures", "assistance_needs", NULL};
    for (size_t k = 0; fields[k]; k++) {
        const char *v = values ? ws_form_text(values, fields[k])
                               : json_string_value(json_object_get(draft, fields[k]));
        json_object_set_new(f, fields[k], json_string(v ? v : ""));
    }
    /* Evidence: one link a line, "URL title". */
    if (values)
        json_object_set_new(f, "evidence", json_string(ws_form_text(values, "evidence")));
    else {
        char lines[8192] = "";
        json_t *link;
        json_array_foreach(json_object_get(draft, "evidence"), i, link)
        {
            size_t used = strlen(lines);
            snprintf(lines + used, sizeof lines - used, "%s %s\n", json_string_value(json_object_get(link, "url")),
                     json_string_value(json_object_get(link, "title")));
        }
        json_object_set_new(f, "evidence", json_string(lines));
    }
    const char *status = json_string_value(json_object_get(f, "status"));
    json_t *statuses = json_array();
    for (size_t k = 0; k < sizeof report_statuses / sizeof report_statuses[0]; k++)
        json_array_append_new(statuses, json_pack("{s:s, s:s, s:b}", "code", report_statuses[k][0], "label",
                                                  web_t(pg->lang, report_statuses[k][1]), "selected", strcmp(status, report_statuses[k][0]) == 0));
    const char *st = json_string_value(json_object_get(state, "state"));
    json_object_set_new(state, "state_label", json_string(web_t(pg->lang, ws_report_state_label(st))));
    json_object_set_new(m, "report", json_incref(state));
    json_object_set_new(m, "form", f);
    json_object_set_new(m, "statuses", statuses);
    json_object_set_new(m, "errors", errors ? errors : json_object());
    json_object_set_new(m, "can_draft", json_boolean(strcmp(st, "submitted") && strcmp(st, "rated") && strcmp(st, "released")));
    json_object_set_new(m, "can_submit", json_boolean(strcmp(st, "draft") == 0));
    json_object_set_new(m, "can_release", json_boolean(strcmp(st, "rated") == 0 || strcmp(st, "submitted") == 0));
    char back[REST_MAX + 8];
    snprintf(back, sizeof back, "/%s/%s", pg->lang->code, pg->rest);
    json_object_set_new(m, "back", json_string(back));
    json_object_set_new(m, "provision", json_integer(provision));
    json_object_set_new(m, "writer", json_boolean(strcmp(req->who->role, "focal_point") == 0));
    json_object_set_new(m, "preview", json_boolean(preview));
    json_object_set_new(m, "party", json_string(req->params[3]));
    json_object_set_new(m, "files", draft_files(draft, values));
    if ((rc = add_history(pg, provision, m))) {
        json_decref(m);
        json_decref(drafts);
        json_decref(states);
        return rc;
    }
    json_decref(drafts);
    json_decref(states);
    return ws_page_render(pg, "workspace_draft", m);
}

int workspace_reports(http_req *req)
{
    ws_page pg;
    char rest[REST_MAX];
    reports_rest(req, rest, sizeof rest);
    int rc = ws_page_open(req, rest, &pg);
    if (rc)
        return rc;
    const char *q = http_query(req, "provision");
    if (q) {
        long provision = provision_of(q);
        if (!provision)
            return accord_fail(ACCORD_EINVAL, "provision", "provision: a number from 1");
        const char *v = http_query(req, "version");
        if (v) {
            long version = provision_of(v);
            if (!version)
                return accord_fail(ACCORD_EINVAL, "version", "version: a number from 1");
            return version_page(&pg, provision, version);
        }
        return draft_form(&pg, provision, NULL, NULL, false);
    }
    return dashboard(&pg, http_query(req, "done"), NULL);
}

/* The evidence field, one link a line ("URL title"), as the API's
 * [{title, url}] (new array). */
static json_t *evidence_links(const char *text)
{
    json_t *links = json_array();
    while (*text) {
        size_t len = strcspn(text, "\r\n");
        char line[2048];
        snprintf(line, sizeof line, "%.*s", (int)(len < sizeof line ? len : sizeof line - 1), text);
        text += len;
        text += strspn(text, "\r\n");
        char *url = line + strspn(line, " \t");
        if (!*url)
            continue;
        char *title = url + strcspn(url, " \t");
        if (*title)
            *title++ = '\0';
        title += strspn(title, " \t");
        json_array_append_new(links, json_pack("{s:s, s:s}", "title", *title ? title : url, "url", url));
    }
    return links;
}

/* The draft's attachments from the form: each listed file still checked
 * ("keep_<sha256>", its value the file's name), then the file uploaded
 * with the form, stored first as POST .../attachments stores it. New
 * array in '*out' (caller decrefs). */
static int draft_attachments(http_req *req, const json_t *form, const http_form_file *file, json_t **out)
{
    json_t *list = json_array();
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)form, key, v)
    {
        if (strncmp(key, "keep_", 5) == 0 && json_string_length(v))
            json_array_append_new(list, json_pack("{s:s, s:O}", "sha256", key + 5, "name", v));
    }
    int rc = ACCORD_OK;
    if (file->given && (file->bytes.len || file->name[0])) {
        attachment_file stored;
        uint64_t seq;
        rc = http_store_attachment(req, req->params[1], req->params[2], req->params[3], file->name, file->bytes.data,
                                   file->bytes.len, &stored, &seq);
        if (rc) {
            char message[512]; /* the module's message, beside the form's file field */
            snprintf(message, sizeof message, "%s", accord_error_message());
            rc = accord_fail(rc, "file", "%s", message);
        } else
            json_array_append_new(list, json_pack("{s:s, s:s}", "sha256", stored.sha256, "name", file->name));
    }
    if (rc) {
        json_decref(list);
        return rc;
    }
    *out = list;
    return ACCORD_OK;
}

/* The body of the event a step of the form makes ("save": report.drafted,
 * "submit", "release"), as the API takes it plus what its handler adds
 * from the path. New object. */
static json_t *report_body(const http_req *req, const json_t *form, long provision, const char *type)
{
    json_t *data = json_pack("{s:s, s:I}", "party", req->params[3], "provision", (json_int_t)provision);
    if (strcmp(type, "report.drafted") == 0) {
        static const char *const texts[] = {"status", "narrative", "measures", "assistance_needs", NULL};
        for (size_t k = 0; texts[k]; k++)
            if (*ws_form_text(form, texts[k]) || strcmp(texts[k], "status") == 0)
                json_object_set_new(data, texts[k], json_string(ws_form_text(form, texts[k])));
        json_t *links = evidence_links(ws_form_text(form, "evidence"));
        if (json_array_size(links))
            json_object_set_new(data, "evidence", links);
        else
            json_decref(links);
    }
    json_object_set_new(data, "instrument", json_string(req->params[1]));
    json_object_set_new(data, "cycle", json_string(req->params[2]));
    return data;
}

int workspace_post_report(http_req *req)
{
    ws_page pg;
    char rest[REST_MAX], where[REST_MAX + 32];
    json_t *form = NULL, *data = NULL, *attachments = NULL;
    http_form_file file;
    uint64_t seq;
    reports_rest(req, rest, sizeof rest);
    int rc = ws_page_open(req, rest, &pg);
    if (!rc) rc = http_read_form(req, &form, &file, ATTACHMENT_MAX_SIZE);
    if (rc)
        return rc;
    long provision = provision_of(ws_form_text(form, "provision"));
    const char *step = ws_form_text(form, "step");
    if (strcmp(step, "preview") == 0 && provision) {
        /* The form as typed, with its Markdown rendered; nothing saved. */
        rc = draft_form(&pg, provision, form, NULL, true);
        goto out;
    }
    const char *type = strcmp(step, "submit") == 0    ? "report.submitted"
                       : strcmp(step, "release") == 0 ? "report.released"
                                                      : "report.drafted";
    data = report_body(req, form, provision, type);
    rc = provision ? ACCORD_OK : accord_fail(ACCORD_EINVAL, "provision", "provision: a number from 1");
    if (!rc && strcmp(type, "report.drafted") == 0 && !(rc = draft_attachments(req, form, &file, &attachments)) &&
        json_array_size(attachments))
        json_object_set_new(data, "attachments", json_incref(attachments));
    if (!rc)
        rc = http_submit_event(req, type, data, &seq);
    if (rc == ACCORD_EINVAL || rc == ACCORD_ERULE || rc == ACCORD_ECONFLICT || rc == ACCORD_ETOOBIG ||
        rc == ACCORD_EMEDIA) {
        /* The form again, as it was sent, with the problem beside its
         * field: the field the module names ("evidence.url",
         * "evidence[2]") is shown beside the form's field it came from. */
        char field[64];
        snprintf(field, sizeof field, "%s", accord_error_field() ? accord_error_field() : "");
        field[strcspn(field, ".[")] = '\0';
        if (strcmp(field, "attachments") == 0 || strcmp(field, "name") == 0)
            snprintf(field, sizeof field, "file");
        json_t *errors = json_object();
        json_object_set_new(errors, field[0] ? field : "form_detail", json_string(accord_error_message()));
        ws_add_problem(&pg, errors, "", "The report was not saved.");
        req->status = accord_error_http_status(rc);
        accord_error_clear();
        rc = provision ? draft_form(&pg, provision, form, errors, false) : dashboard(&pg, NULL, NULL);
        goto out;
    }
    if (!rc) {
        snprintf(where, sizeof where, "%s?done=%s", rest, strcmp(step, "submit") == 0 ? "submitted"
                                                           : strcmp(step, "release") == 0 ? "released" : "saved");
        ws_redirect(req, pg.lang->code, where);
    }
out:
    json_decref(form);
    json_decref(data);
    json_decref(attachments);
    if (file.given)
        buf_free(&file.bytes);
    return rc;
}

/* ---- the spreadsheet import ------------------------------------------------- */

int workspace_post_import(http_req *req)
{
    ws_page pg;
    char rest[REST_MAX];
    json_t *form = NULL;
    http_form_file file;
    bulk_import im = {0};
    reports_rest(req, rest, sizeof rest);
    int rc = ws_page_open(req, rest, &pg);
    if (!rc) rc = http_read_form(req, &form, &file, BULK_MAX_IMPORT);
    json_decref(form);
    if (rc)
        return rc;
    rc = http_import_reports(req, req->params[1], req->params[2], req->params[3], file.given ? file.bytes.data : NULL,
                             file.given ? file.bytes.len : 0, &im);
    if (file.given)
        buf_free(&file.bytes);
    if (rc == ACCORD_ERULE || rc == ACCORD_EINVAL) {
        /* Every problem with its line and column; nothing was saved. */
        json_t *errors = json_pack("{s:s, s:o, s:I}", "message", accord_error_message(), "rows",
                                   im.errors ? json_incref(im.errors) : json_array(), "problems",
                                   (json_int_t)im.nerrors);
        req->status = accord_error_http_status(rc);
        accord_error_clear();
        bulk_import_free(&im);
        return dashboard(&pg, NULL, errors);
    }
    bulk_import_free(&im);
    if (rc)
        return rc;
    char where[REST_MAX + 32];
    snprintf(where, sizeof where, "%s?done=imported", rest);
    ws_redirect(req, pg.lang->code, where);
    return ACCORD_OK;
}
