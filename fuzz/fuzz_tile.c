/* Tile paths and entry bundles (ledger/tile.c), as GET /log/tile/...
 * receives them. The parser accepts only the canonical form, so a path it
 * accepts must be exactly what tile_path_format() writes back. */
#include <stdio.h>

#include "fuzz.h"
#include "tlog/tile.h"
#include "util/buf.h"

static void bundle_walk(const uint8_t *data, size_t size)
{
    tile_bundle_iter it;
    const uint8_t *entry;
    size_t len;
    buf again;

    buf_init(&again, size + 1);
    tile_bundle_iter_init(&it, data, size);
    int rc;
    while ((rc = tile_bundle_next(&it, &entry, &len)) == 1)
        if (tile_entry_bundle_append(&again, entry, len) != 0)
            abort();
    /* A bundle read whole is rebuilt byte for byte. */
    if (rc == 0 && (again.len != size || (size && memcmp(again.data, data, size) != 0))) {
        fprintf(stderr, "a bundle read whole does not rebuild\n");
        abort();
    }
    buf_free(&again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *path = fuzz_cstring(data, size);
    tile_ref t;
    buf again;

    buf_init(&again, 4096);
    if (tile_path_parse(path, &t) == 0) {
        if (tile_path_format(&t, &again) != 0 || strcmp(again.data, path) != 0) {
            fprintf(stderr, "tile path %s comes back as %s\n", path, again.data ? again.data : "(error)");
            abort();
        }
    }
    buf_free(&again);
    free(path);
    bundle_walk(data, size);
    return 0;
}
