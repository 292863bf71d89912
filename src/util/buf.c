#include "util/buf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"

void buf_init(buf *b, size_t cap)
{
    b->data = NULL;
    b->len = 0;
    b->size = 0;
    b->cap = cap;
}

static int buf_reserve(buf *b, size_t extra)
{
    if (extra > b->cap - b->len)
        return accord_fail(ACCORD_ETOOBIG, NULL, "content exceeds the limit of %zu bytes", b->cap);
    size_t need = b->len + extra + 1;
    if (need <= b->size)
        return ACCORD_OK;
    size_t size = b->size ? b->size : 256;
    while (size < need)
        size *= 2;
    char *p = realloc(b->data, size);
    if (!p)
        return accord_fail(ACCORD_ENOMEM, NULL, "out of memory");
    b->data = p;
    b->size = size;
    return ACCORD_OK;
}

int buf_append(buf *b, const void *data, size_t len)
{
    int rc = buf_reserve(b, len);
    if (rc)
        return rc;
    if (len)
        memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
    return ACCORD_OK;
}

int buf_puts(buf *b, const char *s) { return buf_append(b, s, strlen(s)); }

int buf_printf(buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return accord_fail(ACCORD_EINVAL, NULL, "bad format");
    int rc = buf_reserve(b, (size_t)n);
    if (rc)
        return rc;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return ACCORD_OK;
}

void buf_reset(buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

char *buf_steal(buf *b)
{
    char *p = b->data ? b->data : calloc(1, 1);
    b->data = NULL;
    b->len = b->size = 0;
    return p;
}

void buf_free(buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->size = 0;
}

int buf_append_file(buf *b, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return accord_fail(errno == ENOENT ? ACCORD_ENOTFOUND : ACCORD_EENV, NULL, "%s: %s", path, strerror(errno));
    char chunk[65536];
    size_t got;
    int rc = ACCORD_OK;
    while (!rc && (got = fread(chunk, 1, sizeof chunk, f)) > 0)
        rc = buf_append(b, chunk, got);
    if (!rc && ferror(f))
        rc = accord_fail(ACCORD_EENV, NULL, "%s: read error", path);
    fclose(f);
    if (rc == ACCORD_ETOOBIG)
        rc = accord_fail(ACCORD_ETOOBIG, NULL, "%s is over the limit of %zu bytes", path, b->cap);
    return rc;
}
