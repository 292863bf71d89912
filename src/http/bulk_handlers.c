/* Templates, imports and exports of reports as table files. */
#include <stdio.h>
#include <string.h>

#include "bulk/bulk.h"
#include "http/handlers.h"
#include "util/error.h"

#define EXPORT_MAX ((size_t)256 << 20) /* bytes of an export file */

/* A download's Content-Disposition: 'name' with characters other than
 * letters, digits, dot, dash and underscore made dashes. */
void http_set_download(http_req *req, const char *name)
{
    char safe[200];
    size_t i = 0;
    for (; name[i] && i + 1 < sizeof safe; i++)
        safe[i] = strchr("._-", name[i]) || (name[i] >= 'a' && name[i] <= 'z') || (name[i] >= 'A' && name[i] <= 'Z') ||
                          (name[i] >= '0' && name[i] <= '9')
                      ? name[i]
                      : '-';
    safe[i] = '\0';
    snprintf(req->content_disposition, sizeof req->content_disposition, "attachment; filename=\"%s\"", safe);
}

int http_reply_export(http_req *req, json_t *v, const json_t *rows, int (*table)(const json_t *, tabular_format, buf *),
                      const char *stem)
{
    bulk_format f;
    const char *format = http_query(req, "format");
    int rc = bulk_format_parse(format, &f);
    if (rc) {
        json_decref(v);
        return rc;
    }
    if (format) {
        char name[200];
        snprintf(name, sizeof name, "%s.%s", stem, bulk_extension(f));
        http_set_download(req, name);
    }
    if (f == BULK_JSON) {
        req->json = v;
        return ACCORD_OK;
    }
    req->text.cap = EXPORT_MAX;
    rc = table(rows, f == BULK_CSV ? TABULAR_CSV : TABULAR_XLSX, &req->text);
    req->content_type = bulk_content_type(f);
    json_decref(v);
    return rc;
}

int http_get_template(http_req *req)
{
    const char *party = http_query(req, "party"), *format = http_query(req, "format");
    tabular_format f = TABULAR_CSV;
    if (!party || !*party)
        return accord_fail(ACCORD_EINVAL, "party", "give the party in the query: ?party=CODE");
    int rc = format ? tabular_format_parse(format, &f) : ACCORD_OK;
    if (!rc)
        rc = bulk_template(req->db, req->params[0], req->params[1], party, f, &req->text);
    if (rc)
        return rc;
    char name[200];
    snprintf(name, sizeof name, "%s-%s-%s-template.%s", req->params[0], req->params[1], party,
             f == TABULAR_CSV ? "csv" : "xlsx");
    http_set_download(req, name);
    req->content_type = f == TABULAR_CSV ? TABULAR_CSV_TYPE : TABULAR_XLSX_TYPE;
    req->cache_control = "private, no-store"; /* it holds the party's drafts */
    return ACCORD_OK;
}

static int import_work(store *db, void *arg) { return bulk_import_apply(db, arg); }

int http_import_reports(http_req *req, const char *slug, const char *cycle, const char *party, const void *data,
                        size_t len, bulk_import *im)
{
    *im = (bulk_import){.slug = slug, .cycle = cycle, .party = party, .who = &req->who->who, .list_rows = true};
    if (!party || !*party)
        return accord_fail(ACCORD_EINVAL, "party", "give the party in the query: ?party=CODE");
    if (!data || !len)
        return accord_fail(ACCORD_EINVAL, NULL, "the body is empty: send the filled-in template, CSV or XLSX");
    int rc = bulk_import_prepare(im, data, len);
    return rc ? rc : http_run_writes(import_work, im);
}

int http_post_import(http_req *req)
{
    bulk_import im;
    int rc = http_import_reports(req, req->params[0], req->params[1], http_query(req, "party"), req->body,
                                 req->body_len, &im);
    if (rc == ACCORD_ERULE && im.nerrors)
        req->error_extra = json_pack("{s:O, s:I, s:I}", "rows", im.errors, "problems", (json_int_t)im.nerrors,
                                     "bad_rows", (json_int_t)im.bad_rows);
    if (!rc) {
        req->status = im.imported ? 201 : 200;
        req->json = json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:O}", "instrument", im.slug, "cycle", im.cycle, "party",
                              im.party, "imported", (json_int_t)im.imported, "unchanged", (json_int_t)im.unchanged,
                              "blank", (json_int_t)im.blank, "rows", im.rows);
        if (im.imported) {
            json_object_set_new(req->json, "first_log_index", json_integer((json_int_t)im.first_index));
            json_object_set_new(req->json, "last_log_index", json_integer((json_int_t)im.last_index));
        }
        json_object_set_new(req->json, "visibility",
                            json_string("restricted: the public log holds only a salted commitment to each draft"));
    }
    bulk_import_free(&im);
    return rc;
}
