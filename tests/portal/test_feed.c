/* The Atom feed of depositary notifications: well-formed XML, Atom 1.0
 * (RFC 4287: the namespace, and id, title and updated on the feed and on
 * each entry), one entry per notification, newest first. Read back with
 * libxml2's parser. */
#include <criterion/criterion.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdlib.h>
#include <string.h>

#include "depositary/depositary.h"
#include "helpers.h"
#include "portal/portal.h"
#include "util/error.h"

static const xmlNode *child(const xmlNode *n, const char *name)
{
    for (const xmlNode *c = n->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, name) == 0)
            return c;
    return NULL;
}

static bool rfc3339(const xmlNode *n)
{
    xmlChar *t = xmlNodeGetContent(n);
    bool ok = t && strlen((const char *)t) == 20 && t[4] == '-' && t[10] == 'T' && t[19] == 'Z';
    xmlFree(t);
    return ok;
}

Test(portal_feed, the_notifications_feed_is_well_formed_atom_1_0)
{
    char *dir = th_tempdir(), token[64];
    char *db_path = th_make_db(dir, true, token);
    store *db = th_open(db_path);
    buf out;
    buf_init(&out, 1 << 20);
    cr_assert_eq(portal_atom_feed(db, &out), 0, "%s", accord_error_message());
    json_t *notes;
    cr_assert_eq(depositary_list_notifications(db, "code-of-conduct", &notes), 0);

    xmlDocPtr doc = xmlReadMemory(out.data, (int)out.len, "feed.atom", NULL, XML_PARSE_NONET | XML_PARSE_NOERROR);
    cr_assert_not_null(doc, "the feed is not well-formed XML");
    const xmlNode *feed = xmlDocGetRootElement(doc);
    cr_assert_str_eq((const char *)feed->name, "feed");
    cr_assert_not_null(feed->ns);
    cr_assert_str_eq((const char *)feed->ns->href, "http://www.w3.org/2005/Atom");
    cr_assert_not_null(child(feed, "id"));
    cr_assert_not_null(child(feed, "title"));
    cr_assert(child(feed, "updated") && rfc3339(child(feed, "updated")));
    cr_assert_not_null(child(feed, "author"), "a feed whose entries have no author needs one");
    size_t entries = 0;
    xmlChar *first_id = NULL;
    for (const xmlNode *e = feed->children; e; e = e->next) {
        if (e->type != XML_ELEMENT_NODE || strcmp((const char *)e->name, "entry") != 0)
            continue;
        cr_assert_not_null(child(e, "id"));
        cr_assert_not_null(child(e, "title"));
        cr_assert(child(e, "updated") && rfc3339(child(e, "updated")));
        cr_assert_not_null(child(e, "content"));
        if (!entries)
            first_id = xmlNodeGetContent(child(e, "id"));
        entries++;
    }
    cr_assert_eq(entries, json_array_size(notes), "one entry per notification");
    /* Newest first: the latest-dated notification leads. */
    const char *newest = NULL, *newest_date = "";
    size_t i;
    json_t *n;
    json_array_foreach(notes, i, n) {
        const char *d = json_string_value(json_object_get(n, "date"));
        if (strcmp(d, newest_date) > 0) {
            newest_date = d;
            newest = json_string_value(json_object_get(n, "number"));
        }
    }
    cr_assert(strstr((const char *)first_id, newest), "first entry %s, newest %s", first_id, newest);
    xmlFree(first_id);
    xmlFreeDoc(doc);
    json_decref(notes);
    buf_free(&out);
    store_close(db);
    free(db_path);
    th_rmtree(dir);
    free(dir);
}
