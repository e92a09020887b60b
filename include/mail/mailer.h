/* mailer.h: who is told what, and the worker that sends the queue after the response. */
#ifndef PARLEY_MAILER_H
#define PARLEY_MAILER_H

#include <stdint.h>
#include <time.h>

#include "arena.h"
#include "comments.h"
#include "config.h"
#include "db.h"
#include "mailtoken.h"

/* Is mail on?  SPEC: off until mail_from is set (and mail_command is not empty). */
int mailer_enabled(const struct config *cfg);

/*
 * Intake of a new comment, inside the transaction that stores it: a
 * pending comment will be told to the moderators, an approved one to the
 * post's subscribers.  Spam causes nothing.  STORE_OK or STORE_ERR.
 */
int mailer_comment_stored(struct db *db, const struct config *cfg, const struct comment *c,
			  time_t now);

/* A post was published (new, or no longer a draft): its subscribers are told, once. */
int mailer_post_published(struct db *db, const struct config *cfg, int64_t post_id, time_t now);

/* What a reader's ticked boxes came to (mailer_subscribe). */
enum mailer_subscribe_rc {
	MAILER_SUBSCRIBE_NONE,          /* mail is off, or nothing ticked */
	MAILER_SUBSCRIBE_ACTIVE,        /* the address was already confirmed */
	MAILER_SUBSCRIBE_CONFIRM,       /* a confirmation mail is on its way */
	MAILER_SUBSCRIBE_WAITING,       /* one went out lately (or this address hash sent too many) */
};

/*
 * The comment form's subscribe_comments (the comments of post_id) and
 * subscribe_posts boxes for email, inside the caller's transaction.  An
 * unconfirmed address gets one confirmation mail a day at most, and one
 * address hash (ip_hash) causes at most a few an hour, so the form cannot
 * mail-bomb a stranger.  Returns an enum mailer_subscribe_rc, or STORE_ERR.
 */
int mailer_subscribe(struct db *db, struct arena *a, const struct config *cfg, const char *email,
		     int64_t post_id, int comments, int posts, const char *ip_hash, time_t now);

/*
 * Fingerprints the links carry: a comment as a moderator saw it (status
 * and text: any change voids the link), and an address.
 */
void mailer_comment_state(unsigned char out[MAIL_FINGERPRINT_BYTES], const struct comment *c);
void mailer_address_state(unsigned char out[MAIL_FINGERPRINT_BYTES], const char *email);
/* The address in moderator_emails whose fingerprint is who, in a; NULL when none is. */
const char *mailer_moderator(struct arena *a, const struct config *cfg,
			     const unsigned char who[MAIL_FINGERPRINT_BYTES]);
/* The absolute unsubscribe link for a subscriber (subscription 0: all), in a. */
const char *mailer_unsubscribe_url(struct arena *a, const struct config *cfg,
				   const unsigned char *secret, int64_t subscriber_id,
				   const char *email, int64_t subscription_id, time_t now);

/*
 * One pass of the worker on its own connection: turn waiting events into
 * messages, send the messages that are due through mail_command (retrying
 * with backoff, at most mail_max_tries, a log line for each failure), and
 * return when work next falls due (0: none known).
 */
time_t mailer_pass(struct db *db, const struct config *cfg);

/* The worker's two halves (src/mail/notify.c), for src/mail/worker.c. */
struct buf;
struct mail_item;
/*
 * Expand the oldest waiting event into messages in one transaction.  1
 * when one was handled, 0 when none waits, -1 on a database error (the
 * event stays for the next pass).
 */
int mailer_expand_next(struct db *db, const struct config *cfg, struct arena *a, time_t now);
/*
 * Compose a digest that fell due from the comments it collected that
 * still wait.  1 with subject and message appended to the bufs, 0 when
 * none is left to tell, -1 on a database error.
 */
int mailer_compose_digest(struct db *db, const struct config *cfg, struct arena *a, time_t now,
			  const struct mail_item *item, struct buf *subject, struct buf *message);

/*
 * Responders: start the worker thread, with its own database connection
 * (after root was dropped).  0, or -1 after logging why.
 */
int mailer_start(const struct config *cfg);
/*
 * After a response went out: wake the worker.  A process without one
 * (plain CGI, the command line) starts a detached child process for one
 * pass instead, so the caller never waits for the mailer.
 */
void mailer_kick(const struct config *cfg);

#endif
