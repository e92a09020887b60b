/* wxr-markdown.h: the Markdown writer under wxr-html.c's walk of the HTML tree (src/cli only). */
#ifndef PARLEY_WXR_MARKDOWN_H
#define PARLEY_WXR_MARKDOWN_H

#include <stddef.h>

#include "buf.h"
#include "wxr.h"

/* Stands for a hard line break inside a paragraph until it is written out. */
#define MD_BREAK '\x01'

/*
 * The writer.  Inline Markdown accumulates in para; at each block boundary
 * it is flushed to out as lines, each preceded by the prefix of the blocks
 * around it ("> " for quotes, spaces under a list item).  The first line of
 * a list item's first block carries the item's marker instead.
 */
struct md {
	struct buf out;
	struct buf para;
	struct buf prefix;      /* continuation prefix of every line */
	struct buf marker;      /* first-line prefix while marker_pending */
	int marker_pending;
	int separated;          /* the blank line before the next block is written */
	int in_item;            /* inside a list item: blocks follow each other tightly */
	int pre;                /* inside <pre>: text raw */
	int code;               /* inside inline code: text raw, white space collapsed */
	int cell;               /* inside a table cell: blocks run inline */
	unsigned long flushes;  /* counts flushes, so inline wrappers see a block inside */
	struct wxr_convert *conv;
};

/* Escape what Markdown would read as syntax inside running text: s[i] into para. */
void md_put_text_char(struct md *m, const char *s, size_t i);
/* Does para end with a space or a break (or is it empty)? */
int md_para_ends_blank(const struct md *m);
/* A hard line break; two in a row (WordPress's <br><br>) end the paragraph. */
void md_line_break(struct md *m);
/*
 * Running text.  White space collapses as HTML's does, except that
 * WordPress stores paragraphs as blank lines and line breaks as newlines
 * (wpautop), and those are kept.
 */
void md_text(struct md *m, const char *s);
/* The prefix of a line (the marker on a list item's first), trailing spaces cut when blank. */
void md_put_prefix(struct md *m, int first, int blank);
/* Write one block's lines (hard breaks joined by "\" at line ends); raw: no escaping. */
void md_write_block(struct md *m, const char *s, size_t len, int raw);
/* End the paragraph: para written out as a block. */
void md_flush(struct md *m);
/* Insert s into para at offset at. */
void md_para_insert(struct md *m, size_t at, const char *s);
/*
 * Wrap what was written since at in open ... close, outside its edge
 * spaces; nothing when it was empty or a block was flushed in between.
 */
void md_wrap(struct md *m, size_t at, unsigned long flushes, const char *open, const char *close);
/* An address kept as a link or image: http(s), mailto (links only) or relative. */
int md_safe_url(const char *u, int image);
/* The address as a Markdown link destination: spaces and brackets percent-encoded. */
void md_put_url(struct buf *b, const char *u);

#endif
