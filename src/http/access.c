/* Access control: every route's rule is applied here, and only here. */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <microhttpd.h>

#include "http/http.h"
#include "util/error.h"
#include "web/web.h"

#define SESSION_COOKIE "accord_session"

static bool is_state_changing(const char *method)
{
    return strcmp(method, "GET") && strcmp(method, "HEAD") && strcmp(method, "OPTIONS");
}

/* Finds the caller's credentials: a bearer token, else the session
 * cookie. '*present' says whether any was offered. */
static int authenticate(http_req *req, principal *p, bool *present)
{
    const char *h = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
    const char *cookie = MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, SESSION_COOKIE);
    *present = h || cookie;
    memset(p, 0, sizeof *p);
    if (h) {
        if (strncasecmp(h, "Bearer ", 7) != 0)
            return accord_fail(ACCORD_EAUTH, NULL, "only bearer tokens are accepted in Authorization");
        return auth_check_token(req->db, h + 7, p);
    }
    if (cookie)
        return auth_check_session(req->db, cookie, p);
    return accord_fail(ACCORD_EAUTH, NULL, "sign in first: POST /api/v1/login, or send Authorization: Bearer <token>");
}

/* True when the session's CSRF token came with the request: in the
 * X-CSRF-Token header (scripts), or, for a form posted by a browser
 * without JavaScript, in its field HTTP_CSRF_FIELD. Both are checked the
 * same way against the session. */
static bool csrf_given(http_req *req, const principal *p)
{
    const char *csrf = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, "X-CSRF-Token");
    if (csrf)
        return auth_check_csrf(req->db, p, csrf);
    json_t *form;
    if (!req->body || http_read_form(req, &form, NULL, 0) != ACCORD_OK) {
        accord_error_clear();
        return false;
    }
    csrf = json_string_value(json_object_get(form, HTTP_CSRF_FIELD));
    bool ok = csrf && auth_check_csrf(req->db, p, csrf);
    json_decref(form);
    return ok;
}

static bool role_is(const principal *p, const char *role) { return strcmp(p->role, role) == 0; }

/* A reviewer of all instruments, or of the one in the route's {slug}. */
static bool reviews_instrument(const principal *p, const http_route *route, const http_req *req)
{
    if (!role_is(p, "reviewer"))
        return false;
    if (!p->scope[0])
        return true;
    /* A reviewer scoped to one instrument: its routes under the API, its
     * reports in the workspace, and the workspace's queue, which shows
     * that instrument's reports only. */
    if (strcmp(route->pattern, "/{lang}/workspace/reviews") == 0)
        return true;
    if (strncmp(route->pattern, "/{lang}/workspace/reviews/{slug}", 32) == 0)
        return req->params[1] && strcmp(req->params[1], p->scope) == 0;
    return strncmp(route->pattern, "/api/v1/instruments/{slug}", 26) == 0 && req->params[0] &&
           strcmp(req->params[0], p->scope) == 0;
}

/* A party reader's resource that has been made public (a released
 * report's attachment: its resolver answers HTTP_PARTY_PUBLIC) is open to
 * anyone. Asked before authenticating, so that a refusal still carries
 * the authentication error; a resource that is not public (or does not
 * exist) gets the same answer as a private one, so anonymous callers
 * learn nothing of what is stored. */
static bool resource_is_public(http_req *req, const http_route *route)
{
    char party[AUTH_SCOPE_LEN];
    return (route->rule == RULE_PARTY_READER || route->rule == RULE_NEED_READER) && route->party_of &&
           !is_state_changing(req->method) &&
           route->party_of(req, party, sizeof party) == ACCORD_OK && strcmp(party, HTTP_PARTY_PUBLIC) == 0;
}

