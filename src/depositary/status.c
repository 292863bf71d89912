/* Read views: status as at a date, actions, notifications, coverage. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "depositary/depositary.h"
#include "depositary/depositary_int.h"
#include "registry/registry.h"
#include "store/lookup.h"
#include "store/row_json.h"
#include "tabular/tabular.h"
#include "util/clock.h"
#include "util/date.h"
#include "util/error.h"
#include "util/json.h"

/* An action with its party's kind and name as at the action's date, read
 * in the same query (one join, not one lookup per row). */
#define ACTION_COLUMNS                                                                                        \
    "a.id, a.instrument, a.party, a.type, a.date, a.date_precision, a.place, a.signer_name, a.signer_title," \
    " a.on_behalf_of, a.note, a.source_title, a.source_url, a.confidence, a.notification, a.notification_text," \
    " a.event, p.kind, " REGISTRY_NAME_AT("p", "a.date") " FROM action a JOIN party p ON p.code = a.party"

static const char *const action_keys[] = {"id",           "instrument",   "party",        "type",
                                          "date",         "date_precision", "place",      "signer_name",
                                          "signer_title", "on_behalf_of", "note",         "source_title",
                                          "source_url",   "confidence",   "notification", "notification_text",
                                          "event",        "party_kind",   "party_name",   NULL};

/* The public shape of an action row: party as a brief {code, kind, name}
 * (named as at the action's date), signer as an object, and a display date. */
static json_t *action_json(store_stmt *st)
{
    json_t *a = registry_row_json(st, action_keys);
    const char *date = json_string_value(json_object_get(a, "date"));
    const char *precision = json_string_value(json_object_get(a, "date_precision"));
    char when[40], shown[60];
    date_long(date, when, sizeof when);
    snprintf(shown, sizeof shown, "%s%s", strcmp(precision, "on_or_before") == 0 ? "on or before " : "", when);
    json_object_set_new(a, "date_display", json_string(shown));

    json_t *party = json_pack("{s:O, s:O, s:O}", "code", json_object_get(a, "party"), "kind",
                              json_object_get(a, "party_kind"), "name", json_object_get(a, "party_name"));
    json_object_set_new(a, "party", party);
    json_object_del(a, "party_kind");
    json_object_del(a, "party_name");

    json_t *name = json_object_get(a, "signer_name"), *title = json_object_get(a, "signer_title");
    json_t *signer = json_null();
    if (!json_is_null(name) || !json_is_null(title))
        signer = json_pack("{s:O, s:O}", "name", name, "title", title);
    json_object_set_new(a, "signer", signer);
    json_object_del(a, "signer_name");
    json_object_del(a, "signer_title");
    /* The event it happened at, only when one is named. */
    if (json_is_null(json_object_get(a, "event")))
        json_object_del(a, "event");
    json_t *n = json_pack("{s:O, s:O}", "number", json_object_get(a, "notification"), "text",
                          json_object_get(a, "notification_text"));
    json_object_set_new(a, "notification", n);
    json_object_del(a, "notification_text");
    return a;
}

/* Runs an action query and collects action_json() of each row. */
static int actions_json(store_stmt *st, json_t **out)
{
    json_t *arr = json_array();
    int rc;
    while ((rc = store_step(st)) == STORE_ROW)
        json_array_append_new(arr, action_json(st));
    store_stmt_close(st);
    if (rc < 0) {
        json_decref(arr);
        return rc;
    }
    *out = arr;
    return ACCORD_OK;
}

static int check_instrument(store *db, const char *slug)
{
    char opened[11];
    return registry_instrument_opened(db, slug, "slug", opened);
}

/* Participation as at 'as_of': an object keyed by party code, each value
 * {"participant": bool, "since": action or null, "actions": [...]}. The
 * actions are walked in date order; a joining action makes the party a
 * participant from its date (a bounded date counts from its bound) and a
 * withdrawal ends it. */
