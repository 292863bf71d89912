/* bulk: templates filled in and imported (CSV and XLSX), a file of good
 * and bad rows that imports nothing and names every bad row, who may
 * import, and the matrix and released reports exported as CSV and XLSX
 * equal to their JSON. Through the real server, and the command line. */
#include <criterion/criterion.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "helpers.h"
#include "tabular/tabular.h"
#include "util/clock.h"
#include "util/error.h"

static th_team team;

#define CYCLE "/api/v1/instruments/code-of-conduct/cycles/2026"

static th_response call(const char *method, const char *path, const char *token, const char *type, const char *body,
                        size_t len)
{
    return th_call(&team.server, method, path, token, type, body, len);
}

static long status_of(const char *method, const char *path, const char *token, const char *body)
{
    return th_status(call(method, path, token, NULL, body, body ? strlen(body) : 0));
}

static void setup(void)
{
    th_team_start(&team, "code-of-conduct");
    cr_assert_eq(status_of("POST", "/api/v1/instruments/code-of-conduct/cycles", team.depositary,
                           "{\"code\":\"2026\",\"name\":\"First cycle\",\"opens_on\":\"2026-01-01\","
                           "\"due_on\":\"2026-12-31\"}"),
                 201);
}

static void teardown(void) { th_team_end(&team); }

TestSuite(bulk, .init = setup, .fini = teardown, .timeout = 180);

static tabular_table parse(const char *data, size_t len)
{
    tabular_table t;
    unsigned long line;
    cr_assert_eq(tabular_read(data, len, &t, &line), 0, "%s (line %lu)", accord_error_message(), line);
    return t;
}

/* What KAZ reports on provisions 1, 2 and 5; the others stay empty. */
#define P1_NARRATIVE "- first measure\n- second measure, with \"quotes\""
#define P1_EVIDENCE "Law on countering terrorism https://example.org/law\nAnnual report 2026"
#define P5_NARRATIVE "=1+1 is text here, not a formula"

static const char *filled_cell(long provision, size_t col, const char *given)
{
    static const char *const p1[] = {"in_progress", P1_NARRATIVE, "A national action plan", P1_EVIDENCE, ""};
    static const char *const p2[] = {"implemented", "", "", "", "Training for prosecutors"};
    static const char *const p5[] = {"planned", P5_NARRATIVE, "", "", ""};
    if (col < 3)
        return given;
    return provision == 1 ? p1[col - 3] : provision == 2 ? p2[col - 3] : provision == 5 ? p5[col - 3] : given;
}

/* Downloads KAZ's template as 'format' and fills it in as above, keeping
 * the file's format. */
static void filled_template(const char *format, buf *out)
{
    char path[160];
    snprintf(path, sizeof path, CYCLE "/template?party=KAZ&format=%s", format);
    th_response r = call("GET", path, team.kaz, NULL, NULL, 0);
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_assert(strstr(r.content_type, strcmp(format, "csv") == 0 ? "text/csv" : "spreadsheetml"), "%s", r.content_type);
    char name[128];
    snprintf(name, sizeof name, "attachment; filename=\"code-of-conduct-2026-KAZ-template.%s\"", format);
    cr_assert_str_eq(r.content_disposition, name);
    tabular_table t = parse(r.body, r.len);
    cr_assert_eq(t.nrows, 11, "a header and a row per provision");
    static const char *const header[] = {"party",    "provision", "provision_text", "status", "narrative",
                                         "measures", "evidence",  "assistance_needs", NULL};
    for (size_t c = 0; header[c]; c++)
        cr_assert_str_eq(tabular_cell(&t.rows[0], c), header[c]);
    cr_assert(strstr(tabular_cell(&t.rows[1], 2), "counter-terrorism"), "the provision's wording as a hint");
    tabular_writer *w;
    cr_assert_eq(tabular_writer_new(&w, strcmp(format, "csv") == 0 ? TABULAR_CSV : TABULAR_XLSX, "filled"), 0);
    cr_assert_eq(tabular_header(w, header), 0);
    for (size_t i = 1; i < t.nrows; i++) {
        long provision = atol(tabular_cell(&t.rows[i], 1));
        cr_assert_str_eq(tabular_cell(&t.rows[i], 0), "KAZ");
        for (size_t c = 0; header[c]; c++) {
            const char *v = filled_cell(provision, c, tabular_cell(&t.rows[i], c));
            cr_assert_eq(c == 1 ? tabular_number(w, provision) : tabular_text(w, v), 0);
        }
        cr_assert_eq(tabular_end_row(w), 0);
    }
    buf_init(out, 16 << 20);
    cr_assert_eq(tabular_writer_finish(w, out), 0, "%s", accord_error_message());
    tabular_free(&t);
    th_response_free(&r);
}

