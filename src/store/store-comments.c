/* store-comments.c: reader comments in SQLite: rows, intake, listing, moderation (a commenter's export and erasure: store-commenter.c). */
#include "comments.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "rows.h"
#include "store-comments-rows.h"
#include "spam.h"

_Static_assert(COMMENT_GROUP_MAX == 100, "COMMENT_GROUP counts to LIMIT 101");

static const char *const status_names[COMMENT_STATUS__MAX] = {
	[COMMENT_PENDING] = "pending",
	[COMMENT_APPROVED] = "approved",
	[COMMENT_REJECTED] = "rejected",
	[COMMENT_SPAM] = "spam",
	[COMMENT_TRASH] = "trash",
};

const char *
comment_status_name(enum comment_status s)
{
	return (unsigned)s < COMMENT_STATUS__MAX ? status_names[s] : "pending";
}

int
comment_status_parse(const char *name)
{
	int i;

	if (name == NULL)
		return -1;
	for (i = 0; i < COMMENT_STATUS__MAX; i++)
		if (strcmp(name, status_names[i]) == 0)
			return i;
	return -1;
}

/*
 * Copy the current row of a COMMENT_COLUMNS query into item (a struct
 * comment), strings in a; ctx points to with_group (db_fill_fn).
 */
static int
read_row(void *ctx, sqlite3_stmt *st, struct arena *a, void *item)
{
	struct comment *out = item;
	int s;

	out->id = sqlite3_column_int64(st, 0);
	out->post_id = sqlite3_column_int64(st, 1);
	out->parent_id = sqlite3_column_int64(st, 2);
	s = comment_status_parse(db_col_text(st, 3));
	out->status = s < 0 ? COMMENT_PENDING : (enum comment_status)s;
	out->author = arena_strdup(a, db_col_text(st, 4));
	out->email = arena_strdup(a, db_col_text(st, 5));
	out->url = arena_strdup(a, db_col_text(st, 6));
	out->body_md = arena_strdup(a, db_col_text(st, 7));
	out->body_html = html_trust(arena_strdup(a, db_col_text(st, 8)));
	out->created_at = (time_t)sqlite3_column_int64(st, 9);
	out->ip_hash = arena_strdup(a, db_col_text(st, 10));
	out->spam_reason = arena_strdup(a, db_col_text(st, 11));
	out->post_slug = arena_strdup(a, db_col_text(st, 12));
	out->post_title = arena_strdup(a, db_col_text(st, 13));
	out->by_author = sqlite3_column_int(st, 14);
	out->edited_at = (time_t)sqlite3_column_int64(st, 15);
	out->trashed_from = arena_strdup(a, db_col_text(st, 16));
	out->group_size = *(const int *)ctx ? sqlite3_column_int(st, 17) : 1;
	return DB_ROW_NEXT;
}

/*
 * Step st to the end, appending rows to out (growing its array in a).  At
 * most max rows are kept when max > 0; a further row sets has_more.
 */
int
comments_read_rows(struct db *db, sqlite3_stmt *st, struct arena *a, struct comment_list *out,
	  int with_group, size_t max)
{
	struct db_rows rows;
	int rc;

	db_rows_init(&rows, a, sizeof(*out->items), max);
	rc = db_rows(db, st, "reading comments", &rows, read_row, &with_group);
	out->items = rows.items;
	out->len = rows.len;
	out->has_more = rows.more;
	return rc;
}

