/* mail-notify.c: who is told what: events recorded with each change, each turned into queued messages (mail-moderators.c, mail-readers.c write them). */
#include "mailer.h"

#include <string.h>

#include "buf.h"
#include "log.h"
#include "mail.h"
#include "mail-notify.h"
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

/* "2026-12-01 20:58 UTC" */
const char *
notify_when(struct arena *a, time_t t)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	return arena_printf(a, "%04d-%02d-%02d %02d:%02d UTC", tm.tm_year + 1900, tm.tm_mon + 1,
			    tm.tm_mday, tm.tm_hour, tm.tm_min);
}

/* Append text (a comment's Markdown) quoted with "> ", line ends normalised, at most QUOTE_MAX bytes. */
void
notify_quote(struct buf *b, const char *text)
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
int
notify_enqueue(struct notify *n, const char *kind, const char *rcpt, const char *subject,
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
		if (strcmp(e->kind, "pending") == 0)
			return notify_pending(n, &c);
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