static const char *str(const json_t *o, const char *key) { return json_string_value(json_object_get(o, key)); }

/* KAZ's drafts equal what filled_template() put in. */
static void assert_drafts_as_filled(void)
{
    th_response d = call("GET", CYCLE "/reports/KAZ", team.kaz, NULL, NULL, 0);
    cr_assert_eq(d.status, 200, "%s", d.body);
    json_t *drafts = json_object_get(d.json, "drafts");
    cr_assert_eq(json_array_size(drafts), 3, "%s", d.body);
    json_t *p1 = json_array_get(drafts, 0), *p2 = json_array_get(drafts, 1), *p5 = json_array_get(drafts, 2);
    cr_assert_eq(json_integer_value(json_object_get(p1, "provision")), 1);
    cr_assert_str_eq(str(p1, "status"), "in_progress");
    cr_assert_str_eq(str(p1, "narrative"), P1_NARRATIVE);
    cr_assert_str_eq(str(p1, "measures"), "A national action plan");
    json_t *ev = json_object_get(p1, "evidence");
    cr_assert_eq(json_array_size(ev), 2);
    cr_assert_str_eq(str(json_array_get(ev, 0), "title"), "Law on countering terrorism");
    cr_assert_str_eq(str(json_array_get(ev, 0), "url"), "https://example.org/law");
    cr_assert_str_eq(str(json_array_get(ev, 1), "title"), "Annual report 2026");
    cr_assert_null(json_object_get(json_array_get(ev, 1), "url"));
    cr_assert_null(json_object_get(p1, "assistance_needs"));
    cr_assert_eq(json_integer_value(json_object_get(p2, "provision")), 2);
    cr_assert_str_eq(str(p2, "status"), "implemented");
    cr_assert_str_eq(str(p2, "assistance_needs"), "Training for prosecutors");
    cr_assert_null(json_object_get(p2, "narrative"));
    cr_assert_eq(json_integer_value(json_object_get(p5, "provision")), 5);
    cr_assert_str_eq(str(p5, "narrative"), P5_NARRATIVE);
    th_response_free(&d);
}

static void template_round_trip(const char *format, const char *type)
{
    buf file;
    filled_template(format, &file);
    th_response r = call("POST", CYCLE "/imports?party=KAZ", team.kaz, type, file.data, file.len);
    cr_assert_eq(r.status, 201, "%s", r.body);
    cr_assert_eq(json_integer_value(json_object_get(r.json, "imported")), 3, "%s", r.body);
    cr_assert_eq(json_integer_value(json_object_get(r.json, "blank")), 7);
    json_t *rows = json_object_get(r.json, "rows");
    cr_assert_eq(json_array_size(rows), 3);
    cr_assert_eq(json_integer_value(json_object_get(json_array_get(rows, 0), "line")), 2);
    cr_assert_eq(json_integer_value(json_object_get(json_array_get(rows, 0), "version")), 1);
    cr_assert_eq(json_integer_value(json_object_get(r.json, "last_log_index")),
                 json_integer_value(json_object_get(r.json, "first_log_index")) + 2, "one entry per row, together");
    th_response_free(&r);
    assert_drafts_as_filled();
    /* The same file again changes nothing: each row equals its draft. */
    r = call("POST", CYCLE "/imports?party=KAZ", team.kaz, type, file.data, file.len);
    cr_assert_eq(r.status, 200, "%s", r.body);
    cr_assert_eq(json_integer_value(json_object_get(r.json, "imported")), 0);
    cr_assert_eq(json_integer_value(json_object_get(r.json, "unchanged")), 3);
    th_response_free(&r);
    /* A new template carries the drafts back, cell for cell. */
    char path[160];
    snprintf(path, sizeof path, CYCLE "/template?party=KAZ&format=%s", format);
    r = call("GET", path, team.kaz, NULL, NULL, 0);
    tabular_table t = parse(r.body, r.len);
    for (size_t i = 1; i < t.nrows; i++) {
        long provision = atol(tabular_cell(&t.rows[i], 1));
        for (size_t c = 3; c < 8; c++)
            cr_assert_str_eq(tabular_cell(&t.rows[i], c), filled_cell(provision, c, ""), "provision %ld column %zu",
                             provision, c);
    }
    tabular_free(&t);
    th_response_free(&r);
    buf_free(&file);
}