static int participation(store *db, const char *slug, const char *as_of, json_t **out)
{
    store_stmt *st;
    json_t *actions, *map = json_object();
    int rc = store_query(db, &st,
                         "SELECT " ACTION_COLUMNS " WHERE a.instrument = ? AND a.date <= ?"
                         " ORDER BY a.date, a.id",
                         "ss", slug, as_of);
    if (!rc)
        rc = actions_json(st, &actions);
    if (rc) {
        json_decref(map);
        return rc;
    }
    size_t i;
    json_t *a;
    json_array_foreach(actions, i, a)
    {
        const char *code = json_string_value(json_object_get(json_object_get(a, "party"), "code"));
        const char *type = json_string_value(json_object_get(a, "type"));
        json_t *p = json_object_get(map, code);
        if (!p) {
            p = json_pack("{s:b, s:n, s:[]}", "participant", 0, "since", "actions");
            json_object_set_new(map, code, p);
        }
        json_array_append(json_object_get(p, "actions"), a);
        if (depositary_type_joins(type) && !json_is_true(json_object_get(p, "participant"))) {
            json_object_set_new(p, "participant", json_true());
            json_object_set(p, "since", a);
        } else if (strcmp(type, "withdrawal") == 0) {
            json_object_set_new(p, "participant", json_false());
            json_object_set(p, "withdrawn", a);
        }
    }
    json_decref(actions);
    *out = map;
    return ACCORD_OK;
}

static int compare_since(const void *x, const void *y)
{
    json_t *a = *(json_t *const *)x, *b = *(json_t *const *)y;
    const char *da = json_string_value(json_object_get(a, "since"));
    const char *db = json_string_value(json_object_get(b, "since"));
    int c = strcmp(da ? da : "", db ? db : "");
    if (c)
        return c;
    return strcmp(json_string_value(json_object_get(json_object_get(a, "party"), "code")),
                  json_string_value(json_object_get(json_object_get(b, "party"), "code")));
}

/* Sorts a JSON array of participant entries by joining date, then code. */
static void sort_by_since(json_t *arr)
{
    size_t n = json_array_size(arr);
    if (n < 2)
        return;
    json_t **items = malloc(n * sizeof *items);
    if (!items)
        return;
    for (size_t i = 0; i < n; i++)
        items[i] = json_incref(json_array_get(arr, i));
    qsort(items, n, sizeof *items, compare_since);
    json_array_clear(arr);
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, items[i]);
    free(items);
}

/* The latest reported total on or before 'as_of', or null. */
static int latest_reported(store *db, const char *slug, const char *as_of, json_t **out)
{
    static const char *const keys[] = {"as_of", "qualifier", "count", "of", "source_title", "source_url", NULL};
    store_stmt *st;
    int rc = store_first_row(db, &st,
                             "SELECT as_of, qualifier, count, of_what, source_title, source_url FROM reported_total"
                             " WHERE instrument = ? AND as_of <= ? ORDER BY as_of DESC, id DESC LIMIT 1",
                             "ss", slug, as_of);
    *out = rc == STORE_ROW ? registry_row_json(st, keys) : json_null();
    store_stmt_close(st);
    if (rc < 0) {
        json_decref(*out);
        return rc;
    }
    if (json_is_object(*out)) {
        const char *q = json_string_value(json_object_get(*out, "qualifier"));
        char text[64];
        snprintf(text, sizeof text, "%s%s%lld", q ? q : "", q ? " " : "",
                 (long long)json_integer_value(json_object_get(*out, "count")));
        json_object_set_new(*out, "text", json_string(text));
    }
    return ACCORD_OK;
}

static int known_gaps(store *db, const char *slug, json_t **out)
{
    static const char *const keys[] = {"party", "why", "source_title", "source_url", NULL};
    store_stmt *st;
    int rc = store_query(db, &st, "SELECT party, why, source_title, source_url FROM known_gap WHERE instrument = ? ORDER BY id",
                         "s", slug);
    return rc ? rc : registry_rows_json(st, keys, out);
}

