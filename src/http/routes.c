/* The route table and its handlers: thin adapters from HTTP to the
 * registry, depositary and ledger modules. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "attachment/attachment.h"
#include "depositary/depositary.h"
#include "events/events.h"
#include "http/assistance_handlers.h"
#include "http/handlers.h"
#include "http/http.h"
#include "http/respcache_int.h"
#include "ledger/ledger.h"
#include "portal/portal.h"
#include "workspace/workspace.h"
#include "registry/registry.h"
#include "util/date.h"
#include "util/error.h"
#include "util/json.h"

#define VERSION_TEXT ACCORD_VERSION

/* ---- matching ------------------------------------------------------------ */

/* Matches 'path' against 'pattern' segment by segment; "{x}" captures. */
static bool match(const char *pattern, const char *path, char *scratch, size_t len, const char **params)
{
    size_t used = 0;
    int n = 0;
    while (*pattern && *path) {
        if (*pattern != '/' || *path != '/')
            return false;
        pattern++, path++;
        size_t pl = strcspn(pattern, "/"), sl = strcspn(path, "/");
        if (strcmp(pattern, "{*}") == 0) {
            /* The rest of the path, slashes included. */
            sl = strlen(path);
            if (sl == 0 || n == HTTP_MAX_PARAMS || used + sl + 1 > len)
                return false;
            memcpy(scratch + used, path, sl + 1);
            params[n++] = scratch + used;
            return true;
        }
        if (pattern[0] == '{') {
            if (sl == 0 || n == HTTP_MAX_PARAMS || used + sl + 1 > len)
                return false;
            memcpy(scratch + used, path, sl);
            scratch[used + sl] = '\0';
            params[n++] = scratch + used;
            used += sl + 1;
        } else if (pl != sl || strncmp(pattern, path, pl) != 0) {
            return false;
        }
        pattern += pl, path += sl;
    }
    return *pattern == '\0' && *path == '\0';
}

const http_route *http_route_match(const char *method, const char *path, char *scratch, size_t scratch_len,
                                   const char **params, bool *path_known)
{
    *path_known = false;
    for (const http_route *r = http_routes; r->pattern; r++) {
        /* A pattern that failed part way may have captured a segment. */
        memset(params, 0, HTTP_MAX_PARAMS * sizeof *params);
        if (!match(r->pattern, path, scratch, scratch_len, params))
            continue;
        if (strcmp(r->method, method) == 0 || (strcmp(method, "HEAD") == 0 && strcmp(r->method, "GET") == 0))
            return r;
        *path_known = true;
    }
    return NULL;
}

void http_route_methods(const char *path, char *out, size_t len)
{
    char scratch[512];
    const char *params[HTTP_MAX_PARAMS];
    size_t used = 0;
    out[0] = '\0';
    for (const http_route *r = http_routes; r->pattern; r++) {
        if (!match(r->pattern, path, scratch, sizeof scratch, params))
            continue;
        const char *name = strcmp(r->method, "GET") == 0 ? "GET, HEAD" : r->method;
        int n = snprintf(out + used, len - used, "%s%s", used ? ", " : "", name);
        if (n < 0 || (size_t)n >= len - used)
            break;
        used += (size_t)n;
    }
}

int http_routes_check(void)
{
    for (const http_route *r = http_routes; r->pattern; r++) {
        if (r->rule == RULE_UNSET || !r->handler || !r->method ||
            ((r->rule == RULE_PARTY_WRITER || r->rule == RULE_PARTY_READER || r->rule == RULE_COORDINATOR ||
              r->rule == RULE_NEED_READER || r->rule == RULE_NEED_LINKER) && !r->party_of))
            return accord_fail(ACCORD_EENV, NULL, "route %s %s declares no complete access rule",
                               r->method ? r->method : "?", r->pattern);
        /* Only what is the same for everyone may be kept and served
         * again (respcache.c): a public read. */
        if (r->cache != HTTP_CACHE_NEVER && (r->rule != RULE_PUBLIC || strcmp(r->method, "GET") != 0))
            return accord_fail(ACCORD_EENV, NULL, "route %s %s is marked cacheable but is not a public read",
                               r->method, r->pattern);
        /* Access to a large-body route is decided before its body is
         * read, so its party cannot come from the body. */
        if (r->max_body && r->party_of == http_party_from_body)
            return accord_fail(ACCORD_EENV, NULL, "route %s %s takes a large body but finds its party in it",
                               r->method, r->pattern);
    }
    return ACCORD_OK;
}

/* ---- handlers ------------------------------------------------------------ */

static int reply(http_req *req, int rc, json_t *v)
{
    if (rc)
        return rc;
    req->json = v;
    return ACCORD_OK;
}

