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
#include "wxr-markdown.h"

/* Elements nested deeper than this give their text only. */
#define MD_MAX_DEPTH 200

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
		md_text(m, " ");
		nodes(m, n->children, depth + 1);
		md_text(m, " ");
		return;
	}
	md_flush(m);
	nodes(m, n->children, depth + 1);
	md_flush(m);
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
	md_flush(m);
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
		md_para_insert(m, 0, marks);
		/* The marks must not be escaped as text at the line start. */
		m->flushes++;
		{
			size_t start = 0, end = m->para.len;
			while (end > start && (m->para.data[end - 1] == ' '))
				end--;
			md_write_block(m, m->para.data, end, 1);
		}
		buf_reset(&m->para);
	}
}

/* A blank line now, outside the block about to open (a list, a quote). */
static void
separate(struct md *m)
{
	if (m->out.len > 0 && !m->in_item && !m->separated) {
		md_put_prefix(m, 0, 1);
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
	md_flush(m);
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
		md_flush(m);
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
	md_flush(m);
	separate(m);
	if (m->marker_pending)
		buf_puts(&m->marker, "> ");
	buf_puts(&m->prefix, "> ");
	m->in_item = 0;
	nodes(m, n->children, depth + 1);
	md_flush(m);
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
		md_text(m, s ? s : "");
		m->code--;
		xmlFree(s);
		return;
	}
	md_flush(m);
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
	md_write_block(m, m->para.data, m->para.len, 1);
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
	md_para_insert(m, m->para.len, pad ? " " : "");
	md_para_insert(m, m->para.len, fence);
	md_para_insert(m, at, pad ? " " : "");
	md_para_insert(m, at, fence);
}

/* Make what was written since at the text of a link to href. */
static void
link_around(struct md *m, size_t at, const char *href)
{
	struct buf dest = BUF_INIT;

	buf_puts(&dest, "](");
	md_put_url(&dest, href);
	buf_putc(&dest, ')');
	md_para_insert(m, m->para.len, dest.data);
	md_para_insert(m, at, "[");
	buf_free(&dest);
}

static void
anchor(struct md *m, const xmlNode *n, int depth)
{
	const char *href = attr(n, "href");
	size_t at = m->para.len;
	unsigned long flushes = m->flushes;

	nodes(m, n->children, depth + 1);
	if (!md_safe_url(href, 0) || flushes != m->flushes || m->code)
		return;
	if (at == m->para.len) {
		/* A link with no text shows its address. */
		size_t i;
		for (i = 0; href[i]; i++)
			md_put_text_char(m, href, i);
	}
	link_around(m, at, href);
}

static void
image(struct md *m, const xmlNode *n)
{
	const char *src = attr(n, "src"), *alt = attr(n, "alt");
	size_t i;

	if (!md_safe_url(src, 1) || m->code)
		return;
	if (!md_para_ends_blank(m))
		buf_putc(&m->para, ' ');
	buf_puts(&m->para, "![");
	for (i = 0; alt != NULL && alt[i]; i++)
		if (isspace((unsigned char)alt[i])) {
			if (!md_para_ends_blank(m))
				buf_putc(&m->para, ' ');
		} else
			md_put_text_char(m, alt, i);
	buf_puts(&m->para, "](");
	md_put_url(&m->para, src);
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
		md_flush(m);
	if (label != NULL) {
		buf_puts(&m->para, label);
		buf_puts(&m->para, ": ");
	}
	at = m->para.len;
	md_text(m, src);
	link_around(m, at, src);
	if (!m->cell)
		md_flush(m);
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
			md_wrap(m, at, flushes, "*", "*");
			md_line_break(m);
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
					md_wrap(m, at, flushes, "**", "**");
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
	md_flush(m);
	m->cell++;
	table_rows(m, n->children, depth + 1);
	m->cell--;
	md_flush(m);
}

static void
emphasis(struct md *m, const xmlNode *n, int depth, const char *mark)
{
	size_t at = m->para.len;
	unsigned long flushes = m->flushes;

	nodes(m, n->children, depth + 1);
	if (!m->code)
		md_wrap(m, at, flushes, mark, mark);
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
			md_text(m, " ");
		else
			md_line_break(m);
	} else if (tag_is(n, "hr")) {
		if (m->cell)
			return;
		md_flush(m);
		md_write_block(m, "* * *", 5, 1);
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
			md_flush(m);
		at = m->para.len;
		flushes = m->flushes;
		nodes(m, n->children, depth + 1);
		md_wrap(m, at, flushes, tag_is(n, "dt") ? "**" : "*", tag_is(n, "dt") ? "**" : "*");
		if (!m->cell)
			md_flush(m);
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
			md_text(m, (const char *)n->content);
		return;
	}
	if (n->type != XML_ELEMENT_NODE || n->name == NULL)
		return;
	if (depth > MD_MAX_DEPTH) {
		char *s = content_of(n);
		if (s != NULL)
			md_text(m, s);
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
			md_flush(&m);
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
