/* cli-cli: the accord command as a user meets it: every subcommand's
 * --help, recording from the console, exit statuses and messages. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "helpers.h"

static char *dir, *db;

static void setup(void)
{
    dir = th_tempdir();
    db = th_make_db(dir, true, NULL);
}

static void teardown(void)
{
    th_rmtree(dir);
    free(dir);
    free(db);
}

TestSuite(cli, .init = setup, .fini = teardown, .timeout = 60);

Test(cli, every_command_has_help)
{
    static const char *const commands[] = {"init", "load", "serve", "status", "record", "log", "verify",
                                           "replay", "witness", "user", "token", "security-log", "cycle",
                                           "report", "review", "trajectory"};
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        char *out;
        const char *args[] = {commands[i], "--help", NULL};
        cr_assert_eq(th_run_accord(&out, args), 0, "accord %s --help", commands[i]);
        cr_assert(strstr(out, "usage:"), "accord %s --help prints a usage line: %s", commands[i], out);
        free(out);
    }
    char *out;
    const char *version[] = {"--version", NULL};
    cr_assert_eq(th_run_accord(&out, version), 0);
    cr_assert(strncmp(out, "accord ", 7) == 0, "%s", out);
    free(out);
    const char *unknown[] = {"frobnicate", NULL};
    cr_assert_eq(th_run_accord(NULL, unknown), 1);
}

Test(cli, record_prints_the_notification_and_the_status_shows_it)
{
    char *out;
    const char *rec[] = {"record", "code-of-conduct", "--db", db, "--party", "FRA", "--type", "signature", "--date",
                         "2019-03-01", "--place", "New York", "--signer-name", "A. Signer", "--signer-title",
                         "Ambassador", "--source-title", "=HYPERLINK(\"https://example.org\")", "--source-url",
                         "https://example.org/n", NULL};
    cr_assert_eq(th_run_accord(&out, rec), 0, "%s", out);
    cr_assert(strstr(out, "Notification code-of-conduct/2019/"), "%s", out);
    cr_assert(strstr(out, "France signed the Code of Conduct Towards Achieving a World Free of Terrorism at New York"),
              "%s", out);
    free(out);
    const char *st[] = {"status", "code-of-conduct", "--db", db, "--as-of", "2019-03-01", "--format", "csv", NULL};
    cr_assert_eq(th_run_accord(&out, st), 0);
    cr_assert(strstr(out, "FRA,state,France,signature,2019-03-01,day,New York,A. Signer,Ambassador"), "%s", out);
    /* A source title a spreadsheet would run as a formula is marked as text. */
    cr_assert(strstr(out, ",\"'=HYPERLINK(\"\"https://example.org\"\")\","), "%s", out);
    free(out);
    /* The same signature again: a conflict, exit status 1. */
    cr_assert_eq(th_run_accord(NULL, rec), 1);
}

Test(cli, bad_input_is_exit_1_and_names_the_field)
{
    char *out;
    const char *nosource[] = {"record", "code-of-conduct", "--db", db, "--party", "FRA", "--type", "signature",
                              "--date", "2019-03-01", NULL};
    cr_assert_eq(th_run_accord(&out, nosource), 1);
    free(out);
    const char *baddate[] = {"status", "code-of-conduct", "--db", db, "--as-of", "2019-02-30", NULL};
    cr_assert_eq(th_run_accord(NULL, baddate), 1);
    const char *badformat[] = {"status", "code-of-conduct", "--db", db, "--format", "xml", NULL};
    cr_assert_eq(th_run_accord(NULL, badformat), 1);
    /* A dataset with a mistake loads nothing and says where. */
    char bad[512];
    snprintf(bad, sizeof bad, "%s/bad.json", dir);
    FILE *f = fopen(bad, "w");
    fputs("{\"format\":\"accord-dataset/1\",\"instruments\":[{\"slug\":\"second\",\"title\":\"Second\","
          "\"opened_on\":\"2020-01-01\",\"source\":{\"title\":\"t\"},\"actions\":[{\"party\":\"KAZ\","
          "\"type\":\"signature\",\"date\":\"2020-02-31\",\"source\":{\"title\":\"t\"}}]}]}",
          f);
    fclose(f);
    store *s = th_open(db);
    uint64_t before = th_log_size(s);
    store_close(s);
    const char *load[] = {"load", "--db", db, bad, NULL};
    cr_assert_eq(th_run_accord(&out, load), 1);
    free(out);
    s = th_open(db);
    cr_assert_eq(th_log_size(s), before, "nothing of a bad dataset is loaded");
    store_close(s);
}

