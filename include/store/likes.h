/* likes.h: readers' likes of posts in the database (the count lives on the post). */
#ifndef PARLEY_LIKES_H
#define PARLEY_LIKES_H

#include <stdint.h>
#include <time.h>

#include "db.h"

/* What likes_add returns besides STORE_ERR. */
enum likes_rc {
	LIKES_ADDED = 0,
	LIKES_CAPPED = 1,     /* this address hash already gave the post max_per_address likes */
};

/*
 * Record one like of post_id from ip_hash at now, unless that address hash
 * has already given the post max_per_address likes.  The check and the
 * insert run in one transaction (the caller's when one is open); the post's
 * like_count and the site generation follow by trigger.  LIKES_ADDED,
 * LIKES_CAPPED or STORE_ERR.
 */
int likes_add(struct db *db, int64_t post_id, const char *ip_hash, time_t now,
	      int max_per_address);

#endif
