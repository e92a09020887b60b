/* site-feeds.c: the Atom feed of the latest posts (/feed.atom) and the sitemap (/sitemap.xml). */
#include "site.h"

#include "posts.h"
#include "text.h"

#define FEED_ENTRIES 20         /* posts in /feed.atom */
#define SITEMAP_MAX 50000       /* the sitemap protocol's limit of URLs a file */

/* The newest updated_at of the list, or fallback when it is empty. */
static time_t
list_updated(const struct post_list *l, time_t fallback)
{
	time_t t = 0;
	size_t i;

	for (i = 0; i < l->len; i++) {
		if (l->items[i].updated_at > t)
			t = l->items[i].updated_at;
		if (l->items[i].published_at > t)
			t = l->items[i].published_at;
	}
	return t > 0 ? t : fallback;
}

/*
 * GET /feed.atom: Atom 1.0 with the FEED_ENTRIES newest published posts,
 * full content as escaped HTML, links absolute from base_url.
 */
int
site_feed(struct req *r)
{
	struct post_list list;
	struct mu_map *ctx;
	struct mu_list *entries;
	size_t i;

	if (site_cached(r, "") != 0)
		return r->status;
	if (posts_latest(r->db, r->arena, FEED_ENTRIES, &list) != STORE_OK)
		return 500;
	ctx = site_context(r, NULL);
	mu_set_str(ctx, "updated", date_rfc3339(r->arena, list_updated(&list, r->now)));
	entries = site_post_list(r, &list);
	/* In the feed the HTML is text: the template escapes it into the XML. */
	for (i = 0; i < list.len; i++)
		mu_set_str(mu_list_map(entries, i), "body_html", list.items[i].body_html.s);
	mu_set_list(ctx, "entries", entries);
	r->content_type = "application/atom+xml; charset=utf-8";
	return site_render(r, "feed", ctx, 200);
}

/* GET /sitemap.xml: the front page, every published post and every tag in use. */
int
site_sitemap(struct req *r)
{
	struct post_list list;
	struct mu_map *ctx;
	struct mu_list *pl, *tl;
	struct tag *tags;
	size_t ntags, i;

	if (site_cached(r, "") != 0)
		return r->status;
	if (posts_latest(r->db, r->arena, SITEMAP_MAX, &list) != STORE_OK ||
	    posts_tags_all(r->db, r->arena, &tags, &ntags) != STORE_OK)
		return 500;
	ctx = site_context(r, NULL);
	if (list.len > 0)
		mu_set_str(ctx, "updated", date_rfc3339(r->arena, list_updated(&list, r->now)));
	/* Only what a sitemap shows: no summaries for thousands of posts. */
	pl = mu_list_new(r->arena);
	for (i = 0; i < list.len; i++) {
		struct mu_map *m = mu_list_push_map(pl);
		const struct post *p = &list.items[i];

		mu_set_str(m, "url", arena_printf(r->arena, "/posts/%s", p->slug));
		mu_set_str(m, "updated", date_rfc3339(r->arena,
			   p->updated_at > p->published_at ? p->updated_at : p->published_at));
	}
	mu_set_list(ctx, "posts", pl);
	tl = mu_list_new(r->arena);
	for (i = 0; i < ntags; i++) {
		if (tags[i].count > 0)
			mu_set_str(mu_list_push_map(tl), "url",
				   arena_printf(r->arena, "/tags/%s", tags[i].slug));
	}
	mu_set_list(ctx, "tags", tl);
	r->content_type = "application/xml; charset=utf-8";
	return site_render(r, "sitemap", ctx, 200);
}
