/* The files attached to reports: uploads (attachment.stored), their use
 * in drafts, and the attachments that a release makes public. The bytes
 * themselves are in the attachment module's store. */
#include <stdio.h>
#include <string.h>

#include "attachment/attachment.h"
#include "events/appliers.h"
#include "implementation/implementation.h"
#include "implementation/implementation_int.h"
#include "store/lookup.h"
#include "util/error.h"
#include "util/json.h"

int implementation_apply_attachment_stored(store *db, int64_t seq, json_t *data, bool replay)
{
    static const char *const keys[] = {"instrument", "cycle", "party", "sha256", "media_type", "size", "name", NULL};
    const char *slug, *cycle, *party, *sha256, *media_type, *name, *stored_type;
    int64_t size, stored_size;
    (void)replay; /* restricted, so never replayed: the bytes are not public */
    int rc = json_only_keys(data, keys, NULL);
    if (!rc) rc = json_get_string(data, "instrument", true, 64, &slug);
    if (!rc) rc = json_get_string(data, "cycle", true, 40, &cycle);
    if (!rc) rc = json_get_string(data, "party", true, 64, &party);
    if (!rc) rc = json_get_string(data, "sha256", true, ATTACHMENT_SHA256_HEX, &sha256);
    if (!rc && !attachment_sha256_valid(sha256))
        rc = accord_fail(ACCORD_EINVAL, "sha256", "sha256: 64 lowercase hex digits");
    if (!rc) rc = json_get_string(data, "media_type", true, 128, &media_type);
    if (!rc) rc = json_get_int(data, "size", true, 1, (int64_t)ATTACHMENT_MAX_SIZE, 0, &size);
    if (!rc) rc = json_get_string(data, "name", true, ATTACHMENT_MAX_NAME, &name);
    if (!rc) rc = attachment_check_name(name, "name");
    if (!rc) rc = implementation_cycle_participant(db, slug, cycle, party);
    /* The bytes were stored just before, in this event's transaction
     * (events_append_with): the event names only what the store holds. */
    if (!rc) rc = attachment_stat(db, sha256, "sha256", &stored_type, &stored_size);
    if (!rc && (strcmp(stored_type, media_type) != 0 || stored_size != size))
        rc = accord_fail(ACCORD_EINVAL, "sha256", "sha256: the stored file is %s of %lld bytes, not %s of %lld",
                         stored_type, (long long)stored_size, media_type, (long long)size);
    if (!rc)
        rc = store_run(db, "INSERT INTO report_upload (instrument, cycle, party, sha256, name, seq) VALUES (?, ?, ?, ?, ?, ?)",
                       "sssssi", slug, cycle, party, sha256, name, seq);
    return rc;
}

/* The name under which 'party' last uploaded 'sha256', into 'name';
 * STORE_DONE when it did not. */
static int uploaded_name(store *db, const char *party, const char *sha256, char *name, size_t len)
{
    if (party)
        return store_one_text(db, name, len,
                              "SELECT name FROM report_upload WHERE sha256 = ? AND party = ? ORDER BY seq DESC LIMIT 1",
                              "ss", sha256, party);
    return store_one_text(db, name, len, "SELECT name FROM report_upload WHERE sha256 = ? ORDER BY seq DESC LIMIT 1", "s",
                          sha256);
}

/* Checks attachment 'a', the 'i'th of a draft by 'party' whose earlier
 * ones are in 'list', and adds its media type, size and default name. */
