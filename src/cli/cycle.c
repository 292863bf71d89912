/* accord cycle: reporting cycles and who has reported. */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "events/events.h"
#include "implementation/implementation.h"
#include "tabular/tabular.h"
#include "util/date.h"
#include "util/error.h"
#include "util/json.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: accord cycle open INSTRUMENT --code CODE --name NAME --opens YYYY-MM-DD --due YYYY-MM-DD\n"
               "       accord cycle list INSTRUMENT\n"
               "       accord cycle progress INSTRUMENT CODE [--as-of YYYY-MM-DD] [--format table|json]\n"
               "       accord cycle overdue INSTRUMENT CODE [--as-of YYYY-MM-DD] [--format table|csv|json]\n"
               "       (each takes --db PATH)\n"
               "\n"
               "'open' starts a reporting cycle (logged as cycle.opened). 'progress' lists the\n"
               "participants as at the cycle's opening: submitted, due, or overdue (after the due\n"
               "date), the same as GET .../cycles/CODE/progress. 'overdue' lists only the overdue:\n"
               "the participants that have submitted nothing after the due date.\n");
}

static int open_cycle(store *db, const char *slug, const char *code, const char *name, const char *opens,
                      const char *due)
{
    json_t *data = json_object();
    json_set_str(data, "instrument", slug);
    json_set_str(data, "code", code);
    json_set_str(data, "name", name);
    json_set_str(data, "opens_on", opens);
    json_set_str(data, "due_on", due);
    uint64_t seq;
    int rc = events_submit(db, &ACTOR_OPERATOR, "cycle.opened", data, &seq);
    if (!rc)
        printf("Opened cycle %s of %s (%s to %s) as log entry %llu.\n", code, slug, opens, due, (unsigned long long)seq);
    json_decref(data);
    return rc;
}

static void print_progress(const json_t *p)
{
    const json_t *counts = json_object_get(p, "counts");
    printf("Cycle %s of %s, due %s, as at %s: %lld submitted, %lld due, %lld overdue\n\n",
           json_string_value(json_object_get(p, "cycle")), json_string_value(json_object_get(p, "instrument")),
           json_string_value(json_object_get(p, "due_on")), json_string_value(json_object_get(p, "as_of")),
           (long long)json_integer_value(json_object_get(counts, "submitted")),
           (long long)json_integer_value(json_object_get(counts, "due")),
           (long long)json_integer_value(json_object_get(counts, "overdue")));
    printf("%-20s %-10s %9s %9s  %s\n", "PARTY", "STATE", "SUBMITTED", "RELEASED", "NAME");
    size_t i;
    json_t *row;
    json_array_foreach(json_object_get(p, "parties"), i, row)
    {
        json_t *party = json_object_get(row, "party");
        printf("%-20s %-10s %9lld %9lld  %s\n", json_string_value(json_object_get(party, "code")),
               json_string_value(json_object_get(row, "state")),
               (long long)json_integer_value(json_object_get(row, "provisions_submitted")),
               (long long)json_integer_value(json_object_get(row, "provisions_released")),
               json_string_value(json_object_get(party, "name")));
    }
}

static void print_overdue_csv(const json_t *overdue)
{
    static const char *const header[] = {"party", "kind", "name", NULL};
    tabular_writer *w;
    buf out;
    buf_init(&out, (size_t)64 << 20);
    int rc = tabular_writer_new(&w, TABULAR_CSV, "overdue");
    if (!rc) rc = tabular_header(w, header);
    size_t i;
    json_t *party;
    json_array_foreach(overdue, i, party)
    {
        if (!rc) rc = tabular_text(w, json_string_value(json_object_get(party, "code")));
        if (!rc) rc = tabular_text(w, json_string_value(json_object_get(party, "kind")));
        if (!rc) rc = tabular_text(w, json_string_value(json_object_get(party, "name")));
        if (!rc) rc = tabular_end_row(w);
    }
    if (!rc)
        rc = tabular_writer_finish(w, &out);
    else
        tabular_writer_free(w);
    if (!rc)
        fwrite(out.data, 1, out.len, stdout);
    buf_free(&out);
}

