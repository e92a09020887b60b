/* test_rows.c: the store's one row loop (rows.h): growing arrays, the max and its "more", skips, stops and failures. */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "fixture.h"
#include "rows.h"

static char dir[] = "/tmp/parley-test-rows-XXXXXX";

/* The numbers 1 to ?1, one a row; row ?2 fails in SQLite (an integer overflow). */
static const char sql_count[] =
	"WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < ?1)"
	" SELECT CASE WHEN x = ?2 THEN abs(-9223372036854775807 - 1) ELSE x END FROM n";

static sqlite3_stmt *
count_to(struct db *db, int n, int failing_row)
{
	sqlite3_stmt *st = db_stmt(db, sql_count);

	sqlite3_bind_int(st, 1, n);
	sqlite3_bind_int(st, 2, failing_row);
	return st;
}

/* Keeps even numbers, stops at *ctx (left out), fails at -*ctx. */
static int
fill_even(void *ctx, sqlite3_stmt *st, struct arena *a, void *item)
{
	int64_t x = sqlite3_column_int64(st, 0), at = *(const int64_t *)ctx;

	if (x == at)
		return DB_ROW_STOP;
	if (x == -at)
		return STORE_ERR;
	if (x % 2 != 0)
		return DB_ROW_SKIP;
	*(int64_t *)item = x;
	return DB_ROW_NEXT;
}

/* Adds each row's number to *ctx (db_each's callback). */
static int
sum_row(void *ctx, sqlite3_stmt *st)
{
	*(int64_t *)ctx += sqlite3_column_int64(st, 0);
	return DB_ROW_NEXT;
}

/* Every item is its place plus one: rows 1, 2, 3, ... all there, in order. */
static int
counted(const struct db_rows *rows, size_t n)
{
	const int64_t *v = rows->items;
	size_t i;

	if (rows->len != n)
		return 0;
	for (i = 0; i < n; i++)
		if (v[i] != (int64_t)i + 1)
			return 0;
	return 1;
}

static void
test_rows(struct db *db, struct arena *a)
{
	struct db_rows rows;
	const int64_t *v;
	int64_t at, sum, item;

	/* No rows: no array. */
	db_rows_init(&rows, a, sizeof(int64_t), 0);
	CHECK(db_rows(db, db_stmt(db, "SELECT 1 WHERE 0"), "t", &rows, db_fill_id, NULL) == STORE_OK);
	CHECK(rows.len == 0 && rows.items == NULL && rows.more == 0);

	/* Past several doublings of the array, every row kept in order. */
	db_rows_init(&rows, a, sizeof(int64_t), 0);
	CHECK(db_rows(db, count_to(db, 1000, 0), "t", &rows, db_fill_id, NULL) == STORE_OK);
	CHECK(counted(&rows, 1000) && rows.more == 0);

	/* A max: one row beyond it says more; exactly max rows do not. */
	db_rows_init(&rows, a, sizeof(int64_t), 10);
	CHECK(db_rows(db, count_to(db, 11, 0), "t", &rows, db_fill_id, NULL) == STORE_OK);
	CHECK(counted(&rows, 10) && rows.more == 1);
	db_rows_init(&rows, a, sizeof(int64_t), 10);
	CHECK(db_rows(db, count_to(db, 10, 0), "t", &rows, db_fill_id, NULL) == STORE_OK);
	CHECK(counted(&rows, 10) && rows.more == 0);

	/* Skipped rows leave no item; a stop ends the loop without failing. */
	at = 1000;
	db_rows_init(&rows, a, sizeof(int64_t), 0);
	CHECK(db_rows(db, count_to(db, 100, 0), "t", &rows, fill_even, &at) == STORE_OK);
	v = rows.items;
	CHECK(rows.len == 50 && v[0] == 2 && v[49] == 100);
	at = 9;
	db_rows_init(&rows, a, sizeof(int64_t), 0);
	CHECK(db_rows(db, count_to(db, 100, 0), "t", &rows, fill_even, &at) == STORE_OK);
	v = rows.items;
	CHECK(rows.len == 4 && v[3] == 8);

	/* A failing fill, and SQLite failing mid-loop: STORE_ERR, the rows before kept. */
	at = -5;
	db_rows_init(&rows, a, sizeof(int64_t), 0);
	CHECK(db_rows(db, count_to(db, 100, 0), "t", &rows, fill_even, &at) == STORE_ERR);
	CHECK(rows.len == 2);
	db_rows_init(&rows, a, sizeof(int64_t), 0);
	CHECK(db_rows(db, count_to(db, 100, 4), "t", &rows, db_fill_id, NULL) == STORE_ERR);
	CHECK(counted(&rows, 3));

	/* Each loop reset its statement: it runs again from the start. */
	db_rows_init(&rows, a, sizeof(int64_t), 3);
	CHECK(db_rows(db, count_to(db, 100, 0), "t", &rows, db_fill_id, NULL) == STORE_OK);
	CHECK(counted(&rows, 3) && rows.more == 1);

	/* db_each: every row, or STORE_ERR when SQLite fails. */
	sum = 0;
	CHECK(db_each(db, count_to(db, 100, 0), "t", sum_row, &sum) == STORE_OK && sum == 5050);
	sum = 0;
	CHECK(db_each(db, count_to(db, 100, 11), "t", sum_row, &sum) == STORE_ERR && sum == 55);

	/* db_row: the first row, STORE_NOTFOUND leaving item alone, STORE_ERR. */
	item = -1;
	CHECK(db_row(db, count_to(db, 5, 0), "t", a, &item, sizeof(item), db_fill_id, NULL) ==
	      STORE_OK && item == 1);
	item = -1;
	CHECK(db_row(db, db_stmt(db, "SELECT 1 WHERE 0"), "t", a, &item, sizeof(item), db_fill_id,
		     NULL) == STORE_NOTFOUND && item == -1);
	CHECK(db_row(db, count_to(db, 5, 1), "t", a, &item, sizeof(item), db_fill_id, NULL) ==
	      STORE_ERR);
}

int
main(void)
{
	struct arena a;
	struct db *db = test_db_create(dir);

	arena_init(&a);
	test_rows(db, &a);
	arena_free(&a);
	test_db_remove(db, dir);
	return check_summary();
}