Test(cli, environment_problems_are_exit_2)
{
    char missing[512];
    snprintf(missing, sizeof missing, "%s/nothing-here.db", dir);
    const char *st[] = {"status", "code-of-conduct", "--db", missing, NULL};
    cr_assert_eq(th_run_accord(NULL, st), 2, "a missing database");
    const char *again[] = {"init", "--db", db, NULL};
    cr_assert_eq(th_run_accord(NULL, again), 2, "init refuses an existing database");
    /* A port in use. */
    th_server first;
    th_server_start(&first, db);
    char port[16];
    snprintf(port, sizeof port, "%u", first.port);
    const char *serve[] = {"serve", "--db", db, "--port", port, NULL};
    cr_assert_eq(th_run_accord(NULL, serve), 2, "the port is busy");
    th_server_stop(&first);
}

/* The origin and verifier key of the log in 'path' (accord log key). */
static void log_key(const char *path, char *origin, char *vkey, size_t len)
{
    char *out;
    const char *args[] = {"log", "key", "--db", path, NULL};
    cr_assert_eq(th_run_accord(&out, args), 0);
    const char *o = strstr(out, "origin "), *v = strstr(out, "vkey ");
    cr_assert(o && v, "%s", out);
    snprintf(origin, len, "%.*s", (int)strcspn(o + 7, "\n"), o + 7);
    snprintf(vkey, len, "%.*s", (int)strcspn(v + 5, "\n"), v + 5);
    free(out);
}

/* accord verify on the log served from 'path', with the default state
 * file (under $HOME); returns the exit status. */
static int verify_served(const char *path, char **out)
{
    char origin[256], vkey[512];
    log_key(path, origin, vkey, sizeof origin);
    th_server s;
    th_server_start(&s, path);
    store *st = th_open(path);
    th_wait_checkpoint(&s, th_log_size(st));
    store_close(st);
    const char *args[] = {"verify", s.base, "--vkey", vkey, NULL};
    int status = th_run_accord(out, args);
    th_server_stop(&s);
    return status;
}

Test(cli, two_logs_made_without_an_origin_each_get_their_own)
{
    char other[512], home[512], o1[256], o2[256], v[512], *out;
    snprintf(other, sizeof other, "%s/other", dir);
    snprintf(home, sizeof home, "%s/home", dir);
    cr_assert_eq(mkdir(other, 0700), 0);
    setenv("HOME", home, 1); /* accord verify keeps its state there */
    char *db2 = th_make_db(other, false, NULL);
    log_key(db, o1, v, sizeof o1);
    log_key(db2, o2, v, sizeof o2);
    cr_assert_str_neq(o1, o2, "two logs, two origins");
    cr_assert(strncmp(o1, "accord.localhost/log/", 21) == 0 && strlen(o1) == 21 + 16, "%s", o1);
    /* The bigger log first, then the smaller: no false rollback. */
    cr_assert_eq(verify_served(db, &out), 0, "%s", out);
    free(out);
    cr_assert_eq(verify_served(db2, &out), 0, "the second log is not taken for the first: %s", out);
    free(out);
    free(db2);
}

Test(cli, the_origin_can_come_from_the_public_url)
{
    char path[512], token[512], origin[256], vkey[512], *out, *err;
    snprintf(path, sizeof path, "%s/pub/accord.db", dir);
    snprintf(token, sizeof token, "%s/pub/admin.token", dir);
    const char *init[] = {"init", "--db", path, "--token-file", token, "--public-url", "https://Accord.Example.org/", NULL};
    cr_assert_eq(th_run_accord(&out, init), 0, "%s", out);
    free(out);
    log_key(path, origin, vkey, sizeof origin);
    cr_assert_str_eq(origin, "accord.example.org/log");
    const char *sub[] = {"init", "--db", "x.db", "--public-url", "https://example.org/un/accord?x=1", NULL};
    cr_assert_eq(th_run_accord_full(&out, &err, sub), 1);
    cr_assert(strstr(err, "query"), "%s", err);
    free(out);
    free(err);
    const char *both[] = {"init", "--db", "x.db", "--origin", "a.example/log", "--public-url", "https://a.example", NULL};
    cr_assert_eq(th_run_accord_full(&out, &err, both), 1);
    cr_assert(strstr(err, "not both"), "%s", err);
    free(out);
    free(err);
    const char *ftp[] = {"init", "--db", "x.db", "--public-url", "ftp://a.example", NULL};
    cr_assert_eq(th_run_accord(NULL, ftp), 1);
}

