/* render.h: HTML and XML escaping, Markdown through cmark, text helpers for pages. */
#ifndef PARLEY_RENDER_H
#define PARLEY_RENDER_H

#include <stddef.h>
#include <time.h>

#include "arena.h"
#include "buf.h"

/* Escape & < > " ' for HTML text and attribute values (also right for XML). */
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
 * Is s valid UTF-8 without NUL, C0 controls other than tab, CR and LF, DEL,
 * C1 controls or noncharacters (U+FFFE and U+FFFF are not XML)?  Form
 * fields are checked with this before anything is stored.
 */
int utf8_valid_text(const char *s, size_t len);
/*
 * Append s to out with every character utf8_valid_text refuses (and every
 * byte of invalid UTF-8) replaced by U+FFFD: text any page or feed can carry.
 */
void utf8_scrub(struct buf *out, const char *s, size_t len);
/* Number of code points in valid UTF-8. */
size_t utf8_length(const char *s, size_t len);

/*
 * A URL-safe slug from a title: lowercase ASCII letters, digits and single
 * hyphens, at most 80 bytes; accented Latin letters lose their accents,
 * other characters separate words.  Allocated in the arena; "" when nothing
 * is left.
 */
char *slugify(struct arena *a, const char *title);
/* Is s a slug as slugify makes them (non-empty, [a-z0-9-], no edge hyphens)? */
int slug_valid(const char *s);

/*
 * The length of s's scheme and "//" when it is http:// or https:// (any
 * case), else 0.  The one check before a reader-supplied address is a link.
 */
size_t url_web_scheme(const char *s);

/* Dates: RFC 3339 ("2026-04-26T09:30:00Z") and human ("26 April 2026"), in the arena. */
const char *date_rfc3339(struct arena *a, time_t t);
const char *date_human(struct arena *a, time_t t);
/* Parse RFC 3339 / "YYYY-MM-DD[ HH:MM[:SS]]" as UTC (offsets honoured); 0 or -1. */
int date_parse(const char *s, time_t *out);

#endif
