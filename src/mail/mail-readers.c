/* mail-readers.c: the readers' mails: a published comment to its author and the post's followers, a new post, the confirmation of a subscription. */
#include "mailer.h"

#include <inttypes.h>
#include <string.h>
#include <strings.h>

#include "mail.h"
#include "mail-notify.h"

/* The end of every reader mail: why it came and how to stop it. */
static void
put_reader_footer(struct notify *n, struct buf *b, const char *why, const char *unsubscribe)
{
	buf_printf(b, "\n-- \nYou get this mail because you asked %s (%s/) %s.\n"
		   "To stop it, open: %s\n", n->cfg->site_title, n->cfg->base_url, why, unsubscribe);
}

static int
same_address(const char *a, const char *b)
{
	return a != NULL && b != NULL && *a != '\0' && strcasecmp(a, b) == 0;
}

/* A comment is published: tell its author (if they follow the post) and the post's followers. */
int
notify_published(struct notify *n, const struct comment *c, int tell_author)
{
	struct subscription_list list;
	struct subscriber author;
	struct comment parent;
	int has_parent = 0, rc;
	size_t i;

	if (c->parent_id > 0 && comments_get(n->db, n->a, c->parent_id, &parent) == STORE_OK)
		has_parent = 1;
	if (tell_author && mail_address_valid(c->email) &&
	    (rc = subscribers_find(n->db, n->a, c->email, &author)) != STORE_NOTFOUND) {
		int follows;

		if (rc != STORE_OK)
			return STORE_ERR;
		follows = subscriptions_follows(n->db, author.id, c->post_id);
		if (follows == STORE_ERR)
			return STORE_ERR;
		if (author.confirmed_at != 0 && follows) {
			struct buf body = BUF_INIT;
			const char *unsub = mailer_unsubscribe_url(n->a, n->cfg, n->db->secret,
			    author.id, author.email, 0, n->now);

			buf_printf(&body, "Hello %s,\n\nyour comment on \"%s\" is now published:\n"
				   "%s/posts/%s#comment-%" PRId64 "\n\n", c->author, c->post_title,
				   n->cfg->base_url, c->post_slug, c->id);
			notify_quote(&body, c->body_md);
			put_reader_footer(n, &body, "to mail you about your comments", unsub);
			rc = notify_enqueue(n, "approved", author.email,
				     arena_printf(n->a, "[%s] Your comment on \"%s\" is published",
						  n->cfg->site_title, c->post_title), body.data, 0, unsub);
			buf_free(&body);
			if (rc != STORE_OK)
				return rc;
		}
	}
	if (subscriptions_recipients(n->db, n->a, c->post_id, &list) != STORE_OK)
		return STORE_ERR;
	for (i = 0; i < list.len; i++) {
		const struct subscription *s = &list.items[i];
		int reply = has_parent && same_address(parent.email, s->email);
		struct buf body = BUF_INIT;
		const char *unsub, *subject;

		/* Nobody is told of their own comment. */
		if (same_address(c->email, s->email) || !mail_address_valid(s->email))
			continue;
		unsub = mailer_unsubscribe_url(n->a, n->cfg, n->db->secret, s->subscriber_id,
					       s->email, s->id, n->now);
		if (reply) {
			subject = arena_printf(n->a, "[%s] %s replied to your comment on \"%s\"",
					       n->cfg->site_title, c->author, c->post_title);
			buf_printf(&body, "%s replied to your comment on \"%s\":\n\n", c->author,
				   c->post_title);
		} else {
			subject = arena_printf(n->a, "[%s] New comment on \"%s\"", n->cfg->site_title,
					       c->post_title);
			buf_printf(&body, "%s commented on \"%s\":\n\n", c->author, c->post_title);
		}
		notify_quote(&body, c->body_md);
		buf_printf(&body, "\nRead it and answer: %s/posts/%s#comment-%" PRId64 "\n",
			   n->cfg->base_url, c->post_slug, c->id);
		put_reader_footer(n, &body, arena_printf(n->a, "to tell you about new comments on \"%s\"",
							 c->post_title), unsub);
		rc = notify_enqueue(n, "comment", s->email, subject, body.data, 0, unsub);
		buf_free(&body);
		if (rc != STORE_OK)
			return rc;
	}
	return STORE_OK;
}

