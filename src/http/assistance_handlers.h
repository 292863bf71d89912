/* Inside the http module: the capacity-building and coordination routes
 * (assistance_handlers.c). */
#ifndef ACCORD_HTTP_ASSISTANCE_HANDLERS_H
#define ACCORD_HTTP_ASSISTANCE_HANDLERS_H

#include "http/http.h"

int http_get_assistance_entities(http_req *req);
int http_get_assistance_entity(http_req *req);
int http_post_assistance_entity(http_req *req);
int http_get_assistance_offices(http_req *req);
int http_post_assistance_office(http_req *req);
int http_get_assistance_by_entity(http_req *req);
int http_get_assistance_needs(http_req *req);
int http_get_assistance_need(http_req *req);
int http_get_assistance_matches(http_req *req);
int http_post_assistance_need(http_req *req);
int http_post_assistance_need_from_report(http_req *req);
int http_post_assistance_need_link(http_req *req);
int http_get_assistance_offers(http_req *req);
int http_post_assistance_offer(http_req *req);
int http_get_assistance_activities(http_req *req);
int http_post_assistance_activity(http_req *req);
int http_get_assistance_country(http_req *req);
int http_get_assistance_gaps(http_req *req);
int http_get_assistance_overlaps(http_req *req);
int http_get_assistance_matrix(http_req *req);
int http_get_assistance_framework(http_req *req);
int http_post_assistance_framework_link(http_req *req);
int http_get_assistance_meetings(http_req *req);
int http_post_assistance_meeting(http_req *req);

/* Resolvers of the access rules: the need's access level and state
 * (RULE_NEED_READER); the entity a request acts for (RULE_COORDINATOR);
 * the state a new need is for (RULE_PARTY_WRITER). */
int http_need_access(http_req *req, char *out, size_t len);
int http_need_beneficiary(http_req *req, char *out, size_t len);

/* The need that POST /api/v1/assistance/needs/from-report records, made
 * from its body 'body' ({instrument, cycle, party, provision} and the
 * need's optional fields; borrowed): the report's assistance_needs text,
 * the party as beneficiary, restricted and of medium priority unless
 * given. '*out' is a new object the caller decrefs; the workspace's form
 * posts the same need. */
int http_need_from_report(store *db, const json_t *body, json_t **out);
int http_offer_provider(http_req *req, char *out, size_t len);
int http_activity_entity(http_req *req, char *out, size_t len);
/* RULE_NEED_LINKER: the need's access and state and the implementer of
 * the activity a link would record (HTTP_LINK_SEPARATOR). */
int http_need_linker(http_req *req, char *out, size_t len);

#endif
