/* Reading the first worksheet of an XLSX file with libzip and expat.
 *
 * An XLSX file is a ZIP archive of XML parts. The first <sheet> of
 * xl/workbook.xml names, through xl/_rels/workbook.xml.rels, the part that
 * holds its cells; text cells mostly point into the shared strings part.
 * Each part is streamed through expat, in namespace mode so that element
 * names are matched whatever prefix the file uses. Documents with a DTD
 * are refused (no XLSX part has one), and every part's decompressed size
 * is capped, so a small upload cannot expand without bound. */
#include <expat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include "tabular/tabular_int.h"
#include "util/error.h"

/* What every part parser shares: the expat parser and the first error. */
typedef struct parse_ctx {
    XML_Parser parser;
    int rc;
    unsigned long line; /* the sheet row at fault, if any */
} parse_ctx;

static const char *local_name(const char *name)
{
    const char *bar = strrchr(name, '|');
    return bar ? bar + 1 : name;
}

/* The value of the attribute whose local name is 'name' (namespaced when
 * 'namespaced'), or NULL. */
static const char *attribute(const XML_Char **atts, const char *name, bool namespaced)
{
    for (size_t i = 0; atts[i]; i += 2) {
        bool has_ns = strchr(atts[i], '|') != NULL;
        if (has_ns == namespaced && strcmp(local_name(atts[i]), name) == 0)
            return atts[i + 1];
    }
    return NULL;
}

static void stop(parse_ctx *pc, int rc)
{
    if (!pc->rc)
        pc->rc = rc;
    XML_StopParser(pc->parser, XML_FALSE);
}

static void XMLCALL refuse_doctype(void *arg, const XML_Char *name, const XML_Char *sysid, const XML_Char *pubid,
                                   int has_internal_subset)
{
    (void)name, (void)sysid, (void)pubid, (void)has_internal_subset;
    stop(arg, accord_fail(ACCORD_EINVAL, NULL, "XLSX: a part declares a DTD, which spreadsheets never write"));
}

/* Streams part 'name' of 'za' through expat with the given handlers; 'pc'
 * must be the first member of the handlers' context. A missing part is
 * an error when 'required', else nothing happens. */
static int parse_part(zip_t *za, const char *name, bool required, XML_StartElementHandler start,
                      XML_EndElementHandler end, XML_CharacterDataHandler chars, parse_ctx *pc)
{
    zip_int64_t index = zip_name_locate(za, name, ZIP_FL_NOCASE);
    if (index < 0)
        return required ? accord_fail(ACCORD_EINVAL, NULL, "XLSX: the file has no part %s", name) : ACCORD_OK;
    zip_stat_t st;
    if (zip_stat_index(za, (zip_uint64_t)index, 0, &st) == 0 && (st.valid & ZIP_STAT_SIZE) &&
        st.size > TABULAR_MAX_PART)
        return accord_fail(ACCORD_ETOOBIG, NULL, "XLSX: part %s is over %zu MiB", name, TABULAR_MAX_PART >> 20);
    zip_file_t *zf = zip_fopen_index(za, (zip_uint64_t)index, 0);
    if (!zf)
        return accord_fail(ACCORD_EINVAL, NULL, "XLSX: cannot open part %s: %s", name, zip_strerror(za));
    XML_Parser p = XML_ParserCreateNS(NULL, '|');
    if (!p) {
        zip_fclose(zf);
        return accord_fail(ACCORD_ENOMEM, NULL, "out of memory");
    }
    pc->parser = p;
    pc->rc = ACCORD_OK;
    XML_SetUserData(p, pc);
    XML_SetElementHandler(p, start, end);
    XML_SetCharacterDataHandler(p, chars);
    XML_SetStartDoctypeDeclHandler(p, refuse_doctype);
    char chunk[65536];
    size_t total = 0;
    int rc = ACCORD_OK;
    for (;;) {
        zip_int64_t n = zip_fread(zf, chunk, sizeof chunk);
        if (n < 0) {
            rc = accord_fail(ACCORD_EINVAL, NULL, "XLSX: cannot read part %s: %s", name, zip_file_strerror(zf));
            break;
        }
        total += (size_t)n;
        if (total > TABULAR_MAX_PART) {
            rc = accord_fail(ACCORD_ETOOBIG, NULL, "XLSX: part %s is over %zu MiB", name, TABULAR_MAX_PART >> 20);
            break;
        }
        if (XML_Parse(p, chunk, (int)n, n == 0) != XML_STATUS_OK) {
            rc = pc->rc ? pc->rc
                        : accord_fail(ACCORD_EINVAL, NULL, "XLSX: part %s, line %lu: %s", name,
                                      (unsigned long)XML_GetCurrentLineNumber(p), XML_ErrorString(XML_GetErrorCode(p)));
            break;
        }
        if (n == 0)
            break;
    }
    XML_ParserFree(p);
    zip_fclose(zf);
    return rc;
}

