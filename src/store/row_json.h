/* Turning result rows into JSON for the read views. */
#ifndef ACCORD_STORE_ROW_JSON_H
#define ACCORD_STORE_ROW_JSON_H

#include <jansson.h>

#include "store/db.h"

/* A new object from the current row of 'st': column i becomes key
 * keys[i] (NULL-terminated list, one per column). Integers stay integers,
 * SQL NULL becomes null. */
json_t *store_row_json(store_stmt *st, const char *const *keys);

/* Runs 'st' to completion, appending store_row_json() of each row to a
 * new array in '*out'; closes 'st'. */
int store_rows_json(store_stmt *st, const char *const *keys, json_t **out);

#endif
