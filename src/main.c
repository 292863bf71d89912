/* accord: the depositary, implementation tracker and public record of a
 * multilateral instrument. This file only dispatches subcommands. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "util/clock.h"
#include "util/error.h"

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} commands[] = {
    {"init", cli_init, "create a database with all ISO 3166-1 states and territories, the log key and an admin token"},
    {"load", cli_load, "load an instrument dataset (JSON, docs/dataset.md)"},
    {"un-membership", cli_un_membership, "record the UN member and observer states, and tell states from territories"},
    {"serve", cli_serve, "serve the HTTP API"},
    {"status", cli_status, "participants of an instrument as at a date"},
    {"record", cli_record, "record an action (signature, endorsement, withdrawal, ...)"},
    {"witness", cli_witness, "a transparency log witness: cosigns consistent checkpoints"},
    {"cycle", cli_cycle, "reporting cycles: open, list, and who has submitted, is due or overdue"},
    {"review", cli_review, "rate a submitted report, or return it to its party with comments"},
    {"trajectory", cli_trajectory, "share rated implemented per year against the path to the goal year"},
    {"assistance", cli_assistance, "capacity-building: needs, offers, activities, gaps, overlaps; HXL and IATI"},
    {"report", cli_report, "report templates, imports and exports (CSV, XLSX, JSON); the matrix"},
    {"log", cli_log, "the log's verifier key, latest checkpoint, or a static copy"},
    {"site", cli_site, "the public portal as static files, every page in every language"},
    {"verify", cli_verify, "check a published log offline: signature, entries, root, no fork"},
    {"replay", cli_replay, "rebuild a database from a published log alone"},
    {"user", cli_user, "accounts: add, list, disable, enable, passwd, role"},
    {"token", cli_token, "API tokens: create (shown once), list, revoke"},
    {"security-log", cli_security_log, "the latest sign-ins, failures and account changes"},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: accord COMMAND [OPTIONS]   (accord COMMAND --help for details)\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-13s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\nThe database is --db PATH, else $ACCORD_DB, else %s.\n"
               "Exit status: 0 ok, 1 bad input, 2 environment (database missing, port busy, ...),\n"
               "3 verification failed (accord verify).\n",
            CLI_DEFAULT_DB);
}

int main(int argc, char **argv)
{
    if (sodium_init() < 0) {
        fprintf(stderr, "accord: libsodium could not be initialized\n");
        return 2;
    }
    if (clock_init()) {
        fprintf(stderr, "accord: %s\n", accord_error_message());
        return 2;
    }
    if (argc < 2) {
        usage(stderr);
        return 1;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
        printf("accord %s\n", ACCORD_VERSION);
        return 0;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(stdout);
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "accord: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 1;
}
