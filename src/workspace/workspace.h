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

/* POST /{lang}/workspace/reports/{slug}/{cycle}/{party}/import: the
 * filled-in template (CSV or XLSX) as the form's file; the drafts of
 * POST .../imports, all rows or none; then 303 to the dashboard, or the
 * dashboard again with every problem's line and column. */
int workspace_post_import(http_req *req);

/* The party of a reports route: its {party}. */
int workspace_party_from_path(http_req *req, char *out, size_t len);

/* ---- each person's account (account.c) ---- */

/* GET /{lang}/workspace/account: the password form and one's API tokens
 * (never their secrets), with the form to make one. */
int workspace_account(http_req *req);

/* GET /{lang}/workspace/account/password and .../tokens, where a form
 * posts (a bookmark, or the address bar after a post): 303 to the account
 * page, rather than a bare "method not allowed". */
int workspace_account_again(http_req *req);

/* POST /{lang}/workspace/account/password: current_password, password,
 * password_again; auth_password_change() as POST /api/v1/me/password,
 * then 303 to the account page, or the page again with the problems. */
int workspace_post_password(http_req *req);

/* POST /{lang}/workspace/account/tokens: step=create (name, days,
 * current_password) answers with the new token's secret on this answer,
 * shown once; step=revoke (token) revokes one of one's own, then 303. */
int workspace_post_token(http_req *req);

/* ---- the administrator's pages (admin.c) ---- */

/* GET /{lang}/workspace/admin/accounts: every account, and the form to
 * add one. */
int workspace_admin_accounts(http_req *req);

/* POST the same path: email, display_name, role, scope, password and
 * password_again; auth_user_add() as POST /api/v1/users, then 303 to
 * the new account's page. */
int workspace_admin_add(http_req *req);

/* GET /{lang}/workspace/admin/accounts/{id}: the account, with the forms
 * to disable or enable it, change its role and scope, set its password. */
int workspace_admin_account(http_req *req);

/* POST the same path: step=disable, enable, role (role, scope) or
 * password (password, password_again); auth_user_change() as POST
 * /api/v1/users/{id}, then 303 to the account's page. */
int workspace_admin_change(http_req *req);

/* GET /{lang}/workspace/admin/security-log: the security log, newest
 * first, 50 events a page (?before=ID: the next page), filtered by
 * ?account=ID and ?kind=. */
int workspace_security_log(http_req *req);
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

/* GET /{lang}/workspace/reviews: the reviewers' queue (submitted reports,
 * awaiting review first by date; a reviewer scoped to one instrument sees
 * its reports only). */
int workspace_review_queue(http_req *req);

/* GET /{lang}/workspace/reviews/{slug}/{cycle}/{party}/{provision}: the
 * latest submitted version's text and files, the versions and reviews,
 * and the forms to return it with comments or rate it. */
int workspace_review(http_req *req);

/* POST the same path: "outcome" returned (with "comments") or rated (with
 * "rating" and "rationale"): the event of POST .../reviews; then 303 to
 * the report's page, or the page again with the problem beside its
 * field. */
int workspace_post_review(http_req *req);

/* GET /{lang}/workspace/depositary: the depositary's forms (record an
 * action, open a reporting cycle, record a reported total), the latest
 * notifications, and after an action (?seq=) the notification it made. */
int workspace_depositary(http_req *req);

/* POST /{lang}/workspace/depositary/actions, /cycles, /reported-totals:
 * the events of POST /api/v1/instruments/{slug}/actions, /cycles and
 * /reported-totals; then 303 to the page, or the page again with the
 * problem beside its field. */
int workspace_post_action(http_req *req);
int workspace_post_cycle(http_req *req);
int workspace_post_total(http_req *req);

#endif
