/* tabular: CSV reading and writing (quotes, line breaks, BOM, CRLF,
 * ragged rows, formula marks), XLSX written and read back, and XLSX parts
 * as other spreadsheets write them (inline strings, rich text, sparse
 * cells, escapes). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zip.h>

#include "tabular/tabular.h"
#include "util/error.h"

static tabular_table read_csv_ok(const char *text)
{
    tabular_table t;
    unsigned long line;
    int rc = tabular_read(text, strlen(text), &t, &line);
    cr_assert_eq(rc, 0, "%s", accord_error_message());
    cr_assert_eq(t.format, TABULAR_CSV);
    return t;
}

static void assert_row(const tabular_table *t, size_t i, unsigned long line, const char *const *cells)
{
    cr_assert_lt(i, t->nrows);
    const tabular_row *r = &t->rows[i];
    cr_assert_eq(r->line, line, "row %zu starts on line %lu, not %lu", i, r->line, line);
    size_t n = 0;
    for (; cells[n]; n++)
        cr_assert_str_eq(tabular_cell(r, n), cells[n], "row %zu cell %zu", i, n);
    cr_assert_eq(r->ncells, n, "row %zu has %zu cells, not %zu", i, r->ncells, n);
}

Test(csv, quotes_separators_and_line_breaks_inside_cells)
{
    tabular_table t = read_csv_ok("a,b,c\r\n"
                                  "\"x, y\",\"say \"\"hi\"\"\",\"two\r\nlines\"\r\n"
                                  "plain,,last\r\n");
    cr_assert_eq(t.nrows, 3);
    assert_row(&t, 0, 1, (const char *[]){"a", "b", "c", NULL});
    assert_row(&t, 1, 2, (const char *[]){"x, y", "say \"hi\"", "two\nlines", NULL});
    assert_row(&t, 2, 4, (const char *[]){"plain", "", "last", NULL});
    tabular_free(&t);
}

Test(csv, bom_lf_and_no_final_newline)
{
    tabular_table t = read_csv_ok("\xEF\xBB\xBFparty,provision\nKAZ,1\n\nTUR,2");
    cr_assert_eq(t.nrows, 4);
    assert_row(&t, 0, 1, (const char *[]){"party", "provision", NULL});
    assert_row(&t, 1, 2, (const char *[]){"KAZ", "1", NULL});
    assert_row(&t, 2, 3, (const char *[]){"", NULL});
    cr_assert(tabular_row_blank(&t.rows[2]));
    assert_row(&t, 3, 4, (const char *[]){"TUR", "2", NULL});
    tabular_free(&t);
}

Test(csv, ragged_rows_keep_their_own_length)
{
    tabular_table t = read_csv_ok("a,b,c\n1\n1,2,3,4\n");
    assert_row(&t, 1, 2, (const char *[]){"1", NULL});
    cr_assert_str_eq(tabular_cell(&t.rows[1], 2), "", "a missing cell reads as empty");
    assert_row(&t, 2, 3, (const char *[]){"1", "2", "3", "4", NULL});
    tabular_free(&t);
}

Test(csv, semicolons_when_the_header_has_no_comma)
{
    tabular_table t = read_csv_ok("party;narrative\nKAZ;\"a; b, c\"\n");
    assert_row(&t, 1, 2, (const char *[]){"KAZ", "a; b, c", NULL});
    tabular_free(&t);
}

Test(csv, malformed_files_name_their_line)
{
    tabular_table t;
    unsigned long line;
    const char *open_quote = "a,b\n1,2\n3,\"never\nclosed\n";
    cr_assert_eq(tabular_read(open_quote, strlen(open_quote), &t, &line), ACCORD_EINVAL);
    cr_assert_eq(line, 3, "the quote opened on line 3");
    cr_assert(strstr(accord_error_message(), "line 3"), "%s", accord_error_message());
    tabular_free(&t);
    const char *after = "a,b\n\"x\"y,2\n";
    cr_assert_eq(tabular_read(after, strlen(after), &t, &line), ACCORD_EINVAL);
    cr_assert_eq(line, 2);
    tabular_free(&t);
}

/* A NUL would cut the cell (its text is NUL-terminated) and store the
 * prefix; the JSON API refuses U+0000 too. */
