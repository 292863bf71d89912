/* accord site export: the public portal as static files. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "portal/portal.h"
#include "util/error.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: accord site export [--db PATH] DIR\n"
               "Writes the public portal into DIR as static files with relative links: every page\n"
               "in every language (as of today), the stylesheet, the Atom feed, the status and\n"
               "matrix downloads, and under DIR/log the signed checkpoint and every tile (as\n"
               "'accord log export'). Any static web server or CDN can serve DIR as it is.\n"
               "A static copy has no date form answers: its pages show today's status.\n");
}

int cli_site(int argc, char **argv)
{
    const char *dbarg;
    int opt = cli_db_option(argc, argv, usage, &dbarg);
    if (opt >= 0)
        return opt;
    if (optind + 2 != argc || strcmp(argv[optind], "export") != 0) {
        usage(stderr);
        return 1;
    }
    const char *dir = argv[optind + 1];
    store *db;
    int status = cli_open_db(dbarg, &db);
    if (status)
        return status;
    unsigned long files = 0;
    int rc = portal_site_export(db, dir, &files);
    char logdir[4096];
    snprintf(logdir, sizeof logdir, "%s/log", dir);
    if (!rc)
        rc = cli_log_export(db, logdir);
    if (!rc)
        printf("Exported the portal (%lu files) to %s\n", files, dir);
    store_close(db);
    return rc ? cli_fail(rc) : 0;
}
