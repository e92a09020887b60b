/* admin-actions.c: moderation actions on one comment or many, each audited in the same transaction. */
#include "admin.h"

#include <string.h>

#include "db.h"
#include "moderation.h"
#include "sessions.h"

/* Comments one bulk request may change. */
#define BULK_MAX 200

/* POST /admin/comments/ID/ACTION: approve, reject, spam, pending, delete, block-address, block-email. */
int
admin_comment_action(struct req *r)
{
	int64_t id = admin_parse_id(r->params[0]);
	const char *action = r->params[1];
	int rc;

	if (id == 0 || !moderation_action_valid(action))
		return 404;
	if (db_begin(r->db) != STORE_OK)
		return 500;
	rc = moderation_act(r->db, r->arena, id, action, r->session->user_name, r->now);
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

	if (action == NULL || !moderation_action_valid(action) || strncmp(action, "block-", 6) == 0)
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
		if (moderation_act(r->db, r->arena, ids[i], action, r->session->user_name,
				   r->now) == STORE_ERR) {
			db_rollback(r->db);
			return 500;
		}
	if (db_commit(r->db) != STORE_OK) {
		db_rollback(r->db);
		return 500;
	}
	return resp_redirect(r, 303, admin_return_path(r));
}
