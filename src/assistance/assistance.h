/* Capacity-building and coordination: who helps whom with what, where.
 *
 * Entities (UN entities, other organizations, states as providers,
 * donors) and their offices (headquarters or field, "unodc/almaty");
 * assistance needs of beneficiary states, offers of help, and activities
 * (the 3W/4W record: who does what where when). Each carries tags from
 * linked frameworks: provisions of an instrument, a DAC 5-digit sector as
 * its thematic area, UN SDG targets (the IATI UNSDG-Targets codelist),
 * the four pillars of the UN Global Counter-Terrorism Strategy
 * (A/RES/60/288) and Security Council resolutions. Provisions themselves
 * are linked to those frameworks by framework.linked, each link with a
 * source. Meetings and ceremonies record who presented or spoke in an
 * official capacity, as published.
 *
 * Every change is an event (events/). A need's access level is public,
 * providers (coordinators and depositary staff) or restricted (the state
 * and the secretariat): a non-public need is a restricted event, so the
 * public log holds only its commitment, its id and its access level; its
 * content stays in the private need_private table. Read views take the
 * viewer (decided by the HTTP access layer) and show only what it may see.
 *
 * Records from a synthetic data set carry "synthetic": true everywhere
 * they appear. */
#ifndef ACCORD_ASSISTANCE_ASSISTANCE_H
#define ACCORD_ASSISTANCE_ASSISTANCE_H

#include <jansson.h>
#include <stdbool.h>

#include "events/events.h"
#include "store/db.h"
#include "util/buf.h"

#define ASSISTANCE_MAX_TEXT 20000 /* bytes of Markdown in a need, offer or activity */
#define ASSISTANCE_MAX_TAGS 32    /* items in one tag list */

/* What a caller may see of the needs. */
typedef struct assistance_viewer {
    bool all;             /* every need: admins, the depositary (secretariat), reviewers */
    bool providers;       /* needs at the 'providers' level: coordinators and depositary staff */
    const char *party;    /* a focal point's party: all of its own needs; NULL for none */
} assistance_viewer;

/* The anonymous viewer: public needs only. */
extern const assistance_viewer ASSISTANCE_PUBLIC;

/* Filters of the list and coordination views; any field may be NULL. */
typedef struct assistance_filter {
    const char *country;   /* ISO 3166-1 alpha-3 beneficiary */
    const char *entity;    /* an entity ("unodc": with its offices) or one office ("unodc/almaty") */
    const char *group;     /* a group's members and observers as at today */
    const char *region;    /* an M49 region, subregion or intermediate region (code or name) */
    const char *status;    /* activities: pipeline, implementation, completed, cancelled, suspended */
    const char *access;    /* needs: public, providers, restricted */
} assistance_filter;

/* ---- read views: each returns a new JSON value in '*out' (caller decrefs) */

int assistance_entities(store *db, const assistance_filter *f, json_t **out);
/* One entity with its offices and what each does where. */
int assistance_entity(store *db, const char *code, json_t **out);
int assistance_offices(store *db, const assistance_filter *f, json_t **out);
int assistance_needs(store *db, const assistance_viewer *v, const assistance_filter *f, json_t **out);
/* One need, with its text rendered to HTML. Fails ACCORD_ENOTFOUND when
 * there is none or 'v' may not see it (the two look the same). */
int assistance_need(store *db, const assistance_viewer *v, const char *id, json_t **out);
/* The access level and beneficiary of need 'id' (for the access layer);
 * 'party' gets "" for a need whose beneficiary is not public to anyone
 * but those who may see it. */
int assistance_need_access(store *db, const char *id, char access[16], char party[16]);
int assistance_offers(store *db, const assistance_filter *f, json_t **out);
int assistance_activities(store *db, const assistance_viewer *v, const assistance_filter *f, json_t **out);
/* The offers that could answer need 'id', best first, each with its score
 * and the reasons (shared provisions, thematic area, country or region,
 * languages, period). */
int assistance_matches(store *db, const assistance_viewer *v, const char *id, json_t **out);
/* For one country: its needs, the offers that could serve them and the
 * activities, per provision. */
