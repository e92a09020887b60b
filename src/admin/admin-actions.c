/* admin-actions.c: moderation actions on one comment or many, each audited in the same transaction. */
#include "admin.h"

#include <string.h>

#include "audit.h"
#include "comments.h"
#include "db.h"
#include "sessions.h"

/* Comments one bulk request may change. */
#define BULK_MAX 200

/* The status an action moves a comment to; -1 for delete, -2 for no such action. */
static int
action_status(const char *action)
{
	if (strcmp(action, "delete") == 0)
		return -1;
	if (strcmp(action, "approve") == 0)
		return COMMENT_APPROVED;
	if (strcmp(action, "reject") == 0)
		return COMMENT_REJECTED;
	if (strcmp(action, "spam") == 0)
		return COMMENT_SPAM;
	if (strcmp(action, "pending") == 0)
		return COMMENT_PENDING;
	return -2;
}

/*
 * Apply action to comment id inside the caller's transaction and log it.
 * STORE_OK, STORE_NOTFOUND (no such comment: nothing logged) or STORE_ERR.
 */
static int
apply_action(struct req *r, int64_t id, const char *action)
{
	struct comment c;
	int status = action_status(action), rc;
	const char *detail, *value = NULL, *kind = NULL;

	if ((rc = comments_get(r->db, r->arena, id, &c)) != STORE_OK)
		return rc;
	if (strcmp(action, "block-address") == 0) {
		kind = "ip";
		value = c.ip_hash;
	} else if (strcmp(action, "block-email") == 0) {
		kind = "email";
		value = c.email;
	}
	if (kind != NULL) {
		if (value == NULL || *value == '\0')
			return STORE_OK;
		if (comments_block_add(r->db, kind, value, r->now) != STORE_OK)
			return STORE_ERR;
		detail = arena_printf(r->arena, "%s %s (from comment by %s)", kind, value, c.author);
	} else if (status == -1) {
		if ((rc = comments_delete(r->db, id)) != STORE_OK)
			return rc;
		detail = arena_printf(r->arena, "was %s, by %s on %s",
				      comment_status_name(c.status), c.author, c.post_slug);
	} else {
		if ((rc = comments_set_status(r->db, id, (enum comment_status)status)) != STORE_OK)
			return rc;
		detail = arena_printf(r->arena, "was %s", comment_status_name(c.status));
	}
	return audit_add(r->db, r->now, r->session->user_name, action, id, detail);
}

/* POST /admin/comments/ID/ACTION: approve, reject, spam, pending, delete, block-address, block-email. */
int
admin_comment_action(struct req *r)
{
	int64_t id = admin_parse_id(r->params[0]);
	const char *action = r->params[1];
	int rc;

	if (id == 0 || (action_status(action) == -2 && strcmp(action, "block-address") != 0 &&
	    strcmp(action, "block-email") != 0))
		return 404;
	if (db_begin(r->db) != STORE_OK)
		return 500;
	rc = apply_action(r, id, action);
	if (rc != STORE_OK || db_commit(r->db) != STORE_OK) {
		db_rollback(r->db);
		return rc == STORE_NOTFOUND ? 404 : 500;
	}
	return resp_redirect(r, 303, admin_return_path(r));
}

/*
 * POST /admin/comments/bulk: action plus one id field per comment.  With
 * the field all (the "every comment on this page" button) the page_id
 * fields, which list every comment shown, are used instead.  Fields that
 * are not ids, missing comments and repeats are skipped; the rest change
 * in one transaction, each logged once.  More than BULK_MAX ids: 413 and
 * nothing changes (the pages never send that many).
 */
int
admin_bulk(struct req *r)
{
	const char *action = req_form(r, "action"), *field;
	int64_t ids[BULK_MAX];
	size_t i, j, n = 0;

	if (action == NULL || action_status(action) == -2)
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
	if (db_begin(r->db) != STORE_OK)
		return 500;
	for (i = 0; i < n; i++)
		if (apply_action(r, ids[i], action) == STORE_ERR) {
			db_rollback(r->db);
			return 500;
		}
	if (db_commit(r->db) != STORE_OK) {
		db_rollback(r->db);
		return 500;
	}
	return resp_redirect(r, 303, admin_return_path(r));
}