Test(csv, a_nul_is_refused_with_its_line_and_column)
{
    tabular_table t;
    unsigned long line;
    static const char plain[] = "a,b\n1,x\0y\n";
    cr_assert_eq(tabular_read(plain, sizeof plain - 1, &t, &line), ACCORD_EINVAL);
    cr_assert_eq(line, 2);
    cr_assert(strstr(accord_error_message(), "line 2, column 2") && strstr(accord_error_message(), "NUL"), "%s",
              accord_error_message());
    tabular_free(&t);
    static const char quoted[] = "a,b,c\n1,2,3\n4,5,\"x\0y\"\n";
    cr_assert_eq(tabular_read(quoted, sizeof quoted - 1, &t, &line), ACCORD_EINVAL);
    cr_assert_eq(line, 3);
    cr_assert(strstr(accord_error_message(), "line 3, column 3"), "%s", accord_error_message());
    tabular_free(&t);
}

Test(csv, utf8_is_checked_by_cell)
{
    cr_assert(tabular_utf8_valid("T\xC3\xBCrkiye"));
    cr_assert_not(tabular_utf8_valid("T\xFCrkiye"), "Latin-1 is not UTF-8");
    cr_assert_not(tabular_utf8_valid("\xC0\xAF"), "overlong");
    cr_assert_not(tabular_utf8_valid("\xED\xA0\x80"), "surrogate");
    cr_assert(tabular_utf8_valid("\xF0\x9F\x98\x80"));
}

/* Writes 'rows' (NULL-terminated lists; a cell "#N" is the number N) in
 * format 'f' under 'header'. */
static void write_table(tabular_format f, const char *const *header, const char *const *const *rows, buf *out)
{
    tabular_writer *w;
    cr_assert_eq(tabular_writer_new(&w, f, "test"), 0, "%s", accord_error_message());
    cr_assert_eq(tabular_header(w, header), 0);
    for (size_t r = 0; rows[r]; r++) {
        for (size_t c = 0; rows[r][c]; c++) {
            const char *cell = rows[r][c];
            int rc = cell[0] == '#' ? tabular_number(w, atoll(cell + 1)) : tabular_text(w, cell);
            cr_assert_eq(rc, 0, "%s", accord_error_message());
        }
        cr_assert_eq(tabular_end_row(w), 0);
    }
    static const char *const choices[] = {"yes", "no", NULL};
    cr_assert_eq(tabular_choices(w, 1, choices), 0);
    buf_init(out, 64 << 20);
    cr_assert_eq(tabular_writer_finish(w, out), 0, "%s", accord_error_message());
}

static const char *const header[] = {"party", "provision", "narrative", "evidence", NULL};
static const char *const row1[] = {"KAZ", "#1", "=HYPERLINK(\"http://evil\")", "A law https://example.org/a\nB", NULL};
static const char *const row2[] = {"T\xC3\xBCrkiye", "#10", "- a Markdown list\n- of two", "", NULL};
static const char *const row3[] = {"'quoted", "#3", "+1", "@sum", NULL};
static const char *const row4[] = {"''twice", "#4", "'=already marked", "tab\tinside, \"quotes\"", NULL};
static const char *const row5[] = {"_x000D_ literal", "#5", "", "last", NULL};
static const char *const *const rows[] = {row1, row2, row3, row4, row5, NULL};

/* Reading back what was written gives the same cells, numbers as digits. */
static void assert_round_trip(tabular_format f)
{
    buf file;
    write_table(f, header, rows, &file);
    tabular_table t;
    unsigned long line;
    cr_assert_eq(tabular_read(file.data, file.len, &t, &line), 0, "%s", accord_error_message());
    cr_assert_eq(t.format, f);
    cr_assert_eq(t.nrows, 6);
    for (size_t c = 0; header[c]; c++)
        cr_assert_str_eq(tabular_cell(&t.rows[0], c), header[c]);
    for (size_t r = 0; rows[r]; r++)
        for (size_t c = 0; rows[r][c]; c++) {
            const char *want = rows[r][c][0] == '#' ? rows[r][c] + 1 : rows[r][c];
            cr_assert_str_eq(tabular_cell(&t.rows[r + 1], c), want, "row %zu column %zu", r, c);
        }
    tabular_free(&t);
    buf_free(&file);
}

Test(csv, written_then_read_back_is_the_same)
{
    assert_round_trip(TABULAR_CSV);
}

Test(csv, formula_like_text_is_marked_so_spreadsheets_show_it)
{
    buf file;
    write_table(TABULAR_CSV, header, rows, &file);
    cr_assert(memcmp(file.data, "\xEF\xBB\xBF", 3) == 0, "a UTF-8 byte order mark for spreadsheets");
    cr_assert(strstr(file.data, "KAZ,1,\"'=HYPERLINK(\"\"http://evil\"\")\""), "%s", file.data);
    cr_assert(strstr(file.data, "\"'- a Markdown list\n- of two\""), "%s", file.data);
    cr_assert(strstr(file.data, "'+1,'@sum"), "%s", file.data);
    cr_assert(strstr(file.data, "\r\n"), "records end in CRLF");
    /* No line of the file starts a cell with a formula character. */
    for (const char *p = file.data; (p = strpbrk(p, ",\n")); p++)
        cr_assert(!p[1] || !strchr("=+@", p[1]), "unmarked formula text at: %.20s", p);
    buf_free(&file);
}

