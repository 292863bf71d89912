/* audit-audit: accord verify, replay and export against the real server,
 * and durability of acknowledged writes across kill -9. */
#include <criterion/criterion.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"

static char *dir, *db, token[64], vkey[400];
static th_server server;
static uint64_t base; /* entries in the demo log before a test writes */
static uint64_t log_size_now(void);

static void read_vkey(void)
{
    char *out;
    const char *args[] = {"log", "key", "--db", db, NULL};
    cr_assert_eq(th_run_accord(&out, args), 0);
    char *v = strstr(out, "vkey ");
    cr_assert_not_null(v, "%s", out);
    snprintf(vkey, sizeof vkey, "%s", v + 5);
    vkey[strcspn(vkey, "\n")] = '\0';
    free(out);
}

static void setup(void)
{
    cr_assert_geq(sodium_init(), 0);
    dir = th_tempdir();
    db = th_make_db(dir, true, token);
    base = log_size_now();
    cr_assert(base > 256 && base < 512, "the demo log ends in the second entry bundle (%llu)", (unsigned long long)base);
    read_vkey();
    th_server_start(&server, db);
}

static void teardown(void)
{
    th_server_stop(&server);
    th_rmtree(dir);
    free(dir);
    free(db);
}

TestSuite(audit, .init = setup, .fini = teardown, .timeout = 120);

/* Records a declaration by 'party' through the API; returns the status. */
static long declare(const char *party, const char *note)
{
    char url[256], body[512], auth[128];
    snprintf(url, sizeof url, "%s/api/v1/instruments/code-of-conduct/actions", server.base);
    snprintf(body, sizeof body,
             "{\"party\":\"%s\",\"type\":\"declaration\",\"date\":\"2020-01-01\",\"note\":\"%s\","
             "\"source\":{\"title\":\"test fixture\"}}",
             party, note);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
    const char *headers[] = {auth, "Content-Type: application/json", NULL};
    th_response r;
    th_http(&r, "POST", url, headers, body, strlen(body));
    long status = r.status;
    th_response_free(&r);
    return status;
}

static void wait_checkpoint(uint64_t size) { th_wait_checkpoint(&server, size); }

static uint64_t log_size_now(void)
{
    store *s = th_open(db);
    uint64_t n = th_log_size(s);
    store_close(s);
    return n;
}

/* Runs accord verify; returns its exit status and output. */
static int verify(const char *where, const char *key, const char *state, char **out)
{
    const char *args[] = {"verify", where, "--vkey", key, "--state", state, NULL};
    return th_run_accord(out, args);
}

static void export_to(const char *name, char *path, size_t len)
{
    snprintf(path, len, "%s/%s", dir, name);
    const char *args[] = {"log", "export", "--db", db, path, NULL};
    cr_assert_eq(th_run_accord(NULL, args), 0);
}

Test(audit, verify_checks_and_remembers_the_log)
{
    char state[512], *out;
    snprintf(state, sizeof state, "%s/state.json", dir);
    wait_checkpoint(log_size_now());
    cr_assert_eq(verify(server.base, vkey, state, &out), 0, "%s", out);
    char want[160];
    snprintf(want, sizeof want, "OK: %llu entries", (unsigned long long)base);
    cr_assert(strstr(out, want), "%s", out);
    free(out);
    cr_assert_eq(declare("KAZ", "one more"), 201);
    wait_checkpoint(base + 1);
    cr_assert_eq(verify(server.base, vkey, state, &out), 0);
    char again[160];
    snprintf(want, sizeof want, "OK: %llu entries", (unsigned long long)base + 1);
    snprintf(again, sizeof again, "consistent with the checkpoint you saw last time (%llu", (unsigned long long)base);
    cr_assert(strstr(out, want) && strstr(out, again),
              "%s", out);
    free(out);
}

Test(audit, verify_refuses_a_wrong_key_and_an_unreachable_log)
{
    char state[512], *out;
    snprintf(state, sizeof state, "%s/state.json", dir);
    wait_checkpoint(log_size_now());
    /* Another log's key of the same name: the signature cannot verify. */
    char other_dir[512], *other_db, *keys;
    snprintf(other_dir, sizeof other_dir, "%s/other", dir);
    cr_assert_eq(mkdir(other_dir, 0700), 0);
    other_db = th_make_db(other_dir, false, NULL);
    const char *args[] = {"log", "key", "--db", other_db, NULL};
    cr_assert_eq(th_run_accord(&keys, args), 0);
    char *other = strstr(keys, "vkey ") + 5;
    other[strcspn(other, "\n")] = '\0';
    cr_assert_str_neq(other, vkey);
    cr_assert_eq(verify(server.base, other, state, &out), 3);
    free(out);
    free(keys);
    free(other_db);
    cr_assert_eq(verify("http://127.0.0.1:1/", vkey, state, &out), 2, "an unreachable log is exit 2");
    free(out);
}

