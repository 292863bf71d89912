/* Writing table files: CSV into memory, XLSX through libxlsxwriter.
 *
 * libxlsxwriter 1.1.4 (Debian 12) writes workbooks to a file only, so an
 * XLSX file is written to a private temporary file, read back and
 * removed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "tabular/tabular_int.h"
#include "util/error.h"

#define WRITER_MAX ((size_t)1 << 30) /* bytes of CSV a writer holds */
#define TRACKED_COLUMNS 64           /* columns whose width follows their content */

struct tabular_writer {
    tabular_format format;
    unsigned long row; /* the row being written, 0 for the header */
    unsigned col;      /* the next cell of the row */
    buf csv;
    lxw_workbook *wb;
    lxw_worksheet *ws;
    lxw_format *bold;
    char path[4096];
    unsigned width[TRACKED_COLUMNS];
    const char *const *choices;
    unsigned choices_col;
};

int tabular_writer_new(tabular_writer **out, tabular_format f, const char *sheet)
{
    tabular_writer *w = calloc(1, sizeof *w);
    if (!w)
        return accord_fail(ACCORD_ENOMEM, NULL, "out of memory");
    w->format = f;
    buf_init(&w->csv, WRITER_MAX);
    if (f == TABULAR_CSV) {
        /* The byte order mark tells spreadsheets the file is UTF-8. */
        int rc = buf_append(&w->csv, "\xEF\xBB\xBF", 3);
        if (rc)
            tabular_writer_free(w);
        else
            *out = w;
        return rc;
    }
    const char *tmp = getenv("TMPDIR");
    snprintf(w->path, sizeof w->path, "%s/accord-xlsx-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    int fd = mkstemp(w->path);
    if (fd < 0) {
        free(w);
        return accord_fail(ACCORD_EENV, NULL, "cannot create a temporary file for the XLSX file");
    }
    close(fd);
    lxw_workbook_options opts = {.constant_memory = LXW_FALSE, .tmpdir = NULL, .use_zip64 = LXW_FALSE};
    w->wb = workbook_new_opt(w->path, &opts);
    w->ws = w->wb ? workbook_add_worksheet(w->wb, sheet) : NULL;
    if (!w->ws) {
        tabular_writer_free(w);
        return accord_fail(ACCORD_ENOMEM, NULL, "cannot start an XLSX workbook");
    }
    w->bold = workbook_add_format(w->wb);
    format_set_bold(w->bold);
    *out = w;
    return ACCORD_OK;
}

static unsigned utf8_chars(const char *s)
{
    unsigned n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static void track_width(tabular_writer *w, unsigned chars)
{
    if (w->col < TRACKED_COLUMNS && chars > w->width[w->col])
        w->width[w->col] = chars;
}

static int xlsx_failed(tabular_writer *w, lxw_error e)
{
    if (e == LXW_ERROR_MAX_STRING_LENGTH_EXCEEDED)
        return accord_fail(ACCORD_ETOOBIG, NULL, "row %lu, column %u: an XLSX cell holds at most %u characters; "
                           "export as CSV or JSON", w->row + 1, w->col + 1, TABULAR_MAX_XLSX_CELL);
    if (e == LXW_ERROR_WORKSHEET_INDEX_OUT_OF_RANGE)
        return accord_fail(ACCORD_ETOOBIG, NULL, "an XLSX sheet holds at most %u rows", TABULAR_MAX_ROWS);
    return accord_fail(ACCORD_EENV, NULL, "XLSX: %s", lxw_strerror(e));
}

/* True if 's' begins with an escape _xHHHH_ as spreadsheets write them. */
static bool is_escape(const char *s)
{
    return s[0] == '_' && s[1] == 'x' && strspn(s + 2, "0123456789abcdefABCDEF") >= 4 && s[6] == '_';
}

/* Text as XLSX must hold it: a literal "_xHHHH_" would be read as an
 * escape, so its underscore is escaped itself (_x005F_), as spreadsheets
 * do. Returns 's' when nothing needs it, else a copy in '*copy' (freed by
 * the caller). */
static const char *escape_underscores(const char *s, char **copy)
{
    *copy = NULL;
    size_t n = 0;
    for (const char *p = s; (p = strstr(p, "_x")); p++)
        n += is_escape(p);
    if (!n)
        return s;
    char *o = *copy = malloc(strlen(s) + 6 * n + 1);
    if (!o)
        return NULL;
    for (const char *p = s; *p; p++) {
        if (is_escape(p)) {
            memcpy(o, "_x005F", 6);
            o += 6;
        }
        *o++ = *p;
    }
    *o = '\0';
    return *copy;
}

static int add_text(tabular_writer *w, const char *s, lxw_format *fmt)
{
    s = s ? s : "";
    int rc = ACCORD_OK;
    if (w->format == TABULAR_CSV) {
        if (w->col)
            rc = buf_append(&w->csv, ",", 1);
        if (!rc)
            rc = tabular_csv_cell(&w->csv, s);
    } else if (*s) {
        /* A string cell: a spreadsheet shows it and never evaluates it. */
        char *copy;
        const char *text = escape_underscores(s, &copy);
        lxw_error e = text ? worksheet_write_string(w->ws, w->row, (lxw_col_t)w->col, text, fmt) : LXW_NO_ERROR;
        rc = !text ? accord_fail(ACCORD_ENOMEM, NULL, "out of memory") : e ? xlsx_failed(w, e) : ACCORD_OK;
        free(copy);
    }
    if (!rc) {
        track_width(w, utf8_chars(s));
        w->col++;
    }
    return rc;
}

int tabular_text(tabular_writer *w, const char *s) { return add_text(w, s, NULL); }

int tabular_number(tabular_writer *w, long long n)
{
    char digits[24];
    snprintf(digits, sizeof digits, "%lld", n);
    if (w->format == TABULAR_CSV)
        return add_text(w, digits, NULL);
    lxw_error e = worksheet_write_number(w->ws, w->row, (lxw_col_t)w->col, (double)n, NULL);
    if (e)
        return xlsx_failed(w, e);
    track_width(w, (unsigned)strlen(digits));
    w->col++;
    return ACCORD_OK;
}

int tabular_end_row(tabular_writer *w)
{
    if (w->row + 1 >= TABULAR_MAX_ROWS)
        return accord_fail(ACCORD_ETOOBIG, NULL, "a sheet holds at most %u rows", TABULAR_MAX_ROWS);
    w->row++;
    w->col = 0;
    return w->format == TABULAR_CSV ? buf_append(&w->csv, "\r\n", 2) : ACCORD_OK;
}

int tabular_header(tabular_writer *w, const char *const *names)
{
    int rc = ACCORD_OK;
    for (size_t i = 0; names[i] && !rc; i++)
        rc = add_text(w, names[i], w->bold);
    if (!rc && w->format == TABULAR_XLSX)
        worksheet_freeze_panes(w->ws, 1, 0);
    return rc ? rc : tabular_end_row(w);
}

int tabular_choices(tabular_writer *w, unsigned col, const char *const *choices)
{
    size_t total = 0;
    for (size_t i = 0; choices[i]; i++)
        total += strlen(choices[i]) + 1;
    if (total > 256)
        return accord_fail(ACCORD_EINVAL, NULL, "a drop-down list holds at most 255 characters");
    w->choices = choices;
    w->choices_col = col;
    return ACCORD_OK;
}

/* Sizes the columns to their content and adds the drop-down list. */
static int finish_sheet(tabular_writer *w)
{
    for (unsigned c = 0; c < TRACKED_COLUMNS; c++) {
        unsigned width = w->width[c] < 8 ? 8 : w->width[c] > 58 ? 60 : w->width[c] + 2;
        if (w->width[c])
            worksheet_set_column(w->ws, (lxw_col_t)c, (lxw_col_t)c, width, NULL);
    }
    if (!w->choices || w->row < 2)
        return ACCORD_OK;
    lxw_data_validation dv = {.validate = LXW_VALIDATION_TYPE_LIST, .value_list = (char **)w->choices};
    lxw_error e = worksheet_data_validation_range(w->ws, 1, (lxw_col_t)w->choices_col, w->row - 1,
                                                  (lxw_col_t)w->choices_col, &dv);
    return e ? xlsx_failed(w, e) : ACCORD_OK;
}


int tabular_writer_finish(tabular_writer *w, buf *out)
{
    int rc = ACCORD_OK;
    if (w->format == TABULAR_CSV) {
        rc = buf_append(out, w->csv.data, w->csv.len);
    } else {
        rc = finish_sheet(w);
        lxw_error e = workbook_close(w->wb);
        w->wb = NULL;
        if (!rc && e)
            rc = xlsx_failed(w, e);
        if (!rc)
            rc = buf_append_file(out, w->path);
    }
    tabular_writer_free(w);
    return rc;
}

void tabular_writer_free(tabular_writer *w)
{
    if (!w)
        return;
    if (w->wb)
        lxw_workbook_free(w->wb);
    if (w->path[0])
        unlink(w->path);
    buf_free(&w->csv);
    free(w);
}
