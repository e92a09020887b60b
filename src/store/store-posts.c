/* store-posts.c: posts in the database: saving, reading, listing, paging (tags: store-tags.c, search: store-search.c). */
#include "posts.h"

#include <string.h>

#include "log.h"
#include "rows.h"
#include "spam.h"
#include "store-posts-rows.h"

static const char sql_get[] =
	"SELECT " POST_COLUMNS ", p.body_md FROM posts p "
	"WHERE p.slug = ? AND (p.draft = 0 OR ?)";
static const char sql_get_by_id[] =
	"SELECT " POST_COLUMNS ", p.body_md FROM posts p WHERE p.id = ?";

/*
 * Keyset pagination: the index-only subquery finds the (published_at, id)
 * that opens the page, the outer query walks the index from there.  An
 * OFFSET past the end yields NULL and so no rows.
 */
static const char sql_page[] =
	"SELECT " POST_COLUMNS " FROM posts p "
	"WHERE p.draft = 0 AND (p.published_at, p.id) <= "
	"(SELECT published_at, id FROM posts WHERE draft = 0 "
	"ORDER BY published_at DESC, id DESC LIMIT 1 OFFSET ?) "
	"ORDER BY p.published_at DESC, p.id DESC LIMIT ?";
/*
 * The same page found from the oldest end: the page that opens at newest
 * position k opens at oldest position count - 1 - k.  Past the middle this
 * walks fewer index entries (the last page of 100,000 posts: 10, not
 * 100,000).
 */
static const char sql_page_from_oldest[] =
	"SELECT " POST_COLUMNS " FROM posts p "
	"WHERE p.draft = 0 AND (p.published_at, p.id) <= "
	"(SELECT published_at, id FROM posts WHERE draft = 0 "
	"ORDER BY published_at, id LIMIT 1 OFFSET ?) "
	"ORDER BY p.published_at DESC, p.id DESC LIMIT ?";
static const char sql_all[] =
	"SELECT " POST_COLUMNS_BRIEF " FROM posts p ORDER BY p.published_at DESC, p.id DESC";
static const char sql_latest[] =
	"SELECT " POST_COLUMNS " FROM posts p WHERE p.draft = 0 "
	"ORDER BY p.published_at DESC, p.id DESC LIMIT ?";
/*
 * The newest published id walks the primary key down from its end, past
 * trailing drafts only ("+draft" keeps the planner off posts_published,
 * which holds every published post); the count is kept by triggers
 * (sql/0011_published_count.sql).  Both cost the same at any size.
 */
static const char sql_max_published[] =
	"SELECT coalesce((SELECT id FROM posts WHERE +draft = 0 ORDER BY id DESC LIMIT 1), 0)";
static const char sql_count_published[] =
	"SELECT published_posts FROM site_state";
/*
 * "+draft": without it the planner walks posts_published (every published
 * post) and sorts, 85 ms a file at 100,000 posts; with it, the id range of
 * the primary key, 5 ms.
 */
static const char sql_stamps[] =
	"SELECT slug, max(published_at, updated_at) FROM posts "
	"WHERE id > ?1 AND id <= ?2 AND +draft = 0 ORDER BY id LIMIT ?3";
static const char sql_find_slug[] =
	"SELECT id, published_at, updated_at, title = ?2 AND body_md = ?3 "
	"FROM posts WHERE slug = ?1";
static const char sql_insert[] =
	"INSERT INTO posts (slug, title, author, published_at, updated_at, draft, "
	"comments_open, body_md, body_html, body_text) "
	"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char sql_update[] =
	"UPDATE posts SET title = ?2, author = ?3, published_at = ?4, updated_at = ?5, "
	"draft = ?6, comments_open = ?7, body_md = ?8, body_html = ?9, body_text = ?10 "
	"WHERE id = ?1";
static const char sql_delete[] =
	"DELETE FROM posts WHERE slug = ?";
static const char sql_set_comments[] =
	"UPDATE posts SET comments_open = ? WHERE slug = ?";

static const char sql_savepoint[] = "SAVEPOINT posts_write";
static const char sql_release[] = "RELEASE posts_write";
static const char sql_rollback_to[] = "ROLLBACK TO posts_write";

/*
 * Writes are atomic on their own and inside a caller's transaction (an
 * importer may wrap many posts in one): a savepoint then stands in for
 * BEGIN.  *nested records which was used.
 */
