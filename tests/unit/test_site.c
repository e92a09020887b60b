/* test_site.c: the public pages rendered through the dispatcher, without FastCGI. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "config.h"
#include "db.h"
#include "fixture.h"
#include "http.h"
#include "mustache.h"
#include "posts.h"
#include "site.h"

static struct arena arena;
static struct config cfg;
static struct mu_set *tpl;
static struct db *db;
static const char *dump_dir;    /* PARLEY_SITE_DUMP: write each page there (for vnu) */

struct page {
	int status;
	const char *body;
	const char *headers;
};

/* GET (or method) uri through site_app with the templates and database above. */
static struct page
request(const char *method, const char *uri, const char *if_none_match)
{
	char *env[8];
	size_t n = 0;
	struct test_response res;
	struct page p;

	env[n++] = arena_printf(&arena, "REQUEST_METHOD=%s", method);
	env[n++] = arena_printf(&arena, "REQUEST_URI=%s", uri);
	env[n++] = "REMOTE_ADDR=127.0.0.1";
	if (if_none_match != NULL)
		env[n++] = arena_printf(&arena, "HTTP_IF_NONE_MATCH=%s", if_none_match);
	env[n] = NULL;
	res = test_request(&arena, &site_app, &cfg, tpl, db, env, NULL);
	p.status = res.status;
	p.body = res.body;
	p.headers = res.headers;
	if (dump_dir != NULL && (res.content_type == NULL || strstr(res.content_type, "html"))) {
		static int seq;
		char path[512];
		FILE *f;

		snprintf(path, sizeof(path), "%s/page-%03d.html", dump_dir, ++seq);
		if ((f = fopen(path, "w")) != NULL) {
			fputs(p.body, f);
			fclose(f);
		}
	}
	return p;
}

static struct page
get(const char *uri)
{
	return request("GET", uri, NULL);
}

static void
add_post(const char *slug, const char *title, time_t when, const char *tags_csv,
	 int draft, const char *body)
{
	const char *tags[4];
	size_t ntags = 0;
	struct post_input in;
	char *copy, *save = NULL, *t;

	memset(&in, 0, sizeof(in));
	if (tags_csv != NULL) {
		copy = arena_strdup(&arena, tags_csv);
		for (t = strtok_r(copy, ",", &save); t && ntags < 4; t = strtok_r(NULL, ",", &save))
			tags[ntags++] = t;
	}
	in.slug = slug;
	in.title = title;
	in.author = "Sam Rivera";
	in.published_at = when;
	in.draft = draft;
	in.comments_open = 1;
	in.body_md = body;
	in.tags = tags;
	in.ntags = ntags;
	CHECK(test_post_save(db, &arena, &in, NULL, NULL) == STORE_OK);
}

/* The first "ETag: ..." value in headers, in the arena. */
static const char *
etag_of(const char *headers)
{
	const char *s = strstr(headers, "ETag: "), *e;

	if (s == NULL)
		return NULL;
	s += 6;
	e = strstr(s, "\r\n");
	return arena_strndup(&arena, s, e ? (size_t)(e - s) : strlen(s));
}

static void
test_summary(void)
{
	struct post p;
	struct req r;
	struct mu_map *m;
	const struct mu_value *v;
	struct buf text = BUF_INIT;
	int i;

	memset(&r, 0, sizeof(r));
	r.arena = &arena;
	r.cfg = &cfg;
	r.now = time(NULL);
	memset(&p, 0, sizeof(p));
	p.slug = "s";
	p.title = "T";
	p.author = "";
	p.body_text = "A heading\nThe first real paragraph has more  than eight\twords in it, surely.\nSecond.";
	m = site_post_map(&r, &p);
	v = mu_map_get(m, "summary");
	CHECK(v != NULL && v->type == MU_STR);
	CHECK_STR(v->u.str.s, "The first real paragraph has more than eight words in it, surely.");
	v = mu_map_get(m, "author");
	CHECK(v != NULL && v->type == MU_NULL);
	v = mu_map_get(m, "comments_label");
	CHECK_STR(v->u.str.s, "No comments yet");

	for (i = 0; i < 100; i++)
		buf_printf(&text, "word%d%s", i, i % 7 == 6 ? "  " : " ");
	p.body_text = text.data;
	p.comment_count = 3;
	m = site_post_map(&r, &p);
	v = mu_map_get(m, "summary");
	CHECK_CONTAINS(v->u.str.s, "word0 word1");
	CHECK_CONTAINS(v->u.str.s, "word59\xe2\x80\xa6");
	CHECK_NOT_CONTAINS(v->u.str.s, "word60");
	CHECK_NOT_CONTAINS(v->u.str.s, "  ");
	CHECK_STR(mu_map_get(m, "comments_label")->u.str.s, "3 comments");
	buf_free(&text);

	CHECK(site_page_number("2") == 2);
	CHECK(site_page_number("100000") == 100000);
	CHECK(site_page_number("100001") == -1);
	CHECK(site_page_number("0") == -1);
	CHECK(site_page_number("02") == -1);
	CHECK(site_page_number("2x") == -1);
	CHECK(site_page_number("") == -1);
	CHECK(site_page_number("-1") == -1);
}

