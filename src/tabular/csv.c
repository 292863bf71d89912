/* CSV, RFC 4180: reading with line numbers, and the cell quoting that
 * writer.c uses. */
#include <string.h>

#include "tabular/tabular_int.h"
#include "util/error.h"

/* Characters after which a spreadsheet reads text as a formula. */
#define FORMULA_START "=+-@\t\r"

/* The separator of a file: ',' unless the first line has no comma outside
 * quotes but has semicolons or tabs. */
static char sniff_separator(const char *p, const char *end)
{
    size_t commas = 0, semis = 0, tabs = 0;
    bool quoted = false;
    for (; p < end && (quoted || (*p != '\n' && *p != '\r')); p++) {
        if (*p == '"')
            quoted = !quoted;
        else if (!quoted)
            commas += *p == ',', semis += *p == ';', tabs += *p == '\t';
    }
    if (commas || (!semis && !tabs))
        return ',';
    return semis >= tabs ? ';' : '\t';
}

/* A leading apostrophe is the writer's mark before formula-like text (or
 * before text that itself begins with an apostrophe): drop it. */
static size_t apostrophe_mark(const char *s, size_t len)
{
    return len >= 2 && s[0] == '\'' && (strchr(FORMULA_START, s[1]) || s[1] == '\'') && s[1] ? 1 : 0;
}

/* Reads one quoted cell, 'p' just past its opening quote, into 'cell'. A
 * CRLF inside the cell becomes LF. Advances '*line' over its newlines. */
static int quoted_cell(const char **pp, const char *end, buf *cell, unsigned long *line, unsigned long *bad_line)
{
    const char *p = *pp;
    unsigned long start = *line;
    int rc = ACCORD_OK;
    while (!rc) {
        if (p >= end) {
            *bad_line = start;
            return accord_fail(ACCORD_EINVAL, NULL, "line %lu: a quoted cell is never closed", start);
        }
        const char *run = p;
        while (p < end && *p != '"' && *p != '\r' && *p != '\n')
            p++;
        rc = buf_append(cell, run, (size_t)(p - run));
        if (rc || p >= end)
            continue;
        if (*p == '"') {
            if (p + 1 < end && p[1] == '"') {
                rc = buf_append(cell, "\"", 1);
                p += 2;
                continue;
            }
            p++;
            break;
        }
        (*line)++;
        if (*p == '\r' && p + 1 < end && p[1] == '\n')
            p++;
        else if (*p == '\r') {
            rc = buf_append(cell, "\r", 1);
            p++;
            continue;
        }
        rc = buf_append(cell, "\n", 1);
        p++;
    }
    *pp = p;
    return rc;
}

int tabular_read_csv(const void *data, size_t len, tabular_table *out, unsigned long *bad_line)
{
    const char *p = data, *end = p + len;
    *out = (tabular_table){.format = TABULAR_CSV};
    *bad_line = 0;
    if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        p += 3;
    char sep = sniff_separator(p, end);
    unsigned long line = 1;
    buf cell;
    buf_init(&cell, TABULAR_MAX_TEXT);
    int rc = ACCORD_OK;
    while (p < end && !rc) {
        tabular_row *row;
        if ((rc = tabular__add_row(out, line, &row)))
            break;
        for (size_t col = 0; !rc; col++) {
            buf_reset(&cell);
            if (p < end && *p == '"') {
                p++;
                rc = quoted_cell(&p, end, &cell, &line, bad_line);
                if (!rc && p < end && *p != sep && *p != '\r' && *p != '\n') {
                    *bad_line = line;
                    rc = accord_fail(ACCORD_EINVAL, NULL, "line %lu: text after the closing quote of a cell", line);
                }
            } else {
                const char *s = p;
                while (p < end && *p != sep && *p != '\r' && *p != '\n')
                    p++;
                rc = buf_append(&cell, s, (size_t)(p - s));
            }
            if (rc)
                break;
            const char *text = cell.data ? cell.data : "";
            size_t skip = apostrophe_mark(text, cell.len);
            if ((rc = tabular__set_cell(out, row, col, text + skip, cell.len - skip)))
                break;
            if (p < end && *p == sep) {
                p++;
                continue;
            }
            if (p < end && *p == '\r')
                p++;
            if (p < end && *p == '\n')
                p++;
            line++;
            break;
        }
    }
    buf_free(&cell);
    if (rc && !*bad_line)
        *bad_line = line;
    return rc;
}

/* Appends 's' as one CSV cell: an apostrophe before formula-like text,
 * quotes when it holds the separator, a quote or a line break. */
int tabular_csv_cell(buf *out, const char *s)
{
    int rc = ACCORD_OK;
    bool marked_start = s[0] == '\'' && s[1] && (strchr(FORMULA_START, s[1]) || s[1] == '\'');
    bool mark = s[0] && (strchr(FORMULA_START, s[0]) || marked_start);
    bool quote = strpbrk(s, ",\"\r\n") != NULL;
    if (quote)
        rc = buf_append(out, "\"", 1);
    if (!rc && mark)
        rc = buf_append(out, "'", 1);
    for (const char *p = s; *p && !rc;) {
        size_t run = strcspn(p, "\"");
        rc = buf_append(out, p, run);
        p += run;
        if (!rc && *p == '"') {
            rc = buf_append(out, "\"\"", 2);
            p++;
        }
    }
    if (!rc && quote)
        rc = buf_append(out, "\"", 1);
    return rc;
}
