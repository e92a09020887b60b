/* test_wxr.c: import-wordpress's readers: the streaming WXR reader, shortcodes, WordPress HTML to Markdown. */
#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "check.h"
#include "utf8.h"
#include "wxr.h"

static const char *
md(struct arena *a, const char *html)
{
	return wxr_html_to_markdown(a, html, strlen(html), NULL);
}

/* What a read saw: the last item's fields, copied out of the reader's arena. */
struct seen {
	struct arena *a;
	int items;
	const char *title, *content, *creator, *type, *version, *tags, *comment_author;
	size_t ncomments;
};

static int
remember(void *ctx, const struct wxr_site *site, const struct wxr_item *it)
{
	struct seen *s = ctx;
	size_t i;

	s->items++;
	s->title = arena_strdup(s->a, it->title);
	s->content = arena_strdup(s->a, it->content);
	s->creator = arena_strdup(s->a, it->creator);
	s->type = arena_strdup(s->a, it->type);
	s->version = site->version ? arena_strdup(s->a, site->version) : "";
	s->tags = "";
	for (i = 0; i < it->nterms; i++)
		s->tags = arena_printf(s->a, "%s%s:%s;", s->tags, it->terms[i].domain,
				       it->terms[i].name);
	s->ncomments = it->ncomments;
	s->comment_author = it->ncomments ? arena_strdup(s->a, it->comments[0].author) : "";
	return 0;
}

static int
read_doc(struct arena *a, const char *doc, struct seen *s, char *err, size_t errlen)
{
	memset(s, 0, sizeof(*s));
	s->a = a;
	err[0] = '\0';
	return wxr_read_memory(doc, strlen(doc), remember, s, err, errlen);
}

static void
test_reader(struct arena *a)
{
	/* The WordPress namespace bound to an unusual prefix still reads. */
	static const char rebound[] =
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<rss version=\"2.0\" xmlns:x=\"http://wordpress.org/export/1.1/\""
	    " xmlns:body=\"http://purl.org/rss/1.0/modules/content/\""
	    " xmlns:who=\"http://purl.org/dc/elements/1.1/\"><channel>"
	    "<item><title>A &amp; B &#x263A;</title><who:creator>Ed</who:creator>"
	    "<body:encoded><![CDATA[<p>x &Eacute;cole</p>]]></body:encoded>"
	    "<category domain=\"post_tag\" nicename=\"t\"><![CDATA[Tea]]></category>"
	    "<x:post_type>post</x:post_type>"
	    "<x:comment><x:comment_id>3</x:comment_id><x:comment_author>Ann</x:comment_author></x:comment>"
	    "</item></channel></rss>";
	/* Latin-1, declared: reaches the importer as UTF-8. */
	static const char latin1[] =
	    "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n"
	    "<rss xmlns:wp=\"http://wordpress.org/export/1.0/\"><channel><item>"
	    "<title>Caf\xe9 \xfc" "ber</title><wp:post_type>post</wp:post_type></item></channel></rss>";
	struct seen s;
	char err[512];

	CHECK(read_doc(a, rebound, &s, err, sizeof(err)) == 0);
	CHECK_STR(err, "");
	CHECK(s.items == 1);
	CHECK_STR(s.title, "A & B \xe2\x98\xba");
	CHECK_STR(s.creator, "Ed");
	CHECK_STR(s.type, "post");
	CHECK_STR(s.version, "1.1");
	CHECK_STR(s.content, "<p>x &Eacute;cole</p>");
	CHECK_STR(s.tags, "post_tag:Tea;");
	CHECK(s.ncomments == 1);
	CHECK_STR(s.comment_author, "Ann");

	CHECK(read_doc(a, latin1, &s, err, sizeof(err)) == 0);
	CHECK_STR(s.title, "Caf\xc3\xa9 \xc3\xbc" "ber");
	CHECK_STR(s.version, "1.0");
}

