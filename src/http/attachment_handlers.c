/* Uploading and downloading the files attached to reports. */
#include <stdio.h>
#include <string.h>

#include "attachment/attachment.h"
#include "http/handlers.h"
#include "implementation/implementation.h"
#include "util/error.h"

/* Stores the upload's bytes in the transaction of its event. */
static int store_upload(store *db, void *file) { return attachment_put(db, file); }

int http_store_attachment(http_req *req, const char *slug, const char *cycle, const char *party, const char *name,
                          const void *bytes, size_t len, attachment_file *file, uint64_t *seq)
{
    int rc = attachment_check_name(name, "name");
    if (!rc)
        rc = attachment_inspect(bytes, len, file);
    if (rc)
        return rc;
    /* The event names the file by its hash; the bytes stay private. */
    json_t *data = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:s}", "instrument", slug, "cycle", cycle, "party", party,
                             "sha256", file->sha256, "media_type", file->media_type, "size", (json_int_t)file->size,
                             "name", name);
    if (!data)
        return accord_fail(ACCORD_ENOMEM, NULL, "out of memory");
    rc = http_submit_event_with(req, "attachment.stored", data, store_upload, file, seq);
    json_decref(data);
    return rc;
}

/* POST .../cycles/{cycle}/attachments?party=&name=, the file as the body. */
int http_post_attachment(http_req *req)
{
    const char *party = http_query(req, "party"), *name = http_query(req, "name");
    attachment_file file;
    uint64_t seq;
    if (!party)
        return accord_fail(ACCORD_EINVAL, "party", "give the party in the query: ?party=CODE");
    int rc = http_store_attachment(req, req->params[0], req->params[1], party, name, req->body, req->body_len, &file,
                                   &seq);
    if (!rc) {
        req->status = 201;
        req->json = json_pack("{s:s, s:s, s:I, s:s, s:I}", "sha256", file.sha256, "media_type", file.media_type,
                              "size", (json_int_t)file.size, "name", name, "log_index", (json_int_t)seq);
    }
    return rc;
}

int http_attachment_party(http_req *req, char *out, size_t len)
{
    char name[ATTACHMENT_MAX_NAME + 1];
    bool released = false;
    if (attachment_sha256_valid(req->params[0])) {
        int rc = implementation_attachment_released(req->db, req->params[0], &released, name, sizeof name);
        if (rc)
            return rc;
    }
    if (!released)
        return http_party_from_query(req, out, len);
    snprintf(out, len, "%s", HTTP_PARTY_PUBLIC);
    return ACCORD_OK;
}

_Static_assert(sizeof ((http_req *)0)->content_disposition > 64 + 4 * ATTACHMENT_MAX_NAME,
               "room for the longest name, once as is and once percent-encoded");

/* attachment; filename="<the name, non-ASCII characters as _>";
 * filename*=UTF-8''<the name percent-encoded> (RFC 6266). Names hold no
 * quotes, backslashes or control characters (attachment_check_name). */
static void content_disposition(const char *name, char *out, size_t len)
{
    static const char attr_chars[] = "!#$&+-.^_`|~";
    size_t used = (size_t)snprintf(out, len, "attachment; filename=\"");
    for (const unsigned char *p = (const unsigned char *)name; *p && used + 1 < len; p++)
        if (*p < 0x80 || *p >= 0xc0) /* one '_' per non-ASCII character */
            out[used++] = *p < 0x80 ? (char)*p : '_';
    used += (size_t)snprintf(out + used, len - used, "\"; filename*=UTF-8''");
    for (const unsigned char *p = (const unsigned char *)name; *p && used + 4 < len; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            strchr(attr_chars, *p))
            out[used++] = (char)*p;
        else
            used += (size_t)snprintf(out + used, len - used, "%%%02X", *p);
    }
    out[used < len ? used : len - 1] = '\0';
}

/* GET /api/v1/attachments/{sha256}[?party=]. Access (access.c) has let
 * in anyone for a released file; otherwise the focal point of ?party, an
 * admin or a reviewer, and the file must be one that party (any party,
 * for an admin or reviewer who names none) uploaded. */
int http_get_attachment(http_req *req)
{
    const char *sha256 = req->params[0], *party = http_query(req, "party"), *media_type;
    char name[ATTACHMENT_MAX_NAME + 1];
    bool released = false;
    if (!attachment_sha256_valid(sha256))
        return accord_fail(ACCORD_ENOTFOUND, NULL, "no attachment '%s': attachments are named by the lowercase hex"
                                                   " SHA-256 of their bytes", sha256);
    int rc = implementation_attachment_released(req->db, sha256, &released, name, sizeof name);
    if (!rc && !released)
        rc = implementation_upload_name(req->db, party, sha256, name, sizeof name);
    if (!rc)
        rc = attachment_read(req->db, sha256, &req->text, &media_type);
    if (rc)
        return rc;
    req->content_type = media_type;
    /* The bytes behind a hash never change, and a release is final. */
    req->cache_control = released ? "public, max-age=31536000, immutable" : "private, no-store";
    content_disposition(name, req->content_disposition, sizeof req->content_disposition);
    return ACCORD_OK;
}
