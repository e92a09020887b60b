/* main.c: the parley command: dispatch to subcommands. */
#include <stdio.h>

int
main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "parley: not yet\n");
	return 2;
}
