/* site-comment.c: comment intake (POST /posts/SLUG/comments): reading, checking, refusing or taking a comment, and the reader's cookies. */
#include "site.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "comment_form.h"
#include "comments.h"
#include "config.h"
#include "db.h"
#include "group.h"
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
/* Window of the per-address comment limit, in seconds. */
#define RATE_WINDOW 60

const char *const site_comment_field_names[COMMENT_FIELD__MAX] = {
	[COMMENT_FIELD_AUTHOR] = "author",
	[COMMENT_FIELD_EMAIL] = "email",
	[COMMENT_FIELD_URL] = "url",
	[COMMENT_FIELD_COMMENT] = "comment",
	[COMMENT_FIELD_PARENT] = "parent",
};

size_t
site_comment_mine_ids(struct req *r, int64_t ids[COMMENT_MINE_MAX])
{
	return comment_mine_parse(r->db->secret, req_cookie(r, MINE_COOKIE), ids);
}

int
site_comment_reader(struct req *r, const char **author, const char **email, const char **url)
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
	const char *reader = site_comment_reader(r, &author, &email, &url) ?
	    req_cookie(r, READER_COOKIE) : "";
	int64_t ids[COMMENT_MINE_MAX];

	/* Only a genuine cookie changes the page; its value names it. */
	if (v == NULL || site_comment_mine_ids(r, ids) == 0)
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
	size_t n = site_comment_mine_ids(r, ids), i;

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
		f->value[i] = req_form_value(r, site_comment_field_names[i], &f->len[i]);
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
	size_t n = site_comment_mine_ids(r, ids), i;

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
 * or NULL when it looks like a person's.  *token_ok is 1 or 0 when the
 * token's signature, post and age decide whether it can be recorded as
 * used, -1 when that is still to be checked (not read, or too fast).
 */
