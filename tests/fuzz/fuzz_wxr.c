/* fuzz_wxr.c: libFuzzer target for import-wordpress's readers: the streaming WXR reader and HTML to Markdown. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"
#include "wxr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Visit every item as the importer does: every field is acceptable text. */
static int
visit(void *ctx, const struct wxr_site *site, const struct wxr_item *it)
{
	struct arena *a = ctx;
	struct wxr_convert conv;
	const char *md;
	size_t i;

	(void)site;
	if (!utf8_valid_text(it->title, strlen(it->title)) ||
	    !utf8_valid_text(it->content, strlen(it->content)))
		abort();
	for (i = 0; i < it->ncomments; i++)
		if (!utf8_valid_text(it->comments[i].content, strlen(it->comments[i].content)) ||
		    !utf8_valid_text(it->comments[i].author, strlen(it->comments[i].author)))
			abort();
	memset(&conv, 0, sizeof(conv));
	conv.shortcodes = 1;
	md = wxr_html_to_markdown(a, it->content, strlen(it->content), &conv);
	if (!utf8_valid_text(md, strlen(md)))
		abort();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wxr_convert conv;
	struct arena a;
	char err[512], *md;

	arena_init(&a);
	err[0] = '\0';
	if (wxr_read_memory((const char *)data, size, visit, &a, err, sizeof(err)) < 0 &&
	    err[0] == '\0')
		abort();        /* a failure always says why */
	/* Any bytes as post HTML, shortcodes included: acceptable text comes out. */
	memset(&conv, 0, sizeof(conv));
	conv.shortcodes = 1;
	md = wxr_html_to_markdown(&a, (const char *)data, size, &conv);
	if (md == NULL || !utf8_valid_text(md, strlen(md)))
		abort();
	arena_free(&a);
	return 0;
}
