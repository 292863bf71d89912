/* Dates, numbers, collation and country names in each language, from ICU
 * (CLDR data). Every call names its locale explicitly; the process
 * locale is never read or set. Formatters are opened once per language:
 * ICU's date and number formatters are not safe to share between threads,
 * so each has a mutex; collators are (ucol_strcollUTF8 is const). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/ucol.h>
#include <unicode/udat.h>
#include <unicode/uloc.h>
#include <unicode/unum.h>
#include <unicode/ustring.h>

#include "util/date.h"
#include "util/error.h"
#include "web/web.h"
#include "web/web_int.h"

typedef struct lang_icu {
    UDateFormat *date;
    UNumberFormat *number;
    UCollator *collator;
    pthread_mutex_t lock; /* guards 'date' and 'number' */
} lang_icu;

static lang_icu icu[WEB_NLANGS];

/* ISO 3166-1 alpha-3 -> alpha-2, from ICU's own list, for display names. */
typedef struct iso_pair {
    char a3[4], a2[3];
} iso_pair;
static iso_pair *isos;
static size_t nisos;

static const char *icu_locale(const web_lang *l)
{
    /* Chinese at the UN is written in simplified characters; its English
     * writes dates day first ("15 July 2019"), as CLDR's world English does. */
    if (strcmp(l->code, "zh") == 0)
        return "zh_Hans";
    return strcmp(l->code, "en") == 0 ? "en_001" : l->code;
}

static int build_iso_table(void)
{
    const char *const *codes = uloc_getISOCountries();
    size_t n = 0;
    while (codes[n])
        n++;
    isos = calloc(n, sizeof *isos);
    if (!isos)
        return accord_fail(ACCORD_ENOMEM, NULL, "out of memory");
    for (size_t i = 0; i < n; i++) {
        char loc[16];
        snprintf(loc, sizeof loc, "und_%s", codes[i]);
        const char *a3 = uloc_getISO3Country(loc);
        if (!a3 || strlen(a3) != 3 || strlen(codes[i]) != 2)
            continue;
        memcpy(isos[nisos].a3, a3, 4);
        memcpy(isos[nisos].a2, codes[i], 3);
        nisos++;
    }
    return ACCORD_OK;
}

int web_icu_load(void)
{
    int rc = build_iso_table();
    for (size_t i = 0; i < WEB_NLANGS && !rc; i++) {
        const char *loc = icu_locale(&web_langs()[i]);
        UErrorCode err = U_ZERO_ERROR;
        UChar utc[4];
        u_uastrcpy(utc, "UTC");
        icu[i].date = udat_open(UDAT_NONE, UDAT_LONG, loc, utc, -1, NULL, 0, &err);
        if (U_SUCCESS(err))
            icu[i].number = unum_open(UNUM_DECIMAL, NULL, 0, loc, NULL, &err);
        if (U_SUCCESS(err))
            icu[i].collator = ucol_open(loc, &err);
        if (U_FAILURE(err))
            rc = accord_fail(ACCORD_EENV, NULL, "ICU cannot open the formatters of locale %s: %s", loc,
                             u_errorName(err));
        pthread_mutex_init(&icu[i].lock, NULL);
    }
    return rc;
}

/* Days from 1970-01-01 to the civil date (Howard Hinnant's algorithm). */
static long long days_from_civil(int y, unsigned m, unsigned d)
{
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (long long)doe - 719468;
}

static void to_utf8(const UChar *s, int32_t len, char *out, size_t outlen)
{
    UErrorCode err = U_ZERO_ERROR;
    int32_t n = 0;
    u_strToUTF8(out, (int32_t)outlen - 1, &n, s, len, &err);
    if (U_FAILURE(err) || n < 0 || (size_t)n >= outlen)
        n = 0;
    out[n] = '\0';
}

void web_date(const web_lang *lang, const char *iso, char *out, size_t len)
{
    snprintf(out, len, "%s", iso ? iso : "");
    if (!iso || !date_valid(iso))
        return;
    int y = atoi(iso);
    unsigned m = (unsigned)atoi(iso + 5), d = (unsigned)atoi(iso + 8);
    UDate when = (UDate)days_from_civil(y, m, d) * 86400000.0;
    lang_icu *li = &icu[web_lang_index(lang)];
    UChar text[128];
    UErrorCode err = U_ZERO_ERROR;
    pthread_mutex_lock(&li->lock);
    int32_t n = udat_format(li->date, when, text, 128, NULL, &err);
    pthread_mutex_unlock(&li->lock);
    if (U_SUCCESS(err))
        to_utf8(text, n, out, len);
}

void web_number(const web_lang *lang, long long v, char *out, size_t len)
{
    snprintf(out, len, "%lld", v);
    lang_icu *li = &icu[web_lang_index(lang)];
    UChar text[64];
    UErrorCode err = U_ZERO_ERROR;
    pthread_mutex_lock(&li->lock);
    int32_t n = unum_formatInt64(li->number, v, text, 64, NULL, &err);
    pthread_mutex_unlock(&li->lock);
    if (U_SUCCESS(err))
        to_utf8(text, n, out, len);
}

int web_collate(const web_lang *lang, const char *a, const char *b)
{
    UErrorCode err = U_ZERO_ERROR;
    UCollationResult r = ucol_strcollUTF8(icu[web_lang_index(lang)].collator, a, -1, b, -1, &err);
    if (U_FAILURE(err))
        return strcmp(a, b);
    return r == UCOL_LESS ? -1 : r == UCOL_GREATER ? 1 : 0;
}

typedef struct sort_item {
    json_t *v;
    const char *key;
} sort_item;

static _Thread_local const web_lang *sort_lang;

static int compare_items(const void *x, const void *y)
{
    const sort_item *a = x, *b = y;
    return web_collate(sort_lang, a->key, b->key);
}

int web_sort_by(const web_lang *lang, json_t *items, const char *key)
{
    size_t n = json_array_size(items);
    if (n < 2)
        return ACCORD_OK;
    sort_item *s = calloc(n, sizeof *s);
    if (!s)
        return accord_fail(ACCORD_ENOMEM, NULL, "out of memory");
    for (size_t i = 0; i < n; i++) {
        s[i].v = json_incref(json_array_get(items, i));
        const char *k = json_string_value(json_object_get(s[i].v, key));
        s[i].key = k ? k : "";
    }
    sort_lang = lang;
    qsort(s, n, sizeof *s, compare_items);
    json_array_clear(items);
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, s[i].v);
    free(s);
    return ACCORD_OK;
}

bool web_country_name(const web_lang *lang, const char *iso3, char *out, size_t len)
{
    out[0] = '\0';
    for (size_t i = 0; iso3 && i < nisos; i++) {
        if (strcmp(isos[i].a3, iso3) != 0)
            continue;
        char loc[16];
        snprintf(loc, sizeof loc, "und_%s", isos[i].a2);
        UChar name[256];
        UErrorCode err = U_ZERO_ERROR;
        int32_t n = uloc_getDisplayCountry(loc, icu_locale(lang), name, 256, &err);
        if (U_FAILURE(err) || err == U_USING_DEFAULT_WARNING || n <= 0)
            return false;
        to_utf8(name, n, out, len);
        return out[0] != '\0';
    }
    return false;
}
