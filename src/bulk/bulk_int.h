/* Inside the bulk module: how evidence links fit in one cell. */
#ifndef ACCORD_BULK_BULK_INT_H
#define ACCORD_BULK_BULK_INT_H

#include <jansson.h>

#include "util/buf.h"

/* Writes evidence links [{title, url}] as one cell: a line per link, its
 * title, a space and its URL (title alone when it has none). Newlines in
 * a title become spaces. */
int bulk__evidence_cell(const json_t *evidence, buf *out);

#endif
