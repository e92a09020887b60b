/* maintenance.h: whole-database chores for sysadmins: integrity checks and online backups. */
#ifndef PARLEY_MAINTENANCE_H
#define PARLEY_MAINTENANCE_H

#include <stddef.h>

#include "arena.h"
#include "db.h"

/*
 * Run PRAGMA integrity_check and PRAGMA foreign_key_check.  *problems
 * gets one line per problem found (in the arena), *n their count (0 when
 * the database is sound).  STORE_OK when the checks ran, STORE_ERR when
 * they could not.
 */
int maintenance_check(struct db *db, struct arena *a, const char ***problems, size_t *n);

/*
 * Copy the open database to path with SQLite's online backup API, writing
 * a temporary file beside path (mode 0600) and moving it into place only
 * when complete.  An existing path is refused unless overwrite.  Returns
 * 0, or -1 with a one-line reason in err.
 */
int maintenance_backup(struct db *db, const char *path, int overwrite,
		       char *err, size_t errlen);

#endif
