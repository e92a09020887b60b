/* store-db.c: the SQLite connection: opening, migrations, the statement cache, transactions. */
#include "db.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "commenter.h"
#include "log.h"
#include "migrations.h"
#include "posts.h"
#include "spam_model.h"

#define BUSY_TIMEOUT_MS 10000
/*
 * A responder's connection keeps at most 1 MiB of database pages (SQLite's
 * default is 2,000 KiB).  Each worker has its own connection, and a
 * commit by any of them empties the others' caches, whose freed pages stay
 * in the worker's malloc arena: on the 100,000-post site four default
 * caches reached 8 MiB of a 33 MiB responder.  The kernel's page cache
 * holds the file for all of them, so a miss costs a pread, not the disk.
 */
#define RESPONDER_CACHE_SIZE "PRAGMA cache_size = -1024"
/* The mode bits a database file may keep (SPEC "Storage": 0600 or 0640). */
#define DB_FILE_MODE_MASK 0640

int
db_schema_version(void)
{
	return migrations_count ? migrations[migrations_count - 1].version : 0;
}

/*
 * SQLite's words for the last error, and for a failure of the file itself
 * what the system says: "disk I/O error" alone does not tell a full disk
 * from a filesystem the kernel made read-only after an error.  SQLite
 * keeps no errno for a failed commit, so on that path the file is asked
 * again: statvfs (read-only mount, no space left), then an fdatasync of
 * the file, which a filesystem shut down or gone read-only refuses.
 */
static const char *
db_why(struct db *db, const char *msg, char *out, size_t len)
{
	int code = sqlite3_errcode(db->handle) & 0xff, err = sqlite3_system_errno(db->handle);
	const char *file = sqlite3_db_filename(db->handle, "main");
	struct statvfs vfs;
	int fd;

	if ((code != SQLITE_IOERR && code != SQLITE_FULL && code != SQLITE_CANTOPEN &&
	     code != SQLITE_READONLY) || file == NULL || *file == '\0')
		return msg;
	if (statvfs(file, &vfs) == 0 && (vfs.f_flag & ST_RDONLY)) {
		snprintf(out, len, "%s (%s is on a read-only filesystem)", msg, file);
		return out;
	}
	if (statvfs(file, &vfs) == 0 && vfs.f_bavail == 0) {
		snprintf(out, len, "%s (the disk holding %s is full)", msg, file);
		return out;
	}
	if (err == 0) {
		if ((fd = open(file, O_RDONLY | O_CLOEXEC)) < 0 || fdatasync(fd) != 0)
			err = errno;
		if (fd >= 0)
			close(fd);
	}
	if (err == 0)
		return msg;
	snprintf(out, len, "%s (%s: %s)", msg, file, strerror(err));
	return out;
}

void
db_log_error(struct db *db, const char *what)
{
	char why[PATH_MAX + 256];

	log_error("database: %s: %s", what,
		  db_why(db, sqlite3_errmsg(db->handle), why, sizeof(why)));
}

int
db_exec(struct db *db, const char *sql)
{
	char *msg = NULL, why[PATH_MAX + 256];

	if (sqlite3_exec(db->handle, sql, NULL, NULL, &msg) != SQLITE_OK) {
		log_error("database: %s", db_why(db, msg ? msg : sqlite3_errmsg(db->handle),
						  why, sizeof(why)));
		sqlite3_free(msg);
		return STORE_ERR;
	}
	return STORE_OK;
}

