/* util-json: canonical serialization and field readers. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
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

/* json_write_indented() writes exactly what json_dumps() with the
 * server's flags writes, value for value: escapes (uppercase \u00XX, the
 * short ones, '/' and DEL left alone), UTF-8 passed through, empty
 * containers, nesting, key order as inserted, integers and reals. */
static void same_as_jansson(json_t *v)
{
    char *want = json_dumps(v, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
    cr_assert_not_null(want);
    buf b;
    buf_init(&b, 1 << 20);
    cr_assert_eq(json_write_indented(v, &b), 0, "%s", accord_error_message());
    cr_assert_str_eq(b.data, want);
    cr_assert_eq(b.len, strlen(want));
    buf_free(&b);
    free(want);
    json_decref(v);
}

Test(util_json, writes_answers_as_jansson_does)
{
    same_as_jansson(json_pack("{s:s, s:s#, s:[], s:{}, s:[I,b,b,n,f,f], s:{s:[{},[]]}, s:s}", "z first",
                              "x\x01y\x1f\x7f\"\\/\b\f\n\r\t é 中 😀", "nul", "a\0b", (size_t)3, "empty array",
                              "empty object", "list", (json_int_t)-9007199254740993LL, 1, 0, 2.5, 1e300, "deep",
                              "k", "a key with \"quotes\" and \\", "value"));
    json_t *order = json_object();
    for (int i = 30; i > 0; i--) {
        char key[16];
        snprintf(key, sizeof key, "k%d", i);
        json_object_set_new(order, key, json_integer(i));
    }
    same_as_jansson(order);
    /* Deeper than the indentation the writer keeps at hand. */
    json_t *deep = json_string("bottom");
    for (int i = 0; i < 80; i++)
        deep = json_pack("{s:o}", "level", deep);
    same_as_jansson(deep);
    same_as_jansson(json_string("a bare string"));
    same_as_jansson(json_integer(0));
}

Test(util_json, the_indented_form_refuses_what_jansson_refuses_and_keeps_its_cap)
{
    json_t *bad = json_stringn_nocheck("\xc3\x28", 2);
    buf b;
    buf_init(&b, 1 << 20);
    cr_assert_eq(json_write_indented(bad, &b), ACCORD_EINVAL);
    cr_assert_null(json_dumps(bad, JSON_ENCODE_ANY), "jansson writes no invalid UTF-8 either");
    json_decref(bad);
    buf_free(&b);
    json_t *big = json_pack("{s:s}", "text", "more than sixteen bytes");
    buf_init(&b, 16);
    cr_assert_eq(json_write_indented(big, &b), ACCORD_ETOOBIG);
    buf_free(&b);
    json_decref(big);
}