static int
write_begin(struct db *db, int *nested)
{
	sqlite3_stmt *st;

	*nested = !sqlite3_get_autocommit(db->handle);
	if (!*nested)
		return db_begin(db);
	st = db_stmt(db, sql_savepoint);
	return st ? db_exec_stmt(db, st) : STORE_ERR;
}

static int
write_commit(struct db *db, int nested)
{
	sqlite3_stmt *st;

	if (!nested)
		return db_commit(db);
	st = db_stmt(db, sql_release);
	return st ? db_exec_stmt(db, st) : STORE_ERR;
}

static void
write_rollback(struct db *db, int nested)
{
	sqlite3_stmt *st;

	if (!nested) {
		db_rollback(db);
		return;
	}
	if ((st = db_stmt(db, sql_rollback_to)) != NULL)
		db_exec_stmt(db, st);
	if ((st = db_stmt(db, sql_release)) != NULL)
		db_exec_stmt(db, st);
}

const char *
posts_col_dup(struct arena *a, sqlite3_stmt *st, int col)
{
	return arena_strndup(a, db_col_text(st, col), (size_t)sqlite3_column_bytes(st, col));
}

/* Fill p from the current row of a POST_COLUMNS query; body_md when with_md. */
static void
post_read(struct arena *a, sqlite3_stmt *st, struct post *p, int with_md)
{
	memset(p, 0, sizeof(*p));
	p->id = sqlite3_column_int64(st, COL_ID);
	p->slug = posts_col_dup(a, st, COL_SLUG);
	p->title = posts_col_dup(a, st, COL_TITLE);
	p->author = posts_col_dup(a, st, COL_AUTHOR);
	p->published_at = (time_t)sqlite3_column_int64(st, COL_PUBLISHED);
	p->updated_at = (time_t)sqlite3_column_int64(st, COL_UPDATED);
	p->draft = sqlite3_column_int(st, COL_DRAFT);
	p->comments_open = sqlite3_column_int(st, COL_COMMENTS_OPEN);
	p->comment_count = sqlite3_column_int(st, COL_COMMENT_COUNT);
	p->like_count = sqlite3_column_int(st, COL_LIKE_COUNT);
	p->body_html = html_trust(posts_col_dup(a, st, COL_BODY_HTML));
	p->body_text = posts_col_dup(a, st, COL_BODY_TEXT);
	p->body_md = with_md ? posts_col_dup(a, st, COL_BODY_MD) : NULL;
}

/* A listed post into item (a db_fill_fn): ctx points to the snippet's column, or -1. */
static int
read_listed(void *ctx, sqlite3_stmt *st, struct arena *a, void *item)
{
	struct post *p = item;
	int snippet_col = *(const int *)ctx;

	post_read(a, st, p, 0);
	if (snippet_col >= 0)
		p->snippet = posts_col_dup(a, st, snippet_col);
	return DB_ROW_NEXT;
}

int
posts_read_list(struct db *db, struct arena *a, sqlite3_stmt *st, size_t limit,
	  int snippet_col, struct post_list *out)
{
	struct db_rows rows;

	memset(out, 0, sizeof(*out));
	db_rows_init(&rows, a, sizeof(*out->items), limit);
	if (db_rows(db, st, "listing posts", &rows, read_listed, &snippet_col) != STORE_OK ||
	    tags_load(db, a, rows.items, rows.len) != STORE_OK)
		return STORE_ERR;
	out->items = rows.items;
	out->len = rows.len;
	out->has_more = rows.more;
	return STORE_OK;
}

/* A post with its body into item (a db_fill_fn). */
static int
read_full(void *ctx, sqlite3_stmt *st, struct arena *a, void *item)
{
	post_read(a, st, item, 1);
	return DB_ROW_NEXT;
}

/* Read one post from a bound single-row query, with body and tags. */
static int
read_one(struct db *db, struct arena *a, sqlite3_stmt *st, struct post *out)
{
	int rc = db_row(db, st, "reading a post", a, out, sizeof(*out), read_full, NULL);

	return rc == STORE_OK ? tags_load(db, a, out, 1) : rc;
}

int
posts_get(struct db *db, struct arena *a, const char *slug, int include_drafts,
	  struct post *out)
{
	sqlite3_stmt *st = db_stmt(db, sql_get);

