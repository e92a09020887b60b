/* mail-notify.h: what the mail files that expand one event share (not for other layers). */
#ifndef PARLEY_MAIL_NOTIFY_H
#define PARLEY_MAIL_NOTIFY_H

#include <time.h>

#include "arena.h"
#include "buf.h"
#include "comments.h"
#include "config.h"
#include "db.h"
#include "posts.h"
#include "subscriptions.h"

/* What one event's expansion needs at hand. */
struct notify {
	struct db *db;
	const struct config *cfg;
	struct arena *a;
	time_t now;
};

/* "2026-12-01 20:58 UTC", in the arena. */
const char *notify_when(struct arena *a, time_t t);
/* Append text (a comment's Markdown) quoted with "> ", line ends normalised, cut to a limit. */
void notify_quote(struct buf *b, const char *text);
/*
 * Queue one composed message for rcpt unless it has had
 * mail_per_address_per_day already.  STORE_OK (queued or skipped) or STORE_ERR.
 */
int notify_enqueue(struct notify *n, const char *kind, const char *rcpt, const char *subject,
		   const char *body, int bulk, const char *unsubscribe);

/*
 * The mails of one event, each STORE_OK (done, whatever it came to) or
 * STORE_ERR.  mail-moderators.c: comment c waits for moderation (nothing
 * when it was moderated already).  mail-readers.c: comment c is published
 * (its author told too when tell_author), post p is published, subscriber
 * s is to confirm.
 */
int notify_pending(struct notify *n, const struct comment *c);
int notify_published(struct notify *n, const struct comment *c, int tell_author);
int notify_post(struct notify *n, const struct post *p);
int notify_confirm(struct notify *n, const struct subscriber *s);

#endif
