#include "events/events.h"

#include <sodium.h>
#include <string.h>

#include "events/appliers.h"
#include "ledger/ledger.h"
#include "store/lookup.h"
#include "util/buf.h"
#include "util/base64.h"
#include "util/clock.h"
#include "util/date.h"
#include "util/error.h"
#include "util/json.h"
#include "util/sha256.h"

const actor ACTOR_OPERATOR = {"operator", "console"};

/* Every kind of state change accord knows. Adding a feature that changes
 * state means adding its event type here. */
/* A restricted type's event enters the public log only as a salted
 * commitment plus the 'public' fields of its data (see events.h). */
#define PUBLIC_KEYS_MAX 6

static const struct {
    const char *type;
    event_applier apply;
    bool restricted;
    const char *public_keys[PUBLIC_KEYS_MAX]; /* restricted types: data fields shown in the public leaf */
    /* Restricted types: writes the public tables from the public fields
     * alone, when the event is made and when it is replayed. */
    event_applier apply_public;
} event_types[] = {
    {"party.registered", registry_apply_party_registered, false, {NULL}, NULL},
    {"party.renamed", registry_apply_party_renamed, false, {NULL}, NULL},
    {"party.classified", registry_apply_party_classified, false, {NULL}, NULL},
    {"group.created", registry_apply_group_created, false, {NULL}, NULL},
    {"membership.recorded", registry_apply_membership_recorded, false, {NULL}, NULL},
    {"instrument.created", registry_apply_instrument_created, false, {NULL}, NULL},
    {"provision.recorded", registry_apply_provision_recorded, false, {NULL}, NULL},
    {"action.recorded", depositary_apply_action_recorded, false, {NULL}, NULL},
    {"reported_total.recorded", depositary_apply_reported_total_recorded, false, {NULL}, NULL},
    {"gap.recorded", depositary_apply_gap_recorded, false, {NULL}, NULL},
    {"cycle.opened", implementation_apply_cycle_opened, false, {NULL}, NULL},
    {"report.drafted", implementation_apply_report_drafted, true, {"instrument", "cycle", "party", "provision"}, NULL},
    {"report.submitted", implementation_apply_report_submitted, true,
     {"instrument", "cycle", "party", "provision", "version"}, implementation_apply_submission_public},
    {"report.released", implementation_apply_report_released, false, {NULL}, NULL},
    {"report.returned", implementation_apply_report_returned, true,
     {"instrument", "cycle", "party", "provision", "version"}, implementation_apply_return_public},
    {"report.rated", implementation_apply_report_rated, false, {NULL}, NULL},
    {"attachment.stored", implementation_apply_attachment_stored, true, {"instrument", "cycle", "party"}, NULL},
    {"entity.recorded", assistance_apply_entity_recorded, false, {NULL}, NULL},
    {"office.recorded", assistance_apply_office_recorded, false, {NULL}, NULL},
    {"framework.linked", assistance_apply_framework_linked, false, {NULL}, NULL},
    {"need.recorded", assistance_apply_need_recorded, false, {NULL}, NULL},
    /* A need at the providers or restricted level: only its id and level
     * are public. */
    {"need.held", assistance_apply_need_held, true, {"id", "access"}, assistance_apply_need_held_public},
    {"offer.recorded", assistance_apply_offer_recorded, false, {NULL}, NULL},
    {"activity.recorded", assistance_apply_activity_recorded, false, {NULL}, NULL},
    {"meeting.recorded", assistance_apply_meeting_recorded, false, {NULL}, NULL},
};

static int type_index(const char *type)
{
    for (size_t i = 0; i < sizeof event_types / sizeof event_types[0]; i++)
        if (strcmp(event_types[i].type, type) == 0)
            return (int)i;
    return -1;
}

int events_begin(store *db) { return store_begin(db); }
int events_commit(store *db) { return store_commit(db); }
void events_rollback(store *db) { store_rollback(db); }

/* Builds the logged form of an event and gives its canonical bytes to
 * the entry 'seq' reserved for it. */
static int log_event(store *db, const actor *who, const char *type, const char *at, uint64_t seq, json_t *data)
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
    if (!rc)
        rc = ledger_fill(db, seq, bytes.data, bytes.len);
    buf_free(&bytes);
    json_decref(ev);
    return rc;
}

/* Logs a restricted event in the entry 'seq' reserved for it: its full
 * canonical bytes and a fresh salt go to the private restricted_entry
 * table; the public leaf carries only SHA-256(salt || bytes) and the
 * type's public fields. */
