/* admin-queue.c: the moderation queue and the comment lists by status and filter, with per-row and bulk forms. */
#include "admin.h"

#include <string.h>
#include <strings.h>

#include "comment_admin.h"
#include "comments.h"
#include "config.h"
#include "db.h"
#include "log.h"
#include "moderation.h"
#include "render.h"
#include "spam.h"
#include "text.h"
#include "utf8.h"

/* Hosts listed on a card; links beyond these are only counted. */
#define CARD_HOSTS_MAX 5

static const char *const list_titles[COMMENT_STATUS__MAX] = {
	"Moderation queue", "Approved comments", "Rejected comments", "Spam", "Trash"
};
static const char *const list_nav[COMMENT_STATUS__MAX] = {
	"queue", "approved", "rejected", "spam", "trash"
};
static const char *const list_empty[COMMENT_STATUS__MAX] = {
	"The queue is empty: no comment is waiting for you.",
	"No approved comments yet.",
	"No rejected comments.",
	"No spam. Nice.",
	"Trash is empty.",
};

/*
 * The actions that make sense for a comment in status: every status move
 * but to where it is, delete unless in trash, restore only in trash.
 * Blocks have their own links on the card.
 */
static struct mu_list *
actions_for(struct req *r, enum comment_status status)
{
	struct mu_list *l = mu_list_new(r->arena);
	size_t i;

	for (i = 0; i < admin_actions_count; i++) {
		const struct admin_action *a = &admin_actions[i];
		struct mu_map *m;

		if (a->act->kind == MODERATION_ACT_BLOCK ||
		    (a->act->kind == MODERATION_ACT_STATUS && a->act->status == (int)status) ||
		    (a->act->kind == MODERATION_ACT_TRASH && status == COMMENT_TRASH) ||
		    (a->act->kind == MODERATION_ACT_RESTORE && status != COMMENT_TRASH))
			continue;
		m = mu_list_push_map(l);
		mu_set_str(m, "action", a->act->name);
		/* On the spam list, approving is the one-click rescue: it also retrains. */
		mu_set_str(m, "label", status == COMMENT_SPAM && a->act->kind == MODERATION_ACT_STATUS &&
			   a->act->status == COMMENT_APPROVED ? "Not spam: approve" : a->label);
		mu_set_bool(m, "danger", a->act->kind == MODERATION_ACT_TRASH ||
			    a->act->status == COMMENT_SPAM);
	}
	return l;
}

/*
 * The hosts of the http(s) links in Markdown text, each once, and how many
 * links there are: what a moderator checks before approving.
 */
static struct mu_list *
link_hosts(struct req *r, const char *text, int *links)
{
	struct mu_list *l = mu_list_new(r->arena);
	const char *seen[CARD_HOSTS_MAX];
	size_t nseen = 0, k;
	const char *p = text;

	*links = 0;
	while ((p = strcasestr(p, "http")) != NULL) {
		size_t skip = url_web_scheme(p), len;
		const char *host;

		if (skip == 0) {
			p += 4;
			continue;
		}
		(*links)++;
		host = p + skip;
		len = strcspn(host, "/?#:)]>\"' \t\r\n");
		p = host + len;
		if (len == 0 || len > 253)
			continue;
		host = arena_strndup(r->arena, host, len);
		for (k = 0; k < nseen && strcasecmp(seen[k], host) != 0; k++)
			;
		if (k < nseen || nseen == CARD_HOSTS_MAX)
			continue;
		seen[nseen++] = host;
		mu_set_str(mu_list_push_map(l), "host", host);
	}
	return l;
}

