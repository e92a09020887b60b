/* wxr-markdown.c: the Markdown writer wxr-html.c's walk of WordPress HTML writes through. */
#include "wxr-markdown.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

/* Escape what Markdown would read as syntax inside running text. */
void
md_put_text_char(struct md *m, const char *s, size_t i)
{
	char c = s[i];

	if (!m->code && strchr("\\`*_[]<>", c) != NULL)
		buf_putc(&m->para, '\\');
	else if (!m->code && c == '&' && (isalpha((unsigned char)s[i + 1]) || s[i + 1] == '#'))
		buf_putc(&m->para, '\\');
	buf_putc(&m->para, c);
}

int
md_para_ends_blank(const struct md *m)
{
	return m->para.len == 0 || m->para.data[m->para.len - 1] == ' ' ||
	    m->para.data[m->para.len - 1] == MD_BREAK;
}

void
md_line_break(struct md *m)
{
	while (m->para.len > 0 && m->para.data[m->para.len - 1] == ' ')
		m->para.len--;
	if (m->para.len == 0)
		return;
	if (m->para.data[m->para.len - 1] == MD_BREAK) {
		md_flush(m);
		return;
	}
	buf_putc(&m->para, MD_BREAK);
}

/*
 * Running text.  White space collapses as HTML's does, except that
 * WordPress stores paragraphs as blank lines and line breaks as newlines
 * (wpautop), and those are kept.
 */
void
md_text(struct md *m, const char *s)
{
	size_t i, newlines;

	if (m->pre) {
		buf_puts(&m->para, s);
		return;
	}
	for (i = 0; s[i]; ) {
		if (!isspace((unsigned char)s[i])) {
			md_put_text_char(m, s, i);
			i++;
			continue;
		}
		for (newlines = 0; isspace((unsigned char)s[i]); i++)
			newlines += s[i] == '\n';
		if (m->code || m->cell || newlines == 0) {
			if (!md_para_ends_blank(m))
				buf_putc(&m->para, ' ');
		} else if (newlines == 1)
			md_line_break(m);
		else
			md_flush(m);
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

void
md_put_prefix(struct md *m, int first, int blank)
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
void
md_write_block(struct md *m, const char *s, size_t len, int raw)
{
	size_t i = 0, start, end, esc;
	int first = 1;

	/* Blocks are separated by a blank line; inside a list item they follow tightly. */
	if (m->out.len > 0 && !m->in_item && !m->separated) {
		md_put_prefix(m, 0, 1);
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
			md_put_prefix(m, first, 0);
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

void
md_flush(struct md *m)
{
	size_t start = 0, end = m->para.len;

	m->flushes++;
	while (start < end && (m->para.data[start] == ' ' || m->para.data[start] == MD_BREAK))
		start++;
	while (end > start && (m->para.data[end - 1] == ' ' || m->para.data[end - 1] == MD_BREAK))
		end--;
	if (end > start)
		md_write_block(m, m->para.data + start, end - start, 0);
	buf_reset(&m->para);
}

/* Insert s into para at offset at. */
void
md_para_insert(struct md *m, size_t at, const char *s)
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
void
md_wrap(struct md *m, size_t at, unsigned long flushes, const char *open, const char *close)
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
	md_para_insert(m, end, close);
	md_para_insert(m, start, open);
}

/* An address kept as a link or image: http(s), mailto (links only) or relative. */
int
md_safe_url(const char *u, int image)
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
void
md_put_url(struct buf *b, const char *u)
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