static void
test_reader_refuses(struct arena *a)
{
	static const struct {
		const char *doc, *error;
	} cases[] = {
		{ "", "" },
		{ "<rss><channel><item>", "" },
		{ "<a><b></a>", "line 1" },
		{ "<html><body/></html>", "not a WordPress export" },
		{ "<rss><channel><item><title>t</title></item></channel></rss>",
		  "not a WordPress export" },
		{ "<rss xmlns:wp=\"http://wordpress.org/export/2.0/\"><channel/></rss>",
		  "unknown WXR version" },
		{ "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY a \"aaaa\">"
		  "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;\">]>"
		  "<rss xmlns:wp=\"http://wordpress.org/export/1.2/\"><channel><item>"
		  "<title>&b;</title></item></channel></rss>", "DTD" },
		{ "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
		  "<rss xmlns:wp=\"http://wordpress.org/export/1.2/\"><channel><item>"
		  "<title>&x;</title></item></channel></rss>", "" },
	};
	struct seen s;
	char err[512];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CHECK(read_doc(a, cases[i].doc, &s, err, sizeof(err)) < 0);
		CHECK(err[0] != '\0');
		CHECK_CONTAINS(err, cases[i].error);
		CHECK(s.items == 0);
	}
}

static void
test_html_to_markdown(struct arena *a)
{
	static const struct {
		const char *html, *markdown;
	} cases[] = {
		{ "<p>One</p><p>Two</p>", "One\n\nTwo" },
		{ "One\n\nTwo\nthree", "One\n\nTwo\\\nthree" },
		{ "<em>a</em> <strong>b</strong>", "*a* **b**" },
		{ "<a href=\"https://example.org/a(b)\">x</a>", "[x](https://example.org/a%28b%29)" },
		{ "<a href=\"javascript:alert(1)\">x</a>", "x" },
		{ "<ul><li>one<li>two</ul>", "- one\n- two" },
		{ "<ol><li>a</li><li>b</li></ol>", "1. a\n2. b" },
		{ "<p>Intro</p><ul><li>a<ul><li>b</li></ul></li></ul>", "Intro\n\n- a\n  - b" },
		{ "<blockquote><p>q</p><p>r</p></blockquote>", "> q\n>\n> r" },
		{ "<h2>Head</h2>", "## Head" },
		{ "<script>alert(1)</script>kept", "kept" },
		{ "1. not a list *or* [link]", "1\\. not a list \\*or\\* \\[link\\]" },
		{ "a < b &amp;&amp; c", "a \\< b && c" },
		{ "&Eacute;cole &hellip; &thetasym; &copy;", "\xc3\x89" "cole \xe2\x80\xa6 \xcf\x91 \xc2\xa9" },
		{ "<p>&amp;copy; stays</p>", "\\&copy; stays" },
		/* HTML5's names, which libxml2 alone leaves as written. */
		{ "&check; &rarr; &bigstar; &apos;x&apos; &NotEqualTilde;",
		  "\xe2\x9c\x93 \xe2\x86\x92 \xe2\x98\x85 'x' \xe2\x89\x82\xcc\xb8" },
		{ "<img src=\"https://x.example/u.png\" alt=\"&uarr; up\">",
		  "![\xe2\x86\x91 up](https://x.example/u.png)" },
		{ "&LT;em&GT;not markup&LT;/em&GT;", "\\<em\\>not markup\\</em\\>" },
		/* Without its ";" only HTML 4's Latin-1 names are read, as browsers do. */
		{ "&amp;rarr; &nosuch; &rarr &CounterClockwiseContourIntegral;",
		  "\\&rarr; \\&nosuch; \\&rarr \xe2\x88\xb3" },
		{ "<code>a*b</code>", "`a*b`" },
		{ "<pre>x *y*\n  z</pre>", "```\nx *y*\n  z\n```" },
		{ "<table><tr><th>Name</th><th>Role</th></tr><tr><td>Ann</td><td>Chair</td></tr></table>",
		  "**Name** | **Role**\\\nAnn | Chair" },
		{ "<img src=\"https://x.example/a.png\" alt=\"A cat\">", "![A cat](https://x.example/a.png)" },
		{ "<img src=\"javascript:x\" alt=\"A\">", "" },
		{ "<p>a<br>b<br><br>c</p>", "a\\\nb\n\nc" },
		{ "<hr>", "* * *" },
		{ "<iframe src=\"https://video.example/e/1\"></iframe>", "[https://video.example/e/1](https://video.example/e/1)" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK_STR(md(a, cases[i].html), cases[i].markdown);
}

static void
test_shortcodes(struct arena *a)
{
	static const struct wxr_attachment atts[] = {
		{ 5, 9, "https://x.example/one.jpg" }, { 6, 9, "https://x.example/two.jpg" },
	};
	struct wxr_convert conv;
	const char *out;
	static const char doc[] =
	    "[caption id=\"attachment_5\" align=\"alignleft\" width=\"300\"]"
	    "<a href=\"https://x.example/one.jpg\"><img src=\"https://x.example/one.jpg\" alt=\"Desk\" /></a>"
	    " The desk at dawn[/caption]\n\n"
	    "[gallery ids=\"6,5\"]\n\n"
	    "[embed]https://video.example/watch?v=1[/embed]\n\n"
	    "[audio mp3=\"https://x.example/talk.mp3\"][/audio]\n\n"
	    "[video src=\"https://x.example/clip.mp4\"]\n\n"
	    "[contact-form-7 id=\"12\" title=\"Contact\"]\n\n"
	    "[column]Kept text[/column] [sic] [[caption]]";

	memset(&conv, 0, sizeof(conv));
	conv.attachments = atts;
	conv.nattachments = 2;
	conv.post_id = 9;
	conv.shortcodes = 1;
	out = wxr_html_to_markdown(a, doc, strlen(doc), &conv);
	CHECK_CONTAINS(out, "[![Desk](https://x.example/one.jpg)](https://x.example/one.jpg)");
	CHECK_CONTAINS(out, "*The desk at dawn*");
	CHECK_CONTAINS(out, "![](https://x.example/two.jpg) ![](https://x.example/one.jpg)");
	CHECK_CONTAINS(out, "[https://video.example/watch?v=1](https://video.example/watch?v=1)");
	CHECK_CONTAINS(out, "Audio: [https://x.example/talk.mp3](https://x.example/talk.mp3)");
	CHECK_CONTAINS(out, "Video: [https://x.example/clip.mp4](https://x.example/clip.mp4)");
	CHECK_CONTAINS(out, "Kept text \\[sic\\] \\[caption\\]");
	CHECK(strstr(out, "contact") == NULL);
	CHECK(strstr(out, "column") == NULL);
	CHECK(conv.counts[WXR_SC_CAPTION] == 1);
	CHECK(conv.counts[WXR_SC_GALLERY] == 1);
	CHECK(conv.counts[WXR_SC_EMBED] == 1);
	CHECK(conv.counts[WXR_SC_AUDIO] == 1);
	CHECK(conv.counts[WXR_SC_VIDEO] == 1);
	CHECK(conv.counts[WXR_SC_UNKNOWN] == 2);

	/* A gallery without ids shows the post's own attachments; none known says so. */
	memset(&conv, 0, sizeof(conv));
	conv.attachments = atts;
	conv.nattachments = 2;
	conv.post_id = 9;
	conv.shortcodes = 1;
	out = wxr_html_to_markdown(a, "[gallery]", 9, &conv);
	CHECK_CONTAINS(out, "![](https://x.example/one.jpg) ![](https://x.example/two.jpg)");
	conv.post_id = 10;
	out = wxr_html_to_markdown(a, "[gallery]", 9, &conv);
	CHECK_CONTAINS(out, "A gallery was here");
}

/* Whatever comes in, acceptable text comes out. */
static void
test_hostile(struct arena *a)
{
	static const char *const inputs[] = {
		"\xff\xfe<p>\x01\x7f</p>", "&#1;&#xD800;&#xFFFE;", "<b><i><u>unclosed",
		"[caption]", "[caption]<img src=x>", "[gallery ids=\"a,,9999\"]", "[[", "[/caption]",
		"<table><tr><td><table><tr><td>deep</td></tr></table></td></tr></table>",
		"<ul><li><blockquote><pre>x</pre></blockquote></li></ul>",
	};
	char deep[30000];
	size_t i, n = 0;
	const char *out;

	for (i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		struct wxr_convert conv;
		memset(&conv, 0, sizeof(conv));
		conv.shortcodes = 1;
		out = wxr_html_to_markdown(a, inputs[i], strlen(inputs[i]), &conv);
		CHECK(utf8_valid_text(out, strlen(out)));
	}
	for (i = 0; i < 5000; i++)
		n += (size_t)snprintf(deep + n, sizeof(deep) - n, "<b>");
	out = wxr_html_to_markdown(a, deep, n, NULL);
	CHECK(utf8_valid_text(out, strlen(out)));
}

int
main(void)
{
	struct arena a;

	arena_init(&a);
	test_reader(&a);
	test_reader_refuses(&a);
	test_html_to_markdown(&a);
	test_shortcodes(&a);
	test_hostile(&a);
	arena_free(&a);
	return check_summary();
}
