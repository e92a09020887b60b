/* site-comment.c: comment intake (POST /posts/SLUG/comments), a post's thread and form, its comment feed. */
#include "site.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "comment_form.h"
#include "comments.h"
#include "config.h"
#include "db.h"
#include "log.h"
#include "mail.h"
#include "mailer.h"
#include "moderation.h"
#include "posts.h"
#include "ratelimit.h"
#include "render.h"
#include "spam.h"
#include "text.h"

/* The cookie that lists this browser's own comments (see comment_form.h). */
#define MINE_COOKIE "parley_mine"
#define MINE_MAX_AGE (30L * 24 * 3600)
/* The "remember me" cookie (see comment_form.h), kept half a year. */
#define READER_COOKIE "parley_reader"
#define READER_MAX_AGE (182L * 24 * 3600)
/* The honeypot: a text field people never see and bots fill in. */
#define HONEYPOT_FIELD "homepage"
/* Window of the per-address comment limit, in seconds. */
#define RATE_WINDOW 60
/* From this many comments on, the page offers "Jump to comments" and "Leave a comment" links. */
#define LONG_THREAD 5
/* Comments in one post's feed. */
#define FEED_MAX 50

/* Form field names, indexed by enum comment_field. */
static const char *const field_names[COMMENT_FIELD__MAX] = {
	[COMMENT_FIELD_AUTHOR] = "author",
	[COMMENT_FIELD_EMAIL] = "email",
	[COMMENT_FIELD_URL] = "url",
	[COMMENT_FIELD_COMMENT] = "comment",
	[COMMENT_FIELD_PARENT] = "parent",
};

/* The ids of this browser's comments from its signed cookie; 0 when none. */
static size_t
mine_ids(struct req *r, int64_t ids[COMMENT_MINE_MAX])
{
	return comment_mine_parse(r->db->secret, req_cookie(r, MINE_COOKIE), ids);
}

/*
 * The name, email and website this browser asked us to remember: 1 and the
 * three strings, or 0 when there are none or the page is the "forget me"
 * link's (?forget).
 */
static int
reader_remembered(struct req *r, const char **author, const char **email, const char **url)
{
	if (req_query(r, "forget") != NULL)
		return 0;
	return comment_reader_parse(r->arena, req_cookie(r, READER_COOKIE), author, email, url);
}

/* Ask the browser to drop the remember-me cookie. */
static void
reader_forget(struct req *r)
{
	resp_cookie(r, READER_COOKIE, "", *r->cfg->mount ? r->cfg->mount : "/", 0, 1, "Lax");
}

void
site_comment_forget(struct req *r)
{
	if (req_query(r, "forget") != NULL && req_cookie(r, READER_COOKIE) != NULL)
		reader_forget(r);
}

const char *
site_comment_etag_extra(struct req *r)
{
	const char *v = req_cookie(r, MINE_COOKIE), *author, *email, *url;
	const char *reader = reader_remembered(r, &author, &email, &url) ?
	    req_cookie(r, READER_COOKIE) : "";
	int64_t ids[COMMENT_MINE_MAX];

	/* Only a genuine cookie changes the page; its value names it. */
	if (v == NULL || mine_ids(r, ids) == 0)
		v = "";
	if (*v == '\0' && *reader == '\0')
		return "";
	/* Edit links last edit_minutes: a browser with comments of its own sees a page of the minute. */
	return arena_printf(r->arena, "%s|%s|%lld", v, reader,
			    *v ? (long long)(r->now / 60) : 0LL);
}

int
site_load_post(struct req *r, struct post *p)
{
	const char *slug = r->params[0];
	int rc;

	if (slug == NULL || !slug_valid(slug))
		return 404;
	rc = posts_get(r->db, r->arena, slug, 0, p);
	if (rc == STORE_NOTFOUND)
		return 404;
	return rc == STORE_OK ? STORE_OK : 500;
}

int
site_comment_is_mine(struct req *r, int64_t id)
{
	int64_t ids[COMMENT_MINE_MAX];
	size_t n = mine_ids(r, ids), i;

	for (i = 0; i < n; i++)
		if (ids[i] == id)
			return 1;
	return 0;
}

