#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <libgen.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "audit/audit.h"
#include "tlog/merkle.h"
#include "tlog/tile.h"
#include "util/clock.h"
#include "util/error.h"
#include "util/base64.h"

#define MAX_CHECKPOINT (64 * 1024)

int audit_checkpoint(logsrc *s, const note_verifier *log, const note_verifier *witnesses, size_t nwitnesses,
                     checkpoint *out, buf *note)
{
    buf text;
    buf_init(&text, MAX_CHECKPOINT);
    int rc = logsrc_get(s, "checkpoint", MAX_CHECKPOINT, &text);
    if (rc) {
        buf_free(&text);
        return rc == ACCORD_ENOTFOUND || rc == ACCORD_ETOOBIG ? accord_fail_nested(ACCORD_EENV, "log") : rc;
    }
    note_verifier keys[NOTE_MAX_VERIFIERS];
    size_t n = 0;
    if (log)
        keys[n++] = *log;
    for (size_t i = 0; i < nwitnesses && n < NOTE_MAX_VERIFIERS; i++)
        keys[n++] = witnesses[i];
    note_opened opened;
    size_t body_len = text.len;
    if (n) {
        rc = note_open(text.data, text.len, keys, n, &opened);
        if (rc)
            rc = accord_fail_nested(ACCORD_EVERIFY, "checkpoint signature");
        for (size_t i = 0; !rc && i < n; i++)
            if (!opened.verified[i])
                rc = accord_fail(ACCORD_EVERIFY, NULL, "the checkpoint is not signed by %s", keys[i].name);
        body_len = opened.text_len;
    } else {
        const char *blank = strstr(text.data, "\n\n");
        body_len = blank ? (size_t)(blank - text.data) + 1 : text.len;
    }
    if (!rc && checkpoint_parse(text.data, body_len, out))
        rc = accord_fail_nested(ACCORD_EVERIFY, "checkpoint");
    if (!rc && log && strcmp(out->origin, log->name) != 0)
        rc = accord_fail(ACCORD_EVERIFY, NULL, "the checkpoint's origin '%s' is not the key's name '%s'", out->origin,
                         log->name);
    if (!rc && note)
        rc = buf_append(note, text.data, text.len);
    buf_free(&text);
    return rc;
}

int audit_walk_entries(logsrc *s, uint64_t size, audit_entry_fn fn, void *ctx)
{
    buf bundle, path;
    buf_init(&bundle, TILE_MAX_BUNDLE);
    buf_init(&path, 256);
    int rc = ACCORD_OK;
    for (uint64_t n = 0; !rc && n * TILE_WIDTH < size; n++) {
        uint64_t first = n * TILE_WIDTH;
        tile_ref t = {.entries = true, .index = n, .width = size - first >= TILE_WIDTH ? TILE_WIDTH : (unsigned)(size - first)};
        buf_reset(&path);
        rc = tile_path_format(&t, &path);
        if (!rc)
            rc = logsrc_get(s, path.data + 1, TILE_MAX_BUNDLE, &bundle);
        if (rc == ACCORD_ENOTFOUND) {
            char why[512];
            snprintf(why, sizeof why, "%s", accord_error_message());
            rc = accord_fail(ACCORD_EVERIFY, NULL, "entry %llu is missing: %s", (unsigned long long)first, why);
        }
        if (rc)
            break;
        tile_bundle_iter it;
        tile_bundle_iter_init(&it, bundle.data, bundle.len);
        const uint8_t *e;
        size_t len;
        unsigned got = 0;
        int more;
        while (!rc && got < t.width && (more = tile_bundle_next(&it, &e, &len)) == 1) {
            rc = fn(ctx, first + got, e, len);
            got++;
        }
        if (!rc && got < t.width)
            rc = accord_fail(ACCORD_EVERIFY, NULL, "entry %llu is missing (its bundle holds %u of %u entries)",
                             (unsigned long long)(first + got), got, t.width);
    }
    buf_free(&bundle);
    buf_free(&path);
    return rc;
}

/* The right edge of a tree being built leaf by leaf: the roots of the
 * perfect subtrees that make up the current size, largest first. */
typedef struct frontier {
    uint8_t hash[64][MERKLE_HASH_SIZE];
    unsigned level[64];
    int n;
    uint64_t size;
} frontier;

