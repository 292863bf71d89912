/* The template engine: every value is escaped for where it is written,
 * values where no escaping is safe do not compile, and the six catalogues
 * translate every string the templates and pages use. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "web/web.h"

/* Compiles 'src', renders it with 'model' (JSON text) in English, and
 * returns the HTML (caller frees). */
static char *render(const char *src, const char *model)
{
    cr_assert_eq(web_init(), 0, "%s", accord_error_message());
    web_template *t;
    cr_assert_eq(web_template_compile("test", src, NULL, &t), 0, "%s", accord_error_message());
    json_t *m = json_loads(model, 0, NULL);
    cr_assert_not_null(m);
    buf out;
    buf_init(&out, 1 << 20);
    cr_assert_eq(web_render(t, m, web_lang_find("en"), &out), 0);
    json_decref(m);
    web_template_free(t);
    char *s = strdup(out.data ? out.data : "");
    buf_free(&out);
    return s;
}

static void refused(const char *src)
{
    web_template *t = NULL;
    cr_assert_eq(web_template_compile("test", src, NULL, &t), ACCORD_EINVAL, "compiled: %s", src);
    cr_assert_null(t);
}

Test(web_escaping, text_is_escaped)
{
    char *s = render("<p>{{x}}</p>", "{\"x\":\"<script>alert('x')</script> & \\\"q\\\"\"}");
    cr_assert_str_eq(s, "<p>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &#34;q&#34;</p>");
    free(s);
}

Test(web_escaping, attribute_values_cannot_break_out)
{
    char *s = render("<a title=\"{{x}}\" class='{{x}}'>t</a>", "{\"x\":\"\\\" onmouseover='alert(1)'\"}");
    cr_assert_str_eq(s, "<a title=\"&#34; onmouseover=&#39;alert(1)&#39;\" class='&#34; onmouseover=&#39;alert(1)&#39;'>t</a>");
    free(s);
}

Test(web_escaping, a_url_attribute_refuses_script_schemes)
{
    char *s = render("<a href=\"{{u}}\">x</a><a href=\"{{v}}\">y</a><a href=\"{{w}}\">z</a>",
                     "{\"u\":\"javascript:alert(1)\",\"v\":\" JaVaScRiPt:alert(1)\",\"w\":\"https://example.org/?a=1&b=2\"}");
    cr_assert_str_eq(s, "<a href=\"#unsafe-url\">x</a><a href=\"#unsafe-url\">y</a>"
                        "<a href=\"https://example.org/?a=1&amp;b=2\">z</a>");
    free(s);
}

Test(web_escaping, a_value_inside_a_url_is_percent_encoded)
{
    char *s = render("<a href=\"/en/parties/{{c}}?as_of={{d}}\">x</a>", "{\"c\":\"org:a b/../\\\"x\",\"d\":\"2018-09-28\"}");
    cr_assert_str_eq(s, "<a href=\"/en/parties/org%3Aa%20b%2F..%2F%22x?as_of=2018-09-28\">x</a>");
    free(s);
}

Test(web_escaping, values_where_nothing_is_safe_do_not_compile)
{
    refused("<{{tag}}>");
    refused("</{{tag}}>");
    refused("<p>a</p><{{tag}} title=\"x\">");
    refused("<a {{attr}}>");
    refused("<a href={{u}}>");
    refused("<a onclick=\"{{js}}\">");
    refused("<p style=\"color: {{c}}\">");
    refused("<script>var x = \"{{x}}\";</script>");
    refused("<style>p { color: {{c}} }</style>");
    refused("<!-- {{x}} -->");
    refused("<a href=\"{{t \"Home\"}}\">");
    /* A block whose branches leave the HTML in different places. */
    refused("{{#if x}}<a href=\"{{else}}<b>{{/if}}\">");
    refused("{{#each xs}}<a title=\"{{/each}}\">");
    refused("{{#if x}}unclosed");
    refused("<a title=\"{{x}}");
}

