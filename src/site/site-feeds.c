/* site-feeds.c: the Atom feed of the latest posts (/feed.atom) and the sitemap (/sitemap.xml). */
#include "site.h"

#include "posts.h"
#include "text.h"

#define FEED_ENTRIES 20         /* posts in /feed.atom */
#define SITEMAP_MAX 50000       /* the sitemap protocol's limit of URLs a file */
/*
 * Post ids a file of the index covers.  50,000 came to 2 to 5 MB and 60 ms
 * of CPU, past the 2 MiB a page may take in the page cache, so every
 * request paid it; 5,000 are 0.5 MB (1 MB with long slugs), 6 ms, cached.
 */
#define SITEMAP_FILE_POSTS 5000

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
site_feed(struct site_req *site)
{
	struct req *r = site->r;
	struct post_list list;
	struct mu_map *ctx;
	struct mu_list *entries;
	size_t i;

	if (site_cached(site, "") != 0)
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

/* The sitemap file of the front page and every tag in use (tags past the cap left out). */
static struct mu_list *
sitemap_tags(struct req *r, const struct tag *tags, size_t ntags)
{
	struct mu_list *tl = mu_list_new(r->arena);
	size_t i, n = 0;

	for (i = 0; i < ntags && n < SITEMAP_MAX - 1; i++) {
		if (tags[i].count > 0) {
			mu_set_str(mu_list_push_map(tl), "url",
				   arena_printf(r->arena, "/tags/%s", tags[i].slug));
			n++;
		}
	}
	return tl;
}

/* Published posts with lo < id <= hi as sitemap entries; the newest change in *updated. */
static struct mu_list *
sitemap_posts(struct req *r, int64_t lo, int64_t hi, int64_t *updated)
{
	struct post_stamp *stamps;
	struct mu_list *pl;
	size_t n, i;

	if (posts_stamps(r->db, r->arena, lo, hi, (size_t)(hi - lo), &stamps, &n) != STORE_OK)
		return NULL;
	pl = mu_list_new(r->arena);
	for (i = 0; i < n; i++) {
		struct mu_map *m = mu_list_push_map(pl);

		mu_set_str(m, "url", arena_printf(r->arena, "/posts/%s", stamps[i].slug));
		mu_set_str(m, "updated", date_rfc3339(r->arena, (time_t)stamps[i].modified));
		if (stamps[i].modified > *updated)
			*updated = stamps[i].modified;
	}
	return pl;
}

/*
 * GET /sitemap.xml: the front page, every published post and every tag in
 * use.  Past SITEMAP_MAX URLs it is a sitemap index instead: file 1
 * (/sitemap.xml?page=1) holds the front page and the tags, file k + 1 the
 * published posts whose ids fall in ((k - 1) * SITEMAP_FILE_POSTS,
 * k * SITEMAP_FILE_POSTS].
 * A post keeps its file as the site grows, and each file is one walk of the
 * primary key.  A file number the index does not list is a 404.
 */
int
site_sitemap(struct site_req *site)
{
	struct req *r = site->r;
	const char *page_arg = req_query(r, "page");
	struct mu_map *ctx;
	struct mu_list *pl = NULL, *tl = NULL;
	struct tag *tags = NULL;
	size_t ntags = 0, i;
	int64_t max_id, published, tag_rows, tag_urls, files, updated = 0;
	int page = 0;

	if (page_arg != NULL && (page = site_page_number(page_arg)) < 1)
		return 404;
	if (site_cached(site, "") != 0)
		return r->status;
	/*
	 * Ids bound the count of posts and rows of tags the count of tags in
	 * use: only a site that may be past the limit counts its posts, and
	 * only a file that lists tags or a count near the limit asks which
	 * tags are in use (that walks every tag's posts).
	 */
	if (posts_published_extent(r->db, &max_id, NULL) != STORE_OK ||
	    posts_tag_rows(r->db, &tag_rows) != STORE_OK)
		return 500;
	published = max_id;
	if (1 + max_id + tag_rows > SITEMAP_MAX &&
	    posts_published_extent(r->db, &max_id, &published) != STORE_OK)
		return 500;
	tag_urls = tag_rows;
	if (1 + published <= SITEMAP_MAX || page == 1) {
		if (posts_tags_all(r->db, r->arena, &tags, &ntags) != STORE_OK)
			return 500;
		for (tag_urls = 0, i = 0; i < ntags; i++)
			tag_urls += tags[i].count > 0;
	}
	ctx = site_context(r, NULL);
	r->content_type = "application/xml; charset=utf-8";
	if (1 + published + tag_urls <= SITEMAP_MAX) {
		if (page_arg != NULL)
			return 404;
		if ((pl = sitemap_posts(r, 0, max_id, &updated)) == NULL)
			return 500;
		tl = sitemap_tags(r, tags, ntags);
	} else if (page == 0) {
		struct mu_list *fl = mu_list_new(r->arena);
		int64_t k;

		files = (max_id + SITEMAP_FILE_POSTS - 1) / SITEMAP_FILE_POSTS;
		mu_set_str(mu_list_push_map(fl), "url", "/sitemap.xml?page=1");
		for (k = 1; k <= files; k++) {
			struct post_stamp *one;
			size_t n;

			/* A range with no published post left gets no file. */
			if (posts_stamps(r->db, r->arena, (k - 1) * SITEMAP_FILE_POSTS,
					 k * SITEMAP_FILE_POSTS, 1, &one, &n) != STORE_OK)
				return 500;
			if (n > 0)
				mu_set_str(mu_list_push_map(fl), "url",
					   arena_printf(r->arena, "/sitemap.xml?page=%lld",
							(long long)k + 1));
		}
		mu_set_bool(ctx, "is_index", 1);
		mu_set_list(ctx, "files", fl);
		return site_render(r, "sitemap", ctx, 200);
	} else if (page == 1) {
		mu_set_bool(ctx, "front", 1);
		tl = sitemap_tags(r, tags, ntags);
	} else {
		int64_t k = page - 1;

		if (k > (max_id + SITEMAP_FILE_POSTS - 1) / SITEMAP_FILE_POSTS)
			return 404;
		if ((pl = sitemap_posts(r, (k - 1) * SITEMAP_FILE_POSTS, k * SITEMAP_FILE_POSTS,
					&updated)) == NULL)
			return 500;
		if (mu_list_len(pl) == 0)
			return 404;
	}
	if (page_arg == NULL)
		mu_set_bool(ctx, "front", 1);
	if (updated > 0)
		mu_set_str(ctx, "updated", date_rfc3339(r->arena, (time_t)updated));
	if (pl != NULL)
		mu_set_list(ctx, "posts", pl);
	if (tl != NULL)
		mu_set_list(ctx, "tags", tl);
	return site_render(r, "sitemap", ctx, 200);
}