void
site_comment_form_read(struct req *r, struct comment_form *f)
{
	size_t i;

	memset(f, 0, sizeof(*f));
	for (i = 0; i < COMMENT_FIELD__MAX; i++)
		f->value[i] = req_form_value(r, field_names[i], &f->len[i]);
}

int
site_comment_validate(struct req *r, struct comment_form *f)
{
	int rc = comment_form_validate(r->arena, f, (size_t)r->cfg->max_comment_bytes);

	if (rc != 413)
		return rc;
	/* Check the rest so the refilled form is clean, then name the limit. */
	comment_form_validate(r->arena, f, SIZE_MAX);
	f->error[COMMENT_FIELD_COMMENT] = arena_printf(r->arena,
	    "This comment is too long: a comment can be %s.", site_comment_limit_text(r));
	f->nerrors++;
	return 413;
}

int
site_comment_editable(const struct req *r, const struct comment *c)
{
	if (r->cfg->edit_minutes <= 0 || (c->status != COMMENT_PENDING &&
	    c->status != COMMENT_APPROVED && c->status != COMMENT_SPAM))
		return 0;
	return (int64_t)r->now - (int64_t)c->created_at <= (int64_t)r->cfg->edit_minutes * 60;
}

/*
 * Does this browser's signed own-comments cookie name a comment that was
 * approved?  That, never a typed email, makes a "known commenter".  1, 0,
 * or -1 when the database fails.
 */
static int
browser_known(struct req *r)
{
	int64_t ids[COMMENT_MINE_MAX];
	size_t n = mine_ids(r, ids), i;

	for (i = 0; i < n; i++) {
		struct comment c;
		int rc = comments_get(r->db, r->arena, ids[i], &c);
		if (rc == STORE_ERR)
			return -1;
		if (rc == STORE_OK && c.status == COMMENT_APPROVED)
			return 1;
	}
	return 0;
}

enum comment_status
site_comment_classify(struct req *r, const struct moderation_input *in, const char **reason,
		      struct moderation_verdict *verdict)
{
	struct moderation_input mi = *in;
	struct moderation_verdict v;

	/* A database failure here counts as not known: the comment is held. */
	mi.known_browser = browser_known(r) == 1;
	mi.spam_threshold = r->cfg->spam_threshold;
	mi.spam_min_examples = r->cfg->spam_min_examples;
	if (verdict == NULL)
		verdict = &v;
	moderation_classify(r->db, r->arena, &mi, verdict);
	*reason = verdict->reason;
	return verdict->status;
}

/*
 * Is parent_id an approved comment of post_id?  1 yes, 0 no, -1 when the
 * database fails.
 */
static int
parent_ok(struct req *r, int64_t post_id, int64_t parent_id)
{
	struct comment c;
	int rc = comments_get(r->db, r->arena, parent_id, &c);

	if (rc == STORE_ERR)
		return -1;
	return rc == STORE_OK && c.post_id == post_id && c.status == COMMENT_APPROVED;
}

/*
 * Why this submission is spam by the form's own defences (honeypot, token),
 * or NULL when it looks like a person's.
 */
static const char *
form_spam_reason(struct req *r, const struct post *p)
{
	enum comment_token_rc trc;
	const char *honeypot;
	size_t len;

	honeypot = req_form_value(r, HONEYPOT_FIELD, &len);
	if (honeypot != NULL && len > 0)
		return "honeypot field filled in";
	trc = comment_token_check(r->db->secret, req_form(r, "token"), p->id, r->now,
				  r->cfg->min_form_seconds);
	if (trc != COMMENT_TOKEN_OK)
		return comment_token_reason(trc);
	return NULL;
}

/*
 * The subscribe_comments and subscribe_posts boxes (only while mail is on):
 * ticked ones go into f, and need an email we can mail (else an error on
 * the email field).
 */
static void
subscribe_check(struct req *r, struct comment_form *f)
{
	const char *email = f->value[COMMENT_FIELD_EMAIL];

	if (!mailer_enabled(r->cfg))
		return;
	f->subscribe_comments = req_form(r, "subscribe_comments") != NULL;
	f->subscribe_posts = req_form(r, "subscribe_posts") != NULL;
	if ((!f->subscribe_comments && !f->subscribe_posts) || f->error[COMMENT_FIELD_EMAIL])
		return;
	if (email == NULL || *email == '\0')
		f->error[COMMENT_FIELD_EMAIL] = "Give your email to be notified by mail.";
	else if (!mail_address_valid(email))
		f->error[COMMENT_FIELD_EMAIL] = "Mail cannot be sent to this address.";
	else
		return;
	f->nerrors++;
}

