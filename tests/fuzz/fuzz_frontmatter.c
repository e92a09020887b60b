/* fuzz_frontmatter.c: libFuzzer target: any post file parses or fails with "FILE:LINE: what". */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "frontmatter.h"
#include "text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct frontmatter fm;
	struct arena a;
	char err[512];
	size_t i;

	arena_init(&a);
	err[0] = '\0';
	if (frontmatter_parse(&a, "post.md", (const char *)data, size, &fm, err,
	    sizeof(err)) == 0) {
		/* What post add stores: a title, a valid slug, real tags, a whole body. */
		if (fm.title == NULL || *fm.title == '\0' || !slug_valid(fm.slug) ||
		    fm.author == NULL || fm.body == NULL || strlen(fm.body) != fm.body_len ||
		    fm.date < 0)
			abort();
		for (i = 0; i < fm.ntags; i++)
			if (fm.tags[i] == NULL || *fm.tags[i] == '\0')
				abort();
	} else if (strncmp(err, "post.md:", 8) != 0 || strchr(err, '\n') != NULL) {
		abort();   /* every error is one "FILE:LINE: what" line */
	}
	arena_free(&a);
	return 0;
}
