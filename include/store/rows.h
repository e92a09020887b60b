/* rows.h: the store's row loops, written once: a statement stepped to its end, one item a row in an array that grows in an arena. */
#ifndef PARLEY_ROWS_H
#define PARLEY_ROWS_H

#include <sqlite3.h>
#include <stddef.h>

#include "arena.h"
#include "db.h"

/*
 * What a row callback returns: DB_ROW_NEXT to go on (in db_rows: keep the
 * item), DB_ROW_SKIP to leave the row out (db_rows; db_each goes on),
 * DB_ROW_STOP to end the loop there (the row left out; the loop returns
 * STORE_OK), or STORE_ERR to end it failing.
 */
enum db_row {
	DB_ROW_NEXT = 0,
	DB_ROW_SKIP = 1,
	DB_ROW_STOP = 2,
};

/*
 * Step st to its end, calling fn(ctx, st) on each row.  Resets st.
 * STORE_OK, or STORE_ERR when fn says so or after logging what when
 * SQLite fails.
 */
int db_each(struct db *db, sqlite3_stmt *st, const char *what,
	    int (*fn)(void *ctx, sqlite3_stmt *st), void *ctx);

/*
 * Fill item (size bytes, zeroed) from the current row of st, strings in a;
 * returns an enum db_row or STORE_ERR.
 */
typedef int (*db_fill_fn)(void *ctx, sqlite3_stmt *st, struct arena *a, void *item);

/* The items db_rows read.  Give it one made by db_rows_init. */
struct db_rows {
	void *items;            /* len items in the arena; NULL when none */
	size_t len;
	int more;               /* a row beyond max was there, left unread */
	struct arena *a;        /* where the array and the rows' strings live */
	size_t size, max, cap;
};

/* Rows of size bytes into a; at most max of them when max > 0. */
void db_rows_init(struct db_rows *rows, struct arena *a, size_t size, size_t max);

/*
 * Step st to its end, filling one item a row with fill(ctx, ...) and
 * appending it to rows (a row fill skips leaves no item).  At most
 * rows->max items when it is not 0: a further row sets rows->more and
 * ends the loop.  Resets st.  STORE_OK, or STORE_ERR (the items read so
 * far stay in rows) when fill says so or after logging what.
 */
int db_rows(struct db *db, sqlite3_stmt *st, const char *what, struct db_rows *rows,
	    db_fill_fn fill, void *ctx);

/*
 * Step st once: fill item (size bytes, zeroed) from its row when there is
 * one.  Resets st.  STORE_OK, STORE_NOTFOUND when no row came, STORE_ERR
 * when fill says so or after logging what.
 */
int db_row(struct db *db, sqlite3_stmt *st, const char *what, struct arena *a, void *item,
	   size_t size, db_fill_fn fill, void *ctx);

/* A db_fill_fn for an int64_t item: the row's first column (an id). */
int db_fill_id(void *ctx, sqlite3_stmt *st, struct arena *a, void *item);

#endif
