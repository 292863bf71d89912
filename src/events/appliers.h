/* Private to the events module: the appliers that write public tables.
 * Only src/events/events.c includes this header; every other module
 * changes state through events_append()/events_submit().
 *
 * An applier validates 'data' against the current state, fails with a
 * precise error (ACCORD_EINVAL, ACCORD_ENOTFOUND, ACCORD_ECONFLICT,
 * ACCORD_ERULE) naming the field, and writes rows stamped with 'seq'.
 * With 'replay' set, derived fields already in 'data' are checked instead
 * of filled in. */
#ifndef ACCORD_EVENTS_APPLIERS_H
#define ACCORD_EVENTS_APPLIERS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "store/db.h"

typedef int (*event_applier)(store *db, int64_t seq, json_t *data, bool replay);

int registry_apply_party_registered(store *db, int64_t seq, json_t *data, bool replay);
int registry_apply_party_renamed(store *db, int64_t seq, json_t *data, bool replay);
int registry_apply_party_classified(store *db, int64_t seq, json_t *data, bool replay);
int registry_apply_group_created(store *db, int64_t seq, json_t *data, bool replay);
int registry_apply_membership_recorded(store *db, int64_t seq, json_t *data, bool replay);
int registry_apply_instrument_created(store *db, int64_t seq, json_t *data, bool replay);
int registry_apply_provision_recorded(store *db, int64_t seq, json_t *data, bool replay);

int depositary_apply_action_recorded(store *db, int64_t seq, json_t *data, bool replay);
int depositary_apply_reported_total_recorded(store *db, int64_t seq, json_t *data, bool replay);
int depositary_apply_gap_recorded(store *db, int64_t seq, json_t *data, bool replay);

int implementation_apply_cycle_opened(store *db, int64_t seq, json_t *data, bool replay);
int implementation_apply_report_drafted(store *db, int64_t seq, json_t *data, bool replay);
int implementation_apply_report_submitted(store *db, int64_t seq, json_t *data, bool replay);
int implementation_apply_submission_public(store *db, int64_t seq, json_t *fields, bool replay);
int implementation_apply_report_released(store *db, int64_t seq, json_t *data, bool replay);
int implementation_apply_report_returned(store *db, int64_t seq, json_t *data, bool replay);
int implementation_apply_return_public(store *db, int64_t seq, json_t *fields, bool replay);
int implementation_apply_report_rated(store *db, int64_t seq, json_t *data, bool replay);
int implementation_apply_attachment_stored(store *db, int64_t seq, json_t *data, bool replay);

int assistance_apply_entity_recorded(store *db, int64_t seq, json_t *data, bool replay);
int assistance_apply_office_recorded(store *db, int64_t seq, json_t *data, bool replay);
int assistance_apply_framework_linked(store *db, int64_t seq, json_t *data, bool replay);
int assistance_apply_need_recorded(store *db, int64_t seq, json_t *data, bool replay);
int assistance_apply_need_held(store *db, int64_t seq, json_t *data, bool replay);
int assistance_apply_need_held_public(store *db, int64_t seq, json_t *fields, bool replay);
int assistance_apply_offer_recorded(store *db, int64_t seq, json_t *data, bool replay);
int assistance_apply_activity_recorded(store *db, int64_t seq, json_t *data, bool replay);
int assistance_apply_meeting_recorded(store *db, int64_t seq, json_t *data, bool replay);

#endif
