/* mail-notify.c: who is told what: events recorded with each change, turned into queued messages. */
#include "mailer.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "log.h"
#include "mail.h"
#include "mailqueue.h"
#include "posts.h"
#include "ratelimit.h"
#include "subscriptions.h"

/* An unconfirmed address gets another confirmation mail after this long at the soonest. */
#define CONFIRM_RESEND_SECONDS (24 * 3600)
/* Confirmation mails one address hash may cause in an hour. */
#define CONFIRM_PER_HOUR 3
/* Events older than this when the worker finds them (mail was off) are dropped. */
#define EVENT_MAX_AGE (2 * 24 * 3600)
/* Comment text quoted in a mail, in bytes. */
#define QUOTE_MAX 4000
/* Comments one digest lists in full. */
#define DIGEST_MAX 50

int
mailer_enabled(const struct config *cfg)
{
	return cfg->mail_from != NULL && *cfg->mail_from != '\0' &&
	    cfg->mail_command != NULL && *cfg->mail_command != '\0';
}

int
mailer_comment_stored(struct db *db, const struct config *cfg, const struct comment *c,
		      time_t now)
{
	if (!mailer_enabled(cfg))
		return STORE_OK;
	if (c->status == COMMENT_PENDING)
		return mailqueue_event_add(db, "pending", c->id, c->post_id, 0, now);
	if (c->status == COMMENT_APPROVED)
		return mailqueue_event_add(db, "published", c->id, c->post_id, 0, now);
	return STORE_OK;
}

int
mailer_post_published(struct db *db, const struct config *cfg, int64_t post_id, time_t now)
{
	if (!mailer_enabled(cfg))
		return STORE_OK;
	return mailqueue_event_add(db, "post", 0, post_id, 0, now);
}

int
mailer_subscribe(struct db *db, struct arena *a, const struct config *cfg, const char *email,
		 int64_t post_id, int comments, int posts, const char *ip_hash, time_t now)
{
	struct subscriber s;
	int64_t id;
	int retry_after;
	const char *bucket;

	if (!mailer_enabled(cfg) || (!comments && !posts) || !mail_address_valid(email))
		return MAILER_SUBSCRIBE_NONE;
	if (subscribers_ensure(db, email, now, &id) != STORE_OK ||
	    (comments && subscriptions_add(db, id, "comments", post_id, now) != STORE_OK) ||
	    (posts && subscriptions_add(db, id, "posts", 0, now) != STORE_OK) ||
	    subscribers_get(db, a, id, &s) != STORE_OK)
		return STORE_ERR;
	if (s.confirmed_at != 0)
		return MAILER_SUBSCRIBE_ACTIVE;
	if (s.confirm_sent_at != 0 && now - s.confirm_sent_at < CONFIRM_RESEND_SECONDS)
		return MAILER_SUBSCRIBE_WAITING;
	bucket = arena_printf(a, "confirm:%s", ip_hash && *ip_hash ? ip_hash : "unknown");
	switch (ratelimit_hit(db, bucket, now, 3600, CONFIRM_PER_HOUR, &retry_after)) {
	case RATELIMIT_ALLOWED:
		break;
	case RATELIMIT_LIMITED:
		return MAILER_SUBSCRIBE_WAITING;
	default:
		return STORE_ERR;
	}
	if (subscribers_set_confirm_sent(db, id, now) != STORE_OK ||
	    mailqueue_event_add(db, "confirm", 0, 0, id, now) != STORE_OK)
		return STORE_ERR;
	return MAILER_SUBSCRIBE_CONFIRM;
}

void
mailer_comment_state(unsigned char out[MAIL_FINGERPRINT_BYTES], const struct comment *c)
{
	const char *parts[] = { comment_status_name(c->status), c->author, c->email, c->url,
		c->body_md };

	mail_fingerprint(out, parts, sizeof(parts) / sizeof(parts[0]), 0);
}

void
mailer_address_state(unsigned char out[MAIL_FINGERPRINT_BYTES], const char *email)
{
	mail_fingerprint(out, &email, 1, 1);
}

/*
 * Call each(address) for every well-formed address in moderator_emails;
 * stops early and returns what each returned when it is not 0.
 */
static int
each_moderator(const struct config *cfg, struct arena *a,
	       int (*each)(void *ctx, const char *address), void *ctx)
{
	const char *p = cfg->moderator_emails ? cfg->moderator_emails : "";

	while (*p != '\0') {
		const char *end = strchr(p, ','), *s = p, *e;
		const char *address;
		int rc;

		if (end == NULL)
			end = p + strlen(p);
		e = end;
		while (s < e && (*s == ' ' || *s == '\t'))
			s++;
		while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		address = arena_strndup(a, s, (size_t)(e - s));
		if (mail_address_valid(address) && (rc = each(ctx, address)) != 0)
			return rc;
		p = *end ? end + 1 : end;
	}
	return 0;
}