Test(xlsx, written_then_read_back_is_the_same)
{
    assert_round_trip(TABULAR_XLSX);
}

Test(xlsx, cells_are_strings_or_numbers_never_formulas)
{
    buf file;
    write_table(TABULAR_XLSX, header, rows, &file);
    cr_assert(tabular_is_xlsx(file.data, file.len));
    zip_error_t ze;
    zip_source_t *src = zip_source_buffer_create(file.data, file.len, 0, &ze);
    zip_t *za = zip_open_from_source(src, ZIP_RDONLY, &ze);
    cr_assert_not_null(za);
    zip_file_t *zf = zip_fopen(za, "xl/worksheets/sheet1.xml", 0);
    cr_assert_not_null(zf);
    static char xml[1 << 16];
    zip_int64_t n = zip_fread(zf, xml, sizeof xml - 1);
    cr_assert_gt(n, 0);
    xml[n] = '\0';
    zip_fclose(zf);
    cr_assert_null(strstr(xml, "<f>"), "no formula cell: %s", xml);
    cr_assert(strstr(xml, "<dataValidation"), "a drop-down list: %s", xml);
    cr_assert(strstr(xml, "<c r=\"B2\" t=\"n\"><v>1</v>") || strstr(xml, "<c r=\"B2\"><v>1</v>"),
              "provision numbers are numbers: %s", xml);
    zip_discard(za);
    buf_free(&file);
}

/* Builds an XLSX file from the given parts, as another program would. */
static void make_xlsx(const char *sheet, const char *strings, buf *out)
{
    char path[] = "/tmp/accord-tabular-XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    close(fd);
    int err;
    zip_t *za = zip_open(path, ZIP_TRUNCATE, &err);
    cr_assert_not_null(za);
    const char *parts[][2] = {
        {"[Content_Types].xml", "<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>"},
        {"xl/workbook.xml",
         "<?xml version=\"1.0\"?><x:workbook xmlns:x=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
         "xmlns:rel=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><x:sheets>"
         "<x:sheet name=\"First\" sheetId=\"7\" rel:id=\"rIdA\"/><x:sheet name=\"Second\" sheetId=\"1\" rel:id=\"rIdB\"/>"
         "</x:sheets></x:workbook>"},
        {"xl/_rels/workbook.xml.rels",
         "<?xml version=\"1.0\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
         "<Relationship Id=\"rIdB\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/b.xml\"/>"
         "<Relationship Id=\"rIdA\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"/xl/worksheets/a.xml\"/>"
         "<Relationship Id=\"rIdS\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings\" Target=\"strings.xml\"/>"
         "</Relationships>"},
        {"xl/worksheets/a.xml", sheet},
        {"xl/worksheets/b.xml", "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>"
                                "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>wrong sheet</t></is></c></row></sheetData></worksheet>"},
        {"xl/strings.xml", strings},
    };
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        zip_source_t *s = zip_source_buffer(za, parts[i][1], strlen(parts[i][1]), 0);
        cr_assert_geq(zip_file_add(za, parts[i][0], s, ZIP_FL_OVERWRITE), 0);
    }
    cr_assert_eq(zip_close(za), 0);
    FILE *f = fopen(path, "rb");
    buf_init(out, 1 << 20);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_append(out, chunk, n);
    fclose(f);
    unlink(path);
}

#define MAIN "xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\""

Test(xlsx, the_first_sheet_with_shared_inline_and_rich_strings_in_their_columns)
{
    buf file;
    make_xlsx("<worksheet " MAIN "><sheetData>"
              "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"C1\" t=\"s\"><v>1</v></c></row>"
              "<row r=\"3\"><c r=\"B3\" t=\"inlineStr\"><is><t>line one_x000D_\nline two</t></is></c>"
              "<c t=\"b\"><v>1</v></c><c r=\"E3\"><v>42</v></c><c r=\"F3\" s=\"2\"/></row>"
              "</sheetData></worksheet>",
              "<sst " MAIN " count=\"2\"><si><t>plain</t></si>"
              "<si><r><t>rich </t></r><r><rPr><b/></rPr><t>text</t></r><rPh><t>hint</t></rPh></si></sst>",
              &file);
    tabular_table t;
    unsigned long line;
    cr_assert_eq(tabular_read(file.data, file.len, &t, &line), 0, "%s", accord_error_message());
    cr_assert_eq(t.nrows, 2);
    assert_row(&t, 0, 1, (const char *[]){"plain", "", "rich text", NULL});
    assert_row(&t, 1, 3, (const char *[]){"", "line one\r\nline two", "TRUE", "", "42", NULL});
    tabular_free(&t);
    buf_free(&file);
}

