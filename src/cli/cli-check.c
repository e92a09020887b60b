/* cli-check.c: `parley check`: SQLite's integrity and foreign-key checks. */
#include <stdio.h>

#include "cli.h"
#include "log.h"
#include "maintenance.h"

/* Prints "ok", or one line per problem and exits 1. */
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
	if (n == 0) {
		printf("ok\n");
		return CLI_OK;
	}
	for (i = 0; i < n; i++)
		printf("%s\n", problems[i]);
	log_error("%s: %zu problem%s found", c->cfg.db, n, n == 1 ? "" : "s");
	return CLI_FAILED;
}
