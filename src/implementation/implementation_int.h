/* Inside the implementation module: what implementation.c and
 * attachments.c share. Nothing outside src/implementation/ includes it. */
#ifndef ACCORD_IMPLEMENTATION_IMPLEMENTATION_INT_H
#define ACCORD_IMPLEMENTATION_IMPLEMENTATION_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "store/db.h"

/* The cycle exists, and 'party' is registered and was a participant in
 * 'slug' when the cycle opened (ERULE naming "party" otherwise). */
int implementation_cycle_participant(store *db, const char *slug, const char *cycle, const char *party);

/* Checks the "attachments" of draft 'data' by 'party': at most
 * IMPLEMENTATION_MAX_ATTACHMENTS {sha256, name} of files that 'party'
 * uploaded, each once; adds each file's media_type and size (and its
 * uploaded name when none is given), which its release makes public. */
int implementation_check_attachments(store *db, json_t *data, const char *party, bool replay);

/* Writes the report_attachment rows of the released version 'version' of
 * a report from its 'attachments' (may be NULL), at log index 'seq'. On
 * replay they come from the log: a malformed list is ACCORD_EVERIFY. */
int implementation_record_attachments(store *db, int64_t seq, const char *slug, const char *cycle, const char *party,
                                int64_t provision, int64_t version, const json_t *attachments);

/* The opening date of 'cycle' of 'slug' into 'opens' (ENOTFOUND naming
 * "cycle" when there is no such cycle). */
int implementation_cycle_opens(store *db, const char *slug, const char *code, char opens[11]);

/* Adds to 'report' each Markdown field's safe HTML rendering beside it
 * ("<field>_html"). */
int implementation_report_html(json_t *report);

#endif
