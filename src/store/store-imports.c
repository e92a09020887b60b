/* store-imports.c: post_origins and comment_origins: re-imports that update, and old addresses that still lead somewhere. */
#include "imports.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "rows.h"
#include "spam.h"

static const char sql_post_lookup[] =
	"SELECT o.post_id, p.slug FROM post_origins o JOIN posts p ON p.id = o.post_id "
	"WHERE o.source = ? AND o.old_id = ?";
static const char sql_post_remember[] =
	"INSERT INTO post_origins (source, old_id, post_id, old_path, old_slug, old_date) "
	"VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (source, old_id) DO UPDATE SET "
	"post_id = excluded.post_id, old_path = excluded.old_path, "
	"old_slug = excluded.old_slug, old_date = excluded.old_date";
static const char sql_slug_owner[] =
	"SELECT EXISTS (SELECT 1 FROM post_origins o WHERE o.post_id = p.id) "
	"FROM posts p WHERE p.slug = ?";
static const char sql_comment_lookup[] =
	"SELECT comment_id FROM comment_origins WHERE source = ? AND old_id = ?";
static const char sql_comment_id_taken[] =
	"SELECT 1 FROM comments WHERE id = ?";
/* A comment trashed at the source goes to trash now, restored as pending. */
static const char sql_comment_insert[] =
	"INSERT INTO comments (id, post_id, parent_id, status, author, email, url, body_md,"
	" body_html, created_at, ip_hash, spam_reason, trashed_from, trashed_at)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12,"
	" CASE WHEN ?4 = 'trash' THEN 'pending' END, CASE WHEN ?4 = 'trash' THEN ?13 END)";
static const char sql_comment_update[] =
	"UPDATE comments SET post_id = ?2, parent_id = ?3, status = ?4, author = ?5,"
	" email = ?6, url = ?7, body_md = ?8, body_html = ?9, created_at = ?10,"
	" ip_hash = ?11, spam_reason = ?12,"
	" trashed_from = CASE WHEN ?4 = 'trash' THEN coalesce(trashed_from, 'pending') END,"
	" trashed_at = CASE WHEN ?4 = 'trash' THEN coalesce(trashed_at, ?13) END WHERE id = ?1";
static const char sql_comment_remember[] =
	"INSERT INTO comment_origins (source, old_id, comment_id) VALUES (?, ?, ?) "
	"ON CONFLICT (source, old_id) DO UPDATE SET comment_id = excluded.comment_id";
static const char sql_by_path[] =
	"SELECT p.slug FROM post_origins o JOIN posts p ON p.id = o.post_id "
	"WHERE o.old_path = ? AND p.draft = 0 ORDER BY o.old_id LIMIT 1";
static const char sql_by_slug[] =
	"SELECT p.slug FROM post_origins o JOIN posts p ON p.id = o.post_id "
	"WHERE o.old_slug = ?1 AND substr(o.old_date, 1, length(?2)) = ?2 AND p.draft = 0 "
	"ORDER BY o.old_id LIMIT 1";
static const char sql_by_id[] =
	"SELECT p.slug FROM post_origins o JOIN posts p ON p.id = o.post_id "
	"WHERE o.source = 'wordpress' AND o.old_id = ? AND p.draft = 0";
static const char sql_find_comment[] =
	"SELECT c.id, p.slug FROM comment_origins o JOIN comments c ON c.id = o.comment_id "
	"JOIN posts p ON p.id = c.post_id "
	"WHERE o.source = 'wordpress' AND o.old_id = ? AND c.status = 'approved' AND p.draft = 0";

/* Reset st after its one step, rc, and say what that step found. */
static int
step_done(struct db *db, sqlite3_stmt *st, int rc, const char *what)
{
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return STORE_OK;
	if (rc == SQLITE_DONE)
		return STORE_NOTFOUND;
	db_log_error(db, what);
	return STORE_ERR;
}

