/* site-tags.c: every tag with its count (/tags), and the posts with one tag, /tags/TAG and /tags/TAG/page/N. */
#include "site.h"

#include "config.h"
#include "posts.h"
#include "text.h"

/*
 * GET /tags/TAG[/page/N]: that tag's published posts, newest first.  404
 * for an unknown tag, a malformed or past-the-end page; /page/1 redirects
 * (303) to the tag's first page.
 */
int
site_tag(struct site_req *site)
{
	struct req *r = site->r;
	const char *slug = r->params[0];
	struct post_list list;
	struct mu_map *ctx;
	struct tag tag;
	const char *first;
	int page = 1, rc;

	if (!slug_valid(slug))
		return 404;
	first = arena_printf(r->arena, "/tags/%s", slug);
	if (r->nparams > 1) {
		if ((page = site_page_number(r->params[1])) < 1)
			return 404;
		if (page == 1)
			return resp_redirect(r, 303, first);
	}
	if (site_cached(site, "") != 0)
		return r->status;
	rc = posts_tag(r->db, r->arena, slug, &tag);
	if (rc == STORE_NOTFOUND)
		return 404;
	if (rc != STORE_OK)
		return 500;
	if (posts_page(r->db, r->arena, slug, page, r->cfg->posts_per_page, &list) != STORE_OK)
		return 500;
	if (list.len == 0 && page > 1)
		return 404;
	ctx = site_context(r, page > 1 ?
	    arena_printf(r->arena, "Posts tagged \xe2\x80\x9c%s\xe2\x80\x9d, page %d", tag.name, page) :
	    arena_printf(r->arena, "Posts tagged \xe2\x80\x9c%s\xe2\x80\x9d", tag.name));
	mu_set_str(ctx, "tag_name", tag.name);
	mu_set_str(ctx, "tag_slug", tag.slug);
	mu_set_str(ctx, "canonical", page > 1 ?
		   arena_printf(r->arena, "%s/page/%d", first, page) : first);
	mu_set_list(ctx, "posts", site_post_list(r, &list));
	site_pager(r, ctx, first, arena_printf(r->arena, "%s/page/", first), page, list.has_more);
	return site_render(r, "index", ctx, 200);
}

/* GET /tags: every tag in use, by name, with its number of published posts. */
int
site_tags_index(struct site_req *site)
{
	struct req *r = site->r;
	struct mu_map *ctx;
	struct mu_list *tags;

	if (site_cached(site, "") != 0)
		return r->status;
	if ((tags = site_tag_counts(r)) == NULL)
		return 500;
	ctx = site_context(r, "Tags");
	mu_set_bool(ctx, "nav_tags", 1);
	mu_set_str(ctx, "canonical", "/tags");
	mu_set_list(ctx, "all_tags", tags);
	mu_set_bool(ctx, "has_all_tags", mu_list_len(tags) > 0);
	return site_render(r, "tags", ctx, 200);
}
