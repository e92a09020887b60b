/* cli-backup.c: `parley backup [--force] FILE`: an online copy of the database. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "log.h"
#include "maintenance.h"

int
cli_backup(struct cli *c, int argc, char **argv)
{
	const char *path = NULL;
	char err[512];
	int i, force = 0;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--force") == 0 || strcmp(argv[i], "-f") == 0)
			force = 1;
		else if (path == NULL && argv[i][0] != '\0' &&
		    (argv[i][0] != '-' || argv[i][1] == '\0'))
			path = argv[i];
		else {
			path = NULL;
			break;
		}
	}
	if (path == NULL || i < argc) {
		log_error("usage: parley backup [--force] FILE");
		return CLI_USAGE;
	}
	if (cli_open_db(c, CLI_READ) != CLI_OK)
		return CLI_FAILED;
	if (maintenance_backup(c->db, path, force, err, sizeof(err)) != 0) {
		log_error("%s", err);
		return CLI_FAILED;
	}
	printf("backed up to %s\n", path);
	return CLI_OK;
}
