/* The portal over HTTP: recorded text is escaped on every page it
 * appears on, unknown pages are 404 pages in their language, and "/"
 * negotiates the language. The browser tests (tests/browser) check the
 * rest in Chromium. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"

static th_server server;
static char *dir, *db_path, token[64];

static void start(void)
{
    dir = th_tempdir();
    db_path = th_make_db(dir, true, token);
    th_server_start(&server, db_path);
}

static void stop(void)
{
    th_server_stop(&server);
    th_rmtree(dir);
    free(dir);
    free(db_path);
}

TestSuite(portal_pages, .init = start, .fini = stop);

static th_response get(const char *path)
{
    return th_call(&server, "GET", path, NULL, NULL, NULL, 0);
}

Test(portal_pages, recorded_markup_is_shown_as_text_on_every_page)
{
    const char *body = "{\"party\":\"TKM\",\"type\":\"signature\",\"date\":\"2019-06-01\",\"date_precision\":\"on_or_before\","
                       "\"place\":\"<img src=x onerror=alert(1)>\",\"confidence\":\"stated\","
                       "\"source\":{\"title\":\"<script>alert('t')</script>\",\"url\":\"https://example.org/?a=\\\"><b>\"}}";
    th_response r = th_call(&server, "POST", "/api/v1/instruments/code-of-conduct/actions", token, NULL, body, strlen(body));
    cr_assert_eq(r.status, 201, "%s", r.body);
    th_response_free(&r);
    const char *pages[] = {"/en/instruments/code-of-conduct?as_of=2019-06-01", "/ar/parties/TKM", "/fr/notifications",
                           "/en/", NULL};
    for (size_t i = 0; pages[i]; i++) {
        r = get(pages[i]);
        cr_assert_eq(r.status, 200, "%s", pages[i]);
        cr_assert(strstr(r.content_type, "text/html"), "%s", pages[i]);
        cr_assert_null(strstr(r.body, "<script"), "%s writes a recorded <script> as markup", pages[i]);
        cr_assert_null(strstr(r.body, "<img"), "%s writes a recorded <img> as markup", pages[i]);
        cr_assert_null(strstr(r.body, "\"><b>"), "%s lets a recorded URL close its attribute", pages[i]);
        th_response_free(&r);
    }
    r = get("/en/instruments/code-of-conduct?as_of=2019-06-01");
    cr_assert(strstr(r.body, "&lt;script&gt;alert(&#39;t&#39;)&lt;/script&gt;"));
    cr_assert(strstr(r.body, "href=\"https://example.org/?a=&#34;&gt;&lt;b&gt;\""));
    th_response_free(&r);
}

Test(portal_pages, an_unknown_page_is_a_404_page_in_its_language)
{
    th_response r = get("/fr/instruments/no-such-instrument");
    cr_assert_eq(r.status, 404);
    cr_assert(strstr(r.content_type, "text/html"));
    cr_assert(strstr(r.body, "<html lang=\"fr\" dir=\"ltr\">"));
    cr_assert(strstr(r.body, "Introuvable"));
    th_response_free(&r);
    r = get("/ar/nothing/here");
    cr_assert_eq(r.status, 404);
    cr_assert(strstr(r.body, "dir=\"rtl\""));
    th_response_free(&r);
    /* Not a language: the API's JSON 404, as before the portal; and an
     * unknown path is unknown to every method. */
    r = get("/de/");
    cr_assert_eq(r.status, 404);
    cr_assert_str_eq(th_error_code(&r), "not_found");
    th_response_free(&r);
    r = th_call(&server, "POST", "/api/v1/no-such-thing", token, NULL, "{}", 2);
    cr_assert_eq(r.status, 404);
    th_response_free(&r);
    r = get("/en/instruments/code-of-conduct?as_of=2018-13-45");
    cr_assert_eq(r.status, 400);
    cr_assert(strstr(r.body, "<html lang=\"en\""));
    th_response_free(&r);
}

Test(portal_pages, the_root_redirects_to_the_preferred_language)
{
    const char *h[] = {"Accept-Language: ru-RU,ru;q=0.9,en;q=0.5", NULL};
    th_response r;
    char url[128];
    snprintf(url, sizeof url, "%s/", server.base);
    th_http(&r, "GET", url, h, NULL, 0);
    cr_assert_eq(r.status, 302);
    th_response_free(&r);
    th_response a = get("/api");
    cr_assert_eq(a.status, 200);
    cr_assert(strstr(a.body, "/api/v1/instruments"));
    th_response_free(&a);
}

/* The first cell of party 'code's row of the status table, or "". */
static void row_head(const char *html, const char *code, char *out, size_t len)
{
    char tr[64];
    snprintf(tr, sizeof tr, "<tr data-party=\"%s\">\n<th scope=\"row\">", code);
    const char *row = strstr(html, tr);
    out[0] = '\0';
    if (row)
        snprintf(out, len, "%.*s", (int)(strstr(row, "</th>") - row - strlen(tr)), row + strlen(tr));
}

