/* store-export.c: the tables of `parley export` and `import-json`, and the render pass after an import. */
#include "export.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"

/* Dates are written as RFC 3339 UTC and read back with SQLite's own parser. */
#define DATE_OUT(col) "strftime('%Y-%m-%dT%H:%M:%SZ', " col ", 'unixepoch')"
#define DATE_IN(param) "CAST(strftime('%s', " param ") AS INTEGER)"

static const char *const tags_insert[] = {
	"INSERT INTO tags (name, slug) VALUES (:name, :slug)", NULL
};
static const char *const posts_json[] = { "tags", NULL };
static const char *const posts_insert[] = {
	/* Rendered by export_render_all once every row is in. */
	"INSERT INTO posts (slug, title, author, published_at, updated_at, draft, comments_open,"
	" body_md, body_html, body_text) VALUES (:slug, :title, :author, " DATE_IN(":date") ", "
	DATE_IN(":updated") ", :draft, CASE :comments WHEN 'open' THEN 1 WHEN 'closed' THEN 0 END,"
	" :body, '', '')",
	"INSERT INTO post_tags (post_id, tag_id) SELECT p.id, t.id FROM posts p, json_each(:tags) j"
	" JOIN tags t ON t.slug = j.value WHERE p.slug = :slug",
	NULL
};
static const char *const comments_insert[] = {
	"INSERT INTO comments (id, post_id, parent_id, status, author, email, url, body_md,"
	" body_html, created_at, ip_hash, spam_reason, by_author, edited_at, trashed_from,"
	" trashed_at) VALUES (:id, (SELECT id FROM posts WHERE slug = :post), :parent, :status,"
	" :author, :email, :url, :body, '', " DATE_IN(":date") ", :ip_hash, :spam_reason,"
	" :by_author, " DATE_IN(":edited") ", :trashed_from, " DATE_IN(":trashed") ")",
	NULL
};
static const char *const post_origins_insert[] = {
	"INSERT INTO post_origins (source, old_id, post_id, old_path, old_slug, old_date)"
	" VALUES (:source, :old_id, (SELECT id FROM posts WHERE slug = :post), :old_path,"
	" :old_slug, :old_date)", NULL
};
static const char *const comment_origins_insert[] = {
	"INSERT INTO comment_origins (source, old_id, comment_id) VALUES (:source, :old_id,"
	" :comment)", NULL
};
/* Only moderation rules: the site secret is never exported nor imported. */
static const char *const rules_insert[] = {
	"INSERT INTO settings (key, value) SELECT :key, :value WHERE :key LIKE 'rule.%'"
	" ON CONFLICT (key) DO UPDATE SET value = excluded.value", NULL
};
static const char *const likes_insert[] = {
	"INSERT INTO likes (post_id, ip_hash, created_at) VALUES ((SELECT id FROM posts WHERE"
	" slug = :post), :ip_hash, " DATE_IN(":date") ")", NULL
};
/* Mail subscribers (confirmed or not) and what each follows. */
static const char *const subscribers_json[] = { "follows", NULL };
static const char *const subscribers_insert[] = {
	"INSERT INTO subscribers (email, created_at, confirmed_at) VALUES (:email, "
	DATE_IN(":date") ", " DATE_IN(":confirmed") ")",
	"INSERT INTO subscriptions (subscriber_id, kind, post_id, created_at)"
	" SELECT u.id, json_extract(j.value, '$.kind'), p.id,"
	" " DATE_IN("json_extract(j.value, '$.date')") " FROM subscribers u, json_each(:follows) j"
	" LEFT JOIN posts p ON p.slug = json_extract(j.value, '$.post') WHERE u.email = :email",
	NULL
};
/* The classifier's decisions; its token counts are rebuilt from them after an import. */
static const char *const comment_spam_insert[] = {
	"INSERT INTO comment_spam (comment_id, probability, form_seconds, learned)"
	" VALUES (:comment, :probability, :form_seconds, :learned)", NULL
};
static const char *const blocks_insert[] = {
	"INSERT INTO blocks (kind, value, created_at) VALUES (:kind, :value, " DATE_IN(":date") ")",
	NULL
};

#define COMMENT_FIELDS \
	"SELECT c.id AS id, p.slug AS post, c.parent_id AS parent, c.status AS status," \
	" c.author AS author, c.email AS email, c.url AS url, c.body_md AS body," \
	" " DATE_OUT("c.created_at") " AS date, c.ip_hash AS ip_hash," \
	" c.spam_reason AS spam_reason, c.by_author AS by_author," \
	" " DATE_OUT("c.edited_at") " AS edited, c.trashed_from AS trashed_from," \
	" " DATE_OUT("c.trashed_at") " AS trashed" \
	" FROM comments c JOIN posts p ON p.id = c.post_id"

