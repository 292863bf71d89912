/* The depositary's page: record an action (and see the notification it
 * produced), open a reporting cycle, record a reported total. Each form
 * builds the body its API route takes and submits the same event through
 * http_submit_event(): action.recorded (POST .../actions), cycle.opened
 * (POST .../cycles), reported_total.recorded (POST .../reported-totals).
 * A refused form comes back as the page, filled in as sent, with the
 * module's message beside the field it names. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "depositary/depositary.h"
#include "registry/registry.h"
#include "util/error.h"
#include "web/web.h"
#include "workspace/workspace.h"
#include "workspace/workspace_int.h"

#define REST "workspace/depositary"

/* The form fields of each of the page's forms, as named in the page. */
static const char *const action_fields[] = {"instrument", "party", "type", "date", "date_precision", "place",
                                            "signer_name", "signer_title", "source_title", "source_url", "note",
                                            NULL};
static const char *const cycle_fields[] = {"instrument", "code", "name", "opens_on", "due_on", NULL};
static const char *const total_fields[] = {"instrument", "as_of", "qualifier", "count", "of", "source_title",
                                           "source_url", NULL};

static const char *const action_types[][2] = {
    {"signature", "Signature"},   {"endorsement", "Endorsement"}, {"accession", "Accession"},
    {"ratification", "Ratification"}, {"acceptance", "Acceptance"}, {"approval", "Approval"},
    {"succession", "Succession"}, {"withdrawal", "Withdrawal"},   {"declaration", "Declaration"},
};
static const char *const precisions[][2] = {{"day", "On that day"}, {"on_or_before", "On or before that day"}};
static const char *const qualifiers[][2] = {{"", "Exactly (not stated)"}, {"exactly", "Exactly"},
                                            {"more than", "More than"}, {"at least", "At least"},
                                            {"about", "About"},         {"fewer than", "Fewer than"}};

/* The options of a select from 'pairs' (code, msgid), 'chosen' selected. */
static json_t *options(const ws_page *pg, const char *const (*pairs)[2], size_t n, const char *chosen)
{
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, json_pack("{s:s, s:s, s:b}", "code", pairs[i][0], "label",
                                              web_t(pg->lang, pairs[i][1]), "selected",
                                              strcmp(chosen, pairs[i][0]) == 0));
    return list;
}

/* The values of a form: as posted ('posted', may be NULL) or empty,
 * with 'instrument' defaulting to the first instrument. */
static json_t *form_values(const char *const *fields, const json_t *posted, const char *instrument)
{
    json_t *v = json_object();
    for (size_t i = 0; fields[i]; i++)
        json_object_set_new(v, fields[i], json_string(posted ? ws_form_text(posted, fields[i]) : ""));
    if (!posted)
        json_object_set_new(v, "instrument", json_string(instrument));
    return v;
}

/* The page. 'which' names the refused form ("action", "cycle", "total";
 * NULL: none), 'posted' its values and 'errors' (taken) its problems. */
