/* accord init and accord load. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auth/auth.h"
#include "cli/cli.h"
#include "dataset/dataset.h"
#include "events/events.h"
#include "ledger/identity.h"
#include "registry/registry.h"
#include "store/db.h"
#include "tlog/logkey.h"
#include "util/error.h"
#include "util/files.h"

#define ISO_3166_PATH "/usr/share/iso-codes/json/iso_3166-1.json"

static void init_usage(FILE *f)
{
    fprintf(f, "usage: accord init [--db PATH] [--origin NAME | --public-url URL] [--key PATH] [--token-file PATH]\n"
               "                   [--iso-codes FILE]\n"
               "\n"
               "Creates a new database (default %s, or $ACCORD_DB), applies the schema, registers\n"
               "every ISO 3166-1 entry from Debian's iso-codes (a state when the UN lists it as a\n"
               "member or observer state, else a territory), records the UN membership as the group\n"
               "'un' (data/un-membership.json), creates the log signing key\n"
               "(Ed25519, a file readable only by its owner; default: log.key beside the database)\n"
               "and a bootstrap admin API token. The token is printed once, or written to\n"
               "--token-file (created owner-only) when given. Missing directories are created.\n"
               "  --origin NAME      the log's origin line and key name (default: accord.localhost/log/\n"
               "                     and 16 random hex digits, so that no two logs share one)\n"
               "  --public-url URL   the address the server is published at; the origin is its host\n"
               "                     and path followed by /log (https://accord.example.org gives\n"
               "                     accord.example.org/log). A published log needs its own origin.\n"
               "  --key PATH         where to create the signing key (must not exist)\n"
               "  --token-file PATH  write the admin token there instead of printing it\n"
               "  --iso-codes FILE   ISO 3166-1 list (default %s)\n",
            CLI_DEFAULT_DB, ISO_3166_PATH);
}

/* The default origin: unique to this log, so that a verifier's memory of
 * one log (kept per origin) is never taken for another's. 64 random bits
 * under .localhost, a name that is never a published address. */
static void default_origin(char *out, size_t len)
{
    unsigned char r[8];
    char hex[2 * sizeof r + 1];
    randombytes_buf(r, sizeof r);
    sodium_bin2hex(hex, sizeof hex, r, sizeof r);
    snprintf(out, len, "accord.localhost/log/%s", hex);
}

/* The origin for a log published at 'url': the URL without its scheme
 * and trailing slashes, then "/log", where the server serves the log
 * (C2SP tlog-checkpoint: a schema-less URL). */
static int origin_from_url(const char *url, char *out, size_t len)
{
    const char *rest = strncmp(url, "https://", 8) == 0 ? url + 8 : strncmp(url, "http://", 7) == 0 ? url + 7 : NULL;
    if (!rest || !*rest || *rest == '/')
        return accord_fail(ACCORD_EINVAL, "public-url",
                           "--public-url: give an http:// or https:// address with a host");
    size_t n = strcspn(rest, "?#");
    if (rest[n])
        return accord_fail(ACCORD_EINVAL, "public-url", "--public-url: give an address without a query or fragment");
    while (n > 0 && rest[n - 1] == '/')
        n--;
    if (n + 5 >= len)
        return accord_fail(ACCORD_EINVAL, "public-url", "--public-url: the address is too long");
    snprintf(out, len, "%.*s/log", (int)n, rest);
    for (char *p = out; *p; p++)
        if (*p >= 'A' && *p <= 'Z' && p < out + strcspn(out, "/"))
            *p = (char)(*p - 'A' + 'a'); /* host names are case-insensitive: one spelling */
    return ACCORD_OK;
}