static void
test_pages(void)
{
	struct page p, q;
	const char *etag;
	char longq[300];

	add_post("oldest", "The oldest post", 1700000000, "Peer work", 0,
		 "First words about *gardens*.\n");
	add_post("middle", "A <b>middle</b> post", 1710000000, "Peer work,Backups", 0,
		 "## Heading\n\nThe middle post talks about backups and rsync at length, "
		 "with `<script>` and <script>alert(1)</script> in it.\n");
	add_post("newest", "The newest post", 1720000000, NULL, 0, "Newest body.\n");
	add_post("secret", "A draft", 1730000000, "Peer work", 1, "Draft body about gardens.\n");

	p = get("/");
	CHECK(p.status == 200);
	CHECK_CONTAINS(p.body, "<!doctype html>");
	CHECK_CONTAINS(p.body, "<title>Test blog</title>");
	CHECK_CONTAINS(p.body, "href=\"/posts/newest\"");
	CHECK_CONTAINS(p.body, "A &lt;b&gt;middle&lt;/b&gt; post");
	CHECK_NOT_CONTAINS(p.body, "A draft");
	CHECK(strstr(p.body, "/posts/newest") < strstr(p.body, "/posts/middle"));
	CHECK_CONTAINS(p.body, "rel=\"next\" href=\"/page/2\"");
	CHECK_NOT_CONTAINS(p.body, "rel=\"prev\"");
	CHECK_CONTAINS(p.body, "<time datetime=\"2024-07-03T09:46:40Z\">");

	p = get("/page/2");
	CHECK(p.status == 200);
	CHECK_CONTAINS(p.body, "/posts/oldest");
	CHECK_CONTAINS(p.body, "rel=\"prev\" href=\"/\"");
	CHECK_NOT_CONTAINS(p.body, "/posts/newest\"");
	CHECK(get("/page/3").status == 404);
	CHECK_CONTAINS(get("/page/3").body, "Page not found");
	CHECK(get("/page/0").status == 404);
	CHECK(get("/page/abc").status == 404);
	CHECK(get("/page/99999").status == 404);
	p = get("/page/1");
	CHECK(p.status == 303);
	CHECK_CONTAINS(p.headers, "Location: /\r\n");

	p = get("/posts/middle");
	CHECK(p.status == 200);
	CHECK_CONTAINS(p.body, "<title>A &lt;b&gt;middle&lt;/b&gt; post — Test blog</title>");
	CHECK_CONTAINS(p.body, "<h2>Heading</h2>");
	CHECK_NOT_CONTAINS(p.body, "<script>");
	CHECK_CONTAINS(p.body, "href=\"/tags/backups\"");
	CHECK_CONTAINS(p.body, "By Sam Rivera");
	CHECK_CONTAINS(p.body, "id=\"comments\"");
	CHECK(get("/posts/secret").status == 404);
	CHECK(get("/posts/nope").status == 404);
	CHECK(get("/posts/Bad_Slug").status == 404);

	etag = etag_of(p.headers);
	CHECK(etag != NULL);
	q = request("GET", "/posts/middle", etag);
	CHECK(q.status == 304);
	CHECK(request("GET", "/posts/oldest", etag).status == 200);

	p = get("/tags/peer-work");
	CHECK(p.status == 200);
	CHECK_CONTAINS(p.body, "Posts tagged “Peer work”");
	CHECK_CONTAINS(p.body, "/posts/oldest");
	CHECK_NOT_CONTAINS(p.body, "/posts/secret");
	CHECK_NOT_CONTAINS(p.body, "/posts/newest\"");
	CHECK(get("/tags/peer-work/page/2").status == 404);
	CHECK(get("/tags/peer-work/page/1").status == 303);
	CHECK(get("/tags/nothing").status == 404);

	p = get("/search?q=backups");
	CHECK(p.status == 200);
	CHECK_CONTAINS(p.body, "<mark>backups</mark>");
	CHECK_CONTAINS(p.body, "&lt;script&gt;");
	CHECK_NOT_CONTAINS(p.body, "<script>");
	p = get("/search?q=gardens");
	CHECK_CONTAINS(p.body, "/posts/oldest");
	CHECK_NOT_CONTAINS(p.body, "/posts/secret");
	p = get("/search");
	CHECK(p.status == 200);
	CHECK_CONTAINS(p.body, "Browse by tag");
	CHECK_CONTAINS(p.body, "aria-current=\"page\">Search");
	memset(longq, 'a', 250);
	memcpy(longq, "/search?q=", 10);
	longq[250] = '\0';
	CHECK(get(longq).status == 400);
	CHECK(get("/search?q=%FF%FE").status == 400);
	CHECK(get("/search?q=%22%29%28*+NEAR").status == 200);
	CHECK(get("/search?q=x&page=0").status == 400);
	p = get("/search?q=post+%22%26");
	CHECK(p.status == 200);
	CHECK_CONTAINS(p.body, "rel=\"next\" href=\"/search?q=post+%22%26&amp;page=2\"");
	CHECK_CONTAINS(p.body, "More results");
	p = get("/search?q=post+%22%26&page=2");
	CHECK(p.status == 200);
	CHECK_CONTAINS(p.body, "rel=\"prev\" href=\"/search?q=post+%22%26\"");
	CHECK_CONTAINS(p.body, "value=\"post &quot;&amp;\"");
	CHECK(get("/search?q=post&page=3").status == 404);

	p = get("/feed.atom");
	CHECK(p.status == 200);
	CHECK_CONTAINS(p.body, "<?xml version=\"1.0\" encoding=\"utf-8\"?>");
	CHECK_CONTAINS(p.body, "<id>http://blog.test/posts/newest</id>");
	CHECK_CONTAINS(p.body, "&lt;h2&gt;Heading&lt;/h2&gt;");
	CHECK_NOT_CONTAINS(p.body, "A draft");
	p = get("/sitemap.xml");
	CHECK(p.status == 200);
	CHECK_CONTAINS(p.body, "<loc>http://blog.test/posts/oldest</loc>");
	CHECK_CONTAINS(p.body, "<loc>http://blog.test/tags/backups</loc>");
	CHECK_NOT_CONTAINS(p.body, "secret");

	p = request("POST", "/", NULL);
	CHECK(p.status == 405);
	CHECK_CONTAINS(p.headers, "Allow: GET, HEAD");
	p = get("/no/such/page");
	CHECK(p.status == 404);
	CHECK_CONTAINS(p.body, "<main id=\"content\"");
}