	if (st == NULL)
		return STORE_ERR;
	sqlite3_bind_text(st, 1, slug, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, include_drafts != 0);
	return read_one(db, a, st, out);
}

int
posts_get_by_id(struct db *db, struct arena *a, int64_t id, struct post *out)
{
	sqlite3_stmt *st = db_stmt(db, sql_get_by_id);

	if (st == NULL)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, id);
	return read_one(db, a, st, out);
}

int
posts_page(struct db *db, struct arena *a, const char *tag_slug, int page,
	   int per_page, struct post_list *out)
{
	sqlite3_stmt *st;
	int64_t offset;

	memset(out, 0, sizeof(*out));
	if (page < 1 || per_page < 1)
		return STORE_OK;
	offset = (int64_t)(page - 1) * per_page;
	if (tag_slug == NULL) {
		int64_t count;

		/* The kept count of published posts says which end is nearer. */
		if (posts_single_int(db, sql_count_published, &count) != STORE_OK)
			return STORE_ERR;
		if (offset >= count)
			return STORE_OK;
		if ((st = db_stmt(db, offset > count / 2 ? sql_page_from_oldest : sql_page)) == NULL)
			return STORE_ERR;
		sqlite3_bind_int64(st, 1, offset > count / 2 ? count - 1 - offset : offset);
		sqlite3_bind_int(st, 2, per_page + 1);
	} else {
		if ((st = tags_page_stmt(db, tag_slug, offset, per_page + 1)) == NULL)
			return STORE_ERR;
	}
	return posts_read_list(db, a, st, (size_t)per_page, -1, out);
}

int
posts_all(struct db *db, struct arena *a, struct post_list *out)
{
	sqlite3_stmt *st = db_stmt(db, sql_all);

	if (st == NULL) {
		memset(out, 0, sizeof(*out));
		return STORE_ERR;
	}
	return posts_read_list(db, a, st, 0, -1, out);
}

int
posts_latest(struct db *db, struct arena *a, int limit, struct post_list *out)
{
	sqlite3_stmt *st = db_stmt(db, sql_latest);

	memset(out, 0, sizeof(*out));
	if (limit < 1)
		return STORE_OK;
	if (st == NULL)
		return STORE_ERR;
	sqlite3_bind_int(st, 1, limit);
	return posts_read_list(db, a, st, (size_t)limit, -1, out);
}

int
posts_single_int(struct db *db, const char *sql, int64_t *out)
{
	sqlite3_stmt *st = db_stmt(db, sql);
	int rc;

	if (st == NULL)
		return STORE_ERR;
	rc = sqlite3_step(st);
	*out = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	if (rc != SQLITE_ROW) {
		db_log_error(db, "counting posts");
		return STORE_ERR;
	}
	return STORE_OK;
}

int
posts_published_extent(struct db *db, int64_t *max_id, int64_t *count)
{
	if (posts_single_int(db, sql_max_published, max_id) != STORE_OK)
		return STORE_ERR;
	return count == NULL ? STORE_OK : posts_single_int(db, sql_count_published, count);
}

/* A sitemap row into item, a struct post_stamp (a db_fill_fn). */
static int
read_stamp(void *ctx, sqlite3_stmt *st, struct arena *a, void *item)
{
	struct post_stamp *p = item;

	p->slug = arena_strdup(a, db_col_text(st, 0));
	p->modified = sqlite3_column_int64(st, 1);
	return DB_ROW_NEXT;
}

int
posts_stamps(struct db *db, struct arena *a, int64_t lo, int64_t hi, size_t limit,
	     struct post_stamp **out, size_t *len)
{
	sqlite3_stmt *st = db_stmt(db, sql_stamps);
	struct db_rows rows;

	*out = NULL;
	*len = 0;
	if (st == NULL)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, lo);
	sqlite3_bind_int64(st, 2, hi);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)limit);
	db_rows_init(&rows, a, sizeof(**out), 0);
	if (db_rows(db, st, "listing posts for the sitemap", &rows, read_stamp, NULL) != STORE_OK)
		return STORE_ERR;
	*out = rows.items;
	*len = rows.len;
	return STORE_OK;
}