static int get_instruments(http_req *req)
{
    json_t *v;
    int rc = registry_list_instruments(req->db, &v);
    return reply(req, rc, rc ? NULL : json_pack("{s:o}", "instruments", v));
}

static int get_instrument(http_req *req)
{
    json_t *v;
    int rc = registry_get_instrument(req->db, req->params[0], &v);
    return reply(req, rc, v);
}

static int get_status(http_req *req)
{
    json_t *v;
    const char *format = http_query(req, "format");
    const char *as_of;
    if (format && strcmp(format, "json") && strcmp(format, "csv"))
        return accord_fail(ACCORD_EINVAL, "format", "format: must be json or csv");
    int rc = http_query_date(req, "as_of", &as_of);
    if (!rc)
        rc = depositary_status(req->db, req->params[0], as_of, &v);
    if (rc)
        return rc;
    if (format && strcmp(format, "csv") == 0) {
        rc = depositary_status_csv(v, &req->text);
        req->content_type = "text/csv; charset=utf-8";
        json_decref(v);
        return rc;
    }
    req->json = v;
    return ACCORD_OK;
}

static int get_actions(http_req *req)
{
    json_t *v;
    int rc = depositary_list_actions(req->db, req->params[0], &v);
    return reply(req, rc, rc ? NULL : json_pack("{s:s, s:o}", "instrument", req->params[0], "actions", v));
}

/* The recorded action as it now stands, with its log index. */
static int post_action_recorded(http_req *req, int rc, uint64_t seq)
{
    json_t *action = NULL;
    if (!rc)
        rc = depositary_action_by_seq(req->db, seq, &action);
    if (rc)
        return rc;
    req->status = 201;
    snprintf(req->location, sizeof req->location, "/api/v1/instruments/%s/actions", req->params[0]);
    json_object_set_new(action, "log_index", json_integer((json_int_t)seq));
    req->json = action;
    return ACCORD_OK;
}

static int post_action(http_req *req)
{
    static const char *const allowed[] = {"party", "type", "date", "date_precision", "place", "signer",
                                          "on_behalf_of", "note", "source", "confidence", "event", NULL};
    json_t *data;
    int rc = http_json_body(req, &data);
    if (rc)
        return rc;
    rc = json_only_keys(data, allowed, NULL);
    if (!rc) {
        json_object_set_new(data, "instrument", json_string(req->params[0]));
        rc = http_submit_event_then(req, "action.recorded", data, post_action_recorded);
    }
    json_decref(data);
    return rc;
}

/* POST /api/v1/instruments/{slug}/reported-totals: a total of
 * participants as a source reports it, recorded beside the count of
 * recorded actions (never merged with it). */
static int post_reported_total(http_req *req)
{
    static const char *const allowed[] = {"as_of", "qualifier", "count", "of", "source", NULL};
    json_t *data;
    uint64_t seq = 0;
    int rc = http_json_body(req, &data);
    if (rc)
        return rc;
    rc = json_only_keys(data, allowed, NULL);
    if (!rc) {
        json_object_set_new(data, "instrument", json_string(req->params[0]));
        rc = http_submit_event(req, "reported_total.recorded", data, &seq);
    }
    if (!rc) {
        req->status = 201;
        json_object_set_new(data, "log_index", json_integer((json_int_t)seq));
        req->json = json_incref(data);
    }
    json_decref(data);
    return rc;
}

static int get_notifications(http_req *req)
{
    json_t *v;
    int rc = depositary_list_notifications(req->db, req->params[0], &v);
    if (!rc) {
        size_t i;
        json_t *n;
        json_array_foreach(v, i, n) json_object_del(n, "seq");
    }
    return reply(req, rc, rc ? NULL : json_pack("{s:s, s:o}", "instrument", req->params[0], "notifications", v));
}

static int get_parties(http_req *req)
{
    json_t *v;
    int rc = registry_list_parties(req->db, http_query(req, "kind"), &v);
    return reply(req, rc, rc ? NULL : json_pack("{s:o}", "parties", v));
}

static int get_party(http_req *req)
{
    json_t *v, *actions;
    int rc = registry_get_party(req->db, req->params[0], &v);
    if (rc)
        return rc;
    rc = depositary_party_actions(req->db, req->params[0], &actions);
    if (rc) {
        json_decref(v);
        return rc;
    }
    json_object_set_new(v, "actions", actions);
    req->json = v;
    return ACCORD_OK;
}

static int get_groups(http_req *req)
{
    json_t *v;
    int rc = registry_list_groups(req->db, &v);
    return reply(req, rc, rc ? NULL : json_pack("{s:o}", "groups", v));
}

