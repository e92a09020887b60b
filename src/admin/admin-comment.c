/* admin-comment.c: one comment in its context, and the author's answers and fixes: reply and edit. */
#include "admin.h"

#include <string.h>

#include "audit.h"
#include "comment_admin.h"
#include "comments.h"
#include "config.h"
#include "db.h"
#include "mailer.h"
#include "posts.h"
#include "render.h"
#include "sessions.h"

/* Other comments from the same email or address shown on a comment's page. */
#define CONTEXT_MAX 10
/* The reader form's limits, which an admin's edit keeps. */
#define AUTHOR_CHARS_MAX 100
#define URL_BYTES_MAX 2000

/* What a reply or an edit sent, to refill the forms when it is refused. */
struct desk_form {
	const char *reply;              /* the reply's text */
	const char *author, *url, *comment;     /* the edit's fields */
	const char *reply_error, *edit_error;
};

/* Cards for a list, in the arena. */
static struct mu_list *
cards(struct req *r, const struct comment_list *list)
{
	struct mu_list *l = mu_list_new(r->arena);
	size_t i;

	for (i = 0; i < list->len; i++)
		mu_list_push(l, mu_map_value(admin_comment_card(r, &list->items[i], -1)));
	return l;
}

/*
 * The comment page: the comment, its post, what it answers (quoted, with
 * its place on the site), its replies of every status, and the other
 * comments from the same email and address; the reply and edit forms,
 * refilled from f when a submission was refused.  Renders with status.
 */
static int
comment_page(struct admin_req *admin, int64_t id, const struct desk_form *f, int status)
{
	struct req *r = admin->r;
	struct comment c, parent;
	struct comment_list replies, same_email, same_address;
	struct comment_filter filter = { .status = -1, .exclude_id = id };
	struct post post;
	struct mu_map *ctx, *card;
	int rc;

	if ((rc = comments_get(r->db, r->arena, id, &c)) != STORE_OK)
		return rc == STORE_NOTFOUND ? 404 : 500;
	if (posts_get_by_id(r->db, r->arena, c.post_id, &post) != STORE_OK ||
	    comments_replies(r->db, r->arena, id, &replies) != STORE_OK)
		return 500;
	ctx = admin_context(admin, arena_printf(r->arena, "Comment by %s", c.author), "");
	admin_feedback(admin, ctx);
	mu_set_str(ctx, "return", arena_printf(r->arena, "/admin/comments/%lld", (long long)id));
	mu_set_str(ctx, "form_id", "actions");
	card = admin_comment_card(r, &c, 0);
	mu_set_map(ctx, "comment", card);
	mu_set_str(ctx, "post_title", post.title);
	mu_set_str(ctx, "post_url", arena_printf(r->arena, "%s/posts/%s", r->cfg->mount, post.slug));
	mu_set_bool(ctx, "post_closed", !post.comments_open ||
		    (r->cfg->comments_open_days > 0 &&
		     r->now - post.published_at > (time_t)r->cfg->comments_open_days * 86400));
	if (c.parent_id > 0 && comments_get(r->db, r->arena, c.parent_id, &parent) == STORE_OK) {
		const char *text = markdown_text(r->arena, parent.body_md, strlen(parent.body_md));
		struct mu_map *p = mu_map_new(r->arena);

		mu_set_str(p, "author", parent.author);
		mu_set_str(p, "excerpt", admin_excerpt(r->arena, text, 300));
		mu_set_str(p, "status", comment_status_name(parent.status));
		mu_set_str(p, "admin_url", arena_printf(r->arena, "%s/admin/comments/%lld",
							r->cfg->mount, (long long)parent.id));
		if (parent.status == COMMENT_APPROVED)
			mu_set_str(p, "site_url", arena_printf(r->arena, "%s/posts/%s#comment-%lld",
				   r->cfg->mount, post.slug, (long long)parent.id));
		mu_set_map(ctx, "parent", p);
	}
	mu_set_list(ctx, "replies", cards(r, &replies));
	mu_set_bool(ctx, "has_replies", replies.len > 0);
	if (*c.email != '\0') {
		filter.email = c.email;
		if (comments_find(r->db, r->arena, &filter, 1, CONTEXT_MAX, &same_email) != STORE_OK)
			return 500;
		mu_set_list(ctx, "same_email", cards(r, &same_email));
		mu_set_bool(ctx, "has_same_email", same_email.len > 0);
		mu_set_bool(ctx, "more_same_email", same_email.has_more);
		filter.email = NULL;
	}
	if (*c.ip_hash != '\0') {
		filter.ip_hash = c.ip_hash;
		if (comments_find(r->db, r->arena, &filter, 1, CONTEXT_MAX, &same_address) != STORE_OK)
			return 500;
		mu_set_list(ctx, "same_address", cards(r, &same_address));
		mu_set_bool(ctx, "has_same_address", same_address.len > 0);
		mu_set_bool(ctx, "more_same_address", same_address.has_more);
	}
	mu_set_bool(ctx, "can_reply", c.status == COMMENT_APPROVED || c.status == COMMENT_PENDING);
	mu_set_bool(ctx, "reply_approves", c.status == COMMENT_PENDING);
	mu_set_str(ctx, "reply_text", f != NULL && f->reply ? f->reply : "");
	mu_set_str(ctx, "edit_author", f != NULL && f->author ? f->author : c.author);
	mu_set_str(ctx, "edit_url", f != NULL && f->url ? f->url : c.url);
	mu_set_str(ctx, "edit_comment", f != NULL && f->comment ? f->comment : c.body_md);
	if (f != NULL && f->reply_error)
		mu_set_str(ctx, "reply_error", f->reply_error);
	if (f != NULL && f->edit_error)
		mu_set_str(ctx, "edit_error", f->edit_error);
	mu_set_int(ctx, "max_comment_bytes", r->cfg->max_comment_bytes);
	return admin_render(r, "admin_comment", ctx, status);
}

