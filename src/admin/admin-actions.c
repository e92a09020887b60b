/* admin-actions.c: moderation actions on one comment or many, each audited in the same transaction, with feedback and Undo. */
#include "admin.h"

#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "comment_admin.h"
#include "comments.h"
#include "config.h"
#include "db.h"
#include "moderation.h"
#include "sessions.h"

/* Comments one bulk request may change; entries one Undo may revert. */
#define BULK_MAX 200
/* How long after an action its Undo button works. */
#define UNDO_SECONDS 3600

/*
 * Every action on one comment, in the store's table's order: its button and
 * what the feedback says it did.  The one table the queue, the comment
 * page, bulk and Undo read.
 */
const struct admin_action admin_actions[] = {
	{ &moderation_actions[MODERATION_APPROVE], "Approve", "Approved" },
	{ &moderation_actions[MODERATION_REJECT], "Reject", "Rejected" },
	{ &moderation_actions[MODERATION_SPAM], "Spam", "Marked as spam" },
	{ &moderation_actions[MODERATION_PENDING], "Back to queue", "Moved back to the queue" },
	{ &moderation_actions[MODERATION_DELETE], "Delete", "Moved to trash" },
	{ &moderation_actions[MODERATION_RESTORE], "Restore", "Restored" },
	{ &moderation_actions[MODERATION_BLOCK_ADDRESS], "Block this address", "Blocked the address of" },
	{ &moderation_actions[MODERATION_BLOCK_EMAIL], "Block this email", "Blocked the email of" },
};
const size_t admin_actions_count = sizeof(admin_actions) / sizeof(admin_actions[0]);

/* What the feedback says of the entries that are not in the table above. */
static const struct { const char *action, *done; } other_done[] = {
	{ "reply", "Replied to" },
	{ "edit", "Edited the comment of" },
	{ "undo", "Undid an action on the comment of" },
};

const struct admin_action *
admin_action_find(const char *name)
{
	const struct moderation_action *act = moderation_action_find(name);
	size_t i;

	for (i = 0; act != NULL && i < admin_actions_count; i++)
		if (admin_actions[i].act == act)
			return &admin_actions[i];
	return NULL;
}

/* Apply action a to comment id in the caller's transaction, audited: the store's moderation_act. */
static int
apply_action(struct admin_req *admin, int64_t id, const struct admin_action *a, int64_t *entry)
{
	struct req *r = admin->r;
	return moderation_act(r->db, r->arena, id, a->act->name, admin->session->user_name, r->now, entry);
}

int
admin_redirect_done(struct req *r, int64_t from, int64_t to)
{
	const char *path = admin_return_path(r);
	int64_t next = admin_parse_id(req_form(r, "next"));
	const char *url = path;

	if (from > 0)
		url = arena_printf(r->arena, "%s%sdone=%lld&to=%lld", path,
				   strchr(path, '?') ? "&" : "?", (long long)from, (long long)to);
	if (next > 0)
		url = arena_printf(r->arena, "%s#comment-%lld", url, (long long)next);
	return resp_redirect(r, 303, url);
}

/* A page asking to confirm what the form asked, re-posting it with confirm=1. */
static int
confirm_page(struct admin_req *admin, const char *action_url, const char *question, const char *button)
{
	struct req *r = admin->r;
	struct mu_map *ctx = admin_context(admin, "Please confirm", "");
	struct mu_list *fields = mu_list_new(r->arena);
	size_t i;

	for (i = 0; i < r->form.len; i++) {
		const char *name = r->form.items[i].name;
		struct mu_map *m;

		if (strcmp(name, "csrf") == 0 || strcmp(name, "confirm") == 0)
			continue;
		m = mu_list_push_map(fields);
		mu_set_str(m, "name", name);
		mu_set_str(m, "value", r->form.items[i].value);
	}
	mu_set_str(ctx, "action_url", action_url);
	mu_set_str(ctx, "question", question);
	mu_set_str(ctx, "button", button);
	mu_set_str(ctx, "cancel_url", arena_printf(r->arena, "%s%s", r->cfg->mount,
						   admin_return_path(r)));
	mu_set_list(ctx, "fields", fields);
	return admin_render(r, "admin_confirm", ctx, 200);
}

