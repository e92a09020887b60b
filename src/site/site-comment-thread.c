/* site-comment-thread.c: a post's comments as its page shows them (the thread, the form) and its comment feed. */
#include "site.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "comment_form.h"
#include "comments.h"
#include "config.h"
#include "db.h"
#include "imports.h"
#include "mailer.h"
#include "posts.h"
#include "text.h"

/* From this many comments on, the page offers "Jump to comments" and "Leave a comment" links. */
#define LONG_THREAD 5
/* Comments in one post's feed. */
#define FEED_MAX 50

/* Order comments as the store does: created_at, then id. */
static int
comment_cmp(const void *a, const void *b)
{
	const struct comment *x = a, *y = b;

	if (x->created_at != y->created_at)
		return x->created_at < y->created_at ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

/*
 * The approved comments of p plus this browser's own pending ones (and
 * those the engine filed as spam: an honest reader caught by a rule sees
 * theirs awaiting moderation like any other), in store order.  *approved receives the count of approved ones.
 */
static int
load_thread_comments(struct req *r, const struct post *p, struct comment_list *out,
		     size_t *approved)
{
	struct comment_list list;
	int64_t ids[COMMENT_MINE_MAX];
	size_t nids, i;

	if (comments_for_post(r->db, r->arena, p->id, COMMENT_APPROVED, &list) != STORE_OK)
		return -1;
	*approved = list.len;
	nids = site_comment_mine_ids(r, ids);
	out->len = 0;
	out->has_more = 0;
	out->items = arena_alloc(r->arena, (list.len + nids + 1) * sizeof(*out->items));
	if (list.len > 0)
		memcpy(out->items, list.items, list.len * sizeof(*out->items));
	out->len = list.len;
	for (i = 0; i < nids; i++) {
		struct comment c;
		if (comments_get(r->db, r->arena, ids[i], &c) == STORE_OK &&
		    c.post_id == p->id &&
		    (c.status == COMMENT_PENDING || c.status == COMMENT_SPAM))
			out->items[out->len++] = c;
	}
	if (out->len > list.len)
		qsort(out->items, out->len, sizeof(*out->items), comment_cmp);
	return 0;
}

/* One comment's keys for the comment partial; every key set so none leaks from outer maps. */
static void
comment_map(struct req *r, const struct post *p, const struct comment *c,
	    struct mu_map *m, int can_reply, const struct import_renumbered *old, size_t nold)
{
	size_t k;

	int pending = c->status != COMMENT_APPROVED;
	int editable = site_comment_editable(r, c) && site_comment_is_mine(r, c->id);

	mu_set_int(m, "id", c->id);
	/* The number it had on WordPress, where that differs: old #comment-N links land here. */
	mu_set_str(m, "old_anchor", NULL);
	for (k = 0; k < nold; k++)
		if (old[k].comment_id == c->id)
			mu_set_str(m, "old_anchor", arena_printf(r->arena, "%" PRId64, old[k].old_id));
	mu_set_str(m, "author", c->author);
	mu_set_str(m, "author_url", url_web_scheme(c->url) ? c->url : NULL);
	mu_set_str(m, "date_iso", date_rfc3339(r->arena, c->created_at));
	mu_set_str(m, "date_human", date_human(r->arena, c->created_at));
	mu_set_html(m, "body_html", c->body_html);
	mu_set_bool(m, "pending", pending);
	mu_set_bool(m, "by_author", c->by_author);
	mu_set_str(m, "reply_href", can_reply && !pending ?
		   arena_printf(r->arena, "%s/posts/%s?reply=%" PRId64 "#comment-form",
				r->cfg->mount, p->slug, c->id) : NULL);
	mu_set_str(m, "edit_href", editable ?
		   arena_printf(r->arena, "%s/posts/%s/comments/%" PRId64 "/edit", r->cfg->mount,
				p->slug, c->id) : NULL);
	mu_set_bool(m, "has_actions", editable || (can_reply && !pending));
	mu_set_bool(m, "has_replies", 0);
}

/*
 * Nest the display-ordered thread into lists of maps: each entry becomes a
 * child of the last entry one level up.
 */
static struct mu_list *
thread_lists(struct req *r, const struct post *p, const struct comment_thread_entry *t,
	     size_t n, int can_reply, const struct import_renumbered *old, size_t nold)
{
	struct mu_list *level[COMMENT_THREAD_DEPTH + 1];
	struct mu_map *owner[COMMENT_THREAD_DEPTH + 1];
	struct mu_list *top = mu_list_new(r->arena);
	size_t i;

	memset(owner, 0, sizeof(owner));
	memset(level, 0, sizeof(level));
	level[0] = top;
	for (i = 0; i < n; i++) {
		int d = t[i].depth;
		struct mu_map *m;

		if (d > COMMENT_THREAD_DEPTH - 1)
			d = COMMENT_THREAD_DEPTH - 1;
		/* A depth can only grow by one from the entry before it. */
		while (d > 0 && owner[d - 1] == NULL)
			d--;
		if (d > 0 && level[d] == NULL) {
			level[d] = mu_list_new(r->arena);
			mu_set_list(owner[d - 1], "replies", level[d]);
			mu_set_bool(owner[d - 1], "has_replies", 1);
		}
		m = mu_list_push_map(level[d]);
		comment_map(r, p, t[i].comment, m, can_reply, old, nold);
		mu_set(m, "replies", mu_null());
		owner[d] = m;
		/* Deeper levels now belong to this new entry. */
		for (int k = d + 1; k <= COMMENT_THREAD_DEPTH; k++) {
			level[k] = NULL;
			owner[k] = NULL;
		}
	}
	return top;
}

/* Find the comment with id among the approved ones shown; NULL when absent. */
static const struct comment *
find_approved(const struct comment_list *l, int64_t id)
{
	size_t i;

	for (i = 0; i < l->len; i++)
		if (l->items[i].id == id && l->items[i].status == COMMENT_APPROVED)
			return &l->items[i];
	return NULL;
}

/* The form's keys: action, token, values, errors, reply line, prompt. */
static struct mu_map *
form_map(struct req *r, const struct post *p, const struct comment_list *shown,
	 const struct comment_form_state *state)
{
	const struct comment_form *f = state != NULL ? state->form : NULL;
	static const char *const ids[COMMENT_FIELD__MAX] = {
		"comment-author", "comment-email", "comment-url", "comment-text", "comment-parent",
	};
	struct mu_map *m = mu_map_new(r->arena);
	struct mu_list *errors = mu_list_new(r->arena);
	const char *values[COMMENT_FIELD__MAX];
	const struct comment *parent = NULL;
	int remembered;
	const char *reply;
	int64_t parent_id = 0;
	size_t i;

	/* The fragment brings the answer to a refused submission into view at the form. */
	mu_set_str(m, "action", arena_printf(r->arena, "%s/posts/%s/comments#comment-form",
					     r->cfg->mount, p->slug));
	/* A fresh token is a slot, filled for each reader (site_page_finish). */
	if (state != NULL && state->token != NULL)
		mu_set_str(m, "token", state->token);
	else
		mu_set_slot(m, "token", arena_printf(r->arena, SITE_TOKEN_SLOT ":%" PRId64, p->id));
	mu_set_str(m, "message", state != NULL ? state->message : NULL);
	mu_set_int(m, "max_comment", r->cfg->max_comment_bytes);
	if (state != NULL && state->preview_html.s != NULL && f != NULL) {
		struct mu_map *pv = mu_map_new(r->arena);
		const char *url = f->value[COMMENT_FIELD_URL];
		mu_set_str(pv, "author", f->value[COMMENT_FIELD_AUTHOR]);
		mu_set_str(pv, "author_url", url_web_scheme(url) ? url : NULL);
		mu_set_html(pv, "body_html", state->preview_html);
		mu_set_map(m, "preview", pv);
	} else
		mu_set_str(m, "preview", NULL);
	mu_set_str(m, "limit_text", site_comment_limit_text(r));
	mu_set_str(m, "honeypot_name", SITE_COMMENT_HONEYPOT);
	mu_set_str(m, "prompt", r->cfg->comment_prompt && *r->cfg->comment_prompt ?
		   r->cfg->comment_prompt : NULL);
	/* A fresh form starts from what the reader asked us to remember. */
	for (i = 0; i < COMMENT_FIELD__MAX; i++)
		values[i] = f ? f->value[i] : "";
	remembered = site_comment_reader(r, &values[COMMENT_FIELD_AUTHOR],
				       &values[COMMENT_FIELD_EMAIL], &values[COMMENT_FIELD_URL]);
	if (f != NULL) {
		for (i = 0; i < COMMENT_FIELD__MAX; i++)
			values[i] = f->value[i];
		mu_set_bool(m, "remember", req_form(r, "remember") != NULL);
	} else
		mu_set_bool(m, "remember", remembered);
	mu_set_str(m, "forget_href", remembered ? arena_printf(r->arena,
		   "%s/posts/%s?forget=1#comment-form", r->cfg->mount, p->slug) : NULL);
	for (i = 0; i < COMMENT_FIELD__MAX; i++) {
		const char *name = site_comment_field_names[i];
		const char *err = f ? f->error[i] : NULL;
		mu_set_str(m, name, values[i]);
		mu_set_str(m, arena_printf(r->arena, "%s_error", name), err);
		if (err != NULL) {
			struct mu_map *e = mu_list_push_map(errors);
			mu_set_str(e, "field_id", i == COMMENT_FIELD_PARENT ? "comment-form" : ids[i]);
			mu_set_str(e, "message", err);
		}
	}
	mu_set_list(m, "errors", errors);
	mu_set_bool(m, "has_field_errors", mu_list_len(errors) > 0);
	mu_set_bool(m, "has_errors", mu_list_len(errors) > 0 ||
		    (state != NULL && state->message != NULL));
	mu_set_bool(m, "mail", mailer_enabled(r->cfg));
	mu_set_bool(m, "subscribe_comments", f && f->subscribe_comments);
	mu_set_bool(m, "subscribe_posts", f && f->subscribe_posts);

	/* A reply: the refilled parent field, else ?reply=ID from the Reply link. */
	if (f != NULL)
		parent_id = f->error[COMMENT_FIELD_PARENT] ? 0 : f->parent_id;
	else if ((reply = req_query(r, "reply")) != NULL)
		parent_id = strtoll(reply, NULL, 10);
	if (parent_id > 0)
		parent = find_approved(shown, parent_id);
	mu_set_str(m, "parent", parent ? arena_printf(r->arena, "%" PRId64, parent->id) : "");
	mu_set_str(m, "replying_to", parent ? parent->author : NULL);
	mu_set_str(m, "replying_href", parent ?
		   arena_printf(r->arena, "#comment-%" PRId64, parent->id) : NULL);
	mu_set_str(m, "cancel_href", arena_printf(r->arena, "%s/posts/%s#comment-form",
						  r->cfg->mount, p->slug));
	return m;
}

int
site_post_comments(struct req *r, const struct post *p,
		   const struct comment_form_state *state, struct mu_map *ctx)
{
	struct mu_map *d = mu_map_new(r->arena);
	struct comment_list shown;
	struct comment_thread_entry *thread;
	struct import_renumbered *old;
	size_t approved, nold;
	int open = comment_post_open(p, r->cfg->comments_open_days, r->now);

	if (load_thread_comments(r, p, &shown, &approved) != 0 ||
	    imports_renumbered(r->db, r->arena, p->id, &old, &nold) != STORE_OK)
		return 500;
	comments_thread(r->arena, &shown, COMMENT_THREAD_DEPTH, &thread);
	/* The heading counts what this reader sees, their own waiting comments too. */
	mu_set_int(d, "count", (long long)shown.len);
	mu_set_str(d, "count_label", shown.len == 0 ? "No comments yet" :
		   shown.len == 1 ? "1 comment" :
		   arena_printf(r->arena, "%zu comments", shown.len));
	mu_set_str(d, "count_pending", shown.len > approved ?
		   arena_printf(r->arena, "%zu awaiting moderation", shown.len - approved) : NULL);
	mu_set_list(d, "thread", thread_lists(r, p, thread, shown.len, open, old, nold));
	mu_set_bool(d, "has_thread", shown.len > 0);
	/* A long thread gets links past it, to the form, and to it from the top. */
	mu_set_bool(d, "long_thread", shown.len >= LONG_THREAD);
	mu_set_bool(d, "open", open);
	mu_set_str(d, "feed_href", arena_printf(r->arena, "%s/subscribe?post=%s",
						r->cfg->mount, p->slug));
	if (open)
		mu_set_map(d, "form", form_map(r, p, &shown, state));
	else
		mu_set_str(d, "form", NULL);
	mu_set_map(ctx, "discussion", d);
	return 0;
}

/* GET /posts/SLUG/comments.atom: the post's approved comments, newest first. */
int
site_comment_feed(struct site_req *site)
{
	struct req *r = site->r;
	struct mu_map *ctx;
	struct mu_list *entries;
	struct comment_list list;
	struct post p;
	const char *post_url;
	time_t updated;
	size_t i, n;
	int rc;

	if (r->params[0] == NULL || !slug_valid(r->params[0]))
		return 404;
	if ((rc = site_cached_post(site, r->params[0], "")) != 0)
		return rc;
	if ((rc = site_load_post(r, &p)) != STORE_OK)
		return rc;
	if (comments_for_post(r->db, r->arena, p.id, COMMENT_APPROVED, &list) != STORE_OK)
		return 500;
	ctx = site_context(r, p.title);
	post_url = arena_printf(r->arena, "%s/posts/%s", r->cfg->base_url, p.slug);
	mu_set_str(ctx, "post_title", p.title);
	mu_set_str(ctx, "post_url", post_url);
	mu_set_str(ctx, "self_url", arena_printf(r->arena, "%s/comments.atom", post_url));
	updated = p.published_at;
	entries = mu_list_new(r->arena);
	n = list.len < FEED_MAX ? list.len : FEED_MAX;
	for (i = 0; i < n; i++) {
		const struct comment *c = &list.items[list.len - 1 - i];
		struct mu_map *e = mu_list_push_map(entries);
		if (c->created_at > updated)
			updated = c->created_at;
		mu_set_str(e, "author", c->author);
		mu_set_str(e, "author_url", url_web_scheme(c->url) ? c->url : NULL);
		mu_set_str(e, "link", arena_printf(r->arena, "%s#comment-%" PRId64, post_url, c->id));
		mu_set_str(e, "date", date_rfc3339(r->arena, c->created_at));
		/* In the feed the HTML is text: the template escapes it into the XML. */
		mu_set_str(e, "body_html", c->body_html.s);
	}
	mu_set_list(ctx, "entries", entries);
	mu_set_str(ctx, "updated", date_rfc3339(r->arena, updated));
	r->content_type = "application/atom+xml; charset=utf-8";
	return site_render(r, "comments_feed", ctx, 200);
}
