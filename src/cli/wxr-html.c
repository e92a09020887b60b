/* wxr-html.c: WordPress HTML, parsed by libxml2's HTML parser, written out as CommonMark. */
#include "wxr.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include "buf.h"
#include "render.h"

/* Elements nested deeper than this give their text only. */
#define MD_MAX_DEPTH 200
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

static int
tag_is(const xmlNode *n, const char *name)
{
	return n->name != NULL && strcasecmp((const char *)n->name, name) == 0;
}

static int
tag_in(const xmlNode *n, const char *const *names)
{
	for (; *names; names++)
		if (tag_is(n, *names))
			return 1;
	return 0;
}

/* Escape what Markdown would read as syntax inside running text. */
static void
put_text_char(struct md *m, const char *s, size_t i)
{
	char c = s[i];

	if (!m->code && strchr("\\`*_[]<>", c) != NULL)
		buf_putc(&m->para, '\\');
	else if (!m->code && c == '&' && (isalpha((unsigned char)s[i + 1]) || s[i + 1] == '#'))
		buf_putc(&m->para, '\\');
	buf_putc(&m->para, c);
}

static int
para_ends_blank(const struct md *m)
{
	return m->para.len == 0 || m->para.data[m->para.len - 1] == ' ' ||
	    m->para.data[m->para.len - 1] == MD_BREAK;
}

/* A hard line break; two in a row (WordPress's <br><br>) end the paragraph. */
static void flush(struct md *m);

static void
line_break(struct md *m)
{
	while (m->para.len > 0 && m->para.data[m->para.len - 1] == ' ')
		m->para.len--;
	if (m->para.len == 0)
		return;
	if (m->para.data[m->para.len - 1] == MD_BREAK) {
		flush(m);
		return;
	}
	buf_putc(&m->para, MD_BREAK);
}

/*
 * Running text.  White space collapses as HTML's does, except that
 * WordPress stores paragraphs as blank lines and line breaks as newlines
 * (wpautop), and those are kept.
 */
static void
text(struct md *m, const char *s)
{
	size_t i, newlines;

	if (m->pre) {
		buf_puts(&m->para, s);
		return;
	}
	for (i = 0; s[i]; ) {
		if (!isspace((unsigned char)s[i])) {
			put_text_char(m, s, i);
			i++;
			continue;
		}
		for (newlines = 0; isspace((unsigned char)s[i]); i++)
			newlines += s[i] == '\n';
		if (m->code || m->cell || newlines == 0) {
			if (!para_ends_blank(m))
				buf_putc(&m->para, ' ');
		} else if (newlines == 1)
			line_break(m);
		else
			flush(m);
	}
}

/* Would this line start a block if written as is?  Then escape its first character. */
static size_t
line_start_escape(const char *s, size_t len)
{
	size_t i = 0;

	if (len == 0)
		return (size_t)-1;
	if (strchr("#>-+=~|", s[0]) != NULL)
		return 0;
	while (i < len && i < 9 && isdigit((unsigned char)s[i]))
		i++;
	if (i > 0 && i < len && (s[i] == '.' || s[i] == ')'))
		return i;
	return (size_t)-1;
}

static void
put_prefix(struct md *m, int first, int blank)
{
	const struct buf *p = first && m->marker_pending ? &m->marker : &m->prefix;
	size_t n = p->len;

	/* A blank line inside a quote keeps its ">"; trailing spaces go. */
	if (blank)
		while (n > 0 && p->data[n - 1] == ' ')
			n--;
	buf_append(&m->out, p->data, n);
}

