/* fuzz_markdown.c: libFuzzer target: comment Markdown must never yield live markup. */
#include <ctype.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "render.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
allowed(const char *name, size_t len, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strlen(*list) == len && strncasecmp(*list, name, len) == 0)
			return 1;
	return 0;
}

/*
 * What a browser takes an attribute value to be for its scheme: character
 * references decoded, tabs, newlines and other controls dropped, lower case.
 * At most outlen - 1 bytes of it.
 */
static void
url_as_browser_reads(const char *v, size_t len, char *out, size_t outlen)
{
	size_t i = 0, o = 0;

	while (i < len && o + 1 < outlen) {
		unsigned long c = (unsigned char)v[i];
		if (c == '&') {
			size_t j = i + 1;
			if (j < len && v[j] == '#') {
				int hex = j + 1 < len && (v[j + 1] == 'x' || v[j + 1] == 'X');
				c = strtoul(v + j + 1 + hex, NULL, hex ? 16 : 10);
			} else if (strncasecmp(v + j, "colon;", 6) == 0) {
				c = ':';
			} else if (strncasecmp(v + j, "amp;", 4) == 0) {
				c = '&';
			} else if (strncasecmp(v + j, "tab;", 4) == 0 ||
				   strncasecmp(v + j, "newline;", 8) == 0) {
				c = '\t';
			}
			while (i < len && v[i] != ';')
				i++;
		}
		i++;
		if (c <= 0x20 || c == 0x7f)
			continue;
		out[o++] = (char)tolower((int)(c & 0x7f));
	}
	out[o] = '\0';
}

/*
 * The live-markup oracle.  No "<script" anywhere (text is escaped, so it
 * could only be a tag); every tag one cmark writes, with only cmark's
 * attributes (so no on*= handler); no href or src that a browser would read
 * as javascript:, vbscript: or a data: URL other than an image.
 */
static void
check_html(const char *html)
{
	static const char *const tags[] = { "p", "a", "em", "strong", "code", "pre",
		"blockquote", "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
		"br", "img", NULL };
	static const char *const attrs[] = { "href", "rel", "src", "alt", "title",
		"start", "class", NULL };
	const char *p = html;

	if (strcasestr(html, "<script") != NULL)
		abort();
	while ((p = strchr(p, '<')) != NULL) {
		const char *end = strchr(p, '>'), *q = p + 1, *name;

		if (end == NULL)
			abort();   /* cmark escapes every stray '<' */
		if (strncmp(q, "!-- raw HTML omitted --", 23) == 0) {
			p = end + 1;
			continue;
		}
		if (*q == '/')
			q++;
		for (name = q; isalnum((unsigned char)*q); q++)
			;
		if (!allowed(name, (size_t)(q - name), tags))
			abort();
		while (q < end) {
			const char *an, *value, *close;
			size_t alen;
			char url[64];

			while (*q == ' ' || *q == '/')
				q++;
			if (q >= end)
				break;
			for (an = q; isalpha((unsigned char)*q); q++)
				;
			alen = (size_t)(q - an);
			if (alen >= 2 && strncasecmp(an, "on", 2) == 0)
				abort();   /* an event handler */
			if (!allowed(an, alen, attrs) || *q != '=' || q[1] != '"')
				abort();
			value = q + 2;
			if ((close = strchr(value, '"')) == NULL || close > end)
				abort();
			if ((alen == 4 && strncasecmp(an, "href", 4) == 0) ||
			    (alen == 3 && strncasecmp(an, "src", 3) == 0)) {
				url_as_browser_reads(value, (size_t)(close - value), url, sizeof(url));
				if (strncmp(url, "javascript:", 11) == 0 ||
				    strncmp(url, "vbscript:", 9) == 0 ||
				    (strncmp(url, "data:", 5) == 0 && strncmp(url, "data:image/", 11) != 0))
					abort();
			}
			q = close + 1;
		}
		p = end + 1;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *html = markdown_to_html((const char *)data, size, MARKDOWN_COMMENT);
	char *text = markdown_to_text((const char *)data, size);

	check_html(html);
	(void)utf8_valid_text((const char *)data, size);
	free(html);
	free(text);
	return 0;
}