static const struct export_section site_sections[] = {
	{ "tags", "SELECT name, slug FROM tags ORDER BY slug", NULL, tags_insert },
	{ "posts",
	  "SELECT p.slug AS slug, p.title AS title, p.author AS author,"
	  " " DATE_OUT("p.published_at") " AS date, " DATE_OUT("p.updated_at") " AS updated,"
	  " p.draft AS draft, CASE p.comments_open WHEN 1 THEN 'open' ELSE 'closed' END AS comments,"
	  " (SELECT json_group_array(slug) FROM (SELECT t.slug FROM post_tags pt"
	  " JOIN tags t ON t.id = pt.tag_id WHERE pt.post_id = p.id ORDER BY t.slug)) AS tags,"
	  " p.body_md AS body FROM posts p ORDER BY p.slug",
	  posts_json, posts_insert },
	{ "comments", COMMENT_FIELDS " ORDER BY c.id", NULL, comments_insert },
	{ "post_origins",
	  "SELECT o.source AS source, o.old_id AS old_id, p.slug AS post, o.old_path AS old_path,"
	  " o.old_slug AS old_slug, o.old_date AS old_date FROM post_origins o"
	  " JOIN posts p ON p.id = o.post_id ORDER BY o.source, o.old_id",
	  NULL, post_origins_insert },
	{ "comment_origins",
	  "SELECT source, old_id, comment_id AS comment FROM comment_origins"
	  " ORDER BY source, old_id", NULL, comment_origins_insert },
	{ "rules", "SELECT key, value FROM settings WHERE key LIKE 'rule.%' ORDER BY key",
	  NULL, rules_insert },
	{ "blocks", "SELECT kind, value, " DATE_OUT("created_at") " AS date FROM blocks"
	  " ORDER BY kind, value", NULL, blocks_insert },
	{ "subscribers",
	  "SELECT u.email AS email, " DATE_OUT("u.created_at") " AS date,"
	  " " DATE_OUT("u.confirmed_at") " AS confirmed,"
	  " (SELECT json_group_array(json_object('kind', kind, 'post', slug, 'date', date)) FROM"
	  " (SELECT s.kind AS kind, p.slug AS slug, " DATE_OUT("s.created_at") " AS date"
	  " FROM subscriptions s LEFT JOIN posts p ON p.id = s.post_id"
	  " WHERE s.subscriber_id = u.id ORDER BY s.kind, p.slug)) AS follows"
	  " FROM subscribers u ORDER BY u.email", subscribers_json, subscribers_insert },
	{ "comment_spam",
	  "SELECT comment_id AS comment, probability, form_seconds, learned FROM comment_spam"
	  " ORDER BY comment_id", NULL, comment_spam_insert },
	{ "likes", "SELECT p.slug AS post, l.ip_hash AS ip_hash, " DATE_OUT("l.created_at")
	  " AS date FROM likes l JOIN posts p ON p.id = l.post_id"
	  " ORDER BY p.slug, l.created_at, l.ip_hash, l.id", NULL, likes_insert },
};

const struct export_section *
export_site_sections(size_t *n)
{
	*n = sizeof(site_sections) / sizeof(site_sections[0]);
	return site_sections;
}

int
export_database_empty(struct db *db)
{
	static const char sql[] =
		"SELECT NOT EXISTS (SELECT 1 FROM posts) AND NOT EXISTS (SELECT 1 FROM comments)";
	sqlite3_stmt *st = db_stmt(db, sql);
	int empty;

	if (st == NULL)
		return STORE_ERR;
	if (sqlite3_step(st) != SQLITE_ROW) {
		db_log_error(db, "checking the database is empty");
		sqlite3_reset(st);
		return STORE_ERR;
	}
	empty = sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	return empty;
}

int
export_import_begin(struct db *db)
{
	if (db_begin(db) != STORE_OK)
		return STORE_ERR;
	return db_exec(db, "PRAGMA defer_foreign_keys = ON");
}

int
export_section_rows(struct db *db, const struct export_section *s, export_row_fn row, void *ctx)
{
	sqlite3_stmt *st = db_stmt(db, s->select_sql);
	struct export_value *columns;
	int rc, i, n, stop = 0;

	if (st == NULL)
		return STORE_ERR;
	n = sqlite3_column_count(st);
	if ((columns = calloc((size_t)n + 1, sizeof(*columns))) == NULL) {
		log_error("out of memory");
		return STORE_ERR;
	}
	while (stop == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (i = 0; i < n; i++) {
			struct export_value *v = &columns[i];

			v->name = sqlite3_column_name(st, i);
			switch (sqlite3_column_type(st, i)) {
			case SQLITE_NULL:
				v->type = EXPORT_NULL;
				break;
			case SQLITE_INTEGER:
				v->type = EXPORT_INTEGER;
				v->integer = sqlite3_column_int64(st, i);
				break;
			case SQLITE_FLOAT:
				v->type = EXPORT_REAL;
				v->real = sqlite3_column_double(st, i);
				break;
			default:
				v->type = EXPORT_TEXT;
				v->text = db_col_text(st, i);
				v->len = (size_t)sqlite3_column_bytes(st, i);
				break;
			}
		}
		stop = row(ctx, columns, n);
	}
	sqlite3_reset(st);
	free(columns);
	if (stop != 0)
		return stop;
	if (rc != SQLITE_DONE) {
		db_log_error(db, s->name);
		return STORE_ERR;
	}
	return STORE_OK;
}