Test(bulk, a_csv_template_filled_in_and_imported_becomes_the_drafts)
{
    template_round_trip("csv", "text/csv");
}

Test(bulk, an_xlsx_template_filled_in_and_imported_becomes_the_drafts)
{
    template_round_trip("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
}

static long long log_size(void)
{
    store *s = th_open(team.db);
    long long n = (long long)th_log_size(s);
    store_close(s);
    return n;
}

/* The public state and the private drafts, which a refused import must
 * leave alone. */
static void private_digest(char out[65])
{
    static const char *const drafts[] = {"SELECT party, provision, version, content FROM report_draft ORDER BY seq",
                                         NULL};
    store *s = th_open(team.db);
    th_state_digest_with(s, drafts, out);
    store_close(s);
}

/* A file of good and bad rows, with the line of each row. */
static char *mixed_file(void)
{
    char *longtext = malloc(20002);
    memset(longtext, 'x', 20001);
    longtext[20001] = '\0';
    char *file;
    cr_assert(asprintf(&file,
                       "party,provision,provision_text,status,narrative,measures,evidence,assistance_needs\r\n" /* 1 */
                       "KAZ,1,,in_progress,Good row,,,\r\n"                                                     /* 2 */
                       "KAZ,2,,done,,,,\r\n"                                                                    /* 3 */
                       "KAZ,3,,planned,\"two\r\nlines\",,,\r\n"                                                 /* 4-5 */
                       "TUR,6,,planned,,,,\r\n"                                                                 /* 6 */
                       "KAZ,11,,planned,,,,\r\n"                                                                /* 7 */
                       "KAZ,6,,planned,,,https://example.org/no-title,\r\n"                                     /* 8 */
                       "KAZ,1,,planned,,,,\r\n"                                                                 /* 9 */
                       "KAZ,7,,,A narrative without a status,,,\r\n"                                            /* 10 */
                       "KAZ,8,,planned,%s,,,\r\n"                                                               /* 11 */
                       "KAZ,x,,planned,,,,\r\n"                                                                 /* 12 */
                       "KAZ,10,,planned,,,,,surplus\r\n"                                                        /* 13 */
                       "KAZ,4,,implemented,,,,\r\n"                                                             /* 14 */
                       ",,,,,,,\r\n"                                                                            /* 15 */
                       "KAZ,9,,Not applicable,,,,\r\n"                                                          /* 16 */
                       "KAZ,5,,planned,Caf\xe9 in Latin-1,,,\r\n",                                            /* 17 */
                       longtext) > 0);
    free(longtext);
    return file;
}

Test(bulk, one_bad_row_imports_nothing_and_every_bad_row_is_named)
{
    /* Provision 4 was submitted: it cannot take a new version. */
    cr_assert_eq(status_of("POST", CYCLE "/reports", team.kaz, "{\"party\":\"KAZ\",\"provision\":4,\"status\":\"planned\"}"),
                 201);
    cr_assert_eq(status_of("POST", CYCLE "/submissions", team.kaz, "{\"party\":\"KAZ\",\"provision\":4}"), 201);
    long long size = log_size();
    char before[65], after[65];
    private_digest(before);
    char *file = mixed_file();
    th_response r = call("POST", CYCLE "/imports?party=KAZ", team.kaz, "text/csv", file, strlen(file));
    cr_assert_eq(r.status, 422, "%s", r.body);
    json_t *err = json_object_get(r.json, "error");
    cr_assert_str_eq(str(err, "code"), "rule_violated");
    cr_assert(strstr(str(err, "message"), "nothing was imported"), "%s", str(err, "message"));
    static const struct {
        long line;
        const char *column, *reason;
    } want[] = {
        {3, "status", "one of not_started, planned"},
        {6, "party", "the row is for TUR; this import is for KAZ"},
        {7, "provision", "code-of-conduct has no provision 11"},
        {8, "evidence", "link 1 has no title"},
        {9, "provision", "provision 1 of KAZ is already given on line 2"},
        {10, "status", "required when the row is filled in"},
        {11, "narrative", "20001 bytes; at most 20000"},
        {12, "provision", "a provision number"},
        {13, "column 9", "right of the last column"},
        {14, "provision", "version 1 was submitted and cannot be edited"},
        {17, "narrative", "not UTF-8 text"},
    };
    json_t *rows = json_object_get(err, "rows");
    cr_assert_eq(json_array_size(rows), sizeof want / sizeof want[0], "%s", r.body);
    cr_assert_eq(json_integer_value(json_object_get(err, "bad_rows")), 11);
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        json_t *e = json_array_get(rows, i);
        cr_assert_eq(json_integer_value(json_object_get(e, "line")), want[i].line, "problem %zu: %s", i, r.body);
        cr_assert_str_eq(str(e, "column"), want[i].column, "line %ld", want[i].line);
        cr_assert(strstr(str(e, "reason"), want[i].reason), "line %ld: %s", want[i].line, str(e, "reason"));
    }
    th_response_free(&r);
    private_digest(after);
    cr_assert_eq(log_size(), size, "nothing was logged");
    cr_assert_str_eq(before, after, "no table, public or private, changed");
    free(file);

    /* The good rows alone import. */
    const char *good = "party,provision,status,narrative\nKAZ,1,in_progress,Good row\nKAZ,3,planned,\"two\r\nlines\"\n"
                       "KAZ,9,Not applicable,\n";
    r = call("POST", CYCLE "/imports?party=KAZ", team.kaz, "text/csv", good, strlen(good));
    cr_assert_eq(r.status, 201, "%s", r.body);
    cr_assert_eq(json_integer_value(json_object_get(r.json, "imported")), 3);
    th_response_free(&r);
    th_response d = call("GET", CYCLE "/reports/KAZ", team.kaz, NULL, NULL, 0);
    json_t *drafts = json_object_get(d.json, "drafts");
    cr_assert_str_eq(str(json_array_get(drafts, 1), "narrative"), "two\nlines", "a CRLF in a cell is a line break");
    cr_assert_str_eq(str(json_array_get(drafts, 3), "status"), "not_applicable", "statuses may be written in words");
    th_response_free(&d);
}

