/* util-base64: strict standard base64. */
#include <criterion/criterion.h>
#include <sodium.h>
#include <string.h>

#include "util/base64.h"

static void setup(void)
{
    cr_assert(sodium_init() >= 0);
}

TestSuite(util_base64, .init = setup);

static bool decode(const char *s, uint8_t *out, size_t cap, size_t *got)
{
    return base64_decode_strict(s, strlen(s), out, cap, got);
}

Test(util_base64, decodes_the_canonical_form)
{
    uint8_t out[8];
    size_t got = 99;
    cr_assert(decode("", out, sizeof out, &got));
    cr_assert_eq(got, 0u);
    cr_assert(decode("AAEC", out, sizeof out, &got));
    cr_assert_eq(got, 3u);
    cr_assert(out[0] == 0 && out[1] == 1 && out[2] == 2);
    cr_assert(decode("/+8=", out, sizeof out, &got));
    cr_assert_eq(got, 2u);
    cr_assert(out[0] == 0xff && out[1] == 0xef);
}

/* Found by fuzz/fuzz_checkpoint: libsodium 1.0.18 decodes any byte from
 * 0x80 up as a base64 symbol, so each of these gave bytes. */
Test(util_base64, refuses_bytes_outside_the_alphabet)
{
    uint8_t out[64];
    size_t got = 99;
    const char *bad[] = {"AA\x80\x80", "AAAAA\xc3\xbd" "A=", "AAAA\xff\xff\xff\xff",
                         "AAECAwQFBgcICQoLDA0ODxACAwOUFRYX\303\275khGxwdHh8="};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cr_assert_not(decode(bad[i], out, sizeof out, &got), "case %zu", i);
        cr_assert_eq(got, 0u);
    }
}

Test(util_base64, refuses_loose_spellings)
{
    uint8_t out[64];
    size_t got;
    const char *bad[] = {"AAE", "AAE=A", "AA E", "AAE\n", "AA-_", "AAF=", "AAECAw==AAAA"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_assert_not(decode(bad[i], out, sizeof out, &got), "case %zu: %s", i, bad[i]);
    cr_assert_not(decode("AAECAw==", out, 3, &got), "4 bytes do not fit in 3");
}
