/* site.h: the public blog's pages, shared between its handler files. */
#ifndef PARLEY_SITE_H
#define PARLEY_SITE_H

#include "http.h"
#include "mustache.h"

/* Route flags of the public site. */
enum site_route_flag {
	SITE_CACHEABLE = 1 << 0,   /* GET page validated by the site generation (ETag/304) */
};

/* The program's description for the accept loop (cgi/blog.c serves it). */
extern const struct app site_app;

/*
 * A page context with what every page shows (site title, base URL, mount,
 * year...), in the request arena.  Handlers add their own keys.
 */
struct mu_map *site_context(struct req *r, const char *page_title);

/*
 * Render template name with ctx into r->body as the response (text/html
 * unless content_type is set).  Returns status, for `return site_render(...)`.
 */
int site_render(struct req *r, const char *name, struct mu_map *ctx, int status);

/*
 * Answer 304 when the request's validator matches the page's: the ETag is
 * derived from the site generation, the path and query, and extra (state
 * that changes the page for this visitor, or ""). Returns 1 for 304.
 */
int site_not_modified(struct req *r, const char *extra);

/* Handlers, one file per page family. */
int site_index(struct req *r);
int site_page(struct req *r);
int site_post(struct req *r);
int site_tag(struct req *r);
int site_search(struct req *r);
int site_feed(struct req *r);
int site_sitemap(struct req *r);
int site_comment_feed(struct req *r);
int site_comment_post(struct req *r);

#endif