/* Which origin to use: --origin, or one from --public-url, or a new one. */
static int choose_origin(const char *given, const char *url, char *out, size_t len)
{
    if (given && url)
        return accord_fail(ACCORD_EINVAL, "origin", "give --origin or --public-url, not both");
    if (url) {
        int rc = origin_from_url(url, out, len);
        if (rc)
            return rc;
    } else if (given) {
        snprintf(out, len, "%s", given);
    } else {
        default_origin(out, len);
    }
    if (!logkey_name_valid(out))
        return accord_fail(ACCORD_EINVAL, given ? "origin" : "public-url",
                           "the origin '%s' must be printable ASCII without spaces or '+', at most %d bytes", out,
                           LOGKEY_MAX_NAME);
    return ACCORD_OK;
}

/* Refuses to start over when the database or the key exists. A key
 * without its database belongs to a log whose database is gone (or lives
 * elsewhere): making a new log beside it would leave two logs to one key
 * file, so say what to do instead. */
static int check_fresh(const char *path, const char *keypath, const char *token_file)
{
    struct stat sb;
    char also[4200] = "";
    if (stat(path, &sb) == 0)
        return accord_fail(ACCORD_EENV, NULL, "database %s already exists; remove it or use another --db", path);
    if (token_file && stat(token_file, &sb) == 0)
        snprintf(also, sizeof also, " %s", token_file);
    if (stat(keypath, &sb) == 0)
        return accord_fail(ACCORD_EENV, NULL,
                           "key file %s already exists but database %s does not: the key belongs to the log that "
                           "database held. Restore the database from a backup to go on with that log; or, to "
                           "start a new log, remove the key%s (rm %s%s; checkpoints the key signed can then never "
                           "be extended) or give another with --key PATH",
                           keypath, path, also[0] ? " and the old database's token" : "", keypath, also);
    if (also[0])
        return accord_fail(ACCORD_EENV, NULL, "token file %s already exists; remove it or use another --token-file",
                           token_file);
    return ACCORD_OK;
}

/* Registers every ISO 3166-1 entry, state or territory, one event each, in
 * one transaction. */
static int register_states(store *db, const char *iso_path, int *count)
{
    json_t *states;
    int rc = registry_iso_states(iso_path, &states);
    if (rc)
        return rc;
    rc = events_begin(db);
    size_t i;
    json_t *s;
    json_array_foreach(states, i, s)
    {
        if (!rc)
            rc = events_append(db, &ACTOR_OPERATOR, "party.registered", s, NULL);
    }
    if (!rc)
        rc = events_commit(db);
    if (rc)
        events_rollback(db);
    *count = (int)json_array_size(states);
    json_decref(states);
    return rc;
}

static int write_secret_file(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0)
        return accord_fail(ACCORD_EENV, NULL, "cannot create %s: %s", path, strerror(errno));
    size_t n = strlen(text);
    int rc = write(fd, text, n) == (ssize_t)n && write(fd, "\n", 1) == 1
                 ? ACCORD_OK
                 : accord_fail(ACCORD_EENV, NULL, "cannot write %s", path);
    close(fd);
    return rc;
}