/* ---- workbook and relationships: where the first sheet is ------------------- */

typedef struct book_ctx {
    parse_ctx pc;
    char sheet_rel[64];   /* r:id of the first sheet */
    char sheet_part[512]; /* its part, "xl/worksheets/sheet1.xml" */
    char strings_part[512];
} book_ctx;

static void XMLCALL book_start(void *arg, const XML_Char *name, const XML_Char **atts)
{
    book_ctx *b = arg;
    const char *id = attribute(atts, "id", true);
    if (!b->sheet_rel[0] && strcmp(local_name(name), "sheet") == 0 && id)
        snprintf(b->sheet_rel, sizeof b->sheet_rel, "%s", id);
}

/* A relationship's target, relative to xl/ unless it is absolute. */
static void part_path(const char *target, char *out, size_t len)
{
    if (target[0] == '/')
        snprintf(out, len, "%s", target + 1);
    else
        snprintf(out, len, "xl/%s", target);
}

static void XMLCALL rels_start(void *arg, const XML_Char *name, const XML_Char **atts)
{
    book_ctx *b = arg;
    if (strcmp(local_name(name), "Relationship") != 0)
        return;
    const char *id = attribute(atts, "Id", false), *type = attribute(atts, "Type", false);
    const char *target = attribute(atts, "Target", false);
    if (!id || !type || !target)
        return;
    size_t tl = strlen(type), sl = strlen("/sharedStrings");
    if (strcmp(id, b->sheet_rel) == 0)
        part_path(target, b->sheet_part, sizeof b->sheet_part);
    else if (tl >= sl && strcmp(type + tl - sl, "/sharedStrings") == 0)
        part_path(target, b->strings_part, sizeof b->strings_part);
}

static void XMLCALL no_end(void *arg, const XML_Char *name) { (void)arg, (void)name; }
static void XMLCALL no_chars(void *arg, const XML_Char *s, int len) { (void)arg, (void)s, (void)len; }

/* ---- text: shared strings, and what both string kinds share ------------------- */

/* Decodes the _xHHHH_ escapes that spreadsheets use for characters XML
 * cannot hold (a carriage return is _x000D_), in place ('s' is writable:
 * never the "" of an empty cell). _x0000_ decodes to a NUL, which the
 * cell check refuses with its row and column (a cell is never cut at
 * it); the UTF-16 surrogates are no characters and stay as written, so a
 * cell never holds invalid UTF-8. */
static size_t decode_escapes(char *s, size_t len)
{
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        unsigned cp;
        if (i + 7 <= len && s[i] == '_' && s[i + 1] == 'x' && s[i + 6] == '_' && sscanf(s + i + 2, "%4x", &cp) == 1 &&
            strspn(s + i + 2, "0123456789abcdefABCDEF") >= 4 && (cp < 0xD800 || cp > 0xDFFF)) {
            if (cp < 0x80) {
                s[o++] = (char)cp;
            } else if (cp < 0x800) {
                s[o++] = (char)(0xC0 | (cp >> 6));
                s[o++] = (char)(0x80 | (cp & 0x3F));
            } else {
                s[o++] = (char)(0xE0 | (cp >> 12));
                s[o++] = (char)(0x80 | ((cp >> 6) & 0x3F));
                s[o++] = (char)(0x80 | (cp & 0x3F));
            }
            i += 7;
        } else {
            s[o++] = s[i++];
        }
    }
    s[o] = '\0';
    return o;
}

typedef struct strings_ctx {
    parse_ctx pc;
    char **items;
    size_t *lens; /* each item's length: an item may hold a NUL (_x0000_), which the cell check refuses */
    size_t n, cap, bytes;
    buf text;
    bool in_item, in_text;
    int phonetic; /* depth inside <rPh>: reading hints, not cell text */
} strings_ctx;

static void XMLCALL strings_start(void *arg, const XML_Char *name, const XML_Char **atts)
{
    (void)atts;
    strings_ctx *s = arg;
    const char *n = local_name(name);
    if (strcmp(n, "si") == 0) {
        s->in_item = true;
        buf_reset(&s->text);
    } else if (strcmp(n, "rPh") == 0) {
        s->phonetic++;
    } else if (strcmp(n, "t") == 0 && s->in_item && !s->phonetic) {
        s->in_text = true;
    }
}