/* Write one block's lines (hard breaks joined by "\" at line ends). */
static void
write_block(struct md *m, const char *s, size_t len, int raw)
{
	size_t i = 0, start, end, esc;
	int first = 1;

	/* Blocks are separated by a blank line; inside a list item they follow tightly. */
	if (m->out.len > 0 && !m->in_item && !m->separated) {
		put_prefix(m, 0, 1);
		buf_putc(&m->out, '\n');
	}
	m->separated = 0;
	while (i <= len) {
		start = i;
		while (i < len && s[i] != MD_BREAK && !(raw && s[i] == '\n'))
			i++;
		end = i;
		if (!raw) {
			while (start < end && s[start] == ' ')
				start++;
			while (end > start && s[end - 1] == ' ')
				end--;
		}
		if (end > start || raw) {
			if (!first && !raw)
				buf_puts(&m->out, "\\\n");
			else if (!first)
				buf_putc(&m->out, '\n');
			put_prefix(m, first, 0);
			esc = raw ? (size_t)-1 : line_start_escape(s + start, end - start);
			if (esc != (size_t)-1) {
				buf_append(&m->out, s + start, esc);
				buf_putc(&m->out, '\\');
				buf_append(&m->out, s + start + esc, end - start - esc);
			} else
				buf_append(&m->out, s + start, end - start);
			first = 0;
			m->marker_pending = 0;
		}
		i++;
	}
	buf_putc(&m->out, '\n');
}

static void
flush(struct md *m)
{
	size_t start = 0, end = m->para.len;

	m->flushes++;
	while (start < end && (m->para.data[start] == ' ' || m->para.data[start] == MD_BREAK))
		start++;
	while (end > start && (m->para.data[end - 1] == ' ' || m->para.data[end - 1] == MD_BREAK))
		end--;
	if (end > start)
		write_block(m, m->para.data + start, end - start, 0);
	buf_reset(&m->para);
}

/* Insert s into para at offset at. */
static void
para_insert(struct md *m, size_t at, const char *s)
{
	size_t n = strlen(s);

	buf_reserve(&m->para, n);
	memmove(m->para.data + at + n, m->para.data + at, m->para.len - at);
	memcpy(m->para.data + at, s, n);
	m->para.len += n;
	m->para.data[m->para.len] = '\0';
}

/*
 * Wrap what was written since at in open ... close, outside its edge
 * spaces; nothing when it was empty or a block was flushed in between.
 */
static void
wrap(struct md *m, size_t at, unsigned long flushes, const char *open, const char *close)
{
	size_t start = at, end = m->para.len;

	if (m->flushes != flushes || at > m->para.len)
		return;
	while (start < end && (m->para.data[start] == ' ' || m->para.data[start] == MD_BREAK))
		start++;
	while (end > start && (m->para.data[end - 1] == ' ' || m->para.data[end - 1] == MD_BREAK))
		end--;
	if (end == start)
		return;
	para_insert(m, end, close);
	para_insert(m, start, open);
}

/* An address kept as a link or image: http(s), mailto (links only) or relative. */
static int
safe_url(const char *u, int image)
{
	const char *colon, *p;

	if (u == NULL || *u == '\0')
		return 0;
	for (p = u; *p; p++)
		if ((unsigned char)*p < 0x20)
			return 0;
	colon = strchr(u, ':');
	if (colon == NULL || strcspn(u, "/?#") < (size_t)(colon - u))
		return 1;        /* relative */
	return strncasecmp(u, "http://", 7) == 0 || strncasecmp(u, "https://", 8) == 0 ||
	    (!image && strncasecmp(u, "mailto:", 7) == 0);
}

/* The address as a Markdown link destination: spaces and brackets percent-encoded. */
static void
put_url(struct buf *b, const char *u)
{
	for (; *u; u++) {
		unsigned char c = (unsigned char)*u;
		if (c == ' ' || c == '(' || c == ')' || c == '<' || c == '>' || c == '\\' ||
		    c == '"' || c == '\'' || c == '`')
			buf_printf(b, "%%%02X", c);
		else
			buf_putc(b, (char)c);
	}
}

static const char *
attr(const xmlNode *n, const char *name)
{
	const xmlAttr *a;

	for (a = n->properties; a != NULL; a = a->next)
		if (strcasecmp((const char *)a->name, name) == 0 && a->children != NULL &&
		    a->children->content != NULL)
			return (const char *)a->children->content;
	return NULL;
}

static void node(struct md *m, const xmlNode *n, int depth);

static void
nodes(struct md *m, const xmlNode *n, int depth)
{
	for (; n != NULL; n = n->next)
		node(m, n, depth);
}

/* Every text below n, concatenated (no escaping), malloc'd by libxml2. */
static char *
content_of(const xmlNode *n)
{
	return (char *)xmlNodeGetContent(n);
}