int assistance_country(store *db, const assistance_viewer *v, const char *country, json_t **out);
/* Needs with no activity; provisions with needs in several countries and
 * few providers; countries with needs and no office covering them. */
int assistance_gaps(store *db, const assistance_viewer *v, const assistance_filter *f, json_t **out);
/* Pairs of activities of different entities on the same provision in the
 * same country with overlapping periods. */
int assistance_overlaps(store *db, const assistance_filter *f, json_t **out);
/* Per state and provision: whether assistance is requested (a need the
 * viewer may see names it) and under way (an activity in pipeline or
 * implementation names it), with the ids, and "synthetic" when a record
 * behind it is synthetic; sorted by state, provision. */
int assistance_matrix(store *db, const assistance_viewer *v, const assistance_filter *f, json_t **out);
/* What each office of an entity (or the one office) does where. */
int assistance_by_entity(store *db, const char *entity, json_t **out);
/* Everything linked to one framework item: 'framework' is sdg, gcts or
 * unsc; 'code' e.g. "16.a", "3", "2396". */
int assistance_framework_item(store *db, const assistance_viewer *v, const char *framework, const char *code,
                              json_t **out);
/* The meetings and ceremonies, by date; with 'party', those it organized,
 * took part in as a listed participant, or at which one of its recorded
 * actions happened (an action naming the event). */
int assistance_meetings(store *db, const char *party, json_t **out);

/* Fills a new need's data from a party's report on one provision: the
 * released report's assistance_needs text, else the latest draft's. Adds
 * "body", "instrument", "provisions" and "origin" to 'need' (borrowed). */
int assistance_need_from_report(store *db, const char *instrument, const char *cycle, const char *party,
                                long long provision, json_t *need);

/* The event type that records 'need' ('need.recorded' for a public need,
 * 'need.held' for the others). */
const char *assistance_need_event(const json_t *need);

/* Links need 'need' to an offer: builds in '*out' (new; the caller
 * decrefs) the data of the activity.recorded event that records the link,
 * for the caller to submit as that event (the API's
 * POST /api/v1/assistance/needs/{need}/links and the workspace alike).
 * 'link' (borrowed) is {"offer" (required), "planned_start" (required by
 * the applier), and optionally "id", "title", "body", "implementing" (the
 * offer's provider, the default, or one of its offices), "programming",
 * "funder", "subdivision", "status" (default "pipeline"), "planned_end",
 * "actual_start", "actual_end", "meeting", and "instrument", "provisions",
 * "thematic", "sdg", "gcts", "unsc" (replacing the offer's)}. The activity
 * names the need in "needs" and the offer in "offer", is in the need's
 * state, and takes its title and tags from the offer, never from the
 * need, so that a need that is not public never reaches the public log
 * through its link. It is synthetic when the offer or the need is.
 * Access is not checked here (the route rule decides it); the fields are
 * validated by the applier when the event is submitted. Fails
 * ACCORD_ENOTFOUND for an unknown need or offer, or a held need whose
 * content is not in this database; ACCORD_EINVAL for an unknown field or
 * an implementing code not of the offer's provider. Submitting the
 * result fails ACCORD_ECONFLICT when another activity already links the
 * need to the offer (the applier decides, inside the transaction); naming
 * that activity in "id" records it again. */
int assistance_link(store *db, const char *need, const json_t *link, json_t **out);

/* ---- open formats (pure: JSON in, bytes out) ------------------------------ */

/* The HXL CSV of a list view: 'kind' is entities, offices, needs, offers,
 * activities, gaps or overlaps; 'rows' the view's array. */
int assistance_hxl(const char *kind, const json_t *rows, buf *out);

/* IATI 2.03 iati-activities XML of 'activities' (the activities view),
 * generated at 'now' (RFC 3339). */
int assistance_iati(const json_t *activities, const char *now, buf *out);

/* ---- loading -------------------------------------------------------------- */

/* Loads an assistance data file (docs/internals/assistance.md: entities,
 * offices, framework links, meetings, needs, offers, activities) as
 * events by 'who' in one transaction; the number of events goes to
 * '*events'. A file whose top-level "synthetic" is true marks every
 * record synthetic. */
int assistance_load_file(store *db, const actor *who, const char *path, int *events);

#endif
