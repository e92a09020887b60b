/* db.h: the SQLite connection: opening, migrations, the prepared-statement cache, transactions. */
#ifndef PARLEY_DB_H
#define PARLEY_DB_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

struct spam_model;

/* What store functions return. */
enum store_rc {
	STORE_OK = 0,
	STORE_NOTFOUND = 1,   /* no such row */
	STORE_CONFLICT = 2,   /* a unique value is taken */
	STORE_ERR = -1,       /* SQLite failed; logged with the statement */
};

#define DB_SECRET_BYTES 32
#define DB_STMT_CACHE 256

/*
 * One connection, owned by one thread.  Statements are prepared once per
 * connection (SQLITE_PREPARE_PERSISTENT) and found again by the address of
 * their SQL text, so each store file keeps its SQL beside the code using it.
 */
struct db {
	sqlite3 *handle;
	struct {
		const char *sql;
		sqlite3_stmt *stmt;
	} cache[DB_STMT_CACHE];
	unsigned char secret[DB_SECRET_BYTES];  /* the site secret, read at open */
	int has_secret;
	/* The spam classifier's counts as this connection last read them (spam.h). */
	struct spam_model *spam_model;
	int64_t spam_generation, spam_epoch;
};

enum db_open_mode {
	DB_OPEN_EXISTING,     /* responders: must exist and be fully migrated */
	DB_OPEN_CREATE,       /* parley init: create when missing */
	DB_OPEN_READWRITE,    /* other commands: must exist, migrated */
};

/*
 * Open path: WAL, foreign keys on, a busy timeout, synchronous=FULL so an
 * answered write survives a crash.  Returns a connection the caller frees
 * with db_close, or NULL with a one-line reason in err.
 */
struct db *db_open(const char *path, enum db_open_mode mode, char *err, size_t errlen);
void db_close(struct db *db);

/*
 * Make the database at path and its -wal and -shm private: mode bits
 * beyond 0640 (group write, anything for others, execute) are cleared, by
 * descriptor, never following a symlink.  Call it before the process
 * opens any connection to the database (closing a descriptor of the file
 * drops the process's locks): `parley init` does, and db_open does it once
 * per process for the responders (DB_OPEN_EXISTING).  Returns the number
 * of files changed, or -1 with errno set.
 */
int db_private_modes(const char *path);

/*
 * Apply every migration newer than PRAGMA user_version, each in its own
 * transaction, and make the site secret if there is none.  Returns the
 * number of migrations applied, or -1 with err.
 */
int db_migrate(struct db *db, char *err, size_t errlen);
/* The newest schema version this build knows. */
int db_schema_version(void);

/*
 * The cached statement for sql (which must be a string with static storage),
 * reset and with bindings cleared.  NULL after logging when SQLite refuses it.
 */
sqlite3_stmt *db_stmt(struct db *db, const char *sql);

/* Step a statement with no rows to read; resets it.  STORE_OK or STORE_ERR
 * (STORE_CONFLICT for a UNIQUE constraint). */
int db_exec_stmt(struct db *db, sqlite3_stmt *st);
/*
 * db_exec_stmt for a statement meant to change a row (UPDATE or DELETE by
 * key): STORE_NOTFOUND when it changed none.
 */
int db_exec_change(struct db *db, sqlite3_stmt *st);
/* db_exec_stmt, with the number of rows the statement changed in *changed. */
int db_exec_count(struct db *db, sqlite3_stmt *st, int *changed);
/*
 * Step a bound statement that asks whether a row exists: 1, 0, or
 * STORE_ERR after logging what failed.  Resets it.
 */
int db_exists(struct db *db, sqlite3_stmt *st, const char *what);
/* Run SQL text without results (schema, pragmas).  STORE_OK or STORE_ERR. */
int db_exec(struct db *db, const char *sql);

/* BEGIN IMMEDIATE (the write lock up front), COMMIT, ROLLBACK. */
int db_begin(struct db *db);
int db_commit(struct db *db);
void db_rollback(struct db *db);

/*
 * A unit of work that nests: a transaction of its own (BEGIN IMMEDIATE)
 * when none is open, *own set; else a savepoint inside the caller's.
 * db_work_end commits (or releases) when rc is STORE_OK, else undoes the
 * work, and returns rc (STORE_ERR when the commit fails).
 */
int db_work_begin(struct db *db, int *own);
int db_work_end(struct db *db, int own, int rc);

/*
 * A read transaction (deferred BEGIN) around the queries of one page, so
 * they see one snapshot and take SQLite's locks once.  db_read_end commits
 * whatever transaction is still open, rolling back if that fails, and does
 * nothing without one.  db_read_begin returns STORE_OK or STORE_ERR.
 */
int db_read_begin(struct db *db);
void db_read_end(struct db *db);

/* Did SQLite open the file read-only (it does so quietly when it may not write)? */
int db_readonly(struct db *db);

/* Log SQLite's last error for this connection with context. */
void db_log_error(struct db *db, const char *what);

/* The current page generation and when it last moved (for ETags). */
int db_generation(struct db *db, int64_t *generation, int64_t *modified_at);
/*
 * The generation of the post page for slug (sql/0009_post_generations.sql)
 * and when it last moved: STORE_OK, STORE_NOTFOUND when the slug has none
 * (the site generation then stands for it) or STORE_ERR.
 */
int db_post_generation(struct db *db, const char *slug, int64_t *generation,
		       int64_t *modified_at);

/* Text column as a NUL-terminated string ("" for NULL); valid until the next step. */
const char *db_col_text(sqlite3_stmt *st, int col);

#endif
