/* check.h: the tiny assertion kit of the unit tests. */
#ifndef PARLEY_CHECK_H
#define PARLEY_CHECK_H

#include <stddef.h>

extern int check_failures;
extern int check_count;

void check_fail(const char *file, int line, const char *what);
void check_str_fail(const char *file, int line, const char *what,
		    const char *got, const char *want);
/* Prints "N passed, N failed" and returns the exit status for main. */
int check_summary(void);

#define CHECK(cond) do { check_count++; if (!(cond)) \
	check_fail(__FILE__, __LINE__, #cond); } while (0)
#define CHECK_STR(got, want) do { const char *g_ = (got), *w_ = (want); check_count++; \
	if (g_ == NULL || w_ == NULL || strcmp(g_, w_) != 0) \
		check_str_fail(__FILE__, __LINE__, #got, g_, w_); } while (0)
#define CHECK_CONTAINS(hay, needle) do { const char *h_ = (hay), *n_ = (needle); check_count++; \
	if (h_ == NULL || strstr(h_, n_) == NULL) \
		check_str_fail(__FILE__, __LINE__, "contains " #needle, h_, n_); } while (0)
#define CHECK_NOT_CONTAINS(hay, needle) do { const char *h_ = (hay), *n_ = (needle); check_count++; \
	if (h_ == NULL || strstr(h_, n_) != NULL) \
		check_str_fail(__FILE__, __LINE__, "does not contain " #needle, h_, n_); } while (0)

#endif