int depositary_status(store *db, const char *slug, const char *as_of, json_t **out)
{
    char today[11];
    if (!as_of) {
        clock_today(today);
        as_of = today;
    }
    int rc = date_check(as_of, "as_of");
    json_t *inst = NULL, *map = NULL, *reported = NULL, *gaps = NULL;
    if (!rc) rc = registry_get_instrument(db, slug, &inst);
    if (!rc) rc = participation(db, slug, as_of, &map);
    if (!rc) rc = latest_reported(db, slug, as_of, &reported);
    if (!rc) rc = known_gaps(db, slug, &gaps);
    if (rc) {
        json_decref(inst);
        json_decref(map);
        json_decref(reported);
        return rc;
    }
    json_t *participants = json_array(), *former = json_array(), *endorsements = json_array();
    int states = 0, orgs = 0, territories = 0;
    const char *code;
    json_t *p;
    json_object_foreach(map, code, p)
    {
        json_t *actions = json_object_get(p, "actions");
        json_t *first = json_array_get(actions, 0);
        json_t *entry = json_pack("{s:O}", "party", json_object_get(first, "party"));
        if (json_is_true(json_object_get(p, "participant"))) {
            /* The action that made the party a participant, as of now. */
            json_t *since = json_object_get(p, "since");
            json_object_set(entry, "since", json_object_get(since, "date"));
            json_object_set(entry, "since_display", json_object_get(since, "date_display"));
            json_object_set(entry, "date_precision", json_object_get(since, "date_precision"));
            json_object_set(entry, "joined_by", json_object_get(json_object_get(since, "notification"), "number"));
            json_object_set(entry, "actions", actions);
            json_array_append(participants, entry);
            /* A territory (an ISO 3166-1 area that is not a UN member or
             * observer State) is counted as neither a state nor an
             * organization. */
            const char *kind = json_string_value(json_object_get(json_object_get(first, "party"), "kind"));
            if (strncmp(code, "org:", 4) == 0)
                orgs++;
            else if (kind && strcmp(kind, "territory") == 0)
                territories++;
            else
                states++;
        } else if (json_object_get(p, "withdrawn")) {
            json_object_set(entry, "withdrawn", json_object_get(json_object_get(p, "withdrawn"), "date"));
            json_object_set(entry, "actions", actions);
            json_array_append(former, entry);
        }
        size_t i;
        json_t *a;
        json_array_foreach(actions, i, a) if (strcmp(json_string_value(json_object_get(a, "type")), "endorsement") == 0)
            json_array_append(endorsements, a);
        json_decref(entry);
    }
    json_decref(map);
    sort_by_since(participants);

    int recorded = states + orgs + territories;
    char summary[200];
    if (json_is_object(reported))
        snprintf(summary, sizeof summary, "recorded %d, reported %s as of %s", recorded,
                 json_string_value(json_object_get(reported, "text")),
                 json_string_value(json_object_get(reported, "as_of")));
    else
        snprintf(summary, sizeof summary, "recorded %d; no reported total by this date", recorded);

    json_t *brief = json_pack("{s:O, s:O, s:O, s:O, s:O, s:O}", "slug", json_object_get(inst, "slug"), "title",
                              json_object_get(inst, "title"), "opened_on", json_object_get(inst, "opened_on"),
                              "goal_year", json_object_get(inst, "goal_year"), "completeness_note",
                              json_object_get(inst, "completeness_note"), "source", json_object_get(inst, "source"));
    *out = json_pack("{s:o, s:s, s:o, s:o, s:o, s:{s:{s:i, s:i, s:i, s:i, s:i}, s:o}, s:s, s:o}", "instrument", brief, "as_of",
                     as_of, "participants", participants, "endorsements", endorsements, "former_participants", former,
                     "counts", "recorded", "participants", recorded, "states", states, "organizations", orgs,
                     "territories", territories,
                     "endorsements", (int)json_array_size(endorsements), "reported", reported, "summary", summary,
                     "known_gaps", gaps);
    json_decref(inst);
    return *out ? ACCORD_OK : accord_fail(ACCORD_ENOMEM, NULL, "out of memory");
}

/* The party whose rows are being read, while its latest row joins. */
typedef struct pending_party {
    char code[65], kind[16], name[REGISTRY_MAX_NAME + 1];
    bool joined;
} pending_party;