Test(xlsx, a_nul_is_refused_with_its_row_and_column)
{
    tabular_table t;
    unsigned long line;
    buf file;
    /* XML cannot hold a NUL, but the spreadsheet escape _x0000_ can, in an
     * inline string and in a shared one. */
    make_xlsx("<worksheet " MAIN "><sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>a</t></is></c></row>"
              "<row r=\"5\"><c r=\"B5\" t=\"inlineStr\"><is><t>x_x0000_y</t></is></c></row></sheetData></worksheet>",
              "<sst " MAIN "/>", &file);
    cr_assert_eq(tabular_read(file.data, file.len, &t, &line), ACCORD_EINVAL);
    cr_assert_eq(line, 5);
    cr_assert(strstr(accord_error_message(), "row 5, column 2") && strstr(accord_error_message(), "NUL"), "%s",
              accord_error_message());
    tabular_free(&t);
    buf_free(&file);
    make_xlsx("<worksheet " MAIN "><sheetData><row r=\"7\"><c r=\"C7\" t=\"s\"><v>0</v></c></row></sheetData></worksheet>",
              "<sst " MAIN "><si><t>x_x0000_y</t></si></sst>", &file);
    cr_assert_eq(tabular_read(file.data, file.len, &t, &line), ACCORD_EINVAL);
    cr_assert_eq(line, 7);
    cr_assert(strstr(accord_error_message(), "row 7, column 3"), "%s", accord_error_message());
    tabular_free(&t);
    buf_free(&file);
}

/* Found by fuzz/fuzz_xlsx: an empty inline or formula string cell made
 * the escape decoder write into a string constant (a crash). An escape
 * of a UTF-16 surrogate would have made invalid UTF-8: it is kept as
 * written (a NUL escape is refused: see the test above). */
Test(xlsx, empty_string_cells_and_escapes_that_are_no_characters)
{
    buf file;
    make_xlsx("<worksheet " MAIN "><sheetData>"
              "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t></t></is></c><c r=\"B1\" t=\"str\"/>"
              "<c r=\"C1\" t=\"inlineStr\"><is><t>x</t></is></c></row>"
              "<row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is><t>a_x004_b</t></is></c>"
              "<c r=\"B2\" t=\"str\"><v>_xD800_</v></c><c r=\"C2\" t=\"str\"><v>_x00e9_</v></c></row>"
              "</sheetData></worksheet>",
              "<sst " MAIN "/>", &file);
    tabular_table t;
    unsigned long line;
    cr_assert_eq(tabular_read(file.data, file.len, &t, &line), 0, "%s", accord_error_message());
    cr_assert_eq(t.nrows, 2);
    assert_row(&t, 0, 1, (const char *[]){"", "", "x", NULL});
    assert_row(&t, 1, 2, (const char *[]){"a_x004_b", "_xD800_", "\xc3\xa9", NULL});
    tabular_free(&t);
    buf_free(&file);
}

Test(xlsx, bad_files_are_refused)
{
    tabular_table t;
    unsigned long line;
    const char *notzip = "PK\x03\x04 but not really a zip archive";
    cr_assert_eq(tabular_read(notzip, strlen(notzip), &t, &line), ACCORD_EINVAL);
    tabular_free(&t);
    buf file;
    make_xlsx("<!DOCTYPE worksheet [<!ENTITY a \"aaaaaaaa\">]><worksheet " MAIN "><sheetData/></worksheet>",
              "<sst " MAIN "/>", &file);
    cr_assert_eq(tabular_read(file.data, file.len, &t, &line), ACCORD_EINVAL, "a DTD is refused");
    cr_assert(strstr(accord_error_message(), "DTD"), "%s", accord_error_message());
    tabular_free(&t);
    buf_free(&file);
    make_xlsx("<worksheet " MAIN "><sheetData><row r=\"4\"><c r=\"A4\" t=\"s\"><v>9</v></c></row></sheetData></worksheet>",
              "<sst " MAIN "/>", &file);
    cr_assert_eq(tabular_read(file.data, file.len, &t, &line), ACCORD_EINVAL);
    cr_assert_eq(line, 4, "the row that names a missing string");
    tabular_free(&t);
    buf_free(&file);
}
