/* Inside the tabular module: building a table as a reader goes. */
#ifndef ACCORD_TABULAR_TABULAR_INT_H
#define ACCORD_TABULAR_TABULAR_INT_H

#include "tabular/tabular.h"

/* Appends an empty row numbered 'line' to 't'; '*out' points at it until
 * the next row is added. */
int tabular__add_row(tabular_table *t, unsigned long line, tabular_row **out);

/* Sets cell 'col' of 'row' to a copy of the 'len' bytes at 's', filling
 * any cells before it with "". Counts the bytes against the table's cap. */
int tabular__set_cell(tabular_table *t, tabular_row *row, size_t col, const char *s, size_t len);


#endif
