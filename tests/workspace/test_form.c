/* Form bodies as browsers post them (src/web/form.c). */
#include <criterion/criterion.h>
#include <string.h>

#include "util/error.h"
#include "web/web.h"

static json_t *parse(const char *body)
{
    json_t *f = NULL;
    int rc = web_form_parse(body, strlen(body), &f);
    cr_assert_eq(rc, 0, "%s: %s", body, accord_error_message());
    return f;
}

static const char *field(json_t *f, const char *k) { return json_string_value(json_object_get(f, k)); }

Test(web_form, decodes_plus_percent_and_keeps_the_last_repeat)
{
    json_t *f = parse("email=fp%40example.org&password=correct+horse+battery+staple&x=1&x=2&empty=&bare");
    cr_assert_str_eq(field(f, "email"), "fp@example.org");
    cr_assert_str_eq(field(f, "password"), "correct horse battery staple");
    cr_assert_str_eq(field(f, "x"), "2");
    cr_assert_str_eq(field(f, "empty"), "");
    cr_assert_str_eq(field(f, "bare"), "");
    cr_assert_eq(json_object_size(f), 5);
    json_decref(f);
}

Test(web_form, keeps_utf8_and_a_stray_percent)
{
    json_t *f = parse("narrative=%D0%9F%D1%80%D0%B8%D0%B2%D0%B5%D1%82+100%25+50%+%zz&&");
    cr_assert_str_eq(field(f, "narrative"), "Привет 100% 50% %zz");
    json_decref(f);
}

Test(web_form, refuses_an_encoded_nul_and_bytes_that_are_not_utf8)
{
    json_t *f = NULL;
    cr_assert_eq(web_form_parse("a=b%00c", 7, &f), ACCORD_EINVAL);
    cr_assert_null(f);
    cr_assert_eq(web_form_parse("a=%FF%FE", 8, &f), ACCORD_EINVAL);
    cr_assert_eq(web_form_parse("%C3=x", 5, &f), ACCORD_EINVAL);
    cr_assert_null(f);
}

Test(web_form, an_empty_body_is_an_empty_form)
{
    json_t *f = parse("");
    cr_assert_eq(json_object_size(f), 0);
    json_decref(f);
}

Test(web_form, a_textarea_s_line_breaks_become_lf)
{
    json_t *f = parse("narrative=%23+Title%0D%0A%0D%0Aline+two%0Dthree%0Afour");
    cr_assert_str_eq(field(f, "narrative"), "# Title\n\nline two\nthree\nfour");
    json_decref(f);
}