Test(portal_pages, a_withdrawn_participant_is_in_brackets_from_its_withdrawal)
{
    const char *body = "{\"party\":\"KGZ\",\"type\":\"withdrawal\",\"date\":\"2020-06-01\",\"confidence\":\"stated\","
                       "\"source\":{\"title\":\"Test notice of withdrawal\",\"url\":\"https://example.org/w\"}}";
    th_response r = th_call(&server, "POST", "/api/v1/instruments/code-of-conduct/actions", token, NULL, body, strlen(body));
    cr_assert_eq(r.status, 201, "%s", r.body);
    th_response_free(&r);
    char head[512];
    r = get("/en/instruments/code-of-conduct?as_of=2020-05-31");
    row_head(r.body, "KGZ", head, sizeof head);
    cr_assert_str_eq(head, "<a href=\"/en/parties/KGZ\">Kyrgyzstan</a> <bdi class=\"code\" dir=\"ltr\">KGZ</bdi>");
    cr_assert_null(strstr(r.body, "id=\"withdrawn-note\""));
    th_response_free(&r);
    r = get("/en/instruments/code-of-conduct?as_of=2020-06-01");
    row_head(r.body, "KGZ", head, sizeof head);
    cr_assert_str_eq(head, "[<a href=\"/en/parties/KGZ\">Kyrgyzstan</a> <bdi class=\"code\" dir=\"ltr\">KGZ</bdi>]"
                           "<sup><a href=\"#withdrawn-note\">*</a></sup>");
    const char *w = strstr(r.body, "1 June 2020 <span class=\"suffix\">(Withdrawal)</span>");
    cr_assert(w, "the withdrawal is not in the row");
    cr_assert_null(strstr(strstr(w, "(Withdrawal)") + 1, "(Withdrawal)"), "the withdrawal is shown twice");
    cr_assert(strstr(r.body, "id=\"withdrawn-note\""));
    th_response_free(&r);
}

Test(portal_pages, names_are_the_uns_and_a_territory_is_never_a_state)
{
    /* UN names first: "Fédération de Russie", not CLDR's "Russie". */
    th_response r = get("/fr/parties/RUS");
    cr_assert_eq(r.status, 200);
    cr_assert(strstr(r.body, "<h1>Fédération de Russie "), "%.400s", r.body);
    th_response_free(&r);
    r = get("/en/parties/GRL");
    cr_assert_eq(r.status, 200);
    cr_assert(strstr(r.body, "<dd>Territory (not a UN member or observer State)</dd>"));
    cr_assert_null(strstr(r.body, "<dd>State</dd>"));
    cr_assert_null(strstr(r.body, "<dd>Organization</dd>"));
    th_response_free(&r);
    /* On the map, Greenland is drawn as not a state, Kazakhstan as a participant. */
    r = get("/en/instruments/code-of-conduct?as_of=2018-09-28");
    cr_assert_eq(r.status, 200);
    cr_assert(strstr(r.body, "<path class=\"st-participant\" d=\""));
    const char *kaz = strstr(r.body, "<title>Kazakhstan</title>");
    const char *grl = strstr(r.body, "<title>Greenland</title>");
    cr_assert(kaz && grl);
    const char *p = kaz;
    while (p > r.body && strncmp(p, "<path", 5) != 0)
        p--;
    cr_assert(strncmp(p, "<path class=\"st-participant\"", 28) == 0);
    p = grl;
    while (p > r.body && strncmp(p, "<path", 5) != 0)
        p--;
    cr_assert(strncmp(p, "<path class=\"st-not_a_state\"", 28) == 0);
    cr_assert(strstr(r.body, "<span class=\"n\">5</span> / 193 UN member states participate"), "the denominator is the group un");
    th_response_free(&r);
    /* The group un answers "which UN member states have not yet signed". */
    r = get("/en/groups/un?as_of=2018-09-28");
    cr_assert_eq(r.status, 200);
    cr_assert(strstr(r.body, "UN member states that have not yet signed (188)"));
    th_response_free(&r);
}

