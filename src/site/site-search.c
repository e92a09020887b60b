/* site-search.c: full-text search over the published posts, /search?q=WORDS. */
#include "site.h"

#include <string.h>

#include "config.h"
#include "posts.h"
#include "render.h"
#include "utf8.h"

#define SEARCH_MAX_BYTES 200   /* longer queries are refused with 400 */

/*
 * The store's snippet (plain text, each match between POSTS_SNIPPET_OPEN and
 * POSTS_SNIPPET_CLOSE) as HTML: the text escaped, the matches in <mark>.
 */
static struct html
snippet_html(struct arena *a, const char *s)
{
	struct buf out = BUF_INIT;
	size_t i, run = 0, len = s ? strlen(s) : 0;
	int open = 0;
	const char *html;

	for (i = 0; i < len; i++) {
		if (s[i] != POSTS_SNIPPET_OPEN && s[i] != POSTS_SNIPPET_CLOSE)
			continue;
		html_escape(&out, s + run, i - run);
		run = i + 1;
		if (s[i] == POSTS_SNIPPET_OPEN && !open) {
			buf_puts(&out, "<mark>");
			open = 1;
		} else if (s[i] == POSTS_SNIPPET_CLOSE && open) {
			buf_puts(&out, "</mark>");
			open = 0;
		}
	}
	html_escape(&out, s + run, len - run);
	if (open)
		buf_puts(&out, "</mark>");
	html = arena_strndup(a, out.data ? out.data : "", out.len);
	buf_free(&out);
	return html_trust(html);
}

/* Does s hold anything but white space? */
static int
has_words(const char *s)
{
	for (; *s != '\0'; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
			return 1;
	return 0;
}

/* The search page without results, with a message, for a refused query (400). */
static int
search_refuse(struct req *r, const char *message)
{
	struct mu_map *ctx = site_context(r, "Search");

	mu_set_bool(ctx, "nav_search", 1);
	mu_set_str(ctx, "error", message);
	return site_render(r, "search", ctx, 400);
}

/*
 * GET /search?q=WORDS[&page=N]: the search form, and the posts matching
 * WORDS, best first, with snippets.  400 for a query over 200 bytes, not
 * UTF-8 text, or a malformed page number; 404 past the last page.
 */
int
site_search(struct site_req *site)
{
	struct req *r = site->r;
	const char *q = "", *page_arg = req_query(r, "page");
	size_t qlen = 0;
	struct post_list list;
	struct mu_map *ctx;
	struct mu_list *results;
	size_t i;
	int page = 1;

	/* The first q, by its decoded length: a %00 inside must not hide what follows. */
	for (i = 0; i < r->query.len; i++) {
		if (strcmp(r->query.items[i].name, "q") == 0) {
			q = r->query.items[i].value;
			qlen = r->query.items[i].value_len;
			break;
		}
	}
	if (qlen > SEARCH_MAX_BYTES)
		return search_refuse(r, "That search is too long. Please use fewer words.");
	if (!utf8_valid_text(q, qlen))
		return search_refuse(r, "That search holds characters this site cannot read.");
	if (page_arg != NULL && (page = site_page_number(page_arg)) < 1)
		return search_refuse(r, "That page number is not one this site knows.");
	if (site_cached(site, "") != 0)
		return r->status;
	ctx = site_context(r, has_words(q) ? arena_printf(r->arena, "Search: %s", q) : "Search");
	mu_set_bool(ctx, "nav_search", 1);
	mu_set_str(ctx, "q", q);
	if (!has_words(q)) {
		/* No query yet: the form, and the tags to browse by. */
		struct mu_list *tl = site_tag_counts(r);

		if (tl == NULL)
			return 500;
		mu_set_list(ctx, "all_tags", tl);
		mu_set_bool(ctx, "has_all_tags", mu_list_len(tl) > 0);
		return site_render(r, "search", ctx, 200);
	}
	if (posts_search(r->db, r->arena, q, page, r->cfg->posts_per_page, &list) != STORE_OK)
		return 500;
	if (list.len == 0 && page > 1)
		return 404;
	mu_set_bool(ctx, "searched", 1);
	if (list.cut)
		mu_set_str(ctx, "cut", arena_printf(r->arena, "%d", SEARCH_RANK_MAX));
	mu_set_bool(ctx, "ranked", 1);   /* the pager says "more results", not "older posts" */
	results = mu_list_new(r->arena);
	for (i = 0; i < list.len; i++) {
		struct mu_map *m = site_post_map(r, &list.items[i]);

		mu_set_html(m, "snippet", snippet_html(r->arena, list.items[i].snippet));
		mu_list_push(results, mu_map_value(m));
	}
	mu_set_list(ctx, "results", results);
	site_pager(r, ctx, arena_printf(r->arena, "/search?q=%s", url_query_escape(r->arena, q, 1)),
		   arena_printf(r->arena, "/search?q=%s&page=", url_query_escape(r->arena, q, 1)),
		   page, list.has_more);
	return site_render(r, "search", ctx, 200);
}
