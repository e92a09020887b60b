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
 * Every tag in html must be one cmark writes, with only cmark's attributes,
 * and no link or image may point at a script-capable scheme.
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
			const char *an;
			while (*q == ' ' || *q == '/')
				q++;
			if (q >= end)
				break;
			for (an = q; isalpha((unsigned char)*q); q++)
				;
			if (!allowed(an, (size_t)(q - an), attrs) || *q != '=' || q[1] != '"')
				abort();
			q += 2;
			if (strncasecmp(q, "javascript:", 11) == 0 ||
			    strncasecmp(q, "vbscript:", 9) == 0 ||
			    (strncasecmp(q, "data:", 5) == 0 && strncasecmp(q, "data:image/", 11) != 0))
				abort();
			if ((q = strchr(q, '"')) == NULL || q > end)
				abort();
			q++;
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
