/* SHA-256 against the FIPS 180-4 example vectors, and against libsodium's
 * independent implementation for inputs of every length up to a few blocks
 * split into parts at every point. */
#include <criterion/criterion.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "util/sha256.h"

static void expect_hex(const uint8_t digest[SHA256_SIZE], const char *hex)
{
    char got[2 * SHA256_SIZE + 1];
    sodium_bin2hex(got, sizeof got, digest, SHA256_SIZE);
    cr_assert_str_eq(got, hex);
}

Test(sha256, fips_180_examples)
{
    uint8_t d[SHA256_SIZE];
    sha256(d, "", 0);
    expect_hex(d, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    sha256(d, "abc", 3);
    expect_hex(d, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const char *two_blocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    sha256(d, two_blocks, strlen(two_blocks));
    expect_hex(d, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    size_t million = 1000000;
    char *a = malloc(million);
    cr_assert_not_null(a);
    memset(a, 'a', million);
    sha256(d, a, million);
    free(a);
    expect_hex(d, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

Test(sha256, parts_hash_as_their_concatenation)
{
    cr_assert_eq(sodium_init() < 0, false);
    uint8_t input[300];
    randombytes_buf(input, sizeof input);
    for (size_t len = 0; len <= sizeof input; len += 7) {
        uint8_t want[crypto_hash_sha256_BYTES], whole[SHA256_SIZE];
        crypto_hash_sha256(want, input, len);
        sha256(whole, input, len);
        cr_assert_arr_eq(whole, want, SHA256_SIZE, "length %zu", len);
        for (size_t cut = 0; cut <= len; cut += 13) {
            uint8_t split[SHA256_SIZE];
            const sha256_part parts[] = {{input, cut}, {NULL, 0}, {input + cut, len - cut}};
            sha256_parts(split, parts, 3);
            cr_assert_arr_eq(split, want, SHA256_SIZE, "length %zu cut at %zu", len, cut);
        }
    }
}
