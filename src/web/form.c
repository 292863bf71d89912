/* HTML form bodies (application/x-www-form-urlencoded, WHATWG URL
 * standard §5): what a browser posts when a form works without
 * JavaScript. */
#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "web/web.h"

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes 'len' bytes at 's' ('+' is a space, %XX a byte) into 'out'
 * (at least len + 1 bytes), NUL-terminated. A '%' not followed by two hex
 * digits stays as it is, as browsers read it. Fails on an encoded NUL. */
static int decode(const char *s, size_t len, char *out)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        int hi, lo;
        if (s[i] == '+')
            out[n++] = ' ';
        else if (s[i] == '%' && i + 2 < len && (hi = hex_value(s[i + 1])) >= 0 &&
                 (lo = hex_value(s[i + 2])) >= 0) {
            if (hi == 0 && lo == 0)
                return accord_fail(ACCORD_EINVAL, NULL, "the form has an encoded NUL (%%00)");
            out[n++] = (char)(hi * 16 + lo);
            i += 2;
        } else
            out[n++] = s[i];
    }
    out[n] = '\0';
    web_form_newlines(out, n);
    return ACCORD_OK;
}

size_t web_form_newlines(char *s, size_t len)
{
    /* Browsers send a textarea's line breaks as CR LF (HTML's form
     * submission normalizes them so); the text is stored with LF, as the
     * API takes it, and a CR is nowhere else wanted. */
    size_t w = 0;
    for (size_t r = 0; r < len; r++) {
        if (s[r] == '\r') {
            s[w++] = '\n';
            if (r + 1 < len && s[r + 1] == '\n')
                r++;
        } else
            s[w++] = s[r];
    }
    s[w] = '\0';
    return w;
}

static bool utf8_text(const char *s)
{
    json_t *probe = json_string(s);
    json_decref(probe);
    return probe != NULL;
}

int web_form_parse(const char *body, size_t len, json_t **out)
{
    json_t *form = json_object();
    char *name = malloc(len + 1), *value = malloc(len + 1);
    int rc = form && name && value ? ACCORD_OK : accord_fail(ACCORD_ENOMEM, NULL, "out of memory reading a form");
    for (size_t start = 0; !rc && start < len;) {
        const char *pair = body + start;
        const char *amp = memchr(pair, '&', len - start);
        size_t plen = amp ? (size_t)(amp - pair) : len - start;
        start += plen + 1;
        if (plen == 0)
            continue;
        const char *eq = memchr(pair, '=', plen);
        size_t nlen = eq ? (size_t)(eq - pair) : plen;
        rc = decode(pair, nlen, name);
        if (!rc) rc = decode(eq ? eq + 1 : pair + plen, eq ? plen - nlen - 1 : 0, value);
        if (rc)
            break;
        json_t *v = json_string(value); /* NULL unless valid UTF-8 */
        if (!v || !utf8_text(name)) {
            json_decref(v);
            rc = accord_fail(ACCORD_EINVAL, NULL, "the form's fields must be UTF-8 text");
            break;
        }
        json_object_set_new(form, name, v); /* a repeated field: the last one counts */
    }
    free(name);
    free(value);
    if (rc) {
        json_decref(form);
        return rc;
    }
    *out = form;
    return ACCORD_OK;
}
