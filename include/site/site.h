/* site.h: the public blog's pages, shared between its handler files. */
#ifndef PARLEY_SITE_H
#define PARLEY_SITE_H

#include <stdint.h>

#include "comment_form.h"
#include "comments.h"
#include "http.h"
#include "mustache.h"

/* Route flags of the public site. */
enum site_route_flag {
	SITE_CACHEABLE = 1 << 0,   /* GET page validated by the site generation (ETag/304) */
	SITE_SAME_ORIGIN = 1 << 1, /* POST changes state: a cross-site one gets 403 (site_cross_site) */
};

/* The program's description for the accept loop (cgi/blog.c serves it). */
extern const struct app site_app;

/*
 * One request to the public site: the http request and what the site
 * keeps for it.  The dispatcher (site-app.c) makes it on its stack for each
 * request and hands it to the route's handler; nothing in it outlives the
 * request.  Helpers that need only the request take r.
 */
struct site_req {
	struct req *r;
	const char *cache_key;        /* set by site_cached when the page may be kept */
	size_t cache_headers_from;    /* r->headers bytes before the handler's own */
	int cache_personal;           /* the cached page is one visitor's (their cookies) */
	int cache_served;             /* the body is a page-cache copy: its slots are filled */
};

/* A route of the public site: the router's method and pattern, the handler, flags. */
struct site_route {
	struct route route;
	int (*handler)(struct site_req *site);
	unsigned flags;               /* enum site_route_flag */
};

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
 * The error page for status with this title and message, for a refusal
 * the generic page of that status would misname (a cross-site comment is
 * 403 like closed comments).  Returns status.
 */
int site_error(struct req *r, int status, const char *title, const char *message);

/*
 * The 403 page for a POST that another site's page sent (req_same_origin
 * said no): nothing was changed.  site_respond answers it for SITE_SAME_ORIGIN
 * routes; the comment POST calls it itself, after its 404 and closed 403.
 */
int site_cross_site(struct req *r);

/*
 * Answer 304 when the request's validator matches the page's: the ETag is
 * derived from the site generation, the path and query, and extra (state
 * that changes the page for this visitor, or ""). Returns 1 for 304.
 * Either way the response carries Cache-Control "no-cache" (caches ask
 * again each time), "private, no-cache" and "X-Accel-Expires: 0" (no
 * shared cache keeps it) when extra is not empty.
 */
int site_not_modified(struct req *r, const char *extra);

/*
 * site_not_modified, then the page cache (src/site/site-cache.c): returns 304,
 * or 200 with the cached page in r->body (and a fresh comment-form token),
 * or 0 when the handler must render; site_page_finish, which site-app.c
 * calls once the handler returns, then keeps the page it rendered.  A page
 * with a comment-form token is one reader's like a page extra changed:
 * private.
 */
int site_cached(struct site_req *site, const char *extra);
/*
 * site_cached for a page that shows the post slug and nothing of any other
 * (its page, its comments feed): validated by that post's generation, so
 * a change to another post, or a comment on one, leaves it as it is.
 */
int site_cached_post(struct site_req *site, const char *slug, const char *extra);

/*
 * The comment form's token is rendered as a template slot (mu_slot) named
 * SITE_TOKEN_SLOT ":" POST_ID: the cache keeps the page around it and
 * splices a fresh token into every copy.  site_page_finish, which
 * site-app.c calls for every response, stores a page site_cached let
 * render, replaces every slot left in r->body (a fresh token for that
 * post; anything else with nothing), and sends the page's Cache-Control:
 * any response carrying a token is "private, no-cache" with
 * "X-Accel-Expires: 0", so no shared cache (nginx's micro-cache included)
 * hands one reader's token to another.
 */
#define SITE_TOKEN_SLOT "form-token"
void site_page_finish(struct site_req *site);

struct post;
struct comment_form;
struct comment_form_state;

/*
 * Render the whole post page for p (loaded with body and tags) with the
 * given status: 200 for a plain GET, 4xx/5xx when the comment intake
 * re-renders it with the reader's form (the <title> then begins "Error").
 * form is the reader's submission to refill (comment_form.h), or NULL for
 * a blank form.  src/site/site-post.c.
 */
int site_post_page(struct req *r, const struct post *p,
		   const struct comment_form_state *form, int status);

/*
 * The comment part of a post page (src/site/site-comment-thread.c): adds to ctx the
 * thread of approved comments (and this browser's own pending ones), the
 * form with a fresh signed token, and, after a failed submission, the
 * reader's values and the message for each bad field (state, or NULL for a
 * blank form).  0 or an HTTP status.  The form's keys live under
 * "discussion" in ctx (templates/comments.mustache).
 */
int site_post_comments(struct req *r, const struct post *p,
		       const struct comment_form_state *state, struct mu_map *ctx);
/*
 * Shared by the comment handlers (src/site/site-comment.c).  site_load_post
 * loads the published post named by the route's first segment: STORE_OK, or
 * the status to answer (404, 500).  site_comment_is_mine: does this
 * browser's signed own-comments cookie name comment id?
 * site_comment_form_read fills f's values from the request's form fields
 * (author, email, url, comment, parent), not yet validated.
 * site_comment_classify is the one place new and edited comments meet the
 * moderation rules and the spam classifier (moderation_classify, with the
 * configuration's spam_threshold and spam_min_examples; in->form_seconds -1
 * when unknown): the status they get, *reason a phrase for spam_reason,
 * *verdict (may be NULL) the whole verdict with the classifier's score.  site_comment_editable: is c still
 * within edit_minutes and in a status its author may edit (the caller
 * checks it is theirs)?  site_comment_limit_text: "at most 10,000
 * characters", the limit as forms state it.
 */
