/* site-post.c: one post's page, /posts/SLUG, with the comment thread and form below it. */
#include "site.h"

#include "posts.h"
#include "text.h"

int
site_post_page(struct req *r, const struct post *p,
	       const struct comment_form_state *form, int status)
{
	struct mu_map *ctx = site_context(r, status >= 400 ?
	    arena_printf(r->arena, "Error: %s", p->title) : p->title);
	int rc;

	mu_set_map(ctx, "post", site_post_map(r, p));
	mu_set_str(ctx, "canonical", arena_printf(r->arena, "/posts/%s", p->slug));
	site_post_likes(r, p, ctx);
	mu_set_str(ctx, "comments_feed", arena_printf(r->arena, "/posts/%s/comments.atom",
						      p->slug));
	if ((rc = site_post_comments(r, p, form, ctx)) != 0)
		return rc;
	return site_render(r, "post", ctx, status);
}

/* GET /posts/SLUG: the published post, 404 for a draft or an unknown slug. */
int
site_post(struct site_req *site)
{
	struct req *r = site->r;
	const char *slug = r->params[0], *extra;
	struct post p;
	int rc;

	if (!slug_valid(slug))
		return 404;
	site_comment_forget(r);
	extra = site_like_etag_extra(r);
	if (*extra != '\0')
		extra = arena_printf(r->arena, "%s|%s", site_comment_etag_extra(r), extra);
	else
		extra = site_comment_etag_extra(r);
	if (site_cached_post(site, slug, extra) != 0)
		return r->status;
	rc = posts_get(r->db, r->arena, slug, 0, &p);
	if (rc == STORE_NOTFOUND)
		return 404;
	if (rc != STORE_OK)
		return 500;
	return site_post_page(r, &p, NULL, 200);
}
