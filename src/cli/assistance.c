/* accord assistance: capacity-building and coordination at the console
 * (src/assistance/): load a data file, read the views, export HXL CSV
 * and IATI XML. The operator sees everything, restricted needs included. */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "assistance/assistance.h"
#include "cli/cli.h"
#include "util/clock.h"
#include "util/error.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: accord assistance load FILE\n"
            "       accord assistance entities|offices|needs|offers|activities|gaps|overlaps|matrix\n"
            "              [--country ISO3] [--entity CODE] [--group CODE] [--region M49] [--format json|hxl|iati]\n"
            "       accord assistance country ISO3\n"
            "       accord assistance entity CODE            (unodc, or one office: unodc/almaty)\n"
            "       accord assistance matches NEED\n"
            "       accord assistance framework sdg|gcts|unsc CODE   (e.g. sdg 16.a)\n"
            "       accord assistance meetings [--party CODE]\n"
            "       (each takes --db PATH)\n"
            "\n"
            "'load' records every entity, office, framework link, meeting, need, offer and\n"
            "activity of FILE as events, all or none (data/assistance.synthetic.json is the\n"
            "synthetic demonstration set: every record from it is marked synthetic). The\n"
            "lists print JSON, or with --format hxl the HXL-tagged CSV; 'activities' also\n"
            "takes --format iati (IATI 2.03 XML). The console sees every need, restricted\n"
            "ones included: do not publish its output.\n");
}

static const assistance_viewer OPERATOR_VIEW = {true, true, NULL};

static int list(store *db, const char *what, const assistance_filter *f, json_t **out)
{
    if (strcmp(what, "entities") == 0) return assistance_entities(db, f, out);
    if (strcmp(what, "offices") == 0) return assistance_offices(db, f, out);
    if (strcmp(what, "needs") == 0) return assistance_needs(db, &OPERATOR_VIEW, f, out);
    if (strcmp(what, "offers") == 0) return assistance_offers(db, f, out);
    if (strcmp(what, "activities") == 0) return assistance_activities(db, &OPERATOR_VIEW, f, out);
    if (strcmp(what, "overlaps") == 0) return assistance_overlaps(db, f, out);
    if (strcmp(what, "matrix") == 0) return assistance_matrix(db, &OPERATOR_VIEW, f, out);
    if (strcmp(what, "gaps") == 0) {
        json_t *g;
        int rc = assistance_gaps(db, &OPERATOR_VIEW, f, &g);
        if (rc)
            return rc;
        *out = json_array();
        json_array_extend(*out, json_object_get(g, "needs_without_activity"));
        json_array_extend(*out, json_object_get(g, "provisions_with_few_providers"));
        json_array_extend(*out, json_object_get(g, "countries_without_office"));
        json_decref(g);
        return ACCORD_OK;
    }
    return accord_fail(ACCORD_EINVAL, NULL, "unknown list '%s'", what);
}

static int print_list(store *db, const char *what, const assistance_filter *f, const char *format)
{
    json_t *v = NULL;
    int rc = list(db, what, f, &v);
    buf out;
    buf_init(&out, (size_t)256 << 20);
    if (!rc && strcmp(format, "hxl") == 0) {
        rc = assistance_hxl(what, v, &out);
    } else if (!rc && strcmp(format, "iati") == 0) {
        char now[21];
        clock_now_rfc3339(now);
        rc = strcmp(what, "activities") == 0 ? assistance_iati(v, now, &out)
                                             : accord_fail(ACCORD_EINVAL, "format", "--format iati: activities only");
    } else if (!rc) {
        cli_print_json(v);
    }
    if (!rc && out.len)
        fwrite(out.data, 1, out.len, stdout);
    buf_free(&out);
    json_decref(v);
    return rc;
}

int cli_assistance(int argc, char **argv)
{
    enum { O_DB = 1, O_COUNTRY, O_ENTITY, O_GROUP, O_REGION, O_FORMAT, O_PARTY };
    static const struct option opts[] = {{"db", required_argument, 0, O_DB},         {"country", required_argument, 0, O_COUNTRY},
                                         {"entity", required_argument, 0, O_ENTITY}, {"group", required_argument, 0, O_GROUP},
                                         {"region", required_argument, 0, O_REGION}, {"format", required_argument, 0, O_FORMAT},
                                         {"party", required_argument, 0, O_PARTY},   {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    const char *dbarg = NULL, *format = "json", *party = NULL;
    assistance_filter f = {0};
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case O_DB: dbarg = optarg; break;
        case O_COUNTRY: f.country = optarg; break;
        case O_ENTITY: f.entity = optarg; break;
        case O_GROUP: f.group = optarg; break;
        case O_REGION: f.region = optarg; break;
        case O_FORMAT: format = optarg; break;
        case O_PARTY: party = optarg; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 1;
        }
    }
    int left = argc - optind;
    const char *what = left > 0 ? argv[optind] : "";
    static const char *const lists[] = {"entities", "offices", "needs", "offers", "activities", "gaps", "overlaps",
                                        "matrix"};
    bool is_list = false;
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++)
        is_list |= strcmp(what, lists[i]) == 0;
    bool ok = (is_list && left == 1) || (strcmp(what, "meetings") == 0 && left == 1) ||
              ((strcmp(what, "load") == 0 || strcmp(what, "country") == 0 || strcmp(what, "entity") == 0 ||
                strcmp(what, "matches") == 0) && left == 2) ||
              (strcmp(what, "framework") == 0 && left == 3);
    if (!ok) {
        usage(stderr);
        return 1;
    }
    if (strcmp(format, "json") && strcmp(format, "hxl") && strcmp(format, "iati"))
        return cli_fail(accord_fail(ACCORD_EINVAL, "format", "--format: json, hxl or iati"));
    store *db;
    int status = cli_open_db(dbarg, &db);
    if (status)
        return status;
    int rc;
    json_t *v = NULL;
    const char *arg = left > 1 ? argv[optind + 1] : NULL;
    if (strcmp(what, "load") == 0) {
        int events;
        rc = assistance_load_file(db, &ACTOR_OPERATOR, arg, &events);
        if (!rc)
            printf("Loaded %s: %d events.\n", arg, events);
    } else if (is_list) {
        rc = print_list(db, what, &f, format);
    } else {
        if (strcmp(what, "country") == 0) rc = assistance_country(db, &OPERATOR_VIEW, arg, &v);
        else if (strcmp(what, "entity") == 0) rc = assistance_by_entity(db, arg, &v);
        else if (strcmp(what, "matches") == 0) rc = assistance_matches(db, &OPERATOR_VIEW, arg, &v);
        else if (strcmp(what, "framework") == 0) rc = assistance_framework_item(db, &OPERATOR_VIEW, arg, argv[optind + 2], &v);
        else rc = assistance_meetings(db, party, &v);
        if (!rc)
            cli_print_json(v);
    }
    json_decref(v);
    store_close(db);
    return rc ? cli_fail(rc) : 0;
}
