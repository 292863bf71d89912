/* Assistance in the workspace: a focal point's needs (the list of every
 * need of the party, at each access level it may see, and the form to
 * record one, with a preview of its Markdown), and a coordinator's
 * offers and activities (the entity's lists and the forms to record
 * them). Reads call the assistance module's functions; writes build the
 * body the API's handlers take (assistance_handlers.c) and submit it with
 * http_submit_event(): the same event, applied by the same code. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assistance/assistance.h"
#include "http/assistance_handlers.h"
#include "markdown/markdown.h"
#include "util/buf.h"
#include "util/error.h"
#include "web/web.h"
#include "workspace/workspace.h"
#include "workspace/workspace_int.h"

#define REST_MAX 160
#define LIST_MAX 64

int workspace_assistance_party(http_req *req, char *out, size_t len)
{
    snprintf(out, len, "%s", req->params[1] ? req->params[1] : "");
    return ACCORD_OK;
}

int workspace_assistance_office(http_req *req, char *out, size_t len)
{
    snprintf(out, len, "%s/%s", req->params[1], req->params[2]);
    return ACCORD_OK;
}

int workspace_assistance_implementing(http_req *req, char *out, size_t len)
{
    json_t *form;
    int rc = ws_read_form(req, &form);
    if (rc)
        return rc;
    snprintf(out, len, "%s", ws_form_text(form, "implementing"));
    json_decref(form);
    return ACCORD_OK;
}

/* The comma- or space-separated field 'key' of 'form' as the API's list
 * (new array; integers when 'numbers'), or NULL when the field is empty.
 * An item that is not a number, when numbers are asked for, is kept as a
 * string for the module to refuse with its own message. */
static json_t *form_list(const json_t *form, const char *key, bool numbers)
{
    const char *s = ws_form_text(form, key);
    json_t *list = json_array();
    while (*s && json_array_size(list) < LIST_MAX) {
        s += strspn(s, ", \t\r\n");
        size_t n = strcspn(s, ", \t\r\n");
        if (!n)
            break;
        char item[65];
        snprintf(item, sizeof item, "%.*s", (int)(n < sizeof item ? n : sizeof item - 1), s);
        s += n;
        char *end;
        long v = numbers ? strtol(item, &end, 10) : 0;
        json_array_append_new(list, numbers && *end == '\0' ? json_integer(v) : json_string(item));
    }
    if (!json_array_size(list)) {
        json_decref(list);
        return NULL;
    }
    return list;
}

/* Copies the text fields 'keys' of 'form' that are not empty into
 * 'data', and the list fields 'lists' (numbers: "provisions"). */
static void form_to_body(const json_t *form, json_t *data, const char *const *keys, const char *const *lists)
{
    for (size_t k = 0; keys[k]; k++)
        if (*ws_form_text(form, keys[k]))
            json_object_set_new(data, keys[k], json_string(ws_form_text(form, keys[k])));
    for (size_t k = 0; lists[k]; k++) {
        json_t *list = form_list(form, lists[k], strcmp(lists[k], "provisions") == 0);
        if (list)
            json_object_set_new(data, lists[k], list);
    }
}

/* The form's fields as sent (new object), for a form shown again. */
static json_t *form_values(const json_t *form, const char *const *keys, const char *const *lists)
{
    json_t *f = json_object();
    for (size_t k = 0; keys[k]; k++)
        json_object_set_new(f, keys[k], json_string(form ? ws_form_text(form, keys[k]) : ""));
    for (size_t k = 0; lists[k]; k++)
        json_object_set_new(f, lists[k], json_string(form ? ws_form_text(form, lists[k]) : ""));
    return f;
}

/* Puts the module's refusal 'rc' in 'errors' under the field it names,
 * 'msgid' at the top, and the refusal's status on the page. */
static void note_problem(const ws_page *pg, int rc, json_t *errors, const char *msgid)
{
    char field[64];
    snprintf(field, sizeof field, "%s", accord_error_field() ? accord_error_field() : "");
    field[strcspn(field, ".[")] = '\0';
    json_object_set_new(errors, field[0] ? field : "form_detail", json_string(accord_error_message()));
    ws_add_problem(pg, errors, "", msgid);
    pg->req->status = accord_error_http_status(rc);
    accord_error_clear();
}

/* Submits event 'type' with 'data'; when the module refuses it (400,
 * 404, 409, 413, 422) returns 1 with the problem in 'errors' under the
 * field it names, and the status set; else 0 or the error. */