int
comments_insert(struct db *db, struct comment *c)
{
	static const char sql[] =
		"INSERT INTO comments (post_id, parent_id, status, author, email, url,"
		" body_md, body_html, created_at, ip_hash, spam_reason, by_author)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
	sqlite3_stmt *st;
	int rc;

	if (c->body_html.s == NULL) {
		log_error("comments_insert: the comment was not rendered");
		return STORE_ERR;
	}
	if ((st = db_stmt(db, sql)) == NULL)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, c->post_id);
	if (c->parent_id > 0)
		sqlite3_bind_int64(st, 2, c->parent_id);
	sqlite3_bind_text(st, 3, comment_status_name(c->status), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, c->author, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, c->email ? c->email : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, c->url ? c->url : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, c->body_md, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, c->body_html.s, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 9, (sqlite3_int64)c->created_at);
	sqlite3_bind_text(st, 10, c->ip_hash ? c->ip_hash : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 11, c->spam_reason ? c->spam_reason : "", -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 12, c->by_author != 0);
	rc = db_exec_stmt(db, st);
	if (rc != STORE_OK)
		return STORE_ERR;
	c->id = sqlite3_last_insert_rowid(db->handle);
	return STORE_OK;
}

int
comments_update_text(struct db *db, int64_t id, const char *author, const char *url,
		     const char *body_md, struct html body_html, enum comment_status status,
		     const char *spam_reason, time_t edited_at)
{
	static const char sql[] =
		"UPDATE comments SET author = ?2, url = ?3, body_md = ?4, body_html = ?5,"
		" status = ?6, spam_reason = ?7, edited_at = ?8 WHERE id = ?1";
	sqlite3_stmt *st = db_stmt(db, sql);
	int rc, own;

	if (body_html.s == NULL) {
		log_error("comments_update_text: the comment was not rendered");
		return STORE_ERR;
	}
	if (st == NULL || db_work_begin(db, &own) != STORE_OK)
		return STORE_ERR;
	/*
	 * The decision was about the old text: the comment is no example any
	 * more (an approved comment edited into spam must not teach "ham").
	 */
	if ((rc = spam_learn(db, id, SPAM_CLASS_NONE)) != STORE_OK)
		return db_work_end(db, own, rc);
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, author, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, url, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, body_md, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, body_html.s, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, comment_status_name(status), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, spam_reason ? spam_reason : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 8, (sqlite3_int64)edited_at);
	rc = db_exec_change(db, st);
	return db_work_end(db, own, rc);
}

int
comments_get(struct db *db, struct arena *a, int64_t id, struct comment *out)
{
	static const char sql[] =
		"SELECT " COMMENT_COLUMNS COMMENT_GROUP
		" FROM comments c JOIN posts p ON p.id = c.post_id WHERE c.id = ?";
	sqlite3_stmt *st = db_stmt(db, sql);
	int with_group = 1;

	if (st == NULL)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, id);
	return db_row(db, st, "reading a comment", a, out, sizeof(*out), read_row, &with_group);
}

int
comments_for_post(struct db *db, struct arena *a, int64_t post_id,
		  enum comment_status status, struct comment_list *out)
{
	static const char sql[] =
		"SELECT " COMMENT_COLUMNS
		" FROM comments c JOIN posts p ON p.id = c.post_id"
		" WHERE c.post_id = ? AND c.status = ? ORDER BY c.created_at, c.id";
	sqlite3_stmt *st = db_stmt(db, sql);

	if (st == NULL)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, post_id);
	sqlite3_bind_text(st, 2, comment_status_name(status), -1, SQLITE_STATIC);
	return comments_read_rows(db, st, a, out, 0, 0);
}

