/* The template compiler and renderer.
 *
 * A template is HTML with {{...}} tags: {{path}} writes a value,
 * {{t "msgid"}} an interface string, {{markdown path}} Markdown as the
 * markdown module's safe HTML (in HTML text only), {{#if path}}..{{else}}..{{/if}},
 * {{#unless path}}..{{/unless}} and {{#each path}}..{{/each}} choose and
 * repeat, {{> name}} includes data/web/templates/name.html, {{! ...}} is a
 * comment. The compiler follows the HTML around every tag with a small
 * tokenizer and decides, once, how the value written there must be
 * escaped: HTML text, a quoted attribute value, the start of a URL (scheme
 * checked) or a later part of one (percent-encoded). A value anywhere else
 * (a tag or attribute name, an unquoted value, an event handler or style
 * attribute, <script>, <style>, a comment) is a compile error, so no
 * template can write an unescaped value: escaping is decided by
 * construction, not remembered by whoever writes the template. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "markdown/markdown.h"
#include "util/buf.h"
#include "util/error.h"
#include "web/web.h"
#include "web/web_int.h"

#define MAX_INCLUDE_DEPTH 8
#define MAX_TEMPLATE_SIZE (512 * 1024)

typedef enum node_type { N_TEXT, N_VALUE, N_TRANSLATE, N_MARKDOWN, N_IF, N_UNLESS, N_EACH } node_type;
typedef enum esc_ctx { C_TEXT, C_ATTR, C_URL_START, C_URL_PART } esc_ctx;

typedef struct node node;
typedef struct node_list {
    node *items;
    size_t n, size;
} node_list;

struct node {
    node_type type;
    char *arg;     /* literal text, path or msgid (owned) */
    esc_ctx ctx;
    node_list body, otherwise;
};

struct web_template {
    char *name;
    node_list root;
};

/* ---- the HTML tokenizer ---------------------------------------------------- */

typedef enum html_state {
    H_TEXT, H_TAGNAME, H_TAG, H_ATTRNAME, H_AFTER_ATTRNAME, H_BEFORE_VALUE,
    H_VALUE_DQ, H_VALUE_SQ, H_VALUE_UNQ, H_COMMENT, H_RAWTEXT,
} html_state;

typedef enum attr_kind { A_PLAIN, A_URL, A_UNSAFE } attr_kind;

typedef struct html_ctx {
    html_state state;
    attr_kind attr;
    bool value_empty;  /* nothing written yet in the current attribute value */
    bool closing;      /* the tag being read is an end tag */
    char tag[16];      /* the name of the tag being read, lowercase */
    size_t taglen;
    char attrname[32];
    size_t attrlen;
    char raw[16];      /* inside <script> or <style>: which */
} html_ctx;

/* Inside a tag, between attributes: a block may add a bare attribute
 * ({{#if x}} selected{{/if}}) and end after its name; no value can be
 * written in any of these states, so they count as one. */
static html_state normalized(html_state s)
{
    return s == H_ATTRNAME || s == H_AFTER_ATTRNAME ? H_TAG : s;
}

static bool html_ctx_equal(const html_ctx *a, const html_ctx *b)
{
    bool in_value = a->state == H_VALUE_DQ || a->state == H_VALUE_SQ;
    return normalized(a->state) == normalized(b->state) && strcmp(a->raw, b->raw) == 0 &&
           (!in_value || (a->attr == b->attr && a->value_empty == b->value_empty));
}

static attr_kind classify_attr(const char *name)
{
    static const char *const urls[] = {"href", "src", "action", "formaction", "cite", "poster", "xlink:href", NULL};
    if (strncmp(name, "on", 2) == 0 || strcmp(name, "style") == 0 || strcmp(name, "srcdoc") == 0)
        return A_UNSAFE;
    for (size_t i = 0; urls[i]; i++)
        if (strcmp(name, urls[i]) == 0)
            return A_URL;
    return A_PLAIN;
}