static int submit_or_problem(const ws_page *pg, const char *type, json_t *data, json_t *errors, const char *msgid)
{
    uint64_t seq;
    int rc = http_submit_event(pg->req, type, data, &seq);
    if (rc == ACCORD_EINVAL || rc == ACCORD_ERULE || rc == ACCORD_ECONFLICT || rc == ACCORD_ETOOBIG ||
        rc == ACCORD_ENOTFOUND) {
        note_problem(pg, rc, errors, msgid);
        return 1;
    }
    return rc;
}

/* Options 'all' ({code, msgid} pairs, 'n' of them) with 'current'
 * selected (new array). */
static json_t *options(const ws_page *pg, const char *const (*all)[2], size_t n, const char *current)
{
    json_t *out = json_array();
    for (size_t k = 0; k < n; k++)
        json_array_append_new(out, json_pack("{s:s, s:s, s:b}", "code", all[k][0], "label", web_t(pg->lang, all[k][1]),
                                             "selected", strcmp(current, all[k][0]) == 0));
    return out;
}

/* Gives each reason of each match in 'matches' its "label" in the
 * page's language. */
static void add_reason_labels(const ws_page *pg, json_t *matches)
{
    static const char *const labels[][2] = {
        {"provisions", "the same provisions"}, {"thematic", "the same thematic area"},
        {"country", "it names the country"},    {"region", "it covers the country's region"},
        {"languages", "a shared language"},     {"period", "overlapping periods"}};
    size_t i, j;
    json_t *match, *reason;
    json_array_foreach(matches, i, match) json_array_foreach(json_object_get(match, "reasons"), j, reason)
    {
        const char *code = json_string_value(json_object_get(reason, "reason"));
        for (size_t k = 0; code && k < sizeof labels / sizeof labels[0]; k++)
            if (strcmp(code, labels[k][0]) == 0)
                json_object_set_new(reason, "label", json_string(web_t(pg->lang, labels[k][1])));
    }
}

/* Puts 'html' inside the page's preview element (PREVIEW_MARK in
 * 'page'). The template engine writes no value unescaped, by design; the
 * preview is the one piece of HTML that is not a template's: what
 * markdown_to_html() makes, which is safe to put in a page (no raw HTML,
 * no active links). 'html' is borrowed. */
#define PREVIEW_MARK "<div class=\"markdown preview-body\" id=\"preview-body\">"
static int splice_preview(buf *page, const char *html)
{
    const char *at = page->data ? strstr(page->data, PREVIEW_MARK) : NULL;
    if (!at)
        return ACCORD_OK;
    size_t head = (size_t)(at - page->data) + strlen(PREVIEW_MARK);
    buf out;
    buf_init(&out, page->cap);
    int rc = buf_append(&out, page->data, head);
    if (!rc) rc = buf_puts(&out, html);
    if (!rc) rc = buf_puts(&out, page->data + head);
    if (!rc) {
        buf_free(page);
        *page = out;
    } else
        buf_free(&out);
    return rc;
}

/* ---- a focal point's needs ---------------------------------------------------- */

static const char *const NEED_KEYS[] = {"title", "body", "thematic", "priority", "access", "instrument", NULL};
static const char *const NEED_LISTS[] = {"provisions", "sdg", "gcts", NULL};
static const char *const REPORT_KEYS[] = {"cycle", "provision", NULL};

/* The needs page of the party in the path: its needs, each with the offers
 * that could answer it, and the form, filled from 'form' (a refused or
 * previewed post; NULL for an empty one) with 'errors' (taken; may be
 * NULL) and the rendering of the text when 'preview'. */
