/* depositary-rules: the rules an action obeys, status as at a date,
 * notifications and group coverage, on the demo data. */
#include <criterion/criterion.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "depositary/depositary.h"
#include "events/events.h"
#include "helpers.h"
#include "registry/registry.h"
#include "util/error.h"

static char *dir, *path;
static store *db;

static void setup(void)
{
    cr_assert_geq(sodium_init(), 0);
    dir = th_tempdir();
    path = th_make_db(dir, true, NULL);
    db = th_open(path);
}

static void teardown(void)
{
    store_close(db);
    th_rmtree(dir);
    free(dir);
    free(path);
}

TestSuite(depositary, .init = setup, .fini = teardown);

/* Records an action; returns the error code (0 on success). */
static int record(const char *party, const char *type, const char *date, const char *precision)
{
    json_t *data = json_pack("{s:s, s:s, s:s, s:s, s:{s:s}}", "instrument", "code-of-conduct", "party", party, "type",
                             type, "date", date, "source", "title", "test fixture");
    if (precision)
        json_object_set_new(data, "date_precision", json_string(precision));
    int rc = events_submit(db, &ACTOR_OPERATOR, "action.recorded", data, NULL);
    json_decref(data);
    return rc;
}

/* Asserts that recording fails with 'code' on 'field' and changes nothing. */
static void refused(int code, const char *field, const char *party, const char *type, const char *date)
{
    char before[65], after[65];
    uint64_t size = th_log_size(db);
    th_state_digest(db, before);
    int rc = record(party, type, date, NULL);
    cr_assert_eq(rc, code, "%s %s %s: got %d (%s), want %d", party, type, date, rc, accord_error_message(), code);
    if (field)
        cr_assert_str_eq(accord_error_field() ? accord_error_field() : "", field, "%s", accord_error_message());
    th_state_digest(db, after);
    cr_assert_str_eq(before, after, "a refused action changed the tables");
    cr_assert_eq(th_log_size(db), size);
}

static json_t *status(const char *as_of)
{
    json_t *v;
    cr_assert_eq(depositary_status(db, "code-of-conduct", as_of, &v), 0, "%s", accord_error_message());
    return v;
}

/* True if 'code' is among the participants of 'st'. */
static bool participates(json_t *st, const char *code)
{
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(st, "participants"), i, p)
    {
        if (strcmp(json_string_value(json_object_get(json_object_get(p, "party"), "code")), code) == 0)
            return true;
    }
    return false;
}

Test(depositary, rules_refuse_bad_actions)
{
    refused(ACCORD_ECONFLICT, "party", "KAZ", "signature", "2019-01-01");          /* second signature */
    refused(ACCORD_ERULE, "date", "FRA", "signature", "2018-09-27");                /* before opening */
    refused(ACCORD_ERULE, "date", "FRA", "signature", "2999-01-01");                /* future */
    refused(ACCORD_ERULE, "type", "FRA", "withdrawal", "2019-01-01");               /* not a participant */
    refused(ACCORD_ERULE, "type", "FRA", "endorsement", "2019-01-01");              /* states do not endorse */
    refused(ACCORD_ERULE, "party", "XYZ", "signature", "2019-01-01");               /* unknown party */
    refused(ACCORD_EINVAL, "date", "FRA", "signature", "2019-02-29");               /* no such day */
    refused(ACCORD_EINVAL, "type", "FRA", "signing", "2019-01-01");                 /* unknown type */
}

Test(depositary, withdrawal_needs_participation_on_its_date)
{
    /* A withdrawal dated before the party joined is refused. */
    cr_assert_eq(record("FRA", "signature", "2019-01-10", NULL), 0, "%s", accord_error_message());
    refused(ACCORD_ERULE, "type", "FRA", "withdrawal", "2019-01-09");
    cr_assert_eq(record("FRA", "withdrawal", "2019-01-10", NULL), 0, "%s", accord_error_message());
}

