/* escape.c: the one path from text to HTML and XML. */
#include "render.h"

#include <string.h>

void
html_escape(struct buf *out, const char *s, size_t len)
{
	size_t i, run = 0;
	const char *rep;

	buf_reserve(out, len);
	for (i = 0; i < len; i++) {
		switch (s[i]) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default: continue;
		}
		buf_append(out, s + run, i - run);
		buf_puts(out, rep);
		run = i + 1;
	}
	buf_append(out, s + run, len - run);
}

struct html
html_escaped(struct arena *a, const char *s, size_t len)
{
	struct buf out = BUF_INIT;
	const char *copy;

	html_escape(&out, s, len);
	copy = arena_strndup(a, out.data ? out.data : "", out.len);
	buf_free(&out);
	return html_trust(copy);
}
