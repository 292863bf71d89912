/* The action.recorded, reported_total.recorded and gap.recorded appliers:
 * the depositary's rules, and the notification each action receives. */
#include <stdio.h>
#include <string.h>

#include "depositary/depositary.h"
#include "depositary/depositary_int.h"
#include "events/appliers.h"
#include "registry/registry.h"
#include "store/lookup.h"
#include "util/clock.h"
#include "store/lookup.h"
#include "util/date.h"
#include "util/error.h"
#include "util/json.h"

static const struct {
    const char *type;
    const char *verb; /* for notification texts: "<party> <verb> <title>" */
    bool joins;       /* makes the party a participant */
} action_types[] = {
    {"signature", "signed", true},
    {"accession", "acceded to", true},
    {"ratification", "ratified", true},
    {"acceptance", "accepted", true},
    {"approval", "approved", true},
    {"succession", "succeeded to", true},
    {"endorsement", "endorsed", false},
    {"withdrawal", "withdrew from", false},
    {"declaration", "made a declaration concerning", false},
};

static int type_index(const char *type)
{
    for (size_t i = 0; i < sizeof action_types / sizeof action_types[0]; i++)
        if (type && strcmp(action_types[i].type, type) == 0)
            return (int)i;
    return -1;
}

bool depositary_action_type_valid(const char *type) { return type_index(type) >= 0; }

bool depositary_type_joins(const char *type)
{
    int i = type_index(type);
    return i >= 0 && action_types[i].joins;
}

/* Whether 'party' participates in 'slug' on 'date' (inclusive): its latest
 * joining or withdrawal action on or before the date decides. */
int depositary_participates(store *db, const char *slug, const char *party, const char *date, bool *out)
{
    char type[32];
    int rc = store_one_text(db, type, sizeof type,
                            "SELECT type FROM action WHERE instrument = ? AND party = ? AND date <= ?"
                            " AND type IN (" DEPOSITARY_DECIDING_TYPES ") ORDER BY date DESC, id DESC LIMIT 1",
                            "sss", slug, party, date);
    *out = rc == STORE_ROW && strcmp(type, "withdrawal") != 0;
    return rc < 0 ? rc : ACCORD_OK;
}

/* Reads signer {"name", "title"} (either may be absent, not both). */
static int read_signer(const json_t *data, const char **name, const char **title)
{
    static const char *const keys[] = {"name", "title", NULL};
    json_t *s = json_object_get(data, "signer");
    *name = *title = NULL;
    if (!s || json_is_null(s))
        return ACCORD_OK;
    if (!json_is_object(s))
        return accord_fail(ACCORD_EINVAL, "signer", "signer: must be an object with name and title");
    int rc = json_only_keys(s, keys, "signer");
    if (!rc) rc = json_get_string(s, "name", false, REGISTRY_MAX_NAME, name);
    if (!rc) rc = json_get_string(s, "title", false, REGISTRY_MAX_NAME, title);
    if (rc)
        return accord_fail_nested(rc, "signer");
    if (!*name && !*title)
        return accord_fail(ACCORD_EINVAL, "signer", "signer: give a name, a title, or null");
    return ACCORD_OK;
}

/* Fills in, or in replay checks, a derived string field of the event. */
static int derive(json_t *data, const char *key, const char *value, bool replay)
{
    json_t *have = json_object_get(data, key);
    if (!replay || !have) {
        if (replay)
            return accord_fail(ACCORD_EVERIFY, key, "logged action lacks its %s", key);
        json_object_set_new(data, key, json_string(value));
        return ACCORD_OK;
    }
    if (!json_is_string(have) || strcmp(json_string_value(have), value) != 0)
        return accord_fail(ACCORD_EVERIFY, key, "logged %s '%s' differs from the computed '%s'", key,
                           json_is_string(have) ? json_string_value(have) : "?", value);
    return ACCORD_OK;
}

