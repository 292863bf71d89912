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

#endif