Test(web_escaping, script_content_after_its_end_tag_is_text_again)
{
    char *s = render("<script></script><p>{{x}}</p>", "{\"x\":\"<b>\"}");
    cr_assert_str_eq(s, "<script></script><p>&lt;b&gt;</p>");
    free(s);
}

Test(web_escaping, markdown_is_written_as_the_markdown_modules_safe_html_in_text_only)
{
    char *s = render("<div>{{markdown x}}</div>",
                     "{\"x\":\"A **new law**<script>alert(1)</script> [l](javascript:alert(1))\"}");
    cr_assert(strstr(s, "<strong>new law</strong>"), "%s", s);
    cr_assert_null(strstr(s, "<script"), "%s", s);
    cr_assert_null(strstr(s, "javascript:"), "%s", s);
    free(s);
    refused("<a href=\"{{markdown x}}\">");
    refused("<p title=\"{{markdown x}}\">");
    refused("<script>{{markdown x}}</script>");
}

Test(web_blocks, if_each_and_scopes)
{
    char *s = render("{{#each xs}}{{@index}}:{{name}}/{{lang}}{{#if last}}!{{else}},{{/if}}{{/each}}"
                     "{{#unless xs}}none{{/unless}}{{#if empty}}E{{/if}}",
                     "{\"lang\":\"en\",\"empty\":[],\"xs\":[{\"name\":\"a\"},{\"name\":\"<b>\",\"last\":true}]}");
    cr_assert_str_eq(s, "1:a/en,2:&lt;b&gt;/en!");
    free(s);
}

Test(web_blocks, a_bare_attribute_in_a_block)
{
    char *s = render("<option value=\"{{v}}\"{{#if sel}} selected{{/if}}>{{v}}</option>", "{\"v\":\"x\",\"sel\":true}");
    cr_assert_str_eq(s, "<option value=\"x\" selected>x</option>");
    free(s);
}

Test(web_i18n, languages_and_negotiation)
{
    cr_assert_eq(web_init(), 0, "%s", accord_error_message());
    cr_assert_str_eq(web_lang_negotiate("fr-CA,fr;q=0.9,en;q=0.8")->code, "fr");
    cr_assert_str_eq(web_lang_negotiate("de-DE,de;q=0.9,ru;q=0.5,en;q=0.4")->code, "ru");
    cr_assert_str_eq(web_lang_negotiate("de")->code, "en");
    cr_assert_str_eq(web_lang_negotiate(NULL)->code, "en");
    cr_assert_str_eq(web_lang_negotiate("zh-Hans-CN")->code, "zh");
    cr_assert_str_eq(web_lang_find("ar")->dir, "rtl");
    cr_assert_str_eq(web_t(web_lang_find("fr"), "Signature"), "Signature");
    cr_assert_str_eq(web_t(web_lang_find("es"), "Signature"), "Firma");
    cr_assert_str_eq(web_t(web_lang_find("ru"), "on or before"), "не позднее");
    cr_assert_str_eq(web_t(web_lang_find("fr"), "no such string"), "no such string");
}

typedef struct missing {
    char list[4096];
    size_t n;
} missing;

static void check_msgid(const char *msgid, void *arg)
{
    missing *m = arg;
    for (size_t i = 0; i < WEB_NLANGS; i++) {
        const web_lang *l = &web_langs()[i];
        if (!web_has_translation(l, msgid)) {
            size_t used = strlen(m->list);
            snprintf(m->list + used, sizeof m->list - used, "%s: \"%s\"; ", l->code, msgid);
            m->n++;
        }
    }
}