static int needs_page(const ws_page *pg, const json_t *form, json_t *errors, bool preview, const char *done)
{
    http_req *req = pg->req;
    assistance_viewer viewer;
    assistance_filter f = {0};
    json_t *needs = NULL;
    http_assistance_viewer(req, &viewer);
    f.country = req->params[1];
    int rc = assistance_needs(req->db, &viewer, &f, &needs);
    size_t i;
    json_t *need;
    json_array_foreach(needs, i, need)
    {
        json_t *matches = NULL;
        const char *id = json_string_value(json_object_get(need, "id"));
        if (!rc && id && !assistance_matches(req->db, &viewer, id, &matches)) {
            json_t *offers = json_object_get(matches, "matches");
            add_reason_labels(pg, offers);
            json_object_set(need, "offers", offers);
        }
        json_decref(matches);
        accord_error_clear();
    }
    if (rc) {
        json_decref(errors);
        return rc;
    }
    json_t *m = ws_page_base(pg, "Assistance needs");
    json_t *values = form_values(form, NEED_KEYS, NEED_LISTS);
    if (!form) {
        json_object_set_new(values, "access", json_string("restricted"));
        json_object_set_new(values, "priority", json_string("medium"));
        json_object_set_new(values, "instrument", json_string("code-of-conduct"));
    }
    static const char *const levels[][2] = {
        {"public", "Public: anyone may read it, on the portal too."},
        {"providers", "Providers: only coordinators of providers of assistance, the secretariat and reviewers."},
        {"restricted", "Restricted: only your state, the secretariat, reviewers and admins."}};
    static const char *const priorities[][2] = {{"high", "High"}, {"medium", "Medium"}, {"low", "Low"}};
    json_object_set_new(m, "levels", options(pg, levels, 3, json_string_value(json_object_get(values, "access"))));
    json_object_set_new(m, "priorities",
                        options(pg, priorities, 3, json_string_value(json_object_get(values, "priority"))));
    json_object_set_new(m, "preview", json_boolean(preview));
    char *html = NULL;
    if (preview) {
        const char *body = json_string_value(json_object_get(values, "body"));
        if ((rc = markdown_to_html(body, strlen(body), &html))) {
            json_decref(m);
            json_decref(values);
            json_decref(errors);
            json_decref(needs);
            return rc;
        }
    }
    json_object_set_new(m, "report", form_values(form, REPORT_KEYS, NEED_LISTS + 3));
    json_object_set_new(m, "form", values);
    json_object_set_new(m, "errors", errors ? errors : json_object());
    json_object_set_new(m, "party", json_string(req->params[1]));
    json_object_set_new(m, "needs", needs);
    json_object_set_new(m, "writer", json_boolean(strcmp(req->who->role, "focal_point") == 0));
    char action[REST_MAX + 8];
    snprintf(action, sizeof action, "/%s/%s", pg->lang->code, pg->rest);
    json_object_set_new(m, "action", json_string(action));
    if (done && *done)
        json_object_set_new(m, "done", json_string(web_t(pg->lang, "The need was recorded.")));
    rc = ws_page_render(pg, "workspace_assistance_needs", m);
    if (!rc && html)
        rc = splice_preview(&req->text, html);
    free(html);
    return rc;
}

/* A page that shows form 'which' again, filled from 'form', with 'errors'
 * (taken). */
typedef int (*form_again_fn)(const ws_page *pg, const char *which, const json_t *form, json_t *errors);

/* Submits 'type' with 'data' (taken) from the posted 'form' (taken): 303
 * to /{lang}/'where' when recorded; when the module refuses it, the page
 * 'again' shows the form as it was sent, with the problem beside its
 * field and 'msgid' at the top. */
static int record_from_form(const ws_page *pg, const char *type, json_t *data, const char *msgid, json_t *form,
                            form_again_fn again, const char *which, const char *where)
{
    json_t *errors = json_object();
    int rc = submit_or_problem(pg, type, data, errors, msgid);
    json_decref(data);
    if (rc == 1) {
        rc = again(pg, which, form, errors);
        json_decref(form);
        return rc;
    }
    json_decref(errors);
    json_decref(form);
    if (!rc)
        ws_redirect(pg->req, pg->lang->code, where);
    return rc;
}

static int needs_again(const ws_page *pg, const char *which, const json_t *form, json_t *errors)
{
    (void)which;
    return needs_page(pg, form, errors, false, NULL);
}

int workspace_assistance_needs(http_req *req)
{
    ws_page pg;
    char rest[REST_MAX];
    snprintf(rest, sizeof rest, "workspace/assistance/needs/%s", req->params[1]);
    int rc = ws_page_open(req, rest, &pg);
    if (rc)
        return rc;
    return needs_page(&pg, NULL, NULL, false, http_query(req, "done"));
}

