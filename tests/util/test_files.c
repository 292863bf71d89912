/* util/files: directories made as needed, files written under a directory. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "helpers.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/files.h"

static bool is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

Test(util_files, make_dirs_makes_every_missing_parent_and_accepts_existing_ones)
{
    char *dir = th_tempdir(), path[4200];
    snprintf(path, sizeof path, "%s/a/b/c", dir);
    cr_assert_eq(files_make_dirs(path), 0, "%s", accord_error_message());
    cr_assert(is_dir(path));
    cr_assert_eq(files_make_dirs(path), 0, "an existing directory is fine");
    snprintf(path, sizeof path, "%s/x/y/file.db", dir);
    cr_assert_eq(files_make_parent(path), 0);
    snprintf(path, sizeof path, "%s/x/y", dir);
    cr_assert(is_dir(path));
    th_rmtree(dir);
    free(dir);
}

Test(util_files, write_under_creates_the_folders_of_the_relative_path)
{
    char *dir = th_tempdir(), path[4200];
    cr_assert_eq(files_write_under(dir, "tile/0/x001/234", "abc", 3), 0, "%s", accord_error_message());
    snprintf(path, sizeof path, "%s/tile/0/x001/234", dir);
    buf b;
    buf_init(&b, 1024);
    cr_assert_eq(buf_append_file(&b, path), 0, "%s", accord_error_message());
    cr_assert_eq(b.len, 3);
    cr_assert_eq(memcmp(b.data, "abc", 3), 0);
    buf_free(&b);
    /* A file where a folder must go is an error naming it, not a crash. */
    cr_assert_eq(files_write_under(dir, "tile/0/x001/234/deeper", "z", 1), ACCORD_EENV);
    cr_assert(strstr(accord_error_message(), "tile/0/x001/234"), "%s", accord_error_message());
    th_rmtree(dir);
    free(dir);
}
