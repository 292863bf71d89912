/* accord user, accord token and accord security-log: accounts and
 * credentials from the console. Changes made here are logged in the
 * security log with no acting account (the console operator). */
#include <getopt.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "auth/auth.h"
#include "cli/cli.h"
#include "util/clock.h"
#include "util/date.h"
#include "util/error.h"

/* ---- arguments ---- */

enum { O_DB = 1, O_HELP, O_EMAIL, O_NAME, O_ROLE, O_SCOPE, O_PWFILE, O_USER, O_EXPIRES, O_DAYS, O_LIMIT };

#define OPT_DB {"db", required_argument, 0, O_DB}
#define OPT_HELP {"help", no_argument, 0, O_HELP}
#define OPT_END {0, 0, 0, 0}

typedef struct args {
    const char *db, *email, *name, *role, *scope, *pwfile, *user, *expires, *days, *limit;
    const char *pos; /* the one positional argument (EMAIL or ID), if any */
    bool help;
} args;

/* Parses 'argv' with the options 'opts'; fails (-1) on an unknown option
 * or when the number of positional arguments is not 'npos' (0 or 1). */
static int parse_args(int argc, char **argv, const struct option *opts, int npos, args *a)
{
    int c;
    memset(a, 0, sizeof *a);
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case O_DB: a->db = optarg; break;
        case O_HELP: a->help = true; break;
        case O_EMAIL: a->email = optarg; break;
        case O_NAME: a->name = optarg; break;
        case O_ROLE: a->role = optarg; break;
        case O_SCOPE: a->scope = optarg; break;
        case O_PWFILE: a->pwfile = optarg; break;
        case O_USER: a->user = optarg; break;
        case O_EXPIRES: a->expires = optarg; break;
        case O_DAYS: a->days = optarg; break;
        case O_LIMIT: a->limit = optarg; break;
        default: return -1;
        }
    }
    if (a->help)
        return 0;
    if (argc - optind != npos)
        return -1;
    a->pos = npos ? argv[optind] : NULL;
    return 0;
}

/* A required option that was not given: one line saying which. */
static int missing(const char *option)
{
    return accord_fail(ACCORD_EINVAL, option, "--%s is required (see --help)", option);
}

/* ---- passwords ---- */

/* A fixed buffer rather than a growing buf: growing would leave copies of
 * the password in freed memory. It holds AUTH_MAX_PASSWORD bytes, one
 * more to notice a longer input, and the NUL. */
#define PW_CAP (AUTH_MAX_PASSWORD + 2)

/* Reads one line from 'f' into 'out', without its line end. */
static int read_line(FILE *f, char out[PW_CAP], const char *from)
{
    size_t n = 0;
    int c;
    while ((c = fgetc(f)) != EOF && c != '\n') {
        if (n > AUTH_MAX_PASSWORD)
            return accord_fail(ACCORD_EINVAL, "password", "password: at most %d bytes", AUTH_MAX_PASSWORD);
        out[n++] = (char)c;
    }
    if (n > 0 && out[n - 1] == '\r')
        n--;
    out[n] = '\0';
    if (n == 0 && ferror(f))
        return accord_fail(ACCORD_EENV, "password", "cannot read the password from %s", from);
    if (n == 0)
        return accord_fail(ACCORD_EINVAL, "password", "password: nothing was read from %s", from);
    return ACCORD_OK;
}

static int password_from_file(const char *path, char out[PW_CAP])
{
    FILE *f = fopen(path, "r");
    if (!f)
        return accord_fail(ACCORD_EENV, "password-file", "cannot open %s", path);
    /* Unbuffered, so that no stdio buffer keeps a copy of the password. */
    setvbuf(f, NULL, _IONBF, 0);
    int rc = read_line(f, out, path);
    fclose(f);
    return rc;
}

/* The terminal settings to restore if the prompt is interrupted: an
 * interrupted prompt must not leave the shell without echo. */
static struct termios saved_tty;

static void restore_tty_and_exit(int sig)
{
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_tty);
    _exit(128 + sig);
}

