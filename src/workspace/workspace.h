/* The workspace: the pages of the server where focal points, reviewers,
 * the depositary and admins do their work in a browser, behind the
 * sign-in, in the six languages of the portal.
 *
 * Pages live under /{lang}/workspace/. Forms work without JavaScript:
 * each posts application/x-www-form-urlencoded with the session's CSRF
 * token in a hidden field (checked by http/access.c like the
 * X-CSRF-Token header), then redirects to a page that shows the result.
 * Every write calls the module functions the API handlers call. */
#ifndef ACCORD_WORKSPACE_WORKSPACE_H
#define ACCORD_WORKSPACE_WORKSPACE_H

#include "http/http.h"

/* GET /{lang}/workspace/sign-in: the sign-in form (?expired=1 after a
 * session ended, ?signed_out=1 after signing out). */
int workspace_sign_in_page(http_req *req);

/* POST /{lang}/workspace/sign-in: email and password; on success sets the
 * session cookie and redirects (303) to the workspace's home page; else
 * the form again, filled in, with what went wrong. */
int workspace_sign_in(http_req *req);

/* POST /{lang}/workspace/sign-out: ends the session, redirects to the
 * sign-in page. */
int workspace_sign_out(http_req *req);

/* GET /{lang}/workspace/: who is signed in and what their role may do. */
int workspace_home(http_req *req);

/* GET /{lang}/workspace/reports/{slug}/{cycle}/{party}: the cycle's
 * dashboard for the party (each provision's state, the due date, overdue
 * or not); with ?provision=N the form of that provision's report. */
int workspace_reports(http_req *req);

/* POST the same path: the form's "step" is "save" (a new draft version),
 * "submit" or "release", for its "provision". Redirects to the dashboard;
 * a refused draft comes back as the form, filled in, with the problem
 * beside its field. */
int workspace_post_report(http_req *req);

/* The party of a reports route: its {party}. */
int workspace_party_from_path(http_req *req, char *out, size_t len);

/* GET /{lang}/workspace/assistance/needs/{party}: the party's needs (at
 * every access level the caller may see), each with the offers that
 * could answer it, and the form to record one. */
int workspace_assistance_needs(http_req *req);

/* POST the same path: "step" is "preview" (the form again, with its text
 * rendered) or "save" (records the need as POST /api/v1/assistance/needs
 * does, then 303 to the list); a refused need comes back as the form,
 * filled in, with the problem beside its field. */
int workspace_post_assistance_need(http_req *req);

/* GET /{lang}/workspace/assistance/providers/{entity} (and
 * .../{entity}/offices/{office}, an office's coordinator's page): the
 * entity's offers and activities, and the forms to record them (the
 * offer form only for the entity's own coordinators). */
int workspace_assistance_provider(http_req *req);

/* POST .../providers/{entity}/offers and .../activities: records an offer
 * of the entity, or an activity of the entity or one of its offices, as
 * the API's POST /api/v1/assistance/offers and /activities do; 303 to the
 * entity's page, or the form again with the problem beside its field. */
int workspace_post_assistance_offer(http_req *req);
int workspace_post_assistance_activity(http_req *req);

/* The party of an assistance needs route: its {party}. */
int workspace_assistance_party(http_req *req, char *out, size_t len);

/* The office of an office's page: "{entity}/{office}". */
int workspace_assistance_office(http_req *req, char *out, size_t len);

/* The implementing entity or office of a posted activity form (its
 * "implementing" field), which the coordinator rule checks. */
int workspace_assistance_implementing(http_req *req, char *out, size_t len);

/* Turns the refusal 'rc' of a workspace page (access.c said no, or the
 * handler failed) into a page: a redirect to the sign-in page when the
 * caller is not signed in (or the session ended), else a page in the
 * caller's language with the status of 'rc'. Returns 0 once the page is
 * made, 'rc' when it could not be. */
int workspace_refused(http_req *req, int rc);

#endif
