/* accord report: templates, imports and exports of implementation reports
 * as CSV, XLSX or JSON files. */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bulk/bulk.h"
#include "cli/cli.h"
#include "events/events.h"
#include "implementation/implementation.h"
#include "util/date.h"
#include "util/error.h"

#define IMPORT_MAX ((size_t)1 << 30) /* bytes of a file to import */

static void usage(FILE *f)
{
    fprintf(f,
            "usage: accord report template INSTRUMENT CYCLE --party CODE [--format csv|xlsx] [--output FILE]\n"
            "       accord report import INSTRUMENT CYCLE FILE [--party CODE]\n"
            "       accord report export INSTRUMENT CYCLE [--format csv|xlsx|json] [--output FILE]\n"
            "       accord report matrix INSTRUMENT [--as-of YYYY-MM-DD] [--group CODE] [--region M49]\n"
            "                            [--cycle CODE] [--format csv|xlsx|json] [--output FILE]\n"
            "       accord report submit|release INSTRUMENT CYCLE --party CODE --provision N\n"
            "       (each takes --db PATH; --output - or none writes to standard output)\n"
            "\n"
            "'template' writes a party's template for a cycle: one row per provision, with the\n"
            "columns " BULK_TEMPLATE_COLUMNS ",\n"
            "filled with the party's latest drafts. Evidence is a link per line: its title, a\n"
            "space, then its URL.\n"
            "'import' reads a filled-in template (CSV or XLSX) and saves each filled row as a\n"
            "new draft (report.drafted), as the operator. Every row is checked; if any is bad,\n"
            "nothing is imported, each problem is printed as FILE:LINE: COLUMN: reason, and the\n"
            "exit status is 1. Rows equal to the latest draft and rows left empty are skipped.\n"
            "With --party every row must be that party's; without it the rows may name several\n"
            "parties (the secretariat entering reports it received).\n"
            "'export' writes the released reports of a cycle; 'matrix' the published matrix\n"
            "(a row per party and provision: rating and self-assessment).\n"
            "'submit' submits the party's latest draft on a provision for review\n"
            "(report.submitted: restricted); 'release' makes the submitted report public\n"
            "(report.released), as the operator, the same as POST .../submissions and\n"
            ".../releases.\n");
}


/* Writes 'b' to 'path' ("-" or NULL: standard output). */
static int write_output(const char *path, const buf *b)
{
    bool to_stdout = !path || strcmp(path, "-") == 0;
    FILE *f = to_stdout ? stdout : fopen(path, "wb");
    if (!f)
        return accord_fail(ACCORD_EENV, NULL, "cannot create %s", path);
    bool ok = fwrite(b->data ? b->data : "", 1, b->len, f) == b->len;
    ok = (to_stdout ? fflush(f) : fclose(f)) == 0 && ok;
    return ok ? ACCORD_OK : accord_fail(ACCORD_EENV, NULL, "cannot write %s", to_stdout ? "standard output" : path);
}

