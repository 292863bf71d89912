/* Reference data files shipped with accord in data/ (the UN M49 regions),
 * found the same way by every command, the server and the tests.
 *
 * Where: $ACCORD_DATA_DIR when it is set (and only there), else the data/
 * directory of the source tree the program was built from (running from
 * the build directory, `make run`, the tests and benchmarks), else the
 * installed copy in <prefix>/share/accord. */
#ifndef ACCORD_UTIL_DATADIR_H
#define ACCORD_UTIL_DATADIR_H

#include <jansson.h>
#include <stddef.h>

/* Writes into 'out' ('len' bytes) the path of the first existing copy of
 * data file 'name' ("un-m49.json"). Fails ACCORD_EENV with a message
 * listing every place tried when there is none. */
int datadir_find(const char *name, char *out, size_t len);

/* A data file read once at start, and why it cannot be used. Each module
 * that loads one keeps one of these with its table. */
typedef struct datadir_file {
    const char *what; /* what the file holds, for messages: "UN M49 regions" */
    const char *hint; /* what to do about a bad file: "regenerate it with scripts/un-m49.sh" */
    char path[4096];  /* where it was found */
    char message[4608]; /* why it cannot be used, once refused */
} datadir_file;

/* Finds data file 'name' and parses it as JSON into '*out' (the caller
 * decrefs it). Fails ACCORD_EENV with the reason in f->message (not in
 * the thread's error: loading runs once, under pthread_once, and the
 * reason is given to every later caller). */
int datadir_load_json(datadir_file *f, const char *name, json_t **out);

/* Records in f->message why the file cannot be used, as
 * "<what> <path>: <reason> (<hint>)", and returns ACCORD_EENV. */
int datadir_refuse(datadir_file *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