static void XMLCALL strings_end(void *arg, const XML_Char *name)
{
    strings_ctx *s = arg;
    const char *n = local_name(name);
    if (strcmp(n, "t") == 0) {
        s->in_text = false;
    } else if (strcmp(n, "rPh") == 0) {
        s->phonetic--;
    } else if (strcmp(n, "si") == 0) {
        s->in_item = false;
        if (s->n == s->cap) {
            size_t cap = s->cap ? s->cap * 2 : 256;
            char **items = realloc(s->items, cap * sizeof *items);
            if (items)
                s->items = items;
            size_t *lens = items ? realloc(s->lens, cap * sizeof *lens) : NULL;
            if (!lens) {
                stop(&s->pc, accord_fail(ACCORD_ENOMEM, NULL, "out of memory"));
                return;
            }
            s->lens = lens;
            s->cap = cap;
        }
        char *copy = malloc(s->text.len + 1);
        if (!copy) {
            stop(&s->pc, accord_fail(ACCORD_ENOMEM, NULL, "out of memory"));
            return;
        }
        memcpy(copy, s->text.data ? s->text.data : "", s->text.len);
        s->lens[s->n] = decode_escapes(copy, s->text.len);
        s->bytes += s->text.len;
        if (s->bytes > TABULAR_MAX_TEXT) {
            free(copy);
            stop(&s->pc, accord_fail(ACCORD_ETOOBIG, NULL, "XLSX: the shared strings hold over %zu MiB",
                                     TABULAR_MAX_TEXT >> 20));
            return;
        }
        s->items[s->n++] = copy;
    }
}

static void XMLCALL strings_chars(void *arg, const XML_Char *text, int len)
{
    strings_ctx *s = arg;
    if (s->in_text && buf_append(&s->text, text, (size_t)len))
        stop(&s->pc, accord_fail(ACCORD_ETOOBIG, NULL, "XLSX: a shared string is too long"));
}

static void strings_free(strings_ctx *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->items[i]);
    free(s->items);
    free(s->lens);
    buf_free(&s->text);
}

/* ---- the sheet ------------------------------------------------------------------- */

typedef struct sheet_ctx {
    parse_ctx pc;
    tabular_table *table;
    const strings_ctx *strings;
    tabular_row *row;
    unsigned long rownum;
    long col;
    char type[16];
    buf text;
    bool in_value, in_inline, in_text;
    int phonetic;
} sheet_ctx;

/* The column of a cell reference ("AB12" is column 27, from 0), or -1. */
static long ref_column(const char *ref)
{
    long col = 0;
    int letters = 0;
    for (; *ref >= 'A' && *ref <= 'Z' && letters < 4; ref++, letters++)
        col = col * 26 + (*ref - 'A' + 1);
    if (!letters || letters > 3 || col > (long)TABULAR_MAX_COLUMNS)
        return -1;
    return col - 1;
}

static void start_row(sheet_ctx *s, const XML_Char **atts)
{
    const char *r = attribute(atts, "r", false);
    unsigned long n = r ? strtoul(r, NULL, 10) : s->rownum + 1;
    if (n == 0 || n > TABULAR_MAX_ROWS || n <= s->rownum) {
        stop(&s->pc, accord_fail(ACCORD_EINVAL, NULL, "XLSX: row %s is out of order or out of range", r ? r : "?"));
        return;
    }
    s->rownum = n;
    s->col = -1;
    int rc = tabular__add_row(s->table, n, &s->row);
    if (rc)
        stop(&s->pc, rc);
}

static void start_cell(sheet_ctx *s, const XML_Char **atts)
{
    if (!s->row) {
        stop(&s->pc, accord_fail(ACCORD_EINVAL, NULL, "XLSX: a cell outside a row"));
        return;
    }
    const char *r = attribute(atts, "r", false), *t = attribute(atts, "t", false);
    long col = r ? ref_column(r) : s->col + 1;
    if (col < 0 || col <= s->col) {
        s->pc.line = s->rownum;
        stop(&s->pc, accord_fail(ACCORD_EINVAL, NULL, "XLSX: row %lu: bad or repeated cell reference %s", s->rownum,
                                 r ? r : "?"));
        return;
    }
    s->col = col;
    snprintf(s->type, sizeof s->type, "%s", t ? t : "n");
    buf_reset(&s->text);
}

