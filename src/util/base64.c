/* Strict base64 on top of libsodium. See base64.h. */
#include "util/base64.h"

#include <sodium.h>

/* True when every byte is of the standard alphabet or padding: what
 * libsodium does not check for bytes >= 0x80. */
static bool alphabet_only(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/' ||
              c == '='))
            return false;
    }
    return true;
}

bool base64_decode_strict(const char *s, size_t len, uint8_t *out, size_t cap, size_t *got)
{
    *got = 0;
    if (!alphabet_only(s, len) ||
        sodium_base642bin(out, cap, s, len, NULL, got, NULL, sodium_base64_VARIANT_ORIGINAL) != 0) {
        *got = 0;
        return false;
    }
    return true;
}
