/*
 * test_golden.c: whole pages from a fixed database at a fixed time, diffed
 * against the files in tests/golden: a post with a comment thread (parley-blog)
 * and the moderation queue (parley-moderate).
 *
 * Only the random parts of a page are masked before the comparison: every
 * run of 16 or more lowercase hex digits (form tokens' nonces and tags, the
 * session's CSRF token) becomes "[hex]".  Everything else must match byte
 * for byte, so a change to a template, a handler or the engine that alters
 * what a reader sees shows up here as a diff.
 *
 * To regenerate the files after an intended change, run the test with
 * PARLEY_GOLDEN_UPDATE=1 from a build folder:
 *     PARLEY_GOLDEN_UPDATE=1 ctest -R unit/test_golden
 * then read `git diff tests/golden` before committing it.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "check.h"
#include "comments.h"
#include "config.h"
#include "db.h"
#include "fixture.h"
#include "http.h"
#include "mustache.h"
#include "posts.h"
#include "render.h"
#include "sessions.h"
#include "site.h"
#include "users.h"

/* The clock of every request and every row: 2023-11-14 22:13:20 UTC and after. */
#define GOLDEN_T0 ((time_t)1700000000)
#define GOLDEN_NOW (GOLDEN_T0 + 5 * 86400)

static struct arena arena;
static const char *golden_dir;
static int update;

/* Page text with every run of 16 or more lowercase hex digits as "[hex]", in the arena. */
static const char *
mask_random(const char *s)
{
	struct buf out = BUF_INIT;
	const char *run, *masked;

	while (*s != '\0') {
		for (run = s; (*run >= '0' && *run <= '9') || (*run >= 'a' && *run <= 'f'); run++)
			continue;
		if (run - s >= 16) {
			buf_puts(&out, "[hex]");
			s = run;
		} else if (run > s) {
			buf_append(&out, s, (size_t)(run - s));
			s = run;
		} else {
			buf_append(&out, s++, 1);
		}
	}
	masked = arena_strdup(&arena, out.data ? out.data : "");
	buf_free(&out);
	return masked;
}

/* The whole file at path in the arena, or NULL when it cannot be read. */
static const char *
file_text(const char *path)
{
	struct buf b = BUF_INIT;
	char chunk[4096];
	const char *text;
	size_t n;
	FILE *f;

	if ((f = fopen(path, "r")) == NULL)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_append(&b, chunk, n);
	fclose(f);
	text = arena_strdup(&arena, b.data ? b.data : "");
	buf_free(&b);
	return text;
}

/*
 * Compare the masked page with tests/golden/name, or write it there under
 * PARLEY_GOLDEN_UPDATE.  On a difference the page is written beside the
 * build as name.got, for diff(1).
 */
static void
check_golden(const char *name, const char *page)
{
	const char *masked = mask_random(page), *want;
	char path[700];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", golden_dir, name);
	if (update) {
		CHECK((f = fopen(path, "w")) != NULL);
		if (f != NULL) {
			fputs(masked, f);
			fclose(f);
		}
		return;
	}
	want = file_text(path);
	check_count++;
	if (want != NULL && strcmp(want, masked) == 0)
		return;
	snprintf(path, sizeof(path), "%s.got", name);
	if ((f = fopen(path, "w")) != NULL) {
		fputs(masked, f);
		fclose(f);
	}
	fprintf(stderr, "golden page %s differs: diff %s/%s %s\n", name, golden_dir, name, path);
	check_fail(__FILE__, __LINE__, name);
}

static int64_t
add_comment(struct db *db, int64_t post_id, int64_t parent_id, enum comment_status status,
	    const char *author, const char *url, time_t at, const char *md)
{
	struct comment c;

	memset(&c, 0, sizeof(c));
	c.post_id = post_id;
	c.parent_id = parent_id;
	c.status = status;
	c.author = author;
	c.email = "reader@example.org";
	c.url = url;
	c.body_md = md;
	c.body_html = markdown_html(&arena, md, strlen(md), MARKDOWN_COMMENT);
	c.created_at = at;
	c.ip_hash = "";
	c.spam_reason = status == COMMENT_SPAM ? "honeypot" : "";
	CHECK(comments_insert(db, &c) == STORE_OK);
	return c.id;
}

/* One post, a thread of three approved comments, one pending and one spam. */
static int64_t
seed(struct db *db)
{
	static const char *const tags[] = { "notes", "c" };
	struct post_input in;
	int64_t post_id = 0, first;

	memset(&in, 0, sizeof(in));
	in.slug = "golden-post";
	in.title = "A post & its <thread>";
	in.author = "Sam Rivera";
	in.published_at = GOLDEN_T0;
	in.comments_open = 1;
	in.body_md = "The *first* paragraph, with [a link](https://example.org/?a=1&b=2).\n\n"
		"<script>alert(1)</script>\n\n"
		"```\nint main(void) { return 0 < 1; }\n```\n";
	in.tags = tags;
	in.ntags = 2;
	CHECK(test_post_save(db, &arena, &in, &post_id, NULL) == STORE_OK);

	first = add_comment(db, post_id, 0, COMMENT_APPROVED, "Ada", "https://ada.example/",
			    GOLDEN_T0 + 3600, "Nice **post**. 2 < 3 & \"quotes\".");
	add_comment(db, post_id, first, COMMENT_APPROVED, "Grace", "", GOLDEN_T0 + 7200,
		    "A reply with <b>raw</b> HTML and `code`.");
	add_comment(db, post_id, 0, COMMENT_APPROVED, "Linus <root>", "", GOLDEN_T0 + 86400,
		    "Second thread.\n\n> quoted");
	add_comment(db, post_id, 0, COMMENT_PENDING, "Pending Pat", "", GOLDEN_T0 + 2 * 86400,
		    "Waiting for a moderator <i>here</i>.");
	add_comment(db, post_id, 0, COMMENT_SPAM, "Spammer", "http://spam.example/",
		    GOLDEN_T0 + 3 * 86400, "Buy [things](http://spam.example/buy).");
	return post_id;
}

