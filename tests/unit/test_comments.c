/* test_comments.c: form tokens, field rules, the own-comments cookie, threads, the comment store, rate limits. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "check.h"
#include "fixture.h"
#include "comment_admin.h"
#include "comment_form.h"
#include "commenter.h"
#include "comments.h"
#include "db.h"
#include "posts.h"
#include "ratelimit.h"
#include "render.h"

static const unsigned char secret[DB_SECRET_BYTES] = "0123456789abcdef0123456789abcde";
static const unsigned char other_secret[DB_SECRET_BYTES] = "another secret, another site...";

static void
test_token(struct arena *a)
{
	const time_t t0 = 1800000000;
	const char *tok = comment_token_make(a, secret, 7, t0);
	char *bad, *nonce;

	CHECK(comment_token_check(secret, tok, 7, t0 + 10, 3) == COMMENT_TOKEN_OK);
	/* Two forms served in the same second have their own tokens (each is single-use). */
	CHECK(strcmp(tok, comment_token_make(a, secret, 7, t0)) != 0);
	CHECK(comment_token_check(secret, comment_token_make(a, secret, 7, t0), 7, t0 + 10, 3) ==
	      COMMENT_TOKEN_OK);
	CHECK(comment_token_check(secret, tok, 7, t0 + 1, 3) == COMMENT_TOKEN_TOO_FAST);
	CHECK(comment_token_check(secret, tok, 7, t0, 0) == COMMENT_TOKEN_OK);
	CHECK(comment_token_check(secret, tok, 8, t0 + 10, 3) == COMMENT_TOKEN_WRONG_POST);
	CHECK(comment_token_check(secret, tok, 7, t0 + COMMENT_TOKEN_LIFETIME, 3) ==
	      COMMENT_TOKEN_OK);
	CHECK(comment_token_check(secret, tok, 7, t0 + COMMENT_TOKEN_LIFETIME + 1, 3) ==
	      COMMENT_TOKEN_EXPIRED);
	/* Issued far in the future: not a token this site made for now. */
	CHECK(comment_token_check(secret, tok, 7, t0 - 3600, 0) == COMMENT_TOKEN_FORGED);
	CHECK(comment_token_check(other_secret, tok, 7, t0 + 10, 3) == COMMENT_TOKEN_FORGED);
	CHECK(comment_token_check(secret, NULL, 7, t0 + 10, 3) == COMMENT_TOKEN_FORGED);
	CHECK(comment_token_check(secret, "", 7, t0 + 10, 3) == COMMENT_TOKEN_FORGED);
	CHECK(comment_token_check(secret, "7.1800000000.", 7, t0 + 10, 3) == COMMENT_TOKEN_FORGED);
	CHECK(comment_token_check(secret, "garbage", 7, t0 + 10, 3) == COMMENT_TOKEN_FORGED);

	/* Tampering with any part breaks the tag. */
	bad = arena_strdup(a, tok);
	bad[0] = '8';
	CHECK(comment_token_check(secret, bad, 8, t0 + 10, 3) == COMMENT_TOKEN_FORGED);
	bad = arena_strdup(a, tok);
	bad[strlen(bad) - 1] = bad[strlen(bad) - 1] == '0' ? '1' : '0';
	CHECK(comment_token_check(secret, bad, 7, t0 + 10, 3) == COMMENT_TOKEN_FORGED);
	/* An older issue time (to dodge the too-fast check) is forgery too. */
	bad = arena_strdup(a, tok);
	bad[2] = bad[2] == '1' ? '0' : '1';
	CHECK(comment_token_check(secret, bad, 7, t0 + 10, 3) == COMMENT_TOKEN_FORGED);
	/* So is another nonce under the same tag. */
	bad = arena_strdup(a, tok);
	nonce = strchr(strchr(bad, '.') + 1, '.') + 1;
	*nonce = *nonce == '0' ? '1' : '0';
	CHECK(comment_token_check(secret, bad, 7, t0 + 10, 3) == COMMENT_TOKEN_FORGED);
	bad = arena_printf(a, "%s0", tok);
	CHECK(comment_token_check(secret, bad, 7, t0 + 10, 3) == COMMENT_TOKEN_FORGED);
	CHECK(strlen(comment_token_reason(COMMENT_TOKEN_EXPIRED)) > 0);
}