static void
block(struct md *m, const xmlNode *n, int depth)
{
	if (m->cell) {
		text(m, " ");
		nodes(m, n->children, depth + 1);
		text(m, " ");
		return;
	}
	flush(m);
	nodes(m, n->children, depth + 1);
	flush(m);
}

static void
heading(struct md *m, const xmlNode *n, int depth)
{
	int level = n->name[1] - '0';
	size_t i;

	if (m->cell) {
		block(m, n, depth);
		return;
	}
	flush(m);
	m->cell++;              /* a heading is one line */
	nodes(m, n->children, depth + 1);
	m->cell--;
	for (i = 0; i < m->para.len; i++)
		if (m->para.data[i] == MD_BREAK)
			m->para.data[i] = ' ';
	if (m->para.len > 0) {
		char marks[8];
		memset(marks, '#', (size_t)level);
		marks[level] = ' ';
		marks[level + 1] = '\0';
		para_insert(m, 0, marks);
		/* The marks must not be escaped as text at the line start. */
		m->flushes++;
		{
			size_t start = 0, end = m->para.len;
			while (end > start && (m->para.data[end - 1] == ' '))
				end--;
			write_block(m, m->para.data, end, 1);
		}
		buf_reset(&m->para);
	}
}

/* A blank line now, outside the block about to open (a list, a quote). */
static void
separate(struct md *m)
{
	if (m->out.len > 0 && !m->in_item && !m->separated) {
		put_prefix(m, 0, 1);
		buf_putc(&m->out, '\n');
		m->separated = 1;
	}
}

static void
list(struct md *m, const xmlNode *n, int depth)
{
	const xmlNode *c;
	const char *start = attr(n, "start");
	long number = start != NULL ? strtol(start, NULL, 10) : 1;
	int ordered = tag_is(n, "ol"), first_item = 1;

	if (m->cell) {
		block(m, n, depth);
		return;
	}
	flush(m);
	if (number < 0 || number > 999999999)
		number = 1;
	for (c = n->children; c != NULL; c = c->next) {
		size_t saved = m->prefix.len;
		int was_in_item = m->in_item;
		char mark[24];
		if (c->type != XML_ELEMENT_NODE || !tag_is(c, "li")) {
			if (c->type == XML_ELEMENT_NODE)
				node(m, c, depth + 1);
			continue;
		}
		if (ordered)
			snprintf(mark, sizeof(mark), "%ld. ", number++);
		else
			snprintf(mark, sizeof(mark), "- ");
		buf_reset(&m->marker);
		buf_append(&m->marker, m->prefix.data, m->prefix.len);
		buf_puts(&m->marker, mark);
		m->marker_pending = 1;
		/* A list after running text needs its blank line; items then follow tightly. */
		if (first_item)
			separate(m);
		first_item = 0;
		m->in_item = 1;
		buf_reserve(&m->prefix, strlen(mark));
		memset(m->prefix.data + m->prefix.len, ' ', strlen(mark));
		m->prefix.len += strlen(mark);
		m->prefix.data[m->prefix.len] = '\0';
		nodes(m, c->children, depth + 1);
		flush(m);
		m->marker_pending = 0;
		m->prefix.len = saved;
		m->prefix.data[saved] = '\0';
		m->in_item = was_in_item;
	}
	/* Separate what follows from the list. */
	if (!m->in_item)
		m->flushes++;
}

static void
quote(struct md *m, const xmlNode *n, int depth)
{
	size_t saved = m->prefix.len;
	int was_in_item = m->in_item;

	if (m->cell) {
		block(m, n, depth);
		return;
	}
	flush(m);
	separate(m);
	if (m->marker_pending)
		buf_puts(&m->marker, "> ");
	buf_puts(&m->prefix, "> ");
	m->in_item = 0;
	nodes(m, n->children, depth + 1);
	flush(m);
	m->in_item = was_in_item;
	m->prefix.len = saved;
	m->prefix.data[saved] = '\0';
}