int depositary_each_participant(store *db, const char *slug, const char *as_of, depositary_participant_fn each,
                                void *arg)
{
    store_stmt *st;
    /* As participation(): each party's latest deciding action on or before
     * the date tells whether it participates. The rows come per party in
     * date order, so the last row of each party decides (a window function
     * doing the same in SQL costs twice as much). */
    int rc = store_query(db, &st,
                         "SELECT a.party, a.type, p.kind, " REGISTRY_NAME_AS_AT("p") " FROM action a"
                         " JOIN party p ON p.code = a.party WHERE a.instrument = ? AND a.date <= ?"
                         " AND a.type IN (" DEPOSITARY_DECIDING_TYPES ") ORDER BY a.party, a.date, a.id",
                         "sss", as_of, slug, as_of);
    if (rc)
        return rc;
    pending_party p = {.joined = false};
    while ((rc = store_step(st)) == STORE_ROW) {
        const char *code = store_col_text(st, 0);
        if (p.joined && strcmp(p.code, code) != 0 && (rc = each(arg, p.code, p.kind, p.name)))
            break; /* the previous party's last row joined */
        snprintf(p.code, sizeof p.code, "%s", code);
        snprintf(p.kind, sizeof p.kind, "%s", store_col_text(st, 2));
        snprintf(p.name, sizeof p.name, "%s", store_col_text(st, 3));
        p.joined = strcmp(store_col_text(st, 1), "withdrawal") != 0;
    }
    store_stmt_close(st);
    if (rc == STORE_DONE && p.joined)
        rc = each(arg, p.code, p.kind, p.name);
    return rc < 0 ? rc : ACCORD_OK;
}

/* Appends {"date", "count", "states", "organizations", "territories"} to
 * 'counts' unless the last entry already holds the same count. */
static void append_count(json_t *counts, const char *date, int states, int orgs, int territories)
{
    json_t *last = json_array_get(counts, json_array_size(counts) - 1);
    int n = states + orgs + territories;
    if (last && json_integer_value(json_object_get(last, "count")) == n)
        return;
    json_array_append_new(counts, json_pack("{s:s, s:i, s:i, s:i, s:i}", "date", date, "count", n, "states", states,
                                            "organizations", orgs, "territories", territories));
}

/* Walks the deciding actions in date order, keeping who participates in
 * 'in' (code -> true), and appends the count at the end of each date. */
static int count_by_date(store *db, const char *slug, const char *to, json_t *counts)
{
    store_stmt *st;
    int rc = store_query(db, &st,
                         "SELECT a.party, a.type, a.date, p.kind FROM action a JOIN party p ON p.code = a.party"
                         " WHERE a.instrument = ? AND a.date <= ?"
                         " AND a.type IN (" DEPOSITARY_DECIDING_TYPES ") ORDER BY a.date, a.id",
                         "ss", slug, to);
    if (rc)
        return rc;
    json_t *in = json_object();
    int states = 0, orgs = 0, territories = 0;
    char date[11] = "";
    while ((rc = store_step(st)) == STORE_ROW) {
        const char *code = store_col_text(st, 0), *d = store_col_text(st, 2);
        if (*date && strcmp(date, d) != 0)
            append_count(counts, date, states, orgs, territories);
        snprintf(date, sizeof date, "%s", d);
        bool was = json_is_true(json_object_get(in, code));
        bool now = strcmp(store_col_text(st, 1), "withdrawal") != 0;
        const char *kind = store_col_text(st, 3);
        int *n = strcmp(kind, "organization") == 0 ? &orgs : strcmp(kind, "state") == 0 ? &states : &territories;
        *n += (int)now - (int)was;
        json_object_set_new(in, code, json_boolean(now));
    }
    store_stmt_close(st);
    json_decref(in);
    if (rc == STORE_DONE && *date)
        append_count(counts, date, states, orgs, territories);
    return rc < 0 ? rc : ACCORD_OK;
}