static void
test_email_url(void)
{
	static const struct { const char *s; int ok; } emails[] = {
		{ "ann@example.org", 1 }, { "a.b+c@mail.example.co.uk", 1 },
		{ "zoë@exämple.de", 1 }, { "", 0 }, { "ann", 0 }, { "@example.org", 0 },
		{ "ann@", 0 }, { "ann@localhost", 0 }, { "ann@@example.org", 0 },
		{ "an n@example.org", 0 }, { "ann@example..org", 0 }, { "ann@.example.org", 0 },
		{ "\"x\"@example.org", 0 }, { "<ann@example.org>", 0 }, { "ann@example.org.", 0 },
	};
	static const struct { const char *s; int ok; } urls[] = {
		{ "http://example.org", 1 }, { "https://example.org/a?b=c#d", 1 },
		{ "HTTPS://EXAMPLE.ORG", 1 }, { "javascript:alert(1)", 0 },
		{ "data:text/html,<b>x</b>", 0 }, { "ftp://example.org", 0 },
		{ "example.org", 0 }, { "http://", 0 }, { "https:///path", 0 },
		{ "http://exa mple.org", 0 }, { "http://x\" onmouseover=\"a", 0 },
		{ "http://x/<script>", 0 }, { " http://example.org", 0 },
		{ "vbscript:msgbox(1)", 0 }, { "//example.org", 0 },
	};
	char longer[2100];
	size_t i;

	for (i = 0; i < sizeof(emails) / sizeof(emails[0]); i++) {
		int got = comment_email_valid(emails[i].s, strlen(emails[i].s));
		if (got != emails[i].ok)
			fprintf(stderr, "email %s: got %d\n", emails[i].s, got);
		CHECK(got == emails[i].ok);
	}
	for (i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
		int got = comment_url_valid(urls[i].s, strlen(urls[i].s));
		if (got != urls[i].ok)
			fprintf(stderr, "url %s: got %d\n", urls[i].s, got);
		CHECK(got == urls[i].ok);
	}
	memcpy(longer, "https://example.org/", 20);
	memset(longer + 20, 'a', sizeof(longer) - 21);
	longer[sizeof(longer) - 1] = '\0';
	CHECK(comment_url_valid(longer, 2000) == 1);
	CHECK(comment_url_valid(longer, 2001) == 0);
}

/* Fill a form from C strings (NULL: the field was not sent). */
static void
form_set(struct comment_form *f, const char *author, const char *email, const char *url,
	 const char *comment, const char *parent)
{
	const char *v[COMMENT_FIELD__MAX] = { author, email, url, comment, parent };
	int i;

	memset(f, 0, sizeof(*f));
	for (i = 0; i < COMMENT_FIELD__MAX; i++) {
		f->value[i] = v[i];
		f->len[i] = v[i] ? strlen(v[i]) : 0;
	}
}

