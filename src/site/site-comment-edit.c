/* site-comment-edit.c: a commenter edits their own comment (GET, POST /posts/SLUG/comments/ID/edit). */
#include "site.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "comment_form.h"
#include "config.h"
#include "db.h"
#include "mailer.h"
#include "moderation.h"
#include "posts.h"
#include "render.h"
#include "text.h"

/* Which comment the edit URL names, with its post: STORE_OK or the status to answer. */
struct edit_target {
	struct post post;
	struct comment comment;
};

/*
 * May this browser edit the comment the route names now?  STORE_OK with t
 * filled; 404 for a missing post; 403 for a comment that is not on that
 * post, not this browser's (by its signed cookie), past edit_minutes,
 * rejected, or gone.
 */
static int
edit_target(struct req *r, struct edit_target *t)
{
	char *end;
	int64_t id;
	int rc;

	if ((rc = site_load_post(r, &t->post)) != STORE_OK)
		return rc;
	id = strtoll(r->params[1], &end, 10);
	if (*end != '\0' || id <= 0 || r->params[1][0] == '0')
		return 403;
	rc = comments_get(r->db, r->arena, id, &t->comment);
	if (rc == STORE_ERR)
		return 500;
	if (rc != STORE_OK || t->comment.post_id != t->post.id ||
	    !site_comment_is_mine(r, id) || !site_comment_editable(r, &t->comment))
		return 403;
	return STORE_OK;
}

/* The 403 page: what happened and the way back. */
static int
edit_refused(struct req *r, const struct post *p)
{
	struct mu_map *ctx = site_context(r, "You cannot edit this comment");

	mu_set_int(ctx, "status", 403);
	mu_set_str(ctx, "message", arena_printf(r->arena,
		   "A comment can be edited for %d minutes after it was posted, from the "
		   "browser that posted it.", r->cfg->edit_minutes));
	mu_set_str(ctx, "back_href", arena_printf(r->arena, "%s/posts/%s#comments",
						  r->cfg->mount, p->slug));
	mu_set_str(ctx, "back_title", p->title);
	return site_render(r, "error", ctx, 403);
}

/*
 * The edit page with status: the form filled from f (or from the stored
 * comment when f is NULL), a fresh token naming the stored text, message
 * at the top of the form.
 */
static int
edit_page(struct req *r, const struct edit_target *t, const struct comment_form *f,
	  int status, const char *message)
{
	const struct comment *c = &t->comment;
	struct mu_map *ctx = site_context(r, status >= 400 ? "Error: Edit your comment" :
					  "Edit your comment");
	time_t until = c->created_at + (time_t)r->cfg->edit_minutes * 60;
	long left = (long)((until - r->now + 59) / 60);

	mu_set_str(ctx, "post_title", t->post.title);
	mu_set_str(ctx, "post_href", arena_printf(r->arena, "%s/posts/%s", r->cfg->mount,
						  t->post.slug));
	mu_set_str(ctx, "cancel_href", arena_printf(r->arena, "%s/posts/%s#comment-%" PRId64,
						    r->cfg->mount, t->post.slug, c->id));
	mu_set_str(ctx, "action", arena_printf(r->arena, "%s/posts/%s/comments/%" PRId64
					       "/edit#comment-edit-form", r->cfg->mount,
					       t->post.slug, c->id));
	mu_set_str(ctx, "minutes_left", left <= 1 ? "1 minute" :
		   arena_printf(r->arena, "%ld minutes", left));
	mu_set_str(ctx, "until_iso", date_rfc3339(r->arena, until));
	mu_set_str(ctx, "token", comment_edit_token_make(r->arena, r->db->secret, c->id,
							 c->author, c->url, c->body_md, r->now));
	mu_set_str(ctx, "author", f ? f->value[COMMENT_FIELD_AUTHOR] : c->author);
	mu_set_str(ctx, "url", f ? f->value[COMMENT_FIELD_URL] : c->url);
	mu_set_str(ctx, "comment", f ? f->value[COMMENT_FIELD_COMMENT] : c->body_md);
	mu_set_str(ctx, "author_error", f ? f->error[COMMENT_FIELD_AUTHOR] : NULL);
	mu_set_str(ctx, "url_error", f ? f->error[COMMENT_FIELD_URL] : NULL);
	mu_set_str(ctx, "comment_error", f ? f->error[COMMENT_FIELD_COMMENT] : NULL);
	mu_set_str(ctx, "message", message);
	mu_set_bool(ctx, "has_errors", message != NULL || (f != NULL && f->nerrors > 0));
	mu_set_int(ctx, "max_comment", r->cfg->max_comment_bytes);
	mu_set_str(ctx, "limit_text", site_comment_limit_text(r));
	return site_render(r, "comment_edit", ctx, status);
}

/*
 * The status an edit leaves the comment in: the rules run again on the new
 * text (site_comment_classify, as at intake).  An approved comment goes back
 * to pending when the verdict is spam or the edit adds a link; a pending
 * one becomes spam on a spam verdict; spam stays spam.
 */
