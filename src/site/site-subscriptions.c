/* site-subscriptions.c: the pages a reader reaches from a mail: confirm an address, unsubscribe (RFC 8058). */
#include "site.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "db.h"
#include "mailer.h"
#include "mailtoken.h"
#include "subscriptions.h"

/* The forms on these pages are tiny. */
#define FORM_LIMIT 4096

/* A page of the subscription template with a heading and a message. */
static struct mu_map *
page(struct req *r, const char *heading, const char *message)
{
	struct mu_map *ctx = site_context(r, heading);

	mu_set_str(ctx, "message", message);
	/* A link's token must not be kept by any cache. */
	resp_header(r, "Cache-Control", "no-store");
	return ctx;
}

static int
show(struct req *r, struct mu_map *ctx, int status)
{
	return site_render(r, "subscription", ctx, status);
}

/* "New comments on "Title"" or "New posts". */
static const char *
subscription_label(struct req *r, const struct subscription *s)
{
	if (strcmp(s->kind, "posts") == 0)
		return "New posts";
	return arena_printf(r->arena, "New comments on \u201c%s\u201d", s->post_title);
}

/*
 * Add the subscriber's subscriptions to ctx, each with a Stop button
 * posting to action when action is not NULL.  STORE_OK or STORE_ERR.
 */
static int
list_subscriptions(struct req *r, struct mu_map *ctx, int64_t subscriber_id, const char *heading,
		   const char *action)
{
	struct subscription_list list;
	struct mu_list *items = mu_list_new(r->arena);
	size_t i;

	if (subscriptions_of(r->db, r->arena, subscriber_id, &list) != STORE_OK)
		return STORE_ERR;
	for (i = 0; i < list.len; i++) {
		struct mu_map *m = mu_list_push_map(items);
		mu_set_int(m, "id", list.items[i].id);
		mu_set_str(m, "label", subscription_label(r, &list.items[i]));
		mu_set_str(m, "remove_action", action);
	}
	mu_set_list(ctx, "subscriptions", items);
	mu_set_bool(ctx, "has_subscriptions", list.len > 0);
	mu_set_str(ctx, "list_heading", heading);
	mu_set_str(ctx, "all_action", action != NULL && list.len > 1 ? action : NULL);
	return STORE_OK;
}

/*
 * The subscriber a token names, when the token still matches its address:
 * STORE_OK, STORE_NOTFOUND (erased, or the id now belongs to another
 * address) or STORE_ERR.
 */
static int
token_subscriber(struct req *r, const struct mail_token *t, struct subscriber *s)
{
	unsigned char fp[MAIL_FINGERPRINT_BYTES];
	int rc = subscribers_get(r->db, r->arena, t->id, s);

	if (rc != STORE_OK)
		return rc;
	mailer_address_state(fp, s->email);
	return memcmp(fp, t->state, sizeof(fp)) == 0 ? STORE_OK : STORE_NOTFOUND;
}

/* This page's own URL (path and token), for its forms. */
static const char *
self_action(struct req *r, const char *path)
{
	return arena_printf(r->arena, "%s%s?t=%s", r->cfg->mount, path, req_query(r, "t"));
}

/*
 * GET, POST /subscriptions/confirm?t=T.  GET shows what the address asked
 * for and a button; only the POST confirms (mail scanners fetch links).
 * 400 for a token that is not ours, 410 for an expired or void one.
 */
int
site_subscription_confirm(struct site_req *site)
{
	struct req *r = site->r;
	struct mail_token t;
	struct subscriber s;
	struct mu_map *ctx;
	int rc;

	switch (mail_token_check(r->db->secret, req_query(r, "t"), MAIL_TOKEN_CONFIRM, r->now, &t)) {
	case MAIL_TOKEN_OK:
		break;
	case MAIL_TOKEN_EXPIRED:
		return show(r, page(r, "This link has expired",
			    "Confirmation links work for 7 days. Tick the box again the next time "
			    "you comment, and a new link will be mailed to you."), 410);
	default:
		return show(r, page(r, "This link is not valid",
			    "Check that the whole link from the mail was copied."), 400);
	}
	if ((rc = token_subscriber(r, &t, &s)) == STORE_ERR)
		return 500;
	if (rc == STORE_NOTFOUND)
		return show(r, page(r, "This link is no longer valid",
			    "This address was removed from the site's mail."), 410);
	if (r->method == HTTP_POST) {
		if ((rc = req_read_form(r, FORM_LIMIT)) != 0 && rc != 415)
			return rc;
		rc = subscribers_set_confirmed(r->db, s.id, r->now);
		if (rc == STORE_ERR)
			return 503;
		ctx = page(r, rc == STORE_OK ? "Thank you: your address is confirmed" :
			   "Your address is already confirmed",
			   "You will get mail about what you asked for. Every mail has a link to stop it.");
	} else if (s.confirmed_at != 0)
		ctx = page(r, "Your address is already confirmed",
			   "You will get mail about what you asked for. Every mail has a link to stop it.");
	else {
		ctx = page(r, "Confirm your subscription",
			   "Press the button to start getting mail about what you asked for.");
		mu_set_str(ctx, "confirm_action", self_action(r, "/subscriptions/confirm"));
	}
	mu_set_str(ctx, "email", s.email);
	if (list_subscriptions(r, ctx, s.id, "What this address gets", NULL) != STORE_OK)
		return 500;
	return show(r, ctx, 200);
}

