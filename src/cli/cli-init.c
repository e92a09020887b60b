/* cli-init.c: `parley init`: create the database or bring its schema up to date. */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "log.h"
#include "spam.h"

/*
 * Create cfg.db when missing (mode 0600) and apply every pending migration.
 * Says "created", "migrated to version N" or "up to date"; running it again
 * is harmless.  The database, -wal and -shm of an older install are made
 * private again (SPEC "Storage"), with a line on stderr saying so.  The
 * spam classifier counts the decisions made before it, once.
 */
int
cli_init(struct cli *c, int argc, char **argv)
{
	char err[512];
	struct stat sb;
	int existed, applied, repaired;

	if (argc != 1) {
		log_error("usage: parley init");
		return CLI_USAGE;
	}
	existed = stat(c->cfg.db, &sb) == 0 && sb.st_size > 0;
	if ((repaired = db_private_modes(c->cfg.db)) < 0) {
		log_error("%s: cannot make it private (mode 0600): %s", c->cfg.db, strerror(errno));
		return CLI_FAILED;
	}
	if (repaired > 0)
		log_info("%s: other users could read it; now mode 0600 (or 0640)", c->cfg.db);
	if ((c->db = db_open(c->cfg.db, DB_OPEN_CREATE, err, sizeof(err))) == NULL) {
		log_error("%s", err);
		return CLI_FAILED;
	}
	if ((applied = db_migrate(c->db, err, sizeof(err))) < 0) {
		log_error("%s: %s", c->cfg.db, err);
		return CLI_FAILED;
	}
	/* The classifier learns the decisions made before it existed, once. */
	if (spam_ensure_built(c->db) == STORE_ERR) {
		log_error("%s: could not count the spam classifier's decisions", c->cfg.db);
		return CLI_FAILED;
	}
	if (!existed)
		printf("created %s (schema version %d)\n", c->cfg.db, db_schema_version());
	else if (applied > 0)
		printf("migrated to version %d\n", db_schema_version());
	else
		printf("up to date\n");
	return CLI_OK;
}
