/* Inside the http module: what the server (server.c) hands the request
 * accessors (request.c) when it starts. Only src/http/ includes this. */
#ifndef ACCORD_HTTP_HTTP_INT_H
#define ACCORD_HTTP_HTTP_INT_H

#include <stdbool.h>

#include "events/committer.h"

/* The group committer that http_submit_event() and http_run_writes() use
 * (borrowed until the server stops; NULL then), and whether session
 * cookies are marked Secure (http_secure_cookies). */
void http_requests_setup(committer *writer, bool secure_cookies);

#endif