int depositary_participant_counts(store *db, const char *slug, const char *to, json_t **out)
{
    static const char *const keys[] = {"as_of", "qualifier", "count", "source_title", "source_url", NULL};
    char today[11];
    if (!to) {
        clock_today(today);
        to = today;
    }
    int rc = date_check(to, "to");
    if (!rc)
        rc = check_instrument(db, slug);
    json_t *counts = json_array(), *reported = NULL;
    if (!rc)
        rc = count_by_date(db, slug, to, counts);
    store_stmt *st;
    if (!rc)
        rc = store_query(db, &st,
                         "SELECT as_of, qualifier, count, source_title, source_url FROM reported_total"
                         " WHERE instrument = ? AND as_of <= ? ORDER BY as_of, id",
                         "ss", slug, to);
    if (!rc)
        rc = registry_rows_json(st, keys, &reported);
    if (rc) {
        json_decref(counts);
        return rc;
    }
    *out = json_pack("{s:o, s:o}", "counts", counts, "reported", reported);
    return *out ? ACCORD_OK : accord_fail(ACCORD_ENOMEM, NULL, "out of memory");
}

/* Appends one CSV field and its separator: quoted when it needs to be
 * (RFC 4180), and never read as a formula by a spreadsheet. */
static int csv_field(buf *out, const char *s, bool last)
{
    int rc = tabular_csv_cell(out, s ? s : "");
    return rc ? rc : buf_puts(out, last ? "\r\n" : ",");
}

static const char *str(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

json_t *depositary_joining_action(const json_t *participant)
{
    const char *number = str(participant, "joined_by");
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(participant, "actions"), i, a)
    {
        if (number && strcmp(str(json_object_get(a, "notification"), "number"), number) == 0)
            return a;
    }
    return NULL;
}

int depositary_status_csv(const json_t *status, buf *out)
{
    static const char *const header[] = {"party",        "kind",        "name",         "action",
                                         "date",         "date_precision", "place",     "signer_name",
                                         "signer_title", "on_behalf_of", "confidence",  "source_title",
                                         "source_url",   "notification", NULL};
    int rc = ACCORD_OK;
    for (int i = 0; header[i] && !rc; i++)
        rc = csv_field(out, header[i], !header[i + 1]);
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(status, "participants"), i, p)
    {
        json_t *a = depositary_joining_action(p);
        json_t *party = json_object_get(p, "party"), *signer = json_object_get(a, "signer");
        json_t *src = json_object_get(a, "source");
        const char *row[] = {str(party, "code"),         str(party, "kind"),         str(party, "name"),
                             str(a, "type"),             str(a, "date"),             str(a, "date_precision"),
                             str(a, "place"),            str(signer, "name"),        str(signer, "title"),
                             str(a, "on_behalf_of"),     str(a, "confidence"),       str(src, "title"),
                             str(src, "url"),            str(json_object_get(a, "notification"), "number")};
        size_t n = sizeof row / sizeof row[0];
        for (size_t k = 0; k < n && !rc; k++)
            rc = csv_field(out, row[k], k + 1 == n);
    }
    return rc;
}

int depositary_list_actions(store *db, const char *slug, json_t **out)
{
    store_stmt *st;
    int rc = check_instrument(db, slug);
    if (!rc)
        rc = store_query(db, &st, "SELECT " ACTION_COLUMNS " WHERE a.instrument = ? ORDER BY a.date, a.id",
                         "s", slug);
    return rc ? rc : actions_json(st, out);
}

int depositary_action_by_seq(store *db, uint64_t seq, json_t **out)
{
    store_stmt *st;
    json_t *list;
    int rc = store_query(db, &st, "SELECT " ACTION_COLUMNS " WHERE a.seq = ?", "i", (int64_t)seq);
    if (!rc)
        rc = actions_json(st, &list);
    if (rc)
        return rc;
    *out = json_incref(json_array_get(list, 0));
    json_decref(list);
    return *out ? ACCORD_OK : accord_fail(ACCORD_ENOTFOUND, NULL, "log entry %llu recorded no action", (unsigned long long)seq);
}

int depositary_list_notifications(store *db, const char *slug, json_t **out)
{
    static const char *const keys[] = {"number", "year", "n", "date", "date_precision", "party", "type", "text", "seq", NULL};
    store_stmt *st;
    int rc = check_instrument(db, slug);
    if (!rc)
        rc = store_query(db, &st,
                         "SELECT notification, notification_year, notification_n, date, date_precision, party, type,"
                         " notification_text, seq FROM action WHERE instrument = ?"
                         " ORDER BY notification_year, notification_n",
                         "s", slug);
    return rc ? rc : store_rows_json(st, keys, out);
}

