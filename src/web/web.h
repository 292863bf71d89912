/* The shared web layer: HTML templates with contextual escaping, the six
 * UN languages (interface strings from gettext catalogues, dates, numbers,
 * collation and country names from ICU), and the one stylesheet.
 *
 * Everything here is read once per process by web_init() and never
 * changed afterwards, so any thread renders without locks on the tables
 * (the ICU formatters, which are not thread-safe, each have a mutex).
 * Nothing global changes per request: the process locale is never set. */
#ifndef ACCORD_WEB_WEB_H
#define ACCORD_WEB_WEB_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"

#define WEB_NLANGS 6

/* One interface language. */
typedef struct web_lang {
    const char *code;     /* "ar", "zh", "en", "fr", "ru", "es": the first path segment */
    const char *dir;      /* "rtl" or "ltr" */
    const char *endonym;  /* the language's name in itself: "العربية" */
} web_lang;

/* Loads the templates, the stylesheet, the six catalogues and the ICU
 * formatters, once per process (later calls return the first result).
 * Fails ACCORD_EENV naming the file that is missing or malformed. */
int web_init(void);

/* The languages, in the UN's order (ar, zh, en, fr, ru, es). */
const web_lang *web_langs(void);

/* The language with code 'code' ("fr"), or NULL. */
const web_lang *web_lang_find(const char *code);

/* The best of the six for an Accept-Language header value (q-values
 * honoured, "fr-CA" matches "fr"); English when nothing matches. */
const web_lang *web_lang_negotiate(const char *accept_language);

/* The translation of 'msgid' in 'lang' (borrowed, lives as long as the
 * process), or 'msgid' itself when the catalogue has none. */
const char *web_t(const web_lang *lang, const char *msgid);

/* True when the catalogue of 'lang' translates 'msgid'. */
bool web_has_translation(const web_lang *lang, const char *msgid);

/* ---- ICU: dates, numbers, collation, country names ----------------------- */

/* 'iso' (YYYY-MM-DD) as a long date in 'lang' ("28 septembre 2018") into
 * 'out'; the ISO text itself if it is not a valid date. */
void web_date(const web_lang *lang, const char *iso, char *out, size_t len);

/* 'n' with the digits and grouping of 'lang'. */
void web_number(const web_lang *lang, long long n, char *out, size_t len);

/* Compares two UTF-8 strings in the collation order of 'lang'. */
int web_collate(const web_lang *lang, const char *a, const char *b);

/* Sorts the array 'items' in place by the string at key 'key' of each
 * object, in the collation order of 'lang'. */
int web_sort_by(const web_lang *lang, json_t *items, const char *key);

/* CLDR's name of the country with ISO 3166-1 alpha-3 code 'iso3' in
 * 'lang', into 'out'; false (and 'out' empty) when ICU has none. */
bool web_country_name(const web_lang *lang, const char *iso3, char *out, size_t len);

/* ---- templates ------------------------------------------------------------ */

typedef struct web_template web_template;

/* The template named 'name' ("instrument": data/web/templates/instrument.html),
 * loaded by web_init(); NULL if there is none. Borrowed. */
const web_template *web_template_get(const char *name);

/* Renders 't' with the values of 'model' and the strings of 'lang',
 * appending HTML to 'out'. Every value is escaped for the place it is
 * written to (text, attribute, URL), as the template compiler decided. */
int web_render(const web_template *t, const json_t *model, const web_lang *lang, buf *out);

/* Compiles template source 'src' ('name' for messages; '{{> x}}' finds
 * partials in 'dir', which may be NULL when there are none) into '*out'
 * (free with web_template_free). Fails ACCORD_EINVAL on a syntax error
 * or a value placed where it cannot be escaped safely (inside a tag
 * name, an unquoted attribute, a <script>, <style>, comment or event
 * handler attribute). */
int web_template_compile(const char *name, const char *src, const char *dir, web_template **out);
void web_template_free(web_template *t);

/* Calls 'each' with every msgid that template 't' translates ({{t "..."}}). */
void web_template_msgids(const web_template *t, void (*each)(const char *msgid, void *arg), void *arg);

/* The names of the templates web_init() loaded, ending with NULL. */
const char *const *web_template_names(void);

/* ---- escaping (also used by the template renderer) ------------------------ */

/* Appends 's' escaped for HTML text or a quoted attribute value. */
int web_escape_html(buf *out, const char *s);

/* Appends 's' percent-encoded as one URL component (RFC 3986 unreserved
 * characters kept). */
int web_escape_url_component(buf *out, const char *s);

/* True when 's' is safe to start a URL attribute: relative, or http:,
 * https: or mailto:. */
bool web_url_safe(const char *s);

/* ---- forms ----------------------------------------------------------------- */

/* Reads an application/x-www-form-urlencoded body of 'len' bytes into
 * '*out' (a new object of strings; the caller decrefs). A repeated field
 * keeps its last value; line breaks (CR LF, as browsers send a textarea's,
 * or a lone CR) become LF. Fails ACCORD_EINVAL on an encoded NUL or a field
 * that is not UTF-8. */
int web_form_parse(const char *body, size_t len, json_t **out);

/* Turns the CR LF (or lone CR) line breaks of a posted text field 's' of
 * 'len' bytes into LF, in place, and ends it with a NUL (room for it at
 * s[len] is the caller's); returns the new length. */
size_t web_form_newlines(char *s, size_t len);

/* ---- the stylesheet -------------------------------------------------------- */

/* "/static/accord.<hash>.css": the path the pages link to. */
const char *web_stylesheet_path(void);

/* The stylesheet's bytes (borrowed) if 'file' is its current name
 * ("accord.<hash>.css"), else NULL. */
const char *web_stylesheet(const char *file, size_t *len);

#endif
