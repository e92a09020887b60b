/* users.h: admin accounts in the database: names and Argon2id password hashes. */
#ifndef PARLEY_USERS_H
#define PARLEY_USERS_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "arena.h"
#include "db.h"

#define USERS_NAME_MAX 64
#define USERS_PASSWORD_MIN 8      /* characters */
#define USERS_PASSWORD_MAX 1024   /* bytes */
#define USERS_HASH_BYTES 128      /* crypto_pwhash_STRBYTES, with its NUL */

struct user {
	int64_t id;
	const char *name;
	time_t created_at;
};

/* Is name 1-64 bytes of [A-Za-z0-9._-]? */
int users_name_valid(const char *name);
/*
 * Why password cannot be used (empty, shorter than USERS_PASSWORD_MIN
 * characters, longer than USERS_PASSWORD_MAX bytes, not valid UTF-8 text),
 * or NULL when it can.  The reason is a static string.
 */
const char *users_password_problem(const char *password);

/*
 * Add a user with an Argon2id hash of password (crypto_pwhash_str, the
 * interactive limits).  The caller has checked name and password.
 * STORE_OK, STORE_CONFLICT (the name is taken) or STORE_ERR.
 */
int users_add(struct db *db, const char *name, const char *password);
/* Replace a user's hash (also used to rehash at login): STORE_OK, STORE_NOTFOUND, STORE_ERR. */
int users_set_password(struct db *db, const char *name, const char *password);
/*
 * End every admin session of a user (after a password change): the number
 * ended in *count.  STORE_OK or STORE_ERR.
 */
int users_end_sessions(struct db *db, const char *name, int *count);
/* Delete a user and, by cascade, their sessions: STORE_OK, STORE_NOTFOUND, STORE_ERR. */
int users_delete(struct db *db, const char *name);
/* Every user by name, in the arena. */
int users_list(struct db *db, struct arena *a, struct user **out, size_t *len);

/*
 * The stored hash of name (for crypto_pwhash_str_verify and
 * crypto_pwhash_str_needs_rehash) and the user's id.  STORE_OK,
 * STORE_NOTFOUND (hash is then "") or STORE_ERR.  A caller checking a login
 * must spend the same time on a missing user as on a wrong password
 * (verify against a dummy hash).
 */
int users_get_hash(struct db *db, const char *name, int64_t *id,
		   char hash[USERS_HASH_BYTES]);

#endif