/* <pre>: a fenced code block, its text as written. */
static void
preformatted(struct md *m, const xmlNode *n)
{
	char *s = content_of(n), *p;
	size_t run = 0, longest = 0, len, i;
	char fence[64];

	if (m->cell) {
		m->code++;
		text(m, s ? s : "");
		m->code--;
		xmlFree(s);
		return;
	}
	flush(m);
	if (s == NULL)
		return;
	for (p = s; *p; p++) {
		run = *p == '`' ? run + 1 : 0;
		if (run > longest)
			longest = run;
	}
	len = longest < 3 ? 3 : longest + 1;
	if (len >= sizeof(fence))
		len = sizeof(fence) - 1;
	memset(fence, '`', len);
	fence[len] = '\0';
	p = s;
	if (*p == '\n')
		p++;
	i = strlen(p);
	while (i > 0 && (p[i - 1] == '\n' || p[i - 1] == ' '))
		i--;
	buf_reset(&m->para);
	buf_puts(&m->para, fence);
	buf_putc(&m->para, '\n');
	buf_append(&m->para, p, i);
	buf_putc(&m->para, '\n');
	buf_puts(&m->para, fence);
	write_block(m, m->para.data, m->para.len, 1);
	buf_reset(&m->para);
	m->flushes++;
	xmlFree(s);
}

static void
inline_code(struct md *m, const xmlNode *n, int depth)
{
	size_t at = m->para.len, i, run = 0, longest = 0;
	unsigned long flushes = m->flushes;
	char fence[34];
	int pad;

	m->code++;
	nodes(m, n->children, depth + 1);
	m->code--;
	if (flushes != m->flushes || at == m->para.len)
		return;
	for (i = at; i < m->para.len; i++) {
		run = m->para.data[i] == '`' ? run + 1 : 0;
		if (run > longest)
			longest = run;
	}
	if (longest >= sizeof(fence) - 2)
		longest = sizeof(fence) - 3;
	memset(fence, '`', longest + 1);
	fence[longest + 1] = '\0';
	pad = longest > 0 || m->para.data[at] == '`';
	para_insert(m, m->para.len, pad ? " " : "");
	para_insert(m, m->para.len, fence);
	para_insert(m, at, pad ? " " : "");
	para_insert(m, at, fence);
}

/* Make what was written since at the text of a link to href. */
static void
link_around(struct md *m, size_t at, const char *href)
{
	struct buf dest = BUF_INIT;

	buf_puts(&dest, "](");
	put_url(&dest, href);
	buf_putc(&dest, ')');
	para_insert(m, m->para.len, dest.data);
	para_insert(m, at, "[");
	buf_free(&dest);
}

static void
anchor(struct md *m, const xmlNode *n, int depth)
{
	const char *href = attr(n, "href");
	size_t at = m->para.len;
	unsigned long flushes = m->flushes;

	nodes(m, n->children, depth + 1);
	if (!safe_url(href, 0) || flushes != m->flushes || m->code)
		return;
	if (at == m->para.len) {
		/* A link with no text shows its address. */
		size_t i;
		for (i = 0; href[i]; i++)
			put_text_char(m, href, i);
	}
	link_around(m, at, href);
}

static void
image(struct md *m, const xmlNode *n)
{
	const char *src = attr(n, "src"), *alt = attr(n, "alt");
	size_t i;

	if (!safe_url(src, 1) || m->code)
		return;
	if (!para_ends_blank(m))
		buf_putc(&m->para, ' ');
	buf_puts(&m->para, "![");
	for (i = 0; alt != NULL && alt[i]; i++)
		if (isspace((unsigned char)alt[i])) {
			if (!para_ends_blank(m))
				buf_putc(&m->para, ' ');
		} else
			put_text_char(m, alt, i);
	buf_puts(&m->para, "](");
	put_url(&m->para, src);
	buf_putc(&m->para, ')');
}

/* An iframe, <video> or <audio> with a web address: a link to it on its own line. */
static void
media_link(struct md *m, const xmlNode *n, const char *label)
{
	const char *src = attr(n, "src");
	const xmlNode *c;
	size_t at;

	for (c = n->children; src == NULL && c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE && tag_is(c, "source"))
			src = attr(c, "src");
	if (src == NULL || (strncasecmp(src, "http://", 7) != 0 &&
	    strncasecmp(src, "https://", 8) != 0) || m->code)
		return;
	if (!m->cell)
		flush(m);
	if (label != NULL) {
		buf_puts(&m->para, label);
		buf_puts(&m->para, ": ");
	}
	at = m->para.len;
	text(m, src);
	link_around(m, at, src);
	if (!m->cell)
		flush(m);
}

