/* accord log: the log's key, its checkpoint, and a static copy. */
#include <errno.h>
#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "events/events.h"
#include "ledger/identity.h"
#include "ledger/ledger.h"
#include "ledger/publish.h"
#include "tlog/tile.h"
#include "util/error.h"
#include "util/base64.h"
#include "util/files.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: accord log key [--db PATH]          the log's origin and verifier key\n"
               "       accord log checkpoint [--db PATH]   the latest signed checkpoint\n"
               "       accord log export [--db PATH] DIR   a static copy of the log (tlog-tiles layout)\n"
               "       accord log check-reveal FILE        check a revealed restricted entry (the JSON\n"
               "                                           of GET /api/v1/log/restricted/N) against\n"
               "                                           its public commitment; needs no database\n"
               "\n"
               "'export' writes DIR/checkpoint and every tile and entry bundle for that checkpoint,\n"
               "so the copy can be checked with 'accord verify DIR' or served by any web server.\n");
}

static int print_key(store *db)
{
    ledger_identity id;
    int rc = ledger_identity_get(db, &id);
    if (rc)
        return rc;
    if (id.origin[0])
        printf("origin %s\n", id.origin);
    if (id.vkey[0])
        printf("vkey %s\n", id.vkey);
    return ACCORD_OK;
}

/* Every tile of the tree of 'size' entries: at each level, the full tiles
 * and the partial one at the right edge. */
static int export_tiles(store *db, const char *dir, uint64_t size, uint64_t *files)
{
    buf data, path;
    buf_init(&data, TILE_MAX_BUNDLE);
    buf_init(&path, 256);
    int rc = ACCORD_OK;
    for (int entries = 1; entries >= 0 && !rc; entries--) {
        for (unsigned level = 0; level <= TILE_MAX_LEVEL && !rc; level++) {
            uint64_t count = level * TILE_HEIGHT >= 64 ? 0 : size >> (level * TILE_HEIGHT);
            if (count == 0 || (entries && level > 0))
                break;
            for (uint64_t n = 0; n * TILE_WIDTH < count && !rc; n++) {
                uint64_t left = count - n * TILE_WIDTH;
                tile_ref t = {.entries = entries, .level = level, .index = n,
                              .width = left >= TILE_WIDTH ? TILE_WIDTH : (unsigned)left};
                buf_reset(&data);
                buf_reset(&path);
                rc = tile_path_format(&t, &path);
                if (!rc) rc = publish_tile(db, &t, &data);
                if (!rc) rc = files_write_under(dir, path.data + 1, data.data, data.len);
                (*files)++;
            }
        }
    }
    buf_free(&data);
    buf_free(&path);
    return rc;
}

int cli_log_export(store *db, const char *dir)
{
    buf note;
    buf_init(&note, 1 << 20);
    uint64_t size, files = 1;
    int rc = publish_latest(db, &note, &size);
    if (rc == ACCORD_ENOTFOUND)
        rc = accord_fail(ACCORD_EENV, NULL, "no signed checkpoint yet: run 'accord serve' once to sign one");
    if (!rc && mkdir(dir, 0755) != 0 && errno != EEXIST)
        rc = accord_fail(ACCORD_EENV, NULL, "cannot create %s: %s", dir, strerror(errno));
    if (!rc) rc = export_tiles(db, dir, size, &files);
    if (!rc) rc = files_write_under(dir, "checkpoint", note.data, note.len);
    if (!rc)
        printf("Exported %llu entries (%llu files) to %s\n", (unsigned long long)size, (unsigned long long)files, dir);
    buf_free(&note);
    return rc;
}

/* Checks the JSON of a reveal: salt, entry and public_entry. */
static int check_reveal(const char *path)
{
    json_error_t err;
    json_t *r = json_load_file(path, 0, &err);
    if (!r)
        return accord_fail(ACCORD_EINVAL, NULL, "%s:%d: %s", path, err.line, err.text);
    const char *salt64 = json_string_value(json_object_get(r, "salt"));
    json_t *entry = json_object_get(r, "entry"), *leaf = json_object_get(r, "public_entry");
    uint8_t salt[EVENTS_SALT_SIZE];
    size_t n = 0;
    int rc = ACCORD_OK;
    if (!salt64 || !json_is_string(entry) || !json_is_string(leaf) ||
        !base64_decode_strict(salt64, strlen(salt64), salt, sizeof salt, &n) ||
        n != sizeof salt)
        rc = accord_fail(ACCORD_EINVAL, NULL, "%s: expected salt, entry and public_entry", path);
    if (!rc)
        rc = events_check_reveal(json_string_value(leaf), json_string_length(leaf), salt, json_string_value(entry),
                                 json_string_length(entry));
    if (!rc) {
        uint8_t leafhash[MERKLE_HASH_SIZE];
        char b64[64];
        merkle_leaf_hash(json_string_value(leaf), json_string_length(leaf), leafhash);
        sodium_bin2base64(b64, sizeof b64, leafhash, sizeof leafhash, sodium_base64_VARIANT_ORIGINAL);
        printf("OK: the entry matches its public commitment. Public leaf hash %s\n"
               "(check that leaf with GET /api/v1/log/proof/inclusion?index=%lld).\n",
               b64, (long long)json_integer_value(json_object_get(r, "index")));
    }
    json_decref(r);
    return rc;
}

int cli_log(int argc, char **argv)
{
    const char *dbarg;
    int opt = cli_db_option(argc, argv, usage, &dbarg);
    if (opt >= 0)
        return opt;
    if (optind >= argc) {
        usage(stderr);
        return 1;
    }
    const char *what = argv[optind];
    if (strcmp(what, "check-reveal") == 0) {
        if (optind + 2 != argc) {
            usage(stderr);
            return 1;
        }
        int rc = check_reveal(argv[optind + 1]);
        return rc ? (fprintf(stderr, "FAILED: %s\n", accord_error_message()), accord_error_exit_status(rc)) : 0;
    }
    bool is_export = strcmp(what, "export") == 0;
    if ((is_export && optind + 2 != argc) || (!is_export && optind + 1 != argc) ||
        (!is_export && strcmp(what, "key") && strcmp(what, "checkpoint"))) {
        usage(stderr);
        return 1;
    }
    store *db;
    int status = cli_open_db(dbarg, &db);
    if (status)
        return status;
    int rc;
    if (strcmp(what, "key") == 0) {
        rc = print_key(db);
    } else if (strcmp(what, "checkpoint") == 0) {
        buf note;
        buf_init(&note, 1 << 20);
        rc = publish_latest(db, &note, NULL);
        if (!rc)
            fwrite(note.data, 1, note.len, stdout);
        buf_free(&note);
    } else {
        rc = cli_log_export(db, argv[optind + 1]);
    }
    store_close(db);
    return rc ? cli_fail(rc) : 0;
}
