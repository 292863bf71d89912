/* Files the program writes: directories made as needed, and a file
 * written whole under a directory (exports, static copies). */
#ifndef ACCORD_UTIL_FILES_H
#define ACCORD_UTIL_FILES_H

#include <stddef.h>

/* Creates directory 'dir' and any missing parents (mkdir -p, mode 0755).
 * Fails ACCORD_EENV naming the directory that could not be made. */
int files_make_dirs(const char *dir);

/* Creates the directory that holds file 'path', and its parents, if missing. */
int files_make_parent(const char *path);

/* Writes 'len' bytes of 'data' to 'dir'/'rel' (replacing it), creating the
 * directories of 'rel' under 'dir' on the way. Fails ACCORD_EINVAL for a
 * path too long, ACCORD_EENV when a directory or the file cannot be written. */
int files_write_under(const char *dir, const char *rel, const void *data, size_t len);

#endif
