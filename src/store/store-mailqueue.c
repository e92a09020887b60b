/* store-mailqueue.c: the mail tables in SQLite: events, the outgoing queue, digests. */
#include "mailqueue.h"

#include <string.h>

#include "rows.h"

static void
bind_id_or_null(sqlite3_stmt *st, int col, int64_t id)
{
	if (id > 0)
		sqlite3_bind_int64(st, col, id);
	else
		sqlite3_bind_null(st, col);
}

int
mailqueue_event_add(struct db *db, const char *kind, int64_t comment_id, int64_t post_id,
		    int64_t subscriber_id, time_t now)
{
	static const char sql[] =
		"INSERT OR IGNORE INTO mail_events (kind, comment_id, post_id, subscriber_id, created_at)"
		" VALUES (?, ?, ?, ?, ?)";
	sqlite3_stmt *st = db_stmt(db, sql);

	if (st == NULL)
		return STORE_ERR;
	sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
	bind_id_or_null(st, 2, comment_id);
	bind_id_or_null(st, 3, post_id);
	bind_id_or_null(st, 4, subscriber_id);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)now);
	return db_exec_stmt(db, st);
}

/* One event row into item, a struct mail_event (a db_fill_fn). */
static int
read_event(void *ctx, sqlite3_stmt *st, struct arena *a, void *item)
{
	struct mail_event *out = item;

	out->id = sqlite3_column_int64(st, 0);
	out->kind = arena_strdup(a, db_col_text(st, 1));
	out->comment_id = sqlite3_column_int64(st, 2);
	out->post_id = sqlite3_column_int64(st, 3);
	out->subscriber_id = sqlite3_column_int64(st, 4);
	out->created_at = (time_t)sqlite3_column_int64(st, 5);
	return DB_ROW_NEXT;
}

int
mailqueue_event_next(struct db *db, struct arena *a, struct mail_event *out)
{
	static const char sql[] =
		"SELECT id, kind, coalesce(comment_id, 0), coalesce(post_id, 0),"
		" coalesce(subscriber_id, 0), created_at FROM mail_events WHERE done = 0"
		" ORDER BY id LIMIT 1";
	sqlite3_stmt *st = db_stmt(db, sql);

	if (st == NULL)
		return STORE_ERR;
	return db_row(db, st, "mail events", a, out, sizeof(*out), read_event, NULL);
}

int
mailqueue_event_done(struct db *db, int64_t id)
{
	static const char sql[] = "UPDATE mail_events SET done = 1 WHERE id = ?";
	sqlite3_stmt *st = db_stmt(db, sql);

	if (st == NULL)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, id);
	return db_exec_change(db, st);
}

int
mailqueue_add(struct db *db, const char *kind, const char *rcpt, const char *subject,
	      const char *message, time_t now, time_t due, int64_t *id)
{
	static const char sql[] =
		"INSERT INTO mail_queue (kind, rcpt, subject, message, created_at, next_at)"
		" VALUES (?, ?, ?, ?, ?, ?)";
	sqlite3_stmt *st = db_stmt(db, sql);

	if (st == NULL)
		return STORE_ERR;
	sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, rcpt, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, subject, -1, SQLITE_STATIC);
	if (message != NULL)
		sqlite3_bind_text(st, 4, message, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 4);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)now);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)due);
	if (db_exec_stmt(db, st) != STORE_OK)
		return STORE_ERR;
	if (id != NULL)
		*id = sqlite3_last_insert_rowid(db->handle);
	return STORE_OK;
}

/* One integer from a statement already bound; STORE_OK or STORE_ERR. */
static int
step_int64(struct db *db, sqlite3_stmt *st, int64_t *v, const char *what)
{
	int rc = sqlite3_step(st);

	*v = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		db_log_error(db, what);
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? STORE_OK : STORE_ERR;
}

int
mailqueue_count_since(struct db *db, const char *rcpt, time_t since, int *count)
{
	static const char sql[] =
		"SELECT count(*) FROM mail_queue WHERE rcpt = ? AND created_at >= ?"
		" AND state <> 'dropped'";
	sqlite3_stmt *st = db_stmt(db, sql);
	int64_t n;
	int rc;

	if (st == NULL)
		return STORE_ERR;
	sqlite3_bind_text(st, 1, rcpt, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)since);
	rc = step_int64(db, st, &n, "counting mail");
	*count = (int)n;
	return rc;
}

