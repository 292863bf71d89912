#include "util/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static _Thread_local char last_message[512];
static _Thread_local char last_field[64];

int accord_fail(int code, const char *field, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_message, sizeof last_message, fmt, ap);
    va_end(ap);
    snprintf(last_field, sizeof last_field, "%s", field ? field : "");
    return code;
}

int accord_fail_nested(int code, const char *parent)
{
    char inner[sizeof last_message];
    size_t n = strlen(parent);
    snprintf(inner, sizeof inner, "%s", last_message);
    if (strncmp(inner, parent, n) == 0 && inner[n] == '.')
        return accord_fail(code, parent, "%s", inner);
    return accord_fail(code, parent, "%s.%s", parent, inner);
}

const char *accord_error_message(void)
{
    return last_message[0] ? last_message : "unknown error";
}

const char *accord_error_field(void)
{
    return last_field[0] ? last_field : NULL;
}

void accord_error_clear(void)
{
    last_message[0] = '\0';
    last_field[0] = '\0';
}

static const struct {
    int code;
    const char *name;
    int http;
    int exit;
} table[] = {
    {ACCORD_OK, "ok", 200, 0},
    {ACCORD_EINVAL, "invalid", 400, 1},
    {ACCORD_EAUTH, "unauthorized", 401, 1},
    {ACCORD_EFORBIDDEN, "forbidden", 403, 1},
    {ACCORD_ENOTFOUND, "not_found", 404, 1},
    {ACCORD_ECONFLICT, "conflict", 409, 1},
    {ACCORD_ETOOBIG, "too_large", 413, 1},
    {ACCORD_EMEDIA, "unsupported_media_type", 415, 1},
    {ACCORD_ERULE, "rule_violated", 422, 1},
    {ACCORD_EVERIFY, "verification_failed", 422, 3},
    {ACCORD_ESTORE, "storage_error", 500, 2},
    {ACCORD_ENOMEM, "out_of_memory", 500, 2},
    {ACCORD_EMETHOD, "method_not_allowed", 405, 1},
    {ACCORD_ETHROTTLED, "too_many_requests", 429, 1},
    {ACCORD_EBUSY, "unavailable", 503, 2},
    {ACCORD_EENV, "environment", 500, 2},
};

static size_t find(int code)
{
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (table[i].code == code)
            return i;
    return find(ACCORD_EENV); /* unknown codes are reported as environment */
}

const char *accord_error_name(int code) { return table[find(code)].name; }
int accord_error_http_status(int code) { return table[find(code)].http; }
int accord_error_exit_status(int code) { return table[find(code)].exit; }