/* The next notification number of 'slug' in 'year': '<slug>/<year>/<n>'. */
static int next_notification(store *db, const char *slug, int year, int64_t *n)
{
    *n = 1;
    int rc = store_one_int(db, n,
                           "SELECT coalesce(max(notification_n), 0) + 1 FROM action"
                           " WHERE instrument = ? AND notification_year = ?",
                           "si", slug, (int64_t)year);
    return rc < 0 ? rc : ACCORD_OK;
}

/* Ends a sentence with a full stop unless it already has one. */
static int end_sentence(buf *out)
{
    return out->len && out->data[out->len - 1] == '.' ? ACCORD_OK : buf_puts(out, ".");
}

/* The names a notification speaks of, read once by the applier with
 * its checks: the instrument's title, the party's and (when it acts for
 * another) the other party's names as at the action's date. */
typedef struct {
    char title[REGISTRY_MAX_NAME + 1];
    char party[REGISTRY_MAX_NAME + 1];
    char behalf[REGISTRY_MAX_NAME + 1]; /* "" unless on behalf of another party */
} notice_names;

/* The plain-language text of a notification. */
static int notification_text(const notice_names *names, const char *type, const char *date, const char *precision,
                             const char *place, const char *signer_name, const char *signer_title,
                             const char *src_title, buf *out)
{
    char when[40];
    date_long(date, when, sizeof when);
    int rc = buf_printf(out, "%s %s, %s %s the %s", strcmp(precision, "on_or_before") == 0 ? "On or before" : "On",
                        when, names->party, action_types[type_index(type)].verb, names->title);
    if (!rc && names->behalf[0])
        rc = buf_printf(out, " on behalf of %s", names->behalf);
    if (!rc && place)
        rc = buf_printf(out, " at %s", place);
    if (!rc)
        rc = buf_puts(out, ".");
    if (!rc && (signer_name || signer_title))
        rc = buf_printf(out, " Signed by %s%s%s", signer_name ? signer_name : "", signer_name && signer_title ? ", " : "",
                        signer_title ? signer_title : "");
    if (!rc && (signer_name || signer_title))
        rc = end_sentence(out);
    if (!rc)
        rc = buf_printf(out, " Source: %s", src_title);
    if (!rc)
        rc = end_sentence(out);
    return rc;
}

/* Checks the depositary's rules for a new action on the current state. */
static int check_rules(store *db, const char *slug, const char *party, const char *type, const char *date,
                       const char *opened, bool replay)
{
    char today[11];
    clock_today(today);
    if (strcmp(date, opened) < 0)
        return accord_fail(ACCORD_ERULE, "date", "date: %s is before the instrument opened on %s", date, opened);
    if (!replay && strcmp(date, today) > 0)
        return accord_fail(ACCORD_ERULE, "date", "date: %s is in the future", date);
    if (strcmp(type, "endorsement") == 0 && strncmp(party, "org:", 4) != 0)
        return accord_fail(ACCORD_ERULE, "type", "type: an endorsement is an organization's act; states sign or accede");
    if (strcmp(type, "signature") == 0) {
        char prior[11] = "";
        int rc = store_one_text(db, prior, sizeof prior,
                                "SELECT date FROM action WHERE instrument = ? AND party = ? AND type = 'signature'", "ss",
                                slug, party);
        if (rc == STORE_ROW)
            return accord_fail(ACCORD_ECONFLICT, "party", "party: %s already signed %s (on %s); a party that withdrew rejoins by accession",
                               party, slug, prior);
        if (rc < 0)
            return rc;
    }
    if (strcmp(type, "withdrawal") == 0) {
        bool member;
        int rc = depositary_participates(db, slug, party, date, &member);
        if (rc)
            return rc;
        if (!member)
            return accord_fail(ACCORD_ERULE, "type", "type: %s is not a participant in %s on %s, so it cannot withdraw",
                               party, slug, date);
    }
    return ACCORD_OK;
}