Test(cli, init_makes_missing_directories_and_says_what_to_do_with_a_leftover_key)
{
    char path[512], token[512], key[512], *out, *err;
    snprintf(path, sizeof path, "%s/var/other/accord.db", dir);
    snprintf(token, sizeof token, "%s/var/other/admin.token", dir);
    snprintf(key, sizeof key, "%s/var/other/log.key", dir);
    const char *init[] = {"init", "--db", path, "--token-file", token, NULL};
    cr_assert_eq(th_run_accord_full(&out, &err, init), 0, "var/ and var/other/ are created: %s", err);
    free(out);
    free(err);
    /* The database alone is deleted: the key and the token remain. */
    cr_assert_eq(unlink(path), 0);
    cr_assert_eq(th_run_accord_full(&out, &err, init), 2);
    char want[1200];
    snprintf(want, sizeof want, "rm %s %s", key, token);
    cr_assert(strstr(err, want) && strstr(err, "Restore the database from a backup"), "says what to do: %s", err);
    free(out);
    free(err);
    /* Doing what it says works. */
    cr_assert_eq(unlink(key), 0);
    cr_assert_eq(unlink(token), 0);
    cr_assert_eq(th_run_accord_full(&out, &err, init), 0, "%s", err);
    free(out);
    free(err);
}

Test(cli, cycles_from_the_console)
{
    char *out;
    const char *open[] = {"cycle", "open", "code-of-conduct", "--db", db, "--code", "2025", "--name", "Past cycle",
                          "--opens", "2025-01-01", "--due", "2025-06-30", NULL};
    cr_assert_eq(th_run_accord(&out, open), 0, "%s", out);
    free(out);
    cr_assert_eq(th_run_accord(NULL, open), 1, "the same cycle twice");
    const char *list[] = {"cycle", "list", "code-of-conduct", "--db", db, NULL};
    cr_assert_eq(th_run_accord(&out, list), 0);
    cr_assert(strstr(out, "2025") && strstr(out, "Past cycle"), "%s", out);
    free(out);
    const char *progress[] = {"cycle", "progress", "code-of-conduct", "2025", "--db", db, "--as-of", "2025-07-01", NULL};
    cr_assert_eq(th_run_accord(&out, progress), 0);
    cr_assert(strstr(out, "0 submitted, 0 due, 7 overdue"), "%s", out);
    cr_assert(strstr(out, "KAZ") && strstr(out, "overdue"), "%s", out);
    free(out);
}

