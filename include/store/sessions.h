/* sessions.h: admin login sessions in the database: random tokens, stored only as hashes. */
#ifndef PARLEY_SESSIONS_H
#define PARLEY_SESSIONS_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "arena.h"
#include "db.h"

/* The cookie holds SESSION_TOKEN_BYTES random bytes, base64url without padding. */
#define SESSION_TOKEN_BYTES 32
#define SESSION_TOKEN_SIZE 44          /* 43 characters and the NUL */
#define SESSION_HASH_SIZE 65           /* hex BLAKE2b-256 and the NUL */
#define SESSION_CSRF_SIZE 65           /* hex of 32 random bytes and the NUL */

/*
 * A session as handlers see it.  Strings live in the arena given to the
 * call that filled it.  The token itself is never kept: only the cookie
 * knows it.
 */
struct session {
	int64_t id;
	int64_t user_id;
	const char *user_name;
	const char *csrf;               /* per-session form secret, hex */
	time_t created_at;
	time_t last_seen;
	const char *ip_hash;            /* keyed hash of the address at login, hex */
	const char *user_agent;
	int current;                    /* sessions_list: the session asking */
};

struct session_list {
	struct session *items;
	size_t len;
};

/* How long sessions live, in seconds; from session_idle_minutes and session_max_hours. */
struct session_limits {
	long idle_seconds;
	long max_seconds;
};

/*
 * Hash a cookie value into hex (SESSION_HASH_SIZE bytes).  Returns 0, or -1
 * when token is not the base64url of exactly SESSION_TOKEN_BYTES bytes.
 */
int sessions_token_hash(const char *token, char hex[SESSION_HASH_SIZE]);

/*
 * Start a session for user_id: draws SESSION_TOKEN_BYTES random bytes and a
 * CSRF secret, stores the token's hash, and writes the cookie value into
 * token.  *id receives the new row's id (may be NULL).  STORE_OK or STORE_ERR.
 */
int sessions_create(struct db *db, int64_t user_id, time_t now, const char *ip_hash,
		    const char *user_agent, char token[SESSION_TOKEN_SIZE], int64_t *id);

/*
 * The live session whose cookie value is token, with its user's name.
 * A session idle longer than lim->idle_seconds or older than
 * lim->max_seconds is deleted and reported missing.  STORE_OK,
 * STORE_NOTFOUND (also for a malformed token) or STORE_ERR.
 */
int sessions_lookup(struct db *db, struct arena *a, const char *token, time_t now,
		    const struct session_limits *lim, struct session *out);

/* Record activity: last_seen = now.  STORE_OK or STORE_ERR. */
int sessions_touch(struct db *db, int64_t id, time_t now);

/* End one session: STORE_OK, STORE_NOTFOUND or STORE_ERR. */
int sessions_delete(struct db *db, int64_t id);
/* End session id only if it belongs to user_id: STORE_OK, STORE_NOTFOUND or STORE_ERR. */
int sessions_delete_own(struct db *db, int64_t user_id, int64_t id);
/* End every session of user_id except keep_id; *count (may be NULL) how many. */
int sessions_delete_others(struct db *db, int64_t user_id, int64_t keep_id, int *count);
/* Delete every expired session of every user.  STORE_OK or STORE_ERR. */
int sessions_prune(struct db *db, time_t now, const struct session_limits *lim);

/*
 * The live sessions of user_id, most recently active first; the one whose
 * id is current_id is marked current.  STORE_OK or STORE_ERR.
 */
int sessions_list(struct db *db, struct arena *a, int64_t user_id, int64_t current_id,
		  time_t now, const struct session_limits *lim, struct session_list *out);

#endif
