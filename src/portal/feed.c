/* The Atom 1.0 feed (RFC 4287) of depositary notifications, written with
 * libxml2's xmlTextWriter, which escapes text and attribute values and
 * keeps the document well-formed. Treaty offices let ministries subscribe
 * to their notifications; this is the feed they subscribe to. */
#include <libxml/xmlwriter.h>
#include <stdio.h>
#include <string.h>

#include "depositary/depositary.h"
#include "portal/portal.h"
#include "registry/registry.h"
#include "util/date.h"
#include "util/error.h"

#define ATOM_NS "http://www.w3.org/2005/Atom"

typedef struct feed_item {
    json_t *note;
    const char *slug, *title;
} feed_item;

static int newest_first(const void *x, const void *y)
{
    const feed_item *a = x, *b = y;
    int c = strcmp(json_string_value(json_object_get(b->note, "date")), json_string_value(json_object_get(a->note, "date")));
    if (c)
        return c;
    c = (int)(json_integer_value(json_object_get(b->note, "year")) - json_integer_value(json_object_get(a->note, "year")));
    if (c)
        return c;
    return (int)(json_integer_value(json_object_get(b->note, "n")) - json_integer_value(json_object_get(a->note, "n")));
}

#define W(call) do { if (!rc && (call) < 0) rc = accord_fail(ACCORD_ENOMEM, NULL, "cannot write the Atom feed"); } while (0)

static int write_entry(xmlTextWriterPtr w, const feed_item *it)
{
    int rc = ACCORD_OK;
    const char *number = json_string_value(json_object_get(it->note, "number"));
    const char *date = json_string_value(json_object_get(it->note, "date"));
    char id[256], updated[32], href[300];
    snprintf(id, sizeof id, "urn:accord:notification:%s", number);
    snprintf(updated, sizeof updated, "%sT00:00:00Z", date);
    snprintf(href, sizeof href, "/en/notifications#n-%s", number);
    for (char *p = strchr(href, '#'); p && *p; p++)
        if (*p == '/')
            *p = '-';
    W(xmlTextWriterStartElement(w, BAD_CAST "entry"));
    W(xmlTextWriterWriteElement(w, BAD_CAST "id", BAD_CAST id));
    char title[600];
    snprintf(title, sizeof title, "%s: %s", number, it->title);
    W(xmlTextWriterWriteElement(w, BAD_CAST "title", BAD_CAST title));
    W(xmlTextWriterWriteElement(w, BAD_CAST "updated", BAD_CAST updated));
    W(xmlTextWriterStartElement(w, BAD_CAST "link"));
    W(xmlTextWriterWriteAttribute(w, BAD_CAST "rel", BAD_CAST "alternate"));
    W(xmlTextWriterWriteAttribute(w, BAD_CAST "type", BAD_CAST "text/html"));
    W(xmlTextWriterWriteAttribute(w, BAD_CAST "href", BAD_CAST href));
    W(xmlTextWriterEndElement(w));
    W(xmlTextWriterStartElement(w, BAD_CAST "content"));
    W(xmlTextWriterWriteAttribute(w, BAD_CAST "type", BAD_CAST "text"));
    W(xmlTextWriterWriteAttribute(w, BAD_CAST "xml:lang", BAD_CAST "en"));
    W(xmlTextWriterWriteString(w, BAD_CAST json_string_value(json_object_get(it->note, "text"))));
    W(xmlTextWriterEndElement(w));
    W(xmlTextWriterEndElement(w));
    return rc;
}

