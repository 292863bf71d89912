/* The depositary: dated actions of parties on instruments (signature,
 * endorsement, accession, ... withdrawal), their numbered notifications,
 * reported totals, and the views built on them: status as at a date and
 * group coverage.
 *
 * Writes go through events (action.recorded, reported_total.recorded,
 * gap.recorded); the rules an action must obey are checked by its
 * applier, inside the write transaction. */
#ifndef ACCORD_DEPOSITARY_DEPOSITARY_H
#define ACCORD_DEPOSITARY_DEPOSITARY_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "store/db.h"
#include "util/buf.h"

/* True for the action types accord records. */
bool depositary_action_type_valid(const char *type);

/* Status of instrument 'slug' as at 'as_of' (NULL: today): participants
 * with their actions and sources, endorsements, former participants,
 * recorded counts beside the latest reported total. New object in '*out'. */
int depositary_status(store *db, const char *slug, const char *as_of, json_t **out);

/* Calls 'each' with the code, kind and name (as at 'as_of') of every
 * participant of 'slug' as at 'as_of', by code (states, then
 * organizations): the same set as depositary_status() lists, from one
 * query, for views that need only who participates (the implementation
 * matrix). The strings are borrowed for the call. Stops at, and returns,
 * the first non-zero value 'each' returns. */
typedef int (*depositary_participant_fn)(void *arg, const char *code, const char *kind, const char *name);
int depositary_each_participant(store *db, const char *slug, const char *as_of, depositary_participant_fn each,
                                void *arg);

/* The recorded participants of 'slug' over time, up to 'to' (NULL:
 * today): {"counts": [{"date", "count", "states", "organizations",
 * "territories"}] with
 * one entry per date on which the count changed, in date order (the count
 * holds from that date on), "reported": [{"as_of", "qualifier", "count",
 * "source_title", "source_url"}] every reported total on or before 'to',
 * in date order}. The counts follow the rule of depositary_status(): a
 * party's latest deciding action decides. New object in '*out'. */
int depositary_participant_counts(store *db, const char *slug, const char *to, json_t **out);

/* Within a participant entry of a status view, the action that made the
 * party a participant (borrowed), or NULL. */
json_t *depositary_joining_action(const json_t *participant);

/* Whether 'party' participates in 'slug' on 'date': its latest joining or
 * withdrawal action on or before the date decides. */
int depositary_participates(store *db, const char *slug, const char *party, const char *date, bool *out);

/* The participants of a status view as CSV rows (header first), one row
 * per participant, appended to 'out'. */
int depositary_status_csv(const json_t *status, buf *out);

/* Every action on 'slug', in date order (then recording order). */
int depositary_list_actions(store *db, const char *slug, json_t **out);

/* The action written by log entry 'seq'. */
int depositary_action_by_seq(store *db, uint64_t seq, json_t **out);

/* The depositary notifications of 'slug': number, date and text. */
int depositary_list_notifications(store *db, const char *slug, json_t **out);

/* Every action by party 'code', across instruments. */
int depositary_party_actions(store *db, const char *code, json_t **out);

/* Group coverage: members and observers of 'group' as at 'as_of', and,
 * when 'slug' is given, who of them participated in it by then. */
int depositary_group_coverage(store *db, const char *group, const char *slug, const char *as_of, json_t **out);

#endif
