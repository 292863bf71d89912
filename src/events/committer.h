/* Group commit: one writer thread that applies the events submitted by
 * many threads, several per transaction.
 *
 * A durable commit costs one fsync (hundreds of microseconds); committing
 * each event alone would cap the write rate at a few thousand per second.
 * The committer takes every event waiting when it starts a transaction,
 * applies them one after the other, commits once, and only then wakes the
 * submitters: an acknowledged write is always durable. A refused event is
 * undone alone, with its own error: the events before it are applied
 * again, and the rest of the batch, each in its own savepoint (a
 * savepoint per event costs more than the rare redo). */
#ifndef ACCORD_EVENTS_COMMITTER_H
#define ACCORD_EVENTS_COMMITTER_H

#include <jansson.h>
#include <stdint.h>

#include "events/events.h"

typedef struct committer committer;

/* Called by the writer thread after each commit with the new log size. */
typedef void (*committer_hook)(uint64_t log_size, void *arg);

/* Starts the writer thread on its own connection to 'db_path'. 'hook'
 * (may be NULL) runs after each commit, on the writer thread. */
int committer_start(committer **out, const char *db_path, committer_hook hook, void *hook_arg);

/* Applies one event as events_submit() would, waiting until it is durably
 * committed or refused. 'data' is borrowed (derived fields are added to
 * it, as by events_append). On failure the error message and field are set
 * on the calling thread. Safe to call from any number of threads. */
int committer_submit(committer *c, const actor *who, const char *type, json_t *data, uint64_t *out_seq);

/* committer_submit() whose event is applied with events_append_with():
 * 'prepare' runs on the writer thread in the event's transaction, and
 * what it writes is undone with a refused event; it may run twice (when
 * another event of its batch is refused), so it must only write to 'db'.
 * 'prepare_arg' must stay valid until this returns (it does not return
 * before the job is done). */
int committer_submit_with(committer *c, const actor *who, const char *type, json_t *data, events_prepare prepare,
                          void *prepare_arg, uint64_t *out_seq);
/* A submitted event whose submitter does not wait (committer_submit_then). */
typedef struct committer_job committer_job;

/* Queues one event as committer_submit() does, but returns at once: once
 * the event is durably committed or refused, the writer thread calls
 * 'done(done_arg)', which must not block (it wakes whoever waits), and
 * the submitter collects the outcome with committer_job_outcome(). 'who',
 * 'type' and 'data' must stay valid until 'done' is called. '*out' is the
 * submitter's, to give to committer_job_outcome() exactly once, after
 * 'done'. Fails (calling nothing) when the committer is stopping. */
int committer_submit_then(committer *c, const actor *who, const char *type, json_t *data, void (*done)(void *arg),
                          void *done_arg, committer_job **out);

/* The outcome of job 'j' after its 'done' was called, as committer_submit()
 * returns it (the error message and field set on the calling thread, the
 * log index in '*out_seq'); frees 'j'. */
int committer_job_outcome(committer_job *j, uint64_t *out_seq);

/* Work that the writer thread runs inside its transaction, for a change
 * made of several events (an import): 'work' calls events_append() on
 * 'db' as many times as it needs, and returns 0 to keep them or an error
 * to undo them all. */
typedef int (*committer_work)(store *db, void *arg);

/* Runs 'work' on the writer thread in its own savepoint, like one
 * submitted event: everything it appended is durably committed together
 * when this returns 0, and none of it otherwise. 'arg' stays the
 * caller's; the error message and field come back to the calling
 * thread. */
int committer_run(committer *c, committer_work work, void *arg);

/* Finishes the queued work and stops the writer thread. NULL is allowed. */
void committer_stop(committer *c);

#endif
