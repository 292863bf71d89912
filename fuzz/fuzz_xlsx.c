/* The XLSX reader of bulk imports (tabular_read_xlsx: libzip, then expat
 * over the shared strings and the first sheet). */
#include "fuzz.h"
#include "tabular/tabular.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tabular_table t;
    unsigned long bad_line = 0;

    memset(&t, 0, sizeof t);
    tabular_is_xlsx(data, size);
    if (tabular_read_xlsx(data, size, &t, &bad_line) == 0) {
        for (size_t r = 0; r < t.nrows; r++)
            for (size_t c = 0; c <= t.rows[r].ncells; c++) {
                const char *cell = tabular_cell(&t.rows[r], c);
                if (cell && !tabular_utf8_valid(cell))
                    abort();
            }
    }
    tabular_free(&t);
    return 0;
}
