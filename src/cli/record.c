/* accord record: records an action from the command line. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "depositary/depositary.h"
#include "events/events.h"
#include "util/error.h"
#include "util/json.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: accord record [--db PATH] INSTRUMENT --party CODE --type TYPE --date YYYY-MM-DD\n"
               "                     --source-title TEXT [--source-url URL] [--on-or-before]\n"
               "                     [--place TEXT] [--signer-name TEXT] [--signer-title TEXT]\n"
               "                     [--on-behalf-of CODE] [--note TEXT] [--confidence TEXT]\n"
               "\n"
               "Records an action (signature, endorsement, accession, ratification, acceptance,\n"
               "approval, succession, withdrawal, declaration) of party CODE (KAZ, org:oic, ...)\n"
               "on INSTRUMENT, logs it, and prints its depositary notification.\n"
               "--on-or-before marks DATE as a bound: the action happened on or before it.\n");
}

int cli_record(int argc, char **argv)
{
    enum { O_DB = 1, O_PARTY, O_TYPE, O_DATE, O_BOUND, O_PLACE, O_SNAME, O_STITLE, O_BEHALF, O_NOTE, O_SRC_T, O_SRC_U, O_CONF };
    static const struct option opts[] = {
        {"db", required_argument, 0, O_DB},           {"party", required_argument, 0, O_PARTY},
        {"type", required_argument, 0, O_TYPE},       {"date", required_argument, 0, O_DATE},
        {"on-or-before", no_argument, 0, O_BOUND},    {"place", required_argument, 0, O_PLACE},
        {"signer-name", required_argument, 0, O_SNAME}, {"signer-title", required_argument, 0, O_STITLE},
        {"on-behalf-of", required_argument, 0, O_BEHALF}, {"note", required_argument, 0, O_NOTE},
        {"source-title", required_argument, 0, O_SRC_T}, {"source-url", required_argument, 0, O_SRC_U},
        {"confidence", required_argument, 0, O_CONF}, {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    const char *dbarg = NULL, *sname = NULL, *stitle = NULL, *src_t = NULL, *src_u = NULL;
    json_t *data = json_object();
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case O_DB: dbarg = optarg; break;
        case O_PARTY: json_set_str(data, "party", optarg); break;
        case O_TYPE: json_set_str(data, "type", optarg); break;
        case O_DATE: json_set_str(data, "date", optarg); break;
        case O_BOUND: json_set_str(data, "date_precision", "on_or_before"); break;
        case O_PLACE: json_set_str(data, "place", optarg); break;
        case O_SNAME: sname = optarg; break;
        case O_STITLE: stitle = optarg; break;
        case O_BEHALF: json_set_str(data, "on_behalf_of", optarg); break;
        case O_NOTE: json_set_str(data, "note", optarg); break;
        case O_SRC_T: src_t = optarg; break;
        case O_SRC_U: src_u = optarg; break;
        case O_CONF: json_set_str(data, "confidence", optarg); break;
        case 'h': usage(stdout); json_decref(data); return 0;
        default: usage(stderr); json_decref(data); return 1;
        }
    }
    if (optind != argc - 1) {
        usage(stderr);
        json_decref(data);
        return 1;
    }
    json_set_str(data, "instrument", argv[optind]);
    if (sname || stitle) {
        json_t *signer = json_object();
        if (sname) json_set_str(signer, "name", sname);
        if (stitle) json_set_str(signer, "title", stitle);
        json_object_set_new(data, "signer", signer);
    }
    if (src_t || src_u) {
        json_t *src = json_object();
        if (src_t) json_set_str(src, "title", src_t);
        if (src_u) json_set_str(src, "url", src_u);
        json_object_set_new(data, "source", src);
    }
    store *db;
    int status = cli_open_db(dbarg, &db);
    if (status) {
        json_decref(data);
        return status;
    }
    uint64_t seq;
    int rc = events_submit(db, &ACTOR_OPERATOR, "action.recorded", data, &seq);
    if (!rc)
        printf("Recorded as log entry %llu.\nNotification %s: %s\n", (unsigned long long)seq,
               json_string_value(json_object_get(data, "notification")),
               json_string_value(json_object_get(data, "notification_text")));
    json_decref(data);
    store_close(db);
    return rc ? cli_fail(rc) : 0;
}
