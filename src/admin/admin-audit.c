/* admin-audit.c: the audit log page: who did what to which comment, newest first. */
#include "admin.h"

#include "audit.h"
#include "config.h"
#include "db.h"
#include "text.h"

/* GET /admin/audit?page=N */
int
admin_audit(struct admin_req *admin)
{
	struct req *r = admin->r;
	struct audit_list list;
	struct mu_map *ctx;
	struct mu_list *rows;
	int page = admin_page_number(r);
	size_t i;

	if (audit_page(r->db, r->arena, page, ADMIN_PER_PAGE * 2, &list) != STORE_OK)
		return 500;
	ctx = admin_context(admin, "Audit log", "audit");
	mu_set_str(ctx, "return", "/admin/audit");
	rows = mu_list_new(r->arena);
	for (i = 0; i < list.len; i++) {
		const struct audit_entry *e = &list.items[i];
		struct mu_map *m = mu_list_push_map(rows);

		mu_set_str(m, "at", date_rfc3339(r->arena, e->at));
		mu_set_str(m, "at_human", arena_printf(r->arena, "%s, %s", date_human(r->arena, e->at),
			   admin_age(r->arena, r->now, e->at)));
		mu_set_str(m, "user", e->user_name);
		mu_set_str(m, "action", e->action);
		if (e->comment_id > 0)
			mu_set_int(m, "comment_id", e->comment_id);
		mu_set_str(m, "detail", e->detail);
		mu_set_str(m, "status_before", e->status_before);
	}
	mu_set_list(ctx, "entries", rows);
	admin_pager(r, ctx, "/admin/audit?page=", page, list.has_more);
	return admin_render(r, "admin_audit", ctx, 200);
}