static int get_group(http_req *req)
{
    json_t *v = NULL;
    const char *as_of;
    int rc = http_query_date(req, "as_of", &as_of);
    if (!rc)
        rc = depositary_group_coverage(req->db, req->params[0], http_query(req, "instrument"), as_of, &v);
    return reply(req, rc, v);
}

static int get_regions(http_req *req)
{
    json_t *v;
    int rc = registry_m49_list(&v);
    return reply(req, rc, v);
}

static int get_health(http_req *req)
{
    uint64_t size;
    int version;
    int rc = ledger_size(req->db, &size);
    if (!rc) rc = store_schema_version(req->db, &version);
    return reply(req, rc, rc ? NULL : json_pack("{s:s, s:s, s:i, s:I, s:o}", "status", "ok", "version", VERSION_TEXT,
                                                "schema", version, "log_size", (json_int_t)size,
                                                "cache", respcache_stats_json()));
}

static int get_home(http_req *req)
{
    req->content_type = "text/html; charset=utf-8";
    int rc = buf_puts(&req->text,
                      "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                      "<title>accord</title></head><body>\n"
                      "<h1>accord</h1>\n"
                      "<p>The depositary record of the <em>Code of Conduct Towards Achieving a World Free of "
                      "Terrorism</em>: who signed or endorsed it, when, where, by whom, and on what source; its "
                      "numbered depositary notifications; and a public, append-only log of every change that anyone "
                      "can check.</p>\n<h2>API</h2>\n<ul>\n");
    for (const http_route *r = http_routes; r->pattern && !rc; r++) {
        if (strcmp(r->method, "GET") || strchr(r->pattern, '{') || strcmp(r->pattern, "/") == 0)
            rc = buf_printf(&req->text, "<li><code>%s %s</code> — %s</li>\n", r->method, r->pattern, r->summary);
        else
            rc = buf_printf(&req->text, "<li><a href=\"%s\"><code>%s %s</code></a> — %s</li>\n", r->pattern, r->method,
                            r->pattern, r->summary);
    }
    if (!rc)
        rc = buf_puts(&req->text,
                      "</ul>\n<p>Try <a href=\"/api/v1/instruments/code-of-conduct/status?as_of=2018-09-28\">status as "
                      "at 28 September 2018</a> or <a href=\"/api/v1/groups/turkic-council?instrument=code-of-conduct"
                      "&amp;as_of=2018-09-28\">Turkic Council coverage</a>. The API is described in "
                      "<code>docs/openapi.yaml</code>.</p>\n</body></html>\n");
    return rc;
}

int http_refused_page(http_req *req, const http_route *route, int rc)
{
    if (rc && strncmp(route->pattern, "/{lang}/workspace/", 18) == 0)
        return workspace_refused(req, rc);
    return rc;
}

