/* store-maintenance.c: integrity checks and online backups of the whole database. */
#include "maintenance.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "rows.h"

#define BACKUP_PAGES_PER_STEP 1024
#define BACKUP_RETRY_MS 50

static const char sql_integrity[] = "PRAGMA integrity_check";
static const char sql_foreign_keys[] = "PRAGMA foreign_key_check";

/* A line of PRAGMA integrity_check as a problem, "ok" left out (a db_fill_fn). */
static int
read_integrity(void *ctx, sqlite3_stmt *st, struct arena *a, void *item)
{
	const char *line = db_col_text(st, 0);

	if (strcmp(line, "ok") == 0)
		return DB_ROW_SKIP;
	*(const char **)item = arena_strdup(a, line);
	return DB_ROW_NEXT;
}

/* A row of PRAGMA foreign_key_check as a problem (a db_fill_fn). */
static int
read_foreign_key(void *ctx, sqlite3_stmt *st, struct arena *a, void *item)
{
	*(const char **)item = arena_printf(a, "%s row %lld refers to a missing row of %s",
	    db_col_text(st, 0), (long long)sqlite3_column_int64(st, 1), db_col_text(st, 2));
	return DB_ROW_NEXT;
}

int
maintenance_check(struct db *db, struct arena *a, const char ***problems, size_t *n)
{
	struct db_rows rows;
	sqlite3_stmt *st;
	int rc = STORE_ERR;

	db_rows_init(&rows, a, sizeof(**problems), 0);
	if ((st = db_stmt(db, sql_integrity)) != NULL &&
	    db_rows(db, st, "integrity check", &rows, read_integrity, NULL) == STORE_OK &&
	    (st = db_stmt(db, sql_foreign_keys)) != NULL)
		rc = db_rows(db, st, "foreign key check", &rows, read_foreign_key, NULL);
	*problems = rows.items;
	*n = rows.len;
	return rc;
}

/* Flush a file or folder to disk; 0 or -1. */
static int
sync_path(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC), rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

/* Remove a temporary copy and any journal SQLite left beside it. */
static void
remove_temp(const char *tmp)
{
	static const char *const suffixes[] = { "-journal", "-wal", "-shm" };
	char side[4096];
	size_t i;

	unlink(tmp);
	for (i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		snprintf(side, sizeof(side), "%s%s", tmp, suffixes[i]);
		unlink(side);
	}
}

/* Copy db into the file tmp (which exists, empty).  0 or -1 with err. */
static int
copy_into(struct db *db, const char *tmp, char *err, size_t errlen)
{
	sqlite3 *dest = NULL;
	sqlite3_backup *b;
	int rc;

	if (sqlite3_open_v2(tmp, &dest, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", tmp, dest ? sqlite3_errmsg(dest) : "cannot open");
		sqlite3_close(dest);
		return -1;
	}
	if ((b = sqlite3_backup_init(dest, "main", db->handle, "main")) == NULL) {
		snprintf(err, errlen, "backup: %s", sqlite3_errmsg(dest));
		sqlite3_close(dest);
		return -1;
	}
	do {
		rc = sqlite3_backup_step(b, BACKUP_PAGES_PER_STEP);
		if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
			sqlite3_sleep(BACKUP_RETRY_MS);
	} while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
	sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "backup: %s", sqlite3_errstr(rc));
		sqlite3_close(dest);
		return -1;
	}
	if (sqlite3_close(dest) != SQLITE_OK) {
		snprintf(err, errlen, "%s: cannot close the copy", tmp);
		return -1;
	}
	return 0;
}

int
maintenance_backup(struct db *db, const char *path, int overwrite, char *err, size_t errlen)
{
	size_t len = strlen(path);
	char *tmp = NULL, *dir = NULL;
	struct stat sb, live;
	int fd, rc = -1;

	if (stat(path, &sb) == 0 && stat(sqlite3_db_filename(db->handle, "main"), &live) == 0 &&
	    sb.st_dev == live.st_dev && sb.st_ino == live.st_ino) {
		snprintf(err, errlen, "%s is the database itself: back up to another file", path);
		return -1;
	}
	if (!overwrite && lstat(path, &sb) == 0) {
		snprintf(err, errlen, "%s exists (use --force to overwrite it)", path);
		return -1;
	}
	if ((tmp = malloc(len + 16)) == NULL || (dir = strdup(path)) == NULL)
		die("out of memory");
	snprintf(tmp, len + 16, "%s.tmp-XXXXXX", path);
	if ((fd = mkstemp(tmp)) < 0) {
		/* The temporary name is ours, not the user's: name the file they asked for. */
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto done;
	}
	close(fd);
	if (copy_into(db, tmp, err, errlen) != 0)
		goto fail;
	if (sync_path(tmp, O_RDONLY) != 0) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		goto fail;
	}
	if (overwrite) {
		if (rename(tmp, path) != 0) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			goto fail;
		}
	} else {
		/* link() fails if path appeared meanwhile: never clobber a file. */
		if (link(tmp, path) != 0) {
			snprintf(err, errlen, "%s: %s", path, errno == EEXIST ?
			    "exists (use --force to overwrite it)" : strerror(errno));
			goto fail;
		}
		unlink(tmp);
	}
	sync_path(dirname(dir), O_RDONLY | O_DIRECTORY);
	rc = 0;
	goto done;
fail:
	remove_temp(tmp);
done:
	free(tmp);
	free(dir);
	return rc;
}
