/* render.h: HTML and XML escaping, Markdown through cmark, a page's template and pager. */
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

struct mu_map;
struct mu_set;

/*
 * Render template name of tpl with ctx as its root into out, replacing
 * what out held (src/render/page.c).  0, or -1 with out empty and the
 * reason logged when the template is missing or nests too deep.
 */
int render_page(const struct mu_set *tpl, const char *name, struct mu_map *ctx, struct buf *out);

/*
 * Older/newer navigation for page of a listing, into ctx: newer_url and
 * older_url (absent at the ends, and no older page past max), page and
 * paged.  first is page 1's path, prefix the others' without the number.
 * The strings live in a.
 */
void render_pager(struct arena *a, struct mu_map *ctx, const char *first, const char *prefix,
		  int page, int has_more, int max);

#endif
