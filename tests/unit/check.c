/* check.c: the tiny assertion kit of the unit tests. */
#include "check.h"

#include <stdio.h>

int check_failures;
int check_count;

void
check_fail(const char *file, int line, const char *what)
{
	check_failures++;
	fprintf(stderr, "%s:%d: FAILED: %s\n", file, line, what);
}

void
check_str_fail(const char *file, int line, const char *what, const char *got,
	       const char *want)
{
	check_failures++;
	fprintf(stderr, "%s:%d: FAILED: %s\n  got:  \"%s\"\n  want: \"%s\"\n", file,
		line, what, got ? got : "(null)", want ? want : "(null)");
}

int
check_summary(void)
{
	printf("%d passed, %d failed\n", check_count - check_failures, check_failures);
	return check_failures ? 1 : 0;
}
