/* store-audit.c: the moderation audit log: append a row, read a page newest first. */
#include "audit.h"

#include <string.h>
#include <strings.h>

#include "buf.h"
#include "log.h"
#include "rows.h"
#include "text.h"

int
audit_add(struct db *db, time_t at, const char *user_name, const char *action,
	  int64_t comment_id, const char *detail)
{
	return audit_add_change(db, at, user_name, action, comment_id, "", detail, NULL);
}

int
audit_add_change(struct db *db, time_t at, const char *user_name, const char *action,
		 int64_t comment_id, const char *status_before, const char *detail, int64_t *id)
{
	static const char sql[] =
		"INSERT INTO audit (at, user_name, action, comment_id, detail, status_before)"
		" VALUES (?, ?, ?, ?, ?, ?)";
	sqlite3_stmt *st = db_stmt(db, sql);
	int rc;

	if (st == NULL)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)at);
	sqlite3_bind_text(st, 2, user_name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, action, -1, SQLITE_STATIC);
	if (comment_id > 0)
		sqlite3_bind_int64(st, 4, comment_id);
	else
		sqlite3_bind_null(st, 4);
	sqlite3_bind_text(st, 5, detail ? detail : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, status_before ? status_before : "", -1, SQLITE_STATIC);
	if ((rc = db_exec_stmt(db, st)) == STORE_OK && id != NULL)
		*id = sqlite3_last_insert_rowid(db->handle);
	return rc;
}

/* The columns audit queries read, in read_entry's order. */
#define AUDIT_COLUMNS "id, at, user_name, action, coalesce(comment_id, 0), detail, status_before"

/* One row of AUDIT_COLUMNS into item, a struct audit_entry (a db_fill_fn). */
static int
read_entry(void *ctx, sqlite3_stmt *st, struct arena *a, void *item)
{
	struct audit_entry *e = item;

	e->id = sqlite3_column_int64(st, 0);
	e->at = (time_t)sqlite3_column_int64(st, 1);
	e->user_name = arena_strdup(a, db_col_text(st, 2));
	e->action = arena_strdup(a, db_col_text(st, 3));
	e->comment_id = sqlite3_column_int64(st, 4);
	e->detail = arena_strdup(a, db_col_text(st, 5));
	e->status_before = arena_strdup(a, db_col_text(st, 6));
	return DB_ROW_NEXT;
}

int
audit_get(struct db *db, struct arena *a, int64_t id, struct audit_entry *out)
{
	static const char sql[] = "SELECT " AUDIT_COLUMNS " FROM audit WHERE id = ?";
	sqlite3_stmt *st = db_stmt(db, sql);

	if (st == NULL)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, id);
	return db_row(db, st, "reading an audit entry", a, out, sizeof(*out), read_entry, NULL);
}

int
audit_page(struct db *db, struct arena *a, int page, int per_page, struct audit_list *out)
{
	static const char sql[] =
		"SELECT " AUDIT_COLUMNS " FROM audit"
		" ORDER BY at DESC, id DESC LIMIT ? OFFSET ?";
	sqlite3_stmt *st = db_stmt(db, sql);
	struct db_rows rows;
	int rc;

	out->len = 0;
	out->has_more = 0;
	out->items = NULL;
	if (st == NULL)
		return STORE_ERR;
	if (page < 1)
		page = 1;
	sqlite3_bind_int(st, 1, per_page + 1);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)(page - 1) * per_page);
	db_rows_init(&rows, a, sizeof(*out->items), (size_t)per_page);
	rc = db_rows(db, st, "audit page", &rows, read_entry, NULL);
	out->items = rows.items;
	out->len = rows.len;
	out->has_more = rows.more;
	return rc;
}

static int
is_word_char(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (unsigned char)c >= 0x80;
}

/*
 * text with every occurrence of needle replaced by "(erased)": an email
 * ignoring ASCII case where it stands as a whole address, or, when whole_word, with the case as given and only where
 * no letter or digit touches it.  NULL when nothing changed; else in a.
 */
static const char *
erase_in(struct arena *a, const char *text, const char *needle, int whole_word)
{
	size_t n = strlen(needle), i = 0, len = strlen(text);
	struct buf b = BUF_INIT;
	const char *out = NULL;
	int changed = 0;

	if (n == 0)
		return NULL;
	while (i < len) {
		int hit = i + n <= len && (whole_word ? strncmp(text + i, needle, n) == 0 :
		    strncasecmp(text + i, needle, n) == 0);
		if (hit && !whole_word)
			hit = text_address_whole(text, text + i, n);
		if (hit && whole_word)
			hit = (i == 0 || !is_word_char(text[i - 1])) &&
			    (i + n == len || !is_word_char(text[i + n]));
		if (hit) {
			buf_puts(&b, "(erased)");
			i += n;
			changed = 1;
		} else
			buf_append(&b, text + i++, 1);
	}
	if (changed)
		out = arena_strndup(a, b.data ? b.data : "", b.len);
	buf_free(&b);
	return out;
}

int
audit_erase(struct db *db, struct arena *a, const char *email, const char *const *names,
	    size_t nnames, const int64_t *ids, size_t nids)
{
	static const char sql_rows[] =
		"SELECT a.id, a.comment_id, a.detail,"
		" a.comment_id IS NOT NULL AND c.id IS NULL"
		" FROM audit a LEFT JOIN comments c ON c.id = a.comment_id WHERE a.detail <> ''";
	static const char sql_set[] = "UPDATE audit SET detail = ? WHERE id = ?";
	struct change { int64_t id; const char *detail; } *changes = NULL;
	size_t nchanges = 0, cap = 0, i, k;
	sqlite3_stmt *st = db_stmt(db, sql_rows);
	int rc;

	if (st == NULL)
		return STORE_ERR;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t comment_id = sqlite3_column_int64(st, 1);
		const char *detail = arena_strdup(a, db_col_text(st, 2)), *next;
		int theirs = sqlite3_column_int(st, 3), changed = 0;

		for (k = 0; k < nids && !theirs; k++)
			theirs = ids[k] == comment_id;
		if ((next = erase_in(a, detail, email, 0)) != NULL) {
			detail = next;
			changed = 1;
		}
		for (k = 0; theirs && k < nnames; k++)
			if ((next = erase_in(a, detail, names[k], 1)) != NULL) {
				detail = next;
				changed = 1;
			}
		if (!changed)
			continue;
		if (nchanges == cap)
			changes = arena_grow(a, changes, nchanges, &cap, sizeof(*changes));
		changes[nchanges].id = sqlite3_column_int64(st, 0);
		changes[nchanges++].detail = detail;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		db_log_error(db, "audit erase");
		return STORE_ERR;
	}
	for (i = 0; i < nchanges; i++) {
		if ((st = db_stmt(db, sql_set)) == NULL)
			return STORE_ERR;
		sqlite3_bind_text(st, 1, changes[i].detail, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, changes[i].id);
		if (db_exec_stmt(db, st) != STORE_OK)
			return STORE_ERR;
	}
	return STORE_OK;
}
