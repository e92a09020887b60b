/* store-group.c: group commit: the committer thread, its shared transaction, and the callers waiting on it. */
#include "group.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

/* Units of work in one transaction at most: the first waits for the last. */
#define GROUP_BATCH_MAX 64

/* One caller's unit of work, on the caller's stack while it waits. */
struct group_job {
	db_group_fn fn;
	void *ctx;
	int rc;
	int done;
	struct group_job *next;
};

/* The process's committer (fixed once started) and the work waiting for it. */
static struct {
	pthread_mutex_t lock;
	pthread_cond_t work;   /* the committer waits for a job */
	pthread_cond_t done;   /* callers wait for their transaction to end */
	struct group_job *head, *last;
	struct db *db;
	int running;
} group = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, PTHREAD_COND_INITIALIZER,
	    NULL, NULL, NULL, 0 };

/* The jobs waiting, taken off the queue (NULL when none).  Called with group.lock held. */
static struct group_job *
queue_take(void)
{
	struct group_job *jobs = group.head;

	group.head = group.last = NULL;
	return jobs;
}

/*
 * One job inside the open transaction, in a savepoint: what fn returned
 * (its writes kept for DB_GROUP_KEEP, undone otherwise), STORE_ERR for
 * any other answer or when the savepoint fails.
 */
static int
unit_run(struct db *db, struct group_job *j)
{
	static const char savepoint[] = "SAVEPOINT unit";
	static const char release[] = "RELEASE unit";
	static const char undo[] = "ROLLBACK TO unit";
	sqlite3_stmt *st;
	int rc;

	if ((st = db_stmt(db, savepoint)) == NULL || db_exec_stmt(db, st) != STORE_OK)
		return STORE_ERR;
	rc = j->fn(db, j->ctx);
	/* A failure SQLite answers by rolling back the whole transaction: nothing is left. */
	if (sqlite3_get_autocommit(db->handle))
		return STORE_ERR;
	if (rc != DB_GROUP_KEEP) {
		if (rc != DB_GROUP_UNDO)
			rc = STORE_ERR;
		if ((st = db_stmt(db, undo)) == NULL || db_exec_stmt(db, st) != STORE_OK)
			rc = STORE_ERR;
	}
	if ((st = db_stmt(db, release)) == NULL || db_exec_stmt(db, st) != STORE_OK)
		rc = STORE_ERR;
	return rc;
}

/*
 * Run batch and whatever joins it in one transaction, and set each job's
 * rc: all STORE_ERR when the transaction cannot begin, is lost on the
 * way, or cannot commit.
 */
static void
batch_run(struct db *db, struct group_job *batch)
{
	struct group_job *j;
	size_t n = 0;
	int open = db_begin(db) == STORE_OK;

	for (j = batch; j != NULL; j = j->next) {
		j->rc = open ? unit_run(db, j) : STORE_ERR;
		if (open && sqlite3_get_autocommit(db->handle))
			open = 0;
		/* Work that came meanwhile joins this transaction. */
		if (j->next == NULL && open && ++n < GROUP_BATCH_MAX) {
			pthread_mutex_lock(&group.lock);
			j->next = queue_take();
			pthread_mutex_unlock(&group.lock);
		}
	}
	if (open && db_commit(db) != STORE_OK) {
		db_rollback(db);
		open = 0;
	}
	if (!open) {
		db_rollback(db);
		for (j = batch; j != NULL; j = j->next)
			j->rc = STORE_ERR;
	}
}

static void *
committer_main(void *arg)
{
	struct db *db = arg;
	struct group_job *batch, *j, *next;

	pthread_mutex_lock(&group.lock);
	for (;;) {
		while (group.head == NULL)
			pthread_cond_wait(&group.work, &group.lock);
		batch = queue_take();
		pthread_mutex_unlock(&group.lock);
		batch_run(db, batch);
		pthread_mutex_lock(&group.lock);
		/* A job's memory is its caller's once done is set. */
		for (j = batch; j != NULL; j = next) {
			next = j->next;
			j->done = 1;
		}
		pthread_cond_broadcast(&group.done);
	}
	return NULL;
}

int
db_group_start(const char *path, char *err, size_t errlen)
{
	pthread_attr_t attr;
	pthread_t thread;
	struct db *db;
	int rc;

	if (group.running)
		return 0;
	if ((db = db_open(path, DB_OPEN_EXISTING, err, errlen)) == NULL)
		return -1;
	/*
	 * Each job's savepoint keeps the pages it changes as they were: in
	 * memory, not in a temporary file written for every job.
	 */
	if (db_exec(db, "PRAGMA temp_store = MEMORY") != STORE_OK) {
		snprintf(err, errlen, "%s: cannot keep savepoints in memory", path);
		db_close(db);
		return -1;
	}
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	rc = pthread_create(&thread, &attr, committer_main, db);
	pthread_attr_destroy(&attr);
	if (rc != 0) {
		snprintf(err, errlen, "cannot start the committer: %s", strerror(rc));
		db_close(db);
		return -1;
	}
	group.db = db;
	group.running = 1;
	return 0;
}

/* db_group_run without a committer: fn in a transaction of its own on db. */
static int
run_alone(struct db *db, db_group_fn fn, void *ctx)
{
	int rc;

	if (db_begin(db) != STORE_OK)
		return STORE_ERR;
	rc = fn(db, ctx);
	if (rc == DB_GROUP_KEEP && db_commit(db) == STORE_OK)
		return rc;
	db_rollback(db);
	return rc == DB_GROUP_UNDO ? rc : STORE_ERR;
}

int
db_group_run(struct db *db, db_group_fn fn, void *ctx)
{
	struct group_job job = { fn, ctx, STORE_ERR, 0, NULL };

	if (!group.running)
		return run_alone(db, fn, ctx);
	pthread_mutex_lock(&group.lock);
	if (group.last != NULL)
		group.last->next = &job;
	else
		group.head = &job;
	group.last = &job;
	pthread_cond_signal(&group.work);
	while (!job.done)
		pthread_cond_wait(&group.done, &group.lock);
	pthread_mutex_unlock(&group.lock);
	return job.rc;
}