int
imports_post_lookup(struct db *db, struct arena *a, const char *source, int64_t old_id,
		    int64_t *post_id, const char **slug)
{
	sqlite3_stmt *st = db_stmt(db, sql_post_lookup);
	int rc;

	if (st == NULL)
		return STORE_ERR;
	sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, old_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*post_id = sqlite3_column_int64(st, 0);
		*slug = arena_strdup(a, db_col_text(st, 1));
	}
	return step_done(db, st, rc, "looking up an imported post");
}

int
imports_post_remember(struct db *db, const char *source, int64_t old_id, int64_t post_id,
		      const char *old_path, const char *old_slug, const char *old_date)
{
	sqlite3_stmt *st = db_stmt(db, sql_post_remember);

	if (st == NULL)
		return STORE_ERR;
	sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, old_id);
	sqlite3_bind_int64(st, 3, post_id);
	sqlite3_bind_text(st, 4, old_path, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, old_slug, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, old_date, -1, SQLITE_STATIC);
	return db_exec_stmt(db, st);
}

int
imports_slug_owner(struct db *db, const char *slug)
{
	sqlite3_stmt *st = db_stmt(db, sql_slug_owner);
	int rc, owner = 0;

	if (st == NULL)
		return STORE_ERR;
	sqlite3_bind_text(st, 1, slug, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		owner = sqlite3_column_int(st, 0) ? 2 : 1;
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		db_log_error(db, "looking up a slug");
		return STORE_ERR;
	}
	return owner;
}

int
imports_comment_lookup(struct db *db, const char *source, const char *old_id,
		       int64_t *comment_id)
{
	sqlite3_stmt *st = db_stmt(db, sql_comment_lookup);
	int rc;

	if (st == NULL)
		return STORE_ERR;
	sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, old_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*comment_id = sqlite3_column_int64(st, 0);
	return step_done(db, st, rc, "looking up an imported comment");
}

/* Is comment id taken?  1, 0, or STORE_ERR. */
static int
comment_id_taken(struct db *db, int64_t id)
{
	sqlite3_stmt *st = db_stmt(db, sql_comment_id_taken);
	int rc;

	if (st == NULL)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return STORE_ERR;
	return rc == SQLITE_ROW;
}

int
imports_comment_save(struct db *db, const char *source, const char *old_id,
		     int64_t prefer_id, struct comment *c, int *created)
{
	int64_t existing = 0, id = 0;
	sqlite3_stmt *st;
	int rc, taken;

	if (c->body_html.s == NULL) {
		log_error("imports_comment_save: the comment was not rendered");
		return STORE_ERR;
	}
	rc = imports_comment_lookup(db, source, old_id, &existing);
	if (rc == STORE_ERR)
		return STORE_ERR;
	*created = rc == STORE_NOTFOUND;
	if (!*created)
		id = existing;
	else if (prefer_id > 0) {
		if ((taken = comment_id_taken(db, prefer_id)) == STORE_ERR)
			return STORE_ERR;
		if (!taken)
			id = prefer_id;
	}
	/* A learned comment's counts follow its new text. */
	if (!*created && spam_text_changing(db, id) != STORE_OK)
		return STORE_ERR;
	if ((st = db_stmt(db, *created ? sql_comment_insert : sql_comment_update)) == NULL)
		return STORE_ERR;
	if (id > 0)
		sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, c->post_id);
	if (c->parent_id > 0 && c->parent_id != id)
		sqlite3_bind_int64(st, 3, c->parent_id);
	sqlite3_bind_text(st, 4, comment_status_name(c->status), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, c->author, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, c->email ? c->email : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, c->url ? c->url : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, c->body_md, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, c->body_html.s, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 10, (sqlite3_int64)c->created_at);
	sqlite3_bind_text(st, 11, c->ip_hash ? c->ip_hash : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 12, c->spam_reason ? c->spam_reason : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 13, (sqlite3_int64)time(NULL));
	rc = db_exec_stmt(db, st);
	if (rc != STORE_OK)
		return STORE_ERR;
	c->id = *created ? sqlite3_last_insert_rowid(db->handle) : id;
	if (!*created)
		return spam_text_changed(db, id);
	if ((st = db_stmt(db, sql_comment_remember)) == NULL)
		return STORE_ERR;
	sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, old_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, c->id);
	return db_exec_stmt(db, st);
}

