/* mailqueue.h: the mail tables: events that cause mail, the outgoing queue, digests. */
#ifndef PARLEY_MAILQUEUE_H
#define PARLEY_MAILQUEUE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "arena.h"
#include "db.h"

/*
 * Events.  Callers add them inside the transaction of the change that
 * causes them (a comment stored, a post published, a subscription asked
 * for); approvals are added by a trigger (sql/0004_mail.sql).  kind is
 * "pending", "approved", "published" (auto-approved at intake), "post" or
 * "confirm"; ids that do not apply are 0.  A second "post" event for one
 * post, or publication event for one comment, is ignored.  STORE_OK or
 * STORE_ERR.
 */
int mailqueue_event_add(struct db *db, const char *kind, int64_t comment_id, int64_t post_id,
			int64_t subscriber_id, time_t now);

struct mail_event {
	int64_t id;
	const char *kind;
	int64_t comment_id, post_id, subscriber_id;
	time_t created_at;
};

/* The oldest event not yet done: STORE_OK, STORE_NOTFOUND or STORE_ERR. */
int mailqueue_event_next(struct db *db, struct arena *a, struct mail_event *out);
int mailqueue_event_done(struct db *db, int64_t id);

/*
 * Queue one message for rcpt, due at due; message NULL makes a digest that
 * collects items until due.  *id (may be NULL) receives its id.
 */
int mailqueue_add(struct db *db, const char *kind, const char *rcpt, const char *subject,
		  const char *message, time_t now, time_t due, int64_t *id);

/* Messages queued for rcpt (any state but dropped) since since.  STORE_OK or STORE_ERR. */
int mailqueue_count_since(struct db *db, const char *rcpt, time_t since, int *count);
/*
 * When the last moderation mail (single or digest) for rcpt was queued,
 * 0 when none since since; and the id of a digest still collecting for it
 * (0 when none).
 */
int mailqueue_moderation_state(struct db *db, const char *rcpt, time_t since,
			       time_t *last, int64_t *open_digest);
int mailqueue_digest_add(struct db *db, int64_t mail_id, int64_t comment_id);
/* The comment ids a digest collected, oldest first, in a. */
int mailqueue_digest_items(struct db *db, struct arena *a, int64_t mail_id, int64_t **ids,
			   size_t *n);

/* A message as the queue holds it. */
struct mail_item {
	int64_t id;
	const char *kind;
	const char *rcpt;
	const char *subject;
	const char *message;        /* NULL: a digest to compose */
	const char *state;
	int tries;
	time_t created_at, next_at;
	const char *last_error;
};

/*
 * Claim the message due first (next_at <= now): its tries go up by one and
 * next_at moves lease seconds on, so no other process sends it meanwhile
 * and a crash leaves it to be retried.  STORE_OK, STORE_NOTFOUND (nothing
 * due) or STORE_ERR.
 */
int mailqueue_claim(struct db *db, struct arena *a, time_t now, int lease, struct mail_item *out);
/* Store a composed digest (subject and message) before it is sent. */
int mailqueue_set_message(struct db *db, int64_t id, const char *subject, const char *message);
/* End or reschedule a claimed message: state "sent", "failed", "dropped" or "queued" (retry at at). */
int mailqueue_finish(struct db *db, int64_t id, const char *state, time_t at, const char *error);

/* Every message not yet sent, then the last sent ones (at most limit in all), in a. */
int mailqueue_list(struct db *db, struct arena *a, size_t limit, struct mail_item **items,
		   size_t *n);
/* Make every queued and failed message due at now, failed ones with their tries reset. */
int mailqueue_retry_all(struct db *db, time_t now, int *count);
/* When the next message falls due (0: none queued); *events: events waiting. */
int mailqueue_next_due(struct db *db, time_t *when, int *events);
/* Forget sent, failed and dropped messages and done events older than before. */
int mailqueue_purge(struct db *db, time_t before);
/*
 * Remove every message to rcpt or naming it (a moderator's copy about a
 * commenter): personal data.  *count: how many.
 */
int mailqueue_erase_rcpt(struct db *db, const char *rcpt, int *count);

#endif
