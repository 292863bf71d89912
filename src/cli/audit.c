/* accord verify and accord replay: checking a published log offline. */
#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/audit.h"
#include "cli/cli.h"
#include "util/error.h"

static void verify_usage(FILE *f)
{
    fprintf(f, "usage: accord verify URL|DIR --vkey VKEY [--witness VKEY ...] [--state FILE | --no-state]\n"
               "\n"
               "Checks a published log without trusting its operator: the checkpoint's signature\n"
               "(and each --witness cosignature), that every entry is there and that together\n"
               "they hash to the signed root, and that the log still contains the checkpoint\n"
               "this machine saw last time (no fork, no rollback). URL is the server\n"
               "(https://host/ or https://host/log/); DIR a copy made by 'accord log export'.\n"
               "The state is kept in FILE (default ~/.local/state/accord/<origin>.json).\n"
               "Exit status: 0 verified, 3 verification failed, 2 the log could not be read.\n");
}

/* ~/.local/state/accord/<origin with '/' as '_'>.json */
static void default_state(const char *origin, char *out, size_t len)
{
    const char *home = getenv("HOME");
    char name[256];
    snprintf(name, sizeof name, "%s", origin);
    for (char *p = name; *p; p++)
        if (*p == '/' || *p == ':')
            *p = '_';
    snprintf(out, len, "%s/.local/state/accord/%s.json", home && *home ? home : ".", name);
}

static int make_parents(const char *path)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    for (char *p = dir + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        mkdir(dir, 0700);
        *p = '/';
    }
    return ACCORD_OK;
}

int cli_verify(int argc, char **argv)
{
    static const struct option opts[] = {{"vkey", required_argument, 0, 'k'},  {"witness", required_argument, 0, 'w'},
                                         {"state", required_argument, 0, 's'}, {"no-state", no_argument, 0, 'n'},
                                         {"help", no_argument, 0, 'h'},        {0, 0, 0, 0}};
    const char *vkey = NULL, *state = NULL;
    bool no_state = false;
    note_verifier log, witnesses[16];
    size_t nw = 0;
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'k': vkey = optarg; break;
        case 'w':
            if (nw == 16)
                return cli_fail(accord_fail(ACCORD_EINVAL, "witness", "--witness: at most 16"));
            if (note_verifier_parse(&witnesses[nw], optarg))
                return cli_fail(accord_fail_nested(ACCORD_EINVAL, "--witness"));
            nw++;
            break;
        case 's': state = optarg; break;
        case 'n': no_state = true; break;
        case 'h': verify_usage(stdout); return 0;
        default: verify_usage(stderr); return 1;
        }
    }
    if (optind != argc - 1 || !vkey) {
        verify_usage(stderr);
        return 1;
    }
    if (note_verifier_parse(&log, vkey) || log.type != NOTE_TYPE_ED25519)
        return cli_fail(accord_fail(ACCORD_EINVAL, "vkey", "--vkey: not an Ed25519 verifier key"));
    char state_path[4096];
    if (!state && !no_state) {
        default_state(log.name, state_path, sizeof state_path);
        make_parents(state_path);
        state = state_path;
    }
    logsrc *src;
    int rc = logsrc_open(&src, argv[optind]);
    if (rc)
        return cli_fail(rc);
    audit_report r;
    rc = audit_verify(src, &log, witnesses, nw, no_state ? NULL : state, &r);
    logsrc_close(src);
    if (rc) {
        fprintf(stderr, "FAILED: %s\n", accord_error_message());
        return accord_error_exit_status(rc == ACCORD_EVERIFY ? rc : ACCORD_EENV);
    }
    char root[64];
    sodium_bin2base64(root, sizeof root, r.root, 32, sodium_base64_VARIANT_ORIGINAL);
    printf("OK: %llu entries, root %s", (unsigned long long)r.size, root);
    if (r.previous)
        printf(", consistent with the checkpoint you saw last time (%llu entries)", (unsigned long long)r.previous);
    else if (!no_state)
        printf(" (first check from this machine; later runs check consistency with it)");
    printf("\n");
    if (nw)
        printf("Cosigned by %zu witness%s.\n", nw, nw == 1 ? "" : "es");
    fprintf(stderr, "checked in %.2f s with %llu fetches\n", r.seconds, (unsigned long long)r.fetches);
    return 0;
}

static void replay_usage(FILE *f)
{
    fprintf(f, "usage: accord replay --from URL|DIR --db PATH [--vkey VKEY]\n"
               "\n"
               "Rebuilds the public tables in a new database at PATH from the log's entries\n"
               "alone, then checks that the replayed log has the signed checkpoint's root. With\n"
               "--vkey the checkpoint's signature is verified first. 'accord status --db PATH ...'\n"
               "then answers exactly as the operator's server does.\n");
}

int cli_replay(int argc, char **argv)
{
    static const struct option opts[] = {{"from", required_argument, 0, 'f'}, {"db", required_argument, 0, 'd'},
                                         {"vkey", required_argument, 0, 'k'}, {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    const char *from = NULL, *path = NULL, *vkey = NULL;
    note_verifier log;
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'f': from = optarg; break;
        case 'd': path = optarg; break;
        case 'k': vkey = optarg; break;
        case 'h': replay_usage(stdout); return 0;
        default: replay_usage(stderr); return 1;
        }
    }
    if (optind != argc || !from || !path) {
        replay_usage(stderr);
        return 1;
    }
    if (vkey && (note_verifier_parse(&log, vkey) || log.type != NOTE_TYPE_ED25519))
        return cli_fail(accord_fail(ACCORD_EINVAL, "vkey", "--vkey: not an Ed25519 verifier key"));
    struct stat sb;
    if (stat(path, &sb) == 0)
        return cli_fail(accord_fail(ACCORD_EENV, NULL, "%s already exists; replay builds a new database", path));
    logsrc *src;
    store *db = NULL;
    uint64_t size = 0;
    int rc = logsrc_open(&src, from);
    if (rc)
        return cli_fail(rc);
    rc = store_open(&db, path, true);
    if (!rc)
        rc = store_migrate(db);
    if (!rc)
        rc = audit_replay(src, vkey ? &log : NULL, db, &size);
    store_close(db);
    logsrc_close(src);
    if (rc) {
        int status = cli_fail(rc);
        cli_remove_db(path);
        return status;
    }
    printf("Replayed %llu log entries into %s; the root matches the signed checkpoint.\n", (unsigned long long)size, path);
    return 0;
}
