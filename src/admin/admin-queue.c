/* admin-queue.c: the moderation queue and the comment lists by status, with per-row and bulk forms. */
#include "admin.h"

#include <string.h>
#include <strings.h>

#include "comments.h"
#include "config.h"
#include "db.h"
#include "render.h"

static const struct {
	const char *action;
	const char *label;
	int status;             /* the status it moves to; -1 for delete */
} list_actions[] = {
	{ "approve", "Approve", COMMENT_APPROVED },
	{ "reject", "Reject", COMMENT_REJECTED },
	{ "spam", "Spam", COMMENT_SPAM },
	{ "pending", "Back to queue", COMMENT_PENDING },
	{ "delete", "Delete", -1 },
};

static const char *const list_titles[COMMENT_STATUS__MAX] = {
	"Moderation queue", "Approved comments", "Rejected comments", "Spam"
};
static const char *const list_nav[COMMENT_STATUS__MAX] = {
	"queue", "approved", "rejected", "spam"
};
static const char *const list_empty[COMMENT_STATUS__MAX] = {
	"The queue is empty: no comment is waiting for you.",
	"No approved comments yet.",
	"No rejected comments.",
	"No spam. Nice.",
};

/* The actions that make sense for a comment in status (not the move to where it is). */
static struct mu_list *
actions_for(struct req *r, enum comment_status status)
{
	struct mu_list *l = mu_list_new(r->arena);
	size_t i;

	for (i = 0; i < sizeof(list_actions) / sizeof(list_actions[0]); i++) {
		struct mu_map *m;

		if (list_actions[i].status == (int)status)
			continue;
		m = mu_list_push_map(l);
		mu_set_str(m, "action", list_actions[i].action);
		mu_set_str(m, "label", list_actions[i].label);
		mu_set_bool(m, "danger", list_actions[i].status == -1 ||
			    list_actions[i].status == COMMENT_SPAM);
	}
	return l;
}

static struct mu_map *
comment_map(struct req *r, const struct comment *c)
{
	struct mu_map *m = mu_map_new(r->arena);

	mu_set_int(m, "id", c->id);
	mu_set_str(m, "status", comment_status_name(c->status));
	mu_set_str(m, "post_title", c->post_title);
	mu_set_str(m, "post_url", arena_printf(r->arena, "%s/posts/%s", r->cfg->mount,
					       c->post_slug));
	mu_set_str(m, "author", c->author);
	if (*c->email != '\0')
		mu_set_str(m, "email", c->email);
	if (*c->url != '\0') {
		mu_set_str(m, "url", c->url);
		/* A link only to the web: a javascript: or data: address stays text. */
		if (url_web_scheme(c->url) > 0)
			mu_set_str(m, "url_href", c->url);
	}
	/* cmark output made safe at intake: the one raw insertion on these pages. */
	mu_set_str(m, "body_html", c->body_html);
	mu_set_str(m, "age", admin_age(r->arena, r->now, c->created_at));
	mu_set_str(m, "created", date_rfc3339(r->arena, c->created_at));
	mu_set_str(m, "created_human", date_human(r->arena, c->created_at));
	if (*c->ip_hash != '\0') {
		mu_set_strn(m, "address", c->ip_hash, strlen(c->ip_hash) < 8 ? strlen(c->ip_hash) : 8);
		mu_set_int(m, "group_size", c->group_size);
		mu_set_bool(m, "group_many", c->group_size > 1);
	}
	if (c->spam_reason != NULL && *c->spam_reason != '\0')
		mu_set_str(m, "spam_reason", c->spam_reason);
	mu_set_list(m, "actions", actions_for(r, c->status));
	return m;
}

/* One page of the comments with status; is_queue for the /admin/ address. */
static int
comment_list_page(struct req *r, enum comment_status status, int is_queue)
{
	struct comment_list list;
	struct mu_map *ctx;
	struct mu_list *rows;
	const char *name = comment_status_name(status), *prefix, *self;
	int page = admin_page_number(r);
	size_t i;

	if (comments_by_status(r->db, r->arena, (int)status, status != COMMENT_PENDING, page,
	    ADMIN_PER_PAGE, &list) != STORE_OK)
		return 500;
	if (is_queue)
		prefix = "/admin/?page=";
	else
		prefix = arena_printf(r->arena, "/admin/comments?status=%s&page=", name);
	if (page > 1)
		self = arena_printf(r->arena, "%s%d", prefix, page);
	else
		self = is_queue ? "/admin/" : arena_printf(r->arena, "/admin/comments?status=%s", name);
	ctx = admin_context(r, list_titles[status], list_nav[status]);
	mu_set_str(ctx, "return", self);
	mu_set_str(ctx, "status", name);
	mu_set_str(ctx, "heading", list_titles[status]);
	mu_set_str(ctx, "empty_message", list_empty[status]);
	rows = mu_list_new(r->arena);
	for (i = 0; i < list.len; i++)
		mu_list_push(rows, mu_map_value(comment_map(r, &list.items[i])));
	mu_set_list(ctx, "comments", rows);
	mu_set_int(ctx, "shown", (long long)list.len);
	mu_set_bool(ctx, "has_comments", list.len > 0);
	mu_set_list(ctx, "bulk_actions", actions_for(r, status));
	admin_pager(r, ctx, prefix, page, list.has_more);
	return admin_render(r, "admin_queue", ctx, 200);
}

/* GET /admin/: pending comments, oldest first. */
int
admin_queue(struct req *r)
{
	return comment_list_page(r, COMMENT_PENDING, 1);
}

/* GET /admin/comments?status=S: the same list for any status (pending when absent). */
int
admin_comments(struct req *r)
{
	const char *s = req_query(r, "status");
	int status = s == NULL || *s == '\0' ? COMMENT_PENDING : comment_status_parse(s);

	if (status < 0)
		return 404;
	return comment_list_page(r, (enum comment_status)status, 0);
}
