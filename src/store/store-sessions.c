/* store-sessions.c: admin sessions: create from random bytes, find by hash, expire, list, end. */
#include "sessions.h"

#include <sodium.h>
#include <string.h>

#include "rows.h"

int
sessions_token_hash(const char *token, char hex[SESSION_HASH_SIZE])
{
	unsigned char raw[SESSION_TOKEN_BYTES], hash[32];
	size_t len = 0, tlen;

	hex[0] = '\0';
	if (token == NULL)
		return -1;
	tlen = strlen(token);
	/* Decode strictly: exactly 43 characters, nothing ignored, nothing left over. */
	if (tlen != SESSION_TOKEN_SIZE - 1 ||
	    sodium_base642bin(raw, sizeof(raw), token, tlen, NULL, &len, NULL,
			      sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    len != sizeof(raw))
		return -1;
	crypto_generichash(hash, sizeof(hash), raw, sizeof(raw), NULL, 0);
	sodium_bin2hex(hex, SESSION_HASH_SIZE, hash, sizeof(hash));
	sodium_memzero(raw, sizeof(raw));
	return 0;
}

int
sessions_create(struct db *db, int64_t user_id, time_t now, const char *ip_hash,
		const char *user_agent, char token[SESSION_TOKEN_SIZE], int64_t *id)
{
	static const char sql[] =
		"INSERT INTO sessions (token_hash, user_id, csrf, created_at, last_seen,"
		" ip_hash, user_agent) VALUES (?, ?, ?, ?, ?, ?, ?)";
	unsigned char raw[SESSION_TOKEN_BYTES], secret[32];
	char hash[SESSION_HASH_SIZE], csrf[SESSION_CSRF_SIZE];
	sqlite3_stmt *st;
	int rc;

	randombytes_buf(raw, sizeof(raw));
	randombytes_buf(secret, sizeof(secret));
	sodium_bin2base64(token, SESSION_TOKEN_SIZE, raw, sizeof(raw),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_bin2hex(csrf, sizeof(csrf), secret, sizeof(secret));
	sodium_memzero(raw, sizeof(raw));
	sodium_memzero(secret, sizeof(secret));
	if (sessions_token_hash(token, hash) != 0)
		return STORE_ERR;
	if ((st = db_stmt(db, sql)) == NULL)
		return STORE_ERR;
	sqlite3_bind_text(st, 1, hash, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, user_id);
	sqlite3_bind_text(st, 3, csrf, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)now);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)now);
	sqlite3_bind_text(st, 6, ip_hash ? ip_hash : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, user_agent ? user_agent : "", -1, SQLITE_STATIC);
	rc = db_exec_stmt(db, st);
	sodium_memzero(csrf, sizeof(csrf));
	if (rc != STORE_OK) {
		sodium_memzero(token, SESSION_TOKEN_SIZE);
		return STORE_ERR;
	}
	if (id != NULL)
		*id = sqlite3_last_insert_rowid(db->handle);
	return STORE_OK;
}

static int
expired(const struct session *s, time_t now, const struct session_limits *lim)
{
	return now - s->last_seen > lim->idle_seconds || now - s->created_at > lim->max_seconds;
}

/*
 * Copy the columns id, user_id, name, csrf, created_at, last_seen, ip_hash,
 * user_agent into item, a struct session; ctx, when not NULL, points to the
 * id of the session asking (a db_fill_fn).
 */
static int
session_read(void *ctx, sqlite3_stmt *st, struct arena *a, void *item)
{
	struct session *out = item;

	out->id = sqlite3_column_int64(st, 0);
	out->user_id = sqlite3_column_int64(st, 1);
	out->user_name = arena_strdup(a, db_col_text(st, 2));
	out->csrf = arena_strdup(a, db_col_text(st, 3));
	out->created_at = (time_t)sqlite3_column_int64(st, 4);
	out->last_seen = (time_t)sqlite3_column_int64(st, 5);
	out->ip_hash = arena_strdup(a, db_col_text(st, 6));
	out->user_agent = arena_strdup(a, db_col_text(st, 7));
	out->current = ctx != NULL && out->id == *(const int64_t *)ctx;
	return DB_ROW_NEXT;
}