static enum comment_status
edit_status(struct req *r, const struct comment *old, const struct moderation_input *in,
	    const char **reason)
{
	enum comment_status verdict = site_comment_classify(r, in, reason, NULL);

	switch (old->status) {
	case COMMENT_APPROVED:
		if (verdict == COMMENT_SPAM ||
		    moderation_count_links(in->body_md) > moderation_count_links(old->body_md))
			return COMMENT_PENDING;
		return COMMENT_APPROVED;
	case COMMENT_PENDING:
		return verdict == COMMENT_SPAM ? COMMENT_SPAM : COMMENT_PENDING;
	default:
		return old->status;
	}
}

/* What the audit log keeps of the version an edit replaces. */
static const char *
previous_version(struct req *r, const struct comment *c)
{
	return arena_printf(r->arena, "previous version (%s):\nName: %s\nWebsite: %s\n\n%s",
			    comment_status_name(c->status), c->author, *c->url ? c->url : "-",
			    c->body_md);
}

/*
 * An approved comment the edit sent back to pending waits for the
 * moderators again: they are told as of a new one (the mail's link names
 * the edited text).  Inside the caller's transaction.
 */
static int
held_again(struct req *r, const struct comment *before, enum comment_status status)
{
	struct comment c = *before;

	if (status != COMMENT_PENDING || before->status == COMMENT_PENDING)
		return STORE_OK;
	c.status = COMMENT_PENDING;
	return mailer_comment_stored(r->db, r->cfg, &c, r->now);
}

/*
 * GET, POST /posts/SLUG/comments/ID/edit.  GET shows the form filled with
 * the comment.  POST checks the edit token (403 when forged, stale or for
 * an older text), then the fields as intake does (413 and 422: the edit
 * page again, refilled), runs the rules, and saves the new text with the
 * old one in the audit log in one transaction: 303 to the comment.  403
 * whenever edit_target refuses; 503 when the database fails.
 */
int
site_comment_edit(struct site_req *site)
{
	struct req *r = site->r;
	struct edit_target t;
	struct comment_form f;
	struct moderation_input mi;
	enum comment_status status;
	const char *reason = NULL;
	size_t max = (size_t)r->cfg->max_comment_bytes;
	int rc;

	if ((rc = edit_target(r, &t)) != STORE_OK)
		return rc == 403 ? edit_refused(r, &t.post) : rc;
	if (r->method != HTTP_POST)
		return edit_page(r, &t, NULL, 200, NULL);

	if ((rc = req_read_form(r, max * 4 + 16384)) != 0) {
		if (rc != 413)
			return rc;
		return edit_page(r, &t, NULL, 413, arena_printf(r->arena,
		    "Your change was not saved: it is far longer than this site accepts (%s).",
		    site_comment_limit_text(r)));
	}
	if (comment_edit_token_check(r->arena, r->db->secret, req_form(r, "edit_token"),
				     t.comment.id, t.comment.author, t.comment.url,
				     t.comment.body_md, r->now) != COMMENT_TOKEN_OK)
		return edit_refused(r, &t.post);

	site_comment_form_read(r, &f);
	/* Only these fields can change; the others keep what the comment has. */
	f.value[COMMENT_FIELD_EMAIL] = t.comment.email;
	f.len[COMMENT_FIELD_EMAIL] = strlen(t.comment.email);
	f.value[COMMENT_FIELD_PARENT] = NULL;
	if ((rc = site_comment_validate(r, &f)) != 0)
		return edit_page(r, &t, &f, rc, NULL);

	mi = (struct moderation_input){ f.value[COMMENT_FIELD_AUTHOR], t.comment.email,
		f.value[COMMENT_FIELD_URL], t.comment.ip_hash, f.value[COMMENT_FIELD_COMMENT], -1, 0, 0, 0 };
	status = edit_status(r, &t.comment, &mi, &reason);
	if (db_begin(r->db) != STORE_OK)
		goto busy;
	if (comments_update_text(r->db, t.comment.id, mi.author, mi.url, mi.body_md,
				 markdown_html(r->arena, mi.body_md, strlen(mi.body_md),
					       MARKDOWN_COMMENT), status,
				 status == COMMENT_SPAM ? (reason && *reason ? reason :
				 t.comment.spam_reason) : "", r->now) != STORE_OK ||
	    audit_add(r->db, r->now, arena_printf(r->arena, "reader:%s", t.comment.author),
		      status != t.comment.status ? arena_printf(r->arena, "edit (%s)",
		      comment_status_name(status)) : "edit", t.comment.id,
		      previous_version(r, &t.comment)) != STORE_OK ||
	    held_again(r, &t.comment, status) != STORE_OK ||
	    db_commit(r->db) != STORE_OK) {
		db_rollback(r->db);
		goto busy;
	}
	return resp_redirect(r, 303, arena_printf(r->arena, "/posts/%s#comment-%" PRId64,
						  t.post.slug, t.comment.id));
busy:
	resp_header(r, "Retry-After", "5");
	return edit_page(r, &t, &f, 503, "Your change was not saved: the site is busy for a "
			 "moment. Your text is kept below; please save it again in a few seconds.");
}