static void end_tag(html_ctx *h)
{
    h->tag[h->taglen < sizeof h->tag ? h->taglen : sizeof h->tag - 1] = '\0';
    if (!h->closing && (strcmp(h->tag, "script") == 0 || strcmp(h->tag, "style") == 0)) {
        snprintf(h->raw, sizeof h->raw, "%s", h->tag);
        h->state = H_RAWTEXT;
    } else {
        h->state = H_TEXT;
    }
}

static void start_attr(html_ctx *h, char c)
{
    h->attrlen = 0;
    h->attrname[h->attrlen++] = (char)tolower((unsigned char)c);
    h->attrname[h->attrlen] = '\0';
    h->state = H_ATTRNAME;
}

/* Advances 'h' over the literal text 's' ('len' bytes). */
static void html_advance(html_ctx *h, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        bool space = c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f';
        switch (h->state) {
        case H_TEXT:
            if (c == '<' && i + 3 < len + 0 && strncmp(s + i, "<!--", 4) == 0) {
                h->state = H_COMMENT;
                i += 3;
            } else if (c == '<' && (i + 1 == len || (i + 2 == len && s[i + 1] == '/'))) {
                /* A '<' (or '</') just before a value: the value would
                 * be a tag name, where nothing is safe. */
                h->closing = i + 1 < len;
                i = len;
                h->taglen = 0;
                h->state = H_TAGNAME;
            } else if (c == '<' && i + 1 < len && (isalpha((unsigned char)s[i + 1]) || s[i + 1] == '/')) {
                h->closing = s[i + 1] == '/';
                if (h->closing)
                    i++;
                h->taglen = 0;
                h->state = H_TAGNAME;
            }
            break;
        case H_TAGNAME:
            if (space || c == '/')
                h->state = H_TAG;
            else if (c == '>')
                end_tag(h);
            else if (h->taglen < sizeof h->tag - 1)
                h->tag[h->taglen++] = (char)tolower((unsigned char)c);
            if (h->state != H_TAGNAME)
                h->tag[h->taglen] = '\0';
            break;
        case H_TAG:
            if (c == '>')
                end_tag(h);
            else if (!space && c != '/')
                start_attr(h, c);
            break;
        case H_ATTRNAME:
            if (c == '=' || space || c == '>') {
                h->attr = classify_attr(h->attrname);
                h->state = c == '=' ? H_BEFORE_VALUE : H_AFTER_ATTRNAME;
                if (c == '>')
                    end_tag(h);
            } else if (h->attrlen < sizeof h->attrname - 1) {
                h->attrname[h->attrlen++] = (char)tolower((unsigned char)c);
                h->attrname[h->attrlen] = '\0';
            }
            break;
        case H_AFTER_ATTRNAME:
            if (c == '=')
                h->state = H_BEFORE_VALUE;
            else if (c == '>')
                end_tag(h);
            else if (!space && c != '/')
                start_attr(h, c);
            break;
        case H_BEFORE_VALUE:
            h->value_empty = true;
            if (c == '"')
                h->state = H_VALUE_DQ;
            else if (c == '\'')
                h->state = H_VALUE_SQ;
            else if (c == '>')
                end_tag(h);
            else if (!space)
                h->state = H_VALUE_UNQ;
            break;
        case H_VALUE_DQ:
        case H_VALUE_SQ:
            if (c == (h->state == H_VALUE_DQ ? '"' : '\''))
                h->state = H_TAG;
            else
                h->value_empty = false;
            break;
        case H_VALUE_UNQ:
            if (space)
                h->state = H_TAG;
            else if (c == '>')
                end_tag(h);
            break;
        case H_COMMENT:
            if (c == '-' && i + 2 < len && strncmp(s + i, "-->", 3) == 0) {
                h->state = H_TEXT;
                i += 2;
            }
            break;
        case H_RAWTEXT: {
            size_t rl = strlen(h->raw);
            if (c == '<' && i + 2 + rl <= len && s[i + 1] == '/' && strncasecmp(s + i + 2, h->raw, rl) == 0) {
                h->raw[0] = '\0';
                h->closing = true;
                h->taglen = 0;
                h->state = H_TAGNAME;
                i++;
            }
            break;
        }
        }
    }
}

