/* Tables in memory, and what the readers and writers share. */
#include "tabular/tabular_int.h"

#include <stdlib.h>
#include <string.h>

#include "util/error.h"

bool tabular_is_xlsx(const void *data, size_t len)
{
    return len >= 4 && memcmp(data, "PK\x03\x04", 4) == 0;
}

int tabular_read(const void *data, size_t len, tabular_table *out, unsigned long *bad_line)
{
    return tabular_is_xlsx(data, len) ? tabular_read_xlsx(data, len, out, bad_line)
                                      : tabular_read_csv(data, len, out, bad_line);
}

int tabular__add_row(tabular_table *t, unsigned long line, tabular_row **out)
{
    if (t->nrows >= TABULAR_MAX_ROWS)
        return accord_fail(ACCORD_ETOOBIG, NULL, "line %lu: a table holds at most %u rows", line, TABULAR_MAX_ROWS);
    if (t->nrows == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64;
        tabular_row *rows = realloc(t->rows, cap * sizeof *rows);
        if (!rows)
            return accord_fail(ACCORD_ENOMEM, NULL, "out of memory");
        t->rows = rows;
        t->cap = cap;
    }
    tabular_row *r = &t->rows[t->nrows++];
    *r = (tabular_row){.line = line};
    *out = r;
    return ACCORD_OK;
}

int tabular__set_cell(tabular_table *t, tabular_row *row, size_t col, const char *s, size_t len)
{
    if (col >= TABULAR_MAX_COLUMNS)
        return accord_fail(ACCORD_EINVAL, NULL, "line %lu: more than %u columns", row->line, TABULAR_MAX_COLUMNS);
    /* A cell is NUL-terminated text, and a NUL is refused by the JSON
     * API too: refused here rather than cut at, so no prefix is stored. */
    if (memchr(s, '\0', len))
        return accord_fail(ACCORD_EINVAL, NULL, "%s %lu, column %zu: the cell holds a NUL character (U+0000), which "
                           "text may not contain", t->format == TABULAR_XLSX ? "row" : "line", row->line, col + 1);
    if (len > TABULAR_MAX_TEXT - t->bytes)
        return accord_fail(ACCORD_ETOOBIG, NULL, "line %lu: the table holds more than %zu MiB of text", row->line,
                           TABULAR_MAX_TEXT >> 20);
    if (col >= row->ncells) {
        char **cells = realloc(row->cells, (col + 1) * sizeof *cells);
        if (!cells)
            return accord_fail(ACCORD_ENOMEM, NULL, "out of memory");
        row->cells = cells;
        for (size_t i = row->ncells; i <= col; i++)
            cells[i] = NULL;
        row->ncells = col + 1;
    }
    char *copy = malloc(len + 1);
    if (!copy)
        return accord_fail(ACCORD_ENOMEM, NULL, "out of memory");
    memcpy(copy, s, len);
    copy[len] = '\0';
    free(row->cells[col]);
    row->cells[col] = copy;
    t->bytes += len;
    return ACCORD_OK;
}

void tabular_free(tabular_table *t)
{
    for (size_t i = 0; i < t->nrows; i++) {
        for (size_t c = 0; c < t->rows[i].ncells; c++)
            free(t->rows[i].cells[c]);
        free(t->rows[i].cells);
    }
    free(t->rows);
    *t = (tabular_table){.format = t->format};
}

const char *tabular_cell(const tabular_row *row, size_t col)
{
    return col < row->ncells && row->cells[col] ? row->cells[col] : "";
}

bool tabular_row_blank(const tabular_row *row)
{
    for (size_t c = 0; c < row->ncells; c++)
        if (row->cells[c] && row->cells[c][strspn(row->cells[c], " \t\r\n")])
            return false;
    return true;
}

bool tabular_utf8_valid(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned char c = *p;
        int n = c < 0x80 ? 0 : (c & 0xE0) == 0xC0 ? 1 : (c & 0xF0) == 0xE0 ? 2 : (c & 0xF8) == 0xF0 ? 3 : -1;
        if (n < 0 || (n == 1 && c < 0xC2) || (n == 3 && c > 0xF4))
            return false;
        unsigned cp = n == 0 ? c : c & (0x3F >> n);
        for (int i = 1; i <= n; i++) {
            if ((p[i] & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (p[i] & 0x3F);
        }
        /* No overlong forms, surrogates or code points past U+10FFFF. */
        if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) || (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        p += n + 1;
    }
    return true;
}

int tabular_format_parse(const char *name, tabular_format *out)
{
    if (name && strcmp(name, "csv") == 0)
        *out = TABULAR_CSV;
    else if (name && strcmp(name, "xlsx") == 0)
        *out = TABULAR_XLSX;
    else
        return accord_fail(ACCORD_EINVAL, "format", "format: csv or xlsx");
    return ACCORD_OK;
}