/*
 * A post whose published_at is 0 is dated now when new and keeps its date
 * when updated.  updated_at is in->updated_at when given; otherwise the
 * publication date of a new post, unchanged when the title and text are,
 * and now when they changed.
 */
int
posts_save(struct db *db, const struct post_input *in, int64_t *id, int *created)
{
	const char *md = in->body_md ? in->body_md : "";
	size_t mdlen = strlen(md);
	time_t now = time(NULL), published = in->published_at, updated = 0;
	int64_t post_id = 0;
	sqlite3_stmt *st;
	int rc = STORE_ERR, found, nested;

	if (in->body_html.s == NULL || in->body_text == NULL) {
		log_error("posts_save: %s was not rendered", in->slug);
		return STORE_ERR;
	}
	if (write_begin(db, &nested) != STORE_OK)
		return STORE_ERR;
	if ((st = db_stmt(db, sql_find_slug)) == NULL)
		goto fail;
	sqlite3_bind_text(st, 1, in->slug, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, in->title, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, md, (int)mdlen, SQLITE_STATIC);
	found = sqlite3_step(st) == SQLITE_ROW;
	if (found) {
		post_id = sqlite3_column_int64(st, 0);
		if (published == 0)
			published = (time_t)sqlite3_column_int64(st, 1);
		/* The same title and text again (a re-import) is no update. */
		if (sqlite3_column_int(st, 3))
			updated = (time_t)sqlite3_column_int64(st, 2);
	}
	sqlite3_reset(st);
	if (published == 0)
		published = now;
	/* The post's own dates, not the time it was loaded: a given date, else
	 * the publication of a new post, else now for a changed one. */
	if (in->updated_at > 0)
		updated = in->updated_at;
	else if (!found)
		updated = published;
	else if (updated == 0)
		updated = now;
	if (updated < published)
		updated = published;
	if ((st = db_stmt(db, found ? sql_update : sql_insert)) == NULL)
		goto fail;
	if (found)
		sqlite3_bind_int64(st, 1, post_id);
	else
		sqlite3_bind_text(st, 1, in->slug, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, in->title, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, in->author ? in->author : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, (int64_t)published);
	sqlite3_bind_int64(st, 5, (int64_t)updated);
	sqlite3_bind_int(st, 6, in->draft != 0);
	sqlite3_bind_int(st, 7, in->comments_open != 0);
	sqlite3_bind_text(st, 8, md, (int)mdlen, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, in->body_html.s, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 10, in->body_text, -1, SQLITE_STATIC);
	if (db_exec_stmt(db, st) != STORE_OK)
		goto fail;
	if (!found)
		post_id = sqlite3_last_insert_rowid(db->handle);
	if (tags_save(db, post_id, in->tags, in->ntags) != STORE_OK ||
	    tags_prune(db) != STORE_OK)
		goto fail;
	if (write_commit(db, nested) != STORE_OK)
		goto fail;
	if (id)
		*id = post_id;
	if (created)
		*created = !found;
	return STORE_OK;
fail:
	write_rollback(db, nested);
	return rc;
}

int
posts_delete(struct db *db, const char *slug)
{
	sqlite3_stmt *st;
	int rc = STORE_ERR, nested;

	if (write_begin(db, &nested) != STORE_OK)
		return STORE_ERR;
	/* Its comments go with it, and stop being the classifier's examples. */
	if (spam_forget_post(db, slug) != STORE_OK || (st = db_stmt(db, sql_delete)) == NULL)
		goto fail;
	sqlite3_bind_text(st, 1, slug, -1, SQLITE_STATIC);
	if (db_exec_stmt(db, st) != STORE_OK)
		goto fail;
	if (sqlite3_changes(db->handle) == 0) {
		rc = STORE_NOTFOUND;
		goto fail;
	}
	if (tags_prune(db) != STORE_OK || write_commit(db, nested) != STORE_OK)
		goto fail;
	return STORE_OK;
fail:
	write_rollback(db, nested);
	return rc;
}

int
posts_set_comments_open(struct db *db, const char *slug, int open)
{
	sqlite3_stmt *st = db_stmt(db, sql_set_comments);

	if (st == NULL)
		return STORE_ERR;
	sqlite3_bind_int(st, 1, open != 0);
	sqlite3_bind_text(st, 2, slug, -1, SQLITE_STATIC);
	return db_exec_change(db, st);
}
