/* The API server, on the HTTP skeleton (httpd/httpd.h): JSON bodies via
 * jansson, one store connection per worker thread.
 *
 * Requests pass through one pipeline: route lookup, the route's access
 * rule, body limits and content type, then the handler. Errors from any
 * step become {"error":{"code","message","field"}} with the status that
 * accord_error_http_status() gives. */
#ifndef ACCORD_HTTP_HTTP_H
#define ACCORD_HTTP_HTTP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "assistance/assistance.h"
#include "attachment/attachment.h"
#include "bulk/bulk.h"
#include "auth/auth.h"
#include "events/events.h"
#include "events/committer.h"
#include "store/db.h"
#include "util/buf.h"

#define HTTP_MAX_BODY (64 * 1024) /* request bodies past this get 413, unless the route allows more */
#define HTTP_MAX_PARAMS 5
#define HTTP_MAX_ANSWER (16 * 1024 * 1024) /* a JSON answer past this is refused (500), never sent */

/* The limits on connections and bodies in flight are the skeleton's
 * (httpd/httpd.h, HTTPD_*; docs/internals/httpd.md, "Limits"). */
#define HTTP_CACHE_BYTES (64 * 1024 * 1024) /* default cap of the response cache (bodies and their gzip variants) */
#define HTTP_CACHE_OFF ((size_t)1) /* a cap that keeps nothing: the cache is off */

typedef struct http_config {
    const char *db_path;
    const char *address; /* IPv4 or IPv6 literal to bind, e.g. "127.0.0.1" */
    unsigned port;       /* 0 picks a free port */
    unsigned threads;    /* worker threads in the pool */
    const char *key_path;          /* log signing key; NULL: the one 'accord init' made */
    unsigned checkpoint_interval;  /* ms between checkpoint signatures under load */
    int secure_cookies;            /* 1 on, 0 off, -1 auto: on unless bound to loopback */
    unsigned max_per_address;      /* connections at once from one client address; 0: HTTPD_MAX_PER_ADDRESS */
    size_t body_budget;            /* bytes of request bodies held at once; 0: HTTPD_BODY_BUDGET */
    size_t cache_bytes;            /* the response cache's cap; 0: HTTP_CACHE_BYTES; HTTP_CACHE_OFF: no cache */
    const struct witness_peer *witnesses;
    size_t nwitnesses;
    /* Called once the server listens, with the port it got. */
    void (*on_ready)(unsigned port, void *arg);
    void *on_ready_arg;
} http_config;

/* Serves until SIGINT or SIGTERM. Fails ACCORD_EENV if the database is
 * missing or out of date, or the address cannot be bound. */
int http_serve(const http_config *cfg);

/* One request as the handlers see it. */
struct http_later;

typedef struct http_req {
    struct MHD_Connection *conn;
    const char *method;
    const char *path;
    const char *params[HTTP_MAX_PARAMS]; /* {name} segments of the route, in order */
    const char *body;                    /* NUL-terminated; NULL when none */
    size_t body_len;
    json_t *body_json;  /* the body parsed by http_json_body(), kept for the request */
    bool headers_only;  /* access is being decided before the body came (a large-body route): a form's CSRF
                           field is checked when it has, before the handler */
    store *db;
    const principal *who; /* NULL for anonymous callers */

    /* The response: a JSON value, or text with its content type. */
    int status;
    json_t *json;
    buf text;
    const char *content_type;
    const char *cache_control; /* set by handlers with their own caching */
    const char *vary;          /* a Vary header value (a negotiated answer), or NULL */
    char content_disposition[1024]; /* a Content-Disposition header value (downloads), or "" */
    json_t *error_extra;       /* keys added to the error object of a failure (an import's rows); freed by the pipeline */
    char location[256];
    char set_cookie[320];      /* a Set-Cookie header value, or "" */
    int retry_after;           /* seconds, for 429; 0 for none */
    char allow[64];            /* the Allow header of a 405 */
    char client[64];           /* the caller's address, for throttling and the security log */
    bool cors;                 /* a public read: open to every origin unless the answer is private */
    struct http_later *later;  /* set by the pipeline: where a request set aside waits (http_submit_event_then) */
} http_req;

/* The request accessors (request.c). Query parameter 'key', or NULL. Borrowed for the request's lifetime. */
const char *http_query(http_req *req, const char *key);

/* The dates a query may ask about: from the year the United Nations was
 * founded to HTTP_DATE_YEARS_AHEAD years past today. Views are computed
 * per year or per event up to the date, so an open range would let one
 * request make the server build (and hold) an answer of any size. */
#define HTTP_FIRST_DATE "1945-01-01"
#define HTTP_DATE_YEARS_AHEAD 10

/* Query parameter 'key' as a date in that range, into '*out' (borrowed,
 * NULL when absent). Fails ACCORD_EINVAL naming the parameter otherwise. */
