/* The three escapers the template renderer chooses between. */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "util/error.h"
#include "web/web.h"

int web_escape_html(buf *out, const char *s)
{
    int rc = ACCORD_OK;
    const char *run = s;
    for (; *s && !rc; s++) {
        const char *rep;
        switch (*s) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&#34;"; break;
        case '\'': rep = "&#39;"; break;
        default: continue;
        }
        rc = buf_append(out, run, (size_t)(s - run));
        if (!rc)
            rc = buf_puts(out, rep);
        run = s + 1;
    }
    if (!rc)
        rc = buf_append(out, run, (size_t)(s - run));
    return rc;
}

int web_escape_url_component(buf *out, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    int rc = ACCORD_OK;
    for (; *s && !rc; s++) {
        unsigned char c = (unsigned char)*s;
        if (isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
            rc = buf_append(out, s, 1);
        } else {
            char enc[3] = {'%', hex[c >> 4], hex[c & 15]};
            rc = buf_append(out, enc, 3);
        }
    }
    return rc;
}

bool web_url_safe(const char *s)
{
    /* A scheme is letters, digits, '+', '-', '.' before the first ':' that
     * comes before any '/', '?' or '#'; without one the URL is relative. */
    size_t n = strcspn(s, ":/?#");
    if (s[n] != ':')
        return true;
    return (n == 4 && strncasecmp(s, "http", 4) == 0) || (n == 5 && strncasecmp(s, "https", 5) == 0) ||
           (n == 6 && strncasecmp(s, "mailto", 6) == 0);
}