int workspace_post_assistance_need(http_req *req)
{
    ws_page pg;
    char rest[REST_MAX], where[REST_MAX + 16];
    json_t *form = NULL;
    snprintf(rest, sizeof rest, "workspace/assistance/needs/%s", req->params[1]);
    int rc = ws_page_open(req, rest, &pg);
    if (!rc) rc = ws_read_form(req, &form);
    if (rc)
        return rc;
    if (strcmp(ws_form_text(form, "step"), "preview") == 0) {
        rc = needs_page(&pg, form, NULL, true, NULL);
        json_decref(form);
        return rc;
    }
    if (strcmp(ws_form_text(form, "step"), "from_report") == 0) {
        /* The body POST /api/v1/assistance/needs/from-report takes. */
        json_t *body = json_pack("{s:s, s:s, s:s}", "instrument", ws_form_text(form, "instrument"), "cycle",
                                 ws_form_text(form, "cycle"), "party", req->params[1]);
        char *end;
        long provision = strtol(ws_form_text(form, "provision"), &end, 10);
        json_object_set_new(body, "provision", *end || end == ws_form_text(form, "provision")
                                                   ? json_string(ws_form_text(form, "provision"))
                                                   : json_integer(provision));
        json_t *need = NULL, *errors = json_object();
        rc = http_need_from_report(req->db, body, &need);
        json_decref(body);
        snprintf(where, sizeof where, "%s?done=1", rest);
        if (!rc) {
            json_decref(errors);
            return record_from_form(&pg, assistance_need_event(need), need, "The need was not recorded.", form,
                                    needs_again, NULL, where);
        }
        if (rc == ACCORD_EINVAL || rc == ACCORD_ENOTFOUND || rc == ACCORD_ERULE) {
            note_problem(&pg, rc, errors, "The need was not recorded.");
            rc = needs_page(&pg, form, errors, false, NULL);
        } else
            json_decref(errors);
        json_decref(form);
        return rc;
    }
    /* The body POST /api/v1/assistance/needs takes. */
    json_t *data = json_pack("{s:s}", "beneficiary", req->params[1]);
    form_to_body(form, data, NEED_KEYS, NEED_LISTS);
    snprintf(where, sizeof where, "%s?done=1", rest);
    rc = record_from_form(&pg, assistance_need_event(data), data, "The need was not recorded.", form, needs_again,
                          NULL, where);
    return ACCORD_OK;
}

/* ---- a coordinator's offers and activities ---------------------------------------- */

static const char *const OFFER_KEYS[] = {"title", "body", "thematic", "instrument", NULL};
static const char *const OFFER_LISTS[] = {"provisions", "sdg", "gcts", "countries", "modalities", NULL};
static const char *const ACTIVITY_KEYS[] = {"title", "body", "implementing", "country", "thematic", "instrument",
                                            "status", "planned_start", "planned_end", "offer", NULL};
static const char *const ACTIVITY_LISTS[] = {"provisions", "sdg", "gcts", "needs", NULL};

/* The entity's page: its offers and activities, and the two forms, one
 * filled from 'form' with 'errors' (taken) when 'which' names it
 * ("offer" or "activity"). */
static int provider_page(const ws_page *pg, const char *which, const json_t *form, json_t *errors, const char *done)
{
    http_req *req = pg->req;
    const char *entity = req->params[1];
    assistance_viewer viewer;
    assistance_filter f = {0};
    json_t *offers = NULL, *activities = NULL, *offices = NULL;
    http_assistance_viewer(req, &viewer);
    f.entity = entity;
    int rc = assistance_offers(req->db, &f, &offers);
    if (!rc) rc = assistance_activities(req->db, &viewer, &f, &activities);
    if (!rc) rc = assistance_offices(req->db, &f, &offices);
    if (rc) {
        json_decref(offers);
        json_decref(activities);
        json_decref(errors);
        return rc;
    }
    bool is_offer = which && strcmp(which, "offer") == 0, is_activity = which && strcmp(which, "activity") == 0;
    json_t *m = ws_page_base(pg, "Assistance offers and activities");
    json_t *ov = form_values(is_offer ? form : NULL, OFFER_KEYS, OFFER_LISTS);
    json_t *av = form_values(is_activity ? form : NULL, ACTIVITY_KEYS, ACTIVITY_LISTS);
    if (!is_offer)
        json_object_set_new(ov, "instrument", json_string("code-of-conduct"));
    if (!is_activity)
        json_object_set_new(av, "instrument", json_string("code-of-conduct"));
    /* The implementing entity or office: those the caller's scope allows. */
    const char *scope = req->who->scope;
    const char *impl = json_string_value(json_object_get(av, "implementing"));
    json_t *choices = json_array();
    if (!strchr(scope, '/'))
        json_array_append_new(choices, json_pack("{s:s, s:b}", "code", entity, "selected", strcmp(impl, entity) == 0));
    size_t i;
    json_t *o;
    json_array_foreach(offices, i, o)
    {
        const char *code = json_string_value(json_object_get(o, "code"));
        if (code && (!strchr(scope, '/') || strcmp(code, scope) == 0))
            json_array_append_new(choices, json_pack("{s:s, s:b}", "code", code, "selected", strcmp(impl, code) == 0));
    }
    json_decref(offices);
    static const char *const statuses[][2] = {{"pipeline", "Pipeline"},     {"implementation", "Under way"},
                                              {"completed", "Completed"},   {"cancelled", "Cancelled"},
                                              {"suspended", "Suspended"}};
    const char *status = json_string_value(json_object_get(av, "status"));
    json_object_set_new(m, "statuses", options(pg, statuses, 5, *status ? status : "pipeline"));
    json_object_set_new(m, "implementing", choices);
    json_object_set_new(m, "offer_form", ov);
    json_object_set_new(m, "activity_form", av);
    json_object_set_new(m, "offer_errors", is_offer && errors ? json_incref(errors) : json_object());
    json_object_set_new(m, "activity_errors", is_activity && errors ? json_incref(errors) : json_object());
    json_decref(errors);
    json_object_set_new(m, "entity", json_string(entity));
    json_object_set_new(m, "may_offer", json_boolean(!strchr(scope, '/')));
    json_object_set_new(m, "offers", offers);
    json_object_set_new(m, "activities", activities);
    char base[REST_MAX + 8];
    snprintf(base, sizeof base, "/%s/workspace/assistance/providers/%s", pg->lang->code, entity);
    json_object_set_new(m, "base", json_string(base));
    if (done && *done)
        json_object_set_new(m, "done", json_string(web_t(pg->lang, strcmp(done, "offer") == 0
                                                                       ? "The offer was recorded."
                                                                       : "The activity was recorded.")));
    return ws_page_render(pg, "workspace_assistance_provider", m);
}