Test(portal_pages, dates_and_numbers_are_bounded_as_the_api_bounds_them)
{
    const char *dates[] = {"1944-12-31", "9999-01-01", NULL};
    for (size_t i = 0; dates[i]; i++) {
        char path[128];
        snprintf(path, sizeof path, "/fr/instruments/code-of-conduct?as_of=%s", dates[i]);
        th_response r = get(path);
        cr_assert_eq(r.status, 400, "%s", path);
        cr_assert(strstr(r.body, "<html lang=\"fr\""));
        cr_assert(strstr(r.body, "La date doit être un jour écrit AAAA-MM-JJ"), "%s", path);
        cr_assert(strstr(r.body, "1er janvier 1945") || strstr(r.body, "1 janvier 1945"), "%s", path);
        th_response_free(&r);
        snprintf(path, sizeof path, "/api/v1/instruments/code-of-conduct/status?as_of=%s", dates[i]);
        r = get(path);
        cr_assert_eq(r.status, 400, "the API refuses %s as well", dates[i]);
        th_response_free(&r);
    }
    th_response r = get("/en/groups/un?as_of=1945-01-01");
    cr_assert_eq(r.status, 200, "the first date the API answers for is answered");
    th_response_free(&r);
    r = get("/en/log/entries/99999999999999999999999");
    cr_assert_eq(r.status, 400, "an index past 2^64 is not a number, not a missing entry");
    cr_assert(strstr(r.body, "The entry must be a whole number"));
    th_response_free(&r);
    r = get("/ar/log/entries/+1");
    cr_assert_eq(r.status, 400);
    th_response_free(&r);
}

/* Loads the synthetic assistance data set into the server's database. */
static void load_synthetic(void)
{
    const char *args[] = {"assistance", "load", "--db", db_path, th_source_path("data/assistance.json"), NULL};
    char *out = NULL, *err = NULL;
    cr_assert_eq(th_run_accord_full(&out, &err, args), 0, "%s", err);
    free(out);
    free(err);
    args[4] = th_source_path("data/assistance.synthetic.json");
    cr_assert_eq(th_run_accord_full(&out, &err, args), 0, "%s", err);
    free(out);
    free(err);
}

Test(portal_pages, assistance_pages_show_public_needs_only_and_say_synthetic)
{
    load_synthetic();
    /* syn-need-29 (KAZ) is for providers; syn-need-06 (AZE, SDG 16.a) restricted. */
    const char *pages[] = {"/en/assistance/countries/KAZ", "/ru/assistance/gaps?region=143",
                           "/fr/assistance/frameworks/sdg/16.a", "/ar/assistance/entities/unodc/almaty",
                           "/zh/assistance/entities/unodc", "/es/assistance/countries/AZE", NULL};
    for (size_t i = 0; pages[i]; i++) {
        th_response r = get(pages[i]);
        cr_assert_eq(r.status, 200, "%s: %s", pages[i], r.body);
        cr_assert_null(strstr(r.body, "Human rights in counter-terrorism investigations (KAZ"), "%s shows a providers need", pages[i]);
        cr_assert_null(strstr(r.body, "National counter-terrorism strategy review (AZE"), "%s shows a restricted need", pages[i]);
        cr_assert(strstr(r.body, "class=\"synthetic-note\""), "%s does not say its records are synthetic", pages[i]);
        th_response_free(&r);
    }
    th_response r = get("/en/assistance/countries/KAZ");
    cr_assert(strstr(r.body, "Border management training for counter-terrorism units (KAZ, synthetic)"));
    cr_assert(strstr(r.body, "format=iati"));
    th_response_free(&r);
    r = get("/en/assistance/entities/unodc/almaty");
    cr_assert(strstr(r.body, "UNODC Programme Office, Almaty"));
    th_response_free(&r);
    /* The heatmap marks KAZ's provision 3 (public need syn-need-01) as requested. */
    r = get("/en/instruments/code-of-conduct/implementation");
    cr_assert_eq(r.status, 200);
    const char *kaz = strstr(r.body, "/en/parties/KAZ\"");
    cr_assert(kaz);
    const char *end = strstr(kaz, "</tr>");
    const char *cell = kaz;
    for (int k = 0; k < 3 && cell; k++)
        cell = strstr(cell + 1, "<td class=\"cell");
    cr_assert(cell && cell < end);
    const char *next = strstr(cell + 1, "</td>");
    cr_assert(next && memmem(cell, (size_t)(next - cell), "assistance requested", 20), "%.*s", (int)(next - cell), cell);
    th_response_free(&r);
    r = get("/en/assistance/frameworks/nope/1");
    cr_assert(r.status == 400 || r.status == 404, "%ld", (long)r.status);
    th_response_free(&r);
}

/* A reported total keeps its qualifier: "more than 70" never reads as "70",
 * in the header block and on the timeline, in English and in French. */
Test(portal_pages, a_reported_total_keeps_its_qualifier)
{
    th_response r = get("/en/instruments/code-of-conduct?as_of=2018-09-28");
    cr_assert_eq(r.status, 200);
    /* The header block, the timeline's point (its title and its label)
     * and the timeline's table. */
    int n = 0;
    for (const char *p = r.body; (p = strstr(p, "more than 70")); p++)
        n++;
    cr_assert_geq(n, 4, "'more than 70' is shown %d times, not in every place that shows the total", n);
    cr_assert_null(strstr(r.body, "\"n\"> 70"), "a reported total lost its qualifier");
    th_response_free(&r);
}
