/* The dataset loader (dataset/), as `accord load` reads a file: JSON,
 * then organizations, groups, instruments, provisions, actions and
 * reported totals turned into events. Each input loads into a fresh copy
 * of a database that `accord init` would make (schema and ISO 3166-1
 * states), so a run does not depend on the inputs before it. The copy
 * lives in a private directory under $TMPDIR (or /dev/shm when there is
 * one: it is rewritten for every input). */
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dataset/dataset.h"
#include "events/events.h"
#include "fuzz.h"
#include "registry/registry.h"
#include "store/db.h"
#include "util/buf.h"
#include "util/error.h"

#define ISO_3166 "/usr/share/iso-codes/json/iso_3166-1.json"

static char dir[256], db_path[300];
static buf template_db;

static void die(const char *what)
{
    fprintf(stderr, "fuzz_dataset: %s: %s\n", what, accord_error_message());
    abort();
}

/* Removes the database and its journals at 'path'. */
static void remove_db(const char *path)
{
    char side[320];
    unlink(path);
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-journal", path);
    unlink(side);
}

static void make_template(void)
{
    store *db = NULL;
    json_t *states = NULL, *s;
    size_t i;

    if (store_open(&db, db_path, true) || store_migrate(db) || registry_iso_states(ISO_3166, &states) ||
        events_begin(db))
        die("template");
    json_array_foreach(states, i, s)
        if (events_append(db, &ACTOR_OPERATOR, "party.registered", s, NULL))
            die("template states");
    if (events_commit(db))
        die("template commit");
    json_decref(states);
    store_close(db);
    buf_init(&template_db, (size_t)256 << 20);
    if (buf_append_file(&template_db, db_path))
        die("template read");
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    const char *tmp = getenv("TMPDIR");
    struct stat st;

    (void)argc;
    (void)argv;
    if (!tmp)
        tmp = stat("/dev/shm", &st) == 0 && access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    snprintf(dir, sizeof dir, "%s/accord-fuzz-dataset-XXXXXX", tmp);
    if (!mkdtemp(dir))
        abort();
    snprintf(db_path, sizeof db_path, "%s/accord.db", dir);
    make_template();
    return 0;
}

/* Puts a fresh copy of the template at db_path. */
static void fresh_copy(void)
{
    remove_db(db_path);
    int fd = open(db_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || write(fd, template_db.data, template_db.len) != (ssize_t)template_db.len || close(fd) != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_error_t err;
    dataset_counts counts;
    store *db = NULL;

    /* As dataset_load_file() reads a file. */
    json_t *doc = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &err);
    if (!doc)
        return 0;
    fresh_copy();
    if (store_open(&db, db_path, false))
        die("open");
    dataset_load(db, &ACTOR_OPERATOR, doc, &counts);
    store_close(db);
    json_decref(doc);
    return 0;
}

/* libFuzzer has no teardown hook; the directory goes at exit. */
__attribute__((destructor)) static void cleanup(void)
{
    if (dir[0]) {
        remove_db(db_path);
        rmdir(dir);
    }
}