/* A table: one line a row, cells separated by " | ", header cells strong. */
static void
table_rows(struct md *m, const xmlNode *n, int depth)
{
	const xmlNode *c, *cell;

	for (c = n; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (tag_is(c, "thead") || tag_is(c, "tbody") || tag_is(c, "tfoot")) {
			table_rows(m, c->children, depth + 1);
			continue;
		}
		if (tag_is(c, "caption")) {
			size_t at = m->para.len;
			unsigned long flushes = m->flushes;
			nodes(m, c->children, depth + 1);
			wrap(m, at, flushes, "*", "*");
			line_break(m);
			continue;
		}
		if (!tag_is(c, "tr"))
			continue;
		{
			int first = 1;
			for (cell = c->children; cell != NULL; cell = cell->next) {
				size_t at;
				unsigned long flushes;
				if (cell->type != XML_ELEMENT_NODE ||
				    (!tag_is(cell, "td") && !tag_is(cell, "th")))
					continue;
				if (!first)
					buf_puts(&m->para, " | ");
				first = 0;
				at = m->para.len;
				flushes = m->flushes;
				nodes(m, cell->children, depth + 2);
				while (m->para.len > at && m->para.data[m->para.len - 1] == ' ')
					m->para.len--;
				m->para.data[m->para.len] = '\0';
				if (tag_is(cell, "th"))
					wrap(m, at, flushes, "**", "**");
			}
			if (!first)
				buf_putc(&m->para, MD_BREAK);
		}
	}
}

static void
table(struct md *m, const xmlNode *n, int depth)
{
	if (m->cell) {
		block(m, n, depth);
		return;
	}
	flush(m);
	m->cell++;
	table_rows(m, n->children, depth + 1);
	m->cell--;
	flush(m);
}

static void
emphasis(struct md *m, const xmlNode *n, int depth, const char *mark)
{
	size_t at = m->para.len;
	unsigned long flushes = m->flushes;

	nodes(m, n->children, depth + 1);
	if (!m->code)
		wrap(m, at, flushes, mark, mark);
}

