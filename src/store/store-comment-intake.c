/* store-comment-intake.c: the guards of comment intake in SQLite: used form tokens, blocked addresses and emails. */
#include "comments.h"

int
comments_token_use(struct db *db, const char *token_key, const char *text_key,
		   int64_t *comment_id)
{
	static const char sql[] =
		"SELECT text_key = ?2, comment_id FROM form_tokens WHERE token_key = ?1";
	sqlite3_stmt *st = db_stmt(db, sql);
	int rc;

	*comment_id = 0;
	if (st == NULL)
		return STORE_ERR;
	sqlite3_bind_text(st, 1, token_key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, text_key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*comment_id = sqlite3_column_int64(st, 1);
		rc = sqlite3_column_int(st, 0) ? STORE_OK : STORE_CONFLICT;
	} else if (rc == SQLITE_DONE)
		rc = STORE_NOTFOUND;
	else {
		db_log_error(db, "form token lookup");
		rc = STORE_ERR;
	}
	sqlite3_reset(st);
	return rc;
}

int
comments_token_record(struct db *db, const char *token_key, const char *text_key,
		      int64_t comment_id, time_t now, time_t forget_before)
{
	static const char sql_add[] =
		"INSERT INTO form_tokens (token_key, text_key, comment_id, used_at) VALUES (?, ?, ?, ?)";
	static const char sql_prune[] = "DELETE FROM form_tokens WHERE used_at < ?";
	sqlite3_stmt *st = db_stmt(db, sql_prune);

	if (st == NULL)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)forget_before);
	if (db_exec_stmt(db, st) != STORE_OK || (st = db_stmt(db, sql_add)) == NULL)
		return STORE_ERR;
	sqlite3_bind_text(st, 1, token_key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, text_key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, comment_id);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)now);
	return db_exec_stmt(db, st);
}

int
comments_blocked(struct db *db, const char *ip_hash, const char *email)
{
	static const char sql[] =
		"SELECT 1 FROM blocks WHERE (kind = 'ip' AND ?1 <> '' AND value = ?1)"
		" OR (kind = 'email' AND ?2 <> '' AND value = ?2 COLLATE NOCASE) LIMIT 1";
	sqlite3_stmt *st = db_stmt(db, sql);
	int rc;

	if (st == NULL)
		return STORE_ERR;
	sqlite3_bind_text(st, 1, ip_hash ? ip_hash : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, email ? email : "", -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		db_log_error(db, "reading blocks");
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : STORE_ERR;
}

int
comments_block_add(struct db *db, const char *kind, const char *value, time_t now)
{
	static const char sql[] =
		"INSERT OR IGNORE INTO blocks (kind, value, created_at) VALUES (?, ?, ?)";
	sqlite3_stmt *st = db_stmt(db, sql);

	if (st == NULL)
		return STORE_ERR;
	sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)now);
	return db_exec_stmt(db, st);
}

