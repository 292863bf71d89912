/* Shared test fixtures: temporary databases with the demo data, the real
 * server started on a free port, and HTTP requests through libcurl. */
#ifndef ACCORD_TESTS_HELPERS_H
#define ACCORD_TESTS_HELPERS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "store/db.h"

/* A fresh temporary directory (caller frees the string; th_rmtree it). */
char *th_tempdir(void);

/* Removes a directory tree. */
void th_rmtree(const char *dir);

/* Path of a file in the source tree ("data/code-of-conduct.json"). */
const char *th_source_path(const char *rel);

/* The conformance vectors kept in the repository (tests/conformance), and
 * the optional extra folder of the same layout named by
 * ACCORD_CONFORMANCE_DIR (NULL when unset), whose vectors run as well. */
const char *th_conformance_dir(void);
const char *th_extra_conformance_dir(void);

/* Runs the accord binary with 'args' (NULL-terminated) and returns its
 * exit status; its stdout goes to '*out' when non-NULL (caller frees). */
int th_run_accord(char **out, const char *const *args);

/* As th_run_accord(), also returning standard error in '*err' (caller
 * frees) when non-NULL. */
int th_run_accord_full(char **out, char **err, const char *const *args);

/* Creates an account on 'db' through the CLI (password "correct horse
 * battery staple", written to a file in 'dir') and an API token for it,
 * copied into 'token' (at least 64 bytes). 'scope' may be NULL. */
void th_make_user(const char *dir, const char *db, const char *email, const char *role, const char *scope,
                  char *token);

/* Creates a database in 'dir' with `accord init` (and the demo dataset
 * when 'demo'), returning its path (caller frees) and the bootstrap admin
 * token in 'token' (at least 64 bytes). */
char *th_make_db(const char *dir, bool demo, char *token);

/* Opens the database at 'path'. Aborts the test on failure. */
store *th_open(const char *path);

/* Number of log entries and a digest of every public table's content:
 * a rejected request must change neither. */
uint64_t th_log_size(store *db);
/* The same, of the database at 'path' (opened and closed for it). */
uint64_t th_log_size_at(const char *path);
void th_state_digest(store *db, char out[65]);
/* th_state_digest() with the rows of each query in 'queries' (NULL
 * terminated) too: private tables a refused request must leave alone. */
void th_state_digest_with(store *db, const char *const *queries, char out[65]);

/* The server under test. */
typedef struct th_server {
    pid_t pid;
    unsigned port;
    char base[64]; /* "http://127.0.0.1:PORT" */
} th_server;

/* Starts `accord serve --port 0` on 'db_path' and waits until it listens. */
void th_server_start(th_server *s, const char *db_path);

/* Starts `accord <args>` (NULL-terminated; a server given --port 0) and
 * waits for its first stdout line, a banner ending in ":<port>/". */
void th_server_start_cmd(th_server *s, const char *const *args);
void th_server_stop(th_server *s);

/* Raw sockets, for limits no HTTP client shows. A TCP connection to
 * 127.0.0.1:'port' from loopback address 'src' (another client, as far as
 * per-address limits go), or -1. */
int th_connect_from(unsigned port, const char *src);
/* Sends all 'len' bytes at 'p' on 'fd'; false if the peer is gone. */
bool th_send_all(int fd, const char *p, size_t len);

/* Waits (up to 4 s) until the checkpoint served by 's' covers 'size'
 * entries; fails the test otherwise. */
void th_wait_checkpoint(const th_server *s, uint64_t size);

/* An HTTP exchange. 'headers' is NULL-terminated "Name: value" lines. */
typedef struct th_response {
    long status;
    char *body;          /* NUL-terminated, caller frees via th_response_free */
    size_t len;
    char content_type[128];
    char etag[128];
    char set_cookie[400];
    char cache_control[128];
    char content_disposition[1024];
    char allow_origin[64];      /* Access-Control-Allow-Origin, or "" */
    char vary[128];
    char content_encoding[32];
    char location[512];  /* the Location header, or "" */
    bool nosniff, frame_deny, csp;
    int retry_after;     /* the Retry-After header, 0 when absent */
    json_t *json;        /* parsed body when it is JSON, else NULL */
} th_response;

void th_http(th_response *r, const char *method, const char *url, const char *const *headers, const char *body,
             size_t body_len);