Test(bulk, a_nul_in_a_cell_is_refused_not_cut)
{
    long long size = log_size();
    static const char file[] = "party,provision,status,narrative\nKAZ,1,in_progress,a\0b\n";
    th_response r = call("POST", CYCLE "/imports?party=KAZ", team.kaz, "text/csv", file, sizeof file - 1);
    cr_assert_eq(r.status, 422, "%s", r.body);
    json_t *e = json_array_get(json_object_get(json_object_get(r.json, "error"), "rows"), 0);
    cr_assert_eq(json_integer_value(json_object_get(e, "line")), 2, "%s", r.body);
    cr_assert(strstr(str(e, "reason"), "column 4") && strstr(str(e, "reason"), "NUL"), "%s", r.body);
    th_response_free(&r);
    cr_assert_eq(log_size(), size, "nothing was imported");
}

Test(bulk, only_the_party_s_focal_point_imports_and_reads_its_template)
{
    const char *file = "party,provision,status\nKAZ,1,planned\n";
    size_t n = strlen(file);
    th_response r = call("POST", CYCLE "/imports?party=KAZ", team.tur, "text/csv", file, n);
    cr_assert_eq(r.status, 403, "%s", r.body);
    th_response_free(&r);
    r = call("POST", CYCLE "/imports?party=KAZ", NULL, "text/csv", file, n);
    cr_assert_eq(r.status, 401);
    th_response_free(&r);
    r = call("POST", CYCLE "/imports?party=KAZ", team.depositary, "text/csv", file, n);
    cr_assert_eq(r.status, 403);
    th_response_free(&r);
    /* Turkey's focal point importing Kazakhstan's rows as its own. */
    r = call("POST", CYCLE "/imports?party=TUR", team.tur, "text/csv", file, n);
    cr_assert_eq(r.status, 422, "%s", r.body);
    cr_assert(strstr(r.body, "this import is for TUR"), "%s", r.body);
    th_response_free(&r);
    cr_assert_eq(status_of("GET", CYCLE "/template?party=KAZ", team.tur, NULL), 403);
    cr_assert_eq(status_of("GET", CYCLE "/template?party=KAZ", team.reviewer, NULL), 200);
    cr_assert_eq(status_of("GET", CYCLE "/template?party=KAZ&format=ods", team.kaz, NULL), 400);
    cr_assert_eq(status_of("GET", "/api/v1/instruments/code-of-conduct/cycles/1999/template?party=KAZ", team.kaz, NULL), 404);
    r = call("POST", "/api/v1/instruments/code-of-conduct/cycles/1999/imports?party=KAZ", team.kaz, "text/csv", file, n);
    cr_assert_eq(r.status, 404, "%s", r.body);
    th_response_free(&r);
    /* Up to 8 MiB: a larger upload is refused before it is read. */
    size_t big = 9 << 20;
    char *huge = malloc(big);
    memset(huge, 'a', big);
    r = call("POST", CYCLE "/imports?party=KAZ", team.kaz, "text/csv", huge, big);
    cr_assert_eq(r.status, 413);
    th_response_free(&r);
    free(huge);
    cr_assert_eq(log_size(), log_size());
    th_response d = call("GET", CYCLE "/reports/KAZ", team.kaz, NULL, NULL, 0);
    cr_assert_eq(json_array_size(json_object_get(d.json, "drafts")), 0, "no refused import left a draft");
    th_response_free(&d);
}

