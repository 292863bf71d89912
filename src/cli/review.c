/* accord review: a reviewer's decision on a submitted report, and accord
 * trajectory: progress toward the goal year. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "events/events.h"
#include "implementation/implementation.h"
#include "util/date.h"
#include "util/error.h"
#include "util/json.h"

static void review_usage(FILE *f)
{
    fprintf(f, "usage: accord review INSTRUMENT CYCLE --party CODE --provision N --rate RATING --rationale TEXT\n"
               "       accord review INSTRUMENT CYCLE --party CODE --provision N --return --comments TEXT\n"
               "       (each takes --db PATH)\n"
               "\n"
               "Rates a submitted report (logged as report.rated; a re-rating adds to the history)\n"
               "or returns it to its party with comments (report.returned: restricted, only its\n"
               "commitment is public). RATING is one of: " IMPLEMENTATION_RATINGS ".\n"
               "The same as POST .../cycles/CYCLE/reviews.\n");
}

int cli_review(int argc, char **argv)
{
    enum { O_DB = 1, O_PARTY, O_PROVISION, O_RATE, O_RATIONALE, O_RETURN, O_COMMENTS };
    static const struct option opts[] = {
        {"db", required_argument, 0, O_DB},         {"party", required_argument, 0, O_PARTY},
        {"provision", required_argument, 0, O_PROVISION}, {"rate", required_argument, 0, O_RATE},
        {"rationale", required_argument, 0, O_RATIONALE}, {"return", no_argument, 0, O_RETURN},
        {"comments", required_argument, 0, O_COMMENTS},   {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    const char *dbarg = NULL, *party = NULL, *provision = NULL, *rating = NULL, *rationale = NULL, *comments = NULL;
    int returning = 0, c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case O_DB: dbarg = optarg; break;
        case O_PARTY: party = optarg; break;
        case O_PROVISION: provision = optarg; break;
        case O_RATE: rating = optarg; break;
        case O_RATIONALE: rationale = optarg; break;
        case O_RETURN: returning = 1; break;
        case O_COMMENTS: comments = optarg; break;
        case 'h': review_usage(stdout); return 0;
        default: review_usage(stderr); return 1;
        }
    }
    /* Exactly one decision, with the text it needs. */
    int rating_ok = rating && rationale && !returning && !comments;
    int return_ok = returning && comments && !rating && !rationale;
    if (argc - optind != 2 || !party || !provision || !(rating_ok || return_ok)) {
        review_usage(stderr);
        return 1;
    }
    long long number = 0;
    int rc = cli_provision_number(provision, &number);
    if (rc)
        return cli_fail(rc);
    store *db;
    int status = cli_open_db(dbarg, &db);
    if (status)
        return status;
    json_t *data = json_pack("{s:s, s:s, s:s, s:I}", "instrument", argv[optind], "cycle", argv[optind + 1], "party",
                             party, "provision", (json_int_t)number);
    if (rating_ok) {
        json_set_str(data, "rating", rating);
        json_set_str(data, "rationale", rationale);
    } else {
        json_set_str(data, "comments", comments);
    }
    const char *type = rating_ok ? "report.rated" : "report.returned";
    uint64_t seq;
    rc = events_submit(db, &ACTOR_OPERATOR, type, data, &seq);
    if (!rc)
        printf("%s %s provision %lld of %s in cycle %s (version %lld) as log entry %llu.\n",
               rating_ok ? "Rated" : "Returned", party, (long long)number, argv[optind], argv[optind + 1],
               (long long)json_integer_value(json_object_get(data, "version")), (unsigned long long)seq);
    json_decref(data);
    store_close(db);
    return rc ? cli_fail(rc) : 0;
}

static void trajectory_usage(FILE *f)
{
    fprintf(f, "usage: accord trajectory INSTRUMENT [--as-of YYYY-MM-DD] [--format table|json] [--db PATH]\n"
               "\n"
               "For each year from the instrument's opening: the share of participant x provision\n"
               "cells rated 'implemented', against the straight path to all of them in the goal\n"
               "year, labelled on track or off track. The same as GET .../trajectory.\n");
}

static void print_trajectory(const json_t *t)
{
    printf("%s: share rated implemented, toward %lld\n\n", json_string_value(json_object_get(t, "instrument")),
           (long long)json_integer_value(json_object_get(t, "goal_year")));
    printf("%-6s %-10s %7s %11s %7s %7s  %s\n", "YEAR", "AS OF", "CELLS", "IMPLEMENTED", "SHARE", "TARGET", "LABEL");
    size_t i;
    json_t *y;
    json_array_foreach(json_object_get(t, "years"), i, y)
    {
        printf("%-6lld %-10s %7lld %11lld %6.1f%% %6.1f%%  %s\n", (long long)json_integer_value(json_object_get(y, "year")),
               json_string_value(json_object_get(y, "as_of")), (long long)json_integer_value(json_object_get(y, "cells")),
               (long long)json_integer_value(json_object_get(y, "implemented")),
               100.0 * json_real_value(json_object_get(y, "share")), 100.0 * json_real_value(json_object_get(y, "target")),
               json_string_value(json_object_get(y, "label")));
    }
    json_t *last = json_array_get(json_object_get(t, "years"), json_array_size(json_object_get(t, "years")) - 1);
    if (!last)
        return;
    printf("\nBy provision, as at %s:\n\n", json_string_value(json_object_get(last, "as_of")));
    printf("%-10s %7s %11s %7s %7s  %s\n", "PROVISION", "CELLS", "IMPLEMENTED", "SHARE", "TARGET", "LABEL");
    json_array_foreach(json_object_get(last, "by_provision"), i, y)
    {
        printf("%-10lld %7lld %11lld %6.1f%% %6.1f%%  %s\n", (long long)json_integer_value(json_object_get(y, "provision")),
               (long long)json_integer_value(json_object_get(y, "cells")),
               (long long)json_integer_value(json_object_get(y, "implemented")),
               100.0 * json_real_value(json_object_get(y, "share")), 100.0 * json_real_value(json_object_get(y, "target")),
               json_string_value(json_object_get(y, "label")));
    }
}

int cli_trajectory(int argc, char **argv)
{
    enum { O_DB = 1, O_ASOF, O_FORMAT };
    static const struct option opts[] = {{"db", required_argument, 0, O_DB},
                                         {"as-of", required_argument, 0, O_ASOF},
                                         {"format", required_argument, 0, O_FORMAT},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    const char *dbarg = NULL, *as_of = NULL, *format = "table";
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case O_DB: dbarg = optarg; break;
        case O_ASOF: as_of = optarg; break;
        case O_FORMAT: format = optarg; break;
        case 'h': trajectory_usage(stdout); return 0;
        default: trajectory_usage(stderr); return 1;
        }
    }
    if (argc - optind != 1) {
        trajectory_usage(stderr);
        return 1;
    }
    if (strcmp(format, "table") && strcmp(format, "json"))
        return cli_fail(accord_fail(ACCORD_EINVAL, "format", "--format: table or json"));
    char today[11];
    int rc = cli_as_of(as_of, today, &as_of);
    if (rc)
        return cli_fail(rc);
    store *db;
    int status = cli_open_db(dbarg, &db);
    if (status)
        return status;
    json_t *t = NULL;
    rc = implementation_trajectory(db, argv[optind], as_of, &t);
    if (!rc && strcmp(format, "json") == 0) {
        cli_print_json(t);
    } else if (!rc) {
        print_trajectory(t);
    }
    json_decref(t);
    store_close(db);
    return rc ? cli_fail(rc) : 0;
}
