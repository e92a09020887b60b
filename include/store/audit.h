/* audit.h: the moderation audit log: who did what to which comment, and when. */
#ifndef PARLEY_AUDIT_H
#define PARLEY_AUDIT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "arena.h"
#include "db.h"

struct audit_entry {
	int64_t id;
	time_t at;
	const char *user_name;
	const char *action;         /* "approve", "reject", "spam", "delete", "login", ... */
	int64_t comment_id;         /* 0 when the action concerns no comment */
	const char *detail;         /* "" when none */
	const char *status_before;  /* the comment's status before the action, "" when none */
};

struct audit_list {
	struct audit_entry *items;
	size_t len;
	int has_more;               /* another page follows */
};

/*
 * Append one row.  Callers changing data call it inside the same
 * transaction as the change, so the log and the data never disagree.
 * comment_id 0 stores NULL.  STORE_OK or STORE_ERR.
 */
int audit_add(struct db *db, time_t at, const char *user_name, const char *action,
	      int64_t comment_id, const char *detail);

/*
 * audit_add for a change to one comment, with the status it had before
 * (what Undo goes back to).  *id (may be NULL) receives the entry's id.
 */
int audit_add_change(struct db *db, time_t at, const char *user_name, const char *action,
		     int64_t comment_id, const char *status_before, const char *detail,
		     int64_t *id);

/* One entry by id, strings in a: STORE_OK, STORE_NOTFOUND or STORE_ERR. */
int audit_get(struct db *db, struct arena *a, int64_t id, struct audit_entry *out);

/* Page page (1-based) of the log, newest first, per_page rows.  STORE_OK or STORE_ERR. */
int audit_page(struct db *db, struct arena *a, int page, int per_page,
	       struct audit_list *out);

/*
 * Take one commenter's personal data out of the log (for `comments erase`):
 * email, ignoring ASCII case, wherever it appears, and each of names (as
 * whole words) in the rows about the comments ids and about comments that
 * no longer exist.  Rows are kept, so the log still says what was done.
 * Runs in the caller's transaction.  STORE_OK or STORE_ERR.
 */
int audit_erase(struct db *db, struct arena *a, const char *email, const char *const *names,
		size_t nnames, const int64_t *ids, size_t nids);

#endif
