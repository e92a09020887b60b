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

/*
 * The templates of $PARLEY_SOURCE_DIR/templates (the current folder's
 * without it), loaded; exits the test when they cannot be.
 */
struct mu_set;
struct mu_set *test_templates(void);

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

/*
 * test_request in two halves, for a test that holds a response between
 * them as a worker does while it writes one: begin dispatches (a body the
 * response refers to, such as a cached page, stays referred), end reads
 * the body as the FastCGI loop would send it, releases what it referred
 * to and frees h's buffers.
 */
struct test_memory_input {
	const char *data;
	size_t len, off;
};

struct test_held {
	struct req r;
	struct buf headers, body;
	struct http_input in;
	struct test_memory_input in_data;
};

void test_request_begin(struct test_held *h, struct arena *a, const struct app *app,
			const struct config *cfg, const struct mu_set *tpl, struct db *db,
			char **env, const char *body);
struct test_response test_request_end(struct test_held *h);

#endif
