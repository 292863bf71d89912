/* Reference data files shipped with accord in data/ (the UN M49 regions),
 * found the same way by every command, the server and the tests.
 *
 * Where: $ACCORD_DATA_DIR when it is set (and only there), else the data/
 * directory of the source tree the program was built from (running from
 * the build directory, `make run`, the tests and benchmarks), else the
 * installed copy in <prefix>/share/accord. */
#ifndef ACCORD_UTIL_DATADIR_H
#define ACCORD_UTIL_DATADIR_H

#include <stddef.h>

/* Writes into 'out' ('len' bytes) the path of the first existing copy of
 * data file 'name' ("un-m49.json"). Fails ACCORD_EENV with a message
 * listing every place tried when there is none. */
int datadir_find(const char *name, char *out, size_t len);

#endif