static int log_restricted(store *db, int t, const actor *who, const char *at, uint64_t seq, json_t *data)
{
    const char *type = event_types[t].type;
    json_t *ev = json_pack("{s:i, s:s, s:s, s:{s:s, s:s}, s:O}", "v", (json_int_t)EVENT_VERSION, "type", type, "at",
                           at, "actor", "role", who->role, "id", who->id, "data", data);
    buf full, leaf;
    buf_init(&full, LEDGER_MAX_EVENT);
    buf_init(&leaf, LEDGER_MAX_EVENT);
    uint8_t salt[EVENTS_SALT_SIZE], commitment[crypto_hash_sha256_BYTES];
    randombytes_buf(salt, sizeof salt);
    int rc = ev ? json_canonical(ev, &full) : accord_fail(ACCORD_ENOMEM, NULL, "out of memory");
    if (!rc)
        events_commitment(salt, full.data, full.len, commitment);
    char b64[sodium_base64_ENCODED_LEN(crypto_hash_sha256_BYTES, sodium_base64_VARIANT_ORIGINAL)];
    sodium_bin2base64(b64, sizeof b64, commitment, sizeof commitment, sodium_base64_VARIANT_ORIGINAL);
    json_t *pub = json_pack("{s:s}", "commitment", b64);
    for (int k = 0; k < PUBLIC_KEYS_MAX && event_types[t].public_keys[k]; k++) {
        json_t *v = json_object_get(data, event_types[t].public_keys[k]);
        if (v)
            json_object_set(pub, event_types[t].public_keys[k], v);
    }
    if (!rc && event_types[t].apply_public)
        rc = event_types[t].apply_public(db, (int64_t)seq, pub, false);
    json_t *public_ev = json_pack("{s:i, s:s, s:s, s:{s:s, s:s}, s:o}", "v", (json_int_t)EVENT_VERSION, "type", type,
                                  "at", at, "actor", "role", who->role, "id", who->id, "restricted", pub);
    if (!rc) rc = json_canonical(public_ev, &leaf);
    if (!rc) rc = ledger_fill(db, seq, leaf.data, leaf.len);
    if (!rc) rc = store_run(db, "INSERT INTO restricted_entry (seq, salt, body) VALUES (?, ?, ?)", "ibb", (int64_t)seq,
                            salt, sizeof salt, full.data, full.len);
    sodium_memzero(salt, sizeof salt);
    buf_free(&full);
    buf_free(&leaf);
    json_decref(ev);
    json_decref(public_ev);
    return rc;
}

int events_append(store *db, const actor *who, const char *type, json_t *data, uint64_t *out_seq)
{
    int t = type_index(type);
    if (t < 0)
        return accord_fail(ACCORD_EINVAL, "type", "unknown event type '%s'", type);
    if (!json_is_object(data))
        return accord_fail(ACCORD_EINVAL, "data", "event data must be an object");
    /* The entry is reserved first: the applier's rows name it. */
    char at[21];
    clock_now_rfc3339(at);
    uint64_t seq;
    int rc = ledger_reserve(db, type, at, &seq);
    if (rc)
        return rc;
    rc = event_types[t].apply(db, (int64_t)seq, data, false);
    if (!rc)
        rc = event_types[t].restricted ? log_restricted(db, t, who, at, seq, data)
                                       : log_event(db, who, type, at, seq, data);
    if (rc)
        ledger_unreserve(db, seq);
    else if (out_seq)
        *out_seq = seq;
    return rc;
}

int events_append_with(store *db, const actor *who, const char *type, json_t *data, events_prepare prepare,
                       void *prepare_arg, uint64_t *out_seq)
{
    int rc = prepare ? prepare(db, prepare_arg) : ACCORD_OK;
    return rc ? rc : events_append(db, who, type, data, out_seq);
}

void events_commitment(const uint8_t salt[EVENTS_SALT_SIZE], const void *bytes, size_t len, uint8_t out[32])
{
    const sha256_part parts[] = {{salt, EVENTS_SALT_SIZE}, {bytes, len}};
    sha256_parts(out, parts, 2);
}

int events_reveal(store *db, uint64_t index, uint8_t salt[EVENTS_SALT_SIZE], buf *bytes)
{
    store_stmt *st;
    int rc = store_first_row(db, &st, "SELECT salt, body FROM restricted_entry WHERE seq = ?", "i", (int64_t)index);
    if (rc == STORE_ROW) {
        size_t slen, blen;
        const void *s = store_col_blob(st, 0, &slen);
        const void *b = store_col_blob(st, 1, &blen);
        if (slen != EVENTS_SALT_SIZE)
            rc = accord_fail(ACCORD_ESTORE, NULL, "restricted entry %llu has a damaged salt", (unsigned long long)index);
        else {
            memcpy(salt, s, EVENTS_SALT_SIZE);
            rc = buf_append(bytes, b, blen);
        }
    } else if (rc == STORE_DONE) {
        rc = accord_fail(ACCORD_ENOTFOUND, "index", "log entry %llu is not a restricted entry", (unsigned long long)index);
    }
    store_stmt_close(st);
    return rc;
}