struct mu_map *
admin_comment_card(struct req *r, const struct comment *c, int64_t next_id)
{
	struct mu_map *m = mu_map_new(r->arena);
	struct comment parent;
	int links;

	mu_set_int(m, "id", c->id);
	/* Only the cards of a list (and a page's own comment) carry the #comment-N anchor. */
	mu_set_bool(m, "anchor", next_id >= 0);
	if (next_id > 0)
		mu_set_int(m, "next_id", next_id);
	mu_set_str(m, "status", comment_status_name(c->status));
	mu_set_bool(m, "in_trash", c->status == COMMENT_TRASH);
	if (c->status == COMMENT_TRASH && *c->trashed_from != '\0')
		mu_set_str(m, "trashed_from", c->trashed_from);
	mu_set_str(m, "post_title", c->post_title);
	mu_set_str(m, "post_url", arena_printf(r->arena, "%s/posts/%s", r->cfg->mount,
					       c->post_slug));
	/* On the site only an approved comment has an anchor to land on. */
	mu_set_str(m, "post_at_comment", c->status == COMMENT_APPROVED ?
		   arena_printf(r->arena, "%s/posts/%s#comment-%lld", r->cfg->mount, c->post_slug,
				(long long)c->id) :
		   arena_printf(r->arena, "%s/posts/%s", r->cfg->mount, c->post_slug));
	mu_set_str(m, "post_filter", arena_printf(r->arena, "%s/admin/comments?status=all&post=%s",
						  r->cfg->mount, c->post_slug));
	mu_set_str(m, "author", c->author);
	mu_set_bool(m, "by_author", c->by_author);
	if (*c->email != '\0') {
		mu_set_str(m, "email", c->email);
		mu_set_str(m, "email_filter", arena_printf(r->arena,
			   "%s/admin/comments?status=all&email=%s", r->cfg->mount,
			   url_query_escape(r->arena, c->email, 0)));
	}
	if (*c->url != '\0') {
		mu_set_str(m, "url", c->url);
		/* A link only to the web: a javascript: or data: address stays text. */
		if (url_web_scheme(c->url) > 0)
			mu_set_str(m, "url_href", c->url);
	}
	if (c->parent_id > 0 && comments_get(r->db, r->arena, c->parent_id, &parent) == STORE_OK) {
		const char *text = markdown_text(r->arena, parent.body_md, strlen(parent.body_md));
		mu_set_str(m, "parent_author", parent.author);
		mu_set_str(m, "parent_excerpt", admin_excerpt(r->arena, text, 80));
		mu_set_str(m, "parent_admin_url", arena_printf(r->arena, "%s/admin/comments/%lld",
							       r->cfg->mount, (long long)parent.id));
	}
	/* cmark output made safe at intake: the one raw insertion on these pages. */
	mu_set_html(m, "body_html", c->body_html);
	mu_set_list(m, "hosts", link_hosts(r, c->body_md, &links));
	if (links > 0) {
		mu_set_int(m, "links", links);
		mu_set_str(m, "links_word", links == 1 ? "link" : "links");
	}
	mu_set_str(m, "age", admin_age(r->arena, r->now, c->created_at));
	mu_set_str(m, "created", date_rfc3339(r->arena, c->created_at));
	mu_set_str(m, "created_human", date_human(r->arena, c->created_at));
	if (c->edited_at > 0)
		mu_set_str(m, "edited", admin_age(r->arena, r->now, c->edited_at));
	if (*c->ip_hash != '\0') {
		mu_set_strn(m, "address", c->ip_hash, strlen(c->ip_hash) < 8 ? strlen(c->ip_hash) : 8);
		mu_set_str(m, "address_filter", arena_printf(r->arena,
			   "%s/admin/comments?status=all&address=%s", r->cfg->mount, c->ip_hash));
		/* Past the store's bound the badge says "100+ comments from this address". */
		if (c->group_size > COMMENT_GROUP_MAX)
			mu_set_str(m, "group_size", arena_printf(r->arena, "%d+", COMMENT_GROUP_MAX));
		else
			mu_set_int(m, "group_size", c->group_size);
		mu_set_bool(m, "group_many", c->group_size > 1);
	}
	if (c->spam_reason != NULL && *c->spam_reason != '\0')
		mu_set_str(m, "spam_reason", c->spam_reason);
	mu_set_str(m, "admin_url", arena_printf(r->arena, "%s/admin/comments/%lld", r->cfg->mount,
						(long long)c->id));
	mu_set_list(m, "actions", actions_for(r, c->status));
	return m;
}

/* What /admin/comments was asked for. */
struct list_query {
	int status;             /* -1 for every status */
	int is_queue;           /* the /admin/ address */
	struct comment_filter filter;
	int filtered;           /* words, email, post or address given */
	const char *error;      /* a filter that cannot be used: the message */
};

/* The page's own address (for return fields and the pager), without page=. */
static const char *
list_self(struct req *r, const struct list_query *q)
{
	const char *s;

	if (q->is_queue)
		return "/admin/?";
	s = arena_printf(r->arena, "/admin/comments?status=%s",
			 q->status < 0 ? "all" : comment_status_name((enum comment_status)q->status));
	if (q->filter.words != NULL)
		s = arena_printf(r->arena, "%s&q=%s", s, url_query_escape(r->arena, q->filter.words, 0));
	if (q->filter.email != NULL)
		s = arena_printf(r->arena, "%s&email=%s", s,
				 url_query_escape(r->arena, q->filter.email, 0));
	if (q->filter.post_slug != NULL)
		s = arena_printf(r->arena, "%s&post=%s", s,
				 url_query_escape(r->arena, q->filter.post_slug, 0));
	if (q->filter.ip_hash != NULL)
		s = arena_printf(r->arena, "%s&address=%s", s,
				 url_query_escape(r->arena, q->filter.ip_hash, 0));
	return arena_printf(r->arena, "%s&", s);
}

