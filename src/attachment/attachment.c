#include "attachment/attachment.h"

#include <jansson.h>
#include <magic.h>
#include <pthread.h>
#include <stdio.h>
#include <sodium.h>
#include <stdint.h>
#include <string.h>

#include "store/lookup.h"
#include "util/error.h"
#include "util/sha256.h"

/* What libmagic 5.44 reports for each allowed type (MAGIC_MIME_TYPE). An
 * OOXML file is recognized by the names of its first zip entries, as
 * Word, Excel and LibreOffice write them; a zip whose parts come in
 * another order is "application/zip", and refused like any zip. */
static const char *const allowed_types[] = {
    "application/pdf",
    "image/png",
    "image/jpeg",
    "text/plain",
    "text/csv",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
};

const char *attachment_allowed_type(const char *media_type)
{
    for (size_t i = 0; media_type && i < sizeof allowed_types / sizeof allowed_types[0]; i++)
        if (strcmp(media_type, allowed_types[i]) == 0)
            return allowed_types[i];
    return NULL;
}

/* ---- type detection ------------------------------------------------------ */

/* One libmagic handle for the process, loaded on first use. A magic_t is
 * not safe to share between threads, so every use holds 'magic_lock';
 * detection looks at the first few MiB only and takes about a millisecond
 * for a full-size file, so the lock is never held long. */
static pthread_once_t magic_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t magic_lock = PTHREAD_MUTEX_INITIALIZER;
static magic_t magic_cookie;

static void magic_setup(void)
{
    magic_cookie = magic_open(MAGIC_MIME_TYPE);
    if (magic_cookie && magic_load(magic_cookie, NULL) != 0) {
        magic_close(magic_cookie);
        magic_cookie = NULL;
    }
}

/* The type libmagic finds in 'bytes', copied into 'out'. */
static int detect_type(const void *bytes, size_t size, char *out, size_t len)
{
    pthread_once(&magic_once, magic_setup);
    if (!magic_cookie)
        return accord_fail(ACCORD_EENV, NULL, "cannot load the file type database (libmagic)");
    pthread_mutex_lock(&magic_lock);
    const char *type = magic_buffer(magic_cookie, bytes, size);
    snprintf(out, len, "%s", type ? type : "");
    pthread_mutex_unlock(&magic_lock);
    if (!out[0])
        return accord_fail(ACCORD_EENV, NULL, "libmagic could not examine the file");
    return ACCORD_OK;
}

int attachment_inspect(const void *bytes, size_t size, attachment_file *out)
{
    if (size == 0)
        return accord_fail(ACCORD_EINVAL, NULL, "the file is empty: send its bytes as the request body");
    if (size > ATTACHMENT_MAX_SIZE)
        return accord_fail(ACCORD_ETOOBIG, NULL, "the file is %zu bytes; an attachment may have at most %zu (8 MiB)",
                           size, ATTACHMENT_MAX_SIZE);
    char found[128];
    int rc = detect_type(bytes, size, found, sizeof found);
    if (rc)
        return rc;
    out->media_type = attachment_allowed_type(found);
    if (!out->media_type)
        return accord_fail(ACCORD_EMEDIA, NULL, "the file's content is %s; attachments may be " ATTACHMENT_TYPES,
                           found);
    uint8_t digest[SHA256_SIZE];
    sha256(digest, bytes, size);
    sodium_bin2hex(out->sha256, sizeof out->sha256, digest, sizeof digest);
    out->bytes = bytes;
    out->size = size;
    return ACCORD_OK;
}

/* ---- names and hashes ------------------------------------------------------ */

