/* store-subscriptions.c: readers' mail subscriptions in SQLite: addresses, confirmation, what they follow. */
#include "subscriptions.h"

#include <string.h>

#include "rows.h"

#define SUBSCRIBER_COLUMNS \
	"id, email, created_at, coalesce(confirmed_at, 0), coalesce(confirm_sent_at, 0)"

/* One row of SUBSCRIBER_COLUMNS into item, a struct subscriber (a db_fill_fn). */
static int
subscriber_read(void *ctx, sqlite3_stmt *st, struct arena *a, void *item)
{
	struct subscriber *out = item;

	out->id = sqlite3_column_int64(st, 0);
	out->email = arena_strdup(a, db_col_text(st, 1));
	out->created_at = (time_t)sqlite3_column_int64(st, 2);
	out->confirmed_at = (time_t)sqlite3_column_int64(st, 3);
	out->confirm_sent_at = (time_t)sqlite3_column_int64(st, 4);
	return DB_ROW_NEXT;
}

/* Step st (bound) for one subscriber row: STORE_OK, STORE_NOTFOUND or STORE_ERR. */
static int
read_subscriber(struct db *db, sqlite3_stmt *st, struct arena *a, struct subscriber *out)
{
	return db_row(db, st, "reading a subscriber", a, out, sizeof(*out), subscriber_read, NULL);
}

int
subscribers_get(struct db *db, struct arena *a, int64_t id, struct subscriber *out)
{
	static const char sql[] = "SELECT " SUBSCRIBER_COLUMNS " FROM subscribers WHERE id = ?";
	sqlite3_stmt *st = db_stmt(db, sql);

	if (st == NULL)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, id);
	return read_subscriber(db, st, a, out);
}

int
subscribers_find(struct db *db, struct arena *a, const char *email, struct subscriber *out)
{
	static const char sql[] = "SELECT " SUBSCRIBER_COLUMNS " FROM subscribers WHERE email = ?";
	sqlite3_stmt *st = db_stmt(db, sql);

	if (st == NULL)
		return STORE_ERR;
	sqlite3_bind_text(st, 1, email, -1, SQLITE_STATIC);
	return read_subscriber(db, st, a, out);
}

int
subscribers_ensure(struct db *db, const char *email, time_t now, int64_t *id)
{
	static const char sql[] =
		"INSERT INTO subscribers (email, created_at) VALUES (?, ?)"
		" ON CONFLICT (email) DO UPDATE SET email = email RETURNING id";
	sqlite3_stmt *st = db_stmt(db, sql);
	int rc;

	if (st == NULL)
		return STORE_ERR;
	sqlite3_bind_text(st, 1, email, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)now);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(st, 0);
	else
		db_log_error(db, "adding a subscriber");
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? STORE_OK : STORE_ERR;
}

int
subscribers_set_confirmed(struct db *db, int64_t id, time_t now)
{
	static const char sql[] =
		"UPDATE subscribers SET confirmed_at = ? WHERE id = ? AND confirmed_at IS NULL";
	sqlite3_stmt *st = db_stmt(db, sql);

	if (st == NULL)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)now);
	sqlite3_bind_int64(st, 2, id);
	return db_exec_change(db, st);
}

int
subscribers_set_confirm_sent(struct db *db, int64_t id, time_t now)
{
	static const char sql[] = "UPDATE subscribers SET confirm_sent_at = ? WHERE id = ?";
	sqlite3_stmt *st = db_stmt(db, sql);

	if (st == NULL)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)now);
	sqlite3_bind_int64(st, 2, id);
	return db_exec_change(db, st);
}

int
subscribers_confirmed(struct db *db, const char *email)
{
	static const char sql[] =
		"SELECT 1 FROM subscribers WHERE email = ? AND confirmed_at IS NOT NULL";
	sqlite3_stmt *st;

	if (email == NULL || *email == '\0')
		return 0;
	if ((st = db_stmt(db, sql)) == NULL)
		return STORE_ERR;
	sqlite3_bind_text(st, 1, email, -1, SQLITE_STATIC);
	return db_exists(db, st, "confirmed email");
}

int
subscriptions_add(struct db *db, int64_t subscriber_id, const char *kind, int64_t post_id,
		  time_t now)
{
	static const char sql[] =
		"INSERT OR IGNORE INTO subscriptions (subscriber_id, kind, post_id, created_at)"
		" VALUES (?, ?, ?, ?)";
	sqlite3_stmt *st = db_stmt(db, sql);

	if (st == NULL)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, subscriber_id);
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
	if (post_id > 0)
		sqlite3_bind_int64(st, 3, post_id);
	else
		sqlite3_bind_null(st, 3);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)now);
	return db_exec_stmt(db, st);
}

#define SUBSCRIPTION_COLUMNS \
	"s.id, s.subscriber_id, s.kind, coalesce(s.post_id, 0), coalesce(p.slug, '')," \
	" coalesce(p.title, ''), u.email, s.created_at"

