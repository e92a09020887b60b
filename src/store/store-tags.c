/* store-tags.c: tags in the database: a post's tags, one tag's page, every tag in use. */
#include "posts.h"

#include <string.h>

#include "buf.h"
#include "rows.h"
#include "store-posts-rows.h"
#include "text.h"

/*
 * Keyset pagination within one tag, as sql_page in store-posts.c does for
 * all posts, over post_tags_published (which carries each post's date and
 * state): a walk of the page's rows, however many posts the site or the
 * tag has.
 */
static const char sql_page_tag[] =
	"SELECT " POST_COLUMNS " FROM post_tags pt JOIN posts p ON p.id = pt.post_id "
	"WHERE pt.tag_id = (SELECT id FROM tags WHERE slug = ?1) AND pt.draft = 0 "
	"AND (pt.published_at, pt.post_id) <= "
	"(SELECT q.published_at, q.post_id FROM post_tags q "
	"WHERE q.tag_id = (SELECT id FROM tags WHERE slug = ?1) AND q.draft = 0 "
	"ORDER BY q.published_at DESC, q.post_id DESC LIMIT 1 OFFSET ?2) "
	"ORDER BY pt.published_at DESC, pt.post_id DESC LIMIT ?3";
static const char sql_tag_rows[] = "SELECT count(*) FROM tags";

/* Tags of a set of posts, given as a JSON array of ids (one query a page). */
static const char sql_tags_of[] =
	"SELECT pt.post_id, t.name, t.slug FROM post_tags pt "
	"JOIN tags t ON t.id = pt.tag_id "
	"WHERE pt.post_id IN (SELECT value FROM json_each(?)) "
	"ORDER BY pt.post_id, t.name COLLATE NOCASE";
/*
 * The same for one post (a post page, a comment's post), the same rows:
 * without the JSON array and its list, it costs a third.
 */
static const char sql_tags_of_one[] =
	"SELECT pt.post_id, t.name, t.slug FROM post_tags pt "
	"JOIN tags t ON t.id = pt.tag_id "
	"WHERE pt.post_id = ? "
	"ORDER BY t.name COLLATE NOCASE";
/* published_count is kept by triggers (sql/0010_tag_pages.sql): one row a tag. */
static const char sql_tag[] =
	"SELECT name, slug, published_count FROM tags WHERE slug = ? AND published_count > 0";
static const char sql_tags_all[] =
	"SELECT name, slug, published_count FROM tags WHERE published_count > 0 "
	"ORDER BY name COLLATE NOCASE, slug";

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

/* One post's tag as tags_load reads it. */
struct tag_row {
	int64_t post_id;
	const char *name, *slug;
};

/* A row of sql_tags_of into item, a struct tag_row (a db_fill_fn). */
static int
read_tag_row(void *ctx, sqlite3_stmt *st, struct arena *a, void *item)
{
	struct tag_row *r = item;

	r->post_id = sqlite3_column_int64(st, 0);
	r->name = posts_col_dup(a, st, 1);
	r->slug = posts_col_dup(a, st, 2);
	return DB_ROW_NEXT;
}

/*
 * Attach their tags to n posts with one query.  Posts keep tags = NULL and
 * ntags = 0 when they have none.  STORE_OK or STORE_ERR.
 */
int
tags_load(struct db *db, struct arena *a, struct post *items, size_t n)
{
	const struct tag_row *rows;
	struct db_rows read;
	size_t nrows, i, j, k;
	struct buf ids = BUF_INIT;
	sqlite3_stmt *st;
	int status = STORE_ERR;

	if (n == 0)
		return STORE_OK;
	if (n == 1) {
		if ((st = db_stmt(db, sql_tags_of_one)) == NULL)
			goto done;
		sqlite3_bind_int64(st, 1, items[0].id);
	} else {
		buf_putc(&ids, '[');
		for (i = 0; i < n; i++)
			buf_printf(&ids, "%s%lld", i ? "," : "", (long long)items[i].id);
		buf_putc(&ids, ']');
		if ((st = db_stmt(db, sql_tags_of)) == NULL)
			goto done;
		sqlite3_bind_text(st, 1, ids.data, (int)ids.len, SQLITE_STATIC);
	}
	db_rows_init(&read, a, sizeof(*rows), 0);
	if (db_rows(db, st, "loading tags", &read, read_tag_row, NULL) != STORE_OK)
		goto done;
	rows = read.items;
	nrows = read.len;
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

sqlite3_stmt *
tags_page_stmt(struct db *db, const char *tag_slug, int64_t offset, int limit)
{
	sqlite3_stmt *st = db_stmt(db, sql_page_tag);

	if (st == NULL)
		return NULL;
	sqlite3_bind_text(st, 1, tag_slug, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, offset);
	sqlite3_bind_int(st, 3, limit);
	return st;
}

int
posts_tag_rows(struct db *db, int64_t *n)
{
	return posts_single_int(db, sql_tag_rows, n);
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
		out->name = posts_col_dup(a, st, 0);
		out->slug = posts_col_dup(a, st, 1);
		out->count = sqlite3_column_int(st, 2);
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

/* A row of sql_tags_all into item, a struct tag (a db_fill_fn). */
static int
read_tag(void *ctx, sqlite3_stmt *st, struct arena *a, void *item)
{
	struct tag *t = item;

	t->name = posts_col_dup(a, st, 0);
	t->slug = posts_col_dup(a, st, 1);
	t->count = sqlite3_column_int(st, 2);
	return DB_ROW_NEXT;
}

int
posts_tags_all(struct db *db, struct arena *a, struct tag **out, size_t *len)
{
	sqlite3_stmt *st = db_stmt(db, sql_tags_all);
	struct db_rows rows;

	*out = NULL;
	*len = 0;
	if (st == NULL)
		return STORE_ERR;
	db_rows_init(&rows, a, sizeof(**out), 0);
	if (db_rows(db, st, "listing tags", &rows, read_tag, NULL) != STORE_OK)
		return STORE_ERR;
	*out = rows.items;
	*len = rows.len;
	return STORE_OK;
}

/* Replace the tags of post id with names (trimmed; empty slugs skipped). */
int
tags_save(struct db *db, int64_t id, const char *const *names, size_t n)
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
int
tags_prune(struct db *db)
{
	sqlite3_stmt *st = db_stmt(db, sql_tags_prune);

	return st ? db_exec_stmt(db, st) : STORE_ERR;
}
