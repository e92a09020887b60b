/* test_http.c: request parsing, routing, response headers, configuration. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "config.h"
#include "http.h"
#include "fcgi_params.h"
#include "fixture.h"

static struct arena arena;

static void
test_urlencoded(void)
{
	struct kv_list l;

	const char *q = "a=1&b=two+words&c=%3Cx%3E&d&=skip&e=%zz&f=%00z";

	http_parse_urlencoded(&arena, q, strlen(q), '&', &l, 100);
	CHECK(l.len == 5);
	CHECK_STR(kv_get(&l, "a"), "1");
	CHECK_STR(kv_get(&l, "b"), "two words");
	CHECK_STR(kv_get(&l, "c"), "<x>");
	CHECK_STR(kv_get(&l, "d"), "");
	CHECK(kv_get(&l, "e") == NULL);          /* broken escape: dropped */
	CHECK(kv_get(&l, "f") != NULL && l.items[4].value_len == 2);
	http_parse_urlencoded(&arena, "a=1&a=2&a=3", 11, '&', &l, 2);
	CHECK(l.len == 2);
	http_parse_urlencoded(&arena, "%", 1, '&', &l, 10);
	CHECK(l.len == 0);
	http_parse_urlencoded(&arena, "x=%4", 4, '&', &l, 10);
	CHECK(l.len == 0);
}

static void
test_cookies(void)
{
	struct kv_list l;

	http_parse_cookies(&arena, "a=1; b = two ;c=\"q\";junk; =x", &l);
	CHECK_STR(kv_get(&l, "a"), "1");
	CHECK_STR(kv_get(&l, "b"), "two");
	CHECK_STR(kv_get(&l, "c"), "q");
	CHECK(kv_get(&l, "junk") == NULL);
	http_parse_cookies(&arena, NULL, &l);
	CHECK(l.len == 0);
}

static int
h_post(struct req *r)
{
	buf_printf(r->body, "post %s", r->params[0]);
	return 200;
}

static int
h_form(struct req *r)
{
	int rc = req_read_form(r, 64);

	if (rc != 0)
		return rc;
	buf_printf(r->body, "name=%s", req_form(r, "name") ? req_form(r, "name") : "-");
	return 200;
}

/* The test program's route table: the router's part, then the handler. */
static const struct {
	struct route route;
	int (*handler)(struct req *r);
} routes[] = {
	{ { HTTP_GET, "/posts/*" }, h_post },
	{ { HTTP_POST, "/posts/*/comments" }, h_form },
};

static const struct route *
route_at(size_t i)
{
	return i < sizeof(routes) / sizeof(routes[0]) ? &routes[i].route : NULL;
}

static void
respond(struct req *r, long route, int status)
{
	if (route >= 0)
		status = routes[route].handler(r);
	r->status = status;
	if (status >= 400 && r->body->len == 0)
		buf_printf(r->body, "error %d", status);
}

static const struct app app = { .name = "test", .route = route_at, .respond = respond };

/* Run one request through the dispatcher; returns the status, body in *body. */
static int
run(const struct config *cfg, char **env, const char *post_body, const char **body,
    const char **headers)
{
	struct test_response res = test_request(&arena, &app, cfg, NULL, NULL, env, post_body);

	*body = res.body;
	*headers = res.headers;
	return res.status;
}

