/* Implementation tracking: reporting cycles and the parties' reports on
 * each provision.
 *
 * A cycle (cycle.opened) is public. A report draft (report.drafted) is a
 * restricted event: the public log holds only its commitment and who it
 * is about (instrument, cycle, party, provision); the content stays in the
 * private report_draft table until its party releases it.
 *
 * Workflow: draft (any number of versions) -> report.submitted (restricted:
 * the public log shows which version was submitted, and a public table
 * records the fact; no new draft until it is returned) -> report.released
 * (public: the submitted text enters the log and the report table).
 * A reviewer returns a submitted report with comments (report.returned:
 * restricted, the fact public; the party may then draft again) or rates it
 * (report.rated: public; a re-rating adds to the history). */
#ifndef ACCORD_IMPLEMENTATION_IMPLEMENTATION_H
#define ACCORD_IMPLEMENTATION_IMPLEMENTATION_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "store/db.h"
#include "util/buf.h"

#define IMPLEMENTATION_MAX_NARRATIVE 20000 /* bytes of Markdown */
#define IMPLEMENTATION_MAX_EVIDENCE 50
#define IMPLEMENTATION_MAX_REPORT 60000 /* bytes of a report's JSON: its release event must stay under 65,535 */
#define IMPLEMENTATION_MAX_ATTACHMENTS 20 /* files attached to one report */

/* The self-assessed statuses a report may take. */
#define IMPLEMENTATION_STATUSES \
    "not_started, planned, in_progress, substantially_implemented, implemented, not_applicable"

/* The ordinal scale of reviewers' ratings, best first. */
#define IMPLEMENTATION_RATINGS "implemented, largely_implemented, partly_implemented, not_implemented"

/* The ratings of a cycle: per party and provision the latest, with its
 * history. Public. */
int implementation_ratings(store *db, const char *slug, const char *cycle, json_t **out);

/* The matrix of 'slug' as at 'as_of': a row per participant, ordered by
 * party code (states, then organizations), with its UN M49 region,
 * subregion and intermediate region ({"code", "name"} or null), and a cell
 * per provision with the latest rating made by the end of 'as_of' (in
 * 'cycle' when given; "not_rated" if none) and the latest released
 * self-assessment; counts per rating class, overall and per provision.
 * 'group' keeps only its members and observers as at 'as_of'; 'region'
 * (an M49 code or name, see registry_m49_region()) only the states within
 * it. Each of 'cycle', 'group' and 'region' may be NULL. Fails
 * ACCORD_ENOTFOUND for an unknown instrument, cycle, group or region.
 * Public. Appended to 'out' as JSON text (the one view written as text:
 * it is the largest, and a tree of values cost more than the query). */
int implementation_matrix(store *db, const char *slug, const char *cycle, const char *group, const char *region,
                          const char *as_of, buf *out);

/* implementation_matrix() as a JSON value, for the exports that turn it
 * into a table. Caller decrefs '*out'. */
#define IMPLEMENTATION_MAX_MATRIX_TEXT ((size_t)256 << 20)
int implementation_matrix_json(store *db, const char *slug, const char *cycle, const char *group, const char *region,
                               const char *as_of, json_t **out);

/* Summaries of the matrix of 'slug' as at 'as_of' (in 'cycle' when given),
 * 'by' "group" (every group in the registry, over its members and
 * observers as at 'as_of' that participate) or "region" (each UN M49
 * region and subregion with participants; participants without one are
 * counted under "without_region"): participants, counts per rating class,
 * the share of cells rated implemented, and counts per provision. Computed
 * from the same grid as the matrix. Public. */
int implementation_summary(store *db, const char *slug, const char *by, const char *cycle, const char *as_of,
                           json_t **out);

/* For each year from the opening to 'today': the share of matrix cells
 * rated "implemented" against the straight path to 1 in the goal year,
 * labelled on track or off track. Public. */
int implementation_trajectory(store *db, const char *slug, const char *today, json_t **out);

/* The opening and due dates of cycle 'cycle' of 'slug'; fails
 * ACCORD_ENOTFOUND naming "cycle" (or "slug" for an unknown instrument). */
int implementation_cycle_dates(store *db, const char *slug, const char *cycle, char opens[11], char due[11]);

/* True if 's' is one of IMPLEMENTATION_STATUSES. */
bool implementation_status_valid(const char *s);

/* The cycles of 'slug' with their dates, as a JSON array. */
int implementation_list_cycles(store *db, const char *slug, json_t **out);

/* Who of the participants (as at the cycle's opening) has submitted, who
 * is due and who is overdue on 'today'. Public. */
int implementation_progress(store *db, const char *slug, const char *cycle, const char *today, json_t **out);

/* The released reports of a cycle, with their content. Public. */
int implementation_released(store *db, const char *slug, const char *cycle, json_t **out);

/* The latest draft of each provision by 'party' in a cycle (private). */
int implementation_drafts(store *db, const char *slug, const char *cycle, const char *party, json_t **out);

/* Where each provision's report by 'party' in a cycle stands, one object
 * per provision of 'slug' in order: {"provision", "title", "version" (the
 * latest draft's, 0 for none), "state"}, the state being "no_draft",
 * "draft", "submitted", "returned" (its latest version was returned with
 * comments), "rated" (with "rating", the latest) or "released". Private:
 * for the party's focal point, an admin or a reviewer. */
int implementation_report_states(store *db, const char *slug, const char *cycle, const char *party, json_t **out);

/* The reviewers' queue: the latest submitted version of every report in
 * every cycle, oldest submission first: {instrument, cycle, party,
 * provision, version, submitted_at, state} where the state is
 * "submitted" (awaiting review), "returned", "rated" (with "rating", the
 * latest) or "released". Private: reviewers and admins. The caller owns
 * '*out'. */
int implementation_review_queue(store *db, json_t **out);

/* A report's history: {"versions": [{version, status, at, submitted}],
 * "reviews": [{version, outcome, at, comments | rating, rationale}]},
 * each oldest first. The comments of a return are private: for the
 * party's focal point, reviewers and admins. The caller owns '*out'. */
int implementation_report_history(store *db, const char *slug, const char *cycle, const char *party,
                                  int64_t provision, json_t **out);

/* The content of version 'version' of a report as its draft recorded it,
 * with the HTML of its Markdown fields; ENOTFOUND naming "version" when
 * there is none. Private. The caller owns '*out'. */
int implementation_report_version(store *db, const char *slug, const char *cycle, const char *party,
                                  int64_t provision, int64_t version, json_t **out);

/* Attachments. A party's focal point uploads a file (attachment.stored, a
 * restricted event: the public log shows only the instrument, cycle and
 * party), names it in a draft's "attachments" by its SHA-256, and its
 * release makes the file's hash, name, type and size public. */

/* The name under which 'party' (any party when NULL) last uploaded the
 * file 'sha256', into 'name'. Fails ACCORD_ENOTFOUND when it did not.
 * Private: for the party's focal point, an admin or a reviewer. */
int implementation_upload_name(store *db, const char *party, const char *sha256, char *name, size_t len);

/* Whether file 'sha256' is attached to a released report ('*released'),
 * and then the name it was first released under, into 'name'. Public. */
int implementation_attachment_released(store *db, const char *sha256, bool *released, char *name, size_t len);

#endif
