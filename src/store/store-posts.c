/* store-posts.c: posts and tags in the database: saving, listing, paging, searching. */
#include "posts.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "log.h"
#include "spam.h"
#include "text.h"
#include "utf8.h"

/* Search input limits: words beyond these are ignored. */
#define SEARCH_MAX_WORDS 20
#define SEARCH_MAX_BYTES 200

/*
 * The columns every post query selects, in the order post_read() expects.
 * Lists take the first twelve; single posts add body_md.
 */
#define POST_COLUMNS \
	"p.id, p.slug, p.title, p.author, p.published_at, p.updated_at, p.draft, " \
	"p.comments_open, p.comment_count, p.like_count, p.body_html, p.body_text"
/* The same shape without the bodies, for `parley post list`. */
#define POST_COLUMNS_BRIEF \
	"p.id, p.slug, p.title, p.author, p.published_at, p.updated_at, p.draft, " \
	"p.comments_open, p.comment_count, p.like_count, '', ''"

enum post_column {
	COL_ID, COL_SLUG, COL_TITLE, COL_AUTHOR, COL_PUBLISHED, COL_UPDATED, COL_DRAFT,
	COL_COMMENTS_OPEN, COL_COMMENT_COUNT, COL_LIKE_COUNT, COL_BODY_HTML, COL_BODY_TEXT,
	COL_BODY_MD, COL__MAX
};

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
static const char sql_page_tag[] =
	"SELECT " POST_COLUMNS " FROM posts p "
	"JOIN post_tags pt ON pt.post_id = p.id "
	"WHERE pt.tag_id = (SELECT id FROM tags WHERE slug = ?1) AND p.draft = 0 "
	"AND (p.published_at, p.id) <= "
	"(SELECT q.published_at, q.id FROM posts q JOIN post_tags qt ON qt.post_id = q.id "
	"WHERE qt.tag_id = (SELECT id FROM tags WHERE slug = ?1) AND q.draft = 0 "
	"ORDER BY q.published_at DESC, q.id DESC LIMIT 1 OFFSET ?2) "
	"ORDER BY p.published_at DESC, p.id DESC LIMIT ?3";
static const char sql_all[] =
	"SELECT " POST_COLUMNS_BRIEF " FROM posts p ORDER BY p.published_at DESC, p.id DESC";
static const char sql_latest[] =
	"SELECT " POST_COLUMNS " FROM posts p WHERE p.draft = 0 "
	"ORDER BY p.published_at DESC, p.id DESC LIMIT ?";
static const char sql_max_published[] =
	"SELECT coalesce(max(id), 0) FROM posts WHERE draft = 0";
static const char sql_tag_rows[] = "SELECT count(*) FROM tags";
static const char sql_count_published[] =
	"SELECT count(*) FROM posts WHERE draft = 0";
/*
 * "+draft": without it the planner walks posts_published (every published
 * post) and sorts, 85 ms a file at 100,000 posts; with it, the id range of
 * the primary key, 5 ms.
 */
static const char sql_stamps[] =
	"SELECT slug, max(published_at, updated_at) FROM posts "
	"WHERE id > ?1 AND id <= ?2 AND +draft = 0 ORDER BY id LIMIT ?3";
static const char sql_search[] =
	"SELECT " POST_COLUMNS ", "
	"snippet(posts_fts, 1, char(1), char(2), '\xe2\x80\xa6', 24) "
	"FROM posts_fts JOIN posts p ON p.id = posts_fts.rowid "
	"WHERE posts_fts MATCH ?1 AND posts_fts.rowid > ?4 AND p.draft = 0 "
	"ORDER BY bm25(posts_fts, 10.0, 1.0), p.published_at DESC LIMIT ?2 OFFSET ?3";
/*
 * The match just older than the newest SEARCH_RANK_MAX, if there is one: a
 * walk of the doclist by rowid, no scoring; ranking then starts above it.
 */
static const char sql_search_floor[] =
	"SELECT rowid FROM posts_fts WHERE posts_fts MATCH ?1 "
	"ORDER BY rowid DESC LIMIT 1 OFFSET ?2";