/* Where a value may be written at state 'h', and how it is escaped. */
static int value_context(const html_ctx *h, const char *name, const char *what, bool is_translation, esc_ctx *out)
{
    switch (h->state) {
    case H_TEXT:
        *out = C_TEXT;
        return ACCORD_OK;
    case H_VALUE_DQ:
    case H_VALUE_SQ:
        if (h->attr == A_PLAIN) {
            *out = C_ATTR;
            return ACCORD_OK;
        }
        if (h->attr == A_URL && !is_translation) {
            *out = h->value_empty ? C_URL_START : C_URL_PART;
            return ACCORD_OK;
        }
        return accord_fail(ACCORD_EINVAL, NULL, "template %s: {{%s}} inside attribute %s, which cannot be escaped safely",
                           name, what, h->attrname);
    default:
        return accord_fail(ACCORD_EINVAL, NULL,
                           "template %s: {{%s}} outside text and quoted attribute values (in a tag, an unquoted "
                           "value, a comment, <script> or <style>)", name, what);
    }
}

/* ---- parsing ---------------------------------------------------------------- */

static int list_push(node_list *l, node **out)
{
    if (l->n == l->size) {
        size_t size = l->size ? l->size * 2 : 8;
        node *items = realloc(l->items, size * sizeof *items);
        if (!items)
            return accord_fail(ACCORD_ENOMEM, NULL, "out of memory");
        l->items = items, l->size = size;
    }
    *out = &l->items[l->n++];
    memset(*out, 0, sizeof **out);
    return ACCORD_OK;
}

static void list_free(node_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->items[i].arg);
        list_free(&l->items[i].body);
        list_free(&l->items[i].otherwise);
    }
    free(l->items);
    memset(l, 0, sizeof *l);
}

/* Appends source 'src' to 'out' with every {{> name}} replaced by the
 * file 'dir'/name.html, recursively. */
static int expand_includes(const char *name, const char *src, const char *dir, int depth, buf *out)
{
    if (depth > MAX_INCLUDE_DEPTH)
        return accord_fail(ACCORD_EINVAL, NULL, "template %s: includes nest deeper than %d", name, MAX_INCLUDE_DEPTH);
    int rc = ACCORD_OK;
    const char *p = src;
    while (!rc) {
        const char *inc = strstr(p, "{{>");
        if (!inc)
            return buf_puts(out, p);
        rc = buf_append(out, p, (size_t)(inc - p));
        const char *end = strstr(inc, "}}");
        if (!end)
            return accord_fail(ACCORD_EINVAL, NULL, "template %s: unclosed {{>", name);
        char part[64], path[1024];
        const char *b = inc + 3;
        while (*b == ' ')
            b++;
        size_t n = (size_t)(end - b);
        while (n && b[n - 1] == ' ')
            n--;
        if (!dir || n == 0 || n >= sizeof part)
            return accord_fail(ACCORD_EINVAL, NULL, "template %s: bad include", name);
        memcpy(part, b, n);
        part[n] = '\0';
        for (size_t i = 0; i < n; i++)
            if (!isalnum((unsigned char)part[i]) && part[i] != '_' && part[i] != '-')
                return accord_fail(ACCORD_EINVAL, NULL, "template %s: bad include name %s", name, part);
        snprintf(path, sizeof path, "%s/%s.html", dir, part);
        buf inner;
        buf_init(&inner, MAX_TEMPLATE_SIZE);
        if (!rc)
            rc = buf_append_file(&inner, path);
        if (!rc)
            rc = expand_includes(part, inner.data ? inner.data : "", dir, depth + 1, out);
        buf_free(&inner);
        p = end + 2;
    }
    return rc;
}

typedef struct parser {
    const char *name;
    const char *p;
    html_ctx html;
} parser;

static char *trimmed(const char *s, size_t n)
{
    while (n && isspace((unsigned char)*s))
        s++, n--;
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    return strndup(s, n);
}

static bool path_valid(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '_' && *s != '.' && *s != '@')
            return false;
    return true;
}

/* Parses nodes into 'l' until '{{/...}}' or '{{else}}' (returned in
 * '*stop', owned) or the end of the source. */
