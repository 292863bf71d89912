/* Templates and exports: reports and the matrix as table files. */
#include "bulk/bulk.h"

#include <stdio.h>
#include <string.h>

#include "bulk/bulk_int.h"
#include "implementation/implementation.h"
#include "registry/registry.h"
#include "util/error.h"

int bulk_format_parse(const char *name, bulk_format *out)
{
    if (!name || strcmp(name, "json") == 0)
        *out = BULK_JSON;
    else if (strcmp(name, "csv") == 0)
        *out = BULK_CSV;
    else if (strcmp(name, "xlsx") == 0)
        *out = BULK_XLSX;
    else
        return accord_fail(ACCORD_EINVAL, "format", "format: json, csv or xlsx");
    return ACCORD_OK;
}

const char *bulk_content_type(bulk_format f)
{
    return f == BULK_CSV ? TABULAR_CSV_TYPE : f == BULK_XLSX ? TABULAR_XLSX_TYPE : "application/json";
}

const char *bulk_extension(bulk_format f) { return f == BULK_CSV ? "csv" : f == BULK_XLSX ? "xlsx" : "json"; }

static const char *str(const json_t *o, const char *key) { return json_string_value(json_object_get(o, key)); }

int bulk__evidence_cell(const json_t *evidence, buf *out)
{
    size_t i;
    json_t *link;
    int rc = ACCORD_OK;
    json_array_foreach(evidence, i, link)
    {
        const char *title = str(link, "title"), *url = str(link, "url");
        if (i)
            rc = buf_append(out, "\n", 1);
        for (const char *p = title ? title : ""; *p && !rc; p++)
            rc = buf_append(out, *p == '\n' || *p == '\r' ? " " : p, 1);
        if (!rc && url)
            rc = buf_printf(out, " %s", url);
        if (rc)
            break;
    }
    return rc;
}

/* Writes the report fields of 'report' (a draft or a released report):
 * status, narrative, measures, evidence, assistance_needs. */
static int report_cells(tabular_writer *w, const json_t *report)
{
    buf ev;
    buf_init(&ev, (size_t)1 << 20);
    int rc = tabular_text(w, str(report, "status"));
    if (!rc) rc = tabular_text(w, str(report, "narrative"));
    if (!rc) rc = tabular_text(w, str(report, "measures"));
    if (!rc) rc = bulk__evidence_cell(json_object_get(report, "evidence"), &ev);
    if (!rc) rc = tabular_text(w, ev.data);
    if (!rc) rc = tabular_text(w, str(report, "assistance_needs"));
    buf_free(&ev);
    return rc;
}

/* The provision's wording, as a hint beside the row to fill in. */
static int provision_hint(const json_t *p, buf *out)
{
    const char *title = str(p, "title"), *text = str(p, "text");
    int rc = ACCORD_OK;
    if (title)
        rc = buf_puts(out, title);
    if (!rc && text && (!title || strcmp(text, title)))
        rc = buf_printf(out, "%s%s", title ? "\n" : "", text);
    if (!rc && !title && !text)
        rc = buf_puts(out, "(the text of this provision is not yet recorded)");
    return rc;
}

static const json_t *draft_of(const json_t *drafts, json_int_t provision)
{
    size_t i;
    json_t *d;
    json_array_foreach(drafts, i, d) if (json_integer_value(json_object_get(d, "provision")) == provision) return d;
    return NULL;
}

static const char *const statuses[] = {"not_started", "planned", "in_progress", "substantially_implemented",
                                       "implemented", "not_applicable", NULL};

int bulk_template(store *db, const char *slug, const char *cycle, const char *party, tabular_format f, buf *out)
{
    static const char *const header[] = {"party",    "provision", "provision_text", "status",
                                         "narrative", "measures", "evidence",       "assistance_needs", NULL};
    char opens[11], due[11];
    json_t *inst = NULL, *drafts = NULL;
    tabular_writer *w = NULL;
    int rc = implementation_cycle_dates(db, slug, cycle, opens, due);
    if (!rc) rc = registry_party_require(db, party, "party");
    if (!rc) rc = registry_get_instrument(db, slug, &inst);
    if (!rc) rc = implementation_drafts(db, slug, cycle, party, &drafts);
    if (!rc) rc = tabular_writer_new(&w, f, "report");
    if (!rc) rc = tabular_header(w, header);
    buf hint;
    buf_init(&hint, (size_t)1 << 20);
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(inst, "provisions"), i, p)
    {
        json_int_t number = json_integer_value(json_object_get(p, "number"));
        const json_t *draft = draft_of(drafts, number);
        buf_reset(&hint);
        if (!rc) rc = tabular_text(w, party);
        if (!rc) rc = tabular_number(w, number);
        if (!rc) rc = provision_hint(p, &hint);
        if (!rc) rc = tabular_text(w, hint.data);
        if (!rc) rc = report_cells(w, draft);
        if (!rc) rc = tabular_end_row(w);
        if (rc)
            break;
    }
    if (!rc) rc = tabular_choices(w, 3, statuses);
    if (!rc) {
        rc = tabular_writer_finish(w, out);
        w = NULL;
    }
    tabular_writer_free(w);
    buf_free(&hint);
    json_decref(inst);
    json_decref(drafts);
    return rc;
}

int bulk_matrix_table(const json_t *m, tabular_format f, buf *out)
{
    static const char *const header[] = {"party", "party_name", "provision", "rating", "self_assessment", NULL};
    tabular_writer *w;
    int rc = tabular_writer_new(&w, f, "matrix");
    if (rc)
        return rc;
    rc = tabular_header(w, header);
    size_t i, k;
    json_t *row, *cell;
    json_array_foreach(json_object_get(m, "rows"), i, row)
    {
        const json_t *party = json_object_get(row, "party");
        json_array_foreach(json_object_get(row, "cells"), k, cell)
        {
            if (!rc) rc = tabular_text(w, str(party, "code"));
            if (!rc) rc = tabular_text(w, str(party, "name"));
            if (!rc) rc = tabular_number(w, json_integer_value(json_object_get(cell, "provision")));
            if (!rc) rc = tabular_text(w, str(cell, "rating"));
            if (!rc) rc = tabular_text(w, str(cell, "self_assessment"));
            if (!rc) rc = tabular_end_row(w);
        }
    }
    if (rc) {
        tabular_writer_free(w);
        return rc;
    }
    return tabular_writer_finish(w, out);
}

int bulk_released_table(const json_t *reports, tabular_format f, buf *out)
{
    static const char *const header[] = {"party",    "provision", "version",          "status",      "narrative",
                                         "measures", "evidence",  "assistance_needs", "released_at", NULL};
    tabular_writer *w;
    int rc = tabular_writer_new(&w, f, "reports");
    if (rc)
        return rc;
    rc = tabular_header(w, header);
    size_t i;
    json_t *r;
    json_array_foreach(reports, i, r)
    {
        if (!rc) rc = tabular_text(w, str(r, "party"));
        if (!rc) rc = tabular_number(w, json_integer_value(json_object_get(r, "provision")));
        if (!rc) rc = tabular_number(w, json_integer_value(json_object_get(r, "version")));
        if (!rc) rc = report_cells(w, json_object_get(r, "report"));
        if (!rc) rc = tabular_text(w, str(r, "released_at"));
        if (!rc) rc = tabular_end_row(w);
    }
    if (rc) {
        tabular_writer_free(w);
        return rc;
    }
    return tabular_writer_finish(w, out);
}
