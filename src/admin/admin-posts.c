/* admin-posts.c: the posts page: which posts take comments, with a button to close or reopen each. */
#include "admin.h"

#include <string.h>

#include "audit.h"
#include "comment_admin.h"
#include "config.h"
#include "db.h"
#include "posts.h"
#include "sessions.h"
#include "text.h"

/* GET /admin/posts: every post, drafts too, newest first. */
int
admin_posts(struct admin_req *admin)
{
	struct req *r = admin->r;
	struct post_list list;
	struct post_pending_list pending;
	struct mu_map *ctx;
	struct mu_list *rows;
	long days = r->cfg->comments_open_days;
	size_t i, k;

	if (posts_all(r->db, r->arena, &list) != STORE_OK ||
	    comments_pending_per_post(r->db, r->arena, &pending) != STORE_OK)
		return 500;
	ctx = admin_context(admin, "Posts", "posts");
	mu_set_str(ctx, "return", "/admin/posts");
	rows = mu_list_new(r->arena);
	for (i = 0; i < list.len; i++) {
		const struct post *p = &list.items[i];
		struct mu_map *m = mu_list_push_map(rows);

		mu_set_str(m, "slug", p->slug);
		mu_set_str(m, "title", p->title);
		mu_set_str(m, "url", arena_printf(r->arena, "%s/posts/%s", r->cfg->mount, p->slug));
		mu_set_str(m, "published", date_rfc3339(r->arena, p->published_at));
		mu_set_str(m, "published_human", date_human(r->arena, p->published_at));
		mu_set_bool(m, "draft", p->draft);
		mu_set_bool(m, "open", p->comments_open);
		mu_set_int(m, "comment_count", p->comment_count);
		for (k = 0; k < pending.len; k++)
			if (pending.items[k].post_id == p->id)
				mu_set_int(m, "pending", pending.items[k].pending);
		if (p->comments_open && days > 0 && r->now - p->published_at > days * 86400)
			mu_set_int(m, "closed_by_age", days);
	}
	mu_set_list(ctx, "posts", rows);
	mu_set_bool(ctx, "has_posts", list.len > 0);
	return admin_render(r, "admin_posts", ctx, 200);
}

/* POST /admin/posts/SLUG/close and /open */
int
admin_post_comments(struct admin_req *admin)
{
	struct req *r = admin->r;
	const char *slug = r->params[0], *what = r->params[1];
	int open, rc;

	if (strcmp(what, "open") == 0)
		open = 1;
	else if (strcmp(what, "close") == 0)
		open = 0;
	else
		return 404;
	if (!slug_valid(slug))
		return 404;
	if (db_begin(r->db) != STORE_OK)
		return 500;
	rc = posts_set_comments_open(r->db, slug, open);
	if (rc == STORE_OK)
		rc = audit_add(r->db, r->now, admin->session->user_name,
			       open ? "open-comments" : "close-comments", 0,
			       arena_printf(r->arena, "post %s", slug));
	if (rc != STORE_OK || db_commit(r->db) != STORE_OK) {
		db_rollback(r->db);
		return rc == STORE_NOTFOUND ? 404 : 500;
	}
	return resp_redirect(r, 303, admin_return_path(r));
}
