#include "markdown/markdown.h"

#include <cmark.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"

/* Replaces image 'img' by a link to the same URL whose text is the image's
 * description (or the URL when it has none). Returns the link. */
static cmark_node *image_to_link(cmark_node *img)
{
    cmark_node *link = cmark_node_new(CMARK_NODE_LINK);
    const char *url = cmark_node_get_url(img);
    cmark_node_set_url(link, url);
    cmark_node_set_title(link, cmark_node_get_title(img));
    cmark_node *child;
    while ((child = cmark_node_first_child(img)))
        cmark_node_append_child(link, child); /* moves it */
    if (!cmark_node_first_child(link)) {
        cmark_node *text = cmark_node_new(CMARK_NODE_TEXT);
        cmark_node_set_literal(text, url && *url ? url : "image");
        cmark_node_append_child(link, text);
    }
    cmark_node_replace(img, link);
    cmark_node_free(img);
    return link;
}

/* An <img> in a report would make every reader's browser fetch a URL the
 * author chose (a tracking pixel, or content changed after review). */
static void images_to_links(cmark_node *doc)
{
    cmark_iter *it = cmark_iter_new(doc);
    cmark_event_type ev;
    while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
        cmark_node *node = cmark_iter_get_node(it);
        /* Nodes may be changed only on their exit. */
        if (ev == CMARK_EVENT_EXIT && cmark_node_get_type(node) == CMARK_NODE_IMAGE)
            cmark_iter_reset(it, image_to_link(node), CMARK_EVENT_EXIT);
    }
    cmark_iter_free(it);
}

/* Moves every heading 'by' levels down (at most to 6). */
static void demote_headings(cmark_node *doc, int by)
{
    cmark_iter *it = cmark_iter_new(doc);
    cmark_event_type ev;
    while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
        cmark_node *node = cmark_iter_get_node(it);
        if (ev == CMARK_EVENT_ENTER && cmark_node_get_type(node) == CMARK_NODE_HEADING) {
            int level = cmark_node_get_heading_level(node) + by;
            cmark_node_set_heading_level(node, level > 6 ? 6 : level);
        }
    }
    cmark_iter_free(it);
}

int markdown_to_html(const char *text, size_t len, char **out)
{
    return markdown_to_html_under(text, len, 1, out);
}

int markdown_to_html_under(const char *text, size_t len, int level, char **out)
{
    cmark_node *doc = cmark_parse_document(text, len, CMARK_OPT_VALIDATE_UTF8);
    if (!doc)
        return accord_fail(ACCORD_ENOMEM, NULL, "out of memory");
    images_to_links(doc);
    if (level > 1)
        demote_headings(doc, level - 1);
    /* Without CMARK_OPT_UNSAFE (never given here), cmark omits raw HTML
     * and empties the targets of javascript:, vbscript:, file: and most
     * data: links. */
    *out = cmark_render_html(doc, CMARK_OPT_DEFAULT);
    cmark_node_free(doc);
    return *out ? ACCORD_OK : accord_fail(ACCORD_ENOMEM, NULL, "out of memory");
}

int markdown_add_html(json_t *obj, const char *key)
{
    const char *text = json_string_value(json_object_get(obj, key));
    if (!text)
        return ACCORD_OK;
    char name[64], *html;
    snprintf(name, sizeof name, "%s_html", key);
    int rc = markdown_to_html(text, strlen(text), &html);
    if (rc)
        return rc;
    json_t *value = json_string(html);
    free(html);
    if (!value || json_object_set_new(obj, name, value))
        return accord_fail(ACCORD_ENOMEM, NULL, "out of memory");
    return ACCORD_OK;
}