Test(depositary, instrument_and_source_are_required)
{
    json_t *data = json_pack("{s:s, s:s, s:s, s:s}", "instrument", "code-of-conduct", "party", "FRA", "type",
                             "signature", "date", "2019-01-01");
    cr_assert_eq(events_submit(db, &ACTOR_OPERATOR, "action.recorded", data, NULL), ACCORD_EINVAL);
    cr_assert_str_eq(accord_error_field(), "source");
    json_object_set_new(data, "source", json_pack("{s:s, s:s}", "title", "t", "url", "ftp://x"));
    cr_assert_eq(events_submit(db, &ACTOR_OPERATOR, "action.recorded", data, NULL), ACCORD_EINVAL, "only http(s) URLs");
    json_object_set_new(data, "source", json_pack("{s:s}", "title", "t"));
    json_object_set_new(data, "instrument", json_string("no-such-thing"));
    cr_assert_eq(events_submit(db, &ACTOR_OPERATOR, "action.recorded", data, NULL), ACCORD_ENOTFOUND);
    json_decref(data);
}

Test(depositary, status_follows_withdrawal_and_rejoining)
{
    cr_assert_eq(record("FRA", "signature", "2019-01-10", NULL), 0, "%s", accord_error_message());
    cr_assert_eq(record("FRA", "withdrawal", "2020-03-01", NULL), 0, "%s", accord_error_message());
    refused(ACCORD_ECONFLICT, "party", "FRA", "signature", "2021-01-01");  /* rejoining is by accession */
    cr_assert_eq(record("FRA", "accession", "2021-05-05", NULL), 0, "%s", accord_error_message());

    json_t *s;
    s = status("2019-01-09");
    cr_assert_not(participates(s, "FRA"));
    json_decref(s);
    s = status("2019-01-10");
    cr_assert(participates(s, "FRA"));
    json_decref(s);
    s = status("2020-03-01");
    cr_assert_not(participates(s, "FRA"), "a withdrawn party drops out from the withdrawal date");
    cr_assert_eq(json_array_size(json_object_get(s, "former_participants")), 1);
    json_decref(s);
    s = status("2021-05-05");
    cr_assert(participates(s, "FRA"));
    json_decref(s);
}

Test(depositary, bounded_dates_count_from_their_bound)
{
    json_t *s = status("2019-07-14");
    cr_assert_not(participates(s, "VCT"));
    json_decref(s);
    s = status("2019-07-15");
    cr_assert(participates(s, "VCT"));
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(s, "participants"), i, p)
    {
        if (strcmp(json_string_value(json_object_get(json_object_get(p, "party"), "code")), "VCT") == 0) {
            cr_assert_str_eq(json_string_value(json_object_get(p, "date_precision")), "on_or_before");
            cr_assert_str_eq(json_string_value(json_object_get(p, "since_display")), "on or before 15 July 2019");
        }
    }
    json_decref(s);
}

Test(depositary, counts_exclude_endorsements_and_show_reported_totals)
{
    json_t *s = status("2019-07-15");
    json_t *recorded = json_object_get(json_object_get(s, "counts"), "recorded");
    cr_assert_eq(json_integer_value(json_object_get(recorded, "participants")), 7);
    cr_assert_eq(json_integer_value(json_object_get(recorded, "states")), 6);
    cr_assert_eq(json_integer_value(json_object_get(recorded, "organizations")), 1);
    cr_assert_eq(json_integer_value(json_object_get(recorded, "endorsements")), 1);
    cr_assert_not(participates(s, "org:oic"));
    json_t *reported = json_object_get(json_object_get(s, "counts"), "reported");
    cr_assert_str_eq(json_string_value(json_object_get(reported, "as_of")), "2019-07-15");
    cr_assert_eq(json_integer_value(json_object_get(reported, "count")), 80);
    cr_assert_str_eq(json_string_value(json_object_get(s, "summary")), "recorded 7, reported about 80 as of 2019-07-15");
    json_decref(s);
    s = status("2018-09-28");
    cr_assert_str_eq(json_string_value(json_object_get(s, "summary")), "recorded 6, reported more than 70 as of 2018-09-28");
    json_decref(s);
}

