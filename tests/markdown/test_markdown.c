/* markdown-markdown: narratives render as HTML without active content. */
#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "markdown/markdown.h"
#include "util/error.h"

static char *render(const char *text)
{
    char *html = NULL;
    cr_assert_eq(markdown_to_html(text, strlen(text), &html), 0, "%s", accord_error_message());
    cr_assert_not_null(html);
    return html;
}

static void assert_renders(const char *text, const char *want)
{
    char *html = render(text);
    cr_assert_str_eq(html, want, "markdown: %s", text);
    free(html);
}

Test(markdown, headings_lists_emphasis_and_links_render)
{
    assert_renders("# Measures\n\nThe law was *adopted*.\n",
                   "<h1>Measures</h1>\n<p>The law was <em>adopted</em>.</p>\n");
    assert_renders("- one\n- two\n", "<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n");
    assert_renders("1. first\n2. second\n", "<ol>\n<li>first</li>\n<li>second</li>\n</ol>\n");
    assert_renders("[the law](https://example.org/law?a=1&b=2 \"Law 5\")",
                   "<p><a href=\"https://example.org/law?a=1&amp;b=2\" title=\"Law 5\">the law</a></p>\n");
    assert_renders("", "");
}

/* True when 'url' runs nothing: empty, http(s), mailto, a fragment, or a
 * relative reference (no scheme before the first '/', '?' or '#'). */
static bool url_inert(const char *url, size_t len)
{
    if (len == 0 || strncmp(url, "http://", 7) == 0 || strncmp(url, "https://", 8) == 0 ||
        strncmp(url, "mailto:", 7) == 0)
        return true;
    size_t scheme = strcspn(url, ":/?#\"");
    return scheme >= len || url[scheme] != ':';
}

/* Checks that the HTML of 'text' is inert: cmark escapes every '<' of
 * text, so each '<' opens a tag, and each tag must be one that CommonMark
 * produces, with no attribute but href, title and start, and an inert
 * href. */
static void assert_inert(const char *text)
{
    static const char *const tags[] = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "em", "strong",
                                       "a", "code", "pre", "blockquote", "hr", "br"};
    char *html = render(text);
    for (const char *p = strchr(html, '<'); p; p = strchr(p + 1, '<')) {
        if (strncmp(p, "<!-- raw HTML omitted -->", 25) == 0)
            continue;
        const char *end = strchr(p, '>');
        cr_assert_not_null(end, "unclosed tag in %s", html);
        const char *name = p + 1 + (p[1] == '/');
        size_t nlen = strcspn(name, " />");
        bool known = false;
        for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++)
            known |= strlen(tags[i]) == nlen && strncmp(tags[i], name, nlen) == 0;
        cr_assert(known, "'%s' rendered the tag <%.*s> in %s", text, (int)nlen, name, html);
        /* Attributes: name="value" pairs. */
        for (const char *a = name + nlen; a < end;) {
            a += strspn(a, " /");
            if (a >= end)
                break;
            size_t alen = strcspn(a, "=");
            cr_assert(a[alen] == '=' && a[alen + 1] == '"', "'%s': malformed attribute in %s", text, html);
            const char *value = a + alen + 2, *close = strchr(value, '"');
            bool allowed = (alen == 4 && strncmp(a, "href", 4) == 0) || (alen == 5 && strncmp(a, "title", 5) == 0) ||
                           (alen == 5 && strncmp(a, "start", 5) == 0);
            cr_assert(allowed, "'%s' rendered the attribute %.*s in %s", text, (int)alen, a, html);
            if (alen == 4)
                cr_assert(url_inert(value, (size_t)(close - value)), "'%s' rendered href=\"%.*s\"", text,
                          (int)(close - value), value);
            a = close + 1;
        }
    }
    free(html);
}

Test(markdown, raw_html_is_omitted)
{
    assert_renders("<script>alert(1)</script>", "<!-- raw HTML omitted -->\n");
    assert_renders("Hi <script>alert(1)</script> there",
                   "<p>Hi <!-- raw HTML omitted -->alert(1)<!-- raw HTML omitted --> there</p>\n");
    assert_inert("<img src=x onerror=alert(1)>");
    assert_inert("text <img src=x onerror=alert(1)> text");
    assert_inert("<iframe src=\"https://example.org\"></iframe>");
    assert_inert("<div><object data=\"x.swf\"></object><embed src=\"x\"></div>");
    assert_inert("<svg onload=alert(1)>");
    assert_inert("<style>body{display:none}</style>");
    assert_inert("<a href=\"javascript:alert(1)\">x</a>");
}

Test(markdown, dangerous_urls_lose_their_target)
{
    assert_renders("[x](javascript:alert(1))", "<p><a href=\"\">x</a></p>\n");
    assert_inert("[x](JaVaScRiPt:alert(1))");
    assert_inert("[x](vbscript:msgbox)");
    assert_inert("[x](data:text/html;base64,PHNjcmlwdD4=)");
    assert_inert("<javascript:alert(1)>");
    assert_inert("[x](&#106;avascript:alert(1))");
    assert_inert("[x](java\tscript:alert(1))");
    assert_inert("[x]: javascript:alert(1)\n\n[y][x]");
    assert_inert("[ok](https://example.org) [ok](/api/v1/attachments/ab) [ok](mailto:kaz@example.org)");
}

Test(markdown, entities_stay_text)
{
    assert_renders("&lt;script&gt; and &#60;script&#62;", "<p>&lt;script&gt; and &lt;script&gt;</p>\n");
    assert_inert("&lt;img src=x onerror=alert(1)&gt;");
    assert_inert("&#60;script&#62;alert(1)&#60;/script&#62;");
    assert_renders("`<script>`", "<p><code>&lt;script&gt;</code></p>\n");
}

Test(markdown, images_become_links)
{
    /* Reading a report fetches nothing from a server its author chose. */
    assert_renders("![the signing](https://example.org/photo.png)",
                   "<p><a href=\"https://example.org/photo.png\">the signing</a></p>\n");
    assert_renders("![](https://example.org/pixel.gif)",
                   "<p><a href=\"https://example.org/pixel.gif\">https://example.org/pixel.gif</a></p>\n");
    assert_inert("![x](javascript:alert(1)) and ![*y*](https://example.org/a.png) and [![z](b.png)](c)");
}

Test(markdown, add_html_sits_beside_its_source)
{
    json_t *report = json_pack("{s:s, s:s}", "narrative", "**done**", "status", "implemented");
    cr_assert_eq(markdown_add_html(report, "narrative"), 0);
    cr_assert_str_eq(json_string_value(json_object_get(report, "narrative_html")), "<p><strong>done</strong></p>\n");
    cr_assert_eq(markdown_add_html(report, "measures"), 0, "an absent text is not an error");
    cr_assert_null(json_object_get(report, "measures_html"));
    json_decref(report);
}
