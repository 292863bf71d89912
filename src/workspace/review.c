/* The reviewer's pages: the queue of submitted reports, and one report
 * with the party's text and files, its versions and reviews, and the two
 * forms of a review: return with comments, or rate with a rationale.
 * Reads call the implementation module; a review submits the same event,
 * with the same data, as POST .../cycles/{cycle}/reviews
 * (report_handlers.c), through http_submit_event(). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "implementation/implementation.h"
#include "util/error.h"
#include "web/web.h"
#include "workspace/workspace.h"
#include "workspace/workspace_int.h"

#define REST_MAX 320

static const char *const ratings[][2] = {
    {"implemented", "Implemented"},
    {"largely_implemented", "Largely implemented"},
    {"partly_implemented", "Partly implemented"},
    {"not_implemented", "Not implemented"},
};

const char *ws_rating_label(const char *code)
{
    for (size_t i = 0; code && i < sizeof ratings / sizeof ratings[0]; i++)
        if (strcmp(ratings[i][0], code) == 0)
            return ratings[i][1];
    return code ? code : "";
}

/* ---- the queue -------------------------------------------------------------- */

int workspace_review_queue(http_req *req)
{
    ws_page pg;
    json_t *queue = NULL;
    int rc = ws_page_open(req, "workspace/reviews", &pg);
    if (!rc) rc = implementation_review_queue(req->db, &queue);
    if (rc)
        return rc;
    /* A reviewer scoped to one instrument sees that instrument's reports. */
    const char *scope = req->who->scope;
    json_t *shown = json_array();
    size_t i;
    json_t *row;
    json_array_foreach(queue, i, row)
    {
        const char *ins = json_string_value(json_object_get(row, "instrument"));
        if (scope[0] && strcmp(scope, ins) != 0)
            continue;
        char href[REST_MAX + 40], when[64];
        snprintf(href, sizeof href, "/%s/workspace/reviews/%s/%s/%s/%lld", pg.lang->code, ins,
                 json_string_value(json_object_get(row, "cycle")), json_string_value(json_object_get(row, "party")),
                 (long long)json_integer_value(json_object_get(row, "provision")));
        json_object_set_new(row, "href", json_string(href));
        const char *state = json_string_value(json_object_get(row, "state"));
        json_object_set_new(row, "state_label", json_string(web_t(pg.lang, ws_report_state_label(state))));
        json_object_set_new(row, "awaiting", json_boolean(strcmp(state, "submitted") == 0));
        json_t *rating = json_object_get(row, "rating");
        if (rating)
            json_object_set_new(row, "rating_label", json_string(web_t(pg.lang, ws_rating_label(json_string_value(rating)))));
        ws_when(&pg, json_string_value(json_object_get(row, "submitted_at")), when, sizeof when);
        json_object_set_new(row, "submitted_text", json_string(when));
        json_array_append(shown, row);
    }
    json_decref(queue);
    json_t *m = ws_page_base(&pg, "Reports to review");
    json_object_set_new(m, "reports", shown);
    return ws_page_render(&pg, "workspace_review_queue", m);
}

/* ---- one report ------------------------------------------------------------- */

/* "workspace/reviews/<slug>/<cycle>/<party>/<provision>" into 'out'. */
static void review_rest(const http_req *req, char *out, size_t len)
{
    snprintf(out, len, "workspace/reviews/%s/%s/%s/%s", req->params[1], req->params[2], req->params[3],
             req->params[4]);
}

static long provision_of(const http_req *req)
{
    char *end;
    long n = strtol(req->params[4], &end, 10);
    return n > 0 && n <= 10000 && *end == '\0' ? n : 0;
}

/* The report's page: the latest submitted version's content, the history
 * and the forms; 'values' (a refused post; may be NULL) fills the forms,
 * 'errors' (taken; may be NULL) says what was wrong. */
