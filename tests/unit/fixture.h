/* fixture.h: what unit tests set up: a fresh database, one request through a dispatcher. */
#ifndef PARLEY_TEST_FIXTURE_H
#define PARLEY_TEST_FIXTURE_H

#include <time.h>

#include "db.h"
#include "http.h"

/*
 * A new folder from dir (a mkdtemp template, changed in place) holding
 * test.db, created and migrated.  Exits the test when it cannot.
 */
struct db *test_db_create(char *dir);
/*
 * posts_save after rendering in->body_md as `parley post add` does (cmark
 * safe mode), in arena a.  STORE_OK or STORE_ERR.
 */
struct post_input;
int test_post_save(struct db *db, struct arena *a, struct post_input *in, int64_t *id,
		   int *created);

/* Close db and remove test.db, its -wal and -shm files, and the folder. */
void test_db_remove(struct db *db, const char *dir);

/* The time test_request gives each request; 0 (the default) reads the clock. */
extern time_t test_clock;

/* What the program answered; strings are copies in the caller's arena. */
struct test_response {
	int status;
	const char *headers;        /* "Name: value\r\n" lines the handler added */
	const char *body;
	const char *content_type;   /* NULL for the default text/html */
};

/*
 * Dispatch one request to app as the FastCGI loop would: env holds the CGI
 * variables (NULL-terminated), body the request body (NULL for none); cfg,
 * tpl and db are what a worker would have (tpl and db may be NULL for apps
 * that do not use them).
 */
struct test_response test_request(struct arena *a, const struct app *app,
				  const struct config *cfg, const struct mu_set *tpl,
				  struct db *db, char **env, const char *body);

#endif