/* Writes 'text' to DIR/name and returns the path (caller frees). */
static char *write_temp(const char *name, const char *text)
{
    size_t len = strlen(dir) + strlen(name) + 2;
    char *path = malloc(len);
    snprintf(path, len, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

/* The whole reporting loop as the secretariat runs it from the console:
 * open a cycle, import KAZ's filled-in template, submit, release, rate
 * and re-rate, then read the Turkic Council's matrix and the trajectory. */
Test(cli, the_reporting_loop_from_the_console)
{
    /* The loop runs on 27 November 2026, whatever today is: the ratings
     * take their date from the clock, and the trajectory below counts
     * those made by 28 November 2026. */
    setenv("ACCORD_NOW", "2026-11-27T12:00:00Z", 1);
    char *out;
    const char *open[] = {"cycle", "open", "code-of-conduct", "--db", db, "--code", "2026", "--name", "First",
                          "--opens", "2026-01-15", "--due", "2026-06-30", NULL};
    cr_assert_eq(th_run_accord(&out, open), 0, "%s", out);
    free(out);
    char *file = write_temp("kaz.csv", "party,provision,status,narrative\n"
                                       "KAZ,1,in_progress,National plan adopted\n"
                                       "KAZ,2,implemented,Law in force\n");
    const char *import[] = {"report", "import", "code-of-conduct", "2026", file, "--party", "KAZ", "--db", db, NULL};
    cr_assert_eq(th_run_accord(&out, import), 0, "%s", out);
    free(out);

    /* A rating before submission is refused and writes nothing. */
    const char *early[] = {"review", "code-of-conduct", "2026", "--party", "KAZ", "--provision", "1", "--rate",
                           "implemented", "--rationale", "too early", "--db", db, NULL};
    char *err;
    cr_assert_eq(th_run_accord_full(&out, &err, early), 1);
    cr_assert(strstr(err, "provision"), "%s", err);
    free(out);
    free(err);
    const char *twice[] = {"review", "code-of-conduct", "2026", "--party", "KAZ", "--provision", "1", "--rate",
                           "implemented", "--return", "--comments", "x", "--db", db, NULL};
    cr_assert_eq(th_run_accord(NULL, twice), 1, "a rating and a return at once");

    for (const char *p = "1"; p; p = strcmp(p, "1") == 0 ? "2" : NULL) {
        const char *submit[] = {"report", "submit", "code-of-conduct", "2026", "--party", "KAZ", "--provision", p,
                                "--db", db, NULL};
        cr_assert_eq(th_run_accord(&out, submit), 0, "%s", out);
        cr_assert(strstr(out, "Submitted version 1"), "%s", out);
        free(out);
    }
    const char *release[] = {"report", "release", "code-of-conduct", "2026", "--party", "KAZ", "--provision", "1",
                             "--db", db, NULL};
    cr_assert_eq(th_run_accord(&out, release), 0, "%s", out);
    free(out);
    const char *rate1[] = {"review", "code-of-conduct", "2026", "--party", "KAZ", "--provision", "1", "--rate",
                           "partly_implemented", "--rationale", "Plan adopted", "--db", db, NULL};
    const char *rerate1[] = {"review", "code-of-conduct", "2026", "--party", "KAZ", "--provision", "1", "--rate",
                             "implemented", "--rationale", "Plan applied", "--db", db, NULL};
    const char *return2[] = {"review", "code-of-conduct", "2026", "--party", "KAZ", "--provision", "2", "--return",
                             "--comments", "Cite the law", "--db", db, NULL};
    cr_assert_eq(th_run_accord(NULL, rate1), 0);
    cr_assert_eq(th_run_accord(NULL, rerate1), 0);
    cr_assert_eq(th_run_accord(&out, return2), 0, "%s", out);
    cr_assert(strstr(out, "Returned KAZ provision 2"), "%s", out);
    free(out);

    /* The Turkic Council's matrix: KAZ's provision 1 is implemented (the
     * re-rating), with its released self-assessment; provision 2 was
     * returned and is not rated. */
    const char *matrix[] = {"report", "matrix", "code-of-conduct", "--group", "turkic-council", "--cycle", "2026",
                            "--format", "csv", "--db", db, NULL};
    cr_assert_eq(th_run_accord(&out, matrix), 0, "%s", out);
    cr_assert(strstr(out, "KAZ,Kazakhstan,1,implemented,in_progress\r\n") ||
                  strstr(out, "KAZ,Kazakhstan,1,implemented,in_progress\n"),
              "%s", out);
    cr_assert(strstr(out, "KAZ,Kazakhstan,2,not_rated,"), "%s", out);
    cr_assert(strstr(out, "TUR,") && strstr(out, "AZE,") && strstr(out, "KGZ,"), "members: %s", out);
    cr_assert_null(strstr(out, "RUS,"), "the Russian Federation is not a member: %s", out);
    cr_assert_null(strstr(out, "VCT,"), "Saint Vincent and the Grenadines is not a member: %s", out);
    free(out);

    /* 2026: 7 participants x 10 provisions = 70 cells, 1 implemented. */
    const char *trajectory[] = {"trajectory", "code-of-conduct", "--as-of", "2026-11-28", "--format", "json",
                                "--db", db, NULL};
    cr_assert_eq(th_run_accord(&out, trajectory), 0, "%s", out);
    json_error_t jerr;
    json_t *t = json_loads(out, 0, &jerr);
    cr_assert_not_null(t, "%s", jerr.text);
    json_t *years = json_object_get(t, "years");
    json_t *last = json_array_get(years, json_array_size(years) - 1);
    cr_assert_eq(json_integer_value(json_object_get(last, "year")), 2026);
    cr_assert_eq(json_integer_value(json_object_get(last, "cells")), 70);
    cr_assert_eq(json_integer_value(json_object_get(last, "implemented")), 1);
    cr_assert_str_eq(json_string_value(json_object_get(last, "label")), "off track");
    json_decref(t);
    free(out);
    free(file);
}
