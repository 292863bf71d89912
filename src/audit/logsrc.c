#include "audit/logsrc.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/error.h"

struct logsrc {
    char root[2048]; /* URL ending in "/log/", or a directory ending in "/" */
    CURL *curl;      /* NULL for directories */
    uint64_t fetches;
};

int logsrc_open(logsrc **out, const char *where)
{
    logsrc *s = calloc(1, sizeof *s);
    if (!s)
        return accord_fail(ACCORD_ENOMEM, NULL, "out of memory");
    size_t n = strlen(where);
    bool url = strncmp(where, "http://", 7) == 0 || strncmp(where, "https://", 8) == 0;
    if (n + 6 >= sizeof s->root) {
        free(s);
        return accord_fail(ACCORD_EINVAL, NULL, "log location is too long");
    }
    const char *slash = n && where[n - 1] == '/' ? "" : "/";
    if (url) {
        bool has_log = n >= 4 && (strcmp(where + n - 4, "/log") == 0 || (n >= 5 && strcmp(where + n - 5, "/log/") == 0));
        snprintf(s->root, sizeof s->root, "%s%s%s", where, slash, has_log ? "" : "log/");
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK || !(s->curl = curl_easy_init())) {
            free(s);
            return accord_fail(ACCORD_EENV, NULL, "cannot initialize libcurl");
        }
    } else {
        snprintf(s->root, sizeof s->root, "%s%s", where, slash);
        char cp[sizeof s->root + 16];
        struct stat sb;
        snprintf(cp, sizeof cp, "%scheckpoint", s->root);
        if (stat(cp, &sb) != 0) {
            int rc = accord_fail(ACCORD_EENV, NULL, "%s is neither a URL nor a directory with a log checkpoint", where);
            free(s);
            return rc;
        }
    }
    *out = s;
    return ACCORD_OK;
}

uint64_t logsrc_fetches(const logsrc *s) { return s->fetches; }

typedef struct {
    buf *out;
    int rc;
} sink;

static size_t on_data(char *ptr, size_t size, size_t n, void *arg)
{
    sink *k = arg;
    if (k->rc)
        return 0;
    k->rc = buf_append(k->out, ptr, size * n);
    return k->rc ? 0 : size * n;
}

static int get_url(logsrc *s, const char *path, buf *out)
{
    char url[4096];
    snprintf(url, sizeof url, "%s%s", s->root, path);
    sink k = {out, 0};
    curl_easy_reset(s->curl);
    curl_easy_setopt(s->curl, CURLOPT_URL, url);
    curl_easy_setopt(s->curl, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(s->curl, CURLOPT_WRITEDATA, &k);
    curl_easy_setopt(s->curl, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(s->curl, CURLOPT_TIMEOUT, 60L);
    curl_easy_setopt(s->curl, CURLOPT_USERAGENT, "accord-verify/" ACCORD_VERSION);
    CURLcode cc = curl_easy_perform(s->curl);
    if (k.rc)
        return k.rc == ACCORD_ETOOBIG ? accord_fail(ACCORD_ETOOBIG, NULL, "%s is larger than expected", url) : k.rc;
    if (cc != CURLE_OK)
        return accord_fail(ACCORD_EENV, NULL, "cannot fetch %s: %s", url, curl_easy_strerror(cc));
    long status = 0;
    curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &status);
    if (status == 404)
        return accord_fail(ACCORD_ENOTFOUND, NULL, "%s: not found", url);
    if (status != 200)
        return accord_fail(ACCORD_EENV, NULL, "%s: HTTP status %ld", url, status);
    return ACCORD_OK;
}

static int get_file(logsrc *s, const char *path, buf *out)
{
    char file[4096];
    snprintf(file, sizeof file, "%s%s", s->root, path);
    return buf_append_file(out, file);
}

int logsrc_get(logsrc *s, const char *path, size_t cap, buf *out)
{
    buf_reset(out);
    out->cap = cap;
    s->fetches++;
    return s->curl ? get_url(s, path, out) : get_file(s, path, out);
}

void logsrc_close(logsrc *s)
{
    if (!s)
        return;
    if (s->curl) {
        curl_easy_cleanup(s->curl);
        curl_global_cleanup();
    }
    free(s);
}
