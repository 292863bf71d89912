/* One error convention for the whole program.
 *
 * Functions return int: 0 (ACCORD_OK) on success or a negative code from
 * enum accord_err. Where the error is detected, accord_fail() records a
 * human message and, when one input field is at fault, its name. The
 * message is thread-local, so each HTTP worker thread and the CLI read
 * their own; the HTTP layer turns it into {"error":{"code","message"}}. */
#ifndef ACCORD_UTIL_ERROR_H
#define ACCORD_UTIL_ERROR_H

enum accord_err {
    ACCORD_OK = 0,
    ACCORD_EINVAL = -1,     /* malformed input (HTTP 400, CLI exit 1) */
    ACCORD_EAUTH = -2,      /* missing or bad credentials (401) */
    ACCORD_EFORBIDDEN = -3, /* authenticated but not allowed (403) */
    ACCORD_ENOTFOUND = -4,  /* unknown resource (404) */
    ACCORD_ECONFLICT = -5,  /* clashes with recorded state (409) */
    ACCORD_ETOOBIG = -6,    /* input over its size cap (413) */
    ACCORD_EMEDIA = -7,     /* wrong content type (415) */
    ACCORD_ERULE = -8,      /* well-formed but breaks a domain rule (422) */
    ACCORD_EVERIFY = -9,    /* a proof or signature does not verify */
    ACCORD_ESTORE = -10,    /* the database failed (500, CLI exit 2) */
    ACCORD_ENOMEM = -11,    /* out of memory (500) */
    ACCORD_EENV = -12,      /* environment: missing file, busy port (exit 2) */
    ACCORD_EMETHOD = -13,   /* the resource does not accept this method (405) */
    ACCORD_ETHROTTLED = -14, /* too many attempts; retry later (429) */
    ACCORD_EBUSY = -15,     /* the server is at a resource limit; retry later (503) */
};

/* Records 'code' with a printf-style message and returns 'code', so call
 * sites read: return accord_fail(ACCORD_ERULE, "date", "...", ...).
 * 'field' names the offending input field, or is NULL. */
int accord_fail(int code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Re-reports the last error of a nested field of 'parent' as
 * "<parent>.<message>", unless the message already names the parent, and
 * sets the field to 'parent'. Returns 'code'. */
int accord_fail_nested(int code, const char *parent);

/* The message and field of the last accord_fail() on this thread. Borrowed;
 * valid until the next accord_fail() or accord_error_clear() here. */
const char *accord_error_message(void);
const char *accord_error_field(void);
void accord_error_clear(void);

/* Stable machine-readable name of 'code' ("invalid", "not_found", ...). */
const char *accord_error_name(int code);

/* HTTP status for 'code' (400..500). */
int accord_error_http_status(int code);

/* CLI exit status for 'code': 0 ok, 1 bad input, 2 environment, 3 verify. */
int accord_error_exit_status(int code);

#endif
