/* Markdown rendering of party narratives (markdown_to_html). Besides
 * memory errors, checks the promise of markdown.h: the HTML carries no
 * script element and no javascript: link, whatever the text. */
#include <ctype.h>
#include <stdio.h>

#include "fuzz.h"
#include "markdown/markdown.h"

/* True when 'needle' (lowercase) occurs in 'hay' ignoring ASCII case. */
static int has_nocase(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay; hay++) {
        size_t i = 0;
        while (i < n && hay[i] && tolower((unsigned char)hay[i]) == needle[i])
            i++;
        if (i == n)
            return 1;
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *html = NULL;

    if (markdown_to_html((const char *)data, size, &html) == 0) {
        if (has_nocase(html, "<script") || has_nocase(html, "href=\"javascript:") ||
            has_nocase(html, "src=\"javascript:")) {
            fprintf(stderr, "active content in the rendering:\n%s\n", html);
            abort();
        }
        free(html);
    }
    return 0;
}
