/* Checkpoint texts (ledger/checkpoint.c). The parser is strict and
 * canonical, so a text it accepts without extension lines must be exactly
 * what checkpoint_format() writes for the values it read. */
#include <stdio.h>

#include "fuzz.h"
#include "tlog/checkpoint.h"
#include "util/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    checkpoint cp;
    buf again;

    if (checkpoint_parse((const char *)data, size, &cp) != 0 || cp.extensions != 0)
        return 0;
    buf_init(&again, size + 1);
    if (checkpoint_format(cp.origin, cp.size, cp.root, &again) != 0 || again.len != size ||
        memcmp(again.data, data, size) != 0) {
        fprintf(stderr, "checkpoint_parse accepted a text checkpoint_format writes otherwise\n");
        abort();
    }
    buf_free(&again);
    return 0;
}