int
mailqueue_moderation_state(struct db *db, const char *rcpt, time_t since, time_t *last,
			   int64_t *open_digest)
{
	static const char sql_last[] =
		"SELECT max(created_at) FROM mail_queue WHERE rcpt = ? AND created_at >= ?"
		" AND kind IN ('moderate', 'digest')";
	static const char sql_open[] =
		"SELECT id FROM mail_queue WHERE rcpt = ? AND kind = 'digest' AND state = 'queued'"
		" AND message IS NULL ORDER BY id DESC LIMIT 1";
	sqlite3_stmt *st;
	int64_t v;

	if ((st = db_stmt(db, sql_last)) == NULL)
		return STORE_ERR;
	sqlite3_bind_text(st, 1, rcpt, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)since);
	if (step_int64(db, st, &v, "moderation mail") != STORE_OK)
		return STORE_ERR;
	*last = (time_t)v;
	if ((st = db_stmt(db, sql_open)) == NULL)
		return STORE_ERR;
	sqlite3_bind_text(st, 1, rcpt, -1, SQLITE_STATIC);
	if (step_int64(db, st, &v, "open digest") != STORE_OK)
		return STORE_ERR;
	*open_digest = v;
	return STORE_OK;
}

int
mailqueue_digest_add(struct db *db, int64_t mail_id, int64_t comment_id)
{
	static const char sql[] =
		"INSERT OR IGNORE INTO mail_digest_items (mail_id, comment_id) VALUES (?, ?)";
	sqlite3_stmt *st = db_stmt(db, sql);

	if (st == NULL)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, mail_id);
	sqlite3_bind_int64(st, 2, comment_id);
	return db_exec_stmt(db, st);
}

int
mailqueue_digest_items(struct db *db, struct arena *a, int64_t mail_id, int64_t **ids, size_t *n)
{
	static const char sql[] =
		"SELECT comment_id FROM mail_digest_items WHERE mail_id = ? ORDER BY comment_id";
	sqlite3_stmt *st = db_stmt(db, sql);
	struct db_rows rows;
	int rc;

	*ids = NULL;
	*n = 0;
	if (st == NULL)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, mail_id);
	db_rows_init(&rows, a, sizeof(**ids), 0);
	rc = db_rows(db, st, "digest items", &rows, db_fill_id, NULL);
	*ids = rows.items;
	*n = rows.len;
	return rc;
}

#define ITEM_COLUMNS \
	"id, kind, rcpt, subject, message, state, tries, created_at, next_at, last_error"

/* One row of ITEM_COLUMNS into item, a struct mail_item (a db_fill_fn). */
static int
read_item(void *ctx, sqlite3_stmt *st, struct arena *a, void *item)
{
	struct mail_item *out = item;

	out->id = sqlite3_column_int64(st, 0);
	out->kind = arena_strdup(a, db_col_text(st, 1));
	out->rcpt = arena_strdup(a, db_col_text(st, 2));
	out->subject = arena_strdup(a, db_col_text(st, 3));
	out->message = sqlite3_column_type(st, 4) == SQLITE_NULL ? NULL :
	    arena_strdup(a, db_col_text(st, 4));
	out->state = arena_strdup(a, db_col_text(st, 5));
	out->tries = sqlite3_column_int(st, 6);
	out->created_at = (time_t)sqlite3_column_int64(st, 7);
	out->next_at = (time_t)sqlite3_column_int64(st, 8);
	out->last_error = arena_strdup(a, db_col_text(st, 9));
	return DB_ROW_NEXT;
}

int
mailqueue_claim(struct db *db, struct arena *a, time_t now, int lease, struct mail_item *out)
{
	/* One statement: the choice and the claim cannot be split by another process. */
	static const char sql[] =
		"UPDATE mail_queue SET tries = tries + 1, next_at = ?"
		" WHERE id = (SELECT id FROM mail_queue WHERE state = 'queued' AND next_at <= ?"
		" ORDER BY next_at, id LIMIT 1) RETURNING " ITEM_COLUMNS;
	sqlite3_stmt *st = db_stmt(db, sql);

	if (st == NULL)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)(now + lease));
	sqlite3_bind_int64(st, 2, (sqlite3_int64)now);
	/* SQLite makes the whole change at the first step; the row follows. */
	return db_row(db, st, "claiming mail", a, out, sizeof(*out), read_item, NULL);
}

