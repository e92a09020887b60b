/* site-index.c: the front page and its older pages, /page/N. */
#include "site.h"

#include "config.h"
#include "posts.h"

/*
 * Page page of the newest published posts.  Returns 200, 404 past the end
 * (page 1 of an empty site is a page saying so) or 500 when the store fails.
 */
static int
index_render(struct req *r, int page)
{
	struct post_list list;
	struct mu_map *ctx;
	int rc;

	rc = posts_page(r->db, r->arena, NULL, page, r->cfg->posts_per_page, &list);
	if (rc != STORE_OK)
		return 500;
	if (list.len == 0 && page > 1)
		return 404;
	ctx = site_context(r, page > 1 ? arena_printf(r->arena, "Page %d", page) : NULL);
	mu_set_bool(ctx, "nav_home", page == 1);
	mu_set_str(ctx, "canonical", page > 1 ? arena_printf(r->arena, "/page/%d", page) : "/");
	mu_set_list(ctx, "posts", site_post_list(r, &list));
	site_pager(r, ctx, "/", "/page/", page, list.has_more);
	return site_render(r, "index", ctx, 200);
}

int
site_index(struct site_req *site)
{
	struct req *r = site->r;
	int status = site_old_query(r);

	if (status != 0)
		return status;
	if (site_cached(site, "") != 0)
		return r->status;
	return index_render(r, 1);
}

/* GET /page/N: N >= 2; /page/1 is the front page (303 there); others 404. */
int
site_page(struct site_req *site)
{
	struct req *r = site->r;
	int page = site_page_number(r->params[0]);

	if (page < 1)
		return 404;
	if (page == 1)
		return resp_redirect(r, 303, "/");
	if (site_cached(site, "") != 0)
		return r->status;
	return index_render(r, page);
}