static void frontier_push(frontier *f, const uint8_t leaf[MERKLE_HASH_SIZE])
{
    memcpy(f->hash[f->n], leaf, MERKLE_HASH_SIZE);
    f->level[f->n++] = 0;
    while (f->n >= 2 && f->level[f->n - 1] == f->level[f->n - 2]) {
        merkle_node_hash(f->hash[f->n - 2], f->hash[f->n - 1], f->hash[f->n - 2]);
        f->level[f->n - 2]++;
        f->n--;
    }
    f->size++;
}

static void frontier_root(const frontier *f, uint8_t out[MERKLE_HASH_SIZE])
{
    if (f->n == 0) {
        merkle_empty_root(out);
        return;
    }
    memcpy(out, f->hash[f->n - 1], MERKLE_HASH_SIZE);
    for (int i = f->n - 2; i >= 0; i--)
        merkle_node_hash(f->hash[i], out, out);
}

typedef struct verify_ctx {
    frontier tree;
    uint64_t previous;           /* size to check against the saved root */
    uint8_t previous_root[32];
    uint8_t root_at_previous[32];
} verify_ctx;

static int verify_entry(void *arg, uint64_t index, const uint8_t *entry, size_t len)
{
    verify_ctx *v = arg;
    uint8_t leaf[MERKLE_HASH_SIZE];
    (void)index;
    merkle_leaf_hash(entry, len, leaf);
    frontier_push(&v->tree, leaf);
    if (v->tree.size == v->previous)
        frontier_root(&v->tree, v->root_at_previous);
    return ACCORD_OK;
}

/* After a root mismatch: finds the first entry whose leaf hash differs
 * from the log's published level-0 hash tile, to name it in 'out'. Left
 * empty when the tiles agree with the entries (then the tiles and the
 * signed root disagree instead). */
static void locate_altered(logsrc *s, uint64_t size, char *out, size_t len)
{
    buf tile, bundle, path;
    buf_init(&tile, TILE_WIDTH * MERKLE_HASH_SIZE);
    buf_init(&bundle, TILE_MAX_BUNDLE);
    buf_init(&path, 256);
    out[0] = '\0';
    for (uint64_t n = 0; !out[0] && n * TILE_WIDTH < size; n++) {
        uint64_t first = n * TILE_WIDTH;
        unsigned width = size - first >= TILE_WIDTH ? TILE_WIDTH : (unsigned)(size - first);
        tile_ref h = {.entries = false, .level = 0, .index = n, .width = width};
        tile_ref e = {.entries = true, .level = 0, .index = n, .width = width};
        buf_reset(&path);
        if (tile_path_format(&h, &path) || logsrc_get(s, path.data + 1, tile.cap, &tile))
            break;
        buf_reset(&path);
        if (tile_path_format(&e, &path) || logsrc_get(s, path.data + 1, bundle.cap, &bundle))
            break;
        tile_bundle_iter it;
        tile_bundle_iter_init(&it, bundle.data, bundle.len);
        const uint8_t *entry;
        size_t elen;
        for (unsigned i = 0; i < width && tile_bundle_next(&it, &entry, &elen) == 1; i++) {
            uint8_t leaf[MERKLE_HASH_SIZE];
            merkle_leaf_hash(entry, elen, leaf);
            if (tile.len < (i + 1) * MERKLE_HASH_SIZE || memcmp(leaf, tile.data + i * MERKLE_HASH_SIZE, MERKLE_HASH_SIZE)) {
                snprintf(out, len, "; entry %llu was altered (it does not match its published leaf hash)",
                         (unsigned long long)(first + i));
                break;
            }
        }
    }
    buf_free(&tile);
    buf_free(&bundle);
    buf_free(&path);
}

static int b64_32(const char *text, uint8_t out[32])
{
    size_t n;
    if (!text || !base64_decode_strict(text, strlen(text), out, 32, &n) || n != 32)
        return accord_fail(ACCORD_EENV, NULL, "the state file holds a malformed root");
    return ACCORD_OK;
}

