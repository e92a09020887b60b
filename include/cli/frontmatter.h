/* frontmatter.h: the front-matter block of a post file (SPEC.md "Command line"). */
#ifndef PARLEY_FRONTMATTER_H
#define PARLEY_FRONTMATTER_H

#include <stddef.h>
#include <time.h>

#include "arena.h"

/* What a post file says; strings live in the arena. */
struct frontmatter {
	const char *title;
	const char *slug;           /* as given, or slugify(title) */
	const char *author;         /* "" when absent */
	time_t date;                /* 0 when absent */
	int draft;                  /* false unless "draft: true" */
	int comments_open;          /* open unless "comments: closed" */
	const char **tags;          /* names as written, trimmed, empties dropped */
	size_t ntags;
	const char *body;           /* the Markdown after the closing ---, NUL-terminated */
	size_t body_len;
};

/*
 * Parse a whole post file: a "---" line, "key: value" lines (title, slug,
 * date, author, tags, draft, comments), a "---" line, then the body.  The
 * text must be UTF-8 without NUL or control bytes.  file names the file
 * in messages.  Returns 0, or -1 with "FILE:LINE: what" in err.
 */
int frontmatter_parse(struct arena *a, const char *file, const char *text, size_t len,
		      struct frontmatter *out, char *err, size_t errlen);

#endif
