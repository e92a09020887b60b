/* test_group.c: group commit: work kept, undone or failed alone and among many writers, each answered only once committed. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "fixture.h"
#include "db.h"
#include "group.h"

#define WRITERS 8
#define JOBS 60

static char db_path[512];

/* What a job does: insert n, then keep it, undo it, or fail after a second insert of n. */
enum job_kind { JOB_KEEP, JOB_UNDO, JOB_FAIL };

struct job {
	int64_t n;
	enum job_kind kind;
	int64_t seen_by;   /* the connection fn ran on, as a number */
};

static int
job_fn(struct db *db, void *ctx)
{
	static const char sql[] = "INSERT INTO group_test (n) VALUES (?)";
	struct job *j = ctx;
	sqlite3_stmt *st = db_stmt(db, sql);

	j->seen_by = (int64_t)(uintptr_t)db;
	if (st == NULL)
		return STORE_ERR;
	sqlite3_bind_int64(st, 1, j->n);
	if (db_exec_stmt(db, st) != STORE_OK)
		return STORE_ERR;
	if (j->kind == JOB_UNDO)
		return DB_GROUP_UNDO;
	if (j->kind == JOB_FAIL) {
		/* A UNIQUE conflict in the middle of the work: the first insert goes too. */
		if ((st = db_stmt(db, sql)) == NULL)
			return STORE_ERR;
		sqlite3_bind_int64(st, 1, j->n);
		return db_exec_stmt(db, st) == STORE_OK ? DB_GROUP_KEEP : STORE_ERR;
	}
	return DB_GROUP_KEEP;
}

/* Is n in group_test, as db sees it?  1, 0, or -1 when the query fails. */
static int
stored(struct db *db, int64_t n)
{
	static const char sql[] = "SELECT 1 FROM group_test WHERE n = ?";
	sqlite3_stmt *st = db_stmt(db, sql);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, n);
	return db_exists(db, st, "group_test");
}

static int
expected_rc(enum job_kind kind)
{
	return kind == JOB_KEEP ? DB_GROUP_KEEP : kind == JOB_UNDO ? DB_GROUP_UNDO : STORE_ERR;
}

static void
test_alone(struct db *db)
{
	struct job keep = { 1, JOB_KEEP, 0 }, undo = { 2, JOB_UNDO, 0 }, fail = { 3, JOB_FAIL, 0 };

	CHECK(db_group_run(db, job_fn, &keep) == DB_GROUP_KEEP);
	CHECK(db_group_run(db, job_fn, &undo) == DB_GROUP_UNDO);
	CHECK(db_group_run(db, job_fn, &fail) == STORE_ERR);
	/* Without a committer the work runs on the caller's connection, and no transaction is left open. */
	CHECK(keep.seen_by == (int64_t)(uintptr_t)db);
	CHECK(sqlite3_get_autocommit(db->handle));
	CHECK(stored(db, 1) == 1);
	CHECK(stored(db, 2) == 0);
	CHECK(stored(db, 3) == 0);
}

/* One writer's outcome: how its answers and what another connection saw disagreed. */
struct writer {
	int id;
	int wrong_rc, not_visible, visible_undone, on_own_db;
};

static void *
writer_main(void *arg)
{
	struct writer *w = arg;
	char err[256];
	struct db *mine = db_open(db_path, DB_OPEN_EXISTING, err, sizeof(err));
	int i;

	if (mine == NULL) {
		fprintf(stderr, "writer %d: %s\n", w->id, err);
		w->wrong_rc = JOBS;
		return NULL;
	}
	for (i = 0; i < JOBS; i++) {
		struct job j = { 1000 + w->id * JOBS + i, JOB_KEEP, 0 };
		int rc;

		j.kind = i % 7 == 3 ? JOB_UNDO : i % 11 == 5 ? JOB_FAIL : JOB_KEEP;
		rc = db_group_run(mine, job_fn, &j);
		if (rc != expected_rc(j.kind))
			w->wrong_rc++;
		if (j.seen_by == (int64_t)(uintptr_t)mine)
			w->on_own_db++;
		/* Answered: committed, so any other connection sees it at once. */
		if (rc == DB_GROUP_KEEP && stored(mine, j.n) != 1)
			w->not_visible++;
		if (rc != DB_GROUP_KEEP && stored(mine, j.n) != 0)
			w->visible_undone++;
	}
	db_close(mine);
	return NULL;
}

static void
test_many_writers(struct db *db)
{
	struct writer w[WRITERS];
	pthread_t t[WRITERS];
	char err[256];
	int i, kept = 0, wrong = 0, invisible = 0, undone = 0, own = 0;
	sqlite3_stmt *st;

	CHECK(db_group_start(db_path, err, sizeof(err)) == 0);
	for (i = 0; i < WRITERS; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		w[i].id = i;
		CHECK(pthread_create(&t[i], NULL, writer_main, &w[i]) == 0);
	}
	for (i = 0; i < WRITERS; i++) {
		pthread_join(t[i], NULL);
		wrong += w[i].wrong_rc;
		invisible += w[i].not_visible;
		undone += w[i].visible_undone;
		own += w[i].on_own_db;
	}
	CHECK(wrong == 0);
	CHECK(invisible == 0);
	CHECK(undone == 0);
	/* The committer's connection did the work, not the callers'. */
	CHECK(own == 0);
	for (i = 0; i < JOBS; i++)
		kept += !(i % 7 == 3 || i % 11 == 5);
	st = db_stmt(db, "SELECT count(*) FROM group_test WHERE n >= 1000");
	CHECK(st != NULL && sqlite3_step(st) == SQLITE_ROW &&
	      sqlite3_column_int(st, 0) == kept * WRITERS);
	sqlite3_reset(st);
}

int
main(void)
{
	char dir[] = "/tmp/parley-test-group-XXXXXX";
	struct db *db = test_db_create(dir);

	snprintf(db_path, sizeof(db_path), "%s/test.db", dir);
	CHECK(db_exec(db, "CREATE TABLE group_test (n INTEGER NOT NULL UNIQUE)") == STORE_OK);
	test_alone(db);
	test_many_writers(db);
	test_db_remove(db, dir);
	return check_summary();
}
