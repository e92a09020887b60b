/* site-app.c: the public blog's route table, per-worker state and shared page plumbing. */
#include "site.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "db.h"
#include "group.h"
#include "log.h"
#include "mailer.h"
#include "render.h"

#include <sodium.h>

static const struct site_route site_routes[] = {
	{ { HTTP_GET, "/" }, site_index, SITE_CACHEABLE },
	{ { HTTP_GET, "/page/*" }, site_page, SITE_CACHEABLE },
	{ { HTTP_GET, "/posts/*" }, site_post, SITE_CACHEABLE },
	{ { HTTP_POST, "/posts/*/comments" }, site_comment_post, 0 },
	{ { HTTP_POST, "/posts/*/like" }, site_like_post, SITE_SAME_ORIGIN },
	{ { HTTP_GET | HTTP_POST, "/posts/*/comments/*/edit" }, site_comment_edit, SITE_SAME_ORIGIN },
	{ { HTTP_GET, "/posts/*/comments.atom" }, site_comment_feed, SITE_CACHEABLE },
	{ { HTTP_GET, "/tags" }, site_tags_index, SITE_CACHEABLE },
	{ { HTTP_GET, "/tags/*" }, site_tag, SITE_CACHEABLE },
	{ { HTTP_GET, "/tags/*/page/*" }, site_tag, SITE_CACHEABLE },
	{ { HTTP_GET, "/search" }, site_search, SITE_CACHEABLE },
	{ { HTTP_GET, "/subscribe" }, site_subscribe, SITE_CACHEABLE },
	{ { HTTP_GET, "/feed.atom" }, site_feed, SITE_CACHEABLE },
	{ { HTTP_GET, "/sitemap.xml" }, site_sitemap, SITE_CACHEABLE },
	{ { HTTP_GET | HTTP_POST, "/subscriptions/confirm" }, site_subscription_confirm, SITE_SAME_ORIGIN },
	/*
	 * No origin check: RFC 8058's one-click POST comes from the reader's
	 * mail provider or client, never from our pages, and the link's signed
	 * token (which only its mail holds) is what makes it the reader's.
	 */
	{ { HTTP_GET | HTTP_POST, "/subscriptions/unsubscribe" }, site_subscription_unsubscribe, 0 },
	/* Where a WordPress import's posts used to be (site-redirects.c): last, so they shadow nothing. */
	{ { HTTP_GET, "/*/" }, site_old_link, 0 },
	{ { HTTP_GET, "/*/*/*/" }, site_old_link, 0 },
	{ { HTTP_GET, "/*/*/*/*/" }, site_old_link, 0 },
	{ { HTTP_GET, "/*/*/*/comment-page-*/" }, site_old_link, 0 },
	{ { HTTP_GET, "/*/*/*/*/comment-page-*/" }, site_old_link, 0 },
};

/* Pages, and the partials they share: a missing partial would render as nothing. */
static const char *const site_templates[] = {
	"index", "post", "search", "error", "comment_edit", "tags", "subscribe", "feed", "comments_feed", "sitemap",
	"layout_head", "layout_foot", "post_meta", "tag_list", "pager", "subscription", NULL
};

static int
site_worker_open(struct req *r, char *err, size_t errlen)
{
	r->db = db_open(r->cfg->db, DB_OPEN_EXISTING, err, errlen);
	return r->db ? 0 : -1;
}

static void
site_worker_close(struct req *r)
{
	db_close(r->db);
	r->db = NULL;
}

/*
 * Once at start-up (FastCGI): the mail worker, and the committer that
 * takes the comments of every worker in shared transactions (group.h).
 */
static int
site_start(const struct config *cfg)
{
	char err[256];

	if (db_group_start(cfg->db, err, sizeof(err)) != 0) {
		log_error("%s", err);
		return -1;
	}
	return mailer_start(cfg);
}

/*
 * After a POST (a comment, a subscription) the mail worker may have work.
 * Free heap pages go back to the system (once a second at most).
 */
static void
site_after_response(struct req *r)
{
	if (r->method == HTTP_POST)
		mailer_kick(r->cfg);
	heap_release(r->now);
}