int http_query_date(http_req *req, const char *key, const char **out);

/* Parses the JSON object body into '*out' (caller decrefs): 415 unless
 * the content type is application/json, 400 if malformed. The body is
 * parsed once per request: an access rule that reads it and the handler
 * share the parse (and see each other's additions). */
int http_json_body(http_req *req, json_t **out);

/* A file posted with a form (multipart/form-data): the first part that
 * names a file. 'bytes' is the caller's to buf_free() once 'given'. */
typedef struct http_form_file {
    bool given;
    char field[64];   /* the form field's name */
    char name[256];   /* the file's name as the browser sent it (may be cut) */
    buf bytes;
} http_form_file;

/* The form posted as the body, application/x-www-form-urlencoded or
 * multipart/form-data, its text fields into '*fields' (new object; a
 * repeated field keeps its last value) and, when 'file' is not NULL, its
 * first file into '*file' (at most 'file_cap' bytes: ACCORD_ETOOBIG
 * past it). Fails ACCORD_EMEDIA for any other body, ACCORD_EINVAL for a
 * malformed one. A multipart body is read with libmicrohttpd's post
 * processor over the body the server already holds. */
int http_read_form(http_req *req, json_t **fields, http_form_file *file, size_t file_cap);

/* Stores the file 'bytes' ('len' bytes) named 'name' that 'party' uploads
 * for its reports in 'cycle' of 'slug': checks the name and the type
 * (attachment module), then submits attachment.stored with the bytes
 * written in the event's transaction. What POST .../attachments does;
 * the workspace's draft form calls it too. Fills '*file' and '*seq'. */
int http_store_attachment(http_req *req, const char *slug, const char *cycle, const char *party, const char *name,
                          const void *bytes, size_t len, attachment_file *file, uint64_t *seq);

/* Imports the filled-in template 'data' ('len' bytes, CSV or XLSX) of
 * 'party' in 'cycle' of 'slug' as drafts, all rows or none: what POST
 * .../imports does, and the workspace's import form. '*im' holds the
 * outcome (its errors, with line and column, when it fails ACCORD_ERULE);
 * the caller calls bulk_import_free(im) in every case. */
int http_import_reports(http_req *req, const char *slug, const char *cycle, const char *party, const void *data,
                        size_t len, bulk_import *im);

/* Submits a state change made by the caller as one logged event, through
 * the server's group committer; returns once it is durable or refused. */
int http_submit_event(http_req *req, const char *type, json_t *data, uint64_t *out_seq);

/* How a handler that submitted with http_submit_event_then() finishes:
 * 'rc' and 'seq' are what http_submit_event() would have returned, the
 * error message set; 'req' is a fresh request (same connection, route,
 * parameters, body and caller; no answer yet). Returns as a handler. */
typedef int (*http_then)(http_req *req, int rc, uint64_t seq);

/* http_submit_event() for a handler with nothing left to do but answer:
 * the request is set aside while its event waits for the group commit,
 * so that the thread serves other connections meanwhile, and 'then'
 * answers once the event is committed or refused. 'type' must be a
 * string literal; 'data' is kept (a reference is taken). The handler
 * returns what this returns, and sets no answer of its own. Where a
 * request cannot be set aside (a second submission, or a request the
 * pipeline did not make), the event is submitted and 'then' called at
 * once. */
int http_submit_event_then(http_req *req, const char *type, json_t *data, http_then then);

/* http_submit_event() for an event that names bytes it does not carry (an
 * upload): 'prepare' stores them on the writer thread, in the event's own
 * transaction, just before it is applied (events_append_with). */
int http_submit_event_with(http_req *req, const char *type, json_t *data, events_prepare prepare, void *prepare_arg,
                           uint64_t *out_seq);
/* Runs 'work' on the server's writer thread inside its transaction: for
 * a change made of several events, committed all together or not at all
 * (committer_run). 'work' appends them as the request's caller. */
int http_run_writes(committer_work work, void *arg);

/* Who may call a route. Every route declares one; the server refuses to
 * start if one does not. */
typedef enum http_rule {
    RULE_UNSET = 0,
    RULE_PUBLIC,         /* anyone, no credentials needed */
    RULE_SIGNED_IN,      /* any enabled account */
    RULE_ADMIN,          /* admin accounts */
    RULE_RECORD_WRITER,  /* admin or depositary (the secretariat) */
    RULE_PARTY_WRITER,   /* the focal point of the party the request is about */
    RULE_PARTY_READER,   /* that focal point, an admin, or a reviewer of the instrument */
    RULE_REVIEWER,       /* a reviewer of all instruments or of the one in {slug} */
    RULE_COORDINATOR,    /* an admin, or a coordinator of the entity or office the request is about */
    RULE_NEED_READER,    /* who may see the assistance need the request is about (its access level) */
    RULE_NEED_LINKER,    /* an admin, the need's state's focal point, or a coordinator of the offer's entity or
                            the office that will implement, when the need is public or at the providers level */
} http_rule;