/* Tags of a set of posts, given as a JSON array of ids (one query a page). */
static const char sql_tags_of[] =
	"SELECT pt.post_id, t.name, t.slug FROM post_tags pt "
	"JOIN tags t ON t.id = pt.tag_id "
	"WHERE pt.post_id IN (SELECT value FROM json_each(?)) "
	"ORDER BY pt.post_id, t.name COLLATE NOCASE";
/* Existence, not a count: a count walks every post of a big tag. */
static const char sql_tag[] =
	"SELECT t.name, t.slug FROM tags t WHERE t.slug = ? AND EXISTS "
	"(SELECT 1 FROM post_tags pt JOIN posts p ON p.id = pt.post_id "
	"WHERE pt.tag_id = t.id AND p.draft = 0)";
static const char sql_tags_all[] =
	"SELECT t.name, t.slug, count(p.id) FROM tags t "
	"LEFT JOIN post_tags pt ON pt.tag_id = t.id "
	"LEFT JOIN posts p ON p.id = pt.post_id AND p.draft = 0 "
	"GROUP BY t.id HAVING count(p.id) > 0 ORDER BY t.name COLLATE NOCASE, t.slug";

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
static const char sql_untag[] =
	"DELETE FROM post_tags WHERE post_id = ?";
static const char sql_tag_upsert[] =
	"INSERT INTO tags (name, slug) VALUES (?, ?) "
	"ON CONFLICT (slug) DO UPDATE SET name = excluded.name RETURNING id";
static const char sql_tag_link[] =
	"INSERT OR IGNORE INTO post_tags (post_id, tag_id) VALUES (?, ?)";
static const char sql_tags_prune[] =
	"DELETE FROM tags WHERE NOT EXISTS "
	"(SELECT 1 FROM post_tags pt WHERE pt.tag_id = tags.id)";
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

/* A text column copied into the arena ("" for NULL). */
static const char *
col_dup(struct arena *a, sqlite3_stmt *st, int col)
{
	return arena_strndup(a, db_col_text(st, col), (size_t)sqlite3_column_bytes(st, col));
}

/* Fill p from the current row of a POST_COLUMNS query; body_md when with_md. */
static void
post_read(struct arena *a, sqlite3_stmt *st, struct post *p, int with_md)
{
	memset(p, 0, sizeof(*p));
	p->id = sqlite3_column_int64(st, COL_ID);
	p->slug = col_dup(a, st, COL_SLUG);
	p->title = col_dup(a, st, COL_TITLE);
	p->author = col_dup(a, st, COL_AUTHOR);
	p->published_at = (time_t)sqlite3_column_int64(st, COL_PUBLISHED);
	p->updated_at = (time_t)sqlite3_column_int64(st, COL_UPDATED);
	p->draft = sqlite3_column_int(st, COL_DRAFT);
	p->comments_open = sqlite3_column_int(st, COL_COMMENTS_OPEN);
	p->comment_count = sqlite3_column_int(st, COL_COMMENT_COUNT);
	p->like_count = sqlite3_column_int(st, COL_LIKE_COUNT);
	p->body_html = html_trust(col_dup(a, st, COL_BODY_HTML));
	p->body_text = col_dup(a, st, COL_BODY_TEXT);
	p->body_md = with_md ? col_dup(a, st, COL_BODY_MD) : NULL;
}

/*
 * Attach their tags to n posts with one query.  Posts keep tags = NULL and
 * ntags = 0 when they have none.  STORE_OK or STORE_ERR.
 */
