/* accord serve. */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth.h"
#include "charts/charts.h"
#include "cli/cli.h"
#include "http/http.h"
#include "httpd/httpd.h"
#include "ledger/checkpointer.h"
#include "registry/registry.h"
#include "util/clock.h"
#include "util/error.h"
#include "web/web.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: accord serve [--db PATH] [--address ADDR] [--port N] [--threads N] [--key PATH]\n"
               "                    [--checkpoint-interval MS] [--witness URL=VKEY ...]\n"
               "                    [--secure-cookies auto|on|off] [--token-max-days N]\n"
               "                    [--max-per-address N] [--cache-mb N]\n"
               "\n"
               "Serves the JSON API, the home page and the public log (/log/checkpoint, /log/tile/...)\n"
               "on http://127.0.0.1:8080 by default. --port 0 picks a free port; the chosen one is\n"
               "printed. A checkpoint is signed after writes, at most once per --checkpoint-interval\n"
               "(default 100 ms), with the key made by 'accord init' unless --key is given. Each\n"
               "--witness receives every new checkpoint; the cosignatures it returns are served with\n"
               "the checkpoint. Session cookies are marked Secure unless the server listens on\n"
               "loopback (--secure-cookies auto). API tokens made over the API live at most\n"
               "--token-max-days (default 365, at most 3650), and never past the token or session\n"
               "that made them. One client address may hold at most --max-per-address\n"
               "connections at once (default 256; raise it behind a proxy). Public answers are kept\n"
               "in memory while the log has not grown, at most --cache-mb MiB of them (default 64,\n"
               "0 to 4096; 0 keeps none).\n"
               "Stops on SIGINT/SIGTERM.\n"
               "The UN M49 regions are read at start from un-m49.json in $ACCORD_DATA_DIR, else in\n"
               "the source tree's data/, else in the installed data directory; without it the\n"
               "server does not start. ACCORD_NOW (a time or a date) sets the clock.\n");
}

static void ready(unsigned port, void *arg)
{
    const http_config *cfg = arg;
    bool v6 = strchr(cfg->address, ':') != NULL;
    printf("accord: serving http://%s%s%s:%u/\n", v6 ? "[" : "", cfg->address, v6 ? "]" : "", port);
    fflush(stdout);
    if (clock_is_set()) {
        char now[21];
        clock_now_rfc3339(now);
        fprintf(stderr, "accord: ACCORD_NOW is set: the clock reads %s, not the machine's time\n", now);
    }
}

int cli_serve(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, 0, 'd'},      {"address", required_argument, 0, 'a'},
                                         {"port", required_argument, 0, 'p'},    {"threads", required_argument, 0, 't'},
                                         {"key", required_argument, 0, 'k'},
                                         {"checkpoint-interval", required_argument, 0, 'c'},
                                         {"witness", required_argument, 0, 'w'},
                                         {"secure-cookies", required_argument, 0, 's'},
                                         {"token-max-days", required_argument, 0, 'm'},
                                         {"max-per-address", required_argument, 0, 'M'},
                                         {"cache-mb", required_argument, 0, 'C'},
                                         {"help", no_argument, 0, 'h'},          {0, 0, 0, 0}};
    witness_peer witnesses[16];
    size_t nw = 0;
    http_config cfg = {.address = "127.0.0.1", .port = 8080, .threads = 8, .on_ready = ready, .secure_cookies = -1};
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
        case 'k': cfg.key_path = optarg; break;
        case 'M':
            cfg.max_per_address = (unsigned)strtoul(optarg, &end, 10);
            if (*end || cfg.max_per_address < 1 || cfg.max_per_address > HTTPD_MAX_CONNECTIONS)
                return cli_fail(accord_fail(ACCORD_EINVAL, "max-per-address", "--max-per-address: give 1 to %d",
                                            HTTPD_MAX_CONNECTIONS));
            break;
        case 'C': {
            unsigned long mb = strtoul(optarg, &end, 10);
            if (*end || end == optarg || mb > 4096)
                return cli_fail(accord_fail(ACCORD_EINVAL, "cache-mb", "--cache-mb: give 0 to 4096 MiB"));
            cfg.cache_bytes = mb ? (size_t)mb * 1024 * 1024 : HTTP_CACHE_OFF;
            break;
        }
        case 's':
            if (strcmp(optarg, "auto") && strcmp(optarg, "on") && strcmp(optarg, "off"))
                return cli_fail(accord_fail(ACCORD_EINVAL, "secure-cookies", "--secure-cookies: auto, on or off"));
            cfg.secure_cookies = strcmp(optarg, "auto") == 0 ? -1 : strcmp(optarg, "on") == 0;
            break;
        case 'm': {
            long days = strtol(optarg, &end, 10);
            int rc = *end || end == optarg || days < 1 || days > AUTH_TOKEN_MAX_DAYS_LIMIT
                         ? accord_fail(ACCORD_EINVAL, "token-max-days", "--token-max-days: give 1 to %d days",
                                       AUTH_TOKEN_MAX_DAYS_LIMIT)
                         : auth_token_set_max_seconds((int64_t)days * 86400);
            if (rc)
                return cli_fail(rc);
            break;
        }
        case 'c':
            cfg.checkpoint_interval = (unsigned)strtoul(optarg, &end, 10);
            if (*end || cfg.checkpoint_interval < 1 || cfg.checkpoint_interval > 3600000)
                return cli_fail(accord_fail(ACCORD_EINVAL, "checkpoint-interval", "--checkpoint-interval: give 1 to 3600000 ms"));
            break;
        case 'w': {
            char *eq = strchr(optarg, '=');
            if (!eq || nw == sizeof witnesses / sizeof witnesses[0])
                return cli_fail(accord_fail(ACCORD_EINVAL, "witness", "--witness: give URL=VKEY (at most 16)"));
            *eq = '\0';
            witnesses[nw].url = optarg;
            witnesses[nw].vkey = eq + 1;
            nw++;
            break;
        }
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 1;
        }
    }
    if (optind != argc) {
        usage(stderr);
        return 1;
    }
    cfg.witnesses = witnesses;
    cfg.nwitnesses = nw;
    cfg.db_path = cli_db_path(dbarg);
    cfg.on_ready_arg = &cfg;
    /* The matrix needs the UN M49 regions, the portal the UN names and the
     * map: a missing or broken data file stops the server here, before it
     * listens, not at the first request. */
    int rc = registry_m49_load();
    if (!rc) rc = registry_un_names_load();
    if (!rc) rc = charts_map_load();
    if (rc)
        return cli_fail(rc);
    /* So do the portal's templates, catalogues and stylesheet. */
    rc = web_init();
    if (rc)
        return cli_fail(rc);
    rc = http_serve(&cfg);
    return rc ? cli_fail(rc) : 0;
}
