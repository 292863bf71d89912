/* The CSV reader of bulk imports (tabular_read_csv): any bytes, UTF-8 or
 * not, quoted or not. Every cell of a table it accepts must be readable
 * (the importer checks their UTF-8 later, so the reader need not). */
#include "fuzz.h"
#include "tabular/tabular.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tabular_table t;
    unsigned long bad_line = 0;

    memset(&t, 0, sizeof t);
    if (tabular_read_csv(data, size, &t, &bad_line) == 0) {
        for (size_t r = 0; r < t.nrows; r++) {
            tabular_row_blank(&t.rows[r]);
            for (size_t c = 0; c <= t.rows[r].ncells; c++) {
                const char *cell = tabular_cell(&t.rows[r], c);
                tabular_utf8_valid(cell);
            }
        }
    }
    tabular_free(&t);
    return 0;
}