static int parse_list(parser *ps, node_list *l, char **stop)
{
    *stop = NULL;
    int rc = ACCORD_OK;
    while (!rc && *ps->p) {
        const char *open = strstr(ps->p, "{{");
        size_t litlen = open ? (size_t)(open - ps->p) : strlen(ps->p);
        if (litlen) {
            node *n;
            rc = list_push(l, &n);
            if (rc)
                break;
            n->type = N_TEXT;
            n->arg = strndup(ps->p, litlen);
            html_advance(&ps->html, ps->p, litlen);
            ps->p += litlen;
        }
        if (!open)
            break;
        const char *close = strstr(open, "}}");
        if (!close)
            return accord_fail(ACCORD_EINVAL, NULL, "template %s: unclosed {{", ps->name);
        char *tag = trimmed(open + 2, (size_t)(close - open - 2));
        ps->p = close + 2;
        if (!tag)
            return accord_fail(ACCORD_ENOMEM, NULL, "out of memory");
        if (tag[0] == '!') {
            free(tag);
            continue;
        }
        if (tag[0] == '/' || strcmp(tag, "else") == 0) {
            *stop = tag;
            return ACCORD_OK;
        }
        node *n;
        rc = list_push(l, &n);
        if (rc) {
            free(tag);
            break;
        }
        if (strncmp(tag, "t ", 2) == 0) {
            const char *q = tag + 2;
            while (*q == ' ')
                q++;
            size_t ql = strlen(q);
            if (ql < 2 || q[0] != '"' || q[ql - 1] != '"' || memchr(q + 1, '"', ql - 2))
                rc = accord_fail(ACCORD_EINVAL, NULL, "template %s: {{t}} takes one \"quoted\" msgid: {{%s}}",
                                 ps->name, tag);
            else {
                n->type = N_TRANSLATE;
                n->arg = strndup(q + 1, ql - 2);
                rc = value_context(&ps->html, ps->name, tag, true, &n->ctx);
                ps->html.value_empty = false;
            }
        } else if (strncmp(tag, "markdown ", 9) == 0) {
            /* Markdown rendered to HTML by the markdown module, whose
             * output holds only CommonMark's own tags (raw HTML and unsafe
             * link targets removed): allowed in HTML text only. */
            const char *arg = tag + 9;
            while (*arg == ' ')
                arg++;
            n->type = N_MARKDOWN;
            if (!path_valid(arg))
                rc = accord_fail(ACCORD_EINVAL, NULL, "template %s: bad path in {{%s}}", ps->name, tag);
            else if (ps->html.state != H_TEXT)
                rc = accord_fail(ACCORD_EINVAL, NULL, "template %s: {{%s}} may stand in HTML text only", ps->name,
                                 tag);
            else
                n->arg = strdup(arg);
        } else if (tag[0] == '#') {
            const char *kw = tag + 1;
            size_t kl = strcspn(kw, " ");
            const char *arg = kw + kl;
            while (*arg == ' ')
                arg++;
            if (kl == 2 && strncmp(kw, "if", 2) == 0)
                n->type = N_IF;
            else if (kl == 6 && strncmp(kw, "unless", 6) == 0)
                n->type = N_UNLESS;
            else if (kl == 4 && strncmp(kw, "each", 4) == 0)
                n->type = N_EACH;
            else
                rc = accord_fail(ACCORD_EINVAL, NULL, "template %s: unknown block {{%s}}", ps->name, tag);
            if (!rc && !path_valid(arg))
                rc = accord_fail(ACCORD_EINVAL, NULL, "template %s: bad path in {{%s}}", ps->name, tag);
            if (!rc) {
                n->arg = strdup(arg);
                size_t kwlen = kl;
                char kwname[8];
                snprintf(kwname, sizeof kwname, "%.*s", (int)kwlen, kw);
                /* The body must end in the HTML state it started in, and
                 * both branches of an if in the same one, so that what
                 * follows the block is escaped right whichever runs. */
                html_ctx before = ps->html;
                char *end = NULL;
                rc = parse_list(ps, &n->body, &end);
                if (!rc && end && strcmp(end, "else") == 0 && n->type != N_EACH) {
                    html_ctx after_then = ps->html;
                    ps->html = before;
                    free(end);
                    rc = parse_list(ps, &n->otherwise, &end);
                    if (!rc && !html_ctx_equal(&after_then, &ps->html))
                        rc = accord_fail(ACCORD_EINVAL, NULL, "template %s: the branches of {{%s}} end in different "
                                         "HTML contexts", ps->name, tag);
                }
                if (!rc && (!end || end[0] != '/' || strcmp(end + 1, kwname) != 0))
                    rc = accord_fail(ACCORD_EINVAL, NULL, "template %s: {{%s}} is not closed by {{/%s}}", ps->name,
                                     tag, kwname);
                if (!rc && n->type == N_EACH && !html_ctx_equal(&before, &ps->html))
                    rc = accord_fail(ACCORD_EINVAL, NULL, "template %s: the body of {{%s}} ends in another HTML "
                                     "context than it starts in", ps->name, tag);
                free(end);
            }
        } else if (path_valid(tag)) {
            n->type = N_VALUE;
            n->arg = strdup(tag);
            rc = value_context(&ps->html, ps->name, tag, false, &n->ctx);
            ps->html.value_empty = false;
        } else {
            rc = accord_fail(ACCORD_EINVAL, NULL, "template %s: cannot read {{%s}}", ps->name, tag);
        }
        free(tag);
    }
    return rc;
}

