/* comments.c: placeholder for `parley comments` until it lands. */
#include <stdio.h>

#include "cli.h"

int
cli_comments(struct cli *c, int argc, char **argv)
{
	(void)c; (void)argc; (void)argv;
	fprintf(stderr, "parley: comments: not implemented yet\n");
	return CLI_FAILED;
}