/* Reads the state file: the size and root seen last time for 'origin'. */
static int load_state(const char *path, const char *origin, uint64_t *size, uint8_t root[32])
{
    *size = 0;
    if (!path)
        return ACCORD_OK;
    if (access(path, F_OK) != 0)
        return ACCORD_OK; /* the first check from this machine */
    json_error_t err;
    json_t *st = json_load_file(path, 0, &err);
    if (!st)
        return accord_fail(ACCORD_EENV, NULL, "the state file %s is unreadable (%s); it is kept as it is, "
                           "move it away to start afresh", path, err.text);
    const char *o = json_string_value(json_object_get(st, "origin"));
    int rc = ACCORD_OK;
    if (!o || strcmp(o, origin) != 0)
        rc = accord_fail(ACCORD_EENV, NULL, "%s holds the state of log '%s', not '%s'", path, o ? o : "?", origin);
    if (!rc) {
        *size = (uint64_t)json_integer_value(json_object_get(st, "size"));
        rc = b64_32(json_string_value(json_object_get(st, "root")), root);
    }
    json_decref(st);
    return rc;
}

/* Replaces the state file atomically: temp file, fsync, rename, fsync dir. */
static int save_state(const char *path, const checkpoint *cp, const buf *note)
{
    char root[64], tmp[4200], dir[4200];
    sodium_bin2base64(root, sizeof root, cp->root, 32, sodium_base64_VARIANT_ORIGINAL);
    char now[21];
    clock_now_rfc3339(now);
    json_t *st = json_pack("{s:s, s:I, s:s, s:s%, s:s}", "origin", cp->origin, "size", (json_int_t)cp->size, "root",
                           root, "checkpoint", note->data, note->len, "verified_at", now);
    snprintf(dir, sizeof dir, "%s", path);
    char *d = dirname(dir);
    mkdir(d, 0700);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    char *text = json_dumps(st, JSON_INDENT(2));
    json_decref(st);
    int rc = ACCORD_OK;
    if (fd < 0 || !text || write(fd, text, strlen(text)) != (ssize_t)strlen(text) || fsync(fd) != 0)
        rc = accord_fail(ACCORD_EENV, NULL, "cannot write %s: %s", tmp, strerror(errno));
    if (fd >= 0)
        close(fd);
    free(text);
    if (!rc && rename(tmp, path) != 0)
        rc = accord_fail(ACCORD_EENV, NULL, "cannot replace %s: %s", path, strerror(errno));
    if (!rc) {
        int dfd = open(d, O_RDONLY | O_DIRECTORY);
        if (dfd >= 0) {
            fsync(dfd);
            close(dfd);
        }
    }
    return rc;
}

int audit_verify(logsrc *s, const note_verifier *log, const note_verifier *witnesses, size_t nwitnesses,
                 const char *state_path, audit_report *out)
{
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    checkpoint cp;
    buf note;
    buf_init(&note, MAX_CHECKPOINT);
    verify_ctx *v = calloc(1, sizeof *v);
    if (!v)
        return accord_fail(ACCORD_ENOMEM, NULL, "out of memory");
    int rc = audit_checkpoint(s, log, witnesses, nwitnesses, &cp, &note);
    if (!rc)
        rc = load_state(state_path, cp.origin, &v->previous, v->previous_root);
    if (!rc && v->previous > cp.size)
        rc = accord_fail(ACCORD_EVERIFY, NULL,
                         "rollback: the log now has %llu entries, but you saw a checkpoint of %llu entries before",
                         (unsigned long long)cp.size, (unsigned long long)v->previous);
    if (!rc)
        rc = audit_walk_entries(s, cp.size, verify_entry, v);
    uint8_t root[MERKLE_HASH_SIZE];
    if (!rc) {
        frontier_root(&v->tree, root);
        if (memcmp(root, cp.root, MERKLE_HASH_SIZE) != 0) {
            char where[200];
            locate_altered(s, cp.size, where, sizeof where);
            rc = accord_fail(ACCORD_EVERIFY, NULL,
                             "root mismatch at size %llu: the entries do not hash to the signed root%s",
                             (unsigned long long)cp.size, where);
        }
    }
    if (!rc && v->previous && memcmp(v->root_at_previous, v->previous_root, MERKLE_HASH_SIZE) != 0)
        rc = accord_fail(ACCORD_EVERIFY, NULL,
                         "fork: the first %llu entries no longer match the checkpoint you saw before "
                         "(history was rewritten)",
                         (unsigned long long)v->previous);
    if (!rc && state_path)
        rc = save_state(state_path, &cp, &note);
    if (!rc) {
        clock_gettime(CLOCK_MONOTONIC, &t1);
        out->size = cp.size;
        memcpy(out->root, cp.root, 32);
        out->previous = v->previous;
        out->fetches = logsrc_fetches(s);
        out->seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    }
    free(v);
    buf_free(&note);
    return rc;
}