/* Reads one line from the terminal with echo off. */
static int prompt_once(const char *prompt, char out[PW_CAP])
{
    struct termios quiet;
    if (tcgetattr(STDIN_FILENO, &saved_tty) != 0)
        return accord_fail(ACCORD_EENV, "password", "cannot configure the terminal");
    quiet = saved_tty;
    quiet.c_lflag &= ~(tcflag_t)ECHO;
    fputs(prompt, stderr);
    fflush(stderr);
    void (*old_int)(int) = signal(SIGINT, restore_tty_and_exit);
    void (*old_term)(int) = signal(SIGTERM, restore_tty_and_exit);
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    int rc = read_line(stdin, out, "the terminal");
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_tty);
    signal(SIGINT, old_int);
    signal(SIGTERM, old_term);
    fputc('\n', stderr);
    return rc;
}

/* Asks twice, so that a typing mistake does not become the password. */
static int password_from_tty(char out[PW_CAP])
{
    char again[PW_CAP];
    int rc = prompt_once("New password: ", out);
    if (!rc) rc = prompt_once("The same again: ", again);
    if (!rc && strcmp(out, again) != 0)
        rc = accord_fail(ACCORD_EINVAL, "password", "password: the two entries differ");
    sodium_memzero(again, sizeof again);
    return rc;
}

/* --password-file, else standard input when it is not a terminal (one
 * line), else a prompt. The password must pass the acceptance rules. */
static int read_password(const char *file, char out[PW_CAP])
{
    int rc;
    setvbuf(stdin, NULL, _IONBF, 0);
    if (file)
        rc = password_from_file(file, out);
    else if (!isatty(STDIN_FILENO))
        rc = read_line(stdin, out, "standard input");
    else
        rc = password_from_tty(out);
    if (!rc) rc = auth_password_acceptable(out);
    return rc;
}

/* ---- printing ---- */

static const char *str_or(const json_t *obj, const char *key, const char *dflt)
{
    const char *s = json_string_value(json_object_get(obj, key));
    return s && *s ? s : dflt;
}

/* The account as people know it: its email, else its id. */
static const char *account_label(const json_t *obj)
{
    return str_or(obj, "email", str_or(obj, "account", "-"));
}

static void print_users(const json_t *list)
{
    size_t i;
    json_t *u;
    printf("%-32s  %-30s  %-11s  %-16s  %-8s  %s\n", "ID", "EMAIL", "ROLE", "SCOPE", "STATE", "NAME");
    json_array_foreach(list, i, u)
    {
        printf("%-32s  %-30s  %-11s  %-16s  %-8s  %s\n", str_or(u, "id", "-"), str_or(u, "email", "-"),
               str_or(u, "role", "-"), str_or(u, "scope", "-"),
               json_is_true(json_object_get(u, "disabled")) ? "disabled" : "enabled", str_or(u, "display_name", "-"));
    }
}

static void print_tokens(const json_t *list)
{
    size_t i;
    json_t *t;
    printf("%-6s  %-20s  %-30s  %-16s  %-8s  %-20s  %-20s  %s\n", "ID", "NAME", "ACCOUNT", "SCOPE", "STATE",
           "CREATED", "EXPIRES", "LAST USED");
    json_array_foreach(list, i, t)
    {
        printf("%-6lld  %-20s  %-30s  %-16s  %-8s  %-20s  %-20s  %s\n",
               (long long)json_integer_value(json_object_get(t, "id")), str_or(t, "name", "-"), account_label(t),
               str_or(t, "scope", "-"), str_or(t, "state", "-"), str_or(t, "created_at", "-"),
               str_or(t, "expires_at", "never"), str_or(t, "last_used_at", "never"));
    }
}

/* Who made a change: an account id, or the console for account and
 * token changes made without one. Sign-ins are made by the account itself. */
static const char *actor_label(const json_t *e)
{
    const char *kind = str_or(e, "kind", "");
    bool change = strncmp(kind, "user.", 5) == 0 || strncmp(kind, "token.", 6) == 0;
    return str_or(e, "by", change ? "console" : "-");
}