void th_response_free(th_response *r);
/* The status of 'r', which it frees: for a call whose body does not matter. */
long th_status(th_response r);

/* Waits until the log of server 's' (database 'db_path') is signed to its
 * full size, replays it into a new database at 'replayed' with accord
 * replay, and asserts that the public tables and the log are identical
 * ('what' says what that shows). Returns the replayed database, open, for
 * further checks (the caller closes it). */
store *th_replay_matches(const th_server *s, const char *db_path, const char *replayed, const char *what);

/* A request to 'path' on server 's' with bearer 'token' (NULL:
 * anonymous); 'type' is the Content-Type (NULL: application/json). */
th_response th_call(const th_server *s, const char *method, const char *path, const char *token, const char *type,
                    const void *body, size_t len);

/* A request to 's' at 'path' with up to two extra header lines ('h1',
 * 'h2'; either may be NULL) and a NUL-terminated 'body' (may be NULL):
 * what th_call() is for a caller that speaks with cookies, forms or its
 * own headers rather than a bearer token. */
th_response th_call_with(const th_server *s, const char *method, const char *path, const char *h1, const char *h2,
                         const char *body);

/* The workspace's forms. th_ws_sign_in() signs 'email' (URL-encoded) in
 * with 'password' (URL-encoded) through the sign-in form and writes the
 * "Cookie: ..." header line of its session into 'cookie'.
 * th_ws_csrf() GETs 'path' with that header (200 expected) and writes the
 * page's hidden CSRF field into 'csrf'. th_ws_post() POSTs the form
 * 'fields' to 'path' with the CSRF field of the page 'from' added. */
#define TH_FORM "Content-Type: application/x-www-form-urlencoded"
void th_ws_sign_in(const th_server *s, const char *email, const char *password, char *cookie, size_t len);
void th_ws_csrf(const th_server *s, const char *path, const char *cookie, char *csrf, size_t len);
th_response th_ws_post(const th_server *s, const char *path, const char *from, const char *cookie, const char *fields);

/* The usual end of a suite's fixture: stops 's', removes 'dir' and frees
 * 'dir' and 'db' (any of the three may be NULL). */
void th_fixture_end(th_server *s, char *dir, char *db);

/* The usual people of an API suite: a database with the demo data, its
 * bootstrap admin, a depositary, the focal points of KAZ and TUR, a
 * reviewer, and the server started on it; the tokens are theirs. */
typedef struct th_team {
    char *dir, *db;
    char admin[64], depositary[64], kaz[64], tur[64], reviewer[64];
    th_server server;
} th_team;

/* Sets up 't' as above; the reviewer's scope is 'reviewer_scope' (an
 * instrument code, or NULL for every instrument). Aborts the test on
 * failure. th_team_end() ends it. */
void th_team_start(th_team *t, const char *reviewer_scope);
/* The same with the admin alone: no other account is made. */
void th_team_start_admin(th_team *t);
void th_team_end(th_team *t);

/* Writes NUL-terminated 'text' to the file at 'path', replacing it. */
void th_write_file(const char *path, const char *text);

/* Copies data/'name' from the source tree into folder 'dir'. */
void th_copy_data(const char *dir, const char *name);

/* Runs `accord serve` on 'db' with ACCORD_DATA_DIR set to 'data_dir',
 * asserts that it refuses to start (exit status 2) and returns what it
 * wrote on standard error (caller frees): a data file it reads before it
 * listens is missing or broken. */
char *th_serve_refused(const char *db, const char *data_dir);


/* POSTs JSON 'body' with header 'auth'; returns the status, or 0 when the
 * server could not be reached (no assertion: used while killing it). */
long th_http_try(const char *url, const char *auth, const char *body);

/* The "error.code" of a JSON error body, or "" */
const char *th_error_code(const th_response *r);

/* A small file of 'kind', built at run time (caller frees; size in
 * '*len'). Kinds attachments take: "pdf", "png", "jpeg", "text", "csv",
 * "docx" (parts in the order Word writes them), "docx-libreoffice",
 * "xlsx", "odt", "ods". Kinds they refuse: "html", "svg", "json", "zip"
 * (a plain archive), "elf" (the start of the accord binary). */
unsigned char *th_fixture(const char *kind, size_t *len);

#endif