int depositary_apply_action_recorded(store *db, int64_t seq, json_t *data, bool replay)
{
    static const char *const keys[] = {"instrument", "party", "type", "date", "date_precision", "place", "signer",
                                       "on_behalf_of", "note", "source", "confidence", "notification",
                                       "notification_text", "event", NULL};
    const char *slug, *party, *type, *date, *precision, *place, *sname, *stitle, *behalf, *note, *st, *su, *conf,
        *event;
    char opened[11];
    int rc = json_only_keys(data, keys, NULL);
    if (!rc) rc = json_get_string(data, "instrument", true, 64, &slug);
    if (!rc) rc = json_get_string(data, "party", true, 64, &party);
    if (!rc) rc = json_get_string(data, "type", true, 20, &type);
    if (!rc && !depositary_action_type_valid(type))
        rc = accord_fail(ACCORD_EINVAL, "type", "type: '%s' is not one of signature, endorsement, accession, ratification, "
                         "acceptance, approval, succession, withdrawal, declaration", type);
    if (!rc) rc = json_get_string(data, "date", true, 10, &date);
    if (!rc) rc = date_check(date, "date");
    if (!rc) rc = json_get_string(data, "date_precision", false, 20, &precision);
    if (!rc && precision && strcmp(precision, "day") && strcmp(precision, "on_or_before"))
        rc = accord_fail(ACCORD_EINVAL, "date_precision", "date_precision: must be day or on_or_before");
    if (!rc) rc = json_get_string(data, "place", false, REGISTRY_MAX_NAME, &place);
    if (!rc) rc = read_signer(data, &sname, &stitle);
    if (!rc) rc = json_get_string(data, "on_behalf_of", false, 64, &behalf);
    if (!rc) rc = json_get_string(data, "note", false, REGISTRY_MAX_TEXT, &note);
    if (!rc) rc = json_get_string(data, "confidence", false, REGISTRY_MAX_TEXT, &conf);
    if (!rc) rc = registry_read_source(data, "source", true, &st, &su);
    /* The meeting or ceremony it happened at (assistance/: meeting.recorded). */
    if (!rc) rc = json_get_string(data, "event", false, 64, &event);
    if (!rc && event) {
        rc = store_exists(db, "SELECT 1 FROM meeting WHERE id = ?", "s", event);
        rc = rc == STORE_DONE ? accord_fail(ACCORD_ENOTFOUND, "event", "event: no event '%s' is recorded", event)
                              : rc < 0 ? rc : ACCORD_OK;
    }
    if (rc)
        return rc;
    notice_names names = {.behalf = ""};
    if ((rc = registry_instrument_titled(db, slug, "instrument", opened, names.title, sizeof names.title)))
        return rc;
    if (registry_party_name(db, party, date, "party", names.party, sizeof names.party))
        return accord_fail(ACCORD_ERULE, "party", "party: no party with code '%s' is registered", party);
    if (behalf && registry_party_name(db, behalf, date, "on_behalf_of", names.behalf, sizeof names.behalf))
        return accord_fail(ACCORD_ERULE, "on_behalf_of", "on_behalf_of: no party with code '%s' is registered", behalf);
    if (behalf && strcmp(behalf, party) == 0)
        names.behalf[0] = '\0';
    if ((rc = check_rules(db, slug, party, type, date, opened, replay)))
        return rc;

    /* Defaults are written into the event so that the log states them. */
    if (!precision && !replay)
        json_object_set_new(data, "date_precision", json_string(precision = "day"));
    if (!conf && !replay)
        json_object_set_new(data, "confidence", json_string(conf = "stated"));
    if (!precision || !conf)
        return accord_fail(ACCORD_EVERIFY, "data", "logged action lacks date_precision or confidence");

    int64_t n;
    int year = date_year(date);
    if ((rc = next_notification(db, slug, year, &n)))
        return rc;
    char number[96];
    snprintf(number, sizeof number, "%s/%d/%lld", slug, year, (long long)n);
    if ((rc = derive(data, "notification", number, replay)))
        return rc;
    /* The text is computed once, when the action is recorded; replay keeps
     * the logged wording, since a notice once issued never changes. */
    if (!replay) {
        buf text;
        buf_init(&text, 4 * REGISTRY_MAX_TEXT);
        rc = notification_text(&names, type, date, precision, place, sname, stitle, st, &text);
        if (!rc)
            json_object_set_new(data, "notification_text", json_string(text.data));
        buf_free(&text);
        if (rc)
            return rc;
    }
    const char *ntext = json_string_value(json_object_get(data, "notification_text"));
    if (!ntext)
        return accord_fail(ACCORD_EVERIFY, "notification_text", "notification_text must be a string");
    return store_run(db,
                     "INSERT INTO action (instrument, party, type, date, date_precision, place, signer_name,"
                     " signer_title, on_behalf_of, note, source_title, source_url, confidence, notification,"
                     " notification_year, notification_n, notification_text, event, seq)"
                     " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     "ssssssssssssssiissi", slug, party, type, date, precision, place, sname, stitle, behalf, note, st,
                     su, conf, number, (int64_t)year, n, ntext, event, seq);
}