Test(web_i18n, every_catalogue_translates_every_string_the_portal_uses)
{
    cr_assert_eq(web_init(), 0, "%s", accord_error_message());
    missing m = {0};
    size_t templates = 0;
    for (const char *const *name = web_template_names(); *name; name++, templates++)
        web_template_msgids(web_template_get(*name), check_msgid, &m);
    cr_assert_geq(templates, 10, "the portal's templates were not all loaded");
    /* The strings the page handlers translate (src/portal/pages.c). */
    static const char *const from_code[] = {
        "Signature", "Endorsement", "Accession", "Ratification", "Acceptance", "Approval", "Succession",
        "Withdrawal", "Declaration", "Implemented", "Largely implemented", "Partly implemented", "Not implemented",
        "Not rated", "Observer", "Member", "Not found", "Cannot show this page", "more than", "about", "at least",
        "Depositary notifications", "Groups and regions", "Implementation", "Log entry", "The public log",
        "The public record of the Code of Conduct",
        /* src/workspace/workspace.c */
        "Sign in", "Workspace", "Enter your email address.", "Enter your password.", "Wrong email or password.",
        "Too many failed attempts: signing in is paused for a while.", "Administrator", "Depositary", "Focal point",
        "Reviewer", "Coordinator", "Not allowed", "Something went wrong",
        "This form has expired or did not come from this site: go back, reload the page and send it again.",
        "Your account may not do this.", "The server could not do this.",
        /* src/workspace/reports.c */
        "Reports", "Report on a provision", "No draft", "Draft", "Submitted", "Returned with comments", "Rated",
        "Released", "Submitted.", "Released.", "Saved.", "Not started", "Planned", "In progress",
        "Substantially implemented", "Implemented", "Not applicable", "The report was not saved.", NULL};
    for (size_t i = 0; from_code[i]; i++)
        check_msgid(from_code[i], &m);
    cr_assert_eq(m.n, 0, "untranslated: %s", m.list);
}

Test(web_icu, dates_numbers_and_names_in_each_language)
{
    cr_assert_eq(web_init(), 0, "%s", accord_error_message());
    char s[128];
    web_date(web_lang_find("en"), "2018-09-28", s, sizeof s);
    cr_assert_str_eq(s, "28 September 2018");
    web_date(web_lang_find("fr"), "2019-07-15", s, sizeof s);
    cr_assert_str_eq(s, "15 juillet 2019");
    web_date(web_lang_find("ru"), "2019-07-15", s, sizeof s);
    cr_assert_str_eq(s, "15 июля 2019\u202fг.");
    web_date(web_lang_find("zh"), "2019-07-15", s, sizeof s);
    cr_assert_str_eq(s, "2019年7月15日");
    web_date(web_lang_find("en"), "not a date", s, sizeof s);
    cr_assert_str_eq(s, "not a date");
    web_number(web_lang_find("en"), 1234567, s, sizeof s);
    cr_assert_str_eq(s, "1,234,567");
    web_number(web_lang_find("fr"), 1234567, s, sizeof s);
    cr_assert_str_eq(s, "1\u202f234\u202f567");
    cr_assert(web_country_name(web_lang_find("fr"), "KAZ", s, sizeof s));
    cr_assert_str_eq(s, "Kazakhstan");
    cr_assert(web_country_name(web_lang_find("es"), "VCT", s, sizeof s));
    cr_assert_str_eq(s, "San Vicente y las Granadinas");
    cr_assert_not(web_country_name(web_lang_find("fr"), "XXX", s, sizeof s));
}

Test(web_icu, lists_sort_in_each_language_not_by_bytes)
{
    cr_assert_eq(web_init(), 0, "%s", accord_error_message());
    json_t *fr = json_pack("[{s:s},{s:s},{s:s}]", "k", "Zambie", "k", "Égypte", "k", "Allemagne");
    cr_assert_eq(web_sort_by(web_lang_find("fr"), fr, "k"), 0);
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(fr, 1), "k")), "Égypte");
    json_decref(fr);
    /* Swedish-like orders aside, Spanish sorts ñ after n. */
    json_t *es = json_pack("[{s:s},{s:s},{s:s}]", "k", "Ñandú", "k", "Oso", "k", "Nube");
    web_sort_by(web_lang_find("es"), es, "k");
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(es, 1), "k")), "Ñandú");
    json_decref(es);
    /* Chinese sorts by pinyin: 阿 (a) before 中 (zhong), though its code point is larger. */
    cr_assert_lt(web_collate(web_lang_find("zh"), "阿富汗", "中国"), 0);
    cr_assert_gt(strcmp("阿富汗", "中国"), 0);
    /* Arabic letters in alphabetical order. */
    cr_assert_lt(web_collate(web_lang_find("ar"), "أفغانستان", "بلجيكا"), 0);
}

