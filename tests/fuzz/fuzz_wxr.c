/* fuzz_wxr.c: libFuzzer target for import-wordpress's readers: the XML tree and HTML to Markdown. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "render.h"
#include "wxr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Visit every node as the importer does: names, texts, attributes; bounded depth. */
static void
walk(struct arena *a, const struct xml_node *n, int depth)
{
	const struct xml_node *c;
	size_t i;

	if (depth > XML_MAX_DEPTH || n->name == NULL || n->text == NULL)
		abort();
	(void)xml_text(a, n);
	(void)xml_child_text(a, n, "title");
	for (i = 0; i < n->nattrs; i++)
		if (xml_attr(n, n->attrs[i].name) == NULL)
			abort();
	for (c = n->children; c != NULL; c = c->next)
		walk(a, c, depth + 1);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xml_node *root;
	struct arena a;
	char err[256], *md;

	arena_init(&a);
	err[0] = '\0';
	if ((root = xml_parse(&a, (const char *)data, size, err, sizeof(err))) != NULL)
		walk(&a, root, 1);
	else if (strncmp(err, "line ", 5) != 0)
		abort();
	/* Text the importer accepts stays acceptable text once converted. */
	md = wxr_html_to_markdown(&a, (const char *)data, size);
	if (md == NULL || (utf8_valid_text((const char *)data, size) &&
	    !utf8_valid_text(md, strlen(md))))
		abort();
	arena_free(&a);
	return 0;
}