Test(audit, verify_names_an_altered_entry)
{
    char copy[512], state[512], *out;
    snprintf(state, sizeof state, "%s/state.json", dir);
    wait_checkpoint(log_size_now());
    export_to("copy", copy, sizeof copy);
    cr_assert_eq(verify(copy, vkey, state, &out), 0);
    free(out);
    /* Rewrite history in the copy: turn a signature into a declaration. */
    char bundle[600];
    snprintf(bundle, sizeof bundle, "%s/tile/entries/001.p/%llu", copy, (unsigned long long)base - 256);
    FILE *f = fopen(bundle, "r+b");
    cr_assert_not_null(f);
    static char data[1 << 20];
    size_t n = fread(data, 1, sizeof data, f);
    char *p = memmem(data, n, "\"type\":\"signature\"", 18);
    cr_assert_not_null(p, "the last bundle holds a signature");
    memcpy(p + 8, "SIGNATURE", 9);
    fseek(f, 0, SEEK_SET);
    fwrite(data, 1, n, f);
    fclose(f);
    /* The failure names the entry: the last bundle (256..base-1) holds it. */
    const char *args[] = {"verify", copy, "--vkey", vkey, "--no-state", NULL};
    char *err;
    cr_assert_eq(th_run_accord_full(&out, &err, args), 3);
    char want[64];
    snprintf(want, sizeof want, "root mismatch at size %llu", (unsigned long long)base);
    cr_assert(strstr(err, want) && strstr(err, "was altered"), "%s", err);
    long entry = atol(strstr(err, "entry ") + 6);
    cr_assert(entry >= 256 && entry < (long)base, "the altered entry is in the last bundle: %s", err);
    free(out);
    free(err);
}

Test(audit, verify_detects_a_fork_and_a_rollback)
{
    char a[512], b[512], state[512], *out;
    snprintf(state, sizeof state, "%s/state.json", dir);
    /* Two histories sharing the first 'base' entries. */
    char copydb[512];
    snprintf(copydb, sizeof copydb, "%s/fork.db", dir);
    th_server_stop(&server);
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "cp %s %s", db, copydb);
    cr_assert_eq(system(cmd), 0);
    th_server_start(&server, db);
    cr_assert_eq(declare("KAZ", "history A"), 201);
    wait_checkpoint(base + 1);
    export_to("a", a, sizeof a);
    cr_assert_eq(verify(a, vkey, state, &out), 0, "%s", out);
    free(out);

    th_server_stop(&server);
    th_server_start(&server, copydb);
    cr_assert_eq(declare("RUS", "history B"), 201);
    cr_assert_eq(declare("RUS", "history B, again"), 201);
    wait_checkpoint(base + 2);
    char *save = db;
    db = copydb;
    export_to("b", b, sizeof b);
    db = save;
    cr_assert_eq(verify(b, vkey, state, &out), 3, "%s", out);
    free(out);
    /* The state still holds history A; an older copy is a rollback. */
    char older[512];
    snprintf(older, sizeof older, "%s/older.json", dir);
    cr_assert_eq(verify(b, vkey, older, &out), 0);
    free(out);
    th_server_stop(&server);
    th_server_start(&server, db);
}

Test(audit, replay_gives_the_same_public_status)
{
    char replayed[512], *mine, *theirs;
    snprintf(replayed, sizeof replayed, "%s/replayed.db", dir);
    cr_assert_eq(declare("KAZ", "before replay"), 201);
    wait_checkpoint(base + 1);
    const char *args[] = {"replay", "--from", server.base, "--db", replayed, "--vkey", vkey, NULL};
    cr_assert_eq(th_run_accord(NULL, args), 0);
    const char *dates[] = {"2018-09-28", "2019-07-15", "2020-01-01"};
    for (int i = 0; i < 3; i++) {
        const char *a1[] = {"status", "code-of-conduct", "--db", db, "--as-of", dates[i], "--format", "json", NULL};
        const char *a2[] = {"status", "code-of-conduct", "--db", replayed, "--as-of", dates[i], "--format", "json", NULL};
        cr_assert_eq(th_run_accord(&mine, a1), 0);
        cr_assert_eq(th_run_accord(&theirs, a2), 0);
        cr_assert_str_eq(mine, theirs, "status as at %s differs after replay", dates[i]);
        free(mine);
        free(theirs);
    }
    store *a = th_open(db), *b = th_open(replayed);
    char da[65], dbb[65];
    th_state_digest(a, da);
    th_state_digest(b, dbb);
    cr_assert_str_eq(da, dbb, "replayed tables differ");
    store_close(a);
    store_close(b);
}

