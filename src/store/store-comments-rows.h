/* store-comments-rows.h: the comment row format the store's comment files share (not for other layers). */
#ifndef PARLEY_STORE_COMMENTS_ROWS_H
#define PARLEY_STORE_COMMENTS_ROWS_H

#include <stddef.h>
#include <sqlite3.h>

#include "arena.h"
#include "comments.h"
#include "db.h"

/* The columns every comment query reads, in this order (see comments_read_rows). */
#define COMMENT_COLUMNS \
	"c.id, c.post_id, coalesce(c.parent_id, 0), c.status, c.author, c.email," \
	" c.url, c.body_md, c.body_html, c.created_at, c.ip_hash, c.spam_reason," \
	" p.slug, p.title, c.by_author, coalesce(c.edited_at, 0), coalesce(c.trashed_from, '')"
/*
 * Appended to COMMENT_COLUMNS: how many comments share the address hash,
 * counted in the comments_ip index up to COMMENT_GROUP_MAX + 1 (the LIMIT
 * below): a card from an address that sent 100,000 comments costs what
 * one from an address that sent a hundred does.
 */
#define COMMENT_GROUP \
	", CASE WHEN c.ip_hash = '' THEN 1 ELSE (SELECT count(*) FROM" \
	" (SELECT 1 FROM comments g WHERE g.ip_hash = c.ip_hash LIMIT 101)) END"

/*
 * Step st (a COMMENT_COLUMNS query, with COMMENT_GROUP when with_group) to
 * the end, filling out in a.  At most max rows are kept when max > 0; a
 * further row sets has_more.  Resets st.  STORE_OK or STORE_ERR.
 */
int comments_read_rows(struct db *db, sqlite3_stmt *st, struct arena *a,
		       struct comment_list *out, int with_group, size_t max);

#endif
