/* test_posts.c: the posts store against a real, freshly migrated SQLite file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "check.h"
#include "fixture.h"
#include "db.h"
#include "posts.h"

static char db_dir[] = "/tmp/parley-test-posts-XXXXXX";
/* Where save() renders bodies; freed at the end of main. */
static struct arena render_arena;

static int
save(struct db *db, const char *slug, const char *title, const char *body,
     time_t when, int draft, const char *const *tags, size_t ntags, int *created)
{
	struct post_input in;
	int64_t id;

	memset(&in, 0, sizeof(in));
	in.slug = slug;
	in.title = title;
	in.author = "Sam Rivera";
	in.published_at = when;
	in.draft = draft;
	in.comments_open = 1;
	in.body_md = body;
	in.tags = tags;
	in.ntags = ntags;
	return test_post_save(db, &render_arena, &in, &id, created);
}

static int
count_rows(struct db *db, const char *sql)
{
	sqlite3_stmt *st;
	int n = -1;

	if (sqlite3_prepare_v2(db->handle, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return n;
}

static void
test_save_get_update_delete(struct db *db, struct arena *a)
{
	static const char *const tags1[] = { "Peer work", " unions ", "" };
	static const char *const tags2[] = { "Peer work", "Nursing" };
	struct post p;
	int created = -1;

	CHECK(save(db, "peer-work", "Peer work is not a cheaper nurse",
		   "Some *emphasis* and <script>alert(1)</script>.", 1777195800, 0,
		   tags1, 3, &created) == STORE_OK);
	CHECK(created == 1);
	CHECK(posts_get(db, a, "peer-work", 0, &p) == STORE_OK);
	CHECK_STR(p.title, "Peer work is not a cheaper nurse");
	CHECK_STR(p.author, "Sam Rivera");
	CHECK(p.published_at == 1777195800);
	CHECK(p.comments_open == 1);
	CHECK(p.draft == 0);
	CHECK_CONTAINS(p.body_html.s, "<em>emphasis</em>");
	CHECK_NOT_CONTAINS(p.body_html.s, "<script>");
	CHECK_CONTAINS(p.body_md, "*emphasis*");
	CHECK_CONTAINS(p.body_text, "Some emphasis and");
	CHECK(p.ntags == 2);
	if (p.ntags == 2) {
		CHECK_STR(p.tags[0].name, "Peer work");
		CHECK_STR(p.tags[0].slug, "peer-work");
		CHECK_STR(p.tags[1].name, "unions");
	}
	CHECK(p.comment_count == 0);

	/* Saving the same slug again updates: tags replaced, date kept when 0. */
	CHECK(save(db, "peer-work", "Peer work, revised", "New body.", 0, 0,
		   tags2, 2, &created) == STORE_OK);
	CHECK(created == 0);
	CHECK(posts_get(db, a, "peer-work", 0, &p) == STORE_OK);
	CHECK_STR(p.title, "Peer work, revised");
	CHECK(p.published_at == 1777195800);
	CHECK(p.ntags == 2);
	if (p.ntags == 2) {
		CHECK_STR(p.tags[0].slug, "nursing");
		CHECK_STR(p.tags[1].slug, "peer-work");
	}
	CHECK(count_rows(db, "SELECT count(*) FROM posts") == 1);
	/* The tag nobody carries any more is gone. */
	CHECK(count_rows(db, "SELECT count(*) FROM tags WHERE slug = 'unions'") == 0);

	CHECK(posts_get_by_id(db, a, p.id, &p) == STORE_OK);
	CHECK_STR(p.slug, "peer-work");
	CHECK(posts_get(db, a, "no-such-post", 1, &p) == STORE_NOTFOUND);

	CHECK(posts_set_comments_open(db, "peer-work", 0) == STORE_OK);
	CHECK(posts_get(db, a, "peer-work", 0, &p) == STORE_OK);
	CHECK(p.comments_open == 0);
	CHECK(posts_set_comments_open(db, "no-such-post", 0) == STORE_NOTFOUND);

	CHECK(posts_delete(db, "peer-work") == STORE_OK);
	CHECK(posts_delete(db, "peer-work") == STORE_NOTFOUND);
	CHECK(posts_get(db, a, "peer-work", 1, &p) == STORE_NOTFOUND);
	CHECK(count_rows(db, "SELECT count(*) FROM tags") == 0);
	CHECK(count_rows(db, "SELECT count(*) FROM post_tags") == 0);
}

static void
test_drafts(struct db *db, struct arena *a)
{
	struct post_list l;
	struct post p;
	struct tag t, *all;
	size_t nall;

	static const char *const tags[] = { "Hidden" };
	CHECK(save(db, "secret-draft", "Secret draft", "Not yet.", 1700000000, 1,
		   tags, 1, NULL) == STORE_OK);
	CHECK(posts_get(db, a, "secret-draft", 0, &p) == STORE_NOTFOUND);
	CHECK(posts_get(db, a, "secret-draft", 1, &p) == STORE_OK);
	CHECK(p.draft == 1);
	CHECK(posts_page(db, a, NULL, 1, 10, &l) == STORE_OK);
	CHECK(l.len == 0);
	CHECK(posts_page(db, a, "hidden", 1, 10, &l) == STORE_OK);
	CHECK(l.len == 0);
	/* A tag only drafts use is not public: not even its name. */
	CHECK(posts_tag(db, a, "hidden", &t) == STORE_NOTFOUND);
	CHECK(posts_tags_all(db, a, &all, &nall) == STORE_OK);
	CHECK(nall == 0);
	CHECK(posts_latest(db, a, 10, &l) == STORE_OK);
	CHECK(l.len == 0);
	CHECK(posts_search(db, a, "secret", 1, 10, &l) == STORE_OK);
	CHECK(l.len == 0);
	CHECK(posts_all(db, a, &l) == STORE_OK);
	CHECK(l.len == 1);
	CHECK(posts_delete(db, "secret-draft") == STORE_OK);

	/* Inside a caller's transaction a save is part of it. */
	CHECK(db_begin(db) == STORE_OK);
	CHECK(save(db, "in-tx", "In a transaction", "x", 1700000000, 0, tags, 1, NULL) == STORE_OK);
	CHECK(posts_get(db, a, "in-tx", 0, &p) == STORE_OK);
	db_rollback(db);
	CHECK(posts_get(db, a, "in-tx", 0, &p) == STORE_NOTFOUND);
	CHECK(db_begin(db) == STORE_OK);
	CHECK(save(db, "in-tx", "In a transaction", "x", 1700000000, 0, tags, 1, NULL) == STORE_OK);
	CHECK(posts_delete(db, "no-such-post") == STORE_NOTFOUND);
	CHECK(db_commit(db) == STORE_OK);
	CHECK(posts_get(db, a, "in-tx", 0, &p) == STORE_OK);
	CHECK(posts_delete(db, "in-tx") == STORE_OK);
	CHECK(count_rows(db, "SELECT count(*) FROM tags") == 0);
}

static void
test_paging(struct db *db, struct arena *a)
{
	static const char *const even[] = { "Even" };
	struct post_list l;
	struct tag *all;
	size_t nall;
	struct tag t;
	char slug[32], title[64];
	int i, seen = 0, page, order_ok = 1;
	time_t last = 0;

	/* 25 posts, one an hour; two share a time to exercise the id tiebreak. */
	for (i = 0; i < 25; i++) {
		snprintf(slug, sizeof(slug), "post-%02d", i);
		snprintf(title, sizeof(title), "Post number %d", i);
		CHECK(save(db, slug, title, "Body text.", 1700000000 + (i == 24 ? 23 : i) * 3600,
			   0, even, i % 2 == 0, NULL) == STORE_OK);
	}
	CHECK(posts_page(db, a, NULL, 1, 10, &l) == STORE_OK);
	CHECK(l.len == 10);
	CHECK(l.has_more == 1);
	if (l.len == 10) {
		CHECK_STR(l.items[0].slug, "post-24");   /* same time as post-23, higher id */
		CHECK_STR(l.items[1].slug, "post-23");
		CHECK(l.items[0].body_html.s != NULL);
		CHECK(l.items[0].body_md == NULL);
		CHECK(l.items[0].ntags == 1);
		CHECK(l.items[1].ntags == 0);
	}
	for (page = 1; page <= 4; page++) {
		CHECK(posts_page(db, a, NULL, page, 10, &l) == STORE_OK);
		CHECK(l.has_more == (page < 3));
		for (i = 0; i < (int)l.len; i++) {
			if (seen > 0 && l.items[i].published_at > last)
				order_ok = 0;
			last = l.items[i].published_at;
			seen++;
		}
	}
	CHECK(seen == 25);
	CHECK(order_ok);
	CHECK(posts_page(db, a, NULL, 3, 10, &l) == STORE_OK);
	CHECK(l.len == 5);
	if (l.len == 5)
		CHECK_STR(l.items[4].slug, "post-00");
	CHECK(posts_page(db, a, NULL, 0, 10, &l) == STORE_OK);
	CHECK(l.len == 0);

	/* By tag: 13 even posts (0..24). */
	CHECK(posts_page(db, a, "even", 2, 10, &l) == STORE_OK);
	CHECK(l.len == 3);
	CHECK(l.has_more == 0);
	CHECK(posts_page(db, a, "even", 1, 13, &l) == STORE_OK);
	CHECK(l.len == 13);
	CHECK(l.has_more == 0);
	CHECK(posts_page(db, a, "no-such-tag", 1, 10, &l) == STORE_OK);
	CHECK(l.len == 0);
	CHECK(posts_tag(db, a, "even", &t) == STORE_OK);
	CHECK_STR(t.name, "Even");
	CHECK_STR(t.slug, "even");
	CHECK(posts_tag(db, a, "odd", &t) == STORE_NOTFOUND);
	CHECK(posts_tags_all(db, a, &all, &nall) == STORE_OK);
	CHECK(nall == 1);

	CHECK(posts_latest(db, a, 5, &l) == STORE_OK);
	CHECK(l.len == 5);
	CHECK(posts_all(db, a, &l) == STORE_OK);
	CHECK(l.len == 25);
	CHECK(l.has_more == 0);

	for (i = 0; i < 25; i++) {
		snprintf(slug, sizeof(slug), "post-%02d", i);
		CHECK(posts_delete(db, slug) == STORE_OK);
	}
}

/* A tag's count as the list of tags gives it; -1 when the list leaves it out. */
static int
listed_count(struct db *db, struct arena *a, const char *slug)
{
	struct tag *all;
	size_t nall, i;

	if (posts_tags_all(db, a, &all, &nall) != STORE_OK)
		return -2;
	for (i = 0; i < nall; i++)
		if (strcmp(all[i].slug, slug) == 0)
			return all[i].count;
	return -1;
}

/* The kept counts and dates agree with a count made from scratch. */
static int
kept_columns_agree(struct db *db)
{
	return count_rows(db, "SELECT count(*) FROM tags t WHERE published_count <> "
	    "(SELECT count(*) FROM post_tags pt JOIN posts p ON p.id = pt.post_id "
	    "WHERE pt.tag_id = t.id AND p.draft = 0)") == 0 &&
	    count_rows(db, "SELECT count(*) FROM post_tags pt JOIN posts p ON p.id = pt.post_id "
	    "WHERE pt.published_at <> p.published_at OR pt.draft <> p.draft") == 0;
}

/*
 * The counts of published posts a tag keeps (sql/0010_tag_pages.sql) follow
 * every change: publish, unpublish, retag, redate, delete.
 */
static void
test_tag_counts(struct db *db, struct arena *a)
{
	static const char *const ab[] = { "Alpha", "Beta" }, *const a_only[] = { "Alpha" },
		*const b_only[] = { "Beta" };
	struct post_list l;
	struct tag t;

	CHECK(save(db, "one", "One", "x", 1700000000, 0, ab, 2, NULL) == STORE_OK);
	CHECK(save(db, "two", "Two", "x", 1700003600, 1, a_only, 1, NULL) == STORE_OK);
	CHECK(save(db, "three", "Three", "x", 1700007200, 0, a_only, 1, NULL) == STORE_OK);
	CHECK(listed_count(db, a, "alpha") == 2);
	CHECK(listed_count(db, a, "beta") == 1);
	CHECK(posts_tag(db, a, "alpha", &t) == STORE_OK);
	CHECK(t.count == 2);
	CHECK(kept_columns_agree(db));

	/* Publishing the draft counts it, and its tag page shows it first. */
	CHECK(save(db, "two", "Two", "x", 1700010800, 0, a_only, 1, NULL) == STORE_OK);
	CHECK(listed_count(db, a, "alpha") == 3);
	CHECK(posts_page(db, a, "alpha", 1, 10, &l) == STORE_OK);
	CHECK(l.len == 3);
	if (l.len == 3) {
		CHECK_STR(l.items[0].slug, "two");
		CHECK_STR(l.items[2].slug, "one");
	}
	/* Redating moves it down the tag's page. */
	CHECK(save(db, "two", "Two", "x", 1699990000, 0, a_only, 1, NULL) == STORE_OK);
	CHECK(posts_page(db, a, "alpha", 1, 10, &l) == STORE_OK);
	CHECK(l.len == 3);
	if (l.len == 3)
		CHECK_STR(l.items[2].slug, "two");

	/* Unpublishing takes it out: Beta, now on a draft only, is not public. */
	CHECK(save(db, "one", "One", "x", 1700000000, 1, ab, 2, NULL) == STORE_OK);
	CHECK(listed_count(db, a, "alpha") == 2);
	CHECK(listed_count(db, a, "beta") == -1);
	CHECK(posts_tag(db, a, "beta", &t) == STORE_NOTFOUND);
	CHECK(posts_page(db, a, "beta", 1, 10, &l) == STORE_OK);
	CHECK(l.len == 0);
	CHECK(kept_columns_agree(db));

	/* Retagging moves the count from one tag to the other. */
	CHECK(save(db, "three", "Three", "x", 1700007200, 0, b_only, 1, NULL) == STORE_OK);
	CHECK(listed_count(db, a, "alpha") == 1);
	CHECK(listed_count(db, a, "beta") == 1);
	CHECK(posts_page(db, a, "beta", 1, 10, &l) == STORE_OK);
	CHECK(l.len == 1);
	if (l.len == 1)
		CHECK_STR(l.items[0].slug, "three");

	/* A change of the post's row alone (not through posts_save) is followed. */
	CHECK(sqlite3_exec(db->handle, "UPDATE posts SET draft = 1 WHERE slug = 'three'",
	    NULL, NULL, NULL) == SQLITE_OK);
	CHECK(listed_count(db, a, "beta") == -1);
	CHECK(kept_columns_agree(db));
	CHECK(sqlite3_exec(db->handle, "UPDATE posts SET draft = 0, published_at = 1700007300 "
	    "WHERE slug = 'three'", NULL, NULL, NULL) == SQLITE_OK);
	CHECK(listed_count(db, a, "beta") == 1);
	CHECK(kept_columns_agree(db));

	/* A row written by hand as published, for a draft, is counted by its post. */
	CHECK(sqlite3_exec(db->handle, "INSERT INTO tags (name, slug) VALUES ('Gamma', 'gamma'); "
	    "INSERT INTO post_tags (post_id, tag_id, draft) SELECT p.id, t.id, 0 "
	    "FROM posts p, tags t WHERE p.slug = 'one' AND t.slug = 'gamma'",
	    NULL, NULL, NULL) == SQLITE_OK);
	CHECK(listed_count(db, a, "gamma") == -1);
	CHECK(kept_columns_agree(db));

	/* Deleting a published post uncounts it; a draft's deletion changes nothing. */
	CHECK(posts_delete(db, "two") == STORE_OK);
	CHECK(listed_count(db, a, "alpha") == -1);
	CHECK(posts_tag(db, a, "alpha", &t) == STORE_NOTFOUND);
	CHECK(posts_delete(db, "one") == STORE_OK);
	CHECK(listed_count(db, a, "beta") == 1);
	CHECK(posts_delete(db, "three") == STORE_OK);
	CHECK(listed_count(db, a, "beta") == -1);
	CHECK(kept_columns_agree(db));
	CHECK(count_rows(db, "SELECT count(*) FROM tags") == 0);
}

/* The newest published id and the kept count of published posts follow every change. */
static void
test_published_extent(struct db *db)
{
	int64_t max_id = -1, count = -1, first = 0, last = 0;

	CHECK(posts_published_extent(db, &max_id, &count) == STORE_OK);
	CHECK(max_id == 0 && count == 0);
	CHECK(save(db, "e-one", "E one", "x", 1700000000, 0, NULL, 0, NULL) == STORE_OK);
	CHECK(save(db, "e-two", "E two", "x", 1700003600, 0, NULL, 0, NULL) == STORE_OK);
	CHECK(save(db, "e-draft", "E draft", "x", 1700007200, 1, NULL, 0, NULL) == STORE_OK);
	CHECK(posts_published_extent(db, &max_id, &count) == STORE_OK);
	CHECK(count == 2);
	first = count_rows(db, "SELECT id FROM posts WHERE slug = 'e-one'");
	last = count_rows(db, "SELECT id FROM posts WHERE slug = 'e-two'");
	CHECK(max_id == last);    /* the draft after it does not count */
	/* Publishing the draft, unpublishing another, deleting one. */
	CHECK(save(db, "e-draft", "E draft", "x", 1700007200, 0, NULL, 0, NULL) == STORE_OK);
	CHECK(posts_published_extent(db, &max_id, &count) == STORE_OK);
	CHECK(count == 3);
	CHECK(max_id == count_rows(db, "SELECT id FROM posts WHERE slug = 'e-draft'"));
	CHECK(save(db, "e-draft", "E draft", "x", 1700007200, 1, NULL, 0, NULL) == STORE_OK);
	CHECK(save(db, "e-two", "E two", "x", 1700003600, 1, NULL, 0, NULL) == STORE_OK);
	CHECK(posts_published_extent(db, &max_id, &count) == STORE_OK);
	CHECK(count == 1);
	CHECK(max_id == first);
	CHECK(posts_delete(db, "e-one") == STORE_OK);
	CHECK(posts_delete(db, "e-draft") == STORE_OK);
	CHECK(posts_published_extent(db, &max_id, &count) == STORE_OK);
	CHECK(max_id == 0 && count == 0);
	CHECK(posts_delete(db, "e-two") == STORE_OK);
	CHECK(posts_published_extent(db, &max_id, NULL) == STORE_OK);
	CHECK(max_id == 0);
}

static void
test_search(struct db *db, struct arena *a)
{
	struct post_list l;

	CHECK(save(db, "gardens", "Community gardens", "We talk about tomatoes and soil.",
		   1700000000, 0, NULL, 0, NULL) == STORE_OK);
	CHECK(save(db, "tomatoes", "Tomatoes everywhere",
		   "A post about tomatoes: `<script>alert('x')</script>` & more tomatoes.",
		   1700003600, 0, NULL, 0, NULL) == STORE_OK);
	CHECK(save(db, "other", "Something else", "Nothing to see here.",
		   1700007200, 0, NULL, 0, NULL) == STORE_OK);

	/* The title is weighted: the post titled with the word ranks first. */
	CHECK(posts_search(db, a, "tomatoes", 1, 10, &l) == STORE_OK);
	CHECK(l.len == 2);
	if (l.len == 2) {
		CHECK_STR(l.items[0].slug, "tomatoes");
		CHECK_STR(l.items[1].slug, "gardens");
		/* Plain text with markers: the site makes the <mark> HTML. */
		CHECK_CONTAINS(l.items[0].snippet, "\x01tomatoes\x02");
		CHECK_CONTAINS(l.items[0].snippet, "<script>");
		CHECK_NOT_CONTAINS(l.items[0].snippet, "<mark>");
		CHECK_CONTAINS(l.items[1].snippet, "\x01tomatoes\x02");
	}
	/* Stemming: "tomato" finds "tomatoes". */
	CHECK(posts_search(db, a, "tomato soil", 1, 10, &l) == STORE_OK);
	CHECK(l.len == 1);
	/* FTS5 syntax is not interpreted. */
	CHECK(posts_search(db, a, "tomatoes OR nothing", 1, 10, &l) == STORE_OK);
	CHECK(l.len == 0);
	CHECK(posts_search(db, a, "\"tomatoes* NEAR(", 1, 10, &l) == STORE_OK);
	CHECK(posts_search(db, a, "title:tomatoes", 1, 10, &l) == STORE_OK);
	CHECK(posts_search(db, a, "-", 1, 10, &l) == STORE_OK);
	CHECK(posts_search(db, a, "", 1, 10, &l) == STORE_OK);
	CHECK(l.len == 0);
	CHECK(posts_search(db, a, "   \t ", 1, 10, &l) == STORE_OK);
	CHECK(l.len == 0);
	CHECK(posts_search(db, a, "\xff\xfe", 1, 10, &l) == STORE_OK);
	CHECK(l.len == 0);
	/* Paging through results. */
	CHECK(posts_search(db, a, "tomatoes", 1, 1, &l) == STORE_OK);
	CHECK(l.len == 1 && l.has_more == 1);
	CHECK(posts_search(db, a, "tomatoes", 2, 1, &l) == STORE_OK);
	CHECK(l.len == 1 && l.has_more == 0);
	/* A long query is capped, not refused. */
	{
		char longq[2000];
		size_t i;
		for (i = 0; i + 9 < sizeof(longq); i += 9)
			memcpy(longq + i, "tomatoes ", 9);
		longq[i] = '\0';
		CHECK(posts_search(db, a, longq, 1, 10, &l) == STORE_OK);
		CHECK(l.len == 2);
	}
	/* Updating the text updates the index. */
	CHECK(save(db, "other", "Something else", "Now with tomatoes too.",
		   1700007200, 0, NULL, 0, NULL) == STORE_OK);
	CHECK(posts_search(db, a, "tomatoes", 1, 10, &l) == STORE_OK);
	CHECK(l.len == 3);
	CHECK(posts_delete(db, "tomatoes") == STORE_OK);
	CHECK(posts_search(db, a, "tomatoes", 1, 10, &l) == STORE_OK);
	CHECK(l.len == 2);
	/* Comment counts only follow approved comments (kept by triggers). */
	CHECK(count_rows(db, "SELECT sum(comment_count) FROM posts") == 0);
	CHECK(sqlite3_exec(db->handle, "INSERT INTO comments (post_id, author, body_md, "
	    "body_html, created_at) SELECT id, 'Ann', 'hi', '<p>hi</p>', 1 FROM posts "
	    "WHERE slug = 'gardens'", NULL, NULL, NULL) == SQLITE_OK);
	{
		struct post p;
		CHECK(posts_get(db, a, "gardens", 0, &p) == STORE_OK);
		CHECK(p.comment_count == 0);
		CHECK(sqlite3_exec(db->handle, "UPDATE comments SET status = 'approved'",
		    NULL, NULL, NULL) == SQLITE_OK);
		CHECK(posts_get(db, a, "gardens", 0, &p) == STORE_OK);
		CHECK(p.comment_count == 1);
	}
}

/* Where the slug s sits in l, or -1. */
static int
position(const struct post_list *l, const char *s)
{
	size_t i;

	for (i = 0; i < l->len; i++)
		if (strcmp(l->items[i].slug, s) == 0)
			return (int)i;
	return -1;
}

/* Ranking on a small fixture: the title, then how often, and rarer words weigh more. */
static void
test_search_rank(struct db *db, struct arena *a)
{
	struct post_list l;
	char slug[32];
	int i;

	/* Posts without the words, so that neither is in most posts. */
	for (i = 0; i < 8; i++) {
		snprintf(slug, sizeof(slug), "r-other-%d", i);
		CHECK(save(db, slug, "Other", "Apples.", 1700000000 + i, 0, NULL, 0, NULL) == STORE_OK);
	}
	CHECK(save(db, "r-titled", "Plums of the valley", "Nothing else here.",
		   1710000000, 0, NULL, 0, NULL) == STORE_OK);
	CHECK(save(db, "r-long", "Orchard notes", "A plum, once. The rest is about apples, "
		   "pears, ladders, the weather and the long walk home after the picking.",
		   1710000060, 0, NULL, 0, NULL) == STORE_OK);
	CHECK(save(db, "r-twice", "More notes", "A plum and another plum.",
		   1710000120, 0, NULL, 0, NULL) == STORE_OK);
	CHECK(posts_search(db, a, "plum", 1, 10, &l) == STORE_OK);
	CHECK(l.len == 3 && l.cut == 0 && l.has_more == 0);
	if (l.len == 3) {
		CHECK_STR(l.items[0].slug, "r-titled");
		CHECK_STR(l.items[1].slug, "r-twice");
		CHECK_STR(l.items[2].slug, "r-long");
		CHECK_CONTAINS(l.items[2].snippet, "\x01plum\x02");
	}
	/* Two words: the post with more of the rarer one (medlar) first. */
	CHECK(save(db, "r-medlar", "Jam", "Medlar medlar medlar, and plum.",
		   1710000180, 0, NULL, 0, NULL) == STORE_OK);
	CHECK(save(db, "r-plums", "Jam again", "Plum plum plum, and medlar.",
		   1710000240, 0, NULL, 0, NULL) == STORE_OK);
	CHECK(posts_search(db, a, "plum medlar", 1, 10, &l) == STORE_OK);
	CHECK(l.len == 2);
	if (l.len == 2) {
		CHECK_STR(l.items[0].slug, "r-medlar");
		CHECK_STR(l.items[1].slug, "r-plums");
	}
	CHECK(posts_search(db, a, "medlar plum", 1, 10, &l) == STORE_OK);
	CHECK(l.len == 2 && strcmp(l.items[0].slug, "r-medlar") == 0);
}

/*
 * More matches than SEARCH_RANK_MAX: only the newest are ranked and the
 * list says it was cut; fewer: all of them, nothing cut.  Drafts take no
 * place among the newest.
 */
static void
test_search_cut(struct db *db, struct arena *a)
{
	struct post_list l;
	char slug[32], title[64];
	int i, page, total = 0, old = 0;

	for (i = 1; i <= SEARCH_RANK_MAX + 5; i++) {
		snprintf(slug, sizeof(slug), "quince-%d", i);
		/* The oldest and one of the newest have the word in the title. */
		snprintf(title, sizeof(title), i == 1 || i == SEARCH_RANK_MAX ? "Quince %d" : "Note %d", i);
		CHECK(save(db, slug, title, "We made jam from the quince again.",
			   1720000000 + i * 60, 0, NULL, 0, NULL) == STORE_OK);
	}
	CHECK(save(db, "quince-draft", "Quince draft", "Quince quince quince.",
		   1730000000, 1, NULL, 0, NULL) == STORE_OK);
	CHECK(posts_search(db, a, "quince", 1, 10, &l) == STORE_OK);
	CHECK(l.len == 10 && l.cut == 1 && l.has_more == 1);
	if (l.len == 10) {
		snprintf(slug, sizeof(slug), "quince-%d", SEARCH_RANK_MAX);
		CHECK_STR(l.items[0].slug, slug);
		/* Equal ranks: the newest first. */
		snprintf(slug, sizeof(slug), "quince-%d", SEARCH_RANK_MAX + 5);
		CHECK_STR(l.items[1].slug, slug);
		snprintf(slug, sizeof(slug), "quince-%d", SEARCH_RANK_MAX + 4);
		CHECK_STR(l.items[2].slug, slug);
		CHECK_CONTAINS(l.items[1].snippet, "\x01quince\x02");
	}
	for (page = 1; page <= SEARCH_RANK_MAX / 10 + 1; page++) {
		CHECK(posts_search(db, a, "quince", page, 10, &l) == STORE_OK);
		CHECK(l.cut == 1);
		CHECK(l.has_more == (page < SEARCH_RANK_MAX / 10));
		total += (int)l.len;
		for (i = 1; i <= 5; i++) {
			snprintf(slug, sizeof(slug), "quince-%d", i);
			old += position(&l, slug) >= 0;
		}
		CHECK(position(&l, "quince-draft") < 0);
	}
	CHECK(total == SEARCH_RANK_MAX);
	CHECK(old == 0);
	/* A word of fewer posts: every one, nothing cut. */
	CHECK(posts_search(db, a, "plum", 1, 10, &l) == STORE_OK);
	CHECK(l.len == 5 && l.cut == 0 && l.has_more == 0);
}

/*
 * Every page is its slice of the whole listing, whichever end posts_page
 * walks from (the nearer one): ties at both ends, a draft among them.
 */
static void
test_deep_pages(struct db *db, struct arena *a)
{
	struct post_list all, l;
	int per_page, page, i, ok = 1;

	CHECK(save(db, "deep-old-a", "Old A", "Body.", 1500000000, 0, NULL, 0, NULL) == STORE_OK);
	CHECK(save(db, "deep-old-b", "Old B", "Body.", 1500000000, 0, NULL, 0, NULL) == STORE_OK);
	CHECK(save(db, "deep-old-c", "Old C", "Body.", 1500000000, 1, NULL, 0, NULL) == STORE_OK);
	CHECK(posts_page(db, a, NULL, 1, 1000, &all) == STORE_OK);
	CHECK(all.len > 20 && all.has_more == 0);
	if (all.len > 2)
		CHECK_STR(all.items[all.len - 1].slug, "deep-old-a");   /* same time, lower id */
	for (per_page = 1; per_page <= 7; per_page++)
		for (page = 1; (size_t)(page - 1) * per_page <= all.len; page++) {
			size_t from = (size_t)(page - 1) * per_page;

			CHECK(posts_page(db, a, NULL, page, per_page, &l) == STORE_OK);
			if (l.len != (all.len - from < (size_t)per_page ? all.len - from : (size_t)per_page) ||
			    l.has_more != (from + (size_t)per_page < all.len))
				ok = 0;
			for (i = 0; ok && i < (int)l.len; i++)
				if (strcmp(l.items[i].slug, all.items[from + (size_t)i].slug) != 0)
					ok = 0;
		}
	CHECK(ok);
}

/* A responder's connection keeps 1 MiB of pages; the command line SQLite's default. */
static void
test_responder_cache(struct db *db)
{
	char path[512], err[256];
	struct db *responder;

	snprintf(path, sizeof(path), "%s/test.db", db_dir);
	responder = db_open(path, DB_OPEN_EXISTING, err, sizeof(err));
	CHECK(responder != NULL);
	if (responder == NULL) {
		fprintf(stderr, "%s\n", err);
		return;
	}
	CHECK(count_rows(responder, "PRAGMA cache_size") == -1024);
	CHECK(count_rows(db, "PRAGMA cache_size") == -2000);
	db_close(responder);
}

int
main(void)
{
	struct db *db = test_db_create(db_dir);
	struct arena a;

	arena_init(&a);
	arena_init(&render_arena);
	test_save_get_update_delete(db, &a);
	arena_reset(&a);
	test_drafts(db, &a);
	arena_reset(&a);
	test_paging(db, &a);
	arena_reset(&a);
	test_tag_counts(db, &a);
	arena_reset(&a);
	test_published_extent(db);
	test_search(db, &a);
	arena_reset(&a);
	test_search_rank(db, &a);
	arena_reset(&a);
	test_search_cut(db, &a);
	test_responder_cache(db);
	test_deep_pages(db, &a);
	arena_free(&a);
	arena_free(&render_arena);
	test_db_remove(db, db_dir);
	return check_summary();
}