int
imports_comment_set_parent(struct db *db, int64_t comment_id, int64_t parent_id)
{
	static const char sql[] = "UPDATE comments SET parent_id = ? WHERE id = ?";
	sqlite3_stmt *st = db_stmt(db, sql);

	if (st == NULL)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, parent_id);
	sqlite3_bind_int64(st, 2, comment_id);
	return db_exec_stmt(db, st);
}

/* Step st (bound by the caller) for one slug: STORE_OK with *slug in a, or STORE_NOTFOUND. */
static int
one_slug(struct db *db, sqlite3_stmt *st, struct arena *a, const char **slug)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW)
		*slug = arena_strdup(a, db_col_text(st, 0));
	return step_done(db, st, rc, "finding an old address");
}

int
imports_find_by_path(struct db *db, struct arena *a, const char *path, const char **slug)
{
	sqlite3_stmt *st = db_stmt(db, sql_by_path);

	if (st == NULL)
		return STORE_ERR;
	sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC);
	return one_slug(db, st, a, slug);
}

int
imports_find_by_slug(struct db *db, struct arena *a, const char *old_slug,
		     const char *date_prefix, const char **slug)
{
	sqlite3_stmt *st = db_stmt(db, sql_by_slug);

	if (st == NULL)
		return STORE_ERR;
	sqlite3_bind_text(st, 1, old_slug, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, date_prefix, -1, SQLITE_STATIC);
	return one_slug(db, st, a, slug);
}

int
imports_find_by_id(struct db *db, struct arena *a, int64_t old_id, const char **slug)
{
	sqlite3_stmt *st = db_stmt(db, sql_by_id);

	if (st == NULL)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, old_id);
	return one_slug(db, st, a, slug);
}

int
imports_find_comment(struct db *db, struct arena *a, int64_t old_id, int64_t *comment_id,
		     const char **slug)
{
	sqlite3_stmt *st = db_stmt(db, sql_find_comment);
	char id[24];
	int rc;

	if (st == NULL)
		return STORE_ERR;
	snprintf(id, sizeof(id), "%lld", (long long)old_id);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*comment_id = sqlite3_column_int64(st, 0);
		*slug = arena_strdup(a, db_col_text(st, 1));
	}
	return step_done(db, st, rc, "finding an old comment");
}

static int
fill_renumbered(void *ctx, sqlite3_stmt *st, struct arena *a, void *item)
{
	struct import_renumbered *r = item;

	(void)ctx;
	(void)a;
	r->comment_id = sqlite3_column_int64(st, 0);
	r->old_id = sqlite3_column_int64(st, 1);
	return DB_ROW_NEXT;
}

int
imports_renumbered(struct db *db, struct arena *a, int64_t post_id,
		   struct import_renumbered **out, size_t *n)
{
	/* Old ids are decimal text; only plain numbers that fit are anchors. */
	static const char sql[] =
		"SELECT o.comment_id, CAST(o.old_id AS INTEGER) FROM comments c"
		" JOIN comment_origins o ON o.comment_id = c.id"
		" WHERE c.post_id = ?1 AND o.source = 'wordpress' AND o.old_id GLOB '[1-9]*'"
		" AND o.old_id NOT GLOB '*[^0-9]*' AND length(o.old_id) <= 18"
		" AND CAST(o.old_id AS INTEGER) <> c.id"
		" AND CAST(o.old_id AS INTEGER) NOT IN (SELECT id FROM comments WHERE post_id = ?1)";
	sqlite3_stmt *st = db_stmt(db, sql);
	struct db_rows rows;
	int rc;

	*out = NULL;
	*n = 0;
	if (st == NULL)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, post_id);
	db_rows_init(&rows, a, sizeof(**out), 0);
	rc = db_rows(db, st, "finding renumbered comments", &rows, fill_renumbered, NULL);
	*out = rows.items;
	*n = rows.len;
	return rc;
}