static int check_attachment(store *db, json_t *list, size_t i, json_t *a, const char *party, bool replay)
{
    static const char *const keys[] = {"sha256", "name", NULL};
    static const char *const logged[] = {"sha256", "name", "media_type", "size", NULL};
    char where[40], field[48], uploaded[ATTACHMENT_MAX_NAME + 1];
    const char *sha256, *name, *media_type;
    int64_t size;
    snprintf(where, sizeof where, "attachments[%zu]", i);
    snprintf(field, sizeof field, "%s.sha256", where);
    if (!json_is_object(a))
        return accord_fail(ACCORD_EINVAL, where, "%s: an object {sha256, name}", where);
    int rc = json_only_keys(a, replay ? logged : keys, where);
    if (!rc && (rc = json_get_string(a, "sha256", true, ATTACHMENT_SHA256_HEX, &sha256)))
        rc = accord_fail_nested(rc, where);
    if (!rc && !attachment_sha256_valid(sha256))
        rc = accord_fail(ACCORD_EINVAL, field, "%s: 64 lowercase hex digits", field);
    if (!rc && (rc = json_get_string(a, "name", false, ATTACHMENT_MAX_NAME, &name)))
        rc = accord_fail_nested(rc, where);
    if (!rc && name)
        rc = attachment_check_name(name, where);
    for (size_t j = 0; !rc && j < i; j++)
        if (strcmp(json_string_value(json_object_get(json_array_get(list, j), "sha256")), sha256) == 0)
            rc = accord_fail(ACCORD_EINVAL, field, "%s: the same file as attachments[%zu]", field, j);
    if (rc)
        return rc;
    /* Only the party's own uploads: the same answer whether the hash is
     * unknown or another party's, so nothing is learnt of the others. */
    rc = uploaded_name(db, party, sha256, uploaded, sizeof uploaded);
    if (rc == STORE_DONE)
        return accord_fail(ACCORD_ERULE, field, "%s: %s has uploaded no file with SHA-256 %s (POST .../attachments)",
                           field, party, sha256);
    if (rc < 0 || (rc = attachment_stat(db, sha256, field, &media_type, &size)))
        return rc;
    if (!replay) {
        json_object_set_new(a, "media_type", json_string(media_type));
        json_object_set_new(a, "size", json_integer(size));
        if (!name)
            json_object_set_new(a, "name", json_string(uploaded));
    }
    return ACCORD_OK;
}

int implementation_check_attachments(store *db, json_t *data, const char *party, bool replay)
{
    json_t *list = json_object_get(data, "attachments");
    if (!list || json_is_null(list))
        return ACCORD_OK;
    if (!json_is_array(list) || json_array_size(list) > IMPLEMENTATION_MAX_ATTACHMENTS)
        return accord_fail(ACCORD_EINVAL, "attachments", "attachments: a list of at most %d {sha256, name}",
                           IMPLEMENTATION_MAX_ATTACHMENTS);
    size_t i;
    json_t *a;
    json_array_foreach(list, i, a)
    {
        int rc = check_attachment(db, list, i, a, party, replay);
        if (rc)
            return rc;
    }
    return ACCORD_OK;
}

int implementation_record_attachments(store *db, int64_t seq, const char *slug, const char *cycle, const char *party,
                                int64_t provision, int64_t version, const json_t *attachments)
{
    if (!attachments || json_is_null(attachments))
        return ACCORD_OK;
    if (!json_is_array(attachments) || json_array_size(attachments) > IMPLEMENTATION_MAX_ATTACHMENTS)
        return accord_fail(ACCORD_EVERIFY, "report", "the released report's attachments are not a list");
    size_t i;
    json_t *a;
    json_array_foreach(attachments, i, a)
    {
        const char *sha256 = json_string_value(json_object_get(a, "sha256"));
        const char *name = json_string_value(json_object_get(a, "name"));
        const char *media_type = json_string_value(json_object_get(a, "media_type"));
        json_t *size = json_object_get(a, "size");
        if (json_object_size(a) != 4 || !attachment_sha256_valid(sha256) || attachment_check_name(name, "name") ||
            !attachment_allowed_type(media_type) || !json_is_integer(size) || json_integer_value(size) < 1 ||
            json_integer_value(size) > (json_int_t)ATTACHMENT_MAX_SIZE)
            return accord_fail(ACCORD_EVERIFY, "report", "the released report's attachments[%zu] is malformed", i);
        int rc = store_run(db,
                           "INSERT INTO report_attachment (instrument, cycle, party, provision, version, position,"
                           " sha256, name, media_type, size, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           "sssiiisssii", slug, cycle, party, provision, version, (int64_t)i, sha256, name, media_type,
                           (int64_t)json_integer_value(size), seq);
        if (rc)
            return rc;
    }
    return ACCORD_OK;
}

int implementation_upload_name(store *db, const char *party, const char *sha256, char *name, size_t len)
{
    int rc = uploaded_name(db, party, sha256, name, len);
    if (rc == STORE_DONE && party)
        return accord_fail(ACCORD_ENOTFOUND, "sha256", "%s has uploaded no file with SHA-256 %s", party, sha256);
    if (rc == STORE_DONE)
        return accord_fail(ACCORD_ENOTFOUND, "sha256", "no file with SHA-256 %s was uploaded", sha256);
    return rc < 0 ? rc : ACCORD_OK;
}

int implementation_attachment_released(store *db, const char *sha256, bool *released, char *name, size_t len)
{
    int rc = store_one_text(db, name, len, "SELECT name FROM report_attachment WHERE sha256 = ? ORDER BY seq, position LIMIT 1",
                            "s", sha256);
    *released = rc == STORE_ROW;
    return rc < 0 ? rc : ACCORD_OK;
}