/* n with thousands separators ("10,000"), in the arena. */
static const char *
thousands(struct arena *a, long long n)
{
	char digits[32], out[48];
	int len = snprintf(digits, sizeof(digits), "%lld", n < 0 ? 0 : n), i, o = 0;

	for (i = 0; i < len; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = digits[i];
	}
	out[o] = '\0';
	return arena_strdup(a, out);
}

const char *
site_comment_limit_text(struct req *r)
{
	return arena_printf(r->arena, "at most %s characters",
			    thousands(r->arena, r->cfg->max_comment_bytes));
}

/* The post page again with the reader's form: a refusal, or a preview when preview_html.s is set. */
static int
refill_page(struct req *r, const struct post *p, const struct comment_form *f, int status,
	    const char *message, struct html preview_html)
{
	struct comment_form_state state;
	enum comment_token_rc trc;
	const char *token = req_form(r, "token");

	/* Time counts from the first form served: a genuine token is served again. */
	trc = comment_token_check(r->db->secret, token, p->id, r->now, 0);
	state.form = f;
	state.message = message;
	state.token = trc == COMMENT_TOKEN_OK ? token : NULL;
	state.preview_html = preview_html;
	return site_post_page(r, p, &state, status);
}

int
site_comment_refill(struct req *r, const struct post *p, const struct comment_form *f,
		    int status, const char *message)
{
	return refill_page(r, p, f, status, message, html_trust(NULL));
}

/*
 * The preview button: 200, the post page with the comment rendered exactly
 * as the store renders it (MARKDOWN_COMMENT) and the form refilled.
 * Nothing is stored and no limit is counted.
 */
static int
comment_preview(struct req *r, const struct post *p, const struct comment_form *f)
{
	const char *md = f->value[COMMENT_FIELD_COMMENT];
	return refill_page(r, p, f, 200, NULL,
			   markdown_html(r->arena, md, strlen(md), MARKDOWN_COMMENT));
}

/*
 * The database or the disk failed while taking a comment (locked past its
 * wait, full, read-only): nothing is kept, and the reader gets 503 with
 * Retry-After and the post page with their text, to send again.
 */
static int
intake_unavailable(struct req *r, const struct post *p, const struct comment_form *f)
{
	db_rollback(r->db);
	resp_header(r, "Retry-After", "5");
	return site_comment_refill(r, p, f, 503,
	    "Your comment was not posted: the site is busy for a moment. "
	    "Your text is kept below; please send it again in a few seconds.");
}

/*
 * 303 to comment id on p, remembering it in this browser's own-comments
 * cookie (and name, email and website in the remember-me cookie when the
 * reader asked for it).
 */
static int
intake_accepted(struct req *r, const struct post *p, const struct comment *c, int64_t id)
{
	int64_t ids[COMMENT_MINE_MAX];
	size_t nids, i;

	if (req_form(r, "remember") != NULL)
		resp_cookie(r, READER_COOKIE, comment_reader_make(r->arena, c->author, c->email, c->url),
			    *r->cfg->mount ? r->cfg->mount : "/", READER_MAX_AGE, 1, "Lax");
	else if (req_cookie(r, READER_COOKIE) != NULL)
		reader_forget(r);
	nids = mine_ids(r, ids);
	for (i = 0; i < nids && ids[i] != id; i++)
		;
	if (i == nids)
		resp_cookie(r, MINE_COOKIE, comment_mine_make(r->arena, r->db->secret, ids, nids, id),
			    *r->cfg->mount ? r->cfg->mount : "/", MINE_MAX_AGE, 1, "Lax");
	return resp_redirect(r, 303, arena_printf(r->arena, "/posts/%s#comment-%" PRId64,
						  p->slug, id));
}

/*
 * POST /posts/SLUG/comments.  404 for a missing post and 403 for closed
 * comments before anything else; then 413/415 for the body, 413 for a
 * comment over max_comment_bytes, 422 (the post page again, refilled) for
 * bad fields, 429 with Retry-After past the per-address limit.  Otherwise
 * the comment is committed (pending, or spam for a failed honeypot or
 * token, which is answered the same) and the answer is 303 to the post.
 */
