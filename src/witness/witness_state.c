/* The witness's state file and its shared strict parsers. See
 * witness_int.h and docs/internals/witness.md. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <libgen.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "tlog/checkpoint.h"
#include "tlog/note.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/sha256.h"
#include "witness/witness_int.h"

#define STATE_FORMAT "accord-witness-state/1"
#define STATE_MAX_SIZE ((size_t)16 << 20) /* far above any real witness */
#define PATH_CAP 4096

bool wparse_size(const char *s, size_t len, uint64_t *out)
{
    uint64_t v = 0;

    if (len == 0 || len > 20 || (len > 1 && s[0] == '0'))
        return false;
    for (size_t i = 0; i < len; i++) {
        unsigned d = (unsigned)(unsigned char)s[i] - '0';
        if (d > 9 || v > (UINT64_MAX - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

bool wparse_hash(const char *s, size_t len, uint8_t out[MERKLE_HASH_SIZE])
{
    char again[sodium_base64_ENCODED_LEN(MERKLE_HASH_SIZE, sodium_base64_VARIANT_ORIGINAL)];
    size_t got = 0;

    if (len != sizeof again - 1)
        return false;
    if (sodium_base642bin(out, MERKLE_HASH_SIZE, s, len, NULL, &got, NULL, sodium_base64_VARIANT_ORIGINAL) != 0 ||
        got != MERKLE_HASH_SIZE)
        return false;
    /* Re-encoding refuses spellings with stray low bits in the last
     * character: one hash, one text. */
    sodium_bin2base64(again, sizeof again, out, MERKLE_HASH_SIZE, sodium_base64_VARIANT_ORIGINAL);
    return memcmp(again, s, len) == 0;
}

/* ------------------------------------------------------------------------
 * Reading
 * ---------------------------------------------------------------------- */

/* Reads the whole file 'path' into 'out' (capped). Sets '*missing' when it
 * does not exist. */
static int read_file(const char *path, buf *out, bool *missing)
{
    FILE *f = fopen(path, "rbe");
    char chunk[65536];
    size_t got;
    int rc = ACCORD_OK;

    *missing = false;
    if (!f) {
        if (errno == ENOENT) {
            *missing = true;
            return ACCORD_OK;
        }
        return accord_fail(ACCORD_ESTORE, "state", "cannot read witness state %s: %s", path, strerror(errno));
    }
    while (!rc && (got = fread(chunk, 1, sizeof chunk, f)) > 0)
        rc = buf_append(out, chunk, got);
    if (!rc && ferror(f))
        rc = accord_fail(ACCORD_ESTORE, "state", "cannot read witness state %s", path);
    fclose(f);
    if (rc == ACCORD_ETOOBIG)
        rc = accord_fail(ACCORD_ESTORE, "state", "witness state %s is over %zu bytes", path, STATE_MAX_SIZE);
    return rc;
}

void wrecord_hash_origin(wrecord *r)
{
    uint8_t h[SHA256_SIZE];

    sha256(h, r->origin, strlen(r->origin));
    sodium_bin2hex(r->origin_hash, sizeof r->origin_hash, h, sizeof h);
}

void wrecords_free(wrecord *recs, size_t n)
{
    for (size_t i = 0; recs && i < n; i++)
        free(recs[i].checkpoint);
    free(recs);
}

/* The optional "checkpoint" of an entry: a signed note of the recorded
 * size and root, as the witness served it. NULL when absent. */
static int parse_served(const char *path, const json_t *v, wrecord *r)
{
    const json_t *served = json_object_get(v, "checkpoint");
    checkpoint cp;

    if (!served)
        return ACCORD_OK;
    const char *text = json_string_value(served);
    size_t len = text ? strlen(text) : 0;
    const char *blank = text ? strstr(text, "\n\n") : NULL;
    if (!text || len > NOTE_MAX_SIZE || !blank ||
        checkpoint_parse(text, (size_t)(blank - text) + 1, &cp) != ACCORD_OK || strcmp(cp.origin, r->origin) != 0 ||
        cp.size != r->size || memcmp(cp.root, r->root, MERKLE_HASH_SIZE) != 0)
        return accord_fail(ACCORD_ESTORE, "state", "witness state %s: the checkpoint of log %s is not a signed "
                           "checkpoint of its size and root", path, r->origin);
    r->checkpoint = strdup(text);
    return r->checkpoint ? ACCORD_OK : accord_fail(ACCORD_ENOMEM, NULL, "out of memory");
}

/* Fills 'r' from the entry 'origin': {"size": "<decimal>", "root":
 * "<base64>"}, and since the witness serves checkpoints to monitors,
 * optionally "checkpoint": "<signed note>". */
static int parse_record(const char *path, const char *origin, const json_t *v, wrecord *r)
{
    const char *size = json_string_value(json_object_get(v, "size"));
    const char *root = json_string_value(json_object_get(v, "root"));
    size_t olen = strlen(origin);
    size_t fields = 2 + (json_object_get(v, "checkpoint") != NULL);

    memset(r, 0, sizeof *r);
    if (olen == 0 || olen > CHECKPOINT_MAX_ORIGIN || !note_line_valid(origin, olen))
        return accord_fail(ACCORD_ESTORE, "state", "witness state %s: an origin is not a valid checkpoint origin",
                           path);
    if (!json_is_object(v) || json_object_size(v) != fields || !size || !root ||
        !wparse_size(size, strlen(size), &r->size) || !wparse_hash(root, strlen(root), r->root))
        return accord_fail(ACCORD_ESTORE, "state", "witness state %s: log %s needs a decimal \"size\", a "
                           "base64 \"root\", an optional \"checkpoint\" and nothing else", path, origin);
    memcpy(r->origin, origin, olen + 1);
    wrecord_hash_origin(r);
    r->cosigned = true;
    return parse_served(path, v, r);
}

/* Turns the document 'doc' into records, in '*out' with 'extra' spare
 * slots. */
static int parse_state(const char *path, const json_t *doc, size_t extra, wrecord **out, size_t *n)
{
    const json_t *logs = json_object_get(doc, "logs");
    const char *format = json_string_value(json_object_get(doc, "format"));
    const char *origin;
    json_t *v;
    int rc = ACCORD_OK;

    if (!json_is_object(doc) || json_object_size(doc) != 2 || !format || strcmp(format, STATE_FORMAT) != 0 ||
        !json_is_object(logs))
        return accord_fail(ACCORD_ESTORE, "state", "witness state %s is not an %s document", path, STATE_FORMAT);
    *out = calloc(json_object_size(logs) + extra + 1, sizeof **out);
    if (!*out)
        return accord_fail(ACCORD_ENOMEM, NULL, "out of memory");
    *n = 0;
    json_object_foreach((json_t *)logs, origin, v) {
        rc = parse_record(path, origin, v, &(*out)[*n]);
        if (rc)
            break;
        (*n)++;
    }
    if (rc) {
        wrecords_free(*out, *n);
        *out = NULL;
        *n = 0;
    }
    return rc;
}

int wstate_load(const char *path, size_t extra, wrecord **out, size_t *n, bool *missing)
{
    buf text;
    json_t *doc = NULL;
    json_error_t jerr;
    int rc;

    *out = NULL;
    *n = 0;
    buf_init(&text, STATE_MAX_SIZE);
    rc = read_file(path, &text, missing);
    if (!rc && *missing) {
        *out = calloc(extra + 1, sizeof **out);
        rc = *out ? ACCORD_OK : accord_fail(ACCORD_ENOMEM, NULL, "out of memory");
    } else if (!rc) {
        /* Duplicate origins would make the file mean two things. */
        doc = json_loadb(text.data ? text.data : "", text.len, JSON_REJECT_DUPLICATES, &jerr);
        rc = doc ? parse_state(path, doc, extra, out, n)
                 : accord_fail(ACCORD_ESTORE, "state", "witness state %s: line %d: %s", path, jerr.line, jerr.text);
    }
    json_decref(doc);
    buf_free(&text);
    return rc;
}

/* ------------------------------------------------------------------------
 * Writing
 * ---------------------------------------------------------------------- */

/* The state document of the cosigned records (caller frees). */
static char *state_text(const wrecord *recs, size_t n)
{
    json_t *logs = json_object();
    json_t *doc = json_pack("{s:s, s:o}", "format", STATE_FORMAT, "logs", logs);
    char *text = NULL;

    for (size_t i = 0; doc && i < n; i++) {
        char size[24], root[sodium_base64_ENCODED_LEN(MERKLE_HASH_SIZE, sodium_base64_VARIANT_ORIGINAL)];
        if (!recs[i].cosigned)
            continue;
        snprintf(size, sizeof size, "%" PRIu64, recs[i].size);
        sodium_bin2base64(root, sizeof root, recs[i].root, MERKLE_HASH_SIZE, sodium_base64_VARIANT_ORIGINAL);
        json_t *entry = json_pack("{s:s, s:s}", "size", size, "root", root);
        if (entry && recs[i].checkpoint)
            json_object_set_new(entry, "checkpoint", json_string(recs[i].checkpoint));
        json_object_set_new(logs, recs[i].origin, entry);
    }
    if (doc)
        text = json_dumps(doc, JSON_INDENT(2) | JSON_SORT_KEYS);
    json_decref(doc);
    return text;
}

/* write() until done, across short writes and EINTR. Returns 0 or -1. */
static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Writes 'text' and a newline to the new file 'tmp' and fsyncs it. */
static int write_synced(const char *tmp, const char *text)
{
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return accord_fail(ACCORD_ESTORE, "state", "cannot create %s: %s", tmp, strerror(errno));
    int ok = write_all(fd, text, strlen(text)) == 0 && write_all(fd, "\n", 1) == 0 && fsync(fd) == 0;
    int e = errno;
    ok = close(fd) == 0 && ok;
    return ok ? ACCORD_OK : accord_fail(ACCORD_ESTORE, "state", "cannot write %s: %s", tmp, strerror(e));
}

/* Makes the rename in the directory of 'path' durable: without this the
 * new name can be lost in a crash even though the file's data is not. */
static int sync_dir(const char *path)
{
    char copy[PATH_CAP];
    snprintf(copy, sizeof copy, "%s", path);
    const char *dir = dirname(copy);
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return accord_fail(ACCORD_ESTORE, "state", "cannot open directory %s: %s", dir, strerror(errno));
    int ok = fsync(fd) == 0;
    int e = errno;
    close(fd);
    return ok ? ACCORD_OK : accord_fail(ACCORD_ESTORE, "state", "cannot sync directory %s: %s", dir, strerror(e));
}

int wstate_save(const char *path, const wrecord *recs, size_t n)
{
    char tmp[PATH_CAP + 8];
    int rc;

    if (strlen(path) >= PATH_CAP)
        return accord_fail(ACCORD_ESTORE, "state", "witness state path is too long");
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    char *text = state_text(recs, n);
    if (!text)
        return accord_fail(ACCORD_ENOMEM, NULL, "out of memory");
    rc = write_synced(tmp, text);
    free(text);
    if (!rc && rename(tmp, path) != 0)
        rc = accord_fail(ACCORD_ESTORE, "state", "cannot rename %s to %s: %s", tmp, path, strerror(errno));
    if (rc) {
        unlink(tmp);
        return rc;
    }
    return sync_dir(path);
}

int wstate_lock(const char *path, int *fd)
{
    char lock[PATH_CAP + 8];

    if (strlen(path) >= PATH_CAP)
        return accord_fail(ACCORD_EENV, "state", "witness state path is too long");
    snprintf(lock, sizeof lock, "%s.lock", path);
    *fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (*fd < 0)
        return accord_fail(ACCORD_EENV, "state", "cannot create %s: %s", lock, strerror(errno));
    /* Two witnesses on one state file could each accept a different
     * size and overwrite the other's record: a rollback. */
    if (flock(*fd, LOCK_EX | LOCK_NB) != 0) {
        int e = errno;
        close(*fd);
        *fd = -1;
        return accord_fail(ACCORD_EENV, "state", "%s: %s", lock,
                           e == EWOULDBLOCK ? "another witness is serving this state" : strerror(e));
    }
    return ACCORD_OK;
}
