/* accord witness: a C2SP tlog-witness (init, serve, vkey). */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "tlog/cosign.h"
#include "util/error.h"
#include "witness/witness.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: accord witness init --key PATH --name NAME\n"
               "       accord witness serve --key PATH --state PATH --log VKEY [--log VKEY ...]\n"
               "                            [--address ADDR] [--port N] [--threads N]\n"
               "       accord witness vkey --key PATH\n"
               "\n"
               "A transparency log witness (c2sp.org/tlog-witness): it cosigns a log's checkpoints\n"
               "(cosignature/v1) only when they extend, by a consistency proof, the last one it\n"
               "cosigned for that log. accord witness SUBCOMMAND --help for details.\n");
}

static void init_usage(FILE *f)
{
    fprintf(f, "usage: accord witness init --key PATH --name NAME\n"
               "\n"
               "Creates a witness key (Ed25519, cosignature/v1) named NAME, e.g. witness.example/w1,\n"
               "in the file PATH (created owner-only; it must not exist), and prints its verifier key.\n"
               "A witness key must not also be a log's key.\n");
}

static void serve_usage(FILE *f)
{
    fprintf(f, "usage: accord witness serve --key PATH --state PATH --log VKEY [--log VKEY ...]\n"
               "                            [--address ADDR] [--port N] [--threads N]\n"
               "\n"
               "Serves POST /add-checkpoint (default http://127.0.0.1:7380) until SIGINT/SIGTERM,\n"
               "and GET /<sha256 of a log's origin, lowercase hex>/checkpoint: the latest\n"
               "checkpoint it cosigned for that log, for monitors.\n"
               "  --key PATH     the witness key (accord witness init)\n"
               "  --state PATH   the JSON file of the latest cosigned checkpoint of each log;\n"
               "                 created when missing. Losing it lets the witness be rolled back:\n"
               "                 keep it with the key.\n"
               "  --log VKEY     a log's verifier key (Ed25519, 0x01), named by its origin; give\n"
               "                 one per log, or several with one name for a log with several keys\n"
               "--port 0 picks a free port; the chosen one is printed.\n");
}

static void vkey_usage(FILE *f)
{
    fprintf(f, "usage: accord witness vkey --key PATH\n"
               "\n"
               "Prints the verifier key of the witness key in PATH, for logs and their clients.\n");
}

static int witness_init(int argc, char **argv)
{
    static const struct option opts[] = {{"key", required_argument, 0, 'k'}, {"name", required_argument, 0, 'n'},
                                         {"help", no_argument, 0, 'h'},       {0, 0, 0, 0}};
    const char *key = NULL, *name = NULL;
    char vkey[LOGKEY_MAX_VKEY];
    int c;

    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'k': key = optarg; break;
        case 'n': name = optarg; break;
        case 'h': init_usage(stdout); return 0;
        default: init_usage(stderr); return 1;
        }
    }
    if (optind != argc || !key || !name) {
        init_usage(stderr);
        return 1;
    }
    int rc = cosign_key_create(key, name, vkey);
    if (rc)
        return cli_fail(rc);
    printf("Witness key: %s (owner-only)\nVerifier key: %s\n", key, vkey);
    return 0;
}

static int witness_vkey_cmd(int argc, char **argv)
{
    static const struct option opts[] = {{"key", required_argument, 0, 'k'}, {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    const char *key = NULL;
    char vkey[LOGKEY_MAX_VKEY];
    note_signer s;
    int c;

    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'k': key = optarg; break;
        case 'h': vkey_usage(stdout); return 0;
        default: vkey_usage(stderr); return 1;
        }
    }
    if (optind != argc || !key) {
        vkey_usage(stderr);
        return 1;
    }
    int rc = cosign_key_load(&s, key);
    if (rc)
        return cli_fail(rc);
    note_signer_vkey(&s, vkey);
    note_signer_clear(&s);
    printf("%s\n", vkey);
    return 0;
}