int cli_init(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, 0, 'd'},         {"origin", required_argument, 0, 'o'},
                                         {"public-url", required_argument, 0, 'u'},
                                         {"key", required_argument, 0, 'k'},        {"token-file", required_argument, 0, 't'},
                                         {"iso-codes", required_argument, 0, 'i'}, {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    const char *dbarg = NULL, *origin_arg = NULL, *url = NULL, *keyarg = NULL, *token_file = NULL;
    const char *iso = ISO_3166_PATH;
    char origin[LOGKEY_MAX_NAME + 1];
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd': dbarg = optarg; break;
        case 'o': origin_arg = optarg; break;
        case 'u': url = optarg; break;
        case 'k': keyarg = optarg; break;
        case 't': token_file = optarg; break;
        case 'i': iso = optarg; break;
        case 'h': init_usage(stdout); return 0;
        default: init_usage(stderr); return 1;
        }
    }
    if (optind != argc) {
        init_usage(stderr);
        return 1;
    }
    const char *path = cli_db_path(dbarg);
    char keypath[4096];
    if (keyarg) {
        snprintf(keypath, sizeof keypath, "%s", keyarg);
    } else {
        char copy[4096];
        snprintf(copy, sizeof copy, "%s", path);
        snprintf(keypath, sizeof keypath, "%s/log.key", dirname(copy));
    }
    int early = choose_origin(origin_arg, url, origin, sizeof origin);
    if (!early) early = check_fresh(path, keypath, token_file);
    if (early)
        return cli_fail(early);

    store *db = NULL;
    bool key_made = false;
    int count = 0, classified = 0, memberships = 0, rc = files_make_parent(path);
    if (!rc) rc = files_make_parent(keypath);
    if (!rc && token_file) rc = files_make_parent(token_file);
    char vkey[LOGKEY_MAX_VKEY], token[AUTH_TOKEN_LEN];
    if (!rc) rc = store_open(&db, path, true);
    if (!rc) rc = store_migrate(db);
    if (!rc) rc = register_states(db, iso, &count);
    if (!rc) rc = cli_un_record(db, &classified, &memberships);
    if (!rc && !(rc = logkey_create(keypath, origin, vkey)))
        key_made = true;
    char abskey[PATH_MAX];
    if (!rc && !realpath(keypath, abskey))
        rc = accord_fail(ACCORD_EENV, NULL, "cannot resolve %s: %s", keypath, strerror(errno));
    ledger_identity id = {0};
    snprintf(id.origin, sizeof id.origin, "%s", origin);
    snprintf(id.vkey, sizeof id.vkey, "%s", vkey);
    snprintf(id.key_file, sizeof id.key_file, "%s", abskey);
    if (!rc) rc = ledger_identity_set(db, &id);
    if (!rc) rc = auth_bootstrap_admin(db, token);
    if (!rc && token_file) rc = write_secret_file(token_file, token);
    store_close(db);
    if (rc) {
        int status = cli_fail(rc);
        cli_remove_db(path);
        if (key_made)
            unlink(keypath);
        return status;
    }
    printf("Created %s (schema %d) with %d states and territories from ISO 3166-1 (Debian iso-codes) and %d UN\n"
           "memberships (data/un-membership.json).\n",
           path, store_schema_target(), count, memberships);
    printf("Log origin: %s\nLog signing key: %s (owner-only)\nVerifier key: %s\n", origin, keypath, vkey);
    if (token_file)
        printf("Bootstrap admin API token written to %s (owner-only).\n", token_file);
    else
        printf("Bootstrap admin API token (shown once; keep it safe):\n%s\n", token);
    return 0;
}

static void load_usage(FILE *f)
{
    fprintf(f, "usage: accord load [--db PATH] FILE\n"
               "\n"
               "Loads an instrument dataset (format: docs/dataset.md): organizations, groups and\n"
               "memberships, instruments with provisions, actions, reported totals and known gaps.\n"
               "Every item becomes a logged event; the file loads completely or not at all.\n");
}

int cli_load(int argc, char **argv)
{
    const char *dbarg;
    int opt = cli_db_option(argc, argv, load_usage, &dbarg);
    if (opt >= 0)
        return opt;
    if (optind != argc - 1) {
        load_usage(stderr);
        return 1;
    }
    store *db;
    int status = cli_open_db(dbarg, &db);
    if (status)
        return status;
    dataset_counts n;
    int rc = dataset_load_file(db, &ACTOR_OPERATOR, argv[optind], &n);
    store_close(db);
    if (rc)
        return cli_fail(rc);
    printf("Loaded %s: %d events (%d instruments, %d provisions, %d organizations, %d groups, %d memberships, "
           "%d actions, %d reported totals).\n",
           argv[optind], n.events, n.instruments, n.provisions, n.organizations, n.groups, n.memberships, n.actions,
           n.reported_totals);
    return 0;
}
