/* accord status: the participants of an instrument as at a date. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "depositary/depositary.h"
#include "util/error.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: accord status [--db PATH] INSTRUMENT [--as-of YYYY-MM-DD] [--format table|json|csv]\n"
               "\n"
               "Shows who participated in INSTRUMENT as at a date (default today): each party's\n"
               "joining action with its date, place, signer and source; endorsements; and the\n"
               "recorded count beside the latest reported total. json and csv give exactly what\n"
               "GET /api/v1/instruments/INSTRUMENT/status gives.\n");
}

static const char *str(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

static void print_table(const json_t *status)
{
    const json_t *inst = json_object_get(status, "instrument");
    printf("%s\nStatus as at %s: %s\n\n", str(inst, "title"), str(status, "as_of"), str(status, "summary"));
    printf("%-20s %-48s %-12s %-26s %s\n", "PARTY", "NAME", "ACTION", "DATE", "SIGNER / SOURCE");
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(status, "participants"), i, p)
    {
        json_t *party = json_object_get(p, "party"), *a = depositary_joining_action(p);
        json_t *signer = json_object_get(a, "signer");
        printf("%-20s %-48.48s %-12s %-26s %s%s%s\n", str(party, "code"), str(party, "name"), str(a, "type"),
               str(p, "since_display"), str(signer, "name"), json_is_object(signer) ? "; " : "",
               str(json_object_get(a, "source"), "title"));
    }
    json_array_foreach(json_object_get(status, "endorsements"), i, p)
    {
        json_t *party = json_object_get(p, "party");
        printf("%-20s %-48.48s %-12s %-26s %s\n", str(party, "code"), str(party, "name"), str(p, "type"),
               str(p, "date_display"), str(json_object_get(p, "source"), "title"));
    }
    const char *note = str(inst, "completeness_note");
    if (*note)
        printf("\nNote: %s\n", note);
}

int cli_status(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, 0, 'd'},     {"as-of", required_argument, 0, 'a'},
                                         {"format", required_argument, 0, 'f'}, {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    const char *dbarg = NULL, *as_of = NULL, *format = "table";
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd': dbarg = optarg; break;
        case 'a': as_of = optarg; break;
        case 'f': format = optarg; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 1;
        }
    }
    if (optind != argc - 1) {
        usage(stderr);
        return 1;
    }
    if (strcmp(format, "table") && strcmp(format, "json") && strcmp(format, "csv"))
        return cli_fail(accord_fail(ACCORD_EINVAL, "format", "--format: must be table, json or csv"));
    store *db;
    int status = cli_open_db(dbarg, &db);
    if (status)
        return status;
    json_t *v;
    int rc = depositary_status(db, argv[optind], as_of, &v);
    if (!rc) {
        if (strcmp(format, "json") == 0) {
            cli_print_json(v);
        } else if (strcmp(format, "csv") == 0) {
            buf out;
            buf_init(&out, 64 * 1024 * 1024);
            rc = depositary_status_csv(v, &out);
            if (!rc)
                fwrite(out.data, 1, out.len, stdout);
            buf_free(&out);
        } else {
            print_table(v);
        }
        json_decref(v);
    }
    store_close(db);
    return rc ? cli_fail(rc) : 0;
}
