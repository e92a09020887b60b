/* store-users.c: admin accounts: names and Argon2id password hashes. */
#include "users.h"

#include <sodium.h>
#include <string.h>

#include "log.h"
#include "rows.h"
#include "utf8.h"

static const char sql_insert[] =
	"INSERT INTO users (name, pwhash, created_at) VALUES (?, ?, ?)";
static const char sql_set_hash[] =
	"UPDATE users SET pwhash = ? WHERE name = ?";
static const char sql_delete[] =
	"DELETE FROM users WHERE name = ?";
static const char sql_list[] =
	"SELECT id, name, created_at FROM users ORDER BY name";
static const char sql_get_hash[] =
	"SELECT id, pwhash FROM users WHERE name = ?";

int
users_name_valid(const char *name)
{
	size_t n = strlen(name), i;

	if (n == 0 || n > USERS_NAME_MAX)
		return 0;
	for (i = 0; i < n; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

const char *
users_password_problem(const char *password)
{
	size_t len = strlen(password);

	if (len == 0)
		return "the password is empty";
	if (len > USERS_PASSWORD_MAX)
		return "the password is longer than 1024 bytes";
	if (!utf8_valid_text(password, len))
		return "the password is not valid UTF-8 text";
	if (utf8_length(password, len) < USERS_PASSWORD_MIN)
		return "the password is shorter than 8 characters";
	return NULL;
}

/* Argon2id hash of password into hash; 0, or -1 when libsodium runs out of memory. */
static int
hash_password(const char *password, char hash[USERS_HASH_BYTES])
{
	if (sodium_init() < 0)
		return -1;
	if (crypto_pwhash_str(hash, password, strlen(password),
	    crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
		log_error("cannot hash the password: out of memory");
		return -1;
	}
	return 0;
}

int
users_add(struct db *db, const char *name, const char *password)
{
	char hash[USERS_HASH_BYTES];
	sqlite3_stmt *st;
	int rc;

	if (hash_password(password, hash) != 0)
		return STORE_ERR;
	if ((st = db_stmt(db, sql_insert)) == NULL)
		return STORE_ERR;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (int64_t)time(NULL));
	rc = db_exec_stmt(db, st);
	sodium_memzero(hash, sizeof(hash));
	return rc;
}

int
users_set_password(struct db *db, const char *name, const char *password)
{
	char hash[USERS_HASH_BYTES];
	sqlite3_stmt *st;
	int rc;

	if (hash_password(password, hash) != 0)
		return STORE_ERR;
	if ((st = db_stmt(db, sql_set_hash)) == NULL)
		return STORE_ERR;
	sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	rc = db_exec_change(db, st);
	sodium_memzero(hash, sizeof(hash));
	return rc;
}

int
users_delete(struct db *db, const char *name)
{
	sqlite3_stmt *st = db_stmt(db, sql_delete);

	if (st == NULL)
		return STORE_ERR;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	return db_exec_change(db, st);
}

/* One row of sql_list into item, a struct user (a db_fill_fn). */
static int
user_read(void *ctx, sqlite3_stmt *st, struct arena *a, void *item)
{
	struct user *u = item;

	u->id = sqlite3_column_int64(st, 0);
	u->name = arena_strdup(a, db_col_text(st, 1));
	u->created_at = (time_t)sqlite3_column_int64(st, 2);
	return DB_ROW_NEXT;
}

int
users_list(struct db *db, struct arena *a, struct user **out, size_t *len)
{
	sqlite3_stmt *st = db_stmt(db, sql_list);
	struct db_rows rows;
	int rc;

	*out = NULL;
	*len = 0;
	if (st == NULL)
		return STORE_ERR;
	db_rows_init(&rows, a, sizeof(**out), 0);
	if ((rc = db_rows(db, st, "listing users", &rows, user_read, NULL)) != STORE_OK)
		return rc;
	*out = rows.items;
	*len = rows.len;
	return STORE_OK;
}

int
users_get_hash(struct db *db, const char *name, int64_t *id, char hash[USERS_HASH_BYTES])
{
	sqlite3_stmt *st = db_stmt(db, sql_get_hash);
	int rc;

	hash[0] = '\0';
	*id = 0;
	if (st == NULL)
		return STORE_ERR;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *stored = db_col_text(st, 1);
		if (strlen(stored) < USERS_HASH_BYTES) {
			*id = sqlite3_column_int64(st, 0);
			memcpy(hash, stored, strlen(stored) + 1);
			rc = STORE_OK;
		} else {
			log_error("user %s: the stored password hash is too long", name);
			rc = STORE_ERR;
		}
	} else if (rc == SQLITE_DONE)
		rc = STORE_NOTFOUND;
	else {
		db_log_error(db, "reading a user");
		rc = STORE_ERR;
	}
	sqlite3_reset(st);
	return rc;
}

int
users_end_sessions(struct db *db, const char *name, int *count)
{
	static const char sql[] =
		"DELETE FROM sessions WHERE user_id = (SELECT id FROM users WHERE name = ?)";
	sqlite3_stmt *st = db_stmt(db, sql);
	int rc;

	*count = 0;
	if (st == NULL)
		return STORE_ERR;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if ((rc = db_exec_stmt(db, st)) == STORE_OK)
		*count = sqlite3_changes(db->handle);
	return rc;
}