/* GET /admin/comments/ID */
int
admin_comment_page(struct admin_req *admin)
{
	struct req *r = admin->r;
	int64_t id = admin_parse_id(r->params[0]);

	return id == 0 ? 404 : comment_page(admin, id, NULL, 200);
}

/*
 * The text of a reply or an edit: the problem in *error and the status to
 * answer with (422, or 413 when too long), or 0 when it is fine.
 */
static int
check_text(struct req *r, const char *text, const char **error)
{
	size_t len = text ? strlen(text) : 0, i;

	for (i = 0; i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' ||
	     text[i] == '\n'); i++)
		;
	if (i == len) {
		*error = "Write something first: the text is empty.";
		return 422;
	}
	if (len > (size_t)r->cfg->max_comment_bytes) {
		*error = arena_printf(r->arena, "The text is too long: at most %d characters.",
				      r->cfg->max_comment_bytes);
		return 413;
	}
	if (!utf8_valid_text(text, len)) {
		*error = "The text holds characters a page cannot show.";
		return 422;
	}
	return 0;
}

/*
 * POST /admin/comments/ID/reply, field comment: the logged-in admin
 * answers as the site's author.  Stored approved with the author mark; a
 * pending parent is approved with it, in the same transaction.  Closed
 * comments do not stop the author.  A rejected, spam or trashed parent:
 * 409 (approve or restore it first).
 */
