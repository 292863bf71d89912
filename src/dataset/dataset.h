/* Loading an instrument dataset (docs/dataset.md): organizations, groups
 * with memberships, instruments with provisions, actions, reported totals
 * and known gaps. The whole file becomes events in one transaction: it
 * loads completely or not at all. */
#ifndef ACCORD_DATASET_DATASET_H
#define ACCORD_DATASET_DATASET_H

#include <jansson.h>

#include "events/events.h"
#include "store/db.h"

typedef struct dataset_counts {
    int events;
    int organizations;
    int groups;
    int memberships;
    int instruments;
    int provisions;
    int actions;
    int reported_totals;
} dataset_counts;

/* Loads the dataset in 'doc' as events made by 'who'. On failure nothing
 * is written and the message names the place in the file
 * ("instruments[0].actions[3]: date: ..."). */
int dataset_load(store *db, const actor *who, const json_t *doc, dataset_counts *out);

/* Reads the file at 'path' and loads it with dataset_load(). */
int dataset_load_file(store *db, const actor *who, const char *path, dataset_counts *out);

#endif