static void
test_validate(struct arena *a)
{
	struct comment_form f;
	char name[256], big[200];

	form_set(&f, "  Ann  ", "", "", " Hello\n", "");
	CHECK(comment_form_validate(a, &f, 10000) == 0);
	CHECK_STR(f.value[COMMENT_FIELD_AUTHOR], "Ann");
	CHECK_STR(f.value[COMMENT_FIELD_COMMENT], "Hello");
	CHECK(f.parent_id == 0);
	CHECK(f.nerrors == 0);

	form_set(&f, NULL, NULL, NULL, "Hi", NULL);
	CHECK(comment_form_validate(a, &f, 10000) == 422);
	CHECK(f.error[COMMENT_FIELD_AUTHOR] != NULL);
	CHECK(f.error[COMMENT_FIELD_COMMENT] == NULL);
	CHECK(f.nerrors == 1);

	form_set(&f, "   ", "nope", "javascript:alert(1)", "  \n ", "x1");
	CHECK(comment_form_validate(a, &f, 10000) == 422);
	CHECK(f.nerrors == 5);
	CHECK_CONTAINS(f.error[COMMENT_FIELD_URL], "http://");
	/* The bad values come back for refilling, trimmed. */
	CHECK_STR(f.value[COMMENT_FIELD_URL], "javascript:alert(1)");

	form_set(&f, "Ann", "ann@example.org", "https://ann.example", "Hi", "42");
	CHECK(comment_form_validate(a, &f, 10000) == 0);
	CHECK(f.parent_id == 42);
	form_set(&f, "Ann", "", "", "Hi", "0");
	CHECK(comment_form_validate(a, &f, 10000) == 422);
	form_set(&f, "Ann", "", "", "Hi", "99999999999999999999999");
	CHECK(comment_form_validate(a, &f, 10000) == 422);

	/* 100 characters is fine (counted as characters, not bytes), 101 is not. */
	memset(name, 'x', 100);
	name[100] = '\0';
	form_set(&f, name, "", "", "Hi", "");
	CHECK(comment_form_validate(a, &f, 10000) == 0);
	strcpy(name, "é");
	for (int i = 1; i < 100; i++)
		strcat(name, "é");
	form_set(&f, name, "", "", "Hi", "");
	CHECK(comment_form_validate(a, &f, 10000) == 0);
	strcat(name, "x");
	form_set(&f, name, "", "", "Hi", "");
	CHECK(comment_form_validate(a, &f, 10000) == 422);
	form_set(&f, "Ann\nBob", "", "", "Hi", "");
	CHECK(comment_form_validate(a, &f, 10000) == 422);

	/* Over the size: 413 whatever else is wrong. */
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	form_set(&f, "", "", "", big, "");
	CHECK(comment_form_validate(a, &f, 100) == 413);
	form_set(&f, "Ann", "", "", big, "");
	CHECK(comment_form_validate(a, &f, 199) == 0);

	/* NUL bytes and invalid UTF-8: an error, and the value is not kept. */
	form_set(&f, "Ann", "", "", "Hi", "");
	f.value[COMMENT_FIELD_COMMENT] = "a\0b";
	f.len[COMMENT_FIELD_COMMENT] = 3;
	CHECK(comment_form_validate(a, &f, 10000) == 422);
	CHECK(f.error[COMMENT_FIELD_COMMENT] != NULL);
	CHECK_STR(f.value[COMMENT_FIELD_COMMENT], "");
	form_set(&f, "Ann\xff", "", "", "Hi", "");
	CHECK(comment_form_validate(a, &f, 10000) == 422);
	CHECK(f.error[COMMENT_FIELD_AUTHOR] != NULL);
	form_set(&f, "Ann", "a\xc3@example.org", "", "Hi", "");
	CHECK(comment_form_validate(a, &f, 10000) == 422);
	CHECK(f.error[COMMENT_FIELD_EMAIL] != NULL);
}

static void
test_open(void)
{
	struct post p;

	memset(&p, 0, sizeof(p));
	p.comments_open = 1;
	p.published_at = 1000000;
	CHECK(comment_post_open(&p, 0, 999999999));
	CHECK(comment_post_open(&p, 2, 1000000 + 2 * 86400));
	CHECK(!comment_post_open(&p, 2, 1000000 + 2 * 86400 + 1));
	p.comments_open = 0;
	CHECK(!comment_post_open(&p, 0, 1000000));
}

static void
test_mine(struct arena *a)
{
	int64_t ids[COMMENT_MINE_MAX], got[COMMENT_MINE_MAX];
	const char *v;
	char *bad;
	size_t n, i;

	v = comment_mine_make(a, secret, NULL, 0, 5);
	n = comment_mine_parse(secret, v, got);
	CHECK(n == 1 && got[0] == 5);
	v = comment_mine_make(a, secret, got, n, 9);
	n = comment_mine_parse(secret, v, got);
	CHECK(n == 2 && got[0] == 5 && got[1] == 9);
	CHECK(comment_mine_parse(other_secret, v, got) == 0);
	CHECK(comment_mine_parse(secret, NULL, got) == 0);
	CHECK(comment_mine_parse(secret, "5-9", got) == 0);
	bad = arena_strdup(a, v);
	bad[0] = '6';
	CHECK(comment_mine_parse(secret, bad, got) == 0);
	/* Only the newest COMMENT_MINE_MAX are kept. */
	for (i = 0; i < COMMENT_MINE_MAX; i++)
		ids[i] = (int64_t)i + 1;
	v = comment_mine_make(a, secret, ids, COMMENT_MINE_MAX, 100);
	n = comment_mine_parse(secret, v, got);
	CHECK(n == COMMENT_MINE_MAX);
	CHECK(got[0] == 2 && got[COMMENT_MINE_MAX - 1] == 100);
}