static const char *
form_spam_reason(struct req *r, const struct post *p, int *token_ok)
{
	enum comment_token_rc trc;
	const char *honeypot;
	size_t len;

	*token_ok = -1;
	honeypot = req_form_value(r, SITE_COMMENT_HONEYPOT, &len);
	if (honeypot != NULL && len > 0)
		return "honeypot field filled in";
	trc = comment_token_check(r->db->secret, req_form(r, "token"), p->id, r->now,
				  r->cfg->min_form_seconds);
	if (trc != COMMENT_TOKEN_TOO_FAST)
		*token_ok = trc == COMMENT_TOKEN_OK;
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

const char *
site_comment_limit_text(struct req *r)
{
	return arena_printf(r->arena, "at most %s characters",
			    text_thousands(r->arena, r->cfg->max_comment_bytes));
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
	nids = site_comment_mine_ids(r, ids);
	for (i = 0; i < nids && ids[i] != id; i++)
		;
	if (i == nids)
		resp_cookie(r, MINE_COOKIE, comment_mine_make(r->arena, r->db->secret, ids, nids, id),
			    *r->cfg->mount ? r->cfg->mount : "/", MINE_MAX_AGE, 1, "Lax");
	return resp_redirect(r, 303, arena_printf(r->arena, "/posts/%s#comment-%" PRId64,
						  p->slug, id));
}

/* What intake_store decided, besides a database failure. */
enum intake_outcome {
	INTAKE_STORED,    /* the comment is kept: c->id */
	INTAKE_REPLAYED,  /* its form was sent before: the comment it brought, existing */
	INTAKE_LIMITED,   /* past the per-address limit: retry_after */
};

/* A comment on its way into the database (intake_store's context). */
struct intake {
	struct req *r;
	const struct post *p;
	const struct comment_form *f;
	struct comment *c;
	const char *ip_hash, *token_key, *text_key;
	int token_ok, classified, form_seconds;
	const struct moderation_verdict *verdict;
	enum intake_outcome outcome;
	int64_t existing;
	int retry_after;
};

/*
 * The token's record, the limit's check and the comment, in one
 * transaction on db (a db_group_fn: several readers' comments may share
 * it, each committed before it is answered).  DB_GROUP_KEEP with the
 * comment stored, DB_GROUP_UNDO for a replayed form or the limit, or
 * STORE_ERR.
 */
static int
intake_store(struct db *db, void *ctx)
{
	struct intake *in = ctx;
	struct req *r = in->r;
	struct comment *c = in->c;
	const char *bucket;
	int used = STORE_NOTFOUND, rc;

	in->outcome = INTAKE_STORED;
	if (in->token_ok) {
		used = comments_token_use(db, in->token_key, in->text_key, &in->existing);
		if (used == STORE_ERR)
			return STORE_ERR;
		if (used == STORE_OK) {
			/* The same form again (Back, then Send): the comment it brought. */
			in->outcome = INTAKE_REPLAYED;
			return DB_GROUP_UNDO;
		}
		if (used == STORE_CONFLICT) {
			c->status = COMMENT_SPAM;
			c->spam_reason = "form token used before for another comment";
		}
	}
	if (r->cfg->comments_per_minute > 0) {
		bucket = arena_printf(r->arena, "comment:%s", *in->ip_hash ? in->ip_hash : "unknown");
		rc = ratelimit_hit(db, bucket, r->now, RATE_WINDOW, r->cfg->comments_per_minute,
				   &in->retry_after);
		if (rc != RATELIMIT_ALLOWED) {
			if (rc != RATELIMIT_LIMITED)
				return STORE_ERR;
			in->outcome = INTAKE_LIMITED;
			return DB_GROUP_UNDO;
		}
	}
	/* What the comment causes by mail is recorded with it (sent after the response). */
	if (comments_insert(db, c) != STORE_OK ||
	    (in->token_ok && used == STORE_NOTFOUND &&
	     comments_token_record(db, in->token_key, in->text_key, c->id, r->now,
				   r->now - COMMENT_TOKEN_LIFETIME - 3600) != STORE_OK) ||
	    mailer_comment_stored(db, r->cfg, c, r->now) != STORE_OK ||
	    (c->status != COMMENT_SPAM &&
	    mailer_subscribe(db, r->arena, r->cfg, c->email, in->p->id, in->f->subscribe_comments,
			     in->f->subscribe_posts, in->ip_hash, r->now) == STORE_ERR) ||
	    spam_record(db, c->id, in->classified ? &in->verdict->spam : NULL,
			in->form_seconds) != STORE_OK)
		return STORE_ERR;
	return DB_GROUP_KEEP;
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
	const char *reason, *token;
	struct moderation_verdict verdict;
	struct intake in;
	size_t max = (size_t)r->cfg->max_comment_bytes;
	int rc, classified = 0, form_seconds = -1, token_ok;

	/* What the checks read comes from one snapshot, its locks taken once. */
	db_read_begin(r->db);
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
	if ((reason = form_spam_reason(r, &p, &token_ok)) != NULL)
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
	memset(&in, 0, sizeof(in));
	if (token_ok < 0)
		token_ok = comment_token_check(r->db->secret, token, p.id, r->now, 0) == COMMENT_TOKEN_OK;
	in.token_ok = token_ok;
	if (in.token_ok) {
		comment_token_key(token, token_key);
		comment_text_key(c.author, c.body_md, text_key);
	}
	in.r = r;
	in.p = &p;
	in.f = &f;
	in.c = &c;
	in.ip_hash = ip_hash;
	in.token_key = token_key;
	in.text_key = text_key;
	in.classified = classified;
	in.form_seconds = form_seconds;
	in.verdict = &verdict;

	/* The token's record, the limit's check and the comment commit together, or none does. */
	db_read_end(r->db);
	if (db_group_run(r->db, intake_store, &in) == STORE_ERR)
		return intake_unavailable(r, &p, &f);
	if (in.outcome == INTAKE_REPLAYED)
		return intake_accepted(r, &p, &c, in.existing);
	if (in.outcome == INTAKE_LIMITED) {
		resp_header(r, "Retry-After", arena_printf(r->arena, "%d", in.retry_after));
		return site_comment_refill(r, &p, &f, 429, arena_printf(r->arena,
		    "Your comment was not posted: this site takes at most %d comments a "
		    "minute from one address. Your text is kept below; please send it "
		    "again in %d second%s.", r->cfg->comments_per_minute, in.retry_after,
		    in.retry_after == 1 ? "" : "s"));
	}
	return intake_accepted(r, &p, &c, c.id);
}