static void print_security_log(const json_t *list)
{
    size_t i;
    json_t *e;
    printf("%-20s  %-22s  %-30s  %-32s  %-15s  %s\n", "AT", "KIND", "ACCOUNT", "BY", "CLIENT", "DETAIL");
    json_array_foreach(list, i, e)
    {
        printf("%-20s  %-22s  %-30s  %-32s  %-15s  %s\n", str_or(e, "at", "-"), str_or(e, "kind", "-"),
               account_label(e), actor_label(e), str_or(e, "client", "-"), str_or(e, "detail", ""));
    }
}

/* ---- accord user ---- */

static int user_add(store *db, const args *a)
{
    char pw[PW_CAP], id[AUTH_ID_LEN];
    int rc = !a->email ? missing("email") : !a->name ? missing("name") : !a->role ? missing("role") : ACCORD_OK;
    /* Everything but the password is checked first: no point typing one
     * twice for an account that cannot be made. */
    if (!rc) rc = auth_scope_check(db, a->role, a->scope);
    if (!rc) rc = read_password(a->pwfile, pw);
    if (!rc) rc = auth_user_add(db, a->email, a->name, a->role, a->scope, pw, NULL, id);
    sodium_memzero(pw, sizeof pw);
    if (!rc)
        printf("Created account %s for %s (%s%s%s).\n", id, a->email, a->role, a->scope ? " " : "",
               a->scope ? a->scope : "");
    return rc;
}

static int user_list(store *db, const args *a)
{
    json_t *list;
    (void)a;
    int rc = auth_user_list(db, &list);
    if (!rc)
        print_users(list);
    json_decref(list);
    return rc;
}

static int user_set_state(store *db, const char *who, bool disabled)
{
    char id[AUTH_ID_LEN];
    int rc = auth_user_find(db, who, id);
    if (!rc) rc = auth_user_set_disabled(db, id, disabled, NULL);
    if (!rc)
        printf("%s %s%s.\n", disabled ? "Disabled" : "Enabled", who,
               disabled ? "; its sessions were ended and its API tokens refused until it is enabled" : "");
    return rc;
}

static int user_disable(store *db, const args *a) { return user_set_state(db, a->pos, true); }
static int user_enable(store *db, const args *a) { return user_set_state(db, a->pos, false); }

static int user_passwd(store *db, const args *a)
{
    char pw[PW_CAP], id[AUTH_ID_LEN];
    int rc = auth_user_find(db, a->pos, id);
    if (!rc) rc = read_password(a->pwfile, pw);
    if (!rc) rc = auth_user_set_password(db, id, pw, NULL);
    sodium_memzero(pw, sizeof pw);
    if (!rc)
        printf("Changed the password of %s; its sessions were ended.\n", a->pos);
    return rc;
}

static int user_role(store *db, const args *a)
{
    char id[AUTH_ID_LEN];
    int rc = a->role ? auth_user_find(db, a->pos, id) : missing("role");
    if (!rc) rc = auth_user_set_role(db, id, a->role, a->scope, NULL);
    if (!rc)
        printf("%s is now %s%s%s.\n", a->pos, a->role, a->scope ? " " : "", a->scope ? a->scope : "");
    return rc;
}

/* ---- accord token ---- */

/* --expires as given, or --days from now, or NULL (never). */
static int token_expiry(const args *a, char out[21], const char **expires)
{
    char *end;
    *expires = NULL;
    if (a->expires && a->days)
        return accord_fail(ACCORD_EINVAL, "expires", "give --expires or --days, not both");
    if (a->expires)
        *expires = a->expires;
    if (!a->days)
        return ACCORD_OK;
    long days = strtol(a->days, &end, 10);
    if (*end || end == a->days || days < 1 || days > 3650)
        return accord_fail(ACCORD_EINVAL, "days", "--days: give 1 to 3650");
    date_format_rfc3339(clock_now() + (int64_t)days * 86400, out);
    *expires = out;
    return ACCORD_OK;
}

