/* util-json: canonical serialization and field readers. */
#include <criterion/criterion.h>
#include <string.h>

#include "util/error.h"
#include "util/json.h"

static char *canon(const char *text)
{
    json_t *v = json_loads(text, JSON_DECODE_ANY, NULL);
    cr_assert_not_null(v, "bad test input %s", text);
    buf b;
    buf_init(&b, 1 << 20);
    cr_assert_eq(json_canonical(v, &b), 0, "%s", accord_error_message());
    json_decref(v);
    return buf_steal(&b);
}

Test(util_json, sorts_keys_and_drops_whitespace)
{
    char *s = canon("{ \"b\" : 1, \"a\" : [ true, false, null ], \"c\": {\"z\": \"x\", \"y\": -2} }");
    cr_assert_str_eq(s, "{\"a\":[true,false,null],\"b\":1,\"c\":{\"y\":-2,\"z\":\"x\"}}");
    free(s);
}

Test(util_json, escapes_like_rfc8785)
{
    /* Short escapes where JSON has them, lowercase \u00xx otherwise; '/'
     * and non-ASCII characters stay as they are. */
    char *s = canon("[\"q\\\"b\\\\n\\n t\\t c\\u001f s/ \\u00e9 \\u20ac\"]");
    cr_assert_str_eq(s, "[\"q\\\"b\\\\n\\n t\\t c\\u001f s/ \xc3\xa9 \xe2\x82\xac\"]");
    free(s);
}

Test(util_json, orders_keys_by_utf16_code_units)
{
    /* U+FB01 (one UTF-16 unit, 0xFB01) sorts after U+1F600 (surrogates
     * 0xD83D...) in UTF-16 order, though its UTF-8 bytes sort first. */
    char *s = canon("{\"\\ufb01\": 1, \"\\ud83d\\ude00\": 2, \"a\": 3}");
    cr_assert_str_eq(s, "{\"a\":3,\"\xf0\x9f\x98\x80\":2,\"\xef\xac\x81\":1}");
    free(s);
}

Test(util_json, refuses_real_numbers)
{
    json_t *v = json_pack("{s:f}", "x", 1.5);
    buf b;
    buf_init(&b, 1024);
    cr_assert_eq(json_canonical(v, &b), ACCORD_EINVAL);
    buf_free(&b);
    json_decref(v);
}

Test(util_json, respects_the_buffer_cap)
{
    json_t *v = json_pack("{s:s}", "k", "0123456789");
    buf b;
    buf_init(&b, 8);
    cr_assert_eq(json_canonical(v, &b), ACCORD_ETOOBIG);
    buf_free(&b);
    json_decref(v);
}

Test(util_json, parse_object_reports_position)
{
    json_t *v;
    cr_assert_eq(json_parse_object("{\"a\": }", 7, &v), ACCORD_EINVAL);
    cr_assert(strstr(accord_error_message(), "line 1") != NULL, "%s", accord_error_message());
    cr_assert_eq(json_parse_object("[1]", 3, &v), ACCORD_EINVAL);
    cr_assert_eq(json_parse_object("{\"a\":1,\"a\":2}", 13, &v), ACCORD_EINVAL, "duplicate keys are refused");
    cr_assert_eq(json_parse_object("{\"a\":\"\xff\"}", 9, &v), ACCORD_EINVAL, "invalid UTF-8 is refused");
    cr_assert_eq(json_parse_object("{\"a\":1}", 7, &v), 0);
    json_decref(v);
}

Test(util_json, only_keys_names_the_stranger)
{
    static const char *const allowed[] = {"a", "b", NULL};
    json_t *v = json_pack("{s:i, s:i}", "a", 1, "zz", 2);
    cr_assert_eq(json_only_keys(v, allowed, "thing"), ACCORD_EINVAL);
    cr_assert_str_eq(accord_error_field(), "thing.zz");
    json_object_del(v, "zz");
    cr_assert_eq(json_only_keys(v, allowed, "thing"), 0);
    json_decref(v);
}

Test(util_json, get_string_checks_type_length_and_controls)
{
    json_t *v = json_pack("{s:i, s:s, s:s, s:s, s:n}", "n", 1, "long", "abcdef", "ctl", "a\x01z", "ok", "fine\n",
                          "null");
    const char *s;
    cr_assert_eq(json_get_string(v, "n", true, 10, &s), ACCORD_EINVAL);
    cr_assert_eq(json_get_string(v, "long", true, 5, &s), ACCORD_EINVAL);
    cr_assert_eq(json_get_string(v, "ctl", true, 10, &s), ACCORD_EINVAL);
    cr_assert_eq(json_get_string(v, "missing", true, 10, &s), ACCORD_EINVAL);
    cr_assert_str_eq(accord_error_field(), "missing");
    cr_assert_eq(json_get_string(v, "null", false, 10, &s), 0);
    cr_assert_null(s);
    cr_assert_eq(json_get_string(v, "ok", true, 10, &s), 0);
    cr_assert_str_eq(s, "fine\n");
    json_decref(v);
}

Test(util_json, get_int_checks_range)
{
    json_t *v = json_pack("{s:i, s:s}", "n", 50, "s", "7");
    int64_t x;
    cr_assert_eq(json_get_int(v, "n", true, 0, 10, 0, &x), ACCORD_EINVAL);
    cr_assert_eq(json_get_int(v, "s", true, 0, 10, 0, &x), ACCORD_EINVAL);
    cr_assert_eq(json_get_int(v, "n", true, 0, 100, 0, &x), 0);
    cr_assert_eq(x, 50);
    cr_assert_eq(json_get_int(v, "absent", false, 0, 100, 42, &x), 0);
    cr_assert_eq(x, 42);
    json_decref(v);
}
