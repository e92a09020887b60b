/* admin-mail.c: /admin/mail/T, the page a moderator mail links to: one comment, acted on only by POST. */
#include "admin.h"

#include <inttypes.h>
#include <string.h>

#include "comments.h"
#include "config.h"
#include "db.h"
#include "mailer.h"
#include "mailtoken.h"
#include "moderation.h"
#include "render.h"

/* The page with a heading and a message (error: shown as one). */
static struct mu_map *
mail_page(struct admin_req *admin, const char *heading, const char *message, int error)
{
	struct mu_map *ctx = admin_context(admin, heading, "");

	mu_set_str(ctx, "message", message);
	mu_set_bool(ctx, "error", error);
	return ctx;
}

static void
comment_to_map(struct req *r, struct mu_map *ctx, const struct comment *c, const char *action)
{
	struct mu_map *m = mu_map_new(r->arena);

	mu_set_int(m, "id", c->id);
	mu_set_str(m, "author", c->author);
	mu_set_str(m, "email", *c->email ? c->email : NULL);
	mu_set_str(m, "url", *c->url ? c->url : NULL);
	mu_set_str(m, "post_title", c->post_title);
	mu_set_str(m, "post_url", arena_printf(r->arena, "%s/posts/%s", r->cfg->mount, c->post_slug));
	mu_set_str(m, "created", date_rfc3339(r->arena, c->created_at));
	mu_set_str(m, "created_human", date_human(r->arena, c->created_at));
	mu_set_str(m, "status", comment_status_name(c->status));
	/* cmark output made safe at intake. */
	mu_set_html(m, "body_html", c->body_html);
	mu_set_str(m, "action", action);
	mu_set_map(ctx, "comment", m);
}

/* The buttons of a moderator mail's page: the store's action, and the heading of the page after it. */
static const struct {
	enum moderation_action_id id;
	const char *done;
} mail_actions[] = {
	{ MODERATION_APPROVE, "Approved: the comment is on the site" },
	{ MODERATION_SPAM, "Marked as spam" },
	{ MODERATION_REJECT, "Rejected" },
};

/* The heading after the button named action, or NULL when a mail offers no such button. */
static const char *
done_heading(const char *action)
{
	const struct moderation_action *act = moderation_action_find(action);
	size_t i;

	for (i = 0; act != NULL && i < sizeof(mail_actions) / sizeof(mail_actions[0]); i++)
		if (act == &moderation_actions[mail_actions[i].id])
			return mail_actions[i].done;
	return NULL;
}

/*
 * Check the link's token against the comment as it is now.  Returns 0
 * with *c and *moderator filled, or the status of the page it rendered
 * (400 for a token that is not ours, 410 for an expired or void one).
 */
static int
check_link(struct admin_req *admin, struct comment *c, const char **moderator)
{
	struct req *r = admin->r;
	struct mail_token t;
	unsigned char fp[MAIL_FINGERPRINT_BYTES];
	int rc;

	switch (mail_token_check(r->db->secret, r->params[0], MAIL_TOKEN_MODERATE, r->now, &t)) {
	case MAIL_TOKEN_OK:
		break;
	case MAIL_TOKEN_EXPIRED:
		return admin_render(r, "admin_mail", mail_page(admin, "This link has expired",
				    "Links in moderator mails work for 7 days. Log in to moderate "
				    "the comment.", 1), 410);
	default:
		return admin_render(r, "admin_mail", mail_page(admin, "This link is not valid",
				    "Check that the whole link from the mail was copied.", 1), 400);
	}
	if ((*moderator = mailer_moderator(r->arena, r->cfg, t.who)) == NULL)
		return admin_render(r, "admin_mail", mail_page(admin, "This link is no longer valid",
				    "It was sent to an address that is no longer a moderator's.", 1),
				    410);
	if ((rc = comments_get(r->db, r->arena, t.id, c)) == STORE_ERR)
		return 500;
	if (rc == STORE_NOTFOUND)
		return admin_render(r, "admin_mail", mail_page(admin, "This comment is gone",
				    "It was deleted after the mail was sent.", 1), 410);
	mailer_comment_state(fp, c);
	if (memcmp(fp, t.state, sizeof(fp)) != 0) {
		struct mu_map *ctx = mail_page(admin, "This link is no longer valid",
		    c->status == COMMENT_PENDING ?
		    "The comment changed after the mail was sent. Log in to moderate it." :
		    "The comment was moderated already.", 1);
		comment_to_map(r, ctx, c, NULL);
		return admin_render(r, "admin_mail", ctx, 410);
	}
	return 0;
}

/*
 * GET, POST /admin/mail/T.  GET shows the comment and the Approve, Spam
 * and Reject buttons and changes nothing (mail scanners fetch links);
 * POST (field action) moderates it through the same code as the queue's
 * buttons, audited as "mail:ADDRESS".  The link is then void.
 */
int
admin_mail(struct admin_req *admin)
{
	struct req *r = admin->r;
	struct comment c;
	const char *moderator, *action, *self, *done;
	int rc;

	if ((rc = check_link(admin, &c, &moderator)) != 0)
		return rc;
	self = arena_printf(r->arena, "%s/admin/mail/%s", r->cfg->mount, r->params[0]);
	if (r->method != HTTP_POST) {
		struct mu_map *ctx = mail_page(admin, "A comment waits for moderation", NULL, 0);
		comment_to_map(r, ctx, &c, self);
		return admin_render(r, "admin_mail", ctx, 200);
	}
	if ((rc = req_read_form(r, ADMIN_FORM_LIMIT)) != 0)
		return rc;
	action = req_form(r, "action");
	if ((done = done_heading(action)) == NULL)
		return 400;
	/* Checked again under the write lock: two moderators may press at once. */
	if (db_begin(r->db) != STORE_OK)
		return 503;
	if ((rc = check_link(admin, &c, &moderator)) != 0) {
		db_rollback(r->db);
		return rc;
	}
	/* The queue's own moderation, in one place: audit, counts, whatever learns from it. */
	rc = moderation_act(r->db, r->arena, c.id, action, arena_printf(r->arena, "mail:%s", moderator),
			    r->now, NULL);
	if (rc != STORE_OK || db_commit(r->db) != STORE_OK) {
		db_rollback(r->db);
		return 500;
	}
	if (comments_get(r->db, r->arena, c.id, &c) != STORE_OK)
		return 500;
	{
		struct mu_map *ctx = mail_page(admin, done, NULL, 0);
		comment_to_map(r, ctx, &c, NULL);
		return admin_render(r, "admin_mail", ctx, 200);
	}
}