int depositary_party_actions(store *db, const char *code, json_t **out)
{
    store_stmt *st;
    int rc = store_query(db, &st, "SELECT " ACTION_COLUMNS " WHERE a.party = ? ORDER BY a.date, a.id", "s",
                         code);
    return rc ? rc : actions_json(st, out);
}

/* Adds each member's participation to 'members' and returns whether all
 * participate and, if so, the latest joining date among them. */
static void mark_participation(json_t *members, json_t *map, bool *all, const char **complete_since, json_t *yes,
                               json_t *no)
{
    size_t i;
    json_t *m;
    json_array_foreach(members, i, m)
    {
        json_t *p = json_object_get(map, str(m, "code"));
        bool in = p && json_is_true(json_object_get(p, "participant"));
        json_object_set_new(m, "participant", json_boolean(in));
        json_t *since = in ? json_object_get(p, "since") : NULL;
        json_object_set_new(m, "since", since ? json_string(str(since, "date")) : json_null());
        json_object_set_new(m, "since_display", since ? json_string(str(since, "date_display")) : json_null());
        json_object_set_new(m, "action", since ? json_string(str(since, "type")) : json_null());
        json_array_append_new(in ? yes : no, json_string(str(m, "code")));
        if (!in)
            *all = false;
        else if (!*complete_since || strcmp(str(since, "date"), *complete_since) > 0)
            *complete_since = str(since, "date");
    }
}

/* Splits the rows of registry_group_members() into members and observers. */
static void split_roles(json_t *rows, json_t *members, json_t *observers)
{
    size_t i;
    json_t *m;
    json_array_foreach(rows, i, m) json_array_append(strcmp(str(m, "role"), "observer") == 0 ? observers : members, m);
}

int depositary_group_coverage(store *db, const char *group, const char *slug, const char *as_of, json_t **out)
{
    char today[11];
    if (!as_of) {
        clock_today(today);
        as_of = today;
    }
    json_t *brief = NULL, *rows = NULL, *map = NULL;
    int rc = date_check(as_of, "as_of");
    if (!rc) rc = registry_group_brief(db, group, as_of, &brief);
    if (!rc) rc = registry_group_members(db, group, as_of, &rows);
    if (!rc && slug) {
        rc = check_instrument(db, slug);
        if (rc == ACCORD_ENOTFOUND)
            rc = accord_fail(ACCORD_ENOTFOUND, "instrument", "instrument: no instrument '%s'", slug);
        if (!rc)
            rc = participation(db, slug, as_of, &map);
    }
    if (rc) {
        json_decref(brief);
        json_decref(rows);
        return rc;
    }
    json_t *members = json_array(), *observers = json_array();
    split_roles(rows, members, observers);
    json_decref(rows);
    json_object_set_new(brief, "as_of", json_string(as_of));
    json_object_set_new(brief, "members", members);
    json_object_set_new(brief, "observers", observers);
    if (map) {
        bool all = json_array_size(members) > 0, all_obs = true;
        const char *since = NULL, *obs_since = NULL;
        json_t *yes = json_array(), *no = json_array(), *obs_yes = json_array(), *obs_no = json_array();
        mark_participation(members, map, &all, &since, yes, no);
        mark_participation(observers, map, &all_obs, &obs_since, obs_yes, obs_no);
        json_object_set_new(brief, "instrument", json_string(slug));
        json_object_set_new(brief, "coverage",
                            json_pack("{s:i, s:i, s:b, s:s?, s:o, s:o, s:o, s:o}", "members",
                                      (int)json_array_size(members), "members_participating",
                                      (int)json_array_size(yes), "all_members_participating", all,
                                      "all_members_since", all ? since : NULL, "participating", yes,
                                      "not_participating", no, "observers_participating", obs_yes,
                                      "observers_not_participating", obs_no));
        json_decref(map);
    }
    *out = brief;
    return ACCORD_OK;
}
