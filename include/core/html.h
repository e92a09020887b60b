/* html.h: a value that is HTML parley produced, so trust travels with the value. */
#ifndef PARLEY_HTML_H
#define PARLEY_HTML_H

#include <stddef.h>

/*
 * HTML the engine produced: cmark's output (safe mode for comments, and for
 * posts unless allow_raw_html), text parley escaped itself, markup it wrote
 * (search snippets).  Templates insert such a value as it is, however they
 * write it; every plain string is escaped.  NUL-terminated; s is NULL when
 * there is none (a list that did not load bodies).  It does not own s.
 */
struct html {
	const char *s;
};

/*
 * The one way to say "this is HTML parley produced": used where it is made
 * (render/markdown.c, render/escape.c, the site's snippets) and where the
 * store hands back a column it was given as struct html.
 */
static inline struct html
html_trust(const char *s)
{
	struct html h = { s };
	return h;
}

#endif