static void
element(struct md *m, const xmlNode *n, int depth)
{
	static const char *const dropped[] = {
		"script", "style", "noscript", "template", "head", "title", "meta", "link",
		"form", "input", "button", "select", "textarea", "option", "object", "embed",
		"svg", "math", "canvas", "map", "frameset", "frame", "applet", "param", NULL
	};
	static const char *const blocks[] = {
		"p", "div", "section", "article", "header", "footer", "main", "nav", "aside",
		"address", "center", "hgroup", "details", "summary", "fieldset", "dd",
		"figure", "body", "html", "legend", NULL
	};

	if (tag_in(n, dropped))
		return;
	if (tag_is(n, "br")) {
		if (m->cell)
			text(m, " ");
		else
			line_break(m);
	} else if (tag_is(n, "hr")) {
		if (m->cell)
			return;
		flush(m);
		write_block(m, "* * *", 5, 1);
		m->flushes++;
	} else if (n->name[0] != '\0' && (n->name[0] == 'h' || n->name[0] == 'H') &&
		   n->name[1] >= '1' && n->name[1] <= '6' && n->name[2] == '\0') {
		heading(m, n, depth);
	} else if (tag_is(n, "ul") || tag_is(n, "ol") || tag_is(n, "menu") || tag_is(n, "dir")) {
		list(m, n, depth);
	} else if (tag_is(n, "li")) {
		/* An item outside a list: a list of one. */
		xmlNode wrapper;
		memset(&wrapper, 0, sizeof(wrapper));
		wrapper.type = XML_ELEMENT_NODE;
		wrapper.name = (const xmlChar *)"ul";
		wrapper.children = (xmlNode *)n;
		{
			xmlNode *next = n->next;
			((xmlNode *)n)->next = NULL;
			list(m, &wrapper, depth);
			((xmlNode *)n)->next = next;
		}
	} else if (tag_is(n, "blockquote")) {
		quote(m, n, depth);
	} else if (tag_is(n, "pre") || tag_is(n, "xmp") || tag_is(n, "listing")) {
		preformatted(m, n);
	} else if (tag_is(n, "table")) {
		table(m, n, depth);
	} else if (tag_is(n, "figcaption") || tag_is(n, "dt")) {
		size_t at;
		unsigned long flushes;
		if (!m->cell)
			flush(m);
		at = m->para.len;
		flushes = m->flushes;
		nodes(m, n->children, depth + 1);
		wrap(m, at, flushes, tag_is(n, "dt") ? "**" : "*", tag_is(n, "dt") ? "**" : "*");
		if (!m->cell)
			flush(m);
	} else if (tag_in(n, blocks) || tag_is(n, "dl")) {
		block(m, n, depth);
	} else if (tag_is(n, "em") || tag_is(n, "i") || tag_is(n, "cite") || tag_is(n, "dfn") ||
		   tag_is(n, "var")) {
		emphasis(m, n, depth, "*");
	} else if (tag_is(n, "strong") || tag_is(n, "b")) {
		emphasis(m, n, depth, "**");
	} else if (tag_is(n, "code") || tag_is(n, "kbd") || tag_is(n, "tt") || tag_is(n, "samp")) {
		inline_code(m, n, depth);
	} else if (tag_is(n, "a")) {
		anchor(m, n, depth);
	} else if (tag_is(n, "img")) {
		image(m, n);
	} else if (tag_is(n, "iframe")) {
		media_link(m, n, NULL);
	} else if (tag_is(n, "video")) {
		media_link(m, n, "Video");
	} else if (tag_is(n, "audio")) {
		media_link(m, n, "Audio");
	} else {
		/* span, font, u, small, sup, sub, abbr, mark, q, del, ins...: their text. */
		nodes(m, n->children, depth + 1);
	}
}

static void
node(struct md *m, const xmlNode *n, int depth)
{
	if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
		if (n->content != NULL)
			text(m, (const char *)n->content);
		return;
	}
	if (n->type != XML_ELEMENT_NODE || n->name == NULL)
		return;
	if (depth > MD_MAX_DEPTH) {
		char *s = content_of(n);
		if (s != NULL)
			text(m, s);
		xmlFree(s);
		return;
	}
	element(m, n, depth);
}

char *
wxr_html_to_markdown(struct arena *a, const char *html, size_t len, struct wxr_convert *conv)
{
	struct wxr_convert none;
	struct md m;
	struct buf clean = BUF_INIT, scrubbed = BUF_INIT;
	const char *src = html;
	htmlDocPtr doc;
	char *out;
	size_t n;

	if (conv == NULL) {
		memset(&none, 0, sizeof(none));
		conv = &none;
	}
	if (conv->shortcodes) {
		src = wxr_shortcodes(a, html, len, conv);
		len = strlen(src);
	}
	/* The HTML parser stops at invalid UTF-8: scrub first; it knows HTML 4's entities only. */
	utf8_scrub(&scrubbed, src, len);
	wxr_html5_entities(&clean, scrubbed.data ? scrubbed.data : "", scrubbed.len);
	buf_reset(&scrubbed);
	memset(&m, 0, sizeof(m));
	m.conv = conv;
	if (clean.len > 0 && clean.len <= (size_t)INT32_MAX) {
		doc = htmlReadMemory(clean.data, (int)clean.len, NULL, "UTF-8",
				     HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING);
		if (doc != NULL) {
			nodes(&m, doc->children, 0);
			flush(&m);
			xmlFreeDoc(doc);
		}
	}
	n = m.out.len;
	while (n > 0 && m.out.data[n - 1] == '\n')
		n--;
	utf8_scrub(&scrubbed, m.out.data ? m.out.data : "", n);
	out = arena_strndup(a, scrubbed.data ? scrubbed.data : "", scrubbed.len);
	buf_free(&m.out);
	buf_free(&m.para);
	buf_free(&m.prefix);
	buf_free(&m.marker);
	buf_free(&clean);
	buf_free(&scrubbed);
	return out;
}
