/* The UN membership in the record: the group "un" (Member States and
 * non-member observer States, from data/un-membership.json) and the kind
 * of every ISO 3166-1 party, state or territory. `accord init` records it
 * in a new database; `accord un-membership` in one made before. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "events/events.h"
#include "registry/registry.h"
#include "store/db.h"
#include "util/error.h"

#define UN_GROUP "un"

/* Appends a party.classified event for each ISO 3166-1 party whose kind is
 * not the one the UN list gives it; counts them in '*n'. */
static int classify_parties(store *db, int *n)
{
    store_stmt *st = NULL;
    json_t *wrong = json_array();
    int rc = store_query(db, &st, "SELECT code, kind FROM party WHERE kind <> 'organization' ORDER BY code", "");
    while (!rc && (rc = store_step(st)) == STORE_ROW) {
        rc = ACCORD_OK;
        const char *code = store_col_text(st, 0), *kind = registry_iso_kind(code);
        if (strcmp(store_col_text(st, 1), kind) != 0)
            json_array_append_new(wrong, json_pack("{s:s, s:s, s:o}", "party", code, "kind", kind, "source",
                                                   registry_iso_kind_source(kind)));
    }
    if (st)
        store_stmt_close(st);
    size_t i;
    json_t *e;
    json_array_foreach(wrong, i, e)
    {
        if (!rc) rc = events_append(db, &ACTOR_OPERATOR, "party.classified", e, NULL);
    }
    *n = rc ? 0 : (int)json_array_size(wrong);
    json_decref(wrong);
    return rc;
}

static int append_membership(store *db, const char *party, const char *role, const char *from, const json_t *source,
                             const char *confidence)
{
    json_t *m = json_pack("{s:s, s:s, s:s, s:s, s:O, s:s}", "group", UN_GROUP, "party", party, "role", role, "from",
                          from, "source", source, "confidence", confidence);
    int rc = m ? events_append(db, &ACTOR_OPERATOR, "membership.recorded", m, NULL)
               : accord_fail(ACCORD_ENOMEM, NULL, "out of memory");
    json_decref(m);
    return rc;
}

/* Records the group "un" with its members and observers unless it exists;
 * counts the memberships recorded in '*n'. Admission dates are not in the
 * list: every member's period starts on the date the list is given as
 * of, and the Holy See's too, which the list gives no date for. */
static int record_group(store *db, int *n)
{
    *n = 0;
    store_stmt *st;
    int rc = store_query(db, &st, "SELECT 1 FROM grp WHERE code = ?", "s", UN_GROUP);
    if (rc)
        return rc;
    rc = store_step(st);
    store_stmt_close(st);
    if (rc == STORE_ROW)
        return ACCORD_OK;
    if (rc < 0)
        return rc;
    const json_t *un = registry_un_membership();
    const json_t *source = json_object_get(un, "source"), *members = json_object_get(un, "members");
    const char *as_of = json_string_value(json_object_get(members, "as_of"));
    char stated[400], inferred[400];
    snprintf(stated, sizeof stated,
             "stated: a Member State on %s, as the source lists it; its admission date is not recorded here, so the "
             "period starts on that date", as_of);
    snprintf(inferred, sizeof inferred,
             "inferred: listed as a non-member observer State by the source, which gives no date; the period starts "
             "on %s, the date the list is given as of", as_of);
    json_t *g = json_pack("{s:s, s:s, s:s, s:s, s:O}", "code", UN_GROUP, "kind", "organization", "name",
                          "United Nations Member States and non-member observer States", "note",
                          "Membership from data/un-membership.json. Admission dates are not recorded: a member's "
                          "period starts on the date the list is given as of, which means 'a member on or before'.",
                          "source", source);
    rc = events_append(db, &ACTOR_OPERATOR, "group.created", g, NULL);
    json_decref(g);
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(members, "codes"), i, e)
    {
        if (!rc && !(rc = append_membership(db, json_string_value(e), "member", as_of, source, stated)))
            (*n)++;
    }
    json_array_foreach(json_object_get(un, "observers"), i, e)
    {
        const char *since = json_string_value(json_object_get(e, "since"));
        const json_t *own = json_object_get(e, "source");
        if (!rc && !(rc = append_membership(db, json_string_value(json_object_get(e, "code")), "observer",
                                            since ? since : as_of, since ? own : source,
                                            since ? "stated" : inferred)))
            (*n)++;
    }
    return rc;
}

int cli_un_record(store *db, int *classified, int *memberships)
{
    int rc = registry_un_load();
    if (!rc) rc = events_begin(db);
    if (rc)
        return rc;
    rc = classify_parties(db, classified);
    if (!rc) rc = record_group(db, memberships);
    if (!rc) rc = events_commit(db);
    if (rc)
        events_rollback(db);
    return rc;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: accord un-membership [--db PATH]\n"
               "\n"
               "Records the UN Member States and non-member observer States (data/un-membership.json)\n"
               "as the group 'un', and gives every ISO 3166-1 party its kind: 'state' when the UN lists\n"
               "it, else 'territory' (one party.classified event each). accord init does this for a new\n"
               "database; run it once on a database made before. Appends nothing when all is recorded.\n");
}

int cli_un_membership(int argc, char **argv)
{
    const char *dbarg;
    int opt = cli_db_option(argc, argv, usage, &dbarg);
    if (opt >= 0)
        return opt;
    if (optind != argc) {
        usage(stderr);
        return 1;
    }
    store *db;
    int status = cli_open_db(dbarg, &db);
    if (status)
        return status;
    int classified = 0, memberships = 0;
    int rc = cli_un_record(db, &classified, &memberships);
    store_close(db);
    if (rc)
        return cli_fail(rc);
    printf("Classified %d parties; recorded %d UN memberships%s.\n", classified, memberships,
           memberships ? "" : " (the group 'un' was already recorded)");
    return 0;
}
