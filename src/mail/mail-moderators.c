/* mail-moderators.c: the moderators' mails: who they are, a comment waiting alone or gathered into a digest. */
#include "mailer.h"

#include <inttypes.h>
#include <string.h>

#include "mail.h"
#include "mail-notify.h"
#include "mailqueue.h"

/* Comments one digest lists in full. */
#define DIGEST_MAX 50

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
	buf_printf(b, "On \"%s\", %s\n", c->post_title, notify_when(n->a, c->created_at));
	buf_printf(b, "From:    %s%s%s%s\n", c->author, *c->email ? " <" : "", c->email,
		   *c->email ? ">" : "");
	if (*c->url != '\0')
		buf_printf(b, "Website: %s\n", c->url);
	buf_printf(b, "Post:    %s/posts/%s#comment-%" PRId64 "\n\n", n->cfg->base_url,
		   c->post_slug, c->id);
	notify_quote(b, c->body_md);
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
	rc = notify_enqueue(n, "moderate", moderator,
		     arena_printf(n->a, "[%s] New comment on \"%s\"", n->cfg->site_title,
				  c->post_title), body.data, 0, NULL);
	buf_free(&body);
	return rc == STORE_OK ? 0 : STORE_ERR;
}

int
notify_pending(struct notify *n, const struct comment *c)
{
	struct moderate_ctx m = { n, c };

	/* Moderated already: nobody needs telling. */
	if (c->status != COMMENT_PENDING)
		return STORE_OK;
	return each_moderator(n->cfg, n->a, moderate_one, &m) == 0 ? STORE_OK : STORE_ERR;
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