static int depositary_page(const ws_page *pg, const char *which, const json_t *posted, json_t *errors)
{
    http_req *req = pg->req;
    json_t *instruments = NULL, *parties = NULL, *notices = NULL, *done_action = NULL;
    int rc = registry_list_instruments(req->db, &instruments);
    if (!rc) rc = registry_list_parties(req->db, NULL, &parties);
    const char *first = json_string_value(json_object_get(json_array_get(instruments, 0), "slug"));
    if (!rc && !first)
        rc = accord_fail(ACCORD_ENOTFOUND, "instrument", "no instrument is recorded yet");
    if (!rc) rc = depositary_list_notifications(req->db, first, &notices);
    /* After an action: the notification it produced. */
    const char *seq = req->conn ? http_query(req, "seq") : NULL;
    if (!rc && seq) {
        char *end;
        unsigned long long n = strtoull(seq, &end, 10);
        if (*seq && !*end && depositary_action_by_seq(req->db, n, &done_action))
            accord_error_clear(); /* not an action: no notification to show */
    }
    if (rc) {
        json_decref(instruments);
        json_decref(parties);
        json_decref(errors);
        return rc;
    }
    bool refused = which != NULL;
    json_t *action = form_values(action_fields, which && !strcmp(which, "action") ? posted : NULL, first);
    json_t *cycle = form_values(cycle_fields, which && !strcmp(which, "cycle") ? posted : NULL, first);
    json_t *total = form_values(total_fields, which && !strcmp(which, "total") ? posted : NULL, first);
    json_object_set_new(action, "types", options(pg, action_types, sizeof action_types / sizeof action_types[0],
                                                 json_string_value(json_object_get(action, "type"))));
    json_object_set_new(action, "precisions", options(pg, precisions, 2,
                                                      json_string_value(json_object_get(action, "date_precision"))));
    json_object_set_new(total, "qualifiers", options(pg, qualifiers, sizeof qualifiers / sizeof qualifiers[0],
                                                     json_string_value(json_object_get(total, "qualifier"))));
    size_t i;
    json_t *p;
    const char *chosen = json_string_value(json_object_get(action, "party"));
    json_array_foreach(parties, i, p)
        json_object_set_new(p, "selected", json_boolean(strcmp(chosen, json_string_value(json_object_get(p, "code"))) == 0));
    /* The five latest notifications, newest first. */
    json_t *latest = json_array();
    for (size_t k = json_array_size(notices); k-- > 0 && json_array_size(latest) < 5;)
        json_array_append(latest, json_array_get(notices, k));
    json_decref(notices);
    json_t *m = ws_page_base(pg, "The depositary's desk");
    json_object_set_new(m, "instruments", instruments);
    json_object_set_new(m, "parties", parties);
    json_object_set_new(m, "action", action);
    json_object_set_new(m, "cycle", cycle);
    json_object_set_new(m, "total", total);
    json_object_set_new(m, "notifications", latest);
    if (done_action)
        json_object_set_new(m, "recorded", done_action);
    /* Each form's problems under its own name, so that a problem beside
     * "instrument" stands beside the form that was sent. */
    json_t *none = json_object();
    json_object_set_new(m, "action_errors", refused && !strcmp(which, "action") ? json_incref(errors) : json_incref(none));
    json_object_set_new(m, "cycle_errors", refused && !strcmp(which, "cycle") ? json_incref(errors) : json_incref(none));
    json_object_set_new(m, "total_errors", refused && !strcmp(which, "total") ? json_incref(errors) : json_incref(none));
    json_decref(none);
    static const char *const done[][2] = {{"action", "The action is recorded."},
                                          {"cycle", "The reporting cycle is open."},
                                          {"total", "The reported total is recorded."},
                                          {NULL, NULL}};
    return ws_render_form_page(pg, m, errors, done, "workspace_depositary");
}

int workspace_depositary(http_req *req)
{
    ws_page pg;
    int rc = ws_page_open(req, REST, &pg);
    return rc ? rc : depositary_page(&pg, NULL, NULL, NULL);
}

/* A source {title, url} from the form's source_title and source_url. */
static json_t *source_of(const json_t *form)
{
    const char *url = ws_form_text(form, "source_url");
    json_t *s = json_pack("{s:s}", "title", ws_form_text(form, "source_title"));
    if (*url)
        json_object_set_new(s, "url", json_string(url));
    return s;
}

/* Sets 'key' of 'data' to the form's field 'field' when it is not empty. */
static void set_given(json_t *data, const char *key, const json_t *form, const char *field)
{
    const char *v = ws_form_text(form, field);
    if (*v)
        json_object_set_new(data, key, json_string(v));
}