/* KAZ reports on provision 5 through release and a rating. */
static void rated_report(void)
{
    cr_assert_eq(status_of("POST", CYCLE "/reports", team.kaz,
                           "{\"party\":\"KAZ\",\"provision\":5,\"status\":\"in_progress\",\"narrative\":\"-5 cases, "
                           "+3 laws\",\"evidence\":[{\"title\":\"Law\",\"url\":\"https://example.org/law\"}]}"),
                 201);
    cr_assert_eq(status_of("POST", CYCLE "/submissions", team.kaz, "{\"party\":\"KAZ\",\"provision\":5}"), 201);
    cr_assert_eq(status_of("POST", CYCLE "/releases", team.kaz, "{\"party\":\"KAZ\",\"provision\":5}"), 201);
    cr_assert_eq(status_of("POST", CYCLE "/reviews", team.reviewer,
                           "{\"party\":\"KAZ\",\"provision\":5,\"outcome\":\"rated\",\"rating\":\"implemented\","
                           "\"rationale\":\"Done.\"}"),
                 201);
}

static void export_equals_matrix(const char *format, const json_t *matrix, const char *as_of)
{
    char path[200];
    snprintf(path, sizeof path, "/api/v1/instruments/code-of-conduct/matrix?as_of=%s&format=%s", as_of, format);
    th_response r = call("GET", path, NULL, NULL, NULL, 0);
    cr_assert_eq(r.status, 200, "%s", r.body);
    char name[128];
    snprintf(name, sizeof name, "attachment; filename=\"code-of-conduct-matrix-%s.%s\"", as_of, format);
    cr_assert_str_eq(r.content_disposition, name);
    tabular_table t = parse(r.body, r.len);
    size_t n = 1, i, k;
    json_t *row, *cell;
    json_array_foreach(json_object_get(matrix, "rows"), i, row)
    {
        json_t *party = json_object_get(row, "party");
        json_array_foreach(json_object_get(row, "cells"), k, cell)
        {
            cr_assert_lt(n, t.nrows);
            const tabular_row *tr = &t.rows[n++];
            cr_assert_str_eq(tabular_cell(tr, 0), str(party, "code"));
            cr_assert_str_eq(tabular_cell(tr, 1), str(party, "name"));
            cr_assert_eq(atoll(tabular_cell(tr, 2)), json_integer_value(json_object_get(cell, "provision")));
            cr_assert_str_eq(tabular_cell(tr, 3), str(cell, "rating"));
            const char *self = str(cell, "self_assessment");
            cr_assert_str_eq(tabular_cell(tr, 4), self ? self : "");
        }
    }
    cr_assert_eq(n, t.nrows, "one row per cell of the matrix, no more");
    cr_assert_eq(n, 71, "7 participants x 10 provisions, and the header");
    tabular_free(&t);
    th_response_free(&r);
}