/* Build a list of comments from (id, parent) pairs, in list order. */
static struct comment_list
make_list(struct arena *a, const int64_t (*pairs)[2], size_t n)
{
	struct comment_list l = { .items = arena_zalloc(a, n * sizeof(struct comment)), .len = n };
	size_t i;

	for (i = 0; i < n; i++) {
		l.items[i].id = pairs[i][0];
		l.items[i].parent_id = pairs[i][1];
		l.items[i].created_at = (time_t)i;
	}
	return l;
}

/* "id:depth id:depth ..." of a thread, for comparison. */
static const char *
thread_str(struct arena *a, const struct comment_thread_entry *t, size_t n)
{
	struct buf b = BUF_INIT;
	const char *s;
	size_t i;

	for (i = 0; i < n; i++)
		buf_printf(&b, "%s%lld:%d", i ? " " : "", (long long)t[i].comment->id, t[i].depth);
	s = arena_strdup(a, b.data ? b.data : "");
	buf_free(&b);
	return s;
}

static void
test_thread(struct arena *a)
{
	/* 1 <- 3 <- 4 <- 5 <- 6 (deep chain), 2 top, 7 -> 1, 8 -> missing 99. */
	static const int64_t pairs[][2] = {
		{ 1, 0 }, { 2, 0 }, { 3, 1 }, { 4, 3 }, { 5, 4 }, { 6, 5 }, { 7, 1 }, { 8, 99 },
	};
	static const int64_t cycle[][2] = { { 10, 11 }, { 11, 10 }, { 12, 0 }, { 13, 13 } };
	struct comment_list l = make_list(a, pairs, 8), empty = { .items = NULL };
	struct comment_thread_entry *t;

	comments_thread(a, &l, 4, &t);
	CHECK_STR(thread_str(a, t, l.len), "1:0 3:1 4:2 5:3 6:3 7:1 2:0 8:0");
	comments_thread(a, &l, 2, &t);
	CHECK_STR(thread_str(a, t, l.len), "1:0 3:1 4:1 5:1 6:1 7:1 2:0 8:0");
	comments_thread(a, &l, 1, &t);
	CHECK_STR(thread_str(a, t, l.len), "1:0 3:0 4:0 5:0 6:0 7:0 2:0 8:0");
	/* Cycles (only imports could make one) and self-parents still show everything once. */
	l = make_list(a, cycle, 4);
	comments_thread(a, &l, 4, &t);
	CHECK_STR(thread_str(a, t, l.len), "12:0 13:0 10:0 11:1");
	comments_thread(a, &empty, 4, &t);
	CHECK(t != NULL);
}

static char db_dir[] = "/tmp/parley-test-comments-XXXXXX";

/* A published post open to comments, by slug: its id. */
static int64_t
open_post(struct db *db, struct arena *a, const char *slug)
{
	struct post_input in;
	int64_t id = 0;
	int created;

	memset(&in, 0, sizeof(in));
	in.slug = slug;
	in.title = "P";
	in.author = "";
	in.published_at = 1000;
	in.comments_open = 1;
	in.body_md = "Body";
	CHECK(test_post_save(db, a, &in, &id, &created) == STORE_OK);
	return id;
}