/* A route line may end before its 'cache' field, which is then
 * HTTP_CACHE_NEVER: a route is cached only where its line says so. GCC's
 * -Wextra would call the shorter lines an error; here they are the design. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
const http_route http_routes[] = {
    {"GET", "/", RULE_PUBLIC, portal_root, "the portal, in the language Accept-Language prefers (a redirect)", NULL, 0},
    {"GET", "/api", RULE_PUBLIC, get_home, "this page: the API's endpoints", NULL, 0, HTTP_CACHE_PUBLIC},
    {"GET", "/healthz", RULE_PUBLIC, get_health, "liveness, schema version and log size", NULL, 0},
    {"GET", "/api/v1/instruments", RULE_PUBLIC, get_instruments, "instruments", NULL, 0, HTTP_CACHE_PUBLIC},
    {"GET", "/api/v1/instruments/{slug}", RULE_PUBLIC, get_instrument, "an instrument with its provisions", NULL, 0, HTTP_CACHE_PUBLIC},
    {"GET", "/api/v1/instruments/{slug}/status", RULE_PUBLIC, get_status,
     "participants as at ?as_of=YYYY-MM-DD, with sources and counts (&format=csv)", NULL, 0, HTTP_CACHE_PUBLIC},
    {"GET", "/api/v1/instruments/{slug}/actions", RULE_PUBLIC, get_actions, "every recorded action", NULL, 0, HTTP_CACHE_PUBLIC},
    {"POST", "/api/v1/instruments/{slug}/actions", RULE_RECORD_WRITER, post_action,
     "record an action (the depositary or an admin)", NULL, 0},
    {"POST", "/api/v1/instruments/{slug}/reported-totals", RULE_RECORD_WRITER, post_reported_total,
     "record a total of participants as a source reports it (the depositary or an admin)", NULL, 0},
    {"GET", "/api/v1/instruments/{slug}/notifications", RULE_PUBLIC, get_notifications, "depositary notifications", NULL, 0, HTTP_CACHE_PUBLIC},
    {"GET", "/api/v1/parties", RULE_PUBLIC, get_parties, "states, territories and organizations (?kind=state|territory|organization)", NULL, 0, HTTP_CACHE_PUBLIC},
    {"GET", "/api/v1/parties/{code}", RULE_PUBLIC, get_party, "a party with its actions and memberships", NULL, 0, HTTP_CACHE_PUBLIC},
    {"GET", "/api/v1/groups", RULE_PUBLIC, get_groups, "groups", NULL, 0, HTTP_CACHE_PUBLIC},
    {"GET", "/api/v1/groups/{code}", RULE_PUBLIC, get_group,
     "members and observers as at ?as_of=, and with ?instrument= who participated", NULL, 0, HTTP_CACHE_PUBLIC},
    {"GET", "/api/v1/regions", RULE_PUBLIC, get_regions,
     "UN M49 regions, subregions and intermediate regions, with the countries in each", NULL, 0, HTTP_CACHE_PUBLIC},
    {"GET", "/api/v1/log", RULE_PUBLIC, http_get_log, "log size and Merkle tree root", NULL, 0, HTTP_CACHE_PUBLIC},
    {"GET", "/api/v1/log/entries", RULE_PUBLIC, http_get_log_entries, "log entries (?start=&count=, at most 1000)", NULL, 0, HTTP_CACHE_PUBLIC},
    {"GET", "/api/v1/log/proof/inclusion", RULE_PUBLIC, http_get_log_inclusion,
     "inclusion proof of entry ?index= in the tree of ?size=", NULL, 0, HTTP_CACHE_PUBLIC},
    {"GET", "/api/v1/log/proof/consistency", RULE_PUBLIC, http_get_log_consistency,
     "consistency proof between tree sizes ?old= and ?new=", NULL, 0, HTTP_CACHE_PUBLIC},
    {"GET", "/api/v1/log/key", RULE_PUBLIC, http_get_log_key, "the log's origin and verifier key", NULL, 0, HTTP_CACHE_PUBLIC},
    {"GET", "/api/v1/instruments/{slug}/cycles", RULE_PUBLIC, http_get_cycles, "reporting cycles", NULL, 0, HTTP_CACHE_PUBLIC},
    {"POST", "/api/v1/instruments/{slug}/cycles", RULE_RECORD_WRITER, http_post_cycles,
     "open a reporting cycle (depositary)", NULL, 0},
    {"POST", "/api/v1/instruments/{slug}/cycles/{cycle}/reports", RULE_PARTY_WRITER, http_post_report_draft,
     "save a draft report on one provision (the party's focal point; logged as a commitment only)",
     http_party_from_body, 0},
    {"GET", "/api/v1/instruments/{slug}/cycles/{cycle}/reports/{party}", RULE_PARTY_READER, http_get_report_drafts,
     "a party's draft reports in a cycle (its focal point, or an admin)", http_party_from_path, 0},
    {"POST", "/api/v1/instruments/{slug}/cycles/{cycle}/submissions", RULE_PARTY_WRITER, http_post_submission,
     "submit the latest draft on a provision ({party, provision}; the party's focal point)", http_party_from_body, 0},
    {"POST", "/api/v1/instruments/{slug}/cycles/{cycle}/releases", RULE_PARTY_WRITER, http_post_release,
     "release a submitted report: its text becomes public ({party, provision}; the party's focal point)",
     http_party_from_body, 0},
    {"POST", "/api/v1/instruments/{slug}/cycles/{cycle}/attachments", RULE_PARTY_WRITER, http_post_attachment,
     "upload a file for the party's reports: its bytes as the body, ?party=&name= (the party's focal point; "
     ATTACHMENT_TYPES ", at most 8 MiB)",
     http_party_from_query, ATTACHMENT_MAX_SIZE},
    {"GET", "/api/v1/attachments/{sha256}", RULE_PARTY_READER, http_get_attachment,
     "download an attachment: anyone once a released report lists it; before, the focal point of the party that "
     "uploaded it (?party=), an admin or a reviewer of all instruments",
     http_attachment_party, 0},
    {"GET", "/api/v1/instruments/{slug}/cycles/{cycle}/progress", RULE_PUBLIC, http_get_progress,
     "who has submitted, who is due and who is overdue (?as_of=)", NULL, 0, HTTP_CACHE_PUBLIC},
    {"GET", "/api/v1/instruments/{slug}/cycles/{cycle}/published", RULE_PUBLIC, http_get_released,
     "the released reports of a cycle (?format=json|csv|xlsx)", NULL, 0, HTTP_CACHE_PUBLIC},
    {"GET", "/api/v1/instruments/{slug}/cycles/{cycle}/template", RULE_PARTY_READER, http_get_template,
     "a party's reporting template, one row per provision with its latest drafts (?party=, ?format=csv|xlsx)",
     http_party_from_query, 0},
    {"POST", "/api/v1/instruments/{slug}/cycles/{cycle}/imports", RULE_PARTY_WRITER, http_post_import,
     "import a filled-in template as drafts, all rows or none (?party=; the body is CSV or XLSX)",
     http_party_from_query, BULK_MAX_IMPORT},
    {"POST", "/api/v1/instruments/{slug}/cycles/{cycle}/reviews", RULE_REVIEWER, http_post_review,
     "return a submitted report with comments, or rate it (a reviewer)", NULL, 0},
    {"GET", "/api/v1/instruments/{slug}/cycles/{cycle}/ratings", RULE_PUBLIC, http_get_ratings,
     "ratings of a cycle: per party and provision the latest, with its history", NULL, 0, HTTP_CACHE_PUBLIC},
    {"GET", "/api/v1/instruments/{slug}/matrix", RULE_PUBLIC, http_get_matrix,
     "party x provision: latest rating and self-assessment (?as_of=, ?group=, ?region=, ?cycle=, "
     "?format=json|csv|xlsx)", NULL, 0, HTTP_CACHE_PUBLIC},
    {"GET", "/api/v1/instruments/{slug}/summary", RULE_PUBLIC, http_get_summary,
     "the matrix summarized per group or per UN M49 region (?by=group|region, ?as_of=, ?cycle=)", NULL, 0, HTTP_CACHE_PUBLIC},
    {"GET", "/api/v1/instruments/{slug}/trajectory", RULE_PUBLIC, http_get_trajectory,
     "share rated implemented per year against the straight path to the goal year (?as_of=)", NULL, 0, HTTP_CACHE_PUBLIC},
    {"GET", "/api/v1/log/restricted/{index}", RULE_PARTY_READER, http_get_restricted,
     "reveal a restricted log entry: salt and bytes behind its public commitment (its party's focal point, an admin, "
     "or a reviewer of all instruments)",
     http_party_from_restricted, 0},
    {"POST", "/api/v1/login", RULE_PUBLIC, http_post_login,
     "sign in with email and password: sets the session cookie, returns the CSRF token", NULL, 0},
    {"POST", "/api/v1/logout", RULE_SIGNED_IN, http_post_logout, "end the browser session", NULL, 0},
    {"GET", "/api/v1/me", RULE_SIGNED_IN, http_get_me, "the signed-in account", NULL, 0},
    {"POST", "/api/v1/me/password", RULE_SIGNED_IN, http_post_me_password,
     "change your own password ({current_password, new_password}; your other sessions end)", NULL, 0},
    {"GET", "/api/v1/users", RULE_ADMIN, http_get_users, "accounts (admin)", NULL, 0},
    {"POST", "/api/v1/users", RULE_ADMIN, http_post_users, "create an account (admin)", NULL, 0},
    {"GET", "/api/v1/users/{id}", RULE_ADMIN, http_get_user, "an account (admin)", NULL, 0},
    {"POST", "/api/v1/users/{id}", RULE_ADMIN, http_post_user,
     "change an account's role and scope, disable or enable it, set its password (admin)", NULL, 0},
    {"GET", "/api/v1/tokens", RULE_SIGNED_IN, http_get_tokens, "your API tokens (?all=1: everyone's, admin)", NULL, 0},
    {"POST", "/api/v1/tokens", RULE_SIGNED_IN, http_post_tokens, "create an API token (shown once)", NULL, 0},
    {"DELETE", "/api/v1/tokens/{id}", RULE_SIGNED_IN, http_delete_token, "revoke an API token", NULL, 0},
    {"GET", "/api/v1/security-log", RULE_ADMIN, http_get_security_log, "security events (admin; not public)", NULL, 0},
    {"GET", "/api/v1/assistance/entities", RULE_PUBLIC, http_get_assistance_entities,
     "providers of assistance: UN entities, organizations, states, donors (?format=csv: HXL)", NULL, 0, HTTP_CACHE_PUBLIC},
    {"POST", "/api/v1/assistance/entities", RULE_RECORD_WRITER, http_post_assistance_entity,
     "record an entity with its source (the depositary)", NULL, 0},
    {"GET", "/api/v1/assistance/entities/{entity}", RULE_PUBLIC, http_get_assistance_entity,
     "an entity with its offices and what each does where", NULL, 0, HTTP_CACHE_PUBLIC},
    {"GET", "/api/v1/assistance/offices", RULE_PUBLIC, http_get_assistance_offices,
     "headquarters and field offices (?entity=, ?country=, ?group=, ?region=, ?format=csv: HXL)", NULL, 0, HTTP_CACHE_PUBLIC},
    {"POST", "/api/v1/assistance/offices", RULE_RECORD_WRITER, http_post_assistance_office,
     "record an office with its source (the depositary)", NULL, 0},
    {"GET", "/api/v1/assistance/by-entity", RULE_PUBLIC, http_get_assistance_by_entity,
     "what an entity's offices, or one office, do where (?entity=unodc/almaty)", NULL, 0, HTTP_CACHE_PUBLIC},
    {"GET", "/api/v1/assistance/needs", RULE_PUBLIC, http_get_assistance_needs,
     "assistance needs the caller may see (?country=, ?group=, ?region=, ?access=, ?format=csv: HXL)", NULL, 0, HTTP_CACHE_PUBLIC},
    {"POST", "/api/v1/assistance/needs", RULE_PARTY_WRITER, http_post_assistance_need,
     "record a need of the state (its focal point); a providers or restricted need is logged as a commitment",
     http_need_beneficiary, 0},
    {"POST", "/api/v1/assistance/needs/from-report", RULE_PARTY_WRITER, http_post_assistance_need_from_report,
     "turn a report's assistance_needs text into a need ({instrument, cycle, party, provision}; the focal point)",
     http_party_from_body, 0},
    {"GET", "/api/v1/assistance/needs/{need}", RULE_NEED_READER, http_get_assistance_need,
     "one need: anyone if public; else its state, the secretariat, reviewers, admins (and coordinators at the "
     "providers level)", http_need_access, 0},
    {"GET", "/api/v1/assistance/needs/{need}/matches", RULE_NEED_READER, http_get_assistance_matches,
     "offers that could answer a need, ranked, with the reasons", http_need_access, 0},
    {"POST", "/api/v1/assistance/needs/{need}/links", RULE_NEED_LINKER, http_post_assistance_need_link,
     "link a need to an offer: records the activity that answers it ({offer, planned_start, ...}; the need's focal "
     "point, or a coordinator of the offer's entity when the need is not restricted)", http_need_linker, 0},
    {"GET", "/api/v1/assistance/offers", RULE_PUBLIC, http_get_assistance_offers,
     "offers of help (?entity=, ?format=csv: HXL)", NULL, 0, HTTP_CACHE_PUBLIC},
    {"POST", "/api/v1/assistance/offers", RULE_COORDINATOR, http_post_assistance_offer,
     "record an offer (a coordinator of the provider, or an admin)", http_offer_provider, 0},
    {"GET", "/api/v1/assistance/activities", RULE_PUBLIC, http_get_assistance_activities,
     "who does what where (?country=, ?entity=, ?status=, ?group=, ?region=, ?format=csv: HXL 3W | iati: IATI 2.03)",
     NULL, 0, HTTP_CACHE_PUBLIC},
    {"POST", "/api/v1/assistance/activities", RULE_COORDINATOR, http_post_assistance_activity,
     "record or update an activity (a coordinator of the implementing entity or office, or an admin)",
     http_activity_entity, 0},
    {"GET", "/api/v1/assistance/countries/{country}", RULE_PUBLIC, http_get_assistance_country,
     "one country: its needs, the offers that could serve them, activities and offices, per provision", NULL, 0, HTTP_CACHE_PUBLIC},
    {"GET", "/api/v1/assistance/gaps", RULE_PUBLIC, http_get_assistance_gaps,
     "needs with no activity, provisions with few providers, countries with no office (?group=, ?region=, "
     "?format=csv)", NULL, 0, HTTP_CACHE_PUBLIC},
    {"GET", "/api/v1/assistance/overlaps", RULE_PUBLIC, http_get_assistance_overlaps,
     "entities on the same provision in the same country in overlapping periods (?group=, ?region=, ?format=csv)",
     NULL, 0, HTTP_CACHE_PUBLIC},
    {"GET", "/api/v1/assistance/matrix", RULE_PUBLIC, http_get_assistance_matrix,
     "state x provision: assistance requested and under way (?country=, ?group=, ?region=, ?format=csv)", NULL, 0, HTTP_CACHE_PUBLIC},
    {"GET", "/api/v1/assistance/frameworks/{framework}/{item}", RULE_PUBLIC, http_get_assistance_framework,
     "everything linked to an SDG target, GCTS pillar or Security Council resolution (sdg/16.a)", NULL, 0, HTTP_CACHE_PUBLIC},
    {"POST", "/api/v1/assistance/framework-links", RULE_RECORD_WRITER, http_post_assistance_framework_link,
     "link a provision to an SDG target, GCTS pillar or resolution, with a source (the depositary)", NULL, 0},
    {"GET", "/api/v1/assistance/events", RULE_PUBLIC, http_get_assistance_meetings,
     "meetings and ceremonies, with who presented or spoke in an official capacity (?party=)", NULL, 0, HTTP_CACHE_PUBLIC},
    {"POST", "/api/v1/assistance/events", RULE_RECORD_WRITER, http_post_assistance_meeting,
     "record a meeting or ceremony with its source (the depositary)", NULL, 0},
    {"GET", "/log/checkpoint", RULE_PUBLIC, http_get_checkpoint,
     "the latest signed checkpoint (C2SP tlog-checkpoint), with witness cosignatures", NULL, 0},
    {"GET", "/log/tile/{*}", RULE_PUBLIC, http_get_tile,
     "hash tiles and entry bundles (C2SP tlog-tiles): /log/tile/<L>/<N>[.p/<W>], /log/tile/entries/<N>[.p/<W>]", NULL, 0, HTTP_CACHE_PUBLIC},
    /* The workspace (src/workspace): pages for signed-in people, before
     * the portal's /{lang}/{*}. Refusals become pages (http_refused_page). */
    {"GET", "/{lang}/workspace/sign-in", RULE_PUBLIC, workspace_sign_in_page, "the workspace's sign-in page", NULL, 0},
    {"POST", "/{lang}/workspace/sign-in", RULE_PUBLIC, workspace_sign_in,
     "sign in from the workspace's form (then a redirect)", NULL, 0},
    {"POST", "/{lang}/workspace/sign-out", RULE_SIGNED_IN, workspace_sign_out, "sign out (a form)", NULL, 0},
    {"GET", "/{lang}/workspace/reports/{slug}/{cycle}/{party}", RULE_PARTY_READER, workspace_reports,
     "a party's reports in a cycle: each provision's state; ?provision=N: its form", workspace_party_from_path, 0},
    {"POST", "/{lang}/workspace/reports/{slug}/{cycle}/{party}", RULE_PARTY_WRITER, workspace_post_report,
     "save a draft version (with a file to attach), preview it, submit or release (a form; the party's focal point)",
     workspace_party_from_path, ATTACHMENT_MAX_SIZE + 1024 * 1024},
    {"POST", "/{lang}/workspace/reports/{slug}/{cycle}/{party}/import", RULE_PARTY_WRITER, workspace_post_import,
     "import the party's filled-in template (a form with the file; all rows or none)", workspace_party_from_path,
     BULK_MAX_IMPORT + 64 * 1024},
    /* The workspace's assistance pages (src/workspace/assistance.c). */
    {"GET", "/{lang}/workspace/assistance/needs/{party}", RULE_PARTY_READER, workspace_assistance_needs,
     "a party's assistance needs, the offers that could answer each, and the form to record one",
     workspace_assistance_party, 0},
    {"POST", "/{lang}/workspace/assistance/needs/{party}", RULE_PARTY_WRITER, workspace_post_assistance_need,
     "preview or record a need of the party (a form; its focal point)", workspace_assistance_party, 0},
    {"GET", "/{lang}/workspace/assistance/providers/{entity}", RULE_COORDINATOR, workspace_assistance_provider,
     "an entity's offers and activities, and the forms to record them (its coordinators)", workspace_assistance_party,
     0},
    {"GET", "/{lang}/workspace/assistance/providers/{entity}/offices/{office}", RULE_COORDINATOR,
     workspace_assistance_provider, "the same page for a coordinator of one of the entity's offices",
     workspace_assistance_office, 0},
    {"POST", "/{lang}/workspace/assistance/providers/{entity}/offers", RULE_COORDINATOR,
     workspace_post_assistance_offer, "record an offer of the entity (a form; its coordinators)",
     workspace_assistance_party, 0},
    {"POST", "/{lang}/workspace/assistance/providers/{entity}/activities", RULE_COORDINATOR,
     workspace_post_assistance_activity,
     "record an activity of the entity or one of its offices (a form; a coordinator of the implementing one)",
     workspace_assistance_implementing, 0},
    {"GET", "/{lang}/workspace/", RULE_SIGNED_IN, workspace_home, "the workspace: who is signed in, what they may do",
     NULL, 0},
    /* The depositary's desk (workspace/depositary.c). */
    {"GET", "/{lang}/workspace/depositary", RULE_RECORD_WRITER, workspace_depositary,
     "the depositary's forms and the latest notifications", NULL, 0},
    {"POST", "/{lang}/workspace/depositary/actions", RULE_RECORD_WRITER, workspace_post_action,
     "record an action (a form; the depositary)", NULL, 0},
    {"POST", "/{lang}/workspace/depositary/cycles", RULE_RECORD_WRITER, workspace_post_cycle,
     "open a reporting cycle (a form; the depositary)", NULL, 0},
    {"POST", "/{lang}/workspace/depositary/reported-totals", RULE_RECORD_WRITER, workspace_post_total,
     "record a reported total (a form; the depositary)", NULL, 0},
    /* The reviewer's pages (workspace/review.c). */
    {"GET", "/{lang}/workspace/reviews", RULE_REVIEWER, workspace_review_queue,
     "the reviewers' queue: the latest submitted version of every report", NULL, 0},
    {"GET", "/{lang}/workspace/reviews/{slug}/{cycle}/{party}/{provision}", RULE_REVIEWER, workspace_review,
     "a submitted report with its text, files, versions and reviews, and the review forms", NULL, 0},
    {"POST", "/{lang}/workspace/reviews/{slug}/{cycle}/{party}/{provision}", RULE_REVIEWER, workspace_post_review,
     "return a report with comments or rate it (a form; a reviewer)", NULL, 0},
    /* The workspace's account pages (everyone signed in) and the
     * administrator's pages (workspace/account.c, workspace/admin.c). */
    {"GET", "/{lang}/workspace/account", RULE_SIGNED_IN, workspace_account,
     "your account: change your password, your API tokens", NULL, 0},
    {"POST", "/{lang}/workspace/account/password", RULE_SIGNED_IN, workspace_post_password,
     "change your password (a form)", NULL, 0},
    {"POST", "/{lang}/workspace/account/tokens", RULE_SIGNED_IN, workspace_post_token,
     "create an API token (shown once on the answer) or revoke one (a form)", NULL, 0},
    {"GET", "/{lang}/workspace/account/password", RULE_SIGNED_IN, workspace_account_again,
     "where the password form posts: a redirect to the account page", NULL, 0},
    {"GET", "/{lang}/workspace/account/tokens", RULE_SIGNED_IN, workspace_account_again,
     "where the token forms post: a redirect to the account page", NULL, 0},
    {"GET", "/{lang}/workspace/admin/accounts", RULE_ADMIN, workspace_admin_accounts,
     "accounts, and the form to add one (admin)", NULL, 0},
    {"POST", "/{lang}/workspace/admin/accounts", RULE_ADMIN, workspace_admin_add, "add an account (a form; admin)",
     NULL, 0},
    {"GET", "/{lang}/workspace/admin/accounts/{id}", RULE_ADMIN, workspace_admin_account,
     "an account with the forms that change it (admin)", NULL, 0},
    {"POST", "/{lang}/workspace/admin/accounts/{id}", RULE_ADMIN, workspace_admin_change,
     "disable, enable, change the role and scope of, or set the password of an account (a form; admin)", NULL, 0},
    {"GET", "/{lang}/workspace/admin/security-log", RULE_ADMIN, workspace_security_log,
     "the security log, newest first (?account=, ?kind=, ?before=; admin)", NULL, 0},
    /* The portal (src/portal): after every other route, since /{lang}/ would match them. */
    {"GET", "/static/{file}", RULE_PUBLIC, portal_static, "the stylesheet (its name carries its hash)", NULL, 0, HTTP_CACHE_PUBLIC},
    {"GET", "/feeds/notifications.atom", RULE_PUBLIC, portal_atom, "depositary notifications as an Atom 1.0 feed", NULL, 0, HTTP_CACHE_PUBLIC},
    /* One pair per language, not "/{lang}/{*}", which would make every
     * unknown path a known one (405 for a POST instead of 404). */
#define PORTAL_LANGUAGE(code)                                                                                 \
    {"GET", "/" code "/", RULE_PUBLIC, portal_dispatch, "the portal's home page", NULL, 0, HTTP_CACHE_PUBLIC}, \
    {"GET", "/" code "/{*}", RULE_PUBLIC, portal_dispatch, "the portal's pages", NULL, 0, HTTP_CACHE_PUBLIC}
    PORTAL_LANGUAGE("ar"), PORTAL_LANGUAGE("zh"), PORTAL_LANGUAGE("en"),
    PORTAL_LANGUAGE("fr"), PORTAL_LANGUAGE("ru"), PORTAL_LANGUAGE("es"),
#undef PORTAL_LANGUAGE
    {NULL, NULL, RULE_UNSET, NULL, NULL, NULL, 0, HTTP_CACHE_NEVER},
};
#pragma GCC diagnostic pop