Test(audit, acknowledged_writes_survive_kill_9)
{
    /* Writes go in while the server is killed at random moments; every
     * write that got a 201 must be in the log afterwards. */
    srand((unsigned)time(NULL));
    static char acked[4000][24];
    int nacked = 0, seq = 0;
    for (int round = 0; round < 4; round++) {
        cr_assert_gt(server.pid, 0);
        time_t deadline = time(NULL) + 10; /* the killer fires within 0.3 s */
        pid_t killer = fork();
        if (killer == 0) {
            usleep(50000 + (useconds_t)(rand() % 250000));
            kill(server.pid, SIGKILL);
            _exit(0);
        }
        while (time(NULL) < deadline) {
            char note[24];
            snprintf(note, sizeof note, "load %d", seq++);
            char url[256], body[512], auth[128];
            snprintf(url, sizeof url, "%s/api/v1/instruments/code-of-conduct/actions", server.base);
            snprintf(body, sizeof body,
                     "{\"party\":\"KAZ\",\"type\":\"declaration\",\"date\":\"2020-01-01\",\"note\":\"%s\","
                     "\"source\":{\"title\":\"test fixture\"}}",
                     note);
            snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
            if (th_http_try(url, auth, body) == 201) {
                if (nacked < 4000)
                    snprintf(acked[nacked++], sizeof acked[0], "%s", note);
            } else if (kill(server.pid, 0) != 0 || waitpid(server.pid, NULL, WNOHANG) == server.pid) {
                break;
            }
        }
        waitpid(killer, NULL, 0);
        waitpid(server.pid, NULL, 0);
        server.pid = 0;
        th_server_start(&server, db);
    }
    cr_assert_gt(nacked, 10, "the load made some writes");
    store *s = th_open(db);
    for (int i = 0; i < nacked; i++) {
        store_stmt *st;
        cr_assert_eq(store_query(s, &st, "SELECT 1 FROM action WHERE note = ?", "s", acked[i]), 0);
        cr_assert_eq(store_step(st), STORE_ROW, "acknowledged write '%s' is missing", acked[i]);
        store_stmt_close(st);
    }
    uint64_t size = th_log_size(s);
    store_close(s);
    wait_checkpoint(size);
    char state[512], *out;
    snprintf(state, sizeof state, "%s/state.json", dir);
    cr_assert_eq(verify(server.base, vkey, state, &out), 0, "%s", out);
    free(out);
    cr_log_info("kill -9: %d acknowledged writes over 4 kills, all present; log of %llu entries verifies", nacked,
                (unsigned long long)size);
}

Test(audit, the_log_collects_witness_cosignatures)
{
    /* A witness that follows this log; the server hands it each new
     * checkpoint and serves the cosignature it returns. */
    char wkey[512], wstate[512], *out;
    snprintf(wkey, sizeof wkey, "%s/witness.key", dir);
    snprintf(wstate, sizeof wstate, "%s/witness.json", dir);
    const char *init[] = {"witness", "init", "--key", wkey, "--name", "witness.test/w1", NULL};
    cr_assert_eq(th_run_accord(&out, init), 0);
    char wvkey[400];
    char *v = strstr(out, "witness.test/w1+");
    cr_assert_not_null(v, "%s", out);
    snprintf(wvkey, sizeof wvkey, "%s", v);
    wvkey[strcspn(wvkey, " \n")] = '\0';
    free(out);
    th_server witness;
    const char *serve[] = {"witness", "serve", "--key", wkey, "--state", wstate, "--log", vkey, "--port", "0", NULL};
    th_server_start_cmd(&witness, serve);

    th_server_stop(&server);
    char arg[600];
    snprintf(arg, sizeof arg, "%s=%s", witness.base, wvkey);
    const char *logserve[] = {"serve", "--db", db, "--port", "0", "--witness", arg, NULL};
    th_server_start_cmd(&server, logserve);
    cr_assert_eq(declare("KAZ", "witnessed"), 201);
    wait_checkpoint(base + 1);

    char url[256];
    snprintf(url, sizeof url, "%s/log/checkpoint", server.base);
    bool cosigned = false;
    for (int i = 0; i < 100 && !cosigned; i++) {
        th_response r;
        th_http(&r, "GET", url, NULL, NULL, 0);
        char size_line[32];
        snprintf(size_line, sizeof size_line, "\n%llu\n", (unsigned long long)base + 1);
        cosigned = strstr(r.body, size_line) && strstr(r.body, "\xe2\x80\x94 witness.test/w1 ");
        th_response_free(&r);
        if (!cosigned)
            usleep(20000);
    }
    cr_assert(cosigned, "the checkpoint of %llu entries carries the witness's cosignature", (unsigned long long)base + 1);
    const char *check[] = {"verify", server.base, "--vkey", vkey, "--witness", wvkey, "--no-state", NULL};
    cr_assert_eq(th_run_accord(&out, check), 0, "%s", out);
    free(out);
    th_server_stop(&witness);
}
