/* The six languages and their interface strings.
 *
 * gettext's own lookup (gettext(), dgettext()) follows the process
 * locale, which is one for all threads: switching it per request would
 * change the language of every page being rendered at that moment. So
 * the catalogues msgfmt compiled (po/<lang>.po to <lang>.mo, at build time) are
 * read here, once, into a sorted table per language, and each page looks
 * its strings up in the table of its own language. The .mo format is
 * GNU gettext's: a header, then two tables of (length, offset) pairs for
 * the original and translated strings, sorted by original string. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/error.h"
#include "web/web.h"
#include "web/web_int.h"

#ifndef ACCORD_BUILD_LOCALE_DIR
#error "ACCORD_BUILD_LOCALE_DIR must name the build tree's compiled catalogues"
#endif
#ifndef ACCORD_INSTALL_LOCALE_DIR
#error "ACCORD_INSTALL_LOCALE_DIR must name the installed compiled catalogues"
#endif

#define MO_MAGIC 0x950412deu
#define MO_MAX_SIZE (4 * 1024 * 1024)

static const web_lang langs[WEB_NLANGS] = {
    {"ar", "rtl", "العربية"}, {"zh", "ltr", "中文"},     {"en", "ltr", "English"},
    {"fr", "ltr", "Français"}, {"ru", "ltr", "Русский"}, {"es", "ltr", "Español"},
};

typedef struct catalogue {
    char *bytes;          /* the whole .mo file; the strings point into it */
    const char **msgid, **msgstr;
    uint32_t n;
} catalogue;

static catalogue catalogues[WEB_NLANGS];

const web_lang *web_langs(void) { return langs; }

size_t web_lang_index(const web_lang *lang) { return (size_t)(lang - langs); }

const web_lang *web_lang_find(const char *code)
{
    for (size_t i = 0; code && i < WEB_NLANGS; i++)
        if (strcmp(langs[i].code, code) == 0)
            return &langs[i];
    return NULL;
}

const web_lang *web_lang_negotiate(const char *header)
{
    const web_lang *best = web_lang_find("en");
    double best_q = 0;
    const char *p = header ? header : "";
    while (*p) {
        while (*p == ' ' || *p == ',')
            p++;
        size_t tl = strcspn(p, ",;");
        char tag[3] = "";
        if (tl >= 2 && (tl == 2 || p[2] == '-' || p[2] == '_')) {
            tag[0] = (char)(p[0] | 0x20);
            tag[1] = (char)(p[1] | 0x20);
        }
        double q = 1.0;
        const char *end = p + strcspn(p, ",");
        const char *qs = strstr(p, ";q=");
        if (qs && qs < end)
            q = strtod(qs + 3, NULL);
        const web_lang *l = web_lang_find(tag);
        if (l && q > best_q) {
            best = l;
            best_q = q;
        }
        p = *end ? end + 1 : end;
    }
    return best;
}

static uint32_t read_u32(const char *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static int load_mo(const char *path, catalogue *c)
{
    buf b;
    buf_init(&b, MO_MAX_SIZE);
    int rc = buf_append_file(&b, path);
    if (rc)
        goto out;
    if (b.len < 28 || read_u32(b.data) != MO_MAGIC) {
        rc = accord_fail(ACCORD_EENV, NULL, "%s is not a little-endian GNU .mo catalogue", path);
        goto out;
    }
    uint32_t n = read_u32(b.data + 8), orig = read_u32(b.data + 12), trans = read_u32(b.data + 16);
    if ((uint64_t)orig + 8ull * n > b.len || (uint64_t)trans + 8ull * n > b.len) {
        rc = accord_fail(ACCORD_EENV, NULL, "%s: string tables past the end of the file", path);
        goto out;
    }
    c->msgid = calloc(n ? n : 1, sizeof *c->msgid);
    c->msgstr = calloc(n ? n : 1, sizeof *c->msgstr);
    if (!c->msgid || !c->msgstr) {
        rc = accord_fail(ACCORD_ENOMEM, NULL, "out of memory");
        goto out;
    }
    for (uint32_t i = 0; i < n; i++) {
        uint32_t ol = read_u32(b.data + orig + 8 * i), oo = read_u32(b.data + orig + 8 * i + 4);
        uint32_t tl = read_u32(b.data + trans + 8 * i), to = read_u32(b.data + trans + 8 * i + 4);
        if ((uint64_t)oo + ol >= b.len || (uint64_t)to + tl >= b.len || b.data[oo + ol] || b.data[to + tl]) {
            rc = accord_fail(ACCORD_EENV, NULL, "%s: string %u is out of bounds", path, i);
            goto out;
        }
        c->msgid[i] = b.data + oo;
        c->msgstr[i] = b.data + to;
    }
    c->n = n;
    c->bytes = buf_steal(&b);
out:
    buf_free(&b);
    return rc;
}

/* Where the compiled catalogue of 'code' is: $ACCORD_LOCALE_DIR alone when
 * set, else the build tree's, else the installed one. */
static int find_mo(const char *code, char *out, size_t len)
{
    const char *env = getenv("ACCORD_LOCALE_DIR");
    const char *dirs[] = {ACCORD_BUILD_LOCALE_DIR, ACCORD_INSTALL_LOCALE_DIR};
    size_t n = env && *env ? 1 : 2;
    for (size_t i = 0; i < n; i++) {
        snprintf(out, len, "%s/%s.mo", env && *env ? env : dirs[i], code);
        if (access(out, R_OK) == 0)
            return ACCORD_OK;
    }
    return accord_fail(ACCORD_EENV, NULL, "cannot find the compiled catalogue %s.mo in %s%s%s (build with meson, or "
                       "set ACCORD_LOCALE_DIR)", code, env && *env ? env : ACCORD_BUILD_LOCALE_DIR,
                       env && *env ? "" : " or ", env && *env ? "" : ACCORD_INSTALL_LOCALE_DIR);
}

int web_i18n_load(void)
{
    for (size_t i = 0; i < WEB_NLANGS; i++) {
        char path[1024];
        int rc = find_mo(langs[i].code, path, sizeof path);
        if (!rc)
            rc = load_mo(path, &catalogues[i]);
        if (rc)
            return rc;
    }
    return ACCORD_OK;
}

static const char *lookup(const web_lang *lang, const char *msgid)
{
    const catalogue *c = &catalogues[web_lang_index(lang)];
    uint32_t lo = 0, hi = c->n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        int cmp = strcmp(msgid, c->msgid[mid]);
        if (cmp == 0)
            return c->msgstr[mid][0] ? c->msgstr[mid] : NULL;
        if (cmp < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

const char *web_t(const web_lang *lang, const char *msgid)
{
    const char *s = lookup(lang, msgid);
    return s ? s : msgid;
}

bool web_has_translation(const web_lang *lang, const char *msgid) { return lookup(lang, msgid) != NULL; }