/* The options of `witness serve`. */
typedef struct serve_args {
    const char *key, *state;
    const char **logs; /* argc entries at most */
    size_t nlogs;
    witness_http_config http;
} serve_args;

static void ready(unsigned port, void *arg)
{
    const witness_http_config *cfg = arg;
    bool v6 = strchr(cfg->address, ':') != NULL;
    printf("accord witness: serving http://%s%s%s:%u/\n", v6 ? "[" : "", cfg->address, v6 ? "]" : "", port);
    fflush(stdout);
}

/* Reads the number 'arg' of option 'name' into '*out', within [min, max]. */
static int parse_number(const char *name, const char *arg, unsigned min, unsigned max, unsigned *out)
{
    char *end;
    unsigned long v = strtoul(arg, &end, 10);
    if (!*arg || *end || v < min || v > max)
        return accord_fail(ACCORD_EINVAL, name, "--%s: give a number from %u to %u", name, min, max);
    *out = (unsigned)v;
    return ACCORD_OK;
}

/* What parse_serve() returns besides 0 and ACCORD_* codes. */
enum { SERVE_HELP = 1, SERVE_USAGE = 2 };

/* Parses the options of `witness serve` into 'a'. Returns 0, SERVE_HELP
 * (help printed), SERVE_USAGE (usage printed to stderr) or an ACCORD_*
 * code for a bad value. */
static int parse_serve(int argc, char **argv, serve_args *a)
{
    static const struct option opts[] = {
        {"key", required_argument, 0, 'k'},     {"state", required_argument, 0, 's'},
        {"log", required_argument, 0, 'l'},     {"address", required_argument, 0, 'a'},
        {"port", required_argument, 0, 'p'},    {"threads", required_argument, 0, 't'},
        {"help", no_argument, 0, 'h'},          {0, 0, 0, 0}};
    int c, rc = ACCORD_OK;

    while (!rc && (c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'k': a->key = optarg; break;
        case 's': a->state = optarg; break;
        case 'l': a->logs[a->nlogs++] = optarg; break;
        case 'a': a->http.address = optarg; break;
        case 'p': rc = parse_number("port", optarg, 0, 65535, &a->http.port); break;
        case 't': rc = parse_number("threads", optarg, 1, 256, &a->http.threads); break;
        case 'h': serve_usage(stdout); return SERVE_HELP;
        default: serve_usage(stderr); return SERVE_USAGE;
        }
    }
    if (!rc && (optind != argc || !a->key || !a->state || a->nlogs == 0)) {
        serve_usage(stderr);
        return SERVE_USAGE;
    }
    return rc;
}

static int witness_serve_cmd(int argc, char **argv)
{
    serve_args a = {.http = {.address = "127.0.0.1", .port = 7380, .threads = 4, .on_ready = ready}};
    witness *w = NULL;

    a.logs = calloc((size_t)argc, sizeof *a.logs);
    if (!a.logs)
        return cli_fail(accord_fail(ACCORD_ENOMEM, NULL, "out of memory"));
    a.http.on_ready_arg = &a.http;
    int rc = parse_serve(argc, argv, &a);
    if (rc > 0) {
        free(a.logs);
        return rc == SERVE_HELP ? 0 : 1;
    }
    if (!rc)
        rc = witness_open(&w, a.key, a.state, a.logs, a.nlogs);
    if (!rc)
        rc = witness_serve(w, &a.http);
    witness_close(w);
    free(a.logs);
    return rc ? cli_fail(rc) : 0;
}

int cli_witness(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 1;
    }
    const char *sub = argv[1];
    if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0 || strcmp(sub, "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(sub, "init") == 0)
        return witness_init(argc - 1, argv + 1);
    if (strcmp(sub, "serve") == 0)
        return witness_serve_cmd(argc - 1, argv + 1);
    if (strcmp(sub, "vkey") == 0)
        return witness_vkey_cmd(argc - 1, argv + 1);
    fprintf(stderr, "accord: unknown witness subcommand '%s'\n", sub);
    usage(stderr);
    return 1;
}