int depositary_apply_reported_total_recorded(store *db, int64_t seq, json_t *data, bool replay)
{
    static const char *const keys[] = {"instrument", "as_of", "qualifier", "count", "of", "source", NULL};
    const char *slug, *as_of, *qual, *of, *st, *su;
    int64_t count;
    char opened[11];
    (void)replay;
    int rc = json_only_keys(data, keys, NULL);
    if (!rc) rc = json_get_string(data, "instrument", true, 64, &slug);
    if (!rc) rc = json_get_string(data, "as_of", true, 10, &as_of);
    if (!rc) rc = date_check(as_of, "as_of");
    if (!rc) rc = json_get_string(data, "qualifier", false, 40, &qual);
    if (!rc) rc = json_get_int(data, "count", true, 0, 100000, 0, &count);
    if (!rc) rc = json_get_string(data, "of", false, REGISTRY_MAX_NAME, &of);
    if (!rc) rc = registry_read_source(data, "source", true, &st, &su);
    if (!rc) rc = registry_instrument_opened(db, slug, "instrument", opened);
    if (rc)
        return rc;
    if (qual && strcmp(qual, "exactly") && strcmp(qual, "more than") && strcmp(qual, "about") &&
        strcmp(qual, "at least") && strcmp(qual, "fewer than"))
        return accord_fail(ACCORD_EINVAL, "qualifier", "qualifier: must be exactly, more than, at least, about or fewer than");
    return store_run(db,
                     "INSERT INTO reported_total (instrument, as_of, qualifier, count, of_what, source_title, source_url, seq)"
                     " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                     "sssisssi", slug, as_of, qual, count, of, st, su, seq);
}

int depositary_apply_gap_recorded(store *db, int64_t seq, json_t *data, bool replay)
{
    static const char *const keys[] = {"instrument", "party", "why", "source", NULL};
    const char *slug, *party, *why, *st, *su;
    char opened[11];
    (void)replay;
    int rc = json_only_keys(data, keys, NULL);
    if (!rc) rc = json_get_string(data, "instrument", true, 64, &slug);
    if (!rc) rc = json_get_string(data, "party", true, 64, &party);
    if (!rc) rc = json_get_string(data, "why", true, REGISTRY_MAX_TEXT, &why);
    if (!rc) rc = registry_read_source(data, "source", false, &st, &su);
    if (!rc) rc = registry_instrument_opened(db, slug, "instrument", opened);
    if (!rc) rc = registry_party_require(db, party, "party");
    if (rc)
        return rc;
    return store_run(db,
                     "INSERT INTO known_gap (instrument, party, why, source_title, source_url, seq) VALUES (?, ?, ?, ?, ?, ?)",
                     "sssssi", slug, party, why, st, su, seq);
}