Test(bulk, the_matrix_as_csv_and_xlsx_equals_its_json)
{
    rated_report();
    char today[11];
    clock_today(today);
    char path[160];
    snprintf(path, sizeof path, "/api/v1/instruments/code-of-conduct/matrix?as_of=%s", today);
    th_response m = call("GET", path, NULL, NULL, NULL, 0);
    cr_assert_eq(m.status, 200);
    cr_assert_str_eq(m.content_disposition, "", "the API answer is not a download");
    cr_assert_eq(json_integer_value(json_object_get(json_object_get(m.json, "counts"), "implemented")), 1);
    export_equals_matrix("csv", m.json, today);
    export_equals_matrix("xlsx", m.json, today);
    snprintf(path, sizeof path, "/api/v1/instruments/code-of-conduct/matrix?as_of=%s&format=json", today);
    th_response j = call("GET", path, NULL, NULL, NULL, 0);
    cr_assert(json_equal(j.json, m.json), "?format=json is the same answer, as a download");
    cr_assert(strstr(j.content_disposition, ".json\""), "%s", j.content_disposition);
    th_response_free(&j);
    th_response_free(&m);
    cr_assert_eq(status_of("GET", "/api/v1/instruments/code-of-conduct/matrix?format=pdf", NULL, NULL), 400);
}

Test(bulk, released_reports_as_csv_and_xlsx_equal_their_json)
{
    rated_report();
    th_response j = call("GET", CYCLE "/published", NULL, NULL, NULL, 0);
    json_t *rep = json_array_get(json_object_get(j.json, "reports"), 0);
    cr_assert_not_null(rep, "%s", j.body);
    const char *formats[] = {"csv", "xlsx"};
    for (int f = 0; f < 2; f++) {
        char path[160];
        snprintf(path, sizeof path, CYCLE "/published?format=%s", formats[f]);
        th_response r = call("GET", path, NULL, NULL, NULL, 0);
        cr_assert_eq(r.status, 200, "%s", r.body);
        tabular_table t = parse(r.body, r.len);
        cr_assert_eq(t.nrows, 2);
        const tabular_row *row = &t.rows[1];
        cr_assert_str_eq(tabular_cell(row, 0), "KAZ");
        cr_assert_str_eq(tabular_cell(row, 1), "5");
        cr_assert_str_eq(tabular_cell(row, 2), "1");
        cr_assert_str_eq(tabular_cell(row, 3), str(json_object_get(rep, "report"), "status"));
        cr_assert_str_eq(tabular_cell(row, 4), "-5 cases, +3 laws", "formula-like text reads back as written");
        cr_assert_str_eq(tabular_cell(row, 6), "Law https://example.org/law");
        cr_assert_str_eq(tabular_cell(row, 8), str(rep, "released_at"));
        if (f == 0)
            cr_assert(strstr(r.body, ",\"'-5 cases, +3 laws\","), "marked against formula injection: %s", r.body);
        tabular_free(&t);
        th_response_free(&r);
    }
    th_response_free(&j);
}

/* ---- the command line ---------------------------------------------------- */

static char *write_file(const char *name, const char *text)
{
    char *path;
    cr_assert(asprintf(&path, "%s/%s", team.dir, name) > 0);
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
    return path;
}

