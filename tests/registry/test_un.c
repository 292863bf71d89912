/* registry-un: the kinds of ISO 3166-1 parties (a state when the UN lists
 * it as a member or observer state, else a territory) and the group "un",
 * recorded by accord init, corrected in an older database by accord
 * un-membership, and rebuilt identically by a replay. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "events/events.h"
#include "helpers.h"
#include "registry/registry.h"
#include "store/db.h"
#include "util/error.h"

static char *dir, *db_path;
static store *db;

static void setup(void)
{
    dir = th_tempdir();
    db_path = th_make_db(dir, false, NULL);
    db = th_open(db_path);
}

static void teardown(void)
{
    store_close(db);
    th_rmtree(dir);
    free(dir);
    free(db_path);
}

static const char *kind_of(const char *code)
{
    static char kind[32];
    json_t *p = registry_party_brief(db, code, NULL);
    cr_assert_not_null(p, "no party %s", code);
    snprintf(kind, sizeof kind, "%s", json_string_value(json_object_get(p, "kind")));
    json_decref(p);
    return kind;
}

/* Members and observers of "un" as at 'as_of'. */
static void count_un(const char *as_of, int *members, int *observers)
{
    json_t *list;
    cr_assert_eq(registry_group_members(db, "un", as_of, &list), ACCORD_OK, "%s", accord_error_message());
    *members = *observers = 0;
    size_t i;
    json_t *m;
    json_array_foreach(list, i, m)
    {
        const char *role = json_string_value(json_object_get(m, "role"));
        *members += strcmp(role, "member") == 0;
        *observers += strcmp(role, "observer") == 0;
    }
    json_decref(list);
}

TestSuite(un, .init = setup, .fini = teardown);

Test(un, init_tells_states_from_territories)
{
    const char *states[] = {"KAZ", "VCT", "SSD", "VAT", "PSE"};
    const char *territories[] = {"GRL", "PRI", "ATA", "BVT", "TWN", "ESH", "HKG"};
    for (size_t i = 0; i < sizeof states / sizeof *states; i++)
        cr_assert_str_eq(kind_of(states[i]), "state", "%s", states[i]);
    for (size_t i = 0; i < sizeof territories / sizeof *territories; i++)
        cr_assert_str_eq(kind_of(territories[i]), "territory", "%s", territories[i]);
    json_t *list;
    cr_assert_eq(registry_list_parties(db, "state", &list), ACCORD_OK);
    cr_assert_eq(json_array_size(list), 195, "193 members and 2 observer states");
    json_decref(list);
    cr_assert_eq(registry_list_parties(db, "territory", &list), ACCORD_OK);
    cr_assert_eq(json_array_size(list), 249 - 195);
    json_decref(list);
    cr_assert_eq(registry_list_parties(db, "country", &list), ACCORD_EINVAL);

    cr_assert_eq(registry_get_party(db, "GRL", &list), ACCORD_OK);
    const char *why = json_string_value(json_object_get(json_object_get(list, "kind_source"), "title"));
    cr_assert(why && strstr(why, "Not listed among the Member States"), "the kind names its source: %s", why);
    json_decref(list);
}

Test(un, the_un_group_as_at_a_date)
{
    int members, observers;
    count_un("2018-09-28", &members, &observers);
    cr_assert_eq(members, 193);
    cr_assert_eq(observers, 2, "the Holy See and the State of Palestine");
    count_un("2012-01-01", &members, &observers);
    cr_assert_eq(observers, 1, "Palestine is an observer State from 2012-11-29");
    count_un("2011-07-13", &members, &observers);
    cr_assert_eq(members, 0, "no admission date before the list's is claimed");
}

/* A database made before kinds were told apart called every ISO entry a
 * state: accord un-membership appends one party.classified event per
 * wrong kind, then nothing, and a replay of the log rebuilds the same
 * tables. */
Test(un, an_older_database_is_corrected_by_events_and_replays_the_same)
{
    json_t *old = json_pack("{s:s, s:s, s:{s:s}}", "party", "GRL", "kind", "state", "source", "title",
                            "registered as a state before kinds were told apart");
    cr_assert_eq(events_submit(db, &ACTOR_OPERATOR, "party.classified", old, NULL), ACCORD_OK, "%s",
                 accord_error_message());
    json_decref(old);
    cr_assert_str_eq(kind_of("GRL"), "state");
    store_close(db);

    const char *args[] = {"un-membership", "--db", db_path, NULL};
    char *out;
    cr_assert_eq(th_run_accord(&out, args), 0);
    cr_assert(strstr(out, "Classified 1 parties; recorded 0 UN memberships"), "%s", out);
    free(out);
    cr_assert_eq(th_run_accord(&out, args), 0);
    cr_assert(strstr(out, "Classified 0 parties"), "nothing left to append: %s", out);
    free(out);
    db = th_open(db_path);
    cr_assert_str_eq(kind_of("GRL"), "territory");

    th_server s;
    th_server_start(&s, db_path);
    char replayed[4096];
    snprintf(replayed, sizeof replayed, "%s/replayed.db", dir);
    store *r = th_replay_matches(&s, db_path, replayed, "kinds and the UN group");
    th_server_stop(&s);
    store_close(r);
}

Test(un, classified_is_checked)
{
    json_t *same = json_pack("{s:s, s:s, s:{s:s}}", "party", "KAZ", "kind", "state", "source", "title", "x");
    cr_assert_eq(events_submit(db, &ACTOR_OPERATOR, "party.classified", same, NULL), ACCORD_ECONFLICT);
    json_t *org = json_pack("{s:s, s:s, s:{s:s}}", "party", "org:x", "kind", "state", "source", "title", "x");
    cr_assert_eq(events_submit(db, &ACTOR_OPERATOR, "party.classified", org, NULL), ACCORD_ENOTFOUND);
    json_t *bad = json_pack("{s:s, s:s, s:{s:s}}", "party", "GRL", "kind", "country", "source", "title", "x");
    cr_assert_eq(events_submit(db, &ACTOR_OPERATOR, "party.classified", bad, NULL), ACCORD_EINVAL);
    json_t *unsourced = json_pack("{s:s, s:s}", "party", "GRL", "kind", "state");
    cr_assert_eq(events_submit(db, &ACTOR_OPERATOR, "party.classified", unsourced, NULL), ACCORD_EINVAL);
    json_decref(same);
    json_decref(org);
    json_decref(bad);
    json_decref(unsourced);
}
