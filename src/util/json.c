#include "util/json.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"

/* Appends 's' quoted, with '"', '\\' and control characters escaped: the
 * short escapes, else \u00xx in lowercase ('upper': uppercase, as
 * jansson writes them). */
static int escaped_string(const char *s, size_t len, bool upper, buf *out)
{
    int rc = buf_append(out, "\"", 1);
    size_t run = 0; /* start of the pending run of characters that need no escape */
    for (size_t i = 0; i < len && !rc; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        rc = buf_append(out, s + run, i - run);
        run = i + 1;
        switch (c) {
        case '"': rc = rc ? rc : buf_append(out, "\\\"", 2); break;
        case '\\': rc = rc ? rc : buf_append(out, "\\\\", 2); break;
        case '\b': rc = rc ? rc : buf_append(out, "\\b", 2); break;
        case '\f': rc = rc ? rc : buf_append(out, "\\f", 2); break;
        case '\n': rc = rc ? rc : buf_append(out, "\\n", 2); break;
        case '\r': rc = rc ? rc : buf_append(out, "\\r", 2); break;
        case '\t': rc = rc ? rc : buf_append(out, "\\t", 2); break;
        default: rc = rc ? rc : buf_printf(out, upper ? "\\u%04X" : "\\u%04x", c);
        }
    }
    if (!rc)
        rc = buf_append(out, s + run, len - run);
    return rc ? rc : buf_append(out, "\"", 1);
}

static int canon_string(const char *s, size_t len, buf *out) { return escaped_string(s, len, false, out); }

int json_write_string(buf *out, const char *s) { return canon_string(s, strlen(s), out); }

/* Compares two UTF-8 keys in UTF-16 code unit order, as RFC 8785 asks.
 * Byte order differs from it only for characters above U+FFFF against
 * U+E000..U+FFFF, so decode to code units only when both are non-ASCII. */
static int utf16_units(const unsigned char *s, uint16_t *out, size_t max)
{
    size_t n = 0;
    while (*s && n + 2 <= max) {
        uint32_t cp;
        int extra;
        if (*s < 0x80) { cp = *s; extra = 0; }
        else if ((*s & 0xE0) == 0xC0) { cp = *s & 0x1F; extra = 1; }
        else if ((*s & 0xF0) == 0xE0) { cp = *s & 0x0F; extra = 2; }
        else { cp = *s & 0x07; extra = 3; }
        s++;
        for (int i = 0; i < extra && *s; i++, s++)
            cp = (cp << 6) | (*s & 0x3F);
        if (cp >= 0x10000) {
            cp -= 0x10000;
            out[n++] = (uint16_t)(0xD800 + (cp >> 10));
            out[n++] = (uint16_t)(0xDC00 + (cp & 0x3FF));
        } else {
            out[n++] = (uint16_t)cp;
        }
    }
    return (int)n;
}

static int key_compare(const void *a, const void *b)
{
    const char *x = *(const char *const *)a, *y = *(const char *const *)b;
    /* Past a common prefix, an ASCII byte (or the end) on either side
     * orders both encodings alike: it is below every other unit. */
    const unsigned char *p = (const unsigned char *)x, *q = (const unsigned char *)y;
    while (*p && *p == *q)
        p++, q++;
    if (*p < 0x80 || *q < 0x80)
        return (*p > *q) - (*p < *q);
    uint16_t ux[256], uy[256];
    int nx = utf16_units((const unsigned char *)x, ux, 256);
    int ny = utf16_units((const unsigned char *)y, uy, 256);
    for (int i = 0; i < nx && i < ny; i++)
        if (ux[i] != uy[i])
            return ux[i] < uy[i] ? -1 : 1;
    return nx - ny;
}

static int canon_object(const json_t *v, buf *out)
{
    size_t n = json_object_size(v);
    const char **keys = malloc((n ? n : 1) * sizeof *keys);
    if (!keys)
        return accord_fail(ACCORD_ENOMEM, NULL, "out of memory");
    size_t i = 0;
    const char *k;
    json_t *child;
    json_object_foreach((json_t *)v, k, child) keys[i++] = k;
    qsort(keys, n, sizeof *keys, key_compare);
    int rc = buf_append(out, "{", 1);
    for (i = 0; i < n && !rc; i++) {
        if (i)
            rc = buf_append(out, ",", 1);
        if (!rc)
            rc = canon_string(keys[i], strlen(keys[i]), out);
        if (!rc)
            rc = buf_append(out, ":", 1);
        if (!rc)
            rc = json_canonical(json_object_get(v, keys[i]), out);
    }
    free(keys);
    return rc ? rc : buf_append(out, "}", 1);
}