Test(bulk, the_cli_imports_all_or_nothing_and_prints_each_problem)
{
    char *bad = write_file("bad.csv", "party,provision,status\nKAZ,1,planned\nKAZ,2,maybe\nTUR,3,planned\n");
    long long size = log_size();
    char *out, *err;
    const char *imp[] = {"report", "import", "code-of-conduct", "2026", bad, "--db", team.db, "--party", "KAZ", NULL};
    cr_assert_eq(th_run_accord_full(&out, &err, imp), 1, "%s", err);
    char line[600];
    snprintf(line, sizeof line, "%s:3: status: one of", bad);
    cr_assert(strstr(err, line), "%s", err);
    snprintf(line, sizeof line, "%s:4: party: the row is for TUR; this import is for KAZ", bad);
    cr_assert(strstr(err, line), "%s", err);
    cr_assert(strstr(err, "accord: 2 problems in 2 rows; nothing was imported"), "%s", err);
    cr_assert_eq(log_size(), size);
    free(out);
    free(err);
    /* Without --party the secretariat imports rows of several parties. */
    char *many = write_file("many.csv", "party,provision,status,narrative\nKAZ,1,planned,x\nTUR,3,implemented,y\n");
    const char *imp2[] = {"report", "import", "code-of-conduct", "2026", many, "--db", team.db, NULL};
    cr_assert_eq(th_run_accord_full(&out, &err, imp2), 0, "%s", err);
    cr_assert(strstr(out, "Imported 2 drafts"), "%s", out);
    cr_assert_eq(log_size(), size + 2);
    free(out);
    free(err);
    /* The template, and exports, from the command line. */
    char xlsx[512];
    snprintf(xlsx, sizeof xlsx, "%s/t.xlsx", team.dir);
    const char *tpl[] = {"report", "template", "code-of-conduct", "2026", "--party", "TUR", "--format", "xlsx",
                         "--output", xlsx, "--db", team.db, NULL};
    cr_assert_eq(th_run_accord(NULL, tpl), 0);
    const char *again[] = {"report", "import", "code-of-conduct", "2026", xlsx, "--db", team.db, "--party", "TUR", NULL};
    cr_assert_eq(th_run_accord(&out, again), 0);
    cr_assert(strstr(out, "1 rows unchanged, 9 left empty"), "%s", out);
    free(out);
    const char *mat[] = {"report", "matrix", "code-of-conduct", "--as-of", "2026-06-01", "--format", "csv", "--db",
                         team.db, NULL};
    cr_assert_eq(th_run_accord(&out, mat), 0);
    cr_assert(strstr(out, "party,party_name,provision,rating,self_assessment\r\n"), "%s", out);
    cr_assert(strstr(out, "KAZ,Kazakhstan,1,not_rated,\r\n"), "%s", out);
    free(out);
    free(bad);
    free(many);
}

Test(bulk, the_cli_lists_who_is_overdue)
{
    char *out;
    const char *args[] = {"cycle", "overdue", "code-of-conduct", "2026", "--as-of", "2027-01-01", "--db", team.db, NULL};
    cr_assert_eq(status_of("POST", CYCLE "/reports", team.kaz, "{\"party\":\"KAZ\",\"provision\":1,\"status\":\"planned\"}"),
                 201);
    cr_assert_eq(status_of("POST", CYCLE "/submissions", team.kaz, "{\"party\":\"KAZ\",\"provision\":1}"), 201);
    cr_assert_eq(th_run_accord(&out, args), 0);
    cr_assert(strstr(out, "6 of 7 participants overdue"), "%s", out);
    cr_assert(strstr(out, "TUR "), "%s", out);
    cr_assert_null(strstr(out, "KAZ "), "Kazakhstan submitted: %s", out);
    free(out);
    const char *before_due[] = {"cycle", "overdue", "code-of-conduct", "2026", "--as-of", "2026-06-01", "--format",
                                "csv", "--db", team.db, NULL};
    cr_assert_eq(th_run_accord(&out, before_due), 0);
    cr_assert_str_eq(out, "\xEF\xBB\xBFparty,kind,name\r\n", "nobody is overdue before the due date");
    free(out);
}