static void
test_store(struct arena *a)
{
	struct comment c, got;
	struct comment_list list;
	struct db *db;
	char hash[RATELIMIT_HASH_HEX], hash2[RATELIMIT_HASH_HEX];
	int64_t post_id, first, count;
	int n, retry = 0;

	db = test_db_create(db_dir);
	post_id = open_post(db, a, "p");

	ratelimit_address_hash(db, "192.0.2.1", hash);
	ratelimit_address_hash(db, "192.0.2.2", hash2);
	CHECK(strlen(hash) == 32);
	CHECK(strcmp(hash, hash2) != 0);
	/* Hex of a keyed hash, never the address itself. */
	CHECK(strspn(hash, "0123456789abcdef") == 32);
	CHECK_NOT_CONTAINS(hash, "192.0.2.1");

	memset(&c, 0, sizeof(c));
	c.post_id = post_id;
	c.status = COMMENT_APPROVED;
	c.author = "Ann";
	c.email = "Ann@Example.org";
	c.body_md = "Hello <script>alert(1)</script> [x](javascript:alert(1))";
	c.created_at = 2000;
	c.ip_hash = hash;
	c.body_html = markdown_html(a, c.body_md, strlen(c.body_md), MARKDOWN_COMMENT);
	CHECK(comments_insert(db, &c) == STORE_OK);
	first = c.id;
	CHECK(comments_get(db, a, first, &got) == STORE_OK);
	CHECK_STR(got.post_slug, "p");
	CHECK_NOT_CONTAINS(got.body_html.s, "<script");
	CHECK_NOT_CONTAINS(got.body_html.s, "javascript:");
	CHECK(got.parent_id == 0);

	c.status = COMMENT_PENDING;
	c.parent_id = first;
	c.created_at = 2001;
	c.body_md = "Reply [link](https://example.org)";
	c.body_html = markdown_html(a, c.body_md, strlen(c.body_md), MARKDOWN_COMMENT);
	CHECK(comments_insert(db, &c) == STORE_OK);
	CHECK(comments_get(db, a, c.id, &got) == STORE_OK);
	CHECK(got.parent_id == first);
	CHECK_CONTAINS(got.body_html.s, "rel=\"nofollow ugc\"");
	CHECK(got.group_size == 2);

	CHECK(comments_for_post(db, a, post_id, COMMENT_APPROVED, &list) == STORE_OK);
	CHECK(list.len == 1);
	CHECK(comments_set_status(db, c.id, COMMENT_APPROVED) == STORE_OK);
	CHECK(comments_set_status(db, 424242, COMMENT_APPROVED) == STORE_NOTFOUND);
	CHECK(comments_for_post(db, a, post_id, COMMENT_APPROVED, &list) == STORE_OK);
	CHECK(list.len == 2 && list.items[0].id == first);
	CHECK(comments_by_status(db, a, COMMENT_APPROVED, 1, 1, 1, &list) == STORE_OK);
	CHECK(list.len == 1 && list.has_more && list.items[0].id == c.id);
	CHECK(comments_by_status(db, a, -1, 0, 0, 0, &list) == STORE_OK);
	CHECK(list.len == 2 && !list.has_more);
	CHECK(comments_count(db, COMMENT_APPROVED, 0, &count) == STORE_OK && count == 2);
	CHECK(comments_count(db, COMMENT_APPROVED, 1, &count) == STORE_OK && count == 1);
	CHECK(comments_count(db, -1, 5, &count) == STORE_OK && count == 2);

	CHECK(comments_erase_email(db, "ann@example.ORG", &n) == STORE_OK);
	CHECK(n == 2);
	CHECK(comments_get(db, a, first, &got) == STORE_OK);
	CHECK_STR(got.author, "(erased)");
	CHECK_STR(got.email, "");
	CHECK_STR(got.ip_hash, "");

	/* Deleting a parent keeps its reply, now at the top level. */
	CHECK(comments_delete(db, first) == STORE_OK);
	CHECK(comments_delete(db, first) == STORE_NOTFOUND);
	CHECK(comments_get(db, a, c.id, &got) == STORE_OK);
	CHECK(got.parent_id == 0);

	CHECK(comments_blocked(db, hash, "") == 0);
	CHECK(comments_block_add(db, "ip", hash, 10) == STORE_OK);
	CHECK(comments_block_add(db, "email", "bad@example.org", 10) == STORE_OK);
	CHECK(comments_blocked(db, hash, "") == 1);
	CHECK(comments_blocked(db, hash2, "BAD@example.org") == 1);
	CHECK(comments_blocked(db, "", "") == 0);

	/* Rate limits: 3 a minute. */
	CHECK(ratelimit_hit(db, "t", 100, 60, 3, &retry) == RATELIMIT_ALLOWED);
	CHECK(ratelimit_hit(db, "t", 110, 60, 3, &retry) == RATELIMIT_ALLOWED);
	CHECK(ratelimit_hit(db, "t", 120, 60, 3, &retry) == RATELIMIT_ALLOWED);
	CHECK(ratelimit_hit(db, "t", 130, 60, 3, &retry) == RATELIMIT_LIMITED);
	CHECK(retry == 30);
	CHECK(ratelimit_hit(db, "other", 130, 60, 3, &retry) == RATELIMIT_ALLOWED);
	CHECK(ratelimit_hit(db, "t", 161, 60, 3, &retry) == RATELIMIT_ALLOWED);
	CHECK(ratelimit_check(db, "t", 161, 60, 3, &retry, &n) == RATELIMIT_LIMITED && n == 3);
	CHECK(ratelimit_clear(db, "t") == STORE_OK);
	CHECK(ratelimit_check(db, "t", 161, 60, 3, &retry, &n) == RATELIMIT_ALLOWED && n == 0);
	CHECK(ratelimit_record(db, "t", 161) == STORE_OK);
	CHECK(ratelimit_prune(db, 1000) == STORE_OK);
	CHECK(ratelimit_check(db, "t", 161, 60, 3, &retry, &n) == RATELIMIT_ALLOWED && n == 0);

	test_db_remove(db, db_dir);
}

