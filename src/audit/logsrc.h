/* Reading a published log: over HTTP(S) from a running server, or from a
 * directory holding a copy of its tlog-tiles layout (the files under
 * /log/: checkpoint, tile/<L>/<N>, tile/entries/<N>).
 *
 * Auditors use this to check a log without trusting its operator: every
 * byte read here is verified by the caller against the signed checkpoint. */
#ifndef ACCORD_AUDIT_LOGSRC_H
#define ACCORD_AUDIT_LOGSRC_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

typedef struct logsrc logsrc;

/* Opens 'where': an http:// or https:// URL of the server (its /log/ is
 * used; a URL already ending in /log/ is taken as is) or a directory.
 * Fails ACCORD_EENV when a directory has no checkpoint file. */
int logsrc_open(logsrc **out, const char *where);

/* Reads 'path' (relative to the log root, e.g. "checkpoint") into 'out',
 * at most 'cap' bytes. Fails ACCORD_ENOTFOUND when it does not exist,
 * ACCORD_ETOOBIG past the cap, ACCORD_EENV when it cannot be fetched. */
int logsrc_get(logsrc *s, const char *path, size_t cap, buf *out);

/* Number of requests or file reads made so far. */
uint64_t logsrc_fetches(const logsrc *s);

void logsrc_close(logsrc *s);

#endif
