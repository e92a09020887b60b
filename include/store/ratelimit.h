/* ratelimit.h: counted events in a sliding window (comment posts, login failures), and keyed address hashes. */
#ifndef PARLEY_RATELIMIT_H
#define PARLEY_RATELIMIT_H

#include <stddef.h>
#include <time.h>

#include "db.h"

/*
 * Events live in the rate_events table, one row each, grouped by a bucket
 * name the caller chooses: "comment:" IP_HASH, "login-user:" NAME,
 * "login-ip:" IP_HASH.  Each call runs inside the caller's transaction when
 * one is open (so a check and the write it guards commit together), in its
 * own statement otherwise.
 */

/* What ratelimit_hit and ratelimit_check return besides STORE_ERR. */
enum ratelimit_rc {
	RATELIMIT_ALLOWED = 0,
	RATELIMIT_LIMITED = 1,
};

/*
 * Count the events of bucket in the window_seconds before now.  When fewer
 * than limit, record one more at now and return RATELIMIT_ALLOWED.  Else
 * record nothing and return RATELIMIT_LIMITED with *retry_after set to the
 * seconds (at least 1) until the oldest counted event leaves the window.
 * STORE_ERR when SQLite fails.  Events older than the window are pruned.
 */
int ratelimit_hit(struct db *db, const char *bucket, time_t now, int window_seconds,
		  int limit, int *retry_after);

/*
 * The same test without recording anything (e.g. before checking a
 * password, where only failures are recorded with ratelimit_record).
 * *count (may be NULL) receives the events in the window.
 */
int ratelimit_check(struct db *db, const char *bucket, time_t now, int window_seconds,
		    int limit, int *retry_after, int *count);

/* Record one event at now.  STORE_OK or STORE_ERR. */
int ratelimit_record(struct db *db, const char *bucket, time_t now);

/* Forget every event of bucket (e.g. after a successful login).  STORE_OK or STORE_ERR. */
int ratelimit_clear(struct db *db, const char *bucket);

/* Delete every event older than before, all buckets.  STORE_OK or STORE_ERR. */
int ratelimit_prune(struct db *db, time_t before);

/* Bytes of a keyed address hash written as hex, with its NUL. */
#define RATELIMIT_HASH_HEX 33

/* Bytes of the longest address group text, with its NUL. */
#define RATELIMIT_GROUP_MAX 256

/*
 * What counts as one client (SPEC "Leaving a comment"): an IPv4 address
 * (also when written as ::ffff:a.b.c.d), or the /64 network of an IPv6
 * address ("2001:db8:1:2::/64"), in a canonical spelling.  Text that is
 * not an address is kept as it is (cut to RATELIMIT_GROUP_MAX - 1 bytes).
 */
void ratelimit_address_group(const char *address, char out[RATELIMIT_GROUP_MAX]);

/*
 * The keyed hash of a client address's group (ratelimit_address_group),
 * as stored in comments.ip_hash and sessions.ip_hash and used for rate
 * limits and address blocks: hex of a 16-byte BLAKE2b (crypto_generichash)
 * keyed by a subkey of the site secret, so the address itself is never
 * stored and cannot be recovered by hashing every address.  "" for an
 * empty address.
 */
void ratelimit_address_hash(const struct db *db, const char *address,
			    char hex[RATELIMIT_HASH_HEX]);

#endif
