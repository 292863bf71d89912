/* The JSON body reader (json_parse_object, what every API write reads)
 * and the canonical form the ledger hashes (json_canonical). Checks that
 * the canonical form is a fixed point: parsing it and writing it again
 * gives the same bytes, or two events could hash two ways. */
#include <stdio.h>

#include "fuzz.h"
#include "util/buf.h"
#include "util/json.h"

static void check_fixed_point(const buf *canon)
{
    json_t *again = NULL;
    buf twice;

    if (json_parse_object(canon->data, canon->len, &again) != 0) {
        fprintf(stderr, "the canonical form does not parse: %s\n", canon->data);
        abort();
    }
    buf_init(&twice, canon->len + 1);
    if (json_canonical(again, &twice) != 0 || twice.len != canon->len ||
        memcmp(twice.data, canon->data, canon->len) != 0) {
        fprintf(stderr, "canonical form is not stable:\n%s\n%s\n", canon->data, twice.data ? twice.data : "");
        abort();
    }
    buf_free(&twice);
    json_decref(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *obj = NULL;
    buf out;

    buf_init(&out, 4 * size + 64);
    if (json_parse_object((const char *)data, size, &obj) == 0) {
        static const char *const allowed[] = {"name", "date", "note", NULL};
        const char *s = NULL;
        int64_t n = 0;
        json_only_keys(obj, allowed, "fuzz");
        json_get_string(obj, "name", false, 200, &s);
        json_get_int(obj, "count", false, -1000, 1000, 0, &n);
        if (json_canonical(obj, &out) == 0)
            check_fixed_point(&out);
        json_decref(obj);
    }
    /* The input as one string value. */
    char *text = fuzz_cstring(data, size);
    buf_reset(&out);
    json_write_string(&out, text);
    free(text);
    buf_free(&out);
    return 0;
}
