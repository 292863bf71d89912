/* Importing a filled-in template: every row checked, all kept or none. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bulk/bulk.h"
#include "implementation/implementation.h"
#include "registry/registry.h"
#include "util/error.h"

enum column {
    C_PARTY, C_PROVISION, C_PROVISION_TEXT, C_STATUS, C_NARRATIVE, C_MEASURES, C_EVIDENCE, C_NEEDS, NCOLUMNS
};
static const char *const column_names[NCOLUMNS] = {"party",    "provision", "provision_text", "status",
                                                   "narrative", "measures", "evidence",       "assistance_needs"};

/* Records one problem; the first BULK_MAX_ERRORS are listed. */
static void problem(bulk_import *im, unsigned long line, const char *column, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void problem(bulk_import *im, unsigned long line, const char *column, const char *fmt, ...)
{
    im->nerrors++;
    if (json_array_size(im->errors) >= BULK_MAX_ERRORS)
        return;
    char reason[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    json_t *e = json_pack("{s:I, s:s?, s:s}", "line", (json_int_t)line, "column", column, "reason", reason);
    json_array_append_new(im->errors, e);
}

/* 's' without leading and trailing spaces, into 'out' (at most 'len'). */
static void trimmed(const char *s, char *out, size_t len)
{
    s += strspn(s, " \t\r\n");
    size_t n = strlen(s);
    while (n && strchr(" \t\r\n", s[n - 1]))
        n--;
    if (n >= len)
        n = len - 1;
    memmove(out, s, n); /* 's' may lie inside 'out' */
    out[n] = '\0';
}

/* ---- the header ------------------------------------------------------------------ */

/* Maps each known column to its place in the file (-1 when absent);
 * returns the number of problems found. */
static size_t read_header(bulk_import *im, const tabular_row *h, int *place)
{
    size_t before = im->nerrors;
    for (int c = 0; c < NCOLUMNS; c++)
        place[c] = -1;
    for (size_t i = 0; i < h->ncells; i++) {
        char name[64];
        trimmed(tabular_cell(h, i), name, sizeof name);
        for (char *p = name; *p; p++)
            *p = (char)tolower((unsigned char)*p);
        if (!name[0])
            continue;
        int c = 0;
        while (c < NCOLUMNS && strcmp(name, column_names[c]))
            c++;
        if (c == NCOLUMNS)
            problem(im, h->line, name, "unknown column; the columns are " BULK_TEMPLATE_COLUMNS);
        else if (place[c] >= 0)
            problem(im, h->line, name, "the column appears twice");
        else
            place[c] = (int)i;
    }
    if (place[C_PROVISION] < 0)
        problem(im, h->line, "provision", "missing column");
    if (place[C_STATUS] < 0)
        problem(im, h->line, "status", "missing column");
    if (place[C_PARTY] < 0 && !im->party)
        problem(im, h->line, "party", "missing column: an import for several parties names each row's party");
    return im->nerrors - before;
}

/* ---- one row ---------------------------------------------------------------------- */

typedef struct row_reader {
    bulk_import *im;
    const tabular_row *row;
    const int *place;
    bool bad;
} row_reader;

static const char *cell(const row_reader *r, enum column c)
{
    return r->place[c] < 0 ? "" : tabular_cell(r->row, (size_t)r->place[c]);
}

static void row_problem(row_reader *r, enum column c, const char *reason)
{
    problem(r->im, r->row->line, column_names[c], "%s", reason);
    r->bad = true;
}

/* A free-text cell: line breaks as LF, no other control characters, at
 * most IMPLEMENTATION_MAX_NARRATIVE bytes. Empty cells are left out. */
static void text_field(row_reader *r, enum column c, json_t *data)
{
    const char *s = cell(r, c);
    if (!s[strspn(s, " \t\r\n")])
        return;
    char *copy = malloc(strlen(s) + 1), *o = copy;
    if (!copy) {
        row_problem(r, c, "out of memory");
        return;
    }
    for (const char *p = s; *p; p++) {
        if (*p == '\r') {
            *o++ = '\n';
            if (p[1] == '\n')
                p++;
        } else {
            *o++ = *p;
        }
    }
    *o = '\0';
    size_t len = (size_t)(o - copy);
    char reason[160];
    bool control = false;
    for (const char *p = copy; *p && !control; p++)
        control = (unsigned char)*p < 0x20 && *p != '\n' && *p != '\t';
    if (len > IMPLEMENTATION_MAX_NARRATIVE) {
        snprintf(reason, sizeof reason, "%zu bytes; at most %d", len, IMPLEMENTATION_MAX_NARRATIVE);
        row_problem(r, c, reason);
    } else if (control) {
        row_problem(r, c, "holds a control character (only line breaks and tabs are allowed)");
    } else {
        json_object_set_new(data, column_names[c], json_string(copy));
    }
    free(copy);
}

/* The evidence cell: a line per link, "title URL" or just "title". */
static void evidence_field(row_reader *r, json_t *data)
{
    const char *s = cell(r, C_EVIDENCE);
    json_t *links = json_array();
    char reason[200];
    size_t n = 0;
    while (*s) {
        size_t len = strcspn(s, "\r\n");
        char line[REGISTRY_MAX_NAME + REGISTRY_MAX_URL + 64];
        n++;
        if (len >= sizeof line) {
            snprintf(reason, sizeof reason, "link %zu is too long (a title of at most %d bytes, then a URL)", n,
                     REGISTRY_MAX_NAME);
            row_problem(r, C_EVIDENCE, reason);
            break;
        }
        memcpy(line, s, len);
        line[len] = '\0';
        trimmed(line, line, sizeof line);
        s += len;
        s += strspn(s, "\r\n");
        if (!line[0]) {
            n--;
            continue;
        }
        char *sp = strrchr(line, ' ');
        const char *last = sp ? sp + 1 : line, *url = NULL;
        if (strncmp(last, "http://", 7) == 0 || strncmp(last, "https://", 8) == 0) {
            url = last;
            if (sp) {
                *sp = '\0';
                trimmed(line, line, sizeof line);
            } else {
                line[0] = '\0';
            }
        }
        if (!line[0]) {
            snprintf(reason, sizeof reason, "link %zu has no title: write the title, a space, then the URL", n);
            row_problem(r, C_EVIDENCE, reason);
        } else if (strlen(line) > REGISTRY_MAX_NAME) {
            snprintf(reason, sizeof reason, "link %zu: the title is over %d bytes", n, REGISTRY_MAX_NAME);
            row_problem(r, C_EVIDENCE, reason);
        } else if (url && strlen(url) > REGISTRY_MAX_URL) {
            snprintf(reason, sizeof reason, "link %zu: the URL is over %d bytes", n, REGISTRY_MAX_URL);
            row_problem(r, C_EVIDENCE, reason);
        } else {
            json_t *link = json_pack("{s:s}", "title", line);
            if (url)
                json_object_set_new(link, "url", json_string(url));
            json_array_append_new(links, link);
        }
    }
    if (n > IMPLEMENTATION_MAX_EVIDENCE) {
        snprintf(reason, sizeof reason, "%zu links; at most %d", n, IMPLEMENTATION_MAX_EVIDENCE);
        row_problem(r, C_EVIDENCE, reason);
    }
    if (json_array_size(links))
        json_object_set_new(data, "evidence", links);
    else
        json_decref(links);
}

/* The status, written as the list has it or in words ("In progress"). */
static void status_field(row_reader *r, json_t *data)
{
    char status[64];
    trimmed(cell(r, C_STATUS), status, sizeof status);
    for (char *p = status; *p; p++)
        *p = *p == ' ' || *p == '-' ? '_' : (char)tolower((unsigned char)*p);
    if (!status[0])
        row_problem(r, C_STATUS, "required when the row is filled in: one of " IMPLEMENTATION_STATUSES);
    else if (!implementation_status_valid(status))
        row_problem(r, C_STATUS, "one of " IMPLEMENTATION_STATUSES);
    else
        json_object_set_new(data, "status", json_string(status));
}

static bool cell_empty(const row_reader *r, enum column c)
{
    const char *s = cell(r, c);
    return !s[strspn(s, " \t\r\n")];
}

/* Checks and converts one data row into 'im->pending'. */
static void read_row(bulk_import *im, const tabular_row *row, const int *place, size_t width, json_t *seen)
{
    row_reader r = {.im = im, .row = row, .place = place};
    if (tabular_row_blank(row))
        return;
    for (size_t i = 0; i < row->ncells; i++) {
        const char *s = tabular_cell(row, i);
        char where[32];
        snprintf(where, sizeof where, "column %zu", i + 1);
        for (int c = 0; c < NCOLUMNS; c++)
            if (place[c] == (int)i)
                snprintf(where, sizeof where, "%s", column_names[c]);
        if (i >= width && s[strspn(s, " \t\r\n")]) {
            problem(im, row->line, where, "a cell right of the last column of the header");
            r.bad = true;
        } else if (!tabular_utf8_valid(s)) {
            problem(im, row->line, where, "not UTF-8 text: save the file as UTF-8 (CSV UTF-8)");
            r.bad = true;
        }
    }
    if (r.bad) {
        im->bad_rows++;
        return;
    }
    json_t *data = json_object();
    char party[72], provision[24];
    trimmed(cell(&r, C_PARTY), party, sizeof party);
    if (!party[0] && im->party)
        snprintf(party, sizeof party, "%s", im->party);
    char reason[256];
    if (!party[0]) {
        row_problem(&r, C_PARTY, "required: the party's code, such as KAZ");
    } else if (im->party && strcmp(party, im->party)) {
        snprintf(reason, sizeof reason, "the row is for %.64s; this import is for %.64s", party, im->party);
        row_problem(&r, C_PARTY, reason);
    } else {
        json_object_set_new(data, "party", json_string(party));
    }
    trimmed(cell(&r, C_PROVISION), provision, sizeof provision);
    char *end;
    long number = strtol(provision, &end, 10);
    if (!provision[0] || *end || provision[0] == '-' || provision[0] == '+' || number < 1 || number > 10000) {
        row_problem(&r, C_PROVISION, "a provision number, such as 5");
    } else {
        json_object_set_new(data, "provision", json_integer(number));
        char key[128];
        snprintf(key, sizeof key, "%s\x1f%ld", party, number);
        json_t *first = json_object_get(seen, key);
        if (first) {
            snprintf(reason, sizeof reason, "provision %ld of %.64s is already given on line %lld", number, party,
                     (long long)json_integer_value(first));
            row_problem(&r, C_PROVISION, reason);
        } else {
            json_object_set_new(seen, key, json_integer((json_int_t)row->line));
        }
    }
    static const enum column content[] = {C_STATUS, C_NARRATIVE, C_MEASURES, C_EVIDENCE, C_NEEDS};
    bool empty = true;
    for (size_t i = 0; i < sizeof content / sizeof content[0]; i++)
        empty = empty && cell_empty(&r, content[i]);
    if (empty && !r.bad) {
        im->blank++; /* a provision the party did not report on this time */
        json_decref(data);
        return;
    }
    status_field(&r, data);
    text_field(&r, C_NARRATIVE, data);
    text_field(&r, C_MEASURES, data);
    evidence_field(&r, data);
    text_field(&r, C_NEEDS, data);
    if (r.bad) {
        im->bad_rows++;
        json_decref(data);
        return;
    }
    size_t n = json_array_size(im->pending);
    unsigned long *lines = realloc(im->lines, (n + 1) * sizeof *lines);
    if (!lines) {
        json_decref(data);
        problem(im, row->line, NULL, "out of memory");
        return;
    }
    im->lines = lines;
    im->lines[n] = row->line;
    json_array_append_new(im->pending, data);
}

int bulk_import_prepare(bulk_import *im, const void *data, size_t len)
{
    im->errors = json_array();
    im->pending = json_array();
    im->rows = json_array();
    tabular_table t;
    unsigned long bad_line;
    int rc = tabular_read(data, len, &t, &bad_line);
    if (rc == ACCORD_ENOMEM) {
        tabular_free(&t);
        return rc;
    }
    if (rc) {
        problem(im, bad_line, NULL, "%s", accord_error_message());
        im->bad_rows++;
        tabular_free(&t);
        return accord_fail(ACCORD_ERULE, NULL, "the file cannot be read; nothing was imported");
    }
    size_t h = 0;
    while (h < t.nrows && tabular_row_blank(&t.rows[h]))
        h++;
    if (h == t.nrows) {
        problem(im, 1, NULL, "the file is empty: the first row names the columns, " BULK_TEMPLATE_COLUMNS);
        im->bad_rows++;
        tabular_free(&t);
        return accord_fail(ACCORD_ERULE, NULL, "the file is empty; nothing was imported");
    }
    int place[NCOLUMNS];
    if (read_header(im, &t.rows[h], place)) {
        im->bad_rows++;
        tabular_free(&t);
        return accord_fail(ACCORD_ERULE, NULL, "the header row names the wrong columns; nothing was imported");
    }
    json_t *seen = json_object();
    size_t width = t.rows[h].ncells;
    while (width && !tabular_cell(&t.rows[h], width - 1)[0])
        width--;
    for (size_t i = h + 1; i < t.nrows; i++)
        read_row(im, &t.rows[i], place, width, seen);
    json_decref(seen);
    tabular_free(&t);
    return ACCORD_OK;
}

/* ---- applying -------------------------------------------------------------------- */

static bool same_value(const json_t *a, const json_t *b)
{
    bool a_none = !a || json_is_null(a) || (json_is_array(a) && !json_array_size(a));
    bool b_none = !b || json_is_null(b) || (json_is_array(b) && !json_array_size(b));
    return (a_none && b_none) || (a && b && json_equal(a, b));
}

/* True when 'data' says what the latest draft on its provision says. */
static int unchanged(store *db, const bulk_import *im, const json_t *data, bool *out)
{
    static const char *const fields[] = {"status", "narrative", "measures", "evidence", "assistance_needs"};
    store_stmt *st;
    *out = false;
    int rc = store_query(db, &st,
                         "SELECT content FROM report_draft WHERE instrument = ? AND cycle = ? AND party = ?"
                         " AND provision = ? ORDER BY version DESC LIMIT 1",
                         "sssi", im->slug, im->cycle, json_string_value(json_object_get(data, "party")),
                         (int64_t)json_integer_value(json_object_get(data, "provision")));
    if (rc)
        return rc;
    if ((rc = store_step(st)) == STORE_ROW) {
        json_t *draft = json_loads(store_col_text(st, 0), 0, NULL);
        *out = draft != NULL;
        for (size_t i = 0; i < sizeof fields / sizeof fields[0] && *out; i++)
            *out = same_value(json_object_get(draft, fields[i]), json_object_get(data, fields[i]));
        json_decref(draft);
    }
    store_stmt_close(st);
    return rc < 0 ? rc : ACCORD_OK;
}

/* The column an applier's error is about: "evidence.url" is evidence. */
static void column_of(const char *field, char *out, size_t len)
{
    snprintf(out, len, "%.*s", field ? (int)strcspn(field, ".") : 0, field ? field : "");
}

/* Records the applier's refusal of the row on 'line'. Errors of the store
 * or memory are not the row's fault: they end the import. */
static int row_refused(bulk_import *im, unsigned long line, int rc)
{
    if (rc == ACCORD_ESTORE || rc == ACCORD_ENOMEM || rc == ACCORD_EENV)
        return rc;
    char column[40];
    column_of(accord_error_field(), column, sizeof column);
    const char *reason = accord_error_message();
    size_t cl = strlen(column);
    if (cl && strncmp(reason, column, cl) == 0 && strncmp(reason + cl, ": ", 2) == 0)
        reason += cl + 2;
    problem(im, line, column[0] ? column : NULL, "%s", reason);
    im->bad_rows++;
    return ACCORD_OK;
}

typedef struct numbered {
    json_t *item;
    size_t index;
} numbered;

static int by_line(const void *a, const void *b)
{
    const numbered *x = a, *y = b;
    json_int_t lx = json_integer_value(json_object_get(x->item, "line"));
    json_int_t ly = json_integer_value(json_object_get(y->item, "line"));
    if (lx != ly)
        return (lx > ly) - (lx < ly);
    return (x->index > y->index) - (x->index < y->index);
}

/* Puts the problems in file order (the checks against the recorded state
 * come after those of the rows themselves); a row's problems keep their
 * order. */
static void sort_errors(json_t *errors)
{
    size_t n = json_array_size(errors);
    numbered *items = malloc(n * sizeof *items + 1);
    if (!items)
        return;
    for (size_t i = 0; i < n; i++)
        items[i] = (numbered){json_incref(json_array_get(errors, i)), i};
    qsort(items, n, sizeof *items, by_line);
    json_array_clear(errors);
    for (size_t i = 0; i < n; i++)
        json_array_append_new(errors, items[i].item);
    free(items);
}

int bulk_import_apply(store *db, bulk_import *im)
{
    char opens[11], due[11];
    int rc = implementation_cycle_dates(db, im->slug, im->cycle, opens, due);
    if (rc)
        return rc;
    size_t i;
    json_t *data;
    json_array_foreach(im->pending, i, data)
    {
        bool same;
        if ((rc = unchanged(db, im, data, &same)))
            return rc;
        if (same) {
            im->unchanged++;
            continue;
        }
        json_object_set_new(data, "instrument", json_string(im->slug));
        json_object_set_new(data, "cycle", json_string(im->cycle));
        uint64_t seq;
        /* Rows after a refused one are still checked, so that the answer
         * lists every problem; the caller then undoes them all. */
        if ((rc = events_append(db, im->who, "report.drafted", data, &seq))) {
            if ((rc = row_refused(im, im->lines[i], rc)))
                return rc;
            continue;
        }
        if (!im->imported++)
            im->first_index = seq;
        im->last_index = seq;
        if (im->list_rows)
            json_array_append_new(im->rows, json_pack("{s:I, s:O, s:O, s:O, s:I}", "line", (json_int_t)im->lines[i],
                                                      "party", json_object_get(data, "party"), "provision",
                                                      json_object_get(data, "provision"), "version",
                                                      json_object_get(data, "version"), "log_index", (json_int_t)seq));
    }
    sort_errors(im->errors);
    if (im->nerrors)
        return accord_fail(ACCORD_ERULE, NULL, "%zu problem%s in %zu row%s; nothing was imported", im->nerrors,
                           im->nerrors == 1 ? "" : "s", im->bad_rows, im->bad_rows == 1 ? "" : "s");
    return ACCORD_OK;
}

void bulk_import_free(bulk_import *im)
{
    json_decref(im->rows);
    json_decref(im->errors);
    json_decref(im->pending);
    free(im->lines);
    im->rows = im->errors = im->pending = NULL;
    im->lines = NULL;
}