int
comments_by_status(struct db *db, struct arena *a, int status, int newest_first,
		   int page, int per_page, struct comment_list *out)
{
	/* One statement per shape, so each can use its index. */
	static const char one_asc[] =
		"SELECT " COMMENT_COLUMNS COMMENT_GROUP
		" FROM comments c JOIN posts p ON p.id = c.post_id WHERE c.status = ?"
		" ORDER BY c.created_at, c.id LIMIT ? OFFSET ?";
	static const char one_desc[] =
		"SELECT " COMMENT_COLUMNS COMMENT_GROUP
		" FROM comments c JOIN posts p ON p.id = c.post_id WHERE c.status = ?"
		" ORDER BY c.created_at DESC, c.id DESC LIMIT ? OFFSET ?";
	static const char all_asc[] =
		"SELECT " COMMENT_COLUMNS COMMENT_GROUP
		" FROM comments c JOIN posts p ON p.id = c.post_id WHERE ? IS NULL"
		" ORDER BY c.created_at, c.id LIMIT ? OFFSET ?";
	static const char all_desc[] =
		"SELECT " COMMENT_COLUMNS COMMENT_GROUP
		" FROM comments c JOIN posts p ON p.id = c.post_id WHERE ? IS NULL"
		" ORDER BY c.created_at DESC, c.id DESC LIMIT ? OFFSET ?";
	const char *sql;
	sqlite3_stmt *st;
	sqlite3_int64 limit = -1, offset = 0;

	if (status >= COMMENT_STATUS__MAX)
		return STORE_ERR;
	if (status >= 0)
		sql = newest_first ? one_desc : one_asc;
	else
		sql = newest_first ? all_desc : all_asc;
	if ((st = db_stmt(db, sql)) == NULL)
		return STORE_ERR;
	if (per_page > 0) {
		if (page < 1)
			page = 1;
		limit = (sqlite3_int64)per_page + 1;
		offset = (sqlite3_int64)(page - 1) * per_page;
	}
	if (status >= 0)
		sqlite3_bind_text(st, 1, comment_status_name((enum comment_status)status), -1,
				  SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, limit);
	sqlite3_bind_int64(st, 3, offset);
	return comments_read_rows(db, st, a, out, 1, per_page > 0 ? (size_t)per_page : 0);
}

int
comments_count(struct db *db, int status, int64_t limit, int64_t *count)
{
	/* Kept by triggers (sql/0012_comment_counts.sql): the same cost at any size. */
	static const char one[] = "SELECT n FROM comment_counts WHERE status = ?";
	static const char all[] = "SELECT coalesce(sum(n), 0) FROM comment_counts";
	sqlite3_stmt *st = db_stmt(db, status >= 0 ? one : all);
	int rc;

	if (st == NULL || status >= COMMENT_STATUS__MAX)
		return STORE_ERR;
	if (status >= 0)
		sqlite3_bind_text(st, 1, comment_status_name((enum comment_status)status), -1,
				  SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*count = sqlite3_column_int64(st, 0);
		if (limit > 0 && *count > limit)
			*count = limit;
	} else
		db_log_error(db, "counting comments");
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? STORE_OK : STORE_ERR;
}

int
comments_set_status(struct db *db, int64_t id, enum comment_status status)
{
	/* A move out of trash by any action forgets where it came from. */
	static const char sql[] =
		"UPDATE comments SET status = ?, trashed_from = NULL, trashed_at = NULL WHERE id = ?";
	sqlite3_stmt *st;
	int rc, cls = spam_class_for_status(status), own;

	if ((unsigned)status >= COMMENT_STATUS__MAX || (st = db_stmt(db, sql)) == NULL)
		return STORE_ERR;
	if (db_work_begin(db, &own) != STORE_OK)
		return STORE_ERR;
	sqlite3_bind_text(st, 1, comment_status_name(status), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, id);
	rc = db_exec_change(db, st);
	/* The decision teaches the classifier in the same transaction. */
	if (rc == STORE_OK && cls >= 0)
		rc = spam_learn(db, id, (enum spam_class)cls);
	return db_work_end(db, own, rc);
}

int
comments_delete(struct db *db, int64_t id)
{
	static const char sql[] = "DELETE FROM comments WHERE id = ?";
	sqlite3_stmt *st = db_stmt(db, sql);
	int rc, own;

	if (st == NULL || db_work_begin(db, &own) != STORE_OK)
		return STORE_ERR;
	/* A deleted comment is no example any more. */
	rc = spam_learn(db, id, SPAM_CLASS_NONE);
	if (rc == STORE_OK) {
		sqlite3_bind_int64(st, 1, id);
		rc = db_exec_change(db, st);
	}
	return db_work_end(db, own, rc);
}