int
site_comment_post(struct site_req *site)
{
	struct req *r = site->r;
	struct comment_form f;
	struct comment c;
	struct post p;
	char ip_hash[RATELIMIT_HASH_HEX], token_key[COMMENT_KEY_HEX], text_key[COMMENT_KEY_HEX];
	const char *reason, *bucket, *token;
	enum comment_token_rc trc;
	struct moderation_verdict verdict;
	int64_t existing = 0;
	size_t max = (size_t)r->cfg->max_comment_bytes;
	int rc, used = STORE_NOTFOUND, retry_after = 0, classified = 0, form_seconds = -1;

	if ((rc = site_load_post(r, &p)) != STORE_OK)
		return rc;
	if (!comment_post_open(&p, r->cfg->comments_open_days, r->now))
		return 403;
	/* Another site's page may not make its visitors post here. */
	if (!req_same_origin(r))
		return site_cross_site(r);
	if ((rc = req_read_form(r, max * 4 + 16384)) != 0) {
		if (rc != 413)
			return rc;
		/* Too large to read: the page again, with nothing to refill. */
		return site_comment_refill(r, &p, NULL, 413, arena_printf(r->arena,
		    "Your comment was not posted: it is far longer than this site accepts "
		    "(%s).", site_comment_limit_text(r)));
	}

	site_comment_form_read(r, &f);
	if ((rc = site_comment_validate(r, &f)) == 413)
		return site_comment_refill(r, &p, &f, 413, NULL);
	subscribe_check(r, &f);
	if (rc == 0 && f.parent_id > 0) {
		int ok = parent_ok(r, p.id, f.parent_id);
		if (ok < 0)
			return 500;
		if (!ok) {
			f.error[COMMENT_FIELD_PARENT] =
			    "The comment you replied to is not on this post, or not shown yet.";
			f.nerrors++;
		}
	}
	if (f.nerrors > 0)
		return site_comment_refill(r, &p, &f, 422, NULL);
	if (req_form(r, "preview") != NULL)
		return comment_preview(r, &p, &f);

	ratelimit_address_hash(r->db, r->remote_addr, ip_hash);
	memset(&c, 0, sizeof(c));
	c.post_id = p.id;
	c.parent_id = f.parent_id;
	c.author = f.value[COMMENT_FIELD_AUTHOR];
	c.email = f.value[COMMENT_FIELD_EMAIL];
	c.url = f.value[COMMENT_FIELD_URL];
	c.body_md = f.value[COMMENT_FIELD_COMMENT];
	c.body_html = markdown_html(r->arena, c.body_md, strlen(c.body_md), MARKDOWN_COMMENT);
	c.created_at = r->now;
	c.ip_hash = ip_hash;
	/* The form's defences first, then the moderators' rules, blocks and the classifier. */
	if ((reason = form_spam_reason(r, &p)) != NULL)
		c.status = COMMENT_SPAM;
	else {
		time_t issued = comment_token_issued(req_form(r, "token"));
		struct moderation_input mi = { c.author, c.email, c.url, c.ip_hash, c.body_md, -1, 0, 0, 0 };

		if (issued >= 0 && r->now >= issued && r->now - issued < 1000000000)
			mi.form_seconds = (int)(r->now - issued);
		form_seconds = mi.form_seconds;
		c.status = site_comment_classify(r, &mi, &reason, &verdict);
		classified = 1;
	}
	c.spam_reason = c.status == COMMENT_SPAM && reason ? reason : "";
	/* A token made for this post is good for one comment: it is recorded with it. */
	token = req_form(r, "token");
	trc = comment_token_check(r->db->secret, token, p.id, r->now, 0);
	if (trc == COMMENT_TOKEN_OK) {
		comment_token_key(token, token_key);
		comment_text_key(c.author, c.body_md, text_key);
	}

	/* The token's record, the limit's check and the comment commit together, or none does. */
	if (db_begin(r->db) != STORE_OK)
		return intake_unavailable(r, &p, &f);
	if (trc == COMMENT_TOKEN_OK) {
		used = comments_token_use(r->db, token_key, text_key, &existing);
		if (used == STORE_ERR)
			return intake_unavailable(r, &p, &f);
		if (used == STORE_OK) {
			/* The same form again (Back, then Send): the comment it brought. */
			db_rollback(r->db);
			return intake_accepted(r, &p, &c, existing);
		}
		if (used == STORE_CONFLICT) {
			c.status = COMMENT_SPAM;
			c.spam_reason = "form token used before for another comment";
		}
	}
	if (r->cfg->comments_per_minute > 0) {
		bucket = arena_printf(r->arena, "comment:%s", *ip_hash ? ip_hash : "unknown");
		rc = ratelimit_hit(r->db, bucket, r->now, RATE_WINDOW,
				   r->cfg->comments_per_minute, &retry_after);
		if (rc != RATELIMIT_ALLOWED) {
			if (rc != RATELIMIT_LIMITED)
				return intake_unavailable(r, &p, &f);
			db_rollback(r->db);
			resp_header(r, "Retry-After", arena_printf(r->arena, "%d", retry_after));
			return site_comment_refill(r, &p, &f, 429, arena_printf(r->arena,
			    "Your comment was not posted: this site takes at most %d comments a "
			    "minute from one address. Your text is kept below; please send it "
			    "again in %d second%s.", r->cfg->comments_per_minute, retry_after,
			    retry_after == 1 ? "" : "s"));
		}
	}
	/* What the comment causes by mail is recorded with it (sent after the response). */
	if (comments_insert(r->db, &c) != STORE_OK ||
	    (trc == COMMENT_TOKEN_OK && used == STORE_NOTFOUND &&
	     comments_token_record(r->db, token_key, text_key, c.id, r->now,
				   r->now - COMMENT_TOKEN_LIFETIME - 3600) != STORE_OK) ||
	    mailer_comment_stored(r->db, r->cfg, &c, r->now) != STORE_OK ||
	    (c.status != COMMENT_SPAM &&
	    mailer_subscribe(r->db, r->arena, r->cfg, c.email, p.id, f.subscribe_comments,
			     f.subscribe_posts, ip_hash, r->now) == STORE_ERR) ||
	    spam_record(r->db, c.id, classified ? &verdict.spam : NULL, form_seconds) != STORE_OK ||
	    db_commit(r->db) != STORE_OK)
		return intake_unavailable(r, &p, &f);
	return intake_accepted(r, &p, &c, c.id);
}

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
	nids = mine_ids(r, ids);
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
	    struct mu_map *m, int can_reply)
{
	int pending = c->status != COMMENT_APPROVED;
	int editable = site_comment_editable(r, c) && site_comment_is_mine(r, c->id);