/* A post is published: tell everyone who follows new posts. */
int
notify_post(struct notify *n, const struct post *p)
{
	struct subscription_list list;
	size_t i, len;
	int rc;

	if (subscriptions_recipients(n->db, n->a, 0, &list) != STORE_OK)
		return STORE_ERR;
	for (i = 0; i < list.len; i++) {
		const struct subscription *s = &list.items[i];
		const char *text = p->body_text ? p->body_text : "";
		struct buf body = BUF_INIT;
		const char *unsub;

		if (!mail_address_valid(s->email))
			continue;
		unsub = mailer_unsubscribe_url(n->a, n->cfg, n->db->secret, s->subscriber_id,
					       s->email, s->id, n->now);
		buf_printf(&body, "%s has a new post: \"%s\"%s%s\n%s/posts/%s\n\n", n->cfg->site_title,
			   p->title, *p->author ? " by " : "", p->author, n->cfg->base_url, p->slug);
		len = strlen(text);
		if (len > 600) {
			len = 600;
			while (len > 0 && ((unsigned char)text[len] & 0xc0) == 0x80)
				len--;
		}
		buf_append(&body, text, len);
		buf_puts(&body, len < strlen(text) ? " [...]\n" : "\n");
		put_reader_footer(n, &body, "to tell you about new posts", unsub);
		rc = notify_enqueue(n, "post", s->email,
			     arena_printf(n->a, "[%s] New post: %s", n->cfg->site_title, p->title),
			     body.data, 1, unsub);
		buf_free(&body);
		if (rc != STORE_OK)
			return rc;
	}
	return STORE_OK;
}

/* The one mail an unconfirmed address gets: what was asked for, and the link. */
int
notify_confirm(struct notify *n, const struct subscriber *s)
{
	struct subscription_list list;
	struct mail_token t;
	struct buf body = BUF_INIT;
	const char *unsub;
	size_t i;
	int rc;

	if (s->confirmed_at != 0 || !mail_address_valid(s->email))
		return STORE_OK;
	if (subscriptions_of(n->db, n->a, s->id, &list) != STORE_OK)
		return STORE_ERR;
	if (list.len == 0)
		return STORE_OK;
	memset(&t, 0, sizeof(t));
	t.kind = MAIL_TOKEN_CONFIRM;
	t.id = s->id;
	t.issued_at = n->now;
	mailer_address_state(t.state, s->email);
	unsub = mailer_unsubscribe_url(n->a, n->cfg, n->db->secret, s->id, s->email, 0, n->now);
	buf_printf(&body, "Someone, probably you, asked %s (%s/) to send mail to this address about:\n\n",
		   n->cfg->site_title, n->cfg->base_url);
	for (i = 0; i < list.len; i++) {
		if (strcmp(list.items[i].kind, "posts") == 0)
			buf_puts(&body, "  - new posts\n");
		else
			buf_printf(&body, "  - new comments on \"%s\"\n", list.items[i].post_title);
	}
	buf_printf(&body, "\nTo confirm, open this link and press the button there\n"
		   "(it works for 7 days):\n%s/subscriptions/confirm?t=%s\n\n"
		   "If it was not you, ignore this mail: nothing more will be sent to you.\n",
		   n->cfg->base_url, mail_token_make(n->a, n->db->secret, &t));
	rc = notify_enqueue(n, "confirm", s->email,
		     arena_printf(n->a, "[%s] Please confirm your subscription", n->cfg->site_title),
		     body.data, 0, unsub);
	buf_free(&body);
	return rc;
}