/* The page of the entity, or of one of its offices when the route names
 * one: "workspace/assistance/providers/<entity>[/offices/<office>]". */
static void provider_rest(const http_req *req, char *out, size_t len)
{
    if (req->params[2])
        snprintf(out, len, "workspace/assistance/providers/%s/offices/%s", req->params[1], req->params[2]);
    else
        snprintf(out, len, "workspace/assistance/providers/%s", req->params[1]);
}

/* The caller's own page: an office's coordinator has the office's. */
static void own_rest(const http_req *req, char *out, size_t len)
{
    const char *slash = strchr(req->who->scope, '/');
    if (slash && strncmp(req->who->scope, req->params[1], (size_t)(slash - req->who->scope)) == 0)
        snprintf(out, len, "workspace/assistance/providers/%s/offices/%s", req->params[1], slash + 1);
    else
        provider_rest(req, out, len);
}

int workspace_assistance_provider(http_req *req)
{
    ws_page pg;
    char rest[REST_MAX];
    provider_rest(req, rest, sizeof rest);
    int rc = ws_page_open(req, rest, &pg);
    if (rc)
        return rc;
    return provider_page(&pg, NULL, NULL, NULL, http_query(req, "done"));
}

static int provider_again(const ws_page *pg, const char *which, const json_t *form, json_t *errors)
{
    return provider_page(pg, which, form, errors, NULL);
}

/* Records the offer or activity 'which' from the form: the body of
 * POST /api/v1/assistance/offers or /activities. */
static int post_provider(http_req *req, const char *which)
{
    ws_page pg;
    char rest[REST_MAX], where[REST_MAX + 16];
    json_t *form = NULL;
    own_rest(req, rest, sizeof rest);
    int rc = ws_page_open(req, rest, &pg);
    if (!rc) rc = ws_read_form(req, &form);
    if (rc)
        return rc;
    bool offer = strcmp(which, "offer") == 0;
    json_t *data = offer ? json_pack("{s:s}", "provider", req->params[1]) : json_object();
    form_to_body(form, data, offer ? OFFER_KEYS : ACTIVITY_KEYS, offer ? OFFER_LISTS : ACTIVITY_LISTS);
    snprintf(where, sizeof where, "%s?done=%s", rest, which);
    rc = record_from_form(&pg, offer ? "offer.recorded" : "activity.recorded", data,
                          offer ? "The offer was not recorded." : "The activity was not recorded.", form,
                          provider_again, which, where);
    return ACCORD_OK;
}

int workspace_post_assistance_offer(http_req *req) { return post_provider(req, "offer"); }

int workspace_post_assistance_activity(http_req *req) { return post_provider(req, "activity"); }