/* The body of POST .../actions from the action form (new object). */
static json_t *action_body(const json_t *form)
{
    json_t *data = json_pack("{s:s, s:s, s:s, s:s, s:o}", "instrument", ws_form_text(form, "instrument"), "party",
                             ws_form_text(form, "party"), "type", ws_form_text(form, "type"), "date",
                             ws_form_text(form, "date"), "source", source_of(form));
    set_given(data, "date_precision", form, "date_precision");
    set_given(data, "place", form, "place");
    set_given(data, "note", form, "note");
    const char *name = ws_form_text(form, "signer_name"), *title = ws_form_text(form, "signer_title");
    if (*name || *title) {
        json_t *signer = json_object();
        set_given(signer, "name", form, "signer_name");
        set_given(signer, "title", form, "signer_title");
        json_object_set_new(data, "signer", signer);
    }
    return data;
}

/* The body of POST .../cycles from the cycle form (new object). */
static json_t *cycle_body(const json_t *form)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s}", "instrument", ws_form_text(form, "instrument"), "code",
                     ws_form_text(form, "code"), "name", ws_form_text(form, "name"), "opens_on",
                     ws_form_text(form, "opens_on"), "due_on", ws_form_text(form, "due_on"));
}

/* The body of POST .../reported-totals from the total form (new object);
 * a count that is not a whole number is sent as text, for the module to
 * refuse with its own message. */
static json_t *total_body(const json_t *form)
{
    const char *count = ws_form_text(form, "count");
    char *end;
    long long n = strtoll(count, &end, 10);
    json_t *data = json_pack("{s:s, s:s, s:o, s:o}", "instrument", ws_form_text(form, "instrument"), "as_of",
                             ws_form_text(form, "as_of"), "count",
                             *count && !*end ? json_integer(n) : json_string(count), "source", source_of(form));
    set_given(data, "qualifier", form, "qualifier");
    set_given(data, "of", form, "of");
    return data;
}

/* The module names nested fields "source.url", "signer.name": the form's
 * fields are "source_url", "signer_name"; "source" and "signer" alone
 * stand beside their first field. */
static void errors_to_fields(json_t *errors)
{
    static const char *const renames[][2] = {{"source.url", "source_url"}, {"source.title", "source_title"},
                                             {"source", "source_title"},   {"signer.name", "signer_name"},
                                             {"signer.title", "signer_title"}, {"signer", "signer_name"}};
    for (size_t i = 0; i < sizeof renames / sizeof renames[0]; i++) {
        json_t *v = json_object_get(errors, renames[i][0]);
        if (v) {
            json_object_set(errors, renames[i][1], v);
            json_object_del(errors, renames[i][0]);
        }
    }
}

/* One of the page's posts: builds the event's body with 'body', submits
 * 'type', and answers 303 to the page (with the log index of the entry)
 * or the page again with the problems beside the fields of form 'which'. */
static int post_form(http_req *req, const char *which, const char *type, json_t *(*body)(const json_t *form))
{
    ws_page pg;
    json_t *form = NULL;
    uint64_t seq;
    int rc = ws_open_form(req, REST, &pg, &form);
    if (rc) {
        json_decref(form);
        return rc;
    }
    json_t *data = body(form);
    rc = http_submit_event(req, type, data, &seq);
    json_decref(data);
    json_t *errors = json_object();
    if (rc && ws_form_refusal(&pg, errors, rc, "Nothing was recorded.") == 0) {
        errors_to_fields(errors);
        rc = depositary_page(&pg, which, form, errors);
        json_decref(form);
        return rc;
    }
    json_decref(errors);
    json_decref(form);
    if (rc)
        return rc;
    char where[128];
    snprintf(where, sizeof where, REST "?done=%s&seq=%llu#recorded", which, (unsigned long long)seq);
    ws_redirect(req, pg.lang->code, where);
    return ACCORD_OK;
}

int workspace_post_action(http_req *req) { return post_form(req, "action", "action.recorded", action_body); }

int workspace_post_cycle(http_req *req) { return post_form(req, "cycle", "cycle.opened", cycle_body); }

int workspace_post_total(http_req *req) { return post_form(req, "total", "reported_total.recorded", total_body); }
