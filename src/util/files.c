#include "util/files.h"

#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "util/error.h"

/* mkdir of each parent of 'path' from 'from' on (a position in 'path',
 * which is cut and restored in place). */
static int make_parents_from(char *path, char *from)
{
    for (char *p = from; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (p > path && mkdir(path, 0755) != 0 && errno != EEXIST)
            return accord_fail(ACCORD_EENV, NULL, "cannot create directory %s: %s", path, strerror(errno));
        *p = '/';
    }
    return ACCORD_OK;
}

int files_make_dirs(const char *dir)
{
    char path[4096];
    if (snprintf(path, sizeof path, "%s", dir) >= (int)sizeof path)
        return accord_fail(ACCORD_EENV, NULL, "the path %.64s... is too long", dir);
    int rc = make_parents_from(path, path + 1);
    if (!rc && mkdir(path, 0755) != 0 && errno != EEXIST)
        rc = accord_fail(ACCORD_EENV, NULL, "cannot create directory %s: %s", path, strerror(errno));
    return rc;
}

int files_make_parent(const char *path)
{
    char copy[4096];
    if (snprintf(copy, sizeof copy, "%s", path) >= (int)sizeof copy)
        return accord_fail(ACCORD_EENV, NULL, "the path %.64s... is too long", path);
    return files_make_dirs(dirname(copy));
}

int files_write_under(const char *dir, const char *rel, const void *data, size_t len)
{
    char path[4096];
    int n = snprintf(path, sizeof path, "%s/%s", dir, rel);
    if (n < 0 || (size_t)n >= sizeof path)
        return accord_fail(ACCORD_EINVAL, NULL, "path too long: %s/%s", dir, rel);
    int rc = make_parents_from(path, path + strlen(dir) + 1);
    if (rc)
        return rc;
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0)
        return accord_fail(ACCORD_EENV, NULL, "cannot write %s: %s", path, strerror(errno));
    return ACCORD_OK;
}