/* POST /admin/comments/ID/ACTION for the actions of admin_actions. */
int
admin_comment_action(struct admin_req *admin)
{
	struct req *r = admin->r;
	int64_t id = admin_parse_id(r->params[0]), entry = 0;
	const struct admin_action *a = admin_action_find(r->params[1]);
	int rc;

	if (strcmp(r->params[1], "reply") == 0)
		return admin_comment_reply(admin);
	if (strcmp(r->params[1], "edit") == 0)
		return admin_comment_edit(admin);
	if (id == 0 || a == NULL)
		return 404;
	if (a->act->kind == MODERATION_ACT_BLOCK && req_form(r, "confirm") == NULL) {
		struct comment c;
		if ((rc = comments_get(r->db, r->arena, id, &c)) != STORE_OK)
			return rc == STORE_NOTFOUND ? 404 : 500;
		return confirm_page(admin, arena_printf(r->arena, "%s/admin/comments/%lld/%s",
			r->cfg->mount, (long long)id, a->act->name),
			arena_printf(r->arena, strcmp(a->act->block, "ip") == 0 ?
				     "Send every new comment from the address of %s to spam?" :
				     "Send every new comment from the email of %s to spam?", c.author),
			a->label);
	}
	if (db_begin(r->db) != STORE_OK)
		return 500;
	rc = apply_action(admin, id, a, &entry);
	if (rc != STORE_OK || db_commit(r->db) != STORE_OK) {
		db_rollback(r->db);
		if (rc == STORE_NOTFOUND && a->act->kind == MODERATION_ACT_RESTORE &&
		    comments_get(r->db, r->arena, id, &(struct comment){ 0 }) == STORE_OK)
			return 409;     /* a restore of a comment that is not in trash */
		return rc == STORE_NOTFOUND ? 404 : 500;
	}
	return admin_redirect_done(r, entry, entry);
}

/*
 * POST /admin/comments/bulk: action plus one id field per comment.  With
 * the field all (the "every comment on this page" button) the page_id
 * fields, which list every comment shown, are used instead, after a
 * confirmation page.  Fields that are not ids, missing comments and
 * repeats are skipped; the rest change in one transaction, each logged
 * once.  More than BULK_MAX ids: 413 and nothing changes (the pages never
 * send that many).
 */
int
admin_bulk(struct admin_req *admin)
{
	struct req *r = admin->r;
	const struct admin_action *a = admin_action_find(req_form(r, "action"));
	const char *field;
	int64_t ids[BULK_MAX], first = 0, last = 0, entry;
	size_t i, j, n = 0;

	if (a == NULL || a->act->kind == MODERATION_ACT_BLOCK)
		return 400;
	field = req_form(r, "all") != NULL ? "page_id" : "id";
	for (i = 0; i < r->form.len; i++) {
		int64_t id;

		if (strcmp(r->form.items[i].name, field) != 0 ||
		    (id = admin_parse_id(r->form.items[i].value)) == 0)
			continue;
		for (j = 0; j < n && ids[j] != id; j++)
			;
		if (j < n)
			continue;
		if (n == BULK_MAX)
			return 413;
		ids[n++] = id;
	}
	if (req_form(r, "all") != NULL && req_form(r, "confirm") == NULL)
		return confirm_page(admin, arena_printf(r->arena, "%s/admin/comments/bulk", r->cfg->mount),
			arena_printf(r->arena, "%s: apply to all %zu comments on the page?", a->label, n),
			arena_printf(r->arena, "%s all %zu", a->label, n));
	if (db_begin(r->db) != STORE_OK)
		return 500;
	for (i = 0; i < n; i++) {
		int rc = apply_action(admin, ids[i], a, &entry);
		if (rc == STORE_ERR) {
			db_rollback(r->db);
			return 500;
		}
		if (entry > 0) {
			if (first == 0)
				first = entry;
			last = entry;
		}
	}
	if (db_commit(r->db) != STORE_OK) {
		db_rollback(r->db);
		return 500;
	}
	return admin_redirect_done(r, first, last);
}

/*
 * Revert one audit entry inside the caller's transaction: a status change
 * goes back to the status before (when nothing changed it since), a
 * delete is restored, a restore goes back to trash, a reply goes to trash.
 * *undo receives the new entry's id (0 when there was nothing to revert).
 */
static int
undo_entry(struct admin_req *admin, const struct audit_entry *e, int64_t *undo)
{
	struct req *r = admin->r;
	const struct admin_action *a = admin_action_find(e->action);
	struct comment c;
	int before = comment_status_parse(e->status_before), rc;

	*undo = 0;
	if (e->comment_id <= 0 || comments_get(r->db, r->arena, e->comment_id, &c) != STORE_OK)
		return STORE_OK;
	if (strcmp(e->action, "reply") == 0 || (a != NULL && a->act->kind == MODERATION_ACT_RESTORE)) {
		if (c.status == COMMENT_TRASH)
			return STORE_OK;
		if ((rc = comments_trash(r->db, c.id, r->now, NULL)) != STORE_OK)
			return rc;
	} else if (a != NULL && a->act->kind == MODERATION_ACT_TRASH) {
		if (c.status != COMMENT_TRASH)
			return STORE_OK;
		if ((rc = comments_restore(r->db, c.id, NULL)) != STORE_OK)
			return rc;
	} else if (a != NULL && a->act->kind == MODERATION_ACT_STATUS) {
		if ((int)c.status != a->act->status || before < 0 || before == COMMENT_TRASH)
			return STORE_OK;
		if ((rc = comments_set_status(r->db, c.id, (enum comment_status)before)) != STORE_OK)
			return rc;
	} else {
		return STORE_OK;
	}
	return audit_add_change(r->db, r->now, admin->session->user_name, "undo", c.id,
				comment_status_name(c.status),
				arena_printf(r->arena, "undid %s (entry %lld)", e->action,
					     (long long)e->id), undo);
}

