/* fixture.c: what unit tests set up: a fresh database, one request through a dispatcher. */
#include "fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "posts.h"
#include "render.h"

time_t test_clock;

struct db *
test_db_create(char *dir)
{
	char path[512], err[256];
	struct db *db;

	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		exit(1);
	}
	snprintf(path, sizeof(path), "%s/test.db", dir);
	if ((db = db_open(path, DB_OPEN_CREATE, err, sizeof(err))) == NULL ||
	    db_migrate(db, err, sizeof(err)) < 0) {
		fprintf(stderr, "cannot make a test database: %s\n", err);
		exit(1);
	}
	return db;
}

int
test_post_save(struct db *db, struct arena *a, struct post_input *in, int64_t *id, int *created)
{
	const char *md = in->body_md ? in->body_md : "";

	in->body_html = markdown_html(a, md, strlen(md), MARKDOWN_POST);
	in->body_text = markdown_text(a, md, strlen(md));
	return posts_save(db, in, id, created);
}

void
test_db_remove(struct db *db, const char *dir)
{
	static const char *const files[] = { "test.db", "test.db-wal", "test.db-shm" };
	char path[512];
	size_t i;

	db_close(db);
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		unlink(path);
	}
	rmdir(dir);
}

struct memory_input {
	const char *data;
	size_t len, off;
};

static size_t
memory_read(void *ctx, char *dst, size_t n)
{
	struct memory_input *m = ctx;
	size_t k = m->len - m->off < n ? m->len - m->off : n;

	memcpy(dst, m->data + m->off, k);
	m->off += k;
	return k;
}

struct test_response
test_request(struct arena *a, const struct app *app, const struct config *cfg,
	     const struct mu_set *tpl, struct db *db, char **env, const char *body)
{
	struct buf headers = BUF_INIT, out = BUF_INIT;
	struct memory_input m = { body, body ? strlen(body) : 0, 0 };
	struct http_input in = { memory_read, &m };
	struct test_response res;
	struct req r;

	memset(&r, 0, sizeof(r));
	r.arena = a;
	r.cfg = cfg;
	r.tpl = tpl;
	r.db = db;
	r.now = test_clock != 0 ? test_clock : time(NULL);
	r.headers = &headers;
	r.body = &out;
	r.env = env;
	r.input = &in;
	http_dispatch(app, &r);
	res.status = r.status;
	res.headers = arena_strdup(a, headers.data ? headers.data : "");
	res.body = arena_strdup(a, out.data ? out.data : "");
	res.content_type = r.content_type;
	buf_free(&headers);
	buf_free(&out);
	return res;
}
