/* store-rows.c: the store's row loops, written once: stepping a statement to its end, one item a row in an arena's growing array. */
#include "rows.h"

#include <stdint.h>
#include <string.h>

int
db_each(struct db *db, sqlite3_stmt *st, const char *what,
	int (*fn)(void *ctx, sqlite3_stmt *st), void *ctx)
{
	int step, rc = DB_ROW_NEXT;

	while ((step = sqlite3_step(st)) == SQLITE_ROW)
		if ((rc = fn(ctx, st)) != DB_ROW_NEXT && rc != DB_ROW_SKIP)
			break;
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		db_log_error(db, what);
	sqlite3_reset(st);
	if (step == SQLITE_ROW)
		return rc == DB_ROW_STOP ? STORE_OK : STORE_ERR;
	return step == SQLITE_DONE ? STORE_OK : STORE_ERR;
}

void
db_rows_init(struct db_rows *rows, struct arena *a, size_t size, size_t max)
{
	memset(rows, 0, sizeof(*rows));
	rows->a = a;
	rows->size = size;
	rows->max = max;
}

/* What fill_next needs. */
struct fill_ctx {
	struct db_rows *rows;
	db_fill_fn fill;
	void *ctx;
};

/* db_each's callback for db_rows: one more item, kept unless fill skips it. */
static int
fill_next(void *ctx, sqlite3_stmt *st)
{
	struct fill_ctx *f = ctx;
	struct db_rows *r = f->rows;
	void *item;
	int rc;

	if (r->max > 0 && r->len == r->max) {
		r->more = 1;
		return DB_ROW_STOP;
	}
	if (r->len == r->cap)
		r->items = arena_grow(r->a, r->items, r->len, &r->cap, r->size);
	item = (char *)r->items + r->len * r->size;
	memset(item, 0, r->size);
	rc = f->fill(f->ctx, st, r->a, item);
	if (rc == DB_ROW_NEXT)
		r->len++;
	return rc;
}

int
db_rows(struct db *db, sqlite3_stmt *st, const char *what, struct db_rows *rows,
	db_fill_fn fill, void *ctx)
{
	struct fill_ctx f = { rows, fill, ctx };

	return db_each(db, st, what, fill_next, &f);
}

int
db_row(struct db *db, sqlite3_stmt *st, const char *what, struct arena *a, void *item,
       size_t size, db_fill_fn fill, void *ctx)
{
	int step = sqlite3_step(st), rc = STORE_OK;

	if (step == SQLITE_ROW) {
		memset(item, 0, size);
		if (fill(ctx, st, a, item) == STORE_ERR)
			rc = STORE_ERR;
	} else if (step == SQLITE_DONE)
		rc = STORE_NOTFOUND;
	else {
		db_log_error(db, what);
		rc = STORE_ERR;
	}
	sqlite3_reset(st);
	return rc;
}

int
db_fill_id(void *ctx, sqlite3_stmt *st, struct arena *a, void *item)
{
	*(int64_t *)item = sqlite3_column_int64(st, 0);
	return DB_ROW_NEXT;
}