int events_check_reveal(const void *leaf, size_t leaf_len, const uint8_t salt[EVENTS_SALT_SIZE], const void *bytes,
                        size_t len)
{
    json_t *pub = NULL, *full = NULL;
    int rc = json_parse_object(leaf, leaf_len, &pub);
    if (!rc)
        rc = json_parse_object(bytes, len, &full);
    const char *b64 = json_string_value(json_object_get(json_object_get(pub, "restricted"), "commitment"));
    uint8_t want[32], got[32];
    size_t n = 0;
    if (!rc && (!b64 || !base64_decode_strict(b64, strlen(b64), want, sizeof want, &n) || n != sizeof want))
        rc = accord_fail(ACCORD_EVERIFY, NULL, "the public entry holds no commitment");
    if (!rc) {
        events_commitment(salt, bytes, len, got);
        if (sodium_memcmp(want, got, sizeof want) != 0)
            rc = accord_fail(ACCORD_EVERIFY, NULL, "SHA-256(salt || entry) is not the public commitment");
    }
    /* The revealed event must be the one the leaf speaks of. */
    static const char *const same[] = {"type", "at", "v"};
    for (int i = 0; !rc && i < 3; i++)
        if (!json_equal(json_object_get(pub, same[i]), json_object_get(full, same[i])))
            rc = accord_fail(ACCORD_EVERIFY, same[i], "the revealed entry's %s differs from the public one", same[i]);
    if (!rc && !json_equal(json_object_get(pub, "actor"), json_object_get(full, "actor")))
        rc = accord_fail(ACCORD_EVERIFY, "actor", "the revealed entry's actor differs from the public one");
    /* So must every field the public entry shows of it. */
    const char *key;
    json_t *v;
    json_object_foreach(json_object_get(pub, "restricted"), key, v)
    {
        if (rc || strcmp(key, "commitment") == 0)
            continue;
        if (!json_equal(v, json_object_get(json_object_get(full, "data"), key)))
            rc = accord_fail(ACCORD_EVERIFY, key, "the revealed entry's %s differs from the public one", key);
    }
    json_decref(pub);
    json_decref(full);
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
    int t = type ? type_index(type) : -1;
    event_applier apply = t >= 0 ? event_types[t].apply : NULL;
    json_t *restricted = json_object_get(ev, "restricted");
    bool restricted_ok = t >= 0 && event_types[t].restricted && json_is_object(restricted) && !data &&
                         json_is_string(json_object_get(restricted, "commitment"));
    bool actor_ok = json_is_string(json_object_get(who, "role")) && json_is_string(json_object_get(who, "id")) &&
                    json_object_size(who) == 2;
    bool at_ok = at && strlen(at) == 20 && date_valid((char[11]){at[0], at[1], at[2], at[3], at[4], at[5], at[6],
                                                                 at[7], at[8], at[9], 0}) && at[10] == 'T' && at[19] == 'Z';
    if (!apply || !at_ok || !(json_is_object(data) || restricted_ok) || !actor_ok || json_object_size(ev) != 5 ||
        json_integer_value(json_object_get(ev, "v")) != EVENT_VERSION) {
        json_decref(ev);
        return accord_fail(ACCORD_EVERIFY, NULL, "log entry is not an accord event");
    }
    uint64_t seq;
    rc = ledger_reserve(db, type, at, &seq);
    if (rc) {
        json_decref(ev);
        return rc;
    }
    /* A restricted entry's content is not public: replay keeps its place
     * in the log and rebuilds nothing from it. */
    if (!restricted_ok)
        rc = apply(db, (int64_t)seq, data, true);
    else if (event_types[t].apply_public)
        rc = event_types[t].apply_public(db, (int64_t)seq, restricted, true);
    /* The bytes must be exactly the canonical form of what was applied. */
    buf canon;
    buf_init(&canon, LEDGER_MAX_EVENT);
    if (!rc)
        rc = json_canonical(ev, &canon);
    if (!rc && (canon.len != len || memcmp(canon.data, bytes, len) != 0))
        rc = accord_fail(ACCORD_EVERIFY, NULL, "log entry %llu is not in canonical form", (unsigned long long)seq);
    if (!rc)
        rc = ledger_fill(db, seq, bytes, len);
    if (rc)
        ledger_unreserve(db, seq);
    buf_free(&canon);
    json_decref(ev);
    return rc;
}
