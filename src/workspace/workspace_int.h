/* Inside the workspace: what its page files share (workspace.c,
 * reports.c). */
#ifndef ACCORD_WORKSPACE_WORKSPACE_INT_H
#define ACCORD_WORKSPACE_WORKSPACE_INT_H

#include <jansson.h>

#include "http/http.h"
#include "web/web.h"

/* One page request: its language and the part of the path after /{lang}/
 * (for the language switcher and the permalink). */
typedef struct ws_page {
    http_req *req;
    const web_lang *lang;
    const char *rest; /* "workspace/sign-in"; borrowed */
} ws_page;

/* Fills 'pg' for the request's {lang}; fails ACCORD_ENOTFOUND for an
 * unknown language. */
int ws_page_open(http_req *req, const char *rest, ws_page *pg);

/* The model every workspace page starts from (new object), with the CSRF
 * token its forms carry when the caller has a session; 'title' is a
 * msgid. */
json_t *ws_page_base(const ws_page *pg, const char *title);

/* Renders template 'name' with 'model' (taken), never cached. */
int ws_page_render(const ws_page *pg, const char *name, json_t *model);

/* 303 See Other to /{lang}/{path}. */
void ws_redirect(http_req *req, const char *lang, const char *path);

/* The posted form (new object; the caller decrefs); ACCORD_EMEDIA unless
 * the body is a form. */
int ws_read_form(http_req *req, json_t **out);

/* Field 'key' of 'form', "" when absent. Borrowed. */
const char *ws_form_text(const json_t *form, const char *key);

/* Adds problem 'msgid', in the page's language, to 'errors' under 'field'
 * ("" for the form as a whole, stored as "form"). */
void ws_add_problem(const ws_page *pg, json_t *errors, const char *field, const char *msgid);

/* ---- shared by the account and admin pages (workspace.c) ---- */

/* Turns the refusal 'rc' of a form's post into problems on 'errors': a
 * lock-out (with the time to try again), a wrong current password beside
 * "current_password", or the module's message beside the field it names
 * ("form_detail" when none), each with the summary 'summary' (a msgid);
 * sets the answer's status and clears the error. Returns 0 when 'rc' was
 * such a refusal (the form is to be shown again), else 'rc'. */
int ws_form_refusal(const ws_page *pg, json_t *errors, int rc, const char *summary);

/* Renders template 'name' with model 'm' (taken), its "errors" set to
 * 'errors' (taken; NULL: none) and its "done" to the notice, in the
 * page's language, that the page's ?done= names in 'notices' (pairs of
 * word and msgid, ended by a pair of NULLs): a page with forms, as shown
 * after the 303 that follows a post, or again with a post's problems. */
int ws_render_form_page(const ws_page *pg, json_t *m, json_t *errors, const char *const (*notices)[2],
                        const char *name);

/* ws_page_open() and ws_read_form() of a post: '*form' is the caller's
 * to decref (NULL when the page or the form could not be read). */
int ws_open_form(http_req *req, const char *rest, ws_page *pg, json_t **form);

/* Adds a problem to 'errors' unless the form's "password" is given and
 * its "password_again" the same. */
void ws_check_new_password(const ws_page *pg, const json_t *form, json_t *errors);

/* The label of 'role' in the page's language. Borrowed. */
const char *ws_role_label(const ws_page *pg, const char *role);

/* The log time 'timestamp' (RFC 3339, UTC) as the page shows it: the
 * date in the page's language and the time of day in UTC. */
void ws_when(const ws_page *pg, const char *timestamp, char *out, size_t len);

/* ---- reports (reports.c), shared with the reviewer's pages ---- */

/* The msgid of a report's state ("no_draft", "draft", "submitted",
 * "returned", "rated", "released"), to translate with web_t(). */
const char *ws_report_state_label(const char *state);

/* The msgid of a report's self-assessed status ("in_progress"...). */
const char *ws_report_status_label(const char *status);

/* The msgid of a rating ("largely_implemented"...) (review.c). */
const char *ws_rating_label(const char *code);

#endif