/* May this admin undo entry e now? */
static int
undoable(struct admin_req *admin, const struct audit_entry *e)
{
	struct req *r = admin->r;
	const struct admin_action *a = admin_action_find(e->action);

	return e->comment_id > 0 && strcmp(e->user_name, admin->session->user_name) == 0 &&
	       r->now - e->at <= UNDO_SECONDS &&
	       (strcmp(e->action, "reply") == 0 || (a != NULL && a->act->kind != MODERATION_ACT_BLOCK));
}

/* POST /admin/undo: fields from and to, a range of this admin's recent audit entries. */
int
admin_undo(struct admin_req *admin)
{
	struct req *r = admin->r;
	int64_t from = admin_parse_id(req_form(r, "from")), to = admin_parse_id(req_form(r, "to"));
	int64_t id, first = 0, last = 0, undo;
	struct audit_entry e;
	int rc;

	if (from == 0 || to < from)
		return 400;
	if (to - from >= BULK_MAX * 2)
		return 413;
	if (db_begin(r->db) != STORE_OK)
		return 500;
	/* Newest first, so a reply's parent approval is undone after the reply. */
	for (id = to; id >= from; id--) {
		if ((rc = audit_get(r->db, r->arena, id, &e)) == STORE_NOTFOUND)
			continue;
		if (rc != STORE_OK || (undoable(admin, &e) && undo_entry(admin, &e, &undo) != STORE_OK)) {
			db_rollback(r->db);
			return 500;
		}
		if (!undoable(admin, &e))
			continue;
		if (undo > 0) {
			if (first == 0 || undo < first)
				first = undo;
			if (undo > last)
				last = undo;
		}
	}
	if (db_commit(r->db) != STORE_OK) {
		db_rollback(r->db);
		return 500;
	}
	return admin_redirect_done(r, first, last);
}

/* "Approved Kim on 'Saying no…'" for one entry, in the arena. */
static const char *
entry_message(struct req *r, const struct audit_entry *e)
{
	const struct admin_action *a = admin_action_find(e->action);
	const char *done = a != NULL ? a->done : e->action;
	struct comment c;
	size_t i;

	for (i = 0; a == NULL && i < sizeof(other_done) / sizeof(other_done[0]); i++)
		if (strcmp(other_done[i].action, e->action) == 0)
			done = other_done[i].done;
	if (e->comment_id <= 0 || comments_get(r->db, r->arena, e->comment_id, &c) != STORE_OK)
		return arena_printf(r->arena, "%s comment #%lld", done, (long long)e->comment_id);
	if (strcmp(e->action, "reply") == 0 && c.parent_id > 0) {
		struct comment parent;
		if (comments_get(r->db, r->arena, c.parent_id, &parent) == STORE_OK)
			c.author = parent.author;
	}
	return arena_printf(r->arena, "%s %s on \u2018%s\u2019", done, c.author,
			    admin_excerpt(r->arena, c.post_title, 40));
}

void
admin_feedback(struct admin_req *admin, struct mu_map *ctx)
{
	struct req *r = admin->r;
	int64_t from = admin_parse_id(req_query(r, "done")), to = admin_parse_id(req_query(r, "to"));
	struct audit_entry e;
	const char *message = NULL, *first_action = NULL;
	int64_t id, count = 0;
	int can_undo = 0, same = 1;

	if (from == 0 || to < from || to - from >= BULK_MAX * 2 || admin->session == NULL)
		return;
	for (id = from; id <= to; id++) {
		if (audit_get(r->db, r->arena, id, &e) != STORE_OK ||
		    strcmp(e.user_name, admin->session->user_name) != 0)
			continue;
		if (count == 0) {
			message = entry_message(r, &e);
			first_action = e.action;
		} else if (count < 3) {
			message = arena_printf(r->arena, "%s; %s", message, entry_message(r, &e));
		}
		if (first_action != NULL && strcmp(first_action, e.action) != 0)
			same = 0;
		can_undo |= undoable(admin, &e);
		count++;
	}
	if (count == 0)
		return;
	if (count > 3) {
		const struct admin_action *a = admin_action_find(first_action);
		message = same && a != NULL ?
		    arena_printf(r->arena, "%s %lld comments", a->done, (long long)count) :
		    arena_printf(r->arena, "Done: %lld changes", (long long)count);
	}
	mu_set_str(ctx, "done_message", arena_printf(r->arena, "%s.", message));
	if (can_undo && strcmp(first_action, "undo") != 0) {
		mu_set_int(ctx, "undo_from", from);
		mu_set_int(ctx, "undo_to", to);
	}
}