struct moderator_match {
	const unsigned char *who;
	const char *found;
};

static int
match_moderator(void *ctx, const char *address)
{
	struct moderator_match *m = ctx;
	unsigned char fp[MAIL_FINGERPRINT_BYTES];

	mailer_address_state(fp, address);
	if (memcmp(fp, m->who, sizeof(fp)) != 0)
		return 0;
	m->found = address;
	return 1;
}

const char *
mailer_moderator(struct arena *a, const struct config *cfg,
		 const unsigned char who[MAIL_FINGERPRINT_BYTES])
{
	struct moderator_match m = { who, NULL };

	each_moderator(cfg, a, match_moderator, &m);
	return m.found;
}

const char *
mailer_unsubscribe_url(struct arena *a, const struct config *cfg, const unsigned char *secret,
		       int64_t subscriber_id, const char *email, int64_t subscription_id,
		       time_t now)
{
	struct mail_token t;

	memset(&t, 0, sizeof(t));
	t.kind = MAIL_TOKEN_UNSUBSCRIBE;
	t.id = subscriber_id;
	t.sub = subscription_id;
	t.issued_at = now;
	mailer_address_state(t.state, email);
	return arena_printf(a, "%s/subscriptions/unsubscribe?t=%s", cfg->base_url,
			    mail_token_make(a, secret, &t));
}

/* What one event's expansion needs at hand. */
struct notify {
	struct db *db;
	const struct config *cfg;
	struct arena *a;
	time_t now;
};

/* "2026-12-01 20:58 UTC" */
static const char *
when(struct arena *a, time_t t)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	return arena_printf(a, "%04d-%02d-%02d %02d:%02d UTC", tm.tm_year + 1900, tm.tm_mon + 1,
			    tm.tm_mday, tm.tm_hour, tm.tm_min);
}

/* Append text (a comment's Markdown) quoted with "> ", line ends normalised, at most QUOTE_MAX bytes. */
static void
put_quote(struct buf *b, const char *text)
{
	size_t n = strlen(text), i;
	int at_start = 1;

	if (n > QUOTE_MAX) {
		n = QUOTE_MAX;
		while (n > 0 && ((unsigned char)text[n] & 0xc0) == 0x80)
			n--;
	}
	for (i = 0; i < n; i++) {
		char ch = text[i];
		if (ch == '\r')
			continue;
		if (at_start) {
			buf_puts(b, "> ");
			at_start = 0;
		}
		if (ch == '\n') {
			buf_putc(b, '\n');
			at_start = 1;
		} else if ((unsigned char)ch < 0x20 && ch != '\t')
			buf_putc(b, ' ');
		else
			buf_putc(b, ch);
	}
	if (n < strlen(text))
		buf_puts(b, " [...]");
	if (!at_start)
		buf_putc(b, '\n');
}

/*
 * Queue one composed message for rcpt unless it has had
 * mail_per_address_per_day already.  STORE_OK (queued or skipped) or STORE_ERR.
 */
static int
enqueue(struct notify *n, const char *kind, const char *rcpt, const char *subject,
	const char *body, int bulk, const char *unsubscribe)
{
	struct buf msg = BUF_INIT, id = BUF_INIT, domain = BUF_INIT;
	struct mail_message m;
	int count, rc;

	if (mailqueue_count_since(n->db, rcpt, n->now - 24 * 3600, &count) != STORE_OK)
		return STORE_ERR;
	if (count >= n->cfg->mail_per_address_per_day) {
		log_info("mail: %s had %d messages in a day; not sending \"%s\"", rcpt, count, subject);
		return STORE_OK;
	}
	mail_from_domain(&domain, n->cfg->mail_from);
	mail_message_id(&id, n->now, domain.data);
	memset(&m, 0, sizeof(m));
	m.from = n->cfg->mail_from;
	m.from_name = n->cfg->site_title;
	m.to = rcpt;
	m.subject = subject;
	m.date = n->now;
	m.message_id = id.data;
	m.bulk = bulk;
	m.list_unsubscribe = unsubscribe;
	if (unsubscribe != NULL)
		m.list_id = arena_printf(n->a, "%s <mail.%s>", n->cfg->site_title, domain.data);
	m.body = body;
	mail_compose(&msg, &m);
	rc = mailqueue_add(n->db, kind, rcpt, subject, msg.data, n->now, n->now, NULL);
	buf_free(&msg);
	buf_free(&id);
	buf_free(&domain);
	return rc;
}

