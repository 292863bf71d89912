/* The public portal: server-rendered HTML pages over the same module
 * functions the API handlers call, in the six UN languages, plus the
 * stylesheet and the Atom feed of depositary notifications.
 *
 * Pages live under /{lang}/ (ar, zh, en, fr, ru, es); "/" sends a
 * browser to the language its Accept-Language prefers. The route table
 * (http/routes.c) sends every such path to portal_dispatch(), which
 * finds the page from the rest of the path. */
#ifndef ACCORD_PORTAL_PORTAL_H
#define ACCORD_PORTAL_PORTAL_H

#include "http/http.h"

/* GET /: redirects to /{lang}/ negotiated from Accept-Language. */
int portal_root(http_req *req);

/* GET /{lang}/ and /{lang}/{*} (a pair of routes per language): every
 * page of the portal. */
int portal_dispatch(http_req *req);

/* GET /static/{file}: the stylesheet, cached for a year (its name
 * carries its hash). */
int portal_static(http_req *req);

/* GET /feeds/notifications.atom: every instrument's depositary
 * notifications as an Atom 1.0 feed, newest first. */
int portal_atom(http_req *req);

/* The feed's XML into 'out' (portal_atom's body; also the site export's). */
int portal_atom_feed(store *db, buf *out);

/* Writes the public portal into directory 'dir' as static files with
 * relative links: every page in every language (as of today), the
 * stylesheet, the Atom feed and the status and matrix downloads. The
 * log's checkpoint and tiles are written by the caller (accord log
 * export). Adds the number of files written to '*files'. */
int portal_site_export(store *db, const char *dir, unsigned long *files);

#endif
