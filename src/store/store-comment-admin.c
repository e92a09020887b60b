/* store-comment-admin.c: trash and restore, edits, the admin's search over comments (FTS5), replies, pending counts. */
#include "comment_admin.h"

#include <string.h>

#include "buf.h"
#include "rows.h"
#include "spam.h"
#include "store-comments-rows.h"

/* Words one search may hold: each is one more FTS5 term to intersect. */
#define FIND_WORDS_MAX 16

/*
 * The status get (a statement selecting one status by id) reads for id,
 * in *status (-1 when unknown).  STORE_OK, STORE_NOTFOUND when get finds
 * no row, or STORE_ERR.
 */
static int
status_of(struct db *db, const char *get, int64_t id, int *status)
{
	sqlite3_stmt *st = db_stmt(db, get);
	int rc;

	*status = -1;
	if (st == NULL)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*status = comment_status_parse(db_col_text(st, 0));
	else if (rc != SQLITE_DONE)
		db_log_error(db, "reading a comment's status");
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return STORE_NOTFOUND;
	return rc == SQLITE_ROW ? STORE_OK : STORE_ERR;
}

int
comments_trash(struct db *db, int64_t id, time_t now, enum comment_status *before)
{
	static const char get[] = "SELECT status FROM comments WHERE id = ? AND status <> 'trash'";
	static const char sql[] =
		"UPDATE comments SET trashed_from = status, status = 'trash', trashed_at = ?"
		" WHERE id = ? AND status <> 'trash'";
	sqlite3_stmt *st;
	int rc, s;

	if ((rc = status_of(db, get, id, &s)) != STORE_OK)
		return rc;
	if ((st = db_stmt(db, sql)) == NULL)
		return STORE_ERR;
	if (before != NULL)
		*before = s < 0 ? COMMENT_PENDING : (enum comment_status)s;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)now);
	sqlite3_bind_int64(st, 2, id);
	return db_exec_change(db, st);
}

int
comments_restore(struct db *db, int64_t id, enum comment_status *restored)
{
	static const char get[] =
		"SELECT coalesce(trashed_from, 'pending') FROM comments WHERE id = ? AND status = 'trash'";
	static const char sql[] =
		"UPDATE comments SET status = coalesce(trashed_from, 'pending'), trashed_from = NULL,"
		" trashed_at = NULL WHERE id = ? AND status = 'trash'";
	sqlite3_stmt *st;
	int rc, s;

	if ((rc = status_of(db, get, id, &s)) != STORE_OK)
		return rc;
	if ((st = db_stmt(db, sql)) == NULL)
		return STORE_ERR;
	if (restored != NULL)
		*restored = s < 0 ? COMMENT_PENDING : (enum comment_status)s;
	sqlite3_bind_int64(st, 1, id);
	return db_exec_change(db, st);
}

/*
 * Every queue page calls this.  The trash's own index (comments_trashed,
 * by trashed_at) finds what is old enough; comments_status, which SQLite
 * picks unasked, walked the whole trash.  With nothing to purge, a read
 * says so and no write transaction waits on the comment writers.
 */
int
comments_purge_trash(struct db *db, time_t before, int *count)
{
	static const char any[] =
		"SELECT 1 FROM comments INDEXED BY comments_trashed"
		" WHERE status = 'trash' AND trashed_at < ? LIMIT 1";
	static const char sql[] =
		"DELETE FROM comments INDEXED BY comments_trashed"
		" WHERE status = 'trash' AND trashed_at < ?";
	sqlite3_stmt *st = db_stmt(db, sql), *probe = db_stmt(db, any);
	int rc, own;

	*count = 0;
	if (st == NULL || probe == NULL)
		return STORE_ERR;
	sqlite3_bind_int64(probe, 1, (sqlite3_int64)before);
	rc = sqlite3_step(probe);
	sqlite3_reset(probe);
	if (rc == SQLITE_DONE)
		return STORE_OK;
	if (rc != SQLITE_ROW) {
		db_log_error(db, "looking for old trash");
		return STORE_ERR;
	}
	if (db_work_begin(db, &own) != STORE_OK)
		return STORE_ERR;
	/* Purged comments stop being the classifier's examples. */
	if ((rc = spam_forget_trash(db, before)) == STORE_OK) {
		sqlite3_bind_int64(st, 1, (sqlite3_int64)before);
		if ((rc = db_exec_stmt(db, st)) == STORE_OK)
			*count = sqlite3_changes(db->handle);
	}
	return db_work_end(db, own, rc);
}