static int token_create(store *db, const args *a)
{
    char id[AUTH_ID_LEN], until[21], token[AUTH_TOKEN_LEN];
    const char *expires;
    int64_t tid;
    int rc = !a->user ? missing("user") : !a->name ? missing("name") : ACCORD_OK;
    if (!rc) rc = token_expiry(a, until, &expires);
    if (!rc) rc = auth_user_find(db, a->user, id);
    if (!rc) rc = auth_token_create(db, id, a->name, a->scope, expires, NULL, token, &tid);
    if (!rc) {
        printf("API token %lld \"%s\" for %s, %s%s. Shown once; keep it safe:\n%s\n", (long long)tid, a->name,
               a->user, expires ? "expires " : "no expiry", expires ? expires : "", token);
        sodium_memzero(token, sizeof token);
    }
    return rc;
}

static int token_list(store *db, const args *a)
{
    char id[AUTH_ID_LEN];
    json_t *list = NULL;
    int rc = a->user ? auth_user_find(db, a->user, id) : ACCORD_OK;
    if (!rc) rc = auth_token_list(db, a->user ? id : NULL, &list);
    if (!rc)
        print_tokens(list);
    json_decref(list);
    return rc;
}

static int token_revoke(store *db, const args *a)
{
    char *end;
    long long id = strtoll(a->pos, &end, 10);
    if (*end || end == a->pos || id <= 0)
        return accord_fail(ACCORD_EINVAL, "id", "token id: give the number shown by 'accord token list'");
    int rc = auth_token_revoke(db, (int64_t)id, NULL, NULL);
    if (!rc)
        printf("Revoked token %lld.\n", id);
    return rc;
}

/* ---- accord security-log ---- */

static int security_log(store *db, const args *a)
{
    char *end;
    json_t *list = NULL;
    long limit = a->limit ? strtol(a->limit, &end, 10) : 50;
    if (a->limit && (*end || end == a->limit || limit < 1 || limit > 10000))
        return accord_fail(ACCORD_EINVAL, "limit", "--limit: give 1 to 10000");
    int rc = auth_security_log_list(db, (int)limit, &list);
    if (!rc)
        print_security_log(list);
    json_decref(list);
    return rc;
}

/* ---- dispatch ---- */

typedef struct subcommand {
    const char *name;
    const char *usage; /* the synopsis after "accord " */
    const char *help;  /* what it does */
    const struct option *opts;
    int npos;
    int (*run)(store *db, const args *a);
} subcommand;

static const struct option o_plain[] = {OPT_DB, OPT_HELP, OPT_END};
static const struct option o_user_add[] = {OPT_DB,
                                           OPT_HELP,
                                           {"email", required_argument, 0, O_EMAIL},
                                           {"name", required_argument, 0, O_NAME},
                                           {"role", required_argument, 0, O_ROLE},
                                           {"scope", required_argument, 0, O_SCOPE},
                                           {"password-file", required_argument, 0, O_PWFILE},
                                           OPT_END};
static const struct option o_passwd[] = {OPT_DB, OPT_HELP, {"password-file", required_argument, 0, O_PWFILE}, OPT_END};
static const struct option o_role[] = {OPT_DB, OPT_HELP, {"role", required_argument, 0, O_ROLE},
                                       {"scope", required_argument, 0, O_SCOPE}, OPT_END};
static const struct option o_token_create[] = {OPT_DB, OPT_HELP, {"user", required_argument, 0, O_USER},
                                               {"name", required_argument, 0, O_NAME},
                                               {"scope", required_argument, 0, O_SCOPE},
                                               {"expires", required_argument, 0, O_EXPIRES},
                                               {"days", required_argument, 0, O_DAYS}, OPT_END};
static const struct option o_token_list[] = {OPT_DB, OPT_HELP, {"user", required_argument, 0, O_USER}, OPT_END};
static const struct option o_seclog[] = {OPT_DB, OPT_HELP, {"limit", required_argument, 0, O_LIMIT}, OPT_END};

#define PASSWORD_HELP                                                                                                  \
    "The password comes from --password-file F (its first line), else from standard input\n"                         \
    "when it is not a terminal (one line), else it is asked twice without echo. At least\n"                          \
    "12 characters, and not one of the most common passwords.\n"