static void
test_dispatch(void)
{
	struct config cfg;
	char err[256];
	const char *body, *headers;

	config_defaults(&cfg);
	CHECK(config_set(&cfg, "base_url", "https://example.org/blog/", err, sizeof(err)) == 0);
	CHECK(config_finish(&cfg, err, sizeof(err)) == 0);
	CHECK_STR(cfg.mount, "/blog");
	CHECK_STR(cfg.origin, "https://example.org");
	CHECK_STR(cfg.base_url, "https://example.org/blog");
	CHECK(cfg.secure == 1);

	{
		char *env[] = { "REQUEST_METHOD=GET", "REQUEST_URI=/blog/posts/hello%2Dworld?x=1", NULL };
		CHECK(run(&cfg, env, NULL, &body, &headers) == 200);
		CHECK_STR(body, "post hello-world");
	}
	{
		char *env[] = { "REQUEST_METHOD=HEAD", "REQUEST_URI=/blog/posts/a", NULL };
		CHECK(run(&cfg, env, NULL, &body, &headers) == 200);
	}
	{
		char *env[] = { "REQUEST_METHOD=GET", "REQUEST_URI=/posts/a", NULL };
		CHECK(run(&cfg, env, NULL, &body, &headers) == 404);   /* outside the mount */
		CHECK_STR(body, "error 404");
	}
	{
		char *env[] = { "REQUEST_METHOD=GET", "REQUEST_URI=/blogposts/a", NULL };
		CHECK(run(&cfg, env, NULL, &body, &headers) == 404);
	}
	{
		char *env[] = { "REQUEST_METHOD=DELETE", "REQUEST_URI=/blog/posts/a", NULL };
		CHECK(run(&cfg, env, NULL, &body, &headers) == 405);
		CHECK_CONTAINS(headers, "Allow: GET, HEAD\r\n");
	}
	{
		char *env[] = { "REQUEST_METHOD=GET", "REQUEST_URI=/blog/posts/a/comments", NULL };
		CHECK(run(&cfg, env, NULL, &body, &headers) == 405);
		CHECK_CONTAINS(headers, "Allow: POST\r\n");
	}
	{
		char *env[] = { "REQUEST_METHOD=GET", "REQUEST_URI=/blog/posts/a%00b", NULL };
		CHECK(run(&cfg, env, NULL, &body, &headers) == 400);
	}
	{
		char *env[] = { "REQUEST_METHOD=GET", "REQUEST_URI=/blog/posts/%zz", NULL };
		CHECK(run(&cfg, env, NULL, &body, &headers) == 400);
	}
	{
		char *env[] = { "REQUEST_METHOD=POST", "REQUEST_URI=/blog/posts/a/comments",
			"CONTENT_TYPE=application/x-www-form-urlencoded", "CONTENT_LENGTH=14", NULL };
		CHECK(run(&cfg, env, "name=J%C3%B6rg", &body, &headers) == 200);
		CHECK_STR(body, "name=J\xc3\xb6rg");
	}
	{
		char *env[] = { "REQUEST_METHOD=POST", "REQUEST_URI=/blog/posts/a/comments",
			"CONTENT_TYPE=application/x-www-form-urlencoded", "CONTENT_LENGTH=100", NULL };
		CHECK(run(&cfg, env, "name=x", &body, &headers) == 413);
	}
	{
		/* More bytes than announced: cut off, not trusted. */
		char *env[] = { "REQUEST_METHOD=POST", "REQUEST_URI=/blog/posts/a/comments",
			"CONTENT_TYPE=application/x-www-form-urlencoded", "CONTENT_LENGTH=3", NULL };
		CHECK(run(&cfg, env, "a=bcdefg", &body, &headers) == 413);
	}
	{
		char *env[] = { "REQUEST_METHOD=POST", "REQUEST_URI=/blog/posts/a/comments",
			"CONTENT_TYPE=text/plain", "CONTENT_LENGTH=3", NULL };
		CHECK(run(&cfg, env, "a=b", &body, &headers) == 415);
	}
	{
		char *env[] = { "REQUEST_METHOD=POST", "REQUEST_URI=/blog/posts/a/comments",
			"CONTENT_LENGTH=-1", NULL };
		CHECK(run(&cfg, env, "", &body, &headers) == 400);
	}
	config_free(&cfg);
}

static void
test_headers(void)
{
	struct config cfg;
	struct buf hb = BUF_INIT, bb = BUF_INIT;
	struct req r;
	char err[256];
	char *env[] = { "HTTP_IF_NONE_MATCH=W/\"other\", \"abc\"", NULL };

	config_defaults(&cfg);
	CHECK(config_finish(&cfg, err, sizeof(err)) == 0);
	memset(&r, 0, sizeof(r));
	r.arena = &arena;
	r.cfg = &cfg;
	r.headers = &hb;
	r.body = &bb;
	r.env = env;
	CHECK(resp_header(&r, "X-Test", "a\r\nSet-Cookie: evil=1") == -1);
	CHECK(resp_header(&r, "X\nBad", "v") == -1);
	CHECK(hb.len == 0);
	CHECK(resp_validators(&r, "abc", 0) == 1);
	CHECK(resp_validators(&r, "abcd", 0) == 0);
	env[0] = "HTTP_IF_NONE_MATCH=*";   /* never a 304 for a page that may not exist */
	CHECK(resp_validators(&r, "abc", 0) == 0);
	CHECK_CONTAINS(hb.data, "ETag: \"abc\"\r\n");
	resp_cookie(&r, "s", "v", "/admin", 60, 1, "Strict");
	CHECK_CONTAINS(hb.data, "Set-Cookie: s=v; Path=/admin; HttpOnly; SameSite=Strict; Max-Age=60\r\n");
	CHECK_NOT_CONTAINS(hb.data, "Secure");
	CHECK_STR(http_date(&arena, 0), "Thu, 01 Jan 1970 00:00:00 GMT");
	buf_free(&hb);
	buf_free(&bb);
	config_free(&cfg);
}

