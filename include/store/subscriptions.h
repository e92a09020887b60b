/* subscriptions.h: readers' mail subscriptions: addresses, their confirmation, what they follow. */
#ifndef PARLEY_SUBSCRIPTIONS_H
#define PARLEY_SUBSCRIPTIONS_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "arena.h"
#include "db.h"

struct subscriber {
	int64_t id;
	const char *email;
	time_t created_at;
	time_t confirmed_at;        /* 0 until confirmed */
	time_t confirm_sent_at;     /* 0 when no confirmation mail went out */
};

/* One address by id or by email (compared without case): STORE_OK, STORE_NOTFOUND, STORE_ERR. */
int subscribers_get(struct db *db, struct arena *a, int64_t id, struct subscriber *out);
int subscribers_find(struct db *db, struct arena *a, const char *email, struct subscriber *out);
/* The subscriber for email, made (unconfirmed) when there is none; *id receives it. */
int subscribers_ensure(struct db *db, const char *email, time_t now, int64_t *id);
int subscribers_set_confirmed(struct db *db, int64_t id, time_t now);
int subscribers_set_confirm_sent(struct db *db, int64_t id, time_t now);
/* Is email a confirmed subscriber?  1, 0 or STORE_ERR. */
int subscribers_confirmed(struct db *db, const char *email);

/* What a subscriber follows. */
struct subscription {
	int64_t id;
	int64_t subscriber_id;
	const char *kind;           /* "comments" (post_id, post_slug, post_title) or "posts" */
	int64_t post_id;
	const char *post_slug, *post_title;
	const char *email;          /* the subscriber's, for recipient lists */
	time_t created_at;
};

struct subscription_list {
	struct subscription *items;
	size_t len;
};

/* Follow kind ("comments" with post_id, or "posts" with 0); a repeat changes nothing. */
int subscriptions_add(struct db *db, int64_t subscriber_id, const char *kind, int64_t post_id,
		      time_t now);
/* A subscriber's subscriptions, new posts first then by post, in a. */
int subscriptions_of(struct db *db, struct arena *a, int64_t subscriber_id,
		     struct subscription_list *out);
/* Does subscriber follow the comments of post_id?  1, 0 or STORE_ERR. */
int subscriptions_follows(struct db *db, int64_t subscriber_id, int64_t post_id);
/*
 * Confirmed recipients: of the comments of post_id (post_id > 0), or of
 * new posts (post_id 0), with email and id of each subscription.
 */
int subscriptions_recipients(struct db *db, struct arena *a, int64_t post_id,
			     struct subscription_list *out);
/* Stop one subscription of subscriber_id (STORE_NOTFOUND when not theirs), or all of them. */
int subscriptions_remove(struct db *db, int64_t subscriber_id, int64_t subscription_id);
int subscriptions_remove_all(struct db *db, int64_t subscriber_id, int *count);
/* Forget an address and everything it follows (personal data).  *count: subscriptions removed. */
int subscriptions_erase_email(struct db *db, const char *email, int *count);

#endif
