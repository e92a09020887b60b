/* render.h: HTML and XML escaping, Markdown through cmark. */
#ifndef PARLEY_RENDER_H
#define PARLEY_RENDER_H

#include <stddef.h>

#include "arena.h"
#include "buf.h"
#include "html.h"
/* Pages use core's text helpers beside escaping: render.h brings them along. */
#include "text.h"
#include "utf8.h"

/*
 * Escape & < > " ' for HTML text and attribute values (also right for XML):
 * the one escaper, which the Mustache engine uses for every plain string.
 */
void html_escape(struct buf *out, const char *s, size_t len);

enum markdown_mode {
	MARKDOWN_POST,        /* the site's own posts: cmark safe mode */
	MARKDOWN_POST_RAW,    /* posts where allow_raw_html is set: CMARK_OPT_UNSAFE */
	MARKDOWN_COMMENT,     /* readers' comments: safe mode, links get rel="nofollow ugc" */
};

/*
 * Render CommonMark to HTML.  Invalid UTF-8, and what character references
 * decode to that utf8_valid_text refuses ("&#1;"), become U+FFFD.
 * Returns a malloc'd string the caller frees, never NULL.
 */
char *markdown_to_html(const char *md, size_t len, enum markdown_mode mode);

/* Plain text of a Markdown document (for search, summaries, feeds), malloc'd. */
char *markdown_to_text(const char *md, size_t len);

/*
 * The same two for pages and commands: the HTML as struct html and the text,
 * copied into the arena.  What the store is given when a post or comment is
 * written.
 */
struct html markdown_html(struct arena *a, const char *md, size_t len,
			  enum markdown_mode mode);
const char *markdown_text(struct arena *a, const char *md, size_t len);

#endif