static int
load_tags(struct db *db, struct arena *a, struct post *items, size_t n)
{
	struct row { int64_t post_id; const char *name, *slug; } *rows = NULL;
	size_t nrows = 0, cap = 0, i, j, k;
	struct buf ids = BUF_INIT;
	sqlite3_stmt *st;
	int rc, status = STORE_ERR;

	if (n == 0)
		return STORE_OK;
	buf_putc(&ids, '[');
	for (i = 0; i < n; i++)
		buf_printf(&ids, "%s%lld", i ? "," : "", (long long)items[i].id);
	buf_putc(&ids, ']');
	if ((st = db_stmt(db, sql_tags_of)) == NULL)
		goto done;
	sqlite3_bind_text(st, 1, ids.data, (int)ids.len, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (nrows == cap)
			rows = arena_grow(a, rows, nrows, &cap,
						sizeof(*rows));
		rows[nrows].post_id = sqlite3_column_int64(st, 0);
		rows[nrows].name = col_dup(a, st, 1);
		rows[nrows].slug = col_dup(a, st, 2);
		nrows++;
	}
	if (rc != SQLITE_DONE) {
		db_log_error(db, "loading tags");
		sqlite3_reset(st);
		goto done;
	}
	sqlite3_reset(st);
	for (i = 0; i < n; i++) {
		size_t count = 0;
		for (j = 0; j < nrows; j++)
			count += rows[j].post_id == items[i].id;
		items[i].tags = NULL;
		items[i].ntags = 0;
		if (count == 0)
			continue;
		items[i].tags = arena_zalloc(a, count * sizeof(struct tag));
		for (j = 0, k = 0; j < nrows; j++) {
			if (rows[j].post_id != items[i].id)
				continue;
			items[i].tags[k].name = rows[j].name;
			items[i].tags[k].slug = rows[j].slug;
			k++;
		}
		items[i].ntags = count;
	}
	status = STORE_OK;
done:
	buf_free(&ids);
	return status;
}

/*
 * Step a bound list query into out (items in the arena).  At most limit rows
 * are kept (0 for no limit); a row beyond the limit sets has_more.  When
 * snippet_col >= 0 that column is the FTS5 snippet.
 */
static int
read_list(struct db *db, struct arena *a, sqlite3_stmt *st, size_t limit,
	  int snippet_col, struct post_list *out)
{
	size_t cap = limit ? limit : 32;
	int rc;

	memset(out, 0, sizeof(*out));
	out->items = arena_zalloc(a, cap * sizeof(*out->items));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (limit && out->len == limit) {
			out->has_more = 1;
			continue;
		}
		if (out->len == cap) {
			struct post *grown = arena_zalloc(a, cap * 2 * sizeof(*grown));
			memcpy(grown, out->items, cap * sizeof(*grown));
			out->items = grown;
			cap *= 2;
		}
		post_read(a, st, &out->items[out->len], 0);
		if (snippet_col >= 0)
			out->items[out->len].snippet = col_dup(a, st, snippet_col);
		out->len++;
	}
	if (rc != SQLITE_DONE) {
		db_log_error(db, "listing posts");
		sqlite3_reset(st);
		memset(out, 0, sizeof(*out));
		return STORE_ERR;
	}
	sqlite3_reset(st);
	if (load_tags(db, a, out->items, out->len) != STORE_OK) {
		memset(out, 0, sizeof(*out));
		return STORE_ERR;
	}
	return STORE_OK;
}

/* Read one post from a bound single-row query, with body and tags. */
static int
read_one(struct db *db, struct arena *a, sqlite3_stmt *st, struct post *out)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_DONE) {
		sqlite3_reset(st);
		return STORE_NOTFOUND;
	}
	if (rc != SQLITE_ROW) {
		db_log_error(db, "reading a post");
		sqlite3_reset(st);
		return STORE_ERR;
	}
	post_read(a, st, out, 1);
	sqlite3_reset(st);
	return load_tags(db, a, out, 1);
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
		if ((st = db_stmt(db, sql_page)) == NULL)
			return STORE_ERR;
		sqlite3_bind_int64(st, 1, offset);
		sqlite3_bind_int(st, 2, per_page + 1);
	} else {
		if ((st = db_stmt(db, sql_page_tag)) == NULL)
			return STORE_ERR;
		sqlite3_bind_text(st, 1, tag_slug, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, offset);
		sqlite3_bind_int(st, 3, per_page + 1);
	}
	return read_list(db, a, st, (size_t)per_page, -1, out);
}

int
posts_all(struct db *db, struct arena *a, struct post_list *out)
{
	sqlite3_stmt *st = db_stmt(db, sql_all);

	if (st == NULL) {
		memset(out, 0, sizeof(*out));
		return STORE_ERR;
	}
	return read_list(db, a, st, 0, -1, out);
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
	return read_list(db, a, st, (size_t)limit, -1, out);
}