static struct mu_set *
templates(void)
{
	const char *src = getenv("PARLEY_SOURCE_DIR");
	struct mu_set *tpl = mu_set_new();
	char path[600], err[256];

	snprintf(path, sizeof(path), "%s/templates", src ? src : ".");
	if (mu_set_load_dir(tpl, path, err, sizeof(err)) < 0) {
		fprintf(stderr, "templates: %s\n", err);
		exit(1);
	}
	return tpl;
}

static void
test_post_page(const struct config *cfg, const struct mu_set *tpl, struct db *db)
{
	char *env[] = { "REQUEST_METHOD=GET", "REQUEST_URI=/posts/golden-post",
		"REMOTE_ADDR=127.0.0.1", NULL };
	struct test_response res = test_request(&arena, &site_app, cfg, tpl, db, env, NULL);

	CHECK(res.status == 200);
	check_golden("post.html", res.body);
}

/*
 * A theme's choice of tag cannot change trust: {{{title}}} still escapes
 * the post's title (plain text), {{body_html}} still inserts the post's
 * HTML as it is, once, not escaped twice.
 */
static void
test_theme_tags(const struct config *cfg, struct db *db)
{
	static const char theme[] = "{{#post}}[{{{title}}}][{{&title}}][{{body_html}}]{{/post}}";
	/* Another query than test_post_page's: its page is in the page cache. */
	char *env[] = { "REQUEST_METHOD=GET", "REQUEST_URI=/posts/golden-post?theme=1",
		"REMOTE_ADDR=127.0.0.1", NULL };
	struct mu_set *tpl = templates();
	struct test_response res;
	char err[256];

	CHECK(mu_set_add(tpl, "post", theme, sizeof(theme) - 1, err, sizeof(err)) == 0);
	res = test_request(&arena, &site_app, cfg, tpl, db, env, NULL);
	CHECK(res.status == 200);
	CHECK_CONTAINS(res.body, "[A post &amp; its &lt;thread&gt;][A post &amp; its &lt;thread&gt;]");
	CHECK_CONTAINS(res.body, "[<p>The <em>first</em> paragraph, with "
		       "<a href=\"https://example.org/?a=1&amp;b=2\">a link</a>.</p>\n");
	CHECK_NOT_CONTAINS(res.body, "<thread>");
	CHECK_NOT_CONTAINS(res.body, "&lt;p&gt;");
	mu_set_free(tpl);
}

static void
test_queue_page(const struct config *cfg, const struct mu_set *tpl, struct db *db)
{
	char token[SESSION_TOKEN_SIZE], hash[USERS_HASH_BYTES], *cookie;
	int64_t uid = 0, sid = 0;
	struct test_response res;

	CHECK(users_add(db, "admin", "a-good-password") == STORE_OK);
	CHECK(users_get_hash(db, "admin", &uid, hash) == STORE_OK);
	CHECK(sessions_create(db, uid, GOLDEN_NOW, "", "", token, &sid) == STORE_OK);
	cookie = arena_printf(&arena, "HTTP_COOKIE=parley_session=%s", token);
	{
		char *env[] = { "REQUEST_METHOD=GET", "REQUEST_URI=/admin/",
			"REMOTE_ADDR=127.0.0.1", cookie, NULL };

		res = test_request(&arena, &admin_app, cfg, tpl, db, env, NULL);
	}
	CHECK(res.status == 200);
	check_golden("queue.html", res.body);
}

int
main(void)
{
	const char *src = getenv("PARLEY_SOURCE_DIR");
	char dir[] = "/tmp/parley-test-golden-XXXXXX", err[256];
	struct config cfg;
	struct mu_set *tpl;
	struct db *db;

	if (sodium_init() < 0)
		return 1;
	arena_init(&arena);
	golden_dir = arena_printf(&arena, "%s/tests/golden", src ? src : ".");
	update = getenv("PARLEY_GOLDEN_UPDATE") != NULL;
	test_clock = GOLDEN_NOW;
	config_defaults(&cfg);
	CHECK(config_set(&cfg, "base_url", "https://blog.test", err, sizeof(err)) == 0);
	CHECK(config_set(&cfg, "site_title", "Golden blog", err, sizeof(err)) == 0);
	CHECK(config_finish(&cfg, err, sizeof(err)) == 0);
	tpl = templates();
	db = test_db_create(dir);

	seed(db);
	test_post_page(&cfg, tpl, db);
	test_theme_tags(&cfg, db);
	test_queue_page(&cfg, tpl, db);

	test_db_remove(db, dir);
	mu_set_free(tpl);
	config_free(&cfg);
	arena_free(&arena);
	return check_summary();
}