	mu_set_int(m, "id", c->id);
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
	     size_t n, int can_reply)
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
		comment_map(r, p, t[i].comment, m, can_reply);
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
	mu_set_str(m, "honeypot_name", HONEYPOT_FIELD);
	mu_set_str(m, "prompt", r->cfg->comment_prompt && *r->cfg->comment_prompt ?
		   r->cfg->comment_prompt : NULL);
	/* A fresh form starts from what the reader asked us to remember. */
	for (i = 0; i < COMMENT_FIELD__MAX; i++)
		values[i] = f ? f->value[i] : "";
	remembered = reader_remembered(r, &values[COMMENT_FIELD_AUTHOR],
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
		const char *name = field_names[i];
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
	size_t approved;
	int open = comment_post_open(p, r->cfg->comments_open_days, r->now);

	if (load_thread_comments(r, p, &shown, &approved) != 0)
		return 500;
	comments_thread(r->arena, &shown, COMMENT_THREAD_DEPTH, &thread);
	/* The heading counts what this reader sees, their own waiting comments too. */
	mu_set_int(d, "count", (long long)shown.len);
	mu_set_str(d, "count_label", shown.len == 0 ? "No comments yet" :
		   shown.len == 1 ? "1 comment" :
		   arena_printf(r->arena, "%zu comments", shown.len));
	mu_set_str(d, "count_pending", shown.len > approved ?
		   arena_printf(r->arena, "%zu awaiting moderation", shown.len - approved) : NULL);
	mu_set_list(d, "thread", thread_lists(r, p, thread, shown.len, open));
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
