/* test_scrub.c: text that pages and feeds cannot carry is refused on input and replaced on output. */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "check.h"
#include "render.h"
#include "utf8.h"

/* Characters XML 1.0 or HTML refuse, as UTF-8 or as a lone invalid byte. */
static void
test_refused(void)
{
	static const struct {
		const char *s;
		int valid;
	} cases[] = {
		{ "\xef\xbf\xbe", 0 },          /* U+FFFE */
		{ "\xef\xbf\xbf", 0 },          /* U+FFFF */
		{ "\xef\xb7\x90", 0 },          /* U+FDD0 */
		{ "\xef\xb7\xaf", 0 },          /* U+FDEF */
		{ "\xf0\x9f\xbf\xbe", 0 },      /* U+1FFFE */
		{ "\xf4\x8f\xbf\xbf", 0 },      /* U+10FFFF */
		{ "\xef\xb7\x8f", 1 },          /* U+FDCF */
		{ "\xef\xb7\xb0", 1 },          /* U+FDF0 */
		{ "\xef\xbf\xbd", 1 },          /* U+FFFD */
		{ "\xf0\x9f\xbf\xbd", 1 },      /* U+1FFFD */
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK(utf8_valid_text(cases[i].s, strlen(cases[i].s)) == cases[i].valid);
}

static const char *
scrub(struct buf *b, const char *s, size_t len)
{
	buf_reset(b);
	utf8_scrub(b, s, len);
	return b->data;
}

static void
test_scrub(void)
{
	struct buf b = BUF_INIT;

	CHECK_STR(scrub(&b, "plain caf\xc3\xa9\ttab\r\n", 17), "plain caf\xc3\xa9\ttab\r\n");
	CHECK_STR(scrub(&b, "", 0), "");
	/* One U+FFFD for a whole well-formed character, one per byte of broken UTF-8. */
	CHECK_STR(scrub(&b, "a\x01" "b\xef\xbf\xbe" "c\xc2\x85" "d\x7f", 11),
		  "a\xef\xbf\xbd" "b\xef\xbf\xbd" "c\xef\xbf\xbd" "d\xef\xbf\xbd");
	CHECK_STR(scrub(&b, "x\xfey\xe2\x82", 5), "x\xef\xbf\xbdy\xef\xbf\xbd\xef\xbf\xbd");
	CHECK_STR(scrub(&b, "nul\0end", 7) + 3, "\xef\xbf\xbd" "end");
	CHECK(utf8_valid_text(b.data, b.len));
	buf_free(&b);
}

/* cmark decodes character references into characters: none may survive. */
static void
test_markdown_references(void)
{
	static const char doc[] = "ctl &#1; &#x1F; &#127; &#x85; &#xFFFE; &#xFFFF; &#xFDD0; end";
	static const enum markdown_mode modes[] = { MARKDOWN_POST, MARKDOWN_POST_RAW, MARKDOWN_COMMENT };
	char *out;
	size_t i;

	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		out = markdown_to_html(doc, sizeof(doc) - 1, modes[i]);
		CHECK(utf8_valid_text(out, strlen(out)));
		CHECK_CONTAINS(out, "<p>ctl \xef\xbf\xbd");
		CHECK_CONTAINS(out, " end</p>");
		free(out);
	}
	out = markdown_to_text(doc, sizeof(doc) - 1);
	CHECK(utf8_valid_text(out, strlen(out)));
	CHECK_CONTAINS(out, "ctl \xef\xbf\xbd");
	free(out);
}

int
main(void)
{
	test_refused();
	test_scrub();
	test_markdown_references();
	return check_summary();
}