/* One row of SUBSCRIPTION_COLUMNS into item, a struct subscription (a db_fill_fn). */
static int
subscription_read(void *ctx, sqlite3_stmt *st, struct arena *a, void *item)
{
	struct subscription *s = item;

	s->id = sqlite3_column_int64(st, 0);
	s->subscriber_id = sqlite3_column_int64(st, 1);
	s->kind = arena_strdup(a, db_col_text(st, 2));
	s->post_id = sqlite3_column_int64(st, 3);
	s->post_slug = arena_strdup(a, db_col_text(st, 4));
	s->post_title = arena_strdup(a, db_col_text(st, 5));
	s->email = arena_strdup(a, db_col_text(st, 6));
	s->created_at = (time_t)sqlite3_column_int64(st, 7);
	return DB_ROW_NEXT;
}

/* Step st (bound) to its end for subscription rows.  STORE_OK or STORE_ERR. */
static int
read_subscriptions(struct db *db, sqlite3_stmt *st, struct arena *a,
		   struct subscription_list *out)
{
	struct db_rows rows;
	int rc;

	db_rows_init(&rows, a, sizeof(*out->items), 0);
	rc = db_rows(db, st, "reading subscriptions", &rows, subscription_read, NULL);
	out->items = rows.items;
	out->len = rows.len;
	return rc;
}

int
subscriptions_of(struct db *db, struct arena *a, int64_t subscriber_id,
		 struct subscription_list *out)
{
	static const char sql[] =
		"SELECT " SUBSCRIPTION_COLUMNS " FROM subscriptions s"
		" JOIN subscribers u ON u.id = s.subscriber_id"
		" LEFT JOIN posts p ON p.id = s.post_id WHERE s.subscriber_id = ?"
		" ORDER BY s.kind = 'posts' DESC, p.title, s.id";
	sqlite3_stmt *st = db_stmt(db, sql);

	if (st == NULL)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, subscriber_id);
	return read_subscriptions(db, st, a, out);
}

int
subscriptions_follows(struct db *db, int64_t subscriber_id, int64_t post_id)
{
	static const char sql[] =
		"SELECT 1 FROM subscriptions WHERE subscriber_id = ? AND kind = 'comments'"
		" AND post_id = ?";
	sqlite3_stmt *st = db_stmt(db, sql);

	if (st == NULL)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, subscriber_id);
	sqlite3_bind_int64(st, 2, post_id);
	return db_exists(db, st, "subscription lookup");
}

int
subscriptions_recipients(struct db *db, struct arena *a, int64_t post_id,
			 struct subscription_list *out)
{
	static const char sql_comments[] =
		"SELECT " SUBSCRIPTION_COLUMNS " FROM subscriptions s"
		" JOIN subscribers u ON u.id = s.subscriber_id"
		" LEFT JOIN posts p ON p.id = s.post_id"
		" WHERE s.kind = 'comments' AND s.post_id = ? AND u.confirmed_at IS NOT NULL"
		" ORDER BY s.id";
	static const char sql_posts[] =
		"SELECT " SUBSCRIPTION_COLUMNS " FROM subscriptions s"
		" JOIN subscribers u ON u.id = s.subscriber_id"
		" LEFT JOIN posts p ON p.id = s.post_id"
		" WHERE s.kind = 'posts' AND u.confirmed_at IS NOT NULL ORDER BY s.id";
	sqlite3_stmt *st = db_stmt(db, post_id > 0 ? sql_comments : sql_posts);

	if (st == NULL)
		return STORE_ERR;
	if (post_id > 0)
		sqlite3_bind_int64(st, 1, post_id);
	return read_subscriptions(db, st, a, out);
}

int
subscriptions_remove(struct db *db, int64_t subscriber_id, int64_t subscription_id)
{
	static const char sql[] = "DELETE FROM subscriptions WHERE id = ? AND subscriber_id = ?";
	sqlite3_stmt *st = db_stmt(db, sql);

	if (st == NULL)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, subscription_id);
	sqlite3_bind_int64(st, 2, subscriber_id);
	return db_exec_change(db, st);
}

int
subscriptions_remove_all(struct db *db, int64_t subscriber_id, int *count)
{
	static const char sql[] = "DELETE FROM subscriptions WHERE subscriber_id = ?";
	sqlite3_stmt *st = db_stmt(db, sql);

	*count = 0;
	if (st == NULL)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, subscriber_id);
	return db_exec_count(db, st, count);
}

int
subscriptions_erase_email(struct db *db, const char *email, int *count)
{
	static const char sql_count[] =
		"SELECT count(*) FROM subscriptions s JOIN subscribers u ON u.id = s.subscriber_id"
		" WHERE u.email = ?";
	static const char sql_delete[] = "DELETE FROM subscribers WHERE email = ?";
	sqlite3_stmt *st = db_stmt(db, sql_count);
	int rc;

	*count = 0;
	if (st == NULL)
		return STORE_ERR;
	sqlite3_bind_text(st, 1, email, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*count = sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW || (st = db_stmt(db, sql_delete)) == NULL)
		return STORE_ERR;
	sqlite3_bind_text(st, 1, email, -1, SQLITE_STATIC);
	return db_exec_stmt(db, st);
}