/* Is the request body multipart/form-data (how RFC 8058 says one-click POSTs are sent)? */
static int
is_multipart(const struct req *r)
{
	const char *type = req_env(r, "CONTENT_TYPE");

	return type != NULL && strncasecmp(type, "multipart/form-data", 19) == 0;
}

/*
 * POST to an unsubscribe link: the fields subscription=ID (stop that one)
 * or all (stop everything) from this page's buttons; anything else,
 * List-Unsubscribe=One-Click from a mail client included, stops what the
 * link names.  Returns the message for the page, or NULL after *status.
 */
static const char *
unsubscribe_post(struct req *r, const struct mail_token *t, const struct subscriber *s,
		 int *status)
{
	const char *which = NULL;
	int64_t sub = t->sub;
	int rc, count = 0, all = 0;

	if (!is_multipart(r)) {
		if ((rc = req_read_form(r, FORM_LIMIT)) != 0 && rc != 415) {
			*status = rc;
			return NULL;
		}
		if ((which = req_form(r, "subscription")) != NULL) {
			sub = strtoll(which, NULL, 10);
			if (sub <= 0) {
				*status = 400;
				return NULL;
			}
		} else if (req_form(r, "all") != NULL)
			all = 1;
	}
	if (sub == 0)
		all = 1;
	rc = all ? subscriptions_remove_all(r->db, s->id, &count) :
	    subscriptions_remove(r->db, s->id, sub);
	if (rc == STORE_ERR) {
		*status = 503;
		return NULL;
	}
	if (all)
		return count > 0 ? "This address will get no more mail from this site." :
		    "This address gets no mail from this site.";
	return rc == STORE_OK ? "Done: you will get no more of these mails." :
	    "You were already unsubscribed from these mails.";
}

/*
 * GET, POST /subscriptions/unsubscribe?t=T, the List-Unsubscribe URL of
 * every reader mail.  GET shows the button and every subscription of the
 * address; POST unsubscribes, no login needed (RFC 8058 one-click).  400
 * for a token that is not ours.
 */
int
site_subscription_unsubscribe(struct site_req *site)
{
	struct req *r = site->r;
	struct mail_token t;
	struct subscriber s;
	struct subscription_list list;
	struct mu_map *ctx;
	const char *message = NULL, *action = self_action(r, "/subscriptions/unsubscribe");
	int rc, status = 200;
	size_t i;

	if (mail_token_check(r->db->secret, req_query(r, "t"), MAIL_TOKEN_UNSUBSCRIBE, r->now,
			     &t) != MAIL_TOKEN_OK)
		return show(r, page(r, "This link is not valid",
			    "Check that the whole link from the mail was copied."), 400);
	if ((rc = token_subscriber(r, &t, &s)) == STORE_ERR)
		return 500;
	if (rc == STORE_NOTFOUND)
		return show(r, page(r, "No mail goes to this address",
			    "This site sends no mail to the address this link was for."), 200);
	if (r->method == HTTP_POST && (message = unsubscribe_post(r, &t, &s, &status)) == NULL)
		return status;
	if (subscriptions_of(r->db, r->arena, s.id, &list) != STORE_OK)
		return 500;
	ctx = page(r, r->method == HTTP_POST ? "Unsubscribed" : "Stop mail from this site", message);
	mu_set_str(ctx, "email", s.email);
	if (r->method != HTTP_POST) {
		const char *label = NULL;
		if (t.sub == 0 && list.len > 0)
			label = "Stop all mail to this address";
		for (i = 0; i < list.len && t.sub != 0; i++)
			if (list.items[i].id == t.sub)
				label = arena_printf(r->arena, "Stop: %s",
						     subscription_label(r, &list.items[i]));
		if (label != NULL) {
			mu_set_str(ctx, "one_click_action", action);
			mu_set_str(ctx, "one_click_label", label);
		} else if (list.len == 0)
			mu_set_str(ctx, "message", "This address gets no mail from this site.");
	}
	if (list_subscriptions(r, ctx, s.id, "Everything this address gets", action) != STORE_OK)
		return 500;
	return show(r, ctx, status);
}