int
admin_comment_reply(struct admin_req *admin)
{
	struct req *r = admin->r;
	int64_t id = admin_parse_id(r->params[0]), reply_entry = 0, approve_entry = 0;
	const char *text = req_form(r, "comment");
	struct desk_form f = { .reply = text };
	struct comment parent, c;
	int rc, status;

	if (id == 0)
		return 404;
	if ((rc = comments_get(r->db, r->arena, id, &parent)) != STORE_OK)
		return rc == STORE_NOTFOUND ? 404 : 500;
	if ((status = check_text(r, text, &f.reply_error)) != 0)
		return comment_page(admin, id, &f, status);
	if (parent.status != COMMENT_APPROVED && parent.status != COMMENT_PENDING) {
		f.reply_error = "Only a pending or approved comment can be answered: approve or restore it first.";
		return comment_page(admin, id, &f, 409);
	}
	memset(&c, 0, sizeof(c));
	c.post_id = parent.post_id;
	c.parent_id = parent.id;
	c.status = COMMENT_APPROVED;
	c.author = admin->session->user_name;
	c.body_md = text;
	c.body_html = markdown_html(r->arena, text, strlen(text), MARKDOWN_COMMENT);
	c.created_at = r->now;
	c.by_author = 1;
	if (db_begin(r->db) != STORE_OK)
		return 500;
	rc = STORE_OK;
	if (parent.status == COMMENT_PENDING) {
		rc = comments_set_status(r->db, parent.id, COMMENT_APPROVED);
		if (rc == STORE_OK)
			rc = audit_add_change(r->db, r->now, admin->session->user_name, "approve",
					      parent.id, "pending", "was pending (answered)",
					      &approve_entry);
	}
	if (rc == STORE_OK)
		rc = comments_insert(r->db, &c);
	/* The post's followers hear of the answer, as of any published comment. */
	if (rc == STORE_OK)
		rc = mailer_comment_stored(r->db, r->cfg, &c, r->now);
	if (rc == STORE_OK)
		rc = audit_add_change(r->db, r->now, admin->session->user_name, "reply", c.id, "",
				      arena_printf(r->arena, "to #%lld by %s", (long long)parent.id,
						   parent.author), &reply_entry);
	if (rc != STORE_OK || db_commit(r->db) != STORE_OK) {
		db_rollback(r->db);
		return 500;
	}
	return admin_redirect_done(r, approve_entry ? approve_entry : reply_entry, reply_entry);
}

/*
 * POST /admin/comments/ID/edit, fields author, url, comment: fix a
 * comment.  Re-rendered; the old name, website and text go to the audit
 * log in the same transaction.  Refused fields: 422 (413 for a text over
 * the limit) with the form refilled.
 */
int
admin_comment_edit(struct admin_req *admin)
{
	struct req *r = admin->r;
	int64_t id = admin_parse_id(r->params[0]), entry = 0;
	struct desk_form f = {
		.author = req_form(r, "author"), .url = req_form(r, "url"),
		.comment = req_form(r, "comment"),
	};
	const char *author = f.author ? f.author : "", *url = f.url ? f.url : "";
	struct comment c;
	size_t alen;
	int rc, status;

	if (id == 0)
		return 404;
	if ((rc = comments_get(r->db, r->arena, id, &c)) != STORE_OK)
		return rc == STORE_NOTFOUND ? 404 : 500;
	while (*author == ' ' || *author == '\t')
		author++;
	alen = strlen(author);
	while (alen > 0 && (author[alen - 1] == ' ' || author[alen - 1] == '\t'))
		alen--;
	author = arena_strndup(r->arena, author, alen);
	if ((status = check_text(r, f.comment, &f.edit_error)) != 0)
		return comment_page(admin, id, &f, status);
	if (alen == 0 || !utf8_valid_text(author, alen) || utf8_length(author, alen) > AUTHOR_CHARS_MAX) {
		f.edit_error = "The name is required: 1 to 100 characters.";
		return comment_page(admin, id, &f, 422);
	}
	if (*url != '\0' && (url_web_scheme(url) == 0 || strlen(url) > URL_BYTES_MAX ||
	    !utf8_valid_text(url, strlen(url)) || strpbrk(url, " \t\r\n") != NULL)) {
		f.edit_error = "The website must start with http:// or https:// (at most 2,000 characters), or be empty.";
		return comment_page(admin, id, &f, 422);
	}
	if (db_begin(r->db) != STORE_OK)
		return 500;
	rc = comments_edit(r->db, id, author, url, f.comment,
			   markdown_html(r->arena, f.comment, strlen(f.comment), MARKDOWN_COMMENT),
			   r->now);
	if (rc == STORE_OK)
		rc = audit_add_change(r->db, r->now, admin->session->user_name, "edit", id,
				      comment_status_name(c.status),
				      arena_printf(r->arena, "before: name \u201c%s\u201d, website \u201c%s\u201d, text:\n%s",
						   c.author, c.url, c.body_md), &entry);
	if (rc != STORE_OK || db_commit(r->db) != STORE_OK) {
		db_rollback(r->db);
		return rc == STORE_NOTFOUND ? 404 : 500;
	}
	return admin_redirect_done(r, entry, entry);
}