/* The moderation link for comment c, as sent to moderator. */
static const char *
moderation_link(struct notify *n, const struct comment *c, const char *moderator)
{
	struct mail_token t;

	memset(&t, 0, sizeof(t));
	t.kind = MAIL_TOKEN_MODERATE;
	t.id = c->id;
	t.issued_at = n->now;
	mailer_comment_state(t.state, c);
	mailer_address_state(t.who, moderator);
	return arena_printf(n->a, "%s/admin/mail/%s", n->cfg->base_url,
			    mail_token_make(n->a, n->db->secret, &t));
}

/* One comment as moderators read it: who, where, the text, the link. */
static void
put_moderated_comment(struct notify *n, struct buf *b, const struct comment *c,
		      const char *moderator)
{
	buf_printf(b, "On \"%s\", %s\n", c->post_title, when(n->a, c->created_at));
	buf_printf(b, "From:    %s%s%s%s\n", c->author, *c->email ? " <" : "", c->email,
		   *c->email ? ">" : "");
	if (*c->url != '\0')
		buf_printf(b, "Website: %s\n", c->url);
	buf_printf(b, "Post:    %s/posts/%s#comment-%" PRId64 "\n\n", n->cfg->base_url,
		   c->post_slug, c->id);
	put_quote(b, c->body_md);
	buf_printf(b, "\nApprove, reject or mark as spam (this link works for 7 days):\n%s\n",
		   moderation_link(n, c, moderator));
}

struct moderate_ctx {
	struct notify *n;
	const struct comment *c;
};

/* Tell one moderator of a comment waiting: alone, or in the digest of this window. */
static int
moderate_one(void *ctx, const char *moderator)
{
	struct moderate_ctx *m = ctx;
	struct notify *n = m->n;
	const struct comment *c = m->c;
	time_t window = (time_t)n->cfg->mail_digest_minutes * 60, last = 0;
	int64_t digest = 0;
	struct buf body = BUF_INIT;
	int count, rc;

	if (window > 0 && mailqueue_moderation_state(n->db, moderator, n->now - window, &last,
						     &digest) != STORE_OK)
		return STORE_ERR;
	if (digest > 0)
		return mailqueue_digest_add(n->db, digest, c->id) == STORE_OK ? 0 : STORE_ERR;
	if (last > 0) {
		/* A mail went out in this window: the rest wait for one digest at its end. */
		if (mailqueue_count_since(n->db, moderator, n->now - 24 * 3600, &count) != STORE_OK)
			return STORE_ERR;
		if (count >= n->cfg->mail_per_address_per_day)
			return 0;
		if (mailqueue_add(n->db, "digest", moderator, "(digest)", NULL, n->now,
				  last + window, &digest) != STORE_OK ||
		    mailqueue_digest_add(n->db, digest, c->id) != STORE_OK)
			return STORE_ERR;
		return 0;
	}
	buf_printf(&body, "A new comment is waiting for moderation on %s.\n\n", n->cfg->site_title);
	put_moderated_comment(n, &body, c, moderator);
	buf_printf(&body, "\nEvery comment waiting: %s/admin/\n", n->cfg->base_url);
	rc = enqueue(n, "moderate", moderator,
		     arena_printf(n->a, "[%s] New comment on \"%s\"", n->cfg->site_title,
				  c->post_title), body.data, 0, NULL);
	buf_free(&body);
	return rc == STORE_OK ? 0 : STORE_ERR;
}

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
static int
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
			put_quote(&body, c->body_md);
			put_reader_footer(n, &body, "to mail you about your comments", unsub);
			rc = enqueue(n, "approved", author.email,
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
		put_quote(&body, c->body_md);
		buf_printf(&body, "\nRead it and answer: %s/posts/%s#comment-%" PRId64 "\n",
			   n->cfg->base_url, c->post_slug, c->id);
		put_reader_footer(n, &body, arena_printf(n->a, "to tell you about new comments on \"%s\"",
							 c->post_title), unsub);
		rc = enqueue(n, "comment", s->email, subject, body.data, 0, unsub);
		buf_free(&body);
		if (rc != STORE_OK)
			return rc;
	}
	return STORE_OK;
}

/* A post is published: tell everyone who follows new posts. */
static int
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
		rc = enqueue(n, "post", s->email,
			     arena_printf(n->a, "[%s] New post: %s", n->cfg->site_title, p->title),
			     body.data, 1, unsub);
		buf_free(&body);
		if (rc != STORE_OK)
			return rc;
	}
	return STORE_OK;
}

/* The one mail an unconfirmed address gets: what was asked for, and the link. */
static int
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
	rc = enqueue(n, "confirm", s->email,
		     arena_printf(n->a, "[%s] Please confirm your subscription", n->cfg->site_title),
		     body.data, 0, unsub);
	buf_free(&body);
	return rc;
}

