/* fixture.c: what unit tests set up: a fresh database, one request through a dispatcher. */
#include "fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mustache.h"
#include "posts.h"
#include "render.h"

time_t test_clock;

struct mu_set *
test_templates(void)
{
	const char *src = getenv("PARLEY_SOURCE_DIR");
	struct mu_set *tpl = mu_set_new();
	char path[600], err[256];

	snprintf(path, sizeof(path), "%s/templates", src != NULL ? src : ".");
	if (mu_set_load_dir(tpl, path, err, sizeof(err)) < 0) {
		fprintf(stderr, "templates: %s\n", err);
		exit(1);
	}
	return tpl;
}

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

static size_t
memory_read(void *ctx, char *dst, size_t n)
{
	struct test_memory_input *m = ctx;
	size_t k = m->len - m->off < n ? m->len - m->off : n;

	memcpy(dst, m->data + m->off, k);
	m->off += k;
	return k;
}

void
test_request_begin(struct test_held *h, struct arena *a, const struct app *app,
		   const struct config *cfg, const struct mu_set *tpl, struct db *db, char **env,
		   const char *body)
{
	memset(h, 0, sizeof(*h));
	h->in_data.data = body;
	h->in_data.len = body ? strlen(body) : 0;
	h->in.read = memory_read;
	h->in.ctx = &h->in_data;
	h->r.arena = a;
	h->r.cfg = cfg;
	h->r.tpl = tpl;
	h->r.db = db;
	h->r.now = test_clock != 0 ? test_clock : time(NULL);
	h->r.headers = &h->headers;
	h->r.body = &h->body;
	h->r.env = env;
	h->r.input = &h->in;
	http_dispatch(app, &h->r);
}

struct test_response
test_request_end(struct test_held *h)
{
	struct arena *a = h->r.arena;
	struct test_response res;

	/* The body as the FastCGI loop sends it: what r->body holds, then what it refers to. */
	resp_body_hold(&h->r);
	res.status = h->r.status;
	res.headers = arena_strdup(a, h->headers.data ? h->headers.data : "");
	res.body = arena_strdup(a, h->body.data ? h->body.data : "");
	res.content_type = h->r.content_type;
	buf_free(&h->headers);
	buf_free(&h->body);
	return res;
}

struct test_response
test_request(struct arena *a, const struct app *app, const struct config *cfg,
	     const struct mu_set *tpl, struct db *db, char **env, const char *body)
{
	struct test_held h;

	test_request_begin(&h, a, app, cfg, tpl, db, env, body);
	return test_request_end(&h);
}
