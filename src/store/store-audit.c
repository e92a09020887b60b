/* store-audit.c: the moderation audit log: append a row, read a page newest first. */
#include "audit.h"

#include <string.h>

int
audit_add(struct db *db, time_t at, const char *user_name, const char *action,
	  int64_t comment_id, const char *detail)
{
	static const char sql[] =
		"INSERT INTO audit (at, user_name, action, comment_id, detail)"
		" VALUES (?, ?, ?, ?, ?)";
	sqlite3_stmt *st = db_stmt(db, sql);

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
	return db_exec_stmt(db, st);
}

int
audit_page(struct db *db, struct arena *a, int page, int per_page, struct audit_list *out)
{
	static const char sql[] =
		"SELECT id, at, user_name, action, comment_id, detail FROM audit"
		" ORDER BY at DESC, id DESC LIMIT ? OFFSET ?";
	sqlite3_stmt *st = db_stmt(db, sql);
	int rc;

	out->len = 0;
	out->has_more = 0;
	out->items = NULL;
	if (st == NULL)
		return STORE_ERR;
	if (page < 1)
		page = 1;
	out->items = arena_alloc(a, (size_t)(per_page + 1) * sizeof(*out->items));
	sqlite3_bind_int(st, 1, per_page + 1);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)(page - 1) * per_page);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct audit_entry *e;

		if (out->len == (size_t)per_page) {
			out->has_more = 1;
			continue;
		}
		e = &out->items[out->len++];
		e->id = sqlite3_column_int64(st, 0);
		e->at = (time_t)sqlite3_column_int64(st, 1);
		e->user_name = arena_strdup(a, db_col_text(st, 2));
		e->action = arena_strdup(a, db_col_text(st, 3));
		e->comment_id = sqlite3_column_int64(st, 4);
		e->detail = arena_strdup(a, db_col_text(st, 5));
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		db_log_error(db, "audit page");
		return STORE_ERR;
	}
	return STORE_OK;
}