static int review_page(const ws_page *pg, long provision, const json_t *values, json_t *errors)
{
    http_req *req = pg->req;
    json_t *history = NULL, *states = NULL, *content = NULL, *state = NULL;
    int rc = implementation_report_history(req->db, req->params[1], req->params[2], req->params[3], provision,
                                           &history);
    if (!rc) rc = implementation_report_states(req->db, req->params[1], req->params[2], req->params[3], &states);
    size_t i;
    json_t *row;
    json_array_foreach(states, i, row) if (json_integer_value(json_object_get(row, "provision")) == provision) state = row;
    /* The version under review: the latest one submitted. */
    json_int_t version = 0;
    json_array_foreach(json_object_get(history, "versions"), i, row) if (json_integer_value(json_object_get(row, "submitted")))
        version = json_integer_value(json_object_get(row, "version"));
    if (!rc && (!state || !version))
        rc = accord_fail(ACCORD_ENOTFOUND, "provision", "%s has submitted no report on provision %ld in %s",
                         req->params[3], provision, req->params[2]);
    if (!rc) rc = implementation_report_version(req->db, req->params[1], req->params[2], req->params[3], provision,
                                                version, &content);
    if (rc) {
        json_decref(history);
        json_decref(states);
        json_decref(errors);
        return rc;
    }
    const char *st = json_string_value(json_object_get(state, "state"));
    json_object_set_new(state, "state_label", json_string(web_t(pg->lang, ws_report_state_label(st))));
    json_object_set_new(content, "status_label",
                        json_string(web_t(pg->lang, ws_report_status_label(json_string_value(json_object_get(content, "status"))))));
    json_array_foreach(json_object_get(history, "reviews"), i, row)
    {
        char when[64];
        ws_when(pg, json_string_value(json_object_get(row, "at")), when, sizeof when);
        json_object_set_new(row, "at_text", json_string(when));
        json_object_set_new(row, "returned", json_boolean(strcmp(json_string_value(json_object_get(row, "outcome")), "returned") == 0));
        json_t *r = json_object_get(row, "rating");
        if (r)
            json_object_set_new(row, "rating_label", json_string(web_t(pg->lang, ws_rating_label(json_string_value(r)))));
    }
    json_array_foreach(json_object_get(history, "versions"), i, row)
    {
        char when[64];
        ws_when(pg, json_string_value(json_object_get(row, "at")), when, sizeof when);
        json_object_set_new(row, "at_text", json_string(when));
    }
    const char *chosen = values ? ws_form_text(values, "rating") : "";
    json_t *options = json_array();
    for (size_t k = 0; k < sizeof ratings / sizeof ratings[0]; k++)
        json_array_append_new(options, json_pack("{s:s, s:s, s:b}", "code", ratings[k][0], "label",
                                                 web_t(pg->lang, ratings[k][1]), "selected",
                                                 strcmp(chosen, ratings[k][0]) == 0));
    json_t *m = ws_page_base(pg, "Review a report");
    char action[REST_MAX + 8];
    snprintf(action, sizeof action, "/%s/%s", pg->lang->code, pg->rest);
    json_object_set_new(m, "action", json_string(action));
    json_object_set_new(m, "instrument", json_string(req->params[1]));
    json_object_set_new(m, "cycle", json_string(req->params[2]));
    json_object_set_new(m, "party", json_string(req->params[3]));
    json_object_set_new(m, "provision", json_integer(provision));
    json_object_set_new(m, "version", json_integer(version));
    json_object_set_new(m, "report", json_incref(state));
    json_object_set_new(m, "content", content);
    json_object_set_new(m, "versions", json_incref(json_object_get(history, "versions")));
    json_object_set_new(m, "reviews", json_incref(json_object_get(history, "reviews")));
    json_object_set_new(m, "ratings", options);
    json_object_set_new(m, "comments", json_string(values ? ws_form_text(values, "comments") : ""));
    json_object_set_new(m, "rationale", json_string(values ? ws_form_text(values, "rationale") : ""));
    json_object_set_new(m, "can_return", json_boolean(strcmp(st, "submitted") == 0));
    json_object_set_new(m, "can_rate", json_boolean(strcmp(st, "submitted") == 0 || strcmp(st, "rated") == 0 ||
                                                    strcmp(st, "released") == 0));
    json_decref(history);
    json_decref(states);
    static const char *const notices[][2] = {{"returned", "Returned to the party with your comments."},
                                             {"rated", "Rated."},
                                             {NULL, NULL}};
    return ws_render_form_page(pg, m, errors, notices, "workspace_review");
}

int workspace_review(http_req *req)
{
    ws_page pg;
    char rest[REST_MAX];
    review_rest(req, rest, sizeof rest);
    int rc = ws_page_open(req, rest, &pg);
    if (rc)
        return rc;
    long provision = provision_of(req);
    if (!provision)
        return accord_fail(ACCORD_ENOTFOUND, "provision", "no such provision: %s", req->params[4]);
    return review_page(&pg, provision, NULL, NULL);
}

int workspace_post_review(http_req *req)
{
    ws_page pg;
    char rest[REST_MAX], where[REST_MAX + 32];
    json_t *form = NULL;
    uint64_t seq;
    review_rest(req, rest, sizeof rest);
    int rc = ws_open_form(req, rest, &pg, &form);
    long provision = provision_of(req);
    if (!rc && !provision)
        rc = accord_fail(ACCORD_ENOTFOUND, "provision", "no such provision: %s", req->params[4]);
    if (rc) {
        json_decref(form);
        return rc;
    }
    const char *outcome = ws_form_text(form, "outcome");
    bool rated = strcmp(outcome, "rated") == 0;
    /* The body the API takes, plus what its handler adds from the path. */
    json_t *data = json_pack("{s:s, s:I, s:s, s:s}", "party", req->params[3], "provision", (json_int_t)provision,
                             "instrument", req->params[1], "cycle", req->params[2]);
    if (rated) {
        json_object_set_new(data, "rating", json_string(ws_form_text(form, "rating")));
        json_object_set_new(data, "rationale", json_string(ws_form_text(form, "rationale")));
    } else
        json_object_set_new(data, "comments", json_string(ws_form_text(form, "comments")));
    rc = strcmp(outcome, "returned") == 0 || rated
             ? http_submit_event(req, rated ? "report.rated" : "report.returned", data, &seq)
             : accord_fail(ACCORD_EINVAL, "outcome", "outcome: returned (with comments) or rated");
    json_decref(data);
    json_t *errors = json_object();
    if (rc && ws_form_refusal(&pg, errors, rc, rated ? "The rating was not recorded." : "The report was not returned.") == 0) {
        rc = review_page(&pg, provision, form, errors);
        json_decref(form);
        return rc;
    }
    json_decref(errors);
    snprintf(where, sizeof where, "%s?done=%s", rest, rated ? "rated" : "returned");
    json_decref(form);
    if (rc)
        return rc;
    ws_redirect(req, pg.lang->code, where);
    return ACCORD_OK;
}