/*
 * The generation of post "g"'s page (its ETag), of another post's, and of
 * the site (the listings'), and whether an action moved them.
 */
static int64_t
generation(struct db *db, const char *slug)
{
	int64_t g = -1, modified;

	if (slug == NULL)
		CHECK(db_generation(db, &g, &modified) == STORE_OK);
	else
		CHECK(db_post_generation(db, slug, &g, &modified) == STORE_OK);
	return g;
}

#define MOVES(db, action) do { int64_t g0_ = generation(db, "g"), o0_ = generation(db, "o"); \
	CHECK((action) == STORE_OK); CHECK(generation(db, "g") != g0_); \
	CHECK(generation(db, "o") == o0_); } while (0)
#define STILL(db, action) do { int64_t g0_ = generation(db, "g"), s0_ = generation(db, NULL); \
	CHECK((action) == STORE_OK); CHECK(generation(db, "g") == g0_); \
	CHECK(generation(db, NULL) == s0_); } while (0)

/*
 * Only what a reader can see moves a post page's generation: approved
 * comments for everyone, pending and spam ones (both "awaiting
 * moderation") for their author's browser.  Rejected and trashed comments,
 * and pending <-> spam, move nothing, so a flood of pending or spam
 * comments evicts no page.  Another post's page never moves; the site's
 * (the listings, which show comment counts) moves only with the count.
 */
/* A pending comment by author with body on post, made at 2000, with no address. */
static void
pending_comment(struct arena *a, struct comment *c, int64_t post_id, const char *author,
		const char *body)
{
	memset(c, 0, sizeof(*c));
	c->post_id = post_id;
	c->author = author;
	c->body_md = body;
	c->body_html = markdown_html(a, body, strlen(body), MARKDOWN_COMMENT);
	c->created_at = 2000;
	c->ip_hash = "";
	c->status = COMMENT_PENDING;
}

static void
test_generation(struct arena *a)
{
	static char dir[] = "/tmp/parley-test-generation-XXXXXX";
	struct comment c;
	enum comment_status before;
	struct db *db = test_db_create(dir);
	int64_t pending, spam, site;

	pending_comment(a, &c, open_post(db, a, "g"), "Flood", "Buy now");
	(void)open_post(db, a, "o");
	STILL(db, comments_insert(db, &c));
	pending = c.id;
	c.status = COMMENT_SPAM;
	STILL(db, comments_insert(db, &c));
	spam = c.id;
	STILL(db, comments_set_status(db, pending, COMMENT_SPAM));
	STILL(db, comments_set_status(db, pending, COMMENT_PENDING));

	/* Its author sees an edit of their pending comment; the listings do not. */
	site = generation(db, NULL);
	MOVES(db, comments_update_text(db, pending, "Flood", "", "Edited",
				       markdown_html(a, "Edited", 6, MARKDOWN_COMMENT),
				       COMMENT_PENDING, "", 2100));
	CHECK(generation(db, NULL) == site);
	/* Approved, the post's comment count moves the listings too. */
	MOVES(db, comments_set_status(db, pending, COMMENT_APPROVED));
	CHECK(generation(db, NULL) != site);
	site = generation(db, NULL);
	MOVES(db, comments_update_text(db, pending, "Flood", "", "Edited again",
				       markdown_html(a, "Edited again", 12, MARKDOWN_COMMENT),
				       COMMENT_APPROVED, "", 2200));
	CHECK(generation(db, NULL) == site);
	MOVES(db, comments_set_status(db, pending, COMMENT_PENDING));
	/* Rejected, it leaves its author's page; restored as spam, it is back. */
	MOVES(db, comments_set_status(db, spam, COMMENT_REJECTED));
	STILL(db, comments_trash(db, spam, 3000, &before));
	STILL(db, comments_restore(db, spam, NULL));
	MOVES(db, comments_set_status(db, spam, COMMENT_SPAM));
	MOVES(db, comments_set_status(db, spam, COMMENT_REJECTED));
	STILL(db, comments_delete(db, spam));
	MOVES(db, comments_delete(db, pending));

	c.status = COMMENT_APPROVED;
	MOVES(db, comments_insert(db, &c));
	MOVES(db, comments_trash(db, c.id, 3000, &before));
	MOVES(db, comments_restore(db, c.id, NULL));
	test_db_remove(db, dir);
}

