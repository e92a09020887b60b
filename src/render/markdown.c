/* markdown.c: CommonMark to HTML and to plain text, through Debian's cmark. */
#include "render.h"

#include <cmark.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "utf8.h"

/*
 * In safe mode cmark drops raw HTML and unsafe link schemes, and every
 * other "<" of the output is escaped, so each "<a href=" in it is a link
 * cmark wrote itself: that is where the rel attribute goes.
 */
static char *
add_link_rel(char *html)
{
	static const char from[] = "<a href=\"", to[] = "<a rel=\"nofollow ugc\" href=\"";
	struct buf out = BUF_INIT;
	const char *p = html, *hit;

	if (strstr(html, from) == NULL)
		return html;
	while ((hit = strstr(p, from)) != NULL) {
		buf_append(&out, p, (size_t)(hit - p));
		buf_append(&out, to, sizeof(to) - 1);
		p = hit + sizeof(from) - 1;
	}
	buf_puts(&out, p);
	free(html);
	return buf_detach(&out, NULL);
}

/*
 * cmark turns character references such as "&#1;" or "&#xFFFE;" into the
 * characters themselves (U+FFFE even into a lone byte), which no XML feed
 * and no valid HTML can carry: they become U+FFFD.  Returns text, or a new
 * malloc'd string after freeing it.
 */
static char *
scrub_text(char *text)
{
	struct buf out = BUF_INIT;
	size_t len = strlen(text);

	if (utf8_valid_text(text, len))
		return text;
	utf8_scrub(&out, text, len);
	free(text);
	return buf_detach(&out, NULL);
}

char *
markdown_to_html(const char *md, size_t len, enum markdown_mode mode)
{
	int opts = CMARK_OPT_VALIDATE_UTF8 | CMARK_OPT_SMART;
	char *html;

	if (mode == MARKDOWN_POST_RAW)
		opts |= CMARK_OPT_UNSAFE;
	else
		opts |= CMARK_OPT_SAFE;   /* the default in 0.30; explicit for older cmark */
	if (mode == MARKDOWN_COMMENT)
		opts &= ~CMARK_OPT_SMART; /* keep readers' quotes as they typed them */
	if ((html = cmark_markdown_to_html(md, len, opts)) == NULL)
		die("out of memory");
	html = scrub_text(html);
	if (mode == MARKDOWN_COMMENT)
		html = add_link_rel(html);
	return html;
}

/* Append the text of node's subtree, with breaks between blocks. */
static void
text_walk(cmark_node *root, struct buf *out)
{
	cmark_iter *it = cmark_iter_new(root);
	cmark_event_type ev;

	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		cmark_node *n = cmark_iter_get_node(it);
		cmark_node_type t = cmark_node_get_type(n);
		const char *lit;

		if (ev == CMARK_EVENT_ENTER) {
			switch (t) {
			case CMARK_NODE_TEXT:
			case CMARK_NODE_CODE:
			case CMARK_NODE_CODE_BLOCK:
				if ((lit = cmark_node_get_literal(n)) != NULL)
					buf_puts(out, lit);
				break;
			case CMARK_NODE_SOFTBREAK:
			case CMARK_NODE_LINEBREAK:
				buf_putc(out, ' ');
				break;
			default:
				break;
			}
		} else if (ev == CMARK_EVENT_EXIT && (t == CMARK_NODE_PARAGRAPH ||
		    t == CMARK_NODE_HEADING || t == CMARK_NODE_ITEM ||
		    t == CMARK_NODE_CODE_BLOCK)) {
			if (out->len > 0 && out->data[out->len - 1] != '\n')
				buf_putc(out, '\n');
		}
	}
	cmark_iter_free(it);
}

char *
markdown_to_text(const char *md, size_t len)
{
	cmark_node *doc = cmark_parse_document(md, len, CMARK_OPT_VALIDATE_UTF8);
	struct buf out = BUF_INIT;

	if (doc == NULL)
		die("out of memory");
	text_walk(doc, &out);
	cmark_node_free(doc);
	while (out.len > 0 && out.data[out.len - 1] == '\n')
		out.data[--out.len] = '\0';
	return scrub_text(buf_detach(&out, NULL));
}

struct html
markdown_html(struct arena *a, const char *md, size_t len, enum markdown_mode mode)
{
	char *html = markdown_to_html(md, len, mode);
	const char *copy = arena_strdup(a, html);

	free(html);
	return html_trust(copy);
}

const char *
markdown_text(struct arena *a, const char *md, size_t len)
{
	char *text = markdown_to_text(md, len);
	const char *copy = arena_strdup(a, text);

	free(text);
	return copy;
}