Test(depositary, notifications_are_numbered_per_year_in_recording_order)
{
    json_t *list;
    cr_assert_eq(depositary_list_notifications(db, "code-of-conduct", &list), 0);
    cr_assert_eq(json_array_size(list), 8, "one notification per demo action");
    int n2018 = 0, n2019 = 0;
    size_t i;
    json_t *n;
    json_array_foreach(list, i, n)
    {
        int year = (int)json_integer_value(json_object_get(n, "year"));
        int k = (int)json_integer_value(json_object_get(n, "n"));
        cr_assert_eq(k, year == 2018 ? ++n2018 : ++n2019, "numbers run 1, 2, ... within a year");
        char want[64];
        snprintf(want, sizeof want, "code-of-conduct/%d/%d", year, k);
        cr_assert_str_eq(json_string_value(json_object_get(n, "number")), want);
    }
    cr_assert_eq(n2018, 6);
    cr_assert_eq(n2019, 2);
    json_decref(list);

    cr_assert_eq(record("FRA", "signature", "2019-01-10", NULL), 0);
    cr_assert_eq(depositary_list_notifications(db, "code-of-conduct", &list), 0);
    json_t *last = json_array_get(list, json_array_size(list) - 1);
    cr_assert_str_eq(json_string_value(json_object_get(last, "number")), "code-of-conduct/2019/3");
    const char *text = json_string_value(json_object_get(last, "text"));
    cr_assert(strstr(text, "On 10 January 2019, France signed the Code of Conduct") == text, "%s", text);
    cr_assert(strstr(text, "Source: test fixture."), "%s", text);
    json_decref(list);
}

Test(depositary, notification_text_says_on_or_before_for_bounded_dates)
{
    json_t *list;
    cr_assert_eq(depositary_list_notifications(db, "code-of-conduct", &list), 0);
    size_t i;
    json_t *n;
    bool seen = false;
    json_array_foreach(list, i, n)
    {
        if (strcmp(json_string_value(json_object_get(n, "party")), "VCT") == 0) {
            const char *text = json_string_value(json_object_get(n, "text"));
            cr_assert(strstr(text, "On or before 15 July 2019, Saint Vincent and the Grenadines signed") == text, "%s", text);
            seen = true;
        }
    }
    cr_assert(seen);
    json_decref(list);
}

/* The text of the last notification of the Code. */
static char *last_notification_text(void)
{
    json_t *list;
    cr_assert_eq(depositary_list_notifications(db, "code-of-conduct", &list), 0);
    char *text = strdup(json_string_value(json_object_get(json_array_get(list, json_array_size(list) - 1), "text")));
    json_decref(list);
    return text;
}

Test(depositary, notification_text_names_parties_as_at_the_action_date)
{
    json_t *rename = json_pack("{s:s, s:s, s:s, s:{s:s}}", "party", "FRA", "name", "Republic of Gaul", "from",
                               "2020-01-01", "source", "title", "test fixture");
    cr_assert_eq(events_submit(db, &ACTOR_OPERATOR, "party.renamed", rename, NULL), 0, "%s", accord_error_message());
    json_decref(rename);

    cr_assert_eq(record("FRA", "declaration", "2019-06-01", NULL), 0, "%s", accord_error_message());
    char *text = last_notification_text();
    cr_assert(strstr(text, "On 1 June 2019, France made a declaration concerning the Code of Conduct") == text, "%s",
              text);
    free(text);

    json_t *data = json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:s}}", "instrument", "code-of-conduct", "party", "DEU",
                             "type", "declaration", "date", "2020-02-01", "on_behalf_of", "FRA", "source", "title",
                             "test fixture");
    cr_assert_eq(events_submit(db, &ACTOR_OPERATOR, "action.recorded", data, NULL), 0, "%s", accord_error_message());
    json_decref(data);
    text = last_notification_text();
    cr_assert(strstr(text, "Germany made a declaration concerning the Code of Conduct") &&
              strstr(text, " on behalf of Republic of Gaul."), "%s", text);
    free(text);

    /* Acting for itself names no one else; an unknown party is refused. */
    data = json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:s}}", "instrument", "code-of-conduct", "party", "DEU", "type",
                     "declaration", "date", "2020-02-02", "on_behalf_of", "DEU", "source", "title", "test fixture");
    cr_assert_eq(events_submit(db, &ACTOR_OPERATOR, "action.recorded", data, NULL), 0, "%s", accord_error_message());
    json_decref(data);
    text = last_notification_text();
    cr_assert_null(strstr(text, "on behalf of"), "%s", text);
    free(text);
    refused(ACCORD_ERULE, "party", "XXX", "declaration", "2020-02-03");
}

