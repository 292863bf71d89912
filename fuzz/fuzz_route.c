/* The route matcher (http/routes.c) on the method and the decoded path
 * libmicrohttpd hands it. Input: "<method> <path>". Each parameter of
 * the route it finds must be captured non-empty, NUL-terminated and
 * inside the scratch. */
#include <stdio.h>

#include "fuzz.h"
#include "http/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *method, *path;
    char scratch[512], methods[256];
    const char *params[HTTP_MAX_PARAMS] = {0};
    bool path_known = false;

    fuzz_split(data, size, ' ', &method, &path);
    const http_route *r = http_route_match(method, path, scratch, sizeof scratch, params, &path_known);
    size_t nparams = 0;
    for (const char *c = r ? r->pattern : ""; *c; c++)
        nparams += *c == '{';
    for (size_t i = 0; i < nparams; i++) {
        if (!params[i] || params[i] < scratch || params[i] >= scratch + sizeof scratch || !params[i][0] ||
            memchr(params[i], '\0', (size_t)(scratch + sizeof scratch - params[i])) == NULL) {
            fprintf(stderr, "parameter %zu escapes the scratch\n", i);
            abort();
        }
    }
    http_route_methods(path, methods, sizeof methods);
    free(method);
    return 0;
}
