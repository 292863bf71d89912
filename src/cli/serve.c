/* accord serve. */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "http/http.h"
#include "util/error.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: accord serve [--db PATH] [--address ADDR] [--port N] [--threads N]\n"
               "\n"
               "Serves the JSON API and the home page (default http://127.0.0.1:8080).\n"
               "--port 0 picks a free port; the chosen one is printed. Stops on SIGINT/SIGTERM.\n");
}

static void ready(unsigned port, void *arg)
{
    const http_config *cfg = arg;
    bool v6 = strchr(cfg->address, ':') != NULL;
    printf("accord: serving http://%s%s%s:%u/\n", v6 ? "[" : "", cfg->address, v6 ? "]" : "", port);
    fflush(stdout);
}

int cli_serve(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, 0, 'd'},      {"address", required_argument, 0, 'a'},
                                         {"port", required_argument, 0, 'p'},    {"threads", required_argument, 0, 't'},
                                         {"help", no_argument, 0, 'h'},          {0, 0, 0, 0}};
    http_config cfg = {.address = "127.0.0.1", .port = 8080, .threads = 4, .on_ready = ready};
    const char *dbarg = NULL;
    int c;
    char *end;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd': dbarg = optarg; break;
        case 'a': cfg.address = optarg; break;
        case 'p':
            cfg.port = (unsigned)strtoul(optarg, &end, 10);
            if (*end || cfg.port > 65535)
                return cli_fail(accord_fail(ACCORD_EINVAL, "port", "--port: '%s' is not a port number", optarg));
            break;
        case 't':
            cfg.threads = (unsigned)strtoul(optarg, &end, 10);
            if (*end || cfg.threads < 1 || cfg.threads > 256)
                return cli_fail(accord_fail(ACCORD_EINVAL, "threads", "--threads: give 1 to 256"));
            break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 1;
        }
    }
    if (optind != argc) {
        usage(stderr);
        return 1;
    }
    cfg.db_path = cli_db_path(dbarg);
    cfg.on_ready_arg = &cfg;
    int rc = http_serve(&cfg);
    return rc ? cli_fail(rc) : 0;
}
