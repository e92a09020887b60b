/* test_wxr.c: import-wordpress's readers: the small XML parser and WordPress HTML to Markdown. */
#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "check.h"
#include "render.h"
#include "wxr.h"

static const char *
md(struct arena *a, const char *html)
{
	return wxr_html_to_markdown(a, html, strlen(html));
}

static void
test_xml(struct arena *a)
{
	static const char doc[] =
	    "\xef\xbb\xbf<?xml version=\"1.0\"?>\n<!DOCTYPE rss [ <!ENTITY x \"y\"> ]>\n"
	    "<rss version=\"2.0\"><channel><title>A &amp; B &#x263A;</title>"
	    "<item><content:encoded><![CDATA[<p>x</p>]]></content:encoded></item>"
	    "<empty/></channel></rss>";
	const struct xml_node *root, *channel;
	char err[256];

	root = xml_parse(a, doc, strlen(doc), err, sizeof(err));
	CHECK(root != NULL);
	if (root == NULL)
		return;
	CHECK_STR(root->name, "rss");
	CHECK_STR(xml_attr(root, "version"), "2.0");
	channel = xml_child(root, "channel");
	CHECK_STR(xml_child_text(a, channel, "title"), "A & B \xe2\x98\xba");
	CHECK_STR(xml_child_text(a, xml_child(channel, "item"), "content:encoded"), "<p>x</p>");
	CHECK_STR(xml_child_text(a, channel, "empty"), "");
	CHECK_STR(xml_child_text(a, channel, "missing"), "");

	CHECK(xml_parse(a, "<a><b></a>", 10, err, sizeof(err)) == NULL);
	CHECK_CONTAINS(err, "line 1: end tag does not match");
	CHECK(xml_parse(a, "<a>\n<![CDATA[x", 14, err, sizeof(err)) == NULL);
	CHECK_CONTAINS(err, "line 2: unfinished CDATA");
	CHECK(xml_parse(a, "", 0, err, sizeof(err)) == NULL);
	CHECK_CONTAINS(err, "no root element");
	{
		char deep[XML_MAX_DEPTH * 3 + 8];
		size_t i, n = 0;
		for (i = 0; i <= XML_MAX_DEPTH; i++)
			n += (size_t)snprintf(deep + n, sizeof(deep) - n, "<a>");
		CHECK(xml_parse(a, deep, n, err, sizeof(err)) == NULL);
		CHECK_CONTAINS(err, "nest too deeply");
	}
}

/*
 * Character references to what utf8_valid_text refuses (controls,
 * surrogates, noncharacters) become U+FFFD, so a post or comment holding
 * one is imported with a replacement character, not skipped as "not valid
 * UTF-8 text".
 */
static void
test_references_decode_to_acceptable_text(struct arena *a)
{
	static const char *const refs[] = { "&#1;", "&#xD800;", "&#x7f;", "&#x85;",
		"&#xFFFE;", "&#xFFFF;", "&#xFDD0;", "&#x1FFFF;", "&#x110000;" };
	const struct xml_node *root;
	char doc[64], err[256];
	const char *out;
	size_t i;

	for (i = 0; i < sizeof(refs) / sizeof(refs[0]); i++) {
		out = md(a, refs[i]);
		CHECK_STR(out, "\xef\xbf\xbd");
		CHECK(utf8_valid_text(out, strlen(out)));
		snprintf(doc, sizeof(doc), "<t>a%sb</t>", refs[i]);
		root = xml_parse(a, doc, strlen(doc), err, sizeof(err));
		CHECK(root != NULL);
		if (root != NULL)
			CHECK_STR(xml_text(a, root), "a\xef\xbf\xbd" "b");
	}
	CHECK_STR(md(a, "&#xA0;&#x263A;"), "\xc2\xa0\xe2\x98\xba");
}

static void
test_html_to_markdown(struct arena *a)
{
	static const struct {
		const char *html, *markdown;
	} cases[] = {
		{ "<p>One</p><p>Two</p>", "One\n\nTwo" },
		{ "<em>a</em> <strong>b</strong>", "*a* **b**" },
		{ "<a href=\"https://example.org/a(b)\">x</a>", "[x](https://example.org/a%28b%29)" },
		{ "<a href=\"javascript:alert(1)\">x</a>", "x" },
		{ "<ul><li>one<li>two</ul>", "- one\n- two" },
		{ "<ol><li>a</li><li>b</li></ol>", "1. a\n2. b" },
		{ "<blockquote><p>q</p></blockquote>", "> q" },
		{ "<h2>Head</h2>", "## Head" },
		{ "<script>alert(1)</script>kept", "kept" },
		{ "1. not a list *or* [link]", "1\\. not a list \\*or\\* \\[link\\]" },
		{ "a < b &amp;&amp; c", "a \\< b && c" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK_STR(md(a, cases[i].html), cases[i].markdown);
}

int
main(void)
{
	struct arena a;

	arena_init(&a);
	test_xml(&a);
	test_references_decode_to_acceptable_text(&a);
	test_html_to_markdown(&a);
	arena_free(&a);
	return check_summary();
}
