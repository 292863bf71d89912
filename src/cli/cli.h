/* The accord command line: one function per subcommand, each returning a
 * process exit status (0 ok, 1 bad input, 2 environment, 3 verification
 * failed). */
#ifndef ACCORD_CLI_CLI_H
#define ACCORD_CLI_CLI_H

#include <stdio.h>
#include <jansson.h>

#include "store/db.h"

#define CLI_DEFAULT_DB "var/accord.db"

int cli_init(int argc, char **argv);
int cli_load(int argc, char **argv);
int cli_serve(int argc, char **argv);
int cli_status(int argc, char **argv);
int cli_record(int argc, char **argv);
int cli_witness(int argc, char **argv);
int cli_verify(int argc, char **argv);
int cli_cycle(int argc, char **argv);
/* accord review (rate or return a report), accord trajectory (src/cli/review.c). */
int cli_review(int argc, char **argv);
int cli_trajectory(int argc, char **argv);
/* accord report template|import|export|matrix (src/cli/report.c). */
int cli_report(int argc, char **argv);
int cli_replay(int argc, char **argv);
int cli_log(int argc, char **argv);
/* Writes DIR/checkpoint and every tile of the latest signed checkpoint
 * (accord log export; also the log part of accord site export). */
int cli_log_export(store *db, const char *dir);
/* accord site export: the public portal as static files (src/cli/site.c). */
int cli_site(int argc, char **argv);
/* accord user add|list|disable|enable|passwd|role, accord token
 * create|list|revoke, accord security-log (src/cli/user.c). */
int cli_user(int argc, char **argv);
int cli_token(int argc, char **argv);
int cli_security_log(int argc, char **argv);
/* accord un-membership (src/cli/un.c). */
int cli_un_membership(int argc, char **argv);

/* In one transaction: gives each ISO 3166-1 party of 'db' its kind
 * (state or territory; one party.classified event per change, counted in
 * '*classified') and records the group "un" with its members and
 * observers unless it exists ('*memberships' recorded). Nothing is
 * written on failure. */
int cli_un_record(store *db, int *classified, int *memberships);

/* accord assistance: needs, offers, activities, coordination views, HXL
 * and IATI exports (src/cli/assistance.c). */
int cli_assistance(int argc, char **argv);

/* Prints the current error as "accord: <message>" and returns the exit
 * status for 'code'. */
int cli_fail(int code);

/* Opens the database named by --db / ACCORD_DB / the default and checks
 * its schema. Returns an exit status; on 0, '*out' is open. */
int cli_open_db(const char *path, store **out);

/* Removes the database file at 'path' with its WAL and shared-memory
 * files: a half-made database is worse than none. */
void cli_remove_db(const char *path);

/* --as-of: 'given' checked as a date, or today (UTC) written into 'today'.
 * Sets '*out' to the one to use. */
int cli_as_of(const char *given, char today[11], const char **out);

/* Prints 'v' as indented JSON, keys in their order, and a newline. */
void cli_print_json(const json_t *v);

/* Parses --provision: a provision number (a positive integer). */
int cli_provision_number(const char *text, long long *out);

/* The database path: 'given' if set, else $ACCORD_DB, else the default. */
const char *cli_db_path(const char *given);

/* Reads the options of a command whose only options are --db and --help:
 * returns -1 to go on, with '*dbarg' the --db given (or NULL) and optind
 * at the first operand, or the exit status to return at once (0 after
 * --help, which printed 'usage' to stdout; 1 after a bad option, which
 * printed it to stderr). */
int cli_db_option(int argc, char **argv, void (*usage)(FILE *), const char **dbarg);

#endif