/* One integer from a statement without parameters. */
static int
single_int(struct db *db, const char *sql, int64_t *out)
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
	if (single_int(db, sql_max_published, max_id) != STORE_OK)
		return STORE_ERR;
	return count == NULL ? STORE_OK : single_int(db, sql_count_published, count);
}

int
posts_tag_rows(struct db *db, int64_t *n)
{
	return single_int(db, sql_tag_rows, n);
}

int
posts_stamps(struct db *db, struct arena *a, int64_t lo, int64_t hi, size_t limit,
	     struct post_stamp **out, size_t *len)
{
	sqlite3_stmt *st = db_stmt(db, sql_stamps);
	size_t cap = 64;
	int rc;

	*out = NULL;
	*len = 0;
	if (st == NULL)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, lo);
	sqlite3_bind_int64(st, 2, hi);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)limit);
	*out = arena_zalloc(a, cap * sizeof(**out));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*len == cap) {
			struct post_stamp *grown = arena_zalloc(a, cap * 2 * sizeof(*grown));

			memcpy(grown, *out, cap * sizeof(*grown));
			*out = grown;
			cap *= 2;
		}
		(*out)[*len].slug = arena_strdup(a, db_col_text(st, 0));
		(*out)[*len].modified = sqlite3_column_int64(st, 1);
		(*len)++;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		db_log_error(db, "listing posts for the sitemap");
		*out = NULL;
		*len = 0;
		return STORE_ERR;
	}
	return STORE_OK;
}

/*
 * The reader's words as an FTS5 query: each whitespace-separated word a
 * double-quoted string (inner quotes doubled), so no FTS5 syntax survives.
 * At most SEARCH_MAX_WORDS words from the first SEARCH_MAX_BYTES bytes.
 * Returns the query in the arena, or NULL when there is nothing to search.
 */
static char *
search_query(struct arena *a, const char *words)
{
	struct buf q = BUF_INIT;
	size_t len = strlen(words), i = 0, nwords = 0;
	char *query = NULL;

	if (len > SEARCH_MAX_BYTES) {
		len = SEARCH_MAX_BYTES;
		/* Do not cut a UTF-8 sequence in half. */
		while (len > 0 && ((unsigned char)words[len] & 0xc0) == 0x80)
			len--;
	}
	if (!utf8_valid_text(words, len))
		return NULL;
	while (i < len && nwords < SEARCH_MAX_WORDS) {
		size_t start;

		while (i < len && strchr(" \t\r\n", words[i]) != NULL)
			i++;
		if (i == len)
			break;
		start = i;
		while (i < len && strchr(" \t\r\n", words[i]) == NULL)
			i++;
		if (nwords++)
			buf_putc(&q, ' ');
		buf_putc(&q, '"');
		for (; start < i; start++) {
			if (words[start] == '"')
				buf_putc(&q, '"');
			buf_putc(&q, words[start]);
		}
		buf_putc(&q, '"');
	}
	if (nwords > 0)
		query = arena_strndup(a, q.data, q.len);
	buf_free(&q);
	return query;
}

int
posts_search(struct db *db, struct arena *a, const char *words, int page,
	     int per_page, struct post_list *out)
{
	sqlite3_stmt *st;
	char *query;
	int64_t floor;
	int rc;

	memset(out, 0, sizeof(*out));
	if (page < 1 || per_page < 1 || words == NULL ||
	    (query = search_query(a, words)) == NULL)
		return STORE_OK;
	if ((st = db_stmt(db, sql_search_floor)) == NULL)
		return STORE_ERR;
	sqlite3_bind_text(st, 1, query, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, SEARCH_RANK_MAX);
	rc = sqlite3_step(st);
	floor = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		db_log_error(db, "bounding a search");
		return STORE_ERR;
	}
	if ((st = db_stmt(db, sql_search)) == NULL)
		return STORE_ERR;
	sqlite3_bind_text(st, 1, query, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, per_page + 1);
	sqlite3_bind_int64(st, 3, (int64_t)(page - 1) * per_page);
	sqlite3_bind_int64(st, 4, floor);
	rc = read_list(db, a, st, (size_t)per_page, COL_BODY_MD, out);
	out->cut = rc == STORE_OK && floor > 0;
	return rc;
}