int
mailqueue_set_message(struct db *db, int64_t id, const char *subject, const char *message)
{
	static const char sql[] = "UPDATE mail_queue SET subject = ?, message = ? WHERE id = ?";
	sqlite3_stmt *st = db_stmt(db, sql);

	if (st == NULL)
		return STORE_ERR;
	sqlite3_bind_text(st, 1, subject, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, message, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, id);
	return db_exec_change(db, st);
}

int
mailqueue_finish(struct db *db, int64_t id, const char *state, time_t at, const char *error)
{
	static const char sql[] =
		"UPDATE mail_queue SET state = ?, next_at = ?, last_error = ? WHERE id = ?";
	sqlite3_stmt *st = db_stmt(db, sql);

	if (st == NULL)
		return STORE_ERR;
	sqlite3_bind_text(st, 1, state, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)at);
	sqlite3_bind_text(st, 3, error ? error : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, id);
	return db_exec_change(db, st);
}

int
mailqueue_list(struct db *db, struct arena *a, size_t limit, struct mail_item **items, size_t *n)
{
	static const char sql[] =
		"SELECT " ITEM_COLUMNS " FROM mail_queue"
		" ORDER BY state = 'queued' DESC, state = 'failed' DESC, id DESC LIMIT ?";
	sqlite3_stmt *st = db_stmt(db, sql);
	struct db_rows rows;
	int rc;

	*items = NULL;
	*n = 0;
	if (st == NULL)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)limit);
	db_rows_init(&rows, a, sizeof(**items), 0);
	rc = db_rows(db, st, "listing mail", &rows, read_item, NULL);
	*items = rows.items;
	*n = rows.len;
	return rc;
}

int
mailqueue_retry_all(struct db *db, time_t now, int *count)
{
	static const char sql[] =
		"UPDATE mail_queue SET next_at = ?, state = 'queued',"
		" tries = CASE WHEN state = 'failed' THEN 0 ELSE tries END"
		" WHERE state IN ('queued', 'failed')";
	sqlite3_stmt *st = db_stmt(db, sql);

	*count = 0;
	if (st == NULL)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)now);
	return db_exec_count(db, st, count);
}

int
mailqueue_next_due(struct db *db, time_t *when, int *events)
{
	static const char sql_due[] =
		"SELECT coalesce(min(next_at), 0) FROM mail_queue WHERE state = 'queued'";
	static const char sql_events[] = "SELECT count(*) FROM mail_events WHERE done = 0";
	sqlite3_stmt *st;
	int64_t v;

	if ((st = db_stmt(db, sql_due)) == NULL || step_int64(db, st, &v, "mail due") != STORE_OK)
		return STORE_ERR;
	*when = (time_t)v;
	if ((st = db_stmt(db, sql_events)) == NULL ||
	    step_int64(db, st, &v, "mail events") != STORE_OK)
		return STORE_ERR;
	*events = (int)v;
	return STORE_OK;
}

int
mailqueue_purge(struct db *db, time_t before)
{
	static const char sql_mail[] =
		"DELETE FROM mail_queue WHERE state <> 'queued' AND next_at < ?";
	/* Done publication events stay: they are what makes "once" hold. */
	static const char sql_events[] =
		"DELETE FROM mail_events WHERE done = 1 AND created_at < ?"
		" AND kind NOT IN ('approved', 'published', 'post')";
	sqlite3_stmt *st;

	if ((st = db_stmt(db, sql_mail)) == NULL)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)before);
	if (db_exec_stmt(db, st) != STORE_OK || (st = db_stmt(db, sql_events)) == NULL)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)before);
	return db_exec_stmt(db, st);
}

int
mailqueue_erase_rcpt(struct db *db, const char *rcpt, int *count)
{
	/* Mail to the address, and mail about it (a moderator's copy names the commenter). */
	static const char sql[] =
		"DELETE FROM mail_queue WHERE rcpt = ?1 OR instr(lower(message), lower(?1)) > 0";
	sqlite3_stmt *st = db_stmt(db, sql);

	*count = 0;
	if (st == NULL)
		return STORE_ERR;
	sqlite3_bind_text(st, 1, rcpt, -1, SQLITE_STATIC);
	return db_exec_count(db, st, count);
}