static int export_json(json_t *v, buf *out)
{
    char *text = json_dumps(v, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    int rc = text ? buf_printf(out, "%s\n", text) : accord_fail(ACCORD_ENOMEM, NULL, "out of memory");
    free(text);
    return rc;
}

static void print_problems(const char *file, const bulk_import *im)
{
    size_t i;
    json_t *e;
    json_array_foreach(im->errors, i, e)
    {
        const char *column = json_string_value(json_object_get(e, "column"));
        fprintf(stderr, "%s:%lld: %s%s%s\n", file, (long long)json_integer_value(json_object_get(e, "line")),
                column ? column : "", column ? ": " : "", json_string_value(json_object_get(e, "reason")));
    }
    if (im->nerrors > json_array_size(im->errors))
        fprintf(stderr, "%s: ... and %zu more problems\n", file, im->nerrors - json_array_size(im->errors));
}

static int import_file(store *db, const char *slug, const char *cycle, const char *file, const char *party)
{
    buf data;
    buf_init(&data, IMPORT_MAX);
    bulk_import im = {.slug = slug, .cycle = cycle, .party = party, .who = &ACTOR_OPERATOR};
    int rc = buf_append_file(&data, file);
    if (!rc)
        rc = bulk_import_prepare(&im, data.data ? data.data : "", data.len);
    buf_free(&data);
    if (!rc) rc = events_begin(db);
    if (!rc) {
        rc = bulk_import_apply(db, &im);
        if (!rc)
            rc = events_commit(db);
        if (rc)
            events_rollback(db);
    }
    if (rc && im.nerrors)
        print_problems(file, &im);
    if (!rc && im.imported)
        printf("Imported %zu drafts from %s as log entries %llu to %llu; %zu rows unchanged, %zu left empty.\n",
               im.imported, file, (unsigned long long)im.first_index, (unsigned long long)im.last_index, im.unchanged,
               im.blank);
    else if (!rc)
        printf("Nothing to import from %s: %zu rows unchanged, %zu left empty.\n", file, im.unchanged, im.blank);
    bulk_import_free(&im);
    return rc;
}

static int export_released(store *db, const char *slug, const char *cycle, bulk_format f, buf *out)
{
    json_t *list;
    int rc = implementation_released(db, slug, cycle, &list);
    if (rc)
        return rc;
    if (f == BULK_JSON) {
        json_t *v = json_pack("{s:s, s:s, s:o}", "instrument", slug, "cycle", cycle, "reports", list);
        rc = export_json(v, out);
        json_decref(v);
        return rc;
    }
    rc = bulk_released_table(list, f == BULK_CSV ? TABULAR_CSV : TABULAR_XLSX, out);
    json_decref(list);
    return rc;
}

static int export_matrix(store *db, const char *slug, const char *cycle, const char *group, const char *region,
                         const char *as_of, bulk_format f, buf *out)
{
    char today[11];
    json_t *m;
    int rc = cli_as_of(as_of, today, &as_of);
    if (rc)
        return rc;
    rc = implementation_matrix_json(db, slug, cycle, group, region, as_of, &m);
    if (rc)
        return rc;
    rc = f == BULK_JSON ? export_json(m, out) : bulk_matrix_table(m, f == BULK_CSV ? TABULAR_CSV : TABULAR_XLSX, out);
    json_decref(m);
    return rc;
}

/* accord report submit|release: one step of a report's workflow. */
static int report_step(store *db, const char *what, const char *slug, const char *cycle, const char *party,
                       const char *provision)
{
    long long number;
    int rc = cli_provision_number(provision, &number);
    if (rc)
        return rc;
    bool submit = strcmp(what, "submit") == 0;
    json_t *data = json_pack("{s:s, s:s, s:s, s:I}", "instrument", slug, "cycle", cycle, "party", party, "provision",
                             (json_int_t)number);
    uint64_t seq;
    rc = events_submit(db, &ACTOR_OPERATOR, submit ? "report.submitted" : "report.released", data, &seq);
    if (!rc)
        printf("%s version %lld of %s's report on provision %lld (%s, cycle %s) as log entry %llu.\n",
               submit ? "Submitted" : "Released", (long long)json_integer_value(json_object_get(data, "version")),
               party, number, slug, cycle, (unsigned long long)seq);
    json_decref(data);
    return rc;
}

int cli_report(int argc, char **argv)
{
    enum { O_DB = 1, O_PARTY, O_FORMAT, O_OUTPUT, O_ASOF, O_GROUP, O_CYCLE, O_PROVISION, O_REGION };
    static const struct option opts[] = {
        {"db", required_argument, 0, O_DB},         {"party", required_argument, 0, O_PARTY},
        {"format", required_argument, 0, O_FORMAT}, {"output", required_argument, 0, O_OUTPUT},
        {"as-of", required_argument, 0, O_ASOF},    {"group", required_argument, 0, O_GROUP},
        {"cycle", required_argument, 0, O_CYCLE},   {"provision", required_argument, 0, O_PROVISION},
        {"region", required_argument, 0, O_REGION}, {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    const char *dbarg = NULL, *party = NULL, *format = NULL, *output = NULL, *as_of = NULL, *group = NULL,
               *cycle = NULL, *provision = NULL, *region = NULL;
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case O_DB: dbarg = optarg; break;
        case O_PARTY: party = optarg; break;
        case O_FORMAT: format = optarg; break;
        case O_OUTPUT: output = optarg; break;
        case O_ASOF: as_of = optarg; break;
        case O_GROUP: group = optarg; break;
        case O_CYCLE: cycle = optarg; break;
        case O_PROVISION: provision = optarg; break;
        case O_REGION: region = optarg; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 1;
        }
    }
    int left = argc - optind;
    const char *what = left > 0 ? argv[optind] : "";
    bool ok = (strcmp(what, "template") == 0 && left == 3 && party) || (strcmp(what, "import") == 0 && left == 4) ||
              (strcmp(what, "export") == 0 && left == 3) || (strcmp(what, "matrix") == 0 && left == 2) ||
              ((strcmp(what, "submit") == 0 || strcmp(what, "release") == 0) && left == 3 && party && provision);
    if (!ok) {
        usage(stderr);
        return 1;
    }
    bulk_format f = strcmp(what, "template") == 0 ? BULK_CSV : BULK_JSON;
    int rc = format ? bulk_format_parse(format, &f) : ACCORD_OK;
    if (!rc && strcmp(what, "template") == 0 && f == BULK_JSON)
        rc = accord_fail(ACCORD_EINVAL, "format", "--format: csv or xlsx");
    if (!rc && as_of)
        rc = date_check(as_of, "as_of");
    if (rc)
        return cli_fail(rc);
    store *db;
    int status = cli_open_db(dbarg, &db);
    if (status)
        return status;
    const char *slug = argv[optind + 1];
    buf out;
    buf_init(&out, IMPORT_MAX);
    bool step = strcmp(what, "submit") == 0 || strcmp(what, "release") == 0;
    if (step)
        rc = report_step(db, what, slug, argv[optind + 2], party, provision);
    else if (strcmp(what, "import") == 0)
        rc = import_file(db, slug, argv[optind + 2], argv[optind + 3], party);
    else if (strcmp(what, "template") == 0)
        rc = bulk_template(db, slug, argv[optind + 2], party, f == BULK_CSV ? TABULAR_CSV : TABULAR_XLSX, &out);
    else if (strcmp(what, "export") == 0)
        rc = export_released(db, slug, argv[optind + 2], f, &out);
    else
        rc = export_matrix(db, slug, cycle, group, region, as_of, f, &out);
    if (!rc && strcmp(what, "import") != 0 && !step)
        rc = write_output(output, &out);
    buf_free(&out);
    store_close(db);
    return rc ? cli_fail(rc) : 0;
}