/* What the error page says for each status (the last row for any other). */
static const struct http_error_text site_errors[] = {
	{ { 404 }, "Page not found",
	  "There is nothing at this address. It may have moved, or the link may be mistyped." },
	{ { 405 }, "Method not allowed",
	  "This address does not accept that kind of request." },
	{ { 403 }, "Comments are closed",
	  "This post no longer takes comments." },
	{ { 413 }, "Too large",
	  "What you sent is larger than this site accepts." },
	{ { 429 }, "Slow down",
	  "You have sent several comments in a short time. Please wait a minute and try again." },
	{ { 400, 414, 415 }, "Bad request",
	  "Your browser sent a request this site could not understand." },
	{ { 0 }, "Something went wrong",
	  "The site could not answer this request. Please try again in a moment." },
};

static void
site_error_page(struct req *r, int status)
{
	const struct http_error_text *e = http_error_text(site_errors, status);

	site_error(r, status, e->title, e->message);
}

static const struct route *
site_route(size_t i)
{
	return i < sizeof(site_routes) / sizeof(site_routes[0]) ? &site_routes[i].route : NULL;
}

/*
 * Answer one request: the route's handler with a fresh site_req, the error
 * page for a status without a body, then the page cache and the form-token
 * slots.  A POST that changes state and came from another site's page is
 * 403 before the handler runs.  A page reads several tables (the
 * generation, the post, its tags, its comments): for a cacheable route one
 * read transaction gives it a consistent snapshot and takes SQLite's locks
 * once instead of once per statement.
 */
static void
site_respond(struct req *r, long route, int status)
{
	struct site_req site = { .r = r };

	if (route >= 0) {
		const struct site_route *rt = &site_routes[route];
		if ((rt->flags & SITE_SAME_ORIGIN) && r->method == HTTP_POST && !req_same_origin(r))
			status = site_cross_site(r);
		else {
			if (rt->flags & SITE_CACHEABLE)
				db_read_begin(r->db);
			status = rt->handler(&site);
		}
	}
	r->status = status;
	if (status >= 400 && resp_body_len(r) == 0)
		site_error_page(r, status);
	site_page_finish(&site);
	db_read_end(r->db);
}

int
site_cross_site(struct req *r)
{
	return site_error(r, 403, "Sent from another site",
			  "This form was sent from a page on another site, so nothing was "
			  "changed here. Open this site's own page and use the form there.");
}

int
site_error(struct req *r, int status, const char *title, const char *message)
{
	struct mu_map *ctx;

	r->content_type = NULL;
	ctx = site_context(r, title);
	mu_set_int(ctx, "status", status);
	mu_set_str(ctx, "message", message);
	resp_body_release(r);
	buf_reset(r->body);
	mu_render(r->tpl, "error", &(struct mu_value){ .type = MU_MAP, .u.map = ctx }, r->body);
	r->status = status;
	return status;
}

struct mu_map *
site_context(struct req *r, const char *page_title)
{
	struct mu_map *ctx = mu_map_new(r->arena);
	struct tm tm;

	gmtime_r(&r->now, &tm);
	mu_set_str(ctx, "site_title", r->cfg->site_title);
	/* Absent rather than empty: every string, even "", opens a section. */
	mu_set_str(ctx, "site_description", r->cfg->site_description != NULL &&
		   *r->cfg->site_description != '\0' ? r->cfg->site_description : NULL);
	mu_set_str(ctx, "base_url", r->cfg->base_url);
	mu_set_str(ctx, "mount", r->cfg->mount);
	mu_set_str(ctx, "page_title", page_title);
	mu_set_int(ctx, "year", tm.tm_year + 1900);
	return ctx;
}

int
site_render(struct req *r, const char *name, struct mu_map *ctx, int status)
{
	if (render_page(r->tpl, name, ctx, r->body) != 0)
		return 500;
	r->status = status;
	return status;
}

const struct app site_app = {
	.name = "parley-blog",
	.route = site_route,
	.respond = site_respond,
	.security_headers =
		"Content-Security-Policy: default-src 'none'; style-src 'self'; img-src 'self' https: data:; "
		"form-action 'self'; base-uri 'none'; frame-ancestors 'none'\r\n"
		"X-Content-Type-Options: nosniff\r\n"
		"Referrer-Policy: strict-origin-when-cross-origin\r\n",
	.templates = site_templates,
	.worker_open = site_worker_open,
	.worker_close = site_worker_close,
	.start = site_start,
	.after_response = site_after_response,
};
