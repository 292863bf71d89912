/* Attachments: a content-addressed store of uploaded files.
 *
 * A file is kept once, under the lowercase hex SHA-256 of its bytes, with
 * the media type found by looking at those bytes (libmagic), never at the
 * name or the Content-Type the uploader claimed. Only the types of the
 * allow-list are taken, and at most ATTACHMENT_MAX_SIZE bytes.
 *
 * The store is private: it holds bytes, not facts. Who uploaded a file and
 * where it is used are recorded by the modules that use it (reports, in
 * implementation), whose events name the file by its hash. The bytes are
 * written inside the transaction of such an event (events_append_with),
 * so a file is never stored without the event that names it. */
#ifndef ACCORD_ATTACHMENT_ATTACHMENT_H
#define ACCORD_ATTACHMENT_ATTACHMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/db.h"
#include "util/buf.h"

#define ATTACHMENT_MAX_SIZE ((size_t)8 * 1024 * 1024) /* bytes of one file */
#define ATTACHMENT_MAX_NAME 200                       /* bytes of a file name (UTF-8) */
#define ATTACHMENT_SHA256_HEX 64

/* The allow-list, as users know the types. */
#define ATTACHMENT_TYPES "PDF, PNG, JPEG, plain text, CSV, DOCX, XLSX, ODT, ODS"

/* A file that passed inspection. */
typedef struct attachment_file {
    const void *bytes; /* borrowed from the caller */
    size_t size;
    char sha256[ATTACHMENT_SHA256_HEX + 1]; /* lowercase hex SHA-256 of the bytes */
    const char *media_type;                 /* static: one of the allow-list */
} attachment_file;

/* Hashes 'size' bytes at 'bytes' and finds their type by content, into
 * '*out' (which borrows 'bytes'). Fails ACCORD_EINVAL when empty,
 * ACCORD_ETOOBIG past ATTACHMENT_MAX_SIZE, ACCORD_EMEDIA when the type is
 * not on the allow-list (the message names the type found), ACCORD_EENV
 * when the type database cannot be loaded. Safe from any thread. */
int attachment_inspect(const void *bytes, size_t size, attachment_file *out);

/* The allow-list's own copy of 'media_type' (a static string), or NULL
 * when the type is not allowed. */
const char *attachment_allowed_type(const char *media_type);

/* True when 'hex' is 64 lowercase hex digits. */
bool attachment_sha256_valid(const char *hex);

/* Fails ACCORD_EINVAL naming 'field' unless 'name' is a file name that is
 * safe to give back in a Content-Disposition header: 1 to
 * ATTACHMENT_MAX_NAME bytes of UTF-8 without control characters, quotes,
 * slashes or backslashes, and not "." or "..". */
int attachment_check_name(const char *name, const char *field);

/* Stores the inspected file 'f' inside the caller's open transaction,
 * unless the same bytes are already stored (then nothing is written). */
int attachment_put(store *db, const attachment_file *f);

/* The media type (a static string) and size of stored file 'sha256'.
 * Fails ACCORD_ENOTFOUND naming 'field' when no such bytes are stored. */
int attachment_stat(store *db, const char *sha256, const char *field, const char **media_type, int64_t *size);

/* Appends the bytes of stored file 'sha256' to 'out' (whose cap must
 * allow ATTACHMENT_MAX_SIZE) and gives its media type (static). Fails
 * ACCORD_ENOTFOUND when the bytes are not stored here. */
int attachment_read(store *db, const char *sha256, buf *out, const char **media_type);

#endif
