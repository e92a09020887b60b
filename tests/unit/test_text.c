/* test_text.c: slugs, dates, UTF-8 checks, HTML escaping and Markdown safety. */
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "check.h"
#include "render.h"
#include "text.h"
#include "utf8.h"

static void
test_slugify(struct arena *a)
{
	static const struct {
		const char *title, *slug;
	} cases[] = {
		{ "Peer work is not a cheaper nurse", "peer-work-is-not-a-cheaper-nurse" },
		{ "  Hello,   World!  ", "hello-world" },
		{ "Caf\xc3\xa9 cr\xc3\xa8me br\xc3\xbbl\xc3\xa9\x65", "cafe-creme-brulee" },
		{ "\xc3\x85ngstr\xc3\xb6m & \xc3\x91o\xc3\xb1o", "angstrom-nono" },
		{ "Don't stop", "dont-stop" },
		{ "Don\xe2\x80\x99t stop", "dont-stop" },
		{ "C++ / Rust -- 2026?", "c-rust-2026" },
		{ "UPPER lower 123", "upper-lower-123" },
		{ "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e title", "title" },
		{ "---", "" },
		{ "", "" },
		{ "!!!", "" },
	};
	char longtitle[400];
	size_t i;
	char *s;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK_STR(slugify(a, cases[i].title), cases[i].slug);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK(slug_valid(cases[i].slug) == (cases[i].slug[0] != '\0'));

	/* Long titles are cut to 80 bytes, never ending in a hyphen. */
	for (i = 0; i + 5 < sizeof(longtitle); i += 5)
		memcpy(longtitle + i, "word ", 5);
	longtitle[i] = '\0';
	s = slugify(a, longtitle);
	CHECK(strlen(s) <= 80);
	CHECK(slug_valid(s));

	CHECK(slug_valid("a"));
	CHECK(slug_valid("peer-work-2"));
	CHECK(!slug_valid("-a"));
	CHECK(!slug_valid("a-"));
	CHECK(!slug_valid("A"));
	CHECK(!slug_valid("a b"));
	CHECK(!slug_valid("a/b"));
	CHECK(!slug_valid("..") );
	CHECK(!slug_valid(""));
}

static void
test_dates(struct arena *a)
{
	static const struct {
		const char *text;
		long long want;   /* -1: refused */
	} cases[] = {
		{ "2026-04-26T09:30:00Z", 1777195800 },
		{ "2026-04-26T09:30:00z", 1777195800 },
		{ "2026-04-26T09:30:00.123Z", 1777195800 },
		{ "2026-04-26T11:30:00+02:00", 1777195800 },
		{ "2026-04-26T04:30:00-05:00", 1777195800 },
		{ "2026-04-26 09:30", 1777195800 },
		{ "2026-04-26 09:30:00", 1777195800 },
		{ "2026-04-26", 1777161600 },
		{ "1970-01-01T00:00:00Z", 0 },
		{ "2024-02-29", 1709164800 },
		{ "2026-02-29", -1 },
		{ "2026-02-31", -1 },
		{ "2026-13-01", -1 },
		{ "2026-00-10", -1 },
		{ "2026-04-26T24:00:00Z", -1 },
		{ "2026-04-26T09:60:00Z", -1 },
		{ "2026-4-26", -1 },
		{ "26 April 2026", -1 },
		{ "2026-04-26T09:30:00Zjunk", -1 },
		{ "2026-04-26T09", -1 },
		{ "", -1 },
		{ "yesterday", -1 },
	};
	size_t i;
	time_t t;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = date_parse(cases[i].text, &t);
		if (cases[i].want < 0)
			CHECK(rc == -1);
		else {
			CHECK(rc == 0);
			CHECK(rc == 0 && (long long)t == cases[i].want);
		}
	}
	CHECK_STR(date_rfc3339(a, 1777195800), "2026-04-26T09:30:00Z");
	CHECK_STR(date_human(a, 1777195800), "26 April 2026");
}

