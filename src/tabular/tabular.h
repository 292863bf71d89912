/* Table files: CSV (RFC 4180) and XLSX (Office Open XML spreadsheets),
 * read into rows of text cells and written from them.
 *
 * The module knows nothing of what the columns mean. Reading keeps the
 * line (CSV) or row number (XLSX) of each row, so that whoever checks the
 * content can say where a problem is. Writing guards against formula
 * injection: a text cell is never written so that a spreadsheet would run
 * it (tabular.md). */
#ifndef ACCORD_TABULAR_TABULAR_H
#define ACCORD_TABULAR_TABULAR_H

#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"

typedef enum tabular_format { TABULAR_CSV, TABULAR_XLSX } tabular_format;

/* Cell text a read table may hold in all, and the decompressed size of
 * any one part of an XLSX file: past either, reading fails ETOOBIG. */
#define TABULAR_MAX_TEXT ((size_t)256 << 20)
#define TABULAR_MAX_PART ((size_t)512 << 20)
/* The largest sheet a spreadsheet opens (and an XLSX file may hold). */
#define TABULAR_MAX_ROWS 1048576u
#define TABULAR_MAX_COLUMNS 16384u
/* The longest text an XLSX cell holds, in characters. */
#define TABULAR_MAX_XLSX_CELL 32767u

#define TABULAR_CSV_TYPE "text/csv; charset=utf-8"
#define TABULAR_XLSX_TYPE "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

/* One row of a table read from a file. */
typedef struct tabular_row {
    unsigned long line; /* CSV: the line its record starts on; XLSX: its row number (both from 1) */
    size_t ncells;
    char **cells;       /* NUL-terminated text, owned by the table */
} tabular_row;

/* A table read from a file: its non-empty rows in file order (blank XLSX
 * rows are absent from the file; an empty CSV line is a row of one empty
 * cell). */
typedef struct tabular_table {
    tabular_format format;
    size_t nrows;
    tabular_row *rows;
    size_t cap;   /* rows allocated */
    size_t bytes; /* cell text held, at most TABULAR_MAX_TEXT */
} tabular_table;

/* True when 'data' is an XLSX file rather than CSV text (it starts as a
 * ZIP archive does: PK\3\4). */
bool tabular_is_xlsx(const void *data, size_t len);

/* Reads 'len' bytes of CSV or XLSX (told apart by content) into '*out',
 * which the caller frees with tabular_free() whatever the result. For
 * XLSX the first worksheet is read. Fails ACCORD_EINVAL when the file is
 * malformed, with '*bad_line' the line (CSV) or row (XLSX) at fault, or 0
 * when none applies; ACCORD_ETOOBIG past the limits above. */
int tabular_read(const void *data, size_t len, tabular_table *out, unsigned long *bad_line);

/* Reads CSV text (an initial UTF-8 byte order mark is skipped). The
 * separator is ',' unless the first line has none outside quotes and has
 * ';' or a tab: spreadsheets set to some languages write those. A leading
 * apostrophe that the writer added before formula-like text is removed. */
int tabular_read_csv(const void *data, size_t len, tabular_table *out, unsigned long *bad_line);

/* Reads the first worksheet of an XLSX file: shared and inline strings,
 * numbers as written, booleans as TRUE/FALSE. Cells are placed by their
 * references, so skipped empty cells keep the others in their columns. */
int tabular_read_xlsx(const void *data, size_t len, tabular_table *out, unsigned long *bad_line);

/* Frees the rows of 't' and empties it. */
void tabular_free(tabular_table *t);

/* Cell 'col' of 'row', or "" when the row is shorter. Borrowed. */
const char *tabular_cell(const tabular_row *row, size_t col);

/* True if every cell of 'row' is empty or only spaces. */
bool tabular_row_blank(const tabular_row *row);

/* True if 's' is valid UTF-8 (CSV files saved in a legacy code page are
 * not). */
bool tabular_utf8_valid(const char *s);

/* ---- writing ---------------------------------------------------------------- */

typedef struct tabular_writer tabular_writer;

/* Starts a table file of format 'f'. For XLSX, 'sheet' names its one
 * worksheet (at most 31 characters). Free with tabular_writer_free(),
 * or hand it to tabular_writer_finish(). */
int tabular_writer_new(tabular_writer **out, tabular_format f, const char *sheet);

/* Writes the header row (bold and frozen in XLSX) from the NULL-terminated
 * list 'names'. Call it first, once. */
int tabular_header(tabular_writer *w, const char *const *names);

/* Appends a text cell to the current row; NULL is an empty cell. Text
 * that a spreadsheet would take for a formula (it begins with = + - @,
 * tab or CR) gets a leading apostrophe in CSV, and is a plain string cell
 * in XLSX. Fails ACCORD_ETOOBIG for an XLSX cell over 32,767 characters. */
int tabular_text(tabular_writer *w, const char *s);

/* Appends a number cell (an XLSX number; digits in CSV). */
int tabular_number(tabular_writer *w, long long n);

/* Ends the current row. */
int tabular_end_row(tabular_writer *w);

/* XLSX: offers 'choices' (NULL-terminated, 255 characters in all at most)
 * as a drop-down list in column 'col' of every data row. CSV: no effect. */
int tabular_choices(tabular_writer *w, unsigned col, const char *const *choices);

/* Appends the finished file to 'out' and frees 'w'. */
int tabular_writer_finish(tabular_writer *w, buf *out);

/* Frees an unfinished writer. NULL is allowed. */
void tabular_writer_free(tabular_writer *w);

/* Appends 's' as one RFC 4180 CSV cell: quoted when it holds a comma,
 * quote or line break, and marked with a leading ' when a spreadsheet
 * would take it for a formula (= + - @, tab, CR). For CSV written without
 * a tabular_writer. */
int tabular_csv_cell(buf *out, const char *s);

/* The format named "csv" or "xlsx" into '*out'; fails ACCORD_EINVAL. */
int tabular_format_parse(const char *name, tabular_format *out);

#endif