Test(depositary, the_schema_refuses_an_unknown_action_type_or_rating)
{
    /* Below the appliers, the tables' CHECK constraints hold too. */
    const char *insert = "INSERT INTO action (instrument, party, type, date, date_precision, source_title, confidence,"
                         " notification, notification_year, notification_n, notification_text, seq)"
                         " VALUES ('code-of-conduct', 'KAZ', ?, '2020-01-01', 'day', 's', 'stated', ?, 1999, ?, 't', 0)";
    cr_assert_eq(store_begin(db), 0);
    cr_assert_eq(store_run(db, insert, "ssi", "bogus", "x/1999/1", (int64_t)1), ACCORD_ECONFLICT);
    cr_assert_eq(store_run(db, insert, "ssi", "Declaration", "x/1999/1", (int64_t)1), ACCORD_ECONFLICT);
    cr_assert_eq(store_run(db, insert, "ssi", "declaration", "x/1999/1", (int64_t)1), 0, "%s", accord_error_message());
    cr_assert_eq(store_run(db, "INSERT INTO rating (instrument, cycle, party, provision, version, rating, rationale, seq)"
                               " VALUES ('code-of-conduct', 'c', 'KAZ', 1, 1, 'mostly', 'r', 0)", ""),
                 ACCORD_ECONFLICT);
    store_rollback(db);
}

static json_t *coverage(const char *as_of)
{
    json_t *v;
    cr_assert_eq(depositary_group_coverage(db, "turkic-council", "code-of-conduct", as_of, &v), 0, "%s",
                 accord_error_message());
    return v;
}

static bool codes_are(json_t *arr, const char *const *want, size_t n)
{
    if (json_array_size(arr) != n)
        return false;
    for (size_t i = 0; i < n; i++) {
        bool found = false;
        size_t j;
        json_t *x;
        json_array_foreach(arr, j, x)
        {
            const char *code = json_is_string(x) ? json_string_value(x) : json_string_value(json_object_get(x, "code"));
            if (strcmp(code, want[i]) == 0)
                found = true;
        }
        if (!found)
            return false;
    }
    return true;
}

Test(depositary, coverage_of_the_turkic_council)
{
    static const char *const founders[] = {"AZE", "KAZ", "KGZ", "TUR"};
    static const char *const hun[] = {"HUN"};
    static const char *const uzb[] = {"UZB"};
    json_t *c = coverage("2018-09-28");
    cr_assert(codes_are(json_object_get(c, "members"), founders, 4));
    cr_assert(codes_are(json_object_get(c, "observers"), hun, 1));
    json_t *cov = json_object_get(c, "coverage");
    cr_assert(json_is_true(json_object_get(cov, "all_members_participating")));
    cr_assert_str_eq(json_string_value(json_object_get(cov, "all_members_since")), "2018-09-28");
    cr_assert(codes_are(json_object_get(cov, "observers_not_participating"), hun, 1));
    cr_assert_str_eq(json_string_value(json_object_get(c, "name")),
                     "Cooperation Council of Turkic Speaking States (Turkic Council)");
    json_decref(c);

    c = coverage("2019-10-16");
    cov = json_object_get(c, "coverage");
    cr_assert_eq(json_array_size(json_object_get(c, "members")), 5);
    cr_assert(codes_are(json_object_get(cov, "not_participating"), uzb, 1));
    cr_assert(json_is_false(json_object_get(cov, "all_members_participating")));
    cr_assert(json_is_null(json_object_get(cov, "all_members_since")));
    json_decref(c);

    c = coverage("2018-09-27");
    cov = json_object_get(c, "coverage");
    cr_assert_eq(json_integer_value(json_object_get(cov, "members_participating")), 0);
    json_decref(c);

    c = coverage("2022-01-01");
    cr_assert_str_eq(json_string_value(json_object_get(c, "name")), "Organization of Turkic States");
    json_decref(c);
}

Test(depositary, status_csv_has_one_row_per_participant)
{
    json_t *s = status("2018-09-28");
    buf csv;
    buf_init(&csv, 1 << 20);
    cr_assert_eq(depositary_status_csv(s, &csv), 0);
    int rows = 0;
    for (const char *p = csv.data; (p = strstr(p, "\r\n")); p += 2)
        rows++;
    cr_assert_eq(rows, 1 + 6, "a header and six participants");
    cr_assert(strstr(csv.data, "\"inferred: the source says all member states of the Turkic Council signed; "
                               "membership on that date was AZE, KAZ, KGZ, TUR\""),
              "fields with commas are quoted");
    buf_free(&csv);
    json_decref(s);
}