int
sessions_lookup(struct db *db, struct arena *a, const char *token, time_t now,
		const struct session_limits *lim, struct session *out)
{
	static const char sql[] =
		"SELECT s.id, s.user_id, u.name, s.csrf, s.created_at, s.last_seen,"
		" s.ip_hash, s.user_agent FROM sessions s JOIN users u ON u.id = s.user_id"
		" WHERE s.token_hash = ?";
	char hash[SESSION_HASH_SIZE];
	sqlite3_stmt *st;
	int rc;

	if (sessions_token_hash(token, hash) != 0)
		return STORE_NOTFOUND;
	if ((st = db_stmt(db, sql)) == NULL)
		return STORE_ERR;
	sqlite3_bind_text(st, 1, hash, -1, SQLITE_TRANSIENT);
	rc = db_row(db, st, "session lookup", a, out, sizeof(*out), session_read, NULL);
	if (rc != STORE_OK)
		return rc;
	if (expired(out, now, lim)) {
		if (sessions_delete(db, out->id) == STORE_ERR)
			return STORE_ERR;
		memset(out, 0, sizeof(*out));
		return STORE_NOTFOUND;
	}
	return STORE_OK;
}

int
sessions_touch(struct db *db, int64_t id, time_t now)
{
	static const char sql[] = "UPDATE sessions SET last_seen = ? WHERE id = ?";
	sqlite3_stmt *st = db_stmt(db, sql);

	if (st == NULL)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)now);
	sqlite3_bind_int64(st, 2, id);
	return db_exec_stmt(db, st);
}

/* Run a DELETE with its bindings done; STORE_NOTFOUND when it removed nothing. */
static int
delete_rows(struct db *db, sqlite3_stmt *st, int *count)
{
	int rc = db_exec_stmt(db, st), n;

	if (rc != STORE_OK)
		return rc;
	n = sqlite3_changes(db->handle);
	if (count != NULL)
		*count = n;
	return n > 0 ? STORE_OK : STORE_NOTFOUND;
}

int
sessions_delete(struct db *db, int64_t id)
{
	static const char sql[] = "DELETE FROM sessions WHERE id = ?";
	sqlite3_stmt *st = db_stmt(db, sql);

	if (st == NULL)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, id);
	return delete_rows(db, st, NULL);
}

int
sessions_delete_own(struct db *db, int64_t user_id, int64_t id)
{
	static const char sql[] = "DELETE FROM sessions WHERE id = ? AND user_id = ?";
	sqlite3_stmt *st = db_stmt(db, sql);

	if (st == NULL)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, user_id);
	return delete_rows(db, st, NULL);
}

int
sessions_delete_others(struct db *db, int64_t user_id, int64_t keep_id, int *count)
{
	static const char sql[] = "DELETE FROM sessions WHERE user_id = ? AND id <> ?";
	sqlite3_stmt *st = db_stmt(db, sql);
	int rc;

	if (count != NULL)
		*count = 0;
	if (st == NULL)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, user_id);
	sqlite3_bind_int64(st, 2, keep_id);
	rc = delete_rows(db, st, count);
	return rc == STORE_NOTFOUND ? STORE_OK : rc;
}

int
sessions_prune(struct db *db, time_t now, const struct session_limits *lim)
{
	static const char sql[] =
		"DELETE FROM sessions WHERE last_seen < ? OR created_at < ?";
	sqlite3_stmt *st = db_stmt(db, sql);

	if (st == NULL)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)(now - lim->idle_seconds));
	sqlite3_bind_int64(st, 2, (sqlite3_int64)(now - lim->max_seconds));
	return db_exec_stmt(db, st);
}

int
sessions_list(struct db *db, struct arena *a, int64_t user_id, int64_t current_id,
	      time_t now, const struct session_limits *lim, struct session_list *out)
{
	static const char sql[] =
		"SELECT s.id, s.user_id, u.name, '', s.created_at, s.last_seen,"
		" s.ip_hash, s.user_agent FROM sessions s JOIN users u ON u.id = s.user_id"
		" WHERE s.user_id = ? AND s.last_seen >= ? AND s.created_at >= ?"
		" ORDER BY s.last_seen DESC, s.id DESC LIMIT 200";
	sqlite3_stmt *st = db_stmt(db, sql);
	struct db_rows rows;
	int rc;

	out->items = NULL;
	out->len = 0;
	if (st == NULL)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, user_id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)(now - lim->idle_seconds));
	sqlite3_bind_int64(st, 3, (sqlite3_int64)(now - lim->max_seconds));
	db_rows_init(&rows, a, sizeof(*out->items), 0);
	rc = db_rows(db, st, "session list", &rows, session_read, &current_id);
	out->items = rows.items;
	out->len = rows.len;
	return rc;
}