int http_authorize(http_req *req, const http_route *route, principal *p)
{
    bool present;
    req->who = NULL;
    if (route->rule == RULE_UNSET)
        return accord_fail(ACCORD_EFORBIDDEN, NULL, "this route declares no access rule");
    bool open = route->rule == RULE_PUBLIC || resource_is_public(req, route);
    int rc = authenticate(req, p, &present);
    snprintf(p->client, sizeof p->client, "%s", req->client); /* for the security log */
    if (open) {
        /* Public reads need no credentials; bad ones are not an error
         * here, the caller is just anonymous. */
        if (!rc)
            req->who = p;
        accord_error_clear();
        return ACCORD_OK;
    }
    if (rc)
        return rc;
    if (p->via_session && is_state_changing(req->method) && !req->headers_only) {
        if (!csrf_given(req, p))
            return accord_fail(ACCORD_EFORBIDDEN, NULL,
                               "missing or wrong X-CSRF-Token: send the token that login returned");
    }
    switch (route->rule) {
    case RULE_SIGNED_IN: break;
    case RULE_ADMIN:
        if (!role_is(p, "admin"))
            return accord_fail(ACCORD_EFORBIDDEN, NULL, "only an admin may do this");
        break;
    case RULE_RECORD_WRITER:
        if (!role_is(p, "admin") && !role_is(p, "depositary"))
            return accord_fail(ACCORD_EFORBIDDEN, NULL, "only the depositary (or an admin) may do this");
        break;
    case RULE_REVIEWER:
        if (!reviews_instrument(p, route, req))
            return accord_fail(ACCORD_EFORBIDDEN, NULL, "only a reviewer of this instrument may do this");
        break;
    case RULE_PARTY_WRITER:
    case RULE_PARTY_READER: {
        bool admin_reads = route->rule == RULE_PARTY_READER &&
                           (role_is(p, "admin") || reviews_instrument(p, route, req));
        if (!admin_reads && !role_is(p, "focal_point"))
            return accord_fail(ACCORD_EFORBIDDEN, NULL, "only the party's focal point may do this");
        if (!admin_reads) {
            char party[AUTH_SCOPE_LEN];
            if (!route->party_of)
                return accord_fail(ACCORD_EFORBIDDEN, NULL, "this route names no party");
            if ((rc = route->party_of(req, party, sizeof party)))
                return rc;
            if (strcmp(party, p->scope) != 0)
                return accord_fail(ACCORD_EFORBIDDEN, "party", "a focal point of %s may not act for %s", p->scope,
                                   party);
        }
        break;
    }
    case RULE_COORDINATOR: {
        if (role_is(p, "admin"))
            break;
        if (!role_is(p, "coordinator"))
            return accord_fail(ACCORD_EFORBIDDEN, NULL, "only a coordinator of the entity (or an admin) may do this");
        char entity[AUTH_SCOPE_LEN];
        if ((rc = route->party_of(req, entity, sizeof entity)))
            return rc;
        if (!auth_scope_within("coordinator", p->scope, entity))
            return accord_fail(ACCORD_EFORBIDDEN, "entity", "a coordinator of %s may not act for %s", p->scope, entity);
        break;
    }
    case RULE_NEED_READER: {
        /* A restricted need: its state, the secretariat (depositary),
         * reviewers and admins. At the providers level, coordinators too. */
        if (role_is(p, "admin") || role_is(p, "depositary") || role_is(p, "reviewer"))
            break;
        char found[AUTH_SCOPE_LEN];
        if ((rc = route->party_of(req, found, sizeof found)))
            return rc;
        const char *sep = strchr(found, HTTP_NEED_SEPARATOR);
        bool providers = sep && strncmp(found, "providers", (size_t)(sep - found)) == 0;
        if (role_is(p, "focal_point") && sep && strcmp(sep + 1, p->scope) == 0)
            break;
        if (role_is(p, "coordinator") && providers)
            break;
        return accord_fail(ACCORD_EFORBIDDEN, "need",
                           "this need is not public: only its state, the secretariat, reviewers%s and admins may see it",
                           providers ? ", coordinators" : "");
    }
    case RULE_NEED_LINKER: {
        /* The need's state links its own needs, whatever their level; a
         * coordinator links those it may see (public or providers) to an
         * offer of its entity, implemented by it or one of its offices. */
        if (role_is(p, "admin"))
            break;
        if (!role_is(p, "focal_point") && !role_is(p, "coordinator"))
            return accord_fail(ACCORD_EFORBIDDEN, NULL,
                               "only the need's state, a coordinator of the offer's entity, or an admin may link it");
        char found[2 * AUTH_SCOPE_LEN];
        if ((rc = route->party_of(req, found, sizeof found)))
            return rc;
        char *sep = strchr(found, HTTP_NEED_SEPARATOR), *entity = strchr(found, HTTP_LINK_SEPARATOR);
        if (!sep || !entity || entity < sep)
            return accord_fail(ACCORD_EFORBIDDEN, NULL, "this route names no need and offer");
        *entity++ = '\0';
        bool hidden = strncmp(found, "restricted", (size_t)(sep - found)) == 0;
        if (role_is(p, "focal_point") && strcmp(sep + 1, p->scope) == 0)
            break;
        if (role_is(p, "coordinator") && !hidden && auth_scope_within("coordinator", p->scope, entity))
            break;
        return accord_fail(ACCORD_EFORBIDDEN, "need",
                           "only the need's state, a coordinator of the offer's entity%s, or an admin may link it",
                           hidden ? " (not for a restricted need)" : "");
    }
    default: return accord_fail(ACCORD_EFORBIDDEN, NULL, "unknown access rule");
    }
    req->who = p;
    return ACCORD_OK;
}

void http_assistance_viewer(const http_req *req, assistance_viewer *out)
{
    const principal *p = req->who;
    *out = ASSISTANCE_PUBLIC;
    if (!p)
        return;
    out->all = role_is(p, "admin") || role_is(p, "depositary") || role_is(p, "reviewer");
    out->providers = out->all || role_is(p, "coordinator");
    if (role_is(p, "focal_point"))
        out->party = p->scope;
}