int
posts_tag(struct db *db, struct arena *a, const char *tag_slug, struct tag *out)
{
	sqlite3_stmt *st = db_stmt(db, sql_tag);
	int rc;

	memset(out, 0, sizeof(*out));
	if (st == NULL)
		return STORE_ERR;
	sqlite3_bind_text(st, 1, tag_slug, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->name = col_dup(a, st, 0);
		out->slug = col_dup(a, st, 1);
		rc = STORE_OK;
	} else if (rc == SQLITE_DONE)
		rc = STORE_NOTFOUND;
	else {
		db_log_error(db, "reading a tag");
		rc = STORE_ERR;
	}
	sqlite3_reset(st);
	return rc;
}

int
posts_tags_all(struct db *db, struct arena *a, struct tag **out, size_t *len)
{
	sqlite3_stmt *st = db_stmt(db, sql_tags_all);
	size_t cap = 32;
	int rc;

	*out = NULL;
	*len = 0;
	if (st == NULL)
		return STORE_ERR;
	*out = arena_zalloc(a, cap * sizeof(**out));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*len == cap) {
			struct tag *grown = arena_zalloc(a, cap * 2 * sizeof(*grown));
			memcpy(grown, *out, cap * sizeof(*grown));
			*out = grown;
			cap *= 2;
		}
		(*out)[*len].name = col_dup(a, st, 0);
		(*out)[*len].slug = col_dup(a, st, 1);
		(*out)[*len].count = sqlite3_column_int(st, 2);
		(*len)++;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		db_log_error(db, "listing tags");
		*len = 0;
		return STORE_ERR;
	}
	return STORE_OK;
}

/* Replace the tags of post id with names (trimmed; empty slugs skipped). */
static int
save_tags(struct db *db, int64_t id, const char *const *names, size_t n)
{
	struct arena a;
	sqlite3_stmt *st;
	size_t i;
	int rc = STORE_ERR;

	arena_init(&a);
	if ((st = db_stmt(db, sql_untag)) == NULL)
		goto done;
	sqlite3_bind_int64(st, 1, id);
	if (db_exec_stmt(db, st) != STORE_OK)
		goto done;
	for (i = 0; i < n; i++) {
		const char *name = names[i], *end;
		char *trimmed, *slug;
		int64_t tag_id;

		while (*name == ' ' || *name == '\t')
			name++;
		end = name + strlen(name);
		while (end > name && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		trimmed = arena_strndup(&a, name, (size_t)(end - name));
		slug = slugify(&a, trimmed);
		if (*slug == '\0')
			continue;
		if ((st = db_stmt(db, sql_tag_upsert)) == NULL)
			goto done;
		sqlite3_bind_text(st, 1, trimmed, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, slug, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_ROW) {
			db_log_error(db, "saving a tag");
			sqlite3_reset(st);
			goto done;
		}
		tag_id = sqlite3_column_int64(st, 0);
		if (db_exec_stmt(db, st) != STORE_OK)   /* finish the RETURNING statement */
			goto done;
		if ((st = db_stmt(db, sql_tag_link)) == NULL)
			goto done;
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int64(st, 2, tag_id);
		if (db_exec_stmt(db, st) != STORE_OK)
			goto done;
	}
	rc = STORE_OK;
done:
	arena_free(&a);
	return rc;
}

/* Remove tags no post carries any more. */
static int
prune_tags(struct db *db)
{
	sqlite3_stmt *st = db_stmt(db, sql_tags_prune);

	return st ? db_exec_stmt(db, st) : STORE_ERR;
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
	if (save_tags(db, post_id, in->tags, in->ntags) != STORE_OK ||
	    prune_tags(db) != STORE_OK)
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
	if (prune_tags(db) != STORE_OK || write_commit(db, nested) != STORE_OK)
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