static const subcommand user_cmds[] = {
    {"add", "user add [--db PATH] --email E --name N --role R [--scope S] [--password-file F]",
     "Creates an account. Roles: " AUTH_ROLES ". Scope: a registered party code for\n"
     "focal_point, an instrument (or none) for reviewer, an entity code such as unodc or\n"
     "unodc/almaty for coordinator, none for admin and depositary.\n" PASSWORD_HELP,
     o_user_add, 0, user_add},
    {"list", "user list [--db PATH]", "Lists the accounts (never their secrets).\n", o_plain, 0, user_list},
    {"disable", "user disable [--db PATH] EMAIL",
     "Disables an account: it cannot sign in, its sessions end, its API tokens are refused.\n", o_plain, 1,
     user_disable},
    {"enable", "user enable [--db PATH] EMAIL", "Enables a disabled account again.\n", o_plain, 1, user_enable},
    {"passwd", "user passwd [--db PATH] EMAIL [--password-file F]",
     "Sets a new password and ends the account's sessions.\n" PASSWORD_HELP, o_passwd, 1, user_passwd},
    {"role", "user role [--db PATH] EMAIL --role R [--scope S]",
     "Changes an account's role and scope. API tokens whose scope no longer fits are refused.\n", o_role, 1,
     user_role},
};

static const subcommand token_cmds[] = {
    {"create", "token create [--db PATH] --user EMAIL --name N [--scope S] [--expires RFC3339 | --days N]",
     "Creates an API token for an account and prints it once. Its scope is the account's,\n"
     "or narrower with --scope (one instrument of a reviewer of all; an office of a\n"
     "coordinator's entity, unodc/almaty of unodc). Without --expires or --days it does\n"
     "not expire.\n",
     o_token_create, 0, token_create},
    {"list", "token list [--db PATH] [--user EMAIL]", "Lists API tokens (never their values).\n", o_token_list, 0,
     token_list},
    {"revoke", "token revoke [--db PATH] ID", "Revokes an API token for good.\n", o_plain, 1, token_revoke},
};

static const subcommand seclog_cmd = {
    "security-log", "security-log [--db PATH] [--limit N]",
    "Shows the latest security events, newest first (default 50): sign-ins, failures,\n"
    "throttling, sign-outs, and changes to accounts and tokens.\n",
    o_seclog, 0, security_log};

static void sub_usage(FILE *f, const subcommand *s)
{
    fprintf(f, "usage: accord %s\n\n%s", s->usage, s->help);
}

static void group_usage(FILE *f, const char *group, const subcommand *cmds, size_t n)
{
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%s accord %s\n", i == 0 ? "usage:" : "      ", cmds[i].usage);
    fprintf(f, "\naccord %s SUBCOMMAND --help for details. The database is --db PATH, else $ACCORD_DB,\n"
               "else %s.\n",
            group, CLI_DEFAULT_DB);
}

/* Parses, opens the database, runs 's', and turns its result into an
 * exit status. */
static int run_sub(const subcommand *s, int argc, char **argv)
{
    args a;
    store *db;
    if (parse_args(argc, argv, s->opts, s->npos, &a) != 0) {
        sub_usage(stderr, s);
        return 1;
    }
    if (a.help) {
        sub_usage(stdout, s);
        return 0;
    }
    int status = cli_open_db(a.db, &db);
    if (status)
        return status;
    int rc = s->run(db, &a);
    store_close(db);
    return rc ? cli_fail(rc) : 0;
}

static int run_group(const char *group, const subcommand *cmds, size_t n, int argc, char **argv)
{
    if (argc < 2) {
        group_usage(stderr, group, cmds, n);
        return 1;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
        group_usage(stdout, group, cmds, n);
        return 0;
    }
    for (size_t i = 0; i < n; i++)
        if (strcmp(argv[1], cmds[i].name) == 0)
            return run_sub(&cmds[i], argc - 1, argv + 1);
    fprintf(stderr, "accord: unknown subcommand '%s %s'\n", group, argv[1]);
    group_usage(stderr, group, cmds, n);
    return 1;
}

int cli_user(int argc, char **argv)
{
    return run_group("user", user_cmds, sizeof user_cmds / sizeof user_cmds[0], argc, argv);
}

int cli_token(int argc, char **argv)
{
    return run_group("token", token_cmds, sizeof token_cmds / sizeof token_cmds[0], argc, argv);
}

int cli_security_log(int argc, char **argv) { return run_sub(&seclog_cmd, argc, argv); }