/* A filter value from the query: NULL when absent or empty; error when too long or not text. */
static const char *
filter_value(struct req *r, const char *name, size_t max, struct list_query *q, const char *what)
{
	const char *v = req_query(r, name);

	if (v == NULL || *v == '\0')
		return NULL;
	if (strlen(v) > max || !utf8_valid_text(v, strlen(v))) {
		q->error = arena_printf(r->arena, "%s: at most %zu characters of text.", what, max);
		return NULL;
	}
	q->filtered = 1;
	return v;
}

/* One page of comments: the queue, a status, or a filter. */
/* Probabilities at or above this are grouped as likely spam in the lists of pending comments. */
#define LIKELY_SPAM 0.5

/*
 * The classifier's view of a pending comment on its card, from the counts
 * as they are now (so the queue follows every decision): its probability
 * and, when it looks like spam, why.  Returns 1 when likely spam.
 */
static int
spam_view(struct req *r, const struct comment *c, struct mu_map *m)
{
	struct spam_settings settings = { r->cfg->spam_threshold, r->cfg->spam_min_examples };
	struct spam_standing standing;
	struct spam_comment sc;
	struct spam_verdict v;
	int likely;

	if (spam_standing_get(r->db, c->id, &standing) != STORE_OK)
		return 0;
	sc.author = c->author;
	sc.email = c->email;
	sc.url = c->url;
	sc.body_md = c->body_md;
	sc.form_seconds = standing.form_seconds;
	if (spam_classify(r->db, r->arena, &sc, &settings, &v) != STORE_OK || v.ham + v.spam == 0)
		return 0;
	likely = v.probability >= LIKELY_SPAM;
	mu_set_str(m, "spam_probability", arena_printf(r->arena, "%.0f%%", v.probability * 100.0));
	mu_set_bool(m, "likely", likely);
	/* The reason without its "classifier: N% spam; " head. */
	mu_set_str(m, "spam_why", v.reason + strcspn(v.reason, ";") + (strchr(v.reason, ';') ? 2 : 0));
	return likely;
}

/* The line above the queue that says what the classifier knows. */
static const char *
classifier_line(struct req *r)
{
	uint32_t ham, spam, min = (uint32_t)r->cfg->spam_min_examples;

	if (spam_totals(r->db, &ham, &spam) != STORE_OK)
		return NULL;
	if (ham >= min && spam >= min)
		return arena_printf(r->arena, "Spam classifier: learned from %u approved and %u spam"
				    " comments; it files comments above %.0f%% as spam.",
				    (unsigned)ham, (unsigned)spam, r->cfg->spam_threshold * 100.0);
	return arena_printf(r->arena, "Spam classifier: still learning (%u of %u approved and %u of"
			    " %u spam comments learned); until then it files nothing.",
			    (unsigned)(ham < min ? ham : min), (unsigned)min,
			    (unsigned)(spam < min ? spam : min), (unsigned)min);
}