/* What the caller of 'req' may see of the assistance needs: everything
 * for admins, the depositary (secretariat) and reviewers; needs at the
 * 'providers' level for coordinators and the depositary; a focal point's
 * own party's needs; public needs for everyone. Decided here, with the
 * route rules, and applied by the views. */
void http_assistance_viewer(const http_req *req, assistance_viewer *out);

/* What RULE_NEED_READER's resolver answers: HTTP_PARTY_PUBLIC for a
 * public need, else "<access>:<party>" ("restricted:KAZ"). */
#define HTTP_NEED_SEPARATOR ':'

/* What RULE_NEED_LINKER's resolver answers: "<access>:<party> <entity>",
 * the need's access level and state, and the entity or office that will
 * implement the activity ("public:KAZ unodc/almaty"). */
#define HTTP_LINK_SEPARATOR ' '


/* True if the server marks session cookies Secure. */
bool http_secure_cookies(void);

typedef int (*http_handler)(http_req *req);

/* Whether a route's answers may be kept in the response cache (respcache.c).
 * The zero value is "no": a route line that says nothing is never cached,
 * so a route is cached only where someone has decided it may be. */
typedef enum http_cache {
    HTTP_CACHE_NEVER = 0,
    /* A public GET whose answer depends on nothing but the URL (path and
     * query) and the log. Only requests that carry no credentials are
     * answered from, or kept in, the cache: a public route may show a
     * signed-in caller more (assistance needs), so theirs is built for them. */
    HTTP_CACHE_PUBLIC,
} http_cache;

typedef struct http_route {
    const char *method;
    const char *pattern; /* "/api/v1/instruments/{slug}"; a last "{*}" takes the rest */
    http_rule rule;
    http_handler handler;
    const char *summary;
    /* For RULE_PARTY_*: finds the party the request is about (from the
     * path, the body or the resource) into 'out'; for a reader, possibly
     * HTTP_PARTY_PUBLIC. For RULE_COORDINATOR: the entity or office the
     * request acts for. For RULE_NEED_READER: the need's access (above).
     * For RULE_NEED_LINKER: the need and the implementer (above). */
    int (*party_of)(http_req *req, char *out, size_t len);
    /* The largest request body the route takes (uploads, imports); 0 means
     * HTTP_MAX_BODY. Past it the request gets 413. Access to such a route
     * is decided when the headers arrive, so its party_of must not read
     * the body (http_routes_check refuses http_party_from_body). */
    size_t max_body;
    http_cache cache; /* omitted: HTTP_CACHE_NEVER */
} http_route;

/* What a RULE_PARTY_READER route's party_of answers for a resource that
 * has been made public (a released report's attachment): anyone may read
 * it, as under RULE_PUBLIC. No party has this code. */
#define HTTP_PARTY_PUBLIC "*"

/* The form field that carries the session's CSRF token in a form posted
 * without JavaScript (application/x-www-form-urlencoded). */
#define HTTP_CSRF_FIELD "csrf_token"

/* Decides whether the caller of 'req' may use 'route': authenticates
 * (bearer token, else session cookie), applies the route's rule, and for
 * a session checks the CSRF token on state-changing requests (the
 * X-CSRF-Token header, or a form's HTTP_CSRF_FIELD). Sets req->who. This
 * is the only place where access is decided. */
int http_authorize(http_req *req, const http_route *route, principal *p);

/* Parses the query value 'value' of parameter 'key' (untrusted,
 * NUL-terminated) as a non-negative decimal integer without sign or
 * leading zeroes into '*out'. ACCORD_EINVAL, naming 'key', otherwise. */
int http_parse_u64(const char *key, const char *value, uint64_t *out);

/* The route table (routes.c), ending with a zeroed entry. */
extern const http_route http_routes[];

/* Finds the route for 'method' and 'path', capturing parameters into
 * 'params' (pointing into 'scratch', which must outlive them). Returns
 * NULL and sets '*path_known' when only the method did not match. */
const http_route *http_route_match(const char *method, const char *path, char *scratch, size_t scratch_len,
                                   const char **params, bool *path_known);

/* Writes the methods that 'path' accepts ("GET, HEAD, POST") to 'out'. */
void http_route_methods(const char *path, char *out, size_t len);

/* What a refusal 'rc' of 'route' (by the access rule or the handler)
 * becomes: for the workspace's pages a page or a redirect to sign in
 * (returns 0 once req holds it), for every other route 'rc' itself,
 * answered as JSON. */
int http_refused_page(http_req *req, const http_route *route, int rc);

/* Fails if any route lacks a rule or a handler, or takes a large body
 * but finds its party in the body. */
int http_routes_check(void);

#endif