sqlite3_stmt *
db_stmt(struct db *db, const char *sql)
{
	size_t h = ((uintptr_t)sql >> 4) % DB_STMT_CACHE, i;
	sqlite3_stmt *st;

	for (i = 0; i < DB_STMT_CACHE; i++) {
		size_t slot = (h + i) % DB_STMT_CACHE;
		if (db->cache[slot].sql == sql) {
			st = db->cache[slot].stmt;
			sqlite3_reset(st);
			sqlite3_clear_bindings(st);
			return st;
		}
		if (db->cache[slot].sql == NULL) {
			if (sqlite3_prepare_v3(db->handle, sql, -1, SQLITE_PREPARE_PERSISTENT,
			    &st, NULL) != SQLITE_OK) {
				log_error("database: cannot prepare \"%.60s...\": %s", sql,
					  sqlite3_errmsg(db->handle));
				return NULL;
			}
			db->cache[slot].sql = sql;
			db->cache[slot].stmt = st;
			return st;
		}
	}
	die("statement cache full: raise DB_STMT_CACHE");
}

int
db_exec_stmt(struct db *db, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	if (rc == SQLITE_DONE || rc == SQLITE_ROW)
		return STORE_OK;
	if ((rc & 0xff) == SQLITE_CONSTRAINT &&
	    sqlite3_extended_errcode(db->handle) == SQLITE_CONSTRAINT_UNIQUE)
		return STORE_CONFLICT;
	db_log_error(db, sqlite3_sql(st));
	return STORE_ERR;
}

int
db_exec_change(struct db *db, sqlite3_stmt *st)
{
	int rc = db_exec_stmt(db, st);

	if (rc != STORE_OK)
		return rc;
	return sqlite3_changes(db->handle) > 0 ? STORE_OK : STORE_NOTFOUND;
}

int
db_exec_count(struct db *db, sqlite3_stmt *st, int *changed)
{
	int rc = db_exec_stmt(db, st);

	*changed = rc == STORE_OK ? sqlite3_changes(db->handle) : 0;
	return rc;
}

int
db_exists(struct db *db, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	db_log_error(db, what);
	return STORE_ERR;
}

/* Run a statement without parameters or rows through the statement cache. */
static int
exec_cached(struct db *db, const char *sql)
{
	sqlite3_stmt *st = db_stmt(db, sql);

	return st ? db_exec_stmt(db, st) : STORE_ERR;
}

int
db_begin(struct db *db)
{
	return exec_cached(db, "BEGIN IMMEDIATE");
}

int
db_commit(struct db *db)
{
	return exec_cached(db, "COMMIT");
}

void
db_rollback(struct db *db)
{
	if (!sqlite3_get_autocommit(db->handle))
		sqlite3_exec(db->handle, "ROLLBACK", NULL, NULL, NULL);
}

int
db_work_begin(struct db *db, int *own)
{
	static const char savepoint[] = "SAVEPOINT work";
	sqlite3_stmt *st;

	*own = sqlite3_get_autocommit(db->handle);
	if (*own)
		return db_begin(db);
	st = db_stmt(db, savepoint);
	return st ? db_exec_stmt(db, st) : STORE_ERR;
}

int
db_work_end(struct db *db, int own, int rc)
{
	static const char release[] = "RELEASE work";
	static const char undo[] = "ROLLBACK TO work";
	sqlite3_stmt *st;

	if (own) {
		if (rc == STORE_OK && db_commit(db) == STORE_OK)
			return STORE_OK;
		db_rollback(db);
		return rc == STORE_OK ? STORE_ERR : rc;
	}
	if (rc != STORE_OK && (st = db_stmt(db, undo)) != NULL)
		db_exec_stmt(db, st);
	if ((st = db_stmt(db, release)) == NULL || db_exec_stmt(db, st) != STORE_OK)
		return STORE_ERR;
	return rc;
}

int
db_read_begin(struct db *db)
{
	return exec_cached(db, "BEGIN");
}

void
db_read_end(struct db *db)
{
	if (sqlite3_get_autocommit(db->handle))
		return;
	if (db_commit(db) != STORE_OK)
		db_rollback(db);
}

int
db_readonly(struct db *db)
{
	return sqlite3_db_readonly(db->handle, "main") == 1;
}

const char *
db_col_text(sqlite3_stmt *st, int col)
{
	const unsigned char *s = sqlite3_column_text(st, col);

	return s ? (const char *)s : "";
}