struct moderation_input;
struct moderation_verdict;
int site_load_post(struct req *r, struct post *p);
/*
 * The reader's side of the comment form, shared by intake (site-comment.c)
 * and the thread (site-comment-thread.c): the form's field names indexed by
 * enum comment_field; the honeypot, a text field people never see and bots
 * fill in; site_comment_mine_ids, the ids of this browser's comments from
 * its signed cookie (0 when none); site_comment_reader, the name, email
 * and website this browser asked us to remember: 1 and the three strings,
 * or 0 when there are none or the page is the "forget me" link's (?forget).
 */
#define SITE_COMMENT_HONEYPOT "homepage"
extern const char *const site_comment_field_names[COMMENT_FIELD__MAX];
size_t site_comment_mine_ids(struct req *r, int64_t ids[COMMENT_MINE_MAX]);
int site_comment_reader(struct req *r, const char **author, const char **email, const char **url);
int site_comment_is_mine(struct req *r, int64_t id);
void site_comment_form_read(struct req *r, struct comment_form *f);
enum comment_status site_comment_classify(struct req *r, const struct moderation_input *in,
					  const char **reason, struct moderation_verdict *verdict);
int site_comment_editable(const struct req *r, const struct comment *c);
/*
 * comment_form_validate under max_comment_bytes; a comment over it is 413
 * with every field still checked and cleaned for refilling, and the limit
 * named at the comment field.  0, 413 or 422.
 */
int site_comment_validate(struct req *r, struct comment_form *f);
const char *site_comment_limit_text(struct req *r);

/*
 * Answer a comment submission the site did not take (src/site/site-comment.c):
 * the post page again with status (413, 422, 429, 503...), <title>
 * beginning "Error", the form refilled from f (NULL for a blank form),
 * message (or NULL) and f's field messages at the form, and the submitted
 * form token served again when it is genuine, so the time check still
 * counts from the first form.  Headers such as Retry-After are the
 * caller's.  Returns status, or 500 when the page cannot be built.
 */
int site_comment_refill(struct req *r, const struct post *p, const struct comment_form *f,
			int status, const char *message);
/*
 * What besides the site generation changes a post page for this browser
 * (its own comments cookie, the name it asked us to remember): the extra
 * for site_not_modified.
 */
const char *site_comment_etag_extra(struct req *r);
/* The "forget me" link (?forget on a post page): drop the remember-me cookie. */
void site_comment_forget(struct req *r);

/*
 * Likes (src/site/site-like.c).  site_post_likes adds "like" to a post page's
 * ctx: the form's action and signed token, label ("3 readers like this",
 * absent at 0) and liked (this browser's cookie names the post).
 * site_like_label is that label for any count (the index shows it too).
 * site_like_etag_extra: the likes cookie when genuine, else "".
 */
void site_post_likes(struct req *r, const struct post *p, struct mu_map *ctx);
const char *site_like_label(struct req *r, int count);
const char *site_like_etag_extra(struct req *r);

struct post_list;

/*
 * Shared by the pages that show posts (src/site/site-listing.c).  site_post_map
 * describes p for templates: title, slug, url (under the mount point),
 * author (absent when empty), published/updated (RFC 3339) and their
 * human forms, tags [{name, slug, url}], has_tags, summary, body_html (when
 * loaded), comment_count and comments_label.  Everything
 * lives in the request arena.
 */
struct mu_map *site_post_map(struct req *r, const struct post *p);
struct mu_list *site_post_list(struct req *r, const struct post_list *l);
/* A page number as written in a URL ("2"): 1..SITE_PAGE_MAX, or -1. */
#define SITE_PAGE_MAX 100000
int site_page_number(const char *s);
/*
 * Older/newer navigation for page of a listing: sets newer_url and
 * older_url (paths under the mount point, absent at the ends), page and
 * paged.  first is page 1's path, prefix the others' without the number.
 */
void site_pager(struct req *r, struct mu_map *ctx, const char *first, const char *prefix,
		int page, int has_more);
/*
 * Every tag that published posts carry, by name: [{name, url, count,
 * posts_label}] for templates, or NULL when the store fails.
 */
struct mu_list *site_tag_counts(struct req *r);
/* Does p take comments now (its flag and comments_open_days)? */
int site_comments_open(const struct req *r, const struct post *p);

/* Handlers, one file per page family. */
int site_index(struct site_req *site);
int site_page(struct site_req *site);
int site_post(struct site_req *site);
int site_tag(struct site_req *site);
int site_tags_index(struct site_req *site);
int site_subscribe(struct site_req *site);
int site_search(struct site_req *site);
int site_feed(struct site_req *site);
int site_sitemap(struct site_req *site);
int site_comment_feed(struct site_req *site);
int site_comment_post(struct site_req *site);
int site_like_post(struct site_req *site);
int site_comment_edit(struct site_req *site);
int site_subscription_confirm(struct site_req *site);       /* src/site/site-subscriptions.c */
int site_subscription_unsubscribe(struct site_req *site);
/*
 * Old WordPress addresses (site-redirects.c): site_old_link answers a permalink
 * path with 301 to the post it became (404 when none); site_old_query
 * answers "/?p=ID" the same way, and returns 0 when there is no p.
 */
int site_old_link(struct site_req *site);
int site_old_query(struct req *r);

#endif