/* The overdue participants of progress 'p', as a table, CSV or JSON. */
static void print_overdue(const json_t *p, const char *format)
{
    json_t *overdue = json_array();
    size_t i;
    json_t *row;
    json_array_foreach(json_object_get(p, "parties"), i, row)
    {
        if (strcmp(json_string_value(json_object_get(row, "state")), "overdue") == 0)
            json_array_append(overdue, json_object_get(row, "party"));
    }
    if (strcmp(format, "json") == 0) {
        json_t *v = json_pack("{s:O, s:O, s:O, s:O, s:o}", "instrument", json_object_get(p, "instrument"), "cycle",
                              json_object_get(p, "cycle"), "due_on", json_object_get(p, "due_on"), "as_of",
                              json_object_get(p, "as_of"), "overdue", overdue);
        cli_print_json(v);
        json_decref(v);
        return;
    }
    if (strcmp(format, "csv") == 0) {
        print_overdue_csv(overdue);
        json_decref(overdue);
        return;
    }
    printf("Cycle %s of %s, due %s, as at %s: %zu of %zu participants overdue\n\n",
               json_string_value(json_object_get(p, "cycle")), json_string_value(json_object_get(p, "instrument")),
               json_string_value(json_object_get(p, "due_on")), json_string_value(json_object_get(p, "as_of")),
               json_array_size(overdue), json_array_size(json_object_get(p, "parties")));
    json_t *party;
    json_array_foreach(overdue, i, party)
    {
        const char *code = json_string_value(json_object_get(party, "code"));
        const char *kind = json_string_value(json_object_get(party, "kind"));
        const char *name = json_string_value(json_object_get(party, "name"));
        printf("%-20s %-13s %s\n", code, kind ? kind : "", name ? name : "");
    }
    json_decref(overdue);
}

int cli_cycle(int argc, char **argv)
{
    enum { O_DB = 1, O_CODE, O_NAME, O_OPENS, O_DUE, O_ASOF, O_FORMAT };
    static const struct option opts[] = {{"db", required_argument, 0, O_DB},       {"code", required_argument, 0, O_CODE},
                                         {"name", required_argument, 0, O_NAME},   {"opens", required_argument, 0, O_OPENS},
                                         {"due", required_argument, 0, O_DUE},     {"as-of", required_argument, 0, O_ASOF},
                                         {"format", required_argument, 0, O_FORMAT}, {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    const char *dbarg = NULL, *code = NULL, *name = NULL, *opens = NULL, *due = NULL, *as_of = NULL, *format = "table";
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case O_DB: dbarg = optarg; break;
        case O_CODE: code = optarg; break;
        case O_NAME: name = optarg; break;
        case O_OPENS: opens = optarg; break;
        case O_DUE: due = optarg; break;
        case O_ASOF: as_of = optarg; break;
        case O_FORMAT: format = optarg; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 1;
        }
    }
    int left = argc - optind;
    const char *what = left > 0 ? argv[optind] : "";
    bool ok = (strcmp(what, "open") == 0 && left == 2 && code && name && opens && due) ||
              (strcmp(what, "list") == 0 && left == 2) || (strcmp(what, "progress") == 0 && left == 3) ||
              (strcmp(what, "overdue") == 0 && left == 3);
    if (!ok) {
        usage(stderr);
        return 1;
    }
    bool csv_ok = strcmp(what, "overdue") == 0;
    if (strcmp(format, "table") && strcmp(format, "json") && !(csv_ok && strcmp(format, "csv") == 0))
        return cli_fail(
            accord_fail(ACCORD_EINVAL, "format", csv_ok ? "--format: table, csv or json" : "--format: table or json"));
    store *db;
    int status = cli_open_db(dbarg, &db);
    if (status)
        return status;
    const char *slug = argv[optind + 1];
    int rc;
    json_t *v = NULL;
    if (strcmp(what, "open") == 0) {
        rc = open_cycle(db, slug, code, name, opens, due);
    } else if (strcmp(what, "list") == 0) {
        rc = implementation_list_cycles(db, slug, &v);
        size_t i;
        json_t *cy;
        if (!rc)
            json_array_foreach(v, i, cy) printf("%-12s %s to %s  %s\n", json_string_value(json_object_get(cy, "code")),
                                                json_string_value(json_object_get(cy, "opens_on")),
                                                json_string_value(json_object_get(cy, "due_on")),
                                                json_string_value(json_object_get(cy, "name")));
    } else {
        char today[11];
        rc = cli_as_of(as_of, today, &as_of);
        if (!rc)
            rc = implementation_progress(db, slug, argv[optind + 2], as_of, &v);
        if (!rc && strcmp(what, "overdue") == 0) {
            print_overdue(v, format);
        } else if (!rc && strcmp(format, "json") == 0) {
            cli_print_json(v);
        } else if (!rc) {
            print_progress(v);
        }
    }
    json_decref(v);
    store_close(db);
    return rc ? cli_fail(rc) : 0;
}
