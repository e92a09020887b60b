/* cli-check.c: `parley check`: SQLite's integrity and foreign-key checks, and file modes. */
#include <sys/stat.h>

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "log.h"
#include "maintenance.h"

/* One warning line when other users may read or write path (the SPEC allows 0600 or 0640). */
static int
warn_mode(const char *path, const char *what)
{
	struct stat sb;

	if (stat(path, &sb) != 0 || (sb.st_mode & (S_IROTH | S_IWOTH)) == 0)
		return 0;
	printf("warning: %s%s is %s by other users (mode %04o): chmod o-rwx %s\n", path, what,
	       sb.st_mode & S_IROTH ? "readable" : "writable",
	       (unsigned)(sb.st_mode & 07777), path);
	return 1;
}

/*
 * Warn about the database, its -wal and -shm files and its folder when
 * other users may read (or write) them.  Warnings do not fail the check.
 */
static void
warn_modes(const char *db)
{
	static const char *const suffixes[] = { "", "-wal", "-shm" };
	char path[PATH_MAX], *slash;
	size_t i;

	for (i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		if (snprintf(path, sizeof(path), "%s%s", db, suffixes[i]) < (int)sizeof(path))
			warn_mode(path, "");
	}
	if (snprintf(path, sizeof(path), "%s", db) >= (int)sizeof(path))
		return;
	if ((slash = strrchr(path, '/')) == NULL)
		snprintf(path, sizeof(path), ".");
	else if (slash == path)
		path[1] = '\0';
	else
		*slash = '\0';
	warn_mode(path, ", the database's folder,");
}

/* Prints any mode warnings, then "ok", or one line per problem and exits 1. */
int
cli_check(struct cli *c, int argc, char **argv)
{
	const char **problems;
	size_t n, i;

	if (argc != 1) {
		log_error("usage: parley check");
		return CLI_USAGE;
	}
	if (cli_open_db(c, CLI_READ) != CLI_OK)
		return CLI_FAILED;
	if (maintenance_check(c->db, &c->arena, &problems, &n) != STORE_OK) {
		log_error("%s: the check could not run", c->cfg.db);
		return CLI_FAILED;
	}
	warn_modes(c->cfg.db);
	if (n == 0) {
		printf("ok\n");
		return CLI_OK;
	}
	for (i = 0; i < n; i++)
		printf("%s\n", problems[i]);
	log_error("%s: %zu problem%s found", c->cfg.db, n, n == 1 ? "" : "s");
	return CLI_FAILED;
}