bool attachment_sha256_valid(const char *hex)
{
    if (!hex || strlen(hex) != ATTACHMENT_SHA256_HEX)
        return false;
    for (const char *p = hex; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
            return false;
    return true;
}

static bool valid_utf8(const char *s, size_t len)
{
    /* jansson refuses to make a string of invalid UTF-8. */
    json_t *probe = json_stringn(s, len);
    json_decref(probe);
    return probe != NULL;
}

/* The code point starting at 'p' in valid UTF-8; its length in '*len'. */
static uint32_t code_point(const unsigned char *p, size_t *len)
{
    if (p[0] < 0x80) {
        *len = 1;
        return p[0];
    }
    *len = p[0] >= 0xf0 ? 4 : p[0] >= 0xe0 ? 3 : 2;
    uint32_t c = p[0] & (0x3f >> (*len - 1));
    for (size_t i = 1; i < *len; i++)
        c = (c << 6) | (p[i] & 0x3f);
    return c;
}

/* What makes code point 'c' unfit for a file name, or NULL. Bidirectional
 * controls make a name display as something else ("\u202Egnp.exe" shows
 * as "exe.png"); control characters and line separators break the
 * headers and lists the name is shown in. */
static const char *unfit_in_name(uint32_t c)
{
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f))
        return "a control character";
    if ((c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) || c == 0x200e || c == 0x200f || c == 0x061c)
        return "a bidirectional control, which can make a name look like another";
    if (c == 0x2028 || c == 0x2029)
        return "a line separator";
    if (c == '"' || c == '/' || c == '\\')
        return "a quote, slash or backslash";
    return NULL;
}

int attachment_check_name(const char *name, const char *field)
{
    size_t len = name ? strlen(name) : 0, n;
    if (len == 0 || len > ATTACHMENT_MAX_NAME)
        return accord_fail(ACCORD_EINVAL, field, "%s: a file name of 1 to %d bytes is required", field,
                           ATTACHMENT_MAX_NAME);
    if (!valid_utf8(name, len))
        return accord_fail(ACCORD_EINVAL, field, "%s: the file name is not valid UTF-8", field);
    for (const unsigned char *p = (const unsigned char *)name; *p; p += n) {
        uint32_t c = code_point(p, &n);
        const char *why = unfit_in_name(c);
        if (why)
            return accord_fail(ACCORD_EINVAL, field, "%s: U+%04X at byte %zu is %s; a file name may not hold it",
                               field, (unsigned)c, (size_t)(p - (const unsigned char *)name), why);
    }
    if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
        return accord_fail(ACCORD_EINVAL, field, "%s: '%s' is not a file name", field, name);
    return ACCORD_OK;
}

/* ---- the store --------------------------------------------------------------- */

int attachment_put(store *db, const attachment_file *f)
{
    return store_run(db,
                     "INSERT INTO attachment_blob (sha256, media_type, size, bytes) VALUES (?, ?, ?, ?)"
                     " ON CONFLICT (sha256) DO NOTHING",
                     "ssib", f->sha256, f->media_type, (int64_t)f->size, f->bytes, f->size);
}

int attachment_stat(store *db, const char *sha256, const char *field, const char **media_type, int64_t *size)
{
    store_stmt *st;
    int rc = store_first_row(db, &st, "SELECT media_type, size FROM attachment_blob WHERE sha256 = ?", "s", sha256);
    if (rc == STORE_ROW) {
        *media_type = attachment_allowed_type(store_col_text(st, 0));
        *size = store_col_int(st, 1);
    }
    store_stmt_close(st);
    if (rc == STORE_DONE)
        return accord_fail(ACCORD_ENOTFOUND, field, "%s: no file with SHA-256 %s is stored", field, sha256);
    if (rc < 0)
        return rc;
    if (!*media_type)
        return accord_fail(ACCORD_ESTORE, field, "stored file %s has a type outside the allow-list", sha256);
    return ACCORD_OK;
}

int attachment_read(store *db, const char *sha256, buf *out, const char **media_type)
{
    store_stmt *st;
    int rc = store_first_row(db, &st, "SELECT media_type, bytes FROM attachment_blob WHERE sha256 = ?", "s", sha256);
    if (rc == STORE_ROW) {
        size_t len;
        const void *bytes = store_col_blob(st, 1, &len);
        *media_type = attachment_allowed_type(store_col_text(st, 0));
        rc = *media_type ? buf_append(out, bytes, len)
                         : accord_fail(ACCORD_ESTORE, NULL, "stored file %s has a type outside the allow-list", sha256);
    } else if (rc == STORE_DONE) {
        rc = accord_fail(ACCORD_ENOTFOUND, NULL, "no file with SHA-256 %s is stored here", sha256);
    }
    store_stmt_close(st);
    return rc;
}
