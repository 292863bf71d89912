#include "store/row_json.h"

#include "util/error.h"

json_t *store_row_json(store_stmt *st, const char *const *keys)
{
    json_t *o = json_object();
    for (int i = 0; keys[i]; i++) {
        switch (store_col_type(st, i)) {
        case STORE_NULL: json_object_set_new(o, keys[i], json_null()); break;
        case STORE_INT: json_object_set_new(o, keys[i], json_integer(store_col_int(st, i))); break;
        default: json_object_set_new(o, keys[i], json_string(store_col_text(st, i))); break;
        }
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
