/* Bulk work on implementation reports, as secretariats and focal points do
 * it: a template per party and cycle (one row per provision) to fill in a
 * spreadsheet, the import of a filled-in file (all rows or none), and the
 * published results (the matrix, released reports) as CSV, XLSX or JSON.
 *
 * The file formats are the tabular module's; the rules are the
 * implementation module's (every imported row becomes one report.drafted
 * event, checked by the same applier as a draft saved over HTTP). */
#ifndef ACCORD_BULK_BULK_H
#define ACCORD_BULK_BULK_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "events/events.h"
#include "store/db.h"
#include "tabular/tabular.h"
#include "util/buf.h"

/* Problems an import lists at most; it counts them all. */
#define BULK_MAX_ERRORS 1000
#define BULK_MAX_IMPORT ((size_t)8 << 20) /* bytes of an imported file */

/* The columns of a template, in order. provision_text is a reading aid,
 * ignored on import. */
#define BULK_TEMPLATE_COLUMNS \
    "party, provision, provision_text, status, narrative, measures, evidence, assistance_needs"

/* What an export is written as. */
typedef enum bulk_format { BULK_JSON, BULK_CSV, BULK_XLSX } bulk_format;

/* "json", "csv" or "xlsx" into '*out' (NULL is JSON). Fails ACCORD_EINVAL
 * naming "format". */
int bulk_format_parse(const char *name, bulk_format *out);

/* The media type and the file name extension of 'f'. */
const char *bulk_content_type(bulk_format f);
const char *bulk_extension(bulk_format f);

/* Appends to 'out' the template of 'party' for cycle 'cycle' of 'slug':
 * a header row, then one row per provision, filled with the party's
 * latest draft where there is one. Fails ACCORD_ENOTFOUND for an unknown
 * instrument, cycle or party. The drafts are private: only their party's
 * focal point (or an admin, or a reviewer) may be given this. */
int bulk_template(store *db, const char *slug, const char *cycle, const char *party, tabular_format f, buf *out);

/* Appends matrix 'm' (implementation_matrix) to 'out' as a table: a row
 * per party and provision (party, party_name, provision, rating,
 * self_assessment). */
int bulk_matrix_table(const json_t *m, tabular_format f, buf *out);

/* Appends the released reports 'reports' (implementation_released) to
 * 'out' as a table: party, provision, version, status, narrative,
 * measures, evidence, assistance_needs, released_at. */
int bulk_released_table(const json_t *reports, tabular_format f, buf *out);

/* An import of a filled-in template. The caller sets the first fields,
 * runs bulk_import_prepare() (anywhere) and then bulk_import_apply()
 * (inside a write transaction), and frees it with bulk_import_free(). */
typedef struct bulk_import {
    const char *slug;  /* the instrument */
    const char *cycle; /* the cycle's code */
    const char *party; /* every row must be this party's; NULL lets rows name any party (the operator) */
    const actor *who;  /* who makes the drafts */
    bool list_rows;    /* fill 'rows' with what each imported row became */

    size_t imported;  /* rows that became a new draft version */
    size_t unchanged; /* rows equal to the latest draft: no new version */
    size_t blank;     /* rows of the template left empty */
    uint64_t first_index, last_index; /* log indexes of the first and last new draft */
    json_t *rows;   /* with list_rows: [{line, party, provision, version, log_index}] */
    json_t *errors; /* [{line, column, reason}], at most BULK_MAX_ERRORS */
    size_t nerrors; /* every problem found */
    size_t bad_rows;

    /* Private: the rows read, as event data, with their lines. */
    json_t *pending;
    unsigned long *lines;
} bulk_import;

/* Reads the CSV or XLSX file 'data' (told apart by content) and checks
 * every row by itself: the header, the columns each row fills, the status,
 * the lengths, the evidence, a party and provision given twice. Every
 * problem goes to im->errors with its line and column. Returns 0 even
 * when rows are bad (bulk_import_apply() reports them); fails ACCORD_ERULE
 * when the file itself cannot be read. */
int bulk_import_prepare(bulk_import *im, const void *data, size_t len);

/* Inside the caller's write transaction: checks each good row against the
 * recorded state and appends it as one report.drafted event (a row equal
 * to the latest draft is left alone). Fails ACCORD_ERULE when any row of
 * the file is bad, with every problem in im->errors; the caller must then
 * roll back, and nothing of the file is kept. Fails ACCORD_ENOTFOUND for
 * an unknown instrument or cycle. */
int bulk_import_apply(store *db, bulk_import *im);

/* Frees what an import holds. */
void bulk_import_free(bulk_import *im);

#endif