Test(depositary, status_refuses_bad_dates_and_unknown_instruments)
{
    json_t *v;
    cr_assert_eq(depositary_status(db, "code-of-conduct", "2018-02-30", &v), ACCORD_EINVAL);
    cr_assert_str_eq(accord_error_field(), "as_of");
    cr_assert_eq(depositary_status(db, "nope", "2018-02-20", &v), ACCORD_ENOTFOUND);
}

/* The participant count of status(as_of), recorded only. */
static long long recorded_count(const char *as_of)
{
    json_t *s = status(as_of);
    long long n = json_integer_value(json_object_get(json_object_get(json_object_get(s, "counts"), "recorded"), "participants"));
    json_decref(s);
    return n;
}

Test(depositary, participant_counts_agree_with_the_status_on_every_date)
{
    cr_assert_eq(record("FRA", "signature", "2019-01-10", NULL), 0, "%s", accord_error_message());
    cr_assert_eq(record("FRA", "withdrawal", "2020-03-01", NULL), 0, "%s", accord_error_message());
    cr_assert_eq(record("FRA", "accession", "2021-05-05", NULL), 0, "%s", accord_error_message());
    json_t *v;
    cr_assert_eq(depositary_participant_counts(db, "code-of-conduct", "2022-01-01", &v), 0, "%s", accord_error_message());
    json_t *counts = json_object_get(v, "counts");
    /* 6 on the opening day, FRA, VCT, FRA's withdrawal, FRA's accession. */
    static const char *const dates[] = {"2018-09-28", "2019-01-10", "2019-07-15", "2020-03-01", "2021-05-05"};
    static const long long want[] = {6, 7, 8, 7, 8};
    cr_assert_eq(json_array_size(counts), 5, "%s", json_dumps(counts, 0));
    for (size_t i = 0; i < 5; i++) {
        json_t *c = json_array_get(counts, i);
        cr_assert_str_eq(json_string_value(json_object_get(c, "date")), dates[i]);
        cr_assert_eq(json_integer_value(json_object_get(c, "count")), want[i], "%s", dates[i]);
        cr_assert_eq(json_integer_value(json_object_get(c, "count")), recorded_count(dates[i]), "%s", dates[i]);
    }
    /* The reported totals, in date order, never added to the counts. */
    json_t *reported = json_object_get(v, "reported");
    cr_assert_eq(json_array_size(reported), 2);
    cr_assert_eq(json_integer_value(json_object_get(json_array_get(reported, 0), "count")), 70);
    cr_assert_eq(json_integer_value(json_object_get(json_array_get(reported, 1), "count")), 80);
    json_decref(v);

    cr_assert_eq(depositary_participant_counts(db, "code-of-conduct", "2018-09-28", &v), 0);
    cr_assert_eq(json_array_size(json_object_get(v, "counts")), 1);
    cr_assert_eq(json_array_size(json_object_get(v, "reported")), 1);
    json_decref(v);
    cr_assert_eq(depositary_participant_counts(db, "code-of-conduct", "2018-02-30", &v), ACCORD_EINVAL);
    cr_assert_eq(depositary_participant_counts(db, "nope", "2018-09-28", &v), ACCORD_ENOTFOUND);
}

Test(depositary, a_territory_is_counted_apart_from_the_states)
{
    json_t *grl;
    cr_assert_eq(registry_get_party(db, "GRL", &grl), 0, "%s", accord_error_message());
    cr_assert_str_eq(json_string_value(json_object_get(grl, "kind")), "territory");
    json_decref(grl);
    cr_assert_eq(record("GRL", "signature", "2019-01-10", NULL), 0, "%s", accord_error_message());
    json_t *s = status("2019-01-10");
    json_t *recorded = json_object_get(json_object_get(s, "counts"), "recorded");
    cr_assert_eq(json_integer_value(json_object_get(recorded, "states")), 5, "the five states of 2018-09-28; the territory is not one");
    cr_assert_eq(json_integer_value(json_object_get(recorded, "territories")), 1);
    cr_assert_eq(json_integer_value(json_object_get(recorded, "participants")), 7);
    json_decref(s);
    json_t *v;
    cr_assert_eq(depositary_participant_counts(db, "code-of-conduct", "2019-01-10", &v), 0);
    json_t *last = json_array_get(json_object_get(v, "counts"), 1);
    cr_assert_eq(json_integer_value(json_object_get(last, "territories")), 1);
    cr_assert_eq(json_integer_value(json_object_get(last, "count")), 7);
    json_decref(v);
}