int web_template_compile(const char *name, const char *src, const char *dir, web_template **out)
{
    *out = NULL;
    buf full;
    buf_init(&full, 4 * MAX_TEMPLATE_SIZE);
    web_template *t = calloc(1, sizeof *t);
    int rc = t ? ACCORD_OK : accord_fail(ACCORD_ENOMEM, NULL, "out of memory");
    if (!rc)
        rc = expand_includes(name, src, dir, 0, &full);
    if (!rc) {
        t->name = strdup(name);
        parser ps = {.name = name, .p = full.data ? full.data : ""};
        char *stop = NULL;
        rc = parse_list(&ps, &t->root, &stop);
        if (!rc && stop)
            rc = accord_fail(ACCORD_EINVAL, NULL, "template %s: {{%s}} without its block", name, stop);
        if (!rc && ps.html.state != H_TEXT)
            rc = accord_fail(ACCORD_EINVAL, NULL, "template %s: ends inside a tag, comment or <script>", name);
        free(stop);
    }
    buf_free(&full);
    if (rc)
        web_template_free(t);
    else
        *out = t;
    return rc;
}

void web_template_free(web_template *t)
{
    if (!t)
        return;
    list_free(&t->root);
    free(t->name);
    free(t);
}

static void msgids_of(const node_list *l, void (*each)(const char *, void *), void *arg)
{
    for (size_t i = 0; i < l->n; i++) {
        if (l->items[i].type == N_TRANSLATE)
            each(l->items[i].arg, arg);
        msgids_of(&l->items[i].body, each, arg);
        msgids_of(&l->items[i].otherwise, each, arg);
    }
}

void web_template_msgids(const web_template *t, void (*each)(const char *msgid, void *arg), void *arg)
{
    msgids_of(&t->root, each, arg);
}

/* ---- rendering ----------------------------------------------------------------- */

#define MAX_SCOPES 32

typedef struct scope {
    const json_t *stack[MAX_SCOPES];
    size_t index[MAX_SCOPES];
    size_t n;
} scope;

/* The value at dotted path 'path': its first name is looked up from the
 * innermost scope outwards; "." is the current item, "@index" its
 * position from 1 in the enclosing {{#each}}. */
static const json_t *lookup(const scope *sc, const char *path, json_t **made)
{
    *made = NULL;
    if (strcmp(path, ".") == 0)
        return sc->stack[sc->n - 1];
    if (strcmp(path, "@index") == 0) {
        *made = json_integer((json_int_t)sc->index[sc->n - 1]);
        return *made;
    }
    char first[64];
    size_t fl = strcspn(path, ".");
    if (fl >= sizeof first)
        return NULL;
    memcpy(first, path, fl);
    first[fl] = '\0';
    const json_t *v = NULL;
    for (size_t i = sc->n; i-- > 0 && !v;)
        v = json_is_object(sc->stack[i]) ? json_object_get(sc->stack[i], first) : NULL;
    const char *rest = path + fl;
    while (v && *rest == '.') {
        rest++;
        size_t l = strcspn(rest, ".");
        if (l >= sizeof first)
            return NULL;
        memcpy(first, rest, l);
        first[l] = '\0';
        v = json_is_object(v) ? json_object_get(v, first) : NULL;
        rest += l;
    }
    return v;
}

