/* Inside the http module: handlers that live outside routes.c. */
#ifndef ACCORD_HTTP_HANDLERS_H
#define ACCORD_HTTP_HANDLERS_H

#include "http/http.h"
#include "tabular/tabular.h"

int http_get_log(http_req *req);
int http_get_log_entries(http_req *req);
int http_get_log_inclusion(http_req *req);
int http_get_log_consistency(http_req *req);
int http_get_log_key(http_req *req);
int http_get_checkpoint(http_req *req);
int http_post_login(http_req *req);
int http_post_logout(http_req *req);
int http_get_me(http_req *req);
int http_post_me_password(http_req *req);
int http_get_users(http_req *req);
int http_get_user(http_req *req);
int http_post_users(http_req *req);
int http_post_user(http_req *req);
int http_get_tokens(http_req *req);
int http_post_tokens(http_req *req);
int http_delete_token(http_req *req);
int http_get_security_log(http_req *req);
int http_get_cycles(http_req *req);
int http_post_cycles(http_req *req);
int http_post_report_draft(http_req *req);
int http_get_report_drafts(http_req *req);
int http_get_restricted(http_req *req);
int http_post_submission(http_req *req);
int http_post_release(http_req *req);
int http_get_progress(http_req *req);
int http_get_released(http_req *req);
int http_post_review(http_req *req);
int http_get_ratings(http_req *req);
int http_get_matrix(http_req *req);
int http_get_trajectory(http_req *req);
int http_post_attachment(http_req *req);
int http_get_attachment(http_req *req);
/* The download route's resolver: HTTP_PARTY_PUBLIC once a released report
 * lists the file {sha256}, else the party in ?party=. */
int http_attachment_party(http_req *req, char *out, size_t len);
int http_get_template(http_req *req);
/* Makes the answer a download named 'name' (characters other than
 * letters, digits, dot, dash and underscore become dashes). */
void http_set_download(http_req *req, const char *name);
int http_post_import(http_req *req);

/* Replies with 'v' (taken) as JSON, or, with ?format=csv|xlsx, with
 * 'rows' (borrowed from 'v') made a table by 'table'. With ?format= the
 * answer is a download named 'stem' plus the format's extension. */
int http_reply_export(http_req *req, json_t *v, const json_t *rows, int (*table)(const json_t *, tabular_format, buf *),
                      const char *stem);
int http_get_summary(http_req *req);

/* Party resolvers for RULE_PARTY_* routes. */
int http_party_from_body(http_req *req, char *out, size_t len);
int http_party_from_path(http_req *req, char *out, size_t len);
/* The party in the query string (?party=), for routes whose body is not
 * JSON (uploads, imports). */
int http_party_from_query(http_req *req, char *out, size_t len);
int http_party_from_restricted(http_req *req, char *out, size_t len);
int http_get_tile(http_req *req);

/* Reads unsigned integer query parameter 'key' into '*out'; absent gives
 * 'absent' unless 'required'. Fails ACCORD_EINVAL naming the parameter. */
int http_query_u64(http_req *req, const char *key, bool required, uint64_t absent, uint64_t *out);

#endif
