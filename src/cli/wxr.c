/* wxr.c: a small, bounded XML reader for WordPress exports, and WordPress HTML to Markdown. */
#include "wxr.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"

/* ------------------------------------------------------------ entities */

/*
 * Append code point cp as UTF-8.  What utf8_valid_text refuses (NUL,
 * controls, surrogates, noncharacters) becomes U+FFFD, so decoded text is
 * still text the importer accepts.
 */
static void
put_utf8(struct buf *b, unsigned long cp)
{
	char s[4];

	if ((cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') || cp == 0x7f ||
	    (cp >= 0x80 && cp < 0xa0) || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff ||
	    (cp >= 0xfdd0 && cp <= 0xfdef) || (cp & 0xfffe) == 0xfffe)
		cp = 0xfffd;
	if (cp < 0x80) {
		buf_putc(b, (char)cp);
	} else if (cp < 0x800) {
		s[0] = (char)(0xc0 | cp >> 6);
		s[1] = (char)(0x80 | (cp & 0x3f));
		buf_append(b, s, 2);
	} else if (cp < 0x10000) {
		s[0] = (char)(0xe0 | cp >> 12);
		s[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		s[2] = (char)(0x80 | (cp & 0x3f));
		buf_append(b, s, 3);
	} else {
		s[0] = (char)(0xf0 | cp >> 18);
		s[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		s[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		s[3] = (char)(0x80 | (cp & 0x3f));
		buf_append(b, s, 4);
	}
}

static const struct {
	const char *name;
	unsigned long cp;
	int xml;              /* one of XML's five predefined entities */
} entities[] = {
	{ "amp", '&', 1 }, { "lt", '<', 1 }, { "gt", '>', 1 }, { "quot", '"', 1 },
	{ "apos", '\'', 1 }, { "nbsp", 0xa0, 0 }, { "hellip", 0x2026, 0 },
	{ "mdash", 0x2014, 0 }, { "ndash", 0x2013, 0 }, { "lsquo", 0x2018, 0 },
	{ "rsquo", 0x2019, 0 }, { "ldquo", 0x201c, 0 }, { "rdquo", 0x201d, 0 },
	{ "laquo", 0xab, 0 }, { "raquo", 0xbb, 0 }, { "copy", 0xa9, 0 },
	{ "reg", 0xae, 0 }, { "trade", 0x2122, 0 }, { "eacute", 0xe9, 0 },
	{ "egrave", 0xe8, 0 }, { "agrave", 0xe0, 0 }, { "ccedil", 0xe7, 0 },
	{ "ouml", 0xf6, 0 }, { "uuml", 0xfc, 0 }, { "auml", 0xe4, 0 }, { "szlig", 0xdf, 0 },
	{ "euro", 0x20ac, 0 }, { "pound", 0xa3, 0 }, { "deg", 0xb0, 0 },
	{ "middot", 0xb7, 0 }, { "bull", 0x2022, 0 }, { "times", 0xd7, 0 },
};

/*
 * Decode the entity at s (which starts with '&') into b.  Returns the bytes
 * consumed, or 0 when s holds no entity it knows (the caller keeps the '&').
 */
static size_t
decode_entity(struct buf *b, const char *s, size_t len, int html)
{
	size_t i, n;

	if (len >= 4 && s[1] == '#') {
		unsigned long cp = 0;
		int hex = s[2] == 'x' || s[2] == 'X';
		i = hex ? 3 : 2;
		for (n = 0; i < len && n < 8 && (hex ? isxdigit((unsigned char)s[i]) :
		    isdigit((unsigned char)s[i])); i++, n++)
			cp = cp * (hex ? 16 : 10) + (unsigned long)(isdigit((unsigned char)s[i]) ?
			    s[i] - '0' : (tolower((unsigned char)s[i]) - 'a' + 10));
		if (n == 0 || i >= len || s[i] != ';')
			return 0;
		put_utf8(b, cp);
		return i + 1;
	}
	for (i = 0; i < sizeof(entities) / sizeof(entities[0]); i++) {
		n = strlen(entities[i].name);
		if ((entities[i].xml || html) && len > n + 1 &&
		    memcmp(s + 1, entities[i].name, n) == 0 && s[n + 1] == ';') {
			put_utf8(b, entities[i].cp);
			return n + 2;
		}
	}
	return 0;
}

/* Append text with entities decoded; an '&' that starts no known entity stays. */
static void
append_decoded(struct buf *b, const char *s, size_t len, int html)
{
	size_t i = 0, run = 0, used;

	while (i < len) {
		if (s[i] != '&') {
			i++;
			continue;
		}
		buf_append(b, s + run, i - run);
		if ((used = decode_entity(b, s + i, len - i, html)) > 0)
			i += used;
		else
			buf_putc(b, s[i++]);
		run = i;
	}
	buf_append(b, s + run, len - run);
}

/* ------------------------------------------------------------ XML */

struct xml_parser {
	struct arena *a;
	const char *src, *p, *end;
	char *err;
	size_t errlen;
};

static int
xml_fail(struct xml_parser *x, const char *what)
{
	size_t line = 1;
	const char *q;

	for (q = x->src; q < x->p && q < x->end; q++)
		if (*q == '\n')
			line++;
	snprintf(x->err, x->errlen, "line %zu: %s", line, what);
	return -1;
}

static int
starts(const struct xml_parser *x, const char *s)
{
	size_t n = strlen(s);

	return (size_t)(x->end - x->p) >= n && memcmp(x->p, s, n) == 0;
}

/* Move past the next occurrence of s; -1 when it never comes. */
static int
skip_past(struct xml_parser *x, const char *s)
{
	const char *hit = memmem(x->p, (size_t)(x->end - x->p), s, strlen(s));

	if (hit == NULL)
		return -1;
	x->p = hit + strlen(s);
	return 0;
}

static int
name_char(char c)
{
	return c != '\0' && !isspace((unsigned char)c) && strchr("/>=<\"'&", c) == NULL;
}

static const char *
read_name(struct xml_parser *x)
{
	const char *start = x->p;

	while (x->p < x->end && name_char(*x->p))
		x->p++;
	return x->p == start ? NULL : arena_strndup(x->a, start, (size_t)(x->p - start));
}

static void
skip_space(struct xml_parser *x)
{
	while (x->p < x->end && isspace((unsigned char)*x->p))
		x->p++;
}

/* Parse the attributes and the end of a start tag; *empty for "/>". */
static int
read_attrs(struct xml_parser *x, struct xml_node *n, int *empty)
{
	size_t cap = 0;

	*empty = 0;
	for (;;) {
		const char *name, *start;
		char quote;
		struct buf v = BUF_INIT;

		skip_space(x);
		if (x->p >= x->end)
			return xml_fail(x, "unfinished tag");
		if (*x->p == '>') {
			x->p++;
			return 0;
		}
		if (starts(x, "/>")) {
			x->p += 2;
			*empty = 1;
			return 0;
		}
		if ((name = read_name(x)) == NULL)
			return xml_fail(x, "bad attribute");
		skip_space(x);
		if (x->p >= x->end || *x->p != '=')
			return xml_fail(x, "attribute without a value");
		x->p++;
		skip_space(x);
		if (x->p >= x->end || (*x->p != '"' && *x->p != '\''))
			return xml_fail(x, "attribute value without quotes");
		quote = *x->p++;
		start = x->p;
		while (x->p < x->end && *x->p != quote)
			x->p++;
		if (x->p >= x->end)
			return xml_fail(x, "unfinished attribute value");
		append_decoded(&v, start, (size_t)(x->p - start), 0);
		x->p++;
		if (n->nattrs == cap)
			n->attrs = arena_grow(x->a, n->attrs, n->nattrs, &cap,
						sizeof(*n->attrs));
		n->attrs[n->nattrs].name = name;
		n->attrs[n->nattrs].value = arena_strndup(x->a, v.data ? v.data : "", v.len);
		n->nattrs++;
		buf_free(&v);
	}
}

struct xml_frame {
	struct xml_node *node;
	struct buf text;
};

static void
close_frame(struct xml_parser *x, struct xml_frame *f)
{
	f->node->text = arena_strndup(x->a, f->text.data ? f->text.data : "", f->text.len);
	f->node->text_len = f->text.len;
	buf_free(&f->text);
}

struct xml_node *
xml_parse(struct arena *a, const char *src, size_t len, char *err, size_t errlen)
{
	struct xml_parser x = { a, src, src, src + len, err, errlen };
	struct xml_frame stack[XML_MAX_DEPTH];
	struct xml_node *root = NULL;
	size_t depth = 0, i;

	/* A byte-order mark may lead. */
	if (len >= 3 && memcmp(src, "\xef\xbb\xbf", 3) == 0)
		x.p += 3;
	while (x.p < x.end) {
		if (*x.p != '<') {
			const char *start = x.p;
			while (x.p < x.end && *x.p != '<')
				x.p++;
			if (depth > 0)
				append_decoded(&stack[depth - 1].text, start, (size_t)(x.p - start), 0);
			else {
				for (; start < x.p; start++)
					if (!isspace((unsigned char)*start)) {
						x.p = start;
						xml_fail(&x, "text outside the root element");
						goto fail;
					}
			}
			continue;
		}
		if (starts(&x, "<![CDATA[")) {
			const char *start = x.p + 9;
			x.p = start;
			if (skip_past(&x, "]]>") != 0) {
				xml_fail(&x, "unfinished CDATA section");
				goto fail;
			}
			if (depth == 0) {
				xml_fail(&x, "CDATA outside the root element");
				goto fail;
			}
			buf_append(&stack[depth - 1].text, start, (size_t)(x.p - 3 - start));
		} else if (starts(&x, "<!--")) {
			if (skip_past(&x, "-->") != 0) {
				xml_fail(&x, "unfinished comment");
				goto fail;
			}
		} else if (starts(&x, "<?")) {
			if (skip_past(&x, "?>") != 0) {
				xml_fail(&x, "unfinished processing instruction");
				goto fail;
			}
		} else if (starts(&x, "<!")) {
			/* A DOCTYPE: skipped whole, internal subset included, never read. */
			int nest = 0;
			for (x.p += 2; x.p < x.end && (*x.p != '>' || nest > 0); x.p++)
				nest += *x.p == '[' ? 1 : *x.p == ']' ? -1 : 0;
			if (x.p >= x.end) {
				xml_fail(&x, "unfinished declaration");
				goto fail;
			}
			x.p++;
		} else if (starts(&x, "</")) {
			const char *name;
			x.p += 2;
			if ((name = read_name(&x)) == NULL || depth == 0 ||
			    strcmp(name, stack[depth - 1].node->name) != 0) {
				xml_fail(&x, depth == 0 ? "end tag without a start" :
					 "end tag does not match the open element");
				goto fail;
			}
			skip_space(&x);
			if (x.p >= x.end || *x.p != '>') {
				xml_fail(&x, "unfinished end tag");
				goto fail;
			}
			x.p++;
			close_frame(&x, &stack[--depth]);
		} else {
			struct xml_node *n = arena_zalloc(a, sizeof(*n));
			int empty;
			x.p++;
			if ((n->name = read_name(&x)) == NULL) {
				xml_fail(&x, "bad tag");
				goto fail;
			}
			if (read_attrs(&x, n, &empty) != 0)
				goto fail;
			if (depth == 0) {
				if (root != NULL) {
					xml_fail(&x, "more than one root element");
					goto fail;
				}
				root = n;
			} else {
				struct xml_node *parent = stack[depth - 1].node;
				if (parent->last_child)
					parent->last_child->next = n;
				else
					parent->children = n;
				parent->last_child = n;
			}
			if (empty) {
				n->text = "";
				continue;
			}
			if (depth == XML_MAX_DEPTH) {
				xml_fail(&x, "elements nest too deeply");
				goto fail;
			}
			stack[depth].node = n;
			buf_init(&stack[depth].text);
			depth++;
		}
	}
	if (depth > 0) {
		xml_fail(&x, "the document ends inside an element");
		goto fail;
	}
	if (root == NULL) {
		xml_fail(&x, "no root element");
		return NULL;
	}
	return root;
fail:
	for (i = 0; i < depth; i++)
		buf_free(&stack[i].text);
	return NULL;
}

const struct xml_node *
xml_child(const struct xml_node *n, const char *name)
{
	const struct xml_node *c;

	for (c = n ? n->children : NULL; c != NULL; c = c->next)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

const char *
xml_text(struct arena *a, const struct xml_node *n)
{
	const char *s = n->text;
	size_t len = n->text_len;

	while (len > 0 && isspace((unsigned char)*s)) {
		s++;
		len--;
	}
	while (len > 0 && isspace((unsigned char)s[len - 1]))
		len--;
	return arena_strndup(a, s, len);
}

const char *
xml_child_text(struct arena *a, const struct xml_node *n, const char *name)
{
	const struct xml_node *c = xml_child(n, name);

	return c == NULL ? "" : xml_text(a, c);
}

const char *
xml_attr(const struct xml_node *n, const char *name)
{
	size_t i;

	for (i = 0; i < n->nattrs; i++)
		if (strcmp(n->attrs[i].name, name) == 0)
			return n->attrs[i].value;
	return NULL;
}

/* ------------------------------------------------------------ HTML to Markdown */

enum md_kind { MD_ROOT, MD_QUOTE, MD_ITEM, MD_LINK, MD_HEADING };

/* An open element whose Markdown is written when it closes. */
struct md_frame {
	enum md_kind kind;
	struct buf out;
	const char *href;       /* MD_LINK */
	int level;              /* MD_HEADING */
	const char *marker;     /* MD_ITEM: "- " or "3. " */
};

#define MD_MAX_DEPTH 32
#define MD_MAX_LISTS 16

struct md {
	struct arena *a;
	struct md_frame frames[MD_MAX_DEPTH];
	size_t nframes;
	struct { int ordered, counter; } lists[MD_MAX_LISTS];
	size_t nlists;
	int in_pre, in_code;
	const char *skip_until;  /* inside script or style: the end tag to wait for */
};

static struct buf *
md_out(struct md *m)
{
	return &m->frames[m->nframes - 1].out;
}

/* End the current line, if one is open. */
static void
md_newline(struct md *m)
{
	struct buf *b = md_out(m);

	if (b->len > 0 && b->data[b->len - 1] != '\n')
		buf_putc(b, '\n');
}

/* Start a new block: a blank line unless at the start. */
static void
md_block(struct md *m)
{
	struct buf *b = md_out(m);

	if (b->len == 0)
		return;
	md_newline(m);
	if (b->len >= 2 && b->data[b->len - 2] == '\n')
		return;
	buf_putc(b, '\n');
}

static int
at_line_start(const struct buf *b)
{
	return b->len == 0 || b->data[b->len - 1] == '\n';
}

/* Text of the document: escaped for Markdown, or raw inside code. */
static void
md_text(struct md *m, const char *s, size_t len)
{
	struct buf *b = md_out(m);
	struct buf dec = BUF_INIT;
	size_t i;

	append_decoded(&dec, s, len, 1);
	/* White space between block tags (list items, paragraphs) is not text. */
	if (!m->in_pre && at_line_start(b) && dec.len == strspn(dec.data ? dec.data : "", " \t\r\n")) {
		buf_free(&dec);
		return;
	}
	for (i = 0; i < dec.len; i++) {
		char ch = dec.data[i];
		if (m->in_pre) {
			buf_putc(b, ch);
			continue;
		}
		if (ch == '\t' || ch == '\r')
			ch = ' ';
		if (m->in_code) {
			buf_putc(b, ch == '\n' ? ' ' : ch);
			continue;
		}
		if (ch == ' ' && at_line_start(b))
			continue;       /* leading spaces would make code blocks */
		if (ch == '\n') {
			/* Blank lines in WordPress text are paragraph breaks. */
			if (b->len >= 2 && b->data[b->len - 1] == '\n' && b->data[b->len - 2] == '\n')
				continue;
			while (b->len > 0 && b->data[b->len - 1] == ' ')
				b->len--;
			buf_putc(b, '\n');
			continue;
		}
		if (strchr("\\`*_[]<>", ch) != NULL ||
		    (ch == '&' && i + 1 < dec.len && (isalnum((unsigned char)dec.data[i + 1]) ||
						      dec.data[i + 1] == '#')) ||
		    (at_line_start(b) && strchr("#-+=|~", ch) != NULL) ||
		    (ch == '.' && i > 0 && isdigit((unsigned char)dec.data[i - 1]) &&
		     b->len > 0 && isdigit((unsigned char)b->data[b->len - 1]) &&
		     (i + 1 >= dec.len || dec.data[i + 1] == ' ')))
			buf_putc(b, '\\');
		buf_putc(b, ch);
	}
	buf_free(&dec);
}

static int
md_push(struct md *m, enum md_kind kind)
{
	if (m->nframes == MD_MAX_DEPTH)
		return -1;
	memset(&m->frames[m->nframes], 0, sizeof(m->frames[0]));
	m->frames[m->nframes].kind = kind;
	m->nframes++;
	return 0;
}

/* The frame's text without blank lines around it, in the arena. */
static char *
frame_text(struct md *m, struct md_frame *f, size_t *len)
{
	const char *s = f->out.data ? f->out.data : "";
	size_t n = f->out.len;

	while (n > 0 && (*s == '\n' || *s == ' ')) {
		s++;
		n--;
	}
	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == ' '))
		n--;
	*len = n;
	return arena_strndup(m->a, s, n);
}

/* Append each line of text to the current frame with a prefix (the first line's may differ). */
static void
md_prefixed(struct md *m, const char *text, size_t len, const char *first, const char *rest)
{
	struct buf *b = md_out(m);
	size_t i = 0;
	int line = 0;

	while (i <= len) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - text) : len;
		const char *prefix = line == 0 ? first : rest;
		if (end > i || line == 0)
			buf_puts(b, prefix);
		else
			buf_append(b, prefix, strcspn(prefix, " "));   /* "> " on a blank line is ">" */
		buf_append(b, text + i, end - i);
		buf_putc(b, '\n');
		line++;
		if (nl == NULL)
			break;
		i = end + 1;
	}
}

/* Close the innermost frame of kind, writing its Markdown into the one below. */
static void
md_pop(struct md *m, enum md_kind kind)
{
	struct md_frame *f;
	size_t len, k;
	char *text;

	if (m->nframes <= 1 || m->frames[m->nframes - 1].kind != kind)
		return;
	f = &m->frames[--m->nframes];
	text = frame_text(m, f, &len);
	buf_free(&f->out);
	switch (kind) {
	case MD_QUOTE:
		md_block(m);
		md_prefixed(m, text, len, "> ", "> ");
		md_block(m);
		break;
	case MD_ITEM: {
		char indent[16];
		size_t n = strlen(f->marker);
		memset(indent, ' ', n);
		indent[n] = '\0';
		md_newline(m);
		md_prefixed(m, text, len, f->marker, indent);
		break;
	}
	case MD_LINK:
		for (k = 0; k < len; k++)
			if (text[k] == '\n')
				text[k] = ' ';
		if (f->href == NULL)
			buf_append(md_out(m), text, len);
		else {
			buf_putc(md_out(m), '[');
			if (len == 0)
				md_text(m, f->href, strlen(f->href));
			else
				buf_append(md_out(m), text, len);
			buf_puts(md_out(m), "](");
			buf_puts(md_out(m), f->href);
			buf_putc(md_out(m), ')');
		}
		break;
	case MD_HEADING:
		for (k = 0; k < len; k++)
			if (text[k] == '\n')
				text[k] = ' ';
		md_block(m);
		for (k = 0; k < (size_t)f->level; k++)
			buf_putc(md_out(m), '#');
		buf_putc(md_out(m), ' ');
		buf_append(md_out(m), text, len);
		md_block(m);
		break;
	case MD_ROOT:
		break;
	}
}

/* A URL fit for a Markdown link: http(s), mailto or relative; percent-escaped. NULL when unsafe. */
static const char *
md_url(struct md *m, const char *raw)
{
	struct buf dec = BUF_INIT, out = BUF_INIT;
	const char *colon, *slash, *url;
	size_t i;

	if (raw == NULL)
		return NULL;
	append_decoded(&dec, raw, strlen(raw), 1);
	url = dec.data ? dec.data : "";
	while (*url == ' ')
		url++;
	colon = strchr(url, ':');
	slash = strpbrk(url, "/?#");
	if (*url == '\0' || (colon != NULL && (slash == NULL || colon < slash) &&
	    strncasecmp(url, "http:", 5) != 0 && strncasecmp(url, "https:", 6) != 0 &&
	    strncasecmp(url, "mailto:", 7) != 0)) {
		buf_free(&dec);
		return NULL;
	}
	for (i = 0; url[i] != '\0'; i++) {
		unsigned char ch = (unsigned char)url[i];
		if (ch <= 0x20 || ch == 0x7f || strchr("()<>\"\\`", ch) != NULL)
			buf_printf(&out, "%%%02X", ch);
		else
			buf_putc(&out, (char)ch);
	}
	url = arena_strndup(m->a, out.data ? out.data : "", out.len);
	buf_free(&dec);
	buf_free(&out);
	return url;
}

/* The value of attribute name in a tag's attribute text, in the arena; NULL when absent. */
static const char *
tag_attr(struct md *m, const char *s, size_t len, const char *name)
{
	size_t i = 0, n = strlen(name);

	while (i < len) {
		size_t start;
		while (i < len && (isspace((unsigned char)s[i]) || s[i] == '/'))
			i++;
		start = i;
		while (i < len && !isspace((unsigned char)s[i]) && s[i] != '=' && s[i] != '/')
			i++;
		{
			int match = i - start == n && strncasecmp(s + start, name, n) == 0;
			size_t vstart, vend;
			while (i < len && isspace((unsigned char)s[i]))
				i++;
			if (i >= len || s[i] != '=') {
				if (match)
					return "";
				continue;
			}
			i++;
			while (i < len && isspace((unsigned char)s[i]))
				i++;
			if (i < len && (s[i] == '"' || s[i] == '\'')) {
				char q = s[i++];
				vstart = i;
				while (i < len && s[i] != q)
					i++;
				vend = i;
				if (i < len)
					i++;
			} else {
				vstart = i;
				while (i < len && !isspace((unsigned char)s[i]))
					i++;
				vend = i;
			}
			if (match)
				return arena_strndup(m->a, s + vstart, vend - vstart);
		}
	}
	return NULL;
}

/* Act on one tag: name lower-cased, attrs its raw attribute text. */
static void
md_tag(struct md *m, const char *name, int closing, const char *attrs, size_t alen)
{
	struct buf *b;

	if (m->skip_until != NULL) {
		if (closing && strcmp(name, m->skip_until) == 0)
			m->skip_until = NULL;
		return;
	}
	b = md_out(m);
	if (!closing && (strcmp(name, "script") == 0 || strcmp(name, "style") == 0 ||
	    strcmp(name, "iframe") == 0 || strcmp(name, "object") == 0 ||
	    strcmp(name, "noscript") == 0)) {
		m->skip_until = arena_strdup(m->a, name);
		return;
	}
	if (strcmp(name, "p") == 0 || strcmp(name, "div") == 0 || strcmp(name, "figure") == 0 ||
	    strcmp(name, "table") == 0 || strcmp(name, "tr") == 0) {
		md_block(m);
	} else if (strcmp(name, "br") == 0) {
		if (!at_line_start(b))
			buf_puts(b, "\\\n");
	} else if (strcmp(name, "hr") == 0) {
		md_block(m);
		buf_puts(b, "* * *");
		md_block(m);
	} else if (strcmp(name, "em") == 0 || strcmp(name, "i") == 0 ||
		   strcmp(name, "cite") == 0) {
		buf_putc(b, '*');
	} else if (strcmp(name, "strong") == 0 || strcmp(name, "b") == 0) {
		buf_puts(b, "**");
	} else if (strcmp(name, "code") == 0 && !m->in_pre) {
		buf_putc(b, '`');
		m->in_code = !closing;
	} else if (strcmp(name, "pre") == 0) {
		md_block(m);
		if (!closing) {
			buf_puts(b, "```\n");
			m->in_pre = 1;
		} else if (m->in_pre) {
			md_newline(m);
			buf_puts(b, "```");
			md_block(m);
			m->in_pre = 0;
		}
	} else if (strcmp(name, "blockquote") == 0) {
		if (closing)
			md_pop(m, MD_QUOTE);
		else {
			md_block(m);
			md_push(m, MD_QUOTE);
		}
	} else if (strcmp(name, "a") == 0) {
		if (closing)
			md_pop(m, MD_LINK);
		else if (md_push(m, MD_LINK) == 0)
			m->frames[m->nframes - 1].href = md_url(m, tag_attr(m, attrs, alen, "href"));
	} else if (name[0] == 'h' && name[1] >= '1' && name[1] <= '6' && name[2] == '\0') {
		if (closing)
			md_pop(m, MD_HEADING);
		else if (md_push(m, MD_HEADING) == 0)
			m->frames[m->nframes - 1].level = name[1] - '0';
	} else if (strcmp(name, "ul") == 0 || strcmp(name, "ol") == 0) {
		if (!closing) {
			if (m->nlists == 0)
				md_block(m);
			else
				md_newline(m);
			if (m->nlists < MD_MAX_LISTS) {
				m->lists[m->nlists].ordered = name[0] == 'o';
				m->lists[m->nlists].counter = 0;
			}
			m->nlists++;
		} else if (m->nlists > 0) {
			if (m->frames[m->nframes - 1].kind == MD_ITEM)
				md_pop(m, MD_ITEM);
			m->nlists--;
			if (m->nlists == 0)
				md_block(m);
		}
	} else if (strcmp(name, "li") == 0) {
		/* An open item ends where the next begins (</li> is optional in HTML). */
		if (m->frames[m->nframes - 1].kind == MD_ITEM)
			md_pop(m, MD_ITEM);
		if (!closing && md_push(m, MD_ITEM) == 0) {
			size_t l = m->nlists ? (m->nlists > MD_MAX_LISTS ? MD_MAX_LISTS : m->nlists) - 1 : 0;
			int ordered = m->nlists ? m->lists[l].ordered : 0;
			int n = m->nlists ? ++m->lists[l].counter : 1;
			m->frames[m->nframes - 1].marker = ordered ?
			    arena_printf(m->a, "%d. ", n) : "- ";
		}
	} else if (strcmp(name, "img") == 0 && !closing) {
		const char *src = md_url(m, tag_attr(m, attrs, alen, "src"));
		const char *alt = tag_attr(m, attrs, alen, "alt");
		if (src != NULL && strncasecmp(src, "mailto:", 7) != 0) {
			buf_puts(b, "![");
			if (alt != NULL)
				md_text(m, alt, strlen(alt));
			buf_puts(b, "](");
			buf_puts(md_out(m), src);
			buf_putc(md_out(m), ')');
		}
	}
	/* Any other tag is dropped; its text stays. */
}

char *
wxr_html_to_markdown(struct arena *a, const char *html, size_t len)
{
	struct md m;
	size_t i = 0, run = 0, n;
	char *out;

	memset(&m, 0, sizeof(m));
	m.a = a;
	md_push(&m, MD_ROOT);
	while (i < len) {
		if (html[i] != '<') {
			i++;
			continue;
		}
		/* Text up to here. */
		if (i > run && m.skip_until == NULL)
			md_text(&m, html + run, i - run);
		if (i + 3 < len && memcmp(html + i, "<!--", 4) == 0) {
			const char *end = memmem(html + i + 4, len - i - 4, "-->", 3);
			i = end ? (size_t)(end - html) + 3 : len;
			run = i;
			continue;
		}
		{
			size_t j = i + 1, nstart, nend;
			int closing = 0;
			char name[16];
			if (j < len && html[j] == '/') {
				closing = 1;
				j++;
			}
			nstart = j;
			while (j < len && isalnum((unsigned char)html[j]))
				j++;
			nend = j;
			if (nend == nstart || !isalpha((unsigned char)html[nstart])) {
				/* Not a tag: a lone '<' is text. */
				run = i;
				i++;
				if (m.skip_until == NULL)
					md_text(&m, "<", 1);
				run = i;
				continue;
			}
			while (j < len && html[j] != '>') {
				if (html[j] == '"' || html[j] == '\'') {
					const char *q = memchr(html + j + 1, html[j], len - j - 1);
					j = q ? (size_t)(q - html) : len;
				}
				if (j < len)
					j++;
			}
			n = nend - nstart < sizeof(name) - 1 ? nend - nstart : sizeof(name) - 1;
			for (size_t k = 0; k < n; k++)
				name[k] = (char)tolower((unsigned char)html[nstart + k]);
			name[n] = '\0';
			md_tag(&m, name, closing, html + nend, (j < len ? j : len) - nend);
			i = j < len ? j + 1 : len;
			run = i;
		}
	}
	if (i > run && m.skip_until == NULL)
		md_text(&m, html + run, i - run);
	/* Close whatever the HTML left open. */
	while (m.nframes > 1)
		md_pop(&m, m.frames[m.nframes - 1].kind);
	{
		size_t tlen;
		out = frame_text(&m, &m.frames[0], &tlen);
	}
	buf_free(&m.frames[0].out);
	return out;
}
