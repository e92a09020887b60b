/* site-subscribe.c: /subscribe, a page for people that explains the feeds instead of showing raw XML. */
#include "site.h"

#include "config.h"
#include "posts.h"
#include "text.h"

/*
 * GET /subscribe[?post=SLUG]: what a feed is, the site's feed address to
 * copy into a reader, and with post, that post's comment feed too (404 for
 * an unknown or draft post).
 */
int
site_subscribe(struct site_req *site)
{
	struct req *r = site->r;
	const char *slug = req_query(r, "post");
	struct mu_map *ctx;
	struct post p;
	int rc;

	if (slug != NULL && !slug_valid(slug))
		return 404;
	if (site_cached(site, "") != 0)
		return r->status;
	ctx = site_context(r, "Subscribe");
	mu_set_bool(ctx, "nav_subscribe", 1);
	mu_set_str(ctx, "canonical", "/subscribe");
	mu_set_str(ctx, "feed_url", arena_printf(r->arena, "%s/feed.atom", r->cfg->base_url));
	if (slug != NULL) {
		rc = posts_get(r->db, r->arena, slug, 0, &p);
		if (rc == STORE_NOTFOUND)
			return 404;
		if (rc != STORE_OK)
			return 500;
		mu_set_str(ctx, "post_title", p.title);
		mu_set_str(ctx, "post_href", arena_printf(r->arena, "%s/posts/%s", r->cfg->mount,
							  p.slug));
		mu_set_str(ctx, "comments_feed_url", arena_printf(r->arena,
			   "%s/posts/%s/comments.atom", r->cfg->base_url, p.slug));
	}
	return site_render(r, "subscribe", ctx, 200);
}