static void XMLCALL sheet_start(void *arg, const XML_Char *name, const XML_Char **atts)
{
    sheet_ctx *s = arg;
    const char *n = local_name(name);
    if (strcmp(n, "row") == 0)
        start_row(s, atts);
    else if (strcmp(n, "c") == 0)
        start_cell(s, atts);
    else if (strcmp(n, "v") == 0)
        s->in_value = true;
    else if (strcmp(n, "is") == 0)
        s->in_inline = true;
    else if (strcmp(n, "rPh") == 0)
        s->phonetic++;
    else if (strcmp(n, "t") == 0 && s->in_inline && !s->phonetic)
        s->in_text = true;
}

/* Stores the cell just read, by its type. */
static void end_cell(sheet_ctx *s)
{
    char *text = s->text.data ? s->text.data : "";
    size_t len = s->text.len;
    if (strcmp(s->type, "s") == 0) {
        char *end;
        unsigned long i = strtoul(text, &end, 10);
        if (!len || *end || i >= s->strings->n) {
            s->pc.line = s->rownum;
            stop(&s->pc, accord_fail(ACCORD_EINVAL, NULL, "XLSX: row %lu: a cell names a missing shared string",
                                     s->rownum));
            return;
        }
        text = s->strings->items[i];
        len = s->strings->lens[i];
    } else if (strcmp(s->type, "b") == 0) {
        text = strcmp(text, "1") == 0 ? "TRUE" : "FALSE";
        len = strlen(text);
    } else if (len && (strcmp(s->type, "inlineStr") == 0 || strcmp(s->type, "str") == 0)) {
        /* An empty cell has no buffer: 'text' is then a constant "". */
        len = decode_escapes(text, len);
    }
    if (!len)
        return;
    int rc = tabular__set_cell(s->table, s->row, (size_t)s->col, text, len);
    if (rc) {
        s->pc.line = s->rownum;
        stop(&s->pc, rc);
    }
}

static void XMLCALL sheet_end(void *arg, const XML_Char *name)
{
    sheet_ctx *s = arg;
    const char *n = local_name(name);
    if (strcmp(n, "v") == 0)
        s->in_value = false;
    else if (strcmp(n, "t") == 0)
        s->in_text = false;
    else if (strcmp(n, "is") == 0)
        s->in_inline = false;
    else if (strcmp(n, "rPh") == 0)
        s->phonetic--;
    else if (strcmp(n, "c") == 0)
        end_cell(s);
}

static void XMLCALL sheet_chars(void *arg, const XML_Char *text, int len)
{
    sheet_ctx *s = arg;
    if ((s->in_value || s->in_text) && buf_append(&s->text, text, (size_t)len)) {
        s->pc.line = s->rownum;
        stop(&s->pc, accord_fail(ACCORD_ETOOBIG, NULL, "XLSX: row %lu: a cell is too long", s->rownum));
    }
}

int tabular_read_xlsx(const void *data, size_t len, tabular_table *out, unsigned long *bad_line)
{
    *out = (tabular_table){.format = TABULAR_XLSX};
    *bad_line = 0;
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *src = zip_source_buffer_create(data, len, 0, &ze);
    zip_t *za = src ? zip_open_from_source(src, ZIP_RDONLY, &ze) : NULL;
    if (!za) {
        int rc = accord_fail(ACCORD_EINVAL, NULL, "XLSX: not a readable ZIP archive: %s", zip_error_strerror(&ze));
        if (src)
            zip_source_free(src);
        zip_error_fini(&ze);
        return rc;
    }
    zip_error_fini(&ze);
    book_ctx book = {0};
    strings_ctx strings = {0};
    sheet_ctx sheet = {.table = out, .strings = &strings};
    buf_init(&strings.text, TABULAR_MAX_TEXT);
    buf_init(&sheet.text, TABULAR_MAX_TEXT);
    int rc = parse_part(za, "xl/workbook.xml", true, book_start, no_end, no_chars, &book.pc);
    if (!rc && !book.sheet_rel[0])
        rc = accord_fail(ACCORD_EINVAL, NULL, "XLSX: the workbook has no sheet");
    if (!rc)
        rc = parse_part(za, "xl/_rels/workbook.xml.rels", true, rels_start, no_end, no_chars, &book.pc);
    if (!rc && !book.sheet_part[0])
        rc = accord_fail(ACCORD_EINVAL, NULL, "XLSX: the first sheet's part is not listed");
    if (!rc && book.strings_part[0])
        rc = parse_part(za, book.strings_part, false, strings_start, strings_end, strings_chars, &strings.pc);
    if (!rc)
        rc = parse_part(za, book.sheet_part, true, sheet_start, sheet_end, sheet_chars, &sheet.pc);
    if (rc)
        *bad_line = sheet.pc.line ? sheet.pc.line : sheet.rownum;
    strings_free(&strings);
    buf_free(&sheet.text);
    zip_discard(za);
    return rc;
}
