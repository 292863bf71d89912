/* accord cycle: reporting cycles and who has reported. */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "events/events.h"
#include "implementation/implementation.h"
#include "util/date.h"
#include "util/error.h"
#include "util/json.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: accord cycle open INSTRUMENT --code CODE --name NAME --opens YYYY-MM-DD --due YYYY-MM-DD\n"
               "       accord cycle list INSTRUMENT\n"
               "       accord cycle progress INSTRUMENT CODE [--as-of YYYY-MM-DD] [--format table|json]\n"
               "       (each takes --db PATH)\n"
               "\n"
               "'open' starts a reporting cycle (logged as cycle.opened). 'progress' lists the\n"
               "participants as at the cycle's opening: submitted, due, or overdue (after the due\n"
               "date), the same as GET .../cycles/CODE/progress.\n");
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
              (strcmp(what, "list") == 0 && left == 2) || (strcmp(what, "progress") == 0 && left == 3);
    if (!ok) {
        usage(stderr);
        return 1;
    }
    if (strcmp(format, "table") && strcmp(format, "json"))
        return cli_fail(accord_fail(ACCORD_EINVAL, "format", "--format: table or json"));
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
        if (!as_of) {
            date_today(today);
            as_of = today;
        }
        rc = date_check(as_of, "as_of");
        if (!rc)
            rc = implementation_progress(db, slug, argv[optind + 2], as_of, &v);
        if (!rc && strcmp(format, "json") == 0) {
            json_dumpf(v, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
            putchar('\n');
        } else if (!rc) {
            print_progress(v);
        }
    }
    json_decref(v);
    store_close(db);
    return rc ? cli_fail(rc) : 0;
}