static void
test_config(void)
{
	struct config cfg;
	char err[256], path[] = "/tmp/parley-config-XXXXXX";
	FILE *f;
	int fd;

	config_defaults(&cfg);
	CHECK(cfg.posts_per_page == 10 && cfg.max_comment_bytes == 10000);
	CHECK(config_set(&cfg, "posts_per_page", "0", err, sizeof(err)) == -1);
	CHECK(config_set(&cfg, "posts_per_page", "12x", err, sizeof(err)) == -1);
	CHECK(config_set(&cfg, "nonsense", "1", err, sizeof(err)) == -1);
	CHECK_CONTAINS(err, "unknown setting");
	CHECK(config_set(&cfg, "base_url", "ftp://x", err, sizeof(err)) == 0);
	CHECK(config_finish(&cfg, err, sizeof(err)) == -1);

	fd = mkstemp(path);
	CHECK(fd >= 0);
	f = fdopen(fd, "w");
	fputs("# a comment\n\nsite_title = My  blog \nposts_per_page=3\nbogus line\n", f);
	fclose(f);
	CHECK(config_load(&cfg, path, 0, err, sizeof(err)) == -1);
	CHECK_CONTAINS(err, ":5: expected key = value");
	CHECK_STR(cfg.site_title, "My  blog");
	CHECK(cfg.posts_per_page == 3);
	unlink(path);
	CHECK(config_load(&cfg, path, 1, err, sizeof(err)) == 0);
	CHECK(config_load(&cfg, path, 0, err, sizeof(err)) == -1);
	config_free(&cfg);
}

/* One FastCGI record into out; returns its length. */
static size_t
record(unsigned char *out, int type, int id, const void *content, size_t len)
{
	out[0] = 1;
	out[1] = (unsigned char)type;
	out[2] = (unsigned char)(id >> 8);
	out[3] = (unsigned char)id;
	out[4] = (unsigned char)(len >> 8);
	out[5] = (unsigned char)len;
	out[6] = 0;
	out[7] = 0;
	memcpy(out + 8, content, len);
	return 8 + len;
}

/* The PARAMS check ahead of libfcgi: whole and sane, not yet whole, or hostile. */
static void
test_fcgi_params(void)
{
	static const unsigned char begin[8] = { 0, 1, 0, 0, 0, 0, 0, 0 };
	static const unsigned char pair[] = "\x0e\x03REQUEST_METHODGET";
	static const unsigned char huge[] = "\x8f\xff\xff\xff\x01xy";
	unsigned char buf[512], scratch[512];
	size_t n = 0, whole;

	n += record(buf + n, 1, 1, begin, sizeof(begin));
	CHECK(fcgi_params_check(buf, n, scratch) == 0);
	n += record(buf + n, 4, 1, pair, 6);          /* the pair split over two records */
	CHECK(fcgi_params_check(buf, n, scratch) == 0);
	n += record(buf + n, 4, 2, huge, 7);          /* another request's: ignored */
	n += record(buf + n, 4, 1, pair + 6, sizeof(pair) - 1 - 6);
	CHECK(fcgi_params_check(buf, n - 3, scratch) == 0);   /* a record cut short */
	whole = n + record(buf + n, 4, 1, "", 0);
	CHECK(fcgi_params_check(buf, whole, scratch) == 1);
	/* A length past the end of the parameters: libfcgi would abort on it. */
	n = record(buf, 1, 1, begin, sizeof(begin));
	n += record(buf + n, 4, 1, huge, 7);
	n += record(buf + n, 4, 1, "", 0);
	CHECK(fcgi_params_check(buf, n, scratch) == -1);
	/* A management record, and a record of another version. */
	n = record(buf, 9, 0, pair, sizeof(pair) - 1);
	CHECK(fcgi_params_check(buf, n, scratch) == -1);
	n = record(buf, 1, 1, begin, sizeof(begin));
	buf[0] = 2;
	CHECK(fcgi_params_check(buf, n, scratch) == -1);
}

/* An error table's row for a status: the first row listing it, else the closing row. */
static void
test_error_text(void)
{
	static const struct http_error_text table[] = {
		{ { 404 }, "Not found", "nothing here" },
		{ { 400, 414, 415 }, "Bad request", "not understood" },
		{ { 404 }, "Shadowed", "never chosen" },
		{ { 0 }, "Something went wrong", "try again" },
	};

	CHECK_STR(http_error_text(table, 404)->title, "Not found");
	CHECK_STR(http_error_text(table, 400)->title, "Bad request");
	CHECK_STR(http_error_text(table, 415)->title, "Bad request");
	CHECK_STR(http_error_text(table, 500)->title, "Something went wrong");
	CHECK_STR(http_error_text(table, 0)->title, "Something went wrong");
	CHECK_STR(http_error_text(table, 403)->message, "try again");
}

int
main(void)
{
	arena_init(&arena);
	test_urlencoded();
	test_cookies();
	test_dispatch();
	test_headers();
	test_config();
	test_fcgi_params();
	test_error_text();
	arena_free(&arena);
	return check_summary();
}
