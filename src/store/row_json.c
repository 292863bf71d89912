#include "store/row_json.h"

#include <string.h>

#include "util/error.h"

json_t *store_row_json(store_stmt *st, const char *const *keys)
{
    json_t *o = json_object();
    const char *src_title = NULL, *src_url = NULL;
    bool has_source = false;
    for (int i = 0; keys[i]; i++) {
        if (strcmp(keys[i], "source_title") == 0) {
            src_title = store_col_text(st, i);
            has_source = true;
            continue;
        }
        if (strcmp(keys[i], "source_url") == 0) {
            src_url = store_col_text(st, i);
            continue;
        }
        switch (store_col_type(st, i)) {
        case STORE_NULL: json_object_set_new(o, keys[i], json_null()); break;
        case STORE_INT: json_object_set_new(o, keys[i], json_integer(store_col_int(st, i))); break;
        default: json_object_set_new(o, keys[i], json_string(store_col_text(st, i))); break;
        }
    }
    if (has_source) {
        json_t *src = json_null();
        if (src_title) {
            src = json_object();
            json_object_set_new(src, "title", json_string(src_title));
            json_object_set_new(src, "url", src_url ? json_string(src_url) : json_null());
        }
        json_object_set_new(o, "source", src);
    }
    return o;
}

int store_rows_json(store_stmt *st, const char *const *keys, json_t **out)
{
    json_t *arr = json_array();
    int rc;
    while ((rc = store_step(st)) == STORE_ROW)
        json_array_append_new(arr, store_row_json(st, keys));
    store_stmt_close(st);
    if (rc < 0) {
        json_decref(arr);
        return rc;
    }
    *out = arr;
    return ACCORD_OK;
}
