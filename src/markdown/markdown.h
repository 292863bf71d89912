/* Markdown: CommonMark text rendered to HTML that is safe to put in a page.
 *
 * The texts that parties write (a report's narrative) are CommonMark. The
 * HTML made of them carries no active content: raw HTML is dropped (cmark
 * writes "<!-- raw HTML omitted -->" in its place), links whose scheme is
 * javascript:, vbscript:, file: or data: (other than a few image types)
 * lose their target, text is escaped, and images become links to the
 * image, so that reading a report makes no request to a server its author
 * chose. */
#ifndef ACCORD_MARKDOWN_MARKDOWN_H
#define ACCORD_MARKDOWN_MARKDOWN_H

#include <jansson.h>
#include <stddef.h>

/* Renders 'len' bytes of CommonMark 'text' into '*out', a NUL-terminated
 * HTML fragment the caller frees with free(). Invalid UTF-8 is replaced,
 * not refused. Fails ACCORD_ENOMEM only. */
int markdown_to_html(const char *text, size_t len, char **out);

/* markdown_to_html() for text shown inside a page's section: its headings
 * start at 'level' ("# A" is <h3> at level 3), so that a page keeps one
 * <h1> and its outline. */
int markdown_to_html_under(const char *text, size_t len, int level, char **out);

/* When string member 'key' of object 'obj' is present, sets "<key>_html"
 * beside it to its rendering. Fails ACCORD_ENOMEM only. */
int markdown_add_html(json_t *obj, const char *key);

#endif
