#include "events/events.h"

#include <string.h>

#include "events/appliers.h"
#include "ledger/ledger.h"
#include "util/buf.h"
#include "util/date.h"
#include "util/error.h"
#include "util/json.h"

const actor ACTOR_OPERATOR = {"operator", "console"};

/* Every kind of state change accord knows. Adding a feature that changes
 * state means adding its event type here. */
static const struct {
    const char *type;
    event_applier apply;
} event_types[] = {
    {"party.registered", registry_apply_party_registered},
    {"party.renamed", registry_apply_party_renamed},
    {"group.created", registry_apply_group_created},
    {"membership.recorded", registry_apply_membership_recorded},
    {"instrument.created", registry_apply_instrument_created},
    {"provision.recorded", registry_apply_provision_recorded},
    {"action.recorded", depositary_apply_action_recorded},
    {"reported_total.recorded", depositary_apply_reported_total_recorded},
    {"gap.recorded", depositary_apply_gap_recorded},
};

static event_applier find_applier(const char *type)
{
    for (size_t i = 0; i < sizeof event_types / sizeof event_types[0]; i++)
        if (strcmp(event_types[i].type, type) == 0)
            return event_types[i].apply;
    return NULL;
}

bool events_known_type(const char *type) { return type && find_applier(type) != NULL; }

int events_begin(store *db) { return store_begin(db); }
int events_commit(store *db) { return store_commit(db); }
void events_rollback(store *db) { store_rollback(db); }

/* Builds the logged form of an event and appends its canonical bytes. */
static int log_event(store *db, const actor *who, const char *type, const char *at, json_t *data, uint64_t *out_seq)
{
    json_t *ev = json_pack("{s:i, s:s, s:s, s:{s:s, s:s}, s:O}", "v", (json_int_t)EVENT_VERSION, "type", type, "at",
                           at, "actor", "role", who->role, "id", who->id, "data", data);
    if (!ev)
        return accord_fail(ACCORD_ENOMEM, NULL, "out of memory");
    buf bytes;
    buf_init(&bytes, LEDGER_MAX_EVENT);
    int rc = json_canonical(ev, &bytes);
    if (rc == ACCORD_ETOOBIG)
        rc = accord_fail(ACCORD_ETOOBIG, NULL, "the event is over the log's limit of %d bytes", LEDGER_MAX_EVENT);
    uint64_t seq;
    if (!rc)
        rc = ledger_append(db, type, at, bytes.data, bytes.len, &seq);
    if (!rc && out_seq)
        *out_seq = seq;
    buf_free(&bytes);
    json_decref(ev);
    return rc;
}

int events_append(store *db, const actor *who, const char *type, json_t *data, uint64_t *out_seq)
{
    event_applier apply = find_applier(type);
    if (!apply)
        return accord_fail(ACCORD_EINVAL, "type", "unknown event type '%s'", type);
    if (!json_is_object(data))
        return accord_fail(ACCORD_EINVAL, "data", "event data must be an object");
    uint64_t seq;
    int rc = ledger_size(db, &seq);
    if (!rc)
        rc = apply(db, (int64_t)seq, data, false);
    char at[21];
    date_now_rfc3339(at);
    if (!rc)
        rc = log_event(db, who, type, at, data, out_seq);
    return rc;
}

int events_submit(store *db, const actor *who, const char *type, json_t *data, uint64_t *out_seq)
{
    int rc = events_begin(db);
    if (!rc)
        rc = events_append(db, who, type, data, out_seq);
    if (!rc)
        rc = events_commit(db);
    if (rc)
        events_rollback(db);
    return rc;
}

int events_replay(store *db, const void *bytes, size_t len)
{
    json_t *ev = NULL;
    int rc = json_parse_object(bytes, len, &ev);
    if (rc)
        return accord_fail_nested(ACCORD_EVERIFY, "log entry");
    const char *type = json_string_value(json_object_get(ev, "type"));
    const char *at = json_string_value(json_object_get(ev, "at"));
    json_t *data = json_object_get(ev, "data");
    json_t *who = json_object_get(ev, "actor");
    event_applier apply = type ? find_applier(type) : NULL;
    bool actor_ok = json_is_string(json_object_get(who, "role")) && json_is_string(json_object_get(who, "id")) &&
                    json_object_size(who) == 2;
    bool at_ok = at && strlen(at) == 20 && date_valid((char[11]){at[0], at[1], at[2], at[3], at[4], at[5], at[6],
                                                                 at[7], at[8], at[9], 0}) && at[10] == 'T' && at[19] == 'Z';
    if (!apply || !at_ok || !json_is_object(data) || !actor_ok || json_object_size(ev) != 5 ||
        json_integer_value(json_object_get(ev, "v")) != EVENT_VERSION) {
        json_decref(ev);
        return accord_fail(ACCORD_EVERIFY, NULL, "log entry is not an accord event");
    }
    uint64_t seq;
    rc = ledger_size(db, &seq);
    if (!rc)
        rc = apply(db, (int64_t)seq, data, true);
    /* The bytes must be exactly the canonical form of what was applied. */
    buf canon;
    buf_init(&canon, LEDGER_MAX_EVENT);
    if (!rc)
        rc = json_canonical(ev, &canon);
    if (!rc && (canon.len != len || memcmp(canon.data, bytes, len) != 0))
        rc = accord_fail(ACCORD_EVERIFY, NULL, "log entry %llu is not in canonical form", (unsigned long long)seq);
    if (!rc)
        rc = ledger_append(db, type, at, bytes, len, &seq);
    buf_free(&canon);
    json_decref(ev);
    return rc;
}
