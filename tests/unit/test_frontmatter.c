/* test_frontmatter.c: the post-file front-matter parser, good files and every kind of bad one. */
#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "check.h"
#include "frontmatter.h"

static int
parse(struct arena *a, const char *text, struct frontmatter *fm, char *err, size_t errlen)
{
	err[0] = '\0';
	return frontmatter_parse(a, "post.md", text, strlen(text), fm, err, errlen);
}

static void
test_full(struct arena *a)
{
	struct frontmatter fm;
	char err[512];

	CHECK(parse(a,
	    "---\n"
	    "title: Peer work is not a cheaper nurse\n"
	    "slug: peer-work-not-cheaper\n"
	    "date: 2026-04-26T09:30:00Z\n"
	    "author: Sam Rivera\n"
	    "# a comment line\n"
	    "\n"
	    "tags: peer work, unions , ,Health\n"
	    "draft: true\n"
	    "comments: closed\n"
	    "---\n"
	    "Body in *CommonMark*.\n"
	    "---\n"
	    "A rule above is body too.\n", &fm, err, sizeof(err)) == 0);
	CHECK_STR(err, "");
	CHECK_STR(fm.title, "Peer work is not a cheaper nurse");
	CHECK_STR(fm.slug, "peer-work-not-cheaper");
	CHECK(fm.date == 1777195800);
	CHECK_STR(fm.author, "Sam Rivera");
	CHECK(fm.ntags == 3);
	if (fm.ntags == 3) {
		CHECK_STR(fm.tags[0], "peer work");
		CHECK_STR(fm.tags[1], "unions");
		CHECK_STR(fm.tags[2], "Health");
	}
	CHECK(fm.draft == 1);
	CHECK(fm.comments_open == 0);
	CHECK_STR(fm.body, "Body in *CommonMark*.\n---\nA rule above is body too.\n");
	CHECK(fm.body_len == strlen(fm.body));
}

static void
test_defaults(struct arena *a)
{
	struct frontmatter fm;
	char err[512];

	/* CRLF line ends, a byte-order mark, quoted title, no optional keys. */
	CHECK(parse(a, "\xef\xbb\xbf---\r\ntitle: \"Caf\xc3\xa9: a day's notes\"\r\n---\r\nHi\r\n",
	    &fm, err, sizeof(err)) == 0);
	CHECK_STR(err, "");
	CHECK_STR(fm.title, "Caf\xc3\xa9: a day's notes");
	CHECK_STR(fm.slug, "cafe-a-days-notes");
	CHECK(fm.date == 0);
	CHECK_STR(fm.author, "");
	CHECK(fm.ntags == 0);
	CHECK(fm.draft == 0);
	CHECK(fm.comments_open == 1);
	CHECK_STR(fm.body, "Hi\r\n");

	/* An empty body is fine. */
	CHECK(parse(a, "---\ntitle: Empty\n---\n", &fm, err, sizeof(err)) == 0);
	CHECK_STR(fm.body, "");
	CHECK(parse(a, "---\ntitle: Empty\n---", &fm, err, sizeof(err)) == 0);
	CHECK(parse(a, "---\ntitle: x\ndraft: false\ncomments: open\n---\n", &fm, err,
	    sizeof(err)) == 0);
	CHECK(fm.draft == 0 && fm.comments_open == 1);
	CHECK(parse(a, "---\ntitle: x\ndate: 2026-04-26\n---\n", &fm, err, sizeof(err)) == 0);
	CHECK(fm.date == 1777161600);
	CHECK(parse(a, "---\ntitle: x\ndate: 2026-04-26T11:30:00+02:00\n---\n", &fm, err,
	    sizeof(err)) == 0);
	CHECK(fm.date == 1777195800);
}

/* Each bad file gives "post.md:LINE: ..." naming the problem. */
static void
test_errors(struct arena *a)
{
	static const struct {
		const char *text;
		const char *message;
	} cases[] = {
		{ "title: no fence\n", "post.md:1: expected a front-matter block" },
		{ "", "post.md:1: expected a front-matter block" },
		{ "---\ntitle: x\nbody without a fence\n", "post.md:3: expected 'key: value'" },
		{ "---\ntitle: x\n", "post.md:2: the front matter has no closing ---" },
		{ "---\ntitle: x\ncolour: red\n---\n", "post.md:3: unknown key 'colour'" },
		{ "---\nauthor: Sam\n---\nbody\n", "post.md:3: the front matter has no title" },
		{ "---\ntitle:   \n---\n", "post.md:2: the title is empty" },
		{ "---\ntitle: x\ntitle: y\n---\n", "post.md:3: 'title' given twice" },
		{ "---\ntitle: x\ndate: 26 April 2026\n---\n", "post.md:3: bad date '26 April 2026'" },
		{ "---\ntitle: x\ndate: 2026-02-31\n---\n", "post.md:3: bad date" },
		{ "---\ntitle: x\nslug: Not A Slug\n---\n", "post.md:3: bad slug 'Not A Slug'" },
		{ "---\ntitle: x\nslug: -edge\n---\n", "post.md:3: bad slug" },
		{ "---\ntitle: !!!\n---\n", "post.md:2: no slug can be made" },
		{ "---\ntitle: x\ndraft: maybe\n---\n", "post.md:3: draft must be true or false" },
		{ "---\ntitle: x\ncomments: sometimes\n---\n", "post.md:3: comments must be open or closed" },
		{ "---\ntitle: x\n---\nbad \xc3\x28 byte\n", "post.md:4: invalid UTF-8" },
		{ "---\ntitle: \xed\xa0\x80\n---\n", "post.md:2: invalid UTF-8" },
		{ "---\ntitle: x\n---\nbell \x07\n", "post.md:4: invalid UTF-8 or a control character" },
	};
	struct frontmatter fm;
	char err[512];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CHECK(parse(a, cases[i].text, &fm, err, sizeof(err)) == -1);
		CHECK_CONTAINS(err, cases[i].message);
	}
	/* A NUL byte, which strlen would hide. */
	{
		static const char text[] = "---\ntitle: x\n---\nbody\0more\n";
		CHECK(frontmatter_parse(a, "post.md", text, sizeof(text) - 1, &fm, err,
		    sizeof(err)) == -1);
		CHECK_CONTAINS(err, "post.md:4: NUL byte");
	}
}

int
main(void)
{
	struct arena a;

	arena_init(&a);
	test_full(&a);
	test_defaults(&a);
	test_errors(&a);
	arena_free(&a);
	return check_summary();
}