static void
test_empty_site(void)
{
	struct page p = get("/");

	CHECK(p.status == 200);
	CHECK_CONTAINS(p.body, "Nothing has been published here yet");
	CHECK(get("/page/2").status == 404);
	CHECK(get("/feed.atom").status == 200);
	CHECK(get("/sitemap.xml").status == 200);
}

/* A common word: the page says only the newest 100 matches were ranked. */
static void
test_search_cut(void)
{
	struct page p;
	char slug[32];
	int i;

	p = get("/search?q=backups");
	CHECK(p.status == 200);
	CHECK_NOT_CONTAINS(p.body, "search-cut");
	for (i = 0; i <= 100; i++) {
		snprintf(slug, sizeof(slug), "quince-%d", i);
		add_post(slug, i == 0 ? "Quince, the oldest" : "A note", 1760000000 + i * 60, NULL, 0,
			 "We made jam from the quince again.");
	}
	p = get("/search?q=quince");
	CHECK(p.status == 200);
	CHECK_CONTAINS(p.body, "Many posts match: showing the best of the newest 100 matches.");
	CHECK_CONTAINS(p.body, "<mark>quince</mark>");
	CHECK_CONTAINS(p.body, "/posts/quince-100\"");
	CHECK_NOT_CONTAINS(p.body, "/posts/quince-0\"");
	/* Two a page: the last page holds the oldest of the newest 100, none follows. */
	p = get("/search?q=quince&page=50");
	CHECK(p.status == 200);
	CHECK_CONTAINS(p.body, "search-cut");
	CHECK_CONTAINS(p.body, "/posts/quince-1\"");
	CHECK_NOT_CONTAINS(p.body, "/posts/quince-0\"");
	CHECK_NOT_CONTAINS(p.body, "rel=\"next\"");
	CHECK(get("/search?q=quince&page=51").status == 404);
}

int
main(void)
{
	const char *src = getenv("PARLEY_SOURCE_DIR");
	char dir[] = "/tmp/parley-test-site-XXXXXX", path[600], err[256];

	if (src == NULL)
		src = ".";
	dump_dir = getenv("PARLEY_SITE_DUMP");
	arena_init(&arena);
	config_defaults(&cfg);
	CHECK(config_set(&cfg, "base_url", "http://blog.test", err, sizeof(err)) == 0);
	CHECK(config_set(&cfg, "site_title", "Test blog", err, sizeof(err)) == 0);
	CHECK(config_set(&cfg, "posts_per_page", "2", err, sizeof(err)) == 0);
	CHECK(config_finish(&cfg, err, sizeof(err)) == 0);
	tpl = mu_set_new();
	snprintf(path, sizeof(path), "%s/templates", src);
	if (mu_set_load_dir(tpl, path, err, sizeof(err)) < 0) {
		fprintf(stderr, "templates: %s\n", err);
		return 1;
	}
	db = test_db_create(dir);

	test_summary();
	test_empty_site();
	test_pages();
	test_search_cut();

	test_db_remove(db, dir);
	mu_set_free(tpl);
	config_free(&cfg);
	arena_free(&arena);
	return check_summary();
}