int
comments_edit(struct db *db, int64_t id, const char *author, const char *url,
	      const char *body_md, struct html body_html, time_t now)
{
	static const char sql[] =
		"UPDATE comments SET author = ?, url = ?, body_md = ?, body_html = ?, edited_at = ?"
		" WHERE id = ?";
	sqlite3_stmt *st = db_stmt(db, sql);
	int rc, own;

	if (st == NULL || db_work_begin(db, &own) != STORE_OK)
		return STORE_ERR;
	/* The admin's fix keeps their decision: the classifier's counts follow the new text. */
	if ((rc = spam_text_changing(db, id)) != STORE_OK)
		return db_work_end(db, own, rc);
	sqlite3_bind_text(st, 1, author, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, url ? url : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, body_md, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, body_html.s, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)now);
	sqlite3_bind_int64(st, 6, id);
	if ((rc = db_exec_change(db, st)) == STORE_OK)
		rc = spam_text_changed(db, id);
	return db_work_end(db, own, rc);
}

const char *
comments_fts_query(struct arena *a, const char *s)
{
	struct buf b = BUF_INIT;
	const char *out;
	int words = 0;

	while (*s != '\0' && words < FIND_WORDS_MAX) {
		const char *start;
		size_t len, i;

		/* A word is a run of letters, digits or bytes of UTF-8 characters. */
		while (*s != '\0' && (unsigned char)*s < 0x80 && !((*s >= '0' && *s <= '9') ||
		       (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
			s++;
		start = s;
		while (*s != '\0' && ((unsigned char)*s >= 0x80 || (*s >= '0' && *s <= '9') ||
		       (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
			s++;
		if ((len = (size_t)(s - start)) == 0)
			continue;
		if (words++ > 0)
			buf_append(&b, " ", 1);
		buf_append(&b, "\"", 1);
		for (i = 0; i < len; i++)
			buf_append(&b, &start[i], 1);
		buf_append(&b, "\"", 1);
	}
	out = arena_strndup(a, b.data ? b.data : "", b.len);
	buf_free(&b);
	return out;
}

static int
nonempty(const char *s)
{
	return s != NULL && *s != '\0';
}

/*
 * The filters of comments_find: status ?1, email ?3, ip hash ?5, the
 * comment left out ?6 (the post ?4 differs between the two statements).
 */
#define FIND_FILTERS \
	" (?1 IS NULL OR c.status = ?1) AND (?3 IS NULL OR c.email = ?3 COLLATE NOCASE)" \
	" AND (?5 IS NULL OR c.ip_hash = ?5) AND c.id <> ?6"
#define FIND_ORDER " ORDER BY c.created_at DESC, c.id DESC"

/* Without words: every comment the filters keep. */
static const char sql_find_plain[] =
	"SELECT " COMMENT_COLUMNS COMMENT_GROUP
	" FROM comments c JOIN posts p ON p.id = c.post_id WHERE ?2 IS NULL AND" FIND_FILTERS
	" AND (?4 IS NULL OR p.slug = ?4)" FIND_ORDER " LIMIT ?7 OFFSET ?8";
/*
 * With words (?2, FTS5's MATCH takes no NULL): the newest ?9 matches, one
 * walk of the doclist back from the newest id that stops there; of those,
 * the page the filters keep, by date; then only the page's rows get their
 * columns and group counts.
 */
static const char sql_find_words[] =
	"WITH m(id) AS (SELECT rowid FROM comments_fts WHERE comments_fts MATCH ?2"
	" ORDER BY rowid DESC LIMIT ?9),"
	" pg(id) AS (SELECT c.id FROM m CROSS JOIN comments c ON c.id = m.id WHERE" FIND_FILTERS
	" AND (?4 IS NULL OR c.post_id = (SELECT id FROM posts WHERE slug = ?4))" FIND_ORDER
	" LIMIT ?7 OFFSET ?8)"
	" SELECT " COMMENT_COLUMNS COMMENT_GROUP
	" FROM pg CROSS JOIN comments c ON c.id = pg.id JOIN posts p ON p.id = c.post_id"
	FIND_ORDER;
/* A match older than the newest ?2: some were not searched. */
static const char sql_find_beyond[] =
	"SELECT 1 FROM comments_fts WHERE comments_fts MATCH ?1 ORDER BY rowid DESC"
	" LIMIT 1 OFFSET ?2";
#undef FIND_FILTERS
#undef FIND_ORDER

/* Sets out->cut when query matches more than COMMENT_FIND_MAX comments. */
static int
find_cut(struct db *db, const char *query, struct comment_list *out)
{
	sqlite3_stmt *st = db_stmt(db, sql_find_beyond);
	int beyond = STORE_ERR;

	if (st != NULL) {
		sqlite3_bind_text(st, 1, query, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 2, COMMENT_FIND_MAX);
		beyond = db_exists(db, st, "looking for a search's older matches");
	}
	out->cut = beyond == 1;
	return beyond == STORE_ERR ? STORE_ERR : STORE_OK;
}

int
comments_find(struct db *db, struct arena *a, const struct comment_filter *f, int page,
	      int per_page, struct comment_list *out)
{
	const char *query = nonempty(f->words) ? comments_fts_query(a, f->words) : NULL;
	sqlite3_stmt *st;
	int rc;

	memset(out, 0, sizeof(*out));
	if (query != NULL && *query == '\0')
		return STORE_OK;        /* only punctuation: nothing can match */
	if (f->status >= COMMENT_STATUS__MAX ||
	    (st = db_stmt(db, query ? sql_find_words : sql_find_plain)) == NULL)
		return STORE_ERR;
	if (page < 1)
		page = 1;
	if (f->status >= 0)
		sqlite3_bind_text(st, 1, comment_status_name((enum comment_status)f->status), -1,
				  SQLITE_STATIC);
	if (query != NULL) {
		sqlite3_bind_text(st, 2, query, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 9, COMMENT_FIND_MAX);
	}
	if (nonempty(f->email))
		sqlite3_bind_text(st, 3, f->email, -1, SQLITE_STATIC);
	if (nonempty(f->post_slug))
		sqlite3_bind_text(st, 4, f->post_slug, -1, SQLITE_STATIC);
	if (nonempty(f->ip_hash))
		sqlite3_bind_text(st, 5, f->ip_hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, f->exclude_id);
	sqlite3_bind_int64(st, 7, per_page > 0 ? (sqlite3_int64)per_page + 1 : -1);
	sqlite3_bind_int64(st, 8, per_page > 0 ? (sqlite3_int64)(page - 1) * per_page : 0);
	rc = comments_read_rows(db, st, a, out, 1, per_page > 0 ? (size_t)per_page : 0);
	if (rc == STORE_OK && query != NULL)
		rc = find_cut(db, query, out);
	return rc;
}

int
comments_replies(struct db *db, struct arena *a, int64_t parent_id, struct comment_list *out)
{
	static const char sql[] =
		"SELECT " COMMENT_COLUMNS COMMENT_GROUP
		" FROM comments c JOIN posts p ON p.id = c.post_id WHERE c.parent_id = ?"
		" ORDER BY c.created_at, c.id";
	sqlite3_stmt *st = db_stmt(db, sql);

	if (st == NULL)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, parent_id);
	return comments_read_rows(db, st, a, out, 1, 0);
}

/* One post's pending count (a db_fill_fn). */
static int
read_pending(void *ctx, sqlite3_stmt *st, struct arena *a, void *item)
{
	struct post_pending *p = item;

	p->post_id = sqlite3_column_int64(st, 0);
	p->pending = sqlite3_column_int64(st, 1);
	return DB_ROW_NEXT;
}

int
comments_pending_per_post(struct db *db, struct arena *a, struct post_pending_list *out)
{
	static const char sql[] =
		"SELECT post_id, count(*) FROM comments WHERE status = 'pending' GROUP BY post_id";
	sqlite3_stmt *st = db_stmt(db, sql);
	struct db_rows rows;
	int rc;

	memset(out, 0, sizeof(*out));
	if (st == NULL)
		return STORE_ERR;
	db_rows_init(&rows, a, sizeof(*out->items), 0);
	rc = db_rows(db, st, "counting pending comments per post", &rows, read_pending, NULL);
	out->items = rows.items;
	out->len = rows.len;
	return rc;
}