static void
test_utf8(void)
{
	static const struct {
		const char *s;
		size_t len;
		int valid;
	} cases[] = {
		{ "plain ascii", 11, 1 },
		{ "tab\tcr\rlf\n", 10, 1 },
		{ "caf\xc3\xa9", 5, 1 },
		{ "\xe2\x82\xac", 3, 1 },              /* euro sign */
		{ "\xf0\x9f\x98\x80", 4, 1 },          /* emoji */
		{ "\xef\xbf\xbd", 3, 1 },              /* U+FFFD */
		{ "a\0b", 3, 0 },                      /* NUL */
		{ "bell\x07", 5, 0 },                  /* C0 control */
		{ "del\x7f", 4, 0 },
		{ "\xc2\x85", 2, 0 },                  /* C1 control NEL */
		{ "\xc0\xaf", 2, 0 },                  /* overlong "/" */
		{ "\xc1\xbf", 2, 0 },                  /* overlong */
		{ "\xe0\x80\xaf", 3, 0 },              /* overlong "/" in three bytes */
		{ "\xf0\x80\x80\xaf", 4, 0 },          /* overlong in four bytes */
		{ "\xed\xa0\x80", 3, 0 },              /* surrogate U+D800 */
		{ "\xed\xbf\xbf", 3, 0 },              /* surrogate U+DFFF */
		{ "\xf4\x90\x80\x80", 4, 0 },          /* beyond U+10FFFF */
		{ "\xf5\x80\x80\x80", 4, 0 },
		{ "\xff", 1, 0 },
		{ "\x80", 1, 0 },                      /* lone continuation */
		{ "\xc3", 1, 0 },                      /* truncated */
		{ "\xe2\x82", 2, 0 },                  /* truncated */
		{ "\xc3\x28", 2, 0 },                  /* bad continuation */
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK(utf8_valid_text(cases[i].s, cases[i].len) == cases[i].valid);
	CHECK(utf8_valid_text("", 0));
	CHECK(utf8_length("caf\xc3\xa9 \xf0\x9f\x98\x80", 10) == 6);
}

static void
test_escape(void)
{
	struct buf b = BUF_INIT;
	const char *in = "<a href=\"x\" title='y'>Tom & Jerry</a>";

	html_escape(&b, in, strlen(in));
	CHECK_STR(b.data, "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;Tom &amp; Jerry&lt;/a&gt;");
	buf_reset(&b);
	html_escape(&b, "", 0);
	CHECK(b.len == 0);
	html_escape(&b, "plain", 5);
	CHECK_STR(b.data, "plain");
	buf_free(&b);
}

/* Render md in mode; returns the HTML in a malloc'd string. */
static char *
md(const char *text, enum markdown_mode mode)
{
	return markdown_to_html(text, strlen(text), mode);
}

static void
test_markdown(void)
{
	char *h;

	/* Comments: no raw HTML, no unsafe links, nofollow on every link. */
	h = md("Hi <script>alert(1)</script> there\n\n<script>alert(2)</script>\n",
	       MARKDOWN_COMMENT);
	CHECK_NOT_CONTAINS(h, "<script");
	CHECK_CONTAINS(h, "Hi");
	free(h);
	h = md("<img src=x onerror=alert(1)>\n\n<iframe src=\"https://evil\"></iframe>",
	       MARKDOWN_COMMENT);
	CHECK_NOT_CONTAINS(h, "<img");
	CHECK_NOT_CONTAINS(h, "<iframe");
	CHECK_NOT_CONTAINS(h, "onerror");
	free(h);
	h = md("[click](javascript:alert(1)) [data](data:text/html;base64,PHNjcmlwdD4=) "
	       "[vb](vbscript:msgbox) [JS](JaVaScRiPt:alert(2))", MARKDOWN_COMMENT);
	CHECK_NOT_CONTAINS(h, "javascript:");
	CHECK_NOT_CONTAINS(h, "JaVaScRiPt:");
	CHECK_NOT_CONTAINS(h, "vbscript:");
	CHECK_NOT_CONTAINS(h, "data:text/html");
	free(h);
	h = md("[site](https://example.org/a?b=1&c=2) and <https://example.com>",
	       MARKDOWN_COMMENT);
	CHECK_CONTAINS(h, "<a rel=\"nofollow ugc\" href=\"https://example.org/a?b=1&amp;c=2\">site</a>");
	CHECK_CONTAINS(h, "<a rel=\"nofollow ugc\" href=\"https://example.com\">");
	CHECK_NOT_CONTAINS(h, "<a href=");
	free(h);
	/* Text that merely mentions the pattern is escaped, not turned into a link. */
	h = md("`<a href=\"x\">` and &lt;a href=\"y\"&gt;", MARKDOWN_COMMENT);
	CHECK_NOT_CONTAINS(h, "<a ");
	free(h);
	h = md("<javascript:alert(1)> [e](&#106;avascript:alert(1)) [s]( javascript:alert(1) ) "
	       "[r][ref]\n\n[ref]: javascript:alert(3)\n", MARKDOWN_COMMENT);
	CHECK_NOT_CONTAINS(h, "href=\"javascript");
	CHECK_NOT_CONTAINS(h, "href=\"&#106;");
	CHECK_NOT_CONTAINS(h, "href=\" javascript");
	CHECK_CONTAINS(h, "href=\"\"");   /* cmark empties unsafe links */
	free(h);
	h = md("![pic](javascript:alert(1))", MARKDOWN_COMMENT);
	CHECK_NOT_CONTAINS(h, "javascript:");
	free(h);
	/* Invalid UTF-8 is replaced, never passed through. */
	h = md("bad \xff byte", MARKDOWN_COMMENT);
	CHECK_CONTAINS(h, "\xef\xbf\xbd");
	CHECK(utf8_valid_text(h, strlen(h)));
	free(h);

	/* Posts: safe mode by default, raw HTML only when asked for. */
	h = md("# Title\n\n<div class=\"x\">raw</div>\n\n*em*", MARKDOWN_POST);
	CHECK_CONTAINS(h, "<h1>Title</h1>");
	CHECK_CONTAINS(h, "<em>em</em>");
	CHECK_NOT_CONTAINS(h, "<div");
	free(h);
	h = md("<div class=\"x\">raw</div>\n", MARKDOWN_POST_RAW);
	CHECK_CONTAINS(h, "<div class=\"x\">raw</div>");
	free(h);
	h = md("[x](javascript:alert(1))", MARKDOWN_POST);
	CHECK_NOT_CONTAINS(h, "javascript:");
	free(h);

	/* Plain text for search and summaries. */
	{
		static const char doc[] = "# Head\n\nSome *em* and `code`.\n\n- one\n- two\n";
		h = markdown_to_text(doc, sizeof(doc) - 1);
	}
	CHECK_STR(h, "Head\nSome em and code.\none\ntwo");
	free(h);
	h = markdown_to_text("", 0);
	CHECK_STR(h, "");
	free(h);
}

/* Page numbers as URLs write them, and query values as links carry them. */
static void
test_url_parts(struct arena *a)
{
	static const struct {
		const char *s;
		int max, want;
	} pages[] = {
		{ "1", 100, 1 }, { "2", 100, 2 }, { "100", 100, 100 }, { "101", 100, -1 },
		{ "0", 100, -1 }, { "01", 100, -1 }, { "-1", 100, -1 }, { "+1", 100, -1 },
		{ " 1", 100, -1 }, { "1 ", 100, -1 }, { "1a", 100, -1 }, { "", 100, -1 },
		{ "99999999999999999999", 1000000, -1 }, { "1000000", 1000000, 1000000 },
		{ NULL, 100, -1 },
	};
	size_t i;

	for (i = 0; i < sizeof(pages) / sizeof(pages[0]); i++)
		CHECK(page_number_parse(pages[i].s, pages[i].max) == pages[i].want);
	CHECK_STR(url_query_escape(a, "a b&c=d/\xc3\xa9~-_.", 1), "a+b%26c%3Dd%2F%C3%A9~-_.");
	CHECK_STR(url_query_escape(a, "a b", 0), "a%20b");
	CHECK_STR(url_query_escape(a, "", 1), "");
}

static void
test_thousands(struct arena *a)
{
	CHECK_STR(text_thousands(a, 0), "0");
	CHECK_STR(text_thousands(a, 999), "999");
	CHECK_STR(text_thousands(a, 1000), "1,000");
	CHECK_STR(text_thousands(a, 112603), "112,603");
	CHECK_STR(text_thousands(a, 1234567), "1,234,567");
	CHECK_STR(text_thousands(a, -5), "0");
}

int
main(void)
{
	struct arena a;

	arena_init(&a);
	test_slugify(&a);
	test_dates(&a);
	test_utf8();
	test_escape();
	test_markdown();
	test_url_parts(&a);
	test_thousands(&a);
	arena_free(&a);
	return check_summary();
}
