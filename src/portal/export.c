/* accord site export: the public portal as static files. Every page is
 * rendered by the same code that serves it (portal_page_render, with no
 * connection: no query, as of today), then its links are made relative
 * to where the file lies, so the copy works from any folder of any
 * static web server or CDN:
 *   /en/                         -> en/index.html
 *   /en/instruments/x            -> en/instruments/x.html
 *   /api/v1/.../status?format=csv -> api/v1/.../status.csv (json, xlsx)
 *   /api/v1/assistance/needs?country=KAZ&format=csv -> api/v1/assistance/needs-KAZ.csv
 *   (format=iati: .iati.xml)
 *   /static/..., /feeds/..., /log/... as they are. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "assistance/assistance.h"
#include "bulk/bulk.h"
#include "depositary/depositary.h"
#include "implementation/implementation.h"
#include "ledger/ledger.h"
#include "portal/portal.h"
#include "portal/portal_int.h"
#include "registry/registry.h"
#include "util/clock.h"
#include "util/date.h"
#include "util/error.h"
#include "util/files.h"
#include "web/web.h"

#define MAX_PAGE (16 * 1024 * 1024)

typedef struct exporter {
    store *db;
    const char *dir;
    unsigned long *files;
} exporter;

/* Writes 'len' bytes to dir/rel, creating the folders on the way, and
 * counts the file. */
static int write_file(const exporter *ex, const char *rel, const void *data, size_t len)
{
    int rc = files_write_under(ex->dir, rel, data, len);
    if (!rc)
        (*ex->files)++;
    return rc;
}

/* The file that the site path 'url' (query and fragment included, as
 * written in HTML: '&amp;') is exported as, into 'out'; false for a path
 * the copy does not hold. */
static bool target_file(const char *url, char *out, size_t len)
{
    size_t pl = strcspn(url, "?#");
    char path[1024];
    if (pl >= sizeof path)
        return false;
    memcpy(path, url, pl);
    path[pl] = '\0';
    const char *query = url[pl] == '?' ? url + pl + 1 : "";
    if (strncmp(path, "/static/", 8) == 0 || strncmp(path, "/feeds/", 7) == 0 || strncmp(path, "/log/", 5) == 0) {
        snprintf(out, len, "%s", path + 1);
        return true;
    }
    if (strncmp(path, "/api/v1/", 8) == 0) {
        const char *ext = strstr(query, "format=csv")    ? "csv"
                          : strstr(query, "format=xlsx") ? "xlsx"
                          : strstr(query, "format=iati") ? "iati.xml"
                                                         : "json";
        /* A list about one country is a file of its own. */
        const char *country = strstr(query, "country=");
        if (country && strncmp(path, "/api/v1/assistance/", 19) == 0)
            snprintf(out, len, "%s-%.*s.%s", path + 1, (int)strcspn(country + 8, "&#"), country + 8, ext);
        else
            snprintf(out, len, "%s.%s", path + 1, ext);
        return true;
    }
    if (strlen(path) >= 4 && path[3] == '/' && path[0] == '/') {
        char code[3] = {path[1], path[2], 0};
        if (!web_lang_find(code))
            return false;
        if (path[4] == '\0')
            snprintf(out, len, "%s/index.html", code);
        else
            snprintf(out, len, "%s.html", path + 1);
        return true;
    }
    return false;
}

/* Appends 'html' (the page exported as 'rel') to 'out' with every
 * href="/..." and src="/..." made relative. */
static int relative_links(const char *html, const char *rel, buf *out)
{
    char up[256] = "";
    for (const char *p = rel; *p; p++)
        if (*p == '/' && strlen(up) + 3 < sizeof up)
            strcat(up, "../");
    int rc = ACCORD_OK;
    const char *p = html;
    while (!rc) {
        const char *h = strstr(p, "href=\"/"), *s = strstr(p, "src=\"/");
        const char *at = h && (!s || h < s) ? h : s;
        if (!at)
            return buf_puts(out, p);
        const char *url = strchr(at, '"') + 1;
        const char *end = strchr(url, '"');
        if (!end)
            return buf_puts(out, p);
        rc = buf_append(out, p, (size_t)(url - p));
        char link[1200], file[1100];
        snprintf(link, sizeof link, "%.*s", (int)(end - url), url);
        if (!rc && link[1] != '/' && target_file(link, file, sizeof file)) {
            const char *frag = strchr(link, '#');
            rc = buf_printf(out, "%s%s%s", up, file, frag ? frag : "");
        } else if (!rc) {
            rc = buf_append(out, url, (size_t)(end - url));
        }
        p = end;
    }
    return rc;
}