static int
comment_list_page(struct admin_req *admin, struct list_query *q)
{
	struct req *r = admin->r;
	struct comment_list list;
	struct mu_map *ctx;
	struct mu_list *rows, *statuses, *likely;
	const char *self = list_self(r, q), *heading;
	int page = admin_page_number(r), rc, i;
	size_t k;

	memset(&list, 0, sizeof(list));
	if (q->error != NULL)
		rc = STORE_OK;
	else if (q->filtered || q->status < 0)
		rc = comments_find(r->db, r->arena, &q->filter, page, ADMIN_PER_PAGE, &list);
	else
		rc = comments_by_status(r->db, r->arena, q->status, q->status != COMMENT_PENDING,
					page, ADMIN_PER_PAGE, &list);
	if (rc != STORE_OK)
		return 500;
	heading = q->filtered ? "Find comments" : q->status < 0 ? "All comments" :
		  list_titles[q->status];
	ctx = admin_context(admin, heading, q->filtered || q->status < 0 ? "find" :
			    list_nav[q->status]);
	admin_feedback(admin, ctx);
	/* The return path: this page as it is, without feedback (page 1 is the bare address). */
	mu_set_str(ctx, "return", page > 1 ? arena_printf(r->arena, "%spage=%d", self, page) :
		   arena_strndup(r->arena, self, strlen(self) - 1));
	mu_set_str(ctx, "heading", heading);
	mu_set_str(ctx, "empty_message", q->filtered || q->status < 0 ?
		   "No comment matches." : list_empty[q->status]);
	if (q->error != NULL)
		mu_set_str(ctx, "filter_error", q->error);
	if (list.cut)
		mu_set_int(ctx, "cut", COMMENT_FIND_MAX);
	/* The find form stays folded on the queue, so the first card is in view on a phone. */
	mu_set_bool(ctx, "find_open", q->filtered || q->status < 0 || q->error != NULL);
	mu_set_str(ctx, "q", q->filter.words);
	mu_set_str(ctx, "email_q", q->filter.email);
	mu_set_str(ctx, "post_q", q->filter.post_slug);
	mu_set_str(ctx, "address_q", q->filter.ip_hash);
	statuses = mu_list_new(r->arena);
	for (i = -1; i < COMMENT_STATUS__MAX; i++) {
		struct mu_map *m = mu_list_push_map(statuses);
		mu_set_str(m, "value", i < 0 ? "all" : comment_status_name((enum comment_status)i));
		mu_set_str(m, "label", i < 0 ? "Any status" : list_titles[i]);
		mu_set_bool(m, "selected", i == q->status);
	}
	mu_set_list(ctx, "statuses", statuses);
	mu_set_bool(ctx, "select_all", req_query(r, "select") != NULL);
	mu_set_bool(ctx, "selectable", 1);
	mu_set_str(ctx, "form_id", "bulk");
	mu_set_str(ctx, "select_all_url", arena_printf(r->arena, "%s%sselect=all%s", r->cfg->mount,
		   self, page > 1 ? arena_printf(r->arena, "&page=%d", page) : ""));
	rows = mu_list_new(r->arena);
	likely = mu_list_new(r->arena);
	for (k = 0; k < list.len; k++) {
		/* After acting on a card, the next one (or the one before the last) is in view. */
		int64_t next = k + 1 < list.len ? list.items[k + 1].id :
			       k > 0 ? list.items[k - 1].id : 0;
		struct mu_map *m = admin_comment_card(r, &list.items[k], next);

		/* Pending comments likely to be spam gather below the others. */
		if (list.items[k].status == COMMENT_PENDING && spam_view(r, &list.items[k], m))
			mu_list_push(likely, mu_map_value(m));
		else
			mu_list_push(rows, mu_map_value(m));
	}
	if (q->is_queue)
		mu_set_str(ctx, "classifier", classifier_line(r));
	mu_set_list(ctx, "comments", rows);
	mu_set_list(ctx, "likely_spam", likely);
	mu_set_bool(ctx, "has_likely_spam", mu_list_len(likely) > 0);
	mu_set_int(ctx, "shown", (long long)list.len);
	mu_set_bool(ctx, "has_comments", list.len > 0);
	mu_set_list(ctx, "bulk_actions", actions_for(r, q->status < 0 ? COMMENT_STATUS__MAX :
						     (enum comment_status)q->status));
	admin_pager(r, ctx, arena_printf(r->arena, "%spage=", self), page, list.has_more);
	return admin_render(r, "admin_queue", ctx, q->error != NULL ? 400 : 200);
}

/* GET /admin/: pending comments, oldest first; trash past trash_days is purged here. */
int
admin_queue(struct admin_req *admin)
{
	struct req *r = admin->r;
	struct list_query q = { .status = COMMENT_PENDING, .is_queue = 1 };
	int purged;

	q.filter.status = COMMENT_PENDING;
	if (comments_purge_trash(r->db, r->now - (time_t)r->cfg->trash_days * 86400,
				 &purged) == STORE_OK && purged > 0)
		log_info("purged %d comments from trash", purged);
	return comment_list_page(admin, &q);
}

/*
 * GET /admin/comments?status=S&q=WORDS&email=E&post=SLUG&address=HASH: the
 * comments with a status (pending when absent, "all" for any), filtered.
 */
int
admin_comments(struct admin_req *admin)
{
	struct req *r = admin->r;
	const char *s = req_query(r, "status");
	struct list_query q = { 0 };

	if (s == NULL || *s == '\0')
		q.status = COMMENT_PENDING;
	else if (strcmp(s, "all") == 0)
		q.status = -1;
	else if ((q.status = comment_status_parse(s)) < 0)
		return 404;
	q.filter.status = q.status;
	q.filter.words = filter_value(r, "q", COMMENT_FIND_WORDS_MAX, &q, "Words");
	q.filter.email = filter_value(r, "email", 254, &q, "Email");
	q.filter.post_slug = filter_value(r, "post", 200, &q, "Post");
	q.filter.ip_hash = filter_value(r, "address", 128, &q, "Address");
	return comment_list_page(admin, &q);
}