static bool truthy(const json_t *v)
{
    if (!v || json_is_null(v) || json_is_false(v))
        return false;
    if (json_is_string(v))
        return json_string_length(v) > 0;
    if (json_is_array(v))
        return json_array_size(v) > 0;
    if (json_is_object(v))
        return json_object_size(v) > 0;
    if (json_is_integer(v))
        return json_integer_value(v) != 0;
    return true;
}

static int write_escaped(buf *out, esc_ctx ctx, const char *s)
{
    switch (ctx) {
    case C_TEXT:
    case C_ATTR:
        return web_escape_html(out, s);
    case C_URL_START:
        return web_escape_html(out, web_url_safe(s) ? s : "#unsafe-url");
    case C_URL_PART:
        return web_escape_url_component(out, s);
    }
    return ACCORD_OK;
}

static int write_value(buf *out, esc_ctx ctx, const json_t *v)
{
    char num[48];
    if (!v || json_is_null(v))
        return ACCORD_OK;
    if (json_is_string(v))
        return write_escaped(out, ctx, json_string_value(v));
    if (json_is_integer(v))
        snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
    else if (json_is_real(v))
        snprintf(num, sizeof num, "%g", json_real_value(v));
    else if (json_is_boolean(v))
        snprintf(num, sizeof num, "%s", json_is_true(v) ? "true" : "false");
    else
        return ACCORD_OK;
    return write_escaped(out, ctx, num);
}

static int render_list(const node_list *l, scope *sc, const web_lang *lang, buf *out)
{
    int rc = ACCORD_OK;
    for (size_t i = 0; i < l->n && !rc; i++) {
        const node *n = &l->items[i];
        json_t *made = NULL;
        const json_t *v;
        switch (n->type) {
        case N_TEXT:
            rc = buf_puts(out, n->arg);
            break;
        case N_VALUE:
            v = lookup(sc, n->arg, &made);
            rc = write_value(out, n->ctx, v);
            break;
        case N_TRANSLATE:
            rc = write_escaped(out, n->ctx, web_t(lang, n->arg));
            break;
        case N_MARKDOWN:
            v = lookup(sc, n->arg, &made);
            if (json_is_string(v)) {
                char *html = NULL;
                /* inside a page's sections: "# A" becomes <h3> */
                rc = markdown_to_html_under(json_string_value(v), json_string_length(v), 3, &html);
                if (!rc) rc = buf_puts(out, html);
                free(html);
            }
            break;
        case N_IF:
        case N_UNLESS:
            v = lookup(sc, n->arg, &made);
            if (truthy(v) == (n->type == N_IF))
                rc = render_list(&n->body, sc, lang, out);
            else
                rc = render_list(&n->otherwise, sc, lang, out);
            break;
        case N_EACH: {
            v = lookup(sc, n->arg, &made);
            if (!json_is_array(v))
                break;
            if (sc->n == MAX_SCOPES)
                return accord_fail(ACCORD_EINVAL, NULL, "templates nest {{#each}} too deeply");
            size_t j;
            const json_t *item;
            json_array_foreach(v, j, item) {
                sc->stack[sc->n] = item;
                sc->index[sc->n] = j + 1;
                sc->n++;
                rc = render_list(&n->body, sc, lang, out);
                sc->n--;
                if (rc)
                    break;
            }
            break;
        }
        }
        json_decref(made);
    }
    return rc;
}

int web_render(const web_template *t, const json_t *model, const web_lang *lang, buf *out)
{
    scope sc = {.n = 1};
    sc.stack[0] = model;
    return render_list(&t->root, &sc, lang, out);
}