/* Renders page 'rest' in 'lang' and writes it with relative links. */
static int export_page(const exporter *ex, const web_lang *lang, const char *rest)
{
    http_req req = {.method = "GET", .path = rest, .db = ex->db, .status = 200};
    buf_init(&req.text, MAX_PAGE);
    buf page;
    buf_init(&page, MAX_PAGE);
    char url[600], file[700];
    snprintf(url, sizeof url, "/%s/%s", lang->code, rest);
    int rc = portal_page_render(&req, lang, rest);
    if (!rc && req.status != 200)
        rc = accord_fail(ACCORD_EINVAL, NULL, "page %s answered %d: %s", url, req.status, accord_error_message());
    if (!rc && !target_file(url, file, sizeof file))
        rc = accord_fail(ACCORD_EINVAL, NULL, "page %s has no file name", url);
    if (!rc)
        rc = relative_links(req.text.data ? req.text.data : "", file, &page);
    if (!rc)
        rc = write_file(ex, file, page.data, page.len);
    json_decref(req.json);
    buf_free(&req.text);
    buf_free(&page);
    return rc;
}

/* The downloads the instrument and implementation pages link, as of today. */
static int export_downloads(const exporter *ex, const char *slug, const char *today)
{
    char rel[512];
    buf b;
    buf_init(&b, MAX_PAGE);
    json_t *status = NULL, *matrix = NULL;
    int rc = depositary_status(ex->db, slug, today, &status);
    if (!rc) {
        char *text = json_dumps(status, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        snprintf(rel, sizeof rel, "api/v1/instruments/%s/status.json", slug);
        rc = text ? write_file(ex, rel, text, strlen(text)) : accord_fail(ACCORD_ENOMEM, NULL, "out of memory");
        free(text);
    }
    if (!rc) rc = depositary_status_csv(status, &b);
    snprintf(rel, sizeof rel, "api/v1/instruments/%s/status.csv", slug);
    if (!rc) rc = write_file(ex, rel, b.data, b.len);
    buf_reset(&b);
    if (!rc) rc = implementation_matrix(ex->db, slug, NULL, NULL, NULL, today, &b);
    snprintf(rel, sizeof rel, "api/v1/instruments/%s/matrix.json", slug);
    if (!rc) rc = write_file(ex, rel, b.data, b.len);
    if (!rc) rc = implementation_matrix_json(ex->db, slug, NULL, NULL, NULL, today, &matrix);
    const char *ext[] = {"csv", "xlsx"};
    tabular_format fmt[] = {TABULAR_CSV, TABULAR_XLSX};
    for (int i = 0; i < 2 && !rc; i++) {
        buf_reset(&b);
        rc = bulk_matrix_table(matrix, fmt[i], &b);
        snprintf(rel, sizeof rel, "api/v1/instruments/%s/matrix.%s", slug, ext[i]);
        if (!rc) rc = write_file(ex, rel, b.data, b.len);
    }
    json_decref(status);
    json_decref(matrix);
    buf_free(&b);
    return rc;
}

/* The assistance downloads the portal links for 'country' (NULL: all),
 * as an anonymous reader sees them: needs and activities as HXL CSV, the
 * activities as IATI XML generated at 'now'. */
static int export_assistance_downloads(const exporter *ex, const char *country, const char *now)
{
    assistance_filter f = {.country = country};
    char rel[256], suffix[8] = "";
    if (country)
        snprintf(suffix, sizeof suffix, "-%s", country);
    json_t *needs = NULL, *acts = NULL;
    buf b;
    buf_init(&b, MAX_PAGE);
    int rc = assistance_needs(ex->db, &ASSISTANCE_PUBLIC, &f, &needs);
    if (!rc) rc = assistance_activities(ex->db, &ASSISTANCE_PUBLIC, &f, &acts);
    if (!rc) rc = assistance_hxl("needs", needs, &b);
    snprintf(rel, sizeof rel, "api/v1/assistance/needs%s.csv", suffix);
    if (!rc) rc = write_file(ex, rel, b.data, b.len);
    buf_reset(&b);
    if (!rc) rc = assistance_hxl("activities", acts, &b);
    snprintf(rel, sizeof rel, "api/v1/assistance/activities%s.csv", suffix);
    if (!rc) rc = write_file(ex, rel, b.data, b.len);
    buf_reset(&b);
    if (!rc) rc = assistance_iati(acts, now, &b);
    snprintf(rel, sizeof rel, "api/v1/assistance/activities%s.iati.xml", suffix);
    if (!rc) rc = write_file(ex, rel, b.data, b.len);
    json_decref(needs);
    json_decref(acts);
    buf_free(&b);
    return rc;
}

/* Appends "assistance/entities/<code>" for each item of 'list' (taken). */
static void add_entity_pages(json_t *pages, json_t *list)
{
    size_t i;
    json_t *x;
    char path[200];
    json_array_foreach(list, i, x) {
        snprintf(path, sizeof path, "assistance/entities/%s", json_string_value(json_object_get(x, "code")));
        json_array_append_new(pages, json_string(path));
    }
    json_decref(list);
}

/* The public assistance pages: gaps and overlaps, each state's page,
 * every entity and office, and every framework item that a provision,
 * a public need, an offer or an activity is linked to. */
static int assistance_pages(store *db, const json_t *states, json_t *pages)
{
    size_t i;
    json_t *x, *list;
    char path[200];
    json_array_append_new(pages, json_string("assistance/gaps"));
    json_array_foreach(states, i, x) {
        snprintf(path, sizeof path, "assistance/countries/%s", json_string_value(x));
        json_array_append_new(pages, json_string(path));
    }
    int rc = assistance_entities(db, NULL, &list);
    if (!rc) add_entity_pages(pages, list);
    if (!rc) rc = assistance_offices(db, NULL, &list);
    if (!rc) add_entity_pages(pages, list);
    store_stmt *st = NULL;
    if (!rc)
        rc = store_query(db, &st,
                         "SELECT framework, code FROM framework_link"
                         " UNION SELECT 'sdg', j.value FROM need n, json_each(n.sdg) j WHERE n.access = 'public'"
                         " UNION SELECT 'sdg', j.value FROM offer o, json_each(o.sdg) j"
                         " UNION SELECT 'sdg', j.value FROM activity a, json_each(a.sdg) j ORDER BY 1, 2",
                         "");
    while (!rc && (rc = store_step(st)) == STORE_ROW) {
        snprintf(path, sizeof path, "assistance/frameworks/%s/%s", store_col_text(st, 0), store_col_text(st, 1));
        json_array_append_new(pages, json_string(path));
        rc = ACCORD_OK;
    }
    if (rc == STORE_DONE)
        rc = ACCORD_OK;
    if (st)
        store_stmt_close(st);
    return rc;
}

/* Every page path of the portal (what follows /{lang}/), new array. */
static int page_list(store *db, json_t **out)
{
    json_t *pages = json_array(), *v = NULL;
    char path[600];
    json_array_append_new(pages, json_string(""));
    json_array_append_new(pages, json_string("groups"));
    json_array_append_new(pages, json_string("notifications"));
    json_array_append_new(pages, json_string("log"));
    int rc = registry_list_instruments(db, &v);
    size_t i;
    json_t *x;
    json_array_foreach(v, i, x) {
        snprintf(path, sizeof path, "instruments/%s", json_string_value(json_object_get(x, "slug")));
        json_array_append_new(pages, json_string(path));
        snprintf(path, sizeof path, "instruments/%s/implementation", json_string_value(json_object_get(x, "slug")));
        json_array_append_new(pages, json_string(path));
    }
    json_decref(v);
    json_t *states = json_array();
    if (!rc) rc = registry_list_parties(db, NULL, &v);
    json_array_foreach(rc ? NULL : v, i, x) {
        snprintf(path, sizeof path, "parties/%s", json_string_value(json_object_get(x, "code")));
        json_array_append_new(pages, json_string(path));
        if (strcmp(json_string_value(json_object_get(x, "kind")), "state") == 0)
            json_array_append(states, json_object_get(x, "code"));
    }
    if (!rc) json_decref(v);
    if (!rc) rc = assistance_pages(db, states, pages);
    json_decref(states);
    if (!rc) rc = registry_list_groups(db, &v);
    json_array_foreach(rc ? NULL : v, i, x) {
        snprintf(path, sizeof path, "groups/%s", json_string_value(json_object_get(x, "code")));
        json_array_append_new(pages, json_string(path));
    }
    if (!rc) json_decref(v);
    if (!rc) rc = registry_m49_list(&v);
    json_array_foreach(rc ? NULL : json_object_get(v, "regions"), i, x) {
        if (strcmp(json_string_value(json_object_get(x, "type")), "world") == 0)
            continue;
        snprintf(path, sizeof path, "regions/%s", json_string_value(json_object_get(x, "code")));
        json_array_append_new(pages, json_string(path));
    }
    if (!rc) json_decref(v);
    uint64_t size = 0;
    if (!rc) rc = ledger_size(db, &size);
    for (uint64_t k = 0; !rc && k < size; k++) {
        snprintf(path, sizeof path, "log/entries/%llu", (unsigned long long)k);
        json_array_append_new(pages, json_string(path));
    }
    if (rc)
        json_decref(pages);
    else
        *out = pages;
    return rc;
}

int portal_site_export(store *db, const char *dir, unsigned long *files)
{
    int rc = web_init();
    if (rc)
        return rc;
    if (mkdir(dir, 0755) != 0 && errno != EEXIST)
        return accord_fail(ACCORD_EENV, NULL, "cannot create %s: %s", dir, strerror(errno));
    exporter ex = {.db = db, .dir = dir, .files = files};
    json_t *pages = NULL, *instruments = NULL;
    char today[11];
    clock_today(today);
    rc = page_list(db, &pages);
    for (size_t l = 0; !rc && l < WEB_NLANGS; l++) {
        size_t i;
        json_t *p;
        json_array_foreach(pages, i, p) {
            rc = export_page(&ex, &web_langs()[l], json_string_value(p));
            if (rc)
                break;
        }
    }
    size_t len;
    const char *css = web_stylesheet(web_stylesheet_path() + strlen("/static/"), &len);
    if (!rc) rc = write_file(&ex, web_stylesheet_path() + 1, css, len);
    buf feed;
    buf_init(&feed, MAX_PAGE);
    if (!rc) rc = portal_atom_feed(db, &feed);
    if (!rc) rc = write_file(&ex, "feeds/notifications.atom", feed.data, feed.len);
    buf_free(&feed);
    /* The root: a page that sends a browser to English (a static server
     * cannot read Accept-Language), linking all six. */
    if (!rc) {
        buf idx;
        buf_init(&idx, 8192);
        rc = buf_puts(&idx, "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>accord</title>"
                            "<meta http-equiv=\"refresh\" content=\"0; url=en/index.html\"></head><body><ul>\n");
        for (size_t l = 0; !rc && l < WEB_NLANGS; l++)
            rc = buf_printf(&idx, "<li><a href=\"%s/index.html\" hreflang=\"%s\" lang=\"%s\">%s</a></li>\n",
                            web_langs()[l].code, web_langs()[l].code, web_langs()[l].code, web_langs()[l].endonym);
        if (!rc) rc = buf_puts(&idx, "</ul></body></html>\n");
        if (!rc) rc = write_file(&ex, "index.html", idx.data, idx.len);
        buf_free(&idx);
    }
    if (!rc) rc = registry_list_instruments(db, &instruments);
    size_t i;
    json_t *inst;
    json_array_foreach(rc ? NULL : instruments, i, inst) {
        rc = export_downloads(&ex, json_string_value(json_object_get(inst, "slug")), today);
        if (rc)
            break;
    }
    json_decref(instruments);
    /* The assistance downloads: for every state, and for all of them. */
    char now[21];
    clock_now_rfc3339(now);
    if (!rc) rc = export_assistance_downloads(&ex, NULL, now);
    json_array_foreach(rc ? NULL : pages, i, inst) {
        const char *p = json_string_value(inst);
        if (strncmp(p, "assistance/countries/", 21) == 0 && (rc = export_assistance_downloads(&ex, p + 21, now)))
            break;
    }
    json_decref(pages);
    return rc;
}