/* Bind every ":field" of st from field.  0, or -1 with the missing field's name in *missing. */
static int
bind_fields(sqlite3_stmt *st, export_field_fn field, void *ctx, const char **missing)
{
	int i, n = sqlite3_bind_parameter_count(st);

	for (i = 1; i <= n; i++) {
		const char *name = sqlite3_bind_parameter_name(st, i);
		struct export_value v = { 0 };

		if (name == NULL || field(ctx, name + 1, &v) != 0) {
			*missing = name ? name + 1 : "?";
			return -1;
		}
		switch (v.type) {
		case EXPORT_TEXT:
			sqlite3_bind_text(st, i, v.text, (int)v.len, SQLITE_TRANSIENT);
			break;
		case EXPORT_INTEGER:
			sqlite3_bind_int64(st, i, (sqlite3_int64)v.integer);
			break;
		case EXPORT_REAL:
			sqlite3_bind_double(st, i, v.real);
			break;
		default:
			sqlite3_bind_null(st, i);
			break;
		}
	}
	return 0;
}

int
export_insert_object(struct db *db, const struct export_section *s, export_field_fn field,
		     void *ctx, const char **missing, const char **why)
{
	const char *const *sql;

	for (sql = s->insert_sql; *sql != NULL; sql++) {
		sqlite3_stmt *st = db_stmt(db, *sql);
		int rc;

		if (st == NULL) {
			*why = NULL;
			return STORE_ERR;
		}
		if (bind_fields(st, field, ctx, missing) != 0) {
			sqlite3_reset(st);
			sqlite3_clear_bindings(st);
			return STORE_NOTFOUND;
		}
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_DONE) {
			*why = sqlite3_errmsg(db->handle);
			return STORE_ERR;
		}
	}
	return STORE_OK;
}

/*
 * Render each row's Markdown: select yields (id, markdown); update takes
 * (html, [text,] id), text for posts (comment 0).
 */
static int
render_rows(struct db *db, const char *select, const char *update, int comment,
	    export_render_fn render, void *ctx)
{
	sqlite3_stmt *st, *up;
	struct arena a;
	int rc;

	if ((st = db_stmt(db, select)) == NULL)
		return STORE_ERR;
	arena_init(&a);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *md = db_col_text(st, 1), *text = NULL;
		size_t len = (size_t)sqlite3_column_bytes(st, 1);
		int64_t id = sqlite3_column_int64(st, 0);
		struct html html = html_trust(NULL);

		arena_reset(&a);
		render(ctx, &a, md, len, comment, &html, comment ? NULL : &text);
		if (html.s == NULL || (!comment && text == NULL) ||
		    (up = db_stmt(db, update)) == NULL) {
			sqlite3_reset(st);
			arena_free(&a);
			return STORE_ERR;
		}
		sqlite3_bind_text(up, 1, html.s, -1, SQLITE_STATIC);
		if (!comment)
			sqlite3_bind_text(up, 2, text, -1, SQLITE_STATIC);
		sqlite3_bind_int64(up, comment ? 2 : 3, id);
		rc = db_exec_stmt(db, up);
		if (rc != STORE_OK) {
			sqlite3_reset(st);
			arena_free(&a);
			return STORE_ERR;
		}
	}
	arena_free(&a);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		db_log_error(db, "rendering imported rows");
		return STORE_ERR;
	}
	return STORE_OK;
}

int
export_render_all(struct db *db, export_render_fn render, void *ctx)
{
	static const char posts_select[] = "SELECT id, body_md FROM posts ORDER BY id";
	static const char posts_update[] =
		"UPDATE posts SET body_html = ?, body_text = ? WHERE id = ?";
	static const char comments_select[] = "SELECT id, body_md FROM comments ORDER BY id";
	static const char comments_update[] = "UPDATE comments SET body_html = ? WHERE id = ?";

	if (render_rows(db, posts_select, posts_update, 0, render, ctx) != STORE_OK)
		return STORE_ERR;
	return render_rows(db, comments_select, comments_update, 1, render, ctx);
}
