/* group.h: group commit: several workers' writes committed in one transaction and one fsync, each answered only after that commit. */
#ifndef PARLEY_GROUP_H
#define PARLEY_GROUP_H

#include <stddef.h>

#include "db.h"

/*
 * A unit of work: it runs its statements on db (never another connection)
 * and returns DB_GROUP_KEEP to keep them, DB_GROUP_UNDO to have them
 * undone (a refusal it decided on), or STORE_ERR (undone too).  It may
 * read and write what ctx points to: its caller waits meanwhile.
 */
typedef int (*db_group_fn)(struct db *db, void *ctx);

enum db_group_rc {
	DB_GROUP_KEEP = 0,
	DB_GROUP_UNDO = 1,
};

/*
 * Start the process's committer: a thread with its own connection to path
 * that runs the work db_group_run hands it.  Work that arrives while a
 * transaction is open joins it, each unit in a savepoint of its own, and
 * one COMMIT (one fsync of the WAL, synchronous=FULL) ends them all.  The
 * responders call it once at start-up; without it db_group_run works
 * alone (plain CGI, the tests that drive a program without FastCGI).
 * 0, or -1 with a one-line reason in err.
 */
int db_group_start(const char *path, char *err, size_t errlen);

/*
 * Run fn(db, ctx) in a write transaction and return once that transaction
 * has ended.  With the committer started, fn runs on its connection among
 * other callers' work (db is not used); otherwise on db, in a transaction
 * of its own (BEGIN IMMEDIATE), which must not be open already.  Returns
 * what fn returned, DB_GROUP_KEEP meaning its writes are committed and
 * durable, DB_GROUP_UNDO that they were undone and what fn read was
 * committed; or STORE_ERR when fn failed or the transaction could not
 * begin or commit: nothing of fn's is kept.
 */
int db_group_run(struct db *db, db_group_fn fn, void *ctx);

#endif