Test(web_stylesheet, named_by_its_hash)
{
    cr_assert_eq(web_init(), 0, "%s", accord_error_message());
    const char *path = web_stylesheet_path();
    cr_assert_eq(strncmp(path, "/static/accord.", 15), 0);
    size_t len;
    cr_assert_not_null(web_stylesheet(path + 8, &len));
    cr_assert_gt(len, 1000);
    cr_assert_null(web_stylesheet("accord.000000000000.css", &len));
}

/* The chart slots draw the models src/charts returns (the shapes in
 * docs/internals/portal.md), with their values escaped like any other. */
Test(web_charts, the_slots_draw_the_chart_models)
{
    cr_assert_eq(web_init(), 0, "%s", accord_error_message());
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/data/web/templates", getenv("ACCORD_SOURCE_ROOT") ? getenv("ACCORD_SOURCE_ROOT") : ".");
    web_template *t;
    cr_assert_eq(web_template_compile("charts", "{{> _svg_map}}{{> _svg_timeline}}{{> _svg_trajectory}}", dir, &t), 0,
                 "%s", accord_error_message());
    json_t *m = json_loads(
        "{\"map\":{\"width\":800,\"height\":400,\"countries\":[{\"code\":\"KAZ\",\"numeric\":\"398\",\"d\":\"M1 2L3 4Z\","
        "\"state\":\"participant\",\"name\":\"Kazakhstan\"}],\"markers\":[{\"code\":\"VCT\",\"x\":10,\"y\":20,"
        "\"state\":\"participant\",\"name\":\"<i>VCT</i>\"}]},"
        "\"timeline\":{\"width\":600,\"height\":200,\"x_ticks\":[{\"x\":0,\"label\":\"2018\"}],\"y_ticks\":[],"
        "\"path\":\"M0 0L5 5\",\"points\":[{\"x\":5,\"y\":5,\"date\":\"2018-09-28\",\"count\":6}],"
        "\"reported\":[{\"x\":9,\"y\":1,\"date\":\"2019-07-15\",\"qualifier\":\"about\",\"count\":80,"
        "\"source_title\":\"<b>BAQ</b>\",\"source_url\":\"https://baq.kz/\"}]},"
        "\"trajectory_chart\":{\"width\":600,\"height\":200,\"x_ticks\":[],\"y_ticks\":[],\"actual_path\":\"M0 0\","
        "\"target_path\":\"M0 0L600 0\",\"points\":[],\"on_track\":true}}",
        0, NULL);
    buf out;
    buf_init(&out, 1 << 20);
    cr_assert_eq(web_render(t, m, web_lang_find("en"), &out), 0);
    cr_assert(strstr(out.data, "<svg class=\"map\" viewBox=\"0 0 800 400\""));
    /* Shapes carry the name portal_map_model() gives them, escaped. */
    cr_assert(strstr(out.data, "<path class=\"st-participant\" d=\"M1 2L3 4Z\"><title>Kazakhstan</title></path>"));
    cr_assert(strstr(out.data, "<circle class=\"st-participant\" cx=\"10\" cy=\"20\" r=\"3\"><title>&lt;i&gt;VCT&lt;/i&gt;</title>"));
    cr_assert(strstr(out.data, "&lt;b&gt;BAQ&lt;/b&gt;"));
    cr_assert(strstr(out.data, "<path class=\"target\" d=\"M0 0L600 0\"/>"));
    buf_reset(&out);
    /* Without the models, nothing is drawn (the data tables stand alone). */
    json_t *none = json_object();
    cr_assert_eq(web_render(t, none, web_lang_find("en"), &out), 0);
    cr_assert_null(out.data ? strstr(out.data, "<svg") : NULL);
    json_decref(none);
    json_decref(m);
    buf_free(&out);
    web_template_free(t);
}
