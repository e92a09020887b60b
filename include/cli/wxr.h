/* wxr.h: what `parley import-wordpress` reads with: a small XML reader for WXR, and HTML to Markdown. */
#ifndef PARLEY_WXR_H
#define PARLEY_WXR_H

#include <stddef.h>

#include "arena.h"

struct xml_attr {
	const char *name;
	const char *value;       /* entities decoded */
};

/*
 * An element.  Names keep their prefix as written ("wp:comment"): WXR
 * always uses the same prefixes, so namespaces are not resolved.  text is
 * the character data directly inside the element (CDATA sections included,
 * entities decoded), concatenated; children are in document order.
 */
struct xml_node {
	const char *name;
	struct xml_attr *attrs;
	size_t nattrs;
	const char *text;
	size_t text_len;
	struct xml_node *children;
	struct xml_node *last_child;
	struct xml_node *next;
};

/* Nesting deeper than this is refused (a WXR file needs about 5 levels). */
#define XML_MAX_DEPTH 64

/*
 * Parse a whole document held in memory into a tree in the arena; returns
 * the root element, or NULL with "line N: what" in err.  No DTD is read
 * and no entity but the five predefined ones and character references is
 * expanded, so a hostile file cannot make it grow; depth is bounded.
 */
struct xml_node *xml_parse(struct arena *a, const char *src, size_t len, char *err,
			   size_t errlen);
/* The first child named name, or NULL. */
const struct xml_node *xml_child(const struct xml_node *n, const char *name);
/* An element's text, trimmed of white space, in the arena. */
const char *xml_text(struct arena *a, const struct xml_node *n);
/* The text of the first child named name, trimmed of white space; "" when absent. */
const char *xml_child_text(struct arena *a, const struct xml_node *n, const char *name);
/* An attribute's value, or NULL. */
const char *xml_attr(const struct xml_node *n, const char *name);

/*
 * Turn the HTML of a WordPress post or comment into CommonMark for safe
 * rendering: paragraphs, line breaks, emphasis, links (http, https,
 * mailto and relative only), lists, block quotes, headings, code and
 * images become their Markdown; other tags are dropped with their text
 * kept (script and style with their text); entities are decoded and
 * Markdown punctuation in text is escaped.  Returns text in the arena.
 */
char *wxr_html_to_markdown(struct arena *a, const char *html, size_t len);

#endif
