/* admin-sessions.c: the admin's own open sessions: list them, end one, end all others. */
#include "admin.h"

#include <string.h>

#include "audit.h"
#include "config.h"
#include "db.h"
#include "sessions.h"
#include "text.h"

static struct session_limits
limits(const struct req *r)
{
	struct session_limits lim = {
		(long)r->cfg->session_idle_minutes * 60, (long)r->cfg->session_max_hours * 3600
	};

	return lim;
}

/* GET /admin/sessions */
int
admin_sessions(struct admin_req *admin)
{
	struct req *r = admin->r;
	struct session_limits lim = limits(r);
	struct session_list list;
	struct mu_map *ctx;
	struct mu_list *rows;
	size_t i;

	if (sessions_list(r->db, r->arena, admin->session->user_id, admin->session->id, r->now, &lim,
	    &list) != STORE_OK)
		return 500;
	ctx = admin_context(admin, "Your sessions", "sessions");
	mu_set_str(ctx, "return", "/admin/sessions");
	rows = mu_list_new(r->arena);
	for (i = 0; i < list.len; i++) {
		const struct session *s = &list.items[i];
		struct mu_map *m = mu_list_push_map(rows);

		mu_set_int(m, "id", s->id);
		mu_set_bool(m, "current", s->current);
		mu_set_str(m, "created", date_rfc3339(r->arena, s->created_at));
		mu_set_str(m, "created_age", admin_age(r->arena, r->now, s->created_at));
		mu_set_str(m, "last_seen", date_rfc3339(r->arena, s->last_seen));
		mu_set_str(m, "last_seen_age", admin_age(r->arena, r->now, s->last_seen));
		mu_set_strn(m, "address", s->ip_hash, strlen(s->ip_hash) < 8 ? strlen(s->ip_hash) : 8);
		mu_set_str(m, "user_agent", *s->user_agent ? s->user_agent : "unknown browser");
	}
	mu_set_list(ctx, "sessions", rows);
	mu_set_bool(ctx, "has_others", list.len > 1);
	return admin_render(r, "admin_sessions", ctx, 200);
}

/* POST /admin/sessions/ID/end: end one of the admin's other sessions. */
int
admin_session_end(struct admin_req *admin)
{
	struct req *r = admin->r;
	int64_t id = admin_parse_id(r->params[0]);
	int rc;

	if (id == 0)
		return 404;
	if (id == admin->session->id)
		return resp_redirect(r, 303, "/admin/sessions");
	if (db_begin(r->db) != STORE_OK)
		return 500;
	rc = sessions_delete_own(r->db, admin->session->user_id, id);
	if (rc == STORE_OK)
		rc = audit_add(r->db, r->now, admin->session->user_name, "end-session", 0,
			       arena_printf(r->arena, "session %lld", (long long)id));
	if (rc != STORE_OK || db_commit(r->db) != STORE_OK) {
		db_rollback(r->db);
		return rc == STORE_NOTFOUND ? 404 : 500;
	}
	return resp_redirect(r, 303, "/admin/sessions");
}

/* POST /admin/sessions/others: end every session of this admin but the current one. */
int
admin_sessions_end_others(struct admin_req *admin)
{
	struct req *r = admin->r;
	int count = 0;

	if (db_begin(r->db) != STORE_OK)
		return 500;
	if (sessions_delete_others(r->db, admin->session->user_id, admin->session->id, &count) != STORE_OK ||
	    audit_add(r->db, r->now, admin->session->user_name, "end-other-sessions", 0,
		      arena_printf(r->arena, "%d ended", count)) != STORE_OK ||
	    db_commit(r->db) != STORE_OK) {
		db_rollback(r->db);
		return 500;
	}
	return resp_redirect(r, 303, "/admin/sessions");
}
