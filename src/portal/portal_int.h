/* Inside the portal: what the page files share (pages.c, log_pages.c,
 * feed.c). */
#ifndef ACCORD_PORTAL_PORTAL_INT_H
#define ACCORD_PORTAL_PORTAL_INT_H

#include <jansson.h>

#include "http/http.h"
#include "web/web.h"

/* One page request: its language and what follows /{lang}/. */
typedef struct portal_page {
    http_req *req;
    const web_lang *lang;
    const char *rest;   /* "instruments/code-of-conduct"; "" for the home page */
} portal_page;

/* The model every page starts from (new object): language, direction,
 * title, stylesheet, permalink, the other five versions (hreflang) and the
 * draft-translation note. 'query' is the page's own query ("as_of=..."),
 * kept in its permalink and its other-language links; may be "". */
json_t *portal_base(const portal_page *pg, const char *title, const char *query);

/* Renders template 'name' with 'model' (taken) as the answer. */
int portal_render(const portal_page *pg, const char *name, json_t *model);

/* Adds to 'obj' key "<key>_text": the date at 'key' written in the page's
 * language. */
void portal_dress_date(const portal_page *pg, json_t *obj, const char *key);

/* Adds "display", "display_lang" and "href" to a party object ({"code",
 * "kind", "name"}): the name in the page's language where one is known,
 * else the recorded one marked with the language it is recorded in. */
void portal_dress_party(const portal_page *pg, json_t *party);

/* 'n' as text in the page's language (new JSON string). */
json_t *portal_number(const portal_page *pg, long long n);

/* The words a page shows before a reported count, from its recorded
 * qualifier ("more than", "about", "at least", "exactly", "fewer than"):
 * in the page's language where there is a translation, else as recorded,
 * so that "more than 70" never reads as "70". "" for exactly or none. */
const char *portal_qualifier_label(const portal_page *pg, const char *qualifier);

int portal_log_page(const portal_page *pg);

/* The charts (chart_models.c), each a new object in '*out' with its labels
 * in the page's language: the map of participation in 'slug' as at
 * 'as_of' from its 'status' (every state participating, withdrawn or
 * not, territories as not a state; names, the lists beside it and the
 * count of UN members), the timeline of recorded participants with the
 * reported totals up to 'as_of', and the trajectory chart of
 * 'trajectory' (implementation_trajectory()'s answer). */
int portal_map_model(const portal_page *pg, const char *slug, const char *as_of, const json_t *status, json_t **out);
int portal_timeline_model(const portal_page *pg, const char *slug, const char *as_of, json_t **out);
int portal_trajectory_model(const portal_page *pg, const json_t *trajectory, json_t **out);

/* Renders the page at 'rest' (what follows /{lang}/) into req->text.
 * With req->conn NULL the page is rendered for the static copy: no query
 * parameters, and no links to the live API. */
int portal_page_render(http_req *req, const web_lang *lang, const char *rest);
int portal_log_entry_page(const portal_page *pg, const char *index);

/* Capacity-building and coordination (assistance_pages.c), public needs
 * only: a country's needs and what answers them, gaps and overlaps
 * (?region=, ?group=), what an entity or office does where, and what is
 * linked to one framework item (sdg, gcts, unsc). */
int portal_assistance_country_page(const portal_page *pg, const char *code);
int portal_assistance_gaps_page(const portal_page *pg);
int portal_assistance_entity_page(const portal_page *pg, const char *entity);
int portal_assistance_framework_page(const portal_page *pg, const char *framework, const char *code);

/* The recorded events (meetings, ceremonies) dressed for the page, as a
 * new array in '*out': those 'party' presented or spoke at (NULL: all),
 * and of those, the ones concerning instrument 'slug' (NULL: any). */
int portal_events_model(const portal_page *pg, const char *party, const char *slug, json_t **out);

#endif
