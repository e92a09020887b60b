/* site-redirects.c: a WordPress import's old addresses (/YYYY/MM/DD/SLUG/, /YYYY/MM/SLUG/, /?p=ID) answer 301 to the post. */
#include "site.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "imports.h"

/* Is s exactly n digits? */
static int
digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return s[n] == '\0';
}

/* A positive decimal id, or 0. */
static int64_t
old_id(const char *s)
{
	char *end;
	long long v;

	if (s == NULL || !isdigit((unsigned char)*s))
		return 0;
	v = strtoll(s, &end, 10);
	return *end == '\0' && v > 0 ? (int64_t)v : 0;
}

/*
 * 301 to the post with slug, and to the comment ?replytocom=N names when
 * it was imported and is approved (WordPress's reply links name one).
 */
static int
moved(struct req *r, const char *slug)
{
	int64_t comment = old_id(req_query(r, "replytocom")), id;
	const char *comment_slug, *to = arena_printf(r->arena, "/posts/%s", slug);

	if (comment > 0 && imports_find_comment(r->db, r->arena, comment, &id, &comment_slug) ==
	    STORE_OK && strcmp(comment_slug, slug) == 0)
		to = arena_printf(r->arena, "/posts/%s#comment-%lld", slug, (long long)id);
	resp_header(r, "Cache-Control", "public, max-age=86400");
	return resp_redirect(r, 301, to);
}

int
site_old_link(struct site_req *site)
{
	struct req *r = site->r;
	const char *slug, *old_slug, *date;
	size_t n = r->nparams;
	int rc;

	/* The permalink exactly as the import recorded it. */
	rc = imports_find_by_path(r->db, r->arena, r->path, &slug);
	if (rc == STORE_ERR)
		return 500;
	if (rc == STORE_OK)
		return moved(r, slug);
	/* Else by its shape: year, month, (day,) slug, (comment-page-N). */
	if (n > 0 && strstr(r->path, "/comment-page-") != NULL)
		n--;            /* the page number of WordPress's paged comments */
	if (n < 3 || n > 4 || !digits(r->params[0], 4) || !digits(r->params[1], 2) ||
	    (n == 4 && !digits(r->params[2], 2)))
		return 404;
	old_slug = r->params[n - 1];
	date = n == 4 ? arena_printf(r->arena, "%s-%s-%s", r->params[0], r->params[1], r->params[2]) :
	    arena_printf(r->arena, "%s-%s", r->params[0], r->params[1]);
	rc = imports_find_by_slug(r->db, r->arena, old_slug, date, &slug);
	if (rc == STORE_ERR)
		return 500;
	return rc == STORE_OK ? moved(r, slug) : 404;
}

int
site_old_query(struct req *r)
{
	const char *p = req_query(r, "p"), *slug;
	int64_t id = old_id(p);
	int rc;

	if (p == NULL)
		return 0;
	if (id == 0)
		return 404;
	rc = imports_find_by_id(r->db, r->arena, id, &slug);
	if (rc == STORE_ERR)
		return 500;
	return rc == STORE_OK ? moved(r, slug) : 404;
}