/* Does comments_count agree with counting the rows, for every status and for all? */
static int
counts_true(struct db *db)
{
	int64_t n, total = 0, all;
	int i, ok = 1;

	for (i = 0; i < COMMENT_STATUS__MAX; i++) {
		sqlite3_stmt *st;
		int64_t rows = -1;

		if (sqlite3_prepare_v2(db->handle, "SELECT count(*) FROM comments WHERE status = ?",
				       -1, &st, NULL) != SQLITE_OK)
			return 0;
		sqlite3_bind_text(st, 1, comment_status_name((enum comment_status)i), -1,
				  SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW)
			rows = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
		if (comments_count(db, i, 0, &n) != STORE_OK || n != rows)
			ok = 0;
		total += rows;
	}
	return ok && comments_count(db, -1, 0, &all) == STORE_OK && all == total;
}

/* The per-status counts the admin's menu shows follow every move, trash, purge and delete. */
static void
test_counts(struct arena *a)
{
	static char dir[] = "/tmp/parley-test-counts-XXXXXX";
	struct comment c;
	enum comment_status before;
	struct db *db = test_db_create(dir);
	int64_t first, n;
	int purged;

	pending_comment(a, &c, open_post(db, a, "k"), "Kay", "Hello");
	CHECK(counts_true(db));
	CHECK(comments_insert(db, &c) == STORE_OK);
	first = c.id;
	CHECK(comments_insert(db, &c) == STORE_OK);
	c.status = COMMENT_APPROVED;
	CHECK(comments_insert(db, &c) == STORE_OK);
	CHECK(counts_true(db));
	CHECK(comments_count(db, COMMENT_PENDING, 0, &n) == STORE_OK && n == 2);
	CHECK(comments_set_status(db, first, COMMENT_SPAM) == STORE_OK);
	CHECK(counts_true(db));
	CHECK(comments_count(db, COMMENT_SPAM, 0, &n) == STORE_OK && n == 1);
	CHECK(comments_set_status(db, first, COMMENT_SPAM) == STORE_OK);
	CHECK(counts_true(db));
	CHECK(comments_trash(db, first, 3000, &before) == STORE_OK);
	CHECK(counts_true(db));
	CHECK(comments_count(db, COMMENT_TRASH, 0, &n) == STORE_OK && n == 1);
	CHECK(comments_restore(db, first, NULL) == STORE_OK);
	CHECK(counts_true(db));
	CHECK(comments_trash(db, first, 3000, &before) == STORE_OK);
	CHECK(comments_purge_trash(db, 4000, &purged) == STORE_OK && purged == 1);
	CHECK(counts_true(db));
	CHECK(comments_delete(db, c.id) == STORE_OK);
	CHECK(counts_true(db));
	CHECK(comments_count(db, COMMENT_APPROVED, 0, &n) == STORE_OK && n == 0);
	/* Deleting the post takes its comments, and the counts with them. */
	CHECK(posts_delete(db, "k") == STORE_OK);
	CHECK(counts_true(db));
	CHECK(comments_count(db, -1, 0, &n) == STORE_OK && n == 0);
	test_db_remove(db, dir);
}

int
main(void)
{
	struct arena a;

	arena_init(&a);
	test_token(&a);
	test_email_url();
	test_validate(&a);
	test_open();
	test_mine(&a);
	test_thread(&a);
	test_store(&a);
	test_generation(&a);
	test_counts(&a);
	arena_free(&a);
	return check_summary();
}