/* Read a generation and its date from st's one row: STORE_OK, STORE_NOTFOUND or STORE_ERR. */
static int
generation_row(sqlite3_stmt *st, int64_t *generation, int64_t *modified_at)
{
	int rc;

	if (st == NULL)
		return STORE_ERR;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*generation = sqlite3_column_int64(st, 0);
		*modified_at = sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? STORE_OK : rc == SQLITE_DONE ? STORE_NOTFOUND : STORE_ERR;
}

int
db_generation(struct db *db, int64_t *generation, int64_t *modified_at)
{
	static const char sql[] = "SELECT generation, modified_at FROM site_state WHERE id = 1";

	return generation_row(db_stmt(db, sql), generation, modified_at) == STORE_OK ?
	    STORE_OK : STORE_ERR;
}

int
db_post_generation(struct db *db, const char *slug, int64_t *generation,
		   int64_t *modified_at)
{
	static const char sql[] =
		"SELECT generation, modified_at FROM post_generations WHERE slug = ?";
	sqlite3_stmt *st = db_stmt(db, sql);

	if (st == NULL)
		return STORE_ERR;
	sqlite3_bind_text(st, 1, slug, -1, SQLITE_STATIC);
	return generation_row(st, generation, modified_at);
}

static int
user_version(struct db *db)
{
	sqlite3_stmt *st;
	int v = -1;

	if (sqlite3_prepare_v2(db->handle, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* Read the site secret into db->secret; 0 when present, 1 when absent, -1 on error. */
static int
load_secret(struct db *db)
{
	static const char sql[] = "SELECT value FROM settings WHERE key = 'secret'";
	sqlite3_stmt *st;
	const char *hex;
	size_t len;
	int rc = 1;

	if (sqlite3_prepare_v2(db->handle, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW) {
		hex = db_col_text(st, 0);
		rc = sodium_hex2bin(db->secret, sizeof(db->secret), hex, strlen(hex), NULL,
				    &len, NULL) == 0 && len == sizeof(db->secret) ? 0 : -1;
	}
	sqlite3_finalize(st);
	db->has_secret = rc == 0;
	return rc;
}

/* Does PRAGMA foreign_key_check find a dangling reference?  Sets *msg (sqlite3_malloc'd) when so. */
static int
foreign_keys_broken(struct db *db, char **msg)
{
	sqlite3_stmt *st;
	int broken;

	if (sqlite3_prepare_v2(db->handle, "PRAGMA foreign_key_check", -1, &st, NULL) != SQLITE_OK) {
		*msg = sqlite3_mprintf("%s", sqlite3_errmsg(db->handle));
		return 1;
	}
	broken = sqlite3_step(st) == SQLITE_ROW;
	if (broken)
		*msg = sqlite3_mprintf("a row of %s refers to a missing row",
				       (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return broken;
}

int
db_migrate(struct db *db, char *err, size_t errlen)
{
	int have = user_version(db), applied = 0, i;
	char *msg = NULL, pragma[64];

	if (have < 0) {
		snprintf(err, errlen, "cannot read schema version: %s", sqlite3_errmsg(db->handle));
		return -1;
	}
	if (have > db_schema_version()) {
		snprintf(err, errlen, "database schema %d is newer than this parley (%d)",
			 have, db_schema_version());
		return -1;
	}
	/*
	 * A migration may rebuild a table (SQLite's documented way to change a
	 * constraint): foreign keys are off while it runs, so dropping the old
	 * table cascades nowhere, and they are checked before it commits.
	 */
	sqlite3_exec(db->handle, "PRAGMA foreign_keys = OFF", NULL, NULL, NULL);
	for (i = 0; i < migrations_count; i++) {
		const struct migration *m = &migrations[i];
		if (m->version <= have)
			continue;
		snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d", m->version);
		if (sqlite3_exec(db->handle, "BEGIN IMMEDIATE", NULL, NULL, &msg) != SQLITE_OK ||
		    sqlite3_exec(db->handle, m->sql, NULL, NULL, &msg) != SQLITE_OK ||
		    foreign_keys_broken(db, &msg) ||
		    sqlite3_exec(db->handle, pragma, NULL, NULL, &msg) != SQLITE_OK ||
		    sqlite3_exec(db->handle, "COMMIT", NULL, NULL, &msg) != SQLITE_OK) {
			snprintf(err, errlen, "migration %s failed: %s", m->name,
				 msg ? msg : sqlite3_errmsg(db->handle));
			sqlite3_free(msg);
			db_rollback(db);
			sqlite3_exec(db->handle, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
			return -1;
		}
		applied++;
	}
	sqlite3_exec(db->handle, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
	if (load_secret(db) == 1) {
		unsigned char secret[DB_SECRET_BYTES];
		char hex[DB_SECRET_BYTES * 2 + 1];
		sqlite3_stmt *st;
		int rc;

		randombytes_buf(secret, sizeof(secret));
		sodium_bin2hex(hex, sizeof(hex), secret, sizeof(secret));
		sodium_memzero(secret, sizeof(secret));
		if (sqlite3_prepare_v2(db->handle,
		    "INSERT OR IGNORE INTO settings (key, value) VALUES ('secret', ?)", -1,
		    &st, NULL) != SQLITE_OK) {
			snprintf(err, errlen, "cannot store the site secret: %s",
				 sqlite3_errmsg(db->handle));
			return -1;
		}
		sqlite3_bind_text(st, 1, hex, -1, SQLITE_TRANSIENT);
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
		sodium_memzero(hex, sizeof(hex));
		if (rc != SQLITE_DONE || load_secret(db) != 0) {
			snprintf(err, errlen, "cannot store the site secret");
			return -1;
		}
	}
	return applied;
}

int
db_private_modes(const char *path)
{
	static const char *const suffixes[] = { "", "-wal", "-shm" };
	char side[4096];
	struct stat sb;
	size_t i;
	int fd, repaired = 0;

	for (i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		if ((size_t)snprintf(side, sizeof(side), "%s%s", path, suffixes[i]) >= sizeof(side))
			return -1;
		/* By descriptor, never by name: a symlink put in its place is left alone. */
		fd = open(side, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
		if (fd < 0) {
			if (errno == ENOENT || errno == ELOOP)
				continue;
			return -1;
		}
		if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) &&
		    (sb.st_mode & 07777 & ~(mode_t)DB_FILE_MODE_MASK) != 0) {
			if (fchmod(fd, sb.st_mode & DB_FILE_MODE_MASK) != 0) {
				close(fd);
				return -1;
			}
			repaired++;
		}
		close(fd);
	}
	return repaired;
}

/* Create path as an empty file only its owner can read, unless it exists. */
static int
create_private(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);

	if (fd < 0)
		return errno == EEXIST ? 0 : -1;
	close(fd);
	return 0;
}

/*
 * The responders make the -wal and -shm, which copy the database's mode:
 * put it right before their first connection, where we may (a file we do
 * not own stays as it is, for `parley check` to warn about).  Only once,
 * before any connection of this process exists: closing a descriptor of
 * the file would drop every POSIX lock the process's connections hold.
 */
static void
private_modes_once(const char *path)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	static int done;

	pthread_mutex_lock(&lock);
	if (!done)
		db_private_modes(path);
	done = 1;
	pthread_mutex_unlock(&lock);
}

/*
 * Before SQLite's first use in the process: no memory statistics (nothing
 * reads them), so its allocations take no process-wide mutex, which every
 * worker's and the committer's statements otherwise share.
 */
static void
sqlite_configure(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

struct db *
db_open(const char *path, enum db_open_mode mode, char *err, size_t errlen)
{
	static pthread_once_t configured = PTHREAD_ONCE_INIT;

	struct db *db;
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, v;
	struct stat sb;

	if (sodium_init() < 0) {
		snprintf(err, errlen, "libsodium failed to initialise");
		return NULL;
	}
	if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		snprintf(err, errlen, "%s: a folder, not a database file", path);
		return NULL;
	}
	if (mode == DB_OPEN_CREATE) {
		/* SQLite would create it 0644 less the umask; the -wal and -shm copy its mode. */
		if (create_private(path) != 0) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			return NULL;
		}
		flags |= SQLITE_OPEN_CREATE;
	} else if (stat(path, &sb) != 0) {
		snprintf(err, errlen, "%s: no database here (run 'parley init' first)", path);
		return NULL;
	}
	if (mode == DB_OPEN_EXISTING)
		private_modes_once(path);
	pthread_once(&configured, sqlite_configure);
	if ((db = calloc(1, sizeof(*db))) == NULL)
		die("out of memory");
	if (sqlite3_open_v2(path, &db->handle, flags, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path,
			 db->handle ? sqlite3_errmsg(db->handle) : "cannot open");
		goto fail;
	}
	sqlite3_extended_result_codes(db->handle, 1);
	sqlite3_busy_timeout(db->handle, BUSY_TIMEOUT_MS);
	if (commenter_sql_functions(db->handle) != STORE_OK ||
	    search_sql_functions(db->handle) != STORE_OK) {
		snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(db->handle));
		goto fail;
	}
	/* Read the version first: a file that is not ours is refused unchanged, never made WAL. */
	if ((v = user_version(db)) < 0)
		goto unusable;
	/* Newer: made by a later parley, whose migrations this one cannot undo. */
	if (v > db_schema_version()) {
		snprintf(err, errlen, "%s: schema version %d is newer than this parley's %d "
			 "(install the parley that made it)", path, v, db_schema_version());
		goto fail;
	}
	if (mode != DB_OPEN_CREATE && v != db_schema_version()) {
		snprintf(err, errlen, "%s: schema version %d, this parley needs %d "
			 "(run 'parley init')", path, v, db_schema_version());
		goto fail;
	}
	if (sqlite3_exec(db->handle, "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON;"
	    "PRAGMA synchronous = FULL;", NULL, NULL, NULL) != SQLITE_OK)
		goto unusable;
	if (mode == DB_OPEN_EXISTING && sqlite3_exec(db->handle, RESPONDER_CACHE_SIZE, NULL, NULL,
	    NULL) != SQLITE_OK)
		goto unusable;
	if (mode != DB_OPEN_CREATE && load_secret(db) != 0) {
		snprintf(err, errlen, "%s: the site secret is missing (run 'parley init')", path);
		goto fail;
	}
	/* Responders take comments and sessions: a file they cannot write is refused now. */
	if (mode == DB_OPEN_EXISTING && sqlite3_db_readonly(db->handle, "main") == 1) {
		snprintf(err, errlen, "%s: read-only (parley must be able to write to the file "
			 "and its folder)", path);
		goto fail;
	}
	return db;
unusable:
	if ((sqlite3_extended_errcode(db->handle) & 0xff) == SQLITE_READONLY)
		snprintf(err, errlen, "%s: read-only (parley must be able to write to the file "
			 "and its folder)", path);
	else
		snprintf(err, errlen, "%s: not a usable SQLite database: %s", path,
			 sqlite3_errmsg(db->handle));
fail:
	db_close(db);
	return NULL;
}

void
db_close(struct db *db)
{
	size_t i;

	if (db == NULL)
		return;
	for (i = 0; i < DB_STMT_CACHE; i++)
		sqlite3_finalize(db->cache[i].stmt);
	sqlite3_close(db->handle);
	spam_model_free(db->spam_model);
	sodium_memzero(db->secret, sizeof(db->secret));
	free(db);
}
