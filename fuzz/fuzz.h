/* Shared by the libFuzzer targets in fuzz/: each target is one file with
 * LLVMFuzzerTestOneInput() and calls the modules only through their public
 * headers, so a module that moves is a one-line change here. */
#ifndef ACCORD_FUZZ_FUZZ_H
#define ACCORD_FUZZ_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* A NUL-terminated copy of the input (caller frees). The parsers that
 * take C strings see exactly the bytes before the first NUL, as they
 * would from libmicrohttpd or a file read into a buf. */
static inline char *fuzz_cstring(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        abort();
    if (size)
        memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

/* Splits the input at its first byte 'sep' into two NUL-terminated
 * strings (*a before it, *b after; *b empty when there is none). Frees
 * with one free(*a). */
static inline void fuzz_split(const uint8_t *data, size_t size, char sep, char **a, char **b)
{
    char *s = fuzz_cstring(data, size);
    char *at = memchr(s, sep, size);
    *a = s;
    if (at) {
        *at = '\0';
        *b = at + 1;
    } else {
        *b = s + size;
    }
}

#endif