int json_canonical(const json_t *v, buf *out)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return canon_object(v, out);
    case JSON_ARRAY: {
        int rc = buf_append(out, "[", 1);
        for (size_t i = 0; i < json_array_size(v) && !rc; i++) {
            if (i)
                rc = buf_append(out, ",", 1);
            if (!rc)
                rc = json_canonical(json_array_get(v, i), out);
        }
        return rc ? rc : buf_append(out, "]", 1);
    }
    case JSON_STRING: return canon_string(json_string_value(v), json_string_length(v), out);
    case JSON_INTEGER: return buf_printf(out, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    case JSON_TRUE: return buf_puts(out, "true");
    case JSON_FALSE: return buf_puts(out, "false");
    case JSON_NULL: return buf_puts(out, "null");
    case JSON_REAL: return accord_fail(ACCORD_EINVAL, NULL, "real numbers are not allowed in events");
    }
    return accord_fail(ACCORD_EINVAL, NULL, "unknown JSON type");
}

int json_parse_object(const char *text, size_t len, json_t **out)
{
    json_error_t err;
    json_t *v = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);
    if (!v)
        return accord_fail(ACCORD_EINVAL, NULL, "malformed JSON at line %d, column %d: %s", err.line, err.column,
                           err.text);
    if (!json_is_object(v)) {
        json_decref(v);
        return accord_fail(ACCORD_EINVAL, NULL, "the body must be a JSON object");
    }
    *out = v;
    return ACCORD_OK;
}

int json_only_keys(const json_t *obj, const char *const *allowed, const char *where)
{
    const char *k;
    json_t *child;
    json_object_foreach((json_t *)obj, k, child)
    {
        bool known = false;
        for (const char *const *a = allowed; *a && !known; a++)
            known = strcmp(*a, k) == 0;
        if (!known) {
            char field[128];
            snprintf(field, sizeof field, "%s%s%s", where ? where : "", where ? "." : "", k);
            return accord_fail(ACCORD_EINVAL, field, "%s: unknown field", field);
        }
    }
    return ACCORD_OK;
}

int json_get_string(const json_t *obj, const char *key, bool required, size_t maxlen, const char **out)
{
    json_t *v = json_object_get(obj, key);
    *out = NULL;
    if (!v || json_is_null(v)) {
        if (required)
            return accord_fail(ACCORD_EINVAL, key, "%s: is required", key);
        return ACCORD_OK;
    }
    if (!json_is_string(v))
        return accord_fail(ACCORD_EINVAL, key, "%s: must be a string", key);
    size_t len = json_string_length(v);
    const char *s = json_string_value(v);
    if (len == 0)
        return accord_fail(ACCORD_EINVAL, key, "%s: must not be empty", key);
    if (len > maxlen)
        return accord_fail(ACCORD_EINVAL, key, "%s: longer than %zu bytes", key, maxlen);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
            return accord_fail(ACCORD_EINVAL, key, "%s: contains a control character", key);
    }
    *out = s;
    return ACCORD_OK;
}

int json_get_int(const json_t *obj, const char *key, bool required, int64_t min, int64_t max, int64_t absent,
                 int64_t *out)
{
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v)) {
        if (required)
            return accord_fail(ACCORD_EINVAL, key, "%s: is required", key);
        *out = absent;
        return ACCORD_OK;
    }
    if (!json_is_integer(v))
        return accord_fail(ACCORD_EINVAL, key, "%s: must be an integer", key);
    int64_t x = json_integer_value(v);
    if (x < min || x > max)
        return accord_fail(ACCORD_EINVAL, key, "%s: must be between %" PRId64 " and %" PRId64, key, min, max);
    *out = x;
    return ACCORD_OK;
}