/* Turn one event into messages.  STORE_OK (done, whatever it came to) or STORE_ERR. */
static int
expand(struct notify *n, const struct mail_event *e)
{
	struct comment c;
	struct post p;
	struct subscriber s;
	int rc;

	if (n->now - e->created_at > EVENT_MAX_AGE)
		return STORE_OK;
	if (strcmp(e->kind, "pending") == 0 || strcmp(e->kind, "approved") == 0 ||
	    strcmp(e->kind, "published") == 0) {
		if ((rc = comments_get(n->db, n->a, e->comment_id, &c)) != STORE_OK)
			return rc == STORE_NOTFOUND ? STORE_OK : rc;
		if (strcmp(e->kind, "pending") == 0) {
			struct moderate_ctx m = { n, &c };
			/* Moderated already: nobody needs telling. */
			if (c.status != COMMENT_PENDING)
				return STORE_OK;
			return each_moderator(n->cfg, n->a, moderate_one, &m) == 0 ? STORE_OK : STORE_ERR;
		}
		if (c.status != COMMENT_APPROVED)
			return STORE_OK;
		return notify_published(n, &c, strcmp(e->kind, "approved") == 0);
	}
	if (strcmp(e->kind, "post") == 0) {
		if ((rc = posts_get_by_id(n->db, n->a, e->post_id, &p)) != STORE_OK)
			return rc == STORE_NOTFOUND ? STORE_OK : rc;
		return p.draft ? STORE_OK : notify_post(n, &p);
	}
	if (strcmp(e->kind, "confirm") == 0) {
		if ((rc = subscribers_get(n->db, n->a, e->subscriber_id, &s)) != STORE_OK)
			return rc == STORE_NOTFOUND ? STORE_OK : rc;
		return notify_confirm(n, &s);
	}
	return STORE_OK;
}

int
mailer_expand_next(struct db *db, const struct config *cfg, struct arena *a, time_t now)
{
	struct notify n = { db, cfg, a, now };
	struct mail_event e;
	int rc;

	if (db_begin(db) != STORE_OK)
		return -1;
	rc = mailqueue_event_next(db, a, &e);
	if (rc == STORE_NOTFOUND) {
		db_rollback(db);
		return 0;
	}
	if (rc != STORE_OK || expand(&n, &e) != STORE_OK ||
	    mailqueue_event_done(db, e.id) != STORE_OK || db_commit(db) != STORE_OK) {
		db_rollback(db);
		return -1;
	}
	return 1;
}

int
mailer_compose_digest(struct db *db, const struct config *cfg, struct arena *a, time_t now,
		      const struct mail_item *item, struct buf *subject, struct buf *message)
{
	struct notify n = { db, cfg, a, now };
	struct buf body = BUF_INIT, id = BUF_INIT, domain = BUF_INIT;
	struct mail_message m;
	struct comment *list;
	int64_t *ids;
	size_t nids, i, shown = 0;

	if (mailqueue_digest_items(db, a, item->id, &ids, &nids) != STORE_OK)
		return -1;
	list = arena_alloc(a, (nids + 1) * sizeof(*list));
	for (i = 0; i < nids; i++) {
		int rc = comments_get(db, a, ids[i], &list[shown]);
		if (rc == STORE_ERR)
			return -1;
		if (rc == STORE_OK && list[shown].status == COMMENT_PENDING)
			shown++;
	}
	if (shown == 0)
		return 0;
	buf_printf(subject, "[%s] %zu new comment%s waiting for moderation", cfg->site_title, shown,
		   shown == 1 ? "" : "s");
	buf_printf(&body, "%zu more comment%s arrived on %s since the last mail, and wait%s for "
		   "moderation.\n", shown, shown == 1 ? "" : "s", cfg->site_title,
		   shown == 1 ? "s" : "");
	for (i = 0; i < shown && i < DIGEST_MAX; i++) {
		buf_printf(&body, "\n%zu. ", i + 1);
		put_moderated_comment(&n, &body, &list[i], item->rcpt);
	}
	if (shown > DIGEST_MAX)
		buf_printf(&body, "\n... and %zu more.\n", shown - DIGEST_MAX);
	buf_printf(&body, "\nEvery comment waiting: %s/admin/\n", cfg->base_url);
	mail_from_domain(&domain, cfg->mail_from);
	mail_message_id(&id, now, domain.data);
	memset(&m, 0, sizeof(m));
	m.from = cfg->mail_from;
	m.from_name = cfg->site_title;
	m.to = item->rcpt;
	m.subject = subject->data;
	m.date = now;
	m.message_id = id.data;
	m.bulk = 1;
	m.body = body.data;
	mail_compose(message, &m);
	buf_free(&body);
	buf_free(&id);
	buf_free(&domain);
	return 1;
}
