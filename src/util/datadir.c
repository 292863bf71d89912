#include "util/datadir.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/error.h"

/* Both set by meson.build: the checkout's data/ and the install's. */
#ifndef ACCORD_SOURCE_DATA_DIR
#error "ACCORD_SOURCE_DATA_DIR must name the source tree's data/ directory"
#endif
#ifndef ACCORD_INSTALL_DATA_DIR
#error "ACCORD_INSTALL_DATA_DIR must name the installed data directory"
#endif

int datadir_find(const char *name, char *out, size_t len)
{
    const char *env = getenv("ACCORD_DATA_DIR");
    const char *dirs[] = {ACCORD_SOURCE_DATA_DIR, ACCORD_INSTALL_DATA_DIR};
    const char *const *tried = env && *env ? &env : dirs;
    size_t n = env && *env ? 1 : sizeof dirs / sizeof dirs[0];
    char why[1024] = "";
    size_t used = 0;
    for (size_t i = 0; i < n; i++) {
        int w = snprintf(out, len, "%s/%s", tried[i], name);
        if (w < 0 || (size_t)w >= len)
            return accord_fail(ACCORD_EENV, NULL, "data file path %s/%s is too long", tried[i], name);
        if (access(out, R_OK) == 0)
            return ACCORD_OK;
        w = snprintf(why + used, sizeof why - used, "%s%s (%s)", used ? ", " : "", out, strerror(errno));
        if (w > 0 && (size_t)w < sizeof why - used)
            used += (size_t)w;
    }
    out[0] = '\0';
    return accord_fail(ACCORD_EENV, NULL, "cannot find data file %s: tried %s; set ACCORD_DATA_DIR to the directory "
                       "that holds it (data/ of the source tree)", name, why);
}

int datadir_refuse(datadir_file *f, const char *fmt, ...)
{
    char why[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    snprintf(f->message, sizeof f->message, "%s %.3000s: %s (%s)", f->what, f->path, why, f->hint);
    return ACCORD_EENV;
}

int datadir_load_json(datadir_file *f, const char *name, json_t **out)
{
    *out = NULL;
    if (datadir_find(name, f->path, sizeof f->path)) {
        snprintf(f->message, sizeof f->message, "%s", accord_error_message());
        return ACCORD_EENV;
    }
    json_error_t err;
    *out = json_load_file(f->path, 0, &err);
    return *out ? ACCORD_OK : datadir_refuse(f, "%s (line %zu)", err.text, (size_t)err.line);
}