void json_set_str(json_t *obj, const char *key, const char *s)
{
    json_object_set_new(obj, key, s ? json_string(s) : json_null());
}

/* ---- the indented form of answers ---------------------------------------- */

/* True when the 'len' bytes at 's' are valid UTF-8, as jansson checks
 * before writing a string: no stray continuation byte, no overlong form,
 * no surrogate, nothing past U+10FFFF. */
static bool utf8_ok(const unsigned char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        if (s[i] < 0x80) {
            i++;
            continue;
        }
        unsigned char c = s[i];
        size_t n = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
        if (!n || i + n > len)
            return false;
        uint32_t cp = c & (n == 2 ? 0x1F : n == 3 ? 0x0F : 0x07);
        for (size_t k = 1; k < n; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += n;
    }
    return true;
}

/* A newline and two spaces per level of 'depth'. */
static int write_indent(buf *out, size_t depth)
{
    static const char line[] = "\n                                                                ";
    const size_t most = sizeof line - 2; /* spaces in 'line' */
    size_t left = 2 * depth, n = left < most ? left : most;
    int rc = buf_append(out, line, 1 + n);
    for (left -= n; left && !rc; left -= n) {
        n = left < most ? left : most;
        rc = buf_append(out, line + 1, n);
    }
    return rc;
}

static int write_indented(const json_t *v, size_t depth, buf *out)
{
    char num[32];
    int rc = ACCORD_OK;
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        void *it = json_object_iter((json_t *)v);
        if (!it)
            return buf_append(out, "{}", 2);
        rc = buf_append(out, "{", 1);
        if (!rc) rc = write_indent(out, depth + 1);
        while (it && !rc) {
            const char *key = json_object_iter_key(it);
            size_t klen = json_object_iter_key_len(it);
            rc = utf8_ok((const unsigned char *)key, klen) ? escaped_string(key, klen, true, out)
                                                            : accord_fail(ACCORD_EINVAL, NULL, "a key is not UTF-8");
            if (!rc) rc = buf_append(out, ": ", 2);
            if (!rc) rc = write_indented(json_object_iter_value(it), depth + 1, out);
            it = json_object_iter_next((json_t *)v, it);
            if (!rc) rc = it ? buf_append(out, ",", 1) : ACCORD_OK;
            if (!rc) rc = write_indent(out, it ? depth + 1 : depth);
        }
        return rc ? rc : buf_append(out, "}", 1);
    }
    case JSON_ARRAY: {
        size_t n = json_array_size(v);
        if (!n)
            return buf_append(out, "[]", 2);
        rc = buf_append(out, "[", 1);
        if (!rc) rc = write_indent(out, depth + 1);
        for (size_t i = 0; i < n && !rc; i++) {
            rc = write_indented(json_array_get(v, i), depth + 1, out);
            if (!rc) rc = i + 1 < n ? buf_append(out, ",", 1) : ACCORD_OK;
            if (!rc) rc = write_indent(out, i + 1 < n ? depth + 1 : depth);
        }
        return rc ? rc : buf_append(out, "]", 1);
    }
    case JSON_STRING: {
        const char *s = json_string_value(v);
        size_t len = json_string_length(v);
        if (!utf8_ok((const unsigned char *)s, len))
            return accord_fail(ACCORD_EINVAL, NULL, "a string is not UTF-8");
        return escaped_string(s, len, true, out);
    }
    case JSON_INTEGER:
        return buf_append(out, num, (size_t)snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v)));
    case JSON_TRUE:
        return buf_append(out, "true", 4);
    case JSON_FALSE:
        return buf_append(out, "false", 5);
    case JSON_NULL:
        return buf_append(out, "null", 4);
    default: {
        /* A real number: jansson's own digits (rare in answers). */
        char *text = json_dumps(v, JSON_ENCODE_ANY);
        rc = text ? buf_puts(out, text) : accord_fail(ACCORD_ENOMEM, NULL, "out of memory");
        free(text);
        return rc;
    }
    }
}

int json_write_indented(const json_t *v, buf *out)
{
    if (!v)
        return accord_fail(ACCORD_EINVAL, NULL, "no value to write");
    return write_indented(v, 0, out);
}