int portal_atom_feed(store *db, buf *out)
{
    json_t *instruments = NULL, *lists = json_array();
    feed_item *items = NULL;
    size_t n = 0;
    int rc = registry_list_instruments(db, &instruments);
    size_t i;
    json_t *inst;
    json_array_foreach(instruments, i, inst) {
        json_t *notes;
        if (!rc)
            rc = depositary_list_notifications(db, json_string_value(json_object_get(inst, "slug")), &notes);
        if (!rc)
            json_array_append_new(lists, notes);
    }
    for (i = 0; !rc && i < json_array_size(lists); i++)
        n += json_array_size(json_array_get(lists, i));
    items = calloc(n ? n : 1, sizeof *items);
    if (!rc && !items)
        rc = accord_fail(ACCORD_ENOMEM, NULL, "out of memory");
    size_t k = 0;
    for (i = 0; !rc && i < json_array_size(lists); i++) {
        json_t *in = json_array_get(instruments, i);
        size_t j;
        json_t *note;
        json_array_foreach(json_array_get(lists, i), j, note) {
            items[k].note = note;
            items[k].slug = json_string_value(json_object_get(in, "slug"));
            items[k].title = json_string_value(json_object_get(in, "title"));
            k++;
        }
    }
    if (!rc)
        qsort(items, n, sizeof *items, newest_first);

    xmlBufferPtr xb = rc ? NULL : xmlBufferCreate();
    xmlTextWriterPtr w = xb ? xmlNewTextWriterMemory(xb, 0) : NULL;
    if (!rc && !w)
        rc = accord_fail(ACCORD_ENOMEM, NULL, "cannot start the Atom feed");
    char updated[32];
    if (n)
        snprintf(updated, sizeof updated, "%sT00:00:00Z", json_string_value(json_object_get(items[0].note, "date")));
    else
        snprintf(updated, sizeof updated, "2018-09-28T00:00:00Z");
    if (w) {
        W(xmlTextWriterSetIndent(w, 1));
        W(xmlTextWriterStartDocument(w, "1.0", "UTF-8", NULL));
        W(xmlTextWriterStartElementNS(w, NULL, BAD_CAST "feed", BAD_CAST ATOM_NS));
        W(xmlTextWriterWriteAttribute(w, BAD_CAST "xml:lang", BAD_CAST "en"));
        W(xmlTextWriterWriteElement(w, BAD_CAST "id", BAD_CAST "urn:accord:notifications"));
        W(xmlTextWriterWriteElement(w, BAD_CAST "title", BAD_CAST "Depositary notifications"));
        W(xmlTextWriterWriteElement(w, BAD_CAST "updated", BAD_CAST updated));
        W(xmlTextWriterStartElement(w, BAD_CAST "author"));
        W(xmlTextWriterWriteElement(w, BAD_CAST "name", BAD_CAST "The depositary"));
        W(xmlTextWriterEndElement(w));
        W(xmlTextWriterStartElement(w, BAD_CAST "link"));
        W(xmlTextWriterWriteAttribute(w, BAD_CAST "rel", BAD_CAST "self"));
        W(xmlTextWriterWriteAttribute(w, BAD_CAST "href", BAD_CAST "/feeds/notifications.atom"));
        W(xmlTextWriterEndElement(w));
        W(xmlTextWriterStartElement(w, BAD_CAST "link"));
        W(xmlTextWriterWriteAttribute(w, BAD_CAST "rel", BAD_CAST "alternate"));
        W(xmlTextWriterWriteAttribute(w, BAD_CAST "type", BAD_CAST "text/html"));
        W(xmlTextWriterWriteAttribute(w, BAD_CAST "href", BAD_CAST "/en/notifications"));
        W(xmlTextWriterEndElement(w));
        for (i = 0; !rc && i < n; i++)
            rc = write_entry(w, &items[i]);
        W(xmlTextWriterEndDocument(w));
        xmlFreeTextWriter(w);
    }
    if (!rc)
        rc = buf_append(out, xmlBufferContent(xb), (size_t)xmlBufferLength(xb));
    if (xb)
        xmlBufferFree(xb);
    free(items);
    json_decref(lists);
    json_decref(instruments);
    return rc;
}

int portal_atom(http_req *req)
{
    req->content_type = "application/atom+xml; charset=utf-8";
    return portal_atom_feed(req->db, &req->text);
}
