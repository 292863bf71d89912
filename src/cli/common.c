#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli/cli.h"
#include "util/clock.h"
#include "util/date.h"
#include "util/error.h"

int cli_fail(int code)
{
    fprintf(stderr, "accord: %s\n", accord_error_message());
    return accord_error_exit_status(code);
}

void cli_remove_db(const char *path)
{
    static const char *const suffixes[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        char p[4200];
        snprintf(p, sizeof p, "%s%s", path, suffixes[i]);
        unlink(p);
    }
}

const char *cli_db_path(const char *given)
{
    if (given)
        return given;
    const char *env = getenv("ACCORD_DB");
    return env && *env ? env : CLI_DEFAULT_DB;
}

int cli_open_db(const char *path, store **out)
{
    int rc = store_open(out, cli_db_path(path), false);
    if (!rc) {
        rc = store_check_schema(*out);
        if (rc) {
            store_close(*out);
            *out = NULL;
        }
    }
    return rc ? cli_fail(rc) : 0;
}

int cli_provision_number(const char *text, long long *out)
{
    char *end;
    errno = 0;
    long long n = strtoll(text, &end, 10);
    if (!*text || *end || n < 1 || errno)
        return accord_fail(ACCORD_EINVAL, "provision", "--provision: a provision number, e.g. 3");
    *out = n;
    return ACCORD_OK;
}

int cli_as_of(const char *given, char today[11], const char **out)
{
    if (!given) {
        clock_today(today);
        *out = today;
        return ACCORD_OK;
    }
    *out = given;
    return date_check(given, "as_of");
}

void cli_print_json(const json_t *v)
{
    json_dumpf(v, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    putchar('\n');
}

int cli_db_option(int argc, char **argv, void (*usage)(FILE *), const char **dbarg)
{
    static const struct option opts[] = {{"db", required_argument, 0, 'd'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    int c;
    *dbarg = NULL;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd': *dbarg = optarg; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 1;
        }
    }
    return -1;
}
