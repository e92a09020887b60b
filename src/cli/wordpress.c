/* wordpress.c: placeholder for `parley import-wordpress` until it lands. */
#include <stdio.h>

#include "cli.h"

int
cli_import_wordpress(struct cli *c, int argc, char **argv)
{
	(void)c; (void)argc; (void)argv;
	fprintf(stderr, "parley: import-wordpress: not implemented yet\n");
	return CLI_FAILED;
}
